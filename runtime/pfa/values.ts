// Helpers over PFA values in memory (see types.ts for the representation):
// creating maps and records safely, comparing and testing equality by type, and
// the checks that int/long arithmetic needs.

import type { PfaType } from './types.js';

type Obj = Record<string, unknown>;

/** A new map or record object: no prototype, so any key (even "__proto__") is plain data. */
export function newMap<V = unknown>(): Record<string, V> {
  return Object.create(null) as Record<string, V>;
}

/** A map from entries (later keys win). */
export function mapOf<V>(entries: Iterable<readonly [string, V]>): Record<string, V> {
  const m = newMap<V>();
  for (const [k, v] of entries) m[k] = v;
  return m;
}

export const INT_MIN = -2147483648;
export const INT_MAX = 2147483647;
/** The long range as doubles (for range checks on double values, e.g. casts). */
export const LONG_MIN = -9223372036854775808;
export const LONG_MAX = 9223372036854775807;
/** The long range: longs are BigInts in memory (types.ts). */
export const BIG_LONG_MIN = -(2n ** 63n);
export const BIG_LONG_MAX = 2n ** 63n - 1n;

/** Whether a value is a long: a BigInt in the 64-bit range. */
export function isBigLong(v: unknown): v is bigint {
  return typeof v === 'bigint' && v >= BIG_LONG_MIN && v <= BIG_LONG_MAX;
}

export function isInt(x: number): boolean {
  return Number.isInteger(x) && x >= INT_MIN && x <= INT_MAX;
}

export function isLong(x: number): boolean {
  return Number.isInteger(x) && x >= LONG_MIN && x <= LONG_MAX;
}

/** The index of the union branch a value belongs to (first match in declared order), or -1. */
export function unionBranch(types: readonly PfaType[], v: unknown): number {
  for (let i = 0; i < types.length; i++) if (fitsType(types[i], v)) return i;
  return -1;
}

/** Whether an in-memory value can be a value of type t (structural check, used for unions). */
export function fitsType(t: PfaType, v: unknown): boolean {
  switch (t.kind) {
    case 'null': return v === null;
    case 'boolean': return typeof v === 'boolean';
    case 'int': return typeof v === 'number' && isInt(v);
    case 'long': return isBigLong(v);
    case 'float': case 'double': return typeof v === 'number';
    case 'string': return typeof v === 'string';
    case 'enum': return typeof v === 'string' && t.symbols.includes(v);
    case 'bytes': return v instanceof Uint8Array;
    case 'fixed': return v instanceof Uint8Array && v.length === t.size;
    case 'array': return Array.isArray(v) && v.every((x) => fitsType(t.items, x));
    case 'map': return isObj(v) && Object.keys(v).every((k) => fitsType(t.values, v[k]));
    case 'record': return isObj(v) && t.fields.every((f) => Object.hasOwn(v, f.name) && fitsType(f.type, v[f.name]));
    case 'union': return t.types.some((x) => fitsType(x, v));
    case 'function': return typeof v === 'function';
  }
}

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/**
 * PFA's total order on values of type t (specification, "cmp"): numbers numerically,
 * strings by code point, bytes/fixed bytewise, booleans false < true, enums by symbol
 * index, arrays lexicographically, records field by field in declared order, unions by
 * branch order then value. Maps are not ordered (throws). NaN sorts above every number.
 */
