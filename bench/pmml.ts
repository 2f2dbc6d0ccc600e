// Per-record latency of generated PMML modules: every case of the PMML conformance
// data and the repository's fixtures, compiled through the real pipeline, scored
// record by record (predict) in one Node process. Reports the largest documents first.
//
//   node --import tsx bench/pmml.ts [--top N] [--filter REGEX] [--markdown FILE]
//
// Figures, per case: the median over 7 batches (each batch scores all the case's input records
// repeatedly for at least 100 ms of wall time) of the CPU time per predict() call
// (process.cpuUsage, user + system: steadier than wall time on a shared machine, though it counts
// the process's GC helper threads too), the same for wall time, rows per second of CPU time,
// compile time in process (load + generate + bundle), and the module size.

import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { loadavg, tmpdir, cpus } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { generateModule, loadProgramFromBytes } from '../src/api.js';
import { inputRecords, parseCsvText, PMML_CONFORMANCE_ROOT, PMML_FIXTURES_ROOT } from '../test/conformance/pmml-case.js';

const args = process.argv.slice(2);
const opt = (f: string): string | undefined => (args.includes(f) ? args[args.indexOf(f) + 1] : undefined);
const top = Number(opt('--top') ?? 20);
const filter = opt('--filter') !== undefined ? new RegExp(opt('--filter') as string) : null;
const markdown = opt('--markdown');

interface Mod {
  metadata: { inputs: { name: string; usageType?: string }[] };
  predict(r: Record<string, unknown>): Record<string, unknown>;
}

const cases: { name: string; dir: string; bytes: number; type: string }[] = [];
for (const [root, prefix] of [[PMML_CONFORMANCE_ROOT, ''], [PMML_FIXTURES_ROOT, 'fixtures/']] as const) {
  if (!existsSync(root)) continue;
  for (const d of readdirSync(root)) {
    const dir = join(root, d);
    if (!existsSync(join(dir, 'model.pmml'))) continue;
    const name = prefix + d;
    if (filter !== null && !filter.test(name)) continue;
    const meta = existsSync(join(dir, 'meta.json')) ? (JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as { model_type?: string }) : {};
    cases.push({ name, dir, bytes: statSync(join(dir, 'model.pmml')).size, type: meta.model_type ?? '?' });
  }
}
cases.sort((a, b) => b.bytes - a.bytes);
const chosen = cases.slice(0, top);
const scratch = join(tmpdir(), `mlcompile-bench-pmml-${process.pid}`);
mkdirSync(scratch, { recursive: true });

const load0 = loadavg()[0];
const rows: string[][] = [];
for (const c of chosen) {
  const bytes = readFileSync(join(c.dir, 'model.pmml'));
  const t0 = performance.now();
  const compiled = await generateModule(loadProgramFromBytes(bytes, 'model.pmml'));
  const compileMs = performance.now() - t0;
  const path = join(scratch, `${createHash('sha256').update(compiled.files['model.mjs']).digest('hex').slice(0, 16)}.mjs`);
  writeFileSync(path, compiled.files['model.mjs']);
  const mod = (await import(pathToFileURL(path).href)) as Mod;
  const table = parseCsvText(readFileSync(join(c.dir, 'input.csv'), 'utf8'));
  const records = inputRecords(table[0], table.slice(1), mod.metadata.inputs);
  if (records.length === 0) continue;
  for (let i = 0; i < 2000; i++) mod.predict(records[i % records.length]);
  const cpuRounds: number[] = [];
  const wallRounds: number[] = [];
  for (let r = 0; r < 7; r++) {
    let calls = 0;
    const cpu0 = process.cpuUsage();
    const start = performance.now();
    while (performance.now() - start < 100) {
      for (const rec of records) mod.predict(rec);
      calls += records.length;
    }
    const wall = performance.now() - start;
    const cpu = process.cpuUsage(cpu0);
    cpuRounds.push((cpu.user + cpu.system) / calls);
    wallRounds.push((wall * 1000) / calls);
  }
  const cpuUs = median(cpuRounds);
  const wallUs = median(wallRounds);
  rows.push([
    c.name, c.type, (c.bytes / 1024).toFixed(0), String(records.length), micros(cpuUs), micros(wallUs),
    Math.round(1e6 / cpuUs).toLocaleString('en-US'), compileMs.toFixed(0), (compiled.files['model.mjs'].length / 1024).toFixed(0),
  ]);
  console.log(`${c.name.padEnd(52)} ${c.type.padEnd(26)} ${micros(cpuUs).padStart(8)} µs CPU/record ${micros(wallUs).padStart(8)} µs wall`);
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s[s.length >> 1];
}

function micros(us: number): string {
  return us < 10 ? us.toFixed(2) : us.toFixed(1);
}

const header = ['case', 'model', 'PMML KiB', 'records', 'CPU µs / record', 'wall µs / record', 'rows / s (CPU)', 'compile ms', 'model.mjs KiB'];
const md = [
  `| ${header.join(' | ')} |`,
  `|${header.map((_, i) => (i < 2 ? '-' : '-:')).join('|')}|`,
  ...rows.map((r) => `| ${r.join(' | ')} |`),
].join('\n');
const note = `node ${process.version}, ${cpus()[0]?.model ?? '?'} × ${cpus().length}; load average ${load0.toFixed(1)} at the start, ${loadavg()[0].toFixed(1)} at the end; ${new Date().toISOString()}`;
console.log(`\n${md}\n\n${note}`);
if (markdown !== undefined) writeFileSync(markdown, `${md}\n\n${note}\n`);
rmSync(scratch, { recursive: true, force: true });
