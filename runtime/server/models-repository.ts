// The model repository: `<models>/<name>/<version>/model.mjs`, imported once at
// startup (and again for new directories on SIGHUP). Requests find a model with
// two Map lookups; everything a route needs about a model (ports, OIP metadata)
// is computed here, once.

import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { DType } from '../tensor/tensor.js';
import { ServerError } from './errors.js';
import { describeRecordPort } from './records.js';
import { isPfaModule, servePfaModule } from '../pfa/serving.js';
import { datatypeOf, isElementType } from './tensor-codec.js';

/** A module input or output as `metadata` describes it (generators/module/emit-program.ts). */
export interface FieldSpec {
  readonly name: string;
  readonly type: string;
  readonly shape: readonly (number | string | null)[] | null;
}

/** What the server needs from a generated module (CONTRACT §2). */
export interface ModelModule {
  readonly metadata: {
    readonly name: string;
    readonly version: string;
    readonly format: string;
    readonly source?: { readonly file: string; readonly sha256: string };
    readonly inputs: readonly FieldSpec[];
    readonly outputs: readonly FieldSpec[];
  };
  readonly run?: (feeds: Record<string, unknown>) => Record<string, unknown>;
  readonly predict: (input: Record<string, unknown>) => unknown;
  readonly predictBatch?: (inputs: Record<string, unknown>[]) => unknown[];
}

/** True for modules whose predict() takes and returns records (PMML, CONTRACT §2; PFA through runtime/pfa/serving.ts). */
export function isRecordModel(m: { readonly format: string }): boolean {
  return m.format === 'pmml' || m.format === 'pfa';
}

/** One input or output, described for the protocols. */
export interface Port {
  readonly name: string;
  /** The module's type name: an element type for tensors, else e.g. `seq<map<string, float32>>`. */
  readonly type: string;
  /** Element type of a tensor; null for sequences, maps and optionals. */
  readonly dtype: DType | null;
  /** Declared dims, -1 where symbolic or unknown; null when the rank is unknown or the value is not a tensor. */
  readonly dims: readonly number[] | null;
  /** Open Inference Protocol datatype (BYTES carries non-tensor values as JSON text). */
  readonly datatype: string;
  /** Open Inference Protocol shape: -1 for variable dims, [-1] when even the rank is unknown. */
  readonly shape: readonly number[];
}

export interface OipTensorMetadata {
  readonly name: string;
  readonly datatype: string;
  readonly shape: readonly number[];
}

export interface ModelVersion {
  readonly name: string;
  readonly version: string;
  readonly format: string;
  readonly platform: string;
  readonly sha256: string;
  readonly module: ModelModule;
  readonly inputs: readonly Port[];
  readonly outputs: readonly Port[];
  readonly inputIndex: ReadonlyMap<string, Port>;
  readonly outputIndex: ReadonlyMap<string, Port>;
  /** Calls the module: `run` for ONNX modules, `predict` otherwise. */
  readonly call: (feeds: Record<string, unknown>) => Record<string, unknown>;
  /** X-Model-Name, X-Model-Version and X-Model-Sha256, computed once (model-headers.ts sends them). */
  readonly headers: Readonly<Record<string, string>>;
}

interface ModelEntry {
  readonly name: string;
  readonly versions: Map<string, ModelVersion>;
  /** Versions in ascending natural order; the last one answers unversioned URLs. */
  ordered: string[];
  latest: ModelVersion;
  /** OIP model metadata responses by version ('' for the unversioned URL: the latest). */
  metadata: Map<string, Record<string, unknown>>;
}

/** Names and versions become URL segments and directory names: keep them plain. */
export const NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

/** Natural order: "2" < "10", "v2" < "v10"; plain code-unit order between other chunks (locale-independent). */
export function compareVersions(a: string, b: string): number {
  const ca = a.match(/\d+|\D+/g) ?? [];
  const cb = b.match(/\d+|\D+/g) ?? [];
  // Equal numbers spelt differently ("1" and "01") are ordered last, shorter first, so "01" follows "1" only.
  let tie = 0;
  for (let i = 0; i < Math.min(ca.length, cb.length); i++) {
    const x = ca[i];
    const y = cb[i];
    if (x === y) continue;
    if (/^\d/.test(x) && /^\d/.test(y)) {
      const nx = x.replace(/^0+(?=\d)/, '');
      const ny = y.replace(/^0+(?=\d)/, '');
      if (nx.length !== ny.length) return nx.length - ny.length;
      if (nx !== ny) return nx < ny ? -1 : 1;
      if (tie === 0) tie = x.length - y.length;
      continue;
    }
    return x < y ? -1 : 1;
  }
  return ca.length !== cb.length ? ca.length - cb.length : tie;
}

