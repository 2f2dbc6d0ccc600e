// PFA regular expressions (re.*): the conformance suite's direct trials, the catalogue
// signatures, and the POSIX ERE dialect in detail: leftmost-longest matching, bracket
// expressions, intervals, anchors, back-references, GNU operators, bad patterns (every
// function's own code), code point and byte indexes, successive and empty matches,
// patterns as data (no JavaScript RegExp syntax leaks through) and the work bounds.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import * as re from '../../runtime/pfa/lib/re.js';
import { PfaError, type LibFunction, type LibImpl, type PfaType } from '../../runtime/pfa/types.js';
import { matchCall } from '../../src/frontends/pfa/signatures.js';
import { PFA_DATA, runDirect } from './support/direct.js';

const FUNCTIONS = Object.values(re).filter((v): v is LibFunction => typeof v === 'object' && v !== null && 'make' in v && 'sigs' in v);

const STR: PfaType = { kind: 'string' }, BYTES: PfaType = { kind: 'bytes' };

/** The string (or bytes) implementation of a function, as the compiler would pick it. */
function impl(fn: LibFunction, t: PfaType = STR): LibImpl {
  const args = fn.sigs[0].params.map(() => t);
  const types = matchCall(fn, args);
  assert.ok(types, `${fn.name} accepts ${t.kind}`);
  return fn.make(types, { random: Math.random, log: () => undefined });
}

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const latin1 = (s: string): Uint8Array => Uint8Array.from(s, (c) => c.charCodeAt(0));

const index = impl(re.reIndex), groups = impl(re.reGroups), findall = impl(re.reFindall), count = impl(re.reCount);
const contains = impl(re.reContains), indexall = impl(re.reIndexall);

function throwsCode(f: () => unknown, code: number): void {
  assert.throws(f, (e: unknown) => e instanceof PfaError && e.code === code);
}

test('re.*: every function of the catalogue, with its signatures', () => {
  const catalogue = JSON.parse(readFileSync(join(PFA_DATA, 'functions.json'), 'utf8')) as { functions: { name: string; family: string; signatures: { params: unknown; ret: unknown }[] }[] };
  const expected = catalogue.functions.filter((f) => f.family === 're');
  assert.deepEqual(FUNCTIONS.map((f) => f.name).sort(), expected.map((f) => f.name).sort());
  for (const f of expected) {
    const mine = FUNCTIONS.find((x) => x.name === f.name) as LibFunction;
    assert.deepEqual(JSON.parse(JSON.stringify(mine.sigs)), f.signatures.map((sig) => ({ params: sig.params, ret: sig.ret })), f.name);
  }
});

test('re.*: conformance trials (direct)', () => {
  for (const fn of FUNCTIONS) {
    const r = runDirect('re', fn);
    assert.ok(r.tests > 0, `${fn.name} has tests`);
    assert.deepEqual(r.failures, [], fn.name);
    assert.equal(r.passed, r.trials, fn.name);
  }
});

test('leftmost-longest: the longest of the leftmost matches, whatever the alternative order', () => {
  assert.deepEqual(index('ab', 'a|ab'), [0, 2]);
  assert.deepEqual(index('xabcd', '(a|ab)(c|bcd)'), [1, 5]);
  assert.deepEqual(index('xyz abcabc', '(abc|a)*'), [0, 0]); // leftmost wins over longer later
  assert.deepEqual(index('aaa', 'a*?'), [0, 3]); // "?" after "*" is another quantifier in ERE
  assert.deepEqual(findall('integer int in', 'in|int|integer'), ['integer', 'int', 'in']);
  // Sub-matches: the first longest match in priority order (greedy, earlier alternatives).
  assert.deepEqual(groups('abcd', '(a|ab)(c|bcd)(d*)'), [[0, 4], [0, 1], [1, 4], [4, 4]]);
  assert.deepEqual(groups('Paris in the the spring', '(the )+'), [[9, 17], [13, 17]]);
  assert.deepEqual(groups('b', '(a)|b'), [[0, 1], [-1, -1]]);
  assert.deepEqual(impl(re.reFindgroupsfirst)('b', '(a)|b'), ['b', '']);
});

