// The routing routes (shadow.ts: GET /v2/models/{name}/shadow; config-reload.ts:
// POST /v2/repository/config/reload) in the OpenAPI document (openapi-doc.ts calls
// this), with the schemas the routes serialize with.

type Json = Record<string, unknown>;

/** One primary/shadow pair (shadow.ts ShadowPair). */
export const shadowPair = {
  type: 'object',
  properties: {
    time: { type: 'string', description: 'When the shadow scored (ISO 8601)' },
    request_id: { type: 'string', description: 'The X-Request-Id of the mirrored request' },
    route: { type: 'string', enum: ['infer', 'invocations'] },
    primary_version: { type: 'string' },
    shadow_version: { type: 'string' },
    agree: { type: ['boolean', 'null'], description: 'Same structure, equal strings, numbers within the tolerance; null when the shadow failed' },
    max_abs_difference: { type: ['number', 'null'], description: 'Largest absolute difference between numbers; null when none were compared' },
    primary: { description: 'What the primary answered (OIP: outputs by name; /invocations: the predictions)' },
    shadow: { description: 'What the shadow answered, in the same form (null when it failed)' },
    error: { type: ['string', 'null'], description: 'Why the shadow failed' },
  },
  required: ['time', 'request_id', 'route', 'primary_version', 'shadow_version', 'agree', 'max_abs_difference', 'primary', 'shadow', 'error'],
} as const;

export const shadowResponse = {
  type: 'object',
  properties: {
    model: { type: 'string' },
    shadow: {
      type: ['object', 'null'],
      description: 'The shadow settings in force (null: none)',
      properties: { version: { type: 'string' }, percent: { type: 'number' }, tolerance: { type: 'number' } },
    },
    pending: { type: 'integer', description: 'Requests waiting for their shadow scoring (all models)' },
    pairs: { type: 'array', items: shadowPair, description: 'Newest first' },
  },
  required: ['model', 'shadow', 'pending', 'pairs'],
} as const;

export const configReloadResponse = {
  type: 'object',
  properties: {
    reloaded: { type: 'boolean' },
    file: { type: ['string', 'null'], description: 'The file read (null: none, every section at its default)' },
    sections: { type: 'array', items: { type: 'string' } },
  },
  required: ['reloaded', 'file', 'sections'],
} as const;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

function jsonContent(schema: Json, description: string): Json {
  return { description, content: { 'application/json': { schema } } };
}

/** Adds GET /v2/models/{model_name}/shadow and POST /v2/repository/config/reload to `paths`, and their schemas. */
export function addRoutingPaths(paths: Record<string, Json>, schemas: Record<string, unknown>, modelParams: readonly Json[]): void {
  schemas.shadow_response = shadowResponse;
  schemas.config_reload_response = configReloadResponse;
  const errors = (codes: readonly string[]): Json => Object.fromEntries(codes.map((c) => [c, jsonContent(ref('error_response'), 'See `code`')]));
  paths['/v2/models/{model_name}/shadow'] = {
    parameters: [
      { ...modelParams[0], schema: { type: 'string' } },
      { name: 'limit', in: 'query', required: false, schema: { type: 'string', pattern: '^[1-9][0-9]{0,5}$' }, description: 'Pairs to return (default and most: 100)' },
    ],
    get: {
      summary: 'The model\'s shadow settings and its last primary/shadow pairs (routing section of the configuration file)',
      operationId: 'modelShadowPairs',
      tags: ['server'],
      responses: { '200': jsonContent(ref('shadow_response'), 'OK'), ...errors(['400', '404']) },
    },
  };
  paths['/v2/repository/config/reload'] = {
    post: {
      summary: 'Re-read the configuration file; a file with any bad section is refused whole (422) and the previous configuration keeps applying',
      operationId: 'configReload',
      tags: ['server'],
      responses: { '200': jsonContent(ref('config_reload_response'), 'Reloaded'), ...errors(['422']) },
    },
  };
}
