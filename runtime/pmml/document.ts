// The document: DataDictionary, TransformationDictionary (DerivedFields and
// DefineFunctions), the top model with its MiningSchema, LocalTransformations,
// Targets and Output, nested models (Segments), and ModelVerification.
// compileDocument() turns the element tree into closures once; score() then
// runs them for each record.
//
// Scopes (fields.ts LayerScope), innermost first, for a model element:
//   model layer   its MiningFields (prepared: missing/invalid/outlier treatment), its
//                 LocalTransformations, and the TransformationDictionary's DerivedFields compiled
//                 again in this layer (so they see the model's prepared values); for a MiningModel
//                 with a modelChain, the Output fields of its segments (read from the chain).
//   parent        the enclosing model's layer (nested models), or the DataDictionary (top model:
//                 data fields a MiningSchema does not list are read as they are, invalid → missing).
// MiningFields of the top model read the caller's record; those of a nested model read the
// enclosing model's fields.
//
// Result keys: the final OutputFields; without an Output element, the target field (predicted
// value) plus probability(<category>) for each category of a classifier's target; a model
// without target field and without Output (clustering) uses the key `predictedValue`.

import { attr, child, children, childPath, enumAttr, fail, numAttr, requireChild, unsupported } from './el.js';
import { InvalidResult, Layout, recordReader, RowEnv, RowState, stateOf } from './env.js';
import { compileExpression, expressionDataType, isExpressionElement, type DefinedFunction, type ExpressionContext } from './expr-hook.js';
import {
  dataFieldBinding, LayerScope, parseDataDictionary, parseMiningSchema, parseValidity, prepareMiningField,
  type Binding, type FieldDef, type MiningFieldSpec,
} from './fields.js';
import { compileOutput, type CompiledOutputField } from './output.js';
import { compilePredicate } from './predicates.js';
import { compileTargets } from './targets.js';
import type {
  DataType, El, Env, Evaluator, FieldInfo, ModelCompiler, ModelContext, ModelResult, NestedModel, OpType, TargetInfo, Value,
} from './types.js';
import { castTo, categoryKey, convertInput, INVALID, parseDataType, parseOpType } from './values.js';

export interface InputFieldSpec {
  readonly name: string;
  readonly dataType: DataType;
  readonly optype: OpType;
  readonly categories?: readonly Value[];
  readonly usageType: string;
}

export interface OutputFieldSpec {
  readonly name: string;
  readonly dataType: DataType;
  readonly optype: OpType;
  readonly feature: string;
  readonly categories?: readonly Value[];
}

export interface VerificationSpec {
  readonly fields: readonly { field: string; column: string; precision: number; zeroThreshold: number }[];
  readonly rows: readonly Readonly<Record<string, string | null>>[];
}

export interface CompiledDocument {
  readonly version: string | null;
  readonly modelElement: string;
  readonly functionName: string;
  readonly modelName: string | null;
  /** The top model's MiningSchema fields callers supply (active, supplementary, group; the target too when an OutputField needs its actual value for feature="residual"), document order. */
  readonly inputs: readonly InputFieldSpec[];
  readonly outputs: readonly OutputFieldSpec[];
  readonly verification: VerificationSpec | null;
  /**
   * Scores one record (object of field values; null/undefined/missing key = missing). Never throws on
   * bad data: an invalid value under returnInvalid yields a result whose outputs are all null plus a
   * `$error` key naming the field and the value.
   */
  score(record: Readonly<Record<string, unknown>>): Record<string, Value>;
}

/** Every PMML 4.4 model element (a document's model is the first of these whose isScorable is not false). */
export const PMML_MODEL_ELEMENTS: ReadonlySet<string> = new Set([
  'AnomalyDetectionModel', 'AssociationModel', 'BayesianNetworkModel', 'BaselineModel', 'ClusteringModel',
  'GaussianProcessModel', 'GeneralRegressionModel', 'MiningModel', 'NaiveBayesModel', 'NearestNeighborModel',
  'NeuralNetwork', 'RegressionModel', 'RuleSetModel', 'SequenceModel', 'Scorecard', 'SupportVectorMachineModel',
  'TextModel', 'TimeSeriesModel', 'TreeModel',
]);

/** Result key of a model without a target field and without an Output element (e.g. clustering): the predicted value (cluster id). */
export const DEFAULT_RESULT_KEY = 'predictedValue';

