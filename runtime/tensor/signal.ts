// Signal processing kernels: DFT, STFT, the Hann/Hamming/Blackman windows and
// MelWeightMatrix.
//
// Transforms run in float64 on one line (1-D signal) at a time: an iterative
// radix-2 FFT for power-of-two lengths, Bluestein's chirp-z algorithm (built on
// that FFT) for other lengths, and a direct sum for short odd lengths where it is
// both faster and exact in its twiddles. Twiddles come from Math.cos/sin of exact
// integer multiples (no recurrences), so errors stay near double rounding.

import { fail, fromNumber, isBigType, type DType, type NodeCtx, type NumericArray, type Tensor } from './tensor.js';

type Inputs = readonly (Tensor | undefined)[];
type FloatArray = Float32Array | Float64Array;

// ------------------------------------------------------------------ FFT core

/** Below this length a non-power-of-two transform is a direct O(n²) sum. */
const DIRECT_MAX = 32;

/** Precomputed tables for complex DFTs of one length (forward sign e^{-2πi jk/n}). */
interface FftPlan {
  readonly n: number;
  /** cos(2πk/n), sin(2πk/n) for k < n (power-of-two and direct plans). */
  readonly cos: Float64Array;
  readonly sin: Float64Array;
  /** Bit-reversal permutation (power-of-two plans). */
  readonly rev: Int32Array | null;
  readonly bluestein: Bluestein | null;
}

/** Bluestein: the length-n DFT as a circular convolution of length m (a power of two). */
interface Bluestein {
  readonly m: number;
  readonly sub: FftPlan;
  /** The chirp e^{iπk²/n}, k < n. */
  readonly chirpRe: Float64Array;
  readonly chirpIm: Float64Array;
  /** FFT of the chirp laid out for circular convolution. */
  readonly filterRe: Float64Array;
  readonly filterIm: Float64Array;
  readonly workRe: Float64Array;
  readonly workIm: Float64Array;
}

function isPow2(n: number): boolean {
  return n > 0 && (n & (n - 1)) === 0;
}

function twiddles(n: number): { cos: Float64Array; sin: Float64Array } {
  const cos = new Float64Array(n), sin = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    const a = (2 * Math.PI * k) / n;
    cos[k] = Math.cos(a);
    sin[k] = Math.sin(a);
  }
  return { cos, sin };
}

function makePlan(n: number): FftPlan {
  if (isPow2(n)) {
    const rev = new Int32Array(n);
    const bits = Math.log2(n);
    for (let i = 0; i < n; i++) {
      let r = 0;
      for (let b = 0, v = i; b < bits; b++, v >>= 1) r = (r << 1) | (v & 1);
      rev[i] = r;
    }
    return { n, ...twiddles(n), rev, bluestein: null };
  }
  if (n <= DIRECT_MAX) return { n, ...twiddles(n), rev: null, bluestein: null };
  return { n, cos: new Float64Array(0), sin: new Float64Array(0), rev: null, bluestein: makeBluestein(n) };
}

function makeBluestein(n: number): Bluestein {
  let m = 1;
  while (m < 2 * n - 1) m *= 2;
  const chirpRe = new Float64Array(n), chirpIm = new Float64Array(n);
  for (let k = 0; k < n; k++) {
    // k² mod 2n keeps the angle small and exact (k² < 2^53 for any practical n).
    const a = (Math.PI * ((k * k) % (2 * n))) / n;
    chirpRe[k] = Math.cos(a);
    chirpIm[k] = Math.sin(a);
  }
  const filterRe = new Float64Array(m), filterIm = new Float64Array(m);
  filterRe[0] = chirpRe[0]; filterIm[0] = chirpIm[0];
  for (let k = 1; k < n; k++) {
    filterRe[k] = filterRe[m - k] = chirpRe[k];
    filterIm[k] = filterIm[m - k] = chirpIm[k];
  }
  const sub = makePlan(m);
  fftPow2(sub, filterRe, filterIm);
  return { m, sub, chirpRe, chirpIm, filterRe, filterIm, workRe: new Float64Array(m), workIm: new Float64Array(m) };
}