export function comparator(t: PfaType): (a: unknown, b: unknown) => number {
  switch (t.kind) {
    case 'null': return () => 0;
    case 'boolean': return (a, b) => (a === b ? 0 : a ? 1 : -1);
    case 'int': case 'float': case 'double': return (a, b) => compareNumbers(a as number, b as number);
    // BigInts, or numbers inside a library function that takes longs as numbers (compile.ts).
    case 'long': return (a, b) => ((a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0);
    case 'string': return (a, b) => compareStrings(a as string, b as string);
    case 'bytes': case 'fixed': return (a, b) => compareBytes(a as Uint8Array, b as Uint8Array);
    case 'enum': {
      const index = new Map(t.symbols.map((s, i) => [s, i]));
      return (a, b) => (index.get(a as string) ?? -1) - (index.get(b as string) ?? -1);
    }
    case 'array': {
      const item = comparator(t.items);
      return (a, b) => {
        const x = a as unknown[], y = b as unknown[];
        const n = Math.min(x.length, y.length);
        for (let i = 0; i < n; i++) {
          const c = item(x[i], y[i]);
          if (c !== 0) return c;
        }
        return x.length - y.length;
      };
    }
    case 'record': {
      let fields: { name: string; cmp: (a: unknown, b: unknown) => number }[] | undefined;
      return (a, b) => {
        fields ??= t.fields.map((f) => ({ name: f.name, cmp: comparator(f.type) }));
        const x = a as Obj, y = b as Obj;
        for (const f of fields) {
          const c = f.cmp(x[f.name], y[f.name]);
          if (c !== 0) return c;
        }
        return 0;
      };
    }
    case 'union': {
      const branches = t.types.map((x) => comparator(x));
      return (a, b) => {
        const i = unionBranch(t.types, a), j = unionBranch(t.types, b);
        return i !== j ? i - j : branches[i](a, b);
      };
    }
    case 'map': return () => {
      throw new Error('maps have no order');
    };
    case 'function': return () => 0;
  }
}

/** Equality by type (maps included: same keys, equal values). */
export function equality(t: PfaType): (a: unknown, b: unknown) => boolean {
  switch (t.kind) {
    case 'map': {
      const value = equality(t.values);
      return (a, b) => {
        const x = a as Obj, y = b as Obj, kx = Object.keys(x);
        if (kx.length !== Object.keys(y).length) return false;
        return kx.every((k) => Object.hasOwn(y, k) && value(x[k], y[k]));
      };
    }
    case 'array': {
      const item = equality(t.items);
      return (a, b) => {
        const x = a as unknown[], y = b as unknown[];
        return x.length === y.length && x.every((v, i) => item(v, y[i]));
      };
    }
    case 'record': {
      let fields: { name: string; eq: (a: unknown, b: unknown) => boolean }[] | undefined;
      return (a, b) => {
        fields ??= t.fields.map((f) => ({ name: f.name, eq: equality(f.type) }));
        return fields.every((f) => f.eq((a as Obj)[f.name], (b as Obj)[f.name]));
      };
    }
    case 'union': {
      const branches = t.types.map((x) => equality(x));
      return (a, b) => {
        const i = unionBranch(t.types, a);
        return i === unionBranch(t.types, b) && i >= 0 && branches[i](a, b);
      };
    }
    case 'int': case 'long': case 'float': case 'double': return (a, b) => a === b;
    default: {
      const cmp = comparator(t);
      return (a, b) => cmp(a, b) === 0;
    }
  }
}

export function compareNumbers(a: number, b: number): number {
  if (a < b) return -1;
  if (a > b) return 1;
  if (a === b) return 0;
  // NaN: above everything, equal to itself.
  return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
}

/** Strings by Unicode code point (not UTF-16 code unit). */
export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i) as number, y = b.codePointAt(i) as number;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length - b.length;
}

export function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return a.length - b.length;
}

