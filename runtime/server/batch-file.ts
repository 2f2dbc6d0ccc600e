// A batch from a file into a file, resumable (batch jobs and `server.mjs batch`).
//
// Beside the output, `<output>.checkpoint.json` records how far the output is good:
// the byte offset (and row, line) of the next unread input row, the counts so far,
// the output's length at that point, and what the processor must remember (the CSV
// header, the CSV output's columns). It is written at intervals, after the output
// is flushed and fsync'd, through a temporary file and a rename, so it never claims
// more output than the disk holds. Resuming truncates the output to the recorded
// length and reads the input from the recorded offset: no row is lost or written
// twice, and (windows being aligned on the row index) the output is byte for byte
// the one an uninterrupted run writes. The checkpoint also records what the run was
// (model version and sha256, input size and modification time, options, row range):
// a checkpoint of another run is never resumed. It is removed when the run succeeds.

import { constants, createReadStream } from 'node:fs';
import { open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { BatchProcessor, type BatchOptions, type ProcessorState, type WindowResult } from './batch-codec.js';
import { START, runBatch, type Position, type Progress } from './batch-run.js';
import { ServerError } from './errors.js';
import type { ModelVersion } from './models-repository.js';

export const CHECKPOINT_SUFFIX = '.checkpoint.json';
/** Checkpoints are written at most this often by default (1 s). */
export const DEFAULT_CHECKPOINT_MS = 1000;
/** Output is written to the file in pieces of about this size (or at a checkpoint). */
const WRITE_SIZE = 256 * 1024;
const READ_SIZE = 256 * 1024;
const CHECKPOINT_FORMAT = 'mlcompile-batch-checkpoint';

export interface RowRange {
  /** 0-based index of the first data row. */
  readonly first: number;
  /** One past the last (undefined: to the end). */
  readonly end?: number;
}

export interface FileBatchSpec {
  readonly model: ModelVersion;
  /** Paths to read and write (already checked by the caller). */
  readonly input: string;
  readonly output: string;
  readonly options: BatchOptions;
  readonly range?: RowRange;
  /** true: resume from the checkpoint (409 if it is another run's); false: start over; undefined: resume when one fits. */
  readonly resume?: boolean;
  /** The input as the user named it (recorded in the checkpoint). */
  readonly inputName: string;
  /** Checkpoint after this many ms since the last one (default 1000; 0: after every window). */
  readonly checkpointMs?: number;
  /** ...or after this many rows since the last one. */
  readonly checkpointRows?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (s: FileBatchStatus) => void;
  /** After each window is scored (before its checkpoint); the run waits for it. */
  readonly onWindow?: (w: WindowResult) => void | Promise<void>;
  /** Tests: after this many rows, stop as a crash would (output written past the last checkpoint, none written after). */
  readonly crashAfterRows?: number;
}

export interface FileBatchStatus {
  /** Rows read (scored or failed), written, failed, over every run of this output. */
  readonly rowsRead: number;
  readonly rowsWritten: number;
  readonly rowsFailed: number;
  /** Input bytes before the next unread row, and the input's size. */
  readonly bytesRead: number;
  readonly totalBytes: number;
  /** The row this run resumed from (0-based), or null when it started from the beginning. */
  readonly resumedFromRow: number | null;
}

export interface FileBatchResult extends FileBatchStatus {
  readonly state: 'succeeded' | 'cancelled';
  /** Seconds inside the model in this run. */
  readonly seconds: number;
}

/** Thrown by the crashAfterRows test hook. */
export class SimulatedCrash extends Error {
  constructor() {
    super('simulated crash');
    this.name = 'SimulatedCrash';
  }
}

interface Identity {
  readonly input: string;
  readonly inputSize: number;
  readonly inputMtimeMs: number;
  readonly model: string;
  readonly modelVersion: string;
  readonly modelSha256: string;
  readonly options: BatchOptions;
  readonly range: { readonly first: number; readonly end: number | null };
}

interface Checkpoint {
  readonly format: typeof CHECKPOINT_FORMAT;
  readonly version: 1;
  readonly run: Identity;
  readonly position: Position;
  readonly rowsRead: number;
  readonly rowsWritten: number;
  readonly rowsFailed: number;
  readonly outputBytes: number;
  readonly processor: ProcessorState;
}

export function checkpointPath(output: string): string {
  return output + CHECKPOINT_SUFFIX;
}

const NOFOLLOW = constants.O_NOFOLLOW ?? 0;

async function readCheckpoint(path: string): Promise<Checkpoint | null> {
  let fh: FileHandle;
  try {
    fh = await open(path, constants.O_RDONLY | NOFOLLOW);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new ServerError('MLS_ERR_FORBIDDEN_PATH', `cannot read the checkpoint ${path}: ${(e as Error).message}`);
  }
  try {
    const v = JSON.parse(await fh.readFile('utf8')) as Checkpoint;
    return v !== null && typeof v === 'object' && v.format === CHECKPOINT_FORMAT && v.version === 1 ? v : null;
  } catch {
    return null; // torn or foreign: not a checkpoint to resume from
  } finally {
    await fh.close();
  }
}

async function writeCheckpoint(path: string, c: Checkpoint): Promise<void> {
  const tmp = path + '.tmp';
  const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | NOFOLLOW, 0o644);
  try {
    await fh.writeFile(JSON.stringify(c, null, 1) + '\n');
    await fh.datasync();
  } finally {
    await fh.close();
  }
  await rename(tmp, path);
  // The rename itself is durable once the directory is synced (best effort: not every file system allows it).
  try {
    const dir = await open(dirname(path), constants.O_RDONLY);
    try {
      await dir.sync();
    } finally {
      await dir.close();
    }
  } catch {
    // ignore
  }
}

