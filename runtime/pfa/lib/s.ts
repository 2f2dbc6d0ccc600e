// PFA library: basic string functions (s.*), specification §13.
//
// Strings are JavaScript strings, but PFA counts characters as Unicode code points
// (lengths, indexes, slices): the helpers below work on code points, with a fast path
// for strings without surrogates (where code points and UTF-16 units coincide).
// Search and replace here never use regular expressions (see re.ts for those).

import { pfaFail, type LibFunction } from '../types.js';

// ------------------------------------------------------------------ helpers (shared with bytes.ts and re.ts)

const SURROGATE = /[\uD800-\uDFFF]/;

/** Whether s has characters outside the BMP (or lone surrogates). */
export function hasSurrogates(s: string): boolean {
  return SURROGATE.test(s);
}

/** The code points of s (a lone surrogate counts as one character). */
export function codePoints(s: string): string[] {
  return Array.from(s);
}

/** Length in code points. */
export function cpLength(s: string): number {
  if (!hasSurrogates(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** The code point index of a UTF-16 index into s. */
function cpIndex(s: string, utf16: number): number {
  return hasSurrogates(s) ? cpLength(s.slice(0, utf16)) : utf16;
}

/**
 * Python's slice bounds: negative indexes count from the end, out-of-range indexes
 * are clamped, and end ≤ start gives an empty range at start.
 */
export function sliceBounds(length: number, start: number, end: number): [number, number] {
  const norm = (i: number): number => {
    const j = i < 0 ? i + length : i;
    return j < 0 ? 0 : j > length ? length : j;
  };
  const a = norm(start);
  const b = norm(end);
  return [a, b < a ? a : b];
}

function sliceCp(s: string, a: number, b: number): string {
  return hasSurrogates(s) ? codePoints(s).slice(a, b).join('') : s.slice(a, b);
}

/** Non-overlapping occurrences of a non-empty needle, left to right (UTF-16 indexes). */
function occurrences(haystack: string, needle: string): number[] {
  const out: number[] = [];
  for (let i = haystack.indexOf(needle); i >= 0; i = haystack.indexOf(needle, i + needle.length)) out.push(i);
  return out;
}

/** Replaces [i, i + len) of s (UTF-16 indexes) with r. */
function splice(s: string, i: number, len: number, r: string): string {
  return s.slice(0, i) + r + s.slice(i + len);
}

// ------------------------------------------------------------------ number formatting (s.int, s.hex, s.number)

/** Pads to |width| (left-justified when width < 0); a wider string is never truncated. */
function pad(body: string, width: number | null, zeroPad = false): string {
  if (width === null || width === 0) return body;
  if (width < 0) return body.padEnd(-width, ' ');
  if (!zeroPad) return body.padStart(width, ' ');
  const neg = body.startsWith('-');
  const digits = neg ? body.slice(1) : body;
  return (neg ? '-' : '') + digits.padStart(width - (neg ? 1 : 0), '0');
}

/** Exact decimal text of an integer-valued number (longs beyond 2^53 included). */
function integerText(x: number): string {
  return Math.abs(x) < 2 ** 53 ? String(x) : BigInt(x).toString();
}

/**
 * The exact value of a positive finite double as an integer times a power of ten:
 * x = digits × 10^-scale (every double has a finite decimal expansion).
 */
function exactDecimal(x: number): { digits: bigint; scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const hi = view.getUint32(0), lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  let mantissa = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  let exp: number;
  if (biased === 0) exp = -1074;
  else {
    mantissa |= 1n << 52n;
    exp = biased - 1075;
  }
  if (exp >= 0) return { digits: mantissa << BigInt(exp), scale: 0 };
  return { digits: mantissa * 5n ** BigInt(-exp), scale: -exp };
}

/** digits × 10^-drop rounded to an integer, ties to even (C printf under the default rounding mode). */
function roundDrop(digits: bigint, drop: number): bigint {
  if (drop <= 0) return digits * 10n ** BigInt(-drop);
  const unit = 10n ** BigInt(drop);
  const q = digits / unit, r = digits % unit, twice = 2n * r;
  if (twice > unit || (twice === unit && q % 2n === 1n)) return q + 1n;
  return q;
}

/** printf %.{p}f of |x| (x finite). */
function fixedText(x: number, p: number): string {
  const ax = Math.abs(x);
  let scaled: bigint;
  if (ax === 0) scaled = 0n;
  else {
    const { digits, scale } = exactDecimal(ax);
    scaled = roundDrop(digits, scale - p);
  }
  const s = scaled.toString().padStart(p + 1, '0');
  return p === 0 ? s : `${s.slice(0, s.length - p)}.${s.slice(s.length - p)}`;
}

/** printf %.{p}e of |x| (x finite). */
function expText(x: number, p: number): string {
  const ax = Math.abs(x);
  let mant: string, e: number;
  if (ax === 0) {
    mant = '0'.repeat(p + 1);
    e = 0;
  } else {
    const { digits, scale } = exactDecimal(ax);
    const nd = digits.toString().length;
    e = nd - 1 - scale;
    mant = roundDrop(digits, nd - (p + 1)).toString();
    if (mant.length > p + 1) {
      mant = mant.slice(0, p + 1);
      e++;
    }
  }
  const exp = `${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return `${mant[0]}${p > 0 ? `.${mant.slice(1)}` : ''}e${exp}`;
}

/** Removes trailing zeros after the decimal point, keeping at least one digit there. */
function trimZeros(s: string): string {
  return s.replace(/(\.\d*?)0+(?=$|e)/, (_, keep: string) => (keep === '.' ? '.0' : keep));
}

function formatDouble(x: number, width: number | null, precision: number | null, minNoExp: number, maxNoExp: number): string {
  let body: string;
  if (Number.isNaN(x)) body = 'nan';
  else if (!Number.isFinite(x)) body = x > 0 ? 'inf' : '-inf';
  else {
    const ax = Math.abs(x);
    const fixed = ax === 0 || (ax >= minNoExp && ax <= maxNoExp);
    const text = precision === null
      ? trimZeros(fixed ? fixedText(x, 6) : expText(x, 6))
      : fixed ? fixedText(x, precision) : expText(x, precision);
    body = x < 0 ? `-${text}` : text;
  }
  return pad(body, width);
}

// ------------------------------------------------------------------ basic access

export const sLen: LibFunction = {
  name: 's.len',
  sigs: [{ params: [{ name: 's', type: 'string' }], ret: 'int' }],
  make: () => (s: string) => cpLength(s),
};

export const sSubstr: LibFunction = {
  name: 's.substr',
  sigs: [{ params: [{ name: 's', type: 'string' }, { name: 'start', type: 'int' }, { name: 'end', type: 'int' }], ret: 'string' }],
  make: () => (s: string, start: number, end: number) => {
    const [a, b] = sliceBounds(cpLength(s), start, end);
    return sliceCp(s, a, b);
  },
};

export const sSubstrto: LibFunction = {
  name: 's.substrto',
  sigs: [{ params: [{ name: 's', type: 'string' }, { name: 'start', type: 'int' }, { name: 'end', type: 'int' }, { name: 'replacement', type: 'string' }], ret: 'string' }],
  make: () => (s: string, start: number, end: number, replacement: string) => {
    const n = cpLength(s);
    const [a, b] = sliceBounds(n, start, end);
    return sliceCp(s, 0, a) + replacement + sliceCp(s, b, n);
  },
};

// ------------------------------------------------------------------ search and replace

export const sContains: LibFunction = {
  name: 's.contains',
  sigs: [{ params: [{ name: 'haystack', type: 'string' }, { name: 'needle', type: 'string' }], ret: 'boolean' }],
  make: () => (haystack: string, needle: string) => haystack.includes(needle),
};

export const sCount: LibFunction = {
  name: 's.count',
  sigs: [{ params: [{ name: 'haystack', type: 'string' }, { name: 'needle', type: 'string' }], ret: 'int' }],
  make: () => (haystack: string, needle: string) => (needle === '' ? 0 : occurrences(haystack, needle).length),
};

export const sIndex: LibFunction = {
  name: 's.index',
  sigs: [{ params: [{ name: 'haystack', type: 'string' }, { name: 'needle', type: 'string' }], ret: 'int' }],
  make: () => (haystack: string, needle: string) => {
    const i = haystack.indexOf(needle);
    return i < 0 ? -1 : cpIndex(haystack, i);
  },
};

export const sRindex: LibFunction = {
  name: 's.rindex',
  sigs: [{ params: [{ name: 'haystack', type: 'string' }, { name: 'needle', type: 'string' }], ret: 'int' }],
  make: () => (haystack: string, needle: string) => {
    const i = haystack.lastIndexOf(needle);
    return i < 0 ? -1 : cpIndex(haystack, i);
  },
};

export const sStartswith: LibFunction = {
  name: 's.startswith',
  sigs: [{ params: [{ name: 'haystack', type: 'string' }, { name: 'needle', type: 'string' }], ret: 'boolean' }],
  make: () => (haystack: string, needle: string) => haystack.startsWith(needle),
};

export const sEndswith: LibFunction = {
  name: 's.endswith',
  sigs: [{ params: [{ name: 'haystack', type: 'string' }, { name: 'needle', type: 'string' }], ret: 'boolean' }],
  make: () => (haystack: string, needle: string) => haystack.endsWith(needle),
};

// ------------------------------------------------------------------ conversions to or from other types

export const sJoin: LibFunction = {
  name: 's.join',
  sigs: [{ params: [{ name: 'array', type: { type: 'array', items: 'string' } }, { name: 'sep', type: 'string' }], ret: 'string' }],
  make: () => (array: readonly string[], sep: string) => array.join(sep),
};

export const sSplit: LibFunction = {
  name: 's.split',
  sigs: [{ params: [{ name: 's', type: 'string' }, { name: 'sep', type: 'string' }], ret: { type: 'array', items: 'string' } }],
  make: () => (s: string, sep: string) => (sep === '' ? [] : s.split(sep)),
};

const INT_SIGS = [
  { params: [{ name: 'x', type: 'long' }], ret: 'string' },
  { params: [{ name: 'x', type: 'long' }, { name: 'width', type: 'int' }, { name: 'zeroPad', type: 'boolean' }], ret: 'string' },
];

function formatInt(name: string, negWidthCode: number) {
  return (x: number, width?: number, zeroPad?: boolean): string => {
    if (width === undefined) return integerText(x);
    if (width < 0 && zeroPad) pfaFail(negWidthCode, name, 'negative width cannot be used with zero-padding');
    return pad(integerText(x), width, zeroPad);
  };
}

export const sInt: LibFunction = {
  name: 's.int',
  sigs: INT_SIGS,
  make: () => formatInt('s.int', 39240),
};

export const sHex: LibFunction = {
  name: 's.hex',
  sigs: INT_SIGS,
  make: () => (x: number, width?: number, zeroPad?: boolean) => {
    if (x < 0) pfaFail(39111, 's.hex', 'negative number');
    if (width !== undefined && width < 0 && zeroPad) pfaFail(39110, 's.hex', 'negative width cannot be used with zero-padding');
    const body = x.toString(16);
    return width === undefined ? body : pad(body, width, zeroPad);
  },
};

export const sNumber: LibFunction = {
  name: 's.number',
  sigs: [
    { params: [{ name: 'x', type: 'long' }], ret: 'string' },
    { params: [{ name: 'x', type: 'long' }, { name: 'width', type: 'int' }, { name: 'zeroPad', type: 'boolean' }], ret: 'string' },
    { params: [{ name: 'x', type: 'double' }, { name: 'width', type: { type: 'union', of: ['int', 'null'] } }, { name: 'precision', type: { type: 'union', of: ['int', 'null'] } }], ret: 'string' },
    {
      params: [
        { name: 'x', type: 'double' }, { name: 'width', type: { type: 'union', of: ['int', 'null'] } },
        { name: 'precision', type: { type: 'union', of: ['int', 'null'] } }, { name: 'minNoExp', type: 'double' }, { name: 'maxNoExp', type: 'double' },
      ],
      ret: 'string',
    },
  ],
  make: (types) => {
    if (types.sig < 2) return formatInt('s.number', 39120);
    return (x: number, width: number | null, precision: number | null, minNoExp = 0.0001, maxNoExp = 100000) => {
      if (precision !== null && precision < 0) pfaFail(39121, 's.number', 'negative precision');
      return formatDouble(x, width, precision, minNoExp, maxNoExp);
    };
  },
};

// ------------------------------------------------------------------ conversions to or from other strings

export const sConcat: LibFunction = {
  name: 's.concat',
  sigs: [{ params: [{ name: 'x', type: 'string' }, { name: 'y', type: 'string' }], ret: 'string' }],
  make: () => (x: string, y: string) => x + y,
};

export const sRepeat: LibFunction = {
  name: 's.repeat',
  sigs: [{ params: [{ name: 's', type: 'string' }, { name: 'n', type: 'int' }], ret: 'string' }],
  make: () => (s: string, n: number) => (n <= 0 ? '' : s.repeat(n)),
};

export const sLower: LibFunction = {
  name: 's.lower',
  sigs: [{ params: [{ name: 's', type: 'string' }], ret: 'string' }],
  make: () => (s: string) => s.toLowerCase(),
};

export const sUpper: LibFunction = {
  name: 's.upper',
  sigs: [{ params: [{ name: 's', type: 'string' }], ret: 'string' }],
  make: () => (s: string) => s.toUpperCase(),
};

function stripper(left: boolean, right: boolean) {
  return (s: string, chars: string): string => {
    if (chars === '' || s === '') return s;
    const set = new Set(codePoints(chars));
    const cps = codePoints(s);
    let a = 0, b = cps.length;
    if (left) while (a < b && set.has(cps[a])) a++;
    if (right) while (b > a && set.has(cps[b - 1])) b--;
    return a === 0 && b === cps.length ? s : cps.slice(a, b).join('');
  };
}

const STRIP_SIG = [{ params: [{ name: 's', type: 'string' }, { name: 'chars', type: 'string' }], ret: 'string' }];

export const sLstrip: LibFunction = { name: 's.lstrip', sigs: STRIP_SIG, make: () => stripper(true, false) };
export const sRstrip: LibFunction = { name: 's.rstrip', sigs: STRIP_SIG, make: () => stripper(false, true) };
export const sStrip: LibFunction = { name: 's.strip', sigs: STRIP_SIG, make: () => stripper(true, true) };

const REPLACE_SIG = [{ params: [{ name: 's', type: 'string' }, { name: 'original', type: 'string' }, { name: 'replacement', type: 'string' }], ret: 'string' }];

export const sReplaceall: LibFunction = {
  name: 's.replaceall',
  sigs: REPLACE_SIG,
  make: () => (s: string, original: string, replacement: string) => {
    // An empty original matches before every character and at the end (Python's str.replace).
    if (original === '') return replacement + codePoints(s).map((c) => c + replacement).join('');
    return s.split(original).join(replacement);
  },
};

export const sReplacefirst: LibFunction = {
  name: 's.replacefirst',
  sigs: REPLACE_SIG,
  make: () => (s: string, original: string, replacement: string) => {
    const i = s.indexOf(original);
    return i < 0 ? s : splice(s, i, original.length, replacement);
  },
};

export const sReplacelast: LibFunction = {
  name: 's.replacelast',
  sigs: REPLACE_SIG,
  make: () => (s: string, original: string, replacement: string) => {
    const i = s.lastIndexOf(original);
    return i < 0 ? s : splice(s, i, original.length, replacement);
  },
};

export const sTranslate: LibFunction = {
  name: 's.translate',
  sigs: [{ params: [{ name: 's', type: 'string' }, { name: 'oldchars', type: 'string' }, { name: 'newchars', type: 'string' }], ret: 'string' }],
  make: () => (s: string, oldchars: string, newchars: string) => {
    const from = codePoints(oldchars), to = codePoints(newchars);
    const map = new Map<string, string>();
    // The first occurrence of a character in oldchars decides (as tr does).
    from.forEach((c, i) => {
      if (!map.has(c)) map.set(c, i < to.length ? to[i] : '');
    });
    if (map.size === 0) return s;
    let out = '';
    for (const c of s) out += map.get(c) ?? c;
    return out;
  },
};
