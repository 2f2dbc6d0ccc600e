// Normalisations: LayerNormalization, RMSNormalization, BatchNormalization,
// InstanceNormalization, GroupNormalization, LpNormalization,
// MeanVarianceNormalization, LRN.
// Statistics are computed in float64 (LayerNormalization: in one pass shifted by a
// row value, see normalizeLayers; the others: mean, then squared deviations), which
// is at least as accurate as ONNX's float32 stash type.

import { wasmKernels } from '../wasm/kernels.js';
import { broadcastIndex, broadcastShapes } from './broadcast.js';
import { fail, normAxis, sizeOf, type DType, type NodeCtx, type NumericArray, type Tensor } from './tensor.js';

type Inputs = readonly (Tensor | undefined)[];

// ---------------------------------------------------------------------------
// LayerNormalization / RMSNormalization: normalise over dims[axis:].

export interface LayerNormAttrs {
  readonly axis: number;
  readonly epsilon: number;
  /** Element type of the Mean and InvStdDev outputs (from stash_type). */
  readonly statsType: DType;
  /** Outputs the node declares (Y, Mean, InvStdDev). */
  readonly outputs: number;
}

export function layerNormalization(ctx: NodeCtx, inputs: Inputs, attrs: LayerNormAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  return normalizeLayers(ctx, x, null, inputs[1] as Tensor, inputs[2], attrs);
}

/**
 * AddLayerNormalization (domain `mlcompile`, built by src/passes/fuse-layernorm.ts
 * from a residual Add feeding LayerNormalization): LayerNormalization(A + B, Scale,
 * B_bias) with A and B of one shape. The sum is stored (rounded to the output type,
 * as the Add node would) while the statistics pass reads it: no separate Add pass or
 * tensor.
 */
export function addLayerNormalization(ctx: NodeCtx, inputs: Inputs, attrs: LayerNormAttrs): Tensor[] {
  const a = inputs[0] as Tensor, b = inputs[1] as Tensor;
  if (a.type !== b.type || a.dims.length !== b.dims.length || a.dims.some((d, i) => d !== b.dims[i])) {
    fail(`AddLayerNormalization inputs must have one type and shape, got ${a.type}[${a.dims.join(',')}] and ${b.type}[${b.dims.join(',')}]`);
  }
  return normalizeLayers(ctx, a, b, inputs[2] as Tensor, inputs[3], attrs);
}

/** LayerNormalization of x (+ addend, when given) into output 0, with the Mean and InvStdDev outputs the attrs declare. */
function normalizeLayers(ctx: NodeCtx, x: Tensor, addend: Tensor | null, scaleIn: Tensor, biasIn: Tensor | undefined, attrs: LayerNormAttrs): Tensor[] {
  const { rows, cols, statDims } = rowsAndCols(x, attrs.axis);
  const y = ctx.alloc(0, x.type, x.dims);
  const meanOut = attrs.outputs > 1 ? (ctx.alloc(1, attrs.statsType, statDims).data as NumericArray) : undefined;
  const invOut = attrs.outputs > 2 ? (ctx.alloc(2, attrs.statsType, statDims).data as NumericArray) : undefined;
  const ys = y.data as NumericArray;
  const x2 = addend === null ? null : (addend.data as NumericArray);
  // With an addend, the rounded sum is stored in y first and normalised there in place.
  const xs = x2 === null ? (x.data as NumericArray) : ys;
  const x1 = x.data as NumericArray;
  const scale = affineParam(scaleIn, x.dims, 'Scale');
  const bias = biasIn !== undefined ? affineParam(biasIn, x.dims, 'B') : undefined;
  // Usual layout: scale and bias are exactly the normalised shape, applied in the same pass.
  const fused = isPerColumn(scale, cols) && (bias === undefined || isPerColumn(bias, cols));
  const s = scale.data;
  const b = bias?.data;
  if (fused && attrs.outputs <= 1 && layerNormOnWasm(rows, cols, x1, x2, s, b, ys, attrs.epsilon)) return ctx.done(1);
  for (let r = 0; r < rows; r++) {
    const base = r * cols, end = base + cols;
    if (x2 !== null) for (let i = base; i < end; i++) ys[i] = x1[i] + x2[i];
    // One pass for both sums, shifted by the row's first value: x0 is one of the
    // values, so |x0 − mean| ≤ √(cols−1)·std and Σd² − (Σd)²/n cancels at most
    // about cols·2^-53 relatively, far below float32's rounding.
    const x0 = cols > 0 ? xs[base] : 0;
    let sd = 0, sq = 0;
    for (let i = base; i < end; i++) { const dv = xs[i] - x0; sd += dv; sq += dv * dv; }
    const mean = x0 + sd / cols;
    const variance = Math.max((sq - (sd * sd) / cols) / cols, 0);
    const inv = 1 / Math.sqrt(variance + attrs.epsilon);
    if (meanOut) meanOut[r] = mean;
    if (invOut) invOut[r] = inv;
    if (!fused) for (let i = base; i < base + cols; i++) ys[i] = (xs[i] - mean) * inv;
    else if (b === undefined) for (let j = 0; j < cols; j++) ys[base + j] = (xs[base + j] - mean) * inv * s[j];
    else for (let j = 0; j < cols; j++) ys[base + j] = (xs[base + j] - mean) * inv * s[j] + b[j];
  }
  if (!fused) applyAffine(ys, scale, bias);
  return ctx.done(Math.min(Math.max(attrs.outputs, 1), 3));
}

