// Quantisation ops: cases the ONNX conformance suite leaves out (rounding ties,
// saturation of NaN and infinities, old opsets, precision, per-axis and blocked
// parameters with remainders, int32 inputs, float16 scales, per-row/per-column
// QLinearMatMul, QLinearConv geometry, attribute validation).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { float16BitsToFloat } from '../../runtime/tensor/float16.js';
import { runOp, type OpInput } from './helpers.js';

const f32 = (dims: number[], data: number[]): OpInput => ({ type: 'float32', dims, data });
const f16 = (dims: number[], data: number[]): OpInput => ({ type: 'float16', dims, data });
const u8 = (dims: number[], data: number[]): OpInput => ({ type: 'uint8', dims, data });
const i8 = (dims: number[], data: number[]): OpInput => ({ type: 'int8', dims, data });
const scalar = (t: 'float32' | 'uint8' | 'int8', v: number): OpInput => ({ type: t, dims: [], data: [v] });

async function one(op: string, inputs: (OpInput | null)[], attrs = {}, opset = 21): Promise<{ type: string; dims: number[]; data: number[] }> {
  const [y] = await runOp(op, inputs, attrs, { opset });
  return { type: y.type, dims: y.dims, data: Array.from(y.data, Number) };
}

/** float16 outputs come back as binary16 bit patterns. */
const halfValues = (bits: number[]): number[] => bits.map(float16BitsToFloat);

// ------------------------------------------------------------- QuantizeLinear

test('QuantizeLinear rounds ties to even and saturates (NaN and -Inf to the minimum, +Inf to the maximum)', async () => {
  const x = [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, NaN, Infinity, -Infinity, 300, -300];
  const u = await one('QuantizeLinear', [f32([11], x), scalar('float32', 1), scalar('uint8', 10)]);
  assert.equal(u.type, 'uint8');
  assert.deepEqual(u.data, [10, 12, 12, 10, 8, 8, 0, 255, 0, 255, 0]);
  const s = await one('QuantizeLinear', [f32([11], x), scalar('float32', 1), scalar('int8', 0)]);
  assert.deepEqual(s.data, [0, 2, 2, 0, -2, -2, -128, 127, -128, 127, -128]);
});

test('QuantizeLinear to int16 and uint16 (opset 21) and defaults to uint8 without a zero point', async () => {
  const x = f32([4], [-40000, -1.25, 1.25, 40000]);
  const i16 = await one('QuantizeLinear', [x, scalar('float32', 0.5), { type: 'int16', dims: [], data: [1] }]);
  assert.equal(i16.type, 'int16');
  assert.deepEqual(i16.data, [-32768, -1, 3, 32767]);
  const u16 = await one('QuantizeLinear', [x, scalar('float32', 0.5), { type: 'uint16', dims: [], data: [1] }]);
  assert.deepEqual(u16.data, [0, 0, 3, 65535]);
  const def = await one('QuantizeLinear', [x, scalar('float32', 0.5)], {}, 13);
  assert.equal(def.type, 'uint8');
  assert.deepEqual(def.data, [0, 0, 2, 255]);
});

test('QuantizeLinear output_dtype picks the type without a zero point and must agree with one', async () => {
  const y = await one('QuantizeLinear', [f32([2], [-3, 3]), scalar('float32', 1)], { output_dtype: 3 });
  assert.equal(y.type, 'int8');
  assert.deepEqual(y.data, [-3, 3]);
  await assert.rejects(runOp('QuantizeLinear', [f32([1], [1]), scalar('float32', 1), scalar('uint8', 0)], { output_dtype: 3 }, { opset: 21 }), /does not match/);
  // float8e4m3fn: 1.0 is sign 0, exponent 0111 (bias 7), mantissa 000 = 0x38; 448 saturates to 0x7e.
  const [f8] = await runOp('QuantizeLinear', [f32([2], [1, 1000]), scalar('float32', 1)], { output_dtype: 17 }, { opset: 21 });
  assert.equal(f8.type, 'float8e4m3fn');
  assert.deepEqual(Array.from(f8.data as Uint8Array), [0x38, 0x7e]);
});

