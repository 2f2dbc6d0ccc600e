// `node server.mjs batch ...`: the batch machinery without the HTTP server, for a
// Kubernetes (Indexed) Job or a cron job. Scores a file into a file, resumable from
// its checkpoint (batch-file.ts); --lines or --shard select a range of data rows so
// that pods of an Indexed Job each score their share of one file.
//
// Exit codes: 0 done (rows that failed are in the output's error column); 1 the batch
// failed (all-or-nothing row, I/O error, interrupted by a signal: run it again to
// resume); 2 usage error.

import { createReadStream } from 'node:fs';
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { BATCH_FORMATS, BATCH_MODES, BatchProcessor, DEFAULT_BATCH_SIZE, MAX_BATCH_SIZE, RowError, type BatchFormat, type BatchMode } from './batch-codec.js';
import { runFileBatch, type RowRange } from './batch-file.js';
import { RecordSplitter } from './batch-records.js';
import { classifyError } from './errors.js';
import { formatOfPath } from './jobs.js';
import { ModelRepository, loadModels, type ModelVersion } from './models-repository.js';

export const BATCH_USAGE = `usage: node server.mjs batch --input FILE --output FILE [options]

Scores every row of FILE (CSV with a header row, or JSON Lines) with a model of
this server's repository and writes one output row per input row. The output's
checkpoint (<output>.checkpoint.json) lets an interrupted run go on where it
stopped: run the same command again.

  --model NAME            the model (default: the only one, or MLCOMPILE_DEFAULT_MODEL)
  --version V             its version (default: the latest)
  --input FILE            CSV (.csv) or JSON Lines (.jsonl, .ndjson)
  --output FILE           where to write (.csv or .jsonl; default format: the input's)
  --format csv|jsonl      the input's format, when its extension does not say
  --output-format csv|jsonl
  --mode isolate|all-or-nothing
                          isolate (default): a bad row gets an error column;
                          all-or-nothing: the first bad row fails the run (exit 1)
                          and the output is removed
  --join                  write the input's columns (keys) before the predictions
  --lines START:END       score data rows START to END-1 only (counted from 0; the
                          CSV header and blank lines are not rows; either end may
                          be left out: 1000: or :500)
  --shard INDEX/COUNT     score share INDEX (0-based) of COUNT equal shares of the rows
  --shard auto            INDEX from JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs),
                          COUNT from MLCOMPILE_SHARD_COUNT (or JOB_COMPLETIONS)
  --batch-size N          rows per model call (ONNX models with a batch dim; default ${DEFAULT_BATCH_SIZE})
  --resume / --no-resume  require going on from the checkpoint / start over (default:
                          go on when the checkpoint is of this same run)

A summary line (JSON) goes to stderr. Exit codes: 0 done (failed rows are in the
output's error column), 1 failed or interrupted (run again to resume), 2 usage.`;

class UsageError extends Error {}

export interface CommandIo {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly modelsDir: string;
  readonly stdout: (s: string) => void;
  readonly stderr: (s: string) => void;
  /** Cancels the run (SIGTERM, SIGINT): it stops at a window boundary with its checkpoint written. */
  readonly signal?: AbortSignal;
  /** Tests: as FileBatchSpec.crashAfterRows and checkpointRows. */
  readonly crashAfterRows?: number;
  readonly checkpointRows?: number;
}

function choice<T extends string>(v: string | undefined, allowed: readonly T[], flag: string): T | undefined {
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw new UsageError(`${flag} ${JSON.stringify(v)}: use ${allowed.join(' or ')}`);
  return v as T;
}

function count(text: string, flag: string): number {
  if (!/^\d+$/.test(text)) throw new UsageError(`${flag}: ${JSON.stringify(text)} is not a non-negative integer`);
  return Number(text);
}

/** START:END (either may be empty). */
export function parseLines(text: string): RowRange {
  const m = /^(\d*):(\d*)$/.exec(text.trim());
  if (m === null) throw new UsageError(`--lines ${JSON.stringify(text)}: give START:END (data rows START to END-1, from 0), START: or :END`);
  const first = m[1] === '' ? 0 : count(m[1], '--lines');
  const end = m[2] === '' ? undefined : count(m[2], '--lines');
  if (end !== undefined && end < first) throw new UsageError(`--lines ${text}: END is before START`);
  return { first, end };
}

