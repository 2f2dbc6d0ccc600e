// The ordered list of passes. Each is Program → Program and optional; tests run
// the verifier after every one (test/passes).

import type { Program } from '../ir/program.js';
import { constantFolding } from './constant-folding.js';
import { deadCodeElimination } from './dead-code.js';

export interface Pass {
  readonly name: string;
  readonly run: (p: Program) => Program;
}

export const PASSES: readonly Pass[] = [
  { name: 'constant-folding', run: constantFolding },
  { name: 'dead-code', run: deadCodeElimination },
];

export function runPasses(p: Program, opts: { enabled?: boolean; after?: (name: string, p: Program) => void } = {}): Program {
  if (opts.enabled === false) return p;
  let cur = p;
  for (const pass of PASSES) {
    cur = pass.run(cur);
    opts.after?.(pass.name, cur);
  }
  return cur;
}
