// Small text helpers for the CLI's summaries.

import { existsSync, statSync } from 'node:fs';
import { dirname, extname, resolve } from 'node:path';
import type { FieldSpec } from '../api.js';
import { dataFormatOf } from '../validate/read-inputs.js';
import { isCompiledDir } from '../validate/predict.js';
import { UsageError } from './errors.js';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

export function formatDuration(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

/** `float32[N,4]`, `int64[?]`, or the printed IR type for non-tensors. */
export function formatType(f: FieldSpec): string {
  // PMML fields: the PMML dataType, optype and role (generators/module/emit-pmml-dts.ts).
  const pmml = f as FieldSpec & { optype?: unknown; usageType?: unknown; feature?: unknown; values?: unknown };
  if (typeof pmml.optype === 'string') {
    const role = typeof pmml.feature === 'string' ? `, ${pmml.feature}` : typeof pmml.usageType === 'string' && pmml.usageType !== 'active' ? `, ${pmml.usageType}` : '';
    const values = Array.isArray(pmml.values) ? `, ${pmml.values.length} value${pmml.values.length === 1 ? '' : 's'}` : '';
    return `${f.type} (${pmml.optype}${role}${values})`;
  }
  if (f.shape === null) return f.type;
  return `${f.type}[${f.shape.map((d) => (d === null ? '?' : String(d))).join(',')}]`;
}

export function formatFields(fields: readonly FieldSpec[], indent = '  '): string[] {
  const width = Math.max(0, ...fields.map((f) => JSON.stringify(f.name).length));
  return fields.map((f) => `${indent}${JSON.stringify(f.name).padEnd(width)}  ${formatType(f)}`);
}

/** A model argument: an existing file, or (when allowed) a compiled module directory. */
export function checkModelPath(path: string, allowCompiledDir: boolean): void {
  if (!existsSync(path)) throw new UsageError(`model file not found: ${path}`);
  if (statSync(path).isDirectory()) {
    if (!allowCompiledDir) throw new UsageError(`${path} is a directory; give the model file`);
    if (!isCompiledDir(path)) throw new UsageError(`${path} is a directory without model.mjs; give a model file or a directory written by "mlcompile <model-file>"`);
  }
}

/** A data file flag (--inputs, --expected): must exist and be .csv or .jsonl. */
export function checkDataFile(path: string, flag: string): void {
  if (!existsSync(path)) throw new UsageError(`${flag} file not found: ${path}`);
  if (!statSync(path).isFile()) throw new UsageError(`${flag} ${path} is not a file`);
  if (dataFormatOf(path) === undefined) {
    throw new UsageError(`${flag} ${path}: unknown format "${extname(path)}"; use .csv (with a header row) or .jsonl (JSON Lines)`);
  }
}

/** A file to write (--out, --report): its directory must exist and it must not be a directory. */
export function checkOutputFile(path: string, flag: string): void {
  if (existsSync(path) && statSync(path).isDirectory()) throw new UsageError(`${flag} ${path} is a directory; give a file name`);
  const dir = dirname(resolve(path));
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${flag} ${path}: directory ${dir} does not exist`);
}

/** An output directory (--out of compile): may exist, but not as a file. */
export function checkOutputDir(path: string, flag: string): void {
  if (existsSync(path) && !statSync(path).isDirectory()) throw new UsageError(`${flag} ${path} exists and is not a directory`);
}

/** A directory name derived from a model name: no separators, no leading dots. */
export function safeDirName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._]+/, '');
  return s === '' ? 'model' : s;
}
