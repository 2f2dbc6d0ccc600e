// Small selection kernels: Trilu, OneHot, Compress, NonZero, ReverseSequence.

import { copyRun, gatherRuns, int32Scratch, shapeText, writeInt64 } from './indexing.js';
import { fail, normAxis, sizeOf, type NodeCtx, type NumericArray, type Tensor, type TensorData } from './tensor.js';

// ---------------------------------------------------------------------------
// Trilu

/**
 * Trilu-14: keeps the upper (j - i >= k) or lower (j - i <= k) triangle of the
 * last two axes, zeroing the rest (empty string / false for those types).
 */
export function trilu(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: { upper: boolean }): Tensor[] {
  const x = inputs[0] as Tensor;
  const kT = inputs[1];
  if (x.dims.length < 2) fail(`Trilu needs an input of rank >= 2, got ${shapeText(x.dims)}`);
  if (kT !== undefined && kT.data.length !== 1) fail(`Trilu's k must be a scalar, got shape ${shapeText(kT.dims)}`);
  const k = kT === undefined ? 0 : Number(kT.data[0]);
  const out = ctx.alloc(0, x.type, x.dims);
  const rows = x.dims[x.dims.length - 2];
  const cols = x.dims[x.dims.length - 1];
  const mats = rows * cols === 0 ? 0 : x.data.length / (rows * cols);
  const src = x.data, dst = out.data;
  const zero = zeroOf(dst);
  for (let m = 0; m < mats; m++) {
    const base = m * rows * cols;
    for (let i = 0; i < rows; i++) {
      // Columns [lo, hi) are kept on row i.
      const lo = attrs.upper ? clampInt(i + k, 0, cols) : 0;
      const hi = attrs.upper ? cols : clampInt(i + k + 1, 0, cols);
      const row = base + i * cols;
      for (let j = 0; j < lo; j++) dst[row + j] = zero;
      copyRun(src, row + lo, dst, row + lo, hi - lo);
      for (let j = hi; j < cols; j++) dst[row + j] = zero;
    }
  }
  return ctx.done(1);
}

function clampInt(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/** The zero element of a tensor's representation. */
function zeroOf(data: TensorData): number | bigint | string {
  if (Array.isArray(data)) return '';
  return data instanceof BigInt64Array || data instanceof BigUint64Array ? 0n : 0;
}

// ---------------------------------------------------------------------------
// OneHot

/**
 * OneHot-9/11: output[..., d, ...] = on_value where d == indices[...] (negative
 * indices count from depth), off_value elsewhere; indices outside
 * [-depth, depth-1] give an all-off row, and so do non-integral float indices. A float
 * depth is truncated.
 */
export function oneHot(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: { axis: number }): Tensor[] {
  const indices = inputs[0] as Tensor, depthT = inputs[1] as Tensor, values = inputs[2] as Tensor;
  if (depthT.data.length !== 1) fail(`OneHot's depth must hold exactly one value, got shape ${shapeText(depthT.dims)}`);
  if (values.data.length !== 2) fail(`OneHot's values must be [off_value, on_value], got shape ${shapeText(values.dims)}`);
  const depth = Math.trunc(Number(depthT.data[0]));
  if (!(depth > 0)) fail(`OneHot's depth must be positive, got ${Number(depthT.data[0])}`);
  const r = indices.dims.length;
  const axis = normAxis(attrs.axis, r + 1);
  const outDims = indices.dims.slice(0, axis).concat([depth], indices.dims.slice(axis));
  const out = ctx.alloc(0, values.type, outDims);
  const off = values.data[0], on = values.data[1];
  const dst = out.data;
  // Output index = (outer, d, inner); indices index = (outer, inner).
  const inner = sizeOf(indices.dims.slice(axis));
  const outer = sizeOf(indices.dims.slice(0, axis));
  if (Array.isArray(dst)) dst.fill(off as string);
  else (dst as NumericArray).fill(off as number); // bigint arrays take a bigint here
  const idx = indices.data;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      let v = Number(idx[o * inner + i]);
      if (v < 0) v += depth;
      // A non-integral float index matches no position (numpy reference, onnxruntime).
      if (v >= 0 && v < depth && Number.isInteger(v)) dst[(o * depth + v) * inner + i] = on;
    }
  }
  return ctx.done(1);
}

// ---------------------------------------------------------------------------
// Compress

/**
 * Compress-9/11: the slices along `axis` (or elements of the flattened input when
 * axis is absent) whose condition entry is true. A condition shorter than the axis
 * drops the remaining slices; a longer one may only hold false past the end.
 */
