// ClusteringModel: small documents, values worked out by hand from the PMML 4.4
// formulas (Clustering Models: ComparisonMeasure, compare functions, missing values).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePmmlXml } from '../../src/frontends/pmml/xml.js';
import { compileDocument } from '../../runtime/pmml/document.js';
import { PmmlCompileError, PmmlUnsupportedError } from '../../runtime/pmml/el.js';
import { MODEL_REGISTRY } from '../../runtime/pmml/models/registry.js';
import { DISTRIBUTION_BASED_UNSUPPORTED } from '../../runtime/pmml/models/clustering.js';
import { loadProgramFromBytes } from '../../src/api.js';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';

const compilers = MODEL_REGISTRY.map((m) => m.compiler);

function compile(xml: string) {
  return compileDocument(decodePmmlXml(new TextEncoder().encode(xml)).root, compilers);
}

function near(actual: unknown, expected: number, tol = 1e-12): void {
  assert.equal(typeof actual, 'number', `expected a number, got ${String(actual)}`);
  assert.ok(Math.abs((actual as number) - expected) <= tol * Math.max(1, Math.abs(expected)), `${String(actual)} ≠ ${expected}`);
}

/** A document with continuous fields x, y (and z), the given measure/fields/clusters, and Output fields. */
function doc(body: string, opts: { fields?: string; output?: string; dict?: string; mining?: string; modelClass?: string } = {}): string {
  const dict = opts.dict ?? `
    <DataField name="x" optype="continuous" dataType="double"/>
    <DataField name="y" optype="continuous" dataType="double"/>
    <DataField name="z" optype="continuous" dataType="double"/>`;
  const mining = opts.mining ?? '<MiningField name="x"/><MiningField name="y"/><MiningField name="z"/>';
  return `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary>${dict}</DataDictionary>
  <ClusteringModel functionName="clustering" modelClass="${opts.modelClass ?? 'centerBased'}" numberOfClusters="2">
    <MiningSchema>${mining}</MiningSchema>
    <Output>${opts.output ?? `
      <OutputField name="cluster" feature="predictedValue"/>
      <OutputField name="display" feature="predictedDisplayValue"/>
      <OutputField name="id" feature="entityId"/>
      <OutputField name="second" feature="entityId" rank="2"/>
      <OutputField name="aff" feature="affinity"/>
      <OutputField name="affA" feature="clusterAffinity" value="A"/>
      <OutputField name="affB" feature="clusterAffinity" value="B"/>`}
    </Output>
    ${body}
  </ClusteringModel>
</PMML>`;
}

const XY = '<MiningField name="x"/><MiningField name="y"/>';
const XY_FIELDS = '<ClusteringField field="x"/><ClusteringField field="y"/>';

test('euclidean: nearest center wins, every cluster ranked with its distance', () => {
  const d = compile(doc(`
    <ComparisonMeasure kind="distance"><euclidean/></ComparisonMeasure>
    ${XY_FIELDS}
    <Cluster id="A" name="first"><Array n="2" type="real">0 0</Array></Cluster>
    <Cluster id="B" name="second"><Array n="2" type="real">3 4</Array></Cluster>`, { mining: XY }));
  // (3,0): |(3,0)-(0,0)| = 3, |(3,0)-(3,4)| = 4
  const r = d.score({ x: 3, y: 0 });
  assert.equal(r.cluster, 'A');
  assert.equal(r.display, 'first');
  assert.equal(r.id, 'A');
  assert.equal(r.second, 'B');
  near(r.aff, 3);
  near(r.affA, 3);
  near(r.affB, 4);
  // (3,3): sqrt(18) = 4.2426..., 1
  const s = d.score({ x: 3, y: 3 });
  assert.equal(s.cluster, 'B');
  assert.equal(s.display, 'second');
  near(s.affA, Math.sqrt(18));
  near(s.affB, 1);
});

