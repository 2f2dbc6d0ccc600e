// Operand packing for the SGEMM kernel in SIMD (pack.wat), a companion module over
// the main kernels' memory.

import { instantiateCompanion } from './companion-module.js';
import { PACK_WASM_BASE64 } from './pack-wasm.js';

/** The exports of pack.wat; pointers are byte offsets, strides and counts floats. */
export interface PackKernels {
  /** A (m×k, rows lda floats apart, contiguous along k) into the `sgemm` kernel's packed layout at dst. */
  packA(a: number, lda: number, m: number, k: number, kcMax: number, dst: number): void;
  /** dst[i·ldd + j] = src[i·rs + j·cs] for i < rows, j < cols. */
  gather(src: number, rows: number, cols: number, rs: number, cs: number, dst: number, ldd: number): void;
}

/** Instantiates pack.wat over `memory`; null when it cannot be. */
export function instantiatePack(memory: object): PackKernels | null {
  const exp = instantiateCompanion(PACK_WASM_BASE64, memory);
  if (exp === null) return null;
  const k = exp as unknown as PackKernels;
  return { packA: k.packA, gather: k.gather };
}
