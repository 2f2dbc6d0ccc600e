// ComparisonMeasure distances, similarities and compare functions (runtime/pmml/models/measures.ts).
// Every expected value is worked out by hand in the comment beside it.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PmmlCompileError } from '../../runtime/pmml/el.js';
import {
  compareValues, compileMeasure, parseComparisonMeasure, parseComparisonTable, parseMatrix,
  type FieldComparison,
} from '../../runtime/pmml/models/measures.js';
import type { El } from '../../runtime/pmml/types.js';

const e = (n: string, a: Record<string, string> = {}, c: El[] = [], t?: string): El => ({ n, a, c, t });
const measureEl = (kind: string, metric: string, a: Record<string, string> = {}, ma: Record<string, string> = {}): El =>
  e('ComparisonMeasure', { kind, ...a }, [e(metric, ma)]);
const abs = (n: number, weight = 1): FieldComparison[] => Array.from({ length: n }, () => ({ compareFunction: 'absDiff' as const, weight }));
const close = (actual: number, expected: number, eps = 1e-12): void => {
  assert.ok(Math.abs(actual - expected) <= eps * Math.max(1, Math.abs(expected)), `${actual} ≠ ${expected}`);
};

test('distance metrics on (1,2,3) vs (4,6,3)', () => {
  // differences 3, 4, 0
  const x = [1, 2, 3];
  const y = [4, 6, 3];
  const m = (metric: string, ma: Record<string, string> = {}) =>
    compileMeasure(parseComparisonMeasure(measureEl('distance', metric, {}, ma), 'CM'), abs(3), 'CM');
  close(m('euclidean').compute(x, y), 5); // sqrt(9 + 16)
  close(m('squaredEuclidean').compute(x, y), 25);
  close(m('cityBlock').compute(x, y), 7);
  close(m('chebychev').compute(x, y), 4);
  close(m('minkowski', { 'p-parameter': '3' }).compute(x, y), Math.cbrt(91)); // (27 + 64)^(1/3)
  close(m('minkowski', { 'p-parameter': '1' }).compute(x, y), 7);
});

test('field weights multiply the terms', () => {
  const spec = parseComparisonMeasure(measureEl('distance', 'euclidean'), 'CM');
  const m = compileMeasure(spec, [{ compareFunction: 'absDiff', weight: 2 }, { compareFunction: 'absDiff', weight: 0.5 }], 'CM');
  close(m.compute([0, 0], [1, 2]), Math.sqrt(2 * 1 + 0.5 * 4)); // sqrt(4) = 2
  const cheb = compileMeasure(parseComparisonMeasure(measureEl('distance', 'chebychev'), 'CM'),
    [{ compareFunction: 'absDiff', weight: 3 }, { compareFunction: 'absDiff', weight: 1 }], 'CM');
  close(cheb.compute([0, 0], [1, 2]), 3); // max(3·1, 1·2)
});

test('reference vectors are read at an offset', () => {
  const m = compileMeasure(parseComparisonMeasure(measureEl('distance', 'squaredEuclidean'), 'CM'), abs(2), 'CM');
  const rows = [9, 9, 1, 1, 2, 3];
  close(m.compute([1, 1], rows, 2), 0);
  close(m.compute([1, 1], rows, 4), 5); // 1 + 4
});

test('missing values are left out and the sum adjusted', () => {
  const m = compileMeasure(parseComparisonMeasure(measureEl('distance', 'squaredEuclidean'), 'CM'), abs(3), 'CM');
  // present terms: 3² = 9 over 2 of 3 fields → 9 · 3/2 = 13.5
  close(m.compute([1, NaN, 3], [4, 6, 3]), 13.5);
  const withQ = compileMeasure(parseComparisonMeasure(measureEl('distance', 'squaredEuclidean'), 'CM'),
    [{ compareFunction: 'absDiff', missingWeight: 1 }, { compareFunction: 'absDiff', missingWeight: 3 }], 'CM');
  close(withQ.compute([1, NaN], [3, 0]), 16); // 4 · (1+3)/1
  assert.ok(Number.isNaN(m.compute([NaN, NaN, NaN], [1, 2, 3])));
});

test('compare functions', () => {
  const gauss: FieldComparison = { compareFunction: 'gaussSim', similarityScale: 2 };
  close(compareValues(gauss, 3, 1), 0.5); // exp(-ln2 · 4 / 4)
  close(compareValues(gauss, 1, 1), 1);
  assert.equal(compareValues({ compareFunction: 'delta' }, 2, 2), 0);
  assert.equal(compareValues({ compareFunction: 'delta' }, 2, 3), 1);
  assert.equal(compareValues({ compareFunction: 'equal' }, 2, 2), 1);
  assert.equal(compareValues({ compareFunction: 'equal' }, 2, 3), 0);
  const table = { size: 2, values: Float64Array.from([0, 0.7, 0.3, 0]) };
  assert.equal(compareValues({ compareFunction: 'table', table }, 0, 1), 0.7);
  assert.equal(compareValues({ compareFunction: 'table', table }, 1, 0), 0.3);

  // Mixed fields in one measure: cityBlock over absDiff, gaussSim, delta, table.
  const spec = parseComparisonMeasure(measureEl('distance', 'cityBlock'), 'CM');
  const m = compileMeasure(spec, [
    { compareFunction: 'absDiff' }, gauss, { compareFunction: 'delta' }, { compareFunction: 'table', table },
  ], 'CM');
  close(m.compute([1, 3, 5, 0], [2, 1, 6, 1]), 1 + 0.5 + 1 + 0.7);
});

