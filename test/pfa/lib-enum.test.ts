// PFA library family "enum" (specification §20.2): conformance trials run directly, plus
// symbol positions taken from the enum type at the call site.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as enums from '../../runtime/pfa/lib/enum.js';
import type { LibFunction, LibImpl, PfaType } from '../../runtime/pfa/types.js';
import { matchCall } from '../../src/frontends/pfa/signatures.js';
import { runDirect } from './support/direct.js';

function impl(fn: LibFunction, t: PfaType): LibImpl {
  const types = matchCall(fn, [t]);
  assert.ok(types, `${fn.name} does not accept ${t.kind}`);
  return fn.make(types, { random: Math.random, log: () => undefined });
}

const ALL = Object.values(enums).filter((v): v is LibFunction => typeof v === 'object' && v !== null && 'make' in v);

for (const fn of ALL) {
  test(`${fn.name} conformance`, () => {
    const r = runDirect('enum', fn);
    assert.ok(r.trials > 0, `no direct trials for ${fn.name}`);
    assert.deepEqual(r.failures, []);
  });
}

test('toString, toInt (declared position) and numSymbols', () => {
  const E: PfaType = { kind: 'enum', name: 'com.example.Color', symbols: ['RED', 'GREEN', 'BLUE', 'ALPHA'] };
  assert.equal(impl(enums.enumToString, E)('BLUE'), 'BLUE');
  assert.deepEqual(['RED', 'GREEN', 'BLUE', 'ALPHA'].map((s) => impl(enums.enumToInt, E)(s)), [0, 1, 2, 3]);
  assert.equal(impl(enums.enumNumSymbols, E)('GREEN'), 4);
  assert.equal(matchCall(enums.enumToInt, [{ kind: 'string' }]), undefined, 'only enums are accepted');
});
