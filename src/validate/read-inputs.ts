// Reading the data files of `validate` and `predict`: CSV (header row) or JSON Lines,
// chosen by extension, streamed line by line (node:readline) so files of any size
// work in constant memory. Records become model feeds (inputs) or expected outputs.
//
// Conventions (also in `mlcompile --help`):
// - JSON Lines: one object per line. Inputs: {"<input>": {"type", "dims", "data"}} (CONTRACT §1);
//   `type` defaults to the model's input type, `dims` to the nesting of `data` or the
//   declared shape; a bare array or number stands for `data`. Expected outputs: the same
//   form; `type` and `dims` are checked only when given, otherwise values only.
// - CSV: one row per feed. A column named after an input holds its single value;
//   `<name>[i]` holds element i (row-major) of a tensor input or output. A model with a
//   single input also takes all columns, in header order, as that input's values when
//   no column names it. Expected CSV columns must name outputs (`y` or `y[0]`, `y[1]`...).
// - Numbers: "NaN", "Infinity"/"inf", "-Infinity"/"-inf" (any case) and, for floats,
//   an empty CSV cell or JSON null (NaN) are accepted; 64-bit integers may be strings.
//
// Problems with these files are MLC6001 diagnostics naming the file and line; the
// CLI reports them as usage errors (exit 2), never as model errors.

import { createReadStream, statSync } from 'node:fs';
import { extname } from 'node:path';
import { createInterface } from 'node:readline';
import { DiagnosticError } from '../diagnostics/diagnostic.js';

/** An input or output as declared by a generated module's `metadata` (CONTRACT §2). */
export interface FieldSpec {
  readonly name: string;
  readonly type: string;
  readonly shape: readonly (number | string | null)[] | null;
}

export type DataFormat = 'csv' | 'jsonl';

/** The data format of a file by extension: `.csv`, or `.jsonl`/`.ndjson`/`.json` (JSON Lines). */
export function dataFormatOf(file: string): DataFormat | undefined {
  const ext = extname(file).toLowerCase();
  if (ext === '.csv') return 'csv';
  if (ext === '.jsonl' || ext === '.ndjson' || ext === '.json') return 'jsonl';
  return undefined;
}

export const TENSOR_TYPES: ReadonlySet<string> = new Set([
  'float32', 'float64', 'float16', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool', 'string',
]);

export function isTensorField(f: FieldSpec): boolean {
  return TENSOR_TYPES.has(f.type);
}

function dataError(file: string, line: number | undefined, message: string): never {
  throw new DiagnosticError('MLC6001', message, file, line === undefined ? '' : `line ${line}`);
}

// ---------------------------------------------------------------------------------------
// Records

export type DataRecord =
  | { readonly kind: 'csv'; readonly row: number; readonly line: number; readonly cells: readonly string[] }
  | { readonly kind: 'json'; readonly row: number; readonly line: number; readonly object: Readonly<Record<string, unknown>> };

/** A data file read one record at a time. Blank lines are skipped in both formats. */
export class RecordStream {
  /** Bytes consumed so far (for progress against `size`). */
  bytesRead = 0;
  private lineNo = 0;
  private rowNo = 0;
  private readonly lines: AsyncIterator<string>;
  private readonly close: () => void;

  private constructor(
    readonly file: string,
    readonly format: DataFormat,
    readonly size: number,
    /** Column names of a CSV file; null for JSON Lines. */
    public header: readonly string[] | null,
  ) {
    const input = createReadStream(file);
    const rl = createInterface({ input, crlfDelay: Infinity });
    this.lines = rl[Symbol.asyncIterator]();
    this.close = () => {
      rl.close();
      input.destroy();
    };
  }

  /**
   * With `blankCells`, a blank line of a one-column CSV file is a record holding one
   * empty cell (PMML: a missing value) instead of being skipped.
   */
  private blankCells = false;

