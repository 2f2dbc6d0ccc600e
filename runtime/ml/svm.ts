// Support vector machine kernels: SVMClassifier and SVMRegressor (ai.onnx.ml 1), in
// LIBSVM's form (support vectors, one-vs-one classifiers, Platt probabilities) or
// LIBLINEAR's (no support vectors: one coefficient row per class).
// Registry: src/frontends/onnx/ops/ml-models.ts.
//
// Computed in float64, written as float32. Where the ONNX documents say nothing, the
// behaviour follows LIBSVM as onnxruntime and the ONNX reference implement it:
// - the pairwise classifier (i, j) scores sum = Σ coef·K over the support vectors of
//   i and of j, + rho; it votes for i when sum > 0, else for j;
// - the label is the class with the most votes (the first one on ties), also when
//   probabilities are computed (as LIBSVM's svm_predict does);
// - probabilities: pairwise Platt estimates 1 / (1 + exp(sum·A + B)) clipped to
//   [1e-7, 1 - 1e-7], combined by Wu, Lin and Weng's pairwise coupling (LIBSVM's
//   multiclass_probability: at most max(100, k) iterations, tolerance 0.005 / k).
// - without probabilities the scores are the pairwise sums: k(k-1)/2 columns, or for
//   two classes [-sum, sum].

import { fail, type NodeCtx, type Tensor } from '../tensor/tensor.js';
import { allocLabels, readRows, setLabel, type Rows } from './model-io.js';
import { scoreRow } from './linear.js';
import { postTransform } from './post-transform.js';

type Inputs = readonly (Tensor | undefined)[];
type Num = Float32Array | Float64Array;

export const KERNEL_LINEAR = 0;
export const KERNEL_POLY = 1;
export const KERNEL_RBF = 2;
export const KERNEL_SIGMOID = 3;

export interface SvmKernel {
  readonly kernel: number;
  readonly gamma: number;
  readonly coef0: number;
  readonly degree: number;
  /** Features per support vector (or per coefficient row in LIBLINEAR form). */
  readonly features: number;
}

export interface SvmClassifierAttrs extends SvmKernel {
  readonly labels: Tensor;
  /** Support vectors [V, F], grouped by class; null in LIBLINEAR form. */
  readonly vectors: Tensor | null;
  /** Support vectors per class [C] and where each class's start [C]. */
  readonly perClass: Tensor | null;
  readonly starts: Tensor | null;
  /** LIBSVM: [C - 1, V]; LIBLINEAR: [C, F]. */
  readonly coefficients: Tensor;
  /** LIBSVM: one per pairwise classifier; LIBLINEAR: rho[0] is added to every class. */
  readonly rho: Tensor;
  readonly probA: Tensor | null;
  readonly probB: Tensor | null;
  readonly post: number;
  /**
   * Linear kernel only: each pairwise classifier's support vectors folded into one
   * weight row, [pairs, F] (float64): sum_ij = rho_ij + x · w_ij. Null otherwise.
   */
  readonly pairWeights?: Tensor | null;
}

export interface SvmRegressorAttrs extends SvmKernel {
  readonly vectors: Tensor | null;
  readonly coefficients: Tensor;
  readonly rho: number;
  readonly oneClass: boolean;
  readonly post: number;
}

function checkFeatures(rows: Rows, k: SvmKernel): void {
  if (rows.f !== k.features) fail(`the model expects ${k.features} features, the input has ${rows.f}`);
}

/** Float64 copies of float32 support vectors, made once per model constant. */
const vectorCopies = new WeakMap<Tensor, Float64Array>();

/**
 * The support vectors as a Float64Array: the same values (float32 widens exactly), but
 * the kernel loops then load doubles directly instead of converting every element of
 * every support vector again for every row.
 */
