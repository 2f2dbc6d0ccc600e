// ComparisonMeasure: the distances and similarities of PMML's ClusteringModel
// and NearestNeighborModel, with the per-field compare functions.
//
// Usage (compile time):
//   const spec = parseComparisonMeasure(el, path);           // <ComparisonMeasure>
//   const measure = compileMeasure(spec, fields, path);        // one FieldComparison per input field
// Usage (per row):
//   measure.compute(x, centers, k * n)                         // x: the row's values, centers: flat rows
//   measure.better(a, b)                                        // true when a is the closer match
//
// Values are numbers. The caller encodes every field the same way for the row and
// for the reference vectors (cluster centres, training instances):
//   - continuous fields: the number itself;
//   - categorical fields compared with delta/equal: any code that is equal exactly when
//     the values are equal (e.g. the category's index, see categoryCodes in the caller);
//   - compareFunction="table": the 0-based index of the category in the table's order;
//   - binary similarities (simpleMatching, jaccard, tanimoto, binarySimilarity): 0 or 1
//     (any non-zero number counts as 1).
// A missing value is NaN (in the row or in the reference vector): its term is left out and
// the distance is adjusted (see compute()).

import { child, fail, numAttr, numberArray, parseNumber, unsupported } from '../el.js';
import type { El } from '../types.js';

export type MeasureKind = 'distance' | 'similarity';

export type CompareFunctionName = 'absDiff' | 'gaussSim' | 'delta' | 'equal' | 'table';

export type MetricName =
  | 'euclidean' | 'squaredEuclidean' | 'chebychev' | 'cityBlock' | 'minkowski'
  | 'simpleMatching' | 'jaccard' | 'tanimoto' | 'binarySimilarity';

export const COMPARE_FUNCTIONS: readonly CompareFunctionName[] = ['absDiff', 'gaussSim', 'delta', 'equal', 'table'];

const METRICS: readonly MetricName[] = [
  'euclidean', 'squaredEuclidean', 'chebychev', 'cityBlock', 'minkowski',
  'simpleMatching', 'jaccard', 'tanimoto', 'binarySimilarity',
];

/** The parameters of binarySimilarity (c11-parameter ... d00-parameter). */
export interface BinarySimilarityParameters {
  readonly c00: number; readonly c01: number; readonly c10: number; readonly c11: number;
  readonly d00: number; readonly d01: number; readonly d10: number; readonly d11: number;
}

/** A parsed <ComparisonMeasure>. */
export interface ComparisonMeasureSpec {
  /** kind: distance (smaller = closer) or similarity (larger = closer). */
  readonly kind: MeasureKind;
  /** The metric element inside ComparisonMeasure. */
  readonly metric: MetricName;
  /** ComparisonMeasure@compareFunction (default absDiff): the default for fields that name none. */
  readonly compareFunction: CompareFunctionName;
  /** minkowski p-parameter (2 for the others; unused by them). */
  readonly p: number;
  /** binarySimilarity parameters (undefined for the other metrics). */
  readonly binary?: BinarySimilarityParameters;
}

/** How one field takes part in the measure. */
export interface FieldComparison {
  /** The compare function (the field's own, else the ComparisonMeasure's). */
  readonly compareFunction: CompareFunctionName;
  /** fieldWeight (default 1): multiplies the field's term. */
  readonly weight?: number;
  /** similarityScale: required for gaussSim. */
  readonly similarityScale?: number;
  /** compareFunction="table": the comparison matrix, row-major, size×size (see parseMatrix). */
  readonly table?: { readonly size: number; readonly values: Float64Array };
  /**
   * MissingValueWeights (ClusteringModel): the field's q_i for the missing-value adjustment
   * (default 1).
   */
  readonly missingWeight?: number;
}

/** A compiled measure over a fixed list of fields. */
export interface Measure {
  readonly kind: MeasureKind;
  readonly metric: MetricName;
  /** Number of fields (length of a vector). */
  readonly size: number;
  /**
   * The measure between `x` (x[0..size)) and `y` (y[offset..offset+size)).
   * Distances: the terms of non-missing fields, weighted, aggregated by the metric; the
   * aggregate (before the root of euclidean/minkowski, or the max of chebychev) is multiplied
   * by adjustM = Σ q_i / Σ q_i·nonmissing_i (PMML's missing-value adjustment; 1 without
   * missing values). Similarities: the counts a11, a10, a01, a00 over non-missing fields.
   * NaN when every field is missing.
   */
  compute(x: ArrayLike<number>, y: ArrayLike<number>, offset?: number): number;
  /** True when measure value `a` is a strictly better match than `b` (distance: smaller; similarity: larger). */
  better(a: number, b: number): boolean;
}

