// Shared helpers of the indexing kernels (indexing-*.ts): reading index tensors,
// block copies, the addressing of the *Elements and *ND ops, int64 output writes.
// Index inputs are int32 or int64 (BigInt64Array).

import { fail, sizeOf, strides, type NodeCtx, type NumericArray, type Tensor, type TensorData } from './tensor.js';

/** Whether typed-array words are little-endian (every mainstream host): int64 can then be read as two int32 words. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Element i of an index tensor, wrapped into [0, dim) when negative (ONNX's
 * [-dim, dim-1] convention). Out-of-range values are a kernel error naming `what`.
 */
export function indexAt(data: TensorData, i: number, dim: number, what: string): number {
  const raw = Number(data[i]);
  const v = raw < 0 ? raw + dim : raw;
  if (!(v >= 0 && v < dim)) fail(`${what} index ${raw} is out of range [${-dim}, ${dim - 1}]`);
  return v;
}

/**
 * Reads a whole int32/int64 index tensor into `out`, wrapped and range-checked:
 * element i is checked against dims[i % dims.length] (one dim for Gather, the k
 * tuple dims for GatherND). int64 values are read through their 32-bit words,
 * which avoids a BigInt-to-number conversion per element.
 */
export function readIndices(t: Tensor, dims: readonly number[], out: Int32Array, what: string): void {
  const src = t.data;
  const n = src.length;
  const period = dims.length;
  if (src instanceof BigInt64Array && LITTLE_ENDIAN) {
    const w = new Int32Array(src.buffer, src.byteOffset, n * 2);
    for (let i = 0, j = 0; i < n; i++) {
      const lo = w[2 * i], dim = dims[j];
      const v = lo < 0 ? lo + dim : lo;
      // A high word that is not lo's sign extension means |value| >= 2^31: out of range.
      out[i] = w[2 * i + 1] !== lo >> 31 || v < 0 || v >= dim ? indexAt(src, i, dim, what) : v;
      if (++j === period) j = 0;
    }
  } else if (src instanceof Int32Array) {
    for (let i = 0, j = 0; i < n; i++) {
      const raw = src[i], dim = dims[j];
      const v = raw < 0 ? raw + dim : raw;
      out[i] = v < 0 || v >= dim ? indexAt(src, i, dim, what) : v;
      if (++j === period) j = 0;
    }
  } else {
    for (let i = 0, j = 0; i < n; i++) {
      out[i] = indexAt(src, i, dims[j], what);
      if (++j === period) j = 0;
    }
  }
}

/** Writes n non-negative int32-range numbers into an int64 output without creating BigInts. */
export function writeInt64(dst: BigInt64Array, src: ArrayLike<number>, n: number): void {
  if (!LITTLE_ENDIAN) {
    for (let i = 0; i < n; i++) dst[i] = BigInt(src[i]);
    return;
  }
  const w = new Int32Array(dst.buffer, dst.byteOffset, n * 2);
  for (let i = 0; i < n; i++) {
    const v = src[i];
    w[2 * i] = v;
    w[2 * i + 1] = v < 0 ? -1 : 0;
  }
}

/** Copies `n` consecutive elements from `src[s..]` to `dst[d..]` (both of the same representation). */
export function copyRun(src: TensorData, s: number, dst: TensorData, d: number, n: number): void {
  if (n >= 32 && !Array.isArray(src)) {
    // Typed arrays of one representation: a native block copy beats the loop for long runs.
    (dst as NumericArray).set((src as NumericArray).subarray(s, s + n), d);
    return;
  }
  for (let k = 0; k < n; k++) dst[d + k] = src[s + k];
}

/**
 * dst block j (length `block`, at j * block) = src[offsets[j] .. offsets[j] + block).
 * The common tail of GatherElements, GatherND and Compress.
 */
export function gatherRuns(src: TensorData, dst: TensorData, offsets: Int32Array, count: number, block: number): void {
  if (block === 1) {
    for (let j = 0; j < count; j++) dst[j] = src[offsets[j]];
    return;
  }
  for (let j = 0; j < count; j++) copyRun(src, offsets[j], dst, j * block, block);
}

/** A kernel-private Int32Array of at least n elements (offsets and indices; tensors stay below 2^31 elements). */
export function int32Scratch(ctx: NodeCtx, key: string, n: number): Int32Array {
  if (n > 0x7fffffff) fail(`${n} elements are too many to index with 32-bit offsets`);
  return ctx.scratch(key, 'int32', n) as Int32Array;
}

