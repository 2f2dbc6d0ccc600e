// Dense matrix products: one blocked GEMM core shared by MatMul, Gemm, Conv
// (im2col), ConvTranspose (col2im), Attention and the integer variants, plus
// the MatMul/Gemm/MatMulInteger/Einsum/Det kernels.
//
// The core follows the GotoBLAS layout: B is packed in KC×NR column panels, A in
// MR×KC row panels, and a 4×4 register-blocked micro-kernel accumulates one
// tile of C in local (double precision) variables over a KC-long slice of K.
// Accumulating in doubles and rounding once per KC slice keeps float32 results
// closer to the exact product than a float32 running sum would.
//
// Float32 products big enough to amortise packing run on the WebAssembly SIMD
// SGEMM instead (runtime/wasm/gemm-wasm.ts) when it is loaded; this JavaScript
// core is the fallback and serves float64 and small or vector products.

import { NO_EPILOGUE, activationEpilogue, columnEpilogueOnWasm, finishRow, type Epilogue, type FusedActivation } from '../wasm/epilogue.js';
import { sgemmBatchedWasm, sgemmWasm } from '../wasm/gemm-wasm.js';
import { sgemmResidentB } from '../wasm/gemm-resident.js';
import { gemvWasm } from '../wasm/gemv-wasm.js';
import { wasmKernels } from '../wasm/kernels.js';
import { broadcastShapes, broadcastStrides } from './broadcast.js';
import { isConstantData } from './constant-data.js';
import { fail, isBigType, sizeOf, type BigArray, type DType, type NodeCtx, type NumericArray, type Tensor } from './tensor.js';

export type FloatArray = Float32Array | Float64Array;

const MR = 4;
const NR = 4;
const KC = 256;
const MC = 64;
const NC = 2048;
/**
 * Below this many multiply-adds, or with fewer than WASM_MIN_N columns (each packed
 * element of A is then reused too few times to pay for packing it), the JavaScript
 * core beats copying into WebAssembly memory (measured with bench/onnx.ts).
 */
const WASM_MIN_WORK = 16384;
const WASM_MIN_N = 16;
/**
 * A vector times a constant matrix goes to the WebAssembly GEMV (matrix resident in
 * its memory) from this many multiply-adds: below, copying the vector in and the
 * result out costs more than the JavaScript loop.
 */
const GEMV_WASM_MIN_WORK = 1024;

// Packing buffers shared by every call (kernels run one at a time), grown on
// demand so small models never pay for the full block size.
let packA = new Float64Array(0);
let packB = new Float64Array(0);
let rowAcc = new Float64Array(256);

/**
 * C = alpha · op(A) · op(B) (+ C when `accumulate`), with every operand described
 * by strides so transposed or interleaved layouts need no copy:
 * A[i,p] = A[aOff + i·aRs + p·aCs], B[p,j] = B[bOff + p·bRs + j·bCs],
 * C[i,j] = C[cOff + i·ldc + j].
 */
