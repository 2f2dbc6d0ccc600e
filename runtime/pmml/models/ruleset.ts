// RuleSetModel: placeholder until its compiler lands.

import { unsupported } from '../el.js';
import type { ModelCompiler } from '../types.js';

export const ruleSetModel: ModelCompiler = {
  element: 'RuleSetModel',
  compile: (_el, ctx) => unsupported(ctx.path, 'RuleSetModel is not supported yet'),
};
