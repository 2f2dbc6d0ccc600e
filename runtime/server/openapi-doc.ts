// The server's OpenAPI 3.1 documents (schemas are JSON Schema 2020-12):
//
//   buildOpenApi       every route (described with the very schemas fastify validates
//                      and serializes with, schemas.ts), plus, per model version, its
//                      exact inference request and response (model-schemas.ts)
//   buildModelOpenApi  one model: concrete paths of its latest and each version,
//                      their inference schemas and examples, module downloads, and
//                      /invocations when it is the model that route serves
//
// The compiler writes the first as DIR/openapi.json from the manifests
// (generators/server/openapi.ts); the server builds both from the modules it loaded
// (openapi-route.ts). Same input, same bytes.

import { addBatchPaths } from './batch-openapi.js';
import { addRepositoryPaths } from './repository-openapi.js';
import { addRoutingPaths } from './routing-openapi.js';
import { DOCS_FILES } from './docs-ui.js';
import type { JsonSchema, ModelSchemas } from './model-schemas.js';
import { MODULE_FILES } from './module-download.js';
import * as S from './schemas.js';

type Json = Record<string, unknown>;

/** A model version as the documents need it (a manifest is one). */
export interface DocModel {
  readonly name: string;
  readonly version: string;
  readonly schemas: ModelSchemas;
}

export interface OpenApiInput {
  /** The server's (= the compiler's) version. */
  readonly serverVersion: string;
  /** Every model version, sorted by name then version. */
  readonly models: readonly DocModel[];
  /** Latest version per model name (what unversioned URLs answer with). */
  readonly latest: ReadonlyMap<string, string>;
}

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

function json(schema: Json, description = 'OK'): Json {
  return { description, content: { 'application/json': { schema } } };
}

/** A JSON body whose schema carries `examples`: the first becomes the media type's example (what the docs UI fills in). */
function jsonBody(schemaRef: Json, schema: JsonSchema): Json {
  const examples = schema.examples;
  const example = Array.isArray(examples) && examples.length > 0 ? { example: examples[0] } : {};
  return { required: true, content: { 'application/json': { schema: schemaRef, ...example } } };
}

const ERRORS: Json = {
  '400': json(ref('error_response'), 'The request is malformed or does not fit the model (see `code`)'),
  '404': json(ref('error_response'), 'No such model, version or route'),
  '413': json(ref('error_response'), 'The body is larger than MLCOMPILE_BODY_LIMIT'),
  '415': json(ref('error_response'), 'Unsupported Content-Type'),
  '422': json(ref('error_response'), 'The model cannot compute a result for these inputs'),
  '500': json(ref('error_response'), 'Internal error'),
};

const NOT_FOUND: Json = { '404': ERRORS['404'] };

const NOT_MODIFIED: Json = { '304': { description: 'Not modified: the If-None-Match ETag is current' } };

function op(summary: string, operationId: string, responses: Json, extra: Json = {}): Json {
  return { summary, operationId, ...extra, responses };
}

function modelNameParam(names: readonly string[]): Json {
  return { name: 'model_name', in: 'path', required: true, schema: names.length > 0 ? { type: 'string', enum: names } : { type: 'string' } };
}

const VERSION_PARAM: Json = { name: 'model_version', in: 'path', required: true, schema: { type: 'string' } };

