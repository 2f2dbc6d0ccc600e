// The time steps of one direction of a float32 LSTM or GRU layer on the
// WebAssembly kernels: per step and batch row, the recurrent product on `gemv` with
// R resident in the kernels' memory (packed once), then the gate arithmetic on the
// nonlinear.wat cells, which write the new state where the next step's `gemv`
// reads it.
//
// The direction's working set lives in the scratch area from `begin` to `end`
// (nothing else runs on the kernels in between): every batch row's h (Kp = n
// rounded up to 4 floats, zero padded: gemv's x) and c, the cells' auxiliary
// vectors, the gate products, and all input projections (copied in once). A step
// only copies its row's new h out, for Y.
//
// `prepare*` reserves everything and packs R; when it returns null (no WebAssembly,
// no companion module, memory refused) the caller runs its JavaScript loops
// instead, so a step itself cannot fail half-way.

import { packForGemv } from './gemv-wasm.js';
import { wasmKernels, type WasmKernels } from './kernels.js';
import type { NonlinearKernels } from './nonlinear-kernels.js';
import { residentOperand } from './resident.js';

/** A direction's prepared layout: where R's packed blocks and each operand live. */
export interface CellPlan {
  readonly k: WasmKernels;
  readonly rk: NonlinearKernels;
  readonly n: number;
  /** n rounded up to 4: the length of h as gemv's x (zero padded). */
  readonly kp: number;
  readonly batch: number;
  /** Input projection floats per (step, row). */
  readonly xLen: number;
  /** Resident R blocks (relative float offsets) and their gemv row counts (multiples of 8). */
  readonly r0: number; readonly np0: number;
  readonly r1: number; readonly np1: number;
  /** Scratch float offsets: h rows, c rows, two auxiliary vectors, gate products, projections. */
  readonly h: number; readonly c: number; readonly aux: number; readonly aux2: number;
  readonly g0: number; readonly g1: number; readonly x: number;
  readonly floats: number;
}

const rows8 = (n: number): number => Math.ceil(n / 8) * 8;
const ceil4 = (n: number): number => (n + 3) & ~3;

/**
 * Plans one direction: `blocks` gate-row ranges of R (rows of n floats from float
 * offset rOff, in gemv's B convention B[p, j] = R[rOff + j·n + p]) and `xLen` floats of
 * input projection for each of `rows` (step, batch row) pairs.
 */
function plan(R: Float32Array, rOff: number, n: number, batch: number, rows: number, blocks: readonly number[], xLen: number): CellPlan | null {
  const k = wasmKernels();
  const rk = k?.nonlinear;
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
  const h = 0, c = h + batch * kp, aux = c + batch * kp, aux2 = aux + kp, g0 = aux2 + kp, g1 = g0 + np0, x = g1 + np1;
  // The cells read up to 3 floats past a row's last gate: padding after the projections.
  const floats = x + rows * xLen + 4;
  if (k.scratch(floats) === null) return null;
  return { k, rk, n, kp, batch, xLen, r0, np0, r1, np1, h, c, aux, aux2, g0, g1, x, floats };
}

/** LSTM (gates i, o, f, c; R[d] at rOff) over `rows` projection rows: null when the WebAssembly path is unavailable. */
export function prepareLstm(R: Float32Array, rOff: number, n: number, batch: number, rows: number): CellPlan | null {
  return plan(R, rOff, n, batch, rows, [4 * n], 4 * n);
}

/**
 * GRU (gates z, r, h). With linear_before_reset one product covers all three gates;
 * without, z and r come first and h's rows wait for r ⊙ h.
 */
export function prepareGru(R: Float32Array, rOff: number, n: number, batch: number, rows: number, linearBeforeReset: boolean): CellPlan | null {
  return linearBeforeReset
    ? plan(R, rOff, n, batch, rows, [3 * n], 3 * n)
    : plan(R, rOff, n, batch, rows, [2 * n, n], 3 * n);
}

