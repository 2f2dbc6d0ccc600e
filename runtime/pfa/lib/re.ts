// PFA library: regular expressions (re.*), specification §14.
//
// PFA patterns are POSIX extended regular expressions (ERE, "like grep -E"). Patterns are
// data (often from inputs), so they are never handed to JavaScript's RegExp: this file
// parses them itself and runs them on its own matcher, which gives
//   * POSIX syntax exactly: bracket expressions with [:class:], [=c=] and [.c.], "\" is
//     literal inside brackets, intervals {m,n} (at most 255), back-references \1-\9, and
//     the GNU operators \w \W \s \S \b \B \< \> \` \'; any other escaped character
//     stands for itself;
//   * POSIX leftmost-longest matching: of the matches starting at the leftmost possible
//     position, the longest wins; sub-matches come from the first such match in
//     priority order (greedy quantifiers, earlier alternatives first);
//   * bounded work: a memo of explored (instruction, position) states bounds a search to
//     O(pattern × input) steps, and states proven unable to reach a match stay marked for
//     the whole call, so successive matches do not re-explore them; patterns with
//     back-references key the memo by the captures too, and a step budget stops
//     pathological cases with the function's runtime error instead of hanging.
// Strings are matched by code point and report code point indexes; bytes are matched
// byte by byte (a pattern's bytes are its characters) and report byte offsets.
// Successive matches (count, findall, replaceall, split...) never overlap, and an empty
// match right where the previous match ended is skipped (as sed and regexec loops do).

import { pfaFail, type CallTypes, type LibFunction, type SignatureJson } from '../types.js';
import { latin1Decode } from './bytes.js';

// ------------------------------------------------------------------ syntax

type Units = ArrayLike<number>;

class PatternError extends Error {}

const enum Assert { Bol, Eol, WordBoundary, NotWordBoundary, WordStart, WordEnd }

type Node =
  | { readonly t: 'char'; readonly c: number }
  | { readonly t: 'any' }
  | { readonly t: 'set'; readonly pred: (c: number) => boolean }
  | { readonly t: 'assert'; readonly k: Assert }
  | { readonly t: 'group'; readonly idx: number; readonly body: Node }
  | { readonly t: 'cat'; readonly items: readonly Node[] }
  | { readonly t: 'alt'; readonly alts: readonly Node[] }
  | { readonly t: 'rep'; readonly body: Node; readonly min: number; readonly max: number }
  | { readonly t: 'backref'; readonly n: number };

/** POSIX RE_DUP_MAX: the largest bound allowed in an interval. */
const DUP_MAX = 255;

const ch = (s: string): number => s.charCodeAt(0);
const C = {
  pipe: ch('|'), lpar: ch('('), rpar: ch(')'), star: ch('*'), plus: ch('+'), qmark: ch('?'), lbrace: ch('{'), rbrace: ch('}'),
  comma: ch(','), dot: ch('.'), caret: ch('^'), dollar: ch('$'), lbrack: ch('['), rbrack: ch(']'), backslash: ch('\\'),
  colon: ch(':'), equals: ch('='), minus: ch('-'), zero: ch('0'), nine: ch('9'),
};

const isDigit = (c: number): boolean => c >= C.zero && c <= C.nine;

// Character classes. In string mode (Unicode) non-ASCII characters are classified by
// their Unicode properties; in bytes mode only ASCII bytes belong to any class.
const unicodeTest = (re: RegExp) => (c: number): boolean => re.test(String.fromCodePoint(c));
const uAlpha = unicodeTest(/^\p{Alphabetic}$/u), uUpper = unicodeTest(/^\p{Uppercase}$/u), uLower = unicodeTest(/^\p{Lowercase}$/u);
const uSpace = unicodeTest(/^\p{White_Space}$/u), uBlank = unicodeTest(/^\p{Zs}$/u), uPunct = unicodeTest(/^[\p{P}\p{S}]$/u);
const uCntrl = unicodeTest(/^\p{Cc}$/u), uPrint = unicodeTest(/^\P{C}$/u);

