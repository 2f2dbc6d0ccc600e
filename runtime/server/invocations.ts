// POST /invocations bodies (the SageMaker container contract, and MLflow's scoring
// server forms) → module feeds, and results → `predictions`.
//
// Row forms give one prediction per row: {"instances": [...]}, a bare JSON array,
// {"dataframe_split": {"columns", "data"}}, {"dataframe_records": [...]} and CSV.
// Each row maps input names to values (or is the value itself for a single-input
// model). A row value is one row of the input (its rank is the input's minus one,
// and rows are stacked into one batch when the leading dim allows), or a whole
// tensor (the input's rank, or {type, dims, data}: scored alone).
// The columnar form {"inputs": ...} gives whole tensors, scored in one call.
//
// Predictions follow TensorFlow Serving's REST convention (which MLflow follows):
// the output's value for a single-output model, else an object of outputs.

import { serverError } from './errors.js';
import type { ModelVersion, Port } from './models-repository.js';
import {
  elementCount, encodeElements, flattenData, inferShape, isTensorLike, jsonElements, nestElements, toJsonValue, type PublicData,
} from './tensor-codec.js';

type Row = Record<string, unknown>;

export type Invocation =
  | { readonly kind: 'rows'; readonly rows: readonly Row[] }
  | { readonly kind: 'columns'; readonly inputs: Row };

const FORMS = 'send {"instances": [...]}, {"inputs": ...}, {"dataframe_split": {"columns": [...], "data": [[...]]}}, {"dataframe_records": [...]} or CSV text (Content-Type: text/csv)';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function inputList(model: ModelVersion): string {
  return model.inputs.map((p) => JSON.stringify(p.name)).join(', ');
}

function checkNames(model: ModelVersion, keys: readonly string[], what: string): void {
  for (const k of keys) {
    if (!model.inputIndex.has(k)) serverError('MLS_ERR_BAD_INPUT_NAME', `${what}: "${k}" is not an input of model "${model.name}" (inputs: ${inputList(model)})`);
  }
  for (const p of model.inputs) {
    if (p.dtype !== null && !keys.includes(p.name)) serverError('MLS_ERR_BAD_INPUT_NAME', `${what}: input "${p.name}" is missing`);
  }
}

/** A value for every input: an object keyed by input name, or the value itself for a single-input model. */
function toRow(model: ModelVersion, v: unknown, what: string): Row {
  if (isPlainObject(v) && !isTensorLike(v)) {
    const keys = Object.keys(v);
    // A single map-typed input (ONNX-ML DictVectorizer...) takes the object itself.
    const single = model.inputs.length === 1 ? model.inputs[0] : undefined;
    if (single !== undefined && single.dtype === null && !(keys.length === 1 && keys[0] === single.name)) return { [single.name]: v };
    checkNames(model, keys, what);
    return v;
  }
  if (model.inputs.length !== 1) {
    serverError('MLS_ERR_BAD_INVOCATION', `${what}: model "${model.name}" has ${model.inputs.length} inputs (${inputList(model)}); give an object mapping input names to values`);
  }
  return { [model.inputs[0].name]: v };
}

/** Rows of a table: columns naming the inputs give one value per input; otherwise a single input takes the whole row. */
function tableRows(model: ModelVersion, columns: readonly string[] | undefined, data: readonly unknown[], what: string): Row[] {
  const named = columns !== undefined && columns.length > 0 && columns.every((c) => model.inputIndex.has(c));
  if (named) {
    checkNames(model, columns, what);
    return data.map((r, i) => {
      if (!Array.isArray(r) || r.length !== columns.length) serverError('MLS_ERR_BAD_INVOCATION', `${what}: row ${i} must be an array of ${columns.length} values`);
      const row: Row = {};
      for (let j = 0; j < columns.length; j++) row[columns[j]] = r[j];
      return row;
    });
  }
  if (model.inputs.length !== 1) {
    serverError('MLS_ERR_BAD_INVOCATION', `${what}: model "${model.name}" has ${model.inputs.length} inputs; the columns must be its input names (${inputList(model)})`);
  }
  const name = model.inputs[0].name;
  return data.map((r, i) => {
    if (!Array.isArray(r)) serverError('MLS_ERR_BAD_INVOCATION', `${what}: row ${i} is not an array`);
    return { [name]: r };
  });
}

