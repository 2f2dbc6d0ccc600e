// Routing between versions, in-process (app.inject): the routing section's validation,
// the weighted A/B split over 10,000 requests, canary, sticky assignment, explicit
// versions, X-Routed-Version, shadow traffic with agreement in /metrics, and config
// reloads (HTTP call and file watch) that refuse a bad file and keep the old routing.

import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { FastifyRequest } from 'fastify';
import { Registry } from 'prom-client';
import { buildApp } from '../../runtime/server/app.js';
import { ConfigError } from '../../runtime/server/config.js';
import { ConfigReloader } from '../../runtime/server/config-reload.js';
import { ModelRepository, describeModel, type ModelModule } from '../../runtime/server/models-repository.js';
import { checkRouting, parseRoutingSection, routingFromSection } from '../../runtime/server/routing-config.js';
import { Router, fnv1a, readRoutingSeed, stickyDraw, stickyKeyFromBody } from '../../runtime/server/routing.js';
import { ShadowRecorder, compareAnswers } from '../../runtime/server/shadow.js';

const dirs: string[] = [];
after(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

/** A record model (PMML-like) y = f(x), tagged with its version. */
function recordModule(version: string, f: (x: number) => number): ModelModule {
  return {
    metadata: {
      name: 'm', version, format: 'pmml',
      inputs: [{ name: 'x', type: 'double', shape: null }],
      outputs: [{ name: 'y', type: 'double', shape: null }],
    },
    predict: (r: Record<string, unknown>) => ({ y: f(r.x as number) }),
  };
}

/** Model "m" in versions 1..4 (4: y = x + 1 for x ≥ 0, so it disagrees with the others there) and model "other" v1. */
function repository(): ModelRepository {
  const repo = new ModelRepository('m');
  for (const v of ['1', '2', '3']) repo.add(describeModel('m', v, recordModule(v, (x) => 2 * x)));
  repo.add(describeModel('m', '4', recordModule('4', (x) => (x >= 0 ? 2 * x + 1 : 2 * x))));
  repo.add(describeModel('other', '1', recordModule('1', (x) => x)));
  return repo;
}

/**
 * The routing PRNG's seed in these tests: every draw, and so every share measured below, is
 * the same on every run (CI cannot flake), while the shares are still a real measurement of
 * the router over thousands of draws, checked against the configured weights.
 */
const ROUTING_SEED = 20261126;

async function appWith(section: unknown, opts: { reloader?: ConfigReloader; seed?: number } = {}) {
  const repo = repository();
  const built = buildApp({ repository: repo, routing: routingFromSection(section, repo), configReloader: opts.reloader, routingSeed: opts.seed ?? ROUTING_SEED });
  await built.app.ready();
  return built;
}

type App = Awaited<ReturnType<typeof appWith>>['app'];

function inferBody(x: number, parameters?: Record<string, unknown>): string {
  return JSON.stringify({ inputs: [{ name: 'x', datatype: 'FP64', shape: [1], data: [x] }], ...(parameters === undefined ? {} : { parameters }) });
}

async function infer(app: App, x = 1, opts: { url?: string; headers?: Record<string, string>; parameters?: Record<string, unknown> } = {}) {
  const r = await app.inject({ method: 'POST', url: opts.url ?? '/v2/models/m/infer', payload: inferBody(x, opts.parameters), headers: { 'content-type': 'application/json', ...opts.headers } });
  return { status: r.statusCode, routed: r.headers['x-routed-version'] as string | undefined, body: r.json() as Record<string, unknown> };
}

/** Share of each version among `n` routed requests. */
async function split(app: App, n: number, next: (i: number) => Promise<{ routed: string | undefined }>): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  // 50 requests in flight at a time: the count is the same, the wall time much shorter.
  for (let i = 0; i < n; i += 50) {
    const batch = await Promise.all(Array.from({ length: Math.min(50, n - i) }, (_, k) => next(i + k)));
    for (const { routed } of batch) {
      assert.ok(routed !== undefined, 'X-Routed-Version on every routed response');
      counts[routed] = (counts[routed] ?? 0) + 1;
    }
  }
  void app;
  return Object.fromEntries(Object.entries(counts).map(([v, c]) => [v, c / n]));
}

