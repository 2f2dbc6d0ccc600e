// Shape and layout ops: the cases the ONNX conformance suite leaves out (old
// opsets, string/bool/int64 elements, negative pads, large layouts that take the
// fast paths, constant shape inputs that go through static shape inference).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runOp, type OpInput } from './helpers.js';

/** Output values as plain numbers/strings (bigints converted). */
function vals(t: { data: ArrayLike<unknown> }): unknown[] {
  return Array.from(t.data).map((v) => (typeof v === 'bigint' ? Number(v) : v));
}

const iota = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
const i64 = (v: readonly number[]): OpInput => ({ type: 'int64', dims: [v.length], data: v });
const strs = (n: number): string[] => Array.from({ length: n }, (_, i) => `s${i}`);

/** Naive reference: out[i0..] = in[perm-mapped index]. */
function naiveTranspose<T>(data: readonly T[], dims: readonly number[], perm: readonly number[]): T[] {
  const r = dims.length;
  const inSt = dims.map((_, i) => dims.slice(i + 1).reduce((a, b) => a * b, 1));
  const od = perm.map((p) => dims[p]);
  const n = data.length;
  const out = new Array<T>(n);
  const idx = new Array<number>(r).fill(0);
  for (let o = 0; o < n; o++) {
    let s = 0;
    for (let a = 0; a < r; a++) s += idx[a] * inSt[perm[a]];
    out[o] = data[s];
    for (let a = r - 1; a >= 0; a--) {
      if (++idx[a] < od[a]) break;
      idx[a] = 0;
    }
  }
  return out;
}

test('Transpose: tiled 2-D, NCHW<->NHWC and general permutations match a naive reference', async () => {
  const cases: [number[], number[]][] = [
    [[70, 45], [1, 0]],
    [[2, 3, 40, 50], [0, 2, 3, 1]],
    [[2, 50, 3, 40], [0, 3, 1, 2]],
    [[3, 4, 5, 64], [0, 2, 1, 3]],
    [[5, 6, 7, 8], [3, 1, 0, 2]],
  ];
  for (const [dims, perm] of cases) {
    const n = dims.reduce((a, b) => a * b, 1);
    const [y] = await runOp('Transpose', [{ type: 'float32', dims, data: iota(n) }], { perm });
    assert.deepEqual(y.dims, perm.map((p) => dims[p]));
    assert.deepEqual(vals(y), naiveTranspose(iota(n), dims, perm), `perm ${perm} of [${dims}]`);
  }
});

test('Transpose: strings, int64 and the default reversed permutation', async () => {
  const [s] = await runOp('Transpose', [{ type: 'string', dims: [2, 3], data: strs(6) }]);
  assert.deepEqual(s.dims, [3, 2]);
  assert.deepEqual(vals(s), ['s0', 's3', 's1', 's4', 's2', 's5']);
  const [b] = await runOp('Transpose', [{ type: 'int64', dims: [2, 1, 3], data: iota(6) }], { perm: [2, 1, 0] });
  assert.deepEqual(b.dims, [3, 1, 2]);
  assert.deepEqual(vals(b), [0, 3, 1, 4, 2, 5]);
});

test('Transpose that only moves unit axes keeps the element order', async () => {
  const [y] = await runOp('Transpose', [{ type: 'float32', dims: [1, 3, 1, 2], data: iota(6) }], { perm: [1, 0, 3, 2] });
  assert.deepEqual(y.dims, [3, 1, 2, 1]);
  assert.deepEqual(vals(y), iota(6));
});

test('Reshape-1 takes the shape as an attribute; Reshape-14 allowzero keeps a literal 0', async () => {
  const [a] = await runOp('Reshape', [{ type: 'float32', dims: [2, 6], data: iota(12) }], { shape: [3, -1] }, { opset: 1 });
  assert.deepEqual(a.dims, [3, 4]);
  assert.deepEqual(vals(a), iota(12));
  const [b] = await runOp('Reshape', [{ type: 'float32', dims: [0, 6], data: [] }, i64([6, 0])], { allowzero: 1 }, { opset: 14 });
  assert.deepEqual(b.dims, [6, 0]);
  const [c] = await runOp('Reshape', [{ type: 'bool', dims: [2, 3], data: [1, 0, 1, 0, 0, 1] }, i64([0, -1, 1])], {}, { opset: 13 });
  assert.deepEqual(c.dims, [2, 3, 1]);
  assert.deepEqual(vals(c), [1, 0, 1, 0, 0, 1]);
});

