// MiningModel with Segmentation: every multipleModelMethod, missingPredictionTreatment/missingThreshold,
// modelChain (Output fields of earlier segments visible to later ones), nested segmentations,
// VariableWeight, and compile-time errors. Expected values by hand from the PMML 4.4 Multiple Models
// specification.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePmmlXml } from '../../src/frontends/pmml/xml.js';
import { compileDocument } from '../../runtime/pmml/document.js';
import { PmmlCompileError, PmmlUnsupportedError } from '../../runtime/pmml/el.js';
import { MODEL_REGISTRY } from '../../runtime/pmml/models/registry.js';
import { weightedMedian } from '../../runtime/pmml/models/mining.js';

const compilers = MODEL_REGISTRY.map((m) => m.compiler);

function compileXml(xml: string) {
  return compileDocument(decodePmmlXml(new TextEncoder().encode(xml)).root, compilers);
}

function near(actual: unknown, expected: number, tol = 1e-12): void {
  assert.equal(typeof actual, 'number', `expected a number, got ${String(actual)}`);
  assert.ok(Math.abs((actual as number) - expected) <= tol * Math.max(1, Math.abs(expected)), `${String(actual)} ≠ ${expected}`);
}

const REG_SCHEMA = '<MiningSchema><MiningField name="x"/><MiningField name="t" usageType="target"/></MiningSchema>';

/** A regression tree: x < 0 → neg, x >= 0 → pos (x missing: no prediction). */
function regTree(neg: number | string, pos: number | string, extra = ''): string {
  return `<TreeModel functionName="regression" ${extra}>${REG_SCHEMA}<Node><True/>
    <Node score="${neg}"><SimplePredicate field="x" operator="lessThan" value="0"/></Node>
    <Node score="${pos}"><SimplePredicate field="x" operator="greaterOrEqual" value="0"/></Node>
  </Node></TreeModel>`;
}

function regDoc(segmentation: string, output = ''): string {
  return `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary>
    <DataField name="x" optype="continuous" dataType="double"/>
    <DataField name="w" optype="continuous" dataType="double"/>
    <DataField name="t" optype="continuous" dataType="double"/>
  </DataDictionary>
  <MiningModel functionName="regression">
    <MiningSchema><MiningField name="x"/><MiningField name="w"/><MiningField name="t" usageType="target"/></MiningSchema>
    ${output}
    ${segmentation}
  </MiningModel>
</PMML>`;
}

function seg(model: string, attrs = '', predicate = '<True/>'): string {
  return `<Segment ${attrs}>${predicate}${model}</Segment>`;
}

function regEnsemble(method: string, segments: string[], attrs = ''): string {
  return regDoc(`<Segmentation multipleModelMethod="${method}" ${attrs}>${segments.join('')}</Segmentation>`);
}

const CLASS_SCHEMA = '<MiningSchema><MiningField name="x"/><MiningField name="c" usageType="target"/></MiningSchema>';

/** A classification tree with one leaf per sign of x: [A, B, C] record counts and the score. */
function classTree(neg: [number, number, number, string], pos: [number, number, number, string]): string {
  const leaf = (v: [number, number, number, string]) => `<ScoreDistribution value="A" recordCount="${v[0]}"/><ScoreDistribution value="B" recordCount="${v[1]}"/><ScoreDistribution value="C" recordCount="${v[2]}"/>`;
  return `<TreeModel functionName="classification">${CLASS_SCHEMA}<Node><True/>
    <Node score="${neg[3]}"><SimplePredicate field="x" operator="lessThan" value="0"/>${leaf(neg)}</Node>
    <Node score="${pos[3]}"><SimplePredicate field="x" operator="greaterOrEqual" value="0"/>${leaf(pos)}</Node>
  </Node></TreeModel>`;
}

/** A classification tree that always predicts `score` (no ScoreDistribution). */
function voteTree(score: string): string {
  return `<TreeModel functionName="classification">${CLASS_SCHEMA}<Node score="${score}"><True/></Node></TreeModel>`;
}

