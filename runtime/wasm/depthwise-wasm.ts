// Depthwise 3×3 convolution (one filter per channel, dilation 1, column stride
// 1 or 2) on the WebAssembly kernels. The input planes are copied into the
// kernels' memory with their zero padding already in place, and wide enough that
// the last (partial) group of four output columns reads only zeros past the
// edge: the SIMD loop then needs no bounds checks at all. One call covers every
// channel of an image.

import type { WasmKernels } from './kernels.js';
import { copyPaddedPlanes } from './padded-planes.js';

export interface Depthwise3x3 {
  C: number; H: number; W: number; OH: number; OW: number;
  sh: number; sw: number; pt: number; pl: number;
}

/** Y[c] = X[c] ⊛ Wt[c] for the C channels of one image; false (nothing done) when memory is short. */
export function depthwise3x3Wasm(
  k: WasmKernels, g: Depthwise3x3,
  X: Float32Array, xOff: number, Wt: ArrayLike<number>, wOff: number, Y: Float32Array, yOff: number,
): boolean {
  const { C, H, W, OH, OW, sh, sw, pt, pl } = g;
  const owv = (OW + 3) >> 2;
  const xW = Math.max(W + pl, owv * 4 * sw + 2);
  const xH = Math.max(H + pt, (OH - 1) * sh + 3);
  const plane = xH * xW, yPlane = OH * owv * 4;
  const wBase = C * plane, yBase = wBase + 9 * C;
  const mem = k.scratch(yBase + C * yPlane);
  if (mem === null) return false;
  copyPaddedPlanes(mem, 0, X, xOff, C, H, W, pt, pl, xH, xW);
  for (let i = 0; i < 9 * C; i++) mem[wBase + i] = Wt[wOff + i];
  k.dw3x3(C, OH, owv, sh, sw, 0, xH, xW, wBase * 4, yBase * 4);
  for (let c = 0; c < C; c++) {
    for (let oy = 0; oy < OH; oy++) {
      const src = yBase + c * yPlane + oy * owv * 4;
      Y.set(mem.subarray(src, src + OW), yOff + (c * OH + oy) * OW);
    }
  }
  return true;
}
