// Benchmarks: the generated module vs onnxruntime-node and onnxruntime-web, side
// by side in one run, single thread everywhere. For each fixture:
// - the generated module twice: on the WebAssembly SIMD kernels (the default) and
//   compiled with `kernels: 'js'` (the JavaScript fallback, i.e. the code before the
//   SIMD layer), so "before/after" comes from the same run;
// - onnxruntime-node (1 intra-op, 1 inter-op thread) and onnxruntime-web
//   (WebAssembly SIMD build, `ort.env.wasm.numThreads = 1`);
// - median single-call latency, and throughput on 64 feeds (one call with batch 64
//   where the model has a symbolic batch dim, else predictBatch of 64 feeds vs 64
//   session.run calls);
// - the ONNX file and module sizes, compile time, and load (cold start: import of
//   the module / session creation) time.
//
//   npm run bench                          (not part of npm test)
//   npm run bench -- --only torch-resnet   (fixtures whose name contains the text)
//   npm run bench -- --no-batch            (single-call latency only)

import { readdirSync, readFileSync, mkdirSync, writeFileSync, rmSync, statSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import * as ortWeb from 'onnxruntime-web';
import { generateModule, loadProgram } from '../src/api.js';

interface Feed { [name: string]: { type: string; dims: number[]; data: number[] } }
interface Mod { run(f: unknown): unknown; predictBatch(f: unknown[]): unknown[]; metadata: { backend: string } }
interface Session { run(feeds: Record<string, unknown>): Promise<unknown> }
type TensorCtor = new (type: 'float32' | 'int64', data: Float32Array | BigInt64Array, dims: number[]) => unknown;

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'onnx');
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const withBatch = !args.includes('--no-batch');

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

/** Single-call and 64-feed times of one implementation. */
async function measure(run: (f: unknown) => unknown, feed: unknown, bigFeed: unknown | undefined, feeds64: () => unknown): Promise<Timings> {
  const one = await timeIt(() => run(feed));
  if (!withBatch) return { one: one.median, oneCpu: one.cpu, many: NaN, manyCpu: NaN };
  const many = bigFeed !== undefined ? await timeIt(() => run(bigFeed)) : await timeIt(feeds64);
  return { one: one.median, oneCpu: one.cpu, many: many.median, manyCpu: many.cpu };
}

const fmt = (us: number): string => (Number.isNaN(us) ? '–' : us >= 1000 ? Math.round(us).toLocaleString('en-US') : us.toFixed(1));
const ratio = (a: number, b: number): string => (Number.isNaN(a) || Number.isNaN(b) ? '–' : `${(a / b).toFixed(2)}×`);

