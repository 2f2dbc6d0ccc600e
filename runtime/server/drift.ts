// Drift monitoring of one model version against its compile-time baseline
// (baseline.ts): per feature, the shares of out-of-range, unseen-category and
// missing values, and the population stability index (PSI) over the baseline's
// bins; per output, the prediction distribution.
//
// Per scored instance and feature the cost is a bin lookup (binary search over at
// most 9 precomputed cut points, or one Map lookup for a category) and two array
// increments; PSI and rates are computed only when /metrics is scraped.
//
// Window: the gauges describe the most recent instances, between W and 2W of them
// (W = MLCOMPILE_DRIFT_WINDOW, default 10,000): counts go to the current window,
// which becomes the previous one when it reaches W instances, and the gauges add
// the two. Counters (`_total`) count since the server started.
//
// PSI = Σ (a_i − e_i) · ln(a_i / e_i) over bins i, a the observed share, e the
// baseline share, both floored at PSI_FLOOR so an empty bin gives a finite value.
// Categorical features have one extra bin for values the baseline never saw (its
// baseline share is the floor). Common reading: < 0.1 stable, 0.1–0.25 moderate
// shift, > 0.25 major shift.

import { binIndex, inValidRange, type Baseline, type BaselineFeature, type BaselineOutput, type ValidInterval } from './baseline.js';

export const DEFAULT_DRIFT_WINDOW = 10_000;
/** Shares below this count as this in PSI (the usual 1e-4 smoothing). */
export const PSI_FLOOR = 1e-4;
/** Distinct predicted labels counted per output; more count as "__other__". */
export const MAX_LABELS = 100;

const OTHER_LABEL = '__other__';

/** Counts of one window. */
class WindowCounts {
  observed = 0;
  missing = 0;
  outOfRange = 0;
  unseen = 0;
  readonly bins: Float64Array;
  constructor(nBins: number) {
    this.bins = new Float64Array(nBins);
  }
  clear(): void {
    this.observed = 0;
    this.missing = 0;
    this.outOfRange = 0;
    this.unseen = 0;
    this.bins.fill(0);
  }
}

/** One feature's baseline, compiled for lookups, and its counts. */
export class FeatureMonitor {
  readonly name: string;
  readonly input: string;
  readonly column: number | undefined;
  readonly numeric: boolean;
  private readonly edges: Float64Array;
  private readonly categories: Map<string, number>;
  /** Baseline shares per bin (categorical: one more, the unseen bin), or null: no PSI. */
  private readonly expected: Float64Array | null;
  private readonly baseline: BaselineFeature;
  /** Valid intervals of a numeric feature (empty: no range known). */
  private readonly valid: readonly ValidInterval[];
  cur: WindowCounts;
  prev: WindowCounts;
  /** Since start. */
  totalObserved = 0;
  totalMissing = 0;
  totalOutOfRange = 0;
  totalUnseen = 0;

  constructor(f: BaselineFeature) {
    this.baseline = f;
    this.name = f.name;
    this.input = f.input;
    this.column = f.column;
    this.numeric = f.kind === 'numeric';
    this.valid = f.kind === 'numeric' ? f.valid : [];
    this.edges = Float64Array.from(f.kind === 'numeric' ? f.edges : []);
    this.categories = new Map(f.kind === 'categorical' ? f.categories.map((c, i) => [c, i]) : []);
    const nBins = f.kind === 'numeric' ? f.edges.length + 1 : f.categories.length + 1;
    this.expected = f.proportions === null ? null : Float64Array.from(f.kind === 'numeric' ? f.proportions : [...f.proportions, 0]);
    this.cur = new WindowCounts(nBins);
    this.prev = new WindowCounts(nBins);
  }

