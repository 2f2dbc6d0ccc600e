import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PmmlCompileError, PmmlUnsupportedError } from '../../runtime/pmml/el.js';
import { InvalidResult } from '../../runtime/pmml/env.js';
import { formatPrintf, parsePrintf } from '../../runtime/pmml/functions/printf.js';
import { compileRegex, parseReplacement, replaceAll, translateRegex } from '../../runtime/pmml/functions/regex.js';
import { call, callDynamic, evaluate } from './expressions-helpers.js';

test('uppercase, lowercase, stringLength, trimBlanks', () => {
  assert.equal(call('uppercase', 'aBc9'), 'ABC9');
  assert.equal(call('lowercase', 'aBc9'), 'abc9');
  assert.equal(call('stringLength', 'aBc9'), 4);
  assert.equal(call('stringLength', 'a😀b'), 3);
  assert.equal(call('trimBlanks', '  a b  '), 'a b');
  assert.equal(call('uppercase', null), null);
});

test('substring is 1-based (startPos, length)', () => {
  assert.equal(call('substring', 'aBc9x', 2, 3), 'Bc9');
  assert.equal(call('substring', 'aBc9x', 1, 1), 'a');
  assert.equal(call('substring', 'aBc9x', 4, 10), '9x');
  assert.equal(call('substring', 'aBc9x', 0, 2), 'a');
  assert.equal(call('substring', 'aBc9x', 9, 2), '');
  assert.equal(call('substring', 'a😀bc', 2, 2), '😀b');
  assert.equal(call('substring', null, 1, 2), null);
});

test('concat joins the texts of its arguments', () => {
  assert.equal(call('concat', 'a', 'b'), 'ab');
  assert.equal(call('concat', 'x', 2, '-', 3.5), 'x2-3.5');
  assert.equal(evaluate('<Apply function="concat"><Constant dataType="integer">2</Constant><Constant dataType="string">/</Constant><Constant>2004</Constant></Apply>'), '2/2004');
  assert.equal(call('concat', 'a', null), null);
});

test('replace and matches (the spec examples)', () => {
  assert.equal(call('replace', 'BBBB', 'B+', 'c'), 'c');
  assert.equal(call('replace', 'BBBB', 'B+?', 'c'), 'cccc');
  assert.equal(call('matches', 'Ba', 'ab?'), true);
  assert.equal(call('matches', 'abc', '^b'), false);
  assert.equal(call('matches', 'xyz', 'a'), false);
  assert.equal(call('replace', 'John Smith', '(\\w+)\\s(\\w+)', '$2, $1'), 'Smith, John');
  assert.equal(call('replace', 'a.b.c', '\\.', '\\$'), 'a$b$c');
  assert.equal(call('replace', 'x', 'y', 'z'), 'x');
  assert.equal(call('matches', null, 'a'), null);
});

test('patterns from fields are compiled at run time; unusable ones are invalid results', () => {
  assert.equal(callDynamic('matches', ['abc', 'b+'], ['string', 'string']), true);
  assert.equal(callDynamic('replace', ['abc', '[ac]', '-'], ['string', 'string', 'string']), '-b-');
  assert.throws(() => callDynamic('matches', ['abc', '(?>a)'], ['string', 'string']), InvalidResult);
  assert.throws(() => callDynamic('replace', ['abc', 'a', '$9'], ['string', 'string', 'string']), InvalidResult);
});

test('constant patterns are checked when compiling, with the element path', () => {
  assert.throws(() => call('matches', 'a', '(a'), (e: unknown) => e instanceof PmmlCompileError && !(e instanceof PmmlUnsupportedError) && e.path === 'T');
  assert.throws(() => call('matches', 'a', 'a++'), (e: unknown) => e instanceof PmmlUnsupportedError && /possessive/.test(e.message));
  assert.throws(() => call('replace', 'a', '(a)', '$2'), (e: unknown) => e instanceof PmmlCompileError && /group 2/.test(e.message));
});

