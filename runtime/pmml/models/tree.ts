// TreeModel: placeholder until its compiler lands.

import { unsupported } from '../el.js';
import type { ModelCompiler } from '../types.js';

export const treeModel: ModelCompiler = {
  element: 'TreeModel',
  compile: (_el, ctx) => unsupported(ctx.path, 'TreeModel is not supported yet'),
};
