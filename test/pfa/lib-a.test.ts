// PFA array library (a.*): catalogue signatures, the conformance trials that run
// directly (plain input references), and unit tests of the specification's rules for
// what the direct runner cannot reach (function arguments, given here as JS callbacks).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as family from '../../runtime/pfa/lib/a.js';
import { PfaError, type LibFunction, type LibImpl, type PfaType } from '../../runtime/pfa/types.js';
import { matchCall } from '../../src/frontends/pfa/signatures.js';
import { PFA_DATA, runDirect } from './support/direct.js';

const FUNCTIONS = Object.values(family).filter((v): v is LibFunction => typeof v === 'object' && v !== null && 'make' in v);
const byName = new Map(FUNCTIONS.map((f) => [f.name, f]));

// ---------------------------------------------------------------------------------
// Types and call sites

const INT: PfaType = { kind: 'int' };
const LONG: PfaType = { kind: 'long' };
const FLOAT: PfaType = { kind: 'float' };
const DOUBLE: PfaType = { kind: 'double' };
const STRING: PfaType = { kind: 'string' };
const BOOLEAN: PfaType = { kind: 'boolean' };
const NULL: PfaType = { kind: 'null' };
const arr = (items: PfaType): PfaType => ({ kind: 'array', items });
const fn = (params: PfaType[], ret: PfaType): PfaType => ({ kind: 'function', params, ret });
const union = (...types: PfaType[]): PfaType => ({ kind: 'union', types });
const REC: PfaType = { kind: 'record', name: 'R', fields: [{ name: 'k', type: INT }, { name: 'tag', type: STRING }] };

/** The implementation of `name` at a call site with these argument types (as the compiler resolves it). */
function site(name: string, args: PfaType[], random: () => number = Math.random): LibImpl {
  const f = byName.get(name);
  assert.ok(f, `${name} is implemented`);
  const types = matchCall(f, args);
  assert.ok(types, `${name} accepts (${args.map((a) => a.kind).join(', ')})`);
  return f.make(types, { random, log: () => undefined });
}

function code(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof PfaError) return e.code;
    throw e;
  }
  assert.fail('expected a PFA error');
}

const lt = (x: unknown, y: unknown): boolean => (x as number) < (y as number);
const byK = (x: unknown, y: unknown): boolean => (x as { k: number }).k < (y as { k: number }).k;
const rec = (k: number, tag: string) => Object.assign(Object.create(null), { k, tag }) as { k: number; tag: string };

// ---------------------------------------------------------------------------------
// Catalogue

test('a.*: every catalogue function is implemented once, with the catalogue signatures', () => {
  const catalogue = (JSON.parse(readFileSync(join(PFA_DATA, 'functions.json'), 'utf8')) as { functions: { name: string; signatures: unknown }[] }).functions
    .filter((f) => f.name.startsWith('a.'));
  assert.equal(catalogue.length, 82);
  assert.equal(FUNCTIONS.length, catalogue.length);
  for (const c of catalogue) {
    const f = byName.get(c.name);
    assert.ok(f, `${c.name} missing`);
    assert.deepEqual(JSON.parse(JSON.stringify(f.sigs)), c.signatures, `${c.name} signatures`);
  }
});

// ---------------------------------------------------------------------------------
// Conformance trials run directly

/**
 * Trials where the reference engine (Titus2) contradicts the specification. In each of
 * these tests the haystack is an array of arrays of strings and the needle an array of
 * strings: the only matching signature is the second (needle of type A, an item), so the
 * needle must be looked for as an item. Titus2 dispatches on the needle's runtime type
 * instead and searches for it as a subsequence, so it never finds it (e.g. a.contains of
 * [[""], ["o", "hello"]] and ["o", "hello"] is false there, true by the specification).
 * a.lnsum: the specification says NaN when a value is zero; Titus2 returns -inf for [0].
 */
const SPEC_OVER_TITUS: Record<string, { tests: string[]; trials: number }> = {
  'a.contains': { tests: ['pfa-test-0400'], trials: 6 },
  'a.count': { tests: ['pfa-test-0412'], trials: 4 },
  'a.index': { tests: ['pfa-test-0424'], trials: 6 },
  'a.rindex': { tests: ['pfa-test-0436'], trials: 7 },
  'a.startswith': { tests: ['pfa-test-0448'], trials: 5 },
  'a.endswith': { tests: ['pfa-test-0456'], trials: 5 },
  'a.lnsum': { tests: ['pfa-test-0579'], trials: 1 },
};

