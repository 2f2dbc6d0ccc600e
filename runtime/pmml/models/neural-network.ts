// NeuralNetwork: a feed-forward network of NeuralInputs (DerivedField
// expressions), NeuralLayers of Neurons with weighted connections, and
// NeuralOutputs that map output neurons to the target: NormDiscrete per class
// (classification: the neuron's activation is the class probability), FieldRef
// or NormContinuous (regression: the activation, de-normalised).
//
// Compile time: every neuron gets an index into one Float64Array of node values
// (inputs first, then the neurons of each layer in order); connections become
// flat (from-index, weight) arrays per layer. Scoring a row fills that buffer in
// one pass.

import { child, childPath, fail, numAttr, optNumAttr, parseNumber, unsupported } from '../el.js';
import type { El, Env, Evaluator, ModelCompiler, ModelContext, ModelResult, Value } from '../types.js';
import { categoryKey, parseValue, toNumber } from '../values.js';

/** The activation functions of PMML 4.4, with their numeric codes. */
const ACTIVATIONS = [
  'threshold', 'logistic', 'tanh', 'identity', 'exponential', 'reciprocal', 'square',
  'Gauss', 'sine', 'cosine', 'Elliott', 'arctan', 'rectifier', 'radialBasis',
] as const;
type Activation = (typeof ACTIVATIONS)[number];

const THRESHOLD = 0;
const LOGISTIC = 1;
const TANH = 2;
const IDENTITY = 3;
const EXPONENTIAL = 4;
const RECIPROCAL = 5;
const SQUARE = 6;
const GAUSS = 7;
const SINE = 8;
const COSINE = 9;
const ELLIOTT = 10;
const ARCTAN = 11;
const RECTIFIER = 12;
const RADIAL_BASIS = 13;

type Normalization = 'none' | 'simplemax' | 'softmax';

/** activation(Z) for every function except radialBasis (which works on distances). */
export function activate(code: number, z: number, threshold: number): number {
  switch (code) {
    case THRESHOLD: return z > threshold ? 1 : 0;
    case LOGISTIC: return 1 / (1 + Math.exp(-z));
    case TANH: return Math.tanh(z);
    case IDENTITY: return z;
    case EXPONENTIAL: return Math.exp(z);
    case RECIPROCAL: return 1 / z;
    case SQUARE: return z * z;
    case GAUSS: return Math.exp(-(z * z));
    case SINE: return Math.sin(z);
    case COSINE: return Math.cos(z);
    case ELLIOTT: return z / (1 + Math.abs(z));
    case ARCTAN: return (2 * Math.atan(z)) / Math.PI;
    case RECTIFIER: return z > 0 ? z : 0;
    default: return NaN;
  }
}

interface Layer {
  /** Index of the layer's first neuron in the node buffer. */
  readonly start: number;
  readonly count: number;
  readonly activation: number;
  readonly threshold: number;
  readonly normalization: Normalization;
  /** Per neuron: connections [conStart[k], conStart[k+1]) in from/weights. */
  readonly conStart: Int32Array;
  readonly from: Int32Array;
  readonly weights: Float64Array;
  readonly bias: Float64Array;
  /** radialBasis: per neuron 1 / (2·width²) and fan-in · ln(altitude). */
  readonly rbfScale: Float64Array | null;
  readonly rbfLogAltitude: Float64Array | null;
}

/** How an output neuron maps to the target. */
type OutputMap =
  | { readonly kind: 'class'; readonly node: number; readonly key: string; readonly category: Value }
  | { readonly kind: 'value'; readonly node: number; readonly invert: ((y: number) => number) | null };

function activationAttr(el: El, path: string, fallback: Activation | undefined): Activation | undefined {
  const v = el.a.activationFunction;
  if (v === undefined) return fallback;
  if (!(ACTIVATIONS as readonly string[]).includes(v)) unsupported(path, `activationFunction="${v}" is not one of ${ACTIVATIONS.join(', ')}`);
  return v as Activation;
}

function normalizationAttr(el: El, path: string, fallback: Normalization): Normalization {
  const v = el.a.normalizationMethod;
  if (v === undefined) return fallback;
  if (v !== 'none' && v !== 'simplemax' && v !== 'softmax') unsupported(path, `normalizationMethod="${v}" is not none, simplemax or softmax`);
  return v;
}

/** The expression inside a DerivedField (its first element that is not an annotation). */
function derivedExpression(df: El, path: string): El {
  const expr = df.c.find((c) => c.n !== 'Extension' && c.n !== 'Value');
  return expr ?? fail(path, '<DerivedField> needs an expression');
}

