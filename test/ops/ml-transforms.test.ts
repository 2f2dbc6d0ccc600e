// ai.onnx.ml preprocessing ops (Scaler, Normalizer, Binarizer, Imputer, OneHotEncoder,
// LabelEncoder 1/2/4, CategoryMapper, ArrayFeatureExtractor, FeatureVectorizer,
// DictVectorizer, CastMap, ZipMap): one-node models through the real pipeline.
// Expected values are worked out by hand from the ONNX documents (and onnxruntime's
// kernels where the documents leave a choice open).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { floatToString, parseFloatPrefix, parseInt64Prefix } from '../../runtime/ml/transforms-maps.js';
import type { Tensor } from '../../runtime/tensor/tensor.js';
import { graph, modelBytes, valueInfo, type AttrInput } from '../support/onnx-builder.js';
import { compileBytes } from '../support/run-module.js';
import type { OnnxNs } from '../../src/frontends/onnx/proto.js';
import { runOp, type OpInput, assertClose } from './helpers.js';

const ML = 'ai.onnx.ml';
const f32 = (dims: number[], data: number[]): OpInput => ({ type: 'float32', dims, data });
const f64 = (dims: number[], data: number[]): OpInput => ({ type: 'float64', dims, data });
const i64 = (dims: number[], data: number[]): OpInput => ({ type: 'int64', dims, data });
const i32 = (dims: number[], data: number[]): OpInput => ({ type: 'int32', dims, data });
const str = (dims: number[], data: string[]): OpInput => ({ type: 'string', dims, data });

type Out = { type: string; dims: number[]; data: ArrayLike<unknown> };

async function ml(op: string, inputs: (OpInput | null)[], attrs: Record<string, AttrInput> = {}, opset = 1): Promise<Out> {
  const [y] = await runOp(op, inputs, attrs, { domain: ML, opset });
  return y;
}


const fr = Math.fround;

// ---------------------------------------------------------------- Scaler

test('Scaler: per-feature offset and scale, float32 arithmetic, any numeric input', async () => {
  const y = await ml('Scaler', [f32([2, 3], [1, 2, 3, 4, 5, 6])], { offset: { floats: [1, 2, 3] }, scale: { floats: [0.5, 2, -1] } });
  assert.equal(y.type, 'float32');
  assert.deepEqual(y.dims, [2, 3]);
  assertClose(y.data, [0, 0, 0, 1.5, 6, -3]);
  // One offset and one scale for every feature; rank-1 input is one row.
  const z = await ml('Scaler', [f64([3], [0.1, 0.2, 0.3])], { offset: { floats: [0.1] }, scale: { floats: [10] } });
  assertClose(z.data, [0, fr(0.1) * 0 + (0.2 - fr(0.1)) * 10, (0.3 - fr(0.1)) * 10], 1e-6);
  const w = await ml('Scaler', [i64([1, 2], [3, -4])], { offset: { floats: [1, 1] }, scale: { floats: [0.25, 0.25] } });
  assertClose(w.data, [0.5, -1.25]);
  // float32: (x - offset) and the product are each rounded to float32, as onnxruntime does.
  const x = fr(1.1), o = fr(0.3), s = fr(1 / 3);
  const v = await ml('Scaler', [f32([1], [x])], { offset: { floats: [o] }, scale: { floats: [s] } });
  assert.equal(v.data[0], fr(fr(x - o) * s));
});

test('Scaler rejects attributes of the wrong length', async () => {
  await assert.rejects(ml('Scaler', [f32([1, 3], [1, 2, 3])], { offset: { floats: [1, 2] }, scale: { floats: [1, 2] } }), /1 or one per feature/);
});

// ---------------------------------------------------------------- Normalizer

test('Normalizer MAX, L1 and L2 per row; a zero divisor leaves the row as it is', async () => {
  const x = [1, -2, 3, 0, 0, 0, -1, -2, -4];
  const max = await ml('Normalizer', [f32([3, 3], x)], { norm: 'MAX' });
  assert.equal(max.type, 'float32');
  assertClose(max.data, [1 / 3, -2 / 3, 1, 0, 0, 0, 1, 2, 4]); // the row maximum (-1), as onnxruntime
  const l1 = await ml('Normalizer', [f32([3, 3], x)], { norm: 'L1' });
  assertClose(l1.data, [1 / 6, -2 / 6, 3 / 6, 0, 0, 0, -1 / 7, -2 / 7, -4 / 7]);
  const l2 = await ml('Normalizer', [f64([3, 3], x)], { norm: 'L2' });
  const n0 = Math.sqrt(14), n2 = Math.sqrt(21);
  assertClose(l2.data, [1 / n0, -2 / n0, 3 / n0, 0, 0, 0, -1 / n2, -2 / n2, -4 / n2]);
  const int = await ml('Normalizer', [i32([4], [3, 4, 0, 0])], { norm: 'L2' });
  assertClose(int.data, [0.6, 0.8, 0, 0]);
});

