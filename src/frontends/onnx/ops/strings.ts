// String ops of opset 20 (StringConcat, StringSplit, RegexFullMatch) and
// TfIdfVectorizer. Kernels: runtime/tensor/string-ops.ts.
// (StringNormalizer is registered in sequence.ts.)
//
// RegexFullMatch patterns use RE2 syntax; `translateRe2` below rewrites them into
// JavaScript RegExp source at compile time, so the kernel only runs a RegExp.

import * as strings from '../../../../runtime/tensor/string-ops.js';
import type { DType } from '../../../../runtime/tensor/tensor.js';
import { fail } from '../../../diagnostics/diagnostic.js';
import type { Dim } from '../../../ir/types.js';
import type { AttrReader } from '../attrs.js';
import { kernelsOf, type AnyOpDef, type AttrContext } from './types.js';

const k = kernelsOf('tensor/string-ops', strings);

type Shapes = readonly (readonly Dim[] | null)[];
const TFIDF_INPUTS: readonly DType[] = ['string', 'int32', 'int64'];

export const OPS: readonly AnyOpDef[] = [
  { op: 'StringConcat', since: 20, kernel: k('stringConcat'), inputs: ['string', 'string'], outputs: ['string'],
    shapes: ([a, b]) => [broadcastDims(a, b)] },
  { op: 'StringSplit', since: 20, kernel: k('stringSplit'), inputs: ['string'], outputs: ['string', 'int64'],
    attrs: stringSplitAttrs, shapes: ([x]) => [x ? [...x, null] : null, x] },
  { op: 'RegexFullMatch', since: 20, kernel: k('regexFullMatch'), inputs: ['string'], outputs: ['bool'],
    attrs: regexAttrs, shapes: ([x]) => [x] },
  { op: 'TfIdfVectorizer', since: 9, kernel: k('tfIdfVectorizer'), constraints: { T: TFIDF_INPUTS }, inputs: ['T'], outputs: ['float32'],
    attrs: tfIdfAttrs, shapes: tfIdfShapes },
];

function stringSplitAttrs(a: AttrReader): strings.StringSplitAttrs {
  const maxsplit = a.has('maxsplit') ? a.int('maxsplit') : -1;
  return { delimiter: a.string('delimiter', ''), maxsplit: maxsplit < 0 ? -1 : maxsplit };
}

function regexAttrs(a: AttrReader): strings.RegexFullMatchAttrs {
  const pattern = a.string('pattern');
  const { body, ignoreCase } = translateRe2(pattern);
  // Full match: anchored at the very start and end of the text whatever the (?m) flag.
  const source = `(?<![\\s\\S])(?:${body})(?![\\s\\S])`;
  const flags = ignoreCase ? 'iu' : 'u';
  try {
    new RegExp(source, flags);
  } catch (e) {
    fail('MLC2003', `attribute "pattern" ${JSON.stringify(pattern)} is not a valid regular expression: ${(e as Error).message}`);
  }
  return { source, flags };
}

function tfIdfAttrs(a: AttrReader, ctx: AttrContext): strings.TfIdfAttrs {
  const mode = a.string('mode');
  if (mode !== 'TF' && mode !== 'IDF' && mode !== 'TFIDF') fail('MLC2003', `attribute "mode" must be TF, IDF or TFIDF, got ${JSON.stringify(mode)}`);
  const minGramLength = a.int('min_gram_length');
  const maxGramLength = a.int('max_gram_length');
  const maxSkipCount = a.int('max_skip_count');
  if (minGramLength < 1 || maxGramLength < minGramLength) {
    fail('MLC2003', `gram lengths must satisfy 1 <= min_gram_length <= max_gram_length, got ${minGramLength} and ${maxGramLength}`);
  }
  if (maxSkipCount < 0) fail('MLC2003', `attribute "max_skip_count" must be >= 0, got ${maxSkipCount}`);
  const ngramCounts = a.ints('ngram_counts');
  const ngramIndexes = a.ints('ngram_indexes');
  const poolStrings = a.strings('pool_strings', []);
  const poolInts = a.ints('pool_int64s', []);
  if ((poolStrings.length > 0) === (poolInts.length > 0)) fail('MLC2003', 'exactly one of "pool_strings" and "pool_int64s" must be given');
  const input = ctx.inputTypes[0];
  if (input !== undefined && input.kind === 'tensor' && (input.dtype === 'string') !== (poolStrings.length > 0)) {
    fail('MLC2003', `a ${input.dtype} input needs ${input.dtype === 'string' ? '"pool_strings"' : '"pool_int64s"'}`);
  }
  const grams = countNgrams(ngramCounts, poolStrings.length + poolInts.length);
  if (ngramIndexes.length < grams || ngramIndexes.some((v) => v < 0)) {
    fail('MLC2003', `attribute "ngram_indexes" must give a non-negative output index for each of the pool's ${grams} n-grams`);
  }
  const weights = a.floats('weights', []);
  if (weights.length > 0 && weights.length !== ngramIndexes.length) {
    fail('MLC2003', `attribute "weights" must have one value per n-gram (${ngramIndexes.length}), got ${weights.length}`);
  }
  return { mode, minGramLength, maxGramLength, maxSkipCount, ngramCounts, ngramIndexes, poolStrings, poolInts, weights };
}

