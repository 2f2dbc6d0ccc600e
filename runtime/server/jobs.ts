// Batch jobs: a file of the data directory scored into another, in the background
// of the serving process (runFileBatch, which yields to the event loop between
// windows, so requests are answered meanwhile). Jobs are kept in memory: a restart
// forgets them, but their checkpoints stay beside their outputs, and submitting the
// same job again (or with "resume": true) goes on from there.
//
// Paths are relative to the data directory (MLCOMPILE_DATA_DIR). An absolute path,
// a `..` segment, or a path whose real location (symbolic links resolved) is outside
// the directory is refused; so is an output that is itself a symbolic link.

import { randomUUID } from 'node:crypto';
import { lstat, realpath, stat } from 'node:fs/promises';
import { basename, dirname, extname, isAbsolute, join, sep } from 'node:path';
import { BatchProcessor, DEFAULT_BATCH_SIZE, RowError, type BatchFormat, type BatchMode, type BatchOptions } from './batch-codec.js';
import { runFileBatch, type FileBatchStatus } from './batch-file.js';
import { ServerError, classifyError, type ServerErrorCode } from './errors.js';
import type { Metrics } from './metrics.js';
import type { ModelVersion } from './models-repository.js';

export type JobState = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface JobRequest {
  readonly input: string;
  readonly output: string;
  /** The input's format (default: from its extension). */
  readonly format?: BatchFormat;
  /** The output's format (default: from its extension, else the input's). */
  readonly outputFormat?: BatchFormat;
  readonly mode?: BatchMode;
  readonly join?: boolean;
  /** true: go on from the output's checkpoint; false: start over; absent: go on when a checkpoint of this same job exists. */
  readonly resume?: boolean;
  readonly batchSize?: number;
}

export interface JobSettings {
  /** The data directory; without one, jobs answer 503. */
  readonly dataDir?: string;
  /** Jobs run at once (default 1); others wait in state queued. */
  readonly concurrency?: number;
  readonly metrics?: Metrics | null;
  /** Checkpoint interval (default 1 s) and, for tests, a row interval and a simulated crash. */
  readonly checkpointMs?: number;
  readonly checkpointRows?: number;
  readonly crashAfterRows?: number;
  /** Called after each window a job scores; the job waits for it (tests pause jobs with it). */
  readonly onWindow?: (job: Job) => void | Promise<void>;
  /** Finished jobs remembered (default 1000; the oldest are forgotten first). */
  readonly keepFinished?: number;
}

export interface Job {
  readonly id: string;
  readonly model: ModelVersion;
  readonly request: JobRequest;
  readonly options: BatchOptions;
  readonly inputPath: string;
  readonly outputPath: string;
  state: JobState;
  status: FileBatchStatus;
  error?: { readonly code: ServerErrorCode; readonly message: string; readonly row?: number; readonly line?: number };
  readonly createdAt: string;
  startedAt?: string;
  finishedAt?: string;
  readonly abort: AbortController;
  done?: Promise<void>;
}

const FINISHED: ReadonlySet<JobState> = new Set(['succeeded', 'failed', 'cancelled']);

/** The format a file name's extension gives. */
export function formatOfPath(path: string): BatchFormat | undefined {
  const ext = extname(path).toLowerCase();
  return ext === '.csv' ? 'csv' : ext === '.jsonl' || ext === '.ndjson' ? 'jsonl' : undefined;
}

/** The public view of a job (GET .../jobs/{id}). */
export function jobView(job: Job): Record<string, unknown> {
  const s = job.status;
  const url = `/v2/models/${encodeURIComponent(job.model.name)}/jobs/${job.id}`;
  const progress = job.state === 'succeeded' ? 1 : s.totalBytes > 0 ? Math.min(1, s.bytesRead / s.totalBytes) : 0;
  return {
    id: job.id,
    url,
    model: job.model.name,
    version: job.model.version,
    state: job.state,
    input: job.request.input,
    output: job.request.output,
    format: job.options.inputFormat,
    outputFormat: job.options.outputFormat,
    mode: job.options.mode,
    join: job.options.join,
    rowsRead: s.rowsRead,
    rowsWritten: s.rowsWritten,
    rowsFailed: s.rowsFailed,
    bytesRead: s.bytesRead,
    totalBytes: s.totalBytes,
    progress,
    resumedFromRow: s.resumedFromRow,
    createdAt: job.createdAt,
    ...(job.startedAt !== undefined ? { startedAt: job.startedAt } : {}),
    ...(job.finishedAt !== undefined ? { finishedAt: job.finishedAt } : {}),
    ...(job.error !== undefined ? { error: job.error } : {}),
  };
}

