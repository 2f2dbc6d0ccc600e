// The common-subexpression pass alone and in the pipeline: repeated pure calls
// merged (operands renamed through the chain), the verifier after it, results equal
// to the unoptimised graph, and what it must leave alone (random ops, graph outputs,
// different attributes or operands).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Tensor } from '../../runtime/tensor/tensor.js';
import { loadProgramFromBytes } from '../../src/api.js';
import { verifyProgram } from '../../src/ir/verify.js';
import { commonSubexpressionElimination } from '../../src/passes/cse.js';
import { graph, modelBytes, valueInfo, type NodeSpec } from '../support/onnx-builder.js';
import { callPrims, evaluateProgram, lcgFloats } from '../support/ir-eval.js';

const feeds = (): Record<string, Tensor> => ({ X: { type: 'float32', dims: [2, 3, 4], data: Float32Array.from(lcgFloats(24, 5)) } });

function program(nodes: NodeSpec[], outputs: string[], optimize = false): ReturnType<typeof loadProgramFromBytes> {
  const g = graph({
    nodes,
    inputs: [valueInfo('X', 'float32', [2, 3, 4])],
    outputs: outputs.map((name) => ({ name })),
    initializers: { s: { type: 'float32', dims: [], data: Float32Array.of(0.5) } },
  });
  return loadProgramFromBytes(modelBytes(g, { '': 17 }), 'model.onnx', { optimize });
}

function assertSameResults(a: ReturnType<typeof program>, b: ReturnType<typeof program>): void {
  const want = evaluateProgram(a, feeds(), 'js'), got = evaluateProgram(b, feeds(), 'js');
  assert.equal(got.length, want.length);
  for (let k = 0; k < want.length; k++) assert.deepEqual(Array.from(got[k].data as Float32Array), Array.from(want[k].data as Float32Array));
}

test('a repeated chain of pure calls is computed once, with the same results', () => {
  const nodes: NodeSpec[] = [
    { op: 'Transpose', inputs: ['X'], outputs: ['t1'], attrs: { perm: [0, 2, 1] } },
    { op: 'Transpose', inputs: ['X'], outputs: ['t2'], attrs: { perm: [0, 2, 1] } },
    { op: 'Mul', inputs: ['t1', 's'], outputs: ['m1'] },
    { op: 'Mul', inputs: ['t2', 's'], outputs: ['m2'] }, // same only once t2 is renamed to t1
    { op: 'Add', inputs: ['m1', 'm2'], outputs: ['y'] },
  ];
  const before = program(nodes, ['y']);
  const after = commonSubexpressionElimination(before);
  assert.deepEqual(verifyProgram(after), []);
  const count = (q: typeof before, prim: string): number => callPrims(q).filter((c) => c === prim).length;
  for (const prim of ['tensor.transpose', 'tensor.mul']) {
    assert.equal(count(before, prim), 2, `${prim} before`);
    assert.equal(count(after, prim), 1, `${prim} after`);
  }
  assertSameResults(before, after);
  const piped = program(nodes, ['y'], true);
  assert.deepEqual(verifyProgram(piped), []);
  assertSameResults(before, piped);
});

test('random ops, graph outputs and calls that differ are left alone', () => {
  const cases: [NodeSpec[], string[]][] = [
    // Two draws are two values.
    [[{ op: 'RandomUniformLike', inputs: ['X'], outputs: ['a'], attrs: { seed: { float: 1 } } },
      { op: 'RandomUniformLike', inputs: ['X'], outputs: ['b'], attrs: { seed: { float: 1 } } },
      { op: 'Add', inputs: ['a', 'b'], outputs: ['y'] }], ['y']],
    // Both results are graph outputs: they stay distinct tensors.
    [[{ op: 'Relu', inputs: ['X'], outputs: ['a'] }, { op: 'Relu', inputs: ['X'], outputs: ['b'] }], ['a', 'b']],
    // Different attributes.
    [[{ op: 'Transpose', inputs: ['X'], outputs: ['a'], attrs: { perm: [0, 2, 1] } },
      { op: 'Transpose', inputs: ['X'], outputs: ['b'], attrs: { perm: [1, 0, 2] } },
      { op: 'ReduceSum', inputs: ['a'], outputs: ['y'] }, { op: 'ReduceSum', inputs: ['b'], outputs: ['z'] }], ['y', 'z']],
    // Different operands.
    [[{ op: 'Mul', inputs: ['X', 's'], outputs: ['a'] }, { op: 'Mul', inputs: ['s', 'X'], outputs: ['b'] },
      { op: 'Sub', inputs: ['a', 'b'], outputs: ['y'] }], ['y']],
  ];
  for (const [nodes, outputs] of cases) {
    const p = program(nodes, outputs);
    assert.equal(commonSubexpressionElimination(p), p, nodes.map((n) => n.op).join(' '));
  }
});

test('duplicates inside a Loop body are merged within that body', () => {
  const body = graph({
    nodes: [
      { op: 'Relu', inputs: ['v'], outputs: ['r1'] },
      { op: 'Relu', inputs: ['v'], outputs: ['r2'] },
      { op: 'Add', inputs: ['r1', 'r2'], outputs: ['v2'] },
      { op: 'Identity', inputs: ['cond'], outputs: ['cond2'] },
    ],
    inputs: [valueInfo('i', 'int64', []), valueInfo('cond', 'bool', []), valueInfo('v', 'float32', [2, 3, 4])],
    outputs: [{ name: 'cond2' }, { name: 'v2' }],
    initializers: {},
  });
  const g = graph({
    nodes: [{ op: 'Loop', inputs: ['n', '', 'X'], outputs: ['y'], attrs: { body: { graph: body } } }],
    inputs: [valueInfo('X', 'float32', [2, 3, 4])],
    outputs: [{ name: 'y' }],
    initializers: { n: { type: 'int64', dims: [], data: BigInt64Array.of(3n) } },
  });
  const p = loadProgramFromBytes(modelBytes(g, { '': 17 }), 'model.onnx', { optimize: false });
  const after = commonSubexpressionElimination(p);
  assert.deepEqual(verifyProgram(after), []);
  const count = (q: typeof p): number => JSON.stringify(q.body).split('"tensor.relu"').length - 1;
  assert.equal(count(p), 2);
  assert.equal(count(after), 1);
});
