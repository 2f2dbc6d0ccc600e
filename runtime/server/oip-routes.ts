// Open Inference Protocol (KServe V2) REST: server metadata, model metadata and
// readiness, and inference, each with and without /versions/{model_version}.
// Spec: shared/specs/open-inference-protocol/inference_rest.md.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from './context.js';
import { oipInstances } from './metrics.js';
import { setModelHeaders } from './model-headers.js';
import { isRecordModel } from './models-repository.js';
import { decodeInputs, encodeResponse, requestedOutputs, type InferenceRequest } from './oip-codec.js';
import { runRecordInference } from './records.js';
import {
  errorResponses, inferenceRequest, inferenceResponse, modelMetadataResponse, modelParams, modelReadyResponse,
  serverMetadataResponse, versionParams,
} from './schemas.js';

interface ModelRoute {
  Params: { model_name: string; model_version?: string };
}

interface InferRoute extends ModelRoute {
  Body: InferenceRequest;
}

/** Extensions this server offers beyond the core protocol (listed by GET /v2). */
export const EXTENSIONS = ['sagemaker', 'mlflow', 'metrics'] as const;

export function oipPlugin(ctx: AppContext) {
  const repo = ctx.repository;
  return async function oip(app: FastifyInstance): Promise<void> {
    const serverMetadata = { name: ctx.serverName, version: ctx.serverVersion, extensions: [...EXTENSIONS] };
    app.get('/v2', { schema: { response: { 200: serverMetadataResponse, ...errorResponses } } }, () => serverMetadata);

    for (const [suffix, params] of [['', modelParams], ['/versions/:model_version', versionParams]] as const) {
      const base = `/v2/models/:model_name${suffix}`;

      app.get<ModelRoute>(base, { schema: { params, response: { 200: modelMetadataResponse, ...errorResponses } } }, (req) => {
        const { model_name: name, model_version: version } = req.params;
        req.mlModel = repo.resolve(name, version);
        return repo.metadataOf(name, version);
      });

      app.get<ModelRoute>(`${base}/ready`, { schema: { params, response: { 200: modelReadyResponse, ...errorResponses } } }, (req) => {
        const m = repo.resolve(req.params.model_name, req.params.model_version);
        req.mlModel = m;
        return { name: m.name, version: m.version, ready: ctx.state.ready };
      });

      const inferRoute = `${base}/infer`;
      app.post<InferRoute>(inferRoute, {
        // No params schema: the router only matches the route with both names present, as strings,
        // so checking them again cost the hot path a validator call and found nothing.
        schema: { body: inferenceRequest, response: { 200: inferenceResponse, ...errorResponses } },
        // The hot path: X-Request-Id and X-Model-* set here, without a hook (app.ts, model-headers.ts).
        config: { modelHeaders: 'handler', requestId: 'handler' },
      }, (req: FastifyRequest<InferRoute>, reply: FastifyReply) => {
        ctx.tagAnswer(req, reply);
        req.mlRoute = inferRoute;
        // A request naming no version is routed (routing.ts); either way X-Routed-Version says which answered.
        const model = ctx.router.resolve(req, reply, req.params.model_name, req.params.model_version);
        req.mlModel = model;
        setModelHeaders(reply, model);
        const body = req.body;
        req.mlInstances = oipInstances(body.inputs);
        if (isRecordModel(model)) {
          const r = runRecordInference(model, body);
          req.mlInferSeconds = r.seconds;
          ctx.shadow.mirror(req, 'infer', model, req.params.model_version, r.response);
          return r.response;
        }
        const ports = requestedOutputs(model, body.outputs);
        const feeds = decodeInputs(model, body);
        const t0 = performance.now();
        const results = model.call(feeds);
        req.mlInferSeconds = (performance.now() - t0) / 1000;
        const response = encodeResponse(model, body, ports, results);
        ctx.shadow.mirror(req, 'infer', model, req.params.model_version, response);
        return response;
      });
    }
  };
}
