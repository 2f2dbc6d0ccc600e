// The ONNX op registry: one table built from the family files in this folder.
// Lookup is by (domain, op, opset): the entry with the greatest `since` that
// does not exceed the model's opset and whose `until` (if any) covers it.

import { definePrimitive } from '../../../primitives/registry.js';
import type { AnyOpDef } from './types.js';
import { OPS as ACTIVATION } from './activation.js';
import { OPS as CONTROL } from './control.js';
import { OPS as CONV } from './conv.js';
import { OPS as ELEMENTWISE } from './elementwise.js';
import { OPS as MATMUL } from './matmul.js';
import { OPS as NORM } from './norm.js';
import { OPS as POOL } from './pool.js';
import { OPS as REDUCE } from './reduce.js';
import { OPS as SHAPE } from './shape.js';
import { OPS as TENSOR } from './tensor-ops.js';
import { OPS as MISC } from './misc.js';
import { OPS as SEQUENCE } from './sequence.js';
import { OPS as RECURRENT } from './recurrent.js';
import { OPS as SIGNAL } from './signal.js';
import { OPS as VISION } from './vision.js';
import { OPS as STRINGS } from './strings.js';
import { OPS as QUANTIZE } from './quantize.js';
import { OPS as NEWER } from './newer.js';
import { OPS as ML_MODELS } from './ml-models.js';
import { OPS as ML_TRANSFORMS } from './ml-transforms.js';
import { OPS as RANDOM } from './random.js';

/** Highest opset version per domain that the registry claims as a whole. */
export const MAX_OPSET: Readonly<Record<string, number>> = { '': 28, 'ai.onnx.ml': 5, 'ai.onnx.preview': 1, 'ai.onnx.preview.training': 1 };

const ALL: readonly AnyOpDef[] = [
  ...ELEMENTWISE, ...ACTIVATION, ...REDUCE, ...MATMUL, ...CONV, ...POOL, ...NORM, ...SHAPE, ...TENSOR, ...CONTROL, ...SEQUENCE, ...MISC,
  ...RECURRENT, ...SIGNAL, ...VISION, ...STRINGS, ...QUANTIZE,
  ...ML_MODELS, ...ML_TRANSFORMS, ...NEWER, ...RANDOM,
];

const byKey = new Map<string, AnyOpDef[]>();
for (const def of ALL) {
  const key = `${normDomain(def.domain ?? '')}::${def.op}`;
  const list = byKey.get(key) ?? [];
  list.push(def);
  byKey.set(key, list);
  definePrimitive({
    name: primitiveName(def),
    module: def.kernel.module,
    exportName: def.kernel.name,
    kernel: def.kernel.fn,
    regions: (def.subgraphs?.length ?? 0) > 0,
    impure: def.impure,
    aliasesInputs: def.aliasesInputs,
    outputsAreViews: def.outputsAreViews,
  });
}
for (const list of byKey.values()) list.sort((a, b) => b.since - a.since);

export function normDomain(domain: string): string {
  return domain === 'ai.onnx' ? '' : domain;
}

export function primitiveName(def: AnyOpDef): string {
  return `${def.kernel.module.split('/')[0]}.${def.kernel.name}`;
}

export type OpLookup =
  | { readonly kind: 'found'; readonly def: AnyOpDef }
  | { readonly kind: 'unknown-op' }
  | { readonly kind: 'unsupported-version'; readonly versions: readonly { since: number; until?: number }[] };

export function findOp(domain: string, op: string, opset: number): OpLookup {
  const list = byKey.get(`${normDomain(domain)}::${op}`);
  if (list === undefined) return { kind: 'unknown-op' };
  for (const def of list) {
    if (def.since <= opset && (def.until === undefined || opset <= def.until)) return { kind: 'found', def };
  }
  return { kind: 'unsupported-version', versions: list.map((d) => ({ since: d.since, until: d.until })) };
}

/** Every registered entry (docs/support.md and tests). */
export function allOps(): readonly AnyOpDef[] {
  return ALL;
}
