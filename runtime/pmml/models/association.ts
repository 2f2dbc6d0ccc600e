// AssociationModel: Items, Itemsets (sets of item references) and AssociationRules
// (antecedent itemset ⇒ consequent itemset, with support, confidence, lift,
// leverage, affinity). Scoring a transaction selects, for each of the three
// algorithms of the Output element's ruleValue features, the rules that apply:
//
//   recommendation           the antecedent is a subset of the transaction's items;
//   exclusiveRecommendation  the antecedent is a subset and the consequent is not
//                            (the rule would recommend something the transaction lacks);
//   ruleAssociation          antecedent and consequent are both subsets.
//
// Rules stay in document order in each list; output.ts ranks them (rankBasis, rankOrder).
// A rule's id is its `id`, else its 1-based position among the AssociationRules.
//
// How items are found in the input (the two data styles of PMML association models):
// - Transactional (one MiningField usageType="group", one active field): the active field
//   holds the transaction's items (the caller passes an array per transaction, ctx.items);
//   an Item matches when one of them equals its value (Item@category when given).
// - Categorical (no group field): an Item names a field: Item@field with Item@category, or a
//   value that is a field name (a true/false field: the item is present when it is true), or
//   "field=category".
//
// Compile time: items → dense indices, itemsets → Int32Array of item indices, rules → the
// precomputed RuleMatch objects the result lists share. Per row: present items are marked in
// a preallocated Uint8Array (stamped per row), itemset membership is one pass.

import { childPath, children, fail, numAttr, optNumAttr } from '../el.js';
import type { El, Env, ModelCompiler, ModelResult, RuleMatch, Value } from '../types.js';
import { categoryKey, tryParseValue, INVALID } from '../values.js';

/** One source of items: a field whose value(s) are looked up by category key. */
interface ItemSource {
  readonly get: (env: Env) => readonly Value[];
  /** categoryKey(value) → item indices present when the field has that value. */
  readonly byKey: Map<string, number[]>;
  /** Items that are present when the field's value is true (true/false fields). */
  readonly whenTrue: number[];
}

