// PFA library family "m.link" (specification §9.5): conformance trials run directly,
// plus the three signatures (double, array, map), numerical stability and edge cases.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as link from '../../runtime/pfa/lib/m-link.js';
import { PfaError, type LibFunction, type LibImpl, type PfaType } from '../../runtime/pfa/types.js';
import { newMap } from '../../runtime/pfa/values.js';
import { matchCall } from '../../src/frontends/pfa/signatures.js';
import { runDirect } from './support/direct.js';

const D: PfaType = { kind: 'double' };
const A: PfaType = { kind: 'array', items: D };
const M: PfaType = { kind: 'map', values: D };

function impl(fn: LibFunction, arg: PfaType): LibImpl {
  const types = matchCall(fn, [arg]);
  assert.ok(types, `${fn.name} does not accept ${arg.kind}`);
  return fn.make(types, { random: Math.random, log: () => undefined });
}

function near(actual: number, expected: number, rel = 1e-14): void {
  assert.ok(Math.abs(actual - expected) <= 1e-300 + rel * Math.abs(expected), `${actual} ≠ ${expected}`);
}

const ALL = Object.values(link).filter((v): v is LibFunction => typeof v === 'object' && v !== null && 'make' in v);

test('every m.link function is implemented', () => assert.equal(ALL.length, 9));

for (const fn of ALL) {
  test(`${fn.name} conformance`, () => {
    const r = runDirect('m.link', fn);
    assert.ok(r.trials > 0, `no direct trials for ${fn.name}`);
    assert.deepEqual(r.failures, []);
  });
}

test('element-wise links agree on double, array and map, and return new containers', () => {
  const xs = [-30, -2, -0.5, 0, 1e-9, 0.7, 3, 40];
  for (const fn of ALL.filter((f) => f.name !== 'm.link.softmax')) {
    const f = impl(fn, D), fa = impl(fn, A), fm = impl(fn, M);
    const input = Object.assign(newMap<number>(), Object.fromEntries(xs.map((x, i) => [`k${i}`, x])));
    const arr = fa(xs) as number[], map = fm(input) as Record<string, number>;
    assert.notEqual(arr, xs);
    assert.notEqual(map, input);
    assert.equal(Object.getPrototypeOf(map), null, 'maps are null-prototype objects');
    xs.forEach((x, i) => {
      assert.equal(arr[i], f(x), `${fn.name}(${x})`);
      assert.equal(map[`k${i}`], f(x));
    });
  }
});

test('formulas', () => {
  const at = (fn: LibFunction, x: number) => (impl(fn, D) as (x: number) => number)(x);
  near(at(link.logit, 2), 1 / (1 + Math.exp(-2)));
  near(at(link.probit, 1), 0.8413447460685429);
  near(at(link.probit, -10), 7.619853024160527e-24, 1e-12); // lower tail kept accurate
  near(at(link.cloglog, 0.3), 1 - Math.exp(-Math.exp(0.3)));
  near(at(link.cloglog, -40), Math.exp(-40), 1e-12); // 1 − exp(−ε) ≈ ε
  near(at(link.loglog, 0.3), Math.exp(-Math.exp(0.3)));
  near(at(link.cauchit, 1), 0.75);
  near(at(link.softplus, 1), Math.log(1 + Math.E));
  assert.equal(at(link.softplus, 1000), 1000); // no overflow through exp
  assert.equal(at(link.softplus, -Infinity), 0);
  assert.deepEqual([-2, -0, 0, 3].map((x) => at(link.relu, x)), [0, 0, 0, 3]);
  assert.ok(Number.isNaN(at(link.relu, NaN)));
  near(at(link.tanh, 0.5), Math.tanh(0.5));
});

test('softmax: normalised, stable for large inputs, error 25000 when empty', () => {
  const sa = impl(link.softmax, A) as (x: number[]) => number[];
  const sm = impl(link.softmax, M) as (x: Record<string, number>) => Record<string, number>;
  const r = sa([1, 2, 3]);
  const z = Math.exp(1) + Math.exp(2) + Math.exp(3);
  r.forEach((v, i) => near(v, Math.exp(i + 1) / z));
  assert.deepEqual(sa([1000, 1000]), [0.5, 0.5]);
  near(sa([-1000, 0])[1], 1);
  const m = sm(Object.assign(newMap<number>(), { a: 0, b: Math.log(3) }));
  near(m.a, 0.25);
  near(m.b, 0.75);
  assert.ok(sa([1, NaN]).every(Number.isNaN));
  assert.throws(() => sa([]), (e: unknown) => e instanceof PfaError && e.code === 25000);
  assert.throws(() => sm(newMap()), (e: unknown) => e instanceof PfaError && e.code === 25000);
});
