// PFA library, family "prob.dist" (specification §24): density (PDF), distribution
// (CDF) and quantile (QF) functions of 16 distributions, plus the Gaussian
// log-likelihood.
//
// Conventions shared by every function:
//   * the parameters are checked first ("invalid parameterization": a parameter outside
//     its documented domain or not finite), then the input ("invalid input": x not
//     finite, or p outside [0, 1], NaN included);
//   * outside the support a PDF is 0 and a CDF is 0 or 1; a quantile at p = 0 is the lower
//     end of the support, at p = 1 the upper end of the family's nominal support (∞ for
//     unbounded ones, size for the binomial, the number drawn for the hypergeometric),
//     even when degenerate parameters concentrate the mass lower (any x with F(x) = 1
//     answers the specification's definition; this is the reference engines' choice,
//     whose unit tests also keep every quantile of the Poisson with λ = 0 at 0);
//   * a degenerate parameterization the specification allows (a zero width or rate, a
//     zero shape) is the limiting distribution: a point mass;
//   * discrete quantiles are the smallest support point x with CDF(x) ≥ p.
// The special functions come from prob-dist-math.ts (series and continued fractions).

import { pfaFail, type LibFunction, type SignatureJson } from '../types.js';
import {
  invertMonotone, lnBetaValue, lnGammaValue, normalCdf, normalQuantile, regBeta, regBetaComplement, regGammaP, regGammaQ,
} from './prob-dist-math.js';

// ---------------------------------------------------------------------------
// Signatures (functions.json).

type ParamType = 'double' | 'int';

function sig(params: readonly (readonly [string, ParamType])[]): SignatureJson {
  return { params: params.map(([name, type]) => ({ name, type })), ret: 'double' };
}

const GAUSSIAN_RECORD = { type: 'record', label: 'A', fields: [{ name: 'mean', type: 'double' }, { name: 'variance', type: 'double' }] };

function gaussianSigs(first: string): readonly SignatureJson[] {
  return [
    sig([[first, 'double'], ['mu', 'double'], ['sigma', 'double']]),
    { params: [{ name: first, type: 'double' }, { name: 'params', type: GAUSSIAN_RECORD }], ret: 'double' },
  ];
}

// ---------------------------------------------------------------------------
// The shared frame: parameter check, input check, computation.

type Kind = 'pdf' | 'cdf' | 'qf';

interface DistSpec {
  readonly name: string;
  readonly sigs: readonly SignatureJson[];
  readonly kind: Kind;
  /** "invalid parameterization" code. */
  readonly paramCode: number;
  /** "invalid input" code (none for integer-valued inputs that cannot be non-finite). */
  readonly inputCode?: number;
  /** Whether the (finite) parameters are in the documented domain. */
  readonly valid: (...params: number[]) => boolean;
  readonly compute: (x: number, ...params: number[]) => number;
}

function dist(spec: DistSpec): LibFunction {
  const { name, kind, paramCode, inputCode, valid, compute } = spec;
  return {
    name,
    sigs: spec.sigs,
    make: () => (x: number, ...params: number[]) => {
      if (!params.every(Number.isFinite) || !valid(...params)) pfaFail(paramCode, name, 'invalid parameterization');
      if (inputCode !== undefined) {
        if (kind === 'qf' ? !(x >= 0 && x <= 1) : !Number.isFinite(x)) pfaFail(inputCode, name, 'invalid input');
      }
      return compute(x, ...params);
    },
  };
}