  /** Counts one value (any JSON value or typed-array element the request carried). */
  observe(v: unknown): void {
    const w = this.cur;
    w.observed++;
    this.totalObserved++;
    if (v === null || v === undefined || v === '' || (typeof v === 'number' && Number.isNaN(v))) {
      w.missing++;
      this.totalMissing++;
      return;
    }
    if (this.numeric) {
      const x = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : typeof v === 'boolean' ? (v ? 1 : 0) : typeof v === 'bigint' ? Number(v) : NaN;
      if (Number.isNaN(x)) {
        // Text that is not a number, in a numeric field: PMML calls it invalid; here it is out of range.
        w.outOfRange++;
        this.totalOutOfRange++;
        return;
      }
      if (this.valid.length > 0 && !inValidRange(this.valid, x)) {
        w.outOfRange++;
        this.totalOutOfRange++;
      }
      w.bins[binIndex(this.edges, x)]++;
      return;
    }
    const key = typeof v === 'string' ? v : typeof v === 'boolean' ? (v ? 'true' : 'false') : typeof v === 'number' || typeof v === 'bigint' ? String(v) : JSON.stringify(v);
    const i = this.categories.get(key);
    if (i === undefined) {
      // Only an unseen value when the baseline knows the categories at all.
      if (this.categories.size > 0) {
        w.unseen++;
        this.totalUnseen++;
      }
      w.bins[w.bins.length - 1]++;
    } else {
      w.bins[i]++;
    }
  }

  /** PSI of the current and previous windows against the baseline; null without baseline shares or observations. */
  psi(): number | null {
    const e = this.expected;
    if (e === null) return null;
    const a = this.cur.bins;
    const b = this.prev.bins;
    let total = 0;
    for (let i = 0; i < a.length; i++) total += a[i] + b[i];
    if (total === 0) return null;
    let psi = 0;
    for (let i = 0; i < a.length; i++) {
      const actual = Math.max((a[i] + b[i]) / total, PSI_FLOOR);
      const expected = Math.max(e[i], PSI_FLOOR);
      psi += (actual - expected) * Math.log(actual / expected);
    }
    return psi;
  }

  /** Share of the window's observations that were missing / out of range / unseen; null before any. */
  rate(kind: 'missing' | 'outOfRange' | 'unseen'): number | null {
    const n = this.cur.observed + this.prev.observed;
    return n === 0 ? null : (this.cur[kind] + this.prev[kind]) / n;
  }

  /** The baseline's share of missing values (null: unknown). */
  missingRate(): number | null {
    return this.baseline.missingRate;
  }

  rotate(): void {
    const old = this.prev;
    this.prev = this.cur;
    old.clear();
    this.cur = old;
  }
}

/** The distribution of one model output's predictions. */
export class OutputMonitor {
  /** Predicted labels (strings, booleans, integers of a label tensor) → count. */
  readonly labels = new Map<string, number>();
  /** Numeric predictions: per-bin counts when the baseline has bins for the output. */
  readonly bins: Float64Array | null;
  readonly edges: Float64Array | null;
  count = 0;
  sum = 0;

  /** The baseline's share of predictions per bin (null: no PSI). */
  private readonly expected: Float64Array | null;

  constructor(readonly name: string, baseline: BaselineOutput | undefined) {
    this.edges = baseline === undefined ? null : Float64Array.from(baseline.edges);
    this.bins = baseline === undefined ? null : new Float64Array(baseline.edges.length + 1);
    this.expected = baseline === undefined || baseline.proportions === null ? null : Float64Array.from(baseline.proportions);
  }

  /** PSI of the numeric predictions since start against the baseline's (null without baseline shares or predictions). */
  psi(): number | null {
    const e = this.expected;
    const a = this.bins;
    if (e === null || a === null || this.count === 0) return null;
    let total = 0;
    for (let i = 0; i < a.length; i++) total += a[i];
    if (total === 0) return null;
    let psi = 0;
    for (let i = 0; i < a.length; i++) {
      const actual = Math.max(a[i] / total, PSI_FLOOR);
      const expected = Math.max(e[i], PSI_FLOOR);
      psi += (actual - expected) * Math.log(actual / expected);
    }
    return psi;
  }

