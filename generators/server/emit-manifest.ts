// models/<name>/<version>/manifest.json: what a model version is and accepts, as
// data: its metadata, the protocols' view of each input and output, and JSON
// Schemas of the JSON the server takes and gives for it. openapi.json and the
// directory's README are built from the manifests; the server itself needs only
// model.mjs.

import { createHash } from 'node:crypto';
import { describePort, isRecordModel, platformOf, type FieldSpec, type Port } from '../../runtime/server/models-repository.js';
import { describeRecordPort } from '../../runtime/server/records.js';

export const MANIFEST_VERSION = 1;

export interface ManifestPort extends FieldSpec {
  /** Open Inference Protocol datatype. */
  readonly datatype: string;
  /** Open Inference Protocol shape (-1: any size). */
  readonly oipShape: readonly number[];
}

export type JsonSchema = Readonly<Record<string, unknown>>;

export interface ModelManifest {
  readonly manifestVersion: number;
  readonly name: string;
  readonly version: string;
  readonly format: string;
  readonly platform: string;
  readonly source: { readonly file: string; readonly sha256: string };
  readonly compiler: { readonly name: string; readonly version: string };
  /** sha256 of each file of the version directory written by the compiler (runtime sources excepted). */
  readonly files: Readonly<Record<string, string>>;
  readonly inputs: readonly ManifestPort[];
  readonly outputs: readonly ManifestPort[];
  readonly schemas: {
    /** The module's feeds as JSON (CONTRACT §2 tensors with plain-array data). */
    readonly input: JsonSchema;
    /** The module's results as JSON. */
    readonly output: JsonSchema;
    /** POST /v2/models/<name>/versions/<version>/infer request body. */
    readonly inferenceRequest: JsonSchema;
    /** Its 200 response body. */
    readonly inferenceResponse: JsonSchema;
    /** One entry of {"instances": [...]} for POST /invocations. */
    readonly instance: JsonSchema;
    /** One entry of the {"predictions": [...]} answer. */
    readonly prediction: JsonSchema;
  };
}

export interface ManifestInput {
  readonly name: string;
  readonly version: string;
  readonly metadata: {
    readonly format: string;
    readonly source: { readonly file: string; readonly sha256: string };
    readonly compiler: { readonly name: string; readonly version: string };
    readonly inputs: readonly FieldSpec[];
    readonly outputs: readonly FieldSpec[];
  };
  /** The files written into the version directory, by name. */
  readonly files: Readonly<Record<string, string>>;
}

const INT_BOUNDS: Readonly<Record<string, readonly [number, number]>> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535],
  int32: [-2147483648, 2147483647], uint32: [0, 4294967295],
};

const INTEGER_TYPES = new Set(['int4', 'uint4', 'int2', 'uint2']);

/** JSON Schema of one element of a tensor of `dtype`, as the server reads it. */
export function elementSchema(dtype: string): JsonSchema {
  if (dtype === 'string') return { type: 'string' };
  if (dtype === 'bool') return { anyOf: [{ type: 'boolean' }, { enum: [0, 1] }] };
  if (dtype === 'int64' || dtype === 'uint64') return { anyOf: [{ type: 'integer' }, { type: 'string', pattern: dtype === 'int64' ? '^[+-]?[0-9]+$' : '^[+]?[0-9]+$' }] };
  const b = INT_BOUNDS[dtype];
  if (b !== undefined) return { type: 'integer', minimum: b[0], maximum: b[1] };
  if (INTEGER_TYPES.has(dtype)) return { type: 'integer' };
  // float32, float64, float16, bfloat16, float8...: JSON numbers, or what JSON cannot spell.
  return { anyOf: [{ type: 'number' }, { type: 'null' }, { enum: ['NaN', 'Infinity', '-Infinity'] }] };
}

/** Elements as the server writes them in responses. */
function outputElementSchema(dtype: string): JsonSchema {
  if (dtype === 'string') return { type: 'string' };
  if (dtype === 'bool') return { type: 'boolean' };
  if (INT_BOUNDS[dtype] !== undefined || INTEGER_TYPES.has(dtype) || dtype === 'int64' || dtype === 'uint64') return { type: 'integer' };
  return { type: ['number', 'null'] };
}

function dimSchema(d: number | string | null): JsonSchema {
  return typeof d === 'number' ? { const: d } : { type: 'integer', minimum: 0, ...(typeof d === 'string' ? { description: `symbolic dimension "${d}"` } : {}) };
}

function shapeSchema(shape: readonly (number | string | null)[] | null): JsonSchema {
  if (shape === null) return { type: 'array', items: { type: 'integer', minimum: 0 } };
  return { type: 'array', prefixItems: shape.map(dimSchema), minItems: shape.length, maxItems: shape.length, items: false };
}

/** Arrays nested like `shape` around `elem` (`elem` itself for rank 0). */
export function nestedSchema(shape: readonly (number | string | null)[], elem: JsonSchema): JsonSchema {
  let s = elem;
  for (let i = shape.length - 1; i >= 0; i--) {
    const d = shape[i];
    s = typeof d === 'number' ? { type: 'array', items: s, minItems: d, maxItems: d } : { type: 'array', items: s };
  }
  return s;
}

