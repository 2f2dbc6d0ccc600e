// Elementwise ops: integer semantics (wrapping, truncation, bigint paths), the
// legacy broadcast attributes, Cast between every kind of type, and edge cases
// the conformance suite leaves out.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { broadcastShapes, forEachBroadcast2 } from '../../runtime/tensor/broadcast.js';
import { add, div, mul, pow, sub, where } from '../../runtime/tensor/elementwise.js';
import { planWalk } from '../../runtime/tensor/elementwise-walk.js';
import { float16BitsToFloat } from '../../runtime/tensor/float16.js';
import { NodeCtx, type DType, type Tensor } from '../../runtime/tensor/tensor.js';
import { runOp, type OpInput } from './helpers.js';

const t = (type: DType, dims: number[], data: ArrayLike<unknown>): OpInput => ({ type, dims, data });
const vals = (y: { data: ArrayLike<unknown> }): unknown[] => Array.from(y.data);

async function run1(op: string, inputs: OpInput[], attrs: Parameters<typeof runOp>[2] = {}, opset = 21): Promise<{ type: string; dims: number[]; data: ArrayLike<unknown> }> {
  const [y] = await runOp(op, inputs, attrs, { opset });
  return y;
}

// ---------------------------------------------------------------------------
// Broadcast walk

test('planWalk merges contiguous axes into long rows', () => {
  const same = planWalk([2, 3, 4], [[2, 3, 4], [2, 3, 4]]);
  assert.equal(same.n, 24);
  assert.deepEqual(same.outer, []);
  const bias = planWalk([2, 3, 4], [[2, 3, 4], [4]]);
  assert.equal(bias.n, 4);
  assert.deepEqual(bias.outer, [6]);
  assert.deepEqual(bias.strides, [[4], [0]]);
  const scalar = planWalk([5, 6], [[5, 6], []]);
  assert.equal(scalar.n, 30);
  assert.deepEqual(scalar.inner, [1, 0]);
});

test('broadcast walk agrees with a naive odometer on random shapes', () => {
  let seed = 2463534242; // xorshift32
  const rand = (k: number): number => {
    seed ^= seed << 13; seed ^= seed >>> 17; seed ^= seed << 5; seed >>>= 0;
    return seed % k;
  };
  const shapeLike = (out: number[]): number[] => out.slice(rand(out.length + 1)).map((d) => (rand(3) === 0 ? 1 : d));
  for (let trial = 0; trial < 300; trial++) {
    const out = Array.from({ length: rand(5) }, () => 1 + rand(4));
    const ad = shapeLike(out), bd = shapeLike(out);
    const fill = (dims: number[], k: number): Tensor => {
      const n = dims.reduce((p, d) => p * d, 1);
      return { type: 'float64', dims, data: Float64Array.from({ length: n }, (_, i) => i * k + 1) };
    };
    const a = fill(ad, 1), b = fill(bd, 1000);
    const dims = broadcastShapes(ad, bd);
    const want: number[] = [];
    forEachBroadcast2(dims, ad, bd, (o, ia, ib) => { want[o] = (a.data[ia] as number) - (b.data[ib] as number); });
    const [y] = sub(new NodeCtx('t'), [a, b]);
    assert.deepEqual(y.dims, dims, `${ad} - ${bd}`);
    assert.deepEqual(Array.from(y.data as Float64Array), want, `${ad} - ${bd}`);
    // Where walks three inputs: pick from a where the (broadcast) condition is set.
    const cd = shapeLike(out);
    const c: Tensor = { type: 'bool', dims: cd, data: Uint8Array.from({ length: cd.reduce((p, d) => p * d, 1) }, () => rand(2)) };
    const [w] = where(new NodeCtx('w'), [c, a, b]);
    const wd = broadcastShapes(cd, ad, bd);
    assert.deepEqual(w.dims, wd);
    const ca: number[] = [];
    forEachBroadcast2(wd, cd, ad, (o, ic, ia) => { ca[o] = (c.data[ic] as number) ? (a.data[ia] as number) : NaN; });
    const cb: number[] = [];
    forEachBroadcast2(wd, cd, bd, (o, ic, ib) => { cb[o] = (c.data[ic] as number) ? NaN : (b.data[ib] as number); });
    assert.deepEqual(Array.from(w.data as Float64Array), ca.map((v, i) => (Number.isNaN(v) ? cb[i] : v)), `where ${cd} ${ad} ${bd}`);
  }
});