/** Share `index` of `shards` shares of `rows` rows: [floor(i·n/c), floor((i+1)·n/c)). */
export function shardRange(index: number, shards: number, rows: number): RowRange {
  return { first: Math.floor((index * rows) / shards), end: Math.floor(((index + 1) * rows) / shards) };
}

/** INDEX/COUNT, or auto (JOB_COMPLETION_INDEX and MLCOMPILE_SHARD_COUNT or JOB_COMPLETIONS). */
export function parseShard(text: string, env: Readonly<Record<string, string | undefined>>): { index: number; count: number } {
  let index: number;
  let shards: number;
  if (text === 'auto') {
    const i = env.JOB_COMPLETION_INDEX;
    const c = env.MLCOMPILE_SHARD_COUNT ?? env.JOB_COMPLETIONS;
    if (i === undefined || i.trim() === '') throw new UsageError('--shard auto: JOB_COMPLETION_INDEX is not set (it is in the pods of a Kubernetes Job with completionMode: Indexed)');
    if (c === undefined || c.trim() === '') throw new UsageError('--shard auto: set MLCOMPILE_SHARD_COUNT (or JOB_COMPLETIONS) to the number of shares (the Job\'s completions)');
    index = count(i.trim(), 'JOB_COMPLETION_INDEX');
    shards = count(c.trim(), env.MLCOMPILE_SHARD_COUNT !== undefined ? 'MLCOMPILE_SHARD_COUNT' : 'JOB_COMPLETIONS');
  } else {
    const m = /^(\d+)\/(\d+)$/.exec(text.trim());
    if (m === null) throw new UsageError(`--shard ${JSON.stringify(text)}: give INDEX/COUNT (e.g. 0/4) or auto`);
    index = Number(m[1]);
    shards = Number(m[2]);
  }
  if (shards < 1 || index >= shards) throw new UsageError(`--shard: share ${index} of ${shards} does not exist (INDEX goes from 0 to COUNT-1)`);
  return { index, count: shards };
}

/** Data rows of a file (a pass over it, in constant memory). */
export async function countRows(file: string, format: BatchFormat): Promise<number> {
  const splitter = new RecordSplitter(format === 'csv');
  let records = 0;
  const add = (recs: readonly { text: string; tooLong: boolean }[]): void => {
    for (const r of recs) if (r.tooLong || r.text.trim() !== '') records++;
  };
  for await (const chunk of createReadStream(file, { highWaterMark: 256 * 1024 })) add(splitter.push(chunk as Buffer));
  add(splitter.end());
  return format === 'csv' ? Math.max(0, records - 1) : records;
}

