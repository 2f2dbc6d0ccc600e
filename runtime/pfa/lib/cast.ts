// PFA library, family "cast" (specification §16): numeric conversions (with wrap-around
// for cast.signed/cast.unsigned, rounding and overflow errors for cast.int/cast.long),
// fan-out of categorical values to indicator arrays, and serialisation (Avro binary,
// JSON).

import { stringifyJsonExact, toJson } from '../avro.js';
import { pfaFail, type LibFunction, type LibImpl, type PfaType, type SignatureJson } from '../types.js';
import { INT_MAX, INT_MIN, unionBranch, utf8Encode } from '../values.js';
import { numIsLong } from './core.js';

// ---------------------------------------------------------------------------
// Wrap-around casts.

export const signed: LibFunction = {
  name: 'cast.signed',
  sigs: [{ params: [{ name: 'x', type: 'long' }, { name: 'bits', type: 'int' }], ret: 'long' }],
  bigLongs: true,
  // Longs are BigInts here: two's complement wrap-around is exact.
  make: () => (x: bigint, bits: number) => {
    if (bits < 2 || bits > 64) pfaFail(17000, 'cast.signed', 'unrepresentable unsigned number');
    return BigInt.asIntN(bits, x);
  },
};

export const unsigned: LibFunction = {
  name: 'cast.unsigned',
  sigs: [{ params: [{ name: 'x', type: 'long' }, { name: 'bits', type: 'int' }], ret: 'long' }],
  bigLongs: true,
  make: () => (x: bigint, bits: number) => {
    if (bits < 1 || bits > 63) pfaFail(17010, 'cast.unsigned', 'unrepresentable unsigned number');
    return BigInt.asUintN(bits, x);
  },
};

// ---------------------------------------------------------------------------
// Numeric casts. Floating-point values round to the nearest whole number, halves up
// (floor(x + 0.5), as m.round); NaN and infinities are out of range.

const NUMERIC_SIGS = (ret: string): SignatureJson[] =>
  ['int', 'long', 'float', 'double'].map((t) => ({ params: [{ name: 'x', type: t }], ret }));

const TWO52 = 4503599627370496;

function roundHalfUp(x: number): number {
  return Math.abs(x) >= TWO52 ? x : Math.floor(x + 0.5);
}

export const toInt: LibFunction = {
  name: 'cast.int',
  sigs: NUMERIC_SIGS('int'),
  make(types): LibImpl {
    const floating = types.sig >= 2;
    return (x: number) => {
      const r = floating ? roundHalfUp(x) : x;
      if (!(r >= INT_MIN && r <= INT_MAX)) pfaFail(17020, 'cast.int', 'int overflow');
      return r + 0;
    };
  },
};

export const toLong: LibFunction = {
  name: 'cast.long',
  sigs: NUMERIC_SIGS('long'),
  make(types): LibImpl {
    if (types.sig < 2) return (x: number) => x;
    return (x: number) => {
      const r = roundHalfUp(x);
      if (!numIsLong(r)) pfaFail(17030, 'cast.long', 'long overflow');
      return r + 0;
    };
  },
};

export const toFloat: LibFunction = {
  name: 'cast.float',
  sigs: NUMERIC_SIGS('float'),
  make: () => Math.fround,
};

export const toDouble: LibFunction = {
  name: 'cast.double',
  sigs: NUMERIC_SIGS('double'),
  make: () => (x: number) => x,
};

// ---------------------------------------------------------------------------
// Fan-out: one indicator per category, the matching one "on".

function fanoutSigs(item: string): SignatureJson[] {
  const ret = { type: 'array', items: item };
  return [
    { params: [{ name: 'x', type: { type: 'enum', label: 'A' } }], ret },
    { params: [{ name: 'x', type: 'string' }, { name: 'dictionary', type: { type: 'array', items: 'string' } }, { name: 'outOfRange', type: 'boolean' }], ret },
    { params: [{ name: 'x', type: 'int' }, { name: 'minimum', type: 'int' }, { name: 'maximum', type: 'int' }, { name: 'outOfRange', type: 'boolean' }], ret },
  ];
}

function fanout<T>(name: string, item: string, on: T, off: T, code: number): LibFunction {
  return {
    name,
    sigs: fanoutSigs(item),
    make(types): LibImpl {
      switch (types.sig) {
        case 0: {
          const t = types.params[0];
          const symbols = t.kind === 'enum' ? t.symbols : [];
          const index = new Map(symbols.map((s, i) => [s, i]));
          return (x: string) => {
            const out = new Array<T>(symbols.length).fill(off);
            const i = index.get(x);
            if (i !== undefined) out[i] = on;
            return out;
          };
        }
        case 1: return (x: string, dictionary: readonly string[], outOfRange: boolean) => {
          if (new Set(dictionary).size !== dictionary.length) pfaFail(code, name, 'non-distinct values in dictionary');
          const out = new Array<T>(dictionary.length + (outOfRange ? 1 : 0)).fill(off);
          const i = dictionary.indexOf(x);
          if (i >= 0) out[i] = on;
          else if (outOfRange) out[dictionary.length] = on;
          return out;
        };
        default: return (x: number, minimum: number, maximum: number, outOfRange: boolean) => {
          // Categories minimum (inclusive) .. maximum (exclusive); none when maximum <= minimum.
          const n = Math.max(0, maximum - minimum);
          const out = new Array<T>(n + (outOfRange ? 1 : 0)).fill(off);
          if (x >= minimum && x < maximum) out[x - minimum] = on;
          else if (outOfRange) out[n] = on;
          return out;
        };
      }
    },
  };
}

