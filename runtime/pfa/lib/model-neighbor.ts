// PFA library, family "model.neighbor" (specification §26.4, nearest neighbor models):
// the k nearest codebook items, the items within a radius, and the (weighted) mean of
// points. Signatures are copied from the function catalogue (functions.json).

import { pfaFail, type LibFunction } from '../types.js';
import { euclideanDistance, orderByDistance } from './model-cluster.js';

type Vec = readonly number[];
type Metric = (a: unknown, b: unknown) => number;

export const nearestK: LibFunction = {
  name: 'model.neighbor.nearestK',
  sigs: [
    {"params": [{"name": "k", "type": "int"}, {"name": "datum", "type": {"type": "array", "items": "double"}}, {"name": "codebook", "type": {"type": "array", "items": {"type": "array", "items": "double"}}}], "ret": {"type": "array", "items": {"type": "array", "items": "double"}}},
    {"params": [{"name": "k", "type": "int"}, {"name": "datum", "type": {"any": "A"}}, {"name": "codebook", "type": {"type": "array", "items": {"any": "B"}}}, {"name": "metric", "type": {"type": "function", "params": [{"ref": "A"}, {"ref": "B"}], "ret": "double"}}], "ret": {"type": "array", "items": {"ref": "B"}}},
  ],
  make() {
    const fcn = 'model.neighbor.nearestK';
    return (k: number, datum: unknown, codebook: readonly unknown[], metric?: Metric) => {
      if (k < 0) pfaFail(30010, fcn, 'k must be nonnegative');
      if (metric === undefined) {
        const n = (datum as Vec).length;
        for (const v of codebook as readonly Vec[]) if (v.length !== n) pfaFail(30011, fcn, 'inconsistent dimensionality');
      }
      const m = metric ?? (euclideanDistance as Metric);
      // Closest first (ties keep codebook order).
      return orderByDistance(codebook.map((v) => m(datum, v))).slice(0, k).map((i) => codebook[i]);
    };
  },
};

export const ballR: LibFunction = {
  name: 'model.neighbor.ballR',
  sigs: [
    {"params": [{"name": "r", "type": "double"}, {"name": "datum", "type": {"type": "array", "items": "double"}}, {"name": "codebook", "type": {"type": "array", "items": {"type": "array", "items": "double"}}}], "ret": {"type": "array", "items": {"type": "array", "items": "double"}}},
    {"params": [{"name": "r", "type": "double"}, {"name": "datum", "type": {"any": "A"}}, {"name": "codebook", "type": {"type": "array", "items": {"any": "B"}}}, {"name": "metric", "type": {"type": "function", "params": [{"ref": "A"}, {"ref": "B"}], "ret": "double"}}], "ret": {"type": "array", "items": {"ref": "B"}}},
  ],
  make() {
    // Items strictly within r, in codebook order.
    return (r: number, datum: unknown, codebook: readonly unknown[], metric?: Metric) => {
      const m = metric ?? (euclideanDistance as Metric);
      return codebook.filter((v) => m(datum, v) < r);
    };
  },
};

export const mean: LibFunction = {
  name: 'model.neighbor.mean',
  sigs: [
    {"params": [{"name": "points", "type": {"type": "array", "items": {"type": "array", "items": "double"}}}], "ret": {"type": "array", "items": "double"}},
    {"params": [{"name": "points", "type": {"type": "array", "items": {"type": "array", "items": "double"}}}, {"name": "weight", "type": {"type": "function", "params": [{"type": "array", "items": "double"}], "ret": "double"}}], "ret": {"type": "array", "items": "double"}},
  ],
  make() {
    const fcn = 'model.neighbor.mean';
    return (points: readonly Vec[], weight?: (p: Vec) => number) => {
      if (points.length === 0) pfaFail(30000, fcn, 'not enough points');
      const d = points[0].length;
      for (const p of points) if (p.length !== d) pfaFail(30001, fcn, 'inconsistent dimensionality');
      // Σ wᵢ pᵢ / Σ wᵢ (weights normalised), or the plain mean without a weight function.
      const sum = new Array<number>(d).fill(0);
      let total = 0;
      for (const p of points) {
        const w = weight === undefined ? 1 : weight(p);
        total += w;
        for (let i = 0; i < d; i++) sum[i] += w * p[i];
      }
      return sum.map((s) => s / total);
    };
  },
};
