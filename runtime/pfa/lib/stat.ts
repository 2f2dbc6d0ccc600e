// PFA library, families "stat.test", "stat.sample" and "stat.change" (specification
// §25): goodness-of-fit tests, incremental sample statistics (counts, means, variances,
// covariances, moving averages, Holt-Winters, histograms, top-N lists) and change
// detection.
//
// State records are "any record A with {...}": the fields a function reads and writes
// are named by the signature, the record may carry more (optional fields such as mean
// and variance change what is computed; other fields are copied unaltered). Results
// are new records (values are immutable).

import { pfaFail, type LibFunction, type LibImpl, type PfaType, type SignatureJson } from '../types.js';
import { newMap } from '../values.js';
import { chi2Cdf } from './prob-dist-math.js';
import { solveLinear } from './la-core.js';

type Rec = Record<string, unknown>;
type NumMap = Record<string, number>;

/** A copy of a record (same fields, null prototype) to update. */
function copyRecord(r: Rec): Rec {
  const out = newMap();
  for (const k of Object.keys(r)) out[k] = r[k];
  return out;
}

/** The field names of a record type (empty for anything else). */
function fieldNames(t: PfaType | undefined): Set<string> {
  return new Set(t !== undefined && t.kind === 'record' ? t.fields.map((f) => f.name) : []);
}

const DOUBLE_ARRAY = { type: 'array', items: 'double' };
const DOUBLE_MAP = { type: 'map', values: 'double' };
const DOUBLE_MATRIX = { type: 'array', items: DOUBLE_ARRAY };
const DOUBLE_MAP_MATRIX = { type: 'map', values: DOUBLE_MAP };

function sameKeys(a: Rec, b: Rec): boolean {
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => Object.hasOwn(b, k));
}

// ===========================================================================
// stat.test

/**
 * The Kolmogorov distribution's survival function Q(λ) = 2 Σ_{j≥1} (−1)^{j−1} e^{−2j²λ²},
 * summed in its complementary (Jacobi theta) form 1 − √(2π)/λ Σ e^{−(2j−1)²π²/(8λ²)}
 * for small λ, where the alternating series converges slowly.
 */
export function kolmogorovQ(lambda: number): number {
  if (!(lambda > 0)) return 1;
  if (lambda < 1.18) {
    const c = (Math.PI * Math.PI) / (8 * lambda * lambda);
    let s = 0;
    for (let j = 1; j < 100; j++) {
      const term = Math.exp(-(2 * j - 1) * (2 * j - 1) * c);
      s += term;
      if (term < 1e-17 * s) break;
    }
    return Math.max(0, 1 - (Math.sqrt(2 * Math.PI) / lambda) * s);
  }
  let s = 0, sign = 1;
  for (let j = 1; j < 100; j++) {
    const term = Math.exp(-2 * j * j * lambda * lambda);
    s += sign * term;
    sign = -sign;
    if (term < 1e-17) break;
  }
  return Math.min(1, Math.max(0, 2 * s));
}

export const kolmogorov: LibFunction = {
  name: 'stat.test.kolmogorov',
  sigs: [{ params: [{ name: 'x', type: DOUBLE_ARRAY }, { name: 'y', type: DOUBLE_ARRAY }], ret: 'double' }],
  make: () => (x: number[], y: number[]) => {
    const a = x.filter((v) => !Number.isNaN(v)).sort((p, q) => p - q);
    const b = y.filter((v) => !Number.isNaN(v)).sort((p, q) => p - q);
    const n = a.length, m = b.length;
    if (n === 0 && m === 0) return 1;
    if (n === 0 || m === 0) return 0;
    // Largest distance between the two empirical distribution functions.
    let i = 0, j = 0, d = 0;
    while (i < n && j < m) {
      const v = Math.min(a[i], b[j]);
      while (i < n && a[i] === v) i++;
      while (j < m && b[j] === v) j++;
      d = Math.max(d, Math.abs(i / n - j / m));
    }
    // Asymptotic distribution with Stephens' small-sample correction of the effective size.
    const ne = Math.sqrt((n * m) / (n + m));
    return kolmogorovQ((ne + 0.12 + 0.11 / ne) * d);
  },
};

