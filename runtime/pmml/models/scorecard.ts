// Scorecard: placeholder until its compiler lands.

import { unsupported } from '../el.js';
import type { ModelCompiler } from '../types.js';

export const scorecard: ModelCompiler = {
  element: 'Scorecard',
  compile: (_el, ctx) => unsupported(ctx.path, 'Scorecard is not supported yet'),
};
