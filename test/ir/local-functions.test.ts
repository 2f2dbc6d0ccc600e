// Model-local functions (ModelProto.functions) are inlined at each call site.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { onnx, type OnnxNs } from '../../src/frontends/onnx/proto.js';
import { graph, valueInfo } from '../support/onnx-builder.js';
import { compileBytes } from '../support/run-module.js';
import { loadProgramFromBytes } from '../../src/api.js';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';

/** y = x * alpha + b, with alpha an attribute of the call (ref_attr_name). */
const scaledAdd: OnnxNs.IFunctionProto = {
  name: 'ScaledAdd',
  domain: 'my.fns',
  input: ['X', 'B'],
  output: ['Y'],
  attribute: ['alpha'],
  opsetImport: [{ domain: '', version: 17 }],
  node: [
    { opType: 'Constant', output: ['A'], attribute: [{ name: 'value_float', refAttrName: 'alpha', type: onnx.AttributeProto.AttributeType.FLOAT }] },
    { opType: 'Mul', input: ['X', 'A'], output: ['XA'] },
    { opType: 'Add', input: ['XA', 'B'], output: ['Y'] },
  ],
};

function model(functions: OnnxNs.IFunctionProto[], alpha: number): Uint8Array {
  const g = graph({
    nodes: [
      { op: 'ScaledAdd', domain: 'my.fns', inputs: ['x', 'b'], outputs: ['t'], attrs: { alpha: { float: alpha } } },
      { op: 'ScaledAdd', domain: 'my.fns', inputs: ['t', 'b'], outputs: ['y'], attrs: { alpha: { float: 0.5 } } },
    ],
    inputs: [valueInfo('x', 'float32', [3]), valueInfo('b', 'float32', [3])],
    outputs: [valueInfo('y', 'float32', [3])],
  });
  const m: OnnxNs.IModelProto = {
    irVersion: 9,
    graph: g,
    opsetImport: [{ domain: '', version: 17 }, { domain: 'my.fns', version: 1 }],
    functions,
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(m)).finish();
}

test('a local function is inlined with the caller\'s attribute values', async () => {
  const { mod } = await compileBytes(model([scaledAdd], 2));
  const y = mod.run({ x: { type: 'float32', dims: [3], data: [1, 2, 3] }, b: { type: 'float32', dims: [3], data: [1, 1, 1] } }).y;
  // t = 2x + 1 = [3, 5, 7]; y = 0.5t + 1 = [2.5, 3.5, 4.5]
  assert.deepEqual(Array.from(y.data as Float32Array), [2.5, 3.5, 4.5]);
});

test('a call of an undefined function names the node and op', () => {
  assert.throws(() => loadProgramFromBytes(model([], 2), 'm.onnx'), (e: unknown) => {
    assert.ok(e instanceof DiagnosticError);
    assert.equal(e.code, 'MLC3001');
    assert.match(e.path, /ScaledAdd/);
    return true;
  });
});

test('a recursive local function is rejected', () => {
  const recursive: OnnxNs.IFunctionProto = { ...scaledAdd, node: [{ opType: 'ScaledAdd', domain: 'my.fns', input: ['X', 'B'], output: ['Y'] }], opsetImport: [{ domain: '', version: 17 }, { domain: 'my.fns', version: 1 }] };
  assert.throws(() => loadProgramFromBytes(model([recursive], 2), 'm.onnx'), /calls itself/);
});
