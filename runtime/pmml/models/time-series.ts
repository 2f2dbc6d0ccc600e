// TimeSeriesModel (PMML 4.4): forecasts of a univariate series, h steps after
// its last observation. The element named by bestFit is scored:
//   ExponentialSmoothing  Level, Trend_ExpoSmooth, Seasonality_ExpoSmooth (Gardner's
//                         forecast functions for each trend × seasonality combination)
//   ARIMA                 (p,d,q)(P,D,Q)s with conditional least squares, from the
//                         original TimeSeries and the MA residuals
//   StateSpaceModel       y(h) = intercept + H F^(h-1) s from StateVector s, TransitionMatrix F
//                         and MeasurementMatrix H (see compileStateSpace)
// Refused with PmmlUnsupportedError (MLC3101), each naming its element:
// * SpectralAnalysis, SeasonalTrendDecomposition: PMML 4.4 defines them as empty elements.
// * GARCH: the variance recursion needs past conditional variances the element does not carry.
// * the polynomial_exponential trend: PMML 4.4 lists it but gives no forecast function.
// * ARIMA with exactLeastSquares (MaximumLikelihoodStat), DynamicRegressor or OutlierEffect,
//   and StateSpaceModel with DynamicRegressor: not implemented.
//
// The horizon h is an input: the model's one active MiningField other than the target
// (producers call it `h`), a field named `h` otherwise; without one, h = 1. The
// predicted value is the forecast for step h (null when h is missing or not a whole
// number ≥ 1). Forecasts are computed once per step and kept, so scoring a row costs
// an array read after the first request for that step.
//
// Interpretations (the specification's prose, recorded here):
// * Exponential smoothing, forecast from time t with level S, trend T, damping φ,
//   seasonal index I for the forecast's position in the season:
//     additive: S + hT   damped_additive: S + T·Σ_{i=1..h} φ^i
//     multiplicative: S·T^h   damped_multiplicative: S·T^(Σ_{i=1..h} φ^i)
//     additive seasonality adds I, multiplicative seasonality multiplies by I.
//   The seasonal Array holds one index per position of the period. `phase` is the
//   1-based position in the Array of the index that belongs to the last observation
//   (default: period, the Array ends with the last observation), so step h uses
//   Array[(phase - 1 + h) mod period].
// * ARIMA: with φ(B), Φ(B^s) the AR polynomials (1 - Σ φ_i B^i), θ(B), Θ(B^s) the MA
//   polynomials (1 + Σ θ_j B^j) and w_t = (1-B)^d (1-B^s)^D y_t,
//     φ(B)Φ(B^s)(w_t - μ) = θ(B)Θ(B^s) a_t,   μ = constantTerm
//   (the constant is the mean of the differenced series, as R and SPSS state it).
//   Conditional least squares: past innovations a_t are the Residuals (the last ones,
//   oldest first; 0 before them), future ones are 0. standardError is
//   RMSE·sqrt(Σ_{j<h} ψ_j²) with ψ the MA(∞) weights of the integrated model.
// * transformation logarithmic/squareroot: the model describes log(y) / sqrt(y); the
//   original TimeSeries values are transformed before use and forecasts are
//   transformed back (exp, square).

import { attr, child, childPath, children, enumAttr, fail, intAttr, numAttr, numberArray, optNumAttr, requireChild, unsupported } from '../el.js';
import type { El, Env, ModelCompiler, ModelContext, ModelResult } from '../types.js';
import { toNumber } from '../values.js';
import { parseMatrix } from './measures.js';

/** Forecasts further ahead than this are refused (the per-step cache would grow without bound). */
const MAX_HORIZON = 100_000;

type Transformation = 'none' | 'logarithmic' | 'squareroot';

/** Forecast and its standard error for step h ≥ 1 (standard error NaN when unknown). */
interface Forecaster {
  forecast(h: number): number;
  standardError(h: number): number;
}