test('QuantizeLinear per-axis with a negative axis; opset 10 refuses per-axis scales', async () => {
  const x = f32([2, 3], [1, 2, 3, 4, 5, 6]);
  const y = await one('QuantizeLinear', [x, f32([3], [0.5, 1, 2]), u8([3], [1, 2, 3])], { axis: -1 }, 13);
  assert.deepEqual(y.data, [3, 4, 5, 9, 7, 6]);
  await assert.rejects(runOp('QuantizeLinear', [x, f32([3], [0.5, 1, 2]), u8([3], [1, 2, 3])], {}, { opset: 10 }), /scalars before opset 13/);
  await assert.rejects(runOp('QuantizeLinear', [x, f32([2], [0.5, 1])], { axis: 1 }, { opset: 13 }), /length 3/);
});

test('QuantizeLinear blocked along axis 1 with a partial last block', async () => {
  const x = f32([2, 5], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  const scale = f32([2, 3], [0.5, 1, 2, 3, 4, 5]);
  const zp = u8([2, 3], [1, 2, 3, 4, 5, 6]);
  const y = await one('QuantizeLinear', [x, scale, zp], { axis: 1, block_size: 2 });
  // Row 0: blocks {1,2}/0.5+1, {3,4}/1+2, {5}/2+3 (2.5 rounds to 2). Row 1 likewise.
  assert.deepEqual(y.data, [3, 5, 5, 6, 5, 6, 6, 7, 7, 8]);
  await assert.rejects(runOp('QuantizeLinear', [x, f32([2, 2], [1, 1, 1, 1])], { axis: 1, block_size: 2 }, { opset: 21 }), /does not fit blocked/);
});

test('QuantizeLinear divides in float16 for float16 operands (opset 19)', async () => {
  // 0.3 is 0.29992... in float16; 90.1875 / 0.29992 = 300.576 rounds to 300.5 in float16, a tie
  // that goes to 300 (a float32 division would give 301).
  const y = await one('QuantizeLinear', [f16([3], [0.1, 90.1875, -3.3]), f16([], [0.3]), { type: 'int16', dims: [], data: [0] }], {}, 21);
  assert.deepEqual(y.data, [0, 300, -11]);
});

test('QuantizeLinear-23 precision: float16 division rounds x and the quotient to float16', async () => {
  const inputs = [f32([1], [1.0007]), f32([], [0.001]), { type: 'int16' as const, dims: [], data: [0] }];
  assert.deepEqual((await one('QuantizeLinear', inputs, {}, 23)).data, [1001]);
  // float16: 1.0007 -> 1.0009765625, 0.001 -> 0.00100040..., quotient 1000.57 -> 1000.5 -> 1000 (tie to even).
  assert.deepEqual((await one('QuantizeLinear', inputs, { precision: 10 }, 23)).data, [1000]);
});

test('QuantizeLinear accepts int32 input (divided in float64, as numpy promotes)', async () => {
  const y = await one('QuantizeLinear', [{ type: 'int32', dims: [4], data: [1, 100, -7, 16777217] }, scalar('float32', 2), scalar('int8', 1)], {}, 10);
  assert.deepEqual(y.data, [1, 51, -3, 127]);
});

// ----------------------------------------------------------- DequantizeLinear

test('DequantizeLinear per-axis and blocked with a partial block', async () => {
  const axis = await one('DequantizeLinear', [i8([2, 3], [1, -2, 3, 127, -128, 0]), f32([2], [0.5, 0.25]), i8([2], [3, -3])], { axis: 0 }, 13);
  assert.equal(axis.type, 'float32');
  assert.deepEqual(axis.data, [-1, -2.5, 0, 32.5, -31.25, 0.75]);
  const x: OpInput = { type: 'int16', dims: [1, 5], data: [10, 20, 30, 40, 50] };
  const blocked = await one('DequantizeLinear', [x, f32([1, 2], [0.5, 2]), { type: 'int16', dims: [1, 2], data: [10, 0] }], { axis: 1, block_size: 3 });
  assert.deepEqual(blocked.data, [0, 5, 10, 80, 100]);
});

test('DequantizeLinear of int32 without zero point, and opset 10 refuses per-axis scales', async () => {
  const y = await one('DequantizeLinear', [{ type: 'int32', dims: [3], data: [-5, 0, 1 << 24] }, scalar('float32', 0.5)], {}, 10);
  assert.deepEqual(y.data, [-2.5, 0, 8388608]);
  await assert.rejects(runOp('DequantizeLinear', [u8([2], [1, 2]), f32([2], [1, 2])], {}, { opset: 10 }), /scalars before opset 13/);
});

test('DequantizeLinear output type follows a float16 scale (19) or output_dtype (23)', async () => {
  const a = await one('DequantizeLinear', [u8([3], [1, 200, 255]), f16([], [0.1]), scalar('uint8', 3)], {}, 19);
  assert.equal(a.type, 'float16');
  assert.deepEqual(halfValues(a.data), [-0.199951171875, 19.6875, 25.1875]);
  const b = await one('DequantizeLinear', [u8([2], [3, 4]), scalar('float32', 0.1)], { output_dtype: 10 }, 23);
  assert.equal(b.type, 'float16');
  assert.deepEqual(halfValues(b.data), [0.300048828125, 0.39990234375]);
});

// ------------------------------------------------------ DynamicQuantizeLinear

test('DynamicQuantizeLinear: all zeros gives scale 1, zero point 0', async () => {
  const [y, s, z] = await runOp('DynamicQuantizeLinear', [f32([3], [0, 0, 0])], {}, { opset: 11, outputs: 3 });
  assert.deepEqual(Array.from(y.data, Number), [0, 0, 0]);
  assert.deepEqual(Array.from(s.data, Number), [1]);
  assert.deepEqual(Array.from(z.data, Number), [0]);
});

test('DynamicQuantizeLinear: negative-only data puts the zero point at 255', async () => {
  const [y, s, z] = await runOp('DynamicQuantizeLinear', [f32([3], [-1, -2, -5.1])], {}, { opset: 11, outputs: 3 });
  const scale = Math.fround(Math.fround(5.1) / 255);
  assert.deepEqual(s.dims, []);
  assert.equal(Number(s.data[0]), scale);
  assert.equal(Number(z.data[0]), 255);
  assert.deepEqual(Array.from(y.data, Number), [255 - Math.round(1 / scale), 255 - Math.round(2 / scale), 0]);
});

// -------------------------------------------------------------- QLinearMatMul

/** Straightforward reference: per-row a/y parameters, per-column b parameters, ties to even. */
function qmatmulRef(a: number[], b: number[], M: number, K: number, N: number, p: {
  as: number[]; az: number[]; bs: number[]; bz: number[]; ys: number[]; yz: number[]; lo: number; hi: number;
}): number[] {
  const at = (v: number[], i: number): number => v[v.length === 1 ? 0 : i];
  const out: number[] = [];
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let acc = 0;
      for (let k = 0; k < K; k++) acc += (a[i * K + k] - at(p.az, i)) * (b[k * N + j] - at(p.bz, j));
      const m = Math.fround(Math.fround(at(p.as, i) * at(p.bs, j)) / at(p.ys, i));
      const v = acc * m + at(p.yz, i);
      let r = Math.round(v);
      if (r - v === 0.5 && r % 2 !== 0) r--;
      out.push(Math.min(p.hi, Math.max(p.lo, r)));
    }
  }
  return out;
}

