// PFA library, family "model.svm" (specification §26.7, support vector machines): the
// score of a two-class SVM. Signatures are copied from the function catalogue.

import { pfaFail, type LibFunction } from '../types.js';

type Vec = readonly number[];
interface SupportVector { readonly supVec: Vec; readonly coeff: number }
interface Model { readonly const: number; readonly posClass: readonly SupportVector[]; readonly negClass: readonly SupportVector[] }

export const score: LibFunction = {
  name: 'model.svm.score',
  sigs: [
    {"params": [{"name": "datum", "type": {"type": "array", "items": "double"}}, {"name": "model", "type": {"type": "record", "label": "L", "fields": [{"name": "const", "type": "double"}, {"name": "posClass", "type": {"type": "array", "items": {"type": "record", "label": "M", "fields": [{"name": "supVec", "type": {"type": "array", "items": "double"}}, {"name": "coeff", "type": "double"}]}}}, {"name": "negClass", "type": {"type": "array", "items": {"type": "record", "label": "N", "fields": [{"name": "supVec", "type": {"type": "array", "items": "double"}}, {"name": "coeff", "type": "double"}]}}}]}}, {"name": "kernel", "type": {"type": "function", "params": [{"type": "array", "items": "double"}, {"type": "array", "items": "double"}], "ret": "double"}}], "ret": "double"},
  ],
  make() {
    const fcn = 'model.svm.score';
    // const + Σ coeffᵢ · kernel(datum, supVecᵢ) over both classes: the coefficients carry
    // the class sign (positive score → posClass, negative → negClass).
    return (datum: Vec, model: Model, kernel: (x: Vec, y: Vec) => number) => {
      const vectors = [...model.posClass, ...model.negClass];
      if (vectors.length === 0) pfaFail(12000, fcn, 'no support vectors');
      for (const v of vectors) if (v.supVec.length !== datum.length) pfaFail(12001, fcn, 'support vectors must have same length as datum');
      let s = model.const;
      for (const v of vectors) s += v.coeff * kernel(datum, v.supVec);
      return s;
    };
  },
};
