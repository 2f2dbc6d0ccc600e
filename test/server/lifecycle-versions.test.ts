// Model versions and hot updates (issue 9, slice a): X-Model-* headers, adding a
// version to a server directory (API and CLI), the repository API (index, load,
// unload, rollback), refusing incomplete or broken versions while the others serve,
// and a swap under load with 0 failed requests against a real `node server.mjs`.

import autocannon from 'autocannon';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { buildApp } from '../../runtime/server/app.js';
import { ModelRepository, modelHeaders } from '../../runtime/server/models-repository.js';
import { readWatchConfig } from '../../runtime/server/version-watcher.js';
import { ServerOptionError, compileServerToDir } from '../../src/server-api.js';
import { copyToEmptyDir, postJson, removeTempDirs, request, startServer, tempDir, type RunningServer } from './support/server-process.js';

const MLP = fileURLToPath(new URL('../../fixtures/onnx/mlp/model.onnx', import.meta.url));
const RAIN = fileURLToPath(new URL('../../fixtures/pmml/bayesnet-discrete/model.pmml', import.meta.url));
const BIN = fileURLToPath(new URL('../../bin/mlcompile.mjs', import.meta.url));
const MLP_SHA = (await import('node:crypto')).createHash('sha256').update(readFileSync(MLP)).digest('hex');
const INFER = { inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [0.5, -1, 2, 0.25] }] };

/** A server directory with mlp versions 1 and 2, compiled once; tests copy it. */
let base: string;
const servers: RunningServer[] = [];

before(async () => {
  base = join(tempDir('mlc-life-base-'), 'srv');
  await compileServerToDir(MLP, base, { modelVersion: '1' });
  await compileServerToDir(MLP, base, { modelVersion: '2' });
});

after(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  removeTempDirs();
});

/** A copy of the base directory holding only the versions named. */
function serverDir(versions: readonly string[]): string {
  const dir = copyToEmptyDir(base);
  for (const v of readdirSync(join(dir, 'models/mlp'))) if (!versions.includes(v)) rmSync(join(dir, 'models/mlp', v), { recursive: true });
  return dir;
}

/** Puts version `v` of the base directory into `dir` atomically (copy to a hidden name, then rename), as the compiler does. */
function addVersion(dir: string, v: string, as = v): void {
  const tmp = join(dir, 'models/mlp', `.incoming-${as}`);
  cpSync(join(base, 'models/mlp', v), tmp, { recursive: true });
  renameSync(tmp, join(dir, 'models/mlp', as));
}

function inProcess(dir: string) {
  const repository = new ModelRepository();
  const built = buildApp({ repository, modelsDir: join(dir, 'models'), metrics: false });
  assert.ok(built.lifecycle !== null);
  return { ...built, lifecycle: built.lifecycle, repository };
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const r = await probe();
    if (r !== undefined) return r;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}

test('X-Model-Name, -Version and -Sha256 on every answer a model gave, none on others', async () => {
  const { app, lifecycle } = inProcess(serverDir(['1', '2']));
  await lifecycle.scan();
  const infer = await app.inject({ method: 'POST', url: '/v2/models/mlp/infer', payload: INFER });
  assert.equal(infer.statusCode, 200);
  assert.equal(infer.headers['x-model-name'], 'mlp');
  assert.equal(infer.headers['x-model-version'], '2');
  assert.equal(infer.headers['x-model-sha256'], MLP_SHA);
  const v1 = await app.inject({ method: 'POST', url: '/v2/models/mlp/versions/1/infer', payload: INFER });
  assert.equal(v1.headers['x-model-version'], '1');
  for (const url of ['/v2/models/mlp', '/v2/models/mlp/versions/1/ready']) {
    const r = await app.inject({ method: 'GET', url });
    assert.equal(r.headers['x-model-name'], 'mlp', url);
  }
  const inv = await app.inject({ method: 'POST', url: '/invocations', payload: { instances: [[0.5, -1, 2, 0.25]] } });
  assert.equal(inv.statusCode, 200);
  assert.equal(inv.headers['x-model-version'], '2');
  // A model that answered with a client error still says which build it was.
  const bad = await app.inject({ method: 'POST', url: '/v2/models/mlp/infer', payload: { inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 3], data: [1, 2, 3] }] } });
  assert.equal(bad.statusCode, 400);
  assert.equal(bad.headers['x-model-version'], '2');
  for (const url of ['/v2/health/ready', '/v2', '/v2/models/nope']) {
    const r = await app.inject({ method: 'GET', url });
    assert.equal(r.headers['x-model-name'], undefined, url);
  }
  await app.close();
});

