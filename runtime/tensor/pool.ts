// Pooling kernels over [N, C, ...spatial] tensors: MaxPool, AveragePool and LpPool
// (1-D to 3-D windows), their Global forms, MaxRoiPool and MaxUnpool.
//
// Windowed pools share one geometry step (output size, padding) and one loop nest:
// 1-D and 2-D inputs run as 3-D with leading spatial axes of size 1, so there is a
// single tight loop per reduction and no per-element allocation.
// Maxima propagate NaN (as PyTorch and onnxruntime's MaxPool do; ONNX's reference drops
// NaN only because it marks padding with NaN); ties go to the first position.

import { wasmKernels } from '../wasm/kernels.js';
import { fail, type DType, type NodeCtx, type NumericArray, type Tensor } from './tensor.js';

export type AutoPad = 'NOTSET' | 'SAME_UPPER' | 'SAME_LOWER' | 'VALID';

/** Window attributes common to MaxPool, AveragePool and LpPool (normalised at compile time). */
export interface PoolAttrs {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly dilations: readonly number[];
  /** [x1_begin, x2_begin, ..., x1_end, x2_end, ...]; used only when autoPad is NOTSET. */
  readonly pads: readonly number[];
  readonly autoPad: AutoPad;
  readonly ceilMode: boolean;
}

export interface MaxPoolAttrs extends PoolAttrs {
  /** 0: row-major Indices, 1: column-major over the spatial axes. */
  readonly storageOrder: number;
  /** Whether the node asks for the Indices output. */
  readonly indices: boolean;
}

export interface AveragePoolAttrs extends PoolAttrs {
  readonly countIncludePad: boolean;
}

export interface LpPoolAttrs extends PoolAttrs {
  readonly p: number;
}

export interface PoolGeometry {
  readonly out: number[];
  readonly padBegin: number[];
  readonly padEnd: number[];
}

/** Output spatial sizes and the effective padding of a windowed pool. */
export function poolGeometry(spatial: readonly number[], a: PoolAttrs): PoolGeometry {
  const n = a.kernel.length;
  if (spatial.length !== n) fail(`the input has ${spatial.length} spatial axes but kernel_shape has ${n}`);
  const out: number[] = [], padBegin: number[] = [], padEnd: number[] = [];
  for (let i = 0; i < n; i++) {
    const size = spatial[i], s = a.strides[i];
    const extent = (a.kernel[i] - 1) * a.dilations[i] + 1;
    let pb: number, pe: number, o: number;
    if (a.autoPad === 'SAME_UPPER' || a.autoPad === 'SAME_LOWER') {
      // TensorFlow's SAME: ceil(in / stride) outputs, the padding split with the odd
      // cell at the end (SAME_UPPER) or at the beginning (SAME_LOWER).
      o = Math.ceil(size / s);
      const total = Math.max(0, (o - 1) * s + extent - size);
      const half = Math.floor(total / 2);
      pb = a.autoPad === 'SAME_UPPER' ? half : total - half;
      pe = total - pb;
    } else {
      pb = a.autoPad === 'VALID' ? 0 : a.pads[i];
      pe = a.autoPad === 'VALID' ? 0 : a.pads[n + i];
      const span = size + pb + pe - extent;
      o = (a.ceilMode ? Math.ceil(span / s) : Math.floor(span / s)) + 1;
      // With ceil_mode the last window must still start inside the input or the
      // leading padding (PyTorch's rule, which ONNX adopted).
      if (a.ceilMode && o > 0 && (o - 1) * s >= size + pb) o--;
    }
    if (o < 0 || (o === 0 && size > 0)) {
      fail(`kernel extent ${extent} is larger than the padded input (${size} + ${pb} + ${pe}) on spatial axis ${i}`);
    }
    out.push(o); padBegin.push(pb); padEnd.push(pe);
  }
  return { out, padBegin, padEnd };
}

/** The windows of one spatial axis: for output position o, taps t in [lo[o], hi[o]) read input start[o] + t * dil. */
interface AxisWindows {
  readonly inSize: number;
  readonly outSize: number;
  readonly dil: number;
  readonly start: Int32Array;
  readonly lo: Int32Array;
  readonly hi: Int32Array;
  /** Taps inside input + explicit padding (count_include_pad divisor; excludes ceil_mode overhang). */
  readonly padCount: Int32Array;
}

