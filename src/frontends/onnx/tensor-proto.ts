// TensorProto → runtime Tensor: raw little-endian bytes, the typed repeated
// fields, and tensors stored in external data files beside the model.

import { readFileSync } from 'node:fs';
import { isAbsolute, join, normalize, relative } from 'node:path';
import { float16BitsToArray } from '../../../runtime/tensor/float16.js';
import { lowpFromStorage, perByte, uint16FromBytes } from '../../../runtime/tensor/lowp.js';
import {
  allocData, isLowpFloat, isLowpInt, sizeOf, type DType, type LowpFloatType, type LowpIntType, type Tensor, type TensorData,
} from '../../../runtime/tensor/tensor.js';
import { fail } from '../../diagnostics/diagnostic.js';
import { dtypeOf, typeName } from './dtypes.js';
import { toBigInt, toNumber, type OnnxNs } from './proto.js';

const BYTES: Partial<Record<DType, number>> = {
  float32: 4, float64: 8, float16: 2, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4, int64: 8, uint64: 8, bool: 1,
};

export interface TensorReadOptions {
  /** Directory of the model file, for external data. */
  readonly baseDir?: string;
}

export function tensorFromProto(t: OnnxNs.ITensorProto, opts: TensorReadOptions = {}): Tensor {
  const code = t.dataType ?? 0;
  const type = dtypeOf(code);
  const label = t.name ? `tensor ${JSON.stringify(t.name)}` : 'tensor';
  if (type === undefined) fail('MLC3003', `${label} has element type ${typeName(code)}, which is not supported yet`);
  const dims = (t.dims ?? []).map((d) => toNumber(d));
  if (dims.some((d) => !Number.isInteger(d) || d < 0)) fail('MLC2004', `${label} has invalid dims ${JSON.stringify(dims)}`);
  const n = sizeOf(dims);
  let raw: Uint8Array | undefined = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  if (t.dataLocation === 1) raw = readExternal(t, label, opts.baseDir);
  if (type === 'string') {
    const strings = (t.stringData ?? []).map((b) => new TextDecoder().decode(b));
    if (strings.length !== n) fail('MLC2004', `${label} has ${strings.length} strings but dims ${JSON.stringify(dims)} need ${n}`);
    return { type, dims, data: strings };
  }
  if (isLowpFloat(type) || isLowpInt(type)) return { type, dims, data: lowpData(type, t, raw, n, label) };
  if (raw !== undefined) return { type, dims, data: fromRaw(type, raw, n, label) };
  return { type, dims, data: fromFields(type, t, n, label) };
}

function readExternal(t: OnnxNs.ITensorProto, label: string, baseDir?: string): Uint8Array {
  const entries = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (!location) fail('MLC2004', `${label} is stored externally but names no location`);
  if (baseDir === undefined) fail('MLC1004', `${label} is stored in external file ${JSON.stringify(location)}, but the model was not read from a file`);
  // The ONNX spec requires the location to be relative to the model's directory; refuse escapes.
  const path = normalize(join(baseDir, location));
  if (isAbsolute(location) || relative(baseDir, path).startsWith('..')) {
    fail('MLC1004', `${label}: external data location ${JSON.stringify(location)} leaves the model's directory`);
  }
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    return fail('MLC1004', `${label}: cannot read external data file ${JSON.stringify(location)}: ${(e as Error).message}`);
  }
  const offset = Number(entries.get('offset') ?? '0');
  const length = entries.has('length') ? Number(entries.get('length')) : bytes.length - offset;
  if (!(offset >= 0 && length >= 0 && offset + length <= bytes.length)) {
    fail('MLC1004', `${label}: external data range ${offset}+${length} is outside ${JSON.stringify(location)} (${bytes.length} bytes)`);
  }
  return bytes.subarray(offset, offset + length);
}

/**
 * Low-precision tensors: raw data or int32_data holds bfloat16 as 16-bit patterns,
 * the 8-bit floats one byte per element, 4-bit types two per byte and 2-bit
 * types four per byte (first element in the low bits; int32_data: one byte per entry).
 */
