// The model repository API (repository-routes.ts) in the OpenAPI document (openapi-doc.ts
// calls this), with the same schemas the routes validate and serialize with.

type Json = Record<string, unknown>;

export const versionStatus = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    version: { type: 'string' },
    state: { type: 'string', enum: ['READY', 'UNAVAILABLE', 'LOADING'] },
    reason: { type: 'string', description: 'Why the version is not serving (or why a new build of a serving version was refused); empty when all is well' },
  },
  required: ['name', 'version', 'state', 'reason'],
} as const;

/** POST /v2/repository/index: an optional filter (Triton's). */
export const indexRequest = {
  type: ['object', 'null'],
  properties: { ready: { type: 'boolean', description: 'true: only the versions serving' } },
} as const;

export const indexResponse = { type: 'array', items: versionStatus } as const;

/** POST .../load and .../unload: an optional version (without one: every version of the model). */
export const loadRequest = {
  type: ['object', 'null'],
  properties: {
    parameters: {
      type: 'object',
      properties: { version: { type: ['string', 'integer'], description: 'The version directory to load or unload' } },
    },
  },
} as const;

export const loadResponse = {
  type: 'object',
  properties: { name: { type: 'string' }, versions: { type: 'array', items: versionStatus } },
  required: ['name', 'versions'],
} as const;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

function jsonContent(schema: Json, description: string): Json {
  return { description, content: { 'application/json': { schema } } };
}

/** Adds POST /v2/repository/index and /v2/repository/models/{model_name}/load|unload to `paths`, and their schemas. */
export function addRepositoryPaths(paths: Record<string, Json>, schemas: Record<string, unknown>, modelParams: readonly Json[]): void {
  schemas.repository_index_request = indexRequest;
  schemas.repository_index_response = indexResponse;
  schemas.repository_load_request = loadRequest;
  schemas.repository_load_response = loadResponse;
  const errors = (codes: readonly string[]): Json => Object.fromEntries(codes.map((c) => [c, jsonContent(ref('error_response'), 'See `code`')]));
  const tags = ['server'];
  const body = { required: false, content: { 'application/json': { schema: ref('repository_load_request') } } };
  paths['/v2/repository/index'] = {
    post: {
      summary: 'Every model version known, on disk or in memory, with its state (READY, UNAVAILABLE, LOADING) and why',
      operationId: 'repositoryIndex',
      tags,
      requestBody: { required: false, content: { 'application/json': { schema: ref('repository_index_request') } } },
      responses: { '200': jsonContent(ref('repository_index_response'), 'OK'), ...errors(['400']) },
    },
  };
  paths['/v2/repository/models/{model_name}/load'] = {
    parameters: [{ ...modelParams[0], schema: { type: 'string' } }],
    post: {
      summary: "Load the model's version directories from disk (or the one named), swapping each in atomically",
      operationId: 'repositoryModelLoad',
      tags,
      requestBody: body,
      responses: { '200': jsonContent(ref('repository_load_response'), 'The versions loaded'), ...errors(['400', '404', '422']) },
    },
  };
  paths['/v2/repository/models/{model_name}/unload'] = {
    parameters: [{ ...modelParams[0], schema: { type: 'string' } }],
    post: {
      summary: 'Stop serving a version (or the whole model); the others keep serving. Unloading the bad version is a rollback',
      operationId: 'repositoryModelUnload',
      tags,
      requestBody: body,
      responses: { '200': jsonContent(ref('repository_load_response'), 'The versions unloaded'), ...errors(['400', '404']) },
    },
  };
}
