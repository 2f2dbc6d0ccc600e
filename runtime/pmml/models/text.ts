// TextModel (PMML 4.4; deprecated since 4.2 in favour of TextIndex, still valid): a
// dictionary of terms (TextDictionary), a corpus of documents (TextCorpus) and the
// document-term matrix (DocumentTermMatrix: one row per document, one column per term,
// holding term frequencies f_ij). TextModelNormalization says how frequencies become
// weights, TextModelSimiliarity how documents are compared.
//
// Scoring: the model's active field holds a text. It is tokenised, each dictionary term
// is counted, the count vector is weighted like the corpus documents, and compared with
// every document. The predicted value is the id of the most similar document (largest
// cosine similarity, or smallest Euclidean distance; the first in document order on
// ties); entityId is that id, the display value the document's name, and `entities`
// ranks every document with its similarity (cosine) or distance (euclidean) as affinity.
// A text without any weighted dictionary term has no cosine similarity: no prediction.
//
// Weights for term i in document j (f = frequency, N documents, n_i = documents that
// contain term i, gf_i = Σ_j f_ij over the corpus), natural logarithms:
//   localTermWeights   termFrequency f · binary χ(f) · logarithmic log(1 + f) ·
//                      augmentedNormalizedTermFrequency (χ(f) + f / max_k f_kj) / 2
//   globalTermWeights  none 1 · inverseDocumentFrequency log(N / n_i) · GFIDF gf_i / n_i ·
//                      normal 1 / sqrt(Σ_j f_ij²) · probabilisticInverse log((N − n_i) / n_i)
//                      (a global weight that is not finite, e.g. for a term no document
//                      contains, is 0)
//   documentNormalization  none · cosine: the weighted vector divided by its length
// The global weights come from the corpus matrix and serve the new text too. Without a
// TextModelNormalization element the raw frequencies are compared; without a
// TextModelSimiliarity element, cosine similarity is used.
//
// Tokens: the text is split at white space, each piece loses leading and trailing
// characters that are neither letters nor digits, and case is ignored. A term of several
// words matches that sequence of tokens.

import { child, childPath, children, enumAttr, fail, intAttr, arrayEntries, numberArray, parseNumber, unsupported } from '../el.js';
import type { El, Env, ModelCompiler, ModelResult } from '../types.js';

type Local = 'termFrequency' | 'binary' | 'logarithmic' | 'augmentedNormalizedTermFrequency';
type Global = 'inverseDocumentFrequency' | 'none' | 'GFIDF' | 'normal' | 'probabilisticInverse';

/** Lower-cased tokens of a text. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const piece of text.toLowerCase().split(/\s+/u)) {
    const t = piece.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
    if (t !== '') out.push(t);
  }
  return out;
}

/** A Matrix element as a dense row-major array (nbRows × nbCols). */
export function readMatrix(m: El, path: string, rows: number, cols: number): Float64Array {
  const kind = m.a.kind ?? 'any';
  const out = new Float64Array(rows * cols);
  const diagDefault = m.a.diagDefault !== undefined ? parseNumber(m.a.diagDefault, path) : 0;
  const offDefault = m.a.offDiagDefault !== undefined ? parseNumber(m.a.offDiagDefault, path) : 0;
  const cells = children(m, 'MatCell');
  const arrays = m.c.filter((c) => c.n === 'Array' || c.n === 'REAL-SparseArray' || c.n === 'INT-SparseArray');
  if (cells.length > 0 || arrays.length === 0) {
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = r === c ? diagDefault : offDefault;
    for (const cell of cells) {
      const r = intAttr(cell, 'row', path);
      const c = intAttr(cell, 'col', path);
      if (r < 1 || r > rows || c < 1 || c > cols) fail(path, `MatCell row=${r} col=${c} is outside the ${rows}×${cols} matrix`);
      const v = parseNumber(cell.t ?? '', path, 'matrix cell');
      out[(r - 1) * cols + (c - 1)] = v;
      if (kind === 'symmetric') out[(c - 1) * cols + (r - 1)] = v;
    }
    return out;
  }
  if (kind === 'diagonal') {
    const d = numberArray(arrays[0], path);
    if (d.length !== Math.min(rows, cols)) fail(path, `the diagonal matrix has ${d.length} entries; ${Math.min(rows, cols)} expected`);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[r * cols + c] = r === c ? d[r] : offDefault;
    return out;
  }
  if (arrays.length !== rows) fail(path, `the matrix has ${arrays.length} rows; ${rows} expected`);
  arrays.forEach((a, r) => {
    const v = numberArray(a, path);
    if (kind === 'symmetric') {
      if (v.length !== r + 1) fail(path, `row ${r + 1} of the symmetric matrix has ${v.length} entries; ${r + 1} expected`);
      v.forEach((x, c) => {
        out[r * cols + c] = x;
        out[c * cols + r] = x;
      });
      return;
    }
    if (v.length !== cols) fail(path, `row ${r + 1} of the matrix has ${v.length} entries; ${cols} expected`);
    out.set(v, r * cols);
  });
  return out;
}