test('cluster ids: id, else name, else 1-based index; display value is the name', () => {
  const d = compile(doc(`
    <ComparisonMeasure kind="distance"><squaredEuclidean/></ComparisonMeasure>
    ${XY_FIELDS}
    <Cluster><Array type="real">0 0</Array></Cluster>
    <Cluster name="far"><Array type="real">10 10</Array></Cluster>
    <Cluster><Array type="real">5 5</Array></Cluster>`, { mining: XY, output: `
      <OutputField name="cluster" feature="predictedValue"/>
      <OutputField name="display" feature="predictedDisplayValue"/>
      <OutputField name="a3" feature="clusterAffinity" value="3"/>
      <OutputField name="afar" feature="clusterAffinity" value="far"/>` }));
  // (6,5): to (0,0) 61, to (10,10) 16+25 = 41, to (5,5) 1
  const r = d.score({ x: 6, y: 5 });
  assert.equal(r.cluster, '3');
  assert.equal(r.display, '3');
  near(r.a3, 1);
  near(r.afar, 41);
  assert.equal(d.score({ x: 9, y: 9 }).cluster, 'far');
  assert.equal(d.score({ x: 9, y: 9 }).display, 'far');
});

test('cityBlock and chebychev with fieldWeight', () => {
  const fields = '<ClusteringField field="x" fieldWeight="2"/><ClusteringField field="y"/>';
  const clusters = `
    <Cluster id="A"><Array type="real">0 0</Array></Cluster>
    <Cluster id="B"><Array type="real">2 2</Array></Cluster>`;
  const city = compile(doc(`<ComparisonMeasure kind="distance"><cityBlock/></ComparisonMeasure>${fields}${clusters}`, { mining: XY }));
  // (1,2): A: 2·1 + 1·2 = 4; B: 2·1 + 0 = 2
  const r = city.score({ x: 1, y: 2 });
  assert.equal(r.cluster, 'B');
  near(r.affA, 4);
  near(r.affB, 2);
  const cheb = compile(doc(`<ComparisonMeasure kind="distance"><chebychev/></ComparisonMeasure>${fields}${clusters}`, { mining: XY }));
  // (1,2): A: max(2·1, 1·2) = 2; B: max(2·1, 0) = 2 → tie, the first cluster wins
  const s = cheb.score({ x: 1, y: 2 });
  assert.equal(s.cluster, 'A');
  near(s.affA, 2);
  near(s.affB, 2);
  // (0,3): A: max(0, 3) = 3; B: max(4, 1) = 4
  assert.equal(cheb.score({ x: 0, y: 3 }).cluster, 'A');
  near(cheb.score({ x: 0, y: 3 }).affB, 4);
});

test('minkowski p=3', () => {
  const d = compile(doc(`
    <ComparisonMeasure kind="distance"><minkowski p-parameter="3"/></ComparisonMeasure>
    ${XY_FIELDS}
    <Cluster id="A"><Array type="real">0 0</Array></Cluster>
    <Cluster id="B"><Array type="real">4 4</Array></Cluster>`, { mining: XY }));
  // (1,2): A: (1 + 8)^(1/3); B: (27 + 8)^(1/3)
  const r = d.score({ x: 1, y: 2 });
  assert.equal(r.cluster, 'A');
  near(r.affA, Math.cbrt(9));
  near(r.affB, Math.cbrt(35));
});

test('missing values: terms left out, distance scaled by Σq / Σq(non-missing); MissingValueWeights', () => {
  const body = (mvw: string) => `
    <ComparisonMeasure kind="distance"><squaredEuclidean/></ComparisonMeasure>
    <ClusteringField field="x"/><ClusteringField field="y"/><ClusteringField field="z"/>
    ${mvw}
    <Cluster id="A"><Array type="real">0 0 0</Array></Cluster>
    <Cluster id="B"><Array type="real">4 4 4</Array></Cluster>`;
  const plain = compile(doc(body('')));
  // (1, missing, 2): A: (1 + 4)·3/2 = 7.5; B: (9 + 4)·3/2 = 19.5
  const r = plain.score({ x: 1, y: null, z: 2 });
  assert.equal(r.cluster, 'A');
  near(r.affA, 7.5);
  near(r.affB, 19.5);
  // No missing value: no adjustment.
  near(plain.score({ x: 1, y: 1, z: 2 }).affA, 6);
  const weighted = compile(doc(body('<MissingValueWeights><Array type="real">1 2 1</Array></MissingValueWeights>')));
  // q = (1,2,1): A: (1 + 4)·4/2 = 10
  near(weighted.score({ x: 1, y: null, z: 2 }).affA, 10);
  // y and z missing: A: 1·4/1 = 4
  near(weighted.score({ x: 1, y: null, z: null }).affA, 4);
  // Every field missing: no prediction.
  const none = weighted.score({ x: null, y: null, z: null });
  assert.equal(none.cluster, null);
  assert.equal(none.affA, null);
});

