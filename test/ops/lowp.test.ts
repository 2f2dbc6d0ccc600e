// Low-precision element types (runtime/tensor/lowp.ts): bfloat16, float8 (e4m3fn,
// e4m3fnuz, e5m2, e5m2fnuz, e8m0), float4e2m1, int4/uint4/int2/uint2.
// Conversion tables and rounding/saturation rules, the public boundary
// (readFeed/writeResult), TensorProto decoding, constant embedding through a
// compiled module, and Cast/QuantizeLinear/DequantizeLinear end to end.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readFeed, writeResult, constTensor } from '../../runtime/io/feeds.js';
import { convert } from '../../runtime/tensor/cast.js';
import { encodeBase64 } from '../../runtime/io/base64.js';
import {
  castToLowpInt, floatToLowpBits, lowpBitsToFloat, lowpFromStorage, lowpToStorage,
  packSubByte, roundToLowp, unpackSubByte,
} from '../../runtime/tensor/lowp.js';
import { LOWP_FLOAT_TYPES, type DType, type LowpFloatType, type Tensor } from '../../runtime/tensor/tensor.js';
import { tensorFromProto } from '../../src/frontends/onnx/tensor-proto.js';
import { compareTensors } from '../../src/validate/compare.js';
import { graph, modelBytes, valueInfo, type AttrInput } from '../support/onnx-builder.js';
import { compileBytes, type PublicTensor } from '../support/run-module.js';

const isNaNBits = (type: LowpFloatType, b: number): boolean => Number.isNaN(lowpBitsToFloat(type, b));
const same = (a: number, b: number): boolean => Object.is(a, b) || (Number.isNaN(a) && Number.isNaN(b));

// ------------------------------------------------------------ conversion tables

test('every float8e4m3fn and float8e5m2 bit pattern decodes and encodes back to itself (NaNs to the canonical NaN)', () => {
  for (const type of ['float8e4m3fn', 'float8e5m2'] as const) {
    let nans = 0;
    for (let b = 0; b < 256; b++) {
      const v = lowpBitsToFloat(type, b);
      if (Number.isNaN(v)) { nans++; assert.ok(isNaNBits(type, floatToLowpBits(type, v)), `${type} ${b}`); continue; }
      assert.equal(floatToLowpBits(type, v), b, `${type} pattern 0x${b.toString(16)} (${v})`);
      assert.ok(same(roundToLowp(type, v, false), v), `${type} ${v} is a fixed point`);
      if (Number.isFinite(v)) assert.ok(same(roundToLowp(type, v, true), v), `${type} ${v} is a fixed point when saturating`);
      assert.equal(Math.fround(v), v, 'every value is a float32 value');
    }
    assert.equal(nans, type === 'float8e4m3fn' ? 2 : 6); // e4m3fn: S.1111.111; e5m2: S.11111.{01,10,11}
  }
});

test('the other float types: every pattern round-trips; special patterns have the documented values', () => {
  for (const type of ['float8e4m3fnuz', 'float8e5m2fnuz', 'float8e8m0', 'float4e2m1'] as const) {
    const count = type === 'float4e2m1' ? 16 : 256;
    for (let b = 0; b < count; b++) {
      const v = lowpBitsToFloat(type, b);
      if (Number.isNaN(v)) continue;
      assert.equal(floatToLowpBits(type, v), b, `${type} pattern 0x${b.toString(16)} (${v})`);
    }
  }
  for (let b = 0; b < 65536; b++) {
    const v = lowpBitsToFloat('bfloat16', b);
    if (!Number.isNaN(v)) assert.equal(floatToLowpBits('bfloat16', v), b);
  }
  assert.equal(lowpBitsToFloat('float8e4m3fn', 0x7e), 448);
  assert.equal(lowpBitsToFloat('float8e4m3fn', 0x01), 2 ** -9);
  assert.equal(lowpBitsToFloat('float8e5m2', 0x7b), 57344);
  assert.equal(lowpBitsToFloat('float8e5m2', 0x7c), Infinity);
  assert.equal(lowpBitsToFloat('float8e5m2', 0x01), 2 ** -16);
  assert.equal(lowpBitsToFloat('float8e4m3fnuz', 0x7f), 240);
  assert.equal(lowpBitsToFloat('float8e4m3fnuz', 0x01), 2 ** -10);
  assert.ok(Number.isNaN(lowpBitsToFloat('float8e4m3fnuz', 0x80)));
  assert.equal(lowpBitsToFloat('float8e5m2fnuz', 0x7f), 57344);
  assert.equal(lowpBitsToFloat('float8e5m2fnuz', 0x01), 2 ** -17);
  assert.ok(Number.isNaN(lowpBitsToFloat('float8e5m2fnuz', 0x80)));
  assert.equal(lowpBitsToFloat('float8e8m0', 0x7f), 1);
  assert.equal(lowpBitsToFloat('float8e8m0', 0x00), 2 ** -127);
  assert.equal(lowpBitsToFloat('float8e8m0', 0xfe), 2 ** 127);
  assert.ok(Number.isNaN(lowpBitsToFloat('float8e8m0', 0xff)));
  assert.deepEqual(Array.from({ length: 16 }, (_, b) => lowpBitsToFloat('float4e2m1', b)),
    [0, 0.5, 1, 1.5, 2, 3, 4, 6, -0, -0.5, -1, -1.5, -2, -3, -4, -6]);
  assert.equal(lowpBitsToFloat('bfloat16', 0x3f80), 1);
  assert.equal(lowpBitsToFloat('bfloat16', 0x7f80), Infinity);
});