/** Result key of the selected segments' results of a MiningModel with multipleModelMethod="selectAll". */
export const SEGMENTS_KEY = '$segments';

/** The key of the probability of `category` in results of classifiers without an Output element. */
export function probabilityKey(category: Value): string {
  return `probability(${categoryKey(category)})`;
}

/** A compiled model element (top model or nested). */
interface ModelUnit {
  readonly element: string;
  readonly functionName: string;
  readonly path: string;
  readonly scope: LayerScope;
  readonly specs: readonly MiningFieldSpec[];
  readonly target: TargetInfo | null;
  readonly outputs: readonly CompiledOutputField[];
  readonly hasOutput: boolean;
  readonly frame: number;
  /** Prepares the active fields, runs the model and its Targets, stores the result in the frame. */
  run(env: Env): ModelResult;
}

interface DerivedSource {
  readonly el: El;
  readonly path: string;
}

const EMPTY_RESULT: ModelResult = { value: null };
const NO_OUTPUTS: ReadonlyMap<string, Value> = new Map();

class DocumentCompiler {
  readonly layout = new Layout();
  readonly compilers = new Map<string, ModelCompiler>();
  readonly dict: Map<string, FieldDef>;
  readonly base: LayerScope;
  readonly global: LayerScope;
  readonly globalDerived = new Map<string, DerivedSource>();
  readonly functions = new Map<string, DefinedFunction>();
  /** Result frame of every nested model element compiled through ModelContext.nested(). */
  readonly framesByEl = new Map<El, number>();
  /**
   * The evaluators a model's run() calls before its model function (its prepared active fields), by the
   * model's scope: a nested model skips those it shares with its parent, already computed for the row.
   */
  readonly eagerByScope = new Map<LayerScope, ReadonlySet<Evaluator>>();

  constructor(readonly root: El, compilers: readonly ModelCompiler[]) {
    for (const c of compilers) this.compilers.set(c.element, c);
    const ddEl = child(root, 'DataDictionary');
    if (!ddEl) fail('PMML', 'the document has no <DataDictionary>');
    this.dict = parseDataDictionary(ddEl, 'PMML/DataDictionary');
    this.base = new LayerScope(null, 'DataDictionary');
    for (const [name, def] of this.dict) this.base.define(name, () => dataFieldBinding(def, this.layout));

    const td = child(root, 'TransformationDictionary');
    const tdPath = 'PMML/TransformationDictionary';
    if (td) {
      for (const f of children(td, 'DefineFunction')) this.defineFunction(f, childPath(tdPath, td, f));
      for (const d of children(td, 'DerivedField')) {
        const name = attr(d, 'name', childPath(tdPath, td, d));
        const path = `${tdPath}/DerivedField[name=${JSON.stringify(name)}]`;
        if (this.globalDerived.has(name)) fail(path, `the DerivedField ${JSON.stringify(name)} is declared twice`);
        if (this.dict.has(name)) fail(path, `the DerivedField ${JSON.stringify(name)} has the name of a DataField`);
        this.globalDerived.set(name, { el: d, path });
      }
    }
    this.global = new LayerScope(this.base, 'TransformationDictionary');
    for (const [name, d] of this.globalDerived) this.global.define(name, this.derivedDef(d, this.global, 'double'));
  }

  private defineFunction(el: El, p0: string): void {
    const name = attr(el, 'name', p0);
    const path = `PMML/TransformationDictionary/DefineFunction[name=${JSON.stringify(name)}]`;
    if (this.functions.has(name)) fail(path, `the function ${JSON.stringify(name)} is defined twice`);
    const body = el.c.find((c) => isExpressionElement(c.n));
    if (!body) fail(path, `the DefineFunction ${JSON.stringify(name)} has no expression`);
    const params: FieldInfo[] = children(el, 'ParameterField').map((pf) => {
      const pp = childPath(path, el, pf);
      const pn = attr(pf, 'name', pp);
      const dt: DataType = pf.a.dataType !== undefined ? parseDataType(pf.a.dataType, pp) : pf.a.optype === 'continuous' || pf.a.optype === undefined ? 'double' : 'string';
      return { name: pn, dataType: dt, optype: parseOpType(pf.a.optype, dt, pp) };
    });
    const dataType: DataType = el.a.dataType !== undefined ? parseDataType(el.a.dataType, path) : 'double';
    const optype = parseOpType(el.a.optype, dataType, path);
    this.functions.set(name, { name, params, dataType, optype, body, path });
  }