const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function csvCell(s: string): unknown {
  const t = s.trim();
  if (t === '') return null;
  return NUMBER.test(t) ? Number(t) : t;
}

/** RFC 4180 records (quoted fields with "" escapes), blank lines skipped. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  let any = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') { field += '"'; i++; } else quoted = false;
      } else field += c;
      continue;
    }
    if (c === '"') { quoted = true; any = true; } else if (c === ',') { row.push(field); field = ''; any = true; } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      if (any || field !== '') { row.push(field); rows.push(row); }
      row = []; field = ''; any = false;
    } else { field += c; any = true; }
  }
  if (quoted) serverError('MLS_ERR_BAD_INVOCATION', 'CSV: a quoted field is not closed');
  if (any || field !== '') { row.push(field); rows.push(row); }
  return rows;
}

function csvInvocation(model: ModelVersion, text: string): Invocation {
  const cells = parseCsv(text);
  if (cells.length === 0) return { kind: 'rows', rows: [] };
  const first = cells[0];
  const textual = first.every((c) => !NUMBER.test(c.trim()));
  const stringInputs = model.inputs.some((p) => p.dtype === 'string');
  // A header row: cells naming the inputs, or any non-numeric row when the inputs are numbers.
  const header = textual && (first.every((c) => model.inputIndex.has(c.trim())) || !stringInputs);
  const columns = header ? first.map((c) => c.trim()) : undefined;
  const data = (header ? cells.slice(1) : cells).map((r) => r.map(csvCell));
  return { kind: 'rows', rows: tableRows(model, columns, data, 'CSV') };
}

/** Recognises the body's form and turns it into rows or columns of input values. */
export function parseInvocation(model: ModelVersion, body: unknown): Invocation {
  if (typeof body === 'string') return csvInvocation(model, body);
  if (Array.isArray(body)) return { kind: 'rows', rows: body.map((v, i) => toRow(model, v, `instance ${i}`)) };
  if (!isPlainObject(body)) return serverError('MLS_ERR_BAD_INVOCATION', `unrecognised body; ${FORMS}`);
  if ('instances' in body) {
    const inst = body.instances;
    if (!Array.isArray(inst)) serverError('MLS_ERR_BAD_INVOCATION', '"instances" must be an array (one entry per instance)');
    return { kind: 'rows', rows: inst.map((v, i) => toRow(model, v, `instance ${i}`)) };
  }
  if ('inputs' in body) return { kind: 'columns', inputs: toRow(model, body.inputs, '"inputs"') };
  if ('dataframe_split' in body) {
    const df = body.dataframe_split;
    if (!isPlainObject(df) || !Array.isArray(df.data)) serverError('MLS_ERR_BAD_INVOCATION', '"dataframe_split" must be an object with a "data" array of rows');
    const columns = df.columns;
    if (columns !== undefined && !(Array.isArray(columns) && columns.every((c) => typeof c === 'string'))) {
      serverError('MLS_ERR_BAD_INVOCATION', '"dataframe_split.columns" must be an array of strings');
    }
    return { kind: 'rows', rows: tableRows(model, columns, df.data, 'dataframe_split') };
  }
  if ('dataframe_records' in body) {
    const recs = body.dataframe_records;
    if (!Array.isArray(recs) || !recs.every(isPlainObject)) serverError('MLS_ERR_BAD_INVOCATION', '"dataframe_records" must be an array of objects');
    const columns: string[] = [];
    for (const r of recs) for (const k of Object.keys(r)) if (!columns.includes(k)) columns.push(k);
    return { kind: 'rows', rows: tableRows(model, columns, recs.map((r) => columns.map((c) => r[c] ?? null)), 'dataframe_records') };
  }
  return serverError('MLS_ERR_BAD_INVOCATION', `unrecognised body (keys ${Object.keys(body).map((k) => JSON.stringify(k)).join(', ') || 'none'}); ${FORMS}`);
}

/** How one tensor input's row values fit its declared dims. */
interface Fit {
  readonly port: Port;
  /** 'row': each value is one row of a batch; 'whole': each value is the whole tensor. */
  readonly mode: 'row' | 'whole';
  /** Shape of one row as given (row mode). */
  readonly given: readonly number[];
  /** Shape of one row in the tensor (given, plus a trailing 1 when the input's last dim is 1 and values are one rank short). */
  readonly row: readonly number[];
}

