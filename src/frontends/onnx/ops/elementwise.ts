// Elementwise ops: arithmetic, math functions, comparisons, logic, bitwise ops,
// Where, Cast/CastLike. Kernels: runtime/tensor/elementwise.ts (binary,
// variadic, Where), elementwise-unary.ts and cast.ts.

import * as castKernels from '../../../../runtime/tensor/cast.js';
import type { E8m0RoundMode } from '../../../../runtime/tensor/lowp.js';
import * as binaryKernels from '../../../../runtime/tensor/elementwise.js';
import type { LegacyBroadcast } from '../../../../runtime/tensor/elementwise.js';
import * as unaryKernels from '../../../../runtime/tensor/elementwise-unary.js';
import { ALL_TYPES, EVERY_TYPE, FLOAT_TYPES, INT_TYPES, NUMERIC_TYPES, type DType } from '../../../../runtime/tensor/tensor.js';
import { fail } from '../../../diagnostics/diagnostic.js';
import { UNKNOWN, tensorType, type Dim, type IrType } from '../../../ir/types.js';
import type { AttrReader } from '../attrs.js';
import { dtypeOf, typeName, ONNX_TYPE_NAMES } from '../dtypes.js';
import { kernelsOf, type AnyOpDef, type AttrContext, type OpDef } from './types.js';

const kb = kernelsOf('tensor/elementwise', binaryKernels);
const ku = kernelsOf('tensor/elementwise-unary', unaryKernels);
const kc = kernelsOf('tensor/cast', castKernels);

const NUMERIC = NUMERIC_TYPES;
/** Add/Sub/Mul/Div-13 added bfloat16 (plain float arithmetic, rounded by the caller). */
const ARITH: readonly DType[] = [...NUMERIC_TYPES, 'bfloat16'];
const FLOATS = FLOAT_TYPES;
const SIGNED: readonly DType[] = [...FLOAT_TYPES, 'int8', 'int16', 'int32', 'int64'];
const UNSIGNED: readonly DType[] = ['uint8', 'uint16', 'uint32', 'uint64'];
const BOOL: readonly DType[] = ['bool'];

// ---------------------------------------------------------------------------
// Static shapes

/** Numpy broadcasting of static/symbolic dims; null (unknown) where it cannot tell. */
export function broadcastDims(...shapes: readonly (readonly Dim[] | null)[]): Dim[] | null {
  if (shapes.some((s) => s === null)) return null;
  const ss = shapes as readonly (readonly Dim[])[];
  const rank = Math.max(0, ...ss.map((s) => s.length));
  const out: Dim[] = [];
  for (let i = 0; i < rank; i++) {
    let d: Dim = 1;
    for (const s of ss) {
      const e = s[s.length - rank + i];
      if (e === undefined || e === 1) continue;
      if (d === 1 || d === e) d = e;
      else if (typeof d === 'number' && typeof e === 'number') return null; // incompatible: the kernel reports it
      else if (typeof e === 'number') d = e; // a symbolic dim must then be 1 or equal to e
      else if (typeof d !== 'number') d = null;
    }
    out.push(d);
  }
  return out;
}

const sameShape = ([x]: readonly (readonly Dim[] | null)[]): (readonly Dim[] | null)[] => [x];
const broadcastShape = (shapes: readonly (readonly Dim[] | null)[]): (readonly Dim[] | null)[] => [broadcastDims(...shapes)];

// ---------------------------------------------------------------------------
// Entry builders

/** Opset 1–6 `broadcast`/`axis` attributes of binary ops (ignoring `consumed_inputs`). */
function legacyBroadcast(a: AttrReader): LegacyBroadcast {
  const broadcast = a.int('broadcast', 0);
  if (broadcast !== 0 && broadcast !== 1) fail('MLC2003', `attribute "broadcast" must be 0 or 1, got ${broadcast}`);
  return broadcast === 1 && a.has('axis') ? { axis: a.int('axis') } : {};
}

/** Legacy shape: with an explicit axis the output has A's shape. */
function legacyShape(shapes: readonly (readonly Dim[] | null)[], attrs: LegacyBroadcast): (readonly Dim[] | null)[] {
  return attrs.axis !== undefined ? [shapes[0]] : [broadcastDims(...shapes)];
}

/** A binary op: the opset 1–6 entry with legacy broadcasting, and the numpy-style one from 7. */
function binaryOp(op: string, kernel: string, T: readonly DType[], out: 'T' | 'bool', since = 1): AnyOpDef[] {
  const constraints = { T };
  const outputs = [out]; // 'bool' is a fixed output type
  const modern: OpDef<LegacyBroadcast> = {
    op, since: Math.max(7, since), kernel: kb(kernel), constraints, inputs: ['T', 'T'], outputs, shapes: broadcastShape,
  };
  if (since >= 7) return [modern];
  return [
    { op, since, until: 6, kernel: kb(kernel), constraints, inputs: ['T', 'T'], outputs, attrs: legacyBroadcast, shapes: legacyShape },
    modern,
  ];
}

