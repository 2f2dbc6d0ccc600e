// Avro schemas ↔ PfaType, and the JSON encoding of values used by the PFA
// conformance suite and the generated module's fromJson/toJson (CONTRACT §2):
// tagged unions {"TAG": value} (null untagged), "inf"/"-inf"/"nan" for float and
// double specials, Base64 for bytes and fixed.

import { PfaError, type PfaField, type PfaType } from './types.js';
import { isBigLong, newMap, unionBranch } from './values.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

export class AvroSchemaError extends Error {
  constructor(readonly path: string, detail: string) {
    super(`${path}: ${detail}`);
    this.name = 'AvroSchemaError';
  }
}

const PRIMITIVES = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'string', 'bytes']);
const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Named types seen so far (full name → type), shared across a document. */
export type NameTable = Map<string, PfaType>;

/** The JSON each named type was defined with: an identical definition met again is the same type. */
const definitions = new WeakMap<PfaType, string>();

function fullName(name: string, namespace: string | undefined, path: string): string {
  const parts = name.split('.');
  for (const p of parts) if (!NAME.test(p)) throw new AvroSchemaError(path, `${JSON.stringify(name)} is not a valid Avro name`);
  return name.includes('.') || !namespace ? name : `${namespace}.${name}`;
}

/**
 * Parses an Avro schema (JSON form). Named types are registered in `names`; a name
 * used before its definition completes (recursive records) resolves to the same object.
 */
export function parseType(json: unknown, names: NameTable, path = 'type', namespace?: string): PfaType {
  if (typeof json === 'string') {
    if (PRIMITIVES.has(json)) return { kind: json } as PfaType;
    const full = names.has(json) ? json : namespace && names.has(`${namespace}.${json}`) ? `${namespace}.${json}` : json;
    const t = names.get(full);
    if (t === undefined) throw new AvroSchemaError(path, `unknown type ${JSON.stringify(json)}`);
    return t;
  }
  if (Array.isArray(json)) {
    if (json.length === 0) throw new AvroSchemaError(path, 'a union needs at least one type');
    const types = json.map((x, i) => parseType(x, names, `${path}[${i}]`, namespace));
    for (const t of types) if (t.kind === 'union') throw new AvroSchemaError(path, 'a union cannot directly contain a union');
    const seen = new Set<string>();
    for (const t of types) {
      const key = 'name' in t ? t.name : t.kind;
      if (seen.has(key)) throw new AvroSchemaError(path, `the union has ${key} twice`);
      seen.add(key);
    }
    return { kind: 'union', types };
  }
  if (typeof json !== 'object' || json === null) throw new AvroSchemaError(path, `${JSON.stringify(json)} is not an Avro schema`);
  const o = json as Record<string, unknown>;
  const type = o.type;
  if (typeof type !== 'string') {
    if (Array.isArray(type) || (typeof type === 'object' && type !== null)) return parseType(type, names, `${path}.type`, namespace);
    throw new AvroSchemaError(path, 'the schema has no "type"');
  }
  if (PRIMITIVES.has(type)) return { kind: type } as PfaType;
  const ns = typeof o.namespace === 'string' ? o.namespace : namespace;
  switch (type) {
    case 'array': return { kind: 'array', items: parseType(o.items, names, `${path}.items`, namespace) };
    case 'map': return { kind: 'map', values: parseType(o.values, names, `${path}.values`, namespace) };
    case 'enum': case 'fixed': case 'record': case 'error': {
      if (typeof o.name !== 'string') throw new AvroSchemaError(path, `a ${type} needs a name`);
      const name = fullName(o.name, ns, path);
      const existing = names.get(name);
      if (existing !== undefined) {
        if (definitions.get(existing) === JSON.stringify(o)) return existing;
        throw new AvroSchemaError(path, `the type ${name} is defined twice, differently`);
      }
      const remember = (t: PfaType): PfaType => {
        definitions.set(t, JSON.stringify(o));
        return t;
      };
      if (type === 'enum') {
        const symbols = o.symbols;
        if (!Array.isArray(symbols) || symbols.some((s) => typeof s !== 'string' || !NAME.test(s))) throw new AvroSchemaError(path, 'enum symbols must be valid names');
        if (new Set(symbols).size !== symbols.length) throw new AvroSchemaError(path, 'enum symbols repeat');
        const t: PfaType = remember({ kind: 'enum', name, symbols: symbols as string[] });
        names.set(name, t);
        return t;
      }
      if (type === 'fixed') {
        if (typeof o.size !== 'number' || !Number.isInteger(o.size) || o.size < 0) throw new AvroSchemaError(path, 'fixed needs a non-negative integer size');
        const t: PfaType = remember({ kind: 'fixed', name, size: o.size });
        names.set(name, t);
        return t;
      }
      if (!Array.isArray(o.fields)) throw new AvroSchemaError(path, 'a record needs "fields"');
      const fields: PfaField[] = [];
      const t = { kind: 'record', name, fields } as const;
      remember(t);
      names.set(name, t);
      const recordNs = name.includes('.') ? name.slice(0, name.lastIndexOf('.')) : ns;
      const seen = new Set<string>();
      (o.fields as unknown[]).forEach((f, i) => {
        const fo = f as Record<string, unknown>;
        if (typeof fo !== 'object' || fo === null || typeof fo.name !== 'string' || !NAME.test(fo.name)) throw new AvroSchemaError(`${path}.fields[${i}]`, 'a field needs a valid name');
        if (seen.has(fo.name)) throw new AvroSchemaError(`${path}.fields[${i}]`, `field ${fo.name} repeats`);
        seen.add(fo.name);
        const ft = parseType(fo.type, names, `${path}.fields[${i}].type`, recordNs);
        fields.push('default' in fo ? { name: fo.name, type: ft, default: fo.default } : { name: fo.name, type: ft });
      });
      return t;
    }
    default: {
      const t = names.get(fullName(type, ns, path)) ?? names.get(type);
      if (t === undefined) throw new AvroSchemaError(path, `unknown type ${JSON.stringify(type)}`);
      return t;
    }
  }
}

