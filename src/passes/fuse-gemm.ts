// Gemm + activation fused into one FusedGemm node (primitive tensor.fusedGemm,
// runtime/tensor/gemm.ts): the activation runs in place on the Gemm's own output
// buffer, so the graph loses a node, its output tensor and a pass over it.
//
// Applies to float32/float64 Gemm whose output has no other consumer, is not a graph
// output, and feeds Relu, LeakyRelu, Clip (constant or absent bounds), Sigmoid,
// HardSigmoid or HardSwish. The fused node takes the activation's place and binds
// its result.

import type { Program, Stmt } from '../ir/program.js';
import { analyseUses, dtypeOf, isCallLet, replaceStatements, soleUser } from './fuse-common.js';
import { activationOf } from './fuse-conv.js';

const FLOATS = new Set(['float32', 'float64']);

export function fuseGemm(p: Program): Program {
  const uses = analyseUses(p);
  const replace = new Map<number, Stmt[]>();
  p.body.forEach((s, i) => {
    if (!isCallLet(s) || s.expr.prim !== 'tensor.gemmOp' || s.results.length !== 1) return;
    const dtype = dtypeOf(p, s.results[0]);
    if (dtype === null || !FLOATS.has(dtype)) return;
    const j = soleUser(uses, s.results[0]);
    if (j === undefined || replace.has(j)) return;
    const next = p.body[j];
    if (!isCallLet(next) || next.expr.args[0] !== s.results[0] || dtypeOf(p, next.results[0]) !== dtype) return;
    const act = activationOf(next, uses);
    if (act === undefined) return;
    replace.set(i, []);
    replace.set(j, [{
      kind: 'let', results: [next.results[0]], origin: s.origin,
      expr: { kind: 'call', prim: 'tensor.fusedGemm', args: s.expr.args, attrs: { ...s.expr.attrs, activation: act.activation, activationParams: act.params } },
    }]);
  });
  return replaceStatements(p, replace);
}
