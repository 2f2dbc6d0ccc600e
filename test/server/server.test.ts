// The generated server as users run it: compiled with compileServerToDir, copied
// into an empty directory, started with `node server.mjs` (nothing installed), and
// called over HTTP on every route. Responses of the Open Inference Protocol routes
// are checked against the protocol's own OpenAPI description.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { healthcheckScript } from '../../generators/deploy/dockerfile.js';
import { compileServerToDir } from '../../src/server-api.js';
import { OpenApi } from './support/openapi.js';
import {
  assertClose, copyToEmptyDir, hasNodeModulesAbove, postJson, readJsonl, removeTempDirs, request, startServer, tempDir, type JsonResponse, type RunningServer,
} from './support/server-process.js';

const FIXTURES = fileURLToPath(new URL('../../fixtures/onnx/', import.meta.url));
const MLP = join(FIXTURES, 'mlp');
const FLOW = join(FIXTURES, 'control-flow');
const SPEC = fileURLToPath(new URL('../../../shared/specs/open-inference-protocol/open_inference_rest.yaml', import.meta.url));

const mlpInputs = readJsonl(join(MLP, 'inputs.jsonl'));
const mlpExpected = readJsonl(join(MLP, 'expected.jsonl'));
/** Every row of every mlp fixture line, with the expected outputs of that row. */
const mlpRows = mlpInputs.flatMap((line, k) => {
  const f = line.features;
  const n = f.dims[0];
  return Array.from({ length: n }, (_, i) => ({
    features: f.data.slice(i * 4, i * 4 + 4),
    logits: mlpExpected[k].logits.data.slice(i * 3, i * 3 + 3),
    probabilities: mlpExpected[k].probabilities.data.slice(i * 3, i * 3 + 3),
  }));
});

let server: RunningServer;
let oip: OpenApi;

before(async () => {
  oip = new OpenApi(SPEC);
  const out = join(tempDir('mlc-server-compile-'), 'out');
  await compileServerToDir(join(MLP, 'model.onnx'), out, { modelVersion: '1' });
  await compileServerToDir(join(MLP, 'model.onnx'), out, { modelVersion: '2' });
  await compileServerToDir(join(FLOW, 'model.onnx'), out, { name: 'flow' });
  server = await startServer(copyToEmptyDir(out), { MLCOMPILE_DEFAULT_MODEL: 'mlp' });
});

after(async () => {
  if (server !== undefined && server.proc.exitCode === null) await server.stop();
  removeTempDirs();
});

const get = (path: string): Promise<JsonResponse> => request(server.url + path);
const post = (path: string, body: unknown): Promise<JsonResponse> => postJson(server.url + path, body);

/** Checks a response against the OIP OpenAPI document's schema for its path, method and status. */
function conforms(path: string, method: string, r: JsonResponse, versionedTemplate?: string): void {
  const template = oip.pathFor(path) ?? versionedTemplate;
  assert.ok(template !== undefined, `no OIP path matches ${path}`);
  const schema = oip.responseSchema(template, method, r.status) ?? (r.status >= 400 ? oip.component('inference_error_response') : undefined);
  if (schema === undefined) return;
  assert.deepEqual(oip.validate(r.body, schema), [], `${method} ${path} (${r.status}) does not conform: ${r.text}`);
}

const VERSIONED_INFER = '/v2/models/${MODEL_NAME}/versions/${MODEL_VERSION}/infer';
const VERSIONED_MODEL = '/v2/models/${MODEL_NAME}/versions/${MODEL_VERSION}';

function inferRequest(features: number[], rows: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { inputs: [{ name: 'features', shape: [rows, 4], datatype: 'FP32', data: features }], ...extra };
}

test('the server runs from a copy in an empty directory, with no node_modules', () => {
  assert.equal(hasNodeModulesAbove(server.dir), false, `${server.dir} has a node_modules above it`);
  const files = readdirSync(server.dir).sort();
  assert.ok(files.includes('server.mjs') && files.includes('models'), files.join(' '));
  assert.ok(!files.includes('node_modules'));
});

