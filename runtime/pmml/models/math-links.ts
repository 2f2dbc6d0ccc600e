// Link and normalization functions shared by the regression-type models
// (RegressionModel normalizationMethod, GeneralRegressionModel linkFunction and
// cumulativeLink): the standard normal CDF, the inverse links that turn a linear
// predictor into a mean or a probability, and softmax/simplemax.
//
// Every function here is pure arithmetic on numbers: no allocation, no imports.

const INV_SQRT_2PI = 0.3989422804014327; // 1 / sqrt(2 pi)

/**
 * Upper tail of the standard normal distribution, Q(a) = 1 - Phi(a), for a >= 0.
 * Below 2.5 the power series of Phi (all terms positive) is used, above it the
 * Laplace continued fraction Q(a) = pdf(a) / (a + 1/(a + 2/(a + 3/(a + ...))))
 * evaluated with the modified Lentz method. Relative error below 1e-13 over the whole
 * range (test/pmml/regression-model.test.ts compares with 30-digit reference values).
 */
function upperTail(a: number): number {
  const pdf = INV_SQRT_2PI * Math.exp(-0.5 * a * a);
  if (pdf === 0) return 0;
  if (a < 2.5) {
    // Phi(a) = 1/2 + pdf(a) * sum_{n>=0} a^(2n+1) / (1*3*5*...*(2n+1))
    const a2 = a * a;
    let term = a;
    let sum = a;
    for (let k = 3; k < 400; k += 2) {
      term *= a2 / k;
      const next = sum + term;
      if (next === sum) break;
      sum = next;
    }
    return 0.5 - pdf * sum;
  }
  const tiny = 1e-300;
  let f = a;
  let c = a;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    d = a + n * d;
    if (d === 0) d = tiny;
    c = a + n / c;
    if (c === 0) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return pdf / f;
}

/** Standard normal cumulative distribution function Phi(x). */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 1;
  if (x === -Infinity) return 0;
  return x < 0 ? upperTail(-x) : 1 - upperTail(x);
}

