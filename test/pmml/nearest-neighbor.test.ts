// NearestNeighborModel compiler: neighbour selection, continuous and categorical scoring
// methods, ties, instance ids with entityId/affinity outputs, categorical inputs, errors.
// Distances and scores are worked out by hand in the comments.

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

//  id  a  b  color  y   c
//  i1  0  0  red    10  A
//  i2  1  0  red    20  A
//  i3  0  2  blue   30  B
//  i4  3  3  blue   40  B
//  i5  5  5  red    50  C
const ROWS = [
  ['i1', 0, 0, 'red', 10, 'A'], ['i2', 1, 0, 'red', 20, 'A'], ['i3', 0, 2, 'blue', 30, 'B'],
  ['i4', 3, 3, 'blue', 40, 'B'], ['i5', 5, 5, 'red', 50, 'C'],
].map(([id, a, b, color, y, c]) => `<row><id>${id}</id><col_a>${a}</col_a><b>${b}</b><color>${color}</color><y>${y}</y><c>${c}</c></row>`).join('');

interface Opts { target?: 'y' | 'c'; k?: number; attrs?: string; inputs?: string; measure?: string; output?: string; fn?: string }

function knn(o: Opts = {}): string {
  const target = o.target ?? 'y';
  const fn = o.fn ?? (target === 'y' ? 'regression' : 'classification');
  return `<PMML version="4.4"><Header/>
  <DataDictionary>
    <DataField name="a" optype="continuous" dataType="double"/><DataField name="b" optype="continuous" dataType="double"/>
    <DataField name="color" optype="categorical" dataType="string"><Value value="red"/><Value value="blue"/></DataField>
    <DataField name="y" optype="continuous" dataType="double"/>
    <DataField name="c" optype="categorical" dataType="string"><Value value="A"/><Value value="B"/><Value value="C"/></DataField>
    <DataField name="id" optype="categorical" dataType="string"/>
  </DataDictionary>
  <NearestNeighborModel functionName="${fn}" numberOfNeighbors="${o.k ?? 3}" instanceIdVariable="id" ${o.attrs ?? ''}>
    <MiningSchema><MiningField name="a"/><MiningField name="b"/><MiningField name="color"/><MiningField name="${target}" usageType="target"/></MiningSchema>
    ${o.output ?? ''}
    <TrainingInstances>
      <InstanceFields><InstanceField field="id"/><InstanceField field="a" column="col_a"/><InstanceField field="b"/><InstanceField field="color"/><InstanceField field="y"/><InstanceField field="c"/></InstanceFields>
      <InlineTable>${ROWS}</InlineTable>
    </TrainingInstances>
    ${o.measure ?? '<ComparisonMeasure kind="distance"><euclidean/></ComparisonMeasure>'}
    <KNNInputs>${o.inputs ?? '<KNNInput field="a"/><KNNInput field="b"/>'}</KNNInputs>
  </NearestNeighborModel></PMML>`;
}

// Query (0, 0.5): d(i1) = 0.5, d(i2) = √1.25, d(i3) = 1.5, d(i4) = √15.25, d(i5) = √45.25
const q = { a: 0, b: 0.5, color: null };

test('continuous scoring: average, median, weightedAverage', () => {
  close(compile(knn()).score(q).y, 20); // (10 + 20 + 30) / 3
  close(compile(knn({ attrs: 'continuousScoringMethod="median"' })).score(q).y, 20);
  // weights 1/(d + 0.001): Σ w·y / Σ w
  close(compile(knn({ attrs: 'continuousScoringMethod="weightedAverage"' })).score(q).y, 16.260296915581396);
  // threshold attribute changes the weights: 1/(d + 1) = 1/1.5, 1/(1+√1.25), 1/2.5
  const w = [1 / 1.5, 1 / (1 + Math.sqrt(1.25)), 1 / 2.5];
  close(compile(knn({ attrs: 'continuousScoringMethod="weightedAverage" threshold="1"' })).score(q).y,
    (10 * w[0] + 20 * w[1] + 30 * w[2]) / (w[0] + w[1] + w[2]));
  // Even k: the median is the mean of the middle two. Query (0, 1.2): nearest i3 (0.8), i1 (1.2)
  close(compile(knn({ k: 2, attrs: 'continuousScoringMethod="median"' })).score({ a: 0, b: 1.2 }).y, 20);
  // k larger than the training set: all five
  close(compile(knn({ k: 9 })).score(q).y, 30);
});

