// Small ops that only pass data along: Identity.

import type { NodeCtx, Tensor } from './tensor.js';

export function identity(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[]): Tensor[] {
  const x = inputs[0] as Tensor;
  // Sequences (arrays) and absent optionals (null) pass through as they are.
  if (x === null || Array.isArray(x)) ctx.set(0, x);
  else ctx.view(0, x.type, x.dims, x.data);
  return ctx.done(1);
}
