// Open Inference Protocol (KServe V2) inference: request tensors → module feeds,
// module results → response tensors. The spec is
// shared/specs/open-inference-protocol/inference_rest.md ("Tensor Data":
// "Tensor data must be presented in row-major order ... either in their natural
// multi-dimensional representation, or as a flattened one-dimensional representation").

import { serverError } from './errors.js';
import type { ModelVersion, Port } from './models-repository.js';
import { PROTOCOL_DATATYPES, datatypeOf, encodeElements, flattenData, jsonElements, toJsonValue, type PublicData } from './tensor-codec.js';

type Parameters = Record<string, unknown>;

/** A module feed: `{ type, dims, data }` (CONTRACT §2). */
export interface Feed {
  type: string;
  dims: number[];
  data: PublicData | number[];
}

export interface RequestInput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly datatype: string;
  readonly parameters?: Parameters;
  readonly data: readonly unknown[];
}

export interface RequestOutput {
  readonly name: string;
  readonly parameters?: Parameters;
}

export interface InferenceRequest {
  readonly id?: string;
  readonly parameters?: Parameters;
  readonly inputs: readonly RequestInput[];
  readonly outputs?: readonly RequestOutput[];
}

export interface ResponseOutput {
  name: string;
  datatype: string;
  shape: number[];
  data: unknown[];
}

export interface InferenceResponse {
  model_name: string;
  model_version: string;
  id?: string;
  outputs: ResponseOutput[];
}

function names(ports: readonly Port[]): string {
  return ports.map((p) => JSON.stringify(p.name)).join(', ') || 'none';
}

/**
 * The binary tensor data extension (Triton's `binary_data*` parameters) sends
 * tensors outside the JSON; this server answers in JSON only, and says so.
 */
function checkNoBinary(params: Parameters | undefined, where: string): void {
  if (params === undefined) return;
  if (params.binary_data_size !== undefined || params.binary_data === true || params.binary_data_output === true) {
    serverError('MLS_ERR_UNSUPPORTED', `${where}: binary tensor data is not supported; send tensor data as JSON arrays`);
  }
}

function checkShape(port: Port, shape: readonly number[], datatype: string): void {
  const dims = port.dims;
  if (dims === null) return;
  if (shape.length !== dims.length) {
    serverError('MLS_ERR_BAD_TENSOR_SHAPE', `input "${port.name}" must have rank ${dims.length} (shape ${JSON.stringify(port.shape)}), got shape ${JSON.stringify(shape)}`);
  }
  for (let i = 0; i < dims.length; i++) {
    if (dims[i] >= 0 && dims[i] !== shape[i]) {
      serverError('MLS_ERR_BAD_TENSOR_SHAPE', `input "${port.name}" (${datatype}) must have shape ${JSON.stringify(port.shape)} (-1: any size), got ${JSON.stringify(shape)}`);
    }
  }
}

/**
 * A sequence, map or optional input travels as BYTES holding JSON text, as such
 * outputs do: one element per sequence entry, else exactly one element.
 */
function decodeValue(port: Port, input: RequestInput): unknown {
  if (input.datatype !== 'BYTES') {
    serverError('MLS_ERR_BAD_TENSOR_DATATYPE', `input "${port.name}" (${port.type}) must have datatype BYTES holding JSON text, got ${JSON.stringify(input.datatype)}`);
  }
  const label = `input "${port.name}"`;
  const values = flattenData(input.data, input.shape, label).map((x, i) => {
    if (typeof x !== 'string') serverError('MLS_ERR_BAD_TENSOR_DATA', `${label}: element ${i} must be JSON text (a string)`);
    try {
      return JSON.parse(x) as unknown;
    } catch (e) {
      return serverError('MLS_ERR_BAD_TENSOR_DATA', `${label}: element ${i} is not JSON: ${(e as Error).message}`);
    }
  });
  if (port.type.startsWith('seq<')) return values;
  if (values.length !== 1) serverError('MLS_ERR_BAD_TENSOR_SHAPE', `${label} (${port.type}) takes one element of JSON text, got ${values.length}`);
  return values[0];
}