  /** Opens a CSV or JSON Lines file; a CSV file's header is read here. */
  static async open(file: string, opts: { readonly blankCells?: boolean } = {}): Promise<RecordStream> {
    const format = dataFormatOf(file);
    if (format === undefined) dataError(file, undefined, `cannot tell the format from the extension "${extname(file)}"; use .csv (with a header row) or .jsonl (JSON Lines)`);
    let size: number;
    try {
      const st = statSync(file);
      if (!st.isFile()) dataError(file, undefined, 'not a regular file');
      size = st.size;
    } catch (e) {
      if (e instanceof DiagnosticError) throw e;
      return dataError(file, undefined, `cannot read the file: ${(e as Error).message}`);
    }
    const s = new RecordStream(file, format, size, null);
    s.blankCells = opts.blankCells === true;
    if (format === 'csv') {
      try {
        const first = await s.nextCsvRow();
        if (first === undefined) dataError(file, undefined, 'the file is empty; a CSV file needs a header row naming its columns');
        const header = first.cells.map((c) => c.trim());
        const seen = new Set<string>();
        for (const name of header) {
          if (seen.has(name)) dataError(file, first.line, `the header names column ${JSON.stringify(name)} twice`);
          seen.add(name);
        }
        s.header = header;
      } catch (e) {
        s.dispose();
        throw e;
      }
    }
    return s;
  }

  private async nextLine(): Promise<string | undefined> {
    let r: IteratorResult<string>;
    try {
      r = await this.lines.next();
    } catch (e) {
      return dataError(this.file, undefined, `cannot read the file: ${(e as Error).message}`);
    }
    if (r.done) return undefined;
    this.lineNo++;
    let text = r.value;
    this.bytesRead += Buffer.byteLength(text) + 1;
    if (this.lineNo === 1 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    return text;
  }

  private async nextCsvRow(): Promise<{ line: number; cells: string[] } | undefined> {
    for (;;) {
      const text = await this.nextLine();
      if (text === undefined) return undefined;
      if (text.trim() === '') {
        if (this.blankCells && this.header?.length === 1) return { line: this.lineNo, cells: [''] };
        continue;
      }
      const line = this.lineNo;
      let record = text;
      let parsed = parseCsvRecord(record);
      // A quoted field may span lines (RFC 4180): read on until the quote closes.
      while (parsed === undefined) {
        const more = await this.nextLine();
        if (more === undefined) dataError(this.file, line, 'a quoted field is not closed before the end of the file');
        record += '\n' + more;
        parsed = parseCsvRecord(record);
      }
      return { line, cells: parsed };
    }
  }

  /** The next record, or undefined at the end of the file. */
  async next(): Promise<DataRecord | undefined> {
    if (this.format === 'csv') {
      const r = await this.nextCsvRow();
      if (r === undefined) return undefined;
      const width = this.header?.length ?? 0;
      if (r.cells.length !== width) {
        dataError(this.file, r.line, `the row has ${r.cells.length} values but the header has ${width} columns`);
      }
      return { kind: 'csv', row: ++this.rowNo, line: r.line, cells: r.cells };
    }
    for (;;) {
      const text = await this.nextLine();
      if (text === undefined) return undefined;
      if (text.trim() === '') continue;
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        const hint = text.trimStart().startsWith('[') && this.lineNo === 1 ? ' (a JSON array is not JSON Lines: write one object per line)' : '';
        return dataError(this.file, this.lineNo, `invalid JSON: ${(e as Error).message}${hint}`);
      }
      if (value === null || typeof value !== 'object' || Array.isArray(value)) {
        dataError(this.file, this.lineNo, 'each line must be a JSON object mapping names to values');
      }
      return { kind: 'json', row: ++this.rowNo, line: this.lineNo, object: value as Record<string, unknown> };
    }
  }

  dispose(): void {
    this.close();
  }
}

/** Parses one CSV record (RFC 4180); undefined when a quoted field is still open. */
export function parseCsvRecord(text: string): string[] | undefined {
  const cells: string[] = [];
  let i = 0;
  const n = text.length;
  for (;;) {
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= n) return undefined;
        const c = text[i];
        if (c === '"') {
          if (text[i + 1] === '"') { value += '"'; i += 2; continue; }
          i++;
          break;
        }
        value += c;
        i++;
      }
      // Anything between the closing quote and the next comma is kept verbatim.
      const end = text.indexOf(',', i);
      value += text.slice(i, end < 0 ? n : end);
      cells.push(value);
      if (end < 0) return cells;
      i = end + 1;
    } else {
      const end = text.indexOf(',', i);
      cells.push(text.slice(i, end < 0 ? n : end));
      if (end < 0) return cells;
      i = end + 1;
    }
  }
}

