// PFA library family "parse" (specification §15): conformance trials run directly, plus
// the accepted syntax (whitespace, case, signs, bases), range limits and error codes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as parse from '../../runtime/pfa/lib/parse.js';
import { PfaError, type LibFunction, type LibImpl } from '../../runtime/pfa/types.js';
import { runDirect } from './support/direct.js';

function impl(fn: LibFunction): LibImpl {
  return fn.make({ params: [], ret: { kind: 'double' }, sig: 0 }, { random: Math.random, log: () => undefined });
}

function throwsCode(f: () => unknown, code: number): void {
  assert.throws(f, (e: unknown) => e instanceof PfaError && e.code === code, `expected PFA error ${code}`);
}

const ALL = Object.values(parse).filter((v): v is LibFunction => typeof v === 'object' && v !== null && 'make' in v);

test('every parse function is implemented', () => assert.equal(ALL.length, 4));

for (const fn of ALL) {
  test(`${fn.name} conformance`, () => {
    const r = runDirect('parse', fn);
    assert.ok(r.trials > 0, `no direct trials for ${fn.name}`);
    assert.deepEqual(r.failures, []);
  });
}

test('parse.int: bases 2-36, whitespace and case ignored, 32-bit range', () => {
  const p = impl(parse.parseIntFn);
  assert.equal(p('  +7F \n', 16), 127);
  assert.equal(p('-zz', 36), -1295);
  assert.equal(p('101', 2), 5);
  assert.equal(p('2147483647', 10), 2147483647);
  assert.equal(p('-2147483648', 10), -2147483648);
  assert.ok(Object.is(p('-0', 10), 0));
  for (const s of ['2147483648', '-2147483649', '', '-', '1 2', '0x10', '1.0', '١٢']) throwsCode(() => p(s, 10), 33000);
  throwsCode(() => p('2', 2), 33000);
  throwsCode(() => p('10', 1), 33001);
  throwsCode(() => p('junk', 37), 33001); // the base is checked first
});

test('parse.long: 64-bit range', () => {
  const p = impl(parse.parseLongFn);
  assert.equal(p('9007199254740993', 10), 9007199254740993n); // exact: longs are BigInts
  assert.equal(p('-9223372036854775808', 10), -(2n ** 63n));
  assert.equal(p('7fffffffffffffff', 16), 2n ** 63n - 1n);
  throwsCode(() => p('9223372036854775808', 10), 33010);
  throwsCode(() => p('-9223372036854775809', 10), 33010);
  throwsCode(() => p('g', 16), 33010);
  throwsCode(() => p('1', 0), 33011);
});

test('parse.float / parse.double: decimal syntax, inf/nan, rounding, error codes', () => {
  const pf = impl(parse.parseFloatFn), pd = impl(parse.parseDoubleFn);
  assert.equal(pd('  3.25 '), 3.25);
  assert.equal(pd('.5'), 0.5);
  assert.equal(pd('5.'), 5);
  assert.equal(pd('-1E3'), -1000);
  assert.equal(pd('+2e-3'), 0.002);
  assert.equal(pd('1e400'), Infinity);
  assert.equal(pd('-1e-400'), -0);
  assert.equal(pd('INF'), Infinity);
  assert.equal(pd('+inf'), Infinity);
  assert.equal(pd(' -Inf'), -Infinity);
  assert.ok(Number.isNaN(pd('NaN')));
  assert.equal(pf('0.1'), Math.fround(0.1));
  assert.equal(pf('1e39'), Infinity);
  assert.equal(pf('1e-50'), 0);
  for (const s of ['', '.', 'e5', '1e', '1.2.3', '0x1p3', 'infinity', '-nan', '1_000', '3.14e12e13']) {
    throwsCode(() => pd(s), 33030);
    throwsCode(() => pf(s), 33020);
  }
});
