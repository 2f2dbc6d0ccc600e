// PFA library family "metric" (specification §13): conformance trials run directly
// (official 1 % rule; the metrics taking a similarity function run through the engine
// runner), the catalogue signatures, and the missing-value weighting.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as mt from '../../runtime/pfa/lib/metric.js';
import { PfaError, type CallTypes, type LibFunction } from '../../runtime/pfa/types.js';
import { PFA_DATA, runDirect } from './support/direct.js';

const FUNCTIONS = Object.values(mt) as LibFunction[];
const CTX = { random: Math.random, log: () => undefined };

function impl(fn: LibFunction, sig = 0): (...args: never[]) => number {
  const types: CallTypes = { params: [], ret: { kind: 'double' }, sig };
  return fn.make(types, CTX) as (...args: never[]) => number;
}

function near(actual: number, expected: number, rel = 1e-14): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `${actual} ≠ ${expected}`);
}

function throwsCode(f: () => unknown, code: number): void {
  assert.throws(f, (e: unknown) => e instanceof PfaError && e.code === code, `expected PFA error ${code}`);
}

const absDiff = (a: number, b: number): number => Math.abs(a - b);

test('metric: the catalogue functions and signatures', () => {
  const catalogue = JSON.parse(readFileSync(join(PFA_DATA, 'functions.json'), 'utf8')) as { functions: { name: string; signatures: unknown }[] };
  const expected = catalogue.functions.filter((f) => f.name.startsWith('metric.'));
  assert.deepEqual(FUNCTIONS.map((f) => f.name).sort(), expected.map((f) => f.name).sort());
  for (const f of expected) assert.deepEqual(FUNCTIONS.find((x) => x.name === f.name)?.sigs, f.signatures, f.name);
});

for (const fn of [mt.simpleEuclidean, mt.absDiff, mt.gaussianSimilarity, mt.simpleMatching, mt.jaccard, mt.tanimoto, mt.binarySimilarity]) {
  test(`${fn.name} conformance`, () => {
    const r = runDirect('metric', fn, { official: true });
    assert.ok(r.trials > 0);
    assert.deepEqual(r.failures, []);
  });
}

test('vector metrics without missing values', () => {
  const x = [1, 2, 3], y = [4, 6, 3];
  near(impl(mt.euclidean)(absDiff as never, x as never, y as never), 5);
  near(impl(mt.squaredEuclidean)(absDiff as never, x as never, y as never), 25);
  near(impl(mt.taxicab)(absDiff as never, x as never, y as never), 7);
  near(impl(mt.chebyshev)(absDiff as never, x as never, y as never), 4);
  near(impl(mt.minkowski)(absDiff as never, x as never, y as never, 3 as never), Math.cbrt(27 + 64));
  near(impl(mt.minkowski)(absDiff as never, x as never, y as never, Infinity as never), 4);
  near(impl(mt.simpleEuclidean)(x as never, y as never), 5);
  near(impl(mt.gaussianSimilarity)(1 as never, 3 as never, 2 as never), 0.5);
});

test('missing values rescale by Σq / Σ(present q); all missing gives NaN', () => {
  const x = [1, null, 3], y = [4, 5, null];
  // Only component 0 is present: 3² · 3/1.
  near(impl(mt.squaredEuclidean)(absDiff as never, x as never, y as never), 27);
  // Weights (1, 2, 1): 3² · 4/1.
  near(impl(mt.squaredEuclidean, 1)(absDiff as never, x as never, y as never, [1, 2, 1] as never), 36);
  near(impl(mt.taxicab, 1)(absDiff as never, [1, 2] as never, [2, null] as never, [3, 1] as never), 4 / 3);
  assert.ok(Number.isNaN(impl(mt.euclidean)(absDiff as never, [null] as never, [1] as never)));
  assert.ok(Number.isNaN(impl(mt.euclidean)(absDiff as never, [] as never, [] as never)));
  throwsCode(() => impl(mt.euclidean)(absDiff as never, [1] as never, [1, 2] as never), 28030);
  throwsCode(() => impl(mt.euclidean, 1)(absDiff as never, [1] as never, [1] as never, [1, 1] as never), 28030);
  // Dimensions are checked first, then p (zero, negative and NaN are not positive).
  throwsCode(() => impl(mt.minkowski)(absDiff as never, [1] as never, [] as never, 0 as never), 28070);
  throwsCode(() => impl(mt.minkowski)(absDiff as never, [1] as never, [1] as never, 0 as never), 28071);
  throwsCode(() => impl(mt.minkowski)(absDiff as never, [1] as never, [1] as never, NaN as never), 28071);
});

test('the similarity receives the non-null components, of any type', () => {
  const seen: unknown[] = [];
  const sim = (a: unknown, b: unknown): number => {
    seen.push([a, b]);
    return (a as string).length + (b as number[]).length;
  };
  near(impl(mt.euclidean)(sim as never, ['ab', null, 'c'] as never, [[1], [2], [3, 4]] as never), Math.sqrt((9 + 9) * 1.5));
  assert.deepEqual(seen, [['ab', [1]], ['c', [3, 4]]]);
});

test('binary similarities', () => {
  const x = [true, true, false, false, true], y = [true, false, true, false, false];
  // a11 = 1, a10 = 2, a01 = 1, a00 = 1.
  near(impl(mt.simpleMatching)(x as never, y as never), 2 / 5);
  near(impl(mt.jaccard)(x as never, y as never), 1 / 4);
  near(impl(mt.tanimoto)(x as never, y as never), 2 / 8);
  near(impl(mt.binarySimilarity)(x as never, y as never, ...([1, 0, 0, 1, 1, 1, 1, 1] as never[])), 2 / 5);
  throwsCode(() => impl(mt.jaccard)([true] as never, [] as never), 28090);
});
