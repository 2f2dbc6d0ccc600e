// The fuse-matmul pass alone and in the pipeline: MatMul [+ scalar Mul/Div] [+ bias
// Add] [+ activation] → FusedMatMul, the verifier after it, results equal to the
// unfused graph on both backends, the cases it must leave alone, and the kernel's
// check of its bias.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fusedMatMul } from '../../runtime/tensor/fused-matmul.js';
import { NodeCtx, type DType, type Tensor } from '../../runtime/tensor/tensor.js';
import { loadProgramFromBytes } from '../../src/api.js';
import { verifyProgram } from '../../src/ir/verify.js';
import { fuseMatMul } from '../../src/passes/fuse-matmul.js';
import { graph, modelBytes, valueInfo, type NodeSpec } from '../support/onnx-builder.js';
import { callPrims, evaluateProgram, lcgFloats } from '../support/ir-eval.js';

type Floats = Float32Array | Float64Array;

const data = (type: DType, n: number, seed: number): Floats =>
  type === 'float64' ? Float64Array.from(lcgFloats(n, seed)) : Float32Array.from(lcgFloats(n, seed));

interface Case {
  /** X's dims (a graph input). */
  readonly x: readonly number[];
  /** W's dims: a constant, or a second graph input when `wInput`. */
  readonly w: readonly number[];
  readonly wInput?: boolean;
  /** Bias dims (a constant "B"). */
  readonly bias?: readonly number[];
  /** Nodes after MatMul (its output is "m"); the last writes "y". */
  readonly tail: readonly NodeSpec[];
  readonly outputs?: readonly string[];
  readonly type?: DType;
  /** Nodes before the MatMul, which then multiplies `mm` instead of X and W. */
  readonly pre?: readonly NodeSpec[];
  readonly mm?: readonly [string, string];
}

function model(c: Case): { bytes: Uint8Array; feeds: Record<string, Tensor> } {
  const type = c.type ?? 'float32';
  const size = (d: readonly number[]): number => d.reduce((a, b) => a * b, 1);
  const inits: Record<string, { type: DType; dims: number[]; data: Floats }> = {
    s: { type, dims: [], data: type === 'float64' ? Float64Array.of(0.125) : Float32Array.of(0.125) },
    d: { type, dims: [1], data: type === 'float64' ? Float64Array.of(3) : Float32Array.of(3) },
    lo: { type, dims: [], data: type === 'float64' ? Float64Array.of(-0.2) : Float32Array.of(-0.2) },
  };
  if (!c.wInput) inits.W = { type, dims: c.w.slice(), data: data(type, size(c.w), 2) };
  if (c.bias) inits.B = { type, dims: c.bias.slice(), data: data(type, size(c.bias), 3) };
  const g = graph({
    nodes: [...(c.pre ?? []), { op: 'MatMul', inputs: c.mm ?? ['X', 'W'], outputs: ['m'] }, ...c.tail],
    inputs: [valueInfo('X', type, c.x), ...(c.wInput ? [valueInfo('W', type, c.w)] : [])],
    outputs: (c.outputs ?? ['y']).map((name) => ({ name })),
    initializers: inits,
  });
  const feeds: Record<string, Tensor> = { X: { type, dims: c.x.slice(), data: data(type, size(c.x), 1) } };
  if (c.wInput) feeds.W = { type, dims: c.w.slice(), data: data(type, size(c.w), 4) };
  return { bytes: modelBytes(g, { '': 17 }), feeds };
}

const tr = (from: string, to: string, perm?: number[]): NodeSpec =>
  ({ op: 'Transpose', inputs: [from], outputs: [to], ...(perm ? { attrs: { perm } } : {}) });
const addBias: NodeSpec = { op: 'Add', inputs: ['m', 'B'], outputs: ['a'] };
const act = (op: string, attrs?: NodeSpec['attrs'], from = 'a'): NodeSpec =>
  ({ op, inputs: op === 'Clip' ? [from, 'lo'] : [from], outputs: ['y'], ...(attrs ? { attrs } : {}) });