function expectConfigError(section: unknown, pattern: RegExp, repo?: ModelRepository): void {
  assert.throws(() => (repo === undefined ? parseRoutingSection(section) : routingFromSection(section, repo)), (e: unknown) => {
    assert.ok(e instanceof ConfigError, `ConfigError, got ${String(e)}`);
    assert.match(e.message, pattern);
    return true;
  });
}

test('routing section: bad shapes and types are refused naming the key', () => {
  expectConfigError([1], /^routing: give a mapping/);
  expectConfigError({ m: [{ version: '1', weight: 90 }, { version: '2', weight: 5 }] }, /^routing\.m: the weights add up to 95, not 100/);
  expectConfigError({ m: [{ version: '1', weight: '90' }, { version: '2', weight: 10 }] }, /^routing\.m\[0\]\.weight: give a number from 0 to 100, not string "90"/);
  expectConfigError({ m: [{ version: '1', weight: 50 }, { version: '1', weight: 50 }] }, /^routing\.m\[1\]\.version: version "1" is listed twice/);
  expectConfigError({ m: [{ version: '1', weight: 100, extra: 1 }] }, /^routing\.m\[0\]\.extra: unknown key/);
  expectConfigError({ m: { canary: { version: '3', percent: 150 } } }, /^routing\.m\.canary\.percent: give a number from 0 to 100/);
  expectConfigError({ m: { canary: { version: '3', percent: 5 }, split: [] } }, /^routing\.m: give split or canary, not both/);
  expectConfigError({ m: { sticky: { header: 'x-user', key: 'id' } } }, /^routing\.m\.sticky: give exactly one of header or key/);
  expectConfigError({ m: { sticky: { header: 'bad header' } } }, /^routing\.m\.sticky\.header: give an HTTP header name/);
  expectConfigError({ m: { shadow: { version: '4', tolerance: -1 } } }, /^routing\.m\.shadow\.tolerance/);
  expectConfigError({ m: { wieghts: [] } }, /^routing\.m\.wieghts: unknown key; use split, canary, primary, sticky, shadow/);
  expectConfigError({ m: { primary: { v: 1 } } }, /^routing\.m\.primary: give a version name/);
  // Names against the loaded models.
  const repo = repository();
  expectConfigError({ nope: [{ version: '1', weight: 100 }] }, /^routing\.nope: no model "nope" is loaded/, repo);
  expectConfigError({ m: [{ version: '1', weight: 60 }, { version: '9', weight: 40 }] }, /^routing\.m\[1\]\.version: model "m" has no version "9"; it has "1", "2", "3", "4"/, repo);
  expectConfigError({ m: { canary: { version: '7', percent: 5 } } }, /^routing\.m\.canary\.version: model "m" has no version "7"/, repo);
  expectConfigError({ m: { shadow: '8' } }, /^routing\.m\.shadow\.version: model "m" has no version "8"/, repo);
  // Good forms: YAML numbers as versions, decimal weights, null section.
  const t = parseRoutingSection({ m: [{ version: 1, weight: 33.3 }, { version: 2, weight: 33.3 }, { version: 3, weight: 33.4 }] });
  assert.deepEqual(t.get('m')?.arms.map((a) => [a.version, a.upTo]), [['1', 33.3], ['2', 66.6], ['3', 100]]);
  checkRouting(t, repo);
  assert.equal(parseRoutingSection(null).size, 0);
});

