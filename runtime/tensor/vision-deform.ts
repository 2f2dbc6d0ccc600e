// DeformConv (opset 19+): a convolution whose kernel taps sit at learned offsets.
// Each tap is a bilinear sample of the input (zero outside), optionally scaled by
// a mask; the samples form an im2col matrix that a grouped GEMM turns into the output.

import { gemm } from './gemm.js';
import { linearZeroTaps, TapTable, Taps } from './vision-grid.js';
import { fail, sizeOf, type NodeCtx, type Tensor } from './tensor.js';

type Inputs = readonly (Tensor | undefined)[];
type FloatArray = Float32Array | Float64Array;

export interface DeformConvAttrs {
  /** Empty lists mean the defaults: 1s, 0s, 1s, and the weight's kernel shape. */
  readonly dilations: readonly number[];
  readonly group: number;
  readonly kernelShape: readonly number[];
  readonly offsetGroup: number;
  readonly pads: readonly number[];
  readonly strides: readonly number[];
}

/** The convolution geometry of one call, checked against every input. */
interface Geometry {
  readonly N: number; readonly C: number; readonly OC: number;
  readonly inDims: number[]; readonly kernel: number[]; readonly outDims: number[];
  readonly dil: number[]; readonly st: number[]; readonly pads: number[];
  /** Kernel taps, output positions, input plane size. */
  readonly K: number; readonly P: number; readonly S: number;
}

/**
 * DeformConv: Y[n, oc, p] = B[oc] + Σ_{c, k} W[oc, c, k] · mask[n, g, k, p] ·
 * X[n, c](p·stride - pad + k·dilation + offset[n, g, k, :, p]), where g is c's offset
 * group and X(·) interpolates bilinearly with zeros outside the input.
 */
export function deformConv(ctx: NodeCtx, inputs: Inputs, attrs: DeformConvAttrs): Tensor[] {
  const x = inputs[0] as Tensor, w = inputs[1] as Tensor, offset = inputs[2] as Tensor;
  const bias = inputs[3], mask = inputs[4];
  const geo = geometry(x, w, offset, bias, mask, attrs);
  const { N, C, OC, K, P } = geo;
  const out = ctx.alloc(0, x.type, [N, OC, ...geo.outDims]);
  if (sizeOf(out.dims) === 0) return ctx.done(1);
  // The im2col matrix is built for a block of output positions at a time (at most
  // about 8 MB of doubles) and multiplied into the output's matching columns.
  const block = Math.max(1, Math.min(P, Math.floor(COLS_ELEMENTS / (C * K))));
  const cols = ctx.scratch('cols', 'float64', C * K * block) as Float64Array;
  const yd = out.data as FloatArray, wd = w.data as FloatArray, bd = bias?.data as FloatArray | undefined;
  for (let n = 0; n < N; n++) {
    for (let oc = 0; oc < OC; oc++) yd.fill(bd === undefined ? 0 : bd[oc], (n * OC + oc) * P, (n * OC + oc + 1) * P);
    for (let p0 = 0; p0 < P; p0 += block) {
      const pb = Math.min(block, P - p0);
      sampleColumns(x, offset, mask, n, p0, pb, geo, attrs.offsetGroup, cols);
      groupedGemm(wd, cols, pb, yd, n, p0, geo, attrs.group);
    }
  }
  return ctx.done(1);
}

const COLS_ELEMENTS = 1 << 20;

function geometry(x: Tensor, w: Tensor, offset: Tensor, bias: Tensor | undefined, mask: Tensor | undefined, at: DeformConvAttrs): Geometry {
  const r = x.dims.length - 2;
  if (r < 1) fail(`DeformConv input must have rank >= 3, got [${x.dims.join(',')}]`);
  if (w.dims.length !== r + 2) fail(`DeformConv weight must have rank ${r + 2}, got [${w.dims.join(',')}]`);
  const [N, C] = x.dims, OC = w.dims[0];
  const inDims = x.dims.slice(2);
  const kernel = at.kernelShape.length > 0 ? at.kernelShape.slice() : w.dims.slice(2);
  if (kernel.length !== r || kernel.some((k, i) => k !== w.dims[i + 2])) fail(`DeformConv kernel_shape [${kernel.join(',')}] does not match the weight [${w.dims.join(',')}]`);
  if (C !== w.dims[1] * at.group || OC % at.group !== 0) fail(`DeformConv group ${at.group} does not fit input channels ${C}, weight [${w.dims.join(',')}]`);
  if (C % at.offsetGroup !== 0) fail(`DeformConv input channels ${C} are not divisible by offset_group ${at.offsetGroup}`);
  const dil = listOr(at.dilations, r, 1, 'dilations'), st = listOr(at.strides, r, 1, 'strides'), pads = listOr(at.pads, 2 * r, 0, 'pads');
  const outDims = inDims.map((d, i) => Math.floor((d + pads[i] + pads[i + r] - ((kernel[i] - 1) * dil[i] + 1)) / st[i]) + 1);
  if (outDims.some((d) => d < 0)) fail(`DeformConv output shape [${outDims.join(',')}] is negative for input [${x.dims.join(',')}]`);
  const K = sizeOf(kernel);
  expectDims('offset', offset, [N, at.offsetGroup * K * r, ...outDims]);
  if (mask !== undefined) expectDims('mask', mask, [N, at.offsetGroup * K, ...outDims]);
  if (bias !== undefined) expectDims('B', bias, [OC]);
  return { N, C, OC, inDims, kernel, outDims, dil, st, pads, K, P: sizeOf(outDims), S: sizeOf(inDims) };
}

