// POST /v2/models/{name}[/versions/{v}]/batch: CSV and JSON Lines in and out, ONNX
// and PMML models, isolated bad rows, all-or-nothing, join, Accept, limits, and
// real HTTP streaming of a body larger than the on-demand limit (also from a client
// that writes its whole body before reading).

import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { ModelModule } from '../../runtime/server/models-repository.js';
import {
  FIXTURES, MLP_ONNX, PMML_TREATMENTS, PMML_TREE, appWith, featureRows, featuresCsv, featuresJsonl, moduleOf, parseJsonl,
} from './support/batch-fixtures.js';

let mlp: ModelModule;
let treatments: ModelModule;
let tree: ModelModule;
let app: Awaited<ReturnType<typeof appWith>>['app'];

before(async () => {
  mlp = await moduleOf(MLP_ONNX);
  treatments = await moduleOf(PMML_TREATMENTS);
  tree = await moduleOf(PMML_TREE);
  app = (await appWith({ mlp, treatments, tree }, { bodyLimit: 64 * 1024, batch: { bodyLimit: 4 * 1024 * 1024 } })).app;
});

after(async () => {
  await app?.close();
});

async function batch(url: string, body: string, headers: Record<string, string>) {
  const r = await app.inject({ method: 'POST', url, payload: body, headers });
  return { status: r.statusCode, type: String(r.headers['content-type']), text: r.body, headers: r.headers };
}

const CSV = { 'content-type': 'text/csv' };
const JSONL = { 'content-type': 'application/x-ndjson' };

/** The mlp module's outputs for one sample, as run() gives them. */
function expectedMlp(row: readonly number[]): { logits: number[]; probabilities: number[] } {
  const out = (mlp.run as (f: Record<string, unknown>) => Record<string, { data: Float32Array }>)({ features: { type: 'float32', dims: [1, 4], data: Float32Array.from(row) } });
  return { logits: Array.from(out.logits.data), probabilities: Array.from(out.probabilities.data) };
}

function close(actual: readonly number[], expected: readonly number[], what: string): void {
  assert.equal(actual.length, expected.length, what);
  actual.forEach((a, i) => assert.ok(Math.abs(a - expected[i]) <= 1e-6 + 1e-5 * Math.abs(expected[i]), `${what}[${i}]: ${a} vs ${expected[i]}`));
}

test('ONNX, CSV in and out: one sample of the [N, 4] input per row, a column per output element, an error column', async () => {
  const rows = featureRows(300);
  const r = await batch('/v2/models/mlp/batch', featuresCsv(rows), CSV);
  assert.equal(r.status, 200, r.text);
  assert.match(r.type, /^text\/csv/);
  const lines = r.text.trimEnd().split('\n');
  assert.equal(lines[0], 'logits[0],logits[1],logits[2],probabilities[0],probabilities[1],probabilities[2],error');
  assert.equal(lines.length, 301);
  rows.forEach((row, i) => {
    const cells = lines[i + 1].split(',');
    assert.equal(cells[6], '');
    const e = expectedMlp(row);
    close(cells.slice(0, 3).map(Number), e.logits, `row ${i} logits`);
    close(cells.slice(3, 6).map(Number), e.probabilities, `row ${i} probabilities`);
  });
  // One call per row gives the same answer as stacked rows.
  const single = await batch('/v2/models/mlp/batch?batch_size=1', featuresCsv(rows), CSV);
  const a = r.text.trimEnd().split('\n').slice(1).map((l) => l.split(',').slice(0, 6).map(Number));
  const b = single.text.trimEnd().split('\n').slice(1).map((l) => l.split(',').slice(0, 6).map(Number));
  a.forEach((x, i) => close(x, b[i], `batch_size=1 row ${i}`));
});

test('ONNX, JSON Lines in and out: the CLI feed form, extra keys ignored (kept by join), outputs as {type, dims, data}', async () => {
  const rows = featureRows(5);
  const body = featuresJsonl(rows) + JSON.stringify({ id: 'two', features: [[...rows[0]], [...rows[1]]] }) + '\n';
  const r = await batch('/v2/models/mlp/batch', body, JSONL);
  assert.equal(r.status, 200, r.text);
  assert.match(r.type, /^application\/x-ndjson/);
  const out = parseJsonl(r.text) as { logits: { type: string; dims: number[]; data: number[] }; id?: unknown }[];
  assert.equal(out.length, 6);
  assert.deepEqual(Object.keys(out[0]), ['logits', 'probabilities']);
  assert.equal(out[0].logits.type, 'float32');
  assert.deepEqual(out[0].logits.dims, [1, 3]);
  close(out[2].logits.data, expectedMlp(rows[2]).logits, 'line 2');
  // A line of two samples: dims [2, 3], as `mlcompile predict` writes it.
  assert.deepEqual(out[5].logits.dims, [2, 3]);
  close(out[5].logits.data, [...expectedMlp(rows[0]).logits, ...expectedMlp(rows[1]).logits], 'line 5');
  const joined = parseJsonl((await batch('/v2/models/mlp/batch?join=true', body, JSONL)).text);
  assert.deepEqual(Object.keys(joined[0]), ['id', 'features', 'logits', 'probabilities']);
  assert.equal(joined[5].id, 'two');
});

