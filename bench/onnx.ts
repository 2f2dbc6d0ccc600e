// Benchmarks: the generated module vs onnxruntime-node and onnxruntime-web, side
// by side in one run, single thread everywhere. Two sets of models:
// - the fixtures of fixtures/onnx (small, shipped);
// - the bench networks (bench/support/nets): an MLP, LeNet-5, 2-layer LSTM and GRU,
//   a transformer encoder, MobileNetV2 and ResNet-18 at 224×224, generated with
//   seeded weights into a cache under the OS temp dir. Each is validated once per
//   run: onnxruntime-node must load and run it and the module's outputs (both
//   backends) must agree with it within the conformance tolerance.
// For each model:
// - the generated module twice: on the WebAssembly SIMD kernels (the default) and
//   compiled with `kernels: 'js'` (the JavaScript fallback, i.e. the code before the
//   SIMD layer), so "before/after" comes from the same run;
// - onnxruntime-node (1 intra-op, 1 inter-op thread) and onnxruntime-web
//   (WebAssembly SIMD build, `ort.env.wasm.numThreads = 1`);
// - median single-call time, and 64 feeds (one call with batch 64 where the model
//   has a symbolic batch dim, else predictBatch of 64 feeds vs 64 session.run calls;
//   the networks with a fixed batch of 1 skip this, to keep runs bounded);
// - the ONNX file and module sizes, compile time, and load (cold start) time.
//
//   npm run bench                              (fixtures and networks; not part of npm test)
//   npm run bench -- --nets all                (the networks only)
//   npm run bench -- --nets mlp,resnet18-224   (some networks only)
//   npm run bench -- --fixtures                (the fixtures only)
//   npm run bench -- --only torch-resnet       (models whose name contains the text)
//   npm run bench -- --no-batch                (single-call times only)

import { readdirSync, readFileSync, mkdirSync, writeFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { generateModule, loadProgram } from '../src/api.js';
import { compareTensors, DEFAULT_TOLERANCE, type ComparableTensor } from '../src/validate/compare.js';
import { timeModuleLoad, timeOrtNodeLoad } from './support/module-load.js';
import { BENCH_NETS, cachedNet, netInput } from './support/nets/index.js';

interface Feed { [name: string]: { type: string; dims: number[]; data: number[] } }
interface Mod { run(f: unknown): Record<string, ComparableTensor>; predictBatch(f: unknown[]): unknown[]; metadata: { backend: string } }
interface Session { run(feeds: Record<string, unknown>): Promise<Record<string, ComparableTensor>> }
type TensorCtor = new (type: 'float32' | 'int64', data: Float32Array | BigInt64Array, dims: number[]) => unknown;

/** One model to bench: a fixture or a generated network. */
interface Entry {
  readonly name: string;
  readonly group: 'fixture' | 'net';
  readonly path: string;
  readonly feed: Feed;
  /** Bytes of the initializers, when known (the module size limit is relative to them). */
  readonly weightBytes?: number;
  /** Skip the 64-feed timing unless the batch dim is symbolic (one call with batch 64). */
  readonly batchOnlyWhenSymbolic: boolean;
}

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'onnx');
const args = process.argv.slice(2);
const argAfter = (flag: string): string | undefined => (args.includes(flag) ? args[args.indexOf(flag) + 1] : undefined);
const only = argAfter('--only');
const netsArg = argAfter('--nets');
const withFixtures = netsArg === undefined || args.includes('--fixtures');
const withNets = !args.includes('--fixtures') || netsArg !== undefined;
const withBatch = !args.includes('--no-batch');
/** Fresh processes per cold-start measurement of a network module. */
const COLD_RUNS = 3;

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/**
 * µs per call, measured in batches of calls long enough (≥ 20 ms) for the clocks to
 * be exact: warm up (V8 optimises JavaScript and tiers WebAssembly up) for 50 calls
 * or 1.5 s, then take batches for at least 1.5 s and 5 batches (stopping at 5 s with
 * 3 batches for the slowest configurations). Wall time and CPU time (the process's
 * user + system time) per call are both kept: on a machine shared with other work,
 * wall time includes the time spent waiting for a core, CPU time does not.
 * With `warmOnlyMs`, only warms up (for at least that long) and measures nothing.
 */
