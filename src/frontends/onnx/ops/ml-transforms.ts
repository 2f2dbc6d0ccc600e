// ai.onnx.ml preprocessing ops: Scaler, Normalizer, Binarizer, Imputer, OneHotEncoder,
// LabelEncoder (1, 2, 4), CategoryMapper, ArrayFeatureExtractor, FeatureVectorizer,
// DictVectorizer, CastMap and ZipMap. Kernels: runtime/ml/transforms*.ts.
//
// Every op but LabelEncoder has only version 1. LabelEncoder-1 maps strings to their
// index in classes_strings and back; LabelEncoder-2 has parallel keys_*/values_* lists
// (string, int64, float); LabelEncoder-4 adds keys_tensor/values_tensor/default_tensor
// and int32, int16 and double elements. All three are normalised here into one
// key → value table for one kernel.
//
// Where the ONNX documents leave behaviour open, onnxruntime's is followed (noted at
// the kernels): Normalizer's MAX divides by the row maximum (not max |x|), L1 by the
// sum of |x|; OneHotEncoder truncates numeric inputs; ArrayFeatureExtractor and CastMap
// return [1, n] for one row; FeatureVectorizer treats a rank-1 input as one row.

import * as maps from '../../../../runtime/ml/transforms-maps.js';
import * as encode from '../../../../runtime/ml/transforms-encode.js';
import * as transforms from '../../../../runtime/ml/transforms.js';
import type { DType, Tensor } from '../../../../runtime/tensor/tensor.js';
import { fail } from '../../../diagnostics/diagnostic.js';
import { tensorType, UNKNOWN, type Dim, type IrType } from '../../../ir/types.js';
import type { AttrReader } from '../attrs.js';
import { kernelsOf, op, type AnyOpDef, type AttrContext } from './types.js';

const k = kernelsOf('ml/transforms', transforms);
const ke = kernelsOf('ml/transforms-encode', encode);
const km = kernelsOf('ml/transforms-maps', maps);

const DOMAIN = 'ai.onnx.ml';
const NUMERIC: readonly DType[] = ['float32', 'float64', 'int64', 'int32'];
const INT_TYPES: readonly DType[] = ['int64', 'int32', 'int16'];
const FLOAT_TYPES: readonly DType[] = ['float32', 'float64'];

type Shapes = readonly (readonly Dim[] | null)[];
const sameShape = ([x]: Shapes): Shapes => [x];

/** The element type of input i when it is a tensor of known type. */
function inputDtype(ctx: AttrContext, i: number): DType | undefined {
  const t = ctx.inputTypes[i];
  return t !== undefined && t.kind === 'tensor' ? t.dtype : undefined;
}

// ------------------------------------------------------------------ Scaler, Normalizer, Imputer

function scalerAttrs(a: AttrReader): transforms.ScalerAttrs {
  const offset = a.floats('offset', []);
  const scale = a.floats('scale', []);
  if (offset.length === 0 && scale.length === 0) fail('MLC2003', 'Scaler needs attribute "scale" (and "offset")');
  if (offset.length > 1 && scale.length > 1 && offset.length !== scale.length) {
    fail('MLC2003', `attributes "offset" (${offset.length} values) and "scale" (${scale.length}) must have the same length`);
  }
  return { offset: offset.length > 0 ? offset : [0], scale: scale.length > 0 ? scale : [1] };
}

function normalizerAttrs(a: AttrReader): transforms.NormalizerAttrs {
  const norm = a.string('norm', 'MAX');
  if (norm !== 'MAX' && norm !== 'L1' && norm !== 'L2') fail('MLC2003', `attribute "norm" must be MAX, L1 or L2, got ${JSON.stringify(norm)}`);
  return { norm };
}

function imputerAttrs(a: AttrReader): transforms.ImputerAttrs {
  const floats = a.floats('imputed_value_floats', []);
  const ints = a.ints('imputed_value_int64s', []);
  if (floats.length === 0 && ints.length === 0) fail('MLC2003', 'Imputer needs "imputed_value_floats" or "imputed_value_int64s"');
  return { floats, ints, replacedFloat: a.float('replaced_value_float', 0), replacedInt: a.int('replaced_value_int64', 0) };
}

