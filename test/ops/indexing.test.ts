// Indexing ops: versions, types and edge cases the ONNX conformance data does not cover.

import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { runOp, type OpInput } from './helpers.js';
import type { PublicTensor } from '../support/run-module.js';

const f32 = (dims: number[], data: number[]): OpInput => ({ type: 'float32', dims, data });
const i64 = (dims: number[], data: number[]): OpInput => ({ type: 'int64', dims, data });
const i32 = (dims: number[], data: number[]): OpInput => ({ type: 'int32', dims, data });
const str = (dims: number[], data: string[]): OpInput => ({ type: 'string', dims, data });
const bool = (dims: number[], data: number[]): OpInput => ({ type: 'bool', dims, data });
const iota = (n: number): number[] => Array.from({ length: n }, (_, i) => i);

/** Output values as plain numbers/strings (int64 bigints converted). */
function vals(t: PublicTensor): unknown[] {
  return Array.from(t.data, (v) => (typeof v === 'bigint' ? Number(v) : v));
}

function expectTensor(t: PublicTensor, type: string, dims: number[], data: unknown[]): void {
  assert.equal(t.type, type);
  assert.deepEqual(t.dims, dims);
  assert.deepEqual(vals(t), data);
}

describe('Slice', () => {
  test('opset 1: starts/ends/axes attributes, negative and out-of-range bounds', async () => {
    const x = f32([3, 4], iota(12));
    const [y] = await runOp('Slice', [x], { starts: [-2, 1], ends: [1000, -1], axes: [1, 0] }, { opset: 9 });
    expectTensor(y, 'float32', [1, 2], [6, 7]);
  });

  test('opset 1: axes default to the leading axes', async () => {
    const [y] = await runOp('Slice', [f32([3, 4], iota(12))], { starts: [1], ends: [3] }, { opset: 1 });
    expectTensor(y, 'float32', [2, 4], [4, 5, 6, 7, 8, 9, 10, 11]);
  });

  test('opset 10: int32 starts/ends with a negative step running to the front', async () => {
    const x = f32([2, 5], iota(10));
    const [y] = await runOp('Slice', [x, i32([1], [-1]), i32([1], [-1000]), i32([1], [1]), i32([1], [-2])], {}, { opset: 10 });
    expectTensor(y, 'float32', [2, 3], [4, 2, 0, 9, 7, 5]);
  });

  test('a slice of everything returns the whole input', async () => {
    const [y] = await runOp('Slice', [f32([2, 2], [1, 2, 3, 4]), i64([1], [0]), i64([1], [9]), i64([1], [-1])], {}, { opset: 13 });
    expectTensor(y, 'float32', [2, 2], [1, 2, 3, 4]);
  });

  test('an empty range gives a zero-sized dimension', async () => {
    const [y] = await runOp('Slice', [f32([2, 3], iota(6)), i64([1], [2]), i64([1], [1]), i64([1], [1])], {}, { opset: 13 });
    expectTensor(y, 'float32', [2, 0], []);
  });

  test('strings, stepping along an outer axis with whole inner rows', async () => {
    const x = str([3, 2], ['a', 'b', 'c', 'd', 'e', 'f']);
    const [y] = await runOp('Slice', [x, i64([1], [0]), i64([1], [3]), i64([1], [0]), i64([1], [2])], {}, { opset: 13 });
    expectTensor(y, 'string', [2, 2], ['a', 'b', 'e', 'f']);
  });

  test('a zero step is a runtime error', async () => {
    await assert.rejects(runOp('Slice', [f32([3], [1, 2, 3]), i64([1], [0]), i64([1], [3]), i64([1], [0]), i64([1], [0])], {}, { opset: 13 }), /step cannot be 0/);
  });

  test('repeated axes are a runtime error', async () => {
    await assert.rejects(runOp('Slice', [f32([3], [1, 2, 3]), i64([2], [0, 1]), i64([2], [3, 3]), i64([2], [0, -1])], {}, { opset: 13 }), /repeat axis 0/);
  });
});

