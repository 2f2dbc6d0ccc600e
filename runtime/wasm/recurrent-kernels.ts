// The LSTM and GRU time loops (recurrent.wat): a companion module over the main
// kernels' memory whose one call runs every step of one batch row of one direction.

import { instantiateCompanion } from './companion-module.js';
import { RECURRENT_WASM_BASE64 } from './recurrent-wasm.js';

/** The exports of recurrent.wat; byte pointers and strides, as documented there (k: the constants). */
export interface RecurrentKernels {
  lstm(n: number, kp: number, np: number, steps: number, w: number, x: number, xStep: number, c: number, h: number, hStep: number, g: number, k: number): void;
  /** GRU with linear_before_reset = 1. */
  gru1(n: number, kp: number, np: number, steps: number, w: number, x: number, xStep: number, rbh: number, h: number, hStep: number, g: number, k: number): void;
  /** GRU with linear_before_reset = 0. */
  gru0(
    n: number, kp: number, np0: number, np1: number, steps: number, w0: number, w1: number, x: number, xStep: number,
    h: number, hStep: number, g0: number, g1: number, z: number, rh: number, k: number,
  ): void;
}

/** Instantiates recurrent.wat over `memory`; null when it cannot be. */
export function instantiateRecurrent(memory: object): RecurrentKernels | null {
  const exp = instantiateCompanion(RECURRENT_WASM_BASE64, memory);
  if (exp === null) return null;
  const k = exp as unknown as RecurrentKernels;
  return { lstm: k.lstm, gru1: k.gru1, gru0: k.gru0 };
}
