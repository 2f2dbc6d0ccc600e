// ai.onnx.ml model operators: TreeEnsembleClassifier and TreeEnsembleRegressor (1, 3),
// TreeEnsemble (5), LinearClassifier, LinearRegressor, SVMClassifier and SVMRegressor
// (1). Kernels: runtime/ml/tree-ensemble.ts, linear.ts, svm.ts.
//
// Every attribute is checked and normalised here, at compile time, into typed arrays
// (embedded in the module as constants) and small numbers; the kernels only index.
// Tree lists are laid out by runtime/ml/tree-build.ts.
//
// Where the ONNX documents are silent, onnxruntime's behaviour is followed (it is what
// converters are validated against), except where it contradicts the documents or its
// own outputs. Unlike onnxruntime 1.30:
// - post_transform applies to single-target regressors (it applies only PROBIT, or
//   nothing for SVMRegressor) and to the binary tree classifier's pair of scores;
// - TreeEnsemble-5's post_transform codes are read as documented (1 SOFTMAX,
//   2 LOGISTIC; it swaps them);
// - base_values are added to regression targets no leaf voted for (it drops them),
//   and several votes of one leaf for one target are summed (it keeps the first);
// - a two-class TreeEnsembleClassifier with votes for both classes labels by the top
//   score (it returns 1 or 0, whether score[1] > 0, not a class label); in the binary
//   case votes on class id 1 give the same pair as on 0 (it writes [0, s]);
// - binary SVMClassifier scores are post_transform([-s, s]), as in the ONNX reference
//   implementation (it writes [1 - s, s] untransformed for any transform but NONE);
// - a tree's root is its node no other node points to (it takes the first listed);
// - double inputs are computed in float64 (it rounds them to float32 for the linear
//   and SVM models); a float32 input meets float64 split values (*_as_tensor)
//   exactly (it refuses the model).

import * as linear from '../../../../runtime/ml/linear.js';
import { POST_NONE, POST_PROBIT, postTransformCode } from '../../../../runtime/ml/post-transform.js';
import * as svm from '../../../../runtime/ml/svm.js';
import { forestFromV3, forestFromV5, layoutForest, type ForestLayout, type RawForest } from '../../../../runtime/ml/tree-build.js';
import * as trees from '../../../../runtime/ml/tree-ensemble.js';
import type { DType, Tensor, TensorData } from '../../../../runtime/tensor/tensor.js';
import { fail } from '../../../diagnostics/diagnostic.js';
import { tensorType, type Dim, type IrType } from '../../../ir/types.js';
import type { AttrReader } from '../attrs.js';
import { kernelsOf, type AnyOpDef, type AttrContext } from './types.js';

const kt = kernelsOf('ml/tree-ensemble', trees);
const kl = kernelsOf('ml/linear', linear);
const ks = kernelsOf('ml/svm', svm);

const DOMAIN = 'ai.onnx.ml';
const NUMERIC: readonly DType[] = ['float32', 'float64', 'int64', 'int32'];
const LABEL_TYPES: readonly DType[] = ['int64', 'string'];

type Shapes = readonly (readonly Dim[] | null)[];

// ------------------------------------------------------------------ helpers

function badAttr(attribute: string, message: string): never {
  return fail('MLC2003', `attribute "${attribute}" ${message}`);
}

function vector(type: DType, data: TensorData): Tensor {
  return { type, dims: [data.length], data };
}

/** The batch size of an [N, F] or [F] input shape. */
function rowsOf(x: readonly Dim[] | null): Dim {
  return x === null ? null : x.length === 2 ? x[0] : 1;
}

function inputDtype(ctx: AttrContext): DType | undefined {
  const t = ctx.inputTypes[0];
  return t !== undefined && t.kind === 'tensor' ? t.dtype : undefined;
}

