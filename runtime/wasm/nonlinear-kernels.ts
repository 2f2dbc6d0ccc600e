// The float32 SIMD kernels built on exp (nonlinear.wat): softmax, a companion module
// over the main kernels' memory.

import { instantiateCompanion } from './companion-module.js';
import { NONLINEAR_WASM_BASE64 } from './nonlinear-wasm.js';

/** The exports of nonlinear.wat; byte pointers, as documented there. */
export interface NonlinearKernels {
  /** Softmax of `rows` contiguous rows of `n` floats from x into y (which may be x). */
  softmax(rows: number, n: number, x: number, y: number): void;
}

/** Instantiates nonlinear.wat over `memory`; null when it cannot be. */
export function instantiateNonlinear(memory: object): NonlinearKernels | null {
  const exp = instantiateCompanion(NONLINEAR_WASM_BASE64, memory);
  if (exp === null) return null;
  const k = exp as unknown as NonlinearKernels;
  return { softmax: k.softmax };
}