test('A/B split: 90/10 over 10,000 requests lands within 2 % of the weights', async () => {
  const { app } = await appWith({ m: [{ version: '1', weight: 90 }, { version: '2', weight: 10 }] });
  const shares = await split(app, 10_000, () => infer(app, 1));
  console.log(`A/B split over 10,000 requests: version 1 ${(shares['1'] * 100).toFixed(2)} %, version 2 ${(shares['2'] * 100).toFixed(2)} % (configured 90/10)`);
  assert.deepEqual(Object.keys(shares).sort(), ['1', '2']);
  assert.ok(Math.abs(shares['1'] - 0.9) <= 0.02, `version 1: ${shares['1']}`);
  assert.ok(Math.abs(shares['2'] - 0.1) <= 0.02, `version 2: ${shares['2']}`);
  await app.close();
});

test('canary: 5 % to the canary, the rest to the primary (default: the latest)', async () => {
  const { app } = await appWith({ m: { canary: { version: '3', percent: 5 }, primary: '1' } });
  const shares = await split(app, 2000, () => infer(app, 1));
  console.log(`canary over 2,000 requests: version 3 ${(shares['3'] * 100).toFixed(2)} % (configured 5 %), version 1 ${(shares['1'] * 100).toFixed(2)} %`);
  assert.deepEqual(Object.keys(shares).sort(), ['1', '3']);
  assert.ok(Math.abs(shares['3'] - 0.05) <= 0.02);
  await app.close();
  const latest = await appWith({ m: { canary: { version: '2', percent: 0 } } });
  assert.equal((await infer(latest.app)).routed, '4', 'without primary, the rest goes to the latest');
  await latest.app.close();
});

test('sticky by header: the same key always gets the same version, in every replica; keys spread by the weights', async () => {
  const section = { m: { split: [{ version: '1', weight: 50 }, { version: '2', weight: 50 }], sticky: { header: 'X-User-Id' } } };
  const a = await appWith(section, { seed: 1 });
  const b = await appWith(section, { seed: 99 });
  const counts: Record<string, number> = {};
  for (let u = 0; u < 400; u++) {
    const headers = { 'x-user-id': `user-${u}` };
    const first = (await infer(a.app, 1, { headers })).routed as string;
    assert.equal((await infer(a.app, 2, { headers })).routed, first, `user-${u} again`);
    assert.equal((await infer(b.app, 1, { headers })).routed, first, `user-${u} on another replica`);
    counts[first] = (counts[first] ?? 0) + 1;
  }
  console.log(`sticky 50/50 over 400 keys: version 1 ${counts['1'] / 4} %, version 2 ${counts['2'] / 4} %`);
  assert.ok(Math.abs(counts['1'] / 400 - 0.5) <= 0.08);
  await a.app.close();
  await b.app.close();
  // FNV-1a test vectors (draft-eastlake-fnv): "" and "a".
  assert.equal(fnv1a(''), 0x811c9dc5);
  assert.equal(fnv1a('a'), 0xe40c292c);
  // Non-ASCII keys hash their UTF-8 bytes (as other languages' FNV-1a of the same string would).
  let h = 0x811c9dc5;
  for (const byte of Buffer.from('é-ü', 'utf8')) h = Math.imul(h ^ byte, 0x01000193);
  assert.equal(fnv1a('é-ü'), h >>> 0);
  assert.ok(stickyDraw('user-1') >= 0 && stickyDraw('user-1') < 100);
});

