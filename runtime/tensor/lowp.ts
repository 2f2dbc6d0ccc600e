// Low-precision element types: bfloat16, the float8 family (e4m3fn, e4m3fnuz,
// e5m2, e5m2fnuz, e8m0), float4e2m1, and the 4-bit and 2-bit integers.
//
// Internal representation (runtime/tensor/tensor.ts): the floats are held as a
// Float32Array of values already rounded to the type (every value of these
// types is a float32 value), the integers as Int8Array/Uint8Array of element
// values. This file holds the exact conversions:
//   - rounding a number to a type: round to nearest, ties to even, on the type's
//     grid (subnormals included). Out of range: with `saturate` the largest finite
//     value of the sign; without, ±Inf where the type has infinities (bfloat16,
//     e5m2) and NaN where it has none (e4m3fn keeps the sign, the fnuz types have
//     a single NaN). float4e2m1 has neither and always saturates (±Inf to ±6); NaN
//     becomes the pattern 0x8 (-0), as ml_dtypes (the ONNX reference) does. The
//     fnuz types have no -0: it becomes +0. ±Inf with `saturate` clamps to the
//     largest finite value for every float8 type (the reference clips first).
//   - float8e8m0 (an unsigned power of two, 2^-127 ... 2^127, 0xFF = NaN) rounds
//     as the reference's to_float8e8m0 does: the value as float32, sign ignored,
//     its exponent kept and moved up by round_mode ("up": when any mantissa bit is
//     set; "nearest": on the guard bit, ties up; "down": never); with `saturate`
//     the largest exponent does not move up into NaN. NaN and ±Inf give NaN.
//     Exactly 2^-127 (a float32 subnormal) is kept in every mode, so values of the
//     type round to themselves.
//   - bit patterns ⇄ values (the public representation and TensorProto data),
//   - 4-bit and 2-bit packing: two (four) elements per byte, the first in the low bits.
// Integers: casts round to nearest even and keep the low bits (two's complement
// for int4/int2), QuantizeLinear saturates to [lo, hi] (see quantize.ts).

import type { DType, LowpFloatType, LowpIntType } from './tensor.js';

/** float8e8m0 rounding (Cast-24 `round_mode`). */
export type E8m0RoundMode = 'up' | 'down' | 'nearest';

/** How a minifloat spends its special bit patterns. */
type Specials =
  | 'ieee' // all-ones exponent: ±Inf (mantissa 0) and NaN (bfloat16, e5m2)
  | 'fn' // only S.1111.111 is NaN, no infinities (e4m3fn)
  | 'fnuz' // 0x80 (the -0 pattern) is the only NaN, no infinities, no -0
  | 'none'; // neither NaN nor infinities (float4e2m1)

interface MiniFloat {
  readonly bits: number;
  readonly mant: number;
  readonly bias: number;
  readonly specials: Specials;
  /** Largest finite value. */
  readonly max: number;
  /** The pattern written for NaN (positive where the sign is kept). */
  readonly nan: number;
  /** Whether Cast's `saturate` applies (float8); otherwise fixed by the type. */
  readonly saturable: boolean;
}

const FORMATS: Readonly<Record<Exclude<LowpFloatType, 'float8e8m0'>, MiniFloat>> = {
  bfloat16: { bits: 16, mant: 7, bias: 127, specials: 'ieee', max: (2 - 2 ** -7) * 2 ** 127, nan: 0x7fc0, saturable: false },
  float8e4m3fn: { bits: 8, mant: 3, bias: 7, specials: 'fn', max: 448, nan: 0x7f, saturable: true },
  float8e4m3fnuz: { bits: 8, mant: 3, bias: 8, specials: 'fnuz', max: 240, nan: 0x80, saturable: true },
  float8e5m2: { bits: 8, mant: 2, bias: 15, specials: 'ieee', max: 57344, nan: 0x7e, saturable: true },
  float8e5m2fnuz: { bits: 8, mant: 2, bias: 16, specials: 'fnuz', max: 57344, nan: 0x80, saturable: true },
  float4e2m1: { bits: 4, mant: 1, bias: 1, specials: 'none', max: 6, nan: 0x8, saturable: false },
};

/** Largest finite value of a low-precision float type. */
export function lowpMax(type: LowpFloatType): number {
  return type === 'float8e8m0' ? 2 ** 127 : FORMATS[type].max;
}

/** Smallest value of each low-precision integer type and its span (2^bits). */
export const LOWP_INT_RANGES: Readonly<Record<LowpIntType, readonly [number, number]>> = {
  int4: [-8, 7], uint4: [0, 15], int2: [-2, 1], uint2: [0, 3],
};

