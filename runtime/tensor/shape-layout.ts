// Axis permutations: Transpose, and DepthToSpace / SpaceToDepth, which are a
// reshape + transpose + reshape. One permutation core with fast paths for the
// common layouts (2-D, batched 2-D such as NCHW <-> NHWC, contiguous inner blocks).

import { copyRange, prod, type Elems } from './shape-util.js';
import { fail, strides, type NodeCtx, type Tensor, type TensorData } from './tensor.js';

/** Cache-blocking tile edge for the 2-D transpose. */
const TILE = 32;

/**
 * Writes src (row-major, shape dims) to dst with its axes permuted: output axis i is
 * input axis perm[i]. Unit axes are dropped and axes that stay adjacent and in
 * order are merged first, so e.g. NCHW→NHWC becomes a batched 2-D transpose.
 */
export function permuteInto(dst: TensorData, src: TensorData, dims: readonly number[], perm: readonly number[]): void {
  if (prod(dims) === 0) return;
  const { d, p } = simplifyPermutation(dims, perm);
  permuteSimplified(dst, src, d, p);
}

/** permuteInto for dims and perm already simplified (no unit axes, no mergeable runs). */
function permuteSimplified(dst: TensorData, src: TensorData, d: readonly number[], p: readonly number[]): void {
  const n = prod(d);
  const r = d.length;
  let identity = true;
  for (let i = 0; i < r; i++) if (p[i] !== i) identity = false;
  if (identity) { copyRange(dst, 0, src, 0, n); return; }
  if (p[r - 1] === r - 1) { permuteBlocks(dst, src, d, p); return; }
  let batched = p[r - 1] === r - 2 && p[r - 2] === r - 1;
  for (let i = 0; batched && i < r - 2; i++) batched = p[i] === i;
  if (batched) {
    const rows = d[r - 2], cols = d[r - 1], m = rows * cols;
    const batch = n / m;
    for (let b = 0; b < batch; b++) transpose2D(dst, b * m, src, b * m, rows, cols);
    return;
  }
  permuteGather(dst, src, d, p);
}

/** Removes unit axes and merges runs of axes that remain adjacent in the output. */
export function simplifyPermutation(dims: readonly number[], perm: readonly number[]): { d: number[]; p: number[] } {
  // Renumber the non-unit input axes 0..k-1.
  const rank = new Array<number>(dims.length).fill(-1);
  const kept: number[] = [];
  for (let a = 0; a < dims.length; a++) if (dims[a] !== 1) { rank[a] = kept.length; kept.push(dims[a]); }
  const p0 = perm.filter((a) => dims[a] !== 1).map((a) => rank[a]);
  if (p0.length === 0) return { d: [1], p: [0] };
  // Group output axes whose input axes are consecutive: p0[i+1] === p0[i] + 1.
  const groups: number[][] = [[p0[0]]];
  for (let i = 1; i < p0.length; i++) {
    const g = groups[groups.length - 1];
    if (p0[i] === g[g.length - 1] + 1) g.push(p0[i]);
    else groups.push([p0[i]]);
  }
  // Each group becomes one input axis; order the groups by their first input axis.
  const byInput = groups.map((g, i) => ({ first: g[0], out: i, size: prod(kept, g[0], g[g.length - 1] + 1) }))
    .sort((x, y) => x.first - y.first);
  const d = byInput.map((g) => g.size);
  const p = new Array<number>(groups.length);
  byInput.forEach((g, inAxis) => { p[g.out] = inAxis; });
  return { d, p };
}

/** rows×cols → cols×rows, tiled so reads and writes both stay within cache lines. */
function transpose2D(dst: TensorData, dOff: number, src: TensorData, sOff: number, rows: number, cols: number): void {
  const o = dst as Elems, s = src as Elems;
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const iEnd = Math.min(i0 + TILE, rows);
    for (let j0 = 0; j0 < cols; j0 += TILE) {
      const jEnd = Math.min(j0 + TILE, cols);
      for (let j = j0; j < jEnd; j++) {
        let w = dOff + j * rows + i0;
        let rd = sOff + i0 * cols + j;
        for (let i = i0; i < iEnd; i++, rd += cols) o[w++] = s[rd];
      }
    }
  }
}

/** The last axis stays last: copy contiguous rows, walking the outer axes in output order. */
function permuteBlocks(dst: TensorData, src: TensorData, d: readonly number[], p: readonly number[]): void {
  const r = d.length;
  const inner = d[r - 1];
  const inSt = strides(d);
  const od = p.map((a) => d[a]);
  const st = p.map((a) => inSt[a]);
  if (dst instanceof Float32Array && src instanceof Float32Array && r === 3) {
    // Attention heads ([seq, heads, dh] ↔ [heads, seq, dh]): short rows, where a
    // generic copy per row costs more than the copy itself.
    permuteRows3F32(dst, src, od[0], od[1], inner, st[0], st[1]);
    return;
  }
  const idx = new Int32Array(r);
  const n = prod(d);
  let base = 0;
  for (let o = 0; o < n; o += inner) {
    copyRange(dst, o, src, base, inner);
    for (let ax = r - 2; ax >= 0; ax--) {
      base += st[ax];
      if (++idx[ax] < od[ax]) break;
      base -= st[ax] * od[ax];
      idx[ax] = 0;
    }
  }
}

/** dst[i, j, :] = src[i·s0 + j·s1 + (0..inner)] for an n0×n1 grid of float32 rows. */
function permuteRows3F32(dst: Float32Array, src: Float32Array, n0: number, n1: number, inner: number, s0: number, s1: number): void {
  let o = 0;
  for (let i = 0; i < n0; i++) {
    for (let j = 0, b = i * s0; j < n1; j++, b += s1) {
      for (let k = 0; k < inner; k++) dst[o + k] = src[b + k];
      o += inner;
    }
  }
}