/** The three functions of a distribution with the same parameter list and checks. */
function family(
  base: string, params: readonly (readonly [string, ParamType])[], codes: readonly [number, number, number], inputTypes: readonly [ParamType, ParamType],
  valid: { pdf: (...p: number[]) => boolean; cdf?: (...p: number[]) => boolean; qf?: (...p: number[]) => boolean },
  fns: { pdf: (x: number, ...p: number[]) => number; cdf: (x: number, ...p: number[]) => number; qf: (p: number, ...q: number[]) => number },
  inputChecked: { pdf: boolean; cdf: boolean } = { pdf: true, cdf: true },
): [LibFunction, LibFunction, LibFunction] {
  const [pdfCode, cdfCode, qfCode] = codes;
  return [
    dist({ name: `prob.dist.${base}PDF`, sigs: [sig([['x', inputTypes[0]], ...params])], kind: 'pdf', paramCode: pdfCode, inputCode: inputChecked.pdf ? pdfCode + 1 : undefined, valid: valid.pdf, compute: fns.pdf }),
    dist({ name: `prob.dist.${base}CDF`, sigs: [sig([['x', inputTypes[1]], ...params])], kind: 'cdf', paramCode: cdfCode, inputCode: inputChecked.cdf ? cdfCode + 1 : undefined, valid: valid.cdf ?? valid.pdf, compute: fns.cdf }),
    dist({ name: `prob.dist.${base}QF`, sigs: [sig([['p', 'double'], ...params])], kind: 'qf', paramCode: qfCode, inputCode: qfCode + 1, valid: valid.qf ?? valid.pdf, compute: fns.qf }),
  ];
}

// ---------------------------------------------------------------------------
// Continuous distributions.

/** Quantile of a continuous distribution on [lo, hi] by inverting its CDF (upper tail for p > ½). */
function continuousQuantile(p: number, lo: number, hi: number, cdf: (x: number) => number, sf: (x: number) => number, start: number): number {
  if (p === 0) return lo;
  if (p === 1) return hi;
  return p <= 0.5 ? invertMonotone(cdf, p, lo, hi, true, start) : invertMonotone(sf, 1 - p, lo, hi, false, start);
}

// Gaussian (x, mu, sigma) or (x, {mean, variance}).

function gaussian(name: string, kind: Kind, code: number, compute: (x: number, mu: number, sigma: number) => number): LibFunction {
  const first = kind === 'qf' ? 'p' : 'x';
  return {
    name,
    sigs: gaussianSigs(first),
    make: (types) => {
      const check = (x: number, mu: number, sigma: number): number => {
        if (!Number.isFinite(mu) || !Number.isFinite(sigma) || sigma < 0) pfaFail(code, name, 'invalid parameterization');
        if (kind === 'qf' ? !(x >= 0 && x <= 1) : !Number.isFinite(x)) pfaFail(code + 1, name, 'invalid input');
        return compute(x, mu, sigma);
      };
      if (types.sig === 0) return check;
      return (x: number, params: { mean: number; variance: number }) => {
        const variance = params.variance;
        if (!(variance >= 0)) pfaFail(code, name, 'invalid parameterization');
        return check(x, params.mean, Math.sqrt(variance));
      };
    },
  };
}

const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);

export const gaussianLL = gaussian('prob.dist.gaussianLL', 'pdf', 13000, (x, mu, sigma) => {
  if (sigma === 0) return x === mu ? Infinity : -Infinity;
  const z = (x - mu) / sigma;
  return -0.5 * z * z - Math.log(sigma) - LN_SQRT_2PI;
});

export const gaussianCDF = gaussian('prob.dist.gaussianCDF', 'cdf', 13010, (x, mu, sigma) => {
  if (sigma === 0) return x < mu ? 0 : 1;
  return normalCdf((x - mu) / sigma);
});

export const gaussianQF = gaussian('prob.dist.gaussianQF', 'qf', 13020, (p, mu, sigma) => {
  if (p === 0) return -Infinity;
  if (p === 1) return Infinity;
  return sigma === 0 ? mu : mu + sigma * normalQuantile(p);
});

// Exponential (rate lambda ≥ 0; lambda = 0 is the limit of an ever-flatter density).

export const [exponentialPDF, exponentialCDF, exponentialQF] = family(
  'exponential', [['lambda', 'double']], [13030, 13040, 13050], ['double', 'double'],
  { pdf: (lambda) => lambda >= 0 },
  {
    pdf: (x, lambda) => (x < 0 ? 0 : lambda * Math.exp(-lambda * x)),
    cdf: (x, lambda) => (x <= 0 ? 0 : -Math.expm1(-lambda * x)),
    qf: (p, lambda) => (p === 0 ? 0 : -Math.log1p(-p) / lambda),
  },
);

