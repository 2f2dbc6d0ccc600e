// A drift baseline from what a PMML document declares, for servers compiled without
// `--baseline` (src/baseline.ts computes one from data instead):
// - DataDictionary: a continuous field's Interval elements are its valid range (a value
//   outside all of them is out of range); a categorical or ordinal field's valid Values
//   are its categories (another value is unseen).
// - ModelStats/UnivariateStats, when the model has them: Counts give the missing rate;
//   NumericInfo gives min/max (the range when the DataDictionary has no Interval) and its
//   Quantiles PSI bins; ContStats' Intervals and frequencies give PSI bins; DiscrStats'
//   Arrays give category shares.
// Without shares a feature still reports out-of-range, unseen and missing rates, but no PSI.
//
// PMML 4.4, "Statistics": "Counts: totalFreq counts all records, missingFreq the records
// with a missing value"; "ContStats ... Interval elements ... followed by Arrays of
// frequencies, sums and sums of squares, one entry per interval".

import type { El } from '../runtime/pmml/types.js';
import { BASELINE_FORMAT, type Baseline, type BaselineFeature, type ValidInterval } from '../runtime/server/baseline.js';
import { decodePmmlXml } from './frontends/pmml/xml.js';
import type { FieldSpec } from './validate/read-inputs.js';

function child(el: El, name: string): El | undefined {
  return el.c.find((c) => c.n === name);
}

function children(el: El, name: string): El[] {
  return el.c.filter((c) => c.n === name);
}

