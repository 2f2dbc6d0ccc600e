// ClusteringModel: center-based cluster models. A record is compared with the
// center vector of every Cluster using the ComparisonMeasure (a distance or a
// similarity, measures.ts); the best-matching cluster is the prediction.
//
// Compile time: the center fields (ClusteringField elements with
// isCenterField="true", else the active MiningFields) are resolved once, each
// with its compare function, weight, similarity scale, comparison table and
// missing-value weight; every center is encoded into one flat Float64Array
// (cluster k's coordinates at [k·n, (k+1)·n)). Per row: one pass fills the
// record vector, one tight loop per cluster computes the measure.
//
// Encoding (the same for the record and the centers, as measures.ts expects):
//   continuous or numeric fields   the number (NaN = missing);
//   compareFunction="table"        the 0-based index of the value among the field's valid values;
//   string fields (delta, equal)   a code per distinct value (the centers' values and the field's
//                                  valid values); a record value no center has gets code -1.
//
// The predicted value is the cluster's id (Cluster@id, else Cluster@name, else its 1-based
// index, as the conformance README fixes it); predictedDisplayValue is the name (else the id).
// `entities` lists every cluster, best first, with its measure value (distance or similarity):
// clusterAffinity / entityAffinity read it by id.

import { child, childPath, children, enumAttr, fail, numAttr, numberArray, optNumAttr, arrayEntries, boolAttr, unsupported } from '../el.js';
import type { DataType, El, Env, Evaluator, FieldInfo, ModelCompiler, ModelContext, ModelResult, Value } from '../types.js';
import { INVALID, categoryKey, isNumericType, parseNumeric, toNumber, tryParseValue } from '../values.js';
import {
  compareFunctionAttr, compileMeasure, isBinaryMetric, parseComparisonMeasure, parseComparisonTable,
  type CompareFunctionName, type ComparisonMeasureSpec, type FieldComparison,
} from './measures.js';

/** Why modelClass="distributionBased" is refused (the message names the feature and quotes the gap). */
export const DISTRIBUTION_BASED_UNSUPPORTED = 'modelClass="distributionBased" is not supported: PMML 4.4 defines such clusters by '
  + 'their statistics and says only that "some similarity measure is used to determine the best matching cluster"; it defines '
  + 'no measure over Partition statistics, and its center vectors "only approximate the clusters", so there is no specified '
  + 'score to compute (centerBased models are supported)';

/** How one center field turns a Value into the number the measure compares. */
interface FieldEncoder {
  readonly name: string;
  readonly info: FieldInfo;
  readonly get: Evaluator;
  /** Record value → number (NaN = missing). */
  encode(v: Value): number;
  /** Center entry text → number; a compile error naming `path` when it does not fit the field. */
  encodeCenter(text: string, path: string): number;
}