test('health: live, ready, ping', async () => {
  const live = await get('/v2/health/live');
  assert.equal(live.status, 200);
  assert.deepEqual(live.body, { live: true });
  const ready = await get('/v2/health/ready');
  assert.equal(ready.status, 200);
  assert.equal((ready.body as { ready: boolean }).ready, true);
  const ping = await get('/ping');
  assert.equal(ping.status, 200);
});

test('GET /v2 and /v2/: server metadata conforming to the protocol', async () => {
  for (const path of ['/v2', '/v2/']) {
    const r = await get(path);
    assert.equal(r.status, 200);
    assert.match(r.contentType, /application\/json/);
    conforms(path, 'GET', r);
    const body = r.body as { name: string; version: string; extensions: string[] };
    assert.equal(body.name, 'mlcompile');
    assert.equal(body.version, '0.1.0');
  }
});

test('model metadata: datatypes, shapes with -1, versions, platform', async () => {
  const expected = {
    name: 'mlp',
    versions: ['1', '2'],
    platform: 'onnx_onnxv1',
    inputs: [{ name: 'features', datatype: 'FP32', shape: [-1, 4] }],
    outputs: [{ name: 'logits', datatype: 'FP32', shape: [-1, 3] }, { name: 'probabilities', datatype: 'FP32', shape: [-1, 3] }],
  };
  for (const path of ['/v2/models/mlp', '/v2/models/mlp/versions/1', '/v2/models/mlp/versions/2']) {
    const r = await get(path);
    assert.equal(r.status, 200, r.text);
    conforms(path, 'GET', r, VERSIONED_MODEL);
    assert.deepEqual(r.body, expected);
  }
  const flow = await get('/v2/models/flow');
  assert.deepEqual((flow.body as { inputs: unknown }).inputs, [
    { name: 'x', datatype: 'FP32', shape: [3] },
    { name: 'repeats', datatype: 'INT64', shape: [] },
  ]);
});

test('model ready, with and without a version', async () => {
  for (const path of ['/v2/models/mlp/ready', '/v2/models/mlp/versions/1/ready', '/v2/models/flow/ready']) {
    const r = await get(path);
    assert.equal(r.status, 200, r.text);
    assert.equal((r.body as { ready: boolean }).ready, true);
  }
  const missing = await get('/v2/models/mlp/versions/9/ready');
  assert.equal(missing.status, 404);
  assert.equal(typeof (missing.body as { error: string }).error, 'string');
});

test('infer: every fixture line gives the expected outputs (latest version)', async () => {
  for (let k = 0; k < mlpInputs.length; k++) {
    const f = mlpInputs[k].features;
    const r = await post('/v2/models/mlp/infer', inferRequest(f.data, f.dims[0]));
    assert.equal(r.status, 200, r.text);
    conforms('/v2/models/mlp/infer', 'POST', r, VERSIONED_INFER);
    const body = r.body as { model_name: string; model_version: string; outputs: { name: string; datatype: string; shape: number[]; data: number[] }[] };
    assert.equal(body.model_name, 'mlp');
    assert.equal(body.model_version, '2');
    assert.deepEqual(body.outputs.map((o) => o.name), ['logits', 'probabilities']);
    for (const o of body.outputs) {
      const e = mlpExpected[k][o.name];
      assert.equal(o.datatype, 'FP32');
      assert.deepEqual(o.shape, e.dims);
      assertClose(o.data, e.data, `line ${k} ${o.name}`);
    }
  }
});

test('infer: nested data, id echoed, requested outputs, parameters, explicit version', async () => {
  const row = mlpRows[0];
  const r = await post('/v2/models/mlp/versions/1/infer', {
    id: 'request-7',
    parameters: { trace: true, note: 'x', n: 1 },
    inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [row.features], parameters: { a: 1 } }],
    outputs: [{ name: 'probabilities' }],
  });
  assert.equal(r.status, 200, r.text);
  conforms('/v2/models/mlp/versions/1/infer', 'POST', r);
  const body = r.body as { id: string; model_version: string; outputs: { name: string; data: number[] }[] };
  assert.equal(body.id, 'request-7');
  assert.equal(body.model_version, '1');
  assert.deepEqual(body.outputs.map((o) => o.name), ['probabilities']);
  assertClose(body.outputs[0].data, row.probabilities, 'probabilities');
});