/** In-place forward DFT of re/im[0, n) (unnormalised, e^{-2πi jk/n}). `tmp*` hold ≥ n values for the direct sum. */
function fft(plan: FftPlan, re: Float64Array, im: Float64Array, tmpRe: Float64Array, tmpIm: Float64Array): void {
  if (plan.rev !== null) fftPow2(plan, re, im);
  else if (plan.bluestein !== null) fftBluestein(plan.n, plan.bluestein, re, im);
  else dftDirect(plan, re, im, tmpRe, tmpIm);
}

function fftPow2(plan: FftPlan, re: Float64Array, im: Float64Array): void {
  const n = plan.n, rev = plan.rev as Int32Array, cos = plan.cos, sin = plan.sin;
  for (let i = 0; i < n; i++) {
    const j = rev[i];
    if (j > i) {
      let t = re[i]; re[i] = re[j]; re[j] = t;
      t = im[i]; im[i] = im[j]; im[j] = t;
    }
  }
  for (let size = 2; size <= n; size *= 2) {
    const half = size / 2, step = n / size;
    for (let start = 0; start < n; start += size) {
      for (let j = 0, k = 0; j < half; j++, k += step) {
        const wr = cos[k], wi = -sin[k];
        const a = start + j, b = a + half;
        const tr = re[b] * wr - im[b] * wi, ti = re[b] * wi + im[b] * wr;
        re[b] = re[a] - tr; im[b] = im[a] - ti;
        re[a] += tr; im[a] += ti;
      }
    }
  }
}

function dftDirect(plan: FftPlan, re: Float64Array, im: Float64Array, tmpRe: Float64Array, tmpIm: Float64Array): void {
  const n = plan.n, cos = plan.cos, sin = plan.sin;
  for (let k = 0; k < n; k++) {
    let sr = 0, si = 0;
    for (let j = 0, idx = 0; j < n; j++, idx += k) {
      if (idx >= n) idx -= n; // idx = j·k mod n
      const c = cos[idx], s = sin[idx];
      sr += re[j] * c + im[j] * s;
      si += im[j] * c - re[j] * s;
    }
    tmpRe[k] = sr; tmpIm[k] = si;
  }
  for (let k = 0; k < n; k++) { re[k] = tmpRe[k]; im[k] = tmpIm[k]; }
}

/** X_k = conj(w_k) Σ_j (x_j conj(w_j)) w_{k-j} with w_k = e^{iπk²/n}: a convolution done by FFTs. */
function fftBluestein(n: number, bs: Bluestein, re: Float64Array, im: Float64Array): void {
  const { m, chirpRe: cr, chirpIm: ci, workRe: ar, workIm: ai } = bs;
  for (let j = 0; j < n; j++) {
    ar[j] = re[j] * cr[j] + im[j] * ci[j];
    ai[j] = im[j] * cr[j] - re[j] * ci[j];
  }
  ar.fill(0, n); ai.fill(0, n);
  fftPow2(bs.sub, ar, ai);
  // Pointwise product with the filter, then an inverse FFT by conjugation.
  const fr = bs.filterRe, fi = bs.filterIm;
  for (let k = 0; k < m; k++) {
    const r = ar[k] * fr[k] - ai[k] * fi[k], i = ar[k] * fi[k] + ai[k] * fr[k];
    ar[k] = r; ai[k] = -i;
  }
  fftPow2(bs.sub, ar, ai);
  const scale = 1 / m;
  for (let k = 0; k < n; k++) {
    const r = ar[k] * scale, i = -ai[k] * scale;
    re[k] = r * cr[k] + i * ci[k];
    im[k] = i * cr[k] - r * ci[k];
  }
}

/** One reusable transform of length n: a plan plus line buffers. */
interface Transform {
  readonly plan: FftPlan;
  readonly re: Float64Array;
  readonly im: Float64Array;
  readonly tmpRe: Float64Array;
  readonly tmpIm: Float64Array;
}

// Plans are kept per length: a model usually transforms the same lengths on every
// call, and a Bluestein plan costs an FFT of twice the length to build. Kernels run
// one at a time, so sharing the line buffers is safe; the cache stays small.
const transforms = new Map<number, Transform>();
const MAX_CACHED = 8;

function transformOf(n: number): Transform {
  let t = transforms.get(n);
  if (t === undefined) {
    t = { plan: makePlan(n), re: new Float64Array(n), im: new Float64Array(n), tmpRe: new Float64Array(n), tmpIm: new Float64Array(n) };
    if (transforms.size >= MAX_CACHED) transforms.delete(transforms.keys().next().value as number);
    transforms.set(n, t);
  }
  return t;
}

