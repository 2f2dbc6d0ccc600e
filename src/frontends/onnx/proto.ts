// Access to the ONNX protobuf schema (onnx-proto, a CommonJS package) and the
// small conversions every reader of it needs: int64 fields arrive as Long objects.

import { createRequire } from 'node:module';
import type { onnx as OnnxNs } from 'onnx-proto';

const require = createRequire(import.meta.url);
export const onnx: typeof OnnxNs = (require('onnx-proto') as { onnx: typeof OnnxNs }).onnx;
export type { OnnxNs };

interface ReaderProto { buf: Uint8Array; pos: number; len: number; int64(): unknown }
const reader = (require('protobufjs/minimal') as { Reader: { prototype: ReaderProto } }).Reader.prototype;
const longInt64 = reader.int64;
/**
 * protobufjs reads every int64 as a Long object: millions of them for a large tree
 * ensemble's node ids (most of the decoding time). Varints of up to 7 bytes (below
 * 2^49, never negative) are read here as plain numbers; longer ones (large or negative
 * values) still come back as Long. Readers of int64 fields go through toNumber/toBigInt
 * below, which take both.
 */
reader.int64 = function readInt64(this: ReaderProto): unknown {
  const buf = this.buf, end = this.len;
  let pos = this.pos, value = 0, scale = 1;
  for (let i = 0; i < 7 && pos < end; i++) {
    const b = buf[pos++];
    value += (b & 127) * scale;
    if (b < 128) {
      this.pos = pos;
      return value;
    }
    scale *= 128;
  }
  return longInt64.call(this);
};

interface LongLike { low: number; high: number; unsigned?: boolean }

/** An int64 protobuf field as a bigint (exact). */
export function toBigInt(v: number | LongLike | null | undefined): bigint {
  if (v === null || v === undefined) return 0n;
  if (typeof v === 'number') return BigInt(v);
  const big = (BigInt(v.high >>> 0) << 32n) | BigInt(v.low >>> 0);
  return v.unsigned ? big : BigInt.asIntN(64, big);
}

/** An int64 protobuf field as a number (dims, opset versions, attribute ints). */
export function toNumber(v: number | LongLike | null | undefined): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  // Fast paths for values that fit 32 bits (almost all dims, ids and attributes).
  if (v.high === 0) return v.low >>> 0;
  if (v.high === -1 && v.low < 0 && !v.unsigned) return v.low;
  return Number(toBigInt(v));
}
