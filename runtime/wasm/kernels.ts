// Loads the WebAssembly SIMD kernels (kernels.wat, embedded as base64 bytes) and
// owns their one linear memory. Kernels in runtime/tensor ask `wasmKernels()` for
// the instance and fall back to their JavaScript loops when it returns null.
//
// Loading: the module is instantiated when this file is first evaluated, i.e. at
// the generated module's load time. It is 2.6 KB, under the 4 KB that browsers
// allow to compile synchronously on the main thread, so `new WebAssembly.Module`
// normally succeeds everywhere. Should a host still refuse a synchronous compile
// (it throws a RangeError), compilation continues asynchronously and the
// JavaScript kernels serve every call until it completes; `kernelsReady` resolves
// then. Where WebAssembly or its SIMD proposal is missing, `WebAssembly.validate`
// of the bytes is false and the backend stays "js" for good.
//
// MLCOMPILE_WASM=0 in the environment (Node) or `setKernelBackend('js')` forces
// the JavaScript kernels, for testing and for comparing the two.

import { decodeBase64 } from '../io/base64.js';
import { KERNELS_WASM_BASE64 } from './kernels-wasm.js';

export type KernelBackend = 'wasm-simd' | 'js';

export interface WasmKernels {
  /**
   * SGEMM, A packed, B row-major (ldb in floats), with an optional fused epilogue per
   * tile (flags bit 2; bias, res, flags, mode, p0, p1 as for `epilogue`); see
   * kernels.wat. Pointers are byte offsets.
   */
  sgemm(
    mp: number, np: number, k: number, kc: number, pa: number, b: number, ldb: number, c: number,
    bias: number, res: number, flags: number, mode: number, p0: number, p1: number,
  ): void;
  /** im2col of a 2-D convolution over zero-padded planes; see kernels.wat. */
  im2col(
    x: number, c: number, xH: number, xW: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number,
    oy0: number, rows: number, ow: number, col: number, ld: number,
  ): void;
  /** Depthwise 3×3 convolution over zero-padded planes; see kernels.wat. */
  dw3x3(ch: number, oh: number, owv: number, sh: number, sw: number, x: number, xH: number, xW: number, w: number, y: number): void;
  /** Fused-convolution epilogue in place (bias, residual, clamp or leaky relu); see kernels.wat. */
  epilogue(c: number, rows: number, n4: number, ld: number, bias: number, res: number, flags: number, mode: number, p0: number, p1: number): void;
  /** Gathers strided rows into one contiguous block (in place allowed); see kernels.wat. */
  compact(src: number, rows: number, n: number, ld: number, dst: number): void;
  /** Zero-bordered copy of channel planes; see kernels.wat. */
  pad(src: number, ch: number, h: number, w: number, dst: number, xH: number, xW: number, pt: number, pl: number): void;
  /**
   * A float32 view of the memory holding at least `floats` floats, grown when
   * needed; null when the memory cannot grow that far (the caller then uses its
   * JavaScript loop). Views are invalidated by growth: take a fresh one per call.
   */
  scratch(floats: number): Float32Array | null;
}

/**
 * The part of the WebAssembly JS API used here, declared locally: the project's
 * TypeScript libs (ES2022 + Node types) do not declare it, and the runtime must not
 * assume it exists (it is looked up on globalThis at load time).
 */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: unknown };
  instantiate(bytes: Uint8Array, imports: object): Promise<{ instance: { exports: unknown } }>;
}
interface WasmMemory { readonly buffer: ArrayBuffer; grow(pages: number): number }

interface KernelExports {
  memory: WasmMemory;
  sgemm: WasmKernels['sgemm'];
  dw3x3: WasmKernels['dw3x3'];
  im2col: WasmKernels['im2col'];
  epilogue: WasmKernels['epilogue'];
  pad: WasmKernels['pad'];
  compact: WasmKernels['compact'];
}

const PAGE = 65536;
/** Largest working set the kernels take on (2 GB, half of wasm32's 4 GB address space). */
const MAX_BYTES = 2 ** 31;

let instance: WasmKernels | null = null;
let forcedJs = envDisablesWasm();
let readyResolve: () => void = () => undefined;

/** Resolves once loading has settled (WebAssembly ready, or the JavaScript fallback chosen). */
export const kernelsReady: Promise<void> = new Promise((resolve) => { readyResolve = resolve; });

function envDisablesWasm(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.MLCOMPILE_WASM === '0';
}

function wrap(exp: KernelExports): WasmKernels {
  const memory = exp.memory;
  let view = new Float32Array(memory.buffer);
  return {
    sgemm: exp.sgemm,
    dw3x3: exp.dw3x3,
    im2col: exp.im2col,
    epilogue: exp.epilogue,
    pad: exp.pad,
    compact: exp.compact,
    scratch(floats: number): Float32Array | null {
      const bytes = floats * 4;
      if (bytes > MAX_BYTES) return null;
      if (memory.buffer.byteLength < bytes) {
        try {
          memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
        } catch {
          return null; // the host refused the memory: JavaScript kernels instead
        }
      }
      if (view.buffer !== memory.buffer) view = new Float32Array(memory.buffer);
      return view;
    },
  };
}

function load(): void {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (typeof wasm !== 'object' || wasm === null) { readyResolve(); return; }
  let bytes: Uint8Array;
  try {
    bytes = decodeBase64(KERNELS_WASM_BASE64);
    if (!wasm.validate(bytes)) { readyResolve(); return; } // no SIMD here
  } catch {
    readyResolve();
    return;
  }
  try {
    const mod = new wasm.Module(bytes);
    instance = wrap(new wasm.Instance(mod, {}).exports as KernelExports);
    readyResolve();
  } catch {
    // A host that forbids synchronous compilation: finish asynchronously, JS meanwhile.
    wasm.instantiate(bytes, {})
      .then((r) => { instance = wrap(r.instance.exports as KernelExports); })
      .catch(() => undefined)
      .finally(() => readyResolve());
  }
}

load();

/** The WebAssembly kernels, or null when the JavaScript kernels must be used. */
export function wasmKernels(): WasmKernels | null {
  return forcedJs ? null : instance;
}

/** Which kernels calls use right now (reported as `metadata.backend`). */
export function kernelBackend(): KernelBackend {
  return wasmKernels() === null ? 'js' : 'wasm-simd';
}

/**
 * Chooses the backend for later calls: 'js' forces the JavaScript kernels;
 * 'wasm-simd' re-enables WebAssembly where it loaded. Returns the previous choice.
 */
export function setKernelBackend(backend: KernelBackend): KernelBackend {
  const previous = kernelBackend();
  forcedJs = backend === 'js';
  return previous;
}
