// Pad: constant, reflect, edge and wrap modes, with negative pads cropping.
// Every output row (last axis) maps to one source row or to the constant; the
// middle of a source row is one memcpy, only the padded ends go element by element.

import { copyRange, fillRange, intList, normAxes, prod, type Elems } from './shape-util.js';
import { fail, fromNumber, strides, type DType, type NodeCtx, type Tensor } from './tensor.js';

export type PadMode = 'constant' | 'reflect' | 'edge' | 'wrap';

export interface PadAttrs {
  readonly mode: PadMode;
  /** Pad-1/2 attribute pads [x1_begin, x2_begin, ..., x1_end, x2_end, ...]; null from opset 11 (input 1). */
  readonly pads: readonly number[] | null;
  /** Pad-1/2 attribute value; null from opset 11 (input 2). */
  readonly value: number | null;
}

/** Marks an output position that takes the constant value. */
const OUTSIDE = -1;

/**
 * For one axis of input size n padded by `begin`/`end` (negative = crop), the source
 * index of every output position, OUTSIDE for constant padding. Non-constant modes
 * index into the cropped range, as onnxruntime does.
 */
export function padIndexMap(n: number, begin: number, end: number, mode: PadMode): Int32Array {
  const cropStart = Math.max(0, -begin);
  const kept = n - cropStart - Math.max(0, -end);
  const lead = Math.max(0, begin);
  const outN = n + begin + end;
  if (outN < 0 || kept < 0) fail(`Pad: pads (${begin}, ${end}) remove more than the axis size ${n}`);
  const map = new Int32Array(outN);
  if (kept === 0 && outN > 0 && mode !== 'constant') fail(`Pad: ${mode} mode cannot pad an empty axis`);
  for (let o = 0; o < outN; o++) {
    const i = o - lead;
    let s: number;
    if (i >= 0 && i < kept) s = i;
    else if (mode === 'constant') { map[o] = OUTSIDE; continue; }
    else if (mode === 'edge') s = i < 0 ? 0 : kept - 1;
    else if (mode === 'wrap') s = ((i % kept) + kept) % kept;
    else if (kept === 1) s = 0;
    else {
      // Reflection without repeating the edge is periodic with period 2(n-1) (numpy's rule).
      const period = 2 * (kept - 1);
      s = ((i % period) + period) % period;
      if (s >= kept) s = period - s;
    }
    map[o] = cropStart + s;
  }
  return map;
}

/** Per-axis (begin, end) for all axes from a pads list over `axes` (all axes when null). */
export function padsPerAxis(pads: readonly number[], axes: readonly number[] | null, r: number): { begin: number[]; end: number[] } {
  const ax = axes === null ? Array.from({ length: r }, (_, i) => i) : normAxes(axes, r);
  if (pads.length !== 2 * ax.length) fail(`Pad: ${pads.length} pads for ${ax.length} axes (expected ${2 * ax.length})`);
  const begin = new Array<number>(r).fill(0);
  const end = new Array<number>(r).fill(0);
  for (let i = 0; i < ax.length; i++) {
    begin[ax[i]] = pads[i];
    end[ax[i]] = pads[i + ax.length];
  }
  return { begin, end };
}

/** The constant in the tensor's internal representation. */
function padConstant(type: DType, input: Tensor | undefined, attrValue: number | null): unknown {
  if (input !== undefined && input.data.length > 0) return input.data[0];
  if (type === 'string') return '';
  const v = attrValue ?? 0;
  if (type === 'bool') return v !== 0 ? 1 : 0;
  return fromNumber(type, v);
}

export function pad(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: PadAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const r = x.dims.length;
  const pads = attrs.pads ?? intList(inputs[1] as Tensor, 'Pad: pads');
  const axesIn = inputs[3];
  const { begin, end } = padsPerAxis(pads, axesIn !== undefined ? intList(axesIn, 'Pad: axes') : null, r);
  const value = padConstant(x.type, inputs[2], attrs.value);
  const maps = x.dims.map((n, a) => padIndexMap(n, begin[a], end[a], attrs.mode));
  const outDims = maps.map((m) => m.length);
  const out = ctx.alloc(0, x.type, outDims);
  if (out.data.length === 0) return ctx.done(1);
  if (r === 0) {
    (out.data as Elems)[0] = (x.data as Elems)[0];
    return ctx.done(1);
  }
  const n = x.dims[r - 1], b = begin[r - 1], e = end[r - 1];
  padRows(out.data, x, maps, Math.max(0, b), n - Math.max(0, -b) - Math.max(0, -e), value);
  return ctx.done(1);
}

/**
 * Fills the output row by row (a row = the last axis) from the per-axis index maps.
 * [ms, ms + ml) of each row is a straight copy of the (cropped) source row.
 */
function padRows(dst: Tensor['data'], x: Tensor, maps: readonly Int32Array[], ms: number, ml: number, value: unknown): void {
  const r = maps.length;
  const inSt = strides(x.dims);
  const last = maps[r - 1];
  const rowLen = last.length;
  const rows = prod(maps.map((m) => m.length), 0, r - 1);
  const idx = new Int32Array(r);
  const d = dst as Elems, s = x.data as Elems;
  for (let row = 0, o = 0; row < rows; row++, o += rowLen) {
    let base = 0;
    let outside = false;
    for (let a = 0; a < r - 1; a++) {
      const m = maps[a][idx[a]];
      if (m === OUTSIDE) { outside = true; break; }
      base += m * inSt[a];
    }
    if (outside) fillRange(dst, o, rowLen, value);
    else {
      for (let j = 0; j < ms; j++) d[o + j] = last[j] === OUTSIDE ? value : s[base + last[j]];
      if (ml > 0) copyRange(dst, o + ms, x.data, base + last[ms], ml);
      for (let j = ms + ml; j < rowLen; j++) d[o + j] = last[j] === OUTSIDE ? value : s[base + last[j]];
    }
    for (let a = r - 2; a >= 0; a--) {
      if (++idx[a] < maps[a].length) break;
      idx[a] = 0;
    }
  }
}
