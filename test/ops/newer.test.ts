// Newer ops (BitCast, SwiGLU, TensorScatter, CausalConvWithState, LinearAttention,
// ai.onnx.preview.FlexAttention, ai.onnx.preview.training Adagrad/Adam/Momentum):
// cases the conformance suite leaves out (float16 and byte reinterpretation,
// broadcasting, non-default axes and batch mapping, strings, d_k ≠ d_v, attribute
// defaults, t = 0 branches, subgraph callbacks, validation errors).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { float16BitsToFloat } from '../../runtime/tensor/float16.js';
import type { RegionFn } from '../../runtime/tensor/invoke.js';
import { flexAttention, type FlexAttentionAttrs } from '../../runtime/tensor/newer-attention.js';
import { NodeCtx, type Tensor } from '../../runtime/tensor/tensor.js';
import { runOp, type OpInput, assertClose } from './helpers.js';

const f32 = (dims: number[], data: number[]): OpInput => ({ type: 'float32', dims, data });
const f64 = (dims: number[], data: number[]): OpInput => ({ type: 'float64', dims, data });
const i64 = (dims: number[], data: number[]): OpInput => ({ type: 'int64', dims, data });
const TRAINING = 'ai.onnx.preview.training';

/** Deterministic pseudo-random values in [lo, hi). */
function rand(n: number, seed: number, lo = -1, hi = 1): number[] {
  let s = seed >>> 0;
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + (s / 2 ** 32) * (hi - lo);
  }
  return out;
}


const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));

// ---------------------------------------------------------------- BitCast

test('BitCast float16 <-> int16/uint16 goes through the binary16 bits', async () => {
  const [a] = await runOp('BitCast', [{ type: 'float16', dims: [4], data: [1, -2, 0.5, -0] }], { to: 5 }, { opset: 26 });
  assert.equal(a.type, 'int16');
  assert.deepEqual(Array.from(a.data, Number), [0x3c00, 0xc000 - 0x10000, 0x3800, 0x8000 - 0x10000]);
  const [b] = await runOp('BitCast', [{ type: 'uint16', dims: [3], data: [0x3c00, 0xc400, 0x7c00] }], { to: 10 }, { opset: 26 });
  assert.equal(b.type, 'float16');
  assert.deepEqual(Array.from(b.data as ArrayLike<number>, float16BitsToFloat), [1, -4, Infinity]);
});

test('BitCast keeps the bytes: int64 -> uint64 wraps, float64 bit patterns, uint8 -> int8', async () => {
  const [u] = await runOp('BitCast', [i64([2], [-1, 5])], { to: 13 }, { opset: 26 });
  assert.equal(u.type, 'uint64');
  assert.deepEqual(Array.from(u.data as ArrayLike<bigint>), [2n ** 64n - 1n, 5n]);
  const [d] = await runOp('BitCast', [f64([1], [1])], { to: 7 }, { opset: 26 });
  assert.deepEqual(Array.from(d.data as ArrayLike<bigint>), [0x3ff0000000000000n]);
  const [s] = await runOp('BitCast', [{ type: 'uint8', dims: [3], data: [0, 128, 255] }], { to: 3 }, { opset: 26 });
  assert.deepEqual(Array.from(s.data, Number), [0, -128, -1]);
});

test('BitCast uint8 -> bool is true for every non-zero byte', async () => {
  const [b] = await runOp('BitCast', [{ type: 'uint8', dims: [4], data: [0, 1, 2, 255] }], { to: 9 }, { opset: 26 });
  assert.equal(b.type, 'bool');
  assert.deepEqual(Array.from(b.data, Number), [0, 1, 1, 1]); // stored as 0/1, not the raw byte
});

test('BitCast rejects types of different widths, strings, and opsets before 26', async () => {
  await assert.rejects(runOp('BitCast', [f32([1], [1])], { to: 7 }, { opset: 26 }), /MLC2003|same width/);
  await assert.rejects(runOp('BitCast', [f32([1], [1])], { to: 8 }, { opset: 26 }), /string/);
  await assert.rejects(runOp('BitCast', [f32([1], [1])], { to: 6 }, { opset: 25 }), /BitCast/);
});

// ---------------------------------------------------------------- SwiGLU

