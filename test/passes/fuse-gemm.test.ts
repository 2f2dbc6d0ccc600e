// The fuse-gemm pass alone and in the pipeline: Gemm + activation → FusedGemm, the
// verifier after it, results equal to the unfused graph on both backends, and the
// cases it must leave alone.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { invoke } from '../../runtime/tensor/invoke.js';
import { NodeCtx, type Tensor } from '../../runtime/tensor/tensor.js';
import { setKernelBackend } from '../../runtime/wasm/kernels.js';
import { loadProgramFromBytes } from '../../src/api.js';
import type { Program } from '../../src/ir/program.js';
import { verifyProgram } from '../../src/ir/verify.js';
import { lookupPrimitive } from '../../src/primitives/registry.js';
import { fuseGemm } from '../../src/passes/fuse-gemm.js';
import { graph, modelBytes, valueInfo, type NodeSpec } from '../support/onnx-builder.js';

function rand(n: number, seed: number): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

function prims(p: Program): string[] {
  return p.body.flatMap((s) => (s.kind === 'let' && s.expr.kind === 'call' ? [s.expr.prim] : []));
}

function evaluate(p: Program, feeds: Record<string, Tensor>, backend: 'wasm-simd' | 'js'): Tensor {
  const env = new Map<number, Tensor>();
  for (const i of p.inputs) env.set(i.value, feeds[i.name]);
  const previous = setKernelBackend(backend);
  try {
    for (const s of p.body) {
      if (s.kind !== 'let') throw new Error(`unexpected ${s.kind}`);
      if (s.expr.kind === 'const') { env.set(s.results[0], p.constants[s.expr.id].value as Tensor); continue; }
      if (s.expr.kind === 'value') { env.set(s.results[0], env.get(s.expr.id) as Tensor); continue; }
      const prim = lookupPrimitive(s.expr.prim);
      assert.ok(prim);
      const out = invoke(prim.kernel as never, new NodeCtx('n', true), s.expr.args.map((a) => (a === null ? undefined : env.get(a))), s.expr.attrs as never);
      s.results.forEach((r, k) => env.set(r, out[k]));
    }
  } finally {
    setKernelBackend(previous);
  }
  return env.get(p.outputs[0].value) as Tensor;
}

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
      assert.deepEqual(prims(p), ['tensor.fusedGemm'], tail[0].op);
      const want = evaluate(unfused, feeds, 'js');
      for (const backend of ['wasm-simd', 'js'] as const) {
        const got = evaluate(p, feeds, backend);
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
