// PFA library, family "core": the undotted operators (specification §8): arithmetic
// (+ - * / // u- % %% **), comparison (cmp == != < <= > >= max min), logic (&& || ^^ !),
// Kleene logic (&&& ||| !!!) and bitwise arithmetic (& | ^ ~).
//
// Numbers: int, float and double are JS numbers; longs are BigInts (exact 64-bit) for the
// functions marked `bigLongs` (+ - *, the comparisons), and numbers (exact to 2^53, overflow
// checked exactly with BigInt) for the others, which the compiler converts for (compile.ts).
// Float results are rounded to single precision with Math.fround. Each factory specialises on the resolved
// numeric type so that the returned closure does no per-call type dispatch.

import { pfaFail, type LibFunction, type LibImpl, type PfaType, type SignatureJson } from '../types.js';
import { comparator, compareNumbers, INT_MAX, INT_MIN, unionBranch as unionIndex } from '../values.js';

// ---------------------------------------------------------------------------
// Shared numeric helpers (also used by the m, cast and parse families).

export type NumKind = 'int' | 'long' | 'float' | 'double';

/** The numeric kind of a resolved type (int/long/float/double), defaulting to double. */
export function numKind(t: PfaType | undefined): NumKind {
  const k = t?.kind;
  return k === 'int' || k === 'long' || k === 'float' ? k : 'double';
}

const TWO63 = 9223372036854775808;
const BIG_LONG_MIN = -(2n ** 63n);
const BIG_LONG_MAX = 2n ** 63n - 1n;

/** Whether an exact integer (as BigInt) is a long. */
export function bigIsLong(v: bigint): boolean {
  return v >= BIG_LONG_MIN && v <= BIG_LONG_MAX;
}

/** Whether a double that is an integer value lies in the long range [-2^63, 2^63). */
export function numIsLong(v: number): boolean {
  return v >= -TWO63 && v < TWO63;
}

/** An int result, or the function's int-overflow error. */
function checkInt(r: number, code: number, fcn: string): number {
  if (r > INT_MAX || r < INT_MIN) pfaFail(code, fcn, 'int overflow');
  return r + 0; // no negative zero for integers
}

/** Exact integer power for int/long; undefined when the result leaves [min, max]. */
export function integerPower(x: number, y: number, min: bigint, max: bigint): number | undefined {
  if (y < 0) {
    // The real result truncated toward zero: |x| >= 2 gives a fraction (0); 0 gives infinity.
    if (x === 0) return undefined;
    if (x === 1) return 1;
    if (x === -1) return y % 2 === 0 ? 1 : -1;
    return 0;
  }
  if (y === 0) return 1;
  if (x === 0 || x === 1) return x;
  if (x === -1) return y % 2 === 0 ? 1 : -1;
  // |x| >= 2: at most 64 multiplications before leaving the long range.
  const b = BigInt(x);
  let r = 1n;
  for (let i = 0; i < y; i++) {
    r *= b;
    if (r > max || r < min) return undefined;
  }
  return Number(r);
}

/** Python-style modulo (result has the sign of n, zero included) on doubles. */
export function floorMod(k: number, n: number): number {
  let r = k % n;
  if (r !== 0) {
    if (r < 0 !== n < 0) r += n;
  } else {
    r = n < 0 || Object.is(n, -0) ? -0 : 0;
  }
  return r;
}

const fround = Math.fround;

// ---------------------------------------------------------------------------
// Signatures (functions.json).

const NUM_A = { any: 'A', of: ['int', 'long', 'float', 'double'] };
const BINARY_NUM: readonly SignatureJson[] = [{ params: [{ name: 'x', type: NUM_A }, { name: 'y', type: { ref: 'A' } }], ret: { ref: 'A' } }];
const MOD_NUM: readonly SignatureJson[] = [{ params: [{ name: 'k', type: NUM_A }, { name: 'n', type: { ref: 'A' } }], ret: { ref: 'A' } }];
const ANY_PAIR_INT: readonly SignatureJson[] = [{ params: [{ name: 'x', type: { any: 'A' } }, { name: 'y', type: { ref: 'A' } }], ret: 'int' }];
const ANY_PAIR_BOOL: readonly SignatureJson[] = [{ params: [{ name: 'x', type: { any: 'A' } }, { name: 'y', type: { ref: 'A' } }], ret: 'boolean' }];
const ANY_PAIR_A: readonly SignatureJson[] = [{ params: [{ name: 'x', type: { any: 'A' } }, { name: 'y', type: { ref: 'A' } }], ret: { ref: 'A' } }];
const BOOL2: readonly SignatureJson[] = [{ params: [{ name: 'x', type: 'boolean' }, { name: 'y', type: 'boolean' }], ret: 'boolean' }];
const KLEENE = { type: 'union', of: ['boolean', 'null'] };
const KLEENE2: readonly SignatureJson[] = [{ params: [{ name: 'x', type: KLEENE }, { name: 'y', type: KLEENE }], ret: KLEENE }];
const BITWISE2: readonly SignatureJson[] = [
  { params: [{ name: 'x', type: 'int' }, { name: 'y', type: 'int' }], ret: 'int' },
  { params: [{ name: 'x', type: 'long' }, { name: 'y', type: 'long' }], ret: 'long' },
];

