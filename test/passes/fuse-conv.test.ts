// The fuse-conv pass alone (what it rewrites, what it must leave alone, the IR
// verifier after every pass) and end to end: every fused pattern gives the same
// results as the unfused graph (--no-opt) on both backends, including the SIMD
// paths (im2col SGEMM, 1×1 direct GEMM, depthwise 3×3) with odd sizes.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fusedConv, type FusedConvAttrs } from '../../runtime/tensor/conv.js';
import { NodeCtx, type DType, type Tensor } from '../../runtime/tensor/tensor.js';
import { loadProgramFromBytes } from '../../src/api.js';
import type { Program } from '../../src/ir/program.js';
import { verifyProgram } from '../../src/ir/verify.js';
import { fuseConv } from '../../src/passes/fuse-conv.js';
import { graph, modelBytes, valueInfo, type AttrInput, type NodeSpec } from '../support/onnx-builder.js';
import { loadModel } from '../wasm/run-both.js';
import { evaluateProgram, lcgFloats } from '../support/ir-eval.js';

const rand = (n: number, seed: number, scale = 1): number[] => lcgFloats(n, seed).map((v) => v * scale);

function tensor(type: DType, dims: number[], data: number[]): Tensor {
  return { type, dims, data: type === 'float64' ? Float64Array.from(data) : Float32Array.from(data) };
}

interface Case {
  readonly name: string;
  /** x: [N, C, H, W]; w: [M, C/group, KH, KW]. */
  readonly x: number[];
  readonly w: number[];
  readonly convAttrs?: Record<string, AttrInput>;
  readonly bias?: boolean;
  /** Nodes after the Conv (its output is "c"); the graph output is "y". */
  readonly tail: (outShape: number[]) => { nodes: NodeSpec[]; extraInputs?: { name: string; dims: number[] }[]; inits?: Record<string, Tensor> };
  readonly type?: DType;
  readonly opset?: number;
  /** Primitive counts expected after the passes. */
  readonly expect: Record<string, number>;
}

function outShape(c: Case): number[] {
  const [N, , H, W] = c.x;
  const [M, , KH, KW] = c.w;
  const s = (c.convAttrs?.strides as number[] | undefined) ?? [1, 1];
  const p = (c.convAttrs?.pads as number[] | undefined) ?? [0, 0, 0, 0];
  return [N, M, Math.floor((H + p[0] + p[2] - KH) / s[0]) + 1, Math.floor((W + p[1] + p[3] - KW) / s[1]) + 1];
}

function buildCase(c: Case): { bytes: Uint8Array; feeds: Record<string, Tensor> } {
  const type = c.type ?? 'float32';
  const out = outShape(c);
  const tail = c.tail(out);
  const inits: Record<string, Tensor> = { W: tensor(type, c.w, rand(c.w.reduce((a, b) => a * b, 1), 7, 0.5)), ...(tail.inits ?? {}) };
  if (c.bias) inits.B = tensor(type, [c.w[0]], rand(c.w[0], 11, 0.5));
  const feeds: Record<string, Tensor> = { X: tensor(type, c.x, rand(c.x.reduce((a, b) => a * b, 1), 3)) };
  for (const e of tail.extraInputs ?? []) feeds[e.name] = tensor(type, e.dims, rand(e.dims.reduce((a, b) => a * b, 1), 5));
  const g = graph({
    nodes: [{ op: 'Conv', inputs: c.bias ? ['X', 'W', 'B'] : ['X', 'W'], outputs: ['c'], attrs: c.convAttrs ?? {} }, ...tail.nodes],
    inputs: Object.entries(feeds).map(([n, t]) => valueInfo(n, type, t.dims)),
    outputs: [{ name: 'y' }],
    initializers: inits,
  });
  return { bytes: modelBytes(g, { '': c.opset ?? 17 }), feeds };
}

function primCounts(p: Program): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of p.body) if (s.kind === 'let' && s.expr.kind === 'call') counts[s.expr.prim] = (counts[s.expr.prim] ?? 0) + 1;
  return counts;
}