/** Tensor data: row-major, flat or nested like the shape. */
function dataSchema(shape: readonly (number | string | null)[] | null, elem: JsonSchema): JsonSchema {
  const flat = { type: 'array', items: elem };
  if (shape === null || shape.length <= 1) return flat;
  return { anyOf: [flat, nestedSchema(shape, elem)] };
}

function isTensor(p: Port): boolean {
  return p.dtype !== null;
}

function moduleTensorSchema(f: FieldSpec, p: Port): JsonSchema {
  if (!isTensor(p)) return { description: `a value of type ${f.type}` };
  return {
    type: 'object',
    properties: { type: { const: f.type }, dims: shapeSchema(f.shape), data: dataSchema(null, elementSchema(f.type)) },
    required: ['type', 'dims', 'data'],
  };
}

function objectOf(fields: readonly FieldSpec[], ports: readonly Port[], schema: (f: FieldSpec, p: Port) => JsonSchema, requireAll: boolean): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  fields.forEach((f, i) => {
    properties[f.name] = schema(f, ports[i]);
  });
  const required = requireAll ? fields.filter((_, i) => isTensor(ports[i])).map((f) => f.name) : [];
  return { type: 'object', properties, required, additionalProperties: false };
}

const JSON_TEXT: JsonSchema = { type: 'string', contentMediaType: 'application/json' };

function oipInputSchema(f: FieldSpec, p: Port): JsonSchema {
  const tensor = isTensor(p);
  return {
    type: 'object',
    properties: {
      name: { const: f.name },
      shape: tensor ? shapeSchema(f.shape) : { type: 'array', items: { type: 'integer', minimum: 0 } },
      datatype: { const: p.datatype },
      parameters: { type: 'object' },
      data: tensor ? dataSchema(f.shape, elementSchema(f.type)) : { type: 'array', items: { ...JSON_TEXT, description: `JSON text of ${f.type.startsWith('seq<') ? 'one entry of ' : ''}a ${f.type} value` } },
    },
    required: ['name', 'shape', 'datatype', 'data'],
  };
}

function oipOutputSchema(f: FieldSpec, p: Port): JsonSchema {
  return {
    type: 'object',
    properties: {
      name: { const: f.name },
      shape: isTensor(p) ? shapeSchema(f.shape) : { type: 'array', items: { type: 'integer', minimum: 0 } },
      datatype: { const: p.datatype },
      data: { type: 'array', items: isTensor(p) ? outputElementSchema(f.type) : { ...JSON_TEXT, description: `JSON text of ${f.type.startsWith('seq<') ? 'one entry of ' : ''}a ${f.type} value` } },
    },
    required: ['name', 'shape', 'datatype', 'data'],
  };
}

/** One /invocations row of a port: the tensor without its leading (batch) dim. */
function rowSchema(f: FieldSpec, p: Port, output: boolean): JsonSchema {
  if (!isTensor(p) || f.shape === null) return {};
  const elem = output ? outputElementSchema(f.type) : elementSchema(f.type);
  return nestedSchema(f.shape.slice(1), elem);
}

function predictionSchema(fields: readonly FieldSpec[], ports: readonly Port[]): JsonSchema {
  if (fields.length === 1) return rowSchema(fields[0], ports[0], true);
  return objectOf(fields, ports, (f, p) => rowSchema(f, p, true), true);
}

function instanceSchema(fields: readonly FieldSpec[], ports: readonly Port[]): JsonSchema {
  const named = objectOf(fields, ports, (f, p) => rowSchema(f, p, false), true);
  if (fields.length === 1) return { anyOf: [rowSchema(fields[0], ports[0], false), named] };
  return named;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

// Record models (PMML): one value per field and record (runtime/server/records.ts).

/** A PMML field value as JSON (null = missing); categorical fields list their valid values. */
function recordValueSchema(f: FieldSpec, input: boolean): JsonSchema {
  const spec = f as FieldSpec & { optype?: string; values?: readonly unknown[] };
  const description = `PMML ${f.type}${spec.optype !== undefined ? `, ${spec.optype}` : ''}`;
  const base: JsonSchema = f.type === 'string' ? { type: ['string', 'null'] }
    : f.type === 'boolean' ? { type: ['boolean', 'null'] }
    : input ? { type: ['number', 'string', 'null'] } : { type: ['number', 'null'] };
  if (spec.values !== undefined && spec.values.length > 0 && f.type !== 'string') return { ...base, description };
  if (spec.values !== undefined && spec.values.length > 0) return { type: ['string', 'null'], enum: [...spec.values, null], description };
  return { ...base, description };
}

function recordSchema(fields: readonly FieldSpec[], input: boolean): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const f of fields) properties[f.name] = recordValueSchema(f, input);
  if (!input) properties.$error = { type: 'string', description: 'set when the record was refused (invalidValueTreatment="returnInvalid")' };
  return input
    ? { type: 'object', properties, description: 'a missing key is a missing value; keys that name no input field are ignored' }
    : { type: 'object', properties, required: fields.map((f) => f.name) };
}

