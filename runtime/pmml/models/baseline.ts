// BaselineModel: a change-detection / hypothesis-test model. TestDistributions
// names the tested field, the test statistic, a Baseline distribution (the null
// hypothesis) and, for CUSUM, an Alternate distribution. The predicted value is
// the test statistic.
//
//   zValue                 (x − μ) / σ, with μ and σ² of the Baseline (Gaussian/Any: mean and
//                          variance; Poisson: λ and λ; Uniform: (a+b)/2 and (b−a)²/12).
//   CUSUM                  "Z[n] = max{r, Z[n-1] + g(x[n])}", Z[−1] = 0, g(x) = log f1(x)/f0(x)
//                          (f0 Baseline density, f1 Alternate density, r = resetValue).
//   chiSquareDistribution  Σ (O_i − E_i)² / E_i over the values of the Baseline's count table:
//                          O_i observed counts, E_i = N · c_i / Σc (N = Σ O_i).
//   scalarProduct          Σ O_i · c_i: observed counts times the Baseline's table entries.
//
// Observations. A BaselineModel scores a stream; this compiler keeps no state between rows.
// The observations of one row are the row's values of the tested field: a caller passes the
// sequence (or window) as an array (ctx.items), a single value counts as one observation.
// CUSUM runs over that sequence; the count statistics count it (weighted by weightField when
// given: one weight per observation, or one for all). windowSize > 0 keeps the last
// windowSize observations. zValue tests one value (the last observation).
//
// Unsupported (PmmlUnsupportedError): chiSquareIndependence (needs a contingency table of
// observed counts), Baselines given as FieldRef elements, AnyDistribution for CUSUM (no
// density), count tables over fields other than the tested field.

import { childPath, enumAttr, fail, intAttr, numAttr, requireChild, unsupported } from '../el.js';
import type { DataType, El, Env, ModelCompiler, ModelResult, Value } from '../types.js';
import { categoryKey, toNumber, tryParseValue, INVALID } from '../values.js';

type Statistic = 'zValue' | 'chiSquareIndependence' | 'chiSquareDistribution' | 'CUSUM' | 'scalarProduct';

const CONTINUOUS = ['AnyDistribution', 'GaussianDistribution', 'PoissonDistribution', 'UniformDistribution'];
const DISCRETE = ['CountTable', 'NormalizedCountTable'];

/** A continuous distribution: its moments and log density (null when it has none). */
interface Continuous {
  readonly mean: number;
  readonly variance: number;
  readonly logDensity: ((x: number) => number) | null;
}

