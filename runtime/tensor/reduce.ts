// Reductions: ReduceSum/Mean/Max/Min/Prod/SumSquare/L1/L2/LogSum/LogSumExp.
//
// A reduction is planned once per call: the input's axes are collapsed into
// alternating runs of kept and reduced axes (size-1 axes dropped), so any axes
// set becomes "odometer over a few outer groups + one tight inner loop". The
// input is walked in memory order; only the output offset jumps.
// Floats and integers up to 32 bits accumulate in a Float64Array (exact for
// integer sums below 2^53; typed-array stores then wrap like C integers);
// int64/uint64 accumulate as bigints so large values stay exact.

import {
  fail, isBigType, normAxis, sizeOf, toNumbers,
  type BigArray, type DType, type NodeCtx, type NumericArray, type Tensor,
} from './tensor.js';

/** Reduction kinds (numbers, so the inner-loop switches stay cheap). */
const enum Kind { Sum, Mean, Max, Min, Prod, SumSquare, L1, L2, LogSum, LogSumExp }

export interface ReduceAttrs {
  readonly keepdims: boolean;
  /** Axes from the attribute (opsets before axes became an input); null: read input 1. */
  readonly axes: readonly number[] | null;
  /** Only with axes as an input: empty axes mean "do nothing" instead of "all axes". */
  readonly noopWithEmptyAxes: boolean;
}

type Inputs = readonly (Tensor | undefined)[];

export function reduceSum(ctx: NodeCtx, inputs: Inputs, attrs: ReduceAttrs): Tensor[] { return reduce(ctx, inputs, attrs, Kind.Sum); }
export function reduceMean(ctx: NodeCtx, inputs: Inputs, attrs: ReduceAttrs): Tensor[] { return reduce(ctx, inputs, attrs, Kind.Mean); }
export function reduceMax(ctx: NodeCtx, inputs: Inputs, attrs: ReduceAttrs): Tensor[] { return reduce(ctx, inputs, attrs, Kind.Max); }
export function reduceMin(ctx: NodeCtx, inputs: Inputs, attrs: ReduceAttrs): Tensor[] { return reduce(ctx, inputs, attrs, Kind.Min); }
export function reduceProd(ctx: NodeCtx, inputs: Inputs, attrs: ReduceAttrs): Tensor[] { return reduce(ctx, inputs, attrs, Kind.Prod); }
export function reduceSumSquare(ctx: NodeCtx, inputs: Inputs, attrs: ReduceAttrs): Tensor[] { return reduce(ctx, inputs, attrs, Kind.SumSquare); }
export function reduceL1(ctx: NodeCtx, inputs: Inputs, attrs: ReduceAttrs): Tensor[] { return reduce(ctx, inputs, attrs, Kind.L1); }
export function reduceL2(ctx: NodeCtx, inputs: Inputs, attrs: ReduceAttrs): Tensor[] { return reduce(ctx, inputs, attrs, Kind.L2); }
export function reduceLogSum(ctx: NodeCtx, inputs: Inputs, attrs: ReduceAttrs): Tensor[] { return reduce(ctx, inputs, attrs, Kind.LogSum); }
export function reduceLogSumExp(ctx: NodeCtx, inputs: Inputs, attrs: ReduceAttrs): Tensor[] { return reduce(ctx, inputs, attrs, Kind.LogSumExp); }

function reduce(ctx: NodeCtx, inputs: Inputs, attrs: ReduceAttrs, kind: Kind): Tensor[] {
  const x = inputs[0] as Tensor;
  const rank = x.dims.length;
  const axes = attrs.axes ?? (inputs[1] !== undefined ? toNumbers(inputs[1]) : []);
  if (axes.length === 0 && attrs.axes === null && attrs.noopWithEmptyAxes) {
    // noop_with_empty_axes: the input passes through unchanged.
    ctx.view(0, x.type, x.dims, x.data);
    return ctx.done(1);
  }
  const mask = reducedMask(axes, rank);
  const outDims: number[] = [];
  for (let i = 0; i < rank; i++) {
    if (!mask[i]) outDims.push(x.dims[i]);
    else if (attrs.keepdims) outDims.push(1);
  }
  const out = ctx.alloc(0, x.type, outDims);
  const plan = planReduction(x.dims, mask);
  if (isBigType(x.type) && (kind === Kind.Sum || kind === Kind.Mean || kind === Kind.Max || kind === Kind.Min ||
      kind === Kind.Prod || kind === Kind.SumSquare || kind === Kind.L1)) {
    reduceBig(x.data as BigArray, out.data as BigArray, x.type, plan, kind);
  } else {
    const acc = ctx.scratch('acc', 'float64', plan.outSize) as Float64Array;
    const src = isBigType(x.type) ? bigToFloat(ctx, x.data as BigArray) : (x.data as NumericArray);
    reduceFloat(ctx, src, acc, x.type, plan, kind);
    storeResult(acc, out, plan.outSize);
  }
  return ctx.done(1);
}

