// POST /v2/models/{name}[/versions/{v}]/batch: CSV or JSON Lines in, the same (or
// what Accept asks for) out, streamed both ways in constant memory. The body is not
// parsed by fastify: a content-type parser hands the request stream over, and the
// batch loop (batch-run.ts) reads it with backpressure. Its own body limit
// (MLCOMPILE_BATCH_BODY_LIMIT, default 1 GiB) replaces the on-demand one.
//
//   ?mode=isolate (default) | all-or-nothing  (or the header X-Batch-Mode)
//   ?join=true     input columns (CSV) or keys (JSON Lines) before the predictions
//   ?batch_size=N  rows per model call (ONNX), default 64
//
// Isolated rows: the answer starts with the first scored rows (200), and a bad row
// has an error column. All-or-nothing: the answer waits for the last row; the first
// bad row answers 4xx {"error", "code", "row", "line"} instead.

import type { Readable } from 'node:stream';
import { Readable as ReadableStream } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  BATCH_MODES, BatchProcessor, DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE, RowError, type BatchFormat, type BatchMode,
} from './batch-codec.js';
import { runBatch, type RunResult } from './batch-run.js';
import { Spool } from './batch-spool.js';
import { DEFAULT_BATCH_BODY_LIMIT } from './config.js';
import type { AppContext } from './context.js';
import { ServerError } from './errors.js';
import type { Metrics } from './metrics.js';
import { errorResponse, modelParams, versionParams } from './schemas.js';

export interface BatchRouteOptions {
  /** Largest batch body in bytes (default 1 GiB). */
  readonly bodyLimit?: number;
  readonly metrics?: Metrics | null;
}

interface BatchRoute {
  Params: { model_name: string; model_version?: string };
  Querystring: Record<string, string | string[] | undefined>;
}

/** The error object, plus the row and line of the first bad row of an all-or-nothing batch. */
export const batchErrorResponse = {
  type: 'object',
  properties: { ...errorResponse.properties, row: { type: 'integer' }, line: { type: 'integer' } },
  required: ['error'],
} as const;

const CSV_TYPE = /^(text|application)\/csv$/;
const JSONL_TYPE = /^application\/(x-)?(ndjson|jsonl|jsonlines|json-lines|x-jsonlines)$/;
export const BATCH_MEDIA_TYPES = 'text/csv (with a header row) or application/x-ndjson (JSON Lines; also application/jsonl)';

function mediaType(header: string): string {
  return header.split(';')[0].trim().toLowerCase();
}

/** The batch format of a Content-Type, if it is one. */
export function formatOfMediaType(header: string | undefined): BatchFormat | undefined {
  if (header === undefined) return undefined;
  const t = mediaType(header);
  return CSV_TYPE.test(t) ? 'csv' : JSONL_TYPE.test(t) ? 'jsonl' : undefined;
}

/** The output format an Accept header asks for (undefined: any). */
function formatOfAccept(header: string | undefined): BatchFormat | undefined {
  if (header === undefined) return undefined;
  const types = header.split(',').map(mediaType);
  const csv = types.some((t) => CSV_TYPE.test(t));
  const jsonl = types.some((t) => JSONL_TYPE.test(t));
  return csv && !jsonl ? 'csv' : jsonl && !csv ? 'jsonl' : undefined;
}

function single(q: BatchRoute['Querystring'], name: string): string | undefined {
  const v = q[name];
  if (Array.isArray(v)) throw new ServerError('MLS_ERR_BAD_REQUEST', `query parameter "${name}" is given more than once`);
  return v;
}

export function parseMode(v: string | undefined, what: string): BatchMode {
  if (v === undefined || v === '') return 'isolate';
  if ((BATCH_MODES as readonly string[]).includes(v)) return v as BatchMode;
  throw new ServerError('MLS_ERR_BAD_REQUEST', `${what}=${JSON.stringify(v)}: use ${BATCH_MODES.join(' or ')}`);
}

function parseFlag(v: string | undefined, what: string): boolean {
  if (v === undefined || v === '' || v === 'true' || v === '1') return v !== undefined;
  if (v === 'false' || v === '0') return false;
  throw new ServerError('MLS_ERR_BAD_REQUEST', `${what}=${JSON.stringify(v)}: use true or false`);
}

function parseBatchSize(v: string | undefined): number {
  if (v === undefined || v === '') return DEFAULT_BATCH_SIZE;
  const n = /^\d{1,5}$/.test(v) ? Number(v) : NaN;
  if (!(n >= 1 && n <= MAX_BATCH_SIZE)) throw new ServerError('MLS_ERR_BAD_REQUEST', `batch_size=${JSON.stringify(v)}: give an integer from 1 to ${MAX_BATCH_SIZE}`);
  return n;
}