function localWeight(kind: Local, f: number, maxF: number): number {
  switch (kind) {
    case 'termFrequency': return f;
    case 'binary': return f > 0 ? 1 : 0;
    case 'logarithmic': return Math.log(1 + f);
    case 'augmentedNormalizedTermFrequency': return f > 0 && maxF > 0 ? (1 + f / maxF) / 2 : 0;
  }
}

export const textModel: ModelCompiler = {
  element: 'TextModel',
  compile(el, ctx) {
    const path = ctx.path;
    const nTerms = intAttr(el, 'numberOfTerms', path);
    const nDocs = intAttr(el, 'numberOfDocuments', path);

    const dict = child(el, 'TextDictionary') ?? fail(path, '<TextModel> needs <TextDictionary>');
    const dictPath = childPath(path, el, dict);
    const termArray = dict.c.find((c) => c.n === 'Array') ?? fail(dictPath, '<TextDictionary> needs an <Array> of terms');
    const terms = arrayEntries(termArray, dictPath);
    if (terms.length !== nTerms) fail(dictPath, `the dictionary has ${terms.length} terms; numberOfTerms="${nTerms}"`);

    const corpus = child(el, 'TextCorpus') ?? fail(path, '<TextModel> needs <TextCorpus>');
    const corpusPath = childPath(path, el, corpus);
    const docs = children(corpus, 'TextDocument').map((d) => ({ id: d.a.id ?? fail(corpusPath, '<TextDocument> needs an id'), name: d.a.name ?? null }));
    if (docs.length !== nDocs) fail(corpusPath, `the corpus has ${docs.length} documents; numberOfDocuments="${nDocs}"`);
    if (nDocs === 0) fail(corpusPath, 'the corpus has no documents');

    const dtm = child(el, 'DocumentTermMatrix') ?? fail(path, '<TextModel> needs <DocumentTermMatrix>');
    const dtmPath = childPath(path, el, dtm);
    const matrixEl = child(dtm, 'Matrix') ?? fail(dtmPath, '<DocumentTermMatrix> needs a <Matrix>');
    const matrixPath = childPath(dtmPath, dtm, matrixEl);
    if (matrixEl.a.nbRows !== undefined && Number(matrixEl.a.nbRows) !== nDocs) fail(matrixPath, `nbRows="${matrixEl.a.nbRows}" but there are ${nDocs} documents`);
    if (matrixEl.a.nbCols !== undefined && Number(matrixEl.a.nbCols) !== nTerms) fail(matrixPath, `nbCols="${matrixEl.a.nbCols}" but there are ${nTerms} terms`);
    const freq = readMatrix(matrixEl, matrixPath, nDocs, nTerms);

    const norm = child(el, 'TextModelNormalization');
    const normPath = norm ? childPath(path, el, norm) : path;
    const local: Local = norm ? enumAttr(norm, 'localTermWeights', ['termFrequency', 'binary', 'logarithmic', 'augmentedNormalizedTermFrequency'] as const, 'termFrequency', normPath) : 'termFrequency';
    const global: Global = norm ? enumAttr(norm, 'globalTermWeights', ['inverseDocumentFrequency', 'none', 'GFIDF', 'normal', 'probabilisticInverse'] as const, 'inverseDocumentFrequency', normPath) : 'none';
    const docNorm = norm ? enumAttr(norm, 'documentNormalization', ['none', 'cosine'] as const, 'none', normPath) : 'none';
    const sim = child(el, 'TextModelSimiliarity');
    const similarity = sim ? enumAttr(sim, 'similarityType', ['euclidean', 'cosine'] as const, 'cosine', childPath(path, el, sim)) : 'cosine';

    // Global weights from the corpus.
    const g = new Float64Array(nTerms);
    for (let i = 0; i < nTerms; i++) {
      let df = 0;
      let gf = 0;
      let sq = 0;
      for (let j = 0; j < nDocs; j++) {
        const f = freq[j * nTerms + i];
        if (f < 0) fail(matrixPath, `document ${docs[j].id} has a negative frequency for "${terms[i]}"`);
        if (f > 0) df++;
        gf += f;
        sq += f * f;
      }
      let w: number;
      switch (global) {
        case 'none': w = 1; break;
        case 'inverseDocumentFrequency': w = Math.log(nDocs / df); break;
        case 'GFIDF': w = gf / df; break;
        case 'normal': w = 1 / Math.sqrt(sq); break;
        case 'probabilisticInverse': w = Math.log((nDocs - df) / df); break;
      }
      g[i] = Number.isFinite(w) ? w : 0;
    }

    /** Weighted (and normalised) vector of a frequency row, written into out; returns its length. */
    const weigh = (f: Float64Array, fo: number, out: Float64Array, oo: number): number => {
      let maxF = 0;
      for (let i = 0; i < nTerms; i++) if (f[fo + i] > maxF) maxF = f[fo + i];
      let len2 = 0;
      for (let i = 0; i < nTerms; i++) {
        const w = localWeight(local, f[fo + i], maxF) * g[i];
        out[oo + i] = w;
        len2 += w * w;
      }
      let len = Math.sqrt(len2);
      if (docNorm === 'cosine' && len > 0) {
        for (let i = 0; i < nTerms; i++) out[oo + i] /= len;
        len = 1;
      }
      return len;
    };
    const docVec = new Float64Array(nDocs * nTerms);
    const docLen = new Float64Array(nDocs);
    for (let j = 0; j < nDocs; j++) docLen[j] = weigh(freq, j * nTerms, docVec, j * nTerms);

    // Terms as token sequences, indexed by their first token.
    const byFirst = new Map<string, { term: number; tokens: string[] }[]>();
    terms.forEach((t, i) => {
      const tokens = tokenize(t);
      if (tokens.length === 0) fail(dictPath, `the term ${JSON.stringify(t)} has no letters or digits`);
      const list = byFirst.get(tokens[0]) ?? [];
      list.push({ term: i, tokens });
      byFirst.set(tokens[0], list);
    });

    // The text input: the one active field.
    const active = ctx.activeFields.filter((f) => f.name !== ctx.target?.name);
    if (active.length !== 1) unsupported(path, `a TextModel reads one text field; the MiningSchema has ${active.length} active fields`);
    const text = ctx.scope.resolve(active[0].name, path);

    const counts = new Float64Array(nTerms);
    const vec = new Float64Array(nTerms);
    const score = new Float64Array(nDocs);
    return (env: Env): ModelResult => {
      const raw = text.get(env);
      if (raw === null) return { value: null };
      const tokens = tokenize(String(raw));
      counts.fill(0);
      for (let p = 0; p < tokens.length; p++) {
        const candidates = byFirst.get(tokens[p]);
        if (candidates === undefined) continue;
        for (const c of candidates) {
          let ok = p + c.tokens.length <= tokens.length;
          for (let k = 1; ok && k < c.tokens.length; k++) ok = tokens[p + k] === c.tokens[k];
          if (ok) counts[c.term]++;
        }
      }
      const len = weigh(counts, 0, vec, 0);
      // No dictionary term with weight: the cosine similarity is undefined for every document.
      if (similarity === 'cosine' && len === 0) return { value: null, warnings: ['the text contains no dictionary term'] };
      for (let j = 0; j < nDocs; j++) {
        let s = 0;
        if (similarity === 'cosine') {
          for (let i = 0; i < nTerms; i++) s += vec[i] * docVec[j * nTerms + i];
          s = len > 0 && docLen[j] > 0 ? s / (len * docLen[j]) : 0;
        } else {
          for (let i = 0; i < nTerms; i++) {
            const d = vec[i] - docVec[j * nTerms + i];
            s += d * d;
          }
          s = Math.sqrt(s);
        }
        score[j] = s;
      }
      let best = 0;
      for (let j = 1; j < nDocs; j++) {
        if (similarity === 'cosine' ? score[j] > score[best] : score[j] < score[best]) best = j;
      }
      const entities = docs.map((d, j) => ({ id: d.id, affinity: score[j] }));
      entities.sort((a, b) => (similarity === 'cosine' ? b.affinity - a.affinity : a.affinity - b.affinity));
      return { value: docs[best].id, entityId: docs[best].id, displayValue: docs[best].name ?? docs[best].id, entities };
    };
  },
};
