// Batch jobs: 202 and polling to completion, listing, cancelling, paths refused
// (.., absolute, symbolic links out of the data directory), all-or-nothing, and
// resuming after a cancel or a crash with an output byte for byte equal to an
// uninterrupted run's.

import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Job, JobSettings } from '../../runtime/server/jobs.js';
import type { ModelModule } from '../../runtime/server/models-repository.js';
import { MLP_ONNX, PMML_TREATMENTS, appWith, featureRows, moduleOf, parseJsonl } from './support/batch-fixtures.js';
import { removeTempDirs, tempDir } from './support/server-process.js';

type App = Awaited<ReturnType<typeof appWith>>['app'];
interface JobView {
  id: string; url: string; state: string; rowsRead: number; rowsWritten: number; rowsFailed: number;
  bytesRead: number; totalBytes: number; progress: number; resumedFromRow: number | null; output: string;
  error?: { code: string; message: string; row?: number; line?: number };
}

let mlp: ModelModule;
let treatments: ModelModule;
let data: string;
let outside: string;

/** 2,000 mlp rows with an id column and a few bad rows. */
function mlpCsv(): string {
  const rows = featureRows(2000);
  const lines = rows.map((r, i) => (i % 250 === 7 ? `${i},1,2,bad,4` : `${i},${r.join(',')}`));
  return `id,features[0],features[1],features[2],features[3]\n${lines.join('\n')}\n`;
}

/** 1,500 PMML records as JSON Lines, some refused by the model. */
function pmmlJsonl(): string {
  const colors = ['red', 'green', 'blue', 'purple', null];
  return Array.from({ length: 1500 }, (_, i) => JSON.stringify({ k: i, color: colors[i % 5], size: (i * 7) % 120, w: (i % 10) / 10, n: i % 13 })).join('\n') + '\n';
}

before(async () => {
  mlp = await moduleOf(MLP_ONNX);
  treatments = await moduleOf(PMML_TREATMENTS);
  const root = tempDir('mlc-batch-jobs-');
  data = join(root, 'data');
  outside = join(root, 'outside');
  mkdirSync(join(data, 'out'), { recursive: true });
  mkdirSync(outside);
  writeFileSync(join(data, 'mlp.csv'), mlpCsv());
  writeFileSync(join(data, 'records.jsonl'), pmmlJsonl());
  writeFileSync(join(outside, 'secret.csv'), 'a,b\n1,2\n');
  symlinkSync(join(outside, 'secret.csv'), join(data, 'link-to-secret.csv'));
  symlinkSync(outside, join(data, 'outdir'));
  symlinkSync(join(outside, 'victim.csv'), join(data, 'out', 'dangling.csv'));
});

after(() => removeTempDirs());

async function start(settings: JobSettings = {}): Promise<App> {
  return (await appWith({ mlp, treatments }, { batch: { dataDir: data, ...settings } })).app;
}

async function call(app: App, method: 'GET' | 'POST' | 'DELETE', url: string, body?: unknown) {
  const r = await app.inject({ method, url, payload: body === undefined ? undefined : JSON.stringify(body), headers: body === undefined ? {} : { 'content-type': 'application/json' } });
  return { status: r.statusCode, body: r.json() as JobView & { jobs?: JobView[]; code?: string; error?: unknown }, headers: r.headers };
}

async function submit(app: App, body: Record<string, unknown>, model = 'mlp'): Promise<JobView> {
  const r = await call(app, 'POST', `/v2/models/${model}/jobs`, body);
  assert.equal(r.status, 202, JSON.stringify(r.body));
  assert.equal(r.headers.location, r.body.url);
  return r.body;
}

async function waitFor(app: App, url: string, done: (j: JobView) => boolean): Promise<JobView> {
  for (let i = 0; i < 2000; i++) {
    const r = await call(app, 'GET', url);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    if (done(r.body)) return r.body;
    await new Promise((res) => setTimeout(res, 5));
  }
  throw new Error(`${url} did not get there`);
}

const finished = (j: JobView): boolean => ['succeeded', 'failed', 'cancelled'].includes(j.state);
const read = (rel: string): string => readFileSync(join(data, rel), 'utf8');

