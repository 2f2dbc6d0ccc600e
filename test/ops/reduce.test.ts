// Reductions, ArgMax/ArgMin, TopK, CumSum/CumProd, the softmax family and the
// losses: versions, types and edge cases the ONNX conformance data leaves out.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { float16BitsToArray } from '../../runtime/tensor/float16.js';
import { runOp, type OpInput } from './helpers.js';

/** Deterministic pseudo-random values in [-scale, scale). */
function randoms(n: number, seed: number, scale = 1): number[] {
  let s = seed >>> 0;
  return Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return ((s / 2 ** 32) * 2 - 1) * scale;
  });
}

function f32(dims: number[], data: number[]): OpInput { return { type: 'float32', dims, data }; }
function i64(dims: number[], data: (number | bigint)[]): OpInput { return { type: 'int64', dims, data }; }

function assertClose(actual: ArrayLike<unknown>, expected: readonly number[], tol = 1e-5): void {
  assert.equal(actual.length, expected.length, 'length');
  for (let i = 0; i < expected.length; i++) {
    const a = Number(actual[i]);
    const e = expected[i];
    if (Number.isNaN(e)) { assert.ok(Number.isNaN(a), `element ${i}: expected NaN, got ${a}`); continue; }
    if (!Number.isFinite(e)) { assert.equal(a, e, `element ${i}`); continue; }
    assert.ok(Math.abs(a - e) <= tol * (1 + Math.abs(e)), `element ${i}: ${a} vs ${e}`);
  }
}

/** Straightforward reference: reduce `data` of `dims` over `axes` with fold/init/finish. */
function naiveReduce(
  dims: number[], data: number[], axes: number[], keepdims: boolean,
  init: number, fold: (a: number, v: number) => number, finish: (a: number, count: number) => number,
): { dims: number[]; data: number[] } {
  const rank = dims.length;
  const red = dims.map((_, i) => axes.length === 0 || axes.includes(i) || axes.includes(i - rank));
  const outDims = dims.flatMap((d, i) => (red[i] ? (keepdims ? [1] : []) : [d]));
  const keptDims = dims.filter((_, i) => !red[i]);
  const outN = keptDims.reduce((a, b) => a * b, 1);
  const acc = new Array<number>(outN).fill(init);
  let count = 1;
  dims.forEach((d, i) => { if (red[i]) count *= d; });
  const idx = new Array<number>(rank).fill(0);
  for (let e = 0; e < data.length; e++) {
    let o = 0;
    for (let i = 0; i < rank; i++) if (!red[i]) o = o * dims[i] + idx[i];
    acc[o] = fold(acc[o], data[e]);
    for (let i = rank - 1; i >= 0; i--) { if (++idx[i] < dims[i]) break; idx[i] = 0; }
  }
  return { dims: outDims, data: acc.map((a) => finish(a, count)) };
}

// ---------------------------------------------------------------------------
// Reduce*

test('Reduce* over every axes subset of a 4-D tensor matches a naive reference', async () => {
  const dims = [2, 3, 4, 5];
  const data = randoms(120, 7, 2);
  const subsets = [[0], [1], [3], [0, 2], [1, 3], [0, 1, 3], [-1, -3], [2, 1], []];
  const kinds: [string, number, (a: number, v: number) => number, (a: number, c: number) => number][] = [
    ['ReduceSum', 0, (a, v) => a + v, (a) => a],
    ['ReduceMean', 0, (a, v) => a + v, (a, c) => a / c],
    ['ReduceMax', -Infinity, (a, v) => Math.max(a, v), (a) => a],
    ['ReduceMin', Infinity, (a, v) => Math.min(a, v), (a) => a],
    ['ReduceProd', 1, (a, v) => a * v, (a) => a],
    ['ReduceSumSquare', 0, (a, v) => a + v * v, (a) => a],
    ['ReduceL1', 0, (a, v) => a + Math.abs(v), (a) => a],
    ['ReduceL2', 0, (a, v) => a + v * v, (a) => Math.sqrt(a)],
    ['ReduceLogSumExp', 0, (a, v) => a + Math.exp(v), (a) => Math.log(a)],
  ];
  for (const [op, init, fold, finish] of kinds) {
    for (const axes of subsets) {
      for (const keepdims of [true, false]) {
        const ref = naiveReduce(dims, data, axes, keepdims, init, fold, finish);
        const inputs = [f32(dims, data), axes.length ? i64([axes.length], axes) : null];
        const [y] = await runOp(op, inputs, { keepdims: keepdims ? 1 : 0 }, { opset: 18 });
        assert.deepEqual(y.dims, ref.dims, `${op} ${axes} dims`);
        assertClose(y.data, ref.data, 1e-5);
      }
    }
  }
});

