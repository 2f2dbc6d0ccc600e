// Linear quantisation kernels: QuantizeLinear, DequantizeLinear,
// DynamicQuantizeLinear, QLinearMatMul and QLinearConv.
//
// Numerics follow the ONNX reference implementation, which generated the
// conformance data: the division x / scale runs in the precision of the operand
// types (float32 for float32 operands, float16 for float16 ones, float64 when an
// int32 takes part, as numpy promotes) unless QuantizeLinear-23's `precision`
// says otherwise; quotients round half to even; results saturate to the output
// type. The QLinear ops accumulate in int32 and requantise with the multiplier
// a_scale * b_scale / y_scale computed in the scales' type.
//
// Integer outputs saturate to `QUANT_RANGES` (int4/uint4/int2/uint2 included).
// float8 outputs are x / scale cast to the type (zero point unused, as in the
// reference), saturating unless QuantizeLinear's `saturate` is 0; float4e2m1
// outputs add the zero point and cast (float4e2m1 always saturates).
// DequantizeLinear of float8 and float4e2m1 ignores the zero point (it must be 0
// for float8) and multiplies the values by the scale.

import { broadcastShapes, broadcastStrides } from './broadcast.js';
import { roundToFloat16 } from './float16.js';
import { roundToLowp } from './lowp.js';
import { fail, isLowpFloat, normAxis, sizeOf, type DType, type NodeCtx, type NumericArray, type Tensor } from './tensor.js';

type Inputs = readonly (Tensor | undefined)[];

/** Integer types a quantised tensor can have, with their saturation ranges. */
export const QUANT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535],
  int4: [-8, 7], uint4: [0, 15], int2: [-2, 1], uint2: [0, 3],
};

/** Float precision of an arithmetic step. */
export type Precision = 'float16' | 'float32' | 'float64' | 'bfloat16';

const roundBf16 = (v: number): number => roundToLowp('bfloat16', v);

function rounder(p: Precision): (v: number) => number {
  return p === 'float32' ? Math.fround : p === 'float16' ? roundToFloat16 : p === 'bfloat16' ? roundBf16 : (v) => v;
}

/** The precision numpy (with ml_dtypes' bfloat16) gives `a / b` for the two operand types. */
function promote(a: DType, b: DType): Precision {
  if (a === 'float64' || b === 'float64' || a === 'int32' || b === 'int32') return 'float64';
  if (a === 'float32' || b === 'float32') return 'float32';
  if (a === 'bfloat16' && b === 'bfloat16') return 'bfloat16';
  return a === 'bfloat16' || b === 'bfloat16' ? 'float32' : 'float16';
}

/** Whether every value of `type` is exactly representable at precision `p` (no rounding needed). */
function holdsExactly(p: Precision, type: DType): boolean {
  if (p === 'float64' || p === type) return true;
  return p === 'float32' && (type === 'float16' || type === 'bfloat16');
}

function roundedCopy(d: NumericArray, round: (v: number) => number): Float64Array {
  const out = new Float64Array(d.length);
  for (let i = 0; i < d.length; i++) out[i] = round(d[i]);
  return out;
}