/** Reads a COMPARE-FUNCTION attribute (`compareFunction`); `fallback` when absent. */
export function compareFunctionAttr(el: El, path: string, fallback: CompareFunctionName): CompareFunctionName;
export function compareFunctionAttr(el: El, path: string, fallback?: CompareFunctionName): CompareFunctionName | undefined;
export function compareFunctionAttr(el: El, path: string, fallback?: CompareFunctionName): CompareFunctionName | undefined {
  const v = el.a.compareFunction;
  if (v === undefined) return fallback;
  if (!(COMPARE_FUNCTIONS as readonly string[]).includes(v)) {
    fail(path, `compareFunction="${v}" is not one of ${COMPARE_FUNCTIONS.join(', ')}`);
  }
  return v as CompareFunctionName;
}

/** Parses a <ComparisonMeasure> element. */
export function parseComparisonMeasure(el: El, path: string): ComparisonMeasureSpec {
  const kindText = el.a.kind;
  if (kindText !== 'distance' && kindText !== 'similarity') {
    fail(path, kindText === undefined ? '<ComparisonMeasure> needs the attribute kind' : `kind="${kindText}" is not distance or similarity`);
  }
  const compareFunction = compareFunctionAttr(el, path, 'absDiff');
  const metricEl = el.c.find((c) => (METRICS as readonly string[]).includes(c.n));
  if (!metricEl) {
    const other = el.c.find((c) => c.n !== 'Extension');
    if (other) unsupported(`${path}/${other.n}`, `<${other.n}> is not a ComparisonMeasure metric`);
    fail(path, `<ComparisonMeasure> needs a metric element (${METRICS.join(', ')})`);
  }
  const metric = metricEl.n as MetricName;
  const mpath = `${path}/${metric}`;
  let p = 2;
  if (metric === 'minkowski') {
    p = numAttr(metricEl, 'p-parameter', mpath);
    if (!(p > 0)) fail(mpath, `p-parameter="${metricEl.a['p-parameter']}" must be positive`);
  }
  let binary: BinarySimilarityParameters | undefined;
  if (metric === 'binarySimilarity') {
    const n = (name: string): number => numAttr(metricEl, `${name}-parameter`, mpath);
    binary = {
      c00: n('c00'), c01: n('c01'), c10: n('c10'), c11: n('c11'),
      d00: n('d00'), d01: n('d01'), d10: n('d10'), d11: n('d11'),
    };
  }
  return { kind: kindText, metric, compareFunction, p, binary };
}

/** True for the metrics computed from 0/1 counts (simpleMatching, jaccard, tanimoto, binarySimilarity). */
export function isBinaryMetric(metric: MetricName): boolean {
  return metric === 'simpleMatching' || metric === 'jaccard' || metric === 'tanimoto' || metric === 'binarySimilarity';
}

/**
 * The compare function c(x, y) of one field, for callers that need it alone.
 * absDiff |x-y|; gaussSim exp(-ln 2 · (x-y)² / s²); delta 0 when equal else 1;
 * equal 1 when equal else 0; table: values[x·size + y].
 */
export function compareValues(f: FieldComparison, x: number, y: number): number {
  switch (f.compareFunction) {
    case 'absDiff': return Math.abs(x - y);
    case 'gaussSim': {
      const z = x - y;
      const s = f.similarityScale ?? NaN;
      return Math.exp((-Math.LN2 * z * z) / (s * s));
    }
    case 'delta': return x === y ? 0 : 1;
    case 'equal': return x === y ? 1 : 0;
    case 'table': {
      const t = f.table;
      if (!t || x < 0 || y < 0 || x >= t.size || y >= t.size) return NaN;
      return t.values[x * t.size + y];
    }
  }
}

const ABS = 0;
const GAUSS = 1;
const DELTA = 2;
const EQUAL = 3;
const TABLE = 4;

/**
 * Compiles a measure over `fields` (in vector order). Compile errors: gaussSim without a
 * positive similarityScale, table without a table.
 */
