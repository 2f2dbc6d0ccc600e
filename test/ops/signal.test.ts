// Signal ops: DFT lengths the conformance suite does not reach (power-of-two,
// short direct, Bluestein, padding and truncation), real/complex input in both
// directions, irfft, axis handling at opsets 17 and 20, STFT with windows and
// complex signals, the window functions' output types and edge sizes, and
// MelWeightMatrix details. Expected transforms are plain O(n²) float64 sums.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runOp, type OpInput } from './helpers.js';

function values(n: number, seed: number): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround(s / 2 ** 32 * 2 - 1);
  });
}

const f32 = (dims: number[], data: number[]): OpInput => ({ type: 'float32', dims, data });
const f64 = (dims: number[], data: number[]): OpInput => ({ type: 'float64', dims, data });
const i64 = (v: number): OpInput => ({ type: 'int64', dims: [], data: [v] });
const i32 = (v: number): OpInput => ({ type: 'int32', dims: [], data: [v] });

/** |got − want| ≤ tol · max|want| elementwise (the scale of a transform's output). */
function assertNear(got: ArrayLike<unknown>, want: readonly number[], tol: number, what = ''): void {
  assert.equal(got.length, want.length, `${what} length`);
  let scale = 1e-30;
  for (const w of want) scale = Math.max(scale, Math.abs(w));
  for (let i = 0; i < want.length; i++) {
    const g = Number(got[i]);
    assert.ok(Math.abs(g - want[i]) <= tol * scale, `${what} element ${i}: got ${g}, want ${want[i]}`);
  }
}

/** Naive DFT of one complex line of length n (input zero-padded or cut to n); inverse includes 1/n. */
function naiveDft(re: readonly number[], im: readonly number[], n: number, inverse: boolean): { re: number[]; im: number[] } {
  const sign = inverse ? 1 : -1, outRe: number[] = [], outIm: number[] = [];
  for (let k = 0; k < n; k++) {
    let sr = 0, si = 0;
    for (let j = 0; j < Math.min(n, re.length); j++) {
      const a = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      sr += re[j] * Math.cos(a) - im[j] * Math.sin(a);
      si += re[j] * Math.sin(a) + im[j] * Math.cos(a);
    }
    outRe.push(inverse ? sr / n : sr);
    outIm.push(inverse ? si / n : si);
  }
  return { re: outRe, im: outIm };
}

/**
 * Expected DFT output of x [outer, len, inner, c] along axis 1: [outer, bins, inner, 2].
 */
function expectedDft(x: readonly number[], outer: number, len: number, inner: number, c: number, n: number, inverse: boolean, bins = n): number[] {
  const out = new Array<number>(outer * bins * inner * 2);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const re: number[] = [], im: number[] = [];
      for (let j = 0; j < len; j++) {
        const p = ((o * len + j) * inner + i) * c;
        re.push(x[p]);
        im.push(c === 2 ? x[p + 1] : 0);
      }
      const y = naiveDft(re, im, n, inverse);
      for (let k = 0; k < bins; k++) {
        const q = ((o * bins + k) * inner + i) * 2;
        out[q] = y.re[k];
        out[q + 1] = y.im[k];
      }
    }
  }
  return out;
}

// --------------------------------------------------------------------- DFT

test('DFT forward and inverse over every kind of length (radix-2, direct, Bluestein), real and complex', async () => {
  for (const n of [1, 2, 7, 16, 33, 100, 128]) {
    for (const c of [1, 2]) {
      const x = values(2 * n * 3 * c, n * 10 + c);
      for (const inverse of [0, 1]) {
        const [y] = await runOp('DFT', [f64([2, n, 3, c], x), null, i64(1)], { inverse }, { opset: 20 });
        assert.deepEqual(y.dims, [2, n, 3, 2]);
        assertNear(y.data, expectedDft(x, 2, n, 3, c, n, inverse === 1), 1e-12, `n=${n} c=${c} inverse=${inverse}`);
      }
    }
  }
});

test('DFT dft_length zero-pads or truncates the signal; onesided keeps ⌊n/2⌋+1 bins', async () => {
  const x = values(12, 3);
  for (const n of [5, 8, 12, 17]) {
    const [y] = await runOp('DFT', [f32([1, 12, 1], x), i64(n)], { axis: 1 }, { opset: 17 });
    assert.deepEqual(y.dims, [1, n, 2]);
    assertNear(y.data, expectedDft(x, 1, 12, 1, 1, n, false), 1e-6, `n=${n}`);
    const [h] = await runOp('DFT', [f32([1, 12, 1], x), { type: 'int32', dims: [], data: [n] }], { axis: 1, onesided: 1 }, { opset: 17 });
    const bins = Math.floor(n / 2) + 1;
    assert.deepEqual(h.dims, [1, bins, 2]);
    assertNear(h.data, expectedDft(x, 1, 12, 1, 1, n, false, bins), 1e-6, `onesided n=${n}`);
  }
});

