// Tree ensemble kernels: TreeEnsembleRegressor and TreeEnsembleClassifier (ai.onnx.ml
// 1 and 3) and TreeEnsemble (5). Registry: src/frontends/onnx/ops/ml-models.ts; the
// tables are built at compile time by runtime/ml/tree-build.ts.
//
// A forest is a set of flat typed-array tables walked iteratively in a small loop,
// never a generated function per tree: V8 optimises this loop whatever the forest's
// size (very large functions stay unoptimised; see shared/LESSONS.md). Each decision
// node is one record (feature, threshold, children) in one Int32Array, so a step of
// the walk touches one cache line; in the common uniform cases the child is selected
// without a branch. Child references r >= 0 are decision nodes, r < 0 leaf ~r.
// Split rules are <=, <, == and set membership (>=, >, != were rewritten at compile
// time by swapping children); `nanc` holds the child NaN goes to where that is not the
// false child. Thresholds keep the precision the model gave them (float32 or float64)
// and are compared with the input value exactly; integer inputs are rounded to float32
// first (runtime/ml/model-io.ts), as the reference implementation does.
//
// Rows are scored in blocks: trees in the outer loop, the block's rows in the inner
// one, so a tree's nodes stay in cache across rows, and rows walk a tree four at a
// time. Scores are summed in float64.

import { fail, type NodeCtx, type Tensor } from '../tensor/tensor.js';
import { allocLabels, readRows, setLabel, type Rows } from './model-io.js';
import { POST_NONE, POST_PROBIT, postTransform } from './post-transform.js';

/** Split rules of the laid-out tables. */
export const SPLIT_LEQ = 0;
export const SPLIT_LT = 1;
export const SPLIT_EQ = 2;
export const SPLIT_MEMBER = 3;

/** aggregate_function codes (TreeEnsemble-5's numbering). */
export const AGG_AVERAGE = 0;
export const AGG_SUM = 1;
export const AGG_MIN = 2;
export const AGG_MAX = 3;

const BLOCK = 128;

type Inputs = readonly (Tensor | undefined)[];
type Num = Float32Array | Float64Array;

/**
 * Where a decision node's fields sit in its record of the `nodes` Int32Array: the
 * feature index at word 0, the false child at `child` and the true child at
 * `child + 1`, the threshold at thrScale·n + thrOffset of the Float32Array (or
 * Float64Array) view of the same memory.
 */
export interface NodeRecord { readonly words: number; readonly child: number; readonly thrScale: number; readonly thrOffset: number }
/** [feature, threshold (float32), false child, true child] */
export const RECORD_F32: NodeRecord = { words: 4, child: 2, thrScale: 4, thrOffset: 1 };
/** [feature, false child, true child, unused, threshold (float64)] */
export const RECORD_F64: NodeRecord = { words: 6, child: 1, thrScale: 3, thrOffset: 2 };

/** The laid-out forest (see runtime/ml/tree-build.ts for how each table is made). */
export interface ForestAttrs {
  /** Decision node records (NodeRecord). */
  readonly nodes: Tensor;
  /** Thresholds are float64 (RECORD_F64) rather than float32 (RECORD_F32). */
  readonly double: boolean;
  /** Per node, the child NaN goes to; null when that is always the false child. */
  readonly nanc: Tensor | null;
  /** Per node split rule, when they differ (`uniform` is then -1). */
  readonly mode: Tensor | null;
  readonly uniform: number;
  /** BRANCH_MEMBER sets: for such a node, the threshold is the offset of [count, sorted values...]. */
  readonly members: Tensor | null;
  /** One reference per tree. */
  readonly roots: Tensor;
  /** Leaf j's weights are entries leafStart[j] .. leafStart[j+1]-1; null: exactly entry j. */
  readonly leafStart: Tensor | null;
  /** Target (class) of each weight; null when there is a single target. */
  readonly leafTarget: Tensor | null;
  readonly leafWeight: Tensor;
  /** Number of targets (regression) or classes. */
  readonly targets: number;
  readonly maxFeature: number;
  /**
   * Small forests: the same trees as generated straight code (generators/module/
   * specialize-trees.ts), adding the weights row x[o..] reaches to s[b + target] and
   * marking h[b + target] (unless single-target and one weight per leaf). Absent: walk the tables.
   */
  readonly walker?: (x: Num, o: number, s: Float64Array, h: Uint8Array, b: number) => void;
}

