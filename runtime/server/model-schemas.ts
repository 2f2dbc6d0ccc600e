// JSON Schemas (2020-12, as OpenAPI 3.1 uses them) of the JSON the server takes and
// gives for one model version, derived from the module's own field descriptions
// (`metadata.inputs`/`outputs`: names, types, shapes; for PMML also optype and the
// valid values of categorical fields). The compiler writes them into each version's
// manifest.json (generators/server/emit-manifest.ts); the server builds its OpenAPI
// documents from them at run time (openapi-doc.ts). One function serves both, so
// the file and the served document cannot drift.
//
// Inference requests carry an example (`examples`, lifted into OpenAPI's media-type
// `example`), which the docs UI fills into its "Try it out" form.

import { describePort, isRecordModel, type FieldSpec, type Port } from './models-repository.js';
import { describeRecordPort } from './records.js';

export type JsonSchema = Readonly<Record<string, unknown>>;

/** What the schemas are derived from: a module's metadata under the name and version it is served as. */
export interface SchemaSource {
  readonly name: string;
  readonly version: string;
  readonly format: string;
  readonly inputs: readonly FieldSpec[];
  readonly outputs: readonly FieldSpec[];
}

export interface ModelSchemas {
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
}

const INT_BOUNDS: Readonly<Record<string, readonly [number, number]>> = {
  int8: [-128, 127], uint8: [0, 255], int16: [-32768, 32767], uint16: [0, 65535],
  int32: [-2147483648, 2147483647], uint32: [0, 4294967295],
};

const INTEGER_TYPES = new Set(['int4', 'uint4', 'int2', 'uint2']);

/** Examples with more elements than this are left out (a docs page would choke on them). */
export const MAX_EXAMPLE_ELEMENTS = 4096;

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

/** An array of named tensors that must contain one named `n` for each of `names` (the inputs a model needs). */
function containsEach(names: readonly string[]): JsonSchema {
  if (names.length === 0) return {};
  return { allOf: names.map((n) => ({ contains: { type: 'object', properties: { name: { const: n } }, required: ['name'] } })) };
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

// Examples: the smallest valid request (symbolic dims 1, zeros), or none when too large.

function exampleElement(dtype: string): unknown {
  if (dtype === 'string') return '';
  if (dtype === 'bool') return false;
  return 0;
}

/** Concrete dims of an example: symbolic and unknown dims become 1; undefined for an unknown rank or too many elements. */
function exampleDims(shape: readonly (number | string | null)[] | null): number[] | undefined {
  if (shape === null) return undefined;
  const dims = shape.map((d) => (typeof d === 'number' && d >= 0 ? d : 1));
  return dims.reduce((a, b) => a * b, 1) <= MAX_EXAMPLE_ELEMENTS ? dims : undefined;
}

function nestedExample(dims: readonly number[], elem: unknown): unknown {
  let v: unknown = elem;
  for (let i = dims.length - 1; i >= 0; i--) {
    const inner = v;
    v = Array.from({ length: dims[i] }, () => inner);
  }
  return v;
}

/** An example OIP input for a non-tensor port: an empty sequence, an empty map, or an absent optional. */
function valueExample(f: FieldSpec, p: Port): Record<string, unknown> {
  if (f.type.startsWith('seq<')) return { name: f.name, shape: [0], datatype: p.datatype, data: [] };
  return { name: f.name, shape: [1], datatype: p.datatype, data: [f.type.startsWith('map<') ? '{}' : 'null'] };
}

function tensorInferenceExample(fields: readonly FieldSpec[], ports: readonly Port[]): Record<string, unknown> | undefined {
  const inputs: Record<string, unknown>[] = [];
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const p = ports[i];
    if (!isTensor(p)) {
      inputs.push(valueExample(f, p));
      continue;
    }
    const dims = exampleDims(f.shape);
    if (dims === undefined) return undefined;
    const n = dims.reduce((a, b) => a * b, 1);
    inputs.push({ name: f.name, shape: dims, datatype: p.datatype, data: Array.from({ length: n }, () => exampleElement(f.type)) });
  }
  return { id: '1', inputs };
}

function instanceExample(fields: readonly FieldSpec[], ports: readonly Port[]): unknown {
  const row = (f: FieldSpec, p: Port): unknown => {
    if (!isTensor(p) || f.shape === null) return undefined;
    const dims = exampleDims(f.shape.slice(1));
    return dims === undefined ? undefined : nestedExample(dims, exampleElement(f.type));
  };
  const values = fields.map((f, i) => row(f, ports[i]));
  if (values.some((v) => v === undefined)) return undefined;
  if (fields.length === 1) return values[0];
  return Object.fromEntries(fields.map((f, i) => [f.name, values[i]]));
}

function withExample(schema: JsonSchema, example: unknown): JsonSchema {
  return example === undefined ? schema : { ...schema, examples: [example] };
}

// Record models (PMML): one value per field and record (runtime/server/records.ts).

/** A PMML field as `metadata` describes it: the FieldSpec shape, plus optype and valid values. */
interface RecordField extends FieldSpec {
  readonly optype?: string;
  readonly usageType?: string;
  readonly feature?: string;
  readonly values?: readonly unknown[];
}

const NUMERIC = new Set(['double', 'float', 'integer']);

/** Enumerations longer than this are left out (the schema stays readable); the field's type remains. */
const MAX_ENUM = 256;

/** The valid values of a categorical or ordinal field when each fits its type (the module's d.ts does the same); else undefined. */
function validValues(f: RecordField): unknown[] | undefined {
  const values = f.values;
  if (values === undefined || values.length === 0 || values.length > MAX_ENUM) return undefined;
  if (f.optype !== undefined && f.optype !== 'categorical' && f.optype !== 'ordinal') return undefined;
  const fits = (v: unknown): boolean => f.type === 'string' ? typeof v === 'string'
    : f.type === 'boolean' ? typeof v === 'boolean'
    : NUMERIC.has(f.type) ? typeof v === 'number' && Number.isFinite(v) : false;
  if (!values.every(fits)) return undefined;
  return [...new Set(values)];
}

