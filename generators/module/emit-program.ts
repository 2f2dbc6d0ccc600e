// IR program → model.ts: readable TypeScript that imports runtime kernels
// (bundled and tree-shaken into model.mjs/model.cjs by ./bundle.ts).
// Layout of the output: header, imports, metadata, constants, per-node
// contexts/attributes/input slots, then run() with one commented line per node.

import { float32ToFloat16Bits as f16bits } from '../../runtime/tensor/float16.js';
import { lowpToStorage } from '../../runtime/tensor/lowp.js';
import { isLowpFloat, isLowpInt, type Tensor } from '../../runtime/tensor/tensor.js';
import type { AttrValue, Attrs, Program, Region, Stmt, ValueId } from '../../src/ir/program.js';
import { printType, type IrType } from '../../src/ir/types.js';
import { lookupPrimitive, type Primitive } from '../../src/primitives/registry.js';
import { CodeWriter, comment, literal, str } from '../code-writer.js';
import { isCodeAttr, producesFreshValues, specializeAttrs } from './specializers.js';
import { COMPILER_NAME, COMPILER_VERSION } from '../../src/version.js';
import { planBuffers, type BufferPlan } from '../../src/passes/buffer-plan.js';

export interface ModuleOptions {
  /** Model version recorded in metadata. */
  readonly version?: string;
  /**
   * Kernel backend of ONNX modules: 'auto' (default) uses the WebAssembly SIMD
   * kernels where the host supports them, 'js' always the JavaScript kernels.
   */
  readonly kernels?: 'auto' | 'js';
  /**
   * Buffer planning (default true): activations with static shapes share one arena
   * by liveness (src/passes/buffer-plan.ts). false gives every value its own buffer.
   */
  readonly bufferPlan?: boolean;
}

export interface FieldSpec {
  readonly name: string;
  readonly type: string;
  readonly shape: readonly (number | string | null)[] | null;
}

export function fieldSpec(name: string, t: IrType): FieldSpec {
  if (t.kind === 'tensor') return { name, type: t.dtype, shape: t.shape };
  return { name, type: printType(t), shape: null };
}

export function moduleMetadata(p: Program, opts: ModuleOptions): Record<string, unknown> {
  return {
    name: p.name,
    version: opts.version ?? '1',
    format: p.format,
    source: { file: p.source.file, sha256: p.source.sha256 },
    compiler: { name: COMPILER_NAME, version: COMPILER_VERSION },
    inputs: p.inputs.map((i) => fieldSpec(i.name, i.type)),
    outputs: p.outputs.map((o) => fieldSpec(o.name, o.type)),
  };
}

/** The runtime description of a sequence/optional input type (see readValue). */
function valueSpec(t: IrType): unknown {
  if (t.kind === 'sequence') return { kind: 'sequence', elem: valueSpec(t.elem) };
  if (t.kind === 'optional') return { kind: 'optional', elem: valueSpec(t.elem) };
  if (t.kind === 'tensor') return { kind: 'tensor', type: t.dtype, dims: t.shape ? t.shape.map((d) => (typeof d === 'number' ? d : -1)) : null };
  if (t.kind === 'map') {
    const scalar = (x: IrType): string => (x.kind === 'tensor' && x.dtype === 'string' ? 'string' : 'number');
    return { kind: 'map', keys: scalar(t.keys), values: scalar(t.values) };
  }
  return { kind: 'tensor', type: null, dims: null };
}

