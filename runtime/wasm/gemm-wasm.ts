// SGEMM on the WebAssembly kernels. Memory layout of one product (float offsets):
//   [0, K·Np)               B, row-major, row stride ldb = Np = N rounded up to 8
//                           (a resident B lives elsewhere, with its own ldb ≥ Np)
//   [K·Np, +Mp·K)           A packed in 4-row panels per 256-long K slice (kernels.wat)
//   [.., +Mp·Np)            C, row-major Mp×Np
//   [.., +Mp·Np + Mp)       a fused epilogue's residual rows (as C) and per-row bias
//   [.., + extra)           the caller's scratch (e.g. im2col's padded input)
//   [.., + aRoom)           a copy of A's span, which pack.wat packs (no JavaScript
//                           loop per element); without it A is packed in JavaScript
// B is the large operand of a convolution: `sgemmBegin` hands out its place so the
// caller (im2col) writes it there directly, and `sgemmFinish` packs A, runs the
// kernel and writes alpha·C (+ C) to the destination. `sgemmWasm` does all three for
// operands given by strides. Rows past M and columns past N are padding whose results
// are dropped, so the WebAssembly code has no edge cases.
//
// The products accumulate in float32 (as onnxruntime's and BLAS's SGEMM do), so
// results differ from the float64-accumulating JavaScript GEMM by float32 rounding.

import { NO_EPILOGUE, epilogueMode, epilogueOnWasm, epilogueP0, epilogueP1, finishRow, type Epilogue } from './epilogue.js';
import type { WasmKernels } from './kernels.js';
import type { OperandView } from './resident.js';

/** K slice: a 4×KC A panel (4 KB) and the KC rows of an 8-column B strip stay in L1. */
const KC = 256;

/**
 * Where the caller writes B: K rows of `ldb` floats from `b` in `mem`; `extra` is the
 * start of the caller's own scratch floats (e.g. the padded input im2col reads).
 */
export interface SgemmB {
  readonly mem: Float32Array; readonly b: number; readonly ldb: number; readonly extra: number;
  /**
   * Float offset and size of room where sgemmFinish copies A's span in for pack.wat
   * to pack (see aStageFloats); size 0 (or absent) packs A in JavaScript.
   */
  readonly aStage?: number; readonly aRoom?: number;
}

/**
 * Reserves memory for an M×N×K product plus `extra` floats (and `aRoom` floats of
 * staging for A, see aStageFloats); null when it does not fit (use JavaScript).
 */
export function sgemmBegin(k: WasmKernels, M: number, N: number, K: number, extra = 0, aRoom = 0): SgemmB | null {
  const Mp = (M + 3) & ~3, Np = (N + 7) & ~7;
  const end = K * Np + Mp * K + 2 * Mp * Np + Mp;
  let mem = k.scratch(end + extra + aRoom);
  if (mem === null && aRoom > 0) {
    // Without the staging room A is packed in JavaScript: slower, but still the SIMD product.
    aRoom = 0;
    mem = k.scratch(end + extra);
  }
  return mem === null ? null : { mem, b: 0, ldb: Np, extra: end, aStage: end + extra, aRoom };
}

/**
 * Floats of A's span (A[i,p] = A[off + i·rs + p·cs], M×K) when pack.wat can pack it
 * from a copy: float32, contiguous along K, rows not running backwards; else 0.
 */
export function aStageFloats(k: WasmKernels, A: ArrayLike<number>, rs: number, cs: number, M: number, K: number): number {
  if (!(A instanceof Float32Array) || cs !== 1 || rs < 0 || k.pack === undefined || k.pack === null) return 0;
  return (M - 1) * rs + K;
}

/**
 * C = alpha · op(A) · B (+ C) once B is in place; A[i,p] = A[aOff + i·aRs + p·aCs].
 * `packedA` replaces the packing of A: a Float32Array from `packAForSgemm` is copied
 * in; a number is the float offset, relative to the kernels' residentBase(), of a
 * resident block in that layout (`packAInto` via resident.ts: constant weights packed
 * once and never copied again). The kernel scales the sums by alpha. With an
 * epilogue (no accumulate) the kernel applies bias, residual and activation to each
 * tile when it can (epilogueOnWasm), else row i is written as
 * finishRow(epilogue, epRow0 + i, ...) in the copy-out. `columnBias` (N values, with
 * no epilogue or one whose activation columnEpilogueOnWasm accepts) is added to every
 * row by the kernel.
 */
