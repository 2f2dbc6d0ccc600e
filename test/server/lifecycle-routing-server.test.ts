// Routing in the generated server as users run it: `node server.mjs` with a
// mlcompile.yaml beside it. A bad routing section stops the start (exit 2, a message
// naming the key); a good one routes, mirrors to the shadow, and is reloaded on SIGHUP
// and over HTTP (a bad reload refused, the old routing kept).

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { compileServerToDir } from '../../src/server-api.js';
import { copyToEmptyDir, postJson, removeTempDirs, request, startServer, tempDir, type RunningServer } from './support/server-process.js';

/** y = a·x + b as a PMML regression model. */
function linearPmml(a: number, b: number): string {
  return `<?xml version="1.0"?>
<PMML version="4.4" xmlns="http://www.dmg.org/PMML-4_4">
  <Header/>
  <DataDictionary numberOfFields="2">
    <DataField name="x" optype="continuous" dataType="double"/>
    <DataField name="y" optype="continuous" dataType="double"/>
  </DataDictionary>
  <RegressionModel modelName="lin" functionName="regression">
    <MiningSchema><MiningField name="x"/><MiningField name="y" usageType="target"/></MiningSchema>
    <RegressionTable intercept="${b}"><NumericPredictor name="x" coefficient="${a}"/></RegressionTable>
  </RegressionModel>
</PMML>
`;
}

let built: string;

before(async () => {
  const work = tempDir('mlc-routing-compile-');
  const out = join(work, 'out');
  // Versions 1 and 2 compute the same; version 3 adds 0.5.
  for (const [version, b] of [['1', 1], ['2', 1], ['3', 1.5]] as const) {
    const file = join(work, `lin-${version}.pmml`);
    writeFileSync(file, linearPmml(2, b));
    await compileServerToDir(file, out, { name: 'lin', modelVersion: version });
  }
  built = out;
});

after(() => removeTempDirs());

const body = (x: number): unknown => ({ inputs: [{ name: 'x', datatype: 'FP64', shape: [1], data: [x] }] });

