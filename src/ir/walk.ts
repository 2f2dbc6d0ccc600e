// Iterative walks over statement trees (no recursion: ONNX subgraphs and PMML
// trees can nest deeply, and an engine stack limit must never be a model limit).

import type { Region, Stmt } from './program.js';

/** Visits every statement, including those inside regions and branches, in program order. */
export function forEachStmt(body: readonly Stmt[], visit: (s: Stmt, depth: number) => void): void {
  const stack: { stmts: readonly Stmt[]; i: number; depth: number }[] = [{ stmts: body, i: 0, depth: 0 }];
  while (stack.length > 0) {
    const top = stack[stack.length - 1];
    if (top.i >= top.stmts.length) { stack.pop(); continue; }
    const s = top.stmts[top.i++];
    visit(s, top.depth);
    const nested: (readonly Stmt[])[] = [];
    if (s.kind === 'let' && s.expr.kind === 'call' && s.expr.regions) for (const r of s.expr.regions) nested.push(r.body);
    if (s.kind === 'if') nested.push(s.then, s.else);
    if (s.kind === 'while') nested.push(s.body);
    for (let k = nested.length - 1; k >= 0; k--) stack.push({ stmts: nested[k], i: 0, depth: top.depth + 1 });
  }
}

export function regionsOf(s: Stmt): readonly Region[] {
  return s.kind === 'let' && s.expr.kind === 'call' && s.expr.regions ? s.expr.regions : [];
}
