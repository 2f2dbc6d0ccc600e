// Unique-11: the distinct elements (or slices along `axis`) of a tensor, sorted or
// in order of first occurrence, with first-occurrence indices, inverse indices and
// counts (numpy.unique semantics: NaNs are one value sorted last, -0 equals 0).

import { copyRun, int32Scratch, writeInt64 } from './indexing.js';
import { normAxis, sizeOf, type NodeCtx, type Tensor, type TensorData } from './tensor.js';

/**
 * Distinct values or slices in sorted order: the first position and count of each
 * group, and each candidate position's group.
 */
interface Groups {
  readonly firsts: ArrayLike<number>;
  readonly counts: ArrayLike<number>;
  /** groupOf[position] = group id (index into firsts/counts). */
  readonly groupOf: Int32Array;
}

export function unique(
  ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: { axis?: number; sorted: boolean; outputs: number },
): Tensor[] {
  const x = inputs[0] as Tensor;
  // View the input as [outer, m, inner] with the m candidates along the axis
  // (a flattened input: outer = inner = 1).
  const flat = attrs.axis === undefined;
  const axis = flat ? 0 : normAxis(attrs.axis as number, x.dims.length);
  const m = flat ? x.data.length : x.dims[axis];
  const outer = flat ? 1 : sizeOf(x.dims.slice(0, axis));
  const inner = flat ? 1 : sizeOf(x.dims.slice(axis + 1));
  const groupOf = int32Scratch(ctx, 'groupOf', m);
  let groups: Groups;
  if (outer * inner !== 1) groups = groupSlices(x.data, m, outer, inner, groupOf);
  else if (Array.isArray(x.data)) groups = groupStrings(x.data, m, groupOf);
  else groups = groupPacked(x.data, m, groupOf) ?? groupSlices(x.data, m, 1, 1, groupOf);
  const { firsts, counts } = groups;
  const g = firsts.length;
  const byRank = attrs.sorted ? identity(g) : byFirstOccurrence(firsts, m);

  const yDims = flat ? [g] : x.dims.slice();
  if (!flat) yDims[axis] = g;
  const y = ctx.alloc(0, x.type, yDims);
  const src = x.data, dst = y.data;
  if (outer * inner === 1) for (let r = 0; r < g; r++) dst[r] = src[firsts[byRank[r]]];
  else {
    for (let o = 0; o < outer; o++) {
      for (let r = 0; r < g; r++) copyRun(src, (o * m + firsts[byRank[r]]) * inner, dst, (o * g + r) * inner, inner);
    }
  }
  const tmp = int32Scratch(ctx, 'out', Math.max(g, m));
  if (attrs.outputs > 1) {
    for (let r = 0; r < g; r++) tmp[r] = firsts[byRank[r]];
    writeInt64(ctx.alloc(1, 'int64', [g]).data as BigInt64Array, tmp, g);
  }
  if (attrs.outputs > 2) {
    const rank = int32Scratch(ctx, 'rank', g);
    for (let r = 0; r < g; r++) rank[byRank[r]] = r;
    for (let p = 0; p < m; p++) tmp[p] = rank[groupOf[p]];
    writeInt64(ctx.alloc(2, 'int64', [m]).data as BigInt64Array, tmp, m);
  }
  if (attrs.outputs > 3) {
    for (let r = 0; r < g; r++) tmp[r] = counts[byRank[r]];
    writeInt64(ctx.alloc(3, 'int64', [g]).data as BigInt64Array, tmp, g);
  }
  return ctx.done(attrs.outputs);
}

function identity(n: number): Int32Array {
  const a = new Int32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

/** Group ids ordered by their first position (a bucket pass over the m positions). */
function byFirstOccurrence(firsts: ArrayLike<number>, m: number): Int32Array {
  const at = new Int32Array(m).fill(-1);
  for (let g = 0; g < firsts.length; g++) at[firsts[g]] = g;
  const out = new Int32Array(firsts.length);
  for (let p = 0, r = 0; p < m; p++) if (at[p] >= 0) out[r++] = at[p];
  return out;
}

/** Whether typed-array words are little-endian (the packed-key path needs it). */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Values that map order-preservingly to 32-bit keys (float32/float16, integers of
 * up to 32 bits, int64/uint64 holding such values): packs (key, position) into
 * one uint64 per element and sorts natively, which gives the values' order with
 * ties in position order. Null when a value does not fit (then the generic
 * comparator sort applies).
 */
function groupPacked(data: Exclude<TensorData, string[]>, m: number, groupOf: Int32Array): Groups | null {
  if (!LITTLE_ENDIAN || data instanceof Float64Array) return null;
  const packed = new BigUint64Array(m);
  const w = new Uint32Array(packed.buffer); // w[2i] = position (low word), w[2i+1] = key (high word)
  if (!writeKeys(data, m, w)) return null;
  packed.sort();
  const firsts: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < m; i++) {
    const p = w[2 * i];
    if (i === 0 || w[2 * i + 1] !== w[2 * i - 1]) { firsts.push(p); counts.push(0); }
    groupOf[p] = firsts.length - 1;
    counts[counts.length - 1]++;
  }
  return { firsts, counts, groupOf };
}