/** Forward (or, by conjugation, unnormalised inverse) DFT of the transform's buffers. */
function run(t: Transform, inverse: boolean): void {
  const { re, im } = t;
  if (inverse) for (let i = 0; i < im.length; i++) im[i] = -im[i];
  fft(t.plan, re, im, t.tmpRe, t.tmpIm);
  if (inverse) for (let i = 0; i < im.length; i++) im[i] = -im[i];
}

// ---------------------------------------------------------------------- DFT

export interface DftAttrs {
  /** The axis attribute (opset 17), or the default when the axis comes as input 2 (opset 20). */
  readonly axis: number;
  readonly axisInput: boolean;
  readonly inverse: boolean;
  readonly onesided: boolean;
}

function scalar(t: Tensor, what: string): number {
  if (t.data.length !== 1) fail(`${what} must be a scalar, got shape [${t.dims.join(',')}]`);
  return Number(t.data[0]);
}

/**
 * DFT along one signal axis. The last input dimension is 1 (real) or 2 (real,
 * imaginary). Forward: complex output, the first ⌊n/2⌋+1 bins when onesided.
 * Inverse: complex output scaled by 1/n; inverse + onesided is the inverse of a
 * onesided real transform (numpy's irfft): the input holds bins 0..n/2 of a
 * Hermitian spectrum, the output is the real signal of length n (dft_length, by
 * default 2·(bins − 1)).
 */
export function dft(ctx: NodeCtx, inputs: Inputs, attrs: DftAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const rank = x.dims.length;
  if (rank < 2) fail(`DFT input must have rank ≥ 2 (signal dims and a last real/complex dim), got shape [${x.dims.join(',')}]`);
  const cIn = x.dims[rank - 1];
  if (cIn !== 1 && cIn !== 2) fail(`DFT input's last dimension must be 1 (real) or 2 (complex), got ${cIn}`);
  const rawAxis = attrs.axisInput && inputs[2] !== undefined ? scalar(inputs[2], "DFT's axis") : attrs.axis;
  const axis = rawAxis < 0 ? rawAxis + rank : rawAxis;
  if (!(axis >= 0 && axis <= rank - 2)) fail(`DFT axis ${rawAxis} is out of range for an input of rank ${rank} (the last dimension is not a signal axis)`);
  const nIn = x.dims[axis];
  const irfft = attrs.inverse && attrs.onesided;
  const n = inputs[1] !== undefined ? scalar(inputs[1], "DFT's dft_length") : irfft ? 2 * (nIn - 1) : nIn;
  if (!(Number.isInteger(n) && n >= 1)) fail(`DFT length must be a positive integer, got ${n}`);
  const nOut = attrs.onesided && !attrs.inverse ? Math.floor(n / 2) + 1 : n;
  const cOut = irfft ? 1 : 2;
  const outDims = x.dims.slice();
  outDims[axis] = nOut;
  outDims[rank - 1] = cOut;
  const out = ctx.alloc(0, x.type, outDims);
  let outer = 1, inner = 1;
  for (let i = 0; i < axis; i++) outer *= x.dims[i];
  for (let i = axis + 1; i < rank - 1; i++) inner *= x.dims[i];
  const t = transformOf(n);
  const xd = x.data as FloatArray, yd = out.data as FloatArray;
  // irfft reads bins 0..n/2 only; the rest of the spectrum is their mirror image.
  const used = Math.min(nIn, irfft ? Math.floor(n / 2) + 1 : n);
  const scale = attrs.inverse ? 1 / n : 1;
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      loadLine(xd, (o * nIn * inner + i) * cIn, inner * cIn, cIn, used, t);
      if (irfft) mirrorHermitian(t.re, t.im, used);
      run(t, attrs.inverse);
      storeLine(yd, (o * nOut * inner + i) * cOut, inner * cOut, cOut, nOut, t, scale);
    }
  }
  return ctx.done(1);
}

/** Reads `used` samples of a strided line (real or interleaved complex) and zero-fills the rest. */
function loadLine(xd: FloatArray, off: number, stride: number, c: number, used: number, t: Transform): void {
  const { re, im } = t;
  for (let j = 0, p = off; j < used; j++, p += stride) {
    re[j] = xd[p];
    im[j] = c === 2 ? xd[p + 1] : 0;
  }
  re.fill(0, used); im.fill(0, used);
}

