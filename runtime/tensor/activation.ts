// Activation kernels: Relu and its relatives, sigmoid-like squashers, Gelu, Shrink,
// Clip and Dropout. All are elementwise (PRelu broadcasts its slope).
//
// Float kernels compute in float64 (JS numbers) and store into the output array;
// float16 tensors are Float32Arrays whose results the caller rounds to binary16.
// Formulas are the numerically stable forms of the ONNX definitions (no overflow
// in exp, no cancellation in 1 + tanh or 1 + erf), which agree with the plain
// formulas wherever those are exact.

import { broadcastStrides } from './broadcast.js';
import { fail, isBigType, makeTensor, sizeOf, type NodeCtx, type NumericArray, type Tensor } from './tensor.js';

type FloatArray = Float32Array | Float64Array;
type Inputs = readonly (Tensor | undefined)[];

/** Input 0 and a fresh-or-reused output 0 of the same type and shape. */
function floatUnary(ctx: NodeCtx, inputs: Inputs): { x: FloatArray; y: FloatArray } {
  const t = inputs[0] as Tensor;
  return { x: t.data as FloatArray, y: ctx.alloc(0, t.type, t.dims).data as FloatArray };
}

// ---------------------------------------------------------------- Relu family

/** Relu: max(x, 0). Signed integer types at opset 14+; NaN stays NaN. */
export function relu(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const t = inputs[0] as Tensor;
  const out = ctx.alloc(0, t.type, t.dims);
  if (isBigType(t.type)) {
    const x = t.data as BigInt64Array, y = out.data as BigInt64Array;
    for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v < 0n ? 0n : v; }
  } else if (t.data instanceof Float32Array && out.data instanceof Float32Array) {
    reluBits(float32Bits(t.data), float32Bits(out.data), t.data.length);
  } else {
    const x = t.data as NumericArray, y = out.data as NumericArray;
    for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v < 0 ? 0 : v; }
  }
  return ctx.done(1);
}

/**
 * dst[i] = relu(src[i]) on the bit patterns of float32 values (Int32Array views):
 * values whose sign bit is set, up to and including -Infinity (int32 ≤ 0xff800000),
 * become +0; positive values and every NaN (negative ones included) pass unchanged.
 * Branch-free: on outputs of mixed sign (a layer's pre-activations) a compare-and-
 * branch loop mispredicts about every other element and runs several times slower.
 */
export function reluBits(src: Int32Array, dst: Int32Array, n: number): void {
  for (let i = 0; i < n; i++) {
    const b = src[i];
    // b >> 31 is all ones for a set sign bit; b + 0x7fffff is negative (no int32
    // wrap-around for negative b) exactly when b ≤ 0xff800000, i.e. not a NaN.
    dst[i] = b & ~((b >> 31) & ((b + 8388607) >> 31));
  }
}

/** Int32 views on float32 arrays, made once per array (a node's buffers are reused across calls). */
const bitViews = new WeakMap<Float32Array, Int32Array>();

export function float32Bits(a: Float32Array): Int32Array {
  let v = bitViews.get(a);
  if (v === undefined) {
    v = new Int32Array(a.buffer, a.byteOffset, a.length);
    bitViews.set(a, v);
  }
  return v;
}

export function leakyRelu(ctx: NodeCtx, inputs: Inputs, attrs: { alpha: number }): Tensor[] {
  const { x, y } = floatUnary(ctx, inputs);
  const a = attrs.alpha;
  for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v < 0 ? a * v : v; }
  return ctx.done(1);
}

export function thresholdedRelu(ctx: NodeCtx, inputs: Inputs, attrs: { alpha: number }): Tensor[] {
  const { x, y } = floatUnary(ctx, inputs);
  const a = attrs.alpha;
  for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v > a ? v : 0; }
  return ctx.done(1);
}

export function elu(ctx: NodeCtx, inputs: Inputs, attrs: { alpha: number }): Tensor[] {
  const { x, y } = floatUnary(ctx, inputs);
  const a = attrs.alpha;
  for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v < 0 ? a * Math.expm1(v) : v; }
  return ctx.done(1);
}

/** Celu: max(0, x) + min(0, alpha * (exp(x / alpha) - 1)). */
export function celu(ctx: NodeCtx, inputs: Inputs, attrs: { alpha: number }): Tensor[] {
  const { x, y } = floatUnary(ctx, inputs);
  const a = attrs.alpha;
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    y[i] = v < 0 ? a * Math.expm1(v / a) : v;
  }
  return ctx.done(1);
}