export const clusteringModel: ModelCompiler = {
  element: 'ClusteringModel',
  compile(el, ctx) {
    const path = ctx.path;
    if (ctx.functionName !== 'clustering') fail(path, `functionName="${ctx.functionName}" is not clustering`);
    const modelClass = enumAttr(el, 'modelClass', ['centerBased', 'distributionBased'] as const, undefined, path);
    // PMML 4.4 Cluster Models: "For distribution-based models (e.g., in demographic clustering) the
    // clusters are defined by their statistics. Some similarity measure is used to determine the best
    // matching cluster for a given record. The center vectors then only approximate the clusters." and
    // "The attribute modelClass in the ClusteringModel defines which one [center vector or statistics]
    // is used to actually define the cluster." The specification names no such similarity measure: the
    // ComparisonMeasure functions are defined between a record and a center vector, and nothing says how
    // a Partition's statistics (PartitionFieldStats counts, NumericInfo, ...) score a record. Scoring the
    // approximate centers instead would be a guess, so the model is refused.
    if (modelClass === 'distributionBased') unsupported(path, DISTRIBUTION_BASED_UNSUPPORTED);

    const measureEl = child(el, 'ComparisonMeasure') ?? fail(path, '<ClusteringModel> needs a <ComparisonMeasure> element');
    const spec = parseComparisonMeasure(measureEl, childPath(path, el, measureEl));

    const { encoders, comparisons } = centerFields(el, ctx, spec);
    const n = encoders.length;
    if (n === 0) fail(path, 'the model has no center fields (no ClusteringField and no active MiningField)');

    applyMissingValueWeights(el, path, comparisons);
    const measure = compileMeasure(spec, comparisons, `${path}/ComparisonMeasure`);

    // Clusters: ids, display names and the flat center table.
    const clusterEls = children(el, 'Cluster');
    if (clusterEls.length === 0) fail(path, '<ClusteringModel> needs at least one <Cluster>');
    const k = clusterEls.length;
    const ids: string[] = [];
    const names: string[] = [];
    const centers = new Float64Array(k * n);
    const seen = new Set<string>();
    clusterEls.forEach((c, index) => {
      const cpath = childPath(path, el, c);
      const id = c.a.id ?? c.a.name ?? String(index + 1);
      // Explicit ids must be unique; names (used as ids when there is no id) may repeat.
      if (c.a.id !== undefined) {
        if (seen.has(id)) fail(cpath, `cluster id "${id}" is used by an earlier Cluster`);
        seen.add(id);
      }
      ids.push(id);
      names.push(c.a.name ?? id);
      const arr = c.c.find((e) => e.n === 'Array' || e.n === 'REAL-SparseArray' || e.n === 'INT-SparseArray');
      if (!arr) fail(cpath, '<Cluster> of a centerBased model needs an <Array> with its center');
      const apath = `${cpath}/${arr.n}`;
      const entries = arr.n === 'Array' ? arrayEntries(arr, apath) : numberArray(arr, apath).map(String);
      if (entries.length !== n) fail(apath, `the center has ${entries.length} coordinates, the model has ${n} center fields`);
      for (let i = 0; i < n; i++) centers[index * n + i] = encoders[i].encodeCenter(entries[i], apath);
    });

    // The predicted value in the target's type when the model declares one (e.g. an integer cluster field).
    const target = ctx.target;
    const values: Value[] = ids.map((id) => {
      if (!target) return id;
      const v = tryParseValue(id, target.info.dataType);
      return v === INVALID || v === null ? id : v;
    });

    const getters = encoders.map((e) => e.get);
    const encodes = encoders.map((e) => e.encode);
    const x = new Float64Array(n);
    const scores = new Float64Array(k);
    const order: number[] = Array.from({ length: k }, (_, i) => i);
    const better = measure.better;
    // Best first; NaN (no comparable field) last; ties keep document order (the sort is stable).
    const byScore = (a: number, b: number): number => {
      const sa = scores[a];
      const sb = scores[b];
      if (sa !== sa) return sb !== sb ? 0 : 1;
      if (sb !== sb) return -1;
      return better(sa, sb) ? -1 : better(sb, sa) ? 1 : 0;
    };

    return (env: Env): ModelResult => {
      for (let i = 0; i < n; i++) x[i] = encodes[i](getters[i](env));
      let best = -1;
      for (let c = 0; c < k; c++) {
        const s = measure.compute(x, centers, c * n);
        scores[c] = s;
        if (s === s && (best < 0 || better(s, scores[best]))) best = c;
      }
      if (best < 0) return { value: null };
      for (let c = 0; c < k; c++) order[c] = c;
      order.sort(byScore);
      const entities = new Array<{ id: string; affinity: number }>(k);
      for (let r = 0; r < k; r++) entities[r] = { id: ids[order[r]], affinity: scores[order[r]] };
      return { value: values[best], displayValue: names[best], entityId: ids[best], entities };
    };
  },
};

/** The center fields in vector order, with their encoders and FieldComparison settings. */
function centerFields(el: El, ctx: ModelContext, spec: ComparisonMeasureSpec): { encoders: FieldEncoder[]; comparisons: FieldComparison[] } {
  const path = ctx.path;
  const encoders: FieldEncoder[] = [];
  const comparisons: FieldComparison[] = [];
  const fieldEls = children(el, 'ClusteringField');
  const binary = isBinaryMetric(spec.metric);
  if (fieldEls.length === 0) {
    // No ClusteringField: the center coordinates are the active MiningFields, in order.
    for (const f of ctx.activeFields) {
      const fpath = `${path}/MiningSchema/MiningField[name=${f.name}]`;
      const resolved = ctx.scope.resolve(f.name, fpath);
      comparisons.push({ compareFunction: spec.compareFunction });
      encoders.push(makeEncoder(f.name, resolved.info, resolved.get, spec.compareFunction, binary, undefined, fpath));
    }
    if (spec.compareFunction === 'table') fail(path, 'compareFunction="table" needs ClusteringField elements with <Comparisons>');
    return { encoders, comparisons };
  }
  for (const f of fieldEls) {
    const fpath = childPath(path, el, f);
    // "isCenterField: [...] Only center fields correspond to the entries in the center vectors, in order."
    if (!boolAttr(f, 'isCenterField', fpath, true)) continue;
    const name = f.a.field;
    if (name === undefined) fail(fpath, '<ClusteringField> needs the attribute field');
    const resolved = ctx.scope.resolve(name, fpath);
    const compareFunction = compareFunctionAttr(f, fpath, spec.compareFunction);
    const weight = numAttr(f, 'fieldWeight', fpath, 1);
    const similarityScale = optNumAttr(f, 'similarityScale', fpath);
    let table: FieldComparison['table'];
    if (compareFunction === 'table') {
      const comps = child(f, 'Comparisons') ?? fail(fpath, 'compareFunction="table" needs a <Comparisons> element with the comparison matrix');
      table = parseComparisonTable(comps, `${fpath}/Comparisons`);
    }
    comparisons.push({ compareFunction, weight, similarityScale, table });
    encoders.push(makeEncoder(name, resolved.info, resolved.get, compareFunction, binary, table?.size, fpath));
  }
  return { encoders, comparisons };
}

