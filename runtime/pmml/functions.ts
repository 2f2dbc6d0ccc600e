// The built-in functions of PMML 4.4 (BuiltinFunctions.html), by name, as Apply
// calls them. Each entry says how many arguments it takes, how it treats missing
// arguments and what type it returns; the kernels live in functions/*.ts and
// datetime.ts.
//
// Missing values: "except as noted, any missing input to a built-in function
// results in a missing value" — those are the `strict` functions. The noted
// ones (`own`): isMissing, isNotMissing, isValid, isNotValid; the aggregations
// min max sum avg median product ignore missing inputs (missing when all are);
// and/or use three-valued logic (and(false, missing) = false, or(true, missing)
// = true); if needs only the branch it takes.
//
// Invalid results: call() returns what the arithmetic gives (1/0 = Infinity,
// ln(-1) = NaN). The Apply compiler (expressions.ts) treats a NaN or infinite
// result of finite inputs as an invalid result and applies the element's
// invalidValueTreatment.
//
// Dates: dateDaysSinceYear takes a date as days since 1970-01-01, the other date
// functions a date-time as seconds since 1970-01-01T00:00:00; ISO strings are
// accepted too. The Apply compiler converts arguments of other temporal types
// (dateDaysSince[1960], date for a date-time, ...) by their static type.

import {
  asDateTimeSeconds, dateDaysSinceYear, dateSecondsSinceMidnight, dateSecondsSinceYear, formatDatetime, parseDatetimePattern,
  type DatetimePattern,
} from './datetime.js';
import {
  erf, medianOf, modulo, normalCdf, normalIdf, normalPdf, rint, roundHalfUp, stdNormalCdf, stdNormalIdf, stdNormalPdf,
} from './functions/numeric.js';
import { formatPrintf, parsePrintf, type PrintfPattern } from './functions/printf.js';
import { cachedRegex, compileRegex, parseReplacement, RegexError, replaceAll, type CompiledRegex, type Replacement } from './functions/regex.js';
import type { DataType, Value } from './types.js';
import { compareValues, isNumericType, numberText, toNumber, valuesEqual } from './values.js';

export interface BuiltinFunction {
  readonly name: string;
  readonly minArgs: number;
  /** Infinity for variadic functions. */
  readonly maxArgs: number;
  /** The function with PMML's missing-value rules (a missing argument is null). */
  call(args: readonly Value[]): Value;
}

/** The canonical temporal form an argument is converted to before the call. */
export type TemporalArg = 'date' | 'dateTime';

type Impl = (args: readonly Value[]) => Value;

/** What the expression compiler knows of a built-in besides call(). */
export interface BuiltinSpec extends BuiltinFunction {
  /** strict: a missing argument makes the result missing; own: the function handles missing arguments. */
  readonly missing: 'strict' | 'own';
  /** The function body. For strict functions the arguments are never missing (the caller checked). */
  readonly impl: Impl;
  /** Fast paths for one and two arguments (same contract as impl). */
  readonly impl1?: (a: Value) => Value;
  readonly impl2?: (a: Value, b: Value) => Value;
  /** The static result type from the static argument types (undefined where unknown). */
  resultType(args: readonly (DataType | undefined)[]): DataType | undefined;
  /** Temporal arguments by position. */
  readonly temporal?: readonly (TemporalArg | undefined)[];
  /**
   * A body specialised for arguments known when compiling (constant patterns), or undefined
   * when nothing can be prepared. Throws an Error whose message says why a constant is unusable.
   */
  prepare?(consts: readonly (Value | undefined)[]): Impl | undefined;
}

// ---------------------------------------------------------------------------
// Helpers

function num(v: Value): number {
  return typeof v === 'number' ? v : toNumber(v);
}

/** The text of a value: strings as they are, numbers canonical, booleans true/false. */
export function textOf(v: Value): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return numberText(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return '';
}