test('rounding is to nearest with ties to even, subnormals included', () => {
  const cases: [LowpFloatType, number, number][] = [
    ['float8e4m3fn', 1 + 1 / 16, 1], ['float8e4m3fn', 1 + 3 / 16, 1.25], ['float8e4m3fn', 1 + 1 / 16 + 2 ** -20, 1.125],
    ['float8e4m3fn', 2 ** -10, 0], ['float8e4m3fn', 3 * 2 ** -10, 2 ** -8], ['float8e4m3fn', -(2 ** -10), -0],
    ['float8e5m2', 1.125, 1], ['float8e5m2', 1.375, 1.5], ['float8e5m2', 2 ** -17, 0], ['float8e5m2', 3 * 2 ** -17, 2 ** -15],
    ['float8e4m3fnuz', 1 + 1 / 16, 1], ['float8e4m3fnuz', -(2 ** -12), 0],
    ['float8e5m2fnuz', 1.375, 1.5], ['float8e5m2fnuz', -0, 0],
    ['bfloat16', 1 + 2 ** -8, 1], ['bfloat16', 1 + 3 * 2 ** -8, 1 + 2 ** -6], ['bfloat16', 0.1, 0.10009765625],
    ['bfloat16', 1 + 2 ** -8 + 2 ** -40, 1 + 2 ** -7], // from a double: one rounding
    ['float4e2m1', 0.25, 0], ['float4e2m1', 0.75, 1], ['float4e2m1', 1.25, 1], ['float4e2m1', 1.75, 2],
    ['float4e2m1', 2.5, 2], ['float4e2m1', 3.5, 4], ['float4e2m1', 5, 4], ['float4e2m1', -5.5, -6], ['float4e2m1', -0, -0],
  ];
  for (const [type, x, want] of cases) assert.ok(same(roundToLowp(type, x), want), `${type}(${x}) = ${roundToLowp(type, x)}, want ${want}`);
});

test('saturation: saturate=1 clamps to the largest finite value, saturate=0 gives Inf or NaN as the type allows', () => {
  const t: [LowpFloatType, number, number, number][] = [
    // type, x, saturated, not saturated
    ['float8e4m3fn', 1000, 448, NaN], ['float8e4m3fn', -1000, -448, NaN], ['float8e4m3fn', 464, 448, 448], ['float8e4m3fn', 465, 448, NaN],
    ['float8e4m3fn', Infinity, 448, NaN], ['float8e4m3fn', -Infinity, -448, NaN],
    ['float8e5m2', 1e6, 57344, Infinity], ['float8e5m2', -61440, -57344, -Infinity], ['float8e5m2', 61439, 57344, 57344],
    ['float8e5m2', Infinity, 57344, Infinity], ['float8e5m2', -Infinity, -57344, -Infinity],
    ['float8e4m3fnuz', 1000, 240, NaN], ['float8e4m3fnuz', Infinity, 240, NaN], ['float8e4m3fnuz', -Infinity, -240, NaN],
    ['float8e5m2fnuz', 1e6, 57344, NaN], ['float8e5m2fnuz', -Infinity, -57344, NaN],
    ['float8e8m0', 2 ** 127 * 1.5, 2 ** 127, NaN], ['float8e8m0', Infinity, NaN, NaN],
    // not float8: saturate does not apply
    ['bfloat16', 3.4e38, Infinity, Infinity], ['float4e2m1', 100, 6, 6], ['float4e2m1', -Infinity, -6, -6],
  ];
  for (const [type, x, sat, nosat] of t) {
    assert.ok(same(roundToLowp(type, x, true), sat), `${type}(${x}) saturated = ${roundToLowp(type, x, true)}`);
    assert.ok(same(roundToLowp(type, x, false), nosat), `${type}(${x}) not saturated = ${roundToLowp(type, x, false)}`);
  }
  for (const type of LOWP_FLOAT_TYPES) {
    const nan = roundToLowp(type, NaN);
    if (type === 'float4e2m1') assert.equal(floatToLowpBits(type, nan), 0x8); // no NaN: the -0 pattern, as ml_dtypes
    else assert.ok(Number.isNaN(nan), type);
  }
  assert.equal(floatToLowpBits('float8e4m3fnuz', NaN), 0x80);
  assert.equal(floatToLowpBits('float8e5m2', NaN), 0x7e);
});