/** A plain relative path: not empty, not absolute, no `..` segment, no NUL. */
function checkRelative(p: string, what: string): void {
  if (p.trim() === '' || p.includes('\0')) throw new ServerError('MLS_ERR_BAD_PATH', `"${what}" must be a path relative to the data directory`);
  if (isAbsolute(p) || /^[A-Za-z]:/.test(p) || p.startsWith('\\')) throw new ServerError('MLS_ERR_BAD_PATH', `"${what}": ${JSON.stringify(p)} is absolute; give a path relative to the data directory`);
  if (p.split(/[\\/]/).includes('..')) throw new ServerError('MLS_ERR_BAD_PATH', `"${what}": ${JSON.stringify(p)} has a ".." segment; paths stay inside the data directory`);
}

function inside(root: string, real: string): boolean {
  return real === root || real.startsWith(root.endsWith(sep) ? root : root + sep);
}

function errno(e: unknown): string | undefined {
  return (e as NodeJS.ErrnoException).code;
}

export class JobManager {
  private readonly jobs = new Map<string, Job>();
  private readonly queue: Job[] = [];
  private running = 0;
  private closing = false;

  constructor(private readonly settings: JobSettings = {}) {}

  private async dataRoot(): Promise<string> {
    const dir = this.settings.dataDir;
    if (dir === undefined) throw new ServerError('MLS_ERR_UNAVAILABLE', 'batch jobs need a data directory (MLCOMPILE_DATA_DIR)');
    try {
      const real = await realpath(dir);
      if (!(await stat(real)).isDirectory()) throw new Error('not a directory');
      return real;
    } catch (e) {
      throw new ServerError('MLS_ERR_UNAVAILABLE', `batch jobs are unavailable: the data directory ${dir} (MLCOMPILE_DATA_DIR) ${errno(e) === 'ENOENT' ? 'does not exist' : `cannot be used: ${(e as Error).message}`}`);
    }
  }

  /** The real path of an input file inside the data directory. */
  async resolveInput(p: string): Promise<string> {
    checkRelative(p, 'input');
    const root = await this.dataRoot();
    let real: string;
    try {
      real = await realpath(join(root, p));
    } catch (e) {
      throw new ServerError('MLS_ERR_BAD_PATH', `"input": ${JSON.stringify(p)} ${errno(e) === 'ENOENT' ? 'does not exist in the data directory' : `cannot be read: ${(e as Error).message}`}`);
    }
    if (!inside(root, real)) throw new ServerError('MLS_ERR_FORBIDDEN_PATH', `"input": ${JSON.stringify(p)} leads outside the data directory (through a symbolic link)`);
    if (!(await stat(real)).isFile()) throw new ServerError('MLS_ERR_BAD_PATH', `"input": ${JSON.stringify(p)} is not a regular file`);
    return real;
  }

  /** The path to write an output at: its directory must exist inside the data directory, and it must not be a symbolic link. */
  async resolveOutput(p: string): Promise<string> {
    checkRelative(p, 'output');
    const root = await this.dataRoot();
    const joined = join(root, p);
    let dir: string;
    try {
      dir = await realpath(dirname(joined));
    } catch (e) {
      throw new ServerError('MLS_ERR_BAD_PATH', `"output": the directory of ${JSON.stringify(p)} ${errno(e) === 'ENOENT' ? 'does not exist in the data directory' : `cannot be used: ${(e as Error).message}`}`);
    }
    if (!inside(root, dir)) throw new ServerError('MLS_ERR_FORBIDDEN_PATH', `"output": ${JSON.stringify(p)} leads outside the data directory (through a symbolic link)`);
    const path = join(dir, basename(joined));
    for (const f of [path, path + '.checkpoint.json']) {
      try {
        const st = await lstat(f);
        if (st.isSymbolicLink()) throw new ServerError('MLS_ERR_FORBIDDEN_PATH', `"output": ${JSON.stringify(p)} is (or has a checkpoint that is) a symbolic link; outputs are written only as plain files`);
        if (!st.isFile()) throw new ServerError('MLS_ERR_BAD_PATH', `"output": ${JSON.stringify(p)} exists and is not a regular file`);
      } catch (e) {
        if (e instanceof ServerError) throw e;
        if (errno(e) !== 'ENOENT') throw new ServerError('MLS_ERR_BAD_PATH', `"output": ${JSON.stringify(p)} cannot be used: ${(e as Error).message}`);
      }
    }
    return path;
  }

