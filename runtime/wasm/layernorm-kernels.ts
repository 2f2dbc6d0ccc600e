// LayerNormalization over the last axis in float32 SIMD (layernorm.wat), a
// companion module over the main kernels' memory.

import { instantiateCompanion } from './companion-module.js';
import { LAYERNORM_WASM_BASE64 } from './layernorm-wasm.js';

/** The exports of layernorm.wat; byte pointers, as documented there. */
export interface LayerNormKernels {
  /**
   * `rows` rows of `cols` floats (a multiple of 4): y = LayerNorm(x (+ r, flags bit 0))
   * · s (+ b, flags bit 1), statistics in float64.
   */
  layerNorm(rows: number, cols: number, x: number, r: number, s: number, b: number, y: number, eps: number, flags: number): void;
}

/** Instantiates layernorm.wat over `memory`; null when it cannot be. */
export function instantiateLayerNorm(memory: object): LayerNormKernels | null {
  const exp = instantiateCompanion(LAYERNORM_WASM_BASE64, memory);
  if (exp === null) return null;
  return { layerNorm: (exp as unknown as LayerNormKernels).layerNorm };
}
