// Runs one ONNX node through two generated modules, one on the WebAssembly SIMD
// kernels (the default) and one compiled with `kernels: 'js'`, so a test can hold
// both backends to the same reference in one go.

import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';
import { after } from 'node:test';
import { generateModule, loadProgramFromBytes } from '../../src/api.js';
import { graph, modelBytes, valueInfo, type AttrInput } from '../support/onnx-builder.js';
import type { PublicTensor } from '../support/run-module.js';
import type { DType } from '../../runtime/tensor/tensor.js';

export interface Feed { readonly type: DType; readonly dims: readonly number[]; readonly data: ArrayLike<number> }
export interface BackendRun { readonly backend: string; readonly outputs: PublicTensor[] }

const dir = join(tmpdir(), `mlcompile-wasm-tests-${process.pid}`);
after(() => rmSync(dir, { recursive: true, force: true }));

interface Loaded {
  run(feeds: Record<string, unknown>): Record<string, PublicTensor>;
  metadata: { backend: string };
}

export async function loadWithKernels(bytes: Uint8Array, kernels: 'auto' | 'js'): Promise<Loaded> {
  const compiled = await generateModule(loadProgramFromBytes(bytes, 'model.onnx'), { kernels });
  mkdirSync(dir, { recursive: true });
  const text = compiled.files['model.mjs'];
  const path = join(dir, `${createHash('sha256').update(text).digest('hex').slice(0, 16)}.mjs`);
  writeFileSync(path, text);
  return (await import(pathToFileURL(path).href)) as Loaded;
}

/** `[wasm run, js run]` of a one-node model whose inputs are all graph inputs (none null). */
export async function runOpOnBothBackends(
  opType: string, inputs: readonly Feed[], attrs: Record<string, AttrInput> = {}, opset = 21,
): Promise<[BackendRun, BackendRun]> {
  const names = inputs.map((_, i) => `in${i}`);
  const g = graph({
    nodes: [{ op: opType, inputs: names, outputs: ['out0'], attrs }],
    inputs: inputs.map((t, i) => valueInfo(names[i], t.type, t.dims)),
    outputs: [{ name: 'out0' }],
    initializers: {},
  });
  const bytes = modelBytes(g, { '': opset });
  const feeds = Object.fromEntries(inputs.map((t, i) => [names[i], { type: t.type, dims: t.dims, data: t.type === 'float64' ? Float64Array.from(t.data) : Float32Array.from(t.data) }]));
  const runs: BackendRun[] = [];
  for (const kernels of ['auto', 'js'] as const) {
    const mod = await loadWithKernels(bytes, kernels);
    runs.push({ backend: mod.metadata.backend, outputs: [mod.run(feeds).out0] });
  }
  return [runs[0], runs[1]];
}

/** Compiles a model with the passes on or off and the given kernels, and loads it. */
export async function loadModel(bytes: Uint8Array, opts: { optimize: boolean; kernels: 'auto' | 'js' }): Promise<Loaded> {
  const compiled = await generateModule(loadProgramFromBytes(bytes, 'model.onnx', { optimize: opts.optimize }), { kernels: opts.kernels });
  mkdirSync(dir, { recursive: true });
  const text = compiled.files['model.mjs'];
  const path = join(dir, `${createHash('sha256').update(text).digest('hex').slice(0, 16)}.mjs`);
  writeFileSync(path, text);
  return (await import(pathToFileURL(path).href)) as Loaded;
}