test('euclidean: the adjustment applies before the square root', () => {
  const d = compile(doc(`
    <ComparisonMeasure kind="distance"><euclidean/></ComparisonMeasure>
    ${XY_FIELDS}
    <Cluster id="A"><Array type="real">0 0</Array></Cluster>
    <Cluster id="B"><Array type="real">9 9</Array></Cluster>`, { mining: XY }));
  // (3, missing): sqrt(9 · 2/1) = sqrt(18)
  near(d.score({ x: 3, y: null }).affA, Math.sqrt(18));
});

test('similarity kind with gaussSim: larger is better', () => {
  const d = compile(doc(`
    <ComparisonMeasure kind="similarity" compareFunction="gaussSim"><cityBlock/></ComparisonMeasure>
    <ClusteringField field="x" similarityScale="1"/><ClusteringField field="y" similarityScale="2"/>
    <Cluster id="A"><Array type="real">0 0</Array></Cluster>
    <Cluster id="B"><Array type="real">3 2</Array></Cluster>`, { mining: XY }));
  // (1,0): A: exp(-ln2·1/1) + exp(0) = 1.5; B: exp(-ln2·4) + exp(-ln2·4/4) = 1/16 + 1/2 = 0.5625
  const r = d.score({ x: 1, y: 0 });
  assert.equal(r.cluster, 'A');
  near(r.affA, 1.5);
  near(r.affB, 0.5625);
  assert.equal(r.second, 'B');
});

test('string fields with delta and equal; a value no center has differs from every center', () => {
  const dict = `
    <DataField name="color" optype="categorical" dataType="string"><Value value="red"/><Value value="blue"/><Value value="green"/></DataField>
    <DataField name="x" optype="continuous" dataType="double"/>`;
  const d = compile(doc(`
    <ComparisonMeasure kind="distance"><cityBlock/></ComparisonMeasure>
    <ClusteringField field="color" compareFunction="delta" fieldWeight="10"/>
    <ClusteringField field="x"/>
    <Cluster id="A"><Array type="string">"red" 0</Array></Cluster>
    <Cluster id="B"><Array type="string">blue 5</Array></Cluster>`, { dict, mining: '<MiningField name="color"/><MiningField name="x"/>' }));
  // (red, 4): A: 0 + 4 = 4; B: 10 + 1 = 11
  const r = d.score({ color: 'red', x: 4 });
  assert.equal(r.cluster, 'A');
  near(r.affA, 4);
  near(r.affB, 11);
  // (green, 4): A: 10 + 4 = 14; B: 10 + 1 = 11
  assert.equal(d.score({ color: 'green', x: 4 }).cluster, 'B');
  // equal as a similarity: matches count.
  const eq = compile(doc(`
    <ComparisonMeasure kind="similarity" compareFunction="equal"><cityBlock/></ComparisonMeasure>
    <ClusteringField field="color"/>
    <Cluster id="A"><Array type="string">red</Array></Cluster>
    <Cluster id="B"><Array type="string">blue</Array></Cluster>`, { dict, mining: '<MiningField name="color"/>' }));
  const s = eq.score({ color: 'blue' });
  assert.equal(s.cluster, 'B');
  near(s.affA, 0);
  near(s.affB, 1);
});

