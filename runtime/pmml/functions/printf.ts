// formatNumber: C printf-style patterns ("%3d", "%.2f", "%08.3e", "%x", "%,d"),
// parsed once into parts and applied to one number. Every conversion of the
// pattern formats the same value (PMML passes a single number).
//
// Conversions: d i u (integer: the value truncated towards zero), o x X (integer,
// negative values as 64-bit two's complement), f F e E g G (floating point), s
// (the number's canonical text), %% (a percent sign). Flags: - + space 0 # and
// Java's , (grouping). Width and precision are literal digits; length modifiers
// (h l ll L q j z t) are accepted and ignored.

import { numberText } from '../values.js';

interface Spec {
  readonly conv: string;
  readonly left: boolean;
  readonly plus: boolean;
  readonly space: boolean;
  readonly zero: boolean;
  readonly alt: boolean;
  readonly group: boolean;
  readonly width: number;
  readonly precision: number | undefined;
}

export type PrintfPattern = readonly (string | Spec)[];

const CONVERSIONS = 'diuoxXfFeEgGs';

/** Parses a printf pattern; throws an Error naming the problem when it is not one. */
export function parsePrintf(pattern: string): PrintfPattern {
  const parts: (string | Spec)[] = [];
  let lit = '';
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i];
    if (ch !== '%') {
      lit += ch;
      i++;
      continue;
    }
    if (pattern[i + 1] === '%') {
      lit += '%';
      i += 2;
      continue;
    }
    const start = i;
    i++;
    let left = false, plus = false, space = false, zero = false, alt = false, group = false;
    for (;;) {
      const f = pattern[i];
      if (f === '-') left = true;
      else if (f === '+') plus = true;
      else if (f === ' ') space = true;
      else if (f === '0') zero = true;
      else if (f === '#') alt = true;
      else if (f === ',' || f === "'") group = true;
      else break;
      i++;
    }
    let width = 0;
    while (i < pattern.length && pattern[i] >= '0' && pattern[i] <= '9') width = width * 10 + (pattern.charCodeAt(i++) - 48);
    let precision: number | undefined;
    if (pattern[i] === '.') {
      i++;
      precision = 0;
      while (i < pattern.length && pattern[i] >= '0' && pattern[i] <= '9') precision = precision * 10 + (pattern.charCodeAt(i++) - 48);
    }
    if (pattern[i] === '*') throw new Error(`the conversion ${JSON.stringify(pattern.slice(start, i + 1))} takes its width or precision from an argument, which formatNumber cannot supply`);
    while (i < pattern.length && 'hlLqjzt'.includes(pattern[i])) i++;
    const conv = pattern[i];
    if (conv === undefined || !CONVERSIONS.includes(conv)) {
      throw new Error(`${JSON.stringify(pattern.slice(start, i + 1))} is not a supported number conversion (use one of %d %i %u %o %x %X %f %F %e %E %g %G %s)`);
    }
    if (width > 1000 || (precision ?? 0) > 1000) throw new Error(`the conversion ${JSON.stringify(pattern.slice(start, i + 1))} asks for more than 1000 characters`);
    i++;
    if (lit !== '') {
      parts.push(lit);
      lit = '';
    }
    parts.push({ conv, left, plus, space, zero, alt, group, width, precision });
  }
  if (lit !== '' || parts.length === 0) parts.push(lit);
  return parts;
}

/** Formats `x` with a parsed pattern. */
export function formatPrintf(parts: PrintfPattern, x: number): string {
  if (parts.length === 1) {
    const p = parts[0];
    return typeof p === 'string' ? p : formatOne(p, x);
  }
  let out = '';
  for (const p of parts) out += typeof p === 'string' ? p : formatOne(p, x);
  return out;
}

function groupDigits(digits: string): string {
  let out = '';
  const n = digits.length;
  for (let i = 0; i < n; i++) {
    if (i > 0 && (n - i) % 3 === 0) out += ',';
    out += digits[i];
  }
  return out;
}

/** Decimal digits of a non-negative finite number in fixed notation with `prec` decimals. */
function fixed(a: number, prec: number): string {
  if (a < 1e21) return a.toFixed(Math.min(prec, 100)) + (prec > 100 ? '0'.repeat(prec - 100) : '');
  const int = BigInt(a).toString();
  return prec > 0 ? `${int}.${'0'.repeat(prec)}` : int;
}

