// Discoverability: the link index at GET /, the OpenAPI documents built from the
// models' fields (validated as OpenAPI 3.1; every example request answered and
// every answer fitting its schema), ETag / Cache-Control / 304, module downloads
// with CORS, and the docs UI's page and files. In-process (fastify.inject) on a
// directory compiled with an ONNX model (two versions) and a PMML model.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileErrors, validate } from '@readme/openapi-parser';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { SERVER_VERSION, buildApp } from '../../runtime/server/app.js';
import { notModified } from '../../runtime/server/etag.js';
import { ModelRepository, describeModel, loadModels, type ModelModule } from '../../runtime/server/models-repository.js';
import { compileServerToDir } from '../../src/server-api.js';
import { removeTempDirs, tempDir } from './support/server-process.js';

const MLP = fileURLToPath(new URL('../../fixtures/onnx/mlp/model.onnx', import.meta.url));
const RAIN = fileURLToPath(new URL('../../fixtures/pmml/bayesnet-discrete/model.pmml', import.meta.url));

type Json = Record<string, unknown>;
type App = ReturnType<typeof buildApp>['app'];

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | number | undefined>;
  readonly text: string;
  readonly raw: Buffer;
  readonly body: Json;
}

let dir: string;
let app: App;
let repo: ModelRepository;
/** Every route the app registered, as "METHOD /pattern". */
const routes: string[] = [];

before(async () => {
  dir = join(tempDir('mlc-discovery-'), 'srv');
  await compileServerToDir(MLP, dir, { modelVersion: '1' });
  await compileServerToDir(MLP, dir, { modelVersion: '2' });
  await compileServerToDir(RAIN, dir, { name: 'rain' });
  repo = new ModelRepository();
  await loadModels(repo, join(dir, 'models'));
  app = buildApp({ repository: repo, metrics: false, modelsDir: join(dir, 'models'), docsUiDir: join(dir, 'docs-ui') }).app;
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) if (m !== 'HEAD') routes.push(`${m} ${r.url}`);
  });
  await app.ready();
});

after(async () => {
  await app?.close();
  removeTempDirs();
});

