// PFA documents through the real pipeline (decode → check → translate → module →
// esbuild), the generated module imported and used as CONTRACT §2 says: engines with
// their own state, emit and fold methods, cells/pools with rollback, errors with
// their PFA codes, JSON encoding, hostile names, and diagnostics for bad documents.

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { createHash } from 'node:crypto';
import { generateModule, loadProgramFromBytes } from '../../src/api.js';

interface Engine { begin(): void; action(x: unknown): unknown; end(): void; cells: Record<string, unknown>; pools: Record<string, Record<string, unknown>> }
interface PfaModule {
  createEngine(): Engine;
  predict(x: unknown): unknown;
  predictBatch(xs: unknown[]): unknown[];
  fromJson(v: unknown): unknown;
  toJson(v: unknown): unknown;
  metadata: { format: string; method: string; inputs: { name: string; avro: unknown }[] };
}

const dir = join(tmpdir(), `mlcompile-pfa-tests-${process.pid}`);

async function compile(doc: unknown, file = 'engine.pfa'): Promise<{ mod: PfaModule; files: Readonly<Record<string, string>> }> {
  const bytes = new TextEncoder().encode(typeof doc === 'string' ? doc : JSON.stringify(doc));
  const compiled = await generateModule(loadProgramFromBytes(bytes, file));
  mkdirSync(dir, { recursive: true });
  const path = join(dir, `${createHash('sha256').update(compiled.files['model.mjs']).digest('hex').slice(0, 16)}.mjs`);
  writeFileSync(path, compiled.files['model.mjs']);
  return { mod: (await import(pathToFileURL(path).href)) as PfaModule, files: compiled.files };
}

