// PFA library, family "model.reg" (specification §26.1, regression): applying a linear
// model, propagating its covariance to the prediction, and Gaussian Process (Kriging)
// prediction. Vectors and matrices are arrays (dense: sizes must agree) or maps (sparse:
// a missing row/column entry is zero). Signatures are copied from the function catalogue.
// The deprecated model.reg functions (residual, pull, mahalanobis, updateChi2,
// reducedChi2, chi2Prob; replaced by stat.test.*) are not provided.

import { pfaFail, type LibFunction, type PfaType } from '../types.js';
import { newMap } from '../values.js';

type Vec = readonly number[];
type NumMap = Readonly<Record<string, number>>;
type Rec = Readonly<Record<string, unknown>>;

/** The union of the key sets of some maps, in first-seen order. */
function keyUnion(...maps: readonly object[]): string[] {
  const keys = new Set<string>();
  for (const m of maps) for (const k of Object.keys(m)) keys.add(k);
  return [...keys];
}

function at(m: NumMap | undefined, k: string): number {
  return m !== undefined && Object.hasOwn(m, k) ? m[k] : 0;
}

// ---------------------------------------------------------------------------------
// model.reg.linear

const EMPTY: NumMap = newMap<number>();

/** coeff · datum over all indexes of either (a missing entry is 0). */
function mapDot(coeff: NumMap, datum: NumMap): number {
  let s = 0;
  for (const k of keyUnion(datum, coeff)) s += at(coeff, k) * at(datum, k);
  return s;
}

export const linear: LibFunction = {
  name: 'model.reg.linear',
  sigs: [
    {"params": [{"name": "datum", "type": {"type": "array", "items": "double"}}, {"name": "model", "type": {"type": "record", "label": "M", "fields": [{"name": "coeff", "type": {"type": "array", "items": "double"}}, {"name": "const", "type": "double"}]}}], "ret": "double"},
    {"params": [{"name": "datum", "type": {"type": "array", "items": "double"}}, {"name": "model", "type": {"type": "record", "label": "M", "fields": [{"name": "coeff", "type": {"type": "array", "items": {"type": "array", "items": "double"}}}, {"name": "const", "type": {"type": "array", "items": "double"}}]}}], "ret": {"type": "array", "items": "double"}},
    {"params": [{"name": "datum", "type": {"type": "map", "values": "double"}}, {"name": "model", "type": {"type": "record", "label": "M", "fields": [{"name": "coeff", "type": {"type": "map", "values": "double"}}, {"name": "const", "type": "double"}]}}], "ret": "double"},
    {"params": [{"name": "datum", "type": {"type": "map", "values": "double"}}, {"name": "model", "type": {"type": "record", "label": "M", "fields": [{"name": "coeff", "type": {"type": "map", "values": {"type": "map", "values": "double"}}}, {"name": "const", "type": {"type": "map", "values": "double"}}]}}], "ret": {"type": "map", "values": "double"}},
  ],
  make(types) {
    const fcn = 'model.reg.linear';
    const row = (coeff: Vec, datum: Vec): number => {
      if (coeff.length !== datum.length) pfaFail(31000, fcn, 'misaligned coeff');
      let s = 0;
      for (let i = 0; i < datum.length; i++) s += coeff[i] * datum[i];
      return s;
    };
    switch (types.sig) {
      case 0: return (datum: Vec, model: Rec) => row(model.coeff as Vec, datum) + (model.const as number);
      case 1: return (datum: Vec, model: Rec) => {
        const coeff = model.coeff as readonly Vec[], constant = model.const as Vec;
        if (constant.length !== coeff.length) pfaFail(31001, fcn, 'misaligned const');
        return coeff.map((r, i) => row(r, datum) + constant[i]);
      };
      case 2: return (datum: NumMap, model: Rec) => mapDot(model.coeff as NumMap, datum) + (model.const as number);
      default: return (datum: NumMap, model: Rec) => {
        const coeff = model.coeff as Readonly<Record<string, NumMap>>, constant = model.const as NumMap;
        const out = newMap<number>();
        for (const k of keyUnion(coeff, constant)) out[k] = mapDot(Object.hasOwn(coeff, k) ? coeff[k] : EMPTY, datum) + at(constant, k);
        return out;
      };
    }
  },
};

