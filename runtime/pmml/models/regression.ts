// RegressionModel (PMML 4.4 "Regression"): one RegressionTable for regression,
// one per target category for classification. A table computes
//
//   y = intercept + sum coefficient * x^exponent        (NumericPredictor)
//                 + sum coefficient * [x == value]       (CategoricalPredictor)
//                 + sum coefficient * x1 * x2 * ...      (PredictorTerm of FieldRefs)
//
// and normalizationMethod turns the y values into the prediction:
//
//   regression       none: y   softmax, logit: 1/(1+exp(-y))   exp: exp(y)   probit: Phi(y)
//                    cloglog: 1-exp(-exp(y))   loglog: exp(-exp(-y))   cauchit: 0.5+atan(y)/pi
//   classification   softmax: exp(y_j) / sum exp(y_i)      simplemax: y_j / sum y_i
//                    none, logit, probit, cloglog, loglog, cauchit: p_j = f(y_j) (f = identity for
//                    none, else the function above) for every table but the last, and the last
//                    table's category gets 1 - sum of the others. With two tables this is the
//                    binary rule p_1 = f(y_1), p_2 = 1 - p_1 (the second table, intercept 0 and no
//                    predictors in a binary logistic regression, is not evaluated).
//   The predicted category is the one with the highest probability (the first on ties).
//
// A missing value of any predictor field gives no prediction (value null).
// Everything is resolved at compile time: each distinct field is read once per row
// into preallocated buffers, and each table is a handful of typed arrays.

import { attr, children, childPath, enumAttr, fail, numAttr, unsupported } from '../el.js';
import type { El, Env, Evaluator, FieldInfo, ModelCompiler, ModelContext, ModelResult, Value } from '../types.js';
import { categoryKey, parseValue, toNumber } from '../values.js';
import { CUMULATIVE_LINKS, identity, logistic, simplemaxInPlace, softmaxInPlace, type Link } from './math-links.js';

type Normalization = 'none' | 'simplemax' | 'softmax' | 'logit' | 'probit' | 'cloglog' | 'exp' | 'loglog' | 'cauchit';
const NORMALIZATIONS: readonly Normalization[] = ['none', 'simplemax', 'softmax', 'logit', 'probit', 'cloglog', 'exp', 'loglog', 'cauchit'];

const NO_PREDICTION: ModelResult = Object.freeze({ value: null });

/** The distinct fields the tables read, each read once per row. */
class Inputs {
  readonly getters: Evaluator[] = [];
  readonly infos: FieldInfo[] = [];
  /** True when some NumericPredictor needs the field as a number. */
  readonly numeric: boolean[] = [];
  private readonly index = new Map<string, number>();

  constructor(private readonly ctx: ModelContext) {}

  slot(name: string, path: string, numeric: boolean): number {
    let i = this.index.get(name);
    if (i === undefined) {
      const { info, get } = this.ctx.scope.resolve(name, path);
      i = this.getters.length;
      this.index.set(name, i);
      this.getters.push(get);
      this.infos.push(info);
      this.numeric.push(numeric);
    } else if (numeric) this.numeric[i] = true;
    return i;
  }
}

/** One RegressionTable, compiled. */
interface Table {
  readonly intercept: number;
  readonly numSlot: Int32Array;
  readonly numExp: Float64Array;
  readonly numCoef: Float64Array;
  readonly catSlot: Int32Array;
  /** Per categorical field: value → coefficient (coefficients of repeated values add up). */
  readonly catCoef: readonly Map<Value, number>[];
  readonly termFactors: readonly (readonly Evaluator[])[];
  readonly termCoef: Float64Array;
}

