// The ordered list of passes. Each is Program → Program and optional; tests run
// the verifier after every one (test/passes).

import type { Program } from '../ir/program.js';
import { constantFolding } from './constant-folding.js';
import { commonSubexpressionElimination } from './cse.js';
import { deadCodeElimination } from './dead-code.js';
import { fuseBatchNorm } from './fuse-batchnorm.js';
import { fuseConv } from './fuse-conv.js';
import { fuseGemm } from './fuse-gemm.js';
import { fuseLayerNorm } from './fuse-layernorm.js';
import { fuseMatMul } from './fuse-matmul.js';

export interface Pass {
  readonly name: string;
  readonly run: (p: Program) => Program;
}

export const PASSES: readonly Pass[] = [
  { name: 'constant-folding', run: constantFolding },
  // Before dead code: the duplicates' operands may become unused.
  { name: 'cse', run: commonSubexpressionElimination },
  { name: 'dead-code', run: deadCodeElimination },
  // After folding, so weights computed from constants count as constants.
  { name: 'fuse-batchnorm', run: fuseBatchNorm },
  { name: 'fuse-conv', run: fuseConv },
  { name: 'fuse-gemm', run: fuseGemm },
  { name: 'fuse-matmul', run: fuseMatMul },
  { name: 'fuse-layernorm', run: fuseLayerNorm },
  // Fusion leaves the unfused weights (e.g. a Conv's weights before BatchNorm folding) unused:
  // dropped here, or the module would embed them twice.
  { name: 'dead-code-after-fusion', run: deadCodeElimination },
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
