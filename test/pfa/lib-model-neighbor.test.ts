// PFA library family "model.neighbor" (specification §26.4, nearest neighbors): catalogue signatures, the conformance
// suite (direct where the action only passes input fields, compiled through the front
// end otherwise) and unit tests of formulas, edge cases and error codes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as neighbor from '../../runtime/pfa/lib/model-neighbor.js';
import { PfaError, type LibFunction, type PfaType } from '../../runtime/pfa/types.js';
import { matchCall } from '../../src/frontends/pfa/signatures.js';
import { loadEngine, runAction, sameJson } from '../conformance/pfa-case.js';
import { familyTests, PFA_DATA, runDirect, type FunctionTest } from './support/direct.js';

const FAMILY = 'model.neighbor';
const ALL = Object.values(neighbor).filter((v): v is LibFunction => typeof v === 'object' && v !== null && 'make' in v);
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

/** The implementation at a call site with these argument types (results loosely typed for tests). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Impl = (...args: any[]) => any;
function impl(fn: LibFunction, args: readonly PfaType[], random: () => number = Math.random): Impl {
  const types = matchCall(fn, args);
  assert.ok(types, `${fn.name} does not accept (${args.map((a) => a.kind).join(', ')})`);
  return fn.make(types, { random, log: () => undefined }) as Impl;
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
const CODEBOOK: PfaType = { kind: 'array', items: VEC };
const fnType = (params: PfaType[], ret: PfaType): PfaType => ({ kind: 'function', params, ret });

conformance(
  { 'model.neighbor.mean': [1, 6], 'model.neighbor.nearestK': [1, 178], 'model.neighbor.ballR': [1, 352] },
  { 'model.neighbor.mean': [1, 4], 'model.neighbor.nearestK': [14, 13244], 'model.neighbor.ballR': [14, 22968] },
);

const codebook = [[0, 0], [3, 4], [1, 1], [1, 1], [-2, 0]];

test('nearestK: the k closest codebook items, closest first, ties in codebook order', () => {
  const f = impl(neighbor.nearestK, [{ kind: 'int' }, VEC, CODEBOOK]);
  assert.deepEqual(f(3, [1, 1.2], codebook), [[1, 1], [1, 1], [0, 0]]);
  assert.deepEqual(f(2, [1, 1.2], codebook)[0], codebook[2]);
  assert.deepEqual(f(10, [0, 0], codebook), [[0, 0], [1, 1], [1, 1], [-2, 0], [3, 4]]);
  assert.deepEqual(f(0, [0, 0], codebook), []);
  throwsCode(() => f(-1, [0, 0], codebook), 30010);
  throwsCode(() => f(1, [0, 0, 0], codebook), 30011);
  throwsCode(() => f(0, [0, 0], [[0, 0], [1]]), 30011);
});

test('nearestK: any types with a metric (no dimension check)', () => {
  const S: PfaType = { kind: 'string' };
  const f = impl(neighbor.nearestK, [{ kind: 'int' }, S, { kind: 'array', items: S }, fnType([S, S], D)]);
  const byLength = (a: string, b: string) => Math.abs(a.length - b.length);
  assert.deepEqual(f(2, 'pear', ['banana', 'fig', 'kiwi', 'apple'], byLength), ['kiwi', 'fig']);
});

test('ballR: the codebook items strictly within r, in codebook order', () => {
  const f = impl(neighbor.ballR, [D, VEC, CODEBOOK]);
  assert.deepEqual(f(2, [0, 0], codebook), [[0, 0], [1, 1], [1, 1]]);
  assert.deepEqual(f(5, [0, 0], codebook), [[0, 0], [1, 1], [1, 1], [-2, 0]], 'r is exclusive');
  assert.deepEqual(f(0, [0, 0], codebook), []);
  const g = impl(neighbor.ballR, [D, { kind: 'int' }, { kind: 'array', items: { kind: 'int' } }, fnType([{ kind: 'int' }, { kind: 'int' }], D)]);
  assert.deepEqual(g(2.5, 10, [7, 8, 9, 10, 11, 12, 13], (a: number, b: number) => Math.abs(a - b)), [8, 9, 10, 11, 12]);
});

test('mean: component-wise mean, or weighted by a function (normalised)', () => {
  const f = impl(neighbor.mean, [CODEBOOK]);
  assert.deepEqual(f([[1, 2], [3, 4], [5, 0]]), [3, 2]);
  assert.deepEqual(f([[]]), []);
  const g = impl(neighbor.mean, [CODEBOOK, fnType([VEC], D)]);
  const out = g([[0, 0], [4, 8]], (p: number[]) => (p[0] === 0 ? 3 : 1)) as number[];
  near(out[0], 1);
  near(out[1], 2);
  throwsCode(() => f([]), 30000);
  throwsCode(() => g([], () => 1), 30000);
  throwsCode(() => f([[1, 2], [3]]), 30001);
});