/** Element-wise combination of scalars, arrays or maps with alignment errors. */
function elementwise(name: string, arity: 2 | 3, codes: readonly number[], messages: readonly string[], op: (...v: number[]) => number): LibFunction {
  const names = ['observation', 'prediciton', 'uncertainty'].slice(0, arity);
  const sigs: SignatureJson[] = [
    { params: names.map((n) => ({ name: n, type: 'double' })), ret: 'double' },
    { params: names.map((n) => ({ name: n, type: DOUBLE_ARRAY })), ret: DOUBLE_ARRAY },
    { params: names.map((n) => ({ name: n, type: DOUBLE_MAP })), ret: DOUBLE_MAP },
  ];
  return {
    name,
    sigs,
    make(types): LibImpl {
      if (types.sig === 0) return op;
      if (types.sig === 1) {
        return (...arrays: number[][]) => {
          const [first] = arrays;
          for (let k = 1; k < arrays.length; k++) if (arrays[k].length !== first.length) pfaFail(codes[k - 1], name, messages[k - 1]);
          return first.map((_, i) => op(...arrays.map((a) => a[i])));
        };
      }
      return (...maps: NumMap[]) => {
        const [first] = maps;
        for (let k = 1; k < maps.length; k++) if (!sameKeys(first, maps[k])) pfaFail(codes[k - 1], name, messages[k - 1]);
        const out = newMap<number>();
        for (const key of Object.keys(first)) out[key] = op(...maps.map((m) => m[key]));
        return out;
      };
    },
  };
}

export const residual = elementwise('stat.test.residual', 2, [38010], ['misaligned prediction'], (o, p) => o - p);
export const pull = elementwise('stat.test.pull', 3, [38020, 38021], ['misaligned prediction', 'misaligned uncertainty'], (o, p, u) => (o - p) / u);

export const mahalanobis: LibFunction = {
  name: 'stat.test.mahalanobis',
  sigs: [
    { params: [{ name: 'observation', type: DOUBLE_ARRAY }, { name: 'prediction', type: DOUBLE_ARRAY }, { name: 'covariance', type: DOUBLE_MATRIX }], ret: 'double' },
    { params: [{ name: 'observation', type: DOUBLE_MAP }, { name: 'prediction', type: DOUBLE_MAP }, { name: 'covariance', type: DOUBLE_MAP_MATRIX }], ret: 'double' },
  ],
  make(types): LibImpl {
    const name = 'stat.test.mahalanobis';
    const distance = (diff: number[], cov: number[][]): number => {
      // (o − p)ᵀ C⁻¹ (o − p) = dᵀ z with C z = d.
      const z = solveLinear(cov, diff);
      let s = 0;
      for (let i = 0; i < diff.length; i++) s += diff[i] * z[i];
      return Math.sqrt(s);
    };
    if (types.sig === 0) {
      return (o: number[], p: number[], c: number[][]) => {
        if (o.length < 1) pfaFail(38030, name, 'too few rows/cols');
        if (p.length !== o.length) pfaFail(38031, name, 'misaligned prediction');
        if (c.length !== o.length || c.some((row) => row.length !== o.length)) pfaFail(38032, name, 'misaligned covariance');
        return distance(o.map((v, i) => v - p[i]), c);
      };
    }
    return (o: NumMap, p: NumMap, c: Record<string, NumMap>) => {
      const keys = Object.keys(o);
      if (keys.length < 1) pfaFail(38030, name, 'too few rows/cols');
      if (!sameKeys(o, p)) pfaFail(38031, name, 'misaligned prediction');
      if (!sameKeys(o, c) || keys.some((k) => !sameKeys(o, c[k]))) pfaFail(38032, name, 'misaligned covariance');
      return distance(keys.map((k) => o[k] - p[k]), keys.map((r) => keys.map((k) => c[r][k])));
    };
  },
};

const CHI2_STATE = { type: 'record', label: 'A', fields: [{ name: 'chi2', type: 'double' }, { name: 'dof', type: 'int' }] };

export const updateChi2: LibFunction = {
  name: 'stat.test.updateChi2',
  sigs: [
    { params: [{ name: 'pull', type: 'double' }, { name: 'state', type: CHI2_STATE }], ret: { ref: 'A' } },
    { params: [{ name: 'pull', type: DOUBLE_ARRAY }, { name: 'state', type: CHI2_STATE }], ret: { ref: 'A' } },
    { params: [{ name: 'pull', type: DOUBLE_MAP }, { name: 'state', type: CHI2_STATE }], ret: { ref: 'A' } },
  ],
  make(types): LibImpl {
    const sumOfSquares: (pull: unknown) => number =
      types.sig === 0 ? (v) => (v as number) * (v as number)
        : types.sig === 1 ? (v) => (v as number[]).reduce((s, x) => s + x * x, 0)
          : (v) => Object.values(v as NumMap).reduce((s, x) => s + x * x, 0);
    // One update is one more degree of freedom, whatever the shape of the pull.
    return (pullValue: unknown, state: Rec) => {
      const out = copyRecord(state);
      out.chi2 = (state.chi2 as number) + sumOfSquares(pullValue);
      out.dof = (state.dof as number) + 1;
      return out;
    };
  },
};