function vectorsF64(t: Tensor): Float64Array {
  if (t.data instanceof Float64Array) return t.data;
  let copy = vectorCopies.get(t);
  if (copy === undefined) {
    copy = Float64Array.from(t.data as Float32Array);
    vectorCopies.set(t, copy);
  }
  return copy;
}

/** Rows whose kernel values are computed together (a block of rows × support vectors). */
const BLOCK = 64;

/** K(x, sv) from acc: the squared distance for RBF, the dot product otherwise. */
function kernelValue(k: SvmKernel, acc: number): number {
  switch (k.kernel) {
    case KERNEL_RBF: return Math.exp(-k.gamma * acc);
    case KERNEL_POLY: return power(k.gamma * acc + k.coef0, k.degree);
    case KERNEL_SIGMOID: return Math.tanh(k.gamma * acc + k.coef0);
    default: return acc;
  }
}

/** b^e; small integer degrees (the usual 2 and 3) by multiplication, which Math.pow is much slower at. */
function power(b: number, e: number): number {
  switch (e) {
    case 1: return b;
    case 2: return b * b;
    case 3: return b * b * b;
    case 4: { const q = b * b; return q * q; }
    default: return Math.pow(b, e);
  }
}

/** tanh through one exp (V8's Math.tanh is several times slower); exact to a few ulps, saturating cleanly. */
function tanh(z: number): number {
  if (z > 20) return 1;
  if (z < -20) return -1;
  if (Math.abs(z) < 1e-4) return z - (z * z * z) / 3;
  const e = Math.exp(2 * z);
  return (e - 1) / (e + 1);
}

/** Applies the kernel function to the raw sums kv[from..to) (squared distances or dot products). */
function applyKernel(k: SvmKernel, kv: Float64Array, from: number, to: number): void {
  const g = k.gamma, c0 = k.coef0;
  switch (k.kernel) {
    case KERNEL_RBF: for (let i = from; i < to; i++) kv[i] = Math.exp(-g * kv[i]); break;
    case KERNEL_POLY:
      if (k.degree === 2) for (let i = from; i < to; i++) { const b = g * kv[i] + c0; kv[i] = b * b; }
      else if (k.degree === 3) for (let i = from; i < to; i++) { const b = g * kv[i] + c0; kv[i] = b * b * b; }
      else for (let i = from; i < to; i++) kv[i] = power(g * kv[i] + c0, k.degree);
      break;
    case KERNEL_SIGMOID: for (let i = from; i < to; i++) kv[i] = tanh(g * kv[i] + c0); break;
    default: break;
  }
}

/**
 * K(x_r, sv_v) for one row, into kv[out + v]. Four support vectors at a time share
 * each feature's load and run four independent sums: one row is otherwise bound by a
 * single chain of dependent additions. Each sum adds its terms in feature order, as
 * the plain loop does, so the values are the same bit for bit.
 */
function kernelOneRow(k: SvmKernel, x: Num, off: number, sv: Num, count: number, kv: Float64Array, out: number): void {
  const f = k.features, rbf = k.kernel === KERNEL_RBF;
  let v = 0;
  for (; v + 4 <= count; v += 4) {
    const s0 = v * f, s1 = s0 + f, s2 = s1 + f, s3 = s2 + f;
    let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
    if (rbf) {
      for (let i = 0; i < f; i++) {
        const t = x[off + i];
        let d = t - sv[s0 + i]; a0 += d * d; d = t - sv[s1 + i]; a1 += d * d;
        d = t - sv[s2 + i]; a2 += d * d; d = t - sv[s3 + i]; a3 += d * d;
      }
    } else {
      for (let i = 0; i < f; i++) {
        const t = x[off + i];
        a0 += t * sv[s0 + i]; a1 += t * sv[s1 + i]; a2 += t * sv[s2 + i]; a3 += t * sv[s3 + i];
      }
    }
    kv[out + v] = a0; kv[out + v + 1] = a1; kv[out + v + 2] = a2; kv[out + v + 3] = a3;
  }
  for (; v < count; v++) {
    const so = v * f;
    let acc = 0;
    if (rbf) for (let i = 0; i < f; i++) { const d = x[off + i] - sv[so + i]; acc += d * d; }
    else for (let i = 0; i < f; i++) acc += x[off + i] * sv[so + i];
    kv[out + v] = acc;
  }
  // The values of kernelValue, as one row has always used (Math.tanh for the sigmoid
  // kernel), so single-row results are unchanged; the RBF case (Math.exp, most of its
  // time) in a loop of its own.
  if (rbf) {
    const g = k.gamma;
    for (let i = out; i < out + count; i++) kv[i] = Math.exp(-g * kv[i]);
  } else if (k.kernel !== KERNEL_LINEAR) {
    for (let i = out; i < out + count; i++) kv[i] = kernelValue(k, kv[i]);
  }
}

