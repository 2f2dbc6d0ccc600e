// MiningModel with Segmentation: ensembles, segmented models and model chains.
//
// Each Segment's model is compiled through ctx.nested (so a Segment may hold any model, including
// another MiningModel). Scoring a row evaluates the Segment predicates in document order and
// combines the results of the selected segments according to multipleModelMethod:
//
//   selectFirst                the first segment whose predicate is true
//   modelChain                 every selected segment in order, each seeing the Output fields of the
//                              earlier ones; the result is the last selected segment's
//   majorityVote, weighted…    votes (weights) per predicted value; probabilities are the vote shares
//   average, weightedAverage   regression: (weighted) mean; classification: (weighted) mean probabilities
//   median, weightedMedian     regression: (weighted) median; classification: per-category (weighted)
//                              median, the winner's probabilities are the average of the models whose
//                              probability for it is closest to that median
//   max                        classification: the category with the highest probability in any model,
//                              probabilities averaged over the models that gave it; regression: the largest
//   sum, weightedSum           regression: (weighted) sum
//   selectAll                  every selected segment's result record, in document order, as
//                              ModelResult.segments (the module's `$segments`); the MiningModel's own
//                              result is missing (see selectAll below)
//
// missingPredictionTreatment (continue, skipSegment, returnMissing) and missingThreshold are applied as
// PMML 4.4 describes: a segment result is missing when its predicted value is missing; with skipSegment
// it is left out unless the (weighted, for weighted methods) fraction of missing results exceeds
// missingThreshold; with continue a missing result makes averages missing, and in votes it is a vote
// of its own that wins when it gets more votes than every category, or when its fraction exceeds the threshold.
//
// Weighted median: the smallest value at which the cumulated weight (values sorted) reaches half of the
// total weight; when it reaches exactly half, the mean of that value and the next one (so that equal
// weights give the ordinary median).
//
// Choices where PMML is silent: ties between categories go to the first in the target's category order
// (DataDictionary Values); vote shares are taken over the valid (non-missing) votes; a segment model
// without probabilities counts as a certain vote for its predicted value in the probability methods;
// max is also accepted for regression (the largest prediction); VariableWeight multiplies the Segment
// weight by the field's value (a field of the segment's Output, else of the MiningModel's scope).
// Precomputed tree node results carry their probabilities as a vector (tree.ts PROBABILITY_VECTOR),
// which the probability methods read instead of iterating the maps.

import { childPath, enumAttr, fail, numAttr, unsupported } from '../el.js';
import { categoryKey, toNumber } from '../values.js';
import { PROBABILITY_VECTOR, type ProbabilityVector, type VectorMap } from './tree.js';
import type { El, Env, FieldInfo, ModelCompiler, ModelContext, ModelResult, NestedModel, Predicate, SegmentRecord, Value } from '../types.js';

const PREDICATES: ReadonlySet<string> = new Set(['SimplePredicate', 'CompoundPredicate', 'SimpleSetPredicate', 'True', 'False']);
const NOT_MODELS: ReadonlySet<string> = new Set([...PREDICATES, 'VariableWeight', 'Extension']);

const METHODS = [
  'majorityVote', 'weightedMajorityVote', 'average', 'weightedAverage', 'median', 'weightedMedian',
  'max', 'sum', 'weightedSum', 'selectFirst', 'selectAll', 'modelChain',
] as const;
type Method = (typeof METHODS)[number];
const TREATMENTS = ['continue', 'skipSegment', 'returnMissing'] as const;
type Treatment = (typeof TREATMENTS)[number];

const BY_FUNCTION: { readonly [fn: string]: ReadonlySet<Method> } = {
  regression: new Set<Method>(['average', 'weightedAverage', 'median', 'weightedMedian', 'max', 'sum', 'weightedSum', 'selectFirst', 'modelChain']),
  classification: new Set<Method>(['majorityVote', 'weightedMajorityVote', 'average', 'weightedAverage', 'median', 'weightedMedian', 'max', 'selectFirst', 'modelChain']),
  clustering: new Set<Method>(['majorityVote', 'weightedMajorityVote', 'selectFirst', 'modelChain']),
};

const WEIGHTED: ReadonlySet<Method> = new Set<Method>(['weightedMajorityVote', 'weightedAverage', 'weightedMedian', 'weightedSum']);