test('sticky by key: from OIP parameters, an input, /invocations instances and records, or the query', async () => {
  assert.equal(stickyKeyFromBody({ parameters: { customer_id: 42 } }, {}, 'customer_id'), '42');
  assert.equal(stickyKeyFromBody({ inputs: [{ name: 'customer_id', data: [['c7']] }] }, {}, 'customer_id'), 'c7');
  assert.equal(stickyKeyFromBody({ instances: [{ customer_id: 'c9', x: 1 }] }, {}, 'customer_id'), 'c9');
  assert.equal(stickyKeyFromBody({ dataframe_records: [{ customer_id: 5 }] }, {}, 'customer_id'), '5');
  assert.equal(stickyKeyFromBody({ dataframe_split: { columns: ['x', 'customer_id'], data: [[1, 'k']] } }, {}, 'customer_id'), 'k');
  assert.equal(stickyKeyFromBody({ inputs: { customer_id: [3] } }, {}, 'customer_id'), '3');
  assert.equal(stickyKeyFromBody({}, { customer_id: 'q' }, 'customer_id'), 'q');
  assert.equal(stickyKeyFromBody({ instances: [[1, 2]] }, {}, 'customer_id'), undefined);

  const { app } = await appWith({ m: { canary: { version: '2', percent: 50 }, sticky: { key: 'customer_id' } } });
  for (let c = 0; c < 50; c++) {
    const first = (await infer(app, 1, { parameters: { customer_id: `c${c}` } })).routed;
    for (let k = 0; k < 3; k++) assert.equal((await infer(app, k, { parameters: { customer_id: `c${c}` } })).routed, first);
  }
  await app.close();
});

test('X-Routed-Version on every model response; a request naming a version goes to it; /invocations is routed', async () => {
  const { app } = await appWith({ m: [{ version: '2', weight: 100 }] });
  assert.equal((await infer(app)).routed, '2');
  const named = await infer(app, 1, { url: '/v2/models/m/versions/3/infer' });
  assert.equal(named.routed, '3');
  assert.equal(named.body.model_version, '3');
  const other = await infer(app, 1, { url: '/v2/models/other/infer' });
  assert.equal(other.routed, '1', 'a model without routing: its latest, still with the header');
  const inv = await app.inject({ method: 'POST', url: '/invocations', payload: { instances: [{ x: 1 }] } });
  assert.equal(inv.statusCode, 200);
  assert.equal(inv.headers['x-routed-version'], '2');
  await app.close();
});

test('shadow: answered by the primary, scored off-path by the shadow, agreement in /metrics and GET .../shadow', async () => {
  const built = await appWith({ m: { primary: '1', shadow: { version: '4' } } });
  const { app, context } = built;
  // x < 0: versions 1 and 4 agree; x ≥ 0: they differ by exactly 1.
  const xs = [-3, -2, -1, 0, 1, 2, 3, 4];
  for (const x of xs) {
    const r = await infer(app, x);
    assert.equal(r.routed, '1');
    assert.deepEqual((r.body.outputs as { data: number[] }[])[0].data, [2 * x], 'the client gets the primary\'s answer');
  }
  const inv = await app.inject({ method: 'POST', url: '/invocations', payload: { instances: [{ x: -5 }, { x: 5 }] } });
  assert.equal(inv.statusCode, 200);
  // A request naming a version is not mirrored.
  await infer(app, 10, { url: '/v2/models/m/versions/2/infer' });
  await context.shadow.idle();

  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  const labels = 'model="m",primary="1",shadow="4"';
  assert.match(metrics, new RegExp(`mlcompile_shadow_requests_total\\{${labels}\\} 9\\b`));
  assert.match(metrics, new RegExp(`mlcompile_shadow_agreement_total\\{${labels}\\} 3\\b`));
  const ratio = Number(new RegExp(`mlcompile_shadow_agreement_ratio\\{${labels}\\} ([0-9.e-]+)`).exec(metrics)?.[1]);
  assert.ok(Math.abs(ratio - 3 / 9) < 1e-12, `ratio ${ratio}`);
  assert.match(metrics, new RegExp(`mlcompile_shadow_abs_difference_bucket\\{le="0",${labels}\\} 3\\b`));
  assert.match(metrics, new RegExp(`mlcompile_shadow_abs_difference_bucket\\{le="1",${labels}\\} 9\\b`));
  console.log(`shadow: 9 pairs recorded, agreement ratio ${ratio.toFixed(4)} (expected 3/9)`);

  const recent = await app.inject({ method: 'GET', url: '/v2/models/m/shadow?limit=3' });
  assert.equal(recent.statusCode, 200);
  const view = recent.json() as { shadow: { version: string }; pairs: { primary_version: string; shadow_version: string; agree: boolean; max_abs_difference: number; route: string; primary: unknown; shadow: unknown }[] };
  assert.equal(view.shadow.version, '4');
  assert.equal(view.pairs.length, 3);
  assert.equal(view.pairs[0].route, 'invocations', 'newest first');
  assert.deepEqual(view.pairs[0].primary, [{ y: -10 }, { y: 10 }]);
  assert.deepEqual(view.pairs[0].shadow, [{ y: -10 }, { y: 11 }]);
  assert.equal(view.pairs[0].agree, false);
  assert.equal(view.pairs[0].max_abs_difference, 1);
  assert.equal((await app.inject({ method: 'GET', url: '/v2/models/m/shadow?limit=0' })).statusCode, 400);
  assert.equal((await app.inject({ method: 'GET', url: '/v2/models/nope/shadow' })).statusCode, 404);
  await app.close();
});

