// Winograd convolution on the WebAssembly kernels, for float32 2-D convolutions with
// a 3×3 filter, stride 1, dilation 1 and one group (ResNet's 3×3 layers).
//
// F(2×2, 3×3) computes each 2×2 block of outputs from its 4×4 input patch d as
// Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A: summed over the input channels, the 16 elementwise
// products become 16 independent matrix products U[ξ]·V[ξ] ([M×C]·[C×tiles]) with
// 16 multiplies per block and channel pair instead of 36 (2.25× fewer). WebAssembly
// has no fused multiply-add here, so fewer multiplies is how the im2col + SGEMM path
// gets beaten. Per group of images (their tiles side by side), in the kernels' memory:
//   1. the input planes are copied in with their zero border (copyPaddedPlanes);
//   2. `in2` (winograd.wat) writes V[ξ] as the B operands of `sgemm`, four tiles per f32x4;
//   3. 16 `sgemm` calls: the filter transforms U[ξ] were computed once per constant
//      weight tensor, in float64, and stored in the packed-A layout;
//   4. `out2` writes Aᵀ P A into output planes, then the fused epilogue (bias,
//      residual, activation) runs over them and the planes are copied out.
// The transforms only add and subtract (and the filter transform halves, in float64),
// so the results differ from the direct sum by float32 rounding of a few more terms:
// measured on ResNet-18's layers, the same size of error as im2col + SGEMM.
// F(4×4, 3×3) (`in4`/`out4`, 36 products, 4× fewer multiplies) is implemented the same
// way but not chosen: see winogradTileFor.

import { epilogueMode, epilogueOnWasm, epilogueP0, epilogueP1, finishRow, type Epilogue } from './epilogue.js';
import type { WasmKernels } from './kernels.js';
import { copyPaddedPlanes, paddedPlanesFloats } from './padded-planes.js';
import { residentOperand, type OperandView } from './resident.js';

/** The convolution's resolved geometry (as runtime/tensor/conv.ts resolves it). */
export interface WinogradGeometry {
  readonly nd: number;
  readonly inSp: readonly number[];
  readonly kSp: readonly number[];
  readonly outSp: readonly number[];
  readonly strides: readonly number[];
  readonly dil: readonly number[];
  readonly padBegin: readonly number[];
}

/**
 * K slice of the packed filter layout that `sgemm` reads (see kernels.wat): the
 * packing here and the kc passed to the kernel must agree, so both use this value.
 */
const KC = 256;

/** Filter transform matrices G ((m + 2)×3) of F(2×2, 3×3) and F(4×4, 3×3) (Lavin & Gray, 2016). */
const G_OF: Readonly<Record<WinogradTile, readonly (readonly number[])[]>> = {
  2: [[1, 0, 0], [1 / 2, 1 / 2, 1 / 2], [1 / 2, -1 / 2, 1 / 2], [0, 0, 1]],
  4: [[1 / 4, 0, 0], [-1 / 6, -1 / 6, -1 / 6], [-1 / 6, 1 / 6, -1 / 6], [1 / 24, 1 / 12, 1 / 6], [1 / 24, -1 / 12, 1 / 6], [0, 0, 1]],
};

/** Output block size m of F(m×m, 3×3). */
export type WinogradTile = 2 | 4;

/**
 * Transformed filters per weight tensor and tile (constant weights only), in the
 * packed-A layout of `sgemm`, ξ after ξ. Weak keys: a module's weights live as long as it does.
 */
const transformedFilters = new WeakMap<object, Partial<Record<WinogradTile, Float32Array | null>>>();

/** Floats of V and P (the transformed inputs and products) that decide how many images go through together. */
const BATCH_FLOATS = 1 << 22;

/**
 * Most floats of V and P for one image: beyond it (planes of about 150×150 at 64
 * channels) the layer is left to the im2col path, which works in bands of output
 * rows, rather than growing the kernels' memory (it never shrinks) by more than 64 MB.
 */
const WORKSET_FLOATS = 1 << 24;