test('ReduceSum before opset 13 reads axes from the attribute (negative allowed from 11)', async () => {
  const x = f32([2, 3], [1, 2, 3, 4, 5, 6]);
  const [a] = await runOp('ReduceSum', [x], { axes: [-1], keepdims: 0 }, { opset: 11 });
  assert.deepEqual(a.dims, [2]);
  assert.deepEqual(Array.from(a.data), [6, 15]);
  const [b] = await runOp('ReduceSum', [x], {}, { opset: 1 });
  assert.deepEqual(b.dims, [1, 1]);
  assert.deepEqual(Array.from(b.data), [21]);
});

test('ReduceMean at opset 13 uses the axes attribute; at 18 the absent input means all axes', async () => {
  const x = f32([2, 2], [1, 2, 3, 5]);
  const [a] = await runOp('ReduceMean', [x], { axes: [0] }, { opset: 13 });
  assert.deepEqual(a.dims, [1, 2]);
  assert.deepEqual(Array.from(a.data), [2, 3.5]);
  const [b] = await runOp('ReduceMean', [x], { keepdims: 0 }, { opset: 18 });
  assert.deepEqual(b.dims, []);
  assert.deepEqual(Array.from(b.data), [2.75]);
});

test('noop_with_empty_axes passes the input through; without it empty axes reduce everything', async () => {
  const x = f32([2, 2], [1, 2, 3, 4]);
  const empty = i64([0], []);
  const [a] = await runOp('ReduceMax', [x, empty], { noop_with_empty_axes: 1 }, { opset: 18 });
  assert.deepEqual(a.dims, [2, 2]);
  assert.deepEqual(Array.from(a.data), [1, 2, 3, 4]);
  const [b] = await runOp('ReduceMax', [x, empty], { noop_with_empty_axes: 0, keepdims: 0 }, { opset: 18 });
  assert.deepEqual(b.dims, []);
  assert.deepEqual(Array.from(b.data), [4]);
});

test('int64 reductions stay exact beyond 2^53 and ReduceMean truncates', async () => {
  const big = 2n ** 60n + 1n;
  const x = i64([3], [big, big, -3n]);
  const [s] = await runOp('ReduceSum', [x], { keepdims: 0 }, { opset: 13 });
  assert.equal(s.data[0], 2n * big - 3n);
  const [m] = await runOp('ReduceMean', [i64([2], [-7, 2])], { keepdims: 0 }, { opset: 18 });
  assert.equal(m.data[0], -2n); // -5 / 2 truncated toward zero
  const [mx] = await runOp('ReduceMax', [x], { keepdims: 0 }, { opset: 18 });
  assert.equal(mx.data[0], big);
});

test('int32 ReduceProd wraps like 32-bit integer arithmetic', async () => {
  const [p] = await runOp('ReduceProd', [{ type: 'int32', dims: [3], data: [65536, 65536, 3] }], { keepdims: 0 }, { opset: 18 });
  assert.equal(p.data[0], 0); // 2^32 * 3 wraps to 0
  const [q] = await runOp('ReduceProd', [{ type: 'int32', dims: [2], data: [1 << 20, 3000] }], { keepdims: 0 }, { opset: 18 });
  assert.equal(q.data[0], Math.imul(1 << 20, 3000));
});

test('empty-set reductions give the identity of each reduction, per type', async () => {
  const empty = (type: OpInput['type']): OpInput => ({ type, dims: [2, 0], data: [] });
  const axes = i64([1], [1]);
  const cases: [string, OpInput['type'], unknown][] = [
    ['ReduceMax', 'int8', -128], ['ReduceMin', 'uint8', 255], ['ReduceMin', 'int32', 2147483647],
    ['ReduceMax', 'int64', -(2n ** 63n)], ['ReduceMin', 'uint64', 2n ** 64n - 1n],
    ['ReduceMin', 'bool', 1], ['ReduceMax', 'bool', 0], ['ReduceProd', 'int32', 1],
    ['ReduceMax', 'float32', -Infinity], ['ReduceLogSumExp', 'float32', -Infinity], ['ReduceSum', 'float64', 0],
  ];
  for (const [op, type, expected] of cases) {
    const [y] = await runOp(op, [empty(type), axes], { keepdims: 0 }, { opset: 20 });
    assert.deepEqual(y.dims, [2], `${op} ${type}`);
    assert.equal(y.data[0], expected, `${op} ${type}`);
    assert.equal(y.data[1], expected, `${op} ${type}`);
  }
  const [mean] = await runOp('ReduceMean', [empty('float32'), axes], {}, { opset: 18 });
  assert.ok(Number.isNaN(Number(mean.data[0])));
});