/** Round half to even (numpy's rint), exact for every double. */
export function roundHalfEven(v: number): number {
  const r = Math.round(v); // rounds halves up
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Saturates an integer-valued number to [lo, hi]; NaN goes to lo, as in the reference. */
function saturate(v: number, lo: number, hi: number): number {
  return v >= lo ? (v <= hi ? v : hi) : lo;
}

function rangeOf(type: DType): readonly [number, number] {
  const r = QUANT_RANGES[type];
  if (r === undefined) fail(`${type} is not a quantised integer type`);
  return r;
}

// ---------------------------------------------------------------------------
// Scale and zero-point layouts

/**
 * How a scale or zero point maps onto x, seen as [outer, axisLen, inner] around
 * the quantisation axis: one value (per-tensor), one per axis index (per-axis),
 * or one per block of `block` axis indices (blocked, same rank as x).
 */
interface ParamMap { readonly mode: 'tensor' | 'axis' | 'block'; readonly blocks: number; readonly block: number }

interface Layout { readonly outer: number; readonly axisLen: number; readonly inner: number }

/** The [outer, axisLen, inner] view of x around `axis` (whole tensor as inner when per-tensor). */
function layoutOf(x: Tensor, axis: number | null): Layout {
  if (axis === null) return { outer: 1, axisLen: 1, inner: sizeOf(x.dims) };
  let outer = 1, inner = 1;
  for (let i = 0; i < axis; i++) outer *= x.dims[i];
  for (let i = axis + 1; i < x.dims.length; i++) inner *= x.dims[i];
  return { outer, axisLen: x.dims[axis], inner };
}

function paramMap(x: Tensor, p: Tensor, axis: number | null, blockSize: number, what: string): ParamMap {
  const n = sizeOf(p.dims);
  if (n === 1) return { mode: 'tensor', blocks: 1, block: 1 };
  const shape = `[${p.dims.join(',')}]`;
  if (axis === null) return fail(`${what} of shape ${shape} must be a scalar here`);
  const d = x.dims[axis];
  if (blockSize <= 0) {
    if (p.dims.length !== 1 || p.dims[0] !== d) fail(`${what} of shape ${shape} must be a scalar or a 1-D tensor of length ${d} (axis ${axis})`);
    return { mode: 'axis', blocks: d, block: 1 };
  }
  const blocks = Math.ceil(d / blockSize);
  let ok = p.dims.length === x.dims.length;
  for (let i = 0; ok && i < p.dims.length; i++) ok = p.dims[i] === (i === axis ? blocks : x.dims[i]);
  if (!ok) fail(`${what} of shape ${shape} does not fit blocked quantisation of [${x.dims.join(',')}] with block_size ${blockSize} on axis ${axis}`);
  return { mode: 'block', blocks, block: blockSize };
}

/** Index of the parameter for element (o, d, 0) and its step along the inner run. */
function paramBase(m: ParamMap, l: Layout, o: number, d: number): number {
  if (m.mode === 'tensor') return 0;
  if (m.mode === 'axis') return d;
  return (o * m.blocks + Math.floor(d / m.block)) * l.inner;
}
function paramStep(m: ParamMap): number {
  return m.mode === 'block' ? 1 : 0;
}

/** The quantisation axis, or null when every parameter is a single value. */
function quantAxis(x: Tensor, params: readonly (Tensor | undefined)[], axis: number, allowAxis: boolean): number | null {
  const perTensor = params.every((p) => p === undefined || sizeOf(p.dims) === 1);
  if (perTensor) return null;
  if (!allowAxis) fail('scale and zero point must be scalars before opset 13');
  return normAxis(axis, x.dims.length);
}

const ZERO = new Int32Array(1);
const ZERO_POINT: Tensor = { type: 'int32', dims: [], data: ZERO };

// ---------------------------------------------------------------------------
// QuantizeLinear

export interface QuantizeAttrs {
  readonly axis: number;
  /** 0 unless blocked quantisation. */
  readonly blockSize: number;
  /** Output element type (from the zero point, `output_dtype`, or uint8). */
  readonly outType: DType;
  /** The division's precision from the `precision` attribute; null: from the operand types. */
  readonly precision: Precision | null;
  /** Opset 10 has no axis attribute: scale and zero point are per-tensor. */
  readonly allowAxis: boolean;
  /** float8 outputs: saturate out-of-range values (default true). */
  readonly saturate?: boolean;
}

/** QuantizeLinear: y = saturate(round_half_even(x / y_scale) + y_zero_point). */
export function quantizeLinear(ctx: NodeCtx, inputs: Inputs, a: QuantizeAttrs): Tensor[] {
  const x = inputs[0] as Tensor, scale = inputs[1] as Tensor, zpIn = inputs[2];
  if (zpIn !== undefined && zpIn.type !== a.outType) fail(`y_zero_point has type ${zpIn.type}, expected ${a.outType}`);
  const zp = zpIn ?? ZERO_POINT;
  const axis = quantAxis(x, [scale, zpIn], a.axis, a.allowAxis);
  const l = layoutOf(x, axis);
  const sm = paramMap(x, scale, axis, a.blockSize, 'y_scale');
  const zm = paramMap(x, zp, axis, a.blockSize, 'y_zero_point');
  const outType = a.outType;
  const toFloat = isLowpFloat(outType);
  const [lo, hi] = toFloat ? [0, 0] : rangeOf(outType);
  const precision = a.precision ?? promote(x.type, scale.type);
  const round = rounder(precision);
  const exactX = holdsExactly(precision, x.type);
  const xs = x.data as NumericArray, zs = zp.data as NumericArray;
  const ss = roundedCopy(scale.data as NumericArray, round);
  const y = ctx.alloc(0, a.outType, x.dims).data as NumericArray;
  const sStep = paramStep(sm), zStep = paramStep(zm);
  for (let o = 0, i = 0; o < l.outer; o++) {
    for (let d = 0; d < l.axisLen; d++) {
      let si = paramBase(sm, l, o, d), zi = paramBase(zm, l, o, d);
      for (let n = 0; n < l.inner; n++, i++, si += sStep, zi += zStep) {
        const q = round((exactX ? xs[i] : round(xs[i])) / ss[si]);
        if (toFloat) y[i] = quantFloat(outType, q, zs[zi], round, a.saturate ?? true);
        else y[i] = saturate(roundHalfEven(q) + zs[zi], lo, hi);
      }
    }
  }
  return ctx.done(1);
}

/** A quotient cast to a quantised float type: float8 ignores the zero point, float4e2m1 adds it first. */
function quantFloat(type: DType, q: number, zero: number, round: (v: number) => number, sat: boolean): number {
  if (type === 'float4e2m1') return roundToLowp(type, round(q + zero));
  return roundToLowp(type as 'float8e4m3fn', q, sat);
}

// ---------------------------------------------------------------------------
// DequantizeLinear

export interface DequantizeAttrs {
  readonly axis: number;
  readonly blockSize: number;
  /** float32, float16 or bfloat16: `output_dtype`, else the scale's type. */
  readonly outType: DType;
  readonly allowAxis: boolean;
}

/**
 * DequantizeLinear: y = (x - x_zero_point) * x_scale, computed in float32 as the
 * reference does (x - x_zero_point is exact) and stored in the output type.
 * float8 and float4e2m1 inputs have no zero point (a float8 one must be all 0).
 */
export function dequantizeLinear(ctx: NodeCtx, inputs: Inputs, a: DequantizeAttrs): Tensor[] {
  const x = inputs[0] as Tensor, scale = inputs[1] as Tensor;
  let zpIn = inputs[2];
  if (zpIn !== undefined && zpIn.type !== x.type) fail(`x_zero_point has type ${zpIn.type}, expected ${x.type}`);
  if (zpIn !== undefined && isLowpFloat(x.type)) {
    if (x.type !== 'float4e2m1' && (zpIn.data as NumericArray).some((v) => v !== 0)) fail(`x_zero_point must be 0 for ${x.type}`);
    zpIn = undefined;
  }
  const zp = zpIn ?? ZERO_POINT;
  const axis = quantAxis(x, [scale, zpIn], a.axis, a.allowAxis);
  const l = layoutOf(x, axis);
  const sm = paramMap(x, scale, axis, a.blockSize, 'x_scale');
  const zm = paramMap(x, zp, axis, a.blockSize, 'x_zero_point');
  const xs = x.data as NumericArray, ss = scale.data as NumericArray, zs = zp.data as NumericArray;
  const y = ctx.alloc(0, a.outType, x.dims).data as Float32Array;
  const f = Math.fround;
  const sStep = paramStep(sm), zStep = paramStep(zm);
  for (let o = 0, i = 0; o < l.outer; o++) {
    for (let d = 0; d < l.axisLen; d++) {
      let si = paramBase(sm, l, o, d), zi = paramBase(zm, l, o, d);
      for (let n = 0; n < l.inner; n++, i++, si += sStep, zi += zStep) y[i] = f(xs[i] - zs[zi]) * ss[si];
    }
  }
  return ctx.done(1);
}

// ---------------------------------------------------------------------------
// DynamicQuantizeLinear

/**
 * DynamicQuantizeLinear: uint8 quantisation with scale and zero point taken from
 * the data range widened to include 0, in float32 arithmetic. An all-zero input
 * gets scale 1 (the reference's choice; the formula would divide by zero).
 */
export function dynamicQuantizeLinear(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const x = inputs[0] as Tensor;
  const xs = x.data as Float32Array;
  const f = Math.fround;
  let min = 0, max = 0;
  for (let i = 0; i < xs.length; i++) {
    const v = xs[i];
    if (v < min) min = v;
    else if (v > max) max = v;
    else if (v !== v) { min = NaN; max = NaN; break; } // NaN poisons the range, as np.min/np.max do
  }
  const scale = max === min ? 1 : f(f(max - min) / 255);
  const zp = roundHalfEven(saturate(f(0 - f(min / scale)), 0, 255));
  const y = ctx.alloc(0, 'uint8', x.dims).data as Uint8Array;
  for (let i = 0; i < xs.length; i++) y[i] = saturate(roundHalfEven(f(xs[i] / scale)) + zp, 0, 255);
  (ctx.alloc(1, 'float32', []).data as Float32Array)[0] = scale;
  (ctx.alloc(2, 'uint8', []).data as Uint8Array)[0] = zp;
  return ctx.done(3);
}

// ---------------------------------------------------------------------------
// QLinearMatMul

/** Values of a per-tensor or per-row/column parameter, expanded to length n. */
function expandParam(p: Tensor, n: number, what: string): Float64Array {
  const m = sizeOf(p.dims);
  if (m !== 1 && (p.dims.length !== 1 || m !== n)) fail(`${what} of shape [${p.dims.join(',')}] must be a scalar or a 1-D tensor of length ${n}`);
  const d = p.data as NumericArray, out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = d[m === 1 ? 0 : i];
  return out;
}

/** Rounds to the precision of a scale type (float32 unless float16 or float64). */
function scaleRounder(type: DType): (v: number) => number {
  return rounder(type === 'float16' ? 'float16' : type === 'float64' ? 'float64' : 'float32');
}

/**
 * Fills out[j] with the requantisation multiplier a_scale * b_scale[j] / y_scale for
 * one output row, rounded at each step to the scales' type as the reference does.
 */
function rowMultipliers(out: Float64Array, aScale: number, bScale: Float64Array, yScale: number, round: (v: number) => number): void {
  for (let j = 0; j < out.length; j++) out[j] = round(round(aScale * bScale[j]) / yScale);
}

/**
 * QLinearMatMul: numpy-style matmul of (a - a_zero_point) and (b - b_zero_point)
 * in int32, requantised to y's type. Parameters are per-tensor, per-row (a and y)
 * or per-column (b).
 */
export function qlinearMatMul(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const [a, aS, aZ, b, bS, bZ, yS, yZ] = inputs as Tensor[];
  if (a.dims.length === 0 || b.dims.length === 0) fail('QLinearMatMul inputs must have rank >= 1');
  const aDims = a.dims.length === 1 ? [1, a.dims[0]] : a.dims;
  const bDims = b.dims.length === 1 ? [b.dims[0], 1] : b.dims;
  const M = aDims[aDims.length - 2], K = aDims[aDims.length - 1];
  const N = bDims[bDims.length - 1];
  if (bDims[bDims.length - 2] !== K) fail(`cannot multiply [${a.dims.join(',')}] by [${b.dims.join(',')}]`);
  const aBatch = aDims.slice(0, -2), bBatch = bDims.slice(0, -2);
  const batch = broadcastShapes(aBatch, bBatch);
  const outDims = [...batch, ...(a.dims.length > 1 ? [M] : []), ...(b.dims.length > 1 ? [N] : [])];
  const y = ctx.alloc(0, yZ.type, outDims).data as NumericArray;
  const [lo, hi] = rangeOf(yZ.type);
  const aZero = expandParam(aZ, M, 'a_zero_point'), bZero = expandParam(bZ, N, 'b_zero_point');
  const yZero = expandParam(yZ, M, 'y_zero_point');
  const aScale = expandParam(aS, M, 'a_scale'), bScale = expandParam(bS, N, 'b_scale'), yScale = expandParam(yS, M, 'y_scale');
  const round = scaleRounder(aS.type);
  const mult = (ctx.scratch('mult', 'float64', N) as Float64Array).subarray(0, N);

  const aMat = ctx.scratch('a', 'int32', M * K) as Int32Array;
  const bMat = ctx.scratch('b', 'int32', K * N) as Int32Array;
  const acc = ctx.scratch('acc', 'int32', N) as Int32Array;
  const ad = a.data as NumericArray, bd = b.data as NumericArray;
  const aSt = broadcastStrides(aBatch, batch), bSt = broadcastStrides(bBatch, batch);
  const nBatch = sizeOf(batch);
  const idx = new Array<number>(batch.length).fill(0);
  for (let t = 0; t < nBatch; t++) {
    let ab = 0, bb = 0;
    for (let ax = 0; ax < batch.length; ax++) { ab += idx[ax] * aSt[ax]; bb += idx[ax] * bSt[ax]; }
    centre(ad, ab * M * K, aMat, M, K, aZero, true);
    centre(bd, bb * K * N, bMat, K, N, bZero, false);
    for (let i = 0; i < M; i++) {
      if (i === 0 || aScale.length > 1 || yScale.length > 1) rowMultipliers(mult, aScale[i], bScale, yScale[i], round);
      acc.fill(0, 0, N);
      for (let kk = 0; kk < K; kk++) {
        const av = aMat[i * K + kk];
        if (av === 0) continue;
        const row = kk * N;
        for (let j = 0; j < N; j++) acc[j] += av * bMat[row + j]; // wraps like int32 accumulation
      }
      const base = (t * M + i) * N;
      const yz = yZero[i];
      for (let j = 0; j < N; j++) y[base + j] = saturate(roundHalfEven(acc[j] * mult[j] + yz), lo, hi);
    }
    for (let ax = batch.length - 1; ax >= 0; ax--) { if (++idx[ax] < batch[ax]) break; idx[ax] = 0; }
  }
  return ctx.done(1);
}

/** Copies a rows × cols matrix minus its zero point (per row or per column) into int32. */
function centre(src: NumericArray, off: number, dst: Int32Array, rows: number, cols: number, zero: Float64Array, perRow: boolean): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) dst[r * cols + c] = src[off + r * cols + c] - zero[perRow ? r : c];
  }
}