  expressionContext(scope: LayerScope, mathContext: 'float' | 'double'): ExpressionContext {
    const functions = this.functions;
    return { scope, mathContext, func: (name) => functions.get(name), items: (name, path) => this.items(scope, name, path) };
  }

  /** A DerivedField compiled in `scope` (the expression sees the scope's fields), cached per row. */
  derivedDef(src: DerivedSource, scope: LayerScope, mathContext: 'float' | 'double'): () => Binding {
    return () => {
      const { el, path } = src;
      const name = attr(el, 'name', path);
      const e = el.c.find((c) => isExpressionElement(c.n));
      if (!e) fail(path, `the DerivedField ${JSON.stringify(name)} has no expression`);
      const cx = this.expressionContext(scope, mathContext);
      const ePath = childPath(path, el, e);
      const declared = el.a.dataType !== undefined;
      const dataType: DataType = declared ? parseDataType(el.a.dataType, path) : expressionDataType(e, ePath, cx) ?? 'double';
      const optype = parseOpType(el.a.optype, dataType, path);
      const ev = compileExpression(e, ePath, cx);
      const { validity, categories } = parseValidity(el, dataType, path);
      const info: FieldInfo = optype !== 'continuous' && categories.length > 0 ? { name, dataType, optype, categories } : { name, dataType, optype };
      const slot = this.layout.slot();
      const compute: Evaluator = declared ? (env) => {
        const v = ev(env);
        if (v === null) return null;
        const r = castTo(v, dataType);
        return r === INVALID ? null : r;
      } : ev;
      const get: Evaluator = (env) => {
        const st = stateOf(env);
        if (st.stamps[slot] === st.gen) return st.vals[slot];
        const v = compute(env);
        st.vals[slot] = v;
        st.stamps[slot] = st.gen;
        return v;
      };
      return { info, get, def: { info, validity, path } };
    };
  }

  /** Bindings of values computed by earlier segments of a modelChain (read from the env's chain). */
  chainBinding(info: FieldInfo): Binding {
    const name = info.name;
    return {
      info,
      get: (env) => {
        const chain = (env as RowEnv).chain ?? (env as RowEnv).st.chain;
        if (!chain) return null;
        const v = chain.get(name);
        return v === undefined ? null : v;
      },
    };
  }

  /** Output fields of the models of a modelChain Segmentation, visible (through the chain) to later segments and predicates. */
  private chainFields(el: El, path: string): FieldInfo[] {
    const seg = child(el, 'Segmentation');
    if (!seg || seg.a.multipleModelMethod !== 'modelChain') return [];
    const out: FieldInfo[] = [];
    for (const s of children(seg, 'Segment')) {
      const m = s.c.find((c) => PMML_MODEL_ELEMENTS.has(c.n));
      const o = m && child(m, 'Output');
      if (!o) continue;
      const numericResult = m.a.functionName === 'regression';
      for (const of of children(o, 'OutputField')) {
        const name = of.a.name;
        if (name === undefined) continue;
        const feature = of.a.feature ?? 'predictedValue';
        const textual = feature === 'predictedDisplayValue' || feature === 'entityId' || feature === 'clusterId' || feature === 'warning'
          || feature === 'reasonCode' || feature === 'decision' || (feature === 'predictedValue' && !numericResult);
        const dataType: DataType = of.a.dataType !== undefined ? parseDataType(of.a.dataType, `${path}/Segmentation`) : textual ? 'string' : 'double';
        const optype: OpType = of.a.optype === 'categorical' || of.a.optype === 'ordinal' || of.a.optype === 'continuous' ? of.a.optype : parseOpType(undefined, dataType, path);
        out.push({ name, dataType, optype });
      }
    }
    return out;
  }