function pickModel(repo: ModelRepository, name: string | undefined, version: string | undefined, env: CommandIo['env']): ModelVersion {
  const names = repo.names();
  const chosen = name ?? env.MLCOMPILE_DEFAULT_MODEL ?? (names.length === 1 ? names[0] : undefined);
  if (chosen === undefined) throw new UsageError(`--model is needed: this server has models ${names.map((n) => JSON.stringify(n)).join(', ')}`);
  try {
    return repo.resolve(chosen, version);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

/** Runs the command; returns the exit code. */
export async function batchCommand(argv: readonly string[], io: CommandIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        model: { type: 'string' }, version: { type: 'string' }, input: { type: 'string' }, output: { type: 'string' },
        format: { type: 'string' }, 'output-format': { type: 'string' }, mode: { type: 'string' }, join: { type: 'boolean' },
        lines: { type: 'string' }, shard: { type: 'string' }, 'batch-size': { type: 'string' },
        resume: { type: 'boolean' }, 'no-resume': { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    });
  } catch (e) {
    io.stderr(`mlcompile batch: ${(e as Error).message}\n${BATCH_USAGE}\n`);
    return 2;
  }
  const f = parsed.values;
  if (f.help === true) {
    io.stdout(BATCH_USAGE + '\n');
    return 0;
  }
  let model: ModelVersion;
  let input: string;
  let output: string;
  let inputFormat: BatchFormat;
  let outputFormat: BatchFormat;
  let mode: BatchMode;
  let batchSize = DEFAULT_BATCH_SIZE;
  let range: RowRange | undefined;
  try {
    if (f.input === undefined || f.output === undefined) throw new UsageError('--input and --output are required');
    if (f.resume === true && f['no-resume'] === true) throw new UsageError('give --resume or --no-resume, not both');
    if (f.lines !== undefined && f.shard !== undefined) throw new UsageError('give --lines or --shard, not both');
    input = resolve(f.input);
    output = resolve(f.output);
    if (input === output) throw new UsageError('--output is the input file');
    const givenFormat = choice(f.format, BATCH_FORMATS, '--format') ?? formatOfPath(input);
    if (givenFormat === undefined) throw new UsageError(`--format is needed: the extension of ${f.input} is neither .csv nor .jsonl/.ndjson`);
    inputFormat = givenFormat;
    outputFormat = choice(f['output-format'], BATCH_FORMATS, '--output-format') ?? formatOfPath(output) ?? inputFormat;
    mode = choice(f.mode, BATCH_MODES, '--mode') ?? 'isolate';
    if (f['batch-size'] !== undefined) {
      batchSize = count(f['batch-size'], '--batch-size');
      if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) throw new UsageError(`--batch-size: give an integer from 1 to ${MAX_BATCH_SIZE}`);
    }
    const repo = new ModelRepository();
    const report = await loadModels(repo, io.modelsDir);
    if (repo.size === 0) throw new UsageError(`no models found in ${io.modelsDir} (${report.skipped.join('; ') || 'expected <name>/<version>/model.mjs'})`);
    model = pickModel(repo, f.model, f.version, io.env);
    // The options are checked (CSV and non-tensor ports, join) before anything is read.
    void new BatchProcessor(model, { inputFormat, outputFormat, mode, join: f.join === true, batchSize });
    if (f.lines !== undefined) range = parseLines(f.lines);
    if (f.shard !== undefined) {
      const s = parseShard(f.shard, io.env);
      range = shardRange(s.index, s.count, await countRows(input, inputFormat));
    }
  } catch (e) {
    const message = e instanceof UsageError ? e.message : classifyError(e).message;
    io.stderr(`mlcompile batch: ${message}\n`);
    return 2;
  }

  const started = performance.now();
  const summary: Record<string, unknown> = {
    command: 'batch', model: model.name, version: model.version, input: f.input, output: f.output,
    ...(range !== undefined ? { rows: [range.first, range.end ?? null] } : {}),
  };
  try {
    const r = await runFileBatch({
      model,
      input,
      output,
      inputName: input,
      options: { inputFormat, outputFormat, mode, join: f.join === true, batchSize },
      range,
      resume: f.resume === true ? true : f['no-resume'] === true ? false : undefined,
      signal: io.signal,
      crashAfterRows: io.crashAfterRows,
      checkpointRows: io.checkpointRows,
    });
    const line = {
      ...summary, state: r.state, rowsRead: r.rowsRead, rowsWritten: r.rowsWritten, rowsFailed: r.rowsFailed,
      resumedFromRow: r.resumedFromRow, seconds: Math.round(performance.now() - started) / 1000,
    };
    io.stderr(JSON.stringify(line) + '\n');
    return r.state === 'succeeded' ? 0 : 1;
  } catch (e) {
    const c = classifyError(e);
    const error = e instanceof RowError ? { code: e.code, message: e.message, row: e.row, line: e.line } : { code: c.code, message: c.message };
    io.stderr(JSON.stringify({ ...summary, state: 'failed', error }) + '\n');
    return 1;
  }
}

/** `node server.mjs batch ...` as a process: SIGTERM and SIGINT stop the run at a checkpoint. */
export async function batchMain(argv: readonly string[], defaultModelsDir: string): Promise<number> {
  const env = process.env;
  const abort = new AbortController();
  const stop = (): void => abort.abort();
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  try {
    return await batchCommand(argv, {
      env,
      modelsDir: env.MLCOMPILE_MODELS_DIR !== undefined && env.MLCOMPILE_MODELS_DIR.trim() !== '' ? env.MLCOMPILE_MODELS_DIR : defaultModelsDir,
      stdout: (s) => process.stdout.write(s),
      stderr: (s) => process.stderr.write(s),
      signal: abort.signal,
    });
  } finally {
    process.off('SIGTERM', stop);
    process.off('SIGINT', stop);
  }
}