// Gamma (shape k, scale θ; a zero shape or scale is a point mass at 0).

function gammaPdf(x: number, shape: number, scale: number): number {
  if (x < 0) return 0;
  if (shape === 0 || scale === 0) return x === 0 ? Infinity : 0;
  if (x === 0) return shape < 1 ? Infinity : shape === 1 ? 1 / scale : 0;
  const y = x / scale;
  return Math.exp((shape - 1) * Math.log(y) - y - lnGammaValue(shape)) / scale;
}

function gammaCdf(x: number, shape: number, scale: number): number {
  if (x < 0) return 0;
  if (shape === 0 || scale === 0) return 1;
  return regGammaP(shape, x / scale);
}

function gammaQf(p: number, shape: number, scale: number): number {
  return scale * continuousQuantile(p, 0, Infinity, (y) => regGammaP(shape, y), (y) => regGammaQ(shape, y), shape);
}

export const [gammaPDF, gammaCDF, gammaQF] = family(
  'gamma', [['shape', 'double'], ['scale', 'double']], [13120, 13130, 13140], ['double', 'double'],
  { pdf: (shape, scale) => shape >= 0 && scale >= 0, qf: (shape, scale) => shape > 0 && scale > 0 },
  { pdf: gammaPdf, cdf: gammaCdf, qf: gammaQf },
);

// Chi-squared (dof ≥ 0): the gamma distribution with shape dof/2 and scale 2.

export const [chi2PDF, chi2CDF, chi2QF] = family(
  'chi2', [['dof', 'int']], [13060, 13070, 13080], ['double', 'double'],
  { pdf: (dof) => dof >= 0 },
  {
    pdf: (x, dof) => gammaPdf(x, dof / 2, 2),
    cdf: (x, dof) => gammaCdf(x, dof / 2, 2),
    qf: (p, dof) => (p === 1 ? Infinity : dof === 0 ? 0 : gammaQf(p, dof / 2, 2)),
  },
);

// Beta (a, b > 0) on [0, 1].

function betaPdf(x: number, a: number, b: number): number {
  if (x < 0 || x > 1) return 0;
  if (x === 0) return a < 1 ? Infinity : a === 1 ? b : 0;
  if (x === 1) return b < 1 ? Infinity : b === 1 ? a : 0;
  return Math.exp((a - 1) * Math.log(x) + (b - 1) * Math.log1p(-x) - lnBetaValue(a, b));
}

export const [betaPDF, betaCDF, betaQF] = family(
  'beta', [['a', 'double'], ['b', 'double']], [13150, 13160, 13170], ['double', 'double'],
  { pdf: (a, b) => a > 0 && b > 0 },
  {
    pdf: betaPdf,
    cdf: (x, a, b) => regBeta(x, a, b),
    qf: (p, a, b) => continuousQuantile(p, 0, 1, (x) => regBeta(x, a, b), (x) => regBetaComplement(x, a, b), a / (a + b)),
  },
);

// Cauchy (location l, scale s > 0).

export const [cauchyPDF, cauchyCDF, cauchyQF] = family(
  'cauchy', [['location', 'double'], ['scale', 'double']], [13180, 13190, 13200], ['double', 'double'],
  { pdf: (_l, s) => s > 0 },
  {
    pdf: (x, l, s) => {
      const z = (x - l) / s;
      return 1 / (Math.PI * s * (1 + z * z));
    },
    // For z < 0, ½ + atan(z)/π = atan(−1/z)/π without cancellation.
    cdf: (x, l, s) => {
      const z = (x - l) / s;
      return z < 0 ? Math.atan(-1 / z) / Math.PI : 0.5 + Math.atan(z) / Math.PI;
    },
    // x = l + s·tan(π(p − ½)) = l − s/tan(πp), written per half so that small p and 1 − p keep their precision.
    qf: (p, l, s) => (p === 0 ? -Infinity : p === 1 ? Infinity : p < 0.5 ? l - s / Math.tan(Math.PI * p) : p === 0.5 ? l : l + s / Math.tan(Math.PI * (1 - p))),
  },
);