/** Bytes of scratch the F(4×4) transforms use (winograd.wat: 576 for in4, 640 for out4). */
const TMP_FLOATS = 160;

/**
 * Which Winograd variant, if any, beats im2col + SGEMM for this layer (0: none).
 *
 * Only F(2×2, 3×3): F(4×4, 3×3) is faster still on ResNet-18's 56², 28² and 14²
 * layers (1.2–1.7× over F(2×2)) but its float32 error, about 10× the direct
 * convolution's, puts some near-zero outputs outside the conformance tolerance
 * (|a − b| ≤ 1e-7 + 1e-3·|b|) where F(2×2) and the direct sum put none; see
 * docs/performance.md. It stays available to callers that pass `tile`.
 *
 * Cost model, per output channel and input channel: the direct product does 9
 * multiply-adds per output column (columns rounded up to 8, the SGEMM tile) and
 * F(2×2) 16 per tile; filters that are not constants are copied in per call (9 and
 * 16 floats), each float copied costing about 10 multiply-adds (measured: 512
 * channels at 4×4 is the break-even); constant ones are resident in the kernels'
 * memory on both paths and cost nothing per call. Below 16 output pixels the direct
 * path runs the JavaScript GEMM, which Winograd beats at any size.
 */
export function winogradTileFor(C: number, M: number, OH: number, OW: number, constW = false): WinogradTile | 0 {
  if (C < 3 || M < 4 || OH < 2 || OW < 2) return 0;
  const tiles = Math.ceil(OH / 2) * Math.ceil(OW / 2), copy = constW ? 0 : COPY_COST;
  const direct = 9 * (((OH * OW + 7) & ~7) + copy), f2 = 16 * (((tiles + 7) & ~7) + copy);
  return f2 < direct || OH * OW < 16 ? 2 : 0;
}

/** Cost of copying one float of packed filters into the kernels' memory, in multiply-adds. */
const COPY_COST = 10;

/**
 * Every image of the convolution Y = epilogue(X ⊛ W) by Winograd when it applies
 * (float32, 3×3, stride 1, dilation 1, one group, non-negative padding, the Winograd
 * module loaded, worth it for the layer, memory available); false, with nothing done,
 * when not. `tile` forces a variant (tests).
 */
