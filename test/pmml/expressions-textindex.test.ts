import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PmmlCompileError, PmmlUnsupportedError } from '../../runtime/pmml/el.js';
import { countHits, levenshtein, tokenize } from '../../runtime/pmml/functions/text.js';
import { compiled, evaluate } from './expressions-helpers.js';

const TEXT = 'The quick brown fox jumps over the lazy dog. The dog sleeps.';
const fields = { text: 'string' as const, term: 'string' as const };

function tf(term: string, attrs = '', inner = '', text = TEXT): number | null {
  return evaluate(`<TextIndex textField="text"${attrs}>${inner}<Constant dataType="string">${term}</Constant></TextIndex>`, { text }, { fields }) as number | null;
}

test('term frequency: tokens, edge punctuation, case folding', () => {
  assert.equal(tf('the'), 3);
  assert.equal(tf('The', ' isCaseSensitive="true"'), 2);
  assert.equal(tf('dog'), 2); // "dog." counts: edge punctuation is trimmed
  assert.equal(tf('cat'), 0);
  assert.equal(tf('brown fox'), 1);
  assert.equal(tf('quick fox'), 0);
  assert.equal(tf('dog the'), 1); // across the sentence end
});

test('local term weights', () => {
  assert.equal(tf('the', ' localTermWeights="binary"'), 1);
  assert.equal(tf('cat', ' localTermWeights="binary"'), 0);
  assert.equal(tf('the', ' localTermWeights="logarithmic"'), Math.log10(4));
  // the most frequent token ("the") occurs 3 times
  assert.equal(tf('fox', ' localTermWeights="augmentedNormalizedTermFrequency"'), 0.5 * (1 + 1 / 3));
  assert.equal(tf('the', ' localTermWeights="augmentedNormalizedTermFrequency"'), 1);
  assert.equal(tf('cat', ' localTermWeights="augmentedNormalizedTermFrequency"'), 0);
});

test('Levenshtein distance and countHits', () => {
  const text = 'cat bat hat cat cart';
  assert.equal(tf('cat', '', '', text), 2);
  assert.equal(tf('cat', ' maxLevenshteinDistance="1"', '', text), 5);
  assert.equal(tf('cat', ' maxLevenshteinDistance="1" countHits="bestHits"', '', text), 2);
  assert.equal(tf('cats', ' maxLevenshteinDistance="1" countHits="bestHits"', '', text), 2); // cat, cat at distance 1 (cart is 2 away)
  assert.equal(levenshtein('kitten', 'sitting', 5), 3);
  assert.equal(levenshtein('kitten', 'sitting', 2), 3); // over the bound: bound + 1
  assert.equal(countHits(['a', 'b', 'a', 'b'], ['a', 'b'], 0, false), 2);
});

test('word separators and tokenize="false"', () => {
  assert.equal(tf('b', ' wordSeparatorCharacterRE="[,;]"', '', 'a,b;b,c b'), 2);
  assert.equal(tf('bc', ' tokenize="false"', '', 'abcabc'), 2);
  assert.equal(tf('BC', ' tokenize="false"', '', 'abcabc'), 2);
  assert.equal(tf('BC', ' tokenize="false" isCaseSensitive="true"', '', 'abcabc'), 0);
  assert.deepEqual(tokenize('"Hello," she said -- twice!', /\s+/gu, true), ['hello', 'she', 'said', 'twice']);
  assert.equal(tf('b', ' wordSeparatorCharacterRE="(\\s|,)+"', '', 'a, b ,b'), 2); // groups of the separator are not tokens
});