test('Normalizer rejects an unknown norm', async () => {
  await assert.rejects(ml('Normalizer', [f32([1, 2], [1, 2])], { norm: 'L3' }), /MAX, L1 or L2/);
});

// ---------------------------------------------------------------- Binarizer

test('Binarizer keeps the input type; NaN gives 0; default threshold 0', async () => {
  const y = await ml('Binarizer', [f32([5], [-1, 0, 0.5, 2, NaN])], { threshold: { float: 0.5 } });
  assert.equal(y.type, 'float32');
  assert.deepEqual(Array.from(y.data), [0, 0, 0, 1, 0]);
  const z = await ml('Binarizer', [i64([4], [-3, 0, 1, 7])]);
  assert.equal(z.type, 'int64');
  assert.deepEqual(Array.from(z.data), [0n, 0n, 1n, 1n]);
  const d = await ml('Binarizer', [f64([2], [0, 1e-300])]);
  assert.deepEqual(Array.from(d.data), [0, 1]);
});

// ---------------------------------------------------------------- Imputer

test('Imputer replaces NaN per feature (floats) and a sentinel (int64)', async () => {
  const y = await ml('Imputer', [f32([2, 3], [NaN, 1, NaN, 2, NaN, 3])],
    { imputed_value_floats: { floats: [10, 20, 30] }, replaced_value_float: { float: NaN } });
  assertClose(y.data, [10, 1, 30, 2, 20, 3]);
  const one = await ml('Imputer', [f32([2, 2], [0, 1, 2, 0])], { imputed_value_floats: { floats: [-1] } });
  assertClose(one.data, [-1, 1, 2, -1]); // replaced_value_float defaults to 0
  const z = await ml('Imputer', [i64([2, 2], [-1, 5, 6, -1])], { imputed_value_int64s: [100, 200], replaced_value_int64: -1 });
  assert.equal(z.type, 'int64');
  assert.deepEqual(Array.from(z.data), [100n, 5n, 6n, 200n]);
  const w = await ml('Imputer', [f64([3], [1.5, 2, 1.5])], { imputed_value_floats: { floats: [0.25] }, replaced_value_float: { float: 1.5 } });
  assertClose(w.data, [0.25, 2, 0.25]);
});

test('Imputer checks the number of imputed values against the features', async () => {
  await assert.rejects(ml('Imputer', [f32([1, 3], [0, 0, 0])], { imputed_value_floats: { floats: [1, 2] } }), /1 or one per feature/);
  await assert.rejects(ml('Imputer', [f32([1, 3], [0, 0, 0])], {}), /imputed_value/);
});

// ---------------------------------------------------------------- OneHotEncoder

test('OneHotEncoder: strings and integers add an axis; unknown gives zeros or an error', async () => {
  const y = await ml('OneHotEncoder', [str([2, 2], ['b', 'x', 'a', 'c'])], { cats_strings: ['a', 'b', 'c'] });
  assert.equal(y.type, 'float32');
  assert.deepEqual(y.dims, [2, 2, 3]);
  assert.deepEqual(Array.from(y.data), [0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1]);
  const z = await ml('OneHotEncoder', [f64([3], [4.7, -1, 2])], { cats_int64s: [2, 4, 8] });
  assert.deepEqual(z.dims, [3, 3]);
  assert.deepEqual(Array.from(z.data), [0, 1, 0, 0, 0, 0, 1, 0, 0]); // 4.7 is truncated to 4
  const w = await ml('OneHotEncoder', [i64([2], [8, 2])], { cats_int64s: [2, 4, 8], zeros: 0 });
  assert.deepEqual(Array.from(w.data), [0, 0, 1, 1, 0, 0]);
  await assert.rejects(ml('OneHotEncoder', [i64([1], [3])], { cats_int64s: [2, 4, 8], zeros: 0 }), /unknown category 3/);
  await assert.rejects(ml('OneHotEncoder', [i64([1], [3])], { cats_strings: ['a'] }), /categories are strings/);
});

