// The validation driver and batch prediction, in process, on Identity models compiled
// through the real pipeline (loadRunnableModel: compile in memory, import the ESM).

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import { CsvResultWriter, loadRunnableModel, predictFile, shortestFloat32, toJsonValue, type LineSink, type RunnableModel } from '../../src/validate/predict.js';
import { validateFiles } from '../../src/validate/validate.js';
import { graph, modelBytes, valueInfo } from '../support/onnx-builder.js';

const dir = mkdtempSync(join(tmpdir(), 'mlcompile-validate-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const tol = { rtol: 1e-3, atol: 1e-7 };

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

let model: RunnableModel;

before(async () => {
  // Identity on several element types: float32, int64, bool, string, float16.
  const types = [['f', 'float32', ['N', 2]], ['i', 'int64', [2]], ['b', 'bool', [1]], ['s', 'string', [1]], ['h', 'float16', [2]]] as const;
  const path = join(dir, 'multi.onnx');
  writeFileSync(path, modelBytes(graph({
    name: 'multi',
    nodes: types.map(([n]) => ({ op: 'Identity', inputs: [n], outputs: [`${n}_out`] })),
    inputs: types.map(([n, t, s]) => valueInfo(n, t, s)),
    outputs: types.map(([n, t, s]) => valueInfo(`${n}_out`, t, s)),
  })));
  model = await loadRunnableModel(path);
});

const INPUT = '{"f": [[0.1, -2]], "i": ["9007199254740993", -4], "b": [true], "s": ["a,\\"b\\""], "h": [0.5, 65504]}';

async function validate(inputs: string, expected: string) {
  return validateFiles({ model, inputsFile: file('in.jsonl', inputs), expectedFile: file('exp.jsonl', expected), tolerance: tol });
}

test('the loaded model describes its inputs and outputs', () => {
  assert.equal(model.name, 'multi');
  assert.deepEqual(model.inputs.map((i) => i.name), ['f', 'i', 'b', 's', 'h']);
  assert.ok(model.compileMs > 0);
});

test('every element type round-trips through validate; outputs left out are not compared', async () => {
  const s = await validate(INPUT, '{"f_out": [0.1, -2], "i_out": {"type": "int64", "dims": [2], "data": ["9007199254740993", -4]}, "b_out": [true], "s_out": ["a,\\"b\\""], "h_out": [0.5, 65504]}\n');
  assert.equal(s.ok, true, JSON.stringify(s));
  const partial = await validate(INPUT, '{"b_out": [1]}\n');
  assert.equal(partial.ok, true);
  assert.deepEqual(partial.outputs.filter((o) => o.rows > 0).map((o) => o.output), ['b_out']);
});

test('mismatches: values, declared type or dims, impossible values, 64-bit precision', async () => {
  const cases: [string, RegExp][] = [
    ['{"f_out": [0.1, -2.1]}', /index 1: got -2, expected -2.1/],
    ['{"f_out": {"type": "float64", "data": [0.1, -2]}}', /element type float32, expected float64/],
    ['{"f_out": {"dims": [2], "data": [0.1, -2]}}', /shape \[1,2\], expected \[2\]/],
    ['{"f_out": [0.1]}', /2 elements, expected 1/],
    ['{"i_out": ["9007199254740992", -4]}', /got 9007199254740993, expected 9007199254740992/],
    ['{"i_out": [1.5, -4]}', /expected 1.5, which is not a int64 value/],
    ['{"s_out": ["a"]}', /got a,"b", expected a/],
  ];
  for (const [expected, pattern] of cases) {
    const s = await validate(INPUT, expected + '\n');
    assert.equal(s.ok, false, expected);
    const messages = s.worst.flatMap((r) => r.checks.map((c) => c.message)).join('\n');
    assert.match(messages, pattern, expected);
  }
});

test('NaN equals NaN; tolerances follow the compare rule', async () => {
  const nanIn = INPUT.replace('[[0.1, -2]]', '[["NaN", 1000]]');
  assert.equal((await validate(nanIn, '{"f_out": ["nan", 1000.5]}\n')).ok, true);
  assert.equal((await validate(nanIn, '{"f_out": ["nan", 1002]}\n')).ok, false);
});

test('row counts must match, and the row the model rejects is named', async () => {
  await assert.rejects(validate(`${INPUT}\n${INPUT}\n`, '{"b_out": [1]}\n'), (e: unknown) => e instanceof DiagnosticError && /has 2 rows but .* has 1/.test(e.detail));
  await assert.rejects(validate(INPUT.replace('"b": [true]', '"b": {"type": "int32", "data": [1]}'), '{"b_out": [1]}\n'),
    (e: unknown) => e instanceof DiagnosticError && e.code === 'MLC6001' && e.path === 'line 1' && /must have type bool/.test(e.detail));
});

test('predictFile writes JSON Lines and CSV', async () => {
  const lines: string[] = [];
  const sink: LineSink = { write: async (l) => { lines.push(l); } };
  const n = await predictFile({ model, inputsFile: file('p.jsonl', `${INPUT}\n${INPUT}\n`), sink, csv: false });
  assert.equal(n, 2);
  assert.deepEqual(JSON.parse(lines[0]), {
    f_out: { type: 'float32', dims: [1, 2], data: [0.1, -2] },
    i_out: { type: 'int64', dims: [2], data: ['9007199254740993', -4] },
    b_out: { type: 'bool', dims: [1], data: [true] },
    s_out: { type: 'string', dims: [1], data: ['a,"b"'] },
    h_out: { type: 'float16', dims: [2], data: [0.5, 65504] },
  });
  lines.length = 0;
  await predictFile({ model, inputsFile: file('p2.jsonl', `${INPUT}\n`), sink, csv: true });
  assert.deepEqual(lines, ['f_out[0],f_out[1],i_out[0],i_out[1],b_out,s_out,h_out[0],h_out[1]', '0.1,-2,9007199254740993,-4,true,"a,""b""",0.5,65504']);
});

test('CSV output needs a fixed number of elements per output', () => {
  const w = new CsvResultWriter([{ name: 'y', type: 'float32', shape: ['N'] }]);
  assert.equal(w.format({ y: { type: 'float32', dims: [2], data: new Float32Array([1, 2]) } }, 1).header, 'y[0],y[1]');
  assert.throws(() => w.format({ y: { type: 'float32', dims: [3], data: new Float32Array(3) } }, 2), /fixed number of columns/);
});

test('JSON values: shortest float32 decimals, safe bigints as numbers, sequences and maps', () => {
  assert.equal(shortestFloat32(Math.fround(0.1)), 0.1);
  assert.equal(shortestFloat32(Math.fround(1e30)), 1e30);
  assert.equal(shortestFloat32(Math.fround(1 / 3)), 0.33333334);
  assert.deepEqual(toJsonValue({ type: 'float64', dims: [3], data: new Float64Array([NaN, -Infinity, 0.1]) }), { type: 'float64', dims: [3], data: ['NaN', '-Infinity', 0.1] });
  assert.deepEqual((toJsonValue({ type: 'uint64', dims: [2], data: new BigUint64Array([5n, 2n ** 64n - 1n]) }) as { data: unknown[] }).data, [5, '18446744073709551615']);
  assert.deepEqual(toJsonValue([null, new Map([[1n, 'a']])]), [null, { 1: 'a' }]);
});

test('a CSV written by predict reads back as expected values', async () => {
  const out = join(dir, 'pred.csv');
  const lines: string[] = [];
  await predictFile({ model, inputsFile: file('q.jsonl', `${INPUT}\n`), sink: { write: async (l) => { lines.push(l); } }, csv: true });
  writeFileSync(out, lines.join('\n') + '\n');
  const s = await validateFiles({ model, inputsFile: file('q2.jsonl', `${INPUT}\n`), expectedFile: out, tolerance: tol });
  assert.equal(s.ok, true, JSON.stringify(s.worst));
  assert.ok(readFileSync(out, 'utf8').startsWith('f_out[0]'));
});
