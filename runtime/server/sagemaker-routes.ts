// The SageMaker container contract: GET /ping and POST /invocations. /invocations
// also takes MLflow's scoring-server bodies (dataframe_split, dataframe_records,
// instances, inputs) and CSV, and answers CSV when asked to (Accept: text/csv).

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from './context.js';
import { parseInvocation, predictionsToCsv, runInvocation } from './invocations.js';
import { predictionCount } from './metrics.js';
import { isRecordModel } from './models-repository.js';
import { runRecordInvocation } from './records.js';
import { errorResponses, invocationRequest, invocationResponse, pingResponse } from './schemas.js';

function wantsCsv(req: FastifyRequest): boolean {
  const accept = req.headers.accept;
  return typeof accept === 'string' && /\btext\/csv\b/i.test(accept) && !/\bapplication\/json\b/i.test(accept);
}

/** The serializer of an /invocations answer given as CSV. */
function csvAnswer(answer: unknown): string {
  return predictionsToCsv((answer as { predictions: Parameters<typeof predictionsToCsv>[0] }).predictions);
}

export function sagemakerPlugin(ctx: AppContext) {
  return async function sagemaker(app: FastifyInstance): Promise<void> {
    // "Your container must respond to /ping with an HTTP 200 status code and an empty body" is
    // SageMaker's minimum; a small JSON body keeps every answer of this server JSON.
    app.get('/ping', { schema: { response: { 200: pingResponse, 503: pingResponse, ...errorResponses } } }, (_req, reply) => {
      const ready = ctx.state.ready && ctx.repository.size > 0;
      if (!ready) reply.code(503);
      return { status: ready ? 'Healthy' : 'Unavailable' };
    });

    app.post('/invocations', {
      schema: { body: invocationRequest, response: { 200: invocationResponse, ...errorResponses } },
    }, (req: FastifyRequest, reply: FastifyReply) => {
      const model = ctx.router.resolveDefault(req, reply);
      req.mlModel = model;
      const result = isRecordModel(model) ? runRecordInvocation(model, req.body) : runInvocation(model, parseInvocation(model, req.body));
      req.mlInferSeconds = result.seconds;
      req.mlInstances = predictionCount(result.predictions);
      ctx.shadow.mirror(req, 'invocations', model, undefined, result.predictions);
      const answer = { predictions: result.predictions };
      if (wantsCsv(req)) {
        // Returned as an object and written as CSV by the serializer, so that data capture and
        // drift monitoring (capture-hook.ts, preSerialization) see CSV answers as they see JSON ones.
        reply.type('text/csv; charset=utf-8').serializer(csvAnswer);
      }
      return answer;
    });
  };
}