function lowpData(type: LowpFloatType | LowpIntType, t: OnnxNs.ITensorProto, raw: Uint8Array | undefined, n: number, label: string): TensorData {
  const k = perByte(type);
  const units = Math.ceil(n / k); // storage units: bytes, or 16-bit words for bfloat16
  if (raw !== undefined) {
    const want = type === 'bfloat16' ? 2 * n : units;
    if (raw.length !== want) fail('MLC2004', `${label} has ${raw.length} bytes of raw data, expected ${want}`);
    return lowpFromStorage(type, type === 'bfloat16' ? uint16FromBytes(raw, n) : raw, n);
  }
  const src = t.int32Data ?? [];
  if (src.length !== units) {
    fail('MLC2004', `${label} has ${src.length} values but its dims need ${units}${k > 1 ? ` (${k} elements per value)` : ''}`);
  }
  const mask = type === 'bfloat16' ? 0xffff : 0xff;
  const storage = new Array<number>(units);
  for (let i = 0; i < units; i++) storage[i] = toNumber(src[i]) & mask;
  return lowpFromStorage(type, storage, n);
}

function fromRaw(type: DType, raw: Uint8Array, n: number, label: string): TensorData {
  const width = BYTES[type] ?? 1;
  if (raw.length !== n * width) fail('MLC2004', `${label} has ${raw.length} bytes of raw data, expected ${n * width}`);
  const copy = new Uint8Array(raw); // aligned copy
  const buf = copy.buffer;
  switch (type) {
    case 'float32': return new Float32Array(buf, 0, n);
    case 'float64': return new Float64Array(buf, 0, n);
    case 'float16': return float16BitsToArray(new Uint16Array(buf, 0, n));
    case 'int8': return new Int8Array(buf, 0, n);
    case 'uint8': return new Uint8Array(buf, 0, n);
    case 'bool': { const b = new Uint8Array(buf, 0, n); for (let i = 0; i < n; i++) b[i] = b[i] !== 0 ? 1 : 0; return b; }
    case 'int16': return new Int16Array(buf, 0, n);
    case 'uint16': return new Uint16Array(buf, 0, n);
    case 'int32': return new Int32Array(buf, 0, n);
    case 'uint32': return new Uint32Array(buf, 0, n);
    case 'int64': return new BigInt64Array(buf, 0, n);
    case 'uint64': return new BigUint64Array(buf, 0, n);
    default: return fail('MLC3003', `${label}: raw data of type ${type} is not supported`);
  }
}

function fromFields(type: DType, t: OnnxNs.ITensorProto, n: number, label: string): TensorData {
  const out = allocData(type, n);
  let src: ArrayLike<unknown>;
  switch (type) {
    case 'float32': src = t.floatData ?? []; break;
    case 'float64': src = t.doubleData ?? []; break;
    case 'int64': src = t.int64Data ?? []; break;
    case 'uint32': case 'uint64': src = t.uint64Data ?? []; break;
    default: src = t.int32Data ?? []; break; // int8..int32, uint8, uint16, bool, float16 (bits)
  }
  if (src.length !== n) fail('MLC2004', `${label} has ${src.length} values but its dims need ${n}`);
  for (let i = 0; i < n; i++) {
    const v = src[i] as number | { low: number; high: number; unsigned?: boolean };
    if (type === 'int64') (out as BigInt64Array)[i] = BigInt.asIntN(64, toBigInt(v));
    else if (type === 'uint64') (out as BigUint64Array)[i] = BigInt.asUintN(64, toBigInt(v));
    else if (type === 'float16') (out as Float32Array)[i] = float16BitsToArray(new Uint16Array([toNumber(v)]))[0];
    else if (type === 'bool') (out as Uint8Array)[i] = toNumber(v) !== 0 ? 1 : 0;
    else (out as Float64Array)[i] = typeof v === 'number' ? v : toNumber(v);
  }
  return out;
}
