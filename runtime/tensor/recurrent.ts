// Recurrent kernels: RNN, GRU and LSTM (ONNX semantics, every opset).
//
// Shared structure: per direction, the input projection X·Wᵀ (+ biases) of every
// time step is one matrix product up front; the recurrence then runs step by step,
// one Ht-1·Rᵀ product for the whole batch per step, and the elementwise gate math
// row by row, skipping rows past their `sequence_lens` length.
// The state is float64 (JS numbers); only the outputs are stored in the tensor's
// element type (float16 outputs are rounded by the caller). For float32/float16
// tensors the products (input projection, Ht-1·Rᵀ) are written to float32 buffers:
// float32 accumulation is what onnxruntime does, and it lets gemm() run the large
// batched products on the WebAssembly SIMD kernels; float64 tensors keep float64
// products throughout.
//
// Sequence lengths follow the ONNX reference: a row of length L computes steps
// 0..L-1 (reverse direction: L-1 down to 0), Y is zero at steps ≥ L, and Y_h/Y_c
// hold the state after the row's last computed step (the initial state when L = 0).

import { gemvWasm } from '../wasm/gemv-wasm.js';
import { finalRow, hRow, memory, prepareGru, prepareLstm, run as runCells, type SequencePlan } from '../wasm/recurrent-steps.js';
import { wasmKernels } from '../wasm/kernels.js';
import { isConstantData } from './constant-data.js';
import { NO_EPILOGUE } from '../wasm/epilogue.js';
import { gemm, gemmColumnEpilogue, gemvDots } from './gemm.js';
import { TANH_P, TANH_Q, TANH_RANGE } from './tanh-coefficients.js';
import { fail, type NodeCtx, type Tensor } from './tensor.js';

type Inputs = readonly (Tensor | undefined)[];
type FloatArray = Float32Array | Float64Array;

/** Activation functions the recurrent ops accept (lower-case ONNX names). */
export type RecurrentActivation =
  | 'relu' | 'tanh' | 'sigmoid' | 'affine' | 'leakyrelu' | 'thresholdedrelu'
  | 'scaledtanh' | 'hardsigmoid' | 'elu' | 'softsign' | 'softplus';

export interface ActivationSpec {
  readonly fn: RecurrentActivation;
  readonly alpha: number;
  readonly beta: number;
}

export interface RecurrentAttrs {
  /** From the attribute, or 0 to take it from R's shape. */
  readonly hiddenSize: number;
  readonly directions: 1 | 2;
  /** direction = "reverse" (only meaningful with one direction). */
  readonly reverse: boolean;
  /** 0: [seq, batch, ...] tensors; 1 (opset 14+): batch first. */
  readonly layout: 0 | 1;
  /** Bound on the gates' pre-activations (inputs of f and g); Infinity when the attribute is absent. */
  readonly clip: number;
  /** The functions of direction 0, then those of direction 1 (f; f, g; or f, g, h). */
  readonly activations: readonly ActivationSpec[];
  /** Number of outputs the node declares (Y, Y_h[, Y_c]). */
  readonly outputs: number;
}

export interface GruAttrs extends RecurrentAttrs {
  readonly linearBeforeReset: boolean;
}

export interface LstmAttrs extends RecurrentAttrs {
  readonly inputForget: boolean;
}

// ------------------------------------------------------------ activations

/**
 * Clips x[off, off+n) to [-clip, clip] (a no-op for clip = Infinity) and applies `spec`
 * in place; `f32` selects the float32-accurate tanh and sigmoid (see tanhF32).
 */
function activate(x: FloatArray, off: number, n: number, spec: ActivationSpec, clip: number, f32: boolean): void {
  const end = off + n;
  if (clip !== Infinity) {
    for (let i = off; i < end; i++) { const v = x[i]; x[i] = v > clip ? clip : v < -clip ? -clip : v; }
  }
  const a = spec.alpha, b = spec.beta;
  switch (spec.fn) {
    case 'tanh':
      if (f32) for (let i = off; i < end; i++) x[i] = tanhF32(x[i]);
      else for (let i = off; i < end; i++) x[i] = Math.tanh(x[i]);
      break;
    case 'sigmoid':
      if (f32) for (let i = off; i < end; i++) x[i] = sigmoidF32(x[i]);
      else for (let i = off; i < end; i++) x[i] = sigmoid(x[i]);
      break;
    case 'relu': for (let i = off; i < end; i++) { const v = x[i]; x[i] = v > 0 ? v : 0; } break;
    case 'affine': for (let i = off; i < end; i++) x[i] = a * x[i] + b; break;
    case 'leakyrelu': for (let i = off; i < end; i++) { const v = x[i]; x[i] = v >= 0 ? v : a * v; } break;
    case 'thresholdedrelu': for (let i = off; i < end; i++) { const v = x[i]; x[i] = v > a ? v : 0; } break;
    case 'scaledtanh': for (let i = off; i < end; i++) x[i] = a * Math.tanh(b * x[i]); break;
    case 'hardsigmoid': for (let i = off; i < end; i++) x[i] = Math.max(0, Math.min(1, a * x[i] + b)); break;
    case 'elu': for (let i = off; i < end; i++) { const v = x[i]; x[i] = v >= 0 ? v : a * Math.expm1(v); } break;
    case 'softsign': for (let i = off; i < end; i++) { const v = x[i]; x[i] = v / (1 + Math.abs(v)); } break;
    case 'softplus': for (let i = off; i < end; i++) x[i] = softplus(x[i]); break;
  }
}