test('Reshape rejects a shape with the wrong element count', async () => {
  await assert.rejects(runOp('Reshape', [{ type: 'float32', dims: [2, 3], data: iota(6) }, i64([4, -1])]), /cannot reshape/);
});

test('Reshape and Expand with constant shape inputs (static shape inference and folding)', async () => {
  const [r] = await runOp('Reshape', [{ type: 'float32', dims: [2, 3], data: iota(6) }, i64([3, 2])], {}, { constInputs: [1] });
  assert.deepEqual(r.dims, [3, 2]);
  const [e] = await runOp('Expand', [{ type: 'string', dims: [2, 1], data: ['a', 'b'] }, i64([2, 3])], {}, { constInputs: [0, 1] });
  assert.deepEqual(e.dims, [2, 3]);
  assert.deepEqual(vals(e), ['a', 'a', 'a', 'b', 'b', 'b']);
});

test('Flatten at axis 0 and at the rank', async () => {
  const x: OpInput = { type: 'int32', dims: [2, 3, 4], data: iota(24) };
  const [a] = await runOp('Flatten', [x], { axis: 0 }, { opset: 9 });
  assert.deepEqual(a.dims, [1, 24]);
  const [b] = await runOp('Flatten', [x], { axis: 3 }, { opset: 13 });
  assert.deepEqual(b.dims, [24, 1]);
  const [c] = await runOp('Flatten', [x], { axis: -1 }, { opset: 13 });
  assert.deepEqual(c.dims, [6, 4]);
});

test('Squeeze: attribute axes (opset 11), no axes, empty axes input, and a non-unit axis', async () => {
  const x: OpInput = { type: 'float32', dims: [1, 3, 1, 2], data: iota(6) };
  const [a] = await runOp('Squeeze', [x], { axes: [-2] }, { opset: 11 });
  assert.deepEqual(a.dims, [1, 3, 2]);
  const [b] = await runOp('Squeeze', [x], {}, { opset: 1 });
  assert.deepEqual(b.dims, [3, 2]);
  const [c] = await runOp('Squeeze', [x, i64([])], {}, { opset: 13 });
  assert.deepEqual(c.dims, [3, 2]);
  await assert.rejects(runOp('Squeeze', [x, i64([1])], {}, { opset: 13 }), /not 1/);
});

test('Unsqueeze: attribute axes before opset 13, negative axes after', async () => {
  const x: OpInput = { type: 'string', dims: [2], data: ['p', 'q'] };
  const [a] = await runOp('Unsqueeze', [x], { axes: [0, 2] }, { opset: 11 });
  assert.deepEqual(a.dims, [1, 2, 1]);
  assert.deepEqual(vals(a), ['p', 'q']);
  const [b] = await runOp('Unsqueeze', [x, i64([-1, 0])], {}, { opset: 13 });
  assert.deepEqual(b.dims, [1, 2, 1]);
  await assert.rejects(runOp('Unsqueeze', [x, i64([1, 1])], {}, { opset: 13 }), /repeated/);
});

test('Concat of strings and of a zero-length block; Concat-1 defaults to axis 1', async () => {
  const [s] = await runOp('Concat', [
    { type: 'string', dims: [2, 1], data: ['a', 'b'] },
    { type: 'string', dims: [2, 0], data: [] },
    { type: 'string', dims: [2, 2], data: ['c', 'd', 'e', 'f'] },
  ], { axis: -1 });
  assert.deepEqual(s.dims, [2, 3]);
  assert.deepEqual(vals(s), ['a', 'c', 'd', 'b', 'e', 'f']);
  const [d] = await runOp('Concat', [{ type: 'float32', dims: [1, 2], data: [1, 2] }, { type: 'float32', dims: [1, 1], data: [3] }], {}, { opset: 1 });
  assert.deepEqual(d.dims, [1, 3]);
  assert.deepEqual(vals(d), [1, 2, 3]);
});

