// Convolutions: Conv, ConvTranspose, ConvInteger (1-D, 2-D, 3-D and beyond).
//
// Conv lowers each (image, group) to one matrix product: im2col gathers the
// receptive fields into a [Cg·kernel, outPixels] matrix that the blocked GEMM in
// gemm.ts multiplies by the [Mg, Cg·kernel] filter matrix. The 2-D gather has a
// dedicated loop (contiguous runs when the stride is 1) and works on bands of
// output rows so the column buffer stays small. A 1×1, stride-1, unpadded
// convolution skips the gather entirely. ConvTranspose is the adjoint: GEMM with
// the transposed filter, then col2im scatter-adds into the output.
//
// Backends: when the WebAssembly SIMD kernels are loaded, float32 2-D convolutions
// gather im2col straight into the kernels' memory and run the SIMD SGEMM there
// (3×3 stride-1 layers instead use Winograd F(2×2, 3×3) with SIMD transforms,
// runtime/wasm/winograd-conv.ts, where its cost model says it pays; the JavaScript
// Winograd below serves only the JavaScript backend), and depthwise 3×3 convolutions with
// column stride 1 or 2 run on their own SIMD kernel (runtime/wasm/depthwise-wasm.ts).
// The JavaScript loops here are the fallback and cover every other case.
//
// FusedConv (built by src/passes/fuse-conv.ts, or an `mlcompile`-domain node) adds
// an epilogue, Y = act(conv(X, W) + B + Z): on the SIMD paths the kernels apply it
// to each tile (SGEMM) or vector (depthwise) before storing it, on the JavaScript
// paths it runs in one in-place pass per output plane (runtime/wasm/epilogue.ts).
// When the weights are a constant of the module, the SIMD path packs them once, at
// the first call, into a block resident in the kernels' memory (no copy per call).

import { depthwise3x3Wasm } from '../wasm/depthwise-wasm.js';
import { finishRow, isTrivialEpilogue, type Epilogue, type FusedActivation } from '../wasm/epilogue.js';
import { packAInto, packedAFloats, setPaddedRows, sgemmBegin, sgemmFinish } from '../wasm/gemm-wasm.js';
import { copyPaddedPlanes, paddedPlanesFloats } from '../wasm/padded-planes.js';
import { residentOperand } from '../wasm/resident.js';
import { winogradConvWasm } from '../wasm/winograd-conv.js';
import { wasmKernels, type WasmKernels } from '../wasm/kernels.js';
import { gemm, type FloatArray } from './gemm.js';
import { fail, sizeOf, type DType, type NodeCtx, type NumericArray, type Tensor } from './tensor.js';

export interface ConvAttrs {
  autoPad: 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';
  /** Empty arrays mean "default for the spatial rank" (resolved at run time). */
  dilations: number[];
  group: number;
  kernelShape: number[];
  pads: number[];
  strides: number[];
}

export interface FusedConvAttrs extends ConvAttrs {
  activation: FusedActivation;
  /** leakyRelu: [alpha]; clip: [min, max]; hardSigmoid: [alpha, beta]; otherwise empty. */
  activationParams: number[];
  /** W is a constant of the module (never changes between calls): its packed form may be cached. */
  constantWeights: boolean;
}

export interface ConvTransposeAttrs extends ConvAttrs {
  outputPadding: number[];
  outputShape: number[];
}

/** Resolved geometry of one convolution over nd spatial axes. */
interface Geometry {
  nd: number;
  inSp: number[];
  kSp: number[];
  outSp: number[];
  strides: number[];
  dil: number[];
  padBegin: number[];
}

/**
 * Work buffers shared by every convolution of a module: kernels run one at a time
 * and nothing in them survives a call, so one grow-only buffer per role bounds the
 * memory by the largest layer instead of the sum over layers.
 */
const workBuffers = new Map<string, FloatArray>();

function work(role: string, type: DType, n: number): FloatArray {
  const key = type === 'float64' ? role + ':64' : role + ':32';
  const prev = workBuffers.get(key);
  if (prev !== undefined && prev.length >= n) return prev;
  const buf = type === 'float64' ? new Float64Array(n) : new Float32Array(n);
  workBuffers.set(key, buf);
  return buf;
}

/** Upper bound on im2col buffer elements per band (float32: 16 MB). */
const COL_LIMIT = 1 << 22;

function orDefault(v: readonly number[], n: number, def: number): number[] {
  return v.length === 0 ? new Array<number>(n).fill(def) : v.slice();
}

function convGeometry(xDims: readonly number[], wDims: readonly number[], a: ConvAttrs): Geometry {
  const nd = xDims.length - 2;
  if (nd < 1) fail(`Conv input must have rank >= 3, got [${xDims.join(',')}]`);
  if (wDims.length !== xDims.length) fail(`Conv weight rank ${wDims.length} differs from input rank ${xDims.length}`);
  const inSp = xDims.slice(2);
  const kSp = wDims.slice(2);
  if (a.kernelShape.length > 0 && a.kernelShape.some((k, i) => k !== kSp[i])) fail(`kernel_shape [${a.kernelShape.join(',')}] differs from the weight's [${kSp.join(',')}]`);
  const strides = orDefault(a.strides, nd, 1);
  const dil = orDefault(a.dilations, nd, 1);
  const pads = orDefault(a.pads, 2 * nd, 0);
  if (strides.length !== nd || dil.length !== nd || pads.length !== 2 * nd) fail('Conv strides/dilations/pads do not match the spatial rank');
  const outSp: number[] = [], padBegin: number[] = [];
  for (let i = 0; i < nd; i++) {
    const ext = (kSp[i] - 1) * dil[i] + 1;
    if (a.autoPad === 'SAME_UPPER' || a.autoPad === 'SAME_LOWER') {
      const out = Math.ceil(inSp[i] / strides[i]);
      const total = Math.max(0, (out - 1) * strides[i] + ext - inSp[i]);
      const small = Math.floor(total / 2);
      padBegin.push(a.autoPad === 'SAME_UPPER' ? small : total - small);
      outSp.push(out);
    } else {
      const [pb, pe] = a.autoPad === 'VALID' ? [0, 0] : [pads[i], pads[i + nd]];
      padBegin.push(pb);
      outSp.push(Math.floor((inSp[i] + pb + pe - ext) / strides[i]) + 1);
    }
    if (outSp[i] < 0) fail(`Conv output would have a negative size on spatial axis ${i}`);
  }
  return { nd, inSp, kSp, outSp, strides, dil, padBegin };
}