function compileTable(el: El, path: string, inputs: Inputs, ctx: ModelContext, fr: Link): Table {
  const intercept = fr(numAttr(el, 'intercept', path));
  const numSlot: number[] = [];
  const numExp: number[] = [];
  const numCoef: number[] = [];
  const catSlot: number[] = [];
  const catCoef: Map<Value, number>[] = [];
  const termFactors: Evaluator[][] = [];
  const termCoef: number[] = [];
  for (const c of el.c) {
    const p = childPath(path, el, c);
    switch (c.n) {
      case 'NumericPredictor': {
        const name = attr(c, 'name', p);
        const np = `${path}/NumericPredictor[name=${JSON.stringify(name)}]`;
        const slot = inputs.slot(name, np, true);
        numSlot.push(slot);
        numExp.push(numAttr(c, 'exponent', np, 1));
        numCoef.push(fr(numAttr(c, 'coefficient', np)));
        break;
      }
      case 'CategoricalPredictor': {
        const name = attr(c, 'name', p);
        const text = attr(c, 'value', p);
        const cp = `${path}/CategoricalPredictor[name=${JSON.stringify(name)},value=${JSON.stringify(text)}]`;
        const slot = inputs.slot(name, cp, false);
        const value = parseValue(text, inputs.infos[slot].dataType, cp);
        const coefficient = fr(numAttr(c, 'coefficient', cp));
        let k = catSlot.indexOf(slot);
        if (k < 0) {
          k = catSlot.length;
          catSlot.push(slot);
          catCoef.push(new Map());
        }
        const m = catCoef[k];
        m.set(value, fr((m.get(value) ?? 0) + coefficient));
        break;
      }
      case 'PredictorTerm': {
        const refs = children(c, 'FieldRef');
        if (refs.length === 0) fail(p, '<PredictorTerm> needs at least one <FieldRef>');
        termFactors.push(refs.map((r) => ctx.expression(r, childPath(p, c, r))));
        termCoef.push(fr(numAttr(c, 'coefficient', p)));
        break;
      }
      default:
        break;
    }
  }
  return {
    intercept,
    numSlot: Int32Array.from(numSlot),
    numExp: Float64Array.from(numExp),
    numCoef: Float64Array.from(numCoef),
    catSlot: Int32Array.from(catSlot),
    catCoef,
    termFactors,
    termCoef: Float64Array.from(termCoef),
  };
}

/** Evaluates a table on the row buffers; NaN when a PredictorTerm field is missing. */
function evalTable(t: Table, vals: readonly Value[], nums: Float64Array, env: Env, fr: Link): number {
  let y = t.intercept;
  const { numSlot, numExp, numCoef, catSlot, catCoef, termFactors, termCoef } = t;
  for (let i = 0; i < numSlot.length; i++) {
    const x = nums[numSlot[i]];
    const e = numExp[i];
    y = fr(y + fr(numCoef[i] * (e === 1 ? x : fr(Math.pow(x, e)))));
  }
  for (let i = 0; i < catSlot.length; i++) {
    const c = catCoef[i].get(vals[catSlot[i]]);
    if (c !== undefined) y = fr(y + c);
  }
  for (let i = 0; i < termFactors.length; i++) {
    const fs = termFactors[i];
    let prod = termCoef[i];
    for (let j = 0; j < fs.length; j++) {
      const v = fs[j](env);
      if (v === null) return NaN;
      const x = typeof v === 'number' ? v : toNumber(v);
      if (Number.isNaN(x)) return NaN;
      prod = fr(prod * x);
    }
    y = fr(y + prod);
  }
  return y;
}

/** The function applied to y for a single-value normalization (regression, or binary/one-vs-rest classification). */
function normalizer(method: Normalization): Link {
  switch (method) {
    case 'none':
      return identity;
    case 'softmax':
    case 'logit':
      return logistic;
    case 'exp':
      return Math.exp;
    default:
      return CUMULATIVE_LINKS[method];
  }
}

