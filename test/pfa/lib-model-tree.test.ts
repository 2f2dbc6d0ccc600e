// PFA library family "model.tree" (specification §26.2, trees): catalogue signatures, the conformance
// suite (direct where the action only passes input fields, compiled through the front
// end otherwise) and unit tests of formulas, edge cases and error codes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tree from '../../runtime/pfa/lib/model-tree.js';
import { parseType } from '../../runtime/pfa/avro.js';
import { PfaError, type LibFunction, type PfaType } from '../../runtime/pfa/types.js';
import { newMap } from '../../runtime/pfa/values.js';
import { matchCall } from '../../src/frontends/pfa/signatures.js';
import { loadEngine, runAction, sameJson } from '../conformance/pfa-case.js';
import { familyTests, PFA_DATA, runDirect, type FunctionTest } from './support/direct.js';

const FAMILY = 'model.tree';
const ALL = Object.values(tree).filter((v): v is LibFunction => typeof v === 'object' && v !== null && 'make' in v);
/** Deprecated catalogue entries not provided (renamed to stat.test.* before PFA 0.8.1). */
const DEPRECATED = new Set<string>([]);

// ------------------------------------------------------------------ helpers

function catalogue(): Map<string, unknown> {
  const json = JSON.parse(readFileSync(join(PFA_DATA, 'functions.json'), 'utf8')) as { functions: { name: string; signatures: unknown }[] };
  return new Map(json.functions.map((f) => [f.name, f.signatures]));
}

/** Whether runDirect can run the test (its action passes only input fields). */
function isDirect(t: FunctionTest, name: string): boolean {
  const args = (t.engine.action as Record<string, unknown>)[name];
  return (Array.isArray(args) ? args : [args]).every((x) => typeof x === 'string' && x.startsWith('input.'));
}

/** The function's conformance tests compiled through the front end (as the runner does). */
function runCompiled(fn: LibFunction): { tests: number; trials: number; passed: number; failures: string[] } {
  let tests = 0, trials = 0, passed = 0;
  const failures: string[] = [];
  for (const t of familyTests(FAMILY)) {
    if (t.function !== fn.name || isDirect(t, fn.name)) continue;
    tests++;
    let e;
    try {
      e = loadEngine(JSON.stringify(t.engine), t.id);
    } catch (err) {
      failures.push(`${t.id}: compile: ${(err as Error).message}`);
      continue;
    }
    const engine = e.create();
    for (const tr of t.trials) {
      if (tr.titus_status !== undefined) continue;
      trials++;
      const out = runAction(e, engine, tr.sample);
      const ok = tr.error !== undefined ? !out.ok && out.code === tr.error
        : out.ok && (tr.nondeterministic === 'pseudorandom' || tr.nondeterministic === 'unstable' || sameJson(tr.result, out.value, false));
      if (ok) passed++;
      else failures.push(`${t.id} ${JSON.stringify(tr.sample).slice(0, 100)}: ${JSON.stringify(out).slice(0, 200)}`);
    }
  }
  return { tests, trials, passed, failures };
}

const names = new Map<string, PfaType>();
const T = (json: unknown): PfaType => parseType(json, names);

