// The generated server seen from a real browser (headless Chromium from Debian's
// chromium-headless-shell package, driven by puppeteer-core; no browser is ever
// downloaded). A compiled directory runs as users run it (`node server.mjs`); a
// page on another origin imports the models' modules from the server (CORS) and
// scores inputs, which must give the server's own /infer answers; and /docs renders
// the model's operations, where "Try it out" → "Execute" gets a real prediction.
//
// Skipped, saying so, when no Chromium binary is found (.ci/run installs it from
// Debian when it can); MLCOMPILE_CHROMIUM names another binary.

import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { compileServerToDir } from '../../src/server-api.js';
import { copyToEmptyDir, postJson, removeTempDirs, request, startServer, tempDir, type RunningServer } from './support/server-process.js';

const MLP = fileURLToPath(new URL('../../fixtures/onnx/mlp/model.onnx', import.meta.url));
const RAIN = fileURLToPath(new URL('../../fixtures/pmml/bayesnet-discrete/model.pmml', import.meta.url));

/** Where Debian puts headless Chromium (the real binary before its shell wrapper), then full Chromium. */
const CANDIDATES = [
  '/usr/lib/chromium/chromium-headless-shell',
  '/usr/bin/chromium-headless-shell',
  '/usr/lib/chromium/chromium',
  '/usr/bin/chromium',
];

function findChromium(): string | undefined {
  const named = process.env.MLCOMPILE_CHROMIUM;
  if (named !== undefined && named !== '') return existsSync(named) ? named : undefined;
  return CANDIDATES.find((p) => existsSync(p));
}

const CHROMIUM = findChromium();
const SKIP = CHROMIUM === undefined
  ? `no Chromium binary found (looked for ${process.env.MLCOMPILE_CHROMIUM || CANDIDATES.join(', ')}): apt-get install chromium-headless-shell, or set MLCOMPILE_CHROMIUM`
  : false;

/** Two rows of the mlp's 4 features, and one record of the PMML model's 3 fields. */
const FEATURES = [0.5, -1.25, 2, 0.75, -0.3, 0.1, 1.5, -2];
const RECORD = { Cloudy: 'yes', Sprinkler: 'no', WetGrass: 'yes' };

/** The page another origin serves: imports both modules from the server and scores the inputs. */
const PAGE = `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>scoring page</title></head>
<body>
<script type="module">
const server = new URL(location.href).searchParams.get('server');
try {
  const mlp = await import(server + '/v2/models/mlp/versions/1/module.mjs');
  const rain = await import(server + '/v2/models/rain/versions/1/module.mjs');
  const r = mlp.predict({ features: { type: 'float32', dims: [2, 4], data: new Float32Array(${JSON.stringify(FEATURES)}) } });
  window.result = {
    mlp: Object.fromEntries(Object.entries(r).map(([k, t]) => [k, { dims: Array.from(t.dims), data: Array.from(t.data) }])),
    rain: rain.predict(${JSON.stringify(RECORD)}),
  };
} catch (e) {
  window.result = { error: String(e && e.stack || e) };
}
</script>
</body></html>
`;

let server: RunningServer;
let pages: Server;
let pagesUrl: string;
let browser: Browser;

before(async () => {
  if (SKIP !== false) return;
  const out = join(tempDir('mlc-browser-'), 'out');
  await compileServerToDir(MLP, out, { modelVersion: '1' });
  await compileServerToDir(RAIN, out, { name: 'rain' });
  server = await startServer(copyToEmptyDir(out));
  pages = createServer((req, res) => {
    res.writeHead(req.url?.startsWith('/page.html') === true ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(req.url?.startsWith('/page.html') === true ? PAGE : 'not found');
  });
  await new Promise<void>((resolve) => pages.listen(0, '127.0.0.1', resolve));
  pagesUrl = `http://127.0.0.1:${(pages.address() as AddressInfo).port}`;
  browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: 'shell',
    // Root in a container has no user namespaces for Chromium's sandbox.
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    protocolTimeout: 60_000,
  });
});

after(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (pages === undefined ? resolve() : pages.close(() => resolve())));
  if (server !== undefined && server.proc.exitCode === null) await server.stop();
  removeTempDirs();
});

/** A page that records failed requests and error responses (a missing asset, a CORS refusal). */
async function openPage(): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on('requestfailed', (r) => problems.push(`${r.url()}: ${r.failure()?.errorText ?? 'failed'}`));
  page.on('response', (r) => {
    if (r.status() >= 400) problems.push(`${r.url()}: ${r.status()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${(e as Error).message}`));
  return { page, problems };
}

function sameFloat32(actual: readonly number[], expected: readonly number[], what: string): void {
  assert.equal(actual.length, expected.length, what);
  for (let i = 0; i < expected.length; i++) assert.equal(Math.fround(actual[i]), Math.fround(expected[i]), `${what}[${i}]`);
}