test('header values are computed once and never carry what a header cannot', () => {
  assert.deepEqual(modelHeaders('a b\r\nx', '1', 'not-a-hash'), { 'x-model-name': 'a%20b%0D%0Ax', 'x-model-version': '1' });
  assert.deepEqual(modelHeaders('m', 'v2', 'a'.repeat(64)), { 'x-model-name': 'm', 'x-model-version': 'v2', 'x-model-sha256': 'a'.repeat(64) });
});

test('compileServerToDir: a version joins the one model served, is written atomically, and an existing one is refused unless forced', async () => {
  const dir = serverDir(['1']);
  // bayesnet-discrete is named after its file; with --model-version it joins "mlp".
  const r = await compileServerToDir(RAIN, dir, { modelVersion: '3' });
  assert.equal(r.name, 'mlp');
  assert.deepEqual(r.models.map((m) => `${m.name}/${m.version}`), ['mlp/1', 'mlp/3']);
  assert.deepEqual(readdirSync(join(dir, 'models/mlp')).sort(), ['1', '3'], 'no temporary directory is left behind');
  const openapi = readFileSync(join(dir, 'openapi.json'), 'utf8');
  assert.match(openapi, /versions\/3/, 'the directory files are refreshed');
  await assert.rejects(compileServerToDir(MLP, dir, { modelVersion: '3' }), (e: unknown) => e instanceof ServerOptionError && /already exists.*next free number is 4.*--force/.test((e as Error).message));
  const before = readFileSync(join(dir, 'models/mlp/1/model.mjs'));
  const forced = await compileServerToDir(MLP, dir, { modelVersion: '3', force: true });
  assert.equal(forced.name, 'mlp');
  assert.equal(JSON.parse(readFileSync(join(dir, 'models/mlp/3/manifest.json'), 'utf8')).format, 'onnx');
  assert.ok(readFileSync(join(dir, 'models/mlp/1/model.mjs')).equals(before), 'other versions are untouched');
  // Without a version, a model keeps its own name; with several models served, a version must say which.
  await compileServerToDir(RAIN, dir, { name: 'rain' });
  await assert.rejects(compileServerToDir(RAIN, dir, { modelVersion: '9' }), (e: unknown) => e instanceof ServerOptionError && /give --name/.test((e as Error).message));
});