const relu = (from: string, to: string): NodeSpec => ({ op: 'Relu', inputs: [from], outputs: [to] });
const residual = (shape: number[]) => ({ name: 'Z', dims: shape });

const CASES: Case[] = [
  { name: 'Conv + bias + Relu (im2col SGEMM, odd sizes)', x: [1, 5, 9, 11], w: [7, 5, 3, 3], bias: true, convAttrs: { pads: [1, 0, 1, 2] },
    tail: () => ({ nodes: [relu('c', 'y')] }), expect: { 'tensor.fusedConv': 1 } },
  { name: 'Conv + Add(Z) + Relu, residual second, two images', x: [2, 6, 10, 9], w: [10, 6, 3, 3], bias: true, convAttrs: { pads: [1, 1, 1, 1] },
    tail: (o) => ({ nodes: [{ op: 'Add', inputs: ['c', 'Z'], outputs: ['s'] }, relu('s', 'y')], extraInputs: [residual(o)] }),
    expect: { 'tensor.fusedConv': 1 } },
  { name: 'Add(Z, conv) residual first, no bias, no activation', x: [1, 4, 8, 8], w: [9, 4, 3, 3],
    tail: (o) => ({ nodes: [{ op: 'Add', inputs: ['Z', 'c'], outputs: ['y'] }], extraInputs: [residual(o)] }), expect: { 'tensor.fusedConv': 1 } },
  { name: '1×1 pointwise Conv + Clip (opset 11+ constant bounds) as a direct GEMM', x: [1, 24, 7, 9], w: [13, 24, 1, 1], bias: true,
    tail: () => ({ nodes: [{ op: 'Clip', inputs: ['c', 'lo', 'hi'], outputs: ['y'] }],
      inits: { lo: tensor('float32', [], [0]), hi: tensor('float32', [], [0.25]) } }), expect: { 'tensor.fusedConv': 1 } },
  { name: '1×1 pointwise Conv + residual + Relu', x: [1, 16, 6, 5], w: [16, 16, 1, 1], bias: true,
    tail: (o) => ({ nodes: [{ op: 'Add', inputs: ['c', 'Z'], outputs: ['s'] }, relu('s', 'y')], extraInputs: [residual(o)] }),
    expect: { 'tensor.fusedConv': 1 } },
  { name: 'depthwise 3×3 stride 2 + bias + Clip (opset 6 attributes)', x: [1, 8, 11, 13], w: [8, 1, 3, 3], bias: true,
    convAttrs: { group: 8, strides: [2, 2], pads: [1, 1, 1, 1] }, opset: 6,
    tail: () => ({ nodes: [{ op: 'Clip', inputs: ['c'], outputs: ['y'], attrs: { min: { float: 0 }, max: { float: 0.3 } } }] }),
    expect: { 'tensor.fusedConv': 1 } },
  { name: 'depthwise 3×3 + bias + residual + LeakyRelu', x: [1, 8, 9, 10], w: [8, 1, 3, 3], bias: true, convAttrs: { group: 8, pads: [1, 1, 1, 1] },
    tail: (o) => ({ nodes: [{ op: 'Add', inputs: ['c', 'Z'], outputs: ['s'] }, { op: 'LeakyRelu', inputs: ['s'], outputs: ['y'], attrs: { alpha: { float: 0.1 } } }],
      extraInputs: [residual(o)] }), expect: { 'tensor.fusedConv': 1 } },
  { name: 'grouped Conv + Sigmoid', x: [1, 6, 8, 7], w: [9, 2, 3, 3], bias: true, convAttrs: { group: 3 },
    tail: () => ({ nodes: [{ op: 'Sigmoid', inputs: ['c'], outputs: ['y'] }] }), expect: { 'tensor.fusedConv': 1 } },
  { name: 'Conv + HardSigmoid', x: [1, 3, 12, 12], w: [8, 3, 3, 3], bias: true,
    tail: () => ({ nodes: [{ op: 'HardSigmoid', inputs: ['c'], outputs: ['y'], attrs: { alpha: { float: 0.3 }, beta: { float: 0.4 } } }] }),
    expect: { 'tensor.fusedConv': 1 } },
  { name: 'Conv + residual + HardSwish', x: [1, 3, 12, 12], w: [8, 3, 3, 3], bias: true,
    tail: (o) => ({ nodes: [{ op: 'Add', inputs: ['c', 'Z'], outputs: ['s'] }, { op: 'HardSwish', inputs: ['s'], outputs: ['y'] }], extraInputs: [residual(o)] }),
    expect: { 'tensor.fusedConv': 1 } },
  { name: 'float64 Conv + residual + Relu (JavaScript kernels only)', x: [1, 4, 7, 6], w: [5, 4, 3, 3], bias: true, type: 'float64',
    tail: (o) => ({ nodes: [{ op: 'Add', inputs: ['c', 'Z'], outputs: ['s'] }, relu('s', 'y')], extraInputs: [residual(o)] }),
    expect: { 'tensor.fusedConv': 1 } },
  // What must not fuse.
  { name: 'a broadcast Add is not a residual (only the Relu after it is not fused either)', x: [1, 4, 8, 8], w: [6, 4, 3, 3], bias: true,
    tail: () => ({ nodes: [{ op: 'Add', inputs: ['c', 'Z'], outputs: ['s'] }, relu('s', 'y')], extraInputs: [{ name: 'Z', dims: [1, 6, 1, 1] }] }),
    expect: { 'tensor.fusedConv': 1, 'tensor.add': 1, 'tensor.relu': 1 } },
  { name: 'a conv output with two consumers keeps both', x: [1, 4, 8, 8], w: [6, 4, 3, 3], bias: true,
    tail: () => ({ nodes: [relu('c', 'r'), { op: 'Add', inputs: ['r', 'c'], outputs: ['y'] }] }),
    expect: { 'tensor.fusedConv': 1, 'tensor.add': 1, 'tensor.relu': 1 } },
  { name: 'Clip with a bound computed at run time stays separate', x: [1, 4, 8, 8], w: [6, 4, 3, 3],
    tail: () => ({ nodes: [{ op: 'Clip', inputs: ['c', 'L'], outputs: ['y'] }], extraInputs: [{ name: 'L', dims: [] }] }),
    expect: { 'tensor.fusedConv': 1, 'tensor.clip': 1 } },
];


