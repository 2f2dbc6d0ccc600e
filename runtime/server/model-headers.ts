// X-Model-Name, X-Model-Version and X-Model-Sha256 on every answer a model gave (its
// inference, metadata, batch, /invocations...): which build answered, for clients,
// logs and rollouts. The values are computed once per version (models-repository.ts:
// ModelVersion.headers), so a request costs one hook call and three header sets.

import type { FastifyInstance } from 'fastify';
import { global } from './context.js';

export function modelHeadersPlugin() {
  return global(async (app: FastifyInstance): Promise<void> => {
    app.addHook('onSend', (req, reply, payload, done) => {
      const m = req.mlModel;
      if (m !== null) reply.headers(m.headers);
      done(null, payload);
    });
  }, 'mlcompile-model-headers');
}