test('a page on another origin imports module.mjs from the server and scores as /infer does', { skip: SKIP, timeout: 120_000 }, async () => {
  const { page, problems } = await openPage();
  await page.goto(`${pagesUrl}/page.html?server=${encodeURIComponent(server.url)}`);
  await page.waitForFunction('window.result !== undefined', { timeout: 30_000 });
  const result = (await page.evaluate('window.result')) as { error?: string; mlp: Record<string, { dims: number[]; data: number[] }>; rain: Record<string, unknown> };
  await page.close();
  assert.equal(result.error, undefined, result.error);
  assert.deepEqual(problems, []);
  assert.notEqual(new URL(pagesUrl).origin, new URL(server.url).origin);

  const served = await postJson(`${server.url}/v2/models/mlp/versions/1/infer`, { inputs: [{ name: 'features', shape: [2, 4], datatype: 'FP32', data: FEATURES }] });
  assert.equal(served.status, 200, served.text);
  const outputs = (served.body as { outputs: { name: string; shape: number[]; data: number[] }[] }).outputs;
  assert.deepEqual(outputs.map((o) => o.name).sort(), Object.keys(result.mlp).sort());
  for (const o of outputs) {
    assert.deepEqual(result.mlp[o.name].dims, o.shape, o.name);
    sameFloat32(result.mlp[o.name].data, o.data, o.name);
  }

  const rain = await postJson(`${server.url}/v2/models/rain/versions/1/infer`, {
    inputs: Object.entries(RECORD).map(([name, v]) => ({ name, shape: [1], datatype: 'BYTES', data: [v] })),
  });
  assert.equal(rain.status, 200, rain.text);
  const columns = (rain.body as { outputs: { name: string; data: unknown[] }[] }).outputs;
  assert.ok(columns.length >= 3);
  for (const c of columns) assert.deepEqual(result.rain[c.name], c.data[0], c.name);
});

test('/docs renders the model\'s operations, and "Try it out" gets a real prediction', { skip: SKIP, timeout: 120_000 }, async () => {
  const { page, problems } = await openPage();
  await page.setViewport({ width: 1280, height: 2000 });
  await page.goto(`${server.url}/docs?model=mlp`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('.opblock-summary-path', { timeout: 30_000 });
  const paths = await page.$$eval('.opblock-summary-path', (els) => els.map((e) => (e.textContent ?? '').replace(/\u200b/g, '').trim()));
  for (const p of ['/v2/models/mlp/infer', '/v2/models/mlp/versions/1/infer', '/v2/models/mlp/versions/1/module.mjs', '/invocations']) {
    assert.ok(paths.includes(p), `${p} is not among the operations shown: ${paths.join(', ')}`);
  }
  const title = await page.$eval('.info .title', (e) => e.textContent ?? '');
  assert.match(title, /^mlp: mlcompile prediction server/);

  // Open the inference operation and send its example, as a person would.
  const block = await page.waitForSelector('xpath/.//div[contains(@class, "opblock-post")][.//*[contains(@class, "opblock-summary-path") and normalize-space(translate(., "\u200b", "")) = "/v2/models/mlp/infer"]]');
  assert.ok(block !== null);
  await (await block.$('.opblock-summary'))?.click();
  const execute = await block.waitForSelector('button.execute', { timeout: 10_000 });
  await execute?.click();
  const answer = await block.waitForSelector('.live-responses-table .response-col_description pre', { timeout: 30_000 });
  const shown = JSON.parse((await answer?.evaluate((e) => e.textContent)) ?? 'null') as { model_name: string; outputs: { name: string; data: number[] }[] };
  const status = await block.$eval('.live-responses-table tbody .response-col_status', (e) => (e.textContent ?? '').trim());
  await page.close();
  assert.equal(status, '200');
  assert.deepEqual(problems, []);

  const doc = (await request(`${server.url}/v2/models/mlp/openapi.json`)).body as { paths: Record<string, { post: { requestBody: { content: Record<string, { example: unknown }> } } }> };
  const example = doc.paths['/v2/models/mlp/infer'].post.requestBody.content['application/json'].example;
  const expected = await postJson(`${server.url}/v2/models/mlp/infer`, example);
  assert.deepEqual(shown, expected.body);
  assert.equal(shown.model_name, 'mlp');
});

test('/docs over all models offers every model\'s document', { skip: SKIP, timeout: 120_000 }, async () => {
  const { page, problems } = await openPage();
  await page.goto(`${server.url}/docs`, { waitUntil: 'networkidle0' });
  await page.waitForSelector('.opblock-summary-path', { timeout: 30_000 });
  const text = ((await page.evaluate('document.body.innerText')) as string).replace(/\u200b/g, '');
  const options = await page.$$eval('.topbar select option', (els) => els.map((e) => e.textContent));
  await page.close();
  assert.deepEqual(problems, []);
  assert.deepEqual(options, ['all models', 'mlp', 'rain']);
  for (const p of ['/v2/models/mlp/infer', '/v2/models/rain/versions/1/infer', '/v2/health/ready', '/metrics']) assert.ok(text.includes(p), p);
});
