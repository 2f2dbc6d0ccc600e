// Recurrent ops (RNN, GRU, LSTM): what the conformance suite leaves out — reverse and
// bidirectional passes, sequence_lens, batch-first layout with several directions,
// non-default activations with alpha/beta, clip, linear_before_reset,
// input_forget, Y_c, float64, old opsets and invalid attributes.
//
// Expected values come from a plain transcription of the ONNX equations below
// (scalar loops, one batch row and time step at a time), independent of the
// kernel's batched matrix products and layout handling.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AttrInput } from '../support/onnx-builder.js';
import { sigmoidF32, tanhF32 } from '../../runtime/tensor/recurrent.js';
import { runOp, type OpInput } from './helpers.js';

type Op = 'RNN' | 'GRU' | 'LSTM';
const GATES: Record<Op, number> = { RNN: 1, GRU: 3, LSTM: 4 };

/** Deterministic pseudo-random values in [-scale, scale). */
function values(n: number, seed: number, scale = 1): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround((s / 2 ** 32 * 2 - 1) * scale);
  });
}

const f32 = (dims: number[], data: number[]): OpInput => ({ type: 'float32', dims, data });

function assertClose(got: ArrayLike<unknown>, want: readonly number[], tol = 1e-5, what = ''): void {
  assert.equal(got.length, want.length, `${what} length`);
  for (let i = 0; i < want.length; i++) {
    const g = Number(got[i]);
    assert.ok(Math.abs(g - want[i]) <= tol * (1 + Math.abs(want[i])), `${what} element ${i}: got ${g}, want ${want[i]}`);
  }
}

// ------------------------------------------------------------ reference model

interface Act { fn: string; alpha: number; beta: number }

function act(a: Act, v: number): number {
  switch (a.fn) {
    case 'Tanh': return Math.tanh(v);
    case 'Sigmoid': return 1 / (1 + Math.exp(-v));
    case 'Relu': return Math.max(0, v);
    case 'Affine': return a.alpha * v + a.beta;
    case 'LeakyRelu': return v >= 0 ? v : a.alpha * v;
    case 'ThresholdedRelu': return v > a.alpha ? v : 0;
    case 'ScaledTanh': return a.alpha * Math.tanh(a.beta * v);
    case 'HardSigmoid': return Math.max(0, Math.min(1, a.alpha * v + a.beta));
    case 'Elu': return v >= 0 ? v : a.alpha * (Math.exp(v) - 1);
    case 'Softsign': return v / (1 + Math.abs(v));
    case 'Softplus': return Math.log(1 + Math.exp(v));
  }
  throw new Error(a.fn);
}

interface Case {
  op: Op;
  seq: number; batch: number; input: number; hidden: number;
  direction?: 'forward' | 'reverse' | 'bidirectional';
  lens?: number[];
  bias?: boolean; initial?: boolean; peepholes?: boolean;
  acts?: Act[]; clip?: number; lbr?: boolean; inputForget?: boolean;
  seed?: number;
}

interface Data { x: number[]; w: number[]; r: number[]; b: number[] | null; h0: number[] | null; c0: number[] | null; p: number[] | null }

function makeData(c: Case): Data {
  const d = c.direction === 'bidirectional' ? 2 : 1, gh = GATES[c.op] * c.hidden, s = c.seed ?? 1;
  return {
    x: values(c.seq * c.batch * c.input, s),
    w: values(d * gh * c.input, s + 1, 0.6),
    r: values(d * gh * c.hidden, s + 2, 0.6),
    b: c.bias ? values(d * 2 * gh, s + 3, 0.5) : null,
    h0: c.initial ? values(d * c.batch * c.hidden, s + 4) : null,
    c0: c.initial && c.op === 'LSTM' ? values(d * c.batch * c.hidden, s + 5) : null,
    p: c.peepholes ? values(d * 3 * c.hidden, s + 6, 0.5) : null,
  };
}