/** Bits per element: 16 (bfloat16), 8 (float8), 4 (float4e2m1, int4, uint4), 2 (int2, uint2). */
export function lowpBits(type: LowpFloatType | LowpIntType): number {
  switch (type) {
    case 'bfloat16': return 16;
    case 'float4e2m1': case 'int4': case 'uint4': return 4;
    case 'int2': case 'uint2': return 2;
    default: return 8;
  }
}

// ---------------------------------------------------------------------------
// Rounding values

/** The binary exponent of a finite a > 0: 2^e <= a < 2^(e+1). */
function exponentOf(a: number): number {
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  return e;
}

/** s rounded to an integer, ties to even (s >= 0, exact for every double below 2^52). */
function rint(s: number): number {
  let r = Math.floor(s);
  const d = s - r;
  if (d > 0.5 || (d === 0.5 && r % 2 === 1)) r++;
  return r;
}

function roundMini(f: MiniFloat, v: number, saturate: boolean): number {
  if (v !== v) return f.specials === 'none' ? -0 : NaN;
  const neg = v < 0 || (v === 0 && 1 / v < 0);
  const a = neg ? -v : v;
  const sat = f.saturable ? saturate : f.specials === 'none';
  let r: number;
  if (a === Infinity) r = Infinity;
  else if (a === 0) r = 0;
  else {
    const q = 2 ** (Math.max(exponentOf(a), 1 - f.bias) - f.mant); // the grid spacing around a
    r = rint(a / q) * q; // a / q is exact: a power-of-two scaling
  }
  if (r > f.max) {
    if (sat) r = f.max;
    else if (f.specials === 'ieee') r = Infinity;
    else return NaN;
  }
  if (r === 0) return neg && f.specials !== 'fnuz' ? -0 : 0;
  return neg ? -r : r;
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);

/** float8e8m0 rounding of a number (first rounded to float32, as the reference does). */
function roundE8m0(v: number, saturate: boolean, mode: E8m0RoundMode): number {
  F32[0] = v;
  const u = U32[0] & 0x7fffffff;
  if (u === 0x400000) return 2 ** -127; // the one subnormal e8m0 value stays (the reference's "up" moves it)
  let e = u >>> 23;
  if (e === 0xff) return NaN;
  let up = false;
  if (mode === 'up') up = (u & 0x7fffff) !== 0;
  else if (mode === 'nearest') up = (u & 0x400000) !== 0 && ((u & 0x3fffff) !== 0 || e > 0);
  if (up && !(saturate && e === 0xfe)) e++;
  return e === 0xff ? NaN : 2 ** (e - 127);
}

/** bfloat16 rounding of a float32 value: the usual bit trick (ties to even, overflow to ±Inf). */
function roundBf16F32(u: number): number {
  if ((u & 0x7f800000) === 0x7f800000 && (u & 0x7fffff) !== 0) return 0x7fc0;
  return (u + 0x7fff + ((u >>> 16) & 1)) >>> 16;
}

/**
 * `v` rounded to the nearest value of a low-precision float type (a double holding
 * that value). `saturate` (Cast's attribute, default true) applies to the float8
 * types only; `mode` to float8e8m0 only.
 */
export function roundToLowp(type: LowpFloatType, v: number, saturate = true, mode: E8m0RoundMode = 'up'): number {
  if (type === 'float8e8m0') return roundE8m0(v, saturate, mode);
  if (type === 'bfloat16' && Math.fround(v) === v) {
    F32[0] = v;
    return bf16BitsToFloat(roundBf16F32(U32[0]));
  }
  return roundMini(FORMATS[type], v, saturate);
}

/**
 * Rounds every element in place, as a kernel result of `type`: values out of range
 * become ±Inf or NaN as the type allows (no saturation; values of the type are
 * unchanged, so this is idempotent).
 */
export function roundArrayToLowp(type: LowpFloatType, a: Float32Array | Float64Array): void {
  const n = a.length;
  if (type === 'bfloat16' && a instanceof Float32Array) {
    const w = new Uint32Array(a.buffer, a.byteOffset, n);
    for (let i = 0; i < n; i++) {
      const u = w[i];
      if ((u & 0xffff) === 0) continue; // already a bfloat16 value (NaN payloads included)
      const h = roundBf16F32(u);
      w[i] = h << 16;
    }
    return;
  }
  if (type === 'float8e8m0') {
    for (let i = 0; i < n; i++) a[i] = roundE8m0(a[i], false, 'up');
    return;
  }
  const f = FORMATS[type];
  for (let i = 0; i < n; i++) a[i] = roundMini(f, a[i], false);
}

