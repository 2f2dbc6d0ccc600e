// PFA library family "rand" (specification §21): conformance trials (pseudorandom: the
// outcome type or error only), the catalogue signatures, reproducibility from the
// engine's generator, ranges, and rough distribution checks with a seeded generator.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as rd from '../../runtime/pfa/lib/rand.js';
import { PfaError, type CallTypes, type LibFunction } from '../../runtime/pfa/types.js';
import { PFA_DATA, runDirect } from './support/direct.js';
import { mulberry32 } from '../../runtime/prng.js';

const FUNCTIONS = Object.values(rd) as LibFunction[];

/** A small deterministic generator standing in for the engine's. */
const seeded = mulberry32;

function impl(fn: LibFunction, sig = 0, random: () => number = seeded(7)): (...args: never[]) => unknown {
  const types: CallTypes = { params: [], ret: { kind: 'double' }, sig };
  return fn.make(types, { random, log: () => undefined }) as (...args: never[]) => unknown;
}

function throwsCode(f: () => unknown, code: number): void {
  assert.throws(f, (e: unknown) => e instanceof PfaError && e.code === code, `expected PFA error ${code}`);
}

test('rand: the catalogue functions and signatures (rand.uuid deprecated, kept)', () => {
  const catalogue = JSON.parse(readFileSync(join(PFA_DATA, 'functions.json'), 'utf8')) as { functions: { name: string; signatures: unknown }[] };
  const expected = catalogue.functions.filter((f) => f.name.startsWith('rand.'));
  assert.deepEqual(FUNCTIONS.map((f) => f.name).sort(), expected.map((f) => f.name).sort());
  for (const f of expected) assert.deepEqual(FUNCTIONS.find((x) => x.name === f.name)?.sigs, f.signatures, f.name);
});

for (const fn of FUNCTIONS.filter((f) => f.name !== 'rand.uuid')) {
  test(`${fn.name} conformance`, () => {
    const r = runDirect('rand', fn, { official: true, random: seeded(11) });
    assert.ok(r.trials > 0);
    assert.deepEqual(r.failures, []);
  });
}

test('every draw comes from the context generator: same seed, same results', () => {
  const run = (): unknown[] => {
    const random = seeded(2024);
    return [
      impl(rd.randInt, 0, random)(), impl(rd.randLong, 1, random)(5 as never, 1e12 as never), impl(rd.randDouble, 0, random)(0 as never, 1 as never),
      impl(rd.randSample, 0, random)(3 as never, ['a', 'b', 'c', 'd', 'e'] as never), impl(rd.randString, 0, random)(4 as never),
      impl(rd.randUuid4, 0, random)(), impl(rd.randGaussian, 0, random)(0 as never, 1 as never), impl(rd.randHistogram, 0, random)([1, 2, 3] as never),
    ];
  };
  assert.deepEqual(run(), run());
});

