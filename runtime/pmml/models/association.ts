// AssociationModel: placeholder until its compiler lands.

import { unsupported } from '../el.js';
import type { ModelCompiler } from '../types.js';

export const associationModel: ModelCompiler = {
  element: 'AssociationModel',
  compile: (_el, ctx) => unsupported(ctx.path, 'AssociationModel is not supported yet'),
};
