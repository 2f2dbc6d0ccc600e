// Winograd convolution on the WebAssembly kernels (runtime/wasm/winograd-conv.ts)
// against a float64 direct convolution: odd spatial sizes that leave partial tiles,
// padding 0, 1 and asymmetric, channel counts that are not multiples of 4, batches,
// every fused epilogue; plus the cases it must decline, and Conv nodes through
// generated modules on both backends.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FUSED_ACTIVATIONS, finishRow, type Epilogue, type FusedActivation } from '../../runtime/wasm/epilogue.js';
import { kernelsReady, wasmKernels } from '../../runtime/wasm/kernels.js';
import { winogradConvWasm, type WinogradGeometry, type WinogradTile } from '../../runtime/wasm/winograd-conv.js';
import { lcgFloats } from '../support/ir-eval.js';
import { runOpOnBothBackends } from './run-both.js';

const rand = (n: number, seed: number): Float32Array => Float32Array.from(lcgFloats(n, seed));

interface Case { N: number; C: number; M: number; H: number; W: number; pads: [number, number, number, number] }

function geometry(c: Case): WinogradGeometry {
  const [pt, pl, pb, pr] = c.pads;
  return {
    nd: 2, inSp: [c.H, c.W], kSp: [3, 3], outSp: [c.H + pt + pb - 2, c.W + pl + pr - 2],
    strides: [1, 1], dil: [1, 1], padBegin: [pt, pl],
  };
}

/** Float64 direct convolution and, per output, Σ|x·w| (the scale float32 rounding errors are relative to). */
function directConv(c: Case, X: Float32Array, W: Float32Array): { y: Float64Array; mag: Float64Array } {
  const g = geometry(c), [OH, OW] = g.outSp, [pt, pl] = g.padBegin;
  const y = new Float64Array(c.N * c.M * OH * OW), mag = new Float64Array(y.length);
  for (let n = 0; n < c.N; n++) {
    for (let m = 0; m < c.M; m++) {
      for (let oy = 0; oy < OH; oy++) {
        for (let ox = 0; ox < OW; ox++) {
          let s = 0, a = 0;
          for (let ci = 0; ci < c.C; ci++) {
            for (let ky = 0; ky < 3; ky++) {
              const iy = oy + ky - pt;
              if (iy < 0 || iy >= c.H) continue;
              for (let kx = 0; kx < 3; kx++) {
                const ix = ox + kx - pl;
                if (ix < 0 || ix >= c.W) continue;
                const t = X[((n * c.C + ci) * c.H + iy) * c.W + ix] * W[((m * c.C + ci) * 3 + ky) * 3 + kx];
                s += t; a += Math.abs(t);
              }
            }
          }
          const o = ((n * c.M + m) * OH + oy) * OW + ox;
          y[o] = s; mag[o] = a;
        }
      }
    }
  }
  return { y, mag };
}

/**
 * Largest error allowed relative to 1 + Σ|x·w| (the scale of float32 rounding in any
 * summation order): F(4×4)'s transforms multiply by up to 8 and 1/24, so its
 * rounding errors are larger than F(2×2)'s, whose transforms only add.
 */
const TOLERANCE: Record<WinogradTile, number> = { 2: 2e-6, 4: 2e-5 };

const PARAMS: Record<FusedActivation, [number, number]> = {
  none: [0, 0], relu: [0, 0], leakyRelu: [0.1, 0], clip: [-0.3, 0.4], sigmoid: [0, 0], hardSigmoid: [0.2, 0.5], hardSwish: [0, 0],
};

/**
 * Runs one case through winogradConvWasm and checks every output against the direct
 * float64 convolution followed by the JavaScript epilogue; returns the largest error
 * relative to 1 + Σ|x·w|.
 */
function checkCase(c: Case, ep: Epilogue | null, seed: number, tile: WinogradTile, constW = false): number {
  const k = wasmKernels();
  assert.ok(k?.winograd, 'the Winograd module loads on Node 20');
  const g = geometry(c), [OH, OW] = g.outSp;
  const X = rand(c.N * c.C * c.H * c.W, seed), W = rand(c.M * c.C * 9, seed + 1);
  const Y = new Float32Array(c.N * c.M * OH * OW).fill(Number.NaN);
  assert.ok(winogradConvWasm(k, X, [c.N, c.C, c.H, c.W], W, c.M, g, Y, ep, constW, tile), `applies to ${JSON.stringify(c)}`);
  const { y, mag } = directConv(c, X, W);
  const want = new Float64Array(y.length);
  const plane = OH * OW;
  for (let n = 0; n < c.N; n++) {
    for (let m = 0; m < c.M; m++) {
      const o = (n * c.M + m) * plane;
      if (ep === null) want.set(y.subarray(o, o + plane), o);
      else finishRow(ep, m, y, o, want, o, plane);
    }
  }
  let worst = 0;
  for (let i = 0; i < y.length; i++) {
    const scale = 1 + mag[i] + (ep !== null && ep.residual !== null ? Math.abs(ep.residual[i]) : 0);
    const err = Math.abs(Y[i] - want[i]) / scale;
    assert.ok(err <= TOLERANCE[tile], `F${tile} ${JSON.stringify(c)} ${ep?.activation ?? 'plain'}: y[${i}] = ${Y[i]}, want ${want[i]} (Σ|x·w| ${mag[i]})`);
    worst = Math.max(worst, err);
  }
  return worst;
}