test('TextIndexNormalization: literal words, regexes, recursion', () => {
  const table = (rows: string, attrs = '') => `<TextIndexNormalization${attrs}><InlineTable>${rows}</InlineTable></TextIndexNormalization>`;
  const sleeps = table('<row><string>sleeps</string><stem>sleep</stem></row>');
  assert.equal(tf('sleep', '', sleeps), 1);
  const regex = table('<row><string>dog(s)?</string><stem>canine</stem><regex>true</regex></row>');
  assert.equal(tf('canine', '', regex), 2);
  // literal rows replace whole words only
  assert.equal(tf('x', '', table('<row><string>he</string><stem>x</stem></row>')), 0);
  // custom column names
  const custom = '<TextIndexNormalization inField="from" outField="to"><InlineTable><row><from>lazy</from><to>idle</to></row></InlineTable></TextIndexNormalization>';
  assert.equal(tf('idle', '', custom), 1);
  // recursive: a → b → c until nothing changes
  const chain = '<row><string>b</string><stem>c</stem></row><row><string>a</string><stem>b</stem></row>';
  assert.equal(tf('c', '', table(chain), 'a'), 0);
  assert.equal(tf('c', '', table(chain, ' recursive="true"'), 'a'), 1);
  assert.throws(() => tf('x', '', '<TextIndexNormalization><TableLocator/></TextIndexNormalization>'), (e: unknown) => e instanceof PmmlUnsupportedError && e.path === 'T/TextIndexNormalization/TableLocator');
});

test('missing text or term gives missing; dynamic terms', () => {
  const f = compiled('<TextIndex textField="text"><FieldRef field="term"/></TextIndex>', { fields });
  assert.equal(f({ text: TEXT, term: 'dog' }), 2);
  assert.equal(f({ text: TEXT, term: 'the' }), 3);
  assert.equal(f({ text: null, term: 'dog' }), null);
  assert.equal(f({ text: TEXT, term: null }), null);
});

test('TextIndex compile errors name the element', () => {
  assert.throws(() => evaluate('<TextIndex textField="text"/>', {}, { fields }), (e: unknown) => e instanceof PmmlCompileError && e.path === 'T');
  assert.throws(() => evaluate('<TextIndex textField="text" wordSeparatorCharacterRE="(["><Constant>a</Constant></TextIndex>', {}, { fields }), (e: unknown) => e instanceof PmmlCompileError && e.path === 'T');
  assert.throws(() => evaluate('<TextIndex textField="text" tokenize="false" maxLevenshteinDistance="1"><Constant>a</Constant></TextIndex>', {}, { fields }), PmmlUnsupportedError);
});

test('normalization tables in the style of the specification example (regex rows, then a second table)', () => {
  const text = 'Testing the app for a few days convinced me the interfaces are excellent!';
  const xml = `<TextIndex textField="text" localTermWeights="binary" isCaseSensitive="false" maxLevenshteinDistance="1">
    <TextIndexNormalization isCaseSensitive="false"><InlineTable>
      <row><string>interfaces?</string><stem>interface</stem><regex>true</regex></row>
      <row><string>is|are|seem(ed|s?)|were</string><stem>be</stem><regex>true</regex></row>
      <row><string>user friendl(y|iness)</string><stem>user_friendly</stem><regex>true</regex></row>
    </InlineTable></TextIndexNormalization>
    <TextIndexNormalization><InlineTable>
      <row><string>interface be (user_friendly|well designed|excellent)</string><stem>ui_good</stem><regex>true</regex></row>
    </InlineTable></TextIndexNormalization>
    <Constant dataType="string">ui_good</Constant>
  </TextIndex>`;
  assert.equal(evaluate(xml, { text }, { fields }), 1);
  assert.equal(evaluate(xml, { text: 'the interface is slow' }, { fields }), 0);
});

test('literal normalization rows with a Levenshtein bound match tokens', () => {
  const xml = (d: number) => `<TextIndex textField="text">
    <TextIndexNormalization maxLevenshteinDistance="${d}"><InlineTable>
      <row><string>user friendly</string><stem>ufriendly</stem></row>
    </InlineTable></TextIndexNormalization>
    <Constant dataType="string">ufriendly</Constant>
  </TextIndex>`;
  const text = 'So user friendly! Very usr friendly, and user-friendly (user frendly).';
  assert.equal(evaluate(xml(0), { text }, { fields }), 1);
  // usr (1 deletion) and frendly (1 deletion) are within 1; user-friendly is one token
  assert.equal(evaluate(xml(1), { text }, { fields }), 3);
  assert.equal(evaluate(xml(2), { text: 'usr frendly' }, { fields }), 1);
});
