// Activation ops: the Relu family, sigmoid-like functions, Gelu, Shrink, Clip,
// and Dropout (inference). Kernels: runtime/tensor/activation.ts.
//
// Versions that only added bfloat16 (not a runtime type) share one entry with
// the version before them; entries split where semantics or types changed.

import * as activation from '../../../../runtime/tensor/activation.js';
import { FLOAT_TYPES, NUMERIC_TYPES, type DType } from '../../../../runtime/tensor/tensor.js';
import { fail } from '../../../diagnostics/diagnostic.js';
import type { Dim } from '../../../ir/types.js';
import type { AttrReader } from '../attrs.js';
import { kernelsOf, type AnyOpDef, type AttrContext } from './types.js';

const k = kernelsOf('tensor/activation', activation);

const FLOATS = FLOAT_TYPES;
/** Elu-22 and Celu (opset 28 tests) list bfloat16; the kernels treat it as plain floats. */
const FLOATS_BF16: readonly DType[] = [...FLOAT_TYPES, 'bfloat16'];
const SIGNED_INTS: readonly DType[] = ['int8', 'int16', 'int32', 'int64'];
const PRELU_INTS: readonly DType[] = ['int32', 'int64', 'uint32', 'uint64'];

type Shapes = readonly (readonly Dim[] | null)[];
const sameShape = ([x]: Shapes): Shapes => [x];

/** An elementwise op of one float input, with optional attributes. */
function floatUnary(op: string, since: number, kernel: string, attrs?: (a: AttrReader) => object): AnyOpDef {
  return { op, since, kernel: k(kernel), constraints: { T: FLOATS }, inputs: ['T'], outputs: ['T'], attrs, shapes: sameShape };
}

const alpha = (def: number) => (a: AttrReader) => ({ alpha: a.float('alpha', def) });

// Selu's defaults are the float32 roundings of the exact constants, as in the schema.
const SELU_ALPHA = 1.67326319217681884765625;
const SELU_GAMMA = 1.05070102214813232421875;

