// Batch jobs as REST resources, with and without /versions/{model_version}:
//   POST   /v2/models/{name}/jobs         {"input", "output", "format"?, "outputFormat"?, "mode"?, "join"?, "resume"?, "batchSize"?}
//                                        → 202, Location: /v2/models/{name}/jobs/{id}, the job
//   GET    /v2/models/{name}/jobs         → {"jobs": [job...]}
//   GET    /v2/models/{name}/jobs/{id}    → the job: state, rows, bytes, progress, error
//   DELETE /v2/models/{name}/jobs/{id}    → cancels it (200, the job as it stopped)

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { BATCH_FORMATS, BATCH_MODES, MAX_BATCH_SIZE } from './batch-codec.js';
import type { AppContext } from './context.js';
import { JobManager, jobView, type JobRequest } from './jobs.js';
import { errorResponses, modelParams, versionParams } from './schemas.js';

interface JobsRoute {
  Params: { model_name: string; model_version?: string };
}
interface JobRoute {
  Params: { model_name: string; model_version?: string; job_id: string };
}
interface SubmitRoute extends JobsRoute {
  Body: JobRequest;
}

export const jobRequest = {
  type: 'object',
  properties: {
    input: { type: 'string', minLength: 1, description: 'CSV or JSON Lines file, relative to the data directory (MLCOMPILE_DATA_DIR)' },
    output: { type: 'string', minLength: 1, description: 'file to write, relative to the data directory; its directory must exist' },
    format: { enum: [...BATCH_FORMATS], description: "the input's format (default: from its extension)" },
    outputFormat: { enum: [...BATCH_FORMATS], description: "the output's format (default: from its extension, else the input's)" },
    mode: { enum: [...BATCH_MODES], description: 'isolate (default): a bad row gets an error column; all-or-nothing: the first bad row fails the job and removes the output' },
    join: { type: 'boolean', description: 'write the input columns (keys) before the predictions' },
    resume: { type: 'boolean', description: 'true: go on from the checkpoint; false: start over; absent: go on when a checkpoint of this same job exists' },
    batchSize: { type: 'integer', minimum: 1, maximum: MAX_BATCH_SIZE, description: 'rows per model call (ONNX models with a batch dim), default 64' },
  },
  required: ['input', 'output'],
  additionalProperties: false,
} as const;

const jobError = {
  type: 'object',
  properties: { code: { type: 'string' }, message: { type: 'string' }, row: { type: 'integer' }, line: { type: 'integer' } },
  required: ['code', 'message'],
} as const;

export const jobResponse = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    url: { type: 'string' },
    model: { type: 'string' },
    version: { type: 'string' },
    state: { enum: ['queued', 'running', 'succeeded', 'failed', 'cancelled'] },
    input: { type: 'string' },
    output: { type: 'string' },
    format: { enum: [...BATCH_FORMATS] },
    outputFormat: { enum: [...BATCH_FORMATS] },
    mode: { enum: [...BATCH_MODES] },
    join: { type: 'boolean' },
    rowsRead: { type: 'integer' },
    rowsWritten: { type: 'integer' },
    rowsFailed: { type: 'integer' },
    bytesRead: { type: 'integer' },
    totalBytes: { type: 'integer' },
    progress: { type: 'number' },
    resumedFromRow: { type: ['integer', 'null'] },
    createdAt: { type: 'string' },
    startedAt: { type: 'string' },
    finishedAt: { type: 'string' },
    error: jobError,
  },
  required: ['id', 'url', 'model', 'version', 'state', 'input', 'output', 'rowsRead', 'rowsWritten', 'rowsFailed', 'bytesRead', 'totalBytes', 'progress'],
} as const;

export const jobListResponse = {
  type: 'object',
  properties: { jobs: { type: 'array', items: jobResponse } },
  required: ['jobs'],
} as const;

const jobParams = (params: typeof modelParams | typeof versionParams) => ({
  type: 'object',
  properties: { ...params.properties, job_id: { type: 'string' } },
  required: [...params.required, 'job_id'],
}) as const;

export function jobsPlugin(ctx: AppContext, manager: JobManager) {
  const repo = ctx.repository;
  return async function jobs(app: FastifyInstance): Promise<void> {
    app.addHook('onClose', async () => { await manager.close(); });
    for (const [suffix, params] of [['', modelParams], ['/versions/:model_version', versionParams]] as const) {
      const base = `/v2/models/:model_name${suffix}/jobs`;

      app.post<SubmitRoute>(base, {
        schema: { params, body: jobRequest, response: { 202: jobResponse, ...errorResponses } },
      }, async (req: FastifyRequest<SubmitRoute>, reply: FastifyReply) => {
        const model = ctx.router.resolve(req, reply, req.params.model_name, req.params.model_version);
        req.mlModel = model;
        const job = await manager.submit(model, req.body);
        const view = jobView(job);
        return reply.code(202).header('location', view.url as string).send(view);
      });

      app.get<JobsRoute>(base, { schema: { params, response: { 200: jobListResponse, ...errorResponses } } }, (req) => {
        const model = repo.resolve(req.params.model_name, req.params.model_version);
        req.mlModel = model;
        return { jobs: manager.list(model.name, req.params.model_version).map(jobView) };
      });

      app.get<JobRoute>(`${base}/:job_id`, { schema: { params: jobParams(params), response: { 200: jobResponse, ...errorResponses } } }, (req) => {
        req.mlModel = repo.resolve(req.params.model_name, req.params.model_version);
        return jobView(manager.get(req.params.model_name, req.params.job_id, req.params.model_version));
      });

      app.delete<JobRoute>(`${base}/:job_id`, { schema: { params: jobParams(params), response: { 200: jobResponse, ...errorResponses } } }, async (req) => {
        req.mlModel = repo.resolve(req.params.model_name, req.params.model_version);
        const job = manager.get(req.params.model_name, req.params.job_id, req.params.model_version);
        return jobView(await manager.cancel(job));
      });
    }
  };
}
