// SequenceProto and OptionalProto (onnx-ml.proto) decoding: onnx-proto's schema
// predates them. Values decode to the public representation of CONTRACT §2:
// a sequence is an array, an absent optional is null.

import { createRequire } from 'node:module';
import type { Tensor } from '../../../runtime/tensor/tensor.js';
import { fail } from '../../diagnostics/diagnostic.js';
import { onnx } from './proto.js';
import { tensorFromProto } from './tensor-proto.js';

interface Reader {
  pos: number;
  len: number;
  uint32(): number;
  int32(): number;
  string(): string;
  skipType(wireType: number): void;
}
const require = createRequire(import.meta.url);
const protobuf = require('protobufjs/minimal') as { Reader: { create(buf: Uint8Array): Reader } };

export type ContainerValue = Tensor | ContainerValue[] | null;

function decodeTensorAt(r: Reader): Tensor {
  const len = r.uint32();
  const t = onnx.TensorProto.decode(r as never, len);
  return tensorFromProto(t);
}

/** Decodes a SequenceProto (kind 'sequence') or OptionalProto (kind 'optional'). */
export function decodeContainer(bytes: Uint8Array, kind: 'sequence' | 'optional'): ContainerValue {
  const r = protobuf.Reader.create(bytes);
  return kind === 'sequence' ? readSequence(r, r.len) : readOptional(r, r.len);
}

function readSequence(r: Reader, end: number): ContainerValue[] {
  const items: ContainerValue[] = [];
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 3) items.push(decodeTensorAt(r));
    else if (field === 5) { const len = r.uint32(); items.push(readSequence(r, r.pos + len)); }
    else if (field === 7) { const len = r.uint32(); items.push(readOptional(r, r.pos + len)); }
    else if (field === 4 || field === 6) fail('MLC3004', 'sequences of sparse tensors or maps are not supported');
    else r.skipType(tag & 7);
  }
  return items;
}

function readOptional(r: Reader, end: number): ContainerValue {
  let value: ContainerValue = null;
  while (r.pos < end) {
    const tag = r.uint32();
    const field = tag >>> 3;
    if (field === 3) value = decodeTensorAt(r);
    else if (field === 5) { const len = r.uint32(); value = readSequence(r, r.pos + len); }
    else if (field === 7) { const len = r.uint32(); value = readOptional(r, r.pos + len); }
    else if (field === 4 || field === 6) fail('MLC3004', 'optionals of sparse tensors or maps are not supported');
    else r.skipType(tag & 7);
  }
  return value;
}
