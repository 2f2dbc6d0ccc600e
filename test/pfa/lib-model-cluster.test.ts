// PFA library family "model.cluster" (specification §26.3, cluster models): catalogue signatures, the conformance
// suite (direct where the action only passes input fields, compiled through the front
// end otherwise) and unit tests of formulas, edge cases and error codes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as cluster from '../../runtime/pfa/lib/model-cluster.js';
import { parseType } from '../../runtime/pfa/avro.js';
import { PfaError, type LibFunction, type PfaType } from '../../runtime/pfa/types.js';
import { newMap } from '../../runtime/pfa/values.js';
import { matchCall } from '../../src/frontends/pfa/signatures.js';
import { loadEngine, runAction, sameJson } from '../conformance/pfa-case.js';
import { familyTests, PFA_DATA, runDirect, type FunctionTest } from './support/direct.js';

const FAMILY = 'model.cluster';
const ALL = Object.values(cluster).filter((v): v is LibFunction => typeof v === 'object' && v !== null && 'make' in v);
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
const CLUSTER = T({ type: 'record', name: 'Cluster', fields: [{ name: 'center', type: { type: 'array', items: 'double' } }, { name: 'id', type: 'string' }] });
const CLUSTERS: PfaType = { kind: 'array', items: CLUSTER };
const fnType = (params: PfaType[], ret: PfaType): PfaType => ({ kind: 'function', params, ret });
const cl = (id: string, center: number[]) => rec({ center, id });

/** A deterministic generator (a linear congruential sequence) for the pseudorandom function. */
function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

conformance(
  { 'model.cluster.closest': [2, 33], 'model.cluster.closestN': [2, 353], 'model.cluster.updateMean': [2, 706] },
  { 'model.cluster.closest': [14, 1176], 'model.cluster.closestN': [14, 13772], 'model.cluster.randomSeeds': [15, 168], 'model.cluster.kmeansIteration': [17, 274] },
);

const clusters = [cl('a', [0, 0]), cl('b', [3, 4]), cl('c', [1, 1]), cl('d', [1, 1])];

test('closest: Euclidean by default, the first of equally close clusters, 29000 when empty', () => {
  const f = impl(cluster.closest, [VEC, CLUSTERS]);
  assert.equal(f([0.9, 1.2], clusters), clusters[2]);
  assert.equal(f([2.9, 4.2], clusters), clusters[1]);
  assert.equal(f([-1, -1], clusters), clusters[0]);
  throwsCode(() => f([0, 0], []), 29000);
});

test('closest: a user metric on any datum and center types', () => {
  const S = T({ type: 'record', name: 'Word', fields: [{ name: 'center', type: 'string' }] });
  const f = impl(cluster.closest, [{ kind: 'string' }, { kind: 'array', items: S }, fnType([{ kind: 'string' }, { kind: 'string' }], D)]);
  const words = ['apple', 'kiwi', 'fig'].map((w) => rec({ center: w }));
  const lengthDiff = (a: string, b: string) => Math.abs(a.length - b.length);
  assert.equal(f('pear', words, lengthDiff), words[1]);
  assert.equal(f('banana', words, lengthDiff), words[0]);
});

test('closestN: from the closest to the farthest, stable for ties, at most n', () => {
  const f = impl(cluster.closestN, [{ kind: 'int' }, VEC, CLUSTERS]);
  assert.deepEqual(f(3, [1, 1.1], clusters).map((c: Record<string, unknown>) => c.id), ['c', 'd', 'a']);
  assert.deepEqual(f(10, [3, 4], clusters).map((c: Record<string, unknown>) => c.id), ['b', 'c', 'd', 'a']);
  assert.deepEqual(f(0, [3, 4], clusters), []);
  assert.deepEqual(f(2, [3, 4], []), []);
  throwsCode(() => f(-1, [3, 4], clusters), 29010);
});