function unaryOp(op: string, kernel: string, T: readonly DType[], since = 1): AnyOpDef {
  return { op, since, kernel: ku(kernel), constraints: { T }, inputs: ['T'], outputs: ['T'], shapes: sameShape };
}

function variadicOp(op: string, kernel: string, T: readonly DType[]): AnyOpDef {
  return { op, since: 1, kernel: kb(kernel), constraints: { T }, inputs: ['T'], outputs: ['T'], minInputs: 1, maxInputs: Infinity, shapes: broadcastShape };
}

// ---------------------------------------------------------------------------
// Cast

/** TensorProto.DataType names, as Cast-1 spelled its `to` attribute ("FLOAT", "INT64"...). */
const LEGACY_TYPE_NAMES: Readonly<Record<string, number>> = {
  FLOAT: 1, UINT8: 2, INT8: 3, UINT16: 4, INT16: 5, INT32: 6, INT64: 7, STRING: 8, BOOL: 9,
  FLOAT16: 10, DOUBLE: 11, UINT32: 12, UINT64: 13, COMPLEX64: 14, COMPLEX128: 15, BFLOAT16: 16,
};

const STRING_ATTR = 3;

/** Cast-19 `saturate` (float8 targets) and Cast-24 `round_mode` (float8e8m0), kept only when not the default. */
function castModes(a: AttrReader): { saturate?: false; roundMode?: E8m0RoundMode } {
  const modes: { saturate?: false; roundMode?: E8m0RoundMode } = {};
  if (a.int('saturate', 1) === 0) modes.saturate = false; // any other value is true, as in the reference
  const roundMode = a.oneOf<E8m0RoundMode>('round_mode', ['up', 'down', 'nearest'], 'up');
  if (roundMode !== 'up') modes.roundMode = roundMode;
  return modes;
}

function castAttrs(a: AttrReader): castKernels.CastAttrs {
  let code: number;
  if (a.typeOf('to') === STRING_ATTR) {
    const name = a.string('to');
    const c = LEGACY_TYPE_NAMES[name.toUpperCase()];
    if (c === undefined) return fail('MLC2003', `attribute "to" names no known data type: ${JSON.stringify(name)}`);
    code = c;
  } else {
    code = a.int('to');
  }
  if (ONNX_TYPE_NAMES[code] === undefined) fail('MLC2003', `attribute "to" is not a known data type code: ${code}`);
  const modes = castModes(a);
  const to = dtypeOf(code);
  if (to === undefined) return fail('MLC3005', `Cast to ${typeName(code)} is not supported`);
  return { to, ...modes };
}

function castLikeOutput(ctx: AttrContext): IrType[] {
  const t = ctx.inputTypes[1];
  return [t !== undefined && t.kind === 'tensor' ? tensorType(t.dtype, null) : UNKNOWN];
}

// ---------------------------------------------------------------------------

