// RuleSetModel: a RuleSet of SimpleRules (predicate → score, with confidence and
// weight) and CompoundRules (a predicate guarding nested rules), combined by the
// first RuleSelectionMethod: firstHit, weightedSum or weightedMax.
//
// "If the rule's predicate evaluates to TRUE on the instance, the rule is said to fire."
// "If missing values in fields mentioned in a rule's predicate cause the predicate to
// evaluate to UNKNOWN, the rule does not fire."
// "If more than one method is included, the first method is used as the default method
// for scoring."
//
// Compile time: every SimpleRule gets an index (document order, depth first) and every
// distinct score a key index; the rule tree keeps only predicates and indices. Per row
// the firing rules are collected into a preallocated index buffer; the criterion then
// works on typed arrays. The implicit id of a rule without `id` is its 1-based index
// among the SimpleRules (document order, nested rules included).

import { childPath, enumAttr, fail, numAttr, requireChild } from '../el.js';
import type { El, Env, ModelCompiler, ModelContext, ModelResult, Predicate, Value } from '../types.js';
import { categoryKey, parseValue } from '../values.js';

type Criterion = 'firstHit' | 'weightedSum' | 'weightedMax';

const PREDICATES = new Set(['SimplePredicate', 'CompoundPredicate', 'SimpleSetPredicate', 'True', 'False']);

/** A compiled rule: a SimpleRule (index ≥ 0) or a CompoundRule (its nested rules). */
interface RuleNode {
  readonly predicate: Predicate;
  readonly simple: number;
  readonly rules: readonly RuleNode[];
}

interface SimpleRuleInfo {
  readonly id: string;
  readonly score: Value;
  readonly key: number;
  readonly confidence: number;
  readonly weight: number;
  readonly probabilities: ReadonlyMap<string, number> | undefined;
}