test('Winograd F(2×2, 3×3) matches the direct convolution: partial tiles, padding, ragged channels, batches', async () => {
  await kernelsReady;
  const cases: Case[] = [
    { N: 1, C: 3, M: 5, H: 7, W: 9, pads: [1, 1, 1, 1] },
    { N: 2, C: 17, M: 13, H: 11, W: 6, pads: [0, 0, 0, 0] },
    { N: 1, C: 8, M: 4, H: 5, W: 5, pads: [1, 0, 0, 1] },
    { N: 1, C: 5, M: 7, H: 3, W: 3, pads: [0, 0, 0, 0] },
    { N: 1, C: 4, M: 9, H: 2, W: 17, pads: [1, 1, 1, 1] },
    { N: 1, C: 33, M: 18, H: 14, W: 14, pads: [1, 1, 1, 1] },
    { N: 1, C: 260, M: 6, H: 7, W: 7, pads: [1, 1, 1, 1] }, // K over one 256-long slice of the packed filters
    { N: 1, C: 6, M: 10, H: 30, W: 29, pads: [1, 1, 1, 1] },
  ];
  for (const tile of [2, 4] as const) {
    let seed = 1, worst = 0;
    for (const c of cases) { worst = Math.max(worst, checkCase(c, null, seed, tile)); seed += 2; }
    console.log(`F(${tile}×${tile}, 3×3): largest error / (1 + Σ|x·w|) ${worst.toExponential(2)}`);
    assert.ok(worst > 0);
  }
});

test('Winograd with every fused epilogue: bias, residual and the activation as the JavaScript epilogue', async () => {
  await kernelsReady;
  const c: Case = { N: 2, C: 9, M: 6, H: 7, W: 10, pads: [1, 1, 1, 1] };
  const outLen = c.N * c.M * (c.H) * (c.W);
  const bias = rand(c.M, 77), residual = rand(outLen, 78);
  let seed = 100;
  for (const activation of FUSED_ACTIVATIONS) {
    for (const [withBias, withRes] of [[true, true], [true, false], [false, true], [false, false]] as const) {
      const [alpha, beta] = PARAMS[activation];
      const ep: Epilogue = { bias: withBias ? bias : null, residual: withRes ? residual : null, activation, alpha, beta };
      for (const tile of [2, 4] as const) checkCase(c, ep, seed, tile);
      seed += 2;
    }
  }
});

test('a batch goes through in chunks of images side by side in the products (with residual and bias)', async () => {
  await kernelsReady;
  // 16·(64 + 64)·196 floats of V and P per image: 10 images per chunk, then 2.
  const c: Case = { N: 12, C: 64, M: 64, H: 28, W: 28, pads: [1, 1, 1, 1] };
  const ep: Epilogue = { bias: rand(c.M, 9), residual: rand(c.N * c.M * c.H * c.W, 10), activation: 'relu', alpha: 0, beta: 0 };
  checkCase(c, ep, 11, 2);
});

test('constant weights are transformed once and reused', async () => {
  await kernelsReady;
  const c: Case = { N: 1, C: 20, M: 20, H: 8, W: 8, pads: [1, 1, 1, 1] };
  for (const tile of [2, 4, 2, 4] as const) checkCase(c, null, 5, tile, true); // second call: cached filters of the same array (same seed, same values)
});

test('Winograd declines what it does not cover, and layers too small to pay', async () => {
  await kernelsReady;
  const k = wasmKernels();
  assert.ok(k);
  const base: WinogradGeometry = { nd: 2, inSp: [8, 8], kSp: [3, 3], outSp: [8, 8], strides: [1, 1], dil: [1, 1], padBegin: [1, 1] };
  const X = rand(32 * 64, 1), W = rand(32 * 32 * 25, 2), Y = new Float32Array(32 * 64);
  const dims = [1, 32, 8, 8];
  assert.equal(winogradConvWasm(k, X, dims, W, 32, { ...base, strides: [2, 2], outSp: [4, 4] }, Y, null, false), false);
  assert.equal(winogradConvWasm(k, X, dims, W, 32, { ...base, dil: [2, 2], outSp: [6, 6], padBegin: [1, 1] }, Y, null, false), false);
  assert.equal(winogradConvWasm(k, X, dims, W, 32, { ...base, kSp: [5, 5], padBegin: [2, 2] }, Y, null, false), false);
  assert.equal(winogradConvWasm(k, X, dims, W, 32, { ...base, nd: 1 }, Y, null, false), false);
  assert.equal(winogradConvWasm(k, Float64Array.from(X), dims, W, 32, base, new Float64Array(Y.length), null, false), false);
  assert.equal(winogradConvWasm(k, X, [1, 2, 8, 8], W, 32, base, Y, null, false), false, 'too few channels to pay');
  assert.equal(winogradConvWasm(k, X, dims, W, 32, { ...base, inSp: [4, 4], outSp: [4, 4] }, Y, null, false), false, 'too few tiles to pay');
  const big = { ...base, inSp: [400, 400], outSp: [400, 400] }; // V and P would take 16·2·32·200² floats
  assert.equal(winogradConvWasm(k, new Float32Array(32 * 400 * 400), dims, W, 32, big, new Float32Array(32 * 400 * 400), null, false), false, 'too big');
  assert.equal(winogradConvWasm(k, X, dims, W, 32, base, Y, null, false), true);
});