test('compareFunction default comes from ComparisonMeasure', () => {
  const spec = parseComparisonMeasure(measureEl('distance', 'euclidean', { compareFunction: 'delta' }), 'CM');
  assert.equal(spec.compareFunction, 'delta');
  assert.equal(parseComparisonMeasure(measureEl('distance', 'euclidean'), 'CM').compareFunction, 'absDiff');
});

test('binary similarities', () => {
  // x = 1 1 0 0 1, y = 1 0 1 0 1 → a11 = 2, a10 = 1, a01 = 1, a00 = 1
  const x = [1, 1, 0, 0, 1];
  const y = [1, 0, 1, 0, 1];
  const m = (metric: string, ma: Record<string, string> = {}) =>
    compileMeasure(parseComparisonMeasure(measureEl('similarity', metric, {}, ma), 'CM'), abs(5), 'CM');
  close(m('simpleMatching').compute(x, y), 3 / 5);
  close(m('jaccard').compute(x, y), 2 / 4);
  close(m('tanimoto').compute(x, y), 3 / (2 + 2 * 2 + 1)); // (a11+a00)/(a11+2(a10+a01)+a00)
  const bin = m('binarySimilarity', {
    'c00-parameter': '1', 'c01-parameter': '0', 'c10-parameter': '0', 'c11-parameter': '2',
    'd00-parameter': '1', 'd01-parameter': '1', 'd10-parameter': '1', 'd11-parameter': '1',
  });
  close(bin.compute(x, y), (2 * 2 + 1) / 5);
  assert.equal(m('jaccard').better(0.9, 0.5), true);
  assert.equal(m('jaccard').kind, 'similarity');
});

test('better() follows the kind', () => {
  const d = compileMeasure(parseComparisonMeasure(measureEl('distance', 'euclidean'), 'CM'), abs(1), 'CM');
  assert.equal(d.better(1, 2), true);
  assert.equal(d.better(2, 2), false);
});

test('compile errors name the element', () => {
  assert.throws(() => parseComparisonMeasure(e('ComparisonMeasure', { kind: 'distance' }), 'M/CM'), (err: unknown) =>
    err instanceof PmmlCompileError && err.path === 'M/CM');
  assert.throws(() => parseComparisonMeasure(measureEl('near', 'euclidean'), 'M/CM'), PmmlCompileError);
  assert.throws(() => parseComparisonMeasure(measureEl('distance', 'minkowski'), 'M/CM'), (err: unknown) =>
    err instanceof PmmlCompileError && err.path === 'M/CM/minkowski');
  const spec = parseComparisonMeasure(measureEl('distance', 'euclidean'), 'CM');
  assert.throws(() => compileMeasure(spec, [{ compareFunction: 'gaussSim' }], 'CM'), PmmlCompileError);
  assert.throws(() => compileMeasure(spec, [{ compareFunction: 'table' }], 'CM'), PmmlCompileError);
});

test('matrices: any, symmetric, diagonal, MatCell', () => {
  const arr = (t: string): El => e('Array', { type: 'real' }, [], t);
  const any = parseMatrix(e('Matrix', {}, [arr('1 2'), arr('3 4')]), 'M');
  assert.deepEqual([...any.values], [1, 2, 3, 4]);
  const sym = parseMatrix(e('Matrix', { kind: 'symmetric' }, [arr('1'), arr('2 3')]), 'M');
  assert.deepEqual([...sym.values], [1, 2, 2, 3]);
  const diag = parseMatrix(e('Matrix', { kind: 'diagonal', offDiagDefault: '0' }, [arr('5 6')]), 'M');
  assert.deepEqual([...diag.values], [5, 0, 0, 6]);
  const cells = parseMatrix(e('Matrix', { nbRows: '2', nbCols: '2', diagDefault: '0', offDiagDefault: '1' }, [
    e('MatCell', { row: '1', col: '2' }, [], '0.25'),
  ]), 'M');
  assert.deepEqual([...cells.values], [0, 0.25, 1, 0]);
  const table = parseComparisonTable(e('Comparisons', {}, [e('Matrix', {}, [arr('0 1'), arr('1 0')])]), 'C');
  assert.equal(table.size, 2);
  assert.throws(() => parseComparisonTable(e('Comparisons', {}, [e('Matrix', {}, [arr('0 1 2')])]), 'C'), PmmlCompileError);
});
