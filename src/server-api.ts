// The programmatic API of the server target (CONTRACT §3): compile a model into a
// server directory, or add a version to one.
//
//   DIR/server.mjs                       the bundled server (runtime/server + fastify + prom-client)
//   DIR/models/<name>/<version>/         model.mjs .cjs .d.ts .ts, runtime sources, manifest.json
//   DIR/openapi.json  DIR/README.md  DIR/Dockerfile  DIR/.dockerignore  DIR/k8s/ (generators/deploy/k8s.ts)
//   DIR/THIRD-PARTY-NOTICES.txt
//   DIR/docs-ui/                         the interactive docs' files (Swagger UI), served at /docs
//
// Everything outside models/<name>/<version>/ is regenerated from all the manifests
// in DIR, so adding a version keeps the others and describes them all.

import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative } from 'node:path';
import { emitDockerfile, emitDockerignore } from '../generators/deploy/dockerfile.js';
import { k8sFiles } from '../generators/deploy/k8s.js';
import { dnsLabel, type DeployModel, type DeployOptions } from '../generators/deploy/options.js';
import { emitReadme } from '../generators/deploy/readme.js';
import { bundleServer } from '../generators/server/bundle.js';
import { DOCS_UI_DIR, docsUiFiles, swaggerUiPackageDir } from '../generators/server/docs-ui.js';
import { emitManifest, manifestText, parseManifest, type ModelManifest } from '../generators/server/emit-manifest.js';
import { emitNotices } from '../generators/server/notices.js';
import { emitOpenApi } from '../generators/server/openapi.js';
import { NAME_PATTERN, compareVersions } from '../runtime/server/models-repository.js';
import { PACKAGE_ROOT, generateModule, programFields, loadProgram, writeModuleDir, type CompiledModule, type LoadOptions, type Program } from './api.js';
import { COMPILER_NAME, COMPILER_VERSION } from './version.js';
import { compileBaseline } from './baseline-compile.js';
import { BASELINE_FILE, baselineText } from '../runtime/server/baseline.js';

export interface ServerCompileOptions extends LoadOptions {
  /** URL and directory name of the model (default: the model's own name or the file stem, made URL-safe). */
  readonly name?: string;
  /**
   * The version directory (default "1"). When given without `name`, into a directory
   * that already serves one model, the version is added to that model.
   */
  readonly modelVersion?: string;
  /** Replace the version directory if it exists (otherwise that is refused). */
  readonly force?: boolean;
  /** Data (CSV with a header, or JSON Lines) to compute the drift baseline from (src/baseline.ts); PMML models otherwise use their DataDictionary. */
  readonly baseline?: string;
}

export interface CompiledServer {
  readonly outDir: string;
  readonly name: string;
  readonly version: string;
  readonly module: CompiledModule;
  /** Every model version now in the directory. */
  readonly models: readonly { readonly name: string; readonly version: string }[];
  /** Files written, relative to outDir, sorted. */
  readonly files: readonly string[];
}

/** A --name or --model-version the server cannot use (the CLI reports it as a usage error). */
export class ServerOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerOptionError';
  }
}

export const SERVER_PORT = 8080;

function checkSegment(value: string, what: string): string {
  if (!NAME_PATTERN.test(value)) {
    throw new ServerOptionError(`${what} ${JSON.stringify(value)} cannot be used in URLs and directory names: use 1-128 letters, digits, '.', '_' or '-', starting with a letter or digit`);
  }
  return value;
}

/** A model's own name made usable as a URL segment and directory name. */
export function serverModelName(name: string): string {
  const s = name.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^[._-]+/, '').slice(0, 128);
  return s === '' ? 'model' : s;
}

/** Compiles `file` into the server directory `outDir` as models/<name>/<version>/, keeping other versions. */
export async function compileServerToDir(file: string, outDir: string, opts: ServerCompileOptions = {}): Promise<CompiledServer> {
  if (opts.name !== undefined) checkSegment(opts.name, 'model name');
  if (opts.modelVersion !== undefined) checkSegment(opts.modelVersion, 'model version');
  const program = loadProgram(file, opts);
  return writeServerDir(program, outDir, opts);
}

