// PFA library, family "model.cluster" (specification §26.3, cluster models): the closest
// cluster(s) to a datum, random seeding, one k-means (Lloyd) iteration and the mean
// update of a cluster. Signatures are copied from the function catalogue (functions.json).
//
// Cluster records are null-prototype objects with a `center` field and possibly others,
// which are kept as they are in new records.

import { pfaFail, type LibContext, type LibFunction, type PfaType } from '../types.js';
import { newMap } from '../values.js';
import { setKeyer } from './collections-common.js';

type Rec = Record<string, unknown>;
type Vec = readonly number[];
type Metric = (a: unknown, b: unknown) => number;

/**
 * The Euclidean distance assumed when no metric is given: the root sum of squared
 * component differences, over the components the two vectors have in common.
 */
export function euclideanDistance(x: Vec, y: Vec): number {
  const n = Math.min(x.length, y.length);
  let s = 0;
  for (let i = 0; i < n; i++) {
    const d = x[i] - y[i];
    s += d * d;
  }
  return Math.sqrt(s);
}

/**
 * Index of the first item with the smallest distance (items non-empty). Distances are
 * compared with `<` only, so a NaN distance is neither closer nor farther than another.
 */
export function closestIndex(distances: readonly number[]): number {
  let best = 0;
  for (let i = 1; i < distances.length; i++) if (distances[i] < distances[best]) best = i;
  return best;
}

/**
 * Indexes ordered by increasing distance: a stable sort comparing with `<` only (a NaN
 * distance is neither less nor greater than another, as in the reference implementation).
 */
export function orderByDistance(distances: readonly number[]): number[] {
  return distances.map((_, i) => i).sort((i, j) => (distances[i] < distances[j] ? -1 : distances[j] < distances[i] ? 1 : 0));
}

/** A record like `r` (same fields, in the declared order of its type) with some fields replaced. */
function withFields(r: Rec, type: PfaType, changes: Rec): Rec {
  const out = newMap();
  const names = type.kind === 'record' ? type.fields.map((f) => f.name) : Object.keys(r);
  for (const name of names) out[name] = Object.hasOwn(changes, name) ? changes[name] : r[name];
  return out;
}

export const closest: LibFunction = {
  name: 'model.cluster.closest',
  sigs: [
    {"params": [{"name": "datum", "type": {"type": "array", "items": "double"}}, {"name": "clusters", "type": {"type": "array", "items": {"type": "record", "label": "C", "fields": [{"name": "center", "type": {"type": "array", "items": "double"}}]}}}], "ret": {"ref": "C"}},
    {"params": [{"name": "datum", "type": {"any": "A"}}, {"name": "clusters", "type": {"type": "array", "items": {"type": "record", "label": "C", "fields": [{"name": "center", "type": {"any": "B"}}]}}}, {"name": "metric", "type": {"type": "function", "params": [{"ref": "A"}, {"ref": "B"}], "ret": "double"}}], "ret": {"ref": "C"}},
  ],
  make() {
    return (datum: unknown, clusters: readonly Rec[], metric?: Metric) => {
      if (clusters.length === 0) pfaFail(29000, 'model.cluster.closest', 'no clusters');
      const m = metric ?? (euclideanDistance as Metric);
      return clusters[closestIndex(clusters.map((c) => m(datum, c.center)))];
    };
  },
};

export const closestN: LibFunction = {
  name: 'model.cluster.closestN',
  sigs: [
    {"params": [{"name": "n", "type": "int"}, {"name": "datum", "type": {"type": "array", "items": "double"}}, {"name": "clusters", "type": {"type": "array", "items": {"type": "record", "label": "C", "fields": [{"name": "center", "type": {"type": "array", "items": "double"}}]}}}], "ret": {"type": "array", "items": {"ref": "C"}}},
    {"params": [{"name": "n", "type": "int"}, {"name": "datum", "type": {"any": "A"}}, {"name": "clusters", "type": {"type": "array", "items": {"type": "record", "label": "C", "fields": [{"name": "center", "type": {"any": "B"}}]}}}, {"name": "metric", "type": {"type": "function", "params": [{"ref": "A"}, {"ref": "B"}], "ret": "double"}}], "ret": {"type": "array", "items": {"ref": "C"}}},
  ],
  make() {
    return (n: number, datum: unknown, clusters: readonly Rec[], metric?: Metric) => {
      if (n < 0) pfaFail(29010, 'model.cluster.closestN', 'n must be nonnegative');
      const m = metric ?? (euclideanDistance as Metric);
      const order = orderByDistance(clusters.map((c) => m(datum, c.center)));
      return order.slice(0, n).map((i) => clusters[i]);
    };
  },
};