test('a.*: the directly runnable conformance trials pass', () => {
  let trials = 0, passed = 0;
  for (const f of FUNCTIONS) {
    const r = runDirect('a', f, { random: seeded(7) });
    trials += r.trials;
    passed += r.passed;
    const known = SPEC_OVER_TITUS[f.name];
    if (known === undefined) {
      assert.deepEqual(r.failures, [], f.name);
      continue;
    }
    for (const failure of r.failures) assert.ok(known.tests.some((id) => failure.startsWith(`${id} `)), `${f.name}: ${failure}`);
    assert.equal(r.trials - r.passed, known.trials, `${f.name}: ${r.failures.join('\n')}`);
  }
  assert.ok(trials > 21000, `ran ${trials} trials`);
  assert.equal(trials - passed, Object.values(SPEC_OVER_TITUS).reduce((n, k) => n + k.trials, 0));
});

// ---------------------------------------------------------------------------------
// Basic access and manipulation

test('a.subseq, a.subseqto, a.remove follow Python slices', () => {
  const subseq = site('a.subseq', [arr(INT), INT, INT]);
  const a = [0, 1, 2, 3, 4];
  assert.deepEqual(subseq(a, 1, 3), [1, 2]);
  assert.deepEqual(subseq(a, -2, 100), [3, 4]);
  assert.deepEqual(subseq(a, -100, -4), [0]);
  assert.deepEqual(subseq(a, 3, 1), []);
  const subseqto = site('a.subseqto', [arr(INT), INT, INT, arr(INT)]);
  assert.deepEqual(subseqto(a, 1, 3, [9]), [0, 9, 3, 4]);
  assert.deepEqual(subseqto(a, 3, 1, [9, 9]), [0, 1, 2, 9, 9, 3, 4]);
  assert.deepEqual(subseqto(a, -1, 10, []), [0, 1, 2, 3]);
  const remove = site('a.remove', [arr(INT), INT, INT]);
  assert.deepEqual(remove(a, 1, -1), [0, 4]);
  assert.deepEqual(remove(a, 4, 2), a);
  const removeOne = site('a.remove', [arr(INT), INT]);
  assert.deepEqual(removeOne(a, -1), [0, 1, 2, 3]);
  assert.equal(code(() => removeOne(a, 5)), 15180);
  assert.equal(code(() => removeOne([], 0)), 15180);
});

test('a.head/tail/last/init raise "empty array"', () => {
  assert.equal(code(() => site('a.head', [arr(INT)])([])), 15020);
  assert.equal(code(() => site('a.tail', [arr(INT)])([])), 15030);
  assert.equal(code(() => site('a.last', [arr(INT)])([])), 15040);
  assert.equal(code(() => site('a.init', [arr(INT)])([])), 15050);
  assert.deepEqual(site('a.init', [arr(INT)])([1, 2]), [1]);
});

test('a.insert and a.replace use Python indexes within the array', () => {
  const insert = site('a.insert', [arr(INT), INT, INT]);
  assert.deepEqual(insert([1, 2, 3], 0, 9), [9, 1, 2, 3]);
  assert.deepEqual(insert([1, 2, 3], -1, 9), [1, 2, 9, 3]);
  assert.deepEqual(insert([1, 2, 3], -3, 9), [9, 1, 2, 3]);
  assert.equal(code(() => insert([1, 2, 3], 3, 9)), 15160);
  assert.equal(code(() => insert([1, 2, 3], -4, 9)), 15160);
  const replace = site('a.replace', [arr(INT), INT, INT]);
  assert.deepEqual(replace([1, 2, 3], -1, 9), [1, 2, 9]);
  assert.equal(code(() => replace([], 0, 9)), 15170);
});