/** MissingValueWeights: one q_i per center field, for the distance adjustment of missing values. */
function applyMissingValueWeights(el: El, path: string, comparisons: FieldComparison[]): void {
  const mvw = child(el, 'MissingValueWeights');
  if (!mvw) return;
  const mpath = `${path}/MissingValueWeights`;
  const arr = mvw.c.find((e) => e.n === 'Array' || e.n === 'REAL-SparseArray' || e.n === 'INT-SparseArray');
  if (!arr) fail(mpath, '<MissingValueWeights> needs an <Array>');
  const weights = numberArray(arr, `${mpath}/${arr.n}`);
  let qs = weights;
  if (weights.length !== comparisons.length) {
    // Also accepted: one weight per ClusteringField, center fields or not.
    const all = children(el, 'ClusteringField');
    if (weights.length !== all.length) fail(mpath, `${weights.length} weights for ${comparisons.length} center fields`);
    qs = all.flatMap((f, i) => (boolAttr(f, 'isCenterField', path, true) ? [weights[i]] : []));
  }
  qs.forEach((q, i) => {
    if (!(q >= 0)) fail(mpath, `weight ${i + 1} (${q}) must not be negative`);
    comparisons[i] = { ...comparisons[i], missingWeight: q };
  });
}

function makeEncoder(
  name: string, info: FieldInfo, get: Evaluator, compareFunction: CompareFunctionName, binary: boolean,
  tableSize: number | undefined, path: string,
): FieldEncoder {
  if (compareFunction === 'table') {
    // "table": the matrix rows and columns follow the field's valid values, in document order.
    const cats = info.categories ?? [];
    if (cats.length === 0) fail(path, `compareFunction="table" needs the valid values of field "${name}" (DataField <Value> elements) to index its matrix`);
    if (tableSize !== undefined && tableSize !== cats.length) fail(path, `the comparison matrix is ${tableSize}×${tableSize} but field "${name}" has ${cats.length} valid values`);
    const index = new Map<string, number>();
    cats.forEach((c, i) => index.set(categoryKey(c), i));
    const dt = info.dataType;
    return {
      name, info, get,
      encode: (v) => (v === null ? NaN : index.get(categoryKey(v)) ?? NaN),
      encodeCenter: (text, p) => {
        const v = centerValue(text, dt, p);
        if (v === null) return NaN;
        const i = index.get(categoryKey(v));
        if (i === undefined) fail(p, `center value ${JSON.stringify(text)} is not a valid value of field "${name}"`);
        return i;
      },
    };
  }
  if (binary || isNumericType(info.dataType) || info.dataType === 'boolean') {
    return {
      name, info, get,
      encode: (v) => (v === null ? NaN : toNumber(v)),
      encodeCenter: (text, p) => {
        const n = parseNumeric(text);
        if (Number.isNaN(n)) {
          if (text === 'NaN' || text === 'nan') return NaN;
          const v = centerValue(text, info.dataType, p);
          return v === null ? NaN : toNumber(v);
        }
        return n;
      },
    };
  }
  // String values: only delta and equal compare them.
  if (compareFunction === 'absDiff' || compareFunction === 'gaussSim') {
    fail(path, `field "${name}" is a ${info.dataType} field; compareFunction="${compareFunction}" needs numbers (use delta, equal or table)`);
  }
  const codes = new Map<string, number>();
  for (const c of info.categories ?? []) if (!codes.has(categoryKey(c))) codes.set(categoryKey(c), codes.size);
  return {
    name, info, get,
    encode: (v) => (v === null ? NaN : codes.get(categoryKey(v)) ?? -1),
    encodeCenter: (text) => {
      const key = text;
      let code = codes.get(key);
      if (code === undefined) {
        code = codes.size;
        codes.set(key, code);
      }
      return code;
    },
  };
}

function centerValue(text: string, dt: DataType, path: string): Value {
  const v = tryParseValue(text, dt);
  if (v === INVALID) fail(path, `center value ${JSON.stringify(text)} is not a valid ${dt}`);
  return v;
}
