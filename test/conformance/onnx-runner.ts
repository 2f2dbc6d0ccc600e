// The ONNX conformance runner over the five suites in ../shared/conformance/onnx.
// Every test's outcome is compared with test/conformance/onnx.status.json: a
// regression (expected pass, now failing) or an unexpected pass fails the run,
// so the status file stays true and the pass count can only go up.
//
//   node --import tsx test/conformance/onnx-runner.ts [--filter REGEX] [--update] [--jobs N] [--no-opt] [--verbose]

import { readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { CONFORMANCE_ROOT, type CaseResult, type CaseSpec } from './onnx-case.js';

type StatusEntry = 'pass' | { readonly status: 'fail' | 'unsupported' | 'random'; readonly reason: string };

const STATUS_FILE = join(import.meta.dirname, 'onnx.status.json');
const ORT_FIGURES: Record<string, string> = { node: '1,455', simple: '21', 'pytorch-converted': '59', 'pytorch-operator': '24', light: '—' };
/** Upstream: these have random reference outputs no implementation can match. */
const RANDOM = /^test_(bernoulli|training_dropout(?!_zero_ratio))/;

interface ManifestTest {
  name: string; suite: string; folder: string;
  tolerance?: { rtol: number; atol: number };
  inputs: CaseSpec['inputs'];
}

function parseArgs(argv: string[]): { filter?: RegExp; update: boolean; jobs: number; optimize: boolean; verbose: boolean } {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const f = get('--filter');
  return {
    filter: f ? new RegExp(f) : undefined,
    update: argv.includes('--update'),
    jobs: Number(get('--jobs') ?? Math.max(1, Math.min(cpus().length, 4))),
    optimize: !argv.includes('--no-opt'),
    verbose: argv.includes('--verbose'),
  };
}

function timeoutFor(spec: CaseSpec): number {
  return spec.suite === 'light' ? 600_000 : 120_000;
}

async function runAll(specs: CaseSpec[], jobs: number, optimize: boolean, onResult: (r: CaseResult) => void): Promise<void> {
  const queue = specs.slice();
  const workerFile = join(import.meta.dirname, 'onnx-worker.mjs');
  const lane = async (): Promise<void> => {
    let worker: Worker | undefined;
    while (queue.length > 0) {
      const spec = queue.shift() as CaseSpec;
      worker ??= new Worker(workerFile, { resourceLimits: { maxOldGenerationSizeMb: 4096 } });
      const w = worker;
      const result = await new Promise<CaseResult>((resolve) => {
        const timer = setTimeout(() => {
          cleanup();
          void w.terminate();
          worker = undefined;
          resolve({ name: spec.name, status: 'fail', reason: `timed out after ${timeoutFor(spec) / 1000} s`, ms: timeoutFor(spec) });
        }, timeoutFor(spec));
        const onMessage = (r: CaseResult): void => { cleanup(); resolve(r); };
        const onError = (e: Error): void => { cleanup(); worker = undefined; resolve({ name: spec.name, status: 'fail', reason: `worker crashed: ${e.message}`, ms: 0 }); };
        const cleanup = (): void => { clearTimeout(timer); w.off('message', onMessage); w.off('error', onError); };
        w.on('message', onMessage);
        w.on('error', onError);
        w.postMessage({ spec, optimize });
      });
      onResult(result);
    }
    if (worker) await worker.terminate();
  };
  await Promise.all(Array.from({ length: jobs }, lane));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const manifest = JSON.parse(readFileSync(join(CONFORMANCE_ROOT, 'manifest.json'), 'utf8')) as { tests: ManifestTest[] };
  const specs: CaseSpec[] = manifest.tests
    .filter((t) => !args.filter || args.filter.test(t.name))
    .map((t) => ({ name: t.name, suite: t.suite, folder: t.folder, tolerance: t.tolerance ?? { rtol: 1e-3, atol: 1e-7 }, inputs: t.inputs }));
  // Light models are the slowest: start them first so they overlap the rest.
  specs.sort((a, b) => Number(b.suite === 'light') - Number(a.suite === 'light'));
  const status = JSON.parse(readFileSync(STATUS_FILE, 'utf8')) as Record<string, StatusEntry>;
  const results = new Map<string, CaseResult>();
  const started = Date.now();
  let done = 0;
  await runAll(specs, args.jobs, args.optimize, (r) => {
    results.set(r.name, r);
    done++;
    if (args.verbose || specs.length <= 40) console.log(`${r.status.padEnd(11)} ${r.name} (${r.ms} ms)${r.reason ? ' — ' + r.reason : ''}`);
    else if (process.stdout.isTTY && done % 50 === 0) process.stdout.write(`\r${done}/${specs.length}`);
  });
  if (process.stdout.isTTY && !args.verbose) process.stdout.write('\r');

  const problems: string[] = [];
  const suites = new Map<string, { pass: number; total: number; counted: number }>();
  for (const spec of specs) {
    const r = results.get(spec.name) as CaseResult;
    const s = suites.get(spec.suite) ?? { pass: 0, total: 0, counted: 0 };
    s.total++;
    const random = RANDOM.test(spec.name);
    if (!random) s.counted++;
    if (r.status === 'pass' && !random) s.pass++;
    suites.set(spec.suite, s);
    const expected = status[spec.name];
    const expectedPass = expected === 'pass';
    if (random) continue;
    if (expectedPass && r.status !== 'pass') problems.push(`REGRESSION ${spec.name}: ${r.status} — ${r.reason ?? ''}`);
    if (!expectedPass && r.status === 'pass') problems.push(`UNEXPECTED PASS ${spec.name} (update the status file: --update)`);
  }

  console.log('\nONNX conformance (mlcompile vs onnxruntime-node 1.30 passes):');
  for (const [suite, s] of [...suites].sort()) {
    console.log(`  ${suite.padEnd(18)} ${String(s.pass).padStart(5)} / ${s.counted}${s.total !== s.counted ? ` (+${s.total - s.counted} random-output tests not counted)` : ''}   onnxruntime-node: ${ORT_FIGURES[suite] ?? '?'}`);
  }
  console.log(`  (${((Date.now() - started) / 1000).toFixed(0)} s, ${args.jobs} workers${args.optimize ? '' : ', passes off'})`);

  if (args.update) {
    const next: Record<string, StatusEntry> = { ...status };
    for (const spec of specs) {
      const r = results.get(spec.name) as CaseResult;
      if (RANDOM.test(spec.name)) next[spec.name] = { status: 'random', reason: 'reference output drawn from a random generator' };
      else next[spec.name] = r.status === 'pass' ? 'pass' : { status: r.status, reason: (r.reason ?? '').slice(0, 300) };
    }
    const sorted = Object.fromEntries(Object.keys(next).sort().map((k) => [k, next[k]]));
    writeFileSync(STATUS_FILE, JSON.stringify(sorted, null, 1) + '\n');
    console.log(`status file updated (${Object.keys(sorted).length} entries)`);
    return;
  }
  if (problems.length > 0) {
    for (const p of problems) console.log(p);
    console.log(`\n${problems.length} conformance problem(s)`);
    process.exitCode = 1;
  }
}

await main();
