// The shape of one ONNX op registry entry. Adding an op = one entry in a family
// file of this folder + its kernel in runtime/ + tests. Opset ranges and type
// constraints are data, as in onnxruntime's op-resolve rules.

import type { DType, Kernel, Tensor } from '../../../../runtime/tensor/tensor.js';
import type { AttrValue } from '../../../ir/program.js';
import type { Dim, IrType } from '../../../ir/types.js';
import type { AttrReader } from '../attrs.js';

export interface KernelRef {
  /** Runtime module below runtime/, e.g. `tensor/elementwise`. */
  readonly module: string;
  /** The export name in that module. */
  readonly name: string;
  readonly fn: Kernel<never>;
}

/**
 * Binds a runtime module once per family file: `const k = kernelsOf('tensor/elementwise', elementwise)`,
 * then `kernel: k('add')`. A misspelt export fails when the registry loads.
 */
export function kernelsOf(module: string, ns: Record<string, unknown>): (name: string) => KernelRef {
  return (name: string) => {
    const fn = ns[name];
    if (typeof fn !== 'function') throw new Error(`runtime/${module} has no kernel export ${name}`);
    return { module, name, fn: fn as Kernel<never> };
  };
}

/** What an attribute normaliser sees besides the node's attributes. */
export interface AttrContext {
  /** The opset version of the node's domain in this model. */
  readonly opset: number;
  /** Types of the node's inputs (absent optional inputs: undefined). */
  readonly inputTypes: readonly (IrType | undefined)[];
  /** Values of inputs that are compile-time constants (initializers, Constant nodes, folded values). */
  readonly constInputs: readonly (Tensor | undefined)[];
  /** Number of outputs the node declares. */
  readonly outputCount: number;
}

export interface OpDef<A = Record<string, AttrValue>> {
  readonly op: string;
  /** '' for the default domain (ai.onnx); 'ai.onnx.ml', 'com.microsoft'... */
  readonly domain?: string;
  /** First opset version this entry implements. */
  readonly since: number;
  /** Last opset version (inclusive) it implements; open-ended when absent. */
  readonly until?: number;
  readonly kernel: KernelRef;
  /**
   * Type constraints by name, as in the ONNX schema: `{ T: FLOATS, I: ['int64'] }`.
   * `inputs`/`outputs` give each position's constraint name or a fixed DType;
   * the last entry repeats for variadic ops.
   */
  readonly constraints?: Readonly<Record<string, readonly DType[]>>;
  readonly inputs?: readonly string[];
  readonly outputs?: readonly string[];
  /** Input count bounds (defaults: inputs.length for both; variadic ops say so). */
  readonly minInputs?: number;
  readonly maxInputs?: number;
  /** Checks and normalises attributes at compile time into what the kernel receives. */
  readonly attrs?: (a: AttrReader, ctx: AttrContext) => A;
  /** Output types when they cannot be derived from the constraints (Cast's `to`). */
  readonly outputTypes?: (ctx: AttrContext, attrs: A) => readonly IrType[];
  /** Output shapes (static shape inference); null entries are unknown. */
  readonly shapes?: (inputShapes: readonly (readonly Dim[] | null)[], attrs: A, ctx: AttrContext) => readonly (readonly Dim[] | null)[];
  /**
   * Attributes holding subgraphs, in the order the kernel receives them as region
   * callbacks (If: then_branch, else_branch; Loop and Scan: body). A name ending
   * in '?' is optional: when the node lacks it, no region is passed for it.
   */
  readonly subgraphs?: readonly string[];
  /** Never constant-fold (random ops). */
  readonly impure?: boolean;
  /** The kernel may return an input's storage as an output (ctx.view/ctx.set): see Primitive.aliasesInputs. */
  readonly aliasesInputs?: boolean;
  /** Every output is a view of an input (Reshape, Identity...): see Primitive.outputsAreViews. */
  readonly outputsAreViews?: boolean;
}

/** Helper so family files get type checking for their attribute shape. */
export function op<A>(def: OpDef<A>): OpDef<A> {
  return def;
}

export type AnyOpDef = OpDef<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
export type { Kernel };
