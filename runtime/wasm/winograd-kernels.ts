// Loads the Winograd transforms (winograd.wat, embedded as base64 bytes) as a second
// WebAssembly module that imports the main kernels' memory, so the transforms write
// the operands of the main module's `sgemm` in place. A separate module keeps each
// under the 4 KB browsers compile synchronously. Anything that goes wrong here
// (no WebAssembly, a host that refuses a synchronous compile) leaves it null and the
// convolutions use the im2col path instead. MLCOMPILE_WINOGRAD=0 in the environment
// (Node) leaves it unloaded too, to compare the two paths.

import { instantiateCompanion } from './companion-module.js';
import { WINOGRAD_WASM_BASE64 } from './winograd-wasm.js';

/** The exports of winograd.wat; pointers and strides as documented there. */
export interface WinogradKernels {
  /** F(2×2, 3×3) input transform of zero-padded planes into the 16 B operands. */
  in2(x: number, ch: number, xH: number, xW: number, tH: number, tW: number, v: number, ldb: number, vs: number): void;
  /** F(2×2, 3×3) output transform of the 16 products into output planes. */
  out2(p: number, m: number, np: number, ps: number, tH: number, tW: number, y: number, ldy: number, oh: number): void;
  /** F(4×4, 3×3) input transform into the 36 B operands (`tmp`: 576 bytes of scratch). */
  in4(x: number, ch: number, xH: number, xW: number, tH: number, tW: number, v: number, ldb: number, vs: number, tmp: number): void;
  /** F(4×4, 3×3) output transform of the 36 products (`tmp`: 640 bytes of scratch). */
  out4(p: number, m: number, np: number, ps: number, tH: number, tW: number, y: number, ldy: number, oh: number, tmp: number): void;
  /** 1 when the n floats at byte offset p are all finite, else 0. */
  finite(p: number, n: number): number;
}

/** Instantiates winograd.wat over `memory` (the main kernels' WebAssembly.Memory); null when it cannot. */
export function instantiateWinograd(memory: object): WinogradKernels | null {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  if (env?.MLCOMPILE_WINOGRAD === '0') return null;
  const exp = instantiateCompanion(WINOGRAD_WASM_BASE64, memory);
  if (exp === null) return null;
  const k = exp as unknown as WinogradKernels;
  return { in2: k.in2, out2: k.out2, in4: k.in4, out4: k.out4, finite: k.finite };
}