/** A truth value: booleans, numbers (0 false, else true unless NaN), 'true'/'false' texts; null when none. */
export function truthOf(v: Value): boolean | null {
  switch (typeof v) {
    case 'boolean': return v;
    case 'number': return Number.isNaN(v) ? null : v !== 0;
    case 'string': {
      const s = v.trim().toLowerCase();
      if (s === 'true' || s === '1') return true;
      if (s === 'false' || s === '0') return false;
      return null;
    }
    default: return null;
  }
}

const NUMERIC_RANK: Readonly<Partial<Record<DataType, number>>> = { integer: 0, float: 1, double: 2 };

/** The common numeric type of arguments (integer < float < double); double when any is unknown or not plainly numeric. */
function commonNumeric(types: readonly (DataType | undefined)[]): DataType {
  let rank = 0;
  for (const t of types) {
    const r = t === undefined ? undefined : NUMERIC_RANK[t];
    if (r === undefined) return 'double';
    if (r > rank) rank = r;
  }
  return rank === 0 ? 'integer' : rank === 1 ? 'float' : 'double';
}

const always = (t: DataType) => (): DataType => t;
const DOUBLE = always('double');
const INTEGER = always('integer');
const BOOLEAN = always('boolean');
const STRING = always('string');

const REGISTRY = new Map<string, BuiltinSpec>();

interface Def {
  readonly min: number;
  readonly max: number;
  readonly missing?: 'strict' | 'own';
  readonly impl: Impl;
  readonly impl1?: (a: Value) => Value;
  readonly impl2?: (a: Value, b: Value) => Value;
  readonly result: (args: readonly (DataType | undefined)[]) => DataType | undefined;
  readonly temporal?: readonly (TemporalArg | undefined)[];
  readonly prepare?: (consts: readonly (Value | undefined)[]) => Impl | undefined;
}

function define(name: string, d: Def): void {
  const missing = d.missing ?? 'strict';
  const impl = d.impl;
  const call = missing === 'strict'
    ? (args: readonly Value[]): Value => {
      for (let i = 0; i < args.length; i++) if (args[i] === null) return null;
      return impl(args);
    }
    : impl;
  const spec: BuiltinSpec = {
    name,
    minArgs: d.min,
    maxArgs: d.max,
    missing,
    impl,
    impl1: d.impl1,
    impl2: d.impl2,
    resultType: d.result,
    temporal: d.temporal,
    prepare: d.prepare,
    call(args: readonly Value[]): Value {
      if (args.length < d.min || args.length > d.max) {
        throw new RangeError(`${name} takes ${d.min === d.max ? d.min : d.max === Infinity ? `at least ${d.min}` : `${d.min} to ${d.max}`} arguments, not ${args.length}`);
      }
      return call(args);
    },
  };
  REGISTRY.set(name, spec);
}

function unary(name: string, f: (x: number) => number, result: Def['result'] = DOUBLE): void {
  const impl1 = (a: Value): Value => f(num(a));
  define(name, { min: 1, max: 1, impl: (args) => impl1(args[0]), impl1, result });
}

function binary(name: string, f: (x: number, y: number) => number, result: Def['result'] = DOUBLE): void {
  const impl2 = (a: Value, b: Value): Value => f(num(a), num(b));
  define(name, { min: 2, max: 2, impl: (args) => impl2(args[0], args[1]), impl2, result });
}

function ternary(name: string, f: (x: number, y: number, z: number) => number): void {
  define(name, { min: 3, max: 3, impl: (args) => f(num(args[0]), num(args[1]), num(args[2])), result: DOUBLE });
}

// ---------------------------------------------------------------------------
// Arithmetic

binary('+', (x, y) => x + y, commonNumeric);
binary('-', (x, y) => x - y, commonNumeric);
binary('*', (x, y) => x * y, commonNumeric);
binary('/', (x, y) => x / y, (t) => (commonNumeric(t) === 'float' ? 'float' : 'double'));