/**
 * The per-column case of normalizeLayers on the WebAssembly kernels (layernorm.wat):
 * float32 rows of a multiple of 4 columns, no Mean/InvStdDev outputs. The rows (and
 * the residual) are copied in with one memcpy each and the result out with one.
 * Returns false, having done nothing, when the kernels or the types do not allow it.
 */
function layerNormOnWasm(
  rows: number, cols: number, x: NumericArray, r: NumericArray | null, s: NumericArray, b: NumericArray | undefined,
  y: NumericArray, epsilon: number,
): boolean {
  if ((cols & 3) !== 0 || !(x instanceof Float32Array) || !(y instanceof Float32Array) || !(s instanceof Float32Array)) return false;
  if ((r !== null && !(r instanceof Float32Array)) || (b !== undefined && !(b instanceof Float32Array))) return false;
  const k = wasmKernels();
  const ln = k?.layerNorm;
  if (k === null || ln === undefined || ln === null) return false;
  const n = rows * cols;
  const mem = k.scratch(2 * n + 2 * cols);
  if (mem === null) return false;
  // Floats: x (normalised there in place) | residual | scale | bias.
  mem.set(x.subarray(0, n), 0);
  if (r !== null) mem.set(r.subarray(0, n), n);
  mem.set(s.subarray(0, cols), 2 * n);
  if (b !== undefined) mem.set(b.subarray(0, cols), 2 * n + cols);
  ln.layerNorm(rows, cols, 0, n * 4, 2 * n * 4, (2 * n + cols) * 4, 0, epsilon, (r !== null ? 1 : 0) | (b !== undefined ? 2 : 0));
  y.set(mem.subarray(0, n));
  return true;
}

function isPerColumn(p: AffineParam, cols: number): boolean {
  return p.map === null && p.size === cols;
}

export interface RmsNormAttrs {
  readonly axis: number;
  readonly epsilon: number;
}

export function rmsNormalization(ctx: NodeCtx, inputs: Inputs, attrs: RmsNormAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const s = inputs[1] as Tensor;
  const { rows, cols } = rowsAndCols(x, attrs.axis);
  // Y has the scale's element type (constraint V), which may differ from X's.
  const y = ctx.alloc(0, s.type, x.dims);
  const xs = x.data as NumericArray;
  const ys = y.data as NumericArray;
  const scale = affineParam(s, x.dims, 'scale');
  for (let r = 0; r < rows; r++) {
    const base = r * cols;
    let sq = 0;
    for (let i = base; i < base + cols; i++) sq += xs[i] * xs[i];
    const inv = 1 / Math.sqrt(sq / cols + attrs.epsilon);
    for (let i = base; i < base + cols; i++) ys[i] = xs[i] * inv;
  }
  applyAffine(ys, scale, undefined);
  return ctx.done(1);
}

