// The `options` top-level field (specification §3.7–3.8): timeout, timeout.begin,
// timeout.action and timeout.end stop a routine that runs too long with “exceeded
// timeout of N milliseconds” (rollback applies as for any error); an option of the wrong
// type is a compile error naming it; options the specification does not define are ignored.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PfaCompileError } from '../../src/frontends/pfa/compile.js';
import { loadEngine } from '../conformance/pfa-case.js';

/** An action that loops forever when the input is negative, after bumping a rollback cell. */
function looping(options: unknown): unknown {
  return {
    input: 'int', output: 'int', options,
    cells: { calls: { type: 'int', init: 0, rollback: true } },
    action: [
      { cell: 'calls', to: { params: [{ c: 'int' }], ret: 'int', do: { '+': ['c', 1] } } },
      { let: { n: 0 } },
      { while: { '<': ['input', 0] }, do: { set: { n: { '%': [{ '+': ['n', 1] }, 1000] } } } },
      { cell: 'calls' },
    ],
  };
}

function timed(f: () => void): number {
  const t0 = performance.now();
  f();
  return performance.now() - t0;
}

test('timeout: a looping action raises the timeout error and rolls back; the engine goes on', () => {
  const e = loadEngine(JSON.stringify(looping({ timeout: 50 })));
  const engine = e.create();
  assert.equal(engine.action(3), 1);
  let err: (Error & { code?: number }) | undefined;
  const ms = timed(() => {
    try {
      engine.action(-1);
    } catch (x) {
      err = x as Error;
    }
  });
  assert.equal(err?.message, 'exceeded timeout of 50 milliseconds');
  assert.equal(err?.name, 'PfaError');
  assert.ok(ms >= 45 && ms < 5000, `stopped after ${ms} ms`);
  assert.equal(engine.cells.calls, 1, 'the rollback cell is restored');
  assert.equal(engine.action(5), 2);
});

test('timeout: a long recursion in user functions is stopped too; timeout.action overrides timeout', () => {
  // fib(40) makes ~3e8 calls and has no loop: only the check in the function body can stop it.
  const doc = {
    input: 'int', output: 'int', options: { timeout: -1, 'timeout.action': 30, 'timeout.end': 10 },
    fcns: { fib: { params: [{ k: 'int' }], ret: 'int', do: { if: { '<': ['k', 2] }, then: 'k', else: { '+': [{ 'u.fib': [{ '-': ['k', 1] }] }, { 'u.fib': [{ '-': ['k', 2] }] }] } } } },
    action: { 'u.fib': ['input'] },
  };
  const engine = loadEngine(JSON.stringify(doc)).create();
  assert.equal(engine.action(10), 55);
  const ms = timed(() => assert.throws(() => engine.action(40), /exceeded timeout of 30 milliseconds/));
  assert.ok(ms < 5000, `stopped after ${ms} ms`);
});

test('timeout: a negative timeout (or none) never stops; begin has its own', () => {
  const e = loadEngine(JSON.stringify({ ...(looping({ timeout: -5, 'timeout.begin': 20 }) as object), begin: [{ while: true, do: [] }] }));
  const engine = e.create();
  assert.throws(() => engine.begin(), /exceeded timeout of 20 milliseconds/);
  assert.equal(engine.action(0), 1);
  // No timeout at all: no stopwatch in the generated code.
  assert.doesNotMatch(loadEngine(JSON.stringify(looping(undefined))).compiled.body, /watch/);
  assert.doesNotMatch(loadEngine(JSON.stringify(looping({ timeout: -1 }))).compiled.body, /watch/);
});

test('options: the wrong type is a compile error naming the option; unknown options are ignored', () => {
  for (const [options, where] of [[{ timeout: 'fast' }, 'options.timeout'], [{ 'timeout.end': 1.5 }, 'options.timeout.end'], [[1], 'options']] as const) {
    assert.throws(() => loadEngine(JSON.stringify(looping(options))), (e: unknown) => e instanceof PfaCompileError && e.path === where, JSON.stringify(options));
  }
  assert.equal(loadEngine(JSON.stringify(looping({ 'lib.model.something': true, colour: 'blue' }))).create().action(1), 1);
});