const NO_PREDICTION: ModelResult = Object.freeze({ value: null });

interface Segment {
  readonly id: string;
  readonly path: string;
  readonly weight: number;
  /** null when the predicate is <True/> (not evaluated). */
  readonly predicate: Predicate | null;
  readonly model: NestedModel;
  /** VariableWeight: the segment's weight for a row (static weight × the field's value). */
  readonly variableWeight: ((env: Env, outputs: ReadonlyMap<string, Value>) => number) | null;
}

export const miningModel: ModelCompiler = {
  element: 'MiningModel',
  compile(el: El, ctx: ModelContext): (env: Env) => ModelResult {
    const path = ctx.path;
    const segmentationEl = el.c.find((c) => c.n === 'Segmentation');
    if (!segmentationEl) {
      if (el.c.some((c) => c.n === 'Regression' || c.n === 'DecisionTree')) {
        unsupported(path, 'model composition with embedded Regression/DecisionTree elements (deprecated since PMML 4.2) is not supported');
      }
      fail(path, '<MiningModel> needs a <Segmentation>');
    }
    const segPath = childPath(path, el, segmentationEl);
    const method: Method = enumAttr(segmentationEl, 'multipleModelMethod', METHODS, undefined, segPath);
    const treatment: Treatment = enumAttr(segmentationEl, 'missingPredictionTreatment', TREATMENTS, 'continue', segPath);
    const threshold = numAttr(segmentationEl, 'missingThreshold', segPath, 1);
    if (!(threshold >= 0 && threshold <= 1)) fail(segPath, `missingThreshold="${segmentationEl.a.missingThreshold}" is not a probability (0 to 1)`);
    const fn = ctx.functionName;
    const allowed = BY_FUNCTION[fn];
    // "selectFirst is applicable to any model type", and so are selectAll and modelChain.
    const anyModel = method === 'selectFirst' || method === 'selectAll' || method === 'modelChain';
    if (!(anyModel || allowed?.has(method))) {
      // The spec lists the methods of regression, classification and clustering models ("For regression
      // models only average, weightedAverage, median, sum, ..."): another one there breaks the spec.
      if (allowed) fail(segPath, `multipleModelMethod="${method}" is not applicable to functionName="${fn}" (allowed here: ${[...allowed].join(', ')}, selectAll)`);
      unsupported(segPath, `multipleModelMethod="${method}" is not supported for functionName="${fn}" (only selectFirst, selectAll and modelChain)`);
    }
    if (segmentationEl.c.some((c) => c.n === 'LocalTransformations')) {
      unsupported(segPath, 'LocalTransformations inside <Segmentation> (a pre-4.4 extension) are not supported');
    }

    const segments = compileSegments(segmentationEl, segPath, ctx, method === 'modelChain');
    if (segments.length === 0) fail(segPath, '<Segmentation> needs at least one <Segment>');

    switch (method) {
      case 'selectFirst':
        return selectFirst(segments);
      case 'selectAll':
        return selectAll(segments);
      case 'modelChain':
        return modelChain(segments, ctx);
      default:
        break;
    }
    const gather = makeGather(segments, WEIGHTED.has(method));
    if (fn === 'regression') return regression(method, treatment, threshold, gather);
    if (method === 'majorityVote' || method === 'weightedMajorityVote') return vote(treatment, threshold, gather, ctx, fn === 'clustering');
    return probabilities(method, treatment, threshold, gather, ctx);
  },
};

