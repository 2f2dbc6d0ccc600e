// Vision and geometry ops: cases the ONNX conformance suite leaves out (other
// padding modes and dimensionalities, integer/string/bool element types, old
// opsets, optional inputs, edge cases and malformed inputs). Expected values are
// worked out by hand in the comments or come from a direct loop in the test.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runOp, type OpInput, assertClose } from './helpers.js';

const f32 = (dims: number[], data: number[]): OpInput => ({ type: 'float32', dims, data });
const f64 = (dims: number[], data: number[]): OpInput => ({ type: 'float64', dims, data });
const i64 = (dims: number[], data: number[]): OpInput => ({ type: 'int64', dims, data });


async function one(op: string, inputs: (OpInput | null)[], attrs = {}, opts = {}): Promise<{ type: string; dims: number[]; data: ArrayLike<unknown> }> {
  const [y] = await runOp(op, inputs, attrs, opts);
  return y;
}

/** A deterministic pseudo-random sequence in [-1, 1). */
function seq(n: number, seed = 1): number[] {
  let s = seed;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return (s / 2147483648) * 2 - 1;
  });
}

// ------------------------------------------------------------------ GridSample

test('GridSample-16: identity grid with align_corners reproduces the input (bilinear default)', async () => {
  const x = seq(12);
  // 3×4 input; grid points at the pixel centres: x = -1 + 2w/3, y = -1 + h.
  const grid: number[] = [];
  for (let h = 0; h < 3; h++) for (let w = 0; w < 4; w++) grid.push(-1 + (2 * w) / 3, -1 + h);
  const y = await one('GridSample', [f64([1, 1, 3, 4], x), f64([1, 3, 4, 2], grid)], { align_corners: 1 }, { opset: 16 });
  assert.deepEqual(y.dims, [1, 1, 3, 4]);
  assertClose(y.data, x, 1e-12);
});

test('GridSample over more points than one tap table holds (blocks of points)', async () => {
  // 130×130 identity grid: 16900 points, more than a block of 2^16 / 4 linear taps.
  const H = 130, W = 130, x = seq(H * W, 7);
  const grid: number[] = [];
  for (let h = 0; h < H; h++) for (let w = 0; w < W; w++) grid.push(-1 + (2 * w) / (W - 1), -1 + (2 * h) / (H - 1));
  const y = await one('GridSample', [f64([1, 1, H, W], x), f64([1, H, W, 2], grid)], { align_corners: 1 });
  assertClose(y.data, x, 1e-9, 1e-12);
});

test('GridSample-16 rejects non-4-D inputs and opset-20 mode names', async () => {
  await assert.rejects(runOp('GridSample', [f32([1, 1, 2, 2, 2], seq(8)), f32([1, 1, 1, 1, 3], [0, 0, 0])], {}, { opset: 16 }), /4-D/);
  await assert.rejects(runOp('GridSample', [f32([1, 1, 2, 2], seq(4)), f32([1, 1, 1, 2], [0, 0])], { mode: 'linear' }, { opset: 16 }), /mode/);
  await assert.rejects(runOp('GridSample', [f32([1, 1, 2, 2], seq(4)), f32([1, 1, 1, 2], [0, 0])], { mode: 'bilinear' }, { opset: 20 }), /mode/);
});

test('GridSample-20 on a 1-D input: linear and cubic (Keys, A = -0.75) interpolation', async () => {
  // align_corners: x = (g + 1) / 2 · 3, so g = -1, 0, 1 -> 0, 1.5, 3.
  const g = f32([1, 3, 1], [-1, 0, 1]);
  const lin = await one('GridSample', [f32([1, 1, 4], [1, 2, 3, 4]), g], { mode: 'linear', align_corners: 1 });
  assertClose(lin.data, [1, 2.5, 4]);
  // At t = 0.5 the cubic weights are [-0.09375, 0.59375, 0.59375, -0.09375].
  const cub = await one('GridSample', [f32([1, 1, 4], [0, 1, 0, 0]), g], { mode: 'cubic', align_corners: 1 });
  assertClose(cub.data, [0, 0.59375, 0], 1e-6, 1e-7);
});