// ---------------------------------------------------------------------------
// QLinearConv

export interface QLinearConvAttrs {
  readonly autoPad: 'NOTSET' | 'VALID' | 'SAME_UPPER' | 'SAME_LOWER';
  /** Empty arrays take their defaults from the spatial rank. */
  readonly dilations: readonly number[];
  readonly group: number;
  readonly kernelShape: readonly number[];
  readonly pads: readonly number[];
  readonly strides: readonly number[];
}

/** Spatial geometry of one convolution, padded out to three spatial axes. */
interface ConvGeom {
  readonly inS: number[]; readonly outS: number[]; readonly k: number[];
  readonly stride: number[]; readonly dil: number[]; readonly padBegin: number[];
}

function convGeometry(x: Tensor, w: Tensor, a: QLinearConvAttrs): ConvGeom {
  const r = x.dims.length - 2;
  if (r < 1 || r > 3) fail(`QLinearConv supports 1 to 3 spatial axes, got input of shape [${x.dims.join(',')}]`);
  const inS = x.dims.slice(2), k = a.kernelShape.length > 0 ? a.kernelShape.slice() : w.dims.slice(2);
  const stride = a.strides.length > 0 ? a.strides.slice() : new Array<number>(r).fill(1);
  const dil = a.dilations.length > 0 ? a.dilations.slice() : new Array<number>(r).fill(1);
  const pads = a.pads.length > 0 ? a.pads.slice() : new Array<number>(2 * r).fill(0);
  if (k.length !== r || stride.length !== r || dil.length !== r || pads.length !== 2 * r) {
    fail(`kernel_shape, strides, dilations and pads must match the ${r} spatial axes`);
  }
  if (w.dims.length !== r + 2 || k.some((v, i) => v !== w.dims[i + 2])) {
    fail(`weights of shape [${w.dims.join(',')}] do not match kernel_shape [${k.join(',')}]`);
  }
  const outS: number[] = [], padBegin: number[] = [];
  for (let i = 0; i < r; i++) {
    const span = (k[i] - 1) * dil[i] + 1;
    if (a.autoPad === 'NOTSET') {
      padBegin.push(pads[i]);
      outS.push(Math.floor((inS[i] + pads[i] + pads[i + r] - span) / stride[i]) + 1);
    } else if (a.autoPad === 'VALID') {
      padBegin.push(0);
      outS.push(Math.floor((inS[i] - span) / stride[i]) + 1);
    } else {
      const o = Math.ceil(inS[i] / stride[i]);
      const total = Math.max(0, (o - 1) * stride[i] + span - inS[i]);
      padBegin.push(a.autoPad === 'SAME_UPPER' ? Math.floor(total / 2) : total - Math.floor(total / 2));
      outS.push(o);
    }
    if (outS[i] < 0) outS[i] = 0;
  }
  // Leading unit axes make every case three-dimensional.
  const lift = (v: number[], fill: number): number[] => [...new Array<number>(3 - r).fill(fill), ...v];
  return { inS: lift(inS, 1), outS: lift(outS, 1), k: lift(k, 1), stride: lift(stride, 1), dil: lift(dil, 1), padBegin: lift(padBegin, 0) };
}