/**
 * 1 / (1 + exp(-v)). The branch-free form is exact enough everywhere: for large
 * negative v, exp(-v) overflows to Infinity and the quotient is the correct 0.
 */
function sigmoid(v: number): number {
  return 1 / (1 + Math.exp(-v));
}

// Float32-accurate tanh and sigmoid for float32/float16 tensors: the gate
// nonlinearities dominate small recurrent nets once the products are fast, and
// Math.tanh/Math.exp cost 10-30 ns each. tanhF32 is the rational minimax
// approximation onnxruntime (MLAS) and Eigen use for float tanh, p(x)/q(x) with odd p
// of degree 13 and even q of degree 6, evaluated here in float64: on |x| < 7.905 its
// error is below 2.6e-8 absolute and 1.3e-7 relative (under one float32 ulp near 1,
// ~2 ulp near 0; test/ops/recurrent.test.ts checks both against Math.tanh). Outside
// that range, and for NaN, the exact function is used.
// The coefficients are tanh-coefficients.ts's, shared with recurrent.wat.
const [TA1, TA3, TA5, TA7, TA9, TA11, TA13] = TANH_P;
const [TB0, TB2, TB4, TB6] = TANH_Q;

/** tanh(v) to float32 accuracy (see above). */
export function tanhF32(v: number): number {
  if (!(v > -TANH_RANGE && v < TANH_RANGE)) return Math.tanh(v);
  const x2 = v * v;
  const p = v * (TA1 + x2 * (TA3 + x2 * (TA5 + x2 * (TA7 + x2 * (TA9 + x2 * (TA11 + x2 * TA13))))));
  return p / (TB0 + x2 * (TB2 + x2 * (TB4 + x2 * TB6)));
}

/**
 * sigmoid(v) = (1 + tanh(v / 2)) / 2 to float32 accuracy. The absolute error of
 * tanhF32 (≤ 1.3e-8 here) is only small relative to the result while the result is
 * not small: below v = -3 (sigmoid < 0.047) and for large v the exact form is used.
 */
export function sigmoidF32(v: number): number {
  if (!(v > -3 && v < 2 * TANH_RANGE)) return 1 / (1 + Math.exp(-v));
  const h = 0.5 * v, x2 = h * h;
  const p = h * (TA1 + x2 * (TA3 + x2 * (TA5 + x2 * (TA7 + x2 * (TA9 + x2 * (TA11 + x2 * TA13))))));
  return 0.5 + 0.5 * (p / (TB0 + x2 * (TB2 + x2 * (TB4 + x2 * TB6))));
}

/** log(1 + exp(v)) without overflow for large v. */
function softplus(v: number): number {
  return v > 0 ? v + Math.log1p(Math.exp(-v)) : Math.log1p(Math.exp(v));
}

// ------------------------------------------------------- shared plumbing

/** Sizes and operands of one recurrent node call, checked against each other. */
interface Geometry {
  readonly seq: number;
  readonly batch: number;
  readonly inputSize: number;
  readonly hidden: number;
  readonly dirs: number;
  readonly layout: 0 | 1;
  readonly x: FloatArray;
  readonly w: FloatArray;
  readonly r: FloatArray;
  /** [dirs, 2 * gates * hidden] or undefined. */
  readonly bias: FloatArray | undefined;
  /** Per batch row, in [0, seq]. */
  readonly lens: Int32Array;
}

function dimsText(t: Tensor): string {
  return `[${t.dims.join(',')}]`;
}

