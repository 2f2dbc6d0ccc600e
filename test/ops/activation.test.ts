// Activation ops: cases the ONNX conformance suite leaves out (integer types,
// float16/float64, old opsets, numerically hard inputs, Dropout's modes).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dropout, relu } from '../../runtime/tensor/activation.js';
import { float16BitsToFloat } from '../../runtime/tensor/float16.js';
import { NodeCtx, type Tensor } from '../../runtime/tensor/tensor.js';
import { runOp, type OpInput, assertClose } from './helpers.js';

const f32 = (dims: number[], data: number[]): OpInput => ({ type: 'float32', dims, data });
const f64 = (dims: number[], data: number[]): OpInput => ({ type: 'float64', dims, data });


async function one(op: string, inputs: (OpInput | null)[], attrs = {}, opts = {}): Promise<{ type: string; dims: number[]; data: ArrayLike<unknown> }> {
  const [y] = await runOp(op, inputs, attrs, opts);
  return y;
}

// ---------------------------------------------------------------- Relu family

test('Relu on signed integer types (opset 14), NaN propagates for floats', async () => {
  const i8 = await one('Relu', [{ type: 'int8', dims: [4], data: [-128, -1, 0, 127] }], {}, { opset: 14 });
  assert.equal(i8.type, 'int8');
  assert.deepEqual(Array.from(i8.data), [0, 0, 0, 127]);
  const i64 = await one('Relu', [{ type: 'int64', dims: [3], data: [-5, 0, 2 ** 40] }], {}, { opset: 14 });
  assert.deepEqual(Array.from(i64.data), [0n, 0n, 2n ** 40n]);
  const f = await one('Relu', [f32([3], [NaN, -2, 3])]);
  assertClose(f.data, [NaN, 0, 3]);
});

test('Relu before opset 14 rejects integer inputs', async () => {
  await assert.rejects(runOp('Relu', [{ type: 'int32', dims: [1], data: [1] }], {}, { opset: 13 }), /element type int32/);
});

test('LeakyRelu, ThresholdedRelu, Elu and Celu on float64 with non-default attributes', async () => {
  const x = [-2, -0.5, 0, 0.5, 2];
  assertClose((await one('LeakyRelu', [f64([5], x)], { alpha: { float: 0.25 } })).data, [-0.5, -0.125, 0, 0.5, 2]);
  assertClose((await one('ThresholdedRelu', [f64([5], x)], { alpha: { float: 0.5 } })).data, [0, 0, 0, 0, 2]);
  assertClose((await one('Elu', [f64([5], x)], { alpha: { float: 2 } })).data, x.map((v) => (v < 0 ? 2 * Math.expm1(v) : v)));
  assertClose((await one('Celu', [f64([5], x)], { alpha: { float: 0.5 } })).data,
    x.map((v) => Math.max(0, v) + Math.min(0, 0.5 * (Math.exp(v / 0.5) - 1))));
});

test('Selu defaults on float64 and opset 1 (legacy attributes ignored)', async () => {
  const a = 1.67326319217681884765625, g = 1.05070102214813232421875;
  const y = await one('Selu', [f64([3], [-1, 0, 2])], { consumed_inputs: [0] }, { opset: 1 });
  assertClose(y.data, [g * a * (Math.exp(-1) - 1), 0, 2 * g]);
});

// ------------------------------------------------------------------- PRelu

test('PRelu broadcasts a [C,1,1] slope over NCHW (opset 16)', async () => {
  const x = Array.from({ length: 2 * 3 * 2 * 2 }, (_, i) => (i % 2 === 0 ? -1 : 1) * (i + 1));
  const slope = [0.5, 2, -1];
  const y = await one('PRelu', [f32([2, 3, 2, 2], x), f32([3, 1, 1], slope)], {}, { opset: 16 });
  const want = x.map((v, i) => (v < 0 ? slope[Math.floor(i / 4) % 3] * v : v));
  assertClose(y.data, want);
});

test('PRelu with a [H,1] slope broadcasts along a middle axis', async () => {
  const x = [-1, -2, -3, -4, -5, -6, 7, -8, -9, -10, -11, -12];
  const y = await one('PRelu', [f32([2, 3, 2], x), f32([3, 1], [1, 10, 100])], {}, { opset: 16 });
  assertClose(y.data, [-1, -2, -30, -40, -500, -600, 7, -8, -90, -100, -1100, -1200]);
});

