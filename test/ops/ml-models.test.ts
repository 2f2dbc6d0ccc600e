// ai.onnx.ml model operators: TreeEnsembleClassifier/Regressor (1, 3), TreeEnsemble (5),
// LinearClassifier, LinearRegressor, SVMClassifier, SVMRegressor, through the real
// pipeline (ONNX bytes → compiled module → run).
//
// Expected values come from two independent sources: small models worked out by hand
// here, and larger random models run side by side with onnxruntime-node. Where
// mlcompile deliberately differs from onnxruntime (see src/frontends/onnx/ops/ml-models.ts)
// the tests say so and check the documented behaviour by hand.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import * as ort from 'onnxruntime-node';
import { float32ToFloat16Bits } from '../../runtime/tensor/float16.js';
import type { DType, Tensor } from '../../runtime/tensor/tensor.js';
import { graph, modelBytes, valueInfo, type AttrInput } from '../support/onnx-builder.js';
import { compileBytes } from '../support/run-module.js';

const ML = 'ai.onnx.ml';

// ------------------------------------------------------------------ harness

interface Input { readonly type: DType; readonly dims: readonly number[]; readonly data: ArrayLike<number | bigint> }
interface Out { readonly dims: readonly number[]; readonly data: ArrayLike<unknown> }
interface MlNode { readonly op: string; readonly attrs: Record<string, AttrInput>; readonly outputs: readonly (readonly [string, DType])[] }

const f32 = (dims: number[], data: number[]): Input => ({ type: 'float32', dims, data: Float32Array.from(data) });
const f64 = (dims: number[], data: number[]): Input => ({ type: 'float64', dims, data: Float64Array.from(data) });
const i64 = (dims: number[], data: number[]): Input => ({ type: 'int64', dims, data: BigInt64Array.from(data, (v) => BigInt(v)) });
const i32 = (dims: number[], data: number[]): Input => ({ type: 'int32', dims, data: Int32Array.from(data) });
const floats = (v: number[]): AttrInput => ({ floats: v });
const doubles = (v: number[]): Tensor => ({ type: 'float64', dims: [v.length], data: Float64Array.from(v) });

/** One model whose nodes all read X. */
function model(nodes: readonly MlNode[], x: { type: DType; shape: (number | string)[] }, mlOpset = 3): Uint8Array {
  const g = graph({
    nodes: nodes.map((n) => ({ op: n.op, domain: ML, inputs: ['X'], outputs: n.outputs.map(([o]) => o), attrs: n.attrs })),
    inputs: [valueInfo('X', x.type, x.shape)],
    outputs: nodes.flatMap((n) => n.outputs.map(([o, t]) => valueInfo(o, t, null))),
  });
  return modelBytes(g, { '': 17, [ML]: mlOpset });
}

async function runMine(bytes: Uint8Array, x: Input): Promise<Record<string, Out>> {
  const { mod } = await compileBytes(bytes);
  let data: ArrayLike<unknown> = x.data;
  if (x.type === 'float16') data = Uint16Array.from(x.data as ArrayLike<number>, (v) => float32ToFloat16Bits(v));
  return mod.run({ X: { type: x.type, dims: x.dims, data } });
}

async function runOrt(bytes: Uint8Array, x: Input): Promise<Record<string, Out>> {
  const session = await ort.InferenceSession.create(bytes);
  const out = await session.run({ X: new ort.Tensor(x.type as 'float32', x.data as Float32Array, x.dims) });
  const result: Record<string, Out> = {};
  for (const [name, t] of Object.entries(out)) result[name] = { dims: t.dims, data: t.data as ArrayLike<unknown> };
  return result;
}

/** One node, input shape [N, F] (F from the input). */
async function one(op: string, attrs: Record<string, AttrInput>, x: Input, outputs: readonly (readonly [string, DType])[], mlOpset = 3): Promise<Record<string, Out>> {
  const shape = x.dims.length === 2 ? ['N', x.dims[1]] : [x.dims[0]];
  return runMine(model([{ op, attrs, outputs }], { type: x.type, shape }, mlOpset), x);
}

const REG: readonly (readonly [string, DType])[] = [['Y', 'float32']];
const CLS_I: readonly (readonly [string, DType])[] = [['Y', 'int64'], ['Z', 'float32']];
const CLS_S: readonly (readonly [string, DType])[] = [['Y', 'string'], ['Z', 'float32']];

/** |got - want| <= atol + rtol·|want| elementwise; NaN and infinities must match. */
function assertClose(got: ArrayLike<unknown>, want: ArrayLike<unknown>, rtol = 1e-6, atol = 1e-7, what = ''): void {
  assert.equal(got.length, want.length, `${what} length`);
  for (let i = 0; i < want.length; i++) {
    const g = Number(got[i]), w = Number(want[i]);
    if (Number.isNaN(w) || !Number.isFinite(w)) { assert.ok(Object.is(g, w), `${what}[${i}]: got ${g}, want ${w}`); continue; }
    assert.ok(Math.abs(g - w) <= atol + rtol * Math.abs(w), `${what}[${i}]: got ${g}, want ${w}`);
  }
}

const labelsOf = (o: Out): string[] => Array.from(o.data, (v) => String(v));
const logistic = (v: number): number => 1 / (1 + Math.exp(-v));
const softmax = (v: number[]): number[] => { const m = Math.max(...v); const e = v.map((x) => Math.exp(x - m)); const s = e.reduce((a, b) => a + b, 0); return e.map((x) => x / s); };

/**
 * Compiles and runs `bytes` with mlcompile and onnxruntime (or `ortBytes` there, a model
 * meaning the same to it); checks every output agrees.
 */
async function assertMatchesOrt(bytes: Uint8Array, x: Input, rtol = 1e-5, atol = 1e-6, ortBytes = bytes): Promise<Record<string, Out>> {
  const [mine, theirs] = await Promise.all([runMine(bytes, x), runOrt(ortBytes, x)]);
  for (const [name, want] of Object.entries(theirs)) {
    const got = mine[name];
    assert.deepEqual(Array.from(got.dims), Array.from(want.dims), `${name} dims`);
    if (typeof want.data[0] === 'string' || typeof want.data[0] === 'bigint') assert.deepEqual(labelsOf(got), labelsOf(want), `${name} labels`);
    else assertClose(got.data, want.data, rtol, atol, name);
  }
  return mine;
}

async function assertRejects(bytes: Uint8Array, x: Input, pattern: RegExp, code = 'MLC2003'): Promise<void> {
  await assert.rejects(runMine(bytes, x), (e: Error & { code?: string }) => {
    assert.equal(e.code, code, e.message);
    assert.match(e.message, pattern);
    return true;
  });
}

// ------------------------------------------------------------------ tree builders

/** A node of a TreeEnsembleClassifier/Regressor tree: a split (yes/no children) or a leaf (votes [id, weight]). */
interface TNode { id: number; f?: number; mode?: string; v?: number; yes?: number; no?: number; votes?: [number, number][]; nanYes?: number }

/** The nodes_* and class_* / target_* attributes of trees given as node lists. */
function v3Attrs(trees: TNode[][], prefix: 'class' | 'target'): Record<string, AttrInput> {
  const a = { tree: [] as number[], id: [] as number[], f: [] as number[], mode: [] as string[], v: [] as number[], yes: [] as number[], no: [] as number[], nan: [] as number[], wt: [] as number[], wn: [] as number[], wi: [] as number[], ww: [] as number[] };
  trees.forEach((nodes, t) => {
    for (const n of nodes) {
      a.tree.push(t); a.id.push(n.id); a.f.push(n.f ?? 0); a.mode.push(n.mode ?? 'LEAF'); a.v.push(n.v ?? 0);
      a.yes.push(n.yes ?? 0); a.no.push(n.no ?? 0); a.nan.push(n.nanYes ?? 0);
      for (const [i, w] of n.votes ?? []) { a.wt.push(t); a.wn.push(n.id); a.wi.push(i); a.ww.push(w); }
    }
  });
  return {
    nodes_treeids: a.tree, nodes_nodeids: a.id, nodes_featureids: a.f, nodes_modes: a.mode, nodes_values: floats(a.v),
    nodes_truenodeids: a.yes, nodes_falsenodeids: a.no, nodes_missing_value_tracks_true: a.nan,
    [`${prefix}_treeids`]: a.wt, [`${prefix}_nodeids`]: a.wn, [`${prefix}_ids`]: a.wi, [`${prefix}_weights`]: floats(a.ww),
  };
}

/** One split on feature f: true → leaf 1 with `yes` votes, false → leaf 2 with `no` votes. */
function stump(f: number, mode: string, v: number, yes: [number, number][], no: [number, number][], nanYes = 0): TNode[] {
  return [{ id: 0, f, mode, v, yes: 1, no: 2, nanYes }, { id: 1, votes: yes }, { id: 2, votes: no }];
}