test('a.cycle and a.rotate', () => {
  const cycle = site('a.cycle', [arr(INT), INT, INT]);
  assert.deepEqual(cycle([1, 2, 3], 4, 3), [2, 3, 4]);
  assert.deepEqual(cycle([1, 2, 3], 4, 10), [1, 2, 3, 4]);
  assert.deepEqual(cycle([1, 2, 3], 4, 0), []);
  assert.equal(code(() => cycle([1], 2, -1)), 15150);
  const rotate = site('a.rotate', [arr(INT), INT]);
  assert.deepEqual(rotate([1, 2, 3, 4], 1), [2, 3, 4, 1]);
  assert.deepEqual(rotate([1, 2, 3, 4], 6), [3, 4, 1, 2]);
  assert.deepEqual(rotate([], 3), []);
  assert.equal(code(() => rotate([1], -1)), 15190);
});

// ---------------------------------------------------------------------------------
// Search

test('a.contains/count/index/rindex: subsequence, item and predicate needles', () => {
  const sub = [arr(INT), arr(INT)];
  assert.equal(site('a.contains', sub)([1, 2, 3, 2, 3], [2, 3]), true);
  assert.equal(site('a.contains', sub)([1, 2], []), true);
  assert.equal(site('a.count', sub)([1, 2, 3, 2, 3], [2, 3]), 2);
  assert.equal(site('a.count', sub)([1, 1, 1], [1, 1]), 2, 'occurrences may overlap');
  assert.equal(site('a.count', sub)([1, 2], []), 0, 'an empty needle counts zero');
  assert.equal(site('a.index', sub)([1, 2, 3, 2, 3], [2, 3]), 1);
  assert.equal(site('a.rindex', sub)([1, 2, 3, 2, 3], [2, 3]), 3);
  assert.equal(site('a.rindex', sub)([1, 2, 3], [3, 4]), -1);
  // The item signature applies when the needle is an item of an array of arrays.
  const nested = [arr(arr(INT)), arr(INT)];
  assert.equal(site('a.contains', nested)([[1], [2, 3]], [2, 3]), true);
  assert.equal(site('a.count', nested)([[1], [2, 3], [2, 3]], [2, 3]), 2);
  assert.equal(site('a.index', nested)([[1], [2, 3]], [2, 3]), 1);
  assert.equal(site('a.rindex', nested)([[2, 3], [1]], [2, 3]), 0);
  assert.equal(site('a.startswith', nested)([[2, 3], [1]], [2, 3]), true);
  assert.equal(site('a.endswith', nested)([[2, 3], [1]], [1]), true);
  // Predicates.
  const pred = [arr(INT), fn([INT], BOOLEAN)];
  const even = (x: unknown) => (x as number) % 2 === 0;
  assert.equal(site('a.contains', pred)([1, 3, 4], even), true);
  assert.equal(site('a.count', pred)([2, 3, 4], even), 2);
  assert.equal(site('a.index', pred)([1, 2, 4], even), 1);
  assert.equal(site('a.rindex', pred)([1, 2, 4, 5], even), 2);
  assert.equal(site('a.index', pred)([1, 3], even), -1);
});

test('a.startswith and a.endswith', () => {
  const sub = [arr(STRING), arr(STRING)];
  assert.equal(site('a.startswith', sub)(['a', 'b', 'c'], ['a', 'b']), true);
  assert.equal(site('a.startswith', sub)(['a'], ['a', 'b']), false);
  assert.equal(site('a.endswith', sub)(['a', 'b', 'c'], ['b', 'c']), true);
  assert.equal(site('a.endswith', sub)(['a', 'b', 'c'], []), true);
  assert.equal(site('a.startswith', [arr(STRING), STRING])(['a', 'b'], 'a'), true);
  assert.equal(site('a.endswith', [arr(STRING), STRING])([], 'a'), false);
});

// ---------------------------------------------------------------------------------
// Ordering and extremes

test('a.sort is stable in Avro order; a.sortLT is stable in the lessThan order', () => {
  assert.deepEqual(site('a.sort', [arr(DOUBLE)])([3, NaN, -1, 2]), [-1, 2, 3, NaN]);
  assert.deepEqual(site('a.sort', [arr(STRING)])(['b', 'B', 'a']), ['B', 'a', 'b']);
  const items = [rec(2, 'a'), rec(1, 'b'), rec(2, 'c'), rec(1, 'd')];
  const sorted = site('a.sortLT', [arr(REC), fn([REC, REC], BOOLEAN)])(items, byK) as { tag: string }[];
  assert.deepEqual(sorted.map((r) => r.tag), ['b', 'd', 'a', 'c']);
  assert.deepEqual(items.map((r) => r.tag), ['a', 'b', 'c', 'd'], 'argument unchanged');
});

