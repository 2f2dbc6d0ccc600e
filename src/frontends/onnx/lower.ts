// Check + lower: the ONNX graph → an IR program. Each node becomes a primitive
// call; subgraphs (If/Loop/Scan bodies) become regions; initializers and
// Constant nodes become constants. Diagnostics name the file and the node.

import { createHash } from 'node:crypto';
import type { DType, Tensor } from '../../../runtime/tensor/tensor.js';
import { DiagnosticError, fail, withContext } from '../../diagnostics/diagnostic.js';
import { ProgramBuilder } from '../../ir/builder.js';
import type { Attrs, Program, Region, Stmt, ValueId } from '../../ir/program.js';
import { tensorType, UNKNOWN, type Dim, type IrType } from '../../ir/types.js';
import { AttrReader } from './attrs.js';
import { dtypeOf, typeName } from './dtypes.js';
import { findOp, MAX_OPSET, normDomain, primitiveName } from './ops/registry.js';
import type { AnyOpDef, AttrContext } from './ops/types.js';
import { toNumber, type OnnxNs } from './proto.js';
import { tensorFromProto, type TensorReadOptions } from './tensor-proto.js';
import { constantNodeValue } from './constant-node.js';
import { expandGradient } from './gradient.js';

export interface OnnxLowerOptions {
  /** The model file as the user named it (diagnostics, metadata). */
  readonly file: string;
  /** Directory for external data files. */
  readonly baseDir?: string;
  /** The model's raw bytes (for the fingerprint). */
  readonly bytes: Uint8Array;
  readonly name?: string;
}

/** Lexical scope of value names: subgraphs see their parents' values. */
class Scope {
  private readonly names = new Map<string, ValueId>();
  constructor(private readonly parent?: Scope) {}
  get(name: string): ValueId | undefined {
    return this.names.get(name) ?? this.parent?.get(name);
  }
  hasOwn(name: string): boolean {
    return this.names.has(name);
  }
  set(name: string, id: ValueId): void {
    this.names.set(name, id);
  }
}

export function lowerOnnx(model: OnnxNs.IModelProto, opts: OnnxLowerOptions): Program {
  const graph = model.graph;
  if (!graph) return fail('MLC2001', 'the model has no graph');
  const opsets = new Map<string, number>();
  for (const o of model.opsetImport ?? []) opsets.set(normDomain(o.domain ?? ''), toNumber(o.version));
  // IR version 1-2 models may omit opset_import; they mean opset 1.
  if (!opsets.has('')) opsets.set('', 1);
  for (const [domain, version] of opsets) {
    const max = MAX_OPSET[domain];
    if (max !== undefined && version > max) {
      fail('MLC3002', `opset ${version} of domain "${domain || 'ai.onnx'}" is newer than supported (≤ ${max}); re-export with an older opset`);
    }
  }
  const sha256 = createHash('sha256').update(opts.bytes).digest('hex');
  const name = opts.name ?? (graph.name || 'model');
  const b = new ProgramBuilder(name, 'onnx', { file: opts.file, sha256 });
  b.meta.irVersion = toNumber(model.irVersion);
  b.meta.producer = `${model.producerName ?? ''} ${model.producerVersion ?? ''}`.trim();
  b.meta.opsets = Object.fromEntries([...opsets].map(([d, v]) => [d || 'ai.onnx', v]));
  if (model.docString) b.meta.doc = model.docString;
  const functions = new Map<string, OnnxNs.IFunctionProto>();
  for (const f of model.functions ?? []) functions.set(`${normDomain(f.domain ?? '')}::${f.name ?? ''}`, f);
  if (functions.size > 0) b.meta.localFunctions = [...functions.keys()].sort();
  const lowerer = new GraphLowerer(b, opsets, opts.file, { baseDir: opts.baseDir }, functions);
  lowerer.lowerMain(graph);
  return b.build();
}

class GraphLowerer {
  /** Values known at compile time (initializers, Constant nodes). */
  private readonly constValues = new Map<ValueId, Tensor>();

  /** The node that produced each value name (for Gradient's backward walk). */
  private readonly producers = new Map<string, OnnxNs.INodeProto>();
  /** Local functions being inlined, innermost last (recursion guard). */
  private readonly inlining: string[] = [];