test('compareFunction="table": the matrix is indexed by the field\'s valid values', () => {
  const dict = `<DataField name="size" optype="ordinal" dataType="string"><Value value="S"/><Value value="M"/><Value value="L"/></DataField>`;
  const d = compile(doc(`
    <ComparisonMeasure kind="similarity"><cityBlock/></ComparisonMeasure>
    <ClusteringField field="size" compareFunction="table">
      <Comparisons><Matrix>
        <Array type="real">1 0.5 0</Array>
        <Array type="real">0.4 1 0.6</Array>
        <Array type="real">0 0.5 1</Array>
      </Matrix></Comparisons>
    </ClusteringField>
    <Cluster id="A"><Array type="string">S</Array></Cluster>
    <Cluster id="B"><Array type="string">L</Array></Cluster>`, { dict, mining: '<MiningField name="size"/>' }));
  // record M (row 2): A (col S) 0.4, B (col L) 0.6
  const r = d.score({ size: 'M' });
  assert.equal(r.cluster, 'B');
  near(r.affA, 0.4);
  near(r.affB, 0.6);
});

test('binary similarities: simpleMatching, jaccard, tanimoto, binarySimilarity', () => {
  const dict = ['a', 'b', 'c', 'd'].map((f) => `<DataField name="${f}" optype="continuous" dataType="integer"/>`).join('');
  const mining = ['a', 'b', 'c', 'd'].map((f) => `<MiningField name="${f}"/>`).join('');
  const fields = ['a', 'b', 'c', 'd'].map((f) => `<ClusteringField field="${f}"/>`).join('');
  const clusters = `
    <Cluster id="A"><Array type="int">1 0 0 0</Array></Cluster>
    <Cluster id="B"><Array type="int">1 1 1 0</Array></Cluster>`;
  const rec = { a: 1, b: 1, c: 0, d: 0 };
  // record (1,1,0,0): A: a11=1 a10=1 a01=0 a00=2; B: a11=2 a10=0 a01=1 a00=1
  const run = (metric: string) => compile(doc(`<ComparisonMeasure kind="similarity">${metric}</ComparisonMeasure>${fields}${clusters}`, { dict, mining })).score(rec);
  const sm = run('<simpleMatching/>');
  near(sm.affA, 3 / 4);
  near(sm.affB, 3 / 4);
  assert.equal(sm.cluster, 'A'); // tie: document order
  const j = run('<jaccard/>');
  near(j.affA, 1 / 2);
  near(j.affB, 2 / 3);
  assert.equal(j.cluster, 'B');
  const t = run('<tanimoto/>');
  near(t.affA, 3 / 5);
  near(t.affB, 3 / 5);
  // (c11·a11 + c10·a10 + c01·a01 + c00·a00) / (d11·a11 + d10·a10 + d01·a01 + d00·a00)
  // c = (1, 0, 0, 0.5) [c11 c10 c01 c00], d = (1, 1, 1, 1): A: (1 + 1)/4 = 0.5; B: (2 + 0.5)/4 = 0.625
  const bs = run('<binarySimilarity c11-parameter="1" c10-parameter="0" c01-parameter="0" c00-parameter="0.5" d11-parameter="1" d10-parameter="1" d01-parameter="1" d00-parameter="1"/>');
  near(bs.affA, 0.5);
  near(bs.affB, 0.625);
  assert.equal(bs.cluster, 'B');
});

test('without ClusteringField the active fields are the coordinates; isCenterField="false" is left out', () => {
  const d = compile(doc(`
    <ComparisonMeasure kind="distance"><squaredEuclidean/></ComparisonMeasure>
    <Cluster id="A"><Array type="real">0 0</Array></Cluster>
    <Cluster id="B"><Array type="real">1 1</Array></Cluster>`, { mining: XY }));
  near(d.score({ x: 2, y: 0 }).affA, 4);
  const e = compile(doc(`
    <ComparisonMeasure kind="distance"><squaredEuclidean/></ComparisonMeasure>
    <ClusteringField field="x"/><ClusteringField field="z" isCenterField="false"/><ClusteringField field="y"/>
    <Cluster id="A"><Array type="real">0 0</Array></Cluster>
    <Cluster id="B"><Array type="real">1 1</Array></Cluster>`));
  near(e.score({ x: 2, y: 0, z: 100 }).affB, 2);
});

