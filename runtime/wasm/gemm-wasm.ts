// SGEMM on the WebAssembly kernels. Memory layout of one product (float offsets):
//   [0, K·ldb)              B, row-major, row stride ldb = N rounded up to 8
//   [K·ldb, +Mp·K)          A packed in 4-row panels per 256-long K slice (kernels.wat)
//   [.., +Mp·Np)            C, row-major Mp×Np
// B is the large operand of a convolution: `sgemmBegin` hands out its place so the
// caller (im2col) writes it there directly, and `sgemmFinish` packs A, runs the
// kernel and writes alpha·C (+ C) to the destination. `sgemmWasm` does all three for
// operands given by strides. Rows past M and columns past N are padding whose results
// are dropped, so the WebAssembly code has no edge cases.
//
// The products accumulate in float32 (as onnxruntime's and BLAS's SGEMM do), so
// results differ from the float64-accumulating JavaScript GEMM by float32 rounding.

import type { WasmKernels } from './kernels.js';

/** K slice: a 4×KC A panel (4 KB) and the KC rows of an 8-column B strip stay in L1. */
const KC = 256;

/**
 * Where the caller writes B: K rows of `ldb` floats from `b` in `mem`; `extra` is the
 * start of the caller's own scratch floats (e.g. the padded input im2col reads).
 */
export interface SgemmB { readonly mem: Float32Array; readonly b: number; readonly ldb: number; readonly extra: number }

/** Reserves memory for an M×N×K product plus `extra` floats; null when it does not fit (use JavaScript). */
export function sgemmBegin(k: WasmKernels, M: number, N: number, K: number, extra = 0): SgemmB | null {
  const Mp = (M + 3) & ~3, Np = (N + 7) & ~7;
  const end = K * Np + Mp * K + Mp * Np;
  const mem = k.scratch(end + extra);
  return mem === null ? null : { mem, b: 0, ldb: Np, extra: end };
}

/** C = alpha · op(A) · B (+ C) once B is in place; A[i,p] = A[aOff + i·aRs + p·aCs]. */
export function sgemmFinish(
  k: WasmKernels, prep: SgemmB,
  M: number, N: number, K: number,
  A: ArrayLike<number>, aOff: number, aRs: number, aCs: number,
  C: Float32Array, cOff: number, ldc: number, alpha: number, accumulate: boolean,
): void {
  const { mem, ldb } = prep;
  const Mp = (M + 3) & ~3, Np = ldb;
  const pa = K * ldb, pc = pa + Mp * K;
  packA(mem, pa, A, aOff, aRs, aCs, M, Mp, K);
  k.sgemm(Mp, Np, K, KC, pa * 4, prep.b * 4, ldb, pc * 4);
  for (let i = 0; i < M; i++) {
    const src = pc + i * Np, dst = cOff + i * ldc;
    if (alpha === 1 && !accumulate) {
      C.set(mem.subarray(src, src + N), dst);
    } else if (accumulate) {
      for (let j = 0; j < N; j++) C[dst + j] += alpha * mem[src + j];
    } else {
      for (let j = 0; j < N; j++) C[dst + j] = alpha * mem[src + j];
    }
  }
}

/**
 * The whole product for operands described by strides (see gemm() in
 * runtime/tensor/gemm.ts). Returns false, having done nothing, when the working set
 * does not fit the kernels' memory.
 */
export function sgemmWasm(
  k: WasmKernels,
  M: number, N: number, K: number,
  A: ArrayLike<number>, aOff: number, aRs: number, aCs: number,
  B: ArrayLike<number>, bOff: number, bRs: number, bCs: number,
  C: Float32Array, cOff: number, ldc: number,
  alpha: number, accumulate: boolean,
): boolean {
  const prep = sgemmBegin(k, M, N, K);
  if (prep === null) return false;
  const { mem, ldb } = prep;
  if (bCs === 1 && B instanceof Float32Array) {
    for (let p = 0; p < K; p++) mem.set(B.subarray(bOff + p * bRs, bOff + p * bRs + N), p * ldb); // row copies are memcpy
  } else {
    for (let p = 0; p < K; p++) {
      const s = bOff + p * bRs, o = p * ldb;
      for (let j = 0; j < N; j++) mem[o + j] = B[s + j * bCs];
    }
  }
  sgemmFinish(k, prep, M, N, K, A, aOff, aRs, aCs, C, cOff, ldc, alpha, accumulate);
  return true;
}

/** A (M×K) → per K slice, Mp/4 panels of kc×4 (A[i0+r, p] at p·4 + r); rows ≥ M are zero. */
function packA(mem: Float32Array, base: number, A: ArrayLike<number>, off: number, rs: number, cs: number, M: number, Mp: number, K: number): void {
  for (let pc = 0; pc < K; pc += KC) {
    const kc = Math.min(KC, K - pc);
    let o = base + pc * Mp;
    for (let i0 = 0; i0 < Mp; i0 += 4, o += 4 * kc) {
      for (let r = 0; r < 4; r++) {
        const i = i0 + r;
        if (i >= M) { for (let p = 0; p < kc; p++) mem[o + p * 4 + r] = 0; continue; }
        const s = off + i * rs + pc * cs;
        if (cs === 1 && r === 0 && i0 + 3 < M) {
          // A full panel of a row-major A: four read streams, sequential writes.
          const s1 = s + rs, s2 = s1 + rs, s3 = s2 + rs;
          for (let p = 0, q = o; p < kc; p++, q += 4) {
            mem[q] = A[s + p]; mem[q + 1] = A[s1 + p]; mem[q + 2] = A[s2 + p]; mem[q + 3] = A[s3 + p];
          }
          break;
        }
        if (cs === 1) for (let p = 0; p < kc; p++) mem[o + p * 4 + r] = A[s + p];
        else for (let p = 0; p < kc; p++) mem[o + p * 4 + r] = A[s + p * cs];
      }
    }
  }
}