// ---------------------------------------------------------------------------
// Conv

export function conv(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: ConvAttrs): Tensor[] {
  const x = inputs[0] as Tensor, w = inputs[1] as Tensor, bias = inputs[2];
  const g = convGeometry(x.dims, w.dims, attrs);
  const M = w.dims[0];
  const y = ctx.alloc(0, x.type, [x.dims[0], M, ...g.outSp]);
  const colType: DType = x.type === 'float64' ? 'float64' : 'float32';
  if (bias !== undefined && bias.data.length !== M) fail(`Conv bias must have ${M} elements, got ${bias.data.length}`);
  const ep: Epilogue | null = bias === undefined ? null
    : { bias: bias.data as FloatArray, residual: null, activation: 'none', alpha: 0, beta: 0 };
  convCore(x.data as FloatArray, x.dims, w.data as FloatArray, w.dims, attrs.group, g, y.data as FloatArray, colType, ep, false);
  return ctx.done(1);
}

/**
 * FusedConv: Y = act(Conv(X, W) + B + Z) in one pass over Y. Inputs X, W, optional B
 * (per output channel) and optional Z (the residual, shaped exactly like Y); the
 * activation and its parameters are attributes (as onnxruntime's com.microsoft FusedConv).
 */
export function fusedConv(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: FusedConvAttrs): Tensor[] {
  const x = inputs[0] as Tensor, w = inputs[1] as Tensor, bias = inputs[2], z = inputs[3];
  const g = convGeometry(x.dims, w.dims, attrs);
  const M = w.dims[0];
  const y = ctx.alloc(0, x.type, [x.dims[0], M, ...g.outSp]);
  if (bias !== undefined && bias.data.length !== M) fail(`Conv bias must have ${M} elements, got ${bias.data.length}`);
  if (z !== undefined && (z.type !== x.type || !sameShape(z.dims, y.dims))) {
    fail(`the residual input Z must be ${x.type}[${y.dims.join(',')}] like the output, got ${z.type}[${z.dims.join(',')}]`);
  }
  const params = attrs.activationParams;
  const ep: Epilogue = {
    bias: bias === undefined ? null : bias.data as FloatArray,
    residual: z === undefined ? null : z.data as FloatArray,
    activation: attrs.activation,
    alpha: params.length > 0 ? params[0] : 0,
    beta: params.length > 1 ? params[1] : 0,
  };
  const colType: DType = x.type === 'float64' ? 'float64' : 'float32';
  convCore(x.data as FloatArray, x.dims, w.data as FloatArray, w.dims, attrs.group, g, y.data as FloatArray, colType,
    isTrivialEpilogue(ep) ? null : ep, attrs.constantWeights);
  return ctx.done(1);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/**
 * The resident block (runtime/wasm/resident.ts) holding one group's constant filter
 * matrix in the SIMD SGEMM's packed layout, packed at the first call: later calls
 * copy no weights at all. Its float offset relative to residentBase(), or null when
 * the kernels' memory cannot hold it (the filter is then packed per call).
 */
function packedFilter(k: WasmKernels, W: FloatArray, wOff: number, Mg: number, Kg: number): number | null {
  if (!(W instanceof Float32Array)) return null;
  return residentOperand(k, W, wOff, Kg, 1, Mg, Kg, 'sgemm-a', packedAFloats(Mg, Kg), packAInto);
}

/** Applies the epilogue in place to the Mg output planes of one (image, group). */
function finishPlanes(ep: Epilogue | null, Y: FloatArray, yOff: number, m0: number, Mg: number, outSize: number): void {
  if (ep === null) return;
  for (let m = 0; m < Mg; m++) finishRow(ep, m0 + m, Y, yOff + m * outSize, Y, yOff + m * outSize, outSize);
}

/**
 * Y = epilogue(conv(X, W)) for float data (ConvInteger passes shifted doubles and no
 * epilogue). `constW`: W never changes between calls, so its packed form is cached.
 */
function convCore(
  X: FloatArray, xDims: readonly number[], W: FloatArray, wDims: readonly number[],
  group: number, g: Geometry, Y: FloatArray, colType: DType, ep: Epilogue | null = null, constW = false,
): void {
  const [N, C] = xDims;
  const M = wDims[0], Cg = wDims[1];
  if (group < 1 || C !== Cg * group || M % group !== 0) fail(`Conv channels do not fit group=${group}: input ${C}, weight [${wDims.join(',')}]`);
  const Mg = M / group;
  const kSize = sizeOf(g.kSp), Kg = Cg * kSize;
  const inSize = sizeOf(g.inSp), outSize = sizeOf(g.outSp);
  if (outSize === 0 || N === 0) return;
  if (ep !== null && ep.bias !== null && ep.bias.length !== M) fail(`Conv bias must have ${M} elements, got ${ep.bias.length}`);
  const pointwise = kSize === 1 && g.strides.every((s) => s === 1) && g.padBegin.every((p) => p === 0) && outSize === inSize;
  const kernels = Y instanceof Float32Array ? wasmKernels() : null;
  const winograd = group === 1 && kernels === null && useWinograd(g, Cg, M);
  if (Cg === 1 && Mg === 1 && depthwiseOnWasm(X, W, g, C, Y, N, ep)) return;
  // 3×3 stride-1 layers: Winograd F(2×2, 3×3) on the SIMD kernels (runtime/wasm/winograd-conv.ts).
  if (group === 1 && kernels !== null && winogradConvWasm(kernels, X, xDims, W, M, g, Y, ep, constW)) return;
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < group; gi++) {
      const xOff = (n * C + gi * Cg) * inSize;
      const yOff = (n * M + gi * Mg) * outSize;
      const wOff = gi * Mg * Kg;
      const packed = constW && kernels !== null ? packedFilter(kernels, W, wOff, Mg, Kg) : null;
      if (pointwise && kernels !== null && pointwiseOnWasm(kernels, X as Float32Array, xOff, Cg, inSize, W, wOff, Mg, packed, Y as Float32Array, yOff, ep, gi * Mg)) {
        continue;
      }
      if (pointwise) {
        gemm(Mg, outSize, Cg, W, wOff, Kg, 1, X, xOff, inSize, 1, Y, yOff, outSize);
      } else if (Cg === 1 && g.nd === 2 && (kernels === null || Mg < 4)) {
        // Depthwise: one input channel per group; a GEMM would have a single row. With
        // the SIMD kernels, a single-channel input feeding several filters (LeNet's
        // first conv: Mg = 6, K = 25) is a short-K SGEMM over im2col instead, below.
        for (let m = 0; m < Mg; m++) depthwise2d(X, xOff, W, wOff + m * Kg, g, Y, yOff + m * outSize);
      } else if (winograd) {
        if (n === 0) winogradFilters(W, M, Cg, work('wino-u', colType, 16 * M * Cg));
        conv3x3Winograd(X, xOff, Cg, M, g, Y, yOff, colType);
      } else if (g.nd <= 2) {
        conv2dBanded(X, xOff, Cg, W, wOff, Mg, g, Y, yOff, colType, kernels, packed, ep, gi * Mg);
        continue; // it applies the epilogue band by band
      } else {
        const col = work('col', colType, Kg * outSize);
        im2colND(X, xOff, Cg, g, col);
        gemm(Mg, outSize, Kg, W, wOff, Kg, 1, col, 0, outSize, 1, Y, yOff, outSize);
      }
      finishPlanes(ep, Y, yOff, gi * Mg, Mg, outSize);
    }
  }
}