/** Validates X, W, R, B and sequence_lens against each other for an op with `gates` gates. */
function geometry(op: string, inputs: Inputs, attrs: RecurrentAttrs, gates: number): Geometry {
  const x = inputs[0] as Tensor, w = inputs[1] as Tensor, r = inputs[2] as Tensor;
  if (x.dims.length !== 3) fail(`${op} input X must have rank 3, got shape ${dimsText(x)}`);
  const [d0, d1, inputSize] = x.dims;
  const seq = attrs.layout === 0 ? d0 : d1;
  const batch = attrs.layout === 0 ? d1 : d0;
  if (r.dims.length !== 3) fail(`${op} input R must have rank 3, got shape ${dimsText(r)}`);
  const hidden = r.dims[2];
  if (attrs.hiddenSize !== 0 && attrs.hiddenSize !== hidden) {
    fail(`${op} hidden_size is ${attrs.hiddenSize} but R has shape ${dimsText(r)}`);
  }
  const dirs = attrs.directions, gh = gates * hidden;
  if (w.dims.length !== 3 || w.dims[0] !== dirs || w.dims[1] !== gh || w.dims[2] !== inputSize) {
    fail(`${op} input W must have shape [${dirs},${gh},${inputSize}], got ${dimsText(w)}`);
  }
  if (r.dims[0] !== dirs || r.dims[1] !== gh) fail(`${op} input R must have shape [${dirs},${gh},${hidden}], got ${dimsText(r)}`);
  const b = inputs[3];
  if (b !== undefined && (b.dims.length !== 2 || b.dims[0] !== dirs || b.dims[1] !== 2 * gh)) {
    fail(`${op} input B must have shape [${dirs},${2 * gh}], got ${dimsText(b)}`);
  }
  return {
    seq, batch, inputSize, hidden, dirs, layout: attrs.layout,
    x: x.data as FloatArray, w: w.data as FloatArray, r: r.data as FloatArray,
    bias: b?.data as FloatArray | undefined,
    lens: sequenceLengths(op, inputs[4], seq, batch),
  };
}

function sequenceLengths(op: string, t: Tensor | undefined, seq: number, batch: number): Int32Array {
  const lens = new Int32Array(batch).fill(seq);
  if (t === undefined) return lens;
  if (t.data.length !== batch) fail(`${op} sequence_lens must have ${batch} elements, got shape ${dimsText(t)}`);
  for (let b = 0; b < batch; b++) {
    const v = Number(t.data[b]);
    if (!(v >= 0 && v <= seq)) fail(`${op} sequence_lens[${b}] = ${v} is outside [0, ${seq}]`);
    lens[b] = v;
  }
  return lens;
}

/** Checks a state input (initial_h, initial_c) against [dirs, batch, hidden] in the node's layout. */
function checkState(op: string, name: string, t: Tensor | undefined, g: Geometry): FloatArray | undefined {
  if (t === undefined) return undefined;
  const want = stateDims(g);
  if (t.dims.length !== 3 || t.dims.some((d, i) => d !== want[i])) fail(`${op} ${name} must have shape [${want.join(',')}], got ${dimsText(t)}`);
  return t.data as FloatArray;
}

function stateDims(g: Geometry): number[] {
  return g.layout === 0 ? [g.dirs, g.batch, g.hidden] : [g.batch, g.dirs, g.hidden];
}

function outputDims(g: Geometry): number[] {
  return g.layout === 0 ? [g.seq, g.dirs, g.batch, g.hidden] : [g.batch, g.seq, g.dirs, g.hidden];
}

/** Offset of state row (dir, batch row) in a [dirs, batch, hidden] / [batch, dirs, hidden] tensor. */
function stateOffset(g: Geometry, d: number, b: number): number {
  return (g.layout === 0 ? d * g.batch + b : b * g.dirs + d) * g.hidden;
}

/** Offset of Y[t, d, b, :] in the node's layout. */
function yOffset(g: Geometry, t: number, d: number, b: number): number {
  return (g.layout === 0 ? (t * g.dirs + d) * g.batch + b : (b * g.seq + t) * g.dirs + d) * g.hidden;
}

/** The row of X (and of the input projection) holding step t of batch row b. */
function xRow(g: Geometry, t: number, b: number): number {
  return g.layout === 0 ? t * g.batch + b : b * g.seq + t;
}

/**
 * xw[xRow(t, b), j] = X[t, b, :] · W[d, j, :] + bias[j] for every step and row: the
 * part of each gate that does not depend on the recurrence, as one matrix product.
 * `bias` (length gh) is whatever the caller folds in (usually Wb + Rb).
 */
function projectInput(g: Geometry, d: number, gh: number, bias: Float64Array, xw: FloatArray): void {
  const rows = g.seq * g.batch, n = g.inputSize;
  // On the SIMD SGEMM the kernel adds the bias in its tiles (no pass over xw here).
  if (xw instanceof Float32Array && gemmColumnEpilogue(rows, gh, n, g.x, 0, n, 1, g.w, d * gh * n, 1, n, xw, 0, gh, 1, bias, NO_EPILOGUE)) return;
  if (rows * gh * n < SMALL_PRODUCT) {
    for (let r = 0; r < rows; r++) dotRows(xw, r * gh, g.x, r * n, n, g.w, d * gh * n, gh);
  } else {
    // W[d] is [gh, n] row-major, read transposed: element (p, j) at j * n + p.
    gemm(rows, gh, n, g.x, 0, n, 1, g.w, d * gh * n, 1, n, xw, 0, gh);
  }
  for (let r = 0; r < rows; r++) {
    const o = r * gh;
    for (let j = 0; j < gh; j++) xw[o + j] += bias[j];
  }
}