test('PRelu opset 6: a 1-D slope of length C is per channel, not per last axis', async () => {
  const x = Array.from({ length: 2 * 3 * 3 }, () => -1);
  const y = await one('PRelu', [f32([2, 3, 3], x), f32([3], [1, 2, 3])], {}, { opset: 6, constInputs: [1] });
  assertClose(y.data, Array.from({ length: 18 }, (_, i) => -(Math.floor(i / 3) % 3 + 1)));
  // From opset 7 the same slope broadcasts along the last axis.
  const y7 = await one('PRelu', [f32([2, 3, 3], x), f32([3], [1, 2, 3])], {}, { opset: 7, constInputs: [1] });
  assertClose(y7.data, Array.from({ length: 18 }, (_, i) => -((i % 3) + 1)));
});

test('PRelu rejects a slope that does not broadcast to X', async () => {
  await assert.rejects(runOp('PRelu', [f32([2, 3], [1, 2, 3, 4, 5, 6]), f32([2], [1, 1])], {}, { opset: 16 }), /cannot be broadcast/);
});

test('PRelu on integer types: int32 wraps like C, int64 exact, uint32 unchanged', async () => {
  const i32 = await one('PRelu', [{ type: 'int32', dims: [3], data: [-3, 4, -(2 ** 30)] }, { type: 'int32', dims: [1], data: [5] }], {}, { opset: 16 });
  assert.deepEqual(Array.from(i32.data), [-15, 4, Math.imul(-(2 ** 30), 5)]);
  const i64 = await one('PRelu', [{ type: 'int64', dims: [2], data: [-(2 ** 40), 7] }, { type: 'int64', dims: [2], data: [3, 3] }], {}, { opset: 16 });
  assert.deepEqual(Array.from(i64.data), [-3n * 2n ** 40n, 7n]);
  const u32 = await one('PRelu', [{ type: 'uint32', dims: [2], data: [0, 4000000000] }, { type: 'uint32', dims: [1], data: [2] }], {}, { opset: 16 });
  assert.deepEqual(Array.from(u32.data), [0, 4000000000]);
});

// ---------------------------------------------------- sigmoid-like squashers

test('Sigmoid, Softplus and Mish stay finite and accurate at extreme inputs', async () => {
  const x = [-1000, -40, 0, 40, 1000];
  assertClose((await one('Sigmoid', [f64([5], x)])).data, [0, 1 / (1 + Math.exp(40)), 0.5, 1 / (1 + Math.exp(-40)), 1], 1e-12, 0);
  assertClose((await one('Softplus', [f64([5], x)])).data, [0, Math.log1p(Math.exp(-40)), Math.LN2, 40 + Math.log1p(Math.exp(-40)), 1000], 1e-12, 0);
  const mish = await one('Mish', [f64([5], x)]);
  assertClose(mish.data, [-0, -40 * Math.tanh(Math.log1p(Math.exp(-40))), 0, 40, 1000], 1e-12, 0);
});

test('HardSigmoid, HardSwish and Softsign on float16', async () => {
  const x = [-4, -1, 0, 1.5, 4];
  const h16 = (t: { data: ArrayLike<unknown> }) => Array.from(t.data as ArrayLike<number>, float16BitsToFloat);
  const hs = await one('HardSigmoid', [{ type: 'float16', dims: [5], data: x }], { alpha: { float: 0.25 }, beta: { float: 0.5 } });
  assert.equal(hs.type, 'float16');
  assertClose(h16(hs), [0, 0.25, 0.5, 0.875, 1], 1e-3);
  const hw = await one('HardSwish', [{ type: 'float16', dims: [5], data: x }], {}, { opset: 14 });
  assertClose(h16(hw), x.map((v) => v * Math.max(0, Math.min(1, v / 6 + 0.5))), 1e-3);
  const ss = await one('Softsign', [{ type: 'float16', dims: [5], data: x }]);
  assertClose(h16(ss), x.map((v) => v / (1 + Math.abs(v))), 1e-3);
});

test('Swish (opset 24) uses alpha; it does not exist before', async () => {
  const x = [-2, 0, 1, 3];
  const y = await one('Swish', [f64([4], x)], { alpha: { float: 2 } }, { opset: 24 });
  assertClose(y.data, x.map((v) => v / (1 + Math.exp(-2 * v))));
  await assert.rejects(runOp('Swish', [f64([1], [1])], {}, { opset: 23 }), /Swish/);
});

// --------------------------------------------------------------------- Gelu

test('Gelu (exact) keeps relative accuracy in the negative tail', async () => {
  // 0.5 x erfc(-x/√2), from Python's math.erfc.
  const x = [-12, -6, -3, -1, 0, 0.5, 3];
  const want = [-2.1317785344932424e-32, -5.919525870226207e-09, -0.004049694094890287, -0.15865525393145707, 0,
    0.34573123063700656, 2.99595030590511];
  assertClose((await one('Gelu', [f64([7], x)], {}, { opset: 20 })).data, want, 1e-13, 0);
});