/** The static feature count of the input, when known. */
function inputFeatures(ctx: AttrContext): number | undefined {
  const t = ctx.inputTypes[0];
  if (t === undefined || t.kind !== 'tensor' || t.shape === null || t.shape.length === 0) return undefined;
  const f = t.shape[t.shape.length - 1];
  return typeof f === 'number' ? f : undefined;
}

/** A float list given either as `name` (floats) or, when allowed, as `name_as_tensor` (float or double). */
function floatsOrTensor(a: AttrReader, name: string, allowTensor: boolean): { values: ArrayLike<number>; double: boolean } {
  const tensorName = `${name}_as_tensor`;
  const t = allowTensor ? a.tensor(tensorName, true) : undefined;
  const list = a.floats(name, []);
  if (t === undefined) return { values: list, double: false };
  if (list.length > 0 && t.data.length > 0) badAttr(name, `and "${tensorName}" are both set; give one`);
  if (t.type !== 'float32' && t.type !== 'float64') badAttr(tensorName, `must hold float or double values, got ${t.type}`);
  return { values: t.data as Float32Array | Float64Array, double: t.type === 'float64' };
}

/** An attribute tensor of floating-point values (TreeEnsemble-5's nodes_splits, leaf_weights...). */
function floatTensor(a: AttrReader, name: string, optional = false): Tensor | undefined {
  const t = optional ? a.tensor(name, true) : a.tensor(name);
  if (t !== undefined && t.type !== 'float32' && t.type !== 'float64' && t.type !== 'float16') {
    badAttr(name, `must hold float, double or float16 values, got ${t.type}`);
  }
  return t;
}

function postTransform(a: AttrReader): number {
  const name = a.string('post_transform', 'NONE');
  const code = postTransformCode(name);
  if (code < 0) badAttr('post_transform', `is ${JSON.stringify(name)}; expected NONE, SOFTMAX, LOGISTIC, SOFTMAX_ZERO or PROBIT`);
  return code;
}

/** The class labels: exactly one of the int64 list (`intsName`) and classlabels_strings. */
function classLabels(a: AttrReader, intsName: string): Tensor {
  const strings = a.strings('classlabels_strings', []);
  const ints = a.ints(intsName, []);
  if (strings.length > 0 && ints.length > 0) badAttr('classlabels_strings', `and "${intsName}" are both set; give one`);
  if (strings.length > 0) return vector('string', strings);
  if (ints.length === 0) fail('MLC2003', `a classifier needs class labels ("${intsName}" or "classlabels_strings")`);
  return vector('int64', BigInt64Array.from(ints, (v) => BigInt(v)));
}

const classifierOutputs = (_ctx: AttrContext, attrs: { labels: Tensor }): IrType[] =>
  [tensorType(attrs.labels.type, null), tensorType('float32', null)];

// ------------------------------------------------------------------ tree ensembles

/** The kernel's view of a laid-out forest: typed arrays wrapped as tensors. */
function forestAttrs(raw: RawForest, targets: number, doubleThresholds: boolean): trees.ForestAttrs {
  const f: ForestLayout = layoutForest(raw, targets, doubleThresholds, badAttr);
  const t = (type: DType, d: TensorData | null): Tensor | null => (d === null ? null : vector(type, d));
  return {
    nodes: vector('int32', f.nodes),
    double: f.double,
    nanc: t('int32', f.nanc),
    mode: t('uint8', f.mode),
    uniform: f.uniform,
    members: t('float64', f.members),
    roots: vector('int32', f.roots),
    leafStart: t('int32', f.leafStart),
    leafTarget: t('int32', f.leafTarget),
    leafWeight: vector(f.leafWeight instanceof Float64Array ? 'float64' : 'float32', f.leafWeight),
    targets,
    maxFeature: f.maxFeature,
  };
}

/**
 * The nodes_* attributes of TreeEnsembleClassifier/Regressor and their weights (class_*
 * or target_*): the laid-out forest, and the weights' ids and values as read.
 */
