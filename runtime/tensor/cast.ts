// Cast and CastLike between every runtime element type.
//
// Numeric conversions follow C (and numpy's astype): floats to integers
// truncate toward zero. Out-of-range values and NaN are undefined behaviour in
// ONNX: int32 and int64 targets give their minimum as x86 does (so onnxruntime
// and numpy), narrower types wrap (NaN gives 0). Integers to floats round to
// nearest-even once, anything to bool is "!= 0" (NaN is true).
// Strings: parsed as decimal or scientific numbers, with the case-insensitive
// literals INF/+INF/-INF/INFINITY and NaN (ONNX's rule); "true"/"false" also
// parse as booleans. Numbers format as the shortest decimal that reads back to
// the same value of the source type, non-finite values as "NaN", "INF", "-INF",
// booleans as "1"/"0", so every cast to string casts back unchanged.
//
// Low-precision targets (runtime/tensor/lowp.ts): bfloat16, float8 and float4e2m1
// round once, to nearest even, straight from the source value (64-bit integers
// through a sticky reduction, so no double rounding), with `saturate` for the
// float8 types and `round_mode` for float8e8m0 (which rounds from float32, as the
// reference does); int4/uint4/int2/uint2 round floats to nearest even and keep
// the low bits, as other integer targets wrap. Low-precision sources are plain
// values (floats) or integers and convert like float32 or int8.

import { roundToFloat16 } from './float16.js';
import { castToLowpInt, roundToLowp, wrapLowpInt, type E8m0RoundMode } from './lowp.js';
import {
  isBigType, isFloatType, isLowpFloat, isLowpInt,
  type BigArray, type DType, type LowpFloatType, type LowpIntType, type NodeCtx, type NumericArray, type Tensor, type TensorData,
} from './tensor.js';

type Inputs = readonly (Tensor | undefined)[];

/** Cast's attributes; `saturate` (float8 targets, default true) and `roundMode` (float8e8m0, default "up") are optional. */
export interface CastAttrs {
  readonly to: DType;
  readonly saturate?: boolean;
  readonly roundMode?: E8m0RoundMode;
}

export function cast(ctx: NodeCtx, inputs: Inputs, attrs: CastAttrs): Tensor[] {
  return castTo(ctx, inputs[0] as Tensor, attrs.to, attrs.saturate ?? true, attrs.roundMode ?? 'up');
}

/** CastLike: the target type is that of the second input (its values are unused). */
export function castLike(ctx: NodeCtx, inputs: Inputs, attrs?: { readonly saturate?: boolean; readonly roundMode?: E8m0RoundMode }): Tensor[] {
  return castTo(ctx, inputs[0] as Tensor, (inputs[1] as Tensor).type, attrs?.saturate ?? true, attrs?.roundMode ?? 'up');
}

function castTo(ctx: NodeCtx, x: Tensor, to: DType, saturate: boolean, roundMode: E8m0RoundMode): Tensor[] {
  if (x.type === to) {
    ctx.view(0, to, x.dims, x.data);
    return ctx.done(1);
  }
  const out = ctx.alloc(0, to, x.dims);
  convert(x.type, x.data, to, out.data, saturate, roundMode);
  return ctx.done(1);
}

/**
 * Writes `src` (of type `from`) converted into `dst` (of type `to`, same length).
 * `saturate` and `roundMode` only matter for float8 targets (Cast's attributes).
 */
