// Conversions at the generated module's boundary: user feeds in, results out.
// The public representation follows CONTRACT §2 (onnxruntime's tensor shape);
// the internal one is described in runtime/tensor/tensor.ts.

import { decodeBase64 } from './base64.js';
import { markConstant } from '../tensor/constant-data.js';
import { arrayToFloat16Bits, float16BitsToArray, roundToFloat16 } from '../tensor/float16.js';
import {
  LOWP_INT_RANGES, arrayToLowpBits, lowpBitsToArray, lowpFromStorage, roundToLowp, uint16FromBytes,
} from '../tensor/lowp.js';
import {
  RuntimeError, allocData, isLowpFloat, isLowpInt, sizeOf, type DType, type Tensor, type TensorData,
} from '../tensor/tensor.js';

/** A tensor as users pass it: typed array or plain array data. */
export interface TensorLike {
  type: string;
  dims: readonly number[];
  data: ArrayLike<unknown>;
}

function inputError(message: string): never {
  throw new RuntimeError('MLR_ERR_BAD_INPUT', message);
}

/**
 * Decodes an embedded constant: base64 of little-endian element bytes in the
 * public encoding; low-precision types as in ONNX (bfloat16 and float8 bit
 * patterns, 4-bit and 2-bit types packed, first element in the low bits).
 */
export function constTensor(type: DType, dims: number[], base64: string): Tensor {
  const bytes = decodeBase64(base64);
  const n = sizeOf(dims);
  if (isLowpFloat(type) || isLowpInt(type)) {
    return { type, dims, data: lowpFromStorage(type, type === 'bfloat16' ? uint16FromBytes(bytes, n) : bytes, n) };
  }
  let data: TensorData;
  const buf = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  switch (type) {
    case 'float32': data = new Float32Array(buf, 0, n); break;
    case 'float64': data = new Float64Array(buf, 0, n); break;
    case 'float16': data = float16BitsToArray(new Uint16Array(buf, 0, n)); break;
    case 'int8': data = new Int8Array(buf, 0, n); break;
    case 'uint8': case 'bool': data = new Uint8Array(buf, 0, n); break;
    case 'int16': data = new Int16Array(buf, 0, n); break;
    case 'uint16': data = new Uint16Array(buf, 0, n); break;
    case 'int32': data = new Int32Array(buf, 0, n); break;
    case 'uint32': data = new Uint32Array(buf, 0, n); break;
    case 'int64': data = new BigInt64Array(buf, 0, n); break;
    case 'uint64': data = new BigUint64Array(buf, 0, n); break;
    case 'string': throw new RuntimeError('MLR_ERR_INTERNAL', 'string constants are embedded as arrays');
    default: throw new RuntimeError('MLR_ERR_INTERNAL', `no constant encoding for type ${type}`);
  }
  markConstant(data);
  return { type, dims, data };
}

export function stringTensor(dims: number[], values: string[]): Tensor {
  return { type: 'string', dims, data: values };
}

/** Fills internal storage from a plain JavaScript array. */
function fromPlain(type: DType, values: ArrayLike<unknown>, name: string): TensorData {
  const n = values.length;
  const out = allocData(type, n);
  const lowFloat = isLowpFloat(type) ? type : null, lowInt = isLowpInt(type) ? type : null;
  for (let i = 0; i < n; i++) {
    const v = values[i];
    if (type === 'string') {
      if (typeof v !== 'string') inputError(`input "${name}": element ${i} is not a string`);
      (out as string[])[i] = v;
    } else if (type === 'int64' || type === 'uint64') {
      let b: bigint;
      if (typeof v === 'bigint') b = v;
      else if (typeof v === 'number' && Number.isInteger(v)) b = BigInt(v);
      else return inputError(`input "${name}": element ${i} is not an integer`);
      (out as BigInt64Array)[i] = type === 'int64' ? BigInt.asIntN(64, b) : BigInt.asUintN(64, b);
    } else {
      let x: number;
      if (typeof v === 'number') x = v;
      else if (typeof v === 'boolean') x = v ? 1 : 0;
      else if (typeof v === 'bigint') x = Number(v);
      else return inputError(`input "${name}": element ${i} is not a number`);
      if (lowFloat !== null) x = roundToLowp(lowFloat, x); // as Cast with its defaults
      else if (lowInt !== null) checkLowpInt(lowInt, x, name, i);
      (out as Float64Array)[i] = type === 'float16' ? roundToFloat16(x) : type === 'bool' ? (x !== 0 ? 1 : 0) : x;
    }
  }
  return out;
}

