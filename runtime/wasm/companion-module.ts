// Instantiates a companion WebAssembly module: one that imports the main kernels'
// memory (`env.memory`) so its functions work on the same buffers as the main
// module's (kernels.wat). Companions keep each module under the 4 KB browsers
// compile synchronously. Anything that goes wrong (no WebAssembly, no SIMD, a host
// that refuses a synchronous compile) gives null, and the callers keep to the paths
// that do not need the companion.

import { decodeBase64 } from '../io/base64.js';

interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
}

/** The exports of the module in `base64`, instantiated over `memory`; null when it cannot be. */
export function instantiateCompanion(base64: string, memory: object): Record<string, unknown> | null {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (typeof wasm !== 'object' || wasm === null) return null;
  try {
    const bytes = decodeBase64(base64);
    if (!wasm.validate(bytes)) return null;
    return new wasm.Instance(new wasm.Module(bytes), { env: { memory } }).exports as Record<string, unknown>;
  } catch {
    return null;
  }
}
