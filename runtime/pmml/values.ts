// PMML data types at run time: converting caller values and document literals
// to typed Values, comparing them, category keys, and the date/time epochs.
//
// Representation (types.ts Value = number | string | boolean | null):
//   string                      string
//   integer, float, double      number (float values are rounded to float32 with Math.fround)
//   boolean                     boolean
//   date                        days since 1970-01-01
//   time, timeSeconds           seconds since midnight
//   dateTime                    seconds since 1970-01-01T00:00:00 (no time zone)
//   dateDaysSince[Y]            days since Y-01-01
//   dateTimeSecondsSince[Y]     seconds since Y-01-01T00:00:00
// The calendar is the proleptic Gregorian one (year 0 = 1 BC), as in ISO 8601.

import { fail } from './el.js';
import type { DataType, OpType, Value } from './types.js';

/** Marks a value that cannot be converted to the requested data type. */
export const INVALID: unique symbol = Symbol('pmml.invalid');

const DATA_TYPES: ReadonlySet<string> = new Set<DataType>([
  'string', 'integer', 'float', 'double', 'boolean',
  'date', 'time', 'dateTime',
  'dateDaysSince[0]', 'dateDaysSince[1960]', 'dateDaysSince[1970]', 'dateDaysSince[1980]',
  'timeSeconds',
  'dateTimeSecondsSince[0]', 'dateTimeSecondsSince[1960]', 'dateTimeSecondsSince[1970]', 'dateTimeSecondsSince[1980]',
]);

/** The dataType attribute of a field. Absent → double (the most permissive numeric type is not assumed silently: callers pass a default when the attribute is optional). */
export function parseDataType(s: string | undefined, path: string): DataType {
  if (s === undefined) return fail(path, 'the dataType attribute is missing');
  // PMML 3.x documents sometimes wrote XML Schema names (xs:double).
  const name = s.startsWith('xs:') ? s.slice(3) : s;
  if (DATA_TYPES.has(name)) return name as DataType;
  return fail(path, `dataType="${s}" is not a PMML data type`);
}

/** The optype attribute; when absent: continuous for numeric types, categorical otherwise. */
export function parseOpType(s: string | undefined, dataType: DataType, path: string): OpType {
  if (s === undefined) return isNumericType(dataType) && dataType !== 'boolean' ? 'continuous' : 'categorical';
  if (s === 'categorical' || s === 'ordinal' || s === 'continuous') return s;
  return fail(path, `optype="${s}" is not one of categorical, ordinal, continuous`);
}

/** integer, float, double and the numeric date/time types. */
export function isNumericType(dt: DataType): boolean {
  return dt !== 'string' && dt !== 'boolean';
}

// ---------------------------------------------------------------------------
// Calendar helpers (proleptic Gregorian, days counted from 1970-01-01).

/** Days from 1970-01-01 to year-month-day (month 1..12); works for any year, including year 0 and negative ones. */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400; // 0..399
  const mp = (month + 9) % 12; // March = 0
  const doy = Math.floor((153 * mp + 2) / 5) + day - 1; // 0..365
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy; // 0..146096
  return era * 146097 + doe - 719468;
}

/** The calendar date of a day count from 1970-01-01. */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = Math.floor(days) + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return { year: yoe + era * 400 + (month <= 2 ? 1 : 0), month, day };
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

