// Loads the WebAssembly SIMD kernels (kernels.wat, embedded as base64 bytes) and
// owns their one linear memory. Kernels in runtime/tensor ask `wasmKernels()` for
// the instance and fall back to their JavaScript loops when it returns null.
//
// Loading: the module is instantiated when this file is first evaluated, i.e. at
// the generated module's load time. It is under 4 KB (as are its companions,
// winograd.wat, nonlinear.wat, recurrent.wat..., which import its memory), the size browsers
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
import { instantiateLayerNorm, type LayerNormKernels } from './layernorm-kernels.js';
import { instantiateNonlinear, type NonlinearKernels } from './nonlinear-kernels.js';
import { instantiatePack, type PackKernels } from './pack-kernels.js';
import { instantiatePool, type PoolKernels } from './pool-kernels.js';
import { instantiateRecurrent, type RecurrentKernels } from './recurrent-kernels.js';
import { instantiateWinograd, type WinogradKernels } from './winograd-kernels.js';

export type KernelBackend = 'wasm-simd' | 'js';

export interface WasmKernels {
  /**
   * SGEMM, A packed, B row-major (ldb in floats), sums scaled by alpha, with an
   * optional fused epilogue per tile (flags bit 2; bias, res, flags, mode, p0, p1 as
   * for `epilogue`; bit 3: res is one row added to every row); see kernels.wat.
   * Pointers are byte offsets.
   */
  sgemm(
    mp: number, np: number, k: number, kc: number, pa: number, b: number, ldb: number, c: number,
    bias: number, res: number, flags: number, mode: number, p0: number, p1: number, alpha: number,
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
   * GEMV: y = act(alpha · W·x (+ b)) for `np` outputs (a multiple of 8) over `kp` inputs
   * (a multiple of 4), W packed by `packForGemv` (runtime/wasm/gemv-wasm.ts); see kernels.wat.
   */
  gemv(np: number, kp: number, w: number, x: number, y: number, b: number, flags: number, alpha: number, mode: number, p0: number, p1: number): void;
  /**
   * A float32 view of the memory holding at least `floats` floats, grown when
   * needed; null when the memory cannot grow that far (the caller then uses its
   * JavaScript loop). Views are invalidated by growth: take a fresh one per call.
   * The scratch floats are [0, floats); the resident blocks live above them.
   */
  scratch(floats: number): Float32Array | null;
  /** Winograd transforms (winograd.wat) over this memory; null or absent when that module did not load. */
  readonly winograd?: WinogradKernels | null;
  /** Softmax (nonlinear.wat) over this memory; null or absent when that module did not load. */
  readonly nonlinear?: NonlinearKernels | null;
  /** LayerNormalization (layernorm.wat) over this memory; null or absent when that module did not load. */
  readonly layerNorm?: LayerNormKernels | null;
  /** SGEMM operand packing (pack.wat) over this memory; null or absent when that module did not load. */
  readonly pack?: PackKernels | null;
  /** LSTM/GRU time loops (recurrent.wat) over this memory; null or absent when that module did not load. */
  readonly recurrent?: RecurrentKernels | null;
  /** MaxPool 2×2 stride 2 (pool.wat) over this memory; null or absent when that module did not load. */
  readonly pool?: PoolKernels | null;
  /**
   * Reserves `floats` floats that stay for the module's lifetime (e.g. constant
   * weights packed once, which then need no copy per call): returns their offset
   * relative to `residentBase()`, or null when the memory cannot grow. The caller
   * fills the block through a fresh view. Views from earlier calls are invalidated.
   */
  reserve(floats: number): number | null;
  /**
   * Float offset of the resident blocks. They move up (contents kept) when a
   * scratch request needs the room, so read this after the call's `scratch()`.
   */
  residentBase(): number;
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
  gemv: WasmKernels['gemv'];
}

const PAGE = 65536;
/** Largest working set the kernels take on (2 GB, half of wasm32's 4 GB address space). */
const MAX_BYTES = 2 ** 31;
/** Largest total of resident blocks (weights kept in the kernels' memory). */
const RESIDENT_MAX_BYTES = 2 ** 30;

let instance: WasmKernels | null = null;
let forcedJs = envDisablesWasm();
let readyResolve: () => void = () => undefined;

/** Resolves once loading has settled (WebAssembly ready, or the JavaScript fallback chosen). */
export const kernelsReady: Promise<void> = new Promise((resolve) => { readyResolve = resolve; });

function envDisablesWasm(): boolean {
  const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
  return env?.MLCOMPILE_WASM === '0';
}

/**
 * Memory layout: [0, residentStart) is scratch, whose contents matter only during
 * one kernel call; [residentStart, residentStart + residentSize) holds the resident
 * blocks, addressed relative to residentStart. A scratch request that reaches into
 * the resident blocks moves them up (one copy, with some headroom so that a first
 * call whose layers grow one by one moves them a few times at most); their users
 * re-read residentBase() per call.
 */
function wrap(exp: KernelExports): WasmKernels {
  const memory = exp.memory;
  let view = new Float32Array(memory.buffer);
  let residentStart = 0; // bytes, 64-byte aligned
  let residentSize = 0; // bytes

  function ensureBytes(bytes: number): boolean {
    if (bytes > MAX_BYTES + RESIDENT_MAX_BYTES) return false;
    if (memory.buffer.byteLength < bytes) {
      try {
        memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / PAGE));
      } catch {
        return false; // the host refused the memory: JavaScript kernels instead
      }
    }
    if (view.buffer !== memory.buffer) view = new Float32Array(memory.buffer);
    return true;
  }

  return {
    sgemm: exp.sgemm,
    dw3x3: exp.dw3x3,
    im2col: exp.im2col,
    epilogue: exp.epilogue,
    pad: exp.pad,
    compact: exp.compact,
    winograd: instantiateWinograd(memory),
    nonlinear: instantiateNonlinear(memory),
    layerNorm: instantiateLayerNorm(memory),
    pack: instantiatePack(memory),
    recurrent: instantiateRecurrent(memory),
    pool: instantiatePool(memory),
    gemv: exp.gemv,
    scratch(floats: number): Float32Array | null {
      const bytes = floats * 4;
      if (bytes > MAX_BYTES) return null;
      if (bytes > residentStart) {
        if (residentSize === 0) {
          residentStart = align64(bytes);
        } else {
          const start = align64(bytes + (bytes >> 3));
          if (!ensureBytes(start + residentSize)) return null;
          view.copyWithin(start >> 2, residentStart >> 2, (residentStart + residentSize) >> 2);
          residentStart = start;
        }
      }
      return ensureBytes(bytes) ? view : null;
    },
    reserve(floats: number): number | null {
      const size = align64(floats * 4);
      if (residentSize + size > RESIDENT_MAX_BYTES) return null;
      if (!ensureBytes(residentStart + residentSize + size)) return null;
      const rel = residentSize;
      residentSize += size;
      return rel >> 2;
    },
    residentBase(): number {
      return residentStart >> 2;
    },
  };
}

function align64(bytes: number): number {
  return Math.ceil(bytes / 64) * 64;
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