/** General case: walk the output in order, reading the input with the permuted strides. */
function permuteGather(dst: TensorData, src: TensorData, d: readonly number[], p: readonly number[]): void {
  const r = d.length;
  const inSt = strides(d);
  const od = p.map((a) => d[a]);
  const st = p.map((a) => inSt[a]);
  if (dst instanceof Float32Array && src instanceof Float32Array && r === 3) {
    permuteGather3F32(dst, src, od[0], od[1], od[2], st[0], st[1], st[2]);
    return;
  }
  const o = dst as Elems, s = src as Elems;
  const inner = od[r - 1], sInner = st[r - 1];
  const idx = new Int32Array(r);
  const n = prod(d);
  let base = 0;
  for (let w = 0; w < n;) {
    for (let j = 0, rd = base; j < inner; j++, rd += sInner) o[w++] = s[rd];
    for (let ax = r - 2; ax >= 0; ax--) {
      base += st[ax];
      if (++idx[ax] < od[ax]) break;
      base -= st[ax] * od[ax];
      idx[ax] = 0;
    }
  }
}

/** dst[i, j, k] = src[i·s0 + j·s1 + k·s2] over an n0×n1×n2 float32 grid (e.g. keys to [heads, dh, seq]). */
function permuteGather3F32(dst: Float32Array, src: Float32Array, n0: number, n1: number, n2: number, s0: number, s1: number, s2: number): void {
  let o = 0;
  for (let i = 0; i < n0; i++) {
    for (let j = 0, b = i * s0; j < n1; j++, b += s1) {
      for (let k = 0, rd = b; k < n2; k++, rd += s2) dst[o++] = src[rd];
    }
  }
}

export interface TransposeAttrs {
  /** null: reverse the axes (the ONNX default). */
  readonly perm: readonly number[] | null;
}

export function transpose(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: TransposeAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const r = x.dims.length;
  const perm = attrs.perm ?? x.dims.map((_, i) => r - 1 - i);
  checkPermutation(perm, r);
  const plan = transposePlan(ctx, x.dims, perm);
  if (plan.p.every((a, i) => a === i)) {
    // Only unit axes move: the element order is unchanged.
    ctx.view(0, x.type, plan.outDims, x.data);
    return ctx.done(1);
  }
  const out = ctx.alloc(0, x.type, plan.outDims);
  if (plan.n > 0) permuteSimplified(out.data, x.data, plan.d, plan.p);
  return ctx.done(1);
}

/** A Transpose's simplified permutation, kept in the node's memo while the input dims repeat. */
class TransposePlan {
  constructor(
    readonly inDims: readonly number[], readonly outDims: readonly number[], readonly n: number,
    readonly d: readonly number[], readonly p: readonly number[],
  ) {}
}

function transposePlan(ctx: NodeCtx, dims: readonly number[], perm: readonly number[]): TransposePlan {
  const m = ctx.memo;
  if (m instanceof TransposePlan && m.inDims.length === dims.length && m.inDims.every((v, i) => v === dims[i])) return m;
  const { d, p } = simplifyPermutation(dims, perm);
  const plan = new TransposePlan(dims.slice(), perm.map((a) => dims[a]), prod(dims), d, p);
  ctx.memo = plan;
  return plan;
}

function checkPermutation(perm: readonly number[], r: number): void {
  if (perm.length !== r) fail(`Transpose: perm has ${perm.length} entries for an input of rank ${r}`);
  const seen = new Array<boolean>(r).fill(false);
  for (const a of perm) {
    if (!Number.isInteger(a) || a < 0 || a >= r || seen[a]) fail(`Transpose: perm [${perm.join(',')}] is not a permutation of 0..${r - 1}`);
    seen[a] = true;
  }
}

export interface DepthToSpaceAttrs {
  readonly blocksize: number;
  /** DCR (depth-column-row, the default) or CRD (column-row-depth). */
  readonly mode: 'DCR' | 'CRD';
}

export function depthToSpace(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: DepthToSpaceAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const b = attrs.blocksize;
  if (x.dims.length !== 4) fail(`DepthToSpace: input must be 4-D, got rank ${x.dims.length}`);
  const [n, c, h, w] = x.dims;
  if (c % (b * b) !== 0) fail(`DepthToSpace: channels ${c} are not divisible by blocksize² = ${b * b}`);
  const c2 = c / (b * b);
  const out = ctx.alloc(0, x.type, [n, c2, h * b, w * b]);
  // DCR: [N, b, b, C', H, W] → [N, C', H, b, W, b]; CRD: [N, C', b, b, H, W] → same.
  if (attrs.mode === 'CRD') permuteInto(out.data, x.data, [n, c2, b, b, h, w], [0, 1, 4, 2, 5, 3]);
  else permuteInto(out.data, x.data, [n, b, b, c2, h, w], [0, 3, 4, 1, 5, 2]);
  return ctx.done(1);
}

export interface SpaceToDepthAttrs { readonly blocksize: number }

export function spaceToDepth(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: SpaceToDepthAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const b = attrs.blocksize;
  if (x.dims.length !== 4) fail(`SpaceToDepth: input must be 4-D, got rank ${x.dims.length}`);
  const [n, c, h, w] = x.dims;
  if (h % b !== 0 || w % b !== 0) fail(`SpaceToDepth: spatial dims ${h}x${w} are not divisible by blocksize ${b}`);
  const out = ctx.alloc(0, x.type, [n, c * b * b, h / b, w / b]);
  // [N, C, H', b, W', b] → [N, b, b, C, H', W'].
  permuteInto(out.data, x.data, [n, c, h / b, b, w / b, b], [0, 3, 5, 1, 2, 4]);
  return ctx.done(1);
}
