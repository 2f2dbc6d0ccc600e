// Resize (opset 10-19+) and Upsample (opsets 1-9): nearest, N-linear and N-cubic
// interpolation with every coordinate transformation mode, antialiasing, axes and
// keep_aspect_ratio_policy, following ONNX's reference implementation.
//
// Interpolation is separable: the N-D weights are the product of 1-D weights, so
// the kernel builds one tap table per axis (input indices + weights for every output
// position) and resamples one axis at a time, most-shrinking axis first. Axes whose
// table is the identity are skipped. Nearest mode is a pure gather and works for
// every element type.

import { fail, type DType, type NodeCtx, type NumericArray, type Tensor } from './tensor.js';

export type ResizeMode = 'nearest' | 'linear' | 'cubic';
export type CoordMode =
  | 'half_pixel' | 'half_pixel_symmetric' | 'pytorch_half_pixel' | 'align_corners'
  | 'asymmetric' | 'tf_half_pixel_for_nn' | 'tf_crop_and_resize';
/** `simple` is the rounding of Upsample and Resize-10: ceil when downsampling, else floor. */
export type NearestMode = 'round_prefer_floor' | 'round_prefer_ceil' | 'floor' | 'ceil' | 'simple';
export type AspectPolicy = 'stretch' | 'not_larger' | 'not_smaller';

export interface ResizeAttrs {
  readonly mode: ResizeMode;
  readonly coord: CoordMode;
  readonly nearest: NearestMode;
  readonly cubicA: number;
  readonly excludeOutside: boolean;
  readonly extrapolation: number;
  readonly antialias: boolean;
  /** Axes the scales/sizes/roi refer to; empty means every axis. */
  readonly axes: readonly number[];
  readonly keepAspect: AspectPolicy;
  /** Input positions of roi, scales and sizes; -1 when the op version has no such input. */
  readonly roiInput: number;
  readonly scalesInput: number;
  readonly sizesInput: number;
  /** Scales given as an attribute (Upsample-1 and -7); empty otherwise. */
  readonly scales: readonly number[];
}

/** Per-axis outcome of the size computation. */
export interface ResizePlan {
  readonly outDims: number[];
  /** The scale each axis's coordinate transformation uses (1 on untouched axes). */
  readonly scales: number[];
  /**
   * The target length per axis: scale * input length, fractional when it came from a
   * scale (ONNX's reference uses it, not the integer output length, for align_corners,
   * pytorch_half_pixel, half_pixel_symmetric and tf_crop_and_resize); exact for sizes.
   */
  readonly widths: number[];
  /** tf_crop_and_resize region per axis, normalised coordinates. */
  readonly roiStart: number[];
  readonly roiEnd: number[];
}

/** Normalises `axes` against the rank (every axis when empty); rejects repeats. */
export function resizeAxes(axes: readonly number[], rank: number): number[] {
  if (axes.length === 0) return Array.from({ length: rank }, (_, i) => i);
  const seen = new Set<number>();
  return axes.map((a) => {
    const n = a < 0 ? a + rank : a;
    if (n < 0 || n >= rank) fail(`axes value ${a} is out of range for rank ${rank}`);
    if (seen.has(n)) fail(`axes contains ${a} twice`);
    seen.add(n);
    return n;
  });
}

/**
 * Output shape and per-axis scales from either `scales` or `sizes` (exactly one non-null),
 * applying keep_aspect_ratio_policy to sizes as ONNX specifies.
 */
