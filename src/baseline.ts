// Compile-time drift baselines (`mlcompile model --target server --baseline data.csv`):
// per-feature statistics of the data a model was trained or validated on, written to
// models/<name>/<version>/baseline.json for the server's drift monitor
// (runtime/server/drift.ts). The format and the bin rule live in
// runtime/server/baseline.ts, shared with the server.
//
// Features are the model's inputs: a scalar input (a PMML field) is one feature; a
// tensor input of shape [N, F] gives F features, one per column. The data file is CSV
// with a header, or JSON Lines, read as `validate` reads inputs (src/validate/read-inputs.ts):
// a column or key named after an input holds its value, `<input>[j]` holds column j of a
// tensor input, and for a model with a single tensor input whose name no column uses,
// the columns in header order are its columns (then the features take the column names).
//
// Numeric features: 10 quantile bins (inner cut points at the 10th..90th percentiles,
// ties merged, so a feature with few distinct values has fewer bins), the share of
// the non-missing values in each bin, min and max (the range beyond which a value is
// out of range), and the missing rate. Categorical features (strings, booleans):
// category shares (up to MAX_CATEGORIES, most frequent first) and the missing rate.

import { basename } from 'node:path';
import { DiagnosticError } from './diagnostics/diagnostic.js';
import { RecordStream, type DataRecord, type FieldSpec } from './validate/read-inputs.js';
import { BASELINE_FORMAT, binIndex, type Baseline, type BaselineFeature } from '../runtime/server/baseline.js';

/** Numeric features get this many bins (fewer when quantiles tie). */
export const BASELINE_BINS = 10;
/** Categorical features keep at most this many categories (the most frequent); the rest count as unseen. */
export const MAX_CATEGORIES = 1000;
/** Tensor inputs with more columns than this (images...) are not monitored column by column. */
export const MAX_TENSOR_COLUMNS = 1024;