test('GridSample padding modes outside the input (1-D, align_corners = 0)', async () => {
  // x = ((g + 1) · 3 - 1) / 2: g = -1.5 -> -1.25, g = 1.4 -> 3.1; the valid range is [-0.5, 2.5].
  const x = f32([1, 1, 3], [1, 2, 3]), g = f32([1, 2, 1], [-1.5, 1.4]);
  const run = async (mode: string, padding: string) => (await one('GridSample', [x, g], { mode, padding_mode: padding })).data;
  assertClose(await run('linear', 'zeros'), [0, 0]);
  // border: clamped to 0 and 2.
  assertClose(await run('linear', 'border'), [1, 3]);
  // reflection: -1.25 -> 0.25 (0.75·1 + 0.25·2); 3.1 -> 1.9 (0.1·2 + 0.9·3).
  assertClose(await run('linear', 'reflection'), [1.25, 2.9], 1e-5);
  // nearest: rint(-1.25) = -1 reflects to 0; rint(3.1) = 3 reflects to 2.
  assertClose(await run('nearest', 'reflection'), [1, 3]);
  assertClose(await run('nearest', 'zeros'), [0, 0]);
  // cubic + border (ONNX reference): an out-of-range coordinate is first clamped to the edge pixel.
  assertClose(await run('cubic', 'border'), [1, 3], 1e-6);
});

test('GridSample nearest rounds halfway points to even, in 3-D too', async () => {
  // align_corners = 0 on length 4: x = ((g + 1) · 4 - 1) / 2, so g = -0.5, 0, 0.5 -> 0.5, 1.5, 2.5.
  const x = f32([1, 1, 1, 1, 4], [10, 20, 30, 40]);
  const g = f32([1, 1, 1, 3, 3], [-0.5, 0, 0, 0, 0, 0, 0.5, 0, 0]);
  const y = await one('GridSample', [x, g], { mode: 'nearest' });
  assert.deepEqual(y.dims, [1, 1, 1, 1, 3]);
  assertClose(y.data, [10, 30, 30]);
});

test('GridSample on integer, bool and string inputs', async () => {
  const g = f32([1, 1, 1, 2], [0, 0]); // the centre of a 1×2 image with align_corners: x = 0.5
  // Linear on integers computes in floating point and truncates: (0 + 3) / 2 = 1.5 -> 1.
  const i32 = await one('GridSample', [{ type: 'int32', dims: [1, 1, 1, 2], data: [0, 3] }, g], { align_corners: 1 });
  assert.equal(i32.type, 'int32');
  assert.deepEqual(Array.from(i32.data), [1]);
  // Nearest copies 64-bit integers exactly (2^60 + 1 is not a double). rint(0.5) = 0.
  const big = 2n ** 60n + 1n;
  const i64n = await one('GridSample', [{ type: 'int64', dims: [1, 1, 1, 2], data: [big, 5n] as unknown as number[] }, g], { mode: 'nearest', align_corners: 1 });
  assert.deepEqual(Array.from(i64n.data), [big]);
  const s = await one('GridSample', [{ type: 'string', dims: [1, 1, 1, 2], data: ['a', 'b'] }, f32([1, 1, 2, 2], [1, 0, 5, 0])], { mode: 'nearest', align_corners: 1 });
  assert.deepEqual(Array.from(s.data), ['b', '']);
  const b = await one('GridSample', [{ type: 'bool', dims: [1, 1, 1, 2], data: [0, 1] }, g], { align_corners: 1 });
  assert.deepEqual(Array.from(b.data, Boolean), [true]); // 0.5 is nonzero
  await assert.rejects(runOp('GridSample', [{ type: 'string', dims: [1, 1, 1, 2], data: ['a', 'b'] }, g], {}), /strings/);
});

