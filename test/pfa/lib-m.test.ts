// PFA library family "m" (math, specification §9.1-9.3): the conformance trials run
// directly through each LibFunction, plus edge cases: IEEE results outside the domains,
// rounding rules (m.round = floor(x + 0.5), m.rint to even), integer overflow codes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as m from '../../runtime/pfa/lib/m.js';
import { PfaError, type LibFunction, type LibImpl, type PfaType } from '../../runtime/pfa/types.js';
import { matchCall } from '../../src/frontends/pfa/signatures.js';
import { runDirect } from './support/direct.js';

const T = { int: { kind: 'int' }, long: { kind: 'long' }, float: { kind: 'float' }, double: { kind: 'double' } } as const satisfies Record<string, PfaType>;

function impl(fn: LibFunction, ...args: PfaType[]): LibImpl {
  const types = matchCall(fn, args);
  assert.ok(types, `${fn.name} does not accept (${args.map((a) => a.kind).join(', ')})`);
  return fn.make(types, { random: Math.random, log: () => undefined });
}

function throwsCode(f: () => unknown, code: number): void {
  assert.throws(f, (e: unknown) => e instanceof PfaError && e.code === code, `expected PFA error ${code}`);
}

const ALL = Object.values(m).filter((v): v is LibFunction => typeof v === 'object' && v !== null && 'make' in v);

test('every m function is implemented with the catalogue name', () => {
  assert.equal(ALL.length, 27);
});

for (const fn of ALL) {
  test(`${fn.name} conformance`, () => {
    const r = runDirect('m', fn);
    assert.ok(r.trials > 0, `no direct trials for ${fn.name}`);
    assert.deepEqual(r.failures, []);
    assert.equal(r.passed, r.trials);
  });
}

test('constants', () => {
  assert.equal(impl(m.pi)(), Math.PI);
  assert.equal(impl(m.e)(), Math.E);
});

test('out-of-domain inputs give NaN or infinities, not errors', () => {
  const d = (fn: LibFunction) => impl(fn, T.double);
  assert.ok(Number.isNaN(d(m.sqrt)(-1)));
  assert.ok(Number.isNaN(d(m.asin)(1.5)) && Number.isNaN(d(m.acos)(-1.5)));
  assert.equal(d(m.ln)(0), -Infinity);
  assert.ok(Number.isNaN(d(m.ln)(-1)));
  assert.equal(d(m.log10)(0), -Infinity);
  assert.equal(d(m.ln1p)(-1), -Infinity);
  assert.ok(Number.isNaN(d(m.ln1p)(-2)));
  assert.equal(d(m.exp)(1000), Infinity);
  assert.equal(impl(m.hypot, T.double, T.double)(1e300, 1e300), 1e300 * Math.SQRT2);
  assert.equal(impl(m.atan2, T.double, T.double)(1, 0), Math.PI / 2); // y first
  assert.equal(d(m.expm1)(1e-20), 1e-20);
  assert.equal(d(m.ln1p)(1e-20), 1e-20);
});

test('m.log: arbitrary positive base, error 27170 otherwise', () => {
  const log = impl(m.log, T.double, T.int) as (x: number, base: number) => number;
  assert.ok(Math.abs(log(8, 2) - 3) < 1e-15);
  assert.ok(Math.abs(log(1e-5, 100) + 2.5) < 1e-15);
  assert.equal(log(0, 2), -Infinity);
  throwsCode(() => log(8, 0), 27170);
  throwsCode(() => log(8, -2), 27170);
});

test('m.abs: overflow codes for the minimum int and long', () => {
  assert.equal(impl(m.abs, T.int)(-2147483647), 2147483647);
  throwsCode(() => impl(m.abs, T.int)(-2147483648), 27020);
  throwsCode(() => impl(m.abs, T.long)(-(2n ** 63n)), 27021);
  assert.equal(impl(m.abs, T.long)(-(2n ** 63n) + 1n), 2n ** 63n - 1n);
  assert.ok(Object.is(impl(m.abs, T.double)(-0), 0));
  assert.equal(impl(m.abs, T.float)(-Infinity), Infinity);
});

test('m.round is floor(x + 0.5): int for float, long for double, overflow codes', () => {
  const rf = impl(m.round, T.float), rd = impl(m.round, T.double);
  assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4999, -0.2].map((x) => rd(x)), [1, 2, 3, 0, -1, -2, 2, 0]);
  assert.ok(Object.is(rd(-0.2), 0));
  assert.equal(rf(Math.fround(2.5)), 3);
  assert.equal(rd(2 ** 53 + 2), 2 ** 53 + 2); // already whole: no rounding of x + 0.5
  throwsCode(() => rf(Math.fround(2.2e9)), 27190);
  throwsCode(() => rf(NaN), 27190);
  throwsCode(() => rd(1e19), 27191);
  throwsCode(() => rd(-Infinity), 27191);
  throwsCode(() => rd(NaN), 27191);
  assert.equal(rd(-(2 ** 63)), -(2 ** 63));
  // An int argument is promoted to the float signature.
  assert.equal(impl(m.round, T.int)(7), 7);
});

test('m.rint rounds half to even and keeps the sign of zero', () => {
  const rint = impl(m.rint, T.double);
  assert.deepEqual([0.5, 1.5, 2.5, 3.5, -2.5, 2.5000001, 1e300].map((x) => rint(x)), [0, 2, 2, 4, -2, 3, 1e300]);
  assert.ok(Object.is(rint(-0.5), -0));
  assert.ok(Object.is(rint(-0.2), -0));
  assert.equal(rint(2 ** 52 + 1), 2 ** 52 + 1);
  assert.ok(Number.isNaN(rint(NaN)));
});

test('m.floor, m.ceil and m.signum', () => {
  assert.equal(impl(m.floor, T.double)(-1.5), -2);
  assert.equal(impl(m.ceil, T.double)(-1.5), -1);
  const sg = impl(m.signum, T.double);
  assert.deepEqual([-3, -0, 0, 1e-300, Infinity, -Infinity, NaN].map((x) => sg(x)), [-1, 0, 0, 1, 1, -1, 0]);
  assert.ok(Object.is(sg(-0), 0));
});

test('m.copysign: magnitude of mag, sign of sign (zero sign is positive for integers)', () => {
  const ci = impl(m.copysign, T.int, T.int), cd = impl(m.copysign, T.double, T.double);
  assert.deepEqual([ci(5, -1), ci(-5, 0), ci(-5, 3), ci(0, -1)], [-5, 5, 5, 0]);
  assert.ok(Object.is(ci(0, -1), 0));
  assert.equal(cd(3, -0), -3);
  assert.equal(cd(-3, 0), 3);
  assert.ok(Object.is(cd(0, -2), -0));
  assert.equal(cd(Infinity, -1), -Infinity);
  assert.equal(impl(m.copysign, T.long, T.long)(2 ** 60, -1), -(2 ** 60));
});