export function gemm(
  M: number, N: number, K: number,
  A: ArrayLike<number>, aOff: number, aRs: number, aCs: number,
  B: ArrayLike<number>, bOff: number, bRs: number, bCs: number,
  C: FloatArray, cOff: number, ldc: number,
  alpha = 1, accumulate = false,
): void {
  if (M === 0 || N === 0) return;
  if (K === 0) {
    if (!accumulate) for (let i = 0; i < M; i++) C.fill(0, cOff + i * ldc, cOff + i * ldc + N);
    return;
  }
  // Vector cases: packing would waste MR-1 of every MR rows.
  if (M === 1) {
    if (C instanceof Float32Array && B instanceof Float32Array && N * K >= GEMV_WASM_MIN_WORK && isConstantData(B)) {
      const kernels = wasmKernels();
      if (kernels !== null && gemvWasm(kernels, N, K, A, aOff, aCs, B, bOff, bRs, bCs, C, cOff, 1, alpha, accumulate)) return;
    }
    gemv(N, K, A, aOff, aCs, B, bOff, bRs, bCs, C, cOff, 1, alpha, accumulate);
    return;
  }
  if (N === 1) { gemv(M, K, B, bOff, bRs, A, aOff, aCs, aRs, C, cOff, ldc, alpha, accumulate); return; }
  if (C instanceof Float32Array && N >= WASM_MIN_N && M * N * K >= WASM_MIN_WORK) {
    const kernels = wasmKernels();
    if (kernels !== null) {
      if (B instanceof Float32Array && isConstantData(B) &&
        sgemmResidentB(kernels, M, N, K, A, aOff, aRs, aCs, B, bOff, bRs, bCs, C, cOff, ldc, alpha, accumulate)) return;
      if (sgemmWasm(kernels, M, N, K, A, aOff, aRs, aCs, B, bOff, bRs, bCs, C, cOff, ldc, alpha, accumulate)) return;
    }
  }
  const needB = (Math.min(N, NC) + NR) * Math.min(K, KC), needA = (Math.min(M, MC) + MR) * Math.min(K, KC);
  if (packB.length < needB) packB = new Float64Array(Math.min(Math.max(needB, packB.length * 2), (NC + NR) * KC));
  if (packA.length < needA) packA = new Float64Array(Math.min(Math.max(needA, packA.length * 2), (MC + MR) * KC));
  for (let jc = 0; jc < N; jc += NC) {
    const nc = Math.min(NC, N - jc);
    for (let pc = 0; pc < K; pc += KC) {
      const kc = Math.min(KC, K - pc);
      packPanelsB(B, bOff + pc * bRs + jc * bCs, bRs, bCs, kc, nc);
      const add = accumulate || pc > 0;
      for (let ic = 0; ic < M; ic += MC) {
        const mc = Math.min(MC, M - ic);
        packPanelsA(A, aOff + ic * aRs + pc * aCs, aRs, aCs, mc, kc);
        macroKernel(mc, nc, kc, C, cOff + ic * ldc + jc, ldc, alpha, add);
      }
    }
  }
}

/**
 * C = act(alpha · A·B + bias[j]) on the WebAssembly SGEMM with the bias and the
 * activation applied to each tile in registers (MatMul + Add + Relu/Clip as one pass
 * over C). `ep` must satisfy columnEpilogueOnWasm. Returns false, having done nothing,
 * when the product is not one for the SIMD SGEMM (too small, a vector product, no
 * WebAssembly): the caller then runs gemm() and applies the bias itself.
 */
export function gemmColumnEpilogue(
  M: number, N: number, K: number,
  A: ArrayLike<number>, aOff: number, aRs: number, aCs: number,
  B: ArrayLike<number>, bOff: number, bRs: number, bCs: number,
  C: Float32Array, cOff: number, ldc: number,
  alpha: number, bias: ArrayLike<number> | null, ep: Epilogue,
): boolean {
  if (M < 2 || N < WASM_MIN_N || M * N * K < WASM_MIN_WORK || !columnEpilogueOnWasm(ep)) return false;
  const kernels = wasmKernels();
  if (kernels === null) return false;
  if (bias === null && ZERO_BIAS.length < N) ZERO_BIAS = new Float32Array(N);
  const cb = bias ?? ZERO_BIAS;
  if (B instanceof Float32Array && isConstantData(B) &&
    sgemmResidentB(kernels, M, N, K, A, aOff, aRs, aCs, B, bOff, bRs, bCs, C, cOff, ldc, alpha, false, ep, cb)) return true;
  return sgemmWasm(kernels, M, N, K, A, aOff, aRs, aCs, B, bOff, bRs, bCs, C, cOff, ldc, alpha, false, ep, cb);
}

/**
 * gemmColumnEpilogue for `nb` products of one shape at per-batch offsets (A contiguous
 * along K, Y[yOff[t] + i·ldc + j]), all on the SIMD SGEMM with one copy in and out
 * (sgemmBatchedWasm): the attention heads of a FusedMatMul. The products must write
 * each of Y's nb·M·N elements once. Returns false, having done nothing, when they are
 * not for the SIMD SGEMM; the caller then runs them one by one.
 */
export function gemmBatchedColumnEpilogue(
  nb: number, M: number, N: number, K: number,
  A: Float32Array, aOff: ArrayLike<number>, aRs: number, aCs: number,
  B: Float32Array, bOff: ArrayLike<number>, bRs: number, bCs: number,
  Y: Float32Array, yOff: ArrayLike<number>, ldc: number,
  alpha: number, bias: ArrayLike<number> | null, ep: Epilogue,
): boolean {
  if (M < 2 || N < WASM_MIN_N || M * N * K < WASM_MIN_WORK || !columnEpilogueOnWasm(ep)) return false;
  const kernels = wasmKernels();
  return kernels !== null && sgemmBatchedWasm(kernels, nb, M, N, K, A, aOff, aRs, aCs, B, bOff, bRs, bCs, Y, yOff, ldc, alpha, ep, bias);
}

