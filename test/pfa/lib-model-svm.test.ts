// PFA library family "model.svm" (specification §26.7, support vector machines): catalogue signatures, the conformance
// suite (direct where the action only passes input fields, compiled through the front
// end otherwise) and unit tests of formulas, edge cases and error codes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as svm from '../../runtime/pfa/lib/model-svm.js';
import { parseType } from '../../runtime/pfa/avro.js';
import { PfaError, type LibFunction, type PfaType } from '../../runtime/pfa/types.js';
import { newMap } from '../../runtime/pfa/values.js';
import { matchCall } from '../../src/frontends/pfa/signatures.js';
import { loadEngine, runAction, sameJson } from '../conformance/pfa-case.js';
import { familyTests, PFA_DATA, runDirect, type FunctionTest } from './support/direct.js';

const FAMILY = 'model.svm';
const ALL = Object.values(svm).filter((v): v is LibFunction => typeof v === 'object' && v !== null && 'make' in v);
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
const MODEL = T({
  type: 'record', name: 'Svm', fields: [
    { name: 'const', type: 'double' },
    { name: 'posClass', type: { type: 'array', items: { type: 'record', name: 'Pos', fields: [{ name: 'supVec', type: { type: 'array', items: 'double' } }, { name: 'coeff', type: 'double' }] } } },
    { name: 'negClass', type: { type: 'array', items: { type: 'record', name: 'Neg', fields: [{ name: 'supVec', type: { type: 'array', items: 'double' } }, { name: 'coeff', type: 'double' }] } } },
  ],
});
const KERNEL: PfaType = { kind: 'function', params: [VEC, VEC], ret: D };
const sv = (supVec: number[], coeff: number) => rec({ supVec, coeff });

conformance({}, { 'model.svm.score': [1, 1410] });

test('score: const + Σ coeff · kernel(datum, supVec) over both classes', () => {
  const f = impl(svm.score, [VEC, MODEL, KERNEL]);
  const poly = (x: number[], y: number[]) => (0.1 * (x[0] * y[0] + x[1] * y[1]) + 0.3) ** 2;
  const model = rec({ const: 1.25, posClass: [sv([4, 3.5], -0.3)], negClass: [sv([0.5, 2.5], 0.3), sv([1, 1], 0.1)] });
  const x = [3, 3];
  near(f(x, model, poly), 1.25 - 0.3 * poly(x, [4, 3.5]) + 0.3 * poly(x, [0.5, 2.5]) + 0.1 * poly(x, [1, 1]));
  const seen: number[][][] = [];
  f(x, model, (a: number[], b: number[]) => (seen.push([a, b]), 0));
  assert.deepEqual(seen[0], [x, [4, 3.5]], 'the kernel receives (datum, support vector)');
  assert.equal(f(x, rec({ const: 2, posClass: [], negClass: [sv([1, 1], 0)] }), poly), 2);
});

test('score errors: no support vectors (12000), length mismatch (12001)', () => {
  const f = impl(svm.score, [VEC, MODEL, KERNEL]);
  const k = () => 1;
  throwsCode(() => f([1], rec({ const: 0, posClass: [], negClass: [] }), k), 12000);
  throwsCode(() => f([1, 2], rec({ const: 0, posClass: [sv([1, 2], 1)], negClass: [sv([1], 1)] }), k), 12001);
  throwsCode(() => f([1, 2], rec({ const: 0, posClass: [sv([1, 2, 3], 1)], negClass: [] }), k), 12001);
});
