// JSON tensor data ⇄ the generated module's public tensors (CONTRACT §2: `{ type,
// dims, data }` with typed-array data). Requests are converted once, straight into
// the typed array the module reads; responses once, into plain JSON arrays.

import { float16BitsToFloat, float32ToFloat16Bits } from '../tensor/float16.js';
import { lowpBitsToFloat } from '../tensor/lowp.js';
import { isLowpFloat, type DType } from '../tensor/tensor.js';
import { serverError } from './errors.js';

/**
 * The Open Inference Protocol's datatype name for each element type ("Tensor Data
 * Types"), plus BF16 (as KServe and Triton spell it). Other element types of the
 * runtime (float8, int4...) have no protocol name; they use their own name in
 * upper case (FLOAT8E4M3FN, INT4), with elements written as JSON numbers.
 */
const DATATYPES: Readonly<Record<string, string>> = {
  float32: 'FP32', float64: 'FP64', float16: 'FP16', bfloat16: 'BF16',
  int8: 'INT8', uint8: 'UINT8', int16: 'INT16', uint16: 'UINT16', int32: 'INT32', uint32: 'UINT32',
  int64: 'INT64', uint64: 'UINT64', bool: 'BOOL', string: 'BYTES',
};

/** The protocol datatype of an element type. */
export function datatypeOf(dtype: string): string {
  return DATATYPES[dtype] ?? dtype.toUpperCase();
}

/** The datatypes the protocol defines (for messages). */
export const PROTOCOL_DATATYPES: readonly string[] = Object.values(DATATYPES);

/** Element type names are plain words; anything else in FieldSpec.type is a sequence, map or optional. */
export function isElementType(type: string): type is DType {
  return /^[a-z][a-z0-9]*$/.test(type);
}

export type PublicData =
  | Float32Array | Float64Array | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array
  | BigInt64Array | BigUint64Array | string[];

/** A tensor in the module's public form (float16 as Uint16Array bits, bool as 0/1 bytes). */
export interface PublicTensor {
  type: DType;
  dims: number[];
  data: PublicData;
}

/** Deepest nesting accepted in tensor data: far above any real tensor rank, and keeps the walk shallow. */
export const MAX_RANK = 32;

const INT_RANGE: Readonly<Record<string, readonly [number, number]>> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535],
  int32: [-2147483648, 2147483647], uint32: [0, 4294967295],
};

function describe(v: unknown): string {
  if (v === undefined) return 'undefined';
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? `${s.slice(0, 37)}...` : s;
}

/** Names a tensor in messages (`input "x"`), or names element i itself. */
export type Label = string | ((i: number) => string);

function badElement(label: Label, i: number, v: unknown, dtype: DType, want: string): never {
  const where = typeof label === 'string' ? `${label}: element ${i}` : label(i);
  return serverError('MLS_ERR_BAD_TENSOR_DATA', `${where} is ${describe(v)}, not ${want} (${datatypeOf(dtype)})`);
}

/**
 * Floats also accept what JSON cannot spell as a number: `null` (a missing value,
 * as pandas writes NaN) and the strings "NaN", "Infinity", "-Infinity".
 */
function floatOf(v: unknown, label: Label, i: number, dtype: DType): number {
  if (typeof v === 'number') return v;
  if (v === null) return NaN;
  if (typeof v === 'string') {
    const s = v.trim().toLowerCase();
    if (s === 'nan') return NaN;
    if (s === 'infinity' || s === 'inf' || s === '+infinity' || s === '+inf') return Infinity;
    if (s === '-infinity' || s === '-inf') return -Infinity;
  }
  return badElement(label, i, v, dtype, 'a number');
}

function bigOf(v: unknown, label: Label, i: number, dtype: DType): bigint {
  let b: bigint;
  if (typeof v === 'number' && Number.isInteger(v)) b = BigInt(v);
  else if (typeof v === 'string' && /^[+-]?\d{1,20}$/.test(v)) b = BigInt(v);
  else return badElement(label, i, v, dtype, 'an integer');
  const wrapped = dtype === 'int64' ? BigInt.asIntN(64, b) : BigInt.asUintN(64, b);
  if (wrapped !== b) badElement(label, i, v, dtype, `an integer in the range of ${dtype}`);
  return b;
}

/** Converts flat JSON elements into the public typed array of `dtype`. */
export function encodeElements(values: readonly unknown[], dtype: DType, label: Label): PublicData | number[] {
  const n = values.length;
  switch (dtype) {
    case 'float32': case 'float64': {
      const out = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        out[i] = typeof v === 'number' ? v : floatOf(v, label, i, dtype);
      }
      return out;
    }
    case 'float16': {
      const out = new Uint16Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        out[i] = float32ToFloat16Bits(typeof v === 'number' ? v : floatOf(v, label, i, dtype));
      }
      return out;
    }
    case 'int8': case 'uint8': case 'int16': case 'uint16': case 'int32': case 'uint32': {
      const [lo, hi] = INT_RANGE[dtype];
      const out = dtype === 'int8' ? new Int8Array(n) : dtype === 'uint8' ? new Uint8Array(n) : dtype === 'int16' ? new Int16Array(n)
        : dtype === 'uint16' ? new Uint16Array(n) : dtype === 'int32' ? new Int32Array(n) : new Uint32Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (typeof v !== 'number' || !Number.isInteger(v)) badElement(label, i, v, dtype, 'an integer');
        if (v < lo || v > hi) badElement(label, i, v, dtype, `an integer in [${lo}, ${hi}]`);
        out[i] = v;
      }
      return out;
    }
    case 'int64': case 'uint64': {
      const out = dtype === 'int64' ? new BigInt64Array(n) : new BigUint64Array(n);
      for (let i = 0; i < n; i++) out[i] = bigOf(values[i], label, i, dtype);
      return out;
    }
    case 'bool': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (v === true || v === 1) out[i] = 1;
        else if (v === false || v === 0) out[i] = 0;
        else badElement(label, i, v, dtype, 'a boolean');
      }
      return out;
    }
    case 'string': {
      const out = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        if (typeof v !== 'string') badElement(label, i, v, dtype, 'a string');
        out[i] = v;
      }
      return out;
    }
    default: {
      // Low-precision types: plain numbers, which the module rounds (floats) or range-checks (int4...).
      const out = new Array<number>(n);
      for (let i = 0; i < n; i++) {
        const v = values[i];
        out[i] = typeof v === 'number' ? v : floatOf(v, label, i, dtype);
      }
      return out;
    }
  }
}