test('float8e8m0 rounds by round_mode from the float32 exponent; the sign is ignored', () => {
  const up = (x: number, s = true): number => roundToLowp('float8e8m0', x, s, 'up');
  const down = (x: number): number => roundToLowp('float8e8m0', x, true, 'down');
  const near = (x: number): number => roundToLowp('float8e8m0', x, true, 'nearest');
  assert.deepEqual([up(3), down(3), near(3)], [4, 2, 4]); // 3 = 1.5·2: a tie rounds up
  assert.deepEqual([up(2.9), down(2.9), near(2.9)], [4, 2, 2]);
  assert.deepEqual([up(1.1), up(0.124), up(8), up(-4)], [2, 0.125, 8, 4]);
  assert.deepEqual([up(0), down(0), near(0)], [2 ** -127, 2 ** -127, 2 ** -127]);
  for (const f of [up, down, near]) assert.equal(f(2 ** -127), 2 ** -127); // the smallest value is kept
  assert.ok(Number.isNaN(up(NaN)));
  assert.ok(Number.isNaN(up(2 ** 127 * 1.5, false)));
});

test('int4/uint4/int2/uint2 casts round to nearest even and keep the low bits', () => {
  assert.deepEqual([9, -9, 8, -8, 15, 16, 2.5, 3.5, -2.5, 15.5, NaN, Infinity, 7.4].map((v) => castToLowpInt('int4', v)),
    [-7, 7, -8, -8, -1, 0, 2, 4, -2, 0, 0, 0, 7]);
  assert.deepEqual([16, 17, -1, 2.5].map((v) => castToLowpInt('uint4', v)), [0, 1, 15, 2]);
  assert.deepEqual([2, -3, 1.5].map((v) => castToLowpInt('int2', v)), [-2, 1, -2]);
  assert.deepEqual([4, 5, -1].map((v) => castToLowpInt('uint2', v)), [0, 1, 3]);
});

test('4-bit and 2-bit packing: first element in the low bits, odd counts padded with zero bits', () => {
  assert.deepEqual(Array.from(packSubByte('int4', [1, -1, 7])), [0xf1, 0x07]);
  assert.deepEqual(Array.from(unpackSubByte('int4', [0xf1, 0x07], 3)), [1, -1, 7]);
  assert.deepEqual(Array.from(unpackSubByte('uint4', [0xf1, 0x07], 3)), [1, 15, 7]);
  assert.deepEqual(Array.from(packSubByte('int2', [0, 1, -1, -2, 1])), [0b10110100, 0b01]);
  assert.deepEqual(Array.from(unpackSubByte('int2', [0b10110100, 0b01], 5)), [0, 1, -1, -2, 1]);
  assert.deepEqual(Array.from(unpackSubByte('uint2', [0b10110100], 4)), [0, 1, 3, 2]);
  // float4e2m1 storage holds bit patterns
  assert.deepEqual(Array.from(lowpToStorage('float4e2m1', Float32Array.of(0.5, -6, 3))), [0xf1, 0x05]);
  assert.deepEqual(Array.from(lowpFromStorage('float4e2m1', [0xf1, 0x05], 3)), [0.5, -6, 3]);
  // bfloat16 storage is little-endian 16-bit patterns
  assert.deepEqual(Array.from(lowpToStorage('bfloat16', Float32Array.of(1, -2))), [0x80, 0x3f, 0x00, 0xc0]);
});