describe('Gather', () => {
  test('a scalar index removes the axis; int32 indices; opset 1', async () => {
    const [y] = await runOp('Gather', [f32([2, 3], iota(6)), i32([], [-1])], { axis: 1 }, { opset: 1 });
    expectTensor(y, 'float32', [2], [2, 5]);
  });

  test('strings and bools along axis 0', async () => {
    const [s] = await runOp('Gather', [str([3, 2], ['a', 'b', 'c', 'd', 'e', 'f']), i64([2], [2, 0])], { axis: 0 });
    expectTensor(s, 'string', [2, 2], ['e', 'f', 'a', 'b']);
    const [b] = await runOp('Gather', [bool([3], [1, 0, 1]), i64([2, 2], [1, 1, 0, 2])], { axis: 0 });
    expectTensor(b, 'bool', [2, 2], [0, 0, 1, 1]);
  });

  test('long inner rows are copied whole (block copy path)', async () => {
    const x = f32([3, 40], iota(120));
    const [y] = await runOp('Gather', [x, i64([1], [2])], { axis: 0 });
    expectTensor(y, 'float32', [1, 40], iota(40).map((v) => v + 80));
  });

  test('an out-of-range index is a runtime error', async () => {
    await assert.rejects(runOp('Gather', [f32([3], [1, 2, 3]), i64([1], [3])], { axis: 0 }), /Gather index 3 is out of range \[-3, 2\]/);
  });
});

describe('GatherElements', () => {
  test('last axis, int32 indices, indices smaller than data on the other axis', async () => {
    const [y] = await runOp('GatherElements', [f32([3, 3], iota(9)), i32([2, 2], [2, -3, 1, 1])], { axis: -1 });
    expectTensor(y, 'float32', [2, 2], [2, 0, 4, 4]);
  });

  test('indices larger than data on a non-gathered axis are rejected', async () => {
    await assert.rejects(runOp('GatherElements', [f32([2, 2], iota(4)), i64([2, 3], [0, 0, 0, 0, 0, 0])], { axis: 0 }), /exceeds data shape/);
  });
});

describe('GatherND', () => {
  test('batch_dims 1 with full tuples selects elements; negative indices wrap', async () => {
    const x = f32([2, 2, 3], iota(12));
    const [y] = await runOp('GatherND', [x, i64([2, 2], [1, -1, 0, 0])], { batch_dims: 1 });
    expectTensor(y, 'float32', [2], [5, 6]);
  });

  test('opset 11 (no batch_dims) selecting rows', async () => {
    const [y] = await runOp('GatherND', [str([2, 2], ['a', 'b', 'c', 'd']), i64([1, 1], [1])], {}, { opset: 11 });
    expectTensor(y, 'string', [1, 2], ['c', 'd']);
  });

  test('an out-of-range tuple is a runtime error', async () => {
    await assert.rejects(runOp('GatherND', [f32([2, 2], iota(4)), i64([1, 2], [0, 2])], {}), /GatherND index 2 is out of range/);
  });
});

