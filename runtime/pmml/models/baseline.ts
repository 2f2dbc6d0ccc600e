// BaselineModel: placeholder until its compiler lands.

import { unsupported } from '../el.js';
import type { ModelCompiler } from '../types.js';

export const baselineModel: ModelCompiler = {
  element: 'BaselineModel',
  compile: (_el, ctx) => unsupported(ctx.path, 'BaselineModel is not supported yet'),
};
