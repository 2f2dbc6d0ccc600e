// PFA library, family "parse" (specification §15): strings to numbers. Leading and
// trailing whitespace is ignored and letters may have any case.

import { pfaFail, type LibFunction } from '../types.js';
import { bigIsLong } from './core.js';

const INTEGER = /^[-+]?[0-9a-z]+$/;

/** The value of a trimmed, lower-cased string in base `base`, or undefined if a digit is too large. */
function parseInteger(s: string, base: number): bigint | undefined {
  let i = 0, negative = false;
  if (s[0] === '-' || s[0] === '+') {
    negative = s[0] === '-';
    i = 1;
  }
  const b = BigInt(base);
  let v = 0n;
  for (; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const d = c <= 57 ? c - 48 : c - 87; // '0'-'9' → 0-9, 'a'-'z' → 10-35
    if (d >= base) return undefined;
    v = v * b + BigInt(d);
  }
  return negative ? -v : v;
}

function integerParser(name: string, notCode: number, baseCode: number, what: string, fits: (v: bigint) => boolean, asBigInt = false) {
  return () => (str: string, base: number) => {
    if (base < 2 || base > 36) pfaFail(baseCode, name, 'base out of range');
    const s = str.trim().toLowerCase();
    const v = INTEGER.test(s) ? parseInteger(s, base) : undefined;
    if (v === undefined || !fits(v)) pfaFail(notCode, name, what);
    return asBigInt ? v : Number(v);
  };
}

const INT_LO = -(2n ** 31n), INT_HI = 2n ** 31n - 1n;

export const parseIntFn: LibFunction = {
  name: 'parse.int',
  sigs: [{ params: [{ name: 'str', type: 'string' }, { name: 'base', type: 'int' }], ret: 'int' }],
  make: integerParser('parse.int', 33000, 33001, 'not an integer', (v) => v >= INT_LO && v <= INT_HI),
};

export const parseLongFn: LibFunction = {
  name: 'parse.long',
  sigs: [{ params: [{ name: 'str', type: 'string' }, { name: 'base', type: 'int' }], ret: 'long' }],
  bigLongs: true, // the long comes out exact, as a BigInt
  make: integerParser('parse.long', 33010, 33011, 'not a long integer', bigIsLong, true),
};

const FLOATING = /^[-+]?(\.?[0-9]+|[0-9]+\.[0-9]*)(e[-+]?[0-9]+)?$/;

/** A trimmed, lower-cased decimal (or inf/nan) as a double; undefined if it does not conform. */
function parseFloating(str: string): number | undefined {
  const s = str.trim().toLowerCase();
  if (s === 'nan') return NaN;
  if (s === 'inf' || s === '+inf') return Infinity;
  if (s === '-inf') return -Infinity;
  return FLOATING.test(s) ? Number(s) : undefined;
}

export const parseFloatFn: LibFunction = {
  name: 'parse.float',
  sigs: [{ params: [{ name: 'str', type: 'string' }], ret: 'float' }],
  make: () => (str: string) => {
    const v = parseFloating(str);
    if (v === undefined) pfaFail(33020, 'parse.float', 'not a single-precision float');
    return Math.fround(v);
  },
};

export const parseDoubleFn: LibFunction = {
  name: 'parse.double',
  sigs: [{ params: [{ name: 'str', type: 'string' }], ret: 'double' }],
  make: () => (str: string) => {
    const v = parseFloating(str);
    if (v === undefined) pfaFail(33030, 'parse.double', 'not a double-precision float');
    return v;
  },
};