/**
 * kv[(r - r0)·count + v] = K(x_r, sv_v) for rows r0..r1-1. Tiles of four rows by two
 * support vectors share their loads and run eight independent sums; the kernel
 * function is applied afterwards in one pass per row.
 */
function kernelBlock(k: SvmKernel, x: Num, r0: number, r1: number, sv: Num, count: number, kv: Float64Array): void {
  const f = k.features, rbf = k.kernel === KERNEL_RBF;
  let r = r0;
  for (; r + 4 <= r1; r += 4) {
    const o0 = r * f, o1 = o0 + f, o2 = o1 + f, o3 = o2 + f, out = (r - r0) * count;
    let v = 0;
    for (; v + 2 <= count; v += 2) {
      const sa = v * f, sb = sa + f;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0, b0 = 0, b1 = 0, b2 = 0, b3 = 0;
      if (rbf) {
        for (let i = 0; i < f; i++) {
          const x0 = x[o0 + i], x1 = x[o1 + i], x2 = x[o2 + i], x3 = x[o3 + i], ta = sv[sa + i], tb = sv[sb + i];
          let d = x0 - ta; a0 += d * d; d = x1 - ta; a1 += d * d; d = x2 - ta; a2 += d * d; d = x3 - ta; a3 += d * d;
          d = x0 - tb; b0 += d * d; d = x1 - tb; b1 += d * d; d = x2 - tb; b2 += d * d; d = x3 - tb; b3 += d * d;
        }
      } else {
        for (let i = 0; i < f; i++) {
          const x0 = x[o0 + i], x1 = x[o1 + i], x2 = x[o2 + i], x3 = x[o3 + i], ta = sv[sa + i], tb = sv[sb + i];
          a0 += x0 * ta; a1 += x1 * ta; a2 += x2 * ta; a3 += x3 * ta;
          b0 += x0 * tb; b1 += x1 * tb; b2 += x2 * tb; b3 += x3 * tb;
        }
      }
      kv[out + v] = a0; kv[out + count + v] = a1; kv[out + 2 * count + v] = a2; kv[out + 3 * count + v] = a3;
      kv[out + v + 1] = b0; kv[out + count + v + 1] = b1; kv[out + 2 * count + v + 1] = b2; kv[out + 3 * count + v + 1] = b3;
    }
    for (; v < count; v++) {
      const so = v * f;
      let a0 = 0, a1 = 0, a2 = 0, a3 = 0;
      for (let i = 0; i < f; i++) {
        const t = sv[so + i];
        if (rbf) {
          let d = x[o0 + i] - t; a0 += d * d; d = x[o1 + i] - t; a1 += d * d; d = x[o2 + i] - t; a2 += d * d; d = x[o3 + i] - t; a3 += d * d;
        } else {
          a0 += x[o0 + i] * t; a1 += x[o1 + i] * t; a2 += x[o2 + i] * t; a3 += x[o3 + i] * t;
        }
      }
      kv[out + v] = a0; kv[out + count + v] = a1; kv[out + 2 * count + v] = a2; kv[out + 3 * count + v] = a3;
    }
    applyKernel(k, kv, out, out + 4 * count);
  }
  for (; r < r1; r++) kernelOneRow(k, x, r * f, sv, count, kv, (r - r0) * count);
}

