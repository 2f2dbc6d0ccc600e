// Feeding a drift monitor (drift.ts) from an answered inference request: the
// feature values of each scored instance from the request body, and the
// predictions from the response payload.
//
// Covered: POST .../infer (Open Inference Protocol) and POST /invocations (every
// body form the route takes), for record models (PMML: a feature per input field)
// and tensor models (ONNX: a feature per column of an [N, F] input, or the input
// itself when it has one value per row). Batch routes and jobs are not monitored.
//
// OIP bodies are walked in place (no copies). /invocations bodies have many forms,
// so they are parsed again with the route's own parser (records.ts, invocations.ts):
// the request already passed it, so this cannot fail, and it costs about what the
// route's parsing cost.

import type { DriftMonitor, FeatureMonitor } from './drift.js';
import { parseInvocation } from './invocations.js';
import { isRecordModel, type ModelVersion } from './models-repository.js';
import { parseRecordInvocation } from './records.js';
import { flattenData, isTensorLike } from './tensor-codec.js';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Row-major elements of a value given for a tensor input (nested arrays, `{type, dims, data}`, or a scalar). */
function elementsOf(v: unknown): ArrayLike<unknown> {
  if (isTensorLike(v)) return (v.data as ArrayLike<unknown> | null) ?? [];
  if (!Array.isArray(v)) return [v];
  if (v.length === 0 || !Array.isArray(v[0])) return v;
  const out: unknown[] = [];
  const stack: unknown[] = [v];
  while (stack.length > 0) {
    const x = stack.pop();
    if (Array.isArray(x)) for (let i = x.length - 1; i >= 0; i--) stack.push(x[i]);
    else out.push(x);
  }
  return out;
}

/** Observes `rows` rows of `features` (all of one input) from row-major elements `data`. */
function observeColumns(features: readonly FeatureMonitor[], data: ArrayLike<unknown>, rows: number): void {
  if (rows === 0) return;
  const width = Math.floor(data.length / rows);
  for (const f of features) {
    const col = f.column ?? 0;
    if (col >= width) continue;
    for (let r = 0; r < rows; r++) f.observe(data[r * width + col]);
  }
}

function observeMissing(features: readonly FeatureMonitor[], rows: number): void {
  for (const f of features) for (let r = 0; r < rows; r++) f.observe(null);
}

interface OipInput {
  readonly name: string;
  readonly shape: readonly number[];
  readonly data: readonly unknown[];
}

/** POST .../infer: one tensor per input; element r (row r of an [N, F] tensor) is instance r. */
export function observeOipRequest(mon: DriftMonitor, body: unknown): void {
  const inputs = isPlainObject(body) && Array.isArray(body.inputs) ? (body.inputs as OipInput[]) : [];
  let rows = -1;
  const seen = new Set<string>();
  for (const input of inputs) {
    const shape = input.shape;
    const n = shape.length === 0 ? 1 : shape[0];
    if (rows < 0) rows = n;
    const features = mon.byInput.get(input.name);
    if (features === undefined) continue;
    seen.add(input.name);
    const data = input.data.length === 0 || !Array.isArray(input.data[0]) ? input.data : flattenData(input.data, shape, input.name);
    observeColumns(features, data, n);
  }
  if (rows <= 0) return;
  // PMML: fields left out of the request are missing in every record.
  if (seen.size < mon.byInput.size) for (const [name, features] of mon.byInput) if (!seen.has(name)) observeMissing(features, rows);
  mon.endInstances(rows);
}

/** POST /invocations, any body form, for the model that answered it. */
export function observeInvocationRequest(mon: DriftMonitor, model: ModelVersion, body: unknown): void {
  if (isRecordModel(model)) {
    const records = parseRecordInvocation(model, body);
    for (const r of records) for (const f of mon.features) f.observe(r[f.input]);
    mon.endInstances(records.length);
    return;
  }
  const inv = parseInvocation(model, body);
  if (inv.kind === 'columns') {
    observeWhole(mon, inv.inputs);
    return;
  }
  let n = 0;
  for (const row of inv.rows) {
    // A row holds one row of each input, or a whole tensor.
    let rows = 1;
    for (const [name, features] of mon.byInput) {
      const v = row[name];
      if (v === undefined) {
        observeMissing(features, 1);
        continue;
      }
      if (isTensorLike(v) && Array.isArray(v.dims) && v.dims.length >= 2) rows = v.dims[0] as number;
      observeColumns(features, elementsOf(v), isTensorLike(v) ? rows : 1);
    }
    n += rows;
  }
  mon.endInstances(n);
}