/** Deterministic pseudo-random numbers in [0, 1). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
}
const pick = <T>(r: () => number, xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];

/** Split values and inputs share one grid, so inputs often equal thresholds exactly. */
const GRID = [-1, -0.5, 0, 0.25, 0.5, 1];

function randomRows(r: () => number, n: number, f: number, nanRate = 0.1): number[] {
  return Array.from({ length: n * f }, () => (r() < nanRate ? NaN : r() < 0.6 ? pick(r, GRID) : Math.fround(r() * 3 - 1.5)));
}

interface RandomForest { trees: number; depth: number; features: number; modes: readonly string[]; targets: number; votes: 'all' | 'one' | number; positive: boolean; missing: boolean }

/** Random trees (root listed first, as onnxruntime requires) with votes on their leaves. */
function randomV3(r: () => number, o: RandomForest, prefix: 'class' | 'target'): Record<string, AttrInput> {
  const trees: TNode[][] = [];
  for (let t = 0; t < o.trees; t++) {
    const nodes: TNode[] = [];
    const grow = (depth: number): number => {
      const id = nodes.length;
      const node: TNode = { id };
      nodes.push(node);
      if (depth >= o.depth || (depth > 1 && r() < 0.2)) {
        const weight = (): number => Math.fround(o.positive ? r() : r() * 2 - 1);
        if (o.votes === 'all') node.votes = Array.from({ length: o.targets }, (_, k) => [k, weight()]);
        else if (o.votes === 'one') node.votes = [[Math.floor(r() * o.targets), weight()]];
        else node.votes = [[o.votes, weight()]];
        return id;
      }
      Object.assign(node, { f: Math.floor(r() * o.features), mode: pick(r, o.modes), v: pick(r, GRID), nanYes: o.missing && r() < 0.5 ? 1 : 0 });
      node.yes = grow(depth + 1);
      node.no = grow(depth + 1);
      return id;
    };
    grow(0);
    trees.push(nodes);
  }
  return v3Attrs(trees, prefix);
}

const ALL_MODES = ['BRANCH_LEQ', 'BRANCH_LT', 'BRANCH_GTE', 'BRANCH_GT', 'BRANCH_EQ', 'BRANCH_NEQ'];
const POSTS = ['NONE', 'SOFTMAX', 'LOGISTIC', 'SOFTMAX_ZERO', 'PROBIT'];

// ------------------------------------------------------------------ TreeEnsembleRegressor: split rules

test('TreeEnsembleRegressor: every BRANCH mode, at, below and above the threshold, NaN to the false branch or tracked to the true one', async () => {
  // x <= 0.5 etc.; the true leaf votes 1, the false leaf 2.
  const x = f32([4, 1], [0, 0.5, 1, NaN]);
  const want: Record<string, number[]> = {
    BRANCH_LEQ: [1, 1, 2, 2], BRANCH_LT: [1, 2, 2, 2], BRANCH_GTE: [2, 1, 1, 2],
    BRANCH_GT: [2, 2, 1, 2], BRANCH_EQ: [2, 1, 2, 2], BRANCH_NEQ: [1, 2, 1, 1], // NaN != 0.5 is true
  };
  const nodes: MlNode[] = [];
  for (const mode of Object.keys(want)) {
    for (const nan of [0, 1]) {
      nodes.push({ op: 'TreeEnsembleRegressor', attrs: { n_targets: 1, ...v3Attrs([stump(0, mode, 0.5, [[0, 1]], [[0, 2]], nan)], 'target') }, outputs: [[`${mode}_${nan}`, 'float32']] });
    }
  }
  const bytes = model(nodes, { type: 'float32', shape: ['N', 1] });
  const got = await assertMatchesOrt(bytes, x);
  for (const [mode, w] of Object.entries(want)) {
    assert.deepEqual(Array.from(got[`${mode}_0`].data), w, mode);
    assert.deepEqual(Array.from(got[`${mode}_1`].data), [...w.slice(0, 3), 1], `${mode} with nodes_missing_value_tracks_true`);
  }
});

test('TreeEnsembleRegressor compares with the exact float32 threshold; integer inputs are rounded to float32 first', async () => {
  const attrs = { n_targets: 1, ...v3Attrs([stump(0, 'BRANCH_LEQ', 0.1, [[0, 1]], [[0, 2]])], 'target') };
  const t = Math.fround(0.1); // the float32 split value, 0.100000001490116...
  // float32 input equal to the split goes left; float64 inputs are compared exactly with the float32 value.
  assert.deepEqual(Array.from((await one('TreeEnsembleRegressor', attrs, f32([2, 1], [0.1, 0.1000001]), REG)).Y.data), [1, 2]);
  const d = await assertMatchesOrt(model([{ op: 'TreeEnsembleRegressor', attrs, outputs: REG }], { type: 'float64', shape: ['N', 1] }), f64([3, 1], [0.1, t, t + 2 ** -40]));
  assert.deepEqual(Array.from(d.Y.data), [1, 1, 2]);
  // 2^24 + 1 is not a float32: it rounds to 2^24, which is <= 2^24.
  const big = { n_targets: 1, ...v3Attrs([stump(0, 'BRANCH_LEQ', 2 ** 24, [[0, 1]], [[0, 2]])], 'target') };
  assert.deepEqual(Array.from((await one('TreeEnsembleRegressor', big, i64([2, 1], [2 ** 24 + 1, 2 ** 24 + 3]), REG)).Y.data), [1, 2]);
  assert.deepEqual(Array.from((await one('TreeEnsembleRegressor', big, i32([2, 1], [2 ** 24 + 1, 2 ** 24 + 3]), REG)).Y.data), [1, 2]);
});

test('TreeEnsembleRegressor-3: *_as_tensor attributes keep float64 precision', async () => {
  const attrs = {
    n_targets: 1, nodes_treeids: [0, 0, 0], nodes_nodeids: [0, 1, 2], nodes_featureids: [0, 0, 0], nodes_modes: ['BRANCH_LEQ', 'LEAF', 'LEAF'],
    nodes_values_as_tensor: doubles([0.1, 0, 0]), nodes_truenodeids: [1, 0, 0], nodes_falsenodeids: [2, 0, 0],
    target_treeids: [0, 0], target_nodeids: [1, 2], target_ids: [0, 0], target_weights_as_tensor: doubles([0.1, 1 / 3]),
    base_values_as_tensor: doubles([1e-9]),
  };
  const y = await assertMatchesOrt(model([{ op: 'TreeEnsembleRegressor', attrs, outputs: REG }], { type: 'float64', shape: ['N', 1] }), f64([2, 1], [0.1, 0.1 + 2 ** -55]));
  assertClose(y.Y.data, [Math.fround(0.1 + 1e-9), Math.fround(1 / 3 + 1e-9)], 0, 0);
  // A float32 input is compared exactly with the float64 threshold (onnxruntime refuses this model).
  assert.deepEqual(Array.from((await one('TreeEnsembleRegressor', attrs, f32([1, 1], [0.1]), REG)).Y.data).map(Number), [Math.fround(1 / 3 + 1e-9)]);
});

// ------------------------------------------------------------------ TreeEnsembleRegressor: aggregation, base values, post-transforms

test('TreeEnsembleRegressor: SUM, AVERAGE, MIN, MAX over two trees, base_values, several targets', async () => {
  // Tree 0 votes targets 0 and 1; tree 1 votes target 0 only; nothing votes target 2.
  const trees = [stump(0, 'BRANCH_LEQ', 0.5, [[0, 1], [1, 5]], [[0, 3], [1, 7]]), stump(1, 'BRANCH_LEQ', 0.5, [[0, 10]], [[0, 20]])];
  const x = f32([2, 2], [0, 0, 1, 1]);
  const want: Record<string, number[]> = {
    SUM: [111, 205, 300, 123, 207, 300], AVERAGE: [105.5, 202.5, 300, 111.5, 203.5, 300],
    MIN: [101, 205, 300, 103, 207, 300], MAX: [110, 205, 300, 120, 207, 300],
  };
  for (const [agg, w] of Object.entries(want)) {
    const attrs = { n_targets: 3, aggregate_function: agg, base_values: floats([100, 200, 300]), ...v3Attrs(trees, 'target') };
    const y = await one('TreeEnsembleRegressor', attrs, x, REG);
    assert.deepEqual(y.Y.dims, [2, 3]);
    // Unlike onnxruntime, a target no leaf voted for still gets its base value (it outputs 0).
    assertClose(y.Y.data, w, 0, 0, agg);
  }
});