// ---------------------------------------------------------------------------
// Aggregations over the arguments (missing arguments are ignored)

function aggregate(name: string, impl: Impl, result: Def['result']): void {
  define(name, { min: 1, max: Infinity, missing: 'own', impl, result });
}

/** A one-pass fold over the present arguments (no allocation); missing when none is present. */
function fold(step: (acc: number, x: number) => number, finish: (acc: number, n: number) => number = (acc) => acc): Impl {
  return (args) => {
    let acc = 0;
    let n = 0;
    for (let i = 0; i < args.length; i++) {
      const a = args[i];
      if (a === null) continue;
      const x = num(a);
      acc = n === 0 ? x : step(acc, x);
      n++;
    }
    return n === 0 ? null : finish(acc, n);
  };
}

const minStep = (m: number, x: number): number => (x < m || Number.isNaN(x) ? x : m);
const maxStep = (m: number, x: number): number => (x > m || Number.isNaN(x) ? x : m);
const floatOrDouble = (t: readonly (DataType | undefined)[]): DataType => (commonNumeric(t) === 'float' ? 'float' : 'double');

aggregate('min', fold(minStep), commonNumeric);
aggregate('max', fold(maxStep), commonNumeric);
aggregate('sum', fold((s, x) => s + x), commonNumeric);
aggregate('product', fold((p, x) => p * x), commonNumeric);
aggregate('avg', fold((s, x) => s + x, (s, n) => s / n), floatOrDouble);
aggregate('median', (args) => {
  const xs: number[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a !== null) xs.push(num(a));
  }
  return xs.length === 0 ? null : medianOf(xs, xs.length);
}, floatOrDouble);

// ---------------------------------------------------------------------------
// Mathematical functions

const sameNumeric = (t: readonly (DataType | undefined)[]): DataType => commonNumeric(t.slice(0, 1));

unary('log10', Math.log10);
unary('ln', Math.log);
unary('sqrt', Math.sqrt);
unary('abs', Math.abs, sameNumeric);
unary('exp', Math.exp);
binary('pow', Math.pow);
binary('threshold', (x, y) => (x > y ? 1 : 0), INTEGER);
unary('floor', (x) => Math.floor(x) + 0, INTEGER);
unary('ceil', (x) => Math.ceil(x) + 0, INTEGER);
unary('round', roundHalfUp, INTEGER);
unary('rint', (x) => rint(x) + 0, INTEGER);
binary('modulo', modulo, (t) => commonNumeric(t));
unary('expm1', Math.expm1);
unary('ln1p', Math.log1p);
binary('hypot', Math.hypot);
unary('sin', Math.sin);
unary('asin', Math.asin);
unary('sinh', Math.sinh);
unary('cos', Math.cos);
unary('acos', Math.acos);
unary('cosh', Math.cosh);
unary('tan', Math.tan);
unary('atan', Math.atan);
unary('tanh', Math.tanh);

// Statistical functions
unary('erf', erf);
unary('stdNormalCDF', stdNormalCdf);
unary('stdNormalPDF', stdNormalPdf);
unary('stdNormalIDF', stdNormalIdf);
ternary('normalCDF', normalCdf);
ternary('normalPDF', normalPdf);
ternary('normalIDF', normalIdf);

// ---------------------------------------------------------------------------
// Missing and valid values (the compiler checks validity against the field's
// definition when the argument is a field; here a value is valid when present
// and, for numbers, not NaN).

define('isMissing', { min: 1, max: 1, missing: 'own', impl: (a) => a[0] === null, impl1: (a) => a === null, result: BOOLEAN });
define('isNotMissing', { min: 1, max: 1, missing: 'own', impl: (a) => a[0] !== null, impl1: (a) => a !== null, result: BOOLEAN });
const valid = (a: Value): boolean => a !== null && !(typeof a === 'number' && Number.isNaN(a));
define('isValid', { min: 1, max: 1, missing: 'own', impl: (a) => valid(a[0]), impl1: valid, result: BOOLEAN });
const notValid = (a: Value): boolean => a !== null && !valid(a);
define('isNotValid', { min: 1, max: 1, missing: 'own', impl: (a) => notValid(a[0]), impl1: notValid, result: BOOLEAN });

