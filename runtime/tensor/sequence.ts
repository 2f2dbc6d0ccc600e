// Sequence ops. A sequence value is a plain array of tensors; every op returns a
// new array (sequences are immutable values in ONNX).

import { allocData, fail, normAxis, sizeOf, toNumbers, type DType, type NodeCtx, type Tensor } from './tensor.js';

type Inputs = readonly (Tensor | undefined)[];
type Sequence = Tensor[];

function asSeq(v: Tensor | undefined): Sequence {
  if (!Array.isArray(v)) fail('expected a sequence input');
  return v as unknown as Sequence;
}

function out(ctx: NodeCtx, v: Sequence | Tensor): Tensor[] {
  ctx.set(0, v as Tensor);
  return ctx.done(1);
}

function position(t: Tensor | undefined, length: number, allowEnd: boolean): number {
  if (t === undefined) return allowEnd ? length : length - 1;
  const p = Number(t.data[0]);
  const q = p < 0 ? p + length : p;
  if (q < 0 || q > length || (!allowEnd && q === length)) fail(`sequence position ${p} is out of range for length ${length}`);
  return q;
}

export function sequenceEmpty(ctx: NodeCtx): Tensor[] {
  return out(ctx, []);
}

export function sequenceConstruct(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  return out(ctx, inputs.slice() as Sequence);
}

export function sequenceAt(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const s = asSeq(inputs[0]);
  return out(ctx, s[position(inputs[1], s.length, false)]);
}

export function sequenceInsert(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const s = asSeq(inputs[0]).slice();
  s.splice(position(inputs[2], s.length, true), 0, inputs[1] as Tensor);
  return out(ctx, s);
}

export function sequenceErase(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const s = asSeq(inputs[0]).slice();
  s.splice(position(inputs[1], s.length, false), 1);
  return out(ctx, s);
}

export function sequenceLength(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  return out(ctx, { type: 'int64', dims: [], data: BigInt64Array.of(BigInt(asSeq(inputs[0]).length)) });
}

/** Copies the slab [start, end) along `axis` of t. */
function sliceRange(t: Tensor, axis: number, start: number, end: number): Tensor {
  const outer = sizeOf(t.dims.slice(0, axis));
  const len = t.dims[axis];
  const inner = sizeOf(t.dims.slice(axis + 1));
  const width = end - start;
  const data = allocData(t.type, outer * width * inner);
  const src = t.data as Float64Array;
  const dst = data as Float64Array;
  for (let o = 0; o < outer; o++) {
    for (let j = 0; j < width * inner; j++) dst[o * width * inner + j] = src[(o * len + start) * inner + j];
  }
  const dims = t.dims.slice();
  dims[axis] = width;
  return { type: t.type, dims, data };
}

export interface SplitToSequenceAttrs { readonly axis: number; readonly keepdims: number }

export function splitToSequence(ctx: NodeCtx, inputs: Inputs, a: SplitToSequenceAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const axis = normAxis(a.axis, x.dims.length);
  const len = x.dims[axis];
  const split = inputs[1];
  const parts: Tensor[] = [];
  if (split === undefined) {
    for (let i = 0; i < len; i++) {
      const p = sliceRange(x, axis, i, i + 1);
      if (a.keepdims === 0) p.dims.splice(axis, 1);
      parts.push(p);
    }
  } else if (split.dims.length === 0) {
    const size = Number(split.data[0]);
    if (!(size > 0)) fail(`split size must be positive, got ${size}`);
    for (let s = 0; s < len; s += size) parts.push(sliceRange(x, axis, s, Math.min(len, s + size)));
  } else {
    const sizes = toNumbers(split);
    if (sizes.reduce((u, v) => u + v, 0) !== len) fail(`split sizes ${JSON.stringify(sizes)} do not add up to ${len}`);
    let s = 0;
    for (const size of sizes) { parts.push(sliceRange(x, axis, s, s + size)); s += size; }
  }
  return out(ctx, parts);
}

export interface ConcatFromSequenceAttrs { readonly axis: number; readonly newAxis: number }

export function concatFromSequence(ctx: NodeCtx, inputs: Inputs, a: ConcatFromSequenceAttrs): Tensor[] {
  const s = asSeq(inputs[0]);
  if (s.length === 0) fail('cannot concatenate an empty sequence');
  const first = s[0];
  const rank = first.dims.length;
  const items = a.newAxis ? s.map((t) => ({ ...t, dims: insertOne(t.dims, normAxis(a.axis, rank + 1)) })) : s;
  const axis = normAxis(a.axis, a.newAxis ? rank + 1 : rank);
  const dims = items[0].dims.slice();
  dims[axis] = items.reduce((n, t) => n + t.dims[axis], 0);
  const outer = sizeOf(dims.slice(0, axis));
  const inner = sizeOf(dims.slice(axis + 1));
  const data = allocData(first.type as DType, sizeOf(dims));
  const dst = data as Float64Array;
  let offset = 0;
  for (const t of items) {
    const w = t.dims[axis] * inner;
    const src = t.data as Float64Array;
    for (let o = 0; o < outer; o++) for (let j = 0; j < w; j++) dst[o * dims[axis] * inner + offset + j] = src[o * w + j];
    offset += w;
  }
  return out(ctx, { type: first.type, dims, data });
}

function insertOne(dims: readonly number[], axis: number): number[] {
  const d = dims.slice();
  d.splice(axis, 0, 1);
  return d;
}

/** Optional: wraps a value (or makes an empty optional: null). */
export function optional(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  ctx.set(0, (inputs[0] ?? null) as Tensor);
  return ctx.done(1);
}

export function optionalHasElement(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const v = inputs[0];
  return out(ctx, { type: 'bool', dims: [], data: Uint8Array.of(v === null || v === undefined ? 0 : 1) });
}

export function optionalGetElement(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const v = inputs[0];
  if (v === null || v === undefined) fail('the optional input is empty');
  ctx.set(0, v);
  return ctx.done(1);
}

/**
 * SequenceMap: runs the body once per position of the first (sequence) input;
 * further inputs are sequences (indexed alike) or tensors (passed whole).
 * Each body output is collected into an output sequence.
 */
export function sequenceMap(ctx: NodeCtx, inputs: Inputs, _attrs: unknown, regions?: readonly ((args: readonly (Tensor | undefined)[]) => Tensor[])[]): Tensor[] {
  const body = (regions as NonNullable<typeof regions>)[0];
  const first = asSeq(inputs[0]);
  const n = first.length;
  const collected: Tensor[][] = [];
  for (let i = 0; i < n; i++) {
    const args = inputs.map((v) => {
      if (!Array.isArray(v)) return v;
      const s = v as unknown as Sequence;
      if (s.length !== n) fail(`sequence inputs have different lengths (${n} and ${s.length})`);
      return s[i];
    });
    body(args).forEach((t, k) => { (collected[k] ??= []).push(t); });
  }
  const count = Math.max(collected.length, ctx.out.length);
  for (let k = 0; k < count; k++) ctx.set(k, (collected[k] ?? []) as unknown as Tensor);
  return ctx.done(count);
}
