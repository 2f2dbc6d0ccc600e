// TextIndex kernels: text normalization (TextIndexNormalization tables),
// tokenization, term counting with a Levenshtein bound, and the local term
// weights.
//
// The algorithm (PMML 4.4 Transformations, TextIndex):
//   1. normalize the text: each TextIndexNormalization in order replaces, row by
//      row, the inField value by the outField value — a regular expression when the
//      row's regexField is true (matched exactly); otherwise literal text, as whole
//      words when tokenizing (between separators, punctuation or the ends of the
//      text; with the table's maxLevenshteinDistance > 0, runs of tokens within that
//      distance), else any occurrence; `recursive` repeats a table until the text no
//      longer changes;
//   2. split text and term into tokens at wordSeparatorCharacterRE and trim each
//      token's leading and trailing punctuation (empty tokens are dropped);
//   3. count the positions where the term's tokens match consecutive text tokens,
//      case-folded unless isCaseSensitive, the sum of the tokens' Levenshtein
//      distances being at most maxLevenshteinDistance; bestHits counts only the
//      hits at the smallest distance found;
//   4. weigh the count: termFrequency (the count), binary (1 when > 0),
//      logarithmic (log10(1 + count)), augmentedNormalizedTermFrequency
//      (0.5 · (binary + count / the highest frequency of any token in the text)).

import { compileRegex, parseReplacement, replaceAll, translateRegex, type CompiledRegex, type Replacement } from './regex.js';

export type LocalTermWeights = 'termFrequency' | 'binary' | 'logarithmic' | 'augmentedNormalizedTermFrequency';

/** One replacement step of a normalization table (a row): text in, text out. */
export type NormalizationStep = (text: string) => string;

export interface Normalization {
  readonly steps: readonly NormalizationStep[];
  readonly recursive: boolean;
}

/** Limit on the passes of a recursive normalization (a table that never settles stops here). */
const MAX_PASSES = 100;

function escapeLiteral(s: string): string {
  return s.replace(/[\\^$.*+?()[\]{}|/-]/g, (c) => `\\${c}`);
}

/**
 * A replacement step: `inValue` as a regex (regex rows), or as literal text — when
 * `wordSeparator` is given the literal must stand between separators, punctuation or the
 * ends of the text, and with `maxDistance` > 0 it matches tokens within that Levenshtein
 * distance (summed over its tokens). Regex rows match exactly (no distance applies).
 */
export function normalizationStep(inValue: string, outValue: string, regex: boolean, caseSensitive: boolean, wordSeparator: string | null, maxDistance = 0): NormalizationStep {
  if (regex) {
    const re = compileRegex((caseSensitive ? '' : '(?i)') + inValue);
    const rep = parseReplacement(outValue, re);
    return (text) => replaceAll(text, re, rep);
  }
  if (wordSeparator !== null && maxDistance > 0) return fuzzyStep(inValue, outValue, caseSensitive, wordSeparator, maxDistance);
  // Literal: build the JavaScript pattern directly (the separator is a document regex: translate it).
  let source = escapeLiteral(inValue);
  if (wordSeparator !== null) {
    const sep = translateRegex(wordSeparator).source;
    source = `(?<=^|${sep}|[\\p{P}\\p{S}])${source}(?=${sep}|[\\p{P}\\p{S}]|$)`;
  }
  const flags = caseSensitive ? 'u' : 'iu';
  const re: CompiledRegex = { test: new RegExp(source, flags), global: new RegExp(source, `${flags}g`), groups: 0, names: new Set() };
  const rep: Replacement = [outValue];
  return (text) => replaceAll(text, re, rep);
}

const LEADING_PUNCTUATION = /^[\p{P}\p{S}]+/u;
const TRAILING_PUNCTUATION = /[\p{P}\p{S}]+$/u;

interface Span {
  /** The token without its edge punctuation, case-folded when matching ignores case. */
  readonly core: string;
  readonly start: number;
  readonly end: number;
}

/** Literal rows with a Levenshtein bound: replaces runs of tokens close to the row's tokens, keeping separators and edge punctuation. */
function fuzzyStep(inValue: string, outValue: string, caseSensitive: boolean, wordSeparator: string, maxDistance: number): NormalizationStep {
  const t = translateRegex(wordSeparator);
  const sep = new RegExp(t.source, `${t.flags}g`);
  const fold = !caseSensitive;
  const want = tokenize(inValue, sep, fold);
  const k = want.length;
  if (k === 0) return (text) => text;
  return (text) => {
    const spans: Span[] = [];
    const push = (a: number, b: number): void => {
      if (b <= a) return;
      const raw = text.slice(a, b);
      const lead = LEADING_PUNCTUATION.exec(raw)?.[0].length ?? 0;
      if (lead === raw.length) return;
      const trail = TRAILING_PUNCTUATION.exec(raw)?.[0].length ?? 0;
      const core = raw.slice(lead, raw.length - trail);
      spans.push({ core: fold ? core.toLowerCase() : core, start: a + lead, end: b - trail });
    };
    let last = 0;
    sep.lastIndex = 0;
    for (let m = sep.exec(text); m !== null; m = sep.exec(text)) {
      push(last, m.index);
      last = m.index + m[0].length;
      if (m[0].length === 0) sep.lastIndex++;
    }
    push(last, text.length);
    let out = '';
    let pos = 0;
    let i = 0;
    while (i + k <= spans.length) {
      let d = 0;
      for (let j = 0; j < k && d <= maxDistance; j++) d += levenshtein(spans[i + j].core, want[j], maxDistance - d);
      if (d <= maxDistance) {
        out += text.slice(pos, spans[i].start) + outValue;
        pos = spans[i + k - 1].end;
        i += k;
      } else i++;
    }
    return pos === 0 ? text : out + text.slice(pos);
  };
}