function fitInput(port: Port, values: readonly unknown[]): Fit {
  const first = values[0];
  if (isTensorLike(first) || port.dims === null) return { port, mode: 'whole', given: [], row: [] };
  const given = inferShape(first, `input "${port.name}"`);
  const dims = port.dims;
  const r = dims.length;
  let fit: Fit | undefined;
  if (given.length === r - 1) fit = { port, mode: 'row', given, row: given };
  else if (given.length === r - 2 && dims[r - 1] === 1) fit = { port, mode: 'row', given, row: [...given, 1] };
  else if (given.length === r) fit = { port, mode: 'whole', given, row: given };
  if (fit !== undefined) {
    const want = fit.mode === 'row' ? dims.slice(1) : dims;
    if (fit.row.some((d, i) => want[i] >= 0 && want[i] !== d)) {
      const shown = want.map((d) => (d < 0 ? -1 : d));
      serverError('MLS_ERR_BAD_TENSOR_SHAPE', `input "${port.name}" has shape ${JSON.stringify(port.shape)}: each instance must give ${fit.mode === 'row' ? 'a row' : 'a tensor'} of shape ${JSON.stringify(shown)}, got ${JSON.stringify(fit.row)}`);
    }
    return fit;
  }
  return serverError('MLS_ERR_BAD_TENSOR_SHAPE',
    `input "${port.name}" has shape ${JSON.stringify(port.shape)}: each instance must give one row (rank ${r - 1}) or the whole tensor (rank ${r}), got rank ${given.length}`);
}

function wholeTensor(port: Port, v: unknown): unknown {
  if (isTensorLike(v)) return 'type' in v && v.type !== undefined ? v : { ...v, type: port.dtype };
  if (port.dtype === null) return v;
  const label = `input "${port.name}"`;
  const shape = inferShape(v, label);
  const flat = Array.isArray(v) ? flattenData(v, shape, label) : [v];
  return { type: port.dtype, dims: shape, data: encodeElements(flat, port.dtype, label) };
}

/** Stacks the row values of rows [from, to) into one tensor of dims [to - from, ...row]. */
function stackRows(fit: Fit, rows: readonly Row[], from: number, to: number): { type: string; dims: number[]; data: PublicData | number[] } {
  const port = fit.port;
  const size = elementCount(fit.given);
  const flat = new Array<unknown>((to - from) * size);
  let k = 0;
  for (let i = from; i < to; i++) {
    const v = rows[i][port.name];
    if (fit.given.length === 0) {
      if (Array.isArray(v)) serverError('MLS_ERR_BAD_TENSOR_SHAPE', `instance ${i}: input "${port.name}" must be a scalar like instance ${from}, got an array`);
      flat[k++] = v;
      continue;
    }
    if (!Array.isArray(v)) serverError('MLS_ERR_BAD_TENSOR_SHAPE', `instance ${i}: input "${port.name}" must be an array of shape ${JSON.stringify(fit.given)} like instance ${from}`);
    const elems = flattenData(v, fit.given, `instance ${i}, input "${port.name}"`);
    for (let j = 0; j < elems.length; j++) flat[k++] = elems[j];
  }
  const dtype = port.dtype as NonNullable<Port['dtype']>;
  return { type: dtype, dims: [to - from, ...fit.row], data: encodeElements(flat, dtype, (j) => `instance ${from + Math.floor(j / size)}, input "${port.name}": element ${j % size}`) };
}

/** A function giving row i of an output (its whole value when it is not batched along `n`). */
function rowsOf(value: unknown, n: number): (i: number) => unknown {
  if (isTensorLike(value) && Array.isArray(value.dims) && value.dims[0] === n) {
    const t = value as { type: string; dims: number[]; data: ArrayLike<unknown> };
    const elems = jsonElements(t);
    const rest = t.dims.slice(1);
    const size = elementCount(rest);
    return (i) => nestElements(elems, rest, i * size);
  }
  if (Array.isArray(value) && value.length === n) return (i) => toJsonValue(value[i]);
  const whole = toJsonValue(value);
  return () => whole;
}

export interface InvocationResult {
  readonly predictions: unknown;
  /** Seconds spent inside the model module. */
  readonly seconds: number;
}