/** Zeros standing in for an absent bias (the kernel adds a bias row either way). */
let ZERO_BIAS = new Float32Array(0);

/** Packs a kc×nc block of B into NR-wide column panels (zero-padded on the right). */
function packPanelsB(B: ArrayLike<number>, off: number, rs: number, cs: number, kc: number, nc: number): void {
  const pb = packB;
  let o = 0;
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const w = Math.min(NR, nc - j0);
    if (w === NR && cs === 1) {
      for (let p = 0; p < kc; p++) {
        const s = off + p * rs + j0;
        pb[o] = B[s]; pb[o + 1] = B[s + 1]; pb[o + 2] = B[s + 2]; pb[o + 3] = B[s + 3];
        o += NR;
      }
    } else {
      for (let p = 0; p < kc; p++) {
        const s = off + p * rs + j0 * cs;
        for (let c = 0; c < NR; c++) pb[o + c] = c < w ? B[s + c * cs] : 0;
        o += NR;
      }
    }
  }
}

/** Packs an mc×kc block of A into MR-tall row panels (zero-padded at the bottom). */
function packPanelsA(A: ArrayLike<number>, off: number, rs: number, cs: number, mc: number, kc: number): void {
  const pa = packA;
  let o = 0;
  for (let i0 = 0; i0 < mc; i0 += MR) {
    const h = Math.min(MR, mc - i0);
    for (let r = 0; r < MR; r++) {
      if (r >= h) { for (let p = 0; p < kc; p++) pa[o + p * MR + r] = 0; continue; }
      const s = off + (i0 + r) * rs;
      for (let p = 0; p < kc; p++) pa[o + p * MR + r] = A[s + p * cs];
    }
    o += kc * MR;
  }
}

/** All MR×NR tiles of an mc×nc block from the packed panels. */
function macroKernel(mc: number, nc: number, kc: number, C: FloatArray, cOff: number, ldc: number, alpha: number, add: boolean): void {
  const pa = packA, pb = packB;
  for (let j0 = 0; j0 < nc; j0 += NR) {
    const bBase = (j0 / NR) * kc * NR;
    const w = Math.min(NR, nc - j0);
    for (let i0 = 0; i0 < mc; i0 += MR) {
      const aBase = (i0 / MR) * kc * MR;
      const h = Math.min(MR, mc - i0);
      let c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
      let c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
      let ai = aBase, bi = bBase;
      for (let p = 0; p < kc; p++, ai += MR, bi += NR) {
        const a0 = pa[ai], a1 = pa[ai + 1], a2 = pa[ai + 2], a3 = pa[ai + 3];
        const b0 = pb[bi], b1 = pb[bi + 1], b2 = pb[bi + 2], b3 = pb[bi + 3];
        c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
        c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
        c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
        c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
      }
      const o = cOff + i0 * ldc + j0;
      if (h === MR && w === NR) {
        if (add) {
          C[o] += alpha * c00; C[o + 1] += alpha * c01; C[o + 2] += alpha * c02; C[o + 3] += alpha * c03;
          const o1 = o + ldc, o2 = o1 + ldc, o3 = o2 + ldc;
          C[o1] += alpha * c10; C[o1 + 1] += alpha * c11; C[o1 + 2] += alpha * c12; C[o1 + 3] += alpha * c13;
          C[o2] += alpha * c20; C[o2 + 1] += alpha * c21; C[o2 + 2] += alpha * c22; C[o2 + 3] += alpha * c23;
          C[o3] += alpha * c30; C[o3 + 1] += alpha * c31; C[o3 + 2] += alpha * c32; C[o3 + 3] += alpha * c33;
        } else {
          C[o] = alpha * c00; C[o + 1] = alpha * c01; C[o + 2] = alpha * c02; C[o + 3] = alpha * c03;
          const o1 = o + ldc, o2 = o1 + ldc, o3 = o2 + ldc;
          C[o1] = alpha * c10; C[o1 + 1] = alpha * c11; C[o1 + 2] = alpha * c12; C[o1 + 3] = alpha * c13;
          C[o2] = alpha * c20; C[o2 + 1] = alpha * c21; C[o2 + 2] = alpha * c22; C[o2 + 3] = alpha * c23;
          C[o3] = alpha * c30; C[o3 + 1] = alpha * c31; C[o3 + 2] = alpha * c32; C[o3 + 3] = alpha * c33;
        }
      } else {
        // Edge tile: write only the valid h×w corner.
        storeEdge(C, o, w, alpha, add, c00, c01, c02, c03);
        if (h > 1) storeEdge(C, o + ldc, w, alpha, add, c10, c11, c12, c13);
        if (h > 2) storeEdge(C, o + 2 * ldc, w, alpha, add, c20, c21, c22, c23);
        if (h > 3) storeEdge(C, o + 3 * ldc, w, alpha, add, c30, c31, c32, c33);
      }
    }
  }
}

