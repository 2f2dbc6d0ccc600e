// Newer ops (opsets 23–28 and the preview domains): BitCast, SwiGLU, TensorScatter,
// LinearAttention, CausalConvWithState, ai.onnx.preview.FlexAttention and the
// ai.onnx.preview.training optimizers Adagrad, Adam and Momentum.
// Kernels: runtime/tensor/newer.ts and runtime/tensor/newer-attention.ts.
//
// bfloat16 (allowed by several of these schemas) is not a runtime type yet.

import * as newerAttention from '../../../../runtime/tensor/newer-attention.js';
import * as newer from '../../../../runtime/tensor/newer.js';
import { ALL_TYPES, FLOAT_TYPES, type DType } from '../../../../runtime/tensor/tensor.js';
import { fail } from '../../../diagnostics/diagnostic.js';
import { tensorType, type Dim } from '../../../ir/types.js';
import type { AttrReader } from '../attrs.js';
import { dtypeOf, typeName, ONNX_TYPE_NAMES } from '../dtypes.js';
import { broadcastDims } from './elementwise.js';
import { kernelsOf, type AnyOpDef, type AttrContext } from './types.js';

const k = kernelsOf('tensor/newer', newer);
const ka = kernelsOf('tensor/newer-attention', newerAttention);

const FLOATS = FLOAT_TYPES;
/** BitCast: every fixed-width type (not string). */
const BIT_TYPES: readonly DType[] = ALL_TYPES.filter((t) => t !== 'string');
const TRAINING_FLOATS: readonly DType[] = ['float32', 'float64'];

type Shapes = readonly (readonly Dim[] | null)[];

/** Whether optional input i is present on the node. */
function hasInput(ctx: AttrContext, i: number): boolean {
  return ctx.inputTypes[i] !== undefined;
}

/** A static dim as a number, or null when unknown/symbolic. */
function known(d: Dim | undefined): number | null {
  return typeof d === 'number' ? d : null;
}

// ---------------------------------------------------------------- BitCast

function bitCastAttrs(a: AttrReader, ctx: AttrContext): { to: DType } {
  const code = a.int('to');
  if (ONNX_TYPE_NAMES[code] === undefined) fail('MLC2003', `attribute "to" is not a known data type code: ${code}`);
  if (ONNX_TYPE_NAMES[code] === 'string') fail('MLC2003', 'BitCast cannot cast to string');
  const to = dtypeOf(code);
  if (to === undefined) return fail('MLC3005', `BitCast to ${typeName(code)} is not supported`);
  const x = ctx.inputTypes[0];
  if (x !== undefined && x.kind === 'tensor') {
    const wIn = newer.BIT_CAST_WIDTH[x.dtype], wOut = newer.BIT_CAST_WIDTH[to];
    if (wIn !== undefined && wOut !== undefined && wIn !== wOut) {
      fail('MLC2003', `attribute "to": BitCast needs types of the same width, ${x.dtype} is ${wIn * 8} bits and ${to} is ${wOut * 8} bits`);
    }
  }
  return { to };
}

// ---------------------------------------------------------------- LinearAttention

function linearAttentionAttrs(a: AttrReader, ctx: AttrContext): newerAttention.LinearAttentionAttrs {
  const qNumHeads = a.int('q_num_heads'), kvNumHeads = a.int('kv_num_heads');
  if (qNumHeads <= 0 || kvNumHeads <= 0 || qNumHeads % kvNumHeads !== 0) {
    fail('MLC2003', `attributes "q_num_heads" (${qNumHeads}) and "kv_num_heads" (${kvNumHeads}) must be positive, q_num_heads a multiple of kv_num_heads`);
  }
  const chunk = a.int('chunk_size', 64); // a tuning hint with no effect on the result
  if (chunk <= 0) fail('MLC2003', `attribute "chunk_size" must be positive, got ${chunk}`);
  const updateRule = a.oneOf('update_rule', ['linear', 'gated', 'delta', 'gated_delta'] as const, 'gated_delta');
  const gated = updateRule === 'gated' || updateRule === 'gated_delta';
  const delta = updateRule === 'delta' || updateRule === 'gated_delta';
  if (gated !== hasInput(ctx, 4)) fail('MLC2007', `LinearAttention update_rule "${updateRule}" ${gated ? 'requires' : 'forbids'} the decay input (4)`);
  if (delta !== hasInput(ctx, 5)) fail('MLC2007', `LinearAttention update_rule "${updateRule}" ${delta ? 'requires' : 'forbids'} the beta input (5)`);
  return { qNumHeads, kvNumHeads, scale: a.float('scale', 0), updateRule };
}

