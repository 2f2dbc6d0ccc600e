// Depthwise 3×3 convolution (one filter per channel, dilation 1, column stride
// 1 or 2) on the WebAssembly kernels. The input planes are copied into the
// kernels' memory with their zero padding already in place, and wide enough that
// the last (partial) group of four output columns reads only zeros past the
// edge: the SIMD loop then needs no bounds checks at all. One call covers every
// channel of an image.

import { epilogueMode, epilogueOnWasm, epilogueP0, epilogueP1, finishRow, type Epilogue } from './epilogue.js';
import type { WasmKernels } from './kernels.js';
import { copyPaddedPlanes, paddedPlanesFloats } from './padded-planes.js';

export interface Depthwise3x3 {
  C: number; H: number; W: number; OH: number; OW: number;
  sh: number; sw: number; pt: number; pl: number;
}

/** Floats per channel record of the `dw3x3` kernel: 9 taps, then bias, lo, hi of its epilogue. */
const RECORD = 12;

/**
 * Y[c] = X[c] ⊛ Wt[c] for the C channels of one image; false (nothing done) when memory
 * is short. With an epilogue, rows are written through it (bias, residual, activation):
 * bias and a clamp (Relu, Clip) inside the kernel's store, others after it.
 */
export function depthwise3x3Wasm(
  k: WasmKernels, g: Depthwise3x3,
  X: Float32Array, xOff: number, Wt: ArrayLike<number>, wOff: number, Y: Float32Array, yOff: number,
  epilogue: Epilogue | null = null,
): boolean {
  const { C, H, W, OH, OW, sh, sw, pt, pl } = g;
  const owv = (OW + 3) >> 2;
  const xW = Math.max(W + pl, owv * 4 * sw + 2);
  const xH = Math.max(H + pt, (OH - 1) * sh + 3);
  const yPlane = OH * owv * 4;
  // Layout: channel records (taps + epilogue), outputs, then the padded planes and their staging area.
  const wBase = 0, yBase = RECORD * C, xBase = yBase + C * yPlane;
  const mem = k.scratch(xBase + paddedPlanesFloats(C, H, W, xH, xW));
  if (mem === null) return false;
  copyPaddedPlanes(k, mem, xBase, X, xOff, C, H, W, pt, pl, xH, xW);
  // In the kernel: bias and mode-0 activations (none, relu, clip) without a residual.
  const inKernel = epilogue !== null && epilogueOnWasm(epilogue) && epilogueMode(epilogue) === 0 && epilogue.residual === null;
  const bias = inKernel ? epilogue.bias : null;
  const lo = inKernel ? epilogueP0(epilogue) : -Infinity, hi = inKernel ? epilogueP1(epilogue) : Infinity;
  for (let c = 0, r = wBase; c < C; c++, r += RECORD) {
    const w = wOff + 9 * c;
    for (let t = 0; t < 9; t++) mem[r + t] = Wt[w + t];
    mem[r + 9] = bias === null ? -0 : bias[c]; // −0: the kernel's add leaves every value as it is
    mem[r + 10] = lo;
    mem[r + 11] = hi;
  }
  k.dw3x3(C, OH, owv, sh, sw, xBase * 4, xH, xW, wBase * 4, yBase * 4);
  if (epilogue !== null && !inKernel) {
    if (epilogueOnWasm(epilogue) && epilogue.residual === null) {
      // Leaky relu: one SIMD pass while the planes are in the kernels' memory. Each
      // channel's plane is one contiguous "row" of OH·owv vectors, with that channel's
      // bias (staged where the records were: the kernel is done with them).
      const eb = epilogue.bias;
      if (eb !== null) for (let c = 0; c < C; c++) mem[wBase + c] = eb[c];
      k.epilogue(yBase * 4, C, OH * owv, yPlane, wBase * 4, 0, eb !== null ? 1 : 0, epilogueMode(epilogue), epilogueP0(epilogue), epilogueP1(epilogue));
    } else {
      for (let c = 0; c < C; c++) {
        for (let oy = 0; oy < OH; oy++) finishRow(epilogue, c, mem, yBase + c * yPlane + oy * owv * 4, Y, yOff + (c * OH + oy) * OW, OW);
      }
      return true;
    }
  }
  // Drop the padding columns of every row in place, then one memcpy out.
  if (OW !== owv * 4) k.compact(yBase * 4, C * OH, OW, owv * 4, yBase * 4);
  Y.set(mem.subarray(yBase, yBase + C * OH * OW), yOff);
  return true;
}