/**
 * Products below this many multiply-adds run in the kernel's own loops instead of
 * gemm(): at batch 1 the per-step products are vector × matrix, where gemm's general
 * dispatch (shared by every op, so its loops see every array type) costs more than
 * the arithmetic. Larger products go to gemm(), which hands float32 ones to the
 * WebAssembly SIMD kernels.
 */
const SMALL_PRODUCT = 16384;

/** out[oOff + j] = Σ_p v[vOff + p] · m[mOff + j·len + p] for j < rows (see gemvDots). */
function dotRows(out: FloatArray, oOff: number, v: FloatArray, vOff: number, len: number, m: FloatArray, mOff: number, rows: number): void {
  gemvDots(rows, len, v, vOff, m, mOff, len, out, oOff, 1, 1, false);
}

/**
 * Whether the per-step products of `gh` gate rows go to gemm() (and need R
 * transposed): big enough, and with a few batch rows (one row is a vector product,
 * which gemm() runs in JavaScript anyway; the SIMD kernel works on 4-row panels).
 */
function batchedSteps(g: Geometry, gh: number): boolean {
  return g.batch >= 4 && g.batch * gh * g.hidden >= SMALL_PRODUCT;
}

/**
 * out[b * ld + outOff + j] = h[b, :] · R[d, rowStart + j, :] for every batch row and
 * j < cols: the recurrent part of `cols` gate rows for the whole batch at once.
 * With batchedSteps, `rt` is R[d] transposed ([hidden, gh], see transposeRecurrence):
 * its rows are contiguous along the gates, which gemm()'s B operand copies fastest.
 */
function recurrentProduct(
  g: Geometry, d: number, gh: number, rt: FloatArray, rowStart: number, cols: number,
  h: Float64Array, out: FloatArray, outOff: number, ld: number,
): void {
  const n = g.hidden;
  if (!batchedSteps(g, gh)) {
    const rOff = (d * gh + rowStart) * n;
    if (residentProduct(g, cols, n) && out instanceof Float32Array) {
      // R[d] rows as gemm()'s B operand: B[p, j] = R[rOff + j·n + p].
      const kernels = wasmKernels();
      let b = 0;
      if (kernels !== null) for (; b < g.batch; b++) if (!gemvWasm(kernels, cols, n, h, b * n, 1, g.r as Float32Array, rOff, 1, n, out, b * ld + outOff, 1, 1, false)) break;
      for (; b < g.batch; b++) dotRows(out, b * ld + outOff, h, b * n, n, g.r, rOff, cols);
      return;
    }
    for (let b = 0; b < g.batch; b++) dotRows(out, b * ld + outOff, h, b * n, n, g.r, rOff, cols);
    return;
  }
  gemm(g.batch, cols, n, h, 0, n, 1, rt, rowStart, gh, 1, out, outOff, ld);
}

/**
 * Whether a step's vector products go to the WebAssembly GEMV: float32, a constant R
 * (packed once, resident in the kernels' memory) and products big enough to pay for
 * copying h in and the gates out.
 */
function residentProduct(g: Geometry, cols: number, n: number): boolean {
  return g.r instanceof Float32Array && cols * n >= RESIDENT_MIN_WORK && isConstantData(g.r);
}

/** See residentProduct: below this many multiply-adds per row the JavaScript loop is faster. */
const RESIDENT_MIN_WORK = 1024;

/** rt[p·gh + j] = R[d, j, p]: direction d's recurrence weights transposed, once per call. */
function transposeRecurrence(g: Geometry, d: number, gh: number, rt: FloatArray): void {
  if (!batchedSteps(g, gh)) return;
  const n = g.hidden, r = g.r, off = d * gh * n;
  for (let j = 0; j < gh; j++) {
    const s = off + j * n;
    for (let p = 0; p < n; p++) rt[p * gh + j] = r[s + p];
  }
}

/** Wb[d] + Rb[d] per gate row (zeros without B); Rb rows from `skipRecurrentFrom` on are left out. */
function foldedBias(ctx: NodeCtx, g: Geometry, d: number, gh: number, skipRecurrentFrom = gh): Float64Array {
  const out = work(ctx, 'bias', gh);
  const b = g.bias;
  if (b === undefined) return out.fill(0);
  const o = d * 2 * gh;
  for (let j = 0; j < gh; j++) out[j] = b[o + j] + (j < skipRecurrentFrom ? b[o + gh + j] : 0);
  return out;
}