export interface RegressorAttrs extends ForestAttrs {
  readonly aggregate: number;
  /** base_values, one per target, or null. */
  readonly base: Tensor | null;
  readonly post: number;
  /** Output element type: float32 for TreeEnsembleRegressor, the input's for TreeEnsemble. */
  readonly outType: 'float32' | 'float64' | 'float16' | null;
}

export interface ClassifierAttrs extends ForestAttrs {
  /** base_values (0, 1 or one per class values). */
  readonly base: Tensor;
  readonly post: number;
  readonly labels: Tensor;
  /**
   * The binary case (2 classes, every weight on one class id): that id, else -1.
   * Its one score column s yields two: [1 - s, s] when the weights are probabilities
   * (all >= 0 and no post-transform but PROBIT), else [-s, s]; then post_transform.
   */
  readonly binaryClass: number;
  readonly binaryProbability: boolean;
}

// ------------------------------------------------------------------ walking the trees

function isMember(v: number, m: Float64Array, at: number): boolean {
  if (v !== v) return false;
  let lo = at + 1, hi = at + 1 + m[at];
  while (lo < hi) {
    const mid = (lo + hi) >> 1, y = m[mid];
    if (y < v) lo = mid + 1;
    else if (y > v) hi = mid;
    else return true;
  }
  return false;
}

const WALK_LEQ_F32 = 0, WALK_LT_F32 = 1, WALK_LEQ_F64 = 2, WALK_LT_F64 = 3;

/** Typed-array views of one forest's tables, made once per attrs object. */
class Forest {
  readonly nodes: Int32Array;
  readonly thr: Num;
  readonly words: number;
  readonly child: number;
  readonly thrScale: number;
  readonly thrOffset: number;
  readonly nanc: Int32Array | null;
  readonly mode: Uint8Array;
  readonly members: Float64Array;
  readonly uniform: number;
  /** The specialised walk to use (WALK_*), or -1 for the general one. */
  readonly fast: number;
  readonly roots: Int32Array;

  constructor(a: ForestAttrs) {
    const nodes = a.nodes.data as Int32Array, rec = a.double ? RECORD_F64 : RECORD_F32;
    this.nodes = nodes;
    this.thr = a.double ? new Float64Array(nodes.buffer, nodes.byteOffset, nodes.length >> 1) : new Float32Array(nodes.buffer, nodes.byteOffset, nodes.length);
    this.words = rec.words;
    this.child = rec.child;
    this.thrScale = rec.thrScale;
    this.thrOffset = rec.thrOffset;
    this.nanc = a.nanc === null ? null : (a.nanc.data as Int32Array);
    this.mode = (a.mode?.data ?? new Uint8Array(0)) as Uint8Array;
    this.members = (a.members?.data ?? new Float64Array(0)) as Float64Array;
    this.uniform = a.uniform;
    const simple = a.nanc === null && (a.uniform === SPLIT_LEQ || a.uniform === SPLIT_LT);
    this.fast = !simple ? -1 : (a.uniform === SPLIT_LEQ ? WALK_LEQ_F32 : WALK_LT_F32) + (a.double ? 2 : 0);
    this.roots = a.roots.data as Int32Array;
  }