test('SwiGLU broadcasts b against a and honours alpha (float64)', async () => {
  const a = rand(6, 1, -3, 3), b = [0.5, -2, 3];
  const [y] = await runOp('SwiGLU', [f64([2, 3], a), f64([3], b)], { alpha: 1.7 }, { opset: 28 });
  assert.deepEqual(y.dims, [2, 3]);
  const al = Math.fround(1.7); // float attributes are float32
  assertClose(y.data, a.map((v, i) => v * sigmoid(al * v) * b[i % 3]), 1e-12, 1e-12);
  // broadcasting a instead of b
  const [z] = await runOp('SwiGLU', [f64([1, 3], b), f64([2, 1], [1, -1])], {}, { opset: 28 });
  assert.deepEqual(z.dims, [2, 3]);
  assertClose(z.data, [1, -1].flatMap((s) => b.map((v) => v * sigmoid(v) * s)), 1e-12, 1e-12);
});

// ---------------------------------------------------------------- TensorScatter

test('TensorScatter maps write_indices to axis 0 for every head (4-D, several heads)', async () => {
  const B = 2, H = 3, M = 4, D = 2, S = 2;
  const past = Array.from({ length: B * H * M * D }, (_, i) => -i - 1);
  const upd = Array.from({ length: B * H * S * D }, (_, i) => i + 1);
  const idx = [1, 2];
  const [y] = await runOp('TensorScatter', [f32([B, H, M, D], past), f32([B, H, S, D], upd), i64([B], idx)], {}, { opset: 24 });
  const expected = past.slice();
  for (let b = 0; b < B; b++) for (let h = 0; h < H; h++) for (let s = 0; s < S; s++) for (let d = 0; d < D; d++) {
    expected[((b * H + h) * M + idx[b] + s) * D + d] = upd[((b * H + h) * S + s) * D + d];
  }
  assert.deepEqual(Array.from(y.data, Number), expected);
});

test('TensorScatter without write_indices writes at 0; axis -1 and strings; circular wraps', async () => {
  const [a] = await runOp('TensorScatter', [f32([2, 3], [9, 9, 9, 8, 8, 8]), f32([2, 2], [1, 2, 3, 4])], { axis: -1 }, { opset: 24 });
  assert.deepEqual(Array.from(a.data, Number), [1, 2, 9, 3, 4, 8]);
  const s = await runOp('TensorScatter', [
    { type: 'string', dims: [1, 3], data: ['a', 'b', 'c'] }, { type: 'string', dims: [1, 2], data: ['x', 'y'] }, i64([1], [2]),
  ], { axis: 1, mode: 'circular' }, { opset: 24 });
  assert.deepEqual(Array.from(s[0].data), ['y', 'b', 'x']);
  // axis 1 of a 3-D cache (the sequence axis is not the default -2 here)
  const [c] = await runOp('TensorScatter', [f32([1, 3, 2], [0, 0, 0, 0, 0, 0]), f32([1, 1, 2], [5, 6]), i64([1], [2])], { axis: 1 }, { opset: 24 });
  assert.deepEqual(Array.from(c.data, Number), [0, 0, 0, 0, 5, 6]);
});

test('TensorScatter linear mode rejects writes past the cache end; axis 0 is invalid', async () => {
  await assert.rejects(runOp('TensorScatter', [f32([1, 3, 1], [0, 0, 0]), f32([1, 2, 1], [1, 2]), i64([1], [2])], {}, { opset: 24 }), /outside the cache/);
  await assert.rejects(runOp('TensorScatter', [f32([2, 2], [0, 0, 0, 0]), f32([1, 2], [1, 2])], { axis: 0 }, { opset: 24 }), /axis/);
});

// ---------------------------------------------------------------- CausalConvWithState