function rowsAndCols(x: Tensor, axisAttr: number): { rows: number; cols: number; statDims: number[] } {
  const rank = x.dims.length;
  if (rank === 0) fail('the input must have rank 1 or more');
  const axis = normAxis(axisAttr, rank);
  const statDims = x.dims.map((d, i) => (i < axis ? d : 1));
  return { rows: sizeOf(x.dims.slice(0, axis)), cols: sizeOf(x.dims.slice(axis)), statDims };
}

/**
 * A scale or bias broadcast (unidirectionally) to x. When its dims are a suffix
 * of x's (the usual [normalized shape]), element e uses p[e % size]; otherwise an
 * explicit index map is built.
 */
interface AffineParam { readonly data: NumericArray; readonly size: number; readonly map: Int32Array | null }

function affineParam(p: Tensor, xDims: readonly number[], name: string): AffineParam {
  let lead = 0;
  while (lead < p.dims.length && p.dims[lead] === 1) lead++;
  const core = p.dims.slice(lead);
  const off = xDims.length - core.length;
  const suffix = off >= 0 && core.every((d, i) => d === xDims[off + i]);
  if (suffix && p.dims.length <= xDims.length) return { data: p.data as NumericArray, size: Math.max(sizeOf(core), 1), map: null };
  const b = broadcastShapes(p.dims, xDims);
  if (b.length !== xDims.length || b.some((d, i) => d !== xDims[i])) {
    fail(`${name} of shape [${p.dims.join(',')}] does not broadcast to the input shape [${xDims.join(',')}]`);
  }
  return { data: p.data as NumericArray, size: sizeOf(p.dims), map: broadcastIndex(p.dims, xDims) };
}

/** y = y * scale + bias, element-wise with the parameters broadcast. */
function applyAffine(y: NumericArray, scale: AffineParam, bias: AffineParam | undefined): void {
  const n = y.length;
  const s = scale.data;
  if (scale.map === null && (bias === undefined || (bias.map === null && bias.size === scale.size))) {
    // Common case: both parameters repeat every `size` elements.
    const size = scale.size;
    const b = bias?.data;
    for (let base = 0; base < n; base += size) {
      const m = Math.min(size, n - base);
      if (b === undefined) for (let i = 0; i < m; i++) y[base + i] *= s[i];
      else for (let i = 0; i < m; i++) y[base + i] = y[base + i] * s[i] + b[i];
    }
    return;
  }
  for (let e = 0; e < n; e++) {
    const si = scale.map === null ? e % scale.size : scale.map[e];
    let v = y[e] * s[si];
    if (bias !== undefined) v += bias.data[bias.map === null ? e % bias.size : bias.map[e]];
    y[e] = v;
  }
}

// ---------------------------------------------------------------------------
// BatchNormalization

export interface BatchNormAttrs {
  readonly epsilon: number;
  readonly momentum: number;
  /** Normalise with the batch's statistics and output updated running statistics. */
  readonly training: boolean;
  /** Pre-opset-14 training outputs: Y, mean, var, saved_mean, saved_var. */
  readonly legacyOutputs: boolean;
  readonly outputs: number;
}

