// Ops that create tensors from a shape or a few scalars: Range, ConstantOfShape, EyeLike.

import { fillRange, intList } from './shape-util.js';
import { fail, type DType, type NodeCtx, type Tensor } from './tensor.js';

/** Number of Range elements: max(ceil((limit - start) / delta), 0), exact for int64. */
export function rangeCount(start: number | bigint, limit: number | bigint, delta: number | bigint): number {
  if (typeof start === 'bigint') {
    const d = delta as bigint;
    if (d === 0n) fail('Range: delta must not be zero');
    const diff = (limit as bigint) - start;
    let q = diff / d; // truncates toward zero
    if (q * d !== diff && (diff > 0n) === (d > 0n)) q += 1n; // round up when the quotient is positive
    return q > 0n ? Number(q) : 0;
  }
  const d = delta as number;
  if (d === 0) fail('Range: delta must not be zero');
  const n = Math.ceil(((limit as number) - start) / d);
  if (!Number.isFinite(n) && n > 0) fail('Range: the result would be infinite');
  return n > 0 ? n : 0;
}

export function range(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[]): Tensor[] {
  const [s, l, d] = inputs as readonly Tensor[];
  for (const t of [s, l, d]) if (t.data.length !== 1) fail(`Range: start, limit and delta must be scalars, got shape [${t.dims.join(',')}]`);
  const start = s.data[0] as number | bigint, delta = d.data[0] as number | bigint;
  const n = rangeCount(start, l.data[0] as number | bigint, delta);
  const out = ctx.alloc(0, s.type, [n]);
  if (typeof start === 'bigint') {
    const o = out.data as BigInt64Array;
    let v = start;
    for (let i = 0; i < n; i++, v += delta as bigint) o[i] = v;
  } else {
    // start + i·delta (numpy's arange) rather than accumulating: no drift on long floats.
    const o = out.data as Float64Array;
    const dn = delta as number;
    for (let i = 0; i < n; i++) o[i] = start + i * dn;
  }
  return ctx.done(1);
}

export interface ConstantOfShapeAttrs {
  /** One-element tensor whose value and type the output takes (float32 0 when absent). */
  readonly value: Tensor;
}

export function constantOfShape(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: ConstantOfShapeAttrs): Tensor[] {
  const dims = intList(inputs[0] as Tensor, 'ConstantOfShape: shape');
  for (const v of dims) if (v < 0 || !Number.isInteger(v)) fail(`ConstantOfShape: invalid dim ${v} in [${dims.join(',')}]`);
  const out = ctx.alloc(0, attrs.value.type, dims);
  fillRange(out.data, 0, out.data.length, attrs.value.data[0]);
  return ctx.done(1);
}

export interface EyeLikeAttrs {
  /** Output type; null: the input's type. */
  readonly dtype: DType | null;
  /** Diagonal offset: 0 main, > 0 upper, < 0 lower. */
  readonly k: number;
}

export function eyeLike(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: EyeLikeAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  if (x.dims.length !== 2) fail(`EyeLike: input must be 2-D, got rank ${x.dims.length}`);
  const type = attrs.dtype ?? x.type;
  if (type === 'string') fail('EyeLike: string output is not allowed');
  const [rows, cols] = x.dims;
  const out = ctx.alloc(0, type, x.dims);
  const big = type === 'int64' || type === 'uint64';
  fillRange(out.data, 0, out.data.length, big ? 0n : 0);
  const o = out.data as unknown as { [i: number]: number | bigint };
  const one = big ? 1n : 1;
  // Row i holds its one at column i + k when that column exists.
  for (let i = Math.max(0, -attrs.k); i < rows && i + attrs.k < cols; i++) o[i * cols + i + attrs.k] = one;
  return ctx.done(1);
}