test('QLinearMatMul with per-row a/y and per-column b parameters', async () => {
  const a = [10, 200, 30, 40, 250, 60, 7, 80], b = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12];
  const p = { as: [0.02, 0.03], az: [100, 120], bs: [0.05, 0.01, 0.02], bz: [2, 6, 9], ys: [0.05, 0.04], yz: [128, 100], lo: 0, hi: 255 };
  const y = await one('QLinearMatMul', [
    u8([2, 4], a), f32([2], p.as), u8([2], p.az), u8([4, 3], b), f32([3], p.bs), u8([3], p.bz), f32([2], p.ys), u8([2], p.yz),
  ], {}, 10);
  assert.deepEqual(y.dims, [2, 3]);
  assert.deepEqual(y.data, qmatmulRef(a, b, 2, 4, 3, p));
});

test('QLinearMatMul broadcasts batch axes and handles 1-D operands like numpy', async () => {
  const a = [1, -2, 3, -4, 5, -6, 7, -8, 9, -10, 11, -12], b = [3, 1, -1, 2, 0, 5, -3, 4];
  const p = { as: [0.1], az: [1], bs: [0.2], bz: [-1], ys: [0.05], yz: [3], lo: -128, hi: 127 };
  const sc = (v: number): OpInput => f32([], [v]);
  const y = await one('QLinearMatMul', [i8([3, 1, 1, 4], a), sc(0.1), i8([], [1]), i8([2, 4, 1], b), sc(0.2), i8([], [-1]), sc(0.05), i8([], [3])], {}, 10);
  assert.deepEqual(y.dims, [3, 2, 1, 1]);
  const want: number[] = [];
  for (let i = 0; i < 3; i++) for (let j = 0; j < 2; j++) want.push(...qmatmulRef(a.slice(i * 4, i * 4 + 4), b.slice(j * 4, j * 4 + 4), 1, 4, 1, p));
  assert.deepEqual(y.data, want);
  const v = await one('QLinearMatMul', [i8([4], a.slice(0, 4)), sc(0.1), i8([], [1]), i8([4, 2], b), sc(0.2), i8([], [-1]), sc(0.05), i8([], [3])], {}, 10);
  assert.deepEqual(v.dims, [2]);
  assert.deepEqual(v.data, qmatmulRef(a.slice(0, 4), b, 1, 4, 2, p));
});