export function sgemmFinish(
  k: WasmKernels, prep: SgemmB,
  M: number, N: number, K: number,
  A: ArrayLike<number>, aOff: number, aRs: number, aCs: number,
  C: Float32Array, cOff: number, ldc: number, alpha: number, accumulate: boolean,
  packedA: Float32Array | number | null = null, epilogue: Epilogue | null = null, epRow0 = 0,
  columnBias: ArrayLike<number> | null = null,
): void {
  const { mem, ldb } = prep;
  // C's rows are Np apart; B's may be further (a resident B, see gemm-resident.ts).
  const Mp = (M + 3) & ~3, Np = (N + 7) & ~7;
  const pc = K * Np + Mp * K;
  let pa = K * Np;
  if (typeof packedA === 'number') pa = k.residentBase() + packedA; // read after sgemmBegin's scratch request
  else if (packedA !== null && packedA.length === Mp * K) mem.set(packedA, pa);
  else if (!packAOnWasm(k, prep, A, aOff, aRs, aCs, M, K, pa)) packA(mem, pa, A, aOff, aRs, aCs, M, Mp, K);
  if (columnBias !== null) {
    // A per-column bias (callers check columnEpilogueOnWasm): one row the kernel adds to every tile row.
    const rb = pc + Mp * Np;
    if (columnBias instanceof Float32Array) mem.set(columnBias.length === N ? columnBias : columnBias.subarray(0, N), rb);
    else for (let j = 0; j < N; j++) mem[rb + j] = columnBias[j];
    mem.fill(0, rb + N, rb + Np);
    const ep = epilogue ?? NO_EPILOGUE;
    k.sgemm(Mp, Np, K, KC, pa * 4, prep.b * 4, ldb, pc * 4, 0, rb * 4, 2 | 4 | 8, 0, epilogueP0(ep), epilogueP1(ep), alpha);
    epilogue = null;
  } else if (epilogue !== null && epilogueOnWasm(epilogue)) {
    // The kernel applies the epilogue to each tile as it finishes it; the rows below are plain copies.
    const { rb, bb, flags } = stageEpilogue(mem, pc, M, N, Np, epilogue, epRow0, cOff, ldc);
    k.sgemm(Mp, Np, K, KC, pa * 4, prep.b * 4, ldb, pc * 4, bb * 4, rb * 4, flags | 4,
      epilogueMode(epilogue), epilogueP0(epilogue), epilogueP1(epilogue), alpha);
    epilogue = null;
  } else {
    k.sgemm(Mp, Np, K, KC, pa * 4, prep.b * 4, ldb, pc * 4, 0, 0, 0, 0, 0, 0, alpha);
  }
  // The kernel has applied alpha: what is left is copying out (or adding, with accumulate).
  if (epilogue === null && !accumulate && ldc === N) {
    // Destination rows are contiguous: drop C's padding columns in place, then one memcpy.
    if (N !== Np) k.compact(pc * 4, M, N, Np, pc * 4);
    C.set(mem.subarray(pc, pc + M * N), cOff);
    return;
  }
  for (let i = 0; i < M; i++) {
    const src = pc + i * Np, dst = cOff + i * ldc;
    if (epilogue !== null) {
      finishRow(epilogue, epRow0 + i, mem, src, C, dst, N);
    } else if (accumulate) {
      for (let j = 0; j < N; j++) C[dst + j] += mem[src + j];
    } else {
      for (let j = 0; j < N; j++) C[dst + j] = mem[src + j];
    }
  }
}

/**
 * Packs A with pack.wat from one memcpy of its span into the prep's staging room;
 * false, having done nothing, when sgemmBegin reserved no (or too little) room.
 */
