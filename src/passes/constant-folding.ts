// Constant folding: a call whose operands are all constants is evaluated now,
// with the same runtime kernel the generated module would call, and replaced by
// a constant. Results larger than their inputs (ConstantOfShape of a weight,
// Expand, Tile) are not embedded: the generator evaluates those once at load.

import { invoke } from '../../runtime/tensor/invoke.js';
import { NodeCtx, cloneTensor, type Tensor } from '../../runtime/tensor/tensor.js';
import { ProgramBuilder } from '../ir/builder.js';
import type { Program, Stmt, ValueId } from '../ir/program.js';
import { tensorType, type IrType } from '../ir/types.js';
import { lookupPrimitive } from '../primitives/registry.js';

/** Largest folded result (elements) embedded regardless of the operands' size. */
const SMALL = 4096;

/**
 * Primitives whose result depends only on their operand's type and shape. When
 * shape inference knows that shape statically, they fold even though the operand
 * itself is computed at run time: exporters build Reshape targets from
 * Shape → Gather → Concat chains, which then fold away entirely.
 */
const SHAPE_ONLY = new Set(['tensor.shape', 'tensor.size']);

export function constantFolding(p: Program): Program {
  const b = ProgramBuilder.from(p);
  const constOf = new Map<ValueId, Tensor>();
  const body: Stmt[] = [];
  const types = p.values.map((v) => v.type);
  for (const s of p.body) {
    if (s.kind === 'let' && s.expr.kind === 'const') {
      const c = p.constants[s.expr.id];
      if (isTensor(c.value)) constOf.set(s.results[0], c.value);
      body.push(s);
      continue;
    }
    const folded = s.kind === 'let' ? tryFold(s, constOf, types) : undefined;
    if (folded === undefined) { body.push(s); continue; }
    folded.forEach((t, k) => {
      const id = (s as Extract<Stmt, { kind: 'let' }>).results[k];
      const type = tensorType(t.type, t.dims);
      const c = b.constant(p.values[id].name, type, t);
      b.setType(id, type);
      constOf.set(id, t);
      body.push({ kind: 'let', results: [id], expr: { kind: 'const', id: c }, origin: (s as Extract<Stmt, { kind: 'let' }>).origin });
    });
  }
  b.body.length = 0;
  b.body.push(...body);
  return b.build();
}

function isTensor(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && 'dims' in v && 'data' in v;
}

/** A tensor with the right type and dims but no data, for shape-only primitives. */
function shapeOnlyStandIn(t: IrType | undefined): Tensor | undefined {
  if (t === undefined || t.kind !== 'tensor' || t.shape === null) return undefined;
  if (!t.shape.every((d): d is number => typeof d === 'number')) return undefined;
  return { type: t.dtype, dims: t.shape.slice(), data: new Float32Array(0) };
}

function tryFold(s: Extract<Stmt, { kind: 'let' }>, constOf: Map<ValueId, Tensor>, types: readonly IrType[]): Tensor[] | undefined {
  const e = s.expr;
  if (e.kind !== 'call' || (e.regions && e.regions.length > 0)) return undefined;
  const prim = lookupPrimitive(e.prim);
  if (prim === undefined || prim.impure || prim.regions) return undefined;
  const inputs: (Tensor | undefined)[] = [];
  let inputSize = 0;
  for (const a of e.args) {
    if (a === null) { inputs.push(undefined); continue; }
    const t = constOf.get(a) ?? (SHAPE_ONLY.has(e.prim) ? shapeOnlyStandIn(types[a]) : undefined);
    if (t === undefined) return undefined;
    inputs.push(t);
    inputSize += t.data.length;
  }
  let out: Tensor[];
  try {
    out = invoke(prim.kernel as never, new NodeCtx(s.origin ?? e.prim, true), inputs, e.attrs as never);
  } catch {
    return undefined; // the module reports the same error at run time, naming the node
  }
  if (out.length !== s.results.length) return undefined;
  // Only tensors are embedded; sequences and absent optionals stay computed at run time.
  if (out.some((t) => t === undefined || t === null || Array.isArray(t))) return undefined;
  const outSize = out.reduce((n, t) => n + (t ? t.data.length : 0), 0);
  if (outSize > SMALL && outSize > inputSize) return undefined;
  // Kernels may return views of their inputs; constants own their data.
  return out.map((t) => cloneTensor(t));
}