test('a job: 202 with Location, polled to completion; its output is what POST .../batch answers; listed', async () => {
  const app = await start();
  try {
    const job = await submit(app, { input: 'mlp.csv', output: 'out/plain.csv', join: true });
    assert.match(job.url, /^\/v2\/models\/mlp\/jobs\/[0-9a-f-]{36}$/);
    assert.ok(['queued', 'running'].includes(job.state));
    // Requests are answered while the job runs: polls see it part of the way through.
    const seen: number[] = [];
    const done = await waitFor(app, job.url, (j) => {
      if (j.state === 'running') seen.push(j.rowsRead);
      return finished(j);
    });
    assert.ok(seen.some((n) => n > 0 && n < 2000), `polls saw rows ${seen.join(' ')}`);
    assert.equal(done.state, 'succeeded', JSON.stringify(done));
    assert.equal(done.rowsRead, 2000);
    assert.equal(done.rowsWritten, 2000);
    assert.equal(done.rowsFailed, 8);
    assert.equal(done.progress, 1);
    assert.equal(done.totalBytes, statSync(join(data, 'mlp.csv')).size);
    const viaRoute = await app.inject({ method: 'POST', url: '/v2/models/mlp/batch?join=true', payload: read('mlp.csv'), headers: { 'content-type': 'text/csv' } });
    assert.equal(read('out/plain.csv'), viaRoute.body);
    assert.equal(existsSync(join(data, 'out/plain.csv.checkpoint.json')), false);
    // CSV in, JSON Lines out (by the output's extension); a PMML job.
    const jl = await waitFor(app, (await submit(app, { input: 'mlp.csv', output: 'out/plain.jsonl' })).url, finished);
    assert.equal(jl.state, 'succeeded');
    assert.equal(parseJsonl(read('out/plain.jsonl')).length, 2000);
    const pm = await waitFor(app, (await submit(app, { input: 'records.jsonl', output: 'out/records.csv' }, 'treatments')).url, finished);
    assert.equal(pm.state, 'succeeded', JSON.stringify(pm));
    assert.ok(pm.rowsFailed > 0 && pm.rowsFailed < 1500);
    assert.equal(read('out/records.csv').split('\n')[0], 'y_hat,error');
    // JSON Lines in, CSV out, joined: refused at once (JSON lines need not share keys).
    const refused = await call(app, 'POST', '/v2/models/treatments/jobs', { input: 'records.jsonl', output: 'out/records.csv', join: true });
    assert.equal(refused.status, 400);
    const list = await call(app, 'GET', '/v2/models/mlp/jobs');
    assert.deepEqual(list.body.jobs?.map((j) => j.id), [job.id, jl.id]);
    assert.equal((await call(app, 'GET', `/v2/models/mlp/versions/1/jobs/${job.id}`)).body.state, 'succeeded');
    assert.equal((await call(app, 'GET', `/v2/models/treatments/jobs/${job.id}`)).status, 404);
    const missing = await call(app, 'GET', '/v2/models/mlp/jobs/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.code, 'MLS_ERR_JOB_NOT_FOUND');
    const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    assert.match(metrics, /^mlcompile_batch_rows_scored_total\{model="mlp",version="1",source="job"\} 3984$/m);
    assert.match(metrics, /^mlcompile_batch_rows_failed_total\{model="mlp",version="1",source="job"\} 16$/m);
  } finally {
    await app.close();
  }
});

test('paths outside the data directory are refused: .., absolute, symbolic links out', async () => {
  const app = await start();
  try {
    const cases: [Record<string, unknown>, number, string][] = [
      [{ input: '../outside/secret.csv', output: 'out/x.csv' }, 400, 'MLS_ERR_BAD_PATH'],
      [{ input: 'out/../../outside/secret.csv', output: 'out/x.csv' }, 400, 'MLS_ERR_BAD_PATH'],
      [{ input: join(outside, 'secret.csv'), output: 'out/x.csv' }, 400, 'MLS_ERR_BAD_PATH'],
      [{ input: 'mlp.csv', output: '/tmp/x.csv' }, 400, 'MLS_ERR_BAD_PATH'],
      [{ input: 'mlp.csv', output: '../x.csv' }, 400, 'MLS_ERR_BAD_PATH'],
      [{ input: 'link-to-secret.csv', output: 'out/x.csv' }, 403, 'MLS_ERR_FORBIDDEN_PATH'],
      [{ input: 'outdir/secret.csv', output: 'out/x.csv' }, 403, 'MLS_ERR_FORBIDDEN_PATH'],
      [{ input: 'mlp.csv', output: 'outdir/x.csv' }, 403, 'MLS_ERR_FORBIDDEN_PATH'],
      [{ input: 'mlp.csv', output: 'out/dangling.csv' }, 403, 'MLS_ERR_FORBIDDEN_PATH'],
      [{ input: 'nothing.csv', output: 'out/x.csv' }, 400, 'MLS_ERR_BAD_PATH'],
      [{ input: 'mlp.csv', output: 'no-such-dir/x.csv' }, 400, 'MLS_ERR_BAD_PATH'],
      [{ input: 'mlp.csv', output: 'mlp.csv' }, 400, 'MLS_ERR_BAD_PATH'],
      [{ input: 'mlp.csv', output: 'out' }, 400, 'MLS_ERR_BAD_PATH'],
      [{ input: 'mlp.csv', output: 'out/x.csv', extra: 1 }, 400, 'MLS_ERR_BAD_REQUEST'],
      [{ input: 'mlp.csv', output: 'out/x.csv', mode: 'sometimes' }, 400, 'MLS_ERR_BAD_REQUEST'],
      [{ input: 'mlp.csv' }, 400, 'MLS_ERR_BAD_REQUEST'],
    ];
    for (const [body, status, code] of cases) {
      const r = await call(app, 'POST', '/v2/models/mlp/jobs', body);
      assert.equal(r.status, status, `${JSON.stringify(body)}: ${JSON.stringify(r.body)}`);
      assert.equal(r.body.code, code, JSON.stringify(r.body));
    }
    assert.equal(existsSync(join(outside, 'x.csv')), false);
    assert.equal(existsSync(join(outside, 'victim.csv')), false);
    assert.equal((await call(app, 'GET', '/v2/models/mlp/jobs')).body.jobs?.length, 0);
  } finally {
    await app.close();
  }
  const none = (await appWith({ mlp })).app;
  const r = await call(none, 'POST', '/v2/models/mlp/jobs', { input: 'mlp.csv', output: 'out/x.csv' });
  assert.equal(r.status, 503);
  await none.close();
});

test('all-or-nothing: the first bad row fails the job, naming the row, and leaves no output', async () => {
  const app = await start();
  try {
    const done = await waitFor(app, (await submit(app, { input: 'mlp.csv', output: 'out/strict.csv', mode: 'all-or-nothing' })).url, finished);
    assert.equal(done.state, 'failed');
    assert.equal(done.error?.code, 'MLS_ERR_BAD_TENSOR_DATA');
    assert.equal(done.error?.row, 8);
    assert.equal(done.error?.line, 9);
    assert.equal(existsSync(join(data, 'out/strict.csv')), false);
    assert.equal(existsSync(join(data, 'out/strict.csv.checkpoint.json')), false);
  } finally {
    await app.close();
  }
});

test('cancel stops at a window with output and checkpoint in agreement; resuming gives the uninterrupted output', async () => {
  let hold = true;
  const app = await start({
    // The job waits after its first window until it is cancelled.
    onWindow: async (job: Job) => {
      while (hold && !job.abort.signal.aborted) await new Promise((r) => setTimeout(r, 2));
    },
  });
  try {
    const job = await submit(app, { input: 'mlp.csv', output: 'out/cancel.csv', join: true });
    await waitFor(app, job.url, (j) => j.state === 'running' && j.rowsRead > 0);
    // Another job may not write the same output meanwhile; requests are answered.
    const clash = await call(app, 'POST', '/v2/models/mlp/jobs', { input: 'mlp.csv', output: 'out/cancel.csv' });
    assert.equal(clash.status, 409);
    assert.equal(clash.body.code, 'MLS_ERR_JOB_CONFLICT');
    assert.equal((await app.inject({ method: 'GET', url: '/v2/health/ready' })).statusCode, 200);
    const cancelled = await call(app, 'DELETE', job.url);
    assert.equal(cancelled.status, 200);
    assert.equal(cancelled.body.state, 'cancelled');
    assert.equal(cancelled.body.rowsWritten, 64);
    const partial = read('out/cancel.csv').split('\n');
    assert.equal(partial.length, 1 + 64 + 1); // header, 64 rows, the final newline
    const ck = JSON.parse(read('out/cancel.csv.checkpoint.json')) as { position: { offset: number; row: number }; outputBytes: number; rowsWritten: number };
    assert.equal(ck.rowsWritten, 64);
    assert.equal(ck.position.row, 64);
    assert.equal(ck.outputBytes, statSync(join(data, 'out/cancel.csv')).size);
    assert.equal(cancelled.body.bytesRead, ck.position.offset);
    hold = false;
    // Resuming with other options is refused (the checkpoint is of another run).
    const other = await waitFor(app, (await submit(app, { input: 'mlp.csv', output: 'out/cancel.csv', join: false, resume: true })).url, finished);
    assert.equal(other.state, 'failed');
    assert.equal(other.error?.code, 'MLS_ERR_JOB_CONFLICT');
    const resumed = await waitFor(app, (await submit(app, { input: 'mlp.csv', output: 'out/cancel.csv', join: true, resume: true })).url, finished);
    assert.equal(resumed.state, 'succeeded', JSON.stringify(resumed));
    assert.equal(resumed.resumedFromRow, 64);
    assert.equal(resumed.rowsWritten, 2000);
    const reference = await waitFor(app, (await submit(app, { input: 'mlp.csv', output: 'out/reference.csv', join: true })).url, finished);
    assert.equal(reference.state, 'succeeded');
    assert.equal(read('out/cancel.csv'), read('out/reference.csv'));
    // A queued job is cancelled at once.
    hold = true;
    const first = await submit(app, { input: 'mlp.csv', output: 'out/q1.csv' });
    const second = await submit(app, { input: 'mlp.csv', output: 'out/q2.csv' });
    assert.equal(second.state, 'queued');
    assert.equal((await call(app, 'DELETE', second.url)).body.state, 'cancelled');
    assert.equal((await call(app, 'DELETE', first.url)).body.state, 'cancelled');
  } finally {
    hold = false;
    await app.close();
  }
});

test('a crash after some rows, then a restart and "resume": true: no row lost or repeated, byte for byte', async () => {
  for (const [model, input, output, extra] of [
    ['mlp', 'mlp.csv', 'out/crash.csv', { join: true }],
    ['treatments', 'records.jsonl', 'out/crash.jsonl', { join: true }],
    ['treatments', 'records.jsonl', 'out/crash-records.csv', {}],
  ] as const) {
    // Checkpoints every 100 rows; the "crash" comes after 320 rows (5 windows), past the checkpoint at 256.
    const crashing = await start({ checkpointMs: 1e9, checkpointRows: 100, crashAfterRows: 300 });
    const crashed = await waitFor(crashing, (await submit(crashing, { input, output, ...extra }, model)).url, finished);
    await crashing.close();
    assert.equal(crashed.state, 'failed');
    const ck = JSON.parse(read(`${output}.checkpoint.json`)) as { position: { row: number }; outputBytes: number };
    assert.equal(ck.position.row, 256);
    assert.ok(statSync(join(data, output)).size > ck.outputBytes, 'the crash left output past the checkpoint');

    const restarted = await start();
    try {
      const resumed = await waitFor(restarted, (await submit(restarted, { input, output, ...extra, resume: true }, model)).url, finished);
      assert.equal(resumed.state, 'succeeded', JSON.stringify(resumed));
      assert.equal(resumed.resumedFromRow, 256);
      const reference = `${output}.reference${output.slice(output.lastIndexOf('.'))}`;
      const ref = await waitFor(restarted, (await submit(restarted, { input, output: reference, ...extra }, model)).url, finished);
      assert.equal(ref.state, 'succeeded');
      assert.equal(resumed.rowsWritten, ref.rowsWritten);
      assert.equal(resumed.rowsFailed, ref.rowsFailed);
      assert.equal(read(output), read(reference), `${output} differs from an uninterrupted run`);
      assert.equal(existsSync(join(data, `${output}.checkpoint.json`)), false);
    } finally {
      await restarted.close();
    }
  }
});