/** The implementation at a call site with these argument types (results loosely typed for tests). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Impl = (...args: any[]) => any;
function impl(fn: LibFunction, args: readonly PfaType[], random: () => number = Math.random): Impl {
  const types = matchCall(fn, args);
  assert.ok(types, `${fn.name} does not accept (${args.map((a) => a.kind).join(', ')})`);
  return fn.make(types, { random, log: () => undefined }) as Impl;
}

function rec(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.assign(newMap(), fields);
}

function throwsCode(f: () => unknown, code: number): void {
  assert.throws(f, (e: unknown) => e instanceof PfaError && e.code === code, `expected PFA error ${code}`);
}


/** Catalogue signatures, then the suite: direct where possible, compiled for the rest. */
function conformance(direct: Record<string, [number, number]>, compiled: Record<string, [number, number]>): void {
  test(`every ${FAMILY} function is implemented with the catalogue signatures`, () => {
    const cat = catalogue();
    const expected = [...cat.keys()].filter((n) => n.startsWith(`${FAMILY}.`) && !DEPRECATED.has(n)).sort();
    assert.deepEqual(ALL.map((f) => f.name).sort(), expected);
    for (const fn of ALL) assert.deepEqual(fn.sigs, cat.get(fn.name), fn.name);
  });
  for (const [name, [tests, trials]] of Object.entries(direct)) {
    test(`${name} conformance, direct (${tests} tests, ${trials} trials)`, () => {
      const r = runDirect(FAMILY, ALL.find((f) => f.name === name) as LibFunction);
      assert.deepEqual(r.failures, []);
      assert.equal(r.tests, tests);
      assert.equal(r.trials, trials);
      assert.equal(r.passed, trials);
    });
  }
  for (const [name, [tests, trials]] of Object.entries(compiled)) {
    test(`${name} conformance, compiled (${tests} tests, ${trials} trials)`, () => {
      const r = runCompiled(ALL.find((f) => f.name === name) as LibFunction);
      assert.deepEqual(r.failures, []);
      assert.equal(r.tests, tests);
      assert.equal(r.passed, trials);
    });
  }
}

const fnType = (params: PfaType[], ret: PfaType): PfaType => ({ kind: 'function', params, ret });
const BOOL: PfaType = { kind: 'boolean' };
const NULL_BOOL: PfaType = { kind: 'union', types: [{ kind: 'null' }, BOOL] };

// Datum: {one: int, two: [null, double], three: string, four: Color, five: map<int>}
const DATUM = T({
  type: 'record', name: 'Datum', fields: [
    { name: 'one', type: 'int' }, { name: 'two', type: ['null', 'double'] }, { name: 'three', type: 'string' },
    { name: 'four', type: { type: 'enum', name: 'Color', symbols: ['red', 'green', 'blue'] } },
    { name: 'five', type: { type: 'map', values: 'int' } },
  ],
});
const FIELDS = { type: 'enum', name: 'DatumFields', symbols: ['one', 'two', 'three', 'four', 'five'] };
const CMP = T({
  type: 'record', name: 'Cmp', fields: [
    { name: 'field', type: FIELDS }, { name: 'operator', type: 'string' },
    { name: 'value', type: ['null', 'int', 'double', 'string', { type: 'array', items: 'string' }, { type: 'map', values: 'int' }] },
  ],
});
const CMP_NUMS = T({ type: 'record', name: 'CmpNums', fields: [{ name: 'field', type: 'DatumFields' }, { name: 'operator', type: 'string' }, { name: 'value', type: { type: 'array', items: 'double' } }] });
const datum = rec({ one: 3, two: null, three: 'HAL', four: 'green', five: Object.assign(newMap(), { a: 1 }) });
const cmp = (field: string, operator: string, value: unknown) => rec({ field, operator, value });

// ------------------------------------------------------------------ catalogue and conformance

conformance(
  { 'model.tree.simpleTest': [5, 18944], 'model.tree.missingTest': [4, 16832], 'model.tree.simpleTree': [41, 2355] },
  { 'model.tree.compoundTest': [2, 529], 'model.tree.surrogateTest': [1, 176], 'model.tree.simpleWalk': [11, 631], 'model.tree.missingWalk': [9, 389] },
);

// ------------------------------------------------------------------ simpleTest / missingTest