function listOr(v: readonly number[], n: number, def: number, name: string): number[] {
  if (v.length === 0) return new Array<number>(n).fill(def);
  if (v.length !== n) fail(`DeformConv attribute ${name} must have ${n} values, got [${v.join(',')}]`);
  return v.slice();
}

function expectDims(name: string, t: Tensor, dims: readonly number[]): void {
  if (t.dims.length !== dims.length || t.dims.some((d, i) => d !== dims[i])) {
    fail(`DeformConv ${name} must have shape [${dims.join(',')}], got [${t.dims.join(',')}]`);
  }
}

/**
 * Fills cols[(c·K + k)·pb + (p - p0)] with the masked bilinear sample of channel c at
 * kernel tap k for output positions p in [p0, p0 + pb) of batch n. Taps are shared
 * by an offset group's channels.
 */
function sampleColumns(
  x: Tensor, offset: Tensor, mask: Tensor | undefined, n: number, p0: number, pb: number,
  geo: Geometry, offsetGroups: number, cols: Float64Array,
): void {
  const { C, K, P, S, inDims, kernel, outDims } = geo;
  const r = inDims.length;
  const xd = x.data as FloatArray, od = offset.data as FloatArray, md = mask?.data as FloatArray | undefined;
  const cPerOg = C / offsetGroups;
  const table = new TapTable(pb, 1 << r), point = new Taps(1 << r);
  const kIdx = new Array<number>(r).fill(0), pIdx = new Array<number>(r);
  for (let g = 0; g < offsetGroups; g++) {
    kIdx.fill(0);
    for (let k = 0; k < K; k++) {
      const gk = (n * offsetGroups + g) * K + k; // offset/mask channel block of this tap
      unravel(p0, outDims, pIdx);
      for (let p = p0, m = 0; p < p0 + pb; p += m) {
        m = tabulateTap(od, gk, kIdx, pIdx, p, p0 + pb, geo, table, point);
        for (let c = g * cPerOg; c < (g + 1) * cPerOg; c++) {
          table.apply(xd, (n * C + c) * S, cols, (c * K + k) * pb + (p - p0), md, gk * P + p);
        }
      }
      increment(kIdx, kernel);
    }
  }
}

/** Scratch for one dimension's two linear taps. */
const axisIdx = new Int32Array(2);
const axisW = new Float64Array(2);

/**
 * Tabulates the sample taps of kernel tap kIdx (offset channel block gk) for output
 * positions from p (multi-index pIdx, advanced in place) up to pEnd; returns how many.
 */
function tabulateTap(
  od: FloatArray, gk: number, kIdx: readonly number[], pIdx: number[], p: number, pEnd: number,
  geo: Geometry, table: TapTable, point: Taps,
): number {
  const { P, inDims, outDims, dil, st, pads } = geo;
  const r = inDims.length;
  const p1 = Math.min(pEnd, p + table.maxPoints);
  table.clear();
  for (let q = p; q < p1; q++) {
    point.reset();
    let stride = 1;
    for (let d = r - 1; d >= 0; d--) {
      const pos = pIdx[d] * st[d] - pads[d] + kIdx[d] * dil[d] + od[(gk * r + d) * P + q];
      point.addDim(axisIdx, axisW, linearZeroTaps(pos, inDims[d], axisIdx, axisW), stride);
      stride *= inDims[d];
    }
    table.push(point);
    increment(pIdx, outDims);
  }
  return p1 - p;
}

/** Y[n, oc, p0 : p0 + pb] += W[oc] · cols over oc's group (one GEMM per group). */
function groupedGemm(wd: FloatArray, cols: Float64Array, pb: number, yd: FloatArray, n: number, p0: number, geo: Geometry, group: number): void {
  const { C, OC, K, P } = geo;
  const cPerG = C / group, ocPerG = OC / group, Kg = cPerG * K;
  for (let g = 0; g < group; g++) {
    gemm(ocPerG, pb, Kg, wd, g * ocPerG * Kg, Kg, 1, cols, g * Kg * pb, pb, 1, yd, (n * OC + g * ocPerG) * P + p0, P, 1, true);
  }
}

/** The row-major multi-index of flat position p. */
function unravel(p: number, dims: readonly number[], idx: number[]): void {
  for (let i = dims.length - 1; i >= 0; i--) { idx[i] = p % dims[i]; p = Math.floor(p / dims[i]); }
}

function increment(idx: number[], dims: readonly number[]): void {
  for (let i = idx.length - 1; i >= 0; i--) {
    if (++idx[i] < dims[i]) return;
    idx[i] = 0;
  }
}
