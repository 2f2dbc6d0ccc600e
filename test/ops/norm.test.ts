// Normalisation ops: versions, types and edge cases the ONNX conformance data leaves out.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { float16BitsToArray } from '../../runtime/tensor/float16.js';
import { layerNormalization } from '../../runtime/tensor/norm.js';
import { NodeCtx } from '../../runtime/tensor/tensor.js';
import { runOp, type OpInput } from './helpers.js';

function f32(dims: number[], data: number[]): OpInput { return { type: 'float32', dims, data }; }
function f64(dims: number[], data: number[]): OpInput { return { type: 'float64', dims, data }; }

function assertClose(actual: ArrayLike<unknown>, expected: readonly number[], tol = 1e-5): void {
  assert.equal(actual.length, expected.length, 'length');
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    assert.ok(Math.abs(a - expected[i]) <= tol * (1 + Math.abs(expected[i])), `element ${i}: ${a} vs ${expected[i]}`);
  }
}

/** (v - mean) / sqrt(var + eps) over the whole list (population variance). */
function standardize(v: number[], eps: number): number[] {
  const m = v.reduce((a, b) => a + b, 0) / v.length;
  const variance = v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length;
  return v.map((x) => (x - m) / Math.sqrt(variance + eps));
}

// ---------------------------------------------------------------------------
// LayerNormalization / RMSNormalization

test('LayerNormalization on float64 reports Mean/InvStdDev in the stash type (float32)', async () => {
  const x = f64([2, 3], [1, 2, 4, -1, 0, 7]);
  const [y, mean, inv] = await runOp('LayerNormalization', [x, f64([3], [1, 2, 3]), f64([3], [0, 1, 0])], {}, { opset: 17, outputs: 3 });
  assert.equal(y.type, 'float64');
  assert.equal(mean.type, 'float32');
  assert.equal(inv.type, 'float32');
  assert.deepEqual(mean.dims, [2, 1]);
  const r0 = standardize([1, 2, 4], 1e-5);
  const r1 = standardize([-1, 0, 7], 1e-5);
  assertClose(y.data, [r0[0], r0[1] * 2 + 1, r0[2] * 3, r1[0], r1[1] * 2 + 1, r1[2] * 3], 1e-12);
  assertClose(mean.data, [7 / 3, 2]);
  assertClose(inv.data, [1 / Math.sqrt(14 / 9 + 1e-5), 1 / Math.sqrt(38 / 3 + 1e-5)]);
});

test('LayerNormalization without B, with a scale broadcast inside the normalised dims', async () => {
  // axis 1 normalises [2, 2]; scale [2] repeats along the first of those dims.
  const vals = [1, 2, 3, 5, 0, 0, 1, -1];
  const [y] = await runOp('LayerNormalization', [f32([2, 2, 2], vals), f32([2], [10, -1])], { axis: 1 }, { opset: 17 });
  const a = standardize(vals.slice(0, 4), 1e-5);
  const b = standardize(vals.slice(4), 1e-5);
  assertClose(y.data, [a[0] * 10, -a[1], a[2] * 10, -a[3], b[0] * 10, -b[1], b[2] * 10, -b[3]]);
});

test('RMSNormalization gives Y the type of scale (float16 X, float32 scale)', async () => {
  const x: OpInput = { type: 'float16', dims: [2, 2], data: [3, 4, 1, 1] };
  const [y] = await runOp('RMSNormalization', [x, f32([2], [1, 0.5])], { epsilon: { float: 0 } }, { opset: 23 });
  assert.equal(y.type, 'float32');
  const r0 = Math.sqrt((9 + 16) / 2);
  assertClose(y.data, [3 / r0, 4 / r0 * 0.5, 1, 0.5]);
});

// ---------------------------------------------------------------------------
// BatchNormalization

const bnParams = (c: number): OpInput[] => [
  f32([c], Array.from({ length: c }, (_, i) => i + 1)), // scale
  f32([c], Array.from({ length: c }, (_, i) => -i)), // B
  f32([c], Array.from({ length: c }, (_, i) => i * 0.5)), // mean
  f32([c], Array.from({ length: c }, (_, i) => i + 0.25)), // var
];

test('BatchNormalization inference on a 2-D input (opset 9)', async () => {
  const x = f32([2, 2], [1, 2, 3, 4]);
  const [y] = await runOp('BatchNormalization', [x, ...bnParams(2)], { epsilon: { float: 0 } }, { opset: 9 });
  const f = (v: number, c: number): number => ((v - c * 0.5) * (c + 1)) / Math.sqrt(c + 0.25) - c;
  assertClose(y.data, [f(1, 0), f(2, 1), f(3, 0), f(4, 1)]);
});

