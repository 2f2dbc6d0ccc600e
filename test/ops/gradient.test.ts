// ai.onnx.preview.training.Gradient expands into ordinary nodes at lowering time.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { graph, modelBytes, valueInfo } from '../support/onnx-builder.js';
import { compileBytes } from '../support/run-module.js';
import { loadProgramFromBytes } from '../../src/api.js';

function model(nodes: Parameters<typeof graph>[0]['nodes'], xs: string[], y: string, outs: string[]): Uint8Array {
  return modelBytes(graph({
    nodes: [...nodes, { op: 'Gradient', domain: 'ai.onnx.preview.training', inputs: xs, outputs: outs, attrs: { xs, y } }],
    inputs: [valueInfo('a', 'float32', [2]), valueInfo('b', 'float32', [2])],
    outputs: outs.map((o) => valueInfo(o, 'float32', [2])),
  }), { '': 17, 'ai.onnx.preview.training': 1 });
}

const feeds = { a: { type: 'float32', dims: [2], data: [3, -2] }, b: { type: 'float32', dims: [2], data: [4, 0.5] } };
const vals = (t: { data: ArrayLike<unknown> }): number[] => Array.from(t.data as Float32Array);

test('d(a/b - b)/da = 1/b and d/db = -a/b² - 1', async () => {
  const { mod } = await compileBytes(model([
    { op: 'Div', inputs: ['a', 'b'], outputs: ['q'] },
    { op: 'Sub', inputs: ['q', 'b'], outputs: ['y'] },
  ], ['a', 'b'], 'y', ['da', 'db']));
  const r = mod.run(feeds);
  assert.deepEqual(vals(r.da), [0.25, 2]);
  assert.deepEqual(vals(r.db), [-3 / 16 - 1, 8 - 1]);
});

test('an x that y does not depend on gets a zero gradient', async () => {
  const { mod } = await compileBytes(model([{ op: 'Neg', inputs: ['a'], outputs: ['y'] }], ['a', 'b'], 'y', ['da', 'db']));
  const r = mod.run(feeds);
  assert.deepEqual(vals(r.da), [-1, -1]);
  assert.deepEqual(vals(r.db), [0, 0]);
});

test('an op without a gradient rule is reported as unsupported', () => {
  assert.throws(() => loadProgramFromBytes(model([{ op: 'Exp', inputs: ['a'], outputs: ['y'] }], ['a'], 'y', ['da']), 'g.onnx'),
    /Gradient through Exp is not supported/);
});
