// Date and time built-ins of PMML: formatDatetime (POSIX strftime-style patterns,
// C locale, no time zones), dateDaysSinceYear, dateSecondsSinceYear,
// dateSecondsSinceMidnight, and the canonical forms they work on.
//
// Canonical forms (values.ts representation): a date is days since 1970-01-01,
// a date-time is seconds since 1970-01-01T00:00:00. Arguments of other temporal
// types are converted by the expression compiler (it knows their static type);
// strings are parsed as ISO 8601 here.

import { civilFromDays, daysFromCivil, parseIsoDate, parseIsoDateTime, parseNumeric } from './values.js';
import type { Value } from './types.js';

const DAY_NAMES = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTH_NAMES = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A value as a date (days since 1970-01-01): numbers as they are, strings parsed as ISO dates or date-times; NaN otherwise. */
export function asDateDays(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const d = parseIsoDate(v);
    if (d !== undefined) return d;
    const s = parseIsoDateTime(v);
    if (s !== undefined) return Math.floor(s / 86400);
    return parseNumeric(v);
  }
  return NaN;
}

/** A value as a date-time (seconds since 1970-01-01T00:00:00): numbers as they are, strings parsed as ISO; NaN otherwise. */
export function asDateTimeSeconds(v: Value): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'string') {
    const s = parseIsoDateTime(v);
    if (s !== undefined) return s;
    return parseNumeric(v);
  }
  return NaN;
}

/** A year argument: an integer, else NaN. */
function asYear(v: Value): number {
  const y = typeof v === 'number' ? v : typeof v === 'string' ? parseNumeric(v) : NaN;
  return Number.isInteger(y) ? y : NaN;
}

/** dateDaysSinceYear(date, year): days from year-01-01 to the date. */
export function dateDaysSinceYear(date: Value, year: Value): number {
  const d = asDateDays(date);
  const y = asYear(year);
  if (!Number.isFinite(d) || Number.isNaN(y)) return NaN;
  return Math.floor(d) - daysFromCivil(y, 1, 1);
}

/** dateSecondsSinceYear(dateTime, year): seconds from year-01-01T00:00:00 to the date-time. */
export function dateSecondsSinceYear(dateTime: Value, year: Value): number {
  const s = asDateTimeSeconds(dateTime);
  const y = asYear(year);
  if (!Number.isFinite(s) || Number.isNaN(y)) return NaN;
  return s - daysFromCivil(y, 1, 1) * 86400;
}

/** dateSecondsSinceMidnight(dateTime): seconds since the start of the date-time's day. */
export function dateSecondsSinceMidnight(dateTime: Value): number {
  const s = asDateTimeSeconds(dateTime);
  if (!Number.isFinite(s)) return NaN;
  return s - Math.floor(s / 86400) * 86400;
}

// ---------------------------------------------------------------------------
// formatDatetime

interface Broken {
  readonly year: number;
  readonly month: number; // 1..12
  readonly day: number; // 1..31
  readonly yday: number; // 0..365
  readonly wday: number; // 0 = Sunday
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly days: number; // days since 1970-01-01
  readonly seconds: number; // seconds since 1970-01-01T00:00:00 (whole)
}

