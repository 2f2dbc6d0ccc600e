// Decode: bytes → the ONNX ModelProto document tree (onnx-proto).

import { readFileSync } from 'node:fs';
import { fail } from '../../diagnostics/diagnostic.js';
import { onnx, type OnnxNs } from './proto.js';

export function decodeOnnx(bytes: Uint8Array): OnnxNs.ModelProto {
  let model: OnnxNs.ModelProto;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (e) {
    return fail('MLC1003', `cannot decode the ONNX protobuf: ${(e as Error).message}`);
  }
  if (!model.graph) fail('MLC2001', 'the ONNX model has no graph (is this really an ONNX model?)');
  return model;
}

export function readOnnxFile(path: string): OnnxNs.ModelProto {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (e) {
    return fail('MLC1001', `cannot read ${path}: ${(e as Error).message}`);
  }
  return decodeOnnx(bytes);
}
