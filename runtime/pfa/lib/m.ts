// PFA library, family "m" (specification §9.1-9.3): constants, elementary functions,
// rounding. Functions on double follow IEEE 754 (out-of-domain inputs give NaN or an
// infinity, never an error); the integer functions report overflow with their codes.

import { pfaFail, type LibFunction, type LibImpl, type SignatureJson } from '../types.js';
import { BIG_LONG_MIN, INT_MAX, INT_MIN } from '../values.js';
import { numIsLong, numKind } from './core.js';

const D1: readonly SignatureJson[] = [{ params: [{ name: 'x', type: 'double' }], ret: 'double' }];

/** A function of one double returning a double. */
function unary(name: string, f: (x: number) => number): LibFunction {
  return { name, sigs: D1, make: () => f };
}

export const pi: LibFunction = { name: 'm.pi', sigs: [{ params: [], ret: 'double' }], make: () => () => Math.PI };
export const e: LibFunction = { name: 'm.e', sigs: [{ params: [], ret: 'double' }], make: () => () => Math.E };

export const abs: LibFunction = {
  name: 'm.abs',
  sigs: [{ params: [{ name: 'x', type: { any: 'A', of: ['int', 'long', 'float', 'double'] } }], ret: { ref: 'A' } }],
  bigLongs: true,
  make(types): LibImpl {
    switch (numKind(types.params[0])) {
      case 'int': return (x: number) => {
        if (x === INT_MIN) pfaFail(27020, 'm.abs', 'int overflow');
        return Math.abs(x);
      };
      // Longs are BigInts here: |-2^63| is the one overflow.
      case 'long': return (x: bigint) => {
        if (x === BIG_LONG_MIN) pfaFail(27021, 'm.abs', 'long overflow');
        return x < 0n ? -x : x;
      };
      default: return Math.abs;
    }
  },
};

export const acos = unary('m.acos', Math.acos);
export const asin = unary('m.asin', Math.asin);
export const atan = unary('m.atan', Math.atan);

export const atan2: LibFunction = {
  name: 'm.atan2',
  sigs: [{ params: [{ name: 'y', type: 'double' }, { name: 'x', type: 'double' }], ret: 'double' }],
  make: () => Math.atan2,
};

export const ceil = unary('m.ceil', Math.ceil);

/** Whether a number carries a negative sign (negative zero included; NaN counts as positive). */
function negativeSign(x: number): boolean {
  return x < 0 || Object.is(x, -0);
}

export const copysign: LibFunction = {
  name: 'm.copysign',
  sigs: [{ params: [{ name: 'mag', type: { any: 'A', of: ['int', 'long', 'float', 'double'] } }, { name: 'sign', type: { ref: 'A' } }], ret: { ref: 'A' } }],
  make(types): LibImpl {
    switch (numKind(types.params[0])) {
      // Integers: a zero sign counts as positive. |MIN| is not representable and wraps
      // around to MIN, as two's complement negation does (no error is documented).
      case 'int': return (mag: number, sign: number) => {
        const m = Math.abs(mag);
        return (sign < 0 ? -m : m) | 0;
      };
      case 'long': return (mag: number, sign: number) => {
        const m = Math.abs(mag);
        const r = sign < 0 ? -m : m;
        return numIsLong(r) ? r + 0 : -r;
      };
      default: return (mag: number, sign: number) => {
        const m = Math.abs(mag);
        return negativeSign(sign) ? -m : m;
      };
    }
  },
};

export const cos = unary('m.cos', Math.cos);
export const cosh = unary('m.cosh', Math.cosh);
export const exp = unary('m.exp', Math.exp);
export const expm1 = unary('m.expm1', Math.expm1);
export const floor = unary('m.floor', Math.floor);

export const hypot: LibFunction = {
  name: 'm.hypot',
  sigs: [{ params: [{ name: 'x', type: 'double' }, { name: 'y', type: 'double' }], ret: 'double' }],
  make: () => (x: number, y: number) => Math.hypot(x, y),
};

export const ln = unary('m.ln', Math.log);
export const log10 = unary('m.log10', Math.log10);

export const log: LibFunction = {
  name: 'm.log',
  sigs: [{ params: [{ name: 'x', type: 'double' }, { name: 'base', type: 'int' }], ret: 'double' }],
  make: () => (x: number, base: number) => {
    if (base <= 0) pfaFail(27170, 'm.log', 'base must be positive');
    return Math.log(x) / Math.log(base);
  },
};

export const ln1p = unary('m.ln1p', Math.log1p);

const TWO52 = 4503599627370496;

/** floor(x + 0.5), the specification's definition; large doubles are already whole. */
function roundHalfUp(x: number): number {
  return Math.abs(x) >= TWO52 ? x : Math.floor(x + 0.5);
}

export const round: LibFunction = {
  name: 'm.round',
  sigs: [{ params: [{ name: 'x', type: 'float' }], ret: 'int' }, { params: [{ name: 'x', type: 'double' }], ret: 'long' }],
  make(types): LibImpl {
    if (types.sig === 0) {
      return (x: number) => {
        const r = roundHalfUp(x);
        if (!(r >= INT_MIN && r <= INT_MAX)) pfaFail(27190, 'm.round', 'int overflow');
        return r + 0;
      };
    }
    return (x: number) => {
      const r = roundHalfUp(x);
      if (!numIsLong(r)) pfaFail(27191, 'm.round', 'long overflow');
      return r + 0;
    };
  },
};

/** Round half to even (IEEE roundTiesToEven), keeping the sign of zero. */
export function rintHalfEven(x: number): number {
  if (!Number.isFinite(x) || Math.abs(x) >= TWO52) return x;
  const f = Math.floor(x), d = x - f;
  let r: number;
  if (d < 0.5) r = f;
  else if (d > 0.5) r = f + 1;
  else r = f % 2 === 0 ? f : f + 1;
  return r === 0 && negativeSign(x) ? -0 : r;
}

export const rint = unary('m.rint', rintHalfEven);

export const signum: LibFunction = {
  name: 'm.signum',
  sigs: [{ params: [{ name: 'x', type: 'double' }], ret: 'int' }],
  make: () => (x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0),
};

export const sin = unary('m.sin', Math.sin);
export const sinh = unary('m.sinh', Math.sinh);
export const sqrt = unary('m.sqrt', Math.sqrt);
export const tan = unary('m.tan', Math.tan);
export const tanh = unary('m.tanh', Math.tanh);
