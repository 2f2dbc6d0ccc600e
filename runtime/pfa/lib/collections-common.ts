// Helpers shared by the array (a.*) and map (map.*) library families: element types of
// call sites, orderings from less-than functions, selection of the N most extreme items,
// membership tests by PFA equality, and the Base64-encoded Avro serialisation that keys
// PFA sets (maps from serialised objects to objects).

import type { PfaType } from '../types.js';
import { equality, unionBranch } from '../values.js';

/** The item type of an array type (the call site's resolved parameter type). */
export function itemsOf(t: PfaType): PfaType {
  if (t.kind !== 'array') throw new Error(`expected an array type, found ${t.kind}`);
  return t.items;
}

/** The value type of a map type. */
export function valuesOf(t: PfaType): PfaType {
  if (t.kind !== 'map') throw new Error(`expected a map type, found ${t.kind}`);
  return t.values;
}

export type Compare = (a: unknown, b: unknown) => number;
export type LessThan = (a: unknown, b: unknown) => boolean;

/** A three-way comparison from a user less-than function (equal when neither is less). */
export function compareByLessThan(lt: LessThan): Compare {
  return (a, b) => (lt(a, b) ? -1 : lt(b, a) ? 1 : 0);
}

/**
 * Indexes of the n most extreme items (n ≥ 0): `highest` picks the largest first. Equal
 * items keep ascending index order; the result is ordered from the most extreme down.
 */
export function extremeIndexes(items: readonly unknown[], n: number, cmp: Compare, highest: boolean): number[] {
  const order = items.map((_, i) => i);
  order.sort(highest ? (i, j) => cmp(items[j], items[i]) || i - j : (i, j) => cmp(items[i], items[j]) || i - j);
  return order.slice(0, Math.min(n, order.length));
}

/** Index of the first most extreme item (items non-empty). */
export function extremeIndex(items: readonly unknown[], cmp: Compare, highest: boolean): number {
  let best = 0;
  for (let i = 1; i < items.length; i++) {
    const c = cmp(items[i], items[best]);
    if (highest ? c > 0 : c < 0) best = i;
  }
  return best;
}

/**
 * Membership by PFA equality for values of type t. Primitive types whose JS identity
 * coincides with PFA equality use a hash set; others compare pairwise.
 */
export interface Membership {
  has(x: unknown): boolean;
  add(x: unknown): void;
}

const HASHABLE = new Set(['null', 'boolean', 'int', 'long', 'string', 'enum']);

export function membership(t: PfaType): () => Membership {
  if (HASHABLE.has(t.kind)) {
    return () => {
      const set = new Set<unknown>();
      return { has: (x) => set.has(x), add: (x) => void set.add(x) };
    };
  }
  if (t.kind === 'float' || t.kind === 'double') {
    // A Set matches 0 with -0 as == does; NaN equals nothing, not even NaN.
    return () => {
      const set = new Set<unknown>();
      return { has: (x) => set.has(x) && !Number.isNaN(x), add: (x) => void set.add(x) };
    };
  }
  const eq = equality(t);
  return () => {
    const list: unknown[] = [];
    return { has: (x) => list.some((y) => eq(y, x)), add: (x) => void list.push(x) };
  };
}

/** A membership set holding the items of an array. */
export function membershipOf(make: () => Membership, items: readonly unknown[]): Membership {
  const m = make();
  for (const x of items) m.add(x);
  return m;
}

// ---------------------------------------------------------------------------------
// Avro binary encoding (Avro 1.x specification, "Binary Encoding"), for set keys.

const LONG_LO = -(2n ** 63n);
const LONG_HI = 2n ** 63n - 1n;

class ByteWriter {
  private buf = new Uint8Array(64);
  private len = 0;

