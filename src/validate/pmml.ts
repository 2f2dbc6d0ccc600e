// `validate` and `predict` for PMML modules, whose predict() takes a record (field
// name → value) and returns a record (CONTRACT §2). Data files hold one record per
// CSV row or JSON line; CSV cells are strings (an empty cell is a missing value) and
// the module converts them by the fields' dataType.
//
// One comparison rule for PMML results (used by `mlcompile validate`, the ModelVerification
// check and test/conformance/pmml-runner.ts):
// - an empty expected value (empty CSV cell, JSON null) needs a missing result (null/undefined);
// - numbers: |actual - expected| <= atol + rtol * |expected| (./compare.ts scalarError);
// - a number against text that is not a number (a cluster id "1" against 1.0, a label):
//   compared as strings, numbers normalised ("1.0" equals "1");
// - booleans against "true"/"false" (any case) or 1/0; strings exactly.

import { basename } from 'node:path';
import { DiagnosticError } from '../diagnostics/diagnostic.js';
import { scalarError, type Tolerance } from './compare.js';
import { PredictionError, type LineSink, type RunnableModel } from './predict.js';
import { RecordStream, type DataRecord } from './read-inputs.js';
import { SummaryBuilder, type OutputCheck, type RowResult, type ValidationSummary } from './report.js';
import type { ValidateOptions } from './validate.js';

export type PmmlRecord = Record<string, unknown>;

/** The key under which a PMML module reports a refused record (invalidValueTreatment="returnInvalid"). */
export const ERROR_KEY = '$error';

const NUMBER_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/;

function isMissing(v: unknown): boolean {
  return v === null || v === undefined || v === '';
}

/** A number written as text (also NaN and the infinities), else undefined. */
function numberOf(v: unknown): number | undefined {
  if (typeof v === 'number') return v;
  if (typeof v !== 'string') return undefined;
  if (NUMBER_TEXT.test(v)) return Number(v);
  const t = v.trim().toLowerCase();
  if (t === 'nan') return NaN;
  if (t === 'inf' || t === 'infinity' || t === '+inf' || t === '+infinity') return Infinity;
  if (t === '-inf' || t === '-infinity') return -Infinity;
  return undefined;
}

/** Text with numbers normalised: "1.0" and 1 both give "1". */
function normalised(v: unknown): string {
  const n = numberOf(v);
  if (n !== undefined) return String(n);
  return String(v);
}

function shown(v: unknown): string {
  if (v === undefined || v === null) return 'missing';
  if (typeof v === 'string') return JSON.stringify(v);
  return String(v);
}

export interface ValueCheck {
  readonly ok: boolean;
  /** Absolute error of a numeric comparison (0 when equal, Infinity when kinds differ). */
  readonly abs: number;
  readonly message: string;
}

/** Compares one result value with its expected value (CSV text, or a JSON value) by the rule above. */
export function comparePmmlValue(actual: unknown, expected: unknown, tol: Tolerance): ValueCheck {
  const good = (abs = 0): ValueCheck => ({ ok: true, abs, message: 'ok' });
  const bad = (abs = Infinity): ValueCheck => ({ ok: false, abs, message: `got ${shown(actual)}, expected ${isMissing(expected) ? 'missing' : shown(expected)}` });
  if (isMissing(expected)) return actual === null || actual === undefined ? good() : bad();
  if (actual === null || actual === undefined) return bad();
  if (typeof actual === 'boolean') {
    const e = typeof expected === 'boolean' ? expected : String(expected).trim().toLowerCase();
    const ok = e === actual || e === String(actual) || (typeof e === 'string' && e === (actual ? '1' : '0'));
    return ok ? good() : bad();
  }
  if (typeof actual === 'number') {
    const e = numberOf(expected);
    if (e !== undefined) {
      const r = scalarError(actual, e, tol);
      return r.ok ? good(r.abs) : bad(r.abs);
    }
    return normalised(actual) === String(expected) ? good() : bad();
  }
  if (typeof actual === 'string') {
    if (actual === expected || actual === String(expected)) return good();
    // A label that is a number ("1.0" against 1, "1" against "1.0").
    const a = numberOf(actual);
    const e = numberOf(expected);
    if (a !== undefined && e !== undefined) {
      const r = scalarError(a, e, tol);
      return r.ok ? good(r.abs) : bad(r.abs);
    }
    return bad();
  }
  return normalised(actual) === normalised(expected) ? good() : bad();
}