export const OPS: readonly AnyOpDef[] = [
  // Arithmetic
  ...binaryOp('Add', 'add', ARITH, 'T'),
  ...binaryOp('Sub', 'sub', ARITH, 'T'),
  ...binaryOp('Mul', 'mul', ARITH, 'T'),
  ...binaryOp('Div', 'div', ARITH, 'T'),
  {
    op: 'Pow', since: 1, until: 6, kernel: kb('pow'), constraints: { T: FLOATS }, inputs: ['T', 'T'], outputs: ['T'],
    attrs: legacyBroadcast, shapes: legacyShape,
  },
  {
    // Pow-7 has one type T; Pow-12 lets the exponent's type differ (T1).
    op: 'Pow', since: 7, kernel: kb('pow'), constraints: { T: ['int32', 'int64', ...FLOATS], T1: NUMERIC },
    inputs: ['T', 'T1'], outputs: ['T'], shapes: broadcastShape,
  },
  {
    op: 'Mod', since: 10, kernel: kb('mod'), constraints: { T: NUMERIC }, inputs: ['T', 'T'], outputs: ['T'], shapes: broadcastShape,
    attrs: (a) => {
      const fmod = a.int('fmod', 0);
      if (fmod !== 0 && fmod !== 1) fail('MLC2003', `attribute "fmod" must be 0 or 1, got ${fmod}`);
      return { fmod };
    },
  },
  variadicOp('Max', 'maxOf', NUMERIC),
  variadicOp('Min', 'minOf', NUMERIC),
  variadicOp('Sum', 'sumOf', FLOATS),
  variadicOp('Mean', 'meanOf', FLOATS),

  // Unary math
  unaryOp('Neg', 'neg', SIGNED),
  unaryOp('Abs', 'abs', NUMERIC),
  unaryOp('Sign', 'sign', NUMERIC, 9),
  unaryOp('Erf', 'erf', NUMERIC, 9),
  unaryOp('Sqrt', 'sqrt', FLOATS),
  unaryOp('Reciprocal', 'reciprocal', FLOATS),
  unaryOp('Exp', 'exp', FLOATS),
  unaryOp('Log', 'log', FLOATS),
  unaryOp('Floor', 'floor', FLOATS),
  unaryOp('Ceil', 'ceil', FLOATS),
  unaryOp('Round', 'round', FLOATS, 11),
  unaryOp('Tanh', 'tanh', FLOATS),
  unaryOp('Sin', 'sin', FLOATS, 7),
  unaryOp('Cos', 'cos', FLOATS, 7),
  unaryOp('Tan', 'tan', FLOATS, 7),
  unaryOp('Asin', 'asin', FLOATS, 7),
  unaryOp('Acos', 'acos', FLOATS, 7),
  unaryOp('Atan', 'atan', FLOATS, 7),
  unaryOp('Sinh', 'sinh', FLOATS, 9),
  unaryOp('Cosh', 'cosh', FLOATS, 9),
  unaryOp('Asinh', 'asinh', FLOATS, 9),
  unaryOp('Acosh', 'acosh', FLOATS, 9),
  unaryOp('Atanh', 'atanh', FLOATS, 9),
  {
    op: 'IsNaN', since: 9, kernel: ku('isNan'), constraints: { T1: FLOATS }, inputs: ['T1'], outputs: ['bool'], shapes: sameShape,
  },
  {
    op: 'IsInf', since: 10, kernel: ku('isInf'), constraints: { T1: FLOATS }, inputs: ['T1'], outputs: ['bool'], shapes: sameShape,
    attrs: (a) => ({ positive: a.int('detect_positive', 1) !== 0, negative: a.int('detect_negative', 1) !== 0 }),
  },

  // Comparisons (Equal on strings since opset 19, on bool since 11: the union is accepted throughout)
  ...binaryOp('Equal', 'equal', [...NUMERIC, 'bool', 'string'], 'bool'),
  ...binaryOp('Less', 'less', NUMERIC, 'bool'),
  ...binaryOp('Greater', 'greater', NUMERIC, 'bool'),
  ...binaryOp('LessOrEqual', 'lessOrEqual', NUMERIC, 'bool', 12),
  ...binaryOp('GreaterOrEqual', 'greaterOrEqual', NUMERIC, 'bool', 12),

  // Logic and bitwise
  ...binaryOp('And', 'logicalAnd', BOOL, 'bool'),
  ...binaryOp('Or', 'logicalOr', BOOL, 'bool'),
  ...binaryOp('Xor', 'logicalXor', BOOL, 'bool'),
  { op: 'Not', since: 1, kernel: kb('logicalNot'), constraints: { T: BOOL }, inputs: ['T'], outputs: ['T'], shapes: sameShape },
  ...binaryOp('BitwiseAnd', 'bitwiseAnd', INT_TYPES, 'T', 18),
  ...binaryOp('BitwiseOr', 'bitwiseOr', INT_TYPES, 'T', 18),
  ...binaryOp('BitwiseXor', 'bitwiseXor', INT_TYPES, 'T', 18),
  { op: 'BitwiseNot', since: 18, kernel: kb('bitwiseNot'), constraints: { T: INT_TYPES }, inputs: ['T'], outputs: ['T'], shapes: sameShape },
  {
    op: 'BitShift', since: 11, kernel: kb('bitShift'), constraints: { T: UNSIGNED }, inputs: ['T', 'T'], outputs: ['T'], shapes: broadcastShape,
    attrs: (a) => {
      const dir = a.string('direction');
      if (dir !== 'LEFT' && dir !== 'RIGHT') fail('MLC2003', `attribute "direction" must be "LEFT" or "RIGHT", got ${JSON.stringify(dir)}`);
      return { left: dir === 'LEFT' };
    },
  },

  // Selection and conversion
  {
    op: 'Where', since: 9, until: 15, kernel: kb('where'), constraints: { B: BOOL, T: ALL_TYPES }, inputs: ['B', 'T', 'T'], outputs: ['T'],
    shapes: broadcastShape,
  },
  { // Where-16 adds bfloat16 (the kernel only copies elements)
    op: 'Where', since: 16, kernel: kb('where'), constraints: { B: BOOL, T: [...ALL_TYPES, 'bfloat16'] }, inputs: ['B', 'T', 'T'], outputs: ['T'],
    shapes: broadcastShape,
  },
  {
    // Every element type, the low-precision ones included (runtime/tensor/lowp.ts).
    op: 'Cast', since: 1, aliasesInputs: true, kernel: kc('cast'), constraints: { T1: EVERY_TYPE }, inputs: ['T1'], outputs: ['*'],
    attrs: castAttrs, outputTypes: (_ctx, attrs: { to: DType }) => [tensorType(attrs.to, null)], shapes: sameShape,
  },
  {
    op: 'CastLike', since: 15, aliasesInputs: true, kernel: kc('castLike'), constraints: { T1: EVERY_TYPE, T2: EVERY_TYPE }, inputs: ['T1', 'T2'], outputs: ['T2'],
    attrs: castModes, outputTypes: castLikeOutput, shapes: sameShape,
  },
];
