// End to end, as a user gets it: the real CLI (`node bin/mlcompile.mjs ... --target
// server`) compiles fixtures into one server directory (an ONNX model in two versions,
// an ONNX model with an INT64 scalar input, a PMML model), the directory is copied
// into an empty temporary directory and started with `node server.mjs` (nothing
// installed), and ONE running child answers every route over HTTP: health, server
// and model metadata and readiness, infer (with and without versions; tensor and
// record models), SageMaker and MLflow bodies on /invocations, the batch route,
// batch jobs (create, poll, list, cancel), GET /, the OpenAPI documents, module
// downloads (imported and scored locally), /docs and /metrics. Every Open
// Inference Protocol response is checked against the protocol's own OpenAPI
// description. Then a barrage of bad requests (malformed JSON, wrong datatype or
// shape, missing inputs, unknown model or version, NaN where it is not allowed,
// oversize bodies, a stalled client, bytes that are not HTTP): each gets the right
// 4xx JSON, never a 5xx or a stack trace, and a good request still works after each.
// Last, a batch job whose server is killed (SIGKILL) mid-file resumes on a new server
// without losing or repeating a row.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { featureRows, featuresCsv } from './support/batch-fixtures.js';
import { OpenApi } from './support/openapi.js';
import {
  assertClose, copyToEmptyDir, hasNodeModulesAbove, postJson, readJsonl, removeTempDirs, request, startServer, tempDir, type JsonResponse, type RunningServer,
} from './support/server-process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'bin', 'mlcompile.mjs');
const MLP = join(ROOT, 'fixtures', 'onnx', 'mlp');
const FLOW = join(ROOT, 'fixtures', 'onnx', 'control-flow');
const TREATMENTS = join(ROOT, 'fixtures', 'pmml', 'core-invalid-treatments');
const SPEC = join(ROOT, '..', 'shared', 'specs', 'open-inference-protocol', 'open_inference_rest.yaml');
/** Seconds a client has to send a whole request: short, so the stalled-client case is quick. */
const REQUEST_TIMEOUT_S = 2;
/** Rows of the file a job is cancelled in: enough for it to be still running when DELETE comes. */
const BIG_ROWS = 60_000;

const mlpInputs = readJsonl(join(MLP, 'inputs.jsonl'));
const mlpExpected = readJsonl(join(MLP, 'expected.jsonl'));
/** Every sample of the mlp fixture with its expected outputs. */
const mlpRows = mlpInputs.flatMap((line, k) => {
  const f = line.features;
  return Array.from({ length: f.dims[0] }, (_, i) => ({
    features: f.data.slice(i * 4, i * 4 + 4),
    logits: mlpExpected[k].logits.data.slice(i * 3, i * 3 + 3),
    probabilities: mlpExpected[k].probabilities.data.slice(i * 3, i * 3 + 3),
  }));
});

let dir: string;
let data: string;
let server: RunningServer;
let oip: OpenApi;

function cli(...args: string[]): void {
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 90_000 });
  assert.equal(r.status, 0, `mlcompile ${args.join(' ')}:\n${r.stdout}${r.stderr}`);
}

function serverEnv(): Record<string, string> {
  return { MLCOMPILE_DEFAULT_MODEL: 'mlp', MLCOMPILE_DATA_DIR: data, MLCOMPILE_REQUEST_TIMEOUT: String(REQUEST_TIMEOUT_S), LOG_LEVEL: 'info' };
}

before(async () => {
  oip = new OpenApi(SPEC);
  const out = join(tempDir('mlc-e2e-compile-'), 'out');
  cli(join(MLP, 'model.onnx'), '--target', 'server', '--out', out, '--model-version', '1');
  cli(join(MLP, 'model.onnx'), '--target', 'server', '--out', out, '--model-version', '2');
  cli(join(FLOW, 'model.onnx'), '--target', 'server', '--out', out, '--name', 'flow');
  cli(join(TREATMENTS, 'model.pmml'), '--target', 'server', '--out', out, '--name', 'treatments');
  dir = copyToEmptyDir(out);
  data = join(dir, 'data');
  mkdirSync(join(data, 'out'), { recursive: true });
  writeFileSync(join(data, 'rows.csv'), featuresCsv(featureRows(3000)));
  server = await startServer(dir, serverEnv());
});

after(async () => {
  if (server !== undefined && server.proc.exitCode === null && server.proc.signalCode === null) await server.stop();
  removeTempDirs();
});

const get = (path: string, headers?: Record<string, string>): Promise<JsonResponse> => request(server.url + path, { headers });
const post = (path: string, body: unknown): Promise<JsonResponse> => postJson(server.url + path, body);
const del = (path: string): Promise<JsonResponse> => request(server.url + path, { method: 'DELETE' });

