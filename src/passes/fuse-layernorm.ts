// A residual Add feeding LayerNormalization fused into one AddLayerNormalization node
// (primitive tensor.addLayerNormalization, runtime/tensor/norm.ts): the sum is
// written while the statistics pass reads it, so the graph loses a node, a tensor
// and a pass over it (a transformer has two per layer).
//
// Applies to a float32/float64 Add of two operands of exactly its result's static
// shape (no broadcasting; equal numbers or the same named dim) whose result has no
// other consumer, is not a graph output, and is the X of a LayerNormalization that
// declares only its Y output. The fused node takes the LayerNormalization's place and
// binds its result.

import type { Program, Stmt } from '../ir/program.js';
import { analyseUses, dtypeOf, isCallLet, replaceStatements, knownDims, soleUser } from './fuse-common.js';

const FLOATS = new Set(['float32', 'float64']);

export function fuseLayerNorm(p: Program): Program {
  const uses = analyseUses(p);
  const replace = new Map<number, Stmt[]>();
  p.body.forEach((s, i) => {
    if (!isCallLet(s) || s.expr.prim !== 'tensor.add' || s.results.length !== 1 || s.expr.args.length !== 2) return;
    const [a, b] = s.expr.args;
    const sum = s.results[0];
    const dtype = dtypeOf(p, sum);
    if (a === null || b === null || dtype === null || !FLOATS.has(dtype) || dtypeOf(p, a) !== dtype || dtypeOf(p, b) !== dtype) return;
    const dims = knownDims(p, sum), aDims = knownDims(p, a), bDims = knownDims(p, b);
    const same = (u: readonly (number | string)[] | null): boolean => u !== null && dims !== null && u.length === dims.length && u.every((d, k) => d === dims[k]);
    if (!same(aDims) || !same(bDims)) return;
    const j = soleUser(uses, sum);
    if (j === undefined || replace.has(j)) return;
    const ln = p.body[j];
    if (!isCallLet(ln) || ln.expr.prim !== 'tensor.layerNormalization' || ln.expr.args[0] !== sum || ln.results.length !== 1) return;
    const attrs = ln.expr.attrs as Record<string, unknown>;
    if (attrs.outputs !== 1) return;
    const [, scale, bias] = ln.expr.args;
    if (scale === null || scale === undefined) return;
    replace.set(i, []);
    replace.set(j, [{
      kind: 'let', results: ln.results, origin: ln.origin,
      expr: { kind: 'call', prim: 'tensor.addLayerNormalization', args: bias === null || bias === undefined ? [a, b, scale] : [a, b, scale, bias], attrs: ln.expr.attrs },
    }]);
  });
  return replaceStatements(p, replace);
}