/** The shape of nested JSON arrays, following first elements (checked later by `flattenData`). */
export function inferShape(value: unknown, label: string): number[] {
  const shape: number[] = [];
  let v = value;
  while (Array.isArray(v)) {
    if (shape.length === MAX_RANK) serverError('MLS_ERR_BAD_TENSOR_DATA', `${label}: data is nested deeper than ${MAX_RANK} levels`);
    shape.push(v.length);
    v = v[0];
  }
  return shape;
}

export function elementCount(shape: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < shape.length; i++) n *= shape[i];
  return n;
}

/**
 * Row-major elements of `data` for a tensor of `shape`. Data may be flat (exactly
 * `elementCount(shape)` scalars) or nested exactly like the shape.
 */
export function flattenData(data: readonly unknown[], shape: readonly number[], label: string): readonly unknown[] {
  const count = elementCount(shape);
  if (data.length === 0 || !Array.isArray(data[0])) {
    if (data.length !== count) {
      serverError('MLS_ERR_BAD_TENSOR_DATA', `${label} has ${data.length} elements, shape ${JSON.stringify(shape)} needs ${count}`);
    }
    return data;
  }
  if (shape.length < 2) serverError('MLS_ERR_BAD_TENSOR_DATA', `${label}: data is nested but shape ${JSON.stringify(shape)} has rank ${shape.length}`);
  const out: unknown[] = [];
  const walk = (v: readonly unknown[], depth: number, path: string): void => {
    if (v.length !== shape[depth]) {
      serverError('MLS_ERR_BAD_TENSOR_DATA', `${label}: data${path} has ${v.length} entries, shape ${JSON.stringify(shape)} needs ${shape[depth]}`);
    }
    if (depth === shape.length - 1) {
      for (let i = 0; i < v.length; i++) {
        const x = v[i];
        if (Array.isArray(x)) serverError('MLS_ERR_BAD_TENSOR_DATA', `${label}: data${path}[${i}] is nested deeper than shape ${JSON.stringify(shape)}`);
        out.push(x);
      }
      return;
    }
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (!Array.isArray(x)) serverError('MLS_ERR_BAD_TENSOR_DATA', `${label}: data${path}[${i}] is not an array, shape ${JSON.stringify(shape)} needs rank ${shape.length}`);
      walk(x, depth + 1, `${path}[${i}]`);
    }
  };
  walk(data, 0, '');
  return out;
}

/** Elements of a public tensor as JSON values (float16 bits decoded, 64-bit integers as numbers, bools as booleans). */
export function jsonElements(t: { type: string; data: ArrayLike<unknown> }): unknown[] {
  const d = t.data;
  const n = d.length;
  const out = new Array<unknown>(n);
  switch (t.type) {
    case 'float16': for (let i = 0; i < n; i++) out[i] = float16BitsToFloat(d[i] as number); break;
    case 'int64': case 'uint64': for (let i = 0; i < n; i++) out[i] = Number(d[i] as bigint); break;
    case 'bool': for (let i = 0; i < n; i++) out[i] = d[i] === true || d[i] === 1; break;
    default: {
      const type = t.type as DType;
      // Low-precision floats leave the module as bit patterns (CONTRACT §2, like float16).
      if (isLowpFloat(type)) for (let i = 0; i < n; i++) out[i] = lowpBitsToFloat(type, d[i] as number);
      else for (let i = 0; i < n; i++) out[i] = d[i];
      break;
    }
  }
  return out;
}

/** Nests flat elements `[offset, offset + elementCount(shape))` into arrays shaped like `shape` (a scalar for rank 0). */
export function nestElements(flat: readonly unknown[], shape: readonly number[], offset = 0): unknown {
  if (shape.length === 0) return flat[offset];
  const build = (depth: number, start: number): unknown[] => {
    const len = shape[depth];
    const out = new Array<unknown>(len);
    if (depth === shape.length - 1) {
      for (let i = 0; i < len; i++) out[i] = flat[start + i];
      return out;
    }
    const stride = elementCount(shape.slice(depth + 1));
    for (let i = 0; i < len; i++) out[i] = build(depth + 1, start + i * stride);
    return out;
  };
  return build(0, offset);
}

export function isTensorLike(v: unknown): v is { type: unknown; dims: unknown; data: unknown } {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'dims' in v && 'data' in v;
}

function isPublicTensor(v: unknown): v is { type: string; dims: number[]; data: ArrayLike<unknown> } {
  return isTensorLike(v) && typeof v.type === 'string' && Array.isArray(v.dims);
}

/**
 * Any module output as plain JSON: tensors as nested arrays, sequences as arrays,
 * maps as objects, an absent optional as null.
 */
export function toJsonValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v instanceof Map) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of v) o[String(k)] = toJsonValue(x);
    return o;
  }
  if (isPublicTensor(v)) return nestElements(jsonElements(v), v.dims);
  if (typeof v === 'bigint') return Number(v);
  return v;
}