test('GridSample rejects a grid whose last axis does not match the spatial rank', async () => {
  await assert.rejects(runOp('GridSample', [f32([1, 1, 2, 2], seq(4)), f32([1, 1, 1, 3], [0, 0, 0])], {}), /grid shape/);
});

// ------------------------------------------------------------------ AffineGrid

test('AffineGrid 2-D: base coordinates at cell centres, then theta applied', async () => {
  // W = 3: x = -2/3, 0, 2/3; H = 2: y = -0.5, 0.5. theta maps (x, y) -> (y + 0.5, x).
  const y = await one('AffineGrid', [f32([1, 2, 3], [0, 1, 0.5, 1, 0, 0]), i64([4], [1, 5, 2, 3])], {}, { opset: 20 });
  assert.deepEqual(y.dims, [1, 2, 3, 2]);
  const want: number[] = [];
  for (const yy of [-0.5, 0.5]) for (const xx of [-2 / 3, 0, 2 / 3]) want.push(yy + 0.5, xx);
  assertClose(y.data, want, 1e-6);
});

test('AffineGrid 3-D float64 with align_corners (a single-pixel axis sits at -1)', async () => {
  const theta = [1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0.25]; // identity plus a z shift
  const y = await one('AffineGrid', [f64([1, 3, 4], theta), i64([5], [1, 1, 2, 1, 3])], { align_corners: 1 }, { opset: 20 });
  assert.deepEqual(y.dims, [1, 2, 1, 3, 3]);
  const want: number[] = [];
  for (const z of [-1, 1]) for (const x of [-1, 0, 1]) want.push(x, -1, z + 0.25);
  assertClose(y.data, want, 1e-12);
});

test('AffineGrid rejects a theta that does not match size', async () => {
  await assert.rejects(runOp('AffineGrid', [f32([1, 2, 3], seq(6)), i64([5], [1, 1, 2, 2, 2])], {}, { opset: 20 }), /theta/);
  await assert.rejects(runOp('AffineGrid', [f32([2, 2, 3], seq(12)), i64([4], [1, 1, 2, 2])], {}, { opset: 20 }), /batch/);
});

// ------------------------------------------------------------ NonMaxSuppression

const nmsBoxes = f32([1, 4, 4], [
  0, 0, 1, 1, //     box 0
  0.5, 0.5, 1.5, 1.5, // box 1: overlaps box 0 (IoU 1/7)
  1, 1, 2, 2, //     box 2: touches box 0 at a corner only
  5, 5, 6, 6, //     box 3: far away
]);

async function nms(scores: number[], more: (OpInput | null)[] = [], attrs = {}): Promise<bigint[]> {
  const y = await one('NonMaxSuppression', [nmsBoxes, f32([1, 1, 4], scores), ...more], attrs, { opset: 11 });
  assert.equal(y.type, 'int64');
  assert.equal(y.dims[1], 3);
  return Array.from(y.data as ArrayLike<bigint>).filter((_, i) => i % 3 === 2);
}

test('NonMaxSuppression without max_output_boxes_per_class selects nothing', async () => {
  const y = await one('NonMaxSuppression', [nmsBoxes, f32([1, 1, 4], [0.9, 0.8, 0.7, 0.6])], {}, { opset: 10 });
  assert.deepEqual(y.dims, [0, 3]);
});

test('NonMaxSuppression thresholds: IoU strictly above, score strictly above', async () => {
  const max = i64([1], [10]);
  // iou_threshold absent (0): any positive overlap suppresses; touching corners do not.
  assert.deepEqual(await nms([0.9, 0.8, 0.7, 0.6], [max]), [0n, 2n, 3n]);
  // IoU(0, 1) = 1/7 is not above 0.15: kept.
  assert.deepEqual(await nms([0.9, 0.8, 0.7, 0.6], [max, f32([1], [0.15])]), [0n, 1n, 2n, 3n]);
  // A score equal to score_threshold is dropped.
  assert.deepEqual(await nms([0.9, 0.8, 0.7, 0.6], [max, f32([1], [0.5]), f32([1], [0.7])]), [0n, 1n]);
  // Negative max selects nothing; max = 2 keeps the two best survivors.
  assert.deepEqual(await nms([0.9, 0.8, 0.7, 0.6], [i64([1], [-3])]), []);
  assert.deepEqual(await nms([0.6, 0.8, 0.7, 0.9], [i64([1], [2])]), [3n, 1n]);
});