/** The Avro JSON form of a type; each named type is written in full once, then by name. */
export function typeToJson(t: PfaType, written: Set<string> = new Set()): unknown {
  switch (t.kind) {
    case 'array': return { type: 'array', items: typeToJson(t.items, written) };
    case 'map': return { type: 'map', values: typeToJson(t.values, written) };
    case 'union': return t.types.map((x) => typeToJson(x, written));
    case 'enum': case 'fixed': case 'record': {
      if (written.has(t.name)) return t.name;
      written.add(t.name);
      if (t.kind === 'enum') return { type: 'enum', name: t.name, symbols: t.symbols };
      if (t.kind === 'fixed') return { type: 'fixed', name: t.name, size: t.size };
      return { type: 'record', name: t.name, fields: t.fields.map((f) => ({ name: f.name, type: typeToJson(f.type, written) })) };
    }
    case 'function': return { type: 'function', params: t.params.map((p) => typeToJson(p, written)), ret: typeToJson(t.ret, written) };
    default: return t.kind;
  }
}

/** The type's display name: Avro's name for named types, the kind otherwise (union tags). */
export function tagOf(t: PfaType): string {
  return 'name' in t ? t.name : t.kind;
}

function invalid(path: string, what: string): never {
  throw new PfaError(undefined, `${path}: ${what}`);
}

function base64ToBytes(s: string): Uint8Array {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function latin1ToBytes(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

function bytesToBase64(b: Uint8Array): string {
  let bin = '';
  for (let i = 0; i < b.length; i++) bin += String.fromCharCode(b[i]);
  return btoa(bin);
}

function number(v: unknown, path: string): number {
  if (typeof v === 'number') return v;
  // An integer beyond 2^53 read exactly (parseJsonExact) where a float or double is expected.
  if (typeof v === 'bigint') return Number(v);
  if (v === 'inf' || v === 'Infinity') return Infinity;
  if (v === '-inf' || v === '-Infinity') return -Infinity;
  if (v === 'nan' || v === 'NaN') return NaN;
  return invalid(path, `${JSON.stringify(v)} is not a number`);
}

/**
 * A JSON-encoded value of type t → the in-memory value; throws PfaError on a mismatch.
 * `avroBytes`: bytes and fixed are Avro JSON strings (one character per byte, as in a PFA
 * document's literals and cell initialisers) rather than Base64 (the conformance encoding).
 */
export function fromJson(v: unknown, t: PfaType, path = 'input', avroBytes = false): unknown {
  switch (t.kind) {
    case 'null': if (v !== null) invalid(path, 'expected null'); return null;
    case 'boolean': if (typeof v !== 'boolean') invalid(path, 'expected a boolean'); return v;
    case 'int': {
      if (typeof v !== 'number' || !Number.isInteger(v)) invalid(path, 'expected an int');
      if (v < -2147483648 || v > 2147483647) invalid(path, 'int out of range');
      return v;
    }
    case 'long': {
      // Exact: a BigInt (parseJsonExact gives them for integers beyond 2^53), a safe integer,
      // or a decimal string (how clients whose JSON parser has no 64-bit integers send one).
      let b: bigint;
      if (typeof v === 'bigint') b = v;
      else if (typeof v === 'number' && Number.isInteger(v)) b = BigInt(v);
      else if (typeof v === 'string' && /^-?\d{1,20}$/.test(v)) b = BigInt(v);
      else return invalid(path, 'expected a long');
      if (!isBigLong(b)) invalid(path, 'long out of range');
      return b;
    }
    case 'float': return Math.fround(number(v, path));
    case 'double': return number(v, path);
    case 'string': if (typeof v !== 'string') invalid(path, 'expected a string'); return v;
    case 'enum': if (typeof v !== 'string' || !t.symbols.includes(v)) invalid(path, `expected one of ${t.symbols.join(', ')}`); return v;
    case 'bytes': case 'fixed': {
      if (typeof v !== 'string') invalid(path, 'expected Base64 bytes');
      const b = avroBytes ? latin1ToBytes(v) : base64ToBytes(v);
      if (t.kind === 'fixed' && b.length !== t.size) invalid(path, `expected ${t.size} bytes`);
      return b;
    }
    case 'array': if (!Array.isArray(v)) invalid(path, 'expected an array'); return v.map((x, i) => fromJson(x, t.items, `${path}[${i}]`, avroBytes));
    case 'map': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) invalid(path, 'expected a map (object)');
      const m = newMap();
      for (const k of Object.keys(v)) m[k] = fromJson((v as Record<string, unknown>)[k], t.values, `${path}.${k}`, avroBytes);
      return m;
    }
    case 'record': {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) invalid(path, `expected a ${t.name} record (object)`);
      const o = v as Record<string, unknown>, r = newMap();
      for (const f of t.fields) {
        if (Object.hasOwn(o, f.name)) r[f.name] = fromJson(o[f.name], f.type, `${path}.${f.name}`, avroBytes);
        else if (f.default !== undefined) r[f.name] = fromJson(f.default, f.type, `${path}.${f.name}`, avroBytes);
        else invalid(path, `the record has no field ${f.name}`);
      }
      return r;
    }
    case 'union': {
      if (v === null) {
        if (!t.types.some((x) => x.kind === 'null')) invalid(path, 'null is not a branch of the union');
        return null;
      }
      if (typeof v === 'object' && !Array.isArray(v)) {
        const keys = Object.keys(v as object);
        if (keys.length === 1) {
          const branch = t.types.find((x) => tagOf(x) === keys[0] || ('name' in x && x.name.endsWith(`.${keys[0]}`)));
          if (branch !== undefined) return fromJson((v as Record<string, unknown>)[keys[0]], branch, `${path}.${keys[0]}`, avroBytes);
        }
      }
      return invalid(path, `expected a tagged union value {"TYPE": value} for one of ${t.types.map(tagOf).join(', ')}`);
    }
    case 'function': return invalid(path, 'functions have no JSON form');
  }
}

