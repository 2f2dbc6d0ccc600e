// NeuralNetwork compiler: activation functions, normalisation, radial basis units,
// output mapping (classification, regression with NormContinuous inversion), errors.
// Expected values are worked out by hand in the comments.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePmmlXml } from '../../src/frontends/pmml/xml.js';
import { compileDocument } from '../../runtime/pmml/document.js';
import { PmmlCompileError, PmmlUnsupportedError } from '../../runtime/pmml/el.js';
import { MODEL_REGISTRY } from '../../runtime/pmml/models/registry.js';

const compile = (xml: string) =>
  compileDocument(decodePmmlXml(new TextEncoder().encode(xml)).root, MODEL_REGISTRY.map((m) => m.compiler));
const close = (actual: unknown, expected: number, eps = 1e-12): void => {
  assert.equal(typeof actual, 'number', `expected a number, got ${String(actual)}`);
  assert.ok(Math.abs((actual as number) - expected) <= eps * Math.max(1, Math.abs(expected)), `${String(actual)} ≠ ${expected}`);
};

/** y = activation(w·x + b) through one neuron, with FieldRef output. */
function oneNeuron(activation: string, opts: { w?: number; b?: number; extra?: string; layer?: string } = {}): string {
  return `<PMML version="4.4" xmlns="http://www.dmg.org/PMML-4_4"><Header/>
  <DataDictionary><DataField name="x" optype="continuous" dataType="double"/><DataField name="y" optype="continuous" dataType="double"/></DataDictionary>
  <NeuralNetwork functionName="regression" activationFunction="${activation}" ${opts.extra ?? ''}>
    <MiningSchema><MiningField name="x"/><MiningField name="y" usageType="target"/></MiningSchema>
    <NeuralInputs><NeuralInput id="in"><DerivedField optype="continuous" dataType="double"><FieldRef field="x"/></DerivedField></NeuralInput></NeuralInputs>
    <NeuralLayer ${opts.layer ?? ''}><Neuron id="n" bias="${opts.b ?? 0}"><Con from="in" weight="${opts.w ?? 1}"/></Neuron></NeuralLayer>
    <NeuralOutputs><NeuralOutput outputNeuron="n"><DerivedField optype="continuous" dataType="double"><FieldRef field="y"/></DerivedField></NeuralOutput></NeuralOutputs>
  </NeuralNetwork></PMML>`;
}

test('activation functions', () => {
  const y = (act: string, x: number, opts = {}) => compile(oneNeuron(act, opts)).score({ x }).y;
  close(y('identity', 2.5, { w: 2, b: 1 }), 6); // 2·2.5 + 1
  close(y('logistic', 0), 0.5);
  close(y('logistic', 1), 0.7310585786300049); // 1/(1+e^-1)
  close(y('tanh', 0.5), 0.46211715726000974);
  close(y('exponential', 1), Math.E);
  close(y('reciprocal', 4), 0.25);
  close(y('square', -3), 9);
  close(y('Gauss', 1), 0.36787944117144233); // e^-1
  close(y('sine', Math.PI / 2), 1);
  close(y('cosine', 0), 1);
  close(y('Elliott', 3), 0.75); // 3/(1+3)
  close(y('Elliott', -1), -0.5);
  close(y('arctan', 1), 0.5); // 2·atan(1)/π = 2·(π/4)/π
  close(y('rectifier', -2), 0);
  close(y('rectifier', 2), 2);
});

test('threshold activation uses the network or layer threshold', () => {
  const net = compile(oneNeuron('threshold', { extra: 'threshold="0.5"' }));
  assert.equal(net.score({ x: 0.6 }).y, 1);
  assert.equal(net.score({ x: 0.5 }).y, 0); // not > threshold
  const layer = compile(oneNeuron('threshold', { extra: 'threshold="0.5"', layer: 'threshold="-1"' }));
  assert.equal(layer.score({ x: -0.5 }).y, 1);
  const dflt = compile(oneNeuron('threshold'));
  assert.equal(dflt.score({ x: 0.1 }).y, 1);
  assert.equal(dflt.score({ x: -0.1 }).y, 0);
});

test('layer activation overrides the network default', () => {
  const net = compile(oneNeuron('logistic', { layer: 'activationFunction="identity"', w: 3 }));
  close(net.score({ x: 2 }).y, 6);
});