test('QLinearMatMul takes float16 scales from opset 21 only', async () => {
  const ins = [u8([1, 2], [10, 20]), f16([], [0.1]), u8([], [0]), u8([2, 1], [3, 4]), f16([], [0.1]), u8([], [0]), f16([], [0.1]), u8([], [0])];
  const y = await one('QLinearMatMul', ins, {}, 21);
  // multiplier: f16(f16(0.1 * 0.1) / 0.1) = 0.0999755859375; 110 * that = 10.997 -> 11.
  assert.deepEqual(y.data, [11]);
  await assert.rejects(runOp('QLinearMatMul', ins, {}, { opset: 20 }), /must be float32, got float16/);
});

// ---------------------------------------------------------------- QLinearConv

interface ConvCase {
  x: number[]; xDims: number[]; w: number[]; wDims: number[]; xz: number; wz: number[]; xs: number; ws: number[]; ys: number; yz: number;
  bias?: number[]; group: number; pads: number[]; strides: number[]; dilations: number[]; lo: number; hi: number;
}

/** Naive N-D (1-3 spatial axes) reference with explicit bounds checks instead of padding. */
function qconvRef(c: ConvCase): { dims: number[]; data: number[] } {
  const r = c.xDims.length - 2, [N, C] = c.xDims, M = c.wDims[0], Cg = C / c.group, Mg = M / c.group;
  const inS = c.xDims.slice(2), kS = c.wDims.slice(2);
  const outS = inS.map((d, i) => Math.floor((d + c.pads[i] + c.pads[i + r] - ((kS[i] - 1) * c.dilations[i] + 1)) / c.strides[i]) + 1);
  const count = (dims: number[]): number => dims.reduce((p, d) => p * d, 1);
  const unravel = (idx: number, dims: number[]): number[] => {
    const out = new Array<number>(dims.length);
    for (let i = dims.length - 1; i >= 0; i--) { out[i] = idx % dims[i]; idx = Math.floor(idx / dims[i]); }
    return out;
  };
  const flat = (ix: number[], dims: number[]): number => ix.reduce((p, v, i) => p * dims[i] + v, 0);
  const data: number[] = [];
  for (let n = 0; n < N; n++) {
    for (let m = 0; m < M; m++) {
      const g = Math.floor(m / Mg);
      const wz = c.wz[c.wz.length === 1 ? 0 : m], ws = c.ws[c.ws.length === 1 ? 0 : m];
      for (let o = 0; o < count(outS); o++) {
        const oi = unravel(o, outS);
        let acc = c.bias ? c.bias[m] : 0;
        for (let ci = 0; ci < Cg; ci++) {
          for (let kk = 0; kk < count(kS); kk++) {
            const ki = unravel(kk, kS);
            const xi = oi.map((v, i) => v * c.strides[i] + ki[i] * c.dilations[i] - c.pads[i]);
            if (xi.some((v, i) => v < 0 || v >= inS[i])) continue;
            const xv = c.x[(n * C + g * Cg + ci) * count(inS) + flat(xi, inS)] - c.xz;
            acc += xv * (c.w[(m * Cg + ci) * count(kS) + kk] - wz);
          }
        }
        const v = acc * Math.fround(Math.fround(c.xs * ws) / c.ys) + c.yz;
        let q = Math.round(v);
        if (q - v === 0.5 && q % 2 !== 0) q--;
        data.push(Math.min(c.hi, Math.max(c.lo, q)));
      }
    }
  }
  return { dims: [N, M, ...outS], data };
}

