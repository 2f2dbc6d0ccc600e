// NearestNeighborModel (k-NN): the training instances are stored in the
// document (TrainingInstances/InlineTable); a row is compared with every
// instance by the ComparisonMeasure over the KNNInputs, and the k best
// (smallest distance, or largest similarity; ties go to the earlier instance)
// decide the prediction:
//   - continuous target: continuousScoringMethod average | median | weightedAverage;
//   - categorical target: categoricalScoringMethod majorityVote | weightedMajorityVote
//     (probabilities are the vote shares; a tie goes to the category listed first for
//     the target);
//   - weights are 1 / (distance + threshold) (similarity measures: the similarity);
//   - instanceIdVariable names the instances: entityId is the nearest, `entities` the
//     k neighbours ranked, with their distance/similarity as affinity.
// functionName="mixed" scores the target by its optype. Only the MiningSchema's
// target is predicted (the ModelResult carries one value).
//
// Compile time: the inputs of every instance are one flat Float64Array; categorical
// inputs are encoded as codes (equal codes ⇔ equal values) for delta/equal; for a
// categorical input absDiff is taken as delta.

import { attr, child, childPath, enumAttr, fail, intAttr, numAttr, unsupported } from '../el.js';
import type { El, Env, Evaluator, ModelCompiler, ModelContext, ModelResult, Value } from '../types.js';
import { categoryKey, isNumericType, parseValue, toNumber } from '../values.js';
import { compareFunctionAttr, compileMeasure, parseComparisonMeasure } from './measures.js';
import type { FieldComparison } from './measures.js';

/** The rows of an InlineTable: one Map column → text per <row>. */
function inlineRows(table: El): Map<string, string>[] {
  const rows: Map<string, string>[] = [];
  for (const row of table.c) {
    if (row.n !== 'row') continue;
    const m = new Map<string, string>();
    for (const cell of row.c) m.set(cell.n, (cell.t ?? '').trim());
    // Columns given as attributes (some producers) count as cells too.
    for (const [k, v] of Object.entries(row.a)) if (!m.has(k)) m.set(k, v.trim());
    rows.push(m);
  }
  return rows;
}


