// CodeWriter: lines, indentation and safe literals. It knows nothing about the IR.
// Strings from a model reach generated code only through `str`, `ident` and
// `comment`: names are data and can never become code.

const RESERVED = new Set(
  ('break case catch class const continue debugger default delete do else enum export extends false finally for function if ' +
    'import in instanceof new null return super switch this throw true try typeof var void while with yield let static ' +
    'implements interface package private protected public await arguments eval undefined NaN Infinity globalThis ' +
    'Object Array Math Number String Boolean Symbol Error Map Set JSON BigInt Promise Date RegExp Reflect Proxy ' +
    'Float32Array Float64Array Int8Array Uint8Array Int16Array Uint16Array Int32Array Uint32Array BigInt64Array BigUint64Array ' +
    'module exports require process window self constructor prototype __proto__ any unknown never number string boolean object type as')
    .split(' '),
);

export class CodeWriter {
  private readonly lines: string[] = [];
  private depth = 0;
  private readonly used = new Set<string>(RESERVED);

  line(text = ''): this {
    this.lines.push(text === '' ? '' : '  '.repeat(this.depth) + text);
    return this;
  }

  /** Writes `head {`, the body, then `}` (plus an optional suffix such as `;`). */
  block(head: string, body: () => void, tail = '}'): this {
    this.line(`${head} {`);
    this.depth++;
    body();
    this.depth--;
    this.line(tail);
    return this;
  }

  /** Reserves names the generated code imports or declares itself. */
  reserve(...names: string[]): void {
    for (const n of names) this.used.add(n);
  }

  /**
   * A fresh identifier derived from arbitrary text: invalid characters become `_`,
   * a leading digit or reserved word gets a prefix, repeats get a numeric suffix
   * (first-seen order, so output is deterministic).
   */
  ident(text: string, prefix = 'v'): string {
    let base = text.replace(/[^A-Za-z0-9_]/g, '_').replace(/_+/g, '_');
    if (base === '' || base === '_') base = prefix;
    if (/^[0-9]/.test(base)) base = `${prefix}_${base}`;
    if (base.length > 48) base = base.slice(0, 48);
    let name = base;
    for (let k = 2; this.used.has(name); k++) name = `${base}_${k}`;
    this.used.add(name);
    return name;
  }

  toString(): string {
    return this.lines.join('\n') + '\n';
  }
}

/** A string literal: JSON escaping plus U+2028/2029, which older engines reject in source. */
export function str(value: string): string {
  return JSON.stringify(value).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A one-line comment body: no newlines, no comment terminators. */
export function comment(text: string): string {
  return text.replace(/[\r\n\u2028\u2029]+/g, ' ').replace(/\*\//g, '* /').slice(0, 200);
}

/**
 * A number literal. float32 values print as the shortest decimal that rounds back
 * to the same float32 only when `exactDouble` is false; by default the exact double
 * value is printed so the generated code computes with precisely the model's number.
 */
export function num(value: number): string {
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (Object.is(value, -0)) return '-0';
  return String(value);
}

/** A JSON-like literal with exact numbers (NaN, ±Infinity, -0 included). */
export function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'number') return num(value);
  if (typeof value === 'bigint') return `${value}n`;
  if (typeof value === 'string') return str(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{ ${entries.map(([k, v]) => `${str(k)}: ${literal(v)}`).join(', ')} }`;
  }
  throw new Error(`cannot write a literal of type ${typeof value}`);
}
