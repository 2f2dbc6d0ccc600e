// Batch rows in and out (POST .../batch, batch jobs, `server.mjs batch`): a row of
// CSV or JSON Lines → the model's input → one output line. Rows are isolated: a row
// that cannot be read or scored gets an error (`$error` in JSON Lines, the `error`
// column in CSV) and the others are scored; in all-or-nothing mode the first such
// row throws a RowError instead.
//
// ONNX models (run(feeds)):
//   JSON Lines: one feed per line, the CLI's form: {"<input>": {"type"?, "dims"?, "data"}}
//     or {"<input>": <nested array or number>} (data; dims from the nesting or the
//     declared shape). Keys that name no input are ignored (kept by join).
//   CSV: a column per input ("x") or per element ("x[0]", "x[1]"...); a single-input
//     model also takes all the columns, in header order, as its values: one sample
//     of an [N, F] input per row ([1, F]).
//   Out: JSON Lines {"<output>": {"type", "dims", "data"}} (as `mlcompile predict`);
//   CSV a column per output ("y") or element ("y[0]"...), fixed by the declared shapes
//   (one sample per row) or by the first row scored.
//   Rows whose inputs all have a free leading dim are stacked and scored `batchSize`
//   at a time (windows aligned on the row index, so a resumed run groups rows as an
//   uninterrupted one does); a window that fails is scored again row by row.
// PMML models (predict(record)): a record per row, CSV header = field names (an empty
//   cell is a missing value), JSON Lines {"<field>": value}; fields that name no input
//   are ignored. Out: the output fields; a record the model refuses ($error) is a
//   failed row.

import { ServerError, classifyError, type ServerErrorCode } from './errors.js';
import { isRecordModel, type ModelVersion, type Port } from './models-repository.js';
import { csvCell, parseCsvCells } from './batch-records.js';
import { encodeElements, isTensorLike, jsonElements, type PublicData } from './tensor-codec.js';

export type BatchFormat = 'csv' | 'jsonl';
/** isolate: a bad row gets an error column; all-or-nothing: the first bad row fails the whole batch. */
export type BatchMode = 'isolate' | 'all-or-nothing';

export const BATCH_FORMATS: readonly BatchFormat[] = ['csv', 'jsonl'];
export const BATCH_MODES: readonly BatchMode[] = ['isolate', 'all-or-nothing'];
/** Rows per model call by default (ONNX models with a free batch dim). */
export const DEFAULT_BATCH_SIZE = 64;
export const MAX_BATCH_SIZE = 4096;

export interface BatchOptions {
  readonly inputFormat: BatchFormat;
  readonly outputFormat: BatchFormat;
  readonly mode: BatchMode;
  /** Output the input columns (CSV) or keys (JSON Lines) before the predictions. */
  readonly join: boolean;
  /** Rows per model call (ONNX rows stacked along a free leading dim); 1: a call per row. */
  readonly batchSize: number;
}

/** A data row of the input (the CSV header is not one). */
export interface DataRow {
  /** 0-based index among the data rows. */
  readonly index: number;
  /** 1-based line where it starts. */
  readonly line: number;
  readonly text: string;
  readonly tooLong: boolean;
}

/** The first bad row of an all-or-nothing batch. */
export class RowError extends ServerError {
  /** 1-based data row number and line of the row. */
  readonly row: number;
  readonly line: number;
  constructor(code: ServerErrorCode, message: string, row: number, line: number) {
    super(code, `row ${row} (line ${line}): ${message}`);
    this.name = 'RowError';
    this.row = row;
    this.line = line;
  }
}

/** What a processor must remember across a checkpoint to go on writing the same output. */
export interface ProcessorState {
  /** Cells of the CSV input's header. */
  readonly header: readonly string[] | null;
  /** ONNX CSV output: elements per output, once known. */
  readonly counts: readonly number[] | null;
  /** Whether the CSV output's header line was written. */
  readonly headerWritten: boolean;
}

export interface WindowResult {
  /** Output text for the window (lines ending in "\n"); may start with the CSV header. */
  readonly text: string;
  readonly scored: number;
  readonly failed: number;
  /** Seconds inside the model module. */
  readonly seconds: number;
}