async function timeIt(fn: () => unknown | Promise<unknown>, warmOnlyMs = 0): Promise<Sample> {
  const w0 = performance.now();
  let warm = 0;
  while (warm < 50 && (warm < 2 || performance.now() - w0 < 1500)) { await fn(); warm++; }
  if (warmOnlyMs > 0) {
    while (performance.now() - w0 < warmOnlyMs) await fn();
    return { median: NaN, cpu: NaN };
  }
  const perCall = (performance.now() - w0) / warm;
  const n = Math.max(1, Math.ceil(20 / perCall));
  const wall: number[] = [], cpu: number[] = [];
  const start = performance.now();
  for (;;) {
    const c0 = process.cpuUsage(), t0 = performance.now();
    for (let i = 0; i < n; i++) await fn();
    const t1 = performance.now(), c1 = process.cpuUsage(c0);
    wall.push(((t1 - t0) * 1000) / n);
    cpu.push((c1.user + c1.system) / n);
    const elapsed = performance.now() - start;
    if ((elapsed >= 1500 && wall.length >= 5) || (elapsed >= 5000 && wall.length >= 3)) break;
  }
  return { median: median(wall), cpu: median(cpu) };
}

/** µs per call: median wall time and median CPU time over the batches. */
interface Sample { median: number; cpu: number }

/** The feed with typed-array data, as a caller of the generated module would pass it. */
function toTyped(feed: Feed): Record<string, unknown> {
  return Object.fromEntries(Object.entries(feed).map(([k, v]) => [k, { ...v, data: v.type === 'int64' ? BigInt64Array.from(v.data.map(BigInt)) : Float32Array.from(v.data) }]));
}

function toOrt(Tensor: TensorCtor, feed: Feed): Record<string, unknown> {
  return Object.fromEntries(Object.entries(feed).map(([k, t]) => [k, t.type === 'int64'
    ? new Tensor('int64', BigInt64Array.from(t.data.map(BigInt)), t.dims)
    : new Tensor('float32', Float32Array.from(t.data), t.dims)]));
}

/** 64 copies of a feed stacked along a symbolic leading dim, or undefined when the model has none. */
function batch64(feed: Feed, symbolic: boolean): Feed | undefined {
  if (!symbolic) return undefined;
  const out: Feed = {};
  for (const [k, v] of Object.entries(feed)) {
    const rows = v.dims[0];
    const data: number[] = [];
    for (let i = 0; i < 64; i++) data.push(...v.data.slice(0, v.data.length / rows));
    out[k] = { type: v.type, dims: [64, ...v.dims.slice(1)], data };
  }
  return out;
}

interface Timings { one: number; many: number; oneCpu: number; manyCpu: number }

/** Single-call and 64-feed times of one implementation; `feeds64` undefined skips the 64-feed timing. */
async function measure(run: (f: unknown) => unknown, feed: unknown, bigFeed: unknown | undefined, feeds64: (() => unknown) | undefined): Promise<Timings> {
  const one = await timeIt(() => run(feed));
  if (!withBatch || (bigFeed === undefined && feeds64 === undefined)) return { one: one.median, oneCpu: one.cpu, many: NaN, manyCpu: NaN };
  const many = bigFeed !== undefined ? await timeIt(() => run(bigFeed)) : await timeIt(feeds64 as () => unknown);
  return { one: one.median, oneCpu: one.cpu, many: many.median, manyCpu: many.cpu };
}

const fmt = (us: number): string => (Number.isNaN(us) ? '–' : us >= 1000 ? Math.round(us).toLocaleString('en-US') : us.toFixed(1));
const ratio = (a: number, b: number): string => (Number.isNaN(a) || Number.isNaN(b) ? '–' : `${(a / b).toFixed(2)}×`);

/** Every output of ours against onnxruntime-node's: worst absolute difference, that over the reference's largest magnitude, and mismatches under the conformance tolerance. */
function agreement(ours: Record<string, ComparableTensor>, ref: Record<string, ComparableTensor>): { maxAbs: number; maxRel: number; mismatches: number; total: number; message: string } {
  let maxAbs = 0, maxRel = 0, mismatches = 0, total = 0;
  const messages: string[] = [];
  for (const [name, expected] of Object.entries(ref)) {
    const actual = ours[name];
    if (actual === undefined) { mismatches++; messages.push(`${name}: missing`); continue; }
    const c = compareTensors(actual, expected, DEFAULT_TOLERANCE);
    total += expected.data.length;
    mismatches += c.mismatches;
    if (!c.ok) messages.push(`${name}: ${c.message}`);
    maxAbs = Math.max(maxAbs, c.maxAbsError);
    let scale = 0;
    for (let i = 0; i < expected.data.length; i++) {
      const v = expected.data[i];
      if (typeof v === 'number' && Number.isFinite(v)) scale = Math.max(scale, Math.abs(v));
    }
    if (scale > 0) maxRel = Math.max(maxRel, c.maxAbsError / scale);
  }
  return { maxAbs, maxRel, mismatches, total, message: messages.join('; ') || 'ok' };
}