// ---------------------------------------------------------------------------
// Comparisons

function compare(name: string, test: (c: number) => boolean, numeric: (x: number, y: number) => boolean): void {
  const impl2 = (a: Value, b: Value): Value => (typeof a === 'number' && typeof b === 'number' ? numeric(a, b) : test(compareValues(a, b)));
  define(name, { min: 2, max: 2, impl: (args) => impl2(args[0], args[1]), impl2, result: BOOLEAN });
}

const eq = (a: Value, b: Value): Value => valuesEqual(a, b);
define('equal', { min: 2, max: 2, impl: (args) => eq(args[0], args[1]), impl2: eq, result: BOOLEAN });
const ne = (a: Value, b: Value): Value => !valuesEqual(a, b);
define('notEqual', { min: 2, max: 2, impl: (args) => ne(args[0], args[1]), impl2: ne, result: BOOLEAN });
compare('lessThan', (c) => c < 0, (x, y) => x < y);
compare('lessOrEqual', (c) => c <= 0, (x, y) => x <= y);
compare('greaterThan', (c) => c > 0, (x, y) => x > y);
compare('greaterOrEqual', (c) => c >= 0, (x, y) => x >= y);

// ---------------------------------------------------------------------------
// Boolean functions

/** and with three-valued logic: false if any is false, else missing if any is missing, else true. */
export function and3(args: readonly Value[]): Value {
  let unknown = false;
  for (let i = 0; i < args.length; i++) {
    const t = truthOf(args[i]);
    if (t === false) return false;
    if (t === null) unknown = true;
  }
  return unknown ? null : true;
}

/** or with three-valued logic: true if any is true, else missing if any is missing, else false. */
export function or3(args: readonly Value[]): Value {
  let unknown = false;
  for (let i = 0; i < args.length; i++) {
    const t = truthOf(args[i]);
    if (t === true) return true;
    if (t === null) unknown = true;
  }
  return unknown ? null : false;
}

define('and', { min: 1, max: Infinity, missing: 'own', impl: and3, result: BOOLEAN });
define('or', { min: 1, max: Infinity, missing: 'own', impl: or3, result: BOOLEAN });
const not = (a: Value): Value => {
  const t = truthOf(a);
  return t === null ? null : !t;
};
define('not', { min: 1, max: 1, impl: (args) => not(args[0]), impl1: not, result: BOOLEAN });

function isIn(args: readonly Value[]): boolean {
  const x = args[0];
  for (let i = 1; i < args.length; i++) if (valuesEqual(x, args[i])) return true;
  return false;
}
define('isIn', { min: 2, max: Infinity, impl: isIn, impl2: (a, b) => valuesEqual(a, b), result: BOOLEAN });
define('isNotIn', { min: 2, max: Infinity, impl: (args) => !isIn(args), impl2: (a, b) => !valuesEqual(a, b), result: BOOLEAN });

/** if(condition, then[, else]): the condition missing (or not a truth value) gives missing, as does a false condition without else. */
export function ifThenElse(args: readonly Value[]): Value {
  const t = truthOf(args[0]);
  if (t === null) return null;
  if (t) return args[1];
  return args.length > 2 ? args[2] : null;
}
define('if', {
  min: 2,
  max: 3,
  missing: 'own',
  impl: ifThenElse,
  result: (t) => {
    const a = t[1];
    const b = t.length > 2 ? t[2] : a;
    if (a === b) return a;
    if (a === undefined || b === undefined) return a ?? b;
    if (isNumericType(a) && isNumericType(b) && NUMERIC_RANK[a] !== undefined && NUMERIC_RANK[b] !== undefined) return commonNumeric([a, b]);
    return undefined;
  },
});

