// NaiveBayesModel: P(Tᵢ | x) = Lᵢ / Σₖ Lₖ with the likelihood
//   Lᵢ = count[Tᵢ] · Πⱼ P(Iⱼ* | Tᵢ)
// where count[Tᵢ] comes from BayesOutput and, per BayesInput:
//   - PairCounts (discrete input, optionally discretised by the BayesInput's DerivedField):
//     P = count[Iⱼ* Tᵢ] / Σ_values count[Iⱼ Tᵢ] (the co-occurrence count over the sum of the
//     input's counts for Tᵢ, as the specification recommends for missing training values);
//   - TargetValueStats (continuous input): the density of the class's GaussianDistribution,
//     PoissonDistribution or UniformDistribution at x.
// A probability of zero (zero count, density 0) is replaced by the model's threshold.
// Inputs whose value is missing, or whose value has no PairCounts, are left out (they would
// multiply every class by the same factor). Likelihoods are combined as logarithms so that
// many small factors do not underflow.

import { attr, child, childPath, fail, numAttr, unsupported } from '../el.js';
import type { El, Env, Evaluator, FieldInfo, ModelCompiler, ModelContext, ModelResult, Value } from '../types.js';
import { categoryKey, parseValue, toNumber } from '../values.js';

/** log Γ(x) for x > 0 (Lanczos approximation, g = 7, 9 terms). */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  const c = [
    0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
    -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
  ];
  const z = x - 1;
  let a = c[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += c[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

/** log of ln(n!) for small integers exactly (sum of logs), else via logGamma. */
function logFactorial(n: number): number {
  if (n < 2) return 0;
  if (n <= 170) {
    let s = 0;
    for (let k = 2; k <= n; k++) s += Math.log(k);
    return s;
  }
  return logGamma(n + 1);
}

/** log density of a class's distribution at x; -Infinity where the density is 0. */
type LogDensity = (x: number) => number;

function parseDistribution(el: El, path: string): LogDensity {
  const d = el.c.find((c) => c.n.endsWith('Distribution')) ?? fail(path, '<TargetValueStat> needs a distribution');
  const dp = `${path}/${d.n}`;
  switch (d.n) {
    case 'GaussianDistribution': {
      const mean = numAttr(d, 'mean', dp);
      const variance = numAttr(d, 'variance', dp);
      if (!(variance > 0)) fail(dp, `variance="${d.a.variance}" must be positive`);
      const logNorm = -0.5 * Math.log(2 * Math.PI * variance);
      const inv2v = 1 / (2 * variance);
      return (x) => {
        const z = x - mean;
        return logNorm - z * z * inv2v;
      };
    }
    case 'PoissonDistribution': {
      const mean = numAttr(d, 'mean', dp);
      if (!(mean > 0)) fail(dp, `mean="${d.a.mean}" must be positive`);
      const logMean = Math.log(mean);
      return (x) => (x >= 0 && Number.isInteger(x) ? x * logMean - mean - logFactorial(x) : -Infinity);
    }
    case 'UniformDistribution': {
      const lower = numAttr(d, 'lower', dp);
      const upper = numAttr(d, 'upper', dp);
      if (!(upper > lower)) fail(dp, 'upper must be greater than lower');
      const logP = -Math.log(upper - lower);
      return (x) => (x >= lower && x <= upper ? logP : -Infinity);
    }
    case 'AnyDistribution':
      return unsupported(dp, '<AnyDistribution> has no density; a NaiveBayesModel cannot score with it');
    default:
      return unsupported(dp, `<${d.n}> is not a supported distribution`);
  }
}

/** One BayesInput, compiled: adds log P(Iⱼ* | Tᵢ) to logL for each class; returns nothing. */
type InputTerm = (env: Env, logL: Float64Array) => void;


function compileNaiveBayes(el: El, ctx: ModelContext): (env: Env) => ModelResult {
  const path = ctx.path;
  if (ctx.functionName !== 'classification') unsupported(path, `NaiveBayesModel with functionName="${ctx.functionName}" is not supported (classification)`);
  const threshold = numAttr(el, 'threshold', path);
  const logThreshold = Math.log(threshold);
  const target = ctx.target ?? fail(path, 'a NaiveBayesModel needs a target field');
  const targetType = target.info.dataType;

  // BayesOutput: the classes and their counts.
  const outEl = child(el, 'BayesOutput') ?? fail(path, '<NaiveBayesModel> needs <BayesOutput>');
  const outPath = `${path}/BayesOutput`;
  const outField = attr(outEl, 'fieldName', outPath);
  if (outField !== target.name) fail(outPath, `fieldName="${outField}" is not the model's target ${target.name}`);
  const countsEl = child(outEl, 'TargetValueCounts') ?? fail(outPath, '<BayesOutput> needs <TargetValueCounts>');
  const classes: Value[] = [];
  const classKeys: string[] = [];
  const priors: number[] = [];
  for (const tv of countsEl.c) {
    if (tv.n !== 'TargetValueCount') continue;
    const p = childPath(`${outPath}/TargetValueCounts`, countsEl, tv);
    const value = parseValue(attr(tv, 'value', p), targetType, p);
    const key = categoryKey(value);
    if (classKeys.includes(key)) fail(p, `target value "${tv.a.value}" is counted twice`);
    const count = numAttr(tv, 'count', p);
    if (count < 0) fail(p, 'a count cannot be negative');
    classes.push(value);
    classKeys.push(key);
    priors.push(count);
  }
  const nClasses = classes.length;
  if (nClasses === 0) fail(outPath, '<BayesOutput> lists no target value');
  const classIndex = new Map(classKeys.map((k, i) => [k, i]));
  const logPriors = Float64Array.from(priors, (c) => Math.log(c));

  /** The class index of a TargetValueCount/TargetValueStat value; a compile error when unknown. */
  const classOf = (text: string, p: string): number => {
    const at = classIndex.get(categoryKey(parseValue(text, targetType, p)));
    if (at === undefined) fail(p, `target value "${text}" is not in <BayesOutput>`);
    return at;
  };

  // BayesInputs.
  const inputsEl = child(el, 'BayesInputs') ?? fail(path, '<NaiveBayesModel> needs <BayesInputs>');
  const inputsPath = `${path}/BayesInputs`;
  const terms: InputTerm[] = [];
  for (const bi of inputsEl.c) {
    if (bi.n !== 'BayesInput') continue;
    const bp = childPath(inputsPath, inputsEl, bi);
    const fieldName = attr(bi, 'fieldName', bp);
    const stats = child(bi, 'TargetValueStats');
    if (stats) {
      const get = ctx.scope.resolve(fieldName, bp).get;
      const sp = `${bp}/TargetValueStats`;
      const densities: (LogDensity | null)[] = new Array<LogDensity | null>(nClasses).fill(null);
      for (const st of stats.c) {
        if (st.n !== 'TargetValueStat') continue;
        const p = childPath(sp, stats, st);
        densities[classOf(attr(st, 'value', p), p)] = parseDistribution(st, p);
      }
      terms.push((env, logL) => {
        const x = toNumber(get(env));
        if (x !== x) return;
        for (let i = 0; i < nClasses; i++) {
          const dens = densities[i];
          // A class without statistics for this input: probability 0, replaced by the threshold.
          const lp = dens === null ? -Infinity : dens(x);
          logL[i] += lp === -Infinity ? logThreshold : lp;
        }
      });
      continue;
    }
    // Discrete input: the field itself, or its DerivedField (e.g. a Discretize of a continuous field).
    let get: Evaluator;
    let info: Pick<FieldInfo, 'dataType'>;
    const derived = child(bi, 'DerivedField');
    if (derived) {
      const dp = `${bp}/DerivedField`;
      const expr = derived.c.find((c) => c.n !== 'Extension' && c.n !== 'Value') ?? fail(dp, '<DerivedField> needs an expression');
      get = ctx.expression(expr, `${dp}/${expr.n}`);
      const dataType = derived.a.dataType;
      if (dataType === undefined) fail(dp, '<DerivedField> needs the attribute dataType');
      info = { dataType: dataType as FieldInfo['dataType'] };
    } else {
      const resolved = ctx.scope.resolve(fieldName, bp);
      get = resolved.get;
      info = resolved.info;
    }
    const pairs = bi.c.filter((c) => c.n === 'PairCounts');
    if (pairs.length === 0) fail(bp, '<BayesInput> needs <TargetValueStats> or <PairCounts>');
    const totals = new Float64Array(nClasses);
    const byValue = new Map<string, Float64Array>();
    for (const pc of pairs) {
      const p = childPath(bp, bi, pc);
      const key = categoryKey(parseValue(attr(pc, 'value', p), info.dataType, p));
      if (byValue.has(key)) fail(p, `value "${pc.a.value}" has two <PairCounts>`);
      const counts = new Float64Array(nClasses);
      const tvc = child(pc, 'TargetValueCounts') ?? fail(p, '<PairCounts> needs <TargetValueCounts>');
      for (const tv of tvc.c) {
        if (tv.n !== 'TargetValueCount') continue;
        const tp = childPath(`${p}/TargetValueCounts`, tvc, tv);
        const at = classOf(attr(tv, 'value', tp), tp);
        const count = numAttr(tv, 'count', tp);
        if (count < 0) fail(tp, 'a count cannot be negative');
        counts[at] += count;
        totals[at] += count;
      }
      byValue.set(key, counts);
    }
    // Precompute log P per value and class.
    const logP = new Map<string, Float64Array>();
    for (const [key, counts] of byValue) {
      logP.set(key, Float64Array.from(counts, (c, i) => (c > 0 && totals[i] > 0 ? Math.log(c / totals[i]) : logThreshold)));
    }
    terms.push((env, logL) => {
      const v = get(env);
      if (v === null) return;
      const lp = logP.get(categoryKey(v));
      if (lp === undefined) return;
      for (let i = 0; i < nClasses; i++) logL[i] += lp[i];
    });
  }

  const logL = new Float64Array(nClasses);
  const nTerms = terms.length;
  return (env) => {
    logL.set(logPriors);
    for (let t = 0; t < nTerms; t++) terms[t](env, logL);
    let max = -Infinity;
    let best = -1;
    for (let i = 0; i < nClasses; i++) {
      if (logL[i] > max) {
        max = logL[i];
        best = i;
      }
    }
    if (best < 0 || max === Infinity || max !== max) return { value: null };
    let sum = 0;
    for (let i = 0; i < nClasses; i++) sum += Math.exp(logL[i] - max);
    const probabilities = new Map<string, number>();
    for (let i = 0; i < nClasses; i++) probabilities.set(classKeys[i], Math.exp(logL[i] - max) / sum);
    return { value: classes[best], probabilities };
  };
}

export const naiveBayesModel: ModelCompiler = {
  element: 'NaiveBayesModel',
  compile: compileNaiveBayes,
};