test('CausalConvWithState matches a direct causal convolution, and chained calls equal one call', async () => {
  const B = 2, C = 3, K = 3, L = 5;
  const x = rand(B * C * L, 7), w = rand(C * K, 8), bias = rand(C, 9);
  const ref = (xs: number[], len: number, past: number[] | null, silu: boolean): { y: number[]; s: number[] } => {
    const y: number[] = [], s: number[] = [];
    for (let b = 0; b < B; b++) for (let c = 0; c < C; c++) {
      const seq = [...(past ? past.slice((b * C + c) * (K - 1), (b * C + c + 1) * (K - 1)) : new Array(K - 1).fill(0)), ...xs.slice((b * C + c) * len, (b * C + c + 1) * len)];
      for (let l = 0; l < len; l++) {
        let acc = bias[c];
        for (let j = 0; j < K; j++) acc += w[c * K + j] * seq[l + j];
        y.push(silu ? acc * sigmoid(acc) : acc);
      }
      s.push(...seq.slice(seq.length - (K - 1)));
    }
    return { y, s };
  };
  const [y, st] = await runOp('CausalConvWithState', [f64([B, C, L], x), f64([C, 1, K], w), f64([C], bias)], { activation: 'silu' }, { opset: 27, outputs: 2 });
  const r = ref(x, L, null, true);
  assertClose(y.data, r.y, 1e-12, 1e-12);
  assertClose(st.data, r.s, 0, 0);
  // Splitting the sequence in two calls, carrying the state, gives the same output.
  const first = [], second = [];
  for (let row = 0; row < B * C; row++) { first.push(...x.slice(row * L, row * L + 2)); second.push(...x.slice(row * L + 2, row * L + L)); }
  const [y1, s1] = await runOp('CausalConvWithState', [f64([B, C, 2], first), f64([C, 1, K], w), f64([C], bias)], {}, { opset: 27, outputs: 2 });
  const [y2] = await runOp('CausalConvWithState', [f64([B, C, 3], second), f64([C, 1, K], w), f64([C], bias), f64([B, C, K - 1], Array.from(s1.data, Number))], {}, { opset: 27, outputs: 2 });
  const whole = ref(x, L, null, false).y;
  for (let row = 0; row < B * C; row++) {
    assertClose(Array.from(y1.data, Number).slice(row * 2, row * 2 + 2), whole.slice(row * L, row * L + 2), 1e-12, 1e-12);
    assertClose(Array.from(y2.data, Number).slice(row * 3, row * 3 + 3), whole.slice(row * L + 2, row * L + L), 1e-12, 1e-12);
  }
});

test('CausalConvWithState rejects a non-depthwise weight and a past_state of the wrong length', async () => {
  await assert.rejects(runOp('CausalConvWithState', [f32([1, 2, 3], rand(6, 1)), f32([2, 2, 2], rand(8, 2))], {}, { opset: 27, outputs: 2 }), /weight/);
  await assert.rejects(runOp('CausalConvWithState', [f32([1, 2, 3], rand(6, 1)), f32([2, 1, 3], rand(6, 2)), null, f32([1, 2, 1], [0, 0])], {}, { opset: 27, outputs: 2 }), /past_state/);
  await assert.rejects(runOp('CausalConvWithState', [f32([1, 2, 3], rand(6, 1)), f32([2, 1, 3], rand(6, 2))], { activation: 'relu' }, { opset: 27, outputs: 2 }), /activation/);
});

// ---------------------------------------------------------------- LinearAttention

/** Straightforward reference on 4-D nested arrays (independent of the kernel's layout tricks). */
function linearAttentionRef(
  q: number[], k: number[], v: number[], B: number, T: number, Hq: number, Hkv: number, Dk: number, Dv: number,
  opts: { past?: number[]; decay?: number[]; decayPerKey?: boolean; beta?: number[]; betaShared?: boolean; scale?: number },
): { y: number[]; state: number[] } {
  const scale = opts.scale ?? 1 / Math.sqrt(Dk);
  const y = new Array<number>(B * T * Hq * Dv).fill(0);
  const state: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let h = 0; h < Hkv; h++) {
      const S: number[][] = [];
      for (let d = 0; d < Dk; d++) {
        S.push([]);
        for (let m = 0; m < Dv; m++) S[d].push(opts.past ? opts.past[(((b * Hkv + h) * Dk) + d) * Dv + m] : 0);
      }
      for (let t = 0; t < T; t++) {
        const kt = Array.from({ length: Dk }, (_, d) => k[(b * T + t) * Hkv * Dk + h * Dk + d]);
        let vt = Array.from({ length: Dv }, (_, m) => v[(b * T + t) * Hkv * Dv + h * Dv + m]);
        if (opts.decay) {
          for (let d = 0; d < Dk; d++) {
            const g = opts.decayPerKey ? opts.decay[(b * T + t) * Hkv * Dk + h * Dk + d] : opts.decay[(b * T + t) * Hkv + h];
            S[d] = S[d].map((s) => s * Math.exp(g));
          }
        }
        if (opts.beta) {
          const bt = opts.betaShared ? opts.beta[b * T + t] : opts.beta[(b * T + t) * Hkv + h];
          vt = vt.map((val, m) => bt * (val - S.reduce((acc, row, d) => acc + row[m] * kt[d], 0)));
        }
        for (let d = 0; d < Dk; d++) for (let m = 0; m < Dv; m++) S[d][m] += kt[d] * vt[m];
        for (let hq = 0; hq < Hq; hq++) {
          if (Math.floor(hq / (Hq / Hkv)) !== h) continue;
          for (let m = 0; m < Dv; m++) {
            let acc = 0;
            for (let d = 0; d < Dk; d++) acc += q[(b * T + t) * Hq * Dk + hq * Dk + d] * S[d][m];
            y[(b * T + t) * Hq * Dv + hq * Dv + m] = scale * acc;
          }
        }
      }
      for (const row of S) state.push(...row);
    }
  }
  return { y, state };
}