// ---------------------------------------------------------------------------------
// model.reg.linearVariance

export const linearVariance: LibFunction = {
  name: 'model.reg.linearVariance',
  sigs: [
    {"params": [{"name": "datum", "type": {"type": "array", "items": "double"}}, {"name": "model", "type": {"type": "record", "label": "M", "fields": [{"name": "covar", "type": {"type": "array", "items": {"type": "array", "items": "double"}}}]}}], "ret": "double"},
    {"params": [{"name": "datum", "type": {"type": "array", "items": "double"}}, {"name": "model", "type": {"type": "record", "label": "M", "fields": [{"name": "covar", "type": {"type": "array", "items": {"type": "array", "items": {"type": "array", "items": "double"}}}}]}}], "ret": {"type": "array", "items": "double"}},
    {"params": [{"name": "datum", "type": {"type": "map", "values": "double"}}, {"name": "model", "type": {"type": "record", "label": "M", "fields": [{"name": "covar", "type": {"type": "map", "values": {"type": "map", "values": "double"}}}]}}], "ret": "double"},
    {"params": [{"name": "datum", "type": {"type": "map", "values": "double"}}, {"name": "model", "type": {"type": "record", "label": "M", "fields": [{"name": "covar", "type": {"type": "map", "values": {"type": "map", "values": {"type": "map", "values": "double"}}}}]}}], "ret": {"type": "map", "values": "double"}},
  ],
  make(types) {
    const fcn = 'model.reg.linearVariance';
    // oᵀ C o with o = datum extended by a constant 1 (last index, or key "" in maps).
    const dense = (datum: Vec, covar: readonly Vec[]): number => {
      const n = datum.length + 1;
      if (covar.length !== n || covar.some((r) => r.length !== n)) pfaFail(31010, fcn, 'misaligned covariance');
      const o = [...datum, 1];
      let s = 0;
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) s += o[i] * covar[i][j] * o[j];
      return s;
    };
    const sparse = (datum: NumMap, covar: Readonly<Record<string, NumMap>>): number => {
      const o = newMap<number>();
      for (const k of Object.keys(datum)) o[k] = datum[k];
      o[''] = 1;
      const keys = keyUnion(o, covar, ...Object.keys(covar).map((k) => covar[k]));
      let s = 0;
      for (const i of keys) for (const j of keys) s += at(o, i) * at(covar[i], j) * at(o, j);
      return s;
    };
    switch (types.sig) {
      case 0: return (datum: Vec, model: Rec) => dense(datum, model.covar as readonly Vec[]);
      case 1: return (datum: Vec, model: Rec) => (model.covar as readonly (readonly Vec[])[]).map((c) => dense(datum, c));
      case 2: return (datum: NumMap, model: Rec) => sparse(datum, model.covar as Readonly<Record<string, NumMap>>);
      default: return (datum: NumMap, model: Rec) => {
        const covars = model.covar as Readonly<Record<string, Readonly<Record<string, NumMap>>>>;
        const out = newMap<number>();
        for (const k of Object.keys(covars)) out[k] = sparse(datum, covars[k]);
        return out;
      };
    }
  },
};

// ---------------------------------------------------------------------------------
// model.reg.gaussianProcess

/** Lower-triangular L with L Lᵀ = A (A symmetric, given by its lower triangle), or null if A is not positive definite. */
function cholesky(a: readonly Float64Array[]): Float64Array[] | null {
  const n = a.length;
  const l = a.map(() => new Float64Array(n));
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      if (i === j) {
        if (!(s > 0)) return null;
        l[i][i] = Math.sqrt(s);
      } else {
        l[i][j] = s / l[j][j];
      }
    }
  }
  return l;
}

/** Solves L z = b (forward substitution). */
function solveLower(l: readonly Float64Array[], b: ArrayLike<number>): Float64Array {
  const n = l.length, z = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * z[k];
    z[i] = s / l[i][i];
  }
  return z;
}

