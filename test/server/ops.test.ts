// Operations: request ids (X-Request-Id adopted when valid, else generated, echoed on
// every answer), the JSON access log (one line per request, never a body), LOG_LEVEL,
// and the Prometheus metrics by model and version (requests, latency, errors,
// instances per request), checked as exposition text. In-process (fastify.inject) with
// the mlp fixture compiled as the server serves it, plus the bundled server's stdout.

import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildApp, requestId } from '../../runtime/server/app.js';
import { ConfigError, readConfig } from '../../runtime/server/config.js';
import { ModelRepository, loadModels } from '../../runtime/server/models-repository.js';
import { compileServerToDir } from '../../src/server-api.js';
import { copyToEmptyDir, removeTempDirs, startServer, tempDir } from './support/server-process.js';

const MLP = fileURLToPath(new URL('../../fixtures/onnx/mlp/model.onnx', import.meta.url));
const MARKER = 'SECRET-BODY-MARKER-7f3a';
const GENERATED_ID = /^[0-9a-f]{16}-[0-9a-z]+$/;

let dir: string;
let repo: ModelRepository;

before(async () => {
  dir = join(tempDir('mlc-ops-'), 'srv');
  await compileServerToDir(MLP, dir, { name: 'mlp' });
  repo = new ModelRepository(undefined);
  await loadModels(repo, join(dir, 'models'));
});

after(() => removeTempDirs());

type Line = Record<string, unknown>;

async function appWithLog(level = 'info') {
  const lines: Line[] = [];
  const raw: string[] = [];
  const stream = { write: (s: string) => { raw.push(s); lines.push(JSON.parse(s) as Line); } };
  const { app } = buildApp({ repository: repo, state: { ready: true }, logger: { level, stream } });
  await app.ready();
  return { app, lines, raw };
}

type App = Awaited<ReturnType<typeof appWithLog>>['app'];

function infer(rows: number, name = 'features'): string {
  return JSON.stringify({ inputs: [{ name, shape: [rows, 4], datatype: 'FP32', data: new Array(rows * 4).fill(0.5) }] });
}

async function call(app: App, method: 'GET' | 'POST', url: string, body?: string, headers: Record<string, string> = {}) {
  const r = await app.inject({ method, url, payload: body, headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers } });
  return { status: r.statusCode, id: r.headers['x-request-id'], text: r.body };
}

test('X-Request-Id: a valid one is adopted and echoed; none or an invalid one gets a generated id', async () => {
  const { app } = await appWithLog();
  for (const id of ['abc-123', '0af7651916cd43dd8448eb211c80319c', 'trace:00-4bf92f35-01', 'dGVzdA==', 'a/b_c.d~e@f+g', 'x'.repeat(128)]) {
    assert.equal((await call(app, 'POST', '/v2/models/mlp/infer', infer(1), { 'x-request-id': id })).id, id);
  }
  const seen = new Set<unknown>();
  for (const bad of ['', 'has space', 'x'.repeat(129), 'quote"d', '<script>', 'tab\there', 'ünïcode']) {
    const r = await call(app, 'GET', '/v2/health/live', undefined, { 'x-request-id': bad });
    assert.match(String(r.id), GENERATED_ID, `for ${JSON.stringify(bad)}`);
    seen.add(r.id);
  }
  const none = await call(app, 'GET', '/v2/health/live');
  assert.match(String(none.id), GENERATED_ID);
  seen.add(none.id);
  assert.equal(seen.size, 8, 'generated ids are unique');
  // Errors carry it too: unknown route, unknown model, bad JSON, body over the limit.
  for (const [method, url, body, headers] of [
    ['GET', '/nope', undefined, {}],
    ['POST', '/v2/models/nope/infer', infer(1), {}],
    ['POST', '/v2/models/mlp/infer', '{"inputs": [', {}],
    ['POST', '/v2/models/mlp/infer', 'x'.repeat(100), { 'content-length': String(6 * 1024 * 1024) }],
  ] as const) {
    const r = await app.inject({ method, url, payload: body, headers: { 'content-type': 'application/json', 'x-request-id': 'err-1', ...headers } });
    assert.ok(r.statusCode >= 400, `${method} ${url}`);
    assert.equal(r.headers['x-request-id'], 'err-1', `${method} ${url} → ${r.statusCode}`);
  }
  await app.close();
  // The generator alone: distinct, and the client's value only when it is well formed.
  const fake = (h?: string) => ({ headers: h === undefined ? {} : { 'x-request-id': h } }) as never;
  assert.equal(requestId(fake('ok-1')), 'ok-1');
  assert.notEqual(requestId(fake()), requestId(fake()));
});