async function main(): Promise<void> {
  ort.env.logLevel = 'error';
  ortWeb.env.logLevel = 'error';
  ortWeb.env.wasm.numThreads = 1;
  ortWeb.env.wasm.wasmPaths = pathToFileURL(join(import.meta.dirname, '..', 'node_modules', 'onnxruntime-web', 'dist') + '/').href;
  const dir = join(tmpdir(), `mlcompile-bench-${process.pid}`);
  mkdirSync(dir, { recursive: true });
  const load0 = loadavg();
  const calls: string[][] = [['model', 'wasm (µs)', 'js (µs)', 'ORT-node (µs)', 'ORT-web (µs)', 'node/wasm', 'web/wasm', 'js/wasm']];
  const batches: string[][] = [['model', 'wasm 64 (µs)', 'js 64 (µs)', 'ORT-node 64 (µs)', 'ORT-web 64 (µs)', 'node/wasm', 'web/wasm', 'js/wasm']];
  const cpuCalls: string[][] = [['model', 'wasm CPU (µs)', 'js CPU (µs)', 'ORT-node CPU (µs)', 'ORT-web CPU (µs)', 'node/wasm', 'web/wasm', 'js/wasm']];
  const cpuBatches: string[][] = [['model', 'wasm 64 CPU (µs)', 'js 64 CPU (µs)', 'ORT-node 64 CPU (µs)', 'ORT-web 64 CPU (µs)', 'node/wasm', 'web/wasm', 'js/wasm']];
  const sizes: string[][] = [['model', 'onnx (kB)', 'model.mjs (kB)', 'compile (ms)', 'load wasm (ms)', 'ORT-node load (ms)', 'ORT-web load (ms)']];
  try {
    for (const name of readdirSync(FIXTURES).sort()) {
      if (only !== undefined && !name.includes(only)) continue;
      const modelPath = join(FIXTURES, name, 'model.onnx');
      const modelBytes = readFileSync(modelPath);
      const feed = JSON.parse(readFileSync(join(FIXTURES, name, 'inputs.jsonl'), 'utf8').split('\n')[0]) as Feed;
      const c0 = performance.now();
      const program = loadProgram(modelPath);
      const compiled = await generateModule(program);
      const compileMs = performance.now() - c0;
      const compiledJs = await generateModule(program, { kernels: 'js' });
      const mods: Mod[] = [];
      let loadMs = 0;
      for (const [tag, c] of [['wasm', compiled], ['js', compiledJs]] as const) {
        const file = join(dir, `${name}-${tag}.mjs`);
        writeFileSync(file, c.files['model.mjs']);
        const l0 = performance.now();
        mods.push((await import(pathToFileURL(file).href)) as Mod);
        if (tag === 'wasm') loadMs = performance.now() - l0;
      }
      const [wasmMod, jsMod] = mods;
      if (wasmMod.metadata.backend !== 'wasm-simd' || jsMod.metadata.backend !== 'js') throw new Error(`${name}: unexpected backends`);
      const n0 = performance.now();
      const nodeSession = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1 });
      const nodeLoad = performance.now() - n0;
      const w0 = performance.now();
      const webSession = await ortWeb.InferenceSession.create(modelBytes, { executionProviders: ['wasm'] });
      const webLoad = performance.now() - w0;
      const symbolic = program.inputs.every((i) => i.type.kind === 'tensor' && i.type.shape !== null && typeof i.type.shape[0] === 'string');
      const big = batch64(feed, symbolic);
      const typed = toTyped(feed), bigTyped = big && toTyped(big);
      const feeds = Array.from({ length: 64 }, () => typed);
      // Warm every implementation up before timing any: the first one timed would
      // otherwise pay for the background compiling and collecting the others cause.
      const ortFeeds = [toOrt(ort.Tensor as unknown as TensorCtor, feed), toOrt(ortWeb.Tensor as unknown as TensorCtor, feed)];
      for (let round = 0; round < 2; round++) {
        for (const mod of mods) await timeIt(() => mod.run(typed), 300);
        await timeIt(() => (nodeSession as Session).run(ortFeeds[0] as Record<string, unknown>), 300);
        await timeIt(() => (webSession as Session).run(ortFeeds[1] as Record<string, unknown>), 300);
      }
      const results: Timings[] = [];
      for (const mod of mods) results.push(await measure((f) => mod.run(f), typed, bigTyped, () => mod.predictBatch(feeds)));
      for (const [session, Tensor] of [[nodeSession, ort.Tensor], [webSession, ortWeb.Tensor]] as [Session, TensorCtor][]) {
        const f = toOrt(Tensor, feed), b = big && toOrt(Tensor, big);
        results.push(await measure((x) => session.run(x as Record<string, unknown>), f, b, async () => { for (let i = 0; i < 64; i++) await session.run(f); }));
      }
      const [w, j, nd, wb] = results;
      calls.push([name, fmt(w.one), fmt(j.one), fmt(nd.one), fmt(wb.one), ratio(nd.one, w.one), ratio(wb.one, w.one), ratio(j.one, w.one)]);
      cpuCalls.push([name, fmt(w.oneCpu), fmt(j.oneCpu), fmt(nd.oneCpu), fmt(wb.oneCpu), ratio(nd.oneCpu, w.oneCpu), ratio(wb.oneCpu, w.oneCpu), ratio(j.oneCpu, w.oneCpu)]);
      cpuBatches.push([name, fmt(w.manyCpu), fmt(j.manyCpu), fmt(nd.manyCpu), fmt(wb.manyCpu), ratio(nd.manyCpu, w.manyCpu), ratio(wb.manyCpu, w.manyCpu), ratio(j.manyCpu, w.manyCpu)]);
      batches.push([name, fmt(w.many), fmt(j.many), fmt(nd.many), fmt(wb.many), ratio(nd.many, w.many), ratio(wb.many, w.many), ratio(j.many, w.many)]);
      sizes.push([name, (statSync(modelPath).size / 1000).toFixed(1), (compiled.files['model.mjs'].length / 1000).toFixed(1),
        compileMs.toFixed(0), loadMs.toFixed(1), nodeLoad.toFixed(1), webLoad.toFixed(1)]);
      console.error(`done ${name}`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const load1 = loadavg();
  for (const table of [cpuCalls, cpuBatches, calls, batches, sizes]) {
    console.log(`| ${table[0].join(' | ')} |`);
    console.log(`|${table[0].map((_, c) => (c === 0 ? '---' : '---:')).join('|')}|`);
    for (const r of table.slice(1)) console.log(`| ${r.join(' | ')} |`);
    console.log();
  }
  console.log('ratios: other time / mlcompile-wasm time (above 1: the SIMD module is faster); single thread, medians over batches.');
  console.log('tables: CPU time per call (1 call, 64), then wall time per call (1 call, 64), then sizes and times to compile and load.');
  console.log(`load average (1/5/15 min) at start ${load0.map((x) => x.toFixed(2)).join(' ')}, at end ${load1.map((x) => x.toFixed(2)).join(' ')}`);
}

await main();
