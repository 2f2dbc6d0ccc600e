// Typed access to a node's attributes. Every getter checks the attribute's type
// and throws MLC2003 naming the attribute, so op entries stay one-liners.

import type { Tensor } from '../../../runtime/tensor/tensor.js';
import { fail } from '../../diagnostics/diagnostic.js';
import { toNumber, type OnnxNs } from './proto.js';
import { tensorFromProto, type TensorReadOptions } from './tensor-proto.js';

// AttributeProto.AttributeType codes.
const FLOAT = 1, INT = 2, STRING = 3, TENSOR = 4, GRAPH = 5, FLOATS = 6, INTS = 7, STRINGS = 8, TENSORS = 9, GRAPHS = 10;
const TYPE_NAMES: Record<number, string> = {
  1: 'float', 2: 'int', 3: 'string', 4: 'tensor', 5: 'graph', 6: 'floats', 7: 'ints', 8: 'strings', 9: 'tensors', 10: 'graphs',
  11: 'sparse_tensor', 12: 'sparse_tensors', 13: 'type_proto', 14: 'type_protos',
};

const decoder = new TextDecoder();

export class AttrReader {
  private readonly byName = new Map<string, OnnxNs.IAttributeProto>();
  private readonly used = new Set<string>();

  constructor(attrs: readonly OnnxNs.IAttributeProto[], private readonly tensorOpts: TensorReadOptions = {}) {
    for (const a of attrs) this.byName.set(a.name ?? '', a);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  names(): string[] {
    return [...this.byName.keys()];
  }

  private get(name: string, type: number): OnnxNs.IAttributeProto | undefined {
    const a = this.byName.get(name);
    if (a === undefined) return undefined;
    this.used.add(name);
    const actual = a.type ?? inferType(a);
    if (actual !== type) fail('MLC2003', `attribute "${name}" must be of type ${TYPE_NAMES[type]}, got ${TYPE_NAMES[actual] ?? actual}`);
    return a;
  }

  private required(name: string): never {
    return fail('MLC2003', `required attribute "${name}" is missing`);
  }

  int(name: string, def?: number): number {
    const a = this.get(name, INT);
    if (a === undefined) return def ?? this.required(name);
    return toNumber(a.i);
  }

  float(name: string, def?: number): number {
    const a = this.get(name, FLOAT);
    if (a === undefined) return def ?? this.required(name);
    return a.f ?? 0;
  }

  string(name: string, def?: string): string {
    const a = this.get(name, STRING);
    if (a === undefined) return def ?? this.required(name);
    return decoder.decode(a.s ?? new Uint8Array());
  }

  /** A 0/1 integer attribute as a boolean; any other value is invalid. */
  flag(name: string, def: 0 | 1 = 0): boolean {
    const v = this.int(name, def);
    if (v !== 0 && v !== 1) fail('MLC2003', `attribute "${name}" must be 0 or 1, got ${v}`);
    return v === 1;
  }

  /** A string attribute restricted to the values the op defines. */
  oneOf<T extends string>(name: string, allowed: readonly T[], def?: T): T {
    const v = this.string(name, def);
    if (!(allowed as readonly string[]).includes(v)) {
      fail('MLC2003', `attribute "${name}" must be one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
    }
    return v as T;
  }

  ints(name: string, def?: readonly number[]): number[] {
    const a = this.get(name, INTS);
    if (a === undefined) return def !== undefined ? def.slice() : this.required(name);
    return (a.ints ?? []).map((v) => toNumber(v));
  }

  floats(name: string, def?: readonly number[]): number[] {
    const a = this.get(name, FLOATS);
    if (a === undefined) return def !== undefined ? def.slice() : this.required(name);
    return (a.floats ?? []).slice();
  }

  strings(name: string, def?: readonly string[]): string[] {
    const a = this.get(name, STRINGS);
    if (a === undefined) return def !== undefined ? def.slice() : this.required(name);
    return (a.strings ?? []).map((b) => decoder.decode(b));
  }

  tensor(name: string): Tensor;
  tensor(name: string, optional: true): Tensor | undefined;
  tensor(name: string, optional = false): Tensor | undefined {
    const a = this.get(name, TENSOR);
    if (a === undefined) return optional ? undefined : this.required(name);
    return tensorFromProto(a.t ?? {}, this.tensorOpts);
  }

  tensors(name: string): Tensor[] {
    const a = this.get(name, TENSORS);
    if (a === undefined) return this.required(name);
    return (a.tensors ?? []).map((t) => tensorFromProto(t, this.tensorOpts));
  }

  graph(name: string): OnnxNs.IGraphProto;
  graph(name: string, optional: true): OnnxNs.IGraphProto | undefined;
  graph(name: string, optional = false): OnnxNs.IGraphProto | undefined {
    const a = this.get(name, GRAPH);
    if (a === undefined) return optional ? undefined : this.required(name);
    return a.g ?? {};
  }

  graphs(name: string): OnnxNs.IGraphProto[] {
    const a = this.get(name, GRAPHS);
    return a?.graphs ?? [];
  }

  /** The raw attribute type code (for ops such as Constant that accept one of several). */
  typeOf(name: string): number | undefined {
    const a = this.byName.get(name);
    return a === undefined ? undefined : (a.type ?? inferType(a));
  }
}

/** Old models sometimes omit AttributeProto.type; infer it from the populated field. */
function inferType(a: OnnxNs.IAttributeProto): number {
  if (a.g) return GRAPH;
  if (a.t) return TENSOR;
  if (a.s && a.s.length) return STRING;
  if (a.floats && a.floats.length) return FLOATS;
  if (a.ints && a.ints.length) return INTS;
  if (a.strings && a.strings.length) return STRINGS;
  if (a.tensors && a.tensors.length) return TENSORS;
  if (a.graphs && a.graphs.length) return GRAPHS;
  if (a.f) return FLOAT;
  return INT;
}
