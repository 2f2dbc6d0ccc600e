// Ops that cut, join or repeat tensors: Concat, Split, Expand, Tile.
// All of them move contiguous blocks, so the inner work is memcpy or fill.

import { broadcastShapes, broadcastStrides } from './broadcast.js';
import { copyRange, intList, prod, stridedGather } from './shape-util.js';
import { fail, normAxis, strides, type NodeCtx, type Tensor } from './tensor.js';

export interface ConcatAttrs { readonly axis: number }

export function concat(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: ConcatAttrs): Tensor[] {
  const xs = inputs as readonly Tensor[];
  const first = xs[0];
  const r = first.dims.length;
  if (r === 0) fail('Concat: inputs must have rank at least 1');
  const axis = normAxis(attrs.axis, r);
  if (xs.length === 1) {
    ctx.view(0, first.type, first.dims, first.data);
    return ctx.done(1);
  }
  const outDims = first.dims.slice();
  outDims[axis] = 0;
  for (const x of xs) {
    if (x.dims.length !== r) fail(`Concat: input ranks differ (${r} and ${x.dims.length})`);
    for (let a = 0; a < r; a++) {
      if (a !== axis && x.dims[a] !== first.dims[a]) fail(`Concat: shapes [${first.dims.join(',')}] and [${x.dims.join(',')}] differ off axis ${axis}`);
    }
    outDims[axis] += x.dims[axis];
  }
  const out = ctx.alloc(0, first.type, outDims);
  // The output is `outer` rows; each row is the inputs' blocks laid end to end.
  const outer = prod(outDims, 0, axis);
  const inner = prod(outDims, axis + 1);
  const rowLen = outDims[axis] * inner;
  let off = 0;
  for (const x of xs) {
    const block = x.dims[axis] * inner;
    for (let o = 0; o < outer; o++) copyRange(out.data, o * rowLen + off, x.data, o * block, block);
    off += block;
  }
  return ctx.done(1);
}

export interface SplitAttrs {
  readonly axis: number;
  /** Split-1..11 sizes attribute (null when absent; from opset 13 it is input 1). */
  readonly split: readonly number[] | null;
  /** Split-18 num_outputs (null when absent). */
  readonly numOutputs: number | null;
  /** Number of outputs the node declares. */
  readonly outputs: number;
}

/** Output sizes along the axis: explicit sizes, num_outputs chunks (last one smaller), or equal parts. */
export function splitSizes(dim: number, explicit: readonly number[] | null, numOutputs: number | null, outputs: number): number[] {
  if (explicit !== null) {
    if (explicit.length !== outputs) fail(`Split: ${explicit.length} split sizes for ${outputs} outputs`);
    let sum = 0;
    for (const s of explicit) {
      if (s < 0 || !Number.isInteger(s)) fail(`Split: invalid split size ${s}`);
      sum += s;
    }
    if (sum !== dim) fail(`Split: split sizes [${explicit.join(',')}] sum to ${sum}, not the axis size ${dim}`);
    return explicit.slice();
  }
  if (numOutputs !== null && numOutputs !== outputs) fail(`Split: num_outputs is ${numOutputs} but the node has ${outputs} outputs`);
  // Equal chunks of ceil(dim / n); when uneven the last chunk takes what is left
  // (Split-18's num_outputs rule, which the reference also applies to older versions).
  const chunk = Math.ceil(dim / outputs);
  const last = dim - chunk * (outputs - 1);
  if (last < 0) fail(`Split: axis size ${dim} cannot be split into ${outputs} chunks of ${chunk}`);
  const sizes = new Array<number>(outputs).fill(chunk);
  sizes[outputs - 1] = last;
  return sizes;
}

export function split(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: SplitAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const r = x.dims.length;
  const axis = normAxis(attrs.axis, r);
  const splitIn = inputs[1];
  // An empty split input means "not given" (some exporters write one).
  const explicit = splitIn !== undefined && splitIn.data.length > 0 ? intList(splitIn, 'Split: split') : attrs.split;
  const sizes = splitSizes(x.dims[axis], explicit, attrs.numOutputs, attrs.outputs);
  const outer = prod(x.dims, 0, axis);
  const inner = prod(x.dims, axis + 1);
  const rowLen = x.dims[axis] * inner;
  let off = 0;
  for (let k = 0; k < sizes.length; k++) {
    const dims = x.dims.slice();
    dims[axis] = sizes[k];
    const out = ctx.alloc(k, x.type, dims);
    const block = sizes[k] * inner;
    for (let o = 0; o < outer; o++) copyRange(out.data, o * block, x.data, o * rowLen + off, block);
    off += block;
  }
  return ctx.done(sizes.length);
}

export function expand(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[]): Tensor[] {
  const x = inputs[0] as Tensor;
  const target = intList(inputs[1] as Tensor, 'Expand: shape');
  for (const d of target) if (d < 0 || !Number.isInteger(d)) fail(`Expand: invalid dim ${d} in shape [${target.join(',')}]`);
  const outDims = broadcastShapes(x.dims, target);
  if (prod(outDims) === x.data.length) {
    // Nothing is repeated (only leading 1s added): same elements, same order.
    ctx.view(0, x.type, outDims, x.data);
    return ctx.done(1);
  }
  const out = ctx.alloc(0, x.type, outDims);
  stridedGather(out.data, outDims, x.data, broadcastStrides(x.dims, outDims));
  return ctx.done(1);
}

export function tile(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[]): Tensor[] {
  const x = inputs[0] as Tensor;
  const reps = intList(inputs[1] as Tensor, 'Tile: repeats');
  const r = x.dims.length;
  if (reps.length !== r) fail(`Tile: ${reps.length} repeats for an input of rank ${r}`);
  for (const k of reps) if (k < 0 || !Number.isInteger(k)) fail(`Tile: invalid repeat count ${k}`);
  const outDims = x.dims.map((d, a) => d * reps[a]);
  const out = ctx.alloc(0, x.type, outDims);
  // Output coordinate t·d + i along each axis is the row-major layout of shape
  // [r0, d0, r1, d1, ...]: a broadcast of the input with stride 0 on every r axis.
  const inSt = strides(x.dims);
  const dims2 = new Array<number>(2 * r);
  const st2 = new Array<number>(2 * r);
  for (let a = 0; a < r; a++) {
    dims2[2 * a] = reps[a]; st2[2 * a] = 0;
    dims2[2 * a + 1] = x.dims[a]; st2[2 * a + 1] = inSt[a];
  }
  stridedGather(out.data, dims2, x.data, st2);
  return ctx.done(1);
}
