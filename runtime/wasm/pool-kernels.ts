// MaxPool 2×2 stride 2 in float32 SIMD (pool.wat), a companion module over the main
// kernels' memory.

import { instantiateCompanion } from './companion-module.js';
import { POOL_WASM_BASE64 } from './pool-wasm.js';

/** The exports of pool.wat; byte pointers, as documented there. */
export interface PoolKernels {
  /** `planes` planes of inH × inW floats at x into outH × outW at y: the max of each 2×2 window at stride 2 (all inside). */
  maxPool2x2(planes: number, inH: number, inW: number, outH: number, outW: number, x: number, y: number): void;
}

/** Instantiates pool.wat over `memory`; null when it cannot be. */
export function instantiatePool(memory: object): PoolKernels | null {
  const exp = instantiateCompanion(POOL_WASM_BASE64, memory);
  if (exp === null) return null;
  return { maxPool2x2: (exp as unknown as PoolKernels).maxPool2x2 };
}