/**
 * Copies the direction's starting state in: the projections `xw` (rows × xLen floats,
 * biases folded in), every row's h and (LSTM) c, and `aux` (GRU with
 * linear_before_reset: Rbh) when given.
 */
export function begin(p: CellPlan, xw: Float32Array, h: Float64Array, c: Float64Array | null, aux: Float64Array | null): void {
  const mem = p.k.scratch(p.floats) as Float32Array; // reserved by plan(): cannot fail
  mem.set(xw, p.x);
  const { n, kp } = p;
  for (let b = 0; b < p.batch; b++) {
    const hb = p.h + b * kp, cb = p.c + b * kp;
    for (let i = 0; i < n; i++) mem[hb + i] = h[b * n + i];
    for (let i = n; i < kp; i++) mem[hb + i] = 0;
    if (c !== null) for (let i = 0; i < n; i++) mem[cb + i] = c[b * n + i];
  }
  if (aux !== null) for (let i = 0; i < n; i++) mem[p.aux + i] = aux[i];
}

/** Copies the final c rows out (LSTM); h is copied out by every step. */
export function end(p: CellPlan, c: Float64Array): void {
  const mem = p.k.scratch(p.floats) as Float32Array;
  for (let b = 0; b < p.batch; b++) copyOut(mem, p.c + b * p.kp, c, b * p.n, p.n);
}

/** dst[d + i] = mem[s + i] for i < n (float32 state to the float64 copy). */
function copyOut(mem: Float32Array, s: number, dst: Float64Array, d: number, n: number): void {
  for (let i = 0; i < n; i++) dst[d + i] = mem[s + i];
}

/** Re-zeroes the padding lanes of h row `hb` (the cells write them: gemv's x must be zero there). */
function clearPadding(p: CellPlan, mem: Float32Array, hb: number): void {
  for (let i = hb + p.n; i < hb + p.kp; i++) mem[i] = 0;
}

/** Rows of R (block 0 or 1) times x at float `from`, into g0 (g1). */
function product(p: CellPlan, second: boolean, from: number): void {
  const base = p.k.residentBase();
  p.k.gemv(second ? p.np1 : p.np0, p.kp, (base + (second ? p.r1 : p.r0)) * 4, from * 4, (second ? p.g1 : p.g0) * 4, 0, 0, 1, 0, -Infinity, Infinity);
}

/** One LSTM step of batch row b with projection row `xr`: the row's state updated, h copied to `h`. */
export function lstmStep(p: CellPlan, b: number, xr: number, h: Float64Array): void {
  const hb = p.h + b * p.kp;
  product(p, false, hb);
  p.rk.lstmCell(p.n, p.g0 * 4, (p.x + xr * p.xLen) * 4, (p.c + b * p.kp) * 4, hb * 4);
  const mem = p.k.scratch(p.floats) as Float32Array;
  if (p.kp !== p.n) clearPadding(p, mem, hb);
  copyOut(mem, hb, h, b * p.n, p.n);
}

/** One GRU step of batch row b with projection row `xr` (Rbh staged by `begin` with linear_before_reset). */
export function gruStep(p: CellPlan, linearBeforeReset: boolean, b: number, xr: number, h: Float64Array): void {
  const n = p.n, hb = p.h + b * p.kp, x = p.x + xr * p.xLen;
  product(p, false, hb);
  if (linearBeforeReset) {
    p.rk.gruCell(n, p.g0 * 4, x * 4, p.aux * 4, hb * 4);
  } else {
    p.rk.gruGates(n, p.g0 * 4, x * 4, hb * 4, p.aux * 4, p.aux2 * 4); // z into aux, r ⊙ h into aux2
    if (p.kp !== n) clearPadding(p, p.k.scratch(p.floats) as Float32Array, p.aux2);
    product(p, true, p.aux2);
    p.rk.gruUpdate(n, p.g1 * 4, (x + 2 * n) * 4, p.aux * 4, hb * 4);
  }
  const mem = p.k.scratch(p.floats) as Float32Array;
  if (p.kp !== n) clearPadding(p, mem, hb);
  copyOut(mem, hb, h, b * n, n);
}
