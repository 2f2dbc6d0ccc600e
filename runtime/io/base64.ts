// Base64 decoding with no dependency on atob or Buffer: generated modules must
// run in bare JavaScript contexts (browsers, workers, vm sandboxes) unchanged.

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
let lookup: Uint8Array | undefined;

export function decodeBase64(text: string): Uint8Array {
  if (lookup === undefined) {
    lookup = new Uint8Array(128);
    for (let i = 0; i < ALPHABET.length; i++) lookup[ALPHABET.charCodeAt(i)] = i;
  }
  const table = lookup;
  let len = text.length;
  while (len > 0 && text.charCodeAt(len - 1) === 61 /* = */) len--;
  const out = new Uint8Array(Math.floor((len * 3) / 4));
  let o = 0;
  let i = 0;
  for (; i + 4 <= len; i += 4) {
    const n = (table[text.charCodeAt(i)] << 18) | (table[text.charCodeAt(i + 1)] << 12) |
      (table[text.charCodeAt(i + 2)] << 6) | table[text.charCodeAt(i + 3)];
    out[o++] = n >>> 16; out[o++] = (n >>> 8) & 255; out[o++] = n & 255;
  }
  const rest = len - i;
  if (rest === 2) {
    const n = (table[text.charCodeAt(i)] << 18) | (table[text.charCodeAt(i + 1)] << 12);
    out[o++] = n >>> 16;
  } else if (rest === 3) {
    const n = (table[text.charCodeAt(i)] << 18) | (table[text.charCodeAt(i + 1)] << 12) | (table[text.charCodeAt(i + 2)] << 6);
    out[o++] = n >>> 16; out[o++] = (n >>> 8) & 255;
  }
  return out;
}

/** Encodes bytes as base64 (used by the compiler; kept beside the decoder so both agree). */
export function encodeBase64(bytes: Uint8Array): string {
  let s = '';
  let i = 0;
  for (; i + 3 <= bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    s += ALPHABET[n >>> 18] + ALPHABET[(n >>> 12) & 63] + ALPHABET[(n >>> 6) & 63] + ALPHABET[n & 63];
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i] << 16;
    s += ALPHABET[n >>> 18] + ALPHABET[(n >>> 12) & 63] + '==';
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8);
    s += ALPHABET[n >>> 18] + ALPHABET[(n >>> 12) & 63] + ALPHABET[(n >>> 6) & 63] + '=';
  }
  return s;
}
