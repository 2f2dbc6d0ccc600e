// String kernels of opset 20 and TfIdfVectorizer: StringConcat, StringSplit,
// RegexFullMatch (the pattern arrives already translated from RE2 syntax to a
// JavaScript RegExp source at compile time) and n-gram counting.
// (StringNormalizer lives in strings.ts.)

import { forEachBroadcast2, broadcastShapes } from './broadcast.js';
import { fail, type NodeCtx, type Tensor } from './tensor.js';

type Inputs = readonly (Tensor | undefined)[];

// ------------------------------------------------------------- StringConcat

/** StringConcat: elementwise x + y with multidirectional broadcasting. */
export function stringConcat(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const x = inputs[0] as Tensor, y = inputs[1] as Tensor;
  const dims = broadcastShapes(x.dims, y.dims);
  const out = ctx.alloc(0, 'string', dims);
  const a = x.data as string[], b = y.data as string[], z = out.data as string[];
  if (a.length === z.length && b.length === z.length) {
    for (let i = 0; i < z.length; i++) z[i] = a[i] + b[i];
  } else if (b.length === 1 && a.length === z.length) {
    const s = b[0];
    for (let i = 0; i < z.length; i++) z[i] = a[i] + s;
  } else {
    forEachBroadcast2(dims, x.dims, y.dims, (o, ia, ib) => { z[o] = a[ia] + b[ib]; });
  }
  return ctx.done(1);
}

// --------------------------------------------------------------- StringSplit

export interface StringSplitAttrs {
  /** '' means: split on runs of whitespace, dropping leading and trailing whitespace. */
  readonly delimiter: string;
  /** Maximum number of splits; -1 for unlimited. */
  readonly maxsplit: number;
}

/**
 * StringSplit: output 0 has the input's shape plus one axis holding each element's
 * substrings, padded with '' to the longest; output 1 (int64) the substring counts.
 * Semantics are Python's str.split (the ONNX reference), including its notion of
 * whitespace and the treatment of the remainder after maxsplit splits.
 */
export function stringSplit(ctx: NodeCtx, inputs: Inputs, attrs: StringSplitAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const src = x.data as string[];
  const limit = attrs.maxsplit < 0 ? Infinity : attrs.maxsplit;
  const parts = new Array<string[]>(src.length);
  let width = 0;
  for (let i = 0; i < src.length; i++) {
    const p = attrs.delimiter === '' ? splitWhitespace(src[i], limit) : splitOn(src[i], attrs.delimiter, limit);
    parts[i] = p;
    if (p.length > width) width = p.length;
  }
  const subs = ctx.alloc(0, 'string', [...x.dims, width]).data as string[];
  const counts = ctx.alloc(1, 'int64', x.dims).data as BigInt64Array;
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i], base = i * width;
    for (let j = 0; j < width; j++) subs[base + j] = j < p.length ? p[j] : '';
    counts[i] = BigInt(p.length);
  }
  return ctx.done(2);
}

/** Python's str.split(sep, maxsplit) for a non-empty separator. */
function splitOn(s: string, sep: string, limit: number): string[] {
  const out: string[] = [];
  let start = 0;
  while (out.length < limit) {
    const k = s.indexOf(sep, start);
    if (k < 0) break;
    out.push(s.slice(start, k));
    start = k + sep.length;
  }
  out.push(s.slice(start));
  return out;
}

/** Python's str.split(None, maxsplit): whitespace runs separate; the remainder keeps its trailing space. */
function splitWhitespace(s: string, limit: number): string[] {
  const out: string[] = [];
  const n = s.length;
  let i = 0;
  while (out.length < limit) {
    while (i < n && isPySpace(s.charCodeAt(i))) i++;
    if (i === n) break;
    const j = i;
    while (i < n && !isPySpace(s.charCodeAt(i))) i++;
    out.push(s.slice(j, i));
  }
  if (i < n) {
    while (i < n && isPySpace(s.charCodeAt(i))) i++;
    if (i < n) out.push(s.slice(i));
  }
  return out;
}

