// NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss.
// Input [N, C, d1..dk], target [N, d1..dk] of class indices, optional weight [C].
// Per element: loss = -input[n, target, d] * weight[target] (0 where target ==
// ignore_index). 'mean' divides the sum by the sum of the weights that applied
// (the count of non-ignored elements without weights), as the ONNX reference does.

import { fail, sizeOf, type NodeCtx, type NumericArray, type Tensor } from './tensor.js';
import { softmaxRow } from './softmax.js';

export interface LossAttrs {
  readonly reduction: 'none' | 'sum' | 'mean';
  /** null when the attribute is absent (no class is ignored). */
  readonly ignoreIndex: number | null;
}

export interface SceAttrs extends LossAttrs {
  /** How many outputs the node declares (the second is log_prob). */
  readonly outputs: number;
}

type Inputs = readonly (Tensor | undefined)[];

export function negativeLogLikelihoodLoss(ctx: NodeCtx, inputs: Inputs, attrs: LossAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  nllLoss(ctx, x.data as NumericArray, x, inputs[1] as Tensor, inputs[2], attrs);
  return ctx.done(1);
}

export function softmaxCrossEntropyLoss(ctx: NodeCtx, inputs: Inputs, attrs: SceAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const { n, c, d } = lossShape(x, inputs[1] as Tensor);
  const wantLogProb = attrs.outputs > 1;
  // log_prob is output 1 when requested, a scratch buffer otherwise.
  const logProb = wantLogProb
    ? (ctx.alloc(1, x.type, x.dims).data as NumericArray)
    : (ctx.scratch('logProb', 'float64', x.data.length) as Float64Array);
  const src = x.data as NumericArray;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) softmaxRow(src, logProb, i * c * d + j, c, d, true);
  }
  nllLoss(ctx, logProb, x, inputs[1] as Tensor, inputs[2], attrs);
  return ctx.done(wantLogProb ? 2 : 1);
}

function lossShape(x: Tensor, target: Tensor): { n: number; c: number; d: number } {
  if (x.dims.length < 2) fail(`the input must have rank 2 or more, got shape [${x.dims.join(',')}]`);
  const n = x.dims[0];
  const c = x.dims[1];
  const d = sizeOf(x.dims.slice(2));
  const expected = [n, ...x.dims.slice(2)];
  if (target.dims.length !== expected.length || target.dims.some((v, i) => v !== expected[i])) {
    fail(`target shape [${target.dims.join(',')}] does not match input shape [${x.dims.join(',')}] (expected [${expected.join(',')}])`);
  }
  return { n, c, d };
}

/** Writes output 0 from log-probabilities `lp` laid out like x. */
function nllLoss(ctx: NodeCtx, lp: NumericArray, x: Tensor, target: Tensor, weight: Tensor | undefined, attrs: LossAttrs): void {
  const { n, c, d } = lossShape(x, target);
  if (weight !== undefined && (weight.dims.length !== 1 || weight.dims[0] !== c)) {
    fail(`weight must have shape [${c}], got [${weight.dims.join(',')}]`);
  }
  const t = target.data as ArrayLike<number | bigint>;
  const w = weight?.data as NumericArray | undefined;
  const ignore = attrs.ignoreIndex;
  const perElement = attrs.reduction === 'none' ? (ctx.alloc(0, x.type, target.dims).data as NumericArray) : undefined;
  let sum = 0;
  let weightSum = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) {
      const e = i * d + j;
      const cls = Number(t[e]);
      let loss = 0;
      if (cls !== ignore) {
        if (!(cls >= 0 && cls < c)) fail(`target value ${cls} is out of range [0, ${c})`);
        const wt = w === undefined ? 1 : w[cls];
        loss = -lp[(i * c + cls) * d + j] * wt;
        weightSum += wt;
      }
      if (perElement !== undefined) perElement[e] = loss;
      sum += loss;
    }
  }
  if (perElement !== undefined) return;
  const out = ctx.alloc(0, x.type, []);
  (out.data as NumericArray)[0] = attrs.reduction === 'sum' ? sum : sum / weightSum;
}