/** Checks an OIP response against the protocol document's schema for its path, method and status (its error schema for 4xx). */
function conforms(path: string, method: string, r: JsonResponse): void {
  // The document spells model routes with /versions/${MODEL_VERSION} only; the unversioned ones answer the same bodies.
  const versioned = path.replace(/^(\/v2\/models\/[^/]+)(?!\/versions\/)(\/ready|\/infer)?$/, '$1/versions/latest$2');
  const template = oip.pathFor(path) ?? oip.pathFor(versioned);
  assert.ok(template !== undefined, `no OIP path matches ${path}`);
  const schema = oip.responseSchema(template, method, r.status) ?? (r.status >= 400 ? oip.component('inference_error_response') : undefined);
  // Only the health and readiness routes have no body schema in the document (it gives their status alone).
  if (schema === undefined && (template.startsWith('/v2/health/') || template.endsWith('/ready'))) return;
  assert.ok(schema !== undefined, `the OIP document gives no schema for ${method} ${path} ${r.status}`);
  assert.deepEqual(oip.validate(r.body, schema), [], `${method} ${path} (${r.status}) does not conform: ${r.text}`);
}

interface Tensor { name: string; datatype: string; shape: number[]; data: unknown[] }

function mlpRequest(rows: readonly (typeof mlpRows)[number][], extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { inputs: [{ name: 'features', shape: [rows.length, 4], datatype: 'FP32', data: rows.flatMap((r) => r.features) }], ...extra };
}

function checkPredictions(predictions: unknown, rows: readonly (typeof mlpRows)[number][]): void {
  assert.ok(Array.isArray(predictions), JSON.stringify(predictions));
  assert.equal(predictions.length, rows.length);
  predictions.forEach((p: { logits: number[]; probabilities: number[] }, i) => {
    assertClose(p.logits, rows[i].logits, `prediction ${i} logits`);
    assertClose(p.probabilities, rows[i].probabilities, `prediction ${i} probabilities`);
  });
}

interface JobView { id: string; url: string; state: string; rowsWritten: number; rowsRead: number; resumedFromRow: number | null; progress: number; output: string }
const FINISHED = new Set(['succeeded', 'failed', 'cancelled']);

async function pollJob(s: RunningServer, url: string, until: (j: JobView) => boolean, timeoutMs = 60_000): Promise<JobView> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await request(s.url + url);
    assert.equal(r.status, 200, r.text);
    const job = r.body as JobView;
    if (until(job)) return job;
    if (Date.now() > end) throw new Error(`job ${url} still ${job.state} after ${timeoutMs} ms: ${r.text}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

async function submitJob(s: RunningServer, body: Record<string, unknown>, model = 'mlp'): Promise<JobView> {
  const r = await fetch(`${s.url}/v2/models/${model}/jobs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await r.text();
  assert.equal(r.status, 202, text);
  const job = JSON.parse(text) as JobView;
  assert.equal(r.headers.get('location'), job.url);
  return job;
}

test('the directory runs from an empty place with Node only', () => {
  assert.equal(hasNodeModulesAbove(dir), false, `${dir} has a node_modules above it`);
  for (const f of ['server.mjs', 'Dockerfile', 'openapi.json', 'k8s', 'models/mlp/1/model.mjs', 'models/mlp/2/model.mjs', 'models/flow/1/model.mjs', 'models/treatments/1/model.mjs']) {
    assert.ok(existsSync(join(dir, f)), `${f} missing`);
  }
});

test('OIP health, server metadata, model metadata and readiness, with and without versions', async () => {
  for (const path of ['/v2/health/live', '/v2/health/ready']) {
    const r = await get(path);
    assert.equal(r.status, 200, r.text);
    conforms(path, 'GET', r);
  }
  const meta = await get('/v2');
  conforms('/v2', 'GET', meta);
  assert.deepEqual((meta.body as { name: string }).name, 'mlcompile');
  for (const [path, version] of [['/v2/models/mlp', '2'], ['/v2/models/mlp/versions/1', '1'], ['/v2/models/mlp/versions/2', '2'], ['/v2/models/flow', '1'], ['/v2/models/treatments', '1']] as const) {
    const r = await get(path);
    assert.equal(r.status, 200, r.text);
    conforms(path, 'GET', r);
    const ready = await get(`${path}/ready`);
    assert.equal(ready.status, 200, ready.text);
    conforms(`${path}/ready`, 'GET', ready);
    assert.equal((ready.body as { ready: boolean }).ready, true);
    if (path.startsWith('/v2/models/mlp')) {
      assert.deepEqual((r.body as { versions: string[] }).versions, ['1', '2']);
      assert.equal((ready.body as { version?: string }).version, version);
    }
  }
  const rec = (await get('/v2/models/treatments')).body as { inputs: { name: string; datatype: string }[] };
  assert.deepEqual(rec.inputs.map((i) => i.name), ['color', 'size', 'w', 'n']);
});