export function resizePlan(
  inDims: readonly number[], scales: ArrayLike<number> | null, sizes: ArrayLike<number> | null,
  roi: ArrayLike<number> | null, a: ResizeAttrs,
): ResizePlan {
  const r = inDims.length;
  const axes = resizeAxes(a.axes, r);
  const outDims = inDims.slice();
  const sc = new Array<number>(r).fill(1);
  const widths = inDims.slice();
  if ((scales === null) === (sizes === null)) fail('exactly one of scales and sizes must be given (non-empty)');
  const given = (scales ?? sizes) as ArrayLike<number>;
  if (given.length !== axes.length) {
    fail(`${scales ? 'scales' : 'sizes'} has ${given.length} values; expected ${axes.length} (${a.axes.length ? 'one per axis in axes' : 'the input rank'})`);
  }
  if (scales !== null) {
    axes.forEach((ax, i) => {
      const s = scales[i];
      if (!(s > 0)) fail(`scales must be positive, got ${s}`);
      sc[ax] = s;
      widths[ax] = s * inDims[ax];
      outDims[ax] = Math.floor(widths[ax]);
    });
  } else {
    const sz = sizes as ArrayLike<number>;
    axes.forEach((ax, i) => {
      if (!(sz[i] >= 0)) fail(`sizes must be non-negative, got ${sz[i]}`);
      sc[ax] = sz[i] / inDims[ax];
      outDims[ax] = widths[ax] = sz[i];
    });
    if (a.keepAspect !== 'stretch') {
      // One scale for every listed axis: the smallest (not_larger) or largest (not_smaller).
      let s = sc[axes[0]];
      for (const ax of axes) s = a.keepAspect === 'not_larger' ? Math.min(s, sc[ax]) : Math.max(s, sc[ax]);
      for (const ax of axes) {
        sc[ax] = s;
        widths[ax] = s * inDims[ax];
        outDims[ax] = Math.floor(widths[ax] + 0.5);
      }
    }
  }
  const roiStart = new Array<number>(r).fill(0), roiEnd = new Array<number>(r).fill(1);
  if (a.coord === 'tf_crop_and_resize' && roi !== null && roi.length > 0) {
    if (roi.length === 2 * axes.length) {
      axes.forEach((ax, i) => { roiStart[ax] = roi[i]; roiEnd[ax] = roi[axes.length + i]; });
    } else if (roi.length === 2 * r) {
      for (let i = 0; i < r; i++) { roiStart[i] = roi[i]; roiEnd[i] = roi[r + i]; }
    } else {
      fail(`roi has ${roi.length} values; expected ${2 * axes.length}`);
    }
  }
  return { outDims, scales: sc, widths, roiStart, roiEnd };
}

/** The scales or sizes input as numbers, or null when absent or empty. */
function optionalValues(inputs: readonly (Tensor | undefined)[], k: number): number[] | null {
  const t = k >= 0 ? inputs[k] : undefined;
  if (t === undefined || t.data.length === 0) return null;
  return Array.from(t.data as ArrayLike<number | bigint>, Number);
}

export function resize(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: ResizeAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const scales = attrs.scales.length > 0 ? attrs.scales : optionalValues(inputs, attrs.scalesInput);
  const sizes = attrs.scales.length > 0 ? null : optionalValues(inputs, attrs.sizesInput);
  const roi = optionalValues(inputs, attrs.roiInput);
  const plan = resizePlan(x.dims, scales, sizes, roi, attrs);
  const y = ctx.alloc(0, x.type, plan.outDims);
  if (y.data.length === 0) return ctx.done(1);
  if (x.data.length === 0) fail(`cannot resize an empty input [${x.dims.join(',')}] to [${plan.outDims.join(',')}]`);
  if (attrs.mode === 'nearest') resizeNearest(x, y, plan, attrs);
  else resizeInterpolate(ctx, x, y, plan, attrs);
  return ctx.done(1);
}

// ---------------------------------------------------------------- coordinates

/** The input coordinate of output position `xr` on one axis (`outWidth`: see ResizePlan.widths). */
function originalCoord(mode: CoordMode, xr: number, ax: number, inSize: number, plan: ResizePlan): number {
  const scale = plan.scales[ax], outWidth = plan.widths[ax];
  switch (mode) {
    case 'half_pixel': return (xr + 0.5) / scale - 0.5;
    case 'half_pixel_symmetric': {
      // Centres the sampled region when the integer output length differs from outWidth.
      const offset = (inSize / 2) * (1 - plan.outDims[ax] / outWidth);
      return offset + (xr + 0.5) / scale - 0.5;
    }
    case 'pytorch_half_pixel': return outWidth === 1 ? -0.5 : (xr + 0.5) / scale - 0.5;
    case 'align_corners': return outWidth === 1 ? 0 : (xr * (inSize - 1)) / (outWidth - 1);
    case 'asymmetric': return xr / scale;
    case 'tf_half_pixel_for_nn': return (xr + 0.5) / scale;
    case 'tf_crop_and_resize': {
      const span = (plan.roiEnd[ax] - plan.roiStart[ax]) * (inSize - 1);
      const c = outWidth === 1 ? span / 2 : (xr * span) / (outWidth - 1);
      return c + plan.roiStart[ax] * (inSize - 1);
    }
  }
}

/** Whether a coordinate falls outside the input (tf_crop_and_resize returns extrapolation_value there). */
function isOutside(mode: CoordMode, c: number, inSize: number): boolean {
  return mode === 'tf_crop_and_resize' && (c < 0 || c > inSize - 1);
}

