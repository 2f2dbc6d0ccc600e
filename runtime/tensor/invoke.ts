// The one call site of every kernel in generated code: runs the kernel, rounds
// float16 results to binary16 (and the other low-precision floats to their type,
// sub-byte integers wrapped into range), and names the node in any error it throws.

import { roundArrayToFloat16 } from './float16.js';
import { roundArrayToLowp, wrapArrayToLowpInt } from './lowp.js';
import { NodeCtx, RuntimeError, isLowpFloat, isLowpInt, type Kernel, type Tensor } from './tensor.js';

/** A subgraph body compiled to a function: parameters in, yielded values out. */
export type RegionFn = (args: readonly (Tensor | undefined)[]) => Tensor[];

export function invoke<A>(
  kernel: Kernel<A>,
  ctx: NodeCtx,
  inputs: readonly (Tensor | undefined)[],
  attrs: A,
  regions?: readonly RegionFn[],
): Tensor[] {
  let out: Tensor[];
  try {
    out = (kernel as (c: NodeCtx, i: readonly (Tensor | undefined)[], a: A, r?: readonly RegionFn[]) => Tensor[])(ctx, inputs, attrs, regions);
  } catch (e) {
    if (e instanceof Error && !e.message.startsWith('node "')) {
      const code = e instanceof RuntimeError ? e.code : 'MLR_ERR_KERNEL';
      throw new RuntimeError(code, `node ${JSON.stringify(ctx.name)}: ${e.message}`);
    }
    throw e;
  }
  for (let k = 0; k < out.length; k++) {
    const t = out[k];
    if (t === undefined) continue;
    if (t.type === 'float16') roundArrayToFloat16(t.data as Float32Array);
    else if (isLowpFloat(t.type)) roundArrayToLowp(t.type, t.data as Float32Array);
    else if (isLowpInt(t.type)) wrapArrayToLowpInt(t.type, t.data as Int8Array | Uint8Array);
  }
  return out;
}
