// Conv + bias + residual Add + activation fused into one FusedConv node (primitive
// tensor.fusedConv, runtime/tensor/conv.ts), whose kernel applies the bias, the
// residual sum and the activation while it writes each output row: no separate pass
// over the activations, no intermediate tensors.
//
// Patterns, starting from a float32/float64 Conv and taking each next op only when
// the value before it has no other consumer and is not a graph output:
//   Conv [→ Add(·, Z)] [→ Relu | LeakyRelu | Clip | Sigmoid | HardSigmoid | HardSwish]
// The residual Z must have exactly the Conv output's shape (equal numbers, or the
// same named dim, which ONNX defines to be the same size) and type, so no
// broadcasting is involved (the kernel checks the actual dims too); Clip bounds must be absent or constant scalars. A Conv that absorbs
// nothing still becomes a FusedConv when its weights are a constant, so that the SIMD
// path packs them once instead of on every call.
//
// The fused node takes the place of the last op it absorbs (every operand, Z
// included, is defined before that point) and binds that op's result.

import type { FusedActivation } from '../../runtime/wasm/epilogue.js';
import type { Attrs, Program, Stmt, ValueId } from '../ir/program.js';
import { analyseUses, dtypeOf, isCallLet, replaceStatements, knownDims, soleUser, type CallLet, type Uses } from './fuse-common.js';

const FLOATS = new Set(['float32', 'float64']);

export interface Activation { readonly activation: FusedActivation; readonly params: number[] }

export function fuseConv(p: Program): Program {
  const uses = analyseUses(p);
  const replace = new Map<number, Stmt[]>();
  p.body.forEach((s, i) => {
    if (!isCallLet(s) || s.expr.prim !== 'tensor.conv' || replace.has(i)) return;
    const dtype = dtypeOf(p, s.results[0]);
    if (dtype === null || !FLOATS.has(dtype)) return;
    let cur = s.results[0];
    let last = i;
    const absorbed: number[] = [];
    let residual: ValueId | null = null;
    let act: Activation = { activation: 'none', params: [] };

    const next = soleUser(uses, cur);
    const add = next === undefined ? undefined : p.body[next];
    // An op another Conv has already absorbed (Add of two Conv outputs) is taken once.
    if (add !== undefined && !replace.has(next as number) && isCallLet(add) && add.expr.prim === 'tensor.add') {
      const z = residualOperand(p, add, cur);
      if (z !== undefined) {
        residual = z; cur = add.results[0]; last = next as number; absorbed.push(last);
      }
    }
    const after = soleUser(uses, cur);
    const actStmt = after === undefined ? undefined : p.body[after];
    if (actStmt !== undefined && !replace.has(after as number) && isCallLet(actStmt) && actStmt.expr.args[0] === cur && dtypeOf(p, actStmt.results[0]) === dtype) {
      const found = activationOf(actStmt, uses);
      if (found !== undefined) {
        act = found; cur = actStmt.results[0]; last = after as number; absorbed.push(last);
      }
    }

    const [x, w, bias] = s.expr.args;
    const constantWeights = w !== null && w !== undefined && uses.constants.has(w);
    if (absorbed.length === 0 && !constantWeights) return;
    const attrs: Attrs = { ...s.expr.attrs, activation: act.activation, activationParams: act.params, constantWeights };
    const fused: Stmt = {
      kind: 'let', results: [cur], origin: s.origin,
      expr: { kind: 'call', prim: 'tensor.fusedConv', args: [x, w, bias ?? null, residual], attrs },
    };
    replace.set(i, []);
    for (const k of absorbed) replace.set(k, []);
    replace.set(last, [fused]);
  });
  return replaceStatements(p, replace);
}

/** The other operand of Add(conv, Z) or Add(Z, conv) when Z has the conv output's exact static shape and type. */
function residualOperand(p: Program, add: CallLet, conv: ValueId): ValueId | undefined {
  const [a, b] = add.expr.args;
  if (add.expr.args.length !== 2 || a === null || b === null || a === b) return undefined;
  const z = a === conv ? b : b === conv ? a : undefined;
  if (z === undefined) return undefined;
  const shape = knownDims(p, conv), zShape = knownDims(p, z), outShape = knownDims(p, add.results[0]);
  if (shape === null || zShape === null || outShape === null) return undefined;
  const same = (u: readonly (number | string)[], v: readonly (number | string)[]): boolean => u.length === v.length && u.every((d, k) => d === v[k]);
  if (!same(shape, zShape) || !same(shape, outShape)) return undefined;
  if (dtypeOf(p, z) !== dtypeOf(p, conv) || dtypeOf(p, add.results[0]) !== dtypeOf(p, conv)) return undefined;
  return z;
}

/** The fused form of an activation call (FusedConv, FusedGemm), or undefined when it has none. */
export function activationOf(s: CallLet, uses: Uses): Activation | undefined {
  const a = s.expr.attrs as Record<string, unknown>;
  const num = (k: string): number | undefined => (typeof a[k] === 'number' ? a[k] : undefined);
  switch (s.expr.prim) {
    case 'tensor.relu': return { activation: 'relu', params: [] };
    case 'tensor.sigmoid': return { activation: 'sigmoid', params: [] };
    case 'tensor.hardSwish': return { activation: 'hardSwish', params: [] };
    case 'tensor.leakyRelu': {
      const alpha = num('alpha');
      return alpha === undefined ? undefined : { activation: 'leakyRelu', params: [alpha] };
    }
    case 'tensor.hardSigmoid': {
      const alpha = num('alpha'), beta = num('beta');
      return alpha === undefined || beta === undefined ? undefined : { activation: 'hardSigmoid', params: [alpha, beta] };
    }
    case 'tensor.clipAttrs': {
      const lo = num('min'), hi = num('max');
      return lo === undefined || hi === undefined ? undefined : { activation: 'clip', params: [lo, hi] };
    }
    case 'tensor.clip': {
      // Clip-11+: optional scalar bounds as inputs; only constant ones can be fused.
      const bound = (v: ValueId | null | undefined, absent: number): number | undefined => {
        if (v === null || v === undefined) return absent;
        const t = uses.constants.get(v);
        if (t === undefined || t.data.length !== 1 || typeof t.data[0] !== 'number') return undefined;
        return t.data[0];
      };
      const lo = bound(s.expr.args[1], -Infinity), hi = bound(s.expr.args[2], Infinity);
      return lo === undefined || hi === undefined ? undefined : { activation: 'clip', params: [lo, hi] };
    }
    default: return undefined;
  }
}