// ---------------------------------------------------------------------------
// Arithmetic.

/** +, -, *: int/long with overflow codes, float rounded, double IEEE. */
function arithmetic(name: string, intCode: number, longCode: number, op: (x: number, y: number) => number, exact: (x: bigint, y: bigint) => bigint): LibFunction {
  return {
    name,
    sigs: BINARY_NUM,
    bigLongs: true,
    make(types): LibImpl {
      switch (numKind(types.params[0])) {
        case 'int': return (x: number, y: number) => checkInt(op(x, y), intCode, name);
        // Exact 64-bit: the result must stay in the long range (specification: long overflow).
        case 'long': return (x: bigint, y: bigint) => {
          const r = exact(x, y);
          if (!bigIsLong(r)) pfaFail(longCode, name, 'long overflow');
          return r;
        };
        case 'float': return (x: number, y: number) => fround(op(x, y));
        case 'double': return op;
      }
    },
  };
}

export const plus = arithmetic('+', 18000, 18001, (x, y) => x + y, (x, y) => x + y);
export const minus = arithmetic('-', 18010, 18011, (x, y) => x - y, (x, y) => x - y);
export const times = arithmetic('*', 18020, 18021, (x, y) => x * y, (x, y) => x * y);

export const divide: LibFunction = {
  name: '/',
  sigs: [{ params: [{ name: 'x', type: 'double' }, { name: 'y', type: 'double' }], ret: 'double' }],
  make: () => (x: number, y: number) => x / y,
};

const SAFE_QUOTIENT = 2 ** 52;

export const floorDivide: LibFunction = {
  name: '//',
  sigs: [{ params: [{ name: 'x', type: { any: 'A', of: ['int', 'long'] } }, { name: 'y', type: { ref: 'A' } }], ret: { ref: 'A' } }],
  make(types): LibImpl {
    const isInt = numKind(types.params[0]) === 'int';
    return (x: number, y: number) => {
      if (y === 0) pfaFail(18040, '//', 'integer division by zero');
      // Below 2^52 in magnitude the rounded quotient never crosses an integer.
      if (Math.abs(x) < SAFE_QUOTIENT && Math.abs(y) < SAFE_QUOTIENT) {
        const q = Math.floor(x / y) + 0;
        // The one overflow (MIN // -1) wraps around, as two's complement division does.
        return isInt ? q | 0 : q;
      }
      const bx = BigInt(x), by = BigInt(y);
      let q = bx / by;
      if (bx % by !== 0n && bx < 0n !== by < 0n) q -= 1n;
      return Number(BigInt.asIntN(isInt ? 32 : 64, q));
    };
  },
};

export const negate: LibFunction = {
  name: 'u-',
  sigs: [{ params: [{ name: 'x', type: NUM_A }], ret: { ref: 'A' } }],
  bigLongs: true,
  make(types): LibImpl {
    switch (numKind(types.params[0])) {
      case 'int': return (x: number) => {
        if (x === INT_MIN) pfaFail(18050, 'u-', 'int overflow');
        return 0 - x;
      };
      case 'long': return (x: bigint) => {
        if (x === BIG_LONG_MIN) pfaFail(18051, 'u-', 'long overflow');
        return -x;
      };
      default: return (x: number) => -x;
    }
  },
};

export const modulo: LibFunction = {
  name: '%',
  sigs: MOD_NUM,
  make(types): LibImpl {
    switch (numKind(types.params[0])) {
      case 'int': case 'long': return (k: number, n: number) => {
        if (n === 0) pfaFail(18060, '%', 'integer division by zero');
        return floorMod(k, n) + 0;
      };
      case 'float': return (k: number, n: number) => fround(floorMod(k, n));
      case 'double': return floorMod;
    }
  },
};

