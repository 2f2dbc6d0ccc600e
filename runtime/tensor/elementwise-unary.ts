// Unary elementwise kernels: math functions, rounding, sign, IsNaN/IsInf.
// One explicit loop per op (no per-element callback) so the math is inlined.
// Float results are computed in double precision and stored into the output
// array (float32 stores round once; float16 outputs are rounded by the caller).

import { isBigType, type BigArray, type NodeCtx, type NumericArray, type Tensor } from './tensor.js';

type Inputs = readonly (Tensor | undefined)[];

/** The input's numbers and a same-typed output of the same shape. */
function io(ctx: NodeCtx, inputs: Inputs): [NumericArray, NumericArray] {
  const x = inputs[0] as Tensor;
  return [x.data as NumericArray, ctx.alloc(0, x.type, x.dims).data as NumericArray];
}

function ioBig(ctx: NodeCtx, inputs: Inputs): [BigArray, BigArray] {
  const x = inputs[0] as Tensor;
  return [x.data as BigArray, ctx.alloc(0, x.type, x.dims).data as BigArray];
}

const isBig = (inputs: Inputs): boolean => isBigType((inputs[0] as Tensor).type);

// ---------------------------------------------------------------------------
// Ops defined on every numeric type (integers wrap on store: abs(-128) is -128 in int8).

export function abs(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  if (isBig(inputs)) {
    const [a, o] = ioBig(ctx, inputs);
    for (let i = 0; i < a.length; i++) { const v = a[i]; o[i] = v < 0n ? -v : v; }
  } else {
    const [a, o] = io(ctx, inputs);
    for (let i = 0; i < a.length; i++) o[i] = Math.abs(a[i]);
  }
  return ctx.done(1);
}

export function neg(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  if (isBig(inputs)) {
    const [a, o] = ioBig(ctx, inputs);
    for (let i = 0; i < a.length; i++) o[i] = -a[i];
  } else {
    const [a, o] = io(ctx, inputs);
    for (let i = 0; i < a.length; i++) o[i] = -a[i];
  }
  return ctx.done(1);
}

/** -1, 0 or 1 (NaN stays NaN). */
export function sign(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  if (isBig(inputs)) {
    const [a, o] = ioBig(ctx, inputs);
    for (let i = 0; i < a.length; i++) { const v = a[i]; o[i] = v > 0n ? 1n : v < 0n ? -1n : 0n; }
  } else {
    const [a, o] = io(ctx, inputs);
    for (let i = 0; i < a.length; i++) o[i] = Math.sign(a[i]);
  }
  return ctx.done(1);
}

/** Erf is defined for integer types too: the result is truncated into the type. */
export function erf(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  if (isBig(inputs)) {
    const [a, o] = ioBig(ctx, inputs);
    for (let i = 0; i < a.length; i++) o[i] = BigInt(Math.trunc(erfDouble(Number(a[i]))));
  } else {
    const [a, o] = io(ctx, inputs);
    for (let i = 0; i < a.length; i++) o[i] = erfDouble(a[i]);
  }
  return ctx.done(1);
}

// ---------------------------------------------------------------------------
// Float-only ops.

export function sqrt(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const [a, o] = io(ctx, inputs);
  for (let i = 0; i < a.length; i++) o[i] = Math.sqrt(a[i]);
  return ctx.done(1);
}
export function reciprocal(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const [a, o] = io(ctx, inputs);
  for (let i = 0; i < a.length; i++) o[i] = 1 / a[i];
  return ctx.done(1);
}
export function exp(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const [a, o] = io(ctx, inputs);
  for (let i = 0; i < a.length; i++) o[i] = Math.exp(a[i]);
  return ctx.done(1);
}
export function log(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const [a, o] = io(ctx, inputs);
  for (let i = 0; i < a.length; i++) o[i] = Math.log(a[i]);
  return ctx.done(1);
}
export function floor(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const [a, o] = io(ctx, inputs);
  for (let i = 0; i < a.length; i++) o[i] = Math.floor(a[i]);
  return ctx.done(1);
}
export function ceil(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const [a, o] = io(ctx, inputs);
  for (let i = 0; i < a.length; i++) o[i] = Math.ceil(a[i]);
  return ctx.done(1);
}

