// PFA library: byte arrays (bytes.*), specification §19: length and slices, encoding
// checks, decoding to and encoding from strings (ASCII, Latin-1, UTF-8, UTF-16) and
// Base64. Bytes are Uint8Array values; results are always new arrays.

import { pfaFail, type LibFunction } from '../types.js';
import { sliceBounds } from './s.js';

// ------------------------------------------------------------------ codecs (exported for re.ts and tests)

function isAscii(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] > 0x7f) return false;
  return true;
}

/** Whether a string holds no lone surrogate (so that every UTF encoding can represent it). */
export function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = s.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return false;
  }
  return true;
}

function maxCodePoint(s: string): number {
  let max = 0;
  for (const c of s) max = Math.max(max, c.codePointAt(0) as number);
  return max;
}

/** Each byte as the character with that code (ASCII and Latin-1). */
export function latin1Decode(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i += 8192) out += String.fromCharCode(...b.subarray(i, i + 8192));
  return out;
}

function latin1Encode(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

let utf8Fatal: InstanceType<typeof TextDecoder> | undefined;

/** Strict UTF-8 decoding (a leading byte-order mark is kept as U+FEFF); null if invalid. */
export function utf8DecodeStrict(b: Uint8Array): string | null {
  utf8Fatal ??= new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    return utf8Fatal.decode(b);
  } catch {
    return null;
  }
}

/** Strict UTF-16 decoding in one byte order; null if the length is odd or a surrogate is unpaired. */
function utf16Decode(b: Uint8Array, littleEndian: boolean, from = 0): string | null {
  if ((b.length - from) % 2 !== 0) return null;
  const units = new Uint16Array((b.length - from) / 2);
  for (let i = 0; i < units.length; i++) {
    const x = b[from + 2 * i], y = b[from + 2 * i + 1];
    units[i] = littleEndian ? x | (y << 8) : (x << 8) | y;
  }
  let out = '';
  for (let i = 0; i < units.length; i += 8192) out += String.fromCharCode(...units.subarray(i, i + 8192));
  return isWellFormed(out) ? out : null;
}

/** UTF-16 with an optional byte-order mark (consumed); big-endian without one (RFC 2781). */
function utf16DecodeBom(b: Uint8Array): string | null {
  if (b.length >= 2 && b[0] === 0xfe && b[1] === 0xff) return utf16Decode(b, false, 2);
  if (b.length >= 2 && b[0] === 0xff && b[1] === 0xfe) return utf16Decode(b, true, 2);
  return utf16Decode(b, false);
}

function utf16Encode(s: string, littleEndian: boolean, bom = false): Uint8Array {
  const off = bom ? 2 : 0;
  const out = new Uint8Array(off + 2 * s.length);
  if (bom) out.set(littleEndian ? [0xff, 0xfe] : [0xfe, 0xff]);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[off + 2 * i] = littleEndian ? c & 0xff : c >> 8;
    out[off + 2 * i + 1] = littleEndian ? c >> 8 : c & 0xff;
  }
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_INDEX[B64.charCodeAt(i)] = i;

export function toBase64(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = (b[i] << 16) | ((b[i + 1] ?? 0) << 8) | (b[i + 2] ?? 0);
    out += B64[(n >> 18) & 63] + B64[(n >> 12) & 63] + (i + 1 < b.length ? B64[(n >> 6) & 63] : '=') + (i + 2 < b.length ? B64[n & 63] : '=');
  }
  return out;
}

/**
 * Standard-alphabet Base64 (RFC 4648 §4). ASCII whitespace is ignored and the final
 * padding may be omitted; anything else (other characters, misplaced "=", a lone
 * trailing character, non-zero leftover bits) makes the input invalid (null).
 */
export function fromBase64(s: string): Uint8Array | null {
  let text = s.replace(/[\t\n\f\r ]/g, '');
  if (text.length % 4 === 0 && text.endsWith('=')) text = text.slice(0, text.endsWith('==') ? -2 : -1);
  if (text.length % 4 === 1) return null;
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let acc = 0, bits = 0, j = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const v = c < 128 ? B64_INDEX[c] : -1;
    if (v < 0) return null;
    acc = ((acc << 6) | v) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[j++] = (acc >> bits) & 0xff;
    }
  }
  if (bits > 0 && (acc & ((1 << bits) - 1)) !== 0) return null;
  return out;
}

// ------------------------------------------------------------------ basic access

export const bytesLen: LibFunction = {
  name: 'bytes.len',
  sigs: [{ params: [{ name: 'x', type: 'bytes' }], ret: 'int' }],
  make: () => (x: Uint8Array) => x.length,
};

export const bytesSubseq: LibFunction = {
  name: 'bytes.subseq',
  sigs: [{ params: [{ name: 'x', type: 'bytes' }, { name: 'start', type: 'int' }, { name: 'end', type: 'int' }], ret: 'bytes' }],
  make: () => (x: Uint8Array, start: number, end: number) => {
    const [a, b] = sliceBounds(x.length, start, end);
    return x.slice(a, b);
  },
};