// ---------------------------------------------------------------------------------------
// Element values

const INT_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535],
  int32: [-2147483648, 2147483647], uint32: [0, 4294967295],
};

function parseFloatText(s: string): number | undefined {
  const t = s.trim();
  if (t === '') return NaN;
  const lower = t.toLowerCase();
  if (lower === 'nan' || lower === '+nan' || lower === '-nan') return NaN;
  if (lower === 'inf' || lower === '+inf' || lower === 'infinity' || lower === '+infinity') return Infinity;
  if (lower === '-inf' || lower === '-infinity') return -Infinity;
  const x = Number(t);
  return Number.isNaN(x) ? undefined : x;
}

/**
 * Converts one element from a data file (JSON value or CSV text) to the value the
 * generated module takes for `type`: numbers, bigints for 64-bit integers, 0/1 for
 * bool, strings. Returns undefined when the value cannot be one of that type.
 */
export function convertElement(v: unknown, type: string): unknown {
  switch (type) {
    case 'float32': case 'float64': case 'float16':
      if (typeof v === 'number') return v;
      if (v === null) return NaN;
      if (typeof v === 'string') return parseFloatText(v);
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (typeof v === 'bigint') return Number(v);
      return undefined;
    case 'int64': case 'uint64': {
      let b: bigint | undefined;
      if (typeof v === 'bigint') b = v;
      else if (typeof v === 'number' && Number.isInteger(v)) b = BigInt(v);
      else if (typeof v === 'string' && /^\s*[+-]?\d+\s*$/.test(v)) b = BigInt(v.trim());
      else if (typeof v === 'string' && v.trim() !== '' && Number.isSafeInteger(Number(v))) b = BigInt(Number(v)); // "1.0", "1e3"
      else if (typeof v === 'boolean') b = v ? 1n : 0n;
      if (b === undefined) return undefined;
      if (type === 'uint64' ? b < 0n || b > 0xffffffffffffffffn : b < -(2n ** 63n) || b >= 2n ** 63n) return undefined;
      return b;
    }
    case 'bool':
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (v === 0 || v === 1) return v;
      if (typeof v === 'string') {
        const t = v.trim().toLowerCase();
        if (t === 'true' || t === '1') return 1;
        if (t === 'false' || t === '0') return 0;
      }
      return undefined;
    case 'string':
      if (typeof v === 'string') return v;
      if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
      return undefined;
    default: {
      const range = INT_RANGES[type];
      if (range === undefined) return v;
      let x: number | undefined;
      if (typeof v === 'number') x = v;
      else if (typeof v === 'string' && v.trim() !== '') x = Number(v.trim());
      else if (typeof v === 'boolean') x = v ? 1 : 0;
      else if (typeof v === 'bigint') x = Number(v);
      if (x === undefined || !Number.isInteger(x) || x < range[0] || x > range[1]) return undefined;
      return x;
    }
  }
}

function describe(v: unknown): string {
  if (typeof v === 'bigint') return String(v);
  const s = JSON.stringify(v) ?? String(v);
  return s.length > 40 ? s.slice(0, 37) + '...' : s;
}

/** Converts every element; `where` names the value in the error message. */
export function convertElements(values: readonly unknown[], type: string, file: string, line: number, where: string): unknown[] {
  const out = new Array<unknown>(values.length);
  for (let i = 0; i < values.length; i++) {
    const x = convertElement(values[i], type);
    if (x === undefined) {
      const at = values.length === 1 ? '' : ` element ${i}`;
      dataError(file, line, `${where}${at}: ${describe(values[i])} is not a valid ${type} value`);
    }
    out[i] = x;
  }
  return out;
}