/** Selu: gamma * x for x > 0, gamma * alpha * (exp(x) - 1) otherwise. */
export function selu(ctx: NodeCtx, inputs: Inputs, attrs: { alpha: number; gamma: number }): Tensor[] {
  const { x, y } = floatUnary(ctx, inputs);
  const g = attrs.gamma, ga = attrs.gamma * attrs.alpha;
  for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v > 0 ? g * v : ga * Math.expm1(v); }
  return ctx.done(1);
}

// ------------------------------------------------------------------- PRelu

/**
 * PRelu: x < 0 ? slope * x : x, the slope broadcast to x's shape.
 * `legacy` (opset ≤ 6, Caffe2 semantics): a 1-D slope of length C applies per
 * channel (axis 1) rather than along the last axis.
 */
export function prelu(ctx: NodeCtx, inputs: Inputs, attrs: { legacy: boolean }): Tensor[] {
  const x = inputs[0] as Tensor, slope = inputs[1] as Tensor;
  const out = ctx.alloc(0, x.type, x.dims);
  const st = slopeStrides(x.dims, slope.dims, attrs.legacy);
  const { dims, strides } = collapseAxes(x.dims, st);
  const rank = dims.length;
  const inner = dims[rank - 1], innerStride = strides[rank - 1];
  const rows = sizeOf(x.dims) / inner;
  if (!(rows > 0)) return ctx.done(1);
  // Odometer over the outer axes; each row is a contiguous run of x.
  const idx = new Array<number>(rank).fill(0);
  let so = 0;
  for (let r = 0, xo = 0; r < rows; r++, xo += inner) {
    preluRow(x.data, slope.data, out.data, xo, so, inner, innerStride);
    for (let ax = rank - 2; ax >= 0; ax--) {
      so += strides[ax];
      if (++idx[ax] < dims[ax]) break;
      so -= strides[ax] * dims[ax];
      idx[ax] = 0;
    }
  }
  return ctx.done(1);
}

/** The slope's strides in x's index space, or a kernel error when it does not fit x. */
function slopeStrides(xDims: readonly number[], sDims: readonly number[], legacy: boolean): number[] {
  const n = sizeOf(sDims);
  if (legacy && n !== 1 && sDims.length === 1 && xDims.length >= 2 && sDims[0] === xDims[1]) {
    const st = new Array<number>(xDims.length).fill(0);
    st[1] = 1;
    return st;
  }
  // Unidirectional broadcasting: slope's shape must broadcast to x's, never the reverse.
  let ok = sDims.length <= xDims.length;
  for (let i = 0; ok && i < sDims.length; i++) {
    const d = sDims[sDims.length - 1 - i];
    ok = d === 1 || d === xDims[xDims.length - 1 - i];
  }
  if (!ok) fail(`slope of shape [${sDims.join(',')}] cannot be broadcast to input shape [${xDims.join(',')}]`);
  return broadcastStrides(sDims, xDims);
}

/**
 * Drops size-1 axes and merges neighbours the second operand walks contiguously
 * (or not at all), so a per-channel slope on NCHW becomes three axes [N, C, H*W].
 * Always returns at least one axis.
 */
function collapseAxes(xDims: readonly number[], st: readonly number[]): { dims: number[]; strides: number[] } {
  const dims: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < xDims.length; i++) {
    if (xDims[i] === 1) continue;
    const k = dims.length - 1;
    if (k >= 0 && strides[k] === st[i] * xDims[i]) {
      dims[k] *= xDims[i];
      strides[k] = st[i];
    } else {
      dims.push(xDims[i]);
      strides.push(st[i]);
    }
  }
  if (dims.length === 0) { dims.push(1); strides.push(0); }
  return { dims, strides };
}