/** Checks each request input against the model and converts it, once, to the typed array the module reads. */
export function decodeInputs(model: ModelVersion, request: InferenceRequest): Record<string, unknown> {
  checkNoBinary(request.parameters, 'request parameters');
  const feeds: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  const inputs = request.inputs;
  for (let i = 0; i < inputs.length; i++) {
    const input = inputs[i];
    const port = model.inputIndex.get(input.name);
    if (port === undefined) {
      serverError('MLS_ERR_BAD_INPUT_NAME', `model "${model.name}" has no input "${input.name}"; its inputs are ${names(model.inputs)}`);
    }
    if (feeds[input.name] !== undefined) serverError('MLS_ERR_BAD_INPUT_NAME', `input "${input.name}" is given twice`);
    checkNoBinary(input.parameters, `input "${input.name}"`);
    if (port.dtype === null) {
      feeds[input.name] = decodeValue(port, input);
      continue;
    }
    if (input.datatype !== port.datatype) {
      const known = PROTOCOL_DATATYPES.includes(input.datatype) ? '' : ` (not a datatype; the protocol's are ${PROTOCOL_DATATYPES.join(', ')})`;
      serverError('MLS_ERR_BAD_TENSOR_DATATYPE', `input "${input.name}" must have datatype ${port.datatype}, got ${JSON.stringify(input.datatype)}${known}`);
    }
    const dtype = port.dtype;
    checkShape(port, input.shape, input.datatype);
    const label = `input "${input.name}"`;
    const flat = flattenData(input.data, input.shape, label);
    feeds[input.name] = { type: dtype, dims: input.shape.slice(), data: encodeElements(flat, dtype, label) };
  }
  if (inputs.length !== model.inputs.length) {
    const missing = model.inputs.filter((p) => p.dtype !== null && feeds[p.name] === undefined);
    if (missing.length > 0) {
      serverError('MLS_ERR_BAD_INPUT_NAME', `missing input${missing.length > 1 ? 's' : ''} ${names(missing)} of model "${model.name}"`);
    }
  }
  return feeds;
}

/** One module result as a response tensor; values that are not tensors travel as BYTES holding JSON text. */
export function encodeOutput(port: Port, value: unknown): ResponseOutput {
  const v = value as Feed | null | undefined;
  if (port.dtype !== null && v !== null && v !== undefined && !Array.isArray(v) && !(v instanceof Map)) {
    return { name: port.name, datatype: datatypeOf(v.type), shape: v.dims.slice(), data: jsonElements(v) };
  }
  if (Array.isArray(value)) {
    return { name: port.name, datatype: 'BYTES', shape: [value.length], data: value.map((x) => JSON.stringify(toJsonValue(x))) };
  }
  return { name: port.name, datatype: 'BYTES', shape: [1], data: [JSON.stringify(toJsonValue(value))] };
}

/** The ports of the requested outputs, in request order (all outputs when none are named). */
export function requestedOutputs(model: ModelVersion, requested: readonly RequestOutput[] | undefined): readonly Port[] {
  if (requested === undefined || requested.length === 0) return model.outputs;
  const ports: Port[] = [];
  for (const r of requested) {
    const port = model.outputIndex.get(r.name);
    if (port === undefined) {
      serverError('MLS_ERR_BAD_OUTPUT_NAME', `model "${model.name}" has no output "${r.name}"; its outputs are ${names(model.outputs)}`);
    }
    checkNoBinary(r.parameters, `output "${r.name}"`);
    ports.push(port);
  }
  return ports;
}

export function encodeResponse(model: ModelVersion, request: InferenceRequest, ports: readonly Port[], results: Record<string, unknown>): InferenceResponse {
  const outputs = new Array<ResponseOutput>(ports.length);
  for (let i = 0; i < ports.length; i++) outputs[i] = encodeOutput(ports[i], results[ports[i].name]);
  const response: InferenceResponse = { model_name: model.name, model_version: model.version, outputs };
  if (request.id !== undefined) response.id = request.id;
  return response;
}