export const bytesSubseqto: LibFunction = {
  name: 'bytes.subseqto',
  sigs: [{ params: [{ name: 'x', type: 'bytes' }, { name: 'start', type: 'int' }, { name: 'end', type: 'int' }, { name: 'replacement', type: 'bytes' }], ret: 'bytes' }],
  make: () => (x: Uint8Array, start: number, end: number, replacement: Uint8Array) => {
    const [a, b] = sliceBounds(x.length, start, end);
    const out = new Uint8Array(a + replacement.length + (x.length - b));
    out.set(x.subarray(0, a));
    out.set(replacement, a);
    out.set(x.subarray(b), a + replacement.length);
    return out;
  },
};

// ------------------------------------------------------------------ testing encoding

const CHECK_SIGS = [
  { params: [{ name: 'x', type: 'bytes' }], ret: 'boolean' },
  { params: [{ name: 'x', type: 'string' }], ret: 'boolean' },
];

/** A check on bytes (signature 0) or on a string (signature 1: can it be encoded?). */
function check(name: string, onBytes: (b: Uint8Array) => boolean, onString: (s: string) => boolean): LibFunction {
  return {
    name,
    sigs: CHECK_SIGS,
    make: (types) => (types.sig === 0 ? (x: Uint8Array) => onBytes(x) : (x: string) => onString(x)),
  };
}

export const bytesIsAscii = check('bytes.isAscii', isAscii, (s) => /^[\0-\x7f]*$/.test(s));
export const bytesIsLatin1 = check('bytes.isLatin1', () => true, (s) => /^[\0-\xff]*$/.test(s));
export const bytesIsUtf8 = check('bytes.isUtf8', (b) => utf8DecodeStrict(b) !== null, isWellFormed);
export const bytesIsUtf16 = check('bytes.isUtf16', (b) => utf16DecodeBom(b) !== null, isWellFormed);
export const bytesIsUtf16be = check('bytes.isUtf16be', (b) => utf16Decode(b, false) !== null, isWellFormed);
export const bytesIsUtf16le = check('bytes.isUtf16le', (b) => utf16Decode(b, true) !== null, isWellFormed);

// ------------------------------------------------------------------ decoding

function decoder(name: string, code: number, decode: (b: Uint8Array) => string | null): LibFunction {
  return {
    name,
    sigs: [{ params: [{ name: 'x', type: 'bytes' }], ret: 'string' }],
    make: () => (x: Uint8Array) => decode(x) ?? pfaFail(code, name, 'invalid bytes'),
  };
}

export const bytesDecodeAscii = decoder('bytes.decodeAscii', 16090, (b) => (isAscii(b) ? latin1Decode(b) : null));
export const bytesDecodeLatin1 = decoder('bytes.decodeLatin1', 16100, latin1Decode);
export const bytesDecodeUtf8 = decoder('bytes.decodeUtf8', 16110, utf8DecodeStrict);
export const bytesDecodeUtf16 = decoder('bytes.decodeUtf16', 16120, utf16DecodeBom);
export const bytesDecodeUtf16be = decoder('bytes.decodeUtf16be', 16130, (b) => utf16Decode(b, false));
export const bytesDecodeUtf16le = decoder('bytes.decodeUtf16le', 16140, (b) => utf16Decode(b, true));

// ------------------------------------------------------------------ encoding

function encoder(name: string, code: number, encode: (s: string) => Uint8Array | null): LibFunction {
  return {
    name,
    sigs: [{ params: [{ name: 's', type: 'string' }], ret: 'bytes' }],
    make: () => (s: string) => encode(s) ?? pfaFail(code, name, 'invalid string'),
  };
}

export const bytesEncodeAscii = encoder('bytes.encodeAscii', 16150, (s) => (maxCodePoint(s) <= 0x7f ? latin1Encode(s) : null));
export const bytesEncodeLatin1 = encoder('bytes.encodeLatin1', 16160, (s) => (maxCodePoint(s) <= 0xff ? latin1Encode(s) : null));
let utf8Encoder: InstanceType<typeof TextEncoder> | undefined;
export const bytesEncodeUtf8 = encoder('bytes.encodeUtf8', 16170, (s) => (isWellFormed(s) ? (utf8Encoder ??= new TextEncoder()).encode(s) : null));
// The byte order of bytes.encodeUtf16 is implementation-defined (the catalogue marks it
// unstable): a little-endian byte-order mark and little-endian units, as the reference does.
export const bytesEncodeUtf16 = encoder('bytes.encodeUtf16', 16180, (s) => (isWellFormed(s) ? utf16Encode(s, true, true) : null));
export const bytesEncodeUtf16be = encoder('bytes.encodeUtf16be', 16190, (s) => (isWellFormed(s) ? utf16Encode(s, false) : null));
export const bytesEncodeUtf16le = encoder('bytes.encodeUtf16le', 16200, (s) => (isWellFormed(s) ? utf16Encode(s, true) : null));

// ------------------------------------------------------------------ Base64

export const bytesToBase64: LibFunction = {
  name: 'bytes.toBase64',
  sigs: [{ params: [{ name: 'x', type: 'bytes' }], ret: 'string' }],
  make: () => (x: Uint8Array) => toBase64(x),
};

export const bytesFromBase64: LibFunction = {
  name: 'bytes.fromBase64',
  sigs: [{ params: [{ name: 's', type: 'string' }], ret: 'bytes' }],
  make: () => (s: string) => fromBase64(s) ?? pfaFail(16220, 'bytes.fromBase64', 'invalid base64'),
};
