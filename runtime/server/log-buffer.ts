// The log lines of the server (pino's and the access lines app.ts writes), gathered
// as UTF-8 bytes in a buffer and handed to the destination 32 KiB at a time, or every
// 250 ms. A write(2) of a batch costs ~15-20 µs whatever its size up to 32 KiB: 8 KiB
// batches cost ~0.5 µs per line more (measured on a file, 2026-11-26).
//
// Each line is encoded into the buffer as it comes, and the string is garbage at
// once. Gathering the lines in a string instead (`pending += line`) kept a batch's
// hundreds of lines alive as a tree of string pieces scattered over the heap: the
// young-generation GC copied them, and flattening the tree to encode the batch chased
// a pointer per piece (~2.4 µs per request under load, measured by CPU profile).
//
// pino's destination (sonic-boom) can buffer too (minLength), but it measures every
// line it is given in UTF-8 bytes (Buffer.byteLength, a call into C++): ~2 µs per
// request under load, for a line per request. Every line goes through the one
// buffer, so lines keep their order.

export interface LogSink {
  /** A batch of whole lines; the buffer is the sink's from then on (it is never written to again). */
  write(data: Buffer): unknown;
  flushSync?(): void;
}

/** A line whose text is made when it is written (LogBuffer.defer). */
export interface DeferredLine {
  toLine(): string;
}

/** Deferred lines held before they are made into text together. */
const DEFERRED_BATCH = 64;

export class LogBuffer {
  private buffer: Buffer;
  private used = 0;
  private deferred: DeferredLine[] = [];
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly sink: LogSink,
    /** Bytes gathered before they are handed on. */
    private readonly minLength = 32 * 1024,
    periodMs = 250,
  ) {
    this.buffer = this.fresh();
    this.timer = setInterval(() => this.flush(), periodMs);
    // Nothing to wait for at exit: the caller flushes then (flushSync).
    this.timer.unref();
  }

  /** Room for a batch and the line that completes it (a longer line is handed on by itself). */
  private fresh(): Buffer {
    return Buffer.allocUnsafe(Math.max(2 * this.minLength, 4096));
  }

  /**
   * pino's stream interface. Warnings, errors and fatal lines (pino's JSON starts
   * `{"level":40`, 50 or 60) are handed on at once, with everything before them:
   * they are rare, and whoever watches the log (or reads it after a crash) needs them
   * now, not at the next batch.
   */
  write(line: string): boolean {
    if (this.deferred.length > 0) this.writeDeferred();
    this.append(line);
    if (this.used >= this.minLength || isUrgent(line)) this.flush();
    return true;
  }

  /**
   * A line that is written later, in order with the others: its text is made when the
   * buffer next writes a line, flushes, or holds DEFERRED_BATCH such lines. The access
   * lines (access-line.ts) come this way: made one after another in a loop, their text
   * costs a fraction of what it costs made one at a time amid each request's work.
   */
  defer(line: DeferredLine): void {
    if (this.deferred.push(line) >= DEFERRED_BATCH) {
      this.writeDeferred();
      if (this.used >= this.minLength) this.flush();
    }
  }

  /**
   * The held lines' text, encoded in one call: each encode is a call into C++ whose
   * fixed cost was most of a short line's (~1 µs per request under load). The text
   * of a batch is a fresh string tree, flattened once and dropped at once.
   */
  private writeDeferred(): void {
    const lines = this.deferred;
    this.deferred = [];
    let text = '';
    for (let i = 0; i < lines.length; i++) text += lines[i].toLine();
    this.append(text);
  }

  /** Encodes a line into the buffer, handing the batch on first when the line might not fit. */
  private append(line: string): void {
    // A UTF-16 code unit takes at most 3 bytes in UTF-8.
    const room = line.length * 3;
    if (this.used + room > this.buffer.length) {
      this.flush();
      if (room > this.buffer.length) {
        this.sink.write(Buffer.from(line));
        return;
      }
    }
    this.used += this.buffer.write(line, this.used);
  }

  /** Hands what is gathered to the destination (pino's logger.flush(cb) calls this with a callback). */
  flush(cb?: (err?: Error) => void): void {
    if (this.deferred.length > 0) this.writeDeferred();
    if (this.used > 0) {
      const data = this.buffer.subarray(0, this.used);
      // The sink may keep the batch (sonic-boom holds what a full pipe did not take): the next lines go to a new buffer.
      this.buffer = this.fresh();
      this.used = 0;
      this.sink.write(data);
    }
    cb?.();
  }

  /** Hands everything on and has the destination write it now (at exit). */
  flushSync(): void {
    this.flush();
    this.sink.flushSync?.();
  }

  /** Stops the periodic flush, after handing everything on. */
  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}

/** `{"level":` is 9 characters: the level's first digit follows ('4' warn … '6' fatal). */
function isUrgent(line: string): boolean {
  return line.charCodeAt(9) >= 52 && line.startsWith('{"level":');
}
