// The drift baseline of a model version: `models/<name>/<version>/baseline.json`,
// written at compile time (src/baseline*.ts: from `--baseline data.csv|jsonl`, or
// from a PMML DataDictionary and ModelStats) and read by the server's drift monitor
// (drift.ts). This file holds the format, its checks, and the bin lookup both
// sides share, so a value falls into the same bin at compile time and at serve time.
//
// Numeric bins: `edges` are the k-1 inner cut points e[0] < e[1] < ... of k bins;
// bin 0 is (-inf, e[0]], bin i is (e[i-1], e[i]], bin k-1 is (e[k-2], +inf).

export const BASELINE_FILE = 'baseline.json';
export const BASELINE_FORMAT = 'mlcompile-baseline';

/** An interval of valid values (PMML Interval closures; a data baseline gives [min, max]). */
export interface ValidInterval {
  readonly low: number | null;
  readonly high: number | null;
  readonly lowClosed: boolean;
  readonly highClosed: boolean;
}

interface FeatureCommon {
  /** The name shown in metrics: the input field, or `<input>[<column>]` for a column of a tensor input. */
  readonly name: string;
  /** The model input the feature is read from. */
  readonly input: string;
  /** The column in the input's trailing dims (tensor inputs of shape [N, F]); absent: the input's value itself. */
  readonly column?: number;
  /** Share of missing values in the baseline data (null: unknown). */
  readonly missingRate: number | null;
}

export interface NumericFeature extends FeatureCommon {
  readonly kind: 'numeric';
  readonly min: number | null;
  readonly max: number | null;
  /** Values outside every interval are out of range (empty: no range known). */
  readonly valid: readonly ValidInterval[];
  /** Inner cut points of the PSI bins (empty with no proportions: no PSI). */
  readonly edges: readonly number[];
  /** Share of the baseline's non-missing values in each bin (edges.length + 1 of them), or null when unknown. */
  readonly proportions: readonly number[] | null;
}

export interface CategoricalFeature extends FeatureCommon {
  readonly kind: 'categorical';
  /** The categories seen in the baseline (or declared valid), in a stable order. */
  readonly categories: readonly string[];
  /** Share of each category among non-missing values, or null when only the set is known (no PSI). */
  readonly proportions: readonly number[] | null;
}

export type BaselineFeature = NumericFeature | CategoricalFeature;

/** A numeric model output's bins, for the prediction distribution (from running the model on the baseline data). */
export interface BaselineOutput {
  readonly name: string;
  readonly edges: readonly number[];
  readonly proportions: readonly number[] | null;
}

export interface Baseline {
  readonly format: typeof BASELINE_FORMAT;
  readonly formatVersion: 1;
  /** Where the statistics come from: the data file's name, or "pmml:DataDictionary", "pmml:ModelStats". */
  readonly source: string;
  /** Rows the statistics were computed from (0 when derived from a model's declarations). */
  readonly rows: number;
  readonly features: readonly BaselineFeature[];
  readonly outputs?: readonly BaselineOutput[];
}