test('ReduceMax/ReduceMin propagate NaN', async () => {
  const x = f32([2, 2], [NaN, 1, 2, 3]);
  const [mx] = await runOp('ReduceMax', [x, i64([1], [1])], { keepdims: 0 }, { opset: 18 });
  assert.ok(Number.isNaN(Number(mx.data[0])));
  assert.equal(mx.data[1], 3);
  const [mn] = await runOp('ReduceMin', [x, i64([1], [1])], { keepdims: 0 }, { opset: 18 });
  assert.ok(Number.isNaN(Number(mn.data[0])));
  assert.equal(mn.data[1], 2);
});

test('ReduceLogSumExp is stable for large inputs and exact for -inf rows', async () => {
  const x = f32([2, 2], [1000, 1000, -Infinity, -Infinity]);
  const [y] = await runOp('ReduceLogSumExp', [x, i64([1], [1])], { keepdims: 0 }, { opset: 18 });
  assertClose(y.data, [1000 + Math.log(2), -Infinity]);
});

test('bool ReduceMax/ReduceMin (opset 20) are any/all', async () => {
  const x: OpInput = { type: 'bool', dims: [2, 3], data: [0, 1, 0, 1, 1, 1] };
  const [any] = await runOp('ReduceMax', [x, i64([1], [1])], { keepdims: 0 }, { opset: 20 });
  assert.deepEqual(Array.from(any.data, Number), [1, 1]);
  const [all] = await runOp('ReduceMin', [x, i64([1], [1])], { keepdims: 0 }, { opset: 20 });
  assert.deepEqual(Array.from(all.data, Number), [0, 1]);
  await assert.rejects(runOp('ReduceMax', [x, i64([1], [1])], {}, { opset: 18 }), /bool/);
});

test('float16 ReduceSum rounds its result to float16', async () => {
  const [y] = await runOp('ReduceSum', [{ type: 'float16', dims: [3], data: [0.5, 1, 2048] }], { keepdims: 0 }, { opset: 13 });
  const v = float16BitsToArray(y.data as Uint16Array)[0];
  // 2049.5 is not on the float16 grid (step 2 near 2048): the output is rounded to it.
  assert.equal(v, 2050);
});

test('ReduceSum of a scalar and over size-1 axes', async () => {
  const [a] = await runOp('ReduceSum', [f32([], [4.5])], { keepdims: 0 }, { opset: 13 });
  assert.deepEqual(a.dims, []);
  assert.deepEqual(Array.from(a.data), [4.5]);
  const [b] = await runOp('ReduceSum', [f32([1, 3, 1], [1, 2, 3]), i64([2], [0, 2])], { keepdims: 0 }, { opset: 13 });
  assert.deepEqual(b.dims, [3]);
  assert.deepEqual(Array.from(b.data), [1, 2, 3]);
});

test('an out-of-range axis is a run-time error', async () => {
  await assert.rejects(runOp('ReduceSum', [f32([2], [1, 2]), i64([1], [3])], {}, { opset: 13 }), /axis 3 is out of range/);
});

// ---------------------------------------------------------------------------
// ArgMax / ArgMin

test('ArgMax/ArgMin on int64 and before opset 12 (first index on ties)', async () => {
  const x = i64([2, 3], [5, 9, 9, 2n ** 62n, 0, 2n ** 62n]);
  const [a] = await runOp('ArgMax', [x], { axis: 1, keepdims: 0 }, { opset: 11 });
  assert.deepEqual(a.dims, [2]);
  assert.deepEqual(Array.from(a.data), [1n, 0n]);
  const [b] = await runOp('ArgMax', [x], { axis: 1, select_last_index: 1 }, { opset: 13 });
  assert.deepEqual(b.dims, [2, 1]);
  assert.deepEqual(Array.from(b.data), [2n, 2n]);
  const [c] = await runOp('ArgMin', [x], { axis: 0, keepdims: 0 }, { opset: 13 });
  assert.deepEqual(Array.from(c.data), [0n, 1n, 0n]);
});

test('ArgMax treats NaN as the maximum (first NaN wins)', async () => {
  const [a] = await runOp('ArgMax', [f32([4], [1, NaN, 5, NaN])], { keepdims: 0 }, { opset: 13 });
  assert.deepEqual(Array.from(a.data), [1n]);
});

