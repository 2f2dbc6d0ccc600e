// PFA library, family "m.kernel" (specification §9.6): kernel functions of two vectors
// (arrays of double of the same length), as used by support vector machines.

import { pfaFail, type LibFunction } from '../types.js';

const VEC = { type: 'array', items: 'double' };
const XY = [{ name: 'x', type: VEC }, { name: 'y', type: VEC }];

function dot(x: readonly number[], y: readonly number[], code: number, fcn: string): number {
  if (x.length !== y.length) pfaFail(code, fcn, 'arrays must have same length');
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

export const linear: LibFunction = {
  name: 'm.kernel.linear',
  sigs: [{ params: XY, ret: 'double' }],
  make: () => (x: readonly number[], y: readonly number[]) => dot(x, y, 23000, 'm.kernel.linear'),
};

export const rbf: LibFunction = {
  name: 'm.kernel.rbf',
  sigs: [{ params: [...XY, { name: 'gamma', type: 'double' }], ret: 'double' }],
  make: () => (x: readonly number[], y: readonly number[], gamma: number) => {
    if (x.length !== y.length) pfaFail(23010, 'm.kernel.rbf', 'arrays must have same length');
    let s = 0;
    for (let i = 0; i < x.length; i++) {
      const d = x[i] - y[i];
      s += d * d;
    }
    return Math.exp(-gamma * s);
  },
};

export const poly: LibFunction = {
  name: 'm.kernel.poly',
  sigs: [{ params: [...XY, { name: 'gamma', type: 'double' }, { name: 'intercept', type: 'double' }, { name: 'degree', type: 'double' }], ret: 'double' }],
  make: () => (x: readonly number[], y: readonly number[], gamma: number, intercept: number, degree: number) =>
    Math.pow(gamma * dot(x, y, 23020, 'm.kernel.poly') + intercept, degree),
};

export const sigmoid: LibFunction = {
  name: 'm.kernel.sigmoid',
  sigs: [{ params: [...XY, { name: 'gamma', type: 'double' }, { name: 'intercept', type: 'double' }], ret: 'double' }],
  make: () => (x: readonly number[], y: readonly number[], gamma: number, intercept: number) =>
    Math.tanh(gamma * dot(x, y, 23030, 'm.kernel.sigmoid') + intercept),
};
