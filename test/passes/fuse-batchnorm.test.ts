// The fuse-batchnorm pass alone: BatchNormalization folded into the preceding Conv
// (with and without a Conv bias, float32 and float64, grouped), the verifier after
// it, the results against the unfused graph, and the cases it must leave alone.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DType, Tensor } from '../../runtime/tensor/tensor.js';
import { loadProgramFromBytes } from '../../src/api.js';
import { verifyProgram } from '../../src/ir/verify.js';
import { fuseBatchNorm } from '../../src/passes/fuse-batchnorm.js';
import { graph, modelBytes, valueInfo, type NodeSpec } from '../support/onnx-builder.js';
import { callPrims, evaluateProgram, lcgFloats } from '../support/ir-eval.js';

/** n values in [lo, hi). */
const rand = (n: number, seed: number, lo: number, hi: number): number[] => lcgFloats(n, seed).map((v) => lo + (hi - lo) * ((v + 1) / 2));

function tensor(type: DType, dims: number[], data: number[]): Tensor {
  return { type, dims, data: type === 'float64' ? Float64Array.from(data) : Float32Array.from(data) };
}

interface Spec { type?: DType; bias?: boolean; group?: number; extra?: NodeSpec[]; outputs?: string[]; bnOpset?: number }

function model(spec: Spec): { bytes: Uint8Array; feeds: Record<string, Tensor> } {
  const type = spec.type ?? 'float32', group = spec.group ?? 1;
  const C = 4, M = 6;
  const inits: Record<string, Tensor> = {
    W: tensor(type, [M, C / group, 3, 3], rand(M * (C / group) * 9, 1, -1, 1)),
    scale: tensor(type, [M], rand(M, 2, 0.5, 2)),
    beta: tensor(type, [M], rand(M, 3, -1, 1)),
    mean: tensor(type, [M], rand(M, 4, -0.5, 0.5)),
    var: tensor(type, [M], rand(M, 5, 0.1, 3)),
  };
  if (spec.bias) inits.B = tensor(type, [M], rand(M, 6, -1, 1));
  const nodes: NodeSpec[] = [
    { op: 'Conv', inputs: spec.bias ? ['X', 'W', 'B'] : ['X', 'W'], outputs: ['c'], attrs: { group, pads: [1, 1, 1, 1] } },
    { op: 'BatchNormalization', inputs: ['c', 'scale', 'beta', 'mean', 'var'], outputs: ['y'], attrs: { epsilon: { float: 1e-3 } } },
    ...(spec.extra ?? []),
  ];
  const g = graph({
    nodes, inputs: [valueInfo('X', type, [2, C, 7, 6])],
    outputs: (spec.outputs ?? ['y']).map((name) => ({ name })), initializers: inits,
  });
  return { bytes: modelBytes(g, { '': spec.bnOpset ?? 15 }), feeds: { X: tensor(type, [2, C, 7, 6], rand(2 * C * 42, 7, -1, 1)) } };
}



function assertClose(got: Tensor, want: Tensor, tol: number, what: string): void {
  assert.deepEqual(got.dims, want.dims, what);
  for (let i = 0; i < want.data.length; i++) {
    const g = Number(got.data[i]), w = Number(want.data[i]);
    assert.ok(Math.abs(g - w) <= tol * (1 + Math.abs(w)), `${what}: element ${i} got ${g} want ${w}`);
  }
}

test('BatchNormalization after a Conv is folded into its weights and bias (pass alone, then verified)', () => {
  const cases: [string, Spec, number][] = [
    ['float32 with bias', { bias: true }, 2e-5],
    ['float32 without bias', {}, 2e-5],
    ['float32 grouped, BN-9', { group: 2, bnOpset: 9 }, 2e-5],
    ['float64', { type: 'float64', bias: true }, 1e-12],
  ];
  for (const [what, spec, tol] of cases) {
    const { bytes, feeds } = model(spec);
    const unfused = loadProgramFromBytes(bytes, 'model.onnx', { optimize: false });
    const folded = fuseBatchNorm(unfused);
    assert.deepEqual(verifyProgram(folded), [], what);
    assert.deepEqual(callPrims(folded), ['tensor.conv'], what);
    assertClose(evaluateProgram(folded, feeds)[0], evaluateProgram(unfused, feeds)[0], tol, what);
  }
});

test('the pipeline folds BN and then fuses the Conv; every pass verifies', () => {
  const { bytes } = model({ bias: true, extra: [{ op: 'Relu', inputs: ['y'], outputs: ['r'] }], outputs: ['r'] });
  const p = loadProgramFromBytes(bytes, 'model.onnx', {
    afterPass: (name, q) => assert.deepEqual(verifyProgram(q), [], `after ${name}`),
  });
  assert.deepEqual(callPrims(p), ['tensor.fusedConv']);
});

test('BN is not folded when the Conv output has another use or is a graph output', () => {
  for (const spec of [
    { extra: [{ op: 'Relu', inputs: ['c'], outputs: ['r'] }], outputs: ['y', 'r'] },
    { outputs: ['y', 'c'] },
  ] as Spec[]) {
    const { bytes } = model(spec);
    const p = loadProgramFromBytes(bytes, 'model.onnx', { optimize: false });
    assert.equal(fuseBatchNorm(p), p);
  }
});

test('BN with parameters computed at run time is not folded', () => {
  const g = graph({
    nodes: [
      { op: 'Conv', inputs: ['X', 'W'], outputs: ['c'] },
      { op: 'BatchNormalization', inputs: ['c', 'S', 'S', 'S', 'S'], outputs: ['y'] },
    ],
    inputs: [valueInfo('X', 'float32', [1, 2, 4, 4]), valueInfo('S', 'float32', [3])],
    outputs: [{ name: 'y' }],
    initializers: { W: tensor('float32', [3, 2, 1, 1], rand(6, 1, -1, 1)) },
  });
  const p = loadProgramFromBytes(modelBytes(g, { '': 15 }), 'model.onnx', { optimize: false });
  assert.equal(fuseBatchNorm(p), p);
});

test('the whole pipeline embeds only the folded weights, not the Conv weights they replaced', async () => {
  const { generateModule } = await import('../../src/api.js');
  const { bytes } = model({ bias: true });
  const folded = await generateModule(loadProgramFromBytes(bytes, 'bn.onnx'));
  const unfolded = await generateModule(loadProgramFromBytes(bytes, 'bn.onnx', { optimize: false }));
  const weightLines = (src: string) => src.split('\n').filter((l) => /^const w_/.test(l)).map((l) => l.split(' =')[0]);
  // Unoptimised: W, B and the four BatchNorm tensors. Folded: one weight and one bias.
  assert.equal(weightLines(unfolded.files['model.ts']).length, 6);
  assert.deepEqual(weightLines(folded.files['model.ts']).length, 2, weightLines(folded.files['model.ts']).join(', '));
});
