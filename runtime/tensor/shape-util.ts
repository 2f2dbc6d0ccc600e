// Element-moving helpers shared by the shape and layout kernels (shape*.ts).
// These ops never look at values, so one code path serves every element type:
// typed arrays (numbers and bigints) and string[] alike.

import { fail, type Tensor, type TensorData } from './tensor.js';

/** Index access common to every TensorData variant (kernels only move elements). */
export type Elems = { [i: number]: unknown; readonly length: number };

/** Below this many elements a plain loop beats creating a subarray for set(). */
const SET_MIN = 64;

/** Copies n elements src[sOff..] to dst[dOff..]; dst and src have the same element type. */
export function copyRange(dst: TensorData, dOff: number, src: TensorData, sOff: number, n: number): void {
  if (n <= 0) return;
  if (n < SET_MIN || Array.isArray(src)) {
    const d = dst as Elems, s = src as Elems;
    for (let i = 0; i < n; i++) d[dOff + i] = s[sOff + i];
    return;
  }
  // Same-typed typed arrays: a memcpy. The casts only satisfy the union's set() overloads.
  (dst as Float32Array).set((src as Float32Array).subarray(sOff, sOff + n), dOff);
}

/** Sets dst[off..off+n) to v (a value already in dst's representation). */
export function fillRange(dst: TensorData, off: number, n: number, v: unknown): void {
  if (n <= 0) return;
  (dst as unknown as { fill(v: unknown, start: number, end: number): void }).fill(v, off, off + n);
}

/** The values of an integer input (shape, axes, pads, repeats) as numbers, checked to be a 0-D/1-D tensor. */
export function intList(t: Tensor, what: string): number[] {
  if (t.dims.length > 1) fail(`${what} must be a 1-D tensor, got rank ${t.dims.length}`);
  const out = new Array<number>(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]);
  return out;
}

/** Normalises axes against rank r, rejecting out-of-range and repeated entries. */
export function normAxes(axes: readonly number[], r: number): number[] {
  const out = new Array<number>(axes.length);
  for (let i = 0; i < axes.length; i++) {
    const a = axes[i] < 0 ? axes[i] + r : axes[i];
    if (!Number.isInteger(a) || a < 0 || a >= r) fail(`axis ${axes[i]} is out of range for rank ${r}`);
    if (out.indexOf(a) >= 0) fail(`axis ${axes[i]} is repeated`);
    out[i] = a;
  }
  return out;
}

/** Product of dims[from..to). */
export function prod(dims: readonly number[], from = 0, to = dims.length): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= dims[i];
  return n;
}

/**
 * Fills dst (row-major over outDims) with src[Σ idx[a]·srcStrides[a]]: the common core
 * of Expand (stride 0 on broadcast axes) and Tile. Axes are merged first so the inner
 * loop is one long memcpy (stride 1) or fill (stride 0) whenever the layout allows.
 */
export function stridedGather(dst: TensorData, outDims: readonly number[], src: TensorData, srcStrides: readonly number[]): void {
  // Drop unit axes, then merge neighbours that walk the source as one axis.
  const dims: number[] = [];
  const st: number[] = [];
  for (let a = 0; a < outDims.length; a++) {
    if (outDims[a] === 1) continue;
    const k = dims.length - 1;
    if (k >= 0 && st[k] === srcStrides[a] * outDims[a]) {
      dims[k] *= outDims[a];
      st[k] = srcStrides[a];
    } else {
      dims.push(outDims[a]);
      st.push(srcStrides[a]);
    }
  }
  const total = prod(dims);
  if (total === 0) return;
  if (dims.length === 0) { (dst as Elems)[0] = (src as Elems)[0]; return; }
  const r = dims.length;
  const n = dims[r - 1], sLast = st[r - 1];
  const idx = new Int32Array(r);
  const d = dst as Elems, s = src as Elems;
  let base = 0;
  for (let o = 0; o < total; o += n) {
    if (sLast === 1) copyRange(dst, o, src, base, n);
    else if (sLast === 0) fillRange(dst, o, n, s[base]);
    else for (let j = 0, p = base; j < n; j++, p += sLast) d[o + j] = s[p];
    for (let ax = r - 2; ax >= 0; ax--) {
      base += st[ax];
      if (++idx[ax] < dims[ax]) break;
      base -= st[ax] * dims[ax];
      idx[ax] = 0;
    }
  }
}
