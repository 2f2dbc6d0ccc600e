// The validation summary (worst rows, per-output figures) and the streamed JSON report.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { formatError, formatSummary, JsonReportWriter, SummaryBuilder, type RowResult } from '../../src/validate/report.js';

const dir = mkdtempSync(join(tmpdir(), 'mlcompile-report-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const tol = { rtol: 1e-3, atol: 1e-7 };

function row(n: number, err: number, ok = err === 0): RowResult {
  return {
    row: n, inputsLine: n + 1, expectedLine: n + 1, ok, maxAbsError: err, mismatchError: ok ? 0 : err,
    checks: [{ output: 'y', ok, mismatches: ok ? 0 : 1, maxAbsError: err, mismatchError: ok ? 0 : err, worstIndex: 0, message: ok ? 'ok' : `off by ${err}`, actual: [1], expected: [2] }],
  };
}

test('keeps the 10 worst rows, largest mismatch first, earlier rows on ties', () => {
  const b = new SummaryBuilder(tol, ['y', 'unused']);
  b.add(row(1, 0));
  for (let i = 2; i <= 30; i++) b.add(row(i, i % 7 === 0 ? Infinity : i % 5));
  const s = b.finish();
  assert.equal(s.rows, 30);
  assert.equal(s.ok, false);
  assert.deepEqual(s.worst.map((r) => r.row), [7, 14, 21, 28, 4, 9, 19, 24, 29, 3]);
  assert.equal(s.worst[0].checks[0].actual, undefined, 'values are not kept in memory');
  assert.deepEqual(s.outputs.map((o) => [o.output, o.rows, o.worstRow]), [['y', 30, 7], ['unused', 0, null]]);
  const text = formatSummary(s, { inputs: 'in.csv', expected: 'exp.csv' }).join('\n');
  assert.match(text, /Worst 10 of \d+ mismatched rows:/);
  assert.match(text, /not compared: unused/);
  assert.match(text, /FAILED: \d+ of 30 rows disagree/);
});

test('a clean run reports OK and the largest error within tolerance', () => {
  const b = new SummaryBuilder(tol, ['y']);
  b.add(row(1, 0));
  b.add(row(2, 1e-9, true));
  const s = b.finish();
  assert.equal(s.ok, true);
  assert.equal(s.outputs[0].maxAbsError, 1e-9);
  assert.equal(s.outputs[0].worstRow, 2);
  assert.match(formatSummary(s, { inputs: 'a', expected: 'b' }).join('\n'), /OK: all 2 rows agree/);
});

test('the JSON report is valid JSON with every row and the summary; non-finite numbers as strings', async () => {
  const path = join(dir, 'report.json');
  const w = JsonReportWriter.open(path, { model: 'm.onnx', tolerance: tol });
  const b = new SummaryBuilder(tol, ['y']);
  for (const r of [row(1, 0), row(2, Infinity)]) {
    b.add(r);
    await w.row(r);
  }
  await w.finish(b.finish());
  const json = JSON.parse(readFileSync(path, 'utf8')) as { model: string; rows: RowResult[]; summary: { ok: boolean } };
  assert.equal(json.model, 'm.onnx');
  assert.equal(json.rows.length, 2);
  assert.equal(json.rows[1].maxAbsError as unknown, 'Infinity');
  assert.equal(json.summary.ok, false);

  const empty = join(dir, 'empty.json');
  const w2 = JsonReportWriter.open(empty, {});
  await w2.finish(new SummaryBuilder(tol, []).finish());
  assert.deepEqual((JSON.parse(readFileSync(empty, 'utf8')) as { rows: unknown[] }).rows, []);
});

test('errors print compactly', () => {
  assert.equal(formatError(0), '0');
  assert.equal(formatError(0.25), '0.25');
  assert.equal(formatError(1.5e-9), '1.500e-9');
  assert.equal(formatError(Infinity), 'inf');
});