// ------------------------------------------------------------------ OneHotEncoder

function oneHotAttrs(a: AttrReader, ctx: AttrContext): encode.OneHotEncoderAttrs {
  const catsInt64s = a.ints('cats_int64s', []);
  const catsStrings = a.strings('cats_strings', []);
  if ((catsInt64s.length === 0) === (catsStrings.length === 0)) {
    fail('MLC2003', 'OneHotEncoder needs exactly one of "cats_int64s" and "cats_strings"');
  }
  const x = inputDtype(ctx, 0);
  if (x !== undefined && (x === 'string') !== (catsStrings.length > 0)) {
    fail('MLC2005', `OneHotEncoder input is ${x} but the categories are ${catsStrings.length > 0 ? 'strings' : 'integers'}`);
  }
  return { catsInt64s, catsStrings, zeros: a.int('zeros', 1) !== 0 };
}

// ------------------------------------------------------------------ LabelEncoder

type KeyKind = 'string' | 'int' | 'float';

function kindOfDtype(t: DType): KeyKind | undefined {
  if (t === 'string') return 'string';
  if (INT_TYPES.includes(t)) return 'int';
  if (FLOAT_TYPES.includes(t)) return 'float';
  return undefined;
}

/** Tensor elements as JSON-like values (int64 as numbers). */
function tensorValues(t: Tensor): (number | string)[] {
  return Array.from(t.data as ArrayLike<number | bigint | string>, (v) => (typeof v === 'bigint' ? Number(v) : v));
}

/** The one keys_* or values_* attribute that is set: its values and element type. */
function labelList(a: AttrReader, prefix: 'keys' | 'values', withTensor: boolean): { values: (number | string)[]; dtype: DType } {
  const found: { values: (number | string)[]; dtype: DType }[] = [];
  if (a.has(`${prefix}_strings`)) found.push({ values: a.strings(`${prefix}_strings`), dtype: 'string' });
  if (a.has(`${prefix}_int64s`)) found.push({ values: a.ints(`${prefix}_int64s`), dtype: 'int64' });
  if (a.has(`${prefix}_floats`)) found.push({ values: a.floats(`${prefix}_floats`), dtype: 'float32' });
  if (withTensor && a.has(`${prefix}_tensor`)) {
    const t = a.tensor(`${prefix}_tensor`);
    if (kindOfDtype(t.type) === undefined) fail('MLC3005', `attribute "${prefix}_tensor" has element type ${t.type}; supported: string, int64, int32, int16, float, double`);
    found.push({ values: tensorValues(t), dtype: t.type });
  }
  if (found.length !== 1) {
    const names = withTensor ? `${prefix}_strings, ${prefix}_int64s, ${prefix}_floats or ${prefix}_tensor` : `${prefix}_strings, ${prefix}_int64s or ${prefix}_floats`;
    fail('MLC2003', `LabelEncoder needs exactly one of ${names}, got ${found.length}`);
  }
  return found[0];
}

/** LabelEncoder-2 and -4: parallel keys and values, a default matching the values' type. */
function labelEncoderAttrs(a: AttrReader, ctx: AttrContext, withTensor: boolean): encode.LabelEncoderAttrs {
  const keys = labelList(a, 'keys', withTensor);
  const values = labelList(a, 'values', withTensor);
  if (keys.values.length !== values.values.length) {
    fail('MLC2003', `LabelEncoder has ${keys.values.length} keys but ${values.values.length} values`);
  }
  const x = inputDtype(ctx, 0);
  if (x !== undefined && kindOfDtype(x) !== kindOfDtype(keys.dtype)) {
    fail('MLC2005', `LabelEncoder input is ${x} but its keys are ${keys.dtype}`);
  }
  const outType = values.dtype;
  const kind = kindOfDtype(outType);
  let def: number | string;
  const defTensor = withTensor ? a.tensor('default_tensor', true) : undefined;
  if (defTensor !== undefined) {
    if (kindOfDtype(defTensor.type) !== kind || defTensor.data.length < 1) {
      fail('MLC2003', `attribute "default_tensor" must hold one ${outType} value`);
    }
    def = tensorValues(defTensor)[0];
  } else if (kind === 'string') def = a.string('default_string', '_Unused');
  else if (kind === 'int') def = a.int('default_int64', -1);
  else def = a.float('default_float', -0);
  return { keys: keys.values, values: values.values, outType, default: def };
}

