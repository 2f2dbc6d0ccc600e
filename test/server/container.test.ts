// The generated Dockerfile, built and run for real through
// shared/tools/container-run.sh (podman + runc; the script swaps FROM for a local
// base image made of this machine's node binary). Slow, and it installs podman:
// it runs only with MLCOMPILE_CONTAINER_TESTS=1.

import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { compileServerToDir } from '../../src/server-api.js';
import { assertClose, postJson, readJsonl, removeTempDirs, request, tempDir } from './support/server-process.js';

const run = promisify(execFile);
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

async function script(...args: string[]): Promise<{ code: number; out: string }> {
  try {
    const r = await run('bash', [SCRIPT, ...args], { timeout: 900_000, maxBuffer: 16 * 1024 * 1024 });
    return { code: 0, out: r.stdout + r.stderr };
  } catch (e) {
    const err = e as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof err.code === 'number' ? err.code : 1, out: `${err.stdout ?? ''}${err.stderr ?? ''}` };
  }
}

test('the Dockerfile builds an image that serves the model and passes its HEALTHCHECK', {
  skip: enabled ? false : 'set MLCOMPILE_CONTAINER_TESTS=1 to build and run the container (installs podman)',
  timeout: 1_200_000,
}, async () => {
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
    for (let i = 0; i < 100 && !ready; i++) {
      ready = await request(`${url}/v2/health/ready`).then((r) => r.status === 200, () => false);
      if (!ready) await new Promise((r) => setTimeout(r, 200));
    }
    assert.ok(ready, 'the container never became ready');
    const health = await script('health', name);
    assert.equal(health.code, 0, `HEALTHCHECK failed:\n${health.out}`);

    const inputs = readJsonl(join(MLP, 'inputs.jsonl'));
    const expected = readJsonl(join(MLP, 'expected.jsonl'));
    const f = inputs[1].features;
    const r = await postJson(`${url}/v2/models/mlp/infer`, { inputs: [{ name: 'features', shape: f.dims, datatype: 'FP32', data: f.data }] });
    assert.equal(r.status, 200, r.text);
    const outputs = (r.body as { outputs: { name: string; data: number[] }[] }).outputs;
    for (const o of outputs) assertClose(o.data, expected[1][o.name].data, o.name);
    const inv = await postJson(`${url}/invocations`, { instances: [f.data.slice(0, 4)] });
    assert.equal(inv.status, 200, inv.text);
    // The image runs as the unprivileged user and holds only what .dockerignore lets in.
    const id = await run('podman', ['exec', name, 'id', '-u']);
    assert.equal(id.stdout.trim(), '1000');
    const files = await run('podman', ['exec', name, 'find', '/app', '-type', 'f']);
    const list = files.stdout.trim().split('\n').sort();
    assert.deepEqual(list, ['/app/THIRD-PARTY-NOTICES.txt', '/app/models/mlp/1/manifest.json', '/app/models/mlp/1/model.mjs', '/app/openapi.json', '/app/server.mjs']);
  } finally {
    await script('stop', name);
    await run('podman', ['rmi', '-f', tag]).catch(() => undefined);
    removeTempDirs();
  }
});