// F (d1, d2 > 0 degrees of freedom).

function fPdf(x: number, d1: number, d2: number): number {
  if (x < 0) return 0;
  if (x === 0) return d1 < 2 ? Infinity : d1 === 2 ? 1 : 0;
  const logDensity = 0.5 * d1 * Math.log((d1 * x) / (d1 * x + d2)) + 0.5 * d2 * Math.log(d2 / (d1 * x + d2)) - Math.log(x) - lnBetaValue(d1 / 2, d2 / 2);
  return Math.exp(logDensity);
}

function fCdf(x: number, d1: number, d2: number): number {
  if (x <= 0) return 0;
  return regBeta((d1 * x) / (d1 * x + d2), d1 / 2, d2 / 2);
}

function fSf(x: number, d1: number, d2: number): number {
  if (x <= 0) return 1;
  // 1 − I_{d1x/(d1x+d2)}(d1/2, d2/2) = I_{d2/(d1x+d2)}(d2/2, d1/2)
  return regBeta(d2 / (d1 * x + d2), d2 / 2, d1 / 2);
}

export const [fPDF, fCDF, fQF] = family(
  'f', [['d1', 'int'], ['d2', 'int']], [13210, 13220, 13230], ['double', 'double'],
  { pdf: (d1, d2) => d1 > 0 && d2 > 0 },
  { pdf: fPdf, cdf: fCdf, qf: (p, d1, d2) => continuousQuantile(p, 0, Infinity, (x) => fCdf(x, d1, d2), (x) => fSf(x, d1, d2), 1) },
);

// Lognormal (meanlog μ, sdlog σ > 0). The density is exp(−(ln x − μ)²/(2σ²)) / (x σ √(2π))
// (the specification's formula omits the square: a typesetting slip).

export const [lognormalPDF, lognormalCDF, lognormalQF] = family(
  'lognormal', [['meanlog', 'double'], ['sdlog', 'double']], [13240, 13250, 13260], ['double', 'double'],
  { pdf: (_m, s) => s > 0 },
  {
    pdf: (x, m, s) => {
      if (x <= 0) return 0;
      const z = (Math.log(x) - m) / s;
      return Math.exp(-0.5 * z * z - LN_SQRT_2PI) / (x * s);
    },
    cdf: (x, m, s) => (x <= 0 ? 0 : normalCdf((Math.log(x) - m) / s)),
    qf: (p, m, s) => (p === 0 ? 0 : p === 1 ? Infinity : Math.exp(m + s * normalQuantile(p))),
  },
);

// Student's t (dof > 0).

function tPdf(x: number, dof: number): number {
  const logNorm = lnGammaValue((dof + 1) / 2) - lnGammaValue(dof / 2) - 0.5 * Math.log(dof * Math.PI);
  return Math.exp(logNorm - ((dof + 1) / 2) * Math.log1p((x * x) / dof));
}

/** P(T > |x|) tail: ½ I_{ν/(ν+x²)}(ν/2, ½). */
function tTail(x: number, dof: number): number {
  const x2 = x * x;
  // For small x, 1 − I_{x²/(ν+x²)}(½, ν/2) keeps the precision of the argument.
  return x2 < dof ? 0.5 * regBetaComplement(x2 / (dof + x2), 0.5, dof / 2) : 0.5 * regBeta(dof / (dof + x2), dof / 2, 0.5);
}

function tCdf(x: number, dof: number): number {
  return x <= 0 ? tTail(x, dof) : 1 - tTail(x, dof);
}