/** Solves Lᵀ z = b (back substitution). */
function solveUpper(l: readonly Float64Array[], b: ArrayLike<number>): Float64Array {
  const n = l.length, z = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k][i] * z[k];
    z[i] = s / l[i][i];
  }
  return z;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Mean and population standard deviation (a zero deviation is replaced by 1). */
function meanStd(values: ArrayLike<number>): [number, number] {
  const n = values.length;
  let m = 0;
  for (let i = 0; i < n; i++) m += values[i];
  m /= n;
  let v = 0;
  for (let i = 0; i < n; i++) v += (values[i] - m) ** 2;
  const sd = Math.sqrt(v / n);
  return [m, sd === 0 ? 1 : sd];
}

const allFinite = (v: number | Vec): boolean => (typeof v === 'number' ? Number.isFinite(v) : v.every(Number.isFinite));

/**
 * Gaussian Process regression as Kriging with a constant trend (the sklearn-style
 * formulation the reference implementation follows):
 *  - positions and each output are standardised (mean 0, standard deviation 1);
 *  - R = kernel(xᵢ, xⱼ) off the diagonal and 1 + (σᵢ/toᵢ)² on it (σ = the optional
 *    `sigma` field, a nugget for noisy data; 0 without it); its Cholesky factor must exist;
 *  - the trend β is the generalised least squares estimate 1ᵀR⁻¹y / 1ᵀR⁻¹1 (universal
 *    Kriging, krigingWeight null) or the given krigingWeight (in the units of `to`);
 *  - the prediction at x is β + r(x)ᵀ R⁻¹ (y − β), with r(x)ᵢ = kernel(x, xᵢ),
 *    transformed back to the units of `to`. Each output dimension is fitted separately.
 */