test('ONNX: columns named after the input\'s elements, with other columns kept by join', async () => {
  const rows = featureRows(3);
  const body = `id,features[0],features[1],features[2],features[3],note\n${rows.map((r, i) => `${i},${r.join(',')},"a, ""quoted"" note"`).join('\n')}\n`;
  const r = await batch('/v2/models/mlp/batch?join=true', body, CSV);
  assert.equal(r.status, 200, r.text);
  const lines = r.text.trimEnd().split('\n');
  assert.equal(lines[0], 'id,features[0],features[1],features[2],features[3],note,logits[0],logits[1],logits[2],probabilities[0],probabilities[1],probabilities[2],error');
  assert.ok(lines[1].startsWith(`0,${rows[0].join(',')},"a, ""quoted"" note",`), lines[1]);
  const asJsonl = parseJsonl((await batch('/v2/models/mlp/batch?join=true', body, { ...CSV, accept: 'application/jsonl' })).text);
  assert.equal(asJsonl[2].id, '2');
  assert.equal(asJsonl[2].note, 'a, "quoted" note');
});

test('bad rows get an error ($error, the error column) and the other rows are scored', async () => {
  const rows = featureRows(4);
  const csv = `a,b,c,d\n${rows[0].join(',')}\n1,2,x,4\n1,2,3\n"unclosed,1,2,3\n`;
  const r = await batch('/v2/models/mlp/batch', csv, CSV);
  assert.equal(r.status, 200, r.text);
  const lines = r.text.trimEnd().split('\n');
  assert.equal(lines.length, 5);
  assert.equal(lines[1].split(',')[6], '');
  assert.match(lines[2], /^,,,,,,"column ""c"" is ""x"", not a number \(FP32\)"$/);
  assert.match(lines[3], /the row has 3 values but the header has 4 columns/);
  assert.match(lines[4], /a quoted field is not closed/);
  const jsonl = [
    JSON.stringify({ features: rows[0] }),
    '{"features": [1, 2',
    '[1, 2, 3, 4]',
    JSON.stringify({ features: [1, 2, 3] }),
    JSON.stringify({ features: { type: 'float64', data: rows[0] } }),
    JSON.stringify({ other: 1 }),
    JSON.stringify({ features: rows[1] }),
  ].join('\n');
  const j = parseJsonl((await batch('/v2/models/mlp/batch', jsonl, JSONL)).text);
  assert.equal(j.length, 7);
  assert.ok('logits' in j[0] && 'logits' in j[6]);
  assert.match(String(j[1].$error), /^invalid JSON/);
  assert.equal(j[2].$error, 'a line must be a JSON object');
  assert.match(String(j[3].$error), /the model|shape|values/);
  assert.match(String(j[4].$error), /has type "float64"; the model takes float32/);
  assert.equal(j[5].$error, 'no value for input "features"');
  const metrics = (await app.inject({ method: 'GET', url: '/metrics' })).body;
  assert.match(metrics, /^mlcompile_batch_rows_scored_total\{model="mlp",version="1",source="http"\} \d+$/m);
  assert.match(metrics, /^mlcompile_batch_rows_failed_total\{model="mlp",version="1",source="http"\} \d+$/m);
});

test('all-or-nothing: the first bad row answers 400 with its row and line; a clean body is all scored', async () => {
  const rows = featureRows(200);
  const body = featuresCsv(rows).replace(/\n([^\n]*)\n$/, '\n$1\n\n1,2,oops,4\n');
  for (const [url, headers] of [['/v2/models/mlp/batch?mode=all-or-nothing', CSV], ['/v2/models/mlp/batch', { ...CSV, 'x-batch-mode': 'all-or-nothing' }]] as const) {
    const r = await batch(url, body, headers);
    assert.equal(r.status, 400, r.text);
    assert.match(r.type, /application\/json/);
    const e = JSON.parse(r.text) as { error: string; code: string; row: number; line: number };
    assert.equal(e.code, 'MLS_ERR_BAD_TENSOR_DATA');
    assert.equal(e.row, 201);
    assert.equal(e.line, 203); // the header, 200 rows, a blank line
    assert.match(e.error, /^row 201 \(line 203\): column "f2" is "oops"/);
  }
  const ok = await batch('/v2/models/mlp/batch?mode=all-or-nothing', featuresCsv(rows), CSV);
  assert.equal(ok.status, 200);
  assert.equal(ok.text, (await batch('/v2/models/mlp/batch', featuresCsv(rows), CSV)).text);
});

