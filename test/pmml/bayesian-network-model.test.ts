// BayesianNetworkModel: exact posterior inference on small networks, values by hand
// from Bayes' rule (P(A | B) = P(A) P(B | A) / Σ_a P(a) P(B | a)).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePmmlXml } from '../../src/frontends/pmml/xml.js';
import { compileDocument } from '../../runtime/pmml/document.js';
import { PmmlCompileError, PmmlUnsupportedError } from '../../runtime/pmml/el.js';
import { density } from '../../runtime/pmml/models/bayesian-network.js';
import { MODEL_REGISTRY } from '../../runtime/pmml/models/registry.js';

const compilers = MODEL_REGISTRY.map((m) => m.compiler);

function compile(xml: string) {
  return compileDocument(decodePmmlXml(new TextEncoder().encode(xml)).root, compilers);
}

function near(actual: unknown, expected: number, tol = 1e-12): void {
  assert.equal(typeof actual, 'number', `expected a number, got ${String(actual)}`);
  assert.ok(Math.abs((actual as number) - expected) <= tol * Math.max(1, Math.abs(expected)), `${String(actual)} ≠ ${expected}`);
}

const vp = (v: string, p: number) => `<ValueProbability value="${v}" probability="${p}"/>`;
const cond = (parent: string, value: string, body: string) => `<DiscreteConditionalProbability><ParentValue parent="${parent}" value="${value}"/>${body}</DiscreteConditionalProbability>`;
const num = (v: number) => `<Constant dataType="double">${v}</Constant>`;

function doc(fields: string, mining: string, nodes: string, functionName = 'classification'): string {
  return `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary>${fields}</DataDictionary>
  <BayesianNetworkModel functionName="${functionName}">
    <MiningSchema>${mining}</MiningSchema>
    <BayesianNetworkNodes>${nodes}</BayesianNetworkNodes>
  </BayesianNetworkModel>
</PMML>`;
}

const TF = '<Value value="t"/><Value value="f"/>';
const AB_FIELDS = `<DataField name="A" optype="categorical" dataType="string">${TF}</DataField><DataField name="B" optype="categorical" dataType="string">${TF}</DataField>`;
const AB_NODES = `<DiscreteNode name="A">${vp('t', 0.3)}${vp('f', 0.7)}</DiscreteNode>
  <DiscreteNode name="B">${cond('A', 't', vp('t', 0.9) + vp('f', 0.1))}${cond('A', 'f', vp('t', 0.2) + vp('f', 0.8))}</DiscreteNode>`;

test('A -> B: posterior of the root given its child; missing evidence gives the prior', () => {
  const d = compile(doc(AB_FIELDS, '<MiningField name="B"/><MiningField name="A" usageType="target"/>', AB_NODES));
  const r = d.score({ B: 't' });
  // 0.3·0.9 / (0.3·0.9 + 0.7·0.2) = 0.27 / 0.41
  assert.equal(r.A, 't');
  near(r['probability(t)'], 0.27 / 0.41);
  near(r['probability(f)'], 0.14 / 0.41);
  const s = d.score({ B: 'f' });
  assert.equal(s.A, 'f');
  near(s['probability(t)'], 0.03 / 0.59);
  const prior = d.score({ B: null });
  assert.equal(prior.A, 'f');
  near(prior['probability(t)'], 0.3);
});

test('A -> B: the child given its parent is its table row; a latent parent is summed out', () => {
  const d = compile(doc(AB_FIELDS, '<MiningField name="A"/><MiningField name="B" usageType="target"/>', AB_NODES));
  near(d.score({ A: 'f' })['probability(t)'], 0.2);
  near(d.score({})['probability(t)'], 0.3 * 0.9 + 0.7 * 0.2);
  // the same with A latent (no field at all)
  const latent = compile(doc(`<DataField name="B" optype="categorical" dataType="string">${TF}</DataField>`, '<MiningField name="B" usageType="target"/>', AB_NODES));
  near(latent.score({})['probability(t)'], 0.41);
});

test('evidence with probability 0 gives no prediction', () => {
  const nodes = `<DiscreteNode name="A">${vp('t', 1)}${vp('f', 0)}</DiscreteNode>
    <DiscreteNode name="B">${cond('A', 't', vp('t', 1) + vp('f', 0))}${cond('A', 'f', vp('t', 0.5) + vp('f', 0.5))}</DiscreteNode>`;
  const d = compile(doc(AB_FIELDS, '<MiningField name="B"/><MiningField name="A" usageType="target"/>', nodes));
  assert.equal(d.score({ B: 'f' }).A, null);
});

test('a continuous child: its Normal density weighs the classes', () => {
  const fields = `<DataField name="C" optype="categorical" dataType="string"><Value value="x"/><Value value="y"/></DataField><DataField name="V" optype="continuous" dataType="double"/>`;
  const normal = (m: number, v: number) => `<ContinuousDistribution><NormalDistributionForBN><Mean>${num(m)}</Mean><Variance>${num(v)}</Variance></NormalDistributionForBN></ContinuousDistribution>`;
  const nodes = `<DiscreteNode name="C">${vp('x', 0.5)}${vp('y', 0.5)}</DiscreteNode>
    <ContinuousNode name="V">
      <ContinuousConditionalProbability><ParentValue parent="C" value="x"/>${normal(0, 1)}</ContinuousConditionalProbability>
      <ContinuousConditionalProbability><ParentValue parent="C" value="y"/>${normal(2, 4)}</ContinuousConditionalProbability>
    </ContinuousNode>`;
  const d = compile(doc(fields, '<MiningField name="V"/><MiningField name="C" usageType="target"/>', nodes));
  const px = Math.exp(-0.5) / Math.sqrt(2 * Math.PI);
  const py = Math.exp(-1 / 8) / Math.sqrt(8 * Math.PI);
  const r = d.score({ V: 1 });
  near(r['probability(x)'], px / (px + py));
  assert.equal(r.C, px > py ? 'x' : 'y');
});