export const timeSeriesModel: ModelCompiler = {
  element: 'TimeSeriesModel',
  compile(el, ctx) {
    const bestFit = attr(el, 'bestFit', ctx.path);
    let forecaster: Forecaster;
    switch (bestFit) {
      case 'ExponentialSmoothing': {
        const es = requireChild(el, 'ExponentialSmoothing', ctx.path);
        forecaster = compileExponentialSmoothing(es, childPath(ctx.path, el, es));
        break;
      }
      case 'ARIMA': {
        const ar = requireChild(el, 'ARIMA', ctx.path);
        forecaster = compileArima(ar, childPath(ctx.path, el, ar), el, ctx.path, ctx.target?.name);
        break;
      }
      case 'StateSpaceModel': {
        const ss = requireChild(el, 'StateSpaceModel', ctx.path);
        forecaster = compileStateSpace(ss, childPath(ctx.path, el, ss));
        break;
      }
      case 'GARCH': {
        const g = child(el, 'GARCH');
        return unsupported(g ? childPath(ctx.path, el, g) : ctx.path, 'GARCH time series models are not supported: their variance recursion ' +
          'sigma²_t = constant + Σ a_i e²_(t-i) + Σ b_j sigma²_(t-j) needs the past conditional variances, which PMML 4.4 does not store ' +
          '(GARCHPart holds only the coefficients), so the forecasts cannot be computed from the document');
      }
      case 'SpectralAnalysis':
      case 'SeasonalTrendDecomposition':
        return unsupported(ctx.path, `bestFit="${bestFit}": PMML 4.4 defines <${bestFit}> as an empty element ("planned for later versions"), so it holds nothing to forecast from ` +
          '(ExponentialSmoothing, ARIMA and StateSpaceModel are supported)');
      default:
        return fail(ctx.path, `bestFit="${bestFit}" is not a PMML time series algorithm`);
    }
    const horizon = horizonReader(ctx);
    const cache = new ForecastCache(forecaster);
    return (env: Env): ModelResult => {
      const h = horizon(env);
      if (h === null) return { value: null };
      if (!Number.isInteger(h) || h < 1) return { value: null, warnings: [`forecast horizon ${h} is not a whole number of steps ≥ 1`] };
      if (h > MAX_HORIZON) return { value: null, warnings: [`forecast horizon ${h} exceeds the limit of ${MAX_HORIZON} steps`] };
      const value = cache.forecast(h);
      const se = cache.standardError(h);
      return Number.isNaN(se) ? { value } : { value, standardError: se };
    };
  },
};

/** Memoises forecasts per step: computed on first request, then read. */
class ForecastCache {
  private values = new Float64Array(16);
  private errors = new Float64Array(16);
  private known = 0;
  constructor(private readonly f: Forecaster) {}
  private fill(h: number): void {
    if (h <= this.known) return;
    if (h > this.values.length) {
      let size = this.values.length;
      while (size < h) size *= 2;
      const v = new Float64Array(size);
      v.set(this.values);
      const e = new Float64Array(size);
      e.set(this.errors);
      this.values = v;
      this.errors = e;
    }
    for (let k = this.known + 1; k <= h; k++) {
      this.values[k - 1] = this.f.forecast(k);
      this.errors[k - 1] = this.f.standardError(k);
    }
    this.known = h;
  }
  forecast(h: number): number {
    this.fill(h);
    return this.values[h - 1];
  }
  standardError(h: number): number {
    this.fill(h);
    return this.errors[h - 1];
  }
}

/**
 * Where the horizon comes from: the one active field that is not the target; with several,
 * the one named `h`; with none, a visible field named `h`; otherwise a constant 1.
 */
function horizonReader(ctx: ModelContext): (env: Env) => number | null {
  const targetName = ctx.target?.name;
  const candidates = ctx.activeFields.filter((f) => f.name !== targetName);
  let name: string | undefined;
  if (candidates.length === 1) name = candidates[0].name;
  else if (candidates.length > 1) {
    name = candidates.find((f) => f.name === 'h')?.name;
    if (name === undefined) {
      return unsupported(ctx.path, `the MiningSchema has ${candidates.length} active fields (${candidates.map((f) => f.name).join(', ')}); ` +
        'a time series model reads one, the forecast horizon (dynamic regressors are not supported)');
    }
  } else if (ctx.scope.has('h')) name = 'h';
  if (name === undefined) return () => 1;
  const field = ctx.scope.resolve(name, ctx.path);
  return (env) => {
    const v = field.get(env);
    return v === null ? null : toNumber(v);
  };
}

function transformationOf(el: El, path: string): Transformation {
  return enumAttr(el, 'transformation', ['none', 'logarithmic', 'squareroot'] as const, 'none', path);
}

