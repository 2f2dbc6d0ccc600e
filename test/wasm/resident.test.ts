// Constant operands resident in the WebAssembly kernels' memory: the GEMV kernel
// (batch-1 products with a constant matrix), SGEMM with a constant B, and the
// resident blocks themselves (kept intact when scratch requests move them).
// Every product is checked against a float64 reference at float32 accumulation
// tolerance, over sizes that leave partial panels, strided and transposed layouts,
// alpha and accumulate.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { gemm } from '../../runtime/tensor/gemm.js';
import { isConstantData, markConstant } from '../../runtime/tensor/constant-data.js';
import { wasmKernels } from '../../runtime/wasm/kernels.js';
import { lcgFloats as seededFloats } from '../support/ir-eval.js';

const kernels = wasmKernels();
const skip = kernels === null ? 'WebAssembly SIMD is not available here' : false;

/** C = alpha·A·B (+ C) in float64, operands by strides as gemm() takes them. */
function reference(
  M: number, N: number, K: number, A: Float32Array, aRs: number, aCs: number, B: Float32Array, bRs: number, bCs: number,
  C0: Float32Array, alpha: number, accumulate: boolean,
): Float64Array {
  const out = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let p = 0; p < K; p++) s += A[i * aRs + p * aCs] * B[p * bRs + j * bCs];
      out[i * N + j] = alpha * s + (accumulate ? C0[i * N + j] : 0);
    }
  }
  return out;
}

function assertNear(got: Float32Array, want: Float64Array, K: number, what: string): void {
  // Float32 accumulation over K terms of magnitude ≤ 1: error grows like K·2^-24.
  const tol = 4e-7 * Math.max(K, 8);
  for (let i = 0; i < want.length; i++) {
    assert.ok(Math.abs(got[i] - want[i]) <= tol * (1 + Math.abs(want[i])), `${what}: element ${i}: got ${got[i]}, want ${want[i]}`);
  }
}

interface Case { M: number; N: number; K: number; A: Float32Array; B: Float32Array; bRs: number; bCs: number; C0: Float32Array; want: Float64Array; what: string }

function makeCase(M: number, N: number, K: number, transB: boolean, alpha: number, accumulate: boolean, seed: number): Case & { alpha: number; accumulate: boolean } {
  const A = Float32Array.from(seededFloats(M * K, seed));
  const B = Float32Array.from(seededFloats(K * N, seed + 1));
  markConstant(B);
  const [bRs, bCs] = transB ? [1, K] : [N, 1];
  const C0 = Float32Array.from(seededFloats(M * N, seed + 2));
  const want = reference(M, N, K, A, K, 1, B, bRs, bCs, C0, alpha, accumulate);
  return { M, N, K, A, B, bRs, bCs, C0, want, alpha, accumulate, what: `M=${M} N=${N} K=${K} transB=${transB} alpha=${alpha} accumulate=${accumulate}` };
}

function check(c: ReturnType<typeof makeCase>, label: string): void {
  const C = c.C0.slice();
  gemm(c.M, c.N, c.K, c.A, 0, c.K, 1, c.B, 0, c.bRs, c.bCs, C, 0, c.N, c.alpha, c.accumulate);
  assertNear(C, c.want, c.K, `${c.what} (${label})`);
}

function product(M: number, N: number, K: number, transB: boolean, alpha: number, accumulate: boolean, seed: number): void {
  const c = makeCase(M, N, K, transB, alpha, accumulate, seed);
  // Twice: the first call packs B, the second reads the resident copy.
  check(c, 'first call');
  check(c, 'second call');
}

test('constants are marked by storage array', () => {
  const a = new Float32Array(4), b = new Float32Array(4);
  markConstant(a);
  assert.equal(isConstantData(a), true);
  assert.equal(isConstantData(b), false);
  assert.equal(isConstantData(a.subarray(1)), false); // a view is another array: never assumed constant
});

test('GEMV with a resident constant matrix (batch-1 Gemm/MatMul)', { skip }, () => {
  let seed = 1;
  for (const [N, K] of [[8, 128], [10, 784], [33, 37], [1000, 64], [129, 130], [64, 17]]) {
    for (const transB of [false, true]) {
      product(1, N, K, transB, 1, false, seed++);
      product(1, N, K, transB, 0.5, true, seed++);
    }
  }
});

test('SGEMM with a resident constant B (MatMul/Gemm with weights)', { skip }, () => {
  let seed = 100;
  for (const [M, N, K] of [[5, 24, 40], [32, 512, 64], [64, 130, 128], [7, 17, 300], [4, 16, 256]]) {
    for (const transB of [false, true]) {
      product(M, N, K, transB, 1, false, seed++);
      product(M, N, K, transB, 2, true, seed++);
    }
  }
});

test('resident blocks keep their contents when scratch requests move them up', { skip }, () => {
  const k = kernels!;
  const floats = 1000;
  const rel = k.reserve(floats);
  assert.notEqual(rel, null);
  let mem = k.scratch(0)!;
  let base = k.residentBase() + rel!;
  for (let i = 0; i < floats; i++) mem[base + i] = i * 0.5 + 1;
  // A request past the current resident start forces a move (and memory growth).
  const big = k.residentBase() + 3_000_000;
  mem = k.scratch(big)!;
  assert.ok(k.residentBase() * 4 >= big * 4, 'the resident blocks lie above the scratch');
  base = k.residentBase() + rel!;
  for (let i = 0; i < floats; i++) assert.equal(mem[base + i], i * 0.5 + 1, `float ${i} after the move`);
});

test('products with matrices packed before a move still agree after it', { skip }, () => {
  const k = kernels!;
  const cases = [makeCase(1, 40, 50, true, 1, false, 7), makeCase(9, 40, 50, false, 1, false, 8), makeCase(1, 300, 64, false, 1, true, 9)];
  for (const c of cases) check(c, 'before the move');
  k.scratch(k.residentBase() + 2_000_000);
  for (const c of cases) check(c, 'after the move');
});