/** Which axes are reduced; an empty axes list means all of them. */
function reducedMask(axes: readonly number[], rank: number): boolean[] {
  const mask = new Array<boolean>(rank).fill(axes.length === 0);
  for (const a of axes) mask[normAxis(a, rank)] = true;
  return mask;
}

/** A collapsed reduction: groups outermost first; the last group is the inner loop. */
interface Plan {
  readonly sizes: number[];
  readonly reduced: boolean[];
  /** Output stride of each group (0 for reduced groups). */
  readonly outStrides: number[];
  readonly inSize: number;
  readonly outSize: number;
  /** How many input elements fold into one output element. */
  readonly count: number;
}

function planReduction(dims: readonly number[], mask: readonly boolean[]): Plan {
  const sizes: number[] = [];
  const reduced: boolean[] = [];
  let count = 1;
  let outSize = 1;
  for (let i = 0; i < dims.length; i++) {
    const d = dims[i];
    if (mask[i]) count *= d; else outSize *= d;
    if (d === 1) continue;
    const last = sizes.length - 1;
    if (last >= 0 && reduced[last] === mask[i]) sizes[last] *= d;
    else { sizes.push(d); reduced.push(mask[i]); }
  }
  if (sizes.length === 0) { sizes.push(1); reduced.push(false); }
  const outStrides = new Array<number>(sizes.length).fill(0);
  let acc = 1;
  for (let g = sizes.length - 1; g >= 0; g--) {
    if (!reduced[g]) { outStrides[g] = acc; acc *= sizes[g]; }
  }
  return { sizes, reduced, outStrides, inSize: sizeOf(dims), outSize, count };
}

/** The value a reduction of the empty set yields (before finalisation). */
function initialValue(kind: Kind, type: DType): number {
  switch (kind) {
    case Kind.Prod: return 1;
    case Kind.Max: return type === 'bool' ? 0 : intRange(type)?.[0] ?? -Infinity;
    case Kind.Min: return type === 'bool' ? 1 : intRange(type)?.[1] ?? Infinity;
    default: return 0;
  }
}

function intRange(type: DType): [number, number] | undefined {
  switch (type) {
    case 'int8': return [-128, 127];
    case 'uint8': return [0, 255];
    case 'int16': return [-32768, 32767];
    case 'uint16': return [0, 65535];
    case 'int32': return [-2147483648, 2147483647];
    case 'uint32': return [0, 4294967295];
    default: return undefined;
  }
}

function reduceFloat(ctx: NodeCtx, x: NumericArray, acc: Float64Array, type: DType, plan: Plan, kind: Kind): void {
  const n = plan.outSize;
  if (kind === Kind.LogSumExp) {
    // Shift by the max so exp cannot overflow; a non-finite max (all -inf, or +inf) shifts by 0.
    const shift = ctx.scratch('shift', 'float64', n) as Float64Array;
    shift.fill(-Infinity, 0, n);
    walk(x, shift, plan, Kind.Max, shift);
    for (let i = 0; i < n; i++) if (!Number.isFinite(shift[i])) shift[i] = 0;
    acc.fill(0, 0, n);
    walk(x, acc, plan, Kind.LogSumExp, shift);
    for (let i = 0; i < n; i++) acc[i] = shift[i] + Math.log(acc[i]);
    return;
  }
  acc.fill(initialValue(kind, type), 0, n);
  if (plan.inSize > 0) walk(x, acc, plan, kind, acc);
  switch (kind) {
    case Kind.Mean: { const c = plan.count; for (let i = 0; i < n; i++) acc[i] /= c; break; }
    case Kind.L2: for (let i = 0; i < n; i++) acc[i] = Math.sqrt(acc[i]); break;
    case Kind.LogSum: for (let i = 0; i < n; i++) acc[i] = Math.log(acc[i]); break;
    default: break;
  }
}

/**
 * Folds every input element into acc[outIndex]. The input is read in order; an
 * odometer over the outer groups tracks the output offset, the last group is a
 * tight loop (a contiguous run either folded into one value or accumulated
 * element-wise). `shift` is only read by LogSumExp (exp(x - shift)).
 */