function forward(t: Transformation, y: number): number {
  return t === 'logarithmic' ? Math.log(y) : t === 'squareroot' ? Math.sqrt(y) : y;
}

function backward(t: Transformation, y: number): number {
  return t === 'logarithmic' ? Math.exp(y) : t === 'squareroot' ? y * y : y;
}

// ---------------------------------------------------------------------------
// Exponential smoothing

function compileExponentialSmoothing(es: El, path: string): Forecaster {
  const transformation = transformationOf(es, path);
  const levelEl = requireChild(es, 'Level', path);
  const levelPath = childPath(path, es, levelEl);
  const level = optNumAttr(levelEl, 'smoothedValue', levelPath) ?? fail(levelPath, '<Level> needs smoothedValue (the level at the last observation) to forecast');

  const trendEl = child(es, 'Trend_ExpoSmooth');
  let trendKind: 'none' | 'additive' | 'damped_additive' | 'multiplicative' | 'damped_multiplicative' = 'none';
  let trend = 0;
  let phi = 1;
  if (trendEl) {
    const tp = childPath(path, es, trendEl);
    const kind = enumAttr(trendEl, 'trend', ['additive', 'damped_additive', 'multiplicative', 'damped_multiplicative', 'polynomial_exponential'] as const, 'additive', tp);
    if (kind === 'polynomial_exponential') {
      unsupported(tp, 'trend="polynomial_exponential" is not supported: PMML 4.4 lists the value and allows an Array in <Trend_ExpoSmooth>, ' +
        'but defines no forecast function for it (neither how the Array combines with the level nor over which time index), ' +
        'unlike additive, damped_additive, multiplicative and damped_multiplicative');
    }
    trendKind = kind;
    trend = optNumAttr(trendEl, 'smoothedValue', tp) ?? fail(tp, '<Trend_ExpoSmooth> needs smoothedValue (the trend at the last observation) to forecast');
    phi = numAttr(trendEl, 'phi', tp, 1);
  }

  const seasonEl = child(es, 'Seasonality_ExpoSmooth');
  let seasonKind: 'none' | 'additive' | 'multiplicative' = 'none';
  let indices: Float64Array = new Float64Array(0);
  let phase = 0;
  if (seasonEl) {
    const sp = childPath(path, es, seasonEl);
    seasonKind = enumAttr(seasonEl, 'type', ['additive', 'multiplicative'] as const, undefined, sp);
    const period = intAttr(seasonEl, 'period', sp);
    if (period < 1) fail(sp, `period="${period}" must be at least 1`);
    const arr = seasonEl.c.find((c) => c.n === 'Array' || c.n === 'REAL-SparseArray' || c.n === 'INT-SparseArray') ?? fail(sp, '<Seasonality_ExpoSmooth> needs an <Array> of seasonal indices');
    const values = numberArray(arr, childPath(sp, seasonEl, arr));
    if (values.length !== period) fail(sp, `the seasonal Array has ${values.length} entries; period="${period}" needs ${period}`);
    indices = Float64Array.from(values);
    phase = intAttr(seasonEl, 'phase', sp, period);
    if (phase < 1 || phase > period) fail(sp, `phase="${phase}" must lie in 1..${period}`);
  }

  const dampedSum = (h: number): number => {
    // Σ_{i=1..h} φ^i
    if (phi === 1) return h;
    return (phi * (1 - Math.pow(phi, h))) / (1 - phi);
  };

  return {
    forecast(h) {
      let y: number;
      switch (trendKind) {
        case 'none': y = level; break;
        case 'additive': y = level + h * trend; break;
        case 'damped_additive': y = level + trend * dampedSum(h); break;
        case 'multiplicative': y = level * Math.pow(trend, h); break;
        case 'damped_multiplicative': y = level * Math.pow(trend, dampedSum(h)); break;
      }
      if (seasonKind !== 'none') {
        const p = indices.length;
        const season = indices[(phase - 1 + h) % p];
        y = seasonKind === 'additive' ? y + season : y * season;
      }
      return backward(transformation, y);
    },
    standardError: () => NaN,
  };
}

// ---------------------------------------------------------------------------
// ARIMA

/** Multiplies two polynomials given as coefficient arrays (index = power of B). */
function polyMul(a: readonly number[], b: readonly number[]): number[] {
  const out = new Array<number>(a.length + b.length - 1).fill(0);
  for (let i = 0; i < a.length; i++) {
    if (a[i] === 0) continue;
    for (let j = 0; j < b.length; j++) out[i + j] += a[i] * b[j];
  }
  return out;
}

