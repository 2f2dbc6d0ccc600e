// PMML bytes → IR program. The document is checked by compiling it with the very
// runtime the generated module uses (runtime/pmml/document.ts, compileDocument):
// every problem surfaces at compile time with its element path, and nothing the
// compiler accepts can fail when the module loads.
//
// The program is deliberately thin: PMML scoring is data-driven (the element tree
// is compiled into closures at load time), so the IR holds
//   inputs   one scalar Param per input field (`missing: true`: PMML values may be missing),
//   outputs  one scalar Param per result field (Output fields, else targets + probabilities),
//   constants[0] the element tree (JSON), annotations and build-only parts left out,
//   body     `let %outs = pmml.score(%ins) {document=@0}`,
//   meta     model element, functionName, the model elements used (the generator imports
//            only their compilers), PMML version, namespace and the fields' PMML types.

import { createHash } from 'node:crypto';
import { DiagnosticError, fail } from '../../diagnostics/diagnostic.js';
import { ProgramBuilder } from '../../ir/builder.js';
import type { JsonValue, Program } from '../../ir/program.js';
import type { IrType, ScalarKind } from '../../ir/types.js';
import { PmmlCompileError, PmmlUnsupportedError } from '../../../runtime/pmml/el.js';
import { compileDocument, type CompiledDocument } from '../../../runtime/pmml/document.js';
import { MODEL_ELEMENTS, MODEL_REGISTRY } from '../../../runtime/pmml/models/registry.js';
import type { DataType, El, Value } from '../../../runtime/pmml/types.js';
import { decodePmmlXml } from './xml.js';

/** The primitive of the one statement of a PMML program (no kernel: the generator emits it). */
export const PMML_SCORE = 'pmml.score';

export interface PmmlLowerOptions {
  /** The file name shown in diagnostics and recorded in metadata. */
  readonly file: string;
  readonly bytes: Uint8Array;
  /** Name of the compiled model; defaults to the model's modelName, else `stem`. */
  readonly name?: string;
  /** The file's stem (the name of last resort). */
  readonly stem: string;
}

/** A field as the generated module's metadata describes it (kept in `Program.meta`). */
export interface PmmlFieldMeta {
  readonly name: string;
  readonly dataType: DataType;
  readonly optype: string;
  /** Inputs: the MiningField usageType (active, supplementary, group...). */
  readonly usageType?: string;
  /** Outputs: the result feature (predictedValue, probability, ...). */
  readonly feature?: string;
  /** Valid values of categorical/ordinal fields, in document order. */
  readonly values?: readonly Value[];
}

/** What lowering records in `Program.meta` (all JSON). */
export interface PmmlMeta {
  readonly pmmlVersion: string | null;
  readonly namespace: string | null;
  readonly modelElement: string;
  readonly functionName: string;
  readonly modelName: string | null;
  /** Every model element in the document (nested ones in segments included), in registry order. */
  readonly modelElements: readonly string[];
  readonly producer?: string;
  readonly verificationRows: number;
  readonly fields: { readonly inputs: readonly PmmlFieldMeta[]; readonly outputs: readonly PmmlFieldMeta[] };
}

/** Elements that play no part in scoring; they are not embedded in the generated module. */
const BUILD_ONLY = new Set(['MiningBuildTask', 'ModelVerification', 'ModelExplanation']);

/**
 * The IR scalar kind of a PMML dataType. `integer` is int64 (held as a JavaScript
 * number at run time); dates, times and the *Since[...] types are float64 (the
 * runtime counts days or seconds); see docs/pmml.md.
 */
export function scalarKindOf(dataType: DataType): ScalarKind {
  switch (dataType) {
    case 'double': return 'float64';
    case 'float': return 'float32';
    case 'integer': return 'int64';
    case 'string': return 'string';
    case 'boolean': return 'bool';
    default: return 'float64';
  }
}

function scalarType(dataType: DataType): IrType {
  return { kind: 'scalar', dtype: scalarKindOf(dataType), missing: true };
}

/**
 * Compiles the document with the runtime's compilers; PMML errors become
 * diagnostics naming the element path (MLC2101 invalid, MLC3101 unsupported).
 */
export function compilePmmlDocument(root: El): CompiledDocument {
  try {
    return compileDocument(root, MODEL_REGISTRY.map((m) => m.compiler));
  } catch (e) {
    if (e instanceof PmmlUnsupportedError) throw new DiagnosticError('MLC3101', e.detail, '', e.path);
    if (e instanceof PmmlCompileError) throw new DiagnosticError('MLC2101', e.detail, '', e.path);
    throw e;
  }
}

/** Decodes and checks a PMML document: the tree, its compiled form and the XML facts. */
export function readPmml(bytes: Uint8Array): { root: El; document: CompiledDocument; namespace: string | null; version: string | null } {
  const xml = decodePmmlXml(bytes);
  const document = compilePmmlDocument(xml.root);
  return { root: xml.root, document, namespace: xml.namespace, version: xml.version };
}