export function convert(from: DType, src: TensorData, to: DType, dst: TensorData, saturate = true, roundMode: E8m0RoundMode = 'up'): void {
  const n = src.length;
  if (to === 'string') {
    const o = dst as string[];
    for (let i = 0; i < n; i++) o[i] = formatValue(from, src[i] as number | bigint | string);
    return;
  }
  if (from === 'string') {
    fromStrings(src as string[], to, dst, saturate, roundMode);
    return;
  }
  if (isLowpFloat(to)) {
    const o = dst as NumericArray;
    if (isBigType(from)) { const a = src as BigArray; for (let i = 0; i < n; i++) o[i] = roundToLowp(to, bigSticky(a[i]), saturate, roundMode); }
    else { const a = src as NumericArray; for (let i = 0; i < n; i++) o[i] = roundToLowp(to, a[i], saturate, roundMode); }
    return;
  }
  if (isLowpInt(to)) {
    const o = dst as NumericArray;
    if (isBigType(from)) { const a = src as BigArray; for (let i = 0; i < n; i++) o[i] = lowBits(to, a[i]); }
    else { const a = src as NumericArray; for (let i = 0; i < n; i++) o[i] = castToLowpInt(to, a[i]); }
    return;
  }
  if (to === 'bool') {
    const o = dst as Uint8Array;
    if (isBigType(from)) { const a = src as BigArray; for (let i = 0; i < n; i++) o[i] = a[i] !== 0n ? 1 : 0; }
    else { const a = src as NumericArray; for (let i = 0; i < n; i++) o[i] = a[i] !== 0 ? 1 : 0; }
    return;
  }
  if (isBigType(to)) {
    const o = dst as BigArray;
    if (isBigType(from)) { const a = src as BigArray; for (let i = 0; i < n; i++) o[i] = a[i]; } // the store wraps
    else if (LITTLE_ENDIAN) numbersToWords(src as NumericArray, o, to === 'int64' && isFloatType(from));
    else { const a = src as NumericArray; for (let i = 0; i < n; i++) o[i] = floatToBig(a[i], to === 'int64'); }
    return;
  }
  const o = dst as NumericArray;
  if (isBigType(from)) {
    if (LITTLE_ENDIAN) wordsToNumbers(src as BigArray, from === 'uint64', to, o);
    else bigToNumbers(src as BigArray, to, o);
  } else if (to === 'int32' && isFloatType(from)) {
    // What x86 (so onnxruntime and numpy) gives for NaN and out-of-range values.
    const a = src as NumericArray;
    for (let i = 0; i < n; i++) { const v = a[i]; o[i] = v > -2147483649 && v < 2147483648 ? v : INT32_MIN; }
  } else if (to === 'float16' && from !== 'float32') {
    // Round once, straight from the source value (a float32 step first could round twice).
    const a = src as NumericArray;
    for (let i = 0; i < n; i++) o[i] = doubleToFloat16(a[i]);
  } else {
    // Typed-array stores do the rest: float→int truncates and wraps, int→int wraps,
    // float64→float32 rounds to nearest-even, float32→float16 is rounded by the caller.
    const a = src as NumericArray;
    for (let i = 0; i < n; i++) o[i] = a[i];
  }
}

// 64-bit integers without a BigInt per element: the BigInt64Array's buffer is
// read and written as (low, high) 32-bit word pairs, which is several times
// faster. Typed arrays use the platform's byte order; the word order below
// assumes little-endian and big-endian platforms take the BigInt path.
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const TWO32 = 4294967296;
const TWO63 = 2 ** 63;
const INT32_MIN = -2147483648;

function words(a: BigArray): Int32Array {
  return new Int32Array(a.buffer, a.byteOffset, a.length * 2);
}

/**
 * Numbers truncated into int64/uint64. With `indefinite` (float → int64) NaN and
 * values out of range give INT64_MIN as on x86; otherwise values wrap and NaN,
 * ±Infinity give 0.
 */
function numbersToWords(a: NumericArray, o: BigArray, indefinite: boolean): void {
  const w = words(o);
  for (let i = 0; i < a.length; i++) {
    const t = Math.trunc(a[i]);
    if (indefinite && !(t >= -TWO63 && t < TWO63)) {
      w[2 * i] = 0;
      w[2 * i + 1] = INT32_MIN;
    } else if (t === t && t !== Infinity && t !== -Infinity) {
      // Exact for every finite integer double: scaling by 2^32 is exact, and the
      // Int32Array stores reduce both words modulo 2^32 (the 64-bit wrap).
      const hi = Math.floor(t / TWO32);
      w[2 * i] = t - hi * TWO32;
      w[2 * i + 1] = hi;
    } else {
      w[2 * i] = 0;
      w[2 * i + 1] = 0;
    }
  }
}

