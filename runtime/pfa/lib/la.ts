// PFA library, family "la" (specification §10): linear algebra on vectors and
// matrices represented densely as arrays (of arrays) of double or sparsely as maps (of
// maps) of double. In the map signatures a missing row-column combination is zero; a
// matrix's rows are the outer keys and its columns the union of the inner keys.
// Numerical work (LU, SVD, symmetric eigenproblems) is in la-core.ts.

import { pfaFail, type LibFunction, type LibImpl } from '../types.js';
import { newMap } from '../values.js';
import { determinant, inverse, multiply, pseudoInverse, symmetricEigen, transpose, type Matrix } from './la-core.js';

type Vec = number[];
type MapVec = Record<string, number>;
type MapMat = Record<string, MapVec>;

const V = { type: 'array', items: 'double' };
const M = { type: 'array', items: V };
const MV = { type: 'map', values: 'double' };
const MM = { type: 'map', values: MV };

// ---------------------------------------------------------------------------
// Shape helpers.

/** Whether the rows of an array matrix all have the same length. */
function isRagged(x: Matrix): boolean {
  return x.some((row) => row.length !== x[0].length);
}

/** The union of the inner keys of a map matrix, in first-seen order. */
function columnKeys(x: MapMat): string[] {
  const seen = new Set<string>();
  for (const r of Object.keys(x)) for (const c of Object.keys(x[r])) seen.add(c);
  return [...seen];
}

function unionKeys(...lists: readonly (readonly string[])[]): string[] {
  return [...new Set(lists.flat())];
}

function entry(x: MapMat, r: string, c: string): number {
  return Object.hasOwn(x, r) && Object.hasOwn(x[r], c) ? x[r][c] : 0;
}

function toDense(x: MapMat, rows: readonly string[], cols: readonly string[]): Matrix {
  return rows.map((r) => cols.map((c) => entry(x, r, c)));
}

function toMap(x: Matrix, rows: readonly string[], cols: readonly string[]): MapMat {
  const out = newMap<MapVec>();
  rows.forEach((r, i) => {
    const row = newMap<number>();
    cols.forEach((c, j) => {
      row[c] = x[i][j];
    });
    out[r] = row;
  });
  return out;
}

function mapValues(x: MapVec, f: (v: number) => number): MapVec {
  const out = newMap<number>();
  for (const k of Object.keys(x)) out[k] = f(x[k]);
  return out;
}

const allFinite = (rows: readonly (readonly number[])[]): boolean => rows.every((row) => row.every(Number.isFinite));

// ---------------------------------------------------------------------------
// Element-wise functions.

export const map: LibFunction = {
  name: 'la.map',
  sigs: [
    { params: [{ name: 'x', type: M }, { name: 'fcn', type: { type: 'function', params: ['double'], ret: 'double' } }], ret: M },
    { params: [{ name: 'x', type: MM }, { name: 'fcn', type: { type: 'function', params: ['double'], ret: 'double' } }], ret: MM },
  ],
  make(types): LibImpl {
    if (types.sig === 0) return (x: Matrix, fcn: (v: number) => number) => x.map((row) => row.map((v) => fcn(v)));
    return (x: MapMat, fcn: (v: number) => number) => {
      const out = newMap<MapVec>();
      for (const r of Object.keys(x)) out[r] = mapValues(x[r], (v) => fcn(v));
      return out;
    };
  },
};

export const scale: LibFunction = {
  name: 'la.scale',
  sigs: [
    { params: [{ name: 'x', type: V }, { name: 'alpha', type: 'double' }], ret: V },
    { params: [{ name: 'x', type: M }, { name: 'alpha', type: 'double' }], ret: M },
    { params: [{ name: 'x', type: MV }, { name: 'alpha', type: 'double' }], ret: MV },
    { params: [{ name: 'x', type: MM }, { name: 'alpha', type: 'double' }], ret: MM },
  ],
  make(types): LibImpl {
    switch (types.sig) {
      case 0: return (x: Vec, a: number) => x.map((v) => v * a);
      case 1: return (x: Matrix, a: number) => x.map((row) => row.map((v) => v * a));
      case 2: return (x: MapVec, a: number) => mapValues(x, (v) => v * a);
      default: return (x: MapMat, a: number) => {
        const out = newMap<MapVec>();
        for (const r of Object.keys(x)) out[r] = mapValues(x[r], (v) => v * a);
        return out;
      };
    }
  },
};

/** Dense combination of two equally shaped array matrices. */
function zipMatrix(x: Matrix, y: Matrix, f: (a: number, b: number) => number, code: number, fcn: string): Matrix {
  if (x.length !== y.length || x.some((row, i) => row.length !== y[i].length)) pfaFail(code, fcn, 'misaligned matrices');
  return x.map((row, i) => row.map((v, j) => f(v, y[i][j])));
}