export const reducedChi2: LibFunction = {
  name: 'stat.test.reducedChi2',
  sigs: [{ params: [{ name: 'state', type: CHI2_STATE }], ret: 'double' }],
  make: () => (state: Rec) => (state.chi2 as number) / (state.dof as number),
};

export const chi2Prob: LibFunction = {
  name: 'stat.test.chi2Prob',
  sigs: [{ params: [{ name: 'state', type: CHI2_STATE }], ret: 'double' }],
  make: () => (state: Rec) => {
    const dof = state.dof as number;
    if (dof < 0) pfaFail(38060, 'stat.test.chi2Prob', 'invalid parameterization');
    return chi2Cdf(state.chi2 as number, dof);
  },
};

// ===========================================================================
// stat.sample

/**
 * One weighted update of count, mean and variance (West's incremental algorithm):
 * count' = count + w, mean' = mean + w(x − mean)/count',
 * variance' = (count·variance + w(x − mean)(x − mean'))/count'.
 * A negative weight removes a sample added earlier.
 */
function updateMoments(out: Rec, prev: Rec, x: number, w: number, hasMean: boolean, hasVariance: boolean): void {
  const count = prev.count as number;
  const total = count + w;
  out.count = total;
  if (!hasMean) return;
  const mean = prev.mean as number;
  const delta = x - mean;
  const newMean = mean + (w * delta) / total;
  out.mean = newMean;
  if (hasVariance) out.variance = (count * (prev.variance as number) + w * delta * (x - newMean)) / total;
}

export const update: LibFunction = {
  name: 'stat.sample.update',
  sigs: [{ params: [{ name: 'x', type: 'double' }, { name: 'w', type: 'double' }, { name: 'state', type: { type: 'record', label: 'A', fields: [{ name: 'count', type: 'double' }] } }], ret: { ref: 'A' } }],
  make(types): LibImpl {
    const fields = fieldNames(types.params[2]);
    const hasMean = fields.has('mean'), hasVariance = hasMean && fields.has('variance');
    return (x: number, w: number, state: Rec) => {
      const out = copyRecord(state);
      updateMoments(out, state, x, w, hasMean, hasVariance);
      return out;
    };
  },
};