/**
 * A 1×1, stride-1 convolution of one (image, group) as one SIMD SGEMM: the input
 * planes are B as they are (row stride = plane size), with no im2col. False (nothing
 * done) when it is too small to pay for the copy or does not fit the memory.
 */
function pointwiseOnWasm(
  kernels: WasmKernels, X: Float32Array, xOff: number, Cg: number, inSize: number,
  W: FloatArray, wOff: number, Mg: number, packed: number | null,
  Y: Float32Array, yOff: number, ep: Epilogue | null, m0: number,
): boolean {
  if (!(X instanceof Float32Array) || !(Y instanceof Float32Array)) return false;
  if (inSize < 16 || Mg * inSize * Cg < 4096) return false;
  const prep = sgemmBegin(kernels, Mg, inSize, Cg, (inSize & 7) === 0 ? 0 : Cg * inSize);
  if (prep === null) return false;
  setPaddedRows(kernels, prep, X, xOff, Cg, inSize);
  sgemmFinish(kernels, prep, Mg, inSize, Cg, W, wOff, Cg, 1, Y, yOff, inSize, 1, false, packed, ep, m0);
  return true;
}

/** 1-D/2-D conv of one (image, group): im2col + GEMM over bands of output rows, then the epilogue. */
function conv2dBanded(
  X: FloatArray, xOff: number, Cg: number, W: FloatArray, wOff: number, Mg: number,
  g: Geometry, Y: FloatArray, yOff: number, colType: DType, kernels: WasmKernels | null,
  packed: number | null, ep: Epilogue | null, m0: number,
): void {
  const two = g.nd === 2;
  const H = two ? g.inSp[0] : 1, Wd = g.inSp[g.nd - 1];
  const KH = two ? g.kSp[0] : 1, KW = g.kSp[g.nd - 1];
  const OH = two ? g.outSp[0] : 1, OW = g.outSp[g.nd - 1];
  const Kg = Cg * KH * KW, outSize = OH * OW;
  const band = Math.max(1, Math.min(OH, Math.floor(COL_LIMIT / Math.max(1, Kg * OW))));
  const p: Im2col2d = {
    H, W: Wd, KH, KW, OW,
    sh: two ? g.strides[0] : 1, sw: g.strides[g.nd - 1],
    dh: two ? g.dil[0] : 1, dw: g.dil[g.nd - 1],
    pt: two ? g.padBegin[0] : 0, pl: g.padBegin[g.nd - 1],
  };
  for (let oy0 = 0; oy0 < OH; oy0 += band) {
    const rows = Math.min(band, OH - oy0);
    const n = rows * OW;
    const xH = Math.max(H + p.pt, (OH - 1) * p.sh + (KH - 1) * p.dh + 1);
    const xW = Math.max(Wd + p.pl, (OW - 1) * p.sw + (KW - 1) * p.dw + 1);
    // + 8: im2col may read up to 7 floats past the last padded row (kernels.wat).
    const prep = kernels !== null && n >= 16 && Mg * n * Kg >= 4096 && p.pt >= 0 && p.pl >= 0 ? sgemmBegin(kernels, Mg, n, Kg, paddedPlanesFloats(Cg, H, Wd, xH, xW) + 8) : null;
    if (kernels !== null && prep !== null) {
      // The column matrix is gathered in WebAssembly from a zero-bordered copy of the
      // input, straight into the place the SGEMM reads it from: no packing of B.
      copyPaddedPlanes(kernels, prep.mem, prep.extra, X, xOff, Cg, H, Wd, p.pt, p.pl, xH, xW);
      kernels.im2col(prep.extra * 4, Cg, xH, xW, KH, KW, p.sh, p.sw, p.dh, p.dw, oy0, rows, OW, prep.b * 4, prep.ldb);
      const bandOff = yOff + oy0 * OW;
      sgemmFinish(kernels, prep, Mg, n, Kg, W, wOff, Kg, 1, Y as Float32Array, bandOff, outSize, 1, false, packed, ep, m0);
      continue;
    }
    const col = work('col', colType, Kg * band * OW);
    im2col2d(X, xOff, Cg, p, oy0, rows, col, 0, n);
    // Y[:, band] has row stride outSize: the band is a column block of the output matrix.
    gemm(Mg, n, Kg, W, wOff, Kg, 1, col, 0, n, 1, Y, yOff + oy0 * OW, outSize);
    if (ep !== null) for (let m = 0; m < Mg; m++) finishRow(ep, m0 + m, Y, yOff + m * outSize + oy0 * OW, Y, yOff + m * outSize + oy0 * OW, n);
  }
}