function preluRow(
  xd: Tensor['data'], sd: Tensor['data'], yd: Tensor['data'], xo: number, so: number, n: number, ss: number,
): void {
  if (xd instanceof Float32Array || xd instanceof Float64Array) {
    const s = sd as FloatArray, y = yd as FloatArray;
    if (ss === 0) {
      const a = s[so];
      for (let i = xo, end = xo + n; i < end; i++) { const v = xd[i]; y[i] = v < 0 ? a * v : v; }
    } else {
      for (let i = 0; i < n; i++) { const v = xd[xo + i]; y[xo + i] = v < 0 ? s[so + i * ss] * v : v; }
    }
  } else if (xd instanceof Int32Array) {
    // Math.imul: C-like wrapping int32 product, exact unlike a double multiply.
    const s = sd as Int32Array, y = yd as Int32Array;
    for (let i = 0; i < n; i++) { const v = xd[xo + i]; y[xo + i] = v < 0 ? Math.imul(s[so + i * ss], v) : v; }
  } else if (xd instanceof BigInt64Array) {
    const s = sd as BigInt64Array, y = yd as BigInt64Array;
    for (let i = 0; i < n; i++) { const v = xd[xo + i]; y[xo + i] = v < 0n ? BigInt.asIntN(64, s[so + i * ss] * v) : v; }
  } else {
    // Unsigned types (uint32, uint64) have no negative values: a copy. The
    // Uint32Array view of the types is only for the checker; set() is generic.
    (yd as Uint32Array).set((xd as Uint32Array).subarray(xo, xo + n), xo);
  }
}

// ---------------------------------------------------- sigmoid-like squashers

/** 1 / (1 + exp(-v)) without overflow for large |v|. */
function sigmoidOf(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

/** log(1 + exp(v)) without overflow for large v. */
function softplusOf(v: number): number {
  return v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
}

export function sigmoid(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const { x, y } = floatUnary(ctx, inputs);
  for (let i = 0; i < x.length; i++) y[i] = sigmoidOf(x[i]);
  return ctx.done(1);
}

/** HardSigmoid: max(0, min(1, alpha * x + beta)). */
export function hardSigmoid(ctx: NodeCtx, inputs: Inputs, attrs: { alpha: number; beta: number }): Tensor[] {
  const { x, y } = floatUnary(ctx, inputs);
  const a = attrs.alpha, b = attrs.beta;
  for (let i = 0; i < x.length; i++) y[i] = Math.max(0, Math.min(1, a * x[i] + b));
  return ctx.done(1);
}

/** HardSwish: x * max(0, min(1, x / 6 + 0.5)). */
export function hardSwish(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const { x, y } = floatUnary(ctx, inputs);
  for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v * Math.max(0, Math.min(1, v / 6 + 0.5)); }
  return ctx.done(1);
}

/** Swish (opset 24): x * sigmoid(alpha * x). */
export function swish(ctx: NodeCtx, inputs: Inputs, attrs: { alpha: number }): Tensor[] {
  const { x, y } = floatUnary(ctx, inputs);
  const a = attrs.alpha;
  for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v * sigmoidOf(a * v); }
  return ctx.done(1);
}

export function softplus(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const { x, y } = floatUnary(ctx, inputs);
  for (let i = 0; i < x.length; i++) y[i] = softplusOf(x[i]);
  return ctx.done(1);
}

export function softsign(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const { x, y } = floatUnary(ctx, inputs);
  for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v / (1 + Math.abs(v)); }
  return ctx.done(1);
}

/**
 * Mish: x * tanh(softplus(x)). With e = exp(x), tanh(log(1 + e)) = n / (n + 2) where
 * n = e (e + 2): one exp instead of exp, log1p and tanh, and no cancellation for
 * negative x. Beyond x = 20 the factor is 1 in double precision (and n would overflow).
 */
export function mish(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const { x, y } = floatUnary(ctx, inputs);
  for (let i = 0; i < x.length; i++) {
    const v = x[i];
    if (v > 20) { y[i] = v; continue; }
    const e = Math.exp(v), n = e * (e + 2);
    y[i] = (v * n) / (n + 2);
  }
  return ctx.done(1);
}

// --------------------------------------------------------------------- Gelu

const SQRT1_2 = Math.SQRT1_2;
const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

/**
 * Gelu (opset 20). 'none': x/2 * (1 + erf(x/√2)), computed as x/2 * erfc(-x/√2)
 * to keep relative accuracy for negative x. 'tanh': x/2 * (1 + tanh(u)) with
 * u = √(2/π) (x + 0.044715 x³), computed as x * sigmoid(2u) (the same identity).
 */