function compile(el: El, ctx: ModelContext): (env: Env) => ModelResult {
  const path = ctx.path;
  const fn = ctx.functionName;
  if (fn !== 'regression' && fn !== 'classification') unsupported(path, `RegressionModel with functionName="${fn}" is not supported (regression or classification)`);
  const method = enumAttr(el, 'normalizationMethod', NORMALIZATIONS, 'none', path);
  const tableEls = children(el, 'RegressionTable');
  if (tableEls.length === 0) fail(path, '<RegressionModel> needs at least one <RegressionTable>');

  // mathContext="float": parameters and every intermediate result are float32 (Math.fround).
  const fr: Link = ctx.mathContext === 'float' ? Math.fround : identity;
  const inputs = new Inputs(ctx);
  const tables = tableEls.map((t) => compileTable(t, childPath(path, el, t), inputs, ctx, fr));

  const nIn = inputs.getters.length;
  const getters = inputs.getters;
  const numeric = inputs.numeric;
  const vals: Value[] = new Array<Value>(nIn).fill(null);
  const nums = new Float64Array(nIn);

  /** Reads every predictor field of the row; false when one is missing. */
  const readRow = (env: Env): boolean => {
    for (let i = 0; i < nIn; i++) {
      const v = getters[i](env);
      if (v === null) return false;
      vals[i] = v;
      if (numeric[i]) {
        const x = typeof v === 'number' ? v : toNumber(v);
        if (Number.isNaN(x)) return false;
        nums[i] = x;
      }
    }
    return true;
  };

  if (fn === 'regression') {
    if (tables.length !== 1) fail(path, `a regression RegressionModel has exactly one <RegressionTable>, this one has ${tables.length}`);
    if (method === 'simplemax') unsupported(path, 'normalizationMethod="simplemax" applies to classification only');
    const table = tables[0];
    const norm = normalizer(method);
    return (env) => {
      if (!readRow(env)) return NO_PREDICTION;
      const y = evalTable(table, vals, nums, env, fr);
      if (Number.isNaN(y)) return NO_PREDICTION;
      return { value: fr(norm(y)) };
    };
  }

  // classification
  if (method === 'exp') unsupported(path, 'normalizationMethod="exp" applies to regression only');
  const targetType = ctx.target?.info.dataType ?? 'string';
  const categories: Value[] = tableEls.map((t) => {
    const tp = childPath(path, el, t);
    return parseValue(attr(t, 'targetCategory', tp), targetType, tp);
  });
  const keys = categories.map(categoryKey);
  for (let i = 0; i < keys.length; i++) {
    if (keys.indexOf(keys[i]) !== i) fail(childPath(path, el, tableEls[i]), `targetCategory="${tableEls[i].a.targetCategory}" has two RegressionTables`);
  }
  // Target categories without a table get probability 0.
  const extra = (ctx.target?.categories ?? []).map(categoryKey).filter((k) => !keys.includes(k));

  const n = tables.length;
  const p = new Float64Array(n);
  const multi = method === 'softmax' || method === 'simplemax';
  if (!multi && n < 2) fail(path, `a classification RegressionModel with normalizationMethod="${method}" needs at least two <RegressionTable>s`);
  const f = normalizer(method);
  // With the residual rule the last table is not evaluated.
  const evaluated = multi ? n : n - 1;

  return (env) => {
    if (!readRow(env)) return NO_PREDICTION;
    for (let i = 0; i < evaluated; i++) {
      const y = evalTable(tables[i], vals, nums, env, fr);
      if (Number.isNaN(y)) return NO_PREDICTION;
      p[i] = y;
    }
    if (method === 'softmax') softmaxInPlace(p, n);
    else if (method === 'simplemax') simplemaxInPlace(p, n);
    else {
      let sum = 0;
      for (let i = 0; i < n - 1; i++) {
        p[i] = fr(f(p[i]));
        sum += p[i];
      }
      p[n - 1] = fr(1 - sum);
    }
    const probabilities = new Map<string, number>();
    let best = -1;
    let bestP = -Infinity;
    for (let i = 0; i < n; i++) {
      const pi = fr(p[i]);
      probabilities.set(keys[i], pi);
      if (pi > bestP) {
        bestP = pi;
        best = i;
      }
    }
    for (const k of extra) probabilities.set(k, 0);
    return { value: best < 0 ? null : categories[best], probabilities };
  };
}

export const regressionModel: ModelCompiler = {
  element: 'RegressionModel',
  compile,
};