/** Wraps an integer-valued number into a low-precision integer type (keeps the low bits). */
export function wrapLowpInt(type: LowpIntType, v: number): number {
  const [lo, hi] = LOWP_INT_RANGES[type];
  const span = hi - lo + 1;
  let r = v % span; // exact for every finite double
  if (r < lo) r += span;
  else if (r > hi) r -= span;
  return r === 0 ? 0 : r; // no -0
}

/** A number cast to a low-precision integer type: rounded to nearest even, then wrapped; NaN and ±Inf give 0. */
export function castToLowpInt(type: LowpIntType, v: number): number {
  if (!Number.isFinite(v)) return 0;
  const r = Number.isInteger(v) ? v : v < 0 ? -rint(-v) : rint(v);
  return wrapLowpInt(type, r);
}

/** Wraps every element in place into the type's range (kernel results of a sub-byte integer type). */
export function wrapArrayToLowpInt(type: LowpIntType, a: Int8Array | Uint8Array): void {
  const [lo, hi] = LOWP_INT_RANGES[type];
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    if (v < lo || v > hi) a[i] = wrapLowpInt(type, v);
  }
}

// ---------------------------------------------------------------------------
// Bit patterns

export function bf16BitsToFloat(h: number): number {
  U32[0] = (h & 0xffff) << 16;
  return F32[0];
}

const TABLES = new Map<LowpFloatType, Float32Array>();

function miniValue(f: MiniFloat, b: number): number {
  const signBit = 1 << (f.bits - 1);
  const expMask = (1 << (f.bits - 1 - f.mant)) - 1;
  if (f.specials === 'fnuz' && b === signBit) return NaN;
  const sign = b & signBit ? -1 : 1;
  const e = (b >>> f.mant) & expMask;
  const m = b & ((1 << f.mant) - 1);
  if (f.specials === 'ieee' && e === expMask) return m !== 0 ? NaN : sign * Infinity;
  if (f.specials === 'fn' && e === expMask && m === (1 << f.mant) - 1) return NaN;
  if (e === 0) return sign * m * 2 ** (1 - f.bias - f.mant);
  return sign * (1 + m / (1 << f.mant)) * 2 ** (e - f.bias);
}

/** Values of every bit pattern of an 8-bit or 4-bit float type (built once). */
function tableOf(type: Exclude<LowpFloatType, 'bfloat16'>): Float32Array {
  let t = TABLES.get(type);
  if (t === undefined) {
    if (type === 'float8e8m0') {
      t = new Float32Array(256);
      for (let b = 0; b < 256; b++) t[b] = b === 0xff ? NaN : 2 ** (b - 127);
    } else {
      const f = FORMATS[type];
      t = new Float32Array(1 << f.bits);
      for (let b = 0; b < t.length; b++) t[b] = miniValue(f, b);
    }
    TABLES.set(type, t);
  }
  return t;
}

/** The value of one bit pattern of a low-precision float type. */
export function lowpBitsToFloat(type: LowpFloatType, bits: number): number {
  if (type === 'bfloat16') return bf16BitsToFloat(bits);
  const t = tableOf(type);
  return t[bits & (t.length - 1)];
}

/** The bit pattern of a value (rounded to the type first, without saturation). */
export function floatToLowpBits(type: LowpFloatType, v: number): number {
  if (type === 'bfloat16') {
    if (Math.fround(v) !== v) v = roundToLowp('bfloat16', v);
    F32[0] = v;
    return roundBf16F32(U32[0]);
  }
  if (type === 'float8e8m0') {
    const r = roundE8m0(v, false, 'up');
    return r !== r ? 0xff : exponentOf(r) + 127;
  }
  const f = FORMATS[type];
  const r = roundMini(f, v, false);
  if (r !== r) return f.nan;
  const signBit = 1 << (f.bits - 1);
  const neg = r < 0 || (r === 0 && 1 / r < 0);
  const sign = neg ? signBit : 0;
  const a = neg ? -r : r;
  if (a === Infinity) return sign | (((1 << (f.bits - 1 - f.mant)) - 1) << f.mant);
  if (a === 0) return sign;
  const e = exponentOf(a);
  if (e < 1 - f.bias) return sign | (a / 2 ** (1 - f.bias - f.mant)); // subnormal
  return sign | ((e + f.bias) << f.mant) | (a / 2 ** (e - f.mant) - (1 << f.mant));
}