test('a continuous target: the posterior mean; observed descendants are not supported per row', () => {
  const fields = `<DataField name="Q" optype="categorical" dataType="string">${TF}</DataField>
    <DataField name="P" optype="continuous" dataType="double"/><DataField name="Z" optype="continuous" dataType="double"/>`;
  const nodes = `<DiscreteNode name="Q">${vp('t', 0.25)}${vp('f', 0.75)}</DiscreteNode>
    <ContinuousNode name="P">
      <ContinuousConditionalProbability><ParentValue parent="Q" value="t"/><ContinuousDistribution><UniformDistributionForBN><Lower>${num(0)}</Lower><Upper>${num(10)}</Upper></UniformDistributionForBN></ContinuousDistribution></ContinuousConditionalProbability>
      <ContinuousConditionalProbability><ParentValue parent="Q" value="f"/><ContinuousDistribution><NormalDistributionForBN><Mean>${num(20)}</Mean><Variance>${num(1)}</Variance></NormalDistributionForBN></ContinuousDistribution></ContinuousConditionalProbability>
    </ContinuousNode>
    <ContinuousNode name="Z"><ContinuousDistribution><NormalDistributionForBN><Mean><FieldRef field="P"/></Mean><Variance>${num(1)}</Variance></NormalDistributionForBN></ContinuousDistribution></ContinuousNode>`;
  const d = compile(doc(fields, '<MiningField name="Q"/><MiningField name="Z"/><MiningField name="P" usageType="target"/>', nodes, 'regression'));
  near(d.score({}).P, 0.25 * 5 + 0.75 * 20);
  near(d.score({ Q: 't' }).P, 5);
  assert.equal(d.score({ Z: 3 }).P, null);
});

test('densities: normal, lognormal (of log X), uniform, triangular (mode = 3·mean − lower − upper)', () => {
  near(density('normal', 1, 4, 0, 3), Math.exp(-0.5) / Math.sqrt(8 * Math.PI));
  near(density('lognormal', 0, 1, 0, Math.E), Math.exp(-0.5) / (Math.sqrt(2 * Math.PI) * Math.E));
  near(density('uniform', 2, 6, 0, 3), 0.25);
  assert.equal(density('uniform', 2, 6, 0, 7), 0);
  // mean 3, [0, 6] → mode 3: peak 2/6
  near(density('triangular', 3, 0, 6, 3), 1 / 3);
  near(density('triangular', 3, 0, 6, 1.5), 1 / 6);
  assert.ok(Number.isNaN(density('triangular', 5.5, 0, 6, 1))); // mode 10.5 outside [0, 6]
});

test('invalid networks: cycles, incomplete tables, unknown parents, no target node', () => {
  const tf = vp('t', 1) + vp('f', 0);
  const cyc = `<DiscreteNode name="A">${cond('B', 't', tf)}${cond('B', 'f', tf)}</DiscreteNode>
    <DiscreteNode name="B">${cond('A', 't', tf)}${cond('A', 'f', tf)}</DiscreteNode>`;
  assert.throws(() => compile(doc(AB_FIELDS, '<MiningField name="B"/><MiningField name="A" usageType="target"/>', cyc)), (e: unknown) => e instanceof PmmlCompileError && /cycle/.test(e.message));
  const incomplete = `<DiscreteNode name="A">${vp('t', 0.3)}${vp('f', 0.7)}</DiscreteNode><DiscreteNode name="B">${cond('A', 't', tf)}</DiscreteNode>`;
  assert.throws(() => compile(doc(AB_FIELDS, '<MiningField name="B"/><MiningField name="A" usageType="target"/>', incomplete)),
    (e: unknown) => e instanceof PmmlCompileError && /A=f/.test(e.message) && /DiscreteNode\[name=B\]/.test(e.path));
  const unknown = `<DiscreteNode name="A">${vp('t', 0.3)}${vp('f', 0.7)}</DiscreteNode><DiscreteNode name="B">${cond('Nope', 't', vp('t', 1))}</DiscreteNode>`;
  assert.throws(() => compile(doc(AB_FIELDS, '<MiningField name="B"/><MiningField name="A" usageType="target"/>', unknown)), (e: unknown) => e instanceof PmmlCompileError && /Nope/.test(e.message));
  const fields = `${AB_FIELDS}<DataField name="T" optype="categorical" dataType="string">${TF}</DataField>`;
  assert.throws(() => compile(doc(fields, '<MiningField name="B"/><MiningField name="T" usageType="target"/>', AB_NODES)), (e: unknown) => e instanceof PmmlCompileError && /not a node/.test(e.message));
});

test('networks too large for enumeration are refused', () => {
  const names = Array.from({ length: 21 }, (_, i) => `N${i}`);
  const fields = names.map((n) => `<DataField name="${n}" optype="categorical" dataType="string">${TF}</DataField>`).join('');
  const nodes = names.map((n) => `<DiscreteNode name="${n}">${vp('t', 0.5)}${vp('f', 0.5)}</DiscreteNode>`).join('');
  assert.throws(() => compile(doc(fields, `<MiningField name="N1"/><MiningField name="N0" usageType="target"/>`, nodes)),
    (e: unknown) => e instanceof PmmlUnsupportedError && /2097152 joint configurations/.test(e.message));
});
