// String ops: cases the ONNX conformance suite leaves out (Python str.split
// semantics, RE2 features and differences from JavaScript RegExp, TfIdf modes,
// weights, string pools and attribute validation).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { translateRe2 } from '../../src/frontends/onnx/ops/strings.js';
import { runOp, type OpInput } from './helpers.js';

const str = (data: string[], dims = [data.length]): OpInput => ({ type: 'string', dims, data });

async function split(data: string[], attrs: Record<string, number | string> = {}): Promise<{ dims: number[]; parts: string[][]; counts: number[] }> {
  const [subs, counts] = await runOp('StringSplit', [str(data)], attrs, { opset: 20, outputs: 2 });
  assert.equal(subs.type, 'string');
  assert.equal(counts.type, 'int64');
  const width = subs.dims[subs.dims.length - 1];
  const flat = Array.from(subs.data) as string[];
  const parts = data.map((_, i) => flat.slice(i * width, (i + 1) * width));
  return { dims: subs.dims, parts, counts: Array.from(counts.data, Number) };
}

async function fullMatch(pattern: string, data: string[]): Promise<boolean[]> {
  const [y] = await runOp('RegexFullMatch', [str(data)], { pattern }, { opset: 20 });
  assert.equal(y.type, 'bool');
  return Array.from(y.data, (v) => Boolean(v));
}

// ------------------------------------------------------------- StringConcat

test('StringConcat broadcasts both ways ([2,1] with [3])', async () => {
  const [z] = await runOp('StringConcat', [str(['a', 'b'], [2, 1]), str(['x', 'y', 'z'])], {}, { opset: 20 });
  assert.deepEqual(z.dims, [2, 3]);
  assert.deepEqual(Array.from(z.data), ['ax', 'ay', 'az', 'bx', 'by', 'bz']);
});

test('StringConcat rejects shapes that do not broadcast', async () => {
  await assert.rejects(runOp('StringConcat', [str(['a', 'b']), str(['x', 'y', 'z'])], {}, { opset: 20 }), /cannot be broadcast/);
});

// --------------------------------------------------------------- StringSplit

test('StringSplit without delimiter splits on any Python whitespace, dropping empty pieces', async () => {
  const r = await split(['  a\u00a0b\u2003c\td\v', '', ' \n\x1c ', 'x\x85y']);
  assert.deepEqual(r.counts, [4, 0, 0, 2]);
  assert.deepEqual(r.parts[0], ['a', 'b', 'c', 'd']);
  assert.deepEqual(r.parts[1], ['', '', '', '']); // padding only
  assert.deepEqual(r.parts[3], ['x', 'y', '', '']);
});

test('StringSplit maxsplit keeps the remainder as Python does (leading space skipped, trailing kept)', async () => {
  const r = await split(['  a  b c  ', 'one'], { maxsplit: 1 });
  assert.deepEqual(r.parts, [['a', 'b c  '], ['one', '']]);
  assert.deepEqual(r.counts, [2, 1]);
  const zero = await split(['  a  b  '], { maxsplit: 0 });
  assert.deepEqual(zero.parts, [['a  b  ']]);
});

test('StringSplit with a delimiter keeps empty pieces; an empty string is one empty piece', async () => {
  const r = await split([',a,,b,', '', 'abc'], { delimiter: ',' });
  assert.deepEqual(r.dims, [3, 5]);
  assert.deepEqual(r.counts, [5, 1, 1]);
  assert.deepEqual(r.parts[0], ['', 'a', '', 'b', '']);
  assert.deepEqual(r.parts[1], ['', '', '', '', '']);
});

test('StringSplit with a multi-character delimiter and maxsplit', async () => {
  const r = await split(['a--b--c--d', 'x-y'], { delimiter: '--', maxsplit: 2 });
  assert.deepEqual(r.parts, [['a', 'b', 'c--d'], ['x-y', '', '']]);
  assert.deepEqual(r.counts, [3, 1]);
});

test('StringSplit keeps the input rank in front of the substring axis', async () => {
  const [subs, counts] = await runOp('StringSplit', [str(['a b', 'c', 'd e f', ''], [2, 2])], {}, { opset: 20, outputs: 2 });
  assert.deepEqual(subs.dims, [2, 2, 3]);
  assert.deepEqual(counts.dims, [2, 2]);
  assert.deepEqual(Array.from(counts.data, Number), [2, 1, 3, 0]);
});