test('bracket expressions: classes, ranges, "]" and "-" placement, literal backslash', () => {
  assert.deepEqual(findall('aB3_ ,é', '[[:alnum:]]'), ['a', 'B', '3', 'é']);
  assert.deepEqual(findall('aB3c', '[[:upper:][:digit:]]+'), ['B3']);
  assert.deepEqual(findall('a\tb c', '[[:blank:]]'), ['\t', ' ']);
  assert.deepEqual(findall('x.y!', '[[:punct:]]'), ['.', '!']);
  assert.deepEqual(findall('0fG', '[[:xdigit:]]+'), ['0f']);
  assert.deepEqual(findall('a-b]', '[]a]'), ['a', ']']);
  assert.deepEqual(findall('a-b]', '[^]a]'), ['-', 'b']);
  assert.deepEqual(findall('a-b', '[a-]'), ['a', '-']);
  assert.deepEqual(findall('a-b', '[-b]'), ['-', 'b']);
  assert.deepEqual(findall('d\\1', '[\\d]'), ['d', '\\']);
  assert.deepEqual(findall('a-b', '[[.-.]a]+'), ['a-']);
  assert.deepEqual(findall('cab', '[[=a=]b]+'), ['ab']);
  assert.deepEqual(findall('x\ny', '[^a]'), ['x', '\n', 'y']); // newline is an ordinary character
  assert.deepEqual(findall('ДОМ дом', '[[:upper:]]+'), ['ДОМ']);
});

test('intervals, anchors and GNU operators', () => {
  assert.deepEqual(findall('aaaaaaa', 'a{2,3}'), ['aaa', 'aaa']);
  assert.deepEqual(findall('aaaaa', 'a{2}'), ['aa', 'aa']);
  assert.deepEqual(findall('aaaaa', 'a{2,}'), ['aaaaa']);
  assert.deepEqual(findall('a{,3}', 'a{,3}'), ['a{,3}']); // "{" not starting an interval is literal
  assert.deepEqual(findall('{}', '{}'), ['{}']);
  assert.equal(contains('abc', '^abc$'), true);
  assert.equal(contains('xabc', '^abc'), false);
  assert.equal(contains('a^b', 'a^b'), false); // "^" is an anchor anywhere in an ERE
  assert.equal(contains('a\nb', '^b'), false); // anchors match at the ends of the haystack only
  assert.equal(contains('\n', '^.$'), true);
  assert.deepEqual(findall('foo_bar baz!', '\\w+'), ['foo_bar', 'baz']);
  assert.deepEqual(findall('a b\tc', '\\S\\s'), ['a ', 'b\t']);
  assert.deepEqual(indexall('ab cd', '\\b'), [[0, 0], [2, 2], [3, 3], [5, 5]]);
  assert.deepEqual(indexall('ab cd', '\\<'), [[0, 0], [3, 3]]);
  assert.deepEqual(indexall('ab cd', '\\>'), [[2, 2], [5, 5]]);
  assert.deepEqual(indexall('abc', '\\B'), [[1, 1], [2, 2]]);
  assert.deepEqual(index('abc', 'c\\\''), [2, 3]);
});

test('back-references', () => {
  assert.deepEqual(groups('Paris in the the spring', '(the )\\1'), [[9, 17], [9, 13]]);
  assert.deepEqual(findall('aa ab bb', '(.)\\1'), ['aa', 'bb']);
  assert.deepEqual(findall('abab abba', '(a)(b)\\2\\1'), ['abba']);
  assert.deepEqual(findall('xx yy', '(x|y)\\1'), ['xx', 'yy']);
  assert.equal(contains('b', '(a)?b\\1'), false); // a group that took no part matches nothing
});