async function routed(url: string, n: number): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${url}/v2/models/lin/infer`, { method: 'POST', body: JSON.stringify(body(i)), headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(10_000) });
    assert.equal(res.status, 200);
    const v = res.headers.get('x-routed-version');
    assert.ok(v !== null, 'X-Routed-Version');
    await res.text();
    counts[v] = (counts[v] ?? 0) + 1;
  }
  return counts;
}

test('a bad routing section stops the server at start: exit 2, the key named', () => {
  const dir = copyToEmptyDir(built);
  writeFileSync(join(dir, 'mlcompile.yaml'), 'routing:\n  lin:\n    - { version: "1", weight: 70 }\n    - { version: "7", weight: 30 }\n');
  const r = spawnSync(process.execPath, ['server.mjs'], {
    cwd: dir, encoding: 'utf8', timeout: 30_000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PORT: '0', HOST: '127.0.0.1', MLCOMPILE_WATCH: '0' },
  });
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /routing\.lin\[1\]\.version: model "lin" has no version "7"; it has "1", "2", "3"/);
});

test('routing naming a version refused at load stops the start: exit 2, the key and the refusal named', () => {
  const dir = copyToEmptyDir(built);
  mkdirSync(join(dir, 'models', 'lin', '4'));
  writeFileSync(join(dir, 'models', 'lin', '4', 'model.mjs'), 'throw new Error("boom at load");\n');
  writeFileSync(join(dir, 'mlcompile.yaml'), 'routing:\n  lin: { canary: { version: "4", percent: 10 }, primary: "1" }\n');
  const r = spawnSync(process.execPath, ['server.mjs'], {
    cwd: dir, encoding: 'utf8', timeout: 30_000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PORT: '0', HOST: '127.0.0.1', MLCOMPILE_WATCH: '0' },
  });
  assert.equal(r.status, 2, r.stdout + r.stderr);
  assert.match(r.stderr, /routing\.lin\.canary\.version: model "lin" has no version "4"; it has "1", "2", "3" \(refused at load: lin\/4: .*boom at load/);
});

test('a real server routes by its config file, mirrors to the shadow, and reloads on SIGHUP and over HTTP', async () => {
  const dir = copyToEmptyDir(built);
  const config = join(dir, 'mlcompile.yaml');
  writeFileSync(config, 'routing:\n  lin:\n    split:\n      - { version: "1", weight: 50 }\n      - { version: "2", weight: 50 }\n    shadow: { version: "3", tolerance: 0.1 }\n');
  let server: RunningServer | undefined;
  try {
    // A fixed routing seed: the split below is the same on every run.
    server = await startServer(dir, { MLCOMPILE_WATCH: '0', MLCOMPILE_ROUTING_SEED: '7' });
    assert.match(server.output(), /"routing":\{"lin":"1: 50 %, 2: 50 %; shadow 3"\}.*routing in force for 1 model/);
    const counts = await routed(server.url, 200);
    assert.deepEqual(Object.keys(counts).sort(), ['1', '2']);
    console.log(`server.mjs 50/50 over 200 requests: ${JSON.stringify(counts)}`);

    // The shadow (version 3) answers 0.5 more: every pair disagrees beyond the 0.1 tolerance.
    let metrics = '';
    for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
      metrics = (await request(`${server.url}/metrics`)).text;
      if (/mlcompile_shadow_requests_total\{model="lin",primary="1",shadow="3"\} \d+/.test(metrics)) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const shadowed = [...metrics.matchAll(/mlcompile_shadow_requests_total\{model="lin",primary="[12]",shadow="3"\} (\d+)/g)].reduce((s, m) => s + Number(m[1]), 0);
    assert.equal(shadowed, 200);
    assert.doesNotMatch(metrics, /mlcompile_shadow_agreement_total\{model="lin"[^}]*\} [1-9]/);
    const pairs = (await request(`${server.url}/v2/models/lin/shadow?limit=2`)).body as { pairs: { max_abs_difference: number; agree: boolean }[] };
    assert.equal(pairs.pairs.length, 2);
    assert.equal(pairs.pairs[0].agree, false);
    assert.ok(Math.abs(pairs.pairs[0].max_abs_difference - 0.5) < 1e-12);

    // SIGHUP re-reads the file.
    writeFileSync(config, 'routing:\n  lin: { primary: "2" }\n');
    server.proc.kill('SIGHUP');
    let after: Record<string, number> = {};
    for (const deadline = Date.now() + 10_000; Date.now() < deadline;) {
      after = await routed(server.url, 10);
      if (Object.keys(after).join() === '2') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(after, { 2: 10 });

    // A bad file over HTTP: 422, the routing stays.
    writeFileSync(config, 'routing:\n  lin:\n    - { version: "1", weight: 60 }\n    - { version: "3", weight: 30 }\n');
    const refused = await postJson(`${server.url}/v2/repository/config/reload`, {});
    assert.equal(refused.status, 422);
    assert.match((refused.body as { error: string }).error, /routing\.lin: the weights add up to 90, not 100/);
    assert.deepEqual(await routed(server.url, 10), { 2: 10 });
    const ok = await request(`${server.url}/v2/repository/config/reload`, { method: 'POST' });
    assert.equal(ok.status, 422, 'the file is still bad');
    writeFileSync(config, 'routing:\n  lin: { primary: "1" }\n');
    const good = await request(`${server.url}/v2/repository/config/reload`, { method: 'POST' });
    assert.equal(good.status, 200, good.text);
    assert.deepEqual(await routed(server.url, 10), { 1: 10 });
    assert.match(server.output(), /configuration reload refused, the previous configuration keeps applying: routing\.lin: the weights add up to 90/);
  } finally {
    if (server !== undefined) await server.stop();
  }
});