  buildModel(el: El, path: string, parent: LayerScope, source: LayerScope): ModelUnit {
    const compiler = this.compilers.get(el.n);
    if (!compiler) {
      if (PMML_MODEL_ELEMENTS.has(el.n)) unsupported(path, `<${el.n}> models are not supported`);
      fail(path, `<${el.n}> is not a PMML model element`);
    }
    const functionName = attr(el, 'functionName', path);
    const mathContext = enumAttr(el, 'mathContext', ['float', 'double'] as const, 'double', path);
    const msEl = requireChild(el, 'MiningSchema', path);
    const specs = parseMiningSchema(msEl, `${path}/MiningSchema`);
    const layout = this.layout;

    const scope = new LayerScope(parent, el.n);
    for (const f of this.chainFields(el, path)) if (!parent.has(f.name)) scope.bind(f.name, this.chainBinding(f));
    for (const [name, d] of this.globalDerived) scope.define(name, this.derivedDef(d, scope, mathContext));
    const localNames = new Set<string>();
    const lt = child(el, 'LocalTransformations');
    if (lt) {
      const ltPath = `${path}/LocalTransformations`;
      for (const d of children(lt, 'DerivedField')) {
        const name = attr(d, 'name', childPath(ltPath, lt, d));
        const dPath = `${ltPath}/DerivedField[name=${JSON.stringify(name)}]`;
        if (localNames.has(name)) fail(dPath, `the DerivedField ${JSON.stringify(name)} is declared twice`);
        localNames.add(name);
        scope.define(name, this.derivedDef({ el: d, path: dPath }, scope, mathContext));
      }
    }
    for (const spec of specs) {
      // A MiningField naming one of the model's own LocalTransformations (some producers list them) keeps the derived field.
      if (localNames.has(spec.name) && !source.has(spec.name)) continue;
      scope.define(spec.name, () => prepareMiningField(spec, source.resolve(spec.name, spec.path), layout, el));
    }
    for (const spec of specs) scope.resolve(spec.name, spec.path);
    for (const name of localNames) scope.resolve(name, `${path}/LocalTransformations`);

    // Target
    const targetSpec = specs.find((s) => s.usageType === 'target');
    let target: TargetInfo | null = null;
    let targetGet: Evaluator | null = null;
    const displayValues = new Map<string, string>();
    const regression = functionName === 'regression';
    let targets;
    if (targetSpec) {
      const tb = scope.resolve(targetSpec.name, targetSpec.path);
      targetGet = tb.get;
      targets = compileTargets(el, path, targetSpec.name, tb.info.dataType, regression || (functionName !== 'classification' && tb.info.optype === 'continuous'));
      const classification = functionName === 'classification';
      const optype = targets.optype ?? (classification && tb.info.optype === 'continuous' ? 'categorical' : tb.info.optype);
      const dictValues = tb.info.categories ?? (optype !== 'continuous' ? tb.def?.values : undefined);
      const categories = dictValues && dictValues.length > 0 ? dictValues : targets.categories;
      const info: FieldInfo = optype !== 'continuous' && categories.length > 0
        ? { name: tb.info.name, dataType: tb.info.dataType, optype, categories }
        : { name: tb.info.name, dataType: tb.info.dataType, optype };
      target = { name: targetSpec.name, info, categories: optype === 'continuous' ? [] : categories };
      for (const [k, v] of targets.displayValues) displayValues.set(k, v);
      const dv = tb.def?.validity?.displayValues;
      if (dv) for (const [k, v] of dv) if (!displayValues.has(k)) displayValues.set(k, v);
    } else {
      targets = compileTargets(el, path, null, regression ? 'double' : 'string', regression);
      for (const [k, v] of targets.displayValues) displayValues.set(k, v);
    }

    const activeFields = specs.filter((s) => s.usageType === 'active' && scope.owns(s.name)).map((s) => scope.resolve(s.name, s.path).info);
    const prepared: Evaluator[] = specs.filter((s) => s.usageType === 'active').map((s) => scope.resolve(s.name, s.path).get);
    this.eagerByScope.set(scope, new Set(prepared));
    // A plain MiningField of a nested model yields the very evaluator of its parent's field
    // (fields.ts prepareMiningField): the parent's run() has computed it for the row before any
    // segment runs (or thrown its InvalidResult), so calling it again would only read the cache.
    const parentEager = this.enclosingEager(parent);
    const eager = parentEager === undefined ? prepared : prepared.filter((get) => !parentEager.has(get));
    const frame = layout.frame();

    const expression = (e: El, p: string): Evaluator => compileExpression(e, p, this.expressionContext(scope, mathContext));
    const ctx: ModelContext = {
      path,
      scope,
      functionName,
      target,
      activeFields,
      mathContext,
      expression,
      predicate: (e, p) => compilePredicate(e, p, scope, expression),
      nested: (e, p, chained) => this.nested(e, p, scope, chained),
      items: (name, p) => this.items(scope, name, p),
      extend: (env, values) => extendEnv(env, values),
    };
    const modelFn = compiler.compile(el, ctx);
    if (typeof modelFn !== 'function') fail(path, `the ${el.n} compiler returned no scoring function`);

    const outputEl = child(el, 'Output');
    const segmentFrame = (id: string): number | undefined => {
      const seg = child(el, 'Segmentation');
      if (!seg) return undefined;
      const segs = children(seg, 'Segment');
      // "if it is not specified, Segments are identified by an implicit 1-based index" (an explicit id wins).
      const byIndex = /^\d+$/.test(id) ? segs[Number(id) - 1] : undefined;
      const s = segs.find((x) => x.a.id === id) ?? (byIndex?.a.id === undefined ? byIndex : undefined);
      const m = s?.c.find((c) => PMML_MODEL_ELEMENTS.has(c.n));
      return m ? this.framesByEl.get(m) : undefined;
    };
    const { fields: outputs } = compileOutput(outputEl, scope, {
      path,
      layout,
      frame,
      functionName,
      target,
      displayValues,
      actual: targetGet,
      segmentFrame,
      expression: (e, p, s) => compileExpression(e, p, this.expressionContext(s, mathContext)),
      expressionType: (e, p, s) => expressionDataType(e, p, this.expressionContext(s, mathContext)),
    });

    const apply = targets.apply;
    const nEager = eager.length;
    const run = (env: Env): ModelResult => {
      for (let i = 0; i < nEager; i++) eager[i](env);
      const raw = modelFn(env) ?? EMPTY_RESULT;
      const r = apply(raw);
      const st = stateOf(env);
      st.results[frame] = r;
      st.resultGen[frame] = st.gen;
      return r;
    };
    return { element: el.n, functionName, path, scope, specs, target, outputs, hasOutput: outputEl !== undefined, frame, run };
  }

