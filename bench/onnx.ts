// Benchmarks: the generated module vs onnxruntime-node, side by side in one run.
// For each fixture: median single-call latency, and throughput on 64 feeds
// (one call with batch 64 where the model has a symbolic batch dim, else
// predictBatch of 64 feeds vs 64 session.run calls). Prints ratios.
//
//   npm run bench            (not part of npm test)

import { readdirSync, readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import * as ort from 'onnxruntime-node';
import { generateModule, loadProgram } from '../src/api.js';

interface Feed { [name: string]: { type: string; dims: number[]; data: number[] } }
interface Mod { run(f: unknown): unknown; predictBatch(f: unknown[]): unknown[] }

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'onnx');

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function timeIt(fn: () => unknown | Promise<unknown>, minMs = 300): Promise<number> {
  for (let i = 0; i < 20; i++) await fn(); // warm up (and let V8 optimise)
  const samples: number[] = [];
  const start = performance.now();
  while (performance.now() - start < minMs || samples.length < 30) {
    const t0 = performance.now();
    await fn();
    samples.push(performance.now() - t0);
  }
  return median(samples) * 1000; // µs
}

/** The feed with typed-array data, as a caller of the generated module would pass it. */
function toTyped(feed: Feed): Record<string, unknown> {
  return Object.fromEntries(Object.entries(feed).map(([k, v]) => [k, { ...v, data: v.type === 'int64' ? BigInt64Array.from(v.data.map(BigInt)) : Float32Array.from(v.data) }]));
}

function toOrt(t: Feed[string]): ort.Tensor {
  if (t.type === 'int64') return new ort.Tensor('int64', BigInt64Array.from(t.data.map(BigInt)), t.dims);
  return new ort.Tensor(t.type as 'float32', Float32Array.from(t.data), t.dims);
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

async function main(): Promise<void> {
  ort.env.logLevel = 'error';
  const rows: string[][] = [['model', 'mlcompile 1 call (µs)', 'ORT 1 call (µs)', 'ratio', 'mlcompile 64 (µs)', 'ORT 64 (µs)', 'ratio']];
  const dir = join(tmpdir(), 'mlcompile-bench');
  mkdirSync(dir, { recursive: true });
  for (const name of readdirSync(FIXTURES).sort()) {
    const modelPath = join(FIXTURES, name, 'model.onnx');
    const feed = JSON.parse(readFileSync(join(FIXTURES, name, 'inputs.jsonl'), 'utf8').split('\n')[0]) as Feed;
    const program = loadProgram(modelPath);
    const compiled = await generateModule(program);
    const file = join(dir, `${name}.mjs`);
    writeFileSync(file, compiled.files['model.mjs']);
    const mod = (await import(pathToFileURL(file).href)) as Mod;
    const session = await ort.InferenceSession.create(modelPath, { intraOpNumThreads: 1, interOpNumThreads: 1 });
    const ortFeed = Object.fromEntries(Object.entries(feed).map(([k, v]) => [k, toOrt(v)]));
    const typedFeed = toTyped(feed);
    const oneOurs = await timeIt(() => mod.run(typedFeed));
    const oneOrt = await timeIt(() => session.run(ortFeed));
    const symbolic = program.inputs.every((i) => i.type.kind === 'tensor' && i.type.shape !== null && typeof i.type.shape[0] === 'string');
    const big = batch64(feed, symbolic);
    let manyOurs: number;
    let manyOrt: number;
    if (big) {
      const bigTyped = toTyped(big);
      const bigOrt = Object.fromEntries(Object.entries(big).map(([k, v]) => [k, toOrt(v)]));
      manyOurs = await timeIt(() => mod.run(bigTyped));
      manyOrt = await timeIt(() => session.run(bigOrt));
    } else {
      const feeds = Array.from({ length: 64 }, () => typedFeed);
      manyOurs = await timeIt(() => mod.predictBatch(feeds));
      manyOrt = await timeIt(async () => { for (let i = 0; i < 64; i++) await session.run(ortFeed); });
    }
    rows.push([name, oneOurs.toFixed(1), oneOrt.toFixed(1), `${(oneOrt / oneOurs).toFixed(2)}×`, manyOurs.toFixed(1), manyOrt.toFixed(1), `${(manyOrt / manyOurs).toFixed(2)}×`]);
  }
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  for (const r of rows) console.log(r.map((cell, c) => cell.padStart(widths[c])).join('  '));
  console.log('\nratio = onnxruntime-node time / mlcompile time (higher is better for mlcompile); single thread, medians.');
}

await main();