/** The same, from a program already loaded (the CLI loads it first to name the default --out). */
export async function writeServerDir(program: Program, outDir: string, opts: ServerCompileOptions = {}): Promise<CompiledServer> {
  const name = chooseModelName(program, outDir, opts);
  const version = checkSegment(opts.modelVersion ?? '1', 'model version');
  const versionDir = join(outDir, 'models', name, version);
  // The same model compiled again into its own version (re-running a build or `npm start`) just
  // refreshes it; a different model is refused unless --force, so a version never silently changes.
  if (existsSync(versionDir) && opts.force !== true && !sameSource(versionDir, program.source.sha256)) {
    const next = nextVersion(join(outDir, 'models', name));
    throw new ServerOptionError(`${versionDir} already exists and holds another model: give another --model-version${next === undefined ? '' : ` (the next free number is ${next})`}, or --force to replace it`);
  }
  const compiled = await generateModule(program, { version });
  // The drift baseline (src/baseline-compile.ts): computed before the directory is written, so bad data writes nothing.
  const baseline = await compileBaseline(program, opts.baseline, compiled.files['model.mjs']);
  const metadata = {
    format: program.format,
    source: { file: program.source.file, sha256: program.source.sha256 },
    compiler: { name: COMPILER_NAME, version: COMPILER_VERSION },
    // Exactly the module's metadata.inputs/outputs (the same function emits them).
    ...programFields(program),
  };
  const manifest = manifestText(emitManifest({ name, version, metadata, files: compiled.files }));
  const baselineJson = baseline === undefined ? undefined : baselineText(baseline);
  // An identical build is not written again: a running server then sees no change to reload.
  if (!sameFiles(versionDir, manifest, baselineJson)) {
    writeVersionDir(versionDir, (dir) => {
      writeModuleDir(compiled, dir);
      if (baselineJson !== undefined) writeFileSync(join(dir, BASELINE_FILE), baselineJson);
      // Written last: the server takes a version whose files all match its manifest as complete.
      writeFileSync(join(dir, 'manifest.json'), manifest);
    });
  }

  const manifests = readManifests(join(outDir, 'models'));
  const latest = new Map<string, string>();
  for (const m of manifests) latest.set(m.name, m.version); // sorted by version: the last one wins
  const compiler = `${COMPILER_NAME} ${COMPILER_VERSION}`;
  const deploy: DeployOptions = {
    compiler,
    appName: dnsLabel(manifests[0]?.name ?? name),
    port: SERVER_PORT,
    models: manifests.map(deployModel),
    latest,
  };
  const bundle = await bundleServer(PACKAGE_ROOT, compiler);
  const swaggerUi = swaggerUiPackageDir();
  const top: Record<string, string> = {
    'server.mjs': bundle.code,
    'THIRD-PARTY-NOTICES.txt': emitNotices(PACKAGE_ROOT, [...bundle.packages, ...(swaggerUi === undefined ? [] : [relative(PACKAGE_ROOT, swaggerUi)])],
      `Third-party software bundled into server.mjs, and the docs UI in ${DOCS_UI_DIR}/ (swagger-ui-dist; the licences of what its bundles contain are in ${DOCS_UI_DIR}/*.LICENSE.txt), by ${compiler}.`),
    'openapi.json': JSON.stringify(emitOpenApi({ compilerVersion: COMPILER_VERSION, models: manifests, latest }), null, 2) + '\n',
    'README.md': emitReadme(deploy),
    'Dockerfile': emitDockerfile(deploy),
    '.dockerignore': emitDockerignore(deploy),
    ...k8sFiles(deploy),
  };
  for (const [rel, text] of Object.entries(top)) {
    const path = join(outDir, rel);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, text);
  }
  // The interactive docs' files (Swagger UI), served at /docs.
  const docsUi = docsUiFiles(swaggerUi);
  if (docsUi.size > 0) mkdirSync(join(outDir, DOCS_UI_DIR), { recursive: true });
  for (const [file, bytes] of docsUi) writeFileSync(join(outDir, DOCS_UI_DIR, file), bytes);
  const written = [...Object.keys(top), ...[...docsUi.keys()].map((f) => `${DOCS_UI_DIR}/${f}`), ...listFiles(versionDir).map((f) => `models/${name}/${version}/${f}`)].sort();
  return { outDir, name, version, module: compiled, models: manifests.map((m) => ({ name: m.name, version: m.version })), files: written };
}

/**
 * The model a version belongs to: --name, else the model's own name; but a version given
 * without --name, into a directory serving one model under another name (m2.pmml's own
 * name is often its file stem), joins that model.
 */
