// The PMML status file's rules (pmml-status.ts): a proof written by hand into a failing
// case's entry survives --update while the case fails exactly as documented, and a run
// in which it fails otherwise is reported.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { nextStatusEntry, statusProblem, type StatusEntry } from './pmml-status.js';

const documented: StatusEntry = { status: 'fail', reason: '1 of 45 rows differ; first: row 5', proof: 'float32 thresholds' };

test('--update keeps a proof (and other hand-written keys) while the failure is the same', () => {
  const withNote: StatusEntry = { ...documented, note: 'see issue' };
  const { entry, dropped } = nextStatusEntry(withNote, { status: 'fail', reason: '1 of 45 rows differ; first: row 5' });
  assert.deepEqual(entry, { status: 'fail', reason: '1 of 45 rows differ; first: row 5', proof: 'float32 thresholds', note: 'see issue' });
  assert.deepEqual(dropped, []);
});

test('--update compares the reason as recorded (cut to 300 characters)', () => {
  const long = 'x'.repeat(400);
  const { entry: first } = nextStatusEntry(undefined, { status: 'fail', reason: long });
  const withProof = { ...(first as object), proof: 'p' } as StatusEntry;
  const { entry, dropped } = nextStatusEntry(withProof, { status: 'fail', reason: long });
  assert.equal((entry as { proof?: string }).proof, 'p');
  assert.deepEqual(dropped, []);
});

test('--update drops a proof whose failure changed, and says so', () => {
  const changed = nextStatusEntry(documented, { status: 'fail', reason: '2 of 45 rows differ; first: row 5' });
  assert.deepEqual(changed.entry, { status: 'fail', reason: '2 of 45 rows differ; first: row 5' });
  assert.deepEqual(changed.dropped, ['proof']);
  const unsupported = nextStatusEntry(documented, { status: 'unsupported', reason: '1 of 45 rows differ; first: row 5' });
  assert.deepEqual(unsupported.dropped, ['proof']);
  const passing = nextStatusEntry(documented, { status: 'pass' });
  assert.equal(passing.entry, 'pass');
  assert.deepEqual(passing.dropped, ['proof']);
});

test('--update records plain entries as before', () => {
  assert.deepEqual(nextStatusEntry(undefined, { status: 'pass' }), { entry: 'pass', dropped: [] });
  assert.deepEqual(nextStatusEntry('pass', { status: 'fail', reason: 'r' }), { entry: { status: 'fail', reason: 'r' }, dropped: [] });
  assert.deepEqual(nextStatusEntry({ status: 'fail', reason: 'a' }, { status: 'fail', reason: 'b' }), { entry: { status: 'fail', reason: 'b' }, dropped: [] });
});

test('a run reports regressions, unexpected passes and changed proven failures', () => {
  assert.equal(statusProblem('c', 'pass', { status: 'pass' }), undefined);
  assert.match(statusProblem('c', 'pass', { status: 'fail', reason: 'r' }) ?? '', /^REGRESSION c: fail — r/);
  assert.match(statusProblem('c', documented, { status: 'pass' }) ?? '', /^UNEXPECTED PASS c/);
  assert.match(statusProblem('c', undefined, { status: 'pass' }) ?? '', /^UNEXPECTED PASS c/);
  assert.equal(statusProblem('c', undefined, { status: 'fail', reason: 'r' }), undefined);
  // A documented (proven) failure that still happens exactly so is fine ...
  assert.equal(statusProblem('c', documented, { status: 'fail', reason: '1 of 45 rows differ; first: row 5' }), undefined);
  // ... one that now happens otherwise is not: the proof no longer describes it.
  assert.match(statusProblem('c', documented, { status: 'fail', reason: '3 of 45 rows differ; first: row 2' }) ?? '', /^CHANGED c: /);
  // Without a proof, a changed failure reason is not a problem (as before).
  assert.equal(statusProblem('c', { status: 'fail', reason: 'a' }, { status: 'fail', reason: 'b' }), undefined);
});
