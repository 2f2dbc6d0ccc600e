// `mlcompile <model-file>`: compile a model into a module directory (CONTRACT §1, §2).

import { readdirSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { Option, type Command } from 'commander';
import { ExitCode, UsageError } from './errors.js';
import { checkModelPath, checkOutputDir, formatBytes, formatDuration, formatFields, safeDirName } from './format.js';
import { print } from './output.js';

export interface CompileFlags {
  readonly target: 'module' | 'server';
  readonly out?: string;
  readonly name?: string;
  readonly modelVersion?: string;
  readonly force?: boolean;
  readonly baseline?: string;
  readonly optimize: boolean;
}

/** Declares the compile options on `cmd` (the root command: compile is the default). */
export function defineCompileOptions(cmd: Command): Command {
  return cmd
    .argument('[model-file]', 'the model to compile (ONNX or PMML; the format is detected from the content)')
    .addOption(new Option('--target <target>', 'what to write: a module directory, or a prediction server').choices(['module', 'server']).default('module'))
    .option('--out <dir>', 'output directory (default: ./out/<name>)')
    .option('--name <name>', "the compiled model's name (default: the model's own name, else the file stem)")
    .option('--model-version <version>', 'model version recorded in the module metadata (default: 1); with --target server, the version directory, added beside the versions already in --out')
    .option('--force', 'with --target server: replace the version directory if it already exists')
    .option('--baseline <file>', 'with --target server: data (CSV with a header, or JSON Lines) whose per-feature statistics the server compares traffic with (drift metrics)')
    .option('--no-optimize', 'skip the optimisation passes (constant folding, dead code, ...)');
}

const DESCRIPTIONS: Readonly<Record<string, string>> = {
  'model.mjs': 'ES module, no imports',
  'model.cjs': 'CommonJS',
  'model.d.ts': 'type declarations',
  'model.d.mts': 'the same, for imports of model.mjs',
  'model.d.cts': 'the same, for requires of model.cjs',
  'model.ts': 'readable TypeScript source',
  'package.json': 'no dependencies',
};

export async function compileCommand(modelFile: string, flags: CompileFlags): Promise<number> {
  if (flags.name !== undefined && flags.name.trim() === '') throw new UsageError('--name must not be empty');
  checkModelPath(modelFile, false);
  if (flags.out !== undefined) checkOutputDir(flags.out, '--out');
  if (flags.baseline !== undefined && flags.target !== 'server') throw new UsageError('--baseline applies to --target server only (the server compares its traffic with the baseline)');
  if (flags.target === 'server') return compileServer(modelFile, flags);
  const { programFields, generateModule, loadProgram, writeModuleDir } = await import('../api.js');
  const start = performance.now();
  const program = loadProgram(modelFile, { name: flags.name, optimize: flags.optimize });
  const compiled = await generateModule(program, { version: flags.modelVersion });
  const outDir = flags.out ?? join('out', safeDirName(program.name));
  writeModuleDir(compiled, outDir);
  const ms = performance.now() - start;

  const shownDir = relative(process.cwd(), outDir) || '.';
  print(`Compiled ${basename(modelFile)} (${program.format}, model ${JSON.stringify(program.name)}) in ${formatDuration(ms)} -> ${shownDir}${shownDir.endsWith('/') ? '' : '/'}`);
  const names = [...Object.keys(DESCRIPTIONS).filter((n) => n in compiled.files), ...Object.keys(compiled.files).filter((n) => !(n in DESCRIPTIONS))];
  const rows = names.map((name) => [name, formatBytes(Buffer.byteLength(compiled.files[name])), DESCRIPTIONS[name] ?? '']);
  const runtimeFiles = countFiles(join(outDir, 'runtime'));
  if (runtimeFiles > 0) rows.push(['runtime/', `${runtimeFiles} files`, 'runtime sources model.ts imports']);
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  for (const [a, b, c] of rows) print(`  ${a.padEnd(w0)}  ${b.padStart(w1)}  ${c}`.trimEnd());
  const fields = programFields(program);
  print('inputs:');
  for (const l of formatFields(fields.inputs)) print(l);
  print('outputs:');
  for (const l of formatFields(fields.outputs)) print(l);
  return ExitCode.ok;
}

/** --target server: the model joins (or starts) a server directory (docs/server.md). */
async function compileServer(modelFile: string, flags: CompileFlags): Promise<number> {
  const { loadProgram } = await import('../api.js');
  const { writeServerDir, serverModelName, ServerOptionError } = await import('../server-api.js');
  const start = performance.now();
  const program = loadProgram(modelFile, { name: flags.name, optimize: flags.optimize });
  const outDir = flags.out ?? join('out', serverModelName(program.name));
  let r;
  try {
    r = await writeServerDir(program, outDir, { name: flags.name, modelVersion: flags.modelVersion, force: flags.force, optimize: flags.optimize, baseline: flags.baseline });
  } catch (e) {
    if (e instanceof ServerOptionError) throw new UsageError(e.message);
    throw e;
  }
  const shownDir = relative(process.cwd(), outDir) || '.';
  print(`Compiled ${basename(modelFile)} into server ${shownDir}/ as model ${JSON.stringify(r.name)} version ${JSON.stringify(r.version)} in ${formatDuration(performance.now() - start)}`);
  print(`  models: ${r.models.map((m) => `${m.name}/${m.version}`).join(', ')}`);
  print(`  start:  node ${join(shownDir, 'server.mjs')}   (PORT=8080 by default; routes in docs/server.md)`);
  print(`  image:  ${join(shownDir, 'Dockerfile')}, Kubernetes manifests in ${join(shownDir, 'k8s')}/`);
  return ExitCode.ok;
}

function countFiles(dir: string): number {
  try {
    return readdirSync(dir, { recursive: true, withFileTypes: true }).filter((d) => d.isFile()).length;
  } catch {
    return 0;
  }
}
