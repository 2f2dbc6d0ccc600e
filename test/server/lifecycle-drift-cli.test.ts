// Drift and capture as a user runs them (issue 9, slice c): the real CLI with
// `--baseline data.csv`, then `node DIR/server.mjs` with capture on; baseline-like
// traffic keeps the PSI gauges near 0, shifted traffic moves them above 0.25, and
// the sampled requests are in DIR's capture files.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseBaseline } from '../../runtime/server/baseline.js';
import { DRIFT_PMML, drawRows, metricValue, oipBody, rowsCsv } from './support/capture-drift-fixtures.js';
import { copyToEmptyDir, removeTempDirs, startServer, tempDir, type RunningServer } from './support/server-process.js';

const ROOT = join(import.meta.dirname, '..', '..');
const CLI = join(ROOT, 'bin', 'mlcompile.mjs');

const servers: RunningServer[] = [];
after(async () => {
  for (const s of servers) await s.stop();
  removeTempDirs();
});

function cli(...args: string[]) {
  return spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 110_000 });
}

async function post(url: string, value: unknown): Promise<number> {
  const r = await fetch(url, { method: 'POST', body: JSON.stringify(value), headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(15_000) });
  await r.arrayBuffer();
  return r.status;
}

async function scrape(url: string): Promise<string> {
  const r = await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(15_000) });
  return r.text();
}

test('--baseline: the CLI refuses bad use with exit 2 and a message naming the problem', () => {
  const dir = tempDir('mlc-drift-cli-bad-');
  const model = join(dir, 'drifty.pmml');
  writeFileSync(model, DRIFT_PMML);
  const missing = cli(model, '--target', 'server', '--out', join(dir, 'srv'), '--baseline', join(dir, 'nope.csv'));
  assert.equal(missing.status, 2, missing.stderr);
  assert.match(missing.stderr, /nope\.csv/);
  assert.equal(existsSync(join(dir, 'srv', 'models', 'drifty', '1')), false, 'nothing written for a bad baseline');
  const unrelated = join(dir, 'other.csv');
  writeFileSync(unrelated, 'a,b\n1,2\n');
  const noColumns = cli(model, '--target', 'server', '--out', join(dir, 'srv'), '--baseline', unrelated);
  assert.equal(noColumns.status, 2, noColumns.stderr);
  assert.match(noColumns.stderr, /no column names a model input/);
  const moduleTarget = cli(model, '--out', join(dir, 'mod'), '--baseline', unrelated);
  assert.equal(moduleTarget.status, 2);
  assert.match(moduleTarget.stderr, /--baseline applies to --target server/);
});

test('compiled with --baseline and served: PSI near 0, then above 0.25 on shifted data; requests captured', async (t) => {
  const dir = tempDir('mlc-drift-cli-');
  const model = join(dir, 'drifty.pmml');
  writeFileSync(model, DRIFT_PMML);
  const data = join(dir, 'train.csv');
  writeFileSync(data, rowsCsv(drawRows(5000, 31)));
  const out = join(dir, 'srv');
  const r = cli(model, '--target', 'server', '--out', out, '--baseline', data);
  assert.equal(r.status, 0, r.stderr);
  const baseline = parseBaseline(JSON.parse(readFileSync(join(out, 'models', 'drifty', '1', 'baseline.json'), 'utf8')), 'baseline.json');
  assert.equal(baseline.rows, 5000);
  assert.deepEqual(baseline.features.map((f) => `${f.name}:${f.kind}`), ['x1:numeric', 'x2:numeric', 'color:categorical']);

  const run = copyToEmptyDir(out);
  const captureDir = join(run, 'captured');
  const server = await startServer(run, { MLCOMPILE_CAPTURE_RATE: '1', MLCOMPILE_CAPTURE_DIR: captureDir, MLCOMPILE_DRIFT_WINDOW: '1000' });
  servers.push(server);
  const l = (feature: string) => ({ model: 'drifty', version: '1', feature });

  const like = drawRows(1000, 32);
  for (let i = 0; i < like.length; i += 100) assert.equal(await post(`${server.url}/v2/models/drifty/infer`, oipBody(like.slice(i, i + 100))), 200);
  let text = await scrape(server.url);
  const before = ['x1', 'x2', 'color'].map((f) => metricValue(text, 'mlcompile_feature_psi', l(f)) ?? NaN);
  for (const psi of before) assert.ok(psi < 0.1, `PSI ${psi} on baseline-like traffic`);

  const shifted = drawRows(2000, 33, { shiftX1: 1, scaleX2: 1.5, unseen: 0.2 });
  for (let i = 0; i < shifted.length; i += 100) assert.equal(await post(`${server.url}/invocations`, { instances: shifted.slice(i, i + 100) }), 200);
  text = await scrape(server.url);
  const afterShift = ['x1', 'x2', 'color'].map((f) => metricValue(text, 'mlcompile_feature_psi', l(f)) ?? NaN);
  for (const psi of afterShift) assert.ok(psi > 0.25, `PSI ${psi} on shifted traffic`);
  assert.ok((metricValue(text, 'mlcompile_feature_unseen_category_ratio', l('color')) ?? 0) > 0.15);
  assert.ok((metricValue(text, 'mlcompile_feature_out_of_range_ratio', l('x2')) ?? 0) > 0.25);
  t.diagnostic(`PSI (x1 x2 color) baseline-like ${before.map((p) => p.toFixed(4)).join(' ')}; shifted ${afterShift.map((p) => p.toFixed(3)).join(' ')}`);

  assert.equal(await server.stop(), 0);
  // Every request was captured (rate 1), and the queue was written out at shutdown.
  const lines = readdirSync(captureDir).filter((n) => n.startsWith('capture-drifty-')).flatMap((n) => readFileSync(join(captureDir, n), 'utf8').split('\n').filter((x) => x !== ''));
  assert.equal(lines.length, 30);
  const first = JSON.parse(lines[0]) as { model: string; version: string; route: string };
  assert.deepEqual([first.model, first.version, first.route], ['drifty', '1', '/v2/models/:model_name/infer']);
});

test('--force and --baseline are in the usage line and the README synopsis', async () => {
  const { USAGE } = await import('../../src/cli/help.js');
  for (const flag of ['[--force]', '[--baseline FILE]', '[--model-version V]']) assert.ok(USAGE.includes(flag), `usage lacks ${flag}`);
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const synopsis = /## Command line\n\n```\n([\s\S]*?)```/.exec(readme)?.[1] ?? '';
  for (const flag of ['[--force]', '[--baseline FILE]']) assert.ok(synopsis.includes(flag), `README synopsis lacks ${flag}`);
  assert.match(readme, /`--baseline FILE`/);
  assert.match(readme, /unless `--force` replaces it/);
  const help = spawnSync(process.execPath, [CLI, '--help'], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  assert.match(help.stdout, /\[--force\] \[--baseline FILE\]/);
});