function nearestIndex(c: number, mode: NearestMode, scale: number): number {
  if (Number.isInteger(c)) return c;
  const f = Math.floor(c);
  switch (mode) {
    case 'round_prefer_floor': return c - f <= 0.5 ? f : f + 1;
    case 'round_prefer_ceil': return c - f < 0.5 ? f : f + 1;
    case 'floor': return f;
    case 'ceil': return f + 1;
    case 'simple': return scale < 1 ? f + 1 : Math.trunc(c);
  }
}

// ---------------------------------------------------------------- nearest

/** Input index per output position of one axis; -1 where the extrapolation value goes. */
function nearestTable(ax: number, inSize: number, outSize: number, plan: ResizePlan, a: ResizeAttrs): Int32Array {
  const t = new Int32Array(outSize);
  const s = plan.scales[ax];
  for (let j = 0; j < outSize; j++) {
    const c = originalCoord(a.coord, j, ax, inSize, plan);
    if (isOutside(a.coord, c, inSize)) { t[j] = -1; continue; }
    const i = nearestIndex(c, a.nearest, s);
    t[j] = i < 0 ? 0 : i >= inSize ? inSize - 1 : i;
  }
  return t;
}

/** The extrapolation value in the tensor's element representation. */
function fillValue(type: DType, v: number): number | bigint | string {
  if (type === 'int64' || type === 'uint64') return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
  if (type === 'string') return '';
  if (type === 'bool') return v !== 0 ? 1 : 0;
  return v;
}

/** Element access shared by every TensorData kind (typed arrays and string[]). */
interface Elements {
  [i: number]: unknown;
  copyWithin(target: number, start: number, end: number): unknown;
}

function resizeNearest(x: Tensor, y: Tensor, plan: ResizePlan, a: ResizeAttrs): void {
  const r = x.dims.length;
  const inDims = x.dims, outDims = plan.outDims;
  const tables = outDims.map((o, ax) => nearestTable(ax, inDims[ax], o, plan, a));
  const inStrides = new Array<number>(r);
  for (let ax = r - 1, acc = 1; ax >= 0; ax--) { inStrides[ax] = acc; acc *= inDims[ax]; }
  const src = x.data as unknown as Elements, dst = y.data as unknown as Elements;
  const fill = fillValue(x.type, a.extrapolation);
  const W = outDims[r - 1];
  // Input offsets along the last axis; -1 where the extrapolation value goes.
  const last = tables[r - 1], lastOff = new Int32Array(W);
  let lastFills = false;
  for (let j = 0; j < W; j++) {
    lastOff[j] = last[j] < 0 ? -1 : last[j] * inStrides[r - 1];
    if (last[j] < 0) lastFills = true;
  }
  const idx = new Array<number>(r).fill(0);
  const rows = y.data.length / W;
  let o = 0, prevBase = -2;
  for (let row = 0; row < rows; row++) {
    // Input offset of this output row (every axis but the last); -1 when extrapolated.
    let base = 0;
    for (let ax = 0; ax < r - 1; ax++) {
      const i = tables[ax][idx[ax]];
      if (i < 0) { base = -1; break; }
      base += i * inStrides[ax];
    }
    if (base === prevBase) {
      // Upsampling repeats rows: copy the previous output row.
      dst.copyWithin(o, o - W, o);
      o += W;
    } else if (base < 0) {
      for (let j = 0; j < W; j++) dst[o++] = fill;
    } else if (!lastFills) {
      for (let j = 0; j < W; j++) dst[o++] = src[base + lastOff[j]];
    } else {
      for (let j = 0; j < W; j++) dst[o++] = lastOff[j] < 0 ? fill : src[base + lastOff[j]];
    }
    prevBase = base;
    for (let ax = r - 2; ax >= 0; ax--) {
      if (++idx[ax] < outDims[ax]) break;
      idx[ax] = 0;
    }
  }
}

// ---------------------------------------------------------------- linear and cubic

/** One axis's taps: output j reads inputs idx[j*n .. j*n+n) with weights w[...]. */
interface TapTable {
  readonly axis: number;
  readonly inSize: number;
  readonly outSize: number;
  readonly n: number;
  readonly idx: Int32Array;
  readonly w: Float64Array;
  /** Output positions outside the input (tf_crop_and_resize), or null when there are none. */
  readonly outside: Uint8Array | null;
}

/** Keys' cubic convolution kernel at distance |x| with coefficient A. */
function cubicKernel(x: number, A: number): number {
  x = Math.abs(x);
  if (x <= 1) return ((A + 2) * x - (A + 3)) * x * x + 1;
  if (x < 2) return ((A * x - 5 * A) * x + 8 * A) * x - 4 * A;
  return 0;
}