test('bad patterns raise each function\'s own error code', () => {
  const codes: Record<string, number> = {
    're.index': 35000, 're.contains': 35010, 're.count': 35020, 're.rindex': 35030, 're.groups': 35040, 're.indexall': 35050,
    're.findall': 35060, 're.findfirst': 35070, 're.findgroupsfirst': 35080, 're.findgroupsall': 35090, 're.groupsall': 35100,
    're.replacefirst': 35110, 're.replacelast': 35120, 're.split': 35130, 're.replaceall': 35140,
  };
  for (const fn of FUNCTIONS) {
    for (const t of [STR, BYTES]) {
      const f = impl(fn, t);
      const arg = (s: string) => (t === STR ? s : latin1(s));
      throwsCode(() => f(arg(''), arg('('), arg('x')), codes[fn.name]);
    }
  }
  const bad = ['(', ')', 'a)', '(a', '[', '[a', '[]', 'a{2,1}', 'a{256}', 'a{1', 'a{1,2', '*a', '+', '?', '{1}', 'a|*', '(*a)',
    '\\', '[z-a]', '[[:foo:]]', '[[:alpha:]', '[[.ab.]]', '\\1', '\\2(a)', '(a\\1)', '(?:a)', '(?=a)', 'a{1000}'];
  for (const p of bad) throwsCode(() => contains('abc', p), 35010);
  // Valid corner cases.
  for (const p of ['()', 'a|', '|a', 'a**', 'a+?', '[a]]', '\\(', '\\{', 'a{0}', 'a{0,0}b', 'x{255}']) assert.doesNotThrow(() => contains('abc', p), p);
  assert.deepEqual(index('b', 'a|'), [0, 0]);
  assert.deepEqual(index('a]', '[a]]'), [0, 2]);
});

test('patterns are data: JavaScript RegExp syntax has no special meaning', () => {
  assert.deepEqual(findall('d1', '\\d'), ['d']); // "\d" is a literal "d" (as in GNU grep -E)
  assert.deepEqual(findall('n\n', '\\n'), ['n']);
  assert.deepEqual(findall('a$b', 'a\\$b'), ['a$b']);
  assert.deepEqual(findall(`A${'u'.repeat(41)}`, '\\u{41}'), ['u'.repeat(41)]); // "u" 41 times, not "A"
  throwsCode(() => contains('ab', '(?<x>a)'), 35010); // no lookarounds or named groups
  // The replacement is literal too.
  assert.equal(impl(re.reReplaceall)('abc', 'b', '$&\\1$1'), 'a$&\\1$1c');
});

test('strings: code point indexes; bytes: byte offsets, any byte value', () => {
  assert.deepEqual(indexall('a😀😀b😀', '😀+'), [[1, 3], [4, 5]]);
  assert.deepEqual(findall('a😀b', '.'), ['a', '😀', 'b']);
  assert.deepEqual(groups('😀x😀', '(x)(😀)'), [[1, 3], [1, 2], [2, 3]]);
  assert.equal(impl(re.reReplaceall)('😀a😀', 'a', '-'), '😀-😀');
  assert.deepEqual(impl(re.reSplit)('x😀y😀😀z', '😀+'), ['x', 'y', 'z']);
  const bIndexall = impl(re.reIndexall, BYTES), bFindall = impl(re.reFindall, BYTES);
  // In bytes mode a pattern's characters are its bytes: "+" repeats the emoji's last byte.
  assert.deepEqual(bIndexall(enc('a😀😀b'), enc('😀+')), [[1, 5], [5, 9]]);
  assert.deepEqual(bIndexall(enc('a😀😀b'), enc('(😀)+')), [[1, 9]]);
  assert.deepEqual(bFindall(new Uint8Array([0xff, 0x80, 0x41]), latin1('.')), [new Uint8Array([0xff]), new Uint8Array([0x80]), new Uint8Array([0x41])]);
  assert.deepEqual(bFindall(new Uint8Array([0x00, 0xff, 0xfe, 0xff]), new Uint8Array([0xff])), [new Uint8Array([0xff]), new Uint8Array([0xff])]);
  assert.deepEqual(bIndexall(enc('é'), latin1('[[:alpha:]]')), []); // classes are ASCII in bytes mode
  assert.deepEqual(impl(re.reReplacefirst, BYTES)(latin1('abc'), latin1('b'), new Uint8Array([0, 1])), new Uint8Array([0x61, 0, 1, 0x63]));
  assert.equal(impl(re.reFindfirst, BYTES)(latin1('abc'), latin1('z')), null);
});