test('TreeEnsembleRegressor: post_transform on one target (onnxruntime ignores all but PROBIT there) and on several', async () => {
  const trees = [stump(0, 'BRANCH_LEQ', 0.5, [[0, 0.25]], [[0, -2]])];
  const x = f32([2, 1], [0, 1]);
  const want: Record<string, number[]> = {
    NONE: [0.25, -2], LOGISTIC: [logistic(0.25), logistic(-2)], SOFTMAX: [1, 1], SOFTMAX_ZERO: [1, 1],
    PROBIT: [-0.6744897501960817, NaN], // probit(0.25); Winitzki's erf⁻¹ is within 2e-4 of the exact value
  };
  for (const [post, w] of Object.entries(want)) {
    const y = await one('TreeEnsembleRegressor', { n_targets: 1, post_transform: post, ...v3Attrs(trees, 'target') }, x, REG);
    assertClose(y.Y.data, w, post === 'PROBIT' ? 2e-4 : 1e-6, 1e-7, post);
  }
  // Several targets: every transform, as onnxruntime does.
  const multi = [stump(0, 'BRANCH_LEQ', 0.5, [[0, 0.25], [1, 0.5], [2, 0]], [[0, -2], [1, 0.125], [2, 0.75]])];
  for (const post of POSTS) {
    const attrs = { n_targets: 3, post_transform: post, ...v3Attrs(multi, 'target') };
    await assertMatchesOrt(model([{ op: 'TreeEnsembleRegressor', attrs, outputs: REG }], { type: 'float32', shape: ['N', 1] }), x, post === 'PROBIT' ? 1e-3 : 1e-5, post === 'PROBIT' ? 2e-4 : 1e-6);
  }
  const sm = await one('TreeEnsembleRegressor', { n_targets: 3, post_transform: 'SOFTMAX_ZERO', ...v3Attrs(multi, 'target') }, x, REG);
  const e = softmax([0.25, 0.5]);
  assertClose(Array.from(sm.Y.data).slice(0, 3), [e[0], e[1], 0]); // the zero score is left out
});

test('TreeEnsembleRegressor: a leaf with several votes for one target sums them; leaves without votes add nothing', async () => {
  const trees = [[{ id: 0, f: 0, mode: 'BRANCH_LEQ', v: 0.5, yes: 1, no: 2 }, { id: 1, votes: [[0, 1], [0, 2]] as [number, number][] }, { id: 2 }]];
  const y = await one('TreeEnsembleRegressor', { n_targets: 1, ...v3Attrs(trees, 'target') }, f32([2, 1], [0, 1]), REG);
  assert.deepEqual(Array.from(y.Y.data), [3, 0]);
});

test('TreeEnsembleRegressor: nodes in any order, ids need not start at 0; 1-D input is one row; ai.onnx.ml 1', async () => {
  // The root (id 7) is listed last: it is the node no other node points to.
  const trees = [[{ id: 3, votes: [[0, 10]] as [number, number][] }, { id: 5, votes: [[0, 20]] as [number, number][] }, { id: 7, f: 1, mode: 'BRANCH_GT', v: 0, yes: 3, no: 5 }]];
  const attrs = { n_targets: 1, ...v3Attrs(trees, 'target') };
  assert.deepEqual(Array.from((await one('TreeEnsembleRegressor', attrs, f32([2, 2], [0, 1, 0, -1]), REG)).Y.data), [10, 20]);
  const row = await one('TreeEnsembleRegressor', attrs, f32([2], [0, 1]), REG, 1);
  assert.deepEqual(row.Y.dims, [1, 1]);
  assert.deepEqual(Array.from(row.Y.data), [10]);
});

// ------------------------------------------------------------------ TreeEnsembleClassifier

test('TreeEnsembleClassifier: int64 and string labels, base_values, every post_transform', async () => {
  const trees = [stump(0, 'BRANCH_LEQ', 0.5, [[0, 0.6], [1, 0.4]], [[2, 0.9], [0, -0.2]])];
  const base = [0.1, 0.2, 0.3];
  const x = f32([2, 1], [0, 1]);
  const raw = [[0.7, 0.6, 0.3], [-0.1, 0.2, 1.2]];
  const transform: Record<string, (s: number[]) => number[]> = {
    NONE: (s) => s, LOGISTIC: (s) => s.map(logistic), SOFTMAX: softmax, SOFTMAX_ZERO: softmax,
  };
  for (const [post, fn] of Object.entries(transform)) {
    const attrs = { classlabels_int64s: [10, 20, 30], base_values: floats(base), post_transform: post, ...v3Attrs(trees, 'class') };
    const y = await assertMatchesOrt(model([{ op: 'TreeEnsembleClassifier', attrs, outputs: CLS_I }], { type: 'float32', shape: ['N', 1] }), x);
    assert.deepEqual(labelsOf(y.Y), ['10', '30'], post);
    assertClose(y.Z.data, raw.flatMap(fn), 1e-6, 1e-7, post);
  }
  const attrs = { classlabels_strings: ['a', 'b', 'c'], base_values: floats(base), post_transform: 'PROBIT', ...v3Attrs(trees, 'class') };
  const s = await assertMatchesOrt(model([{ op: 'TreeEnsembleClassifier', attrs, outputs: CLS_S }], { type: 'float32', shape: ['N', 1] }), x, 1e-3, 2e-4);
  assert.deepEqual(Array.from(s.Y.data), ['a', 'c']);
});

test('TreeEnsembleClassifier: the label is the best class among those with a vote or a base value (as onnxruntime)', async () => {
  // Row 0 votes only class 0, negatively: classes 1 and 2 have no evidence and stay out.
  const trees = [stump(0, 'BRANCH_LEQ', 0.5, [[0, -0.5]], [[0, -0.8], [1, -0.3]])];
  const bytes = model([{ op: 'TreeEnsembleClassifier', attrs: { classlabels_int64s: [10, 20, 30], ...v3Attrs(trees, 'class') }, outputs: CLS_I }], { type: 'float32', shape: ['N', 1] });
  const y = await assertMatchesOrt(bytes, f32([2, 1], [0, 1]));
  assert.deepEqual(labelsOf(y.Y), ['10', '20']);
  assertClose(y.Z.data, [-0.5, 0, 0, -0.8, -0.3, 0]);
});

test('TreeEnsembleClassifier, binary case: one score column gives two scores', async () => {
  const run = async (votes: [number, number][][], extra: Record<string, AttrInput>, labels: AttrInput = [0, 1]): Promise<Record<string, Out>> => {
    const attrs = { classlabels_int64s: labels, ...extra, ...v3Attrs([stump(0, 'BRANCH_LEQ', 0.5, votes[0], votes[1])], 'class') };
    return one('TreeEnsembleClassifier', attrs, f32([2, 1], [0, 1]), CLS_I);
  };
  // Probabilities (weights >= 0, no transform): [1 - p, p], label when p > 0.5 (scikit-learn forests).
  const forestBytes = model([{ op: 'TreeEnsembleClassifier', attrs: { classlabels_int64s: [0, 1], ...v3Attrs([stump(0, 'BRANCH_LEQ', 0.5, [[0, 0.3]], [[0, 0.8]])], 'class') }, outputs: CLS_I }], { type: 'float32', shape: ['N', 1] });
  const p = await assertMatchesOrt(forestBytes, f32([2, 1], [0, 1]));
  assert.deepEqual(labelsOf(p.Y), ['0', '1']);
  assertClose(p.Z.data, [0.7, 0.3, 0.2, 0.8]);
  // Margins (mixed signs) with LOGISTIC and one base value (gradient boosting): [σ(-s), σ(s)], label when s > 0.
  const gbAttrs = { classlabels_int64s: [3, 7], post_transform: 'LOGISTIC', base_values: floats([0.5]), ...v3Attrs([stump(0, 'BRANCH_LEQ', 0.5, [[0, -1]], [[0, 0.25]])], 'class') };
  const gb = await assertMatchesOrt(model([{ op: 'TreeEnsembleClassifier', attrs: gbAttrs, outputs: CLS_I }], { type: 'float32', shape: ['N', 1] }), f32([2, 1], [0, 1]));
  assert.deepEqual(labelsOf(gb.Y), ['3', '7']);
  assertClose(gb.Z.data, [logistic(0.5), logistic(-0.5), logistic(-0.75), logistic(0.75)]);
  // Margins without transform: [-s, s].
  const raw = await run([[[0, -1]], [[0, 2]]], {});
  assertClose(raw.Z.data, [1, -1, -2, 2]);
  assert.deepEqual(labelsOf(raw.Y), ['0', '1']);
  // Unlike onnxruntime: the votes may be on class id 1 ([0, s] there), and LOGISTIC applies to
  // non-negative weights too ([1 - s, s] there).
  assertClose((await run([[[1, -1]], [[1, 2]]], {})).Z.data, [1, -1, -2, 2]);
  const pos = await run([[[0, 0.3]], [[0, 0.8]]], { post_transform: 'LOGISTIC' });
  assertClose(pos.Z.data, [logistic(-0.3), logistic(0.3), logistic(-0.8), logistic(0.8)]);
  assert.deepEqual(labelsOf(pos.Y), ['1', '1']);
  // Two base values: the one of the voted class is added.
  assertClose((await run([[[1, -1]], [[1, 2]]], { base_values: floats([5, 0.5]) })).Z.data, [0.5, -0.5, -2.5, 2.5]);
});