/** 1 + sign·Σ c_i B^(i·step) as a coefficient array. */
function lagPoly(coefs: readonly number[], step: number, sign: 1 | -1): number[] {
  const out = new Array<number>(coefs.length * step + 1).fill(0);
  out[0] = 1;
  coefs.forEach((c, i) => {
    out[(i + 1) * step] = sign * c;
  });
  return out;
}

/** (1 - B^step)^times as a coefficient array. */
function differencePoly(step: number, times: number): number[] {
  let out = [1];
  const one = new Array<number>(step + 1).fill(0);
  one[0] = 1;
  one[step] = -1;
  for (let k = 0; k < times; k++) out = polyMul(out, one);
  return out;
}

interface ArmaPart {
  ar: number[];
  ma: number[];
  residuals: number[] | null;
  d: number;
}

function readArmaPart(comp: El, path: string, orders: { p: string; d: string; q: string }): ArmaPart {
  const p = intAttr(comp, orders.p, path, 0);
  const d = intAttr(comp, orders.d, path, 0);
  const q = intAttr(comp, orders.q, path, 0);
  if (p < 0 || d < 0 || q < 0) fail(path, 'ARIMA orders must not be negative');
  let ar: number[] = [];
  const arEl = child(comp, 'AR');
  if (arEl) {
    const ap = childPath(path, comp, arEl);
    const arr = arEl.c.find((c) => c.n === 'Array' || c.n === 'REAL-SparseArray') ?? fail(ap, '<AR> needs an <Array> of coefficients');
    ar = numberArray(arr, ap);
  }
  if (ar.length !== p) fail(path, `${orders.p}="${p}" but the AR Array has ${ar.length} coefficients`);
  let ma: number[] = [];
  let residuals: number[] | null = null;
  const maEl = child(comp, 'MA');
  if (maEl) {
    const mp = childPath(path, comp, maEl);
    const coefEl = child(maEl, 'MACoefficients');
    if (coefEl) {
      const arr = coefEl.c.find((c) => c.n === 'Array' || c.n === 'REAL-SparseArray') ?? fail(mp, '<MACoefficients> needs an <Array>');
      ma = numberArray(arr, childPath(mp, maEl, coefEl));
    }
    const resEl = child(maEl, 'Residuals');
    if (resEl) {
      const arr = resEl.c.find((c) => c.n === 'Array' || c.n === 'REAL-SparseArray') ?? fail(mp, '<Residuals> needs an <Array>');
      residuals = numberArray(arr, childPath(mp, maEl, resEl));
    }
  }
  if (ma.length !== q) fail(path, `${orders.q}="${q}" but the MA coefficients Array has ${ma.length} entries`);
  return { ar, ma, residuals, d };
}

/** The values of the model's original TimeSeries (the target's, when several name their field), in time order. */
function originalSeries(model: El, modelPath: string, target: string | undefined): number[] {
  const series = children(model, 'TimeSeries').filter((t) => (t.a.usage ?? 'original') === 'original');
  if (series.length === 0) fail(modelPath, 'ARIMA forecasting needs the observed values: a <TimeSeries usage="original">');
  const ts = series.find((t) => t.a.field !== undefined && t.a.field === target) ?? series[0];
  const tsPath = childPath(modelPath, model, ts);
  const points = children(ts, 'TimeValue').map((tv, i) => {
    const p = childPath(tsPath, ts, tv);
    const index = optNumAttr(tv, 'index', p);
    const time = optNumAttr(tv, 'time', p);
    return { order: index ?? time ?? i, seq: i, value: numAttr(tv, 'value', p) };
  });
  points.sort((a, b) => a.order - b.order || a.seq - b.seq);
  return points.map((p) => p.value);
}