/**
 * QLinearConv: convolution of (x - x_zero_point) with (w - w_zero_point) in int32
 * plus the int32 bias, requantised with x_scale * w_scale / y_scale (w_scale and
 * w_zero_point may be per output channel).
 */
export function qlinearConv(ctx: NodeCtx, inputs: Inputs, a: QLinearConvAttrs): Tensor[] {
  const [x, xS, xZ, w, wS, wZ, yS, yZ] = inputs as Tensor[];
  const bias = inputs[8];
  const g = convGeometry(x, w, a);
  const [N, C] = x.dims, M = w.dims[0];
  const group = a.group;
  if (C % group !== 0 || M % group !== 0 || w.dims[1] !== C / group) {
    fail(`weights of shape [${w.dims.join(',')}] do not fit input channels ${C} with group ${group}`);
  }
  if (sizeOf(xZ.dims) !== 1 || sizeOf(xS.dims) !== 1 || sizeOf(yS.dims) !== 1 || sizeOf(yZ.dims) !== 1) {
    fail('x_scale, x_zero_point, y_scale and y_zero_point must be scalars');
  }
  if (bias !== undefined && sizeOf(bias.dims) !== M) fail(`bias must have ${M} values`);
  const Cg = C / group, Mg = M / group;
  const [lo, hi] = rangeOf(yZ.type);
  const wZero = expandParam(wZ, M, 'w_zero_point');
  const mult = new Float64Array(M);
  rowMultipliers(mult, (xS.data as NumericArray)[0], expandParam(wS, M, 'w_scale'), (yS.data as NumericArray)[0], scaleRounder(xS.type));
  const yZero = (yZ.data as NumericArray)[0];

  const xp = padInput(ctx, x, g, (xZ.data as NumericArray)[0]);
  const [Dp, Hp, Wp] = paddedDims(g);
  const kSize = g.k[0] * g.k[1] * g.k[2];
  const wd = w.data as NumericArray;
  const [OD, OH, OW] = g.outS;
  const outPlane = OD * OH * OW;
  const y = ctx.alloc(0, yZ.type, [N, M, ...g.outS.slice(5 - x.dims.length)]).data as NumericArray;
  const acc = ctx.scratch('acc', 'int32', outPlane) as Int32Array;
  const bd = bias?.data as NumericArray | undefined;

  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const c0 = Math.floor(m / Mg) * Cg;
      acc.fill(bd !== undefined ? bd[m] : 0, 0, outPlane);
      for (let c = 0; c < Cg; c++) {
        const plane = ((n * C + c0 + c) * Dp) * Hp * Wp;
        const wBase = (m * Cg + c) * kSize;
        for (let kd = 0, kw0 = 0; kd < g.k[0]; kd++) {
          for (let kh = 0; kh < g.k[1]; kh++) {
            for (let kw = 0; kw < g.k[2]; kw++, kw0++) {
              const wv = wd[wBase + kw0] - wZero[m];
              if (wv === 0) continue;
              accumulateTap(acc, xp, plane + kd * g.dil[0] * Hp * Wp + kh * g.dil[1] * Wp + kw * g.dil[2], wv, g, Hp, Wp);
            }
          }
        }
      }
      const out = (n * M + m) * outPlane, mm = mult[m];
      for (let i = 0; i < outPlane; i++) y[out + i] = saturate(roundHalfEven(acc[i] * mm + yZero), lo, hi);
    }
  }
  return ctx.done(1);
}