function recordSchemas(m: ManifestInput, inPorts: readonly Port[], outPorts: readonly Port[]): ModelManifest['schemas'] {
  const md = m.metadata;
  const column = (p: Port, elem: JsonSchema, output: boolean): JsonSchema => ({
    type: 'object',
    properties: {
      name: { const: p.name },
      shape: { type: 'array', items: { type: 'integer', minimum: 0 }, description: 'n elements in all: one per record' },
      datatype: output ? { enum: [p.datatype, 'BYTES'] } : { type: 'string', description: `any datatype; ${p.datatype} fits the field's type` },
      ...(output ? {} : { parameters: { type: 'object' } }),
      data: { type: 'array', items: elem },
    },
    required: ['name', 'shape', 'datatype', 'data'],
  });
  const output = recordSchema(md.outputs, false);
  return {
    input: recordSchema(md.inputs, true),
    output,
    inferenceRequest: {
      type: 'object',
      properties: {
        id: { type: 'string' },
        parameters: { type: 'object' },
        inputs: { type: 'array', items: { oneOf: md.inputs.map((f, i) => column(inPorts[i], recordValueSchema(f, true), false)) } },
        outputs: { type: 'array', items: { type: 'object', properties: { name: { enum: md.outputs.map((f) => f.name) }, parameters: { type: 'object' } }, required: ['name'] } },
      },
      required: ['inputs'],
    },
    inferenceResponse: {
      type: 'object',
      properties: {
        model_name: { const: m.name },
        model_version: { const: m.version },
        id: { type: 'string' },
        outputs: {
          type: 'array',
          items: { oneOf: [...md.outputs.map((f, i) => column(outPorts[i], recordValueSchema(f, false), true)), column({ ...outPorts[0], name: '$error', datatype: 'BYTES' } as Port, { type: ['string', 'null'] }, true)] },
        },
      },
      required: ['model_name', 'outputs'],
    },
    instance: recordSchema(md.inputs, true),
    prediction: output,
  };
}

export function emitManifest(m: ManifestInput): ModelManifest {
  const md = m.metadata;
  const records = isRecordModel(md);
  const inPorts = md.inputs.map((f) => (records ? describeRecordPort(f, 'input') : describePort(f)));
  const outPorts = md.outputs.map((f) => (records ? describeRecordPort(f, 'output') : describePort(f)));
  const port = (f: FieldSpec, p: Port): ManifestPort => ({ name: f.name, type: f.type, shape: f.shape, datatype: p.datatype, oipShape: p.shape });
  const files: Record<string, string> = {};
  for (const name of Object.keys(m.files).sort()) files[name] = sha256(m.files[name]);
  return {
    manifestVersion: MANIFEST_VERSION,
    name: m.name,
    version: m.version,
    format: md.format,
    platform: platformOf(md.format),
    source: { file: md.source.file, sha256: md.source.sha256 },
    compiler: { name: md.compiler.name, version: md.compiler.version },
    files,
    inputs: md.inputs.map((f, i) => port(f, inPorts[i])),
    outputs: md.outputs.map((f, i) => port(f, outPorts[i])),
    schemas: records ? recordSchemas(m, inPorts, outPorts) : {
      input: objectOf(md.inputs, inPorts, moduleTensorSchema, true),
      output: objectOf(md.outputs, outPorts, moduleTensorSchema, true),
      inferenceRequest: {
        type: 'object',
        properties: {
          id: { type: 'string' },
          parameters: { type: 'object' },
          inputs: { type: 'array', items: { oneOf: md.inputs.map((f, i) => oipInputSchema(f, inPorts[i])) } },
          outputs: { type: 'array', items: { type: 'object', properties: { name: { enum: md.outputs.map((f) => f.name) }, parameters: { type: 'object' } }, required: ['name'] } },
        },
        required: ['inputs'],
      },
      inferenceResponse: {
        type: 'object',
        properties: {
          model_name: { const: m.name },
          model_version: { const: m.version },
          id: { type: 'string' },
          outputs: { type: 'array', items: { oneOf: md.outputs.map((f, i) => oipOutputSchema(f, outPorts[i])) } },
        },
        required: ['model_name', 'outputs'],
      },
      instance: instanceSchema(md.inputs, inPorts),
      prediction: predictionSchema(md.outputs, outPorts),
    },
  };
}

export function manifestText(m: ModelManifest): string {
  return JSON.stringify(m, null, 2) + '\n';
}

/** Parses a manifest written by this or an earlier compiler; undefined when it is not one. */
export function parseManifest(text: string): ModelManifest | undefined {
  try {
    const m = JSON.parse(text) as Partial<ModelManifest>;
    if (m.manifestVersion !== MANIFEST_VERSION || typeof m.name !== 'string' || typeof m.version !== 'string' || !Array.isArray(m.inputs) || m.schemas === undefined) return undefined;
    return m as ModelManifest;
  } catch {
    return undefined;
  }
}