// ---------------------------------------------------------------------------
// TopK

test('TopK-1 reads k from the attribute; TopK-10 from the input', async () => {
  const x = f32([5], [3, 1, 4, 1, 5]);
  const [v1, i1] = await runOp('TopK', [x], { k: 2 }, { opset: 1, outputs: 2 });
  assert.deepEqual(Array.from(v1.data), [5, 4]);
  assert.deepEqual(Array.from(i1.data), [4n, 2n]);
  const [v10, i10] = await runOp('TopK', [x, i64([1], [3])], {}, { opset: 10, outputs: 2 });
  assert.deepEqual(Array.from(v10.data), [5, 4, 3]);
  assert.deepEqual(Array.from(i10.data), [4n, 2n, 0n]);
});

test('TopK smallest breaks ties by the lower index, along a middle axis', async () => {
  // shape [2, 3, 2]: take the 2 smallest along axis 1
  const x = f32([2, 3, 2], [1, 7, 1, 2, 0, 2, /* n=1 */ 5, 5, 5, 4, 5, 3]);
  const [v, i] = await runOp('TopK', [x, i64([1], [2])], { axis: 1, largest: 0 }, { opset: 11, outputs: 2 });
  assert.deepEqual(v.dims, [2, 2, 2]);
  assert.deepEqual(Array.from(v.data), [0, 2, 1, 2, 5, 3, 5, 4]);
  assert.deepEqual(Array.from(i.data), [2n, 1n, 0n, 2n, 0n, 2n, 1n, 1n]);
});

test('TopK on a long row agrees with a full sort, and k = 0 gives empty outputs', async () => {
  const data = randoms(500, 3, 100).map((v) => Math.round(v)); // many ties
  const [v, i] = await runOp('TopK', [f32([500], data), i64([1], [37])], {}, { opset: 11, outputs: 2 });
  const order = data.map((x, k) => k).sort((a, b) => data[b] - data[a] || a - b).slice(0, 37);
  assert.deepEqual(Array.from(i.data, Number), order);
  assert.deepEqual(Array.from(v.data), order.map((k) => data[k]));
  const [v0, i0] = await runOp('TopK', [f32([3], [1, 2, 3]), i64([1], [0])], {}, { opset: 11, outputs: 2 });
  assert.deepEqual(v0.dims, [0]);
  assert.deepEqual(i0.dims, [0]);
});

test('TopK keeps int64 values exact and rejects k larger than the axis', async () => {
  const big = 2n ** 62n;
  const [v] = await runOp('TopK', [i64([3], [big + 1n, big, big + 2n]), i64([1], [2])], {}, { opset: 11, outputs: 2 });
  assert.deepEqual(Array.from(v.data), [big + 2n, big + 1n]);
  await assert.rejects(runOp('TopK', [f32([2], [1, 2]), i64([1], [3])], {}, { opset: 11, outputs: 2 }), /out of range/);
});

// ---------------------------------------------------------------------------
// CumSum / CumProd

