// The program: inputs, outputs, constants, state, and a body of statements.
// Expressions are calls of primitives (src/primitives) on values. Values are
// referenced by numeric id; their names and types live in one table.

import type { Tensor } from '../../runtime/tensor/tensor.js';
import type { IrType } from './types.js';

export type ValueId = number;
export type ConstId = number;

export interface ValueInfo {
  readonly id: ValueId;
  /** The source name (ONNX value name, PMML field, PFA symbol): data, never code. */
  readonly name: string;
  readonly type: IrType;
}

export interface Constant {
  readonly id: ConstId;
  readonly name: string;
  readonly type: IrType;
  /** Tensor constants hold the runtime tensor; other formats may hold plain JSON values. */
  readonly value: Tensor | JsonValue;
}

export type JsonValue = null | boolean | number | string | readonly JsonValue[] | { readonly [k: string]: JsonValue };

/** Attribute values after the front end has checked and normalised them. */
export type AttrValue = JsonValue | Tensor | { readonly kind: 'const'; readonly id: ConstId };
export type Attrs = { readonly [name: string]: AttrValue };

/** A nested body (ONNX subgraph, PFA function body): parameters, statements, yielded values. */
export interface Region {
  readonly params: readonly ValueId[];
  readonly body: readonly Stmt[];
  readonly yields: readonly ValueId[];
}

export type Expr =
  | { readonly kind: 'const'; readonly id: ConstId }
  | { readonly kind: 'value'; readonly id: ValueId }
  /** A primitive call; null args are absent optional operands. */
  | {
      readonly kind: 'call';
      readonly prim: string;
      readonly args: readonly (ValueId | null)[];
      readonly attrs: Attrs;
      readonly regions?: readonly Region[];
    };

export type Stmt =
  /** Binds the results of an expression. `origin` names the source node/element. */
  | { readonly kind: 'let'; readonly results: readonly ValueId[]; readonly expr: Expr; readonly origin?: string }
  | { readonly kind: 'set'; readonly target: ValueId; readonly value: ValueId }
  | { readonly kind: 'if'; readonly cond: ValueId; readonly then: readonly Stmt[]; readonly else: readonly Stmt[] }
  | { readonly kind: 'while'; readonly cond: ValueId; readonly body: readonly Stmt[] }
  | { readonly kind: 'emit'; readonly value: ValueId }
  | { readonly kind: 'raise'; readonly code: string; readonly message: string }
  | { readonly kind: 'return'; readonly values: readonly ValueId[] };

/** PFA cells and pools: state that persists across calls. */
export interface StateDecl {
  readonly name: string;
  readonly kind: 'cell' | 'pool';
  readonly type: IrType;
  readonly init: JsonValue;
  readonly shared: boolean;
}

export interface Param {
  /** The public name (CONTRACT §2). */
  readonly name: string;
  readonly value: ValueId;
  readonly type: IrType;
  readonly doc?: string;
}

export interface Program {
  readonly name: string;
  readonly format: 'onnx' | 'pmml' | 'pfa';
  readonly source: { readonly file: string; readonly sha256: string };
  readonly inputs: readonly Param[];
  readonly outputs: readonly Param[];
  readonly values: readonly ValueInfo[];
  readonly constants: readonly Constant[];
  readonly state: readonly StateDecl[];
  readonly body: readonly Stmt[];
  /** Free-form facts a generator may show (producer, opsets, model version). */
  readonly meta: { readonly [k: string]: JsonValue };
}