// ------------------------------------------------------------------ classifier

/** Output columns of the scores: k(k-1)/2 pairwise sums, 2 for two classes, k with probabilities or LIBLINEAR. */
export function svmScoreColumns(classes: number, libsvm: boolean, probabilities: boolean): number {
  if (!libsvm || probabilities) return classes;
  return classes === 2 ? 2 : (classes * (classes - 1)) / 2;
}

export function svmClassifier(ctx: NodeCtx, inputs: Inputs, attrs: SvmClassifierAttrs): Tensor[] {
  const rows = readRows(ctx, inputs[0] as Tensor);
  checkFeatures(rows, attrs);
  const c = attrs.labels.data.length;
  const libsvm = attrs.vectors !== null, proba = attrs.probA !== null;
  const cols = svmScoreColumns(c, libsvm, proba);
  const label = allocLabels(ctx, attrs.labels, rows.n);
  const z = ctx.alloc(1, 'float32', [rows.n, cols]).data as Float32Array;
  const s = ctx.scratch('ml.scores', 'float64', Math.max(cols, (c * (c - 1)) / 2, 2)) as Float64Array;
  const finish = (r: number, best: number): void => {
    setLabel(label, r, attrs.labels, best);
    postTransform(attrs.post, s, 0, cols);
    for (let j = 0; j < cols; j++) z[r * cols + j] = s[j];
  };
  if (!libsvm) {
    for (let r = 0; r < rows.n; r++) finish(r, liblinearRow(attrs, c, rows, r, s));
    return ctx.done(2);
  }
  const svm = new Libsvm(ctx, attrs, c, Math.min(rows.n, BLOCK));
  const pairWeights = attrs.pairWeights;
  if (pairWeights) {
    const w = pairWeights.data as Float64Array, f = attrs.features, x = rows.x, rho = attrs.rho.data as Float64Array;
    const pairs = rho.length;
    for (let r = 0; r < rows.n; r++) {
      // s[p] = rho[p] + x · w_p, summed in feature order (scoreRow runs four pairs side by side).
      scoreRow(x, r * f, f, w, rho, pairs, s, 0);
      finish(r, svm.vote(s));
    }
    return ctx.done(2);
  }
  for (let r0 = 0; r0 < rows.n; r0 += BLOCK) {
    const r1 = Math.min(rows.n, r0 + BLOCK);
    kernelBlock(attrs, rows.x, r0, r1, svm.vectors, svm.count, svm.kv);
    for (let r = r0; r < r1; r++) finish(r, svm.classify((r - r0) * svm.count, s));
  }
  return ctx.done(2);
}

/** LIBLINEAR form: s[j] = x · coef_j + rho[0]; returns the class of the highest score. */
function liblinearRow(a: SvmClassifierAttrs, c: number, rows: Rows, r: number, s: Float64Array): number {
  const w = a.coefficients.data as Num, rho = (a.rho.data as Float64Array)[0], f = a.features;
  const x = rows.x, off = r * f;
  let best = 0;
  for (let j = 0; j < c; j++) {
    let acc = rho;
    for (let i = 0; i < f; i++) acc += x[off + i] * w[j * f + i];
    s[j] = acc;
    if (acc > s[best]) best = j;
  }
  return best;
}

/** LIBSVM form: the one-vs-one classifiers over a row's kernel values, with their buffers. */
class Libsvm {
  readonly vectors: Num;
  readonly count: number;
  readonly kv: Float64Array;
  private readonly perClass: Int32Array;
  private readonly starts: Int32Array;
  private readonly coef: Num;
  private readonly rho: Float64Array;
  private readonly votes: Int32Array;
  private readonly coupling: Coupling | null;

