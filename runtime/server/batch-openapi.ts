// The batch route and batch jobs in the OpenAPI document (openapi-doc.ts calls this),
// with the same schemas the routes validate and serialize with.

import { batchErrorResponse } from './batch-routes.js';
import { jobListResponse, jobRequest, jobResponse } from './jobs-routes.js';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });

function jsonContent(schema: Json, description: string): Json {
  return { description, content: { 'application/json': { schema } } };
}

const ROWS = {
  'text/csv': { schema: { type: 'string', description: 'A header row naming the columns, then one row per line' } },
  'application/x-ndjson': { schema: { type: 'string', description: 'JSON Lines: one JSON object per line' } },
};

/** Adds POST .../batch and .../jobs[/{job_id}] (with and without /versions/{model_version}) to `paths`, and their schemas. */
export function addBatchPaths(paths: Record<string, Json>, schemas: Record<string, unknown>, modelParams: readonly Json[], versionParams: readonly Json[]): void {
  schemas.batch_error_response = batchErrorResponse;
  schemas.job_request = jobRequest;
  schemas.job_response = jobResponse;
  schemas.job_list_response = jobListResponse;
  const errors = (codes: readonly string[]): Json => Object.fromEntries(codes.map((c) => [c, jsonContent(ref('error_response'), 'See `code`')]));
  const tags = ['batch'];
  const jobParam: Json = { name: 'job_id', in: 'path', required: true, schema: { type: 'string' } };
  for (const [suffix, parameters, id] of [['', modelParams, ''], ['/versions/{model_version}', versionParams, 'Version']] as const) {
    const base = `/v2/models/{model_name}${suffix}`;
    paths[`${base}/batch`] = {
      parameters,
      post: {
        summary: 'Score a CSV or JSON Lines body, streamed in and out (a bad row gets an error column unless mode=all-or-nothing)',
        operationId: `modelBatch${id}`,
        tags,
        parameters: [
          { name: 'mode', in: 'query', required: false, schema: { enum: ['isolate', 'all-or-nothing'] } },
          { name: 'join', in: 'query', required: false, schema: { enum: ['true', 'false'] } },
          { name: 'batch_size', in: 'query', required: false, schema: { type: 'string', pattern: '^[0-9]+$' } },
          { name: 'X-Batch-Mode', in: 'header', required: false, schema: { enum: ['isolate', 'all-or-nothing'] } },
        ],
        requestBody: { required: true, content: { ...ROWS, 'application/jsonl': ROWS['application/x-ndjson'] } },
        responses: {
          '200': { description: 'One output row per input row, in the format Accept asks for (else the input\'s)', content: ROWS },
          '400': jsonContent(ref('batch_error_response'), 'A bad request, or (all-or-nothing) the first bad row, with its row and line'),
          ...errors(['404', '413', '415', '422', '500']),
        },
      },
    };
    paths[`${base}/jobs`] = {
      parameters,
      post: {
        summary: 'Start a batch job: a file of the data directory (MLCOMPILE_DATA_DIR) scored into another',
        operationId: `modelJobSubmit${id}`,
        tags,
        requestBody: { required: true, content: { 'application/json': { schema: ref('job_request') } } },
        responses: { '202': jsonContent(ref('job_response'), 'Accepted; Location: the job'), ...errors(['400', '403', '404', '409', '503']) },
      },
      get: { summary: 'Batch jobs of the model', operationId: `modelJobList${id}`, tags, responses: { '200': jsonContent(ref('job_list_response'), 'OK'), ...errors(['404']) } },
    };
    paths[`${base}/jobs/{job_id}`] = {
      parameters: [...parameters, jobParam],
      get: { summary: 'A batch job: state, rows, bytes, progress', operationId: `modelJobGet${id}`, tags, responses: { '200': jsonContent(ref('job_response'), 'OK'), ...errors(['404']) } },
      delete: { summary: 'Cancel a batch job (it stops at a checkpoint; resubmit it to go on)', operationId: `modelJobCancel${id}`, tags, responses: { '200': jsonContent(ref('job_response'), 'The job as it stopped'), ...errors(['404']) } },
    };
  }
}