export function gelu(ctx: NodeCtx, inputs: Inputs, attrs: { approximate: 'none' | 'tanh' }): Tensor[] {
  const { x, y } = floatUnary(ctx, inputs);
  if (attrs.approximate === 'tanh') {
    for (let i = 0; i < x.length; i++) {
      const v = x[i];
      y[i] = v * sigmoidOf(2 * SQRT_2_OVER_PI * (v + 0.044715 * v * v * v));
    }
  } else {
    for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = 0.5 * v * erfc(-v * SQRT1_2); }
  }
  return ctx.done(1);
}

// erfc from FreeBSD/fdlibm s_erf.c (Sun Microsystems, 1993: "Permission to use,
// copy, modify, and distribute this software is freely granted, provided that
// this notice is preserved."); error below 1 ulp in double precision.
const ERX = 8.45062911510467529297e-01;
const PP0 = 1.28379167095512558561e-01, PP1 = -3.25042107247001499370e-01, PP2 = -2.84817495755985104766e-02,
  PP3 = -5.77027029648944159157e-03, PP4 = -2.37630166566501626084e-05;
const QQ1 = 3.97917223959155352819e-01, QQ2 = 6.50222499887672944485e-02, QQ3 = 5.08130628187576562776e-03,
  QQ4 = 1.32494738004321644526e-04, QQ5 = -3.96022827877536812320e-06;
const PA0 = -2.36211856075265944077e-03, PA1 = 4.14856118683748331666e-01, PA2 = -3.72207876035701323847e-01,
  PA3 = 3.18346619901161753674e-01, PA4 = -1.10894694282396677476e-01, PA5 = 3.54783043256182359371e-02,
  PA6 = -2.16637559486879084300e-03;
const QA1 = 1.06420880400844228286e-01, QA2 = 5.40397917702171048937e-01, QA3 = 7.18286544141962662868e-02,
  QA4 = 1.26171219808761642112e-01, QA5 = 1.36370839120290507362e-02, QA6 = 1.19844998467991074170e-02;
const RA0 = -9.86494403484714822705e-03, RA1 = -6.93858572707181764372e-01, RA2 = -1.05586262253232909814e+01,
  RA3 = -6.23753324503260060396e+01, RA4 = -1.62396669462573470355e+02, RA5 = -1.84605092906711035994e+02,
  RA6 = -8.12874355063065934246e+01, RA7 = -9.81432934416914548592e+00;
const SA1 = 1.96512716674392571292e+01, SA2 = 1.37657754143519042600e+02, SA3 = 4.34565877475229228821e+02,
  SA4 = 6.45387271733267880336e+02, SA5 = 4.29008140027567833386e+02, SA6 = 1.08635005541779435134e+02,
  SA7 = 6.57024977031928170135e+00, SA8 = -6.04244152148580987438e-02;
const RB0 = -9.86494292470009928597e-03, RB1 = -7.99283237680523006574e-01, RB2 = -1.77579549177547519889e+01,
  RB3 = -1.60636384855821916062e+02, RB4 = -6.37566443368389627722e+02, RB5 = -1.02509513161107724954e+03,
  RB6 = -4.83519191608651397019e+02;
const SB1 = 3.03380607434824582924e+01, SB2 = 3.25792512996573918826e+02, SB3 = 1.53672958608443695994e+03,
  SB4 = 3.19985821950859553908e+03, SB5 = 2.55305040643316442583e+03, SB6 = 4.74528541206955367215e+02,
  SB7 = -2.24409524465858183362e+01;