function compileArima(arima: El, path: string, model: El, modelPath: string, target: string | undefined): Forecaster {
  const transformation = transformationOf(arima, path);
  const method = enumAttr(arima, 'predictionMethod', ['conditionalLeastSquares', 'exactLeastSquares'] as const, 'conditionalLeastSquares', path);
  if (method === 'exactLeastSquares') {
    unsupported(path, 'predictionMethod="exactLeastSquares" is not supported: forecasting from the MaximumLikelihoodStat state ' +
      '(KalmanState or ThetaRecursionState) is not implemented; conditionalLeastSquares is');
  }
  const dyn = child(arima, 'DynamicRegressor');
  if (dyn) unsupported(childPath(path, arima, dyn), 'ARIMA with DynamicRegressor (transfer functions) is not supported');
  const outlier = child(arima, 'OutlierEffect');
  if (outlier) unsupported(childPath(path, arima, outlier), 'ARIMA with OutlierEffect is not supported');
  const mu = numAttr(arima, 'constantTerm', path, 0);
  const rmse = optNumAttr(arima, 'RMSE', path);

  const nsEl = child(arima, 'NonseasonalComponent');
  const ns: ArmaPart = nsEl
    ? readArmaPart(nsEl, childPath(path, arima, nsEl), { p: 'p', d: 'd', q: 'q' })
    : { ar: [], ma: [], residuals: null, d: 0 };
  const sEl = child(arima, 'SeasonalComponent');
  let seasonal: ArmaPart = { ar: [], ma: [], residuals: null, d: 0 };
  let period = 1;
  if (sEl) {
    const sp = childPath(path, arima, sEl);
    seasonal = readArmaPart(sEl, sp, { p: 'P', d: 'D', q: 'Q' });
    period = intAttr(sEl, 'period', sp);
    if (period < 1) fail(sp, `period="${period}" must be at least 1`);
  }

  // φ(B)Φ(B^s) = 1 - Σ a_k B^k
  const arPoly = polyMul(lagPoly(ns.ar, 1, -1), lagPoly(seasonal.ar, period, -1));
  // θ(B)Θ(B^s) = 1 + Σ m_k B^k
  const maPoly = polyMul(lagPoly(ns.ma, 1, 1), lagPoly(seasonal.ma, period, 1));
  // Full AR side with differencing: φ(B)Φ(B^s)(1-B)^d(1-B^s)^D = 1 - Σ c_k B^k
  const fullPoly = polyMul(arPoly, polyMul(differencePoly(1, ns.d), differencePoly(period, seasonal.d)));
  const c = fullPoly.map((v) => -v); // c[k] for k ≥ 1
  const m = maPoly;
  // φ(1)Φ(1)·μ: the constant of the equation in y.
  const arAtOne = arPoly.reduce((s, v) => s + v, 0);
  const constant = arAtOne * mu;

  const history = originalSeries(model, modelPath, target).map((y) => forward(transformation, y));
  const maxLag = fullPoly.length - 1;
  if (history.length < maxLag) {
    fail(modelPath, `ARIMA needs at least ${maxLag} observed values in the original TimeSeries; it has ${history.length}`);
  }
  if (history.some((v) => !Number.isFinite(v))) fail(modelPath, 'the original TimeSeries has values that the transformation cannot take (log or square root of a negative value or zero)');
  // Residuals: the longest Residuals array, aligned so that its last entry belongs to the last observation.
  let residuals: number[] = [];
  for (const r of [ns.residuals, seasonal.residuals]) if (r && r.length > residuals.length) residuals = r;

  // Forecasts in the transformed scale, extended as needed: y[n-1+h].
  const n = history.length;
  const y: number[] = history.slice();
  const e = (t: number): number => {
    // innovation at time index t (0-based in y); future ones are 0
    if (t >= n) return 0;
    const k = n - 1 - t; // 0 = last observation
    return k < residuals.length ? residuals[residuals.length - 1 - k] : 0;
  };
  const extend = (upto: number): void => {
    for (let t = y.length; t <= upto; t++) {
      let v = constant;
      for (let k = 1; k < c.length; k++) v += c[k] * y[t - k];
      for (let k = 1; k < m.length; k++) v += m[k] * e(t - k);
      y.push(v);
    }
  };

  // ψ weights: ψ_0 = 1, ψ_j = m_j + Σ_{k=1..min(j,maxLag)} c_k ψ_{j-k}
  const psi: number[] = [1];
  const psiSquares: number[] = [1]; // running Σ_{j<h} ψ_j²
  const extendPsi = (h: number): void => {
    for (let j = psi.length; j < h; j++) {
      let v = j < m.length ? m[j] : 0;
      for (let k = 1; k <= Math.min(j, c.length - 1); k++) v += c[k] * psi[j - k];
      psi.push(v);
      psiSquares.push(psiSquares[j - 1] + v * v);
    }
  };

  return {
    forecast(h) {
      extend(n - 1 + h);
      return backward(transformation, y[n - 1 + h]);
    },
    standardError(h) {
      if (rmse === undefined || transformation !== 'none') return NaN;
      extendPsi(h);
      return rmse * Math.sqrt(psiSquares[h - 1]);
    },
  };
}