/**
 * A PMML field value as JSON (null = missing). Inputs of categorical and ordinal
 * fields list their valid values; outputs do so for strings (a predicted category).
 */
function recordValueSchema(f: RecordField, input: boolean): JsonSchema {
  const description = `PMML ${f.type}${f.optype !== undefined ? `, ${f.optype}` : ''}${f.feature !== undefined ? `, ${f.feature}` : ''}`;
  const values = validValues(f);
  if (values !== undefined && (input || f.type === 'string')) {
    const type = f.type === 'string' ? 'string' : f.type === 'boolean' ? 'boolean' : 'number';
    return { type: [type, 'null'], enum: [...values, null], description };
  }
  const base: JsonSchema = f.type === 'string' ? { type: ['string', 'null'] }
    : f.type === 'boolean' ? { type: ['boolean', 'null'] }
    : input ? { type: ['number', 'string', 'null'] } : { type: ['number', 'null'] };
  return { ...base, description };
}

/** An example value of a record field: its first valid value, else 0, "" or false. */
function recordValueExample(f: RecordField): unknown {
  const values = validValues(f);
  if (values !== undefined) return values[0];
  if (f.type === 'string') return '';
  if (f.type === 'boolean') return false;
  return NUMERIC.has(f.type) ? 0 : null;
}

function recordSchema(fields: readonly RecordField[], input: boolean): JsonSchema {
  const properties: Record<string, JsonSchema> = {};
  for (const f of fields) properties[f.name] = recordValueSchema(f, input);
  if (!input) properties.$error = { type: 'string', description: 'set when the record was refused (invalidValueTreatment="returnInvalid")' };
  return input
    ? { type: 'object', properties, description: 'a missing key is a missing value; keys that name no input field are ignored' }
    : { type: 'object', properties, required: fields.map((f) => f.name) };
}

function recordSchemas(m: SchemaSource, inPorts: readonly Port[], outPorts: readonly Port[]): ModelSchemas {
  const inputs = m.inputs as readonly RecordField[];
  const outputs = m.outputs as readonly RecordField[];
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
  const output = recordSchema(outputs, false);
  const record = Object.fromEntries(inputs.map((f) => [f.name, recordValueExample(f)]));
  const example = { id: '1', inputs: inputs.map((f, i) => ({ name: f.name, shape: [1], datatype: inPorts[i].datatype, data: [recordValueExample(f)] })) };
  return {
    input: recordSchema(inputs, true),
    output,
    inferenceRequest: withExample({
      type: 'object',
      properties: {
        id: { type: 'string' },
        parameters: { type: 'object' },
        inputs: { type: 'array', items: { oneOf: inputs.map((f, i) => column(inPorts[i], recordValueSchema(f, true), false)) } },
        outputs: { type: 'array', items: { type: 'object', properties: { name: { enum: outputs.map((f) => f.name) }, parameters: { type: 'object' } }, required: ['name'] } },
      },
      required: ['inputs'],
    }, inputs.length > 0 ? example : undefined),
    inferenceResponse: {
      type: 'object',
      properties: {
        model_name: { const: m.name },
        model_version: { const: m.version },
        id: { type: 'string' },
        outputs: {
          type: 'array',
          items: { oneOf: [...outputs.map((f, i) => column(outPorts[i], recordValueSchema(f, false), true)), column({ ...outPorts[0], name: '$error', datatype: 'BYTES' } as Port, { type: ['string', 'null'] }, true)] },
        },
      },
      required: ['model_name', 'outputs'],
    },
    instance: withExample(recordSchema(inputs, true), record),
    prediction: output,
  };
}

/** The JSON Schemas of everything the server takes and gives for one model version. */
export function modelSchemas(m: SchemaSource): ModelSchemas {
  const records = isRecordModel(m);
  const inPorts = m.inputs.map((f) => (records ? describeRecordPort(f, 'input') : describePort(f)));
  const outPorts = m.outputs.map((f) => (records ? describeRecordPort(f, 'output') : describePort(f)));
  if (records) return recordSchemas(m, inPorts, outPorts);
  const required = m.inputs.filter((_, i) => isTensor(inPorts[i])).map((f) => f.name);
  return {
    input: objectOf(m.inputs, inPorts, moduleTensorSchema, true),
    output: objectOf(m.outputs, outPorts, moduleTensorSchema, true),
    inferenceRequest: withExample({
      type: 'object',
      properties: {
        id: { type: 'string' },
        parameters: { type: 'object' },
        inputs: { type: 'array', items: { oneOf: m.inputs.map((f, i) => oipInputSchema(f, inPorts[i])) }, ...containsEach(required) },
        outputs: { type: 'array', items: { type: 'object', properties: { name: { enum: m.outputs.map((f) => f.name) }, parameters: { type: 'object' } }, required: ['name'] } },
      },
      required: ['inputs'],
    }, tensorInferenceExample(m.inputs, inPorts)),
    inferenceResponse: {
      type: 'object',
      properties: {
        model_name: { const: m.name },
        model_version: { const: m.version },
        id: { type: 'string' },
        outputs: { type: 'array', items: { oneOf: m.outputs.map((f, i) => oipOutputSchema(f, outPorts[i])) } },
      },
      required: ['model_name', 'outputs'],
    },
    instance: withExample(instanceSchema(m.inputs, inPorts), instanceExample(m.inputs, inPorts)),
    prediction: predictionSchema(m.outputs, outPorts),
  };
}