/** Stores the first w of one tile row's four accumulators. */
function storeEdge(C: FloatArray, o: number, w: number, alpha: number, add: boolean, v0: number, v1: number, v2: number, v3: number): void {
  if (add) {
    C[o] += alpha * v0;
    if (w > 1) C[o + 1] += alpha * v1;
    if (w > 2) C[o + 2] += alpha * v2;
    if (w > 3) C[o + 3] += alpha * v3;
  } else {
    C[o] = alpha * v0;
    if (w > 1) C[o + 1] = alpha * v1;
    if (w > 2) C[o + 2] = alpha * v2;
    if (w > 3) C[o + 3] = alpha * v3;
  }
}

/**
 * out[j·outStride] = alpha · Σ_p x[xOff + p·xs] · W[wOff + p·wRs + j·wCs] (+ out): the
 * vector-matrix product. Dot products when W is contiguous along p, else a running
 * row of double accumulators swept along j.
 */
function gemv(
  N: number, K: number,
  x: ArrayLike<number>, xOff: number, xs: number,
  W: ArrayLike<number>, wOff: number, wRs: number, wCs: number,
  out: FloatArray, oOff: number, os: number, alpha: number, accumulate: boolean,
): void {
  if (wRs === 1 && xs === 1 && x instanceof Float32Array && W instanceof Float32Array) {
    gemvDots(N, K, x, xOff, W, wOff, wCs, out, oOff, os, alpha, accumulate);
    return;
  }
  if (wRs === 1 || wCs !== 1) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      let wi = wOff + j * wCs, xi = xOff;
      for (let p = 0; p < K; p++, wi += wRs, xi += xs) s += x[xi] * W[wi];
      const o = oOff + j * os;
      out[o] = accumulate ? out[o] + alpha * s : alpha * s;
    }
    return;
  }
  if (rowAcc.length < N) rowAcc = new Float64Array(N);
  const acc = rowAcc;
  acc.fill(0, 0, N);
  for (let p = 0; p < K; p++) {
    const a = x[xOff + p * xs];
    if (a === 0) continue;
    const base = wOff + p * wRs;
    for (let j = 0; j < N; j++) acc[j] += a * W[base + j];
  }
  for (let j = 0; j < N; j++) {
    const o = oOff + j * os;
    out[o] = accumulate ? out[o] + alpha * acc[j] : alpha * acc[j];
  }
}

/**
 * `N` dot products of x with rows of W (row j at wOff + j·wCs, contiguous along p):
 * out[oOff + j·os] = alpha · Σ_p x[xOff + p]·W[row j + p] (+ out). gemv's case for
 * contiguous float32 operands (the JavaScript fallback of a batch-1 Gemm with
 * transB = 1, nn.Linear's layout) and the recurrent kernels' small products: its own
 * function so its loads see only float arrays (gemv's are polymorphic), four outputs
 * per sweep so each x element is loaded once per four products. Each sum runs over p
 * in order in a double, as gemv's loop does, so results are unchanged.
 */
