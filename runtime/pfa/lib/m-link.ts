// PFA library, family "m.link" (specification §9.5): link (activation) functions applied
// to a double, each element of an array of doubles, or each value of a map of doubles.

import { pfaFail, type LibFunction, type LibImpl, type SignatureJson } from '../types.js';
import { newMap } from '../values.js';
import { erfcValue } from './m-special.js';

const DOUBLE_ARRAY = { type: 'array', items: 'double' };
const DOUBLE_MAP = { type: 'map', values: 'double' };

const ELEMENTWISE: readonly SignatureJson[] = [
  { params: [{ name: 'x', type: 'double' }], ret: 'double' },
  { params: [{ name: 'x', type: DOUBLE_ARRAY }], ret: DOUBLE_ARRAY },
  { params: [{ name: 'x', type: DOUBLE_MAP }], ret: DOUBLE_MAP },
];

function mapValues(m: Record<string, number>, f: (x: number) => number): Record<string, number> {
  const out = newMap<number>();
  for (const k of Object.keys(m)) out[k] = f(m[k]);
  return out;
}

/** A link function on the three signatures: double, array of double, map of double. */
function elementwise(name: string, f: (x: number) => number): LibFunction {
  return {
    name,
    sigs: ELEMENTWISE,
    make(types): LibImpl {
      switch (types.sig) {
        case 0: return f;
        case 1: return (x: readonly number[]) => x.map((v) => f(v));
        default: return (x: Record<string, number>) => mapValues(x, f);
      }
    },
  };
}

/** exp(x_i) / Σ_j exp(x_j), computed as exp(x_i − max) / Σ_j exp(x_j − max) to avoid overflow. */
function softmaxArray(x: readonly number[]): number[] {
  if (x.length === 0) pfaFail(25000, 'm.link.softmax', 'empty input');
  let top = -Infinity;
  for (const v of x) top = Number.isNaN(v) || Number.isNaN(top) ? NaN : Math.max(top, v);
  const e = x.map((v) => Math.exp(v - top));
  let sum = 0;
  for (const v of e) sum += v;
  return e.map((v) => v / sum);
}

export const softmax: LibFunction = {
  name: 'm.link.softmax',
  sigs: [
    { params: [{ name: 'x', type: DOUBLE_ARRAY }], ret: DOUBLE_ARRAY },
    { params: [{ name: 'x', type: DOUBLE_MAP }], ret: DOUBLE_MAP },
  ],
  make(types): LibImpl {
    if (types.sig === 0) return softmaxArray;
    return (x: Record<string, number>) => {
      const keys = Object.keys(x);
      const values = softmaxArray(keys.map((k) => x[k]));
      const out = newMap<number>();
      keys.forEach((k, i) => (out[k] = values[i]));
      return out;
    };
  },
};

export const logit = elementwise('m.link.logit', (x) => 1 / (1 + Math.exp(-x)));

/** (erf(x/√2) + 1)/2 = erfc(−x/√2)/2, which keeps its accuracy in the lower tail. */
export const probit = elementwise('m.link.probit', (x) => 0.5 * erfcValue(-x / Math.SQRT2));

/** 1 − exp(−exp(x)), as −expm1(−exp(x)) for accuracy when exp(x) is small. */
export const cloglog = elementwise('m.link.cloglog', (x) => -Math.expm1(-Math.exp(x)));

export const loglog = elementwise('m.link.loglog', (x) => Math.exp(-Math.exp(x)));

export const cauchit = elementwise('m.link.cauchit', (x) => 0.5 + Math.atan(x) / Math.PI);

/** log(1 + exp(x)), rearranged for large x so that exp does not overflow. */
export const softplus = elementwise('m.link.softplus', (x) => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x))));

// The catalogue's formula for relu repeats softplus's by mistake; the rectified linear
// unit is max(0, x) (NaN stays NaN).
export const relu = elementwise('m.link.relu', (x) => (x > 0 ? x : Number.isNaN(x) ? x : 0));

export const tanh = elementwise('m.link.tanh', Math.tanh);
