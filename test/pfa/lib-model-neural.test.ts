// PFA library family "model.neural" (specification §26.6, neural networks): catalogue signatures, the conformance
// suite (direct where the action only passes input fields, compiled through the front
// end otherwise) and unit tests of formulas, edge cases and error codes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as neural from '../../runtime/pfa/lib/model-neural.js';
import { parseType } from '../../runtime/pfa/avro.js';
import { PfaError, type LibFunction, type PfaType } from '../../runtime/pfa/types.js';
import { newMap } from '../../runtime/pfa/values.js';
import { matchCall } from '../../src/frontends/pfa/signatures.js';
import { loadEngine, runAction, sameJson } from '../conformance/pfa-case.js';
import { familyTests, PFA_DATA, runDirect, type FunctionTest } from './support/direct.js';

const FAMILY = 'model.neural';
const ALL = Object.values(neural).filter((v): v is LibFunction => typeof v === 'object' && v !== null && 'make' in v);
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
const LAYER = T({ type: 'record', name: 'Layer', fields: [{ name: 'weights', type: { type: 'array', items: { type: 'array', items: 'double' } } }, { name: 'bias', type: { type: 'array', items: 'double' } }] });
const ACT: PfaType = { kind: 'function', params: [D], ret: D };

conformance({}, { 'model.neural.simpleLayers': [2, 37] });

test('simpleLayers: W·x + b per layer, the activation on every layer but the last', () => {
  const f = impl(neural.simpleLayers, [VEC, { kind: 'array', items: LAYER }, ACT]);
  const model = [
    rec({ weights: [[1, 2], [-1, 0.5], [0, 1]], bias: [0.5, 0, -1] }),
    rec({ weights: [[1, 1, 1]], bias: [0.25] }),
  ];
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  const x = [0.3, -0.2];
  const hidden = [0.3 - 0.4 + 0.5, -0.3 - 0.1, -0.2 - 1].map(sigmoid);
  const out = f(x, model, sigmoid) as number[];
  assert.equal(out.length, 1);
  near(out[0], hidden[0] + hidden[1] + hidden[2] + 0.25);
  // A single layer: no activation at all.
  assert.deepEqual(f([2, 3], [model[0]], () => NaN), [8.5, -0.5, 2]);
});

test('simpleLayers errors: no layers (11000), misaligned weights, bias or datum (11001)', () => {
  const f = impl(neural.simpleLayers, [VEC, { kind: 'array', items: LAYER }, ACT]);
  const id = (v: number) => v;
  throwsCode(() => f([1], [], id), 11000);
  throwsCode(() => f([1, 2], [rec({ weights: [[1, 2]], bias: [0, 0] })], id), 11001);
  throwsCode(() => f([1, 2], [rec({ weights: [[1, 2, 3]], bias: [0] })], id), 11001);
  throwsCode(() => f([1, 2], [rec({ weights: [[1, 2], [3, 4]], bias: [0, 0] }), rec({ weights: [[1, 2, 3]], bias: [0] })], id), 11001);
  assert.deepEqual(f([1, 2], [rec({ weights: [], bias: [] })], id), []);
});
