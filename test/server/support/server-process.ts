// Runs a compiled server directory as users do: `node server.mjs`, from a copy of
// the directory in an empty temporary directory (no node_modules anywhere above it),
// on a free port chosen by the OS (PORT=0; the server logs the port it got).

import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly dir: string;
  readonly proc: ChildProcess;
  /** Everything the server wrote so far. */
  output(): string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

const created: string[] = [];

/** A fresh temporary directory, removed by `removeTempDirs`. */
export function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  created.push(dir);
  return dir;
}

/** Removes every directory `tempDir` made (call it from `after`). */
export function removeTempDirs(): void {
  for (const dir of created.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** Copies `dir` into a fresh empty temporary directory and returns the copy. */
export function copyToEmptyDir(dir: string): string {
  const root = tempDir('mlc-server-run-');
  const copy = join(root, 'server');
  cpSync(dir, copy, { recursive: true });
  return copy;
}

/** True when some directory from `dir` up to the root holds node_modules (the server must not need one). */
export function hasNodeModulesAbove(dir: string): boolean {
  let d = resolve(dir);
  for (;;) {
    if (existsSync(join(d, 'node_modules'))) return true;
    const up = dirname(d);
    if (up === d) return false;
    d = up;
  }
}

export async function startServer(dir: string, env: Readonly<Record<string, string>> = {}, timeoutMs = 20_000): Promise<RunningServer> {
  const proc = spawn(process.execPath, ['server.mjs'], {
    cwd: dir,
    // A bare environment: no NODE_PATH or NODE_OPTIONS from the test runner (which loads tsx).
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', PORT: '0', HOST: '127.0.0.1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout?.setEncoding('utf8');
  proc.stderr?.setEncoding('utf8');
  proc.stderr?.on('data', (d: string) => { out += d; });
  const exited = new Promise<number | null>((res) => proc.on('exit', (code) => res(code)));
  const port = await new Promise<number>((res, rej) => {
    const timer = setTimeout(() => rej(new Error(`server did not start within ${timeoutMs} ms:\n${out}`)), timeoutMs);
    proc.stdout?.on('data', (d: string) => {
      out += d;
      const m = /ready on port (\d+)/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        res(Number(m[1]));
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      rej(new Error(`server exited with code ${code} before listening:\n${out}`));
    });
  });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    dir,
    proc,
    output: () => out,
    stop: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 10_000);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

export interface JsonResponse {
  readonly status: number;
  readonly contentType: string;
  readonly body: unknown;
  readonly text: string;
}

export async function request(url: string, init: { method?: string; body?: string | Uint8Array; headers?: Record<string, string> } = {}): Promise<JsonResponse> {
  const res = await fetch(url, { method: init.method ?? (init.body === undefined ? 'GET' : 'POST'), body: init.body, headers: init.headers });
  const text = await res.text();
  const contentType = res.headers.get('content-type') ?? '';
  let body: unknown = undefined;
  if (contentType.includes('json')) body = JSON.parse(text);
  return { status: res.status, contentType, body, text };
}

export function postJson(url: string, value: unknown): Promise<JsonResponse> {
  return request(url, { body: JSON.stringify(value), headers: { 'content-type': 'application/json' } });
}

export interface FixtureTensor { type: string; dims: number[]; data: number[] }

/** inputs.jsonl / expected.jsonl of a fixture: one object of tensors per line. */
export function readJsonl(file: string): Record<string, FixtureTensor>[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, FixtureTensor>);
}

/** |a - e| <= atol + rtol * |e| for every element. */
export function assertClose(actual: readonly unknown[], expected: readonly number[], what: string, rtol = 1e-5, atol = 1e-6): void {
  if (actual.length !== expected.length) throw new Error(`${what}: ${actual.length} values, expected ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i] as number;
    const e = expected[i];
    if (!(Math.abs(a - e) <= atol + rtol * Math.abs(e))) throw new Error(`${what}[${i}]: ${a}, expected ${e}`);
  }
}