// ---------------------------------------------------------------------------
// String functions

const HAS_SURROGATES = /[\uD800-\uDFFF]/;

define('uppercase', { min: 1, max: 1, impl: (a) => textOf(a[0]).toUpperCase(), impl1: (a) => textOf(a).toUpperCase(), result: STRING });
define('lowercase', { min: 1, max: 1, impl: (a) => textOf(a[0]).toLowerCase(), impl1: (a) => textOf(a).toLowerCase(), result: STRING });
const stringLength = (a: Value): Value => {
  const s = textOf(a);
  if (!HAS_SURROGATES.test(s)) return s.length;
  let n = 0;
  for (const _ of s) n++;
  return n;
};
define('stringLength', { min: 1, max: 1, impl: (a) => stringLength(a[0]), impl1: stringLength, result: INTEGER });

/** substring(input, startPos, length): characters at 1-based positions p with startPos ≤ p < startPos + length. */
function substring(args: readonly Value[]): Value {
  const s = textOf(args[0]);
  const start = Math.trunc(num(args[1]));
  const len = Math.trunc(num(args[2]));
  if (Number.isNaN(start) || Number.isNaN(len)) return NaN;
  const from = Math.max(start, 1) - 1;
  const to = Math.min(start - 1 + len, Number.MAX_SAFE_INTEGER);
  if (to <= from) return '';
  if (!HAS_SURROGATES.test(s)) return s.slice(from, to);
  return Array.from(s).slice(from, to).join('');
}
define('substring', { min: 3, max: 3, impl: substring, result: STRING });
const trimBlanks = (a: Value): Value => textOf(a).trim();
define('trimBlanks', { min: 1, max: 1, impl: (a) => trimBlanks(a[0]), impl1: trimBlanks, result: STRING });
define('concat', {
  min: 1,
  max: Infinity,
  impl: (args) => {
    let s = '';
    for (let i = 0; i < args.length; i++) s += textOf(args[i]);
    return s;
  },
  impl2: (a, b) => textOf(a) + textOf(b),
  result: STRING,
});

// Regular expressions. Patterns known when compiling are translated once; others
// through a small cache. A pattern that cannot be used at run time gives NaN (an
// invalid result).

function regexOf(v: Value): CompiledRegex | undefined {
  const r = cachedRegex(textOf(v));
  return r instanceof RegexError ? undefined : r;
}

function constRegex(v: Value | undefined): CompiledRegex | undefined {
  if (v === undefined || v === null) return undefined;
  return compileRegex(textOf(v));
}

const matches = (a: Value, p: Value): Value => {
  const re = regexOf(p);
  return re === undefined ? NaN : re.test.test(textOf(a));
};
define('matches', {
  min: 2,
  max: 2,
  impl: (args) => matches(args[0], args[1]),
  impl2: matches,
  result: BOOLEAN,
  prepare: (consts) => {
    const re = constRegex(consts[1]);
    if (re === undefined) return undefined;
    return (args) => re.test.test(textOf(args[0]));
  },
});

function replace(args: readonly Value[]): Value {
  const re = regexOf(args[1]);
  if (re === undefined) return NaN;
  let rep: Replacement;
  try {
    rep = parseReplacement(textOf(args[2]), re);
  } catch (e) {
    if (e instanceof RegexError) return NaN;
    throw e;
  }
  return replaceAll(textOf(args[0]), re, rep);
}
define('replace', {
  min: 3,
  max: 3,
  impl: replace,
  result: STRING,
  prepare: (consts) => {
    const re = constRegex(consts[1]);
    if (re === undefined) return undefined;
    const r = consts[2];
    if (r === undefined || r === null) {
      return (args) => {
        try {
          return replaceAll(textOf(args[0]), re, parseReplacement(textOf(args[2]), re));
        } catch (e) {
          if (e instanceof RegexError) return NaN;
          throw e;
        }
      };
    }
    const rep = parseReplacement(textOf(r), re);
    return (args) => replaceAll(textOf(args[0]), re, rep);
  },
});