export const updateCovariance: LibFunction = {
  name: 'stat.sample.updateCovariance',
  sigs: [
    {
      params: [{ name: 'x', type: DOUBLE_ARRAY }, { name: 'w', type: 'double' },
        { name: 'state', type: { type: 'record', label: 'A', fields: [{ name: 'count', type: 'double' }, { name: 'mean', type: DOUBLE_ARRAY }, { name: 'covariance', type: DOUBLE_MATRIX }] } }],
      ret: { ref: 'A' },
    },
    {
      params: [{ name: 'x', type: DOUBLE_MAP }, { name: 'w', type: 'double' },
        { name: 'state', type: { type: 'record', label: 'A', fields: [{ name: 'count', type: DOUBLE_MAP_MATRIX }, { name: 'mean', type: DOUBLE_MAP }, { name: 'covariance', type: DOUBLE_MAP_MATRIX }] } }],
      ret: { ref: 'A' },
    },
  ],
  make(types): LibImpl {
    const name = 'stat.sample.updateCovariance';
    if (types.sig === 0) {
      return (x: number[], w: number, state: Rec) => {
        const n = x.length;
        if (n < 2) pfaFail(14011, name, 'too few components');
        const mean = state.mean as number[], cov = state.covariance as number[][];
        if (mean.length !== n || cov.length !== n || cov.some((row) => row.length !== n)) pfaFail(14012, name, 'unequal length arrays');
        const count = state.count as number;
        const total = count + w;
        const delta = x.map((v, i) => v - mean[i]);
        // C' = (W C + w (W/W') δ δᵀ) / W' with δ = x − mean (the old mean).
        const out = copyRecord(state);
        out.count = total;
        out.mean = mean.map((m, i) => m + (w * delta[i]) / total);
        out.covariance = cov.map((row, i) => row.map((c, j) => (count * c + ((w * count) / total) * delta[i] * delta[j]) / total));
        return out;
      };
    }
    return (x: NumMap, w: number, state: Rec) => {
      const keys = Object.keys(x);
      if (keys.length < 2) pfaFail(14011, name, 'too few components');
      const oldCount = state.count as Record<string, NumMap>;
      const oldMean = state.mean as NumMap;
      const oldCov = state.covariance as Record<string, NumMap>;
      // The components: the rows and columns of the count and covariance matrices and the
      // keys of x. Unseen keys start with a zero count and covariance.
      const matrixKeys = (m: Record<string, NumMap>): string[] => [...Object.keys(m), ...Object.keys(m).flatMap((r) => Object.keys(m[r]))];
      const all = [...new Set([...matrixKeys(oldCount), ...matrixKeys(oldCov), ...keys])];
      const inX = (k: string): boolean => Object.hasOwn(x, k);
      const countOf = (i: string, j: string): number => (Object.hasOwn(oldCount, i) && Object.hasOwn(oldCount[i], j) ? oldCount[i][j] : 0);
      const covOf = (i: string, j: string): number => (Object.hasOwn(oldCov, i) && Object.hasOwn(oldCov[i], j) ? oldCov[i][j] : 0);
      // A key without a mean has had no weight yet: its updated mean is x itself.
      const meanOf = (i: string): number => (Object.hasOwn(oldMean, i) ? oldMean[i] : 0);
      const count = newMap<NumMap>(), mean = newMap<number>(), cov = newMap<NumMap>();
      for (const i of all) {
        count[i] = newMap<number>();
        cov[i] = newMap<number>();
        for (const j of all) {
          const c = countOf(i, j);
          if (inX(i) && inX(j)) {
            // Only the pairs present in x receive the sample (missing keys = zero weight).
            const total = c + w;
            count[i][j] = total;
            cov[i][j] = (c * covOf(i, j) + ((w * c) / total) * (x[i] - meanOf(i)) * (x[j] - meanOf(j))) / total;
          } else {
            count[i][j] = c;
            cov[i][j] = covOf(i, j);
          }
        }
      }
      for (const i of all) {
        if (inX(i)) {
          const m = meanOf(i);
          mean[i] = m + (w * (x[i] - m)) / count[i][i];
        } else {
          mean[i] = meanOf(i);
        }
      }
      const out = copyRecord(state);
      out.count = count;
      out.mean = mean;
      out.covariance = cov;
      return out;
    };
  },
};

const WINDOW_FIELDS = new Set(['x', 'w', 'count', 'mean', 'variance']);

export const updateWindow: LibFunction = {
  name: 'stat.sample.updateWindow',
  sigs: [{
    params: [{ name: 'x', type: 'double' }, { name: 'w', type: 'double' },
      { name: 'state', type: { type: 'array', items: { type: 'record', label: 'A', fields: [{ name: 'x', type: 'double' }, { name: 'w', type: 'double' }, { name: 'count', type: 'double' }] } } },
      { name: 'windowSize', type: 'int' }],
    ret: { type: 'array', items: { ref: 'A' } },
  }],
  make(types): LibImpl {
    const name = 'stat.sample.updateWindow';
    const stateType = types.params[2];
    const fields = fieldNames(stateType !== undefined && stateType.kind === 'array' ? stateType.items : undefined);
    const hasMean = fields.has('mean'), hasVariance = hasMean && fields.has('variance');
    const unrecognized = [...fields].some((f) => !WINDOW_FIELDS.has(f));
    return (x: number, w: number, state: Rec[], windowSize: number) => {
      if (windowSize < 2) pfaFail(14020, name, 'windowSize must be at least 2');
      if (state.length === 0) {
        if (unrecognized) pfaFail(14021, name, 'cannot initialize unrecognized fields');
        const first = newMap();
        first.x = x;
        first.w = w;
        first.count = w;
        if (hasMean) first.mean = x;
        if (hasVariance) first.variance = 0;
        return [first];
      }
      const last = state[state.length - 1];
      const next = copyRecord(last);
      next.x = x;
      next.w = w;
      updateMoments(next, last, x, w, hasMean, hasVariance);
      // Samples that leave the window are removed from the running sums (negative weight).
      const drop = Math.max(0, state.length + 1 - windowSize);
      for (let i = 0; i < drop; i++) {
        const old = state[i];
        const before = copyRecord(next);
        updateMoments(next, before, old.x as number, -(old.w as number), hasMean, hasVariance);
      }
      return [...state.slice(drop), next];
    };
  },
};

