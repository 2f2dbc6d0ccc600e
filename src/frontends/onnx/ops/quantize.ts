// Linear quantisation: QuantizeLinear, DequantizeLinear, DynamicQuantizeLinear,
// QLinearMatMul and QLinearConv. Kernels: runtime/tensor/quantize.ts.
//
// Version history that matters here:
//   QuantizeLinear   10 per-tensor; 13 axis (per-axis); 19 float16 input, saturate
//                    (float8 only); 21 int16/uint16, block_size, output_dtype;
//                    23 separate scale type, precision; 25 int2/uint2.
//   DequantizeLinear 10 per-tensor; 13 axis; 19 float16 scale sets the output type;
//                    21 int16/uint16, block_size; 23 output_dtype.
//   QLinearMatMul    10; 21 float16 scales (and float8 data).
// Element types by version (T1 input, T2/T3 quantised, scales):
//   19: bfloat16 inputs and scales, float8 (e4m3fn, e4m3fnuz, e5m2, e5m2fnuz);
//   21: + int16/uint16, int4/uint4; 23: + float4e2m1; 25: + int2/uint2.
// QLinearMatMul's float8 data is not supported (its kernel is integer-only).

import * as quantize from '../../../../runtime/tensor/quantize.js';
import type { DType } from '../../../../runtime/tensor/tensor.js';
import { fail } from '../../../diagnostics/diagnostic.js';
import { tensorType, type Dim, type IrType } from '../../../ir/types.js';
import type { AttrReader } from '../attrs.js';
import { dtypeOf, typeName } from '../dtypes.js';
import { kernelsOf, type AnyOpDef, type AttrContext } from './types.js';

const k = kernelsOf('tensor/quantize', quantize);

const Q8: readonly DType[] = ['int8', 'uint8'];
const F8: readonly DType[] = ['float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz'];
/** Quantised types by the opset that added them. */
const Q19: readonly DType[] = [...Q8, ...F8];
const Q21: readonly DType[] = [...Q19, 'int16', 'uint16', 'int4', 'uint4'];
const Q23: readonly DType[] = [...Q21, 'float4e2m1'];
const Q25: readonly DType[] = [...Q23, 'int2', 'uint2'];
const FLOAT_IN_10: readonly DType[] = ['float32', 'int32'];
const FLOAT_IN: readonly DType[] = ['float32', 'float16', 'bfloat16', 'int32'];
const DQ_IN_8: readonly DType[] = ['int8', 'uint8', 'int32'];
const SCALES: readonly DType[] = ['float32', 'float16', 'bfloat16'];

type Shapes = readonly (readonly Dim[] | null)[];
const sameAsFirst = ([x]: Shapes): Shapes => [x];