export function batchNormalization(ctx: NodeCtx, inputs: Inputs, attrs: BatchNormAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  if (x.dims.length < 2) fail(`the input must have rank 2 or more, got shape [${x.dims.join(',')}]`);
  const [scale, bias, mean, variance] = [1, 2, 3, 4].map((k) => inputs[k] as Tensor);
  const n = x.dims[0];
  const c = x.dims[1];
  const s = sizeOf(x.dims.slice(2));
  // Parameters are per channel [C], or per channel and position [C, D1..Dn] (spatial = 0).
  const p = scale.data.length;
  if (p !== c && p !== c * s) fail(`scale has ${p} elements; expected ${c} (one per channel)`);
  for (const t of [bias, mean, variance]) {
    if (t.data.length !== p) fail(`B, mean and var must have as many elements as scale (${p}), got ${t.data.length}`);
  }
  const y = ctx.alloc(0, x.type, x.dims);
  const count = Math.max(1, Math.min(attrs.outputs, attrs.legacyOutputs ? 5 : 3));
  if (!attrs.training) {
    batchNormApply(x.data as NumericArray, y.data as NumericArray, { n, c, s, p }, scale, bias, mean.data as NumericArray, variance.data as NumericArray, attrs.epsilon);
    // Statistics outputs declared outside training: the inputs' statistics, unchanged.
    for (let k = 1; k < count; k++) {
      const src = k % 2 === 1 ? mean : variance;
      ctx.view(k, src.type, src.dims, src.data);
    }
    return ctx.done(count);
  }
  if (p !== c) fail('training mode needs per-channel parameters (spatial = 1)');
  const batchMean = ctx.scratch('batchMean', 'float64', c) as Float64Array;
  const batchVar = ctx.scratch('batchVar', 'float64', c) as Float64Array;
  channelStats(x.data as NumericArray, n, c, s, batchMean, batchVar);
  batchNormApply(x.data as NumericArray, y.data as NumericArray, { n, c, s, p }, scale, bias, batchMean, batchVar, attrs.epsilon);
  const m = attrs.momentum;
  const inMean = mean.data as NumericArray;
  const inVar = variance.data as NumericArray;
  const outs: NumericArray[] = [];
  for (let k = 1; k < count; k++) outs.push(ctx.alloc(k, mean.type, mean.dims).data as NumericArray);
  // Output order: running mean, running var, then (legacy only) the batch's mean and var.
  const [runMean, runVar, savedMean, savedVar] = outs;
  for (let ch = 0; ch < c; ch++) {
    if (runMean) runMean[ch] = inMean[ch] * m + batchMean[ch] * (1 - m);
    if (runVar) runVar[ch] = inVar[ch] * m + batchVar[ch] * (1 - m);
    if (savedMean) savedMean[ch] = batchMean[ch];
    if (savedVar) savedVar[ch] = batchVar[ch];
  }
  return ctx.done(count);
}

interface BnShape { readonly n: number; readonly c: number; readonly s: number; readonly p: number }

/** y = (x - mean) * scale / sqrt(var + eps) + bias, folded into y = x * a + b per parameter. */
function batchNormApply(
  x: NumericArray, y: NumericArray, { n, c, s, p }: BnShape,
  scale: Tensor, bias: Tensor, mean: NumericArray, variance: NumericArray, epsilon: number,
): void {
  const sc = scale.data as NumericArray;
  const bi = bias.data as NumericArray;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      const base = (b * c + ch) * s;
      if (p === c) {
        const a = sc[ch] / Math.sqrt(variance[ch] + epsilon);
        const k = bi[ch] - mean[ch] * a;
        for (let i = base; i < base + s; i++) y[i] = x[i] * a + k;
      } else {
        for (let i = 0; i < s; i++) {
          const q = ch * s + i;
          y[base + i] = (x[base + i] - mean[q]) * (sc[q] / Math.sqrt(variance[q] + epsilon)) + bi[q];
        }
      }
    }
  }
}

/** Per-channel mean and population variance over N and the spatial positions. */
function channelStats(x: NumericArray, n: number, c: number, s: number, mean: Float64Array, variance: Float64Array): void {
  const count = n * s;
  for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    for (let b = 0; b < n; b++) {
      const base = (b * c + ch) * s;
      for (let i = base; i < base + s; i++) sum += x[i];
    }
    const m = sum / count;
    let sq = 0;
    for (let b = 0; b < n; b++) {
      const base = (b * c + ch) * s;
      for (let i = base; i < base + s; i++) { const d = x[i] - m; sq += d * d; }
    }
    mean[ch] = m;
    variance[ch] = sq / count;
  }
}

// ---------------------------------------------------------------------------
// InstanceNormalization and GroupNormalization: statistics per (n, group of channels).

export interface InstanceNormAttrs { readonly epsilon: number }

