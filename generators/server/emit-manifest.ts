// models/<name>/<version>/manifest.json: what a model version is and accepts, as
// data: its metadata, the protocols' view of each input and output, and JSON
// Schemas of the JSON the server takes and gives for it. openapi.json and the
// directory's README are built from the manifests; the server itself needs only
// model.mjs.

import { createHash } from 'node:crypto';
import { servedPfaMetadata, type PfaModule } from '../../runtime/pfa/serving.js';
import { modelSchemas, type ModelSchemas } from '../../runtime/server/model-schemas.js';
import { describePort, isRecordModel, platformOf, type FieldSpec, type Port } from '../../runtime/server/models-repository.js';
import { describeRecordPort } from '../../runtime/server/records.js';

export { elementSchema, nestedSchema, type JsonSchema } from '../../runtime/server/model-schemas.js';

export const MANIFEST_VERSION = 1;

export interface ManifestPort extends FieldSpec {
  /** Open Inference Protocol datatype. */
  readonly datatype: string;
  /** Open Inference Protocol shape (-1: any size). */
  readonly oipShape: readonly number[];
}

export interface ModelManifest {
  readonly manifestVersion: number;
  readonly name: string;
  readonly version: string;
  readonly format: string;
  readonly platform: string;
  readonly source: { readonly file: string; readonly sha256: string };
  readonly compiler: { readonly name: string; readonly version: string };
  /** sha256 of each file of the version directory written by the compiler (runtime sources excepted). */
  readonly files: Readonly<Record<string, string>>;
  readonly inputs: readonly ManifestPort[];
  readonly outputs: readonly ManifestPort[];
  /** JSON Schemas of the JSON the server takes and gives for this version (runtime/server/model-schemas.ts). */
  readonly schemas: ModelSchemas;
}

export interface ManifestInput {
  readonly name: string;
  readonly version: string;
  readonly metadata: {
    readonly format: string;
    readonly source: { readonly file: string; readonly sha256: string };
    readonly compiler: { readonly name: string; readonly version: string };
    readonly inputs: readonly FieldSpec[];
    readonly outputs: readonly FieldSpec[];
  };
  /** The files written into the version directory, by name. */
  readonly files: Readonly<Record<string, string>>;
}

function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function emitManifest(m: ManifestInput): ModelManifest {
  // A PFA module is served as a record model: describe the fields the server takes (runtime/pfa/serving.ts).
  const md = m.metadata.format === 'pfa' ? { ...m.metadata, ...servedPfaMetadata(m.metadata as unknown as PfaModule['metadata']) } : m.metadata;
  const records = isRecordModel(md);
  const inPorts = md.inputs.map((f) => (records ? describeRecordPort(f, 'input') : describePort(f)));
  const outPorts = md.outputs.map((f) => (records ? describeRecordPort(f, 'output') : describePort(f)));
  const port = (f: FieldSpec, p: Port): ManifestPort => ({ name: f.name, type: f.type, shape: f.shape, datatype: p.datatype, oipShape: p.shape });
  const files: Record<string, string> = {};
  for (const name of Object.keys(m.files).sort()) files[name] = sha256(m.files[name]);
  return {
    manifestVersion: MANIFEST_VERSION,
    name: m.name,
    version: m.version,
    format: md.format,
    platform: platformOf(md.format),
    source: { file: md.source.file, sha256: md.source.sha256 },
    compiler: { name: md.compiler.name, version: md.compiler.version },
    files,
    inputs: md.inputs.map((f, i) => port(f, inPorts[i])),
    outputs: md.outputs.map((f, i) => port(f, outPorts[i])),
    schemas: modelSchemas({ name: m.name, version: m.version, format: md.format, inputs: md.inputs, outputs: md.outputs }),
  };
}

export function manifestText(m: ModelManifest): string {
  return JSON.stringify(m, null, 2) + '\n';
}

/** Parses a manifest written by this or an earlier compiler; undefined when it is not one. */
export function parseManifest(text: string): ModelManifest | undefined {
  try {
    const m = JSON.parse(text) as Partial<ModelManifest>;
    if (m.manifestVersion !== MANIFEST_VERSION || typeof m.name !== 'string' || typeof m.version !== 'string' || !Array.isArray(m.inputs) || m.schemas === undefined) return undefined;
    return m as ModelManifest;
  } catch {
    return undefined;
  }
}