/** Padded input extents (3-D). */
function paddedDims(g: ConvGeom): [number, number, number] {
  const ext = (i: number): number => Math.max(g.inS[i] + g.padBegin[i], (g.outS[i] - 1) * g.stride[i] + (g.k[i] - 1) * g.dil[i] + 1);
  return [ext(0), ext(1), ext(2)];
}

/**
 * x minus its zero point as int32, zero-padded so that every tap of every output
 * position is in bounds (padding with the zero point is padding with 0 after centring).
 */
function padInput(ctx: NodeCtx, x: Tensor, g: ConvGeom, zero: number): Int32Array {
  const [Dp, Hp, Wp] = paddedDims(g);
  const [D, H, W] = g.inS;
  const planes = x.dims[0] * x.dims[1];
  const xp = ctx.scratch('xpad', 'int32', planes * Dp * Hp * Wp) as Int32Array;
  xp.fill(0, 0, planes * Dp * Hp * Wp);
  const xd = x.data as NumericArray;
  for (let p = 0; p < planes; p++) {
    for (let d = 0; d < D; d++) {
      for (let h = 0; h < H; h++) {
        const src = ((p * D + d) * H + h) * W;
        const dst = ((p * Dp + d + g.padBegin[0]) * Hp + h + g.padBegin[1]) * Wp + g.padBegin[2];
        for (let w = 0; w < W; w++) xp[dst + w] = xd[src + w] - zero;
      }
    }
  }
  return xp;
}

/** acc[od, oh, ow] += wv * xp[tap + od*sd*Hp*Wp + oh*sh*Wp + ow*sw] for every output position. */
function accumulateTap(acc: Int32Array, xp: Int32Array, tap: number, wv: number, g: ConvGeom, Hp: number, Wp: number): void {
  const [OD, OH, OW] = g.outS;
  const [sd, sh, sw] = g.stride;
  let o = 0;
  for (let od = 0; od < OD; od++) {
    for (let oh = 0; oh < OH; oh++) {
      let src = tap + od * sd * Hp * Wp + oh * sh * Wp;
      for (let ow = 0; ow < OW; ow++, o++, src += sw) acc[o] += wv * xp[src];
    }
  }
}
