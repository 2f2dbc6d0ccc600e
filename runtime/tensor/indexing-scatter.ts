// ScatterElements (11, 13, 16, 18), Scatter (9, deprecated alias), ScatterND (11, 13, 16, 18).
// The output starts as a copy of data; updates are then written, or combined with
// the reduction, at the addressed positions in row-major order of the indices
// (so with duplicate indices and no reduction the last update wins).

import { copyRun, elementOffsets, requireSameDims, shapeText, tupleOffsets } from './indexing.js';
import { fail, normAxis, sizeOf, type BigArray, type NodeCtx, type NumericArray, type Tensor, type TensorData } from './tensor.js';

export type Reduction = 'none' | 'add' | 'mul' | 'max' | 'min';

/** ScatterElements (and Scatter-9): updates[p] goes to data[p with its `axis` coordinate = indices[p]]. */
export function scatterElements(
  ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: { axis: number; reduction: Reduction },
): Tensor[] {
  const data = inputs[0] as Tensor, indices = inputs[1] as Tensor, updates = inputs[2] as Tensor;
  if (data.dims.length === 0) fail('ScatterElements needs data of rank >= 1');
  requireSameDims(indices.dims, updates.dims, 'ScatterElements: indices and updates must have the same shape');
  const axis = normAxis(attrs.axis, data.dims.length);
  const n = indices.data.length;
  const targets = elementOffsets(ctx, data.dims, indices, axis, 'ScatterElements');
  const out = ctx.alloc(0, data.type, data.dims);
  copyRun(data.data, 0, out.data, 0, data.data.length);
  applyUpdates(out.data, updates.data, targets, n, 1, attrs.reduction, data.type);
  return ctx.done(1);
}

/**
 * ScatterND: each k-tuple of the last indices axis addresses a block of data
 * (data.shape[k:]); updates has shape indices.shape[:-1] + data.shape[k:].
 */
export function scatterND(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: { reduction: Reduction }): Tensor[] {
  const data = inputs[0] as Tensor, indices = inputs[1] as Tensor, updates = inputs[2] as Tensor;
  const iDims = indices.dims;
  if (iDims.length === 0) fail(`ScatterND: indices must have rank >= 1, got ${shapeText(iDims)}`);
  const k = iDims[iDims.length - 1];
  const tupleCount = sizeOf(iDims.slice(0, -1));
  const targets = tupleOffsets(ctx, data.dims, 0, indices, 'ScatterND');
  const blockDims = data.dims.slice(k);
  requireSameDims(updates.dims, iDims.slice(0, -1).concat(blockDims), 'ScatterND: updates must have shape indices.shape[:-1] + data.shape[k:]');
  const out = ctx.alloc(0, data.type, data.dims);
  copyRun(data.data, 0, out.data, 0, data.data.length);
  applyUpdates(out.data, updates.data, targets, tupleCount, sizeOf(blockDims), attrs.reduction, data.type);
  return ctx.done(1);
}

/**
 * dst[targets[j] + e] (op)= src[j * block + e] for j < count, e < block, in order.
 * One loop per representation and reduction keeps the inner loops monomorphic.
 */
function applyUpdates(
  dst: TensorData, src: TensorData, targets: Int32Array, count: number, block: number, reduction: Reduction, type: string,
): void {
  if (reduction === 'none') {
    if (block === 1) for (let j = 0; j < count; j++) dst[targets[j]] = src[j];
    else for (let j = 0; j < count; j++) copyRun(src, j * block, dst, targets[j], block);
    return;
  }
  if (Array.isArray(dst)) {
    // Strings: add concatenates (numpy's add on str objects, onnxruntime); nothing else is defined.
    if (reduction !== 'add') fail(`reduction "${reduction}" is not defined for string tensors`);
    for (let j = 0, s = 0; j < count; j++) {
      for (let e = 0, t = targets[j]; e < block; e++, s++) dst[t + e] += (src as string[])[s];
    }
    return;
  }
  if (type === 'bool') applyBool(dst as Uint8Array, src as Uint8Array, targets, count, block, reduction);
  else if (dst instanceof BigInt64Array || dst instanceof BigUint64Array) applyBig(dst, src as BigArray, targets, count, block, reduction);
  else applyNumber(dst, src as NumericArray, targets, count, block, reduction, type === 'int32' || type === 'uint32');
}

function applyNumber(
  dst: NumericArray, src: NumericArray, targets: Int32Array, count: number, block: number, reduction: Reduction, int32Mul: boolean,
): void {
  for (let j = 0, s = 0; j < count; j++) {
    const t = targets[j];
    switch (reduction) {
      case 'add': for (let e = 0; e < block; e++, s++) dst[t + e] += src[s]; break;
      // 32-bit integer products can exceed 2^53 as doubles; Math.imul wraps exactly.
      case 'mul':
        if (int32Mul) for (let e = 0; e < block; e++, s++) dst[t + e] = Math.imul(dst[t + e], src[s]);
        else for (let e = 0; e < block; e++, s++) dst[t + e] *= src[s];
        break;
      // Math.max/min propagate NaN, like numpy's maximum/minimum.
      case 'max': for (let e = 0; e < block; e++, s++) dst[t + e] = Math.max(dst[t + e], src[s]); break;
      case 'min': for (let e = 0; e < block; e++, s++) dst[t + e] = Math.min(dst[t + e], src[s]); break;
      default: fail(`unknown reduction "${reduction}"`);
    }
  }
}

function applyBig(dst: BigArray, src: BigArray, targets: Int32Array, count: number, block: number, reduction: Reduction): void {
  for (let j = 0, s = 0; j < count; j++) {
    const t = targets[j];
    for (let e = 0; e < block; e++, s++) {
      const a = dst[t + e], b = src[s];
      // Stores into BigInt64Array/BigUint64Array wrap to 64 bits.
      switch (reduction) {
        case 'add': dst[t + e] = a + b; break;
        case 'mul': dst[t + e] = a * b; break;
        case 'max': if (b > a) dst[t + e] = b; break;
        case 'min': if (b < a) dst[t + e] = b; break;
        default: fail(`unknown reduction "${reduction}"`);
      }
    }
  }
}

/** Booleans: add and max are logical or, mul and min logical and (as onnxruntime). */
function applyBool(dst: Uint8Array, src: Uint8Array, targets: Int32Array, count: number, block: number, reduction: Reduction): void {
  const isOr = reduction === 'add' || reduction === 'max';
  for (let j = 0, s = 0; j < count; j++) {
    const t = targets[j];
    for (let e = 0; e < block; e++, s++) dst[t + e] = isOr ? dst[t + e] | src[s] : dst[t + e] & src[s];
  }
}