// formatNumber / formatDatetime

const printfCache = new Map<string, PrintfPattern | null>();
function printfOf(v: Value): PrintfPattern | null {
  const s = textOf(v);
  let p = printfCache.get(s);
  if (p === undefined) {
    try {
      p = parsePrintf(s);
    } catch {
      p = null;
    }
    if (printfCache.size >= 256) printfCache.clear();
    printfCache.set(s, p);
  }
  return p;
}

const formatNumber = (x: Value, pattern: Value): Value => {
  const p = printfOf(pattern);
  const n = num(x);
  return p === null || (Number.isNaN(n) && typeof x !== 'number') ? NaN : formatPrintf(p, n);
};
define('formatNumber', {
  min: 2,
  max: 2,
  impl: (args) => formatNumber(args[0], args[1]),
  impl2: formatNumber,
  result: STRING,
  prepare: (consts) => {
    const c = consts[1];
    if (c === undefined || c === null) return undefined;
    const p = parsePrintf(textOf(c));
    return (args) => {
      const x = args[0];
      const n = num(x);
      return Number.isNaN(n) && typeof x !== 'number' ? NaN : formatPrintf(p, n);
    };
  },
});

const datetimeCache = new Map<string, DatetimePattern | null>();
function datetimeOf(v: Value): DatetimePattern | null {
  const s = textOf(v);
  let p = datetimeCache.get(s);
  if (p === undefined) {
    try {
      p = parseDatetimePattern(s);
    } catch {
      p = null;
    }
    if (datetimeCache.size >= 256) datetimeCache.clear();
    datetimeCache.set(s, p);
  }
  return p;
}

const formatDt = (x: Value, pattern: Value): Value => {
  const p = datetimeOf(pattern);
  const s = asDateTimeSeconds(x);
  return p === null || !Number.isFinite(s) ? NaN : formatDatetime(s, p);
};
define('formatDatetime', {
  min: 2,
  max: 2,
  impl: (args) => formatDt(args[0], args[1]),
  impl2: formatDt,
  result: STRING,
  temporal: ['dateTime'],
  prepare: (consts) => {
    const c = consts[1];
    if (c === undefined || c === null) return undefined;
    const p = parseDatetimePattern(textOf(c));
    return (args) => {
      const s = asDateTimeSeconds(args[0]);
      return Number.isFinite(s) ? formatDatetime(s, p) : NaN;
    };
  },
});

// ---------------------------------------------------------------------------
// Date functions

define('dateDaysSinceYear', { min: 2, max: 2, impl: (a) => dateDaysSinceYear(a[0], a[1]), impl2: dateDaysSinceYear, result: INTEGER, temporal: ['date'] });
define('dateSecondsSinceYear', { min: 2, max: 2, impl: (a) => dateSecondsSinceYear(a[0], a[1]), impl2: dateSecondsSinceYear, result: INTEGER, temporal: ['dateTime'] });
define('dateSecondsSinceMidnight', { min: 1, max: 1, impl: (a) => dateSecondsSinceMidnight(a[0]), impl1: dateSecondsSinceMidnight, result: INTEGER, temporal: ['dateTime'] });

// ---------------------------------------------------------------------------

/** The built-in function `name` (PMML 4.4), or undefined. */
export function lookupBuiltin(name: string): BuiltinFunction | undefined {
  return REGISTRY.get(name);
}

/** The built-in with what the expression compiler needs. */
export function builtinSpec(name: string): BuiltinSpec | undefined {
  return REGISTRY.get(name);
}

/** Every built-in name, in definition order. */
export function builtinNames(): string[] {
  return [...REGISTRY.keys()];
}
