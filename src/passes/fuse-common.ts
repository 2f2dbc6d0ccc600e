// What the fusion passes (fuse-batchnorm, fuse-conv) need to know about a program
// before rewriting it: how often each value is used, which top-level statement
// defines it, and which values are tensor constants.

import type { Tensor } from '../../runtime/tensor/tensor.js';
import { ProgramBuilder } from '../ir/builder.js';
import type { Program, Region, Stmt, ValueId } from '../ir/program.js';

export type LetStmt = Extract<Stmt, { kind: 'let' }>;
export type CallLet = LetStmt & { readonly expr: Extract<LetStmt['expr'], { kind: 'call' }> };

export interface Uses {
  /** Uses of each value anywhere (nested regions included); graph outputs count as uses. */
  readonly count: ReadonlyMap<ValueId, number>;
  /** The top-level statement index of each use of a value, when all its uses are top-level calls. */
  readonly users: ReadonlyMap<ValueId, readonly number[]>;
  /** Values bound to a tensor constant at the top level. */
  readonly constants: ReadonlyMap<ValueId, Tensor>;
}

export function isCallLet(s: Stmt): s is CallLet {
  return s.kind === 'let' && s.expr.kind === 'call';
}

function isTensor(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && 'dims' in v && 'data' in v && 'type' in v;
}

export function analyseUses(p: Program): Uses {
  const count = new Map<ValueId, number>();
  const users = new Map<ValueId, number[]>();
  const constants = new Map<ValueId, Tensor>();
  const bump = (v: ValueId): void => { count.set(v, (count.get(v) ?? 0) + 1); };
  const visit = (body: readonly Stmt[], top: boolean): void => {
    body.forEach((s, index) => {
      switch (s.kind) {
        case 'let':
          if (s.expr.kind === 'value') bump(s.expr.id);
          if (s.expr.kind === 'const' && top) {
            const c = p.constants[s.expr.id];
            if (isTensor(c.value)) constants.set(s.results[0], c.value);
          }
          if (s.expr.kind === 'call') {
            for (const a of s.expr.args) {
              if (a === null) continue;
              bump(a);
              if (top) users.set(a, [...(users.get(a) ?? []), index]);
            }
            for (const r of s.expr.regions ?? []) visitRegion(r);
          }
          return;
        case 'set': bump(s.target); bump(s.value); return;
        case 'if': bump(s.cond); visit(s.then, false); visit(s.else, false); return;
        case 'while': bump(s.cond); visit(s.body, false); return;
        case 'emit': bump(s.value); return;
        case 'return': for (const v of s.values) bump(v); return;
        case 'raise': return;
      }
    });
  };
  const visitRegion = (r: Region): void => {
    visit(r.body, false);
    for (const y of r.yields) bump(y);
  };
  visit(p.body, true);
  for (const o of p.outputs) bump(o.value);
  return { count, users, constants };
}

/**
 * The index of the one top-level statement that consumes `v`, when that is its only
 * use (not a graph output, not captured by a region, not used twice by that call).
 */
export function soleUser(uses: Uses, v: ValueId): number | undefined {
  const at = uses.users.get(v);
  if (uses.count.get(v) !== 1 || at === undefined || at.length !== 1) return undefined;
  return at[0];
}

/**
 * The dims of a tensor value, numbers or named symbols (a symbol names the same size
 * wherever it appears), or null when the rank or any dim is unknown.
 */
export function knownDims(p: Program, v: ValueId): (number | string)[] | null {
  const t = p.values[v].type;
  if (t.kind !== 'tensor' || t.shape === null) return null;
  return t.shape.every((d): d is number | string => d !== null) ? t.shape.slice() : null;
}

export function dtypeOf(p: Program, v: ValueId): string | null {
  const t = p.values[v].type;
  return t.kind === 'tensor' ? t.dtype : null;
}

/**
 * The program with top-level statement i replaced by `replace.get(i)` (none: removed,
 * several: inserted in order) and every other statement kept; `p` itself when there
 * is nothing to replace.
 */
export function replaceStatements(p: Program, replace: ReadonlyMap<number, readonly Stmt[]>): Program {
  if (replace.size === 0) return p;
  const b = ProgramBuilder.from(p);
  b.body.length = 0;
  p.body.forEach((s, i) => b.body.push(...(replace.get(i) ?? [s])));
  return b.build();
}