function packAOnWasm(k: WasmKernels, prep: SgemmB, A: ArrayLike<number>, aOff: number, aRs: number, aCs: number, M: number, K: number, pa: number): boolean {
  const span = aStageFloats(k, A, aRs, aCs, M, K);
  const at = prep.aStage ?? 0;
  if (span === 0 || span > (prep.aRoom ?? 0) || k.pack === undefined || k.pack === null) return false;
  prep.mem.set((A as Float32Array).subarray(aOff, aOff + span), at);
  k.pack.packA(at * 4, aRs, M, K, KC, pa * 4);
  return true;
}

/**
 * Puts a fused epilogue's bias (per row) and residual rows (laid out like C) into the
 * kernels' memory after C, where the SGEMM kernel reads them; returns their float
 * offsets and the epilogue flags (bit 0 bias, bit 1 residual).
 */
function stageEpilogue(
  mem: Float32Array, pc: number, M: number, N: number, Np: number,
  ep: Epilogue, row0: number, cOff: number, ldc: number,
): { rb: number; bb: number; flags: number } {
  const Mp = (M + 3) & ~3;
  const rb = pc + Mp * Np, bb = rb + Mp * Np;
  const bias = ep.bias, res = ep.residual;
  if (bias !== null) for (let i = 0; i < M; i++) mem[bb + i] = bias[row0 + i];
  if (res !== null) {
    if (res instanceof Float32Array) {
      for (let i = 0; i < M; i++) mem.set(res.subarray(cOff + i * ldc, cOff + i * ldc + N), rb + i * Np);
    } else {
      for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) mem[rb + i * Np + j] = res[cOff + i * ldc + j];
    }
  }
  return { rb, bb, flags: (bias !== null ? 1 : 0) | (res !== null ? 2 : 0) };
}

/** Floats of A (M×K) in the packed layout of the `sgemm` kernel. */
export function packedAFloats(M: number, K: number): number {
  return ((M + 3) & ~3) * K;
}

/**
 * Writes A (v.rows × v.cols, A[i,p] = A[v.off + i·v.rs + p·v.cs]) in the `sgemm`
 * kernel's packed layout at float `dst` of `mem` (a resident.ts packer).
 */
export function packAInto(mem: Float32Array, dst: number, A: ArrayLike<number>, v: OperandView): void {
  packA(mem, dst, A, v.off, v.rs, v.cs, v.rows, (v.rows + 3) & ~3, v.cols);
}

/** A (M×K, A[i,p] = A[off + i·rs + p·cs]) in the layout sgemmFinish copies in as `packedA`. */
export function packAForSgemm(A: ArrayLike<number>, off: number, rs: number, cs: number, M: number, K: number): Float32Array {
  const Mp = (M + 3) & ~3;
  const out = new Float32Array(Mp * K);
  packA(out, 0, A, off, rs, cs, M, Mp, K);
  return out;
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
  epilogue: Epilogue | null = null, columnBias: ArrayLike<number> | null = null,
): boolean {
  const contiguous = bCs === 1 && bRs === N && B instanceof Float32Array;
  // A strided float32 B (a transposed or interleaved view) is copied in as one span and laid out by pack.wat.
  const bSpan = !contiguous && B instanceof Float32Array && bRs >= 0 && bCs >= 0 && k.pack !== undefined && k.pack !== null
    ? (K - 1) * bRs + (N - 1) * bCs + 1 : 0;
  const prep = sgemmBegin(k, M, N, K, contiguous ? K * N : bSpan, aStageFloats(k, A, aRs, aCs, M, K));
  if (prep === null) return false;
  const { mem, ldb } = prep;
  if (contiguous) {
    setPaddedRows(k, prep, B, bOff, K, N);
  } else if (bSpan > 0 && k.pack !== undefined && k.pack !== null) {
    mem.set((B as Float32Array).subarray(bOff, bOff + bSpan), prep.extra);
    k.pack.gather(prep.extra * 4, K, N, bRs, bCs, prep.b * 4, ldb);
  } else if (bCs === 1 && B instanceof Float32Array) {
    for (let p = 0; p < K; p++) mem.set(B.subarray(bOff + p * bRs, bOff + p * bRs + N), p * ldb); // row copies are memcpy
  } else {
    for (let p = 0; p < K; p++) {
      const s = bOff + p * bRs, o = p * ldb;
      for (let j = 0; j < N; j++) mem[o + j] = B[s + j * bCs];
    }
  }
  sgemmFinish(k, prep, M, N, K, A, aOff, aRs, aCs, C, cOff, ldc, alpha, accumulate, null, epilogue, 0, columnBias);
  return true;
}

