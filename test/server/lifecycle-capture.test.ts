// Data capture (issue 9, slice c): sampled request/response records as JSON Lines,
// rotated by size; no hook at all when off; a write error (an unwritable directory,
// a full disk) stops capture and never the serving.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildApp } from '../../runtime/server/app.js';
import {
  CAPTURE_DEFAULTS, CaptureService, applyCaptureSettings, parseCaptureSection, readCaptureEnv, setDefaultCaptureRate, type CaptureSettings,
} from '../../runtime/server/capture.js';
import { setupObservation } from '../../runtime/server/capture-setup.js';
import { ConfigError } from '../../runtime/server/config.js';
import type { ModelVersion } from '../../runtime/server/models-repository.js';
import { DRIFT_PMML, compileVersion, drawRows, metricValue, oipBody, repositoryOf, seededRandom } from './support/capture-drift-fixtures.js';
import { removeTempDirs, tempDir } from './support/server-process.js';

after(removeTempDirs);

const SILENT = { error: () => {}, warn: () => {}, info: () => {} };

let cached: { modelsDir: string; version: ModelVersion } | undefined;
/**
 * The PMML test model, compiled once. `modelsDir` is an empty models directory: setupObservation
 * finds no baseline there, so these tests see capture alone.
 */
async function model(): Promise<{ modelsDir: string; version: ModelVersion }> {
  if (cached === undefined) {
    const version = await compileVersion(join(tempDir('mlc-capture-models-'), 'models'), 'drifty', '1', new TextEncoder().encode(DRIFT_PMML), 'drifty.pmml');
    cached = { modelsDir: tempDir('mlc-capture-empty-'), version };
  }
  return cached;
}

function settings(dir: string, over: Partial<CaptureSettings> = {}): CaptureSettings {
  return { ...CAPTURE_DEFAULTS, dir, ...over };
}

function files(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((n) => n.endsWith('.jsonl')).sort() : [];
}

function records(dir: string): Record<string, unknown>[] {
  return files(dir).flatMap((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>));
}

async function appWith(capture: CaptureService | undefined) {
  const { version } = await model();
  const built = buildApp({ repository: repositoryOf(version), observation: capture === undefined ? undefined : { capture, text: () => capture.text(), close: () => capture.close() } });
  await built.app.ready();
  return built.app;
}

const body = oipBody(drawRows(3, 5)) as object;

test('off: no hook is installed and nothing is set up', async () => {
  const { modelsDir } = await model();
  assert.equal(setupObservation({ env: {}, sections: {}, defaultCaptureDir: tempDir('mlc-capture-off-'), modelsDir, log: SILENT }), undefined);
  assert.equal(setupObservation({ env: { MLCOMPILE_CAPTURE_RATE: '0' }, sections: {}, defaultCaptureDir: tempDir('mlc-capture-off-'), modelsDir, log: SILENT }), undefined);
  const app = await appWith(undefined);
  try {
    assert.doesNotMatch(app.printRoutes({ includeHooks: true }), /preSerialization/);
  } finally {
    await app.close();
  }
  // On: the hook is there.
  const on = setupObservation({ env: { MLCOMPILE_CAPTURE_RATE: '0.5' }, sections: {}, defaultCaptureDir: tempDir('mlc-capture-on-'), modelsDir, log: SILENT });
  assert.ok(on?.capture !== undefined);
  const app2 = await appWith(on.capture);
  try {
    assert.match(app2.printRoutes({ includeHooks: true }), /preSerialization/);
  } finally {
    await app2.close();
    await on.close();
  }
});

test('the sampling rate is honoured (binomial bounds over 2000 requests) and a model rate overrides the default', async (t) => {
  const dir = tempDir('mlc-capture-rate-');
  const rate = 0.2;
  // A seeded draw: the count is the same on every run, and still a real binomial sample.
  const capture = new CaptureService(settings(dir, { rate }), SILENT, seededRandom(2026));
  const app = await appWith(capture);
  const n = 2000;
  try {
    for (let i = 0; i < n; i++) {
      const r = await app.inject({ method: 'POST', url: '/v2/models/drifty/infer', payload: body });
      assert.equal(r.statusCode, 200);
    }
    await capture.drain();
    const got = records(dir).length;
    const sigma = Math.sqrt(n * rate * (1 - rate));
    assert.ok(Math.abs(got - n * rate) < 5 * sigma, `captured ${got} of ${n} at rate ${rate} (expected ${n * rate} ± ${Math.round(5 * sigma)})`);
    t.diagnostic(`captured ${got} of ${n} requests at rate ${rate}`);
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.equal(metricValue(text, 'mlcompile_capture_records_total', { model: 'drifty', result: 'written' }), got);
    // Per-model rate 0 wins over the default rate 1; the default applies to other models.
    capture.apply(settings(dir, { rate: 1, models: { drifty: { rate: 0 } } }));
    for (let i = 0; i < 50; i++) await app.inject({ method: 'POST', url: '/invocations', payload: { instances: drawRows(2, i) } });
    await capture.drain();
    assert.equal(records(dir).length, got);
    assert.equal(capture.sample('other'), true);
  } finally {
    await app.close();
  }
});

