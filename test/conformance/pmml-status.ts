// Entries of test/conformance/pmml.status.json and how a run is judged against them
// (used by pmml-runner.ts). A failing case's entry may carry, besides the runner's
// "status" and "reason", keys written by hand: "proof" (the evidence, from the PMML
// specification and the reference library, that the document itself disagrees with its
// expected values: an exporter's defect) and any other note. Those keys belong to the
// documented failure: --update keeps them while the case fails with exactly the same
// status and reason, and a run in which such a case fails differently is a problem
// (the proof no longer describes what happens), as is a regression or an unexpected pass.

export interface FailEntry {
  readonly status: 'fail' | 'unsupported';
  readonly reason: string;
  readonly proof?: string;
  readonly [extra: string]: unknown;
}
export type StatusEntry = 'pass' | FailEntry;

export interface CaseOutcome {
  readonly status: 'pass' | 'fail' | 'unsupported';
  readonly reason?: string;
}

/** The reason as the status file records it. */
export function recordedReason(outcome: CaseOutcome): string {
  return (outcome.reason ?? '').slice(0, 300);
}

/** Whether a failing outcome is the one a non-pass entry documents. */
function sameFailure(entry: FailEntry, outcome: CaseOutcome): boolean {
  return outcome.status === entry.status && recordedReason(outcome) === entry.reason;
}

/** Keys of an entry besides the runner's own status and reason. */
function handWritten(entry: FailEntry): string[] {
  return Object.keys(entry).filter((k) => k !== 'status' && k !== 'reason');
}

/**
 * The entry --update writes for an outcome. The hand-written keys of the previous entry
 * (a proof, notes) are kept when the case still fails with the same status and reason;
 * otherwise they are dropped, and `dropped` names them so the runner can say so.
 */
export function nextStatusEntry(previous: StatusEntry | undefined, outcome: CaseOutcome): { entry: StatusEntry; dropped: string[] } {
  if (outcome.status === 'pass') {
    return { entry: 'pass', dropped: previous !== undefined && previous !== 'pass' ? handWritten(previous) : [] };
  }
  const entry: FailEntry = { status: outcome.status, reason: recordedReason(outcome) };
  if (previous === undefined || previous === 'pass') return { entry, dropped: [] };
  if (sameFailure(previous, outcome)) return { entry: { ...previous, ...entry }, dropped: [] };
  return { entry, dropped: handWritten(previous) };
}

/** What is wrong with an outcome given the case's entry (undefined: nothing). */
export function statusProblem(name: string, entry: StatusEntry | undefined, outcome: CaseOutcome): string | undefined {
  const expectedPass = entry === 'pass';
  if (expectedPass && outcome.status !== 'pass') return `REGRESSION ${name}: ${outcome.status} — ${outcome.reason ?? ''}`;
  if (!expectedPass && outcome.status === 'pass') return `UNEXPECTED PASS ${name} (update the status file: --update)`;
  if (entry !== undefined && entry !== 'pass' && entry.proof !== undefined && !sameFailure(entry, outcome)) {
    return `CHANGED ${name}: its proof documents ${entry.status} "${entry.reason}", the case now gives ${outcome.status} "${recordedReason(outcome)}" (re-check the proof, then --update)`;
  }
  return undefined;
}