function wordsToNumbers(a: BigArray, unsigned: boolean, to: DType, o: NumericArray): void {
  const w = words(a);
  const n = a.length;
  if (to !== 'float64' && to !== 'float32' && to !== 'float16') {
    // Integers of 32 bits or less keep the low word; the store wraps further.
    for (let i = 0; i < n; i++) o[i] = w[2 * i];
    return;
  }
  for (let i = 0; i < n; i++) {
    const hi = unsigned ? w[2 * i + 1] >>> 0 : w[2 * i + 1];
    const v = hi * TWO32 + (w[2 * i] >>> 0); // one rounding, as Number(bigint)
    if (to === 'float64') o[i] = v;
    else if (to === 'float16') o[i] = doubleToFloat16(v); // beyond 2^53 it is ±Infinity anyway
    else o[i] = v > -9007199254740992 && v < 9007199254740992 ? v : bigToFloat32(a[i]);
  }
}

function floatToBig(v: number, indefinite = false): bigint {
  if (indefinite && !(v >= -TWO63 && v < TWO63)) return -(2n ** 63n);
  return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
}

function bigToNumbers(a: BigArray, to: DType, o: NumericArray): void {
  const n = a.length;
  if (to === 'float64') { for (let i = 0; i < n; i++) o[i] = Number(a[i]); return; }
  if (to === 'float32') { for (let i = 0; i < n; i++) o[i] = bigToFloat32(a[i]); return; }
  if (to === 'float16') { for (let i = 0; i < n; i++) o[i] = doubleToFloat16(Number(a[i])); return; }
  // Integers of 32 bits or less: the low 32 bits, exactly; the store wraps further.
  for (let i = 0; i < n; i++) o[i] = Number(BigInt.asIntN(32, a[i]));
}

/**
 * A 64-bit integer rounded to float32 in one step. Number(v) rounds to 53 bits
 * first, which can land exactly halfway between two float32 values and round
 * again the wrong way; beyond 2^53 the bits below float32's precision are
 * folded into a sticky bit instead.
 */
function bigToFloat32(v: bigint): number {
  return Math.fround(bigSticky(v));
}

/**
 * A 64-bit integer as a double that rounds like it to any precision of 24 bits or
 * less: exact below 2^53; beyond, 24 significant bits, a guard bit and a sticky
 * bit (set when any dropped bit was), so one later rounding is correct.
 */
function bigSticky(v: bigint): number {
  const neg = v < 0n;
  const m = neg ? -v : v;
  if (m < 2n ** 53n) return Number(v);
  const bits = m.toString(2).length;
  const drop = BigInt(bits - 26);
  let kept = m >> drop;
  if ((kept << drop) !== m) kept |= 1n;
  const r = Number(kept) * 2 ** Number(drop); // exact (26 bits)
  return neg ? -r : r;
}

/** The low bits of a 64-bit integer as a sub-byte integer value. */
function lowBits(to: LowpIntType, v: bigint): number {
  return wrapLowpInt(to, Number(BigInt.asIntN(8, v)));
}

/** A double rounded to the nearest float16 value (ties to even), in one step. */
export function doubleToFloat16(v: number): number {
  const a = Math.abs(v);
  if (!(a < 65520)) return a !== a ? v : v < 0 ? -Infinity : Infinity; // NaN, or overflow
  if (a === 0) return v;
  // Quantum of float16 around `a`: 2^(e-10) for normals, 2^-24 for subnormals.
  let e = Math.floor(Math.log2(a));
  if (2 ** e > a) e--;
  else if (2 ** (e + 1) <= a) e++;
  const q = 2 ** (Math.max(e, -14) - 10);
  const s = a / q; // exact: a power-of-two scaling
  let r = Math.floor(s);
  const frac = s - r;
  if (frac > 0.5 || (frac === 0.5 && r % 2 === 1)) r++;
  const h = r * q;
  return v < 0 ? -h : h;
}

