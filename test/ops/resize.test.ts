// Resize and Upsample: cases the ONNX conformance suite leaves out (non-float types,
// opset 10/11 semantics, Upsample-1/7/9, 1-D and 5-D inputs, resizing the batch axis,
// exclude_outside arithmetic, antialias when upsampling, tf_crop_and_resize in 1-D).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runOp, type OpInput, assertClose } from './helpers.js';

const f32 = (dims: number[], data: number[]): OpInput => ({ type: 'float32', dims, data });
const scales = (v: number[]): OpInput => ({ type: 'float32', dims: [v.length], data: v });
const sizes = (v: number[]): OpInput => ({ type: 'int64', dims: [v.length], data: v });


/** Resize with only `sizes` (opset 19 unless given). */
async function resizeTo(x: OpInput, to: number[], attrs: Record<string, unknown> = {}, opset = 19): Promise<{ type: string; dims: number[]; data: ArrayLike<unknown> }> {
  const [y] = await runOp('Resize', [x, null, null, sizes(to)], attrs as never, { opset });
  return y;
}

// ---------------------------------------------------------------- element types

test('nearest resizes string and bool tensors', async () => {
  const s = await resizeTo({ type: 'string', dims: [1, 3], data: ['a', 'b', 'c'] }, [1, 6]);
  assert.deepEqual(Array.from(s.data), ['a', 'a', 'b', 'b', 'c', 'c']);
  const b = await resizeTo({ type: 'bool', dims: [1, 3], data: [1, 0, 1] }, [1, 6]);
  assert.equal(b.type, 'bool');
  assert.deepEqual(Array.from(b.data, Number), [1, 1, 0, 0, 1, 1]);
});

test('linear and cubic reject string tensors at compile time', async () => {
  await assert.rejects(resizeTo({ type: 'string', dims: [2], data: ['a', 'b'] }, [4], { mode: 'linear' }), /cannot interpolate string/);
});

test('integer linear interpolation truncates; cubic overshoot saturates', async () => {
  const y = await resizeTo({ type: 'uint8', dims: [1, 1, 1, 2], data: [0, 255] }, [1, 1, 1, 4], { mode: 'linear' });
  assert.equal(y.type, 'uint8');
  assert.deepEqual(Array.from(y.data), [0, 63, 191, 255]);

  const data = [0, 0, 255, 255, 0, 0];
  const asFloat = await resizeTo(f32([6], data), [11], { mode: 'cubic' });
  const floats = Array.from(asFloat.data, Number);
  assert.ok(floats.some((v) => v > 255) && floats.some((v) => v < 0), 'the float result overshoots');
  const asU8 = await resizeTo({ type: 'uint8', dims: [6], data }, [11], { mode: 'cubic' });
  assert.deepEqual(Array.from(asU8.data), floats.map((v) => Math.min(255, Math.max(0, Math.trunc(v)))));
});

test('nearest on int64 keeps exact values', async () => {
  const y = await resizeTo({ type: 'int64', dims: [1, 2], data: [-(2 ** 40), 7] }, [1, 4]);
  assert.deepEqual(Array.from(y.data), [-(2n ** 40n), -(2n ** 40n), 7n, 7n]);
});

// ---------------------------------------------------------------- old opsets