test('OIP infer: tensors (latest and each version), INT64 scalars, record models, id, parameters, named outputs', async () => {
  for (const path of ['/v2/models/mlp/infer', '/v2/models/mlp/versions/1/infer', '/v2/models/mlp/versions/2/infer']) {
    const r = await post(path, mlpRequest(mlpRows, { id: 'e2e-1', parameters: { note: 'x' } }));
    assert.equal(r.status, 200, r.text);
    conforms(path, 'POST', r);
    const body = r.body as { id: string; model_version: string; outputs: Tensor[] };
    assert.equal(body.id, 'e2e-1');
    assert.equal(body.model_version, path.includes('versions/1') ? '1' : '2');
    const logits = body.outputs.find((o) => o.name === 'logits');
    assert.deepEqual(logits?.shape, [mlpRows.length, 3]);
    assertClose(logits?.data ?? [], mlpRows.flatMap((x) => x.logits), `${path} logits`);
  }
  // Named outputs with their (non-binary) parameters; nested data.
  const named = await post('/v2/models/mlp/infer', {
    inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [mlpRows[1].features], parameters: { content_type: 'np' } }],
    outputs: [{ name: 'probabilities', parameters: { binary_data: false } }],
  });
  assert.equal(named.status, 200, named.text);
  conforms('/v2/models/mlp/infer', 'POST', named);
  const outs = (named.body as { outputs: Tensor[] }).outputs;
  assert.deepEqual(outs.map((o) => o.name), ['probabilities']);
  assertClose(outs[0].data, mlpRows[1].probabilities, 'named output');

  const flowIn = readJsonl(join(FLOW, 'inputs.jsonl'));
  const flowOut = readJsonl(join(FLOW, 'expected.jsonl'));
  const flow = await post('/v2/models/flow/infer', {
    inputs: [
      { name: 'x', shape: [3], datatype: 'FP32', data: flowIn[0].x.data },
      // INT64 elements as JSON strings (exact beyond 2^53) are accepted too.
      { name: 'repeats', shape: [], datatype: 'INT64', data: flowIn[0].repeats.data.map(String) },
    ],
  });
  assert.equal(flow.status, 200, flow.text);
  conforms('/v2/models/flow/infer', 'POST', flow);
  for (const o of (flow.body as { outputs: Tensor[] }).outputs) assertClose(o.data, flowOut[0][o.name].data, `flow ${o.name}`);

  // A record (PMML) model: one tensor per field, element i of each is record i (null: missing).
  const rec = await post('/v2/models/treatments/infer', {
    inputs: [
      { name: 'color', shape: [3], datatype: 'BYTES', data: ['red', 'purple', null] },
      { name: 'size', shape: [3], datatype: 'FP64', data: [10, 10, 10] },
      { name: 'w', shape: [3], datatype: 'FP64', data: [0.5, 0.5, 0.5] },
      { name: 'n', shape: [3], datatype: 'INT64', data: [1, 1, 1] },
    ],
  });
  assert.equal(rec.status, 200, rec.text);
  conforms('/v2/models/treatments/infer', 'POST', rec);
  const yHat = (rec.body as { outputs: Tensor[] }).outputs.find((o) => o.name === 'y_hat');
  assert.deepEqual(yHat?.data, [1070, 1080, 1080]); // fixtures/pmml/core-invalid-treatments/expected.csv, rows 1-3
});

test('SageMaker and MLflow on /invocations: instances, CSV (and CSV answers), dataframe_split, dataframe_records, inputs', async () => {
  assert.equal((await get('/ping')).status, 200);
  checkPredictions(((await post('/invocations', { instances: mlpRows.map((x) => x.features) })).body as { predictions: unknown }).predictions, mlpRows);
  const csv = mlpRows.map((x) => x.features.join(',')).join('\n') + '\n';
  const fromCsv = await request(`${server.url}/invocations`, { body: csv, headers: { 'content-type': 'text/csv' } });
  assert.equal(fromCsv.status, 200, fromCsv.text);
  checkPredictions((fromCsv.body as { predictions: unknown }).predictions, mlpRows);
  const asCsv = await request(`${server.url}/invocations`, { body: csv, headers: { 'content-type': 'text/csv', accept: 'text/csv' } });
  assert.match(asCsv.contentType, /^text\/csv/);
  assert.equal(asCsv.text.trim().split('\n').length, mlpRows.length);
  const columns = ['f0', 'f1', 'f2', 'f3'];
  const split = await post('/invocations', { dataframe_split: { columns, data: mlpRows.map((x) => x.features) } });
  checkPredictions((split.body as { predictions: unknown }).predictions, mlpRows);
  const records = await post('/invocations', { dataframe_records: mlpRows.map((x) => Object.fromEntries(columns.map((c, j) => [c, x.features[j]]))) });
  checkPredictions((records.body as { predictions: unknown }).predictions, mlpRows);
  const cols = await post('/invocations', { inputs: { features: mlpRows.slice(0, 2).map((x) => x.features) } });
  assert.equal(cols.status, 200, cols.text);
  (cols.body as { predictions: { logits: number[][] } }).predictions.logits.forEach((l, i) => assertClose(l, mlpRows[i].logits, `inputs row ${i}`));
});

