// Convolutions with constant weights keep their packed filters resident in the
// WebAssembly kernels' memory (packed at the first call, runtime/wasm/resident.ts).
// Later calls must read the same filters even when a larger product in between has
// grown the scratch area and moved the resident blocks up; and the results must
// match the JavaScript backend on every call.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { graph, modelBytes, valueInfo } from '../support/onnx-builder.js';
import { lcgFloats } from '../support/ir-eval.js';
import { loadModel } from './run-both.js';

const f32 = (n: number, seed: number, scale = 1): Float32Array => Float32Array.from(lcgFloats(n, seed).map((v) => v * scale));

/** Pointwise Conv + Clip(0, 6), depthwise 3×3 + Relu, 3×3 stride-2 Conv: MobileNet's three SIMD paths. */
function model(C: number, M: number): Uint8Array {
  const g = graph({
    nodes: [
      { op: 'Conv', inputs: ['X', 'W1', 'B1'], outputs: ['a'] },
      { op: 'Clip', inputs: ['a', 'lo', 'hi'], outputs: ['b'] },
      { op: 'Conv', inputs: ['b', 'W2'], outputs: ['c'], attrs: { group: M, pads: [1, 1, 1, 1] } },
      { op: 'Relu', inputs: ['c'], outputs: ['d'] },
      { op: 'Conv', inputs: ['d', 'W3', 'B3'], outputs: ['y'], attrs: { strides: [2, 2], pads: [1, 0, 1, 1] } },
    ],
    inputs: [valueInfo('X', 'float32', [1, C, 'H', 'W'])],
    outputs: [{ name: 'y' }],
    initializers: {
      W1: { type: 'float32', dims: [M, C, 1, 1], data: f32(M * C, 1, 0.5) },
      B1: { type: 'float32', dims: [M], data: f32(M, 2) },
      lo: { type: 'float32', dims: [], data: Float32Array.of(0) },
      hi: { type: 'float32', dims: [], data: Float32Array.of(6) },
      W2: { type: 'float32', dims: [M, 1, 3, 3], data: f32(9 * M, 3, 0.5) },
      W3: { type: 'float32', dims: [7, M, 3, 3], data: f32(63 * M, 4, 0.3) },
      B3: { type: 'float32', dims: [7], data: f32(7, 5) },
    },
  });
  return modelBytes(g, { '': 17 });
}

test('constant filters resident in the kernels memory give the JavaScript results on every call', async () => {
  const bytes = model(13, 22);
  const wasm = await loadModel(bytes, { optimize: true, kernels: 'auto' });
  const js = await loadModel(bytes, { optimize: true, kernels: 'js' });
  assert.equal(wasm.metadata.backend, 'wasm-simd');
  // Sizes grow then shrink: each larger call grows the scratch and moves the resident blocks.
  for (const [i, [H, W]] of [[9, 11], [9, 11], [30, 41], [7, 9], [9, 11]].entries()) {
    const X = { type: 'float32', dims: [1, 13, H, W], data: f32(13 * H * W, 10 + i) };
    const got = wasm.run({ X }).y, want = js.run({ X }).y;
    assert.deepEqual(got.dims, want.dims);
    const a = got.data as Float32Array, b = want.data as Float32Array;
    for (let j = 0; j < b.length; j++) {
      assert.ok(Math.abs(a[j] - b[j]) <= 1e-4 * (1 + Math.abs(b[j])), `call ${i} (${H}x${W}) element ${j}: wasm ${a[j]} js ${b[j]}`);
    }
  }
});
