// Environments (slice d of issue 9), in-process: the profiles' settings and their
// precedence (environment > configuration file > profile), bearer-token auth (a bad
// or missing token refused, a good one accepted, probes open), rate limits (429 with
// Retry-After), CORS (preflight, allowed and refused origins, module downloads still
// open) and body limits (413). lifecycle-profile-process.test.ts runs server.mjs.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { emitDeployment } from '../../generators/deploy/k8s.js';
import { emitReadme } from '../../generators/deploy/readme.js';
import type { DeployOptions } from '../../generators/deploy/options.js';
import { buildApp } from '../../runtime/server/app.js';
import { TokenVerifier, parseTokenList } from '../../runtime/server/auth.js';
import { ConfigError, DEFAULT_BODY_LIMIT } from '../../runtime/server/config.js';
import { parseConfigText } from '../../runtime/server/config-file.js';
import { ModelRepository, describeModel, type ModelModule } from '../../runtime/server/models-repository.js';
import { PROFILES, describeEnvironment, resolveEnvironment, type EnvironmentSettings } from '../../runtime/server/profile.js';
import { hasAccessControls, type AccessControls } from '../../runtime/server/profile-hooks.js';
import { parseRateText, parseWindow } from '../../runtime/server/rate-limit.js';
import { graph, modelBytes, valueInfo } from '../support/onnx-builder.js';
import { compileBytes } from '../support/run-module.js';

const TMP = mkdtempSync(join(tmpdir(), 'mlc-profile-'));
after(() => rmSync(TMP, { recursive: true, force: true }));

const GOOD = 'good-token-0123456789abcdef';
const OTHER = 'other-token-fedcba9876543210';

function yaml(text: string) {
  return parseConfigText(text, 'mlcompile.yaml');
}

let modulePromise: Promise<ModelModule> | undefined;
function identityModule(): Promise<ModelModule> {
  modulePromise ??= compileBytes(modelBytes(graph({
    name: 'id',
    nodes: [{ op: 'Identity', inputs: ['x'], outputs: ['y'], name: 'id' }],
    inputs: [valueInfo('x', 'float32', ['N', 2])],
    outputs: [valueInfo('y', 'float32', ['N', 2])],
  })), 'id.onnx').then((c) => c.mod as unknown as ModelModule);
  return modulePromise;
}

async function appFor(environment: EnvironmentSettings, onAccessControls?: (c: AccessControls) => void) {
  const repo = new ModelRepository(undefined);
  repo.add(describeModel('id', '1', await identityModule()));
  const { app } = buildApp({ repository: repo, bodyLimit: environment.bodyLimit, environment, onAccessControls, metrics: false });
  await app.ready();
  return app;
}

const INFER = { inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: [1, 2] }] };

function infer(app: Awaited<ReturnType<typeof appFor>>, headers: Record<string, string> = {}) {
  return app.inject({ method: 'POST', url: '/v2/models/id/infer', payload: JSON.stringify(INFER), headers: { 'content-type': 'application/json', ...headers } });
}