test('POST .../batch: CSV and JSON Lines streamed in and out, joined, a bad row isolated', async () => {
  const csv = `f0,f1,f2,f3\n${mlpRows.map((x) => x.features.join(',')).join('\n')}\n1,2,oops,4\n`;
  const r = await request(`${server.url}/v2/models/mlp/versions/1/batch?join=true`, { body: csv, headers: { 'content-type': 'text/csv' } });
  assert.equal(r.status, 200, r.text);
  const lines = r.text.trimEnd().split('\n');
  assert.equal(lines[0], 'f0,f1,f2,f3,logits[0],logits[1],logits[2],probabilities[0],probabilities[1],probabilities[2],error');
  assert.equal(lines.length, 1 + mlpRows.length + 1);
  mlpRows.forEach((row, i) => {
    const cells = lines[i + 1].split(',');
    assertClose(cells.slice(4, 7).map(Number), row.logits, `batch row ${i}`);
    assert.equal(cells[10], '');
  });
  assert.match(lines[lines.length - 1], /MLS_ERR|oops/);
  const jsonl = mlpRows.map((x, i) => JSON.stringify({ id: i, features: { type: 'float32', dims: [1, 4], data: x.features } })).join('\n') + '\n';
  const j = await fetch(`${server.url}/v2/models/mlp/batch`, { method: 'POST', body: jsonl, headers: { 'content-type': 'application/x-ndjson' } });
  const text = await j.text();
  assert.equal(j.status, 200, text);
  assert.match(j.headers.get('content-type') ?? '', /^application\/x-ndjson/);
  const out = text.trim().split('\n').map((l) => JSON.parse(l) as { logits: { data: number[] } });
  out.forEach((o, i) => assertClose(o.logits.data, mlpRows[i].logits, `jsonl row ${i}`));
});

test('batch jobs: create (202 + Location), poll to done, list, cancel with DELETE, unknown job 404', async () => {
  const job = await submitJob(server, { input: 'rows.csv', output: 'out/rows.csv', join: true });
  assert.match(job.url, /^\/v2\/models\/mlp\/jobs\/[0-9a-f-]{36}$/);
  const done = await pollJob(server, job.url, (j) => FINISHED.has(j.state));
  assert.equal(done.state, 'succeeded', JSON.stringify(done));
  assert.equal(done.rowsWritten, 3000);
  assert.equal(done.progress, 1);
  // The job's file is what the batch route answers for the same rows.
  const viaRoute = await request(`${server.url}/v2/models/mlp/batch?join=true`, { body: readFileSync(join(data, 'rows.csv')), headers: { 'content-type': 'text/csv' } });
  assert.equal(readFileSync(join(data, 'out/rows.csv'), 'utf8'), viaRoute.text);
  const list = await get('/v2/models/mlp/jobs');
  assert.ok((list.body as { jobs: JobView[] }).jobs.some((j) => j.id === job.id));
  // The versioned URL of the same resource.
  assert.equal((await get(`/v2/models/mlp/versions/2/jobs/${job.id}`)).status, 200);

  // DELETE cancels a running job: a big file, cancelled as soon as it runs.
  writeFileSync(join(data, 'cancel.csv'), featuresCsv(featureRows(BIG_ROWS)));
  const long = await submitJob(server, { input: 'cancel.csv', output: 'out/cancel.csv' });
  await pollJob(server, long.url, (j) => j.state === 'running' || FINISHED.has(j.state));
  const cancelled = await del(long.url);
  assert.equal(cancelled.status, 200, cancelled.text);
  assert.equal((cancelled.body as JobView).state, 'cancelled');
  assert.ok((cancelled.body as JobView).rowsWritten < BIG_ROWS);
  assert.equal(((await get(long.url)).body as JobView).state, 'cancelled');
  const missing = await get('/v2/models/mlp/jobs/00000000-0000-0000-0000-000000000000');
  assert.equal(missing.status, 404);
  assert.equal((missing.body as { code: string }).code, 'MLS_ERR_JOB_NOT_FOUND');
});

