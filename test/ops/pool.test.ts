// Pooling ops: cases the ONNX conformance suite leaves out (integer MaxPool, Indices with
// storage_order on 1-D/3-D, NaN and -Infinity, ceil_mode with count_include_pad, old
// opsets, float64, LpPool's p, GlobalLpPool, MaxRoiPool, MaxUnpool with pads).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runOp, type OpInput, assertClose } from './helpers.js';

const f32 = (dims: number[], data: number[]): OpInput => ({ type: 'float32', dims, data });
const i64 = (dims: number[], data: number[]): OpInput => ({ type: 'int64', dims, data });


const bigs = (v: number[]): bigint[] => v.map(BigInt);

// ---------------------------------------------------------------- MaxPool

test('MaxPool on int8 keeps the type, pads never win (opset 12)', async () => {
  const x: OpInput = { type: 'int8', dims: [1, 1, 3, 3], data: [-128, 5, -3, 7, -100, 2, -50, 4, -128] };
  const [y] = await runOp('MaxPool', [x], { kernel_shape: [2, 2], pads: [1, 1, 0, 0] }, { opset: 12 });
  assert.equal(y.type, 'int8');
  assert.deepEqual(y.dims, [1, 1, 3, 3]);
  assert.deepEqual(Array.from(y.data), [-128, 5, 5, 7, 7, 5, 7, 7, 4]);
});

test('MaxPool on uint8 needs opset 12', async () => {
  const x: OpInput = { type: 'uint8', dims: [1, 1, 2, 2], data: [0, 200, 255, 3] };
  const [y] = await runOp('MaxPool', [x], { kernel_shape: [2, 2] }, { opset: 12 });
  assert.deepEqual(Array.from(y.data), [255]);
  await assert.rejects(runOp('MaxPool', [x], { kernel_shape: [2, 2] }, { opset: 11 }), /uint8/);
});

test('MaxPool Indices: row-major and storage_order=1 (column-major spatial), 2-D', async () => {
  const x = f32([1, 2, 2, 3], [1, 2, 3, 4, 5, 6, 7, 0, 8, 2, 11, 10]);
  const [y, i0] = await runOp('MaxPool', [x], { kernel_shape: [2, 2] }, { opset: 12, outputs: 2 });
  assert.deepEqual(Array.from(y.data), [5, 6, 11, 11]);
  assert.equal(i0.type, 'int64');
  assert.deepEqual(Array.from(i0.data), bigs([4, 5, 10, 10]));
  const [, i1] = await runOp('MaxPool', [x], { kernel_shape: [2, 2], storage_order: 1 }, { opset: 12, outputs: 2 });
  assert.deepEqual(Array.from(i1.data), bigs([3, 5, 9, 9]));
});

test('MaxPool Indices on 3-D input with storage_order=1', async () => {
  // x[d][h][w] at d*4 + h*2 + w.
  const x = f32([1, 1, 2, 2, 2], [0, 6, 2, 3, 4, 1, 7, 5]);
  const [y, row] = await runOp('MaxPool', [x], { kernel_shape: [2, 1, 2] }, { opset: 12, outputs: 2 });
  assert.deepEqual(y.dims, [1, 1, 1, 2, 1]);
  assert.deepEqual(Array.from(y.data), [6, 7]);
  assert.deepEqual(Array.from(row.data), bigs([1, 6]));
  const [, col] = await runOp('MaxPool', [x], { kernel_shape: [2, 1, 2], storage_order: 1 }, { opset: 12, outputs: 2 });
  // Column-major: (w * H + h) * D + d.
  assert.deepEqual(Array.from(col.data), bigs([4, 3]));
});

test('MaxPool 1-D Indices ignore padding and count batch and channel', async () => {
  const x = f32([2, 1, 3], [1, 3, 2, 9, 8, 7]);
  const [y, ind] = await runOp('MaxPool', [x], { kernel_shape: [2], pads: [1, 1], strides: [2] }, { opset: 10, outputs: 2 });
  assert.deepEqual(Array.from(y.data), [1, 3, 9, 8]);
  assert.deepEqual(Array.from(ind.data), bigs([0, 1, 3, 4]));
});

test('MaxPool propagates NaN (first NaN index) and handles -Infinity windows', async () => {
  const x = f32([1, 1, 8], [NaN, 2, -Infinity, -Infinity, 1, NaN, 3, 4]);
  const [y, ind] = await runOp('MaxPool', [x], { kernel_shape: [2], strides: [2] }, { opset: 12, outputs: 2 });
  assertClose(y.data, [NaN, -Infinity, NaN, 4]);
  assert.deepEqual(Array.from(ind.data), bigs([0, 2, 5, 7]));
});

test('MaxPool SAME_LOWER puts the odd pad first, SAME_UPPER last', async () => {
  const x = f32([1, 1, 1, 4], [1, 2, 3, 4]);
  const [lower] = await runOp('MaxPool', [x], { kernel_shape: [1, 2], auto_pad: 'SAME_LOWER' }, { opset: 12 });
  assert.deepEqual(Array.from(lower.data), [1, 2, 3, 4]);
  const [upper] = await runOp('MaxPool', [x], { kernel_shape: [1, 2], auto_pad: 'SAME_UPPER' }, { opset: 12 });
  assert.deepEqual(Array.from(upper.data), [2, 3, 4, 4]);
  const [valid] = await runOp('MaxPool', [x], { kernel_shape: [1, 2], auto_pad: 'VALID', strides: [1, 2] }, { opset: 12 });
  assert.deepEqual(Array.from(valid.data), [2, 4]);
});

