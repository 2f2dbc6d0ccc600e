// Batch input as records, read from a byte stream in constant memory: JSON Lines
// split at newlines, CSV at newlines outside quoted fields (RFC 4180: a quoted field
// may hold commas, "" and line breaks). Every record carries the byte offset where
// the next one starts, which is what a checkpoint stores to resume without losing
// or repeating a row. Splitting works on bytes: '"', ',' and '\n' are ASCII, and no
// byte of a multi-byte UTF-8 character is below 0x80, so a record's bytes are
// decoded only once it is complete.

/** Longest record kept (32 MiB); a longer one becomes a failed row, and reading goes on. */
export const MAX_RECORD_BYTES = 32 * 1024 * 1024;

export interface RawRecord {
  /** The record without its line terminator (CRLF or LF); '' when it was too long. */
  readonly text: string;
  /** Byte offset just past the terminator: where the next record starts. */
  readonly end: number;
  /** 1-based line number of the record's first line. */
  readonly line: number;
  /** Lines the record spans (more than 1 for a CSV record with quoted line breaks). */
  readonly lines: number;
  /** The record was longer than the limit (its text is dropped). */
  readonly tooLong: boolean;
}

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/**
 * Splits a byte stream into records. `push` each chunk, then `end`; both return the
 * records completed so far. `offset` and `line` are where the stream starts in the
 * file (a resumed read starts mid-file).
 */
export class RecordSplitter {
  private parts: Buffer[] = [];
  private size = 0;
  private tooLong = false;
  private quoted = false;
  private pos: number;
  private line: number;
  private first: boolean;

  constructor(
    private readonly csv: boolean,
    offset = 0,
    line = 1,
    private readonly maxBytes = MAX_RECORD_BYTES,
  ) {
    this.pos = offset;
    this.line = line;
    this.first = offset === 0;
  }

  /** Bytes consumed so far (the offset after the last byte pushed). */
  get offset(): number {
    return this.pos;
  }

  push(chunk: Buffer): RawRecord[] {
    const out: RawRecord[] = [];
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      const nl = this.csv ? this.csvEnd(chunk, i) : chunk.indexOf(LF, i);
      if (nl < 0) {
        this.append(chunk.subarray(i));
        this.pos += n - i;
        break;
      }
      this.append(chunk.subarray(i, nl));
      this.pos += nl + 1 - i;
      out.push(this.emit());
      i = nl + 1;
    }
    return out;
  }

  /** The last record, when the stream does not end with a newline. */
  end(): RawRecord[] {
    if (this.size === 0 && !this.tooLong && this.parts.length === 0) return [];
    return [this.emit()];
  }

  /** Index of the newline ending the record in `chunk` from `i`, tracking quotes; -1 if none. */
  private csvEnd(chunk: Buffer, i: number): number {
    let j = i;
    for (;;) {
      if (this.quoted) {
        const q = chunk.indexOf(QUOTE, j);
        if (q < 0) return -1;
        this.quoted = false;
        j = q + 1;
        continue;
      }
      const nl = chunk.indexOf(LF, j);
      const q = chunk.indexOf(QUOTE, j);
      if (nl >= 0 && (q < 0 || nl < q)) return nl;
      if (q < 0) return -1;
      this.quoted = true;
      j = q + 1;
    }
  }

  private append(piece: Buffer): void {
    if (piece.length === 0) return;
    if (this.tooLong) return;
    if (this.size + piece.length > this.maxBytes) {
      this.tooLong = true;
      this.parts = [];
      this.size = 0;
      return;
    }
    this.parts.push(piece);
    this.size += piece.length;
  }

  private emit(): RawRecord {
    let text = '';
    if (!this.tooLong) {
      const bytes = this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.size);
      let end = bytes.length;
      if (end > 0 && bytes[end - 1] === CR) end--;
      text = bytes.toString('utf8', 0, end);
      if (this.first && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let lines = 1;
    if (this.csv && !this.tooLong) for (let k = text.indexOf('\n'); k >= 0; k = text.indexOf('\n', k + 1)) lines++;
    const rec: RawRecord = { text, end: this.pos, line: this.line, lines, tooLong: this.tooLong };
    this.line += lines;
    this.parts = [];
    this.size = 0;
    this.tooLong = false;
    this.quoted = false;
    this.first = false;
    return rec;
  }
}

/** Cells of one CSV record (RFC 4180); undefined when a quoted field is not closed. */
export function parseCsvCells(text: string): string[] | undefined {
  const cells: string[] = [];
  const n = text.length;
  let i = 0;
  for (;;) {
    if (text.charCodeAt(i) === QUOTE) {
      let value = '';
      let from = ++i;
      for (;;) {
        const q = text.indexOf('"', i);
        if (q < 0) return undefined;
        if (text.charCodeAt(q + 1) === QUOTE) {
          value += text.slice(from, q + 1);
          i = from = q + 2;
          continue;
        }
        value += text.slice(from, q);
        i = q + 1;
        break;
      }
      // Text between the closing quote and the next comma is kept as it is.
      const comma = text.indexOf(',', i);
      cells.push(value + text.slice(i, comma < 0 ? n : comma));
      if (comma < 0) return cells;
      i = comma + 1;
    } else {
      const comma = text.indexOf(',', i);
      cells.push(text.slice(i, comma < 0 ? n : comma));
      if (comma < 0) return cells;
      i = comma + 1;
    }
  }
}

const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** One CSV cell: quoted when it holds a comma, quote or line break, or begins or ends with a space. */
export function csvCell(s: string): string {
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
