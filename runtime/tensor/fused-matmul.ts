// FusedMatMul (domain `mlcompile`, built by src/passes/fuse-matmul.ts from
// MatMul [→ Mul/Div by a scalar] [→ Add of a bias along the last axis] [→ activation]):
//   Y = act(alpha · (A @ B) + bias)
// The product runs on gemm() (the WebAssembly SGEMM or the JavaScript core) with
// alpha folded into it; the bias and the activation then take ONE pass over the
// output while it is still in cache, instead of a broadcast Add and an activation
// node each walking (and allocating) a whole tensor.

import { activationEpilogue, columnEpilogueOnWasm, finishRow, type Epilogue, type FusedActivation } from '../wasm/epilogue.js';
import { float32Bits, reluBits } from './activation.js';
import { gemm, gemmBatchedColumnEpilogue, gemmColumnEpilogue, planMatMul, type FloatArray, type MatMulPlan } from './gemm.js';
import { fail, strides, type NodeCtx, type Tensor } from './tensor.js';

export interface FusedMatMulAttrs {
  /** Scale of the product (a folded Mul by a scalar, or 1 / the scalar of a folded Div). */
  readonly alpha: number;
  readonly activation: FusedActivation;
  /** leakyRelu: [alpha]; clip: [min, max]; hardSigmoid: [alpha, beta]; otherwise empty. */
  readonly activationParams: readonly number[];
  /** A folded Transpose of A (A is read through the permuted strides), or null. */
  readonly permA?: readonly number[] | null;
  /** The same for B. */
  readonly permB?: readonly number[] | null;
  /**
   * A folded Transpose of the result that keeps the last axis last: the product is
   * written straight into the permuted layout (e.g. attention heads merged back).
   */
  readonly permY?: readonly number[] | null;
}

/**
 * Where each batch's matrices live, planned once per operand dims (kept in the node's
 * memo): A[i,p] = A[aOff[t] + i·aRs + p·aCs], likewise B, and Y[i,j] = Y[yOff[t] + i·ldc + j].
 */
class Plan {
  constructor(
    readonly a: readonly number[], readonly b: readonly number[],
    readonly M: number, readonly N: number, readonly K: number,
    /** Dims of the output tensor (already permuted by permY). */
    readonly outDims: readonly number[],
    /** One product with batch·M rows: B shared, A and Y contiguous. */
    readonly merged: boolean,
    readonly aOff: Int32Array, readonly aRs: number, readonly aCs: number,
    readonly bOff: Int32Array, readonly bRs: number, readonly bCs: number,
    readonly yOff: Int32Array, readonly ldc: number,
  ) {}
}

