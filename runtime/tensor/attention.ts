// Attention (opset 23/24) and RotaryEmbedding (opset 23).
//
// Attention works per (batch, query head) on strided views of Q, K and V, so the
// 3-D layout [batch, seq, heads·head_size] needs no transposed copy: only the KV
// cache (present_key/present_value, always 4-D) is materialised.

import { gemm, type FloatArray } from './gemm.js';
import { fail, type BigArray, type NodeCtx, type NumericArray, type Tensor } from './tensor.js';

export interface AttentionAttrs {
  isCausal: boolean;
  /** Required for 3-D inputs; 0 when absent. */
  qNumHeads: number;
  kvNumHeads: number;
  /** Which intermediate the 4th output holds: 0 QK·scale, 1 after softcap, 2 after masks, 3 after softmax. */
  qkMatmulOutputMode: number;
  scale: number | null;
  /** 0: no softcap. */
  softcap: number;
  /** Whether the node declares the 4th output (qk_matmul_output). */
  qkOutput: boolean;
}

/** A [batch, heads, seq, size] view of a 3-D or 4-D operand. */
interface HeadView {
  data: FloatArray; heads: number; seq: number; size: number;
  sB: number; sH: number; sS: number;
}

function headView(t: Tensor, heads: number, name: string): HeadView {
  const d = t.dims;
  if (d.length === 4) {
    return { data: t.data as FloatArray, heads: d[1], seq: d[2], size: d[3], sB: d[1] * d[2] * d[3], sH: d[2] * d[3], sS: d[3] };
  }
  if (d.length !== 3) fail(`Attention ${name} must be 3-D or 4-D, got [${d.join(',')}]`);
  if (heads <= 0 || d[2] % heads !== 0) fail(`Attention ${name} hidden size ${d[2]} is not a multiple of the head count ${heads}`);
  const size = d[2] / heads;
  return { data: t.data as FloatArray, heads, seq: d[1], size, sB: d[1] * d[2], sH: size, sS: d[2] };
}

/**
 * Copies past (4-D, may be absent) then the new keys/values into a contiguous
 * [batch, heads, past+seq, size] cache.
 */
function fillCache(dst: FloatArray, past: Tensor | undefined, cur: HeadView, batch: number, name: string): number {
  const P = past === undefined ? 0 : past.dims[2];
  if (past !== undefined) {
    const pd = past.dims;
    if (pd.length !== 4 || pd[0] !== batch || pd[1] !== cur.heads || pd[3] !== cur.size) {
      fail(`Attention ${name} of shape [${pd.join(',')}] does not match [${batch},${cur.heads},*,${cur.size}]`);
    }
  }
  const T = P + cur.seq, D = cur.size;
  const src = past?.data as FloatArray | undefined;
  for (let b = 0; b < batch; b++) {
    for (let h = 0; h < cur.heads; h++) {
      const base = (b * cur.heads + h) * T * D;
      if (src !== undefined) {
        const pOff = (b * cur.heads + h) * P * D;
        for (let i = 0; i < P * D; i++) dst[base + i] = src[pOff + i];
      }
      for (let s = 0; s < cur.seq; s++) {
        const from = b * cur.sB + h * cur.sH + s * cur.sS, to = base + (P + s) * D;
        for (let i = 0; i < D; i++) dst[to + i] = cur.data[from + i];
      }
    }
  }
  return T;
}

/** The attention mask as strides over [batch, q_head, q_seq, kv] (0 on broadcast axes). */
interface MaskView { data: NumericArray; isBool: boolean; sB: number; sH: number; sS: number; len: number }

function maskView(m: Tensor | undefined, B: number, H: number, Sq: number): MaskView | null {
  if (m === undefined) return null;
  const d = m.dims;
  if (d.length < 1 || d.length > 4) fail(`Attention attn_mask must have rank 1 to 4, got [${d.join(',')}]`);
  const full = [1, 1, 1, 1];
  for (let i = 0; i < d.length; i++) full[4 - d.length + i] = d[i];
  const want = [B, H, Sq];
  for (let i = 0; i < 3; i++) {
    if (full[i] !== 1 && full[i] !== want[i]) fail(`Attention attn_mask of shape [${d.join(',')}] does not broadcast to [${B},${H},${Sq},*]`);
  }
  const len = full[3];
  const sS = full[2] === 1 ? 0 : len;
  const sH = full[1] === 1 ? 0 : full[2] * len;
  const sB = full[0] === 1 ? 0 : full[1] * full[2] * len;
  if (m.type === 'int64' || m.type === 'uint64') {
    // Numeric masks are additive; a 64-bit one is converted once.
    const src = m.data as BigArray, conv = new Float64Array(src.length);
    for (let i = 0; i < src.length; i++) conv[i] = Number(src[i]);
    return { data: conv, isBool: false, sB, sH, sS, len };
  }
  return { data: m.data as NumericArray, isBool: m.type === 'bool', sB, sH, sS, len };
}