  constructor(
    private readonly b: ProgramBuilder,
    private opsets: ReadonlyMap<string, number>,
    private readonly file: string,
    private readonly tensorOpts: TensorReadOptions,
    private readonly functions: ReadonlyMap<string, OnnxNs.IFunctionProto> = new Map(),
  ) {}

  lowerMain(graph: OnnxNs.IGraphProto): void {
    const scope = new Scope();
    const body = this.b.body;
    const initNames = new Set((graph.initializer ?? []).map((t) => t.name ?? ''));
    this.lowerInitializers(graph, scope, body, 'graph');
    (graph.input ?? []).forEach((vi, k) => {
      const inputName = vi.name ?? '';
      if (initNames.has(inputName)) return; // an input with a default: treated as the constant
      withContext(this.file, `graph/input[${k}] ${JSON.stringify(inputName)}`, () => {
        const type = this.valueInfoType(vi, true);
        if (scope.hasOwn(inputName)) fail('MLC2006', `graph input ${JSON.stringify(inputName)} is defined twice`);
        const id = this.b.value(inputName, type);
        scope.set(inputName, id);
        this.b.inputs.push({ name: inputName, value: id, type, doc: vi.docString ?? undefined });
      });
    });
    this.lowerNodes(graph, scope, body, 'graph');
    (graph.output ?? []).forEach((vi, k) => {
      const outName = vi.name ?? '';
      withContext(this.file, `graph/output[${k}] ${JSON.stringify(outName)}`, () => {
        const id = scope.get(outName);
        if (id === undefined) fail('MLC2002', `graph output ${JSON.stringify(outName)} is not produced by any node, input or initializer`);
        const declared = this.valueInfoType(vi, false);
        const type = declared.kind === 'unknown' ? this.b.typeOf(id) : declared;
        this.b.outputs.push({ name: outName, value: id, type, doc: vi.docString ?? undefined });
      });
    });
  }

  private lowerInitializers(graph: OnnxNs.IGraphProto, scope: Scope, body: Stmt[], path: string): void {
    (graph.initializer ?? []).forEach((t, k) => {
      const initName = t.name ?? '';
      withContext(this.file, `${path}/initializer[${k}] ${JSON.stringify(initName)}`, () => {
        const tensor = tensorFromProto(t, this.tensorOpts);
        this.bindConstant(initName, tensor, scope, body, `initializer ${initName}`);
      });
    });
    if ((graph.sparseInitializer ?? []).length > 0) {
      fail('MLC3005', `${path} has sparse initializers, which are not supported yet`, path);
    }
  }

  private bindConstant(valueName: string, tensor: Tensor, scope: Scope, body: Stmt[], origin: string): ValueId {
    const type = tensorType(tensor.type, tensor.dims);
    const c = this.b.constant(valueName, type, tensor);
    const id = this.b.value(valueName, type);
    body.push({ kind: 'let', results: [id], expr: { kind: 'const', id: c }, origin });
    this.constValues.set(id, tensor);
    scope.set(valueName, id);
    return id;
  }

  /** The IR type of a graph input/output declaration. */
  private valueInfoType(vi: OnnxNs.IValueInfoProto, required: boolean): IrType {
    const t = vi.type;
    if (!t || (!t.tensorType && !t.sequenceType && !t.mapType && !t.optionalType)) {
      if (required) fail('MLC2008', `value ${JSON.stringify(vi.name)} has no type`);
      return UNKNOWN;
    }
    return this.typeFromProto(t, vi.name ?? '');
  }

