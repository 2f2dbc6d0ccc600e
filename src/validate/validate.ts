// The validation driver behind `mlcompile validate`: streams the inputs and the
// expected outputs side by side, runs the generated module on each row and compares
// with the one rule of ./compare.ts. Returns the summary; the CLI prints it.
//
// What is compared: every output named in an expected record (outputs left out are
// not compared). An expected tensor's `type` and `dims` are checked when given; when
// left out (always so for CSV), the values are read as the actual output's type and
// only the element count and values are compared. An expected value that cannot be of
// the output's type (1.5 for an int64 output) is a mismatch. A row where the model fails
// counts as a mismatch; a row the model rejects as malformed (wrong type or shape) is
// an error in the inputs file (MLC6001).

import { basename } from 'node:path';
import { DiagnosticError } from '../diagnostics/diagnostic.js';
import { compareTensors, scalarError, type ComparableTensor, type Tolerance } from './compare.js';
import { float16Value, PredictionError, isTensorValue, runRecord, toJsonValue, type RunnableModel } from './predict.js';
import { convertElement, expectedReader, feedReader, RecordStream, type DataRecord, type ExpectedValue } from './read-inputs.js';
import { SummaryBuilder, type OutputCheck, type RowResult, type ValidationSummary } from './report.js';

export interface ValidateOptions {
  readonly model: RunnableModel;
  readonly inputsFile: string;
  readonly expectedFile: string;
  readonly tolerance: Tolerance;
  /** Every row's result, in order (for the JSON report). */
  readonly onRow?: (r: RowResult) => void | Promise<void>;
  readonly onProgress?: (p: { rows: number; bytes: number; totalBytes: number }) => void;
  readonly onWarning?: (message: string) => void;
}

async function countRest(s: RecordStream, from: number): Promise<number> {
  let n = from;
  while ((await s.next()) !== undefined) n++;
  return n;
}

export async function validateFiles(opts: ValidateOptions): Promise<ValidationSummary> {
  const { model, tolerance } = opts;
  const inputs = await RecordStream.open(opts.inputsFile);
  let expected: RecordStream | undefined;
  try {
    expected = await RecordStream.open(opts.expectedFile);
    const feeds = feedReader(inputs, model.inputs);
    const wants = expectedReader(expected, model.outputs);
    if (feeds.ignoredColumns.length > 0) opts.onWarning?.(`${basename(opts.inputsFile)}: ignoring columns that name no input: ${feeds.ignoredColumns.join(', ')}`);
    const summary = new SummaryBuilder(tolerance, model.outputs.map((o) => o.name));
    let rows = 0;
    for (;;) {
      const inRec = await inputs.next();
      const expRec = await expected.next();
      if (inRec === undefined || expRec === undefined) {
        if (inRec === expRec) break;
        const [nIn, nExp] = inRec === undefined ? [rows, await countRest(expected, rows + 1)] : [await countRest(inputs, rows + 1), rows];
        throw new DiagnosticError('MLC6001', `${basename(opts.inputsFile)} has ${nIn} rows but ${basename(opts.expectedFile)} has ${nExp}; they must match row for row`, basename(opts.expectedFile));
      }
      rows++;
      const result = checkRow(model, feeds.read(inRec), wants.read(expRec), inRec, expRec, opts, tolerance);
      summary.add(result);
      await opts.onRow?.(result);
      opts.onProgress?.({ rows, bytes: inputs.bytesRead + expected.bytesRead, totalBytes: inputs.size + expected.size });
    }
    if (rows === 0) throw new DiagnosticError('MLC6001', 'the file has no rows to validate', opts.inputsFile);
    return summary.finish();
  } finally {
    inputs.dispose();
    expected?.dispose();
  }
}

function checkRow(
  model: RunnableModel,
  feeds: Record<string, unknown>,
  want: Map<string, ExpectedValue>,
  inRec: DataRecord,
  expRec: DataRecord,
  opts: ValidateOptions,
  tol: Tolerance,
): RowResult {
  const base = { row: inRec.row, inputsLine: inRec.line, expectedLine: expRec.line };
  let results: Record<string, unknown>;
  try {
    results = runRecord(model, feeds, opts.inputsFile, inRec);
  } catch (e) {
    if (!(e instanceof PredictionError)) throw e;
    const error = `the model failed: ${e.failure instanceof Error ? e.failure.message : String(e.failure)}`;
    const checks: OutputCheck[] = [...want.keys()].map((output) => ({ output, ...bad('no value: the model failed on this row') }));
    return { ...base, ok: false, maxAbsError: Infinity, mismatchError: Infinity, checks, error };
  }
  const checks: OutputCheck[] = [];
  let maxAbsError = 0;
  let mismatchError = 0;
  for (const [output, exp] of want) {
    const c = checkOutput(output, results[output], exp, tol);
    checks.push(c);
    maxAbsError = Math.max(maxAbsError, c.maxAbsError);
    mismatchError = Math.max(mismatchError, c.mismatchError);
  }
  return { ...base, ok: checks.every((c) => c.ok), maxAbsError, mismatchError, checks };
}

/** Compares one output with its expected value. */
export function checkOutput(output: string, actual: unknown, exp: ExpectedValue, tol: Tolerance): OutputCheck {
  const r = exp.kind === 'tensor' ? compareTensor(actual, exp, tol) : compareStructured(actual, exp.value, tol, output);
  if (r.ok) return { output, ...r };
  return { output, ...r, actual: toJsonValue(actual), expected: exp.kind === 'tensor' ? { type: exp.type, dims: exp.dims, data: exp.data } : exp.value };
}

