// LinearAttention (opset 27) and ai.onnx.preview.FlexAttention (preview opset 1).
//
// LinearAttention is a recurrence over a [d_k, d_v] state per (batch, KV head),
// accumulated in float64. FlexAttention is scaled dot-product attention whose
// scores and probabilities optional subgraphs (score_mod, mask_mod, prob_mod) may
// rewrite; they arrive as region callbacks and see whole [B, H, L, S] tensors.

import { roundToFloat16 } from './float16.js';
import { gemm, type FloatArray } from './gemm.js';
import type { RegionFn } from './invoke.js';
import { fail, sizeOf, type DType, type NodeCtx, type Tensor } from './tensor.js';

type Inputs = readonly (Tensor | undefined)[];

function shapeText(d: readonly number[]): string {
  return `[${d.join(',')}]`;
}

// ---------------------------------------------------------------- LinearAttention

export type LinearAttentionRule = 'linear' | 'gated' | 'delta' | 'gated_delta';

export interface LinearAttentionAttrs {
  qNumHeads: number;
  kvNumHeads: number;
  /** 0: 1/√d_k. */
  scale: number;
  updateRule: LinearAttentionRule;
}

/**
 * LinearAttention: query [B, T, Hq·d_k], key [B, T, Hkv·d_k], value [B, T, Hkv·d_v],
 * past_state [B, Hkv, d_k, d_v] (zeros when absent), decay [B, T, Hkv] or
 * [B, T, Hkv·d_k] (log-space, gated rules), beta [B, T, Hkv] or [B, T, 1] (delta rules).
 * Per step t and KV head: S ← S·exp(g_t) (gated); v_t ← β_t·(v_t − Sᵀk_t) (delta);
 * S ← S + k_t ⊗ v_t; each query head h of the group reads o_t = scale · q_tᵀS.
 * Outputs: output [B, T, Hq·d_v], present_state (the final S).
 */
