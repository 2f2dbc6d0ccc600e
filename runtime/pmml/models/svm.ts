// SupportVectorMachineModel: placeholder until its compiler lands.

import { unsupported } from '../el.js';
import type { ModelCompiler } from '../types.js';

export const supportVectorMachineModel: ModelCompiler = {
  element: 'SupportVectorMachineModel',
  compile: (_el, ctx) => unsupported(ctx.path, 'SupportVectorMachineModel is not supported yet'),
};