test('MaxPool old opsets: one output at opset 1, Indices from opset 8', async () => {
  const x = f32([1, 1, 2, 2], [1, 4, 3, 2]);
  const [y] = await runOp('MaxPool', [x], { kernel_shape: [2, 2] }, { opset: 1 });
  assert.deepEqual(Array.from(y.data), [4]);
  await assert.rejects(runOp('MaxPool', [x], { kernel_shape: [2, 2] }, { opset: 7, outputs: 2 }), /output/);
  const [, ind] = await runOp('MaxPool', [x], { kernel_shape: [2, 2] }, { opset: 8, outputs: 2 });
  assert.deepEqual(Array.from(ind.data), [1n]);
});

test('MaxPool rejects a kernel_shape that does not match the input rank', async () => {
  await assert.rejects(runOp('MaxPool', [f32([1, 1, 4, 4], new Array(16).fill(0))], { kernel_shape: [2] }, { opset: 12 }), /kernel_shape/);
});

// ---------------------------------------------------------------- AveragePool

test('AveragePool ceil_mode: count_include_pad counts explicit pads, not the ceil overhang', async () => {
  const x = f32([1, 1, 1, 4], [1, 2, 3, 4]);
  const attrs = { kernel_shape: [1, 3], strides: [1, 2], pads: [0, 1, 0, 1], ceil_mode: 1 };
  const [inc] = await runOp('AveragePool', [x], { ...attrs, count_include_pad: 1 }, { opset: 19 });
  assert.deepEqual(inc.dims, [1, 1, 1, 3]);
  assertClose(inc.data, [1, 3, 2]);
  const [exc] = await runOp('AveragePool', [x], attrs, { opset: 19 });
  assertClose(exc.data, [1.5, 3, 4]);
});

test('AveragePool at opset 1 (no ceil_mode, pads never counted) and float64', async () => {
  const x = f32([1, 1, 1, 4], [1, 2, 3, 4]);
  const [y] = await runOp('AveragePool', [x], { kernel_shape: [1, 3], strides: [1, 2], pads: [0, 1, 0, 1] }, { opset: 1 });
  assertClose(y.data, [1.5, 3]);
  const [d] = await runOp('AveragePool', [{ type: 'float64', dims: [1, 1, 2, 2], data: [1, 2, 3, 4.25] }], { kernel_shape: [2, 2] }, { opset: 11 });
  assert.equal(d.type, 'float64');
  assert.deepEqual(Array.from(d.data), [2.5625]);
});

test('AveragePool SAME_LOWER with and without count_include_pad', async () => {
  const x = f32([1, 1, 1, 4], [1, 2, 3, 4]);
  const attrs = { kernel_shape: [1, 2], auto_pad: 'SAME_LOWER' };
  const [inc] = await runOp('AveragePool', [x], { ...attrs, count_include_pad: 1 }, { opset: 11 });
  assertClose(inc.data, [0.5, 1.5, 2.5, 3.5]);
  const [exc] = await runOp('AveragePool', [x], attrs, { opset: 11 });
  assertClose(exc.data, [1, 1.5, 2.5, 3.5]);
});

test('AveragePool dilations (opset 19) with pads', async () => {
  const x = f32([1, 1, 5], [1, 2, 3, 4, 5]);
  const [y] = await runOp('AveragePool', [x], { kernel_shape: [2], dilations: [2], pads: [1, 0] }, { opset: 19 });
  // Windows start at -1, 0, 1, 2: taps (-1, 1), (0, 2), (1, 3), (2, 4).
  assertClose(y.data, [2, 2, 3, 4]);
});

// ---------------------------------------------------------------- LpPool

test('LpPool with p = 1 and p = 3 over padded windows', async () => {
  const x = f32([1, 1, 3], [-1, 2, -3]);
  const [p1] = await runOp('LpPool', [x], { kernel_shape: [2], pads: [1, 1], p: 1 }, { opset: 18 });
  assertClose(p1.data, [1, 3, 5, 3]);
  const [p3] = await runOp('LpPool', [x], { kernel_shape: [2], pads: [1, 1], p: 3 }, { opset: 18 });
  assertClose(p3.data, [1, Math.cbrt(9), Math.cbrt(35), 3]);
});

test('LpPool-1 takes a float p (default 2)', async () => {
  const x = f32([1, 1, 2], [3, 4]);
  const [p2] = await runOp('LpPool', [x], { kernel_shape: [2] }, { opset: 1 });
  assertClose(p2.data, [5]);
  const [p3] = await runOp('LpPool', [x], { kernel_shape: [2], p: { float: 3 } }, { opset: 1 });
  assertClose(p3.data, [Math.cbrt(91)]);
});

