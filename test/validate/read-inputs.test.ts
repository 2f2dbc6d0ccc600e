// Data files for validate/predict: CSV records, element conversion, dims, and the
// mapping of CSV columns and JSON keys onto inputs and outputs.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import {
  convertElement, dataFormatOf, expectedReader, feedReader, flatten, parseCsvRecord, RecordStream, resolveDims,
  type DataRecord, type FieldSpec,
} from '../../src/validate/read-inputs.js';

const dir = mkdtempSync(join(tmpdir(), 'mlcompile-read-inputs-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

async function records(path: string): Promise<{ stream: RecordStream; recs: DataRecord[] }> {
  const stream = await RecordStream.open(path);
  const recs: DataRecord[] = [];
  for (let r = await stream.next(); r !== undefined; r = await stream.next()) recs.push(r);
  return { stream, recs };
}

async function rejectsWith(p: Promise<unknown> | (() => unknown), pattern: RegExp, line?: number): Promise<void> {
  await assert.rejects(async () => (typeof p === 'function' ? p() : p), (e: unknown) => {
    assert.ok(e instanceof DiagnosticError, String(e));
    assert.equal(e.code, 'MLC6001');
    assert.match(e.detail, pattern);
    if (line !== undefined) assert.equal(e.path, `line ${line}`);
    return true;
  });
}

const x14: FieldSpec = { name: 'x', type: 'float32', shape: ['N', 4] };

test('formats by extension', () => {
  assert.equal(dataFormatOf('a.csv'), 'csv');
  assert.equal(dataFormatOf('a.CSV'), 'csv');
  assert.equal(dataFormatOf('a.jsonl'), 'jsonl');
  assert.equal(dataFormatOf('a.ndjson'), 'jsonl');
  assert.equal(dataFormatOf('a.json'), 'jsonl');
  assert.equal(dataFormatOf('a.txt'), undefined);
});

test('CSV records: quotes, doubled quotes, empty cells', () => {
  assert.deepEqual(parseCsvRecord('a,b,c'), ['a', 'b', 'c']);
  assert.deepEqual(parseCsvRecord('"a,b","say ""hi""",'), ['a,b', 'say "hi"', '']);
  assert.deepEqual(parseCsvRecord(''), ['']);
  assert.equal(parseCsvRecord('"open'), undefined);
});

test('a quoted CSV field may span lines; blank lines are skipped; CRLF and BOM are fine', async () => {
  const path = file('multi.csv', '\ufeffs,n\r\n"line one\nline two",1\r\n\r\nplain,2\r\n');
  const { stream, recs } = await records(path);
  assert.deepEqual(stream.header, ['s', 'n']);
  assert.deepEqual(recs.map((r) => (r.kind === 'csv' ? [r.row, r.line, ...r.cells] : [])), [[1, 2, 'line one\nline two', '1'], [2, 5, 'plain', '2']]);
  assert.equal(stream.bytesRead > 0, true);
});

test('CSV errors name the line: ragged rows, duplicate or missing header', async () => {
  await rejectsWith(records(file('ragged.csv', 'a,b\n1,2\n1,2,3\n')), /3 values but the header has 2 columns/, 3);
  await rejectsWith(RecordStream.open(file('dup.csv', 'a,a\n1,2\n')), /names column "a" twice/, 1);
  await rejectsWith(RecordStream.open(file('empty.csv', '')), /needs a header row/);
  await rejectsWith(records(file('open.csv', 'a\n"never closed\n')), /not closed/, 2);
});

test('JSON Lines errors name the line', async () => {
  await rejectsWith(records(file('bad.jsonl', '{"x": 1}\n{"x": \n')), /invalid JSON/, 2);
  await rejectsWith(records(file('arr.jsonl', '[1, 2]\n')), /JSON object/, 1);
});

test('elements convert to the declared type', () => {
  assert.equal(convertElement('1.5', 'float32'), 1.5);
  assert.ok(Number.isNaN(convertElement('', 'float32') as number));
  assert.ok(Number.isNaN(convertElement(null, 'float64') as number));
  assert.equal(convertElement('-inf', 'float32'), -Infinity);
  assert.equal(convertElement('Infinity', 'float64'), Infinity);
  assert.equal(convertElement('abc', 'float32'), undefined);
  assert.equal(convertElement('9223372036854775807', 'int64'), 9223372036854775807n);
  assert.equal(convertElement('9223372036854775808', 'int64'), undefined);
  assert.equal(convertElement('18446744073709551615', 'uint64'), 18446744073709551615n);
  assert.equal(convertElement(-1, 'uint64'), undefined);
  assert.equal(convertElement('3.0', 'int64'), 3n);
  assert.equal(convertElement(1.5, 'int64'), undefined);
  assert.equal(convertElement('300', 'uint8'), undefined);
  assert.equal(convertElement('-128', 'int8'), -128);
  assert.equal(convertElement('true', 'bool'), 1);
  assert.equal(convertElement(false, 'bool'), 0);
  assert.equal(convertElement('maybe', 'bool'), undefined);
  assert.equal(convertElement(12, 'string'), '12');
});

test('dims: static shapes, one or more symbolic dims, nesting', () => {
  assert.deepEqual(resolveDims([1, 4], 4), [1, 4]);
  assert.deepEqual(resolveDims(['N', 4], 4), [1, 4]);
  assert.deepEqual(resolveDims(['N', 4], 8), [2, 4]);
  assert.deepEqual(resolveDims(['B', 'T'], 5), [1, 5]);
  assert.deepEqual(resolveDims([], 1), []);
  assert.deepEqual(resolveDims(null, 3), [3]);
  assert.match(resolveDims([1, 4], 3) as string, /needs 4 values, got 3/);
  assert.match(resolveDims(['N', 4], 6) as string, /do not fit/);
  assert.deepEqual(flatten([[1, 2], [3, 4]]), { data: [1, 2, 3, 4], dims: [2, 2] });
  assert.deepEqual(flatten(7), { data: [7], dims: [] });
  assert.equal(flatten([[1], [2, 3]]).dims, null);
});

test('CSV inputs: a single-input model takes every column in header order', async () => {
  const s = await RecordStream.open(file('single.csv', 'sepal_length,sepal_width,petal_length,petal_width\n5.1,3.5,1.4,0.2\n'));
  const reader = feedReader(s, [x14]);
  const rec = await s.next();
  assert.deepEqual(reader.read(rec!), { x: { type: 'float32', dims: [1, 4], data: [5.1, 3.5, 1.4, 0.2] } });
  assert.deepEqual(reader.ignoredColumns, []);
  s.dispose();
});

test('CSV inputs: columns named after inputs and their elements; others are ignored', async () => {
  const inputs: FieldSpec[] = [{ name: 'a', type: 'int64', shape: [1] }, { name: 'v', type: 'float64', shape: [3] }];
  const s = await RecordStream.open(file('named.csv', 'id,v[2],a,v[0],v[1]\n7,3,10,1,2\n'));
  const reader = feedReader(s, inputs);
  assert.deepEqual(reader.ignoredColumns, ['id']);
  assert.deepEqual(reader.read((await s.next())!), {
    a: { type: 'int64', dims: [1], data: [10n] },
    v: { type: 'float64', dims: [3], data: [1, 2, 3] },
  });
  s.dispose();
  const missing = await RecordStream.open(file('missing.csv', 'a,w\n1,2\n'));
  await rejectsWith(() => feedReader(missing, inputs), /no column for input "v"/);
  missing.dispose();
  const gap = await RecordStream.open(file('gap.csv', 'a,v[0],v[2]\n1,2,3\n'));
  await rejectsWith(() => feedReader(gap, inputs), /v\[1\] is missing/);
  gap.dispose();
});

test('JSON Lines inputs: full tensors, defaults from the declaration, bare arrays', async () => {
  const s = await RecordStream.open(file('in.jsonl', [
    '{"x": {"type": "float32", "dims": [2, 4], "data": [1, 2, 3, 4, 5, 6, 7, 8]}}',
    '{"x": {"data": [[1, 2, 3, "inf"]]}}',
    '{"x": [1, 2, 3, 4]}',
    '{"x": [1, 2, 3]}',
    '{"y": [1, 2, 3, 4]}',
  ].join('\n')));
  const reader = feedReader(s, [x14]);
  assert.deepEqual(reader.read((await s.next())!), { x: { type: 'float32', dims: [2, 4], data: [1, 2, 3, 4, 5, 6, 7, 8] } });
  assert.deepEqual(reader.read((await s.next())!), { x: { type: 'float32', dims: [1, 4], data: [1, 2, 3, Infinity] } });
  assert.deepEqual(reader.read((await s.next())!), { x: { type: 'float32', dims: [1, 4], data: [1, 2, 3, 4] } });
  const bad = (await s.next())!;
  await rejectsWith(() => reader.read(bad), /needs 4 values, got 3|do not fit/, 4);
  const unknown = (await s.next())!;
  await rejectsWith(() => reader.read(unknown), /"y" is not an input of the model/, 5);
  s.dispose();
});

test('expected values: JSON keeps type/dims when given; CSV columns must name outputs', async () => {
  const outputs: FieldSpec[] = [{ name: 'y', type: 'float32', shape: [1, 2] }, { name: 'label', type: 'int64', shape: [1] }];
  const j = await RecordStream.open(file('exp.jsonl', '{"y": {"type": "float32", "dims": [1, 2], "data": [[1, 2]]}, "label": [3]}\n{"label": 4}\n{"z": 1}\n'));
  const jr = expectedReader(j, outputs);
  assert.deepEqual([...jr.read((await j.next())!)], [
    ['y', { kind: 'tensor', type: 'float32', dims: [1, 2], data: [1, 2] }],
    ['label', { kind: 'tensor', data: [3] }],
  ]);
  assert.deepEqual([...jr.read((await j.next())!)], [['label', { kind: 'tensor', data: [4] }]]);
  const z = (await j.next())!;
  await rejectsWith(() => jr.read(z), /"z" is not an output/, 3);
  j.dispose();

  const c = await RecordStream.open(file('exp.csv', 'label,y[1],y[0]\n3,2,1\n'));
  const cr = expectedReader(c, outputs);
  assert.deepEqual([...cr.read((await c.next())!)], [
    ['y', { kind: 'tensor', data: ['1', '2'] }],
    ['label', { kind: 'tensor', data: ['3'] }],
  ]);
  c.dispose();
  const extra = await RecordStream.open(file('extra.csv', 'y[0],y[1],note\n1,2,x\n'));
  await rejectsWith(() => expectedReader(extra, outputs), /column "note" names no output/);
  extra.dispose();
});