export function compileMeasure(spec: ComparisonMeasureSpec, fields: readonly FieldComparison[], path: string): Measure {
  const n = fields.length;
  const codes = new Uint8Array(n);
  const weights = new Float64Array(n);
  const qs = new Float64Array(n);
  const scales = new Float64Array(n); // -ln2 / s² for gaussSim
  const tables: (Float64Array | null)[] = new Array<Float64Array | null>(n).fill(null);
  const tableSizes = new Int32Array(n);
  let qTotal = 0;
  let allAbs = true;
  fields.forEach((f, i) => {
    weights[i] = f.weight ?? 1;
    qs[i] = f.missingWeight ?? 1;
    qTotal += qs[i];
    switch (f.compareFunction) {
      case 'absDiff': codes[i] = ABS; break;
      case 'gaussSim': {
        const s = f.similarityScale;
        if (s === undefined || !(s > 0)) fail(path, `field ${i + 1} uses compareFunction="gaussSim" and needs a positive similarityScale`);
        codes[i] = GAUSS;
        scales[i] = -Math.LN2 / (s * s);
        break;
      }
      case 'delta': codes[i] = DELTA; break;
      case 'equal': codes[i] = EQUAL; break;
      case 'table':
        if (!f.table) fail(path, `field ${i + 1} uses compareFunction="table" and needs a comparison matrix`);
        codes[i] = TABLE;
        tables[i] = f.table.values;
        tableSizes[i] = f.table.size;
        break;
    }
    if (codes[i] !== ABS) allAbs = false;
  });

  const term = (i: number, xi: number, yi: number): number => {
    switch (codes[i]) {
      case ABS: return Math.abs(xi - yi);
      case GAUSS: {
        const z = xi - yi;
        return Math.exp(scales[i] * z * z);
      }
      case DELTA: return xi === yi ? 0 : 1;
      case EQUAL: return xi === yi ? 1 : 0;
      default: {
        const size = tableSizes[i];
        if (xi < 0 || yi < 0 || xi >= size || yi >= size) return NaN;
        return (tables[i] as Float64Array)[xi * size + yi];
      }
    }
  };

  const better = spec.kind === 'distance' ? (a: number, b: number) => a < b : (a: number, b: number) => a > b;
  const base = { kind: spec.kind, metric: spec.metric, size: n, better };

  if (isBinaryMetric(spec.metric)) {
    const b = spec.binary;
    const metric = spec.metric;
    return {
      ...base,
      compute(x, y, offset = 0) {
        let a11 = 0, a10 = 0, a01 = 0, a00 = 0;
        for (let i = 0; i < n; i++) {
          const xi = x[i];
          const yi = y[offset + i];
          if (xi !== xi || yi !== yi) continue;
          if (xi !== 0) {
            if (yi !== 0) a11++;
            else a10++;
          } else if (yi !== 0) a01++;
          else a00++;
        }
        if (a11 + a10 + a01 + a00 === 0) return NaN;
        switch (metric) {
          case 'simpleMatching': return (a11 + a00) / (a11 + a10 + a01 + a00);
          case 'jaccard': return a11 / (a11 + a10 + a01);
          case 'tanimoto': return (a11 + a00) / (a11 + 2 * (a10 + a01) + a00);
          default: {
            const p = b as BinarySimilarityParameters;
            return (p.c11 * a11 + p.c10 * a10 + p.c01 * a01 + p.c00 * a00) / (p.d11 * a11 + p.d10 * a10 + p.d01 * a01 + p.d00 * a00);
          }
        }
      },
    };
  }

  const metric = spec.metric;
  const p = spec.p;
  // Aggregation: 0 sum of w·c², 1 sum of w·c, 2 max of w·c, 3 sum of w·c^p.
  const agg = metric === 'euclidean' || metric === 'squaredEuclidean' ? 0 : metric === 'cityBlock' ? 1 : metric === 'chebychev' ? 2 : 3;
  const finish = (acc: number, present: number): number => {
    if (present === 0) return NaN;
    const adjusted = present === qTotal ? acc : (acc * qTotal) / present;
    switch (metric) {
      case 'euclidean': return Math.sqrt(adjusted);
      case 'minkowski': return Math.pow(adjusted, 1 / p);
      default: return adjusted;
    }
  };

  if (allAbs && agg === 0) {
    // The common case (euclidean/squaredEuclidean with absDiff): one tight loop.
    return {
      ...base,
      compute(x, y, offset = 0) {
        let acc = 0;
        let present = 0;
        for (let i = 0; i < n; i++) {
          const d = x[i] - y[offset + i];
          if (d !== d) continue;
          acc += weights[i] * d * d;
          present += qs[i];
        }
        return finish(acc, present);
      },
    };
  }

  return {
    ...base,
    compute(x, y, offset = 0) {
      let acc = 0;
      let present = 0;
      for (let i = 0; i < n; i++) {
        const xi = x[i];
        const yi = y[offset + i];
        if (xi !== xi || yi !== yi) continue;
        const c = term(i, xi, yi);
        if (c !== c) continue;
        present += qs[i];
        const w = weights[i];
        switch (agg) {
          case 0: acc += w * c * c; break;
          case 1: acc += w * c; break;
          case 2: { const v = w * c; if (v > acc) acc = v; break; }
          default: acc += w * Math.pow(c, p);
        }
      }
      return finish(acc, present);
    },
  };
}