function tapTable(ax: number, inSize: number, outSize: number, plan: ResizePlan, a: ResizeAttrs): TapTable {
  const scale = plan.scales[ax];
  // Antialiasing stretches the filter by 1/scale when downsampling: more taps, scaled distances.
  const stretch = a.antialias ? Math.min(scale, 1) : 1;
  const reach = a.mode === 'linear' ? 1 : 2;
  const first = a.antialias ? Math.floor(-reach / stretch) + 1 : 1 - reach;
  const n = 2 - 2 * first;
  const idx = new Int32Array(outSize * n), w = new Float64Array(outSize * n);
  let outside: Uint8Array | null = null;
  for (let j = 0; j < outSize; j++) {
    const c = originalCoord(a.coord, j, ax, inSize, plan);
    if (isOutside(a.coord, c, inSize)) {
      outside ??= new Uint8Array(outSize);
      outside[j] = 1;
      continue; // taps stay (index 0, weight 0); the extrapolation value is written at the end
    }
    // The left neighbour, taken one step further left on an exact hit so the ratio is in (0, 1].
    const left = Number.isInteger(c) ? c - 1 : Math.floor(c);
    const ratio = c - left;
    let sum = 0;
    for (let t = 0; t < n; t++) {
      const off = first + t, at = left + off;
      let wt: number;
      if (a.mode === 'linear') {
        wt = a.antialias ? Math.max(0, 1 - Math.abs((off - ratio) * stretch)) : off === 0 ? 1 - ratio : ratio;
      } else {
        wt = cubicKernel((off - ratio) * stretch, a.cubicA);
      }
      if (a.excludeOutside && (at < 0 || at >= inSize)) wt = 0;
      idx[j * n + t] = at < 0 ? 0 : at >= inSize ? inSize - 1 : at;
      w[j * n + t] = wt;
      sum += wt;
    }
    if (a.antialias || a.excludeOutside) for (let t = 0; t < n; t++) w[j * n + t] /= sum;
  }
  return { axis: ax, inSize, outSize, n, idx, w, outside };
}

/** True when the table copies input j to output j unchanged. */
function isIdentity(t: TapTable): boolean {
  if (t.outSize !== t.inSize || t.outside !== null) return false;
  for (let j = 0; j < t.outSize; j++) {
    for (let k = 0; k < t.n; k++) {
      const wt = t.w[j * t.n + k];
      if (wt !== 0 && !(wt === 1 && t.idx[j * t.n + k] === j)) return false;
    }
  }
  return true;
}

function resizeInterpolate(ctx: NodeCtx, x: Tensor, y: Tensor, plan: ResizePlan, a: ResizeAttrs): void {
  if (x.type === 'string' || x.type === 'bool') fail(`${a.mode} interpolation is not defined for ${x.type} tensors`);
  const r = x.dims.length;
  const tables: TapTable[] = [];
  for (let ax = 0; ax < r; ax++) {
    const t = tapTable(ax, x.dims[ax], plan.outDims[ax], plan, a);
    if (!isIdentity(t)) tables.push(t);
  }
  // Shrinking axes first keeps the intermediate tensors small.
  tables.sort((p, q) => p.outSize / p.inSize - q.outSize / q.inSize);

  let src: ArrayLike<number> = isBig(x.type) ? Float64Array.from(x.data as BigInt64Array, Number) : (x.data as NumericArray);
  if (tables.length === 0) { writeOut(y, src); return; }
  const floatOut = x.type === 'float32' || x.type === 'float16' || x.type === 'float64';
  const cur = x.dims.slice();
  tables.forEach((t, k) => {
    const outer = prod(cur, 0, t.axis), inner = prod(cur, t.axis + 1, r);
    const n = outer * t.outSize * inner;
    const lastPass = k === tables.length - 1;
    const dst = lastPass && floatOut ? (y.data as Float32Array | Float64Array) : (ctx.scratch(`resize${k & 1}`, 'float64', n) as Float64Array);
    resampleAxis(src, dst, outer, inner, t);
    cur[t.axis] = t.outSize;
    src = dst;
  });
  if (!floatOut) writeOut(y, src);
  const fill = tables.filter((t) => t.outside !== null);
  if (fill.length > 0) fillOutside(y, plan.outDims, fill, a.extrapolation);
}

function isBig(t: DType): boolean {
  return t === 'int64' || t === 'uint64';
}

function prod(dims: readonly number[], from: number, to: number): number {
  let n = 1;
  for (let i = from; i < to; i++) n *= dims[i];
  return n;
}

