// Multidirectional (numpy-style) broadcasting, shared by every kernel that needs it.

import { fail } from './tensor.js';

/** The broadcast shape of several shapes, or a kernel error naming them. */
export function broadcastShapes(...shapes: readonly (readonly number[])[]): number[] {
  let rank = 0;
  for (const s of shapes) rank = Math.max(rank, s.length);
  const out = new Array<number>(rank).fill(1);
  for (const s of shapes) {
    const off = rank - s.length;
    for (let i = 0; i < s.length; i++) {
      const d = s[i];
      const o = out[off + i];
      if (d === o || d === 1) continue;
      if (o === 1) out[off + i] = d;
      else fail(`shapes ${shapes.map((x) => `[${x.join(',')}]`).join(' and ')} cannot be broadcast together`);
    }
  }
  return out;
}

/**
 * For an input of shape `dims` broadcast to `outDims`, the strides to walk it in the
 * output's index space (0 on broadcast axes), padded on the left to the output rank.
 */
export function broadcastStrides(dims: readonly number[], outDims: readonly number[]): number[] {
  const rank = outDims.length;
  const st = new Array<number>(rank).fill(0);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) {
    const o = rank - dims.length + i;
    st[o] = dims[i] === 1 && outDims[o] !== 1 ? 0 : acc;
    acc *= dims[i];
  }
  return st;
}

/**
 * Calls `visit(outIndex, offsets...)` for every element of `outDims` with the flat
 * offsets into each input. Iterative odometer: no recursion, no per-element allocation.
 */
export function forEachBroadcast2(
  outDims: readonly number[], aDims: readonly number[], bDims: readonly number[],
  visit: (o: number, ia: number, ib: number) => void,
): void {
  const rank = outDims.length;
  const sa = broadcastStrides(aDims, outDims);
  const sb = broadcastStrides(bDims, outDims);
  let n = 1;
  for (const d of outDims) n *= d;
  if (n === 0) return;
  const idx = new Array<number>(rank).fill(0);
  let ia = 0;
  let ib = 0;
  for (let o = 0; o < n; o++) {
    visit(o, ia, ib);
    for (let ax = rank - 1; ax >= 0; ax--) {
      idx[ax]++;
      ia += sa[ax];
      ib += sb[ax];
      if (idx[ax] < outDims[ax]) break;
      ia -= sa[ax] * outDims[ax];
      ib -= sb[ax] * outDims[ax];
      idx[ax] = 0;
    }
  }
}

/** The flat offset into an input of shape `dims` broadcast to `outDims` for each output element. */
export function broadcastIndex(dims: readonly number[], outDims: readonly number[]): Int32Array | null {
  let same = dims.length === outDims.length;
  for (let i = 0; same && i < dims.length; i++) same = dims[i] === outDims[i];
  if (same) return null; // identity mapping
  let n = 1;
  for (const d of outDims) n *= d;
  const map = new Int32Array(n);
  forEachBroadcast2(outDims, dims, dims, (o, ia) => { map[o] = ia; });
  return map;
}