export const fanoutBoolean = fanout('cast.fanoutBoolean', 'boolean', true, false, 17060);
export const fanoutInt = fanout('cast.fanoutInt', 'int', 1, 0, 17070);
export const fanoutLong = fanout('cast.fanoutLong', 'long', 1, 0, 17080);
export const fanoutFloat = fanout('cast.fanoutFloat', 'float', 1, 0, 17090);
export const fanoutDouble = fanout('cast.fanoutDouble', 'double', 1, 0, 17100);

// ---------------------------------------------------------------------------
// Avro binary encoding (Avro specification, "Binary Encoding").

class ByteSink {
  private buf = new Uint8Array(64);
  private n = 0;
  private readonly scratch = new DataView(new ArrayBuffer(8));

  private ensure(extra: number): void {
    if (this.n + extra <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.n + extra) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.n));
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.n++] = b;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.n);
    this.n += b.length;
  }

  /** A long (or int) as a zig-zag variable-length integer. */
  long(v: number): void {
    if (Math.abs(v) < TWO52) {
      let z = v >= 0 ? 2 * v : -2 * v - 1;
      while (z >= 128) {
        this.byte((z % 128) | 128);
        z = Math.floor(z / 128);
      }
      this.byte(z);
      return;
    }
    const b = BigInt.asIntN(64, BigInt(v));
    let z = BigInt.asUintN(64, (b << 1n) ^ (b >> 63n));
    while (z >= 128n) {
      this.byte(Number(z & 127n) | 128);
      z >>= 7n;
    }
    this.byte(Number(z));
  }

  float(v: number): void {
    this.scratch.setFloat32(0, v, true);
    for (let i = 0; i < 4; i++) this.byte(this.scratch.getUint8(i));
  }

  double(v: number): void {
    this.scratch.setFloat64(0, v, true);
    for (let i = 0; i < 8; i++) this.byte(this.scratch.getUint8(i));
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.n);
  }
}

type Writer = (sink: ByteSink, v: unknown) => void;

/** The Avro binary writer for values of type t (built once per call site). */
function avroWriter(t: PfaType): Writer {
  switch (t.kind) {
    case 'null': return () => undefined;
    case 'boolean': return (s, v) => s.byte(v ? 1 : 0);
    case 'int': case 'long': return (s, v) => s.long(v as number);
    case 'float': return (s, v) => s.float(v as number);
    case 'double': return (s, v) => s.double(v as number);
    case 'string': return (s, v) => {
      const b = utf8Encode(v as string);
      s.long(b.length);
      s.bytes(b);
    };
    case 'bytes': return (s, v) => {
      s.long((v as Uint8Array).length);
      s.bytes(v as Uint8Array);
    };
    case 'fixed': return (s, v) => s.bytes(v as Uint8Array);
    case 'enum': {
      const index = new Map(t.symbols.map((x, i) => [x, i]));
      return (s, v) => s.long(index.get(v as string) ?? 0);
    }
    case 'array': {
      let item: Writer | undefined;
      return (s, v) => {
        const a = v as unknown[];
        if (a.length > 0) {
          item ??= avroWriter(t.items);
          s.long(a.length);
          for (const x of a) item(s, x);
        }
        s.long(0);
      };
    }
    case 'map': {
      let value: Writer | undefined;
      return (s, v) => {
        const m = v as Record<string, unknown>;
        const keys = Object.keys(m);
        if (keys.length > 0) {
          value ??= avroWriter(t.values);
          s.long(keys.length);
          for (const k of keys) {
            const kb = utf8Encode(k);
            s.long(kb.length);
            s.bytes(kb);
            value(s, m[k]);
          }
        }
        s.long(0);
      };
    }
    case 'record': {
      // Lazily, so that recursive record types terminate.
      let fields: { name: string; write: Writer }[] | undefined;
      return (s, v) => {
        fields ??= t.fields.map((f) => ({ name: f.name, write: avroWriter(f.type) }));
        const r = v as Record<string, unknown>;
        for (const f of fields) f.write(s, r[f.name]);
      };
    }
    case 'union': {
      let branches: Writer[] | undefined;
      return (s, v) => {
        branches ??= t.types.map((x) => avroWriter(x));
        const i = Math.max(0, unionBranch(t.types, v));
        s.long(i);
        branches[i](s, v);
      };
    }
    case 'function': return () => undefined;
  }
}

export const avro: LibFunction = {
  name: 'cast.avro',
  sigs: [{ params: [{ name: 'x', type: { any: 'A' } }], ret: 'bytes' }],
  make(types): LibImpl {
    const write = avroWriter(types.params[0]);
    return (x: unknown) => {
      const sink = new ByteSink();
      write(sink, x);
      return sink.result();
    };
  },
};

// ---------------------------------------------------------------------------
// JSON: the engine's JSON encoding of values (avro.ts toJson: tagged unions, Base64 for
// bytes and fixed, "nan"/"inf"/"-inf" strings for non-finite numbers), without spaces.

export const json: LibFunction = {
  name: 'cast.json',
  sigs: [{ params: [{ name: 'x', type: { any: 'A' } }], ret: 'string' }],
  make(types): LibImpl {
    const t = types.params[0];
    return (x: unknown) => stringifyJsonExact(toJson(x, t));
  },
};
