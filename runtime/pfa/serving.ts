// A generated PFA module as the server sees it: a record model (like PMML modules,
// runtime/server/records.ts), so every protocol (OIP, /invocations, batch jobs) serves
// PFA without code of its own.
//
// Fields: a record input is served field by field (one OIP tensor or instance key per
// field); any other input type is one field "input". A map or fold engine's record output
// gives one output field per record field; otherwise (and always for emit engines, whose
// result per input is the list of emitted values) one field "output". Values use the JSON
// encoding of the PFA conformance suite (tagged unions {"double": 3.5}, "nan"/"inf",
// Base64 bytes), the same as the module's fromJson/toJson. A field of a structured type
// (array, map, record, union) may also be sent as JSON text: OIP BYTES tensors carry
// strings. Longs beyond ±2^53 are decimal strings both ways (JSON numbers cannot hold them).
//
// State: the server holds one engine per loaded model version (its own, made with
// createEngine and begun when first used; `log` messages go to stderr); cells and pools persist across requests and a fold
// engine's tally accumulates over every record the version scores, in arrival order
// (Node runs one request at a time, so actions never interleave). `end` is never called.
// A record whose action raises a PFA error gets `$error` ("PFA error CODE: message")
// and the engine goes on, with rollback cells restored; an input that does not match the
// input type is the client's mistake (400 for the whole request).

import { serverError } from '../server/errors.js';
import { parseTypes } from './engine.js';
import type { PfaType } from './types.js';

type Row = Record<string, unknown>;

/**
 * A PFA runtime error thrown by the module. By name, not instanceof: the module carries its
 * own copy of the runtime, so its PfaError class is not the server bundle's.
 */
function pfaError(e: unknown): (Error & { code?: number }) | null {
  return e instanceof Error && e.name === 'PfaError' ? e : null;
}

/** What the server needs from a generated PFA module (generators/module/emit-pfa.ts). */
export interface PfaModule {
  readonly metadata: {
    readonly name: string;
    readonly version: string;
    readonly format: string;
    readonly method?: string;
    readonly source?: { readonly file: string; readonly sha256: string };
    readonly inputs: readonly { readonly name: string; readonly avro?: unknown }[];
    readonly outputs: readonly { readonly name: string; readonly avro?: unknown }[];
  };
  readonly predict: (input: unknown) => unknown;
  /** Absent in modules generated before `options.log` existed: the server then uses predict (its log goes to the console). */
  readonly createEngine?: (options?: { log?: (message: string) => void }) => { begin(): void; action(input: unknown): unknown };
  readonly fromJson: (value: unknown) => unknown;
  readonly toJson: (value: unknown) => unknown;
}

/** A field as a record model declares it: PMML-like scalar types, `json` for structured values. */
export interface ServedField {
  readonly name: string;
  readonly type: 'string' | 'boolean' | 'integer' | 'double' | 'json';
  readonly shape: null;
  /** The field's Avro type (JSON). */
  readonly avro: unknown;
}

export interface ServedPfaModule {
  readonly metadata: {
    readonly name: string;
    readonly version: string;
    readonly format: string;
    readonly method: string;
    /** True when the input is not a record: one field "input", and an /invocations instance is the value itself. */
    readonly wholeInput: boolean;
    readonly source?: { readonly file: string; readonly sha256: string };
    readonly inputs: readonly ServedField[];
    readonly outputs: readonly ServedField[];
  };
  readonly predict: (record: Row) => Row;
  readonly predictBatch: (records: Row[]) => Row[];
}

function servedType(t: PfaType): ServedField['type'] {
  switch (t.kind) {
    case 'string': case 'enum': case 'bytes': case 'fixed': return 'string';
    case 'boolean': return 'boolean';
    case 'int': case 'long': return 'integer';
    case 'float': case 'double': return 'double';
    default: return 'json';
  }
}

/** Types whose JSON encoding is an object or array: a string stands for their JSON text. */
function structured(t: PfaType): boolean {
  return t.kind === 'array' || t.kind === 'map' || t.kind === 'record' || t.kind === 'union';
}

interface Layout {
  readonly fields: readonly ServedField[];
  /** Record types are served field by field; other types as one field. */
  readonly types: readonly PfaType[];
  readonly record: boolean;
}

function layout(t: PfaType, avro: unknown, single: string, split: boolean): Layout {
  if (split && t.kind === 'record') {
    const avroFields = (avro as { fields?: { type: unknown }[] }).fields ?? [];
    return {
      record: true,
      types: t.fields.map((f) => f.type),
      fields: t.fields.map((f, i) => ({ name: f.name, type: servedType(f.type), shape: null, avro: avroFields[i]?.type ?? null })),
    };
  }
  return { record: false, types: [t], fields: [{ name: single, type: servedType(t), shape: null, avro }] };
}

/** The metadata a PFA module is served with (also used to describe it in openapi.json). */
export function servedPfaMetadata(md: PfaModule['metadata']): ServedPfaModule['metadata'] {
  return describe(md).metadata;
}