// ---------------------------------------------------------------- LabelEncoder

test('LabelEncoder-1: strings to indices and indices to strings with defaults', async () => {
  const y = await ml('LabelEncoder', [str([4], ['b', 'z', 'a', 'c'])], { classes_strings: ['a', 'b', 'c'], default_int64: 42 });
  assert.equal(y.type, 'int64');
  assert.deepEqual(Array.from(y.data), [1n, 42n, 0n, 2n]);
  const z = await ml('LabelEncoder', [i64([2, 2], [2, 0, 5, -1])], { classes_strings: ['a', 'b', 'c'] });
  assert.equal(z.type, 'string');
  assert.deepEqual(z.dims, [2, 2]);
  assert.deepEqual(Array.from(z.data), ['c', 'a', '_Unused', '_Unused']);
});

test('LabelEncoder-2: every key/value type pair and the type-matched defaults', async () => {
  const si = await ml('LabelEncoder', [str([5], ['Dori', 'Amy', 'Amy', 'Sally', 'Sally'])],
    { keys_strings: ['Amy', 'Sally'], values_int64s: [5, 6] }, 2);
  assert.deepEqual(Array.from(si.data), [-1n, 5n, 5n, 6n, 6n]);
  const sf = await ml('LabelEncoder', [str([2], ['a', 'q'])], { keys_strings: ['a'], values_floats: { floats: [0.5] } }, 2);
  assert.equal(sf.type, 'float32');
  assert.equal(sf.data[0], 0.5);
  assert.ok(Object.is(sf.data[1], -0)); // default_float is -0.0
  const fs = await ml('LabelEncoder', [f32([3], [0.1, NaN, 7])], { keys_floats: { floats: [fr(0.1), NaN] }, values_strings: ['tenth', 'nan'], default_string: 'other' }, 2);
  assert.deepEqual(Array.from(fs.data), ['tenth', 'nan', 'other']);
  const ii = await ml('LabelEncoder', [i64([3], [1, 2, 3])], { keys_int64s: [1, 3], values_int64s: [10, 30], default_int64: 0 }, 3);
  assert.deepEqual(Array.from(ii.data), [10n, 0n, 30n]);
  const ff = await ml('LabelEncoder', [f32([2], [1, 2])], { keys_floats: { floats: [1] }, values_floats: { floats: [2.5] }, default_float: { float: 9 } }, 2);
  assert.deepEqual(Array.from(ff.data), [2.5, 9]);
  const is = await ml('LabelEncoder', [i64([2], [7, 8])], { keys_int64s: [7, 7], values_strings: ['first', 'last'] }, 2);
  assert.deepEqual(Array.from(is.data), ['last', '_Unused']); // a repeated key: the last one wins
});

test('LabelEncoder-2 checks keys against the input type and the list lengths', async () => {
  await assert.rejects(ml('LabelEncoder', [str([1], ['a'])], { keys_int64s: [1], values_int64s: [2] }, 2), /keys are int64/);
  await assert.rejects(ml('LabelEncoder', [str([1], ['a'])], { keys_strings: ['a', 'b'], values_int64s: [2] }, 2), /2 keys but 1 values/);
  await assert.rejects(ml('LabelEncoder', [str([1], ['a'])], { keys_strings: ['a'], values_int64s: [2], values_strings: ['x'] }, 2), /exactly one/);
});

test('LabelEncoder-4: keys_tensor / values_tensor / default_tensor and int16, int32, double elements', async () => {
  const keys: Tensor = { type: 'string', dims: [3], data: ['a', 'b', 'c'] };
  const values: Tensor = { type: 'int16', dims: [3], data: Int16Array.from([0, 1, 2]) };
  const def: Tensor = { type: 'int16', dims: [1], data: Int16Array.from([42]) };
  const y = await ml('LabelEncoder', [str([5], ['a', 'b', 'd', 'c', 'g'])], { keys_tensor: keys, values_tensor: values, default_tensor: def }, 4);
  assert.equal(y.type, 'int16');
  assert.deepEqual(Array.from(y.data), [0, 1, 42, 2, 42]);
  const dk: Tensor = { type: 'float64', dims: [2], data: Float64Array.from([0.1, NaN]) };
  const z = await ml('LabelEncoder', [f64([3], [0.1, NaN, 0.2])], { keys_tensor: dk, values_strings: ['x', 'n'] }, 4);
  assert.deepEqual(Array.from(z.data), ['x', 'n', '_Unused']);
  const ik: Tensor = { type: 'int32', dims: [2], data: Int32Array.from([-5, 5]) };
  const iv: Tensor = { type: 'float64', dims: [2], data: Float64Array.from([-0.5, 0.5]) };
  const w = await ml('LabelEncoder', [i32([3], [5, 0, -5])], { keys_tensor: ik, values_tensor: iv, default_float: { float: 3 } }, 4);
  assert.equal(w.type, 'float64');
  assert.deepEqual(Array.from(w.data), [0.5, 3, -0.5]);
  const repeated = await ml('LabelEncoder', [i64([1], [1])], { keys_int64s: [1, 1], values_int64s: [2, 3] }, 4);
  assert.deepEqual(Array.from(repeated.data), [3n]); // "If a key is repeated, the last key takes precedence"
});