function encodeNumber(x: number): unknown {
  if (Number.isNaN(x)) return 'nan';
  if (x === Infinity) return 'inf';
  if (x === -Infinity) return '-inf';
  return x;
}

/** An in-memory value of type t → its JSON encoding. */
export function toJson(v: unknown, t: PfaType): unknown {
  switch (t.kind) {
    // A number when exact, else the BigInt (JSON writers print it as digits or a string).
    case 'long': return typeof v === 'bigint' && v >= -MAX_SAFE && v <= MAX_SAFE ? Number(v) : v;
    case 'float': case 'double': return encodeNumber(v as number);
    case 'bytes': case 'fixed': return bytesToBase64(v as Uint8Array);
    case 'array': return (v as unknown[]).map((x) => toJson(x, t.items));
    case 'map': {
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(v as object)) Object.defineProperty(o, k, { value: toJson((v as Record<string, unknown>)[k], t.values), enumerable: true, writable: true, configurable: true });
      return o;
    }
    case 'record': {
      const o: Record<string, unknown> = {};
      for (const f of t.fields) Object.defineProperty(o, f.name, { value: toJson((v as Record<string, unknown>)[f.name], f.type), enumerable: true, writable: true, configurable: true });
      return o;
    }
    case 'union': {
      if (v === null) return null;
      const i = unionBranch(t.types, v);
      if (i < 0) return v;
      const b = t.types[i];
      if (b.kind === 'null') return null;
      return { [tagOf(b)]: toJson(v, b) };
    }
    default: return v;
  }
}

/** Integer tokens beyond ±2^53 in JSON text (outside strings), which JSON.parse would round. */
const BIG_INTEGER = /"(?:[^"\\]|\\.)*"|(?<![\w.+-])-?\d{16,}(?![\d.eE])/g;
const BIG_MARK = '\u0000bigint:';

/**
 * JSON.parse, except that integers beyond ±2^53 come back as BigInt (exact), so that
 * long values in the PFA JSON encoding survive parsing (fromJson takes BigInts for longs).
 */
export function parseJsonExact(text: string): unknown {
  let found = false;
  const marked = text.replace(BIG_INTEGER, (m) => {
    if (m.startsWith('"')) return m;
    if (Number.isSafeInteger(Number(m))) return m;
    found = true;
    return `"\\u0000bigint:${m}"`;
  });
  if (!found) return JSON.parse(text) as unknown;
  return JSON.parse(marked, (_k, v: unknown) => (typeof v === 'string' && v.startsWith(BIG_MARK) ? BigInt(v.slice(BIG_MARK.length)) : v)) as unknown;
}

/** JSON.stringify for encoded PFA values: a BigInt (a long beyond 2^53) is written as its exact digits. */
export function stringifyJsonExact(v: unknown): string {
  let found = false;
  const text = JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x !== 'bigint') return x;
    found = true;
    return `${BIG_MARK}${x.toString()}`;
  });
  return found ? text.replace(/"\\u0000bigint:(-?\d+)"/g, '$1') : text;
}