/** Python's str.isspace for one UTF-16 unit (every such character is in the BMP). */
function isPySpace(c: number): boolean {
  if (c <= 0x20) return c === 0x20 || (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x1f);
  if (c < 0x85) return false;
  return c === 0x85 || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000;
}

// ------------------------------------------------------------ RegexFullMatch

export interface RegexFullMatchAttrs {
  /** JavaScript RegExp source already anchored at both ends of the text. */
  readonly source: string;
  readonly flags: string;
}

const regexCache = new Map<string, RegExp>();

/** RegexFullMatch: true where the whole element matches the pattern. */
export function regexFullMatch(ctx: NodeCtx, inputs: Inputs, attrs: RegexFullMatchAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const key = attrs.flags + '/' + attrs.source;
  let re = regexCache.get(key);
  if (re === undefined) {
    re = new RegExp(attrs.source, attrs.flags);
    regexCache.set(key, re);
  }
  const src = x.data as string[];
  const y = ctx.alloc(0, 'bool', x.dims).data as Uint8Array;
  for (let i = 0; i < src.length; i++) y[i] = re.test(src[i]) ? 1 : 0;
  return ctx.done(1);
}

// ----------------------------------------------------------- TfIdfVectorizer

export interface TfIdfAttrs {
  readonly mode: 'TF' | 'IDF' | 'TFIDF';
  readonly minGramLength: number;
  readonly maxGramLength: number;
  readonly maxSkipCount: number;
  readonly ngramCounts: readonly number[];
  readonly ngramIndexes: readonly number[];
  /** Exactly one of the pools is non-empty (strings for string input, numbers otherwise). */
  readonly poolStrings: readonly string[];
  readonly poolInts: readonly number[];
  readonly weights: readonly number[];
}

type Key = string | number;

/** A trie node: `id` is the 1-based n-gram id ending here (0: none), `next` the continuations. */
interface GramNode { id: number; next: Map<Key, GramNode> | null }

/** What the kernel derives once from the attributes: the n-gram trie and per-column weights. */
interface TfIdfTables { readonly root: GramNode; readonly outSize: number; readonly colWeights: Float32Array | null }

const tablesCache = new WeakMap<TfIdfAttrs, TfIdfTables>();

function tablesOf(a: TfIdfAttrs): TfIdfTables {
  let t = tablesCache.get(a);
  if (t === undefined) {
    const outSize = tfIdfOutputSize(a.ngramIndexes);
    t = { root: buildTrie(a), outSize, colWeights: columnWeights(a, outSize) };
    tablesCache.set(a, t);
  }
  return t;
}

/**
 * Builds the n-gram trie from the pool, as onnxruntime does: ids run over every
 * n-gram of the pool in order, but only sizes within [min, max] gram length are
 * inserted (the others still consume ids).
 */
function buildTrie(a: TfIdfAttrs): GramNode {
  const pool: readonly Key[] = a.poolStrings.length > 0 ? a.poolStrings : a.poolInts;
  const root: GramNode = { id: 0, next: new Map() };
  let id = 1;
  for (let level = 0; level < a.ngramCounts.length; level++) {
    const size = level + 1;
    const start = a.ngramCounts[level];
    const end = level + 1 < a.ngramCounts.length ? a.ngramCounts[level + 1] : pool.length;
    const grams = Math.floor(Math.max(0, end - start) / size);
    if (size < a.minGramLength || size > a.maxGramLength) { id += grams; continue; }
    for (let g = 0; g < grams; g++) {
      let node = root;
      for (let k = 0; k < size; k++) {
        const key = pool[start + g * size + k];
        node.next ??= new Map();
        let child = node.next.get(key);
        if (child === undefined) { child = { id: 0, next: null }; node.next.set(key, child); }
        node = child;
      }
      node.id = id++;
    }
  }
  return root;
}