function close(got: ArrayLike<unknown>, want: ArrayLike<unknown>, what: string, type: DType): void {
  assert.equal(got.length, want.length, `${what}: length`);
  const tol = type === 'float64' ? 1e-12 : 2e-5;
  for (let i = 0; i < want.length; i++) {
    const g = Number(got[i]), w = Number(want[i]);
    assert.ok(Math.abs(g - w) <= tol * (1 + Math.abs(w)), `${what}: element ${i} got ${g} want ${w}`);
  }
}

test('fuse-conv rewrites each pattern as expected and the program verifies after every pass', () => {
  for (const c of CASES) {
    const { bytes } = buildCase(c);
    const seen: string[] = [];
    const p = loadProgramFromBytes(bytes, 'model.onnx', {
      afterPass: (name, q) => {
        seen.push(name);
        assert.deepEqual(verifyProgram(q), [], `${c.name}: after ${name}`);
      },
    });
    assert.ok(seen.includes('fuse-conv'), 'the pass runs in the pipeline');
    const counts = primCounts(p);
    delete counts['tensor.identity'];
    assert.deepEqual(counts, c.expect, c.name);
  }
});

test('fuse-conv alone leaves a program without convolutions untouched', () => {
  const g = graph({ nodes: [relu('X', 'y')], inputs: [valueInfo('X', 'float32', [2, 3])], outputs: [{ name: 'y' }] });
  const p = loadProgramFromBytes(modelBytes(g), 'model.onnx', { optimize: false });
  assert.equal(fuseConv(p), p);
});