/** The complementary error function 1 - erf(x), accurate relative to its value for all x. */
export function erfc(x: number): number {
  if (x !== x) return x;
  const ax = Math.abs(x);
  const neg = x < 0;
  if (ax < 0.84375) {
    if (ax < 1.3877787807814457e-17) return 1 - x; // |x| < 2^-56
    const z = x * x;
    const r = PP0 + z * (PP1 + z * (PP2 + z * (PP3 + z * PP4)));
    const s = 1 + z * (QQ1 + z * (QQ2 + z * (QQ3 + z * (QQ4 + z * QQ5))));
    const y = r / s;
    if (x < 0.25) return 1 - (x + x * y); // includes all negative x here
    return 0.5 - (x * y + (x - 0.5));
  }
  if (ax < 1.25) {
    const s = ax - 1;
    const p = PA0 + s * (PA1 + s * (PA2 + s * (PA3 + s * (PA4 + s * (PA5 + s * PA6)))));
    const q = 1 + s * (QA1 + s * (QA2 + s * (QA3 + s * (QA4 + s * (QA5 + s * QA6)))));
    return neg ? 1 + ERX + p / q : 1 - ERX - p / q;
  }
  if (ax >= 28) return neg ? 2 : 0;
  if (neg && ax >= 6) return 2;
  const s = 1 / (ax * ax);
  let r: number, q: number;
  if (ax < 1 / 0.35) {
    r = RA0 + s * (RA1 + s * (RA2 + s * (RA3 + s * (RA4 + s * (RA5 + s * (RA6 + s * RA7))))));
    q = 1 + s * (SA1 + s * (SA2 + s * (SA3 + s * (SA4 + s * (SA5 + s * (SA6 + s * (SA7 + s * SA8)))))));
  } else {
    r = RB0 + s * (RB1 + s * (RB2 + s * (RB3 + s * (RB4 + s * (RB5 + s * RB6)))));
    q = 1 + s * (SB1 + s * (SB2 + s * (SB3 + s * (SB4 + s * (SB5 + s * (SB6 + s * SB7))))));
  }
  // z: ax rounded to 24 bits, so z*z is exact and exp(-x²) keeps full precision.
  const z = Math.fround(ax);
  const e = Math.exp(-z * z - 0.5625) * Math.exp((z - ax) * (z + ax) + r / q);
  return neg ? 2 - e / ax : e / ax;
}

// -------------------------------------------------------------------- Shrink

/** Shrink: x < -lambd ? x + bias : x > lambd ? x - bias : 0, for every numeric type. */
export function shrink(ctx: NodeCtx, inputs: Inputs, attrs: { lambd: number; bias: number }): Tensor[] {
  const t = inputs[0] as Tensor;
  const out = ctx.alloc(0, t.type, t.dims);
  const l = attrs.lambd, b = attrs.bias;
  if (isBigType(t.type)) {
    shrinkBig(t.data as BigInt64Array | BigUint64Array, out.data as BigInt64Array | BigUint64Array, l, b, t.type === 'int64');
  } else {
    // Integer outputs: the typed array truncates toward zero, as numpy's astype does.
    const x = t.data as NumericArray, y = out.data as NumericArray;
    for (let i = 0; i < x.length; i++) { const v = x[i]; y[i] = v < -l ? v + b : v > l ? v - b : 0; }
  }
  return ctx.done(1);
}

function shrinkBig(x: BigInt64Array | BigUint64Array, y: BigInt64Array | BigUint64Array, l: number, b: number, signed: boolean): void {
  // An integral bias is applied in bigint arithmetic (exact beyond 2^53);
  // results wrap to 64 bits like the typed-array stores of the other types.
  const exact = Number.isInteger(b);
  const bb = exact ? BigInt(b) : 0n;
  for (let i = 0; i < x.length; i++) {
    const v = x[i], n = Number(v);
    let r: bigint;
    if (n < -l) r = exact ? v + bb : BigInt(Math.trunc(n + b));
    else if (n > l) r = exact ? v - bb : BigInt(Math.trunc(n - b));
    else r = 0n;
    y[i] = signed ? BigInt.asIntN(64, r) : BigInt.asUintN(64, r);
  }
}

// ---------------------------------------------------------------------- Clip

/** Clip opset 1-6: bounds are attributes (±Infinity when absent). */
export function clipAttrs(ctx: NodeCtx, inputs: Inputs, attrs: { min: number; max: number }): Tensor[] {
  const t = inputs[0] as Tensor;
  const out = ctx.alloc(0, t.type, t.dims);
  clipNumbers(t.data as NumericArray, out.data as NumericArray, attrs.min, attrs.max);
  return ctx.done(1);
}

/** Clip opset 11+: optional scalar `min` and `max` inputs; every numeric type at 12+. */
export function clip(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const t = inputs[0] as Tensor;
  const out = ctx.alloc(0, t.type, t.dims);
  const lo = inputs[1], hi = inputs[2];
  if (isBigType(t.type)) {
    clipBig(t.data as BigInt64Array, out.data as BigInt64Array, scalarBig(lo, "Clip's min"), scalarBig(hi, "Clip's max"));
  } else {
    const l = scalarNum(lo, "Clip's min", -Infinity), h = scalarNum(hi, "Clip's max", Infinity);
    clipNumbers(t.data as NumericArray, out.data as NumericArray, l, h);
  }
  return ctx.done(1);
}

