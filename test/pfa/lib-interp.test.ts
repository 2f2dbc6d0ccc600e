// PFA library family "interp" (specification §23): conformance trials run directly
// (official 1 % rule), the catalogue signatures, and interpolation behaviour.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ip from '../../runtime/pfa/lib/interp.js';
import { PfaError, type CallTypes, type LibFunction } from '../../runtime/pfa/types.js';
import { PFA_DATA, runDirect } from './support/direct.js';

const FUNCTIONS = Object.values(ip) as LibFunction[];
const CTX = { random: Math.random, log: () => undefined };

function impl(fn: LibFunction, sig = 0): (...args: never[]) => unknown {
  const types: CallTypes = { params: [], ret: { kind: 'double' }, sig };
  return fn.make(types, CTX) as (...args: never[]) => unknown;
}

function countById(failures: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of failures) {
    const id = f.slice(0, f.indexOf(' ')).replace(/:$/, '');
    out[id] = (out[id] ?? 0) + 1;
  }
  return out;
}

function conforms(fn: LibFunction, known: Record<string, number> = {}): void {
  const r = runDirect('interp', fn, { official: true });
  assert.ok(r.trials > 0, `no direct trials for ${fn.name}`);
  assert.deepEqual(countById(r.failures), known, r.failures.slice(0, 8).join('\n'));
}

function throwsCode(f: () => unknown, code: number): void {
  assert.throws(f, (e: unknown) => e instanceof PfaError && e.code === code, `expected PFA error ${code}`);
}

test('interp: the catalogue functions and signatures', () => {
  const catalogue = JSON.parse(readFileSync(join(PFA_DATA, 'functions.json'), 'utf8')) as { functions: { name: string; signatures: unknown }[] };
  const expected = catalogue.functions.filter((f) => f.name.startsWith('interp.'));
  assert.deepEqual(FUNCTIONS.map((f) => f.name).sort(), expected.map((f) => f.name).sort());
  for (const f of expected) assert.deepEqual(FUNCTIONS.find((x) => x.name === f.name)?.sigs, f.signatures, f.name);
});

test('interp.bin conformance', () => conforms(ip.bin));
test('interp.nearest conformance', () => conforms(ip.nearest));
// A table of two entries with the same x (and x = NaN): fewer than two distinct x values is
// error 22020/22030/22040; Titus2 skips that check when x is NaN (1 + 2 + 1 trials for
// linear, 4 for linearFlat, 2 for linearMissing).
test('interp.linear conformance (two distinct x values needed)', () => conforms(ip.linear, { 'pfa-test-6628': 1, 'pfa-test-6629': 2, 'pfa-test-6630': 1 }));
test('interp.linearFlat conformance (two distinct x values needed)', () => conforms(ip.linearFlat, { 'pfa-test-6631': 1, 'pfa-test-6632': 1, 'pfa-test-6633': 1, 'pfa-test-6634': 1 }));
test('interp.linearMissing conformance (two distinct x values needed)', () => conforms(ip.linearMissing, { 'pfa-test-6636': 1, 'pfa-test-6637': 1 }));

test('bin: fixed bins, open-ended bins and their errors', () => {
  const fixed = impl(ip.bin, 0) as (x: number, n: number, lo: number, hi: number) => number;
  assert.equal(fixed(0, 5, 0, 10), 0);
  assert.equal(fixed(9.999999, 5, 0, 10), 4);
  assert.equal(fixed(4, 5, 0, 10), 2);
  throwsCode(() => fixed(10, 5, 0, 10), 22002);
  throwsCode(() => fixed(1, 5, 3, 3), 22000);
  throwsCode(() => fixed(1, 0, 0, 3), 22001);
  const open = impl(ip.bin, 1) as (x: number, origin: number, width: number) => number;
  assert.equal(open(-0.5, 0, 2), -1);
  assert.equal(open(7, 1, 2), 3);
  throwsCode(() => open(1, Infinity, 2), 22000);
  throwsCode(() => open(1, 0, 0), 22001);
});

test('nearest: ties to the first entry, vectors and a metric function', () => {
  const table = [{ x: 1, to: 'a' }, { x: 3, to: 'b' }, { x: 5, to: 'c' }];
  const scalar = impl(ip.nearest, 0) as (x: number, t: unknown[]) => unknown;
  assert.equal(scalar(2, table), 'a');
  assert.equal(scalar(4.1, table), 'c');
  throwsCode(() => scalar(1, []), 22010);
  const vec = impl(ip.nearest, 1) as (x: number[], t: unknown[]) => unknown;
  assert.equal(vec([0, 1], [{ x: [3, 3], to: 1 }, { x: [0, 2], to: 2 }]), 2);
  throwsCode(() => vec([0, 1], [{ x: [3, 3], to: 1 }, { x: [0], to: 2 }]), 22011);
  const custom = impl(ip.nearest, 2) as (x: string, t: unknown[], m: (a: string, b: string) => number) => unknown;
  assert.equal(custom('abc', [{ x: 'a', to: 1 }, { x: 'abcd', to: 2 }], (a, b) => Math.abs(a.length - b.length)), 2);
});

test('linear, linearFlat, linearMissing: inside, at and beyond the table', () => {
  const table = [{ x: 0, to: 0 }, { x: 10, to: 100 }, { x: 20, to: 50 }];
  const linear = impl(ip.linear) as (x: number, t: unknown[]) => number;
  assert.equal(linear(5, table), 50);
  assert.equal(linear(15, table), 75);
  assert.equal(linear(10, table), 100);
  assert.equal(linear(30, table), 0);
  assert.equal(linear(-5, table), -50);
  const flat = impl(ip.linearFlat) as (x: number, t: unknown[]) => number;
  assert.equal(flat(30, table), 50);
  assert.equal(flat(-5, table), 0);
  assert.equal(flat(15, table), 75);
  const missing = impl(ip.linearMissing) as (x: number, t: unknown[]) => number | null;
  assert.equal(missing(30, table), null);
  assert.equal(missing(20, table), 50);
  assert.equal(missing(15, table), 75);
  const vectors = impl(ip.linear, 1) as (x: number, t: unknown[]) => number[];
  assert.deepEqual(vectors(2.5, [{ x: 0, to: [0, 10] }, { x: 10, to: [4, 30] }]), [1, 15]);
  throwsCode(() => vectors(2.5, [{ x: 0, to: [0, 10] }, { x: 10, to: [4] }]), 22021);
  throwsCode(() => linear(1, [{ x: 0, to: 1 }, { x: 0, to: 2 }]), 22020);
  assert.ok(Number.isNaN(linear(NaN, table)));
});