// ---------------------------------------------------------------- CategoryMapper

test('CategoryMapper maps both ways with the matching default', async () => {
  const attrs = { cats_strings: ['cat', 'dog', 'cow'], cats_int64s: [1, 2, 7], default_int64: -9, default_string: 'none' };
  const y = await ml('CategoryMapper', [str([2, 2], ['dog', 'cow', 'eel', 'cat'])], attrs);
  assert.equal(y.type, 'int64');
  assert.deepEqual(y.dims, [2, 2]);
  assert.deepEqual(Array.from(y.data), [2n, 7n, -9n, 1n]);
  const z = await ml('CategoryMapper', [i64([3], [7, 3, 1])], attrs);
  assert.deepEqual(Array.from(z.data), ['cow', 'none', 'cat']);
  await assert.rejects(ml('CategoryMapper', [i64([1], [1])], { cats_strings: ['a'], cats_int64s: [] }), /1 cats_strings/);
});

// ---------------------------------------------------------------- ArrayFeatureExtractor

test('ArrayFeatureExtractor picks along the last axis; rank-1 input gives [1, k]', async () => {
  const x = f32([3, 4], Array.from({ length: 12 }, (_, i) => i));
  const y = await ml('ArrayFeatureExtractor', [x, i64([2], [0, 1])]);
  assert.deepEqual(y.dims, [3, 2]);
  assert.deepEqual(Array.from(y.data), [0, 1, 4, 5, 8, 9]);
  const s = await ml('ArrayFeatureExtractor', [str([3], ['a', 'b', 'c']), i64([1, 2], [2, 2])]);
  assert.deepEqual(s.dims, [1, 2]);
  assert.deepEqual(Array.from(s.data), ['c', 'c']);
  const r3 = await ml('ArrayFeatureExtractor', [i64([2, 1, 3], [1, 2, 3, 4, 5, 6]), i64([1], [2])]);
  assert.deepEqual(r3.dims, [2, 1, 1]);
  assert.deepEqual(Array.from(r3.data), [3n, 6n]);
  await assert.rejects(ml('ArrayFeatureExtractor', [x, i64([1], [4])]), /out of range/);
});

// ---------------------------------------------------------------- FeatureVectorizer

test('FeatureVectorizer concatenates, truncates and pads to inputdimensions', async () => {
  const [y] = await runOp('FeatureVectorizer', [f64([2, 3], [1, 2, 3, 4, 5, 6]), f64([2, 1], [7, 8]), f64([2, 2], [9, 10, 11, 12])],
    { inputdimensions: [2, 2, 2] }, { domain: ML, opset: 1 });
  assert.equal(y.type, 'float32');
  assert.deepEqual(y.dims, [2, 6]);
  assert.deepEqual(Array.from(y.data), [1, 2, 7, 0, 9, 10, 4, 5, 8, 0, 11, 12]);
  const [z] = await runOp('FeatureVectorizer', [i64([3], [1, 2, 3]), i64([1, 2], [4, 5])], { inputdimensions: [3, 2] }, { domain: ML, opset: 1 });
  assert.deepEqual(z.dims, [1, 5]);
  assert.deepEqual(Array.from(z.data), [1, 2, 3, 4, 5]);
  await assert.rejects(runOp('FeatureVectorizer', [f32([1, 1], [1])], { inputdimensions: [1, 1] }, { domain: ML, opset: 1 }), /inputdimensions/);
});

// ---------------------------------------------------------------- map and sequence ops

function mapInfo(name: string, keyType: 'string' | 'int64', valueType: 'float32' | 'float64' | 'int64' | 'string'): OnnxNs.IValueInfoProto {
  const codes = { string: 8, int64: 7, float32: 1, float64: 11 } as const;
  return { name, type: { mapType: { keyType: codes[keyType], valueType: { tensorType: { elemType: codes[valueType] } } } } };
}

