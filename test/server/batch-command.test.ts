// The batch machinery in a generated server directory: `node server.mjs batch`
// (whole file, --lines, --shard, --shard auto, resume after a crash, exit codes), and
// the bundled server's batch route and jobs over HTTP.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { batchCommand } from '../../runtime/server/batch-command.js';
import { compileServerToDir } from '../../src/server-api.js';
import { MLP_ONNX, PMML_TREATMENTS, featureRows, parseJsonl } from './support/batch-fixtures.js';
import { copyToEmptyDir, removeTempDirs, startServer, tempDir, type RunningServer } from './support/server-process.js';

let dir: string;
let work: string;
let server: RunningServer | undefined;

/** 1,000 mlp rows (a few bad ones), with an id column and a quoted note. */
const MLP_CSV = `id,features[0],features[1],features[2],features[3],note\n${featureRows(1000).map((r, i) => (i % 97 === 5 ? `${i},1,x,3,4,"bad, row"` : `${i},${r.join(',')},"n""${i}"`)).join('\n')}\n`;
const RECORDS = Array.from({ length: 600 }, (_, i) => JSON.stringify({ color: ['red', 'green', 'blue', 'purple'][i % 4], size: i % 130, w: (i % 9) / 10, n: i % 12 })).join('\n') + '\n';

before(async () => {
  const out = join(tempDir('mlc-batch-cmd-'), 'out');
  await compileServerToDir(MLP_ONNX, out, { name: 'mlp' });
  await compileServerToDir(PMML_TREATMENTS, out, { name: 'treatments' });
  dir = copyToEmptyDir(out);
  work = join(dir, 'data');
  mkdirSync(work);
  writeFileSync(join(work, 'mlp.csv'), MLP_CSV);
  writeFileSync(join(work, 'records.jsonl'), RECORDS);
});

after(async () => {
  if (server !== undefined) await server.stop();
  removeTempDirs();
});

function batch(args: readonly string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ['server.mjs', 'batch', ...args], {
    cwd: dir, encoding: 'utf8', timeout: 60_000, env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
  });
  const summary = r.stderr.trim().split('\n').pop() ?? '';
  return { status: r.status, stderr: r.stderr, stdout: r.stdout, summary: summary.startsWith('{') ? JSON.parse(summary) as Record<string, unknown> : undefined };
}

const read = (name: string): string => readFileSync(join(work, name), 'utf8');
const dataLines = (text: string): string[] => text.split('\n').slice(1, -1);