/** Sparse combination of two map matrices over the union of their rows and columns (missing = 0). */
function zipMapMatrix(x: MapMat, y: MapMat, f: (a: number, b: number) => number): MapMat {
  const rows = unionKeys(Object.keys(x), Object.keys(y));
  const cols = unionKeys(columnKeys(x), columnKeys(y));
  const out = newMap<MapVec>();
  for (const r of rows) {
    const row = newMap<number>();
    for (const c of cols) row[c] = f(entry(x, r, c), entry(y, r, c));
    out[r] = row;
  }
  return out;
}

export const zipmap: LibFunction = {
  name: 'la.zipmap',
  sigs: [
    { params: [{ name: 'x', type: M }, { name: 'y', type: M }, { name: 'fcn', type: { type: 'function', params: ['double', 'double'], ret: 'double' } }], ret: M },
    { params: [{ name: 'x', type: MM }, { name: 'y', type: MM }, { name: 'fcn', type: { type: 'function', params: ['double', 'double'], ret: 'double' } }], ret: MM },
  ],
  make(types): LibImpl {
    if (types.sig === 0) return (x: Matrix, y: Matrix, fcn: (a: number, b: number) => number) => zipMatrix(x, y, (a, b) => fcn(a, b), 24020, 'la.zipmap');
    return (x: MapMat, y: MapMat, fcn: (a: number, b: number) => number) => zipMapMatrix(x, y, (a, b) => fcn(a, b));
  },
};

function addLike(name: string, code: number, op: (a: number, b: number) => number): LibFunction {
  return {
    name,
    sigs: [
      { params: [{ name: 'x', type: V }, { name: 'y', type: V }], ret: V },
      { params: [{ name: 'x', type: M }, { name: 'y', type: M }], ret: M },
      { params: [{ name: 'x', type: MV }, { name: 'y', type: MV }], ret: MV },
      { params: [{ name: 'x', type: MM }, { name: 'y', type: MM }], ret: MM },
    ],
    make(types): LibImpl {
      switch (types.sig) {
        case 0: return (x: Vec, y: Vec) => {
          if (x.length !== y.length) pfaFail(code, name, 'misaligned matrices');
          return x.map((v, i) => op(v, y[i]));
        };
        case 1: return (x: Matrix, y: Matrix) => zipMatrix(x, y, op, code, name);
        case 2: return (x: MapVec, y: MapVec) => {
          const out = newMap<number>();
          for (const k of unionKeys(Object.keys(x), Object.keys(y))) out[k] = op(Object.hasOwn(x, k) ? x[k] : 0, Object.hasOwn(y, k) ? y[k] : 0);
          return out;
        };
        default: return (x: MapMat, y: MapMat) => zipMapMatrix(x, y, op);
      }
    },
  };
}

export const add = addLike('la.add', 24030, (a, b) => a + b);
export const sub = addLike('la.sub', 24040, (a, b) => a - b);

// ---------------------------------------------------------------------------
// Products and shape transformations.

export const dot: LibFunction = {
  name: 'la.dot',
  sigs: [
    { params: [{ name: 'x', type: M }, { name: 'y', type: V }], ret: V },
    { params: [{ name: 'x', type: MM }, { name: 'y', type: MV }], ret: MV },
    { params: [{ name: 'x', type: M }, { name: 'y', type: M }], ret: M },
    { params: [{ name: 'x', type: MM }, { name: 'y', type: MM }], ret: MM },
  ],
  make(types): LibImpl {
    const name = 'la.dot';
    const tooFew = (): never => pfaFail(24051, name, 'too few rows/cols');
    const nonFinite = (): never => pfaFail(24052, name, 'contains non-finite value');
    const misaligned = (): never => pfaFail(24050, name, 'misaligned matrices');
    switch (types.sig) {
      case 0: return (x: Matrix, y: Vec) => {
        if (x.length < 1 || x.some((row) => row.length < 1) || y.length < 1) tooFew();
        if (!allFinite(x) || !y.every(Number.isFinite)) nonFinite();
        if (x.some((row) => row.length !== y.length)) misaligned();
        return multiply(x, y.map((v) => [v])).map((row) => row[0]);
      };
      case 2: return (x: Matrix, y: Matrix) => {
        if (x.length < 1 || x.some((row) => row.length < 1) || y.length < 1 || y.some((row) => row.length < 1)) tooFew();
        if (!allFinite(x) || !allFinite(y)) nonFinite();
        if (x.some((row) => row.length !== y.length) || isRagged(y)) misaligned();
        return multiply(x, y);
      };
      case 1: return (x: MapMat, y: MapVec) => {
        const rows = Object.keys(x);
        const inner = unionKeys(columnKeys(x), Object.keys(y));
        if (rows.length < 1 || inner.length < 1) tooFew();
        if (!rows.every((r) => Object.values(x[r]).every(Number.isFinite)) || !Object.values(y).every(Number.isFinite)) nonFinite();
        const out = newMap<number>();
        for (const r of rows) {
          let s = 0;
          for (const k of Object.keys(x[r])) if (Object.hasOwn(y, k)) s += x[r][k] * y[k];
          out[r] = s;
        }
        return out;
      };
      default: return (x: MapMat, y: MapMat) => {
        const rows = Object.keys(x);
        const inner = unionKeys(columnKeys(x), Object.keys(y));
        const cols = columnKeys(y);
        if (rows.length < 1 || inner.length < 1 || cols.length < 1) tooFew();
        const finite = (m: MapMat): boolean => Object.keys(m).every((r) => Object.values(m[r]).every(Number.isFinite));
        if (!finite(x) || !finite(y)) nonFinite();
        return toMap(multiply(toDense(x, rows, inner), toDense(y, inner, cols)), rows, cols);
      };
    }
  },
};