export function gemvDots(
  N: number, K: number, x: FloatArray, xOff: number, W: FloatArray, wOff: number, wCs: number,
  out: FloatArray, oOff: number, os: number, alpha: number, accumulate: boolean,
): void {
  let j = 0;
  for (; j + 4 <= N; j += 4) {
    const r0 = wOff + j * wCs, r1 = r0 + wCs, r2 = r1 + wCs, r3 = r2 + wCs;
    let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    for (let p = 0; p < K; p++) {
      const a = x[xOff + p];
      s0 += a * W[r0 + p]; s1 += a * W[r1 + p]; s2 += a * W[r2 + p]; s3 += a * W[r3 + p];
    }
    const o = oOff + j * os;
    out[o] = accumulate ? out[o] + alpha * s0 : alpha * s0;
    out[o + os] = accumulate ? out[o + os] + alpha * s1 : alpha * s1;
    out[o + 2 * os] = accumulate ? out[o + 2 * os] + alpha * s2 : alpha * s2;
    out[o + 3 * os] = accumulate ? out[o + 3 * os] + alpha * s3 : alpha * s3;
  }
  for (; j < N; j++) {
    const r0 = wOff + j * wCs;
    let s0 = 0;
    for (let p = 0; p < K; p++) s0 += x[xOff + p] * W[r0 + p];
    const o = oOff + j * os;
    out[o] = accumulate ? out[o] + alpha * s0 : alpha * s0;
  }
}

// ---------------------------------------------------------------------------
// MatMul

/** Shapes of a numpy-style matmul: 1-D operands promoted, batch dims broadcast. */
export interface MatMulPlan {
  M: number; N: number; K: number;
  batch: number[];
  outDims: number[];
  /** Per batch index: element offsets of the A and B matrices. */
  aOffsets: Int32Array | number[];
  bOffsets: Int32Array | number[];
}

export function planMatMul(aDims: readonly number[], bDims: readonly number[]): MatMulPlan {
  if (aDims.length === 0 || bDims.length === 0) fail('MatMul operands must have rank >= 1');
  const a = aDims.length === 1 ? [1, aDims[0]] : aDims.slice();
  const b = bDims.length === 1 ? [bDims[0], 1] : bDims.slice();
  const M = a[a.length - 2], K = a[a.length - 1], N = b[b.length - 1];
  if (b[b.length - 2] !== K) fail(`MatMul inner dimensions differ: [${aDims.join(',')}] x [${bDims.join(',')}]`);
  const aBatch = a.slice(0, -2), bBatch = b.slice(0, -2);
  const batch = broadcastShapes(aBatch, bBatch);
  const nb = sizeOf(batch);
  const aOffsets = batchOffsets(aBatch, batch, M * K, nb);
  const bOffsets = batchOffsets(bBatch, batch, K * N, nb);
  const outDims = [...batch];
  if (aDims.length > 1) outDims.push(M);
  if (bDims.length > 1) outDims.push(N);
  return { M, N, K, batch, outDims, aOffsets, bOffsets };
}

/** Offsets of each broadcast batch element's matrix inside an operand with batch dims `dims`. */
function batchOffsets(dims: readonly number[], batch: readonly number[], matSize: number, nb: number): Int32Array {
  const st = broadcastStrides(dims, batch);
  const out = new Int32Array(nb);
  const idx = new Array<number>(batch.length).fill(0);
  let off = 0;
  for (let b = 0; b < nb; b++) {
    out[b] = off * matSize;
    for (let ax = batch.length - 1; ax >= 0; ax--) {
      idx[ax]++;
      off += st[ax];
      if (idx[ax] < batch[ax]) break;
      off -= st[ax] * batch[ax];
      idx[ax] = 0;
    }
  }
  return out;
}

export function matmul(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[]): Tensor[] {
  const a = inputs[0] as Tensor, b = inputs[1] as Tensor;
  const plan = planMatMul(a.dims, b.dims);
  const y = ctx.alloc(0, a.type, plan.outDims);
  matmulInto(a.type, plan, a.data as NumericArray | BigArray, b.data as NumericArray | BigArray, y.data as NumericArray | BigArray);
  return ctx.done(1);
}

function matmulInto(type: DType, plan: MatMulPlan, A: NumericArray | BigArray, B: NumericArray | BigArray, Y: NumericArray | BigArray): void {
  const { M, N, K, aOffsets, bOffsets } = plan;
  const nb = aOffsets.length;
  if (type === 'float32' || type === 'float16' || type === 'float64') {
    if (nb > 1 && sharedRightOperand(plan)) {
      // [batch, M, K] × [K, N]: one product with batch·M rows packs B once.
      gemm(nb * M, N, K, A as FloatArray, 0, K, 1, B as FloatArray, bOffsets[0], N, 1, Y as FloatArray, 0, N);
      return;
    }
    for (let t = 0; t < nb; t++) {
      gemm(M, N, K, A as FloatArray, aOffsets[t], K, 1, B as FloatArray, bOffsets[t], N, 1, Y as FloatArray, t * M * N, N);
    }
  } else if (isBigType(type)) {
    for (let t = 0; t < nb; t++) naiveBig(M, N, K, A as BigArray, aOffsets[t], B as BigArray, bOffsets[t], Y as BigArray, t * M * N);
  } else {
    for (let t = 0; t < nb; t++) naiveInt(M, N, K, A as NumericArray, aOffsets[t], B as NumericArray, bOffsets[t], Y as NumericArray, t * M * N, type);
  }
}

