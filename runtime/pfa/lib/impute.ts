// PFA library, family "impute" (specification §22): missing values as null (unions with
// null) and non-finite floating-point values (NaN, ±infinity).

import { pfaFail, type CallTypes, type LibFunction, type LibImpl, type PfaType, type SignatureJson } from '../types.js';

const NULLABLE_A = { type: 'union', of: [{ any: 'A' }, 'null'] };

/**
 * The result type A of `union of {any A, null}`: the argument's type without null. (A
 * matcher may bind A to the whole union, null included, when it tries the type variable
 * before the literal null branch; the result is never null.)
 */
function withoutNull(types: CallTypes): PfaType {
  const t = types.ret;
  if (t.kind !== 'union') return t;
  const rest = t.types.filter((x) => x.kind !== 'null');
  return rest.length === 1 ? rest[0] : { kind: 'union', types: rest };
}

export const errorOnNull: LibFunction = {
  name: 'impute.errorOnNull',
  sigs: [{ params: [{ name: 'x', type: NULLABLE_A }], ret: { ref: 'A' } }],
  refine: withoutNull,
  make: () => (x: unknown) => {
    if (x === null) pfaFail(21000, 'impute.errorOnNull', 'encountered null');
    return x;
  },
};

export const defaultOnNull: LibFunction = {
  name: 'impute.defaultOnNull',
  sigs: [{ params: [{ name: 'x', type: NULLABLE_A }, { name: 'default', type: { ref: 'A' } }], ret: { ref: 'A' } }],
  refine: withoutNull,
  make: () => (x: unknown, dflt: unknown) => (x === null ? dflt : x),
};

const FLOATING_PRED: readonly SignatureJson[] = [
  { params: [{ name: 'x', type: 'float' }], ret: 'boolean' },
  { params: [{ name: 'x', type: 'double' }], ret: 'boolean' },
];

export const isnan: LibFunction = { name: 'impute.isnan', sigs: FLOATING_PRED, make: () => (x: number) => Number.isNaN(x) };

export const isinf: LibFunction = {
  name: 'impute.isinf',
  sigs: FLOATING_PRED,
  make: () => (x: number) => x === Infinity || x === -Infinity,
};

export const isnum: LibFunction = { name: 'impute.isnum', sigs: FLOATING_PRED, make: () => (x: number) => Number.isFinite(x) };

export const errorOnNonNum: LibFunction = {
  name: 'impute.errorOnNonNum',
  sigs: [
    { params: [{ name: 'x', type: 'float' }], ret: 'float' },
    { params: [{ name: 'x', type: 'double' }], ret: 'double' },
  ],
  make: (): LibImpl => (x: number) => {
    if (Number.isFinite(x)) return x;
    if (Number.isNaN(x)) pfaFail(21050, 'impute.errorOnNonNum', 'encountered nan');
    if (x > 0) pfaFail(21051, 'impute.errorOnNonNum', 'encountered +inf');
    return pfaFail(21052, 'impute.errorOnNonNum', 'encountered -inf');
  },
};

export const defaultOnNonNum: LibFunction = {
  name: 'impute.defaultOnNonNum',
  sigs: [
    { params: [{ name: 'x', type: 'float' }, { name: 'default', type: 'float' }], ret: 'float' },
    { params: [{ name: 'x', type: 'double' }, { name: 'default', type: 'double' }], ret: 'double' },
  ],
  make: () => (x: number, dflt: number) => (Number.isFinite(x) ? x : dflt),
};