test('repository API: index, load of a new version, refusal of broken ones, unload and rollback', async () => {
  const dir = serverDir(['1']);
  const { app, lifecycle } = inProcess(dir);
  await lifecycle.scan();
  const post = (url: string, payload?: object) => app.inject({ method: 'POST', url, ...(payload === undefined ? {} : { payload }) });
  const latest = async () => (await post('/v2/models/mlp/infer', INFER)).headers['x-model-version'];

  assert.deepEqual((await post('/v2/repository/index')).json(), [{ name: 'mlp', version: '1', state: 'READY', reason: '' }]);
  addVersion(dir, '2');
  assert.deepEqual((await post('/v2/repository/index', {})).json()[1], { name: 'mlp', version: '2', state: 'UNAVAILABLE', reason: 'not loaded yet' });
  const loaded = await post('/v2/repository/models/mlp/load', { parameters: { version: '2' } });
  assert.equal(loaded.statusCode, 200, loaded.body);
  assert.deepEqual(loaded.json(), { name: 'mlp', versions: [{ name: 'mlp', version: '2', state: 'READY', reason: '' }] });
  assert.equal(await latest(), '2');

  // Half-written: the manifest lists model.mjs but it is not all there yet.
  addVersion(dir, '1', '3');
  const mjs = join(dir, 'models/mlp/3/model.mjs');
  writeFileSync(mjs, readFileSync(mjs).subarray(0, 100));
  // Throws on load, no manifest (made by hand).
  mkdirSync(join(dir, 'models/mlp/4'));
  writeFileSync(join(dir, 'models/mlp/4/model.mjs'), 'throw new Error("boom at load");\n');
  // Metadata without inputs.
  mkdirSync(join(dir, 'models/mlp/5'));
  writeFileSync(join(dir, 'models/mlp/5/model.mjs'), 'export const metadata = { name: "x", format: "onnx" };\nexport function run() { return {}; }\n');
  // Empty directory.
  mkdirSync(join(dir, 'models/mlp/6'));
  const report = await lifecycle.scan();
  assert.deepEqual(report, { loaded: [], refused: ['mlp/3', 'mlp/4', 'mlp/5', 'mlp/6'] });
  const index = (await post('/v2/repository/index')).json() as { version: string; state: string; reason: string }[];
  const reasons = new Map(index.map((s) => [s.version, `${s.state} ${s.reason}`]));
  assert.match(reasons.get('3') ?? '', /^UNAVAILABLE incomplete: model\.mjs does not match the sha256/);
  assert.match(reasons.get('4') ?? '', /^UNAVAILABLE model\.mjs throws on load: Error: boom at load/);
  assert.match(reasons.get('5') ?? '', /^UNAVAILABLE the module has no metadata with inputs and outputs/);
  assert.match(reasons.get('6') ?? '', /^UNAVAILABLE incomplete: no model\.mjs/);
  assert.equal(await latest(), '2', 'the serving versions keep serving');
  assert.deepEqual(((await post('/v2/repository/index', { ready: true })).json() as { version: string }[]).map((s) => s.version), ['1', '2']);
  const refused = await post('/v2/repository/models/mlp/load', { parameters: { version: '4' } });
  assert.equal(refused.statusCode, 422);
  assert.equal(refused.json().code, 'MLS_ERR_VERSION_REFUSED');
  assert.match(refused.json().error, /mlp\/4 was refused: model\.mjs throws on load/);
  // A scan does not retry (or log again) what did not change; a completed copy is taken.
  assert.deepEqual(await lifecycle.scan(), { loaded: [], refused: [] });
  for (const v of ['3', '4', '5', '6']) rmSync(join(dir, 'models/mlp', v), { recursive: true });
  addVersion(dir, '1', '3');
  assert.deepEqual(await lifecycle.scan(), { loaded: ['mlp/3'], refused: [] });
  assert.equal(await latest(), '3');

  // Rollback: one call unloads the bad version; the previous one answers, and scans leave it alone.
  const unload = await post('/v2/repository/models/mlp/unload', { parameters: { version: '3' } });
  assert.equal(unload.statusCode, 200, unload.body);
  assert.deepEqual(unload.json().versions, [{ name: 'mlp', version: '3', state: 'UNAVAILABLE', reason: 'unloaded' }]);
  assert.equal(await latest(), '2');
  assert.deepEqual(await lifecycle.scan(), { loaded: [], refused: [] });
  assert.equal((await post('/v2/models/mlp/versions/3/infer', INFER)).statusCode, 404);
  assert.equal((await post('/v2/repository/models/mlp/load', { parameters: { version: 3 } })).statusCode, 200);
  assert.equal(await latest(), '3');
  // Loading without a version loads every directory; unloading without one, the whole model.
  assert.equal((await post('/v2/repository/models/mlp/unload')).statusCode, 200);
  assert.equal((await post('/v2/models/mlp/infer', INFER)).statusCode, 404);
  assert.deepEqual(await lifecycle.scan(), { loaded: [], refused: [] });
  assert.equal((await post('/v2/repository/models/mlp/load', { parameters: { version: '1' } })).statusCode, 200);
  assert.equal(await latest(), '1');
  assert.deepEqual(await lifecycle.scan(), { loaded: [], refused: [] }, 'loading one version does not bring back the others');
  const all = await post('/v2/repository/models/mlp/load');
  assert.deepEqual((all.json() as { versions: { version: string }[] }).versions.map((s) => s.version), ['1', '2', '3']);
  assert.equal(await latest(), '3');

  for (const [url, payload, status, code] of [
    ['/v2/repository/models/nope/load', undefined, 404, 'MLS_ERR_MODEL_NOT_FOUND'],
    ['/v2/repository/models/mlp/load', { parameters: { version: '77' } }, 404, 'MLS_ERR_MODEL_NOT_FOUND'],
    ['/v2/repository/models/mlp/unload', { parameters: { version: '../1' } }, 400, 'MLS_ERR_BAD_REQUEST'],
    ['/v2/repository/models/mlp/load', { parameters: { version: true } }, 400, 'MLS_ERR_BAD_REQUEST'],
    ['/v2/repository/index', [], 400, 'MLS_ERR_BAD_REQUEST'],
  ] as const) {
    const r = await post(url, payload);
    assert.equal(r.statusCode, status, `${url} ${JSON.stringify(payload)}: ${r.body}`);
    assert.equal(r.json().code, code);
  }
  // No body, or an empty one sent as JSON, means no parameters; a malformed one is a 400.
  const json = { 'content-type': 'application/json' };
  assert.equal((await app.inject({ method: 'POST', url: '/v2/repository/index', headers: json, payload: '' })).statusCode, 200);
  assert.equal((await app.inject({ method: 'POST', url: '/v2/repository/models/mlp/load', headers: json, payload: ' ' })).statusCode, 200);
  const malformed = await app.inject({ method: 'POST', url: '/v2/repository/index', headers: json, payload: '{"ready":' });
  assert.equal(malformed.statusCode, 400);
  assert.equal(malformed.json().code, 'MLS_ERR_BAD_JSON');
  await app.close();
});

