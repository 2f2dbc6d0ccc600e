// parseNumeric and isDecimalText (runtime/pmml/values.ts) replaced a regex test before Number(): they
// must give exactly what the regex version gave. Checked on every string over a small alphabet up to
// length 5, on random longer ones (seeded, so failures repeat), and on hand-picked cases.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { isDecimalText, parseNumeric } from '../../runtime/pmml/values.js';

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const ALPHABET = ['0', '7', '+', '-', '.', 'e', 'E', ' ', 'x', 'B', 'o', 'I', '\u0000', '٣'];

/** parseNumeric as it was: the regex, then Number(). */
function reference(text: string): number {
  const s = text.trim();
  if (DECIMAL.test(s)) return Number(s);
  switch (s) {
    case 'INF': case 'Infinity': case 'inf': case '+INF': case '+Infinity': return Infinity;
    case '-INF': case '-Infinity': case '-inf': return -Infinity;
    default: return NaN;
  }
}

function same(s: string): void {
  assert.equal(isDecimalText(s), DECIMAL.test(s), JSON.stringify(s));
  assert.ok(Object.is(parseNumeric(s), reference(s)), `parseNumeric(${JSON.stringify(s)}) = ${parseNumeric(s)}, was ${reference(s)}`);
}

test('parseNumeric and isDecimalText as the regex version: every string up to length 5 over a small alphabet', () => {
  let level = [''];
  for (let length = 0; length <= 5; length++) {
    for (const s of level) same(s);
    if (length < 5) level = level.flatMap((s) => ALPHABET.map((c) => s + c));
  }
});

test('parseNumeric and isDecimalText as the regex version on random strings up to length 24', () => {
  let seed = 12345;
  const next = (): number => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
  const chars = '0123456789+-.eE xXbBoO';
  for (let k = 0; k < 50_000; k++) {
    const length = Math.floor(next() * 25);
    let s = '';
    for (let i = 0; i < length; i++) s += chars[Math.floor(next() * chars.length)];
    same(s);
  }
  // Numbers as producers print them.
  for (let k = 0; k < 5_000; k++) {
    const x = (next() - 0.5) * 10 ** Math.floor(next() * 40 - 20);
    for (const s of [String(x), x.toFixed(6), x.toExponential(12), x.toPrecision(17), ` ${x} `]) same(s);
  }
});

test('parseNumeric: decimals, infinities, and what is not a number', () => {
  assert.equal(parseNumeric(' 1.5e3 '), 1500);
  assert.equal(parseNumeric('-.25'), -0.25);
  assert.equal(parseNumeric('7.'), 7);
  assert.equal(parseNumeric('-INF'), -Infinity);
  assert.equal(parseNumeric('Infinity'), Infinity);
  assert.equal(parseNumeric('1e999'), Infinity);
  assert.equal(parseNumeric('-1e999'), -Infinity);
  assert.ok(Object.is(parseNumeric('-0'), -0));
  for (const s of ['', '  ', '.', '0x10', '0B1', '0o7', '1e', '1e+', '1_000', '1 2', '--1', 'NaN', '١', 'infinity', '1n']) assert.ok(Number.isNaN(parseNumeric(s)), s);
});
