// Benchmarks for the classical-ML fixtures (fixtures/onnx-ml/<name>/): the generated
// module vs onnxruntime-node, side by side in one process, single thread, medians.
//
//   node --import tsx bench/onnx-ml.ts [--filter REGEX] [--markdown FILE] [--rounds N]
//
// For each fixture:
// - the model is compiled through the real pipeline (loadProgram, generateModule) and the
//   ESM module imported; a model that does not compile is listed with the reason;
// - 1 row: the first row of the first line of inputs.jsonl (the whole line where the
//   model has no batch dim);
// - 64 rows: the rows of all lines of inputs.jsonl, repeated in order up to 64 and
//   stacked along the batch dim (one call each). A model without a symbolic batch dim
//   runs predictBatch over 64 feeds, against 64 session.run calls (in these fixtures,
//   only the map-input models, which onnxruntime does not run: see below);
// - onnxruntime-node (intraOpNumThreads = interOpNumThreads = 1) runs the same model,
//   except that ZipMap nodes are left out (its JavaScript API returns tensors only; the
//   generated module still builds the maps, so its times include ZipMap) as
//   fixtures/onnx-ml/make-references.ts does. Map-input models (DictVectorizer, CastMap
//   on a graph input) are not run in onnxruntime at all: its JavaScript API cannot feed a map;
// - each engine is warmed up, then both are timed in alternating rounds (a sample is
//   enough back-to-back calls to last >= 1 ms); the table shows the medians per call
//   in µs and ratio = onnxruntime time / mlcompile time (above 1: the module is faster);
// - the outputs of both engines on the timed feeds are compared (1e-3 relative): a
//   difference is noted, so a fast wrong answer does not pass unnoticed.
// --rounds N: timing rounds per engine (default 5; more on a noisy machine).
// At the end: geometric means of the ratios (all fixtures, and per family), then the
// compile time and load time of the largest tree-ensemble fixture (by tree nodes).

import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import * as ort from 'onnxruntime-node';
import { generateModule, loadProgram, type Program } from '../src/api.js';
import { onnx, toNumber, type OnnxNs } from '../src/frontends/onnx/proto.js';
import { timeModuleLoad } from './support/module-load.js';

const ROOT = join(import.meta.dirname, '..', 'fixtures', 'onnx-ml');
const BIN = join(import.meta.dirname, '..', 'bin', 'mlcompile.mjs');
const BATCH = 64;

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface TensorJson { type: string; dims: number[]; data: Json[] }
/** One feed as JSON: tensors, or maps (plain objects). */
type FeedJson = Record<string, TensorJson | Record<string, Json>>;
interface Mod {
  run(f: Record<string, unknown>): Record<string, unknown>;
  predictBatch(f: Record<string, unknown>[]): Record<string, unknown>[];
}
interface Engine { run: () => unknown; async: boolean }

// ------------------------------------------------------------------ arguments

const { values: args } = parseArgs({
  options: {
    filter: { type: 'string' },
    markdown: { type: 'string' },
    rounds: { type: 'string', default: '5' },
  },
});
const FILTER = args.filter !== undefined ? new RegExp(args.filter) : undefined;
const ROUNDS = Math.max(1, Number(args.rounds));
const WARM_MS = 150;
const SAMPLE_MS = 1;
const ROUND_MS = 40;

// ------------------------------------------------------------------ feeds

function isTensorJson(v: unknown): v is TensorJson {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && 'dims' in v && 'data' in v && 'type' in v;
}

function num(v: Json): number {
  if (typeof v === 'number') return v;
  if (v === null || v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return Number(v);
}

function readJsonl(file: string): FeedJson[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as FeedJson);
}

/** Typed storage as both engines take it. */
function typed(t: TensorJson): ArrayLike<unknown> {
  switch (t.type) {
    case 'float32': return Float32Array.from(t.data, num);
    case 'float64': return Float64Array.from(t.data, num);
    case 'int32': return Int32Array.from(t.data, num);
    case 'int64': return BigInt64Array.from(t.data, (v) => BigInt(v as number | string));
    case 'bool': return Uint8Array.from(t.data, (v) => (v === true || v === 1 ? 1 : 0));
    case 'string': return t.data.slice() as string[];
    default: throw new Error(`unsupported feed type ${t.type}`);
  }
}

function oursFeed(f: FeedJson): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(f)) {
    if (isTensorJson(v)) out[k] = { type: v.type, dims: v.dims.slice(), data: typed(v) };
    else out[k] = new Map(Object.entries(v).map(([key, x]) => [key, typeof x === 'string' ? x : num(x)]));
  }
  return out;
}

