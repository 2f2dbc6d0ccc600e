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

/**
 * Y[c] = X[c] ⊛ Wt[c] for the C channels of one image; false (nothing done) when memory
 * is short. With an epilogue, rows are written through it (bias, residual, activation).
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
  // Layout: bias (C), weights (9·C), outputs, then the padded planes and their staging area.
  const bBase = 0, wBase = C, yBase = wBase + 9 * C, xBase = yBase + C * yPlane;
  const mem = k.scratch(xBase + paddedPlanesFloats(C, H, W, xH, xW));
  if (mem === null) return false;
  copyPaddedPlanes(k, mem, xBase, X, xOff, C, H, W, pt, pl, xH, xW);
  if (Wt instanceof Float32Array) mem.set(Wt.subarray(wOff, wOff + 9 * C), wBase);
  else for (let i = 0; i < 9 * C; i++) mem[wBase + i] = Wt[wOff + i];
  k.dw3x3(C, OH, owv, sh, sw, xBase * 4, xH, xW, wBase * 4, yBase * 4);
  const onWasm = epilogue !== null && epilogueOnWasm(epilogue) && epilogue.residual === null;
  if (onWasm) {
    // Bias and activation while the planes are in the kernels' memory: each channel's
    // plane is one contiguous "row" of OH·owv vectors, with that channel's bias.
    const bias = epilogue.bias;
    if (bias !== null) for (let c = 0; c < C; c++) mem[bBase + c] = bias[c];
    const mode = epilogueMode(epilogue);
    k.epilogue(yBase * 4, C, OH * owv, yPlane, bBase * 4, 0, bias !== null ? 1 : 0, mode, epilogueP0(epilogue), epilogueP1(epilogue));
  }
  if (epilogue !== null && !onWasm) {
    for (let c = 0; c < C; c++) {
      for (let oy = 0; oy < OH; oy++) finishRow(epilogue, c, mem, yBase + c * yPlane + oy * owv * 4, Y, yOff + (c * OH + oy) * OW, OW);
    }
    return true;
  }
  // Drop the padding columns of every row in place, then one memcpy out.
  if (OW !== owv * 4) k.compact(yBase * 4, C * OH, OW, owv * 4, yBase * 4);
  Y.set(mem.subarray(yBase, yBase + C * OH * OW), yOff);
  return true;
}