/** Model elements anywhere in the tree (segments nest models), in registry order. Iterative: trees can be deep. */
export function modelElementsOf(root: El): string[] {
  const found = new Set<string>();
  const stack: El[] = [root];
  while (stack.length > 0) {
    const el = stack.pop() as El;
    if (MODEL_ELEMENTS.has(el.n)) found.add(el.n);
    for (let i = el.c.length - 1; i >= 0; i--) stack.push(el.c[i]);
  }
  return MODEL_REGISTRY.filter((m) => found.has(m.element)).map((m) => m.element);
}

/** A copy of the tree without the build-only elements (iterative, children order kept). */
export function scoringTree(root: El): El {
  const copy = (el: El): { n: string; a: El['a']; c: El[]; t?: string } => (el.t === undefined ? { n: el.n, a: el.a, c: [] } : { n: el.n, a: el.a, c: [], t: el.t });
  const top = copy(root);
  const stack: [El, El[]][] = [[root, top.c]];
  while (stack.length > 0) {
    const [src, into] = stack.pop() as [El, El[]];
    for (const c of src.c) {
      if (BUILD_ONLY.has(c.n)) continue;
      const d = copy(c);
      into.push(d);
      if (c.c.length > 0) stack.push([c, d.c]);
    }
  }
  return top;
}

function producerOf(root: El): string | undefined {
  const app = root.c.find((c) => c.n === 'Header')?.c.find((c) => c.n === 'Application');
  if (app === undefined) return undefined;
  const s = `${app.a.name ?? ''} ${app.a.version ?? ''}`.trim();
  return s === '' ? undefined : s;
}

function valuesOf(categories: readonly Value[] | undefined): { values?: readonly Value[] } {
  return categories !== undefined && categories.length > 0 ? { values: categories } : {};
}

export function lowerPmml(opts: PmmlLowerOptions): Program {
  const { root, document, namespace, version } = readPmml(opts.bytes);
  const sha256 = createHash('sha256').update(opts.bytes).digest('hex');
  const name = opts.name ?? (document.modelName !== null && document.modelName.trim() !== '' ? document.modelName : opts.stem);
  const b = new ProgramBuilder(name, 'pmml', { file: opts.file, sha256 });

  const seen = new Set<string>();
  // An AssociationModel's item fields take a transaction's items (ModelContext.items).
  const collections = document.modelElement === 'AssociationModel';
  for (const f of document.inputs) {
    if (seen.has(f.name)) fail('MLC2101', `the field ${JSON.stringify(f.name)} is defined twice`, 'PMML/DataDictionary');
    seen.add(f.name);
    const type: IrType = collections && f.usageType === 'active' ? { kind: 'array', items: scalarType(f.dataType) } : scalarType(f.dataType);
    b.inputs.push({ name: f.name, value: b.value(f.name, type), type });
  }
  const outIds: number[] = [];
  const outSeen = new Set<string>();
  for (const f of document.outputs) {
    if (outSeen.has(f.name)) fail('MLC2101', `the result field ${JSON.stringify(f.name)} is defined twice`, `PMML/${document.modelElement}/Output`);
    outSeen.add(f.name);
    const type = scalarType(f.dataType);
    const id = b.value(f.name, type);
    outIds.push(id);
    b.outputs.push({ name: f.name, value: id, type });
  }
  const tree = b.constant('document', { kind: 'unknown' }, scoringTree(root) as unknown as JsonValue);
  b.body.push({
    kind: 'let',
    results: outIds,
    expr: { kind: 'call', prim: PMML_SCORE, args: b.inputs.map((i) => i.value), attrs: { document: { kind: 'const', id: tree } } },
    origin: `PMML/${document.modelElement}`,
  });

  const producer = producerOf(root);
  const meta: PmmlMeta = {
    pmmlVersion: version,
    namespace,
    modelElement: document.modelElement,
    functionName: document.functionName,
    modelName: document.modelName,
    modelElements: modelElementsOf(root),
    ...(producer !== undefined ? { producer } : {}),
    verificationRows: document.verification?.rows.length ?? 0,
    fields: {
      inputs: document.inputs.map((f) => ({ name: f.name, dataType: f.dataType, optype: f.optype, usageType: f.usageType, ...valuesOf(f.categories) })),
      outputs: document.outputs.map((f) => ({ name: f.name, dataType: f.dataType, optype: f.optype, feature: f.feature, ...valuesOf(f.categories) })),
    },
  };
  Object.assign(b.meta, meta as unknown as Record<string, JsonValue>);
  return b.build();
}

/** The PMML facts lowering recorded (throws when `p` is not a PMML program). */
export function pmmlMeta(p: Program): PmmlMeta {
  if (p.format !== 'pmml') throw new Error(`program ${JSON.stringify(p.name)} is ${p.format}, not PMML`);
  return p.meta as unknown as PmmlMeta;
}