test('Cast to string and back (saturate=0) returns every value of every low-precision type unchanged', () => {
  for (const type of LOWP_FLOAT_TYPES) {
    const count = type === 'bfloat16' ? 65536 : type === 'float4e2m1' ? 16 : 256;
    const values = Float32Array.from({ length: count }, (_, b) => lowpBitsToFloat(type, b));
    const strings = new Array<string>(count).fill('');
    convert(type, values, 'string', strings);
    const back = new Float32Array(count);
    convert('string', strings, type, back, false); // saturate=0 keeps "INF" for e5m2
    for (let i = 0; i < count; i++) assert.ok(same(back[i], values[i]) || (values[i] === 0 && back[i] === 0), `${type} ${values[i]} → "${strings[i]}" → ${back[i]}`);
  }
  const ints = Int8Array.of(-8, -1, 0, 7);
  const s = new Array<string>(4).fill('');
  convert('int4', ints, 'string', s);
  assert.deepEqual(s, ['-8', '-1', '0', '7']);
  const back = new Int8Array(4);
  convert('string', s, 'int4', back);
  assert.deepEqual(Array.from(back), [-8, -1, 0, 7]);
});

// ------------------------------------------------------------------- TensorProto

test('TensorProto: raw data and int32_data of every low-precision type, odd counts included', () => {
  const raw = (dataType: number, dims: number[], bytes: number[]): Tensor => tensorFromProto({ dataType, dims, rawData: Uint8Array.from(bytes) });
  const i32 = (dataType: number, dims: number[], values: number[]): Tensor => tensorFromProto({ dataType, dims, int32Data: values });
  const vals = (t: Tensor): number[] => Array.from(t.data as ArrayLike<number>);
  assert.deepEqual(vals(raw(16, [2], [0x80, 0x3f, 0x00, 0xc0])), [1, -2]); // bfloat16
  assert.deepEqual(vals(i32(16, [2], [0x3f80, 0xc000])), [1, -2]);
  assert.deepEqual(vals(raw(17, [3], [0x7e, 0x38, 0xb8])), [448, 1, -1]); // float8e4m3fn
  assert.deepEqual(vals(i32(17, [3], [0x7e, 0x38, 0xb8])), [448, 1, -1]);
  assert.deepEqual(vals(raw(18, [2], [0x7f, 0x40])), [240, 1]); // float8e4m3fnuz
  assert.deepEqual(vals(raw(19, [2], [0x7b, 0x3c])), [57344, 1]); // float8e5m2
  assert.deepEqual(vals(raw(20, [2], [0x7f, 0x40])), [57344, 1]); // float8e5m2fnuz
  assert.deepEqual(vals(raw(24, [2], [0x7f, 0x80])), [1, 2]); // float8e8m0
  assert.deepEqual(vals(raw(23, [3], [0xf1, 0x05])), [0.5, -6, 3]); // float4e2m1
  assert.deepEqual(vals(i32(23, [3], [0xf1, 0x05])), [0.5, -6, 3]);
  const int4 = raw(22, [3], [0xf1, 0x07]);
  assert.ok(int4.data instanceof Int8Array);
  assert.deepEqual(vals(int4), [1, -1, 7]);
  assert.deepEqual(vals(i32(21, [3], [0xf1, 0x07])), [1, 15, 7]); // uint4
  assert.deepEqual(vals(raw(26, [5], [0b10110100, 0b01])), [0, 1, -1, -2, 1]); // int2
  assert.deepEqual(vals(i32(25, [5], [0b10110100, 0b01])), [0, 1, 3, 2, 1]); // uint2
  assert.throws(() => raw(22, [3], [0xf1]), /1 bytes of raw data, expected 2/);
  assert.throws(() => i32(25, [5], [1]), /1 values but its dims need 2 \(4 elements per value\)/);
});

// ------------------------------------------------------------- public boundary