export function winogradConvWasm(
  kernels: WasmKernels, X: ArrayLike<number>, xDims: readonly number[], W: ArrayLike<number>, M: number,
  g: WinogradGeometry, Y: ArrayLike<number>, ep: Epilogue | null, constW: boolean,
  tile?: WinogradTile,
): boolean {
  const wino = kernels.winograd;
  if (wino === null || wino === undefined || !(X instanceof Float32Array) || !(Y instanceof Float32Array)) return false;
  if (g.nd !== 2 || g.kSp[0] !== 3 || g.kSp[1] !== 3 || g.strides[0] !== 1 || g.strides[1] !== 1) return false;
  if (g.dil[0] !== 1 || g.dil[1] !== 1 || g.padBegin[0] < 0 || g.padBegin[1] < 0) return false;
  const [N, C] = xDims, [H, Wd] = g.inSp, [OH, OW] = g.outSp, [pt, pl] = g.padBegin;
  const m = tile ?? winogradTileFor(C, M, OH, OW, constW);
  if (m === 0 || OH < 1 || OW < 1) return false;
  const r2 = (m + 2) * (m + 2);
  const tH = Math.ceil(OH / m), tW = Math.ceil(OW / m), tW4 = (tW + 3) & ~3, T = tH * tW;
  const Mp = (M + 3) & ~3;
  // Padded input: whole groups of four tiles read in range (winograd.wat, in2/in4).
  const xH = Math.max(H + pt, m * tH + 2), xW = Math.max(Wd + pl, m * tW4 + m);
  const ldy = m * tW4, yPlane = OH * ldy, outSize = OH * OW;
  // Images go through together, their tiles side by side in the products' columns
  // (bigger products for small planes), as many as keep V and P within a budget.
  const nb = Math.max(1, Math.min(N, Math.floor(BATCH_FLOATS / (r2 * (C + Mp) * T))));
  // With several images, the last one's spill past its tiles (up to 3 columns) must
  // stay within the row: the next row's first columns belong to image 0, already written.
  const np = (nb * T + (nb > 1 ? 3 : 0) + 7) & ~7;
  // Float offsets. V[ξ] and P[ξ] are followed by 8 spare floats: a group of four tiles
  // past the last tile stores (in) or reads (out) up to 3 floats past the end.
  const vs = C * np + 8, ps = Mp * np + 8;
  if (r2 * (vs + ps) > WORKSET_FLOATS) return false; // large planes: the banded im2col path bounds its memory
  const tmp = 0, uBase = tmp + TMP_FLOATS, vBase = uBase + Mp * C, pBase = vBase + r2 * vs, yBase = pBase + r2 * ps;
  const bBase = yBase + nb * M * yPlane, rBase = bBase + Mp;
  const xBase = rBase + (ep !== null && ep.residual !== null ? paddedPlanesFloats(nb * M, OH, OW, OH, ldy) : 0);
  const U = filterTransform(W, M, C, m, constW), uSize = Mp * C;
  if (U === null) return false; // non-finite weights: see `finite` in winograd.wat
  // Constant weights: the transformed filters stay in the kernels' memory (reserved
  // before the scratch request below, which may move them; their base is read after it).
  const uRel = constW ? residentOperand(kernels, U, 0, 1, 1, U.length, 1, 'winograd-u', U.length, copyFilters) : null;
  const mem = kernels.scratch(xBase + paddedPlanesFloats(nb * C, H, Wd, xH, xW));
  if (mem === null) return false;
  const uAt = uRel === null ? -1 : kernels.residentBase() + uRel;
  const onWasm = ep !== null && epilogueOnWasm(ep);
  const flags = ep === null ? 0 : (ep.bias !== null ? 1 : 0) | (ep.residual !== null ? 2 : 0);
  if (onWasm && ep.bias !== null) for (let i = 0; i < M; i++) mem[bBase + i] = ep.bias[i];
  const xPlanes = C * xH * xW, yPlanes = M * yPlane;
  for (let n0 = 0; n0 < N; n0 += nb) {
    const nc = Math.min(nb, N - n0), yOff = n0 * M * outSize;
    copyPaddedPlanes(kernels, mem, xBase, X, n0 * C * H * Wd, nc * C, H, Wd, pt, pl, xH, xW);
    // A non-finite input goes the direct way (winograd.wat, `finite`); the direct path
    // then writes every image of Y, those done here included.
    if (wino.finite(xBase * 4, nc * xPlanes) === 0) return false;
    // Image i's tiles are columns [i·T, (i + 1)·T): each image's spill past its last
    // tile lands on the next image's first columns, written afterwards.
    for (let i = 0; i < nc; i++) {
      const x = (xBase + i * xPlanes) * 4, v = (vBase + i * T) * 4;
      if (m === 2) wino.in2(x, C, xH, xW, tH, tW, v, np, vs * 4);
      else wino.in4(x, C, xH, xW, tH, tW, v, np, vs * 4, tmp * 4);
    }
    for (let xi = 0; xi < r2; xi++) {
      let u = uAt + xi * uSize;
      if (uAt < 0) {
        // One U[ξ] at a time: it is still in cache when the product streams through it.
        mem.set(U.subarray(xi * uSize, (xi + 1) * uSize), uBase);
        u = uBase;
      }
      kernels.sgemm(Mp, np, C, KC, u * 4, (vBase + xi * vs) * 4, np, (pBase + xi * ps) * 4, 0, 0, 0, 0, 0, 0, 1);
    }
    for (let i = 0; i < nc; i++) {
      const pI = (pBase + i * T) * 4, y = (yBase + i * yPlanes) * 4;
      if (m === 2) wino.out2(pI, M, np, ps * 4, tH, tW, y, ldy, OH);
      else wino.out4(pI, M, np, ps * 4, tH, tW, y, ldy, OH, tmp * 4);
    }
    if (ep !== null && !onWasm) {
      for (let i = 0; i < nc * M; i++) {
        for (let oy = 0; oy < OH; oy++) finishRow(ep, i % M, mem, yBase + i * yPlane + oy * ldy, Y, yOff + (i * OH + oy) * OW, OW);
      }
      continue;
    }
    if (ep !== null) {
      // Each output plane is one "row" of OH·ldy floats for the epilogue kernel, with its channel's bias.
      if (ep.residual !== null) copyPaddedPlanes(kernels, mem, rBase, ep.residual, yOff, nc * M, OH, OW, 0, 0, OH, ldy);
      for (let i = 0; i < nc; i++) {
        kernels.epilogue((yBase + i * yPlanes) * 4, M, yPlane >> 2, yPlane, bBase * 4, (rBase + i * yPlanes) * 4,
          flags, epilogueMode(ep), epilogueP0(ep), epilogueP1(ep));
      }
    }
    if (ldy !== OW) kernels.compact(yBase * 4, nc * M * OH, OW, ldy, yBase * 4);
    Y.set(mem.subarray(yBase, yBase + nc * M * outSize), yOff);
  }
  return true;
}