function classDoc(segmentation: string): string {
  return `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary>
    <DataField name="x" optype="continuous" dataType="double"/>
    <DataField name="c" optype="categorical" dataType="string"><Value value="A"/><Value value="B"/><Value value="C"/></DataField>
  </DataDictionary>
  <MiningModel functionName="classification">
    <MiningSchema><MiningField name="x"/><MiningField name="c" usageType="target"/></MiningSchema>
    ${segmentation}
  </MiningModel>
</PMML>`;
}

function probs(out: Record<string, unknown>, a: number, b: number, c: number): void {
  near(out['probability(A)'], a);
  near(out['probability(B)'], b);
  near(out['probability(C)'], c);
}

test('regression: average, weightedAverage, median, weightedMedian, sum, weightedSum, max', () => {
  const trees = [seg(regTree(1, 10), 'weight="1"'), seg(regTree(2, 20), 'weight="2"'), seg(regTree(6, 60), 'weight="3"'), seg(regTree(3, 30), 'weight="4"')];
  const score = (method: string, x: number) => compileXml(regEnsemble(method, trees)).score({ x }).t;
  near(score('average', -1), 3);
  near(score('weightedAverage', -1), (1 + 4 + 18 + 12) / 10);
  near(score('median', -1), 2.5); // 1 2 3 6: mean of the middle two
  near(score('weightedMedian', 1), 30); // 10:1 20:3 30:7 > 5
  near(score('sum', 1), 120);
  near(score('weightedSum', 1), 10 + 40 + 180 + 120);
  near(score('max', -1), 6);
});

test('weightedMedian: exactly half of the weight below gives the mean with the next value; equal weights give the median', () => {
  const order: number[] = [];
  assert.equal(weightedMedian([5, 1, 3], [1, 1, 2], order), 3); // 1:1 3:3 > 2
  assert.equal(weightedMedian([1, 2], [1, 1], order), 1.5);
  assert.equal(weightedMedian([4, 1, 3, 2], null, order), 2.5);
  assert.equal(weightedMedian([1, 9, 5], [2, 0, 2], order), 3); // zero weights are ignored
  assert.ok(Number.isNaN(weightedMedian([1], [0], order)));
});

test('segment predicates select the segments; none selected gives no prediction', () => {
  const doc = compileXml(regEnsemble('sum', [
    seg(regTree(1, 1), '', '<SimplePredicate field="w" operator="greaterThan" value="0"/>'),
    seg(regTree(10, 10), '', '<SimplePredicate field="w" operator="greaterThan" value="5"/>'),
  ]));
  near(doc.score({ x: 1, w: 1 }).t, 1);
  near(doc.score({ x: 1, w: 9 }).t, 11);
  assert.equal(doc.score({ x: 1, w: -1 }).t, null);
  assert.equal(doc.score({ x: 1, w: null }).t, null); // UNKNOWN predicates do not select
});

test('missingPredictionTreatment and missingThreshold (regression)', () => {
  // The second segment has no prediction when x is missing (its children are UNKNOWN); the others always predict.
  const segs = [seg(regTree(1, 1).replace('<Node><True/>', '<Node score="1"><True/>').replace('functionName="regression"', 'functionName="regression" noTrueChildStrategy="returnLastPrediction"'), 'weight="1"'),
    seg(regTree(5, 5), 'weight="3"'),
    seg(regTree(2, 2).replace('<Node><True/>', '<Node score="2"><True/>').replace('functionName="regression"', 'functionName="regression" noTrueChildStrategy="returnLastPrediction"'), 'weight="1"')];
  const score = (method: string, attrs: string) => compileXml(regEnsemble(method, segs, attrs)).score({ x: null }).t;
  assert.equal(score('average', ''), null); // continue: a missing result makes the average missing
  assert.equal(score('average', 'missingPredictionTreatment="returnMissing"'), null);
  near(score('average', 'missingPredictionTreatment="skipSegment"'), 1.5);
  near(score('average', 'missingPredictionTreatment="skipSegment" missingThreshold="0.34"'), 1.5); // 1/3 <= 0.34
  assert.equal(score('average', 'missingPredictionTreatment="skipSegment" missingThreshold="0.3"'), null);
  // Weighted methods weigh the fraction: 3/5 of the weight is missing.
  assert.equal(score('weightedAverage', 'missingPredictionTreatment="skipSegment" missingThreshold="0.5"'), null);
  near(score('weightedAverage', 'missingPredictionTreatment="skipSegment" missingThreshold="0.6"'), 1.5);
});