// ---------------------------------------------------------------------------
// Strings

const F16_DIGITS = 5, F32_DIGITS = 9;

/** The shortest decimal that reads back as the same value of type `t`. */
function formatValue(t: DType, v: number | bigint | string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'bigint') return v.toString();
  if (t === 'bool') return v ? '1' : '0';
  if (!isFloatType(t)) return String(v);
  if (v !== v) return 'NaN';
  if (v === Infinity) return 'INF';
  if (v === -Infinity) return '-INF';
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  // float8e8m0 values are powers of two and Cast back rounds up: the exact shortest double reads back.
  if (t === 'float64' || t === 'float8e8m0') return String(v);
  const maxDigits = t === 'float16' ? F16_DIGITS : F32_DIGITS; // low-precision floats are float32 values
  const narrow = t === 'float32' ? Math.fround : t === 'float16' ? roundToFloat16
    : (x: number): number => roundToLowp(t as LowpFloatType, x, false);
  for (let p = 1; p < maxDigits; p++) {
    const d = Number(v.toPrecision(p));
    if (narrow(d) === v) return String(d);
  }
  return String(Number(v.toPrecision(maxDigits)));
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
const INTEGER = /^[+-]?\d+$/;
const INF = /^[+-]?inf(inity)?$/i;
const NAN = /^[+-]?nan$/i;

/** A string as a double: decimal/scientific notation or the INF/NaN literals; anything else is NaN. */
export function parseNumber(s: string): number {
  const t = s.trim();
  if (DECIMAL.test(t)) return Number(t);
  if (INF.test(t)) return t[0] === '-' ? -Infinity : Infinity;
  return NaN; // NaN literals, and strings that are not numbers (undefined behaviour in ONNX)
}

/** A string as an integer: exact for integer literals, else the number truncated (NaN gives 0). */
function parseInteger(s: string): bigint {
  const t = s.trim();
  if (INTEGER.test(t)) return BigInt(t);
  return floatToBig(parseNumber(t));
}

function parseBool(s: string): number {
  const t = s.trim().toLowerCase();
  if (t === 'true') return 1;
  if (t === 'false') return 0;
  if (NAN.test(t)) return 1;
  return parseNumber(t) !== 0 ? 1 : 0;
}

function fromStrings(a: string[], to: DType, dst: TensorData, saturate: boolean, roundMode: E8m0RoundMode): void {
  const n = a.length;
  if (isLowpFloat(to)) {
    const o = dst as NumericArray;
    for (let i = 0; i < n; i++) o[i] = roundToLowp(to, parseNumber(a[i]), saturate, roundMode);
  } else if (isLowpInt(to)) {
    const o = dst as NumericArray;
    for (let i = 0; i < n; i++) o[i] = lowBits(to, parseInteger(a[i]));
  } else if (to === 'bool') {
    const o = dst as Uint8Array;
    for (let i = 0; i < n; i++) o[i] = parseBool(a[i]);
  } else if (isBigType(to)) {
    const o = dst as BigArray;
    for (let i = 0; i < n; i++) o[i] = parseInteger(a[i]); // the store wraps
  } else if (isFloatType(to)) {
    const o = dst as NumericArray;
    for (let i = 0; i < n; i++) { const v = parseNumber(a[i]); o[i] = to === 'float16' ? doubleToFloat16(v) : v; }
  } else {
    const o = dst as NumericArray;
    for (let i = 0; i < n; i++) o[i] = Number(BigInt.asIntN(32, parseInteger(a[i])));
  }
}
