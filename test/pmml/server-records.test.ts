// PMML modules in the prediction server: records over the Open Inference Protocol (one
// tensor per field, n elements = n records) and over /invocations (instances, columns,
// MLflow dataframes, CSV). In process (fastify.inject), then once as users run it.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildApp } from '../../runtime/server/app.js';
import { ModelRepository, describeModel, type ModelModule } from '../../runtime/server/models-repository.js';
import { compileServerToDir } from '../../src/server-api.js';
import { compileBytes } from '../support/run-module.js';
import { copyToEmptyDir, postJson, removeTempDirs, request, startServer, tempDir } from '../server/support/server-process.js';
import { linearPmml, linearY, treePmml } from './module-fixtures.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

async function pmmlModule(text: string, file: string): Promise<ModelModule> {
  return (await compileBytes(bytes(text), file)).mod as unknown as ModelModule;
}

async function appWith(models: Readonly<Record<string, ModelModule>>) {
  const repo = new ModelRepository();
  for (const [name, mod] of Object.entries(models)) repo.add(describeModel(name, '1', mod));
  const built = buildApp({ repository: repo });
  await built.app.ready();
  return built.app;
}

type App = Awaited<ReturnType<typeof appWith>>;

async function call(app: App, method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) {
  const r = await app.inject({
    method, url,
    payload: typeof payload === 'string' ? payload : payload === undefined ? undefined : JSON.stringify(payload),
    headers: { ...(payload !== undefined && typeof payload !== 'string' ? { 'content-type': 'application/json' } : {}), ...headers },
  });
  return { status: r.statusCode, body: r.headers['content-type']?.toString().includes('json') ? (r.json() as Record<string, unknown>) : undefined, text: r.body };
}

let app: App;
const lin = (x: number, color: 'red' | 'blue') => ({ y: linearY(x, color) });

async function linApp(): Promise<App> {
  app ??= await appWith({ lin: await pmmlModule(linearPmml({ modelName: 'lin' }), 'lin.pmml') });
  return app;
}

after(() => removeTempDirs());

test('model metadata: one tensor of shape [-1] per field, datatypes from the PMML types', async () => {
  const a = await linApp();
  const md = await call(a, 'GET', '/v2/models/lin');
  assert.equal(md.status, 200);
  assert.deepEqual(md.body, {
    name: 'lin', versions: ['1'], platform: 'mlcompile_pmml',
    inputs: [{ name: 'x', datatype: 'FP64', shape: [-1] }, { name: 'color', datatype: 'BYTES', shape: [-1] }],
    outputs: [{ name: 'y', datatype: 'FP64', shape: [-1] }],
  });
});

test('infer: n elements per input tensor are n records; outputs are one tensor per field', async () => {
  const a = await linApp();
  const r = await call(a, 'POST', '/v2/models/lin/infer', {
    id: 'q1',
    inputs: [
      { name: 'x', datatype: 'FP64', shape: [3], data: [1, 2.5, -1] },
      { name: 'color', datatype: 'BYTES', shape: [3], data: ['red', 'blue', 'red'] },
    ],
  });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, {
    model_name: 'lin', model_version: '1', id: 'q1',
    outputs: [{ name: 'y', datatype: 'FP64', shape: [3], data: [linearY(1, 'red'), linearY(2.5, 'blue'), linearY(-1, 'red')] }],
  });
  // Any datatype: the module converts by dataType ("2" as text, INT64 numbers).
  const t = await call(a, 'POST', '/v2/models/lin/infer', {
    inputs: [{ name: 'x', datatype: 'BYTES', shape: [1], data: ['2'] }, { name: 'color', datatype: 'BYTES', shape: [1, 1], data: [['blue']] }],
  });
  assert.deepEqual((t.body as { outputs: { data: unknown[] }[] }).outputs[0].data, [linearY(2, 'blue')]);
});

test('infer: a refused record gives null outputs and a $error tensor; missing fields are missing values', async () => {
  const a = await linApp();
  const r = await call(a, 'POST', '/v2/models/lin/infer', {
    inputs: [{ name: 'x', datatype: 'FP64', shape: [2], data: [1, 1] }, { name: 'color', datatype: 'BYTES', shape: [2], data: ['red', 'green'] }],
  });
  assert.equal(r.status, 200, r.text);
  const outputs = (r.body as { outputs: { name: string; data: unknown[] }[] }).outputs;
  assert.deepEqual(outputs[0].data, [linearY(1, 'red'), null]);
  assert.equal(outputs[1].name, '$error');
  assert.equal(outputs[1].data[0], null);
  assert.equal(typeof outputs[1].data[1], 'string');
});