/** Loads the initial state of direction d into `state` ([batch, hidden]); zeros when absent. */
function loadState(g: Geometry, d: number, init: FloatArray | undefined, state: Float64Array): void {
  if (init === undefined) { state.fill(0); return; }
  const n = g.hidden;
  for (let b = 0; b < g.batch; b++) {
    const src = stateOffset(g, d, b);
    for (let k = 0; k < n; k++) state[b * n + k] = init[src + k];
  }
}

/** Writes `state` ([batch, hidden]) as direction d of a state output. */
function storeState(g: Geometry, d: number, state: Float64Array, out: FloatArray): void {
  const n = g.hidden;
  for (let b = 0; b < g.batch; b++) {
    const dst = stateOffset(g, d, b);
    for (let k = 0; k < n; k++) out[dst + k] = state[b * n + k];
  }
}

/** Which direction-d pass runs backwards in time. */
function isBackward(attrs: RecurrentAttrs, d: number): boolean {
  return attrs.directions === 2 ? d === 1 : attrs.reverse;
}

interface Outputs {
  readonly y: FloatArray | undefined;
  readonly yh: FloatArray | undefined;
  readonly yc: FloatArray | undefined;
}

function allocOutputs(ctx: NodeCtx, type: Tensor['type'], g: Geometry, count: number): Outputs {
  const y = count > 0 ? (ctx.alloc(0, type, outputDims(g)).data as FloatArray) : undefined;
  const yh = count > 1 ? (ctx.alloc(1, type, stateDims(g)).data as FloatArray) : undefined;
  const yc = count > 2 ? (ctx.alloc(2, type, stateDims(g)).data as FloatArray) : undefined;
  return { y, yh, yc };
}

/** An exact-length float64 work buffer kept between calls (contents unspecified). */
function work(ctx: NodeCtx, key: string, n: number): Float64Array {
  const buf = ctx.scratch(key, 'float64', n) as Float64Array;
  return buf.length === n ? buf : buf.subarray(0, n); // static shapes: the buffer itself, no view per call
}

/** A work buffer for products: float32 when the tensors are (see the header), else float64. */
function productWork(ctx: NodeCtx, key: string, n: number, type: Tensor['type']): FloatArray {
  if (type === 'float64') return work(ctx, key, n);
  const buf = ctx.scratch(key, 'float32', n) as Float32Array;
  return buf.length === n ? buf : buf.subarray(0, n);
}

/**
 * The time loop shared by the three ops: runs `step(t)` for every step in the
 * direction's order, then copies the h rows of the rows still inside their sequence
 * (t < length) into Y; Y is zero beyond each row's length. `step` must update the
 * state of exactly those rows (the others keep theirs).
 */
function runDirection(g: Geometry, d: number, backward: boolean, h: Float64Array, y: FloatArray | undefined, step: (t: number) => void): void {
  const n = g.hidden;
  for (let s = 0; s < g.seq; s++) {
    const t = backward ? g.seq - 1 - s : s;
    step(t);
    if (y === undefined) continue;
    for (let b = 0; b < g.batch; b++) {
      const o = yOffset(g, t, d, b), ho = b * n;
      if (t < g.lens[b]) for (let k = 0; k < n; k++) y[o + k] = h[ho + k];
      else y.fill(0, o, o + n);
    }
  }
}

/**
 * Direction d on the WebAssembly time loops (runtime/wasm/recurrent-steps.ts): runs
 * every batch row's steps, then copies the staged h rows into Y (zero beyond each
 * row's length) and each row's final h into `h` (and, LSTM, c into `c`).
 */
function runSequences(
  g: Geometry, d: number, backward: boolean, p: SequencePlan, xw: Float32Array,
  h: Float64Array, c: Float64Array | null, rbh: Float64Array | null, y: FloatArray | undefined,
): void {
  runCells(p, xw, g.lens, backward, h, c, rbh);
  const mem = memory(p), n = g.hidden;
  // One row, one direction, n a multiple of 4: the staged rows are Y's rows, one copy.
  const whole = y instanceof Float32Array && g.batch === 1 && g.dirs === 1 && p.kp === n;
  if (whole) {
    const len = g.lens[0], from = hRow(p, 0, 0);
    y.set(mem.subarray(from, from + len * n));
    y.fill(0, len * n, g.seq * n);
  }
  for (let b = 0; b < g.batch; b++) {
    const len = g.lens[b];
    if (y !== undefined && !whole) {
      for (let t = 0; t < g.seq; t++) {
        const o = yOffset(g, t, d, b);
        if (t >= len) { y.fill(0, o, o + n); continue; }
        const src = hRow(p, b, t);
        for (let k = 0; k < n; k++) y[o + k] = mem[src + k];
      }
    }
    const src = finalRow(p, b, len, backward);
    for (let k = 0; k < n; k++) h[b * n + k] = mem[src + k];
  }
}

// --------------------------------------------------------------------- RNN