test('Add broadcasts both operands (outer product layout)', async () => {
  const y = await run1('Add', [t('float32', [3, 1], [1, 2, 3]), t('float32', [1, 2], [10, 20])]);
  assert.deepEqual(y.dims, [3, 2]);
  assert.deepEqual(vals(y), [11, 21, 12, 22, 13, 23]);
});

test('incompatible shapes fail at run time with both shapes named', async () => {
  await assert.rejects(
    run1('Add', [t('float32', [2, 3], [1, 2, 3, 4, 5, 6]), t('float32', [2], [1, 2])]),
    /\[2,3\] and \[2\] cannot be broadcast/,
  );
});

test('empty tensors broadcast to empty outputs', async () => {
  const y = await run1('Mul', [t('float32', [0, 3], []), t('float32', [3], [1, 2, 3])]);
  assert.deepEqual(y.dims, [0, 3]);
  assert.equal(y.data.length, 0);
});

// ---------------------------------------------------------------------------
// Integer arithmetic

test('integer Add/Sub/Mul wrap like C', async () => {
  assert.deepEqual(vals(await run1('Add', [t('int8', [2], [127, -128]), t('int8', [2], [1, -1])])), [-128, 127]);
  assert.deepEqual(vals(await run1('Sub', [t('uint8', [1], [0]), t('uint8', [1], [1])])), [255]);
  // 123456789 * 987654321 overflows a double's 53 bits: the low 32 bits must be exact.
  assert.deepEqual(vals(await run1('Mul', [t('int32', [2], [123456789, 65536]), t('int32', [2], [987654321, 65536])])), [-67153019, 0]);
  assert.deepEqual(vals(await run1('Mul', [t('uint32', [1], [4000000000]), t('uint32', [1], [3])])), [3410065408]);
});

test('int64 arithmetic is exact and wraps at 64 bits', async () => {
  const max = 2n ** 63n - 1n;
  assert.deepEqual(vals(await run1('Add', [t('int64', [2], [max, 2n ** 53n]), t('int64', [2], [1n, 1n])])), [-(2n ** 63n), 2n ** 53n + 1n]);
  assert.deepEqual(vals(await run1('Mul', [t('int64', [1], [3037000500n]), t('int64', [1], [3037000500n])])), [BigInt.asIntN(64, 3037000500n * 3037000500n)]);
  assert.deepEqual(vals(await run1('Sub', [t('uint64', [1], [0n]), t('uint64', [1], [1n])])), [2n ** 64n - 1n]);
});

test('integer Div truncates toward zero; division by zero gives 0', async () => {
  assert.deepEqual(vals(await run1('Div', [t('int32', [4], [-7, 7, 7, 5]), t('int32', [4], [2, -2, 2, 0])])), [-3, -3, 3, 0]);
  assert.deepEqual(vals(await run1('Div', [t('int64', [3], [-7n, 2n ** 62n, 5n]), t('int64', [3], [2n, 3n, 0n])])), [-3n, 2n ** 62n / 3n, 0n]);
  assert.deepEqual(vals(await run1('Div', [t('uint8', [1], [255]), t('uint8', [1], [2])])), [127]);
});

test('Mod follows the divisor sign (fmod=0) or the dividend sign (fmod=1)', async () => {
  const a = t('int32', [4], [-7, 7, -7, 7]), b = t('int32', [4], [3, -3, -3, 3]);
  assert.deepEqual(vals(await run1('Mod', [a, b])), [2, -2, -1, 1]);
  assert.deepEqual(vals(await run1('Mod', [a, b], { fmod: 1 })), [-1, 1, -1, 1]);
  const a64 = t('int64', [3], [-7n, 7n, 5n]), b64 = t('int64', [3], [3n, -3n, 0n]);
  assert.deepEqual(vals(await run1('Mod', [a64, b64])), [2n, -2n, 0n]);
  assert.deepEqual(vals(await run1('Mod', [a64, b64], { fmod: 1 })), [-1n, 1n, 0n]);
  assert.deepEqual(vals(await run1('Mod', [t('float32', [2], [-7.5, 7.5]), t('float32', [2], [2, -2])])), [0.5, -0.5]);
  await assert.rejects(run1('Mod', [a, b], { fmod: 2 }), /"fmod" must be 0 or 1/);
});

