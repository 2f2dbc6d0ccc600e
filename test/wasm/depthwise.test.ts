// The depthwise 3×3 SIMD kernel called directly, with every epilogue it takes (bias
// and clamp inside the kernel's store; leaky relu as a second SIMD pass; residual and
// the other activations in JavaScript) against a float64 direct convolution passed
// through the JavaScript epilogue: odd widths (partial vectors), both column strides,
// row stride 3, asymmetric pads. Without an epilogue the kernel's store must leave
// every value as computed: −0 and NaN included.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { depthwise3x3Wasm, type Depthwise3x3 } from '../../runtime/wasm/depthwise-wasm.js';
import { FUSED_ACTIVATIONS, finishRow, type Epilogue, type FusedActivation } from '../../runtime/wasm/epilogue.js';
import { wasmKernels } from '../../runtime/wasm/kernels.js';
import { lcgFloats } from '../support/ir-eval.js';

const rand = (n: number, seed: number): Float32Array => Float32Array.from(lcgFloats(n, seed));

const PARAMS: Record<FusedActivation, [number, number]> = {
  none: [0, 0], relu: [0, 0], leakyRelu: [0.1, 0], clip: [-0.3, 0.4], sigmoid: [0, 0], hardSigmoid: [0.2, 0.5], hardSwish: [0, 0],
};

function geometry(C: number, H: number, W: number, sh: number, sw: number, pads: [number, number, number, number]): Depthwise3x3 {
  const [pt, pl, pb, pr] = pads;
  return { C, H, W, OH: Math.floor((H + pt + pb - 3) / sh) + 1, OW: Math.floor((W + pl + pr - 3) / sw) + 1, sh, sw, pt, pl };
}

/** The float64 direct depthwise convolution of channel c at output (oy, ox). */
function direct(g: Depthwise3x3, X: Float32Array, Wt: Float32Array, c: number, oy: number, ox: number): { s: number; mag: number } {
  let s = 0, mag = 0;
  for (let ky = 0; ky < 3; ky++) {
    for (let kx = 0; kx < 3; kx++) {
      const iy = oy * g.sh - g.pt + ky, ix = ox * g.sw - g.pl + kx;
      if (iy < 0 || iy >= g.H || ix < 0 || ix >= g.W) continue;
      const t = X[(c * g.H + iy) * g.W + ix] * Wt[c * 9 + ky * 3 + kx];
      s += t;
      mag += Math.abs(t);
    }
  }
  return { s, mag };
}

test('depthwise 3×3 with a fused epilogue matches the direct convolution + JavaScript epilogue', () => {
  const k = wasmKernels();
  assert.ok(k, 'Node 20 has WebAssembly SIMD');
  let seed = 1;
  const shapes: [number, number, number, number, number, [number, number, number, number]][] = [
    [3, 7, 9, 1, 1, [1, 1, 1, 1]], [5, 8, 13, 2, 2, [1, 1, 1, 1]], [2, 11, 6, 3, 1, [2, 0, 0, 2]], [4, 5, 5, 2, 2, [0, 1, 1, 0]],
  ];
  for (const [C, H, W, sh, sw, pads] of shapes) {
    const g = geometry(C, H, W, sh, sw, pads);
    const X = rand(C * H * W, seed++), Wt = rand(9 * C, seed++), bias = rand(C, seed++), res = rand(1 + C * g.OH * g.OW, seed++); // laid out like Y (from offset 1)
    for (const activation of FUSED_ACTIVATIONS) {
      for (const [withBias, withRes] of [[true, false], [false, false], [true, true], [false, true]] as const) {
        const [alpha, beta] = PARAMS[activation];
        const ep: Epilogue = { bias: withBias ? bias : null, residual: withRes ? res : null, activation, alpha, beta };
        const Y = new Float32Array(1 + C * g.OH * g.OW).fill(7);
        assert.ok(depthwise3x3Wasm(k, g, X, 0, Wt, 0, Y, 1, ep));
        const what = `C=${C} ${H}x${W} s${sh}x${sw} ${activation} bias=${withBias} res=${withRes}`;
        assert.equal(Y[0], 7, `${what}: nothing before the output`);
        const row = new Float64Array(1), out = new Float64Array(1 + C * g.OH * g.OW);
        for (let c = 0; c < C; c++) {
          for (let oy = 0; oy < g.OH; oy++) {
            for (let ox = 0; ox < g.OW; ox++) {
              const { s, mag } = direct(g, X, Wt, c, oy, ox);
              const o = 1 + (c * g.OH + oy) * g.OW + ox;
              row[0] = s;
              finishRow(ep, c, row, 0, out, o, 1);
              assert.ok(Math.abs(Y[o] - out[o]) <= 1e-6 * (1 + mag) * 8, `${what}: [${c},${oy},${ox}] got ${Y[o]} want ${out[o]}`);
            }
          }
        }
      }
    }
  }
});

test('depthwise 3×3 without an epilogue stores the sums unchanged: −0 and NaN survive', () => {
  const k = wasmKernels();
  assert.ok(k);
  const g = geometry(2, 4, 6, 1, 1, [0, 0, 0, 0]); // no padding: every tap is a product of the data
  const X = new Float32Array(2 * 4 * 6).fill(-0);
  X[6 * 2 + 3] = NaN; // channel 0, row 2, column 3
  const Wt = new Float32Array(18).fill(1);
  const Y = new Float32Array(2 * g.OH * g.OW).fill(5);
  assert.ok(depthwise3x3Wasm(k, g, X, 0, Wt, 0, Y, 0, null));
  for (let c = 0; c < 2; c++) {
    for (let oy = 0; oy < g.OH; oy++) {
      for (let ox = 0; ox < g.OW; ox++) {
        const v = Y[(c * g.OH + oy) * g.OW + ox];
        const touchesNaN = c === 0 && oy <= 2 && oy + 2 >= 2 && ox <= 3 && ox + 2 >= 3;
        if (touchesNaN) assert.ok(Number.isNaN(v), `NaN at [${c},${oy},${ox}]`);
        else assert.ok(Object.is(v, -0), `−0 at [${c},${oy},${ox}], got ${v}`);
      }
    }
  }
});
