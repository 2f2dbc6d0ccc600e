// The fused epilogue on the SIMD SGEMM (applied per tile after the last K slice),
// with cached packed A, against a float64 reference: ragged M and N (padding rows and
// columns), K across several 256-long slices, bias, residual and every activation;
// and the `pad` / `compact` layout kernels against plain loops.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FUSED_ACTIVATIONS, finishRow, type Epilogue, type FusedActivation } from '../../runtime/wasm/epilogue.js';
import { packAForSgemm, sgemmBegin, sgemmFinish } from '../../runtime/wasm/gemm-wasm.js';
import { wasmKernels } from '../../runtime/wasm/kernels.js';
import { copyPaddedPlanes, paddedPlanesFloats } from '../../runtime/wasm/padded-planes.js';
import { lcgFloats } from '../support/ir-eval.js';

const rand = (n: number, seed: number): Float32Array => Float32Array.from(lcgFloats(n, seed));

const PARAMS: Record<FusedActivation, [number, number]> = {
  none: [0, 0], relu: [0, 0], leakyRelu: [0.1, 0], clip: [-0.3, 0.4], sigmoid: [0, 0], hardSigmoid: [0.2, 0.5], hardSwish: [0, 0],
};

test('SGEMM with a fused epilogue matches bias + residual + activation on a float64 product', () => {
  const k = wasmKernels();
  assert.ok(k, 'Node 20 has WebAssembly SIMD');
  let seed = 1;
  for (const [M, N, K] of [[5, 9, 3], [4, 8, 256], [7, 33, 257], [13, 20, 600]]) {
    const A = rand(M * K, seed++), B = rand(K * N, seed++), bias = rand(M + 3, seed++), res = rand(2 + M * (N + 1), seed++);
    for (const activation of FUSED_ACTIVATIONS) {
      for (const [withBias, withRes, packed] of [[true, true, true], [false, false, false], [true, false, false], [false, true, true]] as const) {
        const [alpha, beta] = PARAMS[activation];
        // Bias rows start at row0 = 3; the destination is a window (cOff 2, ldc N + 1) whose margins stay untouched.
        const ep: Epilogue = { bias: withBias ? bias : null, residual: withRes ? res : null, activation, alpha, beta };
        const ldc = N + 1, cOff = 2;
        const C = rand(cOff + M * ldc, seed++);
        const before = C.slice();
        const prep = sgemmBegin(k, M, N, K);
        assert.ok(prep);
        for (let p = 0; p < K; p++) prep.mem.set(B.subarray(p * N, (p + 1) * N), prep.b + p * prep.ldb);
        const pa = packed ? packAForSgemm(A, 0, K, 1, M, K) : null;
        sgemmFinish(k, prep, M, N, K, A, 0, K, 1, C, cOff, ldc, 1, false, pa, ep, 3);
        const what = `${M}x${N}x${K} ${activation} bias=${withBias} res=${withRes} packed=${packed}`;
        const want = new Float64Array(1), row = new Float64Array(N);
        for (let i = 0; i < M; i++) {
          for (let j = 0; j < N; j++) {
            let s = 0, mag = 0;
            for (let p = 0; p < K; p++) { s += A[i * K + p] * B[p * N + j]; mag += Math.abs(A[i * K + p] * B[p * N + j]); }
            row[j] = s;
            const idx = cOff + i * ldc + j;
            // The reference epilogue is the JavaScript one (the formulas of the standalone ops).
            const out = new Float64Array(idx + 1);
            finishRow(ep, 3 + i, row, j, out, idx, 1);
            want[0] = out[idx];
            const tol = 1e-6 * (1 + mag) * 8;
            assert.ok(Math.abs(C[idx] - want[0]) <= tol, `${what}: C[${i},${j}] got ${C[idx]} want ${want[0]}`);
          }
        }
        for (let i = 0; i < M; i++) assert.equal(C[cOff + i * ldc + N], before[cOff + i * ldc + N], `${what}: margin after row ${i}`);
        assert.equal(C[0], before[0]);
      }
    }
  }
});

test('pad lays planes out with zero borders and compact strips padding columns', () => {
  const k = wasmKernels();
  assert.ok(k);
  for (const [C, H, W, pt, pl, xH, xW] of [[3, 5, 7, 1, 2, 8, 12], [1, 1, 1, 0, 1, 3, 4], [2, 4, 3, 2, 0, 6, 3]]) {
    const X = rand(1 + C * H * W, C * 100 + H);
    const mem = k.scratch(paddedPlanesFloats(C, H, W, xH, xW) + 64);
    assert.ok(mem);
    mem.fill(7, 16, 16 + paddedPlanesFloats(C, H, W, xH, xW)); // stale data the padding must overwrite
    copyPaddedPlanes(k, mem, 16, X, 1, C, H, W, pt, pl, xH, xW);
    for (let c = 0; c < C; c++) {
      for (let y = 0; y < xH; y++) {
        for (let x = 0; x < xW; x++) {
          const iy = y - pt, ix = x - pl;
          const want = iy >= 0 && iy < H && ix >= 0 && ix < W ? X[1 + (c * H + iy) * W + ix] : 0;
          assert.equal(mem[16 + (c * xH + y) * xW + x], want, `pad ${C}x${H}x${W} at ${c},${y},${x}`);
        }
      }
    }
  }
  const mem = k.scratch(1024);
  assert.ok(mem);
  const rows = 5, n = 3, ld = 8;
  const src = rand(rows * ld, 9);
  mem.set(src, 100);
  k.compact(100 * 4, rows, n, ld, 100 * 4); // in place
  for (let i = 0; i < rows; i++) for (let j = 0; j < n; j++) assert.equal(mem[100 + i * n + j], src[i * ld + j]);
});
