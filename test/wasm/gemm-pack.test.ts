// The SGEMM driver's WebAssembly packing (pack.wat) and the batched per-head
// products of FusedMatMul: pack.wat's packA must write exactly the layout the
// JavaScript packer does (partial panels, K slices, rows further apart than K),
// gather must copy strided and transposed operands, and the products that use them
// (strided A, transposed B, constant B with padded rows, attention heads with
// folded Transposes) must match a float64 reference on both backends.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fusedMatMul, type FusedMatMulAttrs } from '../../runtime/tensor/fused-matmul.js';
import { gemm } from '../../runtime/tensor/gemm.js';
import { markConstant } from '../../runtime/tensor/constant-data.js';
import { NodeCtx, type Tensor } from '../../runtime/tensor/tensor.js';
import { packAForSgemm } from '../../runtime/wasm/gemm-wasm.js';
import { residentLdb } from '../../runtime/wasm/gemm-resident.js';
import { wasmKernels, type KernelBackend } from '../../runtime/wasm/kernels.js';
import { lcgFloats, withKernelBackend } from '../support/ir-eval.js';

const kernels = wasmKernels();
const pack = kernels?.pack ?? null;
const skip = pack === null ? 'WebAssembly SIMD is not available here' : false;
const BACKENDS: KernelBackend[] = pack === null ? ['js'] : ['wasm-simd', 'js'];

function floats(n: number, seed: number): Float32Array {
  return Float32Array.from(lcgFloats(n, seed));
}

function assertNear(got: ArrayLike<number>, want: ArrayLike<number>, K: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  // Float32 accumulation over K terms of magnitude ≤ 1: error grows like K·2^-24.
  const tol = 4e-7 * Math.max(K, 8);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])), `${what}: element ${i}: got ${got[i]}, want ${want[i]}`);
  }
}

test('pack.wat packA writes the layout of the JavaScript packer', { skip }, () => {
  const k = kernels!;
  for (const M of [1, 2, 3, 4, 5, 7, 8, 9, 13]) {
    for (const K of [1, 3, 4, 5, 255, 256, 257, 300, 515]) {
      for (const lda of [K, K + 5]) {
        const A = floats(M * lda, M * 1000 + K);
        const want = packAForSgemm(A, 0, lda, 1, M, K);
        const mem = k.scratch(A.length + want.length + 8)!;
        // Stale values where the zero rows go: packA must overwrite them.
        mem.fill(NaN, A.length, A.length + want.length);
        mem.set(A, 0);
        pack!.packA(0, lda, M, K, 256, A.length * 4);
        assert.deepEqual(mem.slice(A.length, A.length + want.length), want, `M=${M} K=${K} lda=${lda}`);
      }
    }
  }
});

test('pack.wat gather copies contiguous, transposed and strided operands', { skip }, () => {
  const k = kernels!;
  for (const [rows, cols, rs, cs] of [[5, 7, 7, 1], [4, 9, 12, 1], [6, 5, 1, 6], [3, 4, 1, 40], [4, 3, 10, 3], [1, 1, 1, 1]]) {
    const span = (rows - 1) * rs + (cols - 1) * cs + 1;
    const src = floats(span, rows * 10 + cols);
    const ldd = cols + 3;
    const mem = k.scratch(span + rows * ldd)!;
    mem.set(src, 0);
    mem.fill(-7, span, span + rows * ldd);
    pack!.gather(0, rows, cols, rs, cs, span * 4, ldd);
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < ldd; j++) {
        const want = j < cols ? src[i * rs + j * cs] : -7; // padding columns are left alone
        assert.equal(mem[span + i * ldd + j], want, `rows=${rows} cols=${cols} rs=${rs} cs=${cs}: [${i},${j}]`);
      }
    }
  }
});

test('resident B rows are padded off multiples of 64 floats', () => {
  assert.equal(residentLdb(128), 136);
  assert.equal(residentLdb(512), 520);
  assert.equal(residentLdb(130), 136);
  assert.equal(residentLdb(32), 32);
  assert.equal(residentLdb(5), 8);
});

/** C = alpha·A·B in float64, operands by strides as gemm() takes them. */
function reference(M: number, N: number, K: number, A: Float32Array, aOff: number, aRs: number, aCs: number,
  B: Float32Array, bOff: number, bRs: number, bCs: number, alpha: number): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let p = 0; p < K; p++) s += A[aOff + i * aRs + p * aCs] * B[bOff + p * bRs + j * bCs];
      out[i * N + j] = alpha * s;
    }
  }
  return out;
}