  /** The leaf tree `t` reaches for the row starting at x[off]. */
  leaf(t: number, x: Num, off: number): number {
    const root = this.roots[t];
    if (root < 0) return ~root;
    switch (this.fast) {
      case WALK_LEQ_F32: return this.leqF32(root, x, off);
      case WALK_LT_F32: return this.ltF32(root, x, off);
      case WALK_LEQ_F64: return this.leqF64(root, x, off);
      case WALK_LT_F64: return this.ltF64(root, x, off);
      default: return this.walkAny(root, x, off);
    }
  }

  /** Whether walks can run four in step (the uniform float32 cases). */
  get interleaves(): boolean {
    return this.fast === WALK_LEQ_F32 || this.fast === WALK_LT_F32;
  }

  /** The leaves tree `t` reaches for rows r0..r1-1 (row r at x[r·nf]), into out[0..r1-r0). */
  leaves(t: number, x: Num, r0: number, r1: number, nf: number, out: Int32Array): void {
    const root = this.roots[t];
    let r = r0;
    if (this.interleaves) {
      for (; r + 4 <= r1; r += 4) this.walk4(x, root, r * nf, root, (r + 1) * nf, root, (r + 2) * nf, root, (r + 3) * nf, out, r - r0);
    }
    for (; r < r1; r++) out[r - r0] = this.leaf(t, x, r * nf);
  }

  /** The leaves every tree reaches for the row at x[off], into out[0..trees). */
  rowLeaves(x: Num, off: number, out: Int32Array): void {
    const roots = this.roots, trees = roots.length;
    let t = 0;
    if (this.interleaves) {
      for (; t + 4 <= trees; t += 4) this.walk4(x, roots[t], off, roots[t + 1], off, roots[t + 2], off, roots[t + 3], off, out, t);
    }
    for (; t < trees; t++) out[t] = this.leaf(t, x, off);
  }

  /**
   * Four walks (from node n_i, for the row at x[o_i]) run in step while none has reached
   * a leaf, then each finishes alone; their leaves go to out[at..at+3]. The four chains
   * of dependent loads overlap: 1.3 to 1.8 times faster than one walk after another,
   * over the rows of a batch or over the trees of one row.
   */
  private walk4(x: Num, n0: number, o0: number, n1: number, o1: number, n2: number, o2: number, n3: number, o3: number, out: Int32Array, at: number): void {
    const nodes = this.nodes, thr = this.thr;
    if (this.fast === WALK_LEQ_F32) {
      while (n0 >= 0 && n1 >= 0 && n2 >= 0 && n3 >= 0) {
        let b = n0 << 2; n0 = nodes[b + 2 + +(x[o0 + nodes[b]] <= thr[b + 1])];
        b = n1 << 2; n1 = nodes[b + 2 + +(x[o1 + nodes[b]] <= thr[b + 1])];
        b = n2 << 2; n2 = nodes[b + 2 + +(x[o2 + nodes[b]] <= thr[b + 1])];
        b = n3 << 2; n3 = nodes[b + 2 + +(x[o3 + nodes[b]] <= thr[b + 1])];
      }
      out[at] = this.leqF32(n0, x, o0); out[at + 1] = this.leqF32(n1, x, o1);
      out[at + 2] = this.leqF32(n2, x, o2); out[at + 3] = this.leqF32(n3, x, o3);
    } else {
      while (n0 >= 0 && n1 >= 0 && n2 >= 0 && n3 >= 0) {
        let b = n0 << 2; n0 = nodes[b + 2 + +(x[o0 + nodes[b]] < thr[b + 1])];
        b = n1 << 2; n1 = nodes[b + 2 + +(x[o1 + nodes[b]] < thr[b + 1])];
        b = n2 << 2; n2 = nodes[b + 2 + +(x[o2 + nodes[b]] < thr[b + 1])];
        b = n3 << 2; n3 = nodes[b + 2 + +(x[o3 + nodes[b]] < thr[b + 1])];
      }
      out[at] = this.ltF32(n0, x, o0); out[at + 1] = this.ltF32(n1, x, o1);
      out[at + 2] = this.ltF32(n2, x, o2); out[at + 3] = this.ltF32(n3, x, o3);
    }
  }