test('BatchNormalization spatial = 0 (opset 7) uses per-position parameters', async () => {
  const x = f32([2, 1, 2], [1, 2, 3, 4]);
  const p = (v: number[]): OpInput => f32([1, 2], v);
  const [y] = await runOp('BatchNormalization', [x, p([1, 2]), p([0, 1]), p([1, 0]), p([1, 4])], { spatial: 0, epsilon: { float: 0 } }, { opset: 7 });
  // position 0: (x - 1) / 1 * 1 + 0; position 1: (x - 0) / 2 * 2 + 1
  assertClose(y.data, [0, 3, 2, 5]);
});

test('BatchNormalization training outputs: legacy five (opset 9) and running statistics (opset 14)', async () => {
  const x = f32([2, 1, 2], [1, 3, 5, 7]); // channel mean 4, population var 5
  const params = [f32([1], [2]), f32([1], [1]), f32([1], [10]), f32([1], [20])];
  const expectedY = [1, 3, 5, 7].map((v) => ((v - 4) / Math.sqrt(5 + 1e-5)) * 2 + 1);
  const legacy = await runOp('BatchNormalization', [x, ...params], { momentum: { float: 0.75 } }, { opset: 9, outputs: 5 });
  assertClose(legacy[0].data, expectedY);
  assertClose(legacy[1].data, [10 * 0.75 + 4 * 0.25]);
  assertClose(legacy[2].data, [20 * 0.75 + 5 * 0.25]);
  assertClose(legacy[3].data, [4]);
  assertClose(legacy[4].data, [5]);
  const v14 = await runOp('BatchNormalization', [x, ...params], { momentum: { float: 0.75 }, training_mode: 1 }, { opset: 14, outputs: 3 });
  assertClose(v14[0].data, expectedY);
  assertClose(v14[2].data, [20 * 0.75 + 5 * 0.25]);
  // is_test = 0 at opset 6 also normalises with the batch statistics.
  const [y6] = await runOp('BatchNormalization', [x, ...params], { is_test: 0 }, { opset: 6 });
  assertClose(y6.data, expectedY);
});

test('BatchNormalization with training_mode = 0 and three outputs passes the statistics through', async () => {
  const x = f32([1, 1, 2], [1, 3]);
  const outs = await runOp('BatchNormalization', [x, f32([1], [1]), f32([1], [0]), f32([1], [2]), f32([1], [4])], {}, { opset: 15, outputs: 3 });
  assertClose(outs[0].data, [-1 / Math.sqrt(4 + 1e-5), 1 / Math.sqrt(4 + 1e-5)]);
  assertClose(outs[1].data, [2]);
  assertClose(outs[2].data, [4]);
});

// ---------------------------------------------------------------------------
// InstanceNormalization / GroupNormalization

test('InstanceNormalization on a 3-D input', async () => {
  const vals = [1, 2, 3, 10, 10, 13];
  const [y] = await runOp('InstanceNormalization', [f32([1, 2, 3], vals), f32([2], [1, 2]), f32([2], [0, 1])], {}, { opset: 6 });
  const a = standardize(vals.slice(0, 3), 1e-5);
  const b = standardize(vals.slice(3), 1e-5);
  assertClose(y.data, [...a, ...b.map((v) => v * 2 + 1)]);
});

test('GroupNormalization-18 takes scale and bias per group', async () => {
  const vals = [1, 2, 3, 4, 0, 2, 4, 6]; // [1, 4, 2]: groups of 2 channels
  const [y] = await runOp('GroupNormalization', [f32([1, 4, 2], vals), f32([2], [2, 3]), f32([2], [1, -1])], { num_groups: 2 }, { opset: 18 });
  const a = standardize(vals.slice(0, 4), 1e-5).map((v) => v * 2 + 1);
  const b = standardize(vals.slice(4), 1e-5).map((v) => v * 3 - 1);
  assertClose(y.data, [...a, ...b]);
  await assert.rejects(
    runOp('GroupNormalization', [f32([1, 4, 2], vals), f32([2], [2, 3]), f32([2], [1, -1])], { num_groups: 2 }, { opset: 21 }),
    /scale must have 4 elements/,
  );
});