test('batch: a whole file, with the same output as the running server\'s batch route and job', async () => {
  const r = batch(['--model', 'mlp', '--input', 'data/mlp.csv', '--output', 'data/full.csv', '--join']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(r.summary?.state, 'succeeded');
  assert.equal(r.summary?.rowsRead, 1000);
  assert.equal(r.summary?.rowsFailed, 11);
  const full = read('full.csv');
  assert.equal(full.split('\n')[0], 'id,features[0],features[1],features[2],features[3],note,logits[0],logits[1],logits[2],probabilities[0],probabilities[1],probabilities[2],error');
  assert.equal(dataLines(full).length, 1000);
  assert.equal(existsSync(join(work, 'full.csv.checkpoint.json')), false);

  server = await startServer(dir, { MLCOMPILE_DATA_DIR: work });
  const res = await fetch(`${server.url}/v2/models/mlp/batch?join=true`, { method: 'POST', body: MLP_CSV, headers: { 'content-type': 'text/csv' } });
  assert.equal(res.status, 200);
  assert.equal(await res.text(), full);
  const submitted = await fetch(`${server.url}/v2/models/mlp/jobs`, { method: 'POST', body: JSON.stringify({ input: 'mlp.csv', output: 'via-job.csv', join: true }), headers: { 'content-type': 'application/json' } });
  assert.equal(submitted.status, 202);
  const location = submitted.headers.get('location') as string;
  let job: { state: string } = { state: 'queued' };
  for (let i = 0; i < 500 && (job.state === 'queued' || job.state === 'running'); i++) {
    await new Promise((res2) => setTimeout(res2, 10));
    job = await (await fetch(server.url + location)).json() as { state: string };
  }
  assert.equal(job.state, 'succeeded');
  assert.equal(read('via-job.csv'), full);
  const metrics = await (await fetch(`${server.url}/metrics`)).text();
  assert.match(metrics, /^mlcompile_batch_rows_scored_total\{model="mlp",version="1",source="http"\} 989$/m);
  assert.match(metrics, /^mlcompile_batch_rows_scored_total\{model="mlp",version="1",source="job"\} 989$/m);
});

test('batch --lines and --shard: ranges of the rows, and shards that put the whole output back together', () => {
  const full = dataLines(read('full.csv'));
  const r = batch(['--model', 'mlp', '--input', 'data/mlp.csv', '--output', 'data/lines.csv', '--join', '--lines', '100:250']);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(r.summary?.rows, [100, 250]);
  assert.deepEqual(dataLines(read('lines.csv')), full.slice(100, 250));
  const shards: string[] = [];
  for (let i = 0; i < 3; i++) {
    const s = batch(['--model', 'mlp', '--input', 'data/mlp.csv', '--output', `data/shard-${i}.csv`, '--join', '--shard', `${i}/3`]);
    assert.equal(s.status, 0, s.stderr);
    shards.push(...dataLines(read(`shard-${i}.csv`)));
  }
  assert.deepEqual(shards, full);
  // In a Kubernetes Indexed Job: JOB_COMPLETION_INDEX, and the count from the environment.
  const auto = batch(['--model', 'mlp', '--input', 'data/mlp.csv', '--output', 'data/auto.csv', '--join', '--shard', 'auto'], { JOB_COMPLETION_INDEX: '1', MLCOMPILE_SHARD_COUNT: '3' });
  assert.equal(auto.status, 0, auto.stderr);
  assert.equal(read('auto.csv'), read('shard-1.csv'));
});

test('batch: PMML records in JSON Lines; a model chosen by name', () => {
  const r = batch(['--model', 'treatments', '--input', 'data/records.jsonl', '--output', 'data/records-out.jsonl', '--join']);
  assert.equal(r.status, 0, r.stderr);
  const out = parseJsonl(read('records-out.jsonl'));
  assert.equal(out.length, 600);
  assert.deepEqual(out[0], { color: 'red', size: 0, w: 0, n: 0, y_hat: 10 });
  assert.ok(out.some((o) => typeof o.$error === 'string'));
});

test('batch: a crashed run goes on from its checkpoint (run again) and ends byte for byte as an uninterrupted one', async () => {
  // The crash is simulated in-process (same code as the bundle), and the bundled command resumes it.
  const lines: string[] = [];
  const code = await batchCommand(['--model', 'mlp', '--input', join(work, 'mlp.csv'), '--output', join(work, 'resumed.csv'), '--join', '--lines', '10:900'], {
    env: {}, modelsDir: join(dir, 'models'), stdout: (s) => lines.push(s), stderr: (s) => lines.push(s), crashAfterRows: 500, checkpointRows: 150,
  });
  assert.equal(code, 1, lines.join(''));
  assert.ok(existsSync(join(work, 'resumed.csv.checkpoint.json')));
  // Relative paths here: the checkpoint records the input's absolute path, the same file.
  const r = batch(['--model', 'mlp', '--input', 'data/mlp.csv', '--output', 'data/resumed.csv', '--join', '--lines', '10:900', '--resume']);
  assert.equal(r.status, 0, r.stderr);
  assert.equal(typeof r.summary?.resumedFromRow, 'number');
  assert.ok((r.summary?.resumedFromRow as number) > 10, JSON.stringify(r.summary));
  const reference = batch(['--model', 'mlp', '--input', 'data/mlp.csv', '--output', 'data/reference.csv', '--join', '--lines', '10:900']);
  assert.equal(reference.status, 0, reference.stderr);
  assert.equal(read('resumed.csv'), read('reference.csv'));
});

test('batch: usage errors exit 2, an all-or-nothing bad row exits 1 and leaves no output', () => {
  for (const args of [
    ['--input', 'data/mlp.csv'],
    ['--input', 'data/mlp.csv', '--output', 'data/x.csv', '--bogus'],
    ['--input', 'data/mlp.csv', '--output', 'data/x.csv', '--model', 'nope'],
    ['--input', 'data/mlp.csv', '--output', 'data/x.csv'], // two models: --model is needed
    ['--input', 'data/mlp.csv', '--output', 'data/x.csv', '--model', 'mlp', '--lines', '5-9'],
    ['--input', 'data/mlp.csv', '--output', 'data/x.csv', '--model', 'mlp', '--shard', 'auto'],
    ['--input', 'data/records.jsonl', '--output', 'data/x.csv', '--model', 'treatments', '--join'],
  ]) {
    const r = batch(args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, /^mlcompile batch: /);
  }
  const help = batch(['--help']);
  assert.equal(help.status, 0);
  assert.match(help.stdout, /--shard INDEX\/COUNT/);
  const strict = batch(['--model', 'mlp', '--input', 'data/mlp.csv', '--output', 'data/strict.csv', '--mode', 'all-or-nothing']);
  assert.equal(strict.status, 1);
  assert.equal((strict.summary?.error as { row: number }).row, 6);
  assert.equal(existsSync(join(work, 'strict.csv')), false);
});