/** Values of int4/uint4/int2/uint2 must lie in the type's range. */
function checkLowpInt(type: 'int4' | 'uint4' | 'int2' | 'uint2', x: number, name: string, i: number): void {
  const [lo, hi] = LOWP_INT_RANGES[type];
  if (!(Number.isInteger(x) && x >= lo && x <= hi)) inputError(`input "${name}": element ${i} (${String(x)}) is not a ${type} value (an integer in [${lo}, ${hi}])`);
}

const TYPED_FOR: Record<string, string> = {
  float32: 'Float32Array', float64: 'Float64Array', float16: 'Uint16Array', int8: 'Int8Array', uint8: 'Uint8Array',
  int16: 'Int16Array', uint16: 'Uint16Array', int32: 'Int32Array', uint32: 'Uint32Array', int64: 'BigInt64Array',
  uint64: 'BigUint64Array', bool: 'Uint8Array',
  // Low-precision types (README "Low-precision element types"): float bit patterns, integer values.
  bfloat16: 'Uint16Array', float8e4m3fn: 'Uint8Array', float8e4m3fnuz: 'Uint8Array', float8e5m2: 'Uint8Array',
  float8e5m2fnuz: 'Uint8Array', float8e8m0: 'Uint8Array', float4e2m1: 'Uint8Array',
  int4: 'Int8Array', uint4: 'Uint8Array', int2: 'Int8Array', uint2: 'Uint8Array',
};

/** Types whose public typed array is also their internal storage (no conversion on input). */
const DIRECT_FOR: Partial<Record<DType, abstract new (n: number) => ArrayLike<unknown>>> = {
  float32: Float32Array, float64: Float64Array, int8: Int8Array, uint8: Uint8Array, int16: Int16Array,
  uint16: Uint16Array, int32: Int32Array, uint32: Uint32Array, int64: BigInt64Array, uint64: BigUint64Array,
  bool: Uint8Array,
};

function typedName(a: unknown): string {
  return Object.prototype.toString.call(a).slice(8, -1);
}

/**
 * Checks one user feed against the declared input and converts it to the internal
 * representation. `dims` entries that are strings (symbolic) or -1 accept any size.
 */
export function readFeed(value: unknown, name: string, type: DType, dims: readonly (number | string)[]): Tensor {
  if (value === null || typeof value !== 'object') inputError(`input "${name}" is missing or not a tensor`);
  const t = value as TensorLike;
  if (t.type !== type) inputError(`input "${name}" must have type ${type}, got ${String(t.type)}`);
  if (!Array.isArray(t.dims)) inputError(`input "${name}" has no dims array`);
  if (t.dims.length !== dims.length) inputError(`input "${name}" must have rank ${dims.length}, got ${t.dims.length}`);
  for (let i = 0; i < dims.length; i++) {
    const d = t.dims[i];
    if (!Number.isInteger(d) || d < 0) inputError(`input "${name}": dim ${i} is not a non-negative integer`);
    const want = dims[i];
    if (typeof want === 'number' && want >= 0 && want !== d) {
      inputError(`input "${name}": dim ${i} must be ${want}, got ${d}`);
    }
  }
  const n = sizeOf(t.dims);
  const data = t.data;
  if (data === null || typeof data !== 'object' || typeof data.length !== 'number') inputError(`input "${name}" has no data`);
  if (data.length !== n) inputError(`input "${name}" has ${data.length} elements, dims ${JSON.stringify(t.dims)} need ${n}`);
  // The common case first: the typed array the type is held in internally, used as is
  // (instanceof is much cheaper than the tag lookup typedName makes).
  const direct = DIRECT_FOR[type];
  if (direct !== undefined && data instanceof direct) return { type, dims: t.dims.slice(), data: data as unknown as TensorData };
  let internal: TensorData;
  const kind = typedName(data);
  if (kind === 'Array') internal = fromPlain(type, data, name);
  else if (kind === TYPED_FOR[type]) {
    if (type === 'float16') internal = float16BitsToArray(data as Uint16Array);
    else if (isLowpFloat(type)) {
      const bits = data as Uint8Array | Uint16Array;
      if (type === 'float4e2m1') {
        for (let i = 0; i < n; i++) if (bits[i] > 15) inputError(`input "${name}": element ${i} (${bits[i]}) is not a float4e2m1 bit pattern (0 to 15)`);
      }
      internal = lowpBitsToArray(type, bits);
    } else if (isLowpInt(type)) {
      const vals = data as Int8Array | Uint8Array;
      for (let i = 0; i < n; i++) checkLowpInt(type, vals[i], name, i);
      internal = vals;
    } else internal = data as TensorData;
  } else return inputError(`input "${name}": data for type ${type} must be ${TYPED_FOR[type] ?? 'an array'} or a plain array, got ${kind}`);
  return { type, dims: t.dims.slice(), data: internal };
}

