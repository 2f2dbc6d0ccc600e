// Image layout ops: Col2Im (opset 18) and CenterCropPad (opset 18).
// GridSample and AffineGrid: vision-grid.ts; NonMaxSuppression and RoiAlign:
// vision-detect.ts; DeformConv: vision-deform.ts.

import { fail, sizeOf, strides, toNumbers, type NodeCtx, type NumericArray, type Tensor, type TensorData } from './tensor.js';

type Inputs = readonly (Tensor | undefined)[];

// ---------------------------------------------------------------------- Col2Im

export interface Col2ImAttrs {
  /** Empty when absent: 1, 0 and 1 per spatial dimension. */
  readonly dilations: readonly number[];
  readonly pads: readonly number[];
  readonly strides: readonly number[];
}

/**
 * Col2Im: the inverse of im2col. Input [N, C·∏block, L] holds, for each of the L
 * sliding-block positions, the block's C·∏block values; they are summed back into
 * an image [N, C, ...image_shape] (overlapping blocks add up, padding is dropped).
 */
export function col2Im(ctx: NodeCtx, inputs: Inputs, attrs: Col2ImAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const image = toNumbers(inputs[1] as Tensor), block = toNumbers(inputs[2] as Tensor);
  const r = image.length;
  if (block.length !== r) fail(`Col2Im image_shape [${image.join(',')}] and block_shape [${block.join(',')}] differ in length`);
  if (x.dims.length !== 3) fail(`Col2Im input must be 3-D [N, C*prod(block_shape), L], got [${x.dims.join(',')}]`);
  const dil = orDefault(attrs.dilations, r, 1, 'dilations'), st = orDefault(attrs.strides, r, 1, 'strides');
  const pads = orDefault(attrs.pads, 2 * r, 0, 'pads');
  const K = sizeOf(block);
  const [N, CK, L] = x.dims;
  if (K === 0 || CK % K !== 0) fail(`Col2Im input dimension 1 (${CK}) must be divisible by prod(block_shape) = ${K}`);
  const C = CK / K;
  const blocks = image.map((d, i) => Math.floor((d + pads[i] + pads[i + r] - dil[i] * (block[i] - 1) - 1) / st[i]) + 1);
  if (blocks.some((b) => b < 1) || sizeOf(blocks) !== L) {
    fail(`Col2Im input dimension 2 (${L}) must equal the number of sliding blocks [${blocks.join(',')}] for image_shape [${image.join(',')}]`);
  }
  const out = ctx.alloc(0, x.type, [N, C, ...image]);
  const map = blockToImage(image, block, blocks, dil, st, pads);
  const S = sizeOf(image);
  if (x.data instanceof BigInt64Array || x.data instanceof BigUint64Array) {
    const xd = x.data, yd = out.data as BigInt64Array | BigUint64Array;
    yd.fill(0n);
    for (let nc = 0; nc < N * C; nc++) {
      const xo = nc * K * L, yo = nc * S;
      for (let j = 0; j < K * L; j++) if (map[j] >= 0) yd[yo + map[j]] += xd[xo + j];
    }
  } else {
    const xd = x.data as NumericArray, yd = out.data as NumericArray;
    yd.fill(0);
    for (let nc = 0; nc < N * C; nc++) {
      const xo = nc * K * L, yo = nc * S;
      for (let j = 0; j < K * L; j++) if (map[j] >= 0) yd[yo + map[j]] += xd[xo + j];
    }
  }
  return ctx.done(1);
}

/** An attribute list, or `def` repeated n times when absent; checks its length. */
function orDefault(v: readonly number[], n: number, def: number, name: string): number[] {
  if (v.length === 0) return new Array<number>(n).fill(def);
  if (v.length !== n) fail(`Col2Im attribute ${name} must have ${n} values, got [${v.join(',')}]`);
  return v.slice();
}

/**
 * For each (block element k, block position l) = column k·L + l, the flat image
 * offset it lands on, or -1 when it falls in the padding.
 */