describe('profiles and precedence', () => {
  test('unset is development: the server as before, nothing on', () => {
    const s = resolveEnvironment({}, {});
    assert.equal(s.profile, 'development');
    assert.equal(s.logLevel, 'info');
    assert.equal(s.bodyLimit, DEFAULT_BODY_LIMIT);
    assert.deepEqual(s.auth.tokens, []);
    assert.equal(s.rateLimit, null);
    assert.equal(s.cors, null);
    assert.equal(s.captureRate, undefined);
    assert.equal(hasAccessControls(s), false);
  });

  test('test: debug logs, any origin, auth optional, capture everything once configured', () => {
    const s = resolveEnvironment({ MLCOMPILE_PROFILE: 'test' }, {});
    assert.equal(s.logLevel, 'debug');
    assert.deepEqual(s.cors?.origins, ['*']);
    assert.deepEqual(s.auth.tokens, []);
    assert.equal(s.captureRate, undefined, 'a profile alone starts no capture');
    assert.equal(resolveEnvironment({ MLCOMPILE_PROFILE: 'test', MLCOMPILE_CAPTURE_DIR: '/tmp/x' }, {}).captureRate, 1);
  });

  test('production: auth required, rate limited, no CORS, 1 MiB bodies', () => {
    const s = resolveEnvironment({ MLCOMPILE_PROFILE: 'production', MLCOMPILE_AUTH_TOKENS: `${GOOD}, ${OTHER}` }, {});
    assert.equal(s.logLevel, 'info');
    assert.deepEqual(s.auth.tokens, [GOOD, OTHER]);
    assert.deepEqual(s.rateLimit, PROFILES.production.rateLimit);
    assert.equal(s.cors, null);
    assert.equal(s.bodyLimit, 1024 * 1024);
    assert.equal(resolveEnvironment({ MLCOMPILE_PROFILE: 'production', MLCOMPILE_AUTH_TOKENS: GOOD }, { capture: {} }).captureRate, 0.1);
  });

  test('production refuses to start without tokens, unless told explicitly', () => {
    assert.throws(() => resolveEnvironment({ MLCOMPILE_PROFILE: 'production' }, {}), (e: Error) => e instanceof ConfigError && /MLCOMPILE_AUTH_TOKENS/.test(e.message) && /MLCOMPILE_ALLOW_NO_AUTH=1/.test(e.message));
    assert.throws(() => resolveEnvironment({}, yaml('profile: production')), ConfigError);
    assert.throws(() => resolveEnvironment({ MLCOMPILE_PROFILE: 'production', MLCOMPILE_ALLOW_NO_AUTH: '0' }, {}), ConfigError);
    assert.deepEqual(resolveEnvironment({ MLCOMPILE_PROFILE: 'production', MLCOMPILE_ALLOW_NO_AUTH: '1' }, {}).auth.tokens, []);
    assert.deepEqual(resolveEnvironment({ MLCOMPILE_PROFILE: 'production' }, yaml('auth: { required: false }')).auth.tokens, []);
    // auth.required: true asks for tokens in any profile.
    assert.throws(() => resolveEnvironment({}, yaml('auth: { required: true }')), ConfigError);
  });

  test('environment > configuration file > profile, setting by setting', () => {
    const file = yaml([
      'profile: { name: production, logLevel: warn }',
      'auth: { required: false, metrics: protected }',
      'limits: { body: 2mb, rate: { max: 50, window: 10s } }',
      'cors: { origins: [https://app.example.com], maxAge: 60 }',
    ].join('\n'));
    const fromFile = resolveEnvironment({}, file);
    assert.equal(fromFile.profile, 'production');
    assert.equal(fromFile.logLevel, 'warn');
    assert.equal(fromFile.bodyLimit, 2 * 1024 * 1024);
    assert.deepEqual(fromFile.rateLimit, { max: 50, windowMs: 10_000 });
    assert.deepEqual(fromFile.cors, { origins: ['https://app.example.com'], credentials: false, maxAge: 60 });
    assert.equal(fromFile.auth.metrics, 'protected');

    const fromEnv = resolveEnvironment({
      MLCOMPILE_PROFILE: 'test', LOG_LEVEL: 'error', MLCOMPILE_BODY_LIMIT: '3mb', MLCOMPILE_RATE_LIMIT: '7/1s',
      MLCOMPILE_CORS_ORIGINS: 'off', MLCOMPILE_AUTH_METRICS: 'open', MLCOMPILE_AUTH_TOKENS: GOOD,
    }, file);
    assert.equal(fromEnv.profile, 'test');
    assert.equal(fromEnv.logLevel, 'error');
    assert.equal(fromEnv.bodyLimit, 3 * 1024 * 1024);
    assert.deepEqual(fromEnv.rateLimit, { max: 7, windowMs: 1000 });
    assert.equal(fromEnv.cors, null);
    assert.equal(fromEnv.auth.metrics, 'open');
    // The file's rate turned off, the profile's CORS kept.
    const partial = resolveEnvironment({ MLCOMPILE_PROFILE: 'test' }, yaml('limits: { rate: off }'));
    assert.equal(partial.rateLimit, null);
    assert.deepEqual(partial.cors?.origins, ['*']);
  });

  test('tokens from a file (a Kubernetes Secret) or the variable; the environment\'s replace the configuration file\'s', () => {
    const file = join(TMP, 'tokens');
    writeFileSync(file, `# comment\n${GOOD}\n\n${OTHER},${GOOD}\n`);
    assert.deepEqual(resolveEnvironment({ MLCOMPILE_AUTH_TOKENS_FILE: file }, {}).auth.tokens, [GOOD, OTHER]);
    assert.deepEqual(resolveEnvironment({ MLCOMPILE_AUTH_TOKENS: 'abc', MLCOMPILE_AUTH_TOKENS_FILE: file }, {}).auth.tokens, ['abc', GOOD, OTHER]);
    const fileConfig = yaml(`auth: { tokensFile: ${JSON.stringify(file)}, tokens: [xyz] }`);
    assert.deepEqual(resolveEnvironment({}, fileConfig).auth.tokens, ['xyz', GOOD, OTHER]);
    assert.deepEqual(resolveEnvironment({ MLCOMPILE_AUTH_TOKENS: 'abc' }, fileConfig).auth.tokens, ['abc']);
    assert.throws(() => resolveEnvironment({ MLCOMPILE_AUTH_TOKENS_FILE: join(TMP, 'missing') }, {}), /MLCOMPILE_AUTH_TOKENS_FILE=.*cannot be read/);
  });

  test('bad settings are refused with a message naming the key, never quoting a token', () => {
    const refuse = (env: Record<string, string>, file: string, pattern: RegExp) =>
      assert.throws(() => resolveEnvironment(env, yaml(file)), (e: Error) => e instanceof ConfigError && pattern.test(e.message), `${JSON.stringify(env)} ${file}`);
    refuse({ MLCOMPILE_PROFILE: 'prod' }, '', /MLCOMPILE_PROFILE="prod": use one of development, test, production/);
    refuse({}, 'profile: staging', /profile="staging"/);
    refuse({}, 'auth: { tokens: { a: 1 } }', /auth\.tokens must be a list of tokens/);
    refuse({}, 'auth: { requird: false }', /auth\.requird is not a setting/);
    refuse({}, 'auth: { metrics: secret }', /auth\.metrics="secret"/);
    refuse({}, 'limits: { rate: { window: 1m } }', /limits\.rate\.max is missing/);
    refuse({}, 'limits: { rate: { max: -1 } }', /limits\.rate\.max/);
    refuse({}, 'limits: { body: lots }', /limits\.body/);
    refuse({}, 'cors: { origins: [app.example.com] }', /cors\.origins: "app\.example\.com" is not an origin/);
    refuse({}, 'cors: { origins: "*", credentials: true }', /credentials/);
    refuse({ MLCOMPILE_RATE_LIMIT: '10/soon' }, '', /MLCOMPILE_RATE_LIMIT/);
    refuse({ MLCOMPILE_CAPTURE_DIR: '/x' }, 'profile: { captureRate: 2 }', /profile\.captureRate/);
    assert.throws(() => resolveEnvironment({ MLCOMPILE_AUTH_TOKENS: 'good,s3cret value' }, {}), (e: Error) => /token 2 has characters/.test(e.message) && !e.message.includes('s3cret'));
  });

  test('the startup line names every setting and no token', () => {
    const s = resolveEnvironment({ MLCOMPILE_PROFILE: 'production', MLCOMPILE_AUTH_TOKENS: `${GOOD},${OTHER}` }, {});
    const line = JSON.stringify(describeEnvironment(s));
    assert.match(line, /"profile":"production"/);
    assert.match(line, /bearer \(2 tokens, \/metrics open\)/);
    assert.match(line, /60000 requests per 60 s per client/);
    assert.ok(!line.includes(GOOD) && !line.includes(OTHER), line);
  });

  test('rate and window syntax', () => {
    assert.deepEqual(parseRateText('100', 'x'), { max: 100, windowMs: 60_000 });
    assert.deepEqual(parseRateText('5/500ms', 'x'), { max: 5, windowMs: 500 });
    assert.deepEqual(parseRateText('5/2 minutes', 'x'), { max: 5, windowMs: 120_000 });
    assert.equal(parseRateText('off', 'x'), null);
    assert.equal(parseWindow(1500, 'x'), 1500);
    assert.throws(() => parseWindow('0s', 'x'), ConfigError);
  });
});