export const remainder: LibFunction = {
  name: '%%',
  sigs: MOD_NUM,
  make(types): LibImpl {
    switch (numKind(types.params[0])) {
      case 'int': case 'long': return (k: number, n: number) => {
        if (n === 0) pfaFail(18070, '%%', 'integer division by zero');
        return (k % n) + 0;
      };
      // fmod of two floats is exact, hence already a float.
      default: return (k: number, n: number) => k % n;
    }
  },
};

const BIG_INT_MIN = BigInt(INT_MIN);
const BIG_INT_MAX = BigInt(INT_MAX);

export const power: LibFunction = {
  name: '**',
  sigs: BINARY_NUM,
  make(types): LibImpl {
    switch (numKind(types.params[0])) {
      case 'int': return (x: number, y: number) => {
        const r = integerPower(x, y, BIG_INT_MIN, BIG_INT_MAX);
        if (r === undefined) pfaFail(18080, '**', 'int overflow');
        return r;
      };
      case 'long': return (x: number, y: number) => {
        const r = integerPower(x, y, BIG_LONG_MIN, BIG_LONG_MAX);
        if (r === undefined) pfaFail(18081, '**', 'long overflow');
        return r;
      };
      case 'float': return (x: number, y: number) => fround(Math.pow(x, y));
      case 'double': return Math.pow;
    }
  },
};

// ---------------------------------------------------------------------------
// Comparison: the specification's total order (values.ts comparator; NaN above every
// number and equal to itself). Equality follows the same order, and maps (unordered)
// compare by their keys and values.

type Cmp = (a: unknown, b: unknown) => number;
type Eq = (a: unknown, b: unknown) => boolean;

function orderOf(t: PfaType): Cmp {
  switch (t.kind) {
    case 'int': case 'long': case 'float': case 'double': return compareNumbers as Cmp;
    default: return comparator(t);
  }
}

/** Equality consistent with the total order (NaN == NaN, 0 == -0), maps included. */
export function valueEquality(t: PfaType): Eq {
  switch (t.kind) {
    case 'int': case 'long': return (a, b) => a === b;
    case 'float': case 'double': return (a, b) => a === b || (a !== a && b !== b);
    case 'array': {
      const item = valueEquality(t.items);
      return (a, b) => {
        const x = a as unknown[], y = b as unknown[];
        if (x.length !== y.length) return false;
        for (let i = 0; i < x.length; i++) if (!item(x[i], y[i])) return false;
        return true;
      };
    }
    case 'map': {
      const value = valueEquality(t.values);
      return (a, b) => {
        const x = a as Record<string, unknown>, y = b as Record<string, unknown>;
        const kx = Object.keys(x);
        if (kx.length !== Object.keys(y).length) return false;
        return kx.every((k) => Object.hasOwn(y, k) && value(x[k], y[k]));
      };
    }
    case 'record': {
      let fields: { name: string; eq: Eq }[] | undefined; // lazily: records may be recursive
      return (a, b) => {
        fields ??= t.fields.map((f) => ({ name: f.name, eq: valueEquality(f.type) }));
        const x = a as Record<string, unknown>, y = b as Record<string, unknown>;
        return fields.every((f) => f.eq(x[f.name], y[f.name]));
      };
    }
    case 'union': {
      let branches: Eq[] | undefined;
      return (a, b) => {
        branches ??= t.types.map((x) => valueEquality(x));
        const i = unionIndex(t.types, a);
        return i >= 0 && i === unionIndex(t.types, b) && branches[i](a, b);
      };
    }
    default: {
      const cmp = comparator(t);
      return (a, b) => cmp(a, b) === 0;
    }
  }
}

function comparison(name: string, test: (c: number) => boolean): LibFunction {
  return {
    name,
    sigs: ANY_PAIR_BOOL,
    bigLongs: true, // the order and equality work on BigInts as on numbers
    make(types): LibImpl {
      const cmp = orderOf(types.params[0]);
      return (x: unknown, y: unknown) => test(cmp(x, y));
    },
  };
}

export const cmp: LibFunction = {
  name: 'cmp',
  sigs: ANY_PAIR_INT,
  bigLongs: true, // the order and equality work on BigInts as on numbers
  make(types): LibImpl {
    const order = orderOf(types.params[0]);
    return (x: unknown, y: unknown) => {
      const c = order(x, y);
      return c < 0 ? -1 : c > 0 ? 1 : 0;
    };
  },
};