function fixtureEntries(): Entry[] {
  return readdirSync(FIXTURES).sort().map((name) => ({
    name,
    group: 'fixture' as const,
    path: join(FIXTURES, name, 'model.onnx'),
    feed: JSON.parse(readFileSync(join(FIXTURES, name, 'inputs.jsonl'), 'utf8').split('\n')[0]) as Feed,
    batchOnlyWhenSymbolic: false,
  }));
}

function netEntries(): Entry[] {
  const wanted = netsArg === undefined || netsArg === 'all' ? undefined : netsArg.split(',').map((s) => s.trim());
  const unknown = wanted?.filter((w) => !BENCH_NETS.some((n) => n.name === w)) ?? [];
  if (unknown.length > 0) throw new Error(`unknown network(s) ${unknown.join(', ')}; known: ${BENCH_NETS.map((n) => n.name).join(', ')}`);
  const selected = BENCH_NETS.filter((n) => (wanted === undefined || wanted.includes(n.name)) && (only === undefined || n.name.includes(only)));
  return selected.map((spec) => {
    const net = cachedNet(spec);
    return {
      name: net.name,
      group: 'net' as const,
      path: net.path,
      feed: { [net.inputName]: { type: 'float32', dims: net.inputDims.slice(), data: Array.from(netInput(net.inputDims)) } },
      weightBytes: net.weightBytes,
      batchOnlyWhenSymbolic: true,
    };
  });
}

/** Tables, one set per group of models. */
class Tables {
  readonly cpuCalls: string[][] = [['model', 'wasm CPU (µs)', 'js CPU (µs)', 'ORT-node CPU (µs)', 'ORT-web CPU (µs)', 'node/wasm', 'web/wasm', 'js/wasm']];
  readonly cpuBatches: string[][] = [['model', 'wasm 64 CPU (µs)', 'js 64 CPU (µs)', 'ORT-node 64 CPU (µs)', 'ORT-web 64 CPU (µs)', 'node/wasm', 'web/wasm', 'js/wasm']];
  readonly calls: string[][] = [['model', 'wasm (µs)', 'js (µs)', 'ORT-node (µs)', 'ORT-web (µs)', 'node/wasm', 'web/wasm', 'js/wasm']];
  readonly batches: string[][] = [['model', 'wasm 64 (µs)', 'js 64 (µs)', 'ORT-node 64 (µs)', 'ORT-web 64 (µs)', 'node/wasm', 'web/wasm', 'js/wasm']];
  readonly sizes: string[][];
  readonly agreement: string[][] = [['model', 'outputs', 'wasm max abs', 'wasm max abs / max(abs ref)', 'js max abs', 'js max abs / max(abs ref)',
    `within rtol ${DEFAULT_TOLERANCE.rtol}, atol ${DEFAULT_TOLERANCE.atol}`, 'ORT-web vs ORT-node: max abs / max(abs ref), outside tolerance']];
  constructor(readonly group: Entry['group']) {
    this.sizes = group === 'net'
      ? [['model', 'weights (MB)', 'model.mjs (MB)', 'size / (1.4×w + 200 kB)', 'compile (ms)', 'cold import (ms)', 'cold 1st run (ms)',
        'ORT-node cold: import + session (ms)', 'ORT-node cold 1st run (ms)', 'load in-process (ms)', 'ORT-node session (ms)', 'ORT-web session (ms)']]
      : [['model', 'onnx (kB)', 'model.mjs (kB)', 'compile (ms)', 'load wasm (ms)', 'ORT-node load (ms)', 'ORT-web load (ms)']];
  }
  print(): void {
    const all = this.group === 'net'
      ? [this.agreement, this.cpuCalls, this.cpuBatches, this.calls, this.batches, this.sizes]
      : [this.cpuCalls, this.cpuBatches, this.calls, this.batches, this.sizes, this.agreement];
    console.log(`### ${this.group === 'net' ? 'networks' : 'fixtures'}\n`);
    for (const table of all) {
      if (table.length === 1) continue;
      console.log(`| ${table[0].join(' | ')} |`);
      console.log(`|${table[0].map((_, c) => (c === 0 ? '---' : '---:')).join('|')}|`);
      for (const r of table.slice(1)) console.log(`| ${r.join(' | ')} |`);
      console.log();
    }
  }
}