describe('bearer tokens', () => {
  test('the verifier finds the token, refuses others, tells a missing token apart', () => {
    const v = new TokenVerifier([GOOD, OTHER]);
    assert.equal(v.match(`Bearer ${GOOD}`), 0);
    assert.equal(v.match(`bearer  ${OTHER}`), 1);
    assert.equal(v.match(`Bearer ${GOOD}x`), -1);
    assert.equal(v.match(`Bearer ${GOOD.slice(0, -1)}`), -1);
    assert.equal(v.match('Bearer '), -2);
    assert.equal(v.match(undefined), -2);
    assert.equal(v.match(`Basic ${Buffer.from(`u:${GOOD}`).toString('base64')}`), -2);
    assert.equal(v.match(GOOD), -2);
  });

  test('token lists: commas, lines, comments', () => {
    assert.deepEqual(parseTokenList(' a , b\n# c\nd,', 'T'), ['a', 'b', 'd']);
  });

  test('a bad token and a missing one get 401 with WWW-Authenticate; a good one is served; probes stay open', async () => {
    const app = await appFor(resolveEnvironment({ MLCOMPILE_PROFILE: 'production', MLCOMPILE_AUTH_TOKENS: `${GOOD},${OTHER}` }, {}));
    try {
      const missing = await infer(app);
      assert.equal(missing.statusCode, 401);
      assert.equal(missing.headers['www-authenticate'], 'Bearer realm="mlcompile"');
      assert.equal(missing.json().code, 'MLS_ERR_UNAUTHORIZED');
      assert.match(missing.headers['content-type'] as string, /application\/json/);

      const bad = await infer(app, { authorization: 'Bearer not-the-token' });
      assert.equal(bad.statusCode, 401);
      assert.equal(bad.headers['www-authenticate'], 'Bearer realm="mlcompile", error="invalid_token"');
      assert.deepEqual(Object.keys(bad.json()).sort(), ['code', 'error']);
      assert.ok(!bad.body.includes(GOOD) && !bad.body.includes('not-the-token'));

      for (const token of [GOOD, OTHER]) {
        const good = await infer(app, { authorization: `Bearer ${token}` });
        assert.equal(good.statusCode, 200, good.body);
        assert.deepEqual(good.json().outputs[0].data, [1, 2]);
      }
      // Every other route needs the token too, unknown ones included (no route discovery).
      assert.equal((await app.inject({ url: '/v2/models/id' })).statusCode, 401);
      assert.equal((await app.inject({ url: '/no/such/route' })).statusCode, 401);
      for (const url of ['/v2/health/live', '/v2/health/ready', '/ping']) {
        assert.equal((await app.inject({ url })).statusCode, 200, url);
      }
    } finally {
      await app.close();
    }
  });

  test('/metrics: open by default, protected when asked', async () => {
    const env = { MLCOMPILE_AUTH_TOKENS: GOOD };
    const repo = new ModelRepository(undefined);
    repo.add(describeModel('id', '1', await identityModule()));
    for (const [metrics, status] of [['open', 200], ['protected', 401]] as const) {
      const environment = resolveEnvironment({ ...env, MLCOMPILE_AUTH_METRICS: metrics }, {});
      const { app } = buildApp({ repository: repo, environment });
      await app.ready();
      try {
        assert.equal((await app.inject({ url: '/metrics' })).statusCode, status, metrics);
        assert.equal((await app.inject({ url: '/metrics', headers: { authorization: `Bearer ${GOOD}` } })).statusCode, 200);
      } finally {
        await app.close();
      }
    }
  });

  test('a reload replaces the tokens', async () => {
    let controls: AccessControls | undefined;
    const app = await appFor(resolveEnvironment({ MLCOMPILE_AUTH_TOKENS: GOOD }, {}), (c) => { controls = c; });
    try {
      assert.equal((await infer(app, { authorization: `Bearer ${GOOD}` })).statusCode, 200);
      controls?.update(resolveEnvironment({ MLCOMPILE_AUTH_TOKENS: OTHER }, {}));
      assert.equal((await infer(app, { authorization: `Bearer ${GOOD}` })).statusCode, 401);
      assert.equal((await infer(app, { authorization: `Bearer ${OTHER}` })).statusCode, 200);
    } finally {
      await app.close();
    }
  });
});