/** Exponential notation with `prec` decimals and an at-least-two-digit exponent (C style). */
function exponential(a: number, prec: number, upper: boolean): string {
  const s = a.toExponential(Math.min(prec, 100));
  const at = s.indexOf('e');
  let mant = s.slice(0, at);
  if (prec > 100) mant += '0'.repeat(prec - 100);
  const sign = s[at + 1];
  const digits = s.slice(at + 2).padStart(2, '0');
  return `${mant}${upper ? 'E' : 'e'}${sign}${digits}`;
}

function stripZeros(s: string): string {
  const e = s.search(/[eE]/);
  const mant = e < 0 ? s : s.slice(0, e);
  const exp = e < 0 ? '' : s.slice(e);
  if (!mant.includes('.')) return s;
  let end = mant.length;
  while (mant[end - 1] === '0') end--;
  if (mant[end - 1] === '.') end--;
  return mant.slice(0, end) + exp;
}

function formatOne(p: Spec, x: number): string {
  const conv = p.conv;
  const upper = conv === 'X' || conv === 'F' || conv === 'E' || conv === 'G';
  let sign = '';
  let prefix = '';
  let body: string;
  let numeric = true;
  if (Number.isNaN(x)) {
    body = upper ? 'NAN' : 'nan';
    numeric = false;
  } else if (!Number.isFinite(x)) {
    body = upper ? 'INF' : 'inf';
    if (x < 0) sign = '-';
    numeric = false;
  } else {
    const neg = x < 0 || Object.is(x, -0);
    switch (conv) {
      case 'd':
      case 'i':
      case 'u': {
        const t = Math.trunc(x);
        const a = Math.abs(t);
        body = a < 1e21 ? String(a) : BigInt(a).toString();
        if (p.precision !== undefined) body = p.precision === 0 && a === 0 ? '' : body.padStart(p.precision, '0');
        if (p.group) body = groupDigits(body);
        if (t < 0) sign = '-';
        break;
      }
      case 'o':
      case 'x':
      case 'X': {
        const t = Math.trunc(x);
        const big = t < 0 ? BigInt.asUintN(64, BigInt(t)) : BigInt(t);
        body = big.toString(conv === 'o' ? 8 : 16);
        if (conv === 'X') body = body.toUpperCase();
        if (p.precision !== undefined) body = p.precision === 0 && t === 0 ? '' : body.padStart(p.precision, '0');
        if (p.alt && t !== 0) {
          if (conv === 'o') {
            if (!body.startsWith('0')) body = `0${body}`;
          } else prefix = conv === 'x' ? '0x' : '0X';
        }
        break;
      }
      case 'f':
      case 'F': {
        const prec = p.precision ?? 6;
        body = fixed(Math.abs(x), prec);
        if (p.group) {
          const dot = body.indexOf('.');
          body = dot < 0 ? groupDigits(body) : groupDigits(body.slice(0, dot)) + body.slice(dot);
        }
        if (p.alt && prec === 0) body += '.';
        if (neg) sign = '-';
        break;
      }
      case 'e':
      case 'E': {
        const prec = p.precision ?? 6;
        body = exponential(Math.abs(x), prec, upper);
        if (p.alt && prec === 0) body = body.replace(/[eE]/, (m) => `.${m}`);
        if (neg) sign = '-';
        break;
      }
      case 'g':
      case 'G': {
        const P = p.precision === undefined ? 6 : p.precision === 0 ? 1 : p.precision;
        const a = Math.abs(x);
        let X = 0;
        if (a !== 0) {
          const e = exponential(a, P - 1, false);
          X = Number(e.slice(e.indexOf('e') + 1));
        }
        body = P > X && X >= -4 ? fixed(a, P - 1 - X) : exponential(a, P - 1, upper);
        if (!p.alt) body = stripZeros(body);
        else if (!body.includes('.')) body = body.replace(/^(\d+)/, '$1.');
        if (neg) sign = '-';
        break;
      }
      default: {
        // 's'
        body = numberText(x);
        if (p.precision !== undefined) body = body.slice(0, p.precision);
        numeric = false;
        break;
      }
    }
    if (sign === '' && numeric && conv !== 'o' && conv !== 'x' && conv !== 'X') {
      if (p.plus) sign = '+';
      else if (p.space) sign = ' ';
    }
  }
  const len = sign.length + prefix.length + body.length;
  if (len >= p.width) return sign + prefix + body;
  const pad = p.width - len;
  if (p.left) return sign + prefix + body + ' '.repeat(pad);
  const zeroAllowed = numeric && p.zero && !((conv === 'd' || conv === 'i' || conv === 'u' || conv === 'o' || conv === 'x' || conv === 'X') && p.precision !== undefined);
  if (zeroAllowed) return sign + prefix + '0'.repeat(pad) + body;
  return ' '.repeat(pad) + sign + prefix + body;
}
