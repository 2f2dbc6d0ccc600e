// Every PMML model element and the compiler for it. Adding a model type = one
// file in this folder + one line here (+ its tests). The code generator imports
// only the compilers a document uses (module/exportName), so esbuild drops the rest.

import type { ModelCompiler } from '../types.js';
import { treeModel } from './tree.js';
import { miningModel } from './mining.js';
import { regressionModel } from './regression.js';
import { generalRegressionModel } from './general-regression.js';
import { neuralNetwork } from './neural-network.js';
import { supportVectorMachineModel } from './svm.js';
import { naiveBayesModel } from './naive-bayes.js';
import { nearestNeighborModel } from './nearest-neighbor.js';
import { clusteringModel } from './clustering.js';
import { ruleSetModel } from './ruleset.js';
import { scorecard } from './scorecard.js';
import { associationModel } from './association.js';
import { baselineModel } from './baseline.js';
import { timeSeriesModel } from './time-series.js';
import { anomalyDetectionModel } from './anomaly-detection.js';
import { bayesianNetworkModel } from './bayesian-network.js';
import { gaussianProcessModel } from './gaussian-process.js';
import { textModel } from './text.js';

export interface ModelEntry {
  readonly element: string;
  /** Runtime module (relative to runtime/, no extension) and export that generated code imports. */
  readonly module: string;
  readonly exportName: string;
  readonly compiler: ModelCompiler;
}

export const MODEL_REGISTRY: readonly ModelEntry[] = [
  { element: 'TreeModel', module: 'pmml/models/tree', exportName: 'treeModel', compiler: treeModel },
  { element: 'MiningModel', module: 'pmml/models/mining', exportName: 'miningModel', compiler: miningModel },
  { element: 'RegressionModel', module: 'pmml/models/regression', exportName: 'regressionModel', compiler: regressionModel },
  { element: 'GeneralRegressionModel', module: 'pmml/models/general-regression', exportName: 'generalRegressionModel', compiler: generalRegressionModel },
  { element: 'NeuralNetwork', module: 'pmml/models/neural-network', exportName: 'neuralNetwork', compiler: neuralNetwork },
  { element: 'SupportVectorMachineModel', module: 'pmml/models/svm', exportName: 'supportVectorMachineModel', compiler: supportVectorMachineModel },
  { element: 'NaiveBayesModel', module: 'pmml/models/naive-bayes', exportName: 'naiveBayesModel', compiler: naiveBayesModel },
  { element: 'NearestNeighborModel', module: 'pmml/models/nearest-neighbor', exportName: 'nearestNeighborModel', compiler: nearestNeighborModel },
  { element: 'ClusteringModel', module: 'pmml/models/clustering', exportName: 'clusteringModel', compiler: clusteringModel },
  { element: 'RuleSetModel', module: 'pmml/models/ruleset', exportName: 'ruleSetModel', compiler: ruleSetModel },
  { element: 'Scorecard', module: 'pmml/models/scorecard', exportName: 'scorecard', compiler: scorecard },
  { element: 'AssociationModel', module: 'pmml/models/association', exportName: 'associationModel', compiler: associationModel },
  { element: 'BaselineModel', module: 'pmml/models/baseline', exportName: 'baselineModel', compiler: baselineModel },
  { element: 'TimeSeriesModel', module: 'pmml/models/time-series', exportName: 'timeSeriesModel', compiler: timeSeriesModel },
  { element: 'AnomalyDetectionModel', module: 'pmml/models/anomaly-detection', exportName: 'anomalyDetectionModel', compiler: anomalyDetectionModel },
  { element: 'BayesianNetworkModel', module: 'pmml/models/bayesian-network', exportName: 'bayesianNetworkModel', compiler: bayesianNetworkModel },
  { element: 'GaussianProcessModel', module: 'pmml/models/gaussian-process', exportName: 'gaussianProcessModel', compiler: gaussianProcessModel },
  { element: 'TextModel', module: 'pmml/models/text', exportName: 'textModel', compiler: textModel },
];

export const MODEL_ELEMENTS: ReadonlySet<string> = new Set(MODEL_REGISTRY.map((m) => m.element));

export function modelEntry(element: string): ModelEntry | undefined {
  return MODEL_REGISTRY.find((m) => m.element === element);
}
