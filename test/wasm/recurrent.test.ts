// The LSTM/GRU time loops of recurrent.wat (runtime/wasm/recurrent-steps.ts): the
// WebAssembly backend against the JavaScript one (whose equations test/ops/
// recurrent.test.ts checks against a float64 reference), over odd hidden sizes,
// sequence_lens (including 0), every direction, both layouts and both GRU variants,
// with the kernels' scratch memory poisoned with NaN first (the loops must not read
// a float they did not write: padding lanes feed the next step's product).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeBase64 } from '../../runtime/io/base64.js';
import { markConstant } from '../../runtime/tensor/constant-data.js';
import { gru, lstm, type ActivationSpec, type GruAttrs, type LstmAttrs } from '../../runtime/tensor/recurrent.js';
import { NodeCtx, type Tensor } from '../../runtime/tensor/tensor.js';
import { kernelsReady, setKernelBackend, wasmKernels } from '../../runtime/wasm/kernels.js';
import type { RecurrentKernels } from '../../runtime/wasm/recurrent-kernels.js';
import { RECURRENT_WASM_BASE64 } from '../../runtime/wasm/recurrent-wasm.js';

const wasmApi = (globalThis as unknown as { WebAssembly: { validate(bytes: Uint8Array): boolean } }).WebAssembly;

interface Case {
  op: 'LSTM' | 'GRU';
  seq: number; batch: number; input: number; hidden: number;
  dirs: 1 | 2; reverse?: boolean; layout?: 0 | 1; lbr?: boolean;
  lens?: number[]; initial?: boolean; seed: number;
}

/** Deterministic values in [-scale, scale). */
function values(n: number, seed: number, scale = 1): Float32Array {
  let s = seed >>> 0;
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = ((s / 2 ** 32) * 2 - 1) * scale;
  }
  return out;
}

const SIGMOID: ActivationSpec = { fn: 'sigmoid', alpha: 0, beta: 0 };
const TANH: ActivationSpec = { fn: 'tanh', alpha: 0, beta: 0 };

function inputs(c: Case): (Tensor | undefined)[] {
  const gates = c.op === 'LSTM' ? 4 : 3, gh = gates * c.hidden, layout = c.layout ?? 0;
  const f32 = (dims: number[], data: Float32Array): Tensor => ({ type: 'float32', dims, data });
  const w = values(c.dirs * gh * c.input, c.seed + 1, 0.5), r = values(c.dirs * gh * c.hidden, c.seed + 2, 0.5);
  const b = values(c.dirs * 2 * gh, c.seed + 3, 0.5);
  for (const t of [w, r, b]) markConstant(t); // as the module marks initializers: R goes resident
  const xDims = layout === 0 ? [c.seq, c.batch, c.input] : [c.batch, c.seq, c.input];
  const sDims = layout === 0 ? [c.dirs, c.batch, c.hidden] : [c.batch, c.dirs, c.hidden];
  const lens = c.lens === undefined ? undefined : { type: 'int32' as const, dims: [c.batch], data: Int32Array.from(c.lens) };
  const h0 = c.initial ? f32(sDims, values(c.dirs * c.batch * c.hidden, c.seed + 4)) : undefined;
  const c0 = c.initial && c.op === 'LSTM' ? f32(sDims, values(c.dirs * c.batch * c.hidden, c.seed + 5)) : undefined;
  const list = [
    f32(xDims, values(c.seq * c.batch * c.input, c.seed)), f32([c.dirs, gh, c.input], w), f32([c.dirs, gh, c.hidden], r),
    f32([c.dirs, 2 * gh], b), lens, h0,
  ];
  if (c.op === 'LSTM') list.push(c0);
  return list;
}

function attrs(c: Case): LstmAttrs & GruAttrs {
  const acts = c.op === 'LSTM' ? [SIGMOID, TANH, TANH] : [SIGMOID, TANH];
  return {
    hiddenSize: c.hidden, directions: c.dirs, reverse: c.reverse ?? false, layout: c.layout ?? 0, clip: Infinity,
    activations: c.dirs === 2 ? [...acts, ...acts] : acts, outputs: c.op === 'LSTM' ? 3 : 2,
    linearBeforeReset: c.lbr ?? false, inputForget: false,
  };
}

