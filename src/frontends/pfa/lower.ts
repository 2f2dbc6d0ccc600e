// PFA document → IR program. The document is decoded (JSON or YAML), checked and
// translated by ./compile.ts; the program records the engine's typed interface
// (input and output as IR types), the translated engine as a constant, and one
// `pfa.engine` call, which generators/module/emit-pfa.ts turns into a module.

import { createHash } from 'node:crypto';
import { DiagnosticError } from '../../diagnostics/diagnostic.js';
import { ProgramBuilder } from '../../ir/builder.js';
import type { JsonValue, Program } from '../../ir/program.js';
import type { IrType } from '../../ir/types.js';
import type { PfaType } from '../../../runtime/pfa/types.js';
import { compilePfa, PfaCompileError, type CompiledPfa } from './compile.js';
import { decodePfa } from './decode.js';

export const PFA_ENGINE = 'pfa.engine';

export interface PfaLowerOptions {
  readonly file: string;
  readonly bytes: Uint8Array;
  readonly name?: string;
  readonly stem: string;
}

/** The translated engine as stored in the program (constant 0). */
export interface PfaEngineConstant {
  readonly method: 'map' | 'emit' | 'fold';
  readonly body: string;
  readonly types: readonly unknown[];
  readonly inputType: number;
  readonly outputType: number;
  readonly functions: readonly { readonly name: string; readonly module: string; readonly exportName: string }[];
  readonly cells: readonly string[];
  readonly pools: readonly string[];
  readonly doc: string | null;
}

/** Decodes and translates a PFA document; document problems become exit-3 diagnostics with the path. */
export function readPfa(bytes: Uint8Array, fallbackName: string): CompiledPfa {
  const doc = decodePfa(bytes);
  try {
    return compilePfa(doc, fallbackName);
  } catch (e) {
    if (e instanceof PfaCompileError) throw new DiagnosticError(e.unsupported ? 'MLC3201' : 'MLC2201', e.detail, '', e.path);
    throw e;
  }
}

export function irTypeOf(t: PfaType, seen: Set<string> = new Set()): IrType {
  switch (t.kind) {
    case 'null': return { kind: 'scalar', dtype: 'null', missing: false };
    case 'boolean': return { kind: 'scalar', dtype: 'bool', missing: false };
    case 'int': return { kind: 'scalar', dtype: 'int32', missing: false };
    case 'long': return { kind: 'scalar', dtype: 'int64', missing: false };
    case 'float': return { kind: 'scalar', dtype: 'float32', missing: false };
    case 'double': return { kind: 'scalar', dtype: 'float64', missing: false };
    case 'string': return { kind: 'scalar', dtype: 'string', missing: false };
    case 'bytes': return { kind: 'scalar', dtype: 'bytes', missing: false };
    case 'fixed': return { kind: 'fixed', name: t.name, size: t.size };
    case 'enum': return { kind: 'enum', name: t.name, symbols: t.symbols };
    case 'array': return { kind: 'array', items: irTypeOf(t.items, seen) };
    case 'map': return { kind: 'map', keys: { kind: 'scalar', dtype: 'string', missing: false }, values: irTypeOf(t.values, seen) };
    case 'union': return { kind: 'union', types: t.types.map((x) => irTypeOf(x, seen)) };
    case 'record': {
      // Recursive records are written by name after their first appearance.
      if (seen.has(t.name)) return { kind: 'record', name: t.name, fields: [] };
      const inner = new Set(seen).add(t.name);
      return { kind: 'record', name: t.name, fields: t.fields.map((f) => ({ name: f.name, type: irTypeOf(f.type, inner) })) };
    }
    case 'function': return { kind: 'unknown' };
  }
}

export function lowerPfa(opts: PfaLowerOptions): Program {
  const compiled = readPfa(opts.bytes, opts.name ?? opts.stem);
  const sha256 = createHash('sha256').update(opts.bytes).digest('hex');
  const name = opts.name ?? compiled.name;
  const b = new ProgramBuilder(name, 'pfa', { file: opts.file, sha256 });
  const inType = irTypeOf(compiled.input);
  const outType = irTypeOf(compiled.output);
  const input = b.value('input', inType);
  b.inputs.push({ name: 'input', value: input, type: inType });
  const output = b.value('output', outType);
  b.outputs.push({ name: 'output', value: output, type: outType });
  const engine: PfaEngineConstant = {
    method: compiled.method, body: compiled.body, types: compiled.types, inputType: compiled.inputType, outputType: compiled.outputType,
    functions: [...compiled.functions.values()].map((f) => ({ name: f.name, module: f.module, exportName: f.exportName })),
    cells: compiled.cells, pools: compiled.pools, doc: compiled.doc,
  };
  const id = b.constant('engine', { kind: 'unknown' }, engine as unknown as JsonValue);
  b.body.push({ kind: 'let', results: [output], expr: { kind: 'call', prim: PFA_ENGINE, args: [input], attrs: { engine: { kind: 'const', id } } }, origin: 'PFA/action' });
  Object.assign(b.meta, { method: compiled.method, cells: compiled.cells, pools: compiled.pools } as unknown as Record<string, JsonValue>);
  return b.build();
}

export function pfaEngineOf(p: Program): PfaEngineConstant {
  const c = p.constants[0];
  if (c === undefined || p.format !== 'pfa') throw new Error(`program ${JSON.stringify(p.name)} is not a lowered PFA program`);
  return c.value as unknown as PfaEngineConstant;
}
