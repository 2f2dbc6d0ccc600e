// Issue 9's four slices together, as a user runs them: `node DIR/server.mjs` with one
// configuration file that sets a production profile (bearer token), routing with a
// shadow, capture and (through --baseline) drift monitoring. Checks that they compose:
// auth answers first (a refused request is neither routed nor captured), then routing
// headers, the capture file, the drift gauges and the shadow metric; unloading a routed
// version sends its share to the latest (one warning, a metric); a reload that changes
// the profile's capture rate changes what is captured.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { compileServerToDir } from '../../src/server-api.js';
import { DRIFT_PMML, drawRows, metricValue, oipBody, rowsCsv } from './support/capture-drift-fixtures.js';
import { removeTempDirs, request, startServer, tempDir, type RunningServer } from './support/server-process.js';

const TOKEN = 'integration-token-3c9e1a';
const AUTH = { authorization: `Bearer ${TOKEN}` };

let dir: string;
let server: RunningServer | undefined;

before(async () => {
  const work = tempDir('mlc-lifecycle-all-');
  const model = join(work, 'drifty.pmml');
  writeFileSync(model, DRIFT_PMML);
  const data = join(work, 'train.csv');
  writeFileSync(data, rowsCsv(drawRows(2000, 41)));
  dir = join(work, 'srv');
  for (const v of ['1', '2', '3']) await compileServerToDir(model, dir, { name: 'drifty', modelVersion: v, baseline: data });
});

after(async () => {
  if (server !== undefined) await server.stop();
  removeTempDirs();
});

function configText(captureRate: number): string {
  return [
    `profile: { name: production, captureRate: ${captureRate} }`,
    'capture: { dir: captured }',
    'routing:',
    '  drifty:',
    '    split:',
    '      - { version: "1", weight: 50 }',
    '      - { version: "2", weight: 50 }',
    '    shadow: { version: "3" }',
    '',
  ].join('\n');
}

function infer(url: string, headers: Record<string, string>, rows = drawRows(20, 42)) {
  return request(`${url}/v2/models/drifty/infer`, { body: JSON.stringify(oipBody(rows)), headers: { 'content-type': 'application/json', ...headers } });
}

function captured(): Record<string, unknown>[] {
  const captureDir = join(dir, 'captured');
  if (!existsSync(captureDir)) return [];
  return readdirSync(captureDir).filter((n) => n.startsWith('capture-drifty-')).sort()
    .flatMap((n) => readFileSync(join(captureDir, n), 'utf8').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>));
}

/** Waits for `check` to hold (capture and shadow work happen after the answer). */
async function eventually(what: string, check: () => boolean | Promise<boolean>): Promise<void> {
  for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`${what}: not within 10 s`);
}