test('readFeed/writeResult: bit patterns for the floats, values for the integers, plain arrays of numbers', () => {
  const f8 = readFeed({ type: 'float8e4m3fn', dims: [4], data: Uint8Array.of(0x7e, 0x38, 0xb8, 0x7f) }, 'x', 'float8e4m3fn', [4]);
  assert.ok(f8.data instanceof Float32Array);
  assert.deepEqual(Array.from(f8.data as Float32Array), [448, 1, -1, NaN]);
  const out = writeResult(f8);
  assert.equal(out.type, 'float8e4m3fn');
  assert.ok(out.data instanceof Uint8Array);
  assert.deepEqual(Array.from(out.data as Uint8Array), [0x7e, 0x38, 0xb8, 0x7f]);

  const bf = readFeed({ type: 'bfloat16', dims: [2], data: Uint16Array.of(0x3f80, 0xc000) }, 'x', 'bfloat16', [2]);
  assert.deepEqual(Array.from(bf.data as Float32Array), [1, -2]);
  const bfOut = writeResult(bf);
  assert.ok(bfOut.data instanceof Uint16Array);
  assert.deepEqual(Array.from(bfOut.data as Uint16Array), [0x3f80, 0xc000]);

  // plain arrays hold values, converted as Cast does by default (nearest even, saturating)
  const plain = readFeed({ type: 'float8e4m3fn', dims: [3], data: [1.05, 1000, -0.3] }, 'x', 'float8e4m3fn', [3]);
  assert.deepEqual(Array.from(writeResult(plain).data as Uint8Array), [0x38, 0x7e, floatToLowpBits('float8e4m3fn', -0.3125)]);
  const f4 = readFeed({ type: 'float4e2m1', dims: [3], data: Uint8Array.of(1, 15, 8) }, 'x', 'float4e2m1', [3]);
  assert.deepEqual(Array.from(f4.data as Float32Array), [0.5, -6, -0]);
  assert.deepEqual(Array.from(writeResult(f4).data as Uint8Array), [1, 15, 8]);

  const i4 = readFeed({ type: 'int4', dims: [3], data: Int8Array.of(-8, 0, 7) }, 'x', 'int4', [3]);
  const i4Out = writeResult(i4);
  assert.ok(i4Out.data instanceof Int8Array);
  assert.deepEqual(Array.from(i4Out.data as Int8Array), [-8, 0, 7]);
  const u2 = readFeed({ type: 'uint2', dims: [2], data: [3, 0] }, 'x', 'uint2', [2]);
  assert.ok(writeResult(u2).data instanceof Uint8Array);
  assert.deepEqual(Array.from(writeResult(u2).data as Uint8Array), [3, 0]);

  const bad = (v: unknown, type: DType, re: RegExp): void => {
    assert.throws(() => readFeed(v, 'x', type, [-1]), (e: Error & { code?: string }) => e.code === 'MLR_ERR_BAD_INPUT' && re.test(e.message));
  };
  bad({ type: 'bfloat16', dims: [1], data: Float32Array.of(1) }, 'bfloat16', /must be Uint16Array/);
  bad({ type: 'float8e5m2', dims: [1], data: Uint16Array.of(1) }, 'float8e5m2', /must be Uint8Array/);
  bad({ type: 'int4', dims: [1], data: Int8Array.of(8) }, 'int4', /not a int4 value/);
  bad({ type: 'uint4', dims: [1], data: [16] }, 'uint4', /not a uint4 value/);
  bad({ type: 'int2', dims: [1], data: [0.5] }, 'int2', /not a int2 value/);
  bad({ type: 'float4e2m1', dims: [1], data: Uint8Array.of(16) }, 'float4e2m1', /not a float4e2m1 bit pattern/);
});

test('compareTensors compares the low-precision floats by value (NaN patterns equal, neighbouring patterns not)', () => {
  const t = (type: string, data: Uint8Array | Uint16Array): { type: string; dims: number[]; data: Uint8Array | Uint16Array } => ({ type, dims: [data.length], data });
  assert.ok(compareTensors(t('float8e4m3fn', Uint8Array.of(0x7f, 0x38)), t('float8e4m3fn', Uint8Array.of(0xff, 0x38))).ok);
  assert.ok(!compareTensors(t('bfloat16', Uint16Array.of(0x3ef5)), t('bfloat16', Uint16Array.of(0x3ef6))).ok);
  assert.ok(compareTensors(t('float4e2m1', Uint8Array.of(0x8)), t('float4e2m1', Uint8Array.of(0x0))).ok); // -0 == 0
});

test('constTensor decodes what the compiler embeds, for every low-precision type', () => {
  const samples: Tensor[] = [
    { type: 'bfloat16', dims: [3], data: Float32Array.of(1, -2.5, Infinity) },
    { type: 'float8e4m3fn', dims: [3], data: Float32Array.of(448, -0.001953125, 0) },
    { type: 'float8e8m0', dims: [2], data: Float32Array.of(2 ** -127, 2 ** 127) },
    { type: 'float4e2m1', dims: [5], data: Float32Array.of(0.5, -6, 3, 1.5, -0) },
    { type: 'int4', dims: [5], data: Int8Array.of(-8, 7, 0, -1, 3) },
    { type: 'uint2', dims: [7], data: Uint8Array.of(0, 1, 2, 3, 3, 2, 1) },
  ];
  for (const s of samples) {
    const back = constTensor(s.type, s.dims, encodeBase64(lowpToStorage(s.type as 'int4', s.data as Int8Array)));
    assert.equal(back.data.constructor, s.data.constructor, s.type);
    assert.deepEqual(Array.from(back.data as Float32Array), Array.from(s.data as Float32Array), s.type);
  }
});

