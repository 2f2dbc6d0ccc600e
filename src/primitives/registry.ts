// Primitives: what an IR call means. A primitive names the runtime kernel that
// implements it (module + export), so the module generator can import exactly
// that kernel and the constant folder can call the very same function.

import type { Kernel } from '../../runtime/tensor/tensor.js';

export interface Primitive {
  /** `tensor.add`, `tensor.conv`: `<runtime module>.<export>`. */
  readonly name: string;
  /** Runtime module path below runtime/, without extension: `tensor/elementwise`. */
  readonly module: string;
  /** The module's export that implements it. */
  readonly exportName: string;
  readonly kernel: Kernel<never>;
  /** True when the kernel takes region callbacks (If, Loop, Scan). */
  readonly regions?: boolean;
  /** True when repeated calls may differ for equal inputs (random ops): never folded. */
  readonly impure?: boolean;
  /**
   * True when the kernel may return storage of its inputs as an output (ctx.view or
   * ctx.set of an input's data: Reshape, Identity, Cast to the same type...). The
   * buffer planner then keeps those inputs live as long as the outputs.
   */
  readonly aliasesInputs?: boolean;
  /**
   * True when every tensor output is a view of an input (Reshape, Flatten, Squeeze,
   * Unsqueeze, Identity): implies aliasesInputs, and the buffer planner reserves no
   * arena bytes for the outputs, which never allocate.
   */
  readonly outputsAreViews?: boolean;
}

const primitives = new Map<string, Primitive>();

export function definePrimitive(p: Primitive): Primitive {
  const prev = primitives.get(p.name);
  if (prev !== undefined && prev.kernel !== p.kernel) throw new Error(`primitive ${p.name} is defined twice with different kernels`);
  // Several registry entries (opset ranges) share one kernel: any of them saying it aliases is enough.
  const merged = prev?.aliasesInputs === true && p.aliasesInputs !== true ? { ...p, aliasesInputs: true } : p;
  // Likewise, not reserving arena bytes is only right when every entry says its outputs are views.
  if (prev !== undefined && prev.outputsAreViews !== merged.outputsAreViews) throw new Error(`primitive ${p.name}: entries disagree on outputsAreViews`);
  primitives.set(p.name, merged);
  return merged;
}

export function lookupPrimitive(name: string): Primitive | undefined {
  return primitives.get(name);
}

export function allPrimitives(): Primitive[] {
  return [...primitives.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