/** Round half to even (numpy.round / C's nearbyint), not Math.round's half-up. */
export function round(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const [a, o] = io(ctx, inputs);
  for (let i = 0; i < a.length; i++) {
    const v = a[i];
    let r = Math.round(v);
    if (r - v === 0.5 && r % 2 !== 0) r -= 1;
    o[i] = r;
  }
  return ctx.done(1);
}

export function sin(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const [a, o] = io(ctx, inputs);
  for (let i = 0; i < a.length; i++) o[i] = Math.sin(a[i]);
  return ctx.done(1);
}
export function cos(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const [a, o] = io(ctx, inputs);
  for (let i = 0; i < a.length; i++) o[i] = Math.cos(a[i]);
  return ctx.done(1);
}
export function tan(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const [a, o] = io(ctx, inputs);
  for (let i = 0; i < a.length; i++) o[i] = Math.tan(a[i]);
  return ctx.done(1);
}
export function asin(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const [a, o] = io(ctx, inputs);
  for (let i = 0; i < a.length; i++) o[i] = Math.asin(a[i]);
  return ctx.done(1);
}
export function acos(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const [a, o] = io(ctx, inputs);
  for (let i = 0; i < a.length; i++) o[i] = Math.acos(a[i]);
  return ctx.done(1);
}
export function atan(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const [a, o] = io(ctx, inputs);
  for (let i = 0; i < a.length; i++) o[i] = Math.atan(a[i]);
  return ctx.done(1);
}
export function sinh(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const [a, o] = io(ctx, inputs);
  for (let i = 0; i < a.length; i++) o[i] = Math.sinh(a[i]);
  return ctx.done(1);
}
export function cosh(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const [a, o] = io(ctx, inputs);
  for (let i = 0; i < a.length; i++) o[i] = Math.cosh(a[i]);
  return ctx.done(1);
}
export function asinh(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const [a, o] = io(ctx, inputs);
  for (let i = 0; i < a.length; i++) o[i] = Math.asinh(a[i]);
  return ctx.done(1);
}
export function acosh(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const [a, o] = io(ctx, inputs);
  for (let i = 0; i < a.length; i++) o[i] = Math.acosh(a[i]);
  return ctx.done(1);
}
export function atanh(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const [a, o] = io(ctx, inputs);
  for (let i = 0; i < a.length; i++) o[i] = Math.atanh(a[i]);
  return ctx.done(1);
}
export function tanh(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const [a, o] = io(ctx, inputs);
  for (let i = 0; i < a.length; i++) o[i] = Math.tanh(a[i]);
  return ctx.done(1);
}

// ---------------------------------------------------------------------------
// Float predicates (output bool).

export function isNan(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const x = inputs[0] as Tensor;
  const a = x.data as NumericArray;
  const o = ctx.alloc(0, 'bool', x.dims).data as Uint8Array;
  for (let i = 0; i < a.length; i++) o[i] = a[i] !== a[i] ? 1 : 0;
  return ctx.done(1);
}

export function isInf(ctx: NodeCtx, inputs: Inputs, attrs: { readonly positive: boolean; readonly negative: boolean }): Tensor[] {
  const x = inputs[0] as Tensor;
  const a = x.data as NumericArray;
  const o = ctx.alloc(0, 'bool', x.dims).data as Uint8Array;
  const pos = attrs.positive ? Infinity : NaN; // NaN never matches: the sign is not detected
  const neg = attrs.negative ? -Infinity : NaN;
  for (let i = 0; i < a.length; i++) { const v = a[i]; o[i] = v === pos || v === neg ? 1 : 0; }
  return ctx.done(1);
}

