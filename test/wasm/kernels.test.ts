// The WebAssembly SIMD kernels called directly: SGEMM against a float64 reference
// over ragged shapes, strides, alpha and accumulation; depthwise 3×3 against the
// JavaScript convolution; the backend switch; and the fallback where WebAssembly
// is missing (a generated module evaluated in a context without it).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createContext, runInContext } from 'node:vm';
import { gemm } from '../../runtime/tensor/gemm.js';
import { conv } from '../../runtime/tensor/conv.js';
import { NodeCtx, type Tensor } from '../../runtime/tensor/tensor.js';
import { sgemmWasm } from '../../runtime/wasm/gemm-wasm.js';
import { kernelBackend, kernelsReady, setKernelBackend, wasmKernels } from '../../runtime/wasm/kernels.js';
import { generateModule, loadProgramFromBytes } from '../../src/api.js';
import { graph, modelBytes, valueInfo } from '../support/onnx-builder.js';
import { lcgFloats } from '../support/ir-eval.js';

const rand = (n: number, seed: number): Float32Array => Float32Array.from(lcgFloats(n, seed));

/** |got − want| ≤ tol·(1 + Σ|a·b|): float32 accumulation error is bounded by the absolute sum. */
function assertGemmClose(got: Float32Array, want: Float64Array, scale: Float64Array, what: string): void {
  for (let i = 0; i < want.length; i++) {
    const tol = 1e-6 * (1 + scale[i]) * 8;
    assert.ok(Math.abs(got[i] - want[i]) <= tol, `${what}: element ${i} got ${got[i]} want ${want[i]}`);
  }
}

test('the SIMD kernels load here (Node 20 has WebAssembly SIMD) and the backend switch works', async () => {
  await kernelsReady;
  assert.notEqual(wasmKernels(), null);
  assert.equal(kernelBackend(), 'wasm-simd');
  assert.equal(setKernelBackend('js'), 'wasm-simd');
  assert.equal(kernelBackend(), 'js');
  assert.equal(wasmKernels(), null);
  assert.equal(setKernelBackend('wasm-simd'), 'js');
  assert.equal(kernelBackend(), 'wasm-simd');
});

test('SIMD SGEMM matches a float64 reference: ragged tiles, K slices, strides, alpha, accumulate', () => {
  const k = wasmKernels();
  assert.ok(k);
  const shapes = [[1, 1, 1], [3, 5, 2], [4, 8, 256], [5, 9, 257], [17, 33, 600], [64, 7, 31], [2, 70, 513]];
  let seed = 1;
  for (const [M, N, K] of shapes) {
    for (const [transA, transB, alpha, accumulate] of [[false, false, 1, false], [true, true, 0.5, true], [false, true, -2, false], [true, false, 1, true]] as const) {
      const A = rand(M * K, seed++), B = rand(K * N, seed++);
      const ldc = N + 3, cOff = 2; // C is a window of a wider buffer: the margins must stay untouched
      const C = rand(cOff + M * ldc, seed++);
      const before = C.slice();
      const [aRs, aCs] = transA ? [1, M] : [K, 1];
      const [bRs, bCs] = transB ? [1, K] : [N, 1];
      assert.ok(sgemmWasm(k, M, N, K, A, 0, aRs, aCs, B, 0, bRs, bCs, C, cOff, ldc, alpha, accumulate));
      const got = new Float32Array(M * N), want = new Float64Array(M * N), scale = new Float64Array(M * N);
      for (let i = 0; i < M; i++) {
        for (let j = 0; j < N; j++) {
          let s = 0, a = 0;
          for (let p = 0; p < K; p++) { const t = A[i * aRs + p * aCs] * B[p * bRs + j * bCs]; s += t; a += Math.abs(t); }
          const o = cOff + i * ldc + j;
          want[i * N + j] = alpha * s + (accumulate ? before[o] : 0);
          scale[i * N + j] = Math.abs(alpha) * a + Math.abs(before[o]);
          got[i * N + j] = C[o];
          before[o] = C[o];
        }
      }
      assertGemmClose(got, want, scale, `M=${M} N=${N} K=${K} transA=${transA} transB=${transB}`);
      assert.deepEqual(C, before, 'nothing outside the M×N window is written');
    }
  }
});