  /** The eager evaluators of the model whose scope is `scope` or the nearest model scope above it (modelChain layers sit between). */
  private enclosingEager(scope: LayerScope): ReadonlySet<Evaluator> | undefined {
    for (let s: LayerScope | null = scope; s !== null; s = s.parent) {
      const found = this.eagerByScope.get(s);
      if (found !== undefined) return found;
    }
    return undefined;
  }

  nested(el: El, path: string, parent: LayerScope, chained?: readonly FieldInfo[]): NestedModel {
    let source = parent;
    if (chained && chained.some((f) => !parent.has(f.name))) {
      source = new LayerScope(parent, 'modelChain');
      for (const f of chained) if (!parent.has(f.name)) source.bind(f.name, this.chainBinding(f));
    }
    const unit = this.buildModel(el, path, source, source);
    this.framesByEl.set(el, unit.frame);
    const outs = unit.outputs;
    const n = outs.length;
    // Segments of ensembles rarely have Output fields: their evaluation then allocates nothing. The
    // returned object is reused by this model's next evaluate(); callers read it at once.
    const box: { result: ModelResult; outputs: ReadonlyMap<string, Value> } = { result: EMPTY_RESULT, outputs: NO_OUTPUTS };
    return {
      element: unit.element,
      functionName: unit.functionName,
      outputFields: outs.map((o) => o.info),
      target: unit.target,
      evaluate(env) {
        const result = unit.run(env);
        if (n === 0) {
          box.result = result;
          return box;
        }
        const outputs = new Map<string, Value>();
        for (let i = 0; i < n; i++) outputs.set(outs[i].name, outs[i].get(env));
        return { result, outputs };
      },
      record: segmentRecorder(unit),
    };
  }

  items(scope: LayerScope, name: string, path: string): (env: Env) => readonly Value[] {
    const b = scope.resolve(name, path);
    const dataType = b.info.dataType;
    if (this.dict.has(name)) {
      const read = recordReader(name);
      return (env) => {
        const raw = read(env);
        if (raw === null || raw === undefined) return [];
        if (Array.isArray(raw)) {
          const out: Value[] = [];
          for (const x of raw) {
            const v = convertInput(x, dataType);
            if (v !== null && v !== INVALID) out.push(v);
          }
          return out;
        }
        const v = b.get(env);
        return v === null ? [] : [v];
      };
    }
    return (env) => {
      const v = b.get(env);
      return v === null ? [] : [v];
    };
  }
}