export function instanceNormalization(ctx: NodeCtx, inputs: Inputs, attrs: InstanceNormAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  if (x.dims.length < 2) fail(`the input must have rank 2 or more, got shape [${x.dims.join(',')}]`);
  const c = x.dims[1];
  checkLength(inputs[1] as Tensor, c, 'scale');
  checkLength(inputs[2] as Tensor, c, 'B');
  const y = ctx.alloc(0, x.type, x.dims);
  normalizeGroups(x, y, c, 1, attrs.epsilon, (inputs[1] as Tensor).data as NumericArray, (inputs[2] as Tensor).data as NumericArray, true);
  return ctx.done(1);
}

export interface GroupNormAttrs {
  readonly numGroups: number;
  readonly epsilon: number;
  /** Opset 21+: scale and bias per channel [C]; opset 18: per group [num_groups]. */
  readonly perChannel: boolean;
}

export function groupNormalization(ctx: NodeCtx, inputs: Inputs, attrs: GroupNormAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  if (x.dims.length < 2) fail(`the input must have rank 2 or more, got shape [${x.dims.join(',')}]`);
  const c = x.dims[1];
  const g = attrs.numGroups;
  if (g <= 0 || c % g !== 0) fail(`the channel count ${c} is not divisible by num_groups = ${g}`);
  const paramLen = attrs.perChannel ? c : g;
  checkLength(inputs[1] as Tensor, paramLen, 'scale');
  checkLength(inputs[2] as Tensor, paramLen, 'bias');
  const y = ctx.alloc(0, x.type, x.dims);
  normalizeGroups(x, y, g, c / g, attrs.epsilon, (inputs[1] as Tensor).data as NumericArray, (inputs[2] as Tensor).data as NumericArray, attrs.perChannel);
  return ctx.done(1);
}

function checkLength(t: Tensor, n: number, name: string): void {
  if (t.data.length !== n) fail(`${name} must have ${n} elements, got shape [${t.dims.join(',')}]`);
}

/**
 * x viewed as [N, groups, channelsPerGroup, S]: each (n, group) block is normalised
 * on its own, then scaled per channel (perChannel) or per group.
 */
function normalizeGroups(
  x: Tensor, y: Tensor, groups: number, perGroup: number, epsilon: number,
  scale: NumericArray, bias: NumericArray, perChannel: boolean,
): void {
  const xs = x.data as NumericArray;
  const ys = y.data as NumericArray;
  const s = sizeOf(x.dims.slice(2));
  const block = perGroup * s;
  const n = x.dims[0];
  for (let b = 0; b < n; b++) {
    for (let g = 0; g < groups; g++) {
      const base = (b * groups + g) * block;
      let sum = 0;
      for (let i = base; i < base + block; i++) sum += xs[i];
      const mean = sum / block;
      let sq = 0;
      for (let i = base; i < base + block; i++) { const d = xs[i] - mean; sq += d * d; }
      const inv = 1 / Math.sqrt(sq / block + epsilon);
      for (let k = 0; k < perGroup; k++) {
        const p = perChannel ? g * perGroup + k : g;
        const a = scale[p] * inv;
        const off = bias[p] - mean * a;
        const start = base + k * s;
        for (let i = start; i < start + s; i++) ys[i] = xs[i] * a + off;
      }
    }
  }
}

// ---------------------------------------------------------------------------
// LpNormalization

export interface LpNormAttrs { readonly axis: number; readonly p: 1 | 2 }

export function lpNormalization(ctx: NodeCtx, inputs: Inputs, attrs: LpNormAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const rank = x.dims.length;
  if (rank === 0) fail('the input must have rank 1 or more');
  const axis = normAxis(attrs.axis, rank);
  const n = x.dims[axis];
  const inner = sizeOf(x.dims.slice(axis + 1));
  const outer = sizeOf(x.dims.slice(0, axis));
  const y = ctx.alloc(0, x.type, x.dims);
  const xs = x.data as NumericArray;
  const ys = y.data as NumericArray;
  for (let b = 0; b < outer; b++) {
    for (let j = 0; j < inner; j++) {
      const base = b * n * inner + j;
      const end = base + n * inner;
      let norm = 0;
      if (attrs.p === 1) for (let i = base; i < end; i += inner) norm += Math.abs(xs[i]);
      else { for (let i = base; i < end; i += inner) norm += xs[i] * xs[i]; norm = Math.sqrt(norm); }
      // A zero vector stays zero (as onnxruntime does) instead of 0/0.
      const inv = norm === 0 ? 0 : 1 / norm;
      for (let i = base; i < end; i += inner) ys[i] = xs[i] * inv;
    }
  }
  return ctx.done(1);
}