/** Component names derived from model names and versions (which NAME_PATTERN keeps to [A-Za-z0-9._-]). */
function componentName(m: DocModel, what: string): string {
  return `${m.name}__${m.version}__${what}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

/** The error and tensor schemas every document shares. */
function commonSchemas(): Record<string, unknown> {
  return {
    error_response: S.errorResponse,
    metadata_tensor: S.tensorMetadata,
    metadata_model_response: S.modelMetadataResponse,
    ready_model_response: S.modelReadyResponse,
  };
}

function moduleOp(f: (typeof MODULE_FILES)[number], operationId: string, tags?: readonly string[]): Json {
  return op(`Download ${f.file}`, operationId, {
    '200': {
      description: `${f.description}. Cache-Control, ETag and Access-Control-Allow-Origin: * (import it from a page on any origin).`,
      content: { [f.contentType.split(';')[0]]: { schema: { type: 'string' } } },
    },
    ...NOT_MODIFIED,
    ...NOT_FOUND,
  }, tags === undefined ? {} : { tags });
}

export function buildOpenApi(opts: OpenApiInput): Json {
  const names = [...new Set(opts.models.map((m) => m.name))];
  const schemas: Record<string, unknown> = {
    error_response: S.errorResponse,
    live_response: S.liveResponse,
    ready_response: S.readyResponse,
    metadata_server_response: S.serverMetadataResponse,
    metadata_tensor: S.tensorMetadata,
    metadata_model_response: S.modelMetadataResponse,
    ready_model_response: S.modelReadyResponse,
    inference_request: S.inferenceRequest,
    inference_response: S.inferenceResponse,
    invocation_request: {
      description: 'One of: {"instances": [...]} (SageMaker, TensorFlow Serving rows), {"inputs": ...} (columns), {"dataframe_split": {"columns", "data"}}, {"dataframe_records": [...]} (MLflow), or a bare array of instances',
      type: 'object',
      properties: {
        instances: { type: 'array' },
        inputs: {},
        dataframe_split: { type: 'object', properties: { columns: { type: 'array', items: { type: 'string' } }, data: { type: 'array', items: { type: 'array' } } }, required: ['data'] },
        dataframe_records: { type: 'array', items: { type: 'object' } },
      },
    },
    invocation_response: S.invocationResponse,
    ping_response: S.pingResponse,
    links_response: S.linksResponse,
  };
  const SERVER = { tags: ['server'] };
  const ANY = { tags: ['any model'] };
  const SAGEMAKER = { tags: ['SageMaker / MLflow'] };
  const DOCUMENTS = { tags: ['documents'] };
  const nameParam = modelNameParam(names);
  const modelParams = [nameParam];
  const versionParams = [nameParam, VERSION_PARAM];
  const paths: Record<string, Json> = {
    '/': { get: op('Links: the server, each model and version, and where their metadata, inference, OpenAPI documents, modules and docs are', 'links', { '200': json(ref('links_response')), ...NOT_MODIFIED }, SERVER) },
    '/v2/health/live': { get: op('Server live (liveness probe)', 'serverLive', { '200': json(ref('live_response')) }, SERVER) },
    '/v2/health/ready': {
      get: op('Server ready (readiness probe)', 'serverReady', { '200': json(ref('ready_response')), '503': json(ref('ready_response'), 'Not ready (starting or shutting down)') }, SERVER),
    },
    '/v2': { get: op('Server metadata', 'serverMetadata', { '200': json(ref('metadata_server_response')), ...ERRORS }, SERVER) },
  };
  const inferBody = { required: true, content: { 'application/json': { schema: ref('inference_request') } } };
  for (const [suffix, parameters, id] of [['', modelParams, ''], ['/versions/{model_version}', versionParams, 'Version']] as const) {
    const base = `/v2/models/{model_name}${suffix}`;
    paths[base] = { parameters, get: op('Model metadata (ETag, Cache-Control: no-cache)', `modelMetadata${id}`, { '200': json(ref('metadata_model_response')), ...NOT_MODIFIED, ...ERRORS }, ANY) };
    paths[`${base}/ready`] = { parameters, get: op('Model ready', `modelReady${id}`, { '200': json(ref('ready_model_response')), ...ERRORS }, ANY) };
    paths[`${base}/infer`] = { parameters, post: op('Inference', `modelInfer${id}`, { '200': json(ref('inference_response')), ...ERRORS }, { ...ANY, requestBody: inferBody }) };
  }
  paths['/v2/models/{model_name}/openapi.json'] = {
    parameters: modelParams,
    get: op("One model's OpenAPI document: its versions' exact schemas and examples", 'modelOpenapi', { '200': json({ type: 'object' }), ...NOT_MODIFIED, ...NOT_FOUND }, DOCUMENTS),
  };
  for (const f of MODULE_FILES) {
    paths[`/v2/models/{model_name}/versions/{model_version}/${f.route}`] = { parameters: versionParams, get: moduleOp(f, `download_${f.route.replace(/\W/g, '_')}`, ANY.tags) };
  }
  // Each model version's exact tensors: concrete paths, which match before the templated ones.
  for (const m of opts.models) {
    const req = componentName(m, 'inference_request');
    const res = componentName(m, 'inference_response');
    schemas[req] = m.schemas.inferenceRequest;
    schemas[res] = m.schemas.inferenceResponse;
    const infer = (operationId: string): Json => op(`Inference with ${m.name} version ${m.version}`, operationId, { '200': json(ref(res)), ...ERRORS }, {
      tags: [`model ${m.name}`],
      requestBody: jsonBody(ref(req), m.schemas.inferenceRequest),
    });
    paths[`/v2/models/${m.name}/versions/${m.version}/infer`] = { post: infer(componentName(m, 'infer')) };
    if (opts.latest.get(m.name) === m.version) paths[`/v2/models/${m.name}/infer`] = { post: infer(componentName(m, 'infer_latest')) };
  }
  paths['/ping'] = { get: op('SageMaker health check', 'ping', { '200': json(ref('ping_response')), '503': json(ref('ping_response'), 'Not ready') }, SAGEMAKER) };
  paths['/invocations'] = {
    post: op(`Predictions from the default model${names.length > 0 ? ` (${names[0]} unless MLCOMPILE_DEFAULT_MODEL names another)` : ''}`, 'invocations', {
      '200': {
        description: 'One prediction per instance or row (the output row for a single-output model, else an object of outputs); CSV when Accept is text/csv',
        content: { 'application/json': { schema: ref('invocation_response') }, 'text/csv': { schema: { type: 'string' } } },
      },
      ...ERRORS,
    }, {
      ...SAGEMAKER,
      requestBody: {
        required: true,
        content: {
          'application/json': { schema: ref('invocation_request') },
          'text/csv': { schema: { type: 'string', description: 'One row per instance; an optional header row naming the inputs' } },
        },
      },
    }),
  };
  paths['/metrics'] = { get: op('Prometheus metrics', 'metrics', { '200': { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } }, SERVER) };
  paths['/openapi.json'] = { get: op('This document', 'openapi', { '200': json({ type: 'object' }), ...NOT_MODIFIED }, DOCUMENTS) };
  paths['/docs'] = {
    get: op('Interactive API docs (Swagger UI): all models, or one with ?model=<name>', 'docs', {
      '200': { description: 'An HTML page', content: { 'text/html': { schema: { type: 'string' } } } },
      ...NOT_MODIFIED,
      ...NOT_FOUND,
    }, { ...DOCUMENTS, parameters: [{ name: 'model', in: 'query', required: false, schema: names.length > 0 ? { type: 'string', enum: names } : { type: 'string' } }] }),
  };
  paths['/docs/{file}'] = {
    get: op("The docs UI's files (Swagger UI, shipped in DIR/docs-ui/)", 'docsFile', {
      '200': { description: 'The file', content: { '*/*': { schema: { type: 'string' } } } },
      ...NOT_MODIFIED,
      ...NOT_FOUND,
    }, { ...DOCUMENTS, parameters: [{ name: 'file', in: 'path', required: true, schema: { type: 'string', enum: [...DOCS_FILES] } }] }),
  };
  addBatchPaths(paths, schemas, modelParams, versionParams);
  addRepositoryPaths(paths, schemas, modelParams);
  addRoutingPaths(paths, schemas, modelParams);
  return {
    openapi: '3.1.0',
    info: {
      title: 'mlcompile prediction server',
      version: opts.serverVersion,
      description: 'Open Inference Protocol (KServe V2) REST, the SageMaker container contract (/ping, /invocations, also taking MLflow bodies and CSV), and Prometheus metrics. Errors are JSON {"error": "...", "code": "MLS_ERR_..."}. GET / lists every link; /docs is an interactive UI.',
    },
    // The docs UI shows the groups in this order: each model's own operations first.
    tags: [
      ...names.map((n) => ({ name: `model ${n}`, description: `Inference with ${n}: each version's exact request and response, with an example request` })),
      { name: 'any model', description: 'The Open Inference Protocol routes for any model, and module downloads' },
      { name: 'server', description: 'Links, health, server metadata, metrics' },
      { name: 'SageMaker / MLflow', description: 'The SageMaker container contract, also taking MLflow bodies and CSV' },
      { name: 'documents', description: 'OpenAPI documents and these docs' },
      { name: 'batch', description: 'Batch scoring: CSV or JSON Lines streamed through POST .../batch, and batch jobs over files of the data directory' },
    ],
    paths,
    components: { schemas },
  };
}