test('TreeEnsembleClassifier: two classes both voted for is not the binary case; the label is the top class', async () => {
  // onnxruntime returns 1 whenever score[1] > 0 (here for both rows), not a class label.
  const trees = [stump(0, 'BRANCH_LEQ', 0.5, [[0, 0.8], [1, 0.2]], [[0, 0.3], [1, 0.7]])];
  const y = await one('TreeEnsembleClassifier', { classlabels_int64s: [3, 7], ...v3Attrs(trees, 'class') }, f32([2, 1], [0, 1]), CLS_I);
  assert.deepEqual(labelsOf(y.Y), ['3', '7']);
  assertClose(y.Z.data, [0.8, 0.2, 0.3, 0.7]);
});

test('TreeEnsembleClassifier on int64, int32 and float64 inputs; ai.onnx.ml 1', async () => {
  const trees = [stump(0, 'BRANCH_LT', 2, [[0, 1]], [[1, 1]])];
  const attrs = { classlabels_strings: ['low', 'high'], ...v3Attrs(trees, 'class') };
  for (const x of [i64([3, 1], [1, 2, 3]), i32([3, 1], [1, 2, 3]), f64([3, 1], [1, 2, 3])]) {
    const y = await one('TreeEnsembleClassifier', attrs, x, CLS_S, 1);
    assert.deepEqual(Array.from(y.Y.data), ['low', 'high', 'high'], x.type);
  }
});

// ------------------------------------------------------------------ random trees against onnxruntime

test('random forests match onnxruntime: regressors (all modes, NaN tracking, aggregates, several targets)', async () => {
  const r = rng(7);
  const x = f32([150, 5], randomRows(r, 150, 5)); // more than one block of 128 rows, not a multiple of 4
  for (const agg of ['SUM', 'AVERAGE', 'MIN', 'MAX']) {
    const attrs = { n_targets: 3, aggregate_function: agg, base_values: floats([0.5, -1, 2]), post_transform: agg === 'SUM' ? 'SOFTMAX' : 'NONE',
      ...randomV3(r, { trees: 12, depth: 6, features: 5, modes: ALL_MODES, targets: 3, votes: 'all', positive: false, missing: true }, 'target') };
    await assertMatchesOrt(model([{ op: 'TreeEnsembleRegressor', attrs, outputs: REG }], { type: 'float32', shape: ['N', 5] }), x);
  }
  // One target, uniform <= and < splits (the specialised walks), float32 and float64 inputs.
  for (const mode of ['BRANCH_LEQ', 'BRANCH_LT']) {
    const attrs = { n_targets: 1, ...randomV3(r, { trees: 40, depth: 8, features: 5, modes: [mode], targets: 1, votes: 'one', positive: false, missing: false }, 'target') };
    for (const type of ['float32', 'float64'] as const) {
      const xt = type === 'float32' ? x : f64([150, 5], Array.from(x.data as Float32Array));
      await assertMatchesOrt(model([{ op: 'TreeEnsembleRegressor', attrs, outputs: REG }], { type, shape: ['N', 5] }), xt);
    }
    // One to three rows walk four trees at a time.
    const bytes = model([{ op: 'TreeEnsembleRegressor', attrs, outputs: REG }], { type: 'float32', shape: ['N', 5] });
    for (const n of [1, 3]) await assertMatchesOrt(bytes, f32([n, 5], Array.from(x.data as Float32Array).slice(0, n * 5)));
  }
});

test('random forests match onnxruntime: classifiers (multi-class forests and boosting, binary cases)', async () => {
  const r = rng(11);
  const x = f32([133, 4], randomRows(r, 133, 4));
  const cases: [string, Record<string, AttrInput>][] = [];
  for (const post of POSTS) {
    cases.push([`forest ${post}`, { classlabels_int64s: [5, 6, 7, 8], post_transform: post,
      ...randomV3(r, { trees: 10, depth: 6, features: 4, modes: ALL_MODES, targets: 4, votes: 'all', positive: true, missing: true }, 'class') }]);
    cases.push([`boosting ${post}`, { classlabels_strings: ['u', 'v', 'w'], post_transform: post, base_values: floats([0.1, -0.2, 0.3]),
      ...randomV3(r, { trees: 15, depth: 5, features: 4, modes: ['BRANCH_LEQ', 'BRANCH_LT'], targets: 3, votes: 'one', positive: false, missing: false }, 'class') }]);
  }
  cases.push(['binary forest', { classlabels_int64s: [0, 1], ...randomV3(r, { trees: 10, depth: 6, features: 4, modes: ALL_MODES, targets: 2, votes: 0, positive: true, missing: true }, 'class') }]);
  cases.push(['binary boosting', { classlabels_strings: ['no', 'yes'], post_transform: 'LOGISTIC', base_values: floats([-0.25]),
    ...randomV3(r, { trees: 20, depth: 5, features: 4, modes: ['BRANCH_LT'], targets: 2, votes: 0, positive: false, missing: true }, 'class') }]);
  for (const [name, attrs] of cases) {
    const outputs = 'classlabels_strings' in attrs ? CLS_S : CLS_I;
    // onnxruntime's PROBIT works in float32, whose rounding the closed-form erf⁻¹ magnifies (~1e-4 absolute).
    const probit = name.endsWith('PROBIT');
    await assertMatchesOrt(model([{ op: 'TreeEnsembleClassifier', attrs, outputs }], { type: 'float32', shape: ['N', 4] }), x, probit ? 1e-3 : 1e-5, probit ? 2e-4 : 1e-6)
      .catch((e: Error) => { throw new Error(`${name}: ${e.message}`); });
  }
});

// ------------------------------------------------------------------ TreeEnsemble (ai.onnx.ml 5)

interface V5Tree { featureIds: number[]; modes: number[]; splits: number[]; trueIds: number[]; falseIds: number[]; trueLeafs: number[]; falseLeafs: number[]; roots: number[]; leafTargets: number[]; leafWeights: number[]; membership?: number[]; missing?: number[] }

function v5Attrs(t: V5Tree, type: DType, extra: Record<string, AttrInput> = {}): Record<string, AttrInput> {
  const typed = (v: number[]): Tensor => ({ type, dims: [v.length], data: type === 'float64' ? Float64Array.from(v) : Float32Array.from(v) });
  return {
    nodes_featureids: t.featureIds, nodes_modes: { type: 'uint8', dims: [t.modes.length], data: Uint8Array.from(t.modes) },
    nodes_splits: typed(t.splits), nodes_truenodeids: t.trueIds, nodes_falsenodeids: t.falseIds,
    nodes_trueleafs: t.trueLeafs, nodes_falseleafs: t.falseLeafs, tree_roots: t.roots,
    leaf_targetids: t.leafTargets, leaf_weights: typed(t.leafWeights),
    ...(t.membership ? { membership_values: typed(t.membership) } : {}),
    ...(t.missing ? { nodes_missing_value_tracks_true: t.missing } : {}),
    ...extra,
  };
}

// Tree 0: x0 <= 0.5 ? (x1 in {1, 3} ? leaf 0 : leaf 1) : leaf 3. Tree 1: a single leaf (2).
const V5_HAND: V5Tree = {
  featureIds: [0, 1, 0], modes: [0, 6, 0], splits: [0.5, NaN, 0], trueIds: [1, 0, 2], falseIds: [3, 1, 2],
  trueLeafs: [0, 1, 1], falseLeafs: [1, 1, 1], roots: [0, 2], membership: [1, 3, NaN],
  leafTargets: [0, 1, 1, 0], leafWeights: [1, 10, 1000, 100],
};

