// Test support for the PMML core: tiny stand-in model compilers (so the core's
// tests do not depend on the real model compilers) and a compile helper.

import assert from 'node:assert/strict';
import { decodePmmlXml } from '../../src/frontends/pmml/xml.js';
import { compileDocument, type CompiledDocument } from '../../runtime/pmml/document.js';
import { child, children, childPath } from '../../runtime/pmml/el.js';
import { predicateChild } from '../../runtime/pmml/predicates.js';
import type { El, Env, ModelCompiler, ModelResult, Predicate, RuleMatch, Value } from '../../runtime/pmml/types.js';
import { categoryKey, parseValue, toNumber } from '../../runtime/pmml/values.js';

/** RegressionModel stand-in: value = intercept + Σ coefficient·field (missing input → no prediction). */
export const fakeRegression: ModelCompiler = {
  element: 'RegressionModel',
  compile(el, ctx) {
    const table = child(el, 'RegressionTable')!;
    const intercept = Number(table.a.intercept ?? 0);
    const terms = children(table, 'NumericPredictor').map((p) => ({ get: ctx.scope.resolve(p.a.name, ctx.path).get, c: Number(p.a.coefficient) }));
    return (env) => {
      let s = intercept;
      for (const t of terms) {
        const v = t.get(env);
        if (v === null) return { value: null };
        s += t.c * toNumber(v);
      }
      return { value: s, raw: s };
    };
  },
};

interface FakeNode {
  readonly id: string | null;
  readonly predicate: Predicate;
  readonly score: Value;
  readonly probabilities?: ReadonlyMap<string, number>;
  readonly confidences?: ReadonlyMap<string, number>;
  readonly children: readonly FakeNode[];
}

/** TreeModel stand-in: descends into the first child whose predicate is true; stops (last prediction) otherwise. */
export const fakeTree: ModelCompiler = {
  element: 'TreeModel',
  compile(el, ctx) {
    const dt = ctx.target?.info.dataType ?? 'string';
    const build = (node: El, path: string): FakeNode => {
      const pe = predicateChild(node)!;
      const sds = children(node, 'ScoreDistribution');
      let probabilities: Map<string, number> | undefined;
      let confidences: Map<string, number> | undefined;
      if (sds.length > 0) {
        const total = sds.reduce((a, s) => a + Number(s.a.recordCount), 0);
        probabilities = new Map(sds.map((s) => [categoryKey(parseValue(s.a.value, dt, path)), s.a.probability !== undefined ? Number(s.a.probability) : Number(s.a.recordCount) / total]));
        if (sds.some((s) => s.a.confidence !== undefined)) confidences = new Map(sds.map((s) => [categoryKey(parseValue(s.a.value, dt, path)), Number(s.a.confidence)]));
      }
      return {
        id: node.a.id ?? null,
        predicate: ctx.predicate(pe, childPath(path, node, pe)),
        score: node.a.score === undefined ? null : parseValue(node.a.score, ctx.functionName === 'regression' ? 'double' : dt, path),
        probabilities,
        confidences,
        children: children(node, 'Node').map((c) => build(c, childPath(path, node, c))),
      };
    };
    const rootEl = child(el, 'Node')!;
    const root = build(rootEl, childPath(ctx.path, el, rootEl));
    return (env) => {
      if (root.predicate(env) !== true) return { value: null };
      let n = root;
      for (;;) {
        const next = n.children.find((c) => c.predicate(env) === true);
        if (!next) break;
        n = next;
      }
      return { value: n.score, probabilities: n.probabilities, confidences: n.confidences, entityId: n.id };
    };
  },
};

/** MiningModel stand-in: modelChain (last result) or sum of the segments' values. */
export const fakeMining: ModelCompiler = {
  element: 'MiningModel',
  compile(el, ctx) {
    const seg = child(el, 'Segmentation')!;
    const segPath = `${ctx.path}/Segmentation`;
    const method = seg.a.multipleModelMethod;
    const chained: { name: string; dataType: 'double' | 'string'; optype: 'continuous' | 'categorical' }[] = [];
    const segments = children(seg, 'Segment').map((s) => {
      const sp = childPath(segPath, seg, s);
      const pe = predicateChild(s)!;
      const me = s.c.find((c) => c.n.endsWith('Model'))!;
      const predicate = ctx.predicate(pe, childPath(sp, s, pe));
      const model = ctx.nested(me, childPath(sp, s, me), method === 'modelChain' ? [...chained] : undefined);
      for (const f of model.outputFields) chained.push({ name: f.name, dataType: f.dataType === 'string' ? 'string' : 'double', optype: f.optype === 'continuous' ? 'continuous' : 'categorical' });
      return { predicate, model };
    });
    return (env: Env): ModelResult => {
      if (method === 'modelChain') {
        const values = new Map<string, Value>();
        let e = env;
        let last: ModelResult = { value: null };
        for (const s of segments) {
          if (s.predicate(e) !== true) continue;
          const { result, outputs } = s.model.evaluate(e);
          for (const [k, v] of outputs) values.set(k, v);
          e = ctx.extend(env, values);
          last = result;
        }
        return last;
      }
      let sum = 0;
      for (const s of segments) {
        if (s.predicate(env) !== true) continue;
        const v = s.model.evaluate(env).result.value;
        if (v === null) return { value: null };
        sum += toNumber(v);
      }
      return { value: sum };
    };
  },
};

