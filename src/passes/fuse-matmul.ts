// MatMul + scale + bias + activation fused into one FusedMatMul node (primitive
// tensor.fusedMatMul, runtime/tensor/fused-matmul.ts): the scale goes into the GEMM's
// alpha, and the bias and activation take one pass over the product while it is in
// cache, instead of a node (a tensor and a broadcast walk) each.
//
// Patterns, starting from a float32/float64 MatMul whose B has rank 2 or more, taking
// each next op only when the value before it has no other consumer and is not a graph
// output:
//   MatMul [→ Mul(·, s) | Div(·, s)] [→ Add(·, bias)] [→ Relu | LeakyRelu | Clip | Sigmoid | HardSigmoid | HardSwish]
// s is a finite non-zero constant scalar (Mul commutes, Div only as the divisor: alpha
// = 1/s, within an ulp of dividing, far inside every tolerance); the bias has N values along the last
// axis (leading dims 1, no more dims than the product), so the Add does not change
// the product's shape. At least one op must be absorbed.
//
// Transposes are absorbed too, as strides: a Transpose whose only use is the MatMul's A
// or B (attention heads split by Reshape + Transpose; the kernel reads the input
// through the permuted strides), and a Transpose of the result that keeps the last
// axis last (heads merged back; the kernel writes the permuted layout directly).
// Both need A and B of rank 2 or more.
//
// The fused node takes the place of the last op it absorbs (the bias is defined
// before that point) and binds that op's result.

import type { Program, Stmt, ValueId } from '../ir/program.js';
import { analyseUses, dtypeOf, isCallLet, replaceStatements, knownDims, soleUser, type CallLet, type Uses } from './fuse-common.js';
import { activationOf, type Activation } from './fuse-conv.js';

const FLOATS = new Set(['float32', 'float64']);

export function fuseMatMul(p: Program): Program {
  const uses = analyseUses(p);
  const replace = new Map<number, Stmt[]>();
  const defs = new Map<ValueId, number>();
  p.body.forEach((s, i) => { if (isCallLet(s)) for (const r of s.results) defs.set(r, i); });
  // The Transpose defining `v` when the MatMul at `i` is its only use: its input and perm.
  const transposeInput = (v: ValueId, i: number): { input: ValueId; perm: number[]; at: number } | undefined => {
    const j = defs.get(v);
    if (j === undefined || replace.has(j) || soleUser(uses, v) !== i) return undefined;
    const t = p.body[j];
    if (!isCallLet(t) || t.expr.prim !== 'tensor.transpose' || t.expr.args[0] === null || t.expr.args[0] === undefined) return undefined;
    const perm = permOf(p, t);
    return perm === undefined ? undefined : { input: t.expr.args[0], perm, at: j };
  };
  p.body.forEach((s, i) => {
    if (!isCallLet(s) || s.expr.prim !== 'tensor.matmul' || s.results.length !== 1 || s.expr.args.length !== 2) return;
    const dtype = dtypeOf(p, s.results[0]);
    const [x, w] = s.expr.args;
    if (dtype === null || !FLOATS.has(dtype) || x === null || w === null) return;
    const wDims = knownDims(p, w), outDims = knownDims(p, s.results[0]);
    if (wDims === null || wDims.length < 2 || outDims === null) return;
    let cur = s.results[0];
    let last = i;
    const absorbed: number[] = [];
    let alpha = 1;
    let bias: ValueId | null = null;
    let act: Activation = { activation: 'none', params: [] };
    const xDims = knownDims(p, x);
    // Transposes are folded only where the kernel can take strides: A and B of rank ≥ 2.
    const strided = xDims !== null && xDims.length >= 2;
    const tA = strided ? transposeInput(x, i) : undefined;
    const tB = strided && w !== x ? transposeInput(w, i) : undefined;
    for (const tr of [tA, tB]) if (tr !== undefined) absorbed.push(tr.at);
    let permY: number[] | null = null;
    // The next op consuming `cur`, when it is its only use and no other fusion took it.
    const nextOp = (): CallLet | undefined => {
      const j = soleUser(uses, cur);
      if (j === undefined || replace.has(j)) return undefined;
      const t = p.body[j];
      return isCallLet(t) && t.results.length === 1 && dtypeOf(p, t.results[0]) === dtype ? t : undefined;
    };
    const take = (t: CallLet): void => {
      cur = t.results[0];
      last = p.body.indexOf(t);
      absorbed.push(last);
    };

    let t = nextOp();
    const scale = t === undefined ? undefined : scaleOf(p, t, cur, uses, outDims);
    if (t !== undefined && scale !== undefined) { alpha = scale; take(t); t = nextOp(); }
    const b = t === undefined ? undefined : biasOperand(p, t, cur, outDims);
    if (t !== undefined && b !== undefined) { bias = b; take(t); t = nextOp(); }
    const found = t === undefined || t.expr.args[0] !== cur ? undefined : activationOf(t, uses);
    if (t !== undefined && found !== undefined) { act = found; take(t); t = nextOp(); }
    if (t !== undefined && strided && t.expr.prim === 'tensor.transpose' && t.expr.args[0] === cur) {
      const perm = permOf(p, t);
      if (perm !== undefined && perm.length === outDims.length && perm[perm.length - 1] === perm.length - 1) { permY = perm; take(t); }
    }
    if (absorbed.length === 0) return;
    const perms = {
      ...(tA !== undefined ? { permA: tA.perm } : {}),
      ...(tB !== undefined ? { permB: tB.perm } : {}),
      ...(permY !== null ? { permY } : {}),
    };

    const fused: Stmt = {
      kind: 'let', results: [cur], origin: s.origin,
      expr: {
        kind: 'call', prim: 'tensor.fusedMatMul',
        args: [tA?.input ?? x, tB?.input ?? w, ...(bias === null ? [] : [bias])],
        attrs: { alpha, activation: act.activation, activationParams: act.params, ...perms },
      },
    };
    replace.set(i, []);
    for (const k of absorbed) replace.set(k, []);
    replace.set(last, [fused]);
  });
  return replaceStatements(p, replace);
}