/** Fuses alone and in the pipeline (verifier after every pass), then compares both backends with the unfused graph. */
function checkFused(c: Case, label: string): void {
  const { bytes, feeds } = model(c);
  const unfused = loadProgramFromBytes(bytes, 'model.onnx', { optimize: false });
  const alone = fuseMatMul(unfused);
  assert.deepEqual(verifyProgram(alone), [], label);
  assert.deepEqual(callPrims(alone), ['tensor.fusedMatMul'], label);
  const p = loadProgramFromBytes(bytes, 'model.onnx', { afterPass: (name, q) => assert.deepEqual(verifyProgram(q), [], `${label} ${name}`) });
  assert.deepEqual(callPrims(p), ['tensor.fusedMatMul'], label);
  const want = evaluateProgram(unfused, feeds, 'js')[0];
  for (const backend of ['wasm-simd', 'js'] as const) {
    for (const prog of [alone, p]) {
      const got = evaluateProgram(prog, feeds, backend)[0];
      assert.deepEqual(got.dims, want.dims, label);
      assert.equal(got.type, want.type, label);
      for (let i = 0; i < want.data.length; i++) {
        const g = Number(got.data[i]), w = Number(want.data[i]);
        assert.ok(Math.abs(g - w) <= 2e-5 * (1 + Math.abs(w)), `${label} ${backend}: ${i} got ${g} want ${w}`);
      }
    }
  }
}

test('MatMul + bias + activation becomes one FusedMatMul with the same results on both backends', () => {
  const tails: [string, NodeSpec[]][] = [
    ['bias', [{ ...addBias, outputs: ['y'] }]],
    ['bias first', [{ op: 'Add', inputs: ['B', 'm'], outputs: ['y'] }]],
    ['Relu', [addBias, act('Relu')]],
    ['Clip', [addBias, act('Clip')]],
    ['LeakyRelu', [addBias, act('LeakyRelu', { alpha: { float: 0.2 } })]],
    ['Sigmoid', [addBias, act('Sigmoid')]],
    ['HardSigmoid', [addBias, act('HardSigmoid', { alpha: { float: 0.3 }, beta: { float: 0.4 } })]],
    ['HardSwish', [addBias, act('HardSwish')]],
    ['Relu alone', [act('Relu', undefined, 'm')]],
  ];
  for (const [name, tail] of tails) {
    for (const [M, K, N] of [[3, 5, 7], [33, 70, 65]]) checkFused({ x: [M, K], w: [K, N], bias: [N], tail }, `${name} ${M}x${K}x${N}`);
  }
});

test('batched, non-constant and float64 products, scalar scales and a [1, 1, N] bias', () => {
  const scaled = (op: 'Mul' | 'Div', k: string, first = false): NodeSpec =>
    ({ op, inputs: first ? [k, 'm'] : ['m', k], outputs: ['y'] });
  // [2, 3, M, K] × [K, N]: B shared by every batch (one product with 2·3·M rows).
  checkFused({ x: [2, 3, 17, 24], w: [24, 20], bias: [20], tail: [addBias, act('Relu')] }, 'shared B');
  // Attention scores: [1, 4, 16, 8] × [1, 4, 8, 16] (both inputs), then a scale.
  checkFused({ x: [1, 4, 16, 8], w: [1, 4, 8, 16], wInput: true, tail: [scaled('Mul', 's')] }, 'scores Mul');
  checkFused({ x: [1, 4, 16, 8], w: [1, 4, 8, 16], wInput: true, tail: [scaled('Mul', 's', true)] }, 'scores Mul first');
  checkFused({ x: [1, 4, 16, 8], w: [1, 4, 8, 16], wInput: true, tail: [scaled('Div', 'd')] }, 'scores Div');
  // Broadcast batch dims: [3, 1, M, K] × [2, K, N].
  checkFused({ x: [3, 1, 9, 6], w: [2, 6, 18], bias: [1, 1, 18], tail: [{ ...addBias, outputs: ['y'] }] }, 'broadcast batch');
  // Scale, bias and activation together; a 1-D A.
  checkFused({
    x: [40], w: [40, 24], bias: [24],
    tail: [{ op: 'Mul', inputs: ['m', 's'], outputs: ['k'] }, { op: 'Add', inputs: ['k', 'B'], outputs: ['a'] }, act('Relu')],
  }, 'scale + bias + relu, 1-D A');
  checkFused({ x: [33, 70], w: [70, 65], bias: [65], tail: [addBias, act('Relu')], type: 'float64' }, 'float64');
});