test('simpleTest: numbers compare numerically across int and double', () => {
  const f = impl(tree.simpleTest, [DATUM, CMP]);
  assert.equal(f(datum, cmp('one', '<', 3.5)), true);
  assert.equal(f(datum, cmp('one', '==', 3)), true);
  assert.equal(f(datum, cmp('one', '==', 3.0)), true);
  assert.equal(f(datum, cmp('one', '!=', 3)), false);
  assert.equal(f(datum, cmp('one', '>=', 3)), true);
  assert.equal(f(datum, cmp('one', '>', 2.999)), true);
  assert.equal(f(datum, cmp('one', '<=', -1)), false);
});

test('simpleTest: strings, enums (symbol order) and maps (equality only)', () => {
  const f = impl(tree.simpleTest, [DATUM, CMP]);
  assert.equal(f(datum, cmp('three', '==', 'HAL')), true);
  assert.equal(f(datum, cmp('three', '<', 'IBM')), true);
  assert.equal(f(datum, cmp('three', '>', 'IBM')), false);
  // An enum field is not upcast to string.
  throwsCode(() => f(datum, cmp('four', '==', 'green')), 32001);
  const m = Object.assign(newMap(), { a: 1 });
  assert.equal(f(datum, cmp('five', '==', m)), true);
  assert.equal(f(datum, cmp('five', '!=', m)), false);
  throwsCode(() => f(datum, cmp('five', '<', m)), 32001);
});

test('simpleTest: enum fields compare with enum values of the same type, by symbol index', () => {
  const cmpEnum = T({ type: 'record', name: 'CmpEnum', fields: [{ name: 'field', type: 'DatumFields' }, { name: 'operator', type: 'string' }, { name: 'value', type: 'Color' }] });
  const f = impl(tree.simpleTest, [DATUM, cmpEnum]);
  assert.equal(f(datum, cmp('four', '==', 'green')), true);
  assert.equal(f(datum, cmp('four', '<', 'blue')), true);
  assert.equal(f(datum, cmp('four', '>', 'red')), true);
  throwsCode(() => f(datum, cmp('one', '==', 'red')), 32001);
});

test('simpleTest: in / notIn test membership in an array value', () => {
  const f = impl(tree.simpleTest, [DATUM, CMP]);
  assert.equal(f(datum, cmp('three', 'in', ['IBM', 'HAL'])), true);
  assert.equal(f(datum, cmp('three', 'notIn', ['IBM', 'HAL'])), false);
  assert.equal(f(datum, cmp('three', 'in', [])), false);
  throwsCode(() => f(datum, cmp('one', 'in', ['3'])), 32001);
  throwsCode(() => f(datum, cmp('three', 'in', 'HAL')), 32001);
  const g = impl(tree.simpleTest, [DATUM, CMP_NUMS]);
  assert.equal(g(datum, cmp('one', 'in', [1.5, 3])), true);
  assert.equal(g(datum, cmp('one', 'notIn', [1.5, 2.5])), true);
  throwsCode(() => g(datum, cmp('three', 'in', [1])), 32001);
});

test('simpleTest: constant and missing-value operators ignore the value', () => {
  const f = impl(tree.simpleTest, [DATUM, CMP]);
  assert.equal(f(datum, cmp('one', 'alwaysTrue', null)), true);
  assert.equal(f(datum, cmp('one', 'alwaysFalse', 'x')), false);
  assert.equal(f(datum, cmp('two', 'isMissing', null)), true);
  assert.equal(f(datum, cmp('two', 'notMissing', null)), false);
  assert.equal(f(rec({ ...datum, two: 2.5 }), cmp('two', 'isMissing', 0)), false);
});

test('simpleTest: null against null compares equal; null against a number is a bad type', () => {
  const f = impl(tree.simpleTest, [DATUM, CMP]);
  assert.equal(f(datum, cmp('two', '<=', null)), true);
  assert.equal(f(datum, cmp('two', '==', null)), true);
  throwsCode(() => f(datum, cmp('two', '<', 1.0)), 32001);
  throwsCode(() => f(datum, cmp('one', '<', null)), 32001);
  assert.equal(f(rec({ ...datum, two: 2.5 }), cmp('two', '<', 3)), true);
});

