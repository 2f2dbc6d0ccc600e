// Compile-time specialisation of a call's attributes: a primitive whose attributes
// are data tables may get generated code beside them (an attribute holding
// `{ kind: 'code', source }`, written into model.ts as is). Only code this
// compiler generates from numbers goes there, never text from the model.

import { AGG_MAX, AGG_MIN, AGG_SUM, type ForestAttrs } from '../../runtime/ml/tree-ensemble.js';
import type { AttrValue, Attrs } from '../../src/ir/program.js';
import { treeWalkerSource } from './specialize-trees.js';

export interface CodeAttr { readonly kind: 'code'; readonly source: string }

export function isCodeAttr(v: unknown): v is CodeAttr {
  return typeof v === 'object' && v !== null && (v as { kind?: unknown }).kind === 'code' && typeof (v as { source?: unknown }).source === 'string';
}

const TREE_PRIMITIVES = new Set(['ml.treeEnsembleClassifier', 'ml.treeEnsembleRegressor', 'ml.treeEnsemble']);

export function specializeAttrs(prim: string, attrs: Attrs): Attrs {
  if (TREE_PRIMITIVES.has(prim)) {
    const forest = attrs as unknown as ForestAttrs & { readonly aggregate?: number };
    const agg = forest.aggregate ?? AGG_SUM;
    if (agg === AGG_MIN || agg === AGG_MAX) return attrs;
    const simple = forest.leafStart === null && forest.leafTarget === null;
    const source = treeWalkerSource(forest, simple);
    if (source !== undefined) return { ...attrs, walker: { kind: 'code', source } as unknown as AttrValue };
  }
  return attrs;
}

/**
 * Primitives whose kernels build every output anew on each call and never touch it
 * again (ZipMap: a new array of new Maps, set with ctx.set). The generated run()
 * returns such a value to the caller as is instead of copying it at the boundary.
 */
const FRESH_VALUE_PRIMITIVES = new Set(['ml.zipMap']);

export function producesFreshValues(prim: string): boolean {
  return FRESH_VALUE_PRIMITIVES.has(prim);
}