// ------------------------------------------------------- through a compiled module

interface Io { readonly name: string; readonly type: DType; readonly dims: readonly number[] }

async function compileGraph(
  nodes: { op: string; inputs: string[]; outputs: string[]; attrs?: Record<string, AttrInput> }[],
  inputs: readonly Io[], outputs: readonly Io[], opts: { initializers?: Record<string, Tensor>; opset?: number; optimize?: boolean } = {},
): Promise<{ run: (feeds: Record<string, unknown>) => Record<string, PublicTensor>; source: string }> {
  const g = graph({
    nodes,
    inputs: inputs.map((i) => valueInfo(i.name, i.type, i.dims)),
    outputs: outputs.map((o) => valueInfo(o.name, o.type, o.dims)),
    initializers: opts.initializers,
  });
  const { mod, files } = await compileBytes(modelBytes(g, { '': opts.opset ?? 25 }), 'model.onnx', opts.optimize ?? true);
  return { run: (f) => mod.run(f), source: files['model.ts'] ?? '' };
}

test('Cast in a compiled module: every float8e4m3fn/e5m2 pattern to float32 and back (saturate=0 keeps the infinities)', async () => {
  for (const [type, code] of [['float8e4m3fn', 17], ['float8e5m2', 19]] as const) {
    const m = await compileGraph(
      [{ op: 'Cast', inputs: ['x'], outputs: ['f'], attrs: { to: 1 } }, { op: 'Cast', inputs: ['f'], outputs: ['y'], attrs: { to: code, saturate: 0 } }],
      [{ name: 'x', type, dims: [256] }], [{ name: 'f', type: 'float32', dims: [256] }, { name: 'y', type, dims: [256] }],
    );
    const bits = Uint8Array.from({ length: 256 }, (_, i) => i);
    const out = m.run({ x: { type, dims: [256], data: bits } });
    const f = out.f.data as Float32Array, y = out.y.data as Uint8Array;
    for (let b = 0; b < 256; b++) {
      const v = lowpBitsToFloat(type, b);
      assert.ok(same(f[b], v), `${type} 0x${b.toString(16)} → ${f[b]}`);
      if (Number.isNaN(v)) assert.ok(isNaNBits(type, y[b]));
      else assert.equal(y[b], b);
    }
  }
});

test('Cast honours saturate and round_mode; CastLike too', async () => {
  const x = Float32Array.of(1000, -Infinity, 3, 0.3);
  const run = async (code: number, attrs: Record<string, AttrInput>, type: DType): Promise<number[]> => {
    const m = await compileGraph([{ op: 'Cast', inputs: ['x'], outputs: ['y'], attrs: { to: code, ...attrs } }],
      [{ name: 'x', type: 'float32', dims: [4] }], [{ name: 'y', type, dims: [4] }]);
    const y = m.run({ x: { type: 'float32', dims: [4], data: x } }).y;
    assert.equal(y.type, type);
    return Array.from(y.data as Uint8Array, (b) => lowpBitsToFloat(type as LowpFloatType, b));
  };
  assert.deepEqual(await run(17, {}, 'float8e4m3fn'), [448, -448, 3, 0.3125]);
  const nosat = await run(17, { saturate: 0 }, 'float8e4m3fn');
  assert.ok(Number.isNaN(nosat[0]) && Number.isNaN(nosat[1]));
  assert.deepEqual(await run(19, { saturate: 0 }, 'float8e5m2'), [1024, -Infinity, 3, 0.3125]);
  assert.deepEqual(await run(24, {}, 'float8e8m0'), [1024, NaN, 4, 0.5]);
  assert.deepEqual(await run(24, { round_mode: 'down' }, 'float8e8m0'), [512, NaN, 2, 0.25]);
  assert.deepEqual(await run(24, { round_mode: 'nearest' }, 'float8e8m0'), [1024, NaN, 4, 0.25]);
  assert.deepEqual(await run(23, {}, 'float4e2m1'), [6, -6, 3, 0.5]);

  const like = await compileGraph([{ op: 'CastLike', inputs: ['x', 't'], outputs: ['y'], attrs: { saturate: 0 } }],
    [{ name: 'x', type: 'float32', dims: [4] }, { name: 't', type: 'float8e4m3fnuz', dims: [1] }], [{ name: 'y', type: 'float8e4m3fnuz', dims: [4] }]);
  const y = like.run({ x: { type: 'float32', dims: [4], data: x }, t: { type: 'float8e4m3fnuz', dims: [1], data: Uint8Array.of(0) } }).y;
  assert.deepEqual(Array.from(y.data as Uint8Array), [0x80, 0x80, floatToLowpBits('float8e4m3fnuz', 3), floatToLowpBits('float8e4m3fnuz', 0.3125)]);

  const ints = await compileGraph([{ op: 'Cast', inputs: ['x'], outputs: ['y'], attrs: { to: 22 } }],
    [{ name: 'x', type: 'float32', dims: [5] }], [{ name: 'y', type: 'int4', dims: [5] }]);
  const i4 = ints.run({ x: { type: 'float32', dims: [5], data: Float32Array.of(9, -9, 2.5, 3.5, -0.5) } }).y;
  assert.ok(i4.data instanceof Int8Array);
  assert.deepEqual(Array.from(i4.data as Int8Array), [-7, 7, 2, 4, 0]);
});