function shapePrediction(model: ModelVersion, values: readonly unknown[]): unknown {
  if (model.outputs.length === 1) return values[0];
  const o: Record<string, unknown> = {};
  for (let j = 0; j < model.outputs.length; j++) o[model.outputs[j].name] = values[j];
  return o;
}

export function runInvocation(model: ModelVersion, inv: Invocation): InvocationResult {
  let seconds = 0;
  const call = (feeds: Record<string, unknown>): Record<string, unknown> => {
    const t0 = performance.now();
    const r = model.call(feeds);
    seconds += (performance.now() - t0) / 1000;
    return r;
  };
  if (inv.kind === 'columns') {
    const feeds: Record<string, unknown> = {};
    for (const p of model.inputs) {
      const v = inv.inputs[p.name];
      if (v === undefined) continue;
      let t = wholeTensor(p, v);
      // A single row given for a batched input: a batch of one.
      if (p.dims !== null && !isTensorLike(v) && isTensorLike(t) && Array.isArray(t.dims) && t.dims.length === p.dims.length - 1) {
        t = { ...t, dims: [1, ...t.dims] };
      }
      feeds[p.name] = t;
    }
    const results = call(feeds);
    return { predictions: shapePrediction(model, model.outputs.map((o) => toJsonValue(results[o.name]))), seconds };
  }

  const rows = inv.rows;
  const n = rows.length;
  if (n === 0) return { predictions: [], seconds };
  const tensorPorts = model.inputs.filter((p) => p.dtype !== null && rows[0][p.name] !== undefined);
  const fits = tensorPorts.map((p) => fitInput(p, rows.map((r) => r[p.name])));
  const modes = new Set(fits.map((f) => f.mode));
  if (modes.size > 1) {
    serverError('MLS_ERR_BAD_TENSOR_SHAPE', `instances mix rows and whole tensors: ${fits.map((f) => `"${f.port.name}" is a ${f.mode === 'row' ? 'row' : 'whole tensor'}`).join(', ')}`);
  }
  const others = model.inputs.filter((p) => p.dtype === null);
  const predictions = new Array<unknown>(n);
  // Rows when the tensor inputs give rows; an instance of only maps or sequences is one row too (a DictVectorizer's).
  const rowMode = fits.length > 0 ? fits[0].mode === 'row' : others.length > 0;
  // One call for the whole batch when every leading dim is free (or equals n) and nothing else needs a call per row.
  const batched = rowMode && others.length === 0 && fits.every((f) => {
    const d0 = (f.port.dims as readonly number[])[0];
    return d0 < 0 || d0 === n;
  });
  if (batched) {
    const feeds: Record<string, unknown> = {};
    for (const f of fits) feeds[f.port.name] = stackRows(f, rows, 0, n);
    const results = call(feeds);
    const splitters = model.outputs.map((o) => rowsOf(results[o.name], n));
    for (let i = 0; i < n; i++) predictions[i] = shapePrediction(model, splitters.map((s) => s(i)));
    return { predictions, seconds };
  }
  for (let i = 0; i < n; i++) {
    const feeds: Record<string, unknown> = {};
    for (const f of fits) feeds[f.port.name] = rowMode ? stackRows(f, rows, i, i + 1) : wholeTensor(f.port, rows[i][f.port.name]);
    for (const p of others) feeds[p.name] = rows[i][p.name];
    const results = call(feeds);
    predictions[i] = shapePrediction(model, model.outputs.map((o) => (rowMode ? rowsOf(results[o.name], 1)(0) : toJsonValue(results[o.name]))));
  }
  return { predictions, seconds };
}

/** Predictions as CSV: one line per prediction, its values flattened in output order. */
export function predictionsToCsv(predictions: unknown): string {
  const list = Array.isArray(predictions) ? predictions : [predictions];
  const lines: string[] = [];
  for (const p of list) {
    const cells: string[] = [];
    const stack: unknown[] = [p];
    while (stack.length > 0) {
      const v = stack.pop();
      if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
      else if (isPlainObject(v)) { const vals = Object.values(v); for (let i = vals.length - 1; i >= 0; i--) stack.push(vals[i]); }
      else if (typeof v === 'string') cells.push(/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
      else cells.push(v === null || v === undefined ? '' : String(v));
    }
    lines.push(cells.join(','));
  }
  return lines.join('\n') + (lines.length > 0 ? '\n' : '');
}