/** The number of n-grams in the pool; ngram_counts[i] is where the (i+1)-grams start. */
function countNgrams(ngramCounts: readonly number[], poolSize: number): number {
  let total = 0;
  for (let i = 0; i < ngramCounts.length; i++) {
    const start = ngramCounts[i], end = i + 1 < ngramCounts.length ? ngramCounts[i + 1] : poolSize;
    if (start < 0 || end > poolSize || end < start) fail('MLC2003', 'attribute "ngram_counts" must hold non-decreasing pool offsets');
    if ((end - start) % (i + 1) !== 0) fail('MLC2003', `the pool's ${i + 1}-grams (${end - start} items) are not a whole number of ${i + 1}-grams`);
    total += (end - start) / (i + 1);
  }
  return total;
}

function tfIdfShapes([x]: Shapes, attrs: strings.TfIdfAttrs): Shapes {
  const n = strings.tfIdfOutputSize(attrs.ngramIndexes);
  if (x === null) return [null];
  return [x.length === 2 ? [x[0], n] : [n]];
}

/** Static broadcast of two shapes; unknown dimensions stay unknown. */
function broadcastDims(a: readonly Dim[] | null, b: readonly Dim[] | null): Dim[] | null {
  if (a === null || b === null) return null;
  const r = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < r; i++) {
    const x = i < r - a.length ? 1 : a[i - (r - a.length)];
    const y = i < r - b.length ? 1 : b[i - (r - b.length)];
    out.push(x === 1 ? y : y === 1 ? x : x === y ? x : null);
  }
  return out;
}

// ---------------------------------------------------------------------------
// RE2 → JavaScript RegExp translation
//
// The output is compiled with the `u` flag (RE2 works on code points). Where the
// two dialects differ the translation makes JavaScript follow RE2:
//   - `.` never matches \n only (JS `.` also refuses \r, U+2028, U+2029); (?s) lets it match all;
//   - `^`/`$` are text anchors, or line anchors under (?m), emitted as lookarounds so
//     flags can change inside groups; `\A` and `\z` are text anchors;
//   - `\s` is RE2's ASCII [\t\n\f\r ] (JS `\s` is Unicode and includes \v);
//   - (?U) swaps greedy and lazy quantifiers; (?flags) and (?flags:re) are scoped;
//   - `(?P<name>re)`, `\Q...\E`, `\x{hhhh}`, octal `\123`, `\a`, `\pN`, `\p{Greek}`,
//     POSIX `[[:alpha:]]`, escaped punctuation anywhere, and a `{` that starts no
//     repetition (a literal in RE2) are rewritten.
// Constructs RE2 rejects (lookaround, backreferences, `\C`, unknown escapes) fail.
// Case-insensitivity can only be the JS flag, so (?i) must cover the whole pattern.

interface ReFlags { i: boolean; m: boolean; s: boolean; U: boolean }

const RE_SYNTAX = new Set('^$\\.*+?()[]{}|/');
const CLASS_SPECIAL = new Set('\\]^-[');
const HEX = /^[0-9A-Fa-f]$/;

/** ASCII ranges of RE2's POSIX classes ([[:name:]]) and of `\s`. */
const POSIX: Readonly<Record<string, readonly (readonly [number, number])[]>> = {
  alnum: [[0x30, 0x39], [0x41, 0x5a], [0x61, 0x7a]], alpha: [[0x41, 0x5a], [0x61, 0x7a]], ascii: [[0, 0x7f]],
  blank: [[9, 9], [0x20, 0x20]], cntrl: [[0, 0x1f], [0x7f, 0x7f]], digit: [[0x30, 0x39]], graph: [[0x21, 0x7e]],
  lower: [[0x61, 0x7a]], print: [[0x20, 0x7e]], punct: [[0x21, 0x2f], [0x3a, 0x40], [0x5b, 0x60], [0x7b, 0x7e]],
  space: [[9, 13], [0x20, 0x20]], upper: [[0x41, 0x5a]], word: [[0x30, 0x39], [0x41, 0x5a], [0x5f, 0x5f], [0x61, 0x7a]],
  xdigit: [[0x30, 0x39], [0x41, 0x46], [0x61, 0x66]],
};
const RE2_SPACE: readonly (readonly [number, number])[] = [[9, 10], [12, 13], [0x20, 0x20]];