function compileSegments(segmentationEl: El, segPath: string, ctx: ModelContext, chain: boolean): Segment[] {
  const out: Segment[] = [];
  const chained: FieldInfo[] = [];
  let index = 0;
  for (const s of segmentationEl.c) {
    if (s.n !== 'Segment') continue;
    index++;
    const path = childPath(segPath, segmentationEl, s);
    const predEl = s.c.find((c) => PREDICATES.has(c.n));
    if (!predEl) fail(path, '<Segment> needs a predicate (True, SimplePredicate, ...)');
    const modelEl = s.c.find((c) => !NOT_MODELS.has(c.n));
    if (!modelEl) fail(path, '<Segment> needs a model element');
    const weight = numAttr(s, 'weight', path, 1);
    if (!(weight >= 0)) fail(path, `weight="${s.a.weight}" is negative`);
    const predicate = predEl.n === 'True' ? null : ctx.predicate(predEl, childPath(path, s, predEl));
    const model = ctx.nested(modelEl, childPath(path, s, modelEl), chain ? chained.slice() : undefined);
    if (chain) chained.push(...model.outputFields);
    let variableWeight: Segment['variableWeight'] = null;
    const vw = s.c.find((c) => c.n === 'VariableWeight');
    if (vw) {
      const vwPath = childPath(path, s, vw);
      const field = vw.a.field;
      if (field === undefined) fail(vwPath, '<VariableWeight> needs the attribute field');
      if (model.outputFields.some((f) => f.name === field)) {
        variableWeight = (_env, outputs) => weight * toNumber(outputs.get(field) ?? null);
      } else {
        const get = ctx.scope.resolve(field, vwPath).get;
        variableWeight = (env) => weight * toNumber(get(env));
      }
    }
    out.push({ id: s.a.id ?? String(index), path, weight, predicate, model, variableWeight });
  }
  return out;
}

function selectFirst(segments: readonly Segment[]): (env: Env) => ModelResult {
  const n = segments.length;
  return (env) => {
    for (let i = 0; i < n; i++) {
      const s = segments[i];
      if (s.predicate === null || s.predicate(env) === true) return s.model.evaluate(env).result;
    }
    return NO_PREDICTION;
  };
}

/**
 * selectAll. PMML 4.4: "selectAll is applicable to any model type. All models for which the predicate in
 * the Segment evaluates to true are evaluated. The Output element should be used to specify inclusion of
 * a segment id in the evaluation results so as to match results with the associated model segment. The
 * PMML standard does not specify a mechanism for returning more than one value per record scored.
 * Different implementations may choose to implement returning multiple values for a single record
 * differently."
 *
 * mlcompile's choice: the MiningModel has no single prediction (its result value is missing, so its own
 * predictedValue/probability/entityId features are missing), OutputFields with segmentId read the named
 * segment's result (missing when its predicate was not TRUE), and every selected segment's result record
 * (keyed as that model's own result would be, with its id: Segment@id, else the 1-based position) is
 * returned in document order as ModelResult.segments, surfaced by the module as `$segments`. A predicate
 * that is UNKNOWN does not select its segment.
 */
function selectAll(segments: readonly Segment[]): (env: Env) => ModelResult {
  const n = segments.length;
  return (env) => {
    const selected: SegmentRecord[] = [];
    for (let i = 0; i < n; i++) {
      const s = segments[i];
      if (s.predicate !== null && s.predicate(env) !== true) continue;
      const out = s.model.evaluate(env);
      selected.push({ segmentId: s.id, result: s.model.record(out.result, out.outputs) });
    }
    return { value: null, segments: selected };
  };
}

/**
 * modelChain: each selected segment sees the Output fields of the segments before it (ctx.extend); the
 * values also stay visible to the MiningModel's own Output. Segments not selected contribute missing values.
 */
function modelChain(segments: readonly Segment[], ctx: ModelContext): (env: Env) => ModelResult {
  const n = segments.length;
  return (env) => {
    let current = env;
    let last: ModelResult = NO_PREDICTION;
    let values: Map<string, Value> | null = null;
    for (let i = 0; i < n; i++) {
      const s = segments[i];
      const fields = s.model.outputFields;
      if (s.predicate === null || s.predicate(current) === true) {
        const out = s.model.evaluate(current);
        last = out.result;
        if (fields.length > 0) {
          values ??= new Map();
          for (const f of fields) values.set(f.name, out.outputs.get(f.name) ?? null);
          current = ctx.extend(env, values);
        }
      } else if (fields.length > 0) {
        // A segment that is not selected: its Output fields are missing for the later segments.
        values ??= new Map();
        for (const f of fields) values.set(f.name, null);
        current = ctx.extend(env, values);
      }
    }
    return last;
  };
}

/** The selected segments of a row: their results and weights (scratch arrays reused row after row). */
interface Gathered {
  count: number;
  readonly results: ModelResult[];
  readonly weights: Float64Array;
}