test('radialBasis neurons: distance to the weights, width and altitude', () => {
  const xml = `<PMML version="4.4"><Header/>
  <DataDictionary><DataField name="a" optype="continuous" dataType="double"/><DataField name="b" optype="continuous" dataType="double"/><DataField name="y" optype="continuous" dataType="double"/></DataDictionary>
  <NeuralNetwork functionName="regression" activationFunction="identity" width="1">
    <MiningSchema><MiningField name="a"/><MiningField name="b"/><MiningField name="y" usageType="target"/></MiningSchema>
    <NeuralInputs>
      <NeuralInput id="1"><DerivedField optype="continuous" dataType="double"><FieldRef field="a"/></DerivedField></NeuralInput>
      <NeuralInput id="2"><DerivedField optype="continuous" dataType="double"><FieldRef field="b"/></DerivedField></NeuralInput>
    </NeuralInputs>
    <NeuralLayer activationFunction="radialBasis" altitude="2">
      <Neuron id="r1" bias="100"><Con from="1" weight="1"/><Con from="2" weight="2"/></Neuron>
      <Neuron id="r2" width="2" altitude="1"><Con from="1" weight="0"/><Con from="2" weight="0"/></Neuron>
    </NeuralLayer>
    <NeuralLayer><Neuron id="o" bias="0"><Con from="r1" weight="1"/><Con from="r2" weight="10"/></Neuron></NeuralLayer>
    <NeuralOutputs><NeuralOutput outputNeuron="o"><DerivedField optype="continuous" dataType="double"><FieldRef field="y"/></DerivedField></NeuralOutput></NeuralOutputs>
  </NeuralNetwork></PMML>`;
  // (a, b) = (1, 3): r1: Z = (0² + 1²)/(2·1²) = 0.5, out = exp(2·ln 2 − 0.5) = 4·e^-0.5 (bias ignored)
  //                  r2: Z = (1 + 9)/(2·4) = 1.25, out = exp(2·ln 1 − 1.25) = e^-1.25
  // y = 4·e^-0.5 + 10·e^-1.25
  close(compile(xml).score({ a: 1, b: 3 }).y, 4 * 0.6065306597126334 + 10 * 0.28650479686019009);
});

test('classification with softmax and simplemax output layers', () => {
  const doc = (norm: string, act: string) => `<PMML version="4.4"><Header/>
  <DataDictionary><DataField name="x" optype="continuous" dataType="double"/>
    <DataField name="c" optype="categorical" dataType="string"><Value value="A"/><Value value="B"/></DataField></DataDictionary>
  <NeuralNetwork functionName="classification" activationFunction="${act}">
    <MiningSchema><MiningField name="x"/><MiningField name="c" usageType="target"/></MiningSchema>
    <NeuralInputs><NeuralInput id="0"><DerivedField optype="continuous" dataType="double"><FieldRef field="x"/></DerivedField></NeuralInput></NeuralInputs>
    <NeuralLayer normalizationMethod="${norm}">
      <Neuron id="a" bias="1"><Con from="0" weight="0"/></Neuron>
      <Neuron id="b" bias="0"><Con from="0" weight="1"/></Neuron>
    </NeuralLayer>
    <NeuralOutputs>
      <NeuralOutput outputNeuron="a"><DerivedField optype="categorical" dataType="string"><NormDiscrete field="c" value="A"/></DerivedField></NeuralOutput>
      <NeuralOutput outputNeuron="b"><DerivedField optype="categorical" dataType="string"><NormDiscrete field="c" value="B"/></DerivedField></NeuralOutput>
    </NeuralOutputs>
  </NeuralNetwork></PMML>`;
  // simplemax, identity: outputs (1, 3) → 1/4, 3/4
  const simple = compile(doc('simplemax', 'identity')).score({ x: 3 });
  assert.equal(simple.c, 'B');
  close(simple['probability(A)'], 0.25);
  close(simple['probability(B)'], 0.75);
  // softmax, identity: outputs (1, 1 + ln 3) → e/(e + 3e) = 1/4, 3/4
  const soft = compile(doc('softmax', 'identity')).score({ x: 1 + Math.log(3) });
  close(soft['probability(A)'], 0.25);
  close(soft['probability(B)'], 0.75);
  // none, logistic: raw activations, not rescaled: logistic(1), logistic(-1)
  const none = compile(doc('none', 'logistic')).score({ x: -1 });
  close(none['probability(A)'], 0.7310585786300049);
  close(none['probability(B)'], 0.2689414213699951);
  assert.equal(none.c, 'A');
  // A missing input: no prediction.
  const missing = compile(doc('none', 'logistic')).score({ x: null });
  assert.equal(missing.c, null);
});

test('regression output de-normalised through NormContinuous', () => {
  const xml = `<PMML version="4.4"><Header/>
  <DataDictionary><DataField name="x" optype="continuous" dataType="double"/><DataField name="y" optype="continuous" dataType="double"/></DataDictionary>
  <NeuralNetwork functionName="regression" activationFunction="identity">
    <MiningSchema><MiningField name="x"/><MiningField name="y" usageType="target"/></MiningSchema>
    <NeuralInputs><NeuralInput id="0"><DerivedField optype="continuous" dataType="double">
      <NormContinuous field="x"><LinearNorm orig="0" norm="0"/><LinearNorm orig="100" norm="1"/></NormContinuous>
    </DerivedField></NeuralInput></NeuralInputs>
    <NeuralLayer><Neuron id="o" bias="0"><Con from="0" weight="1"/></Neuron></NeuralLayer>
    <NeuralOutputs><NeuralOutput outputNeuron="o"><DerivedField optype="continuous" dataType="double">
      <NormContinuous field="y"><LinearNorm orig="10" norm="0"/><LinearNorm orig="20" norm="0.5"/><LinearNorm orig="60" norm="1"/></NormContinuous>
    </DerivedField></NeuralOutput></NeuralOutputs>
  </NeuralNetwork></PMML>`;
  const net = compile(xml);
  // x = 25 → input 0.25 → y: segment (0,10)-(0.5,20): 10 + 0.25·20 = 15
  close(net.score({ x: 25 }).y, 15);
  // x = 75 → 0.75 → segment (0.5,20)-(1,60): 20 + 0.25·80 = 40
  close(net.score({ x: 75 }).y, 40);
  // x = 150 → 1.5 → extrapolated on the last segment: 20 + 1·80 = 100
  close(net.score({ x: 150 }).y, 100);
});