/** The first field that differs between a checkpoint's run and this one, for the 409 message. */
function difference(a: Identity, b: Identity): string | null {
  const fields: [string, unknown, unknown][] = [
    ['input', a.input, b.input], ['input size', a.inputSize, b.inputSize], ['input modification time', a.inputMtimeMs, b.inputMtimeMs],
    ['model', a.model, b.model], ['model version', a.modelVersion, b.modelVersion], ['model sha256', a.modelSha256, b.modelSha256],
    ['options', JSON.stringify(a.options), JSON.stringify(b.options)], ['row range', JSON.stringify(a.range), JSON.stringify(b.range)],
  ];
  for (const [name, x, y] of fields) if (x !== y) return `${name} (${JSON.stringify(x)} then, ${JSON.stringify(y)} now)`;
  return null;
}

/** Runs the batch; throws a RowError (all-or-nothing; output removed), a ServerError, or an I/O error. */
export async function runFileBatch(spec: FileBatchSpec): Promise<FileBatchResult> {
  const st = await stat(spec.input);
  if (!st.isFile()) throw new ServerError('MLS_ERR_BAD_PATH', `${spec.inputName} is not a regular file`);
  const o = spec.options;
  const identity: Identity = {
    input: spec.inputName,
    inputSize: st.size,
    inputMtimeMs: Math.trunc(st.mtimeMs),
    model: spec.model.name,
    modelVersion: spec.model.version,
    modelSha256: spec.model.sha256,
    options: { inputFormat: o.inputFormat, outputFormat: o.outputFormat, mode: o.mode, join: o.join, batchSize: o.batchSize },
    range: { first: spec.range?.first ?? 0, end: spec.range?.end ?? null },
  };
  const ckPath = checkpointPath(spec.output);

  let ck: Checkpoint | null = spec.resume === false ? null : await readCheckpoint(ckPath);
  if (ck !== null) {
    const diff = difference(ck.run, identity);
    if (diff !== null) {
      if (spec.resume === true) throw new ServerError('MLS_ERR_JOB_CONFLICT', `the checkpoint ${ckPath} is of another run: its ${diff} differs; resubmit without "resume": true to start over`);
      ck = null;
    }
  }

  let fh: FileHandle;
  if (ck !== null) {
    try {
      fh = await open(spec.output, constants.O_RDWR | NOFOLLOW);
    } catch (e) {
      if (spec.resume === true) throw new ServerError('MLS_ERR_JOB_CONFLICT', `cannot resume: the output ${spec.output} cannot be opened (${(e as Error).message})`);
      ck = null;
      fh = await open(spec.output, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | NOFOLLOW, 0o644);
    }
    if (ck !== null && (await fh.stat()).size < ck.outputBytes) {
      if (spec.resume === true) {
        await fh.close();
        throw new ServerError('MLS_ERR_JOB_CONFLICT', `cannot resume: the output is shorter than its checkpoint says (${ck.outputBytes} bytes)`);
      }
      ck = null;
    }
    await fh.truncate(ck?.outputBytes ?? 0);
  } else {
    fh = await open(spec.output, constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | NOFOLLOW, 0o644);
  }

  const base = ck ?? { position: START, rowsRead: 0, rowsWritten: 0, rowsFailed: 0, outputBytes: 0, processor: undefined };
  const processor = new BatchProcessor(spec.model, o, ck?.processor);
  const resumedFromRow = ck === null ? null : ck.position.row;

  let outBytes = base.outputBytes;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  /** The last state whose output is complete on disk (what a checkpoint records). */
  let good = { position: base.position, rowsRead: base.rowsRead, rowsWritten: base.rowsWritten, rowsFailed: base.rowsFailed, outputBytes: base.outputBytes };
  let lastCheckpoint = Date.now();
  let rowsAtCheckpoint = base.rowsRead;
  const interval = spec.checkpointMs ?? DEFAULT_CHECKPOINT_MS;
  const everyRows = spec.checkpointRows ?? Infinity;

  const flushOutput = async (): Promise<void> => {
    if (pendingBytes === 0) return;
    const buf = pending.length === 1 ? pending[0] : Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    let at = 0;
    while (at < buf.length) {
      const { bytesWritten } = await fh.write(buf, at, buf.length - at, outBytes);
      at += bytesWritten;
      outBytes += bytesWritten;
    }
  };
  const checkpoint = async (): Promise<void> => {
    await flushOutput();
    await fh.datasync();
    await writeCheckpoint(ckPath, { format: CHECKPOINT_FORMAT, version: 1, run: identity, ...good, processor: processor.state() });
    lastCheckpoint = Date.now();
    rowsAtCheckpoint = good.rowsRead;
  };
  const status = (p: { position: Position; rowsRead: number; rowsWritten: number; rowsFailed: number }): FileBatchStatus => ({
    rowsRead: p.rowsRead, rowsWritten: p.rowsWritten, rowsFailed: p.rowsFailed, bytesRead: p.position.offset, totalBytes: st.size, resumedFromRow,
  });
  const totals = (p: Progress) => ({
    position: p.position,
    rowsRead: base.rowsRead + p.rowsRead,
    rowsWritten: base.rowsWritten + p.rowsRead,
    rowsFailed: base.rowsFailed + p.failed,
  });

  const source = createReadStream(spec.input, { start: base.position.offset, highWaterMark: READ_SIZE });
  let succeeded = false;
  try {
    const result = await runBatch({
      source,
      processor,
      start: base.position,
      range: spec.range,
      signal: spec.signal,
      write: async (text) => {
        const b = Buffer.from(text, 'utf8');
        pending.push(b);
        pendingBytes += b.length;
        if (pendingBytes >= WRITE_SIZE) await flushOutput();
      },
      onWindow: async (p, w) => {
        const t = totals(p);
        if (spec.crashAfterRows !== undefined && t.rowsRead >= spec.crashAfterRows) {
          await flushOutput(); // output past the checkpoint, as a crash leaves it
          throw new SimulatedCrash();
        }
        if (p.settled) good = { ...t, outputBytes: outBytes + pendingBytes };
        spec.onProgress?.(status(t));
        await spec.onWindow?.(w);
        if (p.settled && (Date.now() - lastCheckpoint >= interval || good.rowsRead - rowsAtCheckpoint >= everyRows)) await checkpoint();
      },
    });
    const t = totals(result);
    if (result.stopped === 'cancelled') {
      // The output ends where the last good state does; the checkpoint says so.
      await flushOutput();
      await fh.truncate(good.outputBytes);
      await checkpoint();
      spec.onProgress?.(status(good));
      return { ...status(good), state: 'cancelled', seconds: result.seconds };
    }
    await flushOutput();
    await fh.datasync();
    succeeded = true;
    const final = status(t);
    spec.onProgress?.(final);
    return { ...final, bytesRead: result.position.offset, state: 'succeeded', seconds: result.seconds };
  } catch (e) {
    if (o.mode === 'all-or-nothing' && !(e instanceof SimulatedCrash)) {
      // No partial results: the output and its checkpoint go.
      await fh.close().catch(() => undefined);
      await rm(spec.output, { force: true }).catch(() => undefined);
      await rm(ckPath, { force: true }).catch(() => undefined);
    }
    throw e;
  } finally {
    source.destroy();
    await fh.close().catch(() => undefined);
    if (succeeded) await rm(ckPath, { force: true });
  }
}