test('classification: majorityVote shares, ties go to the first target category', () => {
  const doc = compileXml(classDoc(`<Segmentation multipleModelMethod="majorityVote">
    ${seg(voteTree('C'))}${seg(voteTree('B'))}${seg(voteTree('C'))}${seg(voteTree('B'))}${seg(voteTree('A'))}
  </Segmentation>`));
  const out = doc.score({ x: 1 });
  assert.equal(out.c, 'B'); // B and C have two votes each: B comes first in the DataDictionary
  probs(out, 0.2, 0.4, 0.4);
});

test('classification: weightedMajorityVote uses the weights, VariableWeight multiplies them by a field', () => {
  const doc = compileXml(`<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary>
    <DataField name="x" optype="continuous" dataType="double"/>
    <DataField name="c" optype="categorical" dataType="string"><Value value="A"/><Value value="B"/><Value value="C"/></DataField>
  </DataDictionary>
  <MiningModel functionName="classification">
    <MiningSchema><MiningField name="x"/><MiningField name="c" usageType="target"/></MiningSchema>
    <Segmentation multipleModelMethod="weightedMajorityVote">
      <Segment weight="3"><True/>${voteTree('A')}</Segment>
      <Segment weight="2"><True/>${voteTree('B')}</Segment>
      <Segment weight="0.5"><True/>${voteTree('B')}<VariableWeight field="x"/></Segment>
    </Segmentation>
  </MiningModel>
</PMML>`);
  const low = doc.score({ x: 1 }); // A 3, B 2 + 0.5
  assert.equal(low.c, 'A');
  probs(low, 3 / 5.5, 2.5 / 5.5, 0);
  const high = doc.score({ x: 4 }); // A 3, B 2 + 2
  assert.equal(high.c, 'B');
  probs(high, 3 / 7, 4 / 7, 0);
});

test('classification: average and weightedAverage of probabilities; trees without ScoreDistribution count as certain votes', () => {
  const t1 = classTree([1, 1, 8, 'C'], [6, 3, 1, 'A']);
  const t2 = classTree([7, 2, 1, 'A'], [1, 5, 4, 'B']);
  const avg = compileXml(classDoc(`<Segmentation multipleModelMethod="average">${seg(t1)}${seg(t2)}${seg(voteTree('C'))}</Segmentation>`)).score({ x: 1 });
  assert.equal(avg.c, 'C');
  probs(avg, 0.7 / 3, 0.8 / 3, 1.5 / 3);
  const wavg = compileXml(classDoc(`<Segmentation multipleModelMethod="weightedAverage">${seg(t1, 'weight="3"')}${seg(t2, 'weight="1"')}</Segmentation>`)).score({ x: -1 });
  assert.equal(wavg.c, 'C');
  probs(wavg, (0.3 + 0.7) / 4, (0.3 + 0.2) / 4, (2.4 + 0.1) / 4);
});

test('classification: max and median return the average of the models that gave the winning statistic', () => {
  const t1 = classTree([1, 1, 8, 'C'], [6, 3, 1, 'A']);
  const t2 = classTree([7, 2, 1, 'A'], [1, 5, 4, 'B']);
  const t3 = classTree([3, 6, 1, 'B'], [6, 2, 2, 'A']);
  const max = compileXml(classDoc(`<Segmentation multipleModelMethod="max">${seg(t1)}${seg(t2)}${seg(t3)}</Segmentation>`)).score({ x: 1 });
  // maxima: A 0.6 (t1 and t3), B 0.5, C 0.4 → A; average of t1 and t3
  assert.equal(max.c, 'A');
  probs(max, 0.6, 0.25, 0.15);
  const median = compileXml(classDoc(`<Segmentation multipleModelMethod="median">${seg(t1)}${seg(t2)}${seg(t3)}</Segmentation>`)).score({ x: -1 });
  // medians: A 0.3, B 0.2, C 0.1 → A; the model with A = 0.3 is t3
  assert.equal(median.c, 'A');
  probs(median, 0.3, 0.6, 0.1);
});