  private typeFromProto(t: OnnxNs.ITypeProto, label: string): IrType {
    if (t.tensorType) {
      const code = t.tensorType.elemType ?? 0;
      const dtype = dtypeOf(code);
      if (dtype === undefined) fail('MLC3003', `value ${JSON.stringify(label)} has element type ${typeName(code)}, which is not supported yet`);
      const shape = t.tensorType.shape ? (t.tensorType.shape.dim ?? []).map(dimOf) : null;
      return tensorType(dtype, shape);
    }
    if (t.sequenceType) return { kind: 'sequence', elem: t.sequenceType.elemType ? this.typeFromProto(t.sequenceType.elemType, label) : UNKNOWN };
    if (t.optionalType) return { kind: 'optional', elem: t.optionalType.elemType ? this.typeFromProto(t.optionalType.elemType, label) : UNKNOWN };
    if (t.mapType) {
      const keyCode = t.mapType.keyType ?? 0;
      const keyType = dtypeOf(keyCode);
      if (keyType === undefined || keyType === 'bool' || keyType === 'float16' || keyType === 'float32' || keyType === 'float64') {
        fail('MLC3003', `map ${JSON.stringify(label)} has key type ${typeName(keyCode)}; ONNX map keys are integers or strings`);
      }
      const values = t.mapType.valueType ? this.typeFromProto(t.mapType.valueType, label) : UNKNOWN;
      return { kind: 'map', keys: tensorType(keyType, []), values };
    }
    return fail('MLC3004', `value ${JSON.stringify(label)} is a sparse tensor; sparse tensors are not supported in graph inputs and outputs yet`);
  }

  private lowerNodes(graph: OnnxNs.IGraphProto, scope: Scope, body: Stmt[], path: string): void {
    const nodes = graph.node ?? [];
    nodes.forEach((node, k) => {
      const nodePath = `${path}/node[${k}] ${JSON.stringify(node.name ?? '')} (${node.opType ?? '?'})`;
      withContext(this.file, nodePath, () => this.lowerNode(node, scope, body, nodePath));
    });
  }

  private lowerNode(node: OnnxNs.INodeProto, scope: Scope, body: Stmt[], nodePath: string): void {
    const opType = node.opType ?? '';
    const domain = normDomain(node.domain ?? '');
    const origin = `${node.name || (node.output ?? [])[0] || ''} (${opType})`;
    const reader = new AttrReader(node.attribute ?? [], this.tensorOpts);
    const outputs = node.output ?? [];
    if (domain === '' && opType === 'Constant') {
      if (outputs.length !== 1) fail('MLC2007', `Constant must have exactly one output, has ${outputs.length}`);
      this.bindConstant(outputs[0], constantNodeValue(reader), scope, body, origin);
      return;
    }
    if (domain === 'ai.onnx.preview.training' && opType === 'Gradient') {
      this.lowerGradient(node, scope, body, nodePath);
      return;
    }
    const local = this.functions.get(`${domain}::${opType}`);
    if (local !== undefined) {
      this.inlineFunction(local, node, scope, body, nodePath);
      return;
    }
    const opset = this.opsets.get(domain);
    if (opset === undefined) fail('MLC2003', `the node's domain "${domain}" is not imported by the model (opset_import)`);
    const found = findOp(domain, opType, opset);
    if (found.kind === 'unknown-op') {
      fail('MLC3001', `unsupported op ${domain ? domain + '.' : ''}${opType}`);
    }
    if (found.kind === 'unsupported-version') {
      const ranges = found.versions.map((v) => `${v.since}–${v.until ?? 'latest'}`).join(', ');
      fail('MLC3002', `${opType} at opset ${opset} is not supported (supported opset ranges: ${ranges})`);
    }
    const def = found.def;
    const inputNames = node.input ?? [];
    const args: (ValueId | null)[] = inputNames.map((n, i) => {
      if (n === '') return null;
      const id = scope.get(n);
      if (id === undefined) fail('MLC2002', `input ${i} names ${JSON.stringify(n)}, which no earlier node, graph input or initializer defines`);
      return id;
    });
    while (args.length > 0 && args[args.length - 1] === null) args.pop();
    const minIn = def.minInputs ?? def.inputs?.length ?? 0;
    const maxIn = def.maxInputs ?? def.inputs?.length ?? Infinity;
    if (args.length < minIn || args.length > maxIn) {
      fail('MLC2007', `${opType} takes ${minIn === maxIn ? minIn : `${minIn} to ${maxIn === Infinity ? 'any number of' : maxIn}`} inputs, got ${args.length}`);
    }
    const inputTypes = args.map((a) => (a === null ? undefined : this.b.typeOf(a)));
    const bound = checkConstraints(def, inputTypes);
    const ctx: AttrContext = {
      opset,
      inputTypes,
      constInputs: args.map((a) => (a === null ? undefined : this.constValues.get(a))),
      outputCount: outputs.length,
    };
    const attrs = (def.attrs ? def.attrs(reader, ctx) : {}) as Attrs;
    const outTypes = inferOutputTypes(def, bound, ctx, attrs, outputs.length);
    // Subgraph attributes become regions in the order the entry lists them; a name
    // ending in '?' is optional and, when absent, takes no region slot.
    const regions: Region[] = [];
    for (const spec of def.subgraphs ?? []) {
      const optional = spec.endsWith('?');
      const attrName = optional ? spec.slice(0, -1) : spec;
      const g = reader.graph(attrName, true);
      if (g === undefined) {
        if (optional) continue;
        fail('MLC2003', `required subgraph attribute "${attrName}" is missing`);
      }
      regions.push(this.lowerSubgraph(g, scope, `${nodePath}/${attrName}`));
    }
    const results = outputs.map((n, i) => {
      const id = this.b.value(n, outTypes[i] ?? UNKNOWN);
      if (n !== '') {
        if (scope.hasOwn(n)) fail('MLC2006', `output ${JSON.stringify(n)} is already defined by another node`);
        scope.set(n, id);
      }
      return id;
    });
    for (const n of outputs) if (n !== '') this.producers.set(n, node);
    const expr = { kind: 'call' as const, prim: primitiveName(def), args, attrs, ...(regions.length ? { regions } : {}) };
    body.push({ kind: 'let', results, expr, origin });
  }

