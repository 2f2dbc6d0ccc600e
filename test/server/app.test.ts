// runtime/server in-process (fastify.inject): every tensor datatype, the
// /invocations row and column forms, error mapping, readiness, configuration.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { buildApp } from '../../runtime/server/app.js';
import { ConfigError, DEFAULT_BODY_LIMIT, parseByteSize, readConfig } from '../../runtime/server/config.js';
import { SERVER_ERRORS } from '../../runtime/server/errors.js';
import { parseCsv } from '../../runtime/server/invocations.js';
import { ModelRepository, compareVersions, describeModel, type ModelModule } from '../../runtime/server/models-repository.js';
import type { DType } from '../../runtime/tensor/tensor.js';
import { graph, modelBytes, valueInfo } from '../support/onnx-builder.js';
import { compileBytes } from '../support/run-module.js';

const TYPES: readonly DType[] = ['float32', 'float64', 'float16', 'int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool', 'string'];

/** y_<type> = Identity(x_<type>) for every element type, each [N, 2]. */
async function typesModule(): Promise<ModelModule> {
  const bytes = modelBytes(graph({
    name: 'types',
    nodes: TYPES.map((t) => ({ op: 'Identity', inputs: [`x_${t}`], outputs: [`y_${t}`], name: `id_${t}` })),
    inputs: TYPES.map((t) => valueInfo(`x_${t}`, t, ['N', 2])),
    outputs: TYPES.map((t) => valueInfo(`y_${t}`, t, ['N', 2])),
  }));
  return (await compileBytes(bytes, 'types.onnx')).mod as unknown as ModelModule;
}

/** One Identity per input, with the given shapes. */
async function identityModule(name: string, inputs: Readonly<Record<string, (number | string)[]>>, type: DType = 'float32'): Promise<ModelModule> {
  const names = Object.keys(inputs);
  const bytes = modelBytes(graph({
    name,
    nodes: names.map((n) => ({ op: 'Identity', inputs: [n], outputs: [`${n}_out`], name: `id_${n}` })),
    inputs: names.map((n) => valueInfo(n, type, inputs[n])),
    outputs: names.map((n) => valueInfo(`${n}_out`, type, inputs[n])),
  }));
  return (await compileBytes(bytes, `${name}.onnx`)).mod as unknown as ModelModule;
}

async function appWith(models: Readonly<Record<string, ModelModule>>, opts: { ready?: boolean; bodyLimit?: number; defaultModel?: string } = {}) {
  const repo = new ModelRepository(opts.defaultModel);
  for (const [name, mod] of Object.entries(models)) repo.add(describeModel(name, '1', mod));
  const built = buildApp({ repository: repo, state: { ready: opts.ready ?? true }, bodyLimit: opts.bodyLimit });
  await built.app.ready();
  return built;
}

type App = Awaited<ReturnType<typeof appWith>>['app'];

async function call(app: App, method: 'GET' | 'POST', url: string, payload?: unknown, headers: Record<string, string> = {}) {
  const r = await app.inject({ method, url, payload: typeof payload === 'string' ? payload : payload === undefined ? undefined : JSON.stringify(payload), headers: { ...(payload !== undefined && typeof payload !== 'string' ? { 'content-type': 'application/json' } : {}), ...headers } });
  return { status: r.statusCode, body: r.headers['content-type']?.toString().includes('json') ? (r.json() as Record<string, unknown>) : undefined, text: r.body, type: String(r.headers['content-type']) };
}

const SAMPLES: Readonly<Record<string, { in: unknown[]; out: unknown[] }>> = {
  float32: { in: [1.5, -2.25, 0.1, 'NaN'], out: [1.5, -2.25, Math.fround(0.1), null] },
  float64: { in: [0.1, 1e300, -0, null], out: [0.1, 1e300, 0, null] },
  float16: { in: [1.5, -2, 65504, 0.1], out: [1.5, -2, 65504, 0.0999755859375] },
  int8: { in: [-128, 127, 0, 5], out: [-128, 127, 0, 5] },
  uint8: { in: [0, 255, 1, 2], out: [0, 255, 1, 2] },
  int16: { in: [-32768, 32767, 0, 1], out: [-32768, 32767, 0, 1] },
  uint16: { in: [0, 65535, 1, 2], out: [0, 65535, 1, 2] },
  int32: { in: [-2147483648, 2147483647, 0, 1], out: [-2147483648, 2147483647, 0, 1] },
  uint32: { in: [0, 4294967295, 1, 2], out: [0, 4294967295, 1, 2] },
  int64: { in: [-5, 123456789012, '42', 0], out: [-5, 123456789012, 42, 0] },
  uint64: { in: [0, 9007199254740991, '7', 1], out: [0, 9007199254740991, 7, 1] },
  bool: { in: [true, false, 1, 0], out: [true, false, true, false] },
  string: { in: ['a', '', 'ünï', 'd"e'], out: ['a', '', 'ünï', 'd"e'] },
};

