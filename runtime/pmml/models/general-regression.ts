// GeneralRegressionModel (PMML 4.4 "General Regression").
//
// The design: each Parameter (ParameterList) has a value x_p per row, the product of
// its PPCells: a factor cell contributes [field == value] (1 or 0), a covariate cell
// field^value (value is the exponent). A parameter without PPCells is the intercept
// (x_p = 1). A PPCell with a targetCategory applies to that category's equation only.
//
// The equations: ParamMatrix PCells give beta per (parameter, targetCategory). Cells
// without a targetCategory belong to every equation; cells with one to that category's.
// The linear predictor of an equation is eta = sum beta_p * x_p (+ offset: offsetVariable,
// else offsetValue). CoxRegression centres each parameter at its referencePoint:
// eta = sum beta_p * (x_p - referencePoint_p).
//
// modelType
//   regression, generalLinear  value = eta
//   generalizedLinear          mu = g^-1(eta) for linkFunction g (math-links.ts inverseLink);
//                              regression: value = mu (times trialsVariable/trialsValue when given);
//                              classification (binary): the event category gets mu, the other 1 - mu.
//                              The event category is the PCells' targetCategory; without one, the
//                              category that is not targetReferenceCategory (default: the last
//                              category is the reference).
//   multinomialLogistic        p_j = exp(eta_j) / sum_i exp(eta_i) over the categories with PCells and
//                              the reference category (targetReferenceCategory, else the last category
//                              without PCells), whose eta is 0. Other target categories get 0.
//   ordinalMultinomial         cumulative probabilities gamma_j = F(eta_j) for every category but the
//                              last (F = cumulativeLink), p_1 = gamma_1, p_j = gamma_j - gamma_(j-1),
//                              p_last = 1 - gamma_(last-1); eta_j = threshold_j (PCells of category j)
//                              + the shared cells.
//   CoxRegression              cumulative hazard H(t) = H0(t) * exp(eta); H0 from BaseCumHazardTables
//                              (the stratum of baselineStrataVariable's value): 0 before the first
//                              BaselineCell time, the cumHazard of the last cell with time <= t, and no
//                              prediction after maxTime or for an unknown stratum. t = endTimeVariable.
//
// standardError (regression models with a PCovMatrix; see compileCovariance): the standard
// error of the predicted mean, sqrt(x' C x) for the linear predictor, times |d mu / d eta|
// (delta method) for generalizedLinear, times the trials. The specification defines no
// standard error for a predicted category, so classification models have none.
//
// A missing value of a field the prediction needs gives no prediction (value null).
// Classification: the predicted category is the one with the highest probability (first on ties).

import { attr, child, children, childPath, enumAttr, fail, numAttr, optNumAttr, parseNumber, requireChild, unsupported } from '../el.js';
import type { El, Env, Evaluator, FieldInfo, ModelCompiler, ModelContext, ModelResult, Value } from '../types.js';
import { categoryKey, parseValue, toNumber } from '../values.js';
import { CUMULATIVE_LINKS, identity, inverseLink, inverseLinkDerivative, softmaxInPlace, type Link } from './math-links.js';

type ModelType = 'regression' | 'generalLinear' | 'multinomialLogistic' | 'ordinalMultinomial' | 'generalizedLinear' | 'CoxRegression';
const MODEL_TYPES: readonly ModelType[] = ['regression', 'generalLinear', 'multinomialLogistic', 'ordinalMultinomial', 'generalizedLinear', 'CoxRegression'];
const LINK_FUNCTIONS = ['cloglog', 'identity', 'log', 'logc', 'logit', 'loglog', 'negbin', 'oddspower', 'power', 'probit'] as const;
const CUMULATIVE_LINK_NAMES = ['logit', 'probit', 'cloglog', 'loglog', 'cauchit'] as const;

const NO_PREDICTION: ModelResult = Object.freeze({ value: null });

