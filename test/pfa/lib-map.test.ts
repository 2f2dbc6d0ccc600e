// PFA map library (map.*): catalogue signatures, the conformance trials that run
// directly (plain input references), and unit tests of the specification's rules for
// what the direct runner cannot reach (function arguments, given here as JS callbacks).

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { avroBinary } from '../../runtime/pfa/lib/collections-common.js';
import * as family from '../../runtime/pfa/lib/map.js';
import { PfaError, type LibFunction, type LibImpl, type PfaType } from '../../runtime/pfa/types.js';
import { newMap } from '../../runtime/pfa/values.js';
import { matchCall } from '../../src/frontends/pfa/signatures.js';
import { PFA_DATA, runDirect } from './support/direct.js';

const FUNCTIONS = Object.values(family).filter((v): v is LibFunction => typeof v === 'object' && v !== null && 'make' in v);
const byName = new Map(FUNCTIONS.map((f) => [f.name, f]));

const INT: PfaType = { kind: 'int' };
const LONG: PfaType = { kind: 'long' };
const DOUBLE: PfaType = { kind: 'double' };
const STRING: PfaType = { kind: 'string' };
const BOOLEAN: PfaType = { kind: 'boolean' };
const NULL: PfaType = { kind: 'null' };
const arr = (items: PfaType): PfaType => ({ kind: 'array', items });
const map = (values: PfaType): PfaType => ({ kind: 'map', values });
const fn = (params: PfaType[], ret: PfaType): PfaType => ({ kind: 'function', params, ret });
const union = (...types: PfaType[]): PfaType => ({ kind: 'union', types });
const ENUM: PfaType = { kind: 'enum', name: 'Color', symbols: ['red', 'green', 'blue'] };
const REC: PfaType = { kind: 'record', name: 'R', fields: [{ name: 'k', type: INT }, { name: 'tag', type: STRING }] };

function site(name: string, args: PfaType[]): LibImpl {
  const f = byName.get(name);
  assert.ok(f, `${name} is implemented`);
  const types = matchCall(f, args);
  assert.ok(types, `${name} accepts (${args.map((a) => a.kind).join(', ')})`);
  return f.make(types, { random: Math.random, log: () => undefined });
}

function code(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof PfaError) return e.code;
    throw e;
  }
  assert.fail('expected a PFA error');
}

/** A PFA map (null prototype) from entries. */
function m<V>(entries: Record<string, V>): Record<string, V> {
  const out = newMap<V>();
  for (const k of Object.keys(entries)) out[k] = entries[k];
  return out;
}

const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
const rec = (k: number, tag: string) => m({ k, tag });
const byK = (x: unknown, y: unknown): boolean => (x as { k: number }).k < (y as { k: number }).k;

// ---------------------------------------------------------------------------------
// Catalogue and conformance

test('map.*: every catalogue function is implemented once, with the catalogue signatures', () => {
  const catalogue = (JSON.parse(readFileSync(join(PFA_DATA, 'functions.json'), 'utf8')) as { functions: { name: string; signatures: unknown }[] }).functions
    .filter((f) => f.name.startsWith('map.'));
  assert.equal(catalogue.length, 41);
  assert.equal(FUNCTIONS.length, catalogue.length);
  for (const c of catalogue) {
    const f = byName.get(c.name);
    assert.ok(f, `${c.name} missing`);
    assert.deepEqual(JSON.parse(JSON.stringify(f.sigs)), c.signatures, `${c.name} signatures`);
  }
});

test('map.*: the directly runnable conformance trials pass', () => {
  let trials = 0;
  for (const f of FUNCTIONS) {
    const r = runDirect('map', f);
    trials += r.trials;
    assert.deepEqual(r.failures, [], f.name);
    assert.equal(r.passed, r.trials, f.name);
  }
  assert.ok(trials > 3300, `ran ${trials} trials`);
});

// ---------------------------------------------------------------------------------
// Access and manipulation

test('map.len, map.keys, map.values, map.containsKey, map.containsValue', () => {
  const x = m({ a: 1, b: 2, ['__proto__']: 3 });
  assert.equal(site('map.len', [map(INT)])(x), 3);
  assert.deepEqual([...(site('map.keys', [map(INT)])(x) as string[])].sort(), ['__proto__', 'a', 'b']);
  assert.deepEqual([...(site('map.values', [map(INT)])(x) as number[])].sort(), [1, 2, 3]);
  assert.equal(site('map.containsKey', [map(INT), STRING])(x, '__proto__'), true);
  assert.equal(site('map.containsKey', [map(INT), STRING])(x, 'toString'), false);
  assert.equal(site('map.containsKey', [map(INT), fn([STRING], BOOLEAN)])(x, (k: string) => k.startsWith('b')), true);
  assert.equal(site('map.containsValue', [map(INT), INT])(x, 2), true);
  assert.equal(site('map.containsValue', [map(INT), INT])(x, 5), false);
  assert.equal(site('map.containsValue', [map(arr(INT)), arr(INT)])(m({ a: [1, 2] }), [1, 2]), true, 'by value');
  assert.equal(site('map.containsValue', [map(INT), fn([INT], BOOLEAN)])(x, (v: number) => v > 2), true);
  assert.equal(site('map.containsValue', [map(INT), fn([INT], BOOLEAN)])(m({}), () => true), false);
});