const NUMERIC_TYPES = new Set(['double', 'float', 'integer', 'float16', 'float32', 'float64', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64']);
const CATEGORICAL_TYPES = new Set(['string', 'boolean', 'bool']);

/** A feature being measured: where its values come from and what they are. */
export interface FeatureSlot {
  readonly name: string;
  readonly input: string;
  readonly column?: number;
  readonly kind: 'numeric' | 'categorical';
}

function dataError(file: string, message: string, line?: number): never {
  throw new DiagnosticError('MLC6001', message, file, line === undefined ? '' : `line ${line}`);
}

/** Columns (elements per row) of a tensor input: the product of its dims after the first; undefined when unknown. */
function tensorColumns(f: FieldSpec): number | undefined {
  if (f.shape === null) return undefined;
  if (f.shape.length <= 1) return 1;
  let n = 1;
  for (const d of f.shape.slice(1)) {
    if (typeof d !== 'number' || d < 0) return undefined;
    n *= d;
  }
  return n;
}

/**
 * The features of a model: one per scalar input, one per column of a [N, F] tensor input.
 * `optypes` (PMML) marks numeric fields that are categorical. Inputs of other types
 * (sequences, maps) are left out.
 */
export function modelFeatures(inputs: readonly FieldSpec[], header: readonly string[] | null, optypes: ReadonlyMap<string, string> = new Map()): FeatureSlot[] {
  const slots: FeatureSlot[] = [];
  const kindOf = (f: FieldSpec): 'numeric' | 'categorical' | undefined => {
    const op = optypes.get(f.name);
    if (CATEGORICAL_TYPES.has(f.type) || op === 'categorical' || op === 'ordinal') return 'categorical';
    return NUMERIC_TYPES.has(f.type) ? 'numeric' : undefined;
  };
  const tensorInputs = inputs.filter((f) => f.shape !== null && kindOf(f) !== undefined);
  for (const f of inputs) {
    const kind = kindOf(f);
    if (kind === undefined) continue;
    const cols = f.shape === null ? 1 : tensorColumns(f);
    if (cols === undefined || cols > MAX_TENSOR_COLUMNS) continue;
    if (cols === 1) {
      slots.push({ name: f.name, input: f.name, kind });
      continue;
    }
    // A single tensor input that no column names: the header's columns are its columns, in order.
    if (header !== null && inputs.length === 1 && tensorInputs.length === 1 && !header.some((h) => h === f.name || h.startsWith(`${f.name}[`)) && header.length === cols) {
      header.forEach((h, j) => slots.push({ name: h, input: f.name, column: j, kind }));
      continue;
    }
    for (let j = 0; j < cols; j++) slots.push({ name: `${f.name}[${j}]`, input: f.name, column: j, kind });
  }
  return slots;
}

/** Reads every row's feature values (raw: strings from CSV, JSON values from JSON Lines). */
class ValueTable {
  readonly columns: unknown[][];
  rows = 0;
  constructor(readonly slots: readonly FeatureSlot[]) {
    this.columns = slots.map(() => []);
  }

  /** A CSV row: each slot's value is the cell of its column (by header name or `<input>[j]`). */
  addCsv(cellIndex: readonly number[], cells: readonly string[]): void {
    for (let i = 0; i < this.slots.length; i++) this.columns[i].push(cellIndex[i] < 0 ? null : cells[cellIndex[i]]);
    this.rows++;
  }

  /** A JSON Lines object: scalar fields by name; tensor inputs as arrays, feeds `{type, dims, data}` or `<input>[j]` keys. */
  addJson(obj: Readonly<Record<string, unknown>>, file: string, line: number): void {
    // Rows in this record: the leading dim of a tensor feed, else 1.
    const flat = new Map<string, { data: readonly unknown[]; rows: number }>();
    let rows = 1;
    for (const s of this.slots) {
      if (s.column === undefined || flat.has(s.input)) continue;
      const v = obj[s.input];
      if (v === undefined) continue;
      const { data, dims } = flattenValue(v);
      const width = this.slots.filter((x) => x.input === s.input).length;
      const n = dims !== null && dims.length >= 2 ? dims[0] : Math.max(1, Math.floor(data.length / width));
      if (data.length !== n * width) dataError(file, `input ${JSON.stringify(s.input)} has ${data.length} values; expected ${width} per row`, line);
      flat.set(s.input, { data, rows: n });
      rows = n;
    }
    for (let r = 0; r < rows; r++) {
      for (let i = 0; i < this.slots.length; i++) {
        const s = this.slots[i];
        let v: unknown;
        if (s.column === undefined) v = obj[s.input];
        else {
          const t = flat.get(s.input);
          v = t === undefined ? obj[s.name] ?? obj[`${s.input}[${s.column}]`] : t.data[r * (t.data.length / t.rows) + s.column];
        }
        this.columns[i].push(v ?? null);
      }
      this.rows++;
    }
  }
}

/** A JSON value of a tensor input: `{type, dims, data}`, or nested arrays, flattened row-major. */
function flattenValue(v: unknown): { data: readonly unknown[]; dims: number[] | null } {
  if (typeof v === 'object' && v !== null && !Array.isArray(v) && 'data' in v) {
    const t = v as { dims?: unknown; data: unknown };
    const inner = flattenValue(t.data);
    const dims = Array.isArray(t.dims) && t.dims.every((d) => typeof d === 'number') ? (t.dims as number[]) : inner.dims;
    return { data: inner.data, dims };
  }
  if (!Array.isArray(v)) return { data: [v], dims: null };
  const out: unknown[] = [];
  const dims: number[] = [];
  let level: unknown = v;
  while (Array.isArray(level)) {
    dims.push(level.length);
    level = level[0];
  }
  const stack: unknown[] = [v];
  // Iterative walk (no recursion over deep nesting), keeping row-major order.
  while (stack.length > 0) {
    const x = stack.pop();
    if (Array.isArray(x)) for (let i = x.length - 1; i >= 0; i--) stack.push(x[i]);
    else out.push(x);
  }
  return { data: out, dims };
}

/** A numeric value, or null for missing ones (empty, null, NaN) and for text that is not a number. */
export function toNumber(v: unknown): number | null {
  if (typeof v === 'number') return Number.isNaN(v) ? null : v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'string') {
    const t = v.trim();
    if (t === '') return null;
    const n = Number(t);
    return Number.isNaN(n) ? null : n;
  }
  return null;
}

/** A category's key: the text of the value (booleans "true"/"false"), or null when missing. */
export function categoryKey(v: unknown): string | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'string') return v === '' ? null : v;
  if (typeof v === 'number') return Number.isNaN(v) ? null : String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return JSON.stringify(v);
}

/** The q-quantile of sorted values (the lower value: an actual observation, no interpolation). */
function quantile(sorted: Float64Array, q: number): number {
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}