const DEFAULT_ACTS: Record<Op, string[]> = { RNN: ['Tanh'], GRU: ['Sigmoid', 'Tanh'], LSTM: ['Sigmoid', 'Tanh', 'Tanh'] };

/** Y [seq, dirs, batch, hidden], Y_h and Y_c [dirs, batch, hidden] (layout 0), straight from the equations. */
function reference(c: Case, data: Data): { y: number[]; yh: number[]; yc: number[] } {
  const D = c.direction === 'bidirectional' ? 2 : 1, H = c.hidden, I = c.input, G = GATES[c.op], gh = G * H;
  const lens = c.lens ?? new Array<number>(c.batch).fill(c.seq);
  const y = new Array<number>(c.seq * D * c.batch * H).fill(0);
  const yh = new Array<number>(D * c.batch * H).fill(0), yc = yh.slice();
  const clip = (v: number): number => (c.clip === undefined ? v : Math.max(-c.clip, Math.min(c.clip, v)));
  for (let d = 0; d < D; d++) {
    const per = DEFAULT_ACTS[c.op].length;
    const acts = c.acts ? c.acts.slice(d * per, d * per + per) : DEFAULT_ACTS[c.op].map((fn) => ({ fn, alpha: 0, beta: 0 }));
    const backward = c.direction === 'reverse' || d === 1;
    // Gate j's input part at (t, b), and its recurrent part for a state vector.
    const xw = (t: number, b: number, j: number): number => {
      let s = 0;
      for (let k = 0; k < I; k++) s += data.x[(t * c.batch + b) * I + k] * data.w[(d * gh + j) * I + k];
      return s + (data.b ? data.b[d * 2 * gh + j] : 0);
    };
    const hr = (h: number[], j: number): number => {
      let s = 0;
      for (let k = 0; k < H; k++) s += h[k] * data.r[(d * gh + j) * H + k];
      return s + (data.b ? data.b[d * 2 * gh + gh + j] : 0);
    };
    for (let b = 0; b < c.batch; b++) {
      let h = Array.from({ length: H }, (_, k) => (data.h0 ? data.h0[(d * c.batch + b) * H + k] : 0));
      let cs = Array.from({ length: H }, (_, k) => (data.c0 ? data.c0[(d * c.batch + b) * H + k] : 0));
      for (let s = 0; s < lens[b]; s++) {
        const t = backward ? lens[b] - 1 - s : s;
        if (c.op === 'RNN') {
          h = h.map((_, k) => act(acts[0], clip(xw(t, b, k) + hr(h, k))));
        } else if (c.op === 'GRU') {
          const z = h.map((_, k) => act(acts[0], clip(xw(t, b, k) + hr(h, k))));
          const r = h.map((_, k) => act(acts[0], clip(xw(t, b, H + k) + hr(h, H + k))));
          const rh = h.map((v, k) => r[k] * v);
          const cand = h.map((_, k) => act(acts[1], clip(c.lbr
            ? xw(t, b, 2 * H + k) + r[k] * hr(h, 2 * H + k)
            : xw(t, b, 2 * H + k) + hr(rh, 2 * H + k))));
          h = h.map((v, k) => (1 - z[k]) * cand[k] + z[k] * v);
        } else {
          const p = (g: number, k: number): number => (data.p ? data.p[d * 3 * H + g * H + k] : 0);
          const i = h.map((_, k) => act(acts[0], clip(xw(t, b, k) + hr(h, k) + p(0, k) * cs[k])));
          const f = c.inputForget ? i.map((v) => 1 - v) : h.map((_, k) => act(acts[0], clip(xw(t, b, 2 * H + k) + hr(h, 2 * H + k) + p(2, k) * cs[k])));
          const g = h.map((_, k) => act(acts[1], clip(xw(t, b, 3 * H + k) + hr(h, 3 * H + k))));
          cs = cs.map((v, k) => f[k] * v + i[k] * g[k]);
          const o = h.map((_, k) => act(acts[0], clip(xw(t, b, H + k) + hr(h, H + k) + p(1, k) * cs[k])));
          h = h.map((_, k) => o[k] * act(acts[2], cs[k]));
        }
        for (let k = 0; k < H; k++) y[((t * D + d) * c.batch + b) * H + k] = h[k];
      }
      for (let k = 0; k < H; k++) { yh[(d * c.batch + b) * H + k] = h[k]; yc[(d * c.batch + b) * H + k] = cs[k]; }
    }
  }
  return { y, yh, yc };
}

