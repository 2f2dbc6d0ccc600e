// The generated Dockerfile, built and run for real through
// shared/tools/container-run.sh (podman + runc; the script swaps FROM for a local
// base image made of this machine's node binary). Slow, and it may install podman:
// it runs only with MLCOMPILE_CONTAINER_TESTS=1 (.ci/run sets it once podman is in).
//
// Over HTTP against the running container: health (live, ready, ping, the image's
// HEALTHCHECK), server and model metadata and readiness (checked against the Open
// Inference Protocol's OpenAPI description), infer, /invocations (SageMaker JSON and
// CSV, MLflow dataframe_split), the batch route, a batch job in a data directory inside
// the container, GET /, /openapi.json, a module download, a bad request (4xx JSON) and
// /metrics; then SIGTERM.
//
// A preflight first builds and runs a trivial image the same way: where containers
// cannot run at all (no user namespaces, no cgroups, no overlay in a sandbox), the
// test is skipped and says why; a failure after the preflight is the Dockerfile's.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { compileServerToDir } from '../../src/server-api.js';
import { featureRows, featuresCsv } from './support/batch-fixtures.js';
import { OpenApi } from './support/openapi.js';
import { assertClose, postJson, readJsonl, removeTempDirs, request, tempDir, type JsonResponse } from './support/server-process.js';