  /** Gradient expands into ordinary nodes over the graph lowered so far (gradient.ts). */
  private lowerGradient(node: OnnxNs.INodeProto, scope: Scope, body: Stmt[], nodePath: string): void {
    const nodes = expandGradient(node, {
      producerOf: (name) => this.producers.get(name),
      typeOf: (name) => {
        const id = scope.get(name);
        const t = id === undefined ? undefined : this.b.typeOf(id);
        return t && t.kind === 'tensor' ? { dtype: t.dtype, shape: t.shape } : undefined;
      },
    });
    nodes.forEach((n, k) => {
      const path = `${nodePath}/expanded[${k}] (${n.opType})`;
      withContext(this.file, path, () => this.lowerNode(n, scope, body, path));
    });
  }

  /**
   * A call of a model-local function (ModelProto.functions) is inlined: the body's
   * nodes are lowered in a fresh scope where the function's formal inputs name the
   * caller's values, attributes referenced with ref_attr_name take the caller's
   * values, and the body uses the function's own opset imports.
   */
  private inlineFunction(f: OnnxNs.IFunctionProto, call: OnnxNs.INodeProto, scope: Scope, body: Stmt[], nodePath: string): void {
    const key = `${f.domain ?? ''}::${f.name ?? ''}`;
    if (this.inlining.includes(key)) fail('MLC2003', `local function ${JSON.stringify(f.name)} calls itself (recursion is not allowed)`);
    const callerAttrs = new Map((call.attribute ?? []).map((a) => [a.name ?? '', a]));
    const inner = new Scope();
    (f.input ?? []).forEach((formal, i) => {
      const actual = (call.input ?? [])[i];
      if (actual === undefined || actual === '') return; // an omitted optional input stays undefined
      const id = scope.get(actual);
      if (id === undefined) fail('MLC2002', `input ${i} names ${JSON.stringify(actual)}, which is not defined`);
      inner.set(formal, id);
    });
    const opsets = new Map(this.opsets);
    for (const o of f.opsetImport ?? []) opsets.set(normDomain(o.domain ?? ''), toNumber(o.version));
    const saved = this.opsets;
    this.opsets = opsets;
    this.inlining.push(key);
    try {
      (f.node ?? []).forEach((n, k) => {
        const attrs = (n.attribute ?? []).flatMap((a) => {
          if (!a.refAttrName) return [a];
          const given = callerAttrs.get(a.refAttrName);
          return given ? [{ ...given, name: a.name }] : []; // absent: the op's default applies
        });
        const inlined = { ...n, attribute: attrs };
        const path = `${nodePath}/function ${JSON.stringify(f.name)}/node[${k}] ${JSON.stringify(n.name ?? '')} (${n.opType ?? '?'})`;
        withContext(this.file, path, () => this.lowerNode(inlined, inner, body, path));
      });
    } finally {
      this.opsets = saved;
      this.inlining.pop();
    }
    (call.output ?? []).forEach((actual, k) => {
      if (actual === '') return;
      const formal = (f.output ?? [])[k];
      const id = formal === undefined ? undefined : inner.get(formal);
      if (id === undefined) fail('MLC2002', `local function ${JSON.stringify(f.name)} does not produce its output ${k}`);
      if (scope.hasOwn(actual)) fail('MLC2006', `output ${JSON.stringify(actual)} is already defined by another node`);
      scope.set(actual, id);
    });
  }