test('access log: one JSON line per request with its id, status, time, model, version and instances; no bodies, no error messages', async () => {
  const { app, lines, raw } = await appWithLog();
  const ok = await call(app, 'POST', '/v2/models/mlp/infer', infer(3), { 'x-request-id': 'req-ok' });
  assert.equal(ok.status, 200, ok.text);
  const line = lines.find((l) => l.reqId === 'req-ok');
  assert.ok(line !== undefined, JSON.stringify(lines));
  assert.equal(line.level, 30);
  assert.equal(line.msg, 'request completed');
  assert.equal(line.method, 'POST');
  assert.equal(line.url, '/v2/models/mlp/infer');
  assert.equal(line.status, 200);
  assert.equal(typeof line.ms, 'number');
  assert.equal(line.model, 'mlp');
  assert.equal(line.version, '1');
  assert.equal(line.instances, 3);
  assert.equal(lines.filter((l) => l.reqId === 'req-ok').length, 1, 'one line per request');

  // Bodies stay out of the log, even where the error message quotes them (an unknown
  // input name): the line has the error code.
  const bad = await call(app, 'POST', '/v2/models/mlp/infer', `{"inputs": ${MARKER}`, { 'x-request-id': 'req-badjson' });
  assert.equal(bad.status, 400);
  const badName = await call(app, 'POST', '/v2/models/mlp/infer', infer(1, MARKER), { 'x-request-id': 'req-badname' });
  assert.equal(badName.status, 400);
  assert.ok(badName.text.includes(MARKER), 'the client sees the message, which names the input');
  const instances = await call(app, 'POST', '/invocations', JSON.stringify({ instances: [[1, 2, 3, 4], [5, 6, 7, 8]], note: MARKER }), { 'x-request-id': 'req-inv' });
  assert.equal(instances.status, 200, instances.text);
  assert.ok(!raw.join('').includes(MARKER), 'a request body reached the log');
  assert.equal(lines.find((l) => l.reqId === 'req-badjson')?.code, 'MLS_ERR_BAD_JSON');
  assert.equal(lines.find((l) => l.reqId === 'req-badname')?.code, 'MLS_ERR_BAD_INPUT_NAME');
  assert.equal(lines.find((l) => l.reqId === 'req-inv')?.instances, 2);

  // Probes and scrapes are at debug: not in an info log.
  await call(app, 'GET', '/v2/health/ready', undefined, { 'x-request-id': 'req-probe' });
  await call(app, 'GET', '/metrics', undefined, { 'x-request-id': 'req-scrape' });
  assert.equal(lines.find((l) => l.reqId === 'req-probe' || l.reqId === 'req-scrape'), undefined);
  await app.close();

  const debug = await appWithLog('debug');
  await call(debug.app, 'GET', '/v2/health/ready', undefined, { 'x-request-id': 'req-probe' });
  assert.equal(debug.lines.find((l) => l.reqId === 'req-probe')?.level, 20);
  await debug.app.close();
  const warn = await appWithLog('warn');
  await call(warn.app, 'POST', '/v2/models/mlp/infer', infer(1));
  assert.deepEqual(warn.lines, []);
  await warn.app.close();
});

test('LOG_LEVEL (default info; MLCOMPILE_LOG_LEVEL still read, LOG_LEVEL wins)', () => {
  assert.equal(readConfig({}, '/m').logLevel, 'info');
  assert.equal(readConfig({ LOG_LEVEL: 'DEBUG' }, '/m').logLevel, 'debug');
  assert.equal(readConfig({ MLCOMPILE_LOG_LEVEL: 'warn' }, '/m').logLevel, 'warn');
  assert.equal(readConfig({ LOG_LEVEL: 'error', MLCOMPILE_LOG_LEVEL: 'warn' }, '/m').logLevel, 'error');
  assert.equal(readConfig({ LOG_LEVEL: ' ', MLCOMPILE_LOG_LEVEL: 'warn' }, '/m').logLevel, 'warn');
  assert.throws(() => readConfig({ LOG_LEVEL: 'loud' }, '/m'), (e: unknown) => e instanceof ConfigError && /^LOG_LEVEL="loud"/.test((e as Error).message));
});

/** Prometheus text → samples; checks the format on the way (HELP and TYPE before samples, histograms cumulative). */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const meta = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (meta !== null) {
      if (meta[1] === 'TYPE') {
        assert.ok(!types.has(meta[2]), `TYPE ${meta[2]} twice`);
        types.set(meta[2], meta[3]);
      }
      continue;
    }
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9.eE+-]+|NaN|Nan|[+-]Inf)$/.exec(line);
    assert.ok(m !== null, `not an exposition sample: ${line}`);
    const family = m[1].replace(/_(bucket|sum|count|total|created)$/, '');
    assert.ok(types.has(m[1]) || types.has(family) || types.has(m[1].replace(/_(bucket|sum|count)$/, '')), `sample before its TYPE: ${line}`);
    const key = m[1] + (m[2] ?? '');
    assert.ok(!samples.has(key), `duplicate sample ${key}`);
    // Go's ParseFloat, which Prometheus uses, takes NaN in any case (prom-client writes "Nan").
    samples.set(key, /^nan$/i.test(m[3]) ? Number.NaN : Number(m[3].replace('+Inf', 'Infinity').replace('-Inf', '-Infinity')));
  }
  // Histograms: buckets non-decreasing in le, the +Inf bucket equal to _count.
  const buckets = new Map<string, [number, number][]>();
  for (const [key, v] of samples) {
    const b = /^(.*)_bucket\{le="([^"]+)",?(.*)\}$/.exec(key);
    if (b === null) continue;
    const series = `${b[1]}{${b[3]}}`;
    const list = buckets.get(series) ?? [];
    list.push([b[2] === '+Inf' ? Infinity : Number(b[2]), v]);
    buckets.set(series, list);
  }
  for (const [series, list] of buckets) {
    list.sort((x, y) => x[0] - y[0]);
    for (let i = 1; i < list.length; i++) assert.ok(list[i][1] >= list[i - 1][1], `${series}: buckets must be cumulative`);
    const name = series.slice(0, series.indexOf('{'));
    const labels = series.slice(series.indexOf('{'));
    assert.equal(samples.get(`${name}_count${labels === '{}' ? '' : labels}`), list[list.length - 1][1], `${series}: _count = +Inf bucket`);
  }
  return samples;
}

