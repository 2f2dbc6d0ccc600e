// The float32 SIMD kernels built on exp and tanh (nonlinear.wat): the LSTM and GRU
// cells and softmax, a companion module over the main kernels' memory.

import { instantiateCompanion } from './companion-module.js';
import { NONLINEAR_WASM_BASE64 } from './nonlinear-wasm.js';

/** The exports of nonlinear.wat; byte pointers, as documented there. */
export interface NonlinearKernels {
  lstmCell(n: number, g: number, x: number, c: number, h: number): void;
  gruCell(n: number, g: number, x: number, rbh: number, h: number): void;
  gruGates(n: number, g: number, x: number, h: number, z: number, rh: number): void;
  gruUpdate(n: number, g: number, x: number, z: number, h: number): void;
  /** Softmax of `rows` contiguous rows of `n` floats from x into y (which may be x). */
  softmax(rows: number, n: number, x: number, y: number): void;
}

/** Instantiates nonlinear.wat over `memory`; null when it cannot be. */
export function instantiateNonlinear(memory: object): NonlinearKernels | null {
  const exp = instantiateCompanion(NONLINEAR_WASM_BASE64, memory);
  if (exp === null) return null;
  const k = exp as unknown as NonlinearKernels;
  return { lstmCell: k.lstmCell, gruCell: k.gruCell, gruGates: k.gruGates, gruUpdate: k.gruUpdate, softmax: k.softmax };
}
