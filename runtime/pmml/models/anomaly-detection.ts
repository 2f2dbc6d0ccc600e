// AnomalyDetectionModel (PMML 4.4): wraps one inner model (compiled with
// ctx.nested) and turns its result into an anomaly score, the predicted value.
//
//   iforest          the inner MiningModel of isolation trees predicts the average path
//                    length E(h(x)); the score is s = 2^(-E(h(x)) / c(n)), n = sampleDataSize,
//                    c(n) = 2H(n-1) - 2(n-1)/n, H(i) ≈ ln(i) + 0.5772156649 (Euler's constant)
//                    (c(2) = 1). Scores near 1 are anomalies.
//   ocsvm            the inner SupportVectorMachineModel's decision value is the score.
//   clusterMeanDist  the inner ClusteringModel's distance to the winning cluster divided by
//                    that cluster's entry in MeanClusterDistances.
//   other            the inner model's predicted value is the score.
//
// Thresholds ("is it an anomaly?") are expressed in the Output (e.g. a transformedValue
// comparing the score with a constant); the core's output.ts applies them.

import { attr, child, childPath, enumAttr, fail, numberArray, parseNumber } from '../el.js';
import type { El, Env, ModelCompiler, ModelResult } from '../types.js';
import { categoryKey, toNumber } from '../values.js';

const MODEL_ELEMENTS: ReadonlySet<string> = new Set([
  'AnomalyDetectionModel', 'AssociationModel', 'BaselineModel', 'BayesianNetworkModel', 'ClusteringModel',
  'GaussianProcessModel', 'GeneralRegressionModel', 'MiningModel', 'NaiveBayesModel', 'NearestNeighborModel',
  'NeuralNetwork', 'RegressionModel', 'RuleSetModel', 'Scorecard', 'SequenceModel', 'SupportVectorMachineModel',
  'TextModel', 'TimeSeriesModel', 'TreeModel',
]);

const EULER_GAMMA = 0.5772156649015329;

/** Average path length of an unsuccessful search in a binary search tree of n points. */
export function averagePathLength(n: number): number {
  if (n > 2) return 2 * (Math.log(n - 1) + EULER_GAMMA) - (2 * (n - 1)) / n;
  if (n === 2) return 1;
  return 0;
}

export const anomalyDetectionModel: ModelCompiler = {
  element: 'AnomalyDetectionModel',
  compile(el, ctx) {
    const path = ctx.path;
    const algorithm = enumAttr(el, 'algorithmType', ['iforest', 'ocsvm', 'clusterMeanDist', 'other'] as const, undefined, path);
    const inner = el.c.find((c) => MODEL_ELEMENTS.has(c.n)) ?? fail(path, '<AnomalyDetectionModel> needs an inner model element');
    const innerPath = childPath(path, el, inner);
    const nested = ctx.nested(inner, innerPath);

    switch (algorithm) {
      case 'iforest': {
        if (inner.n !== 'MiningModel' && inner.n !== 'TreeModel') {
          fail(innerPath, `algorithmType="iforest" needs a MiningModel of isolation trees, not <${inner.n}>`);
        }
        const text = attr(el, 'sampleDataSize', path);
        const n = parseNumber(text, path, 'sampleDataSize');
        if (!(n >= 2)) fail(path, `sampleDataSize="${text}" must be at least 2`);
        const cn = averagePathLength(n);
        return (env: Env): ModelResult => {
          const r = nested.evaluate(env).result;
          const depth = r.value === null ? NaN : toNumber(r.value);
          if (Number.isNaN(depth)) return { value: null, warnings: r.warnings };
          return { value: Math.pow(2, -depth / cn), raw: depth };
        };
      }
      case 'ocsvm': {
        if (inner.n !== 'SupportVectorMachineModel') fail(innerPath, `algorithmType="ocsvm" needs a SupportVectorMachineModel, not <${inner.n}>`);
        return passThrough(nested.evaluate.bind(nested));
      }
      case 'other':
        return passThrough(nested.evaluate.bind(nested));
      case 'clusterMeanDist':
        return clusterMeanDistance(el, inner, innerPath, path, nested.evaluate.bind(nested));
    }
  },
};

function passThrough(evaluate: (env: Env) => { readonly result: ModelResult }): (env: Env) => ModelResult {
  return (env) => {
    const r = evaluate(env).result;
    const score = r.value === null ? NaN : toNumber(r.value);
    return Number.isNaN(score) ? { value: null, warnings: r.warnings } : { value: score };
  };
}

function clusterMeanDistance(
  el: El,
  inner: El,
  innerPath: string,
  path: string,
  evaluate: (env: Env) => { readonly result: ModelResult },
): (env: Env) => ModelResult {
  if (inner.n !== 'ClusteringModel') fail(innerPath, `algorithmType="clusterMeanDist" needs a ClusteringModel, not <${inner.n}>`);
  const mcd = child(el, 'MeanClusterDistances') ?? fail(path, 'algorithmType="clusterMeanDist" needs <MeanClusterDistances>');
  const mcdPath = childPath(path, el, mcd);
  const arr = mcd.c.find((c) => c.n === 'Array' || c.n === 'REAL-SparseArray' || c.n === 'INT-SparseArray') ?? fail(mcdPath, '<MeanClusterDistances> needs an <Array>');
  const means = numberArray(arr, mcdPath);
  const clusters = inner.c.filter((c) => c.n === 'Cluster');
  if (means.length !== clusters.length) {
    fail(mcdPath, `<MeanClusterDistances> has ${means.length} entries; the ClusteringModel has ${clusters.length} clusters`);
  }
  // A cluster is identified by its id, else its 1-based index; its name is accepted too.
  const meanById = new Map<string, number>();
  clusters.forEach((c, i) => {
    meanById.set(c.a.id ?? String(i + 1), means[i]);
  });
  clusters.forEach((c, i) => {
    if (c.a.name !== undefined && !meanById.has(c.a.name)) meanById.set(c.a.name, means[i]);
  });
  return (env) => {
    const r = evaluate(env).result;
    const winner = r.entityId ?? (r.value === null ? null : categoryKey(r.value));
    if (winner === null) return { value: null, warnings: r.warnings };
    const mean = meanById.get(winner);
    const distance = r.entities?.find((e) => e.id === winner)?.affinity;
    if (mean === undefined || distance === undefined) return { value: null, warnings: [`no distance to cluster ${winner}`] };
    return { value: distance / mean, entityId: winner };
  };
}