test('infer: a model with an INT64 scalar input and no batch dim', async () => {
  const inputs = readJsonl(join(FLOW, 'inputs.jsonl'));
  const expected = readJsonl(join(FLOW, 'expected.jsonl'));
  for (let k = 0; k < inputs.length; k++) {
    const r = await post('/v2/models/flow/infer', {
      inputs: [
        { name: 'x', shape: [3], datatype: 'FP32', data: inputs[k].x.data },
        { name: 'repeats', shape: [], datatype: 'INT64', data: inputs[k].repeats.data },
      ],
    });
    assert.equal(r.status, 200, r.text);
    conforms('/v2/models/flow/infer', 'POST', r, VERSIONED_INFER);
    const outs = (r.body as { outputs: { name: string; data: number[] }[] }).outputs;
    for (const o of outs) assertClose(o.data, expected[k][o.name].data, `flow line ${k} ${o.name}`);
  }
});

function checkPredictions(predictions: unknown, rows: typeof mlpRows): void {
  assert.ok(Array.isArray(predictions), JSON.stringify(predictions));
  assert.equal(predictions.length, rows.length);
  predictions.forEach((p: { logits: number[]; probabilities: number[] }, i) => {
    assertClose(p.logits, rows[i].logits, `prediction ${i} logits`);
    assertClose(p.probabilities, rows[i].probabilities, `prediction ${i} probabilities`);
  });
}

test('SageMaker: {"instances": [...]} gives {"predictions": [...]}', async () => {
  const r = await post('/invocations', { instances: mlpRows.map((x) => x.features) });
  assert.equal(r.status, 200, r.text);
  checkPredictions((r.body as { predictions: unknown }).predictions, mlpRows);
  const named = await post('/invocations', { instances: mlpRows.map((x) => ({ features: x.features })) });
  checkPredictions((named.body as { predictions: unknown }).predictions, mlpRows);
});

test('SageMaker: text/csv rows, and CSV answers for Accept: text/csv', async () => {
  const csv = mlpRows.map((x) => x.features.join(',')).join('\n') + '\n';
  const r = await request(`${server.url}/invocations`, { body: csv, headers: { 'content-type': 'text/csv' } });
  assert.equal(r.status, 200, r.text);
  checkPredictions((r.body as { predictions: unknown }).predictions, mlpRows);
  const withHeader = await request(`${server.url}/invocations`, { body: `a,b,c,d\n${csv}`, headers: { 'content-type': 'text/csv' } });
  checkPredictions((withHeader.body as { predictions: unknown }).predictions, mlpRows);
  const asCsv = await request(`${server.url}/invocations`, { body: csv, headers: { 'content-type': 'text/csv', accept: 'text/csv' } });
  assert.equal(asCsv.status, 200);
  assert.match(asCsv.contentType, /text\/csv/);
  const lines = asCsv.text.trim().split('\n');
  assert.equal(lines.length, mlpRows.length);
  assertClose(lines[0].split(',').map(Number), [...mlpRows[0].logits, ...mlpRows[0].probabilities], 'csv line 0');
});

test('MLflow bodies: dataframe_split, dataframe_records, inputs, instances', async () => {
  const columns = ['f0', 'f1', 'f2', 'f3'];
  const split = await post('/invocations', { dataframe_split: { columns, data: mlpRows.map((x) => x.features) } });
  assert.equal(split.status, 200, split.text);
  checkPredictions((split.body as { predictions: unknown }).predictions, mlpRows);
  const records = mlpRows.map((x) => Object.fromEntries(columns.map((c, j) => [c, x.features[j]])));
  const recs = await post('/invocations', { dataframe_records: records });
  assert.equal(recs.status, 200, recs.text);
  checkPredictions((recs.body as { predictions: unknown }).predictions, mlpRows);
  const inst = await post('/invocations', { instances: mlpRows.slice(0, 2).map((x) => x.features) });
  checkPredictions((inst.body as { predictions: unknown }).predictions, mlpRows.slice(0, 2));
  // {"inputs": ...} is columnar: whole tensors in, whole outputs out.
  const cols = await post('/invocations', { inputs: { features: mlpRows.slice(0, 3).map((x) => x.features) } });
  assert.equal(cols.status, 200, cols.text);
  const p = (cols.body as { predictions: { logits: number[][]; probabilities: number[][] } }).predictions;
  assert.equal(p.logits.length, 3);
  p.logits.forEach((l, i) => assertClose(l, mlpRows[i].logits, `inputs row ${i}`));
});