test('non-finite inputs or weights go the direct way (Winograd would spread them over whole tiles)', async () => {
  await kernelsReady;
  const k = wasmKernels();
  assert.ok(k);
  const g: WinogradGeometry = { nd: 2, inSp: [8, 8], kSp: [3, 3], outSp: [8, 8], strides: [1, 1], dil: [1, 1], padBegin: [1, 1] };
  const dims = [2, 16, 8, 8];
  const W = rand(16 * 16 * 9, 3), Y = new Float32Array(2 * 16 * 64);
  for (const bad of [Number.NaN, Infinity, -Infinity]) {
    for (const at of [0, 16 * 64 + 5, 2 * 16 * 64 - 1]) { // first image, second image, last element
      const X = rand(2 * 16 * 64, 4);
      X[at] = bad;
      assert.equal(winogradConvWasm(k, X, dims, W, 16, g, Y, null, false, 2), false, `input ${bad} at ${at}`);
    }
    const Wbad = W.slice();
    Wbad[100] = bad;
    for (let i = 0; i < 2; i++) assert.equal(winogradConvWasm(k, rand(2 * 16 * 64, 4), dims, Wbad, 16, g, Y, null, true, 2), false, `weight ${bad}`);
  }
  assert.equal(winogradConvWasm(k, rand(2 * 16 * 64, 4), dims, W, 16, g, Y, null, true, 2), true);
  // Through a Conv node: an infinite input poisons exactly the outputs that read it, on both backends.
  const x = rand(16 * 64, 5), w = rand(16 * 16 * 9, 6);
  x[3 * 64 + 2 * 8 + 5] = Infinity;
  const [wasm, js] = await runOpOnBothBackends('Conv', [
    { type: 'float32', dims: [1, 16, 8, 8], data: x }, { type: 'float32', dims: [16, 16, 3, 3], data: w },
  ], { pads: [1, 1, 1, 1] });
  const a = wasm.outputs[0].data as Float32Array, r = js.outputs[0].data as Float32Array;
  // Input (3, 2, 5) is read by the 3×3 outputs around (2, 5) of every output channel.
  const reads = (i: number): boolean => Math.abs(Math.floor((i % 64) / 8) - 2) <= 1 && Math.abs((i % 8) - 5) <= 1;
  for (let i = 0; i < a.length; i++) {
    assert.equal(Number.isFinite(a[i]), !reads(i), `wasm output ${i}: ${a[i]}`);
    assert.equal(Number.isFinite(r[i]), !reads(i), `js output ${i}: ${r[i]}`);
  }
});

test('Conv nodes (3×3, stride 1) agree on the WebAssembly (Winograd) and JavaScript backends', async () => {
  let seed = 300;
  for (const [C, M, H, W, pads] of [[16, 24, 9, 13, [1, 1, 1, 1]], [32, 16, 6, 7, [0, 0, 0, 0]], [20, 20, 5, 8, [1, 0, 1, 0]]] as const) {
    const x = rand(C * H * W, seed++), w = rand(M * C * 9, seed++), b = rand(M, seed++);
    const [wasm, js] = await runOpOnBothBackends('Conv', [
      { type: 'float32', dims: [1, C, H, W], data: x },
      { type: 'float32', dims: [M, C, 3, 3], data: w },
      { type: 'float32', dims: [M], data: b },
    ], { pads: [...pads], kernel_shape: [3, 3] });
    assert.equal(wasm.backend, 'wasm-simd');
    assert.equal(js.backend, 'js');
    const a = wasm.outputs[0].data as Float32Array, r = js.outputs[0].data as Float32Array;
    assert.equal(a.length, r.length);
    const { y, mag } = directConv({ N: 1, C, M, H, W, pads: [...pads] }, x, w);
    for (let i = 0; i < a.length; i++) {
      const m = Math.floor(i / (a.length / M));
      const want = y[i] + b[m], tol = 2e-6 * (1 + mag[i] + Math.abs(b[m]));
      assert.ok(Math.abs(a[i] - want) <= tol, `wasm y[${i}] ${a[i]} want ${want}`);
      assert.ok(Math.abs(r[i] - want) <= tol, `js y[${i}] ${r[i]} want ${want}`);
    }
  }
});
