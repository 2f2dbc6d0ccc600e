// Softmax kernel: float32 rows take a table-driven exp (runtime/tensor/softmax.ts);
// results must stay within float32 rounding of a float64 reference, with NaN,
// -Infinity and huge spreads handled as Math.exp would.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { expNonPositive, softmax } from '../../runtime/tensor/softmax.js';
import { NodeCtx, type Tensor } from '../../runtime/tensor/tensor.js';
import { setKernelBackend } from '../../runtime/wasm/kernels.js';
import { lcgFloats } from '../support/ir-eval.js';

function reference(row: readonly number[]): number[] {
  const max = Math.max(...row.filter((v) => !Number.isNaN(v)));
  const e = row.map((v) => Math.exp(v - max));
  const sum = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / sum);
}

test('expNonPositive is within 1e-9 relative of Math.exp over the softmax range', () => {
  let worst = 0;
  for (const x of lcgFloats(200000, 7)) {
    const v = (x - 1) * 55; // [-110, 0)
    const want = Math.exp(v);
    worst = Math.max(worst, Math.abs(expNonPositive(v) - want) / want);
  }
  assert.ok(worst < 1e-9, `worst relative error ${worst}`);
  assert.equal(expNonPositive(0), 1);
  assert.equal(expNonPositive(-0), 1);
  assert.ok(Number.isNaN(expNonPositive(NaN)));
  assert.equal(expNonPositive(-Infinity), 0);
  assert.equal(expNonPositive(-200), 0);
  assert.equal(expNonPositive(2), Math.exp(2));
});

test('float32 Softmax over the last axis matches a float64 reference to float32 rounding (both backends)', () => {
  // JavaScript: x − max in float64, a 1e-9 exp and float64 sums, so one float32 rounding.
  // WebAssembly (as onnxruntime's float kernels): x − max rounded to float32 costs up to
  // |x − max|·2^-24 relative in exp (here |x − max| < 90), plus exp's ~1e-7 and the float32
  // lane sums: 1e-5 relative. Odd row lengths exercise the kernel's scalar tail.
  for (const [backend, rel] of [['js', 2 ** -23], ['wasm-simd', 1e-5]] as const) {
    for (const [rows, n] of [[37, 64], [29, 67], [300, 5]]) {
      const data = Float32Array.from(lcgFloats(rows * n, 3).map((v, i) => v * (i % 3 === 0 ? 40 : 4)));
      data[1] = -Infinity;
      data[rows * n - 1] = -Infinity;
      const x: Tensor = { type: 'float32', dims: [rows, n], data };
      const previous = setKernelBackend(backend);
      let y: Float32Array;
      try {
        y = softmax(new NodeCtx('s', true), [x], { axis: -1, coerce2d: false })[0].data as Float32Array;
      } finally {
        setKernelBackend(previous);
      }
      for (let r = 0; r < rows; r++) {
        const want = reference(Array.from(data.subarray(r * n, (r + 1) * n)));
        for (let j = 0; j < n; j++) {
          const got = y[r * n + j], w = want[j];
          assert.ok(Math.abs(got - w) <= rel * w + 1e-45, `${backend} ${rows}x${n} row ${r} col ${j}: got ${got} want ${w}`);
        }
      }
      assert.equal(y[1], 0);
      assert.equal(y[rows * n - 1], 0);
    }
  }
});

test('the WebAssembly softmax keeps NaN and all -Infinity rows NaN and exact zeros for -Infinity', () => {
  const rows = 40, n = 33;
  const data = Float32Array.from(lcgFloats(rows * n, 5));
  data.fill(-Infinity, 0, n); // row 0: all -inf
  data[n + 7] = NaN; // row 1: a NaN
  data[2 * n + 3] = -Infinity; // row 2: one -inf
  data.fill(-1000, 3 * n, 4 * n); data[3 * n + 5] = 0; // row 3: one term dominates
  const x: Tensor = { type: 'float32', dims: [rows, n], data };
  const y = softmax(new NodeCtx('s', true), [x], { axis: -1, coerce2d: false })[0].data as Float32Array;
  for (let j = 0; j < n; j++) assert.ok(Number.isNaN(y[j]) && Number.isNaN(y[n + j]), `col ${j}`);
  assert.equal(y[2 * n + 3], 0);
  for (let j = 0; j < n; j++) assert.equal(y[3 * n + j], j === 5 ? 1 : 0);
});

test('Softmax rows with NaN or only -Infinity give NaN, as with Math.exp', () => {
  const x: Tensor = { type: 'float32', dims: [2, 3], data: Float32Array.of(1, NaN, 2, -Infinity, -Infinity, -Infinity) };
  const y = Array.from(softmax(new NodeCtx('s', true), [x], { axis: 1, coerce2d: false })[0].data as Float32Array);
  assert.ok(Number.isNaN(y[1]));
  assert.ok(y.slice(3).every((v) => Number.isNaN(v)));
  const x64: Tensor = { type: 'float64', dims: [1, 3], data: Float64Array.of(1, 2, 3) };
  const y64 = softmax(new NodeCtx('s', true), [x64], { axis: -1, coerce2d: false })[0].data as Float64Array;
  reference([1, 2, 3]).forEach((w, j) => assert.ok(Math.abs(y64[j] - w) < 1e-15));
});