export const [tPDF, tCDF, tQF] = family(
  't', [['dof', 'int']], [13270, 13280, 13290], ['double', 'double'],
  { pdf: (dof) => dof > 0 },
  {
    pdf: tPdf,
    cdf: tCdf,
    qf: (p, dof) => {
      if (p === 0) return -Infinity;
      if (p === 1) return Infinity;
      if (p === 0.5) return 0;
      // One degree of freedom is the standard Cauchy distribution (closed form, whose far
      // quantiles exceed the range where x² is representable).
      if (dof === 1) return p < 0.5 ? -1 / Math.tan(Math.PI * p) : 1 / Math.tan(Math.PI * (1 - p));
      // Symmetric: solve the lower tail.
      const q = Math.min(p, 1 - p);
      const x = invertMonotone((t) => tTail(t, dof), q, -Infinity, 0, true, -1);
      return p < 0.5 ? x : -x;
    },
  },
);

// Uniform (min < max).

export const [uniformPDF, uniformCDF, uniformQF] = family(
  'uniform', [['min', 'double'], ['max', 'double']], [13330, 13340, 13350], ['double', 'double'],
  { pdf: (min, max) => min < max },
  {
    pdf: (x, min, max) => (x < min || x > max ? 0 : 1 / (max - min)),
    cdf: (x, min, max) => (x <= min ? 0 : x >= max ? 1 : (x - min) / (max - min)),
    qf: (p, min, max) => min + p * (max - min),
  },
);

// Weibull (shape a > 0, scale b > 0).

export const [weibullPDF, weibullCDF, weibullQF] = family(
  'weibull', [['shape', 'double'], ['scale', 'double']], [13420, 13430, 13440], ['double', 'double'],
  { pdf: (a, b) => a > 0 && b > 0 },
  {
    pdf: (x, a, b) => {
      if (x < 0) return 0;
      if (x === 0) return a < 1 ? Infinity : a === 1 ? 1 / b : 0;
      const y = x / b;
      return (a / b) * Math.pow(y, a - 1) * Math.exp(-Math.pow(y, a));
    },
    cdf: (x, a, b) => (x <= 0 ? 0 : -Math.expm1(-Math.pow(x / b, a))),
    qf: (p, a, b) => (p === 1 ? Infinity : b * Math.pow(-Math.log1p(-p), 1 / a)),
  },
);

// ---------------------------------------------------------------------------
// Discrete distributions.

/** Up to this many terms, discrete CDFs are summed directly (exact on exact inputs). */
const DIRECT_SUM_LIMIT = 100000;

/** ln C(n, k) for 0 ≤ k ≤ n. */
function lnChoose(n: number, k: number): number {
  if (k === 0 || k === n) return 0;
  return lnGammaValue(n + 1) - lnGammaValue(k + 1) - lnGammaValue(n - k + 1);
}

/**
 * The smallest integer x in [lo, hi] with cdf(x) ≥ p, bracketed by steps doubling away
 * from a starting guess, then bisected (hi may be infinite; the CDF must reach 1 there).
 */
function discreteQuantile(p: number, lo: number, hi: number, cdf: (x: number) => number, guess: number): number {
  const start = Math.min(Math.max(Math.round(Number.isFinite(guess) ? guess : lo), lo), hi);
  // Invariant for the bisection: cdf(below) < p ≤ cdf(above), below < above.
  let below: number, above: number;
  if (cdf(start) >= p) {
    above = start;
    let step = 1;
    for (;;) {
      if (above <= lo) return lo;
      const next = Math.max(lo, above - step);
      if (cdf(next) < p) {
        below = next;
        break;
      }
      above = next;
      step *= 2;
    }
  } else {
    below = start;
    let step = 1;
    for (;;) {
      const next = below + step;
      if (next >= hi) {
        // The CDF reaches 1 at hi (rounding may leave it just short of p).
        above = hi;
        break;
      }
      if (!Number.isFinite(next)) return Infinity;
      if (cdf(next) >= p) {
        above = next;
        break;
      }
      below = next;
      step *= 2;
    }
  }
  while (above - below > 1) {
    const mid = Math.floor(below + (above - below) / 2);
    if (cdf(mid) >= p) above = mid;
    else below = mid;
  }
  return above;
}

// Poisson (lambda ≥ 0).