function num(text: string | undefined): number | null {
  if (text === undefined || text.trim() === '') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

/** The entries of a PMML Array: space-separated, strings possibly in double quotes (with \" inside). */
export function arrayEntries(el: El): string[] {
  const text = el.t ?? '';
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|(\S+)/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) out.push(m[1] !== undefined ? m[1].replace(/\\"/g, '"') : m[2]);
  return out;
}

function intervalOf(el: El): ValidInterval {
  const closure = el.a.closure ?? 'closedClosed';
  return {
    low: num(el.a.leftMargin),
    high: num(el.a.rightMargin),
    lowClosed: closure.startsWith('closed'),
    highClosed: closure.endsWith('Closed'),
  };
}

/** Every UnivariateStats by field, from the ModelStats of any model element (the first one wins). Iterative. */
function univariateStats(root: El): Map<string, El> {
  const out = new Map<string, El>();
  const stack: El[] = [root];
  while (stack.length > 0) {
    const el = stack.pop() as El;
    if (el.n === 'ModelStats') {
      for (const u of children(el, 'UnivariateStats')) if (u.a.field !== undefined && !out.has(u.a.field)) out.set(u.a.field, u);
      continue;
    }
    for (let i = el.c.length - 1; i >= 0; i--) stack.push(el.c[i]);
  }
  return out;
}

function shares(counts: readonly number[]): number[] | null {
  const total = counts.reduce((a, b) => a + b, 0);
  return total > 0 ? counts.map((c) => c / total) : null;
}

/** PSI bins from ContStats (intervals and their frequencies), else from NumericInfo's Quantiles. */
function numericBins(stats: El | undefined): { edges: number[]; proportions: number[] | null } {
  const cont = stats === undefined ? undefined : child(stats, 'ContStats');
  if (cont !== undefined) {
    const intervals = children(cont, 'Interval').map(intervalOf);
    const freq = children(cont, 'Array')[0];
    const counts = freq === undefined ? [] : arrayEntries(freq).map(Number);
    const edges = intervals.slice(0, -1).map((r) => r.high);
    if (intervals.length > 0 && counts.length === intervals.length && counts.every((c) => Number.isFinite(c) && c >= 0)
      && edges.every((e, i): e is number => e !== null && (i === 0 || e > (edges[i - 1] as number)))) {
      return { edges: edges as number[], proportions: shares(counts) };
    }
  }
  const info = stats === undefined ? undefined : child(stats, 'NumericInfo');
  const quantiles = info === undefined ? [] : children(info, 'Quantile')
    .map((q) => ({ limit: num(q.a.quantileLimit), value: num(q.a.quantileValue) }))
    .filter((q): q is { limit: number; value: number } => q.limit !== null && q.value !== null && q.limit > 0 && q.limit < 100)
    .sort((a, b) => a.limit - b.limit);
  const edges: number[] = [];
  const proportions: number[] = [];
  let last = 0;
  for (const q of quantiles) {
    // Tied quantile values: their mass joins the bin already ending at that value.
    if (edges.length > 0 && q.value <= edges[edges.length - 1]) {
      proportions[proportions.length - 1] += (q.limit - last) / 100;
    } else {
      edges.push(q.value);
      proportions.push((q.limit - last) / 100);
    }
    last = q.limit;
  }
  if (edges.length === 0) return { edges: [], proportions: null };
  proportions.push((100 - last) / 100);
  return { edges, proportions };
}

function missingRateOf(stats: El | undefined): number | null {
  const counts = stats === undefined ? undefined : child(stats, 'Counts');
  const total = num(counts?.a.totalFreq);
  const missing = num(counts?.a.missingFreq) ?? 0;
  return total !== null && total > 0 ? missing / total : null;
}

/** Category shares from DiscrStats: the first string Array names the categories, the first numeric Array counts them. */
function categoryShares(stats: El | undefined, categories: readonly string[]): { categories: string[]; proportions: number[] | null } | undefined {
  const discr = stats === undefined ? undefined : child(stats, 'DiscrStats');
  if (discr === undefined) return undefined;
  const arrays = children(discr, 'Array');
  const names = arrays.find((a) => a.a.type === 'string');
  const counts = arrays.find((a) => a.a.type === 'int' || a.a.type === 'real');
  if (counts === undefined) return undefined;
  const keys = names === undefined ? categories.slice() : arrayEntries(names);
  const n = arrayEntries(counts).map(Number);
  if (keys.length !== n.length || n.some((x) => !Number.isFinite(x) || x < 0)) return undefined;
  return { categories: keys, proportions: shares(n) };
}

/**
 * The baseline a PMML document declares for the model's input fields, or undefined when
 * it declares nothing usable (no intervals, categories or statistics for any input).
 */
export function baselineFromPmml(bytes: Uint8Array, inputs: readonly FieldSpec[]): Baseline | undefined {
  return baselineFromPmmlTree(decodePmmlXml(bytes).root, inputs);
}

/** The same, from the document's element tree (a compiled program keeps it: baseline-compile.ts). */
export function baselineFromPmmlTree(root: El, inputs: readonly FieldSpec[]): Baseline | undefined {
  const dictionary = child(root, 'DataDictionary');
  const fields = new Map((dictionary === undefined ? [] : children(dictionary, 'DataField')).map((f) => [f.a.name, f]));
  const stats = univariateStats(root);
  const features: BaselineFeature[] = [];
  let sources = 0;
  for (const input of inputs) {
    const field = fields.get(input.name);
    if (field === undefined) continue;
    const s = stats.get(input.name);
    const optype = field.a.optype ?? (field.a.dataType === 'string' || field.a.dataType === 'boolean' ? 'categorical' : 'continuous');
    const missingRate = missingRateOf(s);
    if (optype === 'categorical' || optype === 'ordinal') {
      // "property" defaults to valid; invalid and missing Values are not categories.
      const declared = children(field, 'Value').filter((v) => (v.a.property ?? 'valid') === 'valid' && v.a.value !== undefined).map((v) => v.a.value);
      const fromStats = categoryShares(s, declared);
      const categories = fromStats?.categories ?? declared;
      if (categories.length === 0 && missingRate === null) continue;
      features.push({ kind: 'categorical', name: input.name, input: input.name, missingRate, categories, proportions: fromStats?.proportions ?? null });
      sources++;
      continue;
    }
    const info = s === undefined ? undefined : child(s, 'NumericInfo');
    const min = num(info?.a.minimum);
    const max = num(info?.a.maximum);
    let valid = children(field, 'Interval').map(intervalOf);
    if (valid.length === 0 && (min !== null || max !== null)) valid = [{ low: min, high: max, lowClosed: true, highClosed: true }];
    const bins = numericBins(s);
    if (valid.length === 0 && bins.proportions === null && missingRate === null) continue;
    features.push({ kind: 'numeric', name: input.name, input: input.name, missingRate, min, max, valid, edges: bins.edges, proportions: bins.proportions });
    sources++;
  }
  if (sources === 0) return undefined;
  return { format: BASELINE_FORMAT, formatVersion: 1, source: stats.size > 0 ? 'pmml:DataDictionary+ModelStats' : 'pmml:DataDictionary', rows: 0, features };
}
