// PFA library, family "model.neural" (specification §26.6, neural networks): a feedforward
// network organised in layers. Signatures are copied from the function catalogue.

import { pfaFail, type LibFunction } from '../types.js';

type Vec = readonly number[];
interface Layer { readonly weights: readonly Vec[]; readonly bias: Vec }

export const simpleLayers: LibFunction = {
  name: 'model.neural.simpleLayers',
  sigs: [
    {"params": [{"name": "datum", "type": {"type": "array", "items": "double"}}, {"name": "model", "type": {"type": "array", "items": {"type": "record", "label": "M", "fields": [{"name": "weights", "type": {"type": "array", "items": {"type": "array", "items": "double"}}}, {"name": "bias", "type": {"type": "array", "items": "double"}}]}}}, {"name": "activation", "type": {"type": "function", "params": ["double"], "ret": "double"}}], "ret": {"type": "array", "items": "double"}},
  ],
  make() {
    const fcn = 'model.neural.simpleLayers';
    // Each layer maps x to W·x + b (one row of W and one bias per output node); the
    // activation is applied to the outputs of every layer but the last.
    return (datum: Vec, model: readonly Layer[], activation: (x: number) => number) => {
      if (model.length === 0) pfaFail(11000, fcn, 'no layers');
      let x: Vec = datum;
      model.forEach((layer, l) => {
        const { weights, bias } = layer;
        if (weights.length !== bias.length) pfaFail(11001, fcn, 'weights, bias, or datum misaligned');
        const y = weights.map((row, i) => {
          if (row.length !== x.length) pfaFail(11001, fcn, 'weights, bias, or datum misaligned');
          let s = bias[i];
          for (let j = 0; j < row.length; j++) s += row[j] * x[j];
          return s;
        });
        x = l < model.length - 1 ? y.map((v) => activation(v)) : y;
      });
      return x;
    };
  },
};
