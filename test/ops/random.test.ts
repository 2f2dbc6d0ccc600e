// Random ops: shape, dtype, seeded reproducibility and distribution checks.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bernoulli, multinomial, randomNormal, randomUniform } from '../../runtime/tensor/random.js';
import { NodeCtx, type Tensor } from '../../runtime/tensor/tensor.js';
import { graph, modelBytes } from '../support/onnx-builder.js';
import { compileBytes } from '../support/run-module.js';
import { runOp } from './helpers.js';

const N = 100_000;

function meanVar(d: ArrayLike<unknown>): [number, number] {
  let s = 0, s2 = 0;
  for (let i = 0; i < d.length; i++) { const v = Number(d[i]); s += v; s2 += v * v; }
  const m = s / d.length;
  return [m, s2 / d.length - m * m];
}

test('RandomNormal: shape, dtype, mean and variance', async () => {
  const [y] = await runOp('RandomNormal', [], { shape: [100, 1000], mean: { float: 2 }, scale: { float: 3 } });
  assert.equal(y.type, 'float32');
  assert.deepEqual(y.dims, [100, 1000]);
  const [m, v] = meanVar(y.data);
  // mean: sd 3/sqrt(1e5) ≈ 0.0095; variance 9 with sd ≈ 9*sqrt(2/1e5) ≈ 0.04
  assert.ok(Math.abs(m - 2) < 0.06, `mean ${m}`);
  assert.ok(Math.abs(v - 9) < 0.25, `variance ${v}`);
  const f64 = await runOp('RandomNormal', [], { shape: [3, 2], dtype: 11 });
  assert.equal(f64[0].type, 'float64');
  assert.deepEqual(f64[0].dims, [3, 2]);
  const f16 = await runOp('RandomNormal', [], { shape: [4], dtype: 10 });
  assert.equal(f16[0].type, 'float16');
});

test('RandomUniform: range, mean and variance', async () => {
  const [y] = await runOp('RandomUniform', [], { shape: [N], low: { float: -1 }, high: { float: 3 } });
  assert.equal(y.type, 'float32');
  let lo = Infinity, hi = -Infinity;
  for (const v of Array.from(y.data as ArrayLike<number>)) { if (v < lo) lo = v; if (v > hi) hi = v; }
  assert.ok(lo >= -1 && hi < 3, `range [${lo}, ${hi}]`);
  const [m, v] = meanVar(y.data);
  assert.ok(Math.abs(m - 1) < 0.03, `mean ${m}`); // sd ≈ 1.155/sqrt(1e5) ≈ 0.0037
  assert.ok(Math.abs(v - 16 / 12) < 0.03, `variance ${v}`);
});

test('Like ops take the input shape, and its type unless dtype is given', async () => {
  const x = { type: 'float64' as const, dims: [2, 3], data: [1, 2, 3, 4, 5, 6] };
  const [a] = await runOp('RandomNormalLike', [x]);
  assert.equal(a.type, 'float64');
  assert.deepEqual(a.dims, [2, 3]);
  const [b] = await runOp('RandomUniformLike', [{ type: 'int32', dims: [4], data: [0, 0, 0, 0] }], { dtype: 1 });
  assert.equal(b.type, 'float32');
  assert.deepEqual(b.dims, [4]);
  for (const v of Array.from(b.data as ArrayLike<number>)) assert.ok(v >= 0 && v < 1);
  await assert.rejects(runOp('RandomNormalLike', [{ type: 'int32', dims: [1], data: [0] }]));
});

test('a seed makes the sequence reproducible; calls advance it', async () => {
  const g = graph({
    nodes: [
      { op: 'RandomUniform', inputs: [], outputs: ['a'], attrs: { shape: [8], seed: { float: 5 } } },
      { op: 'RandomUniform', inputs: [], outputs: ['b'], attrs: { shape: [8], seed: { float: 5 } } },
      { op: 'RandomUniform', inputs: [], outputs: ['c'], attrs: { shape: [8], seed: { float: 6 } } },
      { op: 'RandomUniform', inputs: [], outputs: ['d'], attrs: { shape: [8] } },
      { op: 'RandomUniform', inputs: [], outputs: ['e'], attrs: { shape: [8] } },
    ],
    inputs: [],
    outputs: ['a', 'b', 'c', 'd', 'e'].map((name) => ({ name })),
  });
  const { mod } = await compileBytes(modelBytes(g, { '': 21 }));
  const r1 = mod.run({}), r2 = mod.run({});
  const arr = (t: { data: ArrayLike<unknown> }) => Array.from(t.data as ArrayLike<number>);
  assert.deepEqual(arr(r1.a), arr(r1.b), 'same seed, same sequence');
  assert.notDeepEqual(arr(r1.a), arr(r1.c), 'different seeds');
  assert.notDeepEqual(arr(r1.d), arr(r1.e), 'unseeded nodes differ');
  assert.notDeepEqual(arr(r1.a), arr(r2.a), 'a second call continues the sequence');
  assert.deepEqual(arr(r2.a), arr(r2.b));
  // A fresh node context replays the same sequence call by call (kernel level).
  const attrs = { hasSeed: true, seed: 5, dtype: 'float32' as const, shape: [8], low: 0, high: 1 };
  const c1 = new NodeCtx('n'), c2 = new NodeCtx('n');
  const s1 = [0, 1].map(() => Array.from(randomUniform(c1, [], attrs)[0].data as Float32Array));
  const s2 = [0, 1].map(() => Array.from(randomUniform(c2, [], attrs)[0].data as Float32Array));
  assert.deepEqual(s1, s2);
  assert.deepEqual(s1[0], arr(r1.a));
  assert.deepEqual(s1[1], arr(r2.a));
  const n1 = randomNormal(new NodeCtx('m'), [], { hasSeed: true, seed: 1.5, dtype: 'float64', shape: [5], mean: 0, scale: 1 })[0];
  const n2 = randomNormal(new NodeCtx('m'), [], { hasSeed: true, seed: 1.5, dtype: 'float64', shape: [5], mean: 0, scale: 1 })[0];
  assert.deepEqual(Array.from(n1.data as Float64Array), Array.from(n2.data as Float64Array));
});

