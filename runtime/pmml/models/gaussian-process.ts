// GaussianProcessModel: placeholder until its compiler lands.

import { unsupported } from '../el.js';
import type { ModelCompiler } from '../types.js';

export const gaussianProcessModel: ModelCompiler = {
  element: 'GaussianProcessModel',
  compile: (_el, ctx) => unsupported(ctx.path, 'GaussianProcessModel is not supported yet'),
};