test('simpleTest: invalid operator (32000) and bad value type (32001)', () => {
  const f = impl(tree.simpleTest, [DATUM, CMP]);
  throwsCode(() => f(datum, cmp('one', '=~', 1)), 32000);
  throwsCode(() => f(datum, cmp('one', '<', 'hello')), 32001);
  throwsCode(() => f(datum, cmp('three', '==', 3)), 32001);
});

test('missingTest: null for a missing field, otherwise like simpleTest (codes 32010, 32011)', () => {
  const f = impl(tree.missingTest, [DATUM, CMP]);
  assert.equal(f(datum, cmp('two', '<', 1.0)), null);
  assert.equal(f(rec({ ...datum, two: 0.5 }), cmp('two', '<', 1.0)), true);
  assert.equal(f(datum, cmp('three', 'in', ['HAL'])), true);
  throwsCode(() => f(datum, cmp('two', 'isMissing', null)), 32010);
  throwsCode(() => f(datum, cmp('one', '<', 'x')), 32011);
});

// ------------------------------------------------------------------ compoundTest / surrogateTest

test('compoundTest: and / or stop as soon as the result is certain, xor counts', () => {
  const f = impl(tree.compoundTest, [DATUM, { kind: 'string' }, { kind: 'array', items: CMP }, fnType([DATUM, CMP], BOOL)]);
  const calls: unknown[] = [];
  const t = (_d: unknown, c: Record<string, unknown>) => {
    calls.push(c.value);
    return c.value as boolean;
  };
  const cs = [true, false, true].map((v) => cmp('one', '==', v));
  assert.equal(f(datum, 'and', cs, t), false);
  assert.deepEqual(calls.splice(0), [true, false]);
  assert.equal(f(datum, 'or', cs, t), true);
  assert.deepEqual(calls.splice(0), [true]);
  assert.equal(f(datum, 'xor', cs, t), false);
  assert.deepEqual(calls.splice(0), [true, false, true]);
  assert.equal(f(datum, 'and', [], t), true);
  assert.equal(f(datum, 'or', [], t), false);
  assert.equal(f(datum, 'xor', [], t), false);
  throwsCode(() => f(datum, 'nand', cs, t), 32020);
});

test('surrogateTest: the first non-null result; 32030 when all are null', () => {
  const f = impl(tree.surrogateTest, [DATUM, { kind: 'array', items: CMP }, fnType([DATUM, CMP], NULL_BOOL)]);
  const t = (_d: unknown, c: Record<string, unknown>) => c.value as boolean | null;
  assert.equal(f(datum, [null, false, true].map((v) => cmp('one', '==', v)), t), false);
  assert.equal(f(datum, [null, true].map((v) => cmp('one', '==', v)), t), true);
  throwsCode(() => f(datum, [null, null].map((v) => cmp('one', '==', v)), t), 32030);
  throwsCode(() => f(datum, [], t), 32030);
});

// ------------------------------------------------------------------ walks

const NODE_S = T({
  type: 'record', name: 'NodeS', fields: [
    { name: 'field', type: 'DatumFields' }, { name: 'operator', type: 'string' }, { name: 'value', type: ['int', 'double', 'string'] },
    { name: 'pass', type: ['string', 'NodeS'] }, { name: 'fail', type: ['string', 'NodeS'] },
  ],
});
// Scores that are records with the same field names as the tree nodes.
const LOOKALIKE = T({ type: 'record', name: 'Leaf', fields: [{ name: 'pass', type: 'string' }, { name: 'fail', type: 'string' }] });
const NODE_R = T({
  type: 'record', name: 'NodeR', fields: [
    { name: 'pass', type: ['NodeR', 'Leaf'] }, { name: 'fail', type: ['NodeR', 'Leaf'] },
  ],
});

