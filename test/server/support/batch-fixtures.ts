// Shared by test/server/batch-*.test.ts: fixture models compiled once per process
// (the ONNX mlp, PMML models), an in-process app with batch settings, and data
// files made from the fixtures.

import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL, fileURLToPath } from 'node:url';
import { buildApp, type AppOptions } from '../../../runtime/server/app.js';
import { ModelRepository, describeModel, type ModelModule } from '../../../runtime/server/models-repository.js';
import { generateModule, loadProgram } from '../../../src/api.js';

export const FIXTURES = fileURLToPath(new URL('../../../fixtures/', import.meta.url));
export const MLP_ONNX = join(FIXTURES, 'onnx', 'mlp', 'model.onnx');
export const PMML_TREATMENTS = join(FIXTURES, 'pmml', 'core-invalid-treatments', 'model.pmml');
export const PMML_TREE = join(FIXTURES, 'pmml', 'tree-missing-strategies', 'model.pmml');

const dir = join(tmpdir(), `mlcompile-batch-tests-${process.pid}`);
const cache = new Map<string, Promise<ModelModule>>();
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

/** Compiles a model file and imports its module (once per file and process). */
export function moduleOf(file: string): Promise<ModelModule> {
  let m = cache.get(file);
  if (m === undefined) {
    m = (async () => {
      const compiled = await generateModule(loadProgram(file));
      mkdirSync(dir, { recursive: true });
      const path = join(dir, `${cache.size}-${file.split('/').slice(-2).join('-')}.mjs`);
      writeFileSync(path, compiled.files['model.mjs']);
      return (await import(pathToFileURL(path).href)) as ModelModule;
    })();
    cache.set(file, m);
  }
  return m;
}

export async function appWith(models: Readonly<Record<string, ModelModule>>, opts: Partial<AppOptions> = {}) {
  const repo = new ModelRepository();
  for (const [name, mod] of Object.entries(models)) repo.add(describeModel(name, '1', mod));
  const built = buildApp({ repository: repo, state: { ready: true }, ...opts });
  await built.app.ready();
  return built;
}

export interface FixtureTensor { type: string; dims: number[]; data: number[] }

/** The mlp fixture's samples, one [4] feature row each. */
export function mlpSamples(): number[][] {
  const lines = readFileSync(join(FIXTURES, 'onnx', 'mlp', 'inputs.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '');
  return lines.flatMap((l) => {
    const f = (JSON.parse(l) as Record<string, FixtureTensor>).features;
    return Array.from({ length: f.dims[0] }, (_, i) => f.data.slice(i * 4, i * 4 + 4));
  });
}

/** `n` rows of features, cycling through the fixture's samples with a small deterministic change per row. */
export function featureRows(n: number): number[][] {
  const base = mlpSamples();
  return Array.from({ length: n }, (_, i) => base[i % base.length].map((x, j) => Math.fround(x + ((i * 7 + j) % 13) / 16)));
}

export function featuresCsv(rows: readonly (readonly number[])[], header = 'f0,f1,f2,f3'): string {
  return `${header}\n${rows.map((r) => r.join(',')).join('\n')}\n`;
}

export function featuresJsonl(rows: readonly (readonly number[])[]): string {
  return rows.map((r, i) => JSON.stringify({ id: i, features: { type: 'float32', dims: [1, 4], data: r } })).join('\n') + '\n';
}

export function parseJsonl(text: string): Record<string, unknown>[] {
  return text.split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>);
}