test('NonMaxSuppression breaks score ties by box index and orders by batch, then class', async () => {
  const boxes = f32([2, 2, 4], [0, 0, 1, 1, 2, 2, 3, 3, 0, 0, 1, 1, 0, 0, 1, 1]);
  const scores = f32([2, 2, 2], [0.5, 0.5, 0.1, 0.9, 0.3, 0.3, 0.2, 0.4]);
  const y = await one('NonMaxSuppression', [boxes, scores, i64([1], [5]), f32([1], [0.5])], {}, { opset: 11 });
  // batch 0: class 0 tie -> boxes 0, 1; class 1 -> 1, 0. batch 1: boxes identical, one survives per class.
  assert.deepEqual(Array.from(y.data as ArrayLike<bigint>, Number), [0, 0, 0, 0, 0, 1, 0, 1, 1, 0, 1, 0, 1, 0, 0, 1, 1, 1]);
});

test('NonMaxSuppression with center_point_box = 1', async () => {
  // [xc, yc, w, h]: boxes 0 and 1 overlap by 0.5·1 of area 1 each (IoU 1/3); box 2 is apart.
  const boxes = f32([1, 3, 4], [0.5, 0.5, 1, 1, 1, 0.5, 1, 1, 5, 5, 1, 1]);
  const y = await one('NonMaxSuppression', [boxes, f32([1, 1, 3], [0.9, 0.95, 0.1]), i64([1], [3]), f32([1], [0.3])], { center_point_box: 1 }, { opset: 11 });
  assert.deepEqual(Array.from(y.data as ArrayLike<bigint>, Number), [0, 0, 1, 0, 0, 2]);
});

// -------------------------------------------------------------------- RoiAlign

/** A 1×1×6×6 map whose value is its x coordinate: bilinear sampling of it is exact. */
const ramp = f32([1, 1, 6, 6], Array.from({ length: 36 }, (_, i) => i % 6));
const oneRoi = f32([1, 4], [1, 1, 5, 5]);
const batch0 = i64([1], [0]);

test('RoiAlign-10 has no half-pixel shift; RoiAlign-16 shifts by default', async () => {
  const attrs = { output_height: 1, output_width: 2, sampling_ratio: 1 };
  // Bins are 2 wide starting at x = 1 (opset 10) or 0.5 (half_pixel): samples at their centres.
  const v10 = await one('RoiAlign', [ramp, oneRoi, batch0], attrs, { opset: 10 });
  assert.deepEqual(v10.dims, [1, 1, 1, 2]);
  assertClose(v10.data, [2, 4], 1e-6);
  assertClose((await one('RoiAlign', [ramp, oneRoi, batch0], attrs, { opset: 16 })).data, [1.5, 3.5], 1e-6);
  const out = await one('RoiAlign', [ramp, oneRoi, batch0], { ...attrs, coordinate_transformation_mode: 'output_half_pixel' }, { opset: 16 });
  assertClose(out.data, [2, 4], 1e-6);
});

test('RoiAlign adaptive sampling averages ceil(roi / bin) samples per axis', async () => {
  // half_pixel, roi x in [0.5, 4.5]: one bin of width 4 -> 4 samples at 1, 2, 3, 4 (mean 2.5).
  const y = await one('RoiAlign', [ramp, oneRoi, batch0], {}, { opset: 16 });
  assertClose(y.data, [2.5], 1e-6);
});