test('extremes: first of equal items, n most extreme in order, errors', () => {
  const items = [rec(1, 'a'), rec(3, 'b'), rec(0, 'c'), rec(3, 'd'), rec(0, 'e')];
  const ltSig = [arr(REC), fn([REC, REC], BOOLEAN)];
  assert.equal((site('a.maxLT', ltSig)(items, byK) as { tag: string }).tag, 'b');
  assert.equal((site('a.minLT', ltSig)(items, byK) as { tag: string }).tag, 'c');
  assert.equal(site('a.argmaxLT', ltSig)(items, byK), 1);
  assert.equal(site('a.argminLT', ltSig)(items, byK), 2);
  const ltNSig = [arr(REC), INT, fn([REC, REC], BOOLEAN)];
  assert.deepEqual((site('a.maxNLT', ltNSig)(items, 3, byK) as { tag: string }[]).map((r) => r.tag), ['b', 'd', 'a']);
  assert.deepEqual((site('a.minNLT', ltNSig)(items, 2, byK) as { tag: string }[]).map((r) => r.tag), ['c', 'e']);
  assert.deepEqual(site('a.argmaxNLT', ltNSig)(items, 10, byK), [1, 3, 0, 2, 4]);
  assert.deepEqual(site('a.argminNLT', ltNSig)(items, 0, byK), []);
  assert.equal(code(() => site('a.maxLT', ltSig)([], byK)), 15260);
  assert.equal(code(() => site('a.minLT', ltSig)([], byK)), 15270);
  assert.equal(code(() => site('a.argmaxLT', ltSig)([], byK)), 15340);
  assert.equal(code(() => site('a.argminLT', ltSig)([], byK)), 15350);
  assert.equal(code(() => site('a.maxNLT', ltNSig)([], 1, byK)), 15300);
  assert.equal(code(() => site('a.maxNLT', ltNSig)(items, -1, byK)), 15301);
  assert.equal(code(() => site('a.minNLT', ltNSig)([], -1, byK)), 15310, 'empty is checked first');
  assert.equal(code(() => site('a.minNLT', ltNSig)(items, -1, byK)), 15311);
  assert.equal(code(() => site('a.argmaxNLT', ltNSig)(items, -1, byK)), 15381);
  assert.equal(code(() => site('a.argminNLT', ltNSig)([], 2, byK)), 15390);
  // Natural order.
  assert.deepEqual(site('a.argmaxN', [arr(INT), INT])([5, 1, 5, 7], 3), [3, 0, 2]);
  assert.deepEqual(site('a.argminN', [arr(INT), INT])([5, 1, 5, 1], 3), [1, 3, 0]);
  assert.deepEqual(site('a.maxN', [arr(INT), INT])([5, 1, 5, 7], 2), [7, 5]);
  assert.equal(site('a.argmax', [arr(INT)])([1, 7, 7]), 1);
  assert.equal(site('a.argmin', [arr(DOUBLE)])([NaN, 2, 1, 1]), 2);
});

// ---------------------------------------------------------------------------------
// Numerical combinations