test('infer errors: unknown field, unequal lengths, no inputs, unknown output', async () => {
  const a = await linApp();
  const bad = async (body: unknown, code: string): Promise<void> => {
    const r = await call(a, 'POST', '/v2/models/lin/infer', body);
    assert.equal(r.status, 400, r.text);
    assert.equal((r.body as { code: string }).code, code, r.text);
  };
  await bad({ inputs: [{ name: 'z', datatype: 'FP64', shape: [1], data: [1] }] }, 'MLS_ERR_BAD_INPUT_NAME');
  await bad({ inputs: [{ name: 'x', datatype: 'FP64', shape: [2], data: [1, 2] }, { name: 'color', datatype: 'BYTES', shape: [1], data: ['red'] }] }, 'MLS_ERR_BAD_TENSOR_SHAPE');
  await bad({ inputs: [] }, 'MLS_ERR_BAD_INPUT_NAME');
  await bad({ inputs: [{ name: 'x', datatype: 'FP64', shape: [1], data: [1] }], outputs: [{ name: 'nope' }] }, 'MLS_ERR_BAD_OUTPUT_NAME');
  await bad({ inputs: [{ name: 'x', datatype: 'FP64', shape: [1], data: [{ a: 1 }] }] }, 'MLS_ERR_BAD_TENSOR_DATA');
});

test('/invocations: every row form gives one prediction record per row', async () => {
  const a = await linApp();
  const want = { predictions: [lin(1, 'red'), lin(2.5, 'blue')] };
  const forms: unknown[] = [
    { instances: [{ x: 1, color: 'red' }, { x: 2.5, color: 'blue', ignored: 1 }] },
    [{ x: 1, color: 'red' }, { x: 2.5, color: 'blue' }],
    { instances: [[1, 'red'], [2.5, 'blue']] },
    { inputs: { x: [1, 2.5], color: ['red', 'blue'] } },
    { inputs: [{ name: 'x', datatype: 'FP64', shape: [2], data: [1, 2.5] }, { name: 'color', datatype: 'BYTES', shape: [2], data: ['red', 'blue'] }] },
    { dataframe_split: { columns: ['color', 'x'], data: [['red', 1], ['blue', 2.5]] } },
    { dataframe_records: [{ x: 1, color: 'red' }, { x: 2.5, color: 'blue' }] },
  ];
  for (const body of forms) {
    const r = await call(a, 'POST', '/invocations', body);
    assert.equal(r.status, 200, `${JSON.stringify(body)}: ${r.text}`);
    assert.deepEqual(r.body, want, JSON.stringify(body));
  }
  const csv = await call(a, 'POST', '/invocations', 'color,x,note\nred,1,a\nblue,2.5,b\n', { 'content-type': 'text/csv' });
  assert.equal(csv.status, 200, csv.text);
  assert.deepEqual(csv.body, want);
  const out = await call(a, 'POST', '/invocations', { instances: [{ x: 1, color: 'red' }, { x: 2.5, color: 'blue' }] }, { accept: 'text/csv' });
  assert.equal(out.text, `${linearY(1, 'red')}\n${linearY(2.5, 'blue')}\n`);
});

test('/invocations: a missing value (null, empty CSV cell) and a refused record', async () => {
  const a = await linApp();
  const r = await call(a, 'POST', '/invocations', { instances: [{ x: 1, color: 'purple' }] });
  assert.equal(r.status, 200, r.text);
  const p = (r.body as { predictions: Record<string, unknown>[] }).predictions[0];
  assert.equal(p.y, null);
  assert.equal(typeof p.$error, 'string');
  const bad = await call(a, 'POST', '/invocations', { instances: [{ x: { nested: true } }] });
  assert.equal(bad.status, 400);
});

test('string and probability outputs of a classifier: BYTES and FP64', async () => {
  const a = await appWith({ signs: await pmmlModule(treePmml(), 'signs.pmml') });
  const r = await call(a, 'POST', '/v2/models/signs/infer', { inputs: [{ name: 'x', datatype: 'FP64', shape: [2], data: [-3, 3] }] });
  assert.equal(r.status, 200, r.text);
  const outputs = (r.body as { outputs: { name: string; datatype: string; data: unknown[] }[] }).outputs;
  assert.deepEqual(outputs.map((o) => [o.name, o.datatype]), [['label', 'BYTES'], ['probability(neg)', 'FP64'], ['probability(pos)', 'FP64']]);
  assert.deepEqual(outputs[0].data, ['neg', 'pos']);
});

test('the compiled server (node server.mjs) serves a PMML model', async () => {
  const dir = tempDir('mlc-pmml-server-');
  const file = join(dir, 'lin.pmml');
  writeFileSync(file, linearPmml({ modelName: 'lin' }));
  await compileServerToDir(file, join(dir, 'out'));
  const server = await startServer(copyToEmptyDir(join(dir, 'out')));
  try {
    const infer = await postJson(`${server.url}/v2/models/lin/infer`, { inputs: [{ name: 'x', datatype: 'FP64', shape: [1], data: [3] }, { name: 'color', datatype: 'BYTES', shape: [1], data: ['blue'] }] });
    assert.equal(infer.status, 200, infer.text);
    assert.deepEqual((infer.body as { outputs: { data: unknown[] }[] }).outputs[0].data, [linearY(3, 'blue')]);
    const inv = await postJson(`${server.url}/invocations`, { instances: [{ x: 3, color: 'blue' }] });
    assert.deepEqual(inv.body, { predictions: [lin(3, 'blue')] });
    const csv = await request(`${server.url}/invocations`, { body: 'x,color\n3,red\n', headers: { 'content-type': 'text/csv' } });
    assert.deepEqual(csv.body, { predictions: [lin(3, 'red')] });
  } finally {
    await server.stop();
  }
});