test('Gelu tanh approximation, and an unknown approximation is rejected', async () => {
  const x = [-3, -1, 0, 1, 3];
  const want = [-0.0036373920817729943, -0.15880800939172324, 0, 0.8411919906082768, 2.996362607918227];
  assertClose((await one('Gelu', [f64([5], x)], { approximate: 'tanh' }, { opset: 20 })).data, want, 1e-12, 0);
  await assert.rejects(runOp('Gelu', [f32([1], [1])], { approximate: 'fast' }, { opset: 20 }), /approximate/);
});

// -------------------------------------------------------------------- Shrink

test('Shrink on integer types', async () => {
  const i8 = await one('Shrink', [{ type: 'int8', dims: [5], data: [-10, -2, 0, 2, 10] }], { lambd: { float: 1.5 }, bias: { float: 1.5 } });
  assert.deepEqual(Array.from(i8.data), [-8, 0, 0, 0, 8]); // -10 + 1.5 = -8.5 → -8 (toward zero)
  const i64 = await one('Shrink', [{ type: 'int64', dims: [3], data: [-(2 ** 60), 0, 2 ** 60] }], { lambd: { float: 1 }, bias: { float: 3 } });
  assert.deepEqual(Array.from(i64.data), [-(2n ** 60n) + 3n, 0n, 2n ** 60n - 3n]);
});

// ---------------------------------------------------------------------- Clip

test('Clip opset 6: bounds are attributes, either may be absent', async () => {
  const x = [-3, -1, 0, 1, 3];
  assertClose((await one('Clip', [f32([5], x)], { min: { float: -1.5 } }, { opset: 6 })).data, [-1.5, -1, 0, 1, 3]);
  assertClose((await one('Clip', [f32([5], x)], { max: { float: 0.5 } }, { opset: 6 })).data, [-3, -1, 0, 0.5, 0.5]);
  assertClose((await one('Clip', [f32([5], x)], {}, { opset: 6 })).data, x);
});

test('Clip on uint8, int64 and float16 inputs (opset 13)', async () => {
  const u8 = await one('Clip', [{ type: 'uint8', dims: [4], data: [0, 10, 200, 255] }, { type: 'uint8', dims: [], data: [5] }, { type: 'uint8', dims: [], data: [210] }], {}, { opset: 13 });
  assert.deepEqual(Array.from(u8.data), [5, 10, 200, 210]);
  const big = 2n ** 62n;
  const i64 = await one('Clip', [{ type: 'int64', dims: [3], data: [-big, 0n, big] }, null, { type: 'int64', dims: [], data: [big - 1n] }], {}, { opset: 13 });
  assert.deepEqual(Array.from(i64.data), [-big, 0n, big - 1n]);
  const h = await one('Clip', [{ type: 'float16', dims: [3], data: [-70000, 0.3, 2] }, { type: 'float16', dims: [], data: [-1] }], {}, { opset: 13 });
  assertClose(Array.from(h.data as ArrayLike<number>, float16BitsToFloat), [-1, 0.3, 2], 1e-3);
});

test('Clip: NaN passes through, min > max gives max, and bounds must be scalars', async () => {
  const y = await one('Clip', [f32([3], [NaN, -5, 5]), f32([], [2]), f32([], [1])], {}, { opset: 13 });
  assertClose(y.data, [NaN, 1, 1]);
  await assert.rejects(runOp('Clip', [f32([2], [1, 2]), f32([2], [0, 0])], {}, { opset: 13 }), /must be a scalar/);
});

test('Clip opset 11 rejects integer inputs; opset 12 accepts them', async () => {
  const x = { type: 'int32' as const, dims: [2], data: [-4, 4] };
  await assert.rejects(runOp('Clip', [x], {}, { opset: 11 }), /element type int32/);
  assert.deepEqual(Array.from((await one('Clip', [x, { type: 'int32', dims: [], data: [0] }], {}, { opset: 12 })).data), [0, 4]);
});

// ------------------------------------------------------------------- Dropout

test('Dropout opset 7-9: identity and a mask of the input type, all ones', async () => {
  const [y, mask] = await runOp('Dropout', [f32([3], [1, -2, 3])], { ratio: { float: 0.9 } }, { opset: 9, outputs: 2 });
  assertClose(y.data, [1, -2, 3]);
  assert.equal(mask.type, 'float32');
  assert.deepEqual(Array.from(mask.data), [1, 1, 1]);
});