function unsupported(pattern: string, what: string): never {
  return fail('MLC3005', `RegexFullMatch pattern ${JSON.stringify(pattern)}: ${what}`);
}
function invalid(pattern: string, what: string): never {
  return fail('MLC2003', `attribute "pattern" ${JSON.stringify(pattern)} is not valid RE2 syntax: ${what}`);
}

/** Translates an RE2 pattern; `ignoreCase` tells whether it must run with the `i` flag. */
export function translateRe2(pattern: string): { body: string; ignoreCase: boolean } {
  return new Re2Translator(pattern).run();
}

class Re2Translator {
  private readonly cp: string[];
  private pos = 0;
  private flags: ReFlags = { i: false, m: false, s: false, U: false };
  private readonly saved: ReFlags[] = [];
  /** The (?i) state of every case-sensitive atom emitted. */
  private readonly caseStates = new Set<boolean>();

  constructor(private readonly pattern: string) {
    this.cp = Array.from(pattern);
  }

  run(): { body: string; ignoreCase: boolean } {
    let out = '';
    while (this.pos < this.cp.length) out += this.next();
    if (this.saved.length > 0) invalid(this.pattern, 'missing )');
    if (this.caseStates.size > 1) unsupported(this.pattern, '(?i) must apply to the whole pattern');
    return { body: out, ignoreCase: this.caseStates.has(true) };
  }

  private peek(ahead = 0): string | undefined {
    return this.cp[this.pos + ahead];
  }

  /** Translates the construct starting at `pos` and advances past it. */
  private next(): string {
    const c = this.cp[this.pos++];
    switch (c) {
      case '\\': return this.escape();
      case '[': return this.charClass();
      case '(': return this.openGroup();
      case ')':
        if (this.saved.length === 0) invalid(this.pattern, 'unexpected )');
        this.flags = this.saved.pop() as ReFlags;
        return ')';
      case '.': return this.flags.s ? '[\\s\\S]' : '[^\\n]';
      case '^': return this.flags.m ? '(?<![^\\n])' : '(?<![\\s\\S])';
      case '$': return this.flags.m ? '(?![^\\n])' : '(?![\\s\\S])';
      case '*': case '+': case '?': return c + this.lazySuffix();
      case '{': {
        const rep = this.repetition();
        return rep !== null ? rep + this.lazySuffix() : this.literal('{');
      }
      case '|': return '|';
      default: return this.literal(c);
    }
  }

  /** A literal code point outside a class. */
  private literal(c: string): string {
    if (c.toLowerCase() !== c.toUpperCase()) this.caseStates.add(this.flags.i);
    return RE_SYNTAX.has(c) ? '\\' + c : c;
  }

  /** `?` after a quantifier makes it lazy; (?U) inverts the meaning. */
  private lazySuffix(): string {
    let lazy = false;
    if (this.peek() === '?') { lazy = true; this.pos++; }
    if (this.flags.U) lazy = !lazy;
    return lazy ? '?' : '';
  }

  /** `{n}`, `{n,}` or `{n,m}` at pos (just after `{`), or null when `{` is a literal. */
  private repetition(): string | null {
    let end = this.pos;
    while (end < this.cp.length && this.cp[end] !== '}') end++;
    if (end >= this.cp.length) return null;
    const inner = this.cp.slice(this.pos, end).join('');
    const m = /^(\d+)(,(\d*))?$/.exec(inner);
    if (m === null) return null;
    if (m[3] !== undefined && m[3] !== '' && Number(m[3]) < Number(m[1])) invalid(this.pattern, `bad repetition {${inner}}`);
    this.pos = end + 1;
    return `{${inner}}`;
  }

