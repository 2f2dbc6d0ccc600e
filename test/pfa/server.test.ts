// PFA engines served by a real generated server: the CLI compiles a YAML map engine
// (record input and output, a union, a map, a cell), an emit engine and a fold engine
// into one server directory, `node server.mjs` runs a copy of it (nothing installed),
// and requests go over HTTP: model metadata, OIP inference (one tensor per record field,
// structured fields as JSON text), /invocations (instances in the PFA JSON encoding),
// state that persists across requests (cells, fold tally), per-record PFA errors as
// `$error` with rollback, and a bad input answered with a 400 naming the field.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { copyToEmptyDir, postJson, removeTempDirs, request, startServer, tempDir, type RunningServer } from '../server/support/server-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'bin', 'mlcompile.mjs');

const SCORER_YAML = `
name: scorer
input:
  type: record
  name: In
  fields:
    - {name: x, type: double}
    - {name: tag, type: ["null", string]}
    - {name: weights, type: {type: map, values: double}}
output:
  type: record
  name: Out
  fields:
    - {name: y, type: double}
    - {name: n, type: long}
    - {name: label, type: string}
cells:
  count: {type: long, init: 0, rollback: true}
action:
  - cell: count
    to: {params: [{c: long}], ret: long, do: {"+": [c, 1]}}
  - if: {"<": [input.x, 0]}
    then: {error: "negative x", code: -7}
  - new:
      y: {"+": [{"*": [input.x, 2]}, {a.sum: {map.values: input.weights}}]}
      n: {cell: count}
      label: {ifnotnull: {t: input.tag}, then: t, else: {string: none}}
    type: Out
`;

const EMITTER = {
  name: 'emitter', method: 'emit', input: 'double', output: 'double',
  action: [{ if: { '>': ['input', 0] }, then: [{ emit: ['input'] }, { emit: [{ 'u-': ['input'] }] }] }],
};

const FOLDER = { name: 'folder', method: 'fold', input: 'int', output: 'long', zero: 0, action: { '+': ['tally', 'input'] }, merge: { '+': ['tallyOne', 'tallyTwo'] } };

let server: RunningServer;

function cli(...args: string[]): void {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 90_000 });
  assert.equal(r.status, 0, `mlcompile ${args.join(' ')} failed:\n${r.stderr}`);
}

before(async () => {
  const src = tempDir('mlc-pfa-server-src-');
  writeFileSync(join(src, 'scorer.yaml'), SCORER_YAML);
  writeFileSync(join(src, 'emitter.pfa'), JSON.stringify(EMITTER));
  writeFileSync(join(src, 'folder.json'), JSON.stringify(FOLDER));
  const out = join(src, 'server');
  cli(join(src, 'scorer.yaml'), '--target', 'server', '--out', out);
  cli(join(src, 'emitter.pfa'), '--target', 'server', '--out', out);
  cli(join(src, 'folder.json'), '--target', 'server', '--out', out);
  server = await startServer(copyToEmptyDir(out), { MLCOMPILE_DEFAULT_MODEL: 'scorer' });
});

after(async () => {
  await server?.stop();
  removeTempDirs();
});

test('model metadata: a record input served field by field', async () => {
  const r = await request(`${server.url}/v2/models/scorer`);
  assert.equal(r.status, 200);
  const md = r.body as { platform: string; inputs: { name: string; datatype: string }[]; outputs: { name: string; datatype: string }[] };
  assert.equal(md.platform, 'mlcompile_pfa');
  assert.deepEqual(md.inputs.map((i) => [i.name, i.datatype]), [['x', 'FP64'], ['tag', 'BYTES'], ['weights', 'BYTES']]);
  assert.deepEqual(md.outputs.map((o) => o.name), ['y', 'n', 'label']);
});

