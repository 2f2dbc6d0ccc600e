// ONNX TensorProto.DataType codes and the runtime's element type names.

import type { DType } from '../../../runtime/tensor/tensor.js';

/** ONNX element type code → its lower-case ONNX name (CONTRACT §2 uses these, with float32/float64). */
export const ONNX_TYPE_NAMES: Readonly<Record<number, string>> = {
  1: 'float32', 2: 'uint8', 3: 'int8', 4: 'uint16', 5: 'int16', 6: 'int32', 7: 'int64', 8: 'string', 9: 'bool',
  10: 'float16', 11: 'float64', 12: 'uint32', 13: 'uint64', 14: 'complex64', 15: 'complex128', 16: 'bfloat16',
  17: 'float8e4m3fn', 18: 'float8e4m3fnuz', 19: 'float8e5m2', 20: 'float8e5m2fnuz', 21: 'uint4', 22: 'int4',
  23: 'float4e2m1', 24: 'float8e8m0', 25: 'uint2', 26: 'int2',
};

const SUPPORTED = new Set<string>([
  'float32', 'float64', 'float16', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool', 'string',
  // Low-precision types (runtime/tensor/lowp.ts): ops claim them only where their entries say so.
  'bfloat16', 'float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz', 'float8e8m0', 'float4e2m1',
  'uint4', 'int4', 'uint2', 'int2',
]);

/** The runtime type for an ONNX code, or undefined when the runtime cannot hold it yet. */
export function dtypeOf(code: number): DType | undefined {
  const name = ONNX_TYPE_NAMES[code];
  return name !== undefined && SUPPORTED.has(name) ? (name as DType) : undefined;
}

export function typeName(code: number): string {
  return ONNX_TYPE_NAMES[code] ?? `type code ${code}`;
}

export const DTYPE_CODES: Readonly<Record<DType, number>> = {
  float32: 1, uint8: 2, int8: 3, uint16: 4, int16: 5, int32: 6, int64: 7, string: 8, bool: 9,
  float16: 10, float64: 11, uint32: 12, uint64: 13, bfloat16: 16,
  float8e4m3fn: 17, float8e4m3fnuz: 18, float8e5m2: 19, float8e5m2fnuz: 20, uint4: 21, int4: 22,
  float4e2m1: 23, float8e8m0: 24, uint2: 25, int2: 26,
};