export const transposeFn: LibFunction = {
  name: 'la.transpose',
  sigs: [{ params: [{ name: 'x', type: M }], ret: M }, { params: [{ name: 'x', type: MM }], ret: MM }],
  make(types): LibImpl {
    const name = 'la.transpose';
    if (types.sig === 0) {
      return (x: Matrix) => {
        if (x.length < 1) pfaFail(24060, name, 'too few rows/cols');
        if (isRagged(x)) pfaFail(24061, name, 'ragged columns');
        if (x[0].length < 1) pfaFail(24060, name, 'too few rows/cols');
        return transpose(x);
      };
    }
    return (x: MapMat) => {
      const rows = Object.keys(x);
      const cols = columnKeys(x);
      if (rows.length < 1 || cols.length < 1) pfaFail(24060, name, 'too few rows/cols');
      if (rows.some((r) => Object.keys(x[r]).length !== cols.length)) pfaFail(24061, name, 'ragged columns');
      const out = newMap<MapVec>();
      for (const c of cols) {
        const row = newMap<number>();
        for (const r of rows) row[r] = x[r][c];
        out[c] = row;
      }
      return out;
    };
  },
};

/** Inverse of a square matrix, Moore-Penrose pseudoinverse otherwise. */
function generalInverse(x: Matrix): Matrix {
  return x.length === x[0].length ? inverse(x) : pseudoInverse(x);
}

export const inverseFn: LibFunction = {
  name: 'la.inverse',
  sigs: [{ params: [{ name: 'x', type: M }], ret: M }, { params: [{ name: 'x', type: MM }], ret: MM }],
  make(types): LibImpl {
    const name = 'la.inverse';
    if (types.sig === 0) {
      return (x: Matrix) => {
        if (x.length < 1 || x[0].length < 1) pfaFail(24070, name, 'too few rows/cols');
        if (isRagged(x)) pfaFail(24071, name, 'ragged columns');
        return generalInverse(x);
      };
    }
    return (x: MapMat) => {
      const rows = Object.keys(x), cols = columnKeys(x);
      if (rows.length < 1 || cols.length < 1) pfaFail(24070, name, 'too few rows/cols');
      // The inverse maps the column space back to the row space: its rows are x's columns.
      return toMap(generalInverse(toDense(x, rows, cols)), cols, rows);
    };
  },
};

export const trace: LibFunction = {
  name: 'la.trace',
  sigs: [{ params: [{ name: 'x', type: M }], ret: 'double' }, { params: [{ name: 'x', type: MM }], ret: 'double' }],
  make(types): LibImpl {
    if (types.sig === 0) {
      return (x: Matrix) => {
        if (x.length > 0 && isRagged(x)) pfaFail(24080, 'la.trace', 'ragged columns');
        let s = 0;
        for (let i = 0; i < x.length && i < x[i].length; i++) s += x[i][i];
        return s;
      };
    }
    return (x: MapMat) => {
      let s = 0;
      for (const k of Object.keys(x)) if (Object.hasOwn(x[k], k)) s += x[k][k];
      return s;
    };
  },
};

export const det: LibFunction = {
  name: 'la.det',
  sigs: [{ params: [{ name: 'x', type: M }], ret: 'double' }, { params: [{ name: 'x', type: MM }], ret: 'double' }],
  make(types): LibImpl {
    const name = 'la.det';
    if (types.sig === 0) {
      return (x: Matrix) => {
        if (x.length < 1 || x[0].length < 1) pfaFail(24090, name, 'too few rows/cols');
        if (isRagged(x)) pfaFail(24091, name, 'ragged columns');
        if (x.length !== x[0].length) pfaFail(24092, name, 'non-square matrix');
        return determinant(x);
      };
    }
    return (x: MapMat) => {
      const rows = Object.keys(x), cols = columnKeys(x);
      if (rows.length < 1 || cols.length < 1) pfaFail(24090, name, 'too few rows/cols');
      // A sparse matrix is square over the union of its row and column keys.
      const keys = unionKeys(rows, cols);
      return determinant(toDense(x, keys, keys));
    };
  },
};

