// Elementwise kernels with (numpy-style) broadcasting: arithmetic, comparisons,
// logic, bitwise ops, the variadic Max/Min/Sum/Mean, and Where.
//
// Every kernel walks the output in rows (see elementwise-walk.ts) and runs one
// tight loop per row. Loops are written per op, not through a per-element
// callback, so the operation is inlined. Integer semantics follow C: results
// wrap to the element width (typed-array stores do that for us: ToInt8,
// ToUint32, ToBigInt64... are modular), integer division truncates toward zero.
// Number arrays and bigint arrays (int64/uint64) get separate loops where the
// operators differ, so the float path stays monomorphic.

import { broadcastShapes } from './broadcast.js';
import { planWalk, walk2, walk3, type Row2, type Row3, type Walk } from './elementwise-walk.js';
import {
  fail, isBigType, isFloatType, sizeOf,
  type BigArray, type DType, type NodeCtx, type NumericArray, type Tensor, type TensorData,
} from './tensor.js';

type Inputs = readonly (Tensor | undefined)[];

/**
 * Element storage seen as numbers. Loops whose JS operators behave alike on any
 * pair of same-typed primitives (comparisons, selection, bitwise ops on
 * integers) are shared by number, bigint and string arrays through this view.
 */
type Cells = { [i: number]: number; readonly length: number };
const cells = (d: TensorData): Cells => d as unknown as Cells;

/** Attributes of the opset 1–6 arithmetic/logic ops (`broadcast` + `axis`). */
export interface LegacyBroadcast {
  /** Present when B is aligned to A starting at this axis (legacy `axis` attribute). */
  readonly axis?: number;
}

/**
 * B's dims as seen by numpy broadcasting. Before opset 7, `broadcast=1, axis=k`
 * aligned B with A's dims starting at k (B's shape a contiguous run of A's); B is
 * padded with trailing 1s so standard broadcasting does the rest. Without `axis`
 * the old rule was suffix matching, which is what numpy does anyway.
 */
function legacyDims(a: Tensor, b: Tensor, attrs: LegacyBroadcast | undefined): readonly number[] {
  if (attrs?.axis === undefined) return b.dims;
  if (sizeOf(b.dims) === 1) return [];
  const r = a.dims.length;
  const axis = attrs.axis < 0 ? attrs.axis + r : attrs.axis;
  if (axis < 0 || axis + b.dims.length > r) {
    fail(`broadcast axis ${attrs.axis} does not fit B of shape [${b.dims.join(',')}] into A of shape [${a.dims.join(',')}]`);
  }
  return [...b.dims, ...new Array<number>(r - axis - b.dims.length).fill(1)];
}

/** A two-input broadcast: the output dims and the walk, for inputs of dims a and b. */
class BinaryPlan {
  constructor(
    readonly a: readonly number[], readonly b: readonly number[],
    readonly dims: readonly number[], readonly walk: Walk,
  ) {}
}

function sameDims(x: readonly number[], y: readonly number[]): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

/**
 * The broadcast of a and b's dims, planned once and kept in the node's memo while
 * the input dims repeat (every call, for a model with static shapes).
 */
function binaryPlan(ctx: NodeCtx, aDims: readonly number[], bDims: readonly number[]): BinaryPlan {
  const m = ctx.memo;
  // instanceof: a kernel that calls this one with its own context may memo something else.
  if (m instanceof BinaryPlan && sameDims(m.a, aDims) && sameDims(m.b, bDims)) return m;
  const dims = broadcastShapes(aDims, bDims);
  const plan = new BinaryPlan(aDims.slice(), bDims.slice(), dims, planWalk(dims, [aDims, bDims]));
  ctx.memo = plan;
  return plan;
}

/** Allocates the broadcast output and walks it with one of two row loops. */
function binary(
  ctx: NodeCtx, inputs: Inputs, attrs: LegacyBroadcast | undefined, outType: DType | null,
  rowNum: Row2<Cells, Cells, Cells>, rowBig: Row2<Cells, Cells, Cells>,
): Tensor[] {
  const a = inputs[0] as Tensor, b = inputs[1] as Tensor;
  const plan = binaryPlan(ctx, a.dims, legacyDims(a, b, attrs));
  const out = ctx.alloc(0, outType ?? a.type, plan.dims);
  const row = isBigType(a.type) ? rowBig : rowNum;
  walk2(plan.walk, cells(out.data), cells(a.data), cells(b.data), row);
  return ctx.done(1);
}

// ---------------------------------------------------------------------------
// Arithmetic

