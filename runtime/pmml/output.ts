// Output: the OutputFields of a model and every result feature (predictedValue,
// probability, transformedValue, entityId, ruleValue...). Output fields form a
// scope layer over the model's fields: a transformedValue may refer to other
// output fields (in any order) and to model fields; each is computed at most once per row.
//
// Feature notes:
//   probability      with value: P(value) (0 when the model gives probabilities but not for it);
//                    without: P(predicted value). null when the model gives no probabilities.
//   residual         continuous target: actual − predicted; categorical: 1 − P(actual), or with
//                    value: [actual = value] − P(value). The actual value is the target field's value
//                    in the record (the target is then listed among the document's inputs).
//   entityId, clusterId, affinity, entityAffinity, clusterAffinity
//                    rank n: the n-th of ModelResult.entities (best first); value: the entity with that
//                    id; neither: the winning entity (clusterId falls back to the predicted value).
//   ruleValue and the rule features
//                    the rules of `algorithm` ordered by rankBasis/rankOrder (ties keep the model's
//                    order), the rank-th one; itemsets are written {a,b}, rules {a}->{b}; isMultiValued
//                    joins the first `rank` values with ';'.
//   segmentId        the feature of the named Segment's model result (null when it did not run).
//   dataType         when declared, the feature value is converted to it (null when it cannot be).

import { attr, boolAttr, child, childPath, enumAttr, fail, intAttr, unsupported } from './el.js';
import { cached, stateOf } from './env.js';
import { LayerScope, type Binding } from './fields.js';
import { isExpressionElement } from './expr-hook.js';
import type { DataType, El, Env, Evaluator, FieldInfo, ModelResult, OpType, RuleMatch, TargetInfo, Value } from './types.js';
import type { Layout } from './env.js';
import { castTo, categoryKey, INVALID, parseDataType, parseOpType, toNumber, tryParseValue } from './values.js';

export const RESULT_FEATURES = [
  'predictedValue', 'predictedDisplayValue', 'transformedValue', 'decision', 'probability', 'affinity',
  'residual', 'standardError', 'standardDeviation', 'clusterId', 'clusterAffinity', 'entityId', 'entityAffinity',
  'warning', 'ruleValue', 'reasonCode', 'antecedent', 'consequent', 'rule', 'ruleId', 'confidence', 'support',
  'lift', 'leverage',
] as const;
export type ResultFeature = (typeof RESULT_FEATURES)[number];

export interface CompiledOutputField {
  readonly name: string;
  readonly info: FieldInfo;
  readonly feature: ResultFeature;
  /** isFinalResult: false → computed (other fields may use it) but not part of the result. */
  readonly final: boolean;
  readonly get: Evaluator;
}

export interface OutputContext {
  /** Path of the model element. */
  readonly path: string;
  readonly layout: Layout;
  /** Result frame of the model: stateOf(env).results[frame] holds the row's result after Targets. */
  readonly frame: number;
  readonly functionName: string;
  readonly target: TargetInfo | null;
  /** Display values of target categories (Targets TargetValue@displayValue, then DataField Value@displayValue), by categoryKey. */
  readonly displayValues: ReadonlyMap<string, string>;
  /** The target's actual value in the record (for residual), or null when the model has no target field. */
  readonly actual: Evaluator | null;
  /** The result frame of the model of the Segment with this id (segmentId attribute); undefined when there is no such segment. */
  segmentFrame(segmentId: string): number | undefined;
  /** Compiles an expression in the given scope (the output layer). */
  expression(el: El, path: string, scope: LayerScope): Evaluator;
  /** Best-effort static data type of an expression in the output layer. */
  expressionType(el: El, path: string, scope: LayerScope): DataType | undefined;
}

/** Reads the result of a frame for the current row (null when the model did not run for this row). */
export function frameResult(env: Env, frame: number): ModelResult | null {
  const st = stateOf(env);
  return st.resultGen[frame] === st.gen ? st.results[frame] : null;
}

function defaultDataType(feature: ResultFeature, cx: OutputContext, el: El): DataType {
  switch (feature) {
    case 'predictedValue':
      if (cx.target) return cx.target.info.dataType;
      return cx.functionName === 'regression' ? 'double' : 'string';
    case 'predictedDisplayValue': case 'decision': case 'warning': case 'reasonCode': case 'entityId': case 'clusterId':
    case 'antecedent': case 'consequent': case 'rule': case 'ruleId':
      return 'string';
    case 'ruleValue': {
      const rf = el.a.ruleFeature ?? 'consequent';
      return rf === 'antecedent' || rf === 'consequent' || rf === 'rule' || rf === 'ruleId' ? 'string' : 'double';
    }
    default:
      return 'double';
  }
}