test('fused convolutions match the unfused graph on the SIMD and JavaScript kernels', () => {
  for (const c of CASES) {
    const { bytes, feeds } = buildCase(c);
    const type = c.type ?? 'float32';
    const unfused = loadProgramFromBytes(bytes, 'model.onnx', { optimize: false });
    const fused = loadProgramFromBytes(bytes, 'model.onnx');
    const reference = evaluateProgram(unfused, feeds, 'js')[0];
    for (const backend of ['wasm-simd', 'js'] as const) {
      for (const [label, p] of [['passes on', fused], ['passes off', unfused]] as const) {
        const y = evaluateProgram(p, feeds, backend)[0];
        assert.deepEqual(y.dims, reference.dims, c.name);
        close(y.data, reference.data, `${c.name} (${backend}, ${label})`, type);
      }
    }
  }
});

test('FusedConv keeps NaN through Relu and Clip as the unfused ops do', () => {
  for (const act of ['relu', 'clip'] as const) {
    const c: Case = { name: act, x: [1, 4, 8, 8], w: [8, 4, 3, 3], bias: true,
      tail: () => ({ nodes: [act === 'relu' ? relu('c', 'y') : { op: 'Clip', inputs: ['c', 'lo', 'hi'], outputs: ['y'] }],
        inits: act === 'clip' ? { lo: tensor('float32', [], [-0.1]), hi: tensor('float32', [], [0.1]) } : {} as Record<string, Tensor> }), expect: {} };
    const { bytes, feeds } = buildCase(c);
    (feeds.X.data as Float32Array)[37] = NaN;
    const want = evaluateProgram(loadProgramFromBytes(bytes, 'model.onnx', { optimize: false }), feeds, 'js')[0].data as Float32Array;
    let nans = 0;
    for (const backend of ['wasm-simd', 'js'] as const) {
      const got = evaluateProgram(loadProgramFromBytes(bytes, 'model.onnx'), feeds, backend)[0].data as Float32Array;
      for (let i = 0; i < want.length; i++) {
        assert.equal(Number.isNaN(got[i]), Number.isNaN(want[i]), `${act} ${backend}: NaN at ${i}`);
        if (Number.isNaN(want[i])) nans++;
        else assert.ok(Math.abs(got[i] - want[i]) <= 2e-5 * (1 + Math.abs(want[i])));
      }
    }
    assert.ok(nans > 0, 'the NaN reaches the output');
  }
});

test('a generated module with fused convolutions matches the unfused module, twice in a row', async () => {
  // Residual + Clip with only a lower bound (the upper is +Infinity in the attributes).
  const c: Case = { name: 'module', x: [2, 6, 10, 9], w: [10, 6, 3, 3], bias: true, convAttrs: { pads: [1, 1, 1, 1] },
    tail: (o) => ({ nodes: [{ op: 'Add', inputs: ['c', 'Z'], outputs: ['s'] }, { op: 'Clip', inputs: ['s', 'lo'], outputs: ['y'] }],
      extraInputs: [residual(o)], inits: { lo: tensor('float32', [], [0]) } }), expect: {} };
  const { bytes, feeds } = buildCase(c);
  const reference = (await loadModel(bytes, { optimize: false, kernels: 'js' })).run(feeds).y;
  for (const kernels of ['auto', 'js'] as const) {
    const mod = await loadModel(bytes, { optimize: true, kernels });
    // The second call reuses the output buffer and the packed weights cached by the first.
    for (let call = 0; call < 2; call++) close(mod.run(feeds).y.data, reference.data, `${mod.metadata.backend} call ${call}`, 'float32');
  }
});

test('FusedConv names a residual whose shape differs from the output', () => {
  const attrs: FusedConvAttrs = {
    autoPad: 'NOTSET', dilations: [], group: 1, kernelShape: [], pads: [], strides: [],
    activation: 'relu', activationParams: [], constantWeights: false,
  };
  const x = tensor('float32', [1, 2, 4, 4], rand(32, 1)), w = tensor('float32', [3, 2, 3, 3], rand(54, 2));
  const z = tensor('float32', [1, 3, 4, 4], rand(48, 3));
  assert.throws(() => fusedConv(new NodeCtx('n'), [x, w, undefined, z], attrs), /residual input Z must be float32\[1,3,2,2\].*got float32\[1,3,4,4\]/);
  assert.throws(() => fusedConv(new NodeCtx('n'), [x, w, tensor('float32', [2], [1, 2])], attrs), /bias must have 3 elements/);
});