/** True when every batch uses the same B matrix and the A matrices are consecutive. */
function sharedRightOperand(plan: MatMulPlan): boolean {
  const { aOffsets, bOffsets, M, K } = plan;
  for (let t = 0; t < aOffsets.length; t++) if (bOffsets[t] !== bOffsets[0] || aOffsets[t] !== t * M * K) return false;
  return true;
}

/** 32-bit integer matmul with C-like wrap-around (Math.imul keeps products exact mod 2^32). */
function naiveInt(M: number, N: number, K: number, A: NumericArray, ao: number, B: NumericArray, bo: number, Y: NumericArray, yo: number, type: DType): void {
  const unsigned = type === 'uint32' || type === 'uint16' || type === 'uint8';
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let p = 0; p < K; p++) s = (s + Math.imul(A[ao + i * K + p], B[bo + p * N + j])) | 0;
      Y[yo + i * N + j] = unsigned ? s >>> 0 : s;
    }
  }
}

function naiveBig(M: number, N: number, K: number, A: BigArray, ao: number, B: BigArray, bo: number, Y: BigArray, yo: number): void {
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0n;
      for (let p = 0; p < K; p++) s += A[ao + i * K + p] * B[bo + p * N + j];
      Y[yo + i * N + j] = s; // typed array store wraps to 64 bits
    }
  }
}

// ---------------------------------------------------------------------------
// Gemm

export interface GemmAttrs { alpha: number; beta: number; transA: boolean; transB: boolean; strictC: boolean }

/** Y = alpha · op(A) · op(B) + beta · C, C unidirectionally broadcast to [M, N]. */
export function gemmOp(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: GemmAttrs): Tensor[] {
  runGemm(ctx, inputs, attrs, NO_EPILOGUE);
  return ctx.done(1);
}

/**
 * Gemm into output 0. When the product runs on the SIMD SGEMM and C is a [N] bias
 * (beta 1), the kernel adds it and applies `ep` (an activation it has, or null) to each
 * tile: returns true then; false when the caller must still apply the activation.
 */
function runGemm(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: GemmAttrs, ep: Epilogue | null): boolean {
  const a = inputs[0] as Tensor, b = inputs[1] as Tensor, c = inputs[2];
  if (a.dims.length !== 2 || b.dims.length !== 2) fail(`Gemm operands must be 2-D, got [${a.dims.join(',')}] and [${b.dims.join(',')}]`);
  const [M, K] = attrs.transA ? [a.dims[1], a.dims[0]] : a.dims;
  const [K2, N] = attrs.transB ? [b.dims[1], b.dims[0]] : b.dims;
  if (K !== K2) fail(`Gemm inner dimensions differ: ${K} and ${K2}`);
  const y = ctx.alloc(0, a.type, [M, N]);
  const useC = c !== undefined && attrs.beta !== 0;
  if (useC && attrs.strictC && (c.dims.length !== 2 || c.dims[0] !== M || c.dims[1] !== N)) {
    fail(`Gemm with broadcast=0 needs C of shape [${M},${N}], got [${c.dims.join(',')}]`);
  }
  const [aRs, aCs] = attrs.transA ? [1, M] : [K, 1];
  const [bRs, bCs] = attrs.transB ? [1, K] : [N, 1];
  if (ep !== null && y.data instanceof Float32Array && a.data instanceof Float32Array && b.data instanceof Float32Array) {
    const bias = useC ? columnBias(c, N, attrs.beta) : null;
    if ((!useC || bias !== null) &&
      gemmColumnEpilogue(M, N, K, a.data, 0, aRs, aCs, b.data, 0, bRs, bCs, y.data, 0, N, attrs.alpha, bias, ep)) return true;
  }
  if (useC) fillBroadcast(c, M, N, attrs.beta, y.data as NumericArray | BigArray);
  if (a.type === 'float32' || a.type === 'float16' || a.type === 'float64') {
    gemm(M, N, K, a.data as FloatArray, 0, aRs, aCs, b.data as FloatArray, 0, bRs, bCs, y.data as FloatArray, 0, N, attrs.alpha, useC);
  } else {
    gemmIntegral(M, N, K, a, aRs, aCs, b, bRs, bCs, y, attrs.alpha, useC);
  }
  return false;
}