/** Whole tensors, by input name: their leading dim is the number of instances. */
function observeWhole(mon: DriftMonitor, inputs: Readonly<Record<string, unknown>>): void {
  let rows = 1;
  for (const [name, features] of mon.byInput) {
    const v = inputs[name];
    if (v === undefined) continue;
    const lead = isTensorLike(v) && Array.isArray(v.dims) ? (v.dims[0] as number) : Array.isArray(v) && Array.isArray(v[0]) ? v.length : 1;
    rows = lead;
    observeColumns(features, elementsOf(v), lead);
  }
  mon.endInstances(rows);
}

// ---------------------------------------------------------------------------------------
// Predictions

const INTEGER_DATATYPES = new Set(['INT8', 'INT16', 'INT32', 'INT64', 'UINT8', 'UINT16', 'UINT32', 'UINT64']);
const INTEGER_TYPES = new Set(['int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'uint64', 'integer']);
/** Outputs with more columns per row than this (embeddings...) are left out of the distribution. */
const MAX_OUTPUT_COLUMNS = 16;

function observeOutputColumns(mon: DriftMonitor, name: string, data: ArrayLike<unknown>, rows: number, labels: boolean): void {
  if (rows <= 0) return;
  const width = Math.floor(data.length / rows);
  if (width === 1) {
    const o = mon.output(name);
    o.isLabelNumber = labels;
    for (let i = 0; i < data.length; i++) o.observe(data[i]);
    return;
  }
  if (width > MAX_OUTPUT_COLUMNS) return;
  for (let j = 0; j < width; j++) {
    const o = mon.output(`${name}[${j}]`);
    o.isLabelNumber = labels;
    for (let r = 0; r < rows; r++) o.observe(data[r * width + j]);
  }
}

interface OipOutput {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
  readonly data: readonly unknown[];
}

/** The outputs of an OIP inference response (values that are not tensors, sent as JSON text, are left out). */
export function observeOipResponse(mon: DriftMonitor, model: ModelVersion, payload: unknown): void {
  const outputs = isPlainObject(payload) && Array.isArray(payload.outputs) ? (payload.outputs as OipOutput[]) : [];
  for (const out of outputs) {
    const port = model.outputIndex.get(out.name);
    if (port === undefined || port.dtype === null) continue;
    const rows = out.shape.length === 0 ? 1 : out.shape[0];
    const data = out.data.length === 0 || !Array.isArray(out.data[0]) ? out.data : elementsOf(out.data);
    observeOutputColumns(mon, out.name, data, rows, INTEGER_DATATYPES.has(out.datatype) || (isRecordModel(model) && INTEGER_TYPES.has(port.type)));
  }
}

/** The `predictions` of an /invocations response: per instance, an output's value or an object of outputs. */
export function observeInvocationResponse(mon: DriftMonitor, model: ModelVersion, payload: unknown): void {
  const predictions = isPlainObject(payload) ? payload.predictions : undefined;
  if (!Array.isArray(predictions)) return;
  const single = model.outputs.length === 1 ? model.outputs[0] : undefined;
  const record = isRecordModel(model);
  for (const p of predictions) {
    const entries = record || (single === undefined && isPlainObject(p)) ? Object.entries(p as Record<string, unknown>) : single === undefined ? [] : [[single.name, p] as const];
    for (const [name, v] of entries) {
      const port = model.outputIndex.get(name);
      if (port === undefined || (!record && port.dtype === null)) continue;
      const labels = INTEGER_TYPES.has(port.dtype ?? '') || (record && INTEGER_TYPES.has(port.type));
      if (Array.isArray(v)) observeOutputColumns(mon, name, elementsOf(v), 1, labels);
      else {
        const o = mon.output(name);
        o.isLabelNumber = labels;
        o.observe(v);
      }
    }
  }
}
