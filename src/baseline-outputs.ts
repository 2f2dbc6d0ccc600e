// The prediction side of a drift baseline: the model is run on the baseline data at
// compile time, and each numeric output gets quantile bins (as numeric features do,
// src/baseline.ts), so the server's prediction histogram has the baseline's buckets
// and a prediction PSI (runtime/server/drift.ts).
//
// Covered: PMML models (a record per row) and tensor models whose every input is
// covered by the baseline's float features (a batch-of-one feed per row). Outputs:
// PMML double/float fields; float tensors, one per column up to 16 columns. Labels
// need no baseline (the server counts them). A model that cannot be run on the data
// gets no output bins; the features' baseline is kept.

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BaselineOutput } from '../runtime/server/baseline.js';
import type { FieldSpec } from './api.js';
import { numericStats, toNumber, type BaselineTable } from './baseline.js';

const FLOAT_TENSORS = new Set(['float32', 'float64']);
const PMML_NUMERIC_OUTPUTS = new Set(['double', 'float']);
/** Outputs with more columns than this are left out (as the server does). */
const MAX_OUTPUT_COLUMNS = 16;

interface RunnableModule {
  predict(input: Record<string, unknown>): unknown;
  run?(feeds: Record<string, unknown>): Record<string, unknown>;
}

/** Values per output name (`out` or `out[j]`), in row order. */
type Collected = Map<string, number[]>;

function push(into: Collected, name: string, v: unknown): void {
  if (typeof v !== 'number' || !Number.isFinite(v)) return;
  const list = into.get(name);
  if (list === undefined) into.set(name, [v]);
  else list.push(v);
}

function scoreRecords(mod: RunnableModule, outputs: readonly FieldSpec[], t: BaselineTable): Collected {
  const numeric = outputs.filter((o) => PMML_NUMERIC_OUTPUTS.has(o.type));
  const into: Collected = new Map();
  if (numeric.length === 0) return into;
  for (let r = 0; r < t.rows; r++) {
    const record: Record<string, unknown> = {};
    t.slots.forEach((s, i) => {
      const v = t.columns[i][r];
      record[s.input] = s.kind === 'numeric' ? toNumber(v) : v === '' ? null : v;
    });
    const result = mod.predict(record) as Record<string, unknown> | null;
    if (result === null || typeof result !== 'object') continue;
    for (const o of numeric) push(into, o.name, result[o.name]);
  }
  return into;
}

function scoreTensors(mod: RunnableModule, inputs: readonly FieldSpec[], outputs: readonly FieldSpec[], t: BaselineTable): Collected {
  const into: Collected = new Map();
  const run = mod.run;
  if (typeof run !== 'function') return into;
  // Every input: a float tensor whose columns are all baseline features.
  const plans = inputs.map((f) => {
    const slots = t.slots.map((s, i) => ({ s, i })).filter(({ s }) => s.input === f.name);
    const tail = f.shape === null ? [] : f.shape.slice(1);
    const ok = FLOAT_TENSORS.has(f.type) && slots.length > 0 && slots.every(({ s }) => s.kind === 'numeric') && tail.every((d) => typeof d === 'number');
    return ok ? { f, slots, dims: f.shape !== null && f.shape.length <= 1 ? [1] : [1, ...(tail as number[])] } : undefined;
  });
  if (plans.some((p) => p === undefined)) return into;
  const floats = outputs.filter((o) => FLOAT_TENSORS.has(o.type));
  for (let r = 0; r < t.rows; r++) {
    const feeds: Record<string, unknown> = {};
    for (const p of plans) {
      if (p === undefined) continue;
      const data = p.f.type === 'float32' ? new Float32Array(p.slots.length) : new Float64Array(p.slots.length);
      p.slots.forEach(({ s, i }, j) => { data[s.column ?? j] = toNumber(t.columns[i][r]) ?? Number.NaN; });
      feeds[p.f.name] = { type: p.f.type, dims: p.dims, data };
    }
    const results = run(feeds);
    for (const o of floats) {
      const v = results[o.name] as { data?: ArrayLike<number> } | undefined;
      const data = v?.data;
      if (data === undefined) continue;
      if (data.length === 1) push(into, o.name, data[0]);
      else if (data.length <= MAX_OUTPUT_COLUMNS) for (let j = 0; j < data.length; j++) push(into, `${o.name}[${j}]`, data[j]);
    }
  }
  return into;
}

/** Bins of each numeric output over the baseline data, or [] when the model cannot be run on it. */
export async function outputBaselines(moduleText: string, format: string, inputs: readonly FieldSpec[], outputs: readonly FieldSpec[], table: BaselineTable): Promise<BaselineOutput[]> {
  const dir = mkdtempSync(join(tmpdir(), 'mlcompile-baseline-'));
  try {
    const file = join(dir, 'model.mjs');
    writeFileSync(file, moduleText);
    const mod = (await import(pathToFileURL(file).href)) as RunnableModule;
    const collected = format === 'pmml' ? scoreRecords(mod, outputs, table) : scoreTensors(mod, inputs, outputs, table);
    const out: BaselineOutput[] = [];
    for (const [name, values] of collected) {
      const f = numericStats({ name, input: name, kind: 'numeric' }, values);
      if (f.kind === 'numeric' && f.proportions !== null) out.push({ name, edges: f.edges, proportions: f.proportions });
    }
    return out;
  } catch {
    // The model refused the data (a PMML returnInvalid everywhere, a shape it does not take): no output bins.
    return [];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
