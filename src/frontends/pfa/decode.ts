// PFA document bytes → a JSON-like tree. JSON is parsed by a small parser of our own
// because PFA gives number syntax meaning: `2` is an int literal, `2.0` a double, and
// JSON.parse cannot tell them apart. Numbers written with a fraction or an exponent
// come back as FloatLiteral boxes; every other value is plain JSON. YAML documents
// (the `yaml` package) get the same treatment from their scalars' source text.

import { parseDocument, isMap, isScalar, isSeq, type Node as YamlNode } from 'yaml';
import { fail } from '../../diagnostics/diagnostic.js';

/** A number written with a fraction or exponent (a double literal in expression position). */
export class FloatLiteral {
  constructor(readonly value: number) {}
}

export type PfaJson = null | boolean | number | string | FloatLiteral | PfaJson[] | { [k: string]: PfaJson };

/** Plain JSON (FloatLiteral unboxed), for Avro schemas and typed literal values. */
export function plainJson(v: PfaJson): unknown {
  if (v instanceof FloatLiteral) return v.value;
  if (Array.isArray(v)) return v.map(plainJson);
  if (v !== null && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) Object.defineProperty(o, k, { value: plainJson(x), enumerable: true, writable: true, configurable: true });
    return o;
  }
  return v;
}

export function decodePfa(bytes: Uint8Array): PfaJson {
  const text = new TextDecoder('utf-8').decode(bytes).replace(/^\uFEFF/, '');
  const start = text.trimStart()[0];
  if (start === '{') return parseJson(text);
  return parseYaml(text);
}

function parseYaml(text: string): PfaJson {
  const doc = parseDocument(text, { keepSourceTokens: true, uniqueKeys: true });
  if (doc.errors.length > 0) fail('MLC1201', `the document is neither valid JSON nor valid YAML: ${doc.errors[0].message}`);
  const convert = (n: unknown): PfaJson => {
    if (n === null || n === undefined) return null;
    if (isMap(n)) {
      const o: Record<string, PfaJson> = {};
      for (const item of n.items) {
        const key = isScalar(item.key) ? String(item.key.value) : String(item.key);
        Object.defineProperty(o, key, { value: convert(item.value), enumerable: true, writable: true, configurable: true });
      }
      return o;
    }
    if (isSeq(n)) return n.items.map(convert);
    if (isScalar(n)) {
      const v = n.value;
      if (typeof v === 'number') {
        const src = (n as YamlNode & { srcToken?: { source?: string } }).srcToken?.source ?? String(v);
        return /[.eE]/.test(src) || !Number.isFinite(v) ? new FloatLiteral(v) : v;
      }
      if (typeof v === 'string' || typeof v === 'boolean' || v === null) return v;
      return String(v);
    }
    return null;
  };
  return convert(doc.contents);
}

/** A strict JSON parser that keeps the int/float distinction and refuses duplicate keys. */
export function parseJson(text: string): PfaJson {
  let i = 0;
  const err = (msg: string): never => {
    const line = text.slice(0, i).split('\n').length;
    return fail('MLC1201', `the document is not valid JSON: ${msg} (line ${line})`);
  };
  const ws = (): void => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const value = (depth: number): PfaJson => {
    if (depth > 10000) err('nesting is too deep');
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const o: Record<string, PfaJson> = {};
      ws();
      if (text[i] === '}') { i++; return o; }
      for (;;) {
        ws();
        if (text[i] !== '"') err('expected a string key');
        const k = str();
        if (Object.hasOwn(o, k)) err(`the key ${JSON.stringify(k)} appears twice in one object`);
        ws();
        if (text[i] !== ':') err('expected ":"');
        i++;
        Object.defineProperty(o, k, { value: value(depth + 1), enumerable: true, writable: true, configurable: true });
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === '}') { i++; return o; }
        err('expected "," or "}"');
      }
    }
    if (c === '[') {
      i++;
      const a: PfaJson[] = [];
      ws();
      if (text[i] === ']') { i++; return a; }
      for (;;) {
        a.push(value(depth + 1));
        ws();
        if (text[i] === ',') { i++; continue; }
        if (text[i] === ']') { i++; return a; }
        err('expected "," or "]"');
      }
    }
    if (c === '"') return str();
    if (text.startsWith('true', i)) { i += 4; return true; }
    if (text.startsWith('false', i)) { i += 5; return false; }
    if (text.startsWith('null', i)) { i += 4; return null; }
    const m = /^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
    if (m === null) return err(`unexpected ${JSON.stringify(text.slice(i, i + 10))}`);
    i += m[0].length;
    const v = Number(m[0]);
    return m[2] !== undefined || m[3] !== undefined ? new FloatLiteral(v) : v;
  };
  const str = (): string => {
    const start = i;
    i++;
    while (i < text.length && text[i] !== '"') {
      if (text[i] === '\\') i++;
      i++;
    }
    if (i >= text.length) err('unterminated string');
    i++;
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      return err('bad string escape');
    }
  };
  const v = value(0);
  ws();
  if (i < text.length) err('extra text after the document');
  return v;
}
