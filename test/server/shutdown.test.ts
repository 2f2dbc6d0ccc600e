// Graceful shutdown of the bundled server (`node server.mjs`): on SIGTERM (and SIGINT)
// it stops accepting connections, closes idle keep-alive connections, lets the
// requests in flight finish with their real answers, and exits 0.
//
// "In flight" is made deterministic with `Expect: 100-continue`: the client sends a
// request's headers only and waits for the server's "100 Continue", which proves the
// server has the request; only then the signal, and only after the signal the body.

import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { compileServerToDir } from '../../src/server-api.js';
import { assertClose, copyToEmptyDir, readJsonl, removeTempDirs, startServer, tempDir, type RunningServer } from './support/server-process.js';

const MLP = fileURLToPath(new URL('../../fixtures/onnx/mlp/', import.meta.url));
const inputs = readJsonl(join(MLP, 'inputs.jsonl'));
const expected = readJsonl(join(MLP, 'expected.jsonl'));

let dir: string;

before(async () => {
  const out = join(tempDir('mlc-shutdown-'), 'out');
  await compileServerToDir(join(MLP, 'model.onnx'), out, { name: 'mlp' });
  dir = copyToEmptyDir(out);
});

after(() => removeTempDirs());

interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** A raw HTTP/1.1 client on one socket: what it has received, and waits for more. */
class RawClient {
  private data = '';
  private closed = false;
  private readonly waiters: (() => void)[] = [];
  readonly socket: Socket;

