// PFA library family "fixed" (specification §20.1): conformance trials run directly, plus
// the overlay rules of fixed.fromBytes and immutability of the arguments.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fixed from '../../runtime/pfa/lib/fixed.js';
import type { LibFunction, LibImpl, PfaType } from '../../runtime/pfa/types.js';
import { matchCall } from '../../src/frontends/pfa/signatures.js';
import { runDirect } from './support/direct.js';

const F4: PfaType = { kind: 'fixed', name: 'F4', size: 4 };

function impl(fn: LibFunction, ...args: PfaType[]): LibImpl {
  const types = matchCall(fn, args);
  assert.ok(types, `${fn.name} does not accept (${args.map((a) => a.kind).join(', ')})`);
  return fn.make(types, { random: Math.random, log: () => undefined });
}

for (const fn of [fixed.toBytes, fixed.fromBytes]) {
  test(`${fn.name} conformance`, () => {
    const r = runDirect('fixed', fn);
    assert.ok(r.trials > 0, `no direct trials for ${fn.name}`);
    assert.deepEqual(r.failures, []);
  });
}

test('toBytes copies; fromBytes overlays, keeps the tail of the original, truncates the excess', () => {
  const original = new Uint8Array([1, 2, 3, 4]);
  const b = impl(fixed.toBytes, F4)(original) as Uint8Array;
  assert.deepEqual([...b], [1, 2, 3, 4]);
  assert.notEqual(b, original);
  const from = impl(fixed.fromBytes, F4, { kind: 'bytes' });
  assert.deepEqual([...(from(original, new Uint8Array([9])) as Uint8Array)], [9, 2, 3, 4]);
  assert.deepEqual([...(from(original, new Uint8Array([9, 8, 7, 6, 5, 4])) as Uint8Array)], [9, 8, 7, 6]);
  assert.deepEqual([...(from(original, new Uint8Array([])) as Uint8Array)], [1, 2, 3, 4]);
  assert.deepEqual([...original], [1, 2, 3, 4], 'the original is not modified');
  assert.equal(matchCall(fixed.fromBytes, [F4, { kind: 'bytes' }])?.ret, F4, 'the result has the original\'s fixed type');
});