/** Every image of a float32 depthwise 3×3 convolution on the SIMD kernel; false when it does not apply. */
function depthwiseOnWasm(X: FloatArray, W: FloatArray, g: Geometry, C: number, Y: FloatArray, N: number, ep: Epilogue | null): boolean {
  if (!(X instanceof Float32Array) || !(Y instanceof Float32Array) || g.nd !== 2) return false;
  if (g.kSp[0] !== 3 || g.kSp[1] !== 3 || g.dil[0] !== 1 || g.dil[1] !== 1 || (g.strides[1] !== 1 && g.strides[1] !== 2)) return false;
  if (g.padBegin[0] < 0 || g.padBegin[1] < 0) return false;
  const kernels = wasmKernels();
  if (kernels === null) return false;
  const [H, Wd] = g.inSp, [OH, OW] = g.outSp;
  const geo = { C, H, W: Wd, OH, OW, sh: g.strides[0], sw: g.strides[1], pt: g.padBegin[0], pl: g.padBegin[1] };
  for (let n = 0; n < N; n++) {
    if (!depthwise3x3Wasm(kernels, geo, X, n * C * H * Wd, W, 0, Y, n * C * OH * OW, ep)) {
      if (n === 0) return false;
      throw new Error('depthwise convolution: WebAssembly memory became unavailable mid-batch');
    }
  }
  return true;
}

/**
 * Direct 2-D convolution of one channel plane with one filter. Output columns whose
 * taps all fall inside the row (the interior) skip the column bounds checks.
 */
function depthwise2d(X: FloatArray, xOff: number, W: FloatArray, wOff: number, g: Geometry, Y: FloatArray, yOff: number): void {
  const [H, Wd] = g.inSp, [KH, KW] = g.kSp, [OH, OW] = g.outSp;
  const [sh, sw] = g.strides, [dh, dw] = g.dil, [pt, pl] = g.padBegin;
  const ox0 = Math.min(OW, Math.ceil(pl / sw));
  const ox1 = Math.max(ox0, Math.min(OW, Math.floor((Wd - 1 + pl - (KW - 1) * dw) / sw) + 1));
  const fast3x3 = KH === 3 && KW === 3 && dh === 1 && dw === 1;
  const w0 = W[wOff], w1 = W[wOff + 1], w2 = W[wOff + 2], w3 = W[wOff + 3], w4 = W[wOff + 4];
  const w5 = W[wOff + 5], w6 = W[wOff + 6], w7 = W[wOff + 7], w8 = W[wOff + 8];
  for (let oy = 0; oy < OH; oy++) {
    const yRow = yOff + oy * OW;
    const iyBase = oy * sh - pt;
    if (fast3x3 && iyBase >= 0 && iyBase + 2 < H) {
      // The common MobileNet case: every row in range, interior columns fully unrolled.
      const r0 = xOff + iyBase * Wd - pl, r1 = r0 + Wd, r2 = r1 + Wd;
      for (let ox = ox0; ox < ox1; ox++) {
        const i = ox * sw;
        Y[yRow + ox] = X[r0 + i] * w0 + X[r0 + i + 1] * w1 + X[r0 + i + 2] * w2 +
          X[r1 + i] * w3 + X[r1 + i + 1] * w4 + X[r1 + i + 2] * w5 +
          X[r2 + i] * w6 + X[r2 + i + 1] * w7 + X[r2 + i + 2] * w8;
      }
      depthwiseRowEdges(X, xOff, W, wOff, g, Y, yRow, iyBase, ox0, ox1);
      continue;
    }
    for (let ox = 0; ox < OW; ox++) {
      const interior = ox >= ox0 && ox < ox1;
      const ixBase = ox * sw - pl;
      let acc = 0;
      for (let ky = 0; ky < KH; ky++) {
        const iy = iyBase + ky * dh;
        if (iy < 0 || iy >= H) continue;
        const xr = xOff + iy * Wd + ixBase, wr = wOff + ky * KW;
        if (interior) {
          for (let kx = 0; kx < KW; kx++) acc += X[xr + kx * dw] * W[wr + kx];
        } else {
          for (let kx = 0; kx < KW; kx++) {
            const ix = ixBase + kx * dw;
            if (ix >= 0 && ix < Wd) acc += X[xr + kx * dw] * W[wr + kx];
          }
        }
      }
      Y[yRow + ox] = acc;
    }
  }
}