/**
 * The PMML ModelVerification rule for one VerificationField: numbers agree when their
 * relative error is within `precision`, or when both are within `zeroThreshold` of zero;
 * other values as comparePmmlValue.
 */
export function compareVerified(actual: unknown, expected: unknown, precision: number, zeroThreshold: number): ValueCheck {
  const e = numberOf(expected);
  if (typeof actual === 'number' && e !== undefined && Number.isFinite(e) && Number.isFinite(actual)) {
    const abs = Math.abs(actual - e);
    const ok = abs <= precision * Math.abs(e) || (Math.abs(e) <= zeroThreshold && Math.abs(actual) <= zeroThreshold);
    return { ok, abs, message: ok ? 'ok' : `got ${actual}, expected ${e} (precision ${precision}, zeroThreshold ${zeroThreshold})` };
  }
  return comparePmmlValue(actual, expected, { rtol: precision, atol: 0 });
}

// ---------------------------------------------------------------------------------------
// Reading records

export interface PmmlRecordReader {
  read(rec: DataRecord): PmmlRecord;
  /** Columns (or JSON keys of the first line) that name no input field: ignored. */
  readonly ignored: readonly string[];
  /** Input fields no CSV column names: missing in every record. */
  readonly absent: readonly string[];
}

/** Records for a PMML module: CSV columns or JSON keys naming input fields; others are ignored. */
export function pmmlRecordReader(stream: RecordStream, model: RunnableModel): PmmlRecordReader {
  const names = new Set(model.inputs.map((f) => f.name));
  if (stream.format === 'jsonl') {
    const ignored: string[] = [];
    return {
      ignored,
      absent: [],
      read(rec) {
        if (rec.kind !== 'json') throw new Error('expected a JSON record');
        const out: PmmlRecord = {};
        for (const [k, v] of Object.entries(rec.object)) {
          if (names.has(k)) out[k] = v;
          else if (!ignored.includes(k)) ignored.push(k);
        }
        return out;
      },
    };
  }
  const header = stream.header ?? [];
  const cols: [string, number][] = [];
  const ignored: string[] = [];
  header.forEach((h, i) => {
    if (names.has(h)) cols.push([h, i]);
    else ignored.push(h);
  });
  const present = new Set(cols.map(([h]) => h));
  return {
    ignored,
    absent: model.inputs.filter((f) => !present.has(f.name)).map((f) => f.name),
    read(rec) {
      if (rec.kind !== 'csv') throw new Error('expected a CSV record');
      const out: PmmlRecord = {};
      for (const [name, i] of cols) {
        const cell = rec.cells[i];
        out[name] = cell === '' ? null : cell;
      }
      return out;
    },
  };
}

/** Scores one record; a module that throws (it should not) names the row. */
function score(model: RunnableModel, record: PmmlRecord, file: string, rec: DataRecord): PmmlRecord {
  try {
    return model.run(record);
  } catch (e) {
    throw new PredictionError(file, rec.line, rec.row, e);
  }
}

function warnColumns(reader: PmmlRecordReader, file: string, onWarning?: (m: string) => void): void {
  if (reader.ignored.length > 0) onWarning?.(`${basename(file)}: ignoring columns that name no input field: ${reader.ignored.join(', ')}`);
  if (reader.absent.length > 0) onWarning?.(`${basename(file)}: no column for input field${reader.absent.length > 1 ? 's' : ''} ${reader.absent.join(', ')} (missing in every record)`);
}

// ---------------------------------------------------------------------------------------
// predict

/** A result value as JSON: NaN and the infinities as strings. */
function jsonValue(v: unknown): unknown {
  if (v === undefined) return null;
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  return v;
}

function csvCell(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) || s !== s.trim() ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One JSON line per record: the output fields in order, plus `$error` when the record was refused. */
export function pmmlJsonLine(result: PmmlRecord, model: RunnableModel): string {
  const obj: Record<string, unknown> = {};
  for (const o of model.outputs) obj[o.name] = jsonValue(result[o.name]);
  if (result[ERROR_KEY] !== undefined) obj[ERROR_KEY] = result[ERROR_KEY];
  return JSON.stringify(obj);
}

export interface PmmlPredictOptions {
  readonly model: RunnableModel;
  readonly inputsFile: string;
  readonly sink: LineSink;
  readonly csv: boolean;
  readonly onWarning?: (message: string) => void;
  readonly onProgress?: (p: { rows: number; bytes: number; totalBytes: number }) => void;
}

