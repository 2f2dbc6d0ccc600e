// ai.onnx.ml kernels between maps and tensors: DictVectorizer and CastMap (map →
// tensor) and ZipMap (tensor → sequence of maps).
// A map value is a JavaScript Map (runtime/io/feeds.ts MapValue: string or integer
// keys, number or string values); a sequence is an array. The kernel signature speaks
// of tensors, so these values are cast at the boundary of each kernel.

import type { MapValue } from '../io/feeds.js';
import { fail, type DType, type NodeCtx, type Tensor } from '../tensor/tensor.js';

type Inputs = readonly (Tensor | undefined)[];

function asMap(v: unknown, what: string): MapValue {
  if (!(v instanceof Map)) fail(`${what} must be a map`);
  return v as MapValue;
}

// ---------------------------------------------------------- DictVectorizer

export interface DictVectorizerAttrs {
  /** string_vocabulary or int64_vocabulary (as numbers). */
  readonly vocabulary: readonly (string | number)[];
  /** The output element type: the map's value type. */
  readonly outType: DType;
}

/**
 * DictVectorizer: Y[0, i] = X[vocabulary[i]], or zero ("" for strings) when the key
 * is absent; keys outside the vocabulary are ignored. Output [1, C]. A sequence of
 * maps (the reference implementation accepts one) gives one row per map.
 */
export function dictVectorizer(ctx: NodeCtx, inputs: Inputs, attrs: DictVectorizerAttrs): Tensor[] {
  const input = inputs[0] as unknown;
  const maps = Array.isArray(input) ? input.map((m, i) => asMap(m, `DictVectorizer input[${i}]`)) : [asMap(input, 'DictVectorizer input')];
  const vocab = attrs.vocabulary;
  const c = vocab.length;
  const out = ctx.alloc(0, attrs.outType, [maps.length, c]);
  const type = attrs.outType;
  for (let r = 0; r < maps.length; r++) {
    const m = maps[r];
    const base = r * c;
    if (type === 'string') {
      const y = out.data as string[];
      for (let i = 0; i < c; i++) { const v = m.get(vocab[i]); y[base + i] = v === undefined ? '' : String(v); }
    } else if (type === 'int64') {
      const y = out.data as BigInt64Array;
      for (let i = 0; i < c; i++) { const v = m.get(vocab[i]); y[base + i] = v === undefined ? 0n : BigInt(Math.trunc(Number(v))); }
    } else {
      const y = out.data as Float32Array | Float64Array;
      for (let i = 0; i < c; i++) { const v = m.get(vocab[i]); y[base + i] = v === undefined ? 0 : Number(v); }
    }
  }
  return ctx.done(1);
}

// ----------------------------------------------------------------- CastMap

export interface CastMapAttrs {
  readonly castTo: 'float32' | 'int64' | 'string';
  /** DENSE: one output per map entry; SPARSE: key k goes to position k of maxMap. */
  readonly sparse: boolean;
  readonly maxMap: number;
}

const INT64_MIN = -(2n ** 63n);
const TWO63 = 2 ** 63;

/** float → int64 truncation; NaN and out-of-range values give INT64_MIN, as x86 (so onnxruntime) does. */
function floatToInt64(v: number): bigint {
  const t = Math.trunc(v);
  return t >= -TWO63 && t < TWO63 ? BigInt(t) : INT64_MIN;
}

/** C's std::stof: leading white space, then the longest prefix that is a float; an error when there is none. */
export function parseFloatPrefix(s: string): number {
  const m = /^[ \t\n\v\f\r]*([+-]?)(0[xX](?:[0-9a-fA-F]+\.?[0-9a-fA-F]*|\.[0-9a-fA-F]+)(?:[pP][+-]?\d+)?|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|inf(?:inity)?|nan(?:\([0-9A-Za-z_]*\))?)/i.exec(s);
  if (m === null) fail(`CastMap cannot convert ${JSON.stringify(s)} to a float`);
  const sign = m[1] === '-' ? -1 : 1;
  const body = m[2].toLowerCase();
  let v: number;
  if (body.startsWith('inf')) v = Infinity;
  else if (body.startsWith('nan')) v = NaN;
  else if (body.startsWith('0x')) v = parseHexFloat(body.slice(2));
  else v = Number(body);
  const f = Math.fround(sign * v);
  if (!Number.isFinite(f) && Number.isFinite(v)) fail(`CastMap: ${JSON.stringify(s)} is out of the float range`);
  return f;
}

function parseHexFloat(s: string): number {
  const [mant, exp] = s.split('p');
  const [ip, fp = ''] = mant.split('.');
  let v = 0;
  for (const ch of ip) v = v * 16 + parseInt(ch, 16);
  let scale = 1 / 16;
  for (const ch of fp) { v += parseInt(ch, 16) * scale; scale /= 16; }
  return exp === undefined ? v : v * 2 ** Number(exp);
}