test('Pow: integer powers are exact modulo the width; mixed types keep the base type', async () => {
  assert.deepEqual(vals(await run1('Pow', [t('int32', [3], [3, 2, -1]), t('int32', [3], [21, -1, -3])])), [1870418611, 0, -1]);
  const y64 = await run1('Pow', [t('int64', [2], [3n, 2n]), t('int64', [2], [40n, 62n])]);
  assert.deepEqual(vals(y64), [BigInt.asIntN(64, 3n ** 40n), 2n ** 62n]);
  assert.deepEqual(vals(await run1('Pow', [t('int64', [1], [3n]), t('float32', [1], [2.5])])), [15n]);
  assert.deepEqual(vals(await run1('Pow', [t('int32', [1], [-2]), t('int64', [1], [2n ** 40n + 3n])])), [0]);
  assert.deepEqual(vals(await run1('Pow', [t('int32', [1], [-1]), t('int64', [1], [2n ** 40n + 3n])])), [-1]);
  assert.deepEqual(vals(await run1('Pow', [t('float64', [3], [2, 1, -1]), t('int64', [3], [-2n, 0n, 3n])])), [0.25, 1, -1]);
  // C's pow(1, NaN) is 1, JavaScript's is NaN.
  assert.deepEqual(vals(await run1('Pow', [t('float32', [2], [1, 4]), t('float32', [2], [NaN, 0.5])])), [1, 2]);
});