function compareTensor(actual: unknown, exp: Extract<ExpectedValue, { kind: 'tensor' }>, tol: Tolerance): Checked {
  if (!isTensorValue(actual)) return bad(`got ${kindOf(actual)}, expected a tensor`);
  const type = exp.type ?? actual.type;
  const a: ComparableTensor = { type: actual.type, dims: Array.from(actual.dims), data: actual.data };
  // Expected values are read as the expected type (the actual one when not given). One
  // that cannot be of that type (1.5 for int64, "abc" for float32) can never match.
  const data = new Array<unknown>(exp.data.length);
  for (let i = 0; i < exp.data.length; i++) {
    const x = convertElement(exp.data[i], type);
    if (x === undefined) return bad(`element ${i}: expected ${JSON.stringify(exp.data[i]) ?? String(exp.data[i])}, which is not a ${type} value`);
    data[i] = x;
  }
  const e: ComparableTensor = { type, dims: exp.dims ?? a.dims, data };
  const c = compareTensors(a, e, tol);
  return { ...c, mismatchError: c.ok ? 0 : c.worstIndex < 0 ? Infinity : mismatchError(a, e, tol) };
}

/** The largest error among the elements that disagree (same rule as compareTensors). */
function mismatchError(a: ComparableTensor, e: ComparableTensor, tol: Tolerance): number {
  const bits = a.type === 'float16' && a.data instanceof Uint16Array;
  let worst = 0;
  for (let i = 0; i < e.data.length; i++) {
    const x = bits ? float16Value(a.data[i] as number) : a.data[i];
    const s = scalarError(x, e.data[i], tol);
    if (!s.ok) worst = Math.max(worst, s.abs);
  }
  return worst;
}

function kindOf(v: unknown): string {
  if (v === null || v === undefined) return 'no value (null)';
  if (isTensorValue(v)) return `a ${v.type} tensor`;
  if (Array.isArray(v)) return `a sequence of ${v.length}`;
  if (v instanceof Map) return `a map of ${v.size}`;
  return `a ${typeof v}`;
}

type Checked = { ok: boolean; mismatches: number; maxAbsError: number; mismatchError: number; worstIndex: number; message: string };

function bad(message: string): Checked {
  return { ok: false, mismatches: 1, maxAbsError: Infinity, mismatchError: Infinity, worstIndex: -1, message };
}

/** Sequences (arrays), maps (objects) and optionals (null), element by element. */
function compareStructured(actual: unknown, expected: unknown, tol: Tolerance, where: string): Checked {
  if (expected === null) return actual === null || actual === undefined ? ok() : bad(`got ${kindOf(actual)}, expected null`);
  if (isTensorValue(actual)) {
    const t = expected !== null && typeof expected === 'object' && !Array.isArray(expected) && 'data' in expected
      ? (expected as { type?: string; dims?: number[]; data: unknown })
      : { data: expected };
    const c = compareTensor(actual, { kind: 'tensor', type: t.type, dims: t.dims, data: flat(t.data) }, tol);
    return c.ok ? c : { ...c, message: `${where}: ${c.message}` };
  }
  if (Array.isArray(actual)) {
    if (!Array.isArray(expected)) return bad(`${where}: got ${kindOf(actual)}, expected ${JSON.stringify(expected)?.slice(0, 40)}`);
    if (actual.length !== expected.length) return bad(`${where}: got a sequence of ${actual.length}, expected ${expected.length}`);
    return combine(actual.map((a, i) => compareStructured(a, expected[i], tol, `${where}[${i}]`)));
  }
  if (actual instanceof Map) {
    if (expected === null || typeof expected !== 'object' || Array.isArray(expected)) return bad(`${where}: got ${kindOf(actual)}, expected an object`);
    const keys = Object.keys(expected);
    if (keys.length !== actual.size) return bad(`${where}: got a map of ${actual.size} entries, expected ${keys.length}`);
    const byKey = new Map([...actual].map(([k, v]) => [String(k), v]));
    return combine(keys.map((k) => (byKey.has(k) ? compareStructured(byKey.get(k), (expected as Record<string, unknown>)[k], tol, `${where}[${JSON.stringify(k)}]`) : bad(`${where}: no key ${JSON.stringify(k)}`))));
  }
  let s: { ok: boolean; abs: number };
  try {
    s = scalarError(actual, expected, tol);
  } catch {
    s = { ok: false, abs: Infinity }; // e.g. a bigint against a non-integer
  }
  if (s.ok) return { ...ok(), maxAbsError: s.abs };
  return { ...bad(`${where}: got ${String(actual)}, expected ${JSON.stringify(expected) ?? String(expected)}`), maxAbsError: s.abs, mismatchError: s.abs };
}

function flat(v: unknown): unknown[] {
  return Array.isArray(v) ? v.flat(Infinity) : [v];
}

function ok(): Checked {
  return { ok: true, mismatches: 0, maxAbsError: 0, mismatchError: 0, worstIndex: -1, message: 'ok' };
}

function combine(parts: readonly Checked[]): Checked {
  const failed = parts.filter((p) => !p.ok);
  const maxAbsError = parts.reduce((m, p) => Math.max(m, p.maxAbsError), 0);
  if (failed.length === 0) return { ...ok(), maxAbsError };
  const mismatchError = failed.reduce((m, p) => Math.max(m, p.mismatchError), 0);
  return { ok: false, mismatches: failed.reduce((n, p) => n + p.mismatches, 0), maxAbsError, mismatchError, worstIndex: -1, message: failed[0].message };
}
