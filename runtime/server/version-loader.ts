// Loads one version directory, `<models>/<name>/<version>/`, for serving while the
// server runs, and refuses it, with a reason, when it is not fit to serve:
//   - incomplete: its manifest.json (the compiler's completion marker, written last)
//     lists files whose sha256 differs (a copy still in progress), or model.mjs is missing
//     (other listed files may be left out, as the container image leaves out the sources);
//     without a manifest (a directory made by hand), model.mjs must exist;
//   - its module throws when imported, has no usable metadata, or exports no function;
//   - a smoke call with neutral inputs fails with a JavaScript error (TypeError,
//     ReferenceError): the module is broken, not merely picky about its input.
// Nothing here touches the repository: the caller swaps the version in on success.

import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describeModel, isRecordModel, type ModelModule, type ModelVersion } from './models-repository.js';

/** Why a version directory was not loaded (the message is the reason the repository index shows). */
export class VersionRefusedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'VersionRefusedError';
  }
}

/** Identifies the content of a version directory cheaply (inode, mtime and size of its two key files). */
export function versionFingerprint(dir: string): string {
  const part = (file: string): string => {
    try {
      const s = statSync(join(dir, file));
      return `${s.ino}:${s.mtimeMs}:${s.size}`;
    } catch {
      return '-';
    }
  };
  return `${part('manifest.json')}|${part('model.mjs')}`;
}

/** Checks the directory against its manifest.json, if it has one. */
function checkComplete(dir: string): void {
  const manifestFile = join(dir, 'manifest.json');
  if (!existsSync(manifestFile)) {
    if (!existsSync(join(dir, 'model.mjs'))) throw new VersionRefusedError('incomplete: no model.mjs and no manifest.json');
    return;
  }
  let files: unknown;
  try {
    files = (JSON.parse(readFileSync(manifestFile, 'utf8')) as { files?: unknown }).files;
  } catch (e) {
    throw new VersionRefusedError(`incomplete: manifest.json is not valid JSON (${(e as Error).message})`);
  }
  if (typeof files !== 'object' || files === null || Array.isArray(files)) throw new VersionRefusedError('incomplete: manifest.json lists no files');
  const listed = files as Record<string, unknown>;
  if (!('model.mjs' in listed)) throw new VersionRefusedError('incomplete: manifest.json does not list model.mjs');
  for (const [file, sha] of Object.entries(listed)) {
    // Only plain names: a manifest must not make the server read outside the directory.
    if (!/^[A-Za-z0-9._-]+$/.test(file) || file.startsWith('..')) throw new VersionRefusedError(`manifest.json lists an unusable file name ${JSON.stringify(file)}`);
    const path = join(dir, file);
    if (!existsSync(path)) {
      // Only model.mjs is needed to serve: a container image leaves the sources out (.dockerignore).
      if (file === 'model.mjs') throw new VersionRefusedError(`incomplete: ${file} is missing`);
      continue;
    }
    if (typeof sha === 'string' && createHash('sha256').update(readFileSync(path)).digest('hex') !== sha) {
      throw new VersionRefusedError(`incomplete: ${file} does not match the sha256 in manifest.json (still being written, or changed)`);
    }
  }
}

const ELEMENT_ARRAYS: Readonly<Record<string, (n: number) => unknown>> = {
  float32: (n) => new Float32Array(n), float64: (n) => new Float64Array(n), float16: (n) => new Uint16Array(n),
  int8: (n) => new Int8Array(n), uint8: (n) => new Uint8Array(n), int16: (n) => new Int16Array(n), uint16: (n) => new Uint16Array(n),
  int32: (n) => new Int32Array(n), uint32: (n) => new Uint32Array(n), int64: (n) => new BigInt64Array(n), uint64: (n) => new BigUint64Array(n),
  bool: (n) => new Uint8Array(n), string: (n) => new Array<string>(n).fill(''),
};

/** Neutral feeds for a smoke call: zeros shaped by the metadata (symbolic dims 1), or an empty record; undefined when there are none to make. */
function smokeFeeds(v: ModelVersion): Record<string, unknown> | undefined {
  // PFA engines keep state (cells, pools): a smoke call would change what the first request sees.
  if (v.format === 'pfa') return undefined;
  if (isRecordModel(v)) return {};
  const feeds: Record<string, unknown> = {};
  for (const p of v.inputs) {
    const make = p.dtype === null ? undefined : ELEMENT_ARRAYS[p.dtype];
    if (make === undefined || p.dims === null) return undefined;
    const dims = p.dims.map((d) => (d < 0 ? 1 : d));
    const n = dims.reduce((a, b) => a * b, 1);
    if (n > 1 << 24) return undefined;
    feeds[p.name] = { type: p.dtype, dims, data: make(n) };
  }
  return feeds;
}

/** Calls the model once; only errors that mean a broken module (not a refused input) refuse the version. */
function smokeCall(v: ModelVersion): void {
  const feeds = smokeFeeds(v);
  if (feeds === undefined) return;
  try {
    v.call(feeds);
  } catch (e) {
    if (e instanceof TypeError || e instanceof ReferenceError) throw new VersionRefusedError(`the module fails when called: ${e.name}: ${e.message}`);
  }
}

/** Times each module file was imported: a re-import needs a new URL, or Node answers from its module cache. */
const imports = new Map<string, number>();

/** Imports and checks `<modelsDir>/<name>/<version>/`; throws VersionRefusedError naming what is wrong. */
export async function loadVersion(modelsDir: string, name: string, version: string): Promise<ModelVersion> {
  const dir = join(modelsDir, name, version);
  checkComplete(dir);
  const file = join(dir, 'model.mjs');
  const count = imports.get(file) ?? 0;
  imports.set(file, count + 1);
  const url = pathToFileURL(file).href + (count === 0 ? '' : `?reload=${count}`);
  let module: ModelModule;
  try {
    module = (await import(url)) as ModelModule;
  } catch (e) {
    throw new VersionRefusedError(`model.mjs throws on load: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
  }
  let v: ModelVersion;
  try {
    v = describeModel(name, version, module);
  } catch (e) {
    throw new VersionRefusedError((e as Error).message.replace(/^model [^:]*: /, ''));
  }
  if (typeof module.metadata.name !== 'string' || typeof module.metadata.format !== 'string') {
    throw new VersionRefusedError('the module metadata has no name or format');
  }
  smokeCall(v);
  return v;
}