test('LpPool ceil_mode and dilations (opset 18)', async () => {
  const x = f32([1, 1, 6], [1, 2, 3, 4, 5, 6]);
  const [y] = await runOp('LpPool', [x], { kernel_shape: [2], dilations: [2], strides: [2], ceil_mode: 1, p: 2 }, { opset: 18 });
  // Windows at 0, 2 and (ceil_mode) 4: taps (0, 2), (2, 4), (4, past the end).
  assertClose(y.data, [Math.hypot(1, 3), Math.hypot(3, 5), 5]);
  const [floor] = await runOp('LpPool', [x], { kernel_shape: [2], dilations: [2], strides: [2], p: 2 }, { opset: 18 });
  assert.deepEqual(floor.dims, [1, 1, 2]);
});

// ---------------------------------------------------------------- global pools

test('GlobalLpPool: int p from opset 2 (default 2), float p at opset 1', async () => {
  const x = f32([1, 2, 2, 1], [3, 4, 6, -8]);
  const [p2] = await runOp('GlobalLpPool', [x], {}, { opset: 2 });
  assert.deepEqual(p2.dims, [1, 2, 1, 1]);
  assertClose(p2.data, [5, 10]);
  const [p1] = await runOp('GlobalLpPool', [x], { p: 1 }, { opset: 2 });
  assertClose(p1.data, [7, 14]);
  const [pf] = await runOp('GlobalLpPool', [x], { p: { float: 3 } }, { opset: 1 });
  assertClose(pf.data, [Math.cbrt(91), Math.cbrt(728)]);
});

test('GlobalMaxPool on 3-D spatial input propagates NaN; GlobalAveragePool on 1-D', async () => {
  const x = f32([1, 2, 2, 1, 2], [-5, -1, -7, -2, 4, NaN, 0, 9]);
  const [m] = await runOp('GlobalMaxPool', [x]);
  assert.deepEqual(m.dims, [1, 2, 1, 1, 1]);
  assertClose(m.data, [-1, NaN]);
  const [a] = await runOp('GlobalAveragePool', [f32([1, 2, 3], [1, 2, 3, 4, 5, 9])]);
  assert.deepEqual(a.dims, [1, 2, 1]);
  assertClose(a.data, [2, 6]);
});

// ---------------------------------------------------------------- MaxRoiPool

const grid = f32([1, 1, 4, 4], Array.from({ length: 16 }, (_, i) => i));

test('MaxRoiPool splits each roi into pooled_shape bins', async () => {
  const rois = f32([2, 5], [0, 0, 0, 3, 3, 0, 1, 1, 2, 2]);
  const [y] = await runOp('MaxRoiPool', [grid, rois], { pooled_shape: [2, 2] }, { opset: 1 });
  assert.deepEqual(y.dims, [2, 1, 2, 2]);
  assert.deepEqual(Array.from(y.data), [5, 7, 13, 15, 5, 6, 9, 10]);
});

test('MaxRoiPool scales boxes by spatial_scale, rounding halves away from zero', async () => {
  // x1 = round(-0.5) = -1 widens the box to 4 columns: bins [-1, 1) and [1, 3).
  const rois = f32([1, 5], [0, -1, -1, 3, 3]);
  const [y] = await runOp('MaxRoiPool', [grid, rois], { pooled_shape: [1, 2], spatial_scale: { float: 0.5 } }, { opset: 1 });
  assert.deepEqual(Array.from(y.data), [8, 10]);
});

// ---------------------------------------------------------------- MaxUnpool

test('MaxUnpool with pads infers a smaller output', async () => {
  const x = f32([1, 1, 2, 2], [1, 2, 3, 4]);
  const ind = i64([1, 1, 2, 2], [0, 3, 5, 8]);
  const [y] = await runOp('MaxUnpool', [x, ind], { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 0, 0] }, { opset: 11 });
  assert.deepEqual(y.dims, [1, 1, 3, 3]);
  assert.deepEqual(Array.from(y.data), [1, 0, 0, 2, 0, 3, 0, 0, 4]);
});

test('MaxUnpool output_shape extends the unpooled tensor with zeros at the end of each axis', async () => {
  const x = f32([1, 1, 2, 2], [1, 2, 3, 4]);
  const ind = i64([1, 1, 2, 2], [0, 3, 5, 8]);
  const shape = i64([4], [1, 1, 4, 4]);
  const [y] = await runOp('MaxUnpool', [x, ind, shape], { kernel_shape: [2, 2], strides: [2, 2], pads: [1, 1, 0, 0] }, { opset: 11 });
  assert.deepEqual(y.dims, [1, 1, 4, 4]);
  assert.deepEqual(Array.from(y.data), [1, 0, 0, 0, 2, 0, 3, 0, 0, 0, 4, 0, 0, 0, 0, 0]);
});

test('MaxUnpool rejects an index outside the unpooled tensor', async () => {
  const x = f32([1, 1, 1, 1], [1]);
  await assert.rejects(runOp('MaxUnpool', [x, i64([1, 1, 1, 1], [4])], { kernel_shape: [2, 2], strides: [2, 2] }, { opset: 11 }), /index 4/);
});