test('a.sum and a.product: exact integers, overflow errors, float rounding', () => {
  assert.equal(site('a.sum', [arr(INT)])([]), 0);
  assert.equal(site('a.product', [arr(INT)])([]), 1);
  assert.equal(site('a.sum', [arr(INT)])([2147483647, 1, -1]), 2147483647, 'only the final result is checked');
  assert.equal(code(() => site('a.sum', [arr(INT)])([2147483647, 1])), 15400);
  assert.equal(code(() => site('a.sum', [arr(LONG)])([2 ** 62, 2 ** 62])), 15401);
  assert.equal(code(() => site('a.product', [arr(INT)])([65536, 32768])), 15410);
  assert.equal(site('a.product', [arr(INT)])([65536, 65536, 0]), 0);
  assert.equal(code(() => site('a.product', [arr(LONG)])([2 ** 32, 2 ** 31])), 15411);
  assert.equal(site('a.product', [arr(LONG)])([2 ** 31, 2 ** 31, -1]), -(2 ** 62));
  assert.equal(site('a.sum', [arr(LONG)])([2 ** 53, 2 ** 53, -(2 ** 53)]), 2 ** 53, 'exact beyond 2^53');
  assert.equal(site('a.sum', [arr(LONG)])([2 ** 40, 2 ** 40]), 2 ** 41);
  assert.equal(site('a.product', [arr(LONG)])([2 ** 30, 2 ** 30, 2 ** 2]), 2 ** 62);
  assert.equal(site('a.sum', [arr(FLOAT)])([0.1, 0.2]), Math.fround(0.1 + 0.2));
  assert.equal(site('a.sum', [arr(DOUBLE)])([0.1, 0.2]), 0.1 + 0.2);
});

test('a.lnsum, a.mean, a.geomean, a.logsumexp', () => {
  const d = [arr(DOUBLE)];
  assert.equal(site('a.lnsum', d)([]), 0);
  assert.ok(Math.abs((site('a.lnsum', d)([Math.E, Math.E]) as number) - 2) < 1e-12);
  assert.ok(Number.isNaN(site('a.lnsum', d)([1, 0]) as number), 'NaN for a zero (specification)');
  assert.ok(Number.isNaN(site('a.lnsum', d)([1, -2]) as number));
  assert.ok(Number.isNaN(site('a.mean', d)([]) as number));
  assert.equal(site('a.mean', d)([1, 2, 6]), 3);
  assert.ok(Number.isNaN(site('a.geomean', d)([]) as number));
  assert.ok(Math.abs((site('a.geomean', d)([2, 8]) as number) - 4) < 1e-12);
  assert.ok(Math.abs((site('a.geomean', d)([1e200, 1e200]) as number) - 1e200) < 1e188, 'no overflow');
  assert.ok(Number.isNaN(site('a.logsumexp', d)([]) as number));
  assert.ok(Math.abs((site('a.logsumexp', d)([1000, 1000]) as number) - (1000 + Math.LN2)) < 1e-9, 'stable for large values');
  assert.equal(site('a.logsumexp', d)([-Infinity, -Infinity]), -Infinity);
});

test('a.median, a.ntile, a.mode', () => {
  assert.equal(site('a.median', [arr(DOUBLE)])([4, 1, 3, 2]), 2.5, 'average of the middle two for doubles');
  assert.equal(site('a.median', [arr(FLOAT)])([0.1, 0.2]), Math.fround((Math.fround(0.1) + Math.fround(0.2)) / 2));
  assert.equal(site('a.median', [arr(INT)])([4, 1, 3, 2]), 2, 'left of the middle two otherwise');
  assert.equal(site('a.median', [arr(INT)])([5, 1, 3]), 3);
  assert.equal(code(() => site('a.median', [arr(INT)])([])), 15450);
  const ntile = site('a.ntile', [arr(DOUBLE), DOUBLE]);
  assert.equal(ntile([1, 2, 3, 4, 5], 0.25), 2);
  assert.equal(ntile([1, 2, 3, 4, 5], 0.3), 2.2);
  assert.equal(ntile([1, 2, 3, 4], 0.5), 2.5);
  assert.equal(ntile([1, 2, 3], 7), 3);
  assert.equal(ntile([1, 2, 3], -Infinity), 1);
  assert.equal(code(() => ntile([], NaN)), 15460);
  assert.equal(code(() => ntile([1], NaN)), 15461);
  assert.equal(site('a.ntile', [arr(STRING), DOUBLE])(['d', 'a', 'c', 'b'], 0.5), 'b');
  assert.equal(site('a.mode', [arr(INT)])([3, 1, 3, 1, 2]), 1, 'median (left) of the equally common values');
  assert.equal(site('a.mode', [arr(DOUBLE)])([3, 1, 3, 1, 2]), 2, 'median (average) for doubles');
  assert.equal(site('a.mode', [arr(STRING)])(['x', 'y', 'y']), 'y');
  assert.equal(code(() => site('a.mode', [arr(INT)])([])), 15470);
});