/** The logistic function 1 / (1 + exp(-x)), computed without overflow for large |x|. */
export function logistic(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** Inverse complementary log-log: 1 - exp(-exp(x)). */
export function invCloglog(x: number): number {
  return -Math.expm1(-Math.exp(x));
}

/** Inverse log-log: exp(-exp(-x)). */
export function invLoglog(x: number): number {
  return Math.exp(-Math.exp(-x));
}

/** Inverse cauchit: 0.5 + atan(x) / pi (the Cauchy CDF). */
export function invCauchit(x: number): number {
  return 0.5 + Math.atan(x) / Math.PI;
}

/** A function of one number (an inverse link or a normalization). */
export type Link = (x: number) => number;

export const identity: Link = (x) => x;

/**
 * The cumulative distribution functions a cumulative link names (ordinal models,
 * RegressionModel probability normalizations): logit, probit, cloglog, loglog, cauchit.
 */
export const CUMULATIVE_LINKS: { readonly [name: string]: Link } = {
  logit: logistic,
  probit: normalCdf,
  cloglog: invCloglog,
  loglog: invLoglog,
  cauchit: invCauchit,
};

/**
 * The inverse of a GeneralRegressionModel linkFunction: the mean mu for a linear predictor eta.
 * `linkParameter` is used by power and oddspower, `distParameter` by negbin; the caller checks
 * that they are present.
 *
 *   link (eta = g(mu))                          inverse (mu = g^-1(eta))
 *   identity   eta = mu                         mu = eta
 *   log        eta = ln(mu)                     mu = exp(eta)
 *   logc       eta = ln(1 - mu)                 mu = 1 - exp(eta)
 *   logit      eta = ln(mu / (1 - mu))          mu = 1 / (1 + exp(-eta))
 *   probit     eta = Phi^-1(mu)                 mu = Phi(eta)
 *   cloglog    eta = ln(-ln(1 - mu))            mu = 1 - exp(-exp(eta))
 *   loglog     eta = -ln(-ln(mu))               mu = exp(-exp(-eta))
 *   negbin     eta = ln(mu / (mu + 1/c))        mu = 1 / (c (exp(-eta) - 1)),   c = distParameter
 *   power      eta = mu^d (d != 0), ln(mu)      mu = eta^(1/d), exp(eta),         d = linkParameter
 *   oddspower  eta = ((mu/(1-mu))^d - 1)/d      mu = (1 + d eta)^(1/d) / (1 + (1 + d eta)^(1/d)),
 *              (d = 0: logit)                   (d = 0: logistic),                d = linkParameter
 */
export function inverseLink(name: string, linkParameter: number, distParameter: number): Link | undefined {
  switch (name) {
    case 'identity':
      return identity;
    case 'log':
      return Math.exp;
    case 'logc':
      return (eta) => -Math.expm1(eta);
    case 'logit':
      return logistic;
    case 'probit':
      return normalCdf;
    case 'cloglog':
      return invCloglog;
    case 'loglog':
      return invLoglog;
    case 'cauchit':
      return invCauchit;
    case 'negbin': {
      const c = distParameter;
      return (eta) => 1 / (c * Math.expm1(-eta));
    }
    case 'power': {
      const d = linkParameter;
      if (d === 0) return Math.exp;
      if (d === 1) return identity;
      const inv = 1 / d;
      return (eta) => Math.pow(eta, inv);
    }
    case 'oddspower': {
      const d = linkParameter;
      if (d === 0) return logistic;
      const inv = 1 / d;
      return (eta) => {
        const odds = Math.pow(1 + d * eta, inv);
        return odds / (1 + odds);
      };
    }
    default:
      return undefined;
  }
}

/**
 * The derivative d mu / d eta of a GeneralRegressionModel inverse link (same names and
 * parameters as inverseLink). The delta method turns the standard error of the linear
 * predictor into that of the mean: se(mu) = |d mu / d eta| * se(eta).
 *
 *   identity 1            log exp(eta)          logc -exp(eta)
 *   logit    mu (1 - mu)  probit pdf(eta)       cloglog exp(eta - exp(eta))
 *   loglog   exp(-eta - exp(-eta))               negbin exp(-eta) / (c (exp(-eta) - 1)^2)
 *   power    eta^(1/d - 1) / d  (d = 0: exp(eta))
 *   oddspower (1 + d eta)^(1/d - 1) / (1 + (1 + d eta)^(1/d))^2  (d = 0: as logit)
 */
export function inverseLinkDerivative(name: string, linkParameter: number, distParameter: number): Link | undefined {
  switch (name) {
    case 'identity':
      return () => 1;
    case 'log':
      return Math.exp;
    case 'logc':
      return (eta) => -Math.exp(eta);
    case 'logit':
      return logisticDerivative;
    case 'probit':
      return (eta) => INV_SQRT_2PI * Math.exp(-0.5 * eta * eta);
    case 'cloglog':
      return (eta) => Math.exp(eta - Math.exp(eta));
    case 'loglog':
      return (eta) => Math.exp(-eta - Math.exp(-eta));
    case 'negbin': {
      const c = distParameter;
      return (eta) => {
        const m = Math.expm1(-eta);
        return Math.exp(-eta) / (c * m * m);
      };
    }
    case 'power': {
      const d = linkParameter;
      if (d === 0) return Math.exp;
      if (d === 1) return () => 1;
      const e = 1 / d - 1;
      return (eta) => Math.pow(eta, e) / d;
    }
    case 'oddspower': {
      const d = linkParameter;
      if (d === 0) return logisticDerivative;
      const inv = 1 / d;
      return (eta) => {
        const base = 1 + d * eta;
        const odds = Math.pow(base, inv);
        return odds / base / ((1 + odds) * (1 + odds));
      };
    }
    default:
      return undefined;
  }
}

/** d/dx logistic(x) = p (1 - p). */
function logisticDerivative(x: number): number {
  const p = logistic(x);
  return p * (1 - p);
}

/** In-place softmax of values[0..n): exp(v_j) / sum_i exp(v_i), shifted by the maximum for stability. */
export function softmaxInPlace(values: Float64Array, n: number): void {
  let max = -Infinity;
  for (let i = 0; i < n; i++) if (values[i] > max) max = values[i];
  if (max === Infinity) {
    // Infinite scores take all the mass, shared equally.
    let count = 0;
    for (let i = 0; i < n; i++) if (values[i] === Infinity) count++;
    for (let i = 0; i < n; i++) values[i] = values[i] === Infinity ? 1 / count : 0;
    return;
  }
  let sum = 0;
  for (let i = 0; i < n; i++) {
    const e = Math.exp(values[i] - max);
    values[i] = e;
    sum += e;
  }
  for (let i = 0; i < n; i++) values[i] /= sum;
}

/** In-place simplemax of values[0..n): v_j / sum_i v_i. */
export function simplemaxInPlace(values: Float64Array, n: number): void {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  for (let i = 0; i < n; i++) values[i] /= sum;
}