const run = promisify(execFile);
// shared/ sits beside the repository (../shared from its root).
const SCRIPT = fileURLToPath(new URL('../../../shared/tools/container-run.sh', import.meta.url));
const MLP = fileURLToPath(new URL('../../fixtures/onnx/mlp/', import.meta.url));
const SPEC = fileURLToPath(new URL('../../../shared/specs/open-inference-protocol/open_inference_rest.yaml', import.meta.url));
const enabled = process.env.MLCOMPILE_CONTAINER_TESTS === '1';

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => res(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

interface Ran {
  readonly code: number;
  readonly out: string;
}

async function sh(cmd: string, args: readonly string[], timeout = 900_000): Promise<Ran> {
  try {
    const r = await run(cmd, args, { timeout, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number | string; stdout?: string; stderr?: string; message?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}${err.stdout === undefined ? err.message ?? '' : ''}` };
  }
}

const script = (...args: string[]): Promise<Ran> => sh('bash', [SCRIPT, ...args]);
const podman = (...args: string[]): Promise<Ran> => sh('podman', ['--runtime', 'runc', ...args], 120_000);

/** Why containers cannot run here, or undefined when a trivial image builds and runs. */
async function preflight(): Promise<string | undefined> {
  const version = await sh('podman', ['--version'], 30_000);
  if (version.code !== 0) return `podman is not installed (.ci/run installs podman and runc from Debian when it runs as root with apt-get): ${version.out.trim()}`;
  const info = await sh('podman', ['info'], 60_000);
  if (info.code !== 0) return `podman cannot run in this sandbox (podman info failed): ${info.out.trim().slice(0, 800)}`;
  const ctx = tempDir('mlc-container-preflight-');
  mkdirSync(ctx, { recursive: true });
  writeFileSync(join(ctx, 'Dockerfile'), 'FROM scratch\nCMD ["/bin/true"]\n');
  const tag = `localhost/mlcompile-preflight:${process.pid}`;
  const build = await script('build', ctx, tag);
  if (build.code !== 0) return `podman cannot build images in this sandbox (container-run.sh build of a trivial Dockerfile failed): ${build.out.trim().slice(0, 800)}`;
  const ran = await podman('run', '--rm', '--network', 'host', tag, '/bin/true');
  await podman('rmi', '-f', tag);
  if (ran.code !== 0) return `podman cannot run containers in this sandbox (runc run of a trivial image failed): ${ran.out.trim().slice(0, 800)}`;
  return undefined;
}

test('the Dockerfile builds an image that serves the model, logs JSON with request ids and stops cleanly on SIGTERM', {
  skip: enabled ? false : 'set MLCOMPILE_CONTAINER_TESTS=1 to build and run the container (needs podman and runc)',
  timeout: 1_200_000,
}, async (t) => {
  const why = await preflight();
  if (why !== undefined) {
    t.skip(why);
    return;
  }
  const dir = join(tempDir('mlc-container-'), 'out');
  await compileServerToDir(join(MLP, 'model.onnx'), dir);
  const tag = `localhost/mlcompile-test-mlp:${process.pid}`;
  const name = `mlcompile-test-${process.pid}`;
  const build = await script('build', dir, tag);
  assert.equal(build.code, 0, `build failed:\n${build.out}`);
  const port = await freePort();
  // Batch jobs read and write in /tmp/jobs inside the container (made below, as the image's user).
  const start = await script('start', tag, name, `PORT=${port}`, 'MLCOMPILE_DATA_DIR=/tmp/jobs');
  assert.equal(start.code, 0, `start failed:\n${start.out}`);
  try {
    const url = `http://127.0.0.1:${port}`;
    let ready = false;
    for (let i = 0; i < 150 && !ready; i++) {
      ready = await request(`${url}/v2/health/ready`).then((r) => r.status === 200, () => false);
      if (!ready) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(ready, `the container never became ready:\n${(await podman('logs', name)).out}`);
    const health = await script('health', name);
    assert.equal(health.code, 0, `HEALTHCHECK failed:\n${health.out}`);

    const inputs = readJsonl(join(MLP, 'inputs.jsonl'));
    const expected = readJsonl(join(MLP, 'expected.jsonl'));
    const f = inputs[1].features;
    await exerciseRoutes(url, name, f, expected[1]);
    const inv = await fetch(`${url}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-request-id': 'container-1' }, body: JSON.stringify({ instances: [f.data.slice(0, 4)] }) });
    assert.equal(inv.status, 200, await inv.text());
    assert.equal(inv.headers.get('x-request-id'), 'container-1');
    // The image runs as the unprivileged user and holds the server, the models and no sources.
    const id = await podman('exec', name, 'id', '-u');
    assert.equal(id.out.trim(), '1000');
    const files = (await podman('exec', name, 'find', '/app', '-type', 'f')).out.trim().split('\n').sort();
    for (const f2 of ['/app/server.mjs', '/app/openapi.json', '/app/THIRD-PARTY-NOTICES.txt', '/app/models/mlp/1/manifest.json', '/app/models/mlp/1/model.mjs']) assert.ok(files.includes(f2), `${f2} missing: ${files.join(' ')}`);
    assert.deepEqual(files.filter((p) => /\/(runtime|k8s)\/|\.ts$|package\.json$|Dockerfile|README/.test(p) && !p.endsWith('.d.ts')), [], 'sources or deployment files in the image');

    // `podman stop` sends the image's STOPSIGNAL (SIGTERM) to node, PID 1: it drains and exits 0.
    const stop = await podman('stop', '-t', '20', name);
    assert.equal(stop.code, 0, stop.out);
    const exit = await podman('inspect', '--format', '{{.State.ExitCode}}', name);
    assert.equal(exit.out.trim(), '0', `exit code after SIGTERM:\n${(await podman('logs', name)).out}`);
    const logs = (await podman('logs', name)).out.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(logs.some((l) => l.reqId === 'container-1' && l.msg === 'request completed' && l.status === 200), 'no access log line for the request');
    assert.ok(logs.some((l) => l.msg === 'SIGTERM: in-flight requests finished, exiting'), 'no shutdown line');
  } finally {
    await script('stop', name);
    await podman('rmi', '-f', tag);
    removeTempDirs();
  }
});

/** The routes a client uses, over HTTP against the running container. */
async function exerciseRoutes(url: string, name: string, f: { dims: number[]; data: number[] }, expected: Record<string, { data: number[] }>): Promise<void> {
  const oip = new OpenApi(SPEC);
  const get = (path: string): Promise<JsonResponse> => request(url + path);
  const conforms = (path: string, template: string, method: string, r: JsonResponse): void => {
    const schema = oip.responseSchema(template, method, r.status) ?? (r.status >= 400 ? oip.component('inference_error_response') : undefined);
    assert.ok(schema !== undefined, `no schema for ${method} ${template} ${r.status}`);
    assert.deepEqual(oip.validate(r.body, schema), [], `${method} ${path} (${r.status}): ${r.text}`);
  };
  for (const path of ['/v2/health/live', '/v2/health/ready', '/ping', '/v2/models/mlp/ready', '/v2/models/mlp/versions/1/ready']) {
    assert.equal((await get(path)).status, 200, path);
  }
  const server = await get('/v2');
  conforms('/v2', '/v2/', 'GET', server);
  for (const path of ['/v2/models/mlp', '/v2/models/mlp/versions/1']) {
    const meta = await get(path);
    assert.equal(meta.status, 200, meta.text);
    conforms(path, '/v2/models/${MODEL_NAME}/versions/${MODEL_VERSION}', 'GET', meta);
  }

  const infer = '/v2/models/${MODEL_NAME}/versions/${MODEL_VERSION}/infer';
  const r = await postJson(`${url}/v2/models/mlp/infer`, { id: 'c1', inputs: [{ name: 'features', shape: f.dims, datatype: 'FP32', data: f.data }] });
  assert.equal(r.status, 200, r.text);
  conforms('/v2/models/mlp/infer', infer, 'POST', r);
  const outputs = (r.body as { outputs: { name: string; data: number[] }[] }).outputs;
  for (const o of outputs) assertClose(o.data, expected[o.name].data, o.name);
  const bad = await postJson(`${url}/v2/models/mlp/versions/1/infer`, { inputs: [{ name: 'features', shape: [1, 3], datatype: 'FP32', data: [1, 2, 3] }] });
  assert.equal(bad.status, 400, bad.text);
  assert.equal((bad.body as { code: string }).code, 'MLS_ERR_BAD_TENSOR_SHAPE');
  conforms('/v2/models/mlp/versions/1/infer', infer, 'POST', bad);

  // /invocations: SageMaker JSON and CSV, MLflow dataframe_split; the same first row each time.
  const row = f.data.slice(0, 4);
  const logits0 = expected.logits.data.slice(0, 3);
  const first = (res: JsonResponse): number[] => (res.body as { predictions: { logits: number[] }[] }).predictions[0].logits;
  assertClose(first(await postJson(`${url}/invocations`, { instances: [row] })), logits0, 'instances');
  assertClose(first(await request(`${url}/invocations`, { body: `${row.join(',')}\n`, headers: { 'content-type': 'text/csv' } })), logits0, 'csv');
  assertClose(first(await postJson(`${url}/invocations`, { dataframe_split: { columns: ['a', 'b', 'c', 'd'], data: [row] } })), logits0, 'dataframe_split');

  // The batch route, and the same rows as a batch job on a file inside the container.
  const csv = featuresCsv(featureRows(500));
  const batch = await fetch(`${url}/v2/models/mlp/batch?join=true`, { method: 'POST', headers: { 'content-type': 'text/csv' }, body: csv });
  const batchText = await batch.text();
  assert.equal(batch.status, 200, batchText);
  assert.equal(batchText.trimEnd().split('\n').length, 501);
  const tmp = tempDir('mlc-container-data-');
  writeFileSync(join(tmp, 'rows.csv'), csv);
  assert.equal((await sh('podman', ['exec', name, 'mkdir', '-p', '/tmp/jobs/out'])).code, 0);
  const cp = await sh('podman', ['cp', join(tmp, 'rows.csv'), `${name}:/tmp/jobs/rows.csv`]);
  assert.equal(cp.code, 0, cp.out);
  const submitted = await postJson(`${url}/v2/models/mlp/jobs`, { input: 'rows.csv', output: 'out/rows.csv', join: true });
  assert.equal(submitted.status, 202, submitted.text);
  const jobUrl = (submitted.body as { url: string }).url;
  let state = '';
  for (let i = 0; i < 300 && !['succeeded', 'failed', 'cancelled'].includes(state); i++) {
    if (i > 0) await new Promise((res) => setTimeout(res, 100));
    state = ((await get(jobUrl)).body as { state: string }).state;
  }
  assert.equal(state, 'succeeded');
  assert.equal((await sh('podman', ['exec', name, 'cat', '/tmp/jobs/out/rows.csv'])).out, batchText);

  // Discovery and code on demand.
  const index = await get('/');
  assert.equal((index.body as { links: Record<string, string> }).links.openapi, '/openapi.json');
  assert.equal((await get('/openapi.json')).status, 200);
  const mod = await get('/v2/models/mlp/versions/1/module.mjs');
  assert.equal(mod.status, 200);
  assert.match(mod.text, /export/);

  const metrics = await get('/metrics');
  assert.equal(metrics.status, 200);
  assert.match(metrics.text, /^mlcompile_http_requests_total\{route="\/v2\/models\/:model_name\/infer",method="POST",status="200",model="mlp",version="1"\} 1$/m);
  assert.match(metrics.text, /^mlcompile_batch_rows_scored_total\{model="mlp",version="1",source="job"\} 500$/m);
  assert.match(metrics.text, /^mlcompile_errors_total\{kind="MLS_ERR_BAD_TENSOR_SHAPE",status="400"/m);
}