// ---------------------------------------------------------------------------------
// Sets

test('set functions keep the original order', () => {
  const s = [arr(INT), arr(INT)];
  assert.deepEqual(site('a.distinct', [arr(INT)])([3, 1, 3, 2, 1]), [3, 1, 2]);
  assert.deepEqual(site('a.union', s)([3, 1, 3], [2, 1, 4]), [3, 1, 2, 4]);
  assert.deepEqual(site('a.intersection', s)([3, 1, 5], [1, 2, 3]), [3, 1, 1, 3]);
  assert.deepEqual(site('a.diff', s)([3, 1, 5], [1, 2]), [3, 5]);
  assert.deepEqual(site('a.symdiff', s)([3, 1, 5], [1, 2]), [3, 5, 2]);
  assert.equal(site('a.seteq', s)([1, 2, 2], [2, 1]), true);
  assert.equal(site('a.seteq', s)([1, 2], [1]), false);
  assert.equal(site('a.subset', s)([1, 1], [1, 2]), true);
  assert.equal(site('a.subset', s)([1, 3], [1, 2]), false);
  assert.equal(site('a.disjoint', s)([1, 3], [2]), true);
  // Structured items compare by value.
  const r = [arr(REC), arr(REC)];
  assert.deepEqual((site('a.distinct', [arr(REC)])([rec(1, 'x'), rec(1, 'x'), rec(1, 'y')]) as unknown[]).length, 2);
  assert.equal(site('a.subset', r)([rec(1, 'x')], [rec(2, 'x'), rec(1, 'x')]), true);
});

// ---------------------------------------------------------------------------------
// Functional programming

test('a.map, a.filter, a.filterMap, a.flatMap and their index versions', () => {
  assert.deepEqual(site('a.map', [arr(INT), fn([INT], STRING)])([1, 2], (x: number) => `${x}!`), ['1!', '2!']);
  assert.deepEqual(site('a.mapWithIndex', [arr(STRING), fn([INT, STRING], STRING)])(['a', 'b'], (i: number, x: string) => x + i), ['a0', 'b1']);
  assert.deepEqual(site('a.filter', [arr(INT), fn([INT], BOOLEAN)])([1, 2, 3, 4], (x: number) => x > 2), [3, 4]);
  assert.deepEqual(site('a.filterWithIndex', [arr(INT), fn([INT, INT], BOOLEAN)])([5, 6, 7], (i: number) => i !== 1), [5, 7]);
  const fm = site('a.filterMap', [arr(INT), fn([INT], union(STRING, NULL))]);
  assert.deepEqual(fm([1, 2, 3], (x: number) => (x === 2 ? null : `v${x}`)), ['v1', 'v3']);
  const fmi = site('a.filterMapWithIndex', [arr(INT), fn([INT, INT], union(NULL, INT))]);
  assert.deepEqual(fmi([7, 8, 9], (i: number, x: number) => (i === 0 ? null : x * i)), [8, 18]);
  assert.deepEqual(site('a.flatMap', [arr(INT), fn([INT], arr(INT))])([1, 2, 0], (x: number) => new Array(x).fill(x)), [1, 2, 2]);
  assert.deepEqual(site('a.flatMapWithIndex', [arr(STRING), fn([INT, STRING], arr(STRING))])(['a', 'b'], (i: number, x: string) => [x, `${i}`]), ['a', '0', 'b', '1']);
});

test('a.filterMap resolves B to the non-null part of the function result', () => {
  const f = byName.get('a.filterMap') as LibFunction;
  const types = matchCall(f, [arr(INT), fn([INT], union(INT, NULL))]);
  assert.deepEqual(types?.ret, arr(INT));
  const g = byName.get('a.filterMapWithIndex') as LibFunction;
  const types2 = matchCall(g, [arr(INT), fn([INT, INT], union(NULL, INT, STRING))]);
  assert.deepEqual(types2?.ret, arr(union(INT, STRING)));
});