/** LabelEncoder-1: strings → their index in classes_strings, or int64 → the class at that index. */
function labelEncoder1Attrs(a: AttrReader, ctx: AttrContext): encode.LabelEncoderAttrs {
  const classes = a.strings('classes_strings', []);
  const indices = classes.map((_, i) => i);
  const x = inputDtype(ctx, 0);
  if (x === undefined) fail('MLC2005', 'LabelEncoder-1 needs an input of known type (string or int64)');
  if (x === 'string') return { keys: classes, values: indices, outType: 'int64', default: a.int('default_int64', -1) };
  return { keys: indices, values: classes, outType: 'string', default: a.string('default_string', '_Unused') };
}

function labelEncoderEntry(since: number, until: number | undefined, types: readonly DType[], read: (a: AttrReader, ctx: AttrContext) => encode.LabelEncoderAttrs): AnyOpDef {
  return op<encode.LabelEncoderAttrs>({
    op: 'LabelEncoder', domain: DOMAIN, since, until, kernel: ke('labelEncoder'),
    constraints: { T1: types }, inputs: ['T1'], attrs: read,
    outputTypes: (_ctx, attrs) => [tensorType(attrs.outType, null)],
    shapes: sameShape,
  });
}

// ------------------------------------------------------------------ CategoryMapper

function categoryMapperAttrs(a: AttrReader): encode.CategoryMapperAttrs {
  const catsInt64s = a.ints('cats_int64s', []);
  const catsStrings = a.strings('cats_strings', []);
  if (catsInt64s.length !== catsStrings.length) {
    fail('MLC2003', `CategoryMapper has ${catsInt64s.length} cats_int64s but ${catsStrings.length} cats_strings`);
  }
  return { catsInt64s, catsStrings, defaultInt64: a.int('default_int64', -1), defaultString: a.string('default_string', '_Unused') };
}

// ------------------------------------------------------------------ map ops

/** The map type of input 0 (a sequence of maps counts, for DictVectorizer). */
function mapInput(ctx: AttrContext, opName: string, allowSequence: boolean): Extract<IrType, { kind: 'map' }> | undefined {
  let t = ctx.inputTypes[0];
  if (t === undefined || t.kind === 'unknown') return undefined;
  if (allowSequence && t.kind === 'sequence') t = t.elem;
  if (t.kind === 'map') return t;
  if (t.kind === 'unknown') return undefined;
  return fail('MLC2005', `${opName} input must be a map${allowSequence ? ' (or a sequence of maps)' : ''}, got ${t.kind === 'tensor' ? `a ${t.dtype} tensor` : `a ${t.kind}`}`);
}

function scalarDtype(t: IrType): DType | undefined {
  return t.kind === 'tensor' ? t.dtype : undefined;
}

function dictVectorizerAttrs(a: AttrReader, ctx: AttrContext): maps.DictVectorizerAttrs {
  const strings = a.strings('string_vocabulary', []);
  const ints = a.ints('int64_vocabulary', []);
  if ((strings.length === 0) === (ints.length === 0)) {
    fail('MLC2003', 'DictVectorizer needs exactly one of "string_vocabulary" and "int64_vocabulary"');
  }
  const m = mapInput(ctx, 'DictVectorizer', true);
  let outType: DType = 'float32';
  if (m !== undefined) {
    const key = scalarDtype(m.keys);
    if (key !== undefined && (key === 'string') !== (strings.length > 0)) {
      fail('MLC2005', `DictVectorizer input has ${key} keys but a ${strings.length > 0 ? 'string' : 'int64'} vocabulary`);
    }
    const value = scalarDtype(m.values);
    if (value !== undefined) {
      if (value !== 'float32' && value !== 'float64' && value !== 'int64' && value !== 'string') {
        fail('MLC3003', `DictVectorizer input has ${value} values; supported: float, double, int64, string`);
      }
      outType = value;
    }
  }
  return { vocabulary: strings.length > 0 ? strings : ints, outType };
}

