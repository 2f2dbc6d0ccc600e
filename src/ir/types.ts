// IR types: one vocabulary for ONNX tensors, PMML fields and PFA's Avro types.
// Plain readonly data (discriminated unions), so it prints and compares trivially.

import type { DType } from '../../runtime/tensor/tensor.js';
export type { DType };

/** A dimension: a number when static, a name when symbolic, null when unknown. */
export type Dim = number | string | null;

/** Scalar element kinds of PMML fields and PFA primitives. */
export type ScalarKind = 'bool' | 'int32' | 'int64' | 'float32' | 'float64' | 'string' | 'bytes' | 'null';

export type IrType =
  | { readonly kind: 'tensor'; readonly dtype: DType; readonly shape: readonly Dim[] | null }
  /** `missing`: PMML's explicit missing state (null at run time). */
  | { readonly kind: 'scalar'; readonly dtype: ScalarKind; readonly missing: boolean }
  | { readonly kind: 'record'; readonly name: string; readonly fields: readonly { readonly name: string; readonly type: IrType }[] }
  | { readonly kind: 'array'; readonly items: IrType }
  | { readonly kind: 'map'; readonly keys: IrType; readonly values: IrType }
  | { readonly kind: 'union'; readonly types: readonly IrType[] }
  | { readonly kind: 'enum'; readonly name: string; readonly symbols: readonly string[] }
  | { readonly kind: 'fixed'; readonly name: string; readonly size: number }
  /** ONNX sequences and optionals. */
  | { readonly kind: 'sequence'; readonly elem: IrType }
  | { readonly kind: 'optional'; readonly elem: IrType }
  | { readonly kind: 'unknown' };

export const UNKNOWN: IrType = { kind: 'unknown' };

export function tensorType(dtype: DType, shape: readonly Dim[] | null): IrType {
  return { kind: 'tensor', dtype, shape };
}

export function printType(t: IrType): string {
  switch (t.kind) {
    case 'tensor':
      return `tensor<${t.dtype}${t.shape === null ? ', ?' : t.shape.length === 0 ? '' : ', ' + t.shape.map(printDim).join('x')}>`;
    case 'scalar': return t.missing ? `${t.dtype}?` : t.dtype;
    case 'record': return `record ${t.name}{${t.fields.map((f) => `${JSON.stringify(f.name)}: ${printType(f.type)}`).join(', ')}}`;
    case 'array': return `array<${printType(t.items)}>`;
    case 'map': return `map<${printType(t.keys)}, ${printType(t.values)}>`;
    case 'union': return `union<${t.types.map(printType).join(' | ')}>`;
    case 'enum': return `enum ${t.name}{${t.symbols.join(', ')}}`;
    case 'fixed': return `fixed ${t.name}[${t.size}]`;
    case 'sequence': return `seq<${printType(t.elem)}>`;
    case 'optional': return `optional<${printType(t.elem)}>`;
    case 'unknown': return '?';
  }
}

function printDim(d: Dim): string {
  return d === null ? '?' : typeof d === 'number' ? String(d) : JSON.stringify(d);
}

export function sameType(a: IrType, b: IrType): boolean {
  return printType(a) === printType(b);
}