test('TreeEnsemble-5: set membership, a single-leaf tree, NaN tracking, float32 and float64 inputs', async () => {
  const rows = [0, 1, 0, 2, 1, 1, 0, NaN];
  for (const type of ['float32', 'float64'] as const) {
    const x: Input = { type, dims: [4, 2], data: type === 'float64' ? Float64Array.from(rows) : Float32Array.from(rows) };
    const y = await one('TreeEnsemble', v5Attrs(V5_HAND, type, { n_targets: 2 }), x, [['Y', type]], 5);
    assert.deepEqual(Array.from(y.Y.data), [1, 1000, 0, 1010, 100, 1000, 0, 1010], type);
  }
  const tracked = await one('TreeEnsemble', v5Attrs({ ...V5_HAND, missing: [0, 1, 0] }, 'float32', { n_targets: 2 }), f32([1, 2], [0, NaN]), [['Y', 'float32']], 5);
  assert.deepEqual(Array.from(tracked.Y.data), [1, 1000]);
  const avg = await one('TreeEnsemble', v5Attrs(V5_HAND, 'float32', { n_targets: 2, aggregate_function: 0 }), f32([1, 2], [0, 1]), [['Y', 'float32']], 5);
  assert.deepEqual(Array.from(avg.Y.data), [0.5, 500]);
  // post_transform 2 is LOGISTIC, 1 SOFTMAX (TreeEnsemble-5 numbers them).
  const lg = await one('TreeEnsemble', v5Attrs(V5_HAND, 'float32', { n_targets: 2, post_transform: 2 }), f32([1, 2], [1, 1]), [['Y', 'float32']], 5);
  assertClose(lg.Y.data, [logistic(100), logistic(1000)]);
  const sm = await one('TreeEnsemble', v5Attrs(V5_HAND, 'float32', { n_targets: 2, post_transform: 1 }), f32([1, 2], [0, 2]), [['Y', 'float32']], 5);
  assertClose(sm.Y.data, softmax([0, 1010]));
  const bytes = model([{ op: 'TreeEnsemble', attrs: v5Attrs(V5_HAND, 'float32', { n_targets: 2 }), outputs: [['Y', 'float32']] }], { type: 'float32', shape: ['N', 2] }, 5);
  await assertMatchesOrt(bytes, f32([4, 2], rows));
});

test('TreeEnsemble-5 on float16 inputs computes with float16 splits and rounds the output to float16', async () => {
  const t: V5Tree = { featureIds: [0], modes: [0], splits: [0.1], trueIds: [0], falseIds: [1], trueLeafs: [1], falseLeafs: [1], roots: [0], leafTargets: [0, 0], leafWeights: [0.1, 3] };
  const half = (v: number[]): Tensor => ({ type: 'float16', dims: [v.length], data: Float32Array.from(v) });
  const attrs = { ...v5Attrs(t, 'float32', { n_targets: 1 }), nodes_splits: half([0.0999755859375]), leaf_weights: half([0.0999755859375, 3]) };
  const x: Input = { type: 'float16', dims: [2, 1], data: [0.0999755859375, 0.10003662109375] };
  const y = await one('TreeEnsemble', attrs, x, [['Y', 'float16']], 5);
  assert.deepEqual(Array.from(y.Y.data as Uint16Array), [float32ToFloat16Bits(0.0999755859375), float32ToFloat16Bits(3)]);
});

test('random TreeEnsemble-5 models match onnxruntime (all split rules, membership, aggregates, transforms)', async () => {
  const r = rng(23);
  const n = 61, f = 4;
  const x = Array.from({ length: n * f }, () => (r() < 0.08 ? NaN : r() < 0.5 ? Math.floor(r() * 6) : pick(r, GRID)));
  for (const [agg, post] of [[1, 0], [0, 2], [2, 0], [3, 1], [1, 3], [1, 4]]) {
    const t: V5Tree = { featureIds: [], modes: [], splits: [], trueIds: [], falseIds: [], trueLeafs: [], falseLeafs: [], roots: [], leafTargets: [], leafWeights: [], membership: [], missing: [] };
    const grow = (depth: number): [number, number] => { // [index, isLeaf]
      if (depth >= 5 || (depth > 1 && r() < 0.25)) {
        t.leafTargets.push(Math.floor(r() * 3));
        t.leafWeights.push(Math.fround(r() * 2 - 1));
        return [t.leafWeights.length - 1, 1];
      }
      const i = t.modes.length;
      const mode = Math.floor(r() * 7);
      t.featureIds.push(Math.floor(r() * f)); t.modes.push(mode); t.splits.push(mode === 6 ? 0 : pick(r, GRID));
      t.missing?.push(r() < 0.3 ? 1 : 0);
      if (mode === 6) t.membership?.push(...new Set([Math.floor(r() * 6), Math.floor(r() * 6), Math.floor(r() * 6)]), NaN);
      t.trueIds.push(0); t.falseIds.push(0); t.trueLeafs.push(0); t.falseLeafs.push(0);
      [t.trueIds[i], t.trueLeafs[i]] = grow(depth + 1);
      [t.falseIds[i], t.falseLeafs[i]] = grow(depth + 1);
      return [i, 0];
    };
    for (let k = 0; k < 8; k++) { const [root, leaf] = grow(0); if (leaf) k--; else t.roots.push(root); }
    // onnxruntime 1.30 reads post_transform 1 as LOGISTIC and 2 as SOFTMAX (the ONNX
    // documents and reference: 1 SOFTMAX, 2 LOGISTIC); its model gets the swapped code.
    const mine = model([{ op: 'TreeEnsemble', attrs: v5Attrs(t, 'float32', { n_targets: 3, aggregate_function: agg, post_transform: post }), outputs: [['Y', 'float32']] }], { type: 'float32', shape: ['N', f] }, 5);
    const theirs = model([{ op: 'TreeEnsemble', attrs: v5Attrs(t, 'float32', { n_targets: 3, aggregate_function: agg, post_transform: post === 1 ? 2 : post === 2 ? 1 : post }), outputs: [['Y', 'float32']] }], { type: 'float32', shape: ['N', f] }, 5);
    await assertMatchesOrt(mine, f32([n, f], x), post === 4 ? 1e-3 : 1e-5, post === 4 ? 2e-4 : 1e-6, theirs)
      .catch((e: Error) => { throw new Error(`aggregate_function ${agg}, post_transform ${post}: ${e.message}`); });
  }
});

// ------------------------------------------------------------------ tree validation

test('tree attributes are validated at compile time, naming the attribute', async () => {
  const x = f32([1, 1], [0]);
  const reg = (attrs: Record<string, AttrInput>, opset = 3): Uint8Array => model([{ op: 'TreeEnsembleRegressor', attrs: { n_targets: 1, ...attrs }, outputs: REG }], { type: 'float32', shape: ['N', 1] }, opset);
  const base = v3Attrs([stump(0, 'BRANCH_LEQ', 0.5, [[0, 1]], [[0, 2]])], 'target');
  await assertRejects(reg({ ...base, nodes_truenodeids: [9, 0, 0] }), x, /nodes_truenodeids.*node 9/);
  await assertRejects(reg({ ...base, nodes_featureids: [0, 0] }), x, /nodes_featureids/);
  await assertRejects(reg({ ...base, nodes_nodeids: [0, 1, 1] }), x, /nodes_nodeids.*twice/);
  await assertRejects(reg({ ...base, nodes_modes: ['BRANCH_LEQ', 'LEAF', 'LEAVE'] }), x, /nodes_modes/);
  await assertRejects(reg({ ...base, target_ids: [0, 1] }), x, /target_ids/);
  await assertRejects(reg({ ...base, target_nodeids: [1, 4] }), x, /target_nodeids/);
  await assertRejects(reg({ ...base, base_values: floats([1, 2]) }), x, /base_values/);
  // Two roots in one tree; a cycle (0 → 1 → 0, so no root at all).
  const cyc = v3Attrs([[{ id: 0, f: 0, mode: 'BRANCH_LEQ', v: 0, yes: 1, no: 2 }, { id: 1, f: 0, mode: 'BRANCH_LEQ', v: 0, yes: 0, no: 2 }, { id: 2, votes: [[0, 1]] }]], 'target');
  await assertRejects(reg(cyc), x, /cycle/);
  const two = v3Attrs([[{ id: 0, votes: [[0, 1]] }, { id: 1, votes: [[0, 2]] }]], 'target');
  await assertRejects(reg(two), x, /2 nodes that no other node points to/);
  // TreeEnsemble-5: indices out of range, cycles, membership lists.
  const te = (t: V5Tree): Uint8Array => model([{ op: 'TreeEnsemble', attrs: v5Attrs(t, 'float32', { n_targets: 2 }), outputs: [['Y', 'float32']] }], { type: 'float32', shape: ['N', 2] }, 5);
  await assertRejects(te({ ...V5_HAND, falseIds: [9, 1, 2] }), x, /nodes_falsenodeids.*leaf 9/);
  await assertRejects(te({ ...V5_HAND, trueIds: [1, 0, 2], trueLeafs: [0, 0, 1] }), x, /cycle/);
  await assertRejects(te({ ...V5_HAND, membership: [] }), x, /membership_values/);
  await assertRejects(te({ ...V5_HAND, roots: [0, 7] }), x, /tree_roots/);
  await assertRejects(te({ ...V5_HAND, modes: [0, 9, 0] }), x, /nodes_modes/);
  // The older operators are deprecated from ai.onnx.ml 5 on.
  await assertRejects(reg(base, 5), x, /opset 5 is not supported/, 'MLC3002');
});

test('a feature index beyond the input is a run-time error', async () => {
  const attrs = { n_targets: 1, ...v3Attrs([stump(3, 'BRANCH_LEQ', 0.5, [[0, 1]], [[0, 2]])], 'target') };
  await assert.rejects(one('TreeEnsembleRegressor', attrs, f32([1, 2], [0, 0]), REG), /feature 3.*2 features/);
});