test('compile errors name the element', () => {
  const bad = oneNeuron('logistic').replace('<Con from="in"', '<Con from="nowhere"');
  assert.throws(() => compile(bad), (e: unknown) => e instanceof PmmlCompileError && /Neuron\[id=n\]/.test(e.path));
  const recurrent = oneNeuron('logistic').replace('<Con from="in" weight="1"/>', '<Con from="n" weight="1"/>');
  assert.throws(() => compile(recurrent), PmmlUnsupportedError);
  assert.throws(() => compile(oneNeuron('bogus')), PmmlUnsupportedError);
  const rbfNoWidth = oneNeuron('radialBasis');
  assert.throws(() => compile(rbfNoWidth), (e: unknown) => e instanceof PmmlCompileError && /width/.test(e.message));
});

test('mathContext="float" rounds to float32', () => {
  const net = compile(oneNeuron('logistic', { extra: 'mathContext="float"', w: 0.1, b: 0.3 }));
  const y = net.score({ x: 0.7 }).y as number;
  assert.equal(Math.fround(y), y);
  // logistic(0.37) in float32 ≈ 0.5914589…
  close(y, 0.5914589, 1e-6);
});

/** Two layers over input x: layer 1 neuron a (from `aFrom`), layer 2 neuron b = a + c·x, identity activations. */
function twoLayers(aFrom: string, extraLayer1 = ''): string {
  return `<PMML version="4.4" xmlns="http://www.dmg.org/PMML-4_4"><Header/>
  <DataDictionary><DataField name="x" optype="continuous" dataType="double"/><DataField name="y" optype="continuous" dataType="double"/></DataDictionary>
  <NeuralNetwork functionName="regression" activationFunction="identity">
    <MiningSchema><MiningField name="x"/><MiningField name="y" usageType="target"/></MiningSchema>
    <NeuralInputs><NeuralInput id="in"><DerivedField optype="continuous" dataType="double"><FieldRef field="x"/></DerivedField></NeuralInput></NeuralInputs>
    <NeuralLayer><Neuron id="a" bias="1"><Con from="${aFrom}" weight="2"/></Neuron>${extraLayer1}</NeuralLayer>
    <NeuralLayer><Neuron id="b"><Con from="a" weight="1"/><Con from="in" weight="10"/></Neuron></NeuralLayer>
    <NeuralOutputs><NeuralOutput outputNeuron="b"><DerivedField optype="continuous" dataType="double"><FieldRef field="y"/></DerivedField></NeuralOutput></NeuralOutputs>
  </NeuralNetwork></PMML>`;
}

test('connections may skip layers: a later layer reads the inputs directly', () => {
  // a = 2x + 1, b = a + 10x = 12x + 1
  close(compile(twoLayers('in')).score({ x: 0.5 }).y, 7);
});

test('recurrent connections (from the same or a later layer) are refused, naming the Con and the reason', () => {
  const isRecurrent = (where: RegExp) => (e: unknown) => e instanceof PmmlUnsupportedError &&
    /NeuralLayer\[1\]\/Neuron\[id=a\]\/Con$/.test(e.path) && where.test(e.message) && /not determined by the document/.test(e.message);
  // layer 1 reads neuron b of layer 2: the specification allows it but does not define b's value at that point
  assert.throws(() => compile(twoLayers('b')), isRecurrent(/neuron "b" of NeuralLayer\[2\], a later layer/));
  // a neuron of the same layer: no evaluation order within a layer
  assert.throws(() => compile(twoLayers('c', '<Neuron id="c"><Con from="in" weight="1"/></Neuron>')), isRecurrent(/neuron "c" of this layer/));
  // a neuron reading itself
  assert.throws(() => compile(twoLayers('a')), isRecurrent(/neuron "a" of this layer/));
});

test('a MapValues with a TableLocator (an external table) is refused with its element path', () => {
  const xml = oneNeuron('identity').replace('<FieldRef field="x"/></DerivedField></NeuralInput>',
    '<MapValues outputColumn="out" dataType="double"><FieldColumnPair field="x" column="in"/><TableLocator/></MapValues></DerivedField></NeuralInput>');
  assert.throws(() => compile(xml), (e: unknown) => e instanceof PmmlUnsupportedError && /MapValues\/TableLocator$/.test(e.path) &&
    /outside the document/.test(e.message));
});