// ---------------------------------------------------------------------------
// MeanVarianceNormalization: (x - mean) / (std + 1e-9) over `axes`.

export interface MvnAttrs {
  /** Opset 9+: the axes to normalise over. */
  readonly axes: readonly number[];
  /** Opset 1-8: normalise over every axis from this one on (1 across channels, else 2). */
  readonly fromAxis: number | null;
  readonly normalizeVariance: boolean;
}

/** The epsilon of ONNX's function body (added to the standard deviation). */
const MVN_EPSILON = 1e-9;

export function meanVarianceNormalization(ctx: NodeCtx, inputs: Inputs, attrs: MvnAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const rank = x.dims.length;
  const statDims = x.dims.slice();
  if (attrs.fromAxis !== null) for (let a = attrs.fromAxis; a < rank; a++) statDims[a] = 1;
  else for (const a of attrs.axes) statDims[normAxis(a, rank)] = 1;
  const groups = sizeOf(statDims);
  const count = groups === 0 ? 0 : x.data.length / groups;
  const map = broadcastIndex(statDims, x.dims);
  const xs = x.data as NumericArray;
  const y = ctx.alloc(0, x.type, x.dims);
  const ys = y.data as NumericArray;
  const mean = ctx.scratch('mean', 'float64', groups) as Float64Array;
  const sq = ctx.scratch('sq', 'float64', groups) as Float64Array;
  mean.fill(0, 0, groups);
  sq.fill(0, 0, groups);
  const n = xs.length;
  for (let e = 0; e < n; e++) mean[map === null ? e : map[e]] += xs[e];
  for (let g = 0; g < groups; g++) mean[g] /= count;
  for (let e = 0; e < n; e++) { const d = xs[e] - mean[map === null ? e : map[e]]; sq[map === null ? e : map[e]] += d * d; }
  for (let g = 0; g < groups; g++) sq[g] = attrs.normalizeVariance ? 1 / (Math.sqrt(sq[g] / count) + MVN_EPSILON) : 1;
  for (let e = 0; e < n; e++) { const g = map === null ? e : map[e]; ys[e] = (xs[e] - mean[g]) * sq[g]; }
  return ctx.done(1);
}

// ---------------------------------------------------------------------------
// LRN: y = x / (bias + alpha / size * sum of squares over neighbouring channels)^beta

export interface LrnAttrs {
  readonly alpha: number;
  readonly beta: number;
  readonly bias: number;
  readonly size: number;
}

export function lrn(ctx: NodeCtx, inputs: Inputs, attrs: LrnAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  if (x.dims.length < 2) fail(`the input must have rank 2 or more, got shape [${x.dims.join(',')}]`);
  const n = x.dims[0];
  const c = x.dims[1];
  const s = sizeOf(x.dims.slice(2));
  const y = ctx.alloc(0, x.type, x.dims);
  const xs = x.data as NumericArray;
  const ys = y.data as NumericArray;
  const sums = ctx.scratch('sums', 'float64', s) as Float64Array;
  // Window [c - floor((size-1)/2), c + ceil((size-1)/2)], clipped to the channels.
  const before = Math.floor((attrs.size - 1) / 2);
  const after = Math.ceil((attrs.size - 1) / 2);
  const k = attrs.alpha / attrs.size;
  for (let b = 0; b < n; b++) {
    for (let ch = 0; ch < c; ch++) {
      sums.fill(0, 0, s);
      const lo = Math.max(0, ch - before);
      const hi = Math.min(c - 1, ch + after);
      for (let cc = lo; cc <= hi; cc++) {
        const base = (b * c + cc) * s;
        for (let i = 0; i < s; i++) sums[i] += xs[base + i] * xs[base + i];
      }
      const base = (b * c + ch) * s;
      for (let i = 0; i < s; i++) ys[base + i] = xs[base + i] / Math.pow(attrs.bias + k * sums[i], attrs.beta);
    }
  }
  return ctx.done(1);
}