/** The distinct fields the model reads, each read once per row. */
class Inputs {
  readonly getters: Evaluator[] = [];
  readonly infos: FieldInfo[] = [];
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

interface PPCellDef {
  readonly param: number;
  readonly predictor: string;
  readonly value: string;
  readonly targetCategory: string | undefined;
  readonly path: string;
}

interface PCellDef {
  readonly param: number;
  readonly targetCategory: string | undefined;
  readonly beta: number;
  readonly path: string;
}

/** A linear predictor: parameters (indices into one design's values) with their betas. */
interface Equation {
  readonly design: number;
  readonly params: Int32Array;
  readonly betas: Float64Array;
}

function compile(el: El, ctx: ModelContext): (env: Env) => ModelResult {
  const path = ctx.path;
  const fn = ctx.functionName;
  const modelType = enumAttr(el, 'modelType', MODEL_TYPES, undefined, path);
  if (fn !== 'regression' && fn !== 'classification') unsupported(path, `GeneralRegressionModel with functionName="${fn}" is not supported (regression or classification)`);
  // mathContext="float": parameters and every intermediate result are float32 (Math.fround).
  const fr: Link = ctx.mathContext === 'float' ? Math.fround : identity;
  const cox = modelType === 'CoxRegression';

  // Parameters
  const plEl = requireChild(el, 'ParameterList', path);
  const plPath = `${path}/ParameterList`;
  const paramIndex = new Map<string, number>();
  const refPoints: number[] = [];
  for (const p of children(plEl, 'Parameter')) {
    const pp = childPath(plPath, plEl, p);
    const name = attr(p, 'name', pp);
    const ppn = `${plPath}/Parameter[name=${JSON.stringify(name)}]`;
    if (paramIndex.has(name)) fail(ppn, `the Parameter ${JSON.stringify(name)} is declared twice`);
    paramIndex.set(name, refPoints.length);
    refPoints.push(cox ? fr(numAttr(p, 'referencePoint', ppn, 0)) : 0);
  }
  const nParams = refPoints.length;
  const paramOf = (name: string, p: string): number => {
    const i = paramIndex.get(name);
    if (i === undefined) fail(p, `parameterName=${JSON.stringify(name)} is not declared in the ParameterList`);
    return i;
  };

  // Factors and covariates
  const factors = predictorNames(el, 'FactorList', path);
  const covariates = predictorNames(el, 'CovariateList', path);

  // PPMatrix
  const ppEl = requireChild(el, 'PPMatrix', path);
  const ppPath = `${path}/PPMatrix`;
  const ppCells: PPCellDef[] = children(ppEl, 'PPCell').map((c) => {
    const p = childPath(ppPath, ppEl, c);
    return {
      param: paramOf(attr(c, 'parameterName', p), p),
      predictor: attr(c, 'predictorName', p),
      value: attr(c, 'value', p),
      targetCategory: c.a.targetCategory,
      path: p,
    };
  });

  // ParamMatrix
  const pmEl = requireChild(el, 'ParamMatrix', path);
  const pmPath = `${path}/ParamMatrix`;
  const pCells: PCellDef[] = children(pmEl, 'PCell').map((c) => {
    const p = childPath(pmPath, pmEl, c);
    return { param: paramOf(attr(c, 'parameterName', p), p), targetCategory: c.a.targetCategory, beta: fr(numAttr(c, 'beta', p)), path: p };
  });

  const inputs = new Inputs(ctx);
  const targetType = ctx.target?.info.dataType ?? 'string';
  /** The category key a targetCategory attribute names (converted to the target's data type). */
  const catKey = (text: string | undefined, p: string): string | undefined => (text === undefined ? undefined : categoryKey(parseValue(text, targetType, p)));
  const ppKeys = ppCells.map((c) => catKey(c.targetCategory, c.path));
  const pKeys = pCells.map((c) => catKey(c.targetCategory, c.path));

  // Designs: one shared design, plus one per category that PPCells single out. The terms of
  // parameter p in design d are stored flat at index d * nParams + p: factor conditions
  // facSlot/facValue[facStart[i] .. facStart[i + 1]), covariate powers covSlot/covExp likewise.
  const designKeys: (string | undefined)[] = [undefined];
  for (const k of ppKeys) if (k !== undefined && !designKeys.includes(k)) designKeys.push(k);
  const facSlotL: number[] = [];
  const facValue: Value[] = [];
  const covSlotL: number[] = [];
  const covExpL: number[] = [];
  const facStartL: number[] = [0];
  const covStartL: number[] = [0];
  for (const cat of designKeys) {
    const facSlot: number[][] = Array.from({ length: nParams }, () => []);
    const facVal: Value[][] = Array.from({ length: nParams }, () => []);
    const covSlot: number[][] = Array.from({ length: nParams }, () => []);
    const covExp: number[][] = Array.from({ length: nParams }, () => []);
    for (let i = 0; i < ppCells.length; i++) {
      const c = ppCells[i];
      if (ppKeys[i] !== undefined && ppKeys[i] !== cat) continue;
      const isFactor = factors.has(c.predictor) ? true : covariates.has(c.predictor) ? false : undefined;
      const slot = inputs.slot(c.predictor, c.path, isFactor === false);
      const info = inputs.infos[slot];
      const factor = isFactor ?? info.optype !== 'continuous';
      if (factor) {
        facSlot[c.param].push(slot);
        facVal[c.param].push(parseValue(c.value, info.dataType, c.path));
      } else {
        inputs.slot(c.predictor, c.path, true);
        covSlot[c.param].push(slot);
        covExp[c.param].push(parseNumber(c.value, c.path, 'exponent'));
      }
    }
    for (let p = 0; p < nParams; p++) {
      facSlotL.push(...facSlot[p]);
      facValue.push(...facVal[p]);
      facStartL.push(facSlotL.length);
      covSlotL.push(...covSlot[p]);
      covExpL.push(...covExp[p]);
      covStartL.push(covSlotL.length);
    }
  }
  const facSlot = Int32Array.from(facSlotL);
  const facStart = Int32Array.from(facStartL);
  const covSlot = Int32Array.from(covSlotL);
  const covExp = Float64Array.from(covExpL);
  const covStart = Int32Array.from(covStartL);
  const designOf = (category: string | undefined): number => {
    const d = category === undefined ? -1 : designKeys.indexOf(category);
    return d < 0 ? 0 : d;
  };

  /** The equation of a category key (undefined: the shared cells only; `all`: every cell, whatever its category). */
  const equation = (category: string | undefined, all = false): Equation => {
    const betas = new Float64Array(nParams);
    const used = new Uint8Array(nParams);
    for (let i = 0; i < pCells.length; i++) {
      const c = pCells[i];
      if (!all && pKeys[i] !== undefined && pKeys[i] !== category) continue;
      betas[c.param] = fr(betas[c.param] + c.beta);
      used[c.param] = 1;
    }
    const params: number[] = [];
    for (let p = 0; p < nParams; p++) if (used[p]) params.push(p);
    return { design: designOf(category), params: Int32Array.from(params), betas: Float64Array.from(params.map((p) => betas[p])) };
  };

  // Offset and trials
  const offsetVar = el.a.offsetVariable;
  const offsetSlot = offsetVar === undefined ? -1 : inputs.slot(offsetVar, `${path}[offsetVariable]`, true);
  const offsetValue = offsetVar === undefined ? optNumAttr(el, 'offsetValue', path) ?? 0 : 0;
  const trialsVar = el.a.trialsVariable;
  const trialsSlot = trialsVar === undefined ? -1 : inputs.slot(trialsVar, `${path}[trialsVariable]`, true);
  const trialsValue = trialsVar === undefined ? optNumAttr(el, 'trialsValue', path) : undefined;

  // Row buffers
  const nIn = inputs.getters.length;
  const getters = inputs.getters;
  const numeric = inputs.numeric;
  const vals: Value[] = new Array<Value>(nIn).fill(null);
  const nums = new Float64Array(nIn);
  const nTerms = designKeys.length * nParams;
  const xs = new Float64Array(nTerms);
  const refs = Float64Array.from(refPoints);

  /** Reads the row and computes every design's parameter values; false when a needed field is missing. */
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
    for (let i = 0; i < nTerms; i++) {
      let x = 1;
      for (let k = facStart[i], end = facStart[i + 1]; k < end; k++) {
        if (vals[facSlot[k]] !== facValue[k]) {
          x = 0;
          break;
        }
      }
      if (x !== 0) {
        for (let k = covStart[i], end = covStart[i + 1]; k < end; k++) {
          const e = covExp[k];
          const c = nums[covSlot[k]];
          x = fr(x * (e === 1 ? c : fr(Math.pow(c, e))));
        }
      }
      xs[i] = x;
    }
    return true;
  };

