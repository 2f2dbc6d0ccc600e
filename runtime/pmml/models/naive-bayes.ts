// NaiveBayesModel: placeholder until its compiler lands.

import { unsupported } from '../el.js';
import type { ModelCompiler } from '../types.js';

export const naiveBayesModel: ModelCompiler = {
  element: 'NaiveBayesModel',
  compile: (_el, ctx) => unsupported(ctx.path, 'NaiveBayesModel is not supported yet'),
};
