// PFA library, family "m.special" (specification §9.4): error functions, log-gamma,
// log-beta and the binomial coefficient.
//
// Numerical methods (all derived from the defining series, no tabulated fits):
//   erf   — for |x| < 3 the everywhere-positive series
//           erf(x) = 2x/√π · e^{-x²} · Σ_n (2x²)^n / (1·3·…·(2n+1));
//   erfc  — for x ≥ 2 the Laplace continued fraction
//           erfc(x) = e^{-x²}/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + …)))),
//           evaluated with the modified Lentz method; elsewhere 1 − erf(x);
//   lnΓ   — Stirling's asymptotic series with Bernoulli-number coefficients for x ≥ 15,
//           and the recurrence Γ(x+1) = xΓ(x) to shift smaller arguments up.

import { pfaFail, type LibFunction } from '../types.js';
import { INT_MAX } from '../values.js';

const SQRT_PI = Math.sqrt(Math.PI);
const HALF_LN_2PI = 0.5 * Math.log(2 * Math.PI);

/** erf by the positive series (accurate for |x| below about 3). */
function erfSeries(x: number): number {
  const x2 = x * x, twoX2 = 2 * x2;
  let term = 1, sum = 1;
  for (let n = 1; n < 500; n++) {
    term *= twoX2 / (2 * n + 1);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return ((2 * x) / SQRT_PI) * Math.exp(-x2) * sum;
}

/** erfc by the continued fraction (x ≥ 2). */
function erfcFraction(x: number): number {
  if (x === Infinity) return 0;
  const tiny = 1e-300;
  // f = x + a1/(x + a2/(x + ...)), a_n = n/2 (modified Lentz).
  let f = x, c = x, d = 0;
  for (let n = 1; n < 5000; n++) {
    const a = n / 2;
    d = x + a * d;
    if (Math.abs(d) < tiny) d = tiny;
    c = x + a / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / (SQRT_PI * f);
}

export function erfValue(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const a = Math.abs(x);
  if (a < 3) return erfSeries(x);
  const r = 1 - erfcFraction(a);
  return x < 0 ? -r : r;
}

export function erfcValue(x: number): number {
  if (Number.isNaN(x)) return NaN;
  return x < 2 ? 1 - erfValue(x) : erfcFraction(x);
}

/** lnΓ(x) − [(x − ½)ln x − x + ½ln 2π] for x ≥ 15 (Stirling's series, error < 1e-17). */
function stirlingCorrection(x: number): number {
  const r = 1 / x, r2 = r * r;
  // Σ B_{2k} / (2k(2k−1) x^{2k−1}), k = 1..7
  return r * (1 / 12 + r2 * (-1 / 360 + r2 * (1 / 1260 + r2 * (-1 / 1680 + r2 * (1 / 1188 + r2 * (-691 / 360360 + r2 * (1 / 156)))))));
}

const STIRLING_MIN = 15;

/** ln Γ(x) for x > 0 (NaN for x ≤ 0 and NaN, +∞ for +∞). */
export function lnGammaValue(x: number): number {
  if (!(x > 0)) return NaN;
  if (x === Infinity) return Infinity;
  let shift = 0;
  if (x < STIRLING_MIN) {
    // Γ(x) = Γ(x + n) / (x (x+1) … (x+n−1))
    let prod = 1;
    while (x < STIRLING_MIN) {
      prod *= x;
      x += 1;
    }
    shift = Math.log(prod);
  }
  return (x - 0.5) * Math.log(x) - x + HALF_LN_2PI + stirlingCorrection(x) - shift;
}

/** ln B(a, b) for a, b > 0. */
export function lnBetaValue(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return NaN;
  if (a === Infinity || b === Infinity) return -Infinity;
  if (a < b) [a, b] = [b, a]; // a ≥ b
  if (a >= STIRLING_MIN) {
    // lnΓ(a) − lnΓ(a+b) through Stirling's form, without the cancellation of two large logs:
    // (a−½)ln a − (a+b−½)ln(a+b) + b = −(a−½)·ln1p(b/a) − b·ln(a+b) + b
    const s = a + b;
    const diff = -(a - 0.5) * Math.log1p(b / a) - b * Math.log(s) + b + stirlingCorrection(a) - stirlingCorrection(s);
    return lnGammaValue(b) + diff;
  }
  return lnGammaValue(a) + lnGammaValue(b) - lnGammaValue(a + b);
}

const D1 = [{ params: [{ name: 'x', type: 'double' }], ret: 'double' }];

export const nChooseK: LibFunction = {
  name: 'm.special.nChooseK',
  sigs: [{ params: [{ name: 'n', type: 'int' }, { name: 'k', type: 'int' }], ret: 'int' }],
  make: () => (n: number, k: number) => {
    if (k <= 0 || k >= n) pfaFail(36000, 'm.special.nChooseK', 'domain error');
    const kk = Math.min(k, n - k);
    const big = BigInt(INT_MAX);
    let r = 1n;
    // C(n, i) grows with i up to n/2: once it exceeds the int range, so does the result.
    for (let i = 1; i <= kk; i++) {
      r = (r * BigInt(n - kk + i)) / BigInt(i);
      // No overflow code is documented: a result that is not an int is outside the domain.
      if (r > big) pfaFail(36000, 'm.special.nChooseK', 'domain error: the result does not fit an int');
    }
    return Number(r);
  },
};

export const lnBeta: LibFunction = {
  name: 'm.special.lnBeta',
  sigs: [{ params: [{ name: 'a', type: 'double' }, { name: 'b', type: 'double' }], ret: 'double' }],
  make: () => (a: number, b: number) => {
    if (a <= 0 || b <= 0) pfaFail(36010, 'm.special.lnBeta', 'domain error');
    return lnBetaValue(a, b);
  },
};

export const erf: LibFunction = { name: 'm.special.erf', sigs: D1, make: () => erfValue };
export const erfc: LibFunction = { name: 'm.special.erfc', sigs: D1, make: () => erfcValue };
export const lnGamma: LibFunction = { name: 'm.special.lnGamma', sigs: D1, make: () => lnGammaValue };