export const associationModel: ModelCompiler = {
  element: 'AssociationModel',
  compile(el, ctx) {
    const path = ctx.path;
    if (ctx.functionName !== 'associationRules') fail(path, `functionName="${ctx.functionName}" is not associationRules`);

    const groupFields = groupFieldNames(el);
    if (groupFields.length > 1) fail(`${path}/MiningSchema`, `an AssociationModel has at most one group field, not ${groupFields.length}`);
    const transactional = groupFields.length === 1;
    if (transactional && ctx.activeFields.length !== 1) {
      fail(`${path}/MiningSchema`, `a transactional AssociationModel (group field "${groupFields[0]}") needs exactly one active field, not ${ctx.activeFields.length}`);
    }

    // Items.
    const itemEls = children(el, 'Item');
    const itemIndex = new Map<string, number>();
    const itemValues: string[] = [];
    const sources = new Map<string, ItemSource>();
    const sourceFor = (name: string, p: string): ItemSource => {
      let s = sources.get(name);
      if (!s) {
        s = { get: ctx.items(name, p), byKey: new Map(), whenTrue: [] };
        sources.set(name, s);
      }
      return s;
    };
    const addCategory = (src: ItemSource, name: string, category: string, index: number, p: string): void => {
      const info = ctx.scope.resolve(name, p).info;
      const v = tryParseValue(category, info.dataType);
      // A category that cannot be a value of the field never matches (no compile error: the
      // item list is descriptive data of the training set).
      const key = v === INVALID || v === null ? `\u0000${category}` : categoryKey(v);
      const list = src.byKey.get(key);
      if (list) list.push(index);
      else src.byKey.set(key, [index]);
    };
    itemEls.forEach((it, index) => {
      const p = childPath(path, el, it);
      const id = it.a.id ?? fail(p, '<Item> needs the attribute id');
      const value = it.a.value ?? fail(p, '<Item> needs the attribute value');
      if (itemIndex.has(id)) fail(p, `item id "${id}" is used by an earlier Item`);
      itemIndex.set(id, index);
      itemValues.push(value);
      const field = it.a.field;
      const category = it.a.category;
      if (transactional) {
        const name = field ?? ctx.activeFields[0].name;
        addCategory(sourceFor(name, p), name, category ?? value, index, p);
        return;
      }
      if (field !== undefined) {
        if (category === undefined) fail(p, '<Item field="..."> needs the attribute category');
        addCategory(sourceFor(field, p), field, category, index, p);
        return;
      }
      // "The item values are based on field names when the field has only true/false values."
      if (ctx.scope.has(value)) {
        sourceFor(value, p).whenTrue.push(index);
        return;
      }
      const eq = value.indexOf('=');
      if (eq > 0 && ctx.scope.has(value.slice(0, eq))) {
        const name = value.slice(0, eq);
        addCategory(sourceFor(name, p), name, value.slice(eq + 1), index, p);
        return;
      }
      fail(p, `item value "${value}" names no field (expected a field name, "field=category", or Item@field)`);
    });

    // Itemsets.
    const itemsetIndex = new Map<string, number>();
    const itemsets: Int32Array[] = [];
    const itemsetValues: string[][] = [];
    for (const s of children(el, 'Itemset')) {
      const p = childPath(path, el, s);
      const id = s.a.id ?? fail(p, '<Itemset> needs the attribute id');
      if (itemsetIndex.has(id)) fail(p, `itemset id "${id}" is used by an earlier Itemset`);
      const refs = children(s, 'ItemRef').map((r) => {
        const ref = r.a.itemRef ?? fail(p, '<ItemRef> needs the attribute itemRef');
        const i = itemIndex.get(ref);
        if (i === undefined) fail(p, `itemRef="${ref}" names no Item`);
        return i;
      });
      itemsetIndex.set(id, itemsets.length);
      itemsets.push(Int32Array.from(refs));
      itemsetValues.push(refs.map((i) => itemValues[i]));
    }

    // Rules.
    const ruleEls = children(el, 'AssociationRule');
    const antecedents = new Int32Array(ruleEls.length);
    const consequents = new Int32Array(ruleEls.length);
    const matches: RuleMatch[] = ruleEls.map((r, index) => {
      const p = childPath(path, el, r);
      const set = (name: 'antecedent' | 'consequent'): number => {
        const ref = r.a[name] ?? fail(p, `<AssociationRule> needs the attribute ${name}`);
        const i = itemsetIndex.get(ref);
        if (i === undefined) fail(p, `${name}="${ref}" names no Itemset`);
        return i;
      };
      antecedents[index] = set('antecedent');
      consequents[index] = set('consequent');
      return {
        id: r.a.id ?? String(index + 1),
        antecedent: itemsetValues[antecedents[index]],
        consequent: itemsetValues[consequents[index]],
        support: numAttr(r, 'support', p),
        confidence: numAttr(r, 'confidence', p),
        lift: optNumAttr(r, 'lift', p) ?? null,
        leverage: optNumAttr(r, 'leverage', p) ?? null,
        affinity: optNumAttr(r, 'affinity', p) ?? null,
      };
    });

    const sourceList = [...sources.values()];
    const present = new Int32Array(itemEls.length);
    const inSet = new Uint8Array(itemsets.length);
    let stamp = 0;

    return (env: Env): ModelResult => {
      if (++stamp === 0x7fffffff) {
        present.fill(0);
        stamp = 1;
      }
      for (const src of sourceList) {
        const values = src.get(env);
        for (const v of values) {
          if (v === null) continue;
          const hits = src.byKey.get(categoryKey(v));
          if (hits) for (const i of hits) present[i] = stamp;
          if (src.whenTrue.length > 0 && isTrue(v)) for (const i of src.whenTrue) present[i] = stamp;
        }
      }
      for (let s = 0; s < itemsets.length; s++) {
        const set = itemsets[s];
        let all = 1;
        for (let j = 0; j < set.length; j++) {
          if (present[set[j]] !== stamp) {
            all = 0;
            break;
          }
        }
        inSet[s] = all;
      }
      const recommendation: RuleMatch[] = [];
      const exclusiveRecommendation: RuleMatch[] = [];
      const ruleAssociation: RuleMatch[] = [];
      for (let r = 0; r < matches.length; r++) {
        if (inSet[antecedents[r]] === 0) continue;
        recommendation.push(matches[r]);
        if (inSet[consequents[r]] === 0) exclusiveRecommendation.push(matches[r]);
        else ruleAssociation.push(matches[r]);
      }
      return { value: null, rules: { recommendation, exclusiveRecommendation, ruleAssociation } };
    };
  },
};

/** Names of the MiningFields with usageType="group". */
function groupFieldNames(el: El): string[] {
  const ms = el.c.find((c) => c.n === 'MiningSchema');
  if (!ms) return [];
  return ms.c.filter((f) => f.n === 'MiningField' && f.a.usageType === 'group').map((f) => f.a.name ?? '');
}

function isTrue(v: Value): boolean {
  return v === true || v === 1 || v === 'true' || v === 'TRUE' || v === 'True' || v === '1';
}