function ortFeed(f: FeedJson): Record<string, ort.Tensor> {
  const out: Record<string, ort.Tensor> = {};
  for (const [k, v] of Object.entries(f)) {
    if (!isTensorJson(v)) throw new Error(`input ${k} is not a tensor`);
    out[k] = new ort.Tensor(v.type as 'float32', typed(v) as Float32Array, v.dims);
  }
  return out;
}

/** The rows of one line (every input split along dim 0). */
function rowsOf(line: FeedJson): FeedJson[] {
  const tensors = Object.values(line) as TensorJson[];
  const n = tensors[0].dims[0];
  if (tensors.some((t) => t.dims[0] !== n)) throw new Error('inputs of one line have different batch sizes');
  const rows: FeedJson[] = [];
  for (let i = 0; i < n; i++) {
    const row: FeedJson = {};
    for (const [k, t] of Object.entries(line) as [string, TensorJson][]) {
      const size = t.dims.slice(1).reduce((a, b) => a * b, 1);
      row[k] = { type: t.type, dims: [1, ...t.dims.slice(1)], data: t.data.slice(i * size, (i + 1) * size) };
    }
    rows.push(row);
  }
  return rows;
}

/** Rows concatenated along dim 0. */
function stack(rows: FeedJson[]): FeedJson {
  const out: FeedJson = {};
  for (const k of Object.keys(rows[0])) {
    const first = rows[0][k] as TensorJson;
    out[k] = { type: first.type, dims: [rows.length, ...first.dims.slice(1)], data: rows.flatMap((r) => (r[k] as TensorJson).data) };
  }
  return out;
}

function cycle<T>(xs: T[], n: number): T[] {
  return Array.from({ length: n }, (_, i) => xs[i % xs.length]);
}

/** Every input is a tensor with a symbolic (or unknown) leading dim. */
function hasBatchDim(p: Program): boolean {
  return p.inputs.every((i) => i.type.kind === 'tensor' && i.type.shape !== null && i.type.shape.length > 0 && typeof i.type.shape[0] !== 'number');
}

// ------------------------------------------------------------------ the onnxruntime twin

interface Twin {
  bytes: Uint8Array | undefined;
  /** ZipMap output → its input (what onnxruntime returns instead). */
  zipmaps: Map<string, string>;
  why?: string;
}

/** The model as onnxruntime's JavaScript API can run it: ZipMap nodes left out. */
function makeTwin(bytes: Uint8Array): Twin {
  const model = onnx.ModelProto.decode(bytes);
  const g = model.graph as OnnxNs.GraphProto;
  const zipmaps = new Map<string, string>();
  if (g.input.some((i) => i.type?.mapType)) return { bytes: undefined, zipmaps, why: 'map input: ORT not run (its JS API takes tensors only)' };
  const keep: OnnxNs.INodeProto[] = [];
  for (const n of g.node) {
    if (n.opType === 'ZipMap') zipmaps.set((n.output ?? [])[0] ?? '', (n.input ?? [])[0] ?? '');
    else keep.push(n);
  }
  if (zipmaps.size === 0) return { bytes, zipmaps };
  g.node = keep as OnnxNs.NodeProto[];
  g.output = g.output.map((o) => {
    const z = zipmaps.get(o.name ?? '');
    return z === undefined ? o : onnx.ValueInfoProto.create({ name: z, type: { tensorType: { elemType: 1 } } });
  }) as OnnxNs.ValueInfoProto[];
  return { bytes: onnx.ModelProto.encode(model).finish(), zipmaps };
}

// ------------------------------------------------------------------ output check

/** Flat values of one of our outputs: a tensor's data, or a ZipMap sequence's map values in order. */
function flatOurs(v: unknown): unknown[] {
  if (Array.isArray(v)) return v.flatMap((m) => (m instanceof Map ? [...m.values()] : [m]));
  if (v !== null && typeof v === 'object' && 'data' in v) return Array.from((v as { data: ArrayLike<unknown> }).data);
  return [v];
}