describe('ScatterElements / Scatter', () => {
  test('reduction add with duplicate indices accumulates', async () => {
    const [y] = await runOp('ScatterElements', [f32([1, 3], [1, 2, 3]), i64([1, 3], [1, 1, -1]), f32([1, 3], [10, 20, 30])], { axis: 1, reduction: 'add' }, { opset: 16 });
    expectTensor(y, 'float32', [1, 3], [1, 32, 33]);
  });

  test('int32 mul wraps like 32-bit integer arithmetic', async () => {
    const big = 0x10001;
    const [y] = await runOp('ScatterElements', [i32([1], [big]), i64([1], [0]), i32([1], [big])], { axis: 0, reduction: 'mul' }, { opset: 18 });
    assert.deepEqual(vals(y), [Math.imul(big, big)]);
  });

  test('int64 max/min and bool add (logical or)', async () => {
    const [mx] = await runOp('ScatterElements', [i64([2], [5, 5]), i64([2], [0, 1]), i64([2], [9, -9])], { axis: 0, reduction: 'max' }, { opset: 18 });
    expectTensor(mx, 'int64', [2], [9, 5]);
    const [mn] = await runOp('ScatterElements', [i64([2], [5, 5]), i64([2], [0, 1]), i64([2], [9, -9])], { axis: 0, reduction: 'min' }, { opset: 18 });
    expectTensor(mn, 'int64', [2], [5, -9]);
    const [b] = await runOp('ScatterElements', [bool([2], [0, 1]), i64([2], [0, 1]), bool([2], [1, 0])], { axis: 0, reduction: 'add' }, { opset: 18 });
    assert.deepEqual(vals(b).map(Number), [1, 1]);
  });

  test('strings: none overwrites, add concatenates, max is rejected', async () => {
    const data = str([2], ['a', 'b']);
    const [y] = await runOp('ScatterElements', [data, i64([1], [1]), str([1], ['z'])], { axis: 0 }, { opset: 18 });
    expectTensor(y, 'string', [2], ['a', 'z']);
    const [c] = await runOp('ScatterElements', [data, i64([2], [1, 1]), str([2], ['x', 'y'])], { axis: 0, reduction: 'add' }, { opset: 18 });
    expectTensor(c, 'string', [2], ['a', 'bxy']);
    await assert.rejects(runOp('ScatterElements', [data, i64([1], [1]), str([1], ['z'])], { axis: 0, reduction: 'max' }, { opset: 18 }), /not defined for string/);
  });

  test('max is not a reduction of opset 16', async () => {
    await assert.rejects(
      runOp('ScatterElements', [f32([2], [1, 2]), i64([1], [0]), f32([1], [5])], { axis: 0, reduction: 'max' }, { opset: 16 }),
      /reduction/,
    );
  });

  test('Scatter-9 writes along the axis', async () => {
    const [y] = await runOp('Scatter', [f32([2, 2], [0, 0, 0, 0]), i64([1, 2], [1, 0]), f32([1, 2], [7, 8])], { axis: 0 }, { opset: 9 });
    expectTensor(y, 'float32', [2, 2], [0, 8, 7, 0]);
  });

  test('indices and updates of different shapes are rejected', async () => {
    await assert.rejects(runOp('ScatterElements', [f32([3], [1, 2, 3]), i64([2], [0, 1]), f32([1], [5])], { axis: 0 }), /same shape/);
  });
});

describe('ScatterND', () => {
  test('writes whole rows; reduction min', async () => {
    const data = f32([2, 3], [5, 5, 5, 5, 5, 5]);
    const [y] = await runOp('ScatterND', [data, i64([1, 1], [-1]), f32([1, 3], [1, 9, 5])], { reduction: 'min' }, { opset: 18 });
    expectTensor(y, 'float32', [2, 3], [5, 5, 5, 1, 5, 5]);
  });

  test('opset 11 with int64 data', async () => {
    const [y] = await runOp('ScatterND', [i64([3], [1, 2, 3]), i64([2, 1], [2, 0]), i64([2], [30, 10])], {}, { opset: 11 });
    expectTensor(y, 'int64', [3], [10, 2, 30]);
  });

  test('updates of the wrong shape are rejected', async () => {
    await assert.rejects(runOp('ScatterND', [f32([2, 3], iota(6)), i64([1, 1], [0]), f32([1, 2], [1, 2])], {}), /updates must have shape/);
  });
});