test('classification votes with missing results: continue lets the missing vote win, skipSegment drops it', () => {
  // The x tree has no prediction when x is missing.
  const xTree = `<TreeModel functionName="classification">${CLASS_SCHEMA}<Node><True/><Node score="A"><SimplePredicate field="x" operator="lessThan" value="0"/></Node></Node></TreeModel>`;
  const body = (attrs: string) => classDoc(`<Segmentation multipleModelMethod="majorityVote" ${attrs}>${seg(xTree)}${seg(xTree)}${seg(voteTree('B'))}</Segmentation>`);
  assert.equal(compileXml(body('')).score({ x: null }).c, null); // 2 missing votes beat 1 vote for B
  const skip = compileXml(body('missingPredictionTreatment="skipSegment"')).score({ x: null });
  assert.equal(skip.c, 'B');
  probs(skip, 0, 1, 0);
  assert.equal(compileXml(body('missingPredictionTreatment="skipSegment" missingThreshold="0.5"')).score({ x: null }).c, null);
  assert.equal(compileXml(body('missingPredictionTreatment="returnMissing"')).score({ x: -1 }).c, 'A');
  assert.equal(compileXml(body('missingPredictionTreatment="returnMissing"')).score({ x: null }).c, null);
});

test('modelChain: Output fields of earlier segments are visible to later ones; the last selected segment gives the result', () => {
  const xml = `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary>
    <DataField name="x" optype="continuous" dataType="double"/>
    <DataField name="t" optype="continuous" dataType="double"/>
  </DataDictionary>
  <MiningModel functionName="regression">
    <MiningSchema><MiningField name="x"/><MiningField name="t" usageType="target"/></MiningSchema>
    <Output>
      <OutputField name="final" optype="continuous" dataType="double" feature="predictedValue"/>
      <OutputField name="seen" optype="continuous" dataType="double" feature="transformedValue"><FieldRef field="stage1"/></OutputField>
    </Output>
    <Segmentation multipleModelMethod="modelChain">
      <Segment id="first"><True/>
        <TreeModel functionName="regression">${REG_SCHEMA}
          <Output><OutputField name="stage1" optype="continuous" dataType="double" feature="predictedValue"/></Output>
          <Node><True/>
            <Node score="-5"><SimplePredicate field="x" operator="lessThan" value="0"/></Node>
            <Node score="5"><SimplePredicate field="x" operator="greaterOrEqual" value="0"/></Node>
          </Node>
        </TreeModel>
      </Segment>
      <Segment id="second"><SimplePredicate field="x" operator="lessThan" value="100"/>
        <TreeModel functionName="regression">
          <MiningSchema><MiningField name="stage1"/><MiningField name="t" usageType="target"/></MiningSchema>
          <Node><True/>
            <Node score="100"><SimplePredicate field="stage1" operator="greaterThan" value="0"/></Node>
            <Node score="200"><SimplePredicate field="stage1" operator="lessOrEqual" value="0"/></Node>
          </Node>
        </TreeModel>
      </Segment>
    </Segmentation>
  </MiningModel>
</PMML>`;
  const doc = compileXml(xml);
  assert.deepEqual(doc.score({ x: 1 }), { final: 100, seen: 5 });
  assert.deepEqual(doc.score({ x: -1 }), { final: 200, seen: -5 });
  assert.deepEqual(doc.score({ x: 500 }), { final: 5, seen: 5 }); // the second segment is not selected: the first one's result
  assert.deepEqual(doc.score({ x: null }), { final: null, seen: null });
});

test('nested segmentations: a Segment holding a MiningModel', () => {
  const inner = `<MiningModel functionName="regression">${REG_SCHEMA}
    <Segmentation multipleModelMethod="average">${seg(regTree(1, 2))}${seg(regTree(3, 4))}</Segmentation></MiningModel>`;
  const doc = compileXml(regEnsemble('sum', [seg(inner, 'id="inner"'), seg(regTree(10, 20))]));
  near(doc.score({ x: -1 }).t, 12);
  near(doc.score({ x: 1 }).t, 23);
});