/** Runs the case on `backend`; with WebAssembly, counts the time-loop calls and poisons the scratch first. */
function runOn(backend: 'js' | 'wasm-simd', c: Case): { outs: Float32Array[]; loops: number } {
  const previous = setKernelBackend(backend);
  let loops = 0;
  const k = wasmKernels();
  const rk = k?.recurrent as (RecurrentKernels & Record<string, unknown>) | null | undefined;
  const saved = rk ? { lstm: rk.lstm, gru0: rk.gru0, gru1: rk.gru1 } : null;
  try {
    if (k !== null && rk && saved) {
      for (const name of ['lstm', 'gru0', 'gru1'] as const) {
        const fn = saved[name] as (...a: number[]) => void;
        rk[name] = ((...a: number[]) => { loops++; fn(...a); }) as never;
      }
      const mem = k.scratch(1 << 16);
      mem?.fill(NaN, 0, 1 << 16);
    }
    const ctx = new NodeCtx(c.op, true);
    const ins = inputs(c);
    const outs = c.op === 'LSTM' ? lstm(ctx, ins, attrs(c)) : gru(ctx, ins, attrs(c));
    return { outs: outs.map((t) => t.data as Float32Array), loops };
  } finally {
    if (rk && saved) Object.assign(rk, saved);
    setKernelBackend(previous);
  }
}

/**
 * The WebAssembly loop keeps the state in float32, the JavaScript one in float64 (both
 * with float32 products), so the two drift apart by float32 roundings per step: about
 * 1e-7 per step on these values of magnitude ≤ 1, checked with 4× headroom.
 */
function assertNear(got: Float32Array, want: Float32Array, seq: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  const atol = 4e-7 * seq;
  for (let i = 0; i < got.length; i++) {
    const g = got[i], w = want[i];
    assert.ok(Math.abs(g - w) <= atol + 1e-5 * Math.abs(w), `${what}[${i}]: WebAssembly ${g}, JavaScript ${w}`);
  }
}

function check(c: Case): void {
  const js = runOn('js', c), wasm = runOn('wasm-simd', c);
  assert.equal(js.loops, 0);
  // One call per batch row and direction that has steps.
  const active = (c.lens ?? new Array<number>(c.batch).fill(c.seq)).filter((l) => l > 0).length;
  assert.equal(wasm.loops, active * c.dirs, `${JSON.stringify(c)}: the WebAssembly time loop ran`);
  wasm.outs.forEach((o, i) => assertNear(o, js.outs[i], c.seq, `${c.op} h${c.hidden} output ${i}`));
}

test('recurrent.wat is valid and under the 4 KB browsers compile synchronously', async () => {
  await kernelsReady;
  const bytes = decodeBase64(RECURRENT_WASM_BASE64);
  assert.ok(bytes.length <= 4096, `${bytes.length} bytes`);
  assert.ok(wasmApi.validate(bytes));
  assert.ok(wasmKernels()?.recurrent, 'the time loops load beside the kernels');
});

test('LSTM time loop: odd hidden sizes, every direction, sequence_lens with zeros, both layouts', async () => {
  await kernelsReady;
  for (const hidden of [16, 17, 21, 30]) {
    check({ op: 'LSTM', seq: 5, batch: 1, input: 7, hidden, dirs: 1, seed: hidden });
    check({ op: 'LSTM', seq: 6, batch: 3, input: 5, hidden, dirs: 1, reverse: true, lens: [6, 0, 3], initial: true, seed: hidden + 1 });
    check({ op: 'LSTM', seq: 4, batch: 2, input: 9, hidden, dirs: 2, lens: [2, 4], initial: true, seed: hidden + 2 });
    check({ op: 'LSTM', seq: 4, batch: 3, input: 6, hidden, dirs: 2, layout: 1, lens: [1, 4, 0], initial: true, seed: hidden + 3 });
  }
});

test('GRU time loop, linear_before_reset 0 and 1: odd hidden sizes, every direction, sequence_lens, both layouts', async () => {
  await kernelsReady;
  for (const lbr of [false, true]) {
    for (const hidden of [19, 20, 23]) {
      check({ op: 'GRU', seq: 5, batch: 1, input: 7, hidden, dirs: 1, lbr, seed: hidden });
      check({ op: 'GRU', seq: 6, batch: 3, input: 5, hidden, dirs: 1, reverse: true, lens: [6, 0, 3], initial: true, lbr, seed: hidden + 1 });
      check({ op: 'GRU', seq: 4, batch: 2, input: 9, hidden, dirs: 2, lens: [2, 4], initial: true, lbr, seed: hidden + 2 });
      check({ op: 'GRU', seq: 4, batch: 3, input: 6, hidden, dirs: 2, layout: 1, lens: [1, 4, 0], initial: true, lbr, seed: hidden + 3 });
    }
  }
});

test('the time loop at the bench size (hidden 128, 32 steps) agrees with the JavaScript kernels', async () => {
  await kernelsReady;
  check({ op: 'LSTM', seq: 32, batch: 1, input: 64, hidden: 128, dirs: 1, seed: 5 });
  check({ op: 'GRU', seq: 32, batch: 1, input: 64, hidden: 128, dirs: 1, lbr: true, seed: 6 });
});
