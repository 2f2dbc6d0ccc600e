// The recurrent cells of recurrent.wat (LSTM and GRU gate arithmetic in float32
// SIMD), a companion module over the main kernels' memory.

import { instantiateCompanion } from './companion-module.js';
import { RECURRENT_WASM_BASE64 } from './recurrent-wasm.js';

/** The exports of recurrent.wat; byte pointers, `n` units, as documented there. */
export interface RecurrentKernels {
  lstmCell(n: number, g: number, x: number, c: number, h: number): void;
  gruCell(n: number, g: number, x: number, rbh: number, h: number): void;
  gruGates(n: number, g: number, x: number, h: number, z: number, rh: number): void;
  gruUpdate(n: number, g: number, x: number, z: number, h: number): void;
}

/** Instantiates recurrent.wat over `memory`; null when it cannot be. */
export function instantiateRecurrent(memory: object): RecurrentKernels | null {
  const exp = instantiateCompanion(RECURRENT_WASM_BASE64, memory);
  if (exp === null) return null;
  const k = exp as unknown as RecurrentKernels;
  return { lstmCell: k.lstmCell, gruCell: k.gruCell, gruGates: k.gruGates, gruUpdate: k.gruUpdate };
}