  // The common cases (every split <=, or every split <, NaN to the false child) have
  // their own loops with the record layout as constants, and select the child without
  // a branch: the comparison (false for NaN) is 0 or 1.
  private leqF32(n: number, x: Num, off: number): number {
    const nodes = this.nodes, thr = this.thr;
    while (n >= 0) { const b = n << 2; n = nodes[b + 2 + +(x[off + nodes[b]] <= thr[b + 1])]; }
    return ~n;
  }

  private ltF32(n: number, x: Num, off: number): number {
    const nodes = this.nodes, thr = this.thr;
    while (n >= 0) { const b = n << 2; n = nodes[b + 2 + +(x[off + nodes[b]] < thr[b + 1])]; }
    return ~n;
  }

  private leqF64(n: number, x: Num, off: number): number {
    const nodes = this.nodes, thr = this.thr;
    while (n >= 0) { const b = n * 6; n = nodes[b + 1 + +(x[off + nodes[b]] <= thr[n * 3 + 2])]; }
    return ~n;
  }

  private ltF64(n: number, x: Num, off: number): number {
    const nodes = this.nodes, thr = this.thr;
    while (n >= 0) { const b = n * 6; n = nodes[b + 1 + +(x[off + nodes[b]] < thr[n * 3 + 2])]; }
    return ~n;
  }

  /** Any mix of rules, set membership, NaN routing. */
  private walkAny(n: number, x: Num, off: number): number {
    const nodes = this.nodes, thr = this.thr, words = this.words, child = this.child, ts = this.thrScale, to = this.thrOffset;
    const mode = this.mode, uniform = this.uniform, nanc = this.nanc;
    while (n >= 0) {
      const b = n * words, v = x[off + nodes[b]], t = thr[n * ts + to];
      if (v !== v && nanc !== null) { n = nanc[n]; continue; }
      let yes: boolean;
      switch (uniform >= 0 ? uniform : mode[n]) {
        case SPLIT_LEQ: yes = v <= t; break;
        case SPLIT_LT: yes = v < t; break;
        case SPLIT_EQ: yes = v === t; break;
        default: yes = isMember(v, this.members, t);
      }
      n = nodes[b + child + +yes];
    }
    return ~n;
  }
}

/** Forest views by attrs object: generated modules keep their attrs in constants. */
const forests = new WeakMap<ForestAttrs, Forest>();

function forestOf(a: ForestAttrs): Forest {
  let f = forests.get(a);
  if (f === undefined) { f = new Forest(a); forests.set(a, f); }
  return f;
}

/** Per-call scratch: scores (float64) and "has a vote" flags of a block of rows, leaf indices. */
interface Block { readonly s: Float64Array; readonly h: Uint8Array; readonly leaves: Int32Array }

function blockScratch(ctx: NodeCtx, rows: number, k: number, trees: number): Block {
  const n = Math.min(rows, BLOCK);
  return {
    s: ctx.scratch('ml.scores', 'float64', n * k) as Float64Array,
    h: ctx.scratch('ml.voted', 'uint8', n * k) as Uint8Array,
    leaves: ctx.scratch('ml.leaves', 'int32', Math.max(n, trees)) as Int32Array,
  };
}

/** Adds (or, for MIN/MAX, folds) a leaf's weights into the scores of one row of a block. */
class Votes {
  private readonly start: Int32Array | null;
  private readonly target: Int32Array | null;
  private readonly w: Num;
  private readonly extreme: boolean;
  private readonly isMax: boolean;
  /** One target, one weight per leaf, summed: s[i] += w[leaf]. */
  readonly simple: boolean;

