// The generated Dockerfile, built and run for real through
// shared/tools/container-run.sh (podman + runc; the script swaps FROM for a local
// base image made of this machine's node binary). Slow, and it may install podman:
// it runs only with MLCOMPILE_CONTAINER_TESTS=1 (.ci/run sets it once podman is in).
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
import { assertClose, postJson, readJsonl, removeTempDirs, request, tempDir } from './support/server-process.js';

const run = promisify(execFile);
// shared/ sits beside the repository (../shared from its root).
const SCRIPT = fileURLToPath(new URL('../../../shared/tools/container-run.sh', import.meta.url));
const MLP = fileURLToPath(new URL('../../fixtures/onnx/mlp/', import.meta.url));
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
  const start = await script('start', tag, name, `PORT=${port}`);
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
    const r = await postJson(`${url}/v2/models/mlp/infer`, { inputs: [{ name: 'features', shape: f.dims, datatype: 'FP32', data: f.data }] });
    assert.equal(r.status, 200, r.text);
    const outputs = (r.body as { outputs: { name: string; data: number[] }[] }).outputs;
    for (const o of outputs) assertClose(o.data, expected[1][o.name].data, o.name);
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