test('LinearAttention gated_delta with d_k != d_v, GQA, per-key decay, past_state (float64)', async () => {
  const B = 2, T = 3, Hq = 4, Hkv = 2, Dk = 3, Dv = 5;
  const q = rand(B * T * Hq * Dk, 11), k = rand(B * T * Hkv * Dk, 12), v = rand(B * T * Hkv * Dv, 13);
  const past = rand(B * Hkv * Dk * Dv, 14), decay = rand(B * T * Hkv * Dk, 15, -1, 0), beta = rand(B * T * Hkv, 16, 0, 1);
  const [y, s] = await runOp('LinearAttention', [
    f64([B, T, Hq * Dk], q), f64([B, T, Hkv * Dk], k), f64([B, T, Hkv * Dv], v), f64([B, Hkv, Dk, Dv], past),
    f64([B, T, Hkv * Dk], decay), f64([B, T, Hkv], beta),
  ], { q_num_heads: Hq, kv_num_heads: Hkv }, { opset: 27, outputs: 2 });
  const r = linearAttentionRef(q, k, v, B, T, Hq, Hkv, Dk, Dv, { past, decay, decayPerKey: true, beta });
  assert.deepEqual(y.dims, [B, T, Hq * Dv]);
  assert.deepEqual(s.dims, [B, Hkv, Dk, Dv]);
  assertClose(y.data, r.y, 1e-10, 1e-12);
  assertClose(s.data, r.state, 1e-10, 1e-12);
});

test('LinearAttention delta with a shared beta, explicit scale; gated with per-head decay', async () => {
  const B = 1, T = 4, Hq = 2, Hkv = 2, Dk = 2, Dv = 3;
  const q = rand(B * T * Hq * Dk, 21), k = rand(B * T * Hkv * Dk, 22), v = rand(B * T * Hkv * Dv, 23);
  const beta = rand(B * T, 24, 0, 1);
  const [y] = await runOp('LinearAttention', [f64([B, T, Hq * Dk], q), f64([B, T, Hkv * Dk], k), f64([B, T, Hkv * Dv], v), null, null, f64([B, T, 1], beta)],
    { q_num_heads: Hq, kv_num_heads: Hkv, update_rule: 'delta', scale: 0.3 }, { opset: 27, outputs: 2 });
  assertClose(y.data, linearAttentionRef(q, k, v, B, T, Hq, Hkv, Dk, Dv, { beta, betaShared: true, scale: Math.fround(0.3) }).y, 1e-10, 1e-12);
  const decay = rand(B * T * Hkv, 25, -1, 0);
  const [g] = await runOp('LinearAttention', [f64([B, T, Hq * Dk], q), f64([B, T, Hkv * Dk], k), f64([B, T, Hkv * Dv], v), null, f64([B, T, Hkv], decay)],
    { q_num_heads: Hq, kv_num_heads: Hkv, update_rule: 'gated' }, { opset: 27, outputs: 2 });
  assertClose(g.data, linearAttentionRef(q, k, v, B, T, Hq, Hkv, Dk, Dv, { decay }).y, 1e-10, 1e-12);
});

