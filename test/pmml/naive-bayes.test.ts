// NaiveBayesModel compiler: PairCounts with the zero-count threshold, Gaussian, Poisson and
// Uniform densities, missing and unknown inputs, DerivedField discretisation, errors.
// Likelihoods L = count[T] · Π P(input | T), probabilities L / ΣL, worked out in the comments.

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

const stat = (a: string, b: string) => `<TargetValueStats>
  <TargetValueStat value="A">${a}</TargetValueStat><TargetValueStat value="B">${b}</TargetValueStat></TargetValueStats>`;

function model(extraInputs = '', extraFields = '', extraMining = ''): string {
  return `<PMML version="4.4"><Header/>
  <DataDictionary>
    <DataField name="color" optype="categorical" dataType="string"><Value value="red"/><Value value="blue"/><Value value="green"/></DataField>
    <DataField name="x" optype="continuous" dataType="double"/>
    <DataField name="k" optype="continuous" dataType="integer"/>
    <DataField name="u" optype="continuous" dataType="double"/>
    ${extraFields}
    <DataField name="c" optype="categorical" dataType="string"><Value value="A"/><Value value="B"/></DataField>
  </DataDictionary>
  <NaiveBayesModel functionName="classification" threshold="0.01">
    <MiningSchema><MiningField name="color"/><MiningField name="x"/><MiningField name="k"/><MiningField name="u"/>${extraMining}<MiningField name="c" usageType="target"/></MiningSchema>
    <BayesInputs>
      <BayesInput fieldName="color">
        <PairCounts value="red"><TargetValueCounts><TargetValueCount value="A" count="20"/><TargetValueCount value="B" count="0"/></TargetValueCounts></PairCounts>
        <PairCounts value="blue"><TargetValueCounts><TargetValueCount value="A" count="10"/><TargetValueCount value="B" count="10"/></TargetValueCounts></PairCounts>
      </BayesInput>
      <BayesInput fieldName="x">${stat('<GaussianDistribution mean="0" variance="1"/>', '<GaussianDistribution mean="2" variance="4"/>')}</BayesInput>
      <BayesInput fieldName="k">${stat('<PoissonDistribution mean="2"/>', '<PoissonDistribution mean="5"/>')}</BayesInput>
      <BayesInput fieldName="u">${stat('<UniformDistribution lower="0" upper="1"/>', '<UniformDistribution lower="0" upper="10"/>')}</BayesInput>
      ${extraInputs}
    </BayesInputs>
    <BayesOutput fieldName="c"><TargetValueCounts><TargetValueCount value="A" count="30"/><TargetValueCount value="B" count="10"/></TargetValueCounts></BayesOutput>
  </NaiveBayesModel></PMML>`;
}

const none = { color: null, x: null, k: null, u: null };

test('priors alone when every input is missing', () => {
  const r = compile(model()).score(none);
  assert.equal(r.c, 'A');
  close(r['probability(A)'], 0.75); // 30 / 40
  close(r['probability(B)'], 0.25);
});

test('PairCounts with a zero count replaced by the threshold', () => {
  // red: L_A = 30 · 20/30 = 20, L_B = 10 · 0.01 = 0.1 → 20/20.1
  const r = compile(model()).score({ ...none, color: 'red' });
  assert.equal(r.c, 'A');
  close(r['probability(A)'], 20 / 20.1);
  close(r['probability(B)'], 0.1 / 20.1);
  // An unknown category (no PairCounts) is left out: the priors
  close(compile(model()).score({ ...none, color: 'green' })['probability(A)'], 0.75);
});

test('Gaussian densities with PairCounts', () => {
  // blue, x = 1: L_A = 30 · (10/30) · N(1; 0, 1) = 10 · 0.24197072451914337
  //              L_B = 10 · (10/10) · N(1; 2, 4) = 10 · e^(-1/8)/√(8π) = 1.7603266338214976
  const r = compile(model()).score({ ...none, color: 'blue', x: 1 });
  close(r['probability(A)'], 0.578872639607127, 1e-12);
  close(r['probability(B)'], 0.42112736039287296, 1e-12);
});

test('Poisson densities', () => {
  // k = 3: L_A = 30 · e^-2·2³/3!, L_B = 10 · e^-5·5³/3! → 0.7940871333444681
  const r = compile(model()).score({ ...none, k: 3 });
  close(r['probability(A)'], 0.7940871333444681, 1e-12);
  close(r['probability(B)'], 0.20591286665553188, 1e-12);
});

test('Uniform densities, zero density replaced by the threshold', () => {
  // u = 0.5: L_A = 30 · 1, L_B = 10 · 0.1 → 30/31
  close(compile(model()).score({ ...none, u: 0.5 })['probability(A)'], 30 / 31);
  // u = 5: L_A = 30 · 0.01 (outside [0, 1]), L_B = 10 · 0.1 → 0.3/1.3
  const r = compile(model()).score({ ...none, u: 5 });
  assert.equal(r.c, 'B');
  close(r['probability(B)'], 1 / 1.3);
});

test('DerivedField discretisation inside a BayesInput', () => {
  const input = `<BayesInput fieldName="z">
    <DerivedField name="zBin" optype="categorical" dataType="string">
      <Discretize field="z"><DiscretizeBin binValue="low"><Interval closure="openOpen" rightMargin="5"/></DiscretizeBin>
        <DiscretizeBin binValue="high"><Interval closure="closedOpen" leftMargin="5"/></DiscretizeBin></Discretize>
    </DerivedField>
    <PairCounts value="low"><TargetValueCounts><TargetValueCount value="A" count="3"/><TargetValueCount value="B" count="1"/></TargetValueCounts></PairCounts>
    <PairCounts value="high"><TargetValueCounts><TargetValueCount value="A" count="1"/><TargetValueCount value="B" count="3"/></TargetValueCounts></PairCounts>
  </BayesInput>`;
  const m = compile(model(input, '<DataField name="z" optype="continuous" dataType="double"/>', '<MiningField name="z"/>'));
  // z = 7 → high: L_A = 30 · 1/4, L_B = 10 · 3/4 → 7.5 / 15
  close(m.score({ ...none, z: 7 })['probability(A)'], 0.5);
  // z = 1 → low: L_A = 30 · 3/4 = 22.5, L_B = 10 · 1/4 = 2.5 → 0.9
  close(m.score({ ...none, z: 1 })['probability(A)'], 0.9);
});

test('compile errors', () => {
  const badClass = model().replace('<TargetValueStat value="B"><GaussianDistribution', '<TargetValueStat value="Z"><GaussianDistribution');
  assert.throws(() => compile(badClass), (e: unknown) => e instanceof PmmlCompileError && /BayesInput\[2\]/.test(e.path));
  const badVariance = model().replace('variance="4"', 'variance="0"');
  assert.throws(() => compile(badVariance), (e: unknown) => e instanceof PmmlCompileError && /GaussianDistribution/.test(e.path));
  const any = model().replace('<UniformDistribution lower="0" upper="1"/>', '<AnyDistribution mean="0" variance="1"/>');
  assert.throws(() => compile(any), PmmlUnsupportedError);
});