test('Dropout opset 10: bool mask, all true', async () => {
  const [, mask] = await runOp('Dropout', [f64([2], [1, 2])], {}, { opset: 10, outputs: 2 });
  assert.equal(mask.type, 'bool');
  assert.deepEqual(Array.from(mask.data, Number), [1, 1]);
});

test('Dropout opset 6: is_test = 1 is the identity', async () => {
  const y = await one('Dropout', [f32([2], [5, 6])], { is_test: 1 }, { opset: 6 });
  assertClose(y.data, [5, 6]);
});

test('Dropout opset 12+: training_mode false or ratio 0 is the identity', async () => {
  const x = f32([4], [1, 2, 3, 4]);
  const off = await runOp('Dropout', [x, f32([], [0.5]), { type: 'bool', dims: [], data: [0] }], {}, { opset: 13, outputs: 2 });
  assertClose(off[0].data, [1, 2, 3, 4]);
  assert.deepEqual(Array.from(off[1].data, Number), [1, 1, 1, 1]);
  const zero = await runOp('Dropout', [x, f32([], [0]), { type: 'bool', dims: [], data: [1] }], {}, { opset: 13, outputs: 2 });
  assertClose(zero[0].data, [1, 2, 3, 4]);
  assert.deepEqual(Array.from(zero[1].data, Number), [1, 1, 1, 1]);
});

test('Dropout training mode: kept elements scaled by 1/(1-ratio), mask agrees, seed reproduces', async () => {
  const n = 2000;
  const x = f32([n], Array.from({ length: n }, (_, i) => i + 1));
  const inputs = [x, f32([], [0.25]), { type: 'bool' as const, dims: [], data: [1] }];
  const [y, mask] = await runOp('Dropout', inputs, { seed: 7 }, { opset: 13, outputs: 2 });
  let kept = 0;
  for (let i = 0; i < n; i++) {
    const m = Number(mask.data[i]);
    assert.equal(Number(y.data[i]), m ? Math.fround((i + 1) / 0.75) : 0, `element ${i}`);
    kept += m;
  }
  assert.ok(kept > 0.7 * n && kept < 0.8 * n, `kept ${kept} of ${n}`);
  const [y2] = await runOp('Dropout', inputs, { seed: 7 }, { opset: 13, outputs: 2 });
  assert.deepEqual(Array.from(y2.data), Array.from(y.data));
});

test('Dropout switching from inference to training between calls leaves the input intact', () => {
  // Calls the kernel directly: the output buffers of one node context are reused across calls.
  const ctx = new NodeCtx('dropout');
  const x: Tensor = { type: 'float32', dims: [64], data: new Float32Array(64).fill(1) };
  const ratio: Tensor = { type: 'float32', dims: [], data: Float32Array.of(0.5) };
  const flag = (on: boolean): Tensor => ({ type: 'bool', dims: [], data: Uint8Array.of(on ? 1 : 0) });
  const attrs = { ratio: 0.5, training: false, mask: false, maskBool: true, hasSeed: true, seed: 1 };
  dropout(ctx, [x, ratio, flag(false)], attrs);
  const [y] = dropout(ctx, [x, ratio, flag(true)], attrs);
  assert.deepEqual(Array.from(x.data as Float32Array), new Array(64).fill(1));
  assert.ok(Array.from(y.data as Float32Array).some((v) => v === 0));
});

test('float32 Relu (branch-free bit form) agrees with max(x, 0) on special values and keeps NaN', () => {
  const bits = new Int32Array(4);
  bits[0] = 0xffc00001 | 0; // a negative NaN
  bits[1] = 0x7fc00000; // a positive NaN
  bits[2] = 0xff800000 | 0; // -Infinity
  bits[3] = 0x80000001 | 0; // the negative float32 nearest 0
  const x = Float32Array.from([...new Float32Array(bits.buffer), 0, -0, 1, -1, Infinity, 3.4e38, -3.4e38, 1e-45, 0.5, -2.5]);
  const y = relu(new NodeCtx('r', true), [{ type: 'float32', dims: [x.length], data: x }])[0].data as Float32Array;
  assert.ok(Number.isNaN(y[0]) && Number.isNaN(y[1]));
  for (let i = 2; i < x.length; i++) assert.equal(y[i], x[i] > 0 ? x[i] : 0, `x = ${x[i]}`);
  const n = 1000;
  const mixed = Float32Array.from({ length: n }, (_, i) => Math.sin(i * 7.3) * 3);
  const ym = relu(new NodeCtx('r', true), [{ type: 'float32', dims: [n], data: mixed }])[0].data as Float32Array;
  mixed.forEach((v, i) => assert.equal(ym[i], Math.max(v, 0)));
});
