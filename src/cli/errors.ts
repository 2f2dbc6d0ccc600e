// Exit codes (CONTRACT §1) and how each kind of failure is shown. This is the one
// place that turns an exception into text on stderr and an exit code.

import { CommanderError } from 'commander';
import { DiagnosticError, formatDiagnostic } from '../diagnostics/diagnostic.js';
import { PredictionError } from '../validate/predict.js';
import { printErr } from './output.js';

export const ExitCode = {
  ok: 0,
  /** `validate`: some row disagrees with the expected output. */
  mismatch: 1,
  /** Bad flags or arguments, missing or malformed data files. */
  usage: 2,
  /** The model is invalid or uses something not supported. */
  model: 3,
  /** A bug in mlcompile (EX_SOFTWARE). */
  internal: 70,
} as const;

/** A mistake in how the command was called; the message says what to do instead. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

function isSystemError(e: unknown): e is NodeJS.ErrnoException {
  return e instanceof Error && typeof (e as NodeJS.ErrnoException).syscall === 'string' && typeof (e as NodeJS.ErrnoException).code === 'string';
}

/** Prints `e` the way its kind deserves and returns the exit code. */
export function reportFailure(e: unknown, verbose: boolean): number {
  if (e instanceof CommanderError) return e.exitCode === 0 ? ExitCode.ok : ExitCode.usage; // commander printed it
  if (e instanceof UsageError) {
    printErr(`mlcompile: error: ${e.message}`);
    return ExitCode.usage;
  }
  if (e instanceof DiagnosticError) {
    printErr(formatDiagnostic(e.diagnostic));
    // 6xxx: the data files given to validate/predict (the caller's input, not the model).
    if (e.code.startsWith('MLC6')) return ExitCode.usage;
    if (e.code.startsWith('MLC9')) {
      printErr('  this is a bug in mlcompile; please report it with the model if you can');
      if (verbose && e.stack) printErr(e.stack);
      return ExitCode.internal;
    }
    return ExitCode.model;
  }
  if (e instanceof PredictionError) {
    printErr(`${e.file}: line ${e.line}: error: ${e.message}`);
    if (verbose && e.failure instanceof Error && e.failure.stack) printErr(e.failure.stack);
    return ExitCode.model;
  }
  if (isSystemError(e)) {
    // Files that cannot be read or written (permissions, full disk): the environment, not a bug.
    printErr(`mlcompile: error: ${e.message}`);
    if (verbose && e.stack) printErr(e.stack);
    return ExitCode.usage;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  printErr(`mlcompile: internal error: ${err.message}`);
  if (verbose && err.stack) printErr(err.stack);
  else printErr('  (run with --verbose or MLCOMPILE_DEBUG=1 for the stack trace; please report this bug)');
  return ExitCode.internal;
}