const CONTENT_TYPES: Readonly<Record<BatchFormat, string>> = { csv: 'text/csv; charset=utf-8', jsonl: 'application/x-ndjson' };

function isReadable(v: unknown): v is Readable {
  return typeof v === 'object' && v !== null && typeof (v as Readable).pipe === 'function' && Symbol.asyncIterator in v;
}

export function batchPlugin(ctx: AppContext, opts: BatchRouteOptions = {}) {
  const limit = opts.bodyLimit ?? DEFAULT_BATCH_BODY_LIMIT;
  const metrics = opts.metrics ?? null;
  return async function batch(app: FastifyInstance): Promise<void> {
    // This plugin's routes read the request stream themselves, whatever its type (checked in the handler).
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

    for (const [suffix, params] of [['', modelParams], ['/versions/:model_version', versionParams]] as const) {
      app.post<BatchRoute>(`/v2/models/:model_name${suffix}/batch`, {
        bodyLimit: limit,
        schema: { params, response: { '4xx': batchErrorResponse, '5xx': errorResponse } },
      }, (req, reply) => handle(req, reply));
    }

    async function handle(req: FastifyRequest<BatchRoute>, reply: FastifyReply): Promise<unknown> {
      // Routed like infer (routing.ts): a batch naming no version goes to one routed version, whole.
      const model = ctx.router.resolve(req, reply, req.params.model_name, req.params.model_version);
      req.mlModel = model;
      const q = req.query;
      const inputFormat = formatOfMediaType(req.headers['content-type']);
      if (inputFormat === undefined) {
        throw new ServerError('MLS_ERR_UNSUPPORTED_MEDIA_TYPE', `Content-Type ${JSON.stringify(req.headers['content-type'] ?? '')} is not a batch format; send ${BATCH_MEDIA_TYPES}`);
      }
      const header = req.headers['x-batch-mode'];
      const processor = new BatchProcessor(model, {
        inputFormat,
        outputFormat: formatOfAccept(req.headers.accept) ?? inputFormat,
        mode: parseMode(single(q, 'mode') ?? (typeof header === 'string' ? header : undefined), 'mode'),
        join: parseFlag(single(q, 'join'), 'join'),
        batchSize: parseBatchSize(single(q, 'batch_size')),
      });
      const hold = processor.opts.mode === 'all-or-nothing';
      const body: unknown = req.body;
      const source: AsyncIterable<Buffer> = isReadable(body) ? body : (async function* () { /* no body */ })();

      const spool = new Spool(hold);
      const abort = new AbortController();
      // The client went away: stop reading and scoring.
      reply.raw.on('close', () => { if (!reply.raw.writableFinished) abort.abort(); });
      let firstOutput: () => void = () => undefined;
      const started = new Promise<void>((res) => { firstOutput = res; });
      let instances = 0;
      let outcome: { readonly error?: unknown } | undefined;
      const run = runBatch({
        source,
        processor,
        limitBytes: limit,
        signal: abort.signal,
        write: (text) => {
          firstOutput();
          return spool.write(text);
        },
        onWindow: (_p, w) => {
          instances += w.scored + w.failed;
          metrics?.batchRows(model, 'http', w.scored, w.failed);
        },
      }).then((_result: RunResult) => {
        // Rows for the access log and instances histogram; the model's time is left out of the
        // per-request inference histogram, which a long batch would swamp (the batch counters count rows).
        req.mlInstances = instances;
        outcome = {};
        spool.end();
      }, (error: unknown) => {
        outcome = { error };
        spool.fail(error instanceof Error ? error : new Error(String(error)));
      });

      // Isolated rows answer as soon as there is output; all-or-nothing once every row passed.
      await (hold ? run : Promise.race([started, run]));
      if (outcome?.error !== undefined && (hold || spool.bytes === 0)) {
        await spool.dispose();
        // The body was not read to its end: the connection cannot carry another request.
        if (!req.raw.readableEnded) reply.header('connection', 'close');
        const e = outcome.error;
        if (e instanceof RowError) {
          req.mlErrorCode = e.code;
          return reply.code(e.statusCode).type('application/json; charset=utf-8').send({ error: e.message, code: e.code, row: e.row, line: e.line });
        }
        throw e;
      }
      reply.code(200).type(CONTENT_TYPES[processor.opts.outputFormat]);
      return reply.send(ReadableStream.from(spool.chunks(), { objectMode: false }));
    }
  };
}
