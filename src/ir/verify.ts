// The verifier: every value used is defined first and in scope, every value is
// defined once, regions only see their parameters and enclosing scopes.
// It runs after lowering and, in tests, after every pass.

import type { Program, Region, Stmt, ValueId } from './program.js';

export interface VerifyProblem {
  readonly message: string;
  readonly origin?: string;
}

export function verifyProgram(p: Program): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  const defined = new Set<ValueId>();
  const defineAll = (ids: readonly ValueId[], origin?: string): void => {
    for (const id of ids) {
      if (id < 0 || id >= p.values.length) problems.push({ message: `value %${id} is not in the value table`, origin });
      else if (defined.has(id)) problems.push({ message: `value %${id} (${JSON.stringify(p.values[id].name)}) is defined twice`, origin });
      defined.add(id);
    }
  };
  const use = (scope: ReadonlySet<ValueId>, id: ValueId | null, origin?: string): void => {
    if (id === null) return;
    if (!scope.has(id)) problems.push({ message: `value %${id} (${JSON.stringify(p.values[id]?.name ?? '?')}) is used before it is defined`, origin });
  };
  for (const i of p.inputs) defineAll([i.value], `input ${i.name}`);
  for (const c of p.constants) if (c.id < 0) problems.push({ message: `constant ${c.name} has a bad id` });

  // Scopes are sets that grow as statements bind values; regions copy their parent's.
  const checkBody = (body: readonly Stmt[], scope: Set<ValueId>): void => {
    for (const s of body) checkStmt(s, scope);
  };
  const checkRegion = (r: Region, parent: ReadonlySet<ValueId>, origin?: string): void => {
    const scope = new Set(parent);
    defineAll(r.params, origin);
    for (const v of r.params) scope.add(v);
    checkBody(r.body, scope);
    for (const y of r.yields) use(scope, y, origin);
  };
  const checkStmt = (s: Stmt, scope: Set<ValueId>): void => {
    switch (s.kind) {
      case 'let':
        if (s.expr.kind === 'value') use(scope, s.expr.id, s.origin);
        if (s.expr.kind === 'const' && (s.expr.id < 0 || s.expr.id >= p.constants.length)) {
          problems.push({ message: `constant @${s.expr.id} does not exist`, origin: s.origin });
        }
        if (s.expr.kind === 'call') {
          for (const a of s.expr.args) use(scope, a, s.origin);
          for (const r of s.expr.regions ?? []) checkRegion(r, scope, s.origin);
        }
        defineAll(s.results, s.origin);
        for (const r of s.results) scope.add(r);
        return;
      case 'set': use(scope, s.target); use(scope, s.value); return;
      case 'if': use(scope, s.cond); checkBody(s.then, new Set(scope)); checkBody(s.else, new Set(scope)); return;
      case 'while': use(scope, s.cond); checkBody(s.body, new Set(scope)); return;
      case 'emit': use(scope, s.value); return;
      case 'raise': return;
      case 'return': for (const v of s.values) use(scope, v); return;
    }
  };
  const top = new Set<ValueId>(p.inputs.map((i) => i.value));
  checkBody(p.body, top);
  for (const o of p.outputs) use(top, o.value, `output ${o.name}`);
  return problems;
}