/** The node's inputs and attributes for a case (layout 0). */
function nodeOf(c: Case, data: Data): { inputs: (OpInput | null)[]; attrs: Record<string, AttrInput> } {
  const D = c.direction === 'bidirectional' ? 2 : 1, gh = GATES[c.op] * c.hidden;
  const inputs: (OpInput | null)[] = [
    f32([c.seq, c.batch, c.input], data.x), f32([D, gh, c.input], data.w), f32([D, gh, c.hidden], data.r),
    data.b ? f32([D, 2 * gh], data.b) : null,
    c.lens ? { type: 'int32', dims: [c.batch], data: c.lens } : null,
    data.h0 ? f32([D, c.batch, c.hidden], data.h0) : null,
  ];
  if (c.op === 'LSTM') inputs.push(data.c0 ? f32([D, c.batch, c.hidden], data.c0) : null, data.p ? f32([D, 3 * c.hidden], data.p) : null);
  while (inputs[inputs.length - 1] === null) inputs.pop();
  const attrs: Record<string, AttrInput> = { hidden_size: c.hidden, direction: c.direction ?? 'forward' };
  if (c.acts) {
    attrs.activations = c.acts.map((a) => a.fn);
    attrs.activation_alpha = { floats: c.acts.filter((a) => a.alpha !== 0).map((a) => a.alpha) };
    attrs.activation_beta = { floats: c.acts.filter((a) => a.beta !== 0).map((a) => a.beta) };
  }
  if (c.clip !== undefined) attrs.clip = { float: c.clip };
  if (c.lbr) attrs.linear_before_reset = 1;
  if (c.inputForget) attrs.input_forget = 1;
  return { inputs, attrs };
}

async function checkCase(c: Case, opset = 14, constInputs: readonly number[] = []): Promise<void> {
  const data = makeData(c);
  const want = reference(c, data);
  const { inputs, attrs } = nodeOf(c, data);
  const outs = await runOp(c.op, inputs, attrs, { opset, outputs: c.op === 'LSTM' ? 3 : 2, constInputs });
  const D = c.direction === 'bidirectional' ? 2 : 1;
  assert.deepEqual(outs[0].dims, [c.seq, D, c.batch, c.hidden]);
  assertClose(outs[0].data, want.y, 1e-5, 'Y');
  assertClose(outs[1].data, want.yh, 1e-5, 'Y_h');
  if (c.op === 'LSTM') assertClose(outs[2].data, want.yc, 1e-5, 'Y_c');
}

// ---------------------------------------------------------------- the tests

for (const op of ['RNN', 'GRU', 'LSTM'] as const) {
  for (const direction of ['forward', 'reverse', 'bidirectional'] as const) {
    test(`${op} ${direction} with bias, initial state and sequence_lens`, async () => {
      await checkCase({ op, seq: 4, batch: 3, input: 3, hidden: 4, direction, lens: [4, 2, 3], bias: true, initial: true, peepholes: true, seed: 7 });
    });
  }
}

