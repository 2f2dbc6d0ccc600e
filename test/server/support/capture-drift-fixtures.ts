// Shared by the capture and drift tests (lifecycle-capture*.test.ts, lifecycle-drift*.test.ts):
// a small PMML classifier with numeric and categorical inputs, seeded data drawn like
// its training data (or shifted), and a model repository directory laid out as a
// server's (models/<name>/<version>/model.mjs + baseline.json) without bundling a server.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateModule, loadProgramFromBytes } from '../../../src/api.js';
import { compileBaseline } from '../../../src/baseline-compile.js';
import { BASELINE_FILE, baselineText } from '../../../runtime/server/baseline.js';
import { ModelRepository, describeModel, type ModelModule, type ModelVersion } from '../../../runtime/server/models-repository.js';

/** logit(yes) = -1 + x1 + 0.5·x2 + color effect; x1 ~ N(0, 1), x2 ~ U(0, 10), color ∈ {red, green, blue}. */
export const DRIFT_PMML = `<?xml version="1.0" encoding="UTF-8"?>
<PMML version="4.4" xmlns="http://www.dmg.org/PMML-4_4">
  <Header description="drift test model"/>
  <DataDictionary numberOfFields="4">
    <DataField name="x1" optype="continuous" dataType="double"/>
    <DataField name="x2" optype="continuous" dataType="double"/>
    <DataField name="color" optype="categorical" dataType="string">
      <Value value="red"/><Value value="green"/><Value value="blue"/>
    </DataField>
    <DataField name="label" optype="categorical" dataType="string">
      <Value value="yes"/><Value value="no"/>
    </DataField>
  </DataDictionary>
  <RegressionModel modelName="drifty" functionName="classification" normalizationMethod="logit">
    <MiningSchema>
      <MiningField name="x1"/>
      <MiningField name="x2"/>
      <MiningField name="color" invalidValueTreatment="asIs"/>
      <MiningField name="label" usageType="target"/>
    </MiningSchema>
    <RegressionTable intercept="-1" targetCategory="yes">
      <NumericPredictor name="x1" coefficient="1"/>
      <NumericPredictor name="x2" coefficient="0.5"/>
      <CategoricalPredictor name="color" value="red" coefficient="0.3"/>
      <CategoricalPredictor name="color" value="green" coefficient="-0.2"/>
      <CategoricalPredictor name="color" value="blue" coefficient="0.1"/>
    </RegressionTable>
    <RegressionTable intercept="0" targetCategory="no"/>
  </RegressionModel>
</PMML>
`;

/** A small deterministic PRNG (LCG): the tests' data is the same on every run. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 4294967296;
  };
}

export interface DrawOptions {
  /** Added to x1 (in units of its standard deviation, 1). */
  readonly shiftX1?: number;
  /** Multiplies x2's range. */
  readonly scaleX2?: number;
  /** Share of colors replaced by "purple" (never in the baseline). */
  readonly unseen?: number;
  /** Share of x1 values left missing (null). */
  readonly missing?: number;
}

export interface Row { x1: number | null; x2: number; color: string }

export function drawRows(n: number, seed: number, o: DrawOptions = {}): Row[] {
  const r = seededRandom(seed);
  const colors = ['red', 'green', 'blue'];
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const g = Math.sqrt(-2 * Math.log(r() + 1e-12)) * Math.cos(2 * Math.PI * r());
    const x1 = r() < (o.missing ?? 0) ? null : g + (o.shiftX1 ?? 0);
    const x2 = r() * 10 * (o.scaleX2 ?? 1);
    const color = r() < (o.unseen ?? 0) ? 'purple' : colors[Math.floor(r() * 3)];
    rows.push({ x1, x2, color });
  }
  return rows;
}

export function rowsCsv(rows: readonly Row[]): string {
  return `x1,x2,color\n${rows.map((r) => `${r.x1 ?? ''},${r.x2},${r.color}`).join('\n')}\n`;
}

/** An OIP request body for the rows (one tensor per field). */
export function oipBody(rows: readonly Row[]): unknown {
  return {
    inputs: [
      { name: 'x1', shape: [rows.length], datatype: 'FP64', data: rows.map((r) => r.x1) },
      { name: 'x2', shape: [rows.length], datatype: 'FP64', data: rows.map((r) => r.x2) },
      { name: 'color', shape: [rows.length], datatype: 'BYTES', data: rows.map((r) => r.color) },
    ],
  };
}

/**
 * Compiles a model (bytes) into `<modelsDir>/<name>/<version>/model.mjs` with its baseline
 * (from `dataFile`, or what the model declares), and returns the loaded version.
 */
export async function compileVersion(modelsDir: string, name: string, version: string, bytes: Uint8Array, file: string, dataFile?: string): Promise<ModelVersion> {
  const program = loadProgramFromBytes(bytes, file);
  const compiled = await generateModule(program, { version });
  const dir = join(modelsDir, name, version);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.mjs'), compiled.files['model.mjs']);
  const baseline = await compileBaseline(program, dataFile, compiled.files['model.mjs']);
  if (baseline !== undefined) writeFileSync(join(dir, BASELINE_FILE), baselineText(baseline));
  const module = (await import(pathToFileURL(join(dir, 'model.mjs')).href)) as ModelModule;
  return describeModel(name, version, module);
}

export function repositoryOf(...versions: ModelVersion[]): ModelRepository {
  const repo = new ModelRepository();
  for (const v of versions) repo.add(v);
  return repo;
}

/** The value of one series in Prometheus text (undefined when absent). */
export function metricValue(text: string, name: string, labels: Readonly<Record<string, string>>): number | undefined {
  const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const brace = line.indexOf('}');
    const labelText = brace < 0 ? '' : line.slice(name.length + 1, brace);
    const parts = labelText === '' ? [] : labelText.split(/,(?=[a-z_]+=")/);
    if (want.every((w) => parts.includes(w))) return Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return undefined;
}
