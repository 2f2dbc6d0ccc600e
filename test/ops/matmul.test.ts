// MatMul, Gemm, MatMulInteger, Einsum, Det, Attention, RotaryEmbedding: cases the
// conformance suite does not cover (integer types, blocking edges of the GEMM core,
// zero-point layouts, einsum diagonals/ellipsis, error paths).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runOp, assertClose } from './helpers.js';
import { runOpOnBothBackends } from '../wasm/run-both.js';

/** Deterministic pseudo-random values in [-1, 1). */
function rand(n: number, seed: number): number[] {
  let s = seed >>> 0;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** Reference row-major matmul in doubles. */
function refMatMul(a: readonly number[], b: readonly number[], M: number, K: number, N: number): number[] {
  const y = new Array<number>(M * N).fill(0);
  for (let i = 0; i < M; i++) for (let p = 0; p < K; p++) for (let j = 0; j < N; j++) y[i * N + j] += a[i * K + p] * b[p * N + j];
  return y;
}


test('MatMul crosses every GEMM blocking edge (M, N, K not multiples of the tiles, K > KC, N > NC)', async () => {
  const M = 67, K = 300, N = 2051;
  const a = rand(M * K, 1), b = rand(K * N, 2);
  const [y] = await runOp('MatMul', [{ type: 'float32', dims: [M, K], data: a }, { type: 'float32', dims: [K, N], data: b }]);
  assert.deepEqual(y.dims, [M, N]);
  assertClose(y.data, refMatMul(a, b, M, K, N), 1e-4, 1e-4);
});

test('MatMul broadcasts batch dims and promotes 1-D operands', async () => {
  const a = rand(2 * 1 * 3 * 4, 3), b = rand(5 * 4 * 2, 4);
  const [y] = await runOp('MatMul', [{ type: 'float64', dims: [2, 1, 3, 4], data: a }, { type: 'float64', dims: [5, 4, 2], data: b }]);
  assert.deepEqual(y.dims, [2, 5, 3, 2]);
  const expected: number[] = [];
  for (let i = 0; i < 2; i++) for (let j = 0; j < 5; j++) expected.push(...refMatMul(a.slice(i * 12, i * 12 + 12), b.slice(j * 8, j * 8 + 8), 3, 4, 2));
  assertClose(y.data, expected, 1e-12, 1e-12);

  const [v] = await runOp('MatMul', [{ type: 'float32', dims: [3], data: [1, 2, 3] }, { type: 'float32', dims: [2, 3, 2], data: [1, 0, 0, 1, 1, 1, 2, 0, 0, 2, 1, 1] }]);
  assert.deepEqual(v.dims, [2, 2]);
  assert.deepEqual(Array.from(v.data), [4, 5, 5, 7]);
});

test('MatMul with a shared 2-D right operand ([batch, M, K] x [K, N]) and K = 0', async () => {
  const a = rand(3 * 5 * 7, 31), b = rand(7 * 6, 32);
  const [y] = await runOp('MatMul', [{ type: 'float32', dims: [3, 5, 7], data: a }, { type: 'float32', dims: [7, 6], data: b }]);
  assert.deepEqual(y.dims, [3, 5, 6]);
  assertClose(y.data, refMatMul(a, b, 15, 7, 6));
  const [z] = await runOp('MatMul', [{ type: 'float32', dims: [2, 0], data: [] }, { type: 'float32', dims: [0, 3], data: [] }]);
  assert.deepEqual(z.dims, [2, 3]);
  assert.deepEqual(Array.from(z.data), [0, 0, 0, 0, 0, 0]);
});

test('MatMul on int32 wraps like C and on int64 is exact beyond 2^53', async () => {
  const [y] = await runOp('MatMul', [{ type: 'int32', dims: [1, 2], data: [65536, 3] }, { type: 'int32', dims: [2, 1], data: [65536, -4] }]);
  assert.deepEqual(Array.from(y.data), [-12]); // 2^32 wraps to 0
  const big = 2 ** 40;
  const [z] = await runOp('MatMul', [{ type: 'int64', dims: [1, 2], data: [big, 1] }, { type: 'int64', dims: [2, 1], data: [big, 1] }]);
  assert.equal(z.type, 'int64');
  assert.equal(BigInt(z.data[0] as bigint), (1n << 80n) % (1n << 64n) + 1n);
});

test('Gemm: optional C, transposes, alpha, [M,1] C broadcast', async () => {
  const a = rand(3 * 5, 5), b = rand(4 * 3, 6);
  // A is given as [K=3, M=5] (transA), B as [N=4, K=3] (transB).
  const at: number[] = [], bt: number[] = [];
  for (let i = 0; i < 5; i++) for (let p = 0; p < 3; p++) at.push(a[p * 5 + i]);
  for (let p = 0; p < 3; p++) for (let j = 0; j < 4; j++) bt.push(b[j * 3 + p]);
  const base = refMatMul(at, bt, 5, 3, 4);
  const [y] = await runOp('Gemm', [{ type: 'float32', dims: [3, 5], data: a }, { type: 'float32', dims: [4, 3], data: b }], { transA: 1, transB: 1, alpha: { float: 2 } }, { opset: 13 });
  assertClose(y.data, base.map((v) => 2 * v));
  const c = [1, 2, 3, 4, 5];
  const [z] = await runOp('Gemm', [{ type: 'float32', dims: [3, 5], data: a }, { type: 'float32', dims: [4, 3], data: b }, { type: 'float32', dims: [5, 1], data: c }],
    { transA: 1, transB: 1, beta: { float: 0.5 } }, { opset: 13 });
  assertClose(z.data, base.map((v, i) => v + 0.5 * c[Math.floor(i / 4)]));
});

test('Gemm ignores C when beta is 0 (NaN in C does not leak)', async () => {
  const [y] = await runOp('Gemm', [
    { type: 'float32', dims: [1, 2], data: [1, 2] }, { type: 'float32', dims: [2, 1], data: [3, 4] }, { type: 'float32', dims: [1, 1], data: [NaN] },
  ], { beta: { float: 0 } }, { opset: 13 });
  assert.deepEqual(Array.from(y.data), [11]);
});

test('Gemm on int64 and opset-6 broadcast=0 shape check', async () => {
  const [y] = await runOp('Gemm', [{ type: 'int64', dims: [2, 2], data: [1, 2, 3, 4] }, { type: 'int64', dims: [2, 2], data: [5, 6, 7, 8] }, { type: 'int64', dims: [2], data: [10, 20] }], {}, { opset: 13 });
  assert.deepEqual(Array.from(y.data, Number), [29, 42, 53, 70]);
  const ok = await runOp('Gemm', [{ type: 'float32', dims: [1, 1], data: [2] }, { type: 'float32', dims: [1, 2], data: [1, 2] }, { type: 'float32', dims: [2], data: [1, 1] }], { broadcast: 1 }, { opset: 6 });
  assert.deepEqual(Array.from(ok[0].data), [3, 5]);
  await assert.rejects(
    runOp('Gemm', [{ type: 'float32', dims: [1, 1], data: [2] }, { type: 'float32', dims: [1, 2], data: [1, 2] }, { type: 'float32', dims: [2], data: [1, 1] }], { broadcast: 0 }, { opset: 6 }),
    /broadcast=0/,
  );
});

test('MatMulInteger with per-row / per-column zero points and int8', async () => {
  const a = [1, 2, 3, 4, 5, 6], b = [7, 8, 9, 10, 11, 12];
  const za = [1, 2], zb = [3, 4];
  const [y] = await runOp('MatMulInteger', [
    { type: 'uint8', dims: [2, 3], data: a }, { type: 'uint8', dims: [3, 2], data: b },
    { type: 'uint8', dims: [2], data: za }, { type: 'uint8', dims: [2], data: zb },
  ], {}, { opset: 10 });
  const as = a.map((v, i) => v - za[Math.floor(i / 3)]), bs = b.map((v, i) => v - zb[i % 2]);
  assert.equal(y.type, 'int32');
  assert.deepEqual(Array.from(y.data), refMatMul(as, bs, 2, 3, 2));
  const [z] = await runOp('MatMulInteger', [{ type: 'int8', dims: [1, 2], data: [-128, 127] }, { type: 'int8', dims: [2, 1], data: [-128, -1] }, { type: 'int8', dims: [], data: [-1] }], {}, { opset: 10 });
  assert.deepEqual(Array.from(z.data), [(-127) * -128 + 128 * -1]);
});

test('Einsum: trace, diagonal, implicit output, ellipsis broadcasting, outer product', async () => {
  const m = [1, 2, 3, 4, 5, 6, 7, 8, 9];
  const [tr] = await runOp('Einsum', [{ type: 'float32', dims: [3, 3], data: m }], { equation: 'ii' }, { opset: 12 });
  assert.deepEqual(tr.dims, []);
  assert.deepEqual(Array.from(tr.data), [15]);
  const [dg] = await runOp('Einsum', [{ type: 'int32', dims: [3, 3], data: m }], { equation: 'ii->i' }, { opset: 12 });
  assert.deepEqual(Array.from(dg.data), [1, 5, 9]);
  const [im] = await runOp('Einsum', [{ type: 'float32', dims: [2, 3], data: [1, 2, 3, 4, 5, 6] }, { type: 'float32', dims: [3, 1], data: [1, 1, 1] }], { equation: 'ij,jk' }, { opset: 12 });
  assert.deepEqual(im.dims, [2, 1]);
  assert.deepEqual(Array.from(im.data), [6, 15]);
  // implicit output orders single labels alphabetically: 'ba' -> 'ab' is a transpose
  const [tp] = await runOp('Einsum', [{ type: 'float32', dims: [2, 3], data: [1, 2, 3, 4, 5, 6] }], { equation: 'ba' }, { opset: 12 });
  assert.deepEqual(tp.dims, [3, 2]);
  assert.deepEqual(Array.from(tp.data), [1, 4, 2, 5, 3, 6]);
  const a = rand(2 * 1 * 2 * 3, 7), b = rand(4 * 3 * 2, 8);
  const [bm] = await runOp('Einsum', [{ type: 'float64', dims: [2, 1, 2, 3], data: a }, { type: 'float64', dims: [4, 3, 2], data: b }], { equation: '...ij,...jk->...ik' }, { opset: 12 });
  assert.deepEqual(bm.dims, [2, 4, 2, 2]);
  const exp: number[] = [];
  for (let i = 0; i < 2; i++) for (let j = 0; j < 4; j++) exp.push(...refMatMul(a.slice(i * 6, i * 6 + 6), b.slice(j * 6, j * 6 + 6), 2, 3, 2));
  assertClose(bm.data, exp, 1e-12, 1e-12);
  const [op] = await runOp('Einsum', [{ type: 'int64', dims: [2], data: [2, 3] }, { type: 'int64', dims: [2], data: [5, 7] }], { equation: 'i,j->ij' }, { opset: 12 });
  assert.deepEqual(Array.from(op.data, Number), [10, 14, 15, 21]);
});

test('Einsum contractions (GEMM path): attention scores, permuted output, int32; one-sided sum (general path)', async () => {
  const b = 2, h = 3, q = 5, k = 6, d = 4;
  const Q = rand(b * h * q * d, 21), K = rand(b * h * k * d, 22);
  const [s] = await runOp('Einsum', [{ type: 'float32', dims: [b, h, q, d], data: Q }, { type: 'float32', dims: [b, h, k, d], data: K }], { equation: 'bhqd,bhkd->bhqk' }, { opset: 12 });
  assert.deepEqual(s.dims, [b, h, q, k]);
  const exp: number[] = [];
  for (let bh = 0; bh < b * h; bh++) for (let i = 0; i < q; i++) for (let j = 0; j < k; j++) {
    let acc = 0;
    for (let t = 0; t < d; t++) acc += Q[(bh * q + i) * d + t] * K[(bh * k + j) * d + t];
    exp.push(acc);
  }
  assertClose(s.data, exp);
  const A = [1, 2, 3, 4, 5, 6], B = [1, 0, 2, 1, -1, 3]; // [2,3] x [3,2]
  const [t] = await runOp('Einsum', [{ type: 'int32', dims: [2, 3], data: A }, { type: 'int32', dims: [3, 2], data: B }], { equation: 'ij,jk->ki' }, { opset: 12 });
  assert.deepEqual(t.dims, [2, 2]);
  const ab = refMatMul(A, B, 2, 3, 2); // [[i0k0, i0k1], [i1k0, i1k1]]
  assert.deepEqual(Array.from(t.data), [ab[0], ab[2], ab[1], ab[3]]);
  const [u] = await runOp('Einsum', [{ type: 'float32', dims: [2, 3], data: A }, { type: 'float32', dims: [3, 2], data: B }], { equation: 'ij,jk->k' }, { opset: 12 });
  assert.deepEqual(Array.from(u.data), [ab[0] + ab[2], ab[1] + ab[3]]);
});

test('Einsum rejects malformed equations at compile time', async () => {
  await assert.rejects(runOp('Einsum', [{ type: 'float32', dims: [2], data: [1, 2] }], { equation: 'i,j->ij' }, { opset: 12 }), /input terms/);
  await assert.rejects(runOp('Einsum', [{ type: 'float32', dims: [2], data: [1, 2] }], { equation: 'i->k' }, { opset: 12 }), /does not appear/);
});

test('Det: batch of matrices, pivoting and a singular matrix', async () => {
  const [y] = await runOp('Det', [{ type: 'float64', dims: [3, 3, 3], data: [
    0, 2, 1, 1, 0, 0, 0, 0, 3, // needs a row swap: det = -6
    1, 2, 3, 4, 5, 6, 7, 8, 9, // singular
    2, 0, 0, 0, 3, 0, 0, 0, 4,
  ] }], {}, { opset: 11 });
  assert.deepEqual(y.dims, [3]);
  assertClose(y.data, [-6, 0, 24], 1e-12, 1e-12);
});

/** Naive attention for one head: softmax(q·kᵀ·scale + bias) · v. */
function refAttention(q: number[], k: number[], v: number[], Sq: number, T: number, D: number, Dv: number, causal: boolean): number[] {
  const y: number[] = [];
  for (let i = 0; i < Sq; i++) {
    const s: number[] = [];
    for (let j = 0; j < T; j++) {
      let d = 0;
      for (let t = 0; t < D; t++) d += q[i * D + t] * k[j * D + t];
      s.push(causal && j > i ? -Infinity : d / Math.sqrt(D));
    }
    const mx = Math.max(...s);
    const e = s.map((x) => Math.exp(x - mx));
    const sum = e.reduce((a, b) => a + b, 0);
    for (let t = 0; t < Dv; t++) {
      let acc = 0;
      for (let j = 0; j < T; j++) acc += (e[j] / sum) * v[j * Dv + t];
      y.push(acc);
    }
  }
  return y;
}

test('Attention with long sequences (GEMM blocking) matches a naive reference, causal', async () => {
  const Sq = 70, T = 70, D = 40, Dv = 24;
  const q = rand(Sq * D, 11), k = rand(T * D, 12), v = rand(T * Dv, 13);
  const [y] = await runOp('Attention', [
    { type: 'float32', dims: [1, 1, Sq, D], data: q }, { type: 'float32', dims: [1, 1, T, D], data: k }, { type: 'float32', dims: [1, 1, T, Dv], data: v },
  ], { is_causal: 1 }, { opset: 23 });
  assert.deepEqual(y.dims, [1, 1, Sq, Dv]);
  assertClose(y.data, refAttention(q, k, v, Sq, T, D, Dv, true), 1e-4, 1e-5);
});

test('Attention rejects mismatched past_key/past_value', async () => {
  const t = { type: 'float32' as const, dims: [1, 1, 2, 4], data: rand(8, 14) };
  await assert.rejects(runOp('Attention', [t, t, t, null, t], {}, { opset: 23, outputs: 3 }), /past_key and past_value/);
});

test('RotaryEmbedding on float16 4-D input with partial rotation keeps the tail', async () => {
  // one batch, one head, two positions, head size 4, rotary dim 2 (one pair per position)
  const x = [1, 2, 3, 4, 5, 6, 7, 8];
  const cos = [1, 0], sin = [0, 1]; // position 0: identity, position 1: 90 degrees
  const [y] = await runOp('RotaryEmbedding', [
    { type: 'float16', dims: [1, 1, 2, 4], data: x }, { type: 'float16', dims: [2, 1], data: cos }, { type: 'float16', dims: [2, 1], data: sin },
    { type: 'int64', dims: [1, 2], data: [0, 1] },
  ], { rotary_embedding_dim: 2 }, { opset: 23 });
  assert.equal(y.type, 'float16');
  assert.deepEqual(y.dims, [1, 1, 2, 4]);
  const { float16BitsToFloat } = await import('../../runtime/tensor/float16.js');
  const vals = Array.from(y.data as ArrayLike<number>, (b) => float16BitsToFloat(b));
  assert.deepEqual(vals, [1, 2, 3, 4, -6, 5, 7, 8]);
});

test('MatMul and Gemm on the WebAssembly SIMD kernels and on the JavaScript fallback agree with the reference', async () => {
  // Ragged tiles (M % 4, N % 8 ≠ 0), K over one 256-long slice, batched with a shared B.
  const M = 37, K = 300, N = 45;
  const a = rand(M * K, 50), b = rand(K * N, 51);
  const want = refMatMul(a, b, M, K, N);
  for (const r of await runOpOnBothBackends('MatMul', [{ type: 'float32', dims: [M, K], data: a }, { type: 'float32', dims: [K, N], data: b }])) {
    assertClose(r.outputs[0].data, want, 1e-4, 1e-5);
  }
  const x = rand(3 * 5 * 70, 52), w = rand(70 * 20, 53);
  const wantBatched = refMatMul(x, w, 15, 70, 20);
  const runs = await runOpOnBothBackends('MatMul', [{ type: 'float32', dims: [3, 5, 70], data: x }, { type: 'float32', dims: [70, 20], data: w }]);
  assert.deepEqual(runs.map((r) => r.backend), ['wasm-simd', 'js']);
  for (const r of runs) assertClose(r.outputs[0].data, wantBatched, 1e-4, 1e-5);
  // Gemm: Y = 0.5 · Aᵀ · Bᵀ + 2 · C, A stored [K, M], B stored [N, K], C [N] broadcast over rows.
  const gM = 21, gK = 130, gN = 19;
  const at = rand(gK * gM, 54), bt = rand(gN * gK, 55), c = rand(gN, 56);
  const gWant = new Array<number>(gM * gN);
  for (let i = 0; i < gM; i++) {
    for (let j = 0; j < gN; j++) {
      let s = 0;
      for (let p = 0; p < gK; p++) s += at[p * gM + i] * bt[j * gK + p];
      gWant[i * gN + j] = 0.5 * s + 2 * c[j];
    }
  }
  const gemmRuns = await runOpOnBothBackends('Gemm', [
    { type: 'float32', dims: [gK, gM], data: at }, { type: 'float32', dims: [gN, gK], data: bt }, { type: 'float32', dims: [gN], data: c },
  ], { alpha: { float: 0.5 }, beta: { float: 2 }, transA: 1, transB: 1 }, 13);
  assert.deepEqual(gemmRuns.map((r) => r.backend), ['wasm-simd', 'js']);
  for (const r of gemmRuns) assertClose(r.outputs[0].data, gWant, 1e-4, 1e-5);
});
