// Exact 64-bit longs: longs are BigInts in memory; the compiler converts where PFA promotes
// int → long or long → float/double (let/set, new, branches, function arguments and returns,
// library calls) and at the boundary of library functions written for numbers. JSON in and
// out is exact (parseJsonExact/fromJson, toJson/stringifyJsonExact).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { fromJson, parseJsonExact, stringifyJsonExact, toJson } from '../../runtime/pfa/avro.js';
import { loadEngine, runAction } from '../conformance/pfa-case.js';
import { servePfaModule } from '../../runtime/pfa/serving.js';

const MAX = 2n ** 63n - 1n, MIN = -(2n ** 63n);

function run(doc: unknown, input: unknown): unknown {
  const e = loadEngine(JSON.stringify(doc));
  const out = runAction(e, e.create(), input);
  if (!out.ok) throw Object.assign(new Error(out.message), { code: out.code });
  return out.value;
}

test('JSON in and out is exact beyond 2^53', () => {
  const v = parseJsonExact('{"a": 9223372036854775807, "b": [-9223372036854775808, 3, 0.9999999999999994], "c": "9223372036854775807"}');
  assert.deepEqual(v, { a: MAX, b: [MIN, 3, 0.9999999999999994], c: '9223372036854775807' });
  assert.equal(stringifyJsonExact(v), '{"a":9223372036854775807,"b":[-9223372036854775808,3,0.9999999999999994],"c":"9223372036854775807"}');
  const long = { kind: 'long' } as const;
  assert.equal(fromJson(MAX, long), MAX);
  assert.equal(fromJson('-9223372036854775808', long), MIN);
  assert.equal(fromJson(5, long), 5n);
  assert.throws(() => fromJson(2n ** 63n, long), /long out of range/);
  assert.throws(() => fromJson(1.5, long), /expected a long/);
  assert.equal(toJson(5n, long), 5);
  assert.equal(toJson(MAX, long), MAX);
});

test('long arithmetic near ±2^63 and its overflow errors', () => {
  const add = { input: 'long', output: 'long', action: { '+': ['input', 1] } };
  assert.equal(run(add, MAX - 1n), MAX);
  assert.throws(() => run(add, MAX), (e: { code?: number }) => e.code === 18001);
  const mixed = { input: 'int', output: 'long', action: { '*': ['input', { long: 4294967296 }] } };
  assert.equal(run(mixed, 2147483647), 2147483647n * 4294967296n);
});

test('promotions: int → long in let/set, branches and records; long → double in library calls', () => {
  const doc = {
    input: 'int',
    output: { type: 'record', name: 'Out', fields: [{ name: 'l', type: 'long' }, { name: 'd', type: 'double' }, { name: 'u', type: ['null', 'long'] }, { name: 'xs', type: { type: 'array', items: 'long' } }] },
    action: [
      { let: { l: { long: 9007199254740993 } } },
      { set: { l: { if: { '>': ['input', 0] }, then: { '+': ['l', 'input'] }, else: 'input' } } },
      { new: { l: 'l', d: { 'm.sqrt': [{ long: 16 }] }, u: 'input', xs: { new: ['input', 'l'], type: { type: 'array', items: 'long' } } }, type: 'Out' },
    ],
  };
  // 9007199254740993 is not a double: the literal is read as one (document numbers are JSON), 2^53.
  assert.deepEqual(run(doc, 2), { l: 9007199254740994n, d: 4, u: { long: 2 }, xs: [2, 9007199254740994n] });
  assert.deepEqual(run(doc, -3), { l: -3, d: 4, u: { long: -3 }, xs: [-3, -3] });
});

test('library functions written for numbers get longs as numbers and give BigInts back', () => {
  const doc = { input: { type: 'array', items: 'long' }, output: 'long', action: { 'a.sum': ['input'] } };
  assert.equal(run(doc, [1, 2, 3]), 6);
  const maxDoc = { input: { type: 'array', items: 'long' }, output: 'long', action: { 'a.max': ['input'] } };
  assert.equal(run(maxDoc, [MIN, 7, -1]), 7);
  const cmp = { input: 'long', output: 'boolean', action: { '<': ['input', { long: 9007199254740992 }] } };
  assert.equal(run(cmp, 9007199254740991n), true);
  const sorted = { input: { type: 'array', items: 'long' }, output: { type: 'array', items: 'long' }, action: { 'a.sort': ['input'] } };
  assert.deepEqual(run(sorted, [3, MIN, MAX, 0]), [MIN, 0, 3, MAX]);
});

test('pack and unpack a signed 64-bit field exactly', () => {
  const doc = {
    input: 'long', output: 'long',
    action: { unpack: { pack: [{ 'int64': 'input' }] }, format: [{ x: 'int64' }], then: 'x', else: { long: 0 } },
  };
  assert.equal(run(doc, MAX), MAX);
  assert.equal(run(doc, MIN + 1n), MIN + 1n);
});

test('served (runtime/pfa/serving.ts): longs beyond 2^53 go out as decimal strings and come in as them', () => {
  const long = { kind: 'long' } as const;
  const served = servePfaModule({
    metadata: { name: 'l', version: '1', format: 'pfa', method: 'map', inputs: [{ name: 'input', avro: 'long' }], outputs: [{ name: 'output', avro: 'long' }] },
    predict: (x) => (x as bigint) + 1n,
    fromJson: (v) => fromJson(v, long),
    toJson: (v) => toJson(v, long),
  });
  assert.deepEqual(served.predict({ input: '9223372036854775806' }), { output: '9223372036854775807' });
  assert.deepEqual(served.predict({ input: 41 }), { output: 42 });
  assert.throws(() => served.predict({ input: 'x' }), /expected a long/);
});