/**
 * The result record of a nested model (MiningModel selectAll, `$segments`), keyed as compileDocument keys
 * a top model's result: its final Output fields; else its target and probability(<category>); else
 * predictedValue. A nested selectAll's own segments follow as `$segments`.
 */
function segmentRecorder(unit: ModelUnit): NestedModel['record'] {
  const finals = unit.outputs.filter((o) => o.final).map((o) => o.name);
  const t = unit.target;
  const classes = t && t.info.optype !== 'continuous' && unit.functionName !== 'regression' ? t.categories : [];
  return (result, outputs) => {
    const out: Record<string, Value> = {};
    if (unit.hasOutput) for (const name of finals) setKey(out, name, outputs.get(name) ?? null);
    else if (t) {
      setKey(out, t.name, result.value === undefined ? null : result.value);
      for (const c of classes) setKey(out, probabilityKey(c), result.probabilities ? result.probabilities.get(categoryKey(c)) ?? 0 : null);
    } else setKey(out, DEFAULT_RESULT_KEY, result.value === undefined ? null : result.value);
    if (result.segments !== undefined) setKey(out, SEGMENTS_KEY, result.segments as unknown as Value);
    return out;
  };
}

function extendEnv(env: Env, values: ReadonlyMap<string, Value>): Env {
  const e = env as RowEnv;
  let chain: ReadonlyMap<string, Value> = values;
  if (e.chain && e.chain !== values && e.chain.size > 0) {
    const merged = new Map(e.chain);
    for (const [k, v] of values) merged.set(k, v);
    chain = merged;
  }
  e.st.chain = chain;
  return new RowEnv(e.st, chain);
}

/** Sets a result key as an own data property (also for `__proto__`). */
function setKey(out: Record<string, Value>, key: string, v: Value): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value: v, enumerable: true, writable: true, configurable: true });
  else out[key] = v;
}

function parseVerification(modelEl: El, path: string): VerificationSpec | null {
  const mv = child(modelEl, 'ModelVerification');
  if (!mv) return null;
  const mvPath = `${path}/ModelVerification`;
  const vf = child(mv, 'VerificationFields');
  const fields = vf ? children(vf, 'VerificationField').map((f) => {
    const p = childPath(`${mvPath}/VerificationFields`, vf, f);
    const field = attr(f, 'field', p);
    return { field, column: f.a.column ?? field, precision: numAttr(f, 'precision', p, 1e-6), zeroThreshold: numAttr(f, 'zeroThreshold', p, 1e-16) };
  }) : [];
  const table = child(mv, 'InlineTable');
  const rows: Record<string, string | null>[] = [];
  if (table) {
    // The XML reader drops namespace prefixes of element names: a column "data:x" arrives as <x>.
    const byLocal = new Map<string, string>();
    for (const f of fields) byLocal.set(f.column.slice(f.column.indexOf(':') + 1), f.column);
    const columns = new Set(fields.map((f) => f.column));
    for (const row of children(table, 'row')) {
      const r: Record<string, string | null> = {};
      for (const f of fields) {
        if (f.column === '__proto__') Object.defineProperty(r, f.column, { value: null, enumerable: true, writable: true, configurable: true });
        else r[f.column] = null;
      }
      for (const cell of row.c) {
        const key = columns.has(cell.n) ? cell.n : byLocal.get(cell.n) ?? cell.n;
        const v = cell.t ?? (cell.c.length === 0 ? '' : null);
        if (key === '__proto__') Object.defineProperty(r, key, { value: v, enumerable: true, writable: true, configurable: true });
        else r[key] = v;
      }
      rows.push(r);
    }
  }
  return { fields, rows };
}

/** The first model element of the document whose isScorable is not "false". */
function topModel(root: El): { el: El; path: string } {
  let firstUnscorable: El | undefined;
  for (const c of root.c) {
    if (!PMML_MODEL_ELEMENTS.has(c.n)) continue;
    if (c.a.isScorable === 'false') {
      firstUnscorable ??= c;
      continue;
    }
    return { el: c, path: childPath('PMML', root, c) };
  }
  if (firstUnscorable) fail(childPath('PMML', root, firstUnscorable), 'the document has no scorable model (isScorable="false")');
  return fail('PMML', 'the document contains no model element');
}