function storeLine(yd: FloatArray, off: number, stride: number, c: number, count: number, t: Transform, scale: number): void {
  const { re, im } = t;
  for (let k = 0, p = off; k < count; k++, p += stride) {
    yd[p] = re[k] * scale;
    if (c === 2) yd[p + 1] = im[k] * scale;
  }
}

/**
 * Completes a spectrum whose bins [0, used) are given so that X[n-k] = conj(X[k]).
 * The imaginary parts of bin 0 (and n/2) then only affect the output's imaginary
 * part, which irfft drops, as numpy does.
 */
function mirrorHermitian(re: Float64Array, im: Float64Array, used: number): void {
  const n = re.length;
  for (let k = 1; k < used && n - k > k; k++) {
    re[n - k] = re[k];
    im[n - k] = -im[k];
  }
}

// --------------------------------------------------------------------- STFT

/**
 * STFT of signal [batch, length, 1|2]: frames start every frame_step samples, each
 * weighted by the window (ones when absent) and transformed with a DFT of length
 * frame_length (by default the window's length). Output [batch, frames, bins, 2]
 * with frames = 1 + ⌊(length − frame_length) / frame_step⌋ and bins = ⌊frame_length/2⌋+1
 * when onesided. A window shorter than frame_length is zero-padded, a longer one cut.
 */
export function stft(ctx: NodeCtx, inputs: Inputs, attrs: { onesided: boolean }): Tensor[] {
  const x = inputs[0] as Tensor, window = inputs[2];
  if (x.dims.length !== 3 || (x.dims[2] !== 1 && x.dims[2] !== 2)) {
    fail(`STFT signal must have shape [batch, length, 1 or 2], got [${x.dims.join(',')}]`);
  }
  const [batch, len, c] = x.dims;
  const step = scalar(inputs[1] as Tensor, "STFT's frame_step");
  if (!(step >= 1)) fail(`STFT frame_step must be positive, got ${step}`);
  if (window !== undefined && window.dims.length !== 1) fail(`STFT window must have rank 1, got shape [${window.dims.join(',')}]`);
  const n = inputs[3] !== undefined ? scalar(inputs[3], "STFT's frame_length") : window !== undefined ? window.dims[0] : len;
  if (!(n >= 1)) fail(`STFT frame_length must be positive, got ${n}`);
  const frames = len >= n ? 1 + Math.floor((len - n) / step) : 0;
  const bins = attrs.onesided ? Math.floor(n / 2) + 1 : n;
  const out = ctx.alloc(0, x.type, [batch, frames, bins, 2]);
  const xd = x.data as FloatArray, yd = out.data as FloatArray;
  const wd = window?.data as FloatArray | undefined;
  const width = Math.min(wd !== undefined ? wd.length : n, n);
  const t = transformOf(n);
  for (let b = 0; b < batch; b++) {
    for (let f = 0; f < frames; f++) {
      const start = f * step;
      for (let j = 0; j < n; j++) {
        const s = start + j;
        if (j >= width || s >= len) { t.re[j] = 0; t.im[j] = 0; continue; }
        const w = wd !== undefined ? wd[j] : 1, p = (b * len + s) * c;
        t.re[j] = xd[p] * w;
        t.im[j] = c === 2 ? xd[p + 1] * w : 0;
      }
      run(t, false);
      storeLine(yd, (b * frames + f) * bins * 2, 2, 2, bins, t, 1);
    }
  }
  return ctx.done(1);
}

// ------------------------------------------------------------------ windows

export interface WindowAttrs {
  readonly periodic: boolean;
  /** The output element type (output_datatype). */
  readonly type: DType;
}

/** Writes a float64 value into any numeric output (integers truncate toward zero, as numpy's astype). */
function storeValue(out: Tensor, i: number, v: number): void {
  if (isBigType(out.type)) (out.data as BigInt64Array)[i] = fromNumber(out.type, v) as bigint;
  else (out.data as NumericArray)[i] = v;
}

/**
 * w[k] = a0 − a1·cos(2πk/N) + a2·cos(4πk/N), N = size (periodic) or size − 1
 * (symmetric). A symmetric window of one sample is [1], as in numpy and PyTorch.
 */
