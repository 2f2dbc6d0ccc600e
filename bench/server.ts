// Benchmark: the generated prediction server (`node server.mjs`, every feature on:
// schema validation, request ids, access log, metrics) against a bare fastify route
// that calls the same model module (no schema, no hooks, no logger), side by side
// in one run. Both run as their own process on a free loopback port; autocannon
// (in this process) drives them in alternating rounds, so a change in the
// machine's load hits both. Reports requests/s and p50/p99 latency and the ratio
// generated / bare (target: >= 0.90 of the bare route's requests/s), and the CPU
// time each server process used per request, and the part of it in the kernel (from
// /proc: steadier than requests/s on a loaded machine, where autocannon and other
// processes share the cores).
//
//   npm run bench:server [-- --duration 3 --connections 10 --rounds 12 --processes 3 --rows 1 --log-level info --parallel]
//
// Many short rounds rather than a few long ones: on a shared machine the load of other
// work drifts over seconds, and a round of one server next to a round of the other sees
// the same drift (the per-round ratios, and their median, below). And several processes of
// each server, taken in turn: one Node process can run a few percent faster or slower than
// another of the same code for its whole life (where its code and heap happen to land), and
// one pair of processes would carry that luck into the ratio.
//
// Not part of npm test. Every request goes to 127.0.0.1 and each run is bounded in time.

import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { compileServerToDir } from '../src/server-api.js';

const ROOT = join(import.meta.dirname, '..');
const FIXTURE = join(ROOT, 'fixtures', 'onnx', 'mlp');

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '12' },
    processes: { type: 'string', default: '3' },
    rows: { type: 'string', default: '1' },
    warmup: { type: 'string', default: '3' },
    'log-level': { type: 'string', default: 'info' },
    // Load both servers at the same time (two autocannon runs side by side) instead of in turns: on
    // a machine others are loading, both then see the same load at every moment, and the CPU per
    // request of each (and their ratio) is far steadier; requests/s then measure the two sharing cores.
    parallel: { type: 'boolean', default: false },
  },
});
const DURATION = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const ROUNDS = Number(args.rounds);
const PROCESSES = Math.max(1, Number(args.processes));
const ROWS = Number(args.rows);
const WARMUP = Number(args.warmup);