/** A Transpose's permutation (its `perm`, or the reversed axes when absent and the rank is known). */
function permOf(p: Program, t: CallLet): number[] | undefined {
  const perm = (t.expr.attrs as Record<string, unknown>).perm;
  if (Array.isArray(perm)) return perm.every((a) => typeof a === 'number') ? (perm as number[]) : undefined;
  const x = t.expr.args[0];
  const dims = x === null || x === undefined ? null : knownDims(p, x);
  return dims === null ? undefined : dims.map((_, k) => dims.length - 1 - k);
}

/** The scalar of a Mul(v, s) / Mul(s, v) / Div(v, s) by a constant scalar s that keeps v's shape, as a factor on v. */
function scaleOf(p: Program, t: CallLet, v: ValueId, uses: Uses, outDims: readonly (number | string)[]): number | undefined {
  const [a, b] = t.expr.args;
  if (t.expr.args.length !== 2 || a === null || b === null || a === b) return undefined;
  const isMul = t.expr.prim === 'tensor.mul', isDiv = t.expr.prim === 'tensor.div';
  if (!isMul && !isDiv) return undefined;
  const other = a === v ? b : b === v && isMul ? a : undefined;
  if (other === undefined) return undefined;
  const c = uses.constants.get(other);
  if (c === undefined || c.data.length !== 1) return undefined;
  if (!sameDims(knownDims(p, t.results[0]), outDims)) return undefined;
  const s = c.data[0];
  if (typeof s !== 'number' || !Number.isFinite(s)) return undefined;
  if (isMul) return s;
  const inv = 1 / s;
  return s !== 0 && Number.isFinite(inv) ? inv : undefined;
}

function sameDims(u: readonly (number | string)[] | null, v: readonly (number | string)[]): boolean {
  return u !== null && u.length === v.length && u.every((d, k) => d === v[k]);
}

/**
 * The other operand of Add(v, bias) / Add(bias, v) when bias holds N values along the
 * product's last axis (all other dims 1, rank not above the product's) and the Add's
 * result has the product's shape.
 */
function biasOperand(p: Program, add: CallLet, v: ValueId, outDims: readonly (number | string)[]): ValueId | undefined {
  const [a, b] = add.expr.args;
  if (add.expr.prim !== 'tensor.add' || add.expr.args.length !== 2 || a === null || b === null || a === b) return undefined;
  const z = a === v ? b : b === v ? a : undefined;
  if (z === undefined || dtypeOf(p, z) !== dtypeOf(p, v)) return undefined;
  const zDims = knownDims(p, z), addDims = knownDims(p, add.results[0]);
  if (zDims === null || zDims.length === 0 || zDims.length > outDims.length) return undefined;
  const n = outDims[outDims.length - 1];
  if (zDims[zDims.length - 1] !== n || !zDims.slice(0, -1).every((d) => d === 1)) return undefined;
  return sameDims(addDims, outDims) ? z : undefined;
}