async function benchEntry(entry: Entry, dir: string, tables: Tables): Promise<void> {
  const { name, path: modelPath, feed } = entry;
  const modelBytes = readFileSync(modelPath);
  const c0 = performance.now();
  const program = loadProgram(modelPath);
  const compiled = await generateModule(program);
  const compileMs = performance.now() - c0;
  const compiledJs = await generateModule(program, { kernels: 'js' });
  const mods: Mod[] = [];
  let loadMs = 0;
  // Files are named per group: import() caches by URL, and a fixture and a network may share a name.
  const stem = `${entry.group}-${name}`;
  const wasmFile = join(dir, `${stem}-wasm.mjs`);
  for (const [tag, c] of [['wasm', compiled], ['js', compiledJs]] as const) {
    const file = join(dir, `${stem}-${tag}.mjs`);
    writeFileSync(file, c.files['model.mjs']);
    const l0 = performance.now();
    mods.push((await import(pathToFileURL(file).href)) as Mod);
    if (tag === 'wasm') loadMs = performance.now() - l0;
  }
  const [wasmMod, jsMod] = mods;
  if (wasmMod.metadata.backend !== 'wasm-simd' || jsMod.metadata.backend !== 'js') throw new Error(`${name}: unexpected backends`);
  const n0 = performance.now();
  const nodeSession = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1 }) as unknown as Session;
  const nodeLoad = performance.now() - n0;
  const w0 = performance.now();
  const webSession = await ortWeb.InferenceSession.create(modelBytes, { executionProviders: ['wasm'] }) as unknown as Session;
  const webLoad = performance.now() - w0;
  const symbolic = program.inputs.every((i) => i.type.kind === 'tensor' && i.type.shape !== null && typeof i.type.shape[0] === 'string');
  const big = batch64(feed, symbolic);
  const typed = toTyped(feed), bigTyped = big && toTyped(big);
  const feeds = Array.from({ length: 64 }, () => typed);
  const skip64 = entry.batchOnlyWhenSymbolic && big === undefined;
  const ortFeeds = [toOrt(ort.Tensor as unknown as TensorCtor, feed), toOrt(ortWeb.Tensor as unknown as TensorCtor, feed)];

  // Validate before timing: onnxruntime-node's outputs are the reference.
  const reference = await nodeSession.run(ortFeeds[0]);
  const [aw, aj] = [agreement(wasmMod.run(typed), reference), agreement(jsMod.run(typed), reference)];
  // onnxruntime-web against onnxruntime-node under the same rule: how far two float32
  // implementations of the same graph drift apart on their own.
  const ab = agreement(await webSession.run(ortFeeds[1]), reference);
  const within = aw.mismatches === 0 && aj.mismatches === 0 ? `yes (${aw.total.toLocaleString('en-US')} values)`
    : `NO: wasm ${aw.mismatches}, js ${aj.mismatches} of ${aw.total} (${aw.mismatches > 0 ? aw.message : aj.message})`;
  tables.agreement.push([name, Object.keys(reference).join(', '), aw.maxAbs.toExponential(2), aw.maxRel.toExponential(2), aj.maxAbs.toExponential(2), aj.maxRel.toExponential(2), within,
    `${ab.maxRel.toExponential(2)}, ${ab.mismatches} of ${ab.total}`]);
  console.error(`${name}: agreement with onnxruntime-node: ${within}`);

  // Warm every implementation up before timing any: the first one timed would
  // otherwise pay for the background compiling and collecting the others cause.
  for (let round = 0; round < 2; round++) {
    for (const mod of mods) await timeIt(() => mod.run(typed), 300);
    await timeIt(() => nodeSession.run(ortFeeds[0]), 300);
    await timeIt(() => webSession.run(ortFeeds[1]), 300);
  }
  const results: Timings[] = [];
  for (const mod of mods) results.push(await measure((f) => mod.run(f), typed, bigTyped, skip64 ? undefined : () => mod.predictBatch(feeds)));
  for (const [session, Tensor] of [[nodeSession, ort.Tensor], [webSession, ortWeb.Tensor]] as [Session, TensorCtor][]) {
    const f = toOrt(Tensor, feed), b = big && toOrt(Tensor, big);
    results.push(await measure((x) => session.run(x as Record<string, unknown>), f, b, skip64 ? undefined : async () => { for (let i = 0; i < 64; i++) await session.run(f); }));
  }
  const [w, j, nd, wb] = results;
  tables.calls.push([name, fmt(w.one), fmt(j.one), fmt(nd.one), fmt(wb.one), ratio(nd.one, w.one), ratio(wb.one, w.one), ratio(j.one, w.one)]);
  tables.cpuCalls.push([name, fmt(w.oneCpu), fmt(j.oneCpu), fmt(nd.oneCpu), fmt(wb.oneCpu), ratio(nd.oneCpu, w.oneCpu), ratio(wb.oneCpu, w.oneCpu), ratio(j.oneCpu, w.oneCpu)]);
  if (!skip64) {
    tables.cpuBatches.push([name, fmt(w.manyCpu), fmt(j.manyCpu), fmt(nd.manyCpu), fmt(wb.manyCpu), ratio(nd.manyCpu, w.manyCpu), ratio(wb.manyCpu, w.manyCpu), ratio(j.manyCpu, w.manyCpu)]);
    tables.batches.push([name, fmt(w.many), fmt(j.many), fmt(nd.many), fmt(wb.many), ratio(nd.many, w.many), ratio(wb.many, w.many), ratio(j.many, w.many)]);
  }
  const mjsBytes = Buffer.byteLength(compiled.files['model.mjs']);
  if (entry.group === 'net') {
    // Cold start in fresh processes: import() decodes the weights and compiles the kernels.
    const feedFile = join(dir, `${stem}-feed.json`);
    writeFileSync(feedFile, JSON.stringify(feed));
    const cold = timeModuleLoad(wasmFile, `const feed = JSON.parse((await import('node:fs')).readFileSync(${JSON.stringify(feedFile)}, 'utf8'));`, COLD_RUNS);
    const ortCold = timeOrtNodeLoad(modelPath, feedFile, COLD_RUNS);
    const weights = entry.weightBytes ?? 0;
    const limit = 1.4 * weights + 200_000;
    tables.sizes.push([name, (weights / 1e6).toFixed(2), (mjsBytes / 1e6).toFixed(2),
      `${(mjsBytes / limit).toFixed(2)} ${mjsBytes <= limit ? '(ok)' : '(OVER)'}`, compileMs.toFixed(0),
      'error' in cold ? `failed: ${cold.error}` : median(cold.importMs).toFixed(1),
      'error' in cold ? '–' : median(cold.firstRunMs).toFixed(1),
      'error' in ortCold ? `failed: ${ortCold.error}` : (median(ortCold.importMs) + median(ortCold.sessionMs)).toFixed(1),
      'error' in ortCold ? '–' : median(ortCold.firstRunMs).toFixed(1),
      loadMs.toFixed(1), nodeLoad.toFixed(1), webLoad.toFixed(1)]);
  } else {
    tables.sizes.push([name, (statSync(modelPath).size / 1000).toFixed(1), (mjsBytes / 1000).toFixed(1),
      compileMs.toFixed(0), loadMs.toFixed(1), nodeLoad.toFixed(1), webLoad.toFixed(1)]);
  }
  console.error(`done ${name}`);
}