test('randomSeeds: k distinct data vectors passed to newCluster with their index', () => {
  const CL = T({ type: 'record', name: 'Seed', fields: [{ name: 'center', type: { type: 'array', items: 'double' } }, { name: 'index', type: 'int' }] });
  const f = impl(cluster.randomSeeds, [{ kind: 'array', items: VEC }, { kind: 'int' }, fnType([{ kind: 'int' }, VEC], CL)], seeded(7));
  const make = (i: number, v: number[]) => rec({ center: v, index: i });
  const data = [[1, 1], [2, 2], [1, 1], [3, 3], [2, 2]];
  for (let trial = 0; trial < 20; trial++) {
    const out = f(data, 3, make) as Record<string, unknown>[];
    assert.deepEqual(out.map((c) => c.index), [0, 1, 2]);
    const centers = out.map((c) => JSON.stringify(c.center)).sort();
    assert.deepEqual(centers, ['[1,1]', '[2,2]', '[3,3]']);
  }
  const picks = new Set<string>();
  for (let trial = 0; trial < 50; trial++) picks.add(JSON.stringify((f(data, 1, make) as Record<string, unknown>[])[0].center));
  assert.equal(picks.size, 3, 'every unique vector can be drawn');
  throwsCode(() => f(data, 0, make), 29020);
  throwsCode(() => f(data, 4, make), 29021);
  throwsCode(() => f([], 1, make), 29021);
  throwsCode(() => f([[1, 2], [1, 2, 3]], 1, make), 29022);
});

test('kmeansIteration: each datum goes to its closest cluster; update only for matched clusters', () => {
  const DATA: PfaType = { kind: 'array', items: VEC };
  const f = impl(cluster.kmeansIteration, [DATA, CLUSTERS, fnType([VEC, VEC], D), fnType([DATA, CLUSTER], CLUSTER)]);
  const mean = impl(cluster.updateMean, [DATA, CLUSTER, D]);
  const metric = (x: number[], y: number[]) => Math.hypot(x[0] - y[0], x[1] - y[1]);
  const calls: string[] = [];
  const update = (matched: number[][], c: Record<string, unknown>) => {
    calls.push(`${c.id}:${matched.length}`);
    return mean(matched, c, 0);
  };
  const start = [cl('a', [0, 0]), cl('b', [10, 10]), cl('z', [100, 100])];
  const out = f([[1, 0], [0, 1], [9, 10], [11, 12]], start, metric, update) as Record<string, unknown>[];
  assert.deepEqual(calls, ['a:2', 'b:2']);
  assert.deepEqual(out.map((c) => [c.id, c.center]), [['a', [0.5, 0.5]], ['b', [10, 11]], ['z', [100, 100]]]);
  assert.equal(out[2], start[2], 'an unmatched cluster is returned as it is');
  assert.deepEqual(start[0].center, [0, 0], 'the input clusters are not modified');
  throwsCode(() => f([], start, metric, update), 29030);
  throwsCode(() => f([[1, 1]], [], metric, update), 29031);
});

test('updateMean: (weight·center + Σ data) / (weight + N) in a new record keeping other fields', () => {
  const f = impl(cluster.updateMean, [{ kind: 'array', items: VEC }, CLUSTER, D]);
  const c = cl('keep', [10, 20]);
  const out = f([[1, 2], [3, 4]], c, 0) as Record<string, unknown>;
  assert.deepEqual({ ...out }, { center: [2, 3], id: 'keep' });
  assert.equal(Object.getPrototypeOf(out), null);
  assert.deepEqual(c.center, [10, 20], 'the argument is not modified');
  const weighted = (f([[1, 2], [3, 4]], c, 2) as Record<string, unknown>).center as number[];
  near(weighted[0], (2 * 10 + 4) / 4);
  near(weighted[1], (2 * 20 + 6) / 4);
  throwsCode(() => f([], c, 1), 29040);
  throwsCode(() => f([[1, 2], [3]], c, 1), 29041);
  throwsCode(() => f([[1, 2, 3]], c, 1), 29041);
});