function v3Forest(a: AttrReader, prefix: 'class' | 'target', targets: number, asTensor: boolean):
    { forest: trees.ForestAttrs; ids: readonly number[]; weights: ArrayLike<number> } {
  const values = floatsOrTensor(a, 'nodes_values', asTensor);
  const weights = floatsOrTensor(a, `${prefix}_weights`, asTensor);
  const ids = a.ints(`${prefix}_ids`, []);
  floatsOrTensor(a, 'nodes_hitrates', asTensor); // unused for inference, checked for type
  const raw = forestFromV3({
    treeIds: a.ints('nodes_treeids', []),
    nodeIds: a.ints('nodes_nodeids', []),
    featureIds: a.ints('nodes_featureids', []),
    modes: a.strings('nodes_modes', []),
    values: values.values,
    trueIds: a.ints('nodes_truenodeids', []),
    falseIds: a.ints('nodes_falsenodeids', []),
    missingTrue: a.ints('nodes_missing_value_tracks_true', []),
    weightTree: a.ints(`${prefix}_treeids`, []),
    weightNode: a.ints(`${prefix}_nodeids`, []),
    weightId: ids,
    weightValue: weights.values,
    prefix,
    targets,
  }, badAttr);
  if (raw.roots.length === 0) badAttr('nodes_treeids', 'is empty: the ensemble has no tree');
  return { forest: forestAttrs(raw, targets, values.double), ids, weights: weights.values };
}

function baseValues(a: AttrReader, asTensor: boolean, allowed: (n: number) => boolean, expected: string): Tensor {
  const base = floatsOrTensor(a, 'base_values', asTensor).values;
  if (!allowed(base.length)) badAttr('base_values', `has ${base.length} values; expected ${expected}`);
  return vector('float64', Float64Array.from(base));
}

function treeClassifierAttrs(a: AttrReader, asTensor: boolean): trees.ClassifierAttrs {
  const labels = classLabels(a, 'classlabels_int64s');
  const k = labels.data.length;
  if (k < 2) fail('MLC3005', `TreeEnsembleClassifier with ${k} class label is not supported; it needs at least 2`);
  const post = postTransform(a);
  const { forest, ids, weights } = v3Forest(a, 'class', k, asTensor);
  const base = baseValues(a, asTensor, (n) => n === 0 || n === k || (k === 2 && n === 1), `0, 1 (two classes) or ${k}`);
  // The binary case: two labels and every weight for the same class id.
  const classes = new Set(ids);
  let nonNegative = true;
  for (let i = 0; i < weights.length; i++) if (weights[i] < 0) nonNegative = false;
  const binaryClass = k === 2 && classes.size === 1 ? [...classes][0] : -1;
  return { ...forest, base, post, labels, binaryClass, binaryProbability: trees.binaryIsProbability(nonNegative, post) };
}

function aggregateCode(a: AttrReader): number {
  const name = a.string('aggregate_function', 'SUM');
  const code = ['AVERAGE', 'SUM', 'MIN', 'MAX'].indexOf(name);
  if (code < 0) badAttr('aggregate_function', `is ${JSON.stringify(name)}; expected AVERAGE, SUM, MIN or MAX`);
  return code;
}

function treeRegressorAttrs(a: AttrReader, asTensor: boolean): trees.RegressorAttrs {
  // Without n_targets, as many targets as the highest target id tells.
  const targets = a.has('n_targets') ? a.int('n_targets') : a.ints('target_ids', []).reduce((m, v) => Math.max(m, v + 1), 1);
  if (targets < 1) badAttr('n_targets', `is ${targets}; it must be at least 1`);
  const aggregate = aggregateCode(a);
  const post = postTransform(a);
  const { forest } = v3Forest(a, 'target', targets, asTensor);
  const base = baseValues(a, asTensor, (n) => n === 0 || n === targets, `0 or ${targets} (n_targets)`);
  return { ...forest, aggregate, base: base.data.length > 0 ? base : null, post, outType: 'float32' };
}