export const baselineModel: ModelCompiler = {
  element: 'BaselineModel',
  compile(el, ctx) {
    const path = ctx.path;
    if (ctx.functionName !== 'regression') fail(path, `functionName="${ctx.functionName}" is not regression (the score is a test statistic)`);
    const td = requireChild(el, 'TestDistributions', path);
    const tpath = `${path}/TestDistributions`;
    const field = td.a.field ?? fail(tpath, '<TestDistributions> needs the attribute field');
    const statistic: Statistic = enumAttr(td, 'testStatistic',
      ['zValue', 'chiSquareIndependence', 'chiSquareDistribution', 'CUSUM', 'scalarProduct'] as const, undefined, tpath);
    const resetValue = numAttr(td, 'resetValue', tpath, 0);
    const windowSize = intAttr(td, 'windowSize', tpath, 0);
    if (windowSize < 0) fail(tpath, `windowSize="${windowSize}" must not be negative`);
    const baselineEl = requireChild(td, 'Baseline', tpath);
    const bpath = `${tpath}/Baseline`;
    const dist = baselineEl.c.find((c) => c.n !== 'Extension') ?? fail(bpath, '<Baseline> needs a distribution');
    const dpath = `${bpath}/${dist.n}`;

    const info = ctx.scope.resolve(field, tpath).info;
    const observations = ctx.items(field, tpath);
    const weightName = td.a.weightField;
    const weights = weightName === undefined ? null : ctx.items(weightName, tpath);
    if (weightName !== undefined) ctx.scope.resolve(weightName, tpath);

    /** The observations of the row kept by windowSize: [start, end) of `xs`. */
    const windowStart = (len: number): number => (windowSize > 0 && len > windowSize ? len - windowSize : 0);

    switch (statistic) {
      case 'chiSquareIndependence':
        return unsupported(tpath, 'testStatistic="chiSquareIndependence" is not supported (it needs a contingency table of observed counts)');
      case 'zValue': {
        const d = continuous(dist, dpath);
        const sd = Math.sqrt(d.variance);
        if (!(sd > 0)) fail(dpath, 'zValue needs a Baseline with a positive variance');
        return (env: Env): ModelResult => {
          const xs = observations(env);
          if (xs.length === 0) return { value: null };
          const x = numeric(xs[xs.length - 1]);
          return { value: x === x ? (x - d.mean) / sd : null };
        };
      }
      case 'CUSUM': {
        const f0 = continuous(dist, dpath);
        const altEl = requireChild(td, 'Alternate', tpath);
        const alt = altEl.c.find((c) => c.n !== 'Extension') ?? fail(`${tpath}/Alternate`, '<Alternate> needs a distribution');
        const f1 = continuous(alt, `${tpath}/Alternate/${alt.n}`);
        const log0 = f0.logDensity ?? unsupported(dpath, `CUSUM needs densities; <${dist.n}> has none`);
        const log1 = f1.logDensity ?? unsupported(`${tpath}/Alternate/${alt.n}`, `CUSUM needs densities; <${alt.n}> has none`);
        return (env: Env): ModelResult => {
          const xs = observations(env);
          let z = 0;
          let n = 0;
          for (let i = windowStart(xs.length); i < xs.length; i++) {
            const x = numeric(xs[i]);
            if (x !== x) continue;
            const g = log1(x) - log0(x);
            if (g !== g) return { value: null };
            z = Math.max(resetValue, z + g);
            n++;
          }
          return { value: n === 0 ? null : z };
        };
      }
      default: {
        // chiSquareDistribution, scalarProduct: a count table over the tested field.
        if (!DISCRETE.includes(dist.n)) {
          if (dist.n === 'FieldRef') unsupported(dpath, 'a Baseline given by FieldRef elements is not supported');
          fail(dpath, `testStatistic="${statistic}" needs a CountTable or NormalizedCountTable Baseline, not <${dist.n}>`);
        }
        const table = countTable(dist, dpath, field, info.dataType);
        const k = table.counts.length;
        const total = table.counts.reduce((s, c) => s + c, 0);
        if (!(total > 0)) fail(dpath, 'the count table needs a positive total count');
        const probs = Float64Array.from(table.counts, (c) => c / total);
        const counts = Float64Array.from(table.counts);
        const observed = new Float64Array(k);
        const chi = statistic === 'chiSquareDistribution';
        return (env: Env): ModelResult => {
          const xs = observations(env);
          const ws = weights === null ? null : weights(env);
          observed.fill(0);
          let n = 0;
          for (let i = windowStart(xs.length); i < xs.length; i++) {
            const v = xs[i];
            if (v === null) continue;
            const at = table.index.get(categoryKey(v));
            if (at === undefined) continue;
            let w = 1;
            if (ws !== null) {
              w = numeric(ws.length === xs.length ? ws[i] : ws.length > 0 ? ws[0] : null);
              if (w !== w) continue;
            }
            observed[at] += w;
            n += w;
          }
          if (!chi) {
            let dot = 0;
            for (let i = 0; i < k; i++) dot += observed[i] * counts[i];
            return { value: dot };
          }
          if (!(n > 0)) return { value: null };
          let x2 = 0;
          for (let i = 0; i < k; i++) {
            const e = n * probs[i];
            if (e === 0) {
              if (observed[i] > 0) return { value: Infinity };
              continue;
            }
            const d = observed[i] - e;
            x2 += (d * d) / e;
          }
          return { value: x2 };
        };
      }
    }
  },
};

