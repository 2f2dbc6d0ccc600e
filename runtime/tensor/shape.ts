// Shape queries and zero-copy reshapes: Shape, Size, Reshape, Flatten, Squeeze,
// Unsqueeze. The reshapes only compute new dims; their output is a view on the
// input's data (never written, see the ops guide).

import { intList, normAxes, prod } from './shape-util.js';
import { fail, type NodeCtx, type Tensor } from './tensor.js';

export interface ShapeAttrs {
  readonly start: number;
  /** null: up to the last axis. */
  readonly end: number | null;
}

/** The [start, end) axis range Shape-15 reports: negatives count from the end, both clamp to [0, r]. */
export function shapeRange(r: number, start: number, end: number | null): [number, number] {
  const clamp = (v: number): number => Math.min(Math.max(v < 0 ? v + r : v, 0), r);
  const s = clamp(start);
  const e = end === null ? r : clamp(end);
  return [s, Math.max(s, e)];
}

export function shape(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: ShapeAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const [s, e] = shapeRange(x.dims.length, attrs.start, attrs.end);
  const out = ctx.alloc(0, 'int64', [e - s]);
  const d = out.data as BigInt64Array;
  for (let i = s; i < e; i++) d[i - s] = BigInt(x.dims[i]);
  return ctx.done(1);
}

export function size(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[]): Tensor[] {
  const x = inputs[0] as Tensor;
  const out = ctx.alloc(0, 'int64', []);
  (out.data as BigInt64Array)[0] = BigInt(prod(x.dims));
  return ctx.done(1);
}

export interface ReshapeAttrs {
  /** Reshape-14: a 0 in the target shape is a real zero instead of "copy the input dim". */
  readonly allowzero: number;
  /** Reshape-1..4 take the target shape as an attribute; later versions as input 1. */
  readonly shape: readonly number[] | null;
}

/** Resolves a Reshape target (0 = keep the input dim unless allowzero, -1 = inferred). */
export function reshapeDims(inDims: readonly number[], target: readonly number[], allowzero: boolean): number[] {
  const out = new Array<number>(target.length);
  let inferAt = -1;
  let known = 1;
  for (let i = 0; i < target.length; i++) {
    let d = target[i];
    if (d === -1) {
      if (inferAt >= 0) fail('Reshape: the target shape has more than one -1');
      inferAt = i;
      continue;
    }
    if (d === 0 && !allowzero) {
      if (i >= inDims.length) fail(`Reshape: target dim ${i} is 0 (copy) but the input has rank ${inDims.length}`);
      d = inDims[i];
    } else if (d < 0 || !Number.isInteger(d)) {
      fail(`Reshape: invalid target dim ${target[i]}`);
    }
    out[i] = d;
    known *= d;
  }
  const n = prod(inDims);
  if (inferAt >= 0) {
    if (known === 0) {
      // -1 next to a real 0 is ambiguous; ONNX forbids it with allowzero, treat it as 0 otherwise.
      if (n !== 0 || allowzero) fail(`Reshape: cannot infer the -1 dim of [${target.join(',')}] for ${n} elements`);
      out[inferAt] = 0;
    } else {
      if (n % known !== 0) fail(`Reshape: cannot reshape [${inDims.join(',')}] to [${target.join(',')}]`);
      out[inferAt] = n / known;
    }
  } else if (known !== n) {
    fail(`Reshape: cannot reshape [${inDims.join(',')}] (${n} elements) to [${out.join(',')}]`);
  }
  return out;
}

export function reshape(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: ReshapeAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const target = attrs.shape ?? intList(inputs[1] as Tensor, 'Reshape: shape');
  ctx.view(0, x.type, reshapeDims(x.dims, target, attrs.allowzero !== 0), x.data);
  return ctx.done(1);
}

export interface FlattenAttrs { readonly axis: number }

export function flatten(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: FlattenAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const r = x.dims.length;
  const axis = attrs.axis < 0 ? attrs.axis + r : attrs.axis;
  if (axis < 0 || axis > r) fail(`Flatten: axis ${attrs.axis} is out of range for rank ${r}`);
  ctx.view(0, x.type, [prod(x.dims, 0, axis), prod(x.dims, axis)], x.data);
  return ctx.done(1);
}

export interface AxesAttrs {
  /** Squeeze/Unsqueeze before opset 13 take axes as an attribute; later versions as input 1. */
  readonly axes: readonly number[] | null;
}

export function squeeze(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: AxesAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const axesIn = inputs[1];
  const axes = axesIn !== undefined ? intList(axesIn, 'Squeeze: axes') : attrs.axes;
  ctx.view(0, x.type, squeezeDims(x.dims, axes), x.data);
  return ctx.done(1);
}

/** Dims without the given axes (each must be 1), or without every 1 when axes is null or empty. */
export function squeezeDims(dims: readonly number[], axes: readonly number[] | null): number[] {
  // An empty axes list squeezes every unit dim, as onnxruntime does.
  if (axes === null || axes.length === 0) return dims.filter((d) => d !== 1);
  const drop = normAxes(axes, dims.length);
  for (const a of drop) if (dims[a] !== 1) fail(`Squeeze: axis ${a} has size ${dims[a]}, not 1`);
  return dims.filter((_, i) => drop.indexOf(i) < 0);
}

export function unsqueeze(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: AxesAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const axesIn = inputs[1];
  const axes = axesIn !== undefined ? intList(axesIn, 'Unsqueeze: axes') : attrs.axes;
  if (axes === null) fail('Unsqueeze: axes are required');
  ctx.view(0, x.type, unsqueezeDims(x.dims, axes), x.data);
  return ctx.done(1);
}

/** Inserts 1s at `axes`, which index the output (rank r + axes.length). */
export function unsqueezeDims(dims: readonly number[], axes: readonly number[]): number[] {
  const r = dims.length + axes.length;
  const ones = normAxes(axes, r);
  const out = new Array<number>(r);
  let k = 0;
  for (let i = 0; i < r; i++) out[i] = ones.indexOf(i) >= 0 ? 1 : dims[k++];
  return out;
}