/** A weighting factor must not be below 0 or above 1 (NaN is neither: no error). */
function checkUnit(v: number, code: number, fcn: string, what: string): void {
  if (v < 0 || v > 1) pfaFail(code, fcn, `${what} out of range`);
}

export const updateEWMA: LibFunction = {
  name: 'stat.sample.updateEWMA',
  sigs: [{ params: [{ name: 'x', type: 'double' }, { name: 'alpha', type: 'double' }, { name: 'state', type: { type: 'record', label: 'A', fields: [{ name: 'mean', type: 'double' }] } }], ret: { ref: 'A' } }],
  make(types): LibImpl {
    const hasVariance = fieldNames(types.params[2]).has('variance');
    return (x: number, alpha: number, state: Rec) => {
      checkUnit(alpha, 14030, 'stat.sample.updateEWMA', 'alpha');
      const mean = state.mean as number;
      const diff = x - mean, increment = alpha * diff;
      const out = copyRecord(state);
      out.mean = mean + increment;
      if (hasVariance) out.variance = (1 - alpha) * ((state.variance as number) + diff * increment);
      return out;
    };
  },
};

const LEVEL_TREND = { type: 'record', label: 'A', fields: [{ name: 'level', type: 'double' }, { name: 'trend', type: 'double' }] };

export const updateHoltWinters: LibFunction = {
  name: 'stat.sample.updateHoltWinters',
  sigs: [{ params: [{ name: 'x', type: 'double' }, { name: 'alpha', type: 'double' }, { name: 'beta', type: 'double' }, { name: 'state', type: LEVEL_TREND }], ret: { ref: 'A' } }],
  make: () => (x: number, alpha: number, beta: number, state: Rec) => {
    const name = 'stat.sample.updateHoltWinters';
    checkUnit(alpha, 14040, name, 'alpha');
    checkUnit(beta, 14041, name, 'beta');
    const level = state.level as number, trend = state.trend as number;
    const newLevel = alpha * x + (1 - alpha) * (level + trend);
    const out = copyRecord(state);
    out.level = newLevel;
    out.trend = beta * (newLevel - level) + (1 - beta) * trend;
    return out;
  },
};

export const updateHoltWintersPeriodic: LibFunction = {
  name: 'stat.sample.updateHoltWintersPeriodic',
  sigs: [{
    params: [{ name: 'x', type: 'double' }, { name: 'alpha', type: 'double' }, { name: 'beta', type: 'double' }, { name: 'gamma', type: 'double' },
      { name: 'state', type: { type: 'record', label: 'A', fields: [{ name: 'level', type: 'double' }, { name: 'trend', type: 'double' }, { name: 'cycle', type: DOUBLE_ARRAY }, { name: 'multiplicative', type: 'boolean' }] } }],
    ret: { ref: 'A' },
  }],
  make: () => (x: number, alpha: number, beta: number, gamma: number, state: Rec) => {
    const name = 'stat.sample.updateHoltWintersPeriodic';
    checkUnit(alpha, 14050, name, 'alpha');
    checkUnit(beta, 14051, name, 'beta');
    checkUnit(gamma, 14052, name, 'gamma');
    const cycle = state.cycle as number[];
    if (cycle.length === 0) pfaFail(14053, name, 'empty cycle');
    const level = state.level as number, trend = state.trend as number;
    // The cycle is [c_{t−1}, c_{t−L}, c_{t−L+1}, …, c_{t−2}]: after rotating it left, the
    // first item is c_{t−L}, the season being replaced by c_t.
    const old = cycle[1 % cycle.length];
    let newLevel: number, season: number;
    if (state.multiplicative as boolean) {
      newLevel = (alpha * x) / old + (1 - alpha) * (level + trend);
      season = (gamma * x) / newLevel + (1 - gamma) * old;
    } else {
      newLevel = alpha * (x - old) + (1 - alpha) * (level + trend);
      season = gamma * (x - newLevel) + (1 - gamma) * old;
    }
    const out = copyRecord(state);
    out.level = newLevel;
    out.trend = beta * (newLevel - level) + (1 - beta) * trend;
    out.cycle = [season, ...cycle.slice(2), ...(cycle.length > 1 ? [cycle[0]] : [])];
    return out;
  },
};