test('shadow: a full queue drops (counted), a failing shadow is counted by kind; comparison rules', async () => {
  const repo = repository();
  repo.add(describeModel('m', '5', { ...recordModule('5', (x) => x), predict: () => { throw Object.assign(new Error('boom'), { code: 'MLR_ERR_KERNEL' }); } }));
  const router = new Router(repo, 7);
  router.setRouting(routingFromSection({ m: { primary: '1', shadow: '5' } }, repo));
  const registry = new Registry();
  const recorder = new ShadowRecorder({ router, repository: repo, registry, queueLimit: 2 });
  const primary = repo.resolve('m', '1');
  const body = JSON.parse(inferBody(1)) as unknown;
  for (let i = 0; i < 5; i++) recorder.mirror({ body, id: `r${i}` } as unknown as FastifyRequest, 'infer', primary, undefined, { outputs: [] });
  assert.equal(recorder.pending, 2);
  await recorder.idle();
  const text = await registry.metrics();
  assert.match(text, /mlcompile_shadow_dropped_total\{model="m",primary="1",shadow="5"\} 3/);
  assert.match(text, /mlcompile_shadow_errors_total\{model="m",primary="1",shadow="5",kind="MLR_ERR_KERNEL"\} 2/);
  assert.equal(recorder.pairs('m')[0].error, 'boom');

  assert.deepEqual(compareAnswers({ a: [1, 2], b: 'x' }, { a: [1, 2], b: 'x' }, 0), { agree: true, maxAbsDiff: 0 });
  assert.deepEqual(compareAnswers({ a: [1, 2] }, { a: [1, 2.5] }, 0.5), { agree: true, maxAbsDiff: 0.5 });
  assert.equal(compareAnswers({ label: 'a' }, { label: 'b' }, 0).agree, false);
  assert.equal(compareAnswers([1, 2], [1], 0).agree, false);
  assert.equal(compareAnswers({ a: 1 }, { a: 1, b: 2 }, 0).agree, false);
  assert.deepEqual(compareAnswers([NaN], [NaN], 0), { agree: true, maxAbsDiff: 0 });
  assert.equal(compareAnswers([NaN], [1], 1e9).agree, false);
  assert.deepEqual(compareAnswers(new Float32Array([1, 2]), [1, 2], 0), { agree: true, maxAbsDiff: 0 });
});

function tempConfig(text: string): { dir: string; file: string } {
  const dir = mkdtempSync(join(tmpdir(), 'mlc-routing-'));
  dirs.push(dir);
  const file = join(dir, 'mlcompile.yaml');
  writeFileSync(file, text);
  return { dir, file };
}

async function routedVersions(app: App, n: number): Promise<string[]> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add((await infer(app)).routed as string);
  return [...seen].sort();
}

