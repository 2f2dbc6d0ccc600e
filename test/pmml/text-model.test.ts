// TextModel: tokenising, term counts, weights and the nearest corpus document,
// values by hand from the weighting formulas (see text.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePmmlXml } from '../../src/frontends/pmml/xml.js';
import { compileDocument } from '../../runtime/pmml/document.js';
import { PmmlCompileError } from '../../runtime/pmml/el.js';
import { MODEL_REGISTRY } from '../../runtime/pmml/models/registry.js';
import { readMatrix, tokenize } from '../../runtime/pmml/models/text.js';

const compilers = MODEL_REGISTRY.map((m) => m.compiler);

function compile(xml: string) {
  return compileDocument(decodePmmlXml(new TextEncoder().encode(xml)).root, compilers);
}

function near(actual: unknown, expected: number, tol = 1e-12): void {
  assert.equal(typeof actual, 'number', `expected a number, got ${String(actual)}`);
  assert.ok(Math.abs((actual as number) - expected) <= tol * Math.max(1, Math.abs(expected)), `${String(actual)} ≠ ${expected}`);
}

function doc(terms: string[], matrix: number[][], extra: string, opts: { nTerms?: number } = {}): string {
  const docs = matrix.map((_, j) => `<TextDocument id="doc${j + 1}" name="Document ${j + 1}"/>`).join('');
  return `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary><DataField name="txt" optype="categorical" dataType="string"/></DataDictionary>
  <TextModel functionName="classification" numberOfTerms="${opts.nTerms ?? terms.length}" numberOfDocuments="${matrix.length}">
    <MiningSchema><MiningField name="txt"/></MiningSchema>
    <Output>
      <OutputField name="doc" optype="categorical" dataType="string" feature="predictedValue"/>
      <OutputField name="name" optype="categorical" dataType="string" feature="predictedDisplayValue"/>
      <OutputField name="sim" optype="continuous" dataType="double" feature="affinity"/>
      <OutputField name="second" optype="categorical" dataType="string" feature="entityId" rank="2"/>
    </Output>
    <TextDictionary><Array n="${terms.length}" type="string">${terms.map((t) => `"${t}"`).join(' ')}</Array></TextDictionary>
    <TextCorpus>${docs}</TextCorpus>
    <DocumentTermMatrix><Matrix>${matrix.map((r) => `<Array type="int">${r.join(' ')}</Array>`).join('')}</Matrix></DocumentTermMatrix>
    ${extra}
  </TextModel>
</PMML>`;
}

test('tokenize: lower case, white space, punctuation at the ends of words', () => {
  assert.deepEqual(tokenize('  Hello, WORLD!  (state-of-the-art) ... x'), ['hello', 'world', 'state-of-the-art', 'x']);
  assert.deepEqual(tokenize(''), []);
});

test('raw frequencies, cosine similarity: the most similar document wins', () => {
  const d = compile(doc(['alpha', 'beta', 'gamma delta'], [[2, 0, 0], [1, 1, 0], [0, 0, 3]], ''));
  const r = d.score({ txt: 'Alpha beta. BETA!' }); // counts (1, 2, 0)
  assert.equal(r.doc, 'doc2');
  assert.equal(r.name, 'Document 2');
  near(r.sim, 3 / (Math.sqrt(5) * Math.sqrt(2)));
  assert.equal(r.second, 'doc1'); // cos = 1/sqrt(5) > 0
  const g = d.score({ txt: 'gamma delta gamma delta gamma' }); // the two-word term twice
  assert.equal(g.doc, 'doc3');
  near(g.sim, 1);
  assert.equal(d.score({ txt: 'nothing' }).doc, null);
  assert.equal(d.score({ txt: null }).doc, null);
});

test('tf-idf with cosine normalisation and Euclidean distance', () => {
  const extra = '<TextModelNormalization localTermWeights="binary" globalTermWeights="inverseDocumentFrequency" documentNormalization="cosine"/><TextModelSimiliarity similarityType="euclidean"/>';
  const d = compile(doc(['a', 'b', 'c'], [[1, 1, 0], [0, 1, 1], [3, 0, 0]], extra));
  // idf: a ln(3/2), b ln(3/2), c ln 3. doc1 (w, w, 0)/|.| = (1, 1, 0)/√2, doc2 (0, w, v)/|.|, doc3 (1, 0, 0)
  const r = d.score({ txt: 'a a a' }); // binary (1, 0, 0) → normalised (1, 0, 0)
  assert.equal(r.doc, 'doc3');
  near(r.sim, 0);
  const s = d.score({ txt: 'a b' }); // (1, 1, 0)/√2 equals doc1
  assert.equal(s.doc, 'doc1');
  near(s.sim, 0, 1e-15);
});

test('Matrix forms: rows, MatCell with defaults, diagonal, symmetric', () => {
  const el = (xml: string) => decodePmmlXml(new TextEncoder().encode(`<PMML>${xml}</PMML>`)).root.c[0];
  assert.deepEqual([...readMatrix(el('<Matrix><Array>1 2</Array><Array>3 4</Array></Matrix>'), 'm', 2, 2)], [1, 2, 3, 4]);
  assert.deepEqual([...readMatrix(el('<Matrix diagDefault="1"><MatCell row="1" col="2">5</MatCell></Matrix>'), 'm', 2, 2)], [1, 5, 0, 1]);
  assert.deepEqual([...readMatrix(el('<Matrix kind="diagonal"><Array>7 8</Array></Matrix>'), 'm', 2, 2)], [7, 0, 0, 8]);
  assert.deepEqual([...readMatrix(el('<Matrix kind="symmetric"><Array>1</Array><Array>2 3</Array></Matrix>'), 'm', 2, 2)], [1, 2, 2, 3]);
  assert.throws(() => readMatrix(el('<Matrix><Array>1 2</Array></Matrix>'), 'm', 2, 2), PmmlCompileError);
});

test('inconsistent counts are compile errors naming the element', () => {
  assert.throws(() => compile(doc(['a', 'b'], [[1, 0]], '', { nTerms: 3 })), (e: unknown) => e instanceof PmmlCompileError && /numberOfTerms/.test(e.message) && e.path.endsWith('TextDictionary'));
  assert.throws(() => compile(doc(['a', 'b'], [[1, 0, 0]], '')), (e: unknown) => e instanceof PmmlCompileError && /row 1/.test(e.message));
});
