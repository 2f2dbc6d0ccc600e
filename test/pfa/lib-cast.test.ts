// PFA library family "cast" (specification §16): conformance trials run directly, plus
// wrap-around casts beyond the safe-integer range, rounding and overflow of cast.int /
// cast.long, fan-out shapes, the Avro binary encoding of every type and cast.json's form.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as cast from '../../runtime/pfa/lib/cast.js';
import { PfaError, type LibFunction, type LibImpl, type PfaType } from '../../runtime/pfa/types.js';
import { newMap } from '../../runtime/pfa/values.js';
import { matchCall } from '../../src/frontends/pfa/signatures.js';
import { runDirect } from './support/direct.js';

const T = {
  null: { kind: 'null' }, boolean: { kind: 'boolean' }, int: { kind: 'int' }, long: { kind: 'long' },
  float: { kind: 'float' }, double: { kind: 'double' }, string: { kind: 'string' }, bytes: { kind: 'bytes' },
} as const satisfies Record<string, PfaType>;

function impl(fn: LibFunction, ...args: PfaType[]): LibImpl {
  const types = matchCall(fn, args);
  assert.ok(types, `${fn.name} does not accept (${args.map((a) => a.kind).join(', ')})`);
  return fn.make(types, { random: Math.random, log: () => undefined });
}

function throwsCode(f: () => unknown, code: number): void {
  assert.throws(f, (e: unknown) => e instanceof PfaError && e.code === code, `expected PFA error ${code}`);
}

const ALL = Object.values(cast).filter((v): v is LibFunction => typeof v === 'object' && v !== null && 'make' in v);

test('every cast function is implemented', () => assert.equal(ALL.length, 13));

for (const fn of ALL) {
  test(`${fn.name} conformance`, () => {
    const r = runDirect('cast', fn);
    assert.ok(r.trials > 0, `no direct trials for ${fn.name}`);
    assert.deepEqual(r.failures.slice(0, 5), []);
    assert.equal(r.passed, r.trials);
  });
}

test('cast.signed / cast.unsigned: two\'s complement truncation, exact past 2^53', () => {
  // Longs are BigInts: exact over the whole 64-bit range.
  const s = impl(cast.signed, T.long, T.int), u = impl(cast.unsigned, T.long, T.int);
  assert.deepEqual([s(127n, 8), s(128n, 8), s(255n, 8), s(256n, 8), s(-129n, 8)], [127n, -128n, -1n, 0n, 127n]);
  assert.deepEqual([u(-1n, 8), u(256n + 7n, 8), u(-1n, 1), u(5n, 63)], [255n, 7n, 1n, 5n]);
  assert.equal(s(2n ** 40n + 5n, 40), 5n);
  assert.equal(s(2n ** 39n, 40), -(2n ** 39n));
  assert.equal(s(-(2n ** 63n), 64), -(2n ** 63n));
  assert.equal(s(2n ** 60n + 257n, 60), 257n);
  assert.equal(s(2n ** 63n - 2n, 64), 2n ** 63n - 2n);
  assert.equal(u(-1n, 53), 2n ** 53n - 1n);
  assert.equal(u(-(2n ** 63n), 63), 0n);
  assert.equal(u(-(2n ** 63n) + 1n, 63), 1n);
  throwsCode(() => s(1n, 1), 17000);
  throwsCode(() => s(1n, 65), 17000);
  throwsCode(() => u(1n, 0), 17010);
  throwsCode(() => u(1n, 64), 17010);
});

test('cast.int / cast.long round floating-point values half up, with overflow codes', () => {
  const i = impl(cast.toInt, T.double), l = impl(cast.toLong, T.double), fi = impl(cast.toInt, T.float);
  assert.deepEqual([0.5, 1.5, -0.5, -1.5, 2.49, -2.51].map((x) => i(x)), [1, 2, 0, -1, 2, -3]);
  assert.ok(Object.is(i(-0.4), 0));
  assert.equal(i(2147483647.4), 2147483647);
  throwsCode(() => i(2147483647.5), 17020);
  assert.equal(i(-2147483648.5), -2147483648);
  for (const x of [NaN, Infinity, -Infinity]) throwsCode(() => i(x), 17020);
  throwsCode(() => fi(Math.fround(3e9)), 17020);
  throwsCode(() => impl(cast.toInt, T.long)(2 ** 31), 17020);
  assert.equal(impl(cast.toInt, T.long)(-(2 ** 31)), -(2 ** 31));
  assert.equal(l(-(2 ** 63)), -(2 ** 63));
  throwsCode(() => l(2 ** 63), 17030);
  throwsCode(() => l(NaN), 17030);
  assert.equal(l(1e15 + 0.5), 1e15 + 1);
  assert.equal(impl(cast.toLong, T.int)(-5), -5);
});

test('cast.float rounds to single precision; cast.double widens', () => {
  assert.equal(impl(cast.toFloat, T.double)(0.1), Math.fround(0.1));
  assert.equal(impl(cast.toFloat, T.long)(2 ** 24 + 1), 2 ** 24);
  assert.equal(impl(cast.toFloat, T.double)(1e39), Infinity);
  assert.equal(impl(cast.toDouble, T.float)(Math.fround(0.1)), Math.fround(0.1));
  assert.equal(impl(cast.toDouble, T.int)(3), 3);
});