/** The i-th forecast (i ≥ 1) of a Holt-Winters state with or without a cycle. */
function forecaster(stateType: PfaType | undefined, code: number, name: string): (state: Rec) => (i: number) => number {
  const fields = fieldNames(stateType);
  const periodic = fields.has('cycle') && fields.has('multiplicative');
  return (state) => {
    const level = state.level as number, trend = state.trend as number;
    if (!periodic) return (i) => level + i * trend;
    const cycle = state.cycle as number[];
    if (cycle.length === 0) pfaFail(code, name, 'empty cycle');
    // The cycle holds [c_t, c_{t−L+1}, …, c_{t−1}]: the season of step t+i is cycle[i mod L].
    const season = (i: number): number => cycle[i % cycle.length];
    return state.multiplicative as boolean ? (i) => (level + i * trend) * season(i) : (i) => level + i * trend + season(i);
  };
}

export const forecast1HoltWinters: LibFunction = {
  name: 'stat.sample.forecast1HoltWinters',
  sigs: [{ params: [{ name: 'state', type: LEVEL_TREND }], ret: 'double' }],
  make(types): LibImpl {
    const f = forecaster(types.params[0], 14060, 'stat.sample.forecast1HoltWinters');
    return (state: Rec) => f(state)(1);
  },
};

export const forecastHoltWinters: LibFunction = {
  name: 'stat.sample.forecastHoltWinters',
  sigs: [{ params: [{ name: 'n', type: 'int' }, { name: 'state', type: LEVEL_TREND }], ret: DOUBLE_ARRAY }],
  make(types): LibImpl {
    const f = forecaster(types.params[1], 14070, 'stat.sample.forecastHoltWinters');
    return (n: number, state: Rec) => {
      const at = f(state);
      const out: number[] = [];
      for (let i = 1; i <= n; i++) out.push(at(i));
      return out;
    };
  },
};

/** Adds w to an optional counter field of the output record, if the type has it. */
function bump(out: Rec, fields: Set<string>, field: string, w: number): void {
  if (fields.has(field)) out[field] = (out[field] as number) + w;
}

export const fillHistogram: LibFunction = {
  name: 'stat.sample.fillHistogram',
  sigs: [
    {
      params: [{ name: 'x', type: 'double' }, { name: 'w', type: 'double' },
        { name: 'histogram', type: { type: 'record', label: 'A', fields: [{ name: 'numbins', type: 'int' }, { name: 'low', type: 'double' }, { name: 'high', type: 'double' }, { name: 'values', type: DOUBLE_ARRAY }] } }],
      ret: { ref: 'A' },
    },
    {
      params: [{ name: 'x', type: 'double' }, { name: 'w', type: 'double' },
        { name: 'histogram', type: { type: 'record', label: 'A', fields: [{ name: 'low', type: 'double' }, { name: 'binsize', type: 'double' }, { name: 'values', type: DOUBLE_ARRAY }] } }],
      ret: { ref: 'A' },
    },
    {
      params: [{ name: 'x', type: 'double' }, { name: 'w', type: 'double' },
        { name: 'histogram', type: { type: 'record', label: 'A', fields: [{ name: 'ranges', type: DOUBLE_MATRIX }, { name: 'values', type: DOUBLE_ARRAY }] } }],
      ret: { ref: 'A' },
    },
  ],
  make(types): LibImpl {
    const name = 'stat.sample.fillHistogram';
    const fields = fieldNames(types.params[2]);
    const hasInf = fields.has('infflow');
    // NaN and (with an infflow counter) infinite samples go to their own counters.
    const special = (out: Rec, x: number, w: number): boolean => {
      if (Number.isNaN(x)) {
        bump(out, fields, 'nanflow', w);
        return true;
      }
      if (hasInf && !Number.isFinite(x)) {
        bump(out, fields, 'infflow', w);
        return true;
      }
      return false;
    };
    if (types.sig === 0) {
      return (x: number, w: number, h: Rec) => {
        const numbins = h.numbins as number, low = h.low as number, high = h.high as number, values = h.values as number[];
        if (numbins < 1) pfaFail(14082, name, 'bad histogram scale');
        if (values.length !== numbins) pfaFail(14080, name, 'wrong histogram size');
        if (!(low < high) || !Number.isFinite(low) || !Number.isFinite(high)) pfaFail(14081, name, 'bad histogram range');
        const out = copyRecord(h);
        if (special(out, x, w)) return out;
        if (x < low) bump(out, fields, 'underflow', w);
        else if (x >= high) bump(out, fields, 'overflow', w);
        else {
          const bin = Math.min(numbins - 1, Math.floor(((x - low) / (high - low)) * numbins));
          const v = values.slice();
          v[bin] += w;
          out.values = v;
        }
        return out;
      };
    }
    if (types.sig === 1) {
      return (x: number, w: number, h: Rec) => {
        const low = h.low as number, binsize = h.binsize as number, values = h.values as number[];
        if (!(binsize > 0) || !Number.isFinite(binsize)) pfaFail(14082, name, 'bad histogram scale');
        if (!Number.isFinite(low)) pfaFail(14081, name, 'bad histogram range');
        const out = copyRecord(h);
        if (special(out, x, w)) return out;
        if (x < low) bump(out, fields, 'underflow', w);
        else if (x === Infinity) bump(out, fields, 'overflow', w);
        else {
          const bin = Math.floor((x - low) / binsize);
          const v = values.slice();
          while (v.length <= bin) v.push(0);
          v[bin] += w;
          out.values = v;
        }
        return out;
      };
    }
    return (x: number, w: number, h: Rec) => {
      const ranges = h.ranges as number[][], values = h.values as number[];
      if (values.length !== ranges.length) pfaFail(14080, name, 'wrong histogram size');
      for (const r of ranges) {
        if (r.length !== 2 || !Number.isFinite(r[0]) || !Number.isFinite(r[1]) || r[0] > r[1]) pfaFail(14083, name, 'bad histogram ranges');
      }
      const out = copyRecord(h);
      if (special(out, x, w)) return out;
      const v = values.slice();
      let hit = false;
      ranges.forEach(([lo, hi], i) => {
        if (lo === hi ? x === lo : x >= lo && x < hi) {
          v[i] += w;
          hit = true;
        }
      });
      out.values = v;
      if (!hit) bump(out, fields, 'underflow', w);
      return out;
    };
  },
};