export function utf8Encode(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

export function utf8Decode(b: Uint8Array): string {
  return new TextDecoder('utf-8').decode(b);
}

/**
 * A value of some type accepted by type `to` (PFA promotion), in `to`'s representation:
 * ints become BigInt where a long is expected, longs become numbers where a float or
 * double is expected, through unions, arrays, maps and records. The compiler calls it only
 * where the static types say a conversion can be needed (int → long, long → float/double).
 */
export function coerceTo(v: unknown, to: PfaType): unknown {
  switch (to.kind) {
    case 'long': return typeof v === 'number' ? BigInt(v) : v;
    case 'double': return typeof v === 'bigint' ? Number(v) : v;
    case 'float': return typeof v === 'bigint' ? Math.fround(Number(v)) : v;
    case 'array': return (v as unknown[]).map((x) => coerceTo(x, to.items));
    case 'map': {
      const m = newMap();
      for (const k of Object.keys(v as Obj)) m[k] = coerceTo((v as Obj)[k], to.values);
      return m;
    }
    case 'record': {
      const r = newMap();
      for (const f of to.fields) r[f.name] = coerceTo((v as Obj)[f.name], f.type);
      return r;
    }
    case 'union': {
      if (to.types.some((x) => fitsType(x, v))) return v;
      for (const x of to.types) {
        const c = coerceTo(v, x);
        if (c !== v && fitsType(x, c)) return c;
      }
      return v;
    }
    default: return v;
  }
}

/**
 * An input written with plain numbers where its type has longs (what a caller naturally
 * writes: `{count: 5}`), with those numbers as BigInt; undefined when such a number is not a
 * safe integer (it would be a wrong long). Other values are left for the type check.
 */
export function numbersAsLongs(v: unknown, t: PfaType): unknown {
  const bad = Symbol('not a safe integer');
  const walk = (x: unknown, u: PfaType): unknown => {
    switch (u.kind) {
      case 'long':
        if (typeof x !== 'number') return x;
        if (!Number.isSafeInteger(x)) throw bad;
        return BigInt(x);
      case 'array': return Array.isArray(x) ? x.map((y) => walk(y, u.items)) : x;
      case 'map': case 'record': {
        if (!isObj(x)) return x;
        const out = newMap();
        for (const k of Object.keys(x)) {
          const field = u.kind === 'map' ? u.values : u.fields.find((f) => f.name === k)?.type;
          out[k] = field === undefined ? x[k] : walk(x[k], field);
        }
        return out;
      }
      case 'union': {
        if (u.types.some((y) => fitsType(y, x))) return x;
        for (const y of u.types) {
          try {
            const c = walk(x, y);
            if (fitsType(y, c)) return c;
          } catch (e) {
            if (e !== bad) throw e;
          }
        }
        return x;
      }
      default: return x;
    }
  };
  try {
    return walk(v, t);
  } catch (e) {
    if (e === bad) return undefined;
    throw e;
  }
}

/**
 * Longs as JavaScript numbers (toBig false) or back to BigInt (toBig true), deep, by type:
 * the boundary of library functions written for numbers (exact to 2^53). Functions (callbacks
 * the library calls) are wrapped so that they see their own representation.
 */
export function convertLongs(v: unknown, t: PfaType, toBig: boolean): unknown {
  switch (t.kind) {
    case 'long': return toBig ? (typeof v === 'number' ? BigInt(v) : v) : (typeof v === 'bigint' ? Number(v) : v);
    case 'array': return (v as unknown[]).map((x) => convertLongs(x, t.items, toBig));
    case 'map': {
      const m = newMap();
      for (const k of Object.keys(v as Obj)) m[k] = convertLongs((v as Obj)[k], t.values, toBig);
      return m;
    }
    case 'record': {
      const r = newMap();
      for (const f of t.fields) r[f.name] = convertLongs((v as Obj)[f.name], f.type, toBig);
      return r;
    }
    case 'union': {
      if (toBig) {
        // A number coming back where the union has a long: BigInt unless another branch takes it as is.
        if (typeof v === 'number' && Number.isInteger(v) && t.types.some((x) => x.kind === 'long') && !t.types.some((x) => x.kind === 'int' || x.kind === 'double' || x.kind === 'float')) return BigInt(v);
        const i = unionBranch(t.types, v);
        return i < 0 ? v : convertLongs(v, t.types[i], toBig);
      }
      if (typeof v === 'bigint') return Number(v);
      const i = unionBranch(t.types, v);
      return i < 0 ? v : convertLongs(v, t.types[i], toBig);
    }
    case 'function': {
      const f = v as (...args: unknown[]) => unknown;
      // The callback is compiled code: its arguments come from the library (the other side).
      return (...args: unknown[]) => convertLongs(f(...args.map((a, i) => (i < t.params.length ? convertLongs(a, t.params[i], !toBig) : a))), t.ret, toBig);
    }
    default: return v;
  }
}

/** Whether values of type t can hold a long (deep). */
export function holdsLong(t: PfaType, seen: Set<PfaType> = new Set()): boolean {
  if (seen.has(t)) return false;
  seen.add(t);
  switch (t.kind) {
    case 'long': return true;
    case 'array': return holdsLong(t.items, seen);
    case 'map': return holdsLong(t.values, seen);
    case 'record': return t.fields.some((f) => holdsLong(f.type, seen));
    case 'union': return t.types.some((x) => holdsLong(x, seen));
    case 'function': return t.params.some((x) => holdsLong(x, seen)) || holdsLong(t.ret, seen);
    default: return false;
  }
}
