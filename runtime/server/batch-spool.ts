// Output of a batch request on its way to the client: in memory up to a limit, then
// in a temporary file. The writer (the batch loop) never waits for the client, so a
// client that sends its whole body before reading the answer (Python requests,
// many HTTP libraries) cannot deadlock the exchange; one that reads as it sends gets
// the rows as they are scored. An all-or-nothing batch writes here until its last
// row, and the client reads only once every row has passed.
//
// When no temporary file can be made (a read-only file system), the writer waits
// for the reader instead: memory stays bounded either way.

import { mkdtemp, open, rm, type FileHandle } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ServerError } from './errors.js';

/** Output held in memory before it goes to a temporary file (8 MiB). */
export const SPOOL_MEMORY = 8 * 1024 * 1024;
const READ_SIZE = 256 * 1024;

interface SpoolFile {
  readonly fh: FileHandle;
  readonly dir: string;
  readPos: number;
  writePos: number;
}

export class Spool {
  private mem: Buffer[] = [];
  private memBytes = 0;
  private file: SpoolFile | null = null;
  /** New output goes to the file (it holds data the reader has not had yet, or memory is full). */
  private toFile = false;
  private writing = false;
  private noFile = false;
  private ended = false;
  private failure: Error | null = null;
  private disposed = false;
  private wakeReader: (() => void) | null = null;
  private wakeWriter: (() => void) | null = null;
  /** Bytes written so far. */
  bytes = 0;

  /**
   * `hold`: the reader starts only at the end (all-or-nothing), so a writer that
   * cannot spill to a file fails rather than waiting.
   */
  constructor(private readonly hold = false, private readonly memoryLimit = SPOOL_MEMORY) {}

  async write(text: string): Promise<void> {
    if (this.disposed || text.length === 0) return;
    const buf = Buffer.from(text, 'utf8');
    this.bytes += buf.length;
    if (!this.toFile && this.memBytes + buf.length > this.memoryLimit && !this.noFile) {
      try {
        if (this.file === null) this.file = await openSpoolFile();
        this.toFile = true;
      } catch {
        this.noFile = true;
      }
    }
    if (this.toFile && this.file !== null) {
      const f = this.file;
      this.writing = true;
      try {
        await f.fh.write(buf, 0, buf.length, f.writePos);
        f.writePos += buf.length;
      } finally {
        this.writing = false;
      }
    } else {
      if (this.noFile && this.hold && this.memBytes + buf.length > this.memoryLimit) {
        throw new ServerError('MLS_ERR_UNAVAILABLE', `the all-or-nothing output is larger than ${this.memoryLimit} bytes and no temporary file can be written in ${tmpdir()} (set TMPDIR to a writable directory)`);
      }
      while (this.noFile && this.memBytes > 0 && this.memBytes + buf.length > this.memoryLimit && !this.disposed) {
        await new Promise<void>((res) => { this.wakeWriter = res; });
      }
      this.mem.push(buf);
      this.memBytes += buf.length;
    }
    this.notify();
  }

  /** No more output. */
  end(): void {
    this.ended = true;
    this.notify();
  }

  /** The output stops with an error (the reader throws it). */
  fail(e: Error): void {
    this.failure = e;
    this.notify();
  }

  private notify(): void {
    const r = this.wakeReader;
    this.wakeReader = null;
    r?.();
  }

  /** The output in order, as it comes; the spool is disposed of when the reader stops. */
  async *chunks(): AsyncGenerator<Buffer> {
    try {
      for (;;) {
        if (this.failure !== null) throw this.failure;
        if (this.mem.length > 0) {
          const b = this.mem.shift() as Buffer;
          this.memBytes -= b.length;
          const w = this.wakeWriter;
          this.wakeWriter = null;
          w?.();
          yield b;
          continue;
        }
        const f = this.file;
        if (f !== null && f.readPos < f.writePos) {
          const n = Math.min(READ_SIZE, f.writePos - f.readPos);
          const buf = Buffer.allocUnsafe(n);
          const { bytesRead } = await f.fh.read(buf, 0, n, f.readPos);
          f.readPos += bytesRead;
          yield bytesRead === n ? buf : buf.subarray(0, bytesRead);
          continue;
        }
        if (f !== null && this.toFile && !this.writing) {
          // The reader has caught up: new output can go to memory again, and the file starts over.
          this.toFile = false;
          f.readPos = 0;
          f.writePos = 0;
        }
        if (this.ended && !this.writing) return;
        await new Promise<void>((res) => { this.wakeReader = res; });
      }
    } finally {
      await this.dispose();
    }
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    this.mem = [];
    this.memBytes = 0;
    const w = this.wakeWriter;
    this.wakeWriter = null;
    w?.();
    const f = this.file;
    this.file = null;
    if (f !== null) {
      await f.fh.close().catch(() => undefined);
      await rm(f.dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }
}

async function openSpoolFile(): Promise<SpoolFile> {
  const dir = await mkdtemp(join(tmpdir(), 'mlcompile-batch-'));
  try {
    const fh = await open(join(dir, 'output'), 'w+', 0o600);
    return { fh, dir, readPos: 0, writePos: 0 };
  } catch (e) {
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    throw e;
  }
}