function poissonCdf(x: number, lambda: number): number {
  if (x < 0) return 0;
  if (lambda === 0) return 1;
  const k = Math.floor(x);
  // Direct summation of e^{−λ} λ^i / i! while the terms are representable.
  if (lambda < 700 && k <= DIRECT_SUM_LIMIT) {
    let term = Math.exp(-lambda), sum = term;
    for (let i = 1; i <= k; i++) {
      term *= lambda / i;
      sum += term;
    }
    return Math.min(sum, 1);
  }
  return regGammaQ(k + 1, lambda);
}

export const [poissonPDF, poissonCDF, poissonQF] = family(
  'poisson', [['lambda', 'double']], [13090, 13100, 13110], ['int', 'int'],
  { pdf: (lambda) => lambda >= 0 },
  {
    pdf: (x, lambda) => {
      if (x < 0) return 0;
      if (lambda === 0) return x === 0 ? 1 : 0;
      return Math.exp(x * Math.log(lambda) - lambda - lnGammaValue(x + 1));
    },
    cdf: poissonCdf,
    qf: (p, lambda) => {
      // λ = 0 is the point mass at 0: every quantile is 0 (the reference engines agree).
      if (lambda === 0) return 0;
      if (p === 1) return Infinity;
      return discreteQuantile(p, 0, Infinity, (k) => poissonCdf(k, lambda), lambda + Math.sqrt(lambda) * normalQuantile(p));
    },
  },
  { pdf: false, cdf: false },
);

// Binomial (size n ≥ 0, prob p in [0, 1]).

function binomialPdf(x: number, n: number, p: number): number {
  if (x < 0 || x > n) return 0;
  if (p === 0) return x === 0 ? 1 : 0;
  if (p === 1) return x === n ? 1 : 0;
  return Math.exp(lnChoose(n, x) + x * Math.log(p) + (n - x) * Math.log1p(-p));
}

function binomialCdf(x: number, n: number, p: number): number {
  if (x < 0) return 0;
  const k = Math.floor(x);
  if (k >= n) return 1;
  if (p === 0) return 1;
  if (p === 1) return 0;
  const q = 1 - p;
  // Direct summation of C(n,i) p^i q^{n−i} (exact on exact inputs such as p = ½) while
  // q^n is representable; otherwise P(X ≤ k) = 1 − I_p(k + 1, n − k).
  if (k <= DIRECT_SUM_LIMIT && n * Math.log(q) > -700) {
    let term = Math.pow(q, n), sum = term;
    const ratio = p / q;
    for (let i = 0; i < k; i++) {
      term *= ((n - i) / (i + 1)) * ratio;
      sum += term;
    }
    return Math.min(sum, 1);
  }
  return regBetaComplement(p, k + 1, n - k);
}

const binomialValid = (n: number, p: number): boolean => n >= 0 && p >= 0 && p <= 1;

export const binomialPDF = dist({
  name: 'prob.dist.binomialPDF', sigs: [sig([['x', 'int'], ['size', 'int'], ['prob', 'double']])], kind: 'pdf', paramCode: 13300, valid: binomialValid, compute: binomialPdf,
});

export const binomialCDF = dist({
  name: 'prob.dist.binomialCDF', sigs: [sig([['x', 'double'], ['size', 'int'], ['prob', 'double']])], kind: 'cdf', paramCode: 13310, inputCode: 13311, valid: binomialValid, compute: binomialCdf,
});

export const binomialQF = dist({
  name: 'prob.dist.binomialQF', sigs: [sig([['p', 'double'], ['size', 'int'], ['prob', 'double']])], kind: 'qf', paramCode: 13320, inputCode: 13321, valid: binomialValid,
  compute: (q, n, p) => {
    if (q === 1) return n;
    return discreteQuantile(q, 0, n, (k) => binomialCdf(k, n, p), n * p + Math.sqrt(n * p * (1 - p)) * normalQuantile(q));
  },
});

// Geometric (prob in (0, 1]): the number of failures before the first success.