function walk(x: NumericArray, acc: Float64Array, plan: Plan, kind: Kind, shift: Float64Array): void {
  const { sizes, outStrides } = plan;
  const g = sizes.length - 1;
  const inner = sizes[g];
  const innerReduced = plan.reduced[g];
  const runs = plan.inSize / inner;
  const idx = new Array<number>(g).fill(0);
  let ob = 0;
  for (let r = 0, ib = 0; r < runs; r++, ib += inner) {
    if (innerReduced) acc[ob] = foldRun(x, ib, inner, acc[ob], kind, shift[ob]);
    else accumulateRun(x, ib, inner, acc, ob, kind, shift);
    for (let a = g - 1; a >= 0; a--) {
      ob += outStrides[a];
      if (++idx[a] < sizes[a]) break;
      ob -= outStrides[a] * sizes[a];
      idx[a] = 0;
    }
  }
}

/** Folds x[ib .. ib+n) into one accumulator value. */
function foldRun(x: NumericArray, ib: number, n: number, a: number, kind: Kind, shift: number): number {
  const end = ib + n;
  switch (kind) {
    case Kind.Sum: case Kind.Mean:
      for (let i = ib; i < end; i++) a += x[i];
      return a;
    case Kind.SumSquare: case Kind.L2:
      for (let i = ib; i < end; i++) a += x[i] * x[i];
      return a;
    case Kind.L1:
      for (let i = ib; i < end; i++) a += Math.abs(x[i]);
      return a;
    case Kind.LogSum:
      for (let i = ib; i < end; i++) a += x[i];
      return a;
    case Kind.Prod:
      for (let i = ib; i < end; i++) a *= x[i];
      return a;
    case Kind.Max:
      for (let i = ib; i < end; i++) { const v = x[i]; if (v > a || v !== v) a = v; }
      return a;
    case Kind.Min:
      for (let i = ib; i < end; i++) { const v = x[i]; if (v < a || v !== v) a = v; }
      return a;
    case Kind.LogSumExp:
      for (let i = ib; i < end; i++) a += Math.exp(x[i] - shift);
      return a;
  }
}

/** acc[ob + j] op= x[ib + j] for j < n. */
function accumulateRun(x: NumericArray, ib: number, n: number, acc: Float64Array, ob: number, kind: Kind, shift: Float64Array): void {
  const d = ob - ib;
  const end = ib + n;
  switch (kind) {
    case Kind.Sum: case Kind.Mean: case Kind.LogSum:
      for (let i = ib; i < end; i++) acc[i + d] += x[i];
      return;
    case Kind.SumSquare: case Kind.L2:
      for (let i = ib; i < end; i++) acc[i + d] += x[i] * x[i];
      return;
    case Kind.L1:
      for (let i = ib; i < end; i++) acc[i + d] += Math.abs(x[i]);
      return;
    case Kind.Prod:
      for (let i = ib; i < end; i++) acc[i + d] *= x[i];
      return;
    case Kind.Max:
      for (let i = ib; i < end; i++) { const v = x[i]; if (v > acc[i + d] || v !== v) acc[i + d] = v; }
      return;
    case Kind.Min:
      for (let i = ib; i < end; i++) { const v = x[i]; if (v < acc[i + d] || v !== v) acc[i + d] = v; }
      return;
    case Kind.LogSumExp:
      for (let i = ib; i < end; i++) acc[i + d] += Math.exp(x[i] - shift[i + d]);
      return;
  }
}

/** Writes float accumulators to the output type (integers truncate toward zero, as ONNX's reference casts). */
function storeResult(acc: Float64Array, out: Tensor, n: number): void {
  if (isBigType(out.type)) {
    const o = out.data as BigArray;
    const signed = out.type === 'int64';
    for (let i = 0; i < n; i++) o[i] = floatToBig(acc[i], signed);
    return;
  }
  const o = out.data as NumericArray;
  if (out.type === 'bool') { for (let i = 0; i < n; i++) o[i] = acc[i] !== 0 ? 1 : 0; return; }
  for (let i = 0; i < n; i++) o[i] = acc[i];
}

/** A float result into int64/uint64: NaN becomes 0, infinities saturate. */
function floatToBig(v: number, signed: boolean): bigint {
  if (Number.isNaN(v)) return 0n;
  if (v === Infinity) return signed ? 0x7fffffffffffffffn : 0xffffffffffffffffn;
  if (v === -Infinity) return signed ? -0x8000000000000000n : 0n;
  return BigInt(Math.trunc(v));
}