test('DFT axis: attribute (default 1) at opset 17, input (default -2) at opset 20, negative values', async () => {
  const x = values(2 * 3 * 4, 5); // [2, 3, 4, 1]
  // Along axis 2 (length 4): outer 2·3, inner 1.
  const want2 = expectedDft(x, 6, 4, 1, 1, 4, false);
  const [a] = await runOp('DFT', [f32([2, 3, 4, 1], x)], { axis: 2 }, { opset: 17 });
  assertNear(a.data, want2, 1e-6, 'opset 17 axis 2');
  const [b] = await runOp('DFT', [f32([2, 3, 4, 1], x)], {}, { opset: 20 });
  assertNear(b.data, want2, 1e-6, 'opset 20 default -2');
  const [c] = await runOp('DFT', [f32([2, 3, 4, 1], x), null, i64(-2)], {}, { opset: 20 });
  assertNear(c.data, want2, 1e-6, 'opset 20 axis -2');
  // Along axis 1 (length 3): outer 2, inner 4.
  const want1 = expectedDft(x, 2, 3, 4, 1, 3, false);
  const [d] = await runOp('DFT', [f32([2, 3, 4, 1], x)], {}, { opset: 17 });
  assertNear(d.data, want1, 1e-6, 'opset 17 default 1');
  const [e] = await runOp('DFT', [f32([2, 3, 4, 1], x), null, i64(-3)], {}, { opset: 20, constInputs: [2] });
  assert.deepEqual(e.dims, [2, 3, 4, 2]);
  assertNear(e.data, want1, 1e-6, 'opset 20 axis -3 (constant)');
});

test('DFT inverse of a forward transform restores the signal', async () => {
  const x = values(2 * 45 * 2, 9);
  const [fwd] = await runOp('DFT', [f64([2, 45, 2], x)], { axis: 1 }, { opset: 17 });
  const [back] = await runOp('DFT', [f64([2, 45, 2], Array.from(fwd.data as ArrayLike<number>))], { axis: 1, inverse: 1 }, { opset: 17 });
  assertNear(back.data, x, 1e-13);
});

/** numpy's irfft along axis 1 of [1, bins, 2]: bins beyond n/2 are ignored, the spectrum made Hermitian. */
function expectedIrfft(spec: readonly number[], bins: number, n: number): number[] {
  const re = new Array<number>(n).fill(0), im = new Array<number>(n).fill(0);
  const used = Math.min(bins, Math.floor(n / 2) + 1);
  for (let k = 0; k < used; k++) { re[k] = spec[2 * k]; im[k] = spec[2 * k + 1]; }
  for (let k = 1; k < used; k++) if (n - k > k) { re[n - k] = re[k]; im[n - k] = -im[k]; }
  return naiveDft(re, im, n, true).re;
}

test('DFT inverse + onesided is irfft: default length 2·(bins−1), odd and short dft_length', async () => {
  const bins = 6;
  const spec = values(bins * 2, 13);
  const [y] = await runOp('DFT', [f64([1, bins, 2], spec)], { inverse: 1, onesided: 1 }, { opset: 20 });
  assert.deepEqual(y.dims, [1, 10, 1]);
  assertNear(y.data, expectedIrfft(spec, bins, 10), 1e-12, 'default length');
  for (const n of [11, 6, 3]) {
    const [z] = await runOp('DFT', [f64([1, bins, 2], spec), i64(n)], { inverse: 1, onesided: 1 }, { opset: 20 });
    assert.deepEqual(z.dims, [1, n, 1]);
    assertNear(z.data, expectedIrfft(spec, bins, n), 1e-12, `n=${n}`);
  }
  // A real spectrum (last dim 1) is accepted: its imaginary parts are zero.
  const realSpec = values(bins, 17);
  const [r] = await runOp('DFT', [f64([1, bins, 1], realSpec)], { axis: 1, inverse: 1, onesided: 1 }, { opset: 17 });
  assertNear(r.data, expectedIrfft(realSpec.flatMap((v) => [v, 0]), bins, 10), 1e-12, 'real spectrum');
});