  constructor(port: number) {
    this.socket = connect(port, '127.0.0.1');
    this.socket.setEncoding('utf8');
    this.socket.on('data', (d: string) => {
      this.data += d;
      this.wake();
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    this.socket.on('error', () => undefined);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async until(check: () => boolean, what: string, ms = 15_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!check()) {
      if (this.closed) throw new Error(`connection closed while waiting for ${what}; received: ${JSON.stringify(this.data)}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; received: ${JSON.stringify(this.data)}`);
      await new Promise<void>((res) => {
        this.waiters.push(res);
        setTimeout(res, 100);
      });
    }
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** Waits for "HTTP/1.1 100 Continue" and consumes it. */
  async continued(): Promise<void> {
    await this.until(() => this.data.includes('\r\n\r\n'), '100 Continue');
    assert.match(this.data, /^HTTP\/1\.1 100 Continue\r\n\r\n/);
    this.data = this.data.slice(this.data.indexOf('\r\n\r\n') + 4);
  }

  /** Waits for one whole response (Content-Length bodies) and consumes it. */
  async response(): Promise<RawResponse> {
    let headerEnd = -1;
    let length = 0;
    await this.until(() => {
      headerEnd = this.data.indexOf('\r\n\r\n');
      if (headerEnd < 0) return false;
      const m = /\r\ncontent-length: (\d+)/i.exec(this.data.slice(0, headerEnd));
      length = m === null ? 0 : Number(m[1]);
      return Buffer.byteLength(this.data.slice(headerEnd + 4)) >= length;
    }, 'a response');
    const head = this.data.slice(0, headerEnd).split('\r\n');
    const body = this.data.slice(headerEnd + 4, headerEnd + 4 + length);
    this.data = this.data.slice(headerEnd + 4 + length);
    const headers: Record<string, string> = {};
    for (const line of head.slice(1)) {
      const i = line.indexOf(':');
      headers[line.slice(0, i).toLowerCase()] = line.slice(i + 1).trim();
    }
    return { status: Number(head[0].split(' ')[1]), headers, body };
  }
}

function inferBody(line: number): string {
  const f = inputs[line].features;
  return JSON.stringify({ id: `line-${line}`, inputs: [{ name: 'features', shape: f.dims, datatype: 'FP32', data: f.data }] });
}

function head(path: string, body: string, extra: string): string {
  return `POST ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n${extra}\r\n`;
}

function connectionRefused(port: number): Promise<boolean> {
  return new Promise((res) => {
    const s = connect(port, '127.0.0.1');
    s.on('connect', () => {
      s.destroy();
      res(false);
    });
    s.on('error', (e: NodeJS.ErrnoException) => res(e.code === 'ECONNREFUSED'));
  });
}

function exitOf(server: RunningServer): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((res) => {
    if (server.proc.exitCode !== null || server.proc.signalCode !== null) res({ code: server.proc.exitCode, signal: server.proc.signalCode });
    else server.proc.on('exit', (code, signal) => res({ code, signal }));
  });
}

async function drainTest(signal: 'SIGTERM' | 'SIGINT'): Promise<void> {
  const server = await startServer(dir);
  const exited = exitOf(server);
  const clients: RawClient[] = [];
  try {
    // An idle keep-alive connection: it must not hold the shutdown up.
    const idle = new RawClient(server.port);
    clients.push(idle);
    const warm = inferBody(0);
    idle.send(head('/v2/models/mlp/infer', warm, '') + warm);
    const first = await idle.response();
    assert.equal(first.status, 200, first.body);
    assert.notEqual(first.headers.connection, 'close');

    // Three requests in flight: headers received by the server, bodies not sent yet.
    const lines = [0, 1, 2];
    const slow = lines.map(() => new RawClient(server.port));
    clients.push(...slow);
    slow.forEach((c, k) => c.send(head('/v2/models/mlp/infer', inferBody(lines[k]), `Expect: 100-continue\r\nX-Request-Id: drain-${k}\r\n`)));
    await Promise.all(slow.map((c) => c.continued()));

    const t0 = Date.now();
    server.proc.kill(signal);
    // No new connections; the idle one is closed by the server.
    let refused = false;
    for (let i = 0; i < 50 && !refused; i++) {
      refused = await connectionRefused(server.port);
      if (!refused) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(refused, 'the server still accepts connections after the signal');
    await idle.until(() => idle.isClosed, 'the idle keep-alive connection to be closed');
    assert.equal(server.proc.exitCode, null, 'the server exited with requests in flight');

    // The requests in flight finish with their real answers.
    slow.forEach((c, k) => c.send(inferBody(lines[k])));
    const answers = await Promise.all(slow.map((c) => c.response()));
    answers.forEach((r, k) => {
      assert.equal(r.status, 200, r.body);
      assert.equal(r.headers['x-request-id'], `drain-${k}`);
      const body = JSON.parse(r.body) as { id: string; outputs: { name: string; data: number[] }[] };
      assert.equal(body.id, `line-${lines[k]}`);
      for (const o of body.outputs) assertClose(o.data, expected[lines[k]][o.name].data, `line ${lines[k]} ${o.name}`);
    });

    const timeout = new Promise<never>((_, rej) => setTimeout(() => rej(new Error(`no exit within 15 s of ${signal} (a connection held open?):\n${server.output()}`)), 15_000).unref());
    const { code, signal: killedBy } = await Promise.race([exited, timeout]);
    assert.equal(killedBy, null, `killed by ${killedBy}`);
    assert.equal(code, 0, server.output());
    assert.ok(Date.now() - t0 < 15_000, 'the drain took too long');
    // The log says what happened, each request's line carrying its id; everything buffered was written.
    const log = server.output().split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(log.some((l) => l.msg === `${signal}: finishing in-flight requests`), server.output());
    assert.equal(log[log.length - 1].msg, `${signal}: in-flight requests finished, exiting`);
    for (let k = 0; k < 3; k++) {
      const line = log.find((l) => l.reqId === `drain-${k}` && l.msg === 'request completed');
      assert.ok(line !== undefined, `no access log line for drain-${k}`);
      assert.equal(line.status, 200);
    }
  } finally {
    for (const c of clients) c.socket.destroy();
    if (server.proc.exitCode === null && server.proc.signalCode === null) server.proc.kill('SIGKILL');
  }
}

test('SIGTERM: no new connections, idle ones closed, in-flight requests answered, exit code 0', { timeout: 60_000 }, () => drainTest('SIGTERM'));

test('SIGINT drains the same way', { timeout: 60_000 }, () => drainTest('SIGINT'));

test('a second signal during the drain exits at once (code 1)', { timeout: 60_000 }, async () => {
  const server = await startServer(dir);
  const exited = exitOf(server);
  const c = new RawClient(server.port);
  try {
    const body = inferBody(0);
    c.send(head('/v2/models/mlp/infer', body, 'Expect: 100-continue\r\n'));
    await c.continued();
    server.proc.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(server.proc.exitCode, null);
    server.proc.kill('SIGTERM');
    const { code } = await exited;
    assert.equal(code, 1);
  } finally {
    c.socket.destroy();
    if (server.proc.exitCode === null && server.proc.signalCode === null) server.proc.kill('SIGKILL');
  }
});
