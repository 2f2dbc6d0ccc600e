// Regular expressions of the PMML built-ins matches and replace. PMML takes its
// regex syntax from XPath/Perl (documents in the wild are written for PCRE or
// Java); JavaScript's RegExp differs in details. A pattern from the document is
// data: it is translated token by token into an equivalent JavaScript pattern
// (compiled with the `u` flag), and constructs with no faithful equivalent are
// refused with a message, never passed through on trust.
//
// Translated: \A \z \Z, $ (end or before a final newline, as in Perl/Java),
// \Q...\E, \h \H \v \V \R, \e \a, \x{...}, \0oo, Java/POSIX classes (\p{Alpha},
// [[:digit:]]), named groups (?P<n>...) (?'n'...) and references (?P=n) \k{n} \g{1},
// leading inline flags (?i) (?s) (?m) (?x), (?#comments), identity escapes of any
// punctuation, a lone { } ] as literals.
// Refused: possessive quantifiers and atomic groups, inline flags other than at
// the start, recursion, conditionals, branch reset, \G \K \X, Unicode blocks.
//
// Replacement strings follow Java/XPath: $n or ${name} name a group, a backslash
// makes the next character literal.

export class RegexError extends Error {
  /** True when the pattern is valid but uses a construct that has no faithful JavaScript equivalent. */
  constructor(message: string, readonly unsupported = false) {
    super(message);
    this.name = 'RegexError';
  }
}

/** Hard limit on pattern length: patterns are data and a regex engine's work grows with them. */
export const MAX_PATTERN_LENGTH = 10_000;

const SYNTAX = '^$\\.*+?()[]{}|/';

/** Java's POSIX classes as JavaScript class contents (ASCII, as Java defines them by default). */
const POSIX: Readonly<Record<string, string>> = {
  lower: 'a-z',
  upper: 'A-Z',
  ascii: '\\x00-\\x7F',
  alpha: 'a-zA-Z',
  digit: '0-9',
  alnum: 'a-zA-Z0-9',
  punct: '!-\\/:-@\\[-`{-~',
  graph: '!-~',
  print: ' -~',
  blank: ' \\t',
  cntrl: '\\x00-\\x1F\\x7F',
  xdigit: '0-9a-fA-F',
  space: ' \\t\\n\\x0B\\f\\r',
  word: '\\w',
};

const HSPACE = '\\t \\xA0\\u1680\\u180E\\u2000-\\u200A\\u202F\\u205F\\u3000';
const VSPACE = '\\n\\x0B\\f\\r\\x85\\u2028\\u2029';

function isDigit(c: string | undefined): boolean {
  return c !== undefined && c >= '0' && c <= '9';
}

function isAlnum(c: string): boolean {
  return /^[A-Za-z0-9]$/.test(c);
}

function hex4(code: number): string {
  return code <= 0xffff ? `\\u${code.toString(16).padStart(4, '0')}` : `\\u{${code.toString(16)}}`;
}

/** A literal character, escaped as needed inside or outside a class under the `u` flag. */
function literal(ch: string, inClass: boolean): string {
  if (SYNTAX.includes(ch) || (inClass && ch === '-')) return `\\${ch}`;
  const code = ch.codePointAt(0)!;
  if (code < 0x20 || code === 0x7f) return hex4(code);
  return ch;
}

interface Translation {
  readonly source: string;
  readonly flags: string;
}

