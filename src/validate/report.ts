// The results of `validate`: one RowResult per compared row, a summary per output
// with the worst rows, the JSON report (`--report`, streamed so it never holds every
// row in memory) and the text the CLI prints. Formatting returns strings; only
// src/cli prints them.

import { createWriteStream, type WriteStream } from 'node:fs';
import type { Tolerance } from './compare.js';
import { endStream, writeText } from './predict.js';

/** The comparison of one output in one row. */
export interface OutputCheck {
  readonly output: string;
  readonly ok: boolean;
  /** Elements that disagree (1 for a type, shape or kind mismatch). */
  readonly mismatches: number;
  readonly maxAbsError: number;
  /** Largest absolute error among the elements that disagree (Infinity for a type, shape or kind mismatch; 0 when ok). */
  readonly mismatchError: number;
  /** Flat index of the worst element, -1 when not applicable. */
  readonly worstIndex: number;
  readonly message: string;
  /** Only for mismatches (report file): the values, as JSON. */
  readonly actual?: unknown;
  readonly expected?: unknown;
}

export interface RowResult {
  /** 1-based data row (the header of a CSV file is not a row). */
  readonly row: number;
  readonly inputsLine: number;
  readonly expectedLine: number;
  readonly ok: boolean;
  readonly maxAbsError: number;
  /** The largest `mismatchError` of the row's checks: how far off the row is (ranks the worst rows). */
  readonly mismatchError: number;
  readonly checks: readonly OutputCheck[];
  /** Set when the model failed on this row instead of producing outputs. */
  readonly error?: string;
}

export interface OutputSummary {
  readonly output: string;
  readonly rows: number;
  readonly mismatchedRows: number;
  readonly mismatchedElements: number;
  readonly maxAbsError: number;
  /** The row with the largest error (null when no row compared it). */
  readonly worstRow: number | null;
}

export interface ValidationSummary {
  readonly ok: boolean;
  readonly rows: number;
  readonly mismatchedRows: number;
  readonly tolerance: Tolerance;
  readonly outputs: readonly OutputSummary[];
  /** Up to `WORST_ROWS` failing rows, largest mismatch first (values stripped). */
  readonly worst: readonly RowResult[];
}

export const WORST_ROWS = 10;

interface MutableOutputSummary {
  output: string; rows: number; mismatchedRows: number; mismatchedElements: number; maxAbsError: number; worstRow: number | null;
}

/** Accumulates row results in constant memory. */
export class SummaryBuilder {
  private rows = 0;
  private mismatchedRows = 0;
  private readonly outputs = new Map<string, MutableOutputSummary>();
  private readonly worst: RowResult[] = [];

  /** `outputs` fixes the order of the per-output summary (the model's order). */
  constructor(private readonly tolerance: Tolerance, outputs: readonly string[], private readonly keep = WORST_ROWS) {
    for (const name of outputs) this.outputs.set(name, { output: name, rows: 0, mismatchedRows: 0, mismatchedElements: 0, maxAbsError: 0, worstRow: null });
  }

  add(r: RowResult): void {
    this.rows++;
    for (const c of r.checks) {
      let s = this.outputs.get(c.output);
      if (s === undefined) {
        s = { output: c.output, rows: 0, mismatchedRows: 0, mismatchedElements: 0, maxAbsError: 0, worstRow: null };
        this.outputs.set(c.output, s);
      }
      s.rows++;
      if (!c.ok) { s.mismatchedRows++; s.mismatchedElements += c.mismatches; }
      if (c.maxAbsError > s.maxAbsError || (!c.ok && s.worstRow === null)) {
        s.maxAbsError = Math.max(s.maxAbsError, c.maxAbsError);
        s.worstRow = r.row;
      }
    }
    if (r.ok) return;
    this.mismatchedRows++;
    // Keep the `keep` rows with the largest mismatch; earlier rows win ties.
    if (this.worst.length === this.keep && !(r.mismatchError > this.worst[this.worst.length - 1].mismatchError)) return;
    const stripped: RowResult = { ...r, checks: r.checks.map(({ actual: _a, expected: _e, ...c }) => c) };
    let i = this.worst.length;
    while (i > 0 && r.mismatchError > this.worst[i - 1].mismatchError) i--;
    this.worst.splice(i, 0, stripped);
    if (this.worst.length > this.keep) this.worst.pop();
  }