// Number rows: floats (float16 values are computed in float32 and rounded by the
// caller) and integers up to 32 bits, whose sums and small products are exact in
// a double before the store wraps them.
// The common cases get their own loops: both operands contiguous (same shapes) and a
// broadcast scalar operand per row (a bias, a constant) index with one counter, which
// V8 compiles to tighter code than the general strided loop.
const addNum: Row2<Cells, Cells, Cells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  const end = oi + n;
  if (sa === 1 && sb === 1) { const da = ia - oi, db = ib - oi; for (let i = oi; i < end; i++) o[i] = a[i + da] + b[i + db]; return; }
  if (sa === 1 && sb === 0) { const y = b[ib], da = ia - oi; for (let i = oi; i < end; i++) o[i] = a[i + da] + y; return; }
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[oi + i] = a[ia] + b[ib];
};
const subNum: Row2<Cells, Cells, Cells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  const end = oi + n;
  if (sa === 1 && sb === 1) { const da = ia - oi, db = ib - oi; for (let i = oi; i < end; i++) o[i] = a[i + da] - b[i + db]; return; }
  if (sa === 1 && sb === 0) { const y = b[ib], da = ia - oi; for (let i = oi; i < end; i++) o[i] = a[i + da] - y; return; }
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[oi + i] = a[ia] - b[ib];
};
const mulNum: Row2<Cells, Cells, Cells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  const end = oi + n;
  if (sa === 1 && sb === 1) { const da = ia - oi, db = ib - oi; for (let i = oi; i < end; i++) o[i] = a[i + da] * b[i + db]; return; }
  if (sa === 1 && sb === 0) { const y = b[ib], da = ia - oi; for (let i = oi; i < end; i++) o[i] = a[i + da] * y; return; }
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[oi + i] = a[ia] * b[ib];
};
/** 32-bit products can exceed 2^53: Math.imul gives the exact low 32 bits. */
const mulInt32: Row2<Cells, Cells, Cells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[oi + i] = Math.imul(a[ia], b[ib]);
};
/**
 * Also integer division: storing the quotient into an integer array truncates
 * toward zero (exact for 32-bit operands), and x/0 (±Infinity or NaN) stores 0.
 */
const divNum: Row2<Cells, Cells, Cells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  const end = oi + n;
  if (sa === 1 && sb === 1) { const da = ia - oi, db = ib - oi; for (let i = oi; i < end; i++) o[i] = a[i + da] / b[i + db]; return; }
  if (sa === 1 && sb === 0) { const y = b[ib], da = ia - oi; for (let i = oi; i < end; i++) o[i] = a[i + da] / y; return; }
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[oi + i] = a[ia] / b[ib];
};

// Bigint rows (int64/uint64): the store into BigInt64Array/BigUint64Array wraps.
type BigCells = { [i: number]: bigint; readonly length: number };
type BigRow = Row2<BigCells, BigCells, BigCells>;
const asBigRow = (r: BigRow): Row2<Cells, Cells, Cells> => r as unknown as Row2<Cells, Cells, Cells>;

const addBig = asBigRow((o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[oi + i] = a[ia] + b[ib];
});
const subBig = asBigRow((o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[oi + i] = a[ia] - b[ib];
});
const mulBig = asBigRow((o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[oi + i] = a[ia] * b[ib];
});
/** Bigint division truncates; division by zero yields 0 as numpy does for integers. */
const divBig = asBigRow((o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    const d = b[ib];
    o[oi + i] = d === 0n ? 0n : a[ia] / d;
  }
});

export function add(ctx: NodeCtx, inputs: Inputs, attrs?: LegacyBroadcast): Tensor[] {
  return binary(ctx, inputs, attrs, null, addNum, addBig);
}
export function sub(ctx: NodeCtx, inputs: Inputs, attrs?: LegacyBroadcast): Tensor[] {
  return binary(ctx, inputs, attrs, null, subNum, subBig);
}
export function mul(ctx: NodeCtx, inputs: Inputs, attrs?: LegacyBroadcast): Tensor[] {
  const t = (inputs[0] as Tensor).type;
  return binary(ctx, inputs, attrs, null, t === 'int32' || t === 'uint32' ? mulInt32 : mulNum, mulBig);
}
export function div(ctx: NodeCtx, inputs: Inputs, attrs?: LegacyBroadcast): Tensor[] {
  return binary(ctx, inputs, attrs, null, divNum, divBig);
}

