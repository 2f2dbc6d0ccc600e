// Diagnostics: what went wrong, where (file and element/node path), and why.
// Stages never print or exit; they throw or return diagnostics, and only
// src/cli decides how to show them and which exit code to use.

import { CATALOG, type DiagnosticCode } from './catalog.js';

export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: 'error' | 'warning';
  readonly message: string;
  readonly file: string;
  /** Element path: `graph/node[3] "conv1" (Conv)`, `PMML/TreeModel/Node[@id="7"]`. */
  readonly path: string;
  readonly notes?: readonly string[];
}

/**
 * Thrown by inner helpers, possibly without a location. Walkers catch it and
 * add the file and the element path (jpmml's ensureContext) before rethrowing.
 */
export class DiagnosticError extends Error {
  constructor(
    readonly code: DiagnosticCode,
    readonly detail: string,
    readonly file = '',
    readonly path = '',
    readonly notes: readonly string[] = [],
  ) {
    super(detail);
    this.name = 'DiagnosticError';
  }

  withContext(file: string, path: string): DiagnosticError {
    // Nested walkers report full paths already; only prepend a path that is not there yet.
    const joined = !this.path ? path : !path || this.path.startsWith(path) ? this.path : `${path}/${this.path}`;
    return new DiagnosticError(this.code, this.detail, this.file || file, joined, this.notes);
  }

  get diagnostic(): Diagnostic {
    return { code: this.code, severity: 'error', message: this.detail, file: this.file, path: this.path, notes: this.notes };
  }
}

export function fail(code: DiagnosticCode, detail: string, path = ''): never {
  throw new DiagnosticError(code, detail, '', path);
}

/** Runs `fn`, attaching the file and path to any DiagnosticError it throws. */
export function withContext<T>(file: string, path: string, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof DiagnosticError) throw e.withContext(file, path);
    throw e;
  }
}

export function formatDiagnostic(d: Diagnostic): string {
  const where = [d.file, d.path].filter((s) => s !== '').join(': ');
  const head = `${where ? where + ': ' : ''}${d.severity} ${d.code}: ${d.message}`;
  const title = CATALOG[d.code];
  const notes = (d.notes ?? []).map((n) => `\n  note: ${n}`).join('');
  return `${head}\n  (${title})${notes}`;
}