/** The bare route: fastify defaults (JSON body parser, JSON.stringify), the module's run(), nothing else. */
function bareServerSource(fastifyUrl: string, modelUrl: string): string {
  return `import Fastify from ${JSON.stringify(fastifyUrl)};
import * as model from ${JSON.stringify(modelUrl)};
const app = Fastify({ logger: false });
app.post('/v2/models/mlp/infer', (req) => {
  const t = req.body.inputs[0];
  const out = model.run({ features: { type: 'float32', dims: t.shape, data: Float32Array.from(t.data) } });
  return {
    model_name: 'mlp',
    model_version: '1',
    outputs: Object.keys(out).map((name) => ({ name, datatype: 'FP32', shape: out[name].dims, data: Array.from(out[name].data) })),
  };
});
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
`;
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.on('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => res(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

interface Proc {
  readonly url: string;
  readonly proc: ChildProcess;
}

/** CPU seconds a process has used so far in user and in system (kernel) mode, from /proc (Linux); NaN elsewhere. */
function cpuSeconds(pid: number | undefined): { user: number; system: number } {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // utime and stime are fields 14 and 15 of the line (11 and 12 after the command name), in clock ticks (100 Hz).
    return { user: Number(fields[11]) / 100, system: Number(fields[12]) / 100 };
  } catch {
    return { user: Number.NaN, system: Number.NaN };
  }
}

async function start(cwd: string, file: string, logFile: string, env: Record<string, string>): Promise<Proc> {
  const port = await freePort();
  // Logs go to a file, as a container runtime's log driver would take them: no reader competes for the CPU.
  const log = openSync(logFile, 'a');
  const proc = spawn(process.execPath, [file], {
    cwd,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PORT: String(port), HOST: '127.0.0.1', ...env },
    stdio: ['ignore', log, log],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 200; i++) {
    if (proc.exitCode !== null) throw new Error(`${file} exited with ${proc.exitCode}: ${readFileSync(logFile, 'utf8')}`);
    const ok = await fetch(`${url}/v2/health/ready`).then((r) => r.status < 500, () => false);
    if (ok) return { url, proc };
    await new Promise((r) => setTimeout(r, 50));
  }
  proc.kill('SIGKILL');
  throw new Error(`${file} did not start`);
}

async function stop(p: Proc): Promise<number | null> {
  if (p.proc.exitCode !== null) return p.proc.exitCode;
  const exited = new Promise<number | null>((res) => p.proc.on('exit', (code) => res(code)));
  p.proc.kill('SIGTERM');
  const timer = setTimeout(() => p.proc.kill('SIGKILL'), 10_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

interface Sample {
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** Server CPU time per request, µs. */
  readonly cpuUs: number;
  /** The part of it in the kernel (sockets, log writes), µs: the rest is JavaScript and Node. */
  readonly sysUs: number;
  readonly errors: number;
  readonly non2xx: number;
}

async function load(server: Proc, body: string, seconds: number): Promise<Sample> {
  const cpu0 = cpuSeconds(server.proc.pid);
  const r = await autocannon({
    url: `${server.url}/v2/models/mlp/infer`,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
    connections: CONNECTIONS,
    duration: seconds,
  });
  const cpu1 = cpuSeconds(server.proc.pid);
  const perRequest = (seconds: number): number => (seconds * 1e6) / Math.max(1, r.requests.total);
  const cpuUs = perRequest(cpu1.user + cpu1.system - cpu0.user - cpu0.system);
  return { rps: r.requests.mean, p50: r.latency.p50, p99: r.latency.p99, cpuUs, sysUs: perRequest(cpu1.system - cpu0.system), errors: r.errors + r.timeouts, non2xx: r.non2xx };
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function requestBody(rows: number): string {
  const first = JSON.parse(readFileSync(join(FIXTURE, 'inputs.jsonl'), 'utf8').split('\n')[0]) as { features: { data: number[] } };
  const data: number[] = [];
  for (let i = 0; i < rows; i++) data.push(...first.features.data);
  return JSON.stringify({ inputs: [{ name: 'features', shape: [rows, 4], datatype: 'FP32', data }] });
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'mlc-bench-server-'));
  const servers: Proc[] = [];
  try {
    const out = join(dir, 'srv');
    await compileServerToDir(join(FIXTURE, 'model.onnx'), out, { name: 'mlp' });
    const fastifyUrl = pathToFileURL(join(ROOT, 'node_modules', 'fastify', 'fastify.js')).href;
    writeFileSync(join(dir, 'bare.mjs'), bareServerSource(fastifyUrl, pathToFileURL(join(out, 'models', 'mlp', '1', 'model.mjs')).href));
    const genLogs = Array.from({ length: PROCESSES }, (_, i) => join(dir, `generated-${i}.log`));
    const generatedServers: Proc[] = [];
    const bareServers: Proc[] = [];
    for (let i = 0; i < PROCESSES; i++) {
      generatedServers.push(await start(out, 'server.mjs', genLogs[i], { LOG_LEVEL: args['log-level'] ?? 'info' }));
      servers.push(generatedServers[i]);
      bareServers.push(await start(dir, 'bare.mjs', join(dir, `bare-${i}.log`), {}));
      servers.push(bareServers[i]);
    }

    const body = requestBody(ROWS);
    // The same answer from both, before timing anything.
    const answers = await Promise.all([generatedServers[0], bareServers[0]].map(async (s) => {
      const r = await fetch(`${s.url}/v2/models/mlp/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      if (r.status !== 200) throw new Error(`${s.url}: ${r.status} ${await r.text()}`);
      return ((await r.json()) as { outputs: { name: string; data: number[] }[] }).outputs.map((o) => [o.name, o.data]);
    }));
    if (JSON.stringify(answers[0]) !== JSON.stringify(answers[1])) throw new Error(`the two servers disagree:\n${JSON.stringify(answers)}`);

    const load0 = loadavg();
    console.log(`mlcompile server bench: mlp fixture, POST /v2/models/mlp/infer with ${ROWS} row(s), ${CONNECTIONS} connections, ${ROUNDS} x ${DURATION} s per server ${args.parallel === true ? 'both at once' : 'in turns'} over ${PROCESSES} process(es) of each, after ${WARMUP} s warm-up of each; generated server LOG_LEVEL=${args['log-level']}`);
    console.log(`node ${process.version}, ${cpus().length} CPUs, load average ${load0.map((l) => l.toFixed(2)).join(' ')}`);
    for (let i = 0; i < PROCESSES; i++) {
      await load(generatedServers[i], body, WARMUP);
      await load(bareServers[i], body, WARMUP);
    }
    const gen: Sample[] = [];
    const base: Sample[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      const generated = generatedServers[i % PROCESSES];
      const bare = bareServers[i % PROCESSES];
      if (args.parallel === true) {
        const [g, b] = await Promise.all([load(generated, body, DURATION), load(bare, body, DURATION)]);
        gen.push(g);
        base.push(b);
        continue;
      }
      // Alternate which goes first, so a drift in the machine's load does not favour one.
      if (Math.floor(i / PROCESSES) % 2 === 0) {
        gen.push(await load(generated, body, DURATION));
        base.push(await load(bare, body, DURATION));
      } else {
        base.push(await load(bare, body, DURATION));
        gen.push(await load(generated, body, DURATION));
      }
    }
    const load1 = loadavg();
    const row = (name: string, s: Sample[]) => {
      const rps = median(s.map((x) => x.rps));
      const p50 = median(s.map((x) => x.p50));
      const p99 = median(s.map((x) => x.p99));
      const cpuUs = median(s.map((x) => x.cpuUs));
      const sysUs = median(s.map((x) => x.sysUs));
      const bad = s.reduce((a, x) => a + x.errors + x.non2xx, 0);
      console.log(`${name.padEnd(22)} ${rps.toFixed(0).padStart(8)} req/s   p50 ${p50.toFixed(2).padStart(6)} ms   p99 ${p99.toFixed(2).padStart(6)} ms   server CPU ${cpuUs.toFixed(0).padStart(4)} µs/request (kernel ${sysUs.toFixed(0)})   rounds ${s.map((x) => x.rps.toFixed(0)).join(', ')}${bad > 0 ? `   ${bad} errors/non-2xx` : ''}`);
      return { rps, p50, p99, cpuUs };
    };
    console.log('');
    const g = row('generated server.mjs', gen);
    const b = row('bare fastify route', base);
    const ratioOfMedians = g.rps / b.rps;
    // The target's figure: each round runs the two servers back to back, so the ratio within a round
    // sees (nearly) the same machine load, and the median of the per-round ratios is robust to load
    // that changes during the run. The ratio of the two medians is printed too: when the load shifts
    // halfway through, each median can come from a different half.
    const paired = median(gen.map((x, i) => x.rps / base[i].rps));
    console.log('');
    // autocannon reports latency in whole ms steps: a bare p50 of 0 ms has no ratio.
    const latencyRatio = (gen: number, bare: number): string => (bare > 0 ? `x${(gen / bare).toFixed(2)}` : `${gen} ms vs ${bare} ms`);
    console.log(`ratio generated / bare: ${(paired * 100).toFixed(1)}% of requests/s (target >= 90%; median of the per-round ratios: ${gen.map((x, i) => `${((x.rps / base[i].rps) * 100).toFixed(0)}%`).join(', ')})`);
    console.log(`ratio of the medians: ${(ratioOfMedians * 100).toFixed(1)}% of requests/s, p50 ${latencyRatio(g.p50, b.p50)}, p99 ${latencyRatio(g.p99, b.p99)}`);
    console.log(`CPU per request: generated ${g.cpuUs.toFixed(0)} µs, bare ${b.cpuUs.toFixed(0)} µs: the bare route's share ${((b.cpuUs / g.cpuUs) * 100).toFixed(1)}% (requests/s the generated server would reach with a core to itself, relative to the bare route)`);
    console.log(`load average after: ${load1.map((l) => l.toFixed(2)).join(' ')}; generated servers' logs: ${genLogs.map((f) => (statSync(f).size / 1024).toFixed(0)).join(', ')} KiB`);
    for (const generated of generatedServers) {
      const code = await stop(generated);
      servers.splice(servers.indexOf(generated), 1);
      if (code !== 0) console.log(`warning: a generated server exited with code ${code} on SIGTERM`);
    }
  } finally {
    for (const s of servers) s.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