test('a map engine: predict, predictBatch, metadata, JSON encoding of unions and doubles', async () => {
  const { mod, files } = await compile({
    input: { type: 'record', name: 'In', fields: [{ name: 'x', type: 'double' }, { name: 'y', type: ['null', 'double'] }] },
    output: ['null', 'double'],
    action: [{ ifnotnull: { y: 'input.y' }, then: { '+': ['input.x', 'y'] }, else: null }],
  });
  assert.equal(mod.metadata.format, 'pfa');
  assert.equal(mod.metadata.method, 'map');
  assert.equal(mod.predict(mod.fromJson({ x: 1.5, y: { double: 2 } })), 3.5);
  assert.equal(mod.predict(mod.fromJson({ x: 1.5, y: null })), null);
  assert.deepEqual(mod.toJson(mod.predict(mod.fromJson({ x: 'inf', y: { double: 1 } }))), { double: 'inf' });
  assert.deepEqual(mod.predictBatch([{ x: 1, y: 1 }, { x: 2, y: null }]), [2, null]);
  assert.doesNotMatch(files['model.mjs'], /^\s*import |require\(/m, 'the module imports nothing');
  assert.match(files['model.d.ts'], /export type Input = Record_In;/);
  assert.match(files['model.d.ts'], /"y": null \| number;/);
});

test('emit and fold engines; createEngine() gives isolated state', async () => {
  const emit = await compile({ method: 'emit', input: 'int', output: 'int', action: [{ for: { i: 0 }, while: { '<': ['i', 'input'] }, step: { i: { '+': ['i', 1] } }, do: [{ emit: ['i'] }] }] });
  assert.deepEqual(emit.mod.predict(3), [0, 1, 2]);
  assert.deepEqual(emit.mod.predict(0), []);
  const fold = await compile({ method: 'fold', input: 'double', output: 'double', zero: 0, action: [{ '+': ['tally', 'input'] }], merge: [{ '+': ['tallyOne', 'tallyTwo'] }] });
  const a = fold.mod.createEngine(), b = fold.mod.createEngine();
  assert.equal(a.action(1), 1);
  assert.equal(a.action(2.5), 3.5);
  assert.equal(b.action(10), 10, 'a second engine has its own tally');
});

test('cells and pools persist across actions; a failed action rolls back only rollback cells', async () => {
  const { mod } = await compile({
    input: 'int', output: 'int',
    cells: { total: { type: 'int', init: 0, rollback: true }, seen: { type: 'int', init: 0 } },
    pools: { counts: { type: 'int', init: {} } },
    action: [
      { cell: 'seen', to: { params: [{ s: 'int' }], ret: 'int', do: { '+': ['s', 1] } } },
      { cell: 'total', to: { params: [{ t: 'int' }], ret: 'int', do: { '+': ['t', 'input'] } } },
      { pool: 'counts', path: [{ string: 'n' }], to: { params: [{ c: 'int' }], ret: 'int', do: { '+': ['c', 1] } }, init: 0 },
      { if: { '<': ['input', 0] }, then: { error: 'negative input', code: -7 } },
      { cell: 'total' },
    ],
  });
  const e = mod.createEngine();
  assert.equal(e.action(5), 5);
  assert.equal(e.action(2), 7);
  assert.throws(() => e.action(-1), (err: Error & { code?: number }) => err.code === -7 && /negative input/.test(err.message));
  assert.equal(e.cells.total, 7, 'the rollback cell is restored');
  assert.equal(e.cells.seen, 3, 'a cell without rollback keeps the failed action\'s change');
  assert.equal(e.pools.counts.n, 3);
  assert.equal(e.action(1), 8);
});

test('library errors carry their PFA codes; inputs that do not match the schema are refused', async () => {
  const { mod } = await compile({ input: { type: 'array', items: 'int' }, output: 'int', action: [{ attr: 'input', path: [2] }] });
  assert.equal(mod.predict([1, 2, 3]), 3);
  assert.throws(() => mod.predict([1]), (err: Error & { code?: number }) => err.code === 2000);
  assert.throws(() => mod.predict(['x']), /does not match the engine's input type/);
  const add = await compile({ input: 'int', output: 'int', action: [{ '+': ['input', 2147483647] }] });
  assert.throws(() => add.mod.predict(1), (err: Error & { code?: number }) => err.code === 18000);
});

test('names and strings from the document are data: hostile names cannot inject code', async () => {
  const evil = 'x"]; globalThis.pwned = 1; //';
  const { mod, files } = await compile({
    name: '*/ globalThis.pwned = 2; /*',
    doc: '`${globalThis.pwned = 3}` </script>',
    input: { type: 'map', values: 'string' }, output: 'string',
    action: [{ let: { s: { string: evil } } }, { 's.concat': ['s', { attr: 'input', path: [{ string: evil }] }] }],
  });
  const input: Record<string, string> = {};
  input[evil] = '!';
  assert.equal(mod.predict(input), `${evil}!`);
  assert.equal((globalThis as { pwned?: number }).pwned, undefined);
  assert.doesNotMatch(files['model.ts'], /^\s*globalThis\.pwned/m);
});

test('bad documents exit 3 naming the path in the document', () => {
  const cases: [unknown, RegExp][] = [
    [{ input: 'int', output: 'int', action: [{ let: { x: 1 } }, { '+': ['x', { string: 'a' }] }] }, /action\[1\]\.\+: error MLC2201: no signature of \+ accepts \(int, string\)/],
    [{ input: 'int', output: 'string', action: ['input'] }, /action: error MLC2201: returns int, but the output type is string/],
    [{ input: 'int', output: 'int', action: [{ 'no.such.fn': ['input'] }] }, /action\[0\]\.no\.such\.fn: error MLC2201: unknown function/],
    [{ input: { type: 'record', name: 'R', fields: [{ name: 'a', type: 'Nope' }] }, output: 'int', action: [1] }, /input.*unknown type "Nope"/],
  ];
  const work = mkdtempSync(join(tmpdir(), 'mlcompile-pfa-bad-'));
  cases.forEach(([doc, want], i) => {
    const file = join(work, `bad${i}.pfa`);
    writeFileSync(file, JSON.stringify(doc));
    const r = spawnSync(process.execPath, [join(import.meta.dirname, '..', '..', 'bin', 'mlcompile.mjs'), file, '--out', join(work, `out${i}`)], { encoding: 'utf8' });
    assert.equal(r.status, 3, r.stderr);
    assert.match(r.stderr, want);
  });
});

test('YAML documents compile too, with the int/double distinction of their numbers', async () => {
  const { mod } = await compile('input: int\noutput: double\naction:\n  - {"/": [input, 2.0]}\n', 'engine.yaml');
  assert.equal(mod.predict(3), 1.5);
});

test('longs: plain safe-integer numbers are taken as longs, BigInts beyond 2^53 are exact, unsafe numbers are refused', async () => {
  const { mod } = await compile({
    input: { type: 'record', name: 'Counts', fields: [{ name: 'n', type: 'long' }, { name: 'xs', type: { type: 'array', items: 'long' } }, { name: 'w', type: 'double' }] },
    output: 'long',
    action: [{ '+': ['input.n', { 'a.sum': ['input.xs'] }] }],
  });
  assert.equal(mod.predict({ n: 5, xs: [1, 2], w: 1 }), 8n);
  assert.equal(mod.predict({ n: 2n ** 62n, xs: [1n], w: 0.5 }), 2n ** 62n + 1n);
  assert.equal(mod.toJson(mod.predict({ n: 5, xs: [], w: 1 })), 5);
  // 2^60 as a number is not a safe integer: it may already be off by up to 128, so it is refused.
  assert.throws(() => mod.predict({ n: 2 ** 60, xs: [], w: 1 }), /does not match the engine's input type/);
  assert.throws(() => mod.predict({ n: 1.5, xs: [], w: 1 }), /does not match the engine's input type/);
  assert.throws(() => mod.predict({ n: 1, xs: ['a'], w: 1 }), /does not match the engine's input type/);
});

test('createEngine({ log }) receives the messages of log forms; engines without it use the console', async () => {
  const { mod } = await compile({ input: 'double', output: 'double', action: [{ log: ['input', { string: 'seen' }] }, { '*': ['input', 2] }] });
  const messages: string[] = [];
  const e = (mod.createEngine as (o?: { log?: (m: string) => void }) => Engine)({ log: (m) => messages.push(m) });
  e.begin();
  assert.equal(e.action(1.5), 3);
  assert.deepEqual(messages, ['1.5 "seen"']);
});