test('a.zipmap and a.zipmapWithIndex: 2 to 4 arrays in lock-step', () => {
  const z2 = site('a.zipmap', [arr(INT), arr(STRING), fn([INT, STRING], STRING)]);
  assert.deepEqual(z2([1, 2], ['a', 'b'], (x: number, y: string) => y + x), ['a1', 'b2']);
  assert.equal(code(() => z2([1, 2], ['a'], () => '')), 15650);
  const z3 = site('a.zipmap', [arr(INT), arr(INT), arr(INT), fn([INT, INT, INT], INT)]);
  assert.deepEqual(z3([1, 2], [10, 20], [100, 200], (x: number, y: number, z: number) => x + y + z), [111, 222]);
  assert.equal(code(() => z3([1], [1], [], () => 0)), 15650);
  const z4 = site('a.zipmap', [arr(INT), arr(INT), arr(INT), arr(INT), fn([INT, INT, INT, INT], INT)]);
  assert.deepEqual(z4([1], [2], [3], [4], (a: number, b: number, c: number, d: number) => a * b * c * d), [24]);
  const w2 = site('a.zipmapWithIndex', [arr(INT), arr(INT), fn([INT, INT, INT], INT)]);
  assert.deepEqual(w2([5, 6], [7, 8], (i: number, x: number, y: number) => i * 100 + x + y), [12, 114]);
  assert.equal(code(() => w2([], [1], () => 0)), 15660);
  const w4 = site('a.zipmapWithIndex', [arr(INT), arr(INT), arr(INT), arr(INT), fn([INT, INT, INT, INT, INT], INT)]);
  assert.deepEqual(w4([1, 1], [1, 1], [1, 1], [1, 1], (i: number) => i), [0, 1]);
  assert.deepEqual(z2([], [], () => ''), []);
});

test('a.reduce, a.reduceRight, a.fold, a.foldRight accumulate in order', () => {
  const cat = (x: unknown, y: unknown) => `(${String(x)}${String(y)})`;
  const s = [arr(STRING), fn([STRING, STRING], STRING)];
  assert.equal(site('a.reduce', s)(['a', 'b', 'c'], cat), '((ab)c)');
  assert.equal(site('a.reduceRight', s)(['a', 'b', 'c'], cat), '(a(bc))');
  assert.equal(site('a.reduce', s)(['a'], cat), 'a');
  assert.equal(code(() => site('a.reduce', s)([], cat)), 15670);
  assert.equal(code(() => site('a.reduceRight', s)([], cat)), 15680);
  const fold = site('a.fold', [arr(INT), STRING, fn([STRING, INT], STRING)]);
  assert.equal(fold([1, 2], 'z', cat), '((z1)2)');
  assert.equal(fold([], 'z', cat), 'z');
  const foldRight = site('a.foldRight', [arr(INT), STRING, fn([INT, STRING], STRING)]);
  assert.equal(foldRight([1, 2], 'z', cat), '(1(2z))');
});

test('a.takeWhile, a.dropWhile, a.any, a.all, a.corresponds', () => {
  const p = [arr(INT), fn([INT], BOOLEAN)];
  const small = (x: unknown) => (x as number) < 3;
  assert.deepEqual(site('a.takeWhile', p)([1, 2, 5, 1], small), [1, 2]);
  assert.deepEqual(site('a.dropWhile', p)([1, 2, 5, 1], small), [5, 1]);
  assert.deepEqual(site('a.takeWhile', p)([], small), []);
  assert.equal(site('a.any', p)([5, 6, 1], small), true);
  assert.equal(site('a.any', p)([], small), false);
  assert.equal(site('a.all', p)([1, 2], small), true);
  assert.equal(site('a.all', p)([], small), true);
  assert.equal(site('a.all', p)([1, 7], small), false);
  const c = site('a.corresponds', [arr(INT), arr(STRING), fn([INT, STRING], BOOLEAN)]);
  const len = (x: unknown, y: unknown) => (y as string).length === x;
  assert.equal(c([1, 2], ['a', 'bb'], len), true);
  assert.equal(c([1, 2], ['a', 'b'], len), false);
  assert.equal(c([1], ['a', 'bb'], () => true), false, 'different lengths');
  const ci = site('a.correspondsWithIndex', [arr(INT), arr(INT), fn([INT, INT, INT], BOOLEAN)]);
  assert.equal(ci([0, 1], [0, 2], (i: number, x: number, y: number) => x === i && y === 2 * i), true);
  assert.equal(ci([], [1], () => true), false);
});