test('Split: attribute sizes (opset 2), equal parts, num_outputs with a smaller last chunk', async () => {
  const x: OpInput = { type: 'int64', dims: [2, 5], data: iota(10) };
  const a = await runOp('Split', [x], { axis: 1, split: [2, 3] }, { opset: 2, outputs: 2 });
  assert.deepEqual(a.map((t) => t.dims), [[2, 2], [2, 3]]);
  assert.deepEqual(vals(a[1]), [2, 3, 4, 7, 8, 9]);
  const b = await runOp('Split', [x], { axis: 0 }, { opset: 13, outputs: 2 });
  assert.deepEqual(b.map((t) => vals(t)), [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]]);
  const c = await runOp('Split', [x], { axis: -1, num_outputs: 2 }, { opset: 18, outputs: 2 });
  assert.deepEqual(c.map((t) => t.dims), [[2, 3], [2, 2]]);
  assert.deepEqual(vals(c[1]), [3, 4, 8, 9]);
  await assert.rejects(runOp('Split', [x, i64([2, 2])], { axis: 1 }, { opset: 13, outputs: 2 }), /sum to 4/);
});

test('Expand broadcasts both ways and Tile repeats bools', async () => {
  const [e] = await runOp('Expand', [{ type: 'float32', dims: [3, 1], data: [1, 2, 3] }, i64([2, 1, 2])]);
  assert.deepEqual(e.dims, [2, 3, 2]);
  assert.deepEqual(vals(e), [1, 1, 2, 2, 3, 3, 1, 1, 2, 2, 3, 3]);
  const [t] = await runOp('Tile', [{ type: 'bool', dims: [1, 2], data: [1, 0] }, i64([2, 2])]);
  assert.deepEqual(t.dims, [2, 4]);
  assert.deepEqual(vals(t), [1, 0, 1, 0, 1, 0, 1, 0]);
  const [z] = await runOp('Tile', [{ type: 'float32', dims: [2], data: [1, 2] }, i64([0])]);
  assert.deepEqual(z.dims, [0]);
});

test('Pad: negative pads crop, wrap and reflect past the axis size follow numpy', async () => {
  const x: OpInput = { type: 'float32', dims: [3], data: [1, 2, 3] };
  const [crop] = await runOp('Pad', [x, i64([-1, 2]), { type: 'float32', dims: [], data: [9] }], { mode: 'constant' });
  assert.deepEqual(vals(crop), [2, 3, 9, 9]);
  const [wrap] = await runOp('Pad', [x, i64([4, 2])], { mode: 'wrap' }, { opset: 19 });
  assert.deepEqual(vals(wrap), [3, 1, 2, 3, 1, 2, 3, 1, 2]);
  const [refl] = await runOp('Pad', [x, i64([5, 5])], { mode: 'reflect' });
  assert.deepEqual(vals(refl), [2, 1, 2, 3, 2, 1, 2, 3, 2, 1, 2, 3, 2]);
  const [edge] = await runOp('Pad', [x, i64([2, -1])], { mode: 'edge' });
  assert.deepEqual(vals(edge), [1, 1, 1, 2]);
});

test('Pad-2 attributes, axes input (opset 18), string constant padding', async () => {
  const [a] = await runOp('Pad', [{ type: 'float32', dims: [1, 2], data: [1, 2] }], { pads: [0, 1, 1, 0], value: 0.5 }, { opset: 2 });
  assert.deepEqual(a.dims, [2, 3]);
  assert.deepEqual(vals(a), [0.5, 1, 2, 0.5, 0.5, 0.5]);
  const [b] = await runOp('Pad', [{ type: 'int32', dims: [2, 2], data: [1, 2, 3, 4] }, i64([1, 0]), null, i64([-2])], { mode: 'edge' }, { opset: 18 });
  assert.deepEqual(b.dims, [3, 2]);
  assert.deepEqual(vals(b), [1, 2, 1, 2, 3, 4]);
  const [c] = await runOp('Pad', [{ type: 'string', dims: [1], data: ['x'] }, i64([1, 1])], { mode: 'constant' });
  assert.deepEqual(vals(c), ['', 'x', '']);
});