/** undefined when our outputs match onnxruntime's, else where they first differ. */
function diff(ours: Record<string, unknown>, theirs: Record<string, ort.Tensor>, zipmaps: Map<string, string>): string | undefined {
  const byOrtName = new Map([...zipmaps].map(([out, inp]) => [inp, out]));
  for (const [name, t] of Object.entries(theirs)) {
    const ourName = byOrtName.get(name) ?? name;
    const a = flatOurs(ours[ourName]);
    const e = Array.from(t.data as ArrayLike<unknown>);
    if (a.length !== e.length) return `${ourName}: ${a.length} values, ORT ${e.length}`;
    for (let i = 0; i < a.length; i++) {
      const x = a[i], y = e[i];
      if (typeof y === 'string' || typeof x === 'string') {
        if (x !== y) return `${ourName}[${i}]: ${String(x)} vs ORT ${String(y)}`;
        continue;
      }
      const p = Number(x), q = Number(y);
      if (Number.isNaN(p) && Number.isNaN(q)) continue;
      if (!(Math.abs(p - q) <= 1e-4 + 1e-3 * Math.abs(q))) return `${ourName}[${i}]: ${p} vs ORT ${q}`;
    }
  }
  return undefined;
}

// ------------------------------------------------------------------ timing

let sink: unknown;

/** Mean µs per call over `iters` back-to-back calls. */
async function timeCalls(e: Engine, iters: number): Promise<number> {
  const t0 = performance.now();
  if (e.async) for (let i = 0; i < iters; i++) sink = await e.run();
  else for (let i = 0; i < iters; i++) sink = e.run();
  return ((performance.now() - t0) * 1000) / iters;
}

