// Health: GET /v2/health/live and /v2/health/ready (Open Inference Protocol;
// Kubernetes liveness and readiness probes use them directly).

import type { FastifyInstance } from 'fastify';
import type { AppContext } from './context.js';
import { errorResponses, liveResponse, readyResponse } from './schemas.js';

export function healthPlugin(ctx: AppContext) {
  return async function health(app: FastifyInstance): Promise<void> {
    // "Is the inference server able to receive and respond to metadata and inference requests?"
    app.get('/v2/health/live', { schema: { response: { 200: liveResponse, ...errorResponses } } }, () => ({ live: true }));

    // "Indicates if all the models are ready for inferencing": false (503) before
    // loading finishes and once shutdown begins, so load balancers stop routing here.
    app.get('/v2/health/ready', { schema: { response: { 200: readyResponse, 503: readyResponse, ...errorResponses } } }, (_req, reply) => {
      const ready = ctx.state.ready && ctx.repository.size > 0;
      if (!ready) reply.code(503);
      return { live: true, ready };
    });
  };
}