export function normalize(text: string, norms: readonly Normalization[]): string {
  let s = text;
  for (const n of norms) {
    let passes = 0;
    for (;;) {
      const before = s;
      for (const step of n.steps) s = step(s);
      if (!n.recursive || s === before || ++passes >= MAX_PASSES) break;
    }
  }
  return s;
}

const EDGE_PUNCTUATION = /^[\p{P}\p{S}]+|[\p{P}\p{S}]+$/gu;

function pushToken(out: string[], raw: string, fold: boolean): void {
  if (raw === '') return;
  const t = raw.replace(EDGE_PUNCTUATION, '');
  if (t !== '') out.push(fold ? t.toLowerCase() : t);
}

/**
 * Splits at the separator (a global RegExp; its groups play no part) and trims edge
 * punctuation; empty tokens are dropped.
 */
export function tokenize(text: string, separator: RegExp, fold: boolean): string[] {
  const out: string[] = [];
  let last = 0;
  separator.lastIndex = 0;
  for (let m = separator.exec(text); m !== null; m = separator.exec(text)) {
    if (m[0].length === 0) {
      separator.lastIndex++;
      if (separator.lastIndex > text.length) break;
      continue;
    }
    pushToken(out, text.slice(last, m.index), fold);
    last = m.index + m[0].length;
  }
  pushToken(out, text.slice(last), fold);
  return out;
}

let rowA = new Int32Array(64);
let rowB = new Int32Array(64);

/** Levenshtein distance of a and b, or bound + 1 when it exceeds `bound`. */
export function levenshtein(a: string, b: string, bound: number): number {
  if (a === b) return 0;
  if (bound <= 0) return 1;
  const n = a.length;
  const m = b.length;
  if (Math.abs(n - m) > bound) return bound + 1;
  if (n === 0) return m;
  if (m === 0) return n;
  if (rowA.length <= m) {
    rowA = new Int32Array(m * 2 + 1);
    rowB = new Int32Array(m * 2 + 1);
  }
  let prev = rowA;
  let cur = rowB;
  for (let j = 0; j <= m; j++) prev[j] = j;
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= m; j++) {
      const cost = ca === b.charCodeAt(j - 1) ? 0 : 1;
      let v = prev[j - 1] + cost;
      const del = prev[j] + 1;
      const ins = cur[j - 1] + 1;
      if (del < v) v = del;
      if (ins < v) v = ins;
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > bound) return bound + 1;
    const t = prev;
    prev = cur;
    cur = t;
  }
  return prev[m] <= bound ? prev[m] : bound + 1;
}

/** Hits of the term's tokens in the text's tokens (all, or only the best as countHits says). */
export function countHits(text: readonly string[], term: readonly string[], maxDistance: number, bestOnly: boolean): number {
  const k = term.length;
  if (k === 0) return 0;
  let count = 0;
  let best = Infinity;
  for (let i = 0; i + k <= text.length; i++) {
    let d = 0;
    for (let j = 0; j < k && d <= maxDistance; j++) d += levenshtein(text[i + j], term[j], maxDistance - d);
    if (d > maxDistance) continue;
    if (!bestOnly) count++;
    else if (d < best) {
      best = d;
      count = 1;
    } else if (d === best) count++;
  }
  return count;
}

/** Occurrences of `term` in `text` without tokenizing (non-overlapping, left to right). */
export function countSubstrings(text: string, term: string): number {
  if (term === '') return 0;
  let count = 0;
  let at = text.indexOf(term);
  while (at >= 0) {
    count++;
    at = text.indexOf(term, at + term.length);
  }
  return count;
}

/** The highest frequency of any token. */
export function maxTokenFrequency(tokens: readonly string[]): number {
  const freq = new Map<string, number>();
  let max = 0;
  for (const t of tokens) {
    const f = (freq.get(t) ?? 0) + 1;
    freq.set(t, f);
    if (f > max) max = f;
  }
  return max;
}

export function termWeight(kind: LocalTermWeights, count: number, maxFrequency: () => number): number {
  switch (kind) {
    case 'termFrequency': return count;
    case 'binary': return count > 0 ? 1 : 0;
    case 'logarithmic': return Math.log10(1 + count);
    default: {
      if (count === 0) return 0;
      const max = maxFrequency();
      return 0.5 * (1 + count / max);
    }
  }
}