test('random ops are not constant-folded', async () => {
  const g = graph({
    nodes: [{ op: 'RandomNormal', inputs: [], outputs: ['y'], attrs: { shape: [4] } }],
    inputs: [],
    outputs: [{ name: 'y' }],
  });
  const { mod, files } = await compileBytes(modelBytes(g, { '': 21 }));
  assert.match(files['model.mjs'], /randomNormal/);
  const a = Array.from(mod.run({}).y.data as ArrayLike<number>);
  const b = Array.from(mod.run({}).y.data as ArrayLike<number>);
  assert.notDeepEqual(a, b);
});

test('Bernoulli: rate per element, output dtype', async () => {
  const p = [0, 0.1, 0.5, 0.9, 1];
  const reps = 20_000;
  const data = Array.from({ length: p.length * reps }, (_, i) => p[i % p.length]);
  const [y] = await runOp('Bernoulli', [{ type: 'float32', dims: [data.length], data }], {}, { opset: 15 });
  assert.equal(y.type, 'float32');
  const ones = p.map(() => 0);
  for (let i = 0; i < data.length; i++) { const v = Number(y.data[i]); assert.ok(v === 0 || v === 1); ones[i % p.length] += v; }
  p.forEach((q, j) => {
    const rate = ones[j] / reps;
    assert.ok(Math.abs(rate - q) < 0.015, `p=${q}: rate ${rate}`); // sd ≤ 0.0036
  });
  const [b] = await runOp('Bernoulli', [{ type: 'float64', dims: [3], data: [0, 1, 1] }], { dtype: 9 }, { opset: 15 });
  assert.equal(b.type, 'bool');
  assert.deepEqual(Array.from(b.data as ArrayLike<unknown>).map(Number), [0, 1, 1]);
  const [c] = await runOp('Bernoulli', [{ type: 'float32', dims: [2], data: [1, 0] }], { dtype: 7 }, { opset: 15 });
  assert.equal(c.type, 'int64');
  assert.deepEqual(Array.from(c.data as ArrayLike<unknown>).map(Number), [1, 0]);
  // Kernel level: the seeded sequence repeats.
  const x: Tensor = { type: 'float32', dims: [64], data: new Float32Array(64).fill(0.5) };
  const at = { hasSeed: true, seed: 0, dtype: null };
  const k1 = Array.from(bernoulli(new NodeCtx('b'), [x], at)[0].data as Float32Array);
  const k2 = Array.from(bernoulli(new NodeCtx('b'), [x], at)[0].data as Float32Array);
  assert.deepEqual(k1, k2);
});

test('Multinomial: shape, dtype and class frequencies', async () => {
  const probs = [0.1, 0.2, 0.3, 0.4];
  const logits = probs.map((q) => Math.log(q) + 7); // unnormalised
  const x = { type: 'float32' as const, dims: [2, 4], data: [...logits, 0, -Infinity, 0, -Infinity] };
  const [y] = await runOp('Multinomial', [x], { sample_size: 50_000 }, { opset: 7 });
  assert.equal(y.type, 'int32');
  assert.deepEqual(y.dims, [2, 50_000]);
  const counts = [0, 0, 0, 0], counts2 = [0, 0, 0, 0];
  for (let j = 0; j < 50_000; j++) { counts[Number(y.data[j])]++; counts2[Number(y.data[50_000 + j])]++; }
  probs.forEach((q, c) => assert.ok(Math.abs(counts[c] / 50_000 - q) < 0.012, `class ${c}: ${counts[c] / 50_000}`));
  assert.equal(counts2[1] + counts2[3], 0, 'zero-probability classes are never drawn');
  assert.ok(Math.abs(counts2[0] / 50_000 - 0.5) < 0.012);
  const [z] = await runOp('Multinomial', [x], { dtype: 7, sample_size: 3, seed: { float: 1 } }, { opset: 7 });
  assert.equal(z.type, 'int64');
  assert.deepEqual(z.dims, [2, 3]);
  const at = { hasSeed: true, seed: 2, dtype: 'int64' as const, sampleSize: 16 };
  const xt: Tensor = { type: 'float32', dims: [2, 4], data: Float32Array.from(x.data) };
  const m1 = Array.from(multinomial(new NodeCtx('m'), [xt], at)[0].data as BigInt64Array);
  const m2 = Array.from(multinomial(new NodeCtx('m'), [xt], at)[0].data as BigInt64Array);
  assert.deepEqual(m1, m2);
});

test('dtype validation: bfloat16 only from opset 22', async () => {
  await assert.rejects(runOp('RandomNormal', [], { shape: [2], dtype: 16 }, { opset: 21 }));
  const [y] = await runOp('RandomNormal', [], { shape: [2], dtype: 16 }, { opset: 22 });
  assert.equal(y.type, 'bfloat16');
  await assert.rejects(runOp('RandomUniform', [], { shape: [2], dtype: 6 }));
});