function makeGather(segments: readonly Segment[], weighted: boolean): (env: Env) => Gathered {
  const n = segments.length;
  const g: Gathered = { count: 0, results: new Array<ModelResult>(n).fill(NO_PREDICTION), weights: new Float64Array(n) };
  return (env) => {
    let m = 0;
    for (let i = 0; i < n; i++) {
      const s = segments[i];
      if (s.predicate !== null && s.predicate(env) !== true) continue;
      const out = s.model.evaluate(env);
      g.results[m] = out.result;
      let w = 1;
      if (weighted) {
        w = s.variableWeight === null ? s.weight : s.variableWeight(env, out.outputs);
        if (!(w >= 0)) w = 0;
      }
      g.weights[m++] = w;
    }
    g.count = m;
    return g;
  };
}

/** Whether the missing results of a row exceed missingThreshold (a fraction of the selected segments' weight). */
function tooManyMissing(missingWeight: number, totalWeight: number, threshold: number): boolean {
  return totalWeight > 0 && missingWeight / totalWeight > threshold;
}

// ---------------------------------------------------------------------------
// Regression.

function regression(method: Method, treatment: Treatment, threshold: number, gather: (env: Env) => Gathered): (env: Env) => ModelResult {
  const values: number[] = [];
  const ws: number[] = [];
  const order: number[] = [];
  return (env) => {
    const g = gather(env);
    const m = g.count;
    if (m === 0) return NO_PREDICTION;
    // Written by index, the length set once: emptying the arrays (length = 0) would free their
    // storage, and pushing would allocate it again, row after row.
    let k = 0;
    let total = 0;
    let missing = 0;
    for (let i = 0; i < m; i++) {
      const w = g.weights[i];
      total += w;
      const raw = g.results[i].value;
      const v = raw === null ? NaN : toNumber(raw);
      if (Number.isNaN(v)) {
        if (treatment !== 'skipSegment') return NO_PREDICTION;
        missing += w;
        continue;
      }
      values[k] = v;
      ws[k++] = w;
    }
    values.length = k;
    ws.length = k;
    if (missing > 0 && tooManyMissing(missing, total, threshold)) return NO_PREDICTION;
    if (k === 0) return NO_PREDICTION;
    let result: number;
    switch (method) {
      case 'sum': {
        result = 0;
        for (let i = 0; i < k; i++) result += values[i];
        break;
      }
      case 'weightedSum': {
        result = 0;
        for (let i = 0; i < k; i++) result += ws[i] * values[i];
        break;
      }
      case 'average': {
        result = 0;
        for (let i = 0; i < k; i++) result += values[i];
        result /= k;
        break;
      }
      case 'weightedAverage': {
        let sw = 0;
        result = 0;
        for (let i = 0; i < k; i++) {
          result += ws[i] * values[i];
          sw += ws[i];
        }
        if (!(sw > 0)) return NO_PREDICTION;
        result /= sw;
        break;
      }
      case 'median':
        result = weightedMedian(values, null, order);
        break;
      case 'weightedMedian':
        result = weightedMedian(values, ws, order);
        break;
      case 'max': {
        result = -Infinity;
        for (let i = 0; i < k; i++) if (values[i] > result) result = values[i];
        break;
      }
      default:
        return NO_PREDICTION;
    }
    return Number.isNaN(result) ? NO_PREDICTION : { value: result };
  };
}

/** The (weighted) median of values (weights null = all 1); `order` is scratch. NaN when the weights sum to 0. */
export function weightedMedian(values: readonly number[], weights: readonly number[] | null, order: number[]): number {
  const k = values.length;
  order.length = k;
  for (let i = 0; i < k; i++) order[i] = i;
  order.sort((a, b) => values[a] - values[b]);
  let total = 0;
  for (let i = 0; i < k; i++) total += weights === null ? 1 : weights[i];
  if (!(total > 0)) return NaN;
  const half = total / 2;
  let cum = 0;
  for (let j = 0; j < k; j++) {
    const i = order[j];
    const w = weights === null ? 1 : weights[i];
    if (w === 0) continue;
    cum += w;
    if (cum > half) return values[i];
    if (cum === half) {
      // Exactly half below: the mean of this value and the next one with weight.
      for (let l = j + 1; l < k; l++) {
        const next = order[l];
        if ((weights === null ? 1 : weights[next]) > 0) return (values[i] + values[next]) / 2;
      }
      return values[i];
    }
  }
  return values[order[k - 1]];
}

// ---------------------------------------------------------------------------
// Classification and clustering.

