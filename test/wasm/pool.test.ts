// MaxPool 2×2 stride 2 on the WebAssembly kernels (pool.wat) against the JavaScript
// kernel: bit-identical outputs (the first maximum wins, so -0/+0 ties keep the first
// zero; the first NaN wins) over even and odd sizes, and the cases the kernel must
// leave to JavaScript (padding, ceil_mode overhang, other windows, float64).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { maxPool, type MaxPoolAttrs } from '../../runtime/tensor/pool.js';
import { NodeCtx, type Tensor } from '../../runtime/tensor/tensor.js';
import { wasmKernels } from '../../runtime/wasm/kernels.js';
import { withKernelBackend } from '../support/ir-eval.js';

const pool = wasmKernels()?.pool ?? null;
const skip = pool === null ? 'WebAssembly SIMD is not available here' : false;

function attrs(over: Partial<MaxPoolAttrs> = {}): MaxPoolAttrs {
  return { kernel: [2, 2], strides: [2, 2], dilations: [1, 1], pads: [0, 0, 0, 0], autoPad: 'NOTSET', ceilMode: false, storageOrder: 0, indices: false, ...over };
}

/** Data with ties of -0 and +0, NaN, ±Infinity and repeated values among ordinary ones. */
function data(n: number, seed: number): Float32Array {
  const x = new Float32Array(n);
  let s = seed;
  const specials = [-0, 0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1, 1];
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    x[i] = (s & 7) === 0 ? specials[(s >>> 8) % specials.length] : ((s >>> 8) % 2001) / 100 - 10;
  }
  return x;
}

/** maxPool's output on one backend, and how many times pool.wat ran. */
function run(backend: 'wasm-simd' | 'js', x: Tensor, a: MaxPoolAttrs): { y: Float32Array; calls: number } {
  const k = wasmKernels();
  const p = k?.pool;
  let calls = 0;
  const original = p?.maxPool2x2;
  if (p && original) (p as { maxPool2x2: typeof original }).maxPool2x2 = (...args) => { calls++; original(...args); };
  try {
    const [y] = withKernelBackend(backend, () => maxPool(new NodeCtx('pool', true), [x], a));
    return { y: y.data as Float32Array, calls };
  } finally {
    if (p && original) (p as { maxPool2x2: typeof original }).maxPool2x2 = original;
  }
}

function assertBitIdentical(got: Float32Array, want: Float32Array, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  const g = new Uint32Array(got.buffer, got.byteOffset, got.length), w = new Uint32Array(want.buffer, want.byteOffset, want.length);
  for (let i = 0; i < g.length; i++) {
    if (g[i] !== w[i]) assert.fail(`${what}: element ${i}: ${got[i]} (0x${g[i].toString(16)}) where the JavaScript kernel gives ${want[i]} (0x${w[i].toString(16)})`);
  }
}

test('MaxPool 2×2 stride 2: pool.wat gives the JavaScript kernel\'s bits over even and odd sizes', { skip }, () => {
  const shapes: number[][] = [[1, 6, 28, 28], [1, 16, 10, 10], [2, 3, 9, 11], [1, 1, 17, 33], [1, 64, 8, 8], [1, 5, 6, 18], [3, 2, 20, 7]];
  for (const [i, dims] of shapes.entries()) {
    const x: Tensor = { type: 'float32', dims, data: data(dims.reduce((p, d) => p * d, 1), 17 + i) };
    const js = run('js', x, attrs());
    const wasm = run('wasm-simd', x, attrs());
    assert.equal(js.calls, 0);
    assert.equal(wasm.calls, 1, `${dims}: pool.wat ran`);
    assertBitIdentical(wasm.y, js.y, `[${dims}]`);
  }
});

test('MaxPool cases pool.wat leaves to JavaScript: padding, ceil_mode overhang, other windows, float64, few outputs', { skip }, () => {
  const x: Tensor = { type: 'float32', dims: [1, 8, 13, 13], data: data(8 * 13 * 13, 5) };
  const others: [string, Tensor, MaxPoolAttrs][] = [
    ['leading padding', x, attrs({ pads: [1, 1, 0, 0] })],
    ['ceil_mode overhang', x, attrs({ ceilMode: true })],
    ['3×3 window', x, attrs({ kernel: [3, 3] })],
    ['stride 1', x, attrs({ strides: [1, 1] })],
    ['float64', { type: 'float64', dims: x.dims, data: Float64Array.from(x.data as Float32Array) }, attrs()],
    ['under 64 outputs', { type: 'float32', dims: [1, 1, 8, 8], data: data(64, 9) }, attrs()],
  ];
  for (const [what, t, a] of others) {
    const { calls } = run('wasm-simd', t, a);
    assert.equal(calls, 0, what);
  }
  // Trailing padding that no window reaches (12 + 1 rows: six windows, the last on rows 10-11) is still the plain case.
  const even: Tensor = { type: 'float32', dims: [1, 8, 12, 12], data: data(8 * 12 * 12, 6) };
  const padded = run('wasm-simd', even, attrs({ pads: [0, 0, 1, 1] }));
  assert.equal(padded.calls, 1, 'trailing padding no window reaches');
  assertBitIdentical(padded.y, run('js', even, attrs({ pads: [0, 0, 1, 1] })).y, 'trailing padding');
});