  constructor(a: ForestAttrs, agg: number, private readonly s: Float64Array, private readonly h: Uint8Array, private readonly k: number) {
    this.start = a.leafStart === null ? null : (a.leafStart.data as Int32Array);
    this.target = a.leafTarget === null ? null : (a.leafTarget.data as Int32Array);
    this.w = a.leafWeight.data as Num;
    this.extreme = agg === AGG_MIN || agg === AGG_MAX;
    this.isMax = agg === AGG_MAX;
    this.simple = this.start === null && this.target === null && !this.extreme;
  }

  add(leaf: number, i: number): void {
    const { s, h, start, target, w } = this;
    if (this.simple) { s[i] += w[leaf]; return; }
    const base = i * this.k;
    const from = start === null ? leaf : start[leaf], to = start === null ? leaf + 1 : start[leaf + 1];
    for (let j = from; j < to; j++) {
      const at = base + (target === null ? 0 : target[j]), v = w[j];
      if (!this.extreme) s[at] += v;
      else if (h[at] === 0 || (this.isMax ? v > s[at] : v < s[at])) s[at] = v;
      h[at] = 1;
    }
  }
}

/**
 * Scores rows r0..r1-1 into s[(r - r0) * k + target] (h set where a vote landed); s and
 * h start cleared. Tree by tree, the block's rows find their leaves (four rows at a
 * time); with fewer than four rows, each row walks four trees at a time instead.
 */
function accumulate(a: ForestAttrs, f: Forest, rows: Rows, r0: number, r1: number, blk: Block, agg: number): void {
  const { leaves } = blk, count = r1 - r0, trees = f.roots.length;
  const walker = a.walker;
  if (walker !== undefined && agg !== AGG_MIN && agg !== AGG_MAX) {
    const k = a.targets, x = rows.x, nf = rows.f;
    if (!primed.has(walker)) prime(f, walker, x, k, a.maxFeature + 1);
    for (let i = 0; i < count; i++) walker(x, (r0 + i) * nf, blk.s, blk.h, i * k);
    // The walker marks h itself unless every leaf has one weight on the one target.
    if (a.leafStart === null && a.leafTarget === null) blk.h.fill(1, 0, count);
    return;
  }
  const votes = new Votes(a, agg, blk.s, blk.h, a.targets);
  if (count < 4 && f.interleaves) {
    for (let i = 0; i < count; i++) {
      f.rowLeaves(rows.x, (r0 + i) * rows.f, leaves);
      for (let t = 0; t < trees; t++) votes.add(leaves[t], i);
    }
  } else {
    for (let t = 0; t < trees; t++) {
      f.leaves(t, rows.x, r0, r1, rows.f, leaves);
      for (let i = 0; i < count; i++) votes.add(leaves[i], i);
    }
  }
  if (votes.simple) blk.h.fill(1, 0, count);
}

const primed = new WeakSet<object>();

/**
 * Runs a straight-code walker once down every path of every tree before its first
 * real use. An optimised function that reaches code it never ran during profiling
 * deoptimises ("insufficient type feedback"); with thousands of leaves, real data
 * reaches new ones for a long time, and the walker would keep falling back to the
 * interpreter. A row that follows a path is built from the path's constraints
 * (an interval per feature); paths no row can follow are dead code anyway.
 */