  private reserve(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.len++] = b;
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** A zig-zag variable-length long (exact for any integer-valued number). */
  long(x: number): void {
    if (Number.isInteger(x) && Math.abs(x) < 2 ** 52) {
      let z = x >= 0 ? x * 2 : -x * 2 - 1;
      while (z >= 0x80) {
        this.byte((z & 0x7f) | 0x80);
        z = Math.floor(z / 128);
      }
      this.byte(z);
      return;
    }
    // Longs are doubles here: 2^63 is how the largest long (2^63 - 1) reads as a number.
    const big = BigInt(x);
    const v = big > LONG_HI ? LONG_HI : big < LONG_LO ? LONG_LO : big;
    let z = BigInt.asUintN(64, (v << 1n) ^ (v >> 63n));
    while (z >= 0x80n) {
      this.byte(Number(z & 0x7fn) | 0x80);
      z >>= 7n;
    }
    this.byte(Number(z));
  }

  float(x: number): void {
    const b = new Uint8Array(4);
    new DataView(b.buffer).setFloat32(0, x, true);
    this.bytes(b);
  }

  double(x: number): void {
    const b = new Uint8Array(8);
    new DataView(b.buffer).setFloat64(0, x, true);
    this.bytes(b);
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

const utf8 = new TextEncoder();

function writeAvro(w: ByteWriter, v: unknown, t: PfaType): void {
  switch (t.kind) {
    case 'null': return;
    case 'boolean': w.byte(v ? 1 : 0); return;
    case 'int': case 'long': w.long(v as number); return;
    case 'float': w.float(v as number); return;
    case 'double': w.double(v as number); return;
    case 'string': {
      const b = utf8.encode(v as string);
      w.long(b.length);
      w.bytes(b);
      return;
    }
    case 'bytes': w.long((v as Uint8Array).length); w.bytes(v as Uint8Array); return;
    case 'fixed': w.bytes(v as Uint8Array); return;
    case 'enum': w.long(t.symbols.indexOf(v as string)); return;
    case 'array': {
      const a = v as unknown[];
      if (a.length > 0) {
        w.long(a.length);
        for (const x of a) writeAvro(w, x, t.items);
      }
      w.long(0);
      return;
    }
    case 'map': {
      const m = v as Record<string, unknown>;
      const keys = Object.keys(m);
      if (keys.length > 0) {
        w.long(keys.length);
        for (const k of keys) {
          writeAvro(w, k, { kind: 'string' });
          writeAvro(w, m[k], t.values);
        }
      }
      w.long(0);
      return;
    }
    case 'record': {
      const r = v as Record<string, unknown>;
      for (const f of t.fields) writeAvro(w, r[f.name], f.type);
      return;
    }
    case 'union': {
      const i = unionBranch(t.types, v);
      if (i < 0) throw new Error('value does not fit the union');
      w.long(i);
      writeAvro(w, v, t.types[i]);
      return;
    }
    case 'function': throw new Error('functions cannot be serialised');
  }
}

/** The Avro binary encoding of a value of type t. */
export function avroBinary(v: unknown, t: PfaType): Uint8Array {
  const w = new ByteWriter();
  writeAvro(w, v, t);
  return w.result();
}

export function base64(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += String.fromCharCode(b[i]);
  return btoa(s);
}

/** The key of a value in a PFA set: Base64 of its Avro binary encoding. */
export function setKeyer(t: PfaType): (v: unknown) => string {
  return (v) => base64(avroBinary(v, t));
}

/**
 * The type B of a filterMap-style call site: the user function's return type (a union
 * of B and null) without its null branch. Used as `refine` so that B never absorbs the
 * null branch, however the signature's {union of [B, null]} was bound.
 */
export function nonNullReturn(fcn: PfaType): PfaType {
  const ret = fcn.kind === 'function' ? fcn.ret : fcn;
  if (ret.kind !== 'union') return ret;
  const rest = ret.types.filter((t) => t.kind !== 'null');
  return rest.length === 1 ? rest[0] : { kind: 'union', types: rest };
}
