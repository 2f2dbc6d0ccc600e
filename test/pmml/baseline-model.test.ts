// BaselineModel: the test statistics on small documents, values worked out by hand
// (zValue, CUSUM over a sequence, chi-square against a count table, scalar product).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePmmlXml } from '../../src/frontends/pmml/xml.js';
import { compileDocument } from '../../runtime/pmml/document.js';
import { PmmlCompileError, PmmlUnsupportedError } from '../../runtime/pmml/el.js';
import { MODEL_REGISTRY } from '../../runtime/pmml/models/registry.js';

const compilers = MODEL_REGISTRY.map((m) => m.compiler);

function compile(xml: string) {
  return compileDocument(decodePmmlXml(new TextEncoder().encode(xml)).root, compilers);
}

function near(actual: unknown, expected: number): void {
  assert.equal(typeof actual, 'number', `expected a number, got ${String(actual)}`);
  assert.ok(Math.abs((actual as number) - expected) <= 1e-12 * Math.max(1, Math.abs(expected)), `${String(actual)} ≠ ${expected}`);
}

function doc(td: string, opts: { xType?: string; extra?: string } = {}): string {
  return `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary>
    <DataField name="x" optype="${opts.xType === 'string' ? 'categorical' : 'continuous'}" dataType="${opts.xType ?? 'double'}"/>
    <DataField name="w" optype="continuous" dataType="double"/>
    <DataField name="score" optype="continuous" dataType="double"/>
  </DataDictionary>
  <BaselineModel functionName="regression">
    <MiningSchema><MiningField name="x"/><MiningField name="w"/><MiningField name="score" usageType="target"/></MiningSchema>
    ${td}
  </BaselineModel>
</PMML>`;
}

test('zValue: (x − mean) / sqrt(variance) for every continuous Baseline', () => {
  const z = (dist: string) => compile(doc(`<TestDistributions field="x" testStatistic="zValue"><Baseline>${dist}</Baseline></TestDistributions>`));
  const g = z('<GaussianDistribution mean="10" variance="4"/>');
  near(g.score({ x: 13 }).score, 1.5);
  near(g.score({ x: 7 }).score, -1.5);
  assert.equal(g.score({ x: null }).score, null);
  near(z('<PoissonDistribution mean="4"/>').score({ x: 6 }).score, 1);
  near(z('<UniformDistribution lower="0" upper="12"/>').score({ x: 9 }).score, 3 / Math.sqrt(12));
  near(z('<AnyDistribution mean="1" variance="0.25"/>').score({ x: 2 }).score, 2);
});

test('CUSUM over the row\'s sequence: Z[n] = max(r, Z[n−1] + log f1(x)/f0(x))', () => {
  const cusum = (attrs: string, base: string, alt: string) => compile(doc(`
    <TestDistributions field="x" testStatistic="CUSUM" ${attrs}>
      <Baseline>${base}</Baseline><Alternate>${alt}</Alternate>
    </TestDistributions>`));
  // f0 = N(0, 1), f1 = N(1, 1): g(x) = x − 0.5
  const d = cusum('resetValue="0"', '<GaussianDistribution mean="0" variance="1"/>', '<GaussianDistribution mean="1" variance="1"/>');
  near(d.score({ x: [1, 2, -3, 0.5] }).score, 0); // 0.5, 2, 0, 0
  near(d.score({ x: [2, 2] }).score, 3); // 1.5, 3
  near(d.score({ x: [2, 2, -1] }).score, 1.5); // 1.5, 3, 1.5
  near(d.score({ x: 2 }).score, 1.5); // a single value: a sequence of one
  assert.equal(d.score({ x: [] }).score, null);
  const r = cusum('resetValue="0.2"', '<GaussianDistribution mean="0" variance="1"/>', '<GaussianDistribution mean="1" variance="1"/>');
  near(r.score({ x: [-1] }).score, 0.2); // max(0.2, −1.5)
  const w = cusum('windowSize="2"', '<GaussianDistribution mean="0" variance="1"/>', '<GaussianDistribution mean="1" variance="1"/>');
  near(w.score({ x: [2, 2, -1] }).score, 0); // last two: 1.5, max(0, 1.5 − 1.5)
  // Poisson(2) vs Poisson(4): g(x) = x·ln 2 − 2
  const p = cusum('', '<PoissonDistribution mean="2"/>', '<PoissonDistribution mean="4"/>');
  near(p.score({ x: [3] }).score, 3 * Math.LN2 - 2);
  near(p.score({ x: [3, 4] }).score, 7 * Math.LN2 - 4);
  // Uniform(0, 4) vs Uniform(0, 2): g = ln 4 − ln 2 inside [0, 2]
  const u = cusum('', '<UniformDistribution lower="0" upper="4"/>', '<UniformDistribution lower="0" upper="2"/>');
  near(u.score({ x: [1, 1.5] }).score, 2 * Math.LN2);
  near(u.score({ x: [1, 3] }).score, 0); // ln 2, then −∞ → reset
});