test('discovery: GET /, OpenAPI documents, module downloads scored locally, /docs, with ETags', async () => {
  const index = await get('/');
  assert.equal(index.status, 200);
  const links = (index.body as { links: Record<string, string> }).links;
  for (const [k, v] of Object.entries({ live: '/v2/health/live', server_metadata: '/v2', invocations: '/invocations', openapi: '/openapi.json', docs: '/docs', metrics: '/metrics' })) {
    assert.equal(links[k], v, `links.${k}`);
  }
  const doc = await get('/openapi.json');
  assert.equal(doc.status, 200);
  const paths = Object.keys((doc.body as { paths: Record<string, unknown> }).paths);
  for (const p of ['/v2/models/mlp/versions/1/infer', '/v2/models/treatments/infer', '/invocations']) assert.ok(paths.includes(p), `${p} not in /openapi.json`);
  assert.equal(JSON.stringify(doc.body), JSON.stringify(JSON.parse(readFileSync(join(dir, 'openapi.json'), 'utf8'))));
  const one = await get('/v2/models/flow/openapi.json');
  assert.equal(one.status, 200);

  const mod = await request(`${server.url}/v2/models/mlp/versions/1/module.mjs`);
  assert.equal(mod.status, 200);
  assert.match(mod.contentType, /javascript/);
  const etag = (await fetch(`${server.url}/v2/models/mlp/versions/1/module.mjs`)).headers.get('etag');
  assert.ok(etag !== null);
  assert.equal((await fetch(`${server.url}/v2/models/mlp/versions/1/module.mjs`, { headers: { 'if-none-match': etag } })).status, 304);
  const local = join(tempDir('mlc-e2e-module-'), 'model.mjs');
  writeFileSync(local, mod.text);
  const m = (await import(pathToFileURL(local).href)) as { run(f: unknown): Record<string, { data: Float32Array }> };
  const mine = m.run({ features: { type: 'float32', dims: [1, 4], data: Float32Array.from(mlpRows[2].features) } });
  const theirs = (await post('/v2/models/mlp/versions/1/infer', mlpRequest([mlpRows[2]]))).body as { outputs: Tensor[] };
  assert.deepEqual(Array.from(mine.logits.data), theirs.outputs.find((o) => o.name === 'logits')?.data);
  for (const f of ['module.cjs', 'model.d.ts']) assert.equal((await get(`/v2/models/mlp/versions/2/${f}`)).status, 200, f);

  const docs = await get('/docs');
  assert.equal(docs.status, 200);
  assert.match(docs.contentType, /text\/html/);
  assert.match(docs.text, /\/v2\/models\/treatments\/openapi\.json/);
  assert.equal((await get('/docs/swagger-ui-bundle.js')).status, 200);
});

const SIX_MB = 6 * 1024 * 1024;

/** Sends raw bytes on a fresh connection; resolves with everything the server wrote before closing (bounded in time). */
function rawExchange(bytes: string, timeoutMs: number): Promise<string> {
  return new Promise((res, rej) => {
    const socket = connect(server.port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      socket.destroy();
      rej(new Error(`no answer within ${timeoutMs} ms (got ${JSON.stringify(got)})`));
    }, timeoutMs);
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => { got += d; });
    socket.on('error', () => undefined); // the server closes after answering; a reset then is expected
    socket.on('close', () => {
      clearTimeout(timer);
      res(got);
    });
    socket.write(bytes);
  });
}

/** A raw HTTP answer as a JsonResponse. */
function parseRaw(raw: string): JsonResponse {
  const m = /^HTTP\/1\.1 (\d{3})[^\r]*\r\n([\s\S]*?)\r\n\r\n([\s\S]*)$/.exec(raw);
  assert.ok(m !== null, `not an HTTP answer: ${JSON.stringify(raw)}`);
  const contentType = /^content-type: *(.*)$/im.exec(m[2])?.[1].trim() ?? '';
  return { status: Number(m[1]), contentType, text: m[3], body: contentType.includes('json') ? JSON.parse(m[3]) as unknown : undefined };
}

const INFER = '/v2/models/mlp/infer';
const raw = (path: string, body: string, type = 'application/json'): Promise<JsonResponse> => request(server.url + path, { body, headers: { 'content-type': type } });
const tensor = (over: Record<string, unknown>) => ({ inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4], ...over }] });