  const offset = (): number => (offsetSlot >= 0 ? nums[offsetSlot] : offsetValue);

  /** The linear predictor of an equation on the current row (without the offset). */
  const eta = (q: Equation): number => {
    const base = q.design * nParams;
    const { params, betas } = q;
    let s = 0;
    if (cox) {
      for (let k = 0; k < params.length; k++) s = fr(s + fr(betas[k] * fr(xs[base + params[k]] - refs[params[k]])));
    } else {
      for (let k = 0; k < params.length; k++) s = fr(s + fr(betas[k] * xs[base + params[k]]));
    }
    return s;
  };

  if (cox) {
    if (fn !== 'regression') unsupported(path, 'CoxRegression predicts a cumulative hazard: functionName must be regression');
    return compileCox(el, ctx, equation(undefined, true), eta, readRow, fr);
  }

  if (modelType === 'regression' || modelType === 'generalLinear' || modelType === 'generalizedLinear') {
    let link: Link = identity;
    if (modelType === 'generalizedLinear') {
      const name = enumAttr(el, 'linkFunction', LINK_FUNCTIONS, undefined, path);
      const needsLinkParameter = name === 'power' || name === 'oddspower';
      const linkParameter = optNumAttr(el, 'linkParameter', path);
      if (needsLinkParameter && linkParameter === undefined) fail(path, `linkFunction="${name}" needs the attribute linkParameter`);
      const distParameter = optNumAttr(el, 'distParameter', path);
      if (name === 'negbin' && distParameter === undefined) fail(path, 'linkFunction="negbin" needs the attribute distParameter');
      link = inverseLink(name, linkParameter ?? 0, distParameter ?? 0)!;
    }
    if (fn === 'regression') {
      const q = equation(undefined, true);
      const hasTrials = trialsSlot >= 0 || trialsValue !== undefined;
      const covariance = compileCovariance(el, path, paramOf, nParams);
      if (covariance === null) {
        return (env) => {
          if (!readRow(env)) return NO_PREDICTION;
          let mu = fr(link(fr(eta(q) + offset())));
          if (hasTrials) mu = fr(mu * (trialsSlot >= 0 ? nums[trialsSlot] : trialsValue!));
          return { value: mu };
        };
      }
      // The standard error of the predicted mean (see compileCovariance). The linear
      // predictor's is sqrt(x' C x) over the shared design's parameter values x; the mean's
      // follows by the delta method, |d mu / d eta| * se(eta), and trials scale both.
      let slope: Link = () => 1;
      if (modelType === 'generalizedLinear') {
        slope = inverseLinkDerivative(el.a.linkFunction!, optNumAttr(el, 'linkParameter', path) ?? 0, optNumAttr(el, 'distParameter', path) ?? 0)!;
      }
      const { rows, cols, values: cv } = covariance;
      const nCov = cv.length;
      return (env) => {
        if (!readRow(env)) return NO_PREDICTION;
        const e = fr(eta(q) + offset());
        const trials = hasTrials ? (trialsSlot >= 0 ? nums[trialsSlot] : trialsValue!) : 1;
        const mu = hasTrials ? fr(fr(link(e)) * trials) : fr(link(e));
        // Design 0 holds the shared parameter values (a regression model has no per-category design).
        let variance = 0;
        for (let k = 0; k < nCov; k++) variance += cv[k] * xs[rows[k]] * xs[cols[k]];
        const standardError = fr(Math.abs(slope(e) * trials) * Math.sqrt(variance > 0 ? variance : 0));
        return { value: mu, standardError };
      };
    }
    if (modelType !== 'generalizedLinear') unsupported(path, `modelType="${modelType}" with functionName="classification" is not supported (use generalizedLinear, multinomialLogistic or ordinalMultinomial)`);
    const cats = targetCategories(el, ctx, pCells, pKeys, path);
    if (cats.values.length !== 2) unsupported(path, `a generalizedLinear classification model needs a binary target; this one has ${cats.values.length} categories`);
    const named = new Set<number>();
    pCells.forEach((c, i) => {
      if (pKeys[i] !== undefined) named.add(cats.indexOf(pKeys[i]!, c.path));
    });
    if (named.size > 1) fail(pmPath, 'a binary generalizedLinear model has PCells for one targetCategory only');
    const event = named.size === 1 ? [...named][0] : 1 - (cats.reference ?? 1);
    const q = equation(cats.keys[event]);
    const p2 = new Float64Array(2);
    return (env) => {
      if (!readRow(env)) return NO_PREDICTION;
      const mu = fr(link(fr(eta(q) + offset())));
      p2[event] = mu;
      p2[1 - event] = fr(1 - mu);
      return classificationResult(p2, cats.keys, cats.values);
    };
  }

