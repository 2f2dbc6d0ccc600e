// Linear model kernels: LinearClassifier and LinearRegressor (ai.onnx.ml 1).
// Registry: src/frontends/onnx/ops/ml-models.ts.
//
// scores = X · coefficientsᵀ + intercepts, one row of `coefficients` (F values) per
// class or target, computed in float64 and written as float32.

import { fail, type NodeCtx, type Tensor } from '../tensor/tensor.js';
import { allocLabels, readRows, setLabel, type Rows } from './model-io.js';
import { POST_LOGISTIC, POST_PROBIT, logistic, postTransform, probit } from './post-transform.js';

type Inputs = readonly (Tensor | undefined)[];
type Num = Float32Array | Float64Array;

export interface LinearClassifierAttrs {
  /** [E, F] row-major. */
  readonly coefficients: Tensor;
  /** [E], or null (zeros). */
  readonly intercepts: Tensor | null;
  /** E, the number of score columns; -1 when only the input's F tells (no intercepts). */
  readonly columns: number;
  readonly labels: Tensor;
  readonly post: number;
}

export interface LinearRegressorAttrs {
  readonly coefficients: Tensor;
  readonly intercepts: Tensor | null;
  readonly targets: number;
  readonly post: number;
}

/** Rows scored together: four rows at a time share each coefficient's load. */
const BLOCK = 64;

/** out[(r - r0)·e + c] = x_r · w_c (+ b_c) for rows r0..r1-1 and the e coefficient rows. */
function scoreBlock(rows: Rows, r0: number, r1: number, w: Num, b: Num | null, e: number, out: Float64Array): void {
  const x = rows.x, f = rows.f;
  let r = r0;
  for (; r + 4 <= r1; r += 4) {
    const o0 = r * f, o1 = o0 + f, o2 = o1 + f, o3 = o2 + f, at = (r - r0) * e;
    for (let c = 0; c < e; c++) {
      const wo = c * f, bias = b === null ? 0 : b[c];
      let a0 = bias, a1 = bias, a2 = bias, a3 = bias;
      for (let i = 0; i < f; i++) {
        const t = w[wo + i];
        a0 += x[o0 + i] * t; a1 += x[o1 + i] * t; a2 += x[o2 + i] * t; a3 += x[o3 + i] * t;
      }
      out[at + c] = a0; out[at + e + c] = a1; out[at + 2 * e + c] = a2; out[at + 3 * e + c] = a3;
    }
  }
  for (; r < r1; r++) scoreRow(x, r * f, f, w, b, e, out, (r - r0) * e);
}

/**
 * out[at + c] = x[off..off+f) · w_c (+ b_c) for one row. Four coefficient rows at a
 * time share each feature's load and run four independent sums (one long chain of
 * dependent additions is what a single row is bound by); each sum still adds its
 * terms in feature order, so the results are those of the plain loop, bit for bit.
 */
export function scoreRow(x: Num, off: number, f: number, w: Num, b: Num | null, e: number, out: Float64Array, at: number): void {
  let c = 0;
  for (; c + 4 <= e; c += 4) {
    const w0 = c * f, w1 = w0 + f, w2 = w1 + f, w3 = w2 + f;
    let a0 = b === null ? 0 : b[c], a1 = b === null ? 0 : b[c + 1], a2 = b === null ? 0 : b[c + 2], a3 = b === null ? 0 : b[c + 3];
    for (let i = 0; i < f; i++) {
      const v = x[off + i];
      a0 += v * w[w0 + i]; a1 += v * w[w1 + i]; a2 += v * w[w2 + i]; a3 += v * w[w3 + i];
    }
    out[at + c] = a0; out[at + c + 1] = a1; out[at + c + 2] = a2; out[at + c + 3] = a3;
  }
  for (; c < e; c++) {
    let acc = b === null ? 0 : b[c];
    for (let i = 0, wo = c * f; i < f; i++) acc += x[off + i] * w[wo + i];
    out[at + c] = acc;
  }
}