/** Warms up, then finds how many calls make a sample of SAMPLE_MS. */
async function prepare(e: Engine): Promise<number> {
  const start = performance.now();
  let calls = 0;
  while (performance.now() - start < WARM_MS || calls < 50) { await timeCalls(e, 1); calls++; }
  let iters = 1;
  while (iters < 1 << 20 && (await timeCalls(e, iters)) * iters < SAMPLE_MS * 1000) iters *= 2;
  return iters;
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Median µs per call of each engine, timed in alternating rounds. */
async function measure(engines: Engine[]): Promise<number[]> {
  const iters: number[] = [];
  for (const e of engines) iters.push(await prepare(e));
  const samples: number[][] = engines.map(() => []);
  for (let r = 0; r < ROUNDS; r++) {
    for (let k = 0; k < engines.length; k++) {
      const start = performance.now();
      do samples[k].push(await timeCalls(engines[k], iters[k]));
      while (performance.now() - start < ROUND_MS);
    }
  }
  return samples.map(median);
}

// ------------------------------------------------------------------ one fixture

interface Result {
  name: string;
  ours1?: number; ort1?: number; ours64?: number; ort64?: number;
  notes: string[];
}

const WORK = join(tmpdir(), `mlcompile-bench-ml-${process.pid}`);

async function importModule(code: string, name: string): Promise<Mod> {
  const file = join(WORK, `${name}.mjs`);
  writeFileSync(file, code);
  return (await import(pathToFileURL(file).href)) as Mod;
}

function firstLine(s: string): string {
  return s.split('\n')[0].slice(0, 140);
}

async function benchFixture(name: string): Promise<Result> {
  const dir = join(ROOT, name);
  const modelPath = join(dir, 'model.onnx');
  const res: Result = { name, notes: [] };
  let program: Program, mod: Mod;
  try {
    program = loadProgram(modelPath);
    mod = await importModule((await generateModule(program)).files['model.mjs'], name);
  } catch (e) {
    const code = (e as { code?: string }).code;
    res.notes.push(`compile failed${code ? ` (${code})` : ''}: ${firstLine((e as Error).message)}`);
    return res;
  }
  const lines = readJsonl(join(dir, 'inputs.jsonl'));
  const batched = hasBatchDim(program);
  const one: FeedJson = batched ? rowsOf(lines[0])[0] : lines[0];
  const many: FeedJson[] = batched ? cycle(lines.flatMap(rowsOf), BATCH) : cycle(lines, BATCH);
  const big = batched ? stack(many) : undefined;

  const twin = makeTwin(readFileSync(modelPath));
  if (twin.why !== undefined) res.notes.push(twin.why);
  else if (twin.zipmaps.size > 0) res.notes.push('ORT without ZipMap');
  if (!batched) res.notes.push(twin.bytes === undefined ? `${BATCH} = predictBatch of ${BATCH} feeds` : `${BATCH} = predictBatch / ${BATCH} session.run`);
  let session: ort.InferenceSession | undefined;
  if (twin.bytes !== undefined) {
    try {
      session = await ort.InferenceSession.create(twin.bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    } catch (e) {
      res.notes.push(`ORT failed to load: ${firstLine((e as Error).message)}`);
    }
  }

  // 1 row
  const o1 = oursFeed(one);
  const ours1: Engine = { run: () => mod.run(o1), async: false };
  try {
    ours1.run();
  } catch (e) {
    res.notes.push(`run failed: ${firstLine((e as Error).message)}`);
    return res;
  }
  const engines1: Engine[] = [ours1];
  if (session !== undefined) {
    const s = session, r1 = ortFeed(one);
    try {
      const d = diff(mod.run(o1), await s.run(r1), twin.zipmaps);
      if (d !== undefined) res.notes.push(`outputs differ from ORT, 1 row: ${d}`);
      engines1.push({ run: () => s.run(r1), async: true });
    } catch (e) {
      res.notes.push(`ORT run failed: ${firstLine((e as Error).message)}`);
      session = undefined;
    }
  }
  [res.ours1, res.ort1] = await measure(engines1);

  // 64 rows
  try {
    const engines64: Engine[] = [];
    if (big !== undefined) {
      const o64 = oursFeed(big);
      engines64.push({ run: () => mod.run(o64), async: false });
      if (session !== undefined) {
        const s = session, r64 = ortFeed(big);
        const d = diff(mod.run(o64), await s.run(r64), twin.zipmaps);
        if (d !== undefined) res.notes.push(`outputs differ from ORT, 64 rows: ${d}`);
        engines64.push({ run: () => s.run(r64), async: true });
      }
    } else {
      const o64 = many.map(oursFeed);
      engines64.push({ run: () => mod.predictBatch(o64), async: false });
      if (session !== undefined) {
        const s = session, r64 = many.map(ortFeed);
        engines64.push({ run: async () => { for (const f of r64) sink = await s.run(f); }, async: true });
      }
    }
    [res.ours64, res.ort64] = await measure(engines64);
  } catch (e) {
    res.notes.push(`${BATCH} rows failed: ${firstLine((e as Error).message)}`);
  }
  await session?.release();
  return res;
}

// ------------------------------------------------------------------ compile and load time

/** Decision and leaf nodes of the tree-ensemble nodes of a model, and their trees. */
function treeSize(bytes: Uint8Array): { nodes: number; trees: number } {
  const g = onnx.ModelProto.decode(bytes).graph;
  let nodes = 0, trees = 0;
  for (const n of g?.node ?? []) {
    if (!n.opType?.startsWith('TreeEnsemble')) continue;
    const ints = (a: string): number[] => ((n.attribute ?? []).find((x) => x.name === a)?.ints ?? []).map((v) => toNumber(v));
    if (n.opType === 'TreeEnsemble') {
      nodes += ints('nodes_featureids').length + ints('leaf_targetids').length;
      trees += ints('tree_roots').length;
    } else {
      const treeIds = ints('nodes_treeids');
      nodes += treeIds.length;
      trees += new Set(treeIds).size;
    }
  }
  return { nodes, trees };
}

interface LoadReport { name: string; nodes: number; trees: number; lines: string[] }

async function compileAndLoad(names: string[]): Promise<LoadReport | undefined> {
  const sized = names.map((name) => ({ name, ...treeSize(readFileSync(join(ROOT, name, 'model.onnx'))) })).filter((x) => x.nodes > 0);
  if (sized.length === 0) return undefined;
  const { name, nodes, trees } = sized.reduce((a, b) => (b.nodes > a.nodes ? b : a));
  const modelPath = join(ROOT, name, 'model.onnx');
  const lines: string[] = [];
  const ms = (x: number): string => `${x.toFixed(x < 10 ? 2 : 1)} ms`;

  // In this process (esbuild's service already running): load+lower+passes, then emit+bundle.
  const front: number[] = [], back: number[] = [];
  let code = '';
  try {
    for (let i = 0; i < 7; i++) {
      const t0 = performance.now();
      const program = loadProgram(modelPath);
      const t1 = performance.now();
      code = (await generateModule(program)).files['model.mjs'];
      front.push(t1 - t0);
      back.push(performance.now() - t1);
    }
  } catch (e) {
    return { name, nodes, trees, lines: [`compile failed: ${firstLine((e as Error).message)}`] };
  }
  lines.push(`compile in-process (median of 7): ${ms(median(front) + median(back))} = load, lower and optimise ${ms(median(front))} + emit and bundle ${ms(median(back))}`);
  lines.push(`generated model.mjs: ${(Buffer.byteLength(code) / 1024).toFixed(1)} KiB (${Buffer.byteLength(code)} bytes)`);

  // The CLI, end to end, in a fresh process (node and tsx start-up included).
  const cli: number[] = [];
  for (let i = 0; i < 3; i++) {
    const out = join(WORK, `cli-${i}`);
    const t0 = performance.now();
    const r = spawnSync(process.execPath, [BIN, modelPath, '--out', out], { encoding: 'utf8' });
    cli.push(performance.now() - t0);
    if (r.status !== 0) { lines.push(`CLI compile failed: ${firstLine(r.stderr || r.stdout)}`); break; }
  }
  if (cli.length === 3) lines.push(`compile with the CLI, wall clock of \`mlcompile model.onnx --out DIR\` (median of 3): ${ms(median(cli))}`);
  const bare: number[] = [];
  for (let i = 0; i < 3; i++) {
    const t0 = performance.now();
    spawnSync(process.execPath, ['-e', '0']);
    bare.push(performance.now() - t0);
  }
  lines.push(`(for scale: starting a bare node process: ${ms(median(bare))})`);

  // Loading the module in a fresh process: import(), then the first run() (cold code).
  const file = join(WORK, `${name}-load.mjs`);
  writeFileSync(file, code);
  const feed = rowsOf(readJsonl(join(ROOT, name, 'inputs.jsonl'))[0])[0];
  const feedSource = `
    const feed = ${JSON.stringify(feed)};
    for (const t of Object.values(feed)) t.data = t.data.map((v) => v === 'NaN' || v === null ? NaN : v);`;
  const empty = join(WORK, 'empty.mjs');
  writeFileSync(empty, 'export {};\n');
  const bareImport: number[] = [];
  for (let i = 0; i < 7; i++) {
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', `const t0 = performance.now(); await import(${JSON.stringify(pathToFileURL(empty).href)}); console.log(performance.now() - t0);`], { encoding: 'utf8' });
    bareImport.push(Number(r.stdout));
  }
  const t = timeModuleLoad(file, feedSource, 7);
  if ('error' in t) { lines.push(`loading the module failed: ${t.error}`); return { name, nodes, trees, lines }; }
  const { importMs: imp, firstRunMs: first, secondRunMs: second } = t;
  lines.push(`module load in a fresh node process (median of 7): import() ${ms(median(imp))}, first run() ${ms(median(first))}, second run() ${ms(median(second))}; for scale, import() of an empty module there: ${ms(median(bareImport))}`);
  return { name, nodes, trees, lines };
}

// ------------------------------------------------------------------ report

function us(x: number | undefined): string {
  if (x === undefined) return '-';
  return x < 10 ? x.toFixed(2) : x < 100 ? x.toFixed(1) : x.toFixed(0);
}

function ratio(ort1: number | undefined, ours: number | undefined): number | undefined {
  return ort1 === undefined || ours === undefined ? undefined : ort1 / ours;
}

function fmtRatio(r: number | undefined): string {
  if (r === undefined) return '-';
  return `${r < 10 ? r.toFixed(2) : r < 100 ? r.toFixed(1) : r.toFixed(0)}×`;
}

function geomean(xs: number[]): number | undefined {
  return xs.length === 0 ? undefined : Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
}

const HEADER = ['fixture', 'ours 1 row (µs)', 'ORT 1 row (µs)', 'ratio', `ours ${BATCH} (µs)`, `ORT ${BATCH} (µs)`, 'ratio', 'notes'];

function rowOf(r: Result): string[] {
  return [r.name, us(r.ours1), us(r.ort1), fmtRatio(ratio(r.ort1, r.ours1)), us(r.ours64), us(r.ort64), fmtRatio(ratio(r.ort64, r.ours64)), r.notes.join('; ')];
}

function family(name: string): string {
  return name.split('_')[0];
}

function summaries(results: Result[]): string[][] {
  const groups = new Map<string, Result[]>([['all', results]]);
  for (const r of results) groups.set(family(r.name), [...(groups.get(family(r.name)) ?? []), r]);
  const out: string[][] = [];
  for (const [g, rs] of groups) {
    const r1 = rs.map((r) => ratio(r.ort1, r.ours1)).filter((x): x is number => x !== undefined);
    const r64 = rs.map((r) => ratio(r.ort64, r.ours64)).filter((x): x is number => x !== undefined);
    if (r1.length === 0 && r64.length === 0) continue;
    out.push([g, String(r1.length), fmtRatio(geomean(r1)), fmtRatio(r1.length ? Math.min(...r1) : undefined), fmtRatio(r1.length ? Math.max(...r1) : undefined),
      fmtRatio(geomean(r64)), fmtRatio(r64.length ? Math.min(...r64) : undefined), fmtRatio(r64.length ? Math.max(...r64) : undefined)]);
  }
  return out;
}

const SUMMARY_HEADER = ['fixtures', 'n', 'geomean 1 row', 'min', 'max', `geomean ${BATCH}`, 'min', 'max'];

function textTable(rows: string[][]): string {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const last = rows[0][rows[0].length - 1] === 'notes' ? rows[0].length - 1 : -1;
  return rows.map((r) => r.map((cell, c) => (c === last ? cell : c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ').trimEnd()).join('\n');
}

function mdTable(rows: string[][]): string {
  const esc = (s: string): string => s.replace(/\|/g, '\\|');
  const align = rows[0].map((h, c) => (c === 0 || h === 'notes' ? '-' : '-:'));
  return [rows[0], align, ...rows.slice(1)].map((r) => `| ${r.map(esc).join(' | ')} |`).join('\n');
}

// ------------------------------------------------------------------ main

async function main(): Promise<void> {
  ort.env.logLevel = 'error';
  mkdirSync(WORK, { recursive: true });
  const names = readdirSync(ROOT)
    .filter((d) => statSync(join(ROOT, d)).isDirectory() && (FILTER === undefined || FILTER.test(d)))
    .filter((d) => { try { return statSync(join(ROOT, d, 'model.onnx')).isFile(); } catch { return false; } })
    .sort();
  const started = new Date();
  const loadStart = loadavg();
  console.log(`${names.length} fixtures; node ${process.version}, onnxruntime-node ${ort.env.versions.common ?? '?'}; ${cpus().length} × ${cpus()[0]?.model ?? '?'}; load average ${loadStart.map((x) => x.toFixed(2)).join(' ')}`);
  const results: Result[] = [];
  for (const name of names) {
    let r: Result;
    try {
      r = await benchFixture(name);
    } catch (e) {
      r = { name, notes: [`benchmark failed: ${firstLine((e as Error).message)}`] };
    }
    results.push(r);
    console.log(`  ${rowOf(r).slice(0, 7).join('  ')}${r.notes.length ? `  (${r.notes.join('; ')})` : ''}`);
  }
  const loadMid = loadavg();
  const loadRep = await compileAndLoad(names);
  const loadEnd = loadavg();
  rmSync(WORK, { recursive: true, force: true });

  const table = [HEADER, ...results.map(rowOf)];
  const summary = [SUMMARY_HEADER, ...summaries(results)];
  const env = [
    `date: ${started.toISOString()}`,
    `node ${process.version} (V8 ${process.versions.v8}), onnxruntime-node ${ort.env.versions.common ?? '?'}; ${cpus().length} × ${cpus()[0]?.model ?? '?'}`,
    `load average (1, 5, 15 min): ${loadStart.map((x) => x.toFixed(2)).join(', ')} at the start, ${loadMid.map((x) => x.toFixed(2)).join(', ')} after the table, ${loadEnd.map((x) => x.toFixed(2)).join(', ')} at the end`,
    `${ROUNDS} alternating rounds of ${ROUND_MS} ms per engine after ${WARM_MS} ms of warm-up; medians per call`,
  ];
  const loadLines = loadRep === undefined ? [] : [`largest tree ensemble: ${loadRep.name} (${loadRep.trees} trees, ${loadRep.nodes} nodes)`, ...loadRep.lines];

  console.log(`\n${textTable(table)}`);
  console.log('\nratio = onnxruntime-node time / mlcompile time (above 1: the generated module is faster); single thread, medians.');
  console.log(`\n${textTable(summary)}`);
  if (loadLines.length > 0) console.log(`\n${loadLines.join('\n  ')}`);
  console.log(`\n${env.join('\n')}`);

  if (args.markdown !== undefined) {
    const md = [
      env.join('  \n'),
      '',
      mdTable(table),
      '',
      'ratio = onnxruntime-node time / mlcompile time (above 1: the generated module is faster). µs per call (per 64-row call, or per 64 calls where the notes say so).',
      '',
      mdTable(summary),
      '',
      ...(loadLines.length > 0 ? [`**${loadLines[0]}**`, '', ...loadLines.slice(1).map((l) => `- ${l}`), ''] : []),
    ];
    writeFileSync(args.markdown, md.join('\n'));
    console.log(`\nwrote ${args.markdown}`);
  }
}

await main();
void sink;