test('categorical scoring: majorityVote, weightedMajorityVote, ties', () => {
  const r = compile(knn({ target: 'c' })).score(q);
  assert.equal(r.c, 'A');
  close(r['probability(A)'], 2 / 3);
  close(r['probability(B)'], 1 / 3);
  close(r['probability(C)'], 0);
  const w = compile(knn({ target: 'c', attrs: 'categoricalScoringMethod="weightedMajorityVote"' })).score(q);
  close(w['probability(A)'], 0.8126408754706278);
  close(w['probability(B)'], 0.18735912452937223);
  // Query (0, 1.2), k = 2: i3 (B, 0.8) and i1 (A, 1.2): a 1–1 tie → A, listed first for the target;
  // weighted, the nearer B wins.
  assert.equal(compile(knn({ target: 'c', k: 2 })).score({ a: 0, b: 1.2 }).c, 'A');
  assert.equal(compile(knn({ target: 'c', k: 2, attrs: 'categoricalScoringMethod="weightedMajorityVote"' })).score({ a: 0, b: 1.2 }).c, 'B');
});

test('entityId and affinity by rank', () => {
  const output = `<Output>
    <OutputField name="n1" dataType="string" feature="entityId" rank="1"/>
    <OutputField name="n2" dataType="string" feature="entityId" rank="2"/>
    <OutputField name="n3" dataType="string" feature="entityId" rank="3"/>
    <OutputField name="d1" dataType="double" feature="affinity" rank="1"/>
    <OutputField name="d2" dataType="double" feature="affinity" rank="2"/>
    <OutputField name="pred" dataType="double" feature="predictedValue"/>
  </Output>`;
  const r = compile(knn({ output })).score(q);
  assert.equal(r.n1, 'i1');
  assert.equal(r.n2, 'i2');
  assert.equal(r.n3, 'i3');
  close(r.d1, 0.5);
  close(r.d2, Math.sqrt(1.25));
  close(r.pred, 20);
});

test('categorical inputs compare with delta; ties go to the earlier instance', () => {
  const measure = '<ComparisonMeasure kind="distance"><cityBlock/></ComparisonMeasure>';
  // a = 1, color = blue: i1 1+1 = 2, i2 0+1 = 1, i3 1+0 = 1, i4 2+0 = 2, i5 4+1 = 5
  const inputs = '<KNNInput field="a"/><KNNInput field="color" compareFunction="delta"/>';
  close(compile(knn({ k: 1, measure, inputs })).score({ a: 1, b: null, color: 'blue' }).y, 20); // i2 before i3
  close(compile(knn({ k: 2, measure, inputs })).score({ a: 1, b: null, color: 'blue' }).y, 25);
  // absDiff (the default) on a categorical input means delta
  const inputsDefault = '<KNNInput field="a"/><KNNInput field="color"/>';
  close(compile(knn({ k: 2, measure, inputs: inputsDefault })).score({ a: 1, b: null, color: 'blue' }).y, 25);
  // fieldWeight: color weighted 10 → i3 (1 + 0) and i4 (2 + 0) nearest
  const weighted = '<KNNInput field="a"/><KNNInput field="color" fieldWeight="10"/>';
  close(compile(knn({ k: 2, measure, inputs: weighted })).score({ a: 1, b: null, color: 'blue' }).y, 35);
});

test('a similarity measure ranks the largest first', () => {
  // simpleMatching over (a, b) as 0/1: query (1, 0) → i2 (1,0) matches 2/2; i1 (0,0) 1/2; i3 (0,1) 0/2 …
  const measure = '<ComparisonMeasure kind="similarity"><simpleMatching/></ComparisonMeasure>';
  close(compile(knn({ k: 1, measure })).score({ a: 1, b: 0, color: null }).y, 20);
});

test('missing inputs are left out of the distance; all missing → no prediction', () => {
  // b missing: distances on a alone (adjusted by 2/1): a = 3 → i4 (0)
  close(compile(knn({ k: 1 })).score({ a: 3, b: null, color: null }).y, 40);
  assert.equal(compile(knn()).score({ a: null, b: null, color: null }).y, null);
});

test('compile errors', () => {
  const locator = knn().replace(/<InlineTable>.*<\/InlineTable>/s, '<TableLocator/>');
  assert.throws(() => compile(locator), (e: unknown) => e instanceof PmmlUnsupportedError && /TableLocator/.test(e.path));
  const notInstance = knn({ inputs: '<KNNInput field="a"/><KNNInput field="b"/>' }).replace('<InstanceField field="b"/>', '');
  assert.throws(() => compile(notInstance), (e: unknown) => e instanceof PmmlCompileError && /KNNInput\[2\]/.test(e.path));
  assert.throws(() => compile(knn({ attrs: 'continuousScoringMethod="mode"' })), PmmlCompileError);
});

test('no target: only the neighbours (entityId), mixed function', () => {
  const xml = knn({ fn: 'mixed', output: `<Output>
    <OutputField name="n1" dataType="string" feature="entityId" rank="1"/>
    <OutputField name="n2" dataType="string" feature="entityId" rank="2"/>
  </Output>` }).replace('<MiningField name="y" usageType="target"/>', '');
  const r = compile(xml).score({ a: 3, b: 3, color: null });
  // From (3, 3): i4 0, i5 √(4 + 4) = √8, i3 √(9 + 1) = √10, i2 √(4 + 9), i1 √18
  assert.equal(r.n1, 'i4');
  assert.equal(r.n2, 'i5');
});