function linearAttentionShapes([q, , v]: Shapes, at: newerAttention.LinearAttentionAttrs): Shapes {
  if (!q || !v || q.length !== 3 || v.length !== 3) return [null, null];
  const qh = known(q[2]), vh = known(v[2]);
  const dk = qh === null ? null : qh / at.qNumHeads, dv = vh === null ? null : vh / at.kvNumHeads;
  return [[q[0], q[1], dv === null ? null : at.qNumHeads * dv], [q[0], at.kvNumHeads, dk, dv]];
}

// ---------------------------------------------------------------- FlexAttention

const SOFTMAX_PRECISIONS: Readonly<Record<number, 'float16' | 'float32' | 'float64'>> = { 1: 'float32', 10: 'float16', 11: 'float64' };

function flexAttentionAttrs(a: AttrReader): newerAttention.FlexAttentionAttrs {
  let softmaxPrecision: newerAttention.FlexAttentionAttrs['softmaxPrecision'] = null;
  if (a.has('softmax_precision')) {
    const p = a.int('softmax_precision');
    const t = SOFTMAX_PRECISIONS[p];
    if (t === undefined) {
      if (p === 16) fail('MLC3005', 'FlexAttention softmax_precision bfloat16 is not supported');
      fail('MLC2003', `attribute "softmax_precision" must be a float type code (1, 10, 11 or 16), got ${p}`);
    }
    softmaxPrecision = t;
  }
  // Present subgraphs are the node's regions, in this order (absent ones are skipped).
  let next = 0;
  const region = (g: string): number => (a.has(g) ? next++ : -1);
  const scoreMod = region('score_mod'), maskMod = region('mask_mod'), probMod = region('prob_mod');
  return { scale: a.has('scale') ? a.float('scale') : null, softmaxPrecision, scoreMod, maskMod, probMod };
}

// ---------------------------------------------------------------- training optimizers

/** Checks R, T, then `groups` lists of n tensors, and n·outGroups declared outputs at most. */
function optimizerArity(op: string, ctx: AttrContext, groups: number, outGroups: number): void {
  const rest = ctx.inputTypes.length - 2;
  if (rest <= 0 || rest % groups !== 0) fail('MLC2007', `${op} takes R, T and ${groups} lists of equal length; got ${ctx.inputTypes.length} inputs`);
  const n = rest / groups;
  if (ctx.outputCount > n * outGroups) fail('MLC2007', `${op} with ${n} optimized tensors has ${n * outGroups} outputs, the node declares ${ctx.outputCount}`);
}

/** Outputs take the shapes of the inputs they update: output g·n + i ← input 2 + src[g]·n + i. */
function optimizerShapes(groups: number, src: readonly number[]) {
  return (ins: Shapes): Shapes => {
    const n = (ins.length - 2) / groups;
    const out: (readonly Dim[] | null)[] = [];
    for (const g of src) for (let i = 0; i < n; i++) out.push(ins[2 + g * n + i] ?? null);
    return out;
  };
}

const TRAINING = 'ai.onnx.preview.training';
// Schema defaults are float attributes: their float32 roundings, as a model stating them would hold.
const F32_1E_6 = Math.fround(1e-6);
const optimizerTypes = { constraints: { T1: TRAINING_FLOATS, T2: ['int64'] as DType[], T3: TRAINING_FLOATS }, inputs: ['T1', 'T2', 'T3'], outputs: ['T3'] };

