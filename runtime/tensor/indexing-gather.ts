// Gather (1, 11, 13), GatherElements (11, 13), GatherND (11, 12, 13).

import { copyRun, elementOffsets, gatherRuns, int32Scratch, readIndices, shapeText, tupleOffsets } from './indexing.js';
import { fail, normAxis, sizeOf, type NodeCtx, type Tensor } from './tensor.js';

/**
 * Gather: output[o, j..., i] = data[o, indices[j...], i] along `axis`; the output
 * shape is data.shape[:axis] + indices.shape + data.shape[axis+1:].
 */
export function gather(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: { axis: number }): Tensor[] {
  const data = inputs[0] as Tensor, indices = inputs[1] as Tensor;
  const dims = data.dims;
  if (dims.length === 0) fail('Gather needs data of rank >= 1');
  const axis = normAxis(attrs.axis, dims.length);
  const outDims = dims.slice(0, axis).concat(indices.dims, dims.slice(axis + 1));
  const out = ctx.alloc(0, data.type, outDims);
  const axisDim = dims[axis];
  const outer = sizeOf(dims.slice(0, axis));
  const inner = sizeOf(dims.slice(axis + 1));
  const n = indices.data.length;
  // Validate and wrap the indices once; they are reused for every outer slice.
  const idx = int32Scratch(ctx, 'idx', n);
  readIndices(indices, [axisDim], idx, 'Gather');
  const src = data.data, dst = out.data;
  if (inner === 1) {
    for (let o = 0, d = 0; o < outer; o++) {
      const s = o * axisDim;
      for (let j = 0; j < n; j++) dst[d++] = src[s + idx[j]];
    }
  } else {
    for (let o = 0, d = 0; o < outer; o++) {
      const s = o * axisDim;
      for (let j = 0; j < n; j++, d += inner) copyRun(src, (s + idx[j]) * inner, dst, d, inner);
    }
  }
  return ctx.done(1);
}

/** GatherElements: output[p] = data[p with its `axis` coordinate replaced by indices[p]]. */
export function gatherElements(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: { axis: number }): Tensor[] {
  const data = inputs[0] as Tensor, indices = inputs[1] as Tensor;
  if (data.dims.length === 0) fail('GatherElements needs data of rank >= 1');
  const axis = normAxis(attrs.axis, data.dims.length);
  const n = indices.data.length;
  const offsets = elementOffsets(ctx, data.dims, indices, axis, 'GatherElements');
  const out = ctx.alloc(0, data.type, indices.dims);
  gatherRuns(data.data, out.data, offsets, n, 1);
  return ctx.done(1);
}

/**
 * GatherND: each k-tuple of the last indices axis selects a block of data (after
 * `batch_dims` shared leading axes); output shape is
 * indices.shape[:-1] + data.shape[batch_dims + k:].
 */
export function gatherND(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: { batchDims: number }): Tensor[] {
  const data = inputs[0] as Tensor, indices = inputs[1] as Tensor;
  const iDims = indices.dims;
  if (iDims.length === 0) fail(`GatherND: indices must have rank >= 1, got ${shapeText(iDims)}`);
  const k = iDims[iDims.length - 1];
  const tupleCount = sizeOf(iDims.slice(0, -1));
  const offsets = tupleOffsets(ctx, data.dims, attrs.batchDims, indices, 'GatherND');
  const blockDims = data.dims.slice(attrs.batchDims + k);
  const out = ctx.alloc(0, data.type, iDims.slice(0, -1).concat(blockDims));
  gatherRuns(data.data, out.data, offsets, tupleCount, sizeOf(blockDims));
  return ctx.done(1);
}