test('fan-out by enum, dictionary and integer range, in every item type', () => {
  const E: PfaType = { kind: 'enum', name: 'E', symbols: ['a', 'b', 'c'] };
  assert.deepEqual(impl(cast.fanoutBoolean, E)('b'), [false, true, false]);
  assert.deepEqual(impl(cast.fanoutDouble, E)('c'), [0, 0, 1]);
  const dict = impl(cast.fanoutInt, T.string, { kind: 'array', items: T.string }, T.boolean);
  assert.deepEqual(dict('y', ['x', 'y'], false), [0, 1]);
  assert.deepEqual(dict('z', ['x', 'y'], false), [0, 0]);
  assert.deepEqual(dict('z', ['x', 'y'], true), [0, 0, 1]);
  assert.deepEqual(dict('x', ['x', 'y'], true), [1, 0, 0]);
  throwsCode(() => dict('x', ['x', 'x'], true), 17070);
  throwsCode(() => impl(cast.fanoutLong, T.string, { kind: 'array', items: T.string }, T.boolean)('x', ['a', 'a'], false), 17080);
  throwsCode(() => impl(cast.fanoutFloat, T.string, { kind: 'array', items: T.string }, T.boolean)('x', ['a', 'a'], false), 17090);
  throwsCode(() => impl(cast.fanoutBoolean, T.string, { kind: 'array', items: T.string }, T.boolean)('x', ['a', 'a'], false), 17060);
  throwsCode(() => impl(cast.fanoutDouble, T.string, { kind: 'array', items: T.string }, T.boolean)('x', ['a', 'a'], false), 17100);
  const range = impl(cast.fanoutLong, T.int, T.int, T.int, T.boolean);
  assert.deepEqual(range(3, 2, 5, false), [0, 1, 0]);
  assert.deepEqual(range(5, 2, 5, false), [0, 0, 0]); // maximum is exclusive
  assert.deepEqual(range(5, 2, 5, true), [0, 0, 0, 1]);
  assert.deepEqual(range(2, 2, 5, true), [1, 0, 0, 0]);
  assert.deepEqual(range(0, 5, 2, true), [1]); // empty range
  assert.deepEqual(range(0, 5, 2, false), []);
});

function avro(t: PfaType, v: unknown): number[] {
  return [...(impl(cast.avro, t)(v) as Uint8Array)];
}

test('cast.avro: Avro binary encoding of every type', () => {
  assert.deepEqual(avro(T.null, null), []);
  assert.deepEqual([avro(T.boolean, false), avro(T.boolean, true)], [[0], [1]]);
  assert.deepEqual([0, 1, -1, 63, -64, 64].map((v) => avro(T.int, v)), [[0], [2], [1], [126], [127], [128, 1]]);
  assert.deepEqual(avro(T.int, 2147483647), [0xfe, 0xff, 0xff, 0xff, 0x0f]);
  assert.deepEqual(avro(T.int, -2147483648), [0xff, 0xff, 0xff, 0xff, 0x0f]);
  assert.deepEqual(avro(T.long, 2 ** 53), [0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x20]);
  assert.deepEqual(avro(T.long, -(2 ** 63)), [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
  assert.deepEqual(avro(T.float, 1), [0, 0, 0x80, 0x3f]);
  assert.deepEqual(avro(T.double, -2), [0, 0, 0, 0, 0, 0, 0, 0xc0]);
  assert.deepEqual(avro(T.string, 'é'), [4, 0xc3, 0xa9]);
  assert.deepEqual(avro(T.bytes, new Uint8Array([1, 2])), [4, 1, 2]);
  assert.deepEqual(avro({ kind: 'fixed', name: 'F', size: 2 }, new Uint8Array([1, 2])), [1, 2]);
  assert.deepEqual(avro({ kind: 'enum', name: 'E', symbols: ['a', 'b', 'c'] }, 'c'), [4]);
  assert.deepEqual(avro({ kind: 'array', items: T.int }, [1, 2]), [4, 2, 4, 0]);
  assert.deepEqual(avro({ kind: 'array', items: T.int }, []), [0]);
  assert.deepEqual(avro({ kind: 'map', values: T.int }, Object.assign(newMap(), { a: 1 })), [2, 2, 0x61, 2, 0]);
  assert.deepEqual(avro({ kind: 'map', values: T.int }, newMap()), [0]);
  const rec: PfaType = { kind: 'record', name: 'R', fields: [{ name: 'y', type: T.string }, { name: 'x', type: T.int }] };
  assert.deepEqual(avro(rec, Object.assign(newMap(), { x: 1, y: 'a' })), [2, 0x61, 2]);
  const u: PfaType = { kind: 'union', types: [T.null, T.int, T.string] };
  assert.deepEqual([avro(u, null), avro(u, 3), avro(u, 'a')], [[0], [2, 6], [4, 2, 0x61]]);
});

test('cast.json: the engine\'s JSON encoding without whitespace', () => {
  const j = (t: PfaType, v: unknown) => impl(cast.json, t)(v);
  assert.equal(j(T.int, -3), '-3');
  assert.equal(j(T.string, 'a"b'), '"a\\"b"');
  assert.equal(j({ kind: 'array', items: T.double }, [1.5, NaN, -Infinity]), '[1.5,"nan","-inf"]');
  assert.equal(j({ kind: 'union', types: [T.null, T.double] }, 2.5), '{"double":2.5}');
  assert.equal(j({ kind: 'union', types: [T.null, T.double] }, null), 'null');
  assert.equal(j(T.bytes, new Uint8Array([0, 255])), '"AP8="');
  const rec: PfaType = { kind: 'record', name: 'R', fields: [{ name: 'b', type: T.int }, { name: 'a', type: { kind: 'map', values: T.boolean } }] };
  assert.equal(j(rec, Object.assign(newMap(), { a: Object.assign(newMap(), { k: true }), b: 1 })), '{"b":1,"a":{"k":true}}');
});