  private openGroup(): string {
    if (this.peek() !== '?') {
      this.saved.push({ ...this.flags });
      return '(';
    }
    this.pos++;
    const c = this.peek();
    if (c === 'P' && this.peek(1) === '=') invalid(this.pattern, 'backreferences are not supported');
    if ((c === 'P' && this.peek(1) === '<') || (c === '<' && this.peek(1) !== '=' && this.peek(1) !== '!')) {
      this.pos += c === 'P' ? 2 : 1;
      let name = '';
      while (this.pos < this.cp.length && this.cp[this.pos] !== '>') name += this.cp[this.pos++];
      if (this.pos >= this.cp.length || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) invalid(this.pattern, `bad group name ${JSON.stringify(name)}`);
      this.pos++;
      this.saved.push({ ...this.flags });
      return `(?<${name}>`;
    }
    if (c === '=' || c === '!' || c === '<') invalid(this.pattern, 'lookaround assertions are not supported');
    return this.flagGroup();
  }

  /** `(?flags)` changes the flags until the enclosing group closes; `(?flags:re)` only inside. */
  private flagGroup(): string {
    const next = { ...this.flags };
    let negate = false, any = false;
    for (;;) {
      const c = this.cp[this.pos++];
      if (c === undefined) return invalid(this.pattern, 'missing )');
      if (c === ':' || c === ')') {
        if (negate && !any) invalid(this.pattern, 'bad flag group');
        if (c === ')') { this.flags = next; return ''; }
        this.saved.push(this.flags);
        this.flags = next;
        return '(?:';
      }
      if (c === '-') {
        if (negate) invalid(this.pattern, 'bad flag group');
        negate = true; any = false;
        continue;
      }
      if (c !== 'i' && c !== 'm' && c !== 's' && c !== 'U') invalid(this.pattern, `unknown flag ${JSON.stringify(c)}`);
      next[c] = !negate;
      any = true;
    }
  }

  /** An escape outside a class (pos is just after the backslash). */
  private escape(): string {
    const c = this.cp[this.pos++];
    if (c === undefined) return invalid(this.pattern, 'trailing backslash');
    switch (c) {
      case 'd': case 'D': case 'w': case 'W': case 'b': case 'B': return '\\' + c;
      case 's': return '[\\t\\n\\f\\r ]';
      case 'S': return '[^\\t\\n\\f\\r ]';
      case 'A': return '(?<![\\s\\S])';
      case 'z': return '(?![\\s\\S])';
      case 'p': case 'P': return this.unicodeClass(c === 'P');
      case 'Q': return this.quoted();
      case 'E': return '';
      case 'C': return unsupported(this.pattern, '\\C (any byte) is not supported');
      default: {
        const cp = this.escapedCodePoint(c);
        return this.literal(String.fromCodePoint(cp));
      }
    }
  }

  /** `\Q...\E`: everything up to `\E` (or the end) is literal. */
  private quoted(): string {
    let out = '';
    while (this.pos < this.cp.length) {
      if (this.cp[this.pos] === '\\' && this.peek(1) === 'E') { this.pos += 2; break; }
      out += this.literal(this.cp[this.pos++]);
    }
    return out;
  }

  /** The code point of a single-character escape `\c` (pos is just after c). */
  private escapedCodePoint(c: string): number {
    switch (c) {
      case 'a': return 7;
      case 'f': return 12;
      case 'n': return 10;
      case 'r': return 13;
      case 't': return 9;
      case 'v': return 11;
      case 'x': return this.hexEscape();
    }
    if (c >= '0' && c <= '7') return this.octalEscape(c);
    if (c.length === 1 && c < '\x80' && !/[0-9A-Za-z]/.test(c)) return c.charCodeAt(0); // escaped punctuation
    return invalid(this.pattern, `invalid escape \\${c}`);
  }

  /** `\xhh` or `\x{h...}`. */
  private hexEscape(): number {
    let digits = '';
    if (this.peek() === '{') {
      this.pos++;
      while (this.pos < this.cp.length && this.cp[this.pos] !== '}') digits += this.cp[this.pos++];
      this.pos++;
      if (digits.length === 0 || digits.length > 8 || ![...digits].every((d) => HEX.test(d))) invalid(this.pattern, 'bad \\x{...} escape');
    } else {
      digits = (this.peek() ?? '') + (this.peek(1) ?? '');
      if (digits.length !== 2 || ![...digits].every((d) => HEX.test(d))) invalid(this.pattern, 'bad \\x escape');
      this.pos += 2;
    }
    const v = parseInt(digits, 16);
    if (v > 0x10ffff) invalid(this.pattern, 'code point out of range');
    return v;
  }

  /** RE2: `\0` plus up to two octal digits; `\1`-`\7` only when another octal digit follows. */
  private octalEscape(first: string): number {
    const isOct = (d: string | undefined): boolean => d !== undefined && d >= '0' && d <= '7';
    if (first !== '0' && !isOct(this.peek())) invalid(this.pattern, 'backreferences are not supported');
    let v = first.charCodeAt(0) - 48;
    for (let n = 0; n < 2 && isOct(this.peek()); n++) v = v * 8 + (this.cp[this.pos++].charCodeAt(0) - 48);
    return v;
  }

