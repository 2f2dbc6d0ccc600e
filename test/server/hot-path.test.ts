// The inference hot path's shortcuts (issue 8), each checked against what it replaces:
// the access line's number and string formatting (access-line.ts), the lazy request
// loggers of the server's logger (request-logger.ts), answers that report their own end
// instead of fastify's response listeners and onResponse hooks (answered-response.ts),
// and X-Request-Id and the 413 on the infer routes, which have no request-id hook.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatMs, jsonString } from '../../runtime/server/access-line.js';
import { AnsweredResponse } from '../../runtime/server/answered-response.js';
import { buildApp } from '../../runtime/server/app.js';
import { Metrics } from '../../runtime/server/metrics.js';
import { ModelRepository, describeModel } from '../../runtime/server/models-repository.js';
import { resolveEnvironment } from '../../runtime/server/profile.js';
import { LazyRequestLogger, lazyRequestLogger, serverLogger } from '../../runtime/server/request-logger.js';
import { identModule } from '../support/ident-module.js';

test('formatMs writes what String(Math.round(ms * 1000) / 1000) writes', () => {
  const values = [0, 1e-7, 0.0004, 0.0005, 0.0015, 0.001, 0.01, 0.1, 0.41, 0.412, 0.4125, 1, 1.5, 9.999, 9.9995, 999.9995, 1000, 123456.789, 2 ** 40 + 0.25, 1e15, 1e20, Number.NaN, Infinity];
  // A fixed pseudo-random sweep (deterministic: no Math.random in tests).
  let x = 12345;
  for (let i = 0; i < 20000; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    values.push((x / 2147483648) * 10 ** ((i % 9) - 3));
  }
  for (const v of values) assert.equal(formatMs(v), String(Math.round(v * 1000) / 1000), `ms ${v}`);
});

test('jsonString writes what JSON.stringify writes', () => {
  const strings = ['', '/v2/models/mlp/infer', '/a?b=c&d=e', 'quote"d', 'back\\slash', 'tab\there', 'nl\n', '\u0000\u001f', 'del\u007f', 'é', '日本', '\ud800 lone', '😀', '~!@#$%^&*()_+-={}[]|:;\'<>,.?/'];
  for (const s of strings) assert.equal(jsonString(s), JSON.stringify(s), JSON.stringify(s));
});

test('serverLogger: the lines fastify\'s own logger would write, with its serializers; lazy children follow its level', () => {
  const lines: Record<string, unknown>[] = [];
  const stream = { write: (s: string) => { for (const l of s.split('\n')) if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>); } };
  const logger = serverLogger({ stream });
  assert.equal(logger.level, 'info');
  const lazy = lazyRequestLogger(logger, { reqId: 'r-1' });
  assert.ok(lazy instanceof LazyRequestLogger);
  lazy.info({ a: 1 }, 'hello');
  assert.equal(lines[0].reqId, 'r-1');
  assert.equal(lines[0].a, 1);
  assert.equal(lines[0].level, 30);
  // fastify's serializers: an error's message and stack, a reply's status.
  lazy.error({ err: new Error('boom'), res: { statusCode: 503 } }, 'failed');
  assert.equal((lines[1].err as { message: string }).message, 'boom');
  assert.equal(typeof (lines[1].err as { stack: unknown }).stack, 'string');
  assert.deepEqual(lines[1].res, { statusCode: 503 });
  // A child of the lazy logger is bound to both.
  lazy.child({ step: 'decode' }).warn('deeper');
  assert.equal(lines[2].reqId, 'r-1');
  assert.equal(lines[2].step, 'decode');
  // The level of the server logger (a configuration reload) is followed by the children made before.
  logger.level = 'error';
  const quiet = lazyRequestLogger(logger, { reqId: 'r-2' });
  assert.equal((quiet as unknown as LazyRequestLogger).levelVal, 50);
  quiet.warn('not written');
  assert.equal(lines.length, 3);
});

const INFER = '/v2/models/ident/infer';
const GOOD = JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: [1, 2] }] });

/** Requests to the infer route answered with `status`; `model`: the model label ('' for answers given before the handler knew the model). */
function requestCount(metrics: Metrics, status: number, model = 'ident', version = '1'): number {
  const m = new RegExp(`mlcompile_http_requests_total\\{route="/v2/models/:model_name/infer",method="POST",status="${status}",model="${model}",version="${version}"\\} (\\d+)`).exec(metrics.text());
  return m === null ? 0 : Number(m[1]);
}