test('legacy broadcast (opset < 7) aligns B at `axis`', async () => {
  const a = t('float32', [2, 3, 2], [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
  const y = await run1('Add', [a, t('float32', [3], [1, 2, 3])], { broadcast: 1, axis: 1 }, 6);
  assert.deepEqual(y.dims, [2, 3, 2]);
  assert.deepEqual(vals(y), [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3]);
  const z = await run1('Mul', [t('float32', [2, 3], [1, 2, 3, 4, 5, 6]), t('float32', [2], [10, 100])], { broadcast: 1, axis: 0 }, 1);
  assert.deepEqual(vals(z), [10, 20, 30, 400, 500, 600]);
  const s = await run1('Sub', [t('float32', [2], [5, 6]), t('float32', [], [1])], { broadcast: 1 }, 6);
  assert.deepEqual(vals(s), [4, 5]);
  await assert.rejects(run1('Add', [a, t('float32', [2, 2], [1, 2, 3, 4])], { broadcast: 1, axis: 2 }, 6), /does not fit/);
});

// ---------------------------------------------------------------------------
// Bitwise and logic

test('BitShift: shifts past the width give 0, uint64 stays exact', async () => {
  assert.deepEqual(vals(await run1('BitShift', [t('uint8', [3], [1, 255, 128]), t('uint8', [3], [8, 1, 7])], { direction: 'LEFT' })), [0, 254, 0]);
  assert.deepEqual(vals(await run1('BitShift', [t('uint32', [2], [1, 2 ** 31]), t('uint32', [2], [31, 32])], { direction: 'LEFT' })), [2 ** 31, 0]);
  assert.deepEqual(vals(await run1('BitShift', [t('uint32', [2], [2 ** 32 - 1, 5]), t('uint32', [2], [31, 40])], { direction: 'RIGHT' })), [1, 0]);
  assert.deepEqual(vals(await run1('BitShift', [t('uint64', [2], [1n, 2n ** 64n - 1n]), t('uint64', [2], [63n, 60n])], { direction: 'RIGHT' })), [0n, 15n]);
  assert.deepEqual(vals(await run1('BitShift', [t('uint64', [2], [3n, 1n]), t('uint64', [2], [63n, 64n])], { direction: 'LEFT' })), [2n ** 63n, 0n]);
  await assert.rejects(run1('BitShift', [t('uint8', [1], [1]), t('uint8', [1], [1])], { direction: 'left' }), /"direction" must be/);
});

test('bitwise ops on signed and 64-bit integers', async () => {
  assert.deepEqual(vals(await run1('BitwiseAnd', [t('int64', [2], [-1n, -8n]), t('int64', [2], [2n ** 62n, 12n])])), [2n ** 62n, 8n]);
  assert.deepEqual(vals(await run1('BitwiseOr', [t('int8', [1], [-128]), t('int8', [1], [1])])), [-127]);
  assert.deepEqual(vals(await run1('BitwiseXor', [t('uint32', [1], [0xffffffff]), t('uint32', [1], [1])])), [0xfffffffe]);
  assert.deepEqual(vals(await run1('BitwiseNot', [t('uint8', [2], [0, 5])])), [255, 250]);
  assert.deepEqual(vals(await run1('BitwiseNot', [t('uint64', [1], [0n])])), [2n ** 64n - 1n]);
  assert.deepEqual(vals(await run1('BitwiseNot', [t('int64', [1], [5n])])), [-6n]);
});

test('logic ops and legacy (opset 1) broadcast of And', async () => {
  const y = await run1('And', [t('bool', [2, 2], [1, 1, 0, 1]), t('bool', [2], [1, 0])], { broadcast: 1, axis: 0 }, 1);
  assert.deepEqual(vals(y), [1, 1, 0, 0]);
  assert.deepEqual(vals(await run1('Not', [t('bool', [2], [1, 0])])), [0, 1]);
  assert.deepEqual(vals(await run1('Xor', [t('bool', [2], [1, 1]), t('bool', [2], [1, 0])])), [0, 1]);
});

// ---------------------------------------------------------------------------
// Comparisons, variadic, Where

test('comparisons on 64-bit integers beyond 2^53 and on strings', async () => {
  const a = t('int64', [2], [2n ** 60n + 1n, -5n]), b = t('int64', [2], [2n ** 60n, -5n]);
  assert.deepEqual(vals(await run1('Greater', [a, b])), [1, 0]);
  assert.deepEqual(vals(await run1('LessOrEqual', [a, b])), [0, 1]);
  assert.deepEqual(vals(await run1('Equal', [a, b])), [0, 1]);
  assert.deepEqual(vals(await run1('Less', [t('uint64', [1], [2n ** 63n]), t('uint64', [1], [1n])])), [0]);
  assert.deepEqual(vals(await run1('Equal', [t('string', [3], ['a', 'b', '']), t('string', [1], ['b'])])), [0, 1, 0]);
  assert.deepEqual(vals(await run1('Equal', [t('float32', [1], [NaN]), t('float32', [1], [NaN])])), [0]);
  await assert.rejects(run1('Greater', [t('bool', [1], [1]), t('bool', [1], [0])]), /element type bool/);
});

test('variadic Max/Min/Sum/Mean broadcast all inputs; NaN propagates', async () => {
  const y = await run1('Max', [t('float32', [2, 1], [1, NaN]), t('float32', [3], [0, 2, 4]), t('float32', [], [3])]);
  assert.deepEqual(y.dims, [2, 3]);
  assert.deepEqual(vals(y), [3, 3, 4, NaN, NaN, NaN]);
  assert.deepEqual(vals(await run1('Min', [t('int64', [2], [2n ** 62n, -3n]), t('int64', [1], [0n])])), [0n, -3n]);
  assert.deepEqual(vals(await run1('Min', [t('uint8', [2], [200, 3])])), [200, 3]);
  assert.deepEqual(vals(await run1('Sum', [t('float64', [2], [1, 2]), t('float64', [2], [3, 4]), t('float64', [1], [0.5])])), [4.5, 6.5]);
  assert.deepEqual(vals(await run1('Mean', [t('float32', [2], [1, 2]), t('float32', [2], [3, 6])])), [2, 4]);
});

test('Where selects strings and int64 with three-way broadcasting', async () => {
  const y = await run1('Where', [t('bool', [2, 1], [1, 0]), t('string', [2], ['a', 'b']), t('string', [], ['z'])]);
  assert.deepEqual(y.dims, [2, 2]);
  assert.deepEqual(vals(y), ['a', 'b', 'z', 'z']);
  const z = await run1('Where', [t('bool', [3], [0, 1, 0]), t('int64', [1], [2n ** 62n]), t('int64', [3], [1n, 2n, 3n])]);
  assert.deepEqual(vals(z), [1n, 2n ** 62n, 3n]);
});

// ---------------------------------------------------------------------------
// Unary

test('integer Abs/Neg/Sign, including the int64 path and wrap of the minimum', async () => {
  assert.deepEqual(vals(await run1('Abs', [t('int8', [3], [-128, -5, 7])])), [-128, 5, 7]);
  assert.deepEqual(vals(await run1('Abs', [t('int64', [2], [-(2n ** 62n), 3n])])), [2n ** 62n, 3n]);
  assert.deepEqual(vals(await run1('Neg', [t('int64', [2], [-(2n ** 63n), 3n])])), [-(2n ** 63n), -3n]);
  assert.deepEqual(vals(await run1('Sign', [t('int64', [3], [-9n, 0n, 2n ** 62n])])), [-1n, 0n, 1n]);
  assert.deepEqual(vals(await run1('Sign', [t('uint16', [2], [0, 9])])), [0, 1]);
  assert.deepEqual(vals(await run1('Sign', [t('float32', [3], [-0.5, 0, NaN])])), [-1, 0, NaN]);
});

test('Round is half to even', async () => {
  const y = await run1('Round', [t('float32', [8], [0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999998, 1e30])]);
  assert.deepEqual(vals(y).map((v) => (Object.is(v, -0) ? 0 : v)), [0, 2, 2, 0, -2, -2, 2, Math.fround(1e30)]);
});

test('Erf matches reference values to double precision', async () => {
  const xs = [0, 1e-10, -0.1, 0.5, 0.9, 1.5, 2.5, 3, 5.9, 6.5, -Infinity];
  const ref = [0, 1.1283791670955126e-10, -0.1124629160182849, 0.5204998778130465, 0.7969082124228322, 0.9661051464753108,
    0.999593047982555, 0.9999779095030014, 0.9999999999999999, 1, -1];
  const y = await run1('Erf', [t('float64', [xs.length], xs)]);
  vals(y).forEach((v, i) => assert.ok(Math.abs((v as number) - ref[i]) <= 1e-15 * Math.max(1, Math.abs(ref[i])), `erf(${xs[i]}) = ${v}, want ${ref[i]}`));
  assert.deepEqual(vals(await run1('Erf', [t('int32', [3], [0, 3, -7])])), [0, 0, -1]);
});

test('IsInf honours detect_positive/detect_negative; IsNaN on float16', async () => {
  const x = t('float32', [4], [Infinity, -Infinity, NaN, 1]);
  assert.deepEqual(vals(await run1('IsInf', [x], { detect_positive: 0 })), [0, 1, 0, 0]);
  assert.deepEqual(vals(await run1('IsInf', [x], { detect_negative: 0 })), [1, 0, 0, 0]);
  assert.deepEqual(vals(await run1('IsNaN', [t('float16', [2], [NaN, 1])])), [1, 0]);
});

test('float16 arithmetic is rounded to float16', async () => {
  const y = await run1('Add', [t('float16', [1], [1]), t('float16', [1], [0.0004])]);
  assert.equal(float16BitsToFloat(y.data[0] as number), 1); // 1.0004 is not a float16 value: rounds to 1
});

// ---------------------------------------------------------------------------
// Cast

test('Cast between numeric types: truncation, wrap, exact 64-bit values', async () => {
  assert.deepEqual(vals(await run1('Cast', [t('float32', [4], [-2.7, 2.7, 300, -1])], { to: 3 /* int8 */ })), [-2, 2, 44, -1]);
  assert.deepEqual(vals(await run1('Cast', [t('float64', [3], [-1.5, 1e10, 2 ** 62])], { to: 7 /* int64 */ })), [-1n, 10000000000n, 2n ** 62n]);
  // NaN and out-of-range values are undefined in ONNX: int32/int64 give their minimum, as x86 (onnxruntime, numpy) does.
  assert.deepEqual(vals(await run1('Cast', [t('float64', [4], [NaN, Infinity, 1e19, -(2 ** 63)])], { to: 7 })), [-(2n ** 63n), -(2n ** 63n), -(2n ** 63n), -(2n ** 63n)]);
  assert.deepEqual(vals(await run1('Cast', [t('float32', [4], [NaN, -Infinity, 3e9, -2147483648.5])], { to: 6 })), [-(2 ** 31), -(2 ** 31), -(2 ** 31), -(2 ** 31)]);
  assert.deepEqual(vals(await run1('Cast', [t('float64', [2], [2147483647.9, -2.5])], { to: 6 })), [2147483647, -2]);
  assert.deepEqual(vals(await run1('Cast', [t('int64', [2], [2n ** 40n + 5n, -1n])], { to: 2 /* uint8 */ })), [5, 255]);
  assert.deepEqual(vals(await run1('Cast', [t('int64', [1], [-1n])], { to: 13 /* uint64 */ })), [2n ** 64n - 1n]);
  assert.deepEqual(vals(await run1('Cast', [t('float32', [2], [-1, 2 ** 40])], { to: 13 /* uint64 */ })), [2n ** 64n - 1n, 2n ** 40n]);
  assert.deepEqual(vals(await run1('Cast', [t('float64', [2], [2 ** 63, -(2 ** 63)])], { to: 7 })), [-(2n ** 63n), -(2n ** 63n)]);
  assert.deepEqual(vals(await run1('Cast', [t('int64', [2], [-(2n ** 40n) - 3n, 2n ** 62n + 1n])], { to: 11 })), [-(2 ** 40) - 3, 2 ** 62]);
  assert.deepEqual(vals(await run1('Cast', [t('uint64', [2], [2n ** 64n - 1n, 2n ** 32n + 7n])], { to: 11 })), [2 ** 64, 2 ** 32 + 7]);
  assert.deepEqual(vals(await run1('Cast', [t('uint64', [1], [2n ** 64n - 2n])], { to: 6 /* int32 */ })), [-2]);
  assert.deepEqual(vals(await run1('Cast', [t('int32', [3], [0, -3, 2])], { to: 9 /* bool */ })), [0, 1, 1]);
  assert.deepEqual(vals(await run1('Cast', [t('float32', [2], [NaN, 0])], { to: 9 })), [1, 0]);
  assert.deepEqual(vals(await run1('Cast', [t('bool', [2], [1, 0])], { to: 11 /* double */ })), [1, 0]);
});

test('Cast rounds once: int64 → float32 and float64 → float16', async () => {
  // 2^54 + 2^30 + 1 is just above a float32 tie; via a double it would sit exactly on it.
  const y = await run1('Cast', [t('int64', [1], [2n ** 54n + 2n ** 30n + 1n])], { to: 1 });
  assert.deepEqual(vals(y), [2 ** 54 + 2 ** 31]);
  const h = await run1('Cast', [t('float64', [3], [1 + 2 ** -11 + 2 ** -40, 65519, 65520])], { to: 10 });
  assert.deepEqual(vals(h).map((b) => float16BitsToFloat(b as number)), [1 + 2 ** -10, 65504, Infinity]);
  const s = await run1('Cast', [t('int32', [2], [2049, 70000])], { to: 10 });
  assert.deepEqual(vals(s).map((b) => float16BitsToFloat(b as number)), [2048, Infinity]);
});

test('Cast from strings: decimal, scientific, INF/NaN literals, exact integers', async () => {
  const y = await run1('Cast', [t('string', [7], ['3.14', '1e-5', ' -2E3 ', 'INF', '-inf', '+Inf', 'NaN'])], { to: 11 });
  assert.deepEqual(vals(y), [3.14, 1e-5, -2000, Infinity, -Infinity, Infinity, NaN]);
  const i = await run1('Cast', [t('string', [3], ['9007199254740993', '-7', '100.5'])], { to: 7 });
  assert.deepEqual(vals(i), [9007199254740993n, -7n, 100n]);
  assert.deepEqual(vals(await run1('Cast', [t('string', [2], ['300', '-1'])], { to: 2 })), [44, 255]);
  assert.deepEqual(vals(await run1('Cast', [t('string', [4], ['true', 'False', '0', '2.5'])], { to: 9 })), [1, 0, 0, 1]);
});

test('Cast to strings: shortest round-trip digits of the source type', async () => {
  const f = await run1('Cast', [t('float32', [6], [0.1, 3, -0.5, NaN, Infinity, -Infinity])], { to: 8 });
  assert.deepEqual(vals(f), ['0.1', '3', '-0.5', 'NaN', 'INF', '-INF']);
  assert.deepEqual(vals(await run1('Cast', [t('float64', [1], [0.1])], { to: 8 })), ['0.1']);
  assert.deepEqual(vals(await run1('Cast', [t('float16', [1], [0.1])], { to: 8 })), ['0.1']);
  assert.deepEqual(vals(await run1('Cast', [t('int64', [2], [2n ** 63n - 1n, -3n])], { to: 8 })), ['9223372036854775807', '-3']);
  assert.deepEqual(vals(await run1('Cast', [t('bool', [2], [1, 0])], { to: 8 })), ['1', '0']);
  // and back
  const back = await run1('Cast', [t('string', [2], ['0.1', '-0.5'])], { to: 1 });
  assert.deepEqual(vals(back), [Math.fround(0.1), -0.5]);
});

test('Cast-1 names the type with a string; unsupported targets are reported', async () => {
  assert.deepEqual(vals(await run1('Cast', [t('float32', [1], [2.5])], { to: 'INT32' }, 1)), [2]);
  await assert.rejects(run1('Cast', [t('float32', [1], [2.5])], { to: 14 }), /Cast to complex64 is not supported/);
  await assert.rejects(run1('Cast', [t('float32', [1], [2.5])], { to: 99 }), /not a known data type code/);
});

test('CastLike takes the type of its second input', async () => {
  const y = await run1('CastLike', [t('float64', [2], [1.9, -1.9]), t('int16', [0], [])]);
  assert.equal(y.type, 'int16');
  assert.deepEqual(vals(y), [1, -1]);
});

test('a node reuses its broadcast plan while input dims repeat, and replans when they change', () => {
  const ctx = new NodeCtx('n');
  const f = (dims: number[], data: number[]): Tensor => ({ type: 'float32', dims, data: Float32Array.from(data) });
  const call = (a: Tensor, b: Tensor): Tensor => ({ ...add(ctx, [a, b])[0] });
  let y = call(f([2, 2], [1, 2, 3, 4]), f([2], [10, 20]));
  assert.deepEqual([y.dims, vals(y)], [[2, 2], [11, 22, 13, 24]]);
  const plan = ctx.memo;
  y = call(f([2, 2], [5, 6, 7, 8]), f([2], [1, 1]));
  assert.equal(ctx.memo, plan, 'same dims: the plan is reused');
  assert.deepEqual([y.dims, vals(y)], [[2, 2], [6, 7, 8, 9]]);
  y = call(f([2, 2], [1, 2, 3, 4]), f([2, 1], [10, 20]));
  assert.notEqual(ctx.memo, plan, 'other dims: a new plan');
  assert.deepEqual([y.dims, vals(y)], [[2, 2], [11, 12, 23, 24]]);
  y = call(f([3], [1, 2, 3]), f([2, 1], [10, 20]));
  assert.deepEqual([y.dims, vals(y)], [[2, 3], [11, 12, 13, 21, 22, 23]]);
  // Another kernel's memo in the same context is never mistaken for a plan.
  ctx.memo = { a: [3], b: [2, 1] };
  y = { ...pow(ctx, [f([3], [1, 2, 3]), f([2, 1], [2, 3])])[0] };
  assert.deepEqual([y.dims, vals(y)], [[2, 3], [1, 4, 9, 1, 8, 27]]);
  assert.throws(() => add(ctx, [f([3], [1, 2, 3]), f([2], [1, 2])]), /cannot be broadcast/);
});

test('arithmetic row loops: same shapes, a broadcast operand per row, and strided rows agree with the definition', () => {
  const ops = { add: [add, (x: number, y: number) => x + y], sub: [sub, (x: number, y: number) => x - y], mul: [mul, (x: number, y: number) => x * y], div: [div, (x: number, y: number) => x / y] } as const;
  const shapes: [number[], number[]][] = [[[2, 3, 4], [2, 3, 4]], [[2, 3, 4], [4]], [[2, 3, 4], [2, 3, 1]], [[2, 3, 4], []], [[4], [2, 3, 4]], [[2, 1, 4], [1, 3, 1]]];
  for (const [name, [kernel, fn]] of Object.entries(ops)) {
    for (const [ad, bd] of shapes) {
      const mk = (d: number[], k: number): Tensor => ({ type: 'float64', dims: d, data: Float64Array.from({ length: d.reduce((p, q) => p * q, 1) }, (_, i) => (i + 1) * k) });
      const a = mk(ad, 1.5), b = mk(bd, -0.25);
      const y = kernel(new NodeCtx('n'), [a, b])[0];
      const dims = broadcastShapes(ad, bd);
      const want: number[] = [];
      forEachBroadcast2(dims, ad, bd, (_o, ia, ib) => { want.push(fn((a.data as Float64Array)[ia], (b.data as Float64Array)[ib])); });
      assert.deepEqual([y.dims, vals(y)], [dims, want], `${name} [${ad}] [${bd}]`);
    }
  }
  // Integer stores still wrap on the contiguous path.
  const i32 = (d: number[], v: number[]): Tensor => ({ type: 'int32', dims: d, data: Int32Array.from(v) });
  assert.deepEqual(vals(add(new NodeCtx('n'), [i32([2], [2147483647, 1]), i32([2], [1, 1])])[0]), [-2147483648, 2]);
  assert.deepEqual(vals(div(new NodeCtx('n'), [i32([2], [7, -7]), i32([], [2])])[0]), [3, -3]);
});
