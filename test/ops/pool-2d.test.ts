// The 2-D pooling fast paths (runtime/tensor/pool.ts) against the N-D walker they
// replace for dilation-1 2-D windows: bitwise-identical outputs over odd sizes, pads,
// strides, ceil_mode, auto_pad and count_include_pad, with NaN, ±Infinity and -0 in
// the data; integer MaxPool; and GlobalAveragePool's unrolled sum.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  averagePool, genericAveragePool, genericMaxPool, globalAveragePool, maxPool,
  type AutoPad, type AveragePoolAttrs, type MaxPoolAttrs,
} from '../../runtime/tensor/pool.js';
import { NodeCtx, type Tensor } from '../../runtime/tensor/tensor.js';
import { seededRandom } from '../../bench/support/nets/net-builder.js';

interface Case {
  readonly h: number; readonly w: number;
  readonly kh: number; readonly kw: number;
  readonly sh: number; readonly sw: number;
  readonly pads: readonly number[];
  readonly autoPad: AutoPad;
  readonly ceilMode: boolean;
}

/** Every combination of a few odd and even geometries (a few thousand cases, all tiny). */
function* cases(): Generator<Case> {
  const sizes: [number, number][] = [[1, 1], [2, 3], [5, 5], [7, 4], [8, 8], [9, 11], [14, 13]];
  const kernels: [number, number][] = [[1, 1], [2, 2], [3, 3], [2, 3], [3, 2], [4, 4], [5, 3]];
  const strides: [number, number][] = [[1, 1], [2, 2], [3, 2], [1, 3]];
  for (const [h, w] of sizes) {
    for (const [kh, kw] of kernels) {
      for (const [sh, sw] of strides) {
        for (const autoPad of ['NOTSET', 'VALID', 'SAME_UPPER', 'SAME_LOWER'] as const) {
          const padSets = autoPad === 'NOTSET'
            ? [[0, 0, 0, 0], [1, 1, 1, 1], [kh - 1, 0, 0, kw - 1], [0, kw - 1, kh - 1, 1 % kw]] : [[0, 0, 0, 0]];
          for (const pads of padSets) {
            for (const ceilMode of autoPad === 'NOTSET' ? [false, true] : [false]) {
              // ONNX requires pads smaller than the kernel; the walker rejects windows larger than the padded input.
              if (pads[0] >= kh || pads[2] >= kh || pads[1] >= kw || pads[3] >= kw) continue;
              if (autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER' && (h + pads[0] + pads[2] < kh || w + pads[1] + pads[3] < kw)) continue;
              yield { h, w, kh, kw, sh, sw, pads, autoPad, ceilMode };
            }
          }
        }
      }
    }
  }
}

function input(type: 'float32' | 'int8', n: number, c: number, h: number, w: number, random: () => number): Tensor {
  const size = n * c * h * w;
  if (type === 'int8') return { type, dims: [n, c, h, w], data: Int8Array.from({ length: size }, () => Math.floor(random() * 256) - 128) };
  const data = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    const r = random();
    // Mostly ordinary values, with ties, -0, ±Infinity and NaN sprinkled in.
    data[i] = r < 0.02 ? NaN : r < 0.04 ? -Infinity : r < 0.05 ? Infinity : r < 0.07 ? -0 : r < 0.2 ? 0.5 : (random() - 0.5) * 8;
  }
  return { type, dims: [n, c, h, w], data };
}

/** Bitwise equality of two outputs (Object.is: NaN equals NaN, -0 differs from 0). */
function assertSame(actual: Tensor, expected: Tensor, what: string): void {
  assert.deepEqual(actual.dims, expected.dims, what);
  const a = actual.data as Float32Array, e = expected.data as Float32Array;
  for (let i = 0; i < e.length; i++) {
    if (!Object.is(a[i], e[i])) assert.fail(`${what}: element ${i} is ${a[i]}, the N-D walker gives ${e[i]}`);
  }
}

const describe = (c: Case): string => `${c.h}×${c.w} k${c.kh}×${c.kw} s${c.sh}×${c.sw} pads [${c.pads}] ${c.autoPad}${c.ceilMode ? ' ceil' : ''}`;

test('2-D MaxPool fast path equals the N-D walker (float32 with NaN/±Inf/-0, and int8)', () => {
  const random = seededRandom(11);
  let count = 0;
  for (const c of cases()) {
    const attrs: MaxPoolAttrs = {
      kernel: [c.kh, c.kw], strides: [c.sh, c.sw], dilations: [1, 1], pads: c.pads, autoPad: c.autoPad,
      ceilMode: c.ceilMode, storageOrder: 0, indices: false,
    };
    for (const type of ['float32', 'int8'] as const) {
      const x = input(type, 2, 3, c.h, c.w, random);
      const [fast] = maxPool(new NodeCtx('fast', true), [x], attrs);
      const [slow] = genericMaxPool(new NodeCtx('slow', true), [x], attrs);
      assert.equal(fast.type, type);
      assertSame(fast, slow, `MaxPool ${type} ${describe(c)}`);
      count++;
    }
  }
  assert.ok(count > 1000, `only ${count} cases ran`);
});