// Mod: fmod=1 is C's fmod (sign of the dividend); fmod=0 is Python's % (sign of
// the divisor), for integers and, as in the ONNX reference, for floats too.
// Integer x mod 0 is 0 (as numpy), float x mod 0 is NaN.
const fmodNum: Row2<Cells, Cells, Cells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[oi + i] = a[ia] % b[ib];
};
const pymodNum: Row2<Cells, Cells, Cells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    const d = b[ib];
    let r = a[ia] % d;
    if (r !== 0 && (r < 0) !== (d < 0)) r += d;
    o[oi + i] = r;
  }
};
const fmodBig = asBigRow((o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    const d = b[ib];
    o[oi + i] = d === 0n ? 0n : a[ia] % d;
  }
});
const pymodBig = asBigRow((o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    const d = b[ib];
    if (d === 0n) { o[oi + i] = 0n; continue; }
    let r = a[ia] % d;
    if (r !== 0n && (r < 0n) !== (d < 0n)) r += d;
    o[oi + i] = r;
  }
});

export function mod(ctx: NodeCtx, inputs: Inputs, attrs: { readonly fmod: number }): Tensor[] {
  return attrs.fmod === 1
    ? binary(ctx, inputs, undefined, null, fmodNum, fmodBig)
    : binary(ctx, inputs, undefined, null, pymodNum, pymodBig);
}

// ---------------------------------------------------------------------------
// Pow: base and exponent may have different types; the result has the base's.

/** C's pow differs from Math.pow only where the result is NaN: pow(1, y) and pow(-1, ±inf) are 1. */
function powF(x: number, y: number): number {
  const r = Math.pow(x, y);
  return r === r || !(x === 1 || (x === -1 && (y === Infinity || y === -Infinity))) ? r : 1;
}

/** Integer power modulo 2^32 (exact low bits by Math.imul); negative exponents truncate 1/x^k. */
function ipow32(x: number, e: number): number {
  if (e < 0) return x === 1 ? 1 : x === -1 ? (e % 2 === 0 ? 1 : -1) : 0;
  let r = 1;
  while (e > 0) {
    if (e % 2 === 1) r = Math.imul(r, x);
    x = Math.imul(x, x);
    e = Math.floor(e / 2);
  }
  return r;
}

/** Integer power modulo 2^64. */
function ipow64(x: bigint, e: bigint): bigint {
  if (e < 0n) return x === 1n ? 1n : x === -1n ? (e % 2n === 0n ? 1n : -1n) : 0n;
  let r = 1n;
  x = BigInt.asIntN(64, x);
  while (e > 0n) {
    if (e & 1n) r = BigInt.asIntN(64, r * x);
    x = BigInt.asIntN(64, x * x);
    e >>= 1n;
  }
  return r;
}

/** A 64-bit exponent for a base computed modulo 2^32 (odd bases have order dividing 2^30). */
function smallExponent(e: bigint): number {
  return e < 0n ? (e < -(2n ** 31n) ? -(2 ** 31) : Number(e)) : e < 2n ** 31n ? Number(e) : Number(e & (2n ** 30n - 1n)) + 2 ** 30;
}

/** A float result stored into a 64-bit integer: truncated; NaN/±Infinity give 0 (undefined in C). */
function truncBig(v: number): bigint {
  return Number.isFinite(v) ? BigInt(Math.trunc(v)) : 0n;
}

const powFloat: Row2<Cells, Cells, Cells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[oi + i] = powF(a[ia], b[ib]);
};
const powFloatBigExp: Row2<Cells, Cells, BigCells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[oi + i] = powF(a[ia], Number(b[ib]));
};
const powIntInt: Row2<Cells, Cells, Cells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[oi + i] = ipow32(a[ia], b[ib]);
};
const powIntBigExp: Row2<Cells, Cells, BigCells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[oi + i] = ipow32(a[ia], smallExponent(b[ib]));
};
const powBigBig: Row2<BigCells, BigCells, BigCells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[oi + i] = ipow64(a[ia], b[ib]);
};
const powBigInt: Row2<BigCells, BigCells, Cells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[oi + i] = ipow64(a[ia], BigInt(b[ib]));
};
const powBigFloat: Row2<BigCells, BigCells, Cells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[oi + i] = truncBig(powF(Number(a[ia]), b[ib]));
};

