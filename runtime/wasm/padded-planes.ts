// Copies channel planes into the kernels' memory with a zero border, so the SIMD
// loops (depthwise, im2col) read every tap without bounds checks. A float32 input
// goes in with one memcpy to a staging area and the kernels' `pad` lays the rows
// out (no JavaScript call or subarray per row).

import type { WasmKernels } from './kernels.js';

/** Floats of memory copyPaddedPlanes uses at `off`: the padded planes plus the staging area. */
export function paddedPlanesFloats(C: number, H: number, W: number, xH: number, xW: number): number {
  return C * xH * xW + C * H * W;
}

/**
 * Planes c < C of X (H×W each, from xOff) → mem[off + c·xH·xW] as xH×xW, shifted by
 * (pt, pl), zeros elsewhere. Uses paddedPlanesFloats(...) floats of `mem` from `off`.
 */
export function copyPaddedPlanes(
  k: WasmKernels, mem: Float32Array, off: number, X: ArrayLike<number>, xOff: number,
  C: number, H: number, W: number, pt: number, pl: number, xH: number, xW: number,
): void {
  const plane = xH * xW;
  if (X instanceof Float32Array && pt === 0 && pl === 0 && xH === H && xW === W) {
    mem.set(X.subarray(xOff, xOff + C * plane), off); // nothing to pad: one memcpy
    return;
  }
  if (X instanceof Float32Array) {
    const staging = off + C * plane;
    mem.set(X.subarray(xOff, xOff + C * H * W), staging);
    k.pad(staging * 4, C, H, W, off * 4, xH, xW, pt, pl);
    return;
  }
  mem.fill(0, off, off + C * plane);
  for (let c = 0; c < C; c++) {
    for (let iy = 0; iy < H; iy++) {
      const src = xOff + (c * H + iy) * W, dst = off + c * plane + (iy + pt) * xW + pl;
      if (X instanceof Float32Array) mem.set(X.subarray(src, src + W), dst);
      else for (let ix = 0; ix < W; ix++) mem[dst + ix] = X[src + ix];
    }
  }
}