/** Base64 of constant bytes; Node's encoder (compile time only) is fast on large weights. */
function base64Of(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

function isTensor(v: unknown): v is Tensor {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && 'dims' in v && 'data' in v && 'type' in v;
}

/** The little-endian bytes of a tensor's data, in the public (boundary) encoding. */
function tensorBytes(t: Tensor): Uint8Array {
  const d = t.data;
  if (t.type === 'float16') {
    const src = d as Float32Array;
    const bits = new Uint16Array(src.length);
    // Re-encode exactly: values were decoded from binary16 and stay representable.
    for (let i = 0; i < src.length; i++) bits[i] = f16bits(src[i]);
    return new Uint8Array(bits.buffer);
  }
  // bfloat16/float8 bit patterns, sub-byte types packed as in ONNX (constTensor decodes).
  if (isLowpFloat(t.type) || isLowpInt(t.type)) return lowpToStorage(t.type, d as Float32Array | Int8Array | Uint8Array);
  const v = d as Exclude<typeof d, string[]>;
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}


class ModuleEmitter {
  private readonly w = new CodeWriter();
  private readonly imports = new Map<string, Set<string>>();
  private readonly valueNames = new Map<ValueId, string>();
  private readonly decls: string[] = [];
  private readonly constNames = new Map<number, string>();
  /** Values bound directly to a module-level constant. */
  private readonly constValued = new Set<ValueId>();
  /** Values a kernel builds anew on every call (producesFreshValues): returned without a copy. */
  private readonly freshValues = new Set<ValueId>();
  /** Where each planned value lives in the arena, and the arena's identifier. */
  private readonly plan: BufferPlan | undefined;
  private arenaName = '';

  constructor(private readonly p: Program, private readonly opts: ModuleOptions) {
    this.w.reserve('run', 'predict', 'predictBatch', 'metadata', 'feeds', 'Feeds', 'Results', 'TensorInput', 'TensorOutput', 'Tensor');
    this.plan = opts.bufferPlan === false ? undefined : planBuffers(p);
  }

  private use(module: string, name: string): string {
    const set = this.imports.get(module) ?? new Set<string>();
    set.add(name);
    this.imports.set(module, set);
    this.w.reserve(name);
    return name;
  }

  emit(): string {
    const p = this.p;
    // Reserve every runtime name first so model-derived identifiers never shadow them.
    this.use('tensor/tensor', 'NodeCtx');
    this.use('tensor/invoke', 'invoke');
    this.use('io/feeds', 'readFeed');
    this.use('io/feeds', 'writeResult');
    const backend = this.use('wasm/kernels', 'kernelBackend');
    const forceJs = this.opts.kernels === 'js' ? this.use('wasm/kernels', 'setKernelBackend') : undefined;
    this.collectPrimitives(p.body);
    if (this.plan !== undefined && this.plan.arenaBytes > 0) {
      this.arenaName = this.w.ident('arena', 'arena');
      const { arenaBytes, plannedBytes, values } = this.plan;
      this.decls.push(`// Buffer plan: ${values.length} activations share one arena of ${arenaBytes} bytes by liveness (${plannedBytes} bytes with a buffer each).`);
      this.decls.push(`const ${this.arenaName} = new ArrayBuffer(${arenaBytes});`);
    }
    const runBody = new CodeWriter();
    this.emitRun(runBody);

    const out = new CodeWriter();
    out.line(`// Generated by ${COMPILER_NAME} ${COMPILER_VERSION} from ${comment(p.source.file)} (sha256 ${p.source.sha256}). Do not edit.`);
    out.line(`// Model ${comment(JSON.stringify(p.name))}, format ${p.format}.`);
    out.line('/* eslint-disable */');
    for (const [module, names] of [...this.imports].sort(([a], [b]) => (a < b ? -1 : 1))) {
      const list = [...names].sort();
      out.line(`import { ${list.join(', ')} } from ${str(`./runtime/${module}.js`)};`);
    }
    out.line(`import type { Tensor } from ${str('./runtime/tensor/tensor.js')};`);
    out.line();
    // backend is a getter: it reports the kernels calls use right now (see runtime/wasm/kernels.ts).
    const fixed = literal(moduleMetadata(p, this.opts));
    out.line(`export const metadata = { ...${fixed}, get backend() { return ${backend}(); } } as const;`);
    if (forceJs !== undefined) out.line(`${forceJs}('js');`);
    out.line();
    out.line('/** A tensor as callers pass it (CONTRACT §2): typed array or plain array data. */');
    out.line('export interface TensorInput { type: string; dims: readonly number[]; data: ArrayLike<unknown> }');
    out.line('export interface TensorOutput { type: string; dims: number[]; data: Tensor["data"] | Uint16Array }');
    out.block('export interface Feeds', () => {
      for (const i of p.inputs) out.line(`${str(i.name)}: TensorInput; // ${comment(printType(i.type))}`);
    });
    out.block('export interface Results', () => {
      for (const o of p.outputs) out.line(`${str(o.name)}: TensorOutput; // ${comment(printType(o.type))}`);
    });
    out.line();
    for (const d of this.decls) out.line(d);
    out.line();
    const text = out.toString() + runBody.toString();
    return text +
      '\nexport const predict = run;\n\n' +
      '/** Scores each feed in turn; results are independent objects. */\n' +
      'export function predictBatch(inputs: readonly Feeds[]): Results[] {\n' +
      '  const results: Results[] = [];\n' +
      '  for (const feeds of inputs) results.push(run(feeds));\n' +
      '  return results;\n' +
      '}\n';
  }

  private collectPrimitives(body: readonly Stmt[]): void {
    for (const s of body) {
      if (s.kind === 'let' && s.expr.kind === 'call') {
        const prim = this.primitive(s.expr.prim);
        this.use(prim.module, prim.exportName);
        for (const r of s.expr.regions ?? []) this.collectPrimitives(r.body);
      }
    }
  }

  private primitive(name: string): Primitive {
    const prim = lookupPrimitive(name);
    if (prim === undefined) throw new Error(`no primitive named ${name}`);
    return prim;
  }

  /** The module-level identifier of an IR constant, declared on first use. */
  private constName(id: number): string {
    let name = this.constNames.get(id);
    if (name === undefined) {
      const c = this.p.constants[id];
      name = this.constant(c.name, c.value as Tensor, 'w');
      this.constNames.set(id, name);
    }
    return name;
  }

  /** Declares a module-level constant tensor and returns its identifier. */
  private constant(name: string, t: Tensor, prefix: string): string {
    const id = this.w.ident(`${prefix}_${name}`, prefix);
    const dims = literal(t.dims);
    const what = `// ${comment(name)} ${t.type}[${t.dims.join(',')}]`;
    if (t.type === 'string') {
      this.use('io/feeds', 'stringTensor');
      this.decls.push(`const ${id} = stringTensor(${dims}, ${literal(t.data)}); ${what}`);
    } else {
      this.use('io/feeds', 'constTensor');
      this.decls.push(`const ${id} = constTensor(${str(t.type)}, ${dims}, ${str(base64Of(tensorBytes(t)))}); ${what}`);
    }
    return id;
  }

  private attrLiteral(attrs: Attrs, nodeName: string): string {
    const parts: string[] = [];
    for (const [k, v] of Object.entries(attrs)) parts.push(`${str(k)}: ${this.attrValue(v, `${nodeName}.${k}`)}`);
    return parts.length ? `{ ${parts.join(', ')} }` : '{}';
  }

  private attrValue(v: AttrValue, label: string): string {
    if (isTensor(v)) return this.constant(label, v, 'w');
    if (Array.isArray(v)) return `[${v.map((x, i) => this.attrValue(x as AttrValue, `${label}_${i}`)).join(', ')}]`;
    if (isCodeAttr(v)) return v.source;
    if (v !== null && typeof v === 'object') {
      const o = v as Record<string, AttrValue>;
      if (o.kind === 'const' && typeof o.id === 'number') return this.constName(o.id);
      return `{ ${Object.entries(o).map(([k, x]) => `${str(k)}: ${this.attrValue(x, `${label}_${k}`)}`).join(', ')} }`;
    }
    return literal(v);
  }

  private valueName(id: ValueId): string {
    const name = this.valueNames.get(id);
    if (name === undefined) throw new Error(`value %${id} has no generated name`);
    return name;
  }

  private bindValue(id: ValueId): string {
    const name = this.w.ident(this.p.values[id].name, 'v');
    this.valueNames.set(id, name);
    return name;
  }

  private emitRun(w: CodeWriter): void {
    const p = this.p;
    w.line('/** Scores one feed. Outputs are fresh copies owned by the caller. */');
    w.block('export function run(feeds: Feeds): Results', () => {
      for (const i of p.inputs) {
        const name = this.bindValue(i.value);
        const t = i.type;
        if (t.kind === 'sequence' || t.kind === 'optional' || t.kind === 'map') {
          this.use('io/feeds', 'readValue');
          w.line(`const ${name} = readValue(feeds[${str(i.name)}], ${str(i.name)}, ${literal(valueSpec(t))}) as unknown as Tensor;`);
          continue;
        }
        const dtype = t.kind === 'tensor' ? t.dtype : 'float32';
        const shape = t.kind === 'tensor' && t.shape ? t.shape.map((d) => (typeof d === 'number' ? d : -1)) : [];
        // The expected shape is a module-level constant: no array literal allocated per call.
        const shapeName = this.w.ident(`shape_${i.name}`, 's');
        this.decls.push(`const ${shapeName}: readonly number[] = ${literal(shape)};`);
        w.line(`const ${name} = readFeed(feeds[${str(i.name)}], ${str(i.name)}, ${str(dtype)}, ${shapeName});`);
      }
      this.emitBody(w, p.body, false);
      const handedOut = new Set<ValueId>();
      const writers = p.outputs.map((o) => {
        if (this.freshValues.has(o.value) && !handedOut.has(o.value)) {
          // Built anew by this call and referenced nowhere else once returned: the caller may own it as is.
          handedOut.add(o.value);
          return `${str(o.name)}: ${this.valueName(o.value)} as unknown as TensorOutput`;
        }
        const plain = o.type.kind === 'tensor';
        if (!plain) this.use('io/feeds', 'writeValue');
        return `${str(o.name)}: ${plain ? 'writeResult' : 'writeValue'}(${this.valueName(o.value)})${plain ? '' : ' as TensorOutput'}`;
      });
      w.line(`return { ${writers.join(', ')} };`);
    });
  }

  private emitBody(w: CodeWriter, body: readonly Stmt[], inRegion: boolean): void {
    for (const s of body) {
      if (s.kind !== 'let') throw new Error(`statement kind ${s.kind} is not emitted for ONNX programs yet`);
      if (s.expr.kind === 'const') {
        this.valueNames.set(s.results[0], this.constName(s.expr.id));
        this.constValued.add(s.results[0]);
        continue;
      }
      if (s.expr.kind === 'value') {
        this.valueNames.set(s.results[0], this.valueName(s.expr.id));
        continue;
      }
      const e = s.expr;
      const prim = this.primitive(e.prim);
      const origin = s.origin ?? e.prim;
      const nodeName = origin.replace(/ \([^()]*\)$/, '');
      const base = nodeName.replace(/[^A-Za-z0-9_]/g, '_').replace(/_+/g, '_').slice(0, 40) || 'node';
      const ctxName = this.w.ident(`n_${base}`, 'n');
      const attrName = this.w.ident(`a_${base}`, 'a');
      const inName = this.w.ident(`i_${base}`, 'i');
      this.decls.push(`// ${comment(origin)}`);
      this.decls.push(`const ${ctxName} = new NodeCtx(${str(nodeName)}${inRegion ? ', true' : ''});`);
      this.decls.push(`const ${attrName} = ${this.attrLiteral(specializeAttrs(e.prim, e.attrs), origin)};`);
      const slots = e.args.map((a) => (a === null ? 'undefined' : this.constOf(a) ?? 'undefined'));
      this.decls.push(`const ${inName}: (Tensor | undefined)[] = [${slots.join(', ')}];`);
      e.args.forEach((a, k) => {
        if (a !== null && this.constOf(a) === undefined) w.line(`${inName}[${k}] = ${this.valueName(a)};`);
      });
      const loadTime = !inRegion && !prim.impure && !(e.regions && e.regions.length) &&
        e.args.every((a) => a === null || this.constValued.has(a));
      if (loadTime) {
        // Every operand is a constant: evaluate once when the module loads.
        const call = `invoke(${prim.exportName}, ${ctxName}, ${inName}, ${attrName})`;
        const outs = this.w.ident(`${base}_out`, 'o');
        this.decls.push(`const ${outs} = ${call}; // evaluated at load`);
        s.results.forEach((r, k) => {
          const v = this.bindValue(r);
          this.decls.push(`const ${v} = ${outs}[${k}];`);
          this.constValued.add(r);
        });
        continue;
      }
      if (!inRegion && this.plan !== undefined) {
        s.results.forEach((r, k) => {
          const v = this.plan?.byValue.get(r);
          if (v !== undefined) this.decls.push(`${ctxName}.plan(${k}, ${this.arenaName}, ${v.offset}, ${str(v.dtype)}, ${v.length});`);
        });
      }
      let regionArg = '';
      if (e.regions && e.regions.length > 0) {
        const fns = e.regions.map((r, k) => this.emitRegion(w, r, `${base}_r${k}`));
        regionArg = `, [${fns.join(', ')}]`;
      }
      const call = `invoke(${prim.exportName}, ${ctxName}, ${inName}, ${attrName}${regionArg})`;
      const note = ` // ${comment(origin)}`;
      if (!inRegion && producesFreshValues(e.prim)) for (const r of s.results) this.freshValues.add(r);
      if (s.results.length === 1) {
        w.line(`const ${this.bindValue(s.results[0])} = ${call}[0];${note}`);
      } else {
        const outs = this.w.ident(`${base}_out`, 'o');
        w.line(`const ${outs} = ${call};${note}`);
        s.results.forEach((r, k) => w.line(`const ${this.bindValue(r)} = ${outs}[${k}];`));
      }
    }
  }

  /** Values bound directly to a constant use the module-level constant in input slots. */
  private constOf(id: ValueId): string | undefined {
    return this.constValued.has(id) ? this.valueNames.get(id) : undefined;
  }

  private emitRegion(w: CodeWriter, r: Region, label: string): string {
    const fn = this.w.ident(label, 'r');
    w.block(`const ${fn} = (args: readonly (Tensor | undefined)[]): Tensor[] =>`, () => {
      r.params.forEach((param, k) => {
        w.line(`const ${this.bindValue(param)} = args[${k}] as Tensor;`);
      });
      this.emitBody(w, r.body, true);
      w.line(`return [${r.yields.map((y) => this.valueName(y)).join(', ')}];`);
    }, '};');
    return fn;
  }
}

export function emitModuleSource(p: Program, opts: ModuleOptions = {}): string {
  return new ModuleEmitter(p, opts).emit();
}
