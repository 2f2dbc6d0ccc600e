// PFA library, family "metric" (specification §13): similarity functions (1-dimensional
// metrics), metrics on vectors with missing values (null items), weighted by optional
// missing-value weights, and similarities of binary vectors.
//
// With I_i = 0 when x_i or y_i is missing (1 otherwise), q_i the missing-value weights
// (1 by default) and s_i = similarity(x_i, y_i), the metrics rescale the sum over the
// present components by (Σ q_i)/(Σ I_i q_i): e.g. euclidean = √((Σ I_i s_i²)·Σq/ΣIq).
// When every component is missing (or there are none) the result is NaN (0/0).

import { pfaFail, type LibFunction, type LibImpl, type SignatureJson } from '../types.js';

type Similarity = (a: unknown, b: unknown) => number;

const DOUBLES = { type: 'array', items: 'double' };
const BOOLEANS = { type: 'array', items: 'boolean' };
const NULLABLE_DOUBLES = { type: 'array', items: { type: 'union', of: ['null', 'double'] } };
const DOUBLE_SIMILARITY = { type: 'function', params: ['double', 'double'], ret: 'double' };

export const simpleEuclidean: LibFunction = {
  name: 'metric.simpleEuclidean',
  sigs: [{ params: [{ name: 'x', type: DOUBLES }, { name: 'y', type: DOUBLES }], ret: 'double' }],
  make: () => (x: number[], y: number[]) => {
    if (x.length !== y.length) pfaFail(28000, 'metric.simpleEuclidean', 'dimensions of vectors do not match');
    let s = 0;
    for (let i = 0; i < x.length; i++) s += (x[i] - y[i]) * (x[i] - y[i]);
    return Math.sqrt(s);
  },
};

export const absDiff: LibFunction = {
  name: 'metric.absDiff',
  sigs: [{ params: [{ name: 'x', type: 'double' }, { name: 'y', type: 'double' }], ret: 'double' }],
  make: () => (x: number, y: number) => Math.abs(x - y),
};

export const gaussianSimilarity: LibFunction = {
  name: 'metric.gaussianSimilarity',
  sigs: [{ params: [{ name: 'x', type: 'double' }, { name: 'y', type: 'double' }, { name: 'sigma', type: 'double' }], ret: 'double' }],
  make: () => (x: number, y: number, sigma: number) => Math.exp((-Math.LN2 * (x - y) * (x - y)) / (sigma * sigma)),
};

/** The accumulated pieces of a metric over components with missing values. */
interface Accumulated {
  /** Similarities of the components present in both vectors. */
  readonly values: number[];
  /** Σ q_i over all components and over the present ones. */
  readonly totalWeight: number;
  readonly presentWeight: number;
}

function accumulate(name: string, code: number, similarity: Similarity, x: unknown[], y: unknown[], weights?: number[]): Accumulated {
  if (x.length !== y.length || (weights !== undefined && weights.length !== x.length)) pfaFail(code, name, 'dimensions of vectors do not match');
  const values: number[] = [];
  let totalWeight = 0, presentWeight = 0;
  for (let i = 0; i < x.length; i++) {
    const q = weights === undefined ? 1 : weights[i];
    totalWeight += q;
    if (x[i] === null || y[i] === null) continue;
    presentWeight += q;
    values.push(similarity(x[i], y[i]));
  }
  return { values, totalWeight, presentWeight };
}

/**
 * A metric over vectors with missing values: `combine` reduces the similarities of the
 * present components, `finish` turns the rescaled reduction into the distance.
 */
function missingValueMetric(
  name: string, code: number, sigs: readonly SignatureJson[], combine: (values: number[], p: number) => number, finish: (v: number, p: number) => number,
  extra?: { readonly pCode: number },
): LibFunction {
  return {
    name,
    sigs,
    make(types): LibImpl {
      const withWeights = types.sig === 1;
      return (similarity: Similarity, x: unknown[], y: unknown[], ...rest: unknown[]) => {
        const weights = withWeights ? (rest[rest.length - 1] as number[]) : undefined;
        const acc = accumulate(name, code, similarity, x, y, weights);
        const p = extra === undefined ? NaN : (rest[0] as number);
        // "must be positive": zero, negative and NaN values are rejected.
        if (extra !== undefined && !(p > 0)) pfaFail(extra.pCode, name, 'Minkowski parameter p must be positive');
        if (acc.values.length === 0) return NaN;
        return finish((combine(acc.values, p) * acc.totalWeight) / acc.presentWeight, p);
      };
    },
  };
}

function metricSigs(first: readonly { readonly name: string; readonly type: unknown }[], vector: unknown, extra: readonly { readonly name: string; readonly type: unknown }[] = []): SignatureJson[] {
  const base = [...first, { name: 'x', type: vector }, { name: 'y', type: vector }, ...extra];
  return [
    { params: base, ret: 'double' },
    { params: [...base, { name: 'missingWeight', type: DOUBLES }], ret: 'double' },
  ];
}