async function main(): Promise<void> {
  ort.env.logLevel = 'error';
  ortWeb.env.logLevel = 'error';
  ortWeb.env.wasm.numThreads = 1;
  ortWeb.env.wasm.wasmPaths = pathToFileURL(join(import.meta.dirname, '..', 'node_modules', 'onnxruntime-web', 'dist') + '/').href;
  const dir = join(tmpdir(), `mlcompile-bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const load0 = loadavg();
  const groups: [Tables, Entry[]][] = [];
  try {
    if (withFixtures) groups.push([new Tables('fixture'), fixtureEntries()]);
    if (withNets) groups.push([new Tables('net'), netEntries()]);
    for (const [tables, entries] of groups) {
      for (const entry of entries) {
        if (only !== undefined && !entry.name.includes(only)) continue;
        // One model failing (a compile error, an op onnxruntime lacks) is reported in
        // its row and does not lose the rest of the run.
        try {
          await benchEntry(entry, dir, tables);
        } catch (e) {
          const message = `FAILED: ${(e as Error).message.split('\n')[0]}`;
          console.error(`${entry.name}: ${message}`);
          tables.cpuCalls.push([entry.name, message, '', '', '', '', '', '']);
        }
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const load1 = loadavg();
  for (const [tables] of groups) tables.print();
  console.log('ratios: other time / mlcompile-wasm time (above 1: the SIMD module is faster); single thread, medians over batches.');
  console.log('tables: agreement with onnxruntime-node (networks), CPU time per call (1 call, 64), wall time per call (1 call, 64), sizes and times to compile and load.');
  console.log(`cold: median of ${COLD_RUNS} fresh node processes importing the wasm module (or onnxruntime-node and creating a session) and calling run() once; "session": session creation in this process.`);
  console.log(`load average (1/5/15 min) at start ${load0.map((x) => x.toFixed(2)).join(' ')}, at end ${load1.map((x) => x.toFixed(2)).join(' ')}`);
}

await main();