test('LinearAttention checks that the inputs match update_rule and the head counts', async () => {
  const x = f32([1, 1, 4], [1, 2, 3, 4]);
  await assert.rejects(runOp('LinearAttention', [x, x, x, null, f32([1, 1, 2], [0, 0])], { q_num_heads: 2, kv_num_heads: 2, update_rule: 'linear' }, { opset: 27, outputs: 2 }), /forbids the decay/);
  await assert.rejects(runOp('LinearAttention', [x, x, x], { q_num_heads: 2, kv_num_heads: 2 }, { opset: 27, outputs: 2 }), /requires the decay/);
  await assert.rejects(runOp('LinearAttention', [x, x, x], { q_num_heads: 3, kv_num_heads: 2, update_rule: 'linear' }, { opset: 27, outputs: 2 }), /q_num_heads/);
  await assert.rejects(runOp('LinearAttention', [x, x, x], { q_num_heads: 2, kv_num_heads: 2, update_rule: 'fast' }, { opset: 27, outputs: 2 }), /update_rule/);
});

// ---------------------------------------------------------------- FlexAttention

function tensor(type: 'float32' | 'float64', dims: number[], data: number[]): Tensor {
  return { type, dims, data: type === 'float32' ? Float32Array.from(data) : Float64Array.from(data) };
}

/** Reference: softmax(mod(scale·QKᵀ))·V per (b, h) with GQA head mapping, in doubles. */
function flexRef(
  q: number[], k: number[], v: number[], B: number, Hq: number, Hkv: number, L: number, S: number, E: number, Ev: number,
  scoreFn: (s: number, b: number, h: number, i: number, j: number) => number, probFn: (p: number) => number, scale: number,
): number[] {
  const y: number[] = [];
  for (let b = 0; b < B; b++) for (let h = 0; h < Hq; h++) {
    const kv = Math.floor(h / (Hq / Hkv));
    for (let i = 0; i < L; i++) {
      const row: number[] = [];
      for (let j = 0; j < S; j++) {
        let dot = 0;
        for (let e = 0; e < E; e++) dot += q[((b * Hq + h) * L + i) * E + e] * k[((b * Hkv + kv) * S + j) * E + e];
        row.push(scoreFn(dot * scale, b, h, i, j));
      }
      const mx = Math.max(...row);
      const ex = row.map((s) => Math.exp(s - mx));
      const sum = ex.reduce((a, c) => a + c, 0);
      const p = ex.map((e) => probFn(e / sum));
      for (let m = 0; m < Ev; m++) y.push(p.reduce((acc, pj, j) => acc + pj * v[((b * Hkv + kv) * S + j) * Ev + m], 0));
    }
  }
  return y;
}

test('FlexAttention kernel runs score_mod, mask_mod and prob_mod callbacks on [B, H, L, S] tensors', () => {
  const B = 1, Hq = 4, Hkv = 2, L = 3, S = 4, E = 2, Ev = 3;
  const q = rand(B * Hq * L * E, 31), k = rand(B * Hkv * S * E, 32), v = rand(B * Hkv * S * Ev, 33);
  const seen: string[] = [];
  // score_mod: + 0.1·(i − j) (relative position); mask_mod: causal; prob_mod: × 2
  const scoreMod: RegionFn = ([t]) => {
    const x = t as Tensor;
    seen.push(`score ${x.type} [${x.dims.join(',')}]`);
    const out = Float64Array.from(x.data as Float64Array);
    for (let o = 0; o < out.length; o++) { const j = o % S, i = Math.floor(o / S) % L; out[o] += 0.1 * (i - j); }
    return [{ type: 'float64', dims: x.dims.slice(), data: out }];
  };
  const maskMod: RegionFn = ([t]) => {
    const x = t as Tensor;
    seen.push('mask');
    const out = Float32Array.from(x.data as Float32Array);
    for (let o = 0; o < out.length; o++) { const j = o % S, i = Math.floor(o / S) % L; if (j > i) out[o] = -Infinity; }
    return [{ type: 'float32', dims: x.dims.slice(), data: out }];
  };
  const probMod: RegionFn = ([t]) => {
    const x = t as Tensor;
    seen.push('prob');
    return [{ type: x.type, dims: x.dims.slice(), data: Float64Array.from(x.data as Float64Array, (p) => 2 * p) }];
  };
  const attrs: FlexAttentionAttrs = { scale: 0.7, softmaxPrecision: null, scoreMod: 0, maskMod: 1, probMod: 2 };
  const [y] = flexAttention(new NodeCtx('flex'), [tensor('float64', [B, Hq, L, E], q), tensor('float64', [B, Hkv, S, E], k), tensor('float64', [B, Hkv, S, Ev], v)],
    attrs, [scoreMod, maskMod, probMod]);
  assert.deepEqual(seen, ['score float64 [1,4,3,4]', 'mask', 'prob']);
  assert.deepEqual(y.dims, [B, Hq, L, Ev]);
  const expected = flexRef(q, k, v, B, Hq, Hkv, L, S, E, Ev, (s, _b, _h, i, j) => (j > i ? -Infinity : s + 0.1 * (i - j)), (p) => 2 * p, 0.7);
  assertClose(y.data as Float64Array, expected, 1e-6, 1e-6); // mask_mod's float32 result rounds the scores
});