function sampleTree(): Record<string, unknown> {
  return rec({
    field: 'one', operator: '<', value: 12,
    pass: rec({ field: 'three', operator: '==', value: 'HAL', pass: 'yes-yes', fail: 'yes-no' }),
    fail: rec({ field: 'two', operator: 'isMissing', value: 0, pass: 'no-missing', fail: 'no-present' }),
  });
}

test('simpleWalk follows pass/fail until a score (score branch first in the union)', () => {
  const walk = impl(tree.simpleWalk, [DATUM, NODE_S, fnType([DATUM, NODE_S], BOOL)]);
  const st = impl(tree.simpleTest, [DATUM, NODE_S]);
  assert.equal(walk(datum, sampleTree(), st), 'yes-yes');
  assert.equal(walk(rec({ ...datum, three: 'IBM' }), sampleTree(), st), 'yes-no');
  assert.equal(walk(rec({ ...datum, one: 20 }), sampleTree(), st), 'no-missing');
  assert.equal(walk(rec({ ...datum, one: 20, two: 1 }), sampleTree(), st), 'no-present');
});

test('simpleWalk tells nodes from record scores with the same field names', () => {
  const walk = impl(tree.simpleWalk, [DATUM, NODE_R, fnType([DATUM, NODE_R], BOOL)]);
  const leaf = (s: string) => rec({ pass: s, fail: s });
  const root = rec({ pass: rec({ pass: leaf('a'), fail: leaf('b') }), fail: leaf('c') });
  let answers = [true, false];
  const t = () => answers.shift() as boolean;
  assert.deepEqual({ ...walk(datum, root, t) }, { pass: 'b', fail: 'b' });
  answers = [false];
  assert.deepEqual({ ...walk(datum, root, t) }, { pass: 'c', fail: 'c' });
  assert.equal(LOOKALIKE.kind, 'record');
});

test('missingWalk takes the missing branch when the test returns null', () => {
  const NODE_M = T({
    type: 'record', name: 'NodeM', fields: [
      { name: 'field', type: 'DatumFields' }, { name: 'operator', type: 'string' }, { name: 'value', type: 'double' },
      { name: 'pass', type: ['NodeM', 'double'] }, { name: 'fail', type: ['NodeM', 'double'] }, { name: 'missing', type: ['NodeM', 'double'] },
    ],
  });
  const walk = impl(tree.missingWalk, [DATUM, NODE_M, fnType([DATUM, NODE_M], NULL_BOOL)]);
  const mt = impl(tree.missingTest, [DATUM, NODE_M]);
  const root = rec({
    field: 'two', operator: '<', value: 1, pass: 1.5, fail: 2.5,
    missing: rec({ field: 'one', operator: '>', value: 2, pass: 3.5, fail: 4.5, missing: 5.5 }),
  });
  assert.equal(walk(datum, root, mt), 3.5);
  assert.equal(walk(rec({ ...datum, one: 0 }), root, mt), 4.5);
  assert.equal(walk(rec({ ...datum, two: 0.5 }), root, mt), 1.5);
  assert.equal(walk(rec({ ...datum, two: 7 }), root, mt), 2.5);
});

test('simpleTree = simpleWalk + simpleTest, with its own error codes (32060, 32061)', () => {
  const f = impl(tree.simpleTree, [DATUM, NODE_S]);
  assert.equal(f(datum, sampleTree()), 'yes-yes');
  assert.equal(f(rec({ ...datum, one: 20, two: 1 }), sampleTree()), 'no-present');
  throwsCode(() => f(datum, rec({ ...sampleTree(), operator: '<>' })), 32060);
  throwsCode(() => f(datum, rec({ ...sampleTree(), value: 'twelve' })), 32061);
});

test('walks do not modify the tree', () => {
  const f = impl(tree.simpleTree, [DATUM, NODE_S]);
  const t = sampleTree();
  const before = JSON.stringify(t);
  f(datum, t);
  assert.equal(JSON.stringify(t), before);
});