export const OPS: readonly AnyOpDef[] = [
  {
    op: 'BitCast', since: 26, kernel: k('bitCast'), constraints: { T1: BIT_TYPES }, inputs: ['T1'],
    attrs: bitCastAttrs, outputTypes: (_ctx, at: { to: DType }) => [tensorType(at.to, null)], shapes: ([x]) => [x],
  },
  {
    op: 'SwiGLU', since: 28, kernel: k('swiGlu'), constraints: { T: FLOATS }, inputs: ['T', 'T'], outputs: ['T'],
    attrs: (a) => ({ alpha: a.float('alpha', 1.0) }), shapes: ([x, y]) => [broadcastDims(x, y)],
  },
  {
    op: 'TensorScatter', since: 24, kernel: k('tensorScatter'), constraints: { T: ALL_TYPES }, inputs: ['T', 'T', 'int64'], outputs: ['T'],
    minInputs: 2,
    attrs: (a): newer.TensorScatterAttrs => ({ axis: a.int('axis', -2), circular: a.oneOf('mode', ['linear', 'circular'] as const, 'linear') === 'circular' }),
    shapes: ([x]) => [x],
  },
  {
    op: 'LinearAttention', since: 27, kernel: ka('linearAttention'), constraints: { T: FLOATS },
    inputs: ['T', 'T', 'T', 'T', 'T', 'T'], outputs: ['T', 'T'], minInputs: 3, attrs: linearAttentionAttrs, shapes: linearAttentionShapes,
  },
  {
    op: 'CausalConvWithState', since: 27, kernel: k('causalConvWithState'), constraints: { T: FLOATS },
    inputs: ['T', 'T', 'T', 'T'], outputs: ['T', 'T'], minInputs: 2,
    attrs: (a): newer.CausalConvAttrs => ({ silu: a.oneOf('activation', ['none', 'silu', 'swish'] as const, 'none') !== 'none' }),
    shapes: ([x, w]) => {
      const kk = w && w.length === 3 ? known(w[2]) : null;
      return [x, x && x.length === 3 && kk !== null ? [x[0], x[1], kk - 1] : null];
    },
  },
  {
    op: 'FlexAttention', domain: 'ai.onnx.preview', since: 1, kernel: ka('flexAttention'), constraints: { T1: FLOATS, T2: FLOATS },
    inputs: ['T1', 'T1', 'T2'], outputs: ['T2'], attrs: flexAttentionAttrs, subgraphs: ['score_mod?', 'mask_mod?', 'prob_mod?'],
    shapes: ([q, , v]) => [q && v && q.length === 4 && v.length === 4 ? [q[0], q[1], q[2], v[3]] : null],
  },
  {
    op: 'Adagrad', domain: TRAINING, since: 1, kernel: k('adagrad'), ...optimizerTypes, minInputs: 5, maxInputs: Infinity,
    attrs: (a, ctx): newer.AdagradAttrs => {
      optimizerArity('Adagrad', ctx, 3, 2);
      return { decayFactor: a.float('decay_factor', 0), epsilon: a.float('epsilon', F32_1E_6), normCoefficient: a.float('norm_coefficient', 0) };
    },
    shapes: optimizerShapes(3, [0, 2]),
  },
  {
    op: 'Adam', domain: TRAINING, since: 1, kernel: k('adam'), ...optimizerTypes, minInputs: 6, maxInputs: Infinity,
    attrs: (a, ctx): newer.AdamAttrs => {
      optimizerArity('Adam', ctx, 4, 3);
      return {
        alpha: a.float('alpha', Math.fround(0.9)), beta: a.float('beta', Math.fround(0.999)), epsilon: a.float('epsilon', F32_1E_6),
        normCoefficient: a.float('norm_coefficient', 0), normCoefficientPost: a.float('norm_coefficient_post', 0),
      };
    },
    shapes: optimizerShapes(4, [0, 2, 3]),
  },
  {
    op: 'Momentum', domain: TRAINING, since: 1, kernel: k('momentum'), ...optimizerTypes, minInputs: 5, maxInputs: Infinity,
    attrs: (a, ctx): newer.MomentumAttrs => {
      optimizerArity('Momentum', ctx, 3, 2);
      return {
        alpha: a.float('alpha'), beta: a.float('beta'), normCoefficient: a.float('norm_coefficient'),
        nesterov: a.oneOf('mode', ['standard', 'nesterov'] as const) === 'nesterov',
      };
    },
    shapes: optimizerShapes(3, [0, 2]),
  },
];