async function call(a: App, method: 'GET' | 'POST' | 'HEAD', url: string, opts: { headers?: Record<string, string>; payload?: unknown } = {}): Promise<Answer> {
  const r = await a.inject({
    method,
    url,
    headers: { ...(opts.payload !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
    payload: opts.payload === undefined ? undefined : JSON.stringify(opts.payload),
  });
  const json = String(r.headers['content-type'] ?? '').includes('json') && r.body !== '';
  return { status: r.statusCode, headers: r.headers, text: r.body, raw: r.rawPayload, body: json ? (r.json() as Json) : {} };
}

const get = (url: string, headers?: Record<string, string>): Promise<Answer> => call(app, 'GET', url, { headers });

/** True when `path` is an instance of a registered route pattern. */
function routeFor(method: string, path: string): string | undefined {
  return routes.find((r) => {
    const [m, pattern] = r.split(' ');
    if (m !== method) return false;
    const re = new RegExp(`^${pattern.replace(/[.]/g, '\\.').replace(/:[A-Za-z_]+/g, '[^/]+')}$`);
    return re.test(path);
  });
}

interface LinkIndex {
  name: string;
  version: string;
  links: Record<string, string>;
  models: {
    name: string;
    platform: string;
    latest_version: string;
    default: boolean;
    links: Record<string, string>;
    versions: { version: string; platform: string; links: Record<string, string> }[];
  }[];
}

test('GET / lists the server, each model and version, and their links', async () => {
  const r = await get('/');
  assert.equal(r.status, 200);
  const index = r.body as unknown as LinkIndex;
  assert.equal(index.name, 'mlcompile');
  assert.equal(index.version, SERVER_VERSION);
  // Links of other plugins' routes (batch, jobs) join these.
  const has = (links: Record<string, string>, expected: Record<string, string>, what: string): void => {
    for (const [k, v] of Object.entries(expected)) assert.equal(links[k], v, `${what}.${k}`);
  };
  has(index.links, {
    self: '/', live: '/v2/health/live', ready: '/v2/health/ready', server_metadata: '/v2',
    ping: '/ping', invocations: '/invocations', openapi: '/openapi.json', docs: '/docs',
  }, 'links');
  assert.deepEqual(index.models.map((m) => [m.name, m.platform, m.latest_version, m.default]), [['mlp', 'onnx_onnxv1', '2', true], ['rain', 'mlcompile_pmml', '1', false]]);
  const mlp = index.models[0];
  has(mlp.links, {
    metadata: '/v2/models/mlp', ready: '/v2/models/mlp/ready', infer: '/v2/models/mlp/infer',
    openapi: '/v2/models/mlp/openapi.json', docs: '/docs?model=mlp',
  }, 'mlp.links');
  assert.deepEqual(mlp.versions.map((v) => v.version), ['1', '2']);
  has(mlp.versions[0].links, {
    metadata: '/v2/models/mlp/versions/1', ready: '/v2/models/mlp/versions/1/ready', infer: '/v2/models/mlp/versions/1/infer',
    module: '/v2/models/mlp/versions/1/module.mjs', module_cjs: '/v2/models/mlp/versions/1/module.cjs', types: '/v2/models/mlp/versions/1/model.d.ts',
  }, 'mlp.versions[0].links');
  // Every link is a route; those that can be fetched answer 200.
  const all = [index.links, ...index.models.flatMap((m) => [m.links, ...m.versions.map((v) => v.links)])].flatMap((l) => Object.values(l));
  for (const link of all) {
    const path = link.split('?')[0];
    const gettable = routeFor('GET', path) !== undefined;
    assert.ok(gettable || routeFor('POST', path) !== undefined, `${link} is no route`);
    if (gettable) assert.equal((await get(link)).status, 200, `GET ${link}`);
  }
});

test('the links follow the routes registered, whichever plugin registers them', async () => {
  const r2 = new ModelRepository();
  r2.add(describeModel('mlp', '1', (await import(pathToFileURL(join(dir, 'models/mlp/1/model.mjs')).href)) as ModelModule));
  const built = buildApp({ repository: r2, metrics: false });
  built.app.register(async (a) => {
    const ok = async (): Promise<Json> => ({});
    a.post('/v2/models/:model_name/explain', ok);
    a.post('/v2/models/:model_name/versions/:model_version/explain', ok);
    a.post('/v2/models/:model_name/tasks', ok);
    a.get('/v2/models/:model_name/tasks', ok);
    a.get('/v2/models/:model_name/tasks/:task_id', ok);
    a.get('/v2/tasks', ok);
  });
  await built.app.ready();
  const index = (await call(built.app, 'GET', '/')).body as unknown as LinkIndex;
  await built.app.close();
  assert.equal(index.links.tasks, '/v2/tasks');
  assert.equal(index.models[0].links.explain, '/v2/models/mlp/explain');
  assert.equal(index.models[0].links.tasks, '/v2/models/mlp/tasks');
  assert.equal(index.models[0].versions[0].links.explain, '/v2/models/mlp/versions/1/explain');
  assert.ok(!Object.values(index.models[0].links).some((l) => l.includes(':')), JSON.stringify(index.models[0].links));
  // No module directory given: the module links stay (the routes exist) and answer 404.
  assert.equal(index.models[0].versions[0].links.module, '/v2/models/mlp/versions/1/module.mjs');
});

interface OpenApiDoc {
  openapi: string;
  info: Json;
  paths: Record<string, Record<string, { operationId: string; requestBody?: { content: Record<string, { schema: Json; example?: unknown }> }; responses: Record<string, { content?: Record<string, { schema: Json }> }> }>>;
  components: { schemas: Record<string, Json> };
}

async function openapiValid(doc: unknown, what: string): Promise<void> {
  const result = await validate(structuredClone(doc) as Parameters<typeof validate>[0]);
  assert.ok(result.valid, `${what}: ${result.valid ? '' : compileErrors(result)}`);
}

test('GET /openapi.json: built from the loaded models, identical to DIR/openapi.json, a valid OpenAPI 3.1 document', async () => {
  const r = await get('/openapi.json');
  assert.equal(r.status, 200);
  const doc = r.body as unknown as OpenApiDoc;
  // The file names the compiler's version; the server run from source is 0.0.0-dev (the bundle's is the compiler's).
  assert.equal(doc.info.version, SERVER_VERSION);
  assert.deepEqual({ ...doc, info: { ...doc.info, version: 'any' } }, { ...JSON.parse(readFileSync(join(dir, 'openapi.json'), 'utf8')), info: { ...doc.info, version: 'any' } });
  assert.equal(doc.openapi, '3.1.0');
  await openapiValid(doc, '/openapi.json');
  for (const p of ['/', '/docs', '/docs/{file}', '/v2/models/{model_name}/openapi.json', '/v2/models/{model_name}/versions/{model_version}/module.mjs']) {
    assert.ok(doc.paths[p]?.get !== undefined, `no GET ${p}`);
  }
  for (const [name, version] of [['mlp', '1'], ['mlp', '2'], ['rain', '1']]) {
    const op = doc.paths[`/v2/models/${name}/versions/${version}/infer`]?.post;
    assert.ok(op !== undefined, `${name}/${version}`);
    assert.deepEqual(op.requestBody?.content['application/json'].schema, { $ref: `#/components/schemas/${name}__${version}__inference_request` });
  }
  assert.equal(doc.paths['/v2/models/mlp/infer'].post.operationId, 'mlp__2__infer_latest');
});

test('GET /v2/models/{name}/openapi.json: one model, concrete paths for its latest and each version', async () => {
  for (const name of ['mlp', 'rain']) {
    const r = await get(`/v2/models/${name}/openapi.json`);
    assert.equal(r.status, 200);
    await openapiValid(r.body, name);
  }
  const doc = (await get('/v2/models/mlp/openapi.json')).body as unknown as OpenApiDoc;
  const base = '/v2/models/mlp';
  const expected = [base, `${base}/ready`, `${base}/infer`];
  for (const v of ['1', '2']) expected.push(`${base}/versions/${v}`, `${base}/versions/${v}/ready`, `${base}/versions/${v}/infer`, `${base}/versions/${v}/module.mjs`, `${base}/versions/${v}/module.cjs`, `${base}/versions/${v}/model.d.ts`);
  expected.push('/invocations', `${base}/openapi.json`);
  assert.deepEqual(Object.keys(doc.paths), expected);
  // /invocations only in the document of the model it serves.
  const rain = (await get('/v2/models/rain/openapi.json')).body as unknown as OpenApiDoc;
  assert.ok(!('/invocations' in rain.paths));
  assert.ok(Object.keys(rain.paths).every((p) => p.startsWith('/v2/models/rain')));
  assert.equal((await get('/v2/models/nope/openapi.json')).status, 404);
});

function compile(doc: OpenApiDoc, schema: Json) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  // Schemas refer to components by $ref: give ajv the document to resolve them in.
  ajv.addSchema({ $id: 'doc', components: doc.components } as Json);
  return ajv.compile(JSON.parse(JSON.stringify(schema).replace(/"#\/components\//g, '"doc#/components/')) as Json);
}

test('field schemas: categorical values as enums, PMML fields optional and nullable, ONNX inputs required', async () => {
  const rain = (await get('/v2/models/rain/openapi.json')).body as unknown as OpenApiDoc;
  const req = rain.components.schemas.rain__1__inference_request;
  const columns = ((req.properties as Json).inputs as Json).items as { oneOf: { properties: { name: { const: string }; data: { items: Json } } }[] };
  assert.deepEqual(columns.oneOf.map((c) => c.properties.name.const), ['Cloudy', 'Sprinkler', 'WetGrass']);
  for (const c of columns.oneOf) assert.deepEqual(c.properties.data.items, { type: ['string', 'null'], enum: ['yes', 'no', null], description: 'PMML string, categorical' });
  const check = compile(rain, req);
  const column = (name: string, data: unknown[]): Json => ({ name, shape: [data.length], datatype: 'BYTES', data });
  assert.ok(check({ inputs: [column('Cloudy', ['yes', null])] }), 'fields may be left out or missing (null)');
  assert.ok(!check({ inputs: [column('Cloudy', ['maybe'])] }), 'a value that is not a category');
  const predicted = (rain.components.schemas.rain__1__inference_response.properties as Json).outputs as { items: { oneOf: { properties: { name: { const: string }; data: { items: Json } } }[] } };
  assert.equal(predicted.items.oneOf[0].properties.name.const, 'Predicted_Rain');

  const mlp = (await get('/v2/models/mlp/openapi.json')).body as unknown as OpenApiDoc;
  const checkMlp = compile(mlp, mlp.components.schemas.mlp__2__inference_request);
  const features = { name: 'features', shape: [1, 4], datatype: 'FP32', data: [0, 1, 2, 3] };
  assert.ok(checkMlp({ inputs: [features] }));
  assert.ok(!checkMlp({ inputs: [] }), 'the features input is required');
  assert.ok(!checkMlp({ inputs: [{ ...features, datatype: 'FP64' }] }), 'the datatype is the model\'s');
  assert.ok(!checkMlp({ inputs: [{ ...features, shape: [1, 5] }] }), 'the fixed dim');
});

test('every example request of every document is answered, and each answer fits its response schema', async () => {
  let checked = 0;
  for (const url of ['/openapi.json', '/v2/models/mlp/openapi.json', '/v2/models/rain/openapi.json']) {
    const doc = (await get(url)).body as unknown as OpenApiDoc;
    for (const [path, item] of Object.entries(doc.paths)) {
      const op = item.post;
      const media = op?.requestBody?.content['application/json'];
      if (op === undefined || media?.example === undefined) continue;
      const check = compile(doc, media.schema);
      assert.ok(check(media.example), `${url} ${path}: the example does not fit its schema: ${JSON.stringify(check.errors)}`);
      const r = await call(app, 'POST', path, { payload: media.example });
      assert.equal(r.status, 200, `${url} ${path}: ${r.text}`);
      const fits = compile(doc, op.responses['200'].content?.['application/json'].schema as Json);
      assert.ok(fits(r.body), `${url} ${path}: the answer does not fit its schema: ${JSON.stringify(fits.errors)} ${r.text}`);
      checked++;
    }
  }
  // mlp latest, 1, 2 and rain latest, 1 in the whole document and again in the models' own; /invocations once.
  assert.equal(checked, 11);
});

test('ETag and Cache-Control on metadata, documents, modules and the docs; If-None-Match gives 304', async () => {
  const cases: [string, string][] = [
    ['/v2/models/mlp', 'public, no-cache'],
    ['/v2/models/mlp/versions/1', 'public, no-cache'],
    ['/openapi.json', 'public, no-cache'],
    ['/v2/models/rain/openapi.json', 'public, no-cache'],
    ['/', 'public, no-cache'],
    ['/docs', 'public, no-cache'],
    ['/v2/models/mlp/versions/1/module.mjs', 'public, max-age=300'],
    ['/v2/models/rain/versions/1/model.d.ts', 'public, max-age=300'],
    ['/docs/swagger-ui.css', 'public, max-age=86400'],
  ];
  for (const [url, cache] of cases) {
    const r = await get(url);
    assert.equal(r.status, 200, url);
    assert.equal(r.headers['cache-control'], cache, url);
    const etag = String(r.headers.etag);
    assert.match(etag, /^"[A-Za-z0-9_-]{43}"$/, url);
    const again = await get(url);
    assert.equal(again.headers.etag, etag, `${url}: the same ETag twice`);
    for (const inm of [etag, `W/${etag}`, `"x", ${etag}`, '*']) {
      const nm = await get(url, { 'if-none-match': inm });
      assert.equal(nm.status, 304, `${url} If-None-Match: ${inm}`);
      assert.equal(nm.text, '', url);
      assert.equal(nm.headers.etag, etag, url);
      assert.equal(nm.headers['cache-control'], cache, url);
    }
    assert.equal((await get(url, { 'if-none-match': '"stale"' })).status, 200, url);
    const head = await call(app, 'HEAD', url, { headers: { 'if-none-match': etag } });
    assert.equal(head.status, 304, `HEAD ${url}`);
  }
  // Not for inference, nor for errors.
  const infer = await call(app, 'POST', '/v2/models/mlp/infer', { payload: { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: [0, 0, 0, 0] }] } });
  assert.equal(infer.headers.etag, undefined);
  assert.equal((await get('/v2/models/nope')).headers.etag, undefined);
  assert.equal(notModified('W/"a" , "b"', '"b"'), true);
  assert.equal(notModified(undefined, '"b"'), false);
  assert.equal(notModified('"a"', '"b"'), false);
});

test('a version loaded later (SIGHUP) changes the ETags and joins the documents and links', async () => {
  const before = await get('/v2/models/rain');
  const docBefore = await get('/openapi.json');
  const mod = (await import(pathToFileURL(join(dir, 'models/rain/1/model.mjs')).href)) as ModelModule;
  repo.add(describeModel('rain', '7', mod));
  const after = await get('/v2/models/rain', { 'if-none-match': String(before.headers.etag) });
  assert.equal(after.status, 200);
  assert.deepEqual((after.body as { versions: string[] }).versions, ['1', '7']);
  const doc = await get('/openapi.json', { 'if-none-match': String(docBefore.headers.etag) });
  assert.equal(doc.status, 200);
  assert.ok('/v2/models/rain/versions/7/infer' in (doc.body as unknown as OpenApiDoc).paths);
  const index = (await get('/')).body as unknown as LinkIndex;
  assert.equal(index.models[1].latest_version, '7');
  // Its directory does not exist: its module is not found.
  assert.equal((await get('/v2/models/rain/versions/7/module.mjs')).status, 404);
});

test('module downloads: the standalone module, as JavaScript, importable from any origin', async () => {
  const r = await get('/v2/models/mlp/versions/1/module.mjs');
  assert.equal(r.status, 200);
  assert.equal(r.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.equal(r.headers['access-control-allow-origin'], '*');
  assert.equal(r.headers['cross-origin-resource-policy'], 'cross-origin');
  assert.ok(r.raw.equals(readFileSync(join(dir, 'models/mlp/1/model.mjs'))));
  // It has no imports: it runs from a data: URL.
  const mod = (await import(`data:text/javascript;base64,${r.raw.toString('base64')}`)) as { predict: (f: Json) => Record<string, { data: ArrayLike<number> }> };
  const features = [0.5, -1, 2, 0.25];
  const local = mod.predict({ features: { type: 'float32', dims: [1, 4], data: Float32Array.from(features) } });
  const served = await call(app, 'POST', '/v2/models/mlp/versions/1/infer', { payload: { inputs: [{ name: 'features', shape: [1, 4], datatype: 'FP32', data: features }] } });
  const outputs = (served.body as { outputs: { name: string; data: number[] }[] }).outputs;
  for (const o of outputs) assert.deepEqual(Array.from(local[o.name].data), o.data, o.name);

  const cjs = await get('/v2/models/rain/versions/1/module.cjs');
  assert.equal(cjs.headers['content-type'], 'text/javascript; charset=utf-8');
  assert.ok(cjs.raw.equals(readFileSync(join(dir, 'models/rain/1/model.cjs'))));
  const dts = await get('/v2/models/rain/versions/1/model.d.ts');
  assert.equal(dts.headers['content-type'], 'application/typescript; charset=utf-8');
  assert.match(dts.text, /export declare function predict\(record: Input\): Output;/);
  // Errors are readable cross-origin too.
  const missing = await get('/v2/models/mlp/versions/9/module.mjs');
  assert.equal(missing.status, 404);
  assert.equal(missing.body.code, 'MLS_ERR_MODEL_NOT_FOUND');
  assert.equal(missing.headers['access-control-allow-origin'], '*');
  // A server given no repository directory has no files to serve.
  const bare = buildApp({ repository: repo, metrics: false }).app;
  const none = await call(bare, 'GET', '/v2/models/mlp/versions/1/module.mjs');
  await bare.close();
  assert.equal(none.status, 404);
  assert.equal(none.body.code, 'MLS_ERR_NOT_FOUND');
});

test('GET /docs: the Swagger UI page over every document; its files from docs-ui/', async () => {
  const page = await get('/docs');
  assert.equal(page.status, 200);
  assert.equal(page.headers['content-type'], 'text/html; charset=utf-8');
  const config = JSON.parse(/<script id="mlcompile-docs-config" type="application\/json">(.*?)<\/script>/s.exec(page.text)?.[1] ?? 'null') as { urls: { url: string; name: string }[]; primary: string };
  assert.deepEqual(config.urls, [
    { url: '/openapi.json', name: 'all models' },
    { url: '/v2/models/mlp/openapi.json', name: 'mlp' },
    { url: '/v2/models/rain/openapi.json', name: 'rain' },
  ]);
  assert.equal(config.primary, 'all models');
  assert.ok(!/<script>/.test(page.text), 'no inline script');
  for (const src of ['/docs/swagger-ui-bundle.js', '/docs/swagger-ui-standalone-preset.js', '/docs/init.js', '/docs/swagger-ui.css']) {
    assert.ok(page.text.includes(`"${src}"`), src);
    const f = await get(src);
    assert.equal(f.status, 200, src);
    assert.match(String(f.headers['content-type']), src.endsWith('.css') ? /^text\/css/ : /^text\/javascript/, src);
  }
  assert.ok((await get('/docs/swagger-ui-bundle.js')).raw.equals(readFileSync(join(dir, 'docs-ui/swagger-ui-bundle.js'))));
  assert.match((await get('/docs/init.js')).text, /validatorUrl: null/);
  const one = await get('/docs?model=rain');
  assert.match(one.text, /"primary":"rain"/);
  assert.equal((await get('/docs?model=nope')).status, 404);
  assert.equal((await get('/docs/LICENSE')).status, 404);
  assert.equal((await get('/docs/..%2Fserver.mjs')).status, 404);

  // Without the UI's files: plain links to the documents.
  const bare = buildApp({ repository: repo, metrics: false }).app;
  const plain = await call(bare, 'GET', '/docs');
  const asset = await call(bare, 'GET', '/docs/swagger-ui-bundle.js');
  await bare.close();
  assert.equal(plain.status, 200);
  assert.match(plain.text, /<a href="\/v2\/models\/mlp\/openapi.json">mlp<\/a>/);
  assert.equal(asset.status, 404);
  assert.match(String(asset.body.error), /not installed/);
});

test('DIR stays self-contained: docs-ui/ is written, copied into the image, and its licences listed', async () => {
  for (const f of ['swagger-ui-bundle.js', 'swagger-ui-standalone-preset.js', 'swagger-ui.css', 'LICENSE', 'NOTICE']) readFileSync(join(dir, 'docs-ui', f));
  assert.doesNotMatch(readFileSync(join(dir, 'docs-ui/swagger-ui.css'), 'utf8'), /sourceMappingURL/);
  const dockerfile = readFileSync(join(dir, 'Dockerfile'), 'utf8');
  assert.match(dockerfile, /^COPY docs-ui\/ \.\/docs-ui\/$/m);
  const ignore = readFileSync(join(dir, '.dockerignore'), 'utf8').split('\n');
  assert.ok(ignore.includes('!docs-ui/'));
  assert.ok(ignore.includes('!models/**/model.d.ts') && ignore.indexOf('!models/**/model.d.ts') > ignore.indexOf('models/**/*.ts'));
  assert.ok(!ignore.some((l) => l.endsWith('*.cjs')), 'model.cjs is served: it must be in the image');
  assert.match(readFileSync(join(dir, 'THIRD-PARTY-NOTICES.txt'), 'utf8'), /^swagger-ui-dist \d/m);
});