function seq(n: number, seed: number, lo: number, hi: number): number[] {
  let s = seed;
  return Array.from({ length: n }, () => { s = (s * 1103515245 + 12345) % 2147483648; return lo + (s % (hi - lo + 1)); });
}

async function runConv(c: ConvCase, attrs: Record<string, number[] | number | string>, xType: 'uint8' | 'int8', wType: 'uint8' | 'int8', yType: 'uint8' | 'int8') {
  const inputs: OpInput[] = [
    { type: xType, dims: c.xDims, data: c.x }, f32([], [c.xs]), { type: xType, dims: [], data: [c.xz] },
    { type: wType, dims: c.wDims, data: c.w }, f32(c.ws.length === 1 ? [] : [c.ws.length], c.ws),
    { type: wType, dims: c.wz.length === 1 ? [] : [c.wz.length], data: c.wz }, f32([], [c.ys]), { type: yType, dims: [], data: [c.yz] },
  ];
  if (c.bias) inputs.push({ type: 'int32', dims: [c.bias.length], data: c.bias });
  return one('QLinearConv', inputs, attrs, 10);
}

test('QLinearConv 2-D with groups, asymmetric pads, strides, dilations, per-channel weights and bias', async () => {
  const c: ConvCase = {
    xDims: [2, 4, 7, 6], x: seq(2 * 4 * 7 * 6, 3, 0, 255), wDims: [6, 2, 3, 2], w: seq(72, 9, -128, 127),
    xz: 100, wz: [0, 1, -2, 3, 0, -1], xs: 0.02, ws: [0.01, 0.02, 0.03, 0.015, 0.005, 0.02], ys: 0.5, yz: 128,
    bias: [100, -200, 300, 0, 5, -7], group: 2, pads: [1, 0, 2, 1], strides: [2, 1], dilations: [1, 2], lo: 0, hi: 255,
  };
  const y = await runConv(c, { group: 2, pads: c.pads, strides: c.strides, dilations: c.dilations }, 'uint8', 'int8', 'uint8');
  const want = qconvRef(c);
  assert.deepEqual(y.dims, want.dims);
  assert.deepEqual(y.data, want.data);
});

test('QLinearConv 1-D with auto_pad SAME_LOWER and 3-D with explicit pads', async () => {
  // SAME_LOWER on length 9, stride 2, kernel 4: output 5, total padding 3 split 2 before, 1 after.
  const one1: ConvCase = {
    xDims: [2, 3, 9], x: seq(54, 3, 0, 255), wDims: [4, 3, 4], w: seq(48, 9, 0, 255), xz: 100, wz: [128], xs: 0.02, ws: [0.01],
    ys: 0.5, yz: 3, group: 1, pads: [2, 1], strides: [2], dilations: [1], lo: 0, hi: 255,
  };
  const y1 = await runConv(one1, { auto_pad: 'SAME_LOWER', strides: [2] }, 'uint8', 'uint8', 'uint8');
  const want1 = qconvRef(one1);
  assert.deepEqual(y1.dims, [2, 4, 5]);
  assert.deepEqual(y1.data, want1.data);

  const three: ConvCase = {
    xDims: [1, 2, 4, 5, 3], x: seq(120, 3, -128, 127), wDims: [3, 2, 2, 3, 2], w: seq(72, 9, -128, 127), xz: 1, wz: [0], xs: 0.02, ws: [0.01],
    ys: 1.5, yz: -3, group: 1, pads: [1, 1, 0, 0, 1, 1], strides: [1, 2, 1], dilations: [1, 1, 2], lo: -128, hi: 127,
  };
  const y3 = await runConv(three, { pads: three.pads, strides: three.strides, dilations: three.dilations }, 'int8', 'int8', 'int8');
  const want3 = qconvRef(three);
  assert.deepEqual(y3.dims, want3.dims);
  assert.deepEqual(y3.data, want3.data);
});

test('QLinearConv rejects weights that do not fit the group', async () => {
  const c: ConvCase = {
    xDims: [1, 3, 4, 4], x: seq(48, 1, 0, 255), wDims: [2, 2, 1, 1], w: [1, 2, 3, 4], xz: 0, wz: [0], xs: 1, ws: [1], ys: 1, yz: 0,
    group: 1, pads: [0, 0, 0, 0], strides: [1, 1], dilations: [1, 1], lo: 0, hi: 255,
  };
  await assert.rejects(runConv(c, {}, 'uint8', 'uint8', 'uint8'), /do not fit input channels/);
});