/** A resident.ts packer for transformed filters: already in the kernel's layout, copied as they are. */
function copyFilters(mem: Float32Array, dst: number, U: ArrayLike<number>, v: OperandView): void {
  for (let i = 0; i < v.rows; i++) mem[dst + i] = U[i];
}

/**
 * The (m + 2)² transformed filter matrices U[ξ] = (G w Gᵀ)[ξ] (M×C each), packed;
 * null when a weight is not finite. Cached (null included) for constant weights.
 */
function filterTransform(W: ArrayLike<number>, M: number, C: number, m: WinogradTile, constW: boolean): Float32Array | null {
  const cache = constW && typeof W === 'object' ? transformedFilters.get(W) ?? {} : null;
  const cached = cache?.[m];
  if (cached !== undefined) return cached;
  const G = G_OF[m], r = G.length, Mp = (M + 3) & ~3;
  let finite = true;
  for (let i = 0; i < M * C * 9 && finite; i++) finite = Number.isFinite(W[i]);
  if (!finite) {
    if (cache !== null) { cache[m] = null; transformedFilters.set(W, cache); }
    return null;
  }
  const U = new Float32Array(r * r * Mp * C);
  const gw = new Float64Array(r * 3), u = new Float64Array(r * r);
  for (let i = 0; i < M; i++) {
    for (let c = 0; c < C; c++) {
      const o = (i * C + c) * 9;
      // G w (r×3), then (G w) Gᵀ (r×r), in float64: one rounding per value.
      for (let a = 0; a < r; a++) {
        for (let j = 0; j < 3; j++) gw[a * 3 + j] = G[a][0] * W[o + j] + G[a][1] * W[o + 3 + j] + G[a][2] * W[o + 6 + j];
      }
      for (let a = 0; a < r; a++) {
        for (let j = 0; j < r; j++) u[a * r + j] = gw[a * 3] * G[j][0] + gw[a * 3 + 1] * G[j][1] + gw[a * 3 + 2] * G[j][2];
      }
      for (let xi = 0; xi < r * r; xi++) U[xi * Mp * C + packedIndex(i, c, Mp, C)] = u[xi];
    }
  }
  if (cache !== null) { cache[m] = U; transformedFilters.set(W, cache); }
  return U;
}

/**
 * Index of A[i, p] (M×K) in `sgemm`'s packed-A layout: per K slice of KC, Mp/4
 * panels of kc×4 floats, A[i0 + r, p] at p·4 + r of its panel (rows past M stay 0).
 */
function packedIndex(i: number, p: number, Mp: number, K: number): number {
  const pc = p - (p % KC), kc = Math.min(KC, K - pc);
  return pc * Mp + (i >> 2) * 4 * kc + (p - pc) * 4 + (i & 3);
}
