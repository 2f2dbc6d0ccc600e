// Common-subexpression elimination: a pure call of the same primitive on the same
// operands with the same attributes as an earlier one in the same body is dropped,
// and its results are read from the earlier call's. Exported graphs repeat such
// work (the same Shape → Gather → Unsqueeze chain per attention head, a weight
// transposed once per use, the same constant bound twice); after constant folding
// whatever still depends on inputs is merged here.
//
// Left alone: impure primitives (random ops: two draws are two values), calls with
// nested bodies (Loop/If/Scan), and calls whose results are program outputs (the
// outputs stay distinct tensors). Each body (the program's and each region's) is
// scanned on its own, so a value computed inside a loop body is never read outside.

import { ProgramBuilder } from '../ir/builder.js';
import type { AttrValue, Attrs, Expr, Param, Program, Region, Stmt, ValueId } from '../ir/program.js';
import { lookupPrimitive } from '../primitives/registry.js';

export function commonSubexpressionElimination(p: Program): Program {
  const alias = new Map<ValueId, ValueId>();
  const outputs = new Set(p.outputs.map((o) => o.value));
  const objectIds = new WeakMap<object, number>();
  const body = eliminate(p.body, alias, outputs, objectIds);
  if (alias.size === 0) return p;
  const b = ProgramBuilder.from(p);
  b.body.length = 0;
  b.body.push(...body);
  b.outputs.length = 0;
  b.outputs.push(...p.outputs.map((o): Param => ({ ...o, value: resolve(alias, o.value) })));
  return b.build();
}

function resolve(alias: ReadonlyMap<ValueId, ValueId>, v: ValueId): ValueId {
  return alias.get(v) ?? v;
}

/** One body: statements renamed through `alias`, duplicates dropped (recording their aliases). */
function eliminate(body: readonly Stmt[], alias: Map<ValueId, ValueId>, outputs: ReadonlySet<ValueId>, objectIds: WeakMap<object, number>): Stmt[] {
  const seen = new Map<string, readonly ValueId[]>();
  const kept: Stmt[] = [];
  for (const original of body) {
    const s = rename(original, alias, outputs, objectIds);
    if (s.kind === 'let') {
      const key = mergeKey(s, outputs, objectIds);
      if (key !== null) {
        const earlier = seen.get(key);
        if (earlier !== undefined && earlier.length === s.results.length) {
          s.results.forEach((r, i) => alias.set(r, earlier[i]));
          continue;
        }
        seen.set(key, s.results);
      }
    }
    kept.push(s);
  }
  return kept;
}

/** The statement with every operand read through `alias` (nested bodies eliminated too). */
function rename(s: Stmt, alias: Map<ValueId, ValueId>, outputs: ReadonlySet<ValueId>, objectIds: WeakMap<object, number>): Stmt {
  const r = (v: ValueId): ValueId => resolve(alias, v);
  switch (s.kind) {
    case 'let': return { ...s, expr: renameExpr(s.expr, alias, outputs, objectIds) };
    case 'set': return { ...s, target: r(s.target), value: r(s.value) };
    case 'if': return {
      ...s, cond: r(s.cond),
      then: eliminate(s.then, alias, outputs, objectIds), else: eliminate(s.else, alias, outputs, objectIds),
    };
    case 'while': return { ...s, cond: r(s.cond), body: eliminate(s.body, alias, outputs, objectIds) };
    case 'emit': return { ...s, value: r(s.value) };
    case 'return': return { ...s, values: s.values.map(r) };
    case 'raise': return s;
  }
}

function renameExpr(e: Expr, alias: Map<ValueId, ValueId>, outputs: ReadonlySet<ValueId>, objectIds: WeakMap<object, number>): Expr {
  if (e.kind === 'const') return e;
  if (e.kind === 'value') return { ...e, id: resolve(alias, e.id) };
  const args = e.args.map((a) => (a === null ? null : resolve(alias, a)));
  if (e.regions === undefined) return { ...e, args };
  const regions = e.regions.map((g): Region => ({
    ...g,
    body: eliminate(g.body, alias, outputs, objectIds),
    yields: g.yields.map((v) => resolve(alias, v)),
  }));
  return { ...e, args, regions };
}

/** What identifies a mergeable statement's computation, or null when it must stay. */
function mergeKey(s: Stmt & { kind: 'let' }, outputs: ReadonlySet<ValueId>, objectIds: WeakMap<object, number>): string | null {
  if (s.results.some((v) => outputs.has(v))) return null;
  const e = s.expr;
  if (e.kind === 'const') return `const ${e.id}`;
  if (e.kind === 'value') return null; // a copy: later uses already read its source through the builder
  if (e.regions !== undefined && e.regions.length > 0) return null;
  if (lookupPrimitive(e.prim)?.impure ?? false) return null;
  return `call ${e.prim} ${e.args.map((a) => (a === null ? '_' : String(a))).join(',')} ${attrsKey(e.attrs, objectIds)}`;
}

/** Attributes as text, keys sorted; tensors by identity (equal only when they are the same object). */
function attrsKey(attrs: Attrs, objectIds: WeakMap<object, number>): string {
  return Object.keys(attrs).sort().map((k) => `${JSON.stringify(k)}=${valueKey(attrs[k], objectIds)}`).join(';');
}

function valueKey(v: AttrValue, objectIds: WeakMap<object, number>): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if ('data' in v && 'dims' in v) {
    let id = objectIds.get(v);
    if (id === undefined) { id = nextObjectId++; objectIds.set(v, id); }
    return `tensor#${id}`;
  }
  if (Array.isArray(v)) return `[${(v as readonly AttrValue[]).map((x) => valueKey(x, objectIds)).join(',')}]`;
  const o = v as { readonly [k: string]: AttrValue };
  return `{${Object.keys(o).sort().map((k) => `${JSON.stringify(k)}:${valueKey(o[k], objectIds)}`).join(',')}}`;
}

let nextObjectId = 0;