function intCode(a: AttrReader, name: string, def: number, max: number): number {
  const v = a.int(name, def);
  if (!(v >= 0 && v <= max)) badAttr(name, `is ${v}; expected 0 to ${max}`);
  return v;
}

/** TreeEnsemble-5: interior nodes and leaves in separate lists, split values typed like the input. */
function treeEnsembleAttrs(a: AttrReader, ctx: AttrContext): trees.RegressorAttrs {
  const targets = a.int('n_targets');
  if (targets < 1) badAttr('n_targets', `is ${targets}; it must be at least 1`);
  const splits = floatTensor(a, 'nodes_splits') as Tensor;
  const leafWeights = floatTensor(a, 'leaf_weights') as Tensor;
  const membership = floatTensor(a, 'membership_values', true);
  floatTensor(a, 'nodes_hitrates', true); // unused for inference, checked for type
  const modes = a.tensor('nodes_modes');
  if (modes.type !== 'uint8') badAttr('nodes_modes', `must be a uint8 tensor, got ${modes.type}`);
  const x = inputDtype(ctx);
  for (const [name, t] of [['nodes_splits', splits], ['leaf_weights', leafWeights], ['membership_values', membership]] as const) {
    if (t !== undefined && x !== undefined && t.type !== x) badAttr(name, `has element type ${t.type}; the input X is ${x}`);
  }
  const raw = forestFromV5({
    featureIds: a.ints('nodes_featureids'),
    modes: modes.data as Uint8Array,
    splits: splits.data as Float32Array | Float64Array,
    trueIds: a.ints('nodes_truenodeids'),
    falseIds: a.ints('nodes_falsenodeids'),
    trueLeafs: a.ints('nodes_trueleafs'),
    falseLeafs: a.ints('nodes_falseleafs'),
    missingTrue: a.ints('nodes_missing_value_tracks_true', []),
    membership: membership === undefined ? null : (membership.data as Float32Array | Float64Array),
    treeRoots: a.ints('tree_roots'),
    leafTargets: a.ints('leaf_targetids'),
    leafWeights: leafWeights.data as Float32Array | Float64Array,
    targets,
  }, badAttr);
  if (raw.roots.length === 0) badAttr('tree_roots', 'is empty: the ensemble has no tree');
  const post = intCode(a, 'post_transform', POST_NONE, POST_PROBIT);
  const aggregate = intCode(a, 'aggregate_function', trees.AGG_SUM, trees.AGG_MAX);
  const outType = x === 'float32' || x === 'float64' || x === 'float16' ? x : null;
  return { ...forestAttrs(raw, targets, splits.type === 'float64'), aggregate, base: null, post, outType };
}

const treeClassifierShapes = ([x]: Shapes, attrs: trees.ClassifierAttrs): Shapes => [[rowsOf(x)], [rowsOf(x), attrs.targets]];
const treeRegressorShapes = ([x]: Shapes, attrs: trees.RegressorAttrs): Shapes => [[rowsOf(x), attrs.targets]];

function treeEntries(since: number, until: number, asTensor: boolean): AnyOpDef[] {
  return [
    {
      op: 'TreeEnsembleClassifier', domain: DOMAIN, since, until, kernel: kt('treeEnsembleClassifier'),
      constraints: { T1: NUMERIC, T2: LABEL_TYPES }, inputs: ['T1'], outputs: ['T2', 'float32'],
      attrs: (a: AttrReader) => treeClassifierAttrs(a, asTensor), outputTypes: classifierOutputs, shapes: treeClassifierShapes,
    },
    {
      op: 'TreeEnsembleRegressor', domain: DOMAIN, since, until, kernel: kt('treeEnsembleRegressor'),
      constraints: { T: NUMERIC }, inputs: ['T'], outputs: ['float32'],
      attrs: (a: AttrReader) => treeRegressorAttrs(a, asTensor), shapes: treeRegressorShapes,
    },
  ];
}

// ------------------------------------------------------------------ linear models

