// PFA library, family "interp" (specification §23): histogram-like binning, nearest
// neighbour lookup in a table, and linear interpolation between the two closest table
// points (extrapolated, flat or missing beyond the table).

import { pfaFail, type LibFunction, type LibImpl, type SignatureJson } from '../types.js';
import { INT_MAX, INT_MIN } from '../values.js';

type Entry = { readonly x: unknown; readonly to: unknown };
type NumEntry = { readonly x: number; readonly to: number | number[] };

// ---------------------------------------------------------------------------
// interp.bin

function checkBin(name: string, bin: number): number {
  // A bin outside the int range (or of a non-finite x) cannot be returned as an int.
  if (!(bin >= INT_MIN && bin <= INT_MAX)) pfaFail(22002, name, 'x out of range');
  return bin;
}

export const bin: LibFunction = {
  name: 'interp.bin',
  sigs: [
    { params: [{ name: 'x', type: 'double' }, { name: 'numbins', type: 'int' }, { name: 'low', type: 'double' }, { name: 'high', type: 'double' }], ret: 'int' },
    { params: [{ name: 'x', type: 'double' }, { name: 'origin', type: 'double' }, { name: 'width', type: 'double' }], ret: 'int' },
  ],
  make(types): LibImpl {
    const name = 'interp.bin';
    if (types.sig === 0) {
      return (x: number, numbins: number, low: number, high: number) => {
        if (!(low < high)) pfaFail(22000, name, 'bad histogram range');
        if (numbins < 1) pfaFail(22001, name, 'bad histogram scale');
        if (!(x >= low && x < high)) pfaFail(22002, name, 'x out of range');
        // Rounding may put a value just below high into bin numbins: keep it in the last bin.
        return Math.min(numbins - 1, Math.floor(((x - low) / (high - low)) * numbins)) + 0;
      };
    }
    return (x: number, origin: number, width: number) => {
      if (!Number.isFinite(origin)) pfaFail(22000, name, 'bad histogram range');
      if (!(width > 0)) pfaFail(22001, name, 'bad histogram scale');
      return checkBin(name, Math.floor((x - origin) / width)) + 0;
    };
  },
};

// ---------------------------------------------------------------------------
// interp.nearest

/** The `to` of the entry at the smallest distance (ties: the first one). */
function nearestOf(table: readonly Entry[], distance: (e: Entry) => number): unknown {
  let best = 0, bestDistance = distance(table[0]);
  for (let i = 1; i < table.length; i++) {
    const d = distance(table[i]);
    if (d < bestDistance || (Number.isNaN(bestDistance) && !Number.isNaN(d))) {
      best = i;
      bestDistance = d;
    }
  }
  return table[best].to;
}

export const nearest: LibFunction = {
  name: 'interp.nearest',
  sigs: [
    {
      params: [{ name: 'x', type: 'double' }, { name: 'table', type: { type: 'array', items: { type: 'record', label: 'R', fields: [{ name: 'x', type: 'double' }, { name: 'to', type: { any: 'T' } }] } } }],
      ret: { ref: 'T' },
    },
    {
      params: [{ name: 'x', type: { type: 'array', items: 'double' } },
        { name: 'table', type: { type: 'array', items: { type: 'record', label: 'R', fields: [{ name: 'x', type: { type: 'array', items: 'double' } }, { name: 'to', type: { any: 'T' } }] } } }],
      ret: { ref: 'T' },
    },
    {
      params: [{ name: 'x', type: { any: 'X1' } },
        { name: 'table', type: { type: 'array', items: { type: 'record', label: 'R', fields: [{ name: 'x', type: { any: 'X2' } }, { name: 'to', type: { any: 'T' } }] } } },
        { name: 'metric', type: { type: 'function', params: [{ ref: 'X1' }, { ref: 'X2' }], ret: 'double' } }],
      ret: { ref: 'T' },
    },
  ],
  make(types): LibImpl {
    const name = 'interp.nearest';
    const nonEmpty = (table: readonly Entry[]): void => {
      if (table.length < 1) pfaFail(22010, name, 'table must have at least one entry');
    };
    switch (types.sig) {
      case 0: return (x: number, table: Entry[]) => {
        nonEmpty(table);
        return nearestOf(table, (e) => Math.abs(x - (e.x as number)));
      };
      case 1: return (x: number[], table: Entry[]) => {
        nonEmpty(table);
        if (table.some((e) => (e.x as number[]).length !== x.length)) pfaFail(22011, name, 'inconsistent dimensionality');
        return nearestOf(table, (e) => {
          const v = e.x as number[];
          let s = 0;
          for (let i = 0; i < x.length; i++) s += (x[i] - v[i]) * (x[i] - v[i]);
          return s;
        });
      };
      default: return (x: unknown, table: Entry[], metric: (a: unknown, b: unknown) => number) => {
        nonEmpty(table);
        return nearestOf(table, (e) => metric(x, e.x));
      };
    }
  },
};