function castMapAttrs(a: AttrReader, ctx: AttrContext): maps.CastMapAttrs {
  const castTo = a.string('cast_to', 'TO_FLOAT');
  const form = a.string('map_form', 'DENSE');
  const maxMap = a.int('max_map', 1);
  const to = castTo === 'TO_FLOAT' ? 'float32' : castTo === 'TO_INT64' ? 'int64' : castTo === 'TO_STRING' ? 'string' : undefined;
  if (to === undefined) fail('MLC2003', `attribute "cast_to" must be TO_FLOAT, TO_INT64 or TO_STRING, got ${JSON.stringify(castTo)}`);
  if (form !== 'DENSE' && form !== 'SPARSE') fail('MLC2003', `attribute "map_form" must be DENSE or SPARSE, got ${JSON.stringify(form)}`);
  if (form === 'SPARSE' && maxMap < 0) fail('MLC2003', `attribute "max_map" must not be negative, got ${maxMap}`);
  const m = mapInput(ctx, 'CastMap', false);
  if (m !== undefined) {
    const key = scalarDtype(m.keys);
    if (key !== undefined && key !== 'int64') fail('MLC2005', `CastMap input must have int64 keys, got ${key}`);
    const value = scalarDtype(m.values);
    if (value !== undefined && value !== 'float32' && value !== 'string') fail('MLC2005', `CastMap input must map to float or string, got ${value}`);
  }
  return { castTo: to, sparse: form === 'SPARSE', maxMap };
}

function zipMapAttrs(a: AttrReader): maps.ZipMapAttrs {
  const strings = a.strings('classlabels_strings', []);
  const ints = a.ints('classlabels_int64s', []);
  if ((strings.length === 0) === (ints.length === 0)) {
    fail('MLC2003', 'ZipMap needs exactly one of "classlabels_strings" and "classlabels_int64s"');
  }
  return { labels: strings.length > 0 ? strings : ints };
}

function zipMapType(labels: readonly (string | number)[]): IrType {
  const keys = typeof labels[0] === 'string' ? 'string' : 'int64';
  return { kind: 'sequence', elem: { kind: 'map', keys: tensorType(keys, []), values: tensorType('float32', []) } };
}

// ------------------------------------------------------------------ shapes

function featureVectorizerShape(xs: Shapes, attrs: { inputdimensions: readonly number[] }): Shapes {
  const x = xs[0];
  const n: Dim = x === null ? null : x.length <= 1 ? 1 : x[0];
  return [[n, attrs.inputdimensions.reduce((s, d) => s + d, 0)]];
}

function arrayFeatureExtractorShape([x, idx]: Shapes): Shapes {
  if (x === null) return [null];
  const kk: Dim = idx === null ? null : idx.every((d) => typeof d === 'number') ? (idx as number[]).reduce((p, d) => p * d, 1) : null;
  return [x.length === 1 ? [1, kk] : [...x.slice(0, -1), kk]];
}

