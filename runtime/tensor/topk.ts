// TopK: the k largest (or smallest) elements along an axis and their indices.
// Each slice is scanned once keeping a bounded heap of the k best positions
// (O(n log k)), then the heap is sorted. Ties go to the lower index, as in the
// ONNX reference and onnxruntime; NaN ranks above every number (numpy's order).

import { fail, normAxis, sizeOf, type NodeCtx, type Tensor } from './tensor.js';

export interface TopKAttrs {
  readonly axis: number;
  readonly largest: boolean;
  /** Output order is sorted either way (sorted=0 leaves the order unspecified). */
  readonly sorted: boolean;
  /** TopK-1 carries k as an attribute; later versions read input 1. */
  readonly k?: number;
}

/** Values may be numbers or bigints (int64/uint64); both compare with < and >. */
type Values = ArrayLike<number | bigint>;

export function topK(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: TopKAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const k = attrs.k ?? readK(inputs[1]);
  const rank = x.dims.length;
  if (rank === 0) fail('the input must have rank 1 or more');
  const axis = normAxis(attrs.axis, rank);
  const n = x.dims[axis];
  if (k < 0 || k > n) fail(`k = ${k} is out of range for axis ${axis} of size ${n}`);
  const outDims = x.dims.slice();
  outDims[axis] = k;
  const values = ctx.alloc(0, x.type, outDims);
  const indices = ctx.alloc(1, 'int64', outDims);
  const inner = sizeOf(x.dims.slice(axis + 1));
  const outer = sizeOf(x.dims.slice(0, axis));
  const heap = ctx.scratch('heap', 'int32', Math.max(k, 1)) as Int32Array;
  const src = x.data as Values;
  const vOut = values.data as unknown as { [i: number]: number | bigint };
  const iOut = indices.data as BigInt64Array;
  for (let b = 0; b < outer; b++) {
    for (let j = 0; j < inner; j++) {
      const base = b * n * inner + j;
      selectTopK(src, base, inner, n, k, attrs.largest, heap);
      const ob = b * k * inner + j;
      for (let r = 0; r < k; r++) {
        const t = heap[r];
        vOut[ob + r * inner] = src[base + t * inner];
        iOut[ob + r * inner] = BigInt(t);
      }
    }
  }
  return ctx.done(2);
}

function readK(t: Tensor | undefined): number {
  if (t === undefined) fail('input K is required');
  if (t.data.length !== 1) fail(`K must hold exactly one value, got ${t.data.length}`);
  return Number(t.data[0]);
}

/** Whether position a (of the slice) ranks before position b. */
function before(d: Values, base: number, stride: number, a: number, b: number, largest: boolean): boolean {
  const va = d[base + a * stride];
  const vb = d[base + b * stride];
  if (va === vb) return a < b;
  const aNaN = va !== va;
  const bNaN = vb !== vb;
  if (aNaN || bNaN) {
    if (aNaN && bNaN) return a < b;
    return largest ? aNaN : bNaN;
  }
  return largest ? va > vb : va < vb;
}

/**
 * Leaves in heap[0..k) the positions of the k best elements of the slice, best first.
 * During the scan heap[0] is the worst kept position (the one to evict).
 */
function selectTopK(d: Values, base: number, stride: number, n: number, k: number, largest: boolean, heap: Int32Array): void {
  if (k === 0) return;
  for (let t = 0; t < k; t++) {
    heap[t] = t;
    siftUp(d, base, stride, largest, heap, t);
  }
  for (let t = k; t < n; t++) {
    if (!before(d, base, stride, t, heap[0], largest)) continue;
    heap[0] = t;
    siftDown(d, base, stride, largest, heap, 0, k);
  }
  // Heap sort: repeatedly move the worst to the end, leaving the best first.
  for (let size = k - 1; size > 0; size--) {
    const worst = heap[0];
    heap[0] = heap[size];
    heap[size] = worst;
    siftDown(d, base, stride, largest, heap, 0, size);
  }
}

function siftUp(d: Values, base: number, stride: number, largest: boolean, heap: Int32Array, i: number): void {
  while (i > 0) {
    const p = (i - 1) >> 1;
    // The parent must rank after (be worse than) the child.
    if (!before(d, base, stride, heap[p], heap[i], largest)) break;
    const tmp = heap[p]; heap[p] = heap[i]; heap[i] = tmp;
    i = p;
  }
}

function siftDown(d: Values, base: number, stride: number, largest: boolean, heap: Int32Array, i: number, size: number): void {
  for (;;) {
    const l = 2 * i + 1;
    if (l >= size) return;
    const r = l + 1;
    // Pick the worse child: it should sit above the better one.
    let w = l;
    if (r < size && before(d, base, stride, heap[l], heap[r], largest)) w = r;
    if (!before(d, base, stride, heap[i], heap[w], largest)) return;
    const tmp = heap[i]; heap[i] = heap[w]; heap[w] = tmp;
    i = w;
  }
}