/** How the protocols see a module input or output (OIP datatype and shape). */
export function describePort(f: FieldSpec): Port {
  if (!isElementType(f.type)) return { name: f.name, type: f.type, dtype: null, dims: null, datatype: 'BYTES', shape: [-1] };
  const dtype = f.type;
  const dims = f.shape === null ? null : f.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : -1));
  return { name: f.name, type: f.type, dtype, dims, datatype: datatypeOf(dtype), shape: dims ?? [-1] };
}

export function platformOf(format: string): string {
  // "onnx_onnxv1" is the protocol's name for ONNX models; other formats use the project's prefix.
  return format === 'onnx' ? 'onnx_onnxv1' : `mlcompile_${format}`;
}

/** Describes a loaded module for serving under `name`/`version`. */
export function describeModel(name: string, version: string, loaded: ModelModule): ModelVersion {
  // A PFA module takes one Avro value; the server sees it as a record model (runtime/pfa/serving.ts).
  const module = isPfaModule(loaded) ? (servePfaModule(loaded) as unknown as ModelModule) : loaded;
  const md = module.metadata;
  if (md === undefined || !Array.isArray(md.inputs) || !Array.isArray(md.outputs)) {
    throw new Error(`model ${name}/${version}: the module has no metadata with inputs and outputs`);
  }
  // Record models (PMML) take and give one value per field and record (records.ts).
  const records = isRecordModel(md);
  const inputs = md.inputs.map((f) => (records ? describeRecordPort(f, 'input') : describePort(f)));
  const outputs = md.outputs.map((f) => (records ? describeRecordPort(f, 'output') : describePort(f)));
  const fn = typeof module.run === 'function' ? module.run : module.predict;
  if (typeof fn !== 'function') throw new Error(`model ${name}/${version}: the module exports neither run nor predict`);
  const sha256 = typeof md.source?.sha256 === 'string' ? md.source.sha256 : '';
  return {
    name,
    version,
    format: md.format,
    platform: platformOf(md.format),
    sha256,
    module,
    inputs,
    outputs,
    inputIndex: new Map(inputs.map((p) => [p.name, p])),
    outputIndex: new Map(outputs.map((p) => [p.name, p])),
    call: fn as (feeds: Record<string, unknown>) => Record<string, unknown>,
    headers: modelHeaders(name, version, sha256),
  };
}

/** A header value safe to send: names and versions are URL-safe already; anything else is percent-encoded. */
function headerValue(text: string): string {
  return NAME_PATTERN.test(text) ? text : encodeURIComponent(text);
}

/** The X-Model-* response headers of a version (the sha256 only when the module records a well-formed one). */
export function modelHeaders(name: string, version: string, sha256: string): Record<string, string> {
  const headers: Record<string, string> = { 'x-model-name': headerValue(name), 'x-model-version': headerValue(version) };
  if (/^[0-9a-f]{64}$/.test(sha256)) headers['x-model-sha256'] = sha256;
  return headers;
}

function tensorMetadata(p: Port): OipTensorMetadata {
  return { name: p.name, datatype: p.datatype, shape: p.shape };
}

export class ModelRepository {
  private readonly models = new Map<string, ModelEntry>();
  /** Name of the model /invocations serves (the only one, or the one named by MLCOMPILE_DEFAULT_MODEL). */
  private defaultName: string | undefined;

  constructor(defaultName?: string) {
    this.defaultName = defaultName;
  }

  /**
   * Adds a version, or replaces the one with the same name and version. The swap is
   * atomic for requests: everything below runs synchronously, so a request sees either
   * the old state or the new one, and a request already running keeps the ModelVersion
   * it resolved. Unversioned URLs then answer with the highest version.
   */
  add(v: ModelVersion): void {
    let entry = this.models.get(v.name);
    if (entry === undefined) {
      entry = { name: v.name, versions: new Map(), ordered: [], latest: v, metadata: new Map() };
      this.models.set(v.name, entry);
    }
    entry.versions.set(v.version, v);
    this.refresh(entry);
  }

  /**
   * Stops serving a version (or, without `version`, every version of the model); the
   * model's other versions keep serving, and the highest remaining one answers
   * unversioned URLs. Returns the versions removed.
   */
  remove(name: string, version?: string): ModelVersion[] {
    const entry = this.models.get(name);
    if (entry === undefined) return [];
    const removed = version === undefined ? [...entry.versions.values()] : [entry.versions.get(version)].filter((v) => v !== undefined);
    for (const v of removed) entry.versions.delete(v.version);
    if (entry.versions.size === 0) this.models.delete(name);
    else if (removed.length > 0) this.refresh(entry);
    return removed;
  }

