// Test helpers for passes and kernels: run an IR program's top-level statements with
// the runtime kernels (as the constant folder does), without bundling a module per
// case, and the seeded data the kernel and pass tests share.

import assert from 'node:assert/strict';
import { invoke } from '../../runtime/tensor/invoke.js';
import { NodeCtx, type Tensor } from '../../runtime/tensor/tensor.js';
import { kernelBackend, setKernelBackend, type KernelBackend } from '../../runtime/wasm/kernels.js';
import type { Program } from '../../src/ir/program.js';
import { lookupPrimitive } from '../../src/primitives/registry.js';

/** n values in [-1, 1) from a 32-bit LCG: the same numbers for the same seed on every run. */
export function lcgFloats(n: number, seed: number): number[] {
  let s = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out.push(s / 2 ** 31 - 1);
  }
  return out;
}

/** The primitives a program calls, in order. */
export function callPrims(p: Program): string[] {
  return p.body.flatMap((s) => (s.kind === 'let' && s.expr.kind === 'call' ? [s.expr.prim] : []));
}

/**
 * The program's outputs, computed statement by statement with the runtime kernels on
 * `backend` (the current one when not given). Output buffers are fresh per call.
 */
export function evaluateProgram(p: Program, feeds: Record<string, Tensor>, backend?: 'wasm-simd' | 'js'): Tensor[] {
  const env = new Map<number, Tensor>();
  for (const i of p.inputs) env.set(i.value, feeds[i.name]);
  const previous = backend === undefined ? undefined : setKernelBackend(backend);
  try {
    for (const s of p.body) {
      if (s.kind !== 'let') throw new Error(`unexpected ${s.kind}`);
      if (s.expr.kind === 'const') { env.set(s.results[0], p.constants[s.expr.id].value as Tensor); continue; }
      if (s.expr.kind === 'value') { env.set(s.results[0], env.get(s.expr.id) as Tensor); continue; }
      const prim = lookupPrimitive(s.expr.prim);
      assert.ok(prim, s.expr.prim);
      const args = s.expr.args.map((a) => (a === null ? undefined : env.get(a)));
      const out = invoke(prim.kernel as never, new NodeCtx(s.origin ?? s.expr.prim, true), args, s.expr.attrs as never);
      s.results.forEach((r, k) => env.set(r, out[k]));
    }
  } finally {
    if (previous !== undefined) setKernelBackend(previous);
  }
  return p.outputs.map((o) => env.get(o.value) as Tensor);
}

/** Runs `f` with the kernels on `backend` (checked to be in force), then puts the previous backend back. */
export function withKernelBackend<T>(backend: KernelBackend, f: () => T): T {
  const previous = setKernelBackend(backend);
  try {
    assert.equal(kernelBackend(), backend);
    return f();
  } finally {
    setKernelBackend(previous);
  }
}