test('production profile + routing + shadow + capture + drift in one real server.mjs', async () => {
  const config = join(dir, 'mlcompile.yaml');
  writeFileSync(config, configText(1));
  // The config file is reloaded over HTTP below: the watches are off (MLCOMPILE_WATCH=0 stops both).
  server = await startServer(dir, { MLCOMPILE_AUTH_TOKENS: TOKEN, MLCOMPILE_WATCH: '0', MLCOMPILE_ROUTING_SEED: '9', MLCOMPILE_DRIFT_WINDOW: '100' });
  const url = server.url;
  assert.match(server.output(), /environment: production profile/);
  assert.match(server.output(), /routing in force for 1 model/);

  // Auth first: no token or a bad one gets 401 before any routing (no X-Routed-Version) and is not captured.
  const refusedHeaders: Record<string, string>[] = [{}, { authorization: 'Bearer not-the-token' }];
  for (const headers of refusedHeaders) {
    const refused = await infer(url, headers);
    assert.equal(refused.status, 401, refused.text);
    assert.equal((refused.body as { code: string }).code, 'MLS_ERR_UNAUTHORIZED');
    assert.equal(refused.contentType.includes('json'), true);
  }
  assert.equal((await request(`${url}/v2/health/ready`)).status, 200, 'probes stay open');

  // Then routing: each answer names the version routed to, and the model headers agree with it.
  const seen = new Map<string, number>();
  for (let i = 0; i < 40; i++) {
    const r = await fetch(`${url}/v2/models/drifty/infer`, { method: 'POST', body: JSON.stringify(oipBody(drawRows(20, 100 + i))), headers: { 'content-type': 'application/json', ...AUTH }, signal: AbortSignal.timeout(15_000) });
    assert.equal(r.status, 200);
    await r.arrayBuffer();
    const routed = r.headers.get('x-routed-version') ?? '';
    assert.equal(r.headers.get('x-model-version'), routed);
    assert.equal(r.headers.get('x-model-name'), 'drifty');
    assert.match(r.headers.get('x-model-sha256') ?? '', /^[0-9a-f]{64}$/);
    seen.set(routed, (seen.get(routed) ?? 0) + 1);
  }
  assert.deepEqual([...seen.keys()].sort(), ['1', '2'], `routed: ${JSON.stringify([...seen])}`);

  // Capture: every authorised request (profile rate 1), none of the refused ones.
  await eventually('40 capture records', () => captured().length === 40);
  const first = captured()[0];
  assert.equal(first.model, 'drifty');
  assert.ok(first.version === '1' || first.version === '2');

  // Drift gauges and the shadow's comparison in /metrics (protected or not, the token opens it).
  let metrics = '';
  await eventually('shadow series in /metrics', async () => {
    metrics = (await request(`${url}/metrics`, { headers: AUTH })).text;
    const mirrored = (metricValue(metrics, 'mlcompile_shadow_requests_total', { model: 'drifty', primary: '1', shadow: '3' }) ?? 0)
      + (metricValue(metrics, 'mlcompile_shadow_requests_total', { model: 'drifty', primary: '2', shadow: '3' }) ?? 0);
    return mirrored === 40;
  });
  // The three versions are the same model: the shadow agrees on every request.
  const agreed = (metricValue(metrics, 'mlcompile_shadow_agreement_total', { model: 'drifty', primary: '1', shadow: '3' }) ?? 0)
    + (metricValue(metrics, 'mlcompile_shadow_agreement_total', { model: 'drifty', primary: '2', shadow: '3' }) ?? 0);
  assert.equal(agreed, 40);
  for (const version of ['1', '2']) {
    const psi = metricValue(metrics, 'mlcompile_feature_psi', { model: 'drifty', version, feature: 'x1' });
    assert.ok(psi !== undefined && Number.isFinite(psi), `drift gauge of version ${version}: ${psi}`);
  }

  // Unloading a routed version: one warning, its share served by the latest (3), counted.
  const unload = await request(`${url}/v2/repository/models/drifty/unload`, { body: JSON.stringify({ parameters: { version: '2' } }), headers: { 'content-type': 'application/json', ...AUTH } });
  assert.equal(unload.status, 200, unload.text);
  await eventually('the routing warning', () => /routing\.drifty\.split\[1\]\.version names version \\?"2\\?" of \\?"drifty\\?", which is no longer loaded/.test(server!.output()));
  const routedAfter: string[] = [];
  for (let i = 0; i < 20; i++) {
    const r = await fetch(`${url}/v2/models/drifty/infer`, { method: 'POST', body: JSON.stringify(oipBody(drawRows(5, i))), headers: { 'content-type': 'application/json', ...AUTH }, signal: AbortSignal.timeout(15_000) });
    assert.equal(r.status, 200);
    await r.arrayBuffer();
    routedAfter.push(r.headers.get('x-routed-version') ?? '');
  }
  assert.ok(routedAfter.every((v) => v === '1' || v === '3'), `after unloading 2: ${routedAfter.join(' ')}`);
  metrics = (await request(`${url}/metrics`, { headers: AUTH })).text;
  const fallbacks = metricValue(metrics, 'mlcompile_routing_fallback_total', { model: 'drifty', version: '2' }) ?? 0;
  assert.ok(fallbacks > 0, `mlcompile_routing_fallback_total ${fallbacks}`);
  assert.equal(server.output().match(/which is no longer loaded/g)?.length, 1, 'one warning, not one per request');

  // A reload that sets the profile's capture rate to 0 stops capture (slice d's reload sets capture's default rate).
  await eventually('capture written out', () => captured().length === 60);
  writeFileSync(config, configText(0).replace('"2", weight: 50', '"3", weight: 50'));
  const reloaded = await request(`${url}/v2/repository/config/reload`, { method: 'POST', headers: AUTH });
  assert.equal(reloaded.status, 200, reloaded.text);
  for (let i = 0; i < 10; i++) assert.equal((await infer(url, AUTH)).status, 200);
  await new Promise((r) => setTimeout(r, 300));
  assert.equal(captured().length, 60, 'no capture after the profile rate went to 0');
});