/** Bins, min/max and missing rate of a numeric column. */
export function numericStats(slot: FeatureSlot, values: readonly unknown[], bins = BASELINE_BINS): BaselineFeature {
  const nums: number[] = [];
  for (const v of values) {
    const n = toNumber(v);
    if (n !== null) nums.push(n);
  }
  const sorted = Float64Array.from(nums).sort();
  const missingRate = values.length === 0 ? null : (values.length - sorted.length) / values.length;
  const common = { name: slot.name, input: slot.input, ...(slot.column === undefined ? {} : { column: slot.column }), missingRate };
  if (sorted.length === 0) return { kind: 'numeric', ...common, min: null, max: null, valid: [], edges: [], proportions: null };
  const min = sorted[0];
  const max = sorted[sorted.length - 1];
  const edges: number[] = [];
  for (let i = 1; i < bins; i++) {
    const e = quantile(sorted, i / bins);
    // Ties merge bins; a cut at the maximum would leave an empty last bin.
    if ((edges.length === 0 || e > edges[edges.length - 1]) && e < max) edges.push(e);
  }
  const counts = new Float64Array(edges.length + 1);
  for (let i = 0; i < sorted.length; i++) counts[binIndex(edges, sorted[i])]++;
  const proportions = Array.from(counts, (c) => c / sorted.length);
  return { kind: 'numeric', ...common, min, max, valid: [{ low: min, high: max, lowClosed: true, highClosed: true }], edges, proportions };
}

/** Category shares and missing rate of a categorical column. */
export function categoricalStats(slot: FeatureSlot, values: readonly unknown[]): BaselineFeature {
  const counts = new Map<string, number>();
  let present = 0;
  for (const v of values) {
    const k = categoryKey(v);
    if (k === null) continue;
    present++;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  // Most frequent first; equal counts in code-unit order (deterministic output).
  const ranked = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).slice(0, MAX_CATEGORIES);
  return {
    kind: 'categorical',
    name: slot.name,
    input: slot.input,
    ...(slot.column === undefined ? {} : { column: slot.column }),
    missingRate: values.length === 0 ? null : (values.length - present) / values.length,
    categories: ranked.map(([k]) => k),
    proportions: present === 0 ? null : ranked.map(([, n]) => n / present),
  };
}

export interface BaselineFromDataOptions {
  /** PMML optypes by field name: numeric fields declared categorical or ordinal are counted as categories. */
  readonly optypes?: ReadonlyMap<string, string>;
}

/** The feature values of every row of a data file: `columns[i][row]` for `slots[i]`. */
export interface BaselineTable {
  readonly slots: readonly FeatureSlot[];
  readonly columns: readonly (readonly unknown[])[];
  readonly rows: number;
}

/** Reads a CSV or JSON Lines data file into the feature columns of a model with these inputs. */
export async function readBaselineTable(file: string, inputs: readonly FieldSpec[], opts: BaselineFromDataOptions = {}): Promise<BaselineTable> {
  const stream = await RecordStream.open(file, { blankCells: true });
  try {
    const header = stream.header;
    const slots = modelFeatures(inputs, header, opts.optypes);
    if (slots.length === 0) dataError(file, `the model has no inputs a baseline can describe (numbers, strings, booleans or [N, F] tensors of them)`);
    const table = new ValueTable(slots);
    let cellIndex: number[] = [];
    if (header !== null) {
      const at = new Map(header.map((h, i) => [h, i]));
      cellIndex = slots.map((s) => at.get(s.name) ?? (s.column === undefined ? -1 : at.get(`${s.input}[${s.column}]`) ?? -1));
      if (cellIndex.every((i) => i < 0)) {
        dataError(file, `no column names a model input (columns: ${header.slice(0, 10).map((h) => JSON.stringify(h)).join(', ')}; inputs: ${inputs.map((f) => JSON.stringify(f.name)).join(', ')})`);
      }
    }
    for (let r: DataRecord | undefined = await stream.next(); r !== undefined; r = await stream.next()) {
      if (r.kind === 'csv') table.addCsv(cellIndex, r.cells);
      else table.addJson(r.object, file, r.line);
    }
    if (table.rows === 0) dataError(file, 'the file has no data rows');
    return { slots, columns: table.columns, rows: table.rows };
  } finally {
    stream.dispose();
  }
}

/** The feature statistics of a table. */
export function baselineOfTable(table: BaselineTable, source: string): Baseline {
  const features = table.slots.map((s, i) => (s.kind === 'numeric' ? numericStats(s, table.columns[i]) : categoricalStats(s, table.columns[i])));
  return { format: BASELINE_FORMAT, formatVersion: 1, source, rows: table.rows, features };
}

/** Reads a CSV or JSON Lines data file and computes the baseline of a model with these inputs. */
export async function baselineFromData(file: string, inputs: readonly FieldSpec[], opts: BaselineFromDataOptions = {}): Promise<Baseline> {
  return baselineOfTable(await readBaselineTable(file, inputs, opts), basename(file));
}
