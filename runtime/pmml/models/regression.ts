// RegressionModel: placeholder until its compiler lands.

import { unsupported } from '../el.js';
import type { ModelCompiler } from '../types.js';

export const regressionModel: ModelCompiler = {
  element: 'RegressionModel',
  compile: (_el, ctx) => unsupported(ctx.path, 'RegressionModel is not supported yet'),
};