export const randomSeeds: LibFunction = {
  name: 'model.cluster.randomSeeds',
  sigs: [
    {"params": [{"name": "data", "type": {"type": "array", "items": {"type": "array", "items": {"any": "A"}}}}, {"name": "k", "type": "int"}, {"name": "newCluster", "type": {"type": "function", "params": ["int", {"type": "array", "items": {"ref": "A"}}], "ret": {"type": "record", "label": "C", "fields": [{"name": "center", "type": {"type": "array", "items": {"any": "B"}}}]}}}], "ret": {"type": "array", "items": {"ref": "C"}}},
  ],
  make(types, ctx: LibContext) {
    const vectorType = types.params[0].kind === 'array' ? types.params[0].items : { kind: 'array' as const, items: { kind: 'double' as const } };
    const key = setKeyer(vectorType);
    const fcn = 'model.cluster.randomSeeds';
    return (data: readonly (readonly unknown[])[], k: number, newCluster: (i: number, v: readonly unknown[]) => Rec) => {
      if (k <= 0) pfaFail(29020, fcn, 'k must be greater than zero');
      for (const v of data) if (v.length !== data[0].length) pfaFail(29022, fcn, 'dimensions of vectors do not match');
      const seen = new Set<string>();
      const unique: (readonly unknown[])[] = [];
      for (const v of data) {
        const kv = key(v);
        if (!seen.has(kv)) {
          seen.add(kv);
          unique.push(v);
        }
      }
      if (unique.length < k) pfaFail(29021, fcn, 'not enough unique points');
      // A uniformly random k-subset in random order: the first k steps of a Fisher–Yates shuffle.
      for (let i = 0; i < k; i++) {
        const j = i + Math.floor(ctx.random() * (unique.length - i));
        [unique[i], unique[j]] = [unique[j], unique[i]];
      }
      const out: Rec[] = [];
      for (let i = 0; i < k; i++) out.push(newCluster(i, unique[i]));
      return out;
    };
  },
};

export const kmeansIteration: LibFunction = {
  name: 'model.cluster.kmeansIteration',
  sigs: [
    {"params": [{"name": "data", "type": {"type": "array", "items": {"type": "array", "items": {"any": "A"}}}}, {"name": "clusters", "type": {"type": "array", "items": {"type": "record", "label": "C", "fields": [{"name": "center", "type": {"type": "array", "items": {"any": "B"}}}]}}}, {"name": "metric", "type": {"type": "function", "params": [{"type": "array", "items": {"ref": "A"}}, {"type": "array", "items": {"ref": "B"}}], "ret": "double"}}, {"name": "update", "type": {"type": "function", "params": [{"type": "array", "items": {"type": "array", "items": {"ref": "A"}}}, {"ref": "C"}], "ret": {"ref": "C"}}}], "ret": {"type": "array", "items": {"ref": "C"}}},
  ],
  make() {
    const fcn = 'model.cluster.kmeansIteration';
    return (data: readonly unknown[], clusters: readonly Rec[], metric: Metric, update: (matched: unknown[], c: Rec) => Rec) => {
      if (data.length === 0) pfaFail(29030, fcn, 'no data');
      if (clusters.length === 0) pfaFail(29031, fcn, 'no clusters');
      const matched: unknown[][] = clusters.map(() => []);
      for (const datum of data) matched[closestIndex(clusters.map((c) => metric(datum, c.center)))].push(datum);
      return clusters.map((c, i) => (matched[i].length > 0 ? update(matched[i], c) : c));
    };
  },
};

export const updateMean: LibFunction = {
  name: 'model.cluster.updateMean',
  sigs: [
    {"params": [{"name": "data", "type": {"type": "array", "items": {"type": "array", "items": "double"}}}, {"name": "cluster", "type": {"type": "record", "label": "C", "fields": [{"name": "center", "type": {"type": "array", "items": "double"}}]}}, {"name": "weight", "type": "double"}], "ret": {"ref": "C"}},
  ],
  make(types) {
    const clusterType = types.params[1];
    const fcn = 'model.cluster.updateMean';
    return (data: readonly Vec[], cluster: Rec, weight: number) => {
      if (data.length === 0) pfaFail(29040, fcn, 'no data');
      const old = cluster.center as Vec;
      for (const v of data) if (v.length !== old.length) pfaFail(29041, fcn, 'dimensions of vectors do not match');
      // (weight·old + Σ data) / (weight + N): the data mean when weight is zero.
      const center = old.map((c, i) => {
        let s = weight * c;
        for (const v of data) s += v[i];
        return s / (weight + data.length);
      });
      return withFields(cluster, clusterType, { center });
    };
  },
};