/** Scores every record; CSV output has one column per output field (a refused record: empty cells and a warning). */
export async function predictPmmlFile(opts: PmmlPredictOptions): Promise<number> {
  const { model } = opts;
  const stream = await RecordStream.open(opts.inputsFile, { blankCells: true });
  try {
    const reader = pmmlRecordReader(stream, model);
    if (stream.format === 'csv') warnColumns(reader, opts.inputsFile, opts.onWarning);
    if (opts.csv) await opts.sink.write(model.outputs.map((o) => csvCell(o.name)).join(','));
    let rows = 0;
    for (let rec = await stream.next(); rec !== undefined; rec = await stream.next()) {
      const result = score(model, reader.read(rec), opts.inputsFile, rec);
      if (opts.csv) {
        if (result[ERROR_KEY] !== undefined) opts.onWarning?.(`${basename(opts.inputsFile)} line ${rec.line}: the record was refused: ${String(result[ERROR_KEY])}`);
        await opts.sink.write(model.outputs.map((o) => csvCell(result[o.name])).join(','));
      } else {
        await opts.sink.write(pmmlJsonLine(result, model));
      }
      rows++;
      opts.onProgress?.({ rows, bytes: stream.bytesRead, totalBytes: stream.size });
    }
    if (stream.format === 'jsonl') warnColumns(reader, opts.inputsFile, opts.onWarning);
    return rows;
  } finally {
    stream.dispose();
  }
}

// ---------------------------------------------------------------------------------------
// validate

/** Expected values by column; columns must name output fields (or `$error`). */
function expectedRecords(stream: RecordStream, model: RunnableModel): (rec: DataRecord) => Map<string, unknown> {
  const names = new Set([...model.outputs.map((o) => o.name), ERROR_KEY]);
  const list = model.outputs.map((o) => JSON.stringify(o.name)).join(', ');
  const unknown = (file: string, line: number, cols: string[]): never => {
    throw new DiagnosticError('MLC6001', `column${cols.length > 1 ? 's' : ''} ${cols.map((c) => JSON.stringify(c)).join(', ')} name${cols.length > 1 ? '' : 's'} no output field of the model (outputs: ${list})`, basename(file), `line ${line}`);
  };
  if (stream.format === 'csv') {
    const header = stream.header ?? [];
    const bad = header.filter((h) => !names.has(h));
    if (bad.length > 0) unknown(stream.file, 1, bad);
    return (rec) => {
      if (rec.kind !== 'csv') throw new Error('expected a CSV record');
      return new Map(header.map((h, i) => [h, rec.cells[i]]));
    };
  }
  return (rec) => {
    if (rec.kind !== 'json') throw new Error('expected a JSON record');
    const bad = Object.keys(rec.object).filter((k) => !names.has(k));
    if (bad.length > 0) unknown(stream.file, rec.line, bad);
    return new Map(Object.entries(rec.object));
  };
}

/** Checks one scored record against expected values by column, with `compare` per column. */
export function checkRecord(
  result: PmmlRecord,
  expected: ReadonlyMap<string, unknown>,
  compare: (column: string, actual: unknown, expected: unknown) => ValueCheck,
): { ok: boolean; checks: OutputCheck[]; maxAbsError: number; mismatchError: number } {
  const checks: OutputCheck[] = [];
  let maxAbsError = 0;
  let mismatchError = 0;
  for (const [column, exp] of expected) {
    const actual = result[column];
    const c = compare(column, actual, exp);
    const err = Number.isFinite(c.abs) ? c.abs : c.ok ? 0 : Infinity;
    maxAbsError = Math.max(maxAbsError, err);
    if (!c.ok) mismatchError = Math.max(mismatchError, err);
    checks.push({
      output: column, ok: c.ok, mismatches: c.ok ? 0 : 1, maxAbsError: err, mismatchError: c.ok ? 0 : err, worstIndex: -1, message: c.message,
      ...(c.ok ? {} : { actual: jsonValue(actual), expected: exp }),
    });
  }
  return { ok: checks.every((c) => c.ok), checks, maxAbsError, mismatchError };
}