export const OPS: readonly AnyOpDef[] = [
  // Relu-14 added the signed integer types.
  { op: 'Relu', since: 1, until: 13, kernel: k('relu'), constraints: { T: FLOATS }, inputs: ['T'], outputs: ['T'], shapes: sameShape },
  { op: 'Relu', since: 14, kernel: k('relu'), constraints: { T: [...FLOATS, ...SIGNED_INTS] }, inputs: ['T'], outputs: ['T'], shapes: sameShape },
  floatUnary('LeakyRelu', 1, 'leakyRelu', alpha(0.01)),
  floatUnary('ThresholdedRelu', 10, 'thresholdedRelu', alpha(1.0)),
  { ...floatUnary('Elu', 1, 'elu', alpha(1.0)), constraints: { T: FLOATS_BF16 } },
  // Celu-12 lists float32 only; later versions add float16, so every float type is taken.
  { ...floatUnary('Celu', 12, 'celu', alpha(1.0)), constraints: { T: FLOATS_BF16 } },
  floatUnary('Selu', 1, 'selu', (a) => ({ alpha: a.float('alpha', SELU_ALPHA), gamma: a.float('gamma', SELU_GAMMA) })),

  // PRelu-1/6: a 1-D slope of length C is per channel; PRelu-7 switched to
  // unidirectional broadcasting; PRelu-9 added integer types.
  preluEntry(1, 6, FLOATS, true),
  preluEntry(7, 8, FLOATS, false),
  preluEntry(9, undefined, [...FLOATS, ...PRELU_INTS], false),

  floatUnary('Sigmoid', 1, 'sigmoid'),
  floatUnary('HardSigmoid', 1, 'hardSigmoid', (a) => ({ alpha: a.float('alpha', 0.2), beta: a.float('beta', 0.5) })),
  floatUnary('HardSwish', 14, 'hardSwish'),
  floatUnary('Swish', 24, 'swish', alpha(1.0)),
  floatUnary('Softplus', 1, 'softplus'),
  floatUnary('Softsign', 1, 'softsign'),
  floatUnary('Mish', 18, 'mish'),
  floatUnary('Gelu', 20, 'gelu', (a) => ({ approximate: geluApproximation(a) })),

  { op: 'Shrink', since: 9, kernel: k('shrink'), constraints: { T: NUMERIC_TYPES }, inputs: ['T'], outputs: ['T'], shapes: sameShape,
    attrs: (a) => ({ lambd: a.float('lambd', 0.5), bias: a.float('bias', 0) }) },

  // Clip-1/6: bounds are attributes. Clip-11: optional scalar inputs. Clip-12: all numeric types.
  { op: 'Clip', since: 1, until: 10, kernel: k('clipAttrs'), constraints: { T: FLOATS }, inputs: ['T'], outputs: ['T'], shapes: sameShape,
    attrs: (a) => ({ min: a.float('min', -Infinity), max: a.float('max', Infinity) }) },
  { op: 'Clip', since: 11, until: 11, kernel: k('clip'), constraints: { T: FLOATS }, inputs: ['T', 'T', 'T'], outputs: ['T'],
    minInputs: 1, maxInputs: 3, shapes: sameShape },
  { op: 'Clip', since: 12, kernel: k('clip'), constraints: { T: NUMERIC_TYPES }, inputs: ['T', 'T', 'T'], outputs: ['T'],
    minInputs: 1, maxInputs: 3, shapes: sameShape },

  // Dropout-1/6: is_test = 0 (the default) means training mode. Dropout-7: always
  // inference, mask of type T. Dropout-10: bool mask. Dropout-12: ratio and
  // training_mode inputs, seed attribute.
  { op: 'Dropout', since: 1, until: 6, aliasesInputs: true, kernel: k('dropout'), constraints: { T: FLOATS }, inputs: ['T'], outputs: ['T', 'T'],
    attrs: (a, ctx) => dropoutAttrs(a, ctx, { ratio: a.float('ratio', 0.5), training: a.int('is_test', 0) === 0, maskBool: false }),
    shapes: dropoutShapes, impure: true },
  { op: 'Dropout', since: 7, until: 9, aliasesInputs: true, kernel: k('dropout'), constraints: { T: FLOATS }, inputs: ['T'], outputs: ['T', 'T'],
    attrs: (a, ctx) => dropoutAttrs(a, ctx, { ratio: a.float('ratio', 0.5), training: false, maskBool: false }),
    shapes: dropoutShapes },
  { op: 'Dropout', since: 10, until: 11, aliasesInputs: true, kernel: k('dropout'), constraints: { T: FLOATS }, inputs: ['T'], outputs: ['T', 'bool'],
    attrs: (a, ctx) => dropoutAttrs(a, ctx, { ratio: a.float('ratio', 0.5), training: false, maskBool: true }),
    shapes: dropoutShapes },
  { op: 'Dropout', since: 12, aliasesInputs: true, kernel: k('dropout'), constraints: { T: FLOATS, T1: FLOATS }, inputs: ['T', 'T1', 'bool'], outputs: ['T', 'bool'],
    minInputs: 1, maxInputs: 3,
    attrs: (a, ctx) => dropoutAttrs(a, ctx, { ratio: 0.5, training: false, maskBool: true }),
    shapes: dropoutShapes, impure: true },
];

function preluEntry(since: number, until: number | undefined, types: readonly DType[], legacy: boolean): AnyOpDef {
  return {
    op: 'PRelu', since, until, kernel: k('prelu'), constraints: { T: types }, inputs: ['T', 'T'], outputs: ['T'],
    attrs: () => ({ legacy }), shapes: sameShape,
  };
}

function geluApproximation(a: AttrReader): 'none' | 'tanh' {
  const v = a.string('approximate', 'none');
  if (v !== 'none' && v !== 'tanh') fail('MLC2003', `attribute "approximate" must be "none" or "tanh", got ${JSON.stringify(v)}`);
  return v;
}

function dropoutAttrs(
  a: AttrReader, ctx: AttrContext, base: { ratio: number; training: boolean; maskBool: boolean },
): activation.DropoutAttrs {
  const hasSeed = a.has('seed');
  return { ...base, mask: ctx.outputCount > 1, hasSeed, seed: hasSeed ? a.int('seed') : 0 };
}

function dropoutShapes([x]: Shapes): Shapes {
  return [x, x];
}