// ---------------------------------------------------------------------------
// erf in double precision. JS has no Math.erf; this is the rational
// approximation of fdlibm's s_erf.c (error below 1 ulp), whose notice follows:
//   Copyright (C) 1993 by Sun Microsystems, Inc. All rights reserved.
//   Developed at SunSoft, a Sun Microsystems, Inc. business.
//   Permission to use, copy, modify, and distribute this software is freely
//   granted, provided that this notice is preserved.

const ERX = 8.45062911510467529297e-01;
const EFX = 1.28379167095512586316e-01;
// erf on [0, 0.84375]: x + x*P(x^2)/Q(x^2)
const PP = [1.28379167095512558561e-01, -3.25042107247001499370e-01, -2.84817495755985104766e-02, -5.77027029648944159157e-03, -2.37630166566501626084e-05];
const QQ = [3.97917223959155352819e-01, 6.50222499887672944485e-02, 5.08130628187576562776e-03, 1.32494738004321644526e-04, -3.96022827877536812320e-06];
// erf on [0.84375, 1.25]: erx + P(s)/Q(s), s = |x| - 1
const PA = [-2.36211856075265944077e-03, 4.14856118683748331666e-01, -3.72207876035701323847e-01, 3.18346619901161753674e-01, -1.10894694282396677476e-01, 3.54783043256182359371e-02, -2.16637559486879084300e-03];
const QA = [1.06420880400844228286e-01, 5.40397917702171048937e-01, 7.18286544141962662868e-02, 1.26171219808761642112e-01, 1.36370839120290507362e-02, 1.19844998467991074170e-02];
// erfc on [1.25, 1/0.35] and [1/0.35, 6]: exp(-x^2 - 0.5625 + R(1/x^2)/S(1/x^2)) / x
const RA = [-9.86494403484714822705e-03, -6.93858572707181764372e-01, -1.05586262253232909814e+01, -6.23753324503260060396e+01, -1.62396669462573470355e+02, -1.84605092906711035994e+02, -8.12874355063065934246e+01, -9.81432934416914548592e+00];
const SA = [1.96512716674392571292e+01, 1.37657754143519042600e+02, 4.34565877475229228821e+02, 6.45387271733267880336e+02, 4.29008140027567833386e+02, 1.08635005541779435134e+02, 6.57024977031928170135e+00, -6.04244152148580987438e-02];
const RB = [-9.86494292470009928597e-03, -7.99283237680523006574e-01, -1.77579549177547519889e+01, -1.60636384855821916062e+02, -6.37566443368389627722e+02, -1.02509513161107724954e+03, -4.83519191608651397019e+02];
const SB = [3.03380607434824582924e+01, 3.25792512996573918826e+02, 1.53672958608443695994e+03, 3.19985821950859553908e+03, 2.55305040643316442583e+03, 4.74528541206955367215e+02, -2.24409524465858183362e+01];

/** c[0] + z*c[1] + z^2*c[2] + ... (Horner). */
function poly(c: readonly number[], z: number): number {
  let r = c[c.length - 1];
  for (let i = c.length - 2; i >= 0; i--) r = r * z + c[i];
  return r;
}

/** 1 + z*c[0] + z^2*c[1] + ... */
function poly1(c: readonly number[], z: number): number {
  return 1 + z * poly(c, z);
}

export function erfDouble(x: number): number {
  if (x !== x) return x;
  const ax = Math.abs(x);
  let r: number;
  if (ax < 0.84375) {
    if (ax < 2 ** -28) return x + EFX * x;
    const z = x * x;
    return x + x * (poly(PP, z) / poly1(QQ, z));
  }
  if (ax < 1.25) {
    const s = ax - 1;
    r = ERX + poly(PA, s) / poly1(QA, s);
  } else if (ax >= 6) {
    r = 1;
  } else {
    const s = 1 / (ax * ax);
    const q = ax < 1 / 0.35 ? poly(RA, s) / poly1(SA, s) : poly(RB, s) / poly1(SB, s);
    r = 1 - Math.exp(-ax * ax - 0.5625 + q) / ax;
  }
  return x < 0 ? -r : r;
}