export const OPS: readonly AnyOpDef[] = [
  quantizeEntry(10, 12, { T1: FLOAT_IN_10, T2: Q8 }, ['T1', 'float32', 'T2']),
  quantizeEntry(13, 18, { T1: FLOAT_IN_10, T2: Q8 }, ['T1', 'float32', 'T2']),
  quantizeEntry(19, 20, { T1: FLOAT_IN, T2: Q19 }, ['T1', 'T1', 'T2']),
  quantizeEntry(21, 22, { T1: FLOAT_IN, T2: Q21 }, ['T1', 'T1', 'T2']),
  quantizeEntry(23, 24, { T1: FLOAT_IN, T2: FLOAT_IN, T3: Q23 }, ['T1', 'T2', 'T3']),
  quantizeEntry(25, undefined, { T1: FLOAT_IN, T2: FLOAT_IN, T3: Q25 }, ['T1', 'T2', 'T3']),

  dequantizeEntry(10, 12, { T: DQ_IN_8 }, ['T', 'float32', 'T']),
  dequantizeEntry(13, 18, { T: DQ_IN_8 }, ['T', 'float32', 'T']),
  dequantizeEntry(19, 20, { T1: [...Q19, 'int32'], T2: SCALES }, ['T1', 'T2', 'T1']),
  dequantizeEntry(21, 22, { T1: [...Q21, 'int32'], T2: SCALES }, ['T1', 'T2', 'T1']),
  dequantizeEntry(23, 24, { T1: [...Q23, 'int32'], T2: SCALES }, ['T1', 'T2', 'T1']),
  dequantizeEntry(25, undefined, { T1: [...Q25, 'int32'], T2: SCALES }, ['T1', 'T2', 'T1']),

  { op: 'DynamicQuantizeLinear', since: 11, kernel: k('dynamicQuantizeLinear'), inputs: ['float32'], outputs: ['uint8', 'float32', 'uint8'],
    shapes: ([x]) => [x, [], []] },

  { op: 'QLinearMatMul', since: 10, until: 20, kernel: k('qlinearMatMul'), constraints: { T1: Q8, T2: Q8, T3: Q8 },
    inputs: ['T1', 'float32', 'T1', 'T2', 'float32', 'T2', 'float32', 'T3'], outputs: ['T3'], shapes: matmulShapes },
  { op: 'QLinearMatMul', since: 21, kernel: k('qlinearMatMul'), constraints: { T1: Q8, T2: Q8, T3: Q8, TS: SCALES },
    inputs: ['T1', 'TS', 'T1', 'T2', 'TS', 'T2', 'TS', 'T3'], outputs: ['T3'], shapes: matmulShapes },

  { op: 'QLinearConv', since: 10, kernel: k('qlinearConv'), constraints: { T1: Q8, T2: Q8, T3: Q8 },
    inputs: ['T1', 'float32', 'T1', 'T2', 'float32', 'T2', 'float32', 'T3', 'int32'], outputs: ['T3'],
    minInputs: 8, maxInputs: 9, attrs: qlinearConvAttrs },
];

// ---------------------------------------------------------------- QuantizeLinear

function quantizeEntry(since: number, until: number | undefined, constraints: Record<string, readonly DType[]>, inputs: string[]): AnyOpDef {
  return {
    op: 'QuantizeLinear', since, until, kernel: k('quantizeLinear'), constraints, inputs, outputs: [inputs[2]],
    minInputs: 2, maxInputs: 3,
    attrs: (a: AttrReader, ctx: AttrContext) => quantizeAttrs(a, ctx),
    outputTypes: (_ctx: AttrContext, attrs: quantize.QuantizeAttrs): IrType[] => [tensorType(attrs.outType, null)],
    shapes: sameAsFirst,
  };
}

function quantizeAttrs(a: AttrReader, ctx: AttrContext): quantize.QuantizeAttrs {
  const v = ctx.opset;
  const zpType = tensorDtype(ctx.inputTypes[2]);
  // saturate only changes float8 outputs; kept in the attributes only when 0.
  const saturate = v >= 19 ? a.int('saturate', 1) !== 0 : true;
  let outType: DType = zpType ?? 'uint8';
  if (v >= 21) {
    const code = a.int('output_dtype', 0);
    if (code !== 0) {
      const t = quantType(code, 'output_dtype', v);
      if (zpType !== undefined && zpType !== t) fail('MLC2003', `attribute "output_dtype" (${t}) does not match y_zero_point's type ${zpType}`);
      outType = t;
    }
  }
  let precision: quantize.Precision | null = null;
  if (v >= 23) {
    const code = a.int('precision', 0);
    if (code !== 0) {
      const t = dtypeOf(code);
      if (t !== 'float32' && t !== 'float16' && t !== 'float64' && t !== 'bfloat16') fail('MLC3005', `precision ${typeName(code)} is not supported`);
      precision = t;
    }
  }
  return {
    axis: v >= 13 ? a.int('axis', 1) : 1,
    blockSize: blockSizeAttr(a, v),
    outType, precision, allowAxis: v >= 13,
    ...(saturate ? {} : { saturate: false }),
  };
}

/** A quantised output type named by code, as the opset allows. */
function quantType(code: number, attr: string, opset: number): DType {
  const t = dtypeOf(code);
  const allowed = opset >= 25 ? Q25 : opset >= 23 ? Q23 : Q21;
  if (t !== undefined && allowed.includes(t)) return t;
  return fail('MLC2003', `attribute "${attr}" must name a quantised type, got ${typeName(code)}`);
}