const DATATYPE: Readonly<Record<string, string>> = {
  float32: 'FP32', float64: 'FP64', float16: 'FP16', int8: 'INT8', uint8: 'UINT8', int16: 'INT16', uint16: 'UINT16',
  int32: 'INT32', uint32: 'UINT32', int64: 'INT64', uint64: 'UINT64', bool: 'BOOL', string: 'BYTES',
};

test('every tensor datatype: metadata names it, infer round-trips it', async () => {
  const { app } = await appWith({ types: await typesModule() });
  const md = await call(app, 'GET', '/v2/models/types');
  assert.equal(md.status, 200);
  assert.deepEqual(md.body?.inputs, TYPES.map((t) => ({ name: `x_${t}`, datatype: DATATYPE[t], shape: [-1, 2] })));
  const r = await call(app, 'POST', '/v2/models/types/infer', {
    inputs: TYPES.map((t) => ({ name: `x_${t}`, datatype: DATATYPE[t], shape: [2, 2], data: SAMPLES[t].in })),
  });
  assert.equal(r.status, 200, r.text);
  const outputs = r.body?.outputs as { name: string; datatype: string; shape: number[]; data: unknown[] }[];
  for (const t of TYPES) {
    const o = outputs.find((x) => x.name === `y_${t}`);
    assert.ok(o !== undefined, t);
    assert.equal(o.datatype, DATATYPE[t]);
    assert.deepEqual(o.shape, [2, 2]);
    assert.deepEqual(o.data, SAMPLES[t].out, t);
  }
  await app.close();
});

test('tensor data errors name the tensor and the element', async () => {
  const { app } = await appWith({ types: await typesModule() });
  const cases: [DType, unknown[], RegExp][] = [
    ['int8', [300, 0, 0, 0], /x_int8.*element 0 is 300, not an integer in \[-128, 127\]/],
    ['uint8', [0, -1, 0, 0], /element 1 is -1/],
    ['int32', [0, 0, 1.5, 0], /element 2 is 1\.5, not an integer/],
    ['bool', [true, 'yes', true, true], /element 1 is "yes", not a boolean \(BOOL\)/],
    ['string', ['a', 'b', 5, 'c'], /element 2 is 5, not a string \(BYTES\)/],
    ['int64', ['12a', 0, 0, 0], /element 0 is "12a", not an integer \(INT64\)/],
    ['uint64', [-1, 0, 0, 0], /not an integer in the range of uint64/],
    ['float32', [{}, 0, 0, 0], /element 0 is \{\}, not a number \(FP32\)/],
  ];
  for (const [t, data, message] of cases) {
    const inputs = TYPES.map((u) => ({ name: `x_${u}`, datatype: DATATYPE[u], shape: [2, 2], data: u === t ? data : SAMPLES[u].in }));
    const r = await call(app, 'POST', '/v2/models/types/infer', { inputs });
    assert.equal(r.status, 400, `${t}: ${r.text}`);
    assert.equal(r.body?.code, 'MLS_ERR_BAD_TENSOR_DATA');
    assert.match(String(r.body?.error), message);
  }
  // Nested data must follow the shape exactly.
  const nested = TYPES.map((u) => ({ name: `x_${u}`, datatype: DATATYPE[u], shape: [2, 2], data: u === 'float32' ? [[1, 2], [3]] : SAMPLES[u].in }));
  const r = await call(app, 'POST', '/v2/models/types/infer', { inputs: nested });
  assert.equal(r.status, 400);
  assert.match(String(r.body?.error), /data\[1\] has 1 entries, shape \[2,2\] needs 2/);
  await app.close();
});