  constructor(ctx: NodeCtx, a: SvmClassifierAttrs, private readonly c: number, blockRows: number) {
    this.vectors = vectorsF64(a.vectors as Tensor);
    this.perClass = (a.perClass as Tensor).data as Int32Array;
    this.starts = (a.starts as Tensor).data as Int32Array;
    this.count = this.starts[c - 1] + this.perClass[c - 1];
    this.coef = a.coefficients.data as Num;
    this.rho = a.rho.data as Float64Array;
    this.kv = ctx.scratch('ml.kernel', 'float64', blockRows * this.count) as Float64Array;
    this.votes = ctx.scratch('ml.votes', 'int32', c) as Int32Array;
    this.coupling = a.probA === null ? null : new Coupling(ctx, c, a.probA.data as Float64Array, (a.probB as Tensor).data as Float64Array);
  }

  /** Pairwise sums into s from kv[at..], then probabilities or the binary pair; returns the voted class. */
  classify(at: number, s: Float64Array): number {
    const { c, kv, coef, rho, starts, perClass } = this, v = this.count;
    let idx = 0;
    for (let i = 0; i < c; i++) {
      for (let j = i + 1; j < c; j++, idx++) {
        let sum = rho[idx];
        // Class i's vectors weighted by row j-1 of the coefficients, class j's by row i.
        for (let m = starts[i], e = m + perClass[i], o = (j - 1) * v; m < e; m++) sum += coef[o + m] * kv[at + m];
        for (let m = starts[j], e = m + perClass[j], o = i * v; m < e; m++) sum += coef[o + m] * kv[at + m];
        s[idx] = sum;
      }
    }
    return this.vote(s);
  }

  /** Votes from the pairwise sums in s, then probabilities or the binary pair in s; returns the voted class. */
  vote(s: Float64Array): number {
    const { c, votes } = this;
    votes.fill(0, 0, c);
    for (let i = 0, idx = 0; i < c; i++) {
      for (let j = i + 1; j < c; j++, idx++) votes[s[idx] > 0 ? i : j]++;
    }
    if (this.coupling !== null) this.coupling.probabilities(s);
    else if (c === 2) { s[1] = s[0]; s[0] = -s[1]; }
    let best = 0;
    for (let k = 1; k < c; k++) if (votes[k] > votes[best]) best = k;
    return best;
  }
}

/** Pairwise coupling of Platt probabilities (LIBSVM's multiclass_probability), with its buffers. */
class Coupling {
  private readonly r: Float64Array;
  private readonly q: Float64Array;
  private readonly qp: Float64Array;

  constructor(ctx: NodeCtx, private readonly k: number, private readonly a: Float64Array, private readonly b: Float64Array) {
    this.r = ctx.scratch('ml.pairs', 'float64', k * k) as Float64Array;
    this.q = ctx.scratch('ml.q', 'float64', k * k) as Float64Array;
    this.qp = ctx.scratch('ml.qp', 'float64', k) as Float64Array;
  }

  /** Replaces the pairwise sums s[0..k(k-1)/2) by the k class probabilities s[0..k). */
  probabilities(s: Float64Array): void {
    const k = this.k, r = this.r;
    for (let i = 0, idx = 0; i < k; i++) {
      for (let j = i + 1; j < k; j++, idx++) {
        const p = Math.min(Math.max(1 / (1 + Math.exp(s[idx] * this.a[idx] + this.b[idx])), 1e-7), 1 - 1e-7);
        r[i * k + j] = p;
        r[j * k + i] = 1 - p;
      }
    }
    this.couple(s);
  }