// ---------------------------------------------------------------------------------
// Restructuring and randomness

test('a.slidingWindow, a.combinations, a.permutations, a.flatten, a.groupby', () => {
  const sw = site('a.slidingWindow', [arr(INT), INT, INT]);
  assert.deepEqual(sw([1, 2, 3, 4, 5], 2, 2), [[1, 2], [3, 4]]);
  assert.deepEqual(sw([1, 2, 3], 2, 1), [[1, 2], [2, 3]]);
  assert.deepEqual(sw([1, 2], 3, 1), []);
  assert.equal(code(() => sw([1], 0, 0)), 15770);
  assert.equal(code(() => sw([1], 1, 0)), 15771);
  const comb = site('a.combinations', [arr(STRING), INT]);
  assert.deepEqual(comb(['a', 'b', 'c', 'd'], 2), [['a', 'b'], ['a', 'c'], ['a', 'd'], ['b', 'c'], ['b', 'd'], ['c', 'd']]);
  assert.deepEqual(comb(['a'], 2), []);
  assert.equal(code(() => comb(['a'], 0)), 15780);
  const perm = site('a.permutations', [arr(INT)]);
  assert.deepEqual(perm([1, 2, 3]), [[1, 2, 3], [1, 3, 2], [2, 1, 3], [2, 3, 1], [3, 1, 2], [3, 2, 1]]);
  assert.deepEqual(perm([]), [[]]);
  assert.deepEqual(site('a.flatten', [arr(arr(INT))])([[1], [], [2, 3]]), [1, 2, 3]);
  const groups = site('a.groupby', [arr(INT), fn([INT], STRING)])([1, 2, 3, 4, 5], (x: number) => (x % 2 ? 'odd' : '__proto__')) as Record<string, number[]>;
  assert.deepEqual(Object.keys(groups).sort(), ['__proto__', 'odd']);
  assert.deepEqual(groups.odd, [1, 3, 5]);
  assert.deepEqual(groups.__proto__, [2, 4]);
  assert.equal(Object.getPrototypeOf(groups), null);
});

/** A small deterministic generator for the shuffle tests. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('a.shuffle is a permutation drawn from the engine generator', () => {
  const input = Array.from({ length: 20 }, (_, i) => i);
  const a1 = site('a.shuffle', [arr(INT)], seeded(1))(input) as number[];
  const a2 = site('a.shuffle', [arr(INT)], seeded(1))(input) as number[];
  const b = site('a.shuffle', [arr(INT)], seeded(2))(input) as number[];
  assert.deepEqual(a1, a2, 'same seed, same order');
  assert.notDeepEqual(a1, b);
  assert.deepEqual([...a1].sort((x, y) => x - y), input);
  assert.deepEqual(input, Array.from({ length: 20 }, (_, i) => i), 'argument unchanged');
  assert.deepEqual(site('a.shuffle', [arr(INT)], () => 0.999999999)([]), []);
});

// ---------------------------------------------------------------------------------
// Immutability

test('no function modifies its arguments', () => {
  const frozen = <T>(x: T): T => Object.freeze(x);
  const a = frozen([3, 1, 2]);
  site('a.sort', [arr(INT)])(a);
  site('a.reverse', [arr(INT)])(a);
  site('a.replace', [arr(INT), INT, INT])(a, 0, 9);
  site('a.insert', [arr(INT), INT, INT])(a, 0, 9);
  site('a.append', [arr(INT), INT])(a, 9);
  site('a.cycle', [arr(INT), INT, INT])(a, 9, 2);
  site('a.subseqto', [arr(INT), INT, INT, arr(INT)])(a, 0, 1, frozen([7]));
  site('a.rotate', [arr(INT), INT])(a, 1);
  site('a.median', [arr(INT)])(a);
  site('a.mode', [arr(INT)])(a);
  site('a.ntile', [arr(INT), DOUBLE])(a, 0.3);
  site('a.maxN', [arr(INT), INT])(a, 2);
  site('a.sortLT', [arr(INT), fn([INT, INT], BOOLEAN)])(a, lt);
  site('a.shuffle', [arr(INT)], seeded(3))(a);
  assert.deepEqual(a, [3, 1, 2]);
});
