// CumSum and CumProd along one axis, with the exclusive and reverse options.
// Walked as outer × axis × inner with a running row of `inner` accumulators,
// so memory is read in order whatever the axis.

import { fail, isBigType, normAxis, sizeOf, type BigArray, type NodeCtx, type NumericArray, type Tensor } from './tensor.js';

export interface CumulativeAttrs {
  readonly exclusive: boolean;
  readonly reverse: boolean;
}

type Inputs = readonly (Tensor | undefined)[];

export function cumSum(ctx: NodeCtx, inputs: Inputs, attrs: CumulativeAttrs): Tensor[] {
  return cumulative(ctx, inputs, attrs, false);
}

export function cumProd(ctx: NodeCtx, inputs: Inputs, attrs: CumulativeAttrs): Tensor[] {
  return cumulative(ctx, inputs, attrs, true);
}

function cumulative(ctx: NodeCtx, inputs: Inputs, attrs: CumulativeAttrs, prod: boolean): Tensor[] {
  const x = inputs[0] as Tensor;
  const axisT = inputs[1] as Tensor;
  if (axisT.data.length !== 1) fail(`axis must hold exactly one value, got ${axisT.data.length}`);
  const rank = x.dims.length;
  if (rank === 0) fail('the input must have rank 1 or more');
  const axis = normAxis(Number(axisT.data[0]), rank);
  const n = x.dims[axis];
  const inner = sizeOf(x.dims.slice(axis + 1));
  const outer = sizeOf(x.dims.slice(0, axis));
  const out = ctx.alloc(0, x.type, x.dims);
  const shape = { outer, n, inner };
  if (isBigType(x.type)) cumulativeBig(x.data as BigArray, out.data as BigArray, shape, attrs, prod);
  else {
    const row = ctx.scratch('row', 'float64', inner) as Float64Array;
    // 32-bit integer products must wrap at every step like C; imul does exactly that.
    const imul = prod && (x.type === 'int32' || x.type === 'uint32');
    cumulativeNumber(x.data as NumericArray, out.data as NumericArray, row, shape, attrs, prod, imul);
  }
  return ctx.done(1);
}

interface Shape { readonly outer: number; readonly n: number; readonly inner: number }

function cumulativeNumber(
  x: NumericArray, y: NumericArray, row: Float64Array, { outer, n, inner }: Shape,
  { exclusive, reverse }: CumulativeAttrs, prod: boolean, imul: boolean,
): void {
  for (let b = 0; b < outer; b++) {
    row.fill(prod ? 1 : 0, 0, inner);
    const base = b * n * inner;
    for (let s = 0; s < n; s++) {
      const k = reverse ? n - 1 - s : s;
      const off = base + k * inner;
      for (let j = 0; j < inner; j++) {
        const v = x[off + j];
        const before = row[j];
        const after = imul ? Math.imul(before, v) : prod ? before * v : before + v;
        row[j] = after;
        y[off + j] = exclusive ? before : after;
      }
    }
  }
}

function cumulativeBig(
  x: BigArray, y: BigArray, { outer, n, inner }: Shape, { exclusive, reverse }: CumulativeAttrs, prod: boolean,
): void {
  const row = new Array<bigint>(inner);
  for (let b = 0; b < outer; b++) {
    row.fill(prod ? 1n : 0n);
    const base = b * n * inner;
    for (let s = 0; s < n; s++) {
      const k = reverse ? n - 1 - s : s;
      const off = base + k * inner;
      for (let j = 0; j < inner; j++) {
        const before = row[j];
        // Wrap to 64 bits each step (the store wraps identically) so bigints stay small.
        const after = BigInt.asIntN(64, prod ? before * x[off + j] : before + x[off + j]);
        row[j] = after;
        y[off + j] = exclusive ? before : after;
      }
    }
  }
}