  finish(): ValidationSummary {
    return {
      ok: this.mismatchedRows === 0,
      rows: this.rows,
      mismatchedRows: this.mismatchedRows,
      tolerance: this.tolerance,
      outputs: [...this.outputs.values()].map((s) => ({ ...s })),
      worst: this.worst.slice(),
    };
  }
}

// ---------------------------------------------------------------------------------------
// The JSON report

/** JSON has no NaN, Infinity or bigint: write them as strings. */
function replacer(_key: string, v: unknown): unknown {
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (typeof v === 'bigint') return v.toString();
  return v;
}

/**
 * Writes `{ ...header, "rows": [every RowResult], "summary": ValidationSummary }`,
 * one row at a time.
 */
export class JsonReportWriter {
  private count = 0;
  private failure: Error | undefined;

  private constructor(private readonly stream: WriteStream) {
    stream.on('error', (e) => { this.failure = e; });
  }

  static open(path: string, header: Readonly<Record<string, unknown>>): JsonReportWriter {
    const w = new JsonReportWriter(createWriteStream(path));
    const head = JSON.stringify(header, replacer, 2);
    // A failure here surfaces at the next row() or finish().
    w.write(`${head.slice(0, head.lastIndexOf('}')).trimEnd()}${Object.keys(header).length > 0 ? ',' : ''}\n  "rows": [`).catch(() => undefined);
    return w;
  }

  private write(text: string): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    return writeText(this.stream, text);
  }

  row(r: RowResult): Promise<void> {
    return this.write(`${this.count++ === 0 ? '' : ','}\n    ${JSON.stringify(r, replacer)}`);
  }

  finish(summary: ValidationSummary): Promise<void> {
    const body = JSON.stringify(summary, replacer, 2).replace(/\n/g, '\n  ');
    return this.write(`${this.count === 0 ? '' : '\n  '}],\n  "summary": ${body}\n}\n`).then(() => endStream(this.stream));
  }

  /** Closes the file without completing it (after an error). */
  abort(): void {
    this.stream.destroy();
  }
}

// ---------------------------------------------------------------------------------------
// Text

export function formatError(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 1e-4 && a < 1e6 ? String(Number(x.toPrecision(4))) : x.toExponential(3);
}

/** Left-aligned columns separated by two spaces. */
export function formatTable(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => { widths[i] = Math.max(widths[i] ?? 0, c.length); });
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd());
}

/** The per-output table, the worst rows and the verdict, as lines of text. */
export function formatSummary(s: ValidationSummary, files: { inputs: string; expected: string }): string[] {
  const lines: string[] = [];
  // max abs error: over every compared element, within tolerance or not.
  const table: string[][] = [['output', 'rows', 'mismatched rows', 'mismatched elements', 'max abs error', 'at row']];
  for (const o of s.outputs) {
    table.push([o.output, String(o.rows), String(o.mismatchedRows), String(o.mismatchedElements), o.rows === 0 ? '-' : formatError(o.maxAbsError), o.worstRow === null ? '-' : String(o.worstRow)]);
  }
  lines.push(...formatTable(table).map((l) => '  ' + l));
  const unchecked = s.outputs.filter((o) => o.rows === 0).map((o) => o.output);
  if (unchecked.length > 0) lines.push(`  (not in ${files.expected}, so not compared: ${unchecked.join(', ')})`);
  if (s.worst.length > 0) {
    lines.push('');
    lines.push(s.mismatchedRows > s.worst.length ? `Worst ${s.worst.length} of ${s.mismatchedRows} mismatched rows:` : 'Mismatched rows, worst first:');
    for (const r of s.worst) {
      const off = Number.isFinite(r.mismatchError) ? `: off by ${formatError(r.mismatchError)}` : '';
      lines.push(`  row ${r.row} (${files.inputs} line ${r.inputsLine}, ${files.expected} line ${r.expectedLine})${off}`);
      if (r.error !== undefined) lines.push(`    ${r.error}`);
      for (const c of r.checks) if (!c.ok) lines.push(`    ${c.output}: ${c.message}`);
    }
  }
  lines.push('');
  const tol = `rtol ${s.tolerance.rtol}, atol ${s.tolerance.atol}`;
  lines.push(s.ok
    ? `OK: ${s.rows === 1 ? 'the row agrees' : `all ${s.rows} rows agree`} (${tol}).`
    : `FAILED: ${s.mismatchedRows} of ${s.rows} row${s.rows === 1 ? '' : 's'} disagree${s.mismatchedRows === 1 ? 's' : ''} (${tol}).`);
  return lines;
}