/**
 * The inverse of a NormContinuous (piecewise linear over its LinearNorm points): the original
 * value whose normalised value is y. Outside the points the end segments are extended, unless
 * outliers="asExtremeValues" (then clamped to the end points).
 */
function inverseNormContinuous(el: El, path: string): (y: number) => number {
  const points = el.c.filter((c) => c.n === 'LinearNorm').map((c, i) => {
    const p = `${path}/LinearNorm[${i + 1}]`;
    return { orig: numAttr(c, 'orig', p), norm: numAttr(c, 'norm', p) };
  });
  if (points.length < 2) fail(path, '<NormContinuous> needs at least two <LinearNorm> elements');
  const clamp = el.a.outliers === 'asExtremeValues';
  const n = points.length;
  const orig = Float64Array.from(points, (p) => p.orig);
  const norm = Float64Array.from(points, (p) => p.norm);
  const increasing = norm[n - 1] >= norm[0];
  return (y: number): number => {
    // Find the segment [i, i+1] whose norm range holds y (norm is monotone in a valid document).
    let i = 0;
    if (increasing) {
      while (i < n - 2 && y > norm[i + 1]) i++;
      if (clamp) {
        if (y <= norm[0]) return orig[0];
        if (y >= norm[n - 1]) return orig[n - 1];
      }
    } else {
      while (i < n - 2 && y < norm[i + 1]) i++;
      if (clamp) {
        if (y >= norm[0]) return orig[0];
        if (y <= norm[n - 1]) return orig[n - 1];
      }
    }
    const dn = norm[i + 1] - norm[i];
    return orig[i] + ((y - norm[i]) * (orig[i + 1] - orig[i])) / dn;
  };
}