test('DFT rfft → irfft round trip for an odd length', async () => {
  const x = values(9, 19);
  const [spec] = await runOp('DFT', [f64([1, 9, 1], x)], { onesided: 1 }, { opset: 20 });
  assert.deepEqual(spec.dims, [1, 5, 2]);
  const [back] = await runOp('DFT', [f64([1, 5, 2], Array.from(spec.data as ArrayLike<number>)), i64(9)], { inverse: 1, onesided: 1 }, { opset: 20 });
  assertNear(back.data, x, 1e-13);
});

test('DFT rejects a last dimension other than 1 or 2 and the complex axis', async () => {
  await assert.rejects(runOp('DFT', [f32([4, 3], values(12, 1))], {}, { opset: 20 }), /last dimension must be 1 \(real\) or 2 \(complex\)/);
  await assert.rejects(runOp('DFT', [f32([4, 2], values(8, 1)), null, i64(-1)], {}, { opset: 20 }), /axis -1 is out of range/);
  await assert.rejects(runOp('DFT', [f32([4, 2], values(8, 1)), i64(0)], {}, { opset: 20 }), /DFT length must be a positive integer/);
});

// --------------------------------------------------------------------- STFT

/** Expected STFT of signal [batch, len, c] with window w (DFT length n), output [batch, frames, bins, 2]. */
function expectedStft(x: readonly number[], batch: number, len: number, c: number, step: number, w: readonly number[] | null, n: number, onesided: boolean): number[] {
  const frames = len >= n ? 1 + Math.floor((len - n) / step) : 0, bins = onesided ? Math.floor(n / 2) + 1 : n;
  const width = Math.min(w ? w.length : n, n);
  const out: number[] = [];
  for (let b = 0; b < batch; b++) {
    for (let f = 0; f < frames; f++) {
      const re: number[] = [], im: number[] = [];
      for (let j = 0; j < n; j++) {
        const s = f * step + j, inside = j < width && s < len, p = (b * len + s) * c;
        const wj = w ? w[j] : 1;
        re.push(inside ? x[p] * wj : 0);
        im.push(inside && c === 2 ? x[p + 1] * wj : 0);
      }
      const y = naiveDft(re, im, n, false);
      for (let k = 0; k < bins; k++) out.push(y.re[k], y.im[k]);
    }
  }
  return out;
}

test('STFT: frame_length only, a window only, both, onesided and two-sided, complex signals', async () => {
  const real = values(2 * 50, 23), complex = values(40 * 2, 29), win = values(12, 31).map((v) => 0.5 + v / 2);
  const [a] = await runOp('STFT', [f32([2, 50, 1], real), i64(7), null, i64(16)], {}, { opset: 17 });
  assert.deepEqual(a.dims, [2, 5, 9, 2]);
  assertNear(a.data, expectedStft(real, 2, 50, 1, 7, null, 16, true), 1e-6, 'frame_length');
  const [b] = await runOp('STFT', [f32([2, 50, 1], real), i64(5), f32([12], win)], { onesided: 0 }, { opset: 17 });
  assert.deepEqual(b.dims, [2, 8, 12, 2]);
  assertNear(b.data, expectedStft(real, 2, 50, 1, 5, win, 12, false), 1e-6, 'window, two-sided');
  const [c] = await runOp('STFT', [f32([1, 40, 2], complex), i64(6), f32([12], win), i64(12)], { onesided: 0 }, { opset: 17 });
  assertNear(c.data, expectedStft(complex, 1, 40, 2, 6, win, 12, false), 1e-6, 'complex signal');
  // A window shorter than frame_length is zero-padded to the DFT length.
  const [d] = await runOp('STFT', [f64([1, 40, 1], real.slice(0, 40)), { type: 'int32', dims: [], data: [10] }, f64([12], win), { type: 'int32', dims: [], data: [16] }], {}, { opset: 17 });
  assert.deepEqual(d.dims, [1, 3, 9, 2]);
  assertNear(d.data, expectedStft(real.slice(0, 40), 1, 40, 1, 10, win, 16, true), 1e-12, 'short window');
});

test('STFT of a signal shorter than the frame has no frames; bad frame_step is an error', async () => {
  const [y] = await runOp('STFT', [f32([1, 5, 1], values(5, 1)), i64(2), null, i64(8)], {}, { opset: 17 });
  assert.deepEqual(y.dims, [1, 0, 5, 2]);
  await assert.rejects(runOp('STFT', [f32([1, 5, 1], values(5, 1)), i64(0), null, i64(4)], {}, { opset: 17 }), /frame_step must be positive/);
});

// ------------------------------------------------------------------ windows