test('every answered request is counted once and logged once, with a logger and without', async () => {
  for (const withLogger of [true, false]) {
    const lines: Record<string, unknown>[] = [];
    const stream = { write: (s: string) => { for (const l of s.split('\n')) if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>); } };
    const repo = new ModelRepository();
    repo.add(describeModel('ident', '1', await identModule()));
    const metrics = new Metrics(false);
    const { app } = buildApp({ repository: repo, metrics, ...(withLogger ? { logger: { level: 'info', stream } } : {}) });
    try {
      await app.ready();
      for (let i = 0; i < 3; i++) assert.equal((await app.inject({ method: 'POST', url: INFER, headers: { 'content-type': 'application/json' }, payload: GOOD })).statusCode, 200);
      assert.equal((await app.inject({ method: 'POST', url: INFER, headers: { 'content-type': 'application/json' }, payload: '{"inputs": [' })).statusCode, 400);
      assert.equal(requestCount(metrics, 200), 3, `logger ${withLogger}`);
      assert.equal(requestCount(metrics, 400, '', ''), 1, `logger ${withLogger}`);
      const access = lines.filter((l) => l.msg === 'request completed');
      assert.equal(access.length, withLogger ? 4 : 0);
      if (withLogger) assert.deepEqual(access.map((l) => l.status), [200, 200, 200, 400]);
    } finally {
      await app.close();
    }
  }
});

test('over HTTP, every answer reports its own end: counted and logged once, with no listener added per request', async () => {
  const lines: Record<string, unknown>[] = [];
  const stream = { write: (s: string) => { for (const l of s.split('\n')) if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>); } };
  const repo = new ModelRepository();
  repo.add(describeModel('ident', '1', await identModule()));
  const metrics = new Metrics(false);
  const { app } = buildApp({ repository: repo, metrics, logger: { level: 'info', stream } });
  // What a route sees of its response: Node's own 'finish' listener and no other.
  app.get('/test/listeners', (_req, reply) => ({ answered: reply.raw instanceof AnsweredResponse, finish: reply.raw.listenerCount('finish'), error: reply.raw.listenerCount('error') }));
  try {
    const base = await app.listen({ port: 0, host: '127.0.0.1' });
    const post = (payload: string) => fetch(`${base}${INFER}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: payload });
    for (let i = 0; i < 3; i++) assert.equal((await post(GOOD)).status, 200);
    assert.equal((await post('{"inputs": [')).status, 400);
    assert.equal((await fetch(`${base}/v2/nothing`)).status, 404);
    const badUrl = await fetch(`${base}/v2/models/%zz/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: GOOD });
    assert.equal(badUrl.status, 400);
    assert.equal(((await badUrl.json()) as { code: string }).code, 'MLS_ERR_BAD_REQUEST');
    assert.ok(badUrl.headers.get('x-request-id'));
    const seen = await (await fetch(`${base}/test/listeners`)).json() as Record<string, unknown>;
    assert.deepEqual(seen, { answered: true, finish: 1, error: 0 });
    assert.equal(requestCount(metrics, 200), 3);
    assert.equal(requestCount(metrics, 400, '', ''), 1);
    assert.match(metrics.text(), /mlcompile_http_requests_total\{route="unmatched",method="GET",status="404",model="",version=""\} 1/);
    const access = lines.filter((l) => l.msg === 'request completed');
    assert.deepEqual(access.map((l) => [l.url, l.status]), [[INFER, 200], [INFER, 200], [INFER, 200], [INFER, 400], ['/v2/nothing', 404], ['/v2/models/%zz/infer', 400], ['/test/listeners', 200]]);
    for (const l of access) assert.ok(typeof l.ms === 'number' && l.ms > 0, `ms ${String(l.ms)}`);
    // One report per answer, whoever asked for it (the 400 was tagged by the error handler only; the hook and handler routes once each).
    assert.equal(new Set(access.map((l) => l.reqId)).size, access.length);
  } finally {
    await app.close();
  }
});

