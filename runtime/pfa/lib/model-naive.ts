// PFA library, family "model.naive" (specification §26.5, naive Bayes): the log-likelihood
// of a datum for one class under Gaussian, multinomial and Bernoulli models. Vectors may be
// arrays (by position) or maps (by key). Signatures are copied from the function catalogue.

import { pfaFail, type LibFunction } from '../types.js';

type Vec = readonly number[];
type NumMap = Readonly<Record<string, number>>;
type Rec = Readonly<Record<string, unknown>>;

const LN_2PI = Math.log(2 * Math.PI);

/** Whether two maps have the same key set. */
function sameKeys(a: object, b: object): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k));
}

export const gaussian: LibFunction = {
  name: 'model.naive.gaussian',
  sigs: [
    {"params": [{"name": "datum", "type": {"type": "array", "items": "double"}}, {"name": "classModel", "type": {"type": "array", "items": {"type": "record", "label": "A", "fields": [{"name": "mean", "type": "double"}, {"name": "variance", "type": "double"}]}}}], "ret": "double"},
    {"params": [{"name": "datum", "type": {"type": "map", "values": "double"}}, {"name": "classModel", "type": {"type": "map", "values": {"type": "record", "label": "A", "fields": [{"name": "mean", "type": "double"}, {"name": "variance", "type": "double"}]}}}], "ret": "double"},
  ],
  make(types) {
    const fcn = 'model.naive.gaussian';
    // Σ log N(xᵢ | meanᵢ, varianceᵢ) = Σ −½ (log(2π varianceᵢ) + (xᵢ − meanᵢ)² / varianceᵢ).
    const term = (x: number, m: Rec): number => {
      const mu = m.mean as number, v = m.variance as number;
      if (!(v > 0)) pfaFail(10001, fcn, 'variance less than or equal to zero');
      const d = x - mu;
      return -0.5 * (LN_2PI + Math.log(v)) - (d * d) / (2 * v);
    };
    if (types.sig === 0) {
      return (datum: Vec, model: readonly Rec[]) => {
        if (datum.length !== model.length) pfaFail(10000, fcn, 'datum and classModel misaligned');
        let s = 0;
        for (let i = 0; i < datum.length; i++) s += term(datum[i], model[i]);
        return s;
      };
    }
    return (datum: NumMap, model: Readonly<Record<string, Rec>>) => {
      if (!sameKeys(datum, model)) pfaFail(10000, fcn, 'datum and classModel misaligned');
      let s = 0;
      for (const k of Object.keys(datum)) s += term(datum[k], model[k]);
      return s;
    };
  },
};

export const multinomial: LibFunction = {
  name: 'model.naive.multinomial',
  sigs: [
    {"params": [{"name": "datum", "type": {"type": "array", "items": "double"}}, {"name": "classModel", "type": {"type": "array", "items": "double"}}], "ret": "double"},
    {"params": [{"name": "datum", "type": {"type": "map", "values": "double"}}, {"name": "classModel", "type": {"type": "map", "values": "double"}}], "ret": "double"},
    {"params": [{"name": "datum", "type": {"type": "array", "items": "double"}}, {"name": "classModel", "type": {"type": "record", "label": "C", "fields": [{"name": "values", "type": {"type": "array", "items": "double"}}]}}], "ret": "double"},
    {"params": [{"name": "datum", "type": {"type": "map", "values": "double"}}, {"name": "classModel", "type": {"type": "record", "label": "C", "fields": [{"name": "values", "type": {"type": "map", "values": "double"}}]}}], "ret": "double"},
  ],
  make(types) {
    const fcn = 'model.naive.multinomial';
    const isRecord = types.sig >= 2, isMap = types.sig === 1 || types.sig === 3;
    // Σ xᵢ log(pᵢ / Σ p): the class likelihoods are normalised to probabilities.
    const score = (keys: readonly (string | number)[], x: (k: string | number) => number, p: (k: string | number) => number): number => {
      let total = 0;
      for (const k of keys) total += p(k);
      let s = 0;
      for (const k of keys) s += x(k) * Math.log(p(k) / total);
      return s;
    };
    const checkModel = (values: Iterable<number>, empty: boolean): void => {
      if (empty) pfaFail(10011, fcn, 'classModel must be non-empty and strictly positive');
      for (const p of values) if (!(p > 0)) pfaFail(10011, fcn, 'classModel must be non-empty and strictly positive');
    };
    if (isMap) {
      return (datum: NumMap, classModel: NumMap | Rec) => {
        const model = (isRecord ? (classModel as Rec).values : classModel) as NumMap;
        const keys = Object.keys(model);
        checkModel(keys.map((k) => model[k]), keys.length === 0);
        if (!sameKeys(datum, model)) pfaFail(10010, fcn, 'datum and classModel misaligned');
        return score(keys, (k) => datum[k], (k) => model[k]);
      };
    }
    return (datum: Vec, classModel: Vec | Rec) => {
      const model = (isRecord ? (classModel as Rec).values : classModel) as Vec;
      checkModel(model, model.length === 0);
      if (datum.length !== model.length) pfaFail(10010, fcn, 'datum and classModel misaligned');
      return score(model.map((_, i) => i), (i) => datum[i as number], (i) => model[i as number]);
    };
  },
};

export const bernoulli: LibFunction = {
  name: 'model.naive.bernoulli',
  sigs: [
    {"params": [{"name": "datum", "type": {"type": "array", "items": "string"}}, {"name": "classModel", "type": {"type": "map", "values": "double"}}], "ret": "double"},
    {"params": [{"name": "datum", "type": {"type": "array", "items": "string"}}, {"name": "classModel", "type": {"type": "record", "label": "C", "fields": [{"name": "values", "type": {"type": "map", "values": "double"}}]}}], "ret": "double"},
  ],
  make(types) {
    const fcn = 'model.naive.bernoulli';
    const isRecord = types.sig === 1;
    // Σ over the model's variables: log p if present in datum, log(1 − p) if absent.
    return (datum: readonly string[], classModel: NumMap | Rec) => {
      const model = (isRecord ? (classModel as Rec).values : classModel) as NumMap;
      const present = new Set(datum);
      let s = 0;
      for (const k of Object.keys(model)) {
        const p = model[k];
        if (!(p > 0 && p < 1)) pfaFail(10020, fcn, 'probability in classModel must be strictly between 0 and 1');
        s += present.has(k) ? Math.log(p) : Math.log1p(-p);
      }
      return s;
    };
  },
};