test('a record holds time, model, version, request id, route, inputs and outputs', async () => {
  const dir = tempDir('mlc-capture-record-');
  const capture = new CaptureService(settings(dir, { rate: 1 }), SILENT);
  const app = await appWith(capture);
  try {
    const r = await app.inject({ method: 'POST', url: '/v2/models/drifty/infer', payload: body, headers: { 'x-request-id': 'req-42' } });
    assert.equal(r.statusCode, 200);
    const inv = await app.inject({ method: 'POST', url: '/invocations', payload: 'x1,x2,color\n0.5,3,red\n', headers: { 'content-type': 'text/csv' } });
    assert.equal(inv.statusCode, 200);
    // An answer sent as CSV is captured too, as its JSON form.
    const csv = await app.inject({ method: 'POST', url: '/invocations', payload: 'x1,x2,color\n0.5,3,red\n', headers: { 'content-type': 'text/csv', accept: 'text/csv' } });
    assert.equal(csv.statusCode, 200);
    assert.match(String(csv.headers['content-type']), /^text\/csv/);
    // Errors are not captured.
    assert.equal((await app.inject({ method: 'POST', url: '/v2/models/drifty/infer', payload: { inputs: [] } })).statusCode, 400);
    await capture.drain();
    const [a, b, c, ...rest] = records(dir);
    assert.equal(c.inputs, 'x1,x2,color\n0.5,3,red\n');
    assert.deepEqual(c.outputs, JSON.parse(inv.body), 'the CSV answer recorded as the JSON one');
    assert.equal(rest.length, 0);
    assert.match(String(a.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    assert.equal(a.model, 'drifty');
    assert.equal(a.version, '1');
    assert.equal(a.id, 'req-42');
    assert.equal(a.route, '/v2/models/:model_name/infer');
    assert.deepEqual(a.inputs, body);
    assert.deepEqual(a.outputs, JSON.parse(r.body));
    assert.equal(b.route, '/invocations');
    assert.equal(b.inputs, 'x1,x2,color\n0.5,3,red\n');
    assert.deepEqual(b.outputs, JSON.parse(inv.body));
    assert.match(files(dir)[0], /^capture-drifty-\d{8}T\d{6}\.\d{3}Z-\d{4}\.jsonl$/);
  } finally {
    await app.close();
  }
});

test('files rotate by size and only maxFiles are kept', async () => {
  const dir = tempDir('mlc-capture-rotate-');
  const maxFileBytes = 4096;
  const capture = new CaptureService(settings(dir, { rate: 1, maxFileBytes, maxFiles: 1000 }), SILENT);
  const app = await appWith(capture);
  try {
    for (let i = 0; i < 60; i++) {
      await app.inject({ method: 'POST', url: '/v2/models/drifty/infer', payload: oipBody(drawRows(3, i)) as object });
      // Let some batches be written between requests, as under real traffic.
      if (i % 7 === 0) await capture.drain();
    }
    await capture.drain();
    const names = files(dir);
    assert.ok(names.length >= 5, `${names.length} files`);
    for (const f of names) assert.ok(statSync(join(dir, f)).size <= maxFileBytes, `${f} is ${statSync(join(dir, f)).size} bytes`);
    assert.equal(records(dir).length, 60);
    // Fewer files kept: the oldest go, at the next rotation.
    capture.apply(settings(dir, { rate: 1, maxFileBytes, maxFiles: 2 }));
    for (let i = 0; i < 20; i++) await app.inject({ method: 'POST', url: '/v2/models/drifty/infer', payload: body });
    await capture.drain();
    const kept = files(dir);
    assert.equal(kept.length, 2);
    assert.deepEqual(kept, names.concat(kept).sort().slice(-2), 'the newest files are kept');
  } finally {
    await app.close();
  }
});

test('an unwritable directory stops capture (one log line, metrics) and every request is still answered', async () => {
  const parent = tempDir('mlc-capture-bad-');
  const notADir = join(parent, 'file');
  writeFileSync(notADir, 'not a directory');
  const errors: string[] = [];
  const capture = new CaptureService(settings(join(notADir, 'capture'), { rate: 1 }), { error: (m) => errors.push(m), info: () => {} });
  const app = await appWith(capture);
  try {
    for (let i = 0; i < 30; i++) {
      const r = await app.inject({ method: 'POST', url: '/v2/models/drifty/infer', payload: body });
      assert.equal(r.statusCode, 200);
      await capture.drain();
    }
    assert.equal(errors.length, 1, errors.join('\n'));
    assert.match(errors[0], /data capture stopped: cannot write to .*serving continues/);
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.equal(metricValue(text, 'mlcompile_capture_active', {}), 0);
    assert.equal(metricValue(text, 'mlcompile_capture_errors_total', {}), 1);
    assert.equal(metricValue(text, 'mlcompile_capture_records_total', { model: 'drifty', result: 'written' }), 0);
  } finally {
    await app.close();
  }
});

test('a full disk (ENOSPC from /dev/full) stops capture; serving goes on; applying settings again resumes', { skip: existsSync('/dev/full') ? false : 'no /dev/full on this system' }, async () => {
  const dir = tempDir('mlc-capture-full-');
  const errors: string[] = [];
  let full = true;
  const capture = new CaptureService(settings(dir, { rate: 1 }), { error: (m) => errors.push(m), info: () => {} }, seededRandom(1),
    (path) => (full ? open('/dev/full', 'w') : open(path, 'ax')));
  const app = await appWith(capture);
  try {
    for (let i = 0; i < 10; i++) {
      assert.equal((await app.inject({ method: 'POST', url: '/v2/models/drifty/infer', payload: body })).statusCode, 200);
      await capture.drain();
    }
    assert.equal(errors.length, 1);
    assert.match(errors[0], /ENOSPC/);
    assert.equal(files(dir).length, 0);
    // The disk has room again and the configuration is reloaded: capture resumes.
    full = false;
    capture.apply(settings(dir, { rate: 1 }));
    assert.equal((await app.inject({ method: 'POST', url: '/v2/models/drifty/infer', payload: body })).statusCode, 200);
    await capture.drain();
    assert.equal(records(dir).length, 1);
  } finally {
    await app.close();
  }
});

test('settings: the capture section and environment are checked, naming the key; live changes through applyCaptureSettings and a profile rate', async () => {
  assert.throws(() => parseCaptureSection({ rate: 2 }), (e: Error) => e instanceof ConfigError && /capture\.rate/.test(e.message));
  assert.throws(() => parseCaptureSection({ rtae: 0.1 }), (e: Error) => e instanceof ConfigError && /capture\.rtae: unknown key/.test(e.message));
  assert.throws(() => parseCaptureSection({ models: { iris: { rate: -1 } } }), (e: Error) => e instanceof ConfigError && /capture\.models\.iris\.rate/.test(e.message));
  assert.throws(() => parseCaptureSection({ maxFileBytes: 'lots' }), (e: Error) => e instanceof ConfigError && /capture\.maxFileBytes/.test(e.message));
  assert.throws(() => readCaptureEnv({ MLCOMPILE_CAPTURE_RATE: 'half' }), (e: Error) => e instanceof ConfigError && /MLCOMPILE_CAPTURE_RATE/.test(e.message));
  assert.deepEqual(parseCaptureSection({ dir: '/data/capture', rate: 0.1, maxFileBytes: '1mb', maxFiles: 3, models: { iris: { rate: 1 } } }),
    { dir: '/data/capture', rate: 0.1, maxFileBytes: 1024 * 1024, maxFiles: 3, models: { iris: { rate: 1 } } });
  assert.deepEqual(readCaptureEnv({ MLCOMPILE_CAPTURE_RATE: '0.5', MLCOMPILE_CAPTURE_DIR: '/c', MLCOMPILE_CAPTURE_MAX_BYTES: '2mb', MLCOMPILE_CAPTURE_MAX_FILES: '4' }),
    { rate: 0.5, dir: '/c', maxFileBytes: 2 * 1024 * 1024, maxFiles: 4 });

  // A capture section with rate 0 keeps the hook ready; a reload raises the rate live.
  const { modelsDir } = await model();
  const dir = tempDir('mlc-capture-live-');
  const obs = setupObservation({ env: {}, sections: { capture: { dir, rate: 0 } }, defaultCaptureDir: join(dir, 'unused'), modelsDir, log: SILENT });
  assert.ok(obs?.capture !== undefined);
  const app = await appWith(obs.capture);
  try {
    await app.inject({ method: 'POST', url: '/v2/models/drifty/infer', payload: body });
    await obs.capture.drain();
    assert.equal(records(dir).length, 0);
    assert.equal(applyCaptureSettings({ dir, rate: 1 }).rate, 1);
    await app.inject({ method: 'POST', url: '/v2/models/drifty/infer', payload: body });
    await obs.capture.drain();
    assert.equal(records(dir).length, 1);
    // A profile's default rate sits below the file's rate...
    assert.equal(setDefaultCaptureRate(0.5).rate, 1);
    // ...and applies when the file gives none.
    assert.equal(applyCaptureSettings({ dir }).rate, 0.5);
    assert.throws(() => applyCaptureSettings({ rate: 'x' }), ConfigError);
  } finally {
    setDefaultCaptureRate(undefined);
    await app.close();
    await obs.close();
  }
});