export function linearAttention(ctx: NodeCtx, inputs: Inputs, attrs: LinearAttentionAttrs): Tensor[] {
  const [q, k, v, past, decay, beta] = inputs;
  if (q === undefined || k === undefined || v === undefined) return fail('LinearAttention needs query, key and value');
  const Hq = attrs.qNumHeads, Hkv = attrs.kvNumHeads, rule = attrs.updateRule;
  const gated = rule === 'gated' || rule === 'gated_delta';
  const delta = rule === 'delta' || rule === 'gated_delta';
  if (gated !== (decay !== undefined)) fail(`LinearAttention update_rule "${rule}" ${gated ? 'requires' : 'forbids'} the decay input`);
  if (delta !== (beta !== undefined)) fail(`LinearAttention update_rule "${rule}" ${delta ? 'requires' : 'forbids'} the beta input`);
  for (const [name, t] of [['query', q], ['key', k], ['value', v]] as const) {
    if (t.dims.length !== 3) fail(`LinearAttention ${name} must be [batch, seq, hidden], got ${shapeText(t.dims)}`);
  }
  const [B, T, qHidden] = q.dims;
  if (k.dims[0] !== B || v.dims[0] !== B || k.dims[1] !== T || v.dims[1] !== T) {
    fail(`LinearAttention query ${shapeText(q.dims)}, key ${shapeText(k.dims)} and value ${shapeText(v.dims)} differ in batch or sequence length`);
  }
  if (qHidden % Hq !== 0) fail(`LinearAttention query hidden size ${qHidden} is not a multiple of q_num_heads ${Hq}`);
  const Dk = qHidden / Hq;
  if (k.dims[2] !== Hkv * Dk) fail(`LinearAttention key hidden size ${k.dims[2]} must be kv_num_heads·d_k = ${Hkv}·${Dk}`);
  if (v.dims[2] % Hkv !== 0) fail(`LinearAttention value hidden size ${v.dims[2]} is not a multiple of kv_num_heads ${Hkv}`);
  const Dv = v.dims[2] / Hkv;
  const group = Hq / Hkv;

  if (past !== undefined && (past.dims.length !== 4 || past.dims[0] !== B || past.dims[1] !== Hkv || past.dims[2] !== Dk || past.dims[3] !== Dv)) {
    fail(`LinearAttention past_state must be [${B},${Hkv},${Dk},${Dv}], got ${shapeText(past.dims)}`);
  }
  // decay: per head (one value per KV head) or per key dimension
  let decayW = 0;
  if (decay !== undefined) {
    const d = decay.dims;
    if (d.length !== 3 || d[0] !== B || d[1] !== T || (d[2] !== Hkv && d[2] !== Hkv * Dk)) {
      fail(`LinearAttention decay must be [${B},${T},${Hkv}] or [${B},${T},${Hkv * Dk}], got ${shapeText(d)}`);
    }
    decayW = d[2];
  }
  const perKeyDecay = decayW === Hkv * Dk && Dk !== 1;
  let betaW = 0;
  if (beta !== undefined) {
    const d = beta.dims;
    if (d.length !== 3 || d[0] !== B || d[1] !== T || (d[2] !== Hkv && d[2] !== 1)) {
      fail(`LinearAttention beta must be [${B},${T},${Hkv}] or [${B},${T},1], got ${shapeText(d)}`);
    }
    betaW = d[2];
  }
  const scale = attrs.scale === 0 ? 1 / Math.sqrt(Dk) : attrs.scale;

  const Q = q.data as FloatArray, K = k.data as FloatArray, V = v.data as FloatArray;
  const G = decay === undefined ? null : (decay.data as FloatArray);
  const Bt = beta === undefined ? null : (beta.data as FloatArray);
  const PS = past === undefined ? null : (past.data as FloatArray);
  const Y = ctx.alloc(0, q.type, [B, T, Hq * Dv]).data as FloatArray;
  const state = ctx.alloc(1, past?.type ?? q.type, [B, Hkv, Dk, Dv]).data as FloatArray;
  const S = ctx.scratch('state', 'float64', Dk * Dv) as Float64Array;
  const u = ctx.scratch('update', 'float64', Dv) as Float64Array;
  const qStep = Hq * Dk, kStep = Hkv * Dk, vStep = Hkv * Dv, yStep = Hq * Dv;

  for (let b = 0; b < B; b++) {
    for (let h = 0; h < Hkv; h++) {
      const sOff = (b * Hkv + h) * Dk * Dv;
      if (PS === null) S.fill(0, 0, Dk * Dv);
      else for (let i = 0; i < Dk * Dv; i++) S[i] = PS[sOff + i];
      for (let t = 0; t < T; t++) {
        const bt = b * T + t;
        const kOff = bt * kStep + h * Dk, vOff = bt * vStep + h * Dv;
        if (G !== null) {
          if (perKeyDecay) {
            const gOff = bt * decayW + h * Dk;
            for (let d = 0; d < Dk; d++) {
              const f = Math.exp(G[gOff + d]);
              for (let m = 0; m < Dv; m++) S[d * Dv + m] *= f;
            }
          } else {
            const f = Math.exp(G[bt * decayW + h]);
            for (let i = 0; i < Dk * Dv; i++) S[i] *= f;
          }
        }
        if (Bt !== null) {
          // delta rule: write β·(v − Sᵀk) instead of v
          const bv = Bt[bt * betaW + (betaW === 1 ? 0 : h)];
          for (let m = 0; m < Dv; m++) {
            let r = 0;
            for (let d = 0; d < Dk; d++) r += S[d * Dv + m] * K[kOff + d];
            u[m] = bv * (V[vOff + m] - r);
          }
        } else {
          for (let m = 0; m < Dv; m++) u[m] = V[vOff + m];
        }
        for (let d = 0; d < Dk; d++) {
          const kd = K[kOff + d];
          for (let m = 0; m < Dv; m++) S[d * Dv + m] += kd * u[m];
        }
        // read: every query head of this KV head's group
        for (let j = 0; j < group; j++) {
          const hq = h * group + j;
          const qOff = bt * qStep + hq * Dk, yOff = bt * yStep + hq * Dv;
          for (let m = 0; m < Dv; m++) {
            let acc = 0;
            for (let d = 0; d < Dk; d++) acc += Q[qOff + d] * S[d * Dv + m];
            Y[yOff + m] = scale * acc;
          }
        }
      }
      for (let i = 0; i < Dk * Dv; i++) state[sOff + i] = S[i];
    }
  }
  return ctx.done(2);
}

// ---------------------------------------------------------------- FlexAttention

export interface FlexAttentionAttrs {
  /** null: 1/√head_size. */
  scale: number | null;
  /** Precision of the scores, softmax and subgraph tensors; null: float32, or float64 for double Q. */
  softmaxPrecision: 'float16' | 'float32' | 'float64' | null;
  /** Index of each subgraph among the node's region callbacks, -1 when absent. */
  scoreMod: number;
  maskMod: number;
  probMod: number;
}

/** Runs a *_mod subgraph on a [B, H, L, S] tensor and copies its result back into `buf`. */
function applyMod(fn: RegionFn, buf: Float64Array, type: DType, dims: readonly number[], name: string): void {
  const data = type === 'float64' ? Float64Array.from(buf) : Float32Array.from(buf);
  const res = fn([{ type, dims: dims.slice(), data }]);
  const r = res[0];
  if (res.length !== 1 || r === undefined) fail(`FlexAttention ${name} must produce exactly one output`);
  if (r.type !== 'float32' && r.type !== 'float64' && r.type !== 'float16') fail(`FlexAttention ${name} must produce a float tensor, got ${r.type}`);
  if (r.dims.length !== dims.length || r.dims.some((d, i) => d !== dims[i])) {
    fail(`FlexAttention ${name} must keep the shape ${shapeText(dims)}, got ${shapeText(r.dims)}`);
  }
  const src = r.data as FloatArray;
  for (let i = 0; i < buf.length; i++) buf[i] = src[i];
}