/** RNN: Ht = f(Xt·Wᵀ + Ht-1·Rᵀ + Wb + Rb). Inputs X, W, R, B, sequence_lens, initial_h. */
export function rnn(ctx: NodeCtx, inputs: Inputs, attrs: RecurrentAttrs): Tensor[] {
  const g = geometry('RNN', inputs, attrs, 1);
  const init = checkState('RNN', 'initial_h', inputs[5], g);
  const out = allocOutputs(ctx, (inputs[0] as Tensor).type, g, attrs.outputs);
  const n = g.hidden;
  const type = (inputs[0] as Tensor).type, f32 = type !== 'float64';
  const xw = productWork(ctx, 'xw', g.seq * g.batch * n, type);
  const h = work(ctx, 'h', g.batch * n);
  const pre = productWork(ctx, 'pre', g.batch * n, type);
  const rt = productWork(ctx, 'rt', n * n, type);
  for (let d = 0; d < g.dirs; d++) {
    const f = attrs.activations[d];
    projectInput(g, d, n, foldedBias(ctx, g, d, n), xw);
    transposeRecurrence(g, d, n, rt);
    loadState(g, d, init, h);
    runDirection(g, d, isBackward(attrs, d), h, out.y, (t) => {
      recurrentProduct(g, d, n, rt, 0, n, h, pre, 0, n);
      for (let b = 0; b < g.batch; b++) {
        if (t >= g.lens[b]) continue;
        const o = b * n, xo = xRow(g, t, b) * n;
        for (let k = 0; k < n; k++) pre[o + k] += xw[xo + k];
        activate(pre, o, n, f, attrs.clip, f32);
        for (let k = 0; k < n; k++) h[o + k] = pre[o + k];
      }
    });
    if (out.yh !== undefined) storeState(g, d, h, out.yh);
  }
  return ctx.done(attrs.outputs);
}

// --------------------------------------------------------------------- GRU

/**
 * GRU, gates ordered z, r, h in W, R and B:
 *   zt = f(Xt·Wzᵀ + Ht-1·Rzᵀ + Wbz + Rbz), rt likewise,
 *   ht = g(Xt·Whᵀ + (rt ⊙ Ht-1)·Rhᵀ + Rbh + Wbh)        (linear_before_reset = 0)
 *   ht = g(Xt·Whᵀ + rt ⊙ (Ht-1·Rhᵀ + Rbh) + Wbh)        (linear_before_reset = 1)
 *   Ht = (1 - zt) ⊙ ht + zt ⊙ Ht-1
 */
