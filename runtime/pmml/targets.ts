// Targets: post-processing of a model's prediction. For regression: default value
// when there is no prediction, then min/max clamping, rescaleFactor, rescaleConstant
// and castInteger, in that order (PMML 4.4 Targets). For classification: prior
// probabilities when the model yields no prediction; display values of categories.

import { child, children, childPath, enumAttr, fail, optNumAttr } from './el.js';
import type { DataType, El, ModelResult, OpType, Value } from './types.js';
import { categoryKey, parseOpType, parseValue } from './values.js';

export interface CompiledTargets {
  /** The Target element that applies to the model's target (or to a model without a target field). */
  readonly present: boolean;
  /** Target@optype when given (it overrides the MiningField's and the DataField's). */
  readonly optype?: OpType;
  /** TargetValue values (converted to the target's data type) in document order. */
  readonly categories: readonly Value[];
  /** displayValue of TargetValues by categoryKey. */
  readonly displayValues: ReadonlyMap<string, string>;
  /** Applies the Target to one result (returns the same object when nothing changes). */
  apply(r: ModelResult): ModelResult;
}

const IDENTITY: CompiledTargets = {
  present: false,
  categories: [],
  displayValues: new Map(),
  apply: (r) => r,
};

/**
 * Compiles the Targets element of a model for its target field `targetName` (null when the
 * model has no target field) of type `dataType`. `regression` selects the numeric treatment.
 */
export function compileTargets(modelEl: El, modelPath: string, targetName: string | null, dataType: DataType, regression: boolean): CompiledTargets {
  const targetsEl = child(modelEl, 'Targets');
  if (!targetsEl) return IDENTITY;
  const tpath = `${modelPath}/Targets`;
  const all = children(targetsEl, 'Target');
  let el: El | undefined;
  if (targetName !== null) el = all.find((t) => t.a.field === targetName);
  if (!el) el = all.find((t) => t.a.field === undefined) ?? (all.length === 1 && targetName === null ? all[0] : undefined);
  if (!el) return IDENTITY;
  const path = childPath(tpath, targetsEl, el);
  const optype = el.a.optype === undefined ? undefined : parseOpType(el.a.optype, dataType, path);
  const isRegression = optype === undefined ? regression : optype === 'continuous';

  const categories: Value[] = [];
  const displayValues = new Map<string, string>();
  const priors = new Map<string, number>();
  const priorValues: Value[] = [];
  let defaultValue: number | undefined;
  for (const tv of children(el, 'TargetValue')) {
    const p = childPath(path, el, tv);
    if (tv.a.defaultValue !== undefined && defaultValue === undefined) defaultValue = optNumAttr(tv, 'defaultValue', p);
    if (tv.a.value === undefined) continue;
    const v = parseValue(tv.a.value, isRegression && dataType === 'string' ? 'string' : dataType, p);
    const key = categoryKey(v);
    categories.push(v);
    if (tv.a.displayValue !== undefined) displayValues.set(key, tv.a.displayValue);
    const prior = optNumAttr(tv, 'priorProbability', p);
    if (prior !== undefined) {
      if (prior < 0 || prior > 1) fail(p, `priorProbability=${prior} is not a probability`);
      priors.set(key, prior);
      priorValues.push(v);
    }
  }

  if (isRegression) {
    const min = optNumAttr(el, 'min', path);
    const max = optNumAttr(el, 'max', path);
    const factor = optNumAttr(el, 'rescaleFactor', path) ?? 1;
    const constant = optNumAttr(el, 'rescaleConstant', path) ?? 0;
    const cast = el.a.castInteger === undefined ? undefined : enumAttr(el, 'castInteger', ['round', 'ceiling', 'floor'] as const, undefined, path);
    if (min !== undefined && max !== undefined && min > max) fail(path, `min ${min} is greater than max ${max}`);
    const post = (x: number): number => {
      let y = x;
      if (min !== undefined && y < min) y = min;
      if (max !== undefined && y > max) y = max;
      y = y * factor + constant;
      if (cast === 'round') y = Math.round(y);
      else if (cast === 'ceiling') y = Math.ceil(y);
      else if (cast === 'floor') y = Math.floor(y);
      return y;
    };
    const transforms = min !== undefined || max !== undefined || factor !== 1 || constant !== 0 || cast !== undefined;
    const apply = (r: ModelResult): ModelResult => {
      const v = r.value;
      if (v === null || v === undefined) {
        if (defaultValue === undefined) return r;
        return { ...r, value: defaultValue };
      }
      if (!transforms || typeof v !== 'number') return r;
      return { ...r, value: post(v) };
    };
    return { present: true, optype, categories, displayValues, apply };
  }

  // classification: prior probabilities stand in for a model without a prediction
  let apply: (r: ModelResult) => ModelResult = (r) => r;
  if (priors.size > 0) {
    let best: Value = null;
    let bestP = -Infinity;
    for (const v of priorValues) {
      const p = priors.get(categoryKey(v))!;
      if (p > bestP) {
        best = v;
        bestP = p;
      }
    }
    const winner = best;
    const dist: ReadonlyMap<string, number> = priors;
    apply = (r) => {
      if (r.value !== null && r.value !== undefined) return r;
      if (r.probabilities && r.probabilities.size > 0) return r;
      return { ...r, value: winner, probabilities: dist };
    };
  } else if (defaultValue !== undefined) {
    const dv = defaultValue;
    apply = (r) => (r.value === null || r.value === undefined ? { ...r, value: dv } : r);
  }
  return { present: true, optype, categories, displayValues, apply };
}
