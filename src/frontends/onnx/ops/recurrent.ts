// Recurrent ops: RNN, GRU and LSTM. Kernels: runtime/tensor/recurrent.ts.
//
// Versions: opset 1 has the `output_sequence` attribute (outputs are produced as
// the node declares them, so it changes nothing here); GRU-3 adds
// linear_before_reset; opset 7 drops output_sequence; opset 14 adds `layout`
// (batch-first tensors); opset 22 only adds bfloat16.

import * as recurrent from '../../../../runtime/tensor/recurrent.js';
import type { ActivationSpec, RecurrentActivation, RecurrentAttrs } from '../../../../runtime/tensor/recurrent.js';
import { FLOAT_TYPES } from '../../../../runtime/tensor/tensor.js';
import { fail } from '../../../diagnostics/diagnostic.js';
import type { Dim } from '../../../ir/types.js';
import type { AttrReader } from '../attrs.js';
import { kernelsOf, type AnyOpDef, type AttrContext } from './types.js';

const k = kernelsOf('tensor/recurrent', recurrent);

type Shapes = readonly (readonly Dim[] | null)[];

interface RecurrentKind {
  readonly op: 'RNN' | 'GRU' | 'LSTM';
  readonly kernel: string;
  /** Default activation functions of one direction (f; f, g; f, g, h). */
  readonly defaults: readonly RecurrentActivation[];
  /** Optional inputs after X, W, R: B, sequence_lens, initial_h (+ initial_c, P). */
  readonly maxInputs: number;
  readonly outputs: readonly string[];
  /** Extra attributes of the op (linear_before_reset, input_forget). */
  readonly extra?: (a: AttrReader, ctx: AttrContext) => object;
}

const RNN: RecurrentKind = { op: 'RNN', kernel: 'rnn', defaults: ['tanh'], maxInputs: 6, outputs: ['T', 'T'] };
const GRU: RecurrentKind = {
  op: 'GRU', kernel: 'gru', defaults: ['sigmoid', 'tanh'], maxInputs: 6, outputs: ['T', 'T'],
  // GRU-1 has no linear_before_reset: its behaviour is the default 0.
  extra: (a, ctx) => ({ linearBeforeReset: ctx.opset >= 3 ? a.flag('linear_before_reset') : false }),
};
const LSTM: RecurrentKind = {
  op: 'LSTM', kernel: 'lstm', defaults: ['sigmoid', 'tanh', 'tanh'], maxInputs: 8, outputs: ['T', 'T', 'T'],
  extra: (a) => ({ inputForget: a.flag('input_forget') }),
};

export const OPS: readonly AnyOpDef[] = [
  entry(RNN, 1, 13), entry(RNN, 14, undefined),
  entry(GRU, 1, 13), entry(GRU, 14, undefined),
  entry(LSTM, 1, 13), entry(LSTM, 14, undefined),
];

function entry(kind: RecurrentKind, since: number, until: number | undefined): AnyOpDef {
  // X, W, R, B, initial_h, initial_c and P share T; sequence_lens is int32.
  const inputs = ['T', 'T', 'T', 'T', 'T1', 'T', 'T', 'T'].slice(0, kind.maxInputs);
  return {
    op: kind.op, since, until, kernel: k(kind.kernel),
    constraints: { T: FLOAT_TYPES, T1: ['int32'] }, inputs, outputs: kind.outputs,
    minInputs: 3, maxInputs: kind.maxInputs,
    attrs: (a, ctx) => ({ ...commonAttrs(a, ctx, kind), ...(kind.extra ? kind.extra(a, ctx) : {}) }),
    shapes: (s, attrs: RecurrentAttrs) => recurrentShapes(s, attrs, kind.outputs.length),
  };
}