/** The border columns [0, ox0) and [ox1, OW) of one depthwise output row, with bounds checks. */
function depthwiseRowEdges(
  X: FloatArray, xOff: number, W: FloatArray, wOff: number, g: Geometry, Y: FloatArray, yRow: number,
  iyBase: number, ox0: number, ox1: number,
): void {
  const [H, Wd] = g.inSp, [KH, KW] = g.kSp, OW = g.outSp[1];
  const sw = g.strides[1], [dh, dw] = g.dil, pl = g.padBegin[1];
  for (let ox = 0; ox < OW; ox++) {
    if (ox === ox0 && ox1 > ox0) { ox = ox1 - 1; continue; } // interior done by the caller
    const ixBase = ox * sw - pl;
    let acc = 0;
    for (let ky = 0; ky < KH; ky++) {
      const iy = iyBase + ky * dh;
      if (iy < 0 || iy >= H) continue;
      for (let kx = 0; kx < KW; kx++) {
        const ix = ixBase + kx * dw;
        if (ix >= 0 && ix < Wd) acc += X[xOff + iy * Wd + ix] * W[wOff + ky * KW + kx];
      }
    }
    Y[yRow + ox] = acc;
  }
}

// ---------------------------------------------------------------------------
// Winograd F(2×2, 3×3) for 3×3 stride-1 convolutions
//
// Each 2×2 block of outputs is A^T [(G g G^T) ⊙ (B^T d B)] A for its 4×4 input
// patch d: 16 multiplies per block and channel pair instead of 36. The
// element-wise products over channels become 16 independent GEMMs
// ([M×C] filters × [C×tiles] patches), so the blocked GEMM still does the work.
// The transforms only add, subtract and halve, so the result stays within a few
// float32 ulps of the direct sum (checked against a naive reference in the tests).

/** Worth it when channel counts amortise the transforms (tiny C or M: im2col wins). */
function useWinograd(g: Geometry, C: number, M: number): boolean {
  return g.nd === 2 && g.kSp[0] === 3 && g.kSp[1] === 3 && g.strides[0] === 1 && g.strides[1] === 1 &&
    g.dil[0] === 1 && g.dil[1] === 1 && C >= 8 && M >= 8 && g.outSp[0] >= 2 && g.outSp[1] >= 2;
}

/** U[ξ][m][c] = (G g_mc G^T)[ξ] for every 3×3 filter (ξ = 4·row + col). */
function winogradFilters(W: FloatArray, M: number, C: number, U: FloatArray): void {
  const plane = M * C;
  for (let m = 0; m < M; m++) {
    for (let c = 0; c < C; c++) {
      const o = (m * C + c) * 9;
      const base = m * C + c;
      for (let i = 0; i < 4; i++) {
        // Row i of G g, as a 3-vector over the filter's columns j: G = [[1,0,0],[½,½,½],[½,−½,½],[0,0,1]].
        const x0 = gRow(W, o, i), x1 = gRow(W, o + 1, i), x2 = gRow(W, o + 2, i);
        // (G g) G^T: the same combination along the row.
        U[(4 * i) * plane + base] = x0;
        U[(4 * i + 1) * plane + base] = (x0 + x1 + x2) / 2;
        U[(4 * i + 2) * plane + base] = (x0 - x1 + x2) / 2;
        U[(4 * i + 3) * plane + base] = x2;
      }
    }
  }
}

/** (G g)[i][j] for the filter column starting at `o` (entries o, o+3, o+6). */
function gRow(W: FloatArray, o: number, i: number): number {
  const a = W[o], b = W[o + 3], c = W[o + 6];
  return i === 0 ? a : i === 1 ? (a + b + c) / 2 : i === 2 ? (a - b + c) / 2 : c;
}

/** X[iy, ix] of one channel plane, 0 outside the image (the padding). */
function px(X: FloatArray, xc: number, H: number, W: number, iy: number, ix: number): number {
  return iy < 0 || iy >= H || ix < 0 || ix >= W ? 0 : X[xc + iy * W + ix];
}

function conv3x3Winograd(
  X: FloatArray, xOff: number, C: number, M: number, g: Geometry, Y: FloatArray, yOff: number, colType: DType,
): void {
  const [H, Wd] = g.inSp, [OH, OW] = g.outSp, [pt, pl] = g.padBegin;
  const tH = Math.ceil(OH / 2), tW = Math.ceil(OW / 2);
  const bandRows = Math.max(1, Math.min(tH, Math.floor(COL_LIMIT / (16 * Math.max(C, M) * tW))));
  const U = work('wino-u', colType, 16 * M * C);
  const V = work('wino-v', colType, 16 * C * bandRows * tW);
  const P = work('wino-m', colType, 16 * M * bandRows * tW);
  for (let ty0 = 0; ty0 < tH; ty0 += bandRows) {
    const rows = Math.min(bandRows, tH - ty0), T = rows * tW;
    winogradInput(X, xOff, C, H, Wd, pt, pl, ty0, rows, tW, V, T);
    for (let xi = 0; xi < 16; xi++) gemm(M, T, C, U, xi * M * C, C, 1, V, xi * C * T, T, 1, P, xi * M * T, T);
    winogradOutput(P, M, T, ty0, rows, tW, OH, OW, Y, yOff);
  }
}