export const gaussianProcess: LibFunction = {
  name: 'model.reg.gaussianProcess',
  sigs: [
    {"params": [{"name": "x", "type": "double"}, {"name": "table", "type": {"type": "array", "items": {"type": "record", "label": "R", "fields": [{"name": "x", "type": "double"}, {"name": "to", "type": "double"}]}}}, {"name": "krigingWeight", "type": {"type": "union", "of": ["null", "double"]}}, {"name": "kernel", "type": {"type": "function", "params": [{"type": "array", "items": "double"}, {"type": "array", "items": "double"}], "ret": "double"}}], "ret": "double"},
    {"params": [{"name": "x", "type": "double"}, {"name": "table", "type": {"type": "array", "items": {"type": "record", "label": "R", "fields": [{"name": "x", "type": "double"}, {"name": "to", "type": {"type": "array", "items": "double"}}]}}}, {"name": "krigingWeight", "type": {"type": "union", "of": ["null", "double"]}}, {"name": "kernel", "type": {"type": "function", "params": [{"type": "array", "items": "double"}, {"type": "array", "items": "double"}], "ret": "double"}}], "ret": {"type": "array", "items": "double"}},
    {"params": [{"name": "x", "type": {"type": "array", "items": "double"}}, {"name": "table", "type": {"type": "array", "items": {"type": "record", "label": "R", "fields": [{"name": "x", "type": {"type": "array", "items": "double"}}, {"name": "to", "type": "double"}]}}}, {"name": "krigingWeight", "type": {"type": "union", "of": ["null", "double"]}}, {"name": "kernel", "type": {"type": "function", "params": [{"type": "array", "items": "double"}, {"type": "array", "items": "double"}], "ret": "double"}}], "ret": "double"},
    {"params": [{"name": "x", "type": {"type": "array", "items": "double"}}, {"name": "table", "type": {"type": "array", "items": {"type": "record", "label": "R", "fields": [{"name": "x", "type": {"type": "array", "items": "double"}}, {"name": "to", "type": {"type": "array", "items": "double"}}]}}}, {"name": "krigingWeight", "type": {"type": "union", "of": ["null", "double"]}}, {"name": "kernel", "type": {"type": "function", "params": [{"type": "array", "items": "double"}, {"type": "array", "items": "double"}], "ret": "double"}}], "ret": {"type": "array", "items": "double"}},
  ],
  make(types) {
    const fcn = 'model.reg.gaussianProcess';
    const vectorX = types.sig >= 2, vectorTo = types.sig === 1 || types.sig === 3;
    const row: PfaType | undefined = types.params[1].kind === 'array' ? types.params[1].items : undefined;
    const sigmaType = row?.kind === 'record' ? row.fields.find((f) => f.name === 'sigma')?.type : undefined;
    const hasSigma = sigmaType !== undefined && (sigmaType.kind === 'double' || sigmaType.kind === 'float' || sigmaType.kind === 'int' || sigmaType.kind === 'long' || (sigmaType.kind === 'array' && ['int', 'long', 'float', 'double'].includes(sigmaType.items.kind)));
    const fail = (code: number, message: string): never => pfaFail(code, fcn, message);

    return (x: number | Vec, table: readonly Rec[], krigingWeight: number | null, kernel: (a: Vec, b: Vec) => number) => {
      // Validation, in the order of the catalogue's error list (31084 before 31083).
      if (table.length === 0) fail(31080, 'table must have at least 1 entry');
      const xv: Vec = vectorX ? (x as Vec) : [x as number];
      if (vectorX && xv.length === 0) fail(31081, 'x must have at least 1 feature');
      if (vectorX && table.some((r) => (r.x as Vec).length !== xv.length)) fail(31082, 'table must have the same number of features as x');
      const outputs = vectorTo ? (table[0].to as Vec).length : 1;
      if (vectorTo) {
        if (table.some((r) => (r.to as Vec).length !== outputs)) fail(31084, 'table outputs must all have the same number of dimensions');
        if (outputs === 0) fail(31083, 'table outputs must have at least 1 dimension');
      }
      if (!allFinite(xv)) fail(31085, 'x is not finite');
      if (table.some((r) => !allFinite(r.x as number | Vec) || !allFinite(r.to as number | Vec) || (hasSigma && !allFinite(r.sigma as number | Vec)))) fail(31086, 'table value is not finite');
      if (krigingWeight !== null && !Number.isFinite(krigingWeight)) fail(31087, 'krigingWeight is not finite');

      const n = table.length, d = xv.length;
      const positions: Vec[] = table.map((r) => (vectorX ? (r.x as Vec) : [r.x as number]));
      const values: Vec[] = table.map((r) => (vectorTo ? (r.to as Vec) : [r.to as number]));
      const sigmas: Vec[] = table.map((r) => {
        if (!hasSigma) return [];
        const s = r.sigma as number | Vec;
        return typeof s === 'number' ? new Array<number>(outputs).fill(s) : s;
      });

      // Standardised positions, and the kernel between them (shared by all outputs).
      const xStats = Array.from({ length: d }, (_, j) => meanStd(positions.map((p) => p[j])));
      const scale = (p: Vec): number[] => p.map((v, j) => (v - xStats[j][0]) / xStats[j][1]);
      const points = positions.map(scale);
      const k = Array.from({ length: n }, () => new Float64Array(n));
      for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) k[i][j] = k[j][i] = kernel(points[i], points[j]);
      const at = scale(xv);
      const r = points.map((p) => kernel(at, p));

      const result: number[] = [];
      for (let o = 0; o < outputs; o++) {
        const y = values.map((v) => v[o]);
        const [ym, ys] = meanStd(y);
        const yn = y.map((v) => (v - ym) / ys);
        const a = k.map((rowK, i) => {
          const copy = Float64Array.from(rowK);
          const nugget = hasSigma ? (sigmas[i][o] ?? 0) / y[i] : 0;
          copy[i] = 1 + nugget * nugget;
          return copy;
        });
        const l = cholesky(a);
        if (l === null) return fail(31088, 'matrix of kernel results is not positive definite');
        const ones = solveLower(l, new Float64Array(n).fill(1)), yt = solveLower(l, yn);
        const beta = krigingWeight === null ? dot(ones, yt) / dot(ones, ones) : (krigingWeight - ym) / ys;
        const gamma = solveUpper(l, yt.map((v, i) => v - ones[i] * beta));
        result.push(ym + ys * (beta + dot(r, gamma)));
      }
      return vectorTo ? result : result[0];
    };
  },
};