/** Category index of a MiningModel: the target's categories first, others as they are met. */
class CategoryIndex {
  readonly values: Value[] = [];
  readonly keys: string[] = [];
  private readonly index = new Map<string, number>();

  constructor(initial: readonly Value[]) {
    for (const v of initial) this.add(categoryKey(v), v);
  }

  /** The index of `key`; `value` is the category's value when it is new. */
  add(key: string, value: Value): number {
    let at = this.index.get(key);
    if (at === undefined) {
      at = this.values.length;
      this.values.push(value);
      this.keys.push(key);
      this.index.set(key, at);
    }
    return at;
  }

  get size(): number {
    return this.values.length;
  }
}

/** Grows a scratch vector to at least `size` entries (zeroed). */
function zeroed(v: Float64Array<ArrayBuffer>, size: number): Float64Array<ArrayBuffer> {
  if (v.length < size) return new Float64Array(Math.max(size, v.length * 2));
  v.fill(0, 0, size);
  return v;
}

/** Index of the largest of v[0..size-1]; the first one on ties (target category order). */
function argmax(v: Float64Array, size: number): number {
  let best = 0;
  for (let k = 1; k < size; k++) if (v[k] > v[best]) best = k;
  return best;
}

function vote(treatment: Treatment, threshold: number, gather: (env: Env) => Gathered, ctx: ModelContext, clustering: boolean): (env: Env) => ModelResult {
  const cats = new CategoryIndex(ctx.target?.categories ?? []);
  let acc = new Float64Array(Math.max(cats.size, 4));
  return (env) => {
    const g = gather(env);
    const m = g.count;
    if (m === 0) return NO_PREDICTION;
    acc = zeroed(acc, cats.size);
    let total = 0;
    let missing = 0;
    for (let i = 0; i < m; i++) {
      const w = g.weights[i];
      total += w;
      const v = g.results[i].value;
      if (v === null) {
        if (treatment === 'returnMissing') return NO_PREDICTION;
        missing += w;
        continue;
      }
      const before = cats.size;
      const at = cats.add(categoryKey(v), v);
      if (cats.size > before && acc.length < cats.size) {
        const grown = new Float64Array(cats.size * 2);
        grown.set(acc);
        acc = grown;
      }
      acc[at] += w;
    }
    if (missing > 0 && tooManyMissing(missing, total, threshold)) return NO_PREDICTION;
    const K = cats.size;
    let votes = 0;
    for (let k = 0; k < K; k++) votes += acc[k];
    if (!(votes > 0)) return NO_PREDICTION;
    const best = argmax(acc, K);
    // continue: the missing results are a pseudo-category that wins with more votes than any other.
    if (treatment === 'continue' && missing > acc[best]) return NO_PREDICTION;
    if (clustering) return { value: cats.values[best], entityId: cats.keys[best] };
    const probabilities = new Map<string, number>();
    for (let k = 0; k < K; k++) probabilities.set(cats.keys[k], acc[k] / votes);
    return { value: cats.values[best], probabilities };
  };
}