function describe(md: PfaModule['metadata']): { metadata: ServedPfaModule['metadata']; input: Layout; output: Layout; emit: boolean } {
  const inAvro = md.inputs[0]?.avro;
  const outAvro = md.outputs[0]?.avro;
  if (inAvro === undefined || outAvro === undefined) throw new Error(`PFA module ${md.name}: metadata lacks the Avro input/output types`);
  // Parsed together: the output may refer to named types the input defines.
  const [inType, outType] = parseTypes([inAvro, outAvro]);
  const method = md.method ?? 'map';
  const emit = method === 'emit';
  const input = layout(inType, inAvro, 'input', true);
  const output = layout(outType, outAvro, 'output', !emit);
  const metadata = {
    name: md.name, version: md.version, format: md.format, method, wholeInput: !input.record,
    ...(md.source !== undefined ? { source: md.source } : {}),
    inputs: input.fields, outputs: output.fields,
  };
  return { metadata, input, output, emit };
}

/** A generated PFA module wrapped as a record model. */
export function servePfaModule(m: PfaModule): ServedPfaModule {
  const { metadata, input, output, emit } = describe(m.metadata);

  const fieldValue = (r: Row, i: number): unknown => {
    const f = input.fields[i];
    const v = Object.hasOwn(r, f.name) ? r[f.name] : undefined;
    if (v === undefined || v === null) {
      const t = input.types[i];
      if (t.kind === 'null' || (t.kind === 'union' && t.types.some((x) => x.kind === 'null'))) return null;
      return serverError('MLS_ERR_BAD_INPUT', `input field "${f.name}" is missing; its type ${JSON.stringify(f.avro)} has no null`);
    }
    if (typeof v === 'string' && structured(input.types[i])) {
      try {
        return JSON.parse(v) as unknown;
      } catch {
        return serverError('MLS_ERR_BAD_INPUT', `input field "${f.name}": a text value of type ${JSON.stringify(f.avro)} must be JSON (unions tagged as {"type": value})`);
      }
    }
    return v;
  };

  const decode = (r: Row): unknown => {
    let json: unknown;
    if (input.record) {
      const o: Row = {};
      input.fields.forEach((f, i) => { o[f.name] = fieldValue(r, i); });
      json = o;
    } else {
      json = fieldValue(r, 0);
    }
    try {
      return m.fromJson(json);
    } catch (e) {
      if (pfaError(e) !== null) return serverError('MLS_ERR_BAD_INPUT', `the input does not match the engine's input type: ${(e as Error).message}`);
      throw e;
    }
  };

  const encode = (result: unknown): Row => {
    if (emit) return { [output.fields[0].name]: (result as unknown[]).map((v) => jsonSafe(m.toJson(v))) };
    const json = jsonSafe(m.toJson(result));
    if (!output.record) return { [output.fields[0].name]: json };
    const o = json as Row;
    const r: Row = {};
    for (const f of output.fields) r[f.name] = o[f.name];
    return r;
  };

  // The version's engine, begun on first use. The document's `log` messages go to stderr:
  // stdout carries the server's JSON log lines, which a raw message would break.
  let engine: { action(input: unknown): unknown } | null = null;
  const createEngine = m.createEngine;
  const act = createEngine === undefined ? (v: unknown) => m.predict(v) : (v: unknown) => {
    if (engine === null) {
      const e = createEngine({ log: (message) => { process.stderr.write(`PFA log (${m.metadata.name}): ${message}\n`); } });
      e.begin();
      engine = e;
    }
    return engine.action(v);
  };

  /** One action: its encoded result, or `$error` when it raised a PFA error (the engine goes on). */
  const score = (value: unknown): Row => {
    try {
      return encode(act(value));
    } catch (e) {
      const err = pfaError(e);
      if (err === null) throw e;
      return { $error: err.code === undefined ? `PFA error: ${err.message}` : `PFA error ${err.code}: ${err.message}` };
    }
  };

  return {
    metadata,
    predict: (record) => score(decode(record)),
    // Decode every record first: a bad one refuses the request before any action changes state.
    predictBatch: (records) => records.map(decode).map(score),
  };
}

/**
 * An encoded value the server can serialise: longs beyond 2^53 (BigInt) become decimal
 * strings, the server's convention for 64-bit integers that JSON numbers cannot hold
 * exactly (fromJson takes such strings back for long fields).
 */
function jsonSafe(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (Array.isArray(v)) return v.some((x) => typeof x === 'bigint' || (typeof x === 'object' && x !== null)) ? v.map(jsonSafe) : v;
  if (typeof v === 'object' && v !== null) {
    const o: Row = {};
    for (const [k, x] of Object.entries(v)) Object.defineProperty(o, k, { value: jsonSafe(x), enumerable: true, writable: true, configurable: true });
    return o;
  }
  return v;
}

/** Whether a loaded module is a generated PFA module. */
export function isPfaModule(m: { readonly metadata?: { readonly format?: string } }): m is PfaModule {
  return m.metadata?.format === 'pfa' && typeof (m as Partial<PfaModule>).fromJson === 'function' && typeof (m as Partial<PfaModule>).toJson === 'function';
}