function coefficientsTensor(a: AttrReader): Tensor {
  const c = a.floats('coefficients');
  if (c.length === 0) badAttr('coefficients', 'is empty');
  return vector('float32', Float32Array.from(c));
}

function linearClassifierAttrs(a: AttrReader, ctx: AttrContext): linear.LinearClassifierAttrs {
  const labels = classLabels(a, 'classlabels_ints');
  const coefficients = coefficientsTensor(a);
  const intercepts = a.floats('intercepts', []);
  a.int('multi_class', 0); // OvR or multinomial: the scores are computed the same way
  const n = coefficients.data.length, k = labels.data.length;
  const f = inputFeatures(ctx);
  if (f !== undefined && f > 0 && n % f !== 0) badAttr('coefficients', `has ${n} values, not a multiple of the input's ${f} features`);
  // One row of coefficients per score column: as many as intercepts, else as the input's features tell.
  const columns = intercepts.length > 0 ? intercepts.length : f !== undefined && f > 0 ? n / f : -1;
  if (columns >= 0) {
    if (n % columns !== 0) badAttr('coefficients', `has ${n} values, not a multiple of the ${columns} intercepts`);
    if (columns !== k && !(columns === 1 && k === 2)) {
      badAttr('coefficients', `hold ${columns} rows of weights for ${k} class labels; expected one row per class (or one row for two classes)`);
    }
  }
  return {
    coefficients, intercepts: intercepts.length > 0 ? vector('float32', Float32Array.from(intercepts)) : null,
    columns: intercepts.length > 0 ? columns : -1, labels, post: postTransform(a),
  };
}

function linearRegressorAttrs(a: AttrReader): linear.LinearRegressorAttrs {
  const targets = a.int('targets', 1);
  if (targets < 1) badAttr('targets', `is ${targets}; it must be at least 1`);
  const coefficients = coefficientsTensor(a);
  if (coefficients.data.length % targets !== 0) badAttr('coefficients', `has ${coefficients.data.length} values, not a multiple of targets (${targets})`);
  const intercepts = a.floats('intercepts', []);
  if (intercepts.length !== 0 && intercepts.length !== targets) badAttr('intercepts', `has ${intercepts.length} values; expected ${targets} (targets)`);
  return {
    coefficients, intercepts: intercepts.length > 0 ? vector('float32', Float32Array.from(intercepts)) : null,
    targets, post: postTransform(a),
  };
}

// ------------------------------------------------------------------ support vector machines

function svmKernel(a: AttrReader, features: number): svm.SvmKernel {
  const name = a.string('kernel_type', 'LINEAR');
  const kernel = ['LINEAR', 'POLY', 'RBF', 'SIGMOID'].indexOf(name);
  if (kernel < 0) badAttr('kernel_type', `is ${JSON.stringify(name)}; expected LINEAR, POLY, RBF or SIGMOID`);
  const p = a.floats('kernel_params', []);
  if (p.length !== 0 && p.length !== 3) badAttr('kernel_params', `has ${p.length} values; expected gamma, coef0 and degree`);
  const [gamma, coef0, degree] = p.length === 3 ? p : [0, 0, 0];
  return { kernel, gamma, coef0, degree, features };
}

/** The support vectors as a [V, F] table; returns F. */
function supportVectors(a: AttrReader, count: number): { vectors: Tensor; features: number } {
  const sv = a.floats('support_vectors', []);
  if (count <= 0 || sv.length === 0 || sv.length % count !== 0) {
    badAttr('support_vectors', `has ${sv.length} values, not a whole number of features for each of the ${count} support vectors`);
  }
  return { vectors: vector('float32', Float32Array.from(sv)), features: sv.length / count };
}