function geometricCdf(x: number, p: number): number {
  if (x < 0) return 0;
  if (p === 1) return 1;
  return -Math.expm1((Math.floor(x) + 1) * Math.log1p(-p));
}

const geometricValid = (p: number): boolean => p > 0 && p <= 1;

export const geometricPDF = dist({
  name: 'prob.dist.geometricPDF', sigs: [sig([['x', 'int'], ['prob', 'double']])], kind: 'pdf', paramCode: 13360, valid: geometricValid,
  compute: (x, p) => (x < 0 ? 0 : p === 1 ? (x === 0 ? 1 : 0) : p * Math.exp(x * Math.log1p(-p))),
});

export const geometricCDF = dist({
  name: 'prob.dist.geometricCDF', sigs: [sig([['x', 'double'], ['prob', 'double']])], kind: 'cdf', paramCode: 13370, inputCode: 13371, valid: geometricValid, compute: geometricCdf,
});

export const geometricQF = dist({
  name: 'prob.dist.geometricQF', sigs: [sig([['p', 'double'], ['prob', 'double']])], kind: 'qf', paramCode: 13380, inputCode: 13381, valid: geometricValid,
  compute: (q, p) => {
    if (q === 1) return Infinity;
    if (p === 1) return 0;
    return discreteQuantile(q, 0, Infinity, (k) => geometricCdf(k, p), Math.log1p(-q) / Math.log1p(-p) - 1);
  },
});

// Negative binomial (size n ≥ 0 successes, prob p in [0, 1]): failures before the n-th success.

function negativeBinomialCdf(x: number, n: number, p: number): number {
  if (x < 0) return 0;
  if (n === 0 || p === 1) return 1;
  if (p === 0) return 0;
  const k = Math.floor(x);
  // Direct summation of C(n+i−1, i) p^n q^i while p^n is representable; otherwise
  // P(X ≤ k) = I_p(n, k + 1).
  if (k <= DIRECT_SUM_LIMIT && n * Math.log(p) > -700) {
    const q = 1 - p;
    let term = Math.pow(p, n), sum = term;
    for (let i = 0; i < k; i++) {
      term *= ((n + i) / (i + 1)) * q;
      sum += term;
    }
    return Math.min(sum, 1);
  }
  return regBeta(p, n, k + 1);
}

const negativeBinomialValid = (n: number, p: number): boolean => n >= 0 && p >= 0 && p <= 1;

export const negativeBinomialPDF = dist({
  name: 'prob.dist.negativeBinomialPDF', sigs: [sig([['x', 'int'], ['size', 'int'], ['prob', 'double']])], kind: 'pdf', paramCode: 13450, valid: negativeBinomialValid,
  compute: (x, n, p) => {
    if (x < 0) return 0;
    if (n === 0 || p === 1) return x === 0 ? 1 : 0;
    if (p === 0) return 0;
    return Math.exp(lnGammaValue(x + n) - lnGammaValue(n) - lnGammaValue(x + 1) + n * Math.log(p) + x * Math.log1p(-p));
  },
});

export const negativeBinomialCDF = dist({
  name: 'prob.dist.negativeBinomialCDF', sigs: [sig([['x', 'double'], ['size', 'int'], ['prob', 'double']])], kind: 'cdf', paramCode: 13460, inputCode: 13461,
  valid: negativeBinomialValid, compute: negativeBinomialCdf,
});

export const negativeBinomialQF = dist({
  name: 'prob.dist.negativeBinomialQF', sigs: [sig([['p', 'double'], ['size', 'int'], ['prob', 'double']])], kind: 'qf', paramCode: 13470, inputCode: 13471,
  valid: (n, p) => n > 0 && p >= 0 && p <= 1,
  compute: (q, n, p) => {
    if (q === 1 || p === 0) return Infinity;
    if (p === 1) return 0;
    const mean = (n * (1 - p)) / p;
    return discreteQuantile(q, 0, Infinity, (k) => negativeBinomialCdf(k, n, p), mean + Math.sqrt(mean / p) * normalQuantile(q));
  },
});

// Hypergeometric (m white, n black balls, k drawn): the number of white balls drawn.

