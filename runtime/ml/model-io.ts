// Input and output plumbing shared by the ai.onnx.ml model kernels (trees, linear
// models, SVMs): the feature matrix as numbers, and label outputs.

import { fail, type NodeCtx, type Tensor } from '../tensor/tensor.js';

/** The input as an [n, f] row-major matrix of numbers the kernels can index directly. */
export interface Rows {
  readonly n: number;
  readonly f: number;
  readonly x: Float32Array | Float64Array;
}

/**
 * Reads X of shape [N, F] (or [F], one row). Float inputs are used in place; integer
 * inputs are converted once per call into a float32 scratch buffer: the models compute
 * with integer features as float32, as the ONNX reference and onnxruntime do (storing
 * into a Float32Array rounds to the nearest float32).
 */
export function readRows(ctx: NodeCtx, t: Tensor): Rows {
  const r = t.dims.length;
  if (r !== 1 && r !== 2) fail(`input X must have shape [N, F] or [F], got rank ${r}`);
  const n = r === 2 ? t.dims[0] : 1;
  const f = t.dims[r - 1];
  if (t.type === 'float32' || t.type === 'float64' || t.type === 'float16') {
    return { n, f, x: t.data as Float32Array | Float64Array };
  }
  const src = t.data;
  const x = ctx.scratch('ml.x', 'float32', src.length) as Float32Array;
  if (src instanceof BigInt64Array || src instanceof BigUint64Array) {
    for (let i = 0; i < src.length; i++) x[i] = Number(src[i]);
  } else if (Array.isArray(src)) {
    fail(`input X has element type ${t.type}; a numeric tensor is needed`);
  } else {
    for (let i = 0; i < src.length; i++) x[i] = src[i];
  }
  return { n, f, x };
}

/** Output 0 of a classifier: one label per row, int64 or string like `labels`. */
export function allocLabels(ctx: NodeCtx, labels: Tensor, n: number): Tensor {
  return ctx.alloc(0, labels.type, [n]);
}

/** Writes labels[k] as the label of row `row`. */
export function setLabel(out: Tensor, row: number, labels: Tensor, k: number): void {
  (out.data as unknown[])[row] = (labels.data as ArrayLike<unknown>)[k];
}