describe('rate limits', () => {
  test('over the limit: 429 with Retry-After and a JSON error; per token; probes never limited', async () => {
    const app = await appFor(resolveEnvironment({ MLCOMPILE_PROFILE: 'production', MLCOMPILE_AUTH_TOKENS: `${GOOD},${OTHER}`, MLCOMPILE_RATE_LIMIT: '3/1m' }, {}));
    try {
      const auth = { authorization: `Bearer ${GOOD}` };
      for (let i = 0; i < 3; i++) assert.equal((await infer(app, auth)).statusCode, 200, `request ${i + 1}`);
      const limited = await infer(app, auth);
      assert.equal(limited.statusCode, 429);
      assert.equal(limited.json().code, 'MLS_ERR_RATE_LIMITED');
      const retry = Number(limited.headers['retry-after']);
      assert.ok(retry >= 1 && retry <= 60, `Retry-After ${retry}`);
      // Another token is another client.
      assert.equal((await infer(app, { authorization: `Bearer ${OTHER}` })).statusCode, 200);
      for (let i = 0; i < 5; i++) assert.equal((await app.inject({ url: '/v2/health/ready' })).statusCode, 200);
      // Wrong tokens count against the address: guessing is limited too.
      const codes: number[] = [];
      for (let i = 0; i < 5; i++) codes.push((await infer(app, { authorization: `Bearer guess-${i}` })).statusCode);
      assert.deepEqual(codes, [401, 401, 401, 429, 429]);
    } finally {
      await app.close();
    }
  });

  test('without auth the client is its address; a reload changes the numbers', async () => {
    let controls: AccessControls | undefined;
    const app = await appFor(resolveEnvironment({ MLCOMPILE_RATE_LIMIT: '2/1m' }, {}), (c) => { controls = c; });
    try {
      const from = (ip: string) => app.inject({ method: 'POST', url: '/v2/models/id/infer', payload: JSON.stringify(INFER), headers: { 'content-type': 'application/json' }, remoteAddress: ip });
      assert.deepEqual([(await from('10.0.0.1')).statusCode, (await from('10.0.0.1')).statusCode, (await from('10.0.0.1')).statusCode], [200, 200, 429]);
      assert.equal((await from('10.0.0.2')).statusCode, 200);
      controls?.update(resolveEnvironment({ MLCOMPILE_RATE_LIMIT: '100/1m' }, {}));
      assert.equal((await from('10.0.0.1')).statusCode, 200);
    } finally {
      await app.close();
    }
  });
});