const BAD: readonly { readonly name: string; readonly send: () => Promise<JsonResponse>; readonly status: number; readonly code: string; readonly oip?: string }[] = [
  { name: 'malformed JSON', send: () => raw(INFER, '{"inputs": ['), status: 400, code: 'MLS_ERR_BAD_JSON', oip: INFER },
  { name: 'empty body', send: () => raw(INFER, ''), status: 400, code: 'MLS_ERR_BAD_JSON', oip: INFER },
  { name: 'a JSON array, not an object', send: () => raw(INFER, '[1,2]'), status: 400, code: 'MLS_ERR_BAD_REQUEST', oip: INFER },
  { name: 'no inputs', send: () => post(INFER, { id: 'x' }), status: 400, code: 'MLS_ERR_BAD_REQUEST', oip: INFER },
  { name: 'wrong datatype', send: () => post(INFER, tensor({ datatype: 'INT32' })), status: 400, code: 'MLS_ERR_BAD_TENSOR_DATATYPE', oip: INFER },
  { name: 'not a datatype', send: () => post(INFER, tensor({ datatype: 'FLOAT' })), status: 400, code: 'MLS_ERR_BAD_TENSOR_DATATYPE', oip: INFER },
  { name: 'wrong shape', send: () => post(INFER, tensor({ shape: [1, 5], data: [1, 2, 3, 4, 5] })), status: 400, code: 'MLS_ERR_BAD_TENSOR_SHAPE', oip: INFER },
  { name: 'wrong rank', send: () => post(INFER, tensor({ shape: [4] })), status: 400, code: 'MLS_ERR_BAD_TENSOR_SHAPE', oip: INFER },
  { name: 'negative dim', send: () => post(INFER, tensor({ shape: [-1, 4] })), status: 400, code: 'MLS_ERR_BAD_REQUEST', oip: INFER },
  { name: 'data short of the shape', send: () => post(INFER, tensor({ shape: [2, 4] })), status: 400, code: 'MLS_ERR_BAD_TENSOR_DATA', oip: INFER },
  { name: 'a word in FP32 data', send: () => post(INFER, tensor({ data: [1, 2, 'three', 4] })), status: 400, code: 'MLS_ERR_BAD_TENSOR_DATA', oip: INFER },
  { name: 'a bare NaN token (not JSON)', send: () => raw(INFER, '{"inputs":[{"name":"features","shape":[1,4],"datatype":"FP32","data":[NaN,2,3,4]}]}'), status: 400, code: 'MLS_ERR_BAD_JSON', oip: INFER },
  {
    name: '"NaN" in INT64 data',
    send: () => post('/v2/models/flow/infer', { inputs: [{ name: 'x', shape: [3], datatype: 'FP32', data: [1, 2, 3] }, { name: 'repeats', shape: [], datatype: 'INT64', data: ['NaN'] }] }),
    status: 400, code: 'MLS_ERR_BAD_TENSOR_DATA', oip: '/v2/models/flow/infer',
  },
  {
    name: 'a fraction in INT64 data',
    send: () => post('/v2/models/flow/infer', { inputs: [{ name: 'x', shape: [3], datatype: 'FP32', data: [1, 2, 3] }, { name: 'repeats', shape: [], datatype: 'INT64', data: [1.5] }] }),
    status: 400, code: 'MLS_ERR_BAD_TENSOR_DATA', oip: '/v2/models/flow/infer',
  },
  { name: 'missing input', send: () => post('/v2/models/flow/infer', { inputs: [{ name: 'x', shape: [3], datatype: 'FP32', data: [1, 2, 3] }] }), status: 400, code: 'MLS_ERR_BAD_INPUT_NAME', oip: '/v2/models/flow/infer' },
  { name: 'unknown input', send: () => post(INFER, tensor({ name: 'nope' })), status: 400, code: 'MLS_ERR_BAD_INPUT_NAME', oip: INFER },
  { name: 'input given twice', send: () => post(INFER, { inputs: [tensor({}).inputs[0], tensor({}).inputs[0]] }), status: 400, code: 'MLS_ERR_BAD_INPUT_NAME', oip: INFER },
  { name: 'unknown output', send: () => post(INFER, { ...tensor({}), outputs: [{ name: 'nope' }] }), status: 400, code: 'MLS_ERR_BAD_OUTPUT_NAME', oip: INFER },
  { name: 'binary data asked for', send: () => post(INFER, { ...tensor({}), outputs: [{ name: 'logits', parameters: { binary_data: true } }] }), status: 400, code: 'MLS_ERR_UNSUPPORTED', oip: INFER },
  { name: 'unknown model', send: () => post('/v2/models/nope/infer', tensor({})), status: 404, code: 'MLS_ERR_MODEL_NOT_FOUND', oip: '/v2/models/nope/infer' },
  { name: 'unknown version', send: () => post('/v2/models/mlp/versions/9/infer', tensor({})), status: 404, code: 'MLS_ERR_MODEL_NOT_FOUND', oip: '/v2/models/mlp/versions/9/infer' },
  { name: 'metadata of an unknown version', send: () => get('/v2/models/mlp/versions/9'), status: 404, code: 'MLS_ERR_MODEL_NOT_FOUND', oip: '/v2/models/mlp/versions/9' },
  { name: 'readiness of an unknown model', send: () => get('/v2/models/nope/ready'), status: 404, code: 'MLS_ERR_MODEL_NOT_FOUND', oip: '/v2/models/nope/ready' },
  { name: 'XML body', send: () => raw(INFER, '<x/>', 'application/xml'), status: 415, code: 'MLS_ERR_UNSUPPORTED_MEDIA_TYPE', oip: INFER },
  { name: 'body over the 5 MB limit', send: () => raw(INFER, `{"inputs": [], "pad": "${'x'.repeat(SIX_MB)}"}`), status: 413, code: 'MLS_ERR_BODY_TOO_LARGE', oip: INFER },
  { name: 'unknown route', send: () => get('/v3/nothing'), status: 404, code: 'MLS_ERR_NOT_FOUND' },
  { name: '/invocations: no known body form', send: () => post('/invocations', { rows: [] }), status: 400, code: 'MLS_ERR_BAD_INVOCATION' },
  { name: '/invocations: an instance of the wrong length', send: () => post('/invocations', { instances: [[1, 2, 3]] }), status: 400, code: 'MLS_ERR_BAD_TENSOR_SHAPE' },
  { name: '/invocations: NaN as a bare token', send: () => raw('/invocations', '{"instances": [[NaN, 1, 2, 3]]}'), status: 400, code: 'MLS_ERR_BAD_JSON' },
  { name: 'batch: all-or-nothing with a bad row', send: () => raw('/v2/models/mlp/batch?mode=all-or-nothing', 'f0,f1,f2,f3\n1,2,3,4\n1,x,3,4\n', 'text/csv'), status: 400, code: 'MLS_ERR_BAD_TENSOR_DATA' },
  { name: 'job: input outside the data directory (..)', send: () => post('/v2/models/mlp/jobs', { input: '../server.mjs', output: 'out/x.csv' }), status: 400, code: 'MLS_ERR_BAD_PATH' },
  { name: 'job: an absolute input path', send: () => post('/v2/models/mlp/jobs', { input: '/etc/passwd', output: 'out/x.csv' }), status: 400, code: 'MLS_ERR_BAD_PATH' },
  { name: 'job: an unknown field', send: () => post('/v2/models/mlp/jobs', { input: 'rows.csv', output: 'out/x.csv', shell: 'rm -rf /' }), status: 400, code: 'MLS_ERR_BAD_REQUEST' },
  {
    name: 'a stalled client: headers, then nothing',
    send: async () => parseRaw(await rawExchange(`POST ${INFER} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"inp`, (REQUEST_TIMEOUT_S + 10) * 1000)),
    status: 408, code: 'MLS_ERR_REQUEST_TIMEOUT',
  },
  { name: 'bytes that are not HTTP', send: async () => parseRaw(await rawExchange('HELLO THERE\r\n\r\n', 10_000)), status: 400, code: 'MLS_ERR_BAD_HTTP' },
];

