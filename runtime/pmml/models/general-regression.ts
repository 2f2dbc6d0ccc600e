// GeneralRegressionModel: placeholder until its compiler lands.

import { unsupported } from '../el.js';
import type { ModelCompiler } from '../types.js';

export const generalRegressionModel: ModelCompiler = {
  element: 'GeneralRegressionModel',
  compile: (_el, ctx) => unsupported(ctx.path, 'GeneralRegressionModel is not supported yet'),
};