test('MLCOMPILE_WATCH and MLCOMPILE_WATCH_INTERVAL are checked', () => {
  assert.deepEqual(readWatchConfig({}), { enabled: true, configFile: true, intervalMs: 5000, debounceMs: 200 });
  assert.equal(readWatchConfig({ MLCOMPILE_WATCH: '0' }).enabled, false);
  // MLCOMPILE_WATCH=0 stops the config-file watch too; MLCOMPILE_CONFIG_WATCH decides it alone when given.
  assert.equal(readWatchConfig({ MLCOMPILE_WATCH: '0' }).configFile, false);
  assert.equal(readWatchConfig({ MLCOMPILE_WATCH: '0', MLCOMPILE_CONFIG_WATCH: '1' }).configFile, true);
  assert.deepEqual(readWatchConfig({ MLCOMPILE_CONFIG_WATCH: 'off' }), { enabled: true, configFile: false, intervalMs: 5000, debounceMs: 200 });
  assert.throws(() => readWatchConfig({ MLCOMPILE_CONFIG_WATCH: 'sometimes' }), /MLCOMPILE_CONFIG_WATCH="sometimes": use 1/);
  assert.equal(readWatchConfig({ MLCOMPILE_WATCH_INTERVAL: '0.5' }).intervalMs, 500);
  assert.throws(() => readWatchConfig({ MLCOMPILE_WATCH: 'maybe' }), /MLCOMPILE_WATCH="maybe"/);
  assert.throws(() => readWatchConfig({ MLCOMPILE_WATCH_INTERVAL: '-1' }), /MLCOMPILE_WATCH_INTERVAL/);
});

function cli(args: readonly string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { out += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { out += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 90_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, out });
    });
  });
}