export const ruleSetModel: ModelCompiler = {
  element: 'RuleSetModel',
  compile(el, ctx) {
    const path = ctx.path;
    if (ctx.functionName !== 'classification' && ctx.functionName !== 'regression') {
      fail(path, `functionName="${ctx.functionName}" is not classification or regression`);
    }
    const ruleSet = requireChild(el, 'RuleSet', path);
    const rpath = `${path}/RuleSet`;
    const methods = ruleSet.c.filter((c) => c.n === 'RuleSelectionMethod');
    if (methods.length === 0) fail(rpath, '<RuleSet> needs at least one <RuleSelectionMethod>');
    const criterion: Criterion = enumAttr(methods[0], 'criterion', ['firstHit', 'weightedSum', 'weightedMax'] as const, undefined,
      childPath(rpath, ruleSet, methods[0]));

    const scoreOf = (text: string, p: string): Value => (ctx.target ? parseValue(text, ctx.target.info.dataType, p) : text);

    // Distinct scores (keys), in order of first appearance; ties of weightedSum follow the
    // target's categories ("the winning class is the one that appears first in the data
    // dictionary values"), then this order.
    const keys: string[] = [];
    const keyIndex = new Map<string, number>();
    const keyOf = (v: Value): number => {
      const k = categoryKey(v);
      let i = keyIndex.get(k);
      if (i === undefined) {
        i = keys.length;
        keys.push(k);
        keyIndex.set(k, i);
      }
      return i;
    };

    const rules: SimpleRuleInfo[] = [];
    const compileRules = (parent: El, ppath: string): RuleNode[] => {
      const out: RuleNode[] = [];
      for (const r of parent.c) {
        if (r.n !== 'SimpleRule' && r.n !== 'CompoundRule') continue;
        const p = childPath(ppath, parent, r);
        const predEl = r.c.find((c) => PREDICATES.has(c.n)) ?? fail(p, `<${r.n}> needs a predicate`);
        const predicate = ctx.predicate(predEl, `${p}/${predEl.n}`);
        if (r.n === 'CompoundRule') {
          const nested = compileRules(r, p);
          if (nested.length === 0) fail(p, '<CompoundRule> needs at least one nested rule');
          out.push({ predicate, simple: -1, rules: nested });
          continue;
        }
        const scoreText = r.a.score ?? fail(p, '<SimpleRule> needs the attribute score');
        const score = scoreOf(scoreText, p);
        const index = rules.length;
        rules.push({
          id: r.a.id ?? String(index + 1),
          score,
          key: keyOf(score),
          confidence: numAttr(r, 'confidence', p, 1),
          weight: numAttr(r, 'weight', p, 1),
          probabilities: scoreDistribution(r, p, ctx),
        });
        out.push({ predicate, simple: index, rules: [] });
      }
      return out;
    };
    const tree = compileRules(ruleSet, rpath);

    // No rule fires: "The value of defaultScore serves as the default predicted value when
    // scoring a case no rules in the ruleset fire", with defaultConfidence.
    const defaultScore = ruleSet.a.defaultScore === undefined ? null : scoreOf(ruleSet.a.defaultScore, rpath);
    const defaultConfidence = ruleSet.a.defaultConfidence === undefined ? undefined : numAttr(ruleSet, 'defaultConfidence', rpath);
    const defaultProbabilities = scoreDistribution(ruleSet, rpath, ctx);
    const defaultResult: ModelResult = defaultScore === null
      ? { value: null }
      : {
        value: defaultScore,
        confidences: defaultConfidence === undefined ? undefined : new Map([[categoryKey(defaultScore), defaultConfidence]]),
        probabilities: defaultProbabilities,
        entityId: null,
      };

    // weightedSum tie order: target categories first, then first appearance.
    const keyRank = new Int32Array(keys.length).map((_, i) => i + (ctx.target?.categories.length ?? 0));
    ctx.target?.categories.forEach((c, i) => {
      const k = keyIndex.get(categoryKey(c));
      if (k !== undefined) keyRank[k] = Math.min(keyRank[k], i);
    });

    const m = rules.length;
    const nk = keys.length;
    const fired = new Int32Array(m);
    const keyTotal = new Float64Array(nk);
    const keyBest = new Int32Array(nk);
    const keyFirst = new Int32Array(nk);
    const keySeen = new Int32Array(nk);
    const keyOrder = new Int32Array(nk);
    let stamp = 0;
    let count = 0;

    const walk = (nodes: readonly RuleNode[], env: Env): void => {
      for (const node of nodes) {
        if (node.predicate(env) !== true) continue;
        if (node.simple >= 0) fired[count++] = node.simple;
        else walk(node.rules, env);
      }
    };

    return (env: Env): ModelResult => {
      count = 0;
      walk(tree, env);
      if (count === 0) return defaultResult;
      // Per key: the first firing rule (firstHit), the highest-weight rule (weightedMax,
      // first on ties) and the total weight (weightedSum); keys in firing order.
      if (++stamp === 0x7fffffff) {
        keySeen.fill(0);
        stamp = 1;
      }
      let distinct = 0;
      for (let j = 0; j < count; j++) {
        const r = rules[fired[j]];
        const k = r.key;
        if (keySeen[k] !== stamp) {
          keySeen[k] = stamp;
          keyOrder[distinct++] = k;
          keyTotal[k] = r.weight;
          keyBest[k] = fired[j];
          keyFirst[k] = fired[j];
        } else {
          keyTotal[k] += r.weight;
          if (r.weight > rules[keyBest[k]].weight) keyBest[k] = fired[j];
        }
      }
      const confidences = new Map<string, number>();
      let winner: SimpleRuleInfo;
      switch (criterion) {
        case 'firstHit':
          // "First firing rule is chosen as the predicted class, and the confidence is the
          // confidence of that rule. If further predictions and confidences are required, a
          // search for the next firing rule that chooses a different predicted class is made."
          winner = rules[fired[0]];
          for (let d = 0; d < distinct; d++) {
            const k = keyOrder[d];
            confidences.set(keys[k], rules[keyFirst[k]].confidence);
          }
          break;
        case 'weightedMax': {
          // "Select the firing rule with the highest weight. The confidence returned is the
          // confidence of the selected rule. [...] if two firing rules have the same weight,
          // the rule that occurs first in the ruleset is chosen."
          let best = fired[0];
          for (let j = 1; j < count; j++) if (rules[fired[j]].weight > rules[best].weight) best = fired[j];
          winner = rules[best];
          for (let d = 0; d < distinct; d++) {
            const k = keyOrder[d];
            confidences.set(keys[k], rules[keyBest[k]].confidence);
          }
          break;
        }
        default: {
          // "Calculate the total weight for each class by summing the weights for each firing
          // rule which predicts that class. The prediction with the highest total weight is then
          // selected. The confidence is the total weight of the winning class divided by the
          // number of firing rules."
          let bestKey = keyOrder[0];
          for (let d = 0; d < distinct; d++) {
            const k = keyOrder[d];
            confidences.set(keys[k], keyTotal[k] / count);
            if (keyTotal[k] > keyTotal[bestKey] || (keyTotal[k] === keyTotal[bestKey] && keyRank[k] < keyRank[bestKey])) bestKey = k;
          }
          winner = rules[keyBest[bestKey]];
          return { value: winner.score, confidences, entityId: winner.id };
        }
      }
      return { value: winner.score, confidences, probabilities: winner.probabilities, entityId: winner.id };
    };
  },
};

/**
 * ScoreDistribution children: probability per value (its `probability`, else
 * recordCount / total recordCount); undefined without ScoreDistribution.
 */
function scoreDistribution(el: El, path: string, ctx: ModelContext): ReadonlyMap<string, number> | undefined {
  const sds = el.c.filter((c) => c.n === 'ScoreDistribution');
  if (sds.length === 0) return undefined;
  const entries = sds.map((sd) => {
    const p = childPath(path, el, sd);
    const text = sd.a.value ?? fail(p, '<ScoreDistribution> needs the attribute value');
    const v = ctx.target ? parseValue(text, ctx.target.info.dataType, p) : text;
    return { key: categoryKey(v), count: numAttr(sd, 'recordCount', p, 0), probability: sd.a.probability === undefined ? undefined : numAttr(sd, 'probability', p) };
  });
  const total = entries.reduce((s, e) => s + e.count, 0);
  const out = new Map<string, number>();
  for (const e of entries) {
    const pr = e.probability ?? (total > 0 ? e.count / total : NaN);
    if (pr === pr) out.set(e.key, pr);
  }
  return out.size > 0 ? out : undefined;
}
