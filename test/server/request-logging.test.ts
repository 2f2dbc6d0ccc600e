// The server's per-request logging path (the hot path's cost, issue 8): the log
// buffer (log-buffer.ts), the lazy request logger (request-logger.ts) and the access
// line app.ts writes through them; and the per-route hooks (model headers, CORS,
// caching) that routes get only when they use them.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { pino } from 'pino';
import { buildApp } from '../../runtime/server/app.js';
import { LogBuffer } from '../../runtime/server/log-buffer.js';
import { ModelRepository, describeModel } from '../../runtime/server/models-repository.js';
import { LazyRequestLogger, lazyRequestLogger } from '../../runtime/server/request-logger.js';
import { prependHook } from '../../runtime/server/route-hooks.js';
import { identModule } from '../support/ident-module.js';

/** A destination that keeps what it is given, batch by batch. */
function sink() {
  const batches: string[] = [];
  let syncs = 0;
  return {
    batches,
    syncs: () => syncs,
    write(data: Buffer) {
      batches.push(data.toString('utf8'));
      return true;
    },
    flushSync() {
      syncs++;
    },
  };
}

test('LogBuffer: lines are handed on in order, in batches of at least minLength bytes, and all of them on flush', () => {
  const s = sink();
  const buf = new LogBuffer(s, 20, 60_000);
  try {
    buf.write('{"a":1}\n');
    buf.write('{"b":2}\n');
    assert.deepEqual(s.batches, [], 'held until minLength');
    buf.write('{"c":3}\n');
    assert.deepEqual(s.batches, ['{"a":1}\n{"b":2}\n{"c":3}\n']);
    buf.write('{"d":4}\n');
    let called = false;
    buf.flush(() => { called = true; });
    assert.equal(called, true, "pino's logger.flush(cb) gets its callback");
    assert.deepEqual(s.batches, ['{"a":1}\n{"b":2}\n{"c":3}\n', '{"d":4}\n']);
    buf.flush();
    assert.equal(s.batches.length, 2, 'nothing to hand on: no empty write');
    buf.write('{"e":5}\n');
    buf.flushSync();
    assert.equal(s.batches.at(-1), '{"e":5}\n');
    assert.equal(s.syncs(), 1);
  } finally {
    buf.close();
  }
});

test('LogBuffer: lines are UTF-8 bytes; a batch handed on is never written to again; a line longer than the buffer goes by itself', () => {
  const kept: Buffer[] = [];
  const buf = new LogBuffer({ write: (b: Buffer) => { kept.push(b); } }, 16, 60_000);
  try {
    buf.write('{"µ":"ü€😀"}\n');
    const first = Buffer.from(kept[0]).toString('utf8');
    assert.equal(first, '{"µ":"ü€😀"}\n', 'over 16 bytes (UTF-8): handed on');
    buf.write('{"x":1}\n');
    buf.write('{"y":2}\n');
    const long = `{"long":"${'é'.repeat(5000)}"}\n`;
    buf.write(long);
    buf.write('{"z":3}\n');
    buf.flush();
    assert.equal(kept[0].toString('utf8'), first, 'the first batch is unchanged by later lines');
    assert.deepEqual(kept.slice(1).map((b) => b.toString('utf8')), ['{"x":1}\n{"y":2}\n', long, '{"z":3}\n']);
  } finally {
    buf.close();
  }
});

test('LogBuffer: a warning, error or fatal line is handed on at once, after what precedes it', () => {
  const s = sink();
  const buf = new LogBuffer(s, 1 << 20, 60_000);
  try {
    buf.write('{"level":30,"msg":"a"}\n');
    buf.write('{"level":20,"msg":"b"}\n');
    assert.deepEqual(s.batches, [], 'info and debug wait for the batch');
    buf.write('{"level":40,"msg":"w"}\n');
    assert.deepEqual(s.batches, ['{"level":30,"msg":"a"}\n{"level":20,"msg":"b"}\n{"level":40,"msg":"w"}\n']);
    buf.write('{"level":50,"msg":"e"}\n');
    buf.write('{"level":60,"msg":"f"}\n');
    assert.deepEqual(s.batches.slice(1), ['{"level":50,"msg":"e"}\n', '{"level":60,"msg":"f"}\n']);
    buf.write('not pino {"level":50}\n');
    assert.equal(s.batches.length, 3, 'only a line that starts with the level counts');
  } finally {
    buf.close();
  }
});

test('LogBuffer: what is held is handed on by the periodic flush', async () => {
  const s = sink();
  const buf = new LogBuffer(s, 1 << 20, 20);
  try {
    buf.write('line\n');
    const end = Date.now() + 5_000;
    while (s.batches.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    assert.deepEqual(s.batches, ['line\n']);
  } finally {
    buf.close();
  }
});

/** A pino logger writing to an array of parsed lines. */
function capture(level = 'info') {
  const lines: Record<string, unknown>[] = [];
  const logger = pino({ level, timestamp: false }, { write: (s: string) => { for (const l of s.split('\n')) if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>); } });
  return { lines, logger };
}

test('LazyRequestLogger: no pino child until something logs; then the same line as pino\'s own child', () => {
  const { lines, logger } = capture();
  let children = 0;
  const child = logger.child.bind(logger);
  logger.child = ((b: pino.Bindings, o?: pino.ChildLoggerOptions) => { children++; return child(b, o); }) as unknown as typeof logger.child;
  const lazy = lazyRequestLogger(logger, { reqId: 'abc-1' });
  assert.ok(lazy instanceof LazyRequestLogger);
  assert.equal(children, 0);
  assert.equal(lazy.level, 'info');
  assert.equal((lazy as unknown as LazyRequestLogger).levelVal, 30);
  lazy.info({ a: 1 }, 'hello');
  lazy.warn('second');
  lazy.debug('below the level');
  assert.equal(children, 1, 'one child, made on first use');
  child({ reqId: 'abc-1' }).info({ a: 1 }, 'hello');
  assert.deepEqual(lines[0], lines[2]);
  assert.deepEqual(lines[1], { level: 40, pid: process.pid, hostname: lines[0].hostname, reqId: 'abc-1', msg: 'second' });
  assert.equal(lines.length, 3);
});