async function mapModel(op: string, input: OnnxNs.IValueInfoProto, attrs: Record<string, AttrInput>) {
  const g = graph({
    nodes: [{ op, inputs: [input.name ?? 'x'], outputs: ['y'], attrs, domain: ML }],
    inputs: [input],
    outputs: [{ name: 'y' }],
  });
  const { mod } = await compileBytes(modelBytes(g, { '': 17, [ML]: 1 }));
  return (x: unknown) => mod.run({ [input.name ?? 'x']: x }).y as Out;
}

test('DictVectorizer: string and int64 vocabularies, absent keys are zero, unknown keys ignored', async () => {
  const run = await mapModel('DictVectorizer', mapInfo('x', 'string', 'float32'), { string_vocabulary: ['a', 'c', 'b', 'z'] });
  const y = run(new Map([['a', 4], ['c', 8], ['q', 1]]));
  assert.equal(y.type, 'float32');
  assert.deepEqual(y.dims, [1, 4]);
  assert.deepEqual(Array.from(y.data), [4, 8, 0, 0]);
  assert.deepEqual(Array.from(run({ b: 2.5 }).data), [0, 0, 2.5, 0]); // a plain object is a map too
  const ints = await mapModel('DictVectorizer', mapInfo('x', 'int64', 'string'), { int64_vocabulary: [3, 1, 2] });
  const s = ints(new Map([[1, 'one'], [3, 'three']]));
  assert.equal(s.type, 'string');
  assert.deepEqual(Array.from(s.data), ['three', 'one', '']);
  const i64run = await mapModel('DictVectorizer', mapInfo('x', 'string', 'int64'), { string_vocabulary: ['u', 'v'] });
  const v = i64run(new Map([['v', 12]]));
  assert.equal(v.type, 'int64');
  assert.deepEqual(Array.from(v.data), [0n, 12n]);
});

test('DictVectorizer rejects a vocabulary of the wrong key type', async () => {
  await assert.rejects(mapModel('DictVectorizer', mapInfo('x', 'int64', 'float32'), { string_vocabulary: ['a'] }), /int64 keys but a string vocabulary/);
});

test('CastMap: dense and sparse forms, the three target types', async () => {
  const dense = await mapModel('CastMap', mapInfo('x', 'int64', 'float32'), {});
  const y = dense(new Map([[5, 0.5], [1, 1.5], [3, -2]]));
  assert.equal(y.type, 'float32');
  assert.deepEqual(y.dims, [1, 3]);
  assert.deepEqual(Array.from(y.data), [1.5, -2, 0.5]); // ascending keys
  const sparse = await mapModel('CastMap', mapInfo('x', 'int64', 'float32'), { map_form: 'SPARSE', max_map: 5, cast_to: 'TO_INT64' });
  const z = sparse(new Map([[4, 7.9], [1, -2.5], [9, 1]]));
  assert.equal(z.type, 'int64');
  assert.deepEqual(z.dims, [1, 5]);
  assert.deepEqual(Array.from(z.data), [0n, -2n, 0n, 0n, 7n]);
  const strs = await mapModel('CastMap', mapInfo('x', 'int64', 'float32'), { cast_to: 'TO_STRING', map_form: 'SPARSE', max_map: 3 });
  assert.deepEqual(Array.from(strs(new Map([[0, 0.1], [2, -3]])).data), ['0.100000', '0.f', '-3.000000']);
  const fromStrings = await mapModel('CastMap', mapInfo('x', 'int64', 'string'), { cast_to: 'TO_FLOAT' });
  assert.deepEqual(Array.from(fromStrings(new Map([[2, ' 2.5e1xyz'], [1, '-0.25']])).data), [-0.25, 25]);
  assert.throws(() => fromStrings(new Map([[1, 'abc']])), /cannot convert "abc" to a float/);
});