function chooseModelName(program: Program, outDir: string, opts: ServerCompileOptions): string {
  if (opts.name !== undefined) return checkSegment(opts.name, 'model name');
  const own = serverModelName(program.name);
  if (opts.modelVersion === undefined) return own;
  const existing = subdirs(join(outDir, 'models')).filter((n) => NAME_PATTERN.test(n)).sort();
  if (existing.length === 0 || existing.includes(own)) return own;
  if (existing.length === 1) return existing[0];
  throw new ServerOptionError(`${outDir} serves models ${existing.map((n) => JSON.stringify(n)).join(', ')} and none is named ${JSON.stringify(own)}: give --name to say which model version ${JSON.stringify(opts.modelVersion)} belongs to`);
}

/** One more than the highest numeric version in a model directory (undefined when none is numeric). */
function nextVersion(modelDir: string): number | undefined {
  const numbers = subdirs(modelDir).filter((v) => /^\d{1,15}$/.test(v)).map(Number);
  return numbers.length === 0 ? undefined : Math.max(...numbers) + 1;
}

/**
 * Writes a version directory atomically: into a hidden temporary directory beside it
 * (which the server ignores), renamed into place once complete, so a running server
 * never sees a half-written version. An existing one (--force) is swapped out the same way.
 */
function writeVersionDir(versionDir: string, write: (dir: string) => void): void {
  const modelDir = dirname(versionDir);
  mkdirSync(modelDir, { recursive: true });
  const tmp = mkdtempSync(join(modelDir, `.tmp-${basename(versionDir)}-`));
  const old = `${tmp}-old`;
  try {
    // mkdtemp makes the directory private (0700): a server running as another user (the image's
    // non-root user) could not read the version. Readable by all, as mkdir would make it.
    chmodSync(tmp, 0o755);
    write(tmp);
    const replacing = existsSync(versionDir);
    if (replacing) renameSync(versionDir, old);
    try {
      renameSync(tmp, versionDir);
    } catch (e) {
      if (replacing) renameSync(old, versionDir);
      throw e;
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(old, { recursive: true, force: true });
  }
}

function subdirs(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name);
}

/** Every readable manifest under models/, sorted by name (code units) then version (natural order). */
/** Whether the version directory holds a compile of the source with this sha256. */
function sameSource(versionDir: string, sha256: string): boolean {
  const file = join(versionDir, 'manifest.json');
  if (!existsSync(file)) return false;
  return parseManifest(readFileSync(file, 'utf8'))?.source.sha256 === sha256;
}

/** Whether the version directory already holds exactly this manifest (which hashes every module file) and baseline. */
function sameFiles(versionDir: string, manifest: string, baseline: string | undefined): boolean {
  const read = (name: string): string | undefined => {
    const file = join(versionDir, name);
    return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  };
  return read('manifest.json') === manifest && read(BASELINE_FILE) === baseline;
}

function readManifests(modelsDir: string): ModelManifest[] {
  const out: ModelManifest[] = [];
  for (const name of subdirs(modelsDir).sort()) {
    for (const version of subdirs(join(modelsDir, name)).sort(compareVersions)) {
      const file = join(modelsDir, name, version, 'manifest.json');
      if (!existsSync(file)) continue;
      const m = parseManifest(readFileSync(file, 'utf8'));
      if (m !== undefined && m.name === name && m.version === version) out.push(m);
    }
  }
  return out;
}

/** The first usable value of a field's enum (its first category): examples in the README then score. */
function exampleOf(values: readonly unknown[] | undefined): string | number | boolean | undefined {
  const v = values?.find((x) => x !== null);
  return typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? v : undefined;
}

function deployModel(m: ModelManifest): DeployModel {
  const properties = (m.schemas.input as { properties?: Record<string, { enum?: unknown[] }> }).properties ?? {};
  const port = (p: ModelManifest['inputs'][number]) => ({ name: p.name, datatype: p.datatype, shape: p.oipShape, type: p.type, example: exampleOf(properties[p.name]?.enum) });
  return { name: m.name, version: m.version, format: m.format, sha256: m.source.sha256, inputs: m.inputs.map(port), outputs: m.outputs.map(port) };
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath ?? d.path, d.name).slice(dir.length + 1).split('\\').join('/'))
    .sort();
}