// ---------------------------------------------------------------------------
// Linear interpolation.

type Beyond = 'extrapolate' | 'flat' | 'missing';

/** The index of the entry closest to x among those passing `keep` (ties: the first). */
function closest(table: readonly NumEntry[], x: number, keep: (e: NumEntry) => boolean): number {
  let best = -1;
  for (let i = 0; i < table.length; i++) {
    if (!keep(table[i])) continue;
    if (best < 0 || Math.abs(table[i].x - x) < Math.abs(table[best].x - x)) best = i;
  }
  return best;
}

function interpolate(name: string, code: number, x: number, a: NumEntry, b: NumEntry): number | number[] {
  const t = (x - a.x) / (b.x - a.x);
  if (typeof a.to === 'number') return a.to + t * ((b.to as number) - a.to);
  const ta = a.to, tb = b.to as number[];
  if (ta.length !== tb.length) pfaFail(code + 1, name, 'inconsistent dimensionality');
  return ta.map((v, i) => v + t * (tb[i] - v));
}

function linearLike(name: string, code: number, beyond: Beyond): LibFunction {
  const record = (to: unknown): unknown => ({ type: 'array', items: { type: 'record', label: 'R', fields: [{ name: 'x', type: 'double' }, { name: 'to', type: to }] } });
  const DOUBLES = { type: 'array', items: 'double' };
  const sigs: SignatureJson[] = [
    { params: [{ name: 'x', type: 'double' }, { name: 'table', type: record('double') }], ret: beyond === 'missing' ? { type: 'union', of: ['null', 'double'] } : 'double' },
    { params: [{ name: 'x', type: 'double' }, { name: 'table', type: record(DOUBLES) }], ret: beyond === 'missing' ? { type: 'union', of: ['null', DOUBLES] } : DOUBLES },
  ];
  return {
    name,
    sigs,
    make: () => (x: number, table: NumEntry[]) => {
      if (new Set(table.map((e) => e.x)).size < 2) pfaFail(code, name, 'table must have at least two distinct x values');
      // The closest entries at or below x and above x (an exact match interpolates with t = 0).
      const below = closest(table, x, (e) => e.x <= x);
      const above = closest(table, x, (e) => e.x > x);
      if (below >= 0 && above >= 0) return interpolate(name, code, x, table[below], table[above]);
      // x equal to the largest table x is inside the table: pair it with the closest entry below.
      if (below >= 0 && table[below].x === x) {
        const other = closest(table, x, (e) => e.x < x);
        if (other >= 0) return interpolate(name, code, x, table[below], table[other]);
      }
      // Beyond the table (or x is NaN).
      if (beyond === 'missing') return null;
      const first = closest(table, x, () => true);
      if (beyond === 'flat') return table[first].to;
      if (Number.isNaN(x)) {
        const to = table[first].to;
        return typeof to === 'number' ? NaN : to.map(() => NaN);
      }
      // Extrapolate along the line through the two closest distinct points.
      const second = closest(table, x, (e) => e.x !== table[first].x);
      return interpolate(name, code, x, table[first], table[second]);
    },
  };
}

export const linear = linearLike('interp.linear', 22020, 'extrapolate');
export const linearFlat = linearLike('interp.linearFlat', 22030, 'flat');
export const linearMissing = linearLike('interp.linearMissing', 22040, 'missing');
