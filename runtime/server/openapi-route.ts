// The OpenAPI documents, built from the models the server loaded (openapi-doc.ts,
// the same function that wrote DIR/openapi.json, so a server answers exactly that
// file for the same models, and also describes versions added later by SIGHUP):
//
//   GET /openapi.json                        every route and every model version
//   GET /v2/models/{model_name}/openapi.json one model
//
// Documents are built when first asked for after the set of models changed, then
// answered from memory with their ETag (If-None-Match → 304) and CORS (etag.ts).

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from './context.js';
import { REVALIDATE, etagOf } from './etag.js';
import { modelSchemas, type ModelSchemas } from './model-schemas.js';
import type { ModelVersion } from './models-repository.js';
import { buildModelOpenApi, buildOpenApi, type DocModel, type OpenApiInput } from './openapi-doc.js';
import { errorResponses, modelParams } from './schemas.js';

interface Document {
  readonly text: string;
  readonly etag: string;
}

interface ModelRoute {
  Params: { model_name: string };
}

function documentOf(value: unknown): Document {
  const text = JSON.stringify(value);
  return { text, etag: etagOf(text) };
}

/** `document`: text to answer GET /openapi.json with instead of the generated document. */
export function openapiPlugin(ctx: AppContext, document?: string) {
  const repo = ctx.repository;
  const schemas = new WeakMap<ModelVersion, ModelSchemas>();
  let state: { key: string; input: OpenApiInput; defaultName: string | undefined; all?: Document; models: Map<string, Document> } | undefined;
  const fixed = document === undefined ? undefined : { text: document, etag: etagOf(document) };

  function schemasOf(m: ModelVersion): ModelSchemas {
    let s = schemas.get(m);
    if (s === undefined) {
      s = modelSchemas({ name: m.name, version: m.version, format: m.format, inputs: m.module.metadata.inputs, outputs: m.module.metadata.outputs });
      schemas.set(m, s);
    }
    return s;
  }

  /** The documents' input, rebuilt when models were added (or the default model changed). */
  function current(): NonNullable<typeof state> {
    const all = repo.all();
    let defaultName: string | undefined;
    try {
      defaultName = repo.defaultModel().name;
    } catch {
      defaultName = undefined;
    }
    const key = `${all.map((m) => `${m.name}/${m.version}`).join('\n')}\n${defaultName ?? ''}`;
    if (state === undefined || state.key !== key) {
      const models: DocModel[] = all.map((m) => ({ name: m.name, version: m.version, schemas: schemasOf(m) }));
      const latest = new Map(repo.names().map((n) => [n, repo.resolve(n).version]));
      state = { key, input: { serverVersion: ctx.serverVersion, models, latest }, defaultName, models: new Map() };
    }
    return state;
  }

  function send(reply: FastifyReply, doc: Document): string {
    reply.header('etag', doc.etag).type('application/json; charset=utf-8');
    return doc.text;
  }

  return async function openapi(app: FastifyInstance): Promise<void> {
    const options = {
      schema: { response: { 200: { type: 'object', additionalProperties: true }, ...errorResponses } },
      config: { cache: REVALIDATE, cors: true },
    };
    app.get('/openapi.json', options, (_req, reply) => {
      if (fixed !== undefined) return send(reply, fixed);
      const s = current();
      s.all ??= documentOf(buildOpenApi(s.input));
      return send(reply, s.all);
    });

    app.get<ModelRoute>('/v2/models/:model_name/openapi.json', { ...options, schema: { ...options.schema, params: modelParams } }, (req: FastifyRequest<ModelRoute>, reply: FastifyReply) => {
      const m = repo.resolve(req.params.model_name);
      req.mlModel = m;
      const s = current();
      let doc = s.models.get(m.name);
      if (doc === undefined) {
        doc = documentOf(buildModelOpenApi({ ...s.input, name: m.name, invocations: s.defaultName === m.name }));
        s.models.set(m.name, doc);
      }
      return send(reply, doc);
    });
  };
}