export const OPS: readonly AnyOpDef[] = [
  op<transforms.ScalerAttrs>({
    op: 'Scaler', domain: DOMAIN, since: 1, kernel: k('scaler'), constraints: { T: NUMERIC }, inputs: ['T'], outputs: ['float32'],
    attrs: scalerAttrs, shapes: sameShape,
  }),
  op<transforms.NormalizerAttrs>({
    op: 'Normalizer', domain: DOMAIN, since: 1, kernel: k('normalizer'), constraints: { T: NUMERIC }, inputs: ['T'], outputs: ['float32'],
    attrs: normalizerAttrs, shapes: sameShape,
  }),
  op<{ threshold: number }>({
    op: 'Binarizer', domain: DOMAIN, since: 1, kernel: k('binarizer'), constraints: { T: NUMERIC }, inputs: ['T'], outputs: ['T'],
    attrs: (a) => ({ threshold: a.float('threshold', 0) }), shapes: sameShape,
  }),
  op<transforms.ImputerAttrs>({
    op: 'Imputer', domain: DOMAIN, since: 1, kernel: k('imputer'), constraints: { T: NUMERIC }, inputs: ['T'], outputs: ['T'],
    attrs: imputerAttrs, shapes: sameShape,
  }),
  op<encode.OneHotEncoderAttrs>({
    op: 'OneHotEncoder', domain: DOMAIN, since: 1, kernel: ke('oneHotEncoder'),
    constraints: { T: ['string', 'int64', 'int32', 'float32', 'float64'] }, inputs: ['T'], outputs: ['float32'],
    attrs: oneHotAttrs,
    shapes: ([x], attrs) => [x === null ? null : [...x, Math.max(attrs.catsInt64s.length, attrs.catsStrings.length)]],
  }),
  labelEncoderEntry(1, 1, ['string', 'int64'], labelEncoder1Attrs),
  labelEncoderEntry(2, 3, ['string', 'int64', 'float32'], (a, ctx) => labelEncoderAttrs(a, ctx, false)),
  labelEncoderEntry(4, undefined, ['string', 'int64', 'float32', 'int32', 'int16', 'float64'], (a, ctx) => labelEncoderAttrs(a, ctx, true)),
  op<encode.CategoryMapperAttrs>({
    op: 'CategoryMapper', domain: DOMAIN, since: 1, kernel: ke('categoryMapper'), constraints: { T1: ['string', 'int64'] }, inputs: ['T1'],
    attrs: categoryMapperAttrs,
    outputTypes: (ctx) => {
      const x = inputDtype(ctx, 0);
      return [x === undefined ? UNKNOWN : tensorType(x === 'string' ? 'int64' : 'string', null)];
    },
    shapes: sameShape,
  }),
  op<Record<string, never>>({
    op: 'ArrayFeatureExtractor', domain: DOMAIN, since: 1, kernel: k('arrayFeatureExtractor'),
    constraints: { T: ['float32', 'float64', 'int64', 'int32', 'string'] }, inputs: ['T', 'int64'], outputs: ['T'],
    shapes: arrayFeatureExtractorShape,
  }),
  op<{ inputdimensions: number[] }>({
    op: 'FeatureVectorizer', domain: DOMAIN, since: 1, kernel: k('featureVectorizer'),
    constraints: { T1: ['int32', 'int64', 'float32', 'float64'] }, inputs: ['T1'], outputs: ['float32'], minInputs: 1, maxInputs: Infinity,
    attrs: (a, ctx) => {
      const inputdimensions = a.ints('inputdimensions', []);
      if (inputdimensions.length !== ctx.inputTypes.length) {
        fail('MLC2003', `attribute "inputdimensions" has ${inputdimensions.length} values for ${ctx.inputTypes.length} inputs`);
      }
      if (inputdimensions.some((d) => d < 0)) fail('MLC2003', 'attribute "inputdimensions" has a negative value');
      return { inputdimensions };
    },
    shapes: featureVectorizerShape,
  }),
  op<maps.DictVectorizerAttrs>({
    op: 'DictVectorizer', domain: DOMAIN, since: 1, kernel: km('dictVectorizer'), inputs: ['*'],
    attrs: dictVectorizerAttrs,
    outputTypes: (_ctx, attrs) => [tensorType(attrs.outType, null)],
    shapes: (_xs, attrs, ctx) => [[ctx.inputTypes[0]?.kind === 'sequence' ? null : 1, attrs.vocabulary.length]],
  }),
  op<maps.CastMapAttrs>({
    op: 'CastMap', domain: DOMAIN, since: 1, kernel: km('castMap'), inputs: ['*'],
    attrs: castMapAttrs,
    outputTypes: (_ctx, attrs) => [tensorType(attrs.castTo, null)],
    shapes: (_xs, attrs) => [[1, attrs.sparse ? attrs.maxMap : null]],
  }),
  op<maps.ZipMapAttrs>({
    op: 'ZipMap', domain: DOMAIN, since: 1, kernel: km('zipMap'), inputs: ['float32'],
    attrs: zipMapAttrs,
    outputTypes: (_ctx, attrs) => [zipMapType(attrs.labels)],
  }),
];