function svmClassifierAttrs(a: AttrReader): svm.SvmClassifierAttrs {
  const labels = classLabels(a, 'classlabels_ints');
  const c = labels.data.length;
  const coefficients = coefficientsTensor(a);
  const rho = vector('float64', Float64Array.from(a.floats('rho')));
  const probA = a.floats('prob_a', []), probB = a.floats('prob_b', []);
  if (probA.length !== probB.length) badAttr('prob_b', `has ${probB.length} values; prob_a has ${probA.length}`);
  const perClass = a.ints('vectors_per_class', []);
  const pairs = (c * (c - 1)) / 2;
  const post = postTransform(a);
  const probabilities = probA.length > 0 ? { probA: vector('float64', Float64Array.from(probA)), probB: vector('float64', Float64Array.from(probB)) } : { probA: null, probB: null };
  if (perClass.length === 0) {
    // LIBLINEAR form: one row of coefficients per class, rho[0] added to each score.
    const features = coefficients.data.length / c;
    if (!Number.isInteger(features)) badAttr('coefficients', `has ${coefficients.data.length} values, not one row per class (${c})`);
    if (rho.data.length < 1) badAttr('rho', 'is empty');
    return { ...svmKernel(a, features), kernel: svm.KERNEL_LINEAR, labels, vectors: null, perClass: null, starts: null, coefficients, rho, probA: null, probB: null, post };
  }
  if (c < 2) fail('MLC3005', `SVMClassifier with ${c} class label is not supported; it needs at least 2`);
  if (perClass.length !== c) badAttr('vectors_per_class', `has ${perClass.length} values; there are ${c} classes`);
  if (perClass.some((v) => v < 0)) badAttr('vectors_per_class', 'has a negative count');
  const starts = new Int32Array(c);
  for (let i = 1; i < c; i++) starts[i] = starts[i - 1] + perClass[i - 1];
  const count = starts[c - 1] + perClass[c - 1];
  const { vectors, features } = supportVectors(a, count);
  if (coefficients.data.length !== (c - 1) * count) badAttr('coefficients', `has ${coefficients.data.length} values; expected (classes - 1) × support vectors = ${(c - 1) * count}`);
  if (rho.data.length !== pairs) badAttr('rho', `has ${rho.data.length} values; expected one per pair of classes (${pairs})`);
  if (probA.length !== 0 && probA.length !== pairs) badAttr('prob_a', `has ${probA.length} values; expected one per pair of classes (${pairs})`);
  const kernel = svmKernel(a, features);
  return {
    ...kernel, labels, vectors, perClass: vector('int32', Int32Array.from(perClass)), starts: vector('int32', starts),
    coefficients, rho, ...probabilities, post,
    pairWeights: kernel.kernel === svm.KERNEL_LINEAR ? linearPairWeights(vectors, coefficients, perClass, starts, features) : null,
  };
}

/**
 * With a linear kernel, Σ coef·(x·sv) over a pair's support vectors is x · (Σ coef·sv):
 * one weight row per pairwise classifier, computed once here in float64.
 */
function linearPairWeights(vectors: Tensor, coefficients: Tensor, perClass: readonly number[], starts: Int32Array, f: number): Tensor {
  const c = perClass.length, v = (vectors.data as Float32Array).length / f;
  const sv = vectors.data as Float32Array, coef = coefficients.data as Float32Array | Float64Array;
  const w = new Float64Array(((c * (c - 1)) / 2) * f);
  const addClass = (row: number, cls: number, coefRow: number): void => {
    for (let m = starts[cls], e = m + perClass[cls]; m < e; m++) {
      const k = coef[coefRow * v + m];
      for (let i = 0; i < f; i++) w[row * f + i] += k * sv[m * f + i];
    }
  };
  for (let i = 0, idx = 0; i < c; i++) {
    for (let j = i + 1; j < c; j++, idx++) {
      addClass(idx, i, j - 1);
      addClass(idx, j, i);
    }
  }
  return { type: 'float64', dims: [w.length / f, f], data: w };
}

function svmClassifierShapes([x]: Shapes, attrs: svm.SvmClassifierAttrs): Shapes {
  const cols = svm.svmScoreColumns(attrs.labels.data.length, attrs.vectors !== null, attrs.probA !== null);
  return [[rowsOf(x)], [rowsOf(x), cols]];
}

