// openapi.json: every route of the server (runtime/server), described with the
// very schemas fastify validates and serializes with (runtime/server/schemas.ts),
// plus, per model version, its exact inference request and response (from the
// manifests). OpenAPI 3.1, whose schemas are JSON Schema 2020-12.

import * as S from '../../runtime/server/schemas.js';
import type { JsonSchema, ModelManifest } from './emit-manifest.js';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

function json(schema: Json, description = 'OK'): Json {
  return { description, content: { 'application/json': { schema } } };
}

const ERRORS: Json = {
  '400': json(ref('error_response'), 'The request is malformed or does not fit the model (see `code`)'),
  '404': json(ref('error_response'), 'No such model, version or route'),
  '413': json(ref('error_response'), 'The body is larger than MLCOMPILE_BODY_LIMIT'),
  '415': json(ref('error_response'), 'Unsupported Content-Type'),
  '422': json(ref('error_response'), 'The model cannot compute a result for these inputs'),
  '500': json(ref('error_response'), 'Internal error'),
};

function op(summary: string, operationId: string, responses: Json, extra: Json = {}): Json {
  return { summary, operationId, ...extra, responses };
}

function modelNameParam(names: readonly string[]): Json {
  return { name: 'model_name', in: 'path', required: true, schema: names.length > 0 ? { type: 'string', enum: names } : { type: 'string' } };
}

const VERSION_PARAM: Json = { name: 'model_version', in: 'path', required: true, schema: { type: 'string' } };

/** Component names derived from model names and versions (which NAME_PATTERN keeps to [A-Za-z0-9._-]). */
function componentName(m: ModelManifest, what: string): string {
  return `${m.name}__${m.version}__${what}`.replace(/[^A-Za-z0-9._-]/g, '_');
}

export interface OpenApiOptions {
  readonly compilerVersion: string;
  /** Manifests of every model version in the directory, sorted by name then version. */
  readonly models: readonly ModelManifest[];
  /** Latest version per model name (what unversioned URLs answer with). */
  readonly latest: ReadonlyMap<string, string>;
}

export function emitOpenApi(opts: OpenApiOptions): Json {
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
  };
  const nameParam = modelNameParam(names);
  const modelParams = [nameParam];
  const versionParams = [nameParam, VERSION_PARAM];
  const paths: Record<string, Json> = {
    '/v2/health/live': { get: op('Server live (liveness probe)', 'serverLive', { '200': json(ref('live_response')) }) },
    '/v2/health/ready': {
      get: op('Server ready (readiness probe)', 'serverReady', { '200': json(ref('ready_response')), '503': json(ref('ready_response'), 'Not ready (starting or shutting down)') }),
    },
    '/v2': { get: op('Server metadata', 'serverMetadata', { '200': json(ref('metadata_server_response')), ...ERRORS }) },
  };
  const inferBody = { required: true, content: { 'application/json': { schema: ref('inference_request') } } };
  for (const [suffix, parameters, id] of [['', modelParams, ''], ['/versions/{model_version}', versionParams, 'Version']] as const) {
    const base = `/v2/models/{model_name}${suffix}`;
    paths[base] = { parameters, get: op('Model metadata', `modelMetadata${id}`, { '200': json(ref('metadata_model_response')), ...ERRORS }) };
    paths[`${base}/ready`] = { parameters, get: op('Model ready', `modelReady${id}`, { '200': json(ref('ready_model_response')), ...ERRORS }) };
    paths[`${base}/infer`] = { parameters, post: op('Inference', `modelInfer${id}`, { '200': json(ref('inference_response')), ...ERRORS }, { requestBody: inferBody }) };
  }
  // Each model version's exact tensors: concrete paths, which match before the templated ones.
  for (const m of opts.models) {
    const req = componentName(m, 'inference_request');
    const res = componentName(m, 'inference_response');
    schemas[req] = m.schemas.inferenceRequest as JsonSchema;
    schemas[res] = m.schemas.inferenceResponse as JsonSchema;
    const infer = (operationId: string): Json => op(`Inference with ${m.name} version ${m.version}`, operationId, { '200': json(ref(res)), ...ERRORS }, {
      requestBody: { required: true, content: { 'application/json': { schema: ref(req) } } },
    });
    paths[`/v2/models/${m.name}/versions/${m.version}/infer`] = { post: infer(componentName(m, 'infer')) };
    if (opts.latest.get(m.name) === m.version) paths[`/v2/models/${m.name}/infer`] = { post: infer(componentName(m, 'infer_latest')) };
  }
  paths['/ping'] = { get: op('SageMaker health check', 'ping', { '200': json(ref('ping_response')), '503': json(ref('ping_response'), 'Not ready') }) };
  paths['/invocations'] = {
    post: op(`Predictions from the default model${names.length > 0 ? ` (${names[0]} unless MLCOMPILE_DEFAULT_MODEL names another)` : ''}`, 'invocations', {
      '200': {
        description: 'One prediction per instance or row (the output row for a single-output model, else an object of outputs); CSV when Accept is text/csv',
        content: { 'application/json': { schema: ref('invocation_response') }, 'text/csv': { schema: { type: 'string' } } },
      },
      ...ERRORS,
    }, {
      requestBody: {
        required: true,
        content: {
          'application/json': { schema: ref('invocation_request') },
          'text/csv': { schema: { type: 'string', description: 'One row per instance; an optional header row naming the inputs' } },
        },
      },
    }),
  };
  paths['/metrics'] = { get: op('Prometheus metrics', 'metrics', { '200': { description: 'Prometheus text exposition format', content: { 'text/plain': { schema: { type: 'string' } } } } }) };
  paths['/openapi.json'] = { get: op('This document', 'openapi', { '200': json({ type: 'object' }) }) };
  return {
    openapi: '3.1.0',
    info: {
      title: 'mlcompile prediction server',
      version: opts.compilerVersion,
      description: 'Open Inference Protocol (KServe V2) REST, the SageMaker container contract (/ping, /invocations, also taking MLflow bodies and CSV), and Prometheus metrics. Errors are JSON {"error": "...", "code": "MLS_ERR_..."}.',
    },
    paths,
    components: { schemas },
  };
}
