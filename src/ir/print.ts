// A stable text form of the IR, for `mlcompile inspect` and snapshot tests.
// Determinism matters: attribute keys keep insertion order fixed by the front end.

import type { Tensor } from '../../runtime/tensor/tensor.js';
import type { AttrValue, Expr, Program, Region, Stmt, ValueId } from './program.js';
import { printType } from './types.js';

export function printProgram(p: Program): string {
  const lines: string[] = [];
  const name = (id: ValueId): string => `%${id}`;
  lines.push(`program ${JSON.stringify(p.name)} format=${p.format} source=${JSON.stringify(p.source.file)} sha256=${p.source.sha256}`);
  for (const [k, v] of Object.entries(p.meta)) lines.push(`  meta ${k} = ${JSON.stringify(v)}`);
  for (const i of p.inputs) lines.push(`  input ${name(i.value)} ${JSON.stringify(i.name)}: ${printType(i.type)}`);
  for (const c of p.constants) lines.push(`  const @${c.id} ${JSON.stringify(c.name)}: ${printType(c.type)} = ${summarise(c.value)}`);
  for (const s of p.state) lines.push(`  ${s.kind} ${JSON.stringify(s.name)}: ${printType(s.type)}`);
  printBody(p, p.body, '  ', lines);
  lines.push(`  output ${p.outputs.map((o) => `${JSON.stringify(o.name)}=${name(o.value)}: ${printType(o.type)}`).join(', ')}`);
  return lines.join('\n') + '\n';
}

function printBody(p: Program, body: readonly Stmt[], indent: string, lines: string[]): void {
  for (const s of body) printStmt(p, s, indent, lines);
}

function printStmt(p: Program, s: Stmt, indent: string, lines: string[]): void {
  switch (s.kind) {
    case 'let': {
      const lhs = s.results.map((r) => `%${r}: ${printType(p.values[r].type)}`).join(', ');
      const origin = s.origin !== undefined ? `  // ${JSON.stringify(s.origin)}` : '';
      lines.push(`${indent}${lhs} = ${printExpr(s.expr)}${origin}`);
      if (s.expr.kind === 'call' && s.expr.regions) s.expr.regions.forEach((r, k) => printRegion(p, r, k, indent + '  ', lines));
      return;
    }
    case 'set': lines.push(`${indent}set %${s.target} = %${s.value}`); return;
    case 'if':
      lines.push(`${indent}if %${s.cond} {`); printBody(p, s.then, indent + '  ', lines);
      lines.push(`${indent}} else {`); printBody(p, s.else, indent + '  ', lines); lines.push(`${indent}}`); return;
    case 'while':
      lines.push(`${indent}while %${s.cond} {`); printBody(p, s.body, indent + '  ', lines); lines.push(`${indent}}`); return;
    case 'emit': lines.push(`${indent}emit %${s.value}`); return;
    case 'raise': lines.push(`${indent}raise ${JSON.stringify(s.code)} ${JSON.stringify(s.message)}`); return;
    case 'return': lines.push(`${indent}return ${s.values.map((v) => `%${v}`).join(', ')}`); return;
  }
}

function printRegion(p: Program, r: Region, k: number, indent: string, lines: string[]): void {
  lines.push(`${indent}region ${k} (${r.params.map((v) => `%${v} ${JSON.stringify(p.values[v].name)}: ${printType(p.values[v].type)}`).join(', ')}) {`);
  printBody(p, r.body, indent + '  ', lines);
  lines.push(`${indent}  yield ${r.yields.map((v) => `%${v}`).join(', ')}`);
  lines.push(`${indent}}`);
}

function printExpr(e: Expr): string {
  switch (e.kind) {
    case 'const': return `@${e.id}`;
    case 'value': return `%${e.id}`;
    case 'call': {
      const args = e.args.map((a) => (a === null ? '_' : `%${a}`)).join(', ');
      const attrs = Object.entries(e.attrs);
      const a = attrs.length ? ` {${attrs.map(([k, v]) => `${k}=${printAttr(v)}`).join(', ')}}` : '';
      return `${e.prim}(${args})${a}`;
    }
  }
}

function isTensor(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && 'dims' in v && 'data' in v && 'type' in v;
}

function printAttr(v: AttrValue): string {
  if (isTensor(v)) return summarise(v);
  return JSON.stringify(v);
}

function summarise(v: unknown): string {
  if (isTensor(v)) {
    const n = v.data.length;
    const head = Array.from(v.data as ArrayLike<unknown>).slice(0, 4).map((x) => (typeof x === 'string' ? JSON.stringify(x) : String(x)));
    return `${v.type}[${v.dims.join('x')}](${head.join(', ')}${n > 4 ? `, … ${n} values` : ''})`;
  }
  const s = JSON.stringify(v);
  return s.length > 80 ? s.slice(0, 77) + '...' : s;
}