const TABLE = (kind: string, a: string, b: string, c: string) => `<${kind}>
  <FieldValueCount field="x" value="a" count="${a}"/><FieldValueCount field="x" value="b" count="${b}"/><FieldValueCount field="x" value="c" count="${c}"/>
</${kind}>`;

test('chiSquareDistribution: Σ (O − E)² / E with E = N·p from the count table', () => {
  for (const table of [TABLE('CountTable', '50', '30', '20'), TABLE('NormalizedCountTable', '0.5', '0.3', '0.2')]) {
    const d = compile(doc(`<TestDistributions field="x" testStatistic="chiSquareDistribution"><Baseline>${table}</Baseline></TestDistributions>`, { xType: 'string' }));
    // O = (2, 1, 3), N = 6, E = (3, 1.8, 1.2): 1/3 + 0.64/1.8 + 3.24/1.2
    near(d.score({ x: ['a', 'a', 'b', 'c', 'c', 'c'] }).score, 1 / 3 + 0.64 / 1.8 + 3.24 / 1.2);
    // values outside the table are not counted
    near(d.score({ x: ['a', 'a', 'b', 'd', 'c', 'c', 'c'] }).score, 1 / 3 + 0.64 / 1.8 + 3.24 / 1.2);
    assert.equal(d.score({ x: [] }).score, null);
  }
  const weighted = compile(doc(`<TestDistributions field="x" testStatistic="chiSquareDistribution" weightField="w"><Baseline>${TABLE('CountTable', '5', '3', '2')}</Baseline></TestDistributions>`, { xType: 'string' }));
  // O = (2, 2, 0), N = 4, E = (2, 1.2, 0.8): 0 + 0.64/1.2 + 0.64/0.8
  near(weighted.score({ x: ['a', 'b'], w: [2, 2] }).score, 0.64 / 1.2 + 0.64 / 0.8);
  near(weighted.score({ x: ['a', 'b'], w: 2 }).score, 0.64 / 1.2 + 0.64 / 0.8);
  const windowed = compile(doc(`<TestDistributions field="x" testStatistic="chiSquareDistribution" windowSize="2"><Baseline>${TABLE('CountTable', '1', '1', '2')}</Baseline></TestDistributions>`, { xType: 'string' }));
  // last two observations (c, c): O = (0, 0, 2), E = (0.5, 0.5, 1): 0.5 + 0.5 + 1
  near(windowed.score({ x: ['a', 'b', 'c', 'c'] }).score, 2);
});

test('scalarProduct: observed counts times the table entries', () => {
  const d = compile(doc(`<TestDistributions field="x" testStatistic="scalarProduct"><Baseline>${TABLE('NormalizedCountTable', '0.5', '0.3', '0.2')}</Baseline></TestDistributions>`, { xType: 'string' }));
  near(d.score({ x: ['a', 'a', 'b'] }).score, 1.3);
  near(d.score({ x: 'c' }).score, 0.2);
});

test('unsupported and invalid documents', () => {
  assert.throws(() => compile(doc(`<TestDistributions field="x" testStatistic="chiSquareIndependence"><Baseline>${TABLE('CountTable', '1', '1', '1')}</Baseline></TestDistributions>`, { xType: 'string' })), PmmlUnsupportedError);
  assert.throws(() => compile(doc(`<TestDistributions field="x" testStatistic="CUSUM"><Baseline><AnyDistribution mean="0" variance="1"/></Baseline><Alternate><GaussianDistribution mean="1" variance="1"/></Alternate></TestDistributions>`)), PmmlUnsupportedError);
  assert.throws(() => compile(doc(`<TestDistributions field="x" testStatistic="CUSUM"><Baseline><GaussianDistribution mean="0" variance="1"/></Baseline></TestDistributions>`)),
    (e: unknown) => e instanceof PmmlCompileError && /TestDistributions/.test(e.path) && /Alternate/.test(e.detail));
  assert.throws(() => compile(doc(`<TestDistributions field="x" testStatistic="zValue"><Baseline><GaussianDistribution mean="0" variance="0"/></Baseline></TestDistributions>`)), /variance/);
  assert.throws(() => compile(doc(`<TestDistributions field="x" testStatistic="chiSquareDistribution"><Baseline><GaussianDistribution mean="0" variance="1"/></Baseline></TestDistributions>`)), /CountTable/);
  assert.throws(() => compile(doc(`<TestDistributions field="nope" testStatistic="zValue"><Baseline><GaussianDistribution mean="0" variance="1"/></Baseline></TestDistributions>`)), PmmlCompileError);
});
