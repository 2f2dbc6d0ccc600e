// The fuse-layernorm pass alone and in the pipeline: a residual Add feeding
// LayerNormalization → AddLayerNormalization, the verifier after it, results equal to
// the unfused graph on both backends, the cases it must leave alone, and the kernel's
// check of its operands.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addLayerNormalization } from '../../runtime/tensor/norm.js';
import { NodeCtx, type DType, type Tensor } from '../../runtime/tensor/tensor.js';
import { loadProgramFromBytes } from '../../src/api.js';
import { verifyProgram } from '../../src/ir/verify.js';
import { fuseLayerNorm } from '../../src/passes/fuse-layernorm.js';
import { graph, modelBytes, valueInfo, type NodeSpec } from '../support/onnx-builder.js';
import { callPrims, evaluateProgram, lcgFloats } from '../support/ir-eval.js';

type Floats = Float32Array | Float64Array;
const data = (type: DType, n: number, seed: number, offset = 0): Floats => {
  const v = lcgFloats(n, seed).map((x) => x + offset);
  return type === 'float64' ? Float64Array.from(v) : Float32Array.from(v);
};
const size = (d: readonly number[]): number => d.reduce((a, b) => a * b, 1);

/** X + R (both inputs, dims `x` and `r`) → LayerNormalization over the last axis (scale "S", bias "B"). */
function model(x: number[], r: number[], opts: { type?: DType; bias?: boolean; outputs?: string[]; extra?: NodeSpec[]; lnOutputs?: string[] } = {}): { bytes: Uint8Array; feeds: Record<string, Tensor> } {
  const type = opts.type ?? 'float32';
  const cols = x[x.length - 1];
  const g = graph({
    nodes: [
      { op: 'Add', inputs: ['X', 'R'], outputs: ['s'] },
      { op: 'LayerNormalization', inputs: opts.bias === false ? ['s', 'S'] : ['s', 'S', 'B'], outputs: opts.lnOutputs ?? ['y'], attrs: { epsilon: { float: 1e-5 } } },
      ...(opts.extra ?? []),
    ],
    inputs: [valueInfo('X', type, x), valueInfo('R', type, r)],
    outputs: (opts.outputs ?? ['y']).map((name) => ({ name })),
    initializers: { S: { type, dims: [cols], data: data(type, cols, 3) }, B: { type, dims: [cols], data: data(type, cols, 4) } },
  });
  // An offset far above the spread checks the one-pass statistics on badly centred rows.
  return {
    bytes: modelBytes(g, { '': 17 }),
    feeds: { X: { type, dims: x, data: data(type, size(x), 1, 300) }, R: { type, dims: r, data: data(type, size(r), 2) } },
  };
}

test('residual Add + LayerNormalization becomes one AddLayerNormalization with the same results on both backends', () => {
  const cases: [string, ReturnType<typeof model>][] = [
    ['float32', model([2, 5, 64], [2, 5, 64])],
    ['no bias', model([3, 7], [3, 7], { bias: false })],
    ['float64', model([4, 33], [4, 33], { type: 'float64' })],
  ];
  for (const [label, { bytes, feeds }] of cases) {
    const unfused = loadProgramFromBytes(bytes, 'model.onnx', { optimize: false });
    const alone = fuseLayerNorm(unfused);
    assert.deepEqual(verifyProgram(alone), [], label);
    assert.deepEqual(callPrims(alone), ['tensor.addLayerNormalization'], label);
    const p = loadProgramFromBytes(bytes, 'model.onnx', { afterPass: (name, q) => assert.deepEqual(verifyProgram(q), [], `${label} ${name}`) });
    assert.deepEqual(callPrims(p), ['tensor.addLayerNormalization'], label);
    const want = evaluateProgram(unfused, feeds, 'js')[0];
    for (const backend of ['wasm-simd', 'js'] as const) {
      const got = evaluateProgram(p, feeds, backend)[0];
      assert.deepEqual(got.dims, want.dims, label);
      for (let i = 0; i < want.data.length; i++) {
        const g = Number(got.data[i]), w = Number(want.data[i]);
        assert.ok(Math.abs(g - w) <= 1e-5 * (1 + Math.abs(w)), `${label} ${backend}: ${i} got ${g} want ${w}`);
      }
    }
  }
});

test('Adds the pass must leave alone', () => {
  const cases: [string, ReturnType<typeof model>][] = [
    ['broadcasting Add', model([3, 7], [7])],
    ['sum also a graph output', model([3, 7], [3, 7], { outputs: ['y', 's'] })],
    ['sum used twice', model([3, 7], [3, 7], { outputs: ['z'], extra: [{ op: 'Add', inputs: ['y', 's'], outputs: ['z'] }] })],
    ['LayerNormalization with a Mean output', model([3, 7], [3, 7], { lnOutputs: ['y', 'mean'], outputs: ['y', 'mean'] })],
  ];
  for (const [label, { bytes }] of cases) {
    const p = loadProgramFromBytes(bytes, 'model.onnx', { optimize: false });
    assert.equal(fuseLayerNorm(p), p, label);
  }
});

test('AddLayerNormalization rejects operands of different shapes or types, naming them', () => {
  const t = (type: 'float32' | 'float64', dims: number[]): Tensor => ({ type, dims, data: type === 'float64' ? new Float64Array(size(dims)) : new Float32Array(size(dims)) });
  const attrs = { axis: -1, epsilon: 1e-5, statsType: 'float32' as const, outputs: 1 };
  assert.throws(() => addLayerNormalization(new NodeCtx('n'), [t('float32', [2, 3]), t('float32', [3]), t('float32', [3])], attrs), /one type and shape, got float32\[2,3\] and float32\[3\]/);
  assert.throws(() => addLayerNormalization(new NodeCtx('n'), [t('float32', [2, 3]), t('float64', [2, 3]), t('float32', [3])], attrs), /float64\[2,3\]/);
});