test('W, R and B as initializers (as exported models have them): the WebAssembly gemv and cell path', async () => {
  // Constant R with a big enough product goes to the resident-weight gemv and the
  // recurrent.wat cells (float32 nonlinearities); hidden sizes that are not multiples
  // of 4 or 8 exercise the padded lanes, sequence_lens the skipped rows.
  for (const op of ['GRU', 'LSTM'] as const) {
    for (const [hidden, direction] of [[16, 'forward'], [21, 'bidirectional'], [18, 'reverse']] as const) {
      await checkCase({ op, seq: 5, batch: 2, input: 7, hidden, direction, lens: [5, 3], bias: true, initial: true, seed: 21 + hidden }, 14, [1, 2, 3]);
    }
  }
  await checkCase({ op: 'GRU', seq: 4, batch: 3, input: 5, hidden: 19, lbr: true, bias: true, initial: true, lens: [4, 1, 2], seed: 31 }, 14, [1, 2, 3]);
  await checkCase({ op: 'GRU', seq: 4, batch: 1, input: 5, hidden: 24, direction: 'bidirectional', lbr: true, seed: 32 }, 14, [1, 2]);
  // Input projections big enough for the SIMD SGEMM, which adds the folded biases in its tiles.
  for (const op of ['GRU', 'LSTM'] as const) {
    await checkCase({ op, seq: 9, batch: 2, input: 40, hidden: 23, direction: 'bidirectional', lens: [9, 6], bias: true, initial: true, seed: 41 }, 14, [1, 2, 3]);
  }
  await checkCase({ op: 'GRU', seq: 9, batch: 2, input: 40, hidden: 23, lbr: true, bias: true, seed: 42 }, 14, [1, 2, 3]);
});

test('a zero sequence length keeps the initial state and zeroes Y (the ONNX reference semantics)', async () => {
  for (const op of ['RNN', 'GRU', 'LSTM'] as const) {
    await checkCase({ op, seq: 3, batch: 2, input: 2, hidden: 3, direction: 'bidirectional', lens: [0, 3], bias: true, initial: true, seed: 11 });
  }
});

test('GRU linear_before_reset = 1, with and without bias', async () => {
  await checkCase({ op: 'GRU', seq: 3, batch: 2, input: 3, hidden: 3, lbr: true, bias: true, initial: true, seed: 3 });
  await checkCase({ op: 'GRU', seq: 3, batch: 2, input: 3, hidden: 3, direction: 'bidirectional', lbr: true, seed: 4 });
});

test('clip bounds the gate inputs', async () => {
  await checkCase({ op: 'RNN', seq: 3, batch: 2, input: 4, hidden: 3, clip: 0.3, bias: true, seed: 5, acts: [{ fn: 'Relu', alpha: 0, beta: 0 }] });
  await checkCase({ op: 'GRU', seq: 3, batch: 2, input: 4, hidden: 3, clip: 0.4, bias: true, seed: 6 });
  // LSTM: the cell state and the input of h are not clipped (onnxruntime's reading).
  await checkCase({ op: 'LSTM', seq: 3, batch: 2, input: 4, hidden: 3, clip: 0.5, bias: true, initial: true, peepholes: true, seed: 8 });
});

test('LSTM input_forget couples the forget gate to 1 - i', async () => {
  await checkCase({ op: 'LSTM', seq: 4, batch: 2, input: 3, hidden: 2, inputForget: true, bias: true, initial: true, peepholes: true, seed: 9 });
});

test('activation functions with alpha/beta consumed in order by the functions that take them', async () => {
  const a = (fn: string, alpha = 0, beta = 0): Act => ({ fn, alpha, beta });
  // Bidirectional RNN: Affine takes (0.7, 0.1), LeakyRelu the next alpha (0.2).
  await checkCase({ op: 'RNN', seq: 3, batch: 2, input: 2, hidden: 3, direction: 'bidirectional', acts: [a('Affine', 0.7, 0.1), a('LeakyRelu', 0.2)], seed: 12 });
  await checkCase({ op: 'GRU', seq: 3, batch: 2, input: 2, hidden: 3, acts: [a('HardSigmoid', 0.3, 0.4), a('ScaledTanh', 0.8, 1.5)], bias: true, seed: 13 });
  await checkCase({ op: 'GRU', seq: 3, batch: 2, input: 2, hidden: 3, acts: [a('Sigmoid'), a('ThresholdedRelu', 0.1)], bias: true, seed: 14 });
  await checkCase({ op: 'LSTM', seq: 3, batch: 2, input: 2, hidden: 3, acts: [a('Sigmoid'), a('Elu', 0.5), a('Softplus')], bias: true, seed: 15 });
  await checkCase({ op: 'LSTM', seq: 2, batch: 1, input: 2, hidden: 2, acts: [a('Softsign'), a('Tanh'), a('Relu')], seed: 16 });
});