export function attention(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: AttentionAttrs): Tensor[] {
  const [q, k, v, mask, pastK, pastV, nonpad] = inputs;
  if (q === undefined || k === undefined || v === undefined) return fail('Attention needs Q, K and V');
  if (q.dims.length !== k.dims.length || q.dims.length !== v.dims.length) fail('Attention Q, K and V must have the same rank');
  if ((pastK === undefined) !== (pastV === undefined)) fail('Attention past_key and past_value must be given together');
  const Q = headView(q, attrs.qNumHeads, 'Q');
  const K = headView(k, attrs.kvNumHeads, 'K');
  const V = headView(v, attrs.kvNumHeads, 'V');
  const B = q.dims[0];
  const Hq = Q.heads, Hkv = K.heads, Sq = Q.seq, D = Q.size, Dv = V.size;
  if (k.dims[0] !== B || v.dims[0] !== B) fail('Attention Q, K and V must have the same batch size');
  if (K.size !== D) fail(`Attention Q and K head sizes differ: ${D} and ${K.size}`);
  if (V.heads !== Hkv || V.seq !== K.seq) fail('Attention K and V must have the same heads and sequence length');
  if (Hq % Hkv !== 0) fail(`Attention q heads (${Hq}) must be a multiple of kv heads (${Hkv})`);
  const P = pastK === undefined ? 0 : pastK.dims[2];
  const T = P + K.seq;

  const presentK = ctx.alloc(1, k.type, [B, Hkv, T, D]);
  const presentV = ctx.alloc(2, v.type, [B, Hkv, T, Dv]);
  fillCache(presentK.data as FloatArray, pastK, K, B, 'past_key');
  fillCache(presentV.data as FloatArray, pastV, V, B, 'past_value');
  const PK = presentK.data as FloatArray, PV = presentV.data as FloatArray;

  const rank3 = q.dims.length === 3;
  const y = ctx.alloc(0, q.type, rank3 ? [B, Sq, Hq * Dv] : [B, Hq, Sq, Dv]);
  const QK = attrs.qkOutput ? (ctx.alloc(3, q.type, [B, Hq, Sq, T]).data as FloatArray) : null;
  const Y = y.data as FloatArray;
  const ySB = rank3 ? Sq * Hq * Dv : Hq * Sq * Dv, ySH = rank3 ? Dv : Sq * Dv, ySS = rank3 ? Hq * Dv : Dv;

  const m = maskView(mask, B, Hq, Sq);
  if (m !== null && m.len > T) fail(`Attention attn_mask has ${m.len} key positions, more than the ${T} keys`);
  const seqlens = nonpad === undefined ? null : (nonpad.data as BigArray);
  if (seqlens !== null && seqlens.length !== B) fail(`Attention nonpad_kv_seqlen must have ${B} entries`);
  const scale = attrs.scale ?? 1 / Math.sqrt(D);
  const S = ctx.scratch('scores', 'float64', Sq * T) as Float64Array;
  const group = Hq / Hkv;

  for (let b = 0; b < B; b++) {
    // Causal frontier: query i sees key j iff j <= i + offset (bottom-right aligned with a cache).
    const valid = seqlens === null ? T : Math.min(T, Number(seqlens[b]));
    const offset = pastK !== undefined ? P : seqlens !== null ? Number(seqlens[b]) - Sq : 0;
    for (let h = 0; h < Hq; h++) {
      const kvh = Math.floor(h / group); // GQA: each KV head serves `group` consecutive query heads
      const kOff = (b * Hkv + kvh) * T * D, vOff = (b * Hkv + kvh) * T * Dv;
      // S = scale · Q_bh · K_bhᵀ
      gemm(Sq, T, D, Q.data, b * Q.sB + h * Q.sH, Q.sS, 1, PK, kOff, 1, D, S, 0, T, scale);
      const qkBase = (b * Hq + h) * Sq * T;
      for (let i = 0; i < Sq; i++) {
        scoreRow(S, i * T, T, attrs, m, b, h, i, attrs.isCausal ? i + offset : T, valid, QK, qkBase + i * T);
      }
      // Y_bh = softmax(S) · V_bh
      gemm(Sq, Dv, T, S, 0, T, 1, PV, vOff, Dv, 1, Y, b * ySB + h * ySH, ySS);
    }
  }
  return ctx.done(attrs.qkOutput ? 4 : 3);
}

/**
 * One row of scores, in place: softcap, masks (additive/bool mask, causal frontier
 * `lastKey`, padding beyond `valid`), softmax. Records the intermediate selected by
 * qk_matmul_output_mode. A fully masked row yields zeros rather than NaN.
 */