function probabilities(method: Method, treatment: Treatment, threshold: number, gather: (env: Env) => Gathered, ctx: ModelContext): (env: Env) => ModelResult {
  const cats = new CategoryIndex(ctx.target?.categories ?? []);
  // Per selected segment of the row: its probability vector (precomputed tree node results) and the
  // map from that vector's categories to ours, or null (then its probability map is read).
  let vectors: (ProbabilityVector | null)[] = [];
  let remaps: (Int32Array | null)[] = [];
  const remapByKeys = new Map<readonly string[], Int32Array>();
  let rows = new Float64Array(0); // max/median: used segments × stride
  let stride = 0;
  const ws: number[] = [];
  const column: number[] = [];
  const order: number[] = [];
  let combined = new Float64Array(Math.max(cats.size, 4));

  const remapFor = (v: ProbabilityVector): Int32Array => {
    let r = remapByKeys.get(v.keys);
    if (r === undefined) {
      r = Int32Array.from(v.keys, (k, i) => cats.add(k, v.values[i]));
      remapByKeys.set(v.keys, r);
    }
    return r;
  };

  /** Adds w × the probabilities of `r` into out[base + category]. */
  const addInto = (out: Float64Array, base: number, r: ModelResult, w: number, vector: ProbabilityVector | null, remap: Int32Array | null): void => {
    if (vector !== null && remap !== null) {
      const p = vector.p;
      for (let k = 0; k < p.length; k++) out[base + remap[k]] += w * p[k];
    } else if (r.probabilities && r.probabilities.size > 0) {
      for (const [key, p] of r.probabilities) out[base + cats.add(key, key)] += w * p;
    } else {
      // A model without probabilities: a certain vote for its value.
      out[base + cats.add(categoryKey(r.value), r.value)] += w;
    }
  };

  return (env) => {
    const g = gather(env);
    const m = g.count;
    if (m === 0) return NO_PREDICTION;
    if (vectors.length < m) {
      vectors = new Array<ProbabilityVector | null>(m).fill(null);
      remaps = new Array<Int32Array | null>(m).fill(null);
    }
    // First pass: missing results, and every category registered (so that the vectors have their final width).
    let total = 0;
    let missing = 0;
    let lastKeys: readonly string[] | null = null;
    let lastRemap: Int32Array | null = null;
    for (let i = 0; i < m; i++) {
      const r = g.results[i];
      total += g.weights[i];
      vectors[i] = null;
      remaps[i] = null;
      if (r.value === null) {
        if (treatment !== 'skipSegment') return NO_PREDICTION;
        missing += g.weights[i];
        continue;
      }
      const map = r.probabilities;
      if (map && map.size > 0) {
        const v = (map as VectorMap)[PROBABILITY_VECTOR];
        if (v !== undefined) {
          if (v.keys !== lastKeys) {
            lastKeys = v.keys;
            lastRemap = remapFor(v);
          }
          vectors[i] = v;
          remaps[i] = lastRemap;
        } else for (const key of map.keys()) cats.add(key, key);
      } else cats.add(categoryKey(r.value), r.value);
    }
    if (missing > 0 && tooManyMissing(missing, total, threshold)) return NO_PREDICTION;
    const K = cats.size;
    combined = zeroed(combined, K);

    if (method === 'average' || method === 'weightedAverage') {
      const weighted = method === 'weightedAverage';
      let sw = 0;
      for (let i = 0; i < m; i++) {
        const r = g.results[i];
        if (r.value === null) continue;
        const w = weighted ? g.weights[i] : 1;
        sw += w;
        addInto(combined, 0, r, w, vectors[i], remaps[i]);
      }
      if (!(sw > 0)) return NO_PREDICTION;
      const probabilities = new Map<string, number>();
      for (let k = 0; k < K; k++) probabilities.set(cats.keys[k], combined[k] / sw);
      return { value: cats.values[argmax(combined, K)], probabilities };
    }

    // max, median, weightedMedian: the per-category statistic decides the winner; the result is the
    // average of the models whose probability for the winner is (closest to) that statistic.
    if (stride < K || rows.length < m * stride) {
      stride = Math.max(stride, K);
      rows = new Float64Array(Math.max(m * stride, rows.length));
    } else rows.fill(0, 0, m * stride);
    ws.length = 0;
    let used = 0;
    for (let i = 0; i < m; i++) {
      const r = g.results[i];
      if (r.value === null) continue;
      addInto(rows, used * stride, r, 1, vectors[i], remaps[i]);
      ws.push(g.weights[i]);
      used++;
    }
    if (used === 0) return NO_PREDICTION;
    const stat = new Float64Array(K);
    for (let k = 0; k < K; k++) {
      column.length = used;
      for (let u = 0; u < used; u++) column[u] = rows[u * stride + k];
      if (method === 'max') {
        let mx = -Infinity;
        for (let u = 0; u < used; u++) if (column[u] > mx) mx = column[u];
        stat[k] = mx;
      } else stat[k] = weightedMedian(column, method === 'weightedMedian' ? ws : null, order);
    }
    const winner = argmax(stat, K);
    let best = Infinity;
    for (let u = 0; u < used; u++) best = Math.min(best, Math.abs(rows[u * stride + winner] - stat[winner]));
    let n = 0;
    for (let u = 0; u < used; u++) {
      if (Math.abs(rows[u * stride + winner] - stat[winner]) !== best) continue;
      n++;
      for (let k = 0; k < K; k++) combined[k] += rows[u * stride + k];
    }
    const probabilities = new Map<string, number>();
    for (let k = 0; k < K; k++) probabilities.set(cats.keys[k], combined[k] / n);
    return { value: cats.values[winner], probabilities };
  };
}
