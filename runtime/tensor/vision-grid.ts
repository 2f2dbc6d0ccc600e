// Grid sampling: GridSample (opset 16: 4-D, bilinear/nearest/bicubic; opset 20+:
// N-D, linear/nearest/cubic) and AffineGrid, plus the interpolation-tap helpers
// DeformConv shares (runtime/tensor/vision-deform.ts).
//
// A sample point's value is a weighted sum of input elements ("taps"). Every
// interpolation mode here is separable: each spatial dimension contributes 1, 2
// or 4 (index, weight) pairs and a point's taps are their products. Taps depend
// only on the grid, so they are tabulated for a block of points and then applied
// to every channel.

import { fail, isBigType, sizeOf, toNumbers, type NodeCtx, type NumericArray, type Tensor, type TensorData } from './tensor.js';

type Inputs = readonly (Tensor | undefined)[];
type FloatArray = Float32Array | Float64Array;

export type GridMode = 'linear' | 'nearest' | 'cubic';
export type GridPadding = 'zeros' | 'border' | 'reflection';

export interface GridSampleAttrs {
  /** Opset 16's bilinear/bicubic are normalised to linear/cubic by the registry. */
  readonly mode: GridMode;
  readonly padding: GridPadding;
  readonly alignCorners: boolean;
}

// ------------------------------------------------------------------ taps

/**
 * The taps of one sample point, built one dimension at a time: `off[i]` is a flat
 * offset into a spatial block, `w[i]` its weight. Buffers are sized once per call.
 */
export class Taps {
  off: Int32Array;
  w: Float64Array;
  count = 0;
  private off2: Int32Array;
  private w2: Float64Array;

  constructor(maxTaps: number) {
    this.off = new Int32Array(maxTaps);
    this.w = new Float64Array(maxTaps);
    this.off2 = new Int32Array(maxTaps);
    this.w2 = new Float64Array(maxTaps);
  }

  reset(): void {
    this.count = 1;
    this.off[0] = 0;
    this.w[0] = 1;
  }

  /**
   * Multiplies in one dimension's taps: `n` indices (-1 = outside the input, which
   * contributes zero and is dropped) with weights, along a dimension of `stride`.
   */
  addDim(idx: Int32Array, wt: Float64Array, n: number, stride: number): void {
    const off = this.off, w = this.w, o2 = this.off2, w2 = this.w2;
    let m = 0;
    for (let a = 0; a < this.count; a++) {
      const base = off[a], wa = w[a];
      for (let j = 0; j < n; j++) {
        const i = idx[j];
        if (i < 0) continue;
        o2[m] = base + i * stride;
        w2[m] = wa * wt[j];
        m++;
      }
    }
    this.off = o2; this.w = w2; this.off2 = off; this.w2 = w;
    this.count = m;
  }
}

/** At most this many taps are tabulated at once (a block of points; about 0.8 MB). */
const TABLE_TAPS = 1 << 16;

/**
 * The taps of a block of consecutive sample points: point q's taps are entries
 * [start[q], start[q + 1]) of off/w. Tabulating a block first lets each channel be
 * swept with sequential reads of the table and sequential writes of the output.
 */
export class TapTable {
  readonly maxPoints: number;
  readonly off: Int32Array;
  readonly w: Float64Array;
  readonly start: Int32Array;
  points = 0;

  constructor(totalPoints: number, maxTapsPerPoint: number) {
    this.maxPoints = Math.max(1, Math.min(totalPoints, Math.floor(TABLE_TAPS / maxTapsPerPoint)));
    this.off = new Int32Array(this.maxPoints * maxTapsPerPoint);
    this.w = new Float64Array(this.maxPoints * maxTapsPerPoint);
    this.start = new Int32Array(this.maxPoints + 1);
  }

  clear(): void {
    this.points = 0;
  }

  /** Appends one point's taps. */
  push(t: Taps): void {
    let e = this.start[this.points];
    for (let i = 0; i < t.count; i++, e++) { this.off[e] = t.off[i]; this.w[e] = t.w[i]; }
    this.start[++this.points] = e;
  }

  /** out[o + q] = scale_q · Σ w · data[base + off] over point q's taps (scale_q = 1 without `scale`). */
  apply(data: NumericArray, base: number, out: NumericArray, o: number, scale?: FloatArray, scaleAt = 0): void {
    const off = this.off, w = this.w, start = this.start;
    for (let q = 0, t = 0; q < this.points; q++) {
      let s = 0;
      for (const end = start[q + 1]; t < end; t++) s += w[t] * data[base + off[t]];
      out[o + q] = scale === undefined ? s : scale[scaleAt + q] * s;
    }
  }
}

