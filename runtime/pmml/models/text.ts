// TextModel: placeholder until its compiler lands.

import { unsupported } from '../el.js';
import type { ModelCompiler } from '../types.js';

export const textModel: ModelCompiler = {
  element: 'TextModel',
  compile: (_el, ctx) => unsupported(ctx.path, 'TextModel is not supported yet'),
};