test('the CLI adds a version to a running server directory, which serves it without a restart', async () => {
  const dir = serverDir(['1']);
  const server = await startServer(dir, { MLCOMPILE_WATCH_INTERVAL: '1' });
  servers.push(server);
  const added = await cli([RAIN, '--target', 'server', '--out', dir, '--model-version', '2']);
  assert.equal(added.code, 0, added.out);
  assert.match(added.out, /as model "mlp" version "2"/);
  const version = await until('version 2 to be served', async () => {
    const r = await fetch(`${server.url}/v2/models/mlp/versions/2/ready`);
    await r.arrayBuffer();
    return r.status === 200 ? r.headers.get('x-model-version') : undefined;
  });
  assert.equal(version, '2');
  const index = await postJson(`${server.url}/v2/repository/index`, {});
  assert.deepEqual(index.body, [{ name: 'mlp', version: '1', state: 'READY', reason: '' }, { name: 'mlp', version: '2', state: 'READY', reason: '' }]);
  // The same model again (a re-run build) refreshes its version; another model is refused.
  const rerun = await cli([RAIN, '--target', 'server', '--out', dir, '--model-version', '2']);
  assert.equal(rerun.code, 0, rerun.out);
  const again = await cli([MLP, '--target', 'server', '--out', dir, '--model-version', '2']);
  assert.equal(again.code, 2, again.out);
  assert.match(again.out, /already exists.*--force/);
  assert.doesNotMatch(again.out, /^\s+at /m);
  // --force replaces it; the server reloads the new build of version 2.
  const reloads = (): number => server.output().match(/reloaded model mlp\/2/g)?.length ?? 0;
  // The identical re-run wrote nothing, so nothing was reloaded.
  const before = reloads();
  const forced = await cli([MLP, '--target', 'server', '--out', dir, '--model-version', '2', '--force']);
  assert.equal(forced.code, 0, forced.out);
  await until('version 2 to be reloaded', async () => (reloads() > before ? true : undefined));
  const infer = await postJson(`${server.url}/v2/models/mlp/versions/2/infer`, INFER);
  assert.equal(infer.status, 200, infer.text);
  // A broken version is refused with one log line; the others keep serving.
  mkdirSync(join(dir, 'models/mlp/7'));
  writeFileSync(join(dir, 'models/mlp/7/model.mjs'), 'throw new Error("boom");\n');
  await until('version 7 to be refused', async () => (/refused model mlp\/7/.test(server.output()) ? true : undefined));
  await new Promise((res) => setTimeout(res, 1500));
  assert.equal(server.output().match(/refused model mlp\/7/g)?.length, 1, 'refused once, not at every rescan');
  assert.equal((await postJson(`${server.url}/v2/models/mlp/infer`, INFER)).status, 200);
  assert.equal(await server.stop(), 0);
});

test('MLCOMPILE_WATCH=0: a broken version at startup is refused, new versions wait for SIGHUP', async () => {
  const dir = serverDir(['1']);
  mkdirSync(join(dir, 'models/mlp/9'));
  writeFileSync(join(dir, 'models/mlp/9/model.mjs'), 'throw new Error("broken at startup");\n');
  const server = await startServer(dir, { MLCOMPILE_WATCH: '0' });
  servers.push(server);
  assert.match(server.output(), /refused model mlp\/9 .*broken at startup/);
  const infer = await postJson(`${server.url}/v2/models/mlp/infer`, INFER);
  assert.equal(infer.status, 200, infer.text);
  addVersion(dir, '2');
  await new Promise((res) => setTimeout(res, 1000));
  const index = await request(`${server.url}/v2/repository/index`, { method: 'POST' });
  assert.deepEqual((index.body as { version: string; state: string }[]).map((s) => `${s.version} ${s.state}`), ['1 READY', '2 UNAVAILABLE', '9 UNAVAILABLE']);
  server.proc.kill('SIGHUP');
  const version = await until('SIGHUP to load version 2', async () => {
    const r = await postJson(`${server.url}/v2/models/mlp/infer`, INFER);
    return r.status === 200 && (r.body as { model_version: string }).model_version === '2' ? '2' : undefined;
  });
  assert.equal(version, '2');
  assert.equal(await server.stop(), 0);
});