/** ClusteringModel stand-in: one continuous field, clusters with a center; affinity = |x − center|, nearest first. */
export const fakeClustering: ModelCompiler = {
  element: 'ClusteringModel',
  compile(el, ctx) {
    const get = ctx.activeFields.length > 0 ? ctx.scope.resolve(ctx.activeFields[0].name, ctx.path).get : () => null;
    const clusters = children(el, 'Cluster').map((c, i) => ({ id: c.a.id ?? String(i + 1), name: c.a.name ?? null, center: Number(c.a.center) }));
    return (env) => {
      const x = get(env);
      if (x === null) return { value: null };
      const entities = clusters.map((c) => ({ id: c.id, affinity: Math.abs(toNumber(x) - c.center) })).sort((a, b) => a.affinity - b.affinity);
      const best = clusters.find((c) => c.id === entities[0].id)!;
      return { value: best.id, entityId: best.id, displayValue: best.name, entities };
    };
  },
};

/** AssociationModel stand-in: rules whose antecedent items are all in the transaction fire (ruleAssociation and exclusiveRecommendation). */
export const fakeAssociation: ModelCompiler = {
  element: 'AssociationModel',
  compile(el, ctx) {
    const active = ctx.activeFields[0].name;
    const items = ctx.items(active, ctx.path);
    const rules: RuleMatch[] = children(el, 'AssociationRule').map((r) => ({
      id: r.a.id ?? null,
      antecedent: r.a.antecedent.split(' '),
      consequent: r.a.consequent.split(' '),
      support: Number(r.a.support),
      confidence: Number(r.a.confidence),
      lift: r.a.lift === undefined ? null : Number(r.a.lift),
      leverage: null,
      affinity: null,
    }));
    return (env) => {
      const have = new Set(items(env).map((v) => categoryKey(v)));
      const fired = rules.filter((r) => r.antecedent.every((a) => have.has(a)));
      const exclusive = fired.filter((r) => r.consequent.every((c) => !have.has(c)));
      return { value: null, rules: { recommendation: fired, exclusiveRecommendation: exclusive, ruleAssociation: fired } };
    };
  },
};

/** Scorecard stand-in: fixed reason codes from the element's `codes` attribute, value from the first active field. */
export const fakeScorecard: ModelCompiler = {
  element: 'Scorecard',
  compile(el, ctx) {
    const codes = (el.a.codes ?? '').split(' ').filter((s) => s !== '');
    const get = ctx.scope.resolve(ctx.activeFields[0].name, ctx.path).get;
    return (env) => ({ value: get(env), reasonCodes: codes, warnings: el.a.warn ? [el.a.warn] : undefined, standardError: 0.5 });
  },
};

export const FAKES: readonly ModelCompiler[] = [fakeRegression, fakeTree, fakeMining, fakeClustering, fakeAssociation, fakeScorecard];

export function compile(xml: string, compilers: readonly ModelCompiler[] = FAKES): CompiledDocument {
  return compileDocument(decodePmmlXml(new TextEncoder().encode(xml)).root, compilers);
}

/** A PMML document around a DataDictionary body and a model. */
export function pmml(dataDictionary: string, model: string, extra = ''): string {
  return `<?xml version="1.0"?><PMML version="4.4" xmlns="http://www.dmg.org/PMML-4_4"><Header/><DataDictionary>${dataDictionary}</DataDictionary>${extra}${model}</PMML>`;
}

export function close(actual: unknown, expected: number, eps = 1e-12): void {
  assert.equal(typeof actual, 'number', `expected a number, got ${String(actual)}`);
  assert.ok(Math.abs((actual as number) - expected) <= eps * Math.max(1, Math.abs(expected)), `${String(actual)} ≠ ${expected}`);
}

/** Asserts that compiling throws the given error class with a message containing every fragment. */
export function throwsAt(fn: () => unknown, cls: new (...args: never[]) => Error, ...fragments: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    for (const f of fragments) assert.ok((e as Error).message.includes(f), `message ${JSON.stringify((e as Error).message)} lacks ${JSON.stringify(f)}`);
    return true;
  });
}