function prime(f: Forest, walker: NonNullable<ForestAttrs['walker']>, like: Num, k: number, features: number): void {
  primed.add(walker);
  const row = (like instanceof Float64Array ? new Float64Array(features) : new Float32Array(features)) as Num;
  const lo = new Float64Array(features).fill(-Infinity), hi = new Float64Array(features).fill(Infinity);
  const loOpen = new Uint8Array(features), hiOpen = new Uint8Array(features);
  const s = new Float64Array(k), h = new Uint8Array(k);
  const pick = (i: number): number => {
    const a = lo[i], b = hi[i];
    if (a === -Infinity && b === Infinity) return 0;
    if (a === -Infinity) return hiOpen[i] ? b - Math.max(1, Math.abs(b)) : b;
    if (b === Infinity) return loOpen[i] ? a + Math.max(1, Math.abs(a)) : a;
    return loOpen[i] || hiOpen[i] ? (a + b) / 2 : a;
  };
  const visit = (n: number): void => {
    if (n < 0) {
      for (let i = 0; i < features; i++) row[i] = pick(i);
      walker(row, 0, s, h, 0);
      return;
    }
    const b = n * f.words, feat = f.nodes[b], t = f.thr[n * f.thrScale + f.thrOffset];
    const rule = f.uniform >= 0 ? f.uniform : f.mode[n];
    const saved = [lo[feat], hi[feat], loOpen[feat], hiOpen[feat]] as const;
    const restore = (): void => { lo[feat] = saved[0]; hi[feat] = saved[1]; loOpen[feat] = saved[2]; hiOpen[feat] = saved[3]; };
    if (rule === SPLIT_LEQ || rule === SPLIT_LT) {
      const open = rule === SPLIT_LT ? 1 : 0;
      // True child: v <= t (v < t); false child: v > t (v >= t).
      if (t < hi[feat] || (t === hi[feat] && open >= hiOpen[feat])) { hi[feat] = t; hiOpen[feat] = open; }
      if (lo[feat] < hi[feat] || (lo[feat] === hi[feat] && !loOpen[feat] && !hiOpen[feat])) visit(f.nodes[b + f.child + 1]);
      restore();
      if (t > lo[feat] || (t === lo[feat] && 1 - open >= loOpen[feat])) { lo[feat] = t; loOpen[feat] = 1 - open; }
      if (lo[feat] < hi[feat] || (lo[feat] === hi[feat] && !loOpen[feat] && !hiOpen[feat])) visit(f.nodes[b + f.child]);
      restore();
    } else {
      // Equality and set membership: both children, with the value pinned or left free.
      if (t >= lo[feat] && t <= hi[feat]) { lo[feat] = hi[feat] = t; loOpen[feat] = hiOpen[feat] = 0; visit(f.nodes[b + f.child + 1]); restore(); }
      visit(f.nodes[b + f.child]);
    }
  };
  for (let t = 0; t < f.roots.length; t++) visit(f.roots[t]);
}

/** The forest's views, after checking the input has every feature the trees read. */
function forestFor(a: ForestAttrs, rows: Rows): Forest {
  if (a.maxFeature >= rows.f) fail(`the trees read feature ${a.maxFeature}, but the input has ${rows.f} features`);
  return forestOf(a);
}

/**
 * Scores rows r0..r1-1 (one block) into blk.s and blk.h, cleared first. The kernels
 * loop over blocks themselves: no callback closure is made per call.
 */
function scoreBlock(a: ForestAttrs, f: Forest, rows: Rows, r0: number, r1: number, blk: Block, agg: number): void {
  const used = (r1 - r0) * a.targets;
  blk.s.fill(0, 0, used);
  blk.h.fill(0, 0, used);
  accumulate(a, f, rows, r0, r1, blk, agg);
}

// ------------------------------------------------------------------ regression

/**
 * TreeEnsembleRegressor and TreeEnsemble: per target, the sum (average, minimum,
 * maximum) of the weights reached, plus base_values, then post_transform. A target no
 * leaf voted for aggregates to 0 (MIN and MAX included), as in onnxruntime.
 */
export function treeEnsembleRegressor(ctx: NodeCtx, inputs: Inputs, attrs: RegressorAttrs): Tensor[] {
  const rows = readRows(ctx, inputs[0] as Tensor);
  const k = attrs.targets, trees = attrs.roots.data.length;
  const out = ctx.alloc(0, attrs.outType ?? (inputs[0] as Tensor).type, [rows.n, k]);
  const y = out.data as Num;
  const base = attrs.base === null ? null : (attrs.base.data as Float64Array);
  const average = attrs.aggregate === AGG_AVERAGE;
  const f = forestFor(attrs, rows);
  const blk = blockScratch(ctx, rows.n, k, f.roots.length), s = blk.s, h = blk.h;
  for (let r0 = 0; r0 < rows.n; r0 += BLOCK) {
    const r1 = Math.min(rows.n, r0 + BLOCK);
    scoreBlock(attrs, f, rows, r0, r1, blk, attrs.aggregate);
    for (let r = r0; r < r1; r++) {
      const off = (r - r0) * k;
      for (let j = off; j < off + k; j++) {
        let v = h[j] ? s[j] : 0;
        if (average) v /= trees;
        s[j] = base === null ? v : v + base[j - off];
      }
      postTransform(attrs.post, s, off, k);
      for (let j = 0; j < k; j++) y[r * k + j] = s[off + j];
    }
  }
  return ctx.done(1);
}