  if (fn !== 'classification') unsupported(path, `modelType="${modelType}" predicts categories: functionName must be classification`);
  const cats = targetCategories(el, ctx, pCells, pKeys, path);
  const n = cats.values.length;
  const keys = cats.keys;
  const values = cats.values;
  const p = new Float64Array(n);

  if (modelType === 'multinomialLogistic') {
    const withCells = new Set<number>();
    pCells.forEach((c, i) => {
      if (pKeys[i] !== undefined) withCells.add(cats.indexOf(pKeys[i]!, c.path));
    });
    let ref = cats.reference;
    if (ref === undefined) {
      for (let i = n - 1; i >= 0; i--) {
        if (!withCells.has(i)) {
          ref = i;
          break;
        }
      }
    }
    // Modelled categories in target order; the reference has eta 0.
    const modelled: number[] = [];
    for (let i = 0; i < n; i++) if (withCells.has(i) || i === ref) modelled.push(i);
    const eqs: (Equation | null)[] = modelled.map((i) => (i === ref ? null : equation(keys[i])));
    const m = modelled.length;
    const scores = new Float64Array(m);
    return (env) => {
      if (!readRow(env)) return NO_PREDICTION;
      const off = offset();
      for (let k = 0; k < m; k++) {
        const q = eqs[k];
        scores[k] = q === null ? 0 : fr(eta(q) + off);
      }
      softmaxInPlace(scores, m);
      p.fill(0);
      for (let k = 0; k < m; k++) p[modelled[k]] = fr(scores[k]);
      return classificationResult(p, keys, values);
    };
  }