function axisWindows(inSize: number, outSize: number, k: number, s: number, d: number, pb: number, pe: number): AxisWindows {
  const start = new Int32Array(outSize), lo = new Int32Array(outSize), hi = new Int32Array(outSize);
  const padCount = new Int32Array(outSize);
  for (let o = 0; o < outSize; o++) {
    const st = o * s - pb;
    const first = st < 0 ? Math.ceil(-st / d) : 0;
    const last = Math.min(k, Math.floor((inSize - 1 - st) / d) + 1);
    start[o] = st;
    lo[o] = Math.min(first, k);
    hi[o] = Math.max(last, lo[o]);
    padCount[o] = Math.max(0, Math.min(k, Math.floor((inSize + pe - 1 - st) / d) + 1));
  }
  return { inSize, outSize, dil: d, start, lo, hi, padCount };
}

/** Windows for the 3 innermost spatial axes; lower ranks get leading axes of size 1. */
function windows3(spatial: readonly number[], a: PoolAttrs, g: PoolGeometry): AxisWindows[] {
  const n = spatial.length;
  if (n > 3) fail(`pooling over ${n} spatial axes is not supported (1 to 3)`);
  const w: AxisWindows[] = [];
  for (let i = 0; i < 3 - n; i++) w.push(axisWindows(1, 1, 1, 1, 1, 0, 0));
  for (let i = 0; i < n; i++) {
    w.push(axisWindows(spatial[i], g.out[i], a.kernel[i], a.strides[i], a.dilations[i], g.padBegin[i], g.padEnd[i]));
  }
  return w;
}

function poolInput(inputs: readonly (Tensor | undefined)[], minRank = 3): Tensor {
  const x = inputs[0] as Tensor;
  if (x.dims.length < minRank) fail(`expected an input of rank >= ${minRank} ([N, C, ...spatial]), got [${x.dims.join(',')}]`);
  return x;
}

/** MaxPool's value for a window holding only padding: -Infinity for floats, the type's minimum for integers. */
function emptyMaxOf(type: DType): number {
  switch (type) {
    case 'int8': return -128;
    case 'int16': return -32768;
    case 'int32': return -2147483648;
    case 'uint8': case 'uint16': case 'uint32': return 0;
    default: return -Infinity;
  }
}

export function maxPool(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: MaxPoolAttrs): Tensor[] {
  const x = poolInput(inputs);
  const spatial = x.dims.slice(2);
  const g = poolGeometry(spatial, attrs);
  const outDims = [x.dims[0], x.dims[1], ...g.out];
  const y = ctx.alloc(0, x.type, outDims);
  const ind = attrs.indices ? ctx.alloc(1, 'int64', outDims) : undefined;
  const planes = x.dims[0] * x.dims[1];
  if (ind === undefined && isPlain2d(attrs)) {
    if (!maxPool2x2OnWasm(x.data as NumericArray, y.data as NumericArray, planes, spatial, g, attrs)) {
      maxPool2d(x.data as NumericArray, y.data as NumericArray, planes, spatial, g, attrs, emptyMaxOf(x.type));
    }
  } else {
    maxLoop(x.data as NumericArray, y.data as NumericArray, ind?.data as BigInt64Array | undefined,
      planes, windows3(spatial, attrs, g), attrs.storageOrder === 1, emptyMaxOf(x.type));
  }
  return ctx.done(ind ? 2 : 1);
}

/**
 * The N-D paths alone, without the 2-D fast paths: the reference the fast paths are
 * tested against (test/ops/pool-2d.test.ts). Not used by generated code.
 */
export function genericMaxPool(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: MaxPoolAttrs): Tensor[] {
  const x = poolInput(inputs);
  const spatial = x.dims.slice(2);
  const g = poolGeometry(spatial, attrs);
  const y = ctx.alloc(0, x.type, [x.dims[0], x.dims[1], ...g.out]);
  maxLoop(x.data as NumericArray, y.data as NumericArray, undefined, x.dims[0] * x.dims[1], windows3(spatial, attrs, g), false, emptyMaxOf(x.type));
  return ctx.done(1);
}