// ------------------------------------------------------------ RegexFullMatch

test('RegexFullMatch needs the whole string to match, whatever the alternation order', async () => {
  assert.deepEqual(await fullMatch('a|ab', ['a', 'ab', 'abc', '']), [true, true, false, false]);
  assert.deepEqual(await fullMatch('', ['', 'x']), [true, false]);
});

test('RE2 dot excludes only \\n; (?s) includes it', async () => {
  const probe = ['a\nb', 'a\rb', 'a\u2028b', 'axb'];
  assert.deepEqual(await fullMatch('a.b', probe), [false, true, true, true]);
  assert.deepEqual(await fullMatch('(?s)a.b', probe), [true, true, true, true]);
});

test('RE2 \\s is ASCII [\\t\\n\\f\\r ] (no \\v, no Unicode spaces), also inside classes', async () => {
  const probe = [' \t\n\f\r', '\v', '\u00a0', '\u2003'];
  assert.deepEqual(await fullMatch('\\s+', probe), [true, false, false, false]);
  assert.deepEqual(await fullMatch('[\\s]+', probe), [true, false, false, false]);
  assert.deepEqual(await fullMatch('[\\S]+', probe), [false, true, true, true]);
});

test('^ and $ anchor the text, or lines under (?m)', async () => {
  assert.deepEqual(await fullMatch('a$\\nb', ['a\nb']), [false]);
  assert.deepEqual(await fullMatch('(?m)a$\\n^b', ['a\nb']), [true]);
  assert.deepEqual(await fullMatch('\\Aab\\z', ['ab', 'ab\n']), [true, false]);
});

test('flags: (?i) over the whole pattern, scoped (?s:...), (?U) swaps greediness', async () => {
  assert.deepEqual(await fullMatch('(?i)hello', ['HeLLo', 'help']), [true, false]);
  assert.deepEqual(await fullMatch('a(?s:.)b.c', ['a\nbxc', 'a\nb\nc']), [true, false]);
  // Lazy vs greedy cannot change a full match's truth; check the swap compiles both ways.
  assert.deepEqual(await fullMatch('(?U)a+?b*', ['aab', 'b']), [true, false]);
});

test('RE2 escapes and classes: \\Q..\\E, \\x{..}, octal, \\pL, \\p{Greek}, POSIX, escaped punctuation', async () => {
  assert.deepEqual(await fullMatch('\\Q1+1=2?\\E', ['1+1=2?', '11=2']), [true, false]);
  assert.deepEqual(await fullMatch('caf\\x{e9}\\x21', ['café!']), [true]);
  assert.deepEqual(await fullMatch('\\101\\102\\060', ['AB0']), [true]); // octal: \\0 takes up to two more digits
  assert.deepEqual(await fullMatch('\\pL+', ['Ωmega', 'x1']), [true, false]);
  assert.deepEqual(await fullMatch('\\p{Greek}+\\P{Greek}', ['αβx', 'αβγ']), [true, false]);
  assert.deepEqual(await fullMatch('[[:upper:][:digit:]]+[[:^alpha:]]', ['AB1!', 'AB1c']), [true, false]);
  assert.deepEqual(await fullMatch('\\@\\-\\#[\\@\\-]', ['@-#-']), [true]);
});

test('a { that starts no repetition is a literal, as in RE2', async () => {
  assert.deepEqual(await fullMatch('x{,2}', ['x{,2}', 'xx']), [true, false]);
  assert.deepEqual(await fullMatch('x{2}', ['xx', 'x{2}']), [true, false]);
  assert.deepEqual(await fullMatch('[]a]+', [']a]', 'b']), [true, false]);
});

test('named groups (?P<name>...) translate to JavaScript syntax', () => {
  assert.equal(translateRe2('(?P<year>\\d{4})').body, '(?<year>\\d{4})');
});