  // ordinalMultinomial
  const linkName = enumAttr(el, 'cumulativeLink', CUMULATIVE_LINK_NAMES, undefined, path);
  const F = CUMULATIVE_LINKS[linkName];
  if (n < 2) fail(path, 'an ordinalMultinomial model needs at least two target categories');
  const eqs = keys.slice(0, n - 1).map((k) => equation(k));
  return (env) => {
    if (!readRow(env)) return NO_PREDICTION;
    const off = offset();
    let prev = 0;
    for (let i = 0; i < n - 1; i++) {
      const gamma = fr(F(fr(eta(eqs[i]) + off)));
      p[i] = fr(gamma - prev);
      prev = gamma;
    }
    p[n - 1] = fr(1 - prev);
    return classificationResult(p, keys, values);
  };
}

/** The parameter covariances as (row, column, value) triples, off-diagonal values doubled. */
interface Covariance {
  readonly rows: Int32Array;
  readonly cols: Int32Array;
  readonly values: Float64Array;
}

/**
 * PCovMatrix, the covariances of the parameter estimates, for the standard error of a
 * regression model's prediction. The specification: "Matrix of Parameter estimate
 * covariances. Made up of PCovCells, each of them being located via row information for
 * Parameter name (pRow), row information for target variable value (tRow), column
 * information for Parameter name (pCol) and column information for target variable value
 * (tCol). Note that the matrix is symmetric with respect to the main diagonal
 * (interchanging tRow and tCol together with pRow and pCol will not change the value).
 * Therefore it is sufficient that only half of the matrix be exported. Attributes tRow and
 * tCol are optional since they are not needed for linear regression models." A cell may
 * therefore stand for (pRow, pCol) and (pCol, pRow); a pair the document leaves out is 0.
 * `type` (model or robust) says how the matrix was estimated and does not change its use.
 *
 * With C the matrix and x the parameter values of a record, the linear predictor
 * eta = sum beta_p x_p has the variance x' C x (beta estimated, x fixed): its square root
 * is the standard error of eta. Null when the model has no PCovMatrix.
 */