function bigToFloat(ctx: NodeCtx, data: BigArray): Float64Array {
  const f = ctx.scratch('asFloat', 'float64', data.length) as Float64Array;
  for (let i = 0; i < data.length; i++) f[i] = Number(data[i]);
  return f;
}

/** Exact int64/uint64 reductions (sums and products wrap to 64 bits on store). */
function reduceBig(x: BigArray, out: BigArray, type: DType, plan: Plan, kind: Kind): void {
  const n = plan.outSize;
  const init = kind === Kind.Prod ? 1n
    : kind === Kind.Max ? (type === 'int64' ? -0x8000000000000000n : 0n)
    : kind === Kind.Min ? (type === 'int64' ? 0x7fffffffffffffffn : 0xffffffffffffffffn)
    : 0n;
  const acc = new Array<bigint>(n).fill(init);
  const { sizes, outStrides } = plan;
  const g = sizes.length - 1;
  const inner = sizes[g];
  const innerReduced = plan.reduced[g];
  const idx = new Array<number>(g).fill(0);
  let ob = 0;
  for (let ib = 0; ib < plan.inSize; ib += inner) {
    for (let j = 0; j < inner; j++) {
      const o = innerReduced ? ob : ob + j;
      acc[o] = foldBig(acc[o], x[ib + j], kind);
    }
    for (let a = g - 1; a >= 0; a--) {
      ob += outStrides[a];
      if (++idx[a] < sizes[a]) break;
      ob -= outStrides[a] * sizes[a];
      idx[a] = 0;
    }
  }
  const count = BigInt(plan.count);
  for (let i = 0; i < n; i++) {
    // Mean of an empty set has no integer value; 0 rather than a division error.
    out[i] = kind === Kind.Mean ? (count === 0n ? 0n : acc[i] / count) : acc[i];
  }
}

function foldBig(a: bigint, v: bigint, kind: Kind): bigint {
  switch (kind) {
    case Kind.Max: return v > a ? v : a;
    case Kind.Min: return v < a ? v : a;
    // Wrapping to 64 bits each step keeps the bigint small; the store wraps the same way.
    case Kind.Prod: return BigInt.asIntN(64, a * v);
    case Kind.SumSquare: return a + v * v;
    case Kind.L1: return a + (v < 0n ? -v : v);
    default: return a + v;
  }
}

// ---------------------------------------------------------------------------
// ArgMax / ArgMin

export interface ArgAttrs {
  readonly axis: number;
  readonly keepdims: boolean;
  readonly selectLastIndex: boolean;
}

export function argMax(ctx: NodeCtx, inputs: Inputs, attrs: ArgAttrs): Tensor[] {
  return argReduce(ctx, inputs[0] as Tensor, attrs, true);
}

export function argMin(ctx: NodeCtx, inputs: Inputs, attrs: ArgAttrs): Tensor[] {
  return argReduce(ctx, inputs[0] as Tensor, attrs, false);
}

function argReduce(ctx: NodeCtx, x: Tensor, attrs: ArgAttrs, max: boolean): Tensor[] {
  const rank = x.dims.length;
  const axis = normAxis(attrs.axis, Math.max(rank, 1));
  const n = rank === 0 ? 1 : x.dims[axis];
  const outDims = x.dims.slice();
  if (rank > 0) {
    if (attrs.keepdims) outDims[axis] = 1; else outDims.splice(axis, 1);
  }
  const out = ctx.alloc(0, 'int64', outDims);
  const o = out.data as BigInt64Array;
  const inner = rank === 0 ? 1 : sizeOf(x.dims.slice(axis + 1));
  const outer = rank === 0 ? 1 : sizeOf(x.dims.slice(0, axis));
  if (n === 0 && outer * inner > 0) fail(`ArgMax/ArgMin over an empty axis (dimension ${axis} is 0)`);
  // Bigint data compares the same way; `number | bigint` keeps one loop for both.
  const d = x.data as ArrayLike<number | bigint>;
  const last = attrs.selectLastIndex;
  for (let b = 0; b < outer; b++) {
    const base = b * n * inner;
    for (let j = 0; j < inner; j++) {
      let best = d[base + j];
      let bi = 0;
      for (let k = 1; k < n; k++) {
        const v = d[base + k * inner + j];
        // NaN wins (and stays) as in numpy's argmax/argmin.
        if (best !== best) break;
        const better = max ? (last ? v >= best : v > best) : (last ? v <= best : v < best);
        if (better || v !== v) { best = v; bi = k; }
      }
      o[b * inner + j] = BigInt(bi);
    }
  }
  return ctx.done(1);
}