test('activation names are case-insensitive and default parameters apply when none are given', async () => {
  const x = f32([1, 1, 1], [2]), w = f32([1, 1, 1], [1]), r = f32([1, 1, 1], [0]);
  const [, yh] = await runOp('RNN', [x, w, r], { hidden_size: 1, activations: ['leakyrelu'] }, { outputs: 2 });
  assertClose(yh.data, [2]);
  const [, neg] = await runOp('RNN', [f32([1, 1, 1], [-2]), w, r], { hidden_size: 1, activations: ['LEAKYRELU'] }, { outputs: 2 });
  assertClose(neg.data, [-0.02]); // default alpha 0.01
  const [, hs] = await runOp('RNN', [f32([1, 1, 1], [1]), w, r], { hidden_size: 1, activations: ['HardSigmoid'] }, { outputs: 2 });
  assertClose(hs.data, [0.7]); // default alpha 0.2, beta 0.5
});

/** [seq, batch, ...rest] ↔ [batch, seq, ...rest]. */
function swap01(data: readonly number[], d0: number, d1: number, inner: number): number[] {
  const out = new Array<number>(data.length);
  for (let i = 0; i < d0; i++) for (let j = 0; j < d1; j++) for (let k = 0; k < inner; k++) out[(j * d0 + i) * inner + k] = data[(i * d1 + j) * inner + k];
  return out;
}

test('layout = 1 (batch first) is layout 0 transposed, bidirectional with sequence_lens', async () => {
  // Hidden 19 with W, R and B as initializers takes the WebAssembly time loop (GRU, LSTM).
  for (const [op, hidden, constInputs] of [
    ['RNN', 3, []], ['GRU', 3, []], ['LSTM', 3, []], ['GRU', 19, [1, 2, 3]], ['LSTM', 19, [1, 2, 3]],
  ] as const) {
    const c: Case = { op, seq: 4, batch: 3, input: 2, hidden, direction: 'bidirectional', lens: [2, 4, 1], bias: true, initial: true, seed: 21 };
    const data = makeData(c);
    const want = reference(c, data);
    const { inputs, attrs } = nodeOf(c, data);
    const bf = inputs.map((t, i) => {
      if (t === null) return null;
      if (i === 0) return f32([c.batch, c.seq, c.input], swap01(t.data as number[], c.seq, c.batch, c.input));
      if (i === 5 || i === 6) return f32([c.batch, 2, c.hidden], swap01(t.data as number[], 2, c.batch, c.hidden));
      return t;
    });
    const outs = await runOp(op, bf, { ...attrs, layout: 1 }, { opset: 14, outputs: op === 'LSTM' ? 3 : 2, constInputs });
    // Y [seq, dirs, batch, hidden] → [batch, seq, dirs, hidden]: batch moves to the front.
    const yWant = new Array<number>(want.y.length);
    for (let t = 0; t < c.seq; t++) for (let d = 0; d < 2; d++) for (let b = 0; b < c.batch; b++) for (let k = 0; k < c.hidden; k++) {
      yWant[((b * c.seq + t) * 2 + d) * c.hidden + k] = want.y[((t * 2 + d) * c.batch + b) * c.hidden + k];
    }
    assert.deepEqual(outs[0].dims, [c.batch, c.seq, 2, c.hidden]);
    assertClose(outs[0].data, yWant, 1e-5, `${op} Y`);
    assert.deepEqual(outs[1].dims, [c.batch, 2, c.hidden]);
    assertClose(outs[1].data, swap01(want.yh, 2, c.batch, c.hidden), 1e-5, `${op} Y_h`);
    if (op === 'LSTM') assertClose(outs[2].data, swap01(want.yc, 2, c.batch, c.hidden), 1e-5, 'LSTM Y_c');
  }
});