function compileCovariance(el: El, path: string, paramOf: (name: string, p: string) => number, nParams: number): Covariance | null {
  const covEl = child(el, 'PCovMatrix');
  if (!covEl) return null;
  const covPath = `${path}/PCovMatrix`;
  enumAttr(covEl, 'type', ['model', 'robust'] as const, 'model', covPath);
  const seen = new Map<number, number>();
  const rows: number[] = [];
  const cols: number[] = [];
  const values: number[] = [];
  for (const c of children(covEl, 'PCovCell')) {
    const p = childPath(covPath, covEl, c);
    if (c.a.tRow !== undefined || c.a.tCol !== undefined || c.a.targetCategory !== undefined) {
      fail(p, 'tRow, tCol and targetCategory name target categories; a regression model has one equation, so its PCovCells have none');
    }
    let i = paramOf(attr(c, 'pRow', p), p);
    let j = paramOf(attr(c, 'pCol', p), p);
    if (i > j) [i, j] = [j, i];
    const v = numAttr(c, 'value', p);
    const key = i * nParams + j;
    const before = seen.get(key);
    if (before !== undefined) {
      if (before !== v) fail(p, `the covariance of ${JSON.stringify(c.a.pRow)} and ${JSON.stringify(c.a.pCol)} is given twice with different values (${before} and ${v}); the matrix is symmetric`);
      continue;
    }
    seen.set(key, v);
    if (i !== j && v === 0) continue;
    rows.push(i);
    cols.push(j);
    values.push(i === j ? v : 2 * v);
  }
  return { rows: Int32Array.from(rows), cols: Int32Array.from(cols), values: Float64Array.from(values) };
}

function classificationResult(p: Float64Array, keys: readonly string[], values: readonly Value[]): ModelResult {
  const probabilities = new Map<string, number>();
  let best = -1;
  let bestP = -Infinity;
  for (let i = 0; i < p.length; i++) {
    probabilities.set(keys[i], p[i]);
    if (p[i] > bestP) {
      bestP = p[i];
      best = i;
    }
  }
  return { value: best < 0 ? null : values[best], probabilities };
}

/** Names of the Predictors of a FactorList/CovariateList; contrast matrices are not supported. */
function predictorNames(el: El, list: string, path: string): Set<string> {
  const l = child(el, list);
  const out = new Set<string>();
  if (!l) return out;
  const lp = `${path}/${list}`;
  for (const p of children(l, 'Predictor')) {
    const pp = childPath(lp, l, p);
    const name = attr(p, 'name', pp);
    if (child(p, 'Matrix') || p.a.contrastMatrixType !== undefined) unsupported(`${lp}/Predictor[name=${JSON.stringify(name)}]`, 'contrast matrices (contrastMatrixType, Matrix) are not supported');
    out.add(name);
  }
  return out;
}

interface Categories {
  /** Category values (target data type) in target order. */
  readonly values: readonly Value[];
  readonly keys: readonly string[];
  /** Index of targetReferenceCategory, if given. */
  readonly reference: number | undefined;
  /** Index of a category key; a compile error naming `path` when it is not a category of the target. */
  indexOf(key: string, path: string): number;
}

/**
 * The target categories: the target's (DataDictionary values, else Targets), else the PCell
 * targetCategory values in document order followed by targetReferenceCategory.
 */
function targetCategories(el: El, ctx: ModelContext, pCells: readonly PCellDef[], pKeys: readonly (string | undefined)[], path: string): Categories {
  const dataType = ctx.target?.info.dataType ?? 'string';
  const values: Value[] = [...(ctx.target?.categories ?? [])];
  const keys = values.map(categoryKey);
  const refText = el.a.targetReferenceCategory;
  const refPath = `${path}[targetReferenceCategory]`;
  if (values.length === 0) {
    const add = (text: string, p: string): void => {
      const v = parseValue(text, dataType, p);
      const k = categoryKey(v);
      if (keys.includes(k)) return;
      values.push(v);
      keys.push(k);
    };
    for (const c of pCells) if (c.targetCategory !== undefined) add(c.targetCategory, c.path);
    if (refText !== undefined) add(refText, refPath);
  }
  const target = ctx.target ? ` of the target ${JSON.stringify(ctx.target.name)}` : '';
  const indexOf = (key: string, p: string): number => {
    const i = keys.indexOf(key);
    if (i < 0) fail(p, `targetCategory ${JSON.stringify(key)} is not a category${target}`);
    return i;
  };
  pCells.forEach((c, i) => {
    if (pKeys[i] !== undefined) indexOf(pKeys[i]!, c.path);
  });
  const reference = refText === undefined ? undefined : indexOf(categoryKey(parseValue(refText, dataType, refPath)), refPath);
  return { values, keys, reference, indexOf };
}