test('Transposes of A, B and the result fold into the product as strides (attention heads)', () => {
  const scale: NodeSpec = { op: 'Mul', inputs: ['m', 's'], outputs: ['y'] };
  // Scores: Q [1, seq, heads, dh] → [1, heads, seq, dh]; K → [1, heads, dh, seq]; scaled.
  checkFused({ x: [1, 6, 4, 8], w: [1, 6, 4, 8], wInput: true, pre: [tr('X', 'q', [0, 2, 1, 3]), tr('W', 'k', [0, 2, 3, 1])], mm: ['q', 'k'], tail: [scale] }, 'scores');
  // Context: P [1, heads, seq, seq] · V [1, seq, heads, dh] → heads merged back to [1, seq, heads, dh].
  checkFused({
    x: [1, 4, 6, 6], w: [1, 6, 4, 8], wInput: true, pre: [tr('W', 'v', [0, 2, 1, 3])], mm: ['X', 'v'],
    tail: [tr('m', 'y', [0, 2, 1, 3])],
  }, 'context');
  // Big enough for the WebAssembly SGEMM (strided A and B, rows written with a stride).
  checkFused({ x: [1, 24, 4, 32], w: [1, 24, 4, 32], wInput: true, pre: [tr('X', 'q', [0, 2, 1, 3]), tr('W', 'k', [0, 2, 3, 1])], mm: ['q', 'k'], tail: [scale] }, 'scores, wasm-sized');
  checkFused({
    x: [1, 4, 24, 24], w: [1, 24, 4, 32], wInput: true, pre: [tr('W', 'v', [0, 2, 1, 3])], mm: ['X', 'v'],
    tail: [tr('m', 'y', [0, 2, 1, 3])],
  }, 'context, wasm-sized');
  // A 2-D transpose with no perm (reversed axes), a bias and an activation, then a batched result transpose.
  checkFused({ x: [7, 5], w: [7, 9], bias: [9], pre: [tr('X', 't')], mm: ['t', 'W'], tail: [addBias, act('Relu')] }, 'transposed A + bias + relu');
  checkFused({ x: [3, 2, 5, 7], w: [7, 9], bias: [9], tail: [addBias, tr('a', 'y', [1, 2, 0, 3])] }, 'batched result transpose');
  checkFused({ x: [3, 5, 7], w: [3, 9, 7], wInput: true, pre: [tr('W', 't', [0, 2, 1])], mm: ['X', 't'], tail: [tr('m', 'y', [1, 0, 2])], type: 'float64' }, 'float64 B^T');
});

