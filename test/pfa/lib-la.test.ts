// PFA library family "la" (specification §10): conformance trials run directly (official
// 1 % rule), the catalogue signatures, and algebraic checks (A·A⁻¹ = I, Moore-Penrose
// conditions, eigen-decompositions, sparse map matrices).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as la from '../../runtime/pfa/lib/la.js';
import { determinant, multiply, pseudoInverse, symmetricEigen, transpose } from '../../runtime/pfa/lib/la-core.js';
import { PfaError, type CallTypes, type LibFunction } from '../../runtime/pfa/types.js';
import { newMap } from '../../runtime/pfa/values.js';
import { PFA_DATA, runDirect } from './support/direct.js';

const FUNCTIONS = Object.values(la) as LibFunction[];
type Matrix = number[][];
type MapMatrix = Record<string, Record<string, number>>;

function conforms(fn: LibFunction): void {
  const r = runDirect('la', fn, { official: true });
  assert.ok(r.trials > 0, `no direct trials for ${fn.name}`);
  assert.deepEqual(r.failures, []);
}

const CTX = { random: Math.random, log: () => undefined };

function impl(fn: LibFunction, sig: number): (...args: never[]) => unknown {
  const types: CallTypes = { params: [], ret: { kind: 'double' }, sig };
  return fn.make(types, CTX) as (...args: never[]) => unknown;
}

function mapMatrix(rows: Record<string, Record<string, number>>): MapMatrix {
  const out = newMap<Record<string, number>>();
  for (const [r, row] of Object.entries(rows)) out[r] = Object.assign(newMap<number>(), row);
  return out;
}

function plain(m: MapMatrix): Record<string, Record<string, number>> {
  return Object.fromEntries(Object.entries(m).map(([k, v]) => [k, { ...v }]));
}

function nearMatrix(a: Matrix, b: Matrix, tol = 1e-12): void {
  assert.equal(a.length, b.length);
  a.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - b[i][j]) <= tol, `[${i}][${j}] ${v} ≠ ${b[i][j]}`)));
}

function identity(n: number): Matrix {
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
}

function throwsCode(f: () => unknown, code: number): void {
  assert.throws(f, (e: unknown) => e instanceof PfaError && e.code === code, `expected PFA error ${code}`);
}

test('la: the catalogue functions and signatures', () => {
  const catalogue = JSON.parse(readFileSync(join(PFA_DATA, 'functions.json'), 'utf8')) as { functions: { name: string; signatures: unknown }[] };
  const expected = catalogue.functions.filter((f) => f.name.startsWith('la.'));
  assert.deepEqual(FUNCTIONS.map((f) => f.name).sort(), expected.map((f) => f.name).sort());
  for (const f of expected) assert.deepEqual(FUNCTIONS.find((x) => x.name === f.name)?.sigs, f.signatures, f.name);
});

// la.map and la.zipmap take function arguments: their tests run through the engine runner.
for (const fn of [la.scale, la.add, la.sub, la.dot, la.transposeFn, la.inverseFn, la.trace, la.det, la.symmetric, la.eigenBasis, la.truncate]) {
  test(`${fn.name} conformance`, () => conforms(fn));
}

test('map and zipmap apply the function element-wise (sparse maps filled with zeros)', () => {
  const mapA = impl(la.map, 0) as (x: Matrix, f: (v: number) => number) => Matrix;
  assert.deepEqual(mapA([[1, 2], [3]], (v) => v * 10), [[10, 20], [30]]);
  const zipM = impl(la.zipmap, 1) as (x: MapMatrix, y: MapMatrix, f: (a: number, b: number) => number) => MapMatrix;
  const z = zipM(mapMatrix({ a: { x: 1 } }), mapMatrix({ b: { y: 2 } }), (p, q) => p - q);
  assert.deepEqual(plain(z), { a: { x: 1, y: 0 }, b: { x: 0, y: -2 } });
  const zipA = impl(la.zipmap, 0) as (x: Matrix, y: Matrix, f: (a: number, b: number) => number) => Matrix;
  throwsCode(() => zipA([[1, 2]], [[1]], (p, q) => p + q), 24020);
});

test('dot: matrix-vector and matrix-matrix products, dense and sparse', () => {
  const mv = impl(la.dot, 0) as (x: Matrix, y: number[]) => number[];
  assert.deepEqual(mv([[1, 2], [3, 4], [5, 6]], [1, -1]), [-1, -1, -1]);
  const mm = impl(la.dot, 2) as (x: Matrix, y: Matrix) => Matrix;
  assert.deepEqual(mm([[1, 2]], [[3], [4]]), [[11]]);
  throwsCode(() => mm([[1, 2]], [[3, 4]]), 24050);
  throwsCode(() => mm([[1, Infinity]], [[3], [4]]), 24052);
  throwsCode(() => mv([], [1]), 24051);
  const sparse = impl(la.dot, 3) as (x: MapMatrix, y: MapMatrix) => MapMatrix;
  assert.deepEqual(plain(sparse(mapMatrix({ r: { i: 2, j: 3 } }), mapMatrix({ i: { c: 1 }, j: { c: 10, d: 1 } }))), { r: { c: 32, d: 3 } });
  const sparseVec = impl(la.dot, 1) as (x: MapMatrix, y: Record<string, number>) => Record<string, number>;
  assert.deepEqual({ ...sparseVec(mapMatrix({ r: { i: 2, j: 3 }, s: { k: 1 } }), Object.assign(newMap<number>(), { i: 1, k: 5 })) }, { r: 2, s: 5 });
});