test('the infer routes (no request-id hook): X-Request-Id on every answer, and the same 413 as the hook gives', async () => {
  const repo = new ModelRepository();
  repo.add(describeModel('ident', '1', await identModule()));
  const { app } = buildApp({ repository: repo, bodyLimit: 1000 });
  try {
    await app.ready();
    const json = { 'content-type': 'application/json' };
    const cases = [
      { name: 'success', url: INFER, headers: json, payload: GOOD, status: 200 },
      { name: 'bad JSON', url: INFER, headers: json, payload: '{"inputs": [', status: 400 },
      { name: 'schema', url: INFER, headers: json, payload: '{"inputs": 3}', status: 400 },
      { name: 'shape', url: INFER, headers: json, payload: GOOD.replace('[1,2],', '[1,3],'), status: 400 },
      { name: 'unknown model', url: '/v2/models/nope/infer', headers: json, payload: GOOD, status: 404 },
      { name: 'unknown version', url: '/v2/models/ident/versions/9/infer', headers: json, payload: GOOD, status: 404 },
      { name: 'media type', url: INFER, headers: { 'content-type': 'application/xml' }, payload: '<x/>', status: 415 },
      { name: 'too large', url: INFER, headers: json, payload: `{"inputs": [], "pad": "${'x'.repeat(2000)}"}`, status: 413 },
      { name: 'too large, another route', url: '/v2/models/ident/versions/1/infer', headers: json, payload: `{"pad": "${'x'.repeat(2000)}"}`, status: 413 },
      { name: 'no route', url: '/v2/nothing', headers: json, payload: '{}', status: 404 },
      // Answered by fastify before routing (frameworkErrors), in the same form.
      { name: 'URL that does not decode', url: '/v2/models/%zz/infer', headers: json, payload: GOOD, status: 400 },
    ];
    for (const c of cases) {
      const r = await app.inject({ method: 'POST', url: c.url, headers: { ...c.headers, 'x-request-id': `id-${c.status}` }, payload: c.payload });
      assert.equal(r.statusCode, c.status, `${c.name}: ${r.body}`);
      assert.equal(r.headers['x-request-id'], `id-${c.status}`, c.name);
      if (c.status >= 400) assert.equal(typeof (JSON.parse(r.body) as { code?: unknown }).code, 'string', c.name);
    }
    const big = await app.inject({ method: 'POST', url: INFER, headers: { 'content-type': 'application/json' }, payload: `{"pad": "${'x'.repeat(2000)}"}` });
    const e = JSON.parse(big.body) as { error: string; code: string };
    assert.equal(e.code, 'MLS_ERR_BODY_TOO_LARGE');
    assert.match(e.error, /^the request body \(\d+ bytes\) is larger than the server accepts \(1000 bytes, MLCOMPILE_BODY_LIMIT\)$/);
    // The body is drained, so the connection stays open (fastify's parser would have closed it): the client sees the 413, not a reset.
    assert.notEqual(big.headers.connection, 'close');
    // Routes with the hook: the header too.
    const live = await app.inject({ method: 'GET', url: '/v2/health/live', headers: { 'x-request-id': 'live-1' } });
    assert.equal(live.headers['x-request-id'], 'live-1');
  } finally {
    await app.close();
  }
});

test('with access controls on, the request-id hook runs first: a CORS preflight answer carries the id', async () => {
  const repo = new ModelRepository();
  repo.add(describeModel('ident', '1', await identModule()));
  const { app } = buildApp({ repository: repo, environment: resolveEnvironment({ MLCOMPILE_CORS_ORIGINS: 'https://app.example.com' }, {}) });
  try {
    await app.ready();
    const pre = await app.inject({ method: 'OPTIONS', url: INFER, headers: { origin: 'https://app.example.com', 'access-control-request-method': 'POST', 'x-request-id': 'pre-1' } });
    assert.ok(pre.statusCode < 300, `preflight: ${pre.statusCode}`);
    assert.equal(pre.headers['x-request-id'], 'pre-1');
    const ok = await app.inject({ method: 'POST', url: INFER, headers: { origin: 'https://app.example.com', 'content-type': 'application/json', 'x-request-id': 'cors-1' }, payload: GOOD });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.headers['x-request-id'], 'cors-1');
  } finally {
    await app.close();
  }
});