/** Bin of `v` among `edges` (see above): binary search, no allocation. */
export function binIndex(edges: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= edges[mid]) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** True when `v` lies in one of the intervals (an empty list means no range is known: always true). */
export function inValidRange(valid: readonly ValidInterval[], v: number): boolean {
  if (valid.length === 0) return true;
  for (const r of valid) {
    const aboveLow = r.low === null || (r.lowClosed ? v >= r.low : v > r.low);
    const belowHigh = r.high === null || (r.highClosed ? v <= r.high : v < r.high);
    if (aboveLow && belowHigh) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------
// Reading baseline.json: every field checked, so a hand-edited file fails with a message
// naming the feature and key rather than skewing the gauges.

function fail(where: string, what: string): never {
  throw new Error(`${where}: ${what}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function finiteOrNull(v: unknown, where: string): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(where, 'must be a finite number or null');
  return v;
}

function numbers(v: unknown, where: string): number[] {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) fail(where, 'must be an array of finite numbers');
  return v as number[];
}

function proportionsOf(v: unknown, length: number, where: string): number[] | null {
  if (v === null || v === undefined) return null;
  const p = numbers(v, where);
  if (p.length !== length) fail(where, `must have ${length} entries, has ${p.length}`);
  if (p.some((x) => x < 0)) fail(where, 'must not be negative');
  return p;
}

function edgesOf(v: unknown, where: string): number[] {
  const e = numbers(v ?? [], where);
  for (let i = 1; i < e.length; i++) if (!(e[i] > e[i - 1])) fail(where, 'must be strictly increasing');
  return e;
}

function intervalOf(v: unknown, where: string): ValidInterval {
  if (!isObject(v)) fail(where, 'must be an object {low, high, lowClosed, highClosed}');
  return {
    low: finiteOrNull(v.low, `${where}.low`),
    high: finiteOrNull(v.high, `${where}.high`),
    lowClosed: v.lowClosed !== false,
    highClosed: v.highClosed !== false,
  };
}

function featureOf(v: unknown, where: string): BaselineFeature {
  if (!isObject(v)) fail(where, 'must be an object');
  if (typeof v.name !== 'string' || v.name === '') fail(`${where}.name`, 'must be a non-empty string');
  const at = `${where} (${JSON.stringify(v.name)})`;
  const input = typeof v.input === 'string' ? v.input : v.name;
  if (v.column !== undefined && !(Number.isInteger(v.column) && (v.column as number) >= 0)) fail(`${at}.column`, 'must be a non-negative integer');
  const column = v.column as number | undefined;
  const missingRate = finiteOrNull(v.missingRate, `${at}.missingRate`);
  const common = { name: v.name, input, ...(column === undefined ? {} : { column }), missingRate };
  if (v.kind === 'numeric') {
    const edges = edgesOf(v.edges, `${at}.edges`);
    const valid = v.valid === undefined ? [] : Array.isArray(v.valid) ? v.valid.map((r, i) => intervalOf(r, `${at}.valid[${i}]`)) : fail(`${at}.valid`, 'must be an array');
    return { kind: 'numeric', ...common, min: finiteOrNull(v.min, `${at}.min`), max: finiteOrNull(v.max, `${at}.max`), valid, edges, proportions: proportionsOf(v.proportions, edges.length + 1, `${at}.proportions`) };
  }
  if (v.kind === 'categorical') {
    if (!Array.isArray(v.categories) || !v.categories.every((c) => typeof c === 'string')) fail(`${at}.categories`, 'must be an array of strings');
    const categories = v.categories as string[];
    return { kind: 'categorical', ...common, categories, proportions: proportionsOf(v.proportions, categories.length, `${at}.proportions`) };
  }
  return fail(`${at}.kind`, 'must be "numeric" or "categorical"');
}

/** Checks a parsed baseline.json; `where` names the file in messages. */
export function parseBaseline(doc: unknown, where: string): Baseline {
  if (!isObject(doc) || doc.format !== BASELINE_FORMAT) fail(where, `not a baseline file (expected "format": "${BASELINE_FORMAT}")`);
  if (doc.formatVersion !== 1) fail(where, `formatVersion ${JSON.stringify(doc.formatVersion)} is not supported (1 is)`);
  if (!Array.isArray(doc.features)) fail(`${where}: features`, 'must be an array');
  const features = doc.features.map((f, i) => featureOf(f, `${where}: features[${i}]`));
  const outputs = doc.outputs === undefined ? undefined : Array.isArray(doc.outputs)
    ? doc.outputs.map((o, i) => {
      const at = `${where}: outputs[${i}]`;
      if (!isObject(o) || typeof o.name !== 'string') fail(at, 'must be an object with a name');
      const edges = edgesOf(o.edges, `${at}.edges`);
      return { name: o.name, edges, proportions: proportionsOf(o.proportions, edges.length + 1, `${at}.proportions`) };
    })
    : fail(`${where}: outputs`, 'must be an array');
  return {
    format: BASELINE_FORMAT,
    formatVersion: 1,
    source: typeof doc.source === 'string' ? doc.source : '',
    rows: typeof doc.rows === 'number' ? doc.rows : 0,
    features,
    ...(outputs === undefined ? {} : { outputs }),
  };
}

/** The file's text: stable key order and 2-space indentation (compiling twice gives the same bytes). */
export function baselineText(b: Baseline): string {
  return JSON.stringify(b, null, 2) + '\n';
}