/**
 * Compiles the Output element of a model (`outputEl` may be undefined: no output fields).
 * Returns the fields in document order and the output scope layer (over `modelScope`).
 */
export function compileOutput(outputEl: El | undefined, modelScope: LayerScope, cx: OutputContext): { fields: CompiledOutputField[]; scope: LayerScope } {
  const scope = new LayerScope(modelScope, 'Output');
  if (!outputEl) return { fields: [], scope };
  const opath = `${cx.path}/Output`;
  const specs: { el: El; path: string; name: string; feature: ResultFeature; final: boolean }[] = [];
  const seen = new Set<string>();
  for (const of of outputEl.c) {
    if (of.n !== 'OutputField') continue;
    const p0 = childPath(opath, outputEl, of);
    const name = attr(of, 'name', p0);
    const path = `${opath}/OutputField[name=${JSON.stringify(name)}]`;
    if (seen.has(name)) fail(path, `the OutputField ${JSON.stringify(name)} is declared twice`);
    seen.add(name);
    const feature = enumAttr(of, 'feature', RESULT_FEATURES, 'predictedValue', path);
    const final = boolAttr(of, 'isFinalResult', path, true);
    specs.push({ el: of, path, name, feature, final });
  }
  for (const s of specs) {
    scope.define(s.name, (): Binding => {
      const { el: of, path, name, feature } = s;
      const declared = of.a.dataType !== undefined;
      let dataType: DataType;
      if (declared) dataType = parseDataType(of.a.dataType, path);
      else if (feature === 'transformedValue' || feature === 'decision') {
        const e = of.c.find((c) => isExpressionElement(c.n));
        dataType = (e && cx.expressionType(e, childPath(path, of, e), scope)) ?? (feature === 'decision' ? 'string' : 'double');
      } else dataType = defaultDataType(feature, cx, of);
      const optype: OpType = of.a.optype !== undefined ? parseOpType(of.a.optype, dataType, path)
        : feature === 'predictedValue' && cx.target ? cx.target.info.optype : parseOpType(undefined, dataType, path);
      const info: FieldInfo = { name, dataType, optype };
      const compute = compileFeature(of, path, feature, info, cx, scope);
      const cast = declared ? castOrNull(dataType) : null;
      const get = cast ? cached(cx.layout.slot(), (env) => cast(compute(env))) : cached(cx.layout.slot(), compute);
      return { info, get };
    });
  }
  const fields = specs.map((s): CompiledOutputField => {
    const b = scope.resolve(s.name, s.path);
    return { name: s.name, info: b.info, feature: s.feature, final: s.final, get: b.get };
  });
  return { fields, scope };
}

function castOrNull(dt: DataType): (v: Value) => Value {
  if (dt === 'double') return (v) => (typeof v === 'number' ? v : v === null ? null : nullIfInvalid(castTo(v, dt)));
  if (dt === 'string') return (v) => (typeof v === 'string' ? v : v === null ? null : nullIfInvalid(castTo(v, dt)));
  return (v) => nullIfInvalid(castTo(v, dt));
}

function nullIfInvalid(v: Value | typeof INVALID): Value {
  return v === INVALID ? null : v;
}

/** The key of a category named in an OutputField's value attribute, converted to the target's type. */
function categoryKeyOf(text: string, target: TargetInfo | null): string {
  if (target) {
    const v = tryParseValue(text, target.info.dataType);
    if (v !== INVALID && v !== null) return categoryKey(v);
  }
  return text;
}