/** C's std::stoll (base 10): leading white space, an optional sign and digits; an error when there are none. */
export function parseInt64Prefix(s: string): bigint {
  const m = /^[ \t\n\v\f\r]*([+-]?\d+)/.exec(s);
  if (m === null) fail(`CastMap cannot convert ${JSON.stringify(s)} to an integer`);
  const v = BigInt(m[1]);
  if (v !== BigInt.asIntN(64, v)) fail(`CastMap: ${JSON.stringify(s)} is out of the int64 range`);
  return v;
}

/** C's std::to_string(float): printf "%f" of the float value (6 decimals, round half to even on the exact value). */
export function floatToString(v: number): string {
  const f = Math.fround(v);
  if (f !== f) return 'nan';
  if (f === Infinity) return 'inf';
  if (f === -Infinity) return '-inf';
  const neg = f < 0 || Object.is(f, -0);
  const a = Math.abs(f);
  let text: string;
  if (a >= 1e21) {
    text = `${BigInt(a)}.000000`; // an integer: exact
  } else {
    // toFixed rounds ties away from zero; printf rounds them to even. A tie needs the
    // exact expansion to stop at the 7th decimal with a 5 (toFixed(30) shows all the
    // digits that matter: a float32 below 1e21 with a 7-decimal expansion is exact there).
    const long = a.toFixed(30);
    const dot = long.indexOf('.');
    const tail = long.slice(dot + 7);
    text = a.toFixed(6);
    if (/^50*$/.test(tail)) {
      const last = Number(long[dot + 6]);
      if (last % 2 === 0) text = long.slice(0, dot + 7); // round down to the even digit
    }
  }
  return neg ? `-${text}` : text;
}

/**
 * CastMap: a map with int64 keys to a [1, n] tensor in ascending key order. DENSE
 * gives one element per entry; SPARSE gives max_map elements, key k at position k and
 * padding elsewhere (0, or "0.f" for strings, as onnxruntime pads). Strings convert
 * like std::stof/std::stoll; floats become strings like std::to_string.
 */
export function castMap(ctx: NodeCtx, inputs: Inputs, attrs: CastMapAttrs): Tensor[] {
  const m = asMap(inputs[0], 'CastMap input');
  const keys = [...m.keys()] as number[];
  for (const k of keys) if (typeof k !== 'number') fail('CastMap input must be a map with int64 keys');
  keys.sort((a, b) => a - b);
  const n = attrs.sparse ? attrs.maxMap : keys.length;
  const out = ctx.alloc(0, attrs.castTo, [1, n]);
  const convert = (v: number | string): number | bigint | string => {
    switch (attrs.castTo) {
      case 'float32': return typeof v === 'string' ? parseFloatPrefix(v) : v;
      case 'int64': return typeof v === 'string' ? parseInt64Prefix(v) : floatToInt64(Math.fround(v));
      case 'string': return typeof v === 'string' ? v : floatToString(v);
    }
  };
  const y = out.data as unknown as (number | bigint | string)[];
  if (!attrs.sparse) {
    for (let i = 0; i < n; i++) y[i] = convert(m.get(keys[i]) as number | string);
  } else {
    const pad = attrs.castTo === 'string' ? '0.f' : attrs.castTo === 'int64' ? 0n : 0;
    for (let i = 0; i < n; i++) y[i] = pad;
    for (const k of keys) {
      if (k < 0) fail(`CastMap with map_form SPARSE: negative key ${k}`);
      if (k < n) y[k] = convert(m.get(k) as number | string);
    }
  }
  return ctx.done(1);
}

// ------------------------------------------------------------------ ZipMap

export interface ZipMapAttrs {
  /** classlabels_strings or classlabels_int64s (as numbers). */
  readonly labels: readonly (string | number)[];
}

/**
 * ZipMap: a float32 [N, C] (or [C]) tensor to a sequence of N maps from the class
 * labels to the row's values. With a repeated label, the last column wins.
 */
export function zipMap(ctx: NodeCtx, inputs: Inputs, attrs: ZipMapAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const r = x.dims.length;
  if (r === 0 || r > 2) fail(`ZipMap takes a tensor of rank 1 or 2, got rank ${r}`);
  const c = x.dims[r - 1];
  const labels = attrs.labels;
  if (c !== labels.length) fail(`ZipMap input has ${c} columns but ${labels.length} class labels`);
  const n = r === 2 ? x.dims[0] : 1;
  const xd = x.data as Float32Array;
  const seq = new Array<MapValue>(n);
  for (let i = 0; i < n; i++) {
    const m: MapValue = new Map();
    const base = i * c;
    for (let j = 0; j < c; j++) m.set(labels[j], xd[base + j]);
    seq[i] = m;
  }
  ctx.set(0, seq as unknown as Tensor);
  return ctx.done(1);
}