for (const backend of BACKENDS) {
  test(`${backend}: products with strided A, transposed B and constant B with padded rows`, () => {
    let seed = 1;
    for (const [M, N, K] of [[64, 128, 128], [64, 512, 128], [64, 128, 512], [9, 64, 33], [13, 40, 300], [64, 32, 64]]) {
      for (const [aRs, transB, constant] of [[K, false, true], [K + 3, true, false], [K + 3, false, false], [K, true, true]] as const) {
        const A = floats((M - 1) * aRs + K + 2, seed++);
        const B = floats(K * N + 1, seed++);
        if (constant) markConstant(B);
        const [bRs, bCs] = transB ? [1, K] : [N, 1];
        const want = reference(M, N, K, A, 1, aRs, 1, B, 1, bRs, bCs, 0.5);
        for (const call of ['first', 'second']) {
          const C = new Float32Array(M * N).fill(NaN);
          withKernelBackend(backend, () => gemm(M, N, K, A, 1, aRs, 1, B, 1, bRs, bCs, C, 0, N, 0.5));
          assertNear(C, want, K, `${call} call: M=${M} N=${N} K=${K} aRs=${aRs} transB=${transB} constant=${constant}`);
        }
      }
    }
  });

  test(`${backend}: attention heads as FusedMatMul with the Transposes folded in`, () => {
    // q, k, v as [1, seq, heads, dh] (the Reshape of a projection); scores = q·kᵀ per head, then scores·v merged back.
    for (const [seq, heads, dh] of [[64, 4, 32], [20, 3, 16], [17, 2, 24]]) {
      const q = floats(seq * heads * dh, seq + 1), kk = floats(seq * heads * dh, seq + 2), v = floats(seq * heads * dh, seq + 3);
      const t = (dims: number[], data: Float32Array): Tensor => ({ type: 'float32', dims, data });
      const scale = 1 / Math.sqrt(dh);
      const qk: FusedMatMulAttrs = { alpha: scale, activation: 'none', activationParams: [], permA: [0, 2, 1, 3], permB: [0, 2, 3, 1] };
      const av: FusedMatMulAttrs = { alpha: 1, activation: 'none', activationParams: [], permB: [0, 2, 1, 3], permY: [0, 2, 1, 3] };
      const [scores, merged] = withKernelBackend(backend, () => {
        const s = fusedMatMul(new NodeCtx('qk', true), [t([1, seq, heads, dh], q), t([1, seq, heads, dh], kk)], qk)[0];
        const sData = Float32Array.from(s.data as Float32Array);
        const m = fusedMatMul(new NodeCtx('av', true), [t(s.dims as number[], sData), t([1, seq, heads, dh], v)], av)[0];
        assert.deepEqual(s.dims, [1, heads, seq, seq]);
        assert.deepEqual(m.dims, [1, seq, heads, dh]);
        return [sData, m.data as Float32Array];
      });
      const rs = heads * dh;
      for (let h = 0; h < heads; h++) {
        // scores[h][i, j] = scale · Σ_p q[i, h, p]·k[j, h, p]
        const wantS = reference(seq, seq, dh, q, h * dh, rs, 1, kk, h * dh, 1, rs, scale);
        assertNear(scores.subarray(h * seq * seq, (h + 1) * seq * seq), wantS, dh, `${backend} scores seq=${seq} head ${h}`);
        // merged[i, h, j] = Σ_p scores[h][i, p]·v[p, h, j]
        const wantM = reference(seq, dh, seq, scores, h * seq * seq, seq, 1, v, h * dh, rs, 1, 1);
        const gotM = Float32Array.from({ length: seq * dh }, (_, e) => merged[Math.floor(e / dh) * rs + h * dh + (e % dh)]);
        assertNear(gotM, wantM, seq, `${backend} merged seq=${seq} head ${h}`);
      }
    }
  });

  test(`${backend}: FusedMatMul with constant weights (resident rows padded), a bias and Relu`, () => {
    for (const [M, N, K] of [[64, 512, 128], [9, 256, 40], [64, 128, 512], [6, 136, 24]]) {
      const A = floats(M * K, N + 1), W = floats(K * N, N + 2), bias = floats(N, N + 3);
      markConstant(W);
      const t = (dims: number[], data: Float32Array): Tensor => ({ type: 'float32', dims, data });
      const attrs: FusedMatMulAttrs = { alpha: 1, activation: 'relu', activationParams: [] };
      const want = reference(M, N, K, A, 0, K, 1, W, 0, N, 1, 1).map((v, e) => Math.max(v + bias[e % N], 0));
      for (const call of ['first', 'second']) {
        const y = withKernelBackend(backend, () => fusedMatMul(new NodeCtx('mm', true), [t([1, M, K], A), t([K, N], W), t([N], bias)], attrs)[0].data as Float32Array);
        assertNear(y, want, K, `${backend} ${call} call M=${M} N=${N} K=${K}`);
      }
    }
  });

  test(`${backend}: batched FusedMatMul with a bias and Relu per batch`, () => {
    const [nb, M, N, K] = [3, 20, 24, 40];
    const A = floats(nb * M * K, 5), B = floats(nb * K * N, 6), bias = floats(N, 7);
    const t = (dims: number[], data: Float32Array): Tensor => ({ type: 'float32', dims, data });
    const attrs: FusedMatMulAttrs = { alpha: 2, activation: 'relu', activationParams: [] };
    const y = withKernelBackend(backend, () => fusedMatMul(new NodeCtx('mm', true), [t([nb, M, K], A), t([nb, K, N], B), t([N], bias)], attrs)[0].data as Float32Array);
    for (let b = 0; b < nb; b++) {
      const want = reference(M, N, K, A, b * M * K, K, 1, B, b * K * N, N, 1, 2).map((v, e) => Math.max(v + bias[e % N], 0));
      assertNear(y.subarray(b * M * N, (b + 1) * M * N), want, K, `${backend} batch ${b}`);
    }
  });
}