test('Resize-10 nearest: floor when upsampling, ceil when downsampling (asymmetric)', async () => {
  const x = f32([1, 1, 1, 5], [0, 1, 2, 3, 4]);
  const [down] = await runOp('Resize', [x, scales([1, 1, 1, 0.6])], { mode: 'nearest' }, { opset: 10 });
  assert.deepEqual(Array.from(down.data), [0, 2, 4]);
  const [down19] = await runOp('Resize', [x, null, scales([1, 1, 1, 0.6])], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric' }, { opset: 19 });
  assert.deepEqual(Array.from(down19.data), [0, 2, 3]);
  const [up] = await runOp('Resize', [f32([1, 1, 1, 2], [0, 1]), scales([1, 1, 1, 2.5])], { mode: 'nearest' }, { opset: 10 });
  assert.deepEqual(Array.from(up.data), [0, 0, 0, 1, 1]);
});

test('Resize-10 linear uses asymmetric coordinates', async () => {
  const [y] = await runOp('Resize', [f32([1, 1, 1, 2], [0, 10]), scales([1, 1, 1, 2.5])], { mode: 'linear' }, { opset: 10 });
  assertClose(y.data, [0, 4, 8, 10, 10]);
});

test('Resize-11: tf_half_pixel_for_nn, empty roi and scales inputs', async () => {
  const x = f32([1, 1, 1, 4], [0, 1, 2, 3]);
  const empty: OpInput = { type: 'float32', dims: [0], data: [] };
  const run = (coord: string, opset: number) => runOp('Resize', [x, empty, empty, sizes([1, 1, 1, 2])],
    { mode: 'nearest', coordinate_transformation_mode: coord }, { opset, constInputs: [1, 2] });
  assert.deepEqual(Array.from((await run('tf_half_pixel_for_nn', 11))[0].data), [1, 3]);
  assert.deepEqual(Array.from((await run('half_pixel', 11))[0].data), [0, 2]);
  await assert.rejects(run('tf_half_pixel_for_nn', 13), /coordinate_transformation_mode/);
});

test('Upsample-7 (scales attribute), Upsample-9 (scales input), Upsample-1 (bilinear)', async () => {
  const x = f32([1, 1, 2, 2], [1, 2, 3, 4]);
  const [n7] = await runOp('Upsample', [x], { mode: 'nearest', scales: { floats: [1, 1, 2, 3] } }, { opset: 7 });
  assert.deepEqual(n7.dims, [1, 1, 4, 6]);
  assert.deepEqual(Array.from(n7.data), [1, 1, 1, 2, 2, 2, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 3, 3, 3, 4, 4, 4]);
  const [l9] = await runOp('Upsample', [f32([1, 2], [0, 10]), scales([1, 2])], { mode: 'linear' }, { opset: 9 });
  assertClose(l9.data, [0, 5, 10, 10]);
  const [b1] = await runOp('Upsample', [x], { mode: 'bilinear', height_scale: { float: 2 }, width_scale: { float: 2 } }, { opset: 1 });
  assertClose(b1.data, [1, 1.5, 2, 2, 2, 2.5, 3, 3, 3, 3.5, 4, 4, 3, 3.5, 4, 4]);
  await assert.rejects(runOp('Upsample', [x, scales([1, 1, 2, 2])], {}, { opset: 10 }), /opset 10/);
});

// ---------------------------------------------------------------- shapes, axes, arithmetic

test('linear resizes 1-D inputs and the batch axis (align_corners)', async () => {
  assertClose((await resizeTo(f32([2], [0, 3]), [4], { mode: 'linear', coordinate_transformation_mode: 'align_corners' })).data, [0, 1, 2, 3]);
  const b = await resizeTo(f32([2, 1], [0, 6]), [3, 1], { mode: 'linear', coordinate_transformation_mode: 'align_corners' });
  assert.deepEqual(b.dims, [3, 1]);
  assertClose(b.data, [0, 3, 6]);
});

test('5-D nearest with negative axes', async () => {
  const x = f32([1, 1, 2, 1, 2], [1, 2, 3, 4]);
  const [y] = await runOp('Resize', [x, null, scales([2, 2])], { mode: 'nearest', axes: [2, -1] }, { opset: 19 });
  assert.deepEqual(y.dims, [1, 1, 4, 1, 4]);
  assert.deepEqual(Array.from(y.data), [1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
});

test('keep_aspect_ratio_policy over three axes', async () => {
  const x = f32([1, 2, 3, 4], new Array(24).fill(1));
  const run = (policy: string) => runOp('Resize', [x, null, null, sizes([4, 4, 4])], { axes: [1, 2, 3], keep_aspect_ratio_policy: policy }, { opset: 19 });
  assert.deepEqual((await run('not_larger'))[0].dims, [1, 2, 3, 4]);
  assert.deepEqual((await run('not_smaller'))[0].dims, [1, 4, 6, 8]);
  assert.deepEqual((await run('stretch'))[0].dims, [1, 4, 4, 4]);
});

test('cubic exclude_outside renormalises the weights inside the input', async () => {
  const x = f32([4], [1, 2, 4, 8]);
  const attrs = { mode: 'cubic', cubic_coeff_a: -0.5 };
  assertClose((await resizeTo(x, [2], attrs)).data, [1.375, 6.125]);
  assertClose((await resizeTo(x, [2], { ...attrs, exclude_outside: 1 })).data, [1.4375 / 1.0625, 6.625 / 1.0625]);
});

test('antialias changes nothing when upsampling, and nothing for nearest', async () => {
  const x = f32([1, 3], [1, 5, 2]);
  const plain = await resizeTo(x, [1, 5], { mode: 'linear' });
  const aa = await resizeTo(x, [1, 5], { mode: 'linear', antialias: 1 });
  assertClose(aa.data, Array.from(plain.data, Number));
  const down = f32([1, 6], [1, 5, 2, 8, 0, 3]);
  const nearest = await resizeTo(down, [1, 2]);
  assert.deepEqual(Array.from((await resizeTo(down, [1, 2], { antialias: 1 })).data), Array.from(nearest.data));
});

test('tf_crop_and_resize in 1-D: roi crop and extrapolation_value', async () => {
  const x = f32([4], [0, 10, 20, 30]);
  const roi = f32([2], [0.5, 1.5]);
  const [y] = await runOp('Resize', [x, roi, null, sizes([3])],
    { mode: 'linear', coordinate_transformation_mode: 'tf_crop_and_resize', extrapolation_value: { float: -7 } }, { opset: 19 });
  assertClose(y.data, [15, 30, -7]);
});

test('exactly one of scales and sizes must be given', async () => {
  const x = f32([1, 2], [1, 2]);
  await assert.rejects(runOp('Resize', [x, null, scales([1, 2]), sizes([1, 4])], {}, { opset: 19 }), /exactly one of scales and sizes/);
  await assert.rejects(runOp('Resize', [x], {}, { opset: 19 }), /exactly one of scales and sizes/);
  await assert.rejects(runOp('Resize', [x, null, scales([2])], {}, { opset: 19 }), /scales has 1 values/);
});

test('pytorch_half_pixel maps a length-1 output to -0.5 even when 1/in * in is not exactly 1', async () => {
  // (1 / 49) * 49 is 0.9999999999999999 in floating point; the requested size is exactly 1.
  const x = f32([49], Array.from({ length: 49 }, (_, i) => i + 1));
  const y = await resizeTo(x, [1], { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' });
  assertClose(y.data, [1]);
  const mid = await resizeTo(x, [1], { mode: 'linear' });
  assertClose(mid.data, [25]);
});