export function shapeText(dims: readonly number[]): string {
  return `[${dims.join(',')}]`;
}

export function requireSameDims(a: readonly number[], b: readonly number[], what: string): void {
  let same = a.length === b.length;
  for (let i = 0; same && i < a.length; i++) same = a[i] === b[i];
  if (!same) fail(`${what}: shapes ${shapeText(a)} and ${shapeText(b)} differ`);
}

/**
 * GatherElements/ScatterElements addressing: for every element p of `indices`
 * (same rank as data, no larger than data on the other axes), the flat data offset
 * of the element whose coordinate on `axis` is indices[p] and whose other
 * coordinates are p's own. Returned in a scratch buffer of the node.
 */
export function elementOffsets(ctx: NodeCtx, dataDims: readonly number[], indices: Tensor, axis: number, op: string): Int32Array {
  const iDims = indices.dims;
  const r = dataDims.length;
  if (r === 0) fail(`${op} needs data of rank >= 1`);
  if (iDims.length !== r) fail(`${op}: indices must have the data's rank ${r}, got shape ${shapeText(iDims)}`);
  for (let a = 0; a < r; a++) {
    if (a !== axis && iDims[a] > dataDims[a]) {
      fail(`${op}: indices shape ${shapeText(iDims)} exceeds data shape ${shapeText(dataDims)} on axis ${a}`);
    }
  }
  const n = indices.data.length;
  const offsets = int32Scratch(ctx, 'offsets', n);
  if (n === 0) return offsets;
  readIndices(indices, [dataDims[axis]], offsets, op);
  const dSt = strides(dataDims);
  const axisStride = dSt[axis];
  const last = r - 1;
  const rowLen = iDims[last];
  // Along the last axis the data offset advances by 1, except when it is the indexed axis.
  const lastStep = last === axis ? 0 : 1;
  const coord = new Array<number>(last).fill(0);
  let base = 0; // data offset of the row start, without the `axis` component
  for (let p = 0; p < n; p += rowLen) {
    for (let i = 0; i < rowLen; i++) offsets[p + i] = base + i * lastStep + offsets[p + i] * axisStride;
    for (let a = last - 1; a >= 0; a--) {
      const step = a === axis ? 0 : dSt[a];
      base += step;
      if (++coord[a] < iDims[a]) break;
      base -= step * iDims[a];
      coord[a] = 0;
    }
  }
  return offsets;
}

/**
 * GatherND/ScatterND addressing: `indices` of shape [...batch, ...tuples, k] holds
 * k-tuples indexing data axes [b, b+k) within each of the leading `b` batch entries
 * (data and indices share those dims). Returns, per tuple, the flat data offset of
 * the addressed block of prod(data.dims[b+k:]) elements, in a scratch buffer.
 */
export function tupleOffsets(ctx: NodeCtx, dataDims: readonly number[], b: number, indices: Tensor, op: string): Int32Array {
  const iDims = indices.dims;
  const q = iDims.length, r = dataDims.length;
  if (q < 1) fail(`${op}: indices must have rank >= 1`);
  const k = iDims[q - 1];
  if (b < 0 || b >= Math.min(q, r)) fail(`${op}: batch_dims ${b} must be less than both ranks (data ${r}, indices ${q})`);
  if (k < 1 || k > r - b) fail(`${op}: the last indices dim ${k} must be in [1, ${r - b}] for data of shape ${shapeText(dataDims)}`);
  for (let a = 0; a < b; a++) {
    if (iDims[a] !== dataDims[a]) fail(`${op}: batch dim ${a} differs between data ${shapeText(dataDims)} and indices ${shapeText(iDims)}`);
  }
  const raw = int32Scratch(ctx, 'indices', indices.data.length);
  readIndices(indices, dataDims.slice(b, b + k), raw, op);
  const dSt = strides(dataDims);
  const tupleStrides = dSt.slice(b, b + k);
  const batchStride = b === 0 ? 0 : dSt[b - 1];
  const tuples = sizeOf(iDims.slice(0, q - 1));
  const perBatch = sizeOf(iDims.slice(b, q - 1));
  const offsets = int32Scratch(ctx, 'offsets', tuples);
  for (let t = 0, inBatch = 0, batchBase = 0; t < tuples; t++) {
    let off = batchBase;
    for (let j = 0; j < k; j++) off += raw[t * k + j] * tupleStrides[j];
    offsets[t] = off;
    if (++inBatch === perBatch) { inBatch = 0; batchBase += batchStride; }
  }
  return offsets;
}