test('PMML, CSV in and out: header = field names, empty cell = missing, a refused record is a failed row; join', async () => {
  const input = readFileSync(join(FIXTURES, 'pmml/core-invalid-treatments/input.csv'), 'utf8');
  const expected = readFileSync(join(FIXTURES, 'pmml/core-invalid-treatments/expected.csv'), 'utf8').replace(/\n$/, '').split('\n').slice(1);
  const r = await batch('/v2/models/treatments/batch', input, CSV);
  assert.equal(r.status, 200, r.text);
  const lines = r.text.trimEnd().split('\n');
  assert.equal(lines[0], 'y_hat,error');
  assert.equal(lines.length, expected.length + 1);
  expected.forEach((e, i) => {
    const [value, error] = lines[i + 1].split(/,(.*)/s);
    if (e === '') assert.match(error, /the value .* of the field .*n.* is invalid/, `row ${i}`);
    else assert.equal(Number(value), Number(e), `row ${i}`);
  });
  const joined = (await batch('/v2/models/treatments/batch?join=true', input, CSV)).text.split('\n');
  assert.equal(joined[0], 'color,size,w,n,y_hat,error');
  assert.equal(joined[1], 'red,10,0.5,1,1070,');
  assert.equal(joined[3], ',10,0.5,1,1080,');
  const rows = lines.length - 1;
  const all = await batch('/v2/models/treatments/batch?mode=all-or-nothing', input, CSV);
  assert.equal(all.status, 400);
  assert.equal((JSON.parse(all.text) as { row: number }).row, 8);
  assert.ok(rows > 8);
});

test('PMML, JSON Lines in and out: records with strings and missing values', async () => {
  const csv = readFileSync(join(FIXTURES, 'pmml/tree-missing-strategies/input.csv'), 'utf8').trimEnd().split('\n');
  const header = csv[0].split(',');
  const records = csv.slice(1).map((l) => Object.fromEntries(l.split(',').map((c, k) => [header[k], c === '' ? null : k === 0 ? c : Number(c)])));
  const body = records.map((r) => JSON.stringify(r)).join('\n') + '\n{"strategy": {"nested": 1}}\n';
  const r = await batch('/v2/models/tree/batch?join=true', body, { 'content-type': 'application/jsonl' });
  assert.equal(r.status, 200, r.text);
  const out = parseJsonl(r.text);
  assert.equal(out.length, records.length + 1);
  assert.deepEqual(out[0], { ...records[0], predicted: 'A', probability_A: 0.9, probability_B: 0.1, confidence: 0.9, node: 'LL' });
  assert.match(String(out[records.length].$error), /must be a number, a string, a boolean or null/);
  // The same rows through CSV give the same values.
  const viaCsv = parseJsonl((await batch('/v2/models/tree/batch', csv.join('\n') + '\n', { ...CSV, accept: 'application/x-ndjson' })).text);
  out.slice(0, records.length).forEach((o, i) => {
    for (const k of ['predicted', 'probability_A', 'probability_B', 'confidence', 'node']) assert.deepEqual(o[k], viaCsv[i][k], `row ${i} ${k}`);
  });
});