test('map.add, map.remove, map.only, map.except, map.update, map.split, map.join', () => {
  const x = Object.freeze(m({ a: 1, b: 2 }));
  const added = site('map.add', [map(INT), STRING, INT])(x, 'a', 9) as Record<string, number>;
  assert.deepEqual(plain(added), { a: 9, b: 2 });
  assert.equal(Object.getPrototypeOf(added), null);
  assert.deepEqual(plain(site('map.remove', [map(INT), STRING])(x, 'a')), { b: 2 });
  assert.equal(site('map.remove', [map(INT), STRING])(x, 'zz'), x);
  assert.deepEqual(plain(site('map.only', [map(INT), arr(STRING)])(x, ['b', 'c'])), { b: 2 });
  assert.deepEqual(plain(site('map.except', [map(INT), arr(STRING)])(x, ['b', 'c'])), { a: 1 });
  assert.deepEqual(plain(site('map.update', [map(INT), map(INT)])(x, m({ b: 5, c: 6 }))), { a: 1, b: 5, c: 6 });
  assert.deepEqual(plain(site('map.split', [map(INT)])(x)), [{ a: 1 }, { b: 2 }]);
  assert.deepEqual(plain(site('map.join', [arr(map(INT))])([m({ a: 1 }), m({ a: 2, b: 3 }), m({})])), { a: 2, b: 3 });
  assert.deepEqual(plain(x), { a: 1, b: 2 }, 'argument unchanged');
});

// ---------------------------------------------------------------------------------
// Extremes

test('map.argmax family: ties resolve to the lexicographically first keys', () => {
  const x = m({ b: 3, a: 3, c: 1, d: 1, e: 2 });
  assert.equal(site('map.argmax', [map(INT)])(x), 'a');
  assert.equal(site('map.argmin', [map(INT)])(x), 'c');
  assert.deepEqual(site('map.argmaxN', [map(INT), INT])(x, 3), ['a', 'b', 'e']);
  assert.deepEqual(site('map.argminN', [map(INT), INT])(x, 10), ['c', 'd', 'e', 'a', 'b']);
  assert.equal(code(() => site('map.argmax', [map(INT)])(m({}))), 26120);
  assert.equal(code(() => site('map.argmin', [map(INT)])(m({}))), 26130);
  assert.equal(code(() => site('map.argmaxN', [map(INT), INT])(m({}), -1)), 26160);
  assert.equal(code(() => site('map.argmaxN', [map(INT), INT])(x, -1)), 26161);
  assert.equal(code(() => site('map.argminN', [map(INT), INT])(m({}), 1)), 26170);
  assert.equal(code(() => site('map.argminN', [map(INT), INT])(x, -1)), 26171);
  const recs = m({ z: rec(5, 'p'), y: rec(1, 'q'), x: rec(5, 'r'), w: rec(1, 's') });
  const ltSig = [map(REC), fn([REC, REC], BOOLEAN)];
  assert.equal(site('map.argmaxLT', ltSig)(recs, byK), 'x');
  assert.equal(site('map.argminLT', ltSig)(recs, byK), 'w');
  const ltNSig = [map(REC), INT, fn([REC, REC], BOOLEAN)];
  assert.deepEqual(site('map.argmaxNLT', ltNSig)(recs, 3, byK), ['x', 'z', 'w']);
  assert.deepEqual(site('map.argminNLT', ltNSig)(recs, 2, byK), ['w', 'y']);
  assert.equal(code(() => site('map.argmaxLT', ltSig)(m({}), byK)), 26140);
  assert.equal(code(() => site('map.argminLT', ltSig)(m({}), byK)), 26150);
  assert.equal(code(() => site('map.argmaxNLT', ltNSig)(m({}), 1, byK)), 26180);
  assert.equal(code(() => site('map.argmaxNLT', ltNSig)(recs, -1, byK)), 26181);
  assert.equal(code(() => site('map.argminNLT', ltNSig)(m({}), -1, byK)), 26190);
  assert.equal(code(() => site('map.argminNLT', ltNSig)(recs, -1, byK)), 26191);
});

// ---------------------------------------------------------------------------------
// Sets

const b64 = (bytes: number[]): string => btoa(String.fromCharCode(...bytes));