test('FlexAttention kernel maps region indices (prob_mod alone is region 0) and checks the result shape', () => {
  const q = rand(8, 41), k = rand(8, 42), v = rand(8, 43);
  const ins = [tensor('float32', [1, 1, 4, 2], q), tensor('float32', [1, 1, 4, 2], k), tensor('float32', [1, 1, 4, 2], v)];
  const half: RegionFn = ([t]) => [{ type: 'float32', dims: (t as Tensor).dims.slice(), data: Float32Array.from((t as Tensor).data as Float32Array, (p) => p / 2) }];
  const [y] = flexAttention(new NodeCtx('flex'), ins, { scale: null, softmaxPrecision: null, scoreMod: -1, maskMod: -1, probMod: 0 }, [half]);
  assertClose(y.data as Float32Array, flexRef(q, k, v, 1, 1, 1, 4, 4, 2, 2, (s) => s, (p) => p / 2, 1 / Math.sqrt(2)), 1e-5, 1e-6);
  const wrong: RegionFn = () => [{ type: 'float32', dims: [1, 1, 4], data: new Float32Array(4) }];
  assert.throws(() => flexAttention(new NodeCtx('flex'), ins, { scale: null, softmaxPrecision: null, scoreMod: 0, maskMod: -1, probMod: -1 }, [wrong]), /keep the shape/);
});

test('FlexAttention through the compiler: GQA with Q/K float32 and V float64, explicit scale', async () => {
  const B = 2, Hq = 6, Hkv = 3, L = 2, S = 5, E = 3, Ev = 4;
  const q = rand(B * Hq * L * E, 51), k = rand(B * Hkv * S * E, 52), v = rand(B * Hkv * S * Ev, 53);
  const [y] = await runOp('FlexAttention', [f32([B, Hq, L, E], q), f32([B, Hkv, S, E], k), f64([B, Hkv, S, Ev], v)], { scale: 0.4 },
    { opset: 1, domain: 'ai.onnx.preview' });
  assert.equal(y.type, 'float64');
  assert.deepEqual(y.dims, [B, Hq, L, Ev]);
  const qf = q.map(Math.fround), kf = k.map(Math.fround);
  assertClose(y.data, flexRef(qf, kf, v, B, Hq, Hkv, L, S, E, Ev, (s) => s, (p) => p, Math.fround(0.4)), 1e-5, 1e-6);
  await assert.rejects(runOp('FlexAttention', [f32([1, 3, 1, 2], [1, 2, 3, 4, 5, 6]), f32([1, 2, 1, 2], [1, 2, 3, 4]), f32([1, 2, 1, 2], [1, 2, 3, 4])], {},
    { opset: 1, domain: 'ai.onnx.preview' }), /multiple/);
});

// ---------------------------------------------------------------- training optimizers