test('a barrage of bad requests: each the right 4xx JSON with a code, never a 5xx or a stack trace; then a good request works', { timeout: 90_000 }, async () => {
  for (const c of BAD) {
    const r = await c.send();
    assert.equal(r.status, c.status, `${c.name}: ${r.text.slice(0, 300)}`);
    assert.match(r.contentType, /application\/json/, c.name);
    const body = r.body as { error: unknown; code: unknown };
    assert.equal(typeof body.error, 'string', c.name);
    assert.ok((body.error as string).length > 0, c.name);
    assert.equal(body.code, c.code, `${c.name}: ${body.error as string}`);
    assert.doesNotMatch(r.text, /\n\s+at |node:internal|\.mjs:\d+/, `${c.name}: a stack trace in the answer`);
    if (c.oip !== undefined) conforms(c.oip, c.oip.endsWith('/infer') ? 'POST' : 'GET', r);
  }
  const ok = await post(INFER, mlpRequest([mlpRows[0]]));
  assert.equal(ok.status, 200, ok.text);
  assertClose((ok.body as { outputs: Tensor[] }).outputs[0].data, mlpRows[0].logits, 'after the barrage');
  // Nothing answered 5xx, and the server says so in its metrics.
  const metrics = (await get('/metrics')).text;
  assert.doesNotMatch(metrics, /^mlcompile_http_requests_total\{[^}]*status="5\d\d"/m);
  assert.match(metrics, /^mlcompile_errors_total\{kind="MLS_ERR_BAD_TENSOR_SHAPE",status="400"/m);
});

test('GET /metrics: Prometheus text by route, model and version', async () => {
  const r = await get('/metrics');
  assert.equal(r.status, 200);
  assert.match(r.contentType, /text\/plain/);
  assert.match(r.text, /^mlcompile_http_requests_total\{route="\/v2\/models\/:model_name\/versions\/:model_version\/infer",method="POST",status="200",model="mlp",version="1"\} \d+$/m);
  assert.match(r.text, /^mlcompile_inference_duration_seconds_count\{model="treatments",version="1"\} \d+$/m);
  assert.match(r.text, /^mlcompile_instances_per_request_bucket\{le="\+Inf",model="mlp",version="2"\} \d+$/m);
  assert.match(r.text, /^mlcompile_batch_rows_scored_total\{model="mlp",version="2",source="job"\} \d+$/m);
  assert.match(r.text, /^mlcompile_model_info\{model="flow",version="1",format="onnx",sha256="[0-9a-f]{64}"\} 1$/m);
});

test('SIGTERM: the server drains and exits 0; its log is JSON lines with request ids and no 5xx', async () => {
  const code = await server.stop();
  assert.equal(code, 0, server.output().slice(-2000));
  const lines = server.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { reqId?: string; status?: number; msg: string });
  const access = lines.filter((l) => l.msg === 'request completed');
  assert.ok(access.length > 50, `${access.length} access lines`);
  assert.ok(access.every((l) => typeof l.reqId === 'string' && l.reqId !== ''));
  assert.deepEqual(access.filter((l) => (l.status ?? 0) >= 500), []);
});