export interface ModelOpenApiInput extends OpenApiInput {
  /** The model the document describes (one of `models`). */
  readonly name: string;
  /** True when POST /invocations serves this model. */
  readonly invocations: boolean;
}

/** The OpenAPI document of one model: every path concrete, every schema that model's. */
export function buildModelOpenApi(opts: ModelOpenApiInput): Json {
  const versions = opts.models.filter((m) => m.name === opts.name);
  const latestVersion = opts.latest.get(opts.name);
  const latest = versions.find((m) => m.version === latestVersion);
  const schemas = commonSchemas();
  const paths: Record<string, Json> = {};
  const base = `/v2/models/${opts.name}`;
  const tagOf = (m: DocModel): string => `version ${m.version}`;
  const describe = (m: DocModel, prefix: string, tags: readonly string[], idSuffix: string): void => {
    const req = componentName(m, 'inference_request');
    const res = componentName(m, 'inference_response');
    schemas[req] = m.schemas.inferenceRequest;
    schemas[res] = m.schemas.inferenceResponse;
    const what = `${m.name} version ${m.version}`;
    paths[prefix] = { get: op(`Metadata of ${what}`, componentName(m, `metadata${idSuffix}`), { '200': json(ref('metadata_model_response')), ...NOT_MODIFIED, ...ERRORS }, { tags }) };
    paths[`${prefix}/ready`] = { get: op(`Is ${what} ready?`, componentName(m, `ready${idSuffix}`), { '200': json(ref('ready_model_response')), ...ERRORS }, { tags }) };
    paths[`${prefix}/infer`] = {
      post: op(`Inference with ${what}`, componentName(m, `infer${idSuffix}`), { '200': json(ref(res)), ...ERRORS }, { tags, requestBody: jsonBody(ref(req), m.schemas.inferenceRequest) }),
    };
  };
  if (latest !== undefined) describe(latest, base, [`latest (version ${latest.version})`], '_latest');
  for (const m of versions) {
    const prefix = `${base}/versions/${m.version}`;
    describe(m, prefix, [tagOf(m)], '');
    for (const f of MODULE_FILES) paths[`${prefix}/${f.route}`] = { get: moduleOp(f, componentName(m, `download_${f.route.replace(/\W/g, '_')}`), [tagOf(m)]) };
  }
  if (opts.invocations && latest !== undefined) {
    const instance = latest.schemas.instance;
    const example = Array.isArray(instance.examples) && instance.examples.length > 0 ? { example: { instances: [instance.examples[0]] } } : {};
    paths['/invocations'] = {
      post: op(`Predictions from ${opts.name} (the model /invocations serves), one per instance`, 'invocations', {
        '200': json({ type: 'object', properties: { predictions: { type: 'array', items: latest.schemas.prediction } }, required: ['predictions'] }, 'One prediction per instance'),
        ...ERRORS,
      }, {
        tags: ['SageMaker / MLflow'],
        requestBody: {
          required: true,
          content: { 'application/json': { schema: { type: 'object', properties: { instances: { type: 'array', items: instance } }, required: ['instances'] }, ...example } },
        },
      }),
    };
  }
  paths[`${base}/openapi.json`] = { get: op('This document', `${opts.name.replace(/[^A-Za-z0-9._-]/g, '_')}__openapi`, { '200': json({ type: 'object' }), ...NOT_MODIFIED }, { tags: ['documents'] }) };
  const versionList = versions.map((m) => m.version).join(', ');
  return {
    openapi: '3.1.0',
    info: {
      title: `${opts.name}: mlcompile prediction server`,
      version: opts.serverVersion,
      description: `Model "${opts.name}", version${versions.length === 1 ? '' : 's'} ${versionList}${latest !== undefined ? ` (latest: ${latest.version})` : ''}. Open Inference Protocol (KServe V2) REST; each inference operation has an example request. Errors are JSON {"error": "...", "code": "MLS_ERR_..."}. The whole server: /openapi.json; all links: GET /.`,
    },
    paths,
    components: { schemas },
  };
}