test('constants of every low-precision type embed in the generated module and round-trip exactly', async () => {
  const initializers: Record<string, Tensor> = {
    cb: { type: 'bfloat16', dims: [3], data: Float32Array.of(1, -2.5, 3.015625) },
    c8: { type: 'float8e5m2fnuz', dims: [3], data: Float32Array.of(57344, -0.5, 2 ** -17) },
    ce: { type: 'float8e8m0', dims: [2], data: Float32Array.of(2 ** -127, 4) },
    c4: { type: 'float4e2m1', dims: [5], data: Float32Array.of(0.5, -6, 3, 1.5, 4) },
    ci: { type: 'int4', dims: [5], data: Int8Array.of(-8, 7, 0, -1, 3) },
    cu: { type: 'uint4', dims: [3], data: Uint8Array.of(15, 0, 9) },
    c2: { type: 'int2', dims: [7], data: Int8Array.of(-2, -1, 0, 1, 1, 0, -2) },
    cv: { type: 'uint2', dims: [5], data: Uint8Array.of(3, 2, 1, 0, 3) },
  };
  const names = Object.keys(initializers);
  for (const optimize of [false, true]) {
    // Cast to float32 runs at run time without optimisation, is folded into a constant with it;
    // Cast to the same type is a view of the embedded constant either way.
    const nodes = names.flatMap((n) => [
      { op: 'Cast', inputs: [n], outputs: [`${n}_f`], attrs: { to: 1 } },
      { op: 'CastLike', inputs: [n, n], outputs: [`${n}_same`] },
    ]);
    const outputs = names.flatMap((n): Io[] => [
      { name: `${n}_f`, type: 'float32', dims: initializers[n].dims },
      { name: `${n}_same`, type: initializers[n].type, dims: initializers[n].dims },
    ]);
    const m = await compileGraph(nodes, [], outputs, { initializers, optimize });
    for (const n of names) assert.ok(m.source.includes(`constTensor("${initializers[n].type}"`), `${n} embedded (optimize ${optimize})`);
    const out = m.run({});
    for (const n of names) {
      const want = Array.from(initializers[n].data as Float32Array);
      assert.deepEqual(Array.from(out[`${n}_f`].data as Float32Array), want, `${n} as float32 (optimize ${optimize})`);
      const same = out[`${n}_same`];
      assert.equal(same.type, initializers[n].type);
      const t = initializers[n].type;
      const values = t === 'int4' || t === 'uint4' || t === 'int2' || t === 'uint2'
        ? Array.from(same.data as Int8Array)
        : Array.from(same.data as Uint8Array, (b) => lowpBitsToFloat(t as LowpFloatType, b));
      assert.deepEqual(values, want, `${n} public data (optimize ${optimize})`);
    }
  }
});