test('reload over HTTP: a good file applies; a bad one is refused (422, one log line) and the old routing keeps applying', async () => {
  const { file } = tempConfig('routing:\n  m:\n    - { version: "1", weight: 100 }\n');
  const reloader = new ConfigReloader();
  const logged: string[] = [];
  reloader.configure({ locate: () => file, log: { info: (m) => logged.push(`info ${m}`), error: (m) => logged.push(`error ${m}`) } });
  // Another feature's section, refused when it says so: it refuses the whole reload.
  let applied = 0;
  reloader.onConfigReload((s) => {
    if (s.capture === 'bad') throw new ConfigError('capture: bad');
    return () => { applied++; };
  });
  const { app } = await appWith({ m: [{ version: '1', weight: 100 }] }, { reloader });
  assert.deepEqual(await routedVersions(app, 20), ['1']);

  writeFileSync(file, 'routing:\n  m:\n    - { version: "2", weight: 100 }\n');
  const ok = await app.inject({ method: 'POST', url: '/v2/repository/config/reload' });
  assert.equal(ok.statusCode, 200);
  assert.deepEqual(ok.json(), { reloaded: true, file, sections: ['routing'] });
  assert.deepEqual(await routedVersions(app, 20), ['2']);
  assert.equal(applied, 1);

  for (const [text, message] of [
    ['routing:\n  m:\n    - { version: "1", weight: 50 }\n    - { version: "3", weight: 40 }\n', /routing\.m: the weights add up to 90, not 100/],
    ['routing:\n  m:\n    - { version: "9", weight: 100 }\n', /routing\.m\[0\]\.version: model "m" has no version "9"/],
    ['routing:\n  m: [ { version: "3", weight: 100 } ]\ncapture: bad\n', /capture: bad/],
    ['routing: [unclosed\n', /not valid YAML or JSON/],
  ] as const) {
    writeFileSync(file, text);
    logged.length = 0;
    const refused = await app.inject({ method: 'POST', url: '/v2/repository/config/reload' });
    assert.equal(refused.statusCode, 422);
    const body = refused.json() as { code: string; error: string };
    assert.equal(body.code, 'MLS_ERR_BAD_CONFIG');
    assert.match(body.error, message);
    assert.equal(logged.length, 1);
    assert.match(logged[0], /^error POST \/v2\/repository\/config\/reload: configuration reload refused, the previous configuration keeps applying: /);
    assert.deepEqual(await routedVersions(app, 20), ['2'], 'the previous routing keeps applying');
  }
  assert.equal(applied, 1, 'no feature applied a refused reload');
  await app.close();
});

test('reload on a file change (debounced watch)', async () => {
  const { dir, file } = tempConfig('routing:\n  m: { primary: "1" }\n');
  const reloader = new ConfigReloader();
  reloader.configure({ locate: () => file });
  const { app } = await appWith({ m: { primary: '1' } }, { reloader });
  reloader.watch(dir);
  try {
    writeFileSync(file, 'routing:\n  m: { primary: "3" }\n');
    const deadline = Date.now() + 10_000;
    let versions = await routedVersions(app, 5);
    while (versions[0] !== '3' && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      versions = await routedVersions(app, 5);
    }
    assert.deepEqual(versions, ['3']);
    // A bad edit is refused: the routing stays.
    writeFileSync(file, 'routing:\n  m: { primary: "nine" }\n');
    await new Promise((r) => setTimeout(r, 800));
    assert.deepEqual(await routedVersions(app, 5), ['3']);
  } finally {
    reloader.unwatch();
    await app.close();
  }
});