/** Round half to even (C's nearbyint in the default rounding mode, numpy's rint). */
export function roundHalfEven(v: number): number {
  const f = Math.floor(v);
  const d = v - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/**
 * Reflects x into [lo, hi] by its borders until it falls inside (ONNX's and
 * PyTorch's grid-sample reflection: -3.5 in [-1, 1] -> 1.5 -> 0.5).
 */
function reflect(x: number, lo: number, hi: number): number {
  const range = hi - lo;
  if (range <= 0) return lo; // a single-element axis with align_corners
  if (x < lo) {
    const dx = lo - x, n = Math.trunc(dx / range), r = dx - n * range;
    return n % 2 === 0 ? lo + r : hi - r;
  }
  if (x > hi) {
    const dx = x - hi, n = Math.trunc(dx / range), r = dx - n * range;
    return n % 2 === 0 ? hi - r : lo + r;
  }
  return x;
}

/** Keys' cubic convolution weights (A = -0.75, PyTorch's) for the 4 taps around fraction t. */
function cubicWeights(t: number, w: Float64Array): void {
  const A = -0.75;
  const x0 = t + 1, x1 = t, x2 = 1 - t, x3 = 2 - t;
  w[0] = ((A * x0 - 5 * A) * x0 + 8 * A) * x0 - 4 * A;
  w[1] = ((A + 2) * x1 - (A + 3)) * x1 * x1 + 1;
  w[2] = ((A + 2) * x2 - (A + 3)) * x2 * x2 + 1;
  w[3] = ((A * x3 - 5 * A) * x3 + 8 * A) * x3 - 4 * A;
}

/** One spatial dimension's sampling setup: size and the valid coordinate range. */
interface Axis { readonly size: number; readonly lo: number; readonly hi: number }

/** The element index an integer position reads under the padding mode (-1 = zero). */
function padIndex(i: number, ax: Axis, padding: GridPadding): number {
  if (!Number.isFinite(i)) return -1;
  const d = ax.size;
  if (padding === 'zeros') return i >= 0 && i < d ? i : -1;
  if (padding === 'border') return i < 0 ? 0 : i >= d ? d - 1 : i;
  const r = Math.trunc(reflect(i, ax.lo, ax.hi));
  return r < 0 ? 0 : r >= d ? d - 1 : r; // float edge cases stay in range
}

/**
 * The taps of one dimension at pixel coordinate v (already denormalised): writes
 * indices and weights, returns how many. Follows the ONNX reference: coordinates
 * outside [lo, hi] are first clamped (border) or reflected (reflection), then
 * every tap index is mapped through the padding mode.
 */
function axisTaps(v: number, ax: Axis, mode: GridMode, padding: GridPadding, idx: Int32Array, w: Float64Array): number {
  if (mode === 'nearest') v = roundHalfEven(v);
  if (v < ax.lo || v > ax.hi) {
    if (padding === 'border') v = v < 0 ? 0 : v > ax.size - 1 ? ax.size - 1 : v;
    else if (padding === 'reflection') v = reflect(v, ax.lo, ax.hi);
  }
  if (mode === 'nearest') {
    idx[0] = padIndex(Math.trunc(v), ax, padding);
    w[0] = 1;
    return 1;
  }
  const i0 = Math.floor(v), t = v - i0;
  if (mode === 'linear') {
    idx[0] = padIndex(i0, ax, padding); w[0] = 1 - t;
    idx[1] = padIndex(i0 + 1, ax, padding); w[1] = t;
    return 2;
  }
  cubicWeights(t, w);
  for (let j = 0; j < 4; j++) idx[j] = padIndex(i0 - 1 + j, ax, padding);
  return 4;
}

/** Linear taps with zero padding at pixel coordinate v (DeformConv's sampling). */
export function linearZeroTaps(v: number, size: number, idx: Int32Array, w: Float64Array): number {
  const i0 = Math.floor(v), t = v - i0;
  idx[0] = i0 >= 0 && i0 < size ? i0 : -1; w[0] = 1 - t;
  idx[1] = i0 + 1 >= 0 && i0 + 1 < size ? i0 + 1 : -1; w[1] = t;
  return 2;
}

// ----------------------------------------------------------------- GridSample

/**
 * GridSample: Y[n, c, p...] samples X[n, c] at grid[n, p..., :], whose last axis
 * lists normalised coordinates innermost dimension first (x, y, z...).
 */
export function gridSample(ctx: NodeCtx, inputs: Inputs, attrs: GridSampleAttrs): Tensor[] {
  const x = inputs[0] as Tensor, grid = inputs[1] as Tensor;
  const r = x.dims.length - 2;
  if (r < 1) fail(`GridSample input must have rank >= 3, got [${x.dims.join(',')}]`);
  if (grid.dims.length !== r + 2 || grid.dims[0] !== x.dims[0] || grid.dims[r + 1] !== r) {
    fail(`GridSample grid shape [${grid.dims.join(',')}] does not match input [${x.dims.join(',')}]: expected [${x.dims[0]}, ..., ${r}] of rank ${r + 2}`);
  }
  if (x.type === 'string' && attrs.mode !== 'nearest') fail(`GridSample mode ${attrs.mode} cannot interpolate strings (only nearest can)`);
  const [N, C] = x.dims;
  const out = ctx.alloc(0, x.type, [N, C, ...grid.dims.slice(1, r + 1)]);
  const P = sizeOf(grid.dims.slice(1, r + 1));
  if (N * C * P === 0) return ctx.done(1);
  const s: Sampling = {
    attrs, axes: gridAxes(x.dims.slice(2), attrs.alignCorners), xDims: x.dims, grid: grid.data as FloatArray,
    N, C, P, S: sizeOf(x.dims.slice(2)),
  };
  const tapsPerPoint = Math.pow(attrs.mode === 'cubic' ? 4 : attrs.mode === 'linear' ? 2 : 1, r);
  const table = new TapTable(P, tapsPerPoint), point = new Taps(tapsPerPoint);
  if (attrs.mode === 'nearest') gatherNearest(x.data, out.data, s, table, point);
  else if (isBigType(x.type) || x.type === 'bool') interpolateConverted(x, out.data, s, table, point);
  else interpolate(x.data as NumericArray, out.data as NumericArray, s, table, point);
  return ctx.done(1);
}

/** One GridSample call's geometry: batch, channels, output points, input plane size. */
interface Sampling {
  readonly attrs: GridSampleAttrs;
  readonly axes: readonly Axis[];
  readonly xDims: readonly number[];
  readonly grid: FloatArray;
  readonly N: number; readonly C: number; readonly P: number; readonly S: number;
}

/** Each spatial axis's size and the coordinate range the padding modes treat as inside. */
function gridAxes(dims: readonly number[], alignCorners: boolean): Axis[] {
  return dims.map((size) => (alignCorners ? { size, lo: 0, hi: size - 1 } : { size, lo: -0.5, hi: size - 0.5 }));
}

/** Scratch for one dimension's taps (at most 4). */
const axisIdx = new Int32Array(4);
const axisW = new Float64Array(4);

/** Tabulates the taps of points [p0, p0 + table.maxPoints) of batch n (clipped to P); returns the count. */
function tabulate(s: Sampling, n: number, p0: number, table: TapTable, point: Taps): number {
  const { attrs, axes, xDims, grid } = s;
  const r = axes.length;
  const p1 = Math.min(s.P, p0 + table.maxPoints);
  table.clear();
  for (let p = p0; p < p1; p++) {
    const at = (n * s.P + p) * r;
    point.reset();
    let stride = 1;
    for (let k = r - 1; k >= 0; k--) {
      const ax = axes[k];
      // The grid lists coordinates innermost dimension first: axis k reads component r-1-k.
      const nv = grid[at + r - 1 - k];
      const v = attrs.alignCorners ? ((nv + 1) / 2) * (ax.size - 1) : ((nv + 1) * ax.size - 1) / 2;
      point.addDim(axisIdx, axisW, axisTaps(v, ax, attrs.mode, attrs.padding, axisIdx, axisW), stride);
      stride *= xDims[k + 2];
    }
    table.push(point);
  }
  return p1 - p0;
}

/** Linear and cubic modes on float and non-64-bit integer types (integer stores truncate, as a cast). */
function interpolate(xd: NumericArray, yd: NumericArray, s: Sampling, table: TapTable, point: Taps): void {
  const { N, C, P, S } = s;
  for (let n = 0; n < N; n++) {
    for (let p0 = 0, m = 0; p0 < P; p0 += m) {
      m = tabulate(s, n, p0, table, point);
      for (let c = 0; c < C; c++) table.apply(xd, (n * C + c) * S, yd, (n * C + c) * P + p0);
    }
  }
}

/** Linear and cubic modes on int64/uint64/bool: computed in doubles, then converted. */
function interpolateConverted(x: Tensor, yd: TensorData, s: Sampling, table: TapTable, point: Taps): void {
  const xd = Float64Array.from(x.data as ArrayLike<number | bigint>, Number);
  const tmp = new Float64Array(yd.length);
  interpolate(xd, tmp, s, table, point);
  if (x.type === 'bool') {
    const y = yd as Uint8Array;
    for (let i = 0; i < tmp.length; i++) y[i] = tmp[i] !== 0 ? 1 : 0;
  } else {
    const y = yd as BigInt64Array | BigUint64Array;
    const signed = x.type === 'int64';
    for (let i = 0; i < tmp.length; i++) {
      const v = Number.isFinite(tmp[i]) ? BigInt(Math.trunc(tmp[i])) : 0n;
      y[i] = signed ? BigInt.asIntN(64, v) : BigInt.asUintN(64, v);
    }
  }
}

/** Nearest mode copies elements, so it works for every type (strings and 64-bit integers exactly). */
function gatherNearest(xd: TensorData, yd: TensorData, s: Sampling, table: TapTable, point: Taps): void {
  const { N, C, P, S } = s;
  const zero = zeroOf(xd);
  const src = xd as unknown[], dst = yd as unknown[];
  const start = table.start, off = table.off;
  for (let n = 0; n < N; n++) {
    for (let p0 = 0, m = 0; p0 < P; p0 += m) {
      m = tabulate(s, n, p0, table, point);
      for (let c = 0; c < C; c++) {
        const base = (n * C + c) * S, o = (n * C + c) * P + p0;
        for (let q = 0; q < m; q++) dst[o + q] = start[q + 1] > start[q] ? src[base + off[start[q]]] : zero;
      }
    }
  }
}

/** The zero element of a data array's kind. */
function zeroOf(d: TensorData): unknown {
  if (Array.isArray(d)) return '';
  if (d instanceof BigInt64Array || d instanceof BigUint64Array) return 0n;
  return 0;
}

// ----------------------------------------------------------------- AffineGrid

/**
 * AffineGrid (opset 20): grid[n, (d,) h, w, :] = theta[n] · [x_w, y_h, (z_d,) 1], where
 * the base coordinates are evenly spaced in [-1, 1] (pixel centres when align_corners,
 * else cell centres of a [-1, 1] span split in `size` cells).
 */
export function affineGrid(ctx: NodeCtx, inputs: Inputs, attrs: { alignCorners: boolean }): Tensor[] {
  const theta = inputs[0] as Tensor, size = toNumbers(inputs[1] as Tensor);
  const r = size.length - 2;
  if (r !== 2 && r !== 3) fail(`AffineGrid size must have 4 (2-D) or 5 (3-D) elements, got [${size.join(',')}]`);
  const N = theta.dims[0];
  if (theta.dims.length !== 3 || theta.dims[1] !== r || theta.dims[2] !== r + 1) {
    fail(`AffineGrid theta must have shape [N, ${r}, ${r + 1}] for size [${size.join(',')}], got [${theta.dims.join(',')}]`);
  }
  if (size[0] !== N) fail(`AffineGrid size[0] = ${size[0]} does not match theta's batch ${N}`);
  const spatial = size.slice(2);
  if (spatial.some((d) => d < 0)) fail(`AffineGrid size [${size.join(',')}] has a negative dimension`);
  const out = ctx.alloc(0, theta.type, [N, ...spatial, r]);
  // Base coordinates per axis, innermost (x) first as the grid lists them.
  const dims = spatial.slice().reverse();
  const base = dims.map((d) => linspace(d, attrs.alignCorners));
  const th = theta.data as FloatArray, y = out.data as FloatArray;
  const P = sizeOf(spatial), m = r + 1;
  const idx = new Array<number>(r).fill(0); // the point's (x, y, z) indices, x fastest
  for (let n = 0, o = 0; n < N; n++) {
    const t0 = n * r * m;
    idx.fill(0);
    for (let p = 0; p < P; p++, o += r) {
      for (let i = 0; i < r; i++) {
        let s = th[t0 + i * m + r]; // translation
        for (let j = 0; j < r; j++) s += th[t0 + i * m + j] * base[j][idx[j]];
        y[o + i] = s;
      }
      for (let j = 0; j < r && ++idx[j] === dims[j]; j++) idx[j] = 0;
    }
  }
  return ctx.done(1);
}

/** n evenly spaced coordinates in [-1, 1]: pixel centres (align_corners) or cell centres. */
function linspace(n: number, alignCorners: boolean): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    // A single pixel sits at -1 when aligned (PyTorch's linspace(-1, 1, 1)) and at 0 otherwise.
    a[i] = alignCorners ? (n > 1 ? -1 + (2 * i) / (n - 1) : -1) : (2 * i + 1) / n - 1;
  }
  return a;
}
