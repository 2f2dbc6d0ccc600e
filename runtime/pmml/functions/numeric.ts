// Numeric kernels of the PMML built-in functions that JavaScript's Math lacks:
// the error function, the normal distribution (density, CDF, quantile), rint,
// PMML's modulo. Pure functions of numbers; the missing-value rules live in
// functions.ts.
//
// erf/erfc: for |x| < 2 the everywhere-positive series
//   erf(x) = 2/√π · e^(−x²) · Σ 2ⁿ x^(2n+1) / (1·3·5·…·(2n+1))
// (no cancellation), for |x| ≥ 2 the continued fraction
//   erfc(x) = e^(−x²)/√π · 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + …)))))
// evaluated with the modified Lentz method. Both agree with the exact values to
// a few units in the last place. The normal quantile starts from the
// Abramowitz–Stegun 26.2.23 rational estimate and polishes it with Halley steps
// on the CDF above, which converge cubically to full double precision.

const TWO_OVER_SQRT_PI = 1.1283791670955126; // 2/√π
const ONE_OVER_SQRT_PI = 0.5641895835477563; // 1/√π
const ONE_OVER_SQRT_2PI = 0.3989422804014327; // 1/√(2π)

function erfSeries(x: number): number {
  const x2 = x * x;
  let term = x;
  let sum = x;
  for (let n = 1; n < 200; n++) {
    term *= (2 * x2) / (2 * n + 1);
    sum += term;
    if (Math.abs(term) <= 1e-17 * Math.abs(sum)) break;
  }
  return TWO_OVER_SQRT_PI * Math.exp(-x2) * sum;
}

/** erfc(x) for x ≥ 2 by the continued fraction (modified Lentz). */
function erfcFraction(x: number): number {
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let n = 1; n < 500; n++) {
    const a = n / 2;
    d = x + a * d;
    if (d === 0) d = tiny;
    c = x + a / c;
    if (c === 0) c = tiny;
    d = 1 / d;
    const delta = c * d;
    f *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return (ONE_OVER_SQRT_PI * Math.exp(-x * x)) / f;
}

/** The error function. */
export function erf(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 1;
  if (x === -Infinity) return -1;
  if (Math.abs(x) < 2) return erfSeries(x);
  return x > 0 ? 1 - erfcFraction(x) : erfcFraction(-x) - 1;
}

/** The complementary error function 1 − erf(x), accurate in the upper tail. */
export function erfc(x: number): number {
  if (Number.isNaN(x)) return NaN;
  if (x === Infinity) return 0;
  if (x === -Infinity) return 2;
  if (x >= 2) return erfcFraction(x);
  if (x <= -2) return 2 - erfcFraction(-x);
  return 1 - erfSeries(x);
}

/** Φ(x), the standard normal CDF (accurate relative values in both tails). */
export function stdNormalCdf(x: number): number {
  return 0.5 * erfc(-x / Math.SQRT2);
}

/** φ(x), the standard normal density. */
export function stdNormalPdf(x: number): number {
  return ONE_OVER_SQRT_2PI * Math.exp(-0.5 * x * x);
}

export function normalCdf(x: number, mu: number, sigma: number): number {
  if (!(sigma > 0)) return NaN;
  return stdNormalCdf((x - mu) / sigma);
}

export function normalPdf(x: number, mu: number, sigma: number): number {
  if (!(sigma > 0)) return NaN;
  return stdNormalPdf((x - mu) / sigma) / sigma;
}

/** Φ⁻¹(p): −∞ at 0, +∞ at 1, NaN outside [0, 1]. */
export function stdNormalIdf(p: number): number {
  if (Number.isNaN(p) || p < 0 || p > 1) return NaN;
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  if (p === 0.5) return 0;
  // Work in the lower tail, where Φ has full relative precision.
  const upper = p > 0.5;
  const q = upper ? 1 - p : p;
  const t = Math.sqrt(-2 * Math.log(q));
  let x = -(t - (2.515517 + t * (0.802853 + t * 0.010328)) / (1 + t * (1.432788 + t * (0.189269 + t * 0.001308))));
  for (let i = 0; i < 8; i++) {
    const pdf = stdNormalPdf(x);
    if (pdf === 0) break;
    const u = (stdNormalCdf(x) - q) / pdf;
    const step = u / (1 + (x * u) / 2);
    x -= step;
    if (Math.abs(step) <= 1e-15 * Math.max(1, Math.abs(x))) break;
  }
  return upper ? -x : x;
}

export function normalIdf(p: number, mu: number, sigma: number): number {
  if (!(sigma > 0)) return NaN;
  return mu + sigma * stdNormalIdf(p);
}

/** Rounds to the nearest integer, halves to the even neighbour (IEEE roundTiesToEven, Java's Math.rint). */
export function rint(x: number): number {
  if (!Number.isFinite(x)) return x;
  const f = Math.floor(x);
  const d = x - f;
  if (d < 0.5) return f;
  if (d > 0.5) return f + 1;
  return f % 2 === 0 ? f : f + 1;
}

/** Rounds to the nearest integer, halves up (towards +∞), as Java's Math.round; −0 becomes 0. */
export function roundHalfUp(x: number): number {
  return Math.round(x) + 0;
}

/** PMML modulo: x − y·⌊x/y⌋ (the result takes the sign of the divisor); NaN for y = 0. */
export function modulo(x: number, y: number): number {
  if (y === 0) return NaN;
  const r = x - y * Math.floor(x / y);
  // Guard the rare case where rounding of x/y makes |r| reach |y|.
  return Math.abs(r) >= Math.abs(y) ? 0 : r + 0;
}

/** The median of `xs[0..n)`; sorts that prefix in place. */
export function medianOf(xs: number[], n: number): number {
  if (n === 1) return xs[0];
  const part = xs.length === n ? xs : xs.slice(0, n);
  part.sort((a, b) => a - b);
  const mid = n >> 1;
  return n % 2 === 1 ? part[mid] : (part[mid - 1] + part[mid]) / 2;
}
