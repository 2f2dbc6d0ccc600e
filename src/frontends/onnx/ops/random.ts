// Random ops: RandomNormal, RandomUniform, RandomNormalLike, RandomUniformLike,
// Bernoulli, Multinomial. Kernels: runtime/tensor/random.ts. All are impure:
// never constant-folded, never dropped by dead-code elimination.
//
// Versions: RandomNormal/RandomUniform(/Like)-1, Bernoulli-15, Multinomial-7;
// version 22 of each only added bfloat16, accepted here from opset 22 on.

import * as random from '../../../../runtime/tensor/random.js';
import { EVERY_TYPE, FLOAT_TYPES, NUMERIC_TYPES, type DType } from '../../../../runtime/tensor/tensor.js';
import { fail } from '../../../diagnostics/diagnostic.js';
import { tensorType, UNKNOWN, type Dim, type IrType } from '../../../ir/types.js';
import type { AttrReader } from '../attrs.js';
import { dtypeOf, typeName } from '../dtypes.js';
import { kernelsOf, op, type AnyOpDef, type AttrContext } from './types.js';

const k = kernelsOf('tensor/random', random);

type Shapes = readonly (readonly Dim[] | null)[];

/** Float types the schema allows at this opset (bfloat16 from version 22). */
function floatsAt(opset: number): readonly DType[] {
  return opset >= 22 ? [...FLOAT_TYPES, 'bfloat16'] : FLOAT_TYPES;
}
const FLOATS_BF16: readonly DType[] = [...FLOAT_TYPES, 'bfloat16'];

function seedAttrs(a: AttrReader): random.SeedAttrs {
  const hasSeed = a.has('seed');
  return { hasSeed, seed: hasSeed ? a.float('seed') : 0 };
}

/** The `dtype` attribute as a DType among `allowed`; `def` when absent (null: the input's type). */
function dtypeAttr<D extends DType | null>(a: AttrReader, op: string, allowed: readonly DType[], def: D): DType | D {
  if (!a.has('dtype')) return def;
  const code = a.int('dtype');
  const t = dtypeOf(code);
  if (t === undefined) return fail('MLC3005', `${op} output type ${typeName(code)} is not supported`);
  if (!allowed.includes(t)) fail('MLC2003', `attribute "dtype" of ${op} must be one of ${allowed.join(', ')}, got ${t}`);
  return t;
}

function shapeAttr(a: AttrReader): number[] {
  const shape = a.ints('shape');
  for (const d of shape) if (!Number.isInteger(d) || d < 0) fail('MLC2003', `attribute "shape" must hold non-negative dims, got [${shape.join(',')}]`);
  return shape;
}

/** Output type of a Like op or Bernoulli: `dtype`, else the input's element type (must be in `allowed`). */
function likeType(ctx: AttrContext, dtype: DType | null, op: string, allowed: readonly DType[]): IrType[] {
  if (dtype !== null) return [tensorType(dtype, null)];
  const t = ctx.inputTypes[0];
  if (t === undefined || t.kind !== 'tensor') return [UNKNOWN];
  if (!allowed.includes(t.dtype)) fail('MLC2003', `${op}: without "dtype" the output takes the input's type, which must be one of ${allowed.join(', ')}; got ${t.dtype}`);
  return [tensorType(t.dtype, null)];
}

const sameShape = ([x]: Shapes): Shapes => [x];

export const OPS: readonly AnyOpDef[] = [
  op<random.RandomNormalAttrs>({
    op: 'RandomNormal', since: 1, kernel: k('randomNormal'), inputs: [], outputs: ['*'], impure: true,
    attrs: (a, ctx) => ({
      ...seedAttrs(a), dtype: dtypeAttr(a, 'RandomNormal', floatsAt(ctx.opset), 'float32'), shape: shapeAttr(a),
      mean: a.float('mean', 0), scale: a.float('scale', 1),
    }),
    outputTypes: (_ctx, at) => [tensorType(at.dtype as DType, at.shape)],
    shapes: (_x, at) => [at.shape],
  }),
  op<random.RandomUniformAttrs>({
    op: 'RandomUniform', since: 1, kernel: k('randomUniform'), inputs: [], outputs: ['*'], impure: true,
    attrs: (a, ctx) => ({
      ...seedAttrs(a), dtype: dtypeAttr(a, 'RandomUniform', floatsAt(ctx.opset), 'float32'), shape: shapeAttr(a),
      low: a.float('low', 0), high: a.float('high', 1),
    }),
    outputTypes: (_ctx, at) => [tensorType(at.dtype as DType, at.shape)],
    shapes: (_x, at) => [at.shape],
  }),
  op<random.RandomNormalAttrs>({
    op: 'RandomNormalLike', since: 1, kernel: k('randomNormal'), constraints: { T1: EVERY_TYPE }, inputs: ['T1'], outputs: ['*'],
    impure: true,
    attrs: (a, ctx) => ({
      ...seedAttrs(a), dtype: dtypeAttr(a, 'RandomNormalLike', floatsAt(ctx.opset), null), shape: null,
      mean: a.float('mean', 0), scale: a.float('scale', 1),
    }),
    outputTypes: (ctx, at) => likeType(ctx, at.dtype, 'RandomNormalLike', floatsAt(ctx.opset)),
    shapes: sameShape,
  }),
  op<random.RandomUniformAttrs>({
    op: 'RandomUniformLike', since: 1, kernel: k('randomUniform'), constraints: { T1: EVERY_TYPE }, inputs: ['T1'], outputs: ['*'],
    impure: true,
    attrs: (a, ctx) => ({
      ...seedAttrs(a), dtype: dtypeAttr(a, 'RandomUniformLike', floatsAt(ctx.opset), null), shape: null,
      low: a.float('low', 0), high: a.float('high', 1),
    }),
    outputTypes: (ctx, at) => likeType(ctx, at.dtype, 'RandomUniformLike', floatsAt(ctx.opset)),
    shapes: sameShape,
  }),
  op<random.BernoulliAttrs>({
    op: 'Bernoulli', since: 15, kernel: k('bernoulli'), constraints: { T1: FLOATS_BF16 }, inputs: ['T1'], outputs: ['*'],
    impure: true,
    attrs: (a, ctx) => ({
      ...seedAttrs(a), dtype: dtypeAttr(a, 'Bernoulli', [...NUMERIC_TYPES, ...(ctx.opset >= 22 ? ['bfloat16' as const] : []), 'bool'], null),
    }),
    outputTypes: (ctx, at) => likeType(ctx, at.dtype, 'Bernoulli', FLOATS_BF16),
    shapes: sameShape,
  }),
  op<random.MultinomialAttrs>({
    op: 'Multinomial', since: 7, kernel: k('multinomial'), constraints: { T1: FLOATS_BF16 }, inputs: ['T1'], outputs: ['*'],
    impure: true,
    attrs: (a) => {
      const sampleSize = a.int('sample_size', 1);
      if (sampleSize < 0) fail('MLC2003', `attribute "sample_size" must be non-negative, got ${sampleSize}`);
      return { ...seedAttrs(a), dtype: dtypeAttr(a, 'Multinomial', ['int32', 'int64'], 'int32') as 'int32' | 'int64', sampleSize };
    },
    outputTypes: (_ctx, at) => [tensorType(at.dtype, null)],
    shapes: ([x], at) => [x && x.length === 2 ? [x[0], at.sampleSize] : [null, at.sampleSize]],
  }),
];