/** V[ξ][c][t] = (B^T d B)[ξ] for the 4×4 patch d of every tile t in the band (zero outside X). */
function winogradInput(
  X: FloatArray, xOff: number, C: number, H: number, W: number, pt: number, pl: number,
  ty0: number, rows: number, tW: number, V: FloatArray, T: number,
): void {
  const plane = C * T;
  for (let c = 0; c < C; c++) {
    const xc = xOff + c * H * W;
    for (let tr = 0; tr < rows; tr++) {
      const iy0 = 2 * (ty0 + tr) - pt;
      for (let tx = 0; tx < tW; tx++) {
        const ix0 = 2 * tx - pl;
        const interior = iy0 >= 0 && iy0 + 3 < H && ix0 >= 0 && ix0 + 3 < W;
        // Load the patch row by row and apply B^T on the left as we go: rows d0..d3.
        let d00, d01, d02, d03, d10, d11, d12, d13, d20, d21, d22, d23, d30, d31, d32, d33;
        if (interior) {
          let o = xc + iy0 * W + ix0;
          d00 = X[o]; d01 = X[o + 1]; d02 = X[o + 2]; d03 = X[o + 3]; o += W;
          d10 = X[o]; d11 = X[o + 1]; d12 = X[o + 2]; d13 = X[o + 3]; o += W;
          d20 = X[o]; d21 = X[o + 1]; d22 = X[o + 2]; d23 = X[o + 3]; o += W;
          d30 = X[o]; d31 = X[o + 1]; d32 = X[o + 2]; d33 = X[o + 3];
        } else {
          d00 = px(X, xc, H, W, iy0, ix0); d01 = px(X, xc, H, W, iy0, ix0 + 1); d02 = px(X, xc, H, W, iy0, ix0 + 2); d03 = px(X, xc, H, W, iy0, ix0 + 3);
          d10 = px(X, xc, H, W, iy0 + 1, ix0); d11 = px(X, xc, H, W, iy0 + 1, ix0 + 1); d12 = px(X, xc, H, W, iy0 + 1, ix0 + 2); d13 = px(X, xc, H, W, iy0 + 1, ix0 + 3);
          d20 = px(X, xc, H, W, iy0 + 2, ix0); d21 = px(X, xc, H, W, iy0 + 2, ix0 + 1); d22 = px(X, xc, H, W, iy0 + 2, ix0 + 2); d23 = px(X, xc, H, W, iy0 + 2, ix0 + 3);
          d30 = px(X, xc, H, W, iy0 + 3, ix0); d31 = px(X, xc, H, W, iy0 + 3, ix0 + 1); d32 = px(X, xc, H, W, iy0 + 3, ix0 + 2); d33 = px(X, xc, H, W, iy0 + 3, ix0 + 3);
        }
        // B^T d: [d0 − d2, d1 + d2, d2 − d1, d1 − d3] (row vectors)
        const a0 = d00 - d20, a1 = d01 - d21, a2 = d02 - d22, a3 = d03 - d23;
        const b0 = d10 + d20, b1 = d11 + d21, b2 = d12 + d22, b3 = d13 + d23;
        const e0 = d20 - d10, e1 = d21 - d11, e2 = d22 - d12, e3 = d23 - d13;
        const f0 = d10 - d30, f1 = d11 - d31, f2 = d12 - d32, f3 = d13 - d33;
        // (B^T d) B: the same combination along each row
        const o = c * T + tr * tW + tx;
        V[o] = a0 - a2; V[plane + o] = a1 + a2; V[2 * plane + o] = a2 - a1; V[3 * plane + o] = a1 - a3;
        V[4 * plane + o] = b0 - b2; V[5 * plane + o] = b1 + b2; V[6 * plane + o] = b2 - b1; V[7 * plane + o] = b1 - b3;
        V[8 * plane + o] = e0 - e2; V[9 * plane + o] = e1 + e2; V[10 * plane + o] = e2 - e1; V[11 * plane + o] = e1 - e3;
        V[12 * plane + o] = f0 - f2; V[13 * plane + o] = f1 + f2; V[14 * plane + o] = f2 - f1; V[15 * plane + o] = f1 - f3;
      }
    }
  }
}

/** Y block = A^T P A with A^T = [[1,1,1,0],[0,1,−1,−1]]; partial blocks at odd edges are clipped. */
function winogradOutput(
  P: FloatArray, M: number, T: number, ty0: number, rows: number, tW: number, OH: number, OW: number, Y: FloatArray, yOff: number,
): void {
  const plane = M * T;
  for (let m = 0; m < M; m++) {
    const ym = yOff + m * OH * OW;
    for (let tr = 0; tr < rows; tr++) {
      const oy = 2 * (ty0 + tr);
      for (let tx = 0; tx < tW; tx++) {
        const o = m * T + tr * tW + tx;
        const p00 = P[o], p01 = P[plane + o], p02 = P[2 * plane + o], p03 = P[3 * plane + o];
        const p10 = P[4 * plane + o], p11 = P[5 * plane + o], p12 = P[6 * plane + o], p13 = P[7 * plane + o];
        const p20 = P[8 * plane + o], p21 = P[9 * plane + o], p22 = P[10 * plane + o], p23 = P[11 * plane + o];
        const p30 = P[12 * plane + o], p31 = P[13 * plane + o], p32 = P[14 * plane + o], p33 = P[15 * plane + o];
        // A^T P: rows s = p0 + p1 + p2, t = p1 − p2 − p3
        const s0 = p00 + p10 + p20, s1 = p01 + p11 + p21, s2 = p02 + p12 + p22, s3 = p03 + p13 + p23;
        const t0 = p10 - p20 - p30, t1 = p11 - p21 - p31, t2 = p12 - p22 - p32, t3 = p13 - p23 - p33;
        const ox = 2 * tx;
        const y0 = ym + oy * OW + ox;
        Y[y0] = s0 + s1 + s2;
        if (ox + 1 < OW) Y[y0 + 1] = s1 - s2 - s3;
        if (oy + 1 < OH) {
          Y[y0 + OW] = t0 + t1 + t2;
          if (ox + 1 < OW) Y[y0 + OW + 1] = t1 - t2 - t3;
        }
      }
    }
  }
}

interface Im2col2d { H: number; W: number; KH: number; KW: number; OW: number; sh: number; sw: number; dh: number; dw: number; pt: number; pl: number }