test('RoiAlign max mode takes the largest weighted corner (onnxruntime and reference behaviour)', async () => {
  const x = f64([1, 1, 2, 2], [2, 2, 2, 2]);
  const roi = f64([1, 4], [0, 0, 1, 1]);
  const attrs = { output_height: 1, output_width: 1, sampling_ratio: 1, coordinate_transformation_mode: 'output_half_pixel' };
  // One sample at (0.5, 0.5): four corners of weight 0.25.
  assertClose((await one('RoiAlign', [x, roi, batch0], attrs, { opset: 16 })).data, [2]);
  assertClose((await one('RoiAlign', [x, roi, batch0], { ...attrs, mode: 'max' }, { opset: 16 })).data, [0.5]);
});

test('RoiAlign picks each ROI\'s image and scales coordinates', async () => {
  const x = f32([2, 2, 2, 2], [1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4]); // constant planes
  const rois = f32([2, 4], [0, 0, 4, 4, 0, 0, 2, 2]);
  const y = await one('RoiAlign', [x, rois, i64([2], [1, 0])], { spatial_scale: { float: 0.5 } }, { opset: 16 });
  assert.deepEqual(y.dims, [2, 2, 1, 1]);
  assertClose(y.data, [3, 4, 1, 2], 1e-6);
  await assert.rejects(runOp('RoiAlign', [x, rois, i64([2], [0, 2])], {}, { opset: 16 }), /batch index 2/);
});

// ---------------------------------------------------------------------- Col2Im

test('Col2Im 1-D sums overlapping blocks', async () => {
  // block 2 over length 4, stride 1: 3 positions; column (k, l) lands at l + k.
  const y = await one('Col2Im', [f32([1, 2, 3], [1, 2, 3, 10, 20, 30]), i64([1], [4]), i64([1], [2])], {}, { opset: 18 });
  assert.deepEqual(y.dims, [1, 1, 4]);
  assertClose(y.data, [1, 12, 23, 30]);
});

test('Col2Im on integers drops padded positions, per channel', async () => {
  // image 3, block 2, pads 1+1: 4 positions; column (k, l) lands at l - 1 + k.
  const a = [1, 2, 3, 4], b = [10, 20, 30, 40];
  const data = [...a, ...b, ...a.map((v) => v * 100), ...b.map((v) => v * 100)];
  const y = await one('Col2Im', [{ type: 'int32', dims: [1, 4, 4], data }, i64([1], [3]), i64([1], [2])], { pads: [1, 1] }, { opset: 18 });
  assert.equal(y.type, 'int32');
  assert.deepEqual(y.dims, [1, 2, 3]);
  assert.deepEqual(Array.from(y.data), [2 + 10, 3 + 20, 4 + 30, 1200, 2300, 3400]);
  const big = await one('Col2Im', [{ type: 'int64', dims: [1, 2, 1], data: [2 ** 53, 1] }, i64([2], [1, 1]), i64([2], [2, 1])], { pads: [0, 0, 1, 0] }, { opset: 18 });
  assert.deepEqual(Array.from(big.data), [2n ** 53n]); // the second block row falls in the padding
});

test('Col2Im rejects a block count that does not match the input', async () => {
  await assert.rejects(runOp('Col2Im', [f32([1, 2, 4], seq(8)), i64([1], [4]), i64([1], [2])], {}, { opset: 18 }), /sliding blocks/);
});

// --------------------------------------------------------------- CenterCropPad

test('CenterCropPad crops with the start rounded down and pads with the extra on the right', async () => {
  const crop = await one('CenterCropPad', [f32([7], [0, 1, 2, 3, 4, 5, 6]), { type: 'int32', dims: [1], data: [4] }], {}, { opset: 18 });
  assertClose(crop.data, [1, 2, 3, 4]);
  const pad = await one('CenterCropPad', [{ type: 'string', dims: [2], data: ['a', 'b'] }, i64([1], [5])], {}, { opset: 18 });
  assert.deepEqual(Array.from(pad.data), ['', 'a', 'b', '', '']);
});

