// One PMML conformance case (../shared/conformance/pmml/README.md): compile model.pmml
// through the real pipeline into an ES module, score every record of input.csv and
// compare with expected.csv by the one PMML rule (src/validate/pmml.ts). Used by the
// worker threads of pmml-runner.ts.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateModule, loadProgramFromBytes } from '../../src/api.js';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import { comparePmmlValue } from '../../src/validate/pmml.js';

export const PMML_CONFORMANCE_ROOT = join(import.meta.dirname, '../../../shared/conformance/pmml');
export const PMML_FIXTURES_ROOT = join(import.meta.dirname, '../../fixtures/pmml');

export interface PmmlCaseSpec {
  /** The directory name; `fixtures/<dir>` for the repository's own fixtures. */
  readonly name: string;
  readonly dir: string;
}

export interface PmmlCaseResult {
  readonly name: string;
  readonly status: 'pass' | 'fail' | 'unsupported';
  readonly reason?: string;
  readonly ms: number;
  /** Records compared and records that disagree (when the case ran). */
  readonly rows?: number;
  readonly mismatchedRows?: number;
}

interface FieldSpec { readonly name: string; readonly usageType?: string }
interface PmmlModule {
  readonly metadata: { readonly inputs: readonly FieldSpec[]; readonly outputs: readonly FieldSpec[] };
  predictBatch(records: readonly Record<string, unknown>[]): Record<string, unknown>[];
}

const scratch = join(tmpdir(), `mlcompile-pmml-conformance-${process.pid}`);

/**
 * RFC 4180 records. Every line is a record (an empty line is one empty cell: a
 * one-column expected.csv writes a missing value so), except a final newline.
 */
export function parseCsvText(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; }
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field !== '' || row.length > 0) { row.push(field); rows.push(row); }
  return rows;
}

function readTable(file: string): { header: string[]; rows: string[][] } {
  const all = parseCsvText(readFileSync(file, 'utf8'));
  const header = (all[0] ?? []).map((h) => h.trim());
  const rows = all.slice(1);
  for (const [k, r] of rows.entries()) {
    if (r.length !== header.length) throw new Error(`${file}: row ${k + 1} has ${r.length} cells, the header ${header.length}`);
  }
  return { header, rows };
}

/** Tolerances from meta.json (README: default 1e-6 both). */
function toleranceOf(dir: string): { rtol: number; atol: number; modelType: string } {
  const file = join(dir, 'meta.json');
  const meta = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { rtol?: number; atol?: number; model_type?: string }) : {};
  return { rtol: meta.rtol ?? 1e-6, atol: meta.atol ?? 1e-6, modelType: meta.model_type ?? '' };
}

/**
 * Input records. Only columns naming input fields are passed (extra columns are ignored);
 * an empty cell is a missing value. With a `group` field (AssociationModel transactions),
 * rows are grouped by it in order of first appearance, and each item (active) field
 * becomes the array of the group's values.
 */
export function inputRecords(header: readonly string[], rows: readonly string[][], inputs: readonly FieldSpec[]): Record<string, unknown>[] {
  const byName = new Map(inputs.map((f) => [f.name, f]));
  const cols = header.map((h, i) => [h, i] as const).filter(([h]) => byName.has(h));
  const cell = (r: readonly string[], i: number): string | null => (r[i] === '' ? null : r[i]);
  const group = inputs.find((f) => f.usageType === 'group');
  const g = group === undefined ? -1 : header.indexOf(group.name);
  if (g < 0) {
    return rows.map((r) => {
      const rec: Record<string, unknown> = {};
      for (const [h, i] of cols) rec[h] = cell(r, i);
      return rec;
    });
  }
  const groups = new Map<string, Record<string, unknown>>();
  for (const r of rows) {
    const key = r[g];
    let rec = groups.get(key);
    if (rec === undefined) {
      rec = {};
      for (const [h, i] of cols) rec[h] = byName.get(h)?.usageType === 'active' ? [] : cell(r, i);
      groups.set(key, rec);
    }
    for (const [h, i] of cols) {
      const v = cell(r, i);
      if (byName.get(h)?.usageType === 'active' && v !== null) (rec[h] as string[]).push(v);
    }
  }
  return [...groups.values()];
}

async function compile(dir: string, name: string): Promise<PmmlModule> {
  const bytes = readFileSync(join(dir, 'model.pmml'));
  const program = loadProgramFromBytes(bytes, 'model.pmml');
  const compiled = await generateModule(program);
  mkdirSync(scratch, { recursive: true });
  const hash = createHash('sha256').update(name).update(compiled.files['model.mjs']).digest('hex').slice(0, 16);
  const file = join(scratch, `${hash}.mjs`);
  writeFileSync(file, compiled.files['model.mjs']);
  return (await import(pathToFileURL(file).href)) as PmmlModule;
}

function shown(v: unknown): string {
  if (v === undefined) return '(absent)';
  return v === null ? 'null' : typeof v === 'string' ? JSON.stringify(v) : String(v);
}

export async function runPmmlCase(spec: PmmlCaseSpec): Promise<PmmlCaseResult> {
  const t0 = performance.now();
  const done = (status: PmmlCaseResult['status'], reason?: string, counts?: { rows: number; mismatchedRows: number }): PmmlCaseResult =>
    ({ name: spec.name, status, ...(reason !== undefined ? { reason } : {}), ms: Math.round(performance.now() - t0), ...counts });
  let mod: PmmlModule;
  try {
    mod = await compile(spec.dir, spec.name);
  } catch (e) {
    if (e instanceof DiagnosticError) return done(e.code.startsWith('MLC3') ? 'unsupported' : 'fail', `${e.code} ${e.path}: ${e.detail}`);
    return done('fail', `compile crashed: ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
  }
  const tol = toleranceOf(spec.dir);
  const input = readTable(join(spec.dir, 'input.csv'));
  const expected = readTable(join(spec.dir, 'expected.csv'));
  const records = inputRecords(input.header, input.rows, mod.metadata.inputs);
  if (records.length !== expected.rows.length) {
    return done('fail', `${records.length} input records but ${expected.rows.length} expected rows`);
  }
  let results: Record<string, unknown>[];
  try {
    results = mod.predictBatch(records);
  } catch (e) {
    return done('fail', `predict threw: ${(e as Error).message}`);
  }
  let first: string | undefined;
  let mismatched = 0;
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    let bad = false;
    for (const [j, column] of expected.header.entries()) {
      const want = expected.rows[i][j];
      if (!(column in r)) {
        bad = true;
        first ??= `row ${i + 1}, column ${JSON.stringify(column)}: the prediction has no such field (it has ${Object.keys(r).map((k) => JSON.stringify(k)).join(', ')})`;
        continue;
      }
      const c = comparePmmlValue(r[column], want, tol);
      if (!c.ok) {
        bad = true;
        const err = r.$error !== undefined ? ` ($error: ${String(r.$error)})` : '';
        first ??= `row ${i + 1}, column ${JSON.stringify(column)}: expected ${want === '' ? 'missing' : JSON.stringify(want)}, actual ${shown(r[column])}${err}`;
      }
    }
    if (bad) mismatched++;
  }
  const counts = { rows: results.length, mismatchedRows: mismatched };
  if (first !== undefined) return done('fail', `${mismatched} of ${results.length} rows differ; first: ${first}`, counts);
  return done('pass', undefined, counts);
}