/**
 * `weights[i]` belongs to the i-th n-gram of the pool (the spec's wording, and
 * onnxruntime's behaviour), which lands in output column ngram_indexes[i].
 * (The Python reference indexes weights by column; both agree when
 * ngram_indexes is the identity.)
 */
function columnWeights(a: TfIdfAttrs, outSize: number): Float32Array | null {
  if (a.weights.length === 0) return null;
  const w = new Float32Array(outSize);
  for (let i = 0; i < a.weights.length && i < a.ngramIndexes.length; i++) w[a.ngramIndexes[i]] = a.weights[i];
  return w;
}

/**
 * TfIdfVectorizer: counts the pool's n-grams in each row of [C] or [B, C] input,
 * with skips of up to max_skip_count between items, then weights the counts.
 */
export function tfIdfVectorizer(ctx: NodeCtx, inputs: Inputs, attrs: TfIdfAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const { root, outSize, colWeights } = tablesOf(attrs);
  const r = x.dims.length;
  if (r > 2 || (r === 2 && x.dims[0] < 1)) fail(`input must have shape [C] or [B, C] with B > 0, got [${x.dims.join(',')}]`);
  const rows = r === 2 ? x.dims[0] : 1;
  const cols = r === 0 ? 1 : x.dims[r - 1];
  const out = ctx.alloc(0, 'float32', r === 2 ? [rows, outSize] : [outSize]);
  const y = out.data as Float32Array;
  y.fill(0);
  const keys = toKeys(x);
  for (let row = 0; row < rows && cols > 0; row++) countRow(keys, row * cols, cols, root, attrs, y, row * outSize);
  applyWeights(y, outSize, attrs.mode, colWeights);
  return ctx.done(1);
}

/** The input's items as trie keys (int64 values as numbers, like the pool attribute). */
function toKeys(x: Tensor): ArrayLike<Key> {
  if (x.type === 'string') return x.data as string[];
  if (x.type === 'int64') {
    const d = x.data as BigInt64Array, k = new Float64Array(d.length);
    for (let i = 0; i < d.length; i++) k[i] = Number(d[i]);
    return k;
  }
  return x.data as Int32Array;
}

/** Adds the n-gram counts of items [begin, begin + len) into y[outBase...]. */
function countRow(
  items: ArrayLike<Key>, begin: number, len: number, root: GramNode, a: TfIdfAttrs, y: Float32Array, outBase: number,
): void {
  const end = begin + len;
  let minSize = a.minGramLength;
  for (let skip = 1; skip <= a.maxSkipCount + 1; skip++) {
    for (let start = begin; start < end; start++) {
      // No n-gram of the minimum size fits from here on.
      if (start + skip * (minSize - 1) >= end) break;
      let node = root, size = 1;
      for (let i = start; i < end && size <= a.maxGramLength && node.next !== null; i += skip, size++) {
        const child = node.next.get(items[i]);
        if (child === undefined) break;
        if (size >= minSize && child.id !== 0) y[outBase + a.ngramIndexes[child.id - 1]] += 1;
        node = child;
      }
    }
    // Unigrams do not depend on the skip distance: count them on the first pass only.
    if (minSize === 1) {
      minSize = 2;
      if (minSize > a.maxGramLength) break;
    }
  }
}

/** Turns term frequencies into the mode's output (IDF: the weight, or 1, where present). */
function applyWeights(y: Float32Array, outSize: number, mode: TfIdfAttrs['mode'], w: Float32Array | null): void {
  if (mode === 'TF') return;
  for (let i = 0, col = 0; i < y.length; i++) {
    const f = y[i], wi = w === null ? 1 : w[col];
    y[i] = mode === 'IDF' ? (f > 0 ? wi : 0) : wi * f;
    if (++col === outSize) col = 0;
  }
}

/** The output's last dimension: the largest n-gram index + 1. */
export function tfIdfOutputSize(ngramIndexes: readonly number[]): number {
  let n = 0;
  for (const v of ngramIndexes) if (v + 1 > n) n = v + 1;
  return n;
}