test('a routed version that is unloaded: one warning, its share served by the latest and counted; back when it is loaded again', async () => {
  const built = await appWith({ m: { split: [{ version: '1', weight: 50 }, { version: '2', weight: 50 }], shadow: '3' } });
  const { app, context, metrics } = built;
  const warnings: string[] = [];
  const infos: string[] = [];
  const log = { warn: (m: string) => warnings.push(m), info: (_o: object, m: string) => infos.push(m) };
  const router = context.router;
  assert.deepEqual(router.recheck(log), [], 'everything the routing names is loaded');
  const v2 = context.repository.resolve('m', '2');
  context.repository.remove('m', '2');
  assert.deepEqual(router.recheck(log), ['m/2']);
  assert.deepEqual(router.recheck(log), ['m/2'], 'still missing');
  assert.equal(warnings.length, 1, 'one warning per disappearance, not one per check');
  assert.match(warnings[0], /routing\.m\.split\[1\]\.version names version "2" of "m", which is no longer loaded; its share goes to the latest version \(4\)/);
  const shares = await split(app, 1000, () => infer(app, 1));
  assert.deepEqual(Object.keys(shares).sort(), ['1', '4'], 'version 2\'s share goes to the latest');
  const text = await metrics!.registry.metrics();
  const fallbacks = Number(/mlcompile_routing_fallback_total\{model="m",version="2"\} (\d+)/.exec(text)?.[1]);
  assert.equal(fallbacks, Math.round(shares['4'] * 1000), 'every request served instead of version 2 is counted');
  context.repository.add(v2);
  assert.deepEqual(router.recheck(log), []);
  assert.match(infos.join('\n'), /version "2" of "m" is loaded again/);
  // The shadow's version going away is reported the same way.
  context.repository.remove('m', '3');
  assert.deepEqual(router.recheck(log), ['m/3']);
  assert.match(warnings[1], /routing\.m\.shadow\.version names version "3"/);
  await app.close();
});

test('shadow covers /invocations sent and answered as CSV', async () => {
  const built = await appWith({ m: { primary: '1', shadow: { version: '4' } } });
  const { app, context } = built;
  const r = await app.inject({ method: 'POST', url: '/invocations', payload: 'x\n-5\n5\n', headers: { 'content-type': 'text/csv', accept: 'text/csv' } });
  assert.equal(r.statusCode, 200, r.body);
  assert.match(String(r.headers['content-type']), /^text\/csv/);
  assert.equal(r.headers['x-routed-version'], '1');
  await context.shadow.idle();
  const view = (await app.inject({ method: 'GET', url: '/v2/models/m/shadow?limit=1' })).json() as { pairs: { route: string; agree: boolean; primary: unknown; shadow: unknown }[] };
  assert.equal(view.pairs.length, 1);
  assert.equal(view.pairs[0].route, 'invocations');
  // Version 4 adds 1 for x ≥ 0: the pair disagrees on the second row.
  assert.deepEqual(view.pairs[0].primary, [{ y: -10 }, { y: 10 }]);
  assert.deepEqual(view.pairs[0].shadow, [{ y: -10 }, { y: 11 }]);
  assert.equal(view.pairs[0].agree, false);
  await app.close();
});

test('MLCOMPILE_ROUTING_SEED: a whole number seeds the draws (the same versions on every run); anything else is refused', () => {
  assert.equal(readRoutingSeed({}), undefined);
  assert.equal(readRoutingSeed({ MLCOMPILE_ROUTING_SEED: ' 42 ' }), 42);
  assert.equal(readRoutingSeed({ MLCOMPILE_ROUTING_SEED: '4294967295' }), 4294967295);
  for (const bad of ['-1', '1.5', 'abc', '4294967296']) assert.throws(() => readRoutingSeed({ MLCOMPILE_ROUTING_SEED: bad }), /MLCOMPILE_ROUTING_SEED=.*: give a whole number from 0 to 4294967295/);
  const a = new Router(repository(), 42);
  const b = new Router(repository(), 42);
  assert.deepEqual(Array.from({ length: 5 }, () => a.draw()), Array.from({ length: 5 }, () => b.draw()));
});
