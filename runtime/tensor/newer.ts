// Newer ONNX ops without a family of their own: BitCast (opset 26), SwiGLU (28),
// TensorScatter (24), CausalConvWithState (27), and the ai.onnx.preview.training
// optimizers Adagrad, Adam and Momentum. LinearAttention and FlexAttention live in
// newer-attention.ts.
//
// Float kernels compute in float64 (JS numbers) and store into the output array;
// float16 tensors are Float32Arrays whose results the caller rounds to binary16.

import { forEachBroadcast2, broadcastShapes } from './broadcast.js';
import { float16BitsToFloat, float32ToFloat16Bits, roundToFloat16 } from './float16.js';
import { fail, normAxis, sizeOf, type DType, type NodeCtx, type NumericArray, type Tensor, type TensorData } from './tensor.js';

type FloatArray = Float32Array | Float64Array;
type Inputs = readonly (Tensor | undefined)[];

function need(t: Tensor | undefined, what: string): Tensor {
  if (t === undefined) fail(`${what} is missing`);
  return t;
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function shapeText(d: readonly number[]): string {
  return `[${d.join(',')}]`;
}

function sigmoid(v: number): number {
  // Stable for large |v|: never exp of a large positive number.
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}

// ---------------------------------------------------------------- BitCast

/** Bytes per element of each runtime type (bool is one byte; string has no width). */
export const BIT_CAST_WIDTH: Readonly<Partial<Record<DType, number>>> = {
  float32: 4, float64: 8, float16: 2, int8: 1, uint8: 1, int16: 2, uint16: 2, int32: 4, uint32: 4,
  int64: 8, uint64: 8, bool: 1,
};

function bytesOf(d: TensorData): Uint8Array {
  const a = d as NumericArray | BigInt64Array | BigUint64Array;
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * BitCast (opset 26): reinterprets each element's bits as type `to` of the same
 * width (little-endian, as typed arrays on every supported platform). float16 is
 * held as float values, so it converts through its binary16 bits; a byte cast
 * to bool is normalised to 0/1 (any non-zero byte is true).
 */
export function bitCast(ctx: NodeCtx, inputs: Inputs, attrs: { to: DType }): Tensor[] {
  const x = need(inputs[0], 'BitCast input');
  const to = attrs.to;
  const wIn = BIT_CAST_WIDTH[x.type], wOut = BIT_CAST_WIDTH[to];
  if (wIn === undefined || wOut === undefined) return fail(`BitCast from ${x.type} to ${to} is not supported`);
  if (wIn !== wOut) fail(`BitCast needs types of the same width: ${x.type} is ${wIn * 8} bits, ${to} is ${wOut * 8} bits`);
  const y = ctx.alloc(0, to, x.dims);
  const n = x.data.length;
  if (x.type === 'float16' && to !== 'float16') {
    // to int16 / uint16: the binary16 bits (typed-array stores wrap to the target's range)
    const src = x.data as Float32Array, dst = y.data as Int16Array | Uint16Array;
    for (let i = 0; i < n; i++) dst[i] = float32ToFloat16Bits(src[i]);
  } else if (to === 'float16' && x.type !== 'float16') {
    const src = x.data as Int16Array | Uint16Array, dst = y.data as Float32Array;
    for (let i = 0; i < n; i++) dst[i] = float16BitsToFloat(src[i] & 0xffff);
  } else if (to === 'bool' && x.type !== 'bool') {
    const src = x.data as Int8Array | Uint8Array, dst = y.data as Uint8Array;
    for (let i = 0; i < n; i++) dst[i] = src[i] !== 0 ? 1 : 0;
  } else {
    // Same width, plain storage on both sides: copy the bytes (keeps NaN payloads).
    bytesOf(y.data).set(bytesOf(x.data));
  }
  return ctx.done(1);
}

// ---------------------------------------------------------------- SwiGLU

/** SwiGLU (opset 28): Swish(a; alpha) * b = a * sigmoid(alpha * a) * b, broadcasting a and b. */
export function swiGlu(ctx: NodeCtx, inputs: Inputs, attrs: { alpha: number }): Tensor[] {
  const a = need(inputs[0], 'SwiGLU input a'), b = need(inputs[1], 'SwiGLU input b');
  const alpha = attrs.alpha;
  const A = a.data as FloatArray, B = b.data as FloatArray;
  if (sameDims(a.dims, b.dims)) {
    const Y = ctx.alloc(0, a.type, a.dims).data as FloatArray;
    for (let i = 0; i < A.length; i++) { const v = A[i]; Y[i] = v * sigmoid(alpha * v) * B[i]; }
  } else {
    const dims = broadcastShapes(a.dims, b.dims);
    const Y = ctx.alloc(0, a.type, dims).data as FloatArray;
    forEachBroadcast2(dims, a.dims, b.dims, (o, ia, ib) => { const v = A[ia]; Y[o] = v * sigmoid(alpha * v) * B[ib]; });
  }
  return ctx.done(1);
}

// ---------------------------------------------------------------- TensorScatter

export interface TensorScatterAttrs { axis: number; circular: boolean }

/**
 * TensorScatter (opset 24): present = past_cache with `update` written along `axis`
 * starting, for batch entry b (axis 0), at write_indices[b] (0 when absent).
 * Circular mode wraps positions modulo the cache length; linear mode requires
 * them to fit.
 */
export function tensorScatter(ctx: NodeCtx, inputs: Inputs, attrs: TensorScatterAttrs): Tensor[] {
  const past = need(inputs[0], 'TensorScatter past_cache'), upd = need(inputs[1], 'TensorScatter update');
  const widx = inputs[2];
  const pd = past.dims, ud = upd.dims, r = pd.length;
  if (upd.type !== past.type) fail(`TensorScatter update type ${upd.type} differs from past_cache type ${past.type}`);
  if (r < 2) fail(`TensorScatter past_cache must have rank 2 or more, got ${shapeText(pd)}`);
  const axis = normAxis(attrs.axis, r);
  if (axis === 0) fail('TensorScatter axis must not be the batch axis 0');
  if (ud.length !== r) fail(`TensorScatter update ${shapeText(ud)} and past_cache ${shapeText(pd)} differ in rank`);
  for (let i = 0; i < r; i++) {
    if (i !== axis && ud[i] !== pd[i]) fail(`TensorScatter update ${shapeText(ud)} does not match past_cache ${shapeText(pd)} in dimension ${i}`);
  }
  const M = pd[axis], S = ud[axis];
  if (S > M) fail(`TensorScatter update is longer along axis ${axis} (${S}) than past_cache (${M})`);
  const batch = pd[0];
  let starts: TensorData | null = null;
  if (widx !== undefined) {
    if (widx.data.length !== batch || widx.dims.length !== 1) fail(`TensorScatter write_indices must have shape [${batch}], got ${shapeText(widx.dims)}`);
    starts = widx.data;
  }
  const out = ctx.alloc(0, past.type, pd);
  const P = past.data, U = upd.data, O = out.data;
  if (Array.isArray(O)) for (let i = 0; i < O.length; i++) O[i] = (P as string[])[i];
  else (O as Float64Array).set(P as Float64Array);
  let outer = 1;
  for (let i = 0; i < axis; i++) outer *= pd[i];
  const inner = sizeOf(pd.slice(axis + 1));
  const perBatch = batch === 0 ? 1 : outer / batch;
  for (let o = 0; o < outer; o++) {
    const b = Math.floor(o / perBatch);
    const start = starts === null ? 0 : Number(starts[b]);
    for (let s = 0; s < S; s++) {
      let pos = start + s;
      if (attrs.circular) pos = ((pos % M) + M) % M;
      else if (pos < 0 || pos >= M) fail(`TensorScatter write position ${pos} (write_indices[${b}] = ${start}) is outside the cache length ${M}`);
      const from = (o * S + s) * inner, to = (o * M + pos) * inner;
      if (Array.isArray(O)) for (let i = 0; i < inner; i++) O[to + i] = (U as string[])[from + i];
      else (O as Float64Array).set((U as Float64Array).subarray(from, from + inner), to);
    }
  }
  return ctx.done(1);
}

// ---------------------------------------------------------------- CausalConvWithState

export interface CausalConvAttrs { silu: boolean }

/**
 * CausalConvWithState (opset 27): depthwise causal 1-D convolution with a carried
 * state. input [B, C, L], weight [C, 1, K], bias [C], past_state [B, C, K-1] (zeros
 * when absent). The input is left-padded with past_state; output[b,c,l] =
 * bias[c] + Σ_j weight[c,0,j] · padded[b,c,l+j], optionally through SiLU;
 * present_state is the last K-1 positions of the padded input.
 */
export function causalConvWithState(ctx: NodeCtx, inputs: Inputs, attrs: CausalConvAttrs): Tensor[] {
  const x = need(inputs[0], 'CausalConvWithState input'), w = need(inputs[1], 'CausalConvWithState weight');
  const bias = inputs[2], past = inputs[3];
  if (x.dims.length !== 3) fail(`CausalConvWithState input must be [batch, channels, length], got ${shapeText(x.dims)}`);
  const [B, C, L] = x.dims;
  if (w.dims.length !== 3 || w.dims[0] !== C || w.dims[1] !== 1 || w.dims[2] < 1) {
    fail(`CausalConvWithState weight must be [${C}, 1, kernel_size], got ${shapeText(w.dims)}`);
  }
  const K = w.dims[2], P = K - 1, T = P + L;
  if (bias !== undefined && (bias.dims.length !== 1 || bias.dims[0] !== C)) fail(`CausalConvWithState bias must be [${C}], got ${shapeText(bias.dims)}`);
  if (past !== undefined && !sameDims(past.dims, [B, C, P])) fail(`CausalConvWithState past_state must be [${B}, ${C}, ${P}], got ${shapeText(past.dims)}`);
  const X = x.data as FloatArray, W = w.data as FloatArray;
  const Bv = bias === undefined ? null : (bias.data as FloatArray);
  const PS = past === undefined ? null : (past.data as FloatArray);
  const Y = ctx.alloc(0, x.type, [B, C, L]).data as FloatArray;
  const S = ctx.alloc(1, x.type, [B, C, P]).data as FloatArray;
  const half = x.type === 'float16';
  const pad = ctx.scratch('padded', 'float64', T) as Float64Array;
  for (let b = 0; b < B; b++) {
    for (let c = 0; c < C; c++) {
      const row = b * C + c;
      // padded = [past_state | input] for this (batch, channel)
      for (let i = 0; i < P; i++) pad[i] = PS === null ? 0 : PS[row * P + i];
      for (let i = 0; i < L; i++) pad[P + i] = X[row * L + i];
      const wOff = c * K, b0 = Bv === null ? 0 : Bv[c];
      for (let l = 0; l < L; l++) {
        let acc = b0;
        for (let j = 0; j < K; j++) acc += W[wOff + j] * pad[l + j];
        if (attrs.silu) {
          // The convolution result is a tensor of the input type before the activation.
          const v = half ? roundToFloat16(acc) : acc;
          acc = v * sigmoid(v);
        }
        Y[row * L + l] = acc;
      }
      for (let i = 0; i < P; i++) S[row * P + i] = pad[L + i];
    }
  }
  return ctx.done(2);
}

// ---------------------------------------------------------------- ai.onnx.preview.training optimizers

/** R (learning rate) and T (update count) as numbers; both must be scalars (one element). */
function rateAndCount(inputs: Inputs, op: string): { r: number; t: number } {
  const R = need(inputs[0], `${op} R`), T = need(inputs[1], `${op} T`);
  if (R.data.length !== 1) fail(`${op} R must be a scalar, got ${shapeText(R.dims)}`);
  if (T.data.length !== 1) fail(`${op} T must be a scalar, got ${shapeText(T.dims)}`);
  return { r: Number(R.data[0]), t: Number(T.data[0]) };
}

/** The groups of optimized tensors: inputs[2 + g·n + i] for group g, tensor i; all tensors of i share a shape. */
function optimizerGroups(inputs: Inputs, groups: number, op: string, names: string): Tensor[][] {
  const rest = inputs.length - 2;
  if (rest <= 0 || rest % groups !== 0) fail(`${op} takes R, T and ${groups} equally long lists (${names}); got ${inputs.length} inputs`);
  const n = rest / groups;
  const out: Tensor[][] = [];
  for (let i = 0; i < n; i++) {
    const set: Tensor[] = [];
    for (let g = 0; g < groups; g++) {
      const t = need(inputs[2 + g * n + i], `${op} input ${2 + g * n + i}`);
      if (g > 0 && t.data.length !== set[0].data.length) {
        fail(`${op} tensors of group ${i} differ in shape: ${shapeText(set[0].dims)} and ${shapeText(t.dims)}`);
      }
      set.push(t);
    }
    out.push(set);
  }
  return out;
}

export interface AdagradAttrs { decayFactor: number; epsilon: number; normCoefficient: number }

/**
 * Adagrad: per tensor X with gradient G and accumulated squared gradient H,
 * g = norm·X + G; H' = H + g²; X' = X − r / (1 + T·decay) · g / (√H' + ε).
 * Outputs: every X', then every H'.
 */
export function adagrad(ctx: NodeCtx, inputs: Inputs, attrs: AdagradAttrs): Tensor[] {
  const { r, t } = rateAndCount(inputs, 'Adagrad');
  const sets = optimizerGroups(inputs, 3, 'Adagrad', 'X, G, H');
  const n = sets.length;
  const rate = r / (1 + t * attrs.decayFactor), norm = attrs.normCoefficient, eps = attrs.epsilon;
  sets.forEach(([x, g, h], i) => {
    const X = x.data as FloatArray, G = g.data as FloatArray, H = h.data as FloatArray;
    const Xo = ctx.alloc(i, x.type, x.dims).data as FloatArray;
    const Ho = ctx.alloc(n + i, h.type, h.dims).data as FloatArray;
    for (let j = 0; j < X.length; j++) {
      const gr = norm * X[j] + G[j];
      const hn = H[j] + gr * gr;
      Ho[j] = hn;
      Xo[j] = X[j] - (rate * gr) / (Math.sqrt(hn) + eps);
    }
  });
  return ctx.done(2 * n);
}

export interface AdamAttrs { alpha: number; beta: number; epsilon: number; normCoefficient: number; normCoefficientPost: number }

/**
 * Adam: g = norm·X + G; V' = α·V + (1−α)·g; H' = β·H + (1−β)·g²;
 * r' = r·√(1−β^T) / (1−α^T) when T > 0 (bias correction), else r;
 * X' = (1 − norm_post) · (X − r' · V' / (√H' + ε)). Outputs: X'..., V'..., H'....
 */
export function adam(ctx: NodeCtx, inputs: Inputs, attrs: AdamAttrs): Tensor[] {
  const { r, t } = rateAndCount(inputs, 'Adam');
  const sets = optimizerGroups(inputs, 4, 'Adam', 'X, G, V, H');
  const n = sets.length;
  const { alpha, beta, epsilon: eps, normCoefficient: norm } = attrs;
  const rate = t > 0 ? (r * Math.sqrt(1 - beta ** t)) / (1 - alpha ** t) : r;
  const post = 1 - attrs.normCoefficientPost;
  sets.forEach(([x, g, v, h], i) => {
    const X = x.data as FloatArray, G = g.data as FloatArray, V = v.data as FloatArray, H = h.data as FloatArray;
    const Xo = ctx.alloc(i, x.type, x.dims).data as FloatArray;
    const Vo = ctx.alloc(n + i, v.type, v.dims).data as FloatArray;
    const Ho = ctx.alloc(2 * n + i, h.type, h.dims).data as FloatArray;
    for (let j = 0; j < X.length; j++) {
      const gr = norm * X[j] + G[j];
      const vn = alpha * V[j] + (1 - alpha) * gr;
      const hn = beta * H[j] + (1 - beta) * gr * gr;
      Vo[j] = vn;
      Ho[j] = hn;
      Xo[j] = post * (X[j] - (rate * vn) / (Math.sqrt(hn) + eps));
    }
  });
  return ctx.done(3 * n);
}

export interface MomentumAttrs { alpha: number; beta: number; normCoefficient: number; nesterov: boolean }

/**
 * Momentum: g = norm·X + G; V' = α·V + β'·g with β' = β when T > 0, else 1;
 * standard: X' = X − r·V'; Nesterov: X' = X − r·(g + α·V'). Outputs: X'..., V'....
 */
export function momentum(ctx: NodeCtx, inputs: Inputs, attrs: MomentumAttrs): Tensor[] {
  const { r, t } = rateAndCount(inputs, 'Momentum');
  const sets = optimizerGroups(inputs, 3, 'Momentum', 'X, G, V');
  const n = sets.length;
  const { alpha, normCoefficient: norm, nesterov } = attrs;
  const beta = t > 0 ? attrs.beta : 1;
  sets.forEach(([x, g, v], i) => {
    const X = x.data as FloatArray, G = g.data as FloatArray, V = v.data as FloatArray;
    const Xo = ctx.alloc(i, x.type, x.dims).data as FloatArray;
    const Vo = ctx.alloc(n + i, v.type, v.dims).data as FloatArray;
    for (let j = 0; j < X.length; j++) {
      const gr = norm * X[j] + G[j];
      const vn = alpha * V[j] + beta * gr;
      Vo[j] = vn;
      Xo[j] = nesterov ? X[j] - r * (gr + alpha * vn) : X[j] - r * vn;
    }
  });
  return ctx.done(2 * n);
}