export function gru(ctx: NodeCtx, inputs: Inputs, attrs: GruAttrs): Tensor[] {
  const g = geometry('GRU', inputs, attrs, 3);
  const init = checkState('GRU', 'initial_h', inputs[5], g);
  const out = allocOutputs(ctx, (inputs[0] as Tensor).type, g, attrs.outputs);
  const n = g.hidden, gh = 3 * n, lbr = attrs.linearBeforeReset;
  const type = (inputs[0] as Tensor).type, f32 = type !== 'float64';
  const xw = productWork(ctx, 'xw', g.seq * g.batch * gh, type);
  const h = work(ctx, 'h', g.batch * n);
  const gates = productWork(ctx, 'gates', g.batch * gh, type); // per row: z, r, then the candidate ht
  const rt = productWork(ctx, 'rt', n * gh, type);
  const rh = work(ctx, 'rh', g.batch * n); // rt ⊙ Ht-1 (linear_before_reset = 0)
  const zt = work(ctx, 'zt', g.batch * n); // zt kept in float64 across the second product (fused path)
  const rbh = work(ctx, 'rbh', n); // Rbh, kept out of the projection when linear_before_reset = 1
  for (let d = 0; d < g.dirs; d++) {
    const f = attrs.activations[2 * d], gAct = attrs.activations[2 * d + 1];
    projectInput(g, d, gh, foldedBias(ctx, g, d, gh, lbr ? 2 * n : gh), xw);
    transposeRecurrence(g, d, gh, rt);
    if (lbr && g.bias !== undefined) for (let k = 0; k < n; k++) rbh[k] = g.bias[d * 2 * gh + gh + 2 * n + k];
    else rbh.fill(0);
    loadState(g, d, init, h);
    // The usual configuration (sigmoid, tanh; no clip) runs fused: one loop per row
    // (two around the second product when linear_before_reset = 0).
    const standard = f.fn === 'sigmoid' && gAct.fn === 'tanh' && attrs.clip === Infinity;
    const sig = f32 ? sigmoidF32 : sigmoid, tanh = f32 ? tanhF32 : Math.tanh;
    const cells = standard && xw instanceof Float32Array && residentProduct(g, gh, n) && !batchedSteps(g, gh)
      ? prepareGru(g.r as Float32Array, d * gh * n, n, g.batch, g.seq, g.layout, lbr) : null;
    if (cells !== null) {
      runSequences(g, d, isBackward(attrs, d), cells, xw as Float32Array, h, null, lbr ? rbh : null, out.y);
      if (out.yh !== undefined) storeState(g, d, h, out.yh);
      continue;
    }
    runDirection(g, d, isBackward(attrs, d), h, out.y, (t) => {
      // z and r for the whole batch (and Ht-1·Rhᵀ when it does not wait for rt).
      recurrentProduct(g, d, gh, rt, 0, lbr ? gh : 2 * n, h, gates, 0, gh);
      for (let b = 0; b < g.batch; b++) {
        if (t >= g.lens[b]) continue;
        const go = b * gh, xo = xRow(g, t, b) * gh, ho = b * n;
        if (standard) {
          for (let k = 0; k < n; k++) {
            const z = sig(gates[go + k] + xw[xo + k]), r = sig(gates[go + n + k] + xw[xo + n + k]);
            if (lbr) {
              const ht = tanh(xw[xo + 2 * n + k] + r * (gates[go + 2 * n + k] + rbh[k]));
              h[ho + k] = (1 - z) * ht + z * h[ho + k];
            } else {
              zt[ho + k] = z;
              rh[ho + k] = r * h[ho + k];
            }
          }
          continue;
        }
        for (let j = 0; j < 2 * n; j++) gates[go + j] += xw[xo + j];
        activate(gates, go, 2 * n, f, attrs.clip, f32);
        if (lbr) {
          for (let k = 0; k < n; k++) gates[go + 2 * n + k] = xw[xo + 2 * n + k] + gates[go + n + k] * (gates[go + 2 * n + k] + rbh[k]);
        } else {
          for (let k = 0; k < n; k++) rh[ho + k] = gates[go + n + k] * h[ho + k];
        }
      }
      if (standard && lbr) return;
      // Rows past their length leave stale values in rh; their products are ignored.
      if (!lbr) recurrentProduct(g, d, gh, rt, 2 * n, n, rh, gates, 2 * n, gh);
      for (let b = 0; b < g.batch; b++) {
        if (t >= g.lens[b]) continue;
        const go = b * gh, xo = xRow(g, t, b) * gh, ho = b * n;
        if (standard) {
          for (let k = 0; k < n; k++) {
            const z = zt[ho + k], ht = tanh(gates[go + 2 * n + k] + xw[xo + 2 * n + k]);
            h[ho + k] = (1 - z) * ht + z * h[ho + k];
          }
          continue;
        }
        if (!lbr) for (let k = 0; k < n; k++) gates[go + 2 * n + k] += xw[xo + 2 * n + k];
        activate(gates, go + 2 * n, n, gAct, attrs.clip, f32);
        for (let k = 0; k < n; k++) { const z = gates[go + k]; h[ho + k] = (1 - z) * gates[go + 2 * n + k] + z * h[ho + k]; }
      }
    });
    if (out.yh !== undefined) storeState(g, d, h, out.yh);
  }
  return ctx.done(attrs.outputs);
}

// -------------------------------------------------------------------- LSTM

/**
 * LSTM, gates ordered i, o, f, c in W, R and B; peepholes P ordered i, o, f:
 *   it = f(Xt·Wiᵀ + Ht-1·Riᵀ + Pi ⊙ Ct-1 + Wbi + Rbi)
 *   ft = f(Xt·Wfᵀ + Ht-1·Rfᵀ + Pf ⊙ Ct-1 + Wbf + Rbf)   (1 - it when input_forget = 1)
 *   ct = g(Xt·Wcᵀ + Ht-1·Rcᵀ + Wbc + Rbc)
 *   Ct = ft ⊙ Ct-1 + it ⊙ ct
 *   ot = f(Xt·Woᵀ + Ht-1·Roᵀ + Po ⊙ Ct + Wbo + Rbo)
 *   Ht = ot ⊙ h(Ct)
 * `clip` bounds the gate pre-activations (inputs of f and g); as in onnxruntime, neither the
 * cell state nor the input of h is clipped.
 */
