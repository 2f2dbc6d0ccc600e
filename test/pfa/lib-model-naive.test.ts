// PFA library family "model.naive" (specification §26.5, naive Bayes): catalogue signatures, the conformance
// suite (direct where the action only passes input fields, compiled through the front
// end otherwise) and unit tests of formulas, edge cases and error codes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as naive from '../../runtime/pfa/lib/model-naive.js';
import { parseType } from '../../runtime/pfa/avro.js';
import { PfaError, type LibFunction, type PfaType } from '../../runtime/pfa/types.js';
import { newMap } from '../../runtime/pfa/values.js';
import { matchCall } from '../../src/frontends/pfa/signatures.js';
import { loadEngine, runAction, sameJson } from '../conformance/pfa-case.js';
import { familyTests, PFA_DATA, runDirect, type FunctionTest } from './support/direct.js';

const FAMILY = 'model.naive';
const ALL = Object.values(naive).filter((v): v is LibFunction => typeof v === 'object' && v !== null && 'make' in v);
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
const MAP: PfaType = { kind: 'map', values: D };
const GAUSS = T({ type: 'record', name: 'Gauss', fields: [{ name: 'mean', type: 'double' }, { name: 'variance', type: 'double' }] });
const HIST = T({ type: 'record', name: 'Hist', fields: [{ name: 'values', type: { type: 'array', items: 'double' } }] });
const COUNTER = T({ type: 'record', name: 'Counter', fields: [{ name: 'values', type: { type: 'map', values: 'double' } }] });
const m = (o: Record<string, unknown>) => rec(o);

conformance(
  { 'model.naive.gaussian': [3, 50], 'model.naive.multinomial': [6, 112], 'model.naive.bernoulli': [2, 34] },
  {},
);

const logN = (x: number, mu: number, v: number) => -0.5 * Math.log(2 * Math.PI * v) - (x - mu) ** 2 / (2 * v);

test('gaussian: Σ log N(xᵢ | meanᵢ, varianceᵢ), by position or by key', () => {
  const f = impl(naive.gaussian, [VEC, { kind: 'array', items: GAUSS }]);
  near(f([1, 2], [rec({ mean: 0, variance: 1 }), rec({ mean: 3, variance: 0.5 })]), logN(1, 0, 1) + logN(2, 3, 0.5));
  assert.equal(f([], []), 0);
  const g = impl(naive.gaussian, [MAP, { kind: 'map', values: GAUSS }]);
  near(g(m({ a: 1, b: 2 }), m({ b: rec({ mean: 3, variance: 0.5 }), a: rec({ mean: 0, variance: 1 }) })), logN(1, 0, 1) + logN(2, 3, 0.5));
  throwsCode(() => f([1], []), 10000);
  throwsCode(() => g(m({ a: 1 }), m({ b: rec({ mean: 0, variance: 1 }) })), 10000);
  throwsCode(() => f([1], [rec({ mean: 0, variance: 0 })]), 10001);
  throwsCode(() => f([1], [rec({ mean: 0, variance: -1 })]), 10001);
});

test('multinomial: Σ xᵢ log(pᵢ / Σ p), four signatures', () => {
  const expected = 2 * Math.log(1 / 6) + 0 * Math.log(2 / 6) + 1 * Math.log(3 / 6);
  near(impl(naive.multinomial, [VEC, VEC])([2, 0, 1], [1, 2, 3]), expected);
  near(impl(naive.multinomial, [MAP, MAP])(m({ a: 2, b: 0, c: 1 }), m({ c: 3, b: 2, a: 1 })), expected);
  near(impl(naive.multinomial, [VEC, HIST])([2, 0, 1], rec({ values: [1, 2, 3] })), expected);
  near(impl(naive.multinomial, [MAP, COUNTER])(m({ a: 2, b: 0, c: 1 }), rec({ values: m({ a: 1, b: 2, c: 3 }) })), expected);
  const f = impl(naive.multinomial, [VEC, VEC]);
  throwsCode(() => f([1, 2], [1, 2, 3]), 10010);
  throwsCode(() => f([], []), 10011);
  throwsCode(() => f([1, 2], [1, 0]), 10011);
  throwsCode(() => f([1], [1, 0]), 10011); // positivity is checked before alignment
  throwsCode(() => impl(naive.multinomial, [MAP, MAP])(m({ a: 1 }), m({ b: 1 })), 10010);
});

test('bernoulli: log p for present variables and log(1 − p) for absent ones; others ignored', () => {
  const f = impl(naive.bernoulli, [{ kind: 'array', items: { kind: 'string' } }, MAP]);
  near(f(['a', 'zzz', 'a'], m({ a: 0.25, b: 0.1 })), Math.log(0.25) + Math.log(0.9));
  assert.equal(f(['x'], m({})), 0);
  const g = impl(naive.bernoulli, [{ kind: 'array', items: { kind: 'string' } }, COUNTER]);
  near(g([], rec({ values: m({ a: 0.25 }) })), Math.log(0.75));
  throwsCode(() => f([], m({ a: 1 })), 10020);
  throwsCode(() => f([], m({ a: 0 })), 10020);
  throwsCode(() => f([], m({ a: NaN })), 10020);
});
