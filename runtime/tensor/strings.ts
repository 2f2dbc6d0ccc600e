// String ops.

import { fail, type NodeCtx, type Tensor } from './tensor.js';

export interface StringNormalizerAttrs {
  readonly caseChange: 'LOWER' | 'UPPER' | 'NONE';
  readonly caseSensitive: boolean;
  readonly stopwords: readonly string[];
}

/**
 * StringNormalizer: removes stop words (case-insensitively unless is_case_sensitive),
 * then changes case. Input [C] or [1, C]. "If all elements are removed, the output
 * is a single empty string" with the input's rank.
 */
export function stringNormalizer(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], a: StringNormalizerAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  if (x.dims.length > 2 || (x.dims.length === 2 && x.dims[0] !== 1)) fail(`input must have shape [C] or [1, C], got [${x.dims.join(',')}]`);
  const stop = new Set(a.caseSensitive ? a.stopwords : a.stopwords.map((w) => w.toLowerCase()));
  const kept: string[] = [];
  for (const s of x.data as string[]) {
    if (!stop.has(a.caseSensitive ? s : s.toLowerCase())) {
      kept.push(a.caseChange === 'LOWER' ? s.toLowerCase() : a.caseChange === 'UPPER' ? s.toUpperCase() : s);
    }
  }
  if (kept.length === 0) kept.push('');
  const dims = x.dims.length === 2 ? [1, kept.length] : [kept.length];
  ctx.set(0, { type: 'string', dims, data: kept });
  return ctx.done(1);
}