  /** Recomputes the order, the latest version and the metadata responses of a model after a change. */
  private refresh(entry: ModelEntry): void {
    entry.ordered = [...entry.versions.keys()].sort(compareVersions);
    const latest = entry.versions.get(entry.ordered[entry.ordered.length - 1]);
    if (latest !== undefined) entry.latest = latest;
    const versions = entry.ordered.slice();
    const describe = (m: ModelVersion): Record<string, unknown> => ({
      name: m.name,
      versions,
      platform: m.platform,
      inputs: m.inputs.map(tensorMetadata),
      outputs: m.outputs.map(tensorMetadata),
    });
    const metadata = new Map<string, Record<string, unknown>>();
    for (const m of entry.versions.values()) metadata.set(m.version, describe(m));
    metadata.set('', describe(entry.latest));
    entry.metadata = metadata;
  }

  has(name: string, version: string): boolean {
    return this.models.get(name)?.versions.has(version) === true;
  }

  get size(): number {
    return this.models.size;
  }

  /** Model names in code-unit order. */
  names(): string[] {
    return [...this.models.keys()].sort();
  }

  versionsOf(name: string): string[] {
    return this.models.get(name)?.ordered.slice() ?? [];
  }

  /** Every loaded version, by name then version. */
  all(): ModelVersion[] {
    const out: ModelVersion[] = [];
    for (const name of this.names()) {
      const e = this.models.get(name);
      if (e !== undefined) for (const v of e.ordered) out.push(e.versions.get(v) as ModelVersion);
    }
    return out;
  }

  /** The version asked for (the latest when `version` is undefined), or a 404 ServerError. */
  resolve(name: string, version?: string): ModelVersion {
    const e = this.models.get(name);
    if (e === undefined) {
      throw new ServerError('MLS_ERR_MODEL_NOT_FOUND', `unknown model "${name}"; this server has ${this.describeNames()}`);
    }
    if (version === undefined) return e.latest;
    const v = e.versions.get(version);
    if (v === undefined) {
      throw new ServerError('MLS_ERR_MODEL_NOT_FOUND', `model "${name}" has no version "${version}"; it has ${e.ordered.map((x) => JSON.stringify(x)).join(', ')}`);
    }
    return v;
  }

  /** The OIP model metadata response of a version (the latest when `version` is undefined). */
  metadataOf(name: string, version?: string): Record<string, unknown> {
    const m = this.resolve(name, version);
    return (this.models.get(name) as ModelEntry).metadata.get(version === undefined ? '' : m.version) as Record<string, unknown>;
  }

  /** The model /invocations serves. */
  defaultModel(): ModelVersion {
    const name = this.defaultName ?? this.names()[0];
    if (name === undefined) throw new ServerError('MLS_ERR_UNAVAILABLE', 'no model is loaded');
    return this.resolve(name);
  }

  private describeNames(): string {
    const names = this.names();
    if (names.length === 0) return 'no models';
    const shown = names.slice(0, 10).map((n) => JSON.stringify(n)).join(', ');
    return `${names.length === 1 ? 'model' : 'models'} ${shown}${names.length > 10 ? ', ...' : ''}`;
  }
}

export interface LoadReport {
  readonly loaded: ModelVersion[];
  readonly skipped: string[];
}

/** Subdirectories, without hidden ones: the compiler writes a new version into `.tmp-*` and renames it when complete. */
export function subdirs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => !d.name.startsWith('.'))
    .filter((d) => d.isDirectory() || (d.isSymbolicLink() && statSync(join(dir, d.name)).isDirectory()))
    .map((d) => d.name)
    .sort();
}

/**
 * Imports every `<dir>/<name>/<version>/model.mjs` not yet in `repo`. A directory
 * without model.mjs or with an unusable name is skipped (and reported); a module
 * that fails to import throws, naming its file.
 */
export async function loadModels(repo: ModelRepository, dir: string): Promise<LoadReport> {
  const loaded: ModelVersion[] = [];
  const skipped: string[] = [];
  if (!existsSync(dir)) return { loaded, skipped: [`${dir} does not exist`] };
  for (const name of subdirs(dir)) {
    if (!NAME_PATTERN.test(name)) {
      skipped.push(`${join(dir, name)}: "${name}" is not a usable model name`);
      continue;
    }
    for (const version of subdirs(join(dir, name))) {
      if (repo.has(name, version)) continue;
      const file = join(dir, name, version, 'model.mjs');
      if (!NAME_PATTERN.test(version)) {
        skipped.push(`${join(dir, name, version)}: "${version}" is not a usable version`);
        continue;
      }
      if (!existsSync(file)) {
        skipped.push(`${join(dir, name, version)}: no model.mjs`);
        continue;
      }
      let module: ModelModule;
      try {
        module = (await import(pathToFileURL(file).href)) as ModelModule;
      } catch (e) {
        throw new Error(`cannot load ${file}: ${(e as Error).message}`);
      }
      const v = describeModel(name, version, module);
      repo.add(v);
      loaded.push(v);
    }
  }
  return { loaded, skipped };
}