test('Adam with T = 0 skips bias correction; norm_coefficient_post scales the result; defaults apply', async () => {
  const x = [1, -2], g = [0.5, 0.25], v = [0.1, -0.1], h = [0.2, 0.3];
  const run = (t: number, attrs: Record<string, number>) =>
    runOp('Adam', [f64([], [0.1]), i64([], [t]), f64([2], x), f64([2], g), f64([2], v), f64([2], h)], attrs, { opset: 1, domain: TRAINING, outputs: 3 });
  const ref = (t: number, alpha: number, beta: number, eps: number, norm: number, post: number): number[][] => {
    const gr = x.map((xi, i) => norm * xi + g[i]);
    const vn = gr.map((gi, i) => alpha * v[i] + (1 - alpha) * gi);
    const hn = gr.map((gi, i) => beta * h[i] + (1 - beta) * gi * gi);
    const r = t > 0 ? (0.1 * Math.sqrt(1 - beta ** t)) / (1 - alpha ** t) : 0.1;
    return [x.map((xi, i) => (1 - post) * (xi - (r * vn[i]) / (Math.sqrt(hn[i]) + eps))), vn, hn];
  };
  const a = await run(0, { alpha: 0.8, beta: 0.7, epsilon: 1e-3, norm_coefficient: 0.01, norm_coefficient_post: 0.1 });
  ref(0, ...([0.8, 0.7, 1e-3, 0.01, 0.1].map(Math.fround) as [number, number, number, number, number])).forEach((e, i) => assertClose(a[i].data, e, 1e-6, 1e-9));
  const d = await run(3, {});
  ref(3, Math.fround(0.9), Math.fround(0.999), Math.fround(1e-6), 0, 0).forEach((e, i) => assertClose(d[i].data, e, 1e-12, 1e-15));
});

test('Momentum uses beta = 1 at T = 0 and the Nesterov update', async () => {
  const x = [1, 2], g = [0.3, -0.6], v = [0.5, 0.5];
  const run = (t: number, mode: string) =>
    runOp('Momentum', [f32([], [0.2]), i64([], [t]), f32([2], x), f32([2], g), f32([2], v)], { alpha: 0.9, beta: 0.4, mode, norm_coefficient: 0.1 },
      { opset: 1, domain: TRAINING, outputs: 2 });
  const [al, be, nc, r] = [0.9, 0.4, 0.1, 0.2].map(Math.fround); // float attributes and R are float32
  const gr = x.map((xi, i) => nc * xi + g[i]);
  const [x0, v0] = await run(0, 'standard');
  const v0e = gr.map((gi, i) => al * v[i] + 1 * gi);
  assertClose(v0.data, v0e, 1e-6, 1e-7);
  assertClose(x0.data, x.map((xi, i) => xi - r * v0e[i]), 1e-6, 1e-7);
  const [x1, v1] = await run(5, 'nesterov');
  const v1e = gr.map((gi, i) => al * v[i] + be * gi);
  assertClose(v1.data, v1e, 1e-6, 1e-7);
  assertClose(x1.data, x.map((xi, i) => xi - r * (gr[i] + al * v1e[i])), 1e-6, 1e-7);
  await assert.rejects(runOp('Momentum', [f32([], [0.2]), i64([], [1]), f32([2], x), f32([2], g), f32([2], v)], { alpha: 0.9, beta: 0.4, norm_coefficient: { float: 0 } },
    { opset: 1, domain: TRAINING, outputs: 2 }), /mode/);
});

test('Adagrad in float64 with default attributes, and input lists of unequal length are rejected', async () => {
  const [xn, hn] = await runOp('Adagrad', [f64([], [0.5]), i64([], [4]), f64([3], [1, 2, 3]), f64([3], [0.1, 0.2, -0.3]), f64([3], [0, 1, 2])], {},
    { opset: 1, domain: TRAINING, outputs: 2 });
  const g = [0.1, 0.2, -0.3], h = [0, 1, 2].map((hi, i) => hi + g[i] * g[i]);
  assertClose(hn.data, h, 1e-14, 1e-15);
  assertClose(xn.data, [1, 2, 3].map((xi, i) => xi - (0.5 * g[i]) / (Math.sqrt(h[i]) + Math.fround(1e-6))), 1e-14, 1e-15);
  await assert.rejects(runOp('Adagrad', [f64([], [0.5]), i64([], [4]), f64([1], [1]), f64([1], [1]), f64([1], [1]), f64([1], [1])], {},
    { opset: 1, domain: TRAINING, outputs: 2 }), /lists of equal length/);
});