export const fillHistogram2d: LibFunction = {
  name: 'stat.sample.fillHistogram2d',
  sigs: [{
    params: [{ name: 'x', type: 'double' }, { name: 'y', type: 'double' }, { name: 'w', type: 'double' },
      {
        name: 'histogram',
        type: {
          type: 'record', label: 'A',
          fields: [{ name: 'xnumbins', type: 'int' }, { name: 'xlow', type: 'double' }, { name: 'xhigh', type: 'double' }, { name: 'ynumbins', type: 'int' },
            { name: 'ylow', type: 'double' }, { name: 'yhigh', type: 'double' }, { name: 'values', type: DOUBLE_MATRIX }],
        },
      }],
    ret: { ref: 'A' },
  }],
  make(types): LibImpl {
    const name = 'stat.sample.fillHistogram2d';
    const fields = fieldNames(types.params[3]);
    const hasInf = fields.has('infflow');
    const region = (v: number, low: number, high: number): 'under' | 'mid' | 'over' => (v < low ? 'under' : v >= high ? 'over' : 'mid');
    return (x: number, y: number, w: number, h: Rec) => {
      const xnumbins = h.xnumbins as number, ynumbins = h.ynumbins as number;
      const xlow = h.xlow as number, xhigh = h.xhigh as number, ylow = h.ylow as number, yhigh = h.yhigh as number;
      const values = h.values as number[][];
      if (xnumbins < 1 || ynumbins < 1) pfaFail(14092, name, 'bad histogram scale');
      if (values.length !== xnumbins || values.some((row) => row.length !== ynumbins)) pfaFail(14090, name, 'wrong histogram size');
      if (!(xlow < xhigh) || !(ylow < yhigh) || ![xlow, xhigh, ylow, yhigh].every(Number.isFinite)) pfaFail(14091, name, 'bad histogram range');
      const out = copyRecord(h);
      if (Number.isNaN(x) || Number.isNaN(y)) {
        bump(out, fields, 'nanflow', w);
        return out;
      }
      if (hasInf && (!Number.isFinite(x) || !Number.isFinite(y))) {
        bump(out, fields, 'infflow', w);
        return out;
      }
      const rx = region(x, xlow, xhigh), ry = region(y, ylow, yhigh);
      if (rx === 'mid' && ry === 'mid') {
        const i = Math.min(xnumbins - 1, Math.floor(((x - xlow) / (xhigh - xlow)) * xnumbins));
        const j = Math.min(ynumbins - 1, Math.floor(((y - ylow) / (yhigh - ylow)) * ynumbins));
        const v = values.map((row) => row.slice());
        v[i][j] += w;
        out.values = v;
      } else {
        bump(out, fields, `${rx}${ry}flow`, w);
      }
      return out;
    };
  },
};

