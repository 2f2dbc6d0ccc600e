// Reductions, arg-reductions, cumulative ops, TopK, the softmax family and the losses.
//
// Versions: the Reduce* ops take `axes` as an attribute up to opset 12 (ReduceSum)
// or 17 (the others), then as an optional input with `noop_with_empty_axes`.
// Softmax/LogSoftmax/Hardmax before opset 13 coerce the input to 2-D at `axis`.

import * as cumulative from '../../../../runtime/tensor/cumulative.js';
import * as loss from '../../../../runtime/tensor/loss.js';
import * as reduce from '../../../../runtime/tensor/reduce.js';
import * as softmax from '../../../../runtime/tensor/softmax.js';
import * as topk from '../../../../runtime/tensor/topk.js';
import { FLOAT_TYPES, NUMERIC_TYPES, type DType } from '../../../../runtime/tensor/tensor.js';
import { fail } from '../../../diagnostics/diagnostic.js';
import type { Dim } from '../../../ir/types.js';
import type { AttrReader } from '../attrs.js';
import { kernelsOf, type AnyOpDef, type AttrContext, type OpDef } from './types.js';

const kr = kernelsOf('tensor/reduce', reduce);
const kc = kernelsOf('tensor/cumulative', cumulative);
const kt = kernelsOf('tensor/topk', topk);
const ks = kernelsOf('tensor/softmax', softmax);
const kl = kernelsOf('tensor/loss', loss);

const NUMERIC = NUMERIC_TYPES;
const FLOATS = FLOAT_TYPES;
const INDEX: readonly DType[] = ['int32', 'int64'];

type Shapes = readonly (readonly Dim[] | null)[];

// ---------------------------------------------------------------------------
// Reduce*

function axesFromAttribute(a: AttrReader): reduce.ReduceAttrs {
  return { keepdims: a.int('keepdims', 1) !== 0, axes: a.ints('axes', []), noopWithEmptyAxes: false };
}

function axesFromInput(a: AttrReader): reduce.ReduceAttrs {
  return { keepdims: a.int('keepdims', 1) !== 0, axes: null, noopWithEmptyAxes: a.int('noop_with_empty_axes', 0) !== 0 };
}

/** Static output shape when the axes are known at compile time. */
function reduceShapes([x]: Shapes, attrs: reduce.ReduceAttrs, ctx: AttrContext): Shapes {
  if (x === null) return [null];
  let axes: number[] | null = attrs.axes === null ? null : attrs.axes.slice();
  if (axes === null) {
    if (ctx.inputTypes[1] === undefined) axes = [];
    else if (ctx.constInputs[1] !== undefined) axes = Array.from(ctx.constInputs[1].data as ArrayLike<number | bigint>, Number);
  }
  if (axes === null) return [attrs.keepdims ? x.map(() => null) : null];
  if (axes.length === 0 && attrs.axes === null && attrs.noopWithEmptyAxes) return [x];
  const rank = x.length;
  const mask = x.map(() => axes.length === 0);
  for (const a of axes) mask[a < 0 ? a + rank : a] = true;
  const out: Dim[] = [];
  x.forEach((d, i) => {
    if (!mask[i]) out.push(d);
    else if (attrs.keepdims) out.push(1);
  });
  return [out];
}

function reduceOps(op: string, kernel: string, inputSince: number, types: readonly DType[] = NUMERIC): AnyOpDef[] {
  const base = { op, aliasesInputs: true, kernel: kr(kernel), constraints: { T: types }, outputs: ['T'], shapes: reduceShapes };
  return [
    { ...base, since: 1, until: inputSince - 1, inputs: ['T'], attrs: axesFromAttribute },
    { ...base, since: inputSince, inputs: ['T', 'int64'], minInputs: 1, attrs: axesFromInput },
  ];
}