const asciiAlpha = (c: number): boolean => (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
const asciiSpace = (c: number): boolean => c === 32 || (c >= 9 && c <= 13);
const asciiPunct = (c: number): boolean => (c >= 33 && c <= 47) || (c >= 58 && c <= 64) || (c >= 91 && c <= 96) || (c >= 123 && c <= 126);

function classPredicate(name: string, unicode: boolean): ((c: number) => boolean) | undefined {
  const u = (ascii: (c: number) => boolean, other: (c: number) => boolean) => (c: number): boolean => (c < 128 ? ascii(c) : unicode && other(c));
  const alpha = u(asciiAlpha, uAlpha);
  const space = u(asciiSpace, uSpace);
  const cntrl = u((c) => c < 32 || c === 127, uCntrl);
  const print = u((c) => c >= 32 && c < 127, uPrint);
  switch (name) {
    case 'alpha': return alpha;
    case 'digit': return isDigit;
    case 'alnum': return (c) => isDigit(c) || alpha(c);
    case 'upper': return u((c) => c >= 65 && c <= 90, uUpper);
    case 'lower': return u((c) => c >= 97 && c <= 122, uLower);
    case 'space': return space;
    case 'blank': return u((c) => c === 32 || c === 9, uBlank);
    case 'punct': return u(asciiPunct, uPunct);
    case 'cntrl': return cntrl;
    case 'print': return print;
    case 'graph': return (c) => print(c) && !space(c);
    case 'xdigit': return (c) => isDigit(c) || (c >= 65 && c <= 70) || (c >= 97 && c <= 102);
    default: return undefined;
  }
}

function wordPredicate(unicode: boolean): (c: number) => boolean {
  const alnum = classPredicate('alnum', unicode) as (c: number) => boolean;
  return (c) => c === 95 || alnum(c);
}

class Parser {
  private pos = 0;
  groups = 0;
  /** Groups that back-references refer to. */
  readonly referenced = new Set<number>();
  private readonly closed = new Set<number>();

  constructor(private readonly p: Units, private readonly unicode: boolean) {}

  parse(): Node {
    const node = this.alternation(0);
    if (this.pos < this.p.length) throw new PatternError('unmatched )');
    return node;
  }

  private peek(offset = 0): number {
    const i = this.pos + offset;
    return i < this.p.length ? this.p[i] : -1;
  }

  private alternation(depth: number): Node {
    const alts = [this.branch(depth)];
    while (this.peek() === C.pipe) {
      this.pos++;
      alts.push(this.branch(depth));
    }
    return alts.length === 1 ? alts[0] : { t: 'alt', alts };
  }

  private branch(depth: number): Node {
    const items: Node[] = [];
    for (;;) {
      const c = this.peek();
      if (c === -1 || c === C.pipe) break;
      if (c === C.rpar) {
        if (depth > 0) break;
        throw new PatternError('unmatched )');
      }
      let atom = this.atom(depth);
      for (;;) {
        const q = this.peek();
        let min: number, max: number;
        if (q === C.star) [min, max] = [0, Infinity];
        else if (q === C.plus) [min, max] = [1, Infinity];
        else if (q === C.qmark) [min, max] = [0, 1];
        else if (q === C.lbrace && isDigit(this.peek(1))) {
          this.pos++;
          [min, max] = this.interval();
          atom = { t: 'rep', body: atom, min, max };
          continue;
        } else break;
        this.pos++;
        atom = { t: 'rep', body: atom, min, max };
      }
      items.push(atom);
    }
    return items.length === 1 ? items[0] : { t: 'cat', items };
  }

  private number(): number {
    let v = 0, digits = 0;
    while (isDigit(this.peek())) {
      v = Math.min(v * 10 + (this.peek() - C.zero), 1e6);
      this.pos++;
      digits++;
    }
    return digits === 0 ? -1 : v;
  }

  /** After "{": m}, m,} or m,n}. */
  private interval(): [number, number] {
    const min = this.number();
    let max = min;
    if (this.peek() === C.comma) {
      this.pos++;
      const n = this.number();
      max = n < 0 ? Infinity : n;
    }
    if (this.peek() !== C.rbrace) throw new PatternError('invalid interval');
    this.pos++;
    if (min > DUP_MAX || (max !== Infinity && max > DUP_MAX)) throw new PatternError(`interval bound above ${DUP_MAX}`);
    if (max < min) throw new PatternError('invalid interval (max < min)');
    return [min, max];
  }

  private atom(depth: number): Node {
    const c = this.p[this.pos++];
    switch (c) {
      case C.lpar: {
        const idx = ++this.groups;
        const body = this.alternation(depth + 1);
        if (this.peek() !== C.rpar) throw new PatternError('unmatched (');
        this.pos++;
        this.closed.add(idx);
        return { t: 'group', idx, body };
      }
      case C.dot: return { t: 'any' };
      case C.caret: return { t: 'assert', k: Assert.Bol };
      case C.dollar: return { t: 'assert', k: Assert.Eol };
      case C.lbrack: return this.bracket();
      case C.backslash: return this.escape();
      case C.star: case C.plus: case C.qmark: throw new PatternError('nothing to repeat');
      case C.lbrace:
        if (isDigit(this.peek())) throw new PatternError('nothing to repeat');
        return { t: 'char', c };
      default: return { t: 'char', c };
    }
  }

  private escape(): Node {
    if (this.pos >= this.p.length) throw new PatternError('trailing backslash');
    const c = this.p[this.pos++];
    if (c >= C.zero + 1 && c <= C.nine) {
      const n = c - C.zero;
      if (!this.closed.has(n)) throw new PatternError(`invalid back reference \\${n}`);
      this.referenced.add(n);
      return { t: 'backref', n };
    }
    const word = wordPredicate(this.unicode);
    const space = classPredicate('space', this.unicode) as (c: number) => boolean;
    switch (String.fromCharCode(c)) {
      case 'w': return { t: 'set', pred: word };
      case 'W': return { t: 'set', pred: (x) => !word(x) };
      case 's': return { t: 'set', pred: space };
      case 'S': return { t: 'set', pred: (x) => !space(x) };
      case 'b': return { t: 'assert', k: Assert.WordBoundary };
      case 'B': return { t: 'assert', k: Assert.NotWordBoundary };
      case '<': return { t: 'assert', k: Assert.WordStart };
      case '>': return { t: 'assert', k: Assert.WordEnd };
      case '`': return { t: 'assert', k: Assert.Bol };
      case '\'': return { t: 'assert', k: Assert.Eol };
      default: return { t: 'char', c };
    }
  }

  /** "[.c.]" or "[=c=]" (one character: no multi-character collating elements) or "[:name:]". */
  private bracketTerm(kind: number): { name: Units } {
    const start = this.pos + 2;
    for (let i = start; i + 1 < this.p.length; i++) {
      if (this.p[i] === kind && this.p[i + 1] === C.rbrack) {
        this.pos = i + 2;
        return { name: Array.prototype.slice.call(this.p, start, i) as number[] };
      }
    }
    throw new PatternError('unterminated [: :], [= =] or [. .]');
  }

  /** A range endpoint: a character, "[.c.]" or "[=c=]". */
  private endpoint(): number {
    const c = this.p[this.pos];
    const next = this.peek(1);
    if (c === C.lbrack && (next === C.dot || next === C.equals)) {
      const { name } = this.bracketTerm(next);
      if (name.length !== 1) throw new PatternError('unsupported collating element');
      return name[0];
    }
    this.pos++;
    return c;
  }

  /** After "[": a bracket expression up to its "]" ("]" first is literal, "\" is literal). */
  private bracket(): Node {
    let negate = false;
    if (this.peek() === C.caret) {
      negate = true;
      this.pos++;
    }
    const ranges: number[] = [];
    const classes: ((c: number) => boolean)[] = [];
    let first = true;
    for (;;) {
      if (this.pos >= this.p.length) throw new PatternError('unmatched [');
      const c = this.p[this.pos];
      if (c === C.rbrack && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c === C.lbrack && this.peek(1) === C.colon) {
        const { name } = this.bracketTerm(C.colon);
        const pred = classPredicate(String.fromCharCode(...Array.from(name)), this.unicode);
        if (pred === undefined) throw new PatternError('unknown character class');
        classes.push(pred);
        continue;
      }
      const lo = this.endpoint();
      if (this.peek() === C.minus && this.peek(1) !== C.rbrack && this.peek(1) !== -1) {
        this.pos++;
        const hi = this.endpoint();
        if (hi < lo) throw new PatternError('invalid range in bracket expression');
        ranges.push(lo, hi);
      } else ranges.push(lo, lo);
    }
    const pred = (x: number): boolean => {
      for (let i = 0; i < ranges.length; i += 2) if (x >= ranges[i] && x <= ranges[i + 1]) return true;
      for (const f of classes) if (f(x)) return true;
      return false;
    };
    return { t: 'set', pred: negate ? (x) => !pred(x) : pred };
  }
}

// ------------------------------------------------------------------ compiled program

const enum Op { Char, Any, Set, Split, Jmp, Save, Assert, Backref, Match }

/** Program size limit (counted repetitions are expanded). */
const MAX_PROGRAM = 20000;

export interface Program {
  readonly op: Int32Array;
  readonly a: Int32Array;
  readonly b: Int32Array;
  readonly preds: readonly ((c: number) => boolean)[];
  /** Number of parenthesised groups. */
  readonly groups: number;
  /** Groups referred to by back-references (the matcher's memo must tell their captures apart). */
  readonly referenced: readonly number[];
  readonly word: (c: number) => boolean;
  /** The character every match starts with, or -1. */
  readonly first: number;
}

class Emitter {
  readonly op: number[] = [];
  readonly a: number[] = [];
  readonly b: number[] = [];
  readonly preds: ((c: number) => boolean)[] = [];

  emit(op: Op, a = 0, b = 0): number {
    if (this.op.length >= MAX_PROGRAM) throw new PatternError('pattern too large');
    this.op.push(op);
    this.a.push(a);
    this.b.push(b);
    return this.op.length - 1;
  }

  get next(): number {
    return this.op.length;
  }

  node(n: Node): void {
    switch (n.t) {
      case 'char': this.emit(Op.Char, n.c); break;
      case 'any': this.emit(Op.Any); break;
      case 'set': this.preds.push(n.pred); this.emit(Op.Set, this.preds.length - 1); break;
      case 'assert': this.emit(Op.Assert, n.k); break;
      case 'backref': this.emit(Op.Backref, n.n); break;
      case 'group':
        this.emit(Op.Save, 2 * n.idx);
        this.node(n.body);
        this.emit(Op.Save, 2 * n.idx + 1);
        break;
      case 'cat': for (const x of n.items) this.node(x); break;
      case 'alt': {
        const jumps: number[] = [];
        n.alts.forEach((alt, i) => {
          if (i < n.alts.length - 1) {
            const split = this.emit(Op.Split);
            this.a[split] = this.next;
            this.node(alt);
            jumps.push(this.emit(Op.Jmp));
            this.b[split] = this.next;
          } else this.node(alt);
        });
        for (const j of jumps) this.a[j] = this.next;
        break;
      }
      case 'rep': this.repeat(n.body, n.min, n.max); break;
    }
  }

  private repeat(body: Node, min: number, max: number): void {
    if (max === Infinity) {
      for (let i = 0; i < min - 1; i++) this.node(body);
      if (min >= 1) {
        // body+ : L: body; SPLIT L, next
        const loop = this.next;
        this.node(body);
        this.emit(Op.Split, loop, this.next + 1);
      } else {
        // body* : L: SPLIT body, end; body; JMP L
        const split = this.emit(Op.Split);
        this.a[split] = this.next;
        this.node(body);
        this.emit(Op.Jmp, split);
        this.b[split] = this.next;
      }
      return;
    }
    for (let i = 0; i < min; i++) this.node(body);
    // (body(body(...)?)?)? : each optional copy gives up straight to the end.
    const splits: number[] = [];
    for (let i = min; i < max; i++) {
      const split = this.emit(Op.Split);
      this.a[split] = this.next;
      splits.push(split);
      this.node(body);
    }
    for (const s of splits) this.b[s] = this.next;
  }
}

/** Compiles a POSIX ERE; throws PatternError when the pattern is invalid. */
export function compilePattern(pattern: Units, unicode: boolean): Program {
  const parser = new Parser(pattern, unicode);
  const ast = parser.parse();
  const e = new Emitter();
  e.node(ast);
  e.emit(Op.Match);
  // A leading literal lets the search skip start positions quickly.
  let first = -1;
  for (let pc = 0; pc < e.op.length; pc++) {
    if (e.op[pc] === Op.Save) continue;
    if (e.op[pc] === Op.Char) first = e.a[pc];
    break;
  }
  return {
    op: Int32Array.from(e.op), a: Int32Array.from(e.a), b: Int32Array.from(e.b), preds: e.preds,
    groups: parser.groups, referenced: [...parser.referenced].sort((x, y) => x - y), word: wordPredicate(unicode), first,
  };
}

// ------------------------------------------------------------------ matcher

/** Step budget of one library call: beyond it the pattern is too costly for the input. */
const STEP_BUDGET = 50_000_000;
/** Largest memo kept as bitsets (bits); larger ones (and back-reference memos) use a Set. */
const BITSET_LIMIT = 2 ** 28;
/** Largest Set memo (states); beyond it the pattern is too costly for the input. */
const SET_LIMIT = 1_000_000;

export class BudgetExceeded extends Error {}

export interface Match {
  readonly start: number;
  readonly end: number;
  /** Start and end per group 1..groups, flattened (-1 when the group did not take part). */
  readonly caps: Int32Array;
}

const NO_CAPS = new Int32Array(0);

// Scratch memory shared by all matchers (matching never re-enters): the bitsets are all
// zeros whenever no matcher is active (Matcher.release clears the words it used).
let scratchVisited = new Uint32Array(1024);
let scratchDead = new Uint32Array(1024);
let scratchStack: Int32Array = new Int32Array(256);
let scratchPending: Int32Array = new Int32Array(256);

function grow(a: Int32Array): Int32Array {
  const bigger: Int32Array = new Int32Array(2 * a.length);
  bigger.set(a);
  return bigger;
}

/**
 * Runs a program over a haystack, exploring (instruction, position) states depth first.
 * Two memos bound the work:
 *   * visited: states explored during the current search (pruned when reached again:
 *     whatever they lead to was found first, with higher priority); after a successful
 *     search these marks are dropped;
 *   * dead: states from which no match is reachable (this does not depend on where the
 *     attempt started), kept for the whole call. A branch point is known dead when its
 *     whole subtree was explored without reaching a match and without being pruned
 *     against a state not known dead; every state of an attempt that found nothing is
 *     dead too (its visited marks are simply kept until the next successful search).
 * Patterns with back-references memoise (state, captures of referenced groups) in a Set
 * instead, dropped after each successful search. Call release() when done.
 */
export class Matcher {
  private readonly n: number;
  private readonly width: number;
  private readonly visited: Uint32Array | null;
  private readonly dead: Uint32Array | null;
  private readonly touchedVisited: number[] = [];
  private readonly touchedDead: number[] = [];
  /** Back-reference memo: numeric keys when they fit in a double's integers, else strings. */
  private readonly keys: Set<number | string> | null;
  private readonly numericKeys: boolean;
  private readonly caps: Int32Array;
  private steps = 0;

  constructor(private readonly prog: Program, private readonly units: Units) {
    const n = units.length;
    this.n = n;
    this.width = n + 1;
    const size = prog.op.length * this.width;
    if (prog.referenced.length === 0 && size <= BITSET_LIMIT) {
      const words = Math.ceil(size / 32);
      if (scratchVisited.length < words) {
        scratchVisited = new Uint32Array(Math.max(words, 2 * scratchVisited.length));
        scratchDead = new Uint32Array(scratchVisited.length);
      }
      this.visited = scratchVisited;
      this.dead = scratchDead;
      this.keys = null;
    } else {
      this.visited = this.dead = null;
      this.keys = new Set();
    }
    this.numericKeys = size * (this.width + 1) ** (2 * prog.referenced.length) < 2 ** 53;
    this.caps = new Int32Array(2 * (prog.groups + 1)).fill(-1);
  }

  /** The leftmost-longest match starting at or after `from`, or null. */
  search(from: number): Match | null {
    const { n, units } = this;
    const first = this.prog.first;
    for (let start = from; start <= n; start++) {
      if (first >= 0) {
        while (start < n && units[start] !== first) start++;
        if (start >= n) return null;
      }
      const m = this.longestAt(start);
      if (m !== null) {
        this.forgetVisited();
        return m;
      }
    }
    return null;
  }

  private forgetVisited(): void {
    if (this.visited !== null) {
      const { visited, touchedVisited } = this;
      for (let i = 0; i < touchedVisited.length; i++) visited[touchedVisited[i]] = 0;
      touchedVisited.length = 0;
    } else (this.keys as Set<number | string>).clear();
  }

  /** Drops every mark (the scratch bitsets return to all zeros). */
  release(): void {
    this.forgetVisited();
    if (this.dead !== null) {
      const { dead, touchedDead } = this;
      for (let i = 0; i < touchedDead.length; i++) dead[touchedDead[i]] = 0;
      touchedDead.length = 0;
    }
  }

  private keyedVisit(pc: number, pos: number): boolean {
    const { caps, width } = this;
    let key: number | string = pc * width + pos;
    for (const g of this.prog.referenced) {
      if (this.numericKeys) key = ((key as number) * (width + 1) + caps[2 * g] + 1) * (width + 1) + caps[2 * g + 1] + 1;
      else key = `${key},${caps[2 * g]},${caps[2 * g + 1]}`;
    }
    const keys = this.keys as Set<number | string>;
    if (keys.has(key)) return true;
    if (keys.size >= SET_LIMIT) throw new BudgetExceeded();
    keys.add(key);
    return false;
  }

  private markDead(k: number): void {
    const dead = this.dead as Uint32Array;
    const w = k >>> 5, word = dead[w];
    if (word === 0) this.touchedDead.push(w);
    dead[w] = word | (1 << (k & 31));
  }

  private wordAt(i: number): boolean {
    return i >= 0 && i < this.n && this.prog.word(this.units[i]);
  }

  private assert(kind: Assert, pos: number): boolean {
    switch (kind) {
      case Assert.Bol: return pos === 0;
      case Assert.Eol: return pos === this.n;
      case Assert.WordBoundary: return this.wordAt(pos - 1) !== this.wordAt(pos);
      case Assert.NotWordBoundary: return this.wordAt(pos - 1) === this.wordAt(pos);
      case Assert.WordStart: return !this.wordAt(pos - 1) && this.wordAt(pos);
      case Assert.WordEnd: return this.wordAt(pos - 1) && !this.wordAt(pos);
    }
  }

  /** Explores every path from `start` (depth first, in priority order) and keeps the longest match. */
  private longestAt(start: number): Match | null {
    const { op, a, b, preds, groups } = this.prog;
    const { n, width, units, caps, visited, dead, touchedVisited } = this;
    let stack = scratchStack, pending = scratchPending;
    let sp = 0, pp = 0;
    // Counts events that make a subtree possibly live: reaching a match, or pruning
    // against a visited state not known dead.
    let taint = 0;
    let bestEnd = -1;
    let bestCaps = NO_CAPS;
    let pc = 0, pos = start;
    for (;;) {
      // Run one thread until it fails.
      let alive = true;
      while (alive) {
        if (++this.steps > STEP_BUDGET) throw new BudgetExceeded();
        const o = op[pc];
        if (visited !== null) {
          const k = pc * width + pos, w = k >>> 5, m = 1 << (k & 31);
          if (o === Op.Split && ((dead as Uint32Array)[w] & m) !== 0) break;
          const word = visited[w];
          if ((word & m) !== 0) {
            taint++;
            break;
          }
          if (word === 0) touchedVisited.push(w);
          visited[w] = word | m;
          if (o === Op.Split) {
            // A branch point: its subtree is complete once the search backtracks past it.
            if (pp + 3 > pending.length) pending = scratchPending = grow(pending);
            pending[pp] = k;
            pending[pp + 1] = sp;
            pending[pp + 2] = taint;
            pp += 3;
          }
        } else if (this.keyedVisit(pc, pos)) break;
        if (o === Op.Char) {
          if (pos < n && units[pos] === a[pc]) {
            pc++;
            pos++;
          } else alive = false;
        } else if (o === Op.Split || o === Op.Save) {
          if (sp + 3 > stack.length) stack = scratchStack = grow(stack);
          if (o === Op.Split) {
            stack[sp] = 0;
            stack[sp + 1] = b[pc];
            stack[sp + 2] = pos;
            pc = a[pc];
          } else {
            stack[sp] = 1;
            stack[sp + 1] = a[pc];
            stack[sp + 2] = caps[a[pc]];
            caps[a[pc]] = pos;
            pc++;
          }
          sp += 3;
        } else if (o === Op.Set) {
          if (pos < n && preds[a[pc]](units[pos])) {
            pc++;
            pos++;
          } else alive = false;
        } else if (o === Op.Any) {
          if (pos < n) {
            pc++;
            pos++;
          } else alive = false;
        } else if (o === Op.Jmp) pc = a[pc];
        else if (o === Op.Assert) {
          if (this.assert(a[pc] as Assert, pos)) pc++;
          else alive = false;
        } else if (o === Op.Backref) {
          const s = caps[2 * a[pc]], e = caps[2 * a[pc] + 1];
          const len = e - s;
          let same = s >= 0 && e >= 0 && pos + len <= n;
          for (let i = 0; i < len && same; i++) same = units[s + i] === units[pos + i];
          if (same) {
            pos += len;
            pc++;
          } else alive = false;
        } else {
          // Op.Match
          taint++;
          if (pos > bestEnd) {
            bestEnd = pos;
            if (groups > 0) bestCaps = caps.slice(2);
          }
          alive = false;
        }
      }
      if (bestEnd === n) break;
      // Backtrack to the next alternative, undoing captures on the way.
      let resumed = false;
      while (sp > 0) {
        sp -= 3;
        if (stack[sp] === 1) caps[stack[sp + 1]] = stack[sp + 2];
        else {
          pc = stack[sp + 1];
          pos = stack[sp + 2];
          resumed = true;
          break;
        }
      }
      // Branch points visited after that alternative was saved have complete subtrees.
      while (pp > 0 && pending[pp - 2] > sp) {
        pp -= 3;
        if (pending[pp + 2] === taint) this.markDead(pending[pp]);
      }
      if (!resumed) break;
    }
    // Leave the captures clean for the next attempt.
    while (sp > 0) {
      sp -= 3;
      if (stack[sp] === 1) caps[stack[sp + 1]] = stack[sp + 2];
    }
    return bestEnd < 0 ? null : { start, end: bestEnd, caps: bestCaps };
  }

  /** Every match, left to right: non-overlapping, no empty match where the previous one ended. */
  all(): Match[] {
    const out: Match[] = [];
    let from = 0, lastEnd = -1;
    while (from <= this.n) {
      const m = this.search(from);
      if (m === null) break;
      if (m.end === m.start && m.start === lastEnd) {
        from = m.start + 1;
        continue;
      }
      out.push(m);
      lastEnd = m.end;
      from = m.end > m.start ? m.end : m.end + 1;
    }
    return out;
  }
}

// ------------------------------------------------------------------ subjects: strings and bytes

/** A haystack as matching units, with slicing and assembly in its own type. */
interface Subject<T> {
  readonly units: Units;
  slice(a: number, b: number): T;
  join(parts: readonly T[]): T;
}

/** A string matched by code point; slices map code point indexes back to UTF-16. */
class StringSubject implements Subject<string> {
  readonly units: Units;
  private readonly offsets: number[] | null = null;

  constructor(private readonly s: string) {
    if (!/[\uD800-\uDFFF]/.test(s)) {
      const units = new Uint16Array(s.length);
      for (let i = 0; i < s.length; i++) units[i] = s.charCodeAt(i);
      this.units = units;
      return;
    }
    const units: number[] = [], offsets: number[] = [];
    for (let i = 0; i < s.length; i++) {
      const c = s.codePointAt(i) as number;
      offsets.push(i);
      units.push(c);
      if (c > 0xffff) i++;
    }
    offsets.push(s.length);
    this.units = units;
    this.offsets = offsets;
  }

  slice(x: number, y: number): string {
    return this.offsets === null ? this.s.slice(x, y) : this.s.slice(this.offsets[x], this.offsets[y]);
  }

  join(parts: readonly string[]): string {
    return parts.join('');
  }
}

class BytesSubject implements Subject<Uint8Array> {
  constructor(readonly units: Uint8Array) {}

  slice(x: number, y: number): Uint8Array {
    return this.units.slice(x, y);
  }

  join(parts: readonly Uint8Array[]): Uint8Array {
    let length = 0;
    for (const p of parts) length += p.length;
    const out = new Uint8Array(length);
    let i = 0;
    for (const p of parts) {
      out.set(p, i);
      i += p.length;
    }
    return out;
  }
}

const CACHE_SIZE = 256;
const stringPatterns = new Map<string, Program | PatternError>();
const bytesPatterns = new Map<string, Program | PatternError>();

/** The compiled pattern (cached), or a "bad pattern" runtime error with the function's code. */
function program(pattern: string | Uint8Array, code: number, fcn: string): Program {
  const unicode = typeof pattern === 'string';
  const cache = unicode ? stringPatterns : bytesPatterns;
  const key = unicode ? pattern : latin1Decode(pattern);
  let p = cache.get(key);
  if (p === undefined) {
    try {
      p = compilePattern(unicode ? Array.from(pattern, (c) => c.codePointAt(0) as number) : pattern, unicode);
    } catch (e) {
      if (!(e instanceof PatternError)) throw e;
      p = e;
    }
    if (cache.size >= CACHE_SIZE) cache.clear();
    cache.set(key, p);
  }
  if (p instanceof PatternError) return pfaFail(code, fcn, `bad pattern: ${p.message}`);
  return p;
}

type Body<R> = <T>(subject: Subject<T>, matcher: Matcher, prog: Program, replacement: T) => R;

/** The function's implementation over a subject and matcher; budget overruns become runtime errors. */
function regexFunction<R>(name: string, code: number, sigs: readonly SignatureJson[], body: Body<R>): LibFunction {
  const run = (subject: Subject<unknown>, pattern: string | Uint8Array, replacement: unknown): R => {
    const prog = program(pattern, code, name);
    const matcher = new Matcher(prog, subject.units);
    try {
      return body(subject, matcher, prog, replacement);
    } catch (e) {
      if (e instanceof BudgetExceeded) pfaFail(code, name, 'pattern too costly to match against this input (backtracking limit)');
      throw e;
    } finally {
      matcher.release();
    }
  };
  return {
    name,
    sigs,
    make: (types: CallTypes) => (types.sig === 1
      ? (haystack: Uint8Array, pattern: Uint8Array, replacement?: Uint8Array) => run(new BytesSubject(haystack), pattern, replacement)
      : (haystack: string, pattern: string, replacement?: string) => run(new StringSubject(haystack), pattern, replacement)),
  };
}

function sigs(ret: unknown, retBytes: unknown = ret, replacement = false): SignatureJson[] {
  const params = (t: string) => [
    { name: 'haystack', type: t }, { name: 'pattern', type: t }, ...(replacement ? [{ name: 'replacement', type: t }] : []),
  ];
  return [{ params: params('string'), ret }, { params: params('bytes'), ret: retBytes }];
}

const INTS = { type: 'array', items: 'int' };
const INTS2 = { type: 'array', items: INTS };

function lastOf(matcher: Matcher): Match | null {
  const all = matcher.all();
  return all.length === 0 ? null : all[all.length - 1];
}

function spans(m: Match, groups: number): number[][] {
  const out = [[m.start, m.end]];
  for (let g = 0; g < groups; g++) out.push([m.caps[2 * g], m.caps[2 * g + 1]]);
  return out;
}

function texts<T>(subject: Subject<T>, m: Match, groups: number): T[] {
  const out = [subject.slice(m.start, m.end)];
  for (let g = 0; g < groups; g++) {
    const s = m.caps[2 * g], e = m.caps[2 * g + 1];
    out.push(s < 0 || e < 0 ? subject.slice(0, 0) : subject.slice(s, e));
  }
  return out;
}

function replaceMatches<T>(subject: Subject<T>, matches: Iterable<Match>, replacement: T): T {
  const parts: T[] = [];
  let at = 0;
  for (const m of matches) {
    parts.push(subject.slice(at, m.start), replacement);
    at = m.end;
  }
  if (at === 0 && parts.length === 0) return subject.slice(0, subject.units.length);
  parts.push(subject.slice(at, subject.units.length));
  return subject.join(parts);
}

// ------------------------------------------------------------------ basic identification

export const reContains = regexFunction('re.contains', 35010, sigs('boolean'), (_s, matcher) => matcher.search(0) !== null);

export const reCount = regexFunction('re.count', 35020, sigs('int'), (_s, matcher) => {
  return matcher.all().length;
});

// ------------------------------------------------------------------ matched text

export const reFindfirst = regexFunction('re.findfirst', 35070, sigs({ type: 'union', of: ['string', 'null'] }, { type: 'union', of: ['bytes', 'null'] }), (subject, matcher) => {
  const m = matcher.search(0);
  return m === null ? null : subject.slice(m.start, m.end);
});

export const reFindall = regexFunction('re.findall', 35060, sigs({ type: 'array', items: 'string' }, { type: 'array', items: 'bytes' }), (subject, matcher) =>
  matcher.all().map((m) => subject.slice(m.start, m.end)));

// ------------------------------------------------------------------ groups

export const reGroups = regexFunction('re.groups', 35040, sigs(INTS2), (_s, matcher, prog) => {
  const m = matcher.search(0);
  return m === null ? [] : spans(m, prog.groups);
});

export const reGroupsall = regexFunction('re.groupsall', 35100, sigs({ type: 'array', items: INTS2 }), (_s, matcher, prog) =>
  matcher.all().map((m) => spans(m, prog.groups)));

export const reFindgroupsfirst = regexFunction('re.findgroupsfirst', 35080, sigs({ type: 'array', items: 'string' }, { type: 'array', items: 'bytes' }), (subject, matcher, prog) => {
  const m = matcher.search(0);
  return m === null ? [] : texts(subject, m, prog.groups);
});

export const reFindgroupsall = regexFunction(
  're.findgroupsall', 35090,
  sigs({ type: 'array', items: { type: 'array', items: 'string' } }, { type: 'array', items: { type: 'array', items: 'bytes' } }),
  (subject, matcher, prog) => matcher.all().map((m) => texts(subject, m, prog.groups)),
);

// ------------------------------------------------------------------ positions

export const reIndex = regexFunction('re.index', 35000, sigs(INTS), (_s, matcher) => {
  const m = matcher.search(0);
  return m === null ? [] : [m.start, m.end];
});

export const reRindex = regexFunction('re.rindex', 35030, sigs(INTS), (_s, matcher) => {
  const m = lastOf(matcher);
  return m === null ? [] : [m.start, m.end];
});

export const reIndexall = regexFunction('re.indexall', 35050, sigs(INTS2), (_s, matcher) =>
  matcher.all().map((m) => [m.start, m.end]));

// ------------------------------------------------------------------ replacement (the replacement is literal)

export const reReplacefirst = regexFunction('re.replacefirst', 35110, sigs('string', 'bytes', true), (subject, matcher, _p, replacement) => {
  const m = matcher.search(0);
  return replaceMatches(subject, m === null ? [] : [m], replacement);
});

export const reReplacelast = regexFunction('re.replacelast', 35120, sigs('string', 'bytes', true), (subject, matcher, _p, replacement) => {
  const m = lastOf(matcher);
  return replaceMatches(subject, m === null ? [] : [m], replacement);
});

export const reReplaceall = regexFunction('re.replaceall', 35140, sigs('string', 'bytes', true), (subject, matcher, _p, replacement) =>
  replaceMatches(subject, matcher.all(), replacement));

// ------------------------------------------------------------------ splitting

/** The pieces between matches, without empty pieces; the whole haystack when nothing matches. */
export const reSplit = regexFunction('re.split', 35130, sigs({ type: 'array', items: 'string' }, { type: 'array', items: 'bytes' }), (subject, matcher) => {
  const n = subject.units.length;
  const out = [];
  let at = 0, matched = false;
  for (const m of matcher.all()) {
    matched = true;
    if (m.start > at) out.push(subject.slice(at, m.start));
    at = m.end;
  }
  if (!matched) return [subject.slice(0, n)];
  if (n > at) out.push(subject.slice(at, n));
  return out;
});