test('gemm() takes the SIMD path for float32 and agrees with the JavaScript core', () => {
  const M = 37, N = 45, K = 300;
  const A = rand(M * K, 7), B = rand(K * N, 8);
  const run = (backend: 'wasm-simd' | 'js'): Float32Array => {
    const prev = setKernelBackend(backend);
    const C = new Float32Array(M * N);
    gemm(M, N, K, A, 0, K, 1, B, 0, N, 1, C, 0, N);
    setKernelBackend(prev);
    return C;
  };
  const simd = run('wasm-simd'), js = run('js');
  for (let i = 0; i < simd.length; i++) assert.ok(Math.abs(simd[i] - js[i]) <= 1e-4, `element ${i}: ${simd[i]} vs ${js[i]}`);
});

test('depthwise 3×3 on the SIMD kernel equals the JavaScript loops (strides 1 and 2, asymmetric pads, batch)', () => {
  const cases = [
    { xd: [2, 5, 7, 9], strides: [1, 1], pads: [1, 1, 1, 1] },
    { xd: [1, 6, 15, 14], strides: [2, 2], pads: [0, 1, 1, 0] },
    { xd: [1, 3, 3, 2], strides: [1, 2], pads: [1, 1, 1, 1] },
    { xd: [1, 16, 28, 28], strides: [2, 2], pads: [1, 1, 1, 1] },
  ];
  for (const [i, c] of cases.entries()) {
    const C = c.xd[1];
    const x: Tensor = { type: 'float32', dims: c.xd, data: rand(c.xd.reduce((a, b) => a * b), 100 + i) };
    const w: Tensor = { type: 'float32', dims: [C, 1, 3, 3], data: rand(9 * C, 200 + i) };
    const attrs = { autoPad: 'NOTSET' as const, dilations: [], group: C, kernelShape: [], pads: c.pads, strides: c.strides };
    const out = (backend: 'wasm-simd' | 'js'): Float32Array => {
      const prev = setKernelBackend(backend);
      const [y] = conv(new NodeCtx('dw'), [x, w], attrs);
      setKernelBackend(prev);
      return y.data as Float32Array;
    };
    const simd = out('wasm-simd'), js = out('js');
    assert.equal(simd.length, js.length);
    for (let j = 0; j < js.length; j++) assert.ok(Math.abs(simd[j] - js[j]) <= 1e-5, `case ${i} element ${j}: ${simd[j]} vs ${js[j]}`);
  }
});

test('a generated module reports wasm-simd, and falls back to js where WebAssembly is missing', async () => {
  const g = graph({
    nodes: [{ op: 'MatMul', inputs: ['a', 'b'], outputs: ['y'] }],
    inputs: [valueInfo('a', 'float32', [20, 30]), valueInfo('b', 'float32', [30, 40])],
    outputs: [{ name: 'y' }],
  });
  const compiled = await generateModule(loadProgramFromBytes(modelBytes(g), 'm.onnx'));
  const a = rand(600, 1), b = rand(1200, 2);
  const results: Record<string, Float32Array> = {};
  for (const withWasm of [true, false]) {
    const sandbox: Record<string, unknown> = { module: { exports: {} } };
    const ctx = createContext(sandbox); // a fresh global: no require, no process; its own WebAssembly
    if (!withWasm) runInContext('globalThis.WebAssembly = undefined;', ctx);
    runInContext(`(function (module, exports) {${compiled.files['model.cjs']}\n})(module, module.exports);`, ctx, { timeout: 30_000 });
    const mod = (sandbox.module as { exports: { metadata: { backend: string }; run(f: unknown): { y: { data: Float32Array } } } }).exports;
    assert.equal(mod.metadata.backend, withWasm ? 'wasm-simd' : 'js');
    results[String(withWasm)] = mod.run({ a: { type: 'float32', dims: [20, 30], data: a }, b: { type: 'float32', dims: [30, 40], data: b } }).y.data;
  }
  for (let i = 0; i < 800; i++) assert.ok(Math.abs(results.true[i] - results.false[i]) <= 1e-4);
});