test('successive matches: no overlap, no empty match where the previous one ended', () => {
  assert.equal(count('aaaaaaaaaa', 'a*'), 1);
  assert.equal(count('baaa', 'a*'), 2);
  assert.equal(count('aaaa', 'aa'), 2);
  assert.deepEqual(indexall('abbc', 'b*'), [[0, 0], [1, 3], [4, 4]]);
  assert.deepEqual(impl(re.reReplaceall)('abc', 'x*', '-'), '-a-b-c-');
  assert.deepEqual(impl(re.reRindex)('aaa', 'aa'), [0, 2]);
  assert.equal(impl(re.reReplacelast)('a1b22c', '[0-9]+', '#'), 'a1b#c');
  assert.deepEqual(impl(re.reGroupsall)('a1b22', '([a-z])([0-9]+)'), [[[0, 2], [0, 1], [1, 2]], [[2, 5], [2, 3], [3, 5]]]);
  assert.deepEqual(impl(re.reFindgroupsall)('a1b22', '([a-z])([0-9]+)'), [['a1', 'a', '1'], ['b22', 'b', '22']]);
});

test('re.split: pieces between matches without empty ones; no match gives the haystack', () => {
  const split = impl(re.reSplit);
  assert.deepEqual(split('cowpcowppcowppp', 'cow'), ['p', 'pp', 'ppp']);
  assert.deepEqual(split('a,,b', ','), ['a', 'b']);
  assert.deepEqual(split('abc', 'x'), ['abc']);
  assert.deepEqual(split('', 'x'), ['']);
  assert.deepEqual(split('', 'x*'), []);
  assert.deepEqual(split('abc', 'x*'), ['a', 'b', 'c']);
});

test('work stays bounded: nested quantifiers run in linear time, pathological back-references stop', () => {
  const long = 'a'.repeat(20000);
  assert.equal(contains(long, '(a*)*b'), false);
  assert.equal(contains(long, '(a|aa)*c'), false);
  assert.equal(contains('x'.repeat(5000), '(x+x+)+y'), false);
  assert.equal(count(long, 'a|[^x]*y'), 20000); // exploring "[^x]*y" once, not once per match
  assert.equal(count('ab'.repeat(100000), 'ab'), 100000);
  // Back-references defeat the memo; a step budget turns runaway searches into the
  // function's documented error instead of hanging the engine.
  throwsCode(() => contains('a'.repeat(3000), '(a*)*\\1b'), 35010);
  throwsCode(() => count('a'.repeat(3000), '(a*)*\\1b'), 35020);
  // Matching still works after an aborted search (scratch memory was released).
  assert.deepEqual(findall('xaax', '(a)\\1'), ['aa']);
  assert.equal(contains(long, 'a{255}$'), true);
});

test('arguments are not modified', () => {
  const hay = latin1('abcabc'), pat = latin1('b'), rep = latin1('XY');
  const out = impl(re.reReplaceall, BYTES)(hay, pat, rep) as Uint8Array;
  assert.deepEqual(out, latin1('aXYcaXYc'));
  out[0] = 0;
  assert.deepEqual(hay, latin1('abcabc'));
  assert.deepEqual(rep, latin1('XY'));
  const unchanged = impl(re.reReplaceall, BYTES)(hay, latin1('z'), rep) as Uint8Array;
  assert.notEqual(unchanged, hay);
  assert.deepEqual(unchanged, hay);
});