function scoreRow(
  S: Float64Array, o: number, T: number, attrs: AttentionAttrs, m: MaskView | null,
  b: number, h: number, i: number, lastKey: number, valid: number, QK: FloatArray | null, qkOff: number,
): void {
  const mode = QK === null ? -1 : attrs.qkMatmulOutputMode;
  if (mode === 0) for (let j = 0; j < T; j++) (QK as FloatArray)[qkOff + j] = S[o + j];
  const cap = attrs.softcap;
  if (cap > 0) for (let j = 0; j < T; j++) S[o + j] = cap * Math.tanh(S[o + j] / cap);
  if (mode === 1) for (let j = 0; j < T; j++) (QK as FloatArray)[qkOff + j] = S[o + j];
  if (m !== null) {
    const mo = b * m.sB + h * m.sH + i * m.sS, md = m.data;
    for (let j = 0; j < T; j++) {
      if (j >= m.len) S[o + j] = -Infinity; // keys beyond the mask's width are masked
      else if (m.isBool) { if (md[mo + j] === 0) S[o + j] = -Infinity; }
      else S[o + j] += md[mo + j];
    }
  }
  const stop = Math.min(lastKey + 1, valid);
  for (let j = Math.max(stop, 0); j < T; j++) S[o + j] = -Infinity;
  if (mode === 2) for (let j = 0; j < T; j++) (QK as FloatArray)[qkOff + j] = S[o + j];
  let mx = -Infinity;
  for (let j = 0; j < T; j++) if (S[o + j] > mx || Number.isNaN(S[o + j])) mx = S[o + j];
  if (mx === -Infinity) {
    S.fill(0, o, o + T);
  } else {
    let sum = 0;
    for (let j = 0; j < T; j++) { const e = Math.exp(S[o + j] - mx); S[o + j] = e; sum += e; }
    const inv = 1 / sum;
    for (let j = 0; j < T; j++) S[o + j] *= inv;
  }
  if (mode === 3) for (let j = 0; j < T; j++) (QK as FloatArray)[qkOff + j] = S[o + j];
}

// ---------------------------------------------------------------------------
// RotaryEmbedding

export interface RotaryAttrs { interleaved: boolean; rotaryEmbeddingDim: number; numHeads: number }

/**
 * Rotates the first rotary_embedding_dim features of every head: pairs (x1, x2)
 * taken as halves or as interleaved even/odd elements become
 * (cos·x1 − sin·x2, sin·x1 + cos·x2).
 */
export function rotaryEmbedding(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: RotaryAttrs): Tensor[] {
  const x = inputs[0] as Tensor, cosT = inputs[1] as Tensor, sinT = inputs[2] as Tensor, pos = inputs[3];
  const d = x.dims;
  let Bn: number, S: number, H: number, Dh: number, sB: number, sS: number, sH: number;
  if (d.length === 4) {
    [Bn, H, S, Dh] = d; sB = H * S * Dh; sH = S * Dh; sS = Dh;
  } else if (d.length === 3) {
    H = attrs.numHeads;
    if (H <= 0 || d[2] % H !== 0) fail(`RotaryEmbedding with 3-D input needs num_heads dividing ${d[2]}`);
    [Bn, S] = d; Dh = d[2] / H; sB = S * d[2]; sS = d[2]; sH = Dh;
  } else {
    return fail(`RotaryEmbedding input must be 3-D or 4-D, got [${d.join(',')}]`);
  }
  const rd = attrs.rotaryEmbeddingDim === 0 ? Dh : attrs.rotaryEmbeddingDim;
  if (rd > Dh || rd % 2 !== 0) fail(`rotary_embedding_dim ${rd} must be even and at most the head size ${Dh}`);
  const half = rd / 2;
  const cd = cosT.dims;
  if (cd[cd.length - 1] !== half || sinT.dims[sinT.dims.length - 1] !== half) fail(`RotaryEmbedding caches must have last dimension ${half}`);
  const X = x.data as FloatArray, C = cosT.data as FloatArray, Sn = sinT.data as FloatArray;
  const P = pos === undefined ? null : (pos.data as BigArray);
  if (P === null && (cd.length !== 3 || cd[0] !== Bn || cd[1] !== S)) fail(`RotaryEmbedding without position_ids needs caches of shape [${Bn},${S},${half}]`);
  if (P !== null && P.length !== Bn * S) fail(`RotaryEmbedding position_ids must have shape [${Bn},${S}]`);
  const rows = cd.length === 2 ? cd[0] : Infinity;
  const y = ctx.alloc(0, x.type, d);
  const Y = y.data as FloatArray;
  Y.set(X); // features beyond rotary_embedding_dim pass through
  for (let b = 0; b < Bn; b++) {
    for (let s = 0; s < S; s++) {
      let row: number;
      if (P !== null) {
        row = Number(P[b * S + s]);
        if (row < 0 || row >= rows) fail(`RotaryEmbedding position id ${row} is out of range`);
      } else row = b * S + s;
      const co = row * half;
      for (let h = 0; h < H; h++) {
        const base = b * sB + s * sS + h * sH;
        for (let t = 0; t < half; t++) {
          const i1 = attrs.interleaved ? base + 2 * t : base + t;
          const i2 = attrs.interleaved ? i1 + 1 : i1 + half;
          const c = C[co + t], sn = Sn[co + t], x1 = X[i1], x2 = X[i2];
          Y[i1] = c * x1 - sn * x2;
          Y[i2] = sn * x1 + c * x2;
        }
      }
    }
  }
  return ctx.done(1);
}