  private lowerSubgraph(g: OnnxNs.IGraphProto, parent: Scope, path: string): Region {
    const scope = new Scope(parent);
    const body: Stmt[] = [];
    this.lowerInitializers(g, scope, body, path);
    const params = (g.input ?? []).map((vi) => {
      const known = vi.type && (vi.type.tensorType || vi.type.sequenceType || vi.type.optionalType || vi.type.mapType);
      const type = known ? this.typeFromProto(vi.type as OnnxNs.ITypeProto, vi.name ?? '') : UNKNOWN;
      const id = this.b.value(vi.name ?? '', type);
      scope.set(vi.name ?? '', id);
      return id;
    });
    this.lowerNodes(g, scope, body, path);
    const yields = (g.output ?? []).map((vi, k) => {
      const id = scope.get(vi.name ?? '');
      if (id === undefined) fail('MLC2002', `${path}: subgraph output[${k}] ${JSON.stringify(vi.name)} is not defined`);
      return id;
    });
    return { params, body, yields };
  }
}

function dimOf(d: OnnxNs.TensorShapeProto.IDimension): Dim {
  if (d.dimParam) return d.dimParam;
  if (d.dimValue !== null && d.dimValue !== undefined) {
    const v = toNumber(d.dimValue);
    return v >= 0 ? v : null;
  }
  return null;
}

/** Checks inputs against the entry's type constraints; returns the bound constraint → type map. */
function checkConstraints(def: AnyOpDef, inputTypes: readonly (IrType | undefined)[]): Map<string, DType> {
  const bound = new Map<string, DType>();
  const specs = def.inputs ?? [];
  if (specs.length === 0) return bound;
  inputTypes.forEach((t, i) => {
    if (t === undefined || t.kind !== 'tensor') return;
    const spec = specs[Math.min(i, specs.length - 1)];
    const allowed = def.constraints?.[spec];
    if (allowed === undefined) {
      if (spec !== '*' && spec !== t.dtype) fail('MLC2005', `${def.op} input ${i} must be ${spec}, got ${t.dtype}`);
      return;
    }
    if (!allowed.includes(t.dtype)) {
      fail('MLC3003', `${def.op} input ${i} has element type ${t.dtype}; supported for ${spec}: ${allowed.join(', ')}`);
    }
    const prev = bound.get(spec);
    if (prev !== undefined && prev !== t.dtype) fail('MLC2005', `${def.op} inputs bound to ${spec} disagree: ${prev} and ${t.dtype}`);
    bound.set(spec, t.dtype);
  });
  return bound;
}

function inferOutputTypes(def: AnyOpDef, bound: Map<string, DType>, ctx: AttrContext, attrs: Attrs, count: number): IrType[] {
  let types: IrType[];
  if (def.outputTypes) types = def.outputTypes(ctx, attrs).slice();
  else {
    const specs = def.outputs ?? [];
    types = [];
    for (let i = 0; i < count; i++) {
      const spec = specs[Math.min(i, specs.length - 1)];
      if (spec === undefined) { types.push(UNKNOWN); continue; }
      const dtype = def.constraints?.[spec] !== undefined ? bound.get(spec) : (spec as DType);
      types.push(dtype === undefined || spec === '*' ? UNKNOWN : tensorType(dtype, null));
    }
  }
  if (def.shapes) {
    try {
      const shapes = def.shapes(ctx.inputTypes.map((t) => (t && t.kind === 'tensor' ? t.shape : null)), attrs, ctx);
      types = types.map((t, i) => (t.kind === 'tensor' && shapes[i] ? tensorType(t.dtype, shapes[i]) : t));
    } catch (e) {
      if (e instanceof DiagnosticError) throw e;
      // Shape inference is best effort: an unexpected failure leaves shapes unknown.
    }
  }
  return types;
}