interface Stratum {
  readonly times: Float64Array;
  readonly hazards: Float64Array;
  readonly maxTime: number;
}

function compileStratum(cells: readonly El[], maxTime: number | undefined, path: string, parent: El): Stratum {
  const rows = cells.map((c) => {
    const p = childPath(path, parent, c);
    return { time: numAttr(c, 'time', p), hazard: numAttr(c, 'cumHazard', p) };
  });
  rows.sort((a, b) => a.time - b.time);
  return {
    times: Float64Array.from(rows.map((r) => r.time)),
    hazards: Float64Array.from(rows.map((r) => r.hazard)),
    maxTime: maxTime ?? (rows.length > 0 ? rows[rows.length - 1].time : -Infinity),
  };
}

/** Baseline cumulative hazard at t: 0 before the first cell, the last cell at or before t, NaN after maxTime. */
function baselineHazard(s: Stratum, t: number): number {
  if (!(t <= s.maxTime)) return NaN;
  const times = s.times;
  if (times.length === 0 || t < times[0]) return 0;
  let lo = 0;
  let hi = times.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (times[mid] <= t) lo = mid;
    else hi = mid - 1;
  }
  return s.hazards[lo];
}

function compileCox(
  el: El, ctx: ModelContext, q: Equation, eta: (q: Equation) => number, readRow: (env: Env) => boolean, fr: Link,
): (env: Env) => ModelResult {
  const path = ctx.path;
  const timeName = attr(el, 'endTimeVariable', path);
  const time = ctx.scope.resolve(timeName, `${path}[endTimeVariable]`).get;
  const tablesEl = requireChild(el, 'BaseCumHazardTables', path);
  const tPath = `${path}/BaseCumHazardTables`;
  const strataName = el.a.baselineStrataVariable;
  if (strataName === undefined) {
    if (child(tablesEl, 'BaselineStratum')) fail(tPath, 'BaselineStratum elements need the model attribute baselineStrataVariable');
    const stratum = compileStratum(children(tablesEl, 'BaselineCell'), optNumAttr(tablesEl, 'maxTime', tPath), tPath, tablesEl);
    return (env) => {
      const t = time(env);
      if (t === null) return NO_PREDICTION;
      if (!readRow(env)) return NO_PREDICTION;
      const h0 = baselineHazard(stratum, typeof t === 'number' ? t : toNumber(t));
      if (Number.isNaN(h0)) return NO_PREDICTION;
      return { value: fr(h0 * fr(Math.exp(eta(q)))) };
    };
  }
  if (child(tablesEl, 'BaselineCell')) fail(tPath, 'with baselineStrataVariable the baseline is given per <BaselineStratum>');
  const strataField = ctx.scope.resolve(strataName, `${path}[baselineStrataVariable]`);
  const strata = new Map<Value, Stratum>();
  for (const s of children(tablesEl, 'BaselineStratum')) {
    const sp0 = childPath(tPath, tablesEl, s);
    const text = attr(s, 'value', sp0);
    const sp = `${tPath}/BaselineStratum[value=${JSON.stringify(text)}]`;
    const v = parseValue(text, strataField.info.dataType, sp);
    if (strata.has(v)) fail(sp, `the stratum ${JSON.stringify(text)} is given twice`);
    strata.set(v, compileStratum(children(s, 'BaselineCell'), numAttr(s, 'maxTime', sp), sp, s));
  }
  const strataGet = strataField.get;
  return (env) => {
    const t = time(env);
    const sv = strataGet(env);
    if (t === null || sv === null) return NO_PREDICTION;
    const stratum = strata.get(sv);
    if (stratum === undefined) return NO_PREDICTION;
    if (!readRow(env)) return NO_PREDICTION;
    const h0 = baselineHazard(stratum, typeof t === 'number' ? t : toNumber(t));
    if (Number.isNaN(h0)) return NO_PREDICTION;
    return { value: fr(h0 * fr(Math.exp(eta(q)))) };
  };
}

export const generalRegressionModel: ModelCompiler = {
  element: 'GeneralRegressionModel',
  compile,
};
