// NeuralNetwork: placeholder until its compiler lands.

import { unsupported } from '../el.js';
import type { ModelCompiler } from '../types.js';

export const neuralNetwork: ModelCompiler = {
  element: 'NeuralNetwork',
  compile: (_el, ctx) => unsupported(ctx.path, 'NeuralNetwork is not supported yet'),
};