const REDUCTIONS: AnyOpDef[] = [
  ...reduceOps('ReduceSum', 'reduceSum', 13),
  ...reduceOps('ReduceMean', 'reduceMean', 18),
  ...reduceOps('ReduceProd', 'reduceProd', 18),
  ...reduceOps('ReduceSumSquare', 'reduceSumSquare', 18),
  ...reduceOps('ReduceL1', 'reduceL1', 18),
  ...reduceOps('ReduceL2', 'reduceL2', 18),
  ...reduceOps('ReduceLogSum', 'reduceLogSum', 18),
  ...reduceOps('ReduceLogSumExp', 'reduceLogSumExp', 18),
  // ReduceMax/ReduceMin accept bool from opset 20.
  ...reduceOps('ReduceMax', 'reduceMax', 18).map((d) => (d.since === 18 ? { ...d, until: 19 } : d)),
  ...reduceOps('ReduceMin', 'reduceMin', 18).map((d) => (d.since === 18 ? { ...d, until: 19 } : d)),
  { ...reduceOps('ReduceMax', 'reduceMax', 18)[1], since: 20, constraints: { T: [...NUMERIC, 'bool'] } },
  { ...reduceOps('ReduceMin', 'reduceMin', 18)[1], since: 20, constraints: { T: [...NUMERIC, 'bool'] } },
];

// ---------------------------------------------------------------------------
// ArgMax / ArgMin (select_last_index from opset 12)

function argAttrs(a: AttrReader, ctx: AttrContext): reduce.ArgAttrs {
  return {
    axis: a.int('axis', 0),
    keepdims: a.int('keepdims', 1) !== 0,
    selectLastIndex: ctx.opset >= 12 && a.int('select_last_index', 0) !== 0,
  };
}

function argShapes([x]: Shapes, attrs: reduce.ArgAttrs): Shapes {
  if (x === null) return [null];
  const axis = attrs.axis < 0 ? attrs.axis + x.length : attrs.axis;
  const out = x.slice();
  if (attrs.keepdims) out[axis] = 1; else out.splice(axis, 1);
  return [out];
}

const ARG: AnyOpDef[] = [
  { op: 'ArgMax', since: 1, kernel: kr('argMax'), constraints: { T: NUMERIC }, inputs: ['T'], outputs: ['int64'], attrs: argAttrs, shapes: argShapes },
  { op: 'ArgMin', since: 1, kernel: kr('argMin'), constraints: { T: NUMERIC }, inputs: ['T'], outputs: ['int64'], attrs: argAttrs, shapes: argShapes },
];

// ---------------------------------------------------------------------------
// CumSum (11) / CumProd (26)

function cumulativeAttrs(a: AttrReader): cumulative.CumulativeAttrs {
  return { exclusive: a.int('exclusive', 0) !== 0, reverse: a.int('reverse', 0) !== 0 };
}

const sameShape = ([x]: Shapes): Shapes => [x];

const CUMULATIVE: AnyOpDef[] = [
  { op: 'CumSum', since: 11, kernel: kc('cumSum'), constraints: { T: NUMERIC, T2: INDEX }, inputs: ['T', 'T2'], outputs: ['T'], attrs: cumulativeAttrs, shapes: sameShape },
  { op: 'CumProd', since: 26, kernel: kc('cumProd'), constraints: { T: NUMERIC, T2: INDEX }, inputs: ['T', 'T2'], outputs: ['T'], attrs: cumulativeAttrs, shapes: sameShape },
];

// ---------------------------------------------------------------------------
// TopK: k attribute (1-9), k input (10+), largest/sorted (11+)

function topkShapes([x]: Shapes, attrs: topk.TopKAttrs, ctx: AttrContext): Shapes {
  if (x === null) return [null, null];
  const axis = attrs.axis < 0 ? attrs.axis + x.length : attrs.axis;
  const kt = ctx.constInputs[1];
  const k: Dim = attrs.k ?? (kt !== undefined && kt.data.length === 1 ? Number(kt.data[0]) : null);
  const out = x.slice();
  out[axis] = k;
  return [out, out];
}