const sumOfSquares = (v: number[]): number => v.reduce((s, x) => s + x * x, 0);
const maximum = (v: number[]): number => v.reduce((m, x) => (x > m || Number.isNaN(x) ? x : m), -Infinity);

export const euclidean = missingValueMetric(
  'metric.euclidean', 28030,
  [
    {
      params: [
        { name: 'similarity', type: { type: 'function', params: [{ any: 'A' }, { any: 'B' }], ret: 'double' } },
        { name: 'x', type: { type: 'array', items: { type: 'union', of: ['null', { ref: 'A' }] } } },
        { name: 'y', type: { type: 'array', items: { type: 'union', of: ['null', { ref: 'B' }] } } },
      ],
      ret: 'double',
    },
    {
      params: [
        { name: 'similarity', type: { type: 'function', params: [{ any: 'A' }, { any: 'B' }], ret: 'double' } },
        { name: 'x', type: { type: 'array', items: { type: 'union', of: ['null', { ref: 'A' }] } } },
        { name: 'y', type: { type: 'array', items: { type: 'union', of: ['null', { ref: 'B' }] } } },
        { name: 'missingWeight', type: DOUBLES },
      ],
      ret: 'double',
    },
  ],
  sumOfSquares, Math.sqrt,
);

const SIMILARITY = [{ name: 'similarity', type: DOUBLE_SIMILARITY }];

export const squaredEuclidean = missingValueMetric('metric.squaredEuclidean', 28040, metricSigs(SIMILARITY, NULLABLE_DOUBLES), sumOfSquares, (v) => v);

export const chebyshev = missingValueMetric('metric.chebyshev', 28050, metricSigs(SIMILARITY, NULLABLE_DOUBLES), maximum, (v) => v);

export const taxicab = missingValueMetric('metric.taxicab', 28060, metricSigs(SIMILARITY, NULLABLE_DOUBLES), (v) => v.reduce((s, x) => s + x, 0), (v) => v);

export const minkowski = missingValueMetric(
  'metric.minkowski', 28070, metricSigs(SIMILARITY, NULLABLE_DOUBLES, [{ name: 'p', type: 'double' }]),
  // p = ∞ is the Chebyshev metric (the limit of the p-norm).
  (v, p) => (p === Infinity ? maximum(v) : v.reduce((s, x) => s + Math.pow(x, p), 0)),
  (v, p) => (p === Infinity ? v : Math.pow(v, 1 / p)),
  { pCode: 28071 },
);

/** Counts a11, a10, a01, a00 of two binary vectors. */
function binaryCounts(name: string, code: number, x: boolean[], y: boolean[]): [number, number, number, number] {
  if (x.length !== y.length) pfaFail(code, name, 'dimensions of vectors do not match');
  let a11 = 0, a10 = 0, a01 = 0, a00 = 0;
  for (let i = 0; i < x.length; i++) {
    if (x[i]) {
      if (y[i]) a11++;
      else a10++;
    } else if (y[i]) a01++;
    else a00++;
  }
  return [a11, a10, a01, a00];
}

function binaryMetric(name: string, code: number, f: (a11: number, a10: number, a01: number, a00: number) => number): LibFunction {
  return {
    name,
    sigs: [{ params: [{ name: 'x', type: BOOLEANS }, { name: 'y', type: BOOLEANS }], ret: 'double' }],
    make: () => (x: boolean[], y: boolean[]) => f(...binaryCounts(name, code, x, y)),
  };
}

export const simpleMatching = binaryMetric('metric.simpleMatching', 28080, (a11, a10, a01, a00) => (a11 + a00) / (a11 + a10 + a01 + a00));
export const jaccard = binaryMetric('metric.jaccard', 28090, (a11, a10, a01) => a11 / (a11 + a10 + a01));
export const tanimoto = binaryMetric('metric.tanimoto', 28100, (a11, a10, a01, a00) => (a11 + a00) / (a11 + 2 * (a10 + a01) + a00));

export const binarySimilarity: LibFunction = {
  name: 'metric.binarySimilarity',
  sigs: [{
    params: [{ name: 'x', type: BOOLEANS }, { name: 'y', type: BOOLEANS },
      ...['c00', 'c01', 'c10', 'c11', 'd00', 'd01', 'd10', 'd11'].map((name) => ({ name, type: 'double' }))],
    ret: 'double',
  }],
  make: () => (x: boolean[], y: boolean[], c00: number, c01: number, c10: number, c11: number, d00: number, d01: number, d10: number, d11: number) => {
    const [a11, a10, a01, a00] = binaryCounts('metric.binarySimilarity', 28110, x, y);
    return (c11 * a11 + c10 * a10 + c01 * a01 + c00 * a00) / (d11 * a11 + d10 * a10 + d01 * a01 + d00 * a00);
  },
};
