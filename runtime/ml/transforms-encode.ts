// ai.onnx.ml encoders: OneHotEncoder, LabelEncoder (all versions, normalised by the
// registry into one key → value table) and CategoryMapper.
// Lookup tables are built on the first call and kept per node (keyed by the node's
// attribute object, which the generated module creates once).

import { fail, isBigType, type DType, type NodeCtx, type NumericArray, type Tensor } from '../tensor/tensor.js';

type Inputs = readonly (Tensor | undefined)[];
type Key = number | string;

/** Per-node lookup tables, built once from the node's (constant) attributes. */
function cached<A extends object, T>(cache: WeakMap<A, T>, attrs: A, build: (a: A) => T): T {
  let t = cache.get(attrs);
  if (t === undefined) {
    t = build(attrs);
    cache.set(attrs, t);
  }
  return t;
}

/** The element at i as a lookup key: strings as they are, integers and floats as JS numbers. */
function keysOf(t: Tensor): ArrayLike<Key> {
  if (!isBigType(t.type)) return t.data as NumericArray | string[];
  const src = t.data as BigInt64Array;
  const out = new Array<number>(src.length);
  for (let i = 0; i < src.length; i++) out[i] = Number(src[i]);
  return out;
}

// ----------------------------------------------------------- OneHotEncoder

export interface OneHotEncoderAttrs {
  readonly catsInt64s: readonly number[];
  readonly catsStrings: readonly string[];
  /** zeros = 1: an unknown category gives a row of zeros; 0: it is an error. */
  readonly zeros: boolean;
}

const oneHotTables = new WeakMap<OneHotEncoderAttrs, { ints: Map<number, number>; strings: Map<string, number>; count: number }>();

/**
 * OneHotEncoder: float32 output with one more axis of size C (the category count).
 * Numeric inputs are truncated to integers and looked up in cats_int64s; strings in
 * cats_strings. A repeated category maps to its last position.
 */
export function oneHotEncoder(ctx: NodeCtx, inputs: Inputs, attrs: OneHotEncoderAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const tab = cached(oneHotTables, attrs, (a) => {
    const ints = new Map<number, number>();
    a.catsInt64s.forEach((c, i) => ints.set(c, i));
    const strings = new Map<string, number>();
    a.catsStrings.forEach((c, i) => strings.set(c, i));
    return { ints, strings, count: a.catsInt64s.length > 0 ? a.catsInt64s.length : a.catsStrings.length };
  });
  const c = tab.count;
  const y = ctx.alloc(0, 'float32', [...x.dims, c]).data as Float32Array;
  y.fill(0);
  const n = x.data.length;
  if (x.type === 'string') {
    const xd = x.data as string[];
    for (let i = 0; i < n; i++) {
      const j = tab.strings.get(xd[i]);
      if (j !== undefined) y[i * c + j] = 1;
      else if (!attrs.zeros) fail(`unknown category ${JSON.stringify(xd[i])} and zeros = 0`);
    }
  } else {
    const xd = keysOf(x) as ArrayLike<number>;
    for (let i = 0; i < n; i++) {
      const j = tab.ints.get(Math.trunc(xd[i]));
      if (j !== undefined) y[i * c + j] = 1;
      else if (!attrs.zeros) fail(`unknown category ${xd[i]} and zeros = 0`);
    }
  }
  return ctx.done(1);
}

// ------------------------------------------------------------ LabelEncoder

export interface LabelEncoderAttrs {
  /** Keys: strings, or numbers (integer and float keys alike). */
  readonly keys: readonly Key[];
  readonly values: readonly Key[];
  /** The output element type (the values' type). */
  readonly outType: DType;
  /** Output for a key that is not in the table. */
  readonly default: Key;
}

type Out = number | string | bigint;
const labelTables = new WeakMap<LabelEncoderAttrs, { map: Map<Key, Out>; def: Out }>();

function outValue(type: DType, v: Key): Out {
  if (type === 'string') return String(v);
  if (type === 'int64') return BigInt.asIntN(64, BigInt(Math.trunc(Number(v))));
  return Number(v);
}

/**
 * LabelEncoder: each element is looked up in the keys and replaced by the value at the
 * same position, or by the default. Float keys match by value, NaN matching NaN (JS Map
 * semantics, as LabelEncoder-4 specifies); a repeated key takes its last value.
 */
export function labelEncoder(ctx: NodeCtx, inputs: Inputs, attrs: LabelEncoderAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const tab = cached(labelTables, attrs, (a) => {
    const map = new Map<Key, Out>();
    for (let i = 0; i < a.keys.length; i++) map.set(a.keys[i], outValue(a.outType, a.values[i]));
    return { map, def: outValue(a.outType, a.default) };
  });
  const out = ctx.alloc(0, attrs.outType, x.dims);
  const xd = keysOf(x);
  const y = out.data as unknown as Out[];
  const { map, def } = tab;
  for (let i = 0; i < xd.length; i++) {
    const v = map.get(xd[i]);
    y[i] = v === undefined ? def : v;
  }
  return ctx.done(1);
}

// ---------------------------------------------------------- CategoryMapper

export interface CategoryMapperAttrs {
  readonly catsInt64s: readonly number[];
  readonly catsStrings: readonly string[];
  readonly defaultInt64: number;
  readonly defaultString: string;
}

const categoryTables = new WeakMap<CategoryMapperAttrs, { toInt: Map<string, bigint>; toString: Map<number, string> }>();

/** CategoryMapper: strings → int64 or int64 → strings through two parallel lists. */
export function categoryMapper(ctx: NodeCtx, inputs: Inputs, attrs: CategoryMapperAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const tab = cached(categoryTables, attrs, (a) => {
    const toInt = new Map<string, bigint>(), toString = new Map<number, string>();
    for (let i = 0; i < a.catsStrings.length; i++) {
      toInt.set(a.catsStrings[i], BigInt(a.catsInt64s[i]));
      toString.set(a.catsInt64s[i], a.catsStrings[i]);
    }
    return { toInt, toString };
  });
  if (x.type === 'string') {
    const xd = x.data as string[];
    const y = ctx.alloc(0, 'int64', x.dims).data as BigInt64Array;
    const def = BigInt(attrs.defaultInt64);
    for (let i = 0; i < xd.length; i++) y[i] = tab.toInt.get(xd[i]) ?? def;
  } else {
    const xd = x.data as BigInt64Array;
    const y = ctx.alloc(0, 'string', x.dims).data as string[];
    for (let i = 0; i < xd.length; i++) y[i] = tab.toString.get(Number(xd[i])) ?? attrs.defaultString;
  }
  return ctx.done(1);
}
