// The time loop of one direction of a float32 LSTM or GRU layer on WebAssembly: R
// resident in the kernels' memory (packed once for the gemv layout), and per batch
// row one call into recurrent.wat that runs all of the row's steps (the recurrent
// product, the gate arithmetic and the state update), writing each step's h to its
// own row of a staging area from which the caller copies Y.
//
// The direction's working set lives in the scratch area (nothing else runs on the
// kernels in between): the gate products, the GRU's z, r ⊙ h and Rbh vectors, every
// batch row's c, the staged h rows and all input projections (copied in once).
// h rows are kp = n rounded up to 4 floats (zero padded: the product's x). Batch row
// b has seq + 2 of them: row t + 1 holds h after step t, and the initial state sits
// in row 0 (forward) or row L + 1 (reverse, L = the row's length), the row "before"
// the first step in the direction of travel.
//
// `prepare*` reserves everything and packs R; when it returns null (no WebAssembly,
// no companion module, memory refused) the caller runs its JavaScript loops
// instead, so `run` itself cannot fail half-way.

import { TANH_P, TANH_Q, TANH_RANGE } from '../tensor/tanh-coefficients.js';
import { packForGemv } from './gemv-wasm.js';
import { wasmKernels, type WasmKernels } from './kernels.js';
import type { RecurrentKernels } from './recurrent-kernels.js';
import { residentOperand } from './resident.js';

/** Which loop of recurrent.wat: LSTM, or GRU with linear_before_reset 1 or 0. */
export type CellKind = 'lstm' | 'gru1' | 'gru0';

/** A direction's prepared layout: where R's packed blocks and each operand live. */
export interface SequencePlan {
  readonly k: WasmKernels;
  readonly rk: RecurrentKernels;
  readonly kind: CellKind;
  readonly n: number;
  /** n rounded up to 4: the length of an h row (zero padded). */
  readonly kp: number;
  readonly batch: number;
  readonly seq: number;
  readonly layout: 0 | 1;
  /** Projection rows between consecutive steps of one batch row (layout 0: batch; 1: one). */
  readonly stepRows: number;
  /** Input projection floats per (step, row). */
  readonly xLen: number;
  /** Resident R blocks (relative float offsets) and their gemv row counts (multiples of 8). */
  readonly r0: number; readonly np0: number;
  readonly r1: number; readonly np1: number;
  /** Scratch float offsets: the constants, gate products, GRU vectors, c rows, staged h rows, projections. */
  readonly cst: number; readonly g0: number; readonly g1: number; readonly z: number; readonly rh: number; readonly rbh: number;
  readonly c: number; readonly hs: number; readonly x: number;
  readonly floats: number;
}

/**
 * recurrent.wat's constants, each repeated in four lanes at the byte offsets listed
 * there: tanh's clamp and rational coefficients (tanh-coefficients.ts, as tanhF32
 * uses), exp's clamp, range reduction and polynomial, 1, the rounding constant
 * 1.5·2²³, and two integer vectors.
 */
const CONSTANTS = ((): Float32Array => {
  const floats = [
    -TANH_RANGE, TANH_RANGE, ...TANH_P, ...TANH_Q,
    -87, 88, 1.44269504088896341, 0.693359375, -2.12194440e-4,
    5.0000001201e-1, 1.6666665459e-1, 4.1665795894e-2, 8.3334519073e-3, 1.3981999507e-3, 1.9875691500e-4,
    1, 12582912,
  ];
  const out = new Float32Array((floats.length + 2) * 4);
  floats.forEach((v, i) => out.fill(v, 4 * i, 4 * i + 4));
  const ints = new Int32Array(out.buffer);
  ints.fill(127 - 0x4b400000, 4 * floats.length, 4 * floats.length + 4); // 127 − bits(1.5·2²³)
  ints.set([0, 1, 2, 3], 4 * floats.length + 4); // lane indices, for the live-lane mask
  return out;
})();

const rows8 = (n: number): number => Math.ceil(n / 8) * 8;
const ceil4 = (n: number): number => (n + 3) & ~3;

/**
 * Plans one direction: `blocks` gate-row ranges of R (rows of n floats from float
 * offset rOff, in gemv's B convention B[p, j] = R[rOff + j·n + p]) and `xLen` floats of
 * input projection per (step, batch row), in the node's layout (0: step-major).
 */
function plan(
  kind: CellKind, R: Float32Array, rOff: number, n: number, batch: number, seq: number, layout: 0 | 1,
  blocks: readonly number[], xLen: number,
): SequencePlan | null {
  const k = wasmKernels();
  const rk = k?.recurrent;
  if (k === null || rk === undefined || rk === null) return null;
  const kp = ceil4(n);
  const np0 = rows8(blocks[0]), np1 = blocks.length > 1 ? rows8(blocks[1]) : 0;
  const r0 = residentOperand(k, R, rOff, 1, n, n, blocks[0], 'gemv', np0 * kp, packForGemv);
  if (r0 === null) return null;
  let r1 = 0;
  if (blocks.length > 1) {
    const rel = residentOperand(k, R, rOff + blocks[0] * n, 1, n, n, blocks[1], 'gemv', np1 * kp, packForGemv);
    if (rel === null) return null;
    r1 = rel;
  }
  const cst = 0, g0 = cst + CONSTANTS.length, g1 = g0 + np0, z = g1 + np1, rh = z + kp, rbh = rh + kp, c = rbh + kp, hs = c + batch * kp;
  const x = hs + batch * (seq + 2) * kp;
  // The cells read up to 3 floats past a row's last gate: padding after the projections.
  const floats = x + seq * batch * xLen + 4;
  if (k.scratch(floats) === null) return null;
  const stepRows = layout === 0 ? batch : 1;
  return { k, rk, kind, n, kp, batch, seq, layout, stepRows, xLen, r0, np0, r1, np1, cst, g0, g1, z, rh, rbh, c, hs, x, floats };
}