  observe(v: unknown): void {
    if (v === null || v === undefined) return;
    if (typeof v === 'number' && !this.isLabelNumber) {
      if (Number.isNaN(v)) return;
      this.count++;
      this.sum += v;
      if (this.edges !== null && this.bins !== null) this.bins[binIndex(this.edges, v)]++;
      return;
    }
    const key = typeof v === 'string' ? v : typeof v === 'boolean' ? (v ? 'true' : 'false') : String(v);
    const n = this.labels.get(key);
    if (n !== undefined) this.labels.set(key, n + 1);
    else if (this.labels.size < MAX_LABELS) this.labels.set(key, 1);
    else this.labels.set(OTHER_LABEL, (this.labels.get(OTHER_LABEL) ?? 0) + 1);
  }

  /** Integer label tensors (ONNX classifiers' int64 labels) count as labels, not values. */
  isLabelNumber = false;
}

/** The drift state of one model version. */
export class DriftMonitor {
  readonly features: readonly FeatureMonitor[];
  /** Features by input name (a tensor input has one per column). */
  readonly byInput: ReadonlyMap<string, readonly FeatureMonitor[]>;
  readonly outputs = new Map<string, OutputMonitor>();
  private readonly outputBaselines: Map<string, BaselineOutput>;
  private inWindow = 0;

  constructor(readonly model: string, readonly version: string, readonly baseline: Baseline, private readonly window = DEFAULT_DRIFT_WINDOW) {
    this.features = baseline.features.map((f) => new FeatureMonitor(f));
    const byInput = new Map<string, FeatureMonitor[]>();
    for (const f of this.features) {
      const list = byInput.get(f.input);
      if (list === undefined) byInput.set(f.input, [f]);
      else list.push(f);
    }
    this.byInput = byInput;
    this.outputBaselines = new Map((baseline.outputs ?? []).map((o) => [o.name, o]));
  }

  /** Call after each scored instance's features were observed: rolls the window. */
  endInstances(n: number): void {
    this.inWindow += n;
    if (this.inWindow >= this.window) {
      for (const f of this.features) f.rotate();
      this.inWindow = 0;
    }
  }

  output(name: string): OutputMonitor {
    let o = this.outputs.get(name);
    if (o === undefined) {
      o = new OutputMonitor(name, this.outputBaselines.get(name));
      this.outputs.set(name, o);
    }
    return o;
  }
}

// ---------------------------------------------------------------------------------------
// Prometheus text