test('CastMap string conversions follow std::stof, std::stoll and std::to_string', () => {
  assert.equal(parseFloatPrefix('  1.5e2abc'), 150);
  assert.equal(parseFloatPrefix('-inf'), -Infinity);
  assert.ok(Number.isNaN(parseFloatPrefix('nan')));
  assert.equal(parseFloatPrefix('0x1.8p1'), 3);
  assert.equal(parseFloatPrefix('0.1'), fr(0.1));
  assert.equal(parseInt64Prefix(' -42.9'), -42n);
  assert.equal(parseInt64Prefix('9223372036854775807'), 9223372036854775807n);
  assert.throws(() => parseInt64Prefix('9223372036854775808'), /out of the int64 range/);
  assert.equal(floatToString(1.5), '1.500000');
  assert.equal(floatToString(-0), '-0.000000');
  assert.equal(floatToString(0.1), '0.100000');
  assert.equal(floatToString(2 ** -7), '0.007812'); // 0.0078125: a tie, rounded to even as printf does
  assert.equal(floatToString(3 * 2 ** -7), '0.023438'); // 0.0234375: the tie rounds up to the even 8
  assert.equal(floatToString(1e30), '1000000015047466219876688855040.000000');
  assert.equal(floatToString(NaN), 'nan');
  assert.equal(floatToString(-Infinity), '-inf');
});

test('ZipMap: a sequence of maps with string or int64 keys; rank 1 is one row', async () => {
  const g = (attrs: Record<string, AttrInput>, dims: (number | string)[]) => graph({
    nodes: [{ op: 'ZipMap', inputs: ['x'], outputs: ['z'], attrs, domain: ML }],
    inputs: [valueInfo('x', 'float32', dims)],
    outputs: [{ name: 'z' }],
  });
  const { mod } = await compileBytes(modelBytes(g({ classlabels_strings: ['setosa', 'versicolor'] }, ['N', 2]), { '': 17, [ML]: 1 }));
  const z = mod.run({ x: { type: 'float32', dims: [2, 2], data: [0.25, 0.75, 1, 0] } }).z as unknown as Map<string, number>[];
  assert.ok(Array.isArray(z));
  assert.equal(z.length, 2);
  assert.ok(z[0] instanceof Map);
  assert.deepEqual([...z[0]], [['setosa', 0.25], ['versicolor', 0.75]]);
  assert.deepEqual([...z[1]], [['setosa', 1], ['versicolor', 0]]);
  const ints = await compileBytes(modelBytes(g({ classlabels_int64s: [10, 20, 30] }, ['C']), { '': 17, [ML]: 1 }));
  const w = ints.mod.run({ x: { type: 'float32', dims: [3], data: [0.1, 0.2, 0.7] } }).z as unknown as Map<number, number>[];
  assert.equal(w.length, 1);
  assert.deepEqual([...w[0]], [[10, fr(0.1)], [20, fr(0.2)], [30, fr(0.7)]]);
  assert.throws(() => ints.mod.run({ x: { type: 'float32', dims: [2], data: [0.5, 0.5] } }), /2 columns but 3 class labels/);
});

test('ZipMap outputs are returned without a copy yet stay the caller\'s: kept across calls, distinct when output twice', async () => {
  // The generated run() hands ZipMap's freshly built maps to the caller as they are
  // (generators/module/specializers.ts, producesFreshValues); a second call must not
  // touch what the first returned, and the same value named by two outputs must not
  // give the caller one shared object.
  const g = graph({
    nodes: [
      { op: 'ZipMap', inputs: ['x'], outputs: ['z'], attrs: { classlabels_strings: ['a', 'b'] }, domain: ML },
      { op: 'Identity', inputs: ['z'], outputs: ['z2'] },
    ],
    inputs: [valueInfo('x', 'float32', ['N', 2])],
    outputs: [{ name: 'z' }, { name: 'z2' }],
  });
  const { mod } = await compileBytes(modelBytes(g, { '': 17, [ML]: 1 }));
  const first = mod.run({ x: { type: 'float32', dims: [1, 2], data: [0.25, 0.75] } });
  const z1 = first.z as unknown as Map<string, number>[], z2 = first.z2 as unknown as Map<string, number>[];
  assert.deepEqual([...z1[0]], [['a', 0.25], ['b', 0.75]]);
  assert.deepEqual([...z2[0]], [['a', 0.25], ['b', 0.75]]);
  assert.notEqual(z1, z2);
  assert.notEqual(z1[0], z2[0]);
  z2[0].set('a', 9);
  assert.equal(z1[0].get('a'), 0.25);
  const second = mod.run({ x: { type: 'float32', dims: [1, 2], data: [0.5, 0.5] } });
  assert.deepEqual([...(second.z as unknown as Map<string, number>[])[0]], [['a', 0.5], ['b', 0.5]]);
  assert.deepEqual([...z1[0]], [['a', 0.25], ['b', 0.75]], 'the first result is unchanged by the second call');
});