export function pow(ctx: NodeCtx, inputs: Inputs, attrs?: LegacyBroadcast): Tensor[] {
  const a = inputs[0] as Tensor, b = inputs[1] as Tensor;
  const plan = binaryPlan(ctx, a.dims, legacyDims(a, b, attrs));
  const out = ctx.alloc(0, a.type, plan.dims);
  const w = plan.walk;
  const o = cells(out.data), x = cells(a.data), y = cells(b.data);
  const yBig = y as unknown as BigCells;
  if (isFloatType(a.type)) {
    // Integer values of a float base: Math.pow on the exponent converted to a double.
    if (isBigType(b.type)) walk2(w, o, x, yBig, powFloatBigExp);
    else walk2(w, o, x, y, powFloat);
  } else if (isBigType(a.type)) {
    const ob = o as unknown as BigCells, xb = x as unknown as BigCells;
    if (isBigType(b.type)) walk2(w, ob, xb, yBig, powBigBig);
    else if (isFloatType(b.type)) walk2(w, ob, xb, y, powBigFloat);
    else walk2(w, ob, xb, y, powBigInt);
  } else if (isBigType(b.type)) {
    walk2(w, o, x, yBig, powIntBigExp);
  } else if (isFloatType(b.type)) {
    // Integer base, float exponent: the double result truncated into the base type.
    walk2(w, o, x, y, powFloat);
  } else {
    walk2(w, o, x, y, powIntInt);
  }
  return ctx.done(1);
}

// ---------------------------------------------------------------------------
// Comparisons (output bool). One loop each serves numbers, bigints and strings.

const equalRow: Row2<Cells, Cells, Cells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[oi + i] = a[ia] === b[ib] ? 1 : 0;
};
const lessRow: Row2<Cells, Cells, Cells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[oi + i] = a[ia] < b[ib] ? 1 : 0;
};
const lessEqRow: Row2<Cells, Cells, Cells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[oi + i] = a[ia] <= b[ib] ? 1 : 0;
};
const greaterRow: Row2<Cells, Cells, Cells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[oi + i] = a[ia] > b[ib] ? 1 : 0;
};
const greaterEqRow: Row2<Cells, Cells, Cells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[oi + i] = a[ia] >= b[ib] ? 1 : 0;
};

export function equal(ctx: NodeCtx, inputs: Inputs, attrs?: LegacyBroadcast): Tensor[] {
  return binary(ctx, inputs, attrs, 'bool', equalRow, equalRow);
}
export function less(ctx: NodeCtx, inputs: Inputs, attrs?: LegacyBroadcast): Tensor[] {
  return binary(ctx, inputs, attrs, 'bool', lessRow, lessRow);
}
export function lessOrEqual(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  return binary(ctx, inputs, undefined, 'bool', lessEqRow, lessEqRow);
}
export function greater(ctx: NodeCtx, inputs: Inputs, attrs?: LegacyBroadcast): Tensor[] {
  return binary(ctx, inputs, attrs, 'bool', greaterRow, greaterRow);
}
export function greaterOrEqual(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  return binary(ctx, inputs, undefined, 'bool', greaterEqRow, greaterEqRow);
}

// ---------------------------------------------------------------------------
// Logic on bool (0/1 bytes) and bitwise ops on integers. `&`, `|`, `^` work on
// bigints as on numbers, and the store wraps the result to the element type.

const andRow: Row2<Cells, Cells, Cells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[oi + i] = a[ia] & b[ib];
};
const orRow: Row2<Cells, Cells, Cells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[oi + i] = a[ia] | b[ib];
};
const xorRow: Row2<Cells, Cells, Cells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) o[oi + i] = a[ia] ^ b[ib];
};

export function logicalAnd(ctx: NodeCtx, inputs: Inputs, attrs?: LegacyBroadcast): Tensor[] {
  return binary(ctx, inputs, attrs, 'bool', andRow, andRow);
}
export function logicalOr(ctx: NodeCtx, inputs: Inputs, attrs?: LegacyBroadcast): Tensor[] {
  return binary(ctx, inputs, attrs, 'bool', orRow, orRow);
}
export function logicalXor(ctx: NodeCtx, inputs: Inputs, attrs?: LegacyBroadcast): Tensor[] {
  return binary(ctx, inputs, attrs, 'bool', xorRow, xorRow);
}
export function bitwiseAnd(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  return binary(ctx, inputs, undefined, null, andRow, andRow);
}
export function bitwiseOr(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  return binary(ctx, inputs, undefined, null, orRow, orRow);
}
export function bitwiseXor(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  return binary(ctx, inputs, undefined, null, xorRow, xorRow);
}

export function logicalNot(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const x = inputs[0] as Tensor;
  const a = x.data as Uint8Array;
  const o = ctx.alloc(0, 'bool', x.dims).data as Uint8Array;
  for (let i = 0; i < a.length; i++) o[i] = a[i] ^ 1;
  return ctx.done(1);
}