test('the predicted value takes the type of a declared target field', () => {
  const dict = `<DataField name="x" optype="continuous" dataType="double"/><DataField name="k" optype="categorical" dataType="integer"/>`;
  const d = compile(doc(`
    <ComparisonMeasure kind="distance"><squaredEuclidean/></ComparisonMeasure>
    <ClusteringField field="x"/>
    <Cluster id="1"><Array type="real">0</Array></Cluster>
    <Cluster id="2"><Array type="real">10</Array></Cluster>`, {
    dict, mining: '<MiningField name="x"/><MiningField name="k" usageType="predicted"/>', output: '<OutputField name="cluster" feature="predictedValue"/>',
  }));
  assert.equal(d.score({ x: 8 }).cluster, 2);
});

test('distributionBased is MLC3101 with the reason (the spec defines no score over cluster statistics), even with centers', () => {
  const text = doc(`
    <ComparisonMeasure kind="similarity"><euclidean/></ComparisonMeasure>
    <Cluster id="A"><Partition name="pA"><PartitionFieldStats field="x"><Counts totalFreq="10"/></PartitionFieldStats></Partition>
      <Array type="real">0 0</Array></Cluster>`, { modelClass: 'distributionBased', mining: XY });
  assert.throws(() => compile(text), (e: unknown) => e instanceof PmmlUnsupportedError && e.path === 'PMML/ClusteringModel'
    && e.detail === DISTRIBUTION_BASED_UNSUPPORTED);
  let d: DiagnosticError | undefined;
  try {
    loadProgramFromBytes(new TextEncoder().encode(text), 'clusters.pmml');
  } catch (e) {
    if (e instanceof DiagnosticError) d = e;
    else throw e;
  }
  assert.ok(d, 'the document was accepted');
  assert.equal(d.code, 'MLC3101');
  assert.equal(d.path, 'PMML/ClusteringModel');
  assert.match(d.message, /modelClass="distributionBased".*similarity measure/);
});

test('compile errors and unsupported features name the element', () => {
  assert.throws(() => compile(doc(`
    <ComparisonMeasure kind="distance"><euclidean/></ComparisonMeasure>
    <Cluster id="A"><Array type="real">0 0</Array></Cluster>`, { modelClass: 'distributionBased', mining: XY })), PmmlUnsupportedError);
  assert.throws(() => compile(doc(`
    <ComparisonMeasure kind="distance"><euclidean/></ComparisonMeasure>${XY_FIELDS}
    <Cluster id="A"><Array type="real">0 0 0</Array></Cluster>`, { mining: XY })),
  (e: unknown) => e instanceof PmmlCompileError && /Cluster\[id=A\]\/Array/.test(e.path) && /3 coordinates/.test(e.detail));
  assert.throws(() => compile(doc(`
    <ComparisonMeasure kind="distance"><euclidean/></ComparisonMeasure>${XY_FIELDS}
    <Cluster id="A"><Array type="real">0 0</Array></Cluster>
    <Cluster id="A"><Array type="real">1 1</Array></Cluster>`, { mining: XY })), /used by an earlier Cluster/);
  assert.throws(() => compile(doc(`
    <ComparisonMeasure kind="distance"><euclidean/></ComparisonMeasure>
    <ClusteringField field="x" compareFunction="gaussSim"/><ClusteringField field="y"/>
    <Cluster id="A"><Array type="real">0 0</Array></Cluster>`, { mining: XY })), /similarityScale/);
  assert.throws(() => compile(doc(`
    <ComparisonMeasure kind="distance"><euclidean/></ComparisonMeasure>${XY_FIELDS}
    <MissingValueWeights><Array type="real">1 2 3</Array></MissingValueWeights>
    <Cluster id="A"><Array type="real">0 0</Array></Cluster>`, { mining: XY })), /3 weights for 2 center fields/);
  assert.throws(() => compile(doc(`
    <ComparisonMeasure kind="distance"><euclidean/></ComparisonMeasure>
    <ClusteringField field="nope"/>
    <Cluster id="A"><Array type="real">0</Array></Cluster>`, { mining: XY })), PmmlCompileError);
});