test('/metrics: requests, latency, inference time, instances per request and errors, by model and version', async () => {
  const { app } = await appWithLog('silent');
  assert.equal((await call(app, 'POST', '/v2/models/mlp/infer', infer(3))).status, 200);
  assert.equal((await call(app, 'POST', '/v2/models/mlp/versions/1/infer', infer(1))).status, 200);
  assert.equal((await call(app, 'POST', '/invocations', JSON.stringify({ instances: [[1, 2, 3, 4], [5, 6, 7, 8]] }))).status, 200);
  assert.equal((await call(app, 'POST', '/v2/models/mlp/infer', infer(1, 'wrong'))).status, 400);
  assert.equal((await call(app, 'GET', '/v2/models/nope')).status, 404);
  const r = await app.inject({ method: 'GET', url: '/metrics' });
  assert.match(String(r.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  const s = parseExposition(r.body);
  const infer0 = 'route="/v2/models/:model_name/infer"';
  assert.equal(s.get(`mlcompile_http_requests_total{${infer0},method="POST",status="200",model="mlp",version="1"}`), 1);
  assert.equal(s.get(`mlcompile_http_requests_total{${infer0},method="POST",status="400",model="mlp",version="1"}`), 1);
  assert.equal(s.get('mlcompile_http_requests_total{route="/invocations",method="POST",status="200",model="mlp",version="1"}'), 1);
  assert.equal(s.get(`mlcompile_http_request_duration_seconds_count{${infer0},model="mlp",version="1"}`), 2);
  assert.equal(s.get('mlcompile_inference_duration_seconds_count{model="mlp",version="1"}'), 3);
  // Instances: 3, 1 and 2.
  assert.equal(s.get('mlcompile_instances_per_request_count{model="mlp",version="1"}'), 3);
  assert.equal(s.get('mlcompile_instances_per_request_sum{model="mlp",version="1"}'), 6);
  assert.equal(s.get('mlcompile_instances_per_request_bucket{le="1",model="mlp",version="1"}'), 1);
  assert.equal(s.get('mlcompile_instances_per_request_bucket{le="2",model="mlp",version="1"}'), 2);
  assert.equal(s.get('mlcompile_instances_per_request_bucket{le="4",model="mlp",version="1"}'), 3);
  // Errors by kind, status, route, model and version (no model for an unknown one: label sets stay bounded).
  assert.equal(s.get(`mlcompile_errors_total{kind="MLS_ERR_BAD_INPUT_NAME",status="400",${infer0},model="mlp",version="1"}`), 1);
  assert.equal(s.get('mlcompile_errors_total{kind="MLS_ERR_MODEL_NOT_FOUND",status="404",route="/v2/models/:model_name",model="",version=""}'), 1);
  assert.equal(s.get('mlcompile_model_info{model="mlp",version="1",format="onnx",sha256="' + repo.all()[0].sha256 + '"}'), 1);
  assert.ok([...s.keys()].some((k) => k.startsWith('process_cpu_user_seconds_total')));
  await app.close();
});

test('the bundled server logs JSON lines with request ids on stdout', { timeout: 60_000 }, async () => {
  const server = await startServer(copyToEmptyDir(dir), { LOG_LEVEL: 'debug' });
  try {
    const r = await fetch(`${server.url}/v2/models/mlp/infer`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'stdout-1' }, body: infer(2) });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('x-request-id'), 'stdout-1');
    const probe = await fetch(`${server.url}/v2/health/ready`);
    const probeId = probe.headers.get('x-request-id') ?? '';
    assert.match(probeId, GENERATED_ID);
    // Lines are written in batches, at least every 250 ms.
    const find = (id: string) => server.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Line).find((l) => l.reqId === id);
    for (let i = 0; i < 50 && (find('stdout-1') === undefined || find(probeId) === undefined); i++) await new Promise((res) => setTimeout(res, 100));
    assert.deepEqual({ ...find('stdout-1'), time: 0, pid: 0, hostname: '', ms: 0 }, {
      level: 30, time: 0, pid: 0, hostname: '', reqId: 'stdout-1', method: 'POST', url: '/v2/models/mlp/infer', status: 200, ms: 0, model: 'mlp', version: '1', instances: 2, msg: 'request completed',
    });
    assert.equal(find(probeId)?.level, 20);
  } finally {
    assert.equal(await server.stop(), 0);
  }
});