const SIX_MB = 6 * 1024 * 1024;

const BAD: readonly { readonly name: string; readonly send: () => Promise<JsonResponse>; readonly status: number; readonly code: string }[] = [
  { name: 'malformed JSON', send: () => request(`${server.url}/v2/models/mlp/infer`, { body: '{"inputs": [', headers: { 'content-type': 'application/json' } }), status: 400, code: 'MLS_ERR_BAD_JSON' },
  { name: 'empty JSON body', send: () => request(`${server.url}/v2/models/mlp/infer`, { body: '', headers: { 'content-type': 'application/json' } }), status: 400, code: 'MLS_ERR_BAD_JSON' },
  { name: 'no inputs field', send: () => post('/v2/models/mlp/infer', { id: 'x' }), status: 400, code: 'MLS_ERR_BAD_REQUEST' },
  { name: 'shape of strings', send: () => post('/v2/models/mlp/infer', { inputs: [{ name: 'features', shape: ['1', '4'], datatype: 'FP32', data: [1, 2, 3, 4] }] }), status: 400, code: 'MLS_ERR_BAD_REQUEST' },
  { name: 'wrong datatype', send: () => post('/v2/models/mlp/infer', { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP64', data: [1, 2, 3, 4] }] }), status: 400, code: 'MLS_ERR_BAD_TENSOR_DATATYPE' },
  { name: 'unknown datatype', send: () => post('/v2/models/mlp/infer', { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FLOAT', data: [1, 2, 3, 4] }] }), status: 400, code: 'MLS_ERR_BAD_TENSOR_DATATYPE' },
  { name: 'wrong shape', send: () => post('/v2/models/mlp/infer', { inputs: [{ name: 'features', shape: [1, 5], datatype: 'FP32', data: [1, 2, 3, 4, 5] }] }), status: 400, code: 'MLS_ERR_BAD_TENSOR_SHAPE' },
  { name: 'wrong rank', send: () => post('/v2/models/mlp/infer', { inputs: [{ name: 'features', shape: [4], datatype: 'FP32', data: [1, 2, 3, 4] }] }), status: 400, code: 'MLS_ERR_BAD_TENSOR_SHAPE' },
  { name: 'data does not fill the shape', send: () => post('/v2/models/mlp/infer', { inputs: [{ name: 'features', shape: [2, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] }), status: 400, code: 'MLS_ERR_BAD_TENSOR_DATA' },
  { name: 'a string in FP32 data', send: () => post('/v2/models/mlp/infer', { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [1, 2, 'three', 4] }] }), status: 400, code: 'MLS_ERR_BAD_TENSOR_DATA' },
  { name: 'unknown input', send: () => post('/v2/models/mlp/infer', { inputs: [{ name: 'nope', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] }), status: 400, code: 'MLS_ERR_BAD_INPUT_NAME' },
  { name: 'missing input', send: () => post('/v2/models/mlp/infer', { inputs: [] }), status: 400, code: 'MLS_ERR_BAD_INPUT_NAME' },
  { name: 'unknown output', send: () => post('/v2/models/mlp/infer', inferRequest([1, 2, 3, 4], 1, { outputs: [{ name: 'nope' }] })), status: 400, code: 'MLS_ERR_BAD_OUTPUT_NAME' },
  { name: 'unknown model', send: () => post('/v2/models/nope/infer', inferRequest([1, 2, 3, 4], 1)), status: 404, code: 'MLS_ERR_MODEL_NOT_FOUND' },
  { name: 'unknown model metadata', send: () => get('/v2/models/nope'), status: 404, code: 'MLS_ERR_MODEL_NOT_FOUND' },
  { name: 'unknown version', send: () => post('/v2/models/mlp/versions/7/infer', inferRequest([1, 2, 3, 4], 1)), status: 404, code: 'MLS_ERR_MODEL_NOT_FOUND' },
  { name: 'unknown route', send: () => get('/v3/nothing'), status: 404, code: 'MLS_ERR_NOT_FOUND' },
  { name: 'unsupported content type', send: () => request(`${server.url}/v2/models/mlp/infer`, { body: '<x/>', headers: { 'content-type': 'application/xml' } }), status: 415, code: 'MLS_ERR_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'unrecognised /invocations body', send: () => post('/invocations', { rows: [] }), status: 400, code: 'MLS_ERR_BAD_INVOCATION' },
  { name: 'instance of the wrong length', send: () => post('/invocations', { instances: [[1, 2, 3]] }), status: 400, code: 'MLS_ERR_BAD_TENSOR_SHAPE' },
  { name: 'ragged instances', send: () => post('/invocations', { instances: [[1, 2, 3, 4], [1, 2]] }), status: 400, code: 'MLS_ERR_BAD_TENSOR_DATA' },
  {
    name: 'body over the 5 MB default limit',
    send: () => request(`${server.url}/v2/models/mlp/infer`, { body: `{"inputs": [], "pad": "${'x'.repeat(SIX_MB)}"}`, headers: { 'content-type': 'application/json' } }),
    status: 413,
    code: 'MLS_ERR_BODY_TOO_LARGE',
  },
];

for (const c of BAD) {
  test(`bad request: ${c.name} → ${c.status} JSON, and the server keeps serving`, async () => {
    const r = await c.send();
    assert.equal(r.status, c.status, r.text);
    assert.match(r.contentType, /application\/json/);
    const body = r.body as { error: string; code: string };
    assert.equal(typeof body.error, 'string');
    assert.ok(body.error.length > 0);
    assert.equal(body.code, c.code, body.error);
    assert.deepEqual(oip.validate(body, oip.component('inference_error_response')), []);
    const ready = await get('/v2/health/ready');
    assert.equal(ready.status, 200);
    const ok = await post('/v2/models/mlp/infer', inferRequest(mlpRows[0].features, 1));
    assert.equal(ok.status, 200, ok.text);
  });
}

test('GET /metrics: Prometheus text with per-model counts, latency histograms, errors by kind, process metrics', async () => {
  const r = await get('/metrics');
  assert.equal(r.status, 200);
  assert.match(r.contentType, /text\/plain/);
  const t = r.text;
  assert.match(t, /^mlcompile_http_requests_total\{route="\/v2\/models\/:model_name\/infer",method="POST",status="200",model="mlp",version="2"\} \d+$/m);
  assert.match(t, /^mlcompile_http_requests_total\{route="\/v2\/models\/:model_name\/versions\/:model_version\/infer",method="POST",status="200",model="mlp",version="1"\} 1$/m);
  assert.match(t, /^mlcompile_http_request_duration_seconds_bucket\{le="0\.001",route="\/invocations",model="mlp",version="2"\} \d+$/m);
  assert.match(t, /^mlcompile_inference_duration_seconds_count\{model="flow",version="1"\} 4$/m);
  assert.match(t, /^mlcompile_errors_total\{kind="MLS_ERR_BODY_TOO_LARGE",status="413",route="\/v2\/models\/:model_name\/infer",model="",version=""\} 1$/m);
  assert.match(t, /^mlcompile_errors_total\{kind="MLS_ERR_NOT_FOUND",status="404",route="unmatched",model="",version=""\} 1$/m);
  assert.match(t, /^mlcompile_model_info\{model="mlp",version="1",format="onnx",sha256="[0-9a-f]{64}"\} 1$/m);
  assert.match(t, /^process_cpu_user_seconds_total \d/m);
  assert.match(t, /^nodejs_eventloop_lag_seconds /m);
});

test('GET /openapi.json serves the compiled description', async () => {
  const r = await get('/openapi.json');
  assert.equal(r.status, 200);
  const doc = r.body as { openapi: string; paths: Record<string, unknown> };
  assert.equal(doc.openapi, '3.1.0');
  assert.ok('/v2/models/mlp/versions/1/infer' in doc.paths);
});

test("the Dockerfile's HEALTHCHECK command: 0 against the running server, 1 when nothing answers", () => {
  const run = (port: number) => spawnSync(process.execPath, ['-e', healthcheckScript()], { env: { PORT: String(port) }, timeout: 10_000 }).status;
  assert.equal(run(server.port), 0);
  assert.equal(run(1), 1);
});

test('SIGTERM: the server finishes and exits with code 0', async () => {
  const code = await server.stop();
  assert.equal(code, 0, server.output());
});