/** Translates a Perl/Java-style pattern into a JavaScript RegExp source and flags (without g). */
export function translateRegex(pattern: string): Translation {
  if (pattern.length > MAX_PATTERN_LENGTH) throw new RegexError(`the pattern is ${pattern.length} characters long; the limit is ${MAX_PATTERN_LENGTH}`, true);
  let i = 0;
  let ignoreCase = false, dotAll = false, multiline = false, extended = false;
  // Leading inline flag groups: (?i) (?ims) (?-s) ...
  for (;;) {
    const m = /^\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?\)/.exec(pattern.slice(i));
    if (!m) break;
    for (const [set, on] of [[m[1], true], [m[2] ?? '', false]] as const) {
      for (const f of set) {
        if (f === 'i') ignoreCase = on;
        else if (f === 's') dotAll = on;
        else if (f === 'm') multiline = on;
        else if (f === 'x') extended = on;
        else if (f === 'u' || f === 'U' || f === 'd') continue;
        else throw new RegexError(`the inline flag ${f} is not supported`, true);
      }
    }
    i += m[0].length;
  }

  let out = '';
  let inClass = false;
  let classStart = false; // just after [ or [^
  const n = pattern.length;

  const escape = (): string => {
    // pattern[i] is the backslash
    const c = pattern[i + 1];
    if (c === undefined) throw new RegexError('the pattern ends with a lone backslash');
    i += 2;
    if (isDigit(c)) {
      if (c === '0') {
        let oct = '';
        while (oct.length < 3 && /[0-7]/.test(pattern[i] ?? '')) oct += pattern[i++];
        return hex4(oct === '' ? 0 : parseInt(oct, 8));
      }
      if (inClass) throw new RegexError(`the back reference \\${c} cannot appear inside a character class`);
      let num = c;
      while (isDigit(pattern[i])) num += pattern[i++];
      return `(?:\\${num})`;
    }
    switch (c) {
      case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
        return `\\${c}`;
      case 'b': return inClass ? '\\x08' : '\\b';
      case 'B':
        if (inClass) throw new RegexError('\\B cannot appear inside a character class');
        return '\\B';
      case 'n': return '\\n';
      case 'r': return '\\r';
      case 't': return '\\t';
      case 'f': return '\\f';
      case 'e': return '\\x1B';
      case 'a': return '\\x07';
      case 'h': return inClass ? HSPACE : `[${HSPACE}]`;
      case 'v': return inClass ? VSPACE : `[${VSPACE}]`;
      case 'H': case 'V':
        if (inClass) throw new RegexError(`\\${c} cannot appear inside a character class`);
        return `[^${c === 'H' ? HSPACE : VSPACE}]`;
      case 'R':
        if (inClass) throw new RegexError('\\R cannot appear inside a character class');
        return `(?:\\r\\n|[${VSPACE}])`;
      case 'A':
        if (inClass) throw new RegexError('\\A cannot appear inside a character class');
        return '(?<![\\s\\S])';
      case 'z':
        if (inClass) throw new RegexError('\\z cannot appear inside a character class');
        return '(?![\\s\\S])';
      case 'Z':
        if (inClass) throw new RegexError('\\Z cannot appear inside a character class');
        return '(?=\\n?(?![\\s\\S]))';
      case 'x': {
        if (pattern[i] === '{') {
          const close = pattern.indexOf('}', i);
          const hex = close < 0 ? '' : pattern.slice(i + 1, close);
          if (!/^[0-9a-fA-F]{1,6}$/.test(hex) || parseInt(hex, 16) > 0x10ffff) throw new RegexError(`\\x{${hex}} is not a valid code point`);
          i = close + 1;
          return hex4(parseInt(hex, 16));
        }
        const hex = pattern.slice(i, i + 2);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new RegexError('\\x must be followed by two hexadecimal digits or {code point}');
        i += 2;
        return hex4(parseInt(hex, 16));
      }
      case 'u': {
        const hex = pattern.slice(i, i + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new RegexError('\\u must be followed by four hexadecimal digits');
        i += 4;
        return hex4(parseInt(hex, 16));
      }
      case 'c': {
        const l = pattern[i];
        if (l === undefined || !/[A-Za-z]/.test(l)) throw new RegexError('\\c must be followed by a letter');
        i++;
        return `\\c${l}`;
      }
      case 'p': case 'P':
        return property(c === 'P');
      case 'Q': {
        const end = pattern.indexOf('\\E', i);
        const quoted = end < 0 ? pattern.slice(i) : pattern.slice(i, end);
        i = end < 0 ? n : end + 2;
        let s = '';
        for (const ch of quoted) s += literal(ch, inClass);
        return s;
      }
      case 'E':
        return '';
      case 'k': {
        const open = pattern[i];
        const closeCh = open === '<' ? '>' : open === '{' ? '}' : open === "'" ? "'" : undefined;
        if (closeCh === undefined) throw new RegexError('\\k must be followed by <name>, {name} or \'name\'');
        const close = pattern.indexOf(closeCh, i + 1);
        const name = close < 0 ? '' : pattern.slice(i + 1, close);
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) throw new RegexError(`${JSON.stringify(name)} is not a valid group name`);
        i = close + 1;
        return `\\k<${name}>`;
      }
      case 'g': {
        const m = /^(?:\{(-?\d+)\}|(\d+))/.exec(pattern.slice(i));
        if (!m) throw new RegexError('\\g is only supported as a numbered back reference (\\g1, \\g{1})', true);
        const num = m[1] ?? m[2];
        if (num.startsWith('-')) throw new RegexError('relative back references (\\g{-1}) are not supported', true);
        i += m[0].length;
        return `(?:\\${num})`;
      }
      default:
        if (isAlnum(c)) throw new RegexError(`the escape \\${c} is not supported`, true);
        return literal(c, inClass);
    }
  };

  const property = (negated: boolean): string => {
    let name: string;
    if (pattern[i] === '{') {
      const close = pattern.indexOf('}', i);
      if (close < 0) throw new RegexError('\\p{ has no closing }');
      name = pattern.slice(i + 1, close);
      i = close + 1;
    } else {
      name = pattern[i] ?? '';
      i++;
    }
    let neg = negated;
    if (name.startsWith('^')) {
      neg = !neg;
      name = name.slice(1);
    }
    const posix = POSIX[name.toLowerCase()];
    if (posix !== undefined && /^[A-Z]/.test(name)) {
      if (!neg) return inClass ? posix : `[${posix}]`;
      if (inClass) throw new RegexError(`the negated class \\P{${name}} cannot appear inside a character class`);
      return `[^${posix}]`;
    }
    let js = name;
    if (/^Is[A-Z]/.test(js)) js = js.slice(2);
    if (/^In[A-Z]/.test(js)) throw new RegexError(`the Unicode block ${name} is not supported`, true);
    if (/^java/.test(js)) throw new RegexError(`the Java class ${name} is not supported`, true);
    const text = `\\${neg ? 'P' : 'p'}{${js}}`;
    try {
      new RegExp(text, 'u');
    } catch {
      throw new RegexError(`\\p{${name}} is not a known Unicode property`);
    }
    return text;
  };

  const quantifierFollows = (): void => {
    // after a quantifier: lazy '?' is fine, possessive '+' is not
    if (pattern[i] === '+') throw new RegexError('possessive quantifiers (*+, ++, ?+, {n}+) are not supported', true);
    if (pattern[i] === '?') {
      out += '?';
      i++;
    }
  };

  while (i < n) {
    const ch = pattern[i];
    if (inClass) {
      const first = classStart;
      classStart = false;
      if (ch === ']' && !first) {
        out += ']';
        inClass = false;
        i++;
        continue;
      }
      if (ch === ']') {
        out += '\\]';
        i++;
        continue;
      }
      if (ch === '\\') {
        out += escape();
        continue;
      }
      if (ch === '[') {
        const m = /^\[:(\^?)([a-z]+):\]/.exec(pattern.slice(i));
        if (m) {
          const posix = POSIX[m[2]];
          if (posix === undefined) throw new RegexError(`[:${m[2]}:] is not a POSIX character class`);
          if (m[1] === '^') throw new RegexError(`the negated POSIX class [:^${m[2]}:] is not supported`, true);
          out += posix;
          i += m[0].length;
          continue;
        }
        out += '\\[';
        i++;
        continue;
      }
      if (ch === '&' && pattern[i + 1] === '&') throw new RegexError('class intersection (&&) is not supported', true);
      if (ch === '-') {
        out += '-';
        i++;
        continue;
      }
      const cp = pattern.codePointAt(i)!;
      const s = String.fromCodePoint(cp);
      out += literal(s, true);
      i += s.length;
      continue;
    }
    if (extended) {
      if (/\s/.test(ch)) {
        i++;
        continue;
      }
      if (ch === '#') {
        while (i < n && pattern[i] !== '\n') i++;
        continue;
      }
    }
    switch (ch) {
      case '\\':
        out += escape();
        break;
      case '[':
        out += '[';
        i++;
        if (pattern[i] === '^') {
          out += '^';
          i++;
        }
        inClass = true;
        classStart = true;
        break;
      case '(': {
        i++;
        if (pattern[i] !== '?') {
          out += '(';
          break;
        }
        const rest = pattern.slice(i + 1);
        if (rest.startsWith(':') || rest.startsWith('=') || rest.startsWith('!') || rest.startsWith('<=') || rest.startsWith('<!')) {
          const len = rest.startsWith('<') ? 2 : 1;
          out += `(?${rest.slice(0, len)}`;
          i += 1 + len;
          break;
        }
        const named = /^(?:P?<([A-Za-z_][A-Za-z0-9_]*)>|'([A-Za-z_][A-Za-z0-9_]*)')/.exec(rest);
        if (named) {
          out += `(?<${named[1] ?? named[2]}>`;
          i += 1 + named[0].length;
          break;
        }
        const ref = /^P=([A-Za-z_][A-Za-z0-9_]*)\)/.exec(rest);
        if (ref) {
          out += `\\k<${ref[1]}>`;
          i += 1 + ref[0].length;
          break;
        }
        if (rest.startsWith('#')) {
          const close = pattern.indexOf(')', i);
          if (close < 0) throw new RegexError('the comment (?# has no closing parenthesis');
          i = close + 1;
          break;
        }
        if (rest.startsWith('>')) throw new RegexError('atomic groups (?>...) are not supported', true);
        if (rest.startsWith('|')) throw new RegexError('branch reset groups (?|...) are not supported', true);
        if (rest.startsWith('(')) throw new RegexError('conditional groups (?(...)...) are not supported', true);
        if (/^[a-zA-Z-]+[):]/.test(rest)) throw new RegexError('inline flags are only supported at the start of the pattern', true);
        throw new RegexError(`the group (?${rest.slice(0, 2)} is not supported (recursion and other extensions)`, true);
      }
      case '*':
      case '+':
      case '?':
        out += ch;
        i++;
        quantifierFollows();
        break;
      case '{': {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(pattern.slice(i));
        if (m) {
          out += m[0];
          i += m[0].length;
          quantifierFollows();
        } else {
          out += '\\{';
          i++;
        }
        break;
      }
      case '}':
      case ']':
        out += `\\${ch}`;
        i++;
        break;
      case '$':
        out += multiline ? '$' : '(?=\\n?(?![\\s\\S]))';
        i++;
        break;
      case '^':
        out += '^';
        i++;
        break;
      case '/':
        out += '\\/';
        i++;
        break;
      default: {
        const cp = pattern.codePointAt(i)!;
        const s = String.fromCodePoint(cp);
        out += s === '.' || s === '|' || s === ')' ? s : literal(s, false);
        i += s.length;
      }
    }
  }
  if (inClass) throw new RegexError('a character class [ is not closed');
  const flags = `${ignoreCase ? 'i' : ''}${multiline ? 'm' : ''}${dotAll ? 's' : ''}u`;
  try {
    new RegExp(out, flags);
  } catch (e) {
    throw new RegexError(`the pattern is not a valid regular expression (${(e as Error).message})`);
  }
  return { source: out, flags };
}