test('inverse: A·A⁻¹ = I, and the Moore-Penrose conditions for rectangular matrices', () => {
  const inv = impl(la.inverseFn, 0) as (x: Matrix) => Matrix;
  const a = [[4, 7, 2], [3, 6, 1], [2, 5, 3]];
  nearMatrix(multiply(a, inv(a)), identity(3));
  for (const m of [[[1, 2], [3, 4], [5, 6]], [[1, 0, 2, -1], [0, 1, 1, 3]], [[1, 2], [2, 4], [3, 6]]]) {
    const p = inv(m);
    assert.equal(p.length, m[0].length);
    nearMatrix(multiply(multiply(m, p), m), m, 1e-10);
    nearMatrix(multiply(multiply(p, m), p), p, 1e-10);
    const mp = multiply(m, p), pm = multiply(p, m);
    nearMatrix(mp, transpose(mp), 1e-10);
    nearMatrix(pm, transpose(pm), 1e-10);
  }
  nearMatrix(pseudoInverse([[2, 0], [0, 0]]), [[0.5, 0], [0, 0]]);
  const invMap = impl(la.inverseFn, 1) as (x: MapMatrix) => MapMatrix;
  const r = invMap(mapMatrix({ a: { x: 2 }, b: { y: 4 } }));
  assert.deepEqual(plain(r), { x: { a: 0.5, b: 0 }, y: { a: 0, b: 0.25 } });
});

test('det, trace, transpose, symmetric, truncate', () => {
  const det = impl(la.det, 0) as (x: Matrix) => number;
  assert.ok(Math.abs(det([[4, 7, 2], [3, 6, 1], [2, 5, 3]]) - 9) < 1e-12);
  assert.ok(Math.abs(det([[0, 1], [1, 0]]) + 1) < 1e-15);
  assert.ok(Number.isNaN(det([[1, NaN], [0, 1]])));
  throwsCode(() => det([[1, 2, 3], [4, 5, 6]]), 24092);
  assert.equal(determinant([[3]]), 3);
  assert.equal((impl(la.trace, 0) as (x: Matrix) => number)([[1, 2, 3], [4, 5, 6]]), 6);
  assert.deepEqual((impl(la.transposeFn, 0) as (x: Matrix) => Matrix)([[1, 2, 3], [4, 5, 6]]), [[1, 4], [2, 5], [3, 6]]);
  const sym = impl(la.symmetric, 1) as (x: MapMatrix, t: number) => boolean;
  // A sparse upper triangle is not symmetric; tolerance is a strict bound.
  assert.equal(sym(mapMatrix({ a: { a: 1, b: 2 }, b: { b: 1 } }), 0.5), false);
  assert.equal(sym(mapMatrix({ a: { a: 1, b: 2 }, b: { a: 2.25, b: 1 } }), 0.5), true);
  assert.equal(sym(mapMatrix({ a: { a: 1, b: 2 }, b: { a: 2.5, b: 1 } }), 0.5), false);
  assert.deepEqual((impl(la.truncate, 0) as (x: Matrix, k: number) => Matrix)([[1], [2], [3]], 2), [[1], [2]]);
  const truncMap = impl(la.truncate, 1) as (x: MapMatrix, keep: string[]) => MapMatrix;
  assert.deepEqual(plain(truncMap(mapMatrix({ a: { x: 1 }, b: { x: 2 } }), ['b', 'zz'])), { b: { x: 2 } });
});

test('eigenBasis: rows are eigenvectors / √eigenvalue, by decreasing eigenvalue, first component positive', () => {
  const eb = impl(la.eigenBasis, 0) as (x: Matrix) => Matrix;
  const cov = [[4, 1, 0.5], [1, 3, 0.25], [0.5, 0.25, 2]];
  const basis = eb(cov);
  // The basis whitens the covariance: B C Bᵀ = I.
  nearMatrix(multiply(multiply(basis, cov), transpose(basis)), identity(3), 1e-10);
  for (const row of basis) assert.ok(row[0] > 0);
  const norms = basis.map((row) => Math.hypot(...row));
  assert.ok(norms[0] < norms[1] && norms[1] < norms[2]);
  // Only the upper triangle given: symmetrized first, (x + xᵀ)/2.
  const upper = eb([[2, 1], [0, 2]]);
  nearMatrix(multiply(multiply(upper, [[2, 0.5], [0.5, 2]]), transpose(upper)), identity(2), 1e-12);
  const { values } = symmetricEigen([[2, 0], [0, 5]]);
  assert.deepEqual([...values].sort(), [2, 5]);
  throwsCode(() => eb([[1, 2], [3, Infinity]]), 24113);
  const ebMap = impl(la.eigenBasis, 1) as (x: MapMatrix) => MapMatrix;
  const mb = ebMap(mapMatrix({ u: { u: 4 }, v: { v: 1 } }));
  assert.deepEqual(plain(mb), { 0: { u: 0.5, v: 0 }, 1: { u: 0, v: 1 } });
});