export function bitwiseNot(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const x = inputs[0] as Tensor;
  const out = ctx.alloc(0, x.type, x.dims);
  if (isBigType(x.type)) {
    const a = x.data as BigArray, o = out.data as BigArray;
    for (let i = 0; i < a.length; i++) o[i] = ~a[i];
  } else {
    const a = x.data as NumericArray, o = out.data as NumericArray;
    for (let i = 0; i < a.length; i++) o[i] = ~a[i];
  }
  return ctx.done(1);
}

// BitShift on unsigned integers; shifting by the element width or more gives 0.
const shlNum: Row2<Cells, Cells, Cells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) { const s = b[ib]; o[oi + i] = s >= 32 ? 0 : a[ia] << s; }
};
const shrNum: Row2<Cells, Cells, Cells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) { const s = b[ib]; o[oi + i] = s >= 32 ? 0 : a[ia] >>> s; }
};
const shlBig = asBigRow((o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) { const s = b[ib]; o[oi + i] = s >= 64n ? 0n : a[ia] << s; }
});
const shrBig = asBigRow((o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) { const s = b[ib]; o[oi + i] = s >= 64n ? 0n : a[ia] >> s; }
});

export function bitShift(ctx: NodeCtx, inputs: Inputs, attrs: { readonly left: boolean }): Tensor[] {
  return attrs.left
    ? binary(ctx, inputs, undefined, null, shlNum, shlBig)
    : binary(ctx, inputs, undefined, null, shrNum, shrBig);
}

// ---------------------------------------------------------------------------
// Variadic Max / Min / Sum / Mean: the output starts as the first input
// broadcast, then each further input is folded in place.

const copyRow: Row2<Cells, Cells, Cells> = (o, oi, a, ia, sa, _b, _ib, _sb, n) => {
  for (let i = 0; i < n; i++, ia += sa) o[oi + i] = a[ia];
};
/** NaN propagates (numpy's maximum/minimum); bigints take the same path. */
const maxRow: Row2<Cells, Cells, Cells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    const x = a[ia], y = b[ib];
    o[oi + i] = x >= y || x !== x ? x : y;
  }
};
const minRow: Row2<Cells, Cells, Cells> = (o, oi, a, ia, sa, b, ib, sb, n) => {
  for (let i = 0; i < n; i++, ia += sa, ib += sb) {
    const x = a[ia], y = b[ib];
    o[oi + i] = x <= y || x !== x ? x : y;
  }
};

function variadic(ctx: NodeCtx, inputs: Inputs, row: Row2<Cells, Cells, Cells>): Tensor {
  const xs = inputs as readonly Tensor[];
  if (xs.length === 0) fail('needs at least one input');
  const dims = broadcastShapes(...xs.map((x) => x.dims));
  const out = ctx.alloc(0, xs[0].type, dims);
  const o = cells(out.data);
  walk2(planWalk(dims, [xs[0].dims, xs[0].dims]), o, cells(xs[0].data), o, copyRow);
  for (let k = 1; k < xs.length; k++) walk2(planWalk(dims, [dims, xs[k].dims]), o, o, cells(xs[k].data), row);
  return out;
}

export function maxOf(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  variadic(ctx, inputs, maxRow);
  return ctx.done(1);
}
export function minOf(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  variadic(ctx, inputs, minRow);
  return ctx.done(1);
}
export function sumOf(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  variadic(ctx, inputs, addNum);
  return ctx.done(1);
}
export function meanOf(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const o = variadic(ctx, inputs, addNum).data as NumericArray;
  const k = inputs.length;
  for (let i = 0; i < o.length; i++) o[i] /= k;
  return ctx.done(1);
}

// ---------------------------------------------------------------------------
// Where(condition, X, Y): three-way broadcast, any element type.

const whereRow: Row3 = (od, oi, cd, ic, sc, xd, ix, sx, yd, iy, sy, n) => {
  const o = cells(od), cond = cells(cd), x = cells(xd), y = cells(yd);
  for (let i = 0; i < n; i++, ic += sc, ix += sx, iy += sy) o[oi + i] = cond[ic] ? x[ix] : y[iy];
};

export function where(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const c = inputs[0] as Tensor, x = inputs[1] as Tensor, y = inputs[2] as Tensor;
  const dims = broadcastShapes(c.dims, x.dims, y.dims);
  const out = ctx.alloc(0, x.type, dims);
  walk3(planWalk(dims, [c.dims, x.dims, y.dims]), out.data, c.data, x.data, y.data, whereRow);
  return ctx.done(1);
}
