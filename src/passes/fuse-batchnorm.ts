// BatchNormalization folded into the Conv before it, at compile time.
//
// Inference BN is an affine map per channel: y = x·a + (β − μ·a), a = γ / √(σ² + ε)
// (the same a the runtime kernel computes). Applied to a Conv's output it equals a
// Conv whose filters for output channel m are scaled by a[m] and whose bias is
// B[m]·a[m] + β[m] − μ[m]·a[m]. The new weights are computed in double precision and
// rounded once to the Conv's type.
//
// Applies only when: the BN is in inference mode with one output; γ, β, μ, σ² are
// constants with one value per channel; the Conv's W (and B, if any) are constants;
// the Conv's output has no other consumer and is not a graph output; the type is
// float32 or float64.

import { allocData, type Tensor } from '../../runtime/tensor/tensor.js';
import { ProgramBuilder } from '../ir/builder.js';
import type { Program, Stmt, ValueId } from '../ir/program.js';
import { tensorType } from '../ir/types.js';
import { analyseUses, isCallLet, soleUser, type CallLet, type Uses } from './fuse-common.js';

const FLOATS = new Set(['float32', 'float64']);

export function fuseBatchNorm(p: Program): Program {
  const uses = analyseUses(p);
  const b = ProgramBuilder.from(p);
  /** Statement index → what replaces it (an empty list removes it). */
  const replace = new Map<number, Stmt[]>();
  p.body.forEach((s, i) => {
    if (!isCallLet(s) || s.expr.prim !== 'tensor.conv' || replace.has(i)) return;
    const j = soleUser(uses, s.results[0]);
    if (j === undefined) return;
    const bn = p.body[j];
    if (!isCallLet(bn) || bn.expr.prim !== 'tensor.batchNormalization' || bn.expr.args[0] !== s.results[0]) return;
    const folded = foldedWeights(s, bn, uses);
    if (folded === undefined) return;
    const [w, bias] = folded;
    const convName = p.values[s.results[0]].name;
    const wValue = b.value(`${convName}_W_bn`, tensorType(w.type, w.dims));
    const bValue = b.value(`${convName}_B_bn`, tensorType(bias.type, bias.dims));
    const wConst = b.constant(`${convName}_W_bn`, tensorType(w.type, w.dims), w);
    const bConst = b.constant(`${convName}_B_bn`, tensorType(bias.type, bias.dims), bias);
    replace.set(i, [
      { kind: 'let', results: [wValue], expr: { kind: 'const', id: wConst }, origin: s.origin },
      { kind: 'let', results: [bValue], expr: { kind: 'const', id: bConst }, origin: s.origin },
      // The Conv now produces the BN's result directly.
      { ...s, results: [bn.results[0]], expr: { ...s.expr, args: [s.expr.args[0], wValue, bValue] } },
    ]);
    replace.set(j, []);
  });
  if (replace.size === 0) return p;
  b.body.length = 0;
  p.body.forEach((s, i) => b.body.push(...(replace.get(i) ?? [s])));
  return b.build();
}

/** The Conv's W and B with the BN folded in, or undefined when the pattern does not apply. */
function foldedWeights(conv: CallLet, bn: CallLet, uses: Uses): [Tensor, Tensor] | undefined {
  const attrs = bn.expr.attrs as { training?: unknown; epsilon?: unknown };
  if (attrs.training !== false || typeof attrs.epsilon !== 'number' || bn.results.length !== 1) return undefined;
  const [, wId, biasId] = conv.expr.args;
  const w = wId === null || wId === undefined ? undefined : uses.constants.get(wId);
  const bias = biasId === null || biasId === undefined ? undefined : uses.constants.get(biasId);
  if (w === undefined || !FLOATS.has(w.type) || w.dims.length < 3) return undefined;
  if (biasId !== null && biasId !== undefined && bias === undefined) return undefined;
  const M = w.dims[0];
  const params = bn.expr.args.slice(1, 5).map((v: ValueId | null) => (v === null ? undefined : uses.constants.get(v)));
  if (params.length !== 4 || params.some((t) => t === undefined || t.type !== w.type || t.data.length !== M)) return undefined;
  if (bias !== undefined && (bias.type !== w.type || bias.data.length !== M)) return undefined;
  const [gamma, beta, mean, variance] = params.map((t) => (t as Tensor).data as ArrayLike<number>);
  const per = w.data.length / M;
  const wData = w.data as ArrayLike<number>;
  const newW = allocData(w.type, w.data.length) as Float32Array | Float64Array;
  const newB = allocData(w.type, M) as Float32Array | Float64Array;
  for (let m = 0; m < M; m++) {
    const a = gamma[m] / Math.sqrt(variance[m] + attrs.epsilon);
    for (let k = m * per; k < (m + 1) * per; k++) newW[k] = wData[k] * a;
    const b0 = bias === undefined ? 0 : (bias.data as ArrayLike<number>)[m];
    newB[m] = b0 * a + (beta[m] - mean[m] * a);
  }
  return [{ type: w.type, dims: w.dims.slice(), data: newW }, { type: w.type, dims: [M], data: newB }];
}
