// PFA library family "m.kernel" (specification §9.6): conformance trials run directly,
// plus the kernel formulas and the length-mismatch error codes.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as kernel from '../../runtime/pfa/lib/m-kernel.js';
import { PfaError, type LibFunction, type LibImpl } from '../../runtime/pfa/types.js';
import { runDirect } from './support/direct.js';

function impl(fn: LibFunction): LibImpl {
  return fn.make({ params: [], ret: { kind: 'double' }, sig: 0 }, { random: Math.random, log: () => undefined });
}

const ALL = Object.values(kernel).filter((v): v is LibFunction => typeof v === 'object' && v !== null && 'make' in v);

for (const fn of ALL) {
  test(`${fn.name} conformance`, () => {
    const r = runDirect('m.kernel', fn);
    assert.ok(r.trials > 0, `no direct trials for ${fn.name}`);
    assert.deepEqual(r.failures.slice(0, 5), []);
    assert.equal(r.passed, r.trials);
  });
}

test('kernel formulas', () => {
  const x = [1, 2, 3], y = [4, -5, 6];
  assert.equal(impl(kernel.linear)(x, y), 12);
  assert.equal(impl(kernel.linear)([], []), 0);
  assert.equal(impl(kernel.rbf)(x, y, 0.1), Math.exp(-0.1 * (9 + 49 + 9)));
  assert.equal(impl(kernel.poly)(x, y, 0.5, 1, 2), (0.5 * 12 + 1) ** 2);
  assert.equal(impl(kernel.sigmoid)(x, y, 0.1, -1), Math.tanh(0.1 * 12 - 1));
});

test('arrays of different lengths raise each kernel\'s code', () => {
  const codes: [LibFunction, number, unknown[]][] = [[kernel.linear, 23000, []], [kernel.rbf, 23010, [1]], [kernel.poly, 23020, [1, 0, 2]], [kernel.sigmoid, 23030, [1, 0]]];
  for (const [fn, code, rest] of codes) {
    assert.throws(() => impl(fn)([1, 2], [1], ...rest), (e: unknown) => e instanceof PfaError && e.code === code, fn.name);
  }
});