const TOPK: AnyOpDef[] = [
  {
    op: 'TopK', since: 1, until: 9, kernel: kt('topK'), constraints: { T: NUMERIC }, inputs: ['T'], outputs: ['T', 'int64'],
    attrs: (a: AttrReader): topk.TopKAttrs => ({ axis: a.int('axis', -1), largest: true, sorted: true, k: a.int('k') }),
    shapes: topkShapes,
  },
  {
    op: 'TopK', since: 10, kernel: kt('topK'), constraints: { T: NUMERIC }, inputs: ['T', 'int64'], outputs: ['T', 'int64'],
    attrs: (a: AttrReader, ctx: AttrContext): topk.TopKAttrs => ({
      axis: a.int('axis', -1),
      largest: ctx.opset < 11 || a.int('largest', 1) !== 0,
      sorted: ctx.opset < 11 || a.int('sorted', 1) !== 0,
    }),
    shapes: topkShapes,
  },
];

// ---------------------------------------------------------------------------
// Softmax / LogSoftmax / Hardmax

function softmaxOps(op: string, kernel: string): AnyOpDef[] {
  const base = { op, kernel: ks(kernel), constraints: { T: FLOATS }, inputs: ['T'], outputs: ['T'], shapes: sameShape };
  return [
    { ...base, since: 1, until: 12, attrs: (a: AttrReader): softmax.SoftmaxAttrs => ({ axis: a.int('axis', 1), coerce2d: true }) },
    { ...base, since: 13, attrs: (a: AttrReader): softmax.SoftmaxAttrs => ({ axis: a.int('axis', -1), coerce2d: false }) },
  ];
}

const SOFTMAX: AnyOpDef[] = [
  ...softmaxOps('Softmax', 'softmax'),
  ...softmaxOps('LogSoftmax', 'logSoftmax'),
  ...softmaxOps('Hardmax', 'hardmax'),
];

// ---------------------------------------------------------------------------
// NegativeLogLikelihoodLoss / SoftmaxCrossEntropyLoss (12+)

function lossAttrs(a: AttrReader): loss.LossAttrs {
  const reduction = a.string('reduction', 'mean');
  if (reduction !== 'none' && reduction !== 'sum' && reduction !== 'mean') {
    fail('MLC2003', `attribute "reduction" must be "none", "sum" or "mean", got ${JSON.stringify(reduction)}`);
  }
  return { reduction, ignoreIndex: a.has('ignore_index') ? a.int('ignore_index') : null };
}

function lossShapes([x, target]: Shapes, attrs: loss.LossAttrs): Shapes {
  const lossShape = attrs.reduction === 'none' ? target : [];
  return [lossShape, x];
}

const nll: OpDef<loss.LossAttrs> = {
  op: 'NegativeLogLikelihoodLoss', since: 12, kernel: kl('negativeLogLikelihoodLoss'),
  constraints: { T: FLOATS, Tind: INDEX }, inputs: ['T', 'Tind', 'T'], outputs: ['T'], minInputs: 2,
  attrs: lossAttrs, shapes: lossShapes,
};

const sce: OpDef<loss.SceAttrs> = {
  op: 'SoftmaxCrossEntropyLoss', since: 12, kernel: kl('softmaxCrossEntropyLoss'),
  constraints: { T: FLOATS, Tind: INDEX }, inputs: ['T', 'Tind', 'T'], outputs: ['T', 'T'], minInputs: 2,
  attrs: (a, ctx) => ({ ...lossAttrs(a), outputs: ctx.outputCount }),
  shapes: lossShapes,
};

export const OPS: readonly AnyOpDef[] = [...REDUCTIONS, ...ARG, ...CUMULATIVE, ...TOPK, ...SOFTMAX, nll, sce];

