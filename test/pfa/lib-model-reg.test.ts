// PFA library family "model.reg" (specification §26.1, regression): catalogue signatures, the conformance
// suite (direct where the action only passes input fields, compiled through the front
// end otherwise) and unit tests of formulas, edge cases and error codes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as reg from '../../runtime/pfa/lib/model-reg.js';
import { parseType } from '../../runtime/pfa/avro.js';
import { PfaError, type LibFunction, type PfaType } from '../../runtime/pfa/types.js';
import { newMap } from '../../runtime/pfa/values.js';
import { matchCall } from '../../src/frontends/pfa/signatures.js';
import { loadEngine, runAction, sameJson } from '../conformance/pfa-case.js';
import { familyTests, PFA_DATA, runDirect, type FunctionTest } from './support/direct.js';

const FAMILY = 'model.reg';
const ALL = Object.values(reg).filter((v): v is LibFunction => typeof v === 'object' && v !== null && 'make' in v);
/** Deprecated catalogue entries not provided (renamed to stat.test.* before PFA 0.8.1). */
const DEPRECATED = new Set<string>(['model.reg.residual', 'model.reg.pull', 'model.reg.mahalanobis', 'model.reg.updateChi2', 'model.reg.reducedChi2', 'model.reg.chi2Prob']);

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