export async function validatePmmlFiles(opts: ValidateOptions): Promise<ValidationSummary> {
  const { model, tolerance } = opts;
  // A one-column CSV file writes a missing value as a blank line.
  const inputs = await RecordStream.open(opts.inputsFile, { blankCells: true });
  let expected: RecordStream | undefined;
  try {
    expected = await RecordStream.open(opts.expectedFile, { blankCells: true });
    const reader = pmmlRecordReader(inputs, model);
    const want = expectedRecords(expected, model);
    if (inputs.format === 'csv') warnColumns(reader, opts.inputsFile, opts.onWarning);
    const summary = new SummaryBuilder(tolerance, model.outputs.map((o) => o.name));
    let rows = 0;
    for (;;) {
      const inRec = await inputs.next();
      const expRec = await expected.next();
      if (inRec === undefined || expRec === undefined) {
        if (inRec === expRec) break;
        let nIn = rows + (inRec === undefined ? 0 : 1);
        let nExp = rows + (expRec === undefined ? 0 : 1);
        while (inRec !== undefined && (await inputs.next()) !== undefined) nIn++;
        while (expRec !== undefined && (await expected.next()) !== undefined) nExp++;
        throw new DiagnosticError('MLC6001', `${basename(opts.inputsFile)} has ${nIn} rows but ${basename(opts.expectedFile)} has ${nExp}; they must match row for row`, basename(opts.expectedFile));
      }
      rows++;
      const result = score(model, reader.read(inRec), opts.inputsFile, inRec);
      const checked = checkRecord(result, want(expRec), (_c, a, e) => comparePmmlValue(a, e, tolerance));
      const row: RowResult = {
        row: inRec.row, inputsLine: inRec.line, expectedLine: expRec.line, ...checked,
        ...(result[ERROR_KEY] !== undefined && !checked.ok ? { error: `the record was refused: ${String(result[ERROR_KEY])}` } : {}),
      };
      summary.add(row);
      await opts.onRow?.(row);
      opts.onProgress?.({ rows, bytes: inputs.bytesRead + expected.bytesRead, totalBytes: inputs.size + expected.size });
    }
    if (inputs.format === 'jsonl') warnColumns(reader, opts.inputsFile, opts.onWarning);
    if (rows === 0) throw new DiagnosticError('MLC6001', 'the file has no rows to validate', basename(opts.inputsFile));
    return summary.finish();
  } finally {
    inputs.dispose();
    expected?.dispose();
  }
}

// ---------------------------------------------------------------------------------------
// ModelVerification

export interface Verification {
  readonly fields: readonly { readonly field: string; readonly column: string; readonly precision: number; readonly zeroThreshold: number }[];
  readonly rows: readonly Readonly<Record<string, string | null>>[];
}

/**
 * Scores the document's own ModelVerification records and compares the result fields
 * with each VerificationField's precision and zeroThreshold. VerificationFields naming
 * input fields give the record; those naming output fields are compared.
 */
export function validatePmmlVerification(model: RunnableModel, v: Verification, onRow?: (r: RowResult) => void): ValidationSummary {
  const inputs = new Set(model.inputs.map((f) => f.name));
  const outputs = new Set(model.outputs.map((f) => f.name));
  const given = v.fields.filter((f) => inputs.has(f.field));
  const checked = v.fields.filter((f) => outputs.has(f.field) && !inputs.has(f.field));
  const rule = new Map(checked.map((f) => [f.field, f]));
  const precision = checked.reduce((m, f) => Math.max(m, f.precision), 0);
  const zero = checked.reduce((m, f) => Math.max(m, f.zeroThreshold), 0);
  const summary = new SummaryBuilder({ rtol: precision, atol: zero }, checked.map((f) => f.field));
  v.rows.forEach((row, i) => {
    const record: PmmlRecord = {};
    for (const f of given) record[f.field] = row[f.column] ?? null;
    const rec: DataRecord = { kind: 'json', row: i + 1, line: i + 1, object: record };
    const result = score(model, record, 'ModelVerification', rec);
    const expected = new Map<string, unknown>();
    for (const f of checked) expected.set(f.field, row[f.column] ?? null);
    const c = checkRecord(result, expected, (column, a, e) => {
      const r = rule.get(column);
      return r === undefined ? comparePmmlValue(a, e, { rtol: 0, atol: 0 }) : compareVerified(a, e, r.precision, r.zeroThreshold);
    });
    const r: RowResult = {
      row: i + 1, inputsLine: i + 1, expectedLine: i + 1, ...c,
      ...(result[ERROR_KEY] !== undefined && !c.ok ? { error: `the record was refused: ${String(result[ERROR_KEY])}` } : {}),
    };
    summary.add(r);
    onRow?.(r);
  });
  return summary.finish();
}