export function genericAveragePool(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: AveragePoolAttrs): Tensor[] {
  const x = poolInput(inputs);
  const spatial = x.dims.slice(2);
  const g = poolGeometry(spatial, attrs);
  const y = ctx.alloc(0, x.type, [x.dims[0], x.dims[1], ...g.out]);
  sumLoop(x.data as NumericArray, y.data as NumericArray, x.dims[0] * x.dims[1], windows3(spatial, attrs, g), attrs.countIncludePad ? AVG_INCLUDE_PAD : AVG);
  return ctx.done(1);
}

function maxLoop(
  x: NumericArray, y: NumericArray, ind: BigInt64Array | undefined,
  planes: number, w: readonly AxisWindows[], colMajor: boolean, empty: number,
): void {
  const D = w[0], H = w[1], W = w[2];
  const inH = H.inSize, inW = W.inSize, inPlane = D.inSize * inH * inW;
  const dd = D.dil, dh = H.dil, dw = W.dil;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * inPlane;
    for (let od = 0; od < D.outSize; od++) {
      const sd = D.start[od], dLo = D.lo[od], dHi = D.hi[od];
      for (let oh = 0; oh < H.outSize; oh++) {
        const sh = H.start[oh], hLo = H.lo[oh], hHi = H.hi[oh];
        for (let ow = 0; ow < W.outSize; ow++) {
          const sw = W.start[ow], wLo = W.lo[ow], wHi = W.hi[ow];
          let m = -Infinity, at = -1;
          for (let kd = dLo; kd < dHi; kd++) {
            const planeRow = (sd + kd * dd) * inH;
            for (let kh = hLo; kh < hHi; kh++) {
              const row = base + (planeRow + sh + kh * dh) * inW + sw;
              for (let kw = wLo; kw < wHi; kw++) {
                const v = x[row + kw * dw];
                // Strict comparison, so the first maximum wins; the first NaN wins over everything.
                if (v > m || (v !== v && m === m)) { m = v; at = row + kw * dw; }
              }
            }
          }
          if (at < 0) {
            // Nothing beat -Infinity: every tap is -Infinity (the first one is the maximum),
            // or the window holds only padding.
            if (dHi > dLo && hHi > hLo && wHi > wLo) at = base + ((sd + dLo * dd) * inH + sh + hLo * dh) * inW + sw + wLo * dw;
            else m = empty;
          }
          y[o] = m;
          if (ind !== undefined) ind[o] = BigInt(at < 0 ? -1 : colMajor ? columnMajorIndex(at, base, D.inSize, inH, inW) : at);
          o++;
        }
      }
    }
  }
}

/** Re-expresses a row-major flat index as N, C row-major + spatial column-major (storage_order 1). */
function columnMajorIndex(at: number, base: number, inD: number, inH: number, inW: number): number {
  const r = at - base;
  const iw = r % inW;
  const ih = Math.floor(r / inW) % inH;
  const id = Math.floor(r / (inW * inH));
  return base + (iw * inH + ih) * inD + id;
}

export function averagePool(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: AveragePoolAttrs): Tensor[] {
  return sumPool(ctx, inputs, attrs, attrs.countIncludePad ? AVG_INCLUDE_PAD : AVG);
}

export function lpPool(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: LpPoolAttrs): Tensor[] {
  return sumPool(ctx, inputs, attrs, attrs.p);
}

// Reduction codes for sumLoop: an AveragePool variant, or p > 0 for LpPool.
const AVG = 0;
const AVG_INCLUDE_PAD = -1;

function sumPool(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: PoolAttrs, op: number): Tensor[] {
  const x = poolInput(inputs);
  const spatial = x.dims.slice(2);
  const g = poolGeometry(spatial, attrs);
  const y = ctx.alloc(0, x.type, [x.dims[0], x.dims[1], ...g.out]);
  const planes = x.dims[0] * x.dims[1];
  if (op <= 0 && isPlain2d(attrs)) avgPool2d(x.data as NumericArray, y.data as NumericArray, planes, spatial, g, attrs, op === AVG_INCLUDE_PAD);
  else sumLoop(x.data as NumericArray, y.data as NumericArray, planes, windows3(spatial, attrs, g), op);
  return ctx.done(1);
}