test('requests the route refuses, and empty bodies', async () => {
  const cases: [string, string, Record<string, string>, number, string][] = [
    ['/v2/models/mlp/batch', '{}', { 'content-type': 'application/json' }, 415, 'MLS_ERR_UNSUPPORTED_MEDIA_TYPE'],
    ['/v2/models/mlp/batch?mode=some', 'a\n', CSV, 400, 'MLS_ERR_BAD_REQUEST'],
    ['/v2/models/mlp/batch?join=maybe', 'a\n', CSV, 400, 'MLS_ERR_BAD_REQUEST'],
    ['/v2/models/mlp/batch?batch_size=0', 'a\n', CSV, 400, 'MLS_ERR_BAD_REQUEST'],
    ['/v2/models/mlp/batch?join=true', '{}\n', { ...JSONL, accept: 'text/csv' }, 400, 'MLS_ERR_BAD_REQUEST'],
    ['/v2/models/nope/batch', 'a\n', CSV, 404, 'MLS_ERR_MODEL_NOT_FOUND'],
    ['/v2/models/mlp/versions/9/batch', 'a\n', CSV, 404, 'MLS_ERR_MODEL_NOT_FOUND'],
    ['/v2/models/mlp/batch', '', CSV, 400, 'MLS_ERR_BAD_ROW'],
    ['/v2/models/mlp/batch', 'a,a\n1,2\n', CSV, 400, 'MLS_ERR_BAD_ROW'],
    ['/v2/models/treatments/batch', 'x,y\n1,2\n', CSV, 400, 'MLS_ERR_BAD_REQUEST'],
  ];
  for (const [url, body, headers, status, code] of cases) {
    const r = await batch(url, body, headers);
    assert.equal(r.status, status, `${url} ${body}: ${r.text}`);
    assert.equal((JSON.parse(r.text) as { code: string }).code, code, r.text);
  }
  const empty = await batch('/v2/models/mlp/batch', '', JSONL);
  assert.equal(empty.status, 200);
  assert.equal(empty.text, '');
  const headerOnly = await batch('/v2/models/treatments/versions/1/batch', 'color,size,w,n\n', CSV);
  assert.equal(headerOnly.status, 200);
  assert.equal(headerOnly.text, 'y_hat,error\n');
});

test('the batch body limit is its own: far above the on-demand one, and 413 beyond it', async () => {
  // This app's on-demand limit is 64 KiB; the batch body here is over 4 times that.
  const rows = featureRows(5000);
  const body = featuresCsv(rows);
  assert.ok(body.length > 4 * 64 * 1024);
  const infer = await app.inject({ method: 'POST', url: '/v2/models/mlp/infer', payload: JSON.stringify({ inputs: [{ name: 'features', shape: [5000, 4], datatype: 'FP32', data: rows.flat() }] }), headers: { 'content-type': 'application/json' } });
  assert.equal(infer.statusCode, 413);
  const r = await batch('/v2/models/mlp/batch', body, CSV);
  assert.equal(r.status, 200);
  assert.equal(r.text.trimEnd().split('\n').length, 5001);
  const huge = 'f0,f1,f2,f3\n' + '1,2,3,4\n'.repeat(600_000); // 4.8 MB > the 4 MiB batch limit
  const tooBig = await batch('/v2/models/mlp/batch?mode=all-or-nothing', huge, CSV);
  assert.equal(tooBig.status, 413);
  assert.match(tooBig.text, /MLCOMPILE_BATCH_BODY_LIMIT/);
});

test('over HTTP: a 6 MB body (over the default 5 MB limit) streams through, also to a client that reads only after sending', { timeout: 120_000 }, async () => {
  const { app: server } = await appWith({ mlp });
  await server.listen({ port: 0, host: '127.0.0.1' });
  try {
    const port = (server.server.address() as { port: number }).port;
    // 3,000 rows padded with a 2 KB column the model ignores (join=true writes it back).
    const rows = featureRows(3000);
    const note = 'n'.repeat(2000);
    const body = `id,features[0],features[1],features[2],features[3],note\n${rows.map((r, i) => `${i},${r.join(',')},${note}`).join('\n')}\n`;
    assert.ok(body.length > 6_000_000, String(body.length));
    const url = `http://127.0.0.1:${port}/v2/models/mlp/batch?join=true`;
    const res = await fetch(url, { method: 'POST', body, headers: CSV });
    const text = await res.text();
    assert.equal(res.status, 200);
    const lines = text.trimEnd().split('\n');
    assert.equal(lines.length, rows.length + 1);
    const cells = lines[2778].split(',');
    assert.equal(cells[0], '2777');
    assert.equal(cells[5], note);
    close(cells.slice(6, 9).map(Number), expectedMlp(rows[2777]).logits, 'row 2777');
    // A client that reads nothing of the answer until it has sent its whole body (as Python requests does).
    const late = await new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, method: 'POST', path: '/v2/models/mlp/batch?join=true', headers: { ...CSV, 'content-length': Buffer.byteLength(body) } });
      let sent = false;
      let answer: IncomingMessage | undefined;
      const read = (resp: IncomingMessage): void => {
        let s = '';
        resp.setEncoding('utf8');
        resp.on('data', (d: string) => { s += d; });
        resp.on('end', () => resolve({ status: resp.statusCode ?? 0, text: s }));
        resp.resume();
      };
      req.on('error', reject);
      req.on('response', (resp) => {
        resp.pause();
        if (sent) read(resp);
        else answer = resp;
      });
      req.end(body, () => {
        sent = true;
        if (answer !== undefined) read(answer);
      });
    });
    assert.equal(late.status, 200);
    assert.equal(late.text, text);
  } finally {
    await server.close();
  }
});