/** Resamples axis t.axis of src, seen as [outer, inSize, inner], into dst [outer, outSize, inner]. */
function resampleAxis(src: ArrayLike<number>, dst: Float32Array | Float64Array, outer: number, inner: number, t: TapTable): void {
  const { n, idx, w, inSize, outSize } = t;
  if (inner === 1) { resampleLastAxis(src, dst, outer, t); return; }
  for (let o = 0; o < outer; o++) {
    const sBase = o * inSize * inner;
    let d = o * outSize * inner;
    for (let j = 0; j < outSize; j++) {
      const tb = j * n;
      if (n === 2) {
        const s0 = sBase + idx[tb] * inner, s1 = sBase + idx[tb + 1] * inner;
        const w0 = w[tb], w1 = w[tb + 1];
        for (let i = 0; i < inner; i++) dst[d++] = w0 * src[s0 + i] + w1 * src[s1 + i];
      } else {
        for (let i = 0; i < inner; i++) {
          let acc = 0;
          for (let k = 0; k < n; k++) acc += w[tb + k] * src[sBase + idx[tb + k] * inner + i];
          dst[d++] = acc;
        }
      }
    }
  }
}

/** resampleAxis for the innermost axis: each output is a short dot product over one input row. */
function resampleLastAxis(src: ArrayLike<number>, dst: Float32Array | Float64Array, outer: number, t: TapTable): void {
  const { n, idx, w, inSize, outSize } = t;
  let d = 0;
  for (let o = 0; o < outer; o++) {
    const sBase = o * inSize;
    if (n === 2) {
      for (let j = 0, tb = 0; j < outSize; j++, tb += 2) dst[d++] = w[tb] * src[sBase + idx[tb]] + w[tb + 1] * src[sBase + idx[tb + 1]];
    } else {
      for (let j = 0, tb = 0; j < outSize; j++, tb += n) {
        let acc = 0;
        for (let k = 0; k < n; k++) acc += w[tb + k] * src[sBase + idx[tb + k]];
        dst[d++] = acc;
      }
    }
  }
}

/** Copies float64 results into the output, truncating and saturating for integer types (numpy's astype on in-range values). */
function writeOut(y: Tensor, src: ArrayLike<number>): void {
  const n = y.data.length;
  switch (y.type) {
    case 'float32': case 'float16': case 'float64': {
      const d = y.data as Float32Array | Float64Array;
      if (d !== src) for (let i = 0; i < n; i++) d[i] = src[i];
      return;
    }
    case 'int64': case 'uint64': {
      const d = y.data as BigInt64Array | BigUint64Array;
      const lo = y.type === 'int64' ? -(2 ** 63) : 0, hi = y.type === 'int64' ? 2 ** 63 - 1024 : 2 ** 64 - 2048;
      for (let i = 0; i < n; i++) {
        const v = src[i];
        d[i] = BigInt(v !== v ? 0 : Math.trunc(v < lo ? lo : v > hi ? hi : v));
      }
      return;
    }
    default: {
      const [lo, hi] = INT_RANGE[y.type as keyof typeof INT_RANGE];
      const d = y.data as NumericArray;
      for (let i = 0; i < n; i++) {
        const v = Math.trunc(src[i]);
        d[i] = v !== v ? 0 : v < lo ? lo : v > hi ? hi : v;
      }
    }
  }
}

const INT_RANGE = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535],
  int32: [-2147483648, 2147483647], uint32: [0, 4294967295],
} as const;

/** Writes extrapolation_value wherever some axis's coordinate fell outside the input. */
function fillOutside(y: Tensor, outDims: readonly number[], tables: readonly TapTable[], value: number): void {
  const r = outDims.length;
  const flags: (Uint8Array | null)[] = new Array(r).fill(null);
  for (const t of tables) flags[t.axis] = t.outside;
  const d = y.data as NumericArray | BigInt64Array | BigUint64Array;
  const v = fillValue(y.type, value) as never;
  const W = outDims[r - 1], lastFlags = flags[r - 1];
  const idx = new Array<number>(r).fill(0);
  const rows = d.length / W;
  let o = 0;
  for (let row = 0; row < rows; row++) {
    let rowOut = false;
    for (let ax = 0; ax < r - 1 && !rowOut; ax++) rowOut = flags[ax] !== null && (flags[ax] as Uint8Array)[idx[ax]] === 1;
    for (let j = 0; j < W; j++, o++) if (rowOut || (lastFlags !== null && lastFlags[j] === 1)) d[o] = v;
    for (let ax = r - 2; ax >= 0; ax--) {
      if (++idx[ax] < outDims[ax]) break;
      idx[ax] = 0;
    }
  }
}