/** C as a per-column bias the kernel can add: float32 [N] or [1, N] with beta 1; else null. */
function columnBias(c: Tensor, N: number, beta: number): Float32Array | null {
  const d = c.dims;
  const rowShaped = (d.length === 1 && d[0] === N) || (d.length === 2 && d[0] === 1 && d[1] === N);
  return beta === 1 && rowShaped && c.data instanceof Float32Array ? c.data : null;
}

export interface FusedGemmAttrs extends GemmAttrs {
  activation: FusedActivation;
  /** leakyRelu: [alpha]; clip: [min, max]; hardSigmoid: [alpha, beta]; otherwise empty. */
  activationParams: number[];
}

/**
 * FusedGemm (built by src/passes/fuse-gemm.ts from Gemm + activation, float types):
 * Gemm, then the activation in place over the output, in the kernel's own buffer
 * (no second node, no intermediate tensor) — inside the SIMD SGEMM's tiles when the
 * product runs there and the activation is one it has.
 */
export function fusedGemm(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: FusedGemmAttrs): Tensor[] {
  const ep = activationEpilogue(attrs);
  const done = runGemm(ctx, inputs, attrs, columnEpilogueOnWasm(ep) ? ep : null);
  const y = ctx.out[0];
  if (!done && attrs.activation !== 'none' && (y.data instanceof Float32Array || y.data instanceof Float64Array)) {
    finishRow(ep, 0, y.data, 0, y.data, 0, y.data.length);
  }
  return ctx.done(1);
}

/** Y[i,j] = beta · C[broadcast i,j]: C may be a scalar, [N], [1,N], [M,1] or [M,N]. */
function fillBroadcast(c: Tensor, M: number, N: number, beta: number, Y: NumericArray | BigArray): void {
  const d = c.dims;
  if (d.length > 2) fail(`Gemm C must have rank <= 2, got [${d.join(',')}]`);
  const cm = d.length === 2 ? d[0] : 1;
  const cn = d.length >= 1 ? d[d.length - 1] : 1;
  if ((cm !== 1 && cm !== M) || (cn !== 1 && cn !== N)) fail(`Gemm C of shape [${d.join(',')}] does not broadcast to [${M},${N}]`);
  const rs = cm === 1 ? 0 : cn, cs = cn === 1 ? 0 : 1;
  const C = c.data;
  if (Y instanceof BigInt64Array || Y instanceof BigUint64Array) {
    const bb = BigInt(Math.trunc(beta));
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) Y[i * N + j] = (C[i * rs + j * cs] as bigint) * bb;
    return;
  }
  const Cn = C as NumericArray;
  for (let i = 0; i < M; i++) {
    const yo = i * N, co = i * rs;
    for (let j = 0; j < N; j++) Y[yo + j] = beta * Cn[co + j * cs];
  }
}

function gemmIntegral(
  M: number, N: number, K: number, a: Tensor, aRs: number, aCs: number, b: Tensor, bRs: number, bCs: number,
  y: Tensor, alpha: number, add: boolean,
): void {
  if (isBigType(a.type)) {
    const A = a.data as BigArray, B = b.data as BigArray, Y = y.data as BigArray;
    const al = BigInt(Math.trunc(alpha));
    for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
      let s = 0n;
      for (let p = 0; p < K; p++) s += A[i * aRs + p * aCs] * B[p * bRs + j * bCs];
      Y[i * N + j] = add ? Y[i * N + j] + al * s : al * s;
    }
    return;
  }
  const A = a.data as NumericArray, B = b.data as NumericArray, Y = y.data as NumericArray;
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) {
    let s = 0;
    for (let p = 0; p < K; p++) s += A[i * aRs + p * aCs] * B[p * bRs + j * bCs];
    Y[i * N + j] = add ? Y[i * N + j] + alpha * s : alpha * s;
  }
}

// ---------------------------------------------------------------------------
// MatMulInteger