/** Gathers output rows [oy0, oy0+rows) into col[colOff + ((c·KH+ky)·KW+kx)·ld + pixel]. */
function im2col2d(X: FloatArray, xOff: number, C: number, p: Im2col2d, oy0: number, rows: number, col: FloatArray, colOff: number, ld: number): void {
  const { H, W, KH, KW, OW, sh, sw, dh, dw, pt, pl } = p;
  let r = 0;
  for (let c = 0; c < C; c++) {
    const xc = xOff + c * H * W;
    for (let ky = 0; ky < KH; ky++) {
      for (let kx = 0; kx < KW; kx++, r++) {
        const dx = kx * dw - pl;
        // Output columns whose input column is inside the image: [ox0, ox1).
        const ox0 = Math.min(OW, Math.max(0, Math.ceil(-dx / sw)));
        const ox1 = Math.max(ox0, Math.min(OW, Math.ceil((W - dx) / sw)));
        let o = colOff + r * ld;
        for (let oy = oy0; oy < oy0 + rows; oy++, o += OW) {
          const iy = oy * sh - pt + ky * dh;
          if (iy < 0 || iy >= H) { col.fill(0, o, o + OW); continue; }
          for (let ox = 0; ox < ox0; ox++) col[o + ox] = 0;
          const row = xc + iy * W + dx;
          if (sw === 1) {
            for (let ox = ox0; ox < ox1; ox++) col[o + ox] = X[row + ox];
          } else {
            for (let ox = ox0; ox < ox1; ox++) col[o + ox] = X[row + ox * sw];
          }
          for (let ox = ox1; ox < OW; ox++) col[o + ox] = 0;
        }
      }
    }
  }
}

/** N-D gather: col[(c, kernel offset)][output position], zero outside the input. */
function im2colND(X: FloatArray, xOff: number, C: number, g: Geometry, col: FloatArray): void {
  const { nd, inSp, kSp, outSp, strides, dil, padBegin } = g;
  const kSize = sizeOf(kSp), outSize = sizeOf(outSp), inSize = sizeOf(inSp);
  const kIdx = new Array<number>(nd).fill(0), oIdx = new Array<number>(nd).fill(0);
  const inStr = new Array<number>(nd);
  for (let i = nd - 1, acc = 1; i >= 0; i--) { inStr[i] = acc; acc *= inSp[i]; }
  for (let c = 0; c < C; c++) {
    kIdx.fill(0);
    for (let kk = 0; kk < kSize; kk++) {
      const o = (c * kSize + kk) * outSize;
      oIdx.fill(0);
      for (let op = 0; op < outSize; op++) {
        let off = xOff + c * inSize, inside = true;
        for (let i = 0; i < nd; i++) {
          const v = oIdx[i] * strides[i] - padBegin[i] + kIdx[i] * dil[i];
          if (v < 0 || v >= inSp[i]) { inside = false; break; }
          off += v * inStr[i];
        }
        col[o + op] = inside ? X[off] : 0;
        odometer(oIdx, outSp);
      }
      odometer(kIdx, kSp);
    }
  }
}

function odometer(idx: number[], dims: readonly number[]): void {
  for (let i = dims.length - 1; i >= 0; i--) {
    if (++idx[i] < dims[i]) return;
    idx[i] = 0;
  }
}

function addBias(Y: FloatArray, B: FloatArray, N: number, M: number, size: number): void {
  if (B.length !== M) fail(`Conv bias must have ${M} elements, got ${B.length}`);
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const b = B[m], o = (n * M + m) * size;
      for (let i = 0; i < size; i++) Y[o + i] += b;
    }
  }
}

// ---------------------------------------------------------------------------
// ConvInteger

/**
 * (X − x_zero_point) ⊛ (W − w_zero_point) accumulated in int32. Shifted operands are
 * exact in doubles, so the float path computes exact integer sums; padding is
 * zero after the shift, as if padded with x_zero_point.
 */
export function convInteger(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: ConvAttrs): Tensor[] {
  const x = inputs[0] as Tensor, w = inputs[1] as Tensor, xz = inputs[2], wz = inputs[3];
  const g = convGeometry(x.dims, w.dims, attrs);
  const M = w.dims[0];
  const X = x.data as NumericArray, Wt = w.data as NumericArray;
  const xs = new Float64Array(X.length);
  const zx = xz === undefined || xz.data.length === 0 ? 0 : Number(xz.data[0]);
  if (xz !== undefined && xz.data.length > 1) fail('ConvInteger x_zero_point must be a scalar');
  for (let i = 0; i < X.length; i++) xs[i] = X[i] - zx;
  const ws = new Float64Array(Wt.length);
  const per = Wt.length / Math.max(1, M);
  const wzd = wz?.data as NumericArray | undefined;
  if (wzd !== undefined && wzd.length !== 1 && wzd.length !== M) fail(`ConvInteger w_zero_point must be a scalar or have ${M} elements`);
  for (let i = 0; i < Wt.length; i++) {
    const z = wzd === undefined || wzd.length === 0 ? 0 : wzd.length === 1 ? wzd[0] : wzd[Math.floor(i / per)];
    ws[i] = Wt[i] - z;
  }
  const outDims = [x.dims[0], M, ...g.outSp];
  const acc = ctx.scratch('acc', 'float64', sizeOf(outDims)) as Float64Array;
  convCore(xs, x.dims, ws, w.dims, attrs.group, g, acc, 'float64');
  const y = ctx.alloc(0, 'int32', outDims);
  const Y = y.data as Int32Array;
  for (let i = 0; i < Y.length; i++) Y[i] = acc[i] | 0;
  return ctx.done(1);
}

// ---------------------------------------------------------------------------
// ConvTranspose


