// AnomalyDetectionModel: placeholder until its compiler lands.

import { unsupported } from '../el.js';
import type { ModelCompiler } from '../types.js';

export const anomalyDetectionModel: ModelCompiler = {
  element: 'AnomalyDetectionModel',
  compile: (_el, ctx) => unsupported(ctx.path, 'AnomalyDetectionModel is not supported yet'),
};