test('patterns RE2 rejects are invalid; JS-only scoped case folding is unsupported', async () => {
  await assert.rejects(runOp('RegexFullMatch', [str(['a'])], { pattern: 'a(?=b)' }, { opset: 20 }), /MLC2003|lookaround/);
  await assert.rejects(runOp('RegexFullMatch', [str(['a'])], { pattern: '(a)\\1' }, { opset: 20 }), /backreference/);
  await assert.rejects(runOp('RegexFullMatch', [str(['a'])], { pattern: 'a(' }, { opset: 20 }), /missing \)/);
  await assert.rejects(runOp('RegexFullMatch', [str(['a'])], { pattern: 'a(?i:b)' }, { opset: 20 }), /whole pattern/);
  await assert.rejects(runOp('RegexFullMatch', [str(['a'])], { pattern: '\\C' }, { opset: 20 }), /not supported/);
});

// ----------------------------------------------------------- TfIdfVectorizer

const stringPool = {
  mode: 'TF', min_gram_length: 1, max_gram_length: 2, max_skip_count: 1,
  ngram_counts: [0, 3], ngram_indexes: [3, 2, 1, 0, 4], pool_strings: ['a', 'b', 'c', 'a', 'b', 'b', 'c'],
};

test('TfIdfVectorizer on strings with skips and permuted output indexes', async () => {
  const x = str(['a', 'b', 'c', 'b', 'c', 'x', 'a', 'z', 'b', 'a'], [2, 5]);
  const [y] = await runOp('TfIdfVectorizer', [x], stringPool, { opset: 9 });
  assert.equal(y.type, 'float32');
  assert.deepEqual(y.dims, [2, 5]);
  // Row 0: a, b×2, c×2, "a b", "b c"×2 (skip 0 only: skip-1 pairs a_c, b_b, c_c are not in the pool).
  // Row 1: a×2, b, and "a b" with one skipped item (a z b).
  assert.deepEqual(Array.from(y.data), [1, 2, 2, 1, 2, 1, 0, 1, 2, 0]);
});

test('TfIdfVectorizer IDF and TFIDF weigh each n-gram by its pool position', async () => {
  const x = str(['a', 'b', 'c', 'b', 'c']);
  const weights = { floats: [1, 2, 3, 4, 5] }; // a, b, c, "a b", "b c"
  const [idf] = await runOp('TfIdfVectorizer', [x], { ...stringPool, mode: 'IDF', weights }, { opset: 9 });
  assert.deepEqual(Array.from(idf.data), [4, 3, 2, 1, 5]);
  const [tfidf] = await runOp('TfIdfVectorizer', [x], { ...stringPool, mode: 'TFIDF', weights }, { opset: 9 });
  assert.deepEqual(Array.from(tfidf.data), [4, 6, 4, 1, 10]);
  const [plain] = await runOp('TfIdfVectorizer', [x], { ...stringPool, mode: 'IDF' }, { opset: 9 });
  assert.deepEqual(Array.from(plain.data), [1, 1, 1, 1, 1]);
});

test('TfIdfVectorizer on int64 input counts only the gram lengths asked for', async () => {
  const attrs = { mode: 'TF', min_gram_length: 2, max_gram_length: 3, max_skip_count: 0, ngram_counts: [0, 2, 6], ngram_indexes: [0, 1, 2, 3, 4], pool_int64s: [7, 8, 7, 8, 8, 7, 7, 8, 9] };
  const x: OpInput = { type: 'int64', dims: [6], data: [7, 8, 7, 8, 9, 8] };
  const [y] = await runOp('TfIdfVectorizer', [x], attrs, { opset: 9 });
  // unigrams 7, 8 are out of range; bigram "7 8" twice, "8 7" once; trigram "7 8 9" once.
  assert.deepEqual(Array.from(y.data), [0, 0, 2, 1, 1]);
});

test('TfIdfVectorizer rejects a malformed pool, a pool of the wrong kind and a batch of zero rows', async () => {
  const bad = { ...stringPool, ngram_counts: [0, 2] }; // 5 items cannot be bigrams
  await assert.rejects(runOp('TfIdfVectorizer', [str(['a'])], bad, { opset: 9 }), /whole number/);
  await assert.rejects(runOp('TfIdfVectorizer', [str([], [0, 3])], stringPool, { opset: 9 }), /B > 0/);
  await assert.rejects(runOp('TfIdfVectorizer', [{ type: 'int32', dims: [1], data: [1] }], stringPool, { opset: 9 }), /needs "pool_int64s"/);
});