test('float64 inputs compute and return float64', async () => {
  const c: Case = { op: 'LSTM', seq: 3, batch: 2, input: 2, hidden: 2, bias: true, initial: true, peepholes: true, seed: 31 };
  const data = makeData(c);
  const want = reference(c, data);
  const { inputs, attrs } = nodeOf(c, data);
  const f64 = inputs.map((t) => (t === null || t.type !== 'float32' ? t : { ...t, type: 'float64' as const }));
  const outs = await runOp('LSTM', f64, attrs, { outputs: 3 });
  assert.equal(outs[0].type, 'float64');
  assertClose(outs[0].data, want.y, 1e-12, 'Y');
  assertClose(outs[2].data, want.yc, 1e-12, 'Y_c');
});

test('old opsets: output_sequence (opset 1) and GRU without linear_before_reset', async () => {
  await checkCase({ op: 'RNN', seq: 2, batch: 2, input: 2, hidden: 2, bias: true, seed: 41 }, 7);
  await checkCase({ op: 'LSTM', seq: 2, batch: 2, input: 2, hidden: 2, bias: true, seed: 42 }, 1);
  await checkCase({ op: 'GRU', seq: 2, batch: 2, input: 2, hidden: 2, bias: true, lbr: true, seed: 43 }, 3);
  const c: Case = { op: 'GRU', seq: 2, batch: 1, input: 1, hidden: 1, seed: 44 };
  const data = makeData(c);
  const { inputs } = nodeOf(c, data);
  const [y] = await runOp('GRU', inputs, { hidden_size: 1, output_sequence: 1 }, { opset: 1 });
  assertClose(y.data, reference(c, data).y);
});

test('only the declared outputs are produced; hidden_size may be omitted', async () => {
  const x = f32([2, 1, 1], [1, -1]), w = f32([1, 1, 1], [0.5]), r = f32([1, 1, 1], [0.25]);
  const [y] = await runOp('RNN', [x, w, r], {});
  const h1 = Math.tanh(0.5), h2 = Math.tanh(-0.5 + 0.25 * h1);
  assert.deepEqual(y.dims, [2, 1, 1, 1]);
  assertClose(y.data, [h1, h2]);
});

test('invalid attributes and mismatched shapes are rejected', async () => {
  const x = f32([1, 1, 2], [1, 2]), w = f32([1, 3, 2], values(6, 1)), r = f32([1, 3, 3], values(9, 2));
  await assert.rejects(runOp('RNN', [x, w, r], { direction: 'sideways' }), /direction/);
  await assert.rejects(runOp('RNN', [x, w, r], { activations: ['Swish'] }), /unknown activation function "Swish"/);
  await assert.rejects(runOp('RNN', [x, w, r], { activations: ['Tanh', 'Tanh', 'Tanh'] }), /activations/);
  await assert.rejects(runOp('RNN', [x, w, r], { layout: 2 }, { opset: 14 }), /layout/);
  await assert.rejects(runOp('RNN', [x, w, r], { hidden_size: 4 }), /hidden_size is 4/);
  await assert.rejects(runOp('GRU', [x, w, r], { hidden_size: 3 }), /W must have shape \[1,9,2\]/);
  await assert.rejects(runOp('RNN', [x, w, r, null, { type: 'int32', dims: [1], data: [2] }], {}), /sequence_lens\[0\] = 2/);
  await assert.rejects(runOp('RNN', [x, w, r, null, null, f32([1, 2, 3], values(6, 3))], {}), /initial_h must have shape \[1,1,3\]/);
});

