import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ProgramBuilder } from '../../src/ir/builder.js';
import { printProgram } from '../../src/ir/print.js';
import { verifyProgram } from '../../src/ir/verify.js';
import { tensorType } from '../../src/ir/types.js';
import { loadProgramFromBytes } from '../../src/api.js';
import { PASSES } from '../../src/passes/pipeline.js';
import { graph, modelBytes, valueInfo } from '../support/onnx-builder.js';

function tiny(): ProgramBuilder {
  const b = new ProgramBuilder('m', 'onnx', { file: 'm.onnx', sha256: 'abc' });
  const x = b.value('x', tensorType('float32', [2]));
  b.inputs.push({ name: 'x', value: x, type: tensorType('float32', [2]) });
  const y = b.value('y', tensorType('float32', [2]));
  b.body.push({ kind: 'let', results: [y], expr: { kind: 'call', prim: 'tensor.identity', args: [x], attrs: {} }, origin: 'n (Identity)' });
  b.outputs.push({ name: 'y', value: y, type: tensorType('float32', [2]) });
  return b;
}

test('printer output is stable text', () => {
  assert.equal(printProgram(tiny().build()), [
    'program "m" format=onnx source="m.onnx" sha256=abc',
    '  input %0 "x": tensor<float32, 2>',
    '  %1: tensor<float32, 2> = tensor.identity(%0)  // "n (Identity)"',
    '  output "y"=%1: tensor<float32, 2>',
    '',
  ].join('\n'));
});

test('verifier accepts a well-formed program', () => {
  assert.deepEqual(verifyProgram(tiny().build()), []);
});

test('verifier reports use before definition and double definition', () => {
  const b = tiny();
  const z = b.value('z', tensorType('float32', [2]));
  b.body.unshift({ kind: 'let', results: [z], expr: { kind: 'call', prim: 'tensor.identity', args: [1], attrs: {} } });
  b.body.push({ kind: 'let', results: [1], expr: { kind: 'value', id: 0 } });
  const problems = verifyProgram(b.build()).map((p) => p.message);
  assert.ok(problems.some((m) => m.includes('used before it is defined')), problems.join('\n'));
  assert.ok(problems.some((m) => m.includes('defined twice')), problems.join('\n'));
});

test('verifier checks region scopes: a region value is not visible after the region', () => {
  const b = tiny();
  const inner = b.value('inner', tensorType('float32', [2]));
  const after = b.value('after', tensorType('float32', [2]));
  b.body.push({ kind: 'let', results: [b.value('r', tensorType('float32', [2]))], expr: { kind: 'call', prim: 'tensor.loop', args: [], attrs: {}, regions: [{ params: [inner], body: [], yields: [inner] }] } });
  b.body.push({ kind: 'let', results: [after], expr: { kind: 'value', id: inner } });
  const problems = verifyProgram(b.build());
  assert.equal(problems.length, 1);
  assert.match(problems[0].message, /"inner".*used before/);
});

test('every pass keeps a lowered program valid', () => {
  const bytes = modelBytes(graph({
    nodes: [
      { op: 'Identity', inputs: ['w'], outputs: ['w2'] },
      { op: 'Identity', inputs: ['x'], outputs: ['y'] },
      { op: 'Identity', inputs: ['x'], outputs: ['unused'] },
    ],
    inputs: [valueInfo('x', 'float32', [2])],
    outputs: [valueInfo('y', 'float32', [2]), valueInfo('w2', 'float32', [1])],
    initializers: { w: { type: 'float32', dims: [1], data: Float32Array.of(7) } },
  }));
  let p = loadProgramFromBytes(bytes, 'm.onnx', { optimize: false });
  assert.deepEqual(verifyProgram(p), []);
  for (const pass of PASSES) {
    p = pass.run(p);
    assert.deepEqual(verifyProgram(p), [], `after ${pass.name}`);
  }
  const text = printProgram(p);
  assert.doesNotMatch(text, /"unused"/, 'dead code is removed');
  assert.match(text, /%\d+: tensor<float32, 1> = @1/, 'the Identity of a constant is folded');
});
