// BayesianNetworkModel: placeholder until its compiler lands.

import { unsupported } from '../el.js';
import type { ModelCompiler } from '../types.js';

export const bayesianNetworkModel: ModelCompiler = {
  element: 'BayesianNetworkModel',
  compile: (_el, ctx) => unsupported(ctx.path, 'BayesianNetworkModel is not supported yet'),
};