/** Flattens nested arrays (row-major); `dims` is the nesting when it is regular. */
export function flatten(v: unknown): { data: unknown[]; dims: number[] | null } {
  if (!Array.isArray(v)) return { data: [v], dims: [] };
  if (!v.some((x) => Array.isArray(x))) return { data: v.slice(), dims: [v.length] };
  const data: unknown[] = [];
  let dims: number[] | null = null;
  let regular = true;
  for (const item of v) {
    const inner = flatten(item);
    for (const x of inner.data) data.push(x);
    if (dims === null) dims = inner.dims;
    else if (inner.dims === null || dims.length !== inner.dims.length || dims.some((d, k) => d !== inner.dims![k])) regular = false;
  }
  return { data, dims: regular && dims !== null ? [v.length, ...dims] : null };
}

/**
 * Dims for `n` values of an input declared with `shape`. Static dims are kept; a single
 * symbolic (or unknown) dim takes what remains; with several, the leading ones are 1 and
 * the last takes what remains (so [N, k] with k values is [1, k]).
 */
export function resolveDims(shape: FieldSpec['shape'], n: number): number[] | string {
  if (shape === null) return [n];
  let known = 1;
  let lastDynamic = -1;
  for (let i = 0; i < shape.length; i++) {
    const d = shape[i];
    if (typeof d === 'number' && d >= 0) known *= d;
    else lastDynamic = i;
  }
  const dims = shape.map((d) => (typeof d === 'number' && d >= 0 ? d : 1));
  if (lastDynamic < 0) {
    return known === n ? dims : `its shape [${shape.join(',')}] needs ${known} values, got ${n}`;
  }
  if (known === 0 ? n !== 0 : n % known !== 0) {
    return `${n} values do not fit its shape [${shape.map((d) => d ?? '?').join(',')}]`;
  }
  dims[lastDynamic] = known === 0 ? 0 : n / known;
  return dims;
}

// ---------------------------------------------------------------------------------------
// Inputs → feeds

export type Feeds = Record<string, unknown>;

/** Turns records into feeds for a model with these inputs. */
export interface FeedReader {
  read(rec: DataRecord): Feeds;
  /** CSV columns that name no input (ignored). */
  readonly ignoredColumns: readonly string[];
}

const INDEXED = /^(.*)\[(\d+)\]$/;

/** Maps CSV columns onto fields: `name` or `name[i]`. */
function matchColumns(header: readonly string[], fields: readonly FieldSpec[]): {
  exact: Map<string, number>; indexed: Map<string, Map<number, number>>; unmatched: number[];
} {
  const names = new Set(fields.map((f) => f.name));
  const exact = new Map<string, number>();
  const indexed = new Map<string, Map<number, number>>();
  const unmatched: number[] = [];
  header.forEach((col, c) => {
    if (names.has(col)) { exact.set(col, c); return; }
    const m = INDEXED.exec(col);
    if (m !== null && names.has(m[1])) {
      const slots = indexed.get(m[1]) ?? new Map<number, number>();
      slots.set(Number(m[2]), c);
      indexed.set(m[1], slots);
      return;
    }
    unmatched.push(c);
  });
  return { exact, indexed, unmatched };
}

/** Column indices holding each field's elements, in element order. */
function columnPlan(file: string, header: readonly string[], fields: readonly FieldSpec[], what: 'input' | 'output'): {
  plan: Map<string, number[]>; unmatched: number[];
} {
  const { exact, indexed, unmatched } = matchColumns(header, fields);
  const plan = new Map<string, number[]>();
  for (const f of fields) {
    const e = exact.get(f.name);
    const slots = indexed.get(f.name);
    if (e !== undefined && slots !== undefined) {
      dataError(file, 1, `${what} ${JSON.stringify(f.name)} has both a column ${JSON.stringify(f.name)} and indexed columns ${JSON.stringify(`${f.name}[i]`)}`);
    }
    if (e !== undefined) plan.set(f.name, [e]);
    else if (slots !== undefined) {
      const cols: number[] = [];
      for (let i = 0; i < slots.size; i++) {
        const c = slots.get(i);
        if (c === undefined) dataError(file, 1, `columns for ${what} ${JSON.stringify(f.name)} must be ${f.name}[0] to ${f.name}[${slots.size - 1}]; ${f.name}[${i}] is missing`);
        cols.push(c);
      }
      plan.set(f.name, cols);
    }
  }
  return { plan, unmatched };
}