/** Copies an internal tensor into its public representation (the caller owns the result). */
export function writeResult(t: Tensor): { type: DType; dims: number[]; data: TensorData } {
  let data: TensorData;
  if (t.type === 'float16') data = arrayToFloat16Bits(t.data as Float32Array);
  else if (isLowpFloat(t.type)) data = arrayToLowpBits(t.type, t.data as Float32Array);
  else if (Array.isArray(t.data)) data = t.data.slice();
  else data = copyTyped(t.type, t.data);
  return { type: t.type, dims: t.dims.slice(), data };
}

/**
 * A copy of a typed array as the type's own array (never a subclass such as Buffer,
 * whose slice() would share memory). Small results (one row's scores, labels) are the
 * common case per call: a loop beats slice() and set() there by about two to one.
 */
function copyTyped(type: DType, src: Exclude<TensorData, string[]>): TensorData {
  const n = src.length;
  const out = allocData(type, n) as typeof src;
  if (n > 16) (out as Float64Array).set(src as Float64Array);
  else for (let i = 0; i < n; i++) out[i] = src[i];
  return out;
}

/** The declared type of a non-tensor graph input (sequences and optionals, CONTRACT §2). */
export type ValueSpec =
  | { readonly kind: 'tensor'; readonly type: DType | null; readonly dims: readonly number[] | null }
  | { readonly kind: 'sequence'; readonly elem: ValueSpec }
  | { readonly kind: 'optional'; readonly elem: ValueSpec }
  /** ONNX maps (ai.onnx.ml): keys are strings or integers, values scalars (number or string). */
  | { readonly kind: 'map'; readonly keys: 'string' | 'number'; readonly values: 'string' | 'number' };

/** Map keys: strings, or integers as JavaScript numbers (int64 keys beyond 2^53 are not representable). */
export type MapValue = Map<string | number, number | string>;

/** A value in the internal representation: a tensor, a sequence (array), a map, or an absent optional (null). */
export type Value = Tensor | Value[] | MapValue | null;

/** Reads a sequence (array) or optional (null for absent) input. */
export function readValue(value: unknown, name: string, spec: ValueSpec): Value {
  switch (spec.kind) {
    case 'optional':
      return value === null || value === undefined ? null : readValue(value, name, spec.elem);
    case 'sequence': {
      if (!Array.isArray(value)) inputError(`input "${name}" must be an array (a sequence)`);
      return value.map((v, i) => readValue(v, `${name}[${i}]`, spec.elem));
    }
    case 'map':
      return readMap(value, name, spec.keys, spec.values);
    case 'tensor': {
      const t = value as TensorLike;
      const type = spec.type ?? (t && (t.type as DType));
      const dims = spec.dims ?? (t && Array.isArray(t.dims) ? t.dims.map(() => -1) : []);
      return readFeed(value, name, type, dims);
    }
  }
}

/** Accepts a Map or a plain object; checks key and value kinds. */
function readMap(value: unknown, name: string, keys: 'string' | 'number', values: 'string' | 'number'): MapValue {
  let entries: [unknown, unknown][];
  if (value instanceof Map) entries = [...value.entries()];
  else if (value !== null && typeof value === 'object' && !Array.isArray(value)) entries = Object.entries(value);
  else return inputError(`input "${name}" must be a Map or an object (a map)`);
  const out: MapValue = new Map();
  for (const [k, v] of entries) {
    let key: string | number;
    if (keys === 'string') key = String(k);
    else {
      key = typeof k === 'bigint' ? Number(k) : typeof k === 'string' ? Number(k) : (k as number);
      if (!Number.isInteger(key)) inputError(`input "${name}": map key ${JSON.stringify(String(k))} is not an integer`);
    }
    if (values === 'number') {
      const x = typeof v === 'bigint' ? Number(v) : v;
      if (typeof x !== 'number') inputError(`input "${name}": map value for key ${JSON.stringify(String(k))} is not a number`);
      out.set(key, x);
    } else {
      if (typeof v !== 'string') inputError(`input "${name}": map value for key ${JSON.stringify(String(k))} is not a string`);
      out.set(key, v);
    }
  }
  return out;
}

/** Copies any internal value into its public representation. */
export function writeValue(v: Value | undefined): unknown {
  if (v === null || v === undefined) return null;
  if (Array.isArray(v)) return v.map(writeValue);
  if (v instanceof Map) return new Map(v);
  return writeResult(v);
}