test('2-D AveragePool fast path equals the N-D walker, with and without count_include_pad', () => {
  const random = seededRandom(12);
  let count = 0;
  for (const c of cases()) {
    for (const countIncludePad of [false, true]) {
      const attrs: AveragePoolAttrs = {
        kernel: [c.kh, c.kw], strides: [c.sh, c.sw], dilations: [1, 1], pads: c.pads, autoPad: c.autoPad,
        ceilMode: c.ceilMode, countIncludePad,
      };
      const x = input('float32', 1, 2, c.h, c.w, random);
      const [fast] = averagePool(new NodeCtx('fast', true), [x], attrs);
      const [slow] = genericAveragePool(new NodeCtx('slow', true), [x], attrs);
      assertSame(fast, slow, `AveragePool${countIncludePad ? ' count_include_pad' : ''} ${describe(c)}`);
      count++;
    }
  }
  assert.ok(count > 1000, `only ${count} cases ran`);
});

test('dilated and 1-D/3-D pools still take the N-D walker and agree with it', () => {
  const random = seededRandom(13);
  const x = input('float32', 1, 2, 9, 10, random);
  const attrs: MaxPoolAttrs = { kernel: [3, 3], strides: [2, 1], dilations: [2, 3], pads: [1, 2, 2, 1], autoPad: 'NOTSET', ceilMode: true, storageOrder: 0, indices: false };
  assertSame(maxPool(new NodeCtx('a', true), [x], attrs)[0], genericMaxPool(new NodeCtx('b', true), [x], attrs)[0], 'dilated MaxPool');
  const x3: Tensor = { type: 'float32', dims: [1, 1, 3, 4, 5], data: Float32Array.from({ length: 60 }, (_, i) => (i * 7) % 13) };
  const a3: AveragePoolAttrs = { kernel: [2, 2, 2], strides: [1, 2, 2], dilations: [1, 1, 1], pads: [0, 0, 1, 1, 1, 0], autoPad: 'NOTSET', ceilMode: false, countIncludePad: true };
  assertSame(averagePool(new NodeCtx('a', true), [x3], a3)[0], genericAveragePool(new NodeCtx('b', true), [x3], a3)[0], '3-D AveragePool');
});

test('the 3×3 stride-2 pad-1 MaxPool of ResNet on a known plane', () => {
  // 5×5 plane holding 0..24: each output is the bottom-right tap of its clipped window.
  const x: Tensor = { type: 'float32', dims: [1, 1, 5, 5], data: Float32Array.from({ length: 25 }, (_, i) => i) };
  const attrs: MaxPoolAttrs = { kernel: [3, 3], strides: [2, 2], dilations: [1, 1], pads: [1, 1, 1, 1], autoPad: 'NOTSET', ceilMode: false, storageOrder: 0, indices: false };
  const [y] = maxPool(new NodeCtx('m', true), [x], attrs);
  assert.deepEqual(y.dims, [1, 1, 3, 3]);
  assert.deepEqual(Array.from(y.data as Float32Array), [6, 8, 9, 16, 18, 19, 21, 23, 24]);
});

test('GlobalAveragePool sums each plane (unrolled) as a plain float64 sum does', () => {
  const random = seededRandom(14);
  for (const size of [1, 3, 4, 5, 7, 49, 50, 197]) {
    const x: Tensor = { type: 'float32', dims: [2, 3, size], data: Float32Array.from({ length: 6 * size }, () => (random() - 0.5) * 100) };
    const [y] = globalAveragePool(new NodeCtx('g', true), [x]);
    assert.deepEqual(y.dims, [2, 3, 1]);
    const xd = x.data as Float32Array;
    for (let p = 0; p < 6; p++) {
      let s = 0;
      for (let i = 0; i < size; i++) s += xd[p * size + i];
      assert.equal((y.data as Float32Array)[p], Math.fround(s / size), `plane ${p} of size ${size}`);
    }
  }
  const withNaN: Tensor = { type: 'float32', dims: [1, 1, 2, 3], data: Float32Array.of(1, 2, NaN, 4, 5, 6) };
  assert.ok(Number.isNaN((globalAveragePool(new NodeCtx('n', true), [withNaN])[0].data as Float32Array)[0]));
});
