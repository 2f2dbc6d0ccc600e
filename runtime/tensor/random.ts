// Random ops: RandomNormal, RandomUniform (and their *Like forms), Bernoulli,
// Multinomial. Never constant-folded (the registry marks them impure).
//
// Generator: xoshiro128** (32-bit state words, fast with Math.imul), seeded by
// splitmix32. A node with a `seed` attribute keeps its own generator state in its
// NodeCtx scratch space, seeded on its first call: the sequence of outputs over
// successive calls is reproducible for a fresh module instance. (Inside Loop/Scan
// bodies node contexts are fresh each iteration, so a seeded node restarts its
// sequence there.) Nodes without a seed share one module-level generator seeded
// once from Math.random when this module loads.
// Normals: Marsaglia's polar method.

import { roundToFloat16 } from './float16.js';
import { roundToLowp } from './lowp.js';
import {
  fail, fromNumber, isBigType, isLowpFloat, type DType, type NodeCtx, type NumericArray, type Tensor,
} from './tensor.js';

type Inputs = readonly (Tensor | undefined)[];

// ---------------------------------------------------------------------------
// Generator

/** splitmix32 step: returns the next output for state word `x` (advanced by the caller). */
function mix32(x: number): number {
  let z = x | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

/** Fills a 4-word xoshiro128** state from a 32-bit seed (never all zeros). */
export function seedState(s: Uint32Array, seed: number): void {
  let x = seed | 0;
  for (let i = 0; i < 4; i++) {
    x = (x + 0x9e3779b9) | 0;
    s[i] = mix32(x);
  }
  if ((s[0] | s[1] | s[2] | s[3]) === 0) s[0] = 1;
}

/** Next 32-bit output of xoshiro128** (unsigned). */
export function nextU32(s: Uint32Array): number {
  const r = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
  const t = s[1] << 9;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 11);
  return r;
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}

/** Uniform double in [0, 1) with 53 random bits. */
export function nextDouble(s: Uint32Array): number {
  const hi = nextU32(s) >>> 5, lo = nextU32(s) >>> 6;
  return (hi * 67108864 + lo) / 9007199254740992;
}

/** The 32-bit seed for a float `seed` attribute: both words of its float64 bits, mixed. */
export function seedFromFloat(seed: number): number {
  const f = new Float64Array([seed]);
  const w = new Uint32Array(f.buffer);
  return mix32(w[0] ^ mix32(w[1]));
}

const shared = new Uint32Array(4);
seedState(shared, Math.floor(Math.random() * 4294967296));

/** The generator state a node draws from: its own (seeded) or the shared one. */
function stateOf(ctx: NodeCtx, attrs: SeedAttrs): Uint32Array {
  if (!attrs.hasSeed) return shared;
  // 5 words: [initialised flag, state x4]. Fresh scratch buffers are zeroed.
  const buf = ctx.scratch('rng', 'uint32', 5) as Uint32Array;
  const s = buf.subarray(1, 5);
  if (buf[0] === 0) {
    seedState(s, seedFromFloat(attrs.seed));
    buf[0] = 1;
  }
  return s;
}

// ---------------------------------------------------------------------------
// Attributes (normalised at compile time by src/frontends/onnx/ops/random.ts)

export interface SeedAttrs {
  readonly hasSeed: boolean;
  /** The `seed` attribute (a float in the schema); ignored without hasSeed. */
  readonly seed: number;
}

export interface RandomNormalAttrs extends SeedAttrs {
  /** Output type; null (Like ops only): the input's type. */
  readonly dtype: DType | null;
  /** Output shape (null for the Like ops: the input's shape). */
  readonly shape: readonly number[] | null;
  readonly mean: number;
  readonly scale: number;
}

export interface RandomUniformAttrs extends SeedAttrs {
  readonly dtype: DType | null;
  readonly shape: readonly number[] | null;
  readonly low: number;
  readonly high: number;
}

export interface BernoulliAttrs extends SeedAttrs {
  /** Output type; null: the input's type. */
  readonly dtype: DType | null;
}

export interface MultinomialAttrs extends SeedAttrs {
  readonly dtype: 'int32' | 'int64';
  readonly sampleSize: number;
}

function isFloatOut(t: DType): boolean {
  return t === 'float32' || t === 'float64' || t === 'float16' || isLowpFloat(t);
}

function outputFor(ctx: NodeCtx, inputs: Inputs, dtype: DType | null, shape: readonly number[] | null, op: string): Tensor {
  const x = inputs[0];
  const type = dtype ?? x?.type;
  const dims = shape ?? x?.dims;
  if (type === undefined || dims === undefined) return fail(`${op}: missing input`);
  if (!isFloatOut(type)) fail(`${op}: output type must be a float type, got ${type}`);
  return ctx.alloc(0, type, dims);
}

