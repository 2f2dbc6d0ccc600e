// Softmax, LogSoftmax and Hardmax.
// Opset 13+ works along one axis. Before 13 the input is coerced to 2-D
// [prod(dims[:axis]), prod(dims[axis:])] and each row is normalised: that is the
// same loop with the axis length set to the product of the trailing dims.

import { normAxis, sizeOf, type NodeCtx, type NumericArray, type Tensor } from './tensor.js';

export interface SoftmaxAttrs {
  readonly axis: number;
  /** Pre-opset-13 semantics: flatten dims[axis:] into one axis. */
  readonly coerce2d: boolean;
}

const enum Mode { Softmax, LogSoftmax, Hardmax }

type Inputs = readonly (Tensor | undefined)[];

export function softmax(ctx: NodeCtx, inputs: Inputs, attrs: SoftmaxAttrs): Tensor[] {
  return run(ctx, inputs[0] as Tensor, attrs, Mode.Softmax);
}

export function logSoftmax(ctx: NodeCtx, inputs: Inputs, attrs: SoftmaxAttrs): Tensor[] {
  return run(ctx, inputs[0] as Tensor, attrs, Mode.LogSoftmax);
}

export function hardmax(ctx: NodeCtx, inputs: Inputs, attrs: SoftmaxAttrs): Tensor[] {
  return run(ctx, inputs[0] as Tensor, attrs, Mode.Hardmax);
}

function run(ctx: NodeCtx, x: Tensor, attrs: SoftmaxAttrs, mode: Mode): Tensor[] {
  const out = ctx.alloc(0, x.type, x.dims);
  const rank = x.dims.length;
  if (rank === 0) {
    // A scalar is a one-element row.
    (out.data as NumericArray)[0] = mode === Mode.LogSoftmax ? 0 : 1;
    return ctx.done(1);
  }
  // The legacy 2-D coercion also accepts axis == rank (default axis 1 on a 1-D input): one-element rows.
  const axis = attrs.coerce2d && attrs.axis === rank ? rank : normAxis(attrs.axis, rank);
  const outer = sizeOf(x.dims.slice(0, axis));
  const n = attrs.coerce2d ? sizeOf(x.dims.slice(axis)) : x.dims[axis];
  const inner = attrs.coerce2d ? 1 : sizeOf(x.dims.slice(axis + 1));
  const src = x.data as NumericArray;
  const dst = out.data as NumericArray;
  for (let b = 0; b < outer; b++) {
    for (let j = 0; j < inner; j++) {
      const base = b * n * inner + j;
      if (mode === Mode.Hardmax) hardmaxRow(src, dst, base, n, inner);
      else softmaxRow(src, dst, base, n, inner, mode === Mode.LogSoftmax);
    }
  }
  return ctx.done(1);
}

/** One row (n elements, `stride` apart), computed in float64 and shifted by the max for stability. */
export function softmaxRow(x: NumericArray, y: NumericArray, base: number, n: number, stride: number, log: boolean): void {
  const end = base + n * stride;
  let max = -Infinity;
  for (let i = base; i < end; i += stride) if (x[i] > max) max = x[i];
  let sum = 0;
  if (log) {
    for (let i = base; i < end; i += stride) sum += Math.exp(x[i] - max);
    const shift = max + Math.log(sum);
    for (let i = base; i < end; i += stride) y[i] = x[i] - shift;
    return;
  }
  // exp is the expensive part: compute it once, keep it in y, then scale.
  for (let i = base; i < end; i += stride) { const e = Math.exp(x[i] - max); y[i] = e; sum += e; }
  const inv = 1 / sum;
  for (let i = base; i < end; i += stride) y[i] *= inv;
}

/** 1 at the first maximum of the row, 0 elsewhere. */
function hardmaxRow(x: NumericArray, y: NumericArray, base: number, n: number, stride: number): void {
  const end = base + n * stride;
  let best = base;
  for (let i = base; i < end; i += stride) {
    if (x[i] > x[best]) best = i;
    y[i] = 0;
  }
  if (n > 0) y[best] = 1;
}