function compileKnn(el: El, ctx: ModelContext): (env: Env) => ModelResult {
  const path = ctx.path;
  const fn = ctx.functionName;
  if (fn !== 'classification' && fn !== 'regression' && fn !== 'mixed' && fn !== 'clustering') {
    unsupported(path, `NearestNeighborModel with functionName="${fn}" is not supported`);
  }
  const k = intAttr(el, 'numberOfNeighbors', path);
  if (k < 1) fail(path, 'numberOfNeighbors must be at least 1');
  const continuousMethod = enumAttr(el, 'continuousScoringMethod', ['median', 'average', 'weightedAverage'] as const, 'average', path);
  const categoricalMethod = enumAttr(el, 'categoricalScoringMethod', ['majorityVote', 'weightedMajorityVote'] as const, 'majorityVote', path);
  const threshold = numAttr(el, 'threshold', path, 0.001);
  const idVariable = el.a.instanceIdVariable;

  // Training instances.
  const tiEl = child(el, 'TrainingInstances') ?? fail(path, '<NearestNeighborModel> needs <TrainingInstances>');
  const tiPath = `${path}/TrainingInstances`;
  const isTransformed = tiEl.a.isTransformed === 'true' || tiEl.a.isTransformed === '1';
  const ifEl = child(tiEl, 'InstanceFields') ?? fail(tiPath, '<TrainingInstances> needs <InstanceFields>');
  const columnOf = new Map<string, string>();
  for (const f of ifEl.c) {
    if (f.n !== 'InstanceField') continue;
    const fp = childPath(`${tiPath}/InstanceFields`, ifEl, f);
    const field = attr(f, 'field', fp);
    columnOf.set(field, f.a.column ?? field);
  }
  if (child(tiEl, 'TableLocator')) unsupported(`${tiPath}/TableLocator`, 'training instances in an external table (TableLocator) are not supported; use an InlineTable');
  const tableEl = child(tiEl, 'InlineTable') ?? fail(tiPath, '<TrainingInstances> needs an <InlineTable>');
  const tablePath = `${tiPath}/InlineTable`;
  const rows = inlineRows(tableEl);
  const nInst = rows.length;
  if (nInst === 0) fail(tablePath, 'the training table has no rows');
  const cell = (r: number, field: string): string | undefined => {
    const col = columnOf.get(field) ?? field;
    return rows[r].get(col);
  };

  // The measure and the inputs.
  const cmEl = child(el, 'ComparisonMeasure') ?? fail(path, '<NearestNeighborModel> needs <ComparisonMeasure>');
  const cmPath = `${path}/ComparisonMeasure`;
  const spec = parseComparisonMeasure(cmEl, cmPath);
  const inputsEl = child(el, 'KNNInputs') ?? fail(path, '<NearestNeighborModel> needs <KNNInputs>');
  const inputsPath = `${path}/KNNInputs`;
  const activeNames = new Set(ctx.activeFields.map((f) => f.name));
  const comparisons: FieldComparison[] = [];
  const getters: Evaluator[] = [];
  /** Per input: null for numeric inputs, else the code table (categoryKey → code). */
  const codeTables: (Map<string, number> | null)[] = [];
  const inputEls = inputsEl.c.filter((c) => c.n === 'KNNInput');
  if (inputEls.length === 0) fail(inputsPath, '<KNNInputs> has no <KNNInput>');
  const nIn = inputEls.length;
  const matrix = new Float64Array(nInst * nIn);
  inputEls.forEach((ki, j) => {
    const kp = childPath(inputsPath, inputsEl, ki);
    const field = attr(ki, 'field', kp);
    const resolved = ctx.scope.resolve(field, kp);
    let compare = compareFunctionAttr(ki, kp, spec.compareFunction);
    if (compare === 'table') unsupported(kp, 'compareFunction="table" needs a comparison matrix, which a KNNInput cannot hold');
    getters.push(resolved.get);
    if (!columnOf.has(field)) {
      if (!activeNames.has(field) && !isTransformed) {
        unsupported(kp, `input ${field} is a derived field that the training instances do not hold; transforming the training instances (isTransformed="false") is not supported`);
      }
      fail(kp, `input ${field} is not an InstanceField of the training instances`);
    }
    const dataType = resolved.info.dataType;
    // Continuous numeric inputs compare as numbers; categorical ones as codes, for which
    // absDiff means delta (0 for equal values, 1 otherwise).
    const numeric = isNumericType(dataType) && resolved.info.optype === 'continuous';
    let codes: Map<string, number> | null = null;
    if (!numeric) {
      if (compare === 'gaussSim') fail(kp, `input ${field} is categorical: compareFunction="gaussSim" needs a continuous field`);
      if (compare === 'absDiff') compare = 'delta';
      codes = new Map<string, number>();
    }
    comparisons.push({ compareFunction: compare, weight: numAttr(ki, 'fieldWeight', kp, 1) });
    codeTables.push(codes);
    for (let r = 0; r < nInst; r++) {
      const text = cell(r, field);
      let v = NaN;
      if (text !== undefined && text !== '') {
        const value = parseValue(text, dataType, `${tablePath}/row[${r + 1}]`);
        if (codes) {
          const key = categoryKey(value);
          let code = codes.get(key);
          if (code === undefined) {
            code = codes.size;
            codes.set(key, code);
          }
          v = code;
        } else {
          v = toNumber(value);
        }
      }
      matrix[r * nIn + j] = v;
    }
  });
  const measure = compileMeasure(spec, comparisons, cmPath);

  // Entity ids.
  const ids: string[] = new Array<string>(nInst);
  if (idVariable !== undefined) {
    if (!columnOf.has(idVariable)) fail(path, `instanceIdVariable="${idVariable}" is not an InstanceField`);
    for (let r = 0; r < nInst; r++) ids[r] = cell(r, idVariable) ?? '';
  } else {
    for (let r = 0; r < nInst; r++) ids[r] = String(r + 1);
  }

  // The target.
  const target = ctx.target;
  let mode: 'none' | 'continuous' | 'categorical' = 'none';
  let targetValues: Float64Array | null = null;
  let targetCodes: Int32Array | null = null;
  const categories: Value[] = [];
  const categoryKeys: string[] = [];
  if (target) {
    if (!columnOf.has(target.name)) fail(tiPath, `the target ${target.name} is not an InstanceField of the training instances`);
    const optype = target.info.optype;
    mode = fn === 'regression' || (fn !== 'classification' && optype === 'continuous') ? 'continuous' : 'categorical';
    if (fn === 'clustering') mode = 'none';
    const dataType = target.info.dataType;
    if (mode === 'continuous') {
      targetValues = new Float64Array(nInst);
      for (let r = 0; r < nInst; r++) {
        const text = cell(r, target.name);
        targetValues[r] = text === undefined || text === '' ? NaN : toNumber(parseValue(text, dataType, `${tablePath}/row[${r + 1}]`));
      }
    } else if (mode === 'categorical') {
      // Known categories first (tie order), then any others in order of appearance.
      for (const c of target.categories) {
        const key = categoryKey(c);
        if (!categoryKeys.includes(key)) {
          categoryKeys.push(key);
          categories.push(c);
        }
      }
      targetCodes = new Int32Array(nInst);
      for (let r = 0; r < nInst; r++) {
        const text = cell(r, target.name);
        if (text === undefined || text === '') {
          targetCodes[r] = -1;
          continue;
        }
        const value = parseValue(text, dataType, `${tablePath}/row[${r + 1}]`);
        const key = categoryKey(value);
        let at = categoryKeys.indexOf(key);
        if (at < 0) {
          at = categoryKeys.length;
          categoryKeys.push(key);
          categories.push(value);
        }
        targetCodes[r] = at;
      }
    }
  }

  // Scratch buffers.
  const kk = Math.min(k, nInst);
  const x = new Float64Array(nIn);
  const bestIdx = new Int32Array(kk);
  const bestD = new Float64Array(kk);
  const nCats = categories.length;
  const votes = new Float64Array(nCats);
  const medianBuf = new Float64Array(kk);
  const better = measure.better;
  const isDistance = measure.kind === 'distance';

  /** Fills bestIdx/bestD with the nearest instances; returns how many were found. */
  const neighbours = (env: Env): number => {
    let anyPresent = false;
    for (let j = 0; j < nIn; j++) {
      const v = getters[j](env);
      const codes = codeTables[j];
      if (v === null) {
        x[j] = NaN;
        continue;
      }
      anyPresent = true;
      if (codes) {
        const code = codes.get(categoryKey(v));
        x[j] = code === undefined ? -1 : code;
      } else {
        x[j] = toNumber(v);
      }
    }
    if (!anyPresent) return 0;
    let found = 0;
    for (let r = 0; r < nInst; r++) {
      const d = measure.compute(x, matrix, r * nIn);
      if (d !== d) continue;
      if (found < kk) {
        // Insert keeping order (stable: equal values stay behind earlier instances).
        let p = found++;
        while (p > 0 && better(d, bestD[p - 1])) {
          bestD[p] = bestD[p - 1];
          bestIdx[p] = bestIdx[p - 1];
          p--;
        }
        bestD[p] = d;
        bestIdx[p] = r;
      } else if (better(d, bestD[kk - 1])) {
        let p = kk - 1;
        while (p > 0 && better(d, bestD[p - 1])) {
          bestD[p] = bestD[p - 1];
          bestIdx[p] = bestIdx[p - 1];
          p--;
        }
        bestD[p] = d;
        bestIdx[p] = r;
      }
    }
    return found;
  };

  const weightOf = (d: number): number => (isDistance ? 1 / (d + threshold) : d);

  const entitiesOf = (found: number): { id: string; affinity: number }[] => {
    const out = new Array<{ id: string; affinity: number }>(found);
    for (let i = 0; i < found; i++) out[i] = { id: ids[bestIdx[i]], affinity: bestD[i] };
    return out;
  };

  return (env) => {
    const found = neighbours(env);
    if (found === 0) return { value: null };
    const entities = entitiesOf(found);
    const entityId = entities[0].id;
    if (mode === 'continuous') {
      const ys = targetValues as Float64Array;
      let value: number;
      if (continuousMethod === 'median') {
        let n = 0;
        for (let i = 0; i < found; i++) {
          const y = ys[bestIdx[i]];
          if (y === y) medianBuf[n++] = y;
        }
        if (n === 0) return { value: null, entityId, entities };
        const sorted = medianBuf.subarray(0, n).sort();
        value = n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
      } else {
        let sum = 0;
        let wsum = 0;
        for (let i = 0; i < found; i++) {
          const y = ys[bestIdx[i]];
          if (y !== y) continue;
          const w = continuousMethod === 'weightedAverage' ? weightOf(bestD[i]) : 1;
          sum += w * y;
          wsum += w;
        }
        if (wsum === 0) return { value: null, entityId, entities };
        value = sum / wsum;
      }
      return { value, entityId, entities };
    }
    if (mode === 'categorical') {
      const codes = targetCodes as Int32Array;
      votes.fill(0);
      let total = 0;
      for (let i = 0; i < found; i++) {
        const c = codes[bestIdx[i]];
        if (c < 0) continue;
        const w = categoricalMethod === 'weightedMajorityVote' ? weightOf(bestD[i]) : 1;
        votes[c] += w;
        total += w;
      }
      if (total === 0) return { value: null, entityId, entities };
      let best = 0;
      for (let c = 1; c < nCats; c++) if (votes[c] > votes[best]) best = c;
      const probabilities = new Map<string, number>();
      for (let c = 0; c < nCats; c++) probabilities.set(categoryKeys[c], votes[c] / total);
      return { value: categories[best], probabilities, entityId, entities };
    }
    return { value: null, entityId, entities };
  };
}

export const nearestNeighborModel: ModelCompiler = {
  element: 'NearestNeighborModel',
  compile: compileKnn,
};
