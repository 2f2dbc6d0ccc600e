// AnomalyDetectionModel: the inner model's result turned into an anomaly score
// (isolation forest normalisation, one-class SVM / other pass-through, cluster mean
// distance), values by hand from the PMML 4.4 anomaly detection formulas.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePmmlXml } from '../../src/frontends/pmml/xml.js';
import { compileDocument } from '../../runtime/pmml/document.js';
import { PmmlCompileError, PmmlUnsupportedError } from '../../runtime/pmml/el.js';
import { averagePathLength } from '../../runtime/pmml/models/anomaly-detection.js';
import { MODEL_REGISTRY } from '../../runtime/pmml/models/registry.js';

const compilers = MODEL_REGISTRY.map((m) => m.compiler);

function compile(xml: string) {
  return compileDocument(decodePmmlXml(new TextEncoder().encode(xml)).root, compilers);
}

function near(actual: unknown, expected: number, tol = 1e-12): void {
  assert.equal(typeof actual, 'number', `expected a number, got ${String(actual)}`);
  assert.ok(Math.abs((actual as number) - expected) <= tol * Math.max(1, Math.abs(expected)), `${String(actual)} ≠ ${expected}`);
}

const SCHEMA = '<MiningSchema><MiningField name="x"/></MiningSchema>';

function doc(attrs: string, inner: string, extra = ''): string {
  return `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary><DataField name="x" optype="continuous" dataType="double"/></DataDictionary>
  <AnomalyDetectionModel functionName="regression" ${attrs}>
    ${SCHEMA}
    <Output><OutputField name="score" optype="continuous" dataType="double" feature="predictedValue"/></Output>
    ${inner}
    ${extra}
  </AnomalyDetectionModel>
</PMML>`;
}

/** One tree: x < 0 → path length `short`, else `long`. */
function tree(short: number, long: number): string {
  return `<TreeModel functionName="regression">${SCHEMA}
    <Node><True/>
      <Node score="${short}"><SimplePredicate field="x" operator="lessThan" value="0"/></Node>
      <Node score="${long}"><SimplePredicate field="x" operator="greaterOrEqual" value="0"/></Node>
    </Node></TreeModel>`;
}

test('c(n): average path length of an unsuccessful BST search', () => {
  near(averagePathLength(256), 2 * (Math.log(255) + 0.5772156649015329) - (2 * 255) / 256);
  assert.equal(averagePathLength(2), 1);
  assert.equal(averagePathLength(1), 0);
});

test('iforest: 2^(-E(h)/c(n)) over the average path length of the trees', () => {
  const forest = `<MiningModel functionName="regression">${SCHEMA}<Segmentation multipleModelMethod="average">
    <Segment><True/>${tree(2, 8)}</Segment><Segment><True/>${tree(3, 6)}</Segment></Segmentation></MiningModel>`;
  const d = compile(doc('algorithmType="iforest" sampleDataSize="100"', forest));
  const c = averagePathLength(100);
  near(d.score({ x: -1 }).score, Math.pow(2, -2.5 / c));
  near(d.score({ x: 1 }).score, Math.pow(2, -7 / c));
  // a single tree works as the inner model too
  const one = compile(doc('algorithmType="iforest" sampleDataSize="2"', tree(1, 4)));
  near(one.score({ x: -5 }).score, 0.5);
});

test('iforest needs sampleDataSize ≥ 2', () => {
  assert.throws(() => compile(doc('algorithmType="iforest"', tree(1, 2))), (e: unknown) => e instanceof PmmlCompileError && /sampleDataSize/.test(e.message));
  assert.throws(() => compile(doc('algorithmType="iforest" sampleDataSize="1"', tree(1, 2))), (e: unknown) => e instanceof PmmlCompileError && /at least 2/.test(e.message));
});

test('other: the inner model\'s predicted value is the score', () => {
  const reg = '<RegressionModel functionName="regression">' + SCHEMA + '<RegressionTable intercept="1"><NumericPredictor name="x" coefficient="2"/></RegressionTable></RegressionModel>';
  const d = compile(doc('algorithmType="other"', reg));
  near(d.score({ x: 3 }).score, 7);
  assert.throws(() => compile(doc('algorithmType="ocsvm"', reg)), (e: unknown) => e instanceof PmmlCompileError && /SupportVectorMachineModel/.test(e.message));
});

test('clusterMeanDist: distance to the winning cluster over its mean distance', () => {
  const clusters = `<ClusteringModel functionName="clustering" modelClass="centerBased" numberOfClusters="2">${SCHEMA}
    <ComparisonMeasure kind="distance"><euclidean/></ComparisonMeasure><ClusteringField field="x"/>
    <Cluster><Array n="1" type="real">0</Array></Cluster><Cluster><Array n="1" type="real">10</Array></Cluster></ClusteringModel>`;
  const d = compile(doc('algorithmType="clusterMeanDist"', clusters, '<MeanClusterDistances><Array n="2" type="real">2 4</Array></MeanClusterDistances>'));
  near(d.score({ x: 3 }).score, 1.5); // |3 − 0| / 2
  near(d.score({ x: 7 }).score, 0.75); // |7 − 10| / 4
  assert.throws(() => compile(doc('algorithmType="clusterMeanDist"', clusters)), (e: unknown) => e instanceof PmmlCompileError && /MeanClusterDistances/.test(e.message));
  assert.throws(() => compile(doc('algorithmType="clusterMeanDist"', clusters, '<MeanClusterDistances><Array n="1" type="real">2</Array></MeanClusterDistances>')),
    (e: unknown) => e instanceof PmmlCompileError && /2 clusters/.test(e.message));
});

test('an unknown algorithmType or a missing inner model is refused', () => {
  assert.throws(() => compile(doc('algorithmType="lof"', tree(1, 2))), (e: unknown) => e instanceof PmmlUnsupportedError && /lof/.test(e.message));
  assert.throws(() => compile(doc('algorithmType="other"', '')), (e: unknown) => e instanceof PmmlCompileError && /inner model/.test(e.message));
});