function near(actual: number, expected: number, rel = 1e-12): void {
  assert.ok(Math.abs(actual - expected) <= 1e-300 + rel * Math.abs(expected), `${actual} is not ${expected}`);
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

const D: PfaType = { kind: 'double' };
const VEC: PfaType = { kind: 'array', items: D };
const MAT: PfaType = { kind: 'array', items: VEC };
const MAP: PfaType = { kind: 'map', values: D };
const MAPMAP: PfaType = { kind: 'map', values: MAP };
const m = (o: Record<string, unknown>) => rec(o);
const model = (name: string, fields: Record<string, unknown>): PfaType => T({ type: 'record', name, fields: Object.entries(fields).map(([n, type]) => ({ name: n, type })) });
const jsonOf = (t: PfaType): unknown => (t.kind === 'array' ? { type: 'array', items: jsonOf(t.items) } : t.kind === 'map' ? { type: 'map', values: jsonOf(t.values) } : t.kind);

conformance(
  { 'model.reg.linear': [6, 1251], 'model.reg.linearVariance': [6, 198] },
  { 'model.reg.gaussianProcess': [8, 4932] },
);

// ------------------------------------------------------------------ linear

test('linear: dense vector and matrix models (31000, 31001)', () => {
  const f = impl(reg.linear, [VEC, model('L1', { coeff: jsonOf(VEC), const: 'double' })]);
  assert.equal(f([1, 2, 3], rec({ coeff: [0.5, -1, 2], const: 10 })), 0.5 - 2 + 6 + 10);
  throwsCode(() => f([1, 2], rec({ coeff: [1], const: 0 })), 31000);
  const g = impl(reg.linear, [VEC, model('L2', { coeff: jsonOf(MAT), const: jsonOf(VEC) })]);
  assert.deepEqual(g([1, 2], rec({ coeff: [[1, 1], [2, -1], [0, 3]], const: [0, 1, 2] })), [3, 1, 8]);
  assert.deepEqual(g([1, 2], rec({ coeff: [], const: [] })), []);
  throwsCode(() => g([1, 2], rec({ coeff: [[1, 1], [2]], const: [0, 1] })), 31000);
  throwsCode(() => g([1, 2], rec({ coeff: [[1, 1]], const: [0, 1] })), 31001);
  throwsCode(() => g([1, 2], rec({ coeff: [[1]], const: [0, 1] })), 31001); // const is checked first
});

test('linear: sparse map models, missing entries are zero', () => {
  const f = impl(reg.linear, [MAP, model('L3', { coeff: jsonOf(MAP), const: 'double' })]);
  assert.equal(f(m({ a: 1, b: 2, c: 5 }), rec({ coeff: m({ a: 3, b: -1, z: 100 }), const: 0.5 })), 3 - 2 + 0.5);
  const g = impl(reg.linear, [MAP, model('L4', { coeff: jsonOf(MAPMAP), const: jsonOf(MAP) })]);
  const out = g(m({ a: 1, b: 2 }), rec({ coeff: m({ y: m({ a: 2, b: 1 }), z: m({ b: 4 }) }), const: m({ z: 1, w: 7 }) })) as Record<string, number>;
  assert.deepEqual({ ...out }, { y: 4, z: 9, w: 7 });
  assert.equal(Object.getPrototypeOf(out), null);
  // A missing coefficient is a zero: 0 · ∞ is NaN, as in the dense product.
  assert.ok(Number.isNaN(f(m({ a: Infinity }), rec({ coeff: m({}), const: 0 }))));
});

// ------------------------------------------------------------------ linearVariance

test('linearVariance: oᵀ C o with o = (datum, 1), one or several matrices (31010)', () => {
  const f = impl(reg.linearVariance, [VEC, model('V1', { covar: jsonOf(MAT) })]);
  const c = [[1, 2, 3], [4, 5, 6], [7, 8, 9]];
  assert.equal(f([1, 2], rec({ covar: c })), 80);
  assert.equal(f([], rec({ covar: [[2.5]] })), 2.5);
  throwsCode(() => f([1, 2], rec({ covar: [[1, 2], [3, 4]] })), 31010);
  throwsCode(() => f([1, 2], rec({ covar: [[1, 2, 3], [4, 5, 6], [7, 8]] })), 31010);
  const g = impl(reg.linearVariance, [VEC, model('V2', { covar: jsonOf({ kind: 'array', items: MAT }) })]);
  assert.deepEqual(g([1, 2], rec({ covar: [c, [[1, 0, 0], [0, 1, 0], [0, 0, 1]]] })), [80, 6]);
  throwsCode(() => g([1, 2], rec({ covar: [c, [[1]]] })), 31010);
});

test('linearVariance: sparse maps with the constant under the key ""', () => {
  const f = impl(reg.linearVariance, [MAP, model('V3', { covar: jsonOf(MAPMAP) })]);
  const c = m({ a: m({ a: 1, b: 2, '': 3 }), b: m({ a: 4, b: 5, '': 6 }), '': m({ a: 7, b: 8, '': 9 }) });
  assert.equal(f(m({ a: 1, b: 2 }), rec({ covar: c })), 80);
  assert.equal(f(m({}), rec({ covar: m({ '': m({ '': 2 }) }) })), 2);
  assert.equal(f(m({ a: 3 }), rec({ covar: m({ a: m({ a: 2 }) }) })), 18);
  const g = impl(reg.linearVariance, [MAP, model('V4', { covar: jsonOf({ kind: 'map', values: MAPMAP }) })]);
  assert.deepEqual({ ...g(m({ a: 1, b: 2 }), rec({ covar: m({ p: c, q: m({}) }) })) }, { p: 80, q: 0 });
});

// ------------------------------------------------------------------ gaussianProcess

const KERNEL: PfaType = { kind: 'function', params: [VEC, VEC], ret: D };
const KW: PfaType = { kind: 'union', types: [{ kind: 'null' }, D] };
const rbf = (gamma: number) => (x: number[], y: number[]) => Math.exp(-gamma * x.reduce((s, v, i) => s + (v - y[i]) ** 2, 0));
const row = (name: string, x: unknown, to: unknown, sigma?: unknown): PfaType =>
  model(name, sigma === undefined ? { x, to } : { x, to, sigma });
const gp = (x: PfaType, r: PfaType) => impl(reg.gaussianProcess, [x, { kind: 'array', items: r }, KW, KERNEL]);
const SCALAR = row('GpScalar', 'double', 'double');
const SCALAR_SIGMA = row('GpScalarSigma', 'double', 'double', 'double');
const VECTOR = row('GpVector', jsonOf(VEC), jsonOf(VEC));
const SCALAR_OF_VECTOR = row('GpScalarOfVector', jsonOf(VEC), 'double');
const table = [0, 1, 2, 3, 4, 5].map((x) => rec({ x, to: Math.sin(x) + 0.1 * x + 2 }));

test('gaussianProcess interpolates the table without a nugget', () => {
  const f = gp(D, SCALAR);
  for (const r of table) near(f(r.x, table, null, rbf(1)), r.to as number, 1e-8);
});

test('gaussianProcess: far from the table, the prediction is the trend (estimated or krigingWeight)', () => {
  const f = gp(D, SCALAR);
  const far = f(1e6, table, null, rbf(1)) as number;
  const ys = table.map((r) => r.to as number);
  assert.ok(far > Math.min(...ys) && far < Math.max(...ys), 'the estimated trend is a weighted mean of the outputs');
  near(f(1e6, table, 0.75, rbf(1)), 0.75, 1e-9);
  near(f(1e6, table, -3, rbf(1)), -3, 1e-9);
  // At a training point the krigingWeight does not matter (interpolation).
  near(f(2, table, 0.75, rbf(1)), table[2].to as number, 1e-8);
});

test('gaussianProcess: sigma adds a nugget 1 + (sigma/to)² on the diagonal (smoothing)', () => {
  const f = gp(D, SCALAR_SIGMA);
  const noisy = table.map((r) => rec({ ...r, sigma: 0.5 }));
  const at2 = f(2, noisy, null, rbf(1)) as number;
  assert.ok(Math.abs(at2 - (table[2].to as number)) > 1e-3, 'no longer interpolates');
  const zero = table.map((r) => rec({ ...r, sigma: 0 }));
  near(f(2, zero, null, rbf(1)), table[2].to as number, 1e-8);
});

test('gaussianProcess: vector x and vector outputs are fitted component by component', () => {
  const vec = gp(VEC, VECTOR), scalarOfVector = gp(VEC, SCALAR_OF_VECTOR);
  const t2 = [[0, 0], [1, 0], [0, 1], [1, 1], [2, 1]].map(([a, b]) => rec({ x: [a, b], to: [a + b, a * b + 1] }));
  const out = vec([0.5, 0.25], t2, null, rbf(0.5)) as number[];
  for (let o = 0; o < 2; o++) {
    const single = t2.map((r) => rec({ x: r.x, to: (r.to as number[])[o] }));
    near(out[o], scalarOfVector([0.5, 0.25], single, null, rbf(0.5)) as number, 1e-12);
  }
  // A scalar x is a one-component vector.
  const oneD = table.map((r) => rec({ x: [r.x], to: r.to }));
  near(scalarOfVector([2.5], oneD, null, rbf(1)), gp(D, SCALAR)(2.5, table, null, rbf(1)), 1e-12);
});

test('gaussianProcess: a one-entry table predicts its value', () => {
  near(gp(D, SCALAR)(7, [rec({ x: 1, to: 3.5 })], null, rbf(1)), 3.5, 1e-12);
});

test('gaussianProcess agrees with the reference for scalar outputs (universal Kriging)', () => {
  for (const t of familyTests(FAMILY)) {
    if (t.id !== 'pfa-test-6760' && t.id !== 'pfa-test-6762') continue;
    const e = loadEngine(JSON.stringify(t.engine), t.id);
    const engine = e.create();
    for (const tr of t.trials) {
      if ((tr.sample as Record<string, unknown>).krigingWeight !== null) continue;
      const out = runAction(e, engine, tr.sample);
      assert.ok(out.ok && sameJson(tr.result, out.value, false), `${t.id}: ${JSON.stringify(out)} vs ${JSON.stringify(tr.result)}`);
    }
  }
});

test('gaussianProcess errors 31080-31088', () => {
  const f = gp(D, SCALAR), v = gp(VEC, VECTOR), s = gp(D, SCALAR_SIGMA);
  const k = rbf(1);
  throwsCode(() => f(1, [], null, k), 31080);
  throwsCode(() => v([], [rec({ x: [], to: [1] })], null, k), 31081);
  throwsCode(() => v([1], [rec({ x: [1, 2], to: [1] })], null, k), 31082);
  throwsCode(() => v([1], [rec({ x: [1], to: [] })], null, k), 31083);
  throwsCode(() => v([1], [rec({ x: [1], to: [1] }), rec({ x: [2], to: [1, 2] })], null, k), 31084);
  throwsCode(() => v([1], [rec({ x: [1], to: [1] }), rec({ x: [2], to: [] })], null, k), 31084);
  throwsCode(() => f(NaN, table, null, k), 31085);
  throwsCode(() => v([1, Infinity], [rec({ x: [1, 2], to: [1] })], null, k), 31085);
  throwsCode(() => f(1, [rec({ x: 1, to: Infinity })], null, k), 31086);
  throwsCode(() => s(1, [rec({ x: 1, to: 1, sigma: NaN })], null, k), 31086);
  throwsCode(() => f(1, table, Infinity, k), 31087);
  throwsCode(() => f(1, [rec({ x: 0, to: 1 }), rec({ x: 0, to: 2 })], null, () => 2), 31088);
  throwsCode(() => f(1, table, null, () => NaN), 31088);
});