test('a swap under load: 0 failed requests while a version appears and another is unloaded', async () => {
  const dir = serverDir(['1']);
  const server = await startServer(dir);
  servers.push(server);
  const url = `${server.url}/v2/models/mlp/infer`;
  const body = JSON.stringify(INFER);
  const versions = new Map<string, number>();
  const failures: string[] = [];
  let requests = 0;
  let stop = false;
  let cannon: autocannon.Instance | undefined;
  const client = async (): Promise<void> => {
    while (!stop) {
      try {
        const r = await fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(10_000) });
        const text = await r.text();
        requests++;
        if (r.status !== 200) failures.push(`${r.status} ${text}`);
        const v = r.headers.get('x-model-version') ?? '?';
        versions.set(v, (versions.get(v) ?? 0) + 1);
      } catch (e) {
        requests++;
        failures.push(String(e));
      }
    }
  };
  const clients = Array.from({ length: 16 }, client);
  // autocannon adds load on 8 more connections (it counts non-2xx answers and errors, not versions).
  let cannonResult: autocannon.Result | undefined;
  let cannonError: Error | null = null;
  const cannonDone = new Promise<void>((res) => {
    cannon = autocannon({ url, method: 'POST', body, headers: { 'content-type': 'application/json' }, connections: 8, duration: 100, timeout: 10 }, (err, result) => {
      cannonError = err;
      cannonResult = result;
      res();
    });
  });
  const seen = (v: string) => until(`responses from version ${v}`, async () => ((versions.get(v) ?? 0) > 50 ? true : undefined));
  await seen('1');
  addVersion(dir, '2');
  // A broken version appearing meanwhile changes nothing for the clients.
  mkdirSync(join(dir, 'models/mlp/0'));
  writeFileSync(join(dir, 'models/mlp/0/model.mjs'), 'export const metadata = 42;\n');
  await seen('2');
  const unload = await postJson(`${server.url}/v2/repository/models/mlp/unload`, { parameters: { version: '2' } });
  assert.equal(unload.status, 200, unload.text);
  const afterUnload = versions.get('1') ?? 0;
  await until('version 1 to answer again', async () => ((versions.get('1') ?? 0) > afterUnload + 50 ? true : undefined));
  const load = await postJson(`${server.url}/v2/repository/models/mlp/load`, { parameters: { version: '2' } });
  assert.equal(load.status, 200, load.text);
  const back = versions.get('2') ?? 0;
  await until('version 2 to answer again', async () => ((versions.get('2') ?? 0) > back + 50 ? true : undefined));
  stop = true;
  cannon?.stop();
  await Promise.all([...clients, cannonDone]);
  const c = cannonResult as autocannon.Result | undefined;
  process.stdout.write(`# swap under load: ${requests} requests (fetch), ${failures.length} failed, by version ${JSON.stringify(Object.fromEntries(versions))}; autocannon: ${c?.requests.total} requests, ${c?.non2xx} non-2xx, ${c?.errors} errors, ${c?.timeouts} timeouts\n`);
  assert.deepEqual(failures.slice(0, 5), []);
  assert.ok(requests >= 200, `${requests} requests`);
  assert.equal(cannonError, null);
  assert.ok(c !== undefined && c.requests.total > 0);
  assert.equal(c.non2xx, 0);
  assert.equal(c.errors, 0);
  assert.equal(c.timeouts, 0);
  assert.ok(existsSync(join(dir, 'models/mlp/0')));
  assert.match(server.output(), /refused model mlp\/0/);
  // Version 2 was loaded twice (two objects): /metrics still has one series per label set.
  const metrics = await request(`${server.url}/metrics`);
  const samples = metrics.text.split('\n').filter((l) => l.startsWith('mlcompile_http_requests_total{')).map((l) => l.slice(0, l.lastIndexOf(' ')));
  assert.equal(new Set(samples).size, samples.length, samples.join('\n'));
  assert.ok(samples.some((l) => l.includes('version="2"')));
  assert.equal(await server.stop(), 0);
});
