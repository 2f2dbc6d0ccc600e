// JSON Schemas of every route's request and response (fastify compiles them once:
// ajv validators for requests, fast-json-stringify serializers for responses).
// generators/server/openapi.ts builds openapi.json from these same objects.
//
// Tensor `data` is only checked to be an array here: its elements are checked while
// they are converted to typed arrays (tensor-codec.ts), in one pass, with messages
// that name the tensor and the element.

export const errorResponse = {
  type: 'object',
  properties: {
    error: { type: 'string' },
    code: { type: 'string' },
  },
  required: ['error'],
} as const;

/** Request/response parameters: name → string | number | boolean (the protocol's $parameters). */
export const parameters = { type: 'object', additionalProperties: true } as const;

export const tensorData = { type: 'array' } as const;

export const modelParams = {
  type: 'object',
  properties: { model_name: { type: 'string' } },
  required: ['model_name'],
} as const;

export const versionParams = {
  type: 'object',
  properties: { model_name: { type: 'string' }, model_version: { type: 'string' } },
  required: ['model_name', 'model_version'],
} as const;

export const liveResponse = {
  type: 'object',
  properties: { live: { type: 'boolean' } },
  required: ['live'],
} as const;

/** The protocol text names the field `live` for server-ready too; we answer both fields. */
export const readyResponse = {
  type: 'object',
  properties: { live: { type: 'boolean' }, ready: { type: 'boolean' } },
  required: ['live', 'ready'],
} as const;

export const serverMetadataResponse = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    version: { type: 'string' },
    extensions: { type: 'array', items: { type: 'string' } },
  },
  required: ['name', 'version', 'extensions'],
} as const;

export const tensorMetadata = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    datatype: { type: 'string' },
    shape: { type: 'array', items: { type: 'integer' } },
  },
  required: ['name', 'datatype', 'shape'],
} as const;

export const modelMetadataResponse = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    versions: { type: 'array', items: { type: 'string' } },
    platform: { type: 'string' },
    inputs: { type: 'array', items: tensorMetadata },
    outputs: { type: 'array', items: tensorMetadata },
  },
  required: ['name', 'platform', 'inputs', 'outputs'],
} as const;

export const modelReadyResponse = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    version: { type: 'string' },
    ready: { type: 'boolean' },
  },
  required: ['name', 'ready'],
} as const;

export const requestInput = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    shape: { type: 'array', items: { type: 'integer', minimum: 0 }, maxItems: 32 },
    datatype: { type: 'string' },
    parameters,
    data: tensorData,
  },
  required: ['name', 'shape', 'datatype', 'data'],
} as const;

export const requestOutput = {
  type: 'object',
  properties: { name: { type: 'string' }, parameters },
  required: ['name'],
} as const;

export const inferenceRequest = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    parameters,
    inputs: { type: 'array', items: requestInput },
    outputs: { type: 'array', items: requestOutput },
  },
  required: ['inputs'],
} as const;

export const responseOutput = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    shape: { type: 'array', items: { type: 'integer' } },
    datatype: { type: 'string' },
    parameters,
    data: tensorData,
  },
  required: ['name', 'shape', 'datatype', 'data'],
} as const;

export const inferenceResponse = {
  type: 'object',
  properties: {
    model_name: { type: 'string' },
    model_version: { type: 'string' },
    id: { type: 'string' },
    parameters,
    outputs: { type: 'array', items: responseOutput },
  },
  required: ['model_name', 'outputs'],
} as const;

/**
 * /invocations: a JSON object in one of the SageMaker/MLflow forms, a bare JSON
 * array of instances, or CSV text. The form is checked in code (invocations.ts),
 * where the message can say which form was expected.
 */
export const invocationRequest = {
  type: ['object', 'array', 'string'],
} as const;

export const invocationResponse = {
  type: 'object',
  properties: { predictions: {} },
  required: ['predictions'],
} as const;

export const pingResponse = {
  type: 'object',
  properties: { status: { type: 'string' } },
  required: ['status'],
} as const;

export const metricsResponse = { type: 'string' } as const;

/** Error responses every route may give. */
export const errorResponses = { '4xx': errorResponse, '5xx': errorResponse } as const;

/** A set of named links: name → URL path. */
export const linkSet = { type: 'object', additionalProperties: { type: 'string' } } as const;

/** GET /: where everything is (links.ts). */
export const linksResponse = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    version: { type: 'string' },
    links: linkSet,
    models: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          platform: { type: 'string' },
          latest_version: { type: 'string' },
          default: { type: 'boolean', description: 'true for the model POST /invocations serves' },
          links: linkSet,
          versions: {
            type: 'array',
            items: {
              type: 'object',
              properties: { version: { type: 'string' }, platform: { type: 'string' }, links: linkSet },
              required: ['version', 'platform', 'links'],
            },
          },
        },
        required: ['name', 'platform', 'latest_version', 'default', 'links', 'versions'],
      },
    },
  },
  required: ['name', 'version', 'links', 'models'],
} as const;

/** GET /docs/{file}: the docs UI's files. */
export const docsFileParams = {
  type: 'object',
  properties: { file: { type: 'string' } },
  required: ['file'],
} as const;