test('DepthToSpace (DCR and CRD) on int64 and SpaceToDepth invert each other', async () => {
  const x: OpInput = { type: 'int64', dims: [1, 8, 1, 2], data: iota(16) };
  const [dcr] = await runOp('DepthToSpace', [x], { blocksize: 2 });
  assert.deepEqual(dcr.dims, [1, 2, 2, 4]);
  // DCR: out[c, h·2+i, w·2+j] = in[(i·2+j)·2 + c, h, w].
  assert.deepEqual(vals(dcr), [0, 4, 1, 5, 8, 12, 9, 13, 2, 6, 3, 7, 10, 14, 11, 15]);
  const [crd] = await runOp('DepthToSpace', [x], { blocksize: 2, mode: 'CRD' });
  // CRD: out[c, h·2+i, w·2+j] = in[c·4 + i·2 + j, h, w].
  assert.deepEqual(vals(crd), [0, 2, 1, 3, 4, 6, 5, 7, 8, 10, 9, 11, 12, 14, 13, 15]);
  const [back] = await runOp('SpaceToDepth', [{ type: 'int64', dims: dcr.dims, data: vals(dcr) as number[] }], { blocksize: 2 });
  assert.deepEqual(back.dims, [1, 8, 1, 2]);
  assert.deepEqual(vals(back), iota(16));
});

test('Range: int64, empty and negative steps', async () => {
  const s = (type: 'int64' | 'int32' | 'float64', v: number): OpInput => ({ type, dims: [], data: [v] });
  const [a] = await runOp('Range', [s('int64', 10), s('int64', 1), s('int64', -3)]);
  assert.equal(a.type, 'int64');
  assert.deepEqual(vals(a), [10, 7, 4]);
  const [b] = await runOp('Range', [s('int32', 5), s('int32', 5), s('int32', 1)]);
  assert.deepEqual(b.dims, [0]);
  const [c] = await runOp('Range', [s('float64', 0), s('float64', 1), s('float64', 0.25)], {}, { constInputs: [0, 1, 2] });
  assert.deepEqual(vals(c), [0, 0.25, 0.5, 0.75]);
});

test('ConstantOfShape: default float zero, int32 value, empty shape gives a scalar', async () => {
  const [a] = await runOp('ConstantOfShape', [i64([2, 2])], {}, { opset: 9 });
  assert.equal(a.type, 'float32');
  assert.deepEqual(vals(a), [0, 0, 0, 0]);
  const [b] = await runOp('ConstantOfShape', [i64([3])], { value: { type: 'int32', dims: [1], data: new Int32Array([-4]) } });
  assert.equal(b.type, 'int32');
  assert.deepEqual(vals(b), [-4, -4, -4]);
  const [c] = await runOp('ConstantOfShape', [i64([])], { value: { type: 'int64', dims: [1], data: new BigInt64Array([7n]) } });
  assert.deepEqual(c.dims, []);
  assert.deepEqual(vals(c), [7]);
});

test('EyeLike: dtype attribute and off-diagonal k', async () => {
  const [a] = await runOp('EyeLike', [{ type: 'float32', dims: [2, 3], data: iota(6) }], { dtype: 7, k: 1 }, { opset: 9 });
  assert.equal(a.type, 'int64');
  assert.deepEqual(vals(a), [0, 1, 0, 0, 0, 1]);
  const [b] = await runOp('EyeLike', [{ type: 'bool', dims: [3, 2], data: iota(6) }], { k: -1 }, { opset: 22 });
  assert.equal(b.type, 'bool');
  assert.deepEqual(vals(b), [0, 0, 1, 0, 0, 1]);
});

test('Shape start/end clamp, Shape before opset 15 ignores them, Size of an empty tensor', async () => {
  const x: OpInput = { type: 'string', dims: [2, 0, 4], data: [] };
  const [a] = await runOp('Shape', [x], { start: -2, end: 10 }, { opset: 15 });
  assert.deepEqual(vals(a), [0, 4]);
  const [b] = await runOp('Shape', [x], { start: 2, end: 1 }, { opset: 15 });
  assert.deepEqual(b.dims, [0]);
  const [c] = await runOp('Shape', [x], {}, { opset: 1 });
  assert.deepEqual(vals(c), [2, 0, 4]);
  const [d] = await runOp('Size', [x]);
  assert.deepEqual(d.dims, []);
  assert.deepEqual(vals(d), [0]);
});
