// ClusteringModel: placeholder until its compiler lands.

import { unsupported } from '../el.js';
import type { ModelCompiler } from '../types.js';

export const clusteringModel: ModelCompiler = {
  element: 'ClusteringModel',
  compile: (_el, ctx) => unsupported(ctx.path, 'ClusteringModel is not supported yet'),
};
