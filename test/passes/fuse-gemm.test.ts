// The fuse-gemm pass alone and in the pipeline: Gemm + activation → FusedGemm, the
// verifier after it, results equal to the unfused graph on both backends, and the
// cases it must leave alone.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tensor } from '../../runtime/tensor/tensor.js';
import { loadProgramFromBytes } from '../../src/api.js';
import { verifyProgram } from '../../src/ir/verify.js';
import { fuseGemm } from '../../src/passes/fuse-gemm.js';
import { graph, modelBytes, valueInfo, type NodeSpec } from '../support/onnx-builder.js';
import { callPrims, evaluateProgram, lcgFloats } from '../support/ir-eval.js';

const rand = (n: number, seed: number): Float32Array => Float32Array.from(lcgFloats(n, seed));



/** X [M, K] · W [K, N] + B, then the tail (input "g", output "y"). */
function model(M: number, K: number, N: number, tail: NodeSpec[], outputs = ['y']): { bytes: Uint8Array; feeds: Record<string, Tensor> } {
  const g = graph({
    nodes: [{ op: 'Gemm', inputs: ['X', 'W', 'B'], outputs: ['g'], attrs: { alpha: { float: 0.5 }, beta: { float: 1.5 } } }, ...tail],
    inputs: [valueInfo('X', 'float32', [M, K])],
    outputs: outputs.map((name) => ({ name })),
    initializers: {
      W: { type: 'float32', dims: [K, N], data: rand(K * N, 2) },
      B: { type: 'float32', dims: [N], data: rand(N, 3) },
      lo: { type: 'float32', dims: [], data: Float32Array.of(-0.2) },
    },
  });
  return { bytes: modelBytes(g, { '': 17 }), feeds: { X: { type: 'float32', dims: [M, K], data: rand(M * K, 1) } } };
}

test('Gemm + activation becomes one FusedGemm with the same results on both backends', () => {
  const tails: NodeSpec[][] = [
    [{ op: 'Relu', inputs: ['g'], outputs: ['y'] }],
    [{ op: 'Clip', inputs: ['g', 'lo'], outputs: ['y'] }],
    [{ op: 'LeakyRelu', inputs: ['g'], outputs: ['y'], attrs: { alpha: { float: 0.2 } } }],
    [{ op: 'Sigmoid', inputs: ['g'], outputs: ['y'] }],
    [{ op: 'HardSwish', inputs: ['g'], outputs: ['y'] }],
  ];
  for (const tail of tails) {
    for (const [M, K, N] of [[3, 5, 7], [33, 70, 65]]) {
      const { bytes, feeds } = model(M, K, N, tail);
      const unfused = loadProgramFromBytes(bytes, 'model.onnx', { optimize: false });
      const alone = fuseGemm(unfused);
      assert.deepEqual(verifyProgram(alone), []);
      const p = loadProgramFromBytes(bytes, 'model.onnx', { afterPass: (name, q) => assert.deepEqual(verifyProgram(q), [], name) });
      assert.deepEqual(callPrims(p), ['tensor.fusedGemm'], tail[0].op);
      const want = evaluateProgram(unfused, feeds, 'js')[0];
      for (const backend of ['wasm-simd', 'js'] as const) {
        const got = evaluateProgram(p, feeds, backend)[0];
        assert.deepEqual(got.dims, want.dims);
        for (let i = 0; i < want.data.length; i++) {
          const g = Number(got.data[i]), w = Number(want.data[i]);
          assert.ok(Math.abs(g - w) <= 2e-5 * (1 + Math.abs(w)), `${tail[0].op} ${M}x${K}x${N} ${backend}: ${i} got ${g} want ${w}`);
        }
      }
    }
  }
});

test('a Gemm whose output is also a graph output or used twice is left alone', () => {
  for (const [tail, outputs] of [
    [[{ op: 'Relu', inputs: ['g'], outputs: ['y'] }], ['y', 'g']],
    [[{ op: 'Relu', inputs: ['g'], outputs: ['r'] }, { op: 'Add', inputs: ['r', 'g'], outputs: ['y'] }], ['y']],
  ] as [NodeSpec[], string[]][]) {
    const p = loadProgramFromBytes(model(3, 4, 5, tail, outputs).bytes, 'model.onnx', { optimize: false });
    assert.equal(fuseGemm(p), p);
  }
});

test('a [N] bias with beta 1 and Relu/Clip/none are applied inside the SIMD SGEMM tiles, as the unfused graph computes them', () => {
  for (const [tail, what] of [
    [[{ op: 'Relu', inputs: ['g'], outputs: ['y'] }], 'relu'],
    [[{ op: 'Clip', inputs: ['g', 'lo'], outputs: ['y'] }], 'clip (min only)'],
    [[{ op: 'Identity', inputs: ['g'], outputs: ['y'] }], 'no activation'],
  ] as [NodeSpec[], string][]) {
    for (const [M, K, N] of [[2, 300, 40], [33, 70, 65], [64, 128, 17]]) {
      const g = graph({
        nodes: [{ op: 'Gemm', inputs: ['X', 'W', 'B'], outputs: ['g'], attrs: { transB: 1 } }, ...tail],
        inputs: [valueInfo('X', 'float32', [M, K])],
        outputs: [{ name: 'y' }],
        initializers: {
          W: { type: 'float32', dims: [N, K], data: rand(K * N, 7) },
          B: { type: 'float32', dims: [N], data: rand(N, 8) },
          lo: { type: 'float32', dims: [], data: Float32Array.of(-0.2) },
        },
      });
      const bytes = modelBytes(g, { '': 17 });
      const feeds = { X: { type: 'float32' as const, dims: [M, K], data: rand(M * K, 9) } };
      const want = evaluateProgram(loadProgramFromBytes(bytes, 'model.onnx', { optimize: false }), feeds, 'js')[0];
      const p = loadProgramFromBytes(bytes, 'model.onnx');
      for (const backend of ['wasm-simd', 'js'] as const) {
        for (let call = 0; call < 2; call++) {
          const got = evaluateProgram(p, feeds, backend)[0];
          for (let i = 0; i < want.data.length; i++) {
            const gv = Number(got.data[i]), wv = Number(want.data[i]);
            assert.ok(Math.abs(gv - wv) <= 1e-5 * (1 + Math.abs(wv)), `${what} ${M}x${K}x${N} ${backend} call ${call + 1}: ${i} got ${gv} want ${wv}`);
          }
        }
      }
    }
  }
});
