// Compiles model bytes through the real pipeline and imports the generated ESM module.

import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';
import { generateModule, loadProgramFromBytes } from '../../src/api.js';

export interface PublicTensor { type: string; dims: number[]; data: ArrayLike<unknown> }
export interface LoadedModule {
  run(feeds: Record<string, unknown>): Record<string, PublicTensor>;
  predictBatch(feeds: Record<string, unknown>[]): Record<string, PublicTensor>[];
  metadata: Record<string, unknown>;
}

const dir = join(tmpdir(), `mlcompile-tests-${process.pid}`);

export async function compileBytes(bytes: Uint8Array, file = 'model.onnx', optimize = true): Promise<{ mod: LoadedModule; files: Readonly<Record<string, string>> }> {
  const program = loadProgramFromBytes(bytes, file, { optimize });
  const compiled = await generateModule(program);
  mkdirSync(dir, { recursive: true });
  const hash = createHash('sha256').update(compiled.files['model.mjs']).digest('hex').slice(0, 16);
  const path = join(dir, `${hash}.mjs`);
  writeFileSync(path, compiled.files['model.mjs']);
  const mod = (await import(pathToFileURL(path).href)) as LoadedModule;
  return { mod, files: compiled.files };
}