function compileNeuralNetwork(el: El, ctx: ModelContext): (env: Env) => ModelResult {
  const path = ctx.path;
  const fn = ctx.functionName;
  if (fn !== 'classification' && fn !== 'regression') unsupported(path, `NeuralNetwork with functionName="${fn}" is not supported (classification or regression)`);
  const netActivation = activationAttr(el, path, undefined) ?? fail(path, '<NeuralNetwork> needs the attribute activationFunction');
  const netNormalization = normalizationAttr(el, path, 'none');
  const netThreshold = numAttr(el, 'threshold', path, 0);
  const netWidth = optNumAttr(el, 'width', path);
  const netAltitude = numAttr(el, 'altitude', path, 1);
  const float = ctx.mathContext === 'float';

  // Node ids → indices.
  const ids = new Map<string, number>();
  const inputsEl = child(el, 'NeuralInputs') ?? fail(path, '<NeuralNetwork> needs <NeuralInputs>');
  const inputsPath = `${path}/NeuralInputs`;
  const inputs: Evaluator[] = [];
  for (const ni of inputsEl.c) {
    if (ni.n !== 'NeuralInput') continue;
    const p = childPath(inputsPath, inputsEl, ni);
    const id = ni.a.id ?? fail(p, '<NeuralInput> needs the attribute id');
    if (ids.has(id)) fail(p, `neuron id "${id}" is defined twice`);
    const df = child(ni, 'DerivedField') ?? fail(p, '<NeuralInput> needs a <DerivedField>');
    const expr = derivedExpression(df, `${p}/DerivedField`);
    ids.set(id, inputs.length);
    inputs.push(ctx.expression(expr, `${p}/DerivedField/${expr.n}`));
  }
  if (inputs.length === 0) fail(inputsPath, '<NeuralInputs> has no <NeuralInput>');
  const nInputs = inputs.length;

  const layers: Layer[] = [];
  let nodeCount = nInputs;
  const layerEls = el.c.filter((c) => c.n === 'NeuralLayer');
  if (layerEls.length === 0) fail(path, '<NeuralNetwork> needs at least one <NeuralLayer>');
  layerEls.forEach((layerEl, li) => {
    const lp = layerEls.length > 1 ? `${path}/NeuralLayer[${li + 1}]` : `${path}/NeuralLayer`;
    const act = activationAttr(layerEl, lp, netActivation) as Activation;
    const code = ACTIVATIONS.indexOf(act);
    const threshold = numAttr(layerEl, 'threshold', lp, netThreshold);
    const layerWidth = optNumAttr(layerEl, 'width', lp) ?? netWidth;
    const layerAltitude = numAttr(layerEl, 'altitude', lp, netAltitude);
    const normalization = normalizationAttr(layerEl, lp, netNormalization);
    const neurons = layerEl.c.filter((c) => c.n === 'Neuron');
    if (neurons.length === 0) fail(lp, '<NeuralLayer> has no <Neuron>');
    const start = nodeCount;
    // Ids of this layer become visible only after the layer (connections go to earlier nodes).
    const layerIds: [string, number][] = [];
    const conStart = new Int32Array(neurons.length + 1);
    const from: number[] = [];
    const weights: number[] = [];
    const bias = new Float64Array(neurons.length);
    const rbf = code === RADIAL_BASIS;
    const rbfScale = rbf ? new Float64Array(neurons.length) : null;
    const rbfLogAltitude = rbf ? new Float64Array(neurons.length) : null;
    neurons.forEach((neuron, k) => {
      const np = childPath(lp, layerEl, neuron);
      const id = neuron.a.id ?? fail(np, '<Neuron> needs the attribute id');
      if (ids.has(id) || layerIds.some(([x]) => x === id)) fail(np, `neuron id "${id}" is defined twice`);
      layerIds.push([id, start + k]);
      bias[k] = numAttr(neuron, 'bias', np, 0);
      conStart[k] = from.length;
      for (const con of neuron.c) {
        if (con.n !== 'Con') continue;
        const from_ = con.a.from ?? fail(np, '<Con> needs the attribute from');
        const at = ids.get(from_);
        if (at === undefined) {
          const cp = childPath(np, neuron, con);
          const owner = layerEls.findIndex((l, j) => j >= li && l.c.some((nn) => nn.n === 'Neuron' && nn.a.id === from_));
          if (owner >= 0) recurrentConnection(cp, from_, owner === li ? 'this layer' : `NeuralLayer[${owner + 1}], a later layer`);
          fail(cp, `connection from unknown neuron "${from_}"`);
        }
        from.push(at);
        weights.push(parseNumber(con.a.weight ?? fail(np, '<Con> needs the attribute weight'), np, 'Con weight'));
      }
      if (rbf && rbfScale && rbfLogAltitude) {
        const width = optNumAttr(neuron, 'width', np) ?? layerWidth;
        if (width === undefined) fail(np, 'a radialBasis neuron needs a width (on the Neuron, NeuralLayer or NeuralNetwork)');
        if (!(width > 0)) fail(np, `width="${width}" must be positive`);
        const altitude = numAttr(neuron, 'altitude', np, layerAltitude);
        const fanIn = from.length - conStart[k];
        rbfScale[k] = 1 / (2 * width * width);
        rbfLogAltitude[k] = fanIn * Math.log(altitude);
      }
    });
    conStart[neurons.length] = from.length;
    for (const [id, at] of layerIds) ids.set(id, at);
    nodeCount += neurons.length;
    layers.push({
      start, count: neurons.length, activation: code, threshold, normalization,
      conStart, from: Int32Array.from(from), weights: Float64Array.from(weights), bias, rbfScale, rbfLogAltitude,
    });
  });

  // Outputs.
  const outputsEl = child(el, 'NeuralOutputs') ?? fail(path, '<NeuralNetwork> needs <NeuralOutputs> to map neurons to the target');
  const outputsPath = `${path}/NeuralOutputs`;
  const target = ctx.target;
  const outputs: OutputMap[] = [];
  for (const no of outputsEl.c) {
    if (no.n !== 'NeuralOutput') continue;
    const p = childPath(outputsPath, outputsEl, no);
    const neuronId = no.a.outputNeuron ?? fail(p, '<NeuralOutput> needs the attribute outputNeuron');
    const node = ids.get(neuronId);
    if (node === undefined) fail(p, `outputNeuron="${neuronId}" is not a neuron of the network`);
    if (node < nInputs) fail(p, `outputNeuron="${neuronId}" is an input, not a neuron`);
    const df = child(no, 'DerivedField') ?? fail(p, '<NeuralOutput> needs a <DerivedField>');
    const expr = derivedExpression(df, `${p}/DerivedField`);
    const ep = `${p}/DerivedField/${expr.n}`;
    const field = expr.a.field;
    if (target && field !== undefined && field !== target.name) {
      // An output for another field (multi-target networks): not the model's prediction.
      continue;
    }
    if (expr.n === 'NormDiscrete') {
      if (fn !== 'classification') fail(ep, 'a NormDiscrete output belongs to a classification network');
      const text = expr.a.value ?? fail(ep, '<NormDiscrete> needs the attribute value');
      if (!target) fail(path, 'a classification NeuralNetwork needs a target field');
      const category = parseValue(text, target.info.dataType, ep);
      outputs.push({ kind: 'class', node, key: categoryKey(category), category });
    } else if (expr.n === 'FieldRef') {
      outputs.push({ kind: 'value', node, invert: null });
    } else if (expr.n === 'NormContinuous') {
      outputs.push({ kind: 'value', node, invert: inverseNormContinuous(expr, ep) });
    } else {
      unsupported(ep, `a NeuralOutput with <${expr.n}> is not supported (NormDiscrete, NormContinuous or FieldRef)`);
    }
  }
  if (outputs.length === 0) fail(outputsPath, '<NeuralOutputs> maps no neuron to the target');
  if (fn === 'classification' && outputs.some((o) => o.kind !== 'class')) {
    fail(outputsPath, 'a classification network maps its outputs with NormDiscrete');
  }
  if (fn === 'regression' && outputs.length !== 1) fail(outputsPath, `a regression network needs one output for the target, not ${outputs.length}`);

  const nodes = new Float64Array(nodeCount);
  const evalLayers = layers;

  const run = (env: Env): boolean => {
    for (let i = 0; i < nInputs; i++) {
      const v = toNumber(inputs[i](env));
      if (v !== v) return false;
      nodes[i] = float ? Math.fround(v) : v;
    }
    for (const layer of evalLayers) {
      const { start, count, activation, threshold, conStart, from, weights, bias, rbfScale, rbfLogAltitude } = layer;
      for (let k = 0; k < count; k++) {
        const c0 = conStart[k];
        const c1 = conStart[k + 1];
        let out: number;
        if (activation === RADIAL_BASIS) {
          let s = 0;
          for (let c = c0; c < c1; c++) {
            const d = nodes[from[c]] - weights[c];
            s += d * d;
          }
          const z = s * (rbfScale as Float64Array)[k];
          out = Math.exp((rbfLogAltitude as Float64Array)[k] - z);
        } else {
          let z = bias[k];
          if (float) {
            for (let c = c0; c < c1; c++) z = Math.fround(z + Math.fround(nodes[from[c]] * weights[c]));
          } else {
            for (let c = c0; c < c1; c++) z += nodes[from[c]] * weights[c];
          }
          out = activate(activation, z, threshold);
        }
        nodes[start + k] = float ? Math.fround(out) : out;
      }
      if (layer.normalization === 'softmax') {
        let max = -Infinity;
        for (let k = 0; k < count; k++) if (nodes[start + k] > max) max = nodes[start + k];
        let sum = 0;
        for (let k = 0; k < count; k++) {
          const e = Math.exp(nodes[start + k] - max);
          nodes[start + k] = e;
          sum += e;
        }
        for (let k = 0; k < count; k++) nodes[start + k] /= sum;
      } else if (layer.normalization === 'simplemax') {
        let sum = 0;
        for (let k = 0; k < count; k++) sum += nodes[start + k];
        for (let k = 0; k < count; k++) nodes[start + k] /= sum;
      }
    }
    return true;
  };

  if (fn === 'regression') {
    const out = outputs[0] as Extract<OutputMap, { kind: 'value' }>;
    const { node, invert } = out;
    return (env) => {
      if (!run(env)) return { value: null };
      const y = nodes[node];
      const v = invert ? invert(y) : y;
      return { value: float ? Math.fround(v) : v };
    };
  }

  const classes = outputs as Extract<OutputMap, { kind: 'class' }>[];
  return (env) => {
    if (!run(env)) return { value: null };
    const probabilities = new Map<string, number>();
    let best = -1;
    let bestP = -Infinity;
    for (let i = 0; i < classes.length; i++) {
      const o = classes[i];
      const p = nodes[o.node];
      probabilities.set(o.key, (probabilities.get(o.key) ?? 0) + p);
    }
    for (let i = 0; i < classes.length; i++) {
      const p = probabilities.get(classes[i].key) as number;
      if (p > bestP) {
        bestP = p;
        best = i;
      }
    }
    return { value: best < 0 ? null : classes[best].category, probabilities };
  };
}

/**
 * PMML 4.4 (Neural Network Models): "All output activations for neurons in some layer L are
 * evaluated before computation proceeds to the next layer L+1. Note that this allows for
 * recurrent networks where outputs of neurons in layer L+i can be used as input in layer L
 * where L+i > L. The model does not define a specific evaluation order for neurons within a
 * layer." So such a connection is valid, but when layer L is computed for a record the later
 * neuron has no output for that record yet, and the specification says neither what it is
 * then (an initial activation) nor whether the output of the previous record carries over;
 * within one layer it does not even fix the order. The network's output is not determined by
 * the document, so the connection is refused (MLC3101) rather than given an invented value.
 */
function recurrentConnection(path: string, from: string, where: string): never {
  return unsupported(path, `recurrent connection from neuron "${from}" of ${where}: PMML 4.4 allows outputs of later layers as inputs ` +
    'but defines neither their value before they are computed for a record nor whether it carries over from the previous record ' +
    '(nor an evaluation order within a layer), so the output of this network is not determined by the document');
}

export const neuralNetwork: ModelCompiler = {
  element: 'NeuralNetwork',
  compile: compileNeuralNetwork,
};