/** The number of coefficient rows for an input of f features, checking the sizes agree. */
function coefficientRows(coefficients: Tensor, fixed: number, f: number): number {
  const n = coefficients.data.length;
  const e = fixed >= 0 ? fixed : f > 0 ? n / f : 0;
  if (!Number.isInteger(e) || e * f !== n) {
    fail(`the model has ${n} coefficients, which is not ${fixed >= 0 ? `${fixed} rows of` : 'a whole number of rows of'} ${f} features (the input's)`);
  }
  return e;
}

/**
 * LinearClassifier. The label is the class of the highest raw score (the first on
 * ties) and post_transform applies to the scores. With one score column and two
 * labels (the binary case) the label is the second class when s > 0, and the two
 * scores are [1 - t, t], t = s transformed elementwise (LOGISTIC, PROBIT; SOFTMAX of a
 * single score is left out), as onnxruntime writes them for NONE and LOGISTIC (the
 * ONNX documents do not say; the reference implementation writes [-s, s]).
 */
export function linearClassifier(ctx: NodeCtx, inputs: Inputs, attrs: LinearClassifierAttrs): Tensor[] {
  const rows = readRows(ctx, inputs[0] as Tensor);
  const e = coefficientRows(attrs.coefficients, attrs.columns, rows.f);
  const classes = attrs.labels.data.length;
  const binary = e === 1 && classes === 2;
  if (!binary && e !== classes) fail(`the model scores ${e} classes but has ${classes} class labels`);
  const label = allocLabels(ctx, attrs.labels, rows.n);
  const z = ctx.alloc(1, 'float32', [rows.n, classes]).data as Float32Array;
  const s = ctx.scratch('ml.scores', 'float64', Math.min(rows.n, BLOCK) * e) as Float64Array;
  const w = attrs.coefficients.data as Num, b = attrs.intercepts === null ? null : (attrs.intercepts.data as Num);
  for (let r0 = 0; r0 < rows.n; r0 += BLOCK) {
    const r1 = Math.min(rows.n, r0 + BLOCK);
    scoreBlock(rows, r0, r1, w, b, e, s);
    for (let r = r0; r < r1; r++) {
      const at = (r - r0) * e;
      if (binary) {
        setLabel(label, r, attrs.labels, s[at] > 0 ? 1 : 0);
        writeBinary(attrs.post, s[at], z, r);
        continue;
      }
      let best = 0;
      for (let c = 1; c < e; c++) if (s[at + c] > s[at + best]) best = c;
      setLabel(label, r, attrs.labels, best);
      postTransform(attrs.post, s, at, classes);
      for (let c = 0; c < classes; c++) z[r * classes + c] = s[at + c];
    }
  }
  return ctx.done(2);
}

/** The binary case's two scores of row r: [1 - t, t], t the score transformed elementwise. */
function writeBinary(post: number, score: number, z: Float32Array, r: number): void {
  const t = post === POST_LOGISTIC ? logistic(score) : post === POST_PROBIT ? probit(score) : score;
  z[2 * r] = 1 - t;
  z[2 * r + 1] = t;
}

/** LinearRegressor: one output column per target, post_transform applied to each row. */
export function linearRegressor(ctx: NodeCtx, inputs: Inputs, attrs: LinearRegressorAttrs): Tensor[] {
  const rows = readRows(ctx, inputs[0] as Tensor);
  const t = coefficientRows(attrs.coefficients, attrs.targets, rows.f);
  const y = ctx.alloc(0, 'float32', [rows.n, t]).data as Float32Array;
  const s = ctx.scratch('ml.scores', 'float64', Math.min(rows.n, BLOCK) * t) as Float64Array;
  const w = attrs.coefficients.data as Num, b = attrs.intercepts === null ? null : (attrs.intercepts.data as Num);
  for (let r0 = 0; r0 < rows.n; r0 += BLOCK) {
    const r1 = Math.min(rows.n, r0 + BLOCK);
    scoreBlock(rows, r0, r1, w, b, t, s);
    for (let r = r0; r < r1; r++) {
      const at = (r - r0) * t;
      postTransform(attrs.post, s, at, t);
      for (let c = 0; c < t; c++) y[r * t + c] = s[at + c];
    }
  }
  return ctx.done(1);
}
