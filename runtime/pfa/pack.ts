// Binary formats of the "pack" and "unpack" special forms (specification §7.13.4-5):
// format specifiers parsed once at compile time into Format records, then used to
// decode a bytes value into typed values or encode values into bytes.

import { PfaError } from './types.js';

export type FormatKind = 'pad' | 'boolean' | 'int8' | 'int16' | 'int32' | 'int64' | 'float32' | 'float64' | 'raw' | 'rawAny' | 'nullTerminated' | 'lengthPrefixed';

export interface Format {
  readonly kind: FormatKind;
  readonly unsigned: boolean;
  readonly little: boolean;
  /** raw N: the byte count. */
  readonly size: number;
  /** The PFA type of the value: null, boolean, int, long, float, double or bytes. */
  readonly type: 'null' | 'boolean' | 'int' | 'long' | 'float' | 'double' | 'bytes';
}

/** Parses a format specifier; null when it is not one (`allowRawAny`: pack's bare "raw"). */
export function parseFormat(spec: string, allowRawAny: boolean): Format | null {
  const s = spec.trim().replace(/\s+/g, ' ');
  const m = /^(<|>|!|little|big|network)?\s*(.*)$/.exec(s) as RegExpExecArray;
  const little = m[1] === '<' || m[1] === 'little';
  const endianGiven = m[1] !== undefined;
  let rest = m[2].trim();
  const unsigned = /^unsigned\s*/.test(rest);
  if (unsigned) rest = rest.replace(/^unsigned\s*/, '');
  const f = (kind: FormatKind, type: Format['type'], size = 0): Format => ({ kind, unsigned, little, size, type });
  if (!endianGiven && !unsigned) {
    if (rest === 'pad') return f('pad', 'null');
    if (rest === 'boolean') return f('boolean', 'boolean');
    const raw = /^raw\s*(\d+)$/.exec(rest);
    if (raw) return f('raw', 'bytes', Number(raw[1]));
    if (rest === 'raw' && allowRawAny) return f('rawAny', 'bytes');
    if (/^(null ?)?terminated$/.test(rest)) return f('nullTerminated', 'bytes');
    if (/^(length ?)?prefixed$/.test(rest)) return f('lengthPrefixed', 'bytes');
  }
  if (!endianGiven && (rest === 'byte' || rest === 'int8')) return f('int8', 'int');
  if (rest === 'short' || rest === 'int16') return f('int16', 'int');
  if (rest === 'int' || rest === 'int32') return f('int32', unsigned ? 'long' : 'int');
  if (rest === 'long' || rest === 'long long' || rest === 'int64') return f('int64', unsigned ? 'double' : 'long');
  if (!unsigned && (rest === 'float' || rest === 'float32')) return f('float32', 'float');
  if (!unsigned && (rest === 'double' || rest === 'float64')) return f('float64', 'double');
  return null;
}

const WIDTH: Partial<Record<FormatKind, number>> = { pad: 1, boolean: 1, int8: 1, int16: 2, int32: 4, int64: 8, float32: 4, float64: 8 };

/** Decodes `bytes` with the formats; null when they do not use exactly all the bytes. */
export function unpack(bytes: Uint8Array, formats: readonly Format[]): unknown[] | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: unknown[] = [];
  let at = 0;
  for (const f of formats) {
    const w = WIDTH[f.kind];
    if (w !== undefined && at + w > bytes.length) return null;
    switch (f.kind) {
      case 'pad': out.push(null); at += 1; break;
      case 'boolean': out.push(bytes[at] !== 0); at += 1; break;
      case 'int8': out.push(f.unsigned ? view.getUint8(at) : view.getInt8(at)); at += 1; break;
      case 'int16': out.push(f.unsigned ? view.getUint16(at, f.little) : view.getInt16(at, f.little)); at += 2; break;
      case 'int32': out.push(f.unsigned ? view.getUint32(at, f.little) : view.getInt32(at, f.little)); at += 4; break;
      // A signed 64-bit field is a long (BigInt, exact); an unsigned one a double.
      case 'int64': out.push(f.unsigned ? Number(view.getBigUint64(at, f.little)) : view.getBigInt64(at, f.little)); at += 8; break;
      case 'float32': out.push(view.getFloat32(at, f.little)); at += 4; break;
      case 'float64': out.push(view.getFloat64(at, f.little)); at += 8; break;
      case 'raw': case 'rawAny': {
        const n = f.kind === 'raw' ? f.size : bytes.length - at;
        if (at + n > bytes.length) return null;
        out.push(bytes.slice(at, at + n));
        at += n;
        break;
      }
      case 'nullTerminated': {
        const end = bytes.indexOf(0, at);
        if (end < 0) return null;
        out.push(bytes.slice(at, end));
        at = end + 1;
        break;
      }
      case 'lengthPrefixed': {
        if (at >= bytes.length) return null;
        const n = bytes[at];
        if (at + 1 + n > bytes.length) return null;
        out.push(bytes.slice(at + 1, at + 1 + n));
        at += 1 + n;
        break;
      }
    }
  }
  return at === bytes.length ? out : null;
}

/** Encodes values with the formats (errors #3000 and #3001 for bad raw sizes). */
export function pack(values: readonly unknown[], formats: readonly Format[]): Uint8Array {
  const parts: Uint8Array[] = [];
  formats.forEach((f, i) => {
    const v = values[i];
    const w = WIDTH[f.kind];
    if (w !== undefined) {
      const b = new Uint8Array(w), view = new DataView(b.buffer);
      switch (f.kind) {
        case 'pad': break;
        case 'boolean': b[0] = v ? 1 : 0; break;
        case 'int8': if (f.unsigned) view.setUint8(0, Number(v) & 0xff); else view.setInt8(0, Number(v)); break;
        case 'int16': if (f.unsigned) view.setUint16(0, Number(v) & 0xffff, f.little); else view.setInt16(0, Number(v), f.little); break;
        case 'int32': if (f.unsigned) view.setUint32(0, Number(v) >>> 0, f.little); else view.setInt32(0, Number(v), f.little); break;
        case 'int64': if (f.unsigned) view.setBigUint64(0, BigInt.asUintN(64, typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)))), f.little); else view.setBigInt64(0, BigInt.asIntN(64, typeof v === 'bigint' ? v : BigInt(Math.trunc(Number(v)))), f.little); break;
        case 'float32': view.setFloat32(0, Number(v), f.little); break;
        case 'float64': view.setFloat64(0, Number(v), f.little); break;
        default: break;
      }
      parts.push(b);
      return;
    }
    const bytes = v as Uint8Array;
    switch (f.kind) {
      case 'raw':
        if (bytes.length !== f.size) throw new PfaError(3000, 'raw bytes does not have specified size');
        parts.push(bytes);
        break;
      case 'rawAny': parts.push(bytes); break;
      case 'nullTerminated': parts.push(bytes, new Uint8Array([0])); break;
      case 'lengthPrefixed':
        if (bytes.length > 255) throw new PfaError(3001, 'length prefixed bytes is larger than 255 bytes');
        parts.push(new Uint8Array([bytes.length]), bytes);
        break;
      default: break;
    }
  });
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