/** min(max(x, lo), hi) as numpy.clip: NaN propagates, and lo > hi yields hi everywhere. */
function clipNumbers(x: NumericArray, y: NumericArray, lo: number, hi: number): void {
  for (let i = 0; i < x.length; i++) y[i] = Math.min(Math.max(x[i], lo), hi);
}

function clipBig(x: BigInt64Array | BigUint64Array, y: BigInt64Array | BigUint64Array, lo: bigint | undefined, hi: bigint | undefined): void {
  for (let i = 0; i < x.length; i++) {
    let v = x[i];
    if (lo !== undefined && v < lo) v = lo;
    if (hi !== undefined && v > hi) v = hi;
    y[i] = v;
  }
}

/** The value of an optional scalar input (a one-element tensor is accepted too). */
function scalarNum(t: Tensor | undefined, what: string, absent: number): number {
  if (t === undefined) return absent;
  if (t.data.length !== 1) fail(`${what} must be a scalar, got shape [${t.dims.join(',')}]`);
  return (t.data as NumericArray)[0];
}

function scalarBig(t: Tensor | undefined, what: string): bigint | undefined {
  if (t === undefined) return undefined;
  if (t.data.length !== 1) fail(`${what} must be a scalar, got shape [${t.dims.join(',')}]`);
  return (t.data as BigInt64Array)[0];
}

// ------------------------------------------------------------------- Dropout

export interface DropoutAttrs {
  /** Drop ratio when the node has no ratio input (opset < 12 attribute, else 0.5). */
  readonly ratio: number;
  /** Opset ≤ 6: is_test = 0 asks for training mode. Opset 12+ reads input 2 instead. */
  readonly training: boolean;
  /** Whether the node declares the mask output. */
  readonly mask: boolean;
  /** Mask type: 'bool' (opset 10+) or the input's float type (opset ≤ 9, 1.0 = kept). */
  readonly maskBool: boolean;
  /** A `seed` attribute makes training-mode masks reproducible. */
  readonly hasSeed: boolean;
  readonly seed: number;
}

/**
 * Dropout. Inference (the usual case, and always at opsets 7-11): the output is the
 * input and the mask is all ones. Training mode (opset 12+ training_mode input, or
 * opset ≤ 6 is_test = 0) with a non-zero ratio keeps each element with probability
 * 1 - ratio and scales kept ones by 1 / (1 - ratio).
 */
export function dropout(ctx: NodeCtx, inputs: Inputs, attrs: DropoutAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const ratio = inputs[1] !== undefined ? scalarNum(inputs[1], "Dropout's ratio", 0.5) : attrs.ratio;
  const training = inputs[2] !== undefined ? (inputs[2].data as Uint8Array)[0] !== 0 : attrs.training;
  if (!training || ratio === 0) {
    ctx.view(0, x.type, x.dims, x.data);
    if (attrs.mask) (ctx.alloc(1, attrs.maskBool ? 'bool' : x.type, x.dims).data as NumericArray).fill(1);
    return ctx.done(attrs.mask ? 2 : 1);
  }
  if (!(ratio >= 0 && ratio < 1)) fail(`Dropout ratio must be in [0, 1), got ${ratio}`);
  const xd = x.data as FloatArray;
  // A fresh output: after an inference call, slot 0 is a view of that call's
  // input, and ctx.alloc would reuse (and overwrite) it.
  const y = ctx.set(0, makeTensor(x.type, x.dims)).data as FloatArray;
  const m = attrs.mask ? (ctx.alloc(1, attrs.maskBool ? 'bool' : x.type, x.dims).data as NumericArray) : undefined;
  const scale = 1 / (1 - ratio);
  const rand = attrs.hasSeed ? seededRandom(attrs.seed) : Math.random;
  for (let i = 0; i < xd.length; i++) {
    const keep = rand() >= ratio;
    y[i] = keep ? xd[i] * scale : 0;
    if (m !== undefined) m[i] = keep ? 1 : 0;
  }
  return ctx.done(attrs.mask ? 2 : 1);
}

/** mulberry32: a small deterministic generator of uniforms in [0, 1). */
function seededRandom(seed: number): () => number {
  let s = seed | 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