  /** Checks and queues a job (it starts when a slot is free). */
  async submit(model: ModelVersion, req: JobRequest): Promise<Job> {
    if (this.closing) throw new ServerError('MLS_ERR_UNAVAILABLE', 'the server is shutting down');
    const inputPath = await this.resolveInput(req.input);
    const outputPath = await this.resolveOutput(req.output);
    if (inputPath === outputPath) throw new ServerError('MLS_ERR_BAD_PATH', '"output" is the input file');
    const inputFormat = req.format ?? formatOfPath(req.input);
    if (inputFormat === undefined) throw new ServerError('MLS_ERR_BAD_REQUEST', `"format" is needed: the extension of ${JSON.stringify(req.input)} is neither .csv nor .jsonl/.ndjson`);
    const options: BatchOptions = {
      inputFormat,
      outputFormat: req.outputFormat ?? formatOfPath(req.output) ?? inputFormat,
      mode: req.mode ?? 'isolate',
      join: req.join ?? false,
      batchSize: req.batchSize ?? DEFAULT_BATCH_SIZE,
    };
    // Options the model cannot take (CSV and non-tensor ports, join) are refused now, not when the job runs.
    void new BatchProcessor(model, options);
    for (const other of this.jobs.values()) {
      if (FINISHED.has(other.state)) continue;
      if (other.outputPath === outputPath || other.outputPath === inputPath || other.inputPath === outputPath) {
        throw new ServerError('MLS_ERR_JOB_CONFLICT', `job ${other.id} (${other.state}) uses ${other.outputPath === outputPath ? 'the same output' : 'this file'}; wait for it or cancel it`);
      }
    }
    const job: Job = {
      id: randomUUID(),
      model,
      request: req,
      options,
      inputPath,
      outputPath,
      state: 'queued',
      status: { rowsRead: 0, rowsWritten: 0, rowsFailed: 0, bytesRead: 0, totalBytes: (await stat(inputPath)).size, resumedFromRow: null },
      createdAt: new Date().toISOString(),
      abort: new AbortController(),
    };
    this.jobs.set(job.id, job);
    this.queue.push(job);
    this.forget();
    this.pump();
    return job;
  }

  private pump(): void {
    while (this.running < (this.settings.concurrency ?? 1) && this.queue.length > 0) {
      const job = this.queue.shift() as Job;
      if (job.state !== 'queued') continue;
      this.running++;
      job.done = this.run(job).finally(() => {
        this.running--;
        this.pump();
      });
    }
  }

  private async run(job: Job): Promise<void> {
    job.state = 'running';
    job.startedAt = new Date().toISOString();
    const metrics = this.settings.metrics ?? null;
    try {
      const r = await runFileBatch({
        model: job.model,
        input: job.inputPath,
        output: job.outputPath,
        inputName: job.request.input,
        options: job.options,
        resume: job.request.resume,
        signal: job.abort.signal,
        checkpointMs: this.settings.checkpointMs,
        checkpointRows: this.settings.checkpointRows,
        crashAfterRows: this.settings.crashAfterRows,
        onProgress: (s) => { job.status = s; },
        onWindow: (w) => {
          metrics?.batchRows(job.model, 'job', w.scored, w.failed);
          return this.settings.onWindow?.(job);
        },
      });
      job.status = r;
      job.state = r.state;
    } catch (e) {
      const c = classifyError(e);
      job.error = e instanceof RowError ? { code: e.code, message: e.message, row: e.row, line: e.line } : { code: c.code, message: c.message };
      job.state = 'failed';
    }
    job.finishedAt = new Date().toISOString();
  }

  /** A job of model `name` (and version, when given); 404 otherwise. */
  get(name: string, id: string, version?: string): Job {
    const job = this.jobs.get(id);
    if (job === undefined || job.model.name !== name || (version !== undefined && job.model.version !== version)) {
      throw new ServerError('MLS_ERR_JOB_NOT_FOUND', `model "${name}" has no batch job "${id}" (jobs are forgotten when the server restarts; submit it again, with "resume": true to go on from its checkpoint)`);
    }
    return job;
  }

  /** Jobs of a model, oldest first. */
  list(name: string, version?: string): Job[] {
    return [...this.jobs.values()].filter((j) => j.model.name === name && (version === undefined || j.model.version === version));
  }

  /** Cancels a job: a queued one at once, a running one at its next window (its output and checkpoint then agree). */
  async cancel(job: Job): Promise<Job> {
    if (job.state === 'queued') {
      job.state = 'cancelled';
      job.finishedAt = new Date().toISOString();
    } else if (job.state === 'running') {
      job.abort.abort();
      await job.done;
    }
    return job;
  }

  /** Stops every job (each writes its checkpoint); for shutdown. */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.jobs.values()].map((j) => this.cancel(j)));
  }

  private forget(): void {
    const keep = this.settings.keepFinished ?? 1000;
    const finished = [...this.jobs.values()].filter((j) => FINISHED.has(j.state));
    for (const j of finished.slice(0, Math.max(0, finished.length - keep))) this.jobs.delete(j.id);
  }
}