function convTransposeGeometry(xDims: readonly number[], wDims: readonly number[], a: ConvTransposeAttrs): Geometry {
  const nd = xDims.length - 2;
  if (nd < 1) fail(`ConvTranspose input must have rank >= 3, got [${xDims.join(',')}]`);
  if (wDims.length !== xDims.length) fail(`ConvTranspose weight rank ${wDims.length} differs from input rank ${xDims.length}`);
  const inSp = xDims.slice(2);
  const kSp = wDims.slice(2);
  const strides = orDefault(a.strides, nd, 1);
  const dil = orDefault(a.dilations, nd, 1);
  const outPad = orDefault(a.outputPadding, nd, 0);
  let pads = orDefault(a.pads, 2 * nd, 0);
  // output_shape may list only the spatial dims or (older exporters) the full shape.
  const given = a.outputShape.length === nd + 2 ? a.outputShape.slice(2) : a.outputShape.length === nd ? a.outputShape : null;
  if (a.outputShape.length > 0 && given === null) fail(`ConvTranspose output_shape must have ${nd} entries`);
  const same = a.autoPad === 'SAME_UPPER' || a.autoPad === 'SAME_LOWER';
  if (a.autoPad === 'VALID') pads = new Array<number>(2 * nd).fill(0);
  const outSp: number[] = [];
  const padBegin: number[] = [];
  for (let i = 0; i < nd; i++) {
    const ext = (kSp[i] - 1) * dil[i] + 1;
    if (same) {
      // Pads derived from the target size (default input·stride), split as the spec says.
      const out = given ? given[i] : inSp[i] * strides[i];
      const total = strides[i] * (inSp[i] - 1) + outPad[i] + ext - out;
      const half = Math.floor(total / 2);
      padBegin.push(a.autoPad === 'SAME_UPPER' ? half : total - half);
      outSp.push(out);
    } else {
      padBegin.push(pads[i]);
      outSp.push(given ? given[i] : strides[i] * (inSp[i] - 1) + outPad[i] + ext - pads[i] - pads[i + nd]);
    }
    if (outSp[i] < 0) fail(`ConvTranspose output would have a negative size on spatial axis ${i}`);
  }
  return { nd, inSp, kSp, outSp, strides, dil, padBegin };
}

export function convTranspose(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: ConvTransposeAttrs): Tensor[] {
  const x = inputs[0] as Tensor, w = inputs[1] as Tensor, bias = inputs[2];
  const g = convTransposeGeometry(x.dims, w.dims, attrs);
  const [N, C] = x.dims;
  const group = attrs.group;
  if (group < 1 || w.dims[0] !== C || C % group !== 0) fail(`ConvTranspose channels do not fit group=${group}: input ${C}, weight [${w.dims.join(',')}]`);
  const Cg = C / group, Mg = w.dims[1], M = Mg * group;
  const kSize = sizeOf(g.kSp), inSize = sizeOf(g.inSp), outSize = sizeOf(g.outSp);
  const rows = Mg * kSize;
  const y = ctx.alloc(0, x.type, [N, M, ...g.outSp]);
  const Y = y.data as FloatArray, X = x.data as FloatArray, W = w.data as FloatArray;
  Y.fill(0);
  const col = work('col', x.type === 'float64' ? 'float64' : 'float32', rows * inSize);
  for (let n = 0; n < N; n++) {
    for (let gi = 0; gi < group; gi++) {
      // col[(m, k)][pixel] = Σ_c W[c, m, k] · X[n, c, pixel]
      gemm(rows, inSize, Cg, W, gi * Cg * rows, 1, rows, X, (n * C + gi * Cg) * inSize, inSize, 1, col, 0, inSize);
      col2im(col, Mg, g, Y, (n * M + gi * Mg) * outSize);
    }
  }
  if (bias !== undefined) addBias(Y, bias.data as FloatArray, N, M, outSize);
  return ctx.done(1);
}

/** Scatter-adds col[(m, kernel offset)][input position] into Y[m][output position]. */
function col2im(col: FloatArray, Mg: number, g: Geometry, Y: FloatArray, yOff: number): void {
  const { nd, inSp, kSp, outSp, strides, dil, padBegin } = g;
  const kSize = sizeOf(kSp), inSize = sizeOf(inSp), outSize = sizeOf(outSp);
  const outStr = new Array<number>(nd);
  for (let i = nd - 1, acc = 1; i >= 0; i--) { outStr[i] = acc; acc *= outSp[i]; }
  const kIdx = new Array<number>(nd).fill(0), iIdx = new Array<number>(nd).fill(0);
  // Per kernel offset, the 1-D output coordinate of each input coordinate (−1 when outside).
  const lastIn = inSp[nd - 1], lastMap = new Int32Array(lastIn);
  for (let m = 0; m < Mg; m++) {
    kIdx.fill(0);
    for (let kk = 0; kk < kSize; kk++) {
      const c0 = (m * kSize + kk) * inSize;
      const yBase = yOff + m * outSize;
      const kl = kIdx[nd - 1] * dil[nd - 1] - padBegin[nd - 1];
      for (let t = 0; t < lastIn; t++) {
        const v = t * strides[nd - 1] + kl;
        lastMap[t] = v >= 0 && v < outSp[nd - 1] ? v : -1;
      }
      iIdx.fill(0);
      for (let ip = 0; ip < inSize; ip += lastIn) {
        let off = yBase, inside = true;
        for (let i = 0; i < nd - 1; i++) {
          const v = iIdx[i] * strides[i] - padBegin[i] + kIdx[i] * dil[i];
          if (v < 0 || v >= outSp[i]) { inside = false; break; }
          off += v * outStr[i];
        }
        if (inside) {
          for (let t = 0; t < lastIn; t++) {
            const v = lastMap[t];
            if (v >= 0) Y[off + v] += col[c0 + ip + t];
          }
        }
        // advance the outer (all but last) input coordinates
        for (let i = nd - 2; i >= 0; i--) {
          if (++iIdx[i] < inSp[i]) break;
          iIdx[i] = 0;
        }
      }
      odometer(kIdx, kSp);
    }
  }
}
