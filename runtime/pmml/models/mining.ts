// MiningModel: placeholder until its compiler lands.

import { unsupported } from '../el.js';
import type { ModelCompiler } from '../types.js';

export const miningModel: ModelCompiler = {
  element: 'MiningModel',
  compile: (_el, ctx) => unsupported(ctx.path, 'MiningModel is not supported yet'),
};