/**
 * Starts a server and a job over `rows` rows and kills the server (SIGKILL) once the
 * job's first checkpoint (written every second) is down and it is still running.
 * False when the job finished first (the machine is faster than the file is long).
 */
async function killMidJob(rows: number, checkpoint: string): Promise<boolean> {
  writeFileSync(join(data, 'big.csv'), featuresCsv(featureRows(rows)));
  const s = await startServer(dir, serverEnv());
  try {
    const job = await submitJob(s, { input: 'big.csv', output: 'out/killed.csv', join: true });
    const seen = await pollJob(s, job.url, (j) => FINISHED.has(j.state) || (j.state === 'running' && existsSync(checkpoint)));
    if (seen.state !== 'running') return false;
    s.proc.kill('SIGKILL');
    return true;
  } finally {
    if (s.proc.exitCode === null && s.proc.signalCode === null) s.proc.kill('SIGKILL');
    await s.stop();
  }
}

test('a batch job whose server is killed (SIGKILL) mid-file resumes on a new server: no row lost or repeated', { timeout: 110_000 }, async () => {
  const checkpoint = join(data, 'out/killed.csv.checkpoint.json');
  let rows = 20_000;
  while (!(await killMidJob(rows, checkpoint))) {
    assert.ok(rows < 2_000_000, 'every job finished within a second: no kill mid-file');
    rows *= 4;
  }
  assert.ok(existsSync(checkpoint), 'no checkpoint after the kill');

  const second = await startServer(dir, serverEnv());
  try {
    const resumed = await pollJob(second, (await submitJob(second, { input: 'big.csv', output: 'out/killed.csv', join: true, resume: true })).url, (j) => FINISHED.has(j.state), 90_000);
    assert.equal(resumed.state, 'succeeded', JSON.stringify(resumed));
    assert.ok((resumed.resumedFromRow ?? 0) > 0, `resumedFromRow ${resumed.resumedFromRow}`);
    assert.ok((resumed.resumedFromRow ?? 0) < rows);
    assert.equal(resumed.rowsWritten, rows);
    const reference = await pollJob(second, (await submitJob(second, { input: 'big.csv', output: 'out/reference.csv', join: true })).url, (j) => FINISHED.has(j.state), 90_000);
    assert.equal(reference.state, 'succeeded');
    const a = readFileSync(join(data, 'out/killed.csv'));
    const b = readFileSync(join(data, 'out/reference.csv'));
    assert.equal(a.length, b.length, 'the resumed output differs in size from an uninterrupted run');
    assert.ok(a.equals(b), 'the resumed output differs from an uninterrupted run');
    assert.equal(existsSync(checkpoint), false);
  } finally {
    assert.equal(await second.stop(), 0);
  }
});