test('CenterCropPad with negative axes crops one axis and pads another (bool)', async () => {
  // [3, 2] -> axis 0 cropped to 1 (row 1), axis 1 padded to 4 (one zero column each side).
  const x = { type: 'bool' as const, dims: [3, 2], data: [1, 1, 1, 0, 0, 1] };
  const y = await one('CenterCropPad', [x, i64([2], [4, 1])], { axes: [-1, 0] }, { opset: 18 });
  assert.deepEqual(y.dims, [1, 4]);
  assert.deepEqual(Array.from(y.data, Number), [0, 1, 0, 0]);
  await assert.rejects(runOp('CenterCropPad', [x, i64([1], [2])], {}, { opset: 18 }), /2 axes/);
});

// ------------------------------------------------------------------ DeformConv

interface ConvCase { N: number; C: number; OC: number; H: number; W: number; k: [number, number]; group: number; pads: number[]; strides: number[]; dilations: number[] }

/** A direct 2-D convolution of X shifted by (dy, dx) (zeros outside), times `scale`, plus bias. */
function naiveConv(c: ConvCase, x: number[], w: number[], bias: number[] | null, dy = 0, dx = 0, scale = 1): { dims: number[]; data: number[] } {
  const [kh, kw] = c.k;
  const oh = Math.floor((c.H + c.pads[0] + c.pads[2] - ((kh - 1) * c.dilations[0] + 1)) / c.strides[0]) + 1;
  const ow = Math.floor((c.W + c.pads[1] + c.pads[3] - ((kw - 1) * c.dilations[1] + 1)) / c.strides[1]) + 1;
  const cg = c.C / c.group, og = c.OC / c.group;
  const out: number[] = [];
  for (let n = 0; n < c.N; n++) for (let o = 0; o < c.OC; o++) for (let i = 0; i < oh; i++) for (let j = 0; j < ow; j++) {
    let s = bias ? bias[o] : 0;
    const g = Math.floor(o / og);
    for (let ci = 0; ci < cg; ci++) for (let a = 0; a < kh; a++) for (let b = 0; b < kw; b++) {
      const y = i * c.strides[0] - c.pads[0] + a * c.dilations[0] + dy, xx = j * c.strides[1] - c.pads[1] + b * c.dilations[1] + dx;
      if (y < 0 || y >= c.H || xx < 0 || xx >= c.W) continue;
      s += scale * w[((o * cg + ci) * kh + a) * kw + b] * x[((n * c.C + g * cg + ci) * c.H + y) * c.W + xx];
    }
    out.push(s);
  }
  return { dims: [c.N, c.OC, oh, ow], data: out };
}

function deformInputs(c: ConvCase, offsetGroups: number, offsetValue: (k: number, axis: number) => number, seed = 3): { x: number[]; w: number[]; offset: OpInput; oh: number; ow: number } {
  const x = seq(c.N * c.C * c.H * c.W, seed), w = seq(c.OC * (c.C / c.group) * c.k[0] * c.k[1], seed + 1);
  const ref = naiveConv(c, x, w, null);
  const [, , oh, ow] = ref.dims, K = c.k[0] * c.k[1];
  const off: number[] = [];
  for (let n = 0; n < c.N; n++) for (let g = 0; g < offsetGroups; g++) for (let k = 0; k < K; k++) for (let a = 0; a < 2; a++) {
    for (let p = 0; p < oh * ow; p++) off.push(offsetValue(k, a));
  }
  return { x, w, offset: f32([c.N, offsetGroups * K * 2, oh, ow], off), oh, ow };
}

test('DeformConv with zero offsets is a grouped, strided, dilated, padded convolution with bias', async () => {
  const c: ConvCase = { N: 2, C: 4, OC: 6, H: 6, W: 7, k: [3, 2], group: 2, pads: [1, 0, 2, 1], strides: [2, 1], dilations: [1, 2] };
  const { x, w, offset } = deformInputs(c, 2, () => 0);
  const bias = [0.5, -1, 2, 0, 1, -0.25];
  const want = naiveConv(c, x, w, bias);
  const y = await one('DeformConv', [f32([c.N, c.C, c.H, c.W], x), f32([c.OC, 2, 3, 2], w), offset, f32([6], bias)],
    { group: 2, offset_group: 2, pads: c.pads, strides: c.strides, dilations: c.dilations }, { opset: 19 });
  assert.deepEqual(y.dims, want.dims);
  assertClose(y.data, want.data, 1e-5, 1e-5);
});

