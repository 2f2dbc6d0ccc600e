// X-Model-Name, X-Model-Version and X-Model-Sha256 on every answer a model gave (its
// inference, metadata, batch, /invocations...): which build answered, for clients,
// logs and rollouts. The values are computed once per version (models-repository.ts:
// ModelVersion.headers), so a request costs one hook call and three header sets.
//
// The hook is each route's own (added as the route is registered). The inference
// routes, the hot path, skip it (`config: { modelHeaders: 'handler' }`) and set the
// headers themselves with setModelHeaders() as soon as they know the model: an onSend
// hook costs a hook runner per request. Set then, the headers stay on an error the
// model's checks answer later, as the hook would have put them there.

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { global } from './context.js';
import type { ModelVersion } from './models-repository.js';
import { prependHook } from './route-hooks.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** 'handler': the route's handler sets the X-Model-* headers itself (setModelHeaders), so it gets no hook. */
    modelHeaders?: 'handler';
  }
}

/** The X-Model-* headers of `m` on the reply. */
export function setModelHeaders(reply: FastifyReply, m: ModelVersion): void {
  reply.headers(m.headers);
}

function modelHeadersHook(req: FastifyRequest, reply: FastifyReply, payload: unknown, done: (err: null, payload: unknown) => void): void {
  const m = req.mlModel;
  if (m !== null) reply.headers(m.headers);
  done(null, payload);
}

export function modelHeadersPlugin() {
  return global(async (app: FastifyInstance): Promise<void> => {
    app.addHook('onRoute', (route) => {
      if (route.config?.modelHeaders !== 'handler') route.onSend = prependHook(route.onSend, modelHeadersHook);
    });
  }, 'mlcompile-model-headers');
}