// selectAll. PMML 4.4: "All models for which the predicate in the Segment evaluates to true are
// evaluated. [...] The PMML standard does not specify a mechanism for returning more than one value per
// record scored." mlcompile returns them as `$segments` (docs/pmml.md); the MiningModel has no single result.

test('selectAll: every segment whose predicate is TRUE, in document order, with its id; UNKNOWN does not select', () => {
  const output = `<Output>
    <OutputField name="first" optype="continuous" dataType="double" feature="predictedValue" segmentId="a"/>
    <OutputField name="second" optype="continuous" dataType="double" feature="predictedValue" segmentId="2"/>
    <OutputField name="own" optype="continuous" dataType="double" feature="predictedValue"/>
  </Output>`;
  const doc = compileXml(regDoc(`<Segmentation multipleModelMethod="selectAll">
    ${seg(regTree(1, 2), 'id="a"')}
    ${seg(regTree(3, 4), '', '<SimplePredicate field="x" operator="greaterThan" value="5"/>')}
    ${seg(regTree(5, 6), 'id="c"', '<SimplePredicate field="w" operator="greaterThan" value="0"/>')}
  </Segmentation>`, output));
  // Implicit ids: a Segment without id is named by its 1-based position ("2"), as the spec says.
  assert.deepEqual(doc.score({ x: 6, w: 1 }), {
    first: 2, second: 4, own: null,
    $segments: [{ segmentId: 'a', result: { t: 2 } }, { segmentId: '2', result: { t: 4 } }, { segmentId: 'c', result: { t: 6 } }],
  });
  assert.deepEqual(doc.score({ x: -1, w: -1 }), { first: 1, second: null, own: null, $segments: [{ segmentId: 'a', result: { t: 1 } }] });
  // w missing: `w > 0` is UNKNOWN, which is not TRUE.
  assert.deepEqual(doc.score({ x: 7 }).$segments, [{ segmentId: 'a', result: { t: 2 } }, { segmentId: '2', result: { t: 4 } }]);
});

test('selectAll: no segment selected gives an empty list and a missing result; without Output the target key stays', () => {
  const doc = compileXml(regEnsemble('selectAll', [seg(regTree(1, 2), 'id="only"', '<SimplePredicate field="w" operator="equal" value="1"/>')]));
  assert.deepEqual(doc.score({ x: 1, w: 0 }), { t: null, $segments: [] });
  assert.deepEqual(doc.score({ x: 1, w: 1 }), { t: null, $segments: [{ segmentId: 'only', result: { t: 2 } }] });
});

test('selectAll: classification records carry the probabilities; a segment Output gives its final fields only', () => {
  const withOutput = `<TreeModel functionName="classification">${CLASS_SCHEMA}
    <Output>
      <OutputField name="label" optype="categorical" dataType="string" feature="predictedValue"/>
      <OutputField name="pA" optype="continuous" dataType="double" feature="probability" value="A" isFinalResult="false"/>
      <OutputField name="notA" optype="continuous" dataType="double" feature="transformedValue">
        <Apply function="-"><Constant>1</Constant><FieldRef field="pA"/></Apply>
      </OutputField>
    </Output>
    <Node><True/>
      <Node score="B"><True/><ScoreDistribution value="A" recordCount="1"/><ScoreDistribution value="B" recordCount="3"/></Node>
    </Node></TreeModel>`;
  const doc = compileXml(classDoc(`<Segmentation multipleModelMethod="selectAll">
    ${seg(classTree([2, 1, 1, 'A'], [0, 1, 3, 'C']), 'id="t1"')}${seg(withOutput, 'id="t2"')}</Segmentation>`));
  const out = doc.score({ x: 1 });
  assert.equal(out.c, null);
  const segs = out.$segments as unknown as { segmentId: string; result: Record<string, unknown> }[];
  assert.equal(segs.length, 2);
  assert.equal(segs[0].segmentId, 't1');
  assert.equal(segs[0].result.c, 'C');
  probs(segs[0].result, 0, 0.25, 0.75);
  assert.deepEqual(Object.keys(segs[1].result), ['label', 'notA']);
  assert.equal(segs[1].result.label, 'B');
  near(segs[1].result.notA, 0.75);
});