test('CumSum along a middle axis with exclusive and reverse', async () => {
  const x = f32([2, 3, 2], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  const [y] = await runOp('CumSum', [x, i64([], [1])], { exclusive: 1, reverse: 1 }, { opset: 14 });
  // reverse exclusive along axis 1: [x1 + x2, x2, 0]
  assert.deepEqual(Array.from(y.data), [8, 10, 5, 6, 0, 0, 20, 22, 11, 12, 0, 0]);
});

test('CumSum on int64 is exact; CumProd on int32 wraps', async () => {
  const big = 2n ** 61n;
  const [s] = await runOp('CumSum', [i64([3], [big, big, 1n]), { type: 'int32', dims: [], data: [0] }], {}, { opset: 14 });
  assert.deepEqual(Array.from(s.data), [big, 2n * big, 2n * big + 1n]);
  const [p] = await runOp('CumProd', [{ type: 'int32', dims: [3], data: [65536, 65536, 7] }, i64([], [0])], {}, { opset: 26 });
  assert.deepEqual(Array.from(p.data), [65536, 0, 0]);
  const [q] = await runOp('CumProd', [f32([4], [1, 2, 3, 4]), i64([], [-1])], { exclusive: 1 }, { opset: 26 });
  assert.deepEqual(Array.from(q.data), [1, 1, 2, 6]);
});

// ---------------------------------------------------------------------------
// Softmax family

test('Softmax before opset 13 normalises over the flattened trailing dims', async () => {
  const data = [0, 1, 2, 3, 4, 5, 6, 7];
  const x = f32([2, 2, 2], data);
  const [y] = await runOp('Softmax', [x], { axis: 1 }, { opset: 11 });
  const row = (vals: number[]): number[] => { const s = vals.reduce((a, v) => a + Math.exp(v), 0); return vals.map((v) => Math.exp(v) / s); };
  assertClose(y.data, [...row(data.slice(0, 4)), ...row(data.slice(4))]);
  // Opset 13 normalises along axis 1 only: pairs (0,2), (1,3), ...
  const [z] = await runOp('Softmax', [x], { axis: 1 }, { opset: 13 });
  const p = row([0, 2]);
  assertClose(z.data, [p[0], p[0], p[1], p[1], p[0], p[0], p[1], p[1]]);
});

test('LogSoftmax and Hardmax legacy semantics and defaults', async () => {
  const x = f32([2, 3], [1, 3, 3, 0, -1, 0]);
  const [h] = await runOp('Hardmax', [x], {}, { opset: 11 }); // axis 1, ties to the first
  assert.deepEqual(Array.from(h.data), [0, 1, 0, 1, 0, 0]);
  const [h0] = await runOp('Hardmax', [x], { axis: 0 }, { opset: 11 }); // whole tensor is one row
  assert.deepEqual(Array.from(h0.data), [0, 1, 0, 0, 0, 0]);
  const [l] = await runOp('LogSoftmax', [{ type: 'float64', dims: [3], data: [1000, 0, -1000] }], {}, { opset: 13 });
  assertClose(l.data, [0, -1000, -2000], 1e-12);
});

test('Softmax-11 on a 1-D input with the default axis 1 normalises one-element rows', async () => {
  const [y] = await runOp('Softmax', [f32([3], [1, 2, 3])], {}, { opset: 11 });
  assert.deepEqual(Array.from(y.data), [1, 1, 1]);
  const [z] = await runOp('LogSoftmax', [f32([3], [1, 2, 3])], {}, { opset: 11 });
  assert.deepEqual(Array.from(z.data), [0, 0, 0]);
});

test('Softmax with -inf entries gives exact zeros', async () => {
  const [y] = await runOp('Softmax', [f32([3], [-Infinity, 0, 0])], {}, { opset: 13 });
  assert.deepEqual(Array.from(y.data), [0, 0.5, 0.5]);
});

// ---------------------------------------------------------------------------
// Losses

test('NegativeLogLikelihoodLoss with int32 targets, sum, and mean over an all-ignored batch', async () => {
  const x = f32([2, 3], [-1, -2, -3, -4, -5, -6]);
  const t: OpInput = { type: 'int32', dims: [2], data: [2, 0] };
  const [s] = await runOp('NegativeLogLikelihoodLoss', [x, t], { reduction: 'sum' }, { opset: 13 });
  assert.deepEqual(s.dims, []);
  assert.deepEqual(Array.from(s.data), [7]);
  const [m] = await runOp('NegativeLogLikelihoodLoss', [x, { type: 'int32', dims: [2], data: [1, 1] }], { ignore_index: 1 }, { opset: 13 });
  assert.ok(Number.isNaN(Number(m.data[0])));
  await assert.rejects(runOp('NegativeLogLikelihoodLoss', [x, { type: 'int32', dims: [2], data: [3, 0] }], {}, { opset: 13 }), /out of range/);
});

test('SoftmaxCrossEntropyLoss in float64 with weights, ignore_index and per-element output', async () => {
  const xs = [1, 2, 3, 0, 0, 0];
  const x: OpInput = { type: 'float64', dims: [2, 3], data: xs };
  const w: OpInput = { type: 'float64', dims: [3], data: [0.5, 2, 1] };
  const [loss, logp] = await runOp('SoftmaxCrossEntropyLoss', [x, i64([2], [1, 0]), w], { reduction: 'none', ignore_index: 0 }, { opset: 13, outputs: 2 });
  const lse0 = Math.log(Math.exp(1) + Math.exp(2) + Math.exp(3));
  assertClose(loss.data, [-(2 - lse0) * 2, 0], 1e-12);
  assertClose(logp.data, [1 - lse0, 2 - lse0, 3 - lse0, -Math.log(3), -Math.log(3), -Math.log(3)], 1e-12);
  const [mean] = await runOp('SoftmaxCrossEntropyLoss', [x, i64([2], [1, 2]), w], {}, { opset: 13 });
  assertClose(mean.data, [(-(2 - lse0) * 2 + Math.log(3) * 1) / 3], 1e-12);
});