/**
 * Writes K contiguous rows of N floats from X[xOff] as B (row stride prep.ldb): one
 * memcpy when no padding is needed, else one memcpy into the `extra` scratch (which
 * must hold K·N floats) and the `pad` kernel spreading the rows (a JavaScript copy per
 * row costs a call and a view each; the kernel reads 8-aligned rows fastest).
 */
export function setPaddedRows(k: WasmKernels, prep: SgemmB, X: Float32Array, xOff: number, K: number, N: number): void {
  if (prep.ldb === N) {
    prep.mem.set(X.subarray(xOff, xOff + K * N), prep.b);
    return;
  }
  prep.mem.set(X.subarray(xOff, xOff + K * N), prep.extra);
  k.pad(prep.extra * 4, K, 1, N, prep.b * 4, 1, prep.ldb, 0, 0);
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

/**
 * Y[yOff[t] + i·ldc + j] = act(alpha · Σ_p A[aOff[t] + i·aRs + p]·B[bOff[t] + p·bRs + j·bCs]
 * + bias[j]) for every batch t < nb: the per-head products of attention (a
 * FusedMatMul with the heads' Transposes folded in as strides) in one go. A, B and
 * the bias are copied in with one memcpy each, and Y, staged in the kernels' memory,
 * copied out with one: per product only pack.wat's packing of A, its gather of B (a
 * transposed B too) and of C into Y's layout, and the kernel, with no JavaScript loop
 * over elements. `ep` must satisfy columnEpilogueOnWasm. The nb products must write
 * each of Y's nb·M·N elements once (an output permutation, as FusedMatMul plans).
 * Returns false, having done nothing, when pack.wat is missing, A is not contiguous
 * along K, a stride is negative, or the memory cannot hold it.
 */
export function sgemmBatchedWasm(
  k: WasmKernels, nb: number, M: number, N: number, K: number,
  A: Float32Array, aOff: ArrayLike<number>, aRs: number, aCs: number,
  B: Float32Array, bOff: ArrayLike<number>, bRs: number, bCs: number,
  Y: Float32Array, yOff: ArrayLike<number>, ldc: number,
  alpha: number, ep: Epilogue, bias: ArrayLike<number> | null,
): boolean {
  const pack = k.pack;
  const total = nb * M * N;
  if (pack === undefined || pack === null || aCs !== 1 || aRs < 0 || bRs < 0 || bCs < 0 || Y.length < total) return false;
  const Mp = (M + 3) & ~3, Np = (N + 7) & ~7;
  // Floats, each area 4-aligned: A | B | Y staged | packed A | B rows | C | bias row.
  const at = 0, bt = align4(A.length), yt = bt + align4(B.length), pa = yt + align4(total);
  const pb = pa + Mp * K, pc = pb + K * Np, rb = pc + Mp * Np;
  const mem = k.scratch(rb + Np);
  if (mem === null) return false;
  mem.set(A, at);
  mem.set(B, bt);
  for (let j = 0; j < N; j++) mem[rb + j] = bias === null ? 0 : bias[j];
  const p0 = epilogueP0(ep), p1 = epilogueP1(ep);
  for (let t = 0; t < nb; t++) {
    pack.packA((at + aOff[t]) * 4, aRs, M, K, KC, pa * 4);
    pack.gather((bt + bOff[t]) * 4, K, N, bRs, bCs, pb * 4, Np);
    k.sgemm(Mp, Np, K, KC, pa * 4, pb * 4, Np, pc * 4, 0, rb * 4, 2 | 4 | 8, 0, p0, p1, alpha);
    pack.gather(pc * 4, M, N, Np, 1, (yt + yOff[t]) * 4, ldc);
  }
  Y.set(mem.subarray(yt, yt + total));
  return true;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}