function commonAttrs(a: AttrReader, ctx: AttrContext, kind: RecurrentKind): RecurrentAttrs {
  const direction = a.string('direction', 'forward');
  if (direction !== 'forward' && direction !== 'reverse' && direction !== 'bidirectional') {
    fail('MLC2003', `attribute "direction" must be "forward", "reverse" or "bidirectional", got ${JSON.stringify(direction)}`);
  }
  const directions = direction === 'bidirectional' ? 2 : 1;
  const hiddenSize = a.has('hidden_size') ? a.int('hidden_size') : 0;
  if (a.has('hidden_size') && hiddenSize <= 0) fail('MLC2003', `attribute "hidden_size" must be positive, got ${hiddenSize}`);
  const clip = a.has('clip') ? a.float('clip') : Infinity;
  if (!(clip > 0)) fail('MLC2003', `attribute "clip" must be positive, got ${clip}`);
  let layout: 0 | 1 = 0;
  if (ctx.opset >= 14) {
    const l = a.int('layout', 0);
    if (l !== 0 && l !== 1) fail('MLC2003', `attribute "layout" must be 0 or 1, got ${l}`);
    layout = l;
  }
  if (ctx.opset < 7) a.int('output_sequence', 0); // read so it counts as known; outputs follow the node
  if (ctx.outputCount > kind.outputs.length) fail('MLC2007', `${kind.op} has at most ${kind.outputs.length} outputs, got ${ctx.outputCount}`);
  return {
    hiddenSize, directions, reverse: direction === 'reverse', layout, clip,
    activations: activationSpecs(a, kind.defaults, directions),
    outputs: ctx.outputCount,
  };
}


// Whether each function takes alpha / beta, and their defaults (those of the ONNX
// op of the same name; ScaledTanh has none in its schema, 1 keeps it a tanh).
const ACTIVATION_PARAMS: Readonly<Record<RecurrentActivation, readonly [number | null, number | null]>> = {
  relu: [null, null], tanh: [null, null], sigmoid: [null, null], softsign: [null, null], softplus: [null, null],
  affine: [1, 0], leakyrelu: [0.01, null], thresholdedrelu: [1, null], scaledtanh: [1, 1],
  hardsigmoid: [0.2, 0.5], elu: [1, null],
};

/**
 * The activation functions of every direction with their parameters. activation_alpha
 * and activation_beta are consumed in order by the functions that take them (as
 * onnxruntime does); missing values take the defaults. A bidirectional node listing
 * one direction's functions uses them for both.
 */
function activationSpecs(a: AttrReader, defaults: readonly RecurrentActivation[], directions: number): ActivationSpec[] {
  const names = a.strings('activations', []);
  const per = defaults.length;
  if (names.length === 0) {
    const one = defaults.map((fn) => withParams(fn, [], [], { a: 0, b: 0 }));
    return directions === 2 ? [...one, ...one] : one;
  }
  if (names.length !== per && names.length !== per * directions) {
    fail('MLC2003', `attribute "activations" must list ${per * directions} functions, got ${names.length}`);
  }
  const alphas = a.floats('activation_alpha', []), betas = a.floats('activation_beta', []);
  const cursor = { a: 0, b: 0 };
  const specs = names.map((name) => withParams(activationName(name), alphas, betas, cursor));
  return specs.length < per * directions ? [...specs, ...specs] : specs;
}

function withParams(fn: RecurrentActivation, alphas: readonly number[], betas: readonly number[], cursor: { a: number; b: number }): ActivationSpec {
  const [da, db] = ACTIVATION_PARAMS[fn];
  const alpha = da === null ? 0 : cursor.a < alphas.length ? alphas[cursor.a++] : da;
  const beta = db === null ? 0 : cursor.b < betas.length ? betas[cursor.b++] : db;
  return { fn, alpha, beta };
}

function activationName(name: string): RecurrentActivation {
  const n = name.toLowerCase();
  if (!Object.hasOwn(ACTIVATION_PARAMS, n)) {
    fail('MLC2003', `unknown activation function ${JSON.stringify(name)} (expected one of Relu, Tanh, Sigmoid, Affine, LeakyRelu, ThresholdedRelu, ScaledTanh, HardSigmoid, Elu, Softsign, Softplus)`);
  }
  return n as RecurrentActivation;
}

/** Y: [seq, dirs, batch, hidden] (layout 1: [batch, seq, dirs, hidden]); Y_h, Y_c: [dirs, batch, hidden] ([batch, dirs, hidden]). */
function recurrentShapes([x, , r]: Shapes, attrs: RecurrentAttrs, count: number): Shapes {
  if (x === null || x.length !== 3) return [];
  const hidden: Dim = attrs.hiddenSize !== 0 ? attrs.hiddenSize : r !== null && r.length === 3 ? r[2] : null;
  const [d0, d1] = x;
  const dirs = attrs.directions;
  const y = attrs.layout === 0 ? [d0, dirs, d1, hidden] : [d0, d1, dirs, hidden];
  const state = attrs.layout === 0 ? [dirs, d1, hidden] : [d0, dirs, hidden];
  return [y, ...new Array<Dim[]>(count - 1).fill(state)];
}