test('request checks: duplicate input, binary data, non-array data', async () => {
  const { app } = await appWith({ m: await identityModule('m', { x: ['N', 2] }) });
  const x = { name: 'x', datatype: 'FP32', shape: [1, 2], data: [1, 2] };
  const dup = await call(app, 'POST', '/v2/models/m/infer', { inputs: [x, x] });
  assert.equal(dup.status, 400);
  assert.match(String(dup.body?.error), /given twice/);
  const bin = await call(app, 'POST', '/v2/models/m/infer', { inputs: [x], parameters: { binary_data_output: true } });
  assert.equal(bin.status, 400);
  assert.equal(bin.body?.code, 'MLS_ERR_UNSUPPORTED');
  const scalar = await call(app, 'POST', '/v2/models/m/infer', { inputs: [{ ...x, data: 5 }] });
  assert.equal(scalar.status, 400);
  assert.equal(scalar.body?.code, 'MLS_ERR_BAD_REQUEST');
  assert.match(String(scalar.body?.error), /data must be array/);
  await app.close();
});

test('/invocations: multi-input instances as objects, predictions as objects', async () => {
  const { app } = await appWith({ m: await identityModule('m', { a: ['N', 2], b: ['N'] }) });
  const r = await call(app, 'POST', '/invocations', { instances: [{ a: [1, 2], b: 3 }, { a: [4, 5], b: 6 }] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { predictions: [{ a_out: [1, 2], b_out: 3 }, { a_out: [4, 5], b_out: 6 }] });
  const missing = await call(app, 'POST', '/invocations', { instances: [{ a: [1, 2] }] });
  assert.equal(missing.status, 400);
  assert.match(String(missing.body?.error), /input "b" is missing/);
  const bare = await call(app, 'POST', '/invocations', { instances: [[1, 2]] });
  assert.equal(bare.status, 400);
  assert.equal(bare.body?.code, 'MLS_ERR_BAD_INVOCATION');
  await app.close();
});

test('/invocations: columns naming [N, 1] and [N] inputs, from CSV with a header and from dataframe_split', async () => {
  const { app } = await appWith({ m: await identityModule('m', { a: ['N', 1], b: ['N'] }) });
  const expected = { predictions: [{ a_out: [1], b_out: 2 }, { a_out: [3], b_out: 4 }] };
  const csv = await call(app, 'POST', '/invocations', 'b,a\n2,1\n4,3\n', { 'content-type': 'text/csv' });
  assert.equal(csv.status, 200, csv.text);
  assert.deepEqual(csv.body, expected);
  const split = await call(app, 'POST', '/invocations', { dataframe_split: { columns: ['a', 'b'], data: [[1, 2], [3, 4]] } });
  assert.deepEqual(split.body, expected);
  const records = await call(app, 'POST', '/invocations', { dataframe_records: [{ a: 1, b: 2 }, { a: 3, b: 4 }] });
  assert.deepEqual(records.body, expected);
  await app.close();
});

test('/invocations: a fixed batch of 1 is scored row by row; an input without a batch dim takes whole tensors', async () => {
  const { app } = await appWith({
    fixed: await identityModule('fixed', { x: [1, 3] }),
    whole: await identityModule('whole', { v: [3] }),
  }, { defaultModel: 'fixed' });
  const r = await call(app, 'POST', '/invocations', { instances: [[1, 2, 3], [4, 5, 6]] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body, { predictions: [[1, 2, 3], [4, 5, 6]] });
  const csv = await call(app, 'POST', '/invocations', '1,2,3\n4,5,6', { 'content-type': 'text/csv', accept: 'text/csv' });
  assert.equal(csv.text, '1,2,3\n4,5,6\n');
  await app.close();

  const w = await appWith({ whole: await identityModule('whole', { v: [3] }) });
  const r2 = await call(w.app, 'POST', '/invocations', { instances: [[1, 2, 3], { type: 'float32', dims: [3], data: [7, 8, 9] }] });
  assert.equal(r2.status, 200, r2.text);
  assert.deepEqual(r2.body, { predictions: [[1, 2, 3], [7, 8, 9]] });
  const wrong = await call(w.app, 'POST', '/invocations', { instances: [[1, 2]] });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body?.code, 'MLS_ERR_BAD_TENSOR_SHAPE');
  await w.app.close();
});

const ML = new URL('../../fixtures/onnx-ml/', import.meta.url);

async function fixtureModule(name: string): Promise<ModelModule> {
  return (await compileBytes(readFileSync(new URL(`${name}/model.onnx`, ML)), 'model.onnx')).mod as unknown as ModelModule;
}

function jsonLines(name: string, file: string): Record<string, unknown>[] {
  return readFileSync(new URL(`${name}/${file}`, ML), 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}

test('ONNX-ML: a sequence-of-maps output (ZipMap) is BYTES JSON text over OIP and objects in predictions', async () => {
  const { app } = await appWith({ rf: await fixtureModule('tree_iris_random_forest') });
  const md = await call(app, 'GET', '/v2/models/rf');
  assert.deepEqual(md.body?.outputs, [{ name: 'label', datatype: 'INT64', shape: [-1] }, { name: 'probabilities', datatype: 'BYTES', shape: [-1] }]);
  const input = jsonLines('tree_iris_random_forest', 'inputs.jsonl')[2].X as { dims: number[]; data: number[] };
  const expected = jsonLines('tree_iris_random_forest', 'expected.jsonl')[2] as { label: { data: number[] }; probabilities: Record<string, number>[] };
  const r = await call(app, 'POST', '/v2/models/rf/infer', { inputs: [{ name: 'X', shape: input.dims, datatype: 'FP32', data: input.data }] });
  assert.equal(r.status, 200, r.text);
  const [label, probs] = r.body?.outputs as { datatype: string; shape: number[]; data: unknown[] }[];
  assert.deepEqual(label.data, expected.label.data);
  assert.equal(probs.datatype, 'BYTES');
  assert.deepEqual(probs.shape, [input.dims[0]]);
  const parsed = probs.data.map((x) => JSON.parse(x as string) as Record<string, number>);
  parsed.forEach((p, i) => {
    for (const k of Object.keys(expected.probabilities[i])) assert.ok(Math.abs(p[k] - expected.probabilities[i][k]) < 1e-6, `${i} ${k}`);
  });
  const rows = [input.data.slice(0, 4), input.data.slice(4, 8)];
  const inv = await call(app, 'POST', '/invocations', { instances: rows });
  const preds = inv.body?.predictions as { label: number; probabilities: Record<string, number> }[];
  assert.deepEqual(preds.map((p) => p.label), expected.label.data);
  assert.deepEqual(Object.keys(preds[0].probabilities), ['0', '1', '2']);
  await app.close();
});

test('ONNX-ML: a map input (DictVectorizer) takes BYTES JSON text over OIP, and objects as instances', async () => {
  const { app } = await appWith({ dv: await fixtureModule('prep_dictvectorizer_logreg') });
  const inputs = jsonLines('prep_dictvectorizer_logreg', 'inputs.jsonl').slice(0, 2).map((l) => l.X);
  const expected = jsonLines('prep_dictvectorizer_logreg', 'expected.jsonl').slice(0, 2) as { label: { data: string[] } }[];
  const r = await call(app, 'POST', '/v2/models/dv/infer', { inputs: [{ name: 'X', shape: [1], datatype: 'BYTES', data: [JSON.stringify(inputs[0])] }] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual((r.body?.outputs as { data: unknown[] }[])[0].data, expected[0].label.data);
  const wrong = await call(app, 'POST', '/v2/models/dv/infer', { inputs: [{ name: 'X', shape: [1], datatype: 'BYTES', data: ['{oops'] }] });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.body?.code, 'MLS_ERR_BAD_TENSOR_DATA');
  for (const instances of [inputs, inputs.map((x) => ({ X: x }))]) {
    const inv = await call(app, 'POST', '/invocations', { instances });
    assert.equal(inv.status, 200, inv.text);
    assert.deepEqual((inv.body?.predictions as { label: string }[]).map((p) => p.label), expected.map((e) => e.label.data[0]));
  }
  await app.close();
});

test('readiness: 503 from /v2/health/ready and /ping until ready, while live stays 200', async () => {
  const { app, context } = await appWith({ m: await identityModule('m', { x: ['N', 2] }) }, { ready: false });
  assert.equal((await call(app, 'GET', '/v2/health/ready')).status, 503);
  assert.deepEqual((await call(app, 'GET', '/v2/health/ready')).body, { live: true, ready: false });
  assert.equal((await call(app, 'GET', '/ping')).status, 503);
  assert.equal((await call(app, 'GET', '/v2/health/live')).status, 200);
  context.state.ready = true;
  assert.equal((await call(app, 'GET', '/v2/health/ready')).status, 200);
  assert.equal((await call(app, 'GET', '/ping')).status, 200);
  await app.close();
});

test('module errors: MLR_ERR_KERNEL → 422, anything else → 500, and the server keeps answering', async () => {
  const base = await identityModule('m', { x: ['N', 2] });
  let mode = 'kernel';
  const failing: ModelModule = {
    metadata: base.metadata,
    predict: () => ({}),
    run: () => {
      if (mode === 'kernel') throw Object.assign(new Error('node "g": index 9 is out of range'), { code: 'MLR_ERR_KERNEL' });
      throw new TypeError('x is not a function');
    },
  };
  const { app } = await appWith({ m: failing });
  const req = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: [1, 2] }] };
  const k = await call(app, 'POST', '/v2/models/m/infer', req);
  assert.equal(k.status, 422);
  assert.deepEqual(k.body, { error: 'node "g": index 9 is out of range', code: 'MLS_ERR_INFERENCE' });
  mode = 'bug';
  const b = await call(app, 'POST', '/v2/models/m/infer', req);
  assert.equal(b.status, 500);
  assert.equal(b.body?.code, 'MLS_ERR_INTERNAL');
  assert.equal((await call(app, 'GET', '/v2/health/live')).status, 200);
  const metrics = await call(app, 'GET', '/metrics');
  assert.match(metrics.text, /mlcompile_errors_total\{kind="MLS_ERR_INFERENCE",status="422",route="\/v2\/models\/:model_name\/infer",model="m",version="1"\} 1/);
  await app.close();
});