  /** `\pN`, `\p{Name}`, `\p{^Name}` and the `\P` negations. */
  private unicodeClass(negated: boolean): string {
    let name: string;
    if (this.peek() === '{') {
      this.pos++;
      name = '';
      while (this.pos < this.cp.length && this.cp[this.pos] !== '}') name += this.cp[this.pos++];
      if (this.pos >= this.cp.length) invalid(this.pattern, 'missing } in \\p{...}');
      this.pos++;
    } else {
      name = this.cp[this.pos++] ?? '';
    }
    if (name.startsWith('^')) { negated = !negated; name = name.slice(1); }
    // RE2 names general categories (L, Lu...), scripts (Greek) and Any.
    const js = name === 'Any' || /^[A-Z][a-z]?$/.test(name) ? name : `Script=${name}`;
    try {
      new RegExp(`\\p{${js}}`, 'u');
    } catch {
      invalid(this.pattern, `unknown Unicode class ${JSON.stringify(name)}`);
    }
    this.caseStates.add(this.flags.i);
    return `\\${negated ? 'P' : 'p'}{${js}}`;
  }

  /** A bracketed class (pos is just after `[`). RE2 takes a `]` right after `[` or `[^` literally. */
  private charClass(): string {
    let out = '[';
    if (this.peek() === '^') { out += '^'; this.pos++; }
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === undefined) return invalid(this.pattern, 'missing ]');
      if (c === ']' && !first) { this.pos++; break; }
      first = false;
      if (c === '[' && this.peek(1) === ':') {
        const posix = this.posixClass();
        if (posix !== null) { out += posix; continue; }
      }
      const lo = this.classAtom();
      if (typeof lo === 'string') { out += lo; continue; }
      if (this.peek() === '-' && this.peek(1) !== undefined && this.peek(1) !== ']') {
        this.pos++;
        const hi = this.classAtom();
        if (typeof hi === 'string' || hi < lo) return invalid(this.pattern, 'bad character class range');
        out += `${classChar(lo)}-${classChar(hi)}`;
      } else {
        out += classChar(lo);
      }
    }
    this.caseStates.add(this.flags.i);
    return out + ']';
  }

  /** `[:name:]` or `[:^name:]` inside a class, as ranges; null when `[` is just a literal. */
  private posixClass(): string | null {
    const rest = this.cp.slice(this.pos, this.pos + 12).join('');
    const m = /^\[:(\^?)([a-z]+):\]/.exec(rest);
    if (m === null) return null;
    const ranges = POSIX[m[2]];
    if (ranges === undefined) return invalid(this.pattern, `unknown POSIX class [:${m[2]}:]`);
    this.pos += m[0].length;
    return emitRanges(m[1] === '^' ? complement(ranges) : ranges);
  }

  /** One class member: a code point, or (as a string) a set such as \d or \p{L}. */
  private classAtom(): number | string {
    const c = this.cp[this.pos++];
    if (c !== '\\') return c.codePointAt(0) as number;
    const e = this.cp[this.pos++];
    if (e === undefined) return invalid(this.pattern, 'trailing backslash');
    switch (e) {
      case 'd': case 'D': case 'w': case 'W': return '\\' + e;
      case 's': return emitRanges(RE2_SPACE);
      case 'S': return emitRanges(complement(RE2_SPACE));
      case 'p': case 'P': return this.unicodeClass(e === 'P');
      default: return this.escapedCodePoint(e);
    }
  }
}

/** A code point inside a JS class (u flag). */
function classChar(cp: number): string {
  const c = String.fromCodePoint(cp);
  if (CLASS_SPECIAL.has(c)) return '\\' + c;
  return cp < 0x20 || cp === 0x7f ? `\\u{${cp.toString(16)}}` : c;
}

function emitRanges(ranges: readonly (readonly [number, number])[]): string {
  return ranges.map(([lo, hi]) => (lo === hi ? classChar(lo) : `${classChar(lo)}-${classChar(hi)}`)).join('');
}

/** The complement of sorted, disjoint ranges within [0, 0x10FFFF]. */
function complement(ranges: readonly (readonly [number, number])[]): [number, number][] {
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of ranges) {
    if (lo > next) out.push([next, lo - 1]);
    next = hi + 1;
  }
  if (next <= 0x10ffff) out.push([next, 0x10ffff]);
  return out;
}