function list(names: readonly string[]): string {
  return names.map((n) => JSON.stringify(n)).join(', ');
}

/** A feed reader for `stream` (CSV or JSON Lines) and a model's declared inputs. */
export function feedReader(stream: RecordStream, inputs: readonly FieldSpec[]): FeedReader {
  const file = stream.file;
  if (stream.format === 'jsonl') {
    const byName = new Map(inputs.map((f) => [f.name, f]));
    return {
      ignoredColumns: [],
      read(rec) {
        if (rec.kind !== 'json') throw new Error('expected a JSON record');
        const feeds: Feeds = {};
        for (const key of Object.keys(rec.object)) {
          if (!byName.has(key)) dataError(file, rec.line, `${JSON.stringify(key)} is not an input of the model (inputs: ${list(inputs.map((f) => f.name))})`);
        }
        for (const f of inputs) {
          if (!(f.name in rec.object)) dataError(file, rec.line, `no value for input ${JSON.stringify(f.name)}`);
          feeds[f.name] = jsonFeed(rec.object[f.name], f, file, rec.line);
        }
        return feeds;
      },
    };
  }
  const header = stream.header ?? [];
  let { plan, unmatched } = columnPlan(file, header, inputs, 'input');
  if (plan.size === 0 && inputs.length === 1) {
    // A single-input model takes the columns, in header order, as that input's values.
    plan = new Map([[inputs[0].name, header.map((_, c) => c)]]);
    unmatched = [];
  } else {
    const missing = inputs.filter((f) => !plan.has(f.name)).map((f) => f.name);
    if (missing.length > 0) {
      dataError(file, 1, `no column for input${missing.length > 1 ? 's' : ''} ${list(missing)}; name columns after the inputs ("x", or "x[0]", "x[1]"... for a tensor's elements)`);
    }
  }
  const fields = inputs.map((f) => ({ f, cols: plan.get(f.name) ?? [] }));
  return {
    ignoredColumns: unmatched.map((c) => header[c]),
    read(rec) {
      if (rec.kind !== 'csv') throw new Error('expected a CSV record');
      const feeds: Feeds = {};
      for (const { f, cols } of fields) {
        const raw = cols.map((c) => rec.cells[c]);
        feeds[f.name] = tensorFeed(f, f.type, raw, null, file, rec.line);
      }
      return feeds;
    },
  };
}

function tensorFeed(f: FieldSpec, type: string, raw: readonly unknown[], nested: number[] | null, file: string, line: number): Feeds[string] {
  const data = convertElements(raw, type, file, line, `input ${JSON.stringify(f.name)}`);
  let dims: number[] | string;
  if (nested !== null && f.shape !== null && nested.length === f.shape.length) dims = nested;
  else if (nested !== null && f.shape === null && nested.length > 1) dims = nested;
  else dims = resolveDims(f.shape, data.length);
  if (typeof dims === 'string') dataError(file, line, `input ${JSON.stringify(f.name)}: ${dims}`);
  return { type, dims, data };
}

function jsonFeed(v: unknown, f: FieldSpec, file: string, line: number): unknown {
  if (!isTensorField(f)) return v; // sequences, maps, optionals: passed as written
  if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const t = v as { type?: unknown; dims?: unknown; data?: unknown };
    if (!('data' in t)) dataError(file, line, `input ${JSON.stringify(f.name)}: a tensor needs "data" (and optionally "type" and "dims")`);
    const type = t.type === undefined ? f.type : t.type;
    if (typeof type !== 'string' || !TENSOR_TYPES.has(type)) dataError(file, line, `input ${JSON.stringify(f.name)}: unknown element type ${describe(type)}`);
    const flat = flatten(t.data);
    if (t.dims === undefined) return tensorFeed(f, type, flat.data, flat.dims, file, line);
    if (!Array.isArray(t.dims) || t.dims.some((d) => !Number.isInteger(d) || (d as number) < 0)) {
      dataError(file, line, `input ${JSON.stringify(f.name)}: "dims" must be an array of non-negative integers`);
    }
    const data = convertElements(flat.data, type, file, line, `input ${JSON.stringify(f.name)}`);
    return { type, dims: t.dims as number[], data };
  }
  const flat = flatten(v);
  return tensorFeed(f, f.type, flat.data, flat.dims, file, line);
}

