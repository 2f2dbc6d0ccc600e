// The PMML conformance runner over ../shared/conformance/pmml/* and fixtures/pmml/*
// (each case: model.pmml, input.csv, expected.csv, meta.json). Every case's outcome is
// compared with test/conformance/pmml.status.json: a regression (expected pass, now
// failing), an unexpected pass, or a case whose entry carries a "proof" (evidence of an
// exporter's defect) now failing otherwise than documented fails the run, so the status
// file stays true. --update keeps a proof while its case fails exactly as documented
// (pmml-status.ts).
//
//   node --import tsx test/conformance/pmml-runner.ts [--filter REGEX] [--update] [--jobs N] [--verbose]

import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { PMML_CONFORMANCE_ROOT, PMML_FIXTURES_ROOT, type PmmlCaseResult, type PmmlCaseSpec } from './pmml-case.js';
import { nextStatusEntry, statusProblem, type StatusEntry } from './pmml-status.js';

const STATUS_FILE = join(import.meta.dirname, 'pmml.status.json');
const TIMEOUT_MS = 120_000;

function parseArgs(argv: string[]): { filter?: RegExp; update: boolean; jobs: number; verbose: boolean } {
  const get = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const f = get('--filter');
  return {
    filter: f ? new RegExp(f) : undefined,
    update: argv.includes('--update'),
    // Two workers per core: part of each case is esbuild's own process, so workers overlap it.
    jobs: Number(get('--jobs') ?? Math.max(2, Math.min(2 * cpus().length, 6))),
    verbose: argv.includes('--verbose'),
  };
}

/** Case directories (those holding model.pmml), sorted; fixtures are named `fixtures/<dir>`. */
function findCases(): PmmlCaseSpec[] {
  const list = (root: string, prefix: string): PmmlCaseSpec[] => {
    if (!existsSync(root)) return [];
    return readdirSync(root)
      .filter((d) => statSync(join(root, d)).isDirectory() && existsSync(join(root, d, 'model.pmml')))
      .sort()
      .map((d) => ({ name: `${prefix}${d}`, dir: join(root, d) }));
  };
  return [...list(PMML_CONFORMANCE_ROOT, ''), ...list(PMML_FIXTURES_ROOT, 'fixtures/')];
}

async function runAll(specs: PmmlCaseSpec[], jobs: number, onResult: (r: PmmlCaseResult) => void): Promise<void> {
  // The largest documents first, so they overlap the many small ones.
  const queue = specs.slice().sort((a, b) => statSync(join(b.dir, 'model.pmml')).size - statSync(join(a.dir, 'model.pmml')).size);
  const workerFile = join(import.meta.dirname, 'pmml-worker.mjs');
  const lane = async (): Promise<void> => {
    let worker: Worker | undefined;
    while (queue.length > 0) {
      const spec = queue.shift() as PmmlCaseSpec;
      worker ??= new Worker(workerFile, { resourceLimits: { maxOldGenerationSizeMb: 4096 } });
      const w = worker;
      const result = await new Promise<PmmlCaseResult>((resolve) => {
        const timer = setTimeout(() => {
          cleanup();
          void w.terminate();
          worker = undefined;
          resolve({ name: spec.name, status: 'fail', reason: `timed out after ${TIMEOUT_MS / 1000} s`, ms: TIMEOUT_MS });
        }, TIMEOUT_MS);
        const onMessage = (r: PmmlCaseResult): void => { cleanup(); resolve(r); };
        const onError = (e: Error): void => { cleanup(); worker = undefined; resolve({ name: spec.name, status: 'fail', reason: `worker crashed: ${e.message}`, ms: 0 }); };
        const cleanup = (): void => { clearTimeout(timer); w.off('message', onMessage); w.off('error', onError); };
        w.on('message', onMessage);
        w.on('error', onError);
        w.postMessage(spec);
      });
      onResult(result);
    }
    if (worker) await worker.terminate();
  };
  await Promise.all(Array.from({ length: Math.max(1, jobs) }, lane));
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const specs = findCases().filter((s) => !args.filter || args.filter.test(s.name));
  const status = existsSync(STATUS_FILE) ? (JSON.parse(readFileSync(STATUS_FILE, 'utf8')) as Record<string, StatusEntry>) : {};
  const results = new Map<string, PmmlCaseResult>();
  const started = Date.now();
  await runAll(specs, args.jobs, (r) => results.set(r.name, r));

  const problems: string[] = [];
  let pass = 0;
  for (const spec of specs) {
    const r = results.get(spec.name) as PmmlCaseResult;
    if (r.status === 'pass') pass++;
    const rows = r.rows !== undefined ? `, ${r.rows - (r.mismatchedRows ?? 0)}/${r.rows} rows` : '';
    const expectedEntry = status[spec.name];
    const detail = r.status === 'pass' ? '' : ` — ${r.reason ?? ''}`;
    if (args.verbose || r.status !== 'pass' || specs.length <= 40) console.log(`${r.status.padEnd(11)} ${spec.name} (${r.ms} ms${rows})${detail}`);
    const problem = statusProblem(spec.name, expectedEntry, r);
    if (problem !== undefined) problems.push(problem);
    if (expectedEntry === undefined && r.status !== 'pass') console.log(`note: ${spec.name} has no status entry (record it: --update)`);
  }
  console.log(`\npmml: ${pass}/${specs.length} cases pass (${((Date.now() - started) / 1000).toFixed(1)} s, ${args.jobs} workers)`);

  if (args.update) {
    const next: Record<string, StatusEntry> = { ...status };
    for (const spec of specs) {
      const r = results.get(spec.name) as PmmlCaseResult;
      const { entry, dropped } = nextStatusEntry(status[spec.name], r);
      if (dropped.length > 0) console.log(`note: ${spec.name}: dropped ${dropped.join(', ')} of its entry (the outcome changed; re-check it)`);
      next[spec.name] = entry;
    }
    // Entries of cases that no longer exist are dropped (only on a full run).
    const names = new Set(findCases().map((s) => s.name));
    const keys = Object.keys(next).filter((k) => args.filter !== undefined || names.has(k)).sort();
    writeFileSync(STATUS_FILE, JSON.stringify(Object.fromEntries(keys.map((k) => [k, next[k]])), null, 1) + '\n');
    console.log(`status file updated (${keys.length} entries)`);
    return;
  }
  if (problems.length > 0) {
    for (const p of problems) console.log(p);
    console.log(`\n${problems.length} conformance problem(s)`);
    process.exitCode = 1;
  }
}

await main();