/**
 * FlexAttention: Q [B, Hq, L, E], K [B, Hkv, S, E], V [B, Hkv, S, Ev] (Hq a multiple
 * of Hkv; query head h reads KV head ⌊h / (Hq/Hkv)⌋).
 * scores = scale·QKᵀ → score_mod → mask_mod → softmax over S → prob_mod → ·V.
 * Scores and probabilities are held in the softmax precision (float32 for
 * float16/float32 inputs unless softmax_precision says otherwise).
 */
export function flexAttention(ctx: NodeCtx, inputs: Inputs, attrs: FlexAttentionAttrs, regions?: readonly RegionFn[]): Tensor[] {
  const [q, k, v] = inputs;
  if (q === undefined || k === undefined || v === undefined) return fail('FlexAttention needs Q, K and V');
  for (const [name, t] of [['Q', q], ['K', k], ['V', v]] as const) {
    if (t.dims.length !== 4) fail(`FlexAttention ${name} must be 4-D [batch, heads, seq, size], got ${shapeText(t.dims)}`);
  }
  const [B, Hq, L, E] = q.dims;
  const [, Hkv, S] = k.dims;
  const Ev = v.dims[3];
  if (k.dims[0] !== B || v.dims[0] !== B) fail('FlexAttention Q, K and V must have the same batch size');
  if (k.dims[3] !== E) fail(`FlexAttention Q and K head sizes differ: ${E} and ${k.dims[3]}`);
  if (v.dims[1] !== Hkv || v.dims[2] !== S) fail(`FlexAttention K ${shapeText(k.dims)} and V ${shapeText(v.dims)} must have the same heads and sequence length`);
  if (Hkv <= 0 || Hq % Hkv !== 0) fail(`FlexAttention query heads (${Hq}) must be a multiple of key/value heads (${Hkv})`);
  const group = Hq / Hkv;
  const scale = attrs.scale ?? 1 / Math.sqrt(E);
  const prec: DType = attrs.softmaxPrecision ?? (q.type === 'float64' ? 'float64' : 'float32');
  const round = prec === 'float16' ? roundToFloat16 : prec === 'float32' ? Math.fround : null;
  const region = (i: number, name: string): RegionFn | null => {
    if (i < 0) return null;
    const fn = regions?.[i];
    if (fn === undefined) return fail(`FlexAttention ${name} subgraph was not provided`);
    return fn;
  };
  const scoreMod = region(attrs.scoreMod, 'score_mod'), maskMod = region(attrs.maskMod, 'mask_mod'), probMod = region(attrs.probMod, 'prob_mod');

  const dims = [B, Hq, L, S];
  const n = sizeOf(dims);
  const P = ctx.scratch('scores', 'float64', n) as Float64Array;
  const Qd = q.data as FloatArray, Kd = k.data as FloatArray, Vd = v.data as FloatArray;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < Hq; h++) {
      const kv = b * Hkv + Math.floor(h / group);
      gemm(L, S, E, Qd, (b * Hq + h) * L * E, E, 1, Kd, kv * S * E, 1, E, P, (b * Hq + h) * L * S, S, scale);
    }
  }
  const scores = P.subarray(0, n);
  if (round !== null) for (let i = 0; i < n; i++) scores[i] = round(scores[i]);
  if (scoreMod !== null) applyMod(scoreMod, scores, prec, dims, 'score_mod');
  if (maskMod !== null) applyMod(maskMod, scores, prec, dims, 'mask_mod');
  if (prec === 'float16') for (let i = 0; i < n; i++) scores[i] = roundToFloat16(scores[i]);
  // softmax over the key axis (a row of -Infinity gives NaN, as the ONNX Softmax does)
  for (let o = 0; o < n; o += S) {
    let mx = -Infinity;
    for (let j = 0; j < S; j++) if (scores[o + j] > mx || Number.isNaN(scores[o + j])) mx = scores[o + j];
    let sum = 0;
    for (let j = 0; j < S; j++) { const e = Math.exp(scores[o + j] - mx); scores[o + j] = e; sum += e; }
    for (let j = 0; j < S; j++) scores[o + j] /= sum;
  }
  if (round !== null) for (let i = 0; i < n; i++) scores[i] = round(scores[i]);
  if (probMod !== null) applyMod(probMod, scores, prec, dims, 'prob_mod');

  const y = ctx.alloc(0, v.type, [B, Hq, L, Ev]);
  const Y = y.data as FloatArray;
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < Hq; h++) {
      const kv = b * Hkv + Math.floor(h / group);
      gemm(L, Ev, S, scores, (b * Hq + h) * L * S, S, 1, Vd, kv * S * Ev, Ev, 1, Y, (b * Hq + h) * L * Ev, Ev);
    }
  }
  return ctx.done(1);
}