// ---------------------------------------------------------------------------------------
// Expected outputs

/** An expected output as written; `type`/`dims` are checked only when present. */
export type ExpectedValue =
  | { readonly kind: 'tensor'; readonly type?: string; readonly dims?: readonly number[]; readonly data: readonly unknown[] }
  /** Non-tensor outputs (sequences, maps, optionals), compared structurally. */
  | { readonly kind: 'value'; readonly value: unknown };

export interface ExpectedReader {
  /** Expected values by output name; outputs absent from a record are not compared. */
  read(rec: DataRecord): Map<string, ExpectedValue>;
}

export function expectedReader(stream: RecordStream, outputs: readonly FieldSpec[]): ExpectedReader {
  const file = stream.file;
  const byName = new Map(outputs.map((f) => [f.name, f]));
  if (stream.format === 'jsonl') {
    return {
      read(rec) {
        if (rec.kind !== 'json') throw new Error('expected a JSON record');
        const out = new Map<string, ExpectedValue>();
        for (const [key, v] of Object.entries(rec.object)) {
          const f = byName.get(key);
          if (f === undefined) dataError(file, rec.line, `${JSON.stringify(key)} is not an output of the model (outputs: ${list(outputs.map((o) => o.name))})`);
          out.set(key, jsonExpected(v, f, file, rec.line));
        }
        return out;
      },
    };
  }
  const header = stream.header ?? [];
  const { plan, unmatched } = columnPlan(file, header, outputs, 'output');
  if (unmatched.length > 0) {
    dataError(file, 1, `column${unmatched.length > 1 ? 's' : ''} ${list(unmatched.map((c) => header[c]))} name${unmatched.length > 1 ? '' : 's'} no output of the model (outputs: ${list(outputs.map((o) => o.name))}; use "y" or "y[0]", "y[1]"... for a tensor's elements)`);
  }
  const fields = [...plan];
  return {
    read(rec) {
      if (rec.kind !== 'csv') throw new Error('expected a CSV record');
      const out = new Map<string, ExpectedValue>();
      for (const [name, cols] of fields) out.set(name, { kind: 'tensor', data: cols.map((c) => rec.cells[c]) });
      return out;
    },
  };
}

function jsonExpected(v: unknown, f: FieldSpec, file: string, line: number): ExpectedValue {
  const isObject = v !== null && typeof v === 'object' && !Array.isArray(v);
  if (isObject && 'data' in v) {
    const t = v as { type?: unknown; dims?: unknown; data?: unknown };
    if (t.type !== undefined && (typeof t.type !== 'string' || !TENSOR_TYPES.has(t.type))) {
      dataError(file, line, `output ${JSON.stringify(f.name)}: unknown element type ${describe(t.type)}`);
    }
    if (t.dims !== undefined && (!Array.isArray(t.dims) || t.dims.some((d) => !Number.isInteger(d) || (d as number) < 0))) {
      dataError(file, line, `output ${JSON.stringify(f.name)}: "dims" must be an array of non-negative integers`);
    }
    return { kind: 'tensor', type: t.type as string | undefined, dims: t.dims as number[] | undefined, data: flatten(t.data).data };
  }
  // Sequences, maps and optionals are compared structurally; a tensor may be written as bare data.
  if (!isTensorField(f) && f.shape === null) return { kind: 'value', value: v };
  if (isObject) dataError(file, line, `output ${JSON.stringify(f.name)}: a tensor needs "data" (and optionally "type" and "dims")`);
  return { kind: 'tensor', data: flatten(v).data };
}