describe('CORS and body limits', () => {
  test('test profile: any origin, preflight answered before auth', async () => {
    const app = await appFor(resolveEnvironment({ MLCOMPILE_PROFILE: 'test', MLCOMPILE_AUTH_TOKENS: GOOD }, {}));
    try {
      const pre = await app.inject({ method: 'OPTIONS', url: '/v2/models/id/infer', headers: { origin: 'https://ui.example.com', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' } });
      assert.equal(pre.statusCode, 204);
      assert.equal(pre.headers['access-control-allow-origin'], '*');
      assert.match(String(pre.headers['access-control-allow-methods']), /POST/);
      assert.match(String(pre.headers['access-control-allow-headers']), /Authorization/);
      const res = await infer(app, { origin: 'https://ui.example.com', authorization: `Bearer ${GOOD}` });
      assert.equal(res.statusCode, 200);
      assert.equal(res.headers['access-control-allow-origin'], '*');
      // A 401 is readable by the page too (it carries the CORS headers).
      const refused = await infer(app, { origin: 'https://ui.example.com' });
      assert.equal(refused.statusCode, 401);
      assert.equal(refused.headers['access-control-allow-origin'], '*');
    } finally {
      await app.close();
    }
  });

  test('a list of origins: allowed ones echoed, others get no CORS headers; module downloads stay open', async () => {
    const app = await appFor(resolveEnvironment({ MLCOMPILE_CORS_ORIGINS: 'https://app.example.com' }, {}));
    try {
      const ok = await infer(app, { origin: 'https://app.example.com' });
      assert.equal(ok.headers['access-control-allow-origin'], 'https://app.example.com');
      assert.match(String(ok.headers.vary), /Origin/i);
      const other = await infer(app, { origin: 'https://evil.example.com' });
      assert.equal(other.statusCode, 200);
      assert.equal(other.headers['access-control-allow-origin'], undefined);
      const mod = await app.inject({ url: '/v2/models/id/versions/1/module.mjs', headers: { origin: 'https://evil.example.com' } });
      assert.equal(mod.headers['access-control-allow-origin'], '*');
    } finally {
      await app.close();
    }
  });

  test('development and production: no CORS headers on the API', async () => {
    for (const env of [{}, { MLCOMPILE_PROFILE: 'production', MLCOMPILE_AUTH_TOKENS: GOOD }]) {
      const app = await appFor(resolveEnvironment(env, {}));
      try {
        const res = await infer(app, { origin: 'https://app.example.com', authorization: `Bearer ${GOOD}` });
        assert.equal(res.statusCode, 200);
        assert.equal(res.headers['access-control-allow-origin'], undefined);
      } finally {
        await app.close();
      }
    }
  });

  test('production: bodies over 1 MiB get 413; development takes them', async () => {
    const big = JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP32', shape: [1, 2], data: [1, 2] }], parameters: { pad: 'x'.repeat(1024 * 1024 + 10) } });
    const prod = await appFor(resolveEnvironment({ MLCOMPILE_PROFILE: 'production', MLCOMPILE_AUTH_TOKENS: GOOD }, {}));
    const dev = await appFor(resolveEnvironment({}, {}));
    try {
      const refused = await prod.inject({ method: 'POST', url: '/v2/models/id/infer', payload: big, headers: { 'content-type': 'application/json', authorization: `Bearer ${GOOD}` } });
      assert.equal(refused.statusCode, 413);
      assert.equal(refused.json().code, 'MLS_ERR_BODY_TOO_LARGE');
      const taken = await dev.inject({ method: 'POST', url: '/v2/models/id/infer', payload: big, headers: { 'content-type': 'application/json' } });
      assert.notEqual(taken.statusCode, 413);
    } finally {
      await prod.close();
      await dev.close();
    }
  });
});

describe('nothing added when off; deployment and README', () => {
  test('development without settings registers no plugin or hook; production does', async () => {
    const dev = await appFor(resolveEnvironment({}, {}));
    const prod = await appFor(resolveEnvironment({ MLCOMPILE_PROFILE: 'test', MLCOMPILE_AUTH_TOKENS: GOOD, MLCOMPILE_RATE_LIMIT: '10/1s' }, {}));
    try {
      assert.equal(dev.hasPlugin('mlcompile-access-control'), false);
      assert.equal(dev.hasPlugin('@fastify/cors'), false);
      assert.equal(dev.hasPlugin('@fastify/rate-limit'), false);
      assert.equal(prod.hasPlugin('mlcompile-access-control'), true);
      assert.equal(prod.hasPlugin('@fastify/cors'), true);
      assert.equal(prod.hasPlugin('@fastify/rate-limit'), true);
    } finally {
      await dev.close();
      await prod.close();
    }
  });

  const DEPLOY: DeployOptions = {
    compiler: 'mlcompile 0.1.0', appName: 'iris', port: 8080,
    models: [{ name: 'iris', version: '1', format: 'onnx', sha256: '0'.repeat(64), inputs: [{ name: 'x', datatype: 'FP32', shape: [-1, 4], type: 'float32' }], outputs: [] }],
    latest: new Map([['iris', '1']]),
  };

  test('the Deployment runs the production profile with tokens from a Secret it does not contain', () => {
    const d = emitDeployment(DEPLOY);
    assert.match(d, /- name: MLCOMPILE_PROFILE\n\s+value: production/);
    assert.match(d, /- name: MLCOMPILE_AUTH_TOKENS\n\s+valueFrom:\n\s+secretKeyRef:\n\s+name: iris-auth\n\s+key: tokens/);
    assert.doesNotMatch(d, /kind: Secret/);
  });

  test('the README documents the profiles with curl examples', () => {
    const r = emitReadme(DEPLOY);
    assert.match(r, /## Environments: profiles, auth, rate limits, CORS/);
    assert.match(r, /curl -H "Authorization: Bearer \$TOKEN" -H 'Content-Type: application\/json' http:\/\/localhost:8080\/v2\/models\/iris\/infer/);
    assert.match(r, /kubectl create secret generic iris-auth/);
    assert.match(r, /MLS_ERR_RATE_LIMITED/);
  });
});
