// GET /openapi.json: the OpenAPI description written beside server.mjs by the
// compiler (generators/server/openapi.ts), served as it is.

import type { FastifyInstance } from 'fastify';
import { errorResponses } from './schemas.js';

export function openapiPlugin(document: string) {
  return async function openapi(app: FastifyInstance): Promise<void> {
    app.get('/openapi.json', { schema: { response: { 200: { type: 'object', additionalProperties: true }, ...errorResponses } } }, (_req, reply) => {
      reply.type('application/json; charset=utf-8');
      return document;
    });
  };
}