test('MatMuls the pass must leave alone', () => {
  const cases: [string, Case][] = [
    ['output also a graph output', { x: [3, 4], w: [4, 5], bias: [5], tail: [{ ...addBias, outputs: ['y'] }], outputs: ['y', 'm'] }],
    ['product used twice', { x: [3, 4], w: [4, 5], bias: [5], tail: [addBias, { op: 'Add', inputs: ['a', 'm'], outputs: ['y'] }] }],
    ['bias along the rows', { x: [3, 4], w: [4, 5], bias: [3, 1], tail: [{ ...addBias, outputs: ['y'] }] }],
    ['bias that grows the shape', { x: [3, 4], w: [4, 5], bias: [2, 1, 5], tail: [{ ...addBias, outputs: ['y'] }] }],
    ['same-shape addend (a residual, not a bias)', { x: [3, 4], w: [4, 5], bias: [3, 5], tail: [{ ...addBias, outputs: ['y'] }] }],
    ['1-D B (no column axis in the output)', { x: [3, 4], w: [4], bias: [3], tail: [{ ...addBias, outputs: ['y'] }] }],
    ['Div with the product as divisor', { x: [3, 4], w: [4, 5], tail: [{ op: 'Div', inputs: ['s', 'm'], outputs: ['y'] }] }],
    ['Mul by a tensor', { x: [3, 4], w: [4, 5], bias: [5], tail: [{ op: 'Mul', inputs: ['m', 'B'], outputs: ['y'] }] }],
    ['an op that does not fuse', { x: [3, 4], w: [4, 5], tail: [{ op: 'Tanh', inputs: ['m'], outputs: ['y'] }] }],
    ['result transpose that moves the last axis', { x: [3, 5], w: [5, 4], tail: [tr('m', 'y', [1, 0])] }],
    ['transposed A used twice', { x: [4, 4], w: [4, 4], pre: [tr('X', 't')], mm: ['t', 'W'], tail: [{ op: 'Add', inputs: ['m', 't'], outputs: ['y'] }] }],
    ['integer product', { x: [3, 4], w: [4, 5], bias: [5], tail: [{ ...addBias, outputs: ['y'] }], type: 'int32' }],
  ];
  for (const [name, c] of cases) {
    const type = c.type ?? 'float32';
    const bytes = type === 'int32' ? intModel(c) : model(c).bytes;
    const p = loadProgramFromBytes(bytes, 'model.onnx', { optimize: false });
    assert.equal(fuseMatMul(p), p, name);
  }
});

/** The integer case needs integer initializers (model() makes float data). */
function intModel(c: Case): Uint8Array {
  const size = (d: readonly number[]): number => d.reduce((a, b) => a * b, 1);
  const ints = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => (i % 7) - 3);
  return modelBytes(graph({
    nodes: [{ op: 'MatMul', inputs: ['X', 'W'], outputs: ['m'] }, ...c.tail],
    inputs: [valueInfo('X', 'int32', c.x)],
    outputs: [{ name: 'y' }],
    initializers: {
      W: { type: 'int32', dims: c.w.slice(), data: ints(size(c.w)) },
      B: { type: 'int32', dims: (c.bias ?? [1]).slice(), data: ints(size(c.bias ?? [1])) },
    },
  }), { '': 17 });
}

test('FusedMatMul rejects a bias that is not N values along the last axis, naming the shapes', () => {
  const t = (dims: number[]): Tensor => ({ type: 'float32', dims, data: new Float32Array(dims.reduce((a, b) => a * b, 1)) });
  const attrs = { alpha: 1, activation: 'none' as const, activationParams: [] };
  assert.throws(() => fusedMatMul(new NodeCtx('n'), [t([3, 4]), t([4, 5]), t([3, 1])], attrs), /bias must have shape \[5\].*got \[3,1\]/);
  assert.throws(() => fusedMatMul(new NodeCtx('n'), [t([3, 4]), t([4]), t([3])], attrs), /B of rank 1/);
  const y = fusedMatMul(new NodeCtx('n'), [t([3, 4]), t([4, 5]), t([1, 5])], attrs)[0];
  assert.deepEqual(y.dims, [3, 5]);
  assert.throws(() => fusedMatMul(new NodeCtx('n'), [t([3, 4]), t([4, 5])], { ...attrs, permY: [1, 0] }), /perm_y \[1,0\] must keep the last axis last/);
  assert.throws(() => fusedMatMul(new NodeCtx('n'), [t([3, 4]), t([4, 5])], { ...attrs, permA: [0, 0] }), /perm_a \[0,0\] is not a permutation of the 2 axes/);
  assert.throws(() => fusedMatMul(new NodeCtx('n'), [t([4]), t([5, 4])], { ...attrs, permB: [1, 0] }), /rank 2 or more/);
});
