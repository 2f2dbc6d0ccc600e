// Dead-code elimination: drops pure calls and constant bindings whose results
// nothing uses, then constants that no statement references.

import { ProgramBuilder } from '../ir/builder.js';
import type { Program, Region, Stmt, ValueId } from '../ir/program.js';
import { lookupPrimitive } from '../primitives/registry.js';

export function deadCodeElimination(p: Program): Program {
  const live = new Set<ValueId>(p.outputs.map((o) => o.value));
  const body = sweep(p.body, live);
  const b = ProgramBuilder.from(p);
  b.body.length = 0;
  b.body.push(...body);
  // Constant ids index the table, so unused constants stay in it; generators emit only referenced ones.
  return b.build();
}

/** Walks statements backwards, keeping those with a live result or an effect. */
function sweep(body: readonly Stmt[], live: Set<ValueId>): Stmt[] {
  const kept: Stmt[] = [];
  for (let i = body.length - 1; i >= 0; i--) {
    const s = body[i];
    if (s.kind === 'let') {
      const used = s.results.some((r) => live.has(r));
      const pure = s.expr.kind !== 'call' || !(lookupPrimitive(s.expr.prim)?.impure ?? false);
      if (!used && pure) continue;
      if (s.expr.kind === 'value') live.add(s.expr.id);
      if (s.expr.kind === 'call') {
        for (const a of s.expr.args) if (a !== null) live.add(a);
        const regions = s.expr.regions?.map((r) => sweepRegion(r, live));
        kept.push(regions ? { ...s, expr: { ...s.expr, regions } } : s);
        continue;
      }
      kept.push(s);
      continue;
    }
    kept.push(s); // other statement kinds are kept (they are not produced by ONNX lowering)
  }
  return kept.reverse();
}

function sweepRegion(r: Region, outerLive: Set<ValueId>): Region {
  const live = new Set<ValueId>(r.yields);
  const body = sweep(r.body, live);
  // Values captured from enclosing scopes stay live outside.
  for (const v of live) outerLive.add(v);
  return { ...r, body };
}