test('selectAll: nested selectAll segments nest their own $segments; clustering may use selectAll too', () => {
  const inner = `<MiningModel functionName="regression">${REG_SCHEMA}<Segmentation multipleModelMethod="selectAll">
    ${seg(regTree(7, 8), 'id="i1"')}${seg(regTree(9, 10), 'id="i2"')}</Segmentation></MiningModel>`;
  const doc = compileXml(regEnsemble('selectAll', [seg(inner, 'id="outer"'), seg(regTree(1, 2), 'id="plain"')]));
  assert.deepEqual(doc.score({ x: -5 }).$segments, [
    { segmentId: 'outer', result: { t: null, $segments: [{ segmentId: 'i1', result: { t: 7 } }, { segmentId: 'i2', result: { t: 9 } }] } },
    { segmentId: 'plain', result: { t: 1 } },
  ]);
  const cluster = `<ClusteringModel functionName="clustering" modelClass="centerBased" numberOfClusters="2">
    <MiningSchema><MiningField name="x"/></MiningSchema>
    <ComparisonMeasure kind="distance"><squaredEuclidean/></ComparisonMeasure>
    <ClusteringField field="x"/>
    <Cluster id="low"><Array n="1" type="real">0</Array></Cluster><Cluster id="high"><Array n="1" type="real">10</Array></Cluster>
  </ClusteringModel>`;
  const clusters = compileXml(`<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary><DataField name="x" optype="continuous" dataType="double"/></DataDictionary>
  <MiningModel functionName="clustering"><MiningSchema><MiningField name="x"/></MiningSchema>
    <Segmentation multipleModelMethod="selectAll">${seg(cluster, 'id="k"')}</Segmentation></MiningModel></PMML>`);
  assert.deepEqual(clusters.score({ x: 8 }), { predictedValue: null, $segments: [{ segmentId: 'k', result: { predictedValue: 'high' } }] });
});

test('compile errors: methods outside the function, missing parts; paths name the segment', () => {
  const two = [seg(regTree(1, 2)), seg(regTree(3, 4))];
  // Methods the spec does not allow for the function are invalid (MLC2101), not unsupported.
  const invalid = (e: unknown) => e instanceof PmmlCompileError && !(e instanceof PmmlUnsupportedError) && e.path === 'PMML/MiningModel/Segmentation' && /not applicable/.test(e.detail);
  assert.throws(() => compileXml(regEnsemble('majorityVote', two)), invalid);
  assert.throws(() => compileXml(classDoc(`<Segmentation multipleModelMethod="sum">${seg(voteTree('A'))}</Segmentation>`)), invalid);
  assert.throws(() => compileXml(regEnsemble('sum', [seg('', 'id="s1"')])), (e: unknown) => e instanceof PmmlCompileError && e.path === 'PMML/MiningModel/Segmentation/Segment[id=s1]');
  assert.throws(() => compileXml(regEnsemble('sum', [`<Segment id="p">${regTree(1, 2)}</Segment>`])), (e: unknown) => e instanceof PmmlCompileError && e.path === 'PMML/MiningModel/Segmentation/Segment[id=p]');
  assert.throws(() => compileXml(regDoc('')), (e: unknown) => e instanceof PmmlCompileError && e.path === 'PMML/MiningModel');
  assert.throws(() => compileXml(regEnsemble('sum', [])), PmmlCompileError);
  assert.throws(() => compileXml(regEnsemble('sum', two, 'missingThreshold="2"')), PmmlCompileError);
  // Errors inside a segment's model name the segment.
  assert.throws(() => compileXml(regEnsemble('sum', [seg(regTree(1, 'high'), 'id="bad"')])), (e: unknown) => e instanceof PmmlCompileError && e.path.startsWith('PMML/MiningModel/Segmentation/Segment[id=bad]/TreeModel/'));
});
