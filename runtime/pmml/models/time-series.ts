// TimeSeriesModel: placeholder until its compiler lands.

import { unsupported } from '../el.js';
import type { ModelCompiler } from '../types.js';

export const timeSeriesModel: ModelCompiler = {
  element: 'TimeSeriesModel',
  compile: (_el, ctx) => unsupported(ctx.path, 'TimeSeriesModel is not supported yet'),
};
