// NearestNeighborModel: placeholder until its compiler lands.

import { unsupported } from '../el.js';
import type { ModelCompiler } from '../types.js';

export const nearestNeighborModel: ModelCompiler = {
  element: 'NearestNeighborModel',
  compile: (_el, ctx) => unsupported(ctx.path, 'NearestNeighborModel is not supported yet'),
};
