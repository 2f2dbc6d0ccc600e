// Transpose kernel fast paths (runtime/tensor/shape-layout.ts): every permutation of
// rank-3 and rank-4 inputs, with unit axes and merged runs, float32 (the row and
// gather loops for attention heads) and float64 and int32 (the generic walks),
// against a naive index-by-index reference; and the memoised plan across calls.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { transpose } from '../../runtime/tensor/shape-layout.js';
import { NodeCtx, strides, type Tensor } from '../../runtime/tensor/tensor.js';

function permutations(r: number): number[][] {
  if (r === 1) return [[0]];
  return permutations(r - 1).flatMap((p) => Array.from({ length: r }, (_, k) => [...p.slice(0, k), r - 1, ...p.slice(k)]));
}

function naive(x: Tensor, perm: readonly number[]): number[] {
  const inSt = strides(x.dims);
  const outDims = perm.map((a) => x.dims[a]);
  const n = outDims.reduce((a, b) => a * b, 1);
  const out: number[] = [];
  const idx = new Array<number>(outDims.length).fill(0);
  for (let o = 0; o < n; o++) {
    let src = 0;
    for (let k = 0; k < outDims.length; k++) src += idx[k] * inSt[perm[k]];
    out.push((x.data as Float32Array)[src]);
    for (let k = outDims.length - 1; k >= 0; k--) { if (++idx[k] < outDims[k]) break; idx[k] = 0; }
  }
  return out;
}

test('Transpose matches a naive reference for every permutation of rank-3 and rank-4 inputs', () => {
  const shapes = [[3, 4, 5], [6, 4, 32], [1, 6, 4, 8], [2, 3, 1, 5], [2, 3, 4, 5]];
  for (const dims of shapes) {
    const n = dims.reduce((a, b) => a * b, 1);
    for (const [type, data] of [['float32', Float32Array.from({ length: n }, (_, i) => i)], ['float64', Float64Array.from({ length: n }, (_, i) => i)], ['int32', Int32Array.from({ length: n }, (_, i) => i)]] as const) {
      const x = { type, dims, data } as Tensor;
      for (const perm of permutations(dims.length)) {
        const ctx = new NodeCtx('t');
        for (let call = 0; call < 2; call++) {
          const y = transpose(ctx, [x], { perm })[0];
          assert.deepEqual(y.dims, perm.map((a) => dims[a]), `${type} [${dims}] perm [${perm}]`);
          assert.deepEqual(Array.from(y.data as Float32Array), naive(x, perm), `${type} [${dims}] perm [${perm}] call ${call}`);
        }
      }
    }
  }
});

test('a Transpose node sees new input dims after a call with other dims', () => {
  const ctx = new NodeCtx('t');
  const a: Tensor = { type: 'float32', dims: [2, 3, 4], data: Float32Array.from({ length: 24 }, (_, i) => i) };
  const b: Tensor = { type: 'float32', dims: [4, 3, 2], data: Float32Array.from({ length: 24 }, (_, i) => i) };
  for (const x of [a, b, a]) {
    const y = transpose(ctx, [x], { perm: [1, 0, 2] })[0];
    assert.deepEqual(Array.from(y.data as Float32Array), naive(x, [1, 0, 2]));
  }
});