/** LSTM (gates i, o, f, c; R[d] at rOff): null when the WebAssembly path is unavailable. */
export function prepareLstm(R: Float32Array, rOff: number, n: number, batch: number, seq: number, layout: 0 | 1): SequencePlan | null {
  return plan('lstm', R, rOff, n, batch, seq, layout, [4 * n], 4 * n);
}

/**
 * GRU (gates z, r, h). With linear_before_reset one product covers all three gates;
 * without, z and r come first and h's rows wait for r ⊙ h.
 */
export function prepareGru(
  R: Float32Array, rOff: number, n: number, batch: number, seq: number, layout: 0 | 1, linearBeforeReset: boolean,
): SequencePlan | null {
  return linearBeforeReset
    ? plan('gru1', R, rOff, n, batch, seq, layout, [3 * n], 3 * n)
    : plan('gru0', R, rOff, n, batch, seq, layout, [2 * n, n], 3 * n);
}

/** Float offset (in `memory(p)`) of batch row b's h after step t (t = -1 or L: the initial state). */
export function hRow(p: SequencePlan, b: number, t: number): number {
  return p.hs + (b * (p.seq + 2) + t + 1) * p.kp;
}

/** Float offset of batch row b's h after its last step (length `len`). */
export function finalRow(p: SequencePlan, b: number, len: number, backward: boolean): number {
  return hRow(p, b, backward ? 0 : len - 1);
}

/** The kernels' memory, as the last `run` left it (valid until the next kernel call). */
export function memory(p: SequencePlan): Float32Array {
  return p.k.scratch(p.floats) as Float32Array; // reserved by plan(): cannot fail
}

/**
 * Runs the direction: projections `xw` (biases folded in), per batch row the initial
 * h (and, LSTM, c) rows of `h0`/`c0` ([batch, n]), `rbh` (GRU with
 * linear_before_reset: Rbh, n floats) and `lens[b]` steps, backwards in time when
 * `backward`. Afterwards the staged h rows are at hRow(); the final c rows are
 * copied back into `c0`.
 */
export function run(
  p: SequencePlan, xw: Float32Array, lens: Int32Array, backward: boolean,
  h0: Float64Array, c0: Float64Array | null, rbh: Float64Array | null,
): void {
  const mem = memory(p);
  const { n, kp } = p;
  mem.set(xw, p.x);
  mem.set(CONSTANTS, p.cst);
  if (rbh !== null) {
    for (let i = 0; i < n; i++) mem[p.rbh + i] = rbh[i];
    for (let i = n; i < kp; i++) mem[p.rbh + i] = 0;
  }
  const base = p.k.residentBase();
  const w0 = (base + p.r0) * 4, w1 = (base + p.r1) * 4;
  const k = p.cst * 4;
  const hStep = (backward ? -kp : kp) * 4, xStep = (backward ? -p.stepRows : p.stepRows) * p.xLen * 4;
  for (let b = 0; b < p.batch; b++) {
    const len = lens[b];
    const h = hRow(p, b, backward ? len : -1), cb = p.c + b * kp;
    for (let i = 0; i < n; i++) mem[h + i] = h0[b * n + i];
    for (let i = n; i < kp; i++) mem[h + i] = 0;
    if (len === 0) continue;
    // The projection row of the first step: t = 0, or L - 1 backwards.
    const t0 = backward ? len - 1 : 0;
    const x = (p.x + ((p.layout === 0 ? b : b * p.seq) + t0 * p.stepRows) * p.xLen) * 4;
    if (p.kind === 'lstm') {
      const c = c0 as Float64Array;
      for (let i = 0; i < n; i++) mem[cb + i] = c[b * n + i];
      for (let i = n; i < kp; i++) mem[cb + i] = 0;
      p.rk.lstm(n, kp, p.np0, len, w0, x, xStep, cb * 4, h * 4, hStep, p.g0 * 4, k);
      for (let i = 0; i < n; i++) c[b * n + i] = mem[cb + i];
    } else if (p.kind === 'gru1') {
      p.rk.gru1(n, kp, p.np0, len, w0, x, xStep, p.rbh * 4, h * 4, hStep, p.g0 * 4, k);
    } else {
      p.rk.gru0(n, kp, p.np0, p.np1, len, w0, w1, x, xStep, h * 4, hStep, p.g0 * 4, p.g1 * 4, p.z * 4, p.rh * 4, k);
    }
  }
}
