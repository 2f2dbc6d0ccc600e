// The batch loop shared by the HTTP route, jobs and the `batch` command: read a byte
// stream as records (batch-records.ts), gather data rows into windows of
// `batchSize` rows aligned on the row index, score each window (batch-codec.ts),
// write its output, and yield to the event loop before the next one. Reading
// follows the source's backpressure (async iteration pulls one chunk at a time), so
// memory stays constant whatever the size of the input.
//
// Positions: after each window the loop reports the byte offset, data row index and
// line of the next unread row, which is what a checkpoint needs. A cancelled run
// stops at a window boundary: rows of a window not yet scored are left for the next
// run, so a resumed run scores exactly the windows an uninterrupted one would.

import { setImmediate as nextTurn } from 'node:timers/promises';
import type { BatchProcessor, DataRow, WindowResult } from './batch-codec.js';
import { RecordSplitter, type RawRecord } from './batch-records.js';
import { ServerError } from './errors.js';

/** Where the next unread row of the input starts. */
export interface Position {
  /** Byte offset. */
  readonly offset: number;
  /** 0-based index of the data row (the CSV header is not a row, nor are blank lines). */
  readonly row: number;
  /** 1-based line. */
  readonly line: number;
}

export const START: Position = { offset: 0, row: 0, line: 1 };

/** After a window: the position after its last row and what this run has done so far. */
export interface Progress {
  readonly position: Position;
  /** Rows scored or failed by this run. */
  readonly rowsRead: number;
  readonly scored: number;
  readonly failed: number;
  /** Seconds inside the model. */
  readonly seconds: number;
  /** No output is held back: everything up to `position` is written. */
  readonly settled: boolean;
}

export interface RunOptions {
  readonly source: AsyncIterable<Buffer | string>;
  readonly processor: BatchProcessor;
  /** Takes output text; resolves when it can take more. */
  readonly write: (text: string) => Promise<void> | void;
  /** Where the source starts in the input (a resumed run reads from a checkpoint). */
  readonly start?: Position;
  /** The data rows to score: [first, end) by 0-based index; the others are skipped. */
  readonly range?: { readonly first: number; readonly end?: number };
  /** Bytes the source may give (413 beyond). */
  readonly limitBytes?: number;
  /** Cancels the run at the next chunk or window boundary (rows of an unfinished window are not scored). */
  readonly signal?: AbortSignal;
  /** After each window's output is written. */
  readonly onWindow?: (p: Progress, w: WindowResult) => Promise<void> | void;
}

export interface RunResult extends Progress {
  /** end: the input (or range) is done and `finish` was written; cancelled: stopped by the signal. */
  readonly stopped: 'end' | 'cancelled';
}

export async function runBatch(opts: RunOptions): Promise<RunResult> {
  const p = opts.processor;
  const start = opts.start ?? START;
  const splitter = new RecordSplitter(p.opts.inputFormat === 'csv', start.offset, start.line);
  const batchSize = p.opts.batchSize;
  const first = opts.range?.first ?? 0;
  const end = opts.range?.end ?? Infinity;
  const limit = opts.limitBytes ?? Infinity;

  let row = start.row;
  let committed: Position = start;
  let window: DataRow[] = [];
  let windowId = -1;
  let windowEnd: Position = start;
  let bytes = 0;
  let rowsRead = 0;
  let scored = 0;
  let failed = 0;
  let seconds = 0;

  const cancelled = (): boolean => opts.signal?.aborted === true;
  const progress = (): Progress => ({ position: committed, rowsRead, scored, failed, seconds, settled: p.settled });

  const flush = async (): Promise<void> => {
    if (window.length === 0) return;
    const w = p.score(window);
    rowsRead += window.length;
    scored += w.scored;
    failed += w.failed;
    seconds += w.seconds;
    window = [];
    if (w.text !== '') await opts.write(w.text);
    committed = windowEnd;
    await opts.onWindow?.(progress(), w);
    await nextTurn();
  };

  /** Takes a record; 'flush' when a window must be scored first (the record is then given again), 'stop' at the range end. */
  const take = (rec: RawRecord): 'ok' | 'flush' | 'stop' => {
    const after = { offset: rec.end, row, line: rec.line + rec.lines };
    if (!rec.tooLong && rec.text.trim() === '') { // blank lines are not rows
      if (window.length === 0) committed = after;
      else windowEnd = after;
      return 'ok';
    }
    if (p.needsHeader) {
      if (rec.tooLong) throw new ServerError('MLS_ERR_BAD_ROW', 'the CSV header is longer than the limit (32 MiB)');
      p.setHeader(rec.text);
      committed = after;
      return 'ok';
    }
    const index = row;
    if (index >= end) return 'stop';
    const id = Math.floor(index / batchSize);
    if (window.length > 0 && id !== windowId) return 'flush';
    row++;
    const next = { ...after, row };
    if (index < first) {
      committed = next;
      return 'ok';
    }
    window.push({ index, line: rec.line, text: rec.text, tooLong: rec.tooLong });
    windowId = id;
    windowEnd = next;
    return 'ok';
  };

  /** Takes records in order; true when the run must stop. */
  const takeAll = async (recs: readonly RawRecord[]): Promise<boolean> => {
    for (let i = 0; i < recs.length; i++) {
      const r = take(recs[i]);
      if (r === 'stop') return true;
      if (r === 'flush') {
        await flush();
        if (cancelled()) return true;
        i--;
      }
    }
    return false;
  };

  let stopped = false;
  const iterator = opts.source[Symbol.asyncIterator]();
  try {
    for (;;) {
      if (cancelled()) return { ...progress(), stopped: 'cancelled' };
      const next = await iterator.next();
      if (next.done === true) break;
      const chunk = typeof next.value === 'string' ? Buffer.from(next.value) : next.value;
      bytes += chunk.length;
      if (bytes > limit) throw new ServerError('MLS_ERR_BODY_TOO_LARGE', `the batch body is larger than the server accepts (${limit} bytes, MLCOMPILE_BATCH_BODY_LIMIT)`);
      if (await takeAll(splitter.push(chunk))) {
        stopped = true;
        break;
      }
    }
  } finally {
    // Stops the source (a file stream closes; a request stream is no longer read).
    if (stopped || cancelled()) await iterator.return?.();
  }
  if (cancelled()) return { ...progress(), stopped: 'cancelled' };
  if (!stopped) await takeAll(splitter.end());
  await flush();
  if (cancelled()) return { ...progress(), stopped: 'cancelled' };
  if (p.needsHeader) throw new ServerError('MLS_ERR_BAD_ROW', 'the CSV input is empty: it needs a header row naming its columns');
  const tail = p.finish();
  if (tail !== '') await opts.write(tail);
  return { ...progress(), settled: true, stopped: 'end' };
}