function esc(v: string): string {
  return /[\\"\n]/.test(v) ? v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') : v;
}

function num(v: number): string {
  return Number.isFinite(v) ? String(v) : v > 0 ? '+Inf' : v < 0 ? '-Inf' : 'NaN';
}

/** The drift series of every monitor, in the Prometheus text format. */
export function driftMetricsText(monitors: readonly DriftMonitor[]): string {
  if (monitors.length === 0) return '';
  const out: string[] = [];
  const family = (name: string, type: string, help: string, each: (m: DriftMonitor, f: FeatureMonitor, labels: string) => string | null): void => {
    out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const m of monitors) {
      for (const f of m.features) {
        const v = each(m, f, `model="${esc(m.model)}",version="${esc(m.version)}",feature="${esc(f.name)}"`);
        if (v !== null) out.push(v);
      }
    }
  };
  const gauge = (value: number | null, name: string, labels: string): string | null => (value === null ? null : `${name}{${labels}} ${num(value)}`);
  family('mlcompile_feature_psi', 'gauge', 'Population stability index of a feature over the recent window against the compile-time baseline (< 0.1 stable, > 0.25 major shift)',
    (_m, f, l) => gauge(f.psi(), 'mlcompile_feature_psi', l));
  family('mlcompile_feature_out_of_range_ratio', 'gauge', 'Share of a numeric feature\'s recent values outside the baseline range (or not numbers)',
    (_m, f, l) => (f.numeric ? gauge(f.rate('outOfRange'), 'mlcompile_feature_out_of_range_ratio', l) : null));
  family('mlcompile_feature_unseen_category_ratio', 'gauge', 'Share of a categorical feature\'s recent values that are not baseline categories',
    (_m, f, l) => (f.numeric ? null : gauge(f.rate('unseen'), 'mlcompile_feature_unseen_category_ratio', l)));
  family('mlcompile_feature_missing_ratio', 'gauge', 'Share of a feature\'s recent values that were missing',
    (_m, f, l) => gauge(f.rate('missing'), 'mlcompile_feature_missing_ratio', l));
  family('mlcompile_feature_baseline_missing_ratio', 'gauge', 'Share of missing values in the baseline data',
    (_m, f, l) => gauge(f.missingRate(), 'mlcompile_feature_baseline_missing_ratio', l));
  family('mlcompile_feature_values_total', 'counter', 'Feature values observed since start',
    (_m, f, l) => `mlcompile_feature_values_total{${l}} ${f.totalObserved}`);
  family('mlcompile_feature_missing_total', 'counter', 'Missing feature values since start',
    (_m, f, l) => `mlcompile_feature_missing_total{${l}} ${f.totalMissing}`);
  family('mlcompile_feature_out_of_range_total', 'counter', 'Numeric feature values outside the baseline range since start',
    (_m, f, l) => (f.numeric ? `mlcompile_feature_out_of_range_total{${l}} ${f.totalOutOfRange}` : null));
  family('mlcompile_feature_unseen_category_total', 'counter', 'Categorical feature values unseen in the baseline since start',
    (_m, f, l) => (f.numeric ? null : `mlcompile_feature_unseen_category_total{${l}} ${f.totalUnseen}`));

  out.push('# HELP mlcompile_prediction_label_total Predictions by predicted label (string, boolean and integer-label outputs), by model, version and output');
  out.push('# TYPE mlcompile_prediction_label_total counter');
  for (const m of monitors) {
    for (const o of m.outputs.values()) {
      for (const [label, n] of o.labels) out.push(`mlcompile_prediction_label_total{model="${esc(m.model)}",version="${esc(m.version)}",output="${esc(o.name)}",label="${esc(label)}"} ${n}`);
    }
  }
  out.push('# HELP mlcompile_prediction_psi Population stability index of a numeric output\'s predictions since start against the baseline\'s (from running the model on the --baseline data)');
  out.push('# TYPE mlcompile_prediction_psi gauge');
  for (const m of monitors) {
    for (const o of m.outputs.values()) {
      const psi = o.psi();
      if (psi !== null) out.push(`mlcompile_prediction_psi{model="${esc(m.model)}",version="${esc(m.version)}",output="${esc(o.name)}"} ${num(psi)}`);
    }
  }
  out.push('# HELP mlcompile_prediction_value Numeric predictions, by model, version and output (buckets: the baseline\'s bins when it has them)');
  out.push('# TYPE mlcompile_prediction_value histogram');
  for (const m of monitors) {
    for (const o of m.outputs.values()) {
      if (o.count === 0) continue;
      const l = `model="${esc(m.model)}",version="${esc(m.version)}",output="${esc(o.name)}"`;
      if (o.edges !== null && o.bins !== null) {
        let cumulative = 0;
        for (let i = 0; i < o.edges.length; i++) {
          cumulative += o.bins[i];
          out.push(`mlcompile_prediction_value_bucket{le="${num(o.edges[i])}",${l}} ${cumulative}`);
        }
      }
      out.push(`mlcompile_prediction_value_bucket{le="+Inf",${l}} ${o.count}`);
      out.push(`mlcompile_prediction_value_sum{${l}} ${num(o.sum)}`);
      out.push(`mlcompile_prediction_value_count{${l}} ${o.count}`);
    }
  }
  return out.join('\n') + '\n';
}
