// LayerNormalization and AddLayerNormalization over the last axis on both backends:
// the WebAssembly kernel (layernorm.wat, float32 rows of a multiple of 4 columns)
// and the JavaScript loop, each held to a float64 two-pass reference, including
// badly centred rows, rows that are not a multiple of 4 long (the JavaScript path),
// no bias, non-finite values, and the Mean/InvStdDev outputs.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addLayerNormalization, layerNormalization, type LayerNormAttrs } from '../../runtime/tensor/norm.js';
import { NodeCtx, type Tensor } from '../../runtime/tensor/tensor.js';
import { wasmKernels, type KernelBackend } from '../../runtime/wasm/kernels.js';
import { lcgFloats, withKernelBackend } from '../support/ir-eval.js';

const hasWasm = (wasmKernels()?.layerNorm ?? null) !== null;
const BACKENDS: KernelBackend[] = hasWasm ? ['wasm-simd', 'js'] : ['js'];

function f32(dims: number[], data: ArrayLike<number>): Tensor {
  return { type: 'float32', dims, data: Float32Array.from(data) };
}

/** LayerNorm of rows of x (+ r) in float64, two passes; the residual sum rounded to float32 first, as the Add would store it. */
function reference(x: Float32Array, r: Float32Array | null, cols: number, s: Float32Array, b: Float32Array | null, eps: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let base = 0; base < x.length; base += cols) {
    const v = Array.from({ length: cols }, (_, j) => (r === null ? x[base + j] : Math.fround(x[base + j] + r[base + j])));
    const m = v.reduce((a, c) => a + c, 0) / cols;
    const variance = v.reduce((a, c) => a + (c - m) * (c - m), 0) / cols;
    const inv = 1 / Math.sqrt(variance + eps);
    for (let j = 0; j < cols; j++) out[base + j] = (v[j] - m) * inv * s[j] + (b === null ? 0 : b[j]);
  }
  return out;
}

function assertNear(got: ArrayLike<number>, want: Float64Array, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const ok = Number.isNaN(want[i]) ? Number.isNaN(got[i]) : Math.abs(got[i] - want[i]) <= 2e-6 * (1 + Math.abs(want[i]));
    assert.ok(ok, `${what}: element ${i}: got ${got[i]}, want ${want[i]}`);
  }
}

const ATTRS: LayerNormAttrs = { axis: -1, epsilon: 1e-5, statsType: 'float32', outputs: 1 };

/** Rows with a spread of means and scales, the first ones badly centred (mean ≫ spread). */
function rowsOf(rows: number, cols: number, seed: number): Float32Array {
  const noise = lcgFloats(rows * cols, seed);
  return Float32Array.from({ length: rows * cols }, (_, i) => {
    const r = Math.floor(i / cols);
    const centre = r === 0 ? 1e4 : r === 1 ? -3e3 : (r % 5) - 2;
    const spread = r === 1 ? 1e-2 : 1 + (r % 3);
    return centre + spread * noise[i];
  });
}

for (const backend of BACKENDS) {
  for (const [rows, cols] of [[64, 128], [7, 4], [3, 12], [5, 10], [2, 3], [1, 516]] as const) {
    test(`${backend}: LayerNormalization and AddLayerNormalization of [${rows},${cols}] match a float64 reference`, () => {
      const x = rowsOf(rows, cols, rows + cols);
      const r = Float32Array.from(lcgFloats(rows * cols, 7 + cols));
      const s = Float32Array.from(lcgFloats(cols, 3), (v) => 0.5 + v);
      const b = Float32Array.from(lcgFloats(cols, 4));
      withKernelBackend(backend, () => {
        const y1 = layerNormalization(new NodeCtx('ln', true), [f32([rows, cols], x), f32([cols], s), f32([cols], b)], ATTRS)[0];
        assertNear(y1.data as Float32Array, reference(x, null, cols, s, b, 1e-5), 'with bias');
        const y2 = layerNormalization(new NodeCtx('ln', true), [f32([1, rows, cols], x), f32([cols], s)], ATTRS)[0];
        assert.deepEqual(y2.dims, [1, rows, cols]);
        assertNear(y2.data as Float32Array, reference(x, null, cols, s, null, 1e-5), 'no bias');
        const y3 = addLayerNormalization(new NodeCtx('ln', true), [f32([rows, cols], x), f32([rows, cols], r), f32([cols], s), f32([cols], b)], ATTRS)[0];
        assertNear(y3.data as Float32Array, reference(x, r, cols, s, b, 1e-5), 'residual');
      });
    });
  }

  test(`${backend}: a NaN or infinity poisons its own row only`, () => {
    const cols = 8;
    const x = Float32Array.from({ length: 3 * cols }, (_, i) => i % 7);
    x[2] = NaN;
    x[cols + 5] = Infinity;
    const s = new Float32Array(cols).fill(1);
    const y = withKernelBackend(backend, () => layerNormalization(new NodeCtx('ln', true), [f32([3, cols], x), f32([cols], s)], ATTRS)[0].data as Float32Array);
    for (let j = 0; j < 2 * cols; j++) assert.ok(Number.isNaN(y[j]), `element ${j} is NaN`);
    assertNear(y.subarray(2 * cols), reference(x.subarray(2 * cols), null, cols, s, null, 1e-5), 'clean row');
  });

  test(`${backend}: Mean and InvStdDev outputs are still produced`, () => {
    const cols = 16;
    const x = rowsOf(4, cols, 11);
    const s = new Float32Array(cols).fill(2);
    const out = withKernelBackend(backend, () => layerNormalization(new NodeCtx('ln', true), [f32([4, cols], x), f32([cols], s)], { ...ATTRS, outputs: 3 }));
    assert.equal(out.length, 3);
    assertNear(out[0].data as Float32Array, reference(x, null, cols, s, null, 1e-5), 'Y');
    for (let r = 0; r < 4; r++) {
      const row = Array.from(x.subarray(r * cols, (r + 1) * cols));
      const m = row.reduce((a, c) => a + c, 0) / cols;
      assert.ok(Math.abs((out[1].data as Float32Array)[r] - m) <= 1e-6 * (1 + Math.abs(m)), `mean of row ${r}`);
    }
  });
}

test('the WebAssembly and JavaScript LayerNormalization agree to float32 rounding', { skip: hasWasm ? false : 'WebAssembly SIMD is not available here' }, () => {
  const rows = 64, cols = 128;
  const x = rowsOf(rows, cols, 5), r = Float32Array.from(lcgFloats(rows * cols, 6));
  const s = Float32Array.from(lcgFloats(cols, 8)), b = Float32Array.from(lcgFloats(cols, 9));
  const inputs = [f32([rows, cols], x), f32([rows, cols], r), f32([cols], s), f32([cols], b)];
  const [w, j] = (['wasm-simd', 'js'] as const).map((be) =>
    withKernelBackend(be, () => addLayerNormalization(new NodeCtx('ln', true), inputs, ATTRS)[0].data as Float32Array));
  let maxUlps = 0;
  for (let i = 0; i < w.length; i++) maxUlps = Math.max(maxUlps, Math.abs(w[i] - j[i]) / (Math.abs(j[i]) * 2 ** -23 + 2 ** -40));
  assert.ok(maxUlps <= 2, `wasm and js differ by ${maxUlps} ulps`);
});