// ------------------------------------------------------------------ LinearClassifier, LinearRegressor

test('LinearClassifier: several classes, int64 and string labels, every post_transform', async () => {
  const attrs = { coefficients: floats([1, -1, 0.5, 0.5, -1, 0]), intercepts: floats([0, 0.1, 0.2]), classlabels_ints: [1, 2, 3] };
  const raw = [[-1, 1.6, -0.8], [0, -0.9, 1.2]];
  const x = f32([2, 2], [1, 2, -1, -1]);
  const transform: Record<string, (s: number[]) => number[]> = { NONE: (s) => s, LOGISTIC: (s) => s.map(logistic), SOFTMAX: softmax };
  for (const [post, fn] of Object.entries(transform)) {
    const y = await assertMatchesOrt(model([{ op: 'LinearClassifier', attrs: { ...attrs, post_transform: post }, outputs: CLS_I }], { type: 'float32', shape: ['N', 2] }, 1), x);
    assert.deepEqual(labelsOf(y.Y), ['2', '3']);
    assertClose(y.Z.data, raw.flatMap(fn), 1e-6, 1e-7, post);
  }
  for (const post of ['SOFTMAX_ZERO', 'PROBIT']) {
    await assertMatchesOrt(model([{ op: 'LinearClassifier', attrs: { ...attrs, post_transform: post }, outputs: CLS_I }], { type: 'float32', shape: ['N', 2] }, 1), x, 1e-3, 2e-4);
  }
  const s = await one('LinearClassifier', { ...attrs, classlabels_ints: [], classlabels_strings: ['a', 'b', 'c'] }, i32([2, 2], [1, 2, -1, -1]), CLS_S, 1);
  assert.deepEqual(Array.from(s.Y.data), ['b', 'c']);
  // Without intercepts, the class count comes from the coefficients and the input's features.
  const noInt = await one('LinearClassifier', { coefficients: attrs.coefficients, classlabels_ints: [1, 2, 3] }, f64([1, 2], [1, 2]), CLS_I, 1);
  assertClose(noInt.Z.data, [-1, 1.5, -1]);
});

test('LinearClassifier, binary case: one score row gives [1 - t, t], t the transformed score (as onnxruntime)', async () => {
  const attrs = { coefficients: floats([1, -1]), intercepts: floats([0.5]), classlabels_strings: ['neg', 'pos'] };
  const x = f32([2, 2], [1, 2, 2, 1]); // s = -0.5, 1.5
  const want: Record<string, number[]> = {
    NONE: [1.5, -0.5, -0.5, 1.5], SOFTMAX: [1.5, -0.5, -0.5, 1.5], // the softmax of one score is left out
    LOGISTIC: [logistic(0.5), logistic(-0.5), logistic(-1.5), logistic(1.5)],
  };
  for (const [post, w] of Object.entries(want)) {
    const bytes = model([{ op: 'LinearClassifier', attrs: { ...attrs, post_transform: post }, outputs: CLS_S }], { type: 'float32', shape: ['N', 2] }, 1);
    const y = await assertMatchesOrt(bytes, x);
    assert.deepEqual(Array.from(y.Y.data), ['neg', 'pos']);
    assertClose(y.Z.data, w, 1e-6, 1e-7, post);
  }
  // PROBIT: [1 - probit(s), probit(s)] (onnxruntime writes probit(s) of every row first, then zeros).
  const p = await one('LinearClassifier', { ...attrs, intercepts: floats([0.75]), post_transform: 'PROBIT' }, f32([1, 2], [1, 1.5]), CLS_S, 1);
  assertClose(p.Z.data, [1 + 0.6744897501960817, -0.6744897501960817], 2e-4); // s = 0.25
});

test('LinearRegressor: several targets, intercepts, post_transform, any numeric input', async () => {
  const attrs = { coefficients: floats([1, 2, 3, 4]), intercepts: floats([0.5, -0.5]), targets: 2 };
  const y = await assertMatchesOrt(model([{ op: 'LinearRegressor', attrs, outputs: REG }], { type: 'float32', shape: ['N', 2] }, 1), f32([2, 2], [1, 1, 0.5, -1]));
  assertClose(y.Y.data, [3.5, 6.5, -1, -3]);
  assertClose((await one('LinearRegressor', attrs, i64([1, 2], [1, 1]), REG, 1)).Y.data, [3.5, 6.5]);
  assertClose((await one('LinearRegressor', attrs, f64([2], [1, 1]), REG, 1)).Y.data, [3.5, 6.5]);
  const sm = await assertMatchesOrt(model([{ op: 'LinearRegressor', attrs: { ...attrs, post_transform: 'SOFTMAX' }, outputs: REG }], { type: 'float32', shape: ['N', 2] }, 1), f32([1, 2], [1, 1]));
  assertClose(sm.Y.data, softmax([3.5, 6.5]));
  // One target: LOGISTIC applies (onnxruntime ignores it there).
  const lg = await one('LinearRegressor', { coefficients: floats([1, -2]), intercepts: floats([0.25]), post_transform: 'LOGISTIC' }, f32([1, 2], [1, 1]), REG, 1);
  assertClose(lg.Y.data, [logistic(-0.75)]);
});

test('random linear models match onnxruntime (several blocks of rows, every post_transform)', async () => {
  const r = rng(3);
  const f = 6, n = 70;
  const x = f32([n, f], Array.from({ length: n * f }, () => r() * 4 - 2));
  const rand = (k: number): AttrInput => floats(Array.from({ length: k }, () => Math.fround(r() * 2 - 1)));
  for (const post of POSTS) {
    const probit = post === 'PROBIT';
    const lc = { coefficients: rand(4 * f), intercepts: rand(4), classlabels_ints: [1, 2, 3, 4], post_transform: post };
    await assertMatchesOrt(model([{ op: 'LinearClassifier', attrs: lc, outputs: CLS_I }], { type: 'float32', shape: ['N', f] }, 1), x, probit ? 1e-3 : 1e-5, probit ? 2e-4 : 1e-6);
    const lr = { coefficients: rand(3 * f), intercepts: rand(3), targets: 3, post_transform: post };
    await assertMatchesOrt(model([{ op: 'LinearRegressor', attrs: lr, outputs: REG }], { type: 'float32', shape: ['N', f] }, 1), x, probit ? 1e-3 : 1e-5, probit ? 2e-4 : 1e-6);
  }
  const bin = { coefficients: rand(f), intercepts: rand(1), classlabels_strings: ['a', 'b'], post_transform: 'LOGISTIC' };
  await assertMatchesOrt(model([{ op: 'LinearClassifier', attrs: bin, outputs: CLS_S }], { type: 'float32', shape: ['N', f] }, 1), x);
});

test('linear models validate their attributes', async () => {
  const x = f32([1, 2], [1, 1]);
  const lr = (attrs: Record<string, AttrInput>): Uint8Array => model([{ op: 'LinearRegressor', attrs, outputs: REG }], { type: 'float32', shape: ['N', 2] }, 1);
  await assertRejects(lr({ coefficients: floats([1, 2, 3, 4]), intercepts: floats([1, 2, 3]), targets: 2 }), x, /intercepts/);
  await assertRejects(lr({ coefficients: floats([1, 2, 3]), targets: 2 }), x, /coefficients/);
  const lc = (attrs: Record<string, AttrInput>): Uint8Array => model([{ op: 'LinearClassifier', attrs, outputs: CLS_I }], { type: 'float32', shape: ['N', 2] }, 1);
  await assertRejects(lc({ coefficients: floats([1, 2, 3, 4]), intercepts: floats([1, 2]), classlabels_ints: [1, 2, 3] }), x, /coefficients/);
  await assertRejects(lc({ coefficients: floats([1, 2]), intercepts: floats([1]) }), x, /class labels/);
});

// ------------------------------------------------------------------ SVMClassifier, SVMRegressor