function numeric(v: Value): number {
  return v === null ? NaN : toNumber(v);
}

/** A continuous distribution element (Any, Gaussian, Poisson, Uniform). */
function continuous(el: El, path: string): Continuous {
  if (!CONTINUOUS.includes(el.n)) fail(path, `<${el.n}> is not a continuous distribution (${CONTINUOUS.join(', ')})`);
  switch (el.n) {
    case 'AnyDistribution':
      return { mean: numAttr(el, 'mean', path), variance: numAttr(el, 'variance', path), logDensity: null };
    case 'GaussianDistribution': {
      const mean = numAttr(el, 'mean', path);
      const variance = numAttr(el, 'variance', path);
      if (!(variance > 0)) fail(path, `variance="${el.a.variance}" must be positive`);
      const c = -0.5 * Math.log(2 * Math.PI * variance);
      const k = 1 / (2 * variance);
      return { mean, variance, logDensity: (x) => c - (x - mean) * (x - mean) * k };
    }
    case 'PoissonDistribution': {
      const mean = numAttr(el, 'mean', path);
      if (!(mean > 0)) fail(path, `mean="${el.a.mean}" must be positive`);
      const logMean = Math.log(mean);
      return {
        mean,
        variance: mean,
        logDensity: (x) => (x >= 0 && Number.isInteger(x) ? x * logMean - mean - logGamma(x + 1) : -Infinity),
      };
    }
    default: {
      const lower = numAttr(el, 'lower', path);
      const upper = numAttr(el, 'upper', path);
      if (!(upper > lower)) fail(path, `upper="${el.a.upper}" must be greater than lower="${el.a.lower}"`);
      const logWidth = Math.log(upper - lower);
      return {
        mean: (lower + upper) / 2,
        variance: ((upper - lower) * (upper - lower)) / 12,
        logDensity: (x) => (x >= lower && x <= upper ? -logWidth : -Infinity),
      };
    }
  }
}

/** A CountTable/NormalizedCountTable of FieldValueCount entries over `field`. */
function countTable(el: El, path: string, field: string, dataType: DataType): { index: Map<string, number>; counts: number[] } {
  const index = new Map<string, number>();
  const counts: number[] = [];
  for (const c of el.c) {
    if (c.n === 'Extension') continue;
    const p = childPath(path, el, c);
    if (c.n === 'FieldValue') unsupported(p, 'nested <FieldValue> tables (chiSquareIndependence contingency tables) are not supported');
    if (c.n !== 'FieldValueCount') fail(p, `<${c.n}> is not a FieldValueCount`);
    const f = c.a.field ?? fail(p, '<FieldValueCount> needs the attribute field');
    if (f !== field) unsupported(p, `the count table is over field "${f}", the test is on "${field}"`);
    const text = c.a.value ?? fail(p, '<FieldValueCount> needs the attribute value');
    const v = tryParseValue(text, dataType);
    if (v === INVALID || v === null) fail(p, `value ${JSON.stringify(text)} is not a valid ${dataType}`);
    const count = numAttr(c, 'count', p);
    if (!(count >= 0)) fail(p, `count="${c.a.count}" must not be negative`);
    const key = categoryKey(v);
    const at = index.get(key);
    if (at !== undefined) counts[at] += count;
    else {
      index.set(key, counts.length);
      counts.push(count);
    }
  }
  if (counts.length === 0) fail(path, `<${el.n}> needs FieldValueCount entries`);
  return { index, counts };
}

/** ln Γ(x) for x > 0 (Lanczos approximation, g = 7, 9 terms; ~15 significant digits). */
function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let a = LANCZOS[0];
  const t = z + 7.5;
  for (let i = 1; i < 9; i++) a += LANCZOS[i] / (z + i);
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(a);
}

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313,
  -176.61502916214059, 12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6,
  1.5056327351493116e-7,
];