/**
 * (A − a_zero_point) · (B − b_zero_point) in int32. Operands are shifted into doubles
 * (exact: |products| ≤ 2^16, sums far below 2^53), multiplied by the float core,
 * and wrapped to int32.
 */
export function matmulInteger(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[]): Tensor[] {
  const a = inputs[0] as Tensor, b = inputs[1] as Tensor;
  const plan = planMatMul(a.dims, b.dims);
  const A = shiftedByZeroPoint(a, inputs[2], 'a');
  const B = shiftedByZeroPoint(b, inputs[3], 'b');
  const y = ctx.alloc(0, 'int32', plan.outDims);
  const n = sizeOf(plan.outDims);
  const tmp = ctx.scratch('acc', 'float64', n) as Float64Array;
  matmulInto('float64', plan, A, B, tmp);
  const Y = y.data as Int32Array;
  for (let i = 0; i < n; i++) Y[i] = tmp[i] | 0;
  return ctx.done(1);
}

/**
 * x − zero_point as float64. For A the zero point is a scalar or per row ([M] or
 * [..., M, 1]); for B a scalar or per column ([N] or [..., 1, N]).
 */
function shiftedByZeroPoint(x: Tensor, zp: Tensor | undefined, which: 'a' | 'b'): Float64Array {
  const X = x.data as NumericArray;
  const out = new Float64Array(X.length);
  if (zp === undefined || zp.data.length === 0) { out.set(X); return out; }
  if (zp.type !== x.type) fail(`MatMulInteger ${which}_zero_point must have the type of ${which.toUpperCase()}`);
  const Z = zp.data as NumericArray;
  if (Z.length === 1) {
    const z = Z[0];
    for (let i = 0; i < X.length; i++) out[i] = X[i] - z;
    return out;
  }
  const xd = x.dims.length === 1 ? (which === 'a' ? [1, x.dims[0]] : [x.dims[0], 1]) : x.dims;
  let zd = zp.dims;
  if (zd.length === 1) zd = which === 'a' ? [zd[0], 1] : [1, zd[0]];
  const st = broadcastStrides(zd, xd);
  if (zd.length > xd.length) fail(`MatMulInteger ${which}_zero_point of shape [${zp.dims.join(',')}] does not fit [${x.dims.join(',')}]`);
  const idx = new Array<number>(xd.length).fill(0);
  let zo = 0;
  for (let i = 0; i < X.length; i++) {
    out[i] = X[i] - Z[zo];
    for (let ax = xd.length - 1; ax >= 0; ax--) {
      idx[ax]++;
      zo += st[ax];
      if (idx[ax] < xd[ax]) break;
      zo -= st[ax] * xd[ax];
      idx[ax] = 0;
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Det

/** Determinant of each trailing square matrix, by LU decomposition with partial pivoting in doubles. */
export function det(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[]): Tensor[] {
  const x = inputs[0] as Tensor;
  const r = x.dims.length;
  if (r < 2 || x.dims[r - 1] !== x.dims[r - 2]) fail(`Det needs [*, M, M] input, got [${x.dims.join(',')}]`);
  const n = x.dims[r - 1];
  const outDims = x.dims.slice(0, -2);
  const y = ctx.alloc(0, x.type, outDims);
  const X = x.data as FloatArray, Y = y.data as FloatArray;
  const m = new Float64Array(n * n);
  const count = sizeOf(outDims);
  for (let t = 0; t < count; t++) {
    for (let i = 0; i < n * n; i++) m[i] = X[t * n * n + i];
    Y[t] = luDet(m, n);
  }
  return ctx.done(1);
}

function luDet(m: Float64Array, n: number): number {
  let d = 1;
  for (let k = 0; k < n; k++) {
    let piv = k, best = Math.abs(m[k * n + k]);
    for (let i = k + 1; i < n; i++) {
      const v = Math.abs(m[i * n + k]);
      if (v > best) { best = v; piv = i; }
    }
    if (best === 0) return 0;
    if (piv !== k) {
      for (let j = 0; j < n; j++) { const t = m[k * n + j]; m[k * n + j] = m[piv * n + j]; m[piv * n + j] = t; }
      d = -d;
    }
    const pv = m[k * n + k];
    d *= pv;
    for (let i = k + 1; i < n; i++) {
      const f = m[i * n + k] / pv;
      if (f === 0) continue;
      for (let j = k + 1; j < n; j++) m[i * n + j] -= f * m[k * n + j];
    }
  }
  return d;
}
