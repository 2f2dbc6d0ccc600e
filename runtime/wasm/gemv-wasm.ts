// Matrix-vector products (batch-1 Gemm/MatMul layers, recurrent steps) on the
// WebAssembly SIMD `gemv` kernel, with the matrix resident in the kernels' memory.
//
// A vector product does only one multiply-add per matrix element, so copying the
// matrix in per call would cost as much as the product itself. Constant matrices
// (runtime/tensor/constant-data.ts) are therefore packed once into a resident block
// (kernels.ts `reserve`) in the kernel's panel layout; a call then copies K floats
// in and N out. The products accumulate in float32 lanes (as onnxruntime's and
// BLAS's SGEMV do), so results differ from the JavaScript loop by float32 rounding.

import type { WasmKernels } from './kernels.js';
import { residentOperand, type OperandView } from './resident.js';

/** Rows per panel of the packed matrix (the kernel's eight accumulators). */
const PANEL = 8;

/** Activation applied by the kernel: mode 0 clamps to [p0, p1], 1 is leaky relu (slope p0). */
export interface GemvActivation { readonly mode: number; readonly p0: number; readonly p1: number }

const NO_ACTIVATION: GemvActivation = { mode: 0, p0: -Infinity, p1: Infinity };

/**
 * out[oOff + j·os] = act(alpha · Σ_p x[xOff + p·xs] · W[p, j] (+ out[oOff + j·os] when
 * `accumulate`)) for j < N, with W[p, j] = W[wOff + p·wRs + j·wCs] — the B operand of
 * gemm() with M = 1. W must be a constant (its packed form is kept). Returns false,
 * having done nothing, when the kernels' memory cannot hold it.
 */
export function gemvWasm(
  k: WasmKernels, N: number, K: number,
  x: ArrayLike<number>, xOff: number, xs: number,
  W: Float32Array, wOff: number, wRs: number, wCs: number,
  out: Float32Array, oOff: number, os: number,
  alpha: number, accumulate: boolean, act: GemvActivation = NO_ACTIVATION,
): boolean {
  const Np = Math.ceil(N / PANEL) * PANEL, Kp = (K + 3) & ~3;
  const rel = residentOperand(k, W, wOff, wRs, wCs, K, N, 'gemv', Np * Kp, packForGemv);
  if (rel === null) return false;
  const yAt = Kp, bAt = Kp + Np;
  const mem = k.scratch(bAt + (accumulate ? Np : 0));
  if (mem === null) return false;
  // Plain loops rather than set(subarray()): a view per copy would be garbage per call,
  // and the copies are small next to the product.
  for (let p = 0; p < K; p++) mem[p] = x[xOff + p * xs];
  for (let p = K; p < Kp; p++) mem[p] = 0;
  if (accumulate) for (let j = 0; j < N; j++) mem[bAt + j] = out[oOff + j * os];
  const w = k.residentBase() + rel;
  k.gemv(Np, Kp, w * 4, 0, yAt * 4, bAt * 4, accumulate ? 1 : 0, alpha, act.mode, act.p0, act.p1);
  for (let j = 0; j < N; j++) out[oOff + j * os] = mem[yAt + j];
  return true;
}

/**
 * Writes W (W[p, j] = W[off + p·rs + j·cs], K×N) in the `gemv` kernel's layout at
 * float `dst` of `mem`: per panel of 8 columns j, per 4-long chunk of p, the chunk of
 * each column; zero past N and K.
 */
export function packForGemv(mem: Float32Array, dst: number, W: ArrayLike<number>, v: OperandView): void {
  const { off, rs, cs, rows: K, cols: N } = v;
  const Np = Math.ceil(N / PANEL) * PANEL, Kp = (K + 3) & ~3;
  mem.fill(0, dst, dst + Np * Kp);
  for (let j = 0; j < N; j++) {
    const panel = dst + Math.floor(j / PANEL) * PANEL * Kp, r = (j % PANEL) * 4;
    const src = off + j * cs;
    for (let p = 0; p < K; p++) mem[panel + (p >> 2) * (4 * PANEL) + r + (p & 3)] = W[src + p * rs];
  }
}