function blockToImage(
  image: readonly number[], block: readonly number[], blocks: readonly number[],
  dil: readonly number[], st: readonly number[], pads: readonly number[],
): Int32Array {
  const r = image.length, K = sizeOf(block), L = sizeOf(blocks);
  const map = new Int32Array(K * L);
  const imgStrides = strides(image);
  const kIdx = new Array<number>(r).fill(0);
  for (let k = 0; k < K; k++) {
    const lIdx = new Array<number>(r).fill(0);
    for (let l = 0; l < L; l++) {
      let off = 0;
      for (let i = 0; i < r && off >= 0; i++) {
        const p = lIdx[i] * st[i] - pads[i] + kIdx[i] * dil[i];
        off = p >= 0 && p < image[i] ? off + p * imgStrides[i] : -1;
      }
      map[k * L + l] = off;
      increment(lIdx, blocks);
    }
    increment(kIdx, block);
  }
  return map;
}

/** Advances a row-major multi-index (odometer). */
function increment(idx: number[], dims: readonly number[]): void {
  for (let i = idx.length - 1; i >= 0; i--) {
    if (++idx[i] < dims[i]) return;
    idx[i] = 0;
  }
}

// --------------------------------------------------------------- CenterCropPad

/**
 * CenterCropPad: along each listed axis (all axes when `axes` is empty) crops a
 * centred window or zero-pads to the target length. The crop start and the
 * leading pad are the floor of half the difference (an odd extra goes right).
 */
export function centerCropPad(ctx: NodeCtx, inputs: Inputs, attrs: { axes: readonly number[] }): Tensor[] {
  const x = inputs[0] as Tensor, target = toNumbers(inputs[1] as Tensor);
  const rank = x.dims.length;
  const axes = attrs.axes.length > 0 ? attrs.axes.map((a) => (a < 0 ? a + rank : a)) : x.dims.map((_, i) => i);
  if (axes.some((a) => a < 0 || a >= rank)) fail(`CenterCropPad axes [${attrs.axes.join(',')}] are out of range for rank ${rank}`);
  if (target.length !== axes.length) fail(`CenterCropPad shape has ${target.length} values for ${axes.length} axes`);
  const outDims = x.dims.slice();
  // Per axis: output index o reads input index o + shift when 0 <= o + shift < dim.
  const shift = new Array<number>(rank).fill(0);
  axes.forEach((a, i) => {
    const t = target[i], d = x.dims[a];
    if (!(t >= 0)) fail(`CenterCropPad target length ${t} must be non-negative`);
    outDims[a] = t;
    shift[a] = t < d ? Math.floor((d - t) / 2) : -Math.floor((t - d) / 2);
  });
  const out = ctx.alloc(0, x.type, outDims);
  copyShifted(x.data, x.dims, out.data, outDims, shift);
  return ctx.done(1);
}

/**
 * out[o] = in[o + shift] where inside the input, else zero. Rows along the last axis
 * are copied as one range; rows wholly outside the input are zero-filled.
 */
function copyShifted(src: TensorData, inDims: readonly number[], dst: TensorData, outDims: readonly number[], shift: readonly number[]): void {
  const rank = outDims.length;
  const zero = Array.isArray(dst) ? '' : dst instanceof BigInt64Array || dst instanceof BigUint64Array ? 0n : 0;
  const fill = (from: number, to: number): void => { if (to > from) (dst as unknown[] & { fill: (v: unknown, s: number, e: number) => void }).fill(zero, from, to); };
  if (rank === 0) { (dst as unknown[])[0] = (src as unknown[])[0]; return; }
  const last = rank - 1, rowLen = outDims[last];
  const rows = sizeOf(outDims.slice(0, last));
  const inSt = strides(inDims);
  // The last axis's valid output range [lo, hi) and the matching input start.
  const lo = Math.max(0, -shift[last]), hi = Math.min(rowLen, inDims[last] - shift[last]);
  const idx = new Array<number>(last).fill(0);
  for (let row = 0; row < rows; row++) {
    const o = row * rowLen;
    let inRow = 0, inside = true;
    for (let a = 0; a < last && inside; a++) {
      const i = idx[a] + shift[a];
      inside = i >= 0 && i < inDims[a];
      inRow += i * inSt[a];
    }
    if (!inside || hi <= lo) fill(o, o + rowLen);
    else {
      fill(o, o + lo);
      copyRange(src, inRow + lo + shift[last], dst, o + lo, hi - lo);
      fill(o + hi, o + rowLen);
    }
    increment(idx, outDims);
  }
}

function copyRange(src: TensorData, from: number, dst: TensorData, to: number, n: number): void {
  if (Array.isArray(src)) {
    for (let i = 0; i < n; i++) (dst as string[])[to + i] = src[from + i];
  } else {
    (dst as Uint8Array).set((src as Uint8Array).subarray(from, from + n), to);
  }
}
