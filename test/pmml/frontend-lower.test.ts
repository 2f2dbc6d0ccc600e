// The PMML front end: decoding, checking (compileDocument names the element path),
// the diagnostics' codes, and the IR program lowering builds.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadProgramFromBytes } from '../../src/api.js';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import { modelElementsOf, pmmlMeta, scoringTree } from '../../src/frontends/pmml/lower.js';
import { printProgram } from '../../src/ir/print.js';
import { verifyProgram } from '../../src/ir/verify.js';
import type { El } from '../../runtime/pmml/types.js';
import { linearPmml, treePmml } from './module-fixtures.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function diagnosticOf(text: string, file = 'model.pmml'): DiagnosticError {
  try {
    loadProgramFromBytes(bytes(text), file);
  } catch (e) {
    if (e instanceof DiagnosticError) return e;
    throw e;
  }
  return assert.fail('the document was accepted');
}

test('a DOCTYPE (and so any entity declaration) is refused with MLC1101', () => {
  const text = linearPmml().replace('<PMML', '<!DOCTYPE PMML [<!ENTITY boom "boom">]>\n<PMML');
  const d = diagnosticOf(text);
  assert.equal(d.code, 'MLC1101');
  assert.equal(d.file, 'model.pmml');
  assert.match(d.detail, /DOCTYPE/);
});

test('XML that is not well-formed is MLC1101', () => {
  assert.equal(diagnosticOf('<PMML version="4.4"><DataDictionary></PMML>').code, 'MLC1101');
});

test('a dangling field reference is MLC2101 naming the element path', () => {
  const d = diagnosticOf(linearPmml().replace('<NumericPredictor name="x"', '<NumericPredictor name="nowhere"'));
  assert.equal(d.code, 'MLC2101');
  assert.match(d.path, /^PMML\/RegressionModel\/RegressionTable\/NumericPredictor/);
  assert.match(d.detail, /nowhere/);
});

test('a model type without a compiler is MLC3101 (unsupported), naming the element', () => {
  const text = linearPmml().replace(/RegressionModel/g, 'SequenceModel');
  const d = diagnosticOf(text);
  assert.equal(d.code, 'MLC3101');
  assert.match(d.path, /SequenceModel/);
});

test('the program: one scalar param per field, one pmml.score call, the tree as a constant; it verifies', () => {
  const p = loadProgramFromBytes(bytes(linearPmml({ modelName: 'lin' })), 'lin.pmml');
  assert.equal(p.format, 'pmml');
  assert.deepEqual(verifyProgram(p), []);
  assert.deepEqual(p.inputs.map((i) => [i.name, i.type]), [
    ['x', { kind: 'scalar', dtype: 'float64', missing: true }],
    ['color', { kind: 'scalar', dtype: 'string', missing: true }],
  ]);
  assert.deepEqual(p.outputs.map((o) => o.name), ['y']);
  assert.equal(p.body.length, 1);
  const s = p.body[0];
  assert.ok(s.kind === 'let' && s.expr.kind === 'call' && s.expr.prim === 'pmml.score');
  assert.equal((p.constants[0].value as unknown as El).n, 'PMML');
  const meta = pmmlMeta(p);
  assert.equal(meta.modelElement, 'RegressionModel');
  assert.equal(meta.functionName, 'regression');
  assert.equal(meta.pmmlVersion, '4.4');
  assert.equal(meta.namespace, 'http://www.dmg.org/PMML-4_4');
  assert.deepEqual(meta.modelElements, ['RegressionModel']);
  assert.equal(meta.producer, 'mlcompile tests 1');
  assert.match(printProgram(p), /pmml\.score\(%0, %1\) \{document=\{"kind":"const","id":0\}\}/);
});

test('data types map to IR scalars (integer: int64, dates: float64)', () => {
  const text = linearPmml()
    .replace('name="x" optype="continuous" dataType="double"', 'name="x" optype="continuous" dataType="integer"');
  const p = loadProgramFromBytes(bytes(text), 'm.pmml');
  assert.deepEqual(p.inputs[0].type, { kind: 'scalar', dtype: 'int64', missing: true });
});

test('used model elements are found in nested segments too; build-only elements are dropped from the tree', () => {
  const leaf = (n: string): El => ({ n, a: {}, c: [] });
  const root: El = {
    n: 'PMML', a: {}, c: [
      leaf('MiningBuildTask'),
      { n: 'MiningModel', a: {}, c: [{ n: 'Segmentation', a: {}, c: [{ n: 'Segment', a: {}, c: [leaf('TreeModel')] }, { n: 'Segment', a: {}, c: [leaf('RegressionModel')] }] }, leaf('ModelVerification')] },
    ],
  };
  assert.deepEqual(modelElementsOf(root), ['TreeModel', 'MiningModel', 'RegressionModel']);
  const t = scoringTree(root);
  assert.deepEqual(t.c.map((c) => c.n), ['MiningModel']);
  assert.deepEqual(t.c[0].c.map((c) => c.n), ['Segmentation']);
});

test('a classifier without Output: outputs are the target and probability(<class>)', () => {
  const p = loadProgramFromBytes(bytes(treePmml()), 't.pmml');
  assert.deepEqual(p.outputs.map((o) => o.name), ['label', 'probability(neg)', 'probability(pos)']);
  assert.equal(p.name, 'signs');
});