/**
 * Parses a <Matrix> (kind any, symmetric or diagonal; Array rows or MatCell cells with
 * diagDefault/offDiagDefault) into a row-major Float64Array. For a comparison table the
 * matrix is square; `size` is its number of rows.
 */
export function parseMatrix(el: El, path: string): { readonly rows: number; readonly cols: number; readonly values: Float64Array } {
  const kind = el.a.kind ?? 'any';
  if (kind !== 'any' && kind !== 'symmetric' && kind !== 'diagonal') fail(path, `kind="${kind}" is not any, symmetric or diagonal`);
  const arrays = el.c.filter((c) => c.n === 'Array' || c.n === 'REAL-SparseArray' || c.n === 'INT-SparseArray');
  const cells = el.c.filter((c) => c.n === 'MatCell');
  const rowsAttr = el.a.nbRows === undefined ? undefined : numAttr(el, 'nbRows', path);
  const colsAttr = el.a.nbCols === undefined ? undefined : numAttr(el, 'nbCols', path);
  const diagDefault = el.a.diagDefault === undefined ? NaN : numAttr(el, 'diagDefault', path);
  // A diagonal matrix is 0 off the diagonal unless offDiagDefault says otherwise.
  const offDiagDefault = el.a.offDiagDefault === undefined ? (kind === 'diagonal' ? 0 : NaN) : numAttr(el, 'offDiagDefault', path);
  const rowsData: number[][] = arrays.map((a, i) => numberArray(a, `${path}/${a.n}[${i + 1}]`));
  let rows: number;
  let cols: number;
  if (arrays.length > 0) {
    if (kind === 'diagonal') {
      rows = cols = rowsData[0].length;
    } else if (kind === 'symmetric') {
      rows = cols = rowsData.length;
    } else {
      rows = rowsData.length;
      cols = rowsData[0].length;
    }
  } else {
    let maxR = 0;
    let maxC = 0;
    for (const c of cells) {
      maxR = Math.max(maxR, numAttr(c, 'row', path));
      maxC = Math.max(maxC, numAttr(c, 'col', path));
    }
    rows = rowsAttr ?? maxR;
    cols = colsAttr ?? maxC;
    if (kind !== 'any') rows = cols = Math.max(rows, cols);
  }
  if (rowsAttr !== undefined && rowsAttr !== rows) fail(path, `nbRows="${rowsAttr}" but the matrix has ${rows} rows`);
  if (colsAttr !== undefined && colsAttr !== cols) fail(path, `nbCols="${colsAttr}" but the matrix has ${cols} columns`);
  const values = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) values[r * cols + c] = r === c ? diagDefault : offDiagDefault;
  if (arrays.length > 0) {
    if (kind === 'diagonal') {
      for (let i = 0; i < rows; i++) values[i * cols + i] = rowsData[0][i];
    } else if (kind === 'symmetric') {
      for (let r = 0; r < rows; r++) {
        if (rowsData[r].length !== r + 1) fail(path, `row ${r + 1} of a symmetric matrix needs ${r + 1} entries (lower triangle), not ${rowsData[r].length}`);
        for (let c = 0; c <= r; c++) {
          values[r * cols + c] = rowsData[r][c];
          values[c * cols + r] = rowsData[r][c];
        }
      }
    } else {
      for (let r = 0; r < rows; r++) {
        if (rowsData[r].length !== cols) fail(path, `row ${r + 1} has ${rowsData[r].length} entries, not ${cols}`);
        for (let c = 0; c < cols; c++) values[r * cols + c] = rowsData[r][c];
      }
    }
  } else {
    for (const cell of cells) {
      const r = numAttr(cell, 'row', path) - 1;
      const c = numAttr(cell, 'col', path) - 1;
      const v = parseNumber(cell.t ?? '', path, `MatCell row="${r + 1}" col="${c + 1}" value`);
      values[r * cols + c] = v;
      if (kind === 'symmetric') values[c * cols + r] = v;
    }
  }
  return { rows, cols, values };
}

/** The comparison table of a field (ClusteringField/Comparisons/Matrix), square. */
export function parseComparisonTable(comparisons: El, path: string): { readonly size: number; readonly values: Float64Array } {
  const m = child(comparisons, 'Matrix') ?? fail(path, '<Comparisons> needs a <Matrix>');
  const parsed = parseMatrix(m, `${path}/Matrix`);
  if (parsed.rows !== parsed.cols) fail(`${path}/Matrix`, `a comparison matrix must be square, not ${parsed.rows}×${parsed.cols}`);
  return { size: parsed.rows, values: parsed.values };
}