/** Fills w[2i] = i and w[2i+1] = an order-preserving 32-bit key of data[i]; false when some value has none. */
function writeKeys(data: Exclude<TensorData, string[] | Float64Array>, m: number, w: Uint32Array): boolean {
  if (data instanceof Float32Array) {
    const bits = new Uint32Array(data.buffer, data.byteOffset, m);
    for (let i = 0; i < m; i++) {
      const v = data[i], b = bits[i];
      // NaNs share the top key; -0 takes +0's key; negatives flip all bits, positives the sign bit.
      w[2 * i + 1] = v !== v ? 0xffffffff : v === 0 ? 0x80000000 : b & 0x80000000 ? ~b : b | 0x80000000;
      w[2 * i] = i;
    }
    return true;
  }
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    const words = new Int32Array(data.buffer, data.byteOffset, 2 * m);
    const signed = data instanceof BigInt64Array;
    for (let i = 0; i < m; i++) {
      const lo = words[2 * i], hi = words[2 * i + 1];
      if (signed ? hi !== lo >> 31 : hi !== 0) return false;
      w[2 * i + 1] = signed ? lo ^ 0x80000000 : lo;
      w[2 * i] = i;
    }
    return true;
  }
  // 8 to 32-bit integers: flipping the sign bit orders the int32 range as unsigned.
  const unsigned = data instanceof Uint32Array;
  for (let i = 0; i < m; i++) {
    w[2 * i + 1] = unsigned ? data[i] : data[i] ^ 0x80000000;
    w[2 * i] = i;
  }
  return true;
}

/** Strings: hash into first-occurrence groups, then sort the distinct strings by code point. */
function groupStrings(data: string[], m: number, groupOf: Int32Array): Groups {
  const ids = new Map<string, number>();
  const seen: number[] = [];
  const seenCounts: number[] = [];
  for (let p = 0; p < m; p++) {
    let id = ids.get(data[p]);
    if (id === undefined) {
      id = seen.length;
      ids.set(data[p], id);
      seen.push(p);
      seenCounts.push(0);
    }
    seenCounts[id]++;
    groupOf[p] = id;
  }
  const order = identity(seen.length).sort((a, b) => compareCodePoints(data[seen[a]], data[seen[b]]));
  const rankOf = new Int32Array(order.length);
  for (let r = 0; r < order.length; r++) rankOf[order[r]] = r;
  for (let p = 0; p < m; p++) groupOf[p] = rankOf[groupOf[p]];
  return { firsts: Array.from(order, (id) => seen[id]), counts: Array.from(order, (id) => seenCounts[id]), groupOf };
}

/**
 * Slices along an axis: sort candidate positions lexicographically (ties by
 * position, so each run of equal slices starts at its first occurrence), then
 * group equal neighbours.
 */
function groupSlices(data: TensorData, m: number, outer: number, inner: number, groupOf: Int32Array): Groups {
  const cmp = (a: number, b: number): number => {
    for (let o = 0; o < outer; o++) {
      const ra = (o * m + a) * inner, rb = (o * m + b) * inner;
      for (let i = 0; i < inner; i++) {
        const c = compareValues(data[ra + i], data[rb + i]);
        if (c !== 0) return c;
      }
    }
    return 0;
  };
  const order = identity(m).sort((a, b) => cmp(a, b) || a - b);
  const firsts: number[] = [];
  const counts: number[] = [];
  for (let i = 0; i < m; i++) {
    const p = order[i];
    if (i === 0 || cmp(order[i - 1], p) !== 0) { firsts.push(p); counts.push(0); }
    groupOf[p] = firsts.length - 1;
    counts[counts.length - 1]++;
  }
  return { firsts, counts, groupOf };
}

/** Total order: numbers with NaN last (NaNs equal, -0 equal to 0), bigints, strings by code point. */
function compareValues(a: number | bigint | string, b: number | bigint | string): number {
  if (typeof a === 'string') return compareCodePoints(a, b as string);
  const y = b as number | bigint;
  if (a < y) return -1;
  if (a > y) return 1;
  if (a === y) return 0;
  const na = a !== a, nb = y !== y; // only NaN differs from itself
  return na === nb ? 0 : na ? 1 : -1;
}

/**
 * Compares strings by Unicode code point (numpy's order, and UTF-8 byte order)
 * rather than by UTF-16 code unit: surrogates move above U+E000..U+FFFF.
 */
function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let ca = a.charCodeAt(i), cb = b.charCodeAt(i);
    if (ca === cb) continue;
    if (ca >= 0xd800) ca += ca < 0xe000 ? 0x2000 : -0x800;
    if (cb >= 0xd800) cb += cb < 0xe000 ? 0x2000 : -0x800;
    return ca - cb;
  }
  return a.length - b.length;
}
