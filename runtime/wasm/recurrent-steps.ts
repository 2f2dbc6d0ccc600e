// One time step of one batch row of a float32 LSTM or GRU layer, on the
// WebAssembly kernels: the recurrent product on `gemv` with R resident in the
// kernels' memory (packed once), then the gate arithmetic on the recurrent.wat
// cells. The JavaScript side only copies h (and c) in and out and the row's input
// projection in: about 6n floats per step, against 4n² multiply-adds.
//
// Memory per step (floats, scratch): h at 0 (Kp = n rounded up to 4, zero padded:
// gemv's x), then the gate products, the input projection row, and the cell's other
// operands. The cells write h in place at 0 (its padding lanes hold values nobody
// reads; the next step copies h in again with zero padding).
//
// `prepare*` reserves everything a direction's steps need and packs R; when it
// returns null (no WebAssembly, no companion module, memory refused) the caller
// runs its JavaScript loops instead, so a step itself cannot fail half-way.

import { packForGemv } from './gemv-wasm.js';
import { wasmKernels, type WasmKernels } from './kernels.js';
import type { RecurrentKernels } from './recurrent-kernels.js';
import { residentOperand } from './resident.js';

/** A direction's prepared layout: where R's packed blocks and each operand live. */
export interface CellPlan {
  readonly k: WasmKernels;
  readonly rk: RecurrentKernels;
  readonly n: number;
  /** n rounded up to 4: the length of h as gemv's x (zero padded). */
  readonly kp: number;
  /** Resident R blocks (relative float offsets) and their gemv row counts (multiples of 8). */
  readonly r0: number; readonly np0: number;
  readonly r1: number; readonly np1: number;
  /** Scratch float offsets. */
  readonly g0: number; readonly g1: number; readonly x: number; readonly aux: number; readonly aux2: number;
  readonly floats: number;
}

const rows8 = (n: number): number => Math.ceil(n / 8) * 8;
const ceil4 = (n: number): number => (n + 3) & ~3;

/**
 * Plans the steps of one direction: `blocks` gate-row ranges of R (rows of n floats
 * from float offset rOff, in gemv's B convention B[p, j] = R[rOff + j·n + p]),
 * `xLen` floats of input projection per row, and two auxiliary vectors of Kp floats.
 */
function plan(R: Float32Array, rOff: number, n: number, blocks: readonly number[], xLen: number): CellPlan | null {
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
  const g0 = kp, g1 = g0 + np0, x = g1 + np1, aux = x + xLen + 4, aux2 = aux + kp, floats = aux2 + kp;
  if (k.scratch(floats) === null) return null;
  return { k, rk, n, kp, r0, np0, r1, np1, g0, g1, x, aux, aux2, floats };
}

/** LSTM (gates i, o, f, c; R[d] at rOff): null when the WebAssembly path is unavailable. */
export function prepareLstm(R: Float32Array, rOff: number, n: number): CellPlan | null {
  return plan(R, rOff, n, [4 * n], 4 * n);
}

/**
 * GRU (gates z, r, h). With linear_before_reset one product covers all three gates;
 * without, z and r come first and h's rows wait for r ⊙ h.
 */
export function prepareGru(R: Float32Array, rOff: number, n: number, linearBeforeReset: boolean): CellPlan | null {
  return linearBeforeReset ? plan(R, rOff, n, [3 * n], 3 * n) : plan(R, rOff, n, [2 * n, n], 3 * n);
}

/** Copies h (and the projection row) in; returns the memory view. */
function stageRow(p: CellPlan, h: Float64Array, ho: number, xw: Float32Array, xo: number, xLen: number): Float32Array {
  const mem = p.k.scratch(p.floats) as Float32Array; // reserved by plan(): cannot fail
  mem.set(h.subarray(ho, ho + p.n), 0);
  if (p.kp !== p.n) mem.fill(0, p.n, p.kp);
  mem.set(xw.subarray(xo, xo + xLen), p.x);
  return mem;
}

/** h·Rᵀ for the gate rows of block 0 (or 1) into g0 (g1), from x at `from`. */
function product(p: CellPlan, second: boolean, from: number): void {
  const base = p.k.residentBase();
  p.k.gemv(second ? p.np1 : p.np0, p.kp, (base + (second ? p.r1 : p.r0)) * 4, from * 4, (second ? p.g1 : p.g0) * 4, 0, 0, 1, 0, -Infinity, Infinity);
}

/** One LSTM step of one row: c and h (rows at ho) updated in place; xw row at xo (4n floats, biases folded in). */
export function lstmStep(p: CellPlan, xw: Float32Array, xo: number, c: Float64Array, h: Float64Array, ho: number): void {
  const n = p.n;
  const mem = stageRow(p, h, ho, xw, xo, 4 * n);
  mem.set(c.subarray(ho, ho + n), p.aux);
  product(p, false, 0);
  p.rk.lstmCell(n, p.g0 * 4, p.x * 4, p.aux * 4, 0);
  h.set(mem.subarray(0, n), ho);
  c.set(mem.subarray(p.aux, p.aux + n), ho);
}

/**
 * One GRU step of one row: h (row at ho) updated in place; xw row at xo (3n floats:
 * Wb + Rb folded in, except Rbh with linear_before_reset, which is `rbh`).
 */
export function gruStep(p: CellPlan, linearBeforeReset: boolean, xw: Float32Array, xo: number, rbh: Float64Array, h: Float64Array, ho: number): void {
  const n = p.n;
  const mem = stageRow(p, h, ho, xw, xo, 3 * n);
  if (linearBeforeReset) {
    mem.set(rbh.subarray(0, n), p.aux);
    product(p, false, 0);
    p.rk.gruCell(n, p.g0 * 4, p.x * 4, p.aux * 4, 0);
  } else {
    product(p, false, 0);
    p.rk.gruGates(n, p.g0 * 4, p.x * 4, 0, p.aux * 4, p.aux2 * 4); // z into aux, r ⊙ h into aux2
    if (p.kp !== n) mem.fill(0, p.aux2 + n, p.aux2 + p.kp);
    product(p, true, p.aux2);
    p.rk.gruUpdate(n, p.g1 * 4, (p.x + 2 * n) * 4, p.aux * 4, 0);
  }
  h.set(mem.subarray(0, n), ho);
}