  private couple(p: Float64Array): void {
    const k = this.k, r = this.r, q = this.q, qp = this.qp;
    for (let t = 0; t < k; t++) {
      p[t] = 1 / k;
      q[t * k + t] = 0;
      for (let j = 0; j < k; j++) {
        if (j === t) continue;
        q[t * k + t] += r[j * k + t] * r[j * k + t];
        q[t * k + j] = -r[j * k + t] * r[t * k + j];
      }
    }
    const eps = 0.005 / k, maxIter = Math.max(100, k);
    for (let iter = 0; iter < maxIter; iter++) {
      let pqp = 0;
      for (let t = 0; t < k; t++) {
        let acc = 0;
        for (let j = 0; j < k; j++) acc += q[t * k + j] * p[j];
        qp[t] = acc;
        pqp += p[t] * acc;
      }
      let maxError = 0;
      for (let t = 0; t < k; t++) maxError = Math.max(maxError, Math.abs(qp[t] - pqp));
      if (maxError < eps) break;
      for (let t = 0; t < k; t++) {
        const diff = (-qp[t] + pqp) / q[t * k + t];
        p[t] += diff;
        pqp = (pqp + diff * (diff * q[t * k + t] + 2 * qp[t])) / (1 + diff) / (1 + diff);
        for (let j = 0; j < k; j++) {
          qp[j] = (qp[j] + diff * q[t * k + j]) / (1 + diff);
          p[j] /= 1 + diff;
        }
      }
    }
  }
}

// ------------------------------------------------------------------ regressor

/**
 * SVMRegressor: Σ coef_v · K(x, sv_v) + rho (LIBSVM form) or coef · x + rho (no
 * support vectors); one_class maps the score to +1 (> 0) or -1. post_transform is
 * applied last (onnxruntime ignores it; the ONNX documents list it).
 */
export function svmRegressor(ctx: NodeCtx, inputs: Inputs, attrs: SvmRegressorAttrs): Tensor[] {
  const rows = readRows(ctx, inputs[0] as Tensor);
  checkFeatures(rows, attrs);
  const y = ctx.alloc(0, 'float32', [rows.n, 1]).data as Float32Array;
  const coef = attrs.coefficients.data as Num, n = coef.length;
  const s = ctx.scratch('ml.scores', 'float64', 1) as Float64Array;
  const finish = (r: number, score: number): void => {
    s[0] = attrs.oneClass ? (score > 0 ? 1 : -1) : score;
    postTransform(attrs.post, s, 0, 1);
    y[r] = s[0];
  };
  if (attrs.vectors === null) {
    const x = rows.x, f = attrs.features;
    for (let r = 0; r < rows.n; r++) {
      let acc = attrs.rho;
      for (let i = 0; i < n; i++) acc += x[r * f + i] * coef[i];
      finish(r, acc);
    }
    return ctx.done(1);
  }
  const sv = vectorsF64(attrs.vectors);
  const kv = ctx.scratch('ml.kernel', 'float64', Math.min(rows.n, BLOCK) * n) as Float64Array;
  for (let r0 = 0; r0 < rows.n; r0 += BLOCK) {
    const r1 = Math.min(rows.n, r0 + BLOCK);
    kernelBlock(attrs, rows.x, r0, r1, sv, n, kv);
    let r = r0;
    // Four rows' sums side by side (independent chains), each in support-vector order.
    for (; r + 4 <= r1; r += 4) {
      const k0 = (r - r0) * n, k1 = k0 + n, k2 = k1 + n, k3 = k2 + n;
      let a0 = attrs.rho, a1 = a0, a2 = a0, a3 = a0;
      for (let v = 0; v < n; v++) {
        const c = coef[v];
        a0 += c * kv[k0 + v]; a1 += c * kv[k1 + v]; a2 += c * kv[k2 + v]; a3 += c * kv[k3 + v];
      }
      finish(r, a0); finish(r + 1, a1); finish(r + 2, a2); finish(r + 3, a3);
    }
    for (; r < r1; r++) {
      let acc = attrs.rho;
      for (let v = 0, at = (r - r0) * n; v < n; v++) acc += coef[v] * kv[at + v];
      finish(r, acc);
    }
  }
  return ctx.done(1);
}
