// Broadcast iteration for the elementwise kernels: the output is walked in rows
// of contiguous elements, each input advancing by 0 (broadcast) or 1 along a row.
// Adjacent axes that every input walks contiguously are merged first, so the
// common layouts (same shapes, a scalar operand, a bias over the last axis) run
// as one or a few long rows and the per-element work stays in a tight loop.

import { broadcastStrides } from './broadcast.js';
import type { TensorData } from './tensor.js';

/** How to walk an output of `total` elements given the shapes of k inputs. */
export interface Walk {
  readonly total: number;
  /** Length of one row (innermost merged axis). */
  readonly n: number;
  /** Per input: its step along a row, 0 or 1. */
  readonly inner: readonly number[];
  /** Outer (merged) axes, outermost first; empty when the walk is one row. */
  readonly outer: readonly number[];
  /** Per input: its stride along each outer axis. */
  readonly strides: readonly (readonly number[])[];
}

export function planWalk(outDims: readonly number[], inDims: readonly (readonly number[])[]): Walk {
  let total = 1;
  for (const d of outDims) total *= d;
  const k = inDims.length;
  const st = inDims.map((d) => broadcastStrides(d, outDims));
  // Merge axes from the innermost out; size-1 axes never matter.
  const dims: number[] = [];
  const groups: number[][] = [];
  for (let ax = outDims.length - 1; ax >= 0; ax--) {
    const d = outDims[ax];
    if (d === 1) continue;
    const g = dims.length - 1;
    if (g >= 0) {
      let mergeable = true;
      for (let j = 0; j < k && mergeable; j++) mergeable = st[j][ax] === groups[g][j] * dims[g];
      if (mergeable) { dims[g] *= d; continue; }
    }
    dims.push(d);
    groups.push(st.map((s) => s[ax]));
  }
  if (dims.length === 0) return { total, n: total, inner: new Array<number>(k).fill(0), outer: [], strides: inDims.map(() => []) };
  const n = dims[0];
  const inner = groups[0];
  const outer: number[] = [];
  const strides: number[][] = inDims.map(() => []);
  for (let g = dims.length - 1; g >= 1; g--) {
    outer.push(dims[g]);
    for (let j = 0; j < k; j++) strides[j].push(groups[g][j]);
  }
  return { total, n, inner, outer, strides };
}

/** A row loop: out[oi .. oi+n) from a (from ia, step sa) and b (from ib, step sb). */
export type Row2<O = TensorData, A = TensorData, B = TensorData> = (
  out: O, oi: number, a: A, ia: number, sa: number, b: B, ib: number, sb: number, n: number,
) => void;

/** Runs `row` over every row of a two-input walk. */
export function walk2<O, A, B>(w: Walk, out: O, a: A, b: B, row: Row2<O, A, B>): void {
  if (w.total === 0) return;
  const n = w.n, ra = w.inner[0], rb = w.inner[1];
  const outer = w.outer;
  const r = outer.length;
  if (r === 0) { row(out, 0, a, 0, ra, b, 0, rb, n); return; }
  const sa = w.strides[0], sb = w.strides[1];
  const idx = new Array<number>(r).fill(0);
  let ia = 0, ib = 0;
  for (let o = 0; o < w.total; o += n) {
    row(out, o, a, ia, ra, b, ib, rb, n);
    for (let ax = r - 1; ax >= 0; ax--) {
      ia += sa[ax]; ib += sb[ax];
      if (++idx[ax] < outer[ax]) break;
      ia -= sa[ax] * outer[ax]; ib -= sb[ax] * outer[ax];
      idx[ax] = 0;
    }
  }
}

/** A three-input row loop (Where). */
export type Row3 = (
  out: TensorData, oi: number, a: TensorData, ia: number, sa: number, b: TensorData, ib: number, sb: number,
  c: TensorData, ic: number, sc: number, n: number,
) => void;

export function walk3(w: Walk, out: TensorData, a: TensorData, b: TensorData, c: TensorData, row: Row3): void {
  if (w.total === 0) return;
  const n = w.n, ra = w.inner[0], rb = w.inner[1], rc = w.inner[2];
  const outer = w.outer;
  const r = outer.length;
  if (r === 0) { row(out, 0, a, 0, ra, b, 0, rb, c, 0, rc, n); return; }
  const sa = w.strides[0], sb = w.strides[1], sc = w.strides[2];
  const idx = new Array<number>(r).fill(0);
  let ia = 0, ib = 0, ic = 0;
  for (let o = 0; o < w.total; o += n) {
    row(out, o, a, ia, ra, b, ib, rb, c, ic, rc, n);
    for (let ax = r - 1; ax >= 0; ax--) {
      ia += sa[ax]; ib += sb[ax]; ic += sc[ax];
      if (++idx[ax] < outer[ax]) break;
      ia -= sa[ax] * outer[ax]; ib -= sb[ax] * outer[ax]; ic -= sc[ax] * outer[ax];
      idx[ax] = 0;
    }
  }
}