function svmRegressorAttrs(a: AttrReader): svm.SvmRegressorAttrs {
  const coefficients = coefficientsTensor(a);
  const rho = a.floats('rho');
  if (rho.length < 1) badAttr('rho', 'is empty');
  const count = a.int('n_supports', 0);
  const oneClass = a.int('one_class', 0) !== 0;
  const post = postTransform(a);
  if (count === 0) {
    return { ...svmKernel(a, coefficients.data.length), kernel: svm.KERNEL_LINEAR, vectors: null, coefficients, rho: rho[0], oneClass, post };
  }
  const { vectors, features } = supportVectors(a, count);
  if (coefficients.data.length !== count) badAttr('coefficients', `has ${coefficients.data.length} values; expected one per support vector (${count})`);
  const kernel = svmKernel(a, features);
  if (kernel.kernel === svm.KERNEL_LINEAR) {
    // x · Σ coef_v·sv_v: the support vectors fold into one weight row (float64).
    const sv = vectors.data as Float32Array, coef = coefficients.data as Float32Array | Float64Array;
    const w = new Float64Array(features);
    for (let m = 0; m < count; m++) for (let i = 0; i < features; i++) w[i] += coef[m] * sv[m * features + i];
    return { ...kernel, vectors: null, coefficients: { type: 'float64', dims: [features], data: w }, rho: rho[0], oneClass, post };
  }
  return { ...kernel, vectors, coefficients, rho: rho[0], oneClass, post };
}

// ------------------------------------------------------------------ registry entries

export const OPS: readonly AnyOpDef[] = [
  // TreeEnsembleClassifier/Regressor-3 added the *_as_tensor attributes (double
  // precision); both were deprecated by TreeEnsemble at ai.onnx.ml 5.
  ...treeEntries(1, 2, false),
  ...treeEntries(3, 4, true),
  {
    op: 'TreeEnsemble', domain: DOMAIN, since: 5, kernel: kt('treeEnsemble'),
    constraints: { T: ['float32', 'float64', 'float16'] }, inputs: ['T'], outputs: ['T'],
    attrs: treeEnsembleAttrs, shapes: treeRegressorShapes,
  },
  {
    op: 'LinearClassifier', domain: DOMAIN, since: 1, kernel: kl('linearClassifier'),
    constraints: { T1: NUMERIC, T2: LABEL_TYPES }, inputs: ['T1'], outputs: ['T2', 'float32'],
    attrs: linearClassifierAttrs, outputTypes: classifierOutputs,
    shapes: ([x]: Shapes, attrs: linear.LinearClassifierAttrs) => [[rowsOf(x)], [rowsOf(x), attrs.labels.data.length]],
  },
  {
    op: 'LinearRegressor', domain: DOMAIN, since: 1, kernel: kl('linearRegressor'),
    constraints: { T: NUMERIC }, inputs: ['T'], outputs: ['float32'],
    attrs: linearRegressorAttrs, shapes: ([x]: Shapes, attrs: linear.LinearRegressorAttrs) => [[rowsOf(x), attrs.targets]],
  },
  {
    op: 'SVMClassifier', domain: DOMAIN, since: 1, kernel: ks('svmClassifier'),
    constraints: { T1: NUMERIC, T2: LABEL_TYPES }, inputs: ['T1'], outputs: ['T2', 'float32'],
    attrs: svmClassifierAttrs, outputTypes: classifierOutputs, shapes: svmClassifierShapes,
  },
  {
    op: 'SVMRegressor', domain: DOMAIN, since: 1, kernel: ks('svmRegressor'),
    constraints: { T: NUMERIC }, inputs: ['T'], outputs: ['float32'],
    attrs: svmRegressorAttrs, shapes: ([x]: Shapes) => [[rowsOf(x), 1]],
  },
];