export function compress(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: { axis?: number }): Tensor[] {
  const x = inputs[0] as Tensor, cond = inputs[1] as Tensor;
  if (cond.dims.length !== 1) fail(`Compress's condition must be 1-D, got shape ${shapeText(cond.dims)}`);
  const flat = attrs.axis === undefined;
  const axis = flat ? 0 : normAxis(attrs.axis as number, x.dims.length);
  const dims = flat ? [x.data.length] : x.dims;
  const axisLen = dims[axis];
  const c = cond.data as Uint8Array;
  let kept = 0;
  for (let i = 0; i < c.length; i++) {
    if (c[i] === 0) continue;
    if (i >= axisLen) fail(`Compress's condition has a true entry at ${i}, past the axis length ${axisLen}`);
    kept++;
  }
  const outDims = dims.slice();
  outDims[axis] = kept;
  const out = ctx.alloc(0, x.type, outDims);
  const outer = sizeOf(dims.slice(0, axis));
  const inner = sizeOf(dims.slice(axis + 1));
  const offsets = int32Scratch(ctx, 'offsets', outer * kept);
  let j = 0;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < c.length && i < axisLen; i++) if (c[i] !== 0) offsets[j++] = (o * axisLen + i) * inner;
  }
  gatherRuns(x.data, out.data, offsets, j, inner);
  return ctx.done(1);
}

// ---------------------------------------------------------------------------
// NonZero

/**
 * NonZero-9/13: the coordinates of the non-zero elements, int64 of shape
 * [rank, count], in row-major order. A scalar is treated as a 1-element vector
 * (as numpy and onnxruntime do), giving shape [1, count]. NaN is non-zero;
 * for strings, non-empty is non-zero.
 */
export function nonZero(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[]): Tensor[] {
  const x = inputs[0] as Tensor;
  const dims = x.dims.length === 0 ? [1] : x.dims;
  const rank = dims.length;
  const positions = int32Scratch(ctx, 'positions', x.data.length);
  const count = nonZeroPositions(x.data, positions);
  const out = ctx.alloc(0, 'int64', [rank, count]);
  // Coordinates of each position, axis by axis (row a of the output holds axis a).
  const coords = int32Scratch(ctx, 'coords', rank * count);
  for (let j = 0; j < count; j++) {
    let p = positions[j];
    for (let a = rank - 1; a >= 0; a--) {
      const d = dims[a];
      const c = p % d;
      coords[a * count + j] = c;
      p = (p - c) / d;
    }
  }
  writeInt64(out.data as BigInt64Array, coords, rank * count);
  return ctx.done(1);
}

/** Writes the flat positions of the non-zero elements to `out`; returns their count. */
function nonZeroPositions(src: TensorData, out: Int32Array): number {
  const n = src.length;
  let count = 0;
  if (Array.isArray(src)) {
    for (let i = 0; i < n; i++) if (src[i] !== '') out[count++] = i;
  } else if (src instanceof BigInt64Array || src instanceof BigUint64Array) {
    for (let i = 0; i < n; i++) if (src[i] !== 0n) out[count++] = i;
  } else {
    // NaN !== 0 holds, so NaN counts as non-zero; -0 does not.
    for (let i = 0; i < n; i++) if (src[i] !== 0) out[count++] = i;
  }
  return count;
}

// ---------------------------------------------------------------------------
// ReverseSequence

/**
 * ReverseSequence-10: for each batch entry b, reverses the first sequence_lens[b]
 * elements along the time axis and copies the rest. Time and batch axes are 0 and 1
 * in either order.
 */
export function reverseSequence(
  ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: { timeAxis: number; batchAxis: number },
): Tensor[] {
  const x = inputs[0] as Tensor, lens = inputs[1] as Tensor;
  if (x.dims.length < 2) fail(`ReverseSequence needs an input of rank >= 2, got ${shapeText(x.dims)}`);
  const batch = x.dims[attrs.batchAxis], time = x.dims[attrs.timeAxis];
  if (lens.dims.length !== 1 || lens.dims[0] !== batch) {
    fail(`ReverseSequence's sequence_lens must have shape [${batch}], got ${shapeText(lens.dims)}`);
  }
  const out = ctx.alloc(0, x.type, x.dims);
  const inner = sizeOf(x.dims.slice(2));
  // Flat block offset of (batch b, time t) in units of `inner`.
  const bStride = attrs.batchAxis === 0 ? x.dims[1] : 1;
  const tStride = attrs.timeAxis === 0 ? x.dims[1] : 1;
  for (let b = 0; b < batch; b++) {
    const len = Number(lens.data[b]);
    if (!(len >= 0 && len <= time)) fail(`ReverseSequence: sequence_lens[${b}] = ${len} is out of range [0, ${time}]`);
    for (let t = 0; t < time; t++) {
      const from = t < len ? len - 1 - t : t;
      copyRun(x.data, (b * bStride + from * tStride) * inner, out.data, (b * bStride + t * tStride) * inner, inner);
    }
  }
  return ctx.done(1);
}