test('ranges: int, long, float, double, string and bytes stay in bounds', () => {
  const random = seeded(3);
  const int = impl(rd.randInt, 1, random) as (lo: number, hi: number) => number;
  const anyInt = impl(rd.randInt, 0, random) as () => number;
  const long = impl(rd.randLong, 0, random) as () => number;
  const float = impl(rd.randFloat, 0, random) as (lo: number, hi: number) => number;
  const str = impl(rd.randString, 2, random) as (n: number, lo: number, hi: number) => string;
  const bytes = impl(rd.randBytes, 2, random) as (n: number, lo: number, hi: number) => Uint8Array;
  const seen = new Set<number>();
  for (let i = 0; i < 2000; i++) {
    const v = int(-3, 4);
    assert.ok(Number.isInteger(v) && v >= -3 && v < 4);
    seen.add(v);
    const a = anyInt();
    assert.ok(Number.isInteger(a) && a >= -2147483648 && a <= 2147483647);
    const l = long();
    assert.ok(Number.isInteger(l) && l >= -(2 ** 63) && l < 2 ** 63);
    const f = float(1, 1.5);
    assert.ok(f >= 1 && f < 1.5 && Math.fround(f) === f);
  }
  assert.equal(seen.size, 7);
  for (const ch of str(50, 65, 70)) assert.ok(ch >= 'A' && ch <= 'E');
  for (const b of bytes(50, 250, 256)) assert.ok(b >= 250);
  const uuid = impl(rd.randUuid4, 0, random)() as string;
  assert.match(uuid, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.match(impl(rd.randUuid, 0, random)() as string, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-8[0-9a-f]{3}-[0-9a-f]{12}$/);
  const pop = impl(rd.randString, 1, random) as (n: number, p: string) => string;
  assert.ok([...pop(20, 'x😀')].every((c) => c === 'x' || c === '😀'));
});

test('choices, sample and histogram: frequencies and without-replacement sampling', () => {
  const random = seeded(99);
  const sample = impl(rd.randSample, 0, random) as (n: number, p: number[]) => number[];
  for (let i = 0; i < 200; i++) {
    const s = sample(4, [1, 2, 3, 4, 5, 6]);
    assert.equal(new Set(s).size, 4);
  }
  assert.deepEqual([...sample(3, [7, 8, 9])].sort(), [7, 8, 9]);
  const hist = impl(rd.randHistogram, 0, random) as (d: number[]) => number;
  const counts = [0, 0, 0, 0];
  for (let i = 0; i < 20000; i++) counts[hist([1, 0, 3, 0])]++;
  assert.equal(counts[1] + counts[3], 0);
  assert.ok(Math.abs(counts[2] / 20000 - 0.75) < 0.02, String(counts));
  const histRec = impl(rd.randHistogram, 1, random) as (d: { prob: number; name: string }[]) => { name: string };
  assert.equal(histRec([{ prob: 0, name: 'a' }, { prob: 2, name: 'b' }]).name, 'b');
  throwsCode(() => hist([0, 0]), 34070);
  throwsCode(() => hist([1, NaN]), 34071);
  throwsCode(() => hist([1, -1, Infinity]), 34072);
  const gauss = impl(rd.randGaussian, 0, random) as (mu: number, sigma: number) => number;
  let s = 0, s2 = 0;
  for (let i = 0; i < 20000; i++) {
    const g = gauss(3, 2);
    s += g;
    s2 += g * g;
  }
  const mean = s / 20000;
  assert.ok(Math.abs(mean - 3) < 0.06 && Math.abs(Math.sqrt(s2 / 20000 - mean * mean) - 2) < 0.06);
});

test('errors', () => {
  throwsCode(() => impl(rd.randInt, 1)(3 as never, 3 as never), 34000);
  throwsCode(() => impl(rd.randLong, 1)(3 as never, 2 as never), 34010);
  throwsCode(() => impl(rd.randFloat)(1 as never, 1 as never), 34020);
  throwsCode(() => impl(rd.randDouble)(2 as never, 1 as never), 34030);
  throwsCode(() => impl(rd.randChoice)([] as never), 34040);
  throwsCode(() => impl(rd.randChoices)(2 as never, [] as never), 34050);
  throwsCode(() => impl(rd.randSample)(1 as never, [] as never), 34060);
  throwsCode(() => impl(rd.randSample)(3 as never, [1, 2] as never), 34061);
  throwsCode(() => impl(rd.randString)(0 as never), 34080);
  throwsCode(() => impl(rd.randString, 2)(3 as never, 70 as never, 65 as never), 34081);
  throwsCode(() => impl(rd.randString, 2)(3 as never, 0 as never, 65 as never), 34082);
  throwsCode(() => impl(rd.randString, 1)(3 as never, '' as never), 34083);
  throwsCode(() => impl(rd.randBytes)(-1 as never), 34090);
  throwsCode(() => impl(rd.randBytes, 2)(3 as never, 9 as never, 9 as never), 34091);
  throwsCode(() => impl(rd.randBytes, 2)(3 as never, 0 as never, 257 as never), 34092);
  throwsCode(() => impl(rd.randBytes, 1)(3 as never, new Uint8Array(0) as never), 34093);
});