test('the body limit is configurable: over it → 413 JSON', async () => {
  const { app } = await appWith({ m: await identityModule('m', { x: ['N', 2] }) }, { bodyLimit: 64 });
  const r = await call(app, 'POST', '/v2/models/m/infer', { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: [1, 2] }], pad: 'x'.repeat(100) });
  assert.equal(r.status, 413);
  assert.equal(r.body?.code, 'MLS_ERR_BODY_TOO_LARGE');
  await app.close();
});

test('configuration from the environment', () => {
  const d = readConfig({}, '/srv/models');
  assert.deepEqual(d, { port: 8080, host: '0.0.0.0', bodyLimit: DEFAULT_BODY_LIMIT, modelsDir: '/srv/models', defaultModel: undefined, logLevel: 'info' });
  assert.equal(DEFAULT_BODY_LIMIT, 5 * 1024 * 1024);
  const c = readConfig({ PORT: '9000', HOST: '127.0.0.1', MLCOMPILE_BODY_LIMIT: '1.5mb', MLCOMPILE_MODELS_DIR: '/m', MLCOMPILE_DEFAULT_MODEL: 'x', MLCOMPILE_LOG_LEVEL: 'WARN' }, '/srv');
  assert.deepEqual(c, { port: 9000, host: '127.0.0.1', bodyLimit: 1572864, modelsDir: '/m', defaultModel: 'x', logLevel: 'warn' });
  assert.equal(parseByteSize('100', 'X'), 100);
  assert.equal(parseByteSize('512kb', 'X'), 524288);
  assert.equal(parseByteSize('2 MiB', 'X'), 2097152);
  assert.throws(() => parseByteSize('lots', 'X'), ConfigError);
  assert.throws(() => readConfig({ PORT: '70000' }, '/'), /PORT="70000"/);
  assert.throws(() => readConfig({ MLCOMPILE_LOG_LEVEL: 'loud' }, '/'), ConfigError);
});

test('versions sort naturally; the last answers unversioned URLs', () => {
  assert.deepEqual(['10', '2', '1', 'v10', 'v2', '1.10', '1.9', '01'].sort(compareVersions), ['1', '01', '1.9', '1.10', '2', '10', 'v2', 'v10']);
});

test('CSV: quoted fields, escaped quotes, CRLF, blank lines', () => {
  assert.deepEqual(parseCsv('a,"b,c","d""e"\r\n\r\n1,2,3\n'), [['a', 'b,c', 'd"e'], ['1', '2', '3']]);
  assert.deepEqual(parseCsv('1,,3'), [['1', '', '3']]);
});

test('docs/server.md lists every server error code with its status, and no other', () => {
  const doc = readFileSync(new URL('../../docs/server.md', import.meta.url), 'utf8');
  const documented = new Map([...doc.matchAll(/^\| `(MLS_ERR_[A-Z_]+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]));
  assert.deepEqual(Object.fromEntries([...documented].sort()), Object.fromEntries(Object.entries(SERVER_ERRORS).sort()));
});