// ---------------------------------------------------------------------------
// LpNormalization, MeanVarianceNormalization, LRN

test('LpNormalization p = 1 along axis 0, and a zero vector stays zero', async () => {
  const [y] = await runOp('LpNormalization', [f32([2, 2], [1, 0, -3, 0])], { axis: 0, p: 1 }, { opset: 1 });
  assert.deepEqual(Array.from(y.data), [0.25, 0, -0.75, 0]);
  await assert.rejects(runOp('LpNormalization', [f32([2], [1, 2])], { p: 3 }, { opset: 1 }), /"p" must be 1 or 2/);
});

test('MeanVarianceNormalization with axes (opset 9) and across_channels (opset 1)', async () => {
  const vals = [1, 2, 3, 4, 6, 8];
  const norm = (v: number[]): number[] => {
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
    return v.map((x) => (x - m) / (sd + 1e-9));
  };
  const [a] = await runOp('MeanVarianceNormalization', [f32([2, 3], vals)], { axes: [1] }, { opset: 13 });
  assertClose(a.data, [...norm(vals.slice(0, 3)), ...norm(vals.slice(3))]);
  const [b] = await runOp('MeanVarianceNormalization', [f32([1, 2, 3], vals)], { across_channels: 1 }, { opset: 1 });
  assertClose(b.data, norm(vals));
  const [c] = await runOp('MeanVarianceNormalization', [f32([1, 2, 3], vals)], { normalize_variance: 0 }, { opset: 1 });
  assertClose(c.data, [-1, 0, 1, -2, 0, 2]);
});

test('LRN with an even window size uses channels [c, c + 1]', async () => {
  const vals = [1, 2, 3];
  const [y] = await runOp('LRN', [f32([1, 3, 1], vals)], { size: 2, alpha: { float: 0.5 }, beta: { float: 1 }, bias: { float: 1 } }, { opset: 13 });
  const sq = [1 + 4, 4 + 9, 9];
  assertClose(y.data, vals.map((v, i) => v / (1 + (0.5 / 2) * sq[i])));
});

test('float16 LayerNormalization rounds Y to float16', async () => {
  const x: OpInput = { type: 'float16', dims: [1, 3], data: [1, 2, 3] };
  const [y] = await runOp('LayerNormalization', [x, { type: 'float16', dims: [3], data: [1, 1, 1] }], {}, { opset: 17 });
  const got = Array.from(float16BitsToArray(y.data as Uint16Array));
  const exp = standardize([1, 2, 3], 1e-5);
  assertClose(got, exp, 1e-3);
  assert.equal(got[1], 0);
});

test('LayerNormalization statistics in one shifted pass match a two-pass float64 reference on badly centred rows', () => {
  const cols = 128;
  // Rows with means up to 1e4 times their spread, one row led by an outlier, one constant row.
  const rows: number[][] = [
    Array.from({ length: cols }, (_, j) => 1e4 + Math.sin(j)),
    Array.from({ length: cols }, (_, j) => -3e3 + 1e-2 * Math.cos(3 * j)),
    Array.from({ length: cols }, (_, j) => (j === 0 ? 5e3 : Math.sin(j))),
    Array.from({ length: cols }, () => 7),
  ];
  const x = Float64Array.from(rows.flat());
  const attrs = { axis: -1, epsilon: 1e-5, statsType: 'float64' as const, outputs: 3 };
  const scale = { type: 'float64' as const, dims: [cols], data: new Float64Array(cols).fill(1) };
  const out = layerNormalization(new NodeCtx('ln', true), [{ type: 'float64', dims: [rows.length, cols], data: x }, scale], attrs);
  const y = out[0].data as Float64Array, mean = out[1].data as Float64Array, inv = out[2].data as Float64Array;
  rows.forEach((row, r) => {
    const m = row.reduce((a, b) => a + b, 0) / cols;
    const v = row.reduce((a, b) => a + (b - m) * (b - m), 0) / cols;
    const i = 1 / Math.sqrt(v + 1e-5);
    assert.ok(Math.abs(mean[r] - m) <= 1e-12 * Math.max(1, Math.abs(m)), `row ${r} mean ${mean[r]} want ${m}`);
    assert.ok(Math.abs(inv[r] - i) <= 1e-9 * i, `row ${r} inv ${inv[r]} want ${i}`);
    row.forEach((xv, j) => assert.ok(Math.abs(y[r * cols + j] - (xv - m) * i) <= 1e-7, `row ${r} col ${j}`));
  });
});