describe('Trilu', () => {
  test('lower triangle of a batch of strings without k', async () => {
    const [y] = await runOp('Trilu', [str([2, 2, 2], ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'])], { upper: 0 });
    expectTensor(y, 'string', [2, 2, 2], ['a', '', 'c', 'd', 'e', '', 'g', 'h']);
  });

  test('upper triangle with k = -1 on a wide float matrix', async () => {
    const [y] = await runOp('Trilu', [f32([3, 4], iota(12).map((v) => v + 1)), i64([], [-1])], {});
    expectTensor(y, 'float32', [3, 4], [1, 2, 3, 4, 5, 6, 7, 8, 0, 10, 11, 12]);
  });
});

describe('OneHot', () => {
  test('axis in the middle, string values, depth as a 1-element float', async () => {
    const [y] = await runOp('OneHot', [i64([2, 1], [1, -1]), f32([1], [2.5]), str([2], ['off', 'on'])], { axis: 1 }, { opset: 11 });
    expectTensor(y, 'string', [2, 2, 1], ['off', 'on', 'off', 'on']);
  });

  test('non-integral and out-of-range float indices give all-off rows (opset 9)', async () => {
    const [y] = await runOp('OneHot', [f32([3], [1.5, 3, 0]), f32([], [3]), i32([2], [0, 7])], {}, { opset: 9 });
    expectTensor(y, 'int32', [3, 3], [0, 0, 0, 0, 0, 0, 7, 0, 0]);
  });
});

describe('Compress', () => {
  test('no axis flattens; a short condition drops the rest', async () => {
    const [y] = await runOp('Compress', [f32([2, 2], [1, 2, 3, 4]), bool([3], [0, 1, 1])], {});
    expectTensor(y, 'float32', [2], [2, 3]);
  });

  test('strings along axis 1, opset 9', async () => {
    const [y] = await runOp('Compress', [str([2, 3], ['a', 'b', 'c', 'd', 'e', 'f']), bool([3], [1, 0, 1])], { axis: 1 }, { opset: 9 });
    expectTensor(y, 'string', [2, 2], ['a', 'c', 'd', 'f']);
  });

  test('a true entry past the axis is a runtime error', async () => {
    await assert.rejects(runOp('Compress', [f32([2], [1, 2]), bool([3], [0, 0, 1])], { axis: 0 }), /past the axis length/);
  });
});

describe('NonZero', () => {
  test('a scalar behaves as a 1-element vector', async () => {
    const [y] = await runOp('NonZero', [f32([], [3])], {}, { opset: 9 });
    expectTensor(y, 'int64', [1, 1], [0]);
  });

  test('strings: non-empty is non-zero; coordinates in row-major order', async () => {
    const [y] = await runOp('NonZero', [str([2, 2], ['', 'x', 'y', ''])], {});
    expectTensor(y, 'int64', [2, 2], [0, 1, 1, 0]);
  });

  test('int64 and bool inputs of rank 3', async () => {
    const [a] = await runOp('NonZero', [i64([1, 2, 2], [0, 5, 0, -1])], {});
    expectTensor(a, 'int64', [3, 2], [0, 0, 0, 1, 1, 1]);
    const [b] = await runOp('NonZero', [bool([2, 1, 1], [1, 0])], {});
    expectTensor(b, 'int64', [3, 1], [0, 0, 0]);
  });

  test('NaN counts as non-zero', async () => {
    const [y] = await runOp('NonZero', [f32([3], [0, NaN, 0])], {});
    expectTensor(y, 'int64', [1, 1], [1]);
  });
});

describe('ReverseSequence', () => {
  test('batch axis 0 with strings and trailing dims', async () => {
    const x = str([2, 3, 1], ['a', 'b', 'c', 'd', 'e', 'f']);
    const [y] = await runOp('ReverseSequence', [x, i64([2], [3, 2])], { batch_axis: 0, time_axis: 1 });
    expectTensor(y, 'string', [2, 3, 1], ['c', 'b', 'a', 'e', 'd', 'f']);
  });

  test('axes other than 0 and 1 are rejected at compile time', async () => {
    await assert.rejects(runOp('ReverseSequence', [f32([2, 2], iota(4)), i64([2], [1, 1])], { batch_axis: 1, time_axis: 1 }), /time_axis/);
  });
});

describe('Unique', () => {
  test('strings sort by code point; all four outputs', async () => {
    // U+1D11E (a surrogate pair in UTF-16) sorts after U+FF5E by code point.
    const [y, idx, inv, cnt] = await runOp('Unique', [str([5], ['～', '𝄞', 'a', '～', 'a'])], {}, { outputs: 4 });
    expectTensor(y, 'string', [3], ['a', '～', '𝄞']);
    expectTensor(idx, 'int64', [3], [2, 0, 1]);
    expectTensor(inv, 'int64', [5], [1, 2, 0, 1, 0]);
    expectTensor(cnt, 'int64', [3], [2, 2, 1]);
  });

  test('NaNs form one value sorted last; -0 equals 0', async () => {
    const [y, , , cnt] = await runOp('Unique', [f32([6], [NaN, 1, -0, 0, NaN, -1])], {}, { outputs: 4 });
    assert.deepEqual(y.dims, [4]);
    assert.deepEqual(vals(y).slice(0, 3).map((v) => Math.abs(v as number)), [1, 0, 1]);
    assert.ok(Number.isNaN(vals(y)[3]));
    expectTensor(cnt, 'int64', [4], [1, 2, 1, 2]);
  });

  test('unsorted columns along axis 1, first-occurrence order', async () => {
    const x = i32([2, 4], [3, 1, 3, 1, 0, 2, 0, 5]);
    const [y, idx, inv, cnt] = await runOp('Unique', [x], { axis: 1, sorted: 0 }, { outputs: 4 });
    expectTensor(y, 'int32', [2, 3], [3, 1, 1, 0, 2, 5]);
    expectTensor(idx, 'int64', [3], [0, 1, 3]);
    expectTensor(inv, 'int64', [4], [0, 1, 0, 2]);
    expectTensor(cnt, 'int64', [3], [2, 1, 1]);
  });

  test('int32 extremes and uint32 values above 2^31 sort numerically', async () => {
    const [a] = await runOp('Unique', [i32([6], [3, -2, 3, -2147483648, 2147483647, 0])], {});
    expectTensor(a, 'int32', [5], [-2147483648, -2, 0, 3, 2147483647]);
    const [b] = await runOp('Unique', [{ type: 'uint32', dims: [4], data: [4294967295, 0, 5, 0] }], {});
    expectTensor(b, 'uint32', [3], [0, 5, 4294967295]);
  });

  test('int64 values beyond 32 bits and float64 values', async () => {
    const [a, , inv] = await runOp('Unique', [i64([4], [2 ** 40, -5, 2 ** 40, -(2 ** 33)])], {}, { outputs: 3 });
    expectTensor(a, 'int64', [3], [-(2 ** 33), -5, 2 ** 40]);
    expectTensor(inv, 'int64', [4], [2, 1, 2, 0]);
    const [d] = await runOp('Unique', [{ type: 'float64', dims: [4], data: [1e300, -0.5, 1e-300, -0.5] }], {});
    expectTensor(d, 'float64', [3], [-0.5, 1e-300, 1e300]);
  });

  test('negative floats sort below positive ones; unsorted keeps first-occurrence order', async () => {
    const x = f32([5], [-1.5, 2, -3, -1.5, 0.25]);
    const [s] = await runOp('Unique', [x], {});
    expectTensor(s, 'float32', [4], [-3, -1.5, 0.25, 2]);
    const [u, idx] = await runOp('Unique', [x], { sorted: 0 }, { outputs: 2 });
    expectTensor(u, 'float32', [4], [-1.5, 2, -3, 0.25]);
    expectTensor(idx, 'int64', [4], [0, 1, 2, 4]);
  });

  test('a single declared output', async () => {
    const outs = await runOp('Unique', [i64([4], [2, 2, -7, 2])], {});
    assert.equal(outs.length, 1);
    expectTensor(outs[0], 'int64', [2], [-7, 2]);
  });
});

describe('Slice output buffers', () => {
  test('a copying run after a whole-input view neither aliases nor corrupts the input', async () => {
    // Gather's output buffer is reused between runs. Run 1 slices all of it (a view);
    // run 2 reverses it (same size): written into the viewed buffer, it would
    // overwrite elements before reading them.
    const { graph, modelBytes, valueInfo } = await import('../support/onnx-builder.js');
    const { compileBytes } = await import('../support/run-module.js');
    const g = graph({
      nodes: [
        { op: 'Gather', inputs: ['x', 'idx'], outputs: ['g'], attrs: { axis: 0 } },
        { op: 'Slice', inputs: ['g', 's', 'e', 'a', 'st'], outputs: ['y'] },
      ],
      inputs: [valueInfo('x', 'float32', [4]), valueInfo('s', 'int64', [1]), valueInfo('e', 'int64', [1]), valueInfo('st', 'int64', [1])],
      outputs: [{ name: 'y' }],
      initializers: {
        idx: { type: 'int64', dims: [4], data: BigInt64Array.from([0n, 1n, 2n, 3n]) },
        a: { type: 'int64', dims: [1], data: BigInt64Array.from([0n]) },
      },
    });
    const { mod } = await compileBytes(modelBytes(g, { '': 13 }));
    const feeds = (s: number, e: number, st: number): Record<string, unknown> => ({
      x: { type: 'float32', dims: [4], data: [1, 2, 3, 4] },
      s: { type: 'int64', dims: [1], data: [s] }, e: { type: 'int64', dims: [1], data: [e] }, st: { type: 'int64', dims: [1], data: [st] },
    });
    assert.deepEqual(Array.from(mod.run(feeds(0, 9, 1)).y.data), [1, 2, 3, 4]);
    assert.deepEqual(Array.from(mod.run(feeds(-1, -9, -1)).y.data), [4, 3, 2, 1]);
    assert.deepEqual(Array.from(mod.run(feeds(0, 9, 1)).y.data), [1, 2, 3, 4]);
  });
});