function compileFeature(el: El, path: string, feature: ResultFeature, info: FieldInfo, cx: OutputContext, scope: LayerScope): Evaluator {
  let frame = cx.frame;
  const segmentId = el.a.segmentId;
  if (segmentId !== undefined) {
    const f = cx.segmentFrame(segmentId);
    if (f === undefined) fail(path, `segmentId="${segmentId}" does not name a Segment of this model`);
    frame = f;
  }
  const targetField = el.a.targetField;
  if (targetField !== undefined && cx.target && targetField !== cx.target.name && segmentId === undefined) {
    // Models predict one target here; a targetField naming another field is not supported.
    if (!scope.has(targetField)) fail(path, `targetField ${JSON.stringify(targetField)} is not a field of the model`);
    unsupported(path, `targetField ${JSON.stringify(targetField)} is not the model's target ${JSON.stringify(cx.target.name)} (multi-target models are not supported)`);
  }
  const valueText = el.a.value;
  const rank = el.a.rank === undefined ? 1 : intAttr(el, 'rank', path);
  if (rank < 1) fail(path, `rank=${rank} must be at least 1`);
  const withResult = (f: (r: ModelResult, env: Env) => Value): Evaluator => (env) => {
    const r = frameResult(env, frame);
    return r === null ? null : f(r, env);
  };

  switch (feature) {
    case 'predictedValue':
      return withResult((r) => (r.value === undefined ? null : r.value));
    case 'predictedDisplayValue': {
      const display = cx.displayValues;
      return withResult((r) => {
        if (r.displayValue !== undefined && r.displayValue !== null) return r.displayValue;
        const v = r.value;
        if (v === null || v === undefined) return null;
        const key = categoryKey(v);
        return display.get(key) ?? key;
      });
    }
    case 'transformedValue':
    case 'decision': {
      const e = el.c.find((c) => isExpressionElement(c.n));
      if (!e) {
        if (feature === 'decision') return fail(path, 'feature="decision" needs an expression (the value whose Decision is reported)');
        return fail(path, 'feature="transformedValue" needs an expression (Apply, FieldRef, ...)');
      }
      const ev = cx.expression(e, childPath(path, el, e), scope);
      if (feature === 'decision') {
        const decisions = child(el, 'Decisions');
        if (decisions) {
          // the decision is the expression's value; it must be one of the Decision values when they are listed
          const allowed = new Set(decisions.c.filter((d) => d.n === 'Decision').map((d) => d.a.value));
          return (env) => {
            const v = ev(env);
            if (v === null) return null;
            const k = categoryKey(v);
            return allowed.size === 0 || allowed.has(k) ? k : null;
          };
        }
      }
      return ev;
    }
    case 'probability': {
      if (valueText === undefined) {
        return withResult((r) => {
          if (!r.probabilities || r.value === null || r.value === undefined) return null;
          return r.probabilities.get(categoryKey(r.value)) ?? null;
        });
      }
      const key = categoryKeyOf(valueText, cx.target);
      return withResult((r) => r.probabilities?.get(key) ?? (r.probabilities ? 0 : null));
    }
    case 'confidence': {
      if (valueText === undefined) {
        return withResult((r) => {
          if (r.rules) return ruleFeature(r, el, path, 'confidence', rank);
          if (!r.confidences || r.value === null || r.value === undefined) return null;
          return r.confidences.get(categoryKey(r.value)) ?? null;
        });
      }
      const key = categoryKeyOf(valueText, cx.target);
      return withResult((r) => r.confidences?.get(key) ?? null);
    }
    case 'residual': {
      const actual = cx.actual;
      if (!actual) return fail(path, 'feature="residual" needs a target field in the MiningSchema');
      const continuous = cx.target!.info.optype === 'continuous';
      if (continuous) {
        return withResult((r, env) => {
          const a = actual(env);
          if (a === null || r.value === null || r.value === undefined) return null;
          return toNumber(a) - toNumber(r.value);
        });
      }
      const key = valueText === undefined ? null : categoryKeyOf(valueText, cx.target);
      return withResult((r, env) => {
        const a = actual(env);
        if (a === null || !r.probabilities) return null;
        const ak = categoryKey(a);
        if (key === null) return 1 - (r.probabilities.get(ak) ?? 0);
        return (ak === key ? 1 : 0) - (r.probabilities.get(key) ?? 0);
      });
    }
    case 'standardError':
    case 'standardDeviation':
      return withResult((r) => r.standardError ?? null);
    case 'entityId':
    case 'clusterId':
      if (el.a.rank !== undefined) return withResult((r) => r.entities?.[rank - 1]?.id ?? null);
      return withResult((r) => r.entityId ?? r.entities?.[0]?.id ?? (feature === 'clusterId' && r.value !== null && r.value !== undefined ? categoryKey(r.value) : null));
    case 'affinity':
    case 'entityAffinity':
    case 'clusterAffinity': {
      if (valueText !== undefined) {
        return withResult((r) => {
          if (r.rules) return null;
          const es = r.entities;
          if (!es) return null;
          for (const e of es) if (e.id === valueText) return e.affinity;
          return null;
        });
      }
      if (el.a.rank !== undefined) return withResult((r) => (r.rules ? ruleFeature(r, el, path, 'affinity', rank) : r.entities?.[rank - 1]?.affinity ?? null));
      return withResult((r) => {
        if (r.rules) return ruleFeature(r, el, path, 'affinity', rank);
        const es = r.entities;
        if (!es || es.length === 0) return null;
        if (r.entityId !== undefined && r.entityId !== null) {
          for (const e of es) if (e.id === r.entityId) return e.affinity;
        }
        return es[0].affinity;
      });
    }
    case 'warning':
      return withResult((r) => (r.warnings && r.warnings.length > 0 ? r.warnings.join('; ') : null));
    case 'reasonCode':
      return withResult((r) => r.reasonCodes?.[rank - 1] ?? null);
    case 'ruleValue': {
      const rf = enumAttr(el, 'ruleFeature', ['antecedent', 'consequent', 'rule', 'ruleId', 'support', 'confidence', 'lift', 'leverage', 'affinity'] as const, 'consequent', path);
      return withResult((r) => ruleFeature(r, el, path, rf, rank));
    }
    case 'antecedent': case 'consequent': case 'rule': case 'ruleId': case 'support': case 'lift': case 'leverage':
      return withResult((r) => ruleFeature(r, el, path, feature, rank));
  }
}