test('SVMRegressor: RBF, POLY, SIGMOID and LINEAR kernels, LIBLINEAR form, one_class', async () => {
  const sv = { support_vectors: floats([0, 0, 1, 1]), n_supports: 2, coefficients: floats([1, -2]), rho: floats([0.5]) };
  const x = f32([2, 2], [0, 1, 2, -1]);
  const k = {
    RBF: (a: number[], b: number[]): number => Math.exp(-0.5 * ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2)),
    POLY: (a: number[], b: number[]): number => (0.5 * (a[0] * b[0] + a[1] * b[1]) + 1) ** 3,
    SIGMOID: (a: number[], b: number[]): number => Math.tanh(0.5 * (a[0] * b[0] + a[1] * b[1]) + 1),
    LINEAR: (a: number[], b: number[]): number => a[0] * b[0] + a[1] * b[1],
  };
  for (const [kernel, fn] of Object.entries(k)) {
    const attrs = { ...sv, kernel_type: kernel, kernel_params: floats([0.5, 1, 3]) };
    const want = [[0, 1], [2, -1]].map((row) => fn(row, [0, 0]) - 2 * fn(row, [1, 1]) + 0.5);
    const y = await assertMatchesOrt(model([{ op: 'SVMRegressor', attrs, outputs: REG }], { type: 'float32', shape: ['N', 2] }, 1), x);
    assertClose(y.Y.data, want, 1e-6, 1e-6, kernel);
    const oc = await one('SVMRegressor', { ...attrs, one_class: 1 }, x, REG, 1);
    assert.deepEqual(Array.from(oc.Y.data), want.map((v) => (v > 0 ? 1 : -1)), `${kernel} one_class`);
  }
  const lin = await one('SVMRegressor', { coefficients: floats([2, 3]), rho: floats([1]), n_supports: 0 }, x, REG, 1);
  assertClose(lin.Y.data, [4, 2]);
  const lg = await one('SVMRegressor', { coefficients: floats([2, 3]), rho: floats([1]), post_transform: 'LOGISTIC' }, x, REG, 1);
  assertClose(lg.Y.data, [logistic(4), logistic(2)]); // onnxruntime ignores post_transform here
});

test('SVMClassifier: one-vs-one votes over three classes, pairwise scores, ties to the first class', async () => {
  // Linear kernel; class support vectors A = (1, 0), B = (0, 1), C = (1, 1).
  const attrs = {
    classlabels_strings: ['A', 'B', 'C'], vectors_per_class: [1, 1, 1], support_vectors: floats([1, 0, 0, 1, 1, 1]),
    coefficients: floats([1, -1, 0.5, -0.5, 1, -1]), rho: floats([0, 0.5, -1]), kernel_type: 'LINEAR', kernel_params: floats([0, 0, 1]),
  };
  // x = (2, 1): AB = 2 - 1 = 1 (A), AC = -1 + 1.5 + 0.5 = 1 (A), BC = 1 - 3 - 1 = -3 (C): A wins.
  // x = (0, 1): AB = -1 (B), AC = 0.5 + 0.5 = 1 (A), BC = 1 - 1 - 1 = -1 (C): one vote each, A first.
  const bytes = model([{ op: 'SVMClassifier', attrs, outputs: CLS_S }], { type: 'float32', shape: ['N', 2] }, 1);
  const y = await assertMatchesOrt(bytes, f32([2, 2], [2, 1, 0, 1]));
  assert.deepEqual(Array.from(y.Y.data), ['A', 'A']);
  assert.deepEqual(y.Z.dims, [2, 3]);
  assertClose(y.Z.data, [1, 1, -3, -1, 1, -1]);
});

test('SVMClassifier, two classes: scores [-s, s], Platt probabilities, labels by vote', async () => {
  const attrs = {
    classlabels_ints: [4, 9], vectors_per_class: [1, 1], support_vectors: floats([1, 0, 0, 1]),
    coefficients: floats([1, -1]), rho: floats([0.25]), kernel_type: 'RBF', kernel_params: floats([0.5, 0, 0]),
  };
  const x = f32([2, 2], [1, 0, 0, 1]);
  const k = (a: number[], b: number[]): number => Math.exp(-0.5 * ((a[0] - b[0]) ** 2 + (a[1] - b[1]) ** 2));
  const s = [[1, 0], [0, 1]].map((row) => k(row, [1, 0]) - k(row, [0, 1]) + 0.25);
  const plain = await assertMatchesOrt(model([{ op: 'SVMClassifier', attrs, outputs: CLS_I }], { type: 'float32', shape: ['N', 2] }, 1), x);
  assert.deepEqual(labelsOf(plain.Y), ['4', '9']); // s > 0 votes for the first class
  assertClose(plain.Z.data, s.flatMap((v) => [-v, v]), 1e-6, 1e-7);
  const withProb = { ...attrs, prob_a: floats([-2]), prob_b: floats([0.1]) };
  const p = await assertMatchesOrt(model([{ op: 'SVMClassifier', attrs: withProb, outputs: CLS_I }], { type: 'float32', shape: ['N', 2] }, 1), x, 1e-5);
  // Pairwise coupling of two classes gives [p, 1 - p] for the Platt estimate p (up to its tolerance).
  const platt = s.map((v) => 1 / (1 + Math.exp(v * -2 + 0.1)));
  assertClose(p.Z.data, platt.flatMap((v) => [v, 1 - v]), 1e-5, 1e-5);
});

test('random SVM classifiers and regressors match onnxruntime (all kernels, probabilities, LIBLINEAR form)', async () => {
  const r = rng(5);
  const f = 3, n = 70; // more than one block of 64 rows, not a multiple of 4
  const x = f32([n, f], Array.from({ length: n * f }, () => r() * 2 - 1));
  const rand = (k: number, scale = 1): number[] => Array.from({ length: k }, () => Math.fround((r() * 2 - 1) * scale));
  for (const kernel of ['LINEAR', 'POLY', 'RBF', 'SIGMOID']) {
    for (const c of [2, 4]) {
      const per = Array.from({ length: c }, () => 1 + Math.floor(r() * 3));
      const v = per.reduce((a, b) => a + b, 0), pairs = (c * (c - 1)) / 2;
      const base = {
        classlabels_ints: Array.from({ length: c }, (_, i) => 100 + i), vectors_per_class: per, support_vectors: floats(rand(v * f)),
        coefficients: floats(rand((c - 1) * v)), rho: floats(rand(pairs, 0.5)), kernel_type: kernel, kernel_params: floats([0.7, 0.3, 2]),
      };
      for (const attrs of [base, { ...base, prob_a: floats(rand(pairs, 3)), prob_b: floats(rand(pairs, 0.5)) }]) {
        await assertMatchesOrt(model([{ op: 'SVMClassifier', attrs, outputs: CLS_I }], { type: 'float32', shape: ['N', f] }, 1), x, 1e-4, 1e-5)
          .catch((e: Error) => { throw new Error(`${kernel} ${c} classes${'prob_a' in attrs ? ' with probabilities' : ''}: ${e.message}`); });
      }
    }
    const reg = { support_vectors: floats(rand(5 * f)), n_supports: 5, coefficients: floats(rand(5)), rho: floats([0.1]), kernel_type: kernel, kernel_params: floats([0.7, 0.3, 3]) };
    await assertMatchesOrt(model([{ op: 'SVMRegressor', attrs: reg, outputs: REG }], { type: 'float32', shape: ['N', f] }, 1), x, 1e-5, 1e-5);
  }
  const liblinear = { classlabels_ints: [1, 2, 3], coefficients: floats(rand(3 * f)), rho: floats([0.2]), kernel_params: floats([0, 0, 1]) };
  await assertMatchesOrt(model([{ op: 'SVMClassifier', attrs: liblinear, outputs: CLS_I }], { type: 'float32', shape: ['N', f] }, 1), x);
});

test('SVM attributes are validated at compile time', async () => {
  const x = f32([1, 2], [1, 1]);
  const svc = (attrs: Record<string, AttrInput>): Uint8Array => model([{ op: 'SVMClassifier', attrs, outputs: CLS_I }], { type: 'float32', shape: ['N', 2] }, 1);
  const ok = { classlabels_ints: [1, 2], vectors_per_class: [1, 1], support_vectors: floats([1, 0, 0, 1]), coefficients: floats([1, -1]), rho: floats([0]) };
  await assertRejects(svc({ ...ok, coefficients: floats([1, -1, 2]) }), x, /coefficients/);
  await assertRejects(svc({ ...ok, vectors_per_class: [1, 1, 1] }), x, /vectors_per_class/);
  await assertRejects(svc({ ...ok, rho: floats([0, 1]) }), x, /rho/);
  await assertRejects(svc({ ...ok, prob_a: floats([1]) }), x, /prob_b/);
  await assertRejects(svc({ ...ok, kernel_type: 'CUBIC' }), x, /kernel_type/);
  const svr = model([{ op: 'SVMRegressor', attrs: { support_vectors: floats([1, 0, 0]), n_supports: 2, coefficients: floats([1, 1]), rho: floats([0]) }, outputs: REG }], { type: 'float32', shape: ['N', 2] }, 1);
  await assertRejects(svr, x, /support_vectors/);
});

// ------------------------------------------------------------------ speed-related properties