/** A compiled pattern: a non-global RegExp for tests, a global one for replacing, and its group count. */
export interface CompiledRegex {
  readonly test: RegExp;
  readonly global: RegExp;
  readonly groups: number;
  readonly names: ReadonlySet<string>;
}

export function compileRegex(pattern: string): CompiledRegex {
  const t = translateRegex(pattern);
  const test = new RegExp(t.source, t.flags);
  const global = new RegExp(t.source, `${t.flags}g`);
  const groups = new RegExp(`${t.source}|`, t.flags).exec('')!.length - 1;
  const names = new Set<string>();
  for (const m of t.source.matchAll(/\(\?<([A-Za-z_][A-Za-z0-9_]*)>/g)) names.add(m[1]);
  return { test, global, groups, names };
}

const cache = new Map<string, CompiledRegex | RegexError>();
const CACHE_LIMIT = 256;

/** compileRegex with a small cache, for patterns only known at run time; a RegexError when the pattern is refused. */
export function cachedRegex(pattern: string): CompiledRegex | RegexError {
  let r = cache.get(pattern);
  if (r === undefined) {
    try {
      r = compileRegex(pattern);
    } catch (e) {
      if (!(e instanceof RegexError)) throw e;
      r = e;
    }
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(pattern, r);
  }
  return r;
}

/** A parsed replacement: literal texts and group references (number or name). */
export type Replacement = readonly (string | number | { readonly name: string })[];

/** Parses a Java/XPath replacement string against a compiled pattern. */
export function parseReplacement(text: string, re: CompiledRegex): Replacement {
  const parts: (string | number | { name: string })[] = [];
  let lit = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === '\\') {
      if (i + 1 >= text.length) throw new RegexError('the replacement ends with a lone backslash');
      lit += text[i + 1];
      i += 2;
      continue;
    }
    if (ch !== '$') {
      lit += ch;
      i++;
      continue;
    }
    if (text[i + 1] === '{') {
      const close = text.indexOf('}', i + 2);
      const name = close < 0 ? '' : text.slice(i + 2, close);
      if (!re.names.has(name)) throw new RegexError(`the replacement refers to the group \${${name}}, which the pattern does not define`);
      if (lit !== '') parts.push(lit);
      lit = '';
      parts.push({ name });
      i = close + 1;
      continue;
    }
    if (!isDigit(text[i + 1])) throw new RegexError('a $ in the replacement must be followed by a group number or {name} (write \\$ for a dollar sign)');
    // Java: the first digit always counts; further digits while the number stays a valid group.
    let num = text.charCodeAt(i + 1) - 48;
    i += 2;
    if (num > re.groups) throw new RegexError(`the replacement refers to group ${num}; the pattern has ${re.groups}`);
    while (isDigit(text[i])) {
      const next = num * 10 + (text.charCodeAt(i) - 48);
      if (next > re.groups) break;
      num = next;
      i++;
    }
    if (lit !== '') parts.push(lit);
    lit = '';
    parts.push(num);
  }
  if (lit !== '' || parts.length === 0) parts.push(lit);
  return parts;
}

/** Replaces every match of `re` in `s`. */
export function replaceAll(s: string, re: CompiledRegex, rep: Replacement): string {
  if (rep.length === 1 && typeof rep[0] === 'string') {
    const text = rep[0];
    return s.replace(re.global, () => text);
  }
  const g = re.groups;
  return s.replace(re.global, (...args: unknown[]) => {
    let out = '';
    for (const p of rep) {
      if (typeof p === 'string') out += p;
      else if (typeof p === 'number') out += (args[p] as string | undefined) ?? '';
      else {
        const named = args[g + 3] as Record<string, string | undefined> | undefined;
        out += named?.[p.name] ?? '';
      }
    }
    return out;
  });
}