export const equal: LibFunction = {
  name: '==',
  sigs: ANY_PAIR_BOOL,
  bigLongs: true, // the order and equality work on BigInts as on numbers
  make(types): LibImpl {
    const eq = valueEquality(types.params[0]);
    return (x: unknown, y: unknown) => eq(x, y);
  },
};

export const notEqual: LibFunction = {
  name: '!=',
  sigs: ANY_PAIR_BOOL,
  bigLongs: true, // the order and equality work on BigInts as on numbers
  make(types): LibImpl {
    const eq = valueEquality(types.params[0]);
    return (x: unknown, y: unknown) => !eq(x, y);
  },
};

export const lessThan = comparison('<', (c) => c < 0);
export const lessOrEqual = comparison('<=', (c) => c <= 0);
export const greaterThan = comparison('>', (c) => c > 0);
export const greaterOrEqual = comparison('>=', (c) => c >= 0);

export const max: LibFunction = {
  name: 'max',
  sigs: ANY_PAIR_A,
  bigLongs: true, // the order and equality work on BigInts as on numbers
  make(types): LibImpl {
    const order = orderOf(types.params[0]);
    // "Return x if x >= y, y otherwise."
    return (x: unknown, y: unknown) => (order(x, y) >= 0 ? x : y);
  },
};

export const min: LibFunction = {
  name: 'min',
  sigs: ANY_PAIR_A,
  bigLongs: true, // the order and equality work on BigInts as on numbers
  make(types): LibImpl {
    const order = orderOf(types.params[0]);
    // "Return x if x < y, y otherwise."
    return (x: unknown, y: unknown) => (order(x, y) < 0 ? x : y);
  },
};

// ---------------------------------------------------------------------------
// Logic. The arguments arrive evaluated; short-circuiting (&&, ||, &&&, |||) is the
// code generator's concern.

export const and: LibFunction = { name: '&&', sigs: BOOL2, make: () => (x: boolean, y: boolean) => x && y };
export const or: LibFunction = { name: '||', sigs: BOOL2, make: () => (x: boolean, y: boolean) => x || y };
export const xor: LibFunction = { name: '^^', sigs: BOOL2, make: () => (x: boolean, y: boolean) => x !== y };
export const not: LibFunction = {
  name: '!',
  sigs: [{ params: [{ name: 'x', type: 'boolean' }], ret: 'boolean' }],
  make: () => (x: boolean) => !x,
};

export const kleeneAnd: LibFunction = {
  name: '&&&',
  sigs: KLEENE2,
  make: () => (x: boolean | null, y: boolean | null) => (x === false || y === false ? false : x === true && y === true ? true : null),
};

export const kleeneOr: LibFunction = {
  name: '|||',
  sigs: KLEENE2,
  make: () => (x: boolean | null, y: boolean | null) => (x === true || y === true ? true : x === false && y === false ? false : null),
};

export const kleeneNot: LibFunction = {
  name: '!!!',
  sigs: [{ params: [{ name: 'x', type: KLEENE }], ret: KLEENE }],
  make: () => (x: boolean | null) => (x === null ? null : !x),
};

// ---------------------------------------------------------------------------
// Bitwise arithmetic on two's complement ints (32 bits) and longs (64 bits).

function isInt32(v: number): boolean {
  return v >= INT_MIN && v <= INT_MAX;
}

function bitwise(name: string, op32: (x: number, y: number) => number, op64: (x: bigint, y: bigint) => bigint): LibFunction {
  return {
    name,
    sigs: BITWISE2,
    make(types): LibImpl {
      if (types.sig === 0) return op32;
      // Sign-extended 32-bit operands give the sign-extended 64-bit result.
      return (x: number, y: number) => (isInt32(x) && isInt32(y) ? op32(x, y) : Number(BigInt.asIntN(64, op64(BigInt(x), BigInt(y)))));
    },
  };
}

export const bitAnd = bitwise('&', (x, y) => x & y, (x, y) => x & y);
export const bitOr = bitwise('|', (x, y) => x | y, (x, y) => x | y);
export const bitXor = bitwise('^', (x, y) => x ^ y, (x, y) => x ^ y);

export const bitNot: LibFunction = {
  name: '~',
  sigs: [{ params: [{ name: 'x', type: 'int' }], ret: 'int' }, { params: [{ name: 'x', type: 'long' }], ret: 'long' }],
  make(types): LibImpl {
    if (types.sig === 0) return (x: number) => ~x;
    return (x: number) => (isInt32(x) ? ~x : Number(BigInt.asIntN(64, ~BigInt(x))));
  },
};