/** Sum-like window reductions: mean (excluding or including padding) or the Lp norm. */
function sumLoop(x: NumericArray, y: NumericArray, planes: number, w: readonly AxisWindows[], op: number): void {
  const D = w[0], H = w[1], W = w[2];
  const inH = H.inSize, inW = W.inSize, inPlane = D.inSize * inH * inW;
  const dd = D.dil, dh = H.dil, dw = W.dil;
  const p = op, invP = 1 / op;
  let o = 0;
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * inPlane;
    for (let od = 0; od < D.outSize; od++) {
      const sd = D.start[od], dLo = D.lo[od], dHi = D.hi[od];
      const nD = op === AVG_INCLUDE_PAD ? D.padCount[od] : dHi - dLo;
      for (let oh = 0; oh < H.outSize; oh++) {
        const sh = H.start[oh], hLo = H.lo[oh], hHi = H.hi[oh];
        const nDH = nD * (op === AVG_INCLUDE_PAD ? H.padCount[oh] : hHi - hLo);
        for (let ow = 0; ow < W.outSize; ow++) {
          const sw = W.start[ow], wLo = W.lo[ow], wHi = W.hi[ow];
          let s = 0;
          for (let kd = dLo; kd < dHi; kd++) {
            const planeRow = (sd + kd * dd) * inH;
            for (let kh = hLo; kh < hHi; kh++) {
              const row = base + (planeRow + sh + kh * dh) * inW + sw;
              if (op <= 0) {
                for (let kw = wLo; kw < wHi; kw++) s += x[row + kw * dw];
              } else if (p === 2) {
                for (let kw = wLo; kw < wHi; kw++) { const v = x[row + kw * dw]; s += v * v; }
              } else if (p === 1) {
                for (let kw = wLo; kw < wHi; kw++) s += Math.abs(x[row + kw * dw]);
              } else {
                for (let kw = wLo; kw < wHi; kw++) s += Math.pow(Math.abs(x[row + kw * dw]), p);
              }
            }
          }
          if (op <= 0) {
            y[o++] = s / (nDH * (op === AVG_INCLUDE_PAD ? W.padCount[ow] : wHi - wLo));
          } else {
            y[o++] = p === 2 ? Math.sqrt(s) : p === 1 ? s : Math.pow(s, invP);
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------- 2-D fast paths
//
// CNNs pool 2-D planes with dilation 1 (ResNet's 3×3 stride-2 MaxPool, LeNet's and
// VGG's 2×2 stride-2 ones). These paths walk each contiguous [H, W] plane directly:
// the window bounds of a row and column come from two subtractions instead of the
// per-axis tables of the N-D walker (which it allocates per call), and the output
// columns whose window lies wholly inside the row (all but one or two at each edge)
// run an unrolled 3×3 or 2×2 body. Taps are visited in the N-D walker's order, so
// results are bitwise identical to it (ties and NaN included).

function isPlain2d(a: PoolAttrs): boolean {
  return a.kernel.length === 2 && a.dilations[0] === 1 && a.dilations[1] === 1;
}

/** Below this many outputs the JavaScript loop is as quick as copying in and out of the kernels' memory. */
const WASM_POOL_MIN_OUTPUTS = 64;

/**
 * Float32 MaxPool with a 2×2 window at stride 2, every window inside the input (no
 * leading padding, no ceil_mode overhang), on the WebAssembly kernels (pool.wat):
 * the input copied in and the output out with one memcpy each. Returns false, having
 * done nothing, when the case, the types or the kernels do not allow it. The results
 * are maxPool2d's bit for bit, NaN and -0/+0 ties included (pool.wat applies maxOf's
 * step in the same order).
 */
function maxPool2x2OnWasm(x: NumericArray, y: NumericArray, planes: number, spatial: readonly number[], g: PoolGeometry, a: PoolAttrs): boolean {
  if (!(x instanceof Float32Array) || !(y instanceof Float32Array)) return false;
  if (a.kernel[0] !== 2 || a.kernel[1] !== 2 || a.strides[0] !== 2 || a.strides[1] !== 2) return false;
  const inH = spatial[0], inW = spatial[1], outH = g.out[0], outW = g.out[1];
  if (g.padBegin[0] !== 0 || g.padBegin[1] !== 0 || 2 * outH > inH || 2 * outW > inW) return false;
  const n = planes * inH * inW, m = planes * outH * outW;
  if (m < WASM_POOL_MIN_OUTPUTS) return false;
  const k = wasmKernels();
  const pool = k?.pool;
  if (k === null || pool === undefined || pool === null) return false;
  const mem = k.scratch(n + m);
  if (mem === null) return false;
  mem.set(x.subarray(0, n), 0);
  pool.maxPool2x2(planes, inH, inW, outH, outW, 0, n * 4);
  y.set(mem.subarray(n, n + m));
  return true;
}

/** MaxPool's step: strict comparison, so the first maximum wins; the first NaN wins over everything. */
function maxOf(m: number, v: number): number {
  return v > m || (v !== v && m === m) ? v : m;
}

/** The output columns [first, end) whose windows lie wholly inside a row of `inW`. */
function interiorColumns(inW: number, outW: number, kw: number, sw: number, padL: number): [number, number] {
  const first = Math.min(outW, Math.ceil(padL / sw));
  const end = Math.min(outW, Math.floor((inW + padL - kw) / sw) + 1);
  return [first, Math.max(first, end)];
}

function maxPool2d(x: NumericArray, y: NumericArray, planes: number, spatial: readonly number[], g: PoolGeometry, a: PoolAttrs, empty: number): void {
  const inH = spatial[0], inW = spatial[1], outH = g.out[0], outW = g.out[1];
  const kh = a.kernel[0], kw = a.kernel[1], sh = a.strides[0], sw = a.strides[1];
  const padT = g.padBegin[0], padL = g.padBegin[1];
  const [c0, c1] = interiorColumns(inW, outW, kw, sw, padL);
  const k3 = kh === 3 && kw === 3, k2 = kh === 2 && kw === 2;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * inH * inW;
    for (let oh = 0; oh < outH; oh++) {
      const ih0 = oh * sh - padT;
      const hLo = ih0 < 0 ? 0 : ih0, hHi = ih0 + kh > inH ? inH : ih0 + kh;
      const fullRows = hLo === ih0 && hHi === ih0 + kh;
      for (let ow = 0; ow < c0; ow++) y[o++] = windowMax(x, base, inW, hLo, hHi, ow * sw - padL, kw, empty);
      const r0 = base + ih0 * inW - padL;
      if (fullRows && k3) {
        const r1 = r0 + inW, r2 = r1 + inW;
        for (let ow = c0, i = c0 * sw; ow < c1; ow++, i += sw) {
          let m = maxOf(maxOf(x[r0 + i], x[r0 + i + 1]), x[r0 + i + 2]);
          m = maxOf(maxOf(maxOf(m, x[r1 + i]), x[r1 + i + 1]), x[r1 + i + 2]);
          y[o++] = maxOf(maxOf(maxOf(m, x[r2 + i]), x[r2 + i + 1]), x[r2 + i + 2]);
        }
      } else if (fullRows && k2) {
        const r1 = r0 + inW;
        for (let ow = c0, i = c0 * sw; ow < c1; ow++, i += sw) {
          y[o++] = maxOf(maxOf(maxOf(x[r0 + i], x[r0 + i + 1]), x[r1 + i]), x[r1 + i + 1]);
        }
      } else {
        for (let ow = c0; ow < c1; ow++) y[o++] = windowMax(x, base, inW, hLo, hHi, ow * sw - padL, kw, empty);
      }
      for (let ow = c1; ow < outW; ow++) y[o++] = windowMax(x, base, inW, hLo, hHi, ow * sw - padL, kw, empty);
    }
  }
}

/** The maximum of rows [hLo, hHi) × columns [iw0, iw0 + kw) clipped to the row; `empty` when no tap is inside. */
function windowMax(x: NumericArray, base: number, inW: number, hLo: number, hHi: number, iw0: number, kw: number, empty: number): number {
  const wLo = iw0 < 0 ? 0 : iw0, wHi = iw0 + kw > inW ? inW : iw0 + kw;
  if (hHi <= hLo || wHi <= wLo) return empty;
  let m = -Infinity;
  for (let h = hLo; h < hHi; h++) {
    const row = base + h * inW;
    for (let w = wLo; w < wHi; w++) m = maxOf(m, x[row + w]);
  }
  return m;
}

/**
 * AveragePool over 2-D planes. The divisor is the number of taps inside the input, or
 * with count_include_pad the taps inside the input and its explicit padding (a
 * ceil_mode window hanging past the padding does not count its overhang).
 */
function avgPool2d(x: NumericArray, y: NumericArray, planes: number, spatial: readonly number[], g: PoolGeometry, a: PoolAttrs, includePad: boolean): void {
  const inH = spatial[0], inW = spatial[1], outH = g.out[0], outW = g.out[1];
  const kh = a.kernel[0], kw = a.kernel[1], sh = a.strides[0], sw = a.strides[1];
  const padT = g.padBegin[0], padL = g.padBegin[1];
  const padB = g.padEnd[0], padR = g.padEnd[1];
  const [c0, c1] = interiorColumns(inW, outW, kw, sw, padL);
  const k3 = kh === 3 && kw === 3, k2 = kh === 2 && kw === 2;
  let o = 0;
  for (let p = 0; p < planes; p++) {
    const base = p * inH * inW;
    for (let oh = 0; oh < outH; oh++) {
      const ih0 = oh * sh - padT;
      const hLo = ih0 < 0 ? 0 : ih0, hHi = ih0 + kh > inH ? inH : ih0 + kh;
      const rows = includePad ? Math.max(0, Math.min(kh, inH + padB - ih0)) : Math.max(0, hHi - hLo);
      const fullRows = hLo === ih0 && hHi === ih0 + kh;
      for (let ow = 0; ow < c0; ow++) y[o++] = windowMean(x, base, inW, hLo, hHi, rows, ow * sw - padL, kw, padR, includePad);
      const r0 = base + ih0 * inW - padL;
      // Interior windows: every tap is inside, so both divisors are kh * kw.
      const n = rows * kw;
      if (fullRows && k3) {
        const r1 = r0 + inW, r2 = r1 + inW;
        for (let ow = c0, i = c0 * sw; ow < c1; ow++, i += sw) {
          const s = 0 + x[r0 + i] + x[r0 + i + 1] + x[r0 + i + 2] + x[r1 + i] + x[r1 + i + 1] + x[r1 + i + 2] + x[r2 + i] + x[r2 + i + 1] + x[r2 + i + 2];
          y[o++] = s / n;
        }
      } else if (fullRows && k2) {
        const r1 = r0 + inW;
        for (let ow = c0, i = c0 * sw; ow < c1; ow++, i += sw) {
          y[o++] = (0 + x[r0 + i] + x[r0 + i + 1] + x[r1 + i] + x[r1 + i + 1]) / n;
        }
      } else {
        for (let ow = c0; ow < c1; ow++) y[o++] = windowMean(x, base, inW, hLo, hHi, rows, ow * sw - padL, kw, padR, includePad);
      }
      for (let ow = c1; ow < outW; ow++) y[o++] = windowMean(x, base, inW, hLo, hHi, rows, ow * sw - padL, kw, padR, includePad);
    }
  }
}

function windowMean(
  x: NumericArray, base: number, inW: number, hLo: number, hHi: number, rows: number,
  iw0: number, kw: number, padR: number, includePad: boolean,
): number {
  const wLo = iw0 < 0 ? 0 : iw0, wHi = iw0 + kw > inW ? inW : iw0 + kw;
  let s = 0;
  for (let h = hLo; h < hHi; h++) {
    const row = base + h * inW;
    for (let w = wLo; w < wHi; w++) s += x[row + w];
  }
  const cols = includePad ? Math.max(0, Math.min(kw, inW + padR - iw0)) : Math.max(0, wHi - wLo);
  return s / (rows * cols);
}

// ---------------------------------------------------------------- global pools

function globalPool(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], op: 'avg' | 'max' | 'lp', p: number): Tensor[] {
  const x = poolInput(inputs, 2);
  const planes = x.dims[0] * x.dims[1];
  let size = 1;
  for (let i = 2; i < x.dims.length; i++) size *= x.dims[i];
  const outDims = x.dims.map((d, i) => (i < 2 ? d : 1));
  const y = ctx.alloc(0, x.type, outDims);
  const xd = x.data as NumericArray, yd = y.data as NumericArray;
  for (let pl = 0; pl < planes; pl++) {
    const base = pl * size;
    if (op === 'max') {
      let m = -Infinity;
      for (let i = 0; i < size; i++) {
        const v = xd[base + i];
        if (v > m || (v !== v && m === m)) m = v; // NaN propagates
      }
      yd[pl] = m;
    } else if (op === 'avg') {
      yd[pl] = planeSum(xd, base, size) / size;
    } else {
      let s = 0;
      if (p === 2) for (let i = 0; i < size; i++) { const v = xd[base + i]; s += v * v; }
      else for (let i = 0; i < size; i++) s += Math.pow(Math.abs(xd[base + i]), p);
      yd[pl] = p === 2 ? Math.sqrt(s) : Math.pow(s, 1 / p);
    }
  }
  return ctx.done(1);
}

/**
 * The sum of x[base .. base + size), in float64 with four partial sums: one running
 * sum is a chain of dependent additions (one per add latency); four independent ones
 * let the adds overlap. GlobalAveragePool over a CNN's last feature map is this loop.
 */
function planeSum(x: NumericArray, base: number, size: number): number {
  let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  const end = base + size, end4 = base + (size & ~3);
  let i = base;
  for (; i < end4; i += 4) { s0 += x[i]; s1 += x[i + 1]; s2 += x[i + 2]; s3 += x[i + 3]; }
  for (; i < end; i++) s0 += x[i];
  return (s0 + s1) + (s2 + s3);
}

export function globalAveragePool(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[]): Tensor[] {
  return globalPool(ctx, inputs, 'avg', 1);
}

export function globalMaxPool(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[]): Tensor[] {
  return globalPool(ctx, inputs, 'max', 1);
}

export function globalLpPool(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: { readonly p: number }): Tensor[] {
  return globalPool(ctx, inputs, 'lp', attrs.p);
}

// ---------------------------------------------------------------- MaxRoiPool

export interface MaxRoiPoolAttrs {
  readonly pooledShape: readonly number[];
  readonly spatialScale: number;
}

/** C's round(): halves away from zero (Math.round rounds them up). */
function roundHalfAway(v: number): number {
  return v < 0 ? -Math.round(-v) : Math.round(v);
}

/**
 * Caffe/Fast R-CNN RoI max pooling. Each roi is [batch, x1, y1, x2, y2] in input
 * coordinates scaled by spatial_scale; the (inclusive) box is split into a
 * pooled_h x pooled_w grid of bins, each bin's maximum is taken (0 for an empty bin).
 */
export function maxRoiPool(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: MaxRoiPoolAttrs): Tensor[] {
  const x = inputs[0] as Tensor, rois = inputs[1] as Tensor;
  if (x.dims.length !== 4) fail(`MaxRoiPool expects a 4-D input [N, C, H, W], got [${x.dims.join(',')}]`);
  if (rois.dims.length !== 2 || rois.dims[1] !== 5) fail(`rois must have shape [num_rois, 5], got [${rois.dims.join(',')}]`);
  const [N, C, H, W] = x.dims;
  const [PH, PW] = attrs.pooledShape;
  const R = rois.dims[0];
  const y = ctx.alloc(0, x.type, [R, C, PH, PW]);
  const xd = x.data as NumericArray, rd = rois.data as NumericArray, yd = y.data as NumericArray;
  const scale = attrs.spatialScale;
  let o = 0;
  for (let r = 0; r < R; r++) {
    const batch = Math.trunc(rd[r * 5]);
    if (!(batch >= 0 && batch < N)) fail(`roi ${r} has batch index ${rd[r * 5]}, outside [0, ${N})`);
    const x1 = roundHalfAway(rd[r * 5 + 1] * scale), y1 = roundHalfAway(rd[r * 5 + 2] * scale);
    const x2 = roundHalfAway(rd[r * 5 + 3] * scale), y2 = roundHalfAway(rd[r * 5 + 4] * scale);
    const binH = Math.max(y2 - y1 + 1, 1) / PH;
    const binW = Math.max(x2 - x1 + 1, 1) / PW;
    for (let c = 0; c < C; c++) {
      const base = (batch * C + c) * H * W;
      for (let ph = 0; ph < PH; ph++) {
        const hs = clamp(Math.floor(ph * binH) + y1, 0, H), he = clamp(Math.ceil((ph + 1) * binH) + y1, 0, H);
        for (let pw = 0; pw < PW; pw++) {
          const ws = clamp(Math.floor(pw * binW) + x1, 0, W), we = clamp(Math.ceil((pw + 1) * binW) + x1, 0, W);
          let m = -Infinity;
          for (let h = hs; h < he; h++) {
            const row = base + h * W;
            for (let wi = ws; wi < we; wi++) {
              const v = xd[row + wi];
              if (v > m || (v !== v && m === m)) m = v; // NaN propagates, as in MaxPool
            }
          }
          yd[o++] = he <= hs || we <= ws ? 0 : m;
        }
      }
    }
  }
  return ctx.done(1);
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

// ---------------------------------------------------------------- MaxUnpool

export interface MaxUnpoolAttrs {
  readonly kernel: readonly number[];
  readonly strides: readonly number[];
  readonly pads: readonly number[];
}

/** The output shape MaxUnpool infers when no output_shape input is given. */
export function maxUnpoolDims(xDims: readonly number[], a: MaxUnpoolAttrs): number[] {
  const n = a.kernel.length;
  if (xDims.length !== n + 2) fail(`the input has ${xDims.length - 2} spatial axes but kernel_shape has ${n}`);
  const out = [xDims[0], xDims[1]];
  for (let i = 0; i < n; i++) out.push((xDims[i + 2] - 1) * a.strides[i] - (a.pads[i] + a.pads[n + i]) + a.kernel[i]);
  return out;
}

/**
 * Scatters X into zeros at the flat positions given by I (MaxPool's Indices, which
 * address the inferred unpooled shape). An output_shape larger than the inferred
 * shape extends it with zeros at the end of each axis, as ONNX's reference does.
 */
export function maxUnpool(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: MaxUnpoolAttrs): Tensor[] {
  const x = inputs[0] as Tensor, ind = inputs[1] as Tensor, shapeT = inputs[2];
  const n = x.data.length;
  if (ind.data.length !== n) fail(`I has ${ind.data.length} elements but X has ${n}`);
  const inferred = maxUnpoolDims(x.dims, attrs);
  let outDims = inferred;
  if (shapeT !== undefined) {
    outDims = Array.from(shapeT.data as BigInt64Array, Number);
    if (outDims.length !== inferred.length || outDims.some((d, i) => d < inferred[i])) {
      fail(`output_shape [${outDims.join(',')}] is smaller than the unpooled shape [${inferred.join(',')}]`);
    }
  }
  const y = ctx.alloc(0, x.type, outDims);
  const yd = y.data as NumericArray, xd = x.data as NumericArray, id = ind.data as BigInt64Array;
  yd.fill(0);
  let total = 1;
  for (const d of inferred) total *= d;
  const same = outDims.every((d, i) => d === inferred[i]);
  for (let i = 0; i < n; i++) {
    const k = Number(id[i]);
    if (!(k >= 0 && k < total)) fail(`index ${k} in I is outside the unpooled tensor of ${total} elements`);
    yd[same ? k : remapIndex(k, inferred, outDims)] = xd[i];
  }
  return ctx.done(1);
}

/** A flat index into `from` re-expressed in `to` (same rank, each axis at least as long). */
function remapIndex(k: number, from: readonly number[], to: readonly number[]): number {
  let res = 0, stride = 1;
  for (let a = from.length - 1; a >= 0; a--) {
    res += (k % from[a]) * stride;
    k = Math.floor(k / from[a]);
    stride *= to[a];
  }
  return res;
}