test('/invocations: PFA JSON instances, cells persist across requests, errors per record with rollback', async () => {
  const first = await postJson(`${server.url}/invocations`, { instances: [{ x: 1.5, tag: null, weights: { a: 1, b: 0.5 } }, { x: 2, tag: { string: 'q' }, weights: {} }] });
  assert.equal(first.status, 200, first.text);
  assert.deepEqual(first.body, { predictions: [{ y: 4.5, n: 1, label: 'none' }, { y: 4, n: 2, label: 'q' }] });
  // A user error: that record gets $error; the rollback cell is restored, the others are scored.
  const second = await postJson(`${server.url}/invocations`, { instances: [{ x: -1, tag: null, weights: {} }, { x: 0, tag: null, weights: {} }] });
  assert.equal(second.status, 200, second.text);
  const preds = (second.body as { predictions: Record<string, unknown>[] }).predictions;
  assert.equal(preds[0].$error, 'PFA error -7: negative x');
  assert.deepEqual(preds[1], { y: 0, n: 3, label: 'none' });
});

test('OIP inference: structured fields as JSON text', async () => {
  const r = await postJson(`${server.url}/v2/models/scorer/infer`, {
    inputs: [
      { name: 'x', datatype: 'FP64', shape: [2], data: [1, 3] },
      { name: 'tag', datatype: 'BYTES', shape: [2], data: ['{"string": "a"}', null] },
      { name: 'weights', datatype: 'BYTES', shape: [2], data: ['{"k": 10}', '{}'] },
    ],
  });
  assert.equal(r.status, 200, r.text);
  const outputs = (r.body as { outputs: { name: string; data: unknown[] }[] }).outputs;
  assert.deepEqual(outputs.map((o) => [o.name, o.data]), [['y', [12, 6]], ['n', [4, 5]], ['label', ['a', 'none']]]);
});

test('a bad input is a 400 naming what is wrong, and the engine is untouched', async () => {
  const bad = await postJson(`${server.url}/invocations`, { instances: [{ x: 1, tag: null, weights: {} }, { x: 'oops', tag: null, weights: {} }] });
  assert.equal(bad.status, 400, bad.text);
  assert.match((bad.body as { error: string }).error, /input\.x/);
  const missing = await postJson(`${server.url}/invocations`, { instances: [{ x: 1, tag: null }] });
  assert.equal(missing.status, 400, missing.text);
  assert.match((missing.body as { error: string }).error, /"weights" is missing/);
  const text = await postJson(`${server.url}/v2/models/scorer/infer`, { inputs: [{ name: 'x', datatype: 'FP64', shape: [1], data: [1] }, { name: 'weights', datatype: 'BYTES', shape: [1], data: ['{not json'] }] });
  assert.equal(text.status, 400, text.text);
  // The refused requests ran no action: the counter goes on from 5.
  const ok = await postJson(`${server.url}/invocations`, { instances: [{ x: 0, tag: null, weights: {} }] });
  assert.deepEqual(ok.body, { predictions: [{ y: 0, n: 6, label: 'none' }] });
});

test('emit and fold engines: emitted values per input; the tally accumulates', async () => {
  const emitted = await postJson(`${server.url}/v2/models/emitter/infer`, { inputs: [{ name: 'input', datatype: 'FP64', shape: [3], data: [2, -1, 0.5] }] });
  assert.equal(emitted.status, 200, emitted.text);
  const out = (emitted.body as { outputs: { name: string; data: unknown[] }[] }).outputs[0];
  assert.equal(out.name, 'output');
  assert.deepEqual(out.data.map((s) => JSON.parse(s as string) as unknown), [[2, -2], [], [0.5, -0.5]]);
  const folded = await postJson(`${server.url}/v2/models/folder/infer`, { inputs: [{ name: 'input', datatype: 'INT32', shape: [3], data: [1, 2, 3] }] });
  assert.equal(folded.status, 200, folded.text);
  assert.deepEqual((folded.body as { outputs: { data: unknown[] }[] }).outputs[0].data, [1, 3, 6]);
  const again = await postJson(`${server.url}/v2/models/folder/infer`, { inputs: [{ name: 'input', datatype: 'INT32', shape: [1], data: [4] }] });
  assert.deepEqual((again.body as { outputs: { data: unknown[] }[] }).outputs[0].data, [10]);
});