function breakDown(seconds: number): Broken {
  const whole = Math.floor(seconds);
  const days = Math.floor(whole / 86400);
  const sod = whole - days * 86400;
  const { year, month, day } = civilFromDays(days);
  const yday = days - daysFromCivil(year, 1, 1);
  const wday = (((days + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
  return { year, month, day, yday, wday, hour: Math.floor(sod / 3600), minute: Math.floor((sod % 3600) / 60), second: sod % 60, days, seconds: whole };
}

function isoWeek(b: Broken): { year: number; week: number } {
  const mondayBased = (b.wday + 6) % 7; // Monday = 0
  const thursday = b.days - mondayBased + 3;
  const year = civilFromDays(thursday).year;
  return { year, week: Math.floor((thursday - daysFromCivil(year, 1, 1)) / 7) + 1 };
}

type Field = (b: Broken) => string | number;

interface Directive {
  readonly field: Field;
  /** Zero-padded width of numeric fields (0: not padded). */
  readonly width: number;
  /** The padding character by default ('0' or ' '). */
  readonly pad: '0' | ' ';
}

const mod100 = (y: number): number => ((y % 100) + 100) % 100;

const DIRECTIVES: Readonly<Record<string, Directive>> = {
  a: { field: (b) => DAY_NAMES[b.wday].slice(0, 3), width: 0, pad: ' ' },
  A: { field: (b) => DAY_NAMES[b.wday], width: 0, pad: ' ' },
  b: { field: (b) => MONTH_NAMES[b.month - 1].slice(0, 3), width: 0, pad: ' ' },
  h: { field: (b) => MONTH_NAMES[b.month - 1].slice(0, 3), width: 0, pad: ' ' },
  B: { field: (b) => MONTH_NAMES[b.month - 1], width: 0, pad: ' ' },
  C: { field: (b) => Math.floor(b.year / 100), width: 2, pad: '0' },
  d: { field: (b) => b.day, width: 2, pad: '0' },
  e: { field: (b) => b.day, width: 2, pad: ' ' },
  G: { field: (b) => isoWeek(b).year, width: 0, pad: '0' },
  g: { field: (b) => mod100(isoWeek(b).year), width: 2, pad: '0' },
  H: { field: (b) => b.hour, width: 2, pad: '0' },
  k: { field: (b) => b.hour, width: 2, pad: ' ' },
  I: { field: (b) => (b.hour % 12 === 0 ? 12 : b.hour % 12), width: 2, pad: '0' },
  l: { field: (b) => (b.hour % 12 === 0 ? 12 : b.hour % 12), width: 2, pad: ' ' },
  j: { field: (b) => b.yday + 1, width: 3, pad: '0' },
  m: { field: (b) => b.month, width: 2, pad: '0' },
  M: { field: (b) => b.minute, width: 2, pad: '0' },
  p: { field: (b) => (b.hour < 12 ? 'AM' : 'PM'), width: 0, pad: ' ' },
  P: { field: (b) => (b.hour < 12 ? 'am' : 'pm'), width: 0, pad: ' ' },
  s: { field: (b) => b.seconds, width: 0, pad: '0' },
  S: { field: (b) => b.second, width: 2, pad: '0' },
  u: { field: (b) => (b.wday === 0 ? 7 : b.wday), width: 0, pad: '0' },
  w: { field: (b) => b.wday, width: 0, pad: '0' },
  U: { field: (b) => Math.floor((b.yday + 7 - b.wday) / 7), width: 2, pad: '0' },
  W: { field: (b) => Math.floor((b.yday + 7 - ((b.wday + 6) % 7)) / 7), width: 2, pad: '0' },
  V: { field: (b) => isoWeek(b).week, width: 2, pad: '0' },
  y: { field: (b) => mod100(b.year), width: 2, pad: '0' },
  Y: { field: (b) => b.year, width: 0, pad: '0' },
  z: { field: () => '+0000', width: 0, pad: ' ' },
  Z: { field: () => '', width: 0, pad: ' ' },
};

/** Composite conversions, expanded when the pattern is parsed (C locale). */
const COMPOSITES: Readonly<Record<string, string>> = {
  c: '%a %b %e %H:%M:%S %Y',
  D: '%m/%d/%y',
  F: '%Y-%m-%d',
  r: '%I:%M:%S %p',
  R: '%H:%M',
  T: '%H:%M:%S',
  x: '%m/%d/%y',
  X: '%H:%M:%S',
};

interface Part {
  readonly d: Directive;
  /** '-' no padding, '_' spaces, '0' zeros, '' the directive's default. */
  readonly flag: string;
}

export type DatetimePattern = readonly (string | Part)[];

/** Parses a strftime-style pattern; throws an Error naming an unknown conversion. */
export function parseDatetimePattern(pattern: string, depth = 0): DatetimePattern {
  const parts: (string | Part)[] = [];
  let lit = '';
  const flush = (): void => {
    if (lit !== '') parts.push(lit);
    lit = '';
  };
  let i = 0;
  while (i < pattern.length) {
    const ch = pattern[i];
    if (ch !== '%') {
      lit += ch;
      i++;
      continue;
    }
    const start = i;
    i++;
    let flag = '';
    if (pattern[i] === '-' || pattern[i] === '_' || pattern[i] === '0') flag = pattern[i++];
    if (pattern[i] === 'E' || pattern[i] === 'O') i++;
    const c = pattern[i];
    i++;
    if (c === '%') lit += '%';
    else if (c === 'n') lit += '\n';
    else if (c === 't') lit += '\t';
    else if (c !== undefined && COMPOSITES[c] !== undefined && depth === 0) {
      flush();
      parts.push(...parseDatetimePattern(COMPOSITES[c], 1));
    } else if (c !== undefined && DIRECTIVES[c] !== undefined) {
      flush();
      parts.push({ d: DIRECTIVES[c], flag });
    } else {
      throw new Error(`${JSON.stringify(pattern.slice(start, i))} is not a supported date/time conversion`);
    }
  }
  flush();
  return parts;
}

function render(part: Part, b: Broken): string {
  const v = part.d.field(b);
  if (typeof v === 'string') return v;
  const neg = v < 0;
  let s = String(Math.abs(v));
  const width = part.d.width;
  const padChar = part.flag === '_' ? ' ' : part.flag === '0' ? '0' : part.d.pad;
  if (part.flag !== '-' && s.length < width) s = (padChar === '0' ? '0' : ' ').repeat(width - s.length) + s;
  return neg ? `-${s}` : s;
}

/** Formats a date-time (seconds since 1970-01-01T00:00:00) with a parsed pattern. */
export function formatDatetime(seconds: number, parts: DatetimePattern): string {
  const b = breakDown(seconds);
  let out = '';
  for (const p of parts) out += typeof p === 'string' ? p : render(p, b);
  return out;
}