function blockSizeAttr(a: AttrReader, opset: number): number {
  if (opset < 21) return 0;
  const b = a.int('block_size', 0);
  if (b < 0) fail('MLC2003', `attribute "block_size" must be >= 0, got ${b}`);
  return b;
}

// -------------------------------------------------------------- DequantizeLinear

function dequantizeEntry(since: number, until: number | undefined, constraints: Record<string, readonly DType[]>, inputs: string[]): AnyOpDef {
  return {
    op: 'DequantizeLinear', since, until, kernel: k('dequantizeLinear'), constraints, inputs, outputs: ['*'],
    minInputs: 2, maxInputs: 3,
    attrs: (a: AttrReader, ctx: AttrContext) => dequantizeAttrs(a, ctx),
    outputTypes: (_ctx: AttrContext, attrs: quantize.DequantizeAttrs): IrType[] => [tensorType(attrs.outType, null)],
    shapes: sameAsFirst,
  };
}

function dequantizeAttrs(a: AttrReader, ctx: AttrContext): quantize.DequantizeAttrs {
  const v = ctx.opset;
  let outType: DType = v >= 19 ? (tensorDtype(ctx.inputTypes[1]) ?? 'float32') : 'float32';
  if (v >= 23) {
    const code = a.int('output_dtype', 0);
    if (code !== 0) {
      const t = dtypeOf(code);
      if (t !== 'float32' && t !== 'float16' && t !== 'bfloat16') {
        return fail('MLC2003', `output_dtype ${typeName(code)} is not supported for DequantizeLinear`);
      }
      outType = t;
    }
  }
  return { axis: v >= 13 ? a.int('axis', 1) : 1, blockSize: blockSizeAttr(a, v), outType, allowAxis: v >= 13 };
}

function tensorDtype(t: IrType | undefined): DType | undefined {
  return t !== undefined && t.kind === 'tensor' ? t.dtype : undefined;
}

// ----------------------------------------------------------------- QLinearMatMul

/** numpy matmul shapes: batch axes broadcast; 1-D operands lose their added axis. */
function matmulShapes(shapes: Shapes): Shapes {
  const a = shapes[0], b = shapes[3];
  if (!a || !b || a.length === 0 || b.length === 0) return [null];
  const aB = a.length > 2 ? a.slice(0, -2) : [], bB = b.length > 2 ? b.slice(0, -2) : [];
  const r = Math.max(aB.length, bB.length);
  const batch: Dim[] = [];
  for (let i = 0; i < r; i++) {
    const x = i < r - aB.length ? 1 : aB[i - (r - aB.length)];
    const y = i < r - bB.length ? 1 : bB[i - (r - bB.length)];
    batch.push(x === 1 ? y : y === 1 ? x : x === y ? x : null);
  }
  return [[...batch, ...(a.length > 1 ? [a[a.length - 2]] : []), ...(b.length > 1 ? [b[b.length - 1]] : [])]];
}

// ------------------------------------------------------------------- QLinearConv

function qlinearConvAttrs(a: AttrReader): quantize.QLinearConvAttrs {
  const autoPad = a.string('auto_pad', 'NOTSET');
  if (autoPad !== 'NOTSET' && autoPad !== 'VALID' && autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER') {
    fail('MLC2003', `attribute "auto_pad" must be NOTSET, VALID, SAME_UPPER or SAME_LOWER, got ${JSON.stringify(autoPad)}`);
  }
  const group = a.int('group', 1);
  if (group < 1) fail('MLC2003', `attribute "group" must be >= 1, got ${group}`);
  const positive = (name: string): number[] => {
    const v = a.ints(name, []);
    if (v.some((x) => x < 1)) fail('MLC2003', `attribute "${name}" must hold positive values`);
    return v;
  };
  const pads = a.ints('pads', []);
  if (pads.some((p) => p < 0)) fail('MLC2003', 'attribute "pads" must hold non-negative values');
  return { autoPad, dilations: positive('dilations'), group, kernelShape: positive('kernel_shape'), pads, strides: positive('strides') };
}