/** Values of an array of bit patterns. */
export function lowpBitsToArray(type: LowpFloatType, bits: ArrayLike<number>, out = new Float32Array(bits.length)): Float32Array {
  if (type === 'bfloat16') {
    const w = new Uint32Array(out.buffer, out.byteOffset, out.length);
    for (let i = 0; i < out.length; i++) w[i] = (bits[i] & 0xffff) << 16;
    return out;
  }
  const t = tableOf(type), mask = t.length - 1;
  for (let i = 0; i < out.length; i++) out[i] = t[bits[i] & mask];
  return out;
}

/** Bit patterns of an array of values: Uint16Array for bfloat16, Uint8Array otherwise. */
export function arrayToLowpBits(type: LowpFloatType, values: ArrayLike<number>): Uint8Array | Uint16Array {
  const n = values.length;
  if (type === 'bfloat16') {
    const out = new Uint16Array(n);
    for (let i = 0; i < n; i++) out[i] = floatToLowpBits(type, values[i]);
    return out;
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = floatToLowpBits(type, values[i]);
  return out;
}

// ---------------------------------------------------------------------------
// Packing (TensorProto raw data and int32_data, embedded constants)

/** Elements per byte of a packed sub-byte type (4-bit: 2, 2-bit: 4), 1 otherwise. */
export function perByte(type: DType): number {
  if (type === 'int4' || type === 'uint4' || type === 'float4e2m1') return 2;
  if (type === 'int2' || type === 'uint2') return 4;
  return 1;
}

/**
 * Unpacks n elements of a 4-bit or 2-bit type from bytes (first element in the
 * low bits). Integers come out as values (sign-extended for int4/int2), float4e2m1
 * as bit patterns (0..15).
 */
export function unpackSubByte(type: DType, bytes: ArrayLike<number>, n: number): Int8Array | Uint8Array {
  const k = perByte(type), width = 8 / k, mask = (1 << width) - 1;
  const signed = type === 'int4' || type === 'int2';
  const out = signed ? new Int8Array(n) : new Uint8Array(n);
  const shift = 32 - width;
  for (let i = 0; i < n; i++) {
    const b = (bytes[(i / k) | 0] >>> ((i % k) * width)) & mask;
    out[i] = signed ? (b << shift) >> shift : b;
  }
  return out;
}

/** Packs n elements (values or float4 bit patterns) of a 4-bit or 2-bit type; padding bits are 0. */
export function packSubByte(type: DType, elems: ArrayLike<number>): Uint8Array {
  const k = perByte(type), width = 8 / k, mask = (1 << width) - 1;
  const out = new Uint8Array(Math.ceil(elems.length / k));
  for (let i = 0; i < elems.length; i++) out[(i / k) | 0] |= (elems[i] & mask) << ((i % k) * width);
  return out;
}

/**
 * Internal data of a low-precision tensor from its ONNX storage: bfloat16 as 16-bit
 * patterns, 8-bit floats as bytes, sub-byte types packed (n elements).
 */
export function lowpFromStorage(type: LowpFloatType | LowpIntType, storage: ArrayLike<number>, n: number): Float32Array | Int8Array | Uint8Array {
  if (perByte(type) > 1) {
    const elems = unpackSubByte(type, storage, n);
    return type === 'float4e2m1' ? lowpBitsToArray(type, elems) : elems;
  }
  return lowpBitsToArray(type as LowpFloatType, storage.length === n ? storage : Array.prototype.slice.call(storage, 0, n) as number[]);
}

/** The ONNX storage bytes (little-endian, packed) of a low-precision tensor's internal data. */
export function lowpToStorage(type: LowpFloatType | LowpIntType, data: ArrayLike<number>): Uint8Array {
  if (type === 'float4e2m1') return packSubByte(type, arrayToLowpBits(type, data));
  if (perByte(type) > 1) return packSubByte(type, data);
  const bits = arrayToLowpBits(type as LowpFloatType, data);
  if (bits instanceof Uint8Array) return bits;
  const out = new Uint8Array(bits.length * 2); // explicit little-endian
  for (let i = 0; i < bits.length; i++) { out[2 * i] = bits[i] & 0xff; out[2 * i + 1] = bits[i] >>> 8; }
  return out;
}

/** The 16-bit patterns of little-endian bytes (bfloat16 storage). */
export function uint16FromBytes(bytes: Uint8Array, n: number): Uint16Array {
  const out = new Uint16Array(n);
  for (let i = 0; i < n; i++) out[i] = bytes[2 * i] | (bytes[2 * i + 1] << 8);
  return out;
}
