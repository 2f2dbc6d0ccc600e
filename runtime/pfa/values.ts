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
/** The long range as doubles (longs are numbers here; exact up to 2^53). */
export const LONG_MIN = -9223372036854775808;
export const LONG_MAX = 9223372036854775807;

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
    case 'long': return typeof v === 'number' && isLong(v);
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
    case 'int': case 'long': case 'float': case 'double': return (a, b) => compareNumbers(a as number, b as number);
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