test('LazyRequestLogger: follows the application logger\'s level (a configuration reload) until its child exists; a route level wins', () => {
  const { logger } = capture('info');
  const lazy = new LazyRequestLogger(logger, { reqId: 'x' }, {});
  logger.level = 'warn';
  assert.equal(lazy.levelVal, 40);
  assert.equal(lazy.level, 'warn');
  const routed = new LazyRequestLogger(logger, { reqId: 'y' }, { level: 'debug' });
  assert.equal(routed.levelVal, 20);
  routed.level = 'error';
  assert.equal(routed.levelVal, 50);
});

test('prependHook: a route\'s hooks with ours first', () => {
  const a = (): void => undefined;
  const b = (): void => undefined;
  const c = (): void => undefined;
  assert.deepEqual(prependHook(undefined, a), [a]);
  assert.deepEqual(prependHook(b, a), [a, b]);
  assert.deepEqual(prependHook([b, c], a), [a, b, c]);
});

test('the access line: one per request, written through the lazy logger\'s parent with the request id; X-Model-* from the infer handler', async () => {
  const lines: Record<string, unknown>[] = [];
  const stream = { write: (s: string) => { for (const l of s.split('\n')) if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>); } };
  const repo = new ModelRepository();
  repo.add(describeModel('ident', '1', await identModule()));
  const { app } = buildApp({ repository: repo, logger: { level: 'info', stream } });
  try {
    await app.ready();
    const ok = await app.inject({ method: 'POST', url: '/v2/models/ident/infer', headers: { 'content-type': 'application/json', 'x-request-id': 'req-1' }, payload: JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: [1, 2] }] }) });
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.headers['x-request-id'], 'req-1');
    assert.equal(ok.headers['x-model-name'], 'ident', 'set by the infer handler itself');
    assert.equal(ok.headers['x-model-version'], '1');
    const bad = await app.inject({ method: 'POST', url: '/v2/models/ident/infer', headers: { 'content-type': 'application/json' }, payload: JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] }) });
    assert.equal(bad.statusCode, 400);
    assert.equal(bad.headers['x-model-version'], '1', 'an error the model\'s checks answer still names the model');
    const generatedId = bad.headers['x-request-id'];
    assert.match(String(generatedId), /^[0-9a-f]{16}-[0-9a-z]+$/);
    const access = lines.filter((l) => l.msg === 'request completed');
    assert.equal(access.length, 2);
    const [first, second] = access;
    const { time, ms, ...rest } = first;
    assert.equal(typeof time, 'number');
    assert.equal(typeof ms, 'number');
    assert.deepEqual(rest, { level: 30, pid: process.pid, hostname: first.hostname, reqId: 'req-1', method: 'POST', url: '/v2/models/ident/infer', status: 200, model: 'ident', version: '1', instances: 1, msg: 'request completed' });
    assert.equal(second.reqId, generatedId);
    assert.equal(second.code, 'MLS_ERR_BAD_TENSOR_SHAPE');
    assert.equal(second.instances, 1);
    // A request id that is not safe to adopt is replaced, never written into the line as given.
    const hostile = await app.inject({ method: 'GET', url: '/v2/health/live', headers: { 'x-request-id': 'a"b\\c' } });
    assert.notEqual(hostile.headers['x-request-id'], 'a"b\\c');
  } finally {
    await app.close();
  }
});

test('the access line through the server\'s LogBuffer: made into text later, in order with the other lines, and the same line', async () => {
  const batches: string[] = [];
  const logBuffer = new LogBuffer({ write: (b: Buffer) => { batches.push(b.toString('utf8')); } }, 1 << 20, 60_000);
  const repo = new ModelRepository();
  repo.add(describeModel('ident', '1', await identModule()));
  const { app } = buildApp({ repository: repo, logger: { level: 'info', stream: logBuffer } });
  try {
    await app.ready();
    batches.length = 0;
    logBuffer.flush();
    batches.length = 0;
    for (const id of ['r-1', 'r-2']) {
      const ok = await app.inject({ method: 'POST', url: '/v2/models/ident/infer?x=%22', headers: { 'content-type': 'application/json', 'x-request-id': id }, payload: JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: [1, 2] }] }) });
      assert.equal(ok.statusCode, 200);
    }
    assert.equal(batches.length, 0, 'held until the buffer writes');
    app.log.warn('after the two requests');
    assert.equal(batches.length, 1, 'a warning hands everything on at once');
    const lines = batches[0].split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(lines.map((l) => l.reqId ?? l.msg), ['r-1', 'r-2', 'after the two requests'], 'the access lines come first, in order');
    const { time, ms, hostname, ...rest } = lines[0];
    assert.equal(typeof time, 'number');
    assert.equal(typeof ms, 'number');
    assert.equal(typeof hostname, 'string');
    assert.deepEqual(rest, { level: 30, pid: process.pid, reqId: 'r-1', method: 'POST', url: '/v2/models/ident/infer?x=%22', status: 200, model: 'ident', version: '1', instances: 1, msg: 'request completed' });
  } finally {
    await app.close();
    logBuffer.close();
  }
});