// ---------------------------------------------------------------------------
// State space

/**
 * StateSpaceModel: the measurement equation y_t = intercept + H s_t with the state moving by
 * s_(t+1) = F s_t (the innovations' expectation is 0 for every future step). StateVector is
 * the state of the first forecast step, so
 *   y(h) = intercept + H F^(h-1) s.
 * That is the state the R pmml package (the producer of StateSpaceModel documents) writes:
 * T·a, the filtered last state a advanced one step by the transition matrix, so that
 * forecasts match R's KalmanForecast. `intercept` is the attribute, or (PMML 4.4.1 producers)
 * an <InterceptVector type="observation"> of one entry. The standard error is not given: the
 * PsiVector and variance the element may carry do not say which lags the weights start from.
 */
function compileStateSpace(ss: El, path: string): Forecaster {
  const dyn = child(ss, 'DynamicRegressor');
  if (dyn) unsupported(childPath(path, ss, dyn), 'StateSpaceModel with DynamicRegressor (regression effects) is not supported');
  const svEl = requireChild(ss, 'StateVector', path);
  const svPath = childPath(path, ss, svEl);
  const svArr = svEl.c.find((c) => c.n === 'Array' || c.n === 'REAL-SparseArray' || c.n === 'INT-SparseArray') ?? fail(svPath, '<StateVector> needs an <Array>');
  const state = Float64Array.from(numberArray(svArr, childPath(svPath, svEl, svArr)));
  const n = state.length;
  if (n === 0) fail(svPath, 'the state vector is empty');
  const matrix = (name: string, rows: number): Float64Array => {
    const mEl = requireChild(ss, name, path);
    const mp = childPath(path, ss, mEl);
    const inner = requireChild(mEl, 'Matrix', mp);
    const ip = childPath(mp, mEl, inner);
    const m = parseMatrix(inner, ip);
    if (m.rows !== rows || m.cols !== n) fail(ip, `<${name}> must be ${rows}×${n} for a state vector of ${n} entries; it is ${m.rows}×${m.cols}`);
    if (m.values.some((v) => Number.isNaN(v))) fail(ip, `<${name}> leaves entries undefined (MatCell without diagDefault/offDiagDefault)`);
    return m.values;
  };
  const F = matrix('TransitionMatrix', n);
  const H = matrix('MeasurementMatrix', 1);
  let intercept = numAttr(ss, 'intercept', path, 0);
  const ivEl = child(ss, 'InterceptVector');
  if (ivEl) {
    const ip = childPath(path, ss, ivEl);
    const type = ivEl.a.type ?? 'observation';
    if (type !== 'observation') unsupported(ip, `InterceptVector type="${type}" is not supported (observation is)`);
    const arr = ivEl.c.find((c) => c.n === 'Array' || c.n === 'REAL-SparseArray') ?? fail(ip, '<InterceptVector> needs an <Array>');
    const values = numberArray(arr, childPath(ip, ivEl, arr));
    if (values.length !== 1) fail(ip, `a univariate series has one observation intercept; the Array has ${values.length}`);
    if (ss.a.intercept !== undefined && values[0] !== intercept) fail(ip, `intercept="${intercept}" and the InterceptVector (${values[0]}) disagree`);
    intercept = values[0];
  }

  // s_k is the state of step k; forecasts are requested step by step (ForecastCache), so
  // the current state is advanced in place and restarted only if an earlier step is asked.
  let current = Float64Array.from(state);
  let next = new Float64Array(n);
  let step = 1;
  return {
    forecast(h) {
      if (h < step) {
        current = Float64Array.from(state);
        step = 1;
      }
      for (; step < h; step++) {
        for (let r = 0; r < n; r++) {
          let v = 0;
          for (let c = 0; c < n; c++) v += F[r * n + c] * current[c];
          next[r] = v;
        }
        const t = current;
        current = next;
        next = t;
      }
      let y = intercept;
      for (let c = 0; c < n; c++) y += H[c] * current[c];
      return y;
    },
    standardError: () => NaN,
  };
}
