// Softmax, LogSoftmax and Hardmax.
// Opset 13+ works along one axis. Before 13 the input is coerced to 2-D
// [prod(dims[:axis]), prod(dims[axis:])] and each row is normalised: that is the
// same loop with the axis length set to the product of the trailing dims.

import { wasmKernels } from '../wasm/kernels.js';
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
  if (mode === Mode.Softmax && inner === 1 && src instanceof Float32Array && dst instanceof Float32Array &&
    outer * n >= WASM_MIN_ELEMENTS && softmaxOnWasm(src, dst, outer, n)) return ctx.done(1);
  for (let b = 0; b < outer; b++) {
    for (let j = 0; j < inner; j++) {
      const base = b * n * inner + j;
      if (mode === Mode.Hardmax) hardmaxRow(src, dst, base, n, inner);
      else softmaxRow(src, dst, base, n, inner, mode === Mode.LogSoftmax);
    }
  }
  return ctx.done(1);
}

/** From this many elements the copy into the WebAssembly memory and back pays for itself. */
const WASM_MIN_ELEMENTS = 1024;

/**
 * Float32 softmax over contiguous rows on the WebAssembly SIMD kernel (nonlinear.wat:
 * float32 exp with relative error ~1e-7, the row sum in float32 lanes); false, with
 * nothing done, when the kernels are unavailable.
 */
function softmaxOnWasm(src: Float32Array, dst: Float32Array, rows: number, n: number): boolean {
  const k = wasmKernels();
  const nl = k?.nonlinear;
  if (k === null || nl === undefined || nl === null) return false;
  const total = rows * n;
  const mem = k.scratch(total);
  if (mem === null) return false;
  mem.set(src.length === total ? src : src.subarray(0, total), 0);
  nl.softmax(rows, n, 0, 0);
  dst.set(mem.subarray(0, total));
  return true;
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
  // exp is the expensive part: compute it once, keep it in y, then scale. A float32
  // output keeps only 24 bits, so it takes the cheaper exp below; the sum stays in doubles.
  if (y instanceof Float32Array) {
    for (let i = base; i < end; i += stride) { const e = expNonPositive(x[i] - max); y[i] = e; sum += e; }
  } else {
    for (let i = base; i < end; i += stride) { const e = Math.exp(x[i] - max); y[i] = e; sum += e; }
  }
  const inv = 1 / sum;
  for (let i = base; i < end; i += stride) y[i] *= inv;
}

/** 32 / ln 2: x·N_LN2 counts steps of ln2/32. */
const N_LN2 = 32 / Math.LN2;
/** ln2/32 split so that n·LN2_32_HI is exact for |n| < 2^20 (fdlibm's ln 2 split, divided by 32). */
const LN2_32_HI = 0.6931471803691238 / 32;
const LN2_32_LO = 1.9082149292705877e-10 / 32;
/** Adding and subtracting 1.5·2^52 rounds a double of magnitude < 2^51 to the nearest integer. */
const ROUND = 6755399441055744;
/** Below this exp(x) < 2^-158: once divided by the row's sum (≥ 1, the maximum's own term) it is 0 in float32. */
const EXP_ZERO_BELOW = -110;
/** 2^(j/32) for j in [0, 32). */
const POW2_FRAC = Float64Array.from({ length: 32 }, (_, j) => 2 ** (j / 32));
/** 2^k for k in [-160, 0] at index k + 160. */
const POW2_INT = Float64Array.from({ length: 161 }, (_, i) => 2 ** (i - 160));

/**
 * exp(x) for x ≤ 0 (a softmax term after the max shift) with relative error below
 * 1e-9, meant for float32 results (whose rounding step is 6e-8): x = n·ln2/32 + r
 * with |r| ≤ ln2/64, exp(r) by a cubic (truncation error r^4/24 < 6e-10), scaled by
 * 2^(n mod 32 / 32) and 2^floor(n/32) from tables (Tang's table-driven method).
 * About 2.5× faster than Math.exp. NaN stays NaN; -Infinity and tiny terms give 0;
 * a positive x (not a shifted softmax term) falls back to Math.exp.
 */
export function expNonPositive(x: number): number {
  if (!(x > EXP_ZERO_BELOW && x <= 0)) return x > 0 ? Math.exp(x) : x !== x ? x : 0;
  const n = (x * N_LN2 + ROUND) - ROUND;
  const r = (x - n * LN2_32_HI) - n * LN2_32_LO;
  const ni = n | 0;
  const p = 1 + r + r * r * (0.5 + r * (1 / 6));
  return p * POW2_FRAC[ni & 31] * POW2_INT[(ni >> 5) + 160];
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
