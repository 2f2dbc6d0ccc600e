// Record models (PMML modules: `predict(record)` takes field name → value and returns
// field name → value, CONTRACT §2) over the server's protocols.
//
// Open Inference Protocol: one request tensor per input field, all with the same
// element count n (shape [n], or any shape of n elements), give n records; element
// i of every tensor is field values of record i (JSON null = missing). Any datatype
// is taken for any field: the module converts values by the field's PMML dataType.
// Fields left out of the request are missing in every record. The response has one
// tensor per output field, shape [n]: BYTES for strings, BOOL for booleans, FP64 for
// numbers (a missing value is null), and a `$error` BYTES tensor when a record was
// refused (invalidValueTreatment="returnInvalid").
//
// /invocations: {"instances": [{field: value}...]} (or a bare array of them; an
// instance may also be an array of values in input order), {"inputs": {field: [values]}}
// (columns), {"dataframe_split": {"columns", "data"}}, {"dataframe_records": [...]} and
// CSV with a header row (an empty cell is a missing value). Keys and columns that name
// no input field are ignored, as the module ignores them. Each prediction is the
// result record.

import { serverError } from './errors.js';
import type { FieldSpec, ModelVersion, Port } from './models-repository.js';
import { parseCsv } from './invocations.js';
import { flattenData } from './tensor-codec.js';
import type { InferenceRequest, InferenceResponse, ResponseOutput, RequestOutput } from './oip-codec.js';

type Row = Record<string, unknown>;

/** The key of a refused record's message in a PMML result. */
export const ERROR_KEY = '$error';

const NUMERIC = new Set(['double', 'float', 'integer']);