test('regex translation: Perl/Java constructs mapped to JavaScript', () => {
  const m = (p: string, s: string) => compileRegex(p).test.test(s);
  assert.equal(m('\\Aab', 'ab'), true);
  assert.equal(m('\\Aab', 'xab'), false);
  assert.equal(m('ab\\z', 'ab\n'), false);
  assert.equal(m('ab\\Z', 'ab\n'), true);
  assert.equal(m('ab$', 'ab\n'), true); // Perl/Java: end or before a final newline
  assert.equal(m('ab$', 'ab\nc'), false);
  assert.equal(m('(?i)HELLO', 'hello'), true);
  assert.equal(m('(?s)a.b', 'a\nb'), true);
  assert.equal(m('a.b', 'a\nb'), false);
  assert.equal(m('(?x) a b c # comment', 'abc'), true);
  assert.equal(m('\\Qa.b\\E', 'a.b'), true);
  assert.equal(m('\\Qa.b\\E', 'axb'), false);
  assert.equal(m('[[:digit:]]+', 'x12'), true);
  assert.equal(m('^[[:alpha:]_]+$', 'ab_c'), true);
  assert.equal(m('\\p{Alpha}+', '123'), false);
  assert.equal(m('\\p{L}', 'é'), true);
  assert.equal(m('\\h', '\t'), true);
  assert.equal(m('\\x{263A}', '☺'), true);
  assert.equal(m('\\x41', 'A'), true);
  assert.equal(m('(?P<w>a)(?P=w)', 'aa'), true);
  assert.equal(m('a{,2}', 'a{,2}'), true); // not a quantifier: literal
  assert.equal(m('\\-\\_\\"', '-_"'), true); // identity escapes of punctuation
  assert.equal(m('[\\d-]+', '1-2'), true);
  assert.equal(m(']', ']'), true);
  assert.equal(m('[]a]', ']'), true);
  assert.equal(m('(a)\\1', 'aa'), true);
  for (const bad of ['a*+', '(?>a)', '(?|a)', 'a(?i)b', '\\G', '\\p{InGreek}', '[a&&b]', '(?R)']) {
    assert.throws(() => translateRegex(bad), (e: unknown) => (e as { unsupported?: boolean }).unsupported === true, bad);
  }
  assert.throws(() => translateRegex('[abc'));
});

test('replacement strings: $n, ${name}, escapes', () => {
  const re = compileRegex('(?<first>\\w+) (\\w+)');
  assert.equal(replaceAll('ab cd', re, parseReplacement('${first}-$2-\\$1', re)), 'ab-cd-$1');
  const re12 = compileRegex('(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)(k)(l)');
  assert.equal(replaceAll('abcdefghijkl', re12, parseReplacement('$12$1', re12)), 'la');
  const re1 = compileRegex('(a)');
  assert.equal(replaceAll('a', re1, parseReplacement('$10', re1)), 'a0');
});

test('formatNumber: C printf patterns', () => {
  assert.equal(call('formatNumber', 2, '%3d'), '  2');
  assert.equal(call('formatNumber', 3.14159, '%.2f'), '3.14');
  assert.equal(call('formatNumber', 3.14159, 'pi=%8.3f!'), 'pi=   3.142!');
  assert.equal(call('formatNumber', -3.14159, '%-8.1f|'), '-3.1    |');
  assert.equal(call('formatNumber', 42, '%05d'), '00042');
  assert.equal(call('formatNumber', -42, '%05d'), '-0042');
  assert.equal(call('formatNumber', 42, '%+d'), '+42');
  assert.equal(call('formatNumber', 255, '%x %X %o %#x'), 'ff FF 377 0xff');
  assert.equal(call('formatNumber', 1234567.891, '%,.2f'), '1,234,567.89');
  assert.equal(call('formatNumber', 12345.678, '%e'), '1.234568e+04');
  assert.equal(call('formatNumber', 0.000123, '%.2E'), '1.23E-04');
  assert.equal(call('formatNumber', 100000, '%g'), '100000');
  assert.equal(call('formatNumber', 1000000, '%g'), '1e+06');
  assert.equal(call('formatNumber', 0.0001, '%g'), '0.0001');
  assert.equal(call('formatNumber', 0.00001234, '%g'), '1.234e-05');
  assert.equal(call('formatNumber', 3.5, '%.0f%%'), '4%');
  assert.equal(call('formatNumber', 2.7, '%d'), '2');
  assert.equal(call('formatNumber', 7, '%.3d'), '007');
  assert.equal(call('formatNumber', 1.5, '%s'), '1.5');
  assert.equal(call('formatNumber', null, '%d'), null);
  assert.throws(() => call('formatNumber', 1, '%q'), PmmlCompileError);
  assert.throws(() => call('formatNumber', 1, '%*d'), PmmlCompileError);
});

test('printf kernel: infinities, NaN, large numbers', () => {
  const f = (p: string, x: number) => formatPrintf(parsePrintf(p), x);
  assert.equal(f('%f', Infinity), 'inf');
  assert.equal(f('%5.1F', -Infinity), ' -INF');
  assert.equal(f('%f', NaN), 'nan');
  assert.equal(f('%.0f', 1e22), '10000000000000000000000');
  assert.equal(f('%d', 1e22), '10000000000000000000000');
  assert.equal(f('%x', -1), 'ffffffffffffffff');
  assert.equal(f('%.2f', -0.001), '-0.00');
  assert.equal(f('%#.0f', 3), '3.');
  assert.equal(f('%#g', 1), '1.00000');
  assert.equal(f('plain', 1), 'plain');
});