export const symmetric: LibFunction = {
  name: 'la.symmetric',
  sigs: [
    { params: [{ name: 'x', type: M }, { name: 'tolerance', type: 'double' }], ret: 'boolean' },
    { params: [{ name: 'x', type: MM }, { name: 'tolerance', type: 'double' }], ret: 'boolean' },
  ],
  make(types): LibImpl {
    const name = 'la.symmetric';
    const check = (x: Matrix, tolerance: number): boolean => {
      for (let i = 0; i < x.length; i++) {
        for (let j = i + 1; j < x.length; j++) if (!(Math.abs(x[i][j] - x[j][i]) < tolerance)) return false;
      }
      return true;
    };
    if (types.sig === 0) {
      return (x: Matrix, tolerance: number) => {
        if (x.length < 1 || x[0].length < 1) pfaFail(24100, name, 'too few rows/cols');
        if (isRagged(x)) pfaFail(24101, name, 'ragged columns');
        if (x.length !== x[0].length) pfaFail(24102, name, 'non-square matrix');
        return check(x, tolerance);
      };
    }
    return (x: MapMat, tolerance: number) => {
      const rows = Object.keys(x), cols = columnKeys(x);
      if (rows.length < 1 || cols.length < 1) pfaFail(24100, name, 'too few rows/cols');
      const keys = unionKeys(rows, cols);
      return check(toDense(x, keys, keys), tolerance);
    };
  },
};

/**
 * Rows: the unit eigenvectors of (x + xᵀ)/2 divided by √eigenvalue, in decreasing order
 * of eigenvalue, each with a positive first component.
 */
function eigenBasisOf(x: Matrix): Matrix {
  const n = x.length;
  const sym = x.map((row, i) => row.map((v, j) => (v + x[j][i]) / 2));
  const { values, vectors } = symmetricEigen(sym);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[b] - values[a]);
  return order.map((k) => {
    const vec = vectors[k];
    const first = vec.find((v) => v !== 0) ?? 1;
    const f = (first < 0 ? -1 : 1) / Math.sqrt(values[k]);
    return vec.map((v) => v * f);
  });
}

export const eigenBasis: LibFunction = {
  name: 'la.eigenBasis',
  sigs: [{ params: [{ name: 'x', type: M }], ret: M }, { params: [{ name: 'x', type: MM }], ret: MM }],
  make(types): LibImpl {
    const name = 'la.eigenBasis';
    if (types.sig === 0) {
      return (x: Matrix) => {
        if (x.length < 1 || x[0].length < 1) pfaFail(24110, name, 'too few rows/cols');
        if (isRagged(x)) pfaFail(24111, name, 'ragged columns');
        if (x.length !== x[0].length) pfaFail(24112, name, 'non-square matrix');
        if (!allFinite(x)) pfaFail(24113, name, 'non-finite matrix');
        return eigenBasisOf(x);
      };
    }
    return (x: MapMat) => {
      const rows = Object.keys(x), cols = columnKeys(x);
      if (rows.length < 1 || cols.length < 1) pfaFail(24110, name, 'too few rows/cols');
      // Square over the union of its row and column keys (missing entries are zero).
      const keys = unionKeys(rows, cols);
      const dense = toDense(x, keys, keys);
      if (!allFinite(dense)) pfaFail(24113, name, 'non-finite matrix');
      return toMap(eigenBasisOf(dense), keys.map((_, i) => String(i)), keys);
    };
  },
};

export const truncate: LibFunction = {
  name: 'la.truncate',
  sigs: [
    { params: [{ name: 'x', type: M }, { name: 'keep', type: 'int' }], ret: M },
    { params: [{ name: 'x', type: MM }, { name: 'keep', type: { type: 'array', items: 'string' } }], ret: MM },
  ],
  make(types): LibImpl {
    const name = 'la.truncate';
    if (types.sig === 0) {
      return (x: Matrix, keep: number) => {
        if (x.length < 1 || x[0].length < 1) pfaFail(24120, name, 'too few rows/cols');
        if (isRagged(x)) pfaFail(24121, name, 'ragged columns');
        return x.slice(0, Math.max(0, keep)).map((row) => row.slice());
      };
    }
    return (x: MapMat, keep: string[]) => {
      const rows = Object.keys(x), cols = columnKeys(x);
      if (rows.length < 1 || cols.length < 1) pfaFail(24120, name, 'too few rows/cols');
      const out = newMap<MapVec>();
      for (const k of keep) if (Object.hasOwn(x, k)) out[k] = mapValues(x[k], (v) => v);
      return out;
    };
  },
};