type Row = Record<string, unknown>;
type Failure = { readonly code: ServerErrorCode; readonly message: string };
/** Input cells (CSV) or object (JSON Lines) kept for join; null when the row could not be parsed. */
type JoinInput = readonly string[] | Row | null;
type Decoded =
  | { readonly ok: true; readonly input: Row; readonly lead: number; readonly join: JoinInput }
  | { readonly ok: false; readonly failure: Failure; readonly join: JoinInput };
type Outcome = {
  readonly row: DataRow;
  readonly join: JoinInput;
  readonly values?: Row;
  readonly failure?: Failure;
  /** CSV output cells of the values. */
  readonly cells?: readonly string[];
};

interface FeedTensor { type: string; dims: number[]; data: PublicData | number[] }

/** Failed rows held while the CSV columns are not yet known (then the batch fails). */
const MAX_PENDING = 10_000;
const INDEXED = /^(.*)\[(\d+)\]$/;
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function isPlainObject(v: unknown): v is Row {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function fail(code: ServerErrorCode, message: string): never {
  throw new ServerError(code, message);
}

function list(names: readonly string[]): string {
  return names.map((n) => JSON.stringify(n)).join(', ') || 'none';
}

// ---------------------------------------------------------------------------------------
// Values out

/** The shortest decimal that reads back as the same float32 (0.1, not 0.10000000149011612). */
export function shortestFloat32(x: number): number {
  if (!Number.isFinite(x) || Number.isSafeInteger(x)) return x;
  // Normal float32 values need 6 to 9 significant digits (9 always round-trip); most
  // need 7 or 8, so 8 is tried first. Subnormals have fewer: they start from 1.
  if (Math.abs(x) >= 1.1754943508222875e-38) {
    const p8 = Number(x.toPrecision(8));
    if (Math.fround(p8) !== x) return Number(x.toPrecision(9));
    const p7 = Number(x.toPrecision(7));
    if (Math.fround(p7) !== x) return p8;
    const p6 = Number(x.toPrecision(6));
    if (Math.fround(p6) !== x) return p7;
  }
  for (let p = 1; p < 17; p++) {
    const y = Number(x.toPrecision(p));
    if (Math.fround(y) === x) return y;
  }
  return x;
}

/** JSON has no NaN or infinities: they are written as the strings the inputs also accept. */
function jsonNumber(x: number): number | string {
  return Number.isFinite(x) ? x : String(x);
}

function jsonBig(b: bigint): number | string {
  return b >= BigInt(Number.MIN_SAFE_INTEGER) && b <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(b) : b.toString();
}

const FLOAT32_LIKE = new Set(['float32', 'float16', 'bfloat16']);

/** A tensor's elements as JSON values (float16 and low-precision floats decoded, 64-bit integers exact). */
function tensorElements(t: { type: string; data: ArrayLike<unknown> }): unknown[] {
  if (t.type === 'int64' || t.type === 'uint64') {
    const out = new Array<unknown>(t.data.length);
    for (let i = 0; i < out.length; i++) {
      const v = t.data[i];
      out[i] = typeof v === 'bigint' ? jsonBig(v) : v;
    }
    return out;
  }
  const d = t.data;
  if (t.type === 'float32' && d instanceof Float32Array) {
    const out = new Array<unknown>(d.length);
    for (let i = 0; i < d.length; i++) out[i] = jsonNumber(shortestFloat32(d[i]));
    return out;
  }
  const els = t.type === 'float16' && !(d instanceof Uint16Array) ? Array.from(d) : jsonElements(t);
  const short = FLOAT32_LIKE.has(t.type);
  for (let i = 0; i < els.length; i++) {
    const v = els[i];
    if (typeof v === 'number') els[i] = jsonNumber(short ? shortestFloat32(v) : v);
  }
  return els;
}

/** Any module output as JSON: tensors as {type, dims, data}, sequences as arrays, maps as objects. */
function jsonValue(v: unknown): unknown {
  if (v === null || v === undefined) return null;
  if (isTensorLike(v) && typeof v.type === 'string' && Array.isArray(v.dims)) {
    const t = v as { type: string; dims: number[]; data: ArrayLike<unknown> };
    return { type: t.type, dims: t.dims.slice(), data: tensorElements(t) };
  }
  if (Array.isArray(v)) return v.map(jsonValue);
  if (v instanceof Map) {
    const o: Row = {};
    for (const [k, x] of v) o[String(k)] = jsonValue(x);
    return o;
  }
  if (typeof v === 'number') return jsonNumber(v);
  if (typeof v === 'bigint') return jsonBig(v);
  return v;
}

/** A PMML output value: numbers (non-finite ones as null), strings, booleans, null. */
function recordValue(v: unknown): unknown {
  if (v === undefined || v === null) return null;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  return v;
}

function cellText(v: unknown): string {
  if (typeof v === 'number') return String(v);
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return csvCell(v);
  if (typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  return csvCell(JSON.stringify(v));
}

// ---------------------------------------------------------------------------------------
// Values in

/** Dims for `n` values of a tensor declared `dims` (-1: free): free leading dims are 1, the last free one takes the rest. */
export function resolveDims(dims: readonly number[] | null, n: number): number[] | string {
  if (dims === null) return [n];
  let known = 1;
  let lastFree = -1;
  for (let i = 0; i < dims.length; i++) {
    if (dims[i] >= 0) known *= dims[i];
    else lastFree = i;
  }
  const out = dims.map((d) => (d >= 0 ? d : 1));
  if (lastFree < 0) return known === n ? out : `its shape [${dims.join(',')}] needs ${known} values, got ${n}`;
  if (known === 0 ? n !== 0 : n % known !== 0) return `${n} values do not fit its shape [${dims.join(',')}]`;
  out[lastFree] = known === 0 ? 0 : n / known;
  return out;
}

/** Row-major elements of nested arrays, and their dims when the nesting is regular. */
function flattenNested(v: unknown): { values: unknown[]; dims: number[] | null } {
  if (!Array.isArray(v)) return { values: [v], dims: [] };
  if (!v.some((x) => Array.isArray(x))) return { values: v, dims: [v.length] };
  const values: unknown[] = [];
  let dims: number[] | null = null;
  let regular = true;
  for (const item of v) {
    const inner = flattenNested(item);
    for (const x of inner.values) values.push(x);
    if (dims === null) dims = inner.dims;
    else if (inner.dims === null || dims.length !== inner.dims.length || dims.some((d, k) => d !== (inner.dims as number[])[k])) regular = false;
  }
  return { values, dims: regular && dims !== null ? [v.length, ...dims] : null };
}

/** A CSV cell as the JSON value tensor-codec's encodeElements reads for `dtype`. */
function csvElement(text: string, dtype: string): unknown {
  if (dtype === 'string') return text;
  const t = text.trim();
  if (dtype === 'bool') {
    const l = t.toLowerCase();
    return l === 'true' || l === '1' ? true : l === 'false' || l === '0' ? false : t;
  }
  if (dtype === 'int64' || dtype === 'uint64') return t;
  if (t === '') return null; // a float's missing value (NaN); an integer's error
  return NUMBER.test(t) ? Number(t) : t;
}

// ---------------------------------------------------------------------------------------

/** How the CSV input's columns feed the model. */
interface CsvPlan {
  /** ONNX: each tensor input with its columns, in element order. */
  readonly tensors: readonly { readonly port: Port; readonly cols: readonly number[] }[];
  /** PMML: each input field with its column. */
  readonly fields: readonly { readonly name: string; readonly col: number }[];
}

/**
 * Turns windows of data rows into output text for one model and set of options. Not
 * reentrant: one batch at a time.
 */
export class BatchProcessor {
  readonly records: boolean;
  private header: readonly string[] | null;
  private plan: CsvPlan | null = null;
  private counts: readonly number[] | null;
  private headerWritten: boolean;
  private pending: Outcome[] = [];
  private cachedLayout: { readonly joined: readonly number[]; readonly output: readonly string[] } | null = null;
  /** Stacking rows into one call stays on until a stacked result cannot be split by row. */
  private stack: boolean;

  constructor(readonly model: ModelVersion, readonly opts: BatchOptions, state?: ProcessorState) {
    this.records = isRecordModel(model);
    if (!Number.isInteger(opts.batchSize) || opts.batchSize < 1 || opts.batchSize > MAX_BATCH_SIZE) {
      fail('MLS_ERR_BAD_REQUEST', `the batch size must be an integer from 1 to ${MAX_BATCH_SIZE}, not ${opts.batchSize}`);
    }
    if (opts.join && opts.inputFormat === 'jsonl' && opts.outputFormat === 'csv') {
      fail('MLS_ERR_BAD_REQUEST', 'join=true with JSON Lines in and CSV out is not possible (JSON lines need not share keys); ask for JSON Lines out');
    }
    if (opts.outputFormat === 'csv' && !this.records) {
      const other = model.outputs.filter((p) => p.dtype === null);
      if (other.length > 0) fail('MLS_ERR_BAD_REQUEST', `output ${list(other.map((p) => p.name))} of model "${model.name}" is not a tensor; CSV holds tensors only (ask for JSON Lines)`);
    }
    if (opts.inputFormat === 'csv' && !this.records) {
      const other = model.inputs.filter((p) => p.dtype === null);
      if (other.length > 0) fail('MLS_ERR_BAD_REQUEST', `input ${list(other.map((p) => p.name))} of model "${model.name}" is not a tensor; CSV cannot give it (send JSON Lines)`);
    }
    this.header = state?.header ?? null;
    this.counts = state?.counts ?? (this.records ? null : this.declaredCounts());
    this.headerWritten = state?.headerWritten ?? false;
    this.stack = !this.records && opts.batchSize > 1 && model.inputs.length > 0
      && model.inputs.every((p) => p.dtype !== null && p.dims !== null && p.dims.length > 0 && p.dims[0] < 0);
    if (this.header !== null) this.plan = this.planColumns(this.header);
  }

  /** True when nothing is held back: the output written so far covers every row given. */
  get settled(): boolean {
    return this.pending.length === 0;
  }

  /** Whether the input still needs its CSV header. */
  get needsHeader(): boolean {
    return this.opts.inputFormat === 'csv' && this.header === null;
  }

  state(): ProcessorState {
    return { header: this.header, counts: this.counts, headerWritten: this.headerWritten };
  }

  /** Takes the CSV input's header record; a header the model cannot use throws (400). */
  setHeader(text: string): void {
    const cells = parseCsvCells(text);
    if (cells === undefined) fail('MLS_ERR_BAD_ROW', 'the CSV header has a quoted field that is not closed');
    const header = cells.map((c) => c.trim());
    const seen = new Set<string>();
    for (const h of header) {
      if (seen.has(h)) fail('MLS_ERR_BAD_ROW', `the CSV header names column ${JSON.stringify(h)} twice`);
      seen.add(h);
    }
    this.plan = this.planColumns(header);
    this.header = header;
    this.cachedLayout = null;
  }

  private planColumns(header: readonly string[]): CsvPlan {
    const m = this.model;
    if (this.records) {
      const fields = header.flatMap((h, col) => (m.inputIndex.has(h) ? [{ name: h, col }] : []));
      if (fields.length === 0) fail('MLS_ERR_BAD_REQUEST', `the CSV header names no input field of model "${m.name}" (its inputs: ${list(m.inputs.map((p) => p.name))})`);
      return { tensors: [], fields };
    }
    const exact = new Map<string, number>();
    const indexed = new Map<string, Map<number, number>>();
    header.forEach((h, col) => {
      if (m.inputIndex.has(h)) { exact.set(h, col); return; }
      const x = INDEXED.exec(h);
      if (x !== null && m.inputIndex.has(x[1])) {
        const slots = indexed.get(x[1]) ?? new Map<number, number>();
        slots.set(Number(x[2]), col);
        indexed.set(x[1], slots);
      }
    });
    if (exact.size === 0 && indexed.size === 0 && m.inputs.length === 1) {
      // One input: every column, in header order, is one of its values.
      return { tensors: [{ port: m.inputs[0], cols: header.map((_, c) => c) }], fields: [] };
    }
    const tensors = m.inputs.map((port) => {
      const e = exact.get(port.name);
      const slots = indexed.get(port.name);
      if (e !== undefined && slots !== undefined) fail('MLS_ERR_BAD_REQUEST', `input "${port.name}" has both a column "${port.name}" and columns "${port.name}[i]"`);
      if (e !== undefined) return { port, cols: [e] };
      if (slots === undefined) {
        return fail('MLS_ERR_BAD_INPUT_NAME', `no CSV column for input "${port.name}" of model "${m.name}"; name columns after the inputs ("${port.name}", or "${port.name}[0]", "${port.name}[1]"... for its elements)${m.inputs.length === 1 ? ', or give only the value columns' : ''}`);
      }
      const cols: number[] = [];
      for (let i = 0; i < slots.size; i++) {
        const c = slots.get(i);
        if (c === undefined) fail('MLS_ERR_BAD_REQUEST', `the columns of input "${port.name}" must be ${port.name}[0] to ${port.name}[${slots.size - 1}]; ${port.name}[${i}] is missing`);
        cols.push(c);
      }
      return { port, cols };
    });
    return { tensors, fields: [] };
  }

  /** Elements per output for one sample per row, when every output's shape fixes it. */
  private declaredCounts(): number[] | null {
    const counts: number[] = [];
    for (const p of this.model.outputs) {
      if (p.dims === null) return null;
      if (p.dims.length === 0) { counts.push(1); continue; }
      if (p.dims[0] !== -1 && p.dims[0] !== 1) return null;
      let n = 1;
      for (let i = 1; i < p.dims.length; i++) {
        if (p.dims[i] < 0) return null;
        n *= p.dims[i];
      }
      counts.push(n);
    }
    return counts;
  }

  // -------------------------------------------------------------------------------------
  // Rows in

  private decode(row: DataRow): Decoded {
    if (row.tooLong) return { ok: false, failure: { code: 'MLS_ERR_BAD_ROW', message: 'the row is longer than the limit (32 MiB)' }, join: null };
    let join: JoinInput = null;
    try {
      let obj: Row | null = null;
      let cells: string[] | null = null;
      if (this.opts.inputFormat === 'csv') {
        const parsed = parseCsvCells(row.text);
        if (parsed === undefined) fail('MLS_ERR_BAD_ROW', 'a quoted field is not closed');
        const width = (this.header as readonly string[]).length;
        if (parsed.length !== width) fail('MLS_ERR_BAD_ROW', `the row has ${parsed.length} values but the header has ${width} columns`);
        cells = parsed;
        join = parsed;
      } else {
        let v: unknown;
        try {
          v = JSON.parse(row.text);
        } catch (e) {
          fail('MLS_ERR_BAD_ROW', `invalid JSON: ${(e as Error).message}`);
        }
        if (!isPlainObject(v)) fail('MLS_ERR_BAD_ROW', 'a line must be a JSON object');
        obj = v;
        join = v;
      }
      if (this.records) return { ok: true, input: cells !== null ? this.recordFromCells(cells) : this.recordFromObject(obj as Row), lead: 1, join };
      const feeds = cells !== null ? this.feedsFromCells(cells) : this.feedsFromObject(obj as Row);
      return { ok: true, input: feeds.feeds, lead: feeds.lead, join };
    } catch (e) {
      return { ok: false, failure: failureOf(e), join };
    }
  }

  private recordFromCells(cells: readonly string[]): Row {
    const r: Row = {};
    for (const f of (this.plan as CsvPlan).fields) {
      const c = cells[f.col];
      r[f.name] = c === '' ? null : c;
    }
    return r;
  }

  private recordFromObject(obj: Row): Row {
    const r: Row = {};
    for (const k of Object.keys(obj)) {
      if (!this.model.inputIndex.has(k)) continue;
      const v = obj[k];
      const scalar = (x: unknown): boolean => x === null || typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean';
      if (!(scalar(v) || (Array.isArray(v) && v.every(scalar)))) fail('MLS_ERR_BAD_TENSOR_DATA', `field "${k}" must be a number, a string, a boolean or null`);
      r[k] = v;
    }
    return r;
  }

  private feedsFromCells(cells: readonly string[]): { feeds: Row; lead: number } {
    const feeds: Row = {};
    const header = this.header as readonly string[];
    let lead = 1;
    for (const { port, cols } of (this.plan as CsvPlan).tensors) {
      const dtype = port.dtype as NonNullable<Port['dtype']>;
      const values = cols.map((c) => csvElement(cells[c], dtype));
      const data = encodeElements(values, dtype, (i) => `column "${header[cols[i]]}"`);
      const dims = resolveDims(port.dims, values.length);
      if (typeof dims === 'string') fail('MLS_ERR_BAD_TENSOR_SHAPE', `input "${port.name}": ${dims}`);
      feeds[port.name] = { type: dtype, dims, data };
      lead = dims.length > 0 ? dims[0] : 1;
    }
    return { feeds, lead };
  }

  private feedsFromObject(obj: Row): { feeds: Row; lead: number } {
    const feeds: Row = {};
    let lead = -1;
    for (const port of this.model.inputs) {
      const v = obj[port.name];
      if (v === undefined) fail('MLS_ERR_BAD_INPUT_NAME', `no value for input "${port.name}"`);
      if (port.dtype === null) {
        feeds[port.name] = v; // sequences, maps, optionals: as written
        continue;
      }
      const label = `input "${port.name}"`;
      let flat: { values: unknown[]; dims: number[] | null };
      let given: unknown;
      if (isPlainObject(v)) {
        if (!('data' in v)) fail('MLS_ERR_BAD_TENSOR_DATA', `${label}: a tensor needs "data" (and optionally "type" and "dims")`);
        if (v.type !== undefined && v.type !== port.dtype) fail('MLS_ERR_BAD_TENSOR_DATATYPE', `${label} has type ${JSON.stringify(v.type)}; the model takes ${port.dtype}`);
        flat = flattenNested(v.data);
        given = v.dims;
      } else {
        flat = flattenNested(v);
      }
      let dims: number[];
      if (given !== undefined) {
        if (!Array.isArray(given) || !given.every((d) => Number.isInteger(d) && d >= 0)) fail('MLS_ERR_BAD_TENSOR_SHAPE', `${label}: "dims" must be an array of non-negative integers`);
        dims = given as number[];
        const n = dims.reduce((a, b) => a * b, 1);
        if (n !== flat.values.length) fail('MLS_ERR_BAD_TENSOR_DATA', `${label} has ${flat.values.length} elements, dims ${JSON.stringify(dims)} need ${n}`);
      } else if (flat.dims !== null && (port.dims === null || flat.dims.length === port.dims.length)) {
        dims = flat.dims;
      } else {
        const r = resolveDims(port.dims, flat.values.length);
        if (typeof r === 'string') fail('MLS_ERR_BAD_TENSOR_SHAPE', `${label}: ${r}`);
        dims = r;
      }
      feeds[port.name] = { type: port.dtype, dims, data: encodeElements(flat.values, port.dtype, label) };
      const l = dims.length > 0 ? dims[0] : 1;
      lead = lead < 0 || lead === l ? l : 0; // 0: inputs disagree, the row is not stacked
    }
    return { feeds, lead: lead < 0 ? 1 : lead };
  }

  // -------------------------------------------------------------------------------------
  // Scoring

  /** Scores a window of rows and formats their output (the CSV header first, once). */
  score(rows: readonly DataRow[]): WindowResult {
    const decoded = rows.map((r) => this.decode(r));
    let seconds = 0;
    const call = (input: Row): Row => {
      const t0 = performance.now();
      try {
        return this.model.call(input);
      } finally {
        seconds += (performance.now() - t0) / 1000;
      }
    };
    const outcomes: Outcome[] = new Array(rows.length);
    const todo: number[] = [];
    for (let i = 0; i < rows.length; i++) {
      const d = decoded[i];
      if (d.ok) todo.push(i);
      else outcomes[i] = { row: rows[i], join: d.join, failure: d.failure };
    }
    if (!(this.stack && todo.length > 1 && this.scoreStacked(rows, decoded, todo, outcomes, call))) {
      for (const i of todo) {
        const d = decoded[i] as Extract<Decoded, { ok: true }>;
        try {
          const values = call(d.input);
          const refused = this.records ? values.$error : undefined;
          outcomes[i] = refused !== undefined && refused !== null
            ? { row: rows[i], join: d.join, failure: { code: 'MLS_ERR_BAD_INPUT', message: String(refused) } }
            : { row: rows[i], join: d.join, values };
        } catch (e) {
          outcomes[i] = { row: rows[i], join: d.join, failure: failureOf(e) };
        }
      }
    }
    let scored = 0;
    let failed = 0;
    const lines: string[] = [];
    for (const given of outcomes) {
      const o = this.prepare(given);
      if (o.failure === undefined) scored++;
      else {
        failed++;
        if (this.opts.mode === 'all-or-nothing') throw new RowError(o.failure.code, o.failure.message, o.row.index + 1, o.row.line);
      }
      const line = this.format(o);
      if (line === null) {
        this.pending.push(o);
        if (this.pending.length > MAX_PENDING) {
          fail('MLS_ERR_BAD_REQUEST', `the first ${MAX_PENDING} rows all failed, so the CSV columns of the outputs are unknown; fix the input or ask for JSON Lines (the first error: ${this.pending[0].failure?.message ?? ''})`);
        }
        continue;
      }
      if (this.pending.length > 0) for (const p of this.pending.splice(0)) lines.push(this.format(p) as string);
      lines.push(line);
    }
    const head = lines.length > 0 ? this.headerLine() : '';
    return { text: head + (lines.length > 0 ? lines.join('\n') + '\n' : ''), scored, failed, seconds };
  }

  /** Rows stacked along the leading dim, one call; false when they cannot be (then scored one by one). */
  private scoreStacked(rows: readonly DataRow[], decoded: readonly Decoded[], todo: readonly number[], outcomes: Outcome[], call: (input: Row) => Row): boolean {
    const feeds = todo.map((i) => (decoded[i] as Extract<Decoded, { ok: true }>).input as Record<string, FeedTensor>);
    const leads = todo.map((i) => (decoded[i] as Extract<Decoded, { ok: true }>).lead);
    if (leads.some((l) => l < 1)) return false;
    const total = leads.reduce((a, b) => a + b, 0);
    const merged: Row = {};
    for (const port of this.model.inputs) {
      const first = feeds[0][port.name];
      const rest = first.dims.slice(1);
      for (const f of feeds) {
        if (f[port.name].dims.length !== first.dims.length || f[port.name].dims.some((d, k) => k > 0 && d !== rest[k - 1])) return false;
      }
      merged[port.name] = { type: first.type, dims: [total, ...rest], data: concatData(feeds.map((f) => f[port.name].data)) };
    }
    let results: Row;
    try {
      results = call(merged);
    } catch {
      return false; // some row is bad: score them one by one to find it
    }
    const splits: ((start: number, count: number) => unknown)[] = [];
    for (const o of this.model.outputs) {
      const s = splitter(results[o.name], total);
      if (s === null) {
        this.stack = false;
        return false;
      }
      splits.push(s);
    }
    let start = 0;
    todo.forEach((i, k) => {
      const values: Row = {};
      this.model.outputs.forEach((o, j) => { values[o.name] = splits[j](start, leads[k]); });
      start += leads[k];
      outcomes[i] = { row: rows[i], join: (decoded[i] as Extract<Decoded, { ok: true }>).join, values };
    });
    return true;
  }

  // -------------------------------------------------------------------------------------
  // Rows out

  /** Output text at the end of the input: the CSV header if nothing was written, and rows held back. */
  finish(): string {
    if (this.opts.outputFormat === 'csv' && this.counts === null) {
      this.counts = this.model.outputs.map(() => 1);
      this.cachedLayout = null;
    }
    const lines = this.pending.splice(0).map((o) => this.format(o) as string);
    return this.headerLine() + (lines.length > 0 ? lines.join('\n') + '\n' : '');
  }

  private headerLine(): string {
    if (this.opts.outputFormat !== 'csv' || this.headerWritten) return '';
    this.headerWritten = true;
    return this.csvColumns().map(csvCell).join(',') + '\n';
  }

  /** CSV output columns: input columns joined (those named like an output column or "error" give way), outputs, error. */
  private layout(): { readonly joined: readonly number[]; readonly output: readonly string[] } {
    if (this.cachedLayout !== null) return this.cachedLayout;
    const counts = this.counts ?? this.model.outputs.map(() => 1);
    const output = this.records ? this.model.outputs.map((p) => p.name)
      : this.model.outputs.flatMap((p, k) => (counts[k] === 1 ? [p.name] : Array.from({ length: counts[k] }, (_, i) => `${p.name}[${i}]`)));
    const taken = new Set([...output, 'error']);
    const joined = this.opts.join && this.header !== null ? this.header.flatMap((h, c) => (taken.has(h) ? [] : [c])) : [];
    this.cachedLayout = { joined, output };
    return this.cachedLayout;
  }

  private csvColumns(): string[] {
    const header = this.header ?? [];
    const layout = this.layout();
    return [...layout.joined.map((c) => header[c]), ...layout.output, 'error'];
  }

  /** For CSV output, the row's cells; a result that does not fit the columns becomes a failure. */
  private prepare(o: Outcome): Outcome {
    if (this.opts.outputFormat !== 'csv' || o.values === undefined) return o;
    const c = this.csvValues(o.values);
    return typeof c === 'string' ? { row: o.row, join: o.join, failure: { code: 'MLS_ERR_BAD_REQUEST', message: c } } : { ...o, cells: c };
  }

  /** The output line of a row; null while the CSV columns are not known (a failed ONNX row before any success). */
  private format(o: Outcome): string | null {
    if (this.opts.outputFormat === 'jsonl') return this.jsonLine(o);
    if (this.counts === null && !this.records) return null;
    const layout = this.layout();
    const cells = o.cells ?? layout.output.map(() => '');
    const joined = layout.joined.map((c) => (Array.isArray(o.join) ? csvCell(o.join[c] as string) : ''));
    return [...joined, ...cells, o.failure === undefined ? '' : csvCell(o.failure.message)].join(',');
  }

  private csvValues(values: Row): string[] | string {
    if (this.records) return this.model.outputs.map((p) => cellText(recordValue(values[p.name])));
    const elements: unknown[][] = [];
    for (const p of this.model.outputs) {
      const v = values[p.name];
      if (!(isTensorLike(v) && typeof v.type === 'string')) return `output "${p.name}" is not a tensor; CSV holds tensors only (ask for JSON Lines)`;
      elements.push(tensorElements(v as { type: string; data: ArrayLike<unknown> }));
    }
    if (this.counts === null) {
      this.counts = elements.map((e) => e.length);
      this.cachedLayout = null;
    }
    const counts = this.counts;
    const k = elements.findIndex((e, j) => e.length !== counts[j]);
    if (k >= 0) return `output "${this.model.outputs[k].name}" has ${elements[k].length} elements but the CSV has ${counts[k]} columns for it; ask for JSON Lines`;
    const cells: string[] = [];
    for (const e of elements) for (let i = 0; i < e.length; i++) cells.push(cellText(e[i]));
    return cells;
  }

  private jsonLine(o: Outcome): string {
    const obj: Row = {};
    if (this.opts.join && o.join !== null) {
      if (Array.isArray(o.join)) {
        const header = this.header ?? [];
        header.forEach((h, c) => { obj[h] = o.join === null ? null : (o.join as readonly string[])[c]; });
      } else Object.assign(obj, o.join);
    }
    if (o.values !== undefined) {
      for (const p of this.model.outputs) obj[p.name] = this.records ? recordValue(o.values[p.name]) : jsonValue(o.values[p.name]);
    }
    if (o.failure !== undefined) obj.$error = o.failure.message;
    return JSON.stringify(obj);
  }
}

function failureOf(e: unknown): Failure {
  const c = classifyError(e);
  return { code: c.code, message: c.message };
}

/** Concatenates the data of tensors of one type. */
function concatData(parts: readonly (PublicData | number[])[]): PublicData | number[] {
  const first = parts[0];
  if (Array.isArray(first)) return ([] as unknown[]).concat(...parts) as string[] | number[];
  const total = parts.reduce((a, p) => a + p.length, 0);
  const Ctor = first.constructor as new (n: number) => Exclude<PublicData, string[]>;
  const out = new Ctor(total);
  let at = 0;
  for (const p of parts) {
    (out as { set(a: ArrayLike<unknown>, o: number): void }).set(p as ArrayLike<unknown>, at);
    at += p.length;
  }
  return out;
}

/** Rows [start, start + count) of an output stacked along its leading dim; null when it is not. */
function splitter(value: unknown, total: number): ((start: number, count: number) => unknown) | null {
  if (isTensorLike(value) && typeof value.type === 'string' && Array.isArray(value.dims) && value.dims[0] === total) {
    const t = value as { type: string; dims: number[]; data: ArrayLike<unknown> & { subarray?: unknown; slice(a: number, b: number): unknown } };
    const rest = t.dims.slice(1);
    const size = rest.reduce((a, b) => a * b, 1);
    const data = t.data as unknown as { subarray?: (a: number, b: number) => ArrayLike<unknown>; slice: (a: number, b: number) => ArrayLike<unknown> };
    return (start, count) => ({
      type: t.type,
      dims: [count, ...rest],
      data: typeof data.subarray === 'function' ? data.subarray(start * size, (start + count) * size) : data.slice(start * size, (start + count) * size),
    });
  }
  if (Array.isArray(value) && value.length === total) return (start, count) => value.slice(start, start + count);
  return null;
}
