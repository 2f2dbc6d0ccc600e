// Numerical core of the PFA "prob.dist" family (specification §24): the normal
// distribution function and its inverse, the regularized incomplete gamma and beta
// functions, and root finding for quantile functions. Also used by stat.test.chi2Prob.
//
// Methods (textbook, derived from the defining series and continued fractions):
//   Φ(z)        = ½·erfc(−z/√2), with erfc from m.special (accurate in both tails);
//   Φ⁻¹(p)      — the rational starting approximation of Abramowitz & Stegun 26.2.23
//                 (|error| < 4.5e-4), then Halley steps on Φ(x) − p, computed on the
//                 lower tail so that small probabilities keep full relative precision;
//   P(a, x)     — regularized lower incomplete gamma: the power series
//                 γ(a,x) = x^a e^{−x} Σ x^n / (a(a+1)…(a+n)) for x < a + 1, otherwise
//                 the Legendre continued fraction for Γ(a,x) (modified Lentz);
//   I_x(a, b)   — regularized incomplete beta: the continued fraction of
//                 x^a (1−x)^b / (a B(a,b)) · 1/(1+ d1/(1+ d2/(1+ …))) on the side of
//                 the mean where it converges fast, with I_x(a,b) = 1 − I_{1−x}(b,a);
//   quantiles   — bracketing then bisection of a monotone distribution function down
//                 to adjacent doubles (geometric bisection over wide positive ranges).

import { erfcValue, lnBetaValue, lnGammaValue } from './m-special.js';

const EPS = 1e-16;
const TINY = 1e-300;
const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

export { lnBetaValue, lnGammaValue };

/** Standard normal distribution function Φ(z). */
export function normalCdf(z: number): number {
  return 0.5 * erfcValue(-z / Math.SQRT2);
}

/** Standard normal survival function 1 − Φ(z), without cancellation. */
export function normalSf(z: number): number {
  return 0.5 * erfcValue(z / Math.SQRT2);
}

/** ln φ(z) of the standard normal density. */
export function normalLogPdf(z: number): number {
  return -0.5 * z * z - LN_SQRT_2PI;
}

/** Φ⁻¹(q) for 0 < q ≤ ½ (a non-positive quantile). */
function lowerNormalQuantile(q: number): number {
  const t = Math.sqrt(-2 * Math.log(q));
  // Abramowitz & Stegun 26.2.23.
  let x = -(t - (2.515517 + t * (0.802853 + t * 0.010328)) / (1 + t * (1.432788 + t * (0.189269 + t * 0.001308))));
  for (let i = 0; i < 8; i++) {
    const density = Math.exp(normalLogPdf(x));
    if (density === 0) break;
    const f = normalCdf(x) - q;
    const dx = f / density;
    // Halley: f'' / f' = −x for the normal density.
    const step = dx / (1 + (x * dx) / 2);
    x -= step;
    if (Math.abs(step) <= 1e-15 * Math.max(1, Math.abs(x))) break;
  }
  return x;
}

/** Φ⁻¹(p) for 0 ≤ p ≤ 1 (±∞ at the ends). */
export function normalQuantile(p: number): number {
  if (Number.isNaN(p)) return NaN;
  if (p <= 0) return -Infinity;
  if (p >= 1) return Infinity;
  if (p === 0.5) return 0;
  // 1 − p is exact for p ≥ ½ (Sterbenz).
  return p < 0.5 ? lowerNormalQuantile(p) : -lowerNormalQuantile(1 - p);
}

// ---------------------------------------------------------------------------
// Incomplete gamma.

/** ln(x^a e^{−x} / Γ(a)), the common factor of the incomplete gamma expansions. */
function gammaPrefactorLog(a: number, x: number): number {
  return a * Math.log(x) - x - lnGammaValue(a);
}

/** P(a, x) by the power series (x < a + 1). */
function gammaSeries(a: number, x: number): number {
  let term = 1 / a, sum = term;
  for (let n = 1; n < 100000; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) break;
  }
  return sum * Math.exp(gammaPrefactorLog(a, x));
}

/** Q(a, x) by the continued fraction (x ≥ a + 1). */
function gammaFraction(a: number, x: number): number {
  // Γ(a,x) e^{x} x^{−a} = 1/(x+1−a− 1(1−a)/(x+3−a− 2(2−a)/(x+5−a− …)))
  let b = x + 1 - a, c = 1 / TINY, d = 1 / b, h = d;
  for (let n = 1; n < 100000; n++) {
    const an = -n * (n - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(gammaPrefactorLog(a, x)) * h;
}

/** Regularized lower incomplete gamma P(a, x), a > 0. */
export function regGammaP(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x)) return NaN;
  if (x <= 0) return 0;
  if (x === Infinity) return 1;
  return x < a + 1 ? gammaSeries(a, x) : 1 - gammaFraction(a, x);
}

/** Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x), a > 0. */
export function regGammaQ(a: number, x: number): number {
  if (Number.isNaN(a) || Number.isNaN(x)) return NaN;
  if (x <= 0) return 1;
  if (x === Infinity) return 0;
  return x < a + 1 ? 1 - gammaSeries(a, x) : gammaFraction(a, x);
}

// ---------------------------------------------------------------------------
// Incomplete beta.

/** The continued fraction of I_x(a, b) (converges fast for x < (a+1)/(a+b+2)). */
function betaFraction(a: number, b: number, x: number): number {
  const qab = a + b, qap = a + 1, qam = a - 1;
  let c = 1, d = 1 - (qab * x) / qap;
  if (Math.abs(d) < TINY) d = TINY;
  d = 1 / d;
  let h = d;
  for (let m = 1; m < 100000; m++) {
    const m2 = 2 * m;
    // Even step: d_{2m} = m(b−m)x / ((a+2m−1)(a+2m)).
    let aa = (m * (b - m) * x) / ((qam + m2) * (a + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    h *= d * c;
    // Odd step: d_{2m+1} = −(a+m)(a+b+m)x / ((a+2m)(a+2m+1)).
    aa = (-(a + m) * (qab + m) * x) / ((a + m2) * (qap + m2));
    d = 1 + aa * d;
    if (Math.abs(d) < TINY) d = TINY;
    c = 1 + aa / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return h;
}

/** ln(x^a (1−x)^b / B(a, b)). */
function betaPrefactorLog(a: number, b: number, x: number): number {
  return a * Math.log(x) + b * Math.log1p(-x) - lnBetaValue(a, b);
}

/** Regularized incomplete beta I_x(a, b), a, b > 0. */
export function regBeta(x: number, a: number, b: number): number {
  if (Number.isNaN(x) || Number.isNaN(a) || Number.isNaN(b)) return NaN;
  if (x <= 0) return 0;
  if (x >= 1) return 1;
  if (x < (a + 1) / (a + b + 2)) return (Math.exp(betaPrefactorLog(a, b, x)) * betaFraction(a, b, x)) / a;
  return 1 - (Math.exp(betaPrefactorLog(a, b, x)) * betaFraction(b, a, 1 - x)) / b;
}

/** 1 − I_x(a, b) = I_{1−x}(b, a) without forming 1 − x when x is small. */
export function regBetaComplement(x: number, a: number, b: number): number {
  if (Number.isNaN(x) || Number.isNaN(a) || Number.isNaN(b)) return NaN;
  if (x <= 0) return 1;
  if (x >= 1) return 0;
  if (x < (a + 1) / (a + b + 2)) return 1 - (Math.exp(betaPrefactorLog(a, b, x)) * betaFraction(a, b, x)) / a;
  return (Math.exp(betaPrefactorLog(a, b, x)) * betaFraction(b, a, 1 - x)) / b;
}

// ---------------------------------------------------------------------------
// Root finding for quantile functions.

/**
 * The x in [lo, hi] where a monotone function crosses `target`: `increasing` tells the
 * direction. Infinite bounds are first replaced by a finite bracket (doubling away
 * from `start`). The result is refined until the bracket holds adjacent doubles.
 */
export function invertMonotone(f: (x: number) => number, target: number, lo: number, hi: number, increasing: boolean, start = 1): number {
  const below = (x: number): boolean => (increasing ? f(x) < target : f(x) > target);
  // Finite bracket.
  if (hi === Infinity) {
    let step = Math.max(Math.abs(start), 1);
    let x = Math.max(lo, start);
    while (below(x)) {
      lo = x;
      x += step;
      step *= 2;
      if (!Number.isFinite(x)) return Infinity;
    }
    hi = x;
  }
  if (lo === -Infinity) {
    let step = Math.max(Math.abs(start), 1);
    let x = Math.min(hi, start);
    while (!below(x)) {
      hi = x;
      x -= step;
      step *= 2;
      if (!Number.isFinite(x)) return -Infinity;
    }
    lo = x;
  }
  for (let i = 0; i < 3000; i++) {
    // Geometric bisection over wide positive brackets, arithmetic otherwise.
    const mid = lo > 0 && hi / lo > 4 ? Math.sqrt(lo) * Math.sqrt(hi) : lo + (hi - lo) / 2;
    if (mid <= lo || mid >= hi) break;
    if (below(mid)) lo = mid;
    else hi = mid;
  }
  return hi;
}

/** The chi-squared distribution function (dof ≥ 0; dof = 0 is a point mass at 0). */
export function chi2Cdf(x: number, dof: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x < 0) return 0;
  if (dof === 0) return 1;
  return regGammaP(dof / 2, x / 2);
}
