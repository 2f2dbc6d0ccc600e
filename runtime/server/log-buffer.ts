// The log lines of the server (pino's and the access lines app.ts writes), gathered
// in a string and handed to the destination 32 Ki characters at a time, or every 250 ms.
// A write(2) of a batch costs ~15-20 µs whatever its size up to 32 KiB: 8 KiB batches
// cost ~0.5 µs per line more (measured on a file, 2026-11-26).
//
// pino's destination (sonic-boom) can buffer too (minLength), but it measures every
// line it is given in UTF-8 bytes (Buffer.byteLength, a call into C++): ~2 µs per
// request under load, for a line per request. Here a line is appended to a string;
// the destination measures and writes a whole batch. Every line goes through the
// one buffer, so lines keep their order.

export interface LogSink {
  write(data: string): unknown;
  flushSync?(): void;
}

export class LogBuffer {
  private pending = '';
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly sink: LogSink,
    /** Characters gathered before they are handed on (a string's length: no byte count per line). */
    private readonly minLength = 32 * 1024,
    periodMs = 250,
  ) {
    this.timer = setInterval(() => this.flush(), periodMs);
    // Nothing to wait for at exit: the caller flushes then (flushSync).
    this.timer.unref();
  }

  /**
   * pino's stream interface. Warnings, errors and fatal lines (pino's JSON starts
   * `{"level":40`, 50 or 60) are handed on at once, with everything before them:
   * they are rare, and whoever watches the log (or reads it after a crash) needs them
   * now, not at the next batch.
   */
  write(line: string): boolean {
    this.pending += line;
    if (this.pending.length >= this.minLength || isUrgent(line)) this.flush();
    return true;
  }

  /** Hands what is gathered to the destination (pino's logger.flush(cb) calls this with a callback). */
  flush(cb?: (err?: Error) => void): void {
    if (this.pending.length > 0) {
      const data = this.pending;
      this.pending = '';
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