function hypergeometricValid(m: number, n: number, k: number): boolean {
  return m >= 0 && n >= 0 && k >= 0 && m + n > 0 && m + n >= k;
}

function hypergeometricPdf(x: number, m: number, n: number, k: number): number {
  if (x < Math.max(0, k - n) || x > Math.min(m, k)) return 0;
  return Math.exp(lnChoose(m, x) + lnChoose(n, k - x) - lnChoose(m + n, k));
}

/**
 * Relative weights of the support points lo..hi (1 at the mode, from the ratio
 * P(x+1)/P(x) = (m−x)(k−x) / ((x+1)(n−k+x+1)), so that nothing overflows) and their sum.
 */
function hypergeometricWeights(m: number, n: number, k: number): { lo: number; weights: Float64Array; total: number } {
  const lo = Math.max(0, k - n), hi = Math.min(m, k);
  const ratio = (x: number): number => ((m - x) * (k - x)) / ((x + 1) * (n - k + x + 1));
  let mode = lo;
  while (mode < hi && ratio(mode) > 1) mode++;
  const weights = new Float64Array(hi - lo + 1);
  weights[mode - lo] = 1;
  for (let x = mode; x < hi; x++) weights[x + 1 - lo] = weights[x - lo] * ratio(x);
  for (let x = mode; x > lo; x--) weights[x - 1 - lo] = weights[x - lo] / ratio(x - 1);
  let total = 0;
  for (const w of weights) total += w;
  return { lo, weights, total };
}

function hypergeometricCdf(x: number, m: number, n: number, k: number): number {
  const lo = Math.max(0, k - n), hi = Math.min(m, k);
  const top = Math.floor(x);
  if (top < lo) return 0;
  if (top >= hi) return 1;
  if (hi - lo <= DIRECT_SUM_LIMIT) {
    const w = hypergeometricWeights(m, n, k);
    let s = 0;
    for (let i = 0; i <= top - lo; i++) s += w.weights[i];
    return Math.min(s / w.total, 1);
  }
  // Sum the shorter side of the support.
  if (top - lo <= hi - top) {
    let s = 0;
    for (let i = lo; i <= top; i++) s += hypergeometricPdf(i, m, n, k);
    return Math.min(s, 1);
  }
  let s = 0;
  for (let i = top + 1; i <= hi; i++) s += hypergeometricPdf(i, m, n, k);
  return Math.max(1 - s, 0);
}

export const hypergeometricPDF = dist({
  name: 'prob.dist.hypergeometricPDF', sigs: [sig([['x', 'int'], ['m', 'int'], ['n', 'int'], ['k', 'int']])], kind: 'pdf', paramCode: 13390, valid: hypergeometricValid,
  compute: hypergeometricPdf,
});

export const hypergeometricCDF = dist({
  name: 'prob.dist.hypergeometricCDF', sigs: [sig([['x', 'int'], ['m', 'int'], ['n', 'int'], ['k', 'int']])], kind: 'cdf', paramCode: 13400, valid: hypergeometricValid,
  compute: hypergeometricCdf,
});

export const hypergeometricQF = dist({
  name: 'prob.dist.hypergeometricQF', sigs: [sig([['p', 'double'], ['m', 'int'], ['n', 'int'], ['k', 'int']])], kind: 'qf', paramCode: 13410, inputCode: 13411,
  valid: hypergeometricValid,
  compute: (q, m, n, k) => {
    if (q === 1) return k;
    const lo = Math.max(0, k - n), hi = Math.min(m, k);
    if (hi - lo > DIRECT_SUM_LIMIT) return discreteQuantile(q, lo, hi, (x) => hypergeometricCdf(x, m, n, k), (k * m) / (m + n));
    // One pass over the support: the first point whose cumulative weight reaches q.
    const w = hypergeometricWeights(m, n, k);
    let s = 0;
    for (let i = 0; i < w.weights.length; i++) {
      s += w.weights[i];
      if (s / w.total >= q) return lo + i;
    }
    return hi;
  },
});