/** How the protocols see a field of a record model: a tensor of shape [n], one element per record. */
export function describeRecordPort(f: FieldSpec, role: 'input' | 'output'): Port {
  let datatype: string;
  let dtype: Port['dtype'];
  if (f.type === 'string') { datatype = 'BYTES'; dtype = 'string'; }
  else if (f.type === 'boolean') { datatype = 'BOOL'; dtype = 'bool'; }
  else if (role === 'input' && f.type === 'integer') { datatype = 'INT64'; dtype = 'int64'; }
  else if (role === 'input' && !NUMERIC.has(f.type)) { datatype = 'BYTES'; dtype = 'string'; } // dates and times as ISO text
  else if (f.type === 'json') { datatype = 'BYTES'; dtype = 'string'; } // PFA structured values (runtime/pfa/serving.ts) as JSON text
  else { datatype = 'FP64'; dtype = 'float64'; }
  return { name: f.name, type: f.type, dtype, dims: [-1], datatype, shape: [-1] };
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function checkValue(v: unknown, where: () => string, structured = false): unknown {
  // PFA fields take any JSON value (arrays, maps, records, tagged unions: runtime/pfa/serving.ts checks them).
  if (structured && v !== undefined) return v;
  if (v === undefined || v === null || typeof v === 'number' || typeof v === 'string' || typeof v === 'boolean') return v ?? null;
  // Collections (an AssociationModel transaction's items) are arrays of plain values.
  if (Array.isArray(v) && v.every((x) => x === null || typeof x === 'number' || typeof x === 'string' || typeof x === 'boolean')) return v;
  return serverError('MLS_ERR_BAD_TENSOR_DATA', `${where()} must be a number, a string, a boolean or null`);
}

/** Scores records with the module (predictBatch when it has one). */
export function scoreRecords(model: ModelVersion, records: readonly Row[]): { results: Row[]; seconds: number } {
  const t0 = performance.now();
  const batch = model.module.predictBatch;
  const results = (typeof batch === 'function' ? batch(records as Row[]) : records.map((r) => model.call(r))) as Row[];
  return { results, seconds: (performance.now() - t0) / 1000 };
}

// ---------------------------------------------------------------------------------------
// Open Inference Protocol

function names(ports: readonly Port[]): string {
  return ports.map((p) => JSON.stringify(p.name)).join(', ') || 'none';
}

/** The records an OIP request's tensors give. */
export function decodeRecordInputs(model: ModelVersion, request: InferenceRequest): Row[] {
  const params = request.parameters;
  if (params !== undefined && (params.binary_data_size !== undefined || params.binary_data === true || params.binary_data_output === true)) {
    serverError('MLS_ERR_UNSUPPORTED', 'binary tensor data is not supported; send tensor data as JSON arrays');
  }
  let n: number | undefined;
  let first = '';
  const columns: [string, readonly unknown[]][] = [];
  const seen = new Set<string>();
  for (const input of request.inputs) {
    if (!model.inputIndex.has(input.name)) {
      serverError('MLS_ERR_BAD_INPUT_NAME', `model "${model.name}" has no input field "${input.name}"; its inputs are ${names(model.inputs)}`);
    }
    if (seen.has(input.name)) serverError('MLS_ERR_BAD_INPUT_NAME', `input "${input.name}" is given twice`);
    seen.add(input.name);
    if (input.parameters !== undefined && (input.parameters.binary_data_size !== undefined || input.parameters.binary_data === true)) {
      serverError('MLS_ERR_UNSUPPORTED', `input "${input.name}": binary tensor data is not supported; send tensor data as JSON arrays`);
    }
    const label = `input "${input.name}"`;
    const values = flattenData(input.data, input.shape, label);
    if (n === undefined) {
      n = values.length;
      first = input.name;
    } else if (values.length !== n) {
      serverError('MLS_ERR_BAD_TENSOR_SHAPE', `${label} has ${values.length} elements but input "${first}" has ${n}: every input gives one value per record`);
    }
    columns.push([input.name, values]);
  }
  if (n === undefined) serverError('MLS_ERR_BAD_INPUT_NAME', `give at least one input field of model "${model.name}" (its inputs are ${names(model.inputs)}); fields left out are missing`);
  const records = new Array<Row>(n);
  for (let i = 0; i < n; i++) {
    const r: Row = {};
    for (const [name, values] of columns) r[name] = checkValue(values[i], () => `input "${name}": element ${i}`, model.format === 'pfa');
    records[i] = r;
  }
  return records;
}

function requestedPorts(model: ModelVersion, requested: readonly RequestOutput[] | undefined): readonly Port[] {
  if (requested === undefined || requested.length === 0) return model.outputs;
  return requested.map((r) => {
    const port = model.outputIndex.get(r.name);
    if (port === undefined) serverError('MLS_ERR_BAD_OUTPUT_NAME', `model "${model.name}" has no output "${r.name}"; its outputs are ${names(model.outputs)}`);
    return port;
  });
}

/** One output field of every record as a response tensor. */
function encodeColumn(port: Port, results: readonly Row[]): ResponseOutput {
  const values = results.map((r) => r[port.name] ?? null);
  const n = values.length;
  const fits = (test: (v: unknown) => boolean): boolean => values.every((v) => v === null || test(v));
  if (port.datatype === 'FP64' && fits((v) => typeof v === 'number')) {
    return { name: port.name, datatype: 'FP64', shape: [n], data: values.map((v) => (typeof v === 'number' && Number.isFinite(v) ? v : null)) };
  }
  if (port.datatype === 'BOOL' && fits((v) => typeof v === 'boolean')) return { name: port.name, datatype: 'BOOL', shape: [n], data: values };
  // Strings, and values that are not of the declared kind: text.
  return { name: port.name, datatype: 'BYTES', shape: [n], data: values.map((v) => (v === null ? null : typeof v === 'object' ? JSON.stringify(v) : String(v))) };
}

export function runRecordInference(model: ModelVersion, request: InferenceRequest): { response: InferenceResponse; seconds: number } {
  const ports = requestedPorts(model, request.outputs);
  const records = decodeRecordInputs(model, request);
  const { results, seconds } = scoreRecords(model, records);
  const outputs = ports.map((p) => encodeColumn(p, results));
  const explicit = request.outputs !== undefined && request.outputs.length > 0;
  if (!explicit && results.some((r) => r[ERROR_KEY] !== undefined)) {
    outputs.push({ name: ERROR_KEY, datatype: 'BYTES', shape: [results.length], data: results.map((r) => (r[ERROR_KEY] === undefined ? null : String(r[ERROR_KEY]))) });
  }
  const response: InferenceResponse = { model_name: model.name, model_version: model.version, outputs };
  if (request.id !== undefined) response.id = request.id;
  return { response, seconds };
}

// ---------------------------------------------------------------------------------------
// /invocations

const FORMS = 'send {"instances": [{"<field>": value, ...}]}, {"inputs": {"<field>": [values]}}, {"dataframe_split": {"columns": [...], "data": [[...]]}}, {"dataframe_records": [...]} or CSV text with a header row (Content-Type: text/csv)';

/** A record from an instance: an object of field values, or an array of values in input order. */
function toRecord(model: ModelVersion, v: unknown, what: string): Row {
  // A PFA engine whose input is not a record: each instance is the input value itself.
  if (model.format === 'pfa' && (model.module.metadata as { wholeInput?: boolean }).wholeInput === true) {
    return { [model.inputs[0].name]: checkValue(v, () => what, true) };
  }
  if (isPlainObject(v)) {
    const r: Row = {};
    for (const [k, x] of Object.entries(v)) if (model.inputIndex.has(k)) r[k] = checkValue(x, () => `${what}: field "${k}"`, model.format === 'pfa');
    return r;
  }
  if (Array.isArray(v)) {
    if (v.length !== model.inputs.length) {
      serverError('MLS_ERR_BAD_INVOCATION', `${what}: an array instance gives one value per input field in order (${model.inputs.length}: ${names(model.inputs)}), got ${v.length}; or give an object of field values`);
    }
    const r: Row = {};
    model.inputs.forEach((p, j) => { r[p.name] = checkValue(v[j], () => `${what}: field "${p.name}"`, model.format === 'pfa'); });
    return r;
  }
  if (model.inputs.length === 1) return { [model.inputs[0].name]: checkValue(v, () => what, model.format === 'pfa') };
  return serverError('MLS_ERR_BAD_INVOCATION', `${what}: give an object mapping input fields to values (inputs: ${names(model.inputs)})`);
}

/** Records of a table whose columns name fields (others ignored). */
function tableRecords(model: ModelVersion, columns: readonly string[], data: readonly unknown[], what: string): Row[] {
  const used = columns.map((c, j) => [c, j] as const).filter(([c]) => model.inputIndex.has(c));
  return data.map((row, i) => {
    if (!Array.isArray(row) || row.length !== columns.length) serverError('MLS_ERR_BAD_INVOCATION', `${what}: row ${i} must be an array of ${columns.length} values`);
    const r: Row = {};
    for (const [c, j] of used) r[c] = checkValue(row[j], () => `${what}: row ${i}, column "${c}"`, model.format === 'pfa');
    return r;
  });
}

/** CSV: a header row naming fields (columns that name none are ignored); without one, columns in input order. */
function csvRecords(model: ModelVersion, text: string): Row[] {
  const cells = parseCsv(text);
  if (cells.length === 0) return [];
  const first = cells[0].map((c) => c.trim());
  const header = first.some((c) => model.inputIndex.has(c));
  const columns = header ? first : model.inputs.map((p) => p.name);
  const body = header ? cells.slice(1) : cells;
  return tableRecords(model, columns, body.map((r) => r.map((c) => (c === '' ? null : c))), 'CSV');
}

/** The records of an /invocations body. */
export function parseRecordInvocation(model: ModelVersion, body: unknown): Row[] {
  if (typeof body === 'string') return csvRecords(model, body);
  if (Array.isArray(body)) return body.map((v, i) => toRecord(model, v, `instance ${i}`));
  if (!isPlainObject(body)) return serverError('MLS_ERR_BAD_INVOCATION', `unrecognised body; ${FORMS}`);
  if ('instances' in body) {
    const inst = body.instances;
    if (!Array.isArray(inst)) serverError('MLS_ERR_BAD_INVOCATION', '"instances" must be an array (one record per instance)');
    return inst.map((v, i) => toRecord(model, v, `instance ${i}`));
  }
  if ('inputs' in body) {
    const inputs = body.inputs;
    // The Open Inference Protocol's tensors, sent to /invocations.
    if (Array.isArray(inputs)) return decodeRecordInputs(model, { inputs: inputs as InferenceRequest['inputs'] });
    if (!isPlainObject(inputs)) serverError('MLS_ERR_BAD_INVOCATION', '"inputs" must be an object mapping input fields to arrays of values (one per record)');
    const cols = Object.entries(inputs).filter(([k]) => model.inputIndex.has(k));
    let n: number | undefined;
    for (const [k, v] of cols) {
      if (!Array.isArray(v)) serverError('MLS_ERR_BAD_INVOCATION', `"inputs"."${k}" must be an array of values, one per record`);
      if (n !== undefined && v.length !== n) serverError('MLS_ERR_BAD_INVOCATION', `"inputs"."${k}" has ${v.length} values but other fields have ${n}`);
      n = v.length;
    }
    return Array.from({ length: n ?? 0 }, (_, i) => {
      const r: Row = {};
      for (const [k, v] of cols) r[k] = checkValue((v as unknown[])[i], () => `"inputs"."${k}"[${i}]`, model.format === 'pfa');
      return r;
    });
  }
  if ('dataframe_split' in body) {
    const df = body.dataframe_split;
    if (!isPlainObject(df) || !Array.isArray(df.data)) serverError('MLS_ERR_BAD_INVOCATION', '"dataframe_split" must be an object with a "data" array of rows');
    const columns = df.columns;
    if (columns === undefined) return df.data.map((v, i) => toRecord(model, v, `dataframe_split row ${i}`));
    if (!(Array.isArray(columns) && columns.every((c) => typeof c === 'string'))) serverError('MLS_ERR_BAD_INVOCATION', '"dataframe_split.columns" must be an array of strings');
    return tableRecords(model, columns, df.data, 'dataframe_split');
  }
  if ('dataframe_records' in body) {
    const recs = body.dataframe_records;
    if (!Array.isArray(recs) || !recs.every(isPlainObject)) serverError('MLS_ERR_BAD_INVOCATION', '"dataframe_records" must be an array of objects');
    return recs.map((v, i) => toRecord(model, v, `dataframe_records[${i}]`));
  }
  return serverError('MLS_ERR_BAD_INVOCATION', `unrecognised body (keys ${Object.keys(body).map((k) => JSON.stringify(k)).join(', ') || 'none'}); ${FORMS}`);
}

/** A result record as a prediction: the output fields in order (missing: null), plus `$error`. */
function prediction(model: ModelVersion, r: Row): Row {
  const out: Row = {};
  for (const p of model.outputs) {
    const v = r[p.name];
    out[p.name] = v === undefined || (typeof v === 'number' && !Number.isFinite(v)) ? null : v;
  }
  if (r[ERROR_KEY] !== undefined) out[ERROR_KEY] = r[ERROR_KEY];
  return out;
}

export function runRecordInvocation(model: ModelVersion, body: unknown): { predictions: Row[]; seconds: number } {
  const records = parseRecordInvocation(model, body);
  if (records.length === 0) return { predictions: [], seconds: 0 };
  const { results, seconds } = scoreRecords(model, records);
  return { predictions: results.map((r) => prediction(model, r)), seconds };
}