const WINDOWS: Record<string, (k: number, N: number) => number> = {
  HannWindow: (k, N) => 0.5 - 0.5 * Math.cos((2 * Math.PI * k) / N),
  HammingWindow: (k, N) => 25 / 46 - (21 / 46) * Math.cos((2 * Math.PI * k) / N),
  BlackmanWindow: (k, N) => 0.42 - 0.5 * Math.cos((2 * Math.PI * k) / N) + 0.08 * Math.cos((4 * Math.PI * k) / N),
};

test('windows: periodic and symmetric, float64 output, int64 size', async () => {
  for (const [op, fn] of Object.entries(WINDOWS)) {
    for (const periodic of [0, 1]) {
      const size = 9;
      const [y] = await runOp(op, [i64(size)], { periodic, output_datatype: 11 /* double */ }, { opset: 17 });
      assert.equal(y.type, 'float64');
      const N = periodic ? size : size - 1;
      assertNear(y.data, Array.from({ length: size }, (_, k) => fn(k, N)), 1e-15, `${op} periodic=${periodic}`);
    }
  }
});

test('windows: integer and float16 output types, sizes 0 and 1', async () => {
  const [h] = await runOp('HannWindow', [i32(4)], { output_datatype: 10 /* float16 */ }, { opset: 17 });
  assert.equal(h.type, 'float16');
  const [i] = await runOp('HammingWindow', [i32(5)], { output_datatype: 7 /* int64 */, periodic: 0 }, { opset: 17 });
  assert.equal(i.type, 'int64');
  assert.deepEqual(Array.from(i.data as ArrayLike<bigint>), [0n, 0n, 1n, 0n, 0n]); // truncated toward zero
  const [e] = await runOp('BlackmanWindow', [i32(0)], {}, { opset: 17 });
  assert.deepEqual(e.dims, [0]);
  for (const op of Object.keys(WINDOWS)) {
    const [one] = await runOp(op, [i32(1)], { periodic: 0 }, { opset: 17 });
    assert.deepEqual(Array.from(one.data as ArrayLike<number>), [1], `${op} symmetric size 1`);
  }
  await assert.rejects(runOp('HannWindow', [i32(4)], { output_datatype: 9 /* bool */ }, { opset: 17 }), /must be a numeric type/);
});

// ----------------------------------------------------------- MelWeightMatrix

/** The spectrogram bins of the num_mel_bins + 2 filter edges. */
function melPoints(mels: number, dft: number, rate: number, lower: number, upper: number): number[] {
  const toMel = (hz: number): number => 2595 * Math.log10(1 + hz / 700);
  const lowMel = toMel(lower), step = (toMel(upper) - lowMel) / (mels + 2);
  return Array.from({ length: mels + 2 }, (_, i) => Math.floor(((dft + 1) * 700 * (10 ** ((lowMel + i * step) / 2595) - 1)) / rate));
}

/** The reference construction of the filter bank, transcribed from the ONNX definition. */
function expectedMel(mels: number, dft: number, rate: number, lower: number, upper: number): number[] {
  const rows = Math.floor(dft / 2) + 1, out = new Array<number>(rows * mels).fill(0);
  const pts = melPoints(mels, dft, rate, lower, upper);
  for (let m = 0; m < mels; m++) {
    const [l, c, r] = [pts[m], pts[m + 1], pts[m + 2]];
    if (c === l) out[c * mels + m] = 1;
    else for (let j = l; j <= c; j++) out[j * mels + m] = (j - l) / (c - l);
    for (let j = c; j < r; j++) out[j * mels + m] = (r - j) / (r - c);
  }
  return out;
}

test('MelWeightMatrix: shape, triangles and output_datatype', async () => {
  const [y] = await runOp('MelWeightMatrix', [i64(10), i64(64), i64(16000), f32([], [100]), f32([], [7000])], { output_datatype: 11 }, { opset: 17 });
  assert.equal(y.type, 'float64');
  assert.deepEqual(y.dims, [33, 10]);
  assertNear(y.data, expectedMel(10, 64, 16000, 100, 7000), 1e-15);
  // Narrow bands collapse (center == left): a single 1 at the center bin.
  const [z] = await runOp('MelWeightMatrix', [i32(6), i32(16), i32(8000), f64([], [0]), f64([], [1000])], {}, { opset: 17 });
  assert.equal(z.type, 'float32');
  const pts = melPoints(6, 16, 8000, 0, 1000);
  assert.ok(pts.some((p, i) => i < 6 && pts[i + 1] === p), 'the case exercises a collapsed band');
  assertNear(z.data, expectedMel(6, 16, 8000, 0, 1000), 1e-7);
});