// Sizes where batch × gates·hidden × hidden reaches the kernel's SMALL_PRODUCT (16,384):
// the per-step products then go through gemm() as one batched product (on the
// WebAssembly SIMD kernels for float32) instead of the kernel's own row loops, and
// the input projection too once seq·batch × gates·hidden × input reaches it.
test('large batches (batched products) match the equations, every op and direction', async () => {
  for (const op of ['RNN', 'GRU', 'LSTM'] as const) {
    const hidden = op === 'RNN' ? 16 : op === 'GRU' ? 20 : 16, batch = op === 'RNN' ? 64 : 16;
    for (const direction of ['forward', 'reverse', 'bidirectional'] as const) {
      const lens = Array.from({ length: batch }, (_, b) => 1 + (b % 3));
      await checkCase({ op, seq: 3, batch, input: 8, hidden, direction, lens, bias: true, initial: true, seed: 21 });
    }
  }
  await checkCase({ op: 'GRU', seq: 3, batch: 16, input: 8, hidden: 20, direction: 'bidirectional', lbr: true, bias: true, initial: true, seed: 22 });
  await checkCase({ op: 'LSTM', seq: 3, batch: 16, input: 8, hidden: 16, direction: 'bidirectional', bias: true, initial: true, peepholes: true, seed: 23 });
  await checkCase({ op: 'LSTM', seq: 3, batch: 16, input: 8, hidden: 16, inputForget: true, clip: 0.7, bias: true, seed: 24 });
});

test('the fused LSTM step (default activations, no clip or peepholes) at batch 1 and in batches', async () => {
  await checkCase({ op: 'LSTM', seq: 5, batch: 1, input: 6, hidden: 24, direction: 'bidirectional', bias: true, seed: 31 });
  await checkCase({ op: 'LSTM', seq: 4, batch: 3, input: 5, hidden: 7, direction: 'reverse', lens: [4, 0, 2], bias: true, initial: true, seed: 32 });
});

test('float64 in the batched regime keeps float64 products', async () => {
  const c: Case = { op: 'LSTM', seq: 2, batch: 16, input: 8, hidden: 16, bias: true, initial: true, seed: 41 };
  const data = makeData(c), want = reference(c, data);
  const { inputs, attrs } = nodeOf(c, data);
  const f64 = inputs.map((t) => (t === null || t.type !== 'float32' ? t : { ...t, type: 'float64' as const }));
  const outs = await runOp('LSTM', f64, attrs, { outputs: 3 });
  assert.equal(outs[0].type, 'float64');
  assertClose(outs[0].data, want.y, 1e-12, 'Y');
});

test('tanhF32 and sigmoidF32 are float32-accurate everywhere, exact at the edges', () => {
  let maxAbs = 0, maxRel = 0, sigRel = 0;
  for (let v = -20; v <= 20; v += 1 / 1024) {
    const t = tanhF32(v), e = Math.tanh(v);
    maxAbs = Math.max(maxAbs, Math.abs(t - e));
    if (e !== 0) maxRel = Math.max(maxRel, Math.abs(t - e) / Math.abs(e));
    const s = sigmoidF32(v), se = 1 / (1 + Math.exp(-v));
    sigRel = Math.max(sigRel, Math.abs(s - se) / se);
  }
  for (const v of [1e-30, -1e-12, 3e-4, -0.01]) maxRel = Math.max(maxRel, Math.abs(tanhF32(v) - Math.tanh(v)) / Math.abs(Math.tanh(v)));
  assert.ok(maxAbs < 3e-8, `tanh absolute error ${maxAbs}`);
  assert.ok(maxRel < 2e-7, `tanh relative error ${maxRel}`); // float32 epsilon is 1.19e-7
  assert.ok(sigRel < 5e-7, `sigmoid relative error ${sigRel}`);
  assert.equal(tanhF32(Infinity), 1);
  assert.equal(tanhF32(-Infinity), -1);
  assert.ok(Number.isNaN(tanhF32(NaN)) && Number.isNaN(sigmoidF32(NaN)));
  assert.equal(sigmoidF32(-Infinity), 0);
  assert.equal(sigmoidF32(-1000), 0);
  assert.equal(sigmoidF32(Infinity), 1);
  assert.equal(tanhF32(0), 0);
});