/** Rounds v to the precision of a float output type (what the caller stores). */
function roundTo(type: DType, v: number): number {
  if (type === 'float32') return Math.fround(v);
  if (type === 'float16') return roundToFloat16(v);
  if (type === 'float64') return v;
  return roundToLowp(type as Parameters<typeof roundToLowp>[0], v);
}

// ---------------------------------------------------------------------------
// Kernels

/** RandomNormal / RandomNormalLike: mean + scale * N(0, 1). */
export function randomNormal(ctx: NodeCtx, inputs: Inputs, attrs: RandomNormalAttrs): Tensor[] {
  const out = outputFor(ctx, inputs, attrs.dtype, attrs.shape, 'RandomNormal');
  const o = out.data as Float32Array | Float64Array;
  const s = stateOf(ctx, attrs);
  const { mean, scale } = attrs;
  const n = o.length;
  for (let i = 0; i < n; i += 2) {
    // Marsaglia polar: two independent standard normals per accepted point.
    let u: number, v: number, q: number;
    do {
      u = 2 * nextDouble(s) - 1;
      v = 2 * nextDouble(s) - 1;
      q = u * u + v * v;
    } while (q >= 1 || q === 0);
    const f = Math.sqrt((-2 * Math.log(q)) / q);
    o[i] = mean + scale * u * f;
    if (i + 1 < n) o[i + 1] = mean + scale * v * f;
  }
  return ctx.done(1);
}

/** RandomUniform / RandomUniformLike: uniform in [low, high) after rounding to the output type. */
export function randomUniform(ctx: NodeCtx, inputs: Inputs, attrs: RandomUniformAttrs): Tensor[] {
  const out = outputFor(ctx, inputs, attrs.dtype, attrs.shape, 'RandomUniform');
  const o = out.data as Float32Array | Float64Array;
  const s = stateOf(ctx, attrs);
  const { low, high } = attrs;
  const span = high - low, type = out.type;
  for (let i = 0; i < o.length; i++) {
    let v = low + span * nextDouble(s);
    // Rounding to the output type may reach `high`: redraw (keeps the distribution uniform).
    for (let tries = 0; span > 0 && roundTo(type, v) >= high && tries < 64; tries++) v = low + span * nextDouble(s);
    o[i] = v;
  }
  return ctx.done(1);
}

/** Bernoulli: 1 with probability x[i], else 0, in the output type (numeric or bool). */
export function bernoulli(ctx: NodeCtx, inputs: Inputs, attrs: BernoulliAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const p = x.data as Float32Array | Float64Array;
  const type = attrs.dtype ?? x.type;
  const out = ctx.alloc(0, type, x.dims);
  const s = stateOf(ctx, attrs);
  if (isBigType(type)) {
    const o = out.data as BigInt64Array | BigUint64Array;
    const one = fromNumber(type, 1) as bigint, zero = fromNumber(type, 0) as bigint;
    for (let i = 0; i < p.length; i++) o[i] = nextDouble(s) < p[i] ? one : zero;
  } else {
    const o = out.data as NumericArray;
    for (let i = 0; i < p.length; i++) o[i] = nextDouble(s) < p[i] ? 1 : 0;
  }
  return ctx.done(1);
}

/**
 * Multinomial: input [batch, classes] of unnormalised log-probabilities; output
 * [batch, sample_size] of class indices drawn with probabilities softmax(row).
 */
export function multinomial(ctx: NodeCtx, inputs: Inputs, attrs: MultinomialAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  if (x.dims.length !== 2) fail(`Multinomial: input must be 2-D [batch_size, class_size], got shape [${x.dims.join(',')}]`);
  const [batch, classes] = x.dims;
  if (classes === 0 && batch > 0 && attrs.sampleSize > 0) fail('Multinomial: class_size must be positive');
  const xd = x.data as Float32Array | Float64Array;
  const out = ctx.alloc(0, attrs.dtype, [batch, attrs.sampleSize]);
  const big = attrs.dtype === 'int64';
  const ob = out.data as BigInt64Array, on = out.data as Int32Array;
  const cdf = ctx.scratch('cdf', 'float64', classes) as Float64Array;
  const s = stateOf(ctx, attrs);
  const k = attrs.sampleSize;
  for (let b = 0; b < batch; b++) {
    const row = b * classes;
    let max = -Infinity;
    for (let c = 0; c < classes; c++) if (xd[row + c] > max) max = xd[row + c];
    let total = 0;
    for (let c = 0; c < classes; c++) {
      const w = Math.exp(xd[row + c] - max);
      total += w === w ? w : 0; // NaN logits get no weight
      cdf[c] = total;
    }
    for (let j = 0; j < k; j++) {
      const u = nextDouble(s) * total;
      // First class whose cumulative weight exceeds u (zero-weight classes are never chosen).
      let lo = 0, hi = classes - 1;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cdf[mid] > u) hi = mid; else lo = mid + 1;
      }
      if (big) ob[b * k + j] = BigInt(lo); else on[b * k + j] = lo;
    }
  }
  return ctx.done(1);
}
