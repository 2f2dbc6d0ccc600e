// Environments (slice d of issue 9) as users run them: `node server.mjs` with
// MLCOMPILE_PROFILE and a configuration file beside it. Production refuses to start
// without tokens (exit 2, a message saying what to set); with tokens it refuses a bad
// one and serves a good one, probes open; the test profile logs at debug and answers
// CORS; the file's settings apply below the environment's.

import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compileServerToDir } from '../../src/server-api.js';
import { copyToEmptyDir, postJson, removeTempDirs, request, startServer, tempDir } from './support/server-process.js';

const MLP = fileURLToPath(new URL('../../fixtures/onnx/mlp/', import.meta.url));
const TOKEN = 'prod-token-6f1d2c3b4a5e';
const BODY = { inputs: [{ name: 'features', datatype: 'FP32', shape: [1, 4], data: [0.1, 0.2, 0.3, 0.4] }] };

let built: string;

before(async () => {
  built = join(tempDir('mlc-profile-build-'), 'server');
  await compileServerToDir(join(MLP, 'model.onnx'), built, { name: 'mlp', modelVersion: '1' });
});
after(removeTempDirs);

function post(url: string, headers: Record<string, string> = {}) {
  return request(url, { method: 'POST', body: JSON.stringify(BODY), headers: { 'content-type': 'application/json', ...headers } });
}

test('production without tokens refuses to start: exit 2 and what to set', async () => {
  await assert.rejects(startServer(copyToEmptyDir(built), { MLCOMPILE_PROFILE: 'production' }), (e: Error) => {
    assert.match(e.message, /exited with code 2 before listening/);
    assert.match(e.message, /production profile requires bearer-token auth/);
    assert.match(e.message, /MLCOMPILE_AUTH_TOKENS/);
    assert.match(e.message, /MLCOMPILE_ALLOW_NO_AUTH=1/);
    return true;
  });
  // Told explicitly: it starts without auth.
  const open = await startServer(copyToEmptyDir(built), { MLCOMPILE_PROFILE: 'production', MLCOMPILE_ALLOW_NO_AUTH: '1' });
  try {
    assert.equal((await post(`${open.url}/v2/models/mlp/infer`)).status, 200);
  } finally {
    await open.stop();
  }
});

test('production with a token file: a bad token and a missing one get 401, the good one is served, probes open', async () => {
  const dir = copyToEmptyDir(built);
  const secret = join(tempDir('mlc-profile-secret-'), 'tokens');
  writeFileSync(secret, `${TOKEN}\n`);
  const server = await startServer(dir, { MLCOMPILE_PROFILE: 'production', MLCOMPILE_AUTH_TOKENS_FILE: secret });
  try {
    const infer = `${server.url}/v2/models/mlp/infer`;
    const bad = await post(infer, { authorization: 'Bearer wrong-token' });
    assert.equal(bad.status, 401);
    assert.deepEqual((bad.body as { code: string }).code, 'MLS_ERR_UNAUTHORIZED');
    const missing = await post(infer);
    assert.equal(missing.status, 401);
    const good = await post(infer, { authorization: `Bearer ${TOKEN}` });
    assert.equal(good.status, 200, good.text);
    for (const path of ['/v2/health/live', '/v2/health/ready', '/ping']) assert.equal((await request(`${server.url}${path}`)).status, 200, path);
    const res = await fetch(infer, { method: 'POST', body: JSON.stringify(BODY), headers: { 'content-type': 'application/json' } });
    assert.equal(res.headers.get('www-authenticate'), 'Bearer realm="mlcompile"');
    await res.arrayBuffer();
    // One startup line with the effective settings, without the token.
    const line = server.output().split('\n').find((l) => l.includes('environment: production profile'));
    assert.ok(line !== undefined, server.output());
    assert.match(line, /"auth":"bearer \(1 token, \/metrics open\)"/);
    assert.match(line, /"bodyLimit":1048576/);
    assert.ok(!server.output().includes(TOKEN), 'the token is never logged');
  } finally {
    assert.equal(await server.stop(), 0);
  }
});