function sameDims(x: readonly number[], y: readonly number[]): boolean {
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

function planFor(ctx: NodeCtx, aDims: readonly number[], bDims: readonly number[], attrs: FusedMatMulAttrs): Plan {
  const m = ctx.memo;
  if (m instanceof Plan && sameDims(m.a, aDims) && sameDims(m.b, bDims)) return m;
  const plan = makePlan(aDims, bDims, attrs.permA ?? null, attrs.permB ?? null, attrs.permY ?? null);
  ctx.memo = plan;
  return plan;
}

/** An operand read through a permutation: the dims and element strides it is seen with. */
function view(dims: readonly number[], perm: readonly number[] | null, what: string): { dims: number[]; st: number[] } {
  const st = strides(dims);
  if (perm === null) return { dims: dims.slice(), st };
  checkPerm(perm, dims.length, what);
  return { dims: perm.map((a) => dims[a]), st: perm.map((a) => st[a]) };
}

function checkPerm(perm: readonly number[], rank: number, what: string): void {
  const seen = new Array<boolean>(rank).fill(false);
  const ok = perm.length === rank && perm.every((a) => Number.isInteger(a) && a >= 0 && a < rank && !seen[a] && (seen[a] = true));
  if (!ok) fail(`FusedMatMul ${what} [${perm.join(',')}] is not a permutation of the ${rank} axes`);
}

function makePlan(aDims: readonly number[], bDims: readonly number[], permA: readonly number[] | null, permB: readonly number[] | null, permY: readonly number[] | null): Plan {
  const a = view(aDims, permA, 'perm_a'), b = view(bDims, permB, 'perm_b');
  const mm = planMatMul(a.dims, b.dims);
  const { M, N, K, batch } = mm;
  const nb = mm.aOffsets.length;
  if (permA === null && permB === null && permY === null) {
    // Dense operands: planMatMul's offsets, and one product when every batch shares B.
    const merged = nb > 1 && sharedRightOperand(mm);
    const yOff = Int32Array.from({ length: nb }, (_, t) => t * M * N);
    return new Plan(aDims.slice(), bDims.slice(), M, N, K, mm.outDims, merged,
      Int32Array.from(mm.aOffsets), K, 1, Int32Array.from(mm.bOffsets), N, 1, yOff, N);
  }
  if (a.dims.length < 2 || b.dims.length < 2) fail('FusedMatMul with perm_a, perm_b or perm_y needs A and B of rank 2 or more');
  // Element strides of each logical output axis (batch..., M, N) inside the output tensor.
  const rY = mm.outDims.length;
  let outDims = mm.outDims;
  let yStrides = strides(outDims);
  if (permY !== null) {
    checkPerm(permY, rY, 'perm_y');
    if (permY[rY - 1] !== rY - 1) fail(`FusedMatMul perm_y [${permY.join(',')}] must keep the last axis last`);
    outDims = permY.map((k) => mm.outDims[k]);
    const phys = strides(outDims);
    yStrides = new Array<number>(rY);
    permY.forEach((k, i) => { yStrides[k] = phys[i]; });
  }
  const ra = a.dims.length, rb = b.dims.length, rBatch = batch.length;
  const aOff = new Int32Array(nb), bOff = new Int32Array(nb), yOff = new Int32Array(nb);
  const idx = new Array<number>(rBatch).fill(0);
  for (let t = 0; t < nb; t++) {
    let ao = 0, bo = 0, yo = 0;
    for (let k = 0; k < rBatch; k++) {
      // Batch axis k lines up with the operands' trailing batch axes; size 1 broadcasts.
      const ka = k - (rBatch - (ra - 2)), kb = k - (rBatch - (rb - 2));
      if (ka >= 0 && a.dims[ka] !== 1) ao += idx[k] * a.st[ka];
      if (kb >= 0 && b.dims[kb] !== 1) bo += idx[k] * b.st[kb];
      yo += idx[k] * yStrides[k];
    }
    aOff[t] = ao; bOff[t] = bo; yOff[t] = yo;
    for (let k = rBatch - 1; k >= 0; k--) { if (++idx[k] < batch[k]) break; idx[k] = 0; }
  }
  return new Plan(aDims.slice(), bDims.slice(), M, N, K, outDims, false,
    aOff, a.st[ra - 2], a.st[ra - 1], bOff, b.st[rb - 2], b.st[rb - 1], yOff, yStrides[rY - 2]);
}

export function fusedMatMul(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: FusedMatMulAttrs): Tensor[] {
  const a = inputs[0] as Tensor, b = inputs[1] as Tensor, bias = inputs[2];
  const plan = planFor(ctx, a.dims, b.dims, attrs);
  const { M, N, K, aOff, bOff, yOff } = plan;
  if (bias !== undefined) checkBias(bias, b.dims.length, N);
  const y = ctx.alloc(0, a.type, plan.outDims);
  const A = a.data as FloatArray, B = b.data as FloatArray, Y = y.data as FloatArray;
  const alpha = attrs.alpha;
  const nb = aOff.length;
  const biasData = bias === undefined ? null : (bias.data as FloatArray);
  // Bias and activation inside the SIMD SGEMM's tiles where it runs the product; the
  // products it does not take are finished by the pass below.
  const act = activationEpilogue(attrs);
  const ep = Y instanceof Float32Array && columnEpilogueOnWasm(act) ? act : null;
  if (plan.merged) {
    if (ep !== null && gemmColumnEpilogue(nb * M, N, K, A, 0, K, 1, B, bOff[0], N, 1, Y as Float32Array, 0, N, alpha, biasData, ep)) return ctx.done(1);
    gemm(nb * M, N, K, A, 0, K, 1, B, bOff[0], N, 1, Y, 0, N, alpha);
  } else {
    let t = 0;
    if (ep !== null && nb > 1 && A instanceof Float32Array && B instanceof Float32Array &&
      gemmBatchedColumnEpilogue(nb, M, N, K, A, aOff, plan.aRs, plan.aCs, B, bOff, plan.bRs, plan.bCs, Y as Float32Array, yOff, plan.ldc, alpha, biasData, ep)) {
      return ctx.done(1);
    }
    if (ep !== null) {
      while (t < nb && gemmColumnEpilogue(M, N, K, A, aOff[t], plan.aRs, plan.aCs, B, bOff[t], plan.bRs, plan.bCs, Y as Float32Array, yOff[t], plan.ldc, alpha, biasData, ep)) t++;
      if (t === nb) return ctx.done(1);
      // Same shapes for every batch: the kernel takes all of them or none (t = 0), unless memory ran out.
      if (t > 0) fail('FusedMatMul: WebAssembly memory became unavailable mid-batch');
    }
    for (; t < nb; t++) gemm(M, N, K, A, aOff[t], plan.aRs, plan.aCs, B, bOff[t], plan.bRs, plan.bCs, Y, yOff[t], plan.ldc, alpha);
  }
  // Every output row holds N consecutive values (perm_y keeps the last axis last), so
  // the bias and activation pass needs no knowledge of the layout.
  finishColumns(Y, N, biasData, attrs.activation, attrs.activationParams);
  return ctx.done(1);
}

/**
 * The bias is added along the output's last axis (N): N values, any leading dims 1.
 * A 1-D B has no N axis in the output, so the pass never fuses a bias there.
 */
function checkBias(bias: Tensor, bRank: number, N: number): void {
  const d = bias.dims;
  const ok = bRank >= 2 && d.length >= 1 && d[d.length - 1] === N && bias.data.length === N;
  if (!ok) fail(`FusedMatMul bias must have shape [${N}] (leading 1s allowed) for a 2-D or higher B, got [${d.join(',')}] with B of rank ${bRank}`);
}

/** True when every batch uses the same B matrix and the A matrices are consecutive. */
function sharedRightOperand(plan: MatMulPlan): boolean {
  const { aOffsets, bOffsets, M, K } = plan;
  for (let t = 0; t < aOffsets.length; t++) if (bOffsets[t] !== bOffsets[0] || aOffsets[t] !== t * M * K) return false;
  return true;
}

/**
 * Y[r, j] = act(Y[r, j] + bias[j]) in place, row by row. Relu, LeakyRelu, Clip and
 * none have their own loops (the common cases, kept monomorphic); the rarer
 * activations add the bias here and reuse the epilogue's formulas for the rest.
 */
export function finishColumns(Y: FloatArray, N: number, bias: ArrayLike<number> | null, activation: FusedActivation, params: readonly number[]): void {
  const total = Y.length;
  if (N === 0 || total === 0) return;
  switch (activation) {
    case 'none':
      if (bias !== null) for (let r = 0; r < total; r += N) for (let j = 0; j < N; j++) Y[r + j] += bias[j];
      return;
    case 'relu':
      // As the standalone Relu kernel: float32 through the branch-free bit form, after the bias.
      if (Y instanceof Float32Array) {
        if (bias !== null) for (let r = 0; r < total; r += N) for (let j = 0; j < N; j++) Y[r + j] += bias[j];
        const bits = float32Bits(Y);
        reluBits(bits, bits, total);
      } else if (bias === null) for (let i = 0; i < total; i++) { const v = Y[i]; Y[i] = v < 0 ? 0 : v; }
      else for (let r = 0; r < total; r += N) for (let j = 0; j < N; j++) { const v = Y[r + j] + bias[j]; Y[r + j] = v < 0 ? 0 : v; }
      return;
    case 'leakyRelu': {
      const al = params[0];
      if (bias === null) for (let i = 0; i < total; i++) { const v = Y[i]; Y[i] = v < 0 ? al * v : v; }
      else for (let r = 0; r < total; r += N) for (let j = 0; j < N; j++) { const v = Y[r + j] + bias[j]; Y[r + j] = v < 0 ? al * v : v; }
      return;
    }
    case 'clip': {
      const lo = params[0], hi = params[1];
      if (bias === null) for (let i = 0; i < total; i++) Y[i] = Math.min(Math.max(Y[i], lo), hi);
      else for (let r = 0; r < total; r += N) for (let j = 0; j < N; j++) Y[r + j] = Math.min(Math.max(Y[r + j] + bias[j], lo), hi);
      return;
    }
    case 'sigmoid': case 'hardSigmoid': case 'hardSwish': {
      if (bias !== null) for (let r = 0; r < total; r += N) for (let j = 0; j < N; j++) Y[r + j] += bias[j];
      const ep: Epilogue = { bias: null, residual: null, activation, alpha: params[0] ?? 0, beta: params[1] ?? 0 };
      finishRow(ep, 0, Y, 0, Y, 0, total);
      return;
    }
  }
}