export function lstm(ctx: NodeCtx, inputs: Inputs, attrs: LstmAttrs): Tensor[] {
  const g = geometry('LSTM', inputs, attrs, 4);
  const initH = checkState('LSTM', 'initial_h', inputs[5], g);
  const initC = checkState('LSTM', 'initial_c', inputs[6], g);
  const peep = peepholes(inputs[7], g);
  const out = allocOutputs(ctx, (inputs[0] as Tensor).type, g, attrs.outputs);
  const n = g.hidden, gh = 4 * n;
  const type = (inputs[0] as Tensor).type, f32 = type !== 'float64';
  const xw = productWork(ctx, 'xw', g.seq * g.batch * gh, type);
  const h = work(ctx, 'h', g.batch * n);
  const c = work(ctx, 'c', g.batch * n);
  const gates = productWork(ctx, 'gates', g.batch * gh, type); // per row: i, o, f, c pre-activations
  const rt = productWork(ctx, 'rt', n * gh, type);
  const hc = work(ctx, 'hc', n); // h(Ct) of one row
  const pi = work(ctx, 'pi', n), po = work(ctx, 'po', n), pf = work(ctx, 'pf', n);
  for (let d = 0; d < g.dirs; d++) {
    const fAct = attrs.activations[3 * d], gAct = attrs.activations[3 * d + 1], hAct = attrs.activations[3 * d + 2];
    if (peep !== undefined) {
      const o = d * 3 * n;
      for (let k = 0; k < n; k++) { pi[k] = peep[o + k]; po[k] = peep[o + n + k]; pf[k] = peep[o + 2 * n + k]; }
    } else {
      pi.fill(0); po.fill(0); pf.fill(0);
    }
    projectInput(g, d, gh, foldedBias(ctx, g, d, gh), xw);
    transposeRecurrence(g, d, gh, rt);
    loadState(g, d, initH, h);
    loadState(g, d, initC, c);
    // The usual configuration (sigmoid, tanh, tanh; no clip, peepholes or coupled
    // input/forget gates) runs as one fused loop per row with no intermediate stores.
    const standard = fAct.fn === 'sigmoid' && gAct.fn === 'tanh' && hAct.fn === 'tanh'
      && attrs.clip === Infinity && peep === undefined && !attrs.inputForget;
    const sig = f32 ? sigmoidF32 : sigmoid, tanh = f32 ? tanhF32 : Math.tanh;
    const cells = standard && xw instanceof Float32Array && residentProduct(g, gh, n) && !batchedSteps(g, gh)
      ? prepareLstm(g.r as Float32Array, d * gh * n, n, g.batch, g.seq, g.layout) : null;
    if (cells !== null) runSequences(g, d, isBackward(attrs, d), cells, xw as Float32Array, h, c, null, out.y);
    else runDirection(g, d, isBackward(attrs, d), h, out.y, (t) => {
      recurrentProduct(g, d, gh, rt, 0, gh, h, gates, 0, gh);
      for (let b = 0; b < g.batch; b++) {
        if (t >= g.lens[b]) continue;
        const go = b * gh, xo = xRow(g, t, b) * gh, ho = b * n;
        const io = go, oo = go + n, fo = go + 2 * n, co = go + 3 * n;
        if (standard) {
          for (let k = 0; k < n; k++) {
            const it = sig(gates[io + k] + xw[xo + k]), ot = sig(gates[oo + k] + xw[xo + n + k]);
            const ft = sig(gates[fo + k] + xw[xo + 2 * n + k]), ct = tanh(gates[co + k] + xw[xo + 3 * n + k]);
            const cNew = ft * c[ho + k] + it * ct;
            c[ho + k] = cNew;
            h[ho + k] = ot * tanh(cNew);
          }
          continue;
        }
        for (let j = 0; j < gh; j++) gates[go + j] += xw[xo + j];
        for (let k = 0; k < n; k++) gates[io + k] += pi[k] * c[ho + k];
        activate(gates, io, n, fAct, attrs.clip, f32);
        if (attrs.inputForget) {
          for (let k = 0; k < n; k++) gates[fo + k] = 1 - gates[io + k];
        } else {
          for (let k = 0; k < n; k++) gates[fo + k] += pf[k] * c[ho + k];
          activate(gates, fo, n, fAct, attrs.clip, f32);
        }
        activate(gates, co, n, gAct, attrs.clip, f32);
        for (let k = 0; k < n; k++) c[ho + k] = gates[fo + k] * c[ho + k] + gates[io + k] * gates[co + k];
        for (let k = 0; k < n; k++) gates[oo + k] += po[k] * c[ho + k];
        activate(gates, oo, n, fAct, attrs.clip, f32);
        for (let k = 0; k < n; k++) hc[k] = c[ho + k];
        activate(hc, 0, n, hAct, Infinity, f32);
        for (let k = 0; k < n; k++) h[ho + k] = gates[oo + k] * hc[k];
      }
    });
    if (out.yh !== undefined) storeState(g, d, h, out.yh);
    if (out.yc !== undefined) storeState(g, d, c, out.yc);
  }
  return ctx.done(attrs.outputs);
}

function peepholes(t: Tensor | undefined, g: Geometry): FloatArray | undefined {
  if (t === undefined) return undefined;
  if (t.dims.length !== 2 || t.dims[0] !== g.dirs || t.dims[1] !== 3 * g.hidden) {
    fail(`LSTM input P must have shape [${g.dirs},${3 * g.hidden}], got ${dimsText(t)}`);
  }
  return t.data as FloatArray;
}