test('single rows and blocks score bit for bit as the plain loops (SVM kernels, several linear classes)', async () => {
  // The one-row paths run four support vectors (or classes) side by side and the
  // batch paths four rows: every sum must still add its terms in the plain order.
  const r = rng(11);
  const f = 5, v = 7, n = 6; // 7 = 4 + 3 support vectors, 6 = 4 + 2 rows
  const rand = (k: number): number[] => Array.from({ length: k }, () => Math.fround(r() * 2 - 1));
  const xs = rand(n * f), sv = rand(v * f), coef = rand(v), rho = Math.fround(0.25);
  const g = Math.fround(0.7), c0 = Math.fround(0.3); // kernel_params are floats
  const dot = (row: number, j: number, sub: boolean): number => {
    let acc = 0;
    for (let i = 0; i < f; i++) { const d = sub ? xs[row * f + i] - sv[j * f + i] : xs[row * f + i] * sv[j * f + i]; acc += sub ? d * d : d; }
    return acc;
  };
  const kernels: Record<string, (row: number, j: number) => number> = {
    RBF: (row, j) => Math.exp(-g * dot(row, j, true)),
    POLY: (row, j) => { const b = g * dot(row, j, false) + c0; return b * b * b; },
    SIGMOID: (row, j) => Math.tanh(g * dot(row, j, false) + c0),
  };
  for (const [kernel, k] of Object.entries(kernels)) {
    const want = Array.from({ length: n }, (_, row) => {
      let acc = rho;
      for (let j = 0; j < v; j++) acc += coef[j] * k(row, j);
      return Math.fround(acc);
    });
    const attrs = { support_vectors: floats(sv), n_supports: v, coefficients: floats(coef), rho: floats([rho]), kernel_type: kernel, kernel_params: floats([g, c0, 3]) };
    const { mod } = await compileBytes(model([{ op: 'SVMRegressor', attrs, outputs: REG }], { type: 'float32', shape: ['N', f] }, 1));
    for (let row = 0; row < n; row++) {
      const y = mod.run({ X: { type: 'float32', dims: [1, f], data: Float32Array.from(xs.slice(row * f, (row + 1) * f)) } });
      assert.equal(y.Y.data[0], want[row], `${kernel} row ${row} alone`);
    }
    // Blocks use a faster tanh (a few ulps from Math.tanh): exact for the others only.
    if (kernel !== 'SIGMOID') {
      const y = mod.run({ X: { type: 'float32', dims: [n, f], data: Float32Array.from(xs) } });
      assert.deepEqual(Array.from(y.Y.data), want, `${kernel} in one block`);
    }
  }
  const classes = 5, w = rand(classes * f), b = rand(classes);
  const scores = Array.from({ length: n * classes }, (_, at) => {
    const row = Math.floor(at / classes), c = at % classes;
    let acc = b[c];
    for (let i = 0; i < f; i++) acc += xs[row * f + i] * w[c * f + i];
    return Math.fround(acc);
  });
  const lc = { coefficients: floats(w), intercepts: floats(b), classlabels_ints: [1, 2, 3, 4, 5] };
  const { mod } = await compileBytes(model([{ op: 'LinearClassifier', attrs: lc, outputs: CLS_I }], { type: 'float32', shape: ['N', f] }, 1));
  for (let row = 0; row < n; row++) {
    const y = mod.run({ X: { type: 'float32', dims: [1, f], data: Float32Array.from(xs.slice(row * f, (row + 1) * f)) } });
    assert.deepEqual(Array.from(y.Z.data), scores.slice(row * classes, (row + 1) * classes), `linear row ${row}`);
  }
  const all = mod.run({ X: { type: 'float32', dims: [n, f], data: Float32Array.from(xs) } });
  assert.deepEqual(Array.from(all.Z.data), scores, 'linear block');
});

test('the tree walk is optimised by TurboFan on a large forest (no giant generated function)', () => {
  // Builds a 300-tree forest with the real table builder, runs the kernel, and asks V8
  // for the optimisation status of the kernel and of the walk loop (by name, via --trace-opt).
  const script = `
    import { forestFromV5, layoutForest } from './runtime/ml/tree-build.ts';
    import { treeEnsembleRegressor } from './runtime/ml/tree-ensemble.ts';
    import { NodeCtx } from './runtime/tensor/tensor.ts';
    let s = 1; const r = () => { s = (Math.imul(s, 1664525) + 1013904223) >>> 0; return s / 2 ** 32; };
    const a = { featureIds: [], modes: [], splits: [], trueIds: [], falseIds: [], trueLeafs: [], falseLeafs: [], missingTrue: [], membership: null, treeRoots: [], leafTargets: [], leafWeights: [], targets: 1 };
    const grow = (d) => {
      if (d === 8) { a.leafTargets.push(0); a.leafWeights.push(r()); return [a.leafWeights.length - 1, 1]; }
      const i = a.modes.length;
      a.featureIds.push(Math.floor(r() * 10)); a.modes.push(0); a.splits.push(r()); a.trueIds.push(0); a.falseIds.push(0); a.trueLeafs.push(0); a.falseLeafs.push(0);
      [a.trueIds[i], a.trueLeafs[i]] = grow(d + 1); [a.falseIds[i], a.falseLeafs[i]] = grow(d + 1);
      return [i, 0];
    };
    for (let t = 0; t < 300; t++) a.treeRoots.push(grow(0)[0]);
    const fail = (n, m) => { throw new Error(n + ' ' + m); };
    const f = layoutForest(forestFromV5(a, fail), 1, false, fail);
    const T = (type, data) => data === null ? null : { type, dims: [data.length], data };
    const attrs = { nodes: T('int32', f.nodes), double: false, nanc: null, mode: null, uniform: f.uniform, members: null, roots: T('int32', f.roots),
      leafStart: null, leafTarget: null, leafWeight: T('float32', f.leafWeight), targets: 1, maxFeature: f.maxFeature, aggregate: 1, base: null, post: 0, outType: 'float32' };
    const ctx = new NodeCtx('n');
    const x = { type: 'float32', dims: [16, 10], data: Float32Array.from({ length: 160 }, r) };
    for (let i = 0; i < 3000; i++) treeEnsembleRegressor(ctx, [x], attrs);
    const status = %GetOptimizationStatus(treeEnsembleRegressor);
    console.log('STATUS ' + status);
  `;
  const res = spawnSync(process.execPath, ['--allow-natives-syntax', '--trace-opt', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: new URL('../..', import.meta.url).pathname, maxBuffer: 256 * 1024 * 1024 });
  assert.equal(res.status, 0, res.stderr);
  const status = Number(/STATUS (\d+)/.exec(res.stdout)?.[1]);
  const TURBOFANNED = 1 << 6, OPTIMIZED = 1 << 4;
  assert.ok((status & OPTIMIZED) !== 0 && (status & TURBOFANNED) !== 0, `kernel status ${status}`);
  assert.match(res.stdout, /completed (optimizing|compiling) .*<JSFunction (leqF32|accumulate) .*TURBOFAN/, 'the walk loop reaches TurboFan');
});

test('a 1,000-tree depth-10 forest compiles in under 10 s and its module loads in under 1 s', { skip: process.env.MLCOMPILE_BIG_FOREST ? false : 'set MLCOMPILE_BIG_FOREST=1 (builds a 50 MB model)' }, async () => {
  const r = rng(1);
  const trees: TNode[][] = [];
  for (let t = 0; t < 1000; t++) {
    const nodes: TNode[] = [];
    const grow = (d: number): number => {
      const id = nodes.length, node: TNode = { id };
      nodes.push(node);
      if (d === 10) { node.votes = [[0, Math.fround(r() - 0.5)]]; return id; }
      Object.assign(node, { f: Math.floor(r() * 20), mode: 'BRANCH_LEQ', v: Math.fround(r() * 2 - 1) });
      node.yes = grow(d + 1);
      node.no = grow(d + 1);
      return id;
    };
    grow(0);
    trees.push(nodes);
  }
  const bytes = model([{ op: 'TreeEnsembleRegressor', attrs: { n_targets: 1, ...v3Attrs(trees, 'target') }, outputs: REG }], { type: 'float32', shape: ['N', 20] });
  const t0 = performance.now();
  const { mod, files } = await compileBytes(bytes);
  const compileMs = performance.now() - t0;
  const { writeFileSync, mkdtempSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const path = join(mkdtempSync(join(tmpdir(), 'mlc-forest-')), 'big.mjs');
  writeFileSync(path, files['model.mjs']);
  const t1 = performance.now();
  await import(path);
  const loadMs = performance.now() - t1;
  console.log(`1000 trees × depth 10: ${(bytes.length / 1e6).toFixed(1)} MB ONNX; compile ${compileMs.toFixed(0)} ms (incl. import); module ${(files['model.mjs'].length / 1e6).toFixed(1)} MB, load ${loadMs.toFixed(0)} ms`);
  assert.ok(mod.run({ X: { type: 'float32', dims: [1, 20], data: new Float32Array(20) } }).Y.dims.length === 2);
  assert.ok(compileMs < 10_000, `compile took ${compileMs.toFixed(0)} ms`);
  assert.ok(loadMs < 1_000, `load took ${loadMs.toFixed(0)} ms`);
});