/** TreeEnsemble-5: the regressor without base values; the output has the input's type. */
export function treeEnsemble(ctx: NodeCtx, inputs: Inputs, attrs: RegressorAttrs): Tensor[] {
  return treeEnsembleRegressor(ctx, inputs, attrs);
}

// ------------------------------------------------------------------ classification

/**
 * TreeEnsembleClassifier: class scores are sums of the weights reached plus
 * base_values. The label is the class with the highest score among those that got a
 * vote or a base value (first one on ties), as in onnxruntime; the scores output
 * holds 0 for the others. The binary case is described at ClassifierAttrs.
 */
export function treeEnsembleClassifier(ctx: NodeCtx, inputs: Inputs, attrs: ClassifierAttrs): Tensor[] {
  const rows = readRows(ctx, inputs[0] as Tensor);
  const k = attrs.targets;
  const label = allocLabels(ctx, attrs.labels, rows.n);
  const z = ctx.alloc(1, 'float32', [rows.n, k]).data as Float32Array;
  const binary = attrs.binaryClass >= 0;
  const f = forestFor(attrs, rows);
  const blk = blockScratch(ctx, rows.n, k, f.roots.length), s = blk.s, h = blk.h;
  for (let r0 = 0; r0 < rows.n; r0 += BLOCK) {
    const r1 = Math.min(rows.n, r0 + BLOCK);
    scoreBlock(attrs, f, rows, r0, r1, blk, AGG_SUM);
    for (let r = r0; r < r1; r++) {
      const off = (r - r0) * k;
      setLabel(label, r, attrs.labels, binary ? finishBinary(attrs, s, off) : finishClasses(attrs, s, h, off));
      for (let j = 0; j < k; j++) z[r * k + j] = s[off + j];
    }
  }
  return ctx.done(2);
}

/** Several classes: adds base values, picks the label, post-transforms s[off..off+k). Returns the class. */
function finishClasses(a: ClassifierAttrs, s: Float64Array, h: Uint8Array, off: number): number {
  const k = a.targets, base = a.base.data as Float64Array;
  let best = -1;
  for (let j = 0; j < k; j++) {
    if (j < base.length) { s[off + j] += base[j]; h[off + j] = 1; }
    if (h[off + j] && (best < 0 || s[off + j] > s[off + best])) best = j;
  }
  postTransform(a.post, s, off, k);
  return best < 0 ? 0 : best;
}

/** The binary case: one score column becomes the two class scores. Returns the class. */
function finishBinary(a: ClassifierAttrs, s: Float64Array, off: number): number {
  const base = a.base.data as Float64Array;
  const v = s[off + a.binaryClass] + (base.length === 1 ? base[0] : base.length === 2 ? base[a.binaryClass] : 0);
  s[off] = a.binaryProbability ? 1 - v : -v;
  s[off + 1] = v;
  postTransform(a.post, s, off, 2);
  return v > (a.binaryProbability ? 0.5 : 0) ? 1 : 0;
}

/** Whether the binary case reads its one score as a probability (see ClassifierAttrs). */
export function binaryIsProbability(allWeightsNonNegative: boolean, post: number): boolean {
  return allWeightsNonNegative && (post === POST_NONE || post === POST_PROBIT);
}