// ---------------------------------------------------------------------------
// Association rules.

type RuleFeatureName = 'antecedent' | 'consequent' | 'rule' | 'ruleId' | 'support' | 'confidence' | 'lift' | 'leverage' | 'affinity';

interface RuleSelector {
  readonly algorithm: 'recommendation' | 'exclusiveRecommendation' | 'ruleAssociation';
  readonly basis: 'confidence' | 'support' | 'lift' | 'leverage' | 'affinity';
  readonly descending: boolean;
  readonly multi: boolean;
}

const selectors = new WeakMap<El, RuleSelector>();

function selectorOf(el: El, path: string): RuleSelector {
  let s = selectors.get(el);
  if (!s) {
    s = {
      algorithm: enumAttr(el, 'algorithm', ['recommendation', 'exclusiveRecommendation', 'ruleAssociation'] as const, 'exclusiveRecommendation', path),
      basis: enumAttr(el, 'rankBasis', ['confidence', 'support', 'lift', 'leverage', 'affinity'] as const, 'confidence', path),
      descending: enumAttr(el, 'rankOrder', ['descending', 'ascending'] as const, 'descending', path) === 'descending',
      multi: boolAttr(el, 'isMultiValued', path, false),
    };
    selectors.set(el, s);
  }
  return s;
}

function basisValue(m: RuleMatch, basis: RuleSelector['basis']): number {
  const v = m[basis];
  return v === null ? NaN : v;
}

/** The rules of the selected algorithm, ordered by rankBasis/rankOrder (stable: ties keep the model's order). */
export function rankedRules(r: ModelResult, sel: RuleSelector): readonly RuleMatch[] {
  const list = r.rules?.[sel.algorithm];
  if (!list || list.length === 0) return [];
  const sign = sel.descending ? -1 : 1;
  return list
    .map((m, i) => ({ m, i, k: basisValue(m, sel.basis) }))
    .sort((a, b) => {
      const ka = Number.isNaN(a.k) ? -Infinity * sign : a.k;
      const kb = Number.isNaN(b.k) ? -Infinity * sign : b.k;
      if (ka !== kb) return ka < kb ? -sign : sign;
      return a.i - b.i;
    })
    .map((x) => x.m);
}

function itemsText(items: readonly string[]): string {
  return `{${items.join(',')}}`;
}

function ruleValueOf(m: RuleMatch, f: RuleFeatureName): Value {
  switch (f) {
    case 'antecedent': return itemsText(m.antecedent);
    case 'consequent': return itemsText(m.consequent);
    case 'rule': return `${itemsText(m.antecedent)}->${itemsText(m.consequent)}`;
    case 'ruleId': return m.id;
    default: return m[f];
  }
}

function ruleFeature(r: ModelResult, el: El, path: string, f: RuleFeatureName, rank: number): Value {
  const sel = selectorOf(el, path);
  const ranked = rankedRules(r, sel);
  if (sel.multi) {
    if (ranked.length === 0) return null;
    return ranked.slice(0, rank).map((m) => String(ruleValueOf(m, f))).join(';');
  }
  const m = ranked[rank - 1];
  return m === undefined ? null : ruleValueOf(m, f);
}
