// Copies channel planes into the kernels' memory with a zero border, so the SIMD
// loops (depthwise, im2col) read every tap without bounds checks.

/** Planes c < C of X (H×W each, from xOff) → mem[off + c·xH·xW] as xH×xW, shifted by (pt, pl), zeros elsewhere. */
export function copyPaddedPlanes(
  mem: Float32Array, off: number, X: ArrayLike<number>, xOff: number,
  C: number, H: number, W: number, pt: number, pl: number, xH: number, xW: number,
): void {
  const plane = xH * xW;
  if (X instanceof Float32Array && pt === 0 && pl === 0 && xH === H && xW === W) {
    mem.set(X.subarray(xOff, xOff + C * plane), off); // nothing to pad: one memcpy
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
