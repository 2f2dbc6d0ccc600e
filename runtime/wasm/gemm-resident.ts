// SGEMM with a constant B resident in the WebAssembly kernels' memory: the
// products of activations with constant weights (MatMul projections of a
// transformer, the input projections of a recurrent layer). B is packed once into
// the row-major, 8-padded layout the `sgemm` kernel reads in place, so a call packs
// only A (the activations) and copies C out; the per-call copy of B, as large as the
// weights, is gone.

import type { Epilogue } from './epilogue.js';
import { aStageFloats, sgemmBegin, sgemmFinish } from './gemm-wasm.js';
import type { WasmKernels } from './kernels.js';
import { residentOperand, type OperandView } from './resident.js';

/**
 * C = alpha · op(A) · B (+ C), B[p, j] = B[bOff + p·bRs + j·bCs] constant (see
 * gemm() in runtime/tensor/gemm.ts for the operand conventions). Returns false,
 * having done nothing, when the kernels' memory cannot hold the product.
 */
export function sgemmResidentB(
  k: WasmKernels,
  M: number, N: number, K: number,
  A: ArrayLike<number>, aOff: number, aRs: number, aCs: number,
  B: Float32Array, bOff: number, bRs: number, bCs: number,
  C: Float32Array, cOff: number, ldc: number,
  alpha: number, accumulate: boolean,
  epilogue: Epilogue | null = null, columnBias: ArrayLike<number> | null = null,
): boolean {
  const ldb = residentLdb(N);
  const rel = residentOperand(k, B, bOff, bRs, bCs, K, N, 'sgemm-b', K * ldb, packRowsPadded);
  if (rel === null) return false;
  // The scratch keeps room for a B it does not use: sgemmFinish's layout puts A after it.
  const prep = sgemmBegin(k, M, N, K, 0, aStageFloats(k, A, aRs, aCs, M, K));
  if (prep === null) return false;
  const b = k.residentBase() + rel; // after sgemmBegin: its scratch request may move the resident blocks
  sgemmFinish(k, { ...prep, b, ldb }, M, N, K, A, aOff, aRs, aCs, C, cOff, ldc, alpha, accumulate,
    null, epilogue, 0, columnBias);
  return true;
}

/**
 * Row stride of a resident B: N rounded up to 8, plus 8 when that is a multiple of 64
 * floats. The kernel walks an 8-column strip of B down K rows; at a stride of a
 * multiple of 256 bytes those rows fall into a few L1 sets and evict each other
 * (64×512×128 ran at 12.5 GMAC/s with ldb 512, 17.1 with 520, measured).
 */
export function residentLdb(N: number): number {
  const Np = (N + 7) & ~7;
  return Np % 64 === 0 ? Np + 8 : Np;
}

/** B as K rows of residentLdb(N) floats, zero padded. */
function packRowsPadded(mem: Float32Array, dst: number, B: ArrayLike<number>, v: OperandView): void {
  const { off, rs, cs, rows: K, cols: N } = v;
  const ldb = residentLdb(N);
  mem.fill(0, dst, dst + K * ldb);
  for (let p = 0; p < K; p++) {
    const s = off + p * rs, d = dst + p * ldb;
    for (let j = 0; j < N; j++) mem[d + j] = B[s + j * cs];
  }
}