export function compileDocument(root: El, compilers: readonly ModelCompiler[]): CompiledDocument {
  if (root.n !== 'PMML') fail(root.n, `the root element is <${root.n}>, not <PMML>`);
  const dc = new DocumentCompiler(root, compilers);
  // Surface errors in every TransformationDictionary DerivedField, used or not.
  for (const name of dc.globalDerived.keys()) dc.global.resolve(name, dc.globalDerived.get(name)!.path);

  const { el: modelEl, path } = topModel(root);
  const unit = dc.buildModel(modelEl, path, dc.base, dc.global);
  const scope = unit.scope;

  // Callers supply active, supplementary and group fields; the target too when an output needs its
  // actual value (feature="residual").
  const needsActual = unit.outputs.some((o) => o.feature === 'residual');
  const inputs: InputFieldSpec[] = [];
  for (const s of unit.specs) {
    if (s.usageType !== 'active' && s.usageType !== 'supplementary' && s.usageType !== 'group' && !(s.usageType === 'target' && needsActual)) continue;
    const info = scope.resolve(s.name, s.path).info;
    inputs.push(info.categories ? { name: s.name, dataType: info.dataType, optype: info.optype, categories: info.categories, usageType: s.usageType }
      : { name: s.name, dataType: info.dataType, optype: info.optype, usageType: s.usageType });
  }

  // Result keys and how each is computed.
  const keys: string[] = [];
  const getters: ((env: Env, r: ModelResult) => Value)[] = [];
  const outputs: OutputFieldSpec[] = [];
  if (unit.hasOutput) {
    for (const o of unit.outputs) {
      if (!o.final) continue;
      const get = o.get;
      keys.push(o.name);
      getters.push((env) => get(env));
      outputs.push({ name: o.name, dataType: o.info.dataType, optype: o.info.optype, feature: o.feature });
    }
  } else {
    const t = unit.target;
    if (t) {
      keys.push(t.name);
      getters.push((_env, r) => (r.value === undefined ? null : r.value));
      outputs.push(t.categories.length > 0 ? { name: t.name, dataType: t.info.dataType, optype: t.info.optype, feature: 'predictedValue', categories: t.categories }
        : { name: t.name, dataType: t.info.dataType, optype: t.info.optype, feature: 'predictedValue' });
      if (t.info.optype !== 'continuous' && unit.functionName !== 'regression') {
        for (const c of t.categories) {
          const key = categoryKey(c);
          const name = probabilityKey(c);
          keys.push(name);
          getters.push((_env, r) => (r.probabilities ? r.probabilities.get(key) ?? 0 : null));
          outputs.push({ name, dataType: 'double', optype: 'continuous', feature: 'probability' });
        }
      }
    } else {
      keys.push(DEFAULT_RESULT_KEY);
      getters.push((_env, r) => (r.value === undefined ? null : r.value));
      outputs.push({ name: DEFAULT_RESULT_KEY, dataType: 'string', optype: 'categorical', feature: 'predictedValue' });
    }
  }

  const st = new RowState(dc.layout);
  const env = new RowEnv(st, null);
  const run = unit.run;
  const n = keys.length;
  const safeKeys = !keys.includes('__proto__');

  return {
    version: root.a.version ?? null,
    modelElement: unit.element,
    functionName: unit.functionName,
    modelName: modelEl.a.modelName ?? null,
    inputs,
    outputs,
    verification: parseVerification(modelEl, path),
    score(record) {
      st.begin(record ?? {});
      try {
        const r = run(env);
        const out: Record<string, Value> = {};
        if (safeKeys) for (let i = 0; i < n; i++) out[keys[i]] = getters[i](env, r);
        else for (let i = 0; i < n; i++) setKey(out, keys[i], getters[i](env, r));
        // selectAll: the selected segments' own results (docs/pmml.md "MiningModel selectAll").
        if (r.segments !== undefined) setKey(out, SEGMENTS_KEY, r.segments as unknown as Value);
        return out;
      } catch (e) {
        if (!(e instanceof InvalidResult)) throw e;
        const out: Record<string, Value> = {};
        for (let i = 0; i < n; i++) setKey(out, keys[i], null);
        setKey(out, '$error', e.message);
        return out;
      }
    },
  };
}
