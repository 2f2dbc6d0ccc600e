// PFA library family "impute" (specification §22): conformance trials run directly, plus
// the error codes for null and non-finite values.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as impute from '../../runtime/pfa/lib/impute.js';
import { PfaError, type LibFunction, type LibImpl, type PfaType } from '../../runtime/pfa/types.js';
import { matchCall } from '../../src/frontends/pfa/signatures.js';
import { runDirect } from './support/direct.js';

function impl(fn: LibFunction, ...args: PfaType[]): LibImpl {
  const types = matchCall(fn, args);
  assert.ok(types, `${fn.name} does not accept (${args.map((a) => a.kind).join(', ')})`);
  return fn.make(types, { random: Math.random, log: () => undefined });
}

function throwsCode(f: () => unknown, code: number): void {
  assert.throws(f, (e: unknown) => e instanceof PfaError && e.code === code, `expected PFA error ${code}`);
}

const ALL = Object.values(impute).filter((v): v is LibFunction => typeof v === 'object' && v !== null && 'make' in v);

test('every impute function is implemented', () => assert.equal(ALL.length, 7));

for (const fn of ALL) {
  test(`${fn.name} conformance`, () => {
    const r = runDirect('impute', fn);
    assert.ok(r.trials > 0, `no direct trials for ${fn.name}`);
    assert.deepEqual(r.failures.slice(0, 5), []);
    assert.equal(r.passed, r.trials);
  });
}

const D: PfaType = { kind: 'double' }, F: PfaType = { kind: 'float' };
const NULLABLE_INT: PfaType = { kind: 'union', types: [{ kind: 'int' }, { kind: 'null' }] };

test('errorOnNull and defaultOnNull', () => {
  const e = impl(impute.errorOnNull, NULLABLE_INT);
  assert.equal(e(0), 0);
  throwsCode(() => e(null), 21000);
  const d = impl(impute.defaultOnNull, NULLABLE_INT, { kind: 'int' });
  assert.equal(d(null, 7), 7);
  assert.equal(d(0, 7), 0);
  const arr = [1];
  assert.equal(impl(impute.defaultOnNull, { kind: 'union', types: [{ kind: 'null' }, { kind: 'array', items: { kind: 'int' } }] }, { kind: 'array', items: { kind: 'int' } })(arr, []), arr);
});

test('isnan, isinf, isnum on float and double', () => {
  for (const t of [F, D]) {
    const values = [0, -1.5, Infinity, -Infinity, NaN];
    assert.deepEqual(values.map((x) => impl(impute.isnan, t)(x)), [false, false, false, false, true]);
    assert.deepEqual(values.map((x) => impl(impute.isinf, t)(x)), [false, false, true, true, false]);
    assert.deepEqual(values.map((x) => impl(impute.isnum, t)(x)), [true, true, false, false, false]);
  }
});

test('errorOnNonNum raises 21050 (nan), 21051 (+inf), 21052 (-inf); defaultOnNonNum replaces them', () => {
  for (const t of [F, D]) {
    const e = impl(impute.errorOnNonNum, t);
    assert.equal(e(-2.5), -2.5);
    throwsCode(() => e(NaN), 21050);
    throwsCode(() => e(Infinity), 21051);
    throwsCode(() => e(-Infinity), 21052);
    const d = impl(impute.defaultOnNonNum, t, t);
    assert.deepEqual([1, NaN, Infinity, -Infinity].map((x) => d(x, 9)), [1, 9, 9, 9]);
  }
});

test('the result type of errorOnNull / defaultOnNull is the argument type without null', () => {
  assert.deepEqual(matchCall(impute.errorOnNull, [NULLABLE_INT])?.ret, { kind: 'int' });
  assert.deepEqual(matchCall(impute.defaultOnNull, [NULLABLE_INT, { kind: 'int' }])?.ret, { kind: 'int' });
  const three: PfaType = { kind: 'union', types: [{ kind: 'null' }, { kind: 'int' }, { kind: 'string' }] };
  assert.deepEqual(matchCall(impute.errorOnNull, [three])?.ret, { kind: 'union', types: [{ kind: 'int' }, { kind: 'string' }] });
});