export const fillCounter: LibFunction = {
  name: 'stat.sample.fillCounter',
  sigs: [{ params: [{ name: 'x', type: 'string' }, { name: 'w', type: 'double' }, { name: 'counter', type: { type: 'record', label: 'A', fields: [{ name: 'values', type: DOUBLE_MAP }] } }], ret: { ref: 'A' } }],
  make: () => (x: string, w: number, counter: Rec) => {
    const old = counter.values as NumMap;
    const values = newMap<number>();
    for (const k of Object.keys(old)) values[k] = old[k];
    values[x] = (Object.hasOwn(old, x) ? old[x] : 0) + w;
    const out = copyRecord(counter);
    out.values = values;
    return out;
  },
};

export const topN: LibFunction = {
  name: 'stat.sample.topN',
  sigs: [{
    params: [{ name: 'x', type: { any: 'A' } }, { name: 'top', type: { type: 'array', items: { ref: 'A' } } }, { name: 'n', type: 'int' },
      { name: 'lessThan', type: { type: 'function', params: [{ ref: 'A' }, { ref: 'A' }], ret: 'boolean' } }],
    ret: { type: 'array', items: { ref: 'A' } },
  }],
  make: () => (x: unknown, top: unknown[], n: number, lessThan: (a: unknown, b: unknown) => boolean) => {
    if (n <= 0) return [];
    // x goes before the first element that is less than it (equal elements keep precedence).
    let at = top.findIndex((e) => lessThan(e, x));
    if (at < 0) at = top.length;
    const out = [...top.slice(0, at), x, ...top.slice(at)];
    return out.length > n ? out.slice(0, n) : out;
  },
};

// ===========================================================================
// stat.change

export const updateTrigger: LibFunction = {
  name: 'stat.change.updateTrigger',
  sigs: [{
    params: [{ name: 'predicate', type: 'boolean' },
      { name: 'history', type: { type: 'record', label: 'A', fields: [{ name: 'numEvents', type: 'int' }, { name: 'numRuns', type: 'int' }, { name: 'currentRun', type: 'int' }, { name: 'longestRun', type: 'int' }] } }],
    ret: { ref: 'A' },
  }],
  make: () => (predicate: boolean, history: Rec) => {
    const numEvents = history.numEvents as number, numRuns = history.numRuns as number;
    const currentRun = history.currentRun as number, longestRun = history.longestRun as number;
    if (numEvents < 0 || numRuns < 0 || currentRun < 0 || longestRun < 0) pfaFail(37000, 'stat.change.updateTrigger', 'counter out of range');
    const out = copyRecord(history);
    if (predicate) {
      // numEvents counts the true evaluations (its field documentation).
      out.numEvents = numEvents + 1;
      if (currentRun === 0) out.numRuns = numRuns + 1;
      out.currentRun = currentRun + 1;
      out.longestRun = Math.max(longestRun, currentRun + 1);
    } else {
      out.currentRun = 0;
    }
    return out;
  },
};

export const zValue: LibFunction = {
  name: 'stat.change.zValue',
  sigs: [
    { params: [{ name: 'x', type: 'double' }, { name: 'meanVariance', type: { type: 'record', label: 'A', fields: [{ name: 'mean', type: 'double' }, { name: 'variance', type: 'double' }] } }], ret: 'double' },
    {
      params: [{ name: 'x', type: 'double' }, { name: 'meanVariance', type: { type: 'record', label: 'A', fields: [{ name: 'count', type: 'double' }, { name: 'mean', type: 'double' }, { name: 'variance', type: 'double' }] } },
        { name: 'unbiased', type: 'boolean' }],
      ret: 'double',
    },
  ],
  make: () => (x: number, mv: Rec, unbiased?: boolean) => {
    const z = (x - (mv.mean as number)) / Math.sqrt(mv.variance as number);
    if (unbiased !== true) return z;
    const count = mv.count as number;
    return z * Math.sqrt(count / (count - 1));
  },
};

export const updateCUSUM: LibFunction = {
  name: 'stat.change.updateCUSUM',
  sigs: [{ params: [{ name: 'logLikelihoodRatio', type: 'double' }, { name: 'last', type: 'double' }, { name: 'reset', type: 'double' }], ret: 'double' }],
  make: () => (llr: number, last: number, reset: number) => {
    const s = llr + last;
    // max{llr + last, reset}: the sum replaces reset only when it is larger (a NaN sum resets).
    return s > reset ? s : reset;
  },
};