function cosineWindow(ctx: NodeCtx, inputs: Inputs, attrs: WindowAttrs, name: string, a0: number, a1: number, a2: number): Tensor[] {
  const size = scalar(inputs[0] as Tensor, `${name}'s size`);
  if (!(Number.isInteger(size) && size >= 0)) fail(`${name} size must be a non-negative integer, got ${size}`);
  const out = ctx.alloc(0, attrs.type, [size]);
  const denom = attrs.periodic ? size : size - 1;
  for (let k = 0; k < size; k++) {
    const a = denom === 0 ? 0 : (2 * Math.PI * k) / denom;
    storeValue(out, k, denom === 0 ? 1 : a0 - a1 * Math.cos(a) + a2 * Math.cos(2 * a));
  }
  return ctx.done(1);
}

export function hannWindow(ctx: NodeCtx, inputs: Inputs, attrs: WindowAttrs): Tensor[] {
  return cosineWindow(ctx, inputs, attrs, 'HannWindow', 0.5, 0.5, 0);
}

/** Hamming with the exact equiripple coefficients 25/46 and 21/46 (the ONNX definition). */
export function hammingWindow(ctx: NodeCtx, inputs: Inputs, attrs: WindowAttrs): Tensor[] {
  return cosineWindow(ctx, inputs, attrs, 'HammingWindow', 25 / 46, 21 / 46, 0);
}

export function blackmanWindow(ctx: NodeCtx, inputs: Inputs, attrs: WindowAttrs): Tensor[] {
  return cosineWindow(ctx, inputs, attrs, 'BlackmanWindow', 0.42, 0.5, 0.08);
}

// ---------------------------------------------------------- MelWeightMatrix

const hzToMel = (hz: number): number => 2595 * Math.log10(1 + hz / 700);
const melToHz = (mel: number): number => 700 * (Math.pow(10, mel / 2595) - 1);

/**
 * MelWeightMatrix [⌊dft_length/2⌋+1, num_mel_bins]: triangular filters between
 * num_mel_bins + 2 points spaced evenly on the mel scale from lower_edge_hertz
 * (the mel step is the span divided by num_mel_bins + 2, as in the ONNX reference),
 * each point mapped to the spectrogram bin ⌊(dft_length + 1)·hz / sample_rate⌋.
 */
export function melWeightMatrix(ctx: NodeCtx, inputs: Inputs, attrs: { type: DType }): Tensor[] {
  const mels = scalar(inputs[0] as Tensor, "MelWeightMatrix's num_mel_bins");
  const dftLength = scalar(inputs[1] as Tensor, "MelWeightMatrix's dft_length");
  const rate = scalar(inputs[2] as Tensor, "MelWeightMatrix's sample_rate");
  const lower = scalar(inputs[3] as Tensor, "MelWeightMatrix's lower_edge_hertz");
  const upper = scalar(inputs[4] as Tensor, "MelWeightMatrix's upper_edge_hertz");
  if (!(mels >= 0 && dftLength >= 1 && rate >= 1)) {
    fail(`MelWeightMatrix needs num_mel_bins ≥ 0 and positive dft_length and sample_rate, got ${mels}, ${dftLength}, ${rate}`);
  }
  const rows = Math.floor(dftLength / 2) + 1;
  const out = ctx.alloc(0, attrs.type, [rows, mels]);
  const w = new Float64Array(rows * mels);
  const lowMel = hzToMel(lower), step = (hzToMel(upper) - lowMel) / (mels + 2);
  const points = new Int32Array(mels + 2);
  for (let i = 0; i < mels + 2; i++) points[i] = Math.floor(((dftLength + 1) * melToHz(lowMel + i * step)) / rate);
  for (let m = 0; m < mels; m++) {
    const left = points[m], center = points[m + 1], right = points[m + 2];
    if (center === left) setWeight(w, rows, mels, center, m, 1);
    else for (let j = left; j <= center; j++) setWeight(w, rows, mels, j, m, (j - left) / (center - left));
    for (let j = center; j < right; j++) setWeight(w, rows, mels, j, m, (right - j) / (right - center));
  }
  for (let i = 0; i < w.length; i++) storeValue(out, i, w[i]);
  return ctx.done(1);
}

/** Sets w[row, m], ignoring rows past the matrix (possible only through rounding at the upper edge). */
function setWeight(w: Float64Array, rows: number, mels: number, row: number, m: number, v: number): void {
  if (row >= 0 && row < rows) w[row * mels + m] = v;
}