test('QuantizeLinear and DequantizeLinear with float8, float4e2m1, int4 and int2', async () => {
  const q = async (x: number[], scale: number, zp: Tensor, attrs: Record<string, AttrInput> = {}): Promise<PublicTensor> => {
    const m = await compileGraph([{ op: 'QuantizeLinear', inputs: ['x', 's', 'z'], outputs: ['y'], attrs }],
      [{ name: 'x', type: 'float32', dims: [x.length] }], [{ name: 'y', type: zp.type, dims: [x.length] }],
      { initializers: { s: { type: 'float32', dims: [], data: Float32Array.of(scale) }, z: zp } });
    return m.run({ x: { type: 'float32', dims: [x.length], data: Float32Array.from(x) } }).y;
  };
  const f8 = await q([0, 2, 4, 1e5, -1e5, 2.2], 2, { type: 'float8e4m3fn', dims: [1], data: Float32Array.of(0) });
  assert.deepEqual(Array.from(f8.data as Uint8Array, (b) => lowpBitsToFloat('float8e4m3fn', b)), [0, 1, 2, 448, -448, 1.125]);
  const f8n = await q([1e6], 2, { type: 'float8e5m2', dims: [1], data: Float32Array.of(0) }, { saturate: 0 });
  assert.equal(lowpBitsToFloat('float8e5m2', (f8n.data as Uint8Array)[0]), Infinity);
  const f4 = await q([2.5, -30, 4.8], 2, { type: 'float4e2m1', dims: [1], data: Float32Array.of(0) });
  assert.deepEqual(Array.from(f4.data as Uint8Array, (b) => lowpBitsToFloat('float4e2m1', b)), [1, -6, 2]);
  const i4 = await q([0, 2.5, 30, -30, 3], 1, { type: 'int4', dims: [1], data: Int8Array.of(1) });
  assert.deepEqual(Array.from(i4.data as Int8Array), [1, 3, 7, -8, 4]);
  const u2 = await q([-1, 0.5, 1.5, 9], 1, { type: 'uint2', dims: [1], data: Uint8Array.of(1) });
  assert.deepEqual(Array.from(u2.data as Uint8Array), [0, 1, 3, 3]);

  const dq = async (x: { type: DType; data: ArrayLike<number> }, zp?: Tensor): Promise<number[]> => {
    const n = x.data.length;
    const m = await compileGraph([{ op: 'DequantizeLinear', inputs: zp ? ['x', 's', 'z'] : ['x', 's'], outputs: ['y'] }],
      [{ name: 'x', type: x.type, dims: [n] }], [{ name: 'y', type: 'float32', dims: [n] }],
      { initializers: { s: { type: 'float32', dims: [], data: Float32Array.of(2) }, ...(zp ? { z: zp } : {}) } });
    return Array.from(m.run({ x: { type: x.type, dims: [n], data: x.data } }).y.data as Float32Array);
  };
  assert.deepEqual(await dq({ type: 'float8e4m3fn', data: Uint8Array.of(0x38, 0xb8, 0x7e) }), [2, -2, 896]);
  assert.deepEqual(await dq({ type: 'int4', data: Int8Array.of(-8, 7, 0) }, { type: 'int4', dims: [], data: Int8Array.of(1) }), [-18, 12, -2]);
  assert.deepEqual(await dq({ type: 'uint2', data: Uint8Array.of(0, 3) }, { type: 'uint2', dims: [], data: Uint8Array.of(1) }), [-2, 4]);
  assert.deepEqual(await dq({ type: 'float4e2m1', data: Uint8Array.of(1, 15) }), [1, -12]);
});

test('ConstantOfShape fills with a low-precision value (the attribute tensor embeds like a constant)', async () => {
  const values: Tensor[] = [
    { type: 'bfloat16', dims: [1], data: Float32Array.of(-1.5) },
    { type: 'float8e4m3fnuz', dims: [1], data: Float32Array.of(240) },
    { type: 'int4', dims: [1], data: Int8Array.of(-3) },
    { type: 'uint2', dims: [1], data: Uint8Array.of(2) },
  ];
  for (const value of values) {
    const m = await compileGraph([{ op: 'ConstantOfShape', inputs: ['s'], outputs: ['y'], attrs: { value } }],
      [{ name: 's', type: 'int64', dims: [1] }], [{ name: 'y', type: value.type, dims: [3] }], { opset: 21 });
    const y = m.run({ s: { type: 'int64', dims: [1], data: BigInt64Array.of(3n) } }).y;
    assert.equal(y.type, value.type);
    const v = Array.from(y.data as Uint8Array, (b) => value.type === 'int4' || value.type === 'uint2' ? b : lowpBitsToFloat(value.type as LowpFloatType, b));
    assert.deepEqual(v, new Array(3).fill((value.data as Float32Array)[0]), value.type);
  }
});