const DATE_RE = /^([+-]?\d{4,})-(\d{2})-(\d{2})$/;
const TIME_RE = /^(\d{2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?$/;

/** An ISO date `YYYY-MM-DD` → days since 1970-01-01; undefined when not a valid date. */
export function parseIsoDate(text: string): number | undefined {
  const m = DATE_RE.exec(text.trim());
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return daysFromCivil(year, month, day);
}

/** An ISO time `hh:mm[:ss[.fff]]` → seconds since midnight; undefined when not valid (24:00:00 is accepted). */
export function parseIsoTime(text: string): number | undefined {
  const m = TIME_RE.exec(text.trim());
  if (!m) return undefined;
  const h = Number(m[1]);
  const min = Number(m[2]);
  const s = m[3] === undefined ? 0 : Number(m[3]);
  if (min > 59 || s >= 61) return undefined;
  if (h > 24 || (h === 24 && (min !== 0 || s !== 0))) return undefined;
  return h * 3600 + min * 60 + s;
}

/** An ISO date-time `YYYY-MM-DDThh:mm[:ss]` (also with a space; a trailing `Z` is ignored) or a bare date → seconds since 1970-01-01T00:00:00. */
export function parseIsoDateTime(text: string): number | undefined {
  let s = text.trim();
  if (s.endsWith('Z')) s = s.slice(0, -1);
  const at = s.search(/[T ]/);
  if (at < 0) {
    const d = parseIsoDate(s);
    return d === undefined ? undefined : d * 86400;
  }
  const d = parseIsoDate(s.slice(0, at));
  const t = parseIsoTime(s.slice(at + 1));
  if (d === undefined || t === undefined) return undefined;
  return d * 86400 + t;
}

/** Days from 1970-01-01 to `year`-01-01 (the epoch of dateDaysSince[year]). */
export function epochDays(year: number): number {
  return daysFromCivil(year, 1, 1);
}

/** Formats days since 1970-01-01 as `YYYY-MM-DD`. */
export function formatIsoDate(days: number): string {
  const { year, month, day } = civilFromDays(days);
  const y = year < 0 ? `-${String(-year).padStart(4, '0')}` : String(year).padStart(4, '0');
  return `${y}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Formats seconds since midnight as `hh:mm:ss`. */
export function formatIsoTime(seconds: number): string {
  const s = Math.floor(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;
}

/** Formats seconds since 1970-01-01T00:00:00 as `YYYY-MM-DDThh:mm:ss`. */
export function formatIsoDateTime(seconds: number): string {
  const days = Math.floor(seconds / 86400);
  return `${formatIsoDate(days)}T${formatIsoTime(seconds - days * 86400)}`;
}

/** How a date/time data type is represented: unit (days or seconds) and epoch in days since 1970 (null = time of day). */
export function temporalKind(dt: DataType): { readonly unit: 'days' | 'seconds'; readonly epochDays: number | null } | undefined {
  switch (dt) {
    case 'date': return { unit: 'days', epochDays: 0 };
    case 'dateDaysSince[0]': return { unit: 'days', epochDays: epochDays(0) };
    case 'dateDaysSince[1960]': return { unit: 'days', epochDays: epochDays(1960) };
    case 'dateDaysSince[1970]': return { unit: 'days', epochDays: 0 };
    case 'dateDaysSince[1980]': return { unit: 'days', epochDays: epochDays(1980) };
    case 'time':
    case 'timeSeconds': return { unit: 'seconds', epochDays: null };
    case 'dateTime': return { unit: 'seconds', epochDays: 0 };
    case 'dateTimeSecondsSince[0]': return { unit: 'seconds', epochDays: epochDays(0) };
    case 'dateTimeSecondsSince[1960]': return { unit: 'seconds', epochDays: epochDays(1960) };
    case 'dateTimeSecondsSince[1970]': return { unit: 'seconds', epochDays: 0 };
    case 'dateTimeSecondsSince[1980]': return { unit: 'seconds', epochDays: epochDays(1980) };
    default: return undefined;
  }
}

/** An ISO date/time text → the numeric representation of `dt` (a temporal type); undefined when it does not parse. */
export function parseTemporal(text: string, dt: DataType): number | undefined {
  const kind = temporalKind(dt);
  if (!kind) return undefined;
  if (kind.epochDays === null) {
    const t = parseIsoTime(text);
    if (t !== undefined) return t;
    // A date-time given for a time field: its time of day.
    const dtm = text.includes('T') || text.includes(' ') ? parseIsoDateTime(text) : undefined;
    return dtm === undefined ? undefined : dtm - Math.floor(dtm / 86400) * 86400;
  }
  const secs = parseIsoDateTime(text);
  if (secs === undefined) return undefined;
  if (kind.unit === 'days') return Math.floor(secs / 86400) - kind.epochDays;
  return secs - kind.epochDays * 86400;
}

// ---------------------------------------------------------------------------
// Conversions.

/** Parses numeric text (also INF/-INF/NaN spellings); NaN when it is not a number. */
export function parseNumeric(text: string): number {
  const s = text.trim();
  // Number() alone: for a trimmed, non-empty string without a 0x/0b/0o prefix, a finite result means
  // a decimal literal (ECMAScript StringNumericLiteral: no separators, no other forms), exactly the
  // strings isDecimalText accepts; inputs arrive as text row after row, so no second pass for them.
  if (s.length > 0) {
    const x = Number(s);
    if (x - x === 0) return hasRadixPrefix(s) ? NaN : x;
    if (x === x && isDecimalText(s)) return x; // ±Infinity from a decimal too big (1e999)
  }
  switch (s) {
    case 'INF': case 'Infinity': case 'inf': case '+INF': case '+Infinity': return Infinity;
    case '-INF': case '-Infinity': case '-inf': return -Infinity;
    default: return NaN;
  }
}

/** 0x…, 0b…, 0o… (either case): texts Number() reads in another base. */
function hasRadixPrefix(s: string): boolean {
  if (s.length < 2 || s.charCodeAt(0) !== 48) return false;
  const c = s.charCodeAt(1) | 0x20;
  return c === 120 || c === 98 || c === 111; // x b o
}

const CODE_0 = 48;
const CODE_9 = 57;

/**
 * Whether `s` is a decimal number: /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/ (no hex, no
 * Infinity, no blanks: what Number() would also accept is narrowed to this), by a scan of the
 * char codes.
 */
export function isDecimalText(s: string): boolean {
  const n = s.length;
  let i = 0;
  let c = n > 0 ? s.charCodeAt(0) : 0;
  if (c === 43 || c === 45) c = ++i < n ? s.charCodeAt(i) : 0; // + -
  let digits = 0;
  while (c >= CODE_0 && c <= CODE_9) {
    digits++;
    c = ++i < n ? s.charCodeAt(i) : 0;
  }
  if (c === 46) { // .
    c = ++i < n ? s.charCodeAt(i) : 0;
    while (c >= CODE_0 && c <= CODE_9) {
      digits++;
      c = ++i < n ? s.charCodeAt(i) : 0;
    }
  }
  if (digits === 0) return false;
  if (c === 101 || c === 69) { // e E
    c = ++i < n ? s.charCodeAt(i) : 0;
    if (c === 43 || c === 45) c = ++i < n ? s.charCodeAt(i) : 0;
    let exponent = 0;
    while (c >= CODE_0 && c <= CODE_9) {
      exponent++;
      c = ++i < n ? s.charCodeAt(i) : 0;
    }
    if (exponent === 0) return false;
  }
  return i === n;
}

/** The canonical text of a number: integral values without a decimal point (`1`, not `1.0`). */
export function numberText(n: number): string {
  return Object.is(n, -0) ? '0' : String(n);
}

/**
 * A caller's value → typed Value. null/undefined/NaN → null (missing); an empty string is missing
 * for every type but string. Returns INVALID when the value does not fit the data type.
 */
export function convertInput(raw: unknown, dataType: DataType): Value | typeof INVALID {
  if (raw === null || raw === undefined) return null;
  switch (typeof raw) {
    case 'number':
      if (Number.isNaN(raw)) return null;
      return fromNumber(raw, dataType);
    case 'string':
      return fromString(raw, dataType, true);
    case 'boolean':
      if (dataType === 'boolean') return raw;
      if (dataType === 'string') return raw ? 'true' : 'false';
      return fromNumber(raw ? 1 : 0, dataType);
    case 'bigint':
      return fromNumber(Number(raw), dataType);
    default:
      if (raw instanceof Date) {
        const ms = raw.getTime();
        if (Number.isNaN(ms)) return null;
        return fromMillis(ms, dataType);
      }
      return INVALID;
  }
}

function fromMillis(ms: number, dataType: DataType): Value | typeof INVALID {
  const kind = temporalKind(dataType);
  if (!kind) return dataType === 'string' ? formatIsoDateTime(ms / 1000) : INVALID;
  const secs = ms / 1000;
  if (kind.epochDays === null) return secs - Math.floor(secs / 86400) * 86400;
  if (kind.unit === 'days') return Math.floor(secs / 86400) - kind.epochDays;
  return secs - kind.epochDays * 86400;
}

function fromNumber(n: number, dataType: DataType): Value | typeof INVALID {
  switch (dataType) {
    case 'double':
      return n;
    case 'float':
      return Math.fround(n);
    case 'integer':
      return Number.isInteger(n) ? n : INVALID;
    case 'boolean':
      return n === 1 ? true : n === 0 ? false : INVALID;
    case 'string':
      return numberText(n);
    default:
      // date/time types: numbers are already in the field's representation
      return Number.isFinite(n) ? n : INVALID;
  }
}

function fromString(s: string, dataType: DataType, emptyIsMissing: boolean): Value | typeof INVALID {
  if (dataType === 'string') return s;
  const t = s.trim();
  if (t === '') return emptyIsMissing ? null : INVALID;
  switch (dataType) {
    case 'boolean': {
      const l = t.toLowerCase();
      if (l === 'true' || l === '1') return true;
      if (l === 'false' || l === '0') return false;
      const n = parseNumeric(t);
      return n === 1 ? true : n === 0 ? false : INVALID;
    }
    case 'double':
    case 'float':
    case 'integer': {
      const n = parseNumeric(t);
      if (Number.isNaN(n)) return t === 'NaN' || t === 'nan' ? null : INVALID;
      return fromNumber(n, dataType);
    }
    default: {
      const iso = parseTemporal(t, dataType);
      if (iso !== undefined) return iso;
      const n = parseNumeric(t);
      return Number.isFinite(n) ? n : INVALID;
    }
  }
}

/** A literal written in the document → typed Value; a compile error naming `path` when it does not fit. */
export function parseValue(text: string, dataType: DataType, path: string): Value {
  const v = fromString(text, dataType, false);
  if (v === INVALID) return fail(path, `${JSON.stringify(text)} is not a valid ${dataType} value`);
  return v;
}

/** Like parseValue, but INVALID instead of an error. */
export function tryParseValue(text: string, dataType: DataType): Value | typeof INVALID {
  return fromString(text, dataType, false);
}

/**
 * Converts a value to another data type: numbers ↔ strings, booleans ↔ 0/1, integer conversion of
 * non-integral numbers rounds to the nearest integer (halves away from zero), date types via their epochs.
 */
export function castTo(v: Value, dataType: DataType): Value | typeof INVALID {
  if (v === null) return null;
  switch (typeof v) {
    case 'number':
      if (Number.isNaN(v)) return isNumericType(dataType) ? NaN : INVALID;
      if (dataType === 'integer') return Number.isInteger(v) || !Number.isFinite(v) ? v : roundHalfAway(v);
      if (dataType === 'double') return v;
      if (dataType === 'float') return Math.fround(v);
      return fromNumber(v, dataType);
    case 'boolean':
      if (dataType === 'boolean') return v;
      if (dataType === 'string') return v ? 'true' : 'false';
      return fromNumber(v ? 1 : 0, dataType);
    default: {
      if (dataType === 'string') return v;
      const r = fromString(v, dataType, false);
      if (r === INVALID && dataType === 'integer') {
        const n = parseNumeric(v);
        return Number.isFinite(n) ? roundHalfAway(n) : INVALID;
      }
      return r;
    }
  }
}

/** Converts a value between two temporal types (e.g. date → dateDaysSince[1960]); other types as castTo. */
export function castTemporal(v: Value, from: DataType, to: DataType): Value | typeof INVALID {
  const a = temporalKind(from);
  const b = temporalKind(to);
  if (v === null || typeof v !== 'number' || !a || !b) return castTo(v, to);
  if (a.epochDays === null || b.epochDays === null) {
    if (a.epochDays === null && b.epochDays === null) return v;
    if (b.epochDays === null) {
      // date-time → time of day
      const secs = a.unit === 'days' ? 0 : v + a.epochDays! * 86400;
      return secs - Math.floor(secs / 86400) * 86400;
    }
    return INVALID;
  }
  const secs = a.unit === 'days' ? (v + a.epochDays) * 86400 : v + a.epochDays * 86400;
  return b.unit === 'days' ? Math.floor(secs / 86400) - b.epochDays : secs - b.epochDays * 86400;
}

function roundHalfAway(n: number): number {
  return n < 0 ? -Math.round(-n) : Math.round(n);
}

// ---------------------------------------------------------------------------
// Comparison.

/** The canonical key of a category (probability maps, value sets): numbers as numberText, booleans as true/false. */
export function categoryKey(v: Value): string {
  if (v === null) return '';
  switch (typeof v) {
    case 'number': return numberText(v);
    case 'boolean': return v ? 'true' : 'false';
    default: return v;
  }
}

/** Numeric value: numbers as is, booleans 1/0, numeric strings parsed, anything else NaN. */
export function toNumber(v: Value): number {
  switch (typeof v) {
    case 'number': return v;
    case 'boolean': return v ? 1 : 0;
    case 'string': return parseNumeric(v);
    default: return NaN;
  }
}

/** Equality of two values; numbers numerically (a number equals a string that parses to it). */
export function valuesEqual(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (a === null || b === null) return false;
  const ta = typeof a;
  const tb = typeof b;
  if (ta === tb) return false; // same type and not === (NaN never equals)
  if (ta === 'number' || tb === 'number' || ta === 'boolean' || tb === 'boolean') {
    const x = toNumber(a);
    const y = toNumber(b);
    return !Number.isNaN(x) && x === y;
  }
  return false;
}

/** Ordering: numbers numerically, strings by UTF-16 code unit; mixed values numerically when both are numeric. Missing sorts first. */
export function compareValues(a: Value, b: Value): number {
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  const x = toNumber(a);
  const y = toNumber(b);
  if (!Number.isNaN(x) && !Number.isNaN(y)) return x < y ? -1 : x > y ? 1 : 0;
  const s = categoryKey(a);
  const t = categoryKey(b);
  return s < t ? -1 : s > t ? 1 : 0;
}