test('DeformConv over more output positions than one im2col block holds', async () => {
  // 64 channels × 9 taps × 2304 positions exceeds the 2^20-element column block.
  const c: ConvCase = { N: 1, C: 64, OC: 2, H: 48, W: 48, k: [3, 3], group: 1, pads: [1, 1, 1, 1], strides: [1, 1], dilations: [1, 1] };
  const { x, w, offset } = deformInputs(c, 1, () => 0, 11);
  const y = await one('DeformConv', [f32([1, 64, 48, 48], x), f32([2, 64, 3, 3], w), offset], { pads: c.pads }, { opset: 19 });
  assertClose(y.data, naiveConv(c, x, w, null).data, 1e-4, 1e-4);
});

test('DeformConv integer offsets shift the sampling; a mask scales each tap', async () => {
  const c: ConvCase = { N: 1, C: 2, OC: 3, H: 5, W: 5, k: [3, 3], group: 1, pads: [1, 1, 1, 1], strides: [1, 1], dilations: [1, 1] };
  // Every tap moves by (dy, dx) = (1, -2): the same as convolving X shifted by that much.
  const { x, w, offset, oh, ow } = deformInputs(c, 1, (_, axis) => (axis === 0 ? 1 : -2));
  const attrs = { pads: c.pads };
  const y = await one('DeformConv', [f32([1, 2, 5, 5], x), f32([3, 2, 3, 3], w), offset], attrs, { opset: 19 });
  assertClose(y.data, naiveConv(c, x, w, null, 1, -2).data, 1e-5, 1e-5);
  const mask = f32([1, 9, oh, ow], new Array<number>(9 * oh * ow).fill(0.5));
  const ym = await one('DeformConv', [f32([1, 2, 5, 5], x), f32([3, 2, 3, 3], w), offset, null, mask], attrs, { opset: 19 });
  assertClose(ym.data, naiveConv(c, x, w, null, 1, -2, 0.5).data, 1e-5, 1e-5);
});

test('DeformConv fractional offsets interpolate bilinearly with zeros outside', async () => {
  // 1×1 kernel on a 1×2 row [2, 4], offset x = +0.5: samples at 0.5 (3) and 1.5 (half of 4).
  const y = await one('DeformConv', [f32([1, 1, 1, 2], [2, 4]), f32([1, 1, 1, 1], [1]), f32([1, 2, 1, 2], [0, 0, 0.5, 0.5])], {}, { opset: 19 });
  assertClose(y.data, [3, 2], 1e-6);
});

test('DeformConv on a 1-D input and per-offset-group offsets', async () => {
  // 1-D: kernel [1, 1] over [1, 2, 3, 4]; channel 0 shifted by +1, channel 1 by 0 (offset_group 2).
  const x = f64([1, 2, 4], [1, 2, 3, 4, 10, 20, 30, 40]);
  const w = f64([1, 2, 2], [1, 1, 1, 1]);
  const offset = f64([1, 4, 3], [1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0]);
  const y = await one('DeformConv', [x, w, offset], { offset_group: 2 }, { opset: 19 });
  assert.deepEqual(y.dims, [1, 1, 3]);
  // channel 0 at i+1, i+2 (zero past the end): 5, 7, 4; channel 1 at i, i+1: 30, 50, 70.
  assertClose(y.data, [35, 57, 74]);
});

test('DeformConv rejects an offset tensor of the wrong shape', async () => {
  await assert.rejects(runOp('DeformConv', [f32([1, 1, 3, 3], seq(9)), f32([1, 1, 2, 2], seq(4)), f32([1, 4, 2, 2], seq(16))], {}, { opset: 19 }), /offset must have shape/);
});