test('test profile: debug log level (probe lines logged), CORS for any origin, no auth needed', async () => {
  const server = await startServer(copyToEmptyDir(built), { MLCOMPILE_PROFILE: 'test' });
  try {
    const res = await fetch(`${server.url}/v2/models/mlp/infer`, { method: 'POST', body: JSON.stringify(BODY), headers: { 'content-type': 'application/json', origin: 'https://ui.example.com' } });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('access-control-allow-origin'), '*');
    await res.arrayBuffer();
    assert.equal((await request(`${server.url}/v2/health/live`)).status, 200);
    // Probe access lines are at debug: written only at the test profile's level. The log is
    // buffered (periodic flush 250 ms), so wait for the line.
    const deadline = Date.now() + 10_000;
    while (!/"level":20[^\n]*"url":"\/v2\/health\/live"/.test(server.output()) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.match(server.output(), /"level":20[^\n]*"url":"\/v2\/health\/live"/);
    assert.match(server.output(), /environment: test profile/);
  } finally {
    await server.stop();
  }
});

test('a configuration file beside server.mjs sets the profile and limits; the environment overrides it', async () => {
  const dir = copyToEmptyDir(built);
  writeFileSync(join(dir, 'mlcompile.yaml'), [
    'profile: { name: production, logLevel: warn }',
    'auth: { required: false }',
    'limits: { rate: "2/1m", body: 1kb }',
    'cors: { origins: [https://app.example.com] }',
    '',
  ].join('\n'));
  // The environment's body limit wins over the file's 1kb; the rest comes from the file.
  const server = await startServer(dir, { MLCOMPILE_BODY_LIMIT: '64kb', LOG_LEVEL: 'info' });
  try {
    const infer = `${server.url}/v2/models/mlp/infer`;
    const first = await fetch(infer, { method: 'POST', body: JSON.stringify(BODY), headers: { 'content-type': 'application/json', origin: 'https://app.example.com' } });
    assert.equal(first.status, 200);
    assert.equal(first.headers.get('access-control-allow-origin'), 'https://app.example.com');
    await first.arrayBuffer();
    assert.equal((await postJson(infer, BODY)).status, 200);
    const limited = await fetch(infer, { method: 'POST', body: JSON.stringify(BODY), headers: { 'content-type': 'application/json' } });
    assert.equal(limited.status, 429);
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    assert.equal(((await limited.json()) as { code: string }).code, 'MLS_ERR_RATE_LIMITED');
    assert.match(server.output(), /environment: production profile/);
    assert.match(server.output(), /"logLevel":"info"/);
    assert.match(server.output(), /"bodyLimit":65536/);
  } finally {
    await server.stop();
  }
});

test('a bad setting stops the start with exit 2 and names the key', async () => {
  const dir = copyToEmptyDir(built);
  writeFileSync(join(dir, 'mlcompile.yaml'), 'limits: { rate: { max: lots } }\n');
  await assert.rejects(startServer(dir), /code 2[\s\S]*limits\.rate\.max/);
});

test('a configuration reload applies new tokens and rate-limit numbers, and refuses production without tokens', async () => {
  const dir = copyToEmptyDir(built);
  const file = join(dir, 'mlcompile.yaml');
  const OLD = 'old-token-1234567890', NEW = 'new-token-0987654321', ADMIN = 'admin-token-5678901234';
  writeFileSync(file, `auth: { tokens: [${OLD}] }\nlimits: { rate: "100/1m" }\n`);
  const server = await startServer(dir, { MLCOMPILE_WATCH: '0' });
  try {
    const infer = `${server.url}/v2/models/mlp/infer`;
    const reload = (token: string) => request(`${server.url}/v2/repository/config/reload`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    assert.equal((await post(infer, { authorization: `Bearer ${OLD}` })).status, 200);
    writeFileSync(file, `auth: { tokens: [${NEW}, ${ADMIN}] }\nlimits: { rate: "1/1m" }\n`);
    assert.equal((await reload(OLD)).status, 200);
    assert.equal((await post(infer, { authorization: `Bearer ${OLD}` })).status, 401);
    assert.equal((await post(infer, { authorization: `Bearer ${NEW}` })).status, 200);
    assert.equal((await post(infer, { authorization: `Bearer ${NEW}` })).status, 429);
    // Production without a token: the reload is refused whole, the previous settings keep applying.
    writeFileSync(file, 'profile: production\n');
    const refused = await reload(ADMIN);
    assert.equal(refused.status, 422, refused.text);
    assert.match(refused.text, /requires bearer-token auth/);
    // Still 1 request a minute (not production's 60,000): this address spent it on the wrong token above.
    assert.equal((await post(infer)).status, 429);
    assert.equal((await post(infer, { authorization: `Bearer ${ADMIN}` })).status, 429);
  } finally {
    await server.stop();
  }
});