test('set keys are Base64 Avro binary encodings', () => {
  const key = (t: PfaType, v: unknown): number[] => [...avroBinary(v, t)];
  assert.deepEqual(key(INT, 0), [0]);
  assert.deepEqual(key(INT, -1), [1]);
  assert.deepEqual(key(INT, 64), [0x80, 0x01]);
  assert.deepEqual(key(INT, -2147483648), [0xff, 0xff, 0xff, 0xff, 0x0f]);
  assert.deepEqual(key(LONG, 2 ** 53), [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
  assert.deepEqual(key(LONG, -(2 ** 60)), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f]);
  assert.deepEqual(key(LONG, 9223372036854775807), [0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  assert.deepEqual(key(LONG, -9223372036854775808), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  assert.deepEqual(key(DOUBLE, 1), [0, 0, 0, 0, 0, 0, 0xf0, 0x3f]);
  assert.deepEqual(key({ kind: 'float' }, 1), [0, 0, 0x80, 0x3f]);
  assert.deepEqual(key(BOOLEAN, true), [1]);
  assert.deepEqual(key(NULL, null), []);
  assert.deepEqual(key(STRING, 'é'), [4, 0xc3, 0xa9]);
  assert.deepEqual(key({ kind: 'bytes' }, new Uint8Array([7])), [2, 7]);
  assert.deepEqual(key({ kind: 'fixed', name: 'F', size: 2 }, new Uint8Array([7, 8])), [7, 8]);
  assert.deepEqual(key(ENUM, 'blue'), [4]);
  assert.deepEqual(key(arr(INT), []), [0]);
  assert.deepEqual(key(arr(INT), [1, 2]), [4, 2, 4, 0]);
  assert.deepEqual(key(map(INT), m({ a: 1 })), [2, 2, 0x61, 2, 0]);
  assert.deepEqual(key(REC, rec(-1, 'x')), [1, 2, 0x78]);
  assert.deepEqual(key(union(NULL, STRING), 'x'), [2, 2, 0x78]);
  assert.deepEqual(key(union(NULL, STRING), null), [0]);
});

test('map.toset, map.fromset, map.add (set form), map.in agree on keys', () => {
  const toset = site('map.toset', [arr(REC)]);
  const s = toset([rec(1, 'a'), rec(2, 'b'), rec(1, 'a')]) as Record<string, unknown>;
  assert.deepEqual(Object.keys(s).sort(), [b64([2, 2, 0x61]), b64([4, 2, 0x62])].sort());
  const add = site('map.add', [map(REC), REC]);
  const s2 = add(s, rec(3, 'c')) as Record<string, unknown>;
  assert.equal(Object.keys(s2).length, 3);
  assert.equal(Object.keys(s).length, 2, 'argument unchanged');
  const isIn = site('map.in', [map(REC), REC]);
  assert.equal(isIn(s2, rec(3, 'c')), true);
  assert.equal(isIn(s, rec(3, 'c')), false);
  assert.deepEqual(plain(site('map.fromset', [map(REC)])(s)), [{ k: 1, tag: 'a' }, { k: 2, tag: 'b' }]);
  // Union-typed items are encoded with their branch.
  const u = site('map.toset', [arr(union(NULL, DOUBLE))])([null, 1.5, null]) as Record<string, unknown>;
  assert.equal(Object.keys(u).length, 2);
  assert.equal(site('map.in', [map(union(NULL, DOUBLE)), union(NULL, DOUBLE)])(u, null), true);
  assert.equal(site('map.in', [map(ENUM), ENUM])(site('map.toset', [arr(ENUM)])(['red']), 'red'), true);
});

test('set operations compare keys only', () => {
  const s = [map(INT), map(INT)];
  const a = m({ k1: 1, k2: 2 }), b = m({ k2: 20, k3: 30 });
  assert.deepEqual(plain(site('map.union', s)(a, b)), { k1: 1, k2: 20, k3: 30 });
  assert.deepEqual(plain(site('map.intersection', s)(a, b)), { k2: 2 });
  assert.deepEqual(plain(site('map.diff', s)(a, b)), { k1: 1 });
  assert.deepEqual(plain(site('map.symdiff', s)(a, b)), { k1: 1, k3: 30 });
  assert.equal(site('map.subset', s)(m({ k2: 0 }), a), true);
  assert.equal(site('map.subset', s)(b, a), false);
  assert.equal(site('map.disjoint', s)(a, b), false);
  assert.equal(site('map.disjoint', s)(a, m({ k9: 1 })), true);
});

// ---------------------------------------------------------------------------------
// Functional programming

test('map.map, map.filter, map.filterMap, map.flatMap and their key versions', () => {
  const x = m({ a: 1, bb: 2, ccc: 3 });
  assert.deepEqual(plain(site('map.map', [map(INT), fn([INT], STRING)])(x, (v: number) => `v${v}`)), { a: 'v1', bb: 'v2', ccc: 'v3' });
  assert.deepEqual(plain(site('map.mapWithKey', [map(INT), fn([STRING, INT], INT)])(x, (k: string, v: number) => k.length * 10 + v)), { a: 11, bb: 22, ccc: 33 });
  assert.deepEqual(plain(site('map.filter', [map(INT), fn([INT], BOOLEAN)])(x, (v: number) => v !== 2)), { a: 1, ccc: 3 });
  assert.deepEqual(plain(site('map.filterWithKey', [map(INT), fn([STRING, INT], BOOLEAN)])(x, (k: string) => k === 'bb')), { bb: 2 });
  const fm = site('map.filterMap', [map(INT), fn([INT], union(STRING, NULL))]);
  assert.deepEqual(plain(fm(x, (v: number) => (v === 2 ? null : `${v}`))), { a: '1', ccc: '3' });
  const fmk = site('map.filterMapWithKey', [map(INT), fn([STRING, INT], union(NULL, INT))]);
  assert.deepEqual(plain(fmk(x, (k: string, v: number) => (k === 'a' ? null : v * 2))), { bb: 4, ccc: 6 });
  const flat = site('map.flatMap', [map(INT), fn([INT], map(INT))]);
  assert.deepEqual(plain(flat(x, (v: number) => m({ [`k${v}`]: v, all: v }))), { k1: 1, k2: 2, k3: 3, all: 3 });
  const flatK = site('map.flatMapWithKey', [map(INT), fn([STRING, INT], map(STRING))]);
  assert.deepEqual(plain(flatK(m({ a: 1 }), (k: string, v: number) => m({ [k + k]: `${v}` }))), { aa: '1' });
  const f = byName.get('map.filterMap') as LibFunction;
  assert.deepEqual(matchCall(f, [map(INT), fn([INT], union(INT, NULL))])?.ret, map(INT));
});

test('map.zipmap and map.zipmapWithKey: 2 to 4 maps with the same keys', () => {
  const z2 = site('map.zipmap', [map(INT), map(STRING), fn([INT, STRING], STRING)]);
  assert.deepEqual(plain(z2(m({ a: 1, b: 2 }), m({ b: 'y', a: 'x' }), (v: number, s: string) => s + v)), { a: 'x1', b: 'y2' });
  assert.equal(code(() => z2(m({ a: 1 }), m({ b: 'x' }), () => '')), 26370);
  assert.equal(code(() => z2(m({ a: 1 }), m({ a: 'x', b: 'y' }), () => '')), 26370);
  const z4 = site('map.zipmap', [map(INT), map(INT), map(INT), map(INT), fn([INT, INT, INT, INT], INT)]);
  assert.deepEqual(plain(z4(m({ k: 1 }), m({ k: 2 }), m({ k: 3 }), m({ k: 4 }), (a: number, b: number, c: number, d: number) => a + b + c + d)), { k: 10 });
  assert.equal(code(() => z4(m({ k: 1 }), m({ k: 2 }), m({ k: 3 }), m({}), () => 0)), 26370);
  const w3 = site('map.zipmapWithKey', [map(INT), map(INT), map(INT), fn([STRING, INT, INT, INT], STRING)]);
  assert.deepEqual(plain(w3(m({ k: 1 }), m({ k: 2 }), m({ k: 3 }), (key: string, a: number, b: number, c: number) => `${key}${a}${b}${c}`)), { k: 'k123' });
  assert.equal(code(() => w3(m({ k: 1 }), m({ j: 2 }), m({ k: 3 }), () => '')), 26380);
  assert.deepEqual(plain(z2(m({}), m({}), () => '')), {});
});

test('map.corresponds and map.correspondsWithKey', () => {
  const c = site('map.corresponds', [map(INT), map(STRING), fn([INT, STRING], BOOLEAN)]);
  const len = (v: unknown, s: unknown) => (s as string).length === v;
  assert.equal(c(m({ a: 1, b: 2 }), m({ b: 'yy', a: 'x' }), len), true);
  assert.equal(c(m({ a: 1, b: 2 }), m({ b: 'y', a: 'x' }), len), false);
  assert.equal(c(m({ a: 1 }), m({ b: 'x' }), () => true), false, 'different keys');
  assert.equal(c(m({}), m({}), () => false), true);
  const ck = site('map.correspondsWithKey', [map(INT), map(INT), fn([STRING, INT, INT], BOOLEAN)]);
  assert.equal(ck(m({ ab: 1 }), m({ ab: 2 }), (k: string, x: number, y: number) => k.length === y && x === 1), true);
  assert.equal(ck(m({ ab: 1 }), m({ ab: 2, c: 1 }), () => true), false);
});
