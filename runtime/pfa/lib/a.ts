// PFA library, array family (a.*): PFA 0.8.1 specification chapter 17 and the function
// catalogue (signatures copied from functions.json). Arrays are immutable: every function
// returns a new array (or one of its arguments unchanged) and never modifies an argument.

import { pfaFail, type CallTypes, type LibFunction, type PfaType, type SignatureJson } from '../types.js';
import { comparator, equality, INT_MAX, INT_MIN, newMap } from '../values.js';
import {
  compareByLessThan, extremeIndex, extremeIndexes, itemsOf, membership, membershipOf, nonNullReturn,
  type Compare, type LessThan, type Membership,
} from './collections-common.js';

// ---------------------------------------------------------------------------------
// Signature building blocks (JSON form of the catalogue).

const A = { any: 'A' } as const;
const refA = { ref: 'A' } as const;
const arrA = { type: 'array', items: A } as const;
const arrRefA = { type: 'array', items: refA } as const;
const fnA = (ret: unknown, ...params: unknown[]) => ({ type: 'function', params, ret });
const ltA = fnA('boolean', refA, refA);

function sig(params: [string, unknown][], ret: unknown): SignatureJson {
  return { params: params.map(([name, type]) => ({ name, type })), ret };
}

type Fn = (...args: unknown[]) => unknown;
type Arr = readonly unknown[];

/** Python's slice-bound normalisation: negative counts from the end, then clamped to [0, n]. */
function sliceBound(i: number, n: number): number {
  if (i < 0) return Math.max(0, i + n);
  return Math.min(i, n);
}

/** Python's index normalisation; -1 when outside [-n, n). */
function indexIn(i: number, n: number): number {
  const j = i < 0 ? i + n : i;
  return j >= 0 && j < n ? j : -1;
}

function elementType(types: CallTypes): PfaType {
  return itemsOf(types.params[0]);
}

// ---------------------------------------------------------------------------------
// 17.1 Basic access

export const len: LibFunction = {
  name: 'a.len',
  sigs: [sig([['a', arrA]], 'int')],
  make: () => (a: Arr) => a.length,
};

export const subseq: LibFunction = {
  name: 'a.subseq',
  sigs: [sig([['a', arrA], ['start', 'int'], ['end', 'int']], arrRefA)],
  make: () => (a: Arr, start: number, end: number) => a.slice(sliceBound(start, a.length), sliceBound(end, a.length)),
};

export const head: LibFunction = {
  name: 'a.head',
  sigs: [sig([['a', arrA]], refA)],
  make: () => (a: Arr) => (a.length === 0 ? pfaFail(15020, 'a.head', 'empty array') : a[0]),
};

export const tail: LibFunction = {
  name: 'a.tail',
  sigs: [sig([['a', arrA]], arrRefA)],
  make: () => (a: Arr) => (a.length === 0 ? pfaFail(15030, 'a.tail', 'empty array') : a.slice(1)),
};

export const last: LibFunction = {
  name: 'a.last',
  sigs: [sig([['a', arrA]], refA)],
  make: () => (a: Arr) => (a.length === 0 ? pfaFail(15040, 'a.last', 'empty array') : a[a.length - 1]),
};

export const init: LibFunction = {
  name: 'a.init',
  sigs: [sig([['a', arrA]], arrRefA)],
  make: () => (a: Arr) => (a.length === 0 ? pfaFail(15050, 'a.init', 'empty array') : a.slice(0, a.length - 1)),
};

export const subseqto: LibFunction = {
  name: 'a.subseqto',
  sigs: [sig([['a', arrA], ['start', 'int'], ['end', 'int'], ['replacement', arrRefA]], arrRefA)],
  make: () => (a: Arr, start: number, end: number, replacement: Arr) => {
    const s = sliceBound(start, a.length);
    const e = Math.max(s, sliceBound(end, a.length));
    return [...a.slice(0, s), ...replacement, ...a.slice(e)];
  },
};

// ---------------------------------------------------------------------------------
// 17.2 Search and replace. Signature 0: needle is a subsequence (array of A);
// 1: needle is an item (A); 2: needle is a predicate (A) → boolean.

const searchSigs = (ret: string): SignatureJson[] => [
  sig([['haystack', arrA], ['needle', arrRefA]], ret),
  sig([['haystack', arrA], ['needle', refA]], ret),
  sig([['haystack', arrA], ['needle', fnA('boolean', refA)]], ret),
];

/** Whether `needle` occurs in `haystack` starting at position i. */
function occursAt(haystack: Arr, needle: Arr, i: number, eq: (a: unknown, b: unknown) => boolean): boolean {
  for (let j = 0; j < needle.length; j++) if (!eq(haystack[i + j], needle[j])) return false;
  return true;
}

/** A predicate over haystack positions for the call site's kind of needle. */
function positionTest(types: CallTypes): (haystack: Arr, needle: unknown, i: number) => boolean {
  const eq = equality(elementType(types));
  if (types.sig === 0) return (h, n, i) => i + (n as Arr).length <= h.length && occursAt(h, n as Arr, i, eq);
  if (types.sig === 1) return (h, n, i) => eq(h[i], n);
  return (h, n, i) => (n as Fn)(h[i]) === true;
}

export const contains: LibFunction = {
  name: 'a.contains',
  sigs: searchSigs('boolean'),
  make: (types) => {
    const at = positionTest(types);
    return (haystack: Arr, needle: unknown) => {
      if (types.sig === 0 && (needle as Arr).length === 0) return true;
      for (let i = 0; i < haystack.length; i++) if (at(haystack, needle, i)) return true;
      return false;
    };
  },
};

export const count: LibFunction = {
  name: 'a.count',
  sigs: searchSigs('int'),
  make: (types) => {
    const at = positionTest(types);
    // An array needle is counted at every position where it occurs (occurrences may overlap).
    return (haystack: Arr, needle: unknown) => {
      if (types.sig === 0 && (needle as Arr).length === 0) return 0;
      let n = 0;
      for (let i = 0; i < haystack.length; i++) if (at(haystack, needle, i)) n++;
      return n;
    };
  },
};

export const index: LibFunction = {
  name: 'a.index',
  sigs: searchSigs('int'),
  make: (types) => {
    const at = positionTest(types);
    return (haystack: Arr, needle: unknown) => {
      if (types.sig === 0 && (needle as Arr).length === 0) return 0;
      for (let i = 0; i < haystack.length; i++) if (at(haystack, needle, i)) return i;
      return -1;
    };
  },
};

export const rindex: LibFunction = {
  name: 'a.rindex',
  sigs: searchSigs('int'),
  make: (types) => {
    const at = positionTest(types);
    return (haystack: Arr, needle: unknown) => {
      if (types.sig === 0 && (needle as Arr).length === 0) return haystack.length;
      for (let i = haystack.length - 1; i >= 0; i--) if (at(haystack, needle, i)) return i;
      return -1;
    };
  },
};

const prefixSigs = [
  sig([['haystack', arrA], ['needle', arrRefA]], 'boolean'),
  sig([['haystack', arrA], ['needle', refA]], 'boolean'),
];

export const startswith: LibFunction = {
  name: 'a.startswith',
  sigs: prefixSigs,
  make: (types) => {
    const eq = equality(elementType(types));
    if (types.sig === 0) return (h: Arr, n: Arr) => n.length <= h.length && occursAt(h, n, 0, eq);
    return (h: Arr, n: unknown) => h.length > 0 && eq(h[0], n);
  },
};

export const endswith: LibFunction = {
  name: 'a.endswith',
  sigs: prefixSigs,
  make: (types) => {
    const eq = equality(elementType(types));
    if (types.sig === 0) return (h: Arr, n: Arr) => n.length <= h.length && occursAt(h, n, h.length - n.length, eq);
    return (h: Arr, n: unknown) => h.length > 0 && eq(h[h.length - 1], n);
  },
};

// ---------------------------------------------------------------------------------
// 17.3 Manipulation

export const concat: LibFunction = {
  name: 'a.concat',
  sigs: [sig([['a', arrA], ['b', arrRefA]], arrRefA)],
  make: () => (a: Arr, b: Arr) => [...a, ...b],
};

export const append: LibFunction = {
  name: 'a.append',
  sigs: [sig([['a', arrA], ['item', refA]], arrRefA)],
  make: () => (a: Arr, item: unknown) => [...a, item],
};

export const cycle: LibFunction = {
  name: 'a.cycle',
  sigs: [sig([['a', arrA], ['item', refA], ['maxLength', 'int']], arrRefA)],
  make: () => (a: Arr, item: unknown, maxLength: number) => {
    if (maxLength < 0) pfaFail(15150, 'a.cycle', 'maxLength out of range');
    const out = [...a, item];
    return out.length > maxLength ? out.slice(out.length - maxLength) : out;
  },
};

export const insert: LibFunction = {
  name: 'a.insert',
  sigs: [sig([['a', arrA], ['index', 'int'], ['item', refA]], arrRefA)],
  make: () => (a: Arr, index: number, item: unknown) => {
    const i = indexIn(index, a.length);
    if (i < 0) pfaFail(15160, 'a.insert', 'index out of range');
    return [...a.slice(0, i), item, ...a.slice(i)];
  },
};

export const replace: LibFunction = {
  name: 'a.replace',
  sigs: [sig([['a', arrA], ['index', 'int'], ['item', refA]], arrRefA)],
  make: () => (a: Arr, index: number, item: unknown) => {
    const i = indexIn(index, a.length);
    if (i < 0) pfaFail(15170, 'a.replace', 'index out of range');
    const out = a.slice();
    out[i] = item;
    return out;
  },
};

export const remove: LibFunction = {
  name: 'a.remove',
  sigs: [
    sig([['a', arrA], ['start', 'int'], ['end', 'int']], arrRefA),
    sig([['a', arrA], ['index', 'int']], arrRefA),
  ],
  make: (types) => {
    if (types.sig === 0) {
      return (a: Arr, start: number, end: number) => {
        const s = sliceBound(start, a.length);
        const e = Math.max(s, sliceBound(end, a.length));
        return [...a.slice(0, s), ...a.slice(e)];
      };
    }
    return (a: Arr, index: number) => {
      const i = indexIn(index, a.length);
      if (i < 0) pfaFail(15180, 'a.remove', 'index out of range');
      return [...a.slice(0, i), ...a.slice(i + 1)];
    };
  },
};

export const rotate: LibFunction = {
  name: 'a.rotate',
  sigs: [sig([['a', arrA], ['steps', 'int']], arrRefA)],
  make: () => (a: Arr, steps: number) => {
    if (steps < 0) pfaFail(15190, 'a.rotate', 'steps out of range');
    if (a.length === 0) return [];
    const k = steps % a.length;
    return [...a.slice(k), ...a.slice(0, k)];
  },
};

// ---------------------------------------------------------------------------------
// 17.4 Reordering (Array.prototype.sort is stable: equal items keep their order)

export const sort: LibFunction = {
  name: 'a.sort',
  sigs: [sig([['a', arrA]], arrRefA)],
  make: (types) => {
    const cmp = comparator(elementType(types));
    return (a: Arr) => a.slice().sort(cmp);
  },
};

export const sortLT: LibFunction = {
  name: 'a.sortLT',
  sigs: [sig([['a', arrA], ['lessThan', ltA]], arrRefA)],
  make: () => (a: Arr, lessThan: LessThan) => a.slice().sort(compareByLessThan(lessThan)),
};

export const shuffle: LibFunction = {
  name: 'a.shuffle',
  sigs: [sig([['a', arrA]], arrRefA)],
  make: (_types, ctx) => (a: Arr) => {
    const out = a.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.min(i, Math.floor(ctx.random() * (i + 1)));
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  },
};

export const reverse: LibFunction = {
  name: 'a.reverse',
  sigs: [sig([['a', arrA]], arrRefA)],
  make: () => (a: Arr) => a.slice().reverse(),
};

// ---------------------------------------------------------------------------------
// 17.5 Extreme values: (max | min) × (Avro order | lessThan) × (one | N) × (values | indexes).

/** The Avro order of the call site's items, or null when a lessThan argument gives the order. */
function naturalOrder(types: CallTypes, withLT: boolean): Compare | null {
  return withLT ? null : comparator(elementType(types));
}

function extremeOne(name: string, code: number, highest: boolean, withLT: boolean, returnIndex: boolean): LibFunction {
  const ret = returnIndex ? 'int' : refA;
  return {
    name,
    sigs: [withLT ? sig([['a', arrA], ['lessThan', ltA]], ret) : sig([['a', arrA]], ret)],
    make: (types) => {
      const natural = naturalOrder(types, withLT);
      return (a: Arr, lessThan?: LessThan) => {
        if (a.length === 0) pfaFail(code, name, 'empty array');
        const i = extremeIndex(a, natural ?? compareByLessThan(lessThan as LessThan), highest);
        return returnIndex ? i : a[i];
      };
    },
  };
}

function extremeN(name: string, code: number, highest: boolean, withLT: boolean, returnIndex: boolean): LibFunction {
  const ret = returnIndex ? { type: 'array', items: 'int' } : arrRefA;
  return {
    name,
    sigs: [withLT ? sig([['a', arrA], ['n', 'int'], ['lessThan', ltA]], ret) : sig([['a', arrA], ['n', 'int']], ret)],
    make: (types) => {
      const natural = naturalOrder(types, withLT);
      return (a: Arr, n: number, lessThan?: LessThan) => {
        if (a.length === 0) pfaFail(code, name, 'empty array');
        if (n < 0) pfaFail(code + 1, name, 'n < 0');
        const idx = extremeIndexes(a, n, natural ?? compareByLessThan(lessThan as LessThan), highest);
        return returnIndex ? idx : idx.map((i) => a[i]);
      };
    },
  };
}

export const max = extremeOne('a.max', 15240, true, false, false);
export const min = extremeOne('a.min', 15250, false, false, false);
export const maxLT = extremeOne('a.maxLT', 15260, true, true, false);
export const minLT = extremeOne('a.minLT', 15270, false, true, false);
export const maxN = extremeN('a.maxN', 15280, true, false, false);
export const minN = extremeN('a.minN', 15290, false, false, false);
export const maxNLT = extremeN('a.maxNLT', 15300, true, true, false);
export const minNLT = extremeN('a.minNLT', 15310, false, true, false);
export const argmax = extremeOne('a.argmax', 15320, true, false, true);
export const argmin = extremeOne('a.argmin', 15330, false, false, true);
export const argmaxLT = extremeOne('a.argmaxLT', 15340, true, true, true);
export const argminLT = extremeOne('a.argminLT', 15350, false, true, true);
export const argmaxN = extremeN('a.argmaxN', 15360, true, false, true);
export const argminN = extremeN('a.argminN', 15370, false, false, true);
export const argmaxNLT = extremeN('a.argmaxNLT', 15380, true, true, true);
export const argminNLT = extremeN('a.argminNLT', 15390, false, true, true);

// ---------------------------------------------------------------------------------
// 17.6 Numerical combinations

const numArr = { type: 'array', items: { any: 'A', of: ['int', 'long', 'float', 'double'] } };
const doubleArr = { type: 'array', items: 'double' };

const LONG_LO = -(2n ** 63n);
const LONG_HI = 2n ** 63n - 1n;

/**
 * Sum or product with the item type's semantics: int and long results are exact (doubles
 * while every partial result is a safe integer, BigInt otherwise) and only the final
 * result is checked against the type's range; float results are rounded to 32 bits.
 */
function accumulate(name: string, kind: string, codes: [number, number], product: boolean): (a: Arr) => number {
  if (kind === 'int' || kind === 'long') {
    const [lo, hi] = kind === 'int' ? [BigInt(INT_MIN), BigInt(INT_MAX)] : [LONG_LO, LONG_HI];
    const code = kind === 'int' ? codes[0] : codes[1];
    const exact = (a: Arr): number => {
      let acc = product ? 1n : 0n;
      for (const x of a) acc = product ? acc * BigInt(x as number) : acc + BigInt(x as number);
      if (acc < lo || acc > hi) pfaFail(code, name, `${kind} overflow`);
      return Number(acc);
    };
    return (a) => {
      let acc = product ? 1 : 0;
      for (const x of a) {
        acc = product ? acc * (x as number) : acc + (x as number);
        if (!Number.isSafeInteger(acc)) return exact(a);
      }
      // A safe integer is exact and always within the long range.
      if (kind === 'int' && (acc < INT_MIN || acc > INT_MAX)) pfaFail(code, name, 'int overflow');
      return acc;
    };
  }
  const round = kind === 'float' ? Math.fround : (x: number) => x;
  return (a) => {
    let acc = product ? 1 : 0;
    for (const x of a) acc = product ? acc * (x as number) : acc + (x as number);
    return round(acc);
  };
}

export const sum: LibFunction = {
  name: 'a.sum',
  sigs: [sig([['a', numArr]], refA)],
  make: (types) => accumulate('a.sum', elementType(types).kind, [15400, 15401], false),
};

export const product: LibFunction = {
  name: 'a.product',
  sigs: [sig([['a', numArr]], refA)],
  make: (types) => accumulate('a.product', elementType(types).kind, [15410, 15411], true),
};

/** Sum of natural logarithms; NaN when any value is zero or negative (specification). */
function lnSum(a: readonly number[]): number {
  let s = 0;
  for (const x of a) {
    if (!(x > 0)) return NaN;
    s += Math.log(x);
  }
  return s;
}

export const lnsum: LibFunction = {
  name: 'a.lnsum',
  sigs: [sig([['a', doubleArr]], 'double')],
  make: () => (a: number[]) => lnSum(a),
};

export const mean: LibFunction = {
  name: 'a.mean',
  sigs: [sig([['a', doubleArr]], 'double')],
  make: () => (a: number[]) => {
    if (a.length === 0) return NaN;
    let s = 0;
    for (const x of a) s += x;
    return s / a.length;
  },
};

export const geomean: LibFunction = {
  name: 'a.geomean',
  sigs: [sig([['a', doubleArr]], 'double')],
  make: () => (a: number[]) => {
    if (a.length === 0) return NaN;
    let s = 0;
    for (const x of a) {
      if (Number.isNaN(x) || x < 0) return NaN;
      s += Math.log(x);
    }
    return Math.exp(s / a.length);
  },
};

/**
 * The item at fraction p of the sorted array (0 ≤ p ≤ 1): for float/double items the
 * linear interpolation between the two nearest items (the average at the median of an
 * even-length array); for other types the left (lower) of the two.
 */
function quantile(sorted: Arr, p: number, kind: string): unknown {
  const n = sorted.length;
  if (p <= 0) return sorted[0];
  if (p >= 1) return sorted[n - 1];
  const k = p * (n - 1);
  const lo = Math.floor(k);
  if (lo + 1 >= n || !(kind === 'float' || kind === 'double')) return sorted[lo];
  const frac = k - lo;
  if (frac === 0) return sorted[lo];
  const x = sorted[lo] as number, y = sorted[lo + 1] as number;
  const v = frac === 0.5 ? (x + y) / 2 : x + frac * (y - x);
  return kind === 'float' ? Math.fround(v) : v;
}

export const median: LibFunction = {
  name: 'a.median',
  sigs: [sig([['a', arrA]], refA)],
  make: (types) => {
    const t = elementType(types);
    const cmp = comparator(t);
    return (a: Arr) => {
      if (a.length === 0) pfaFail(15450, 'a.median', 'empty array');
      return quantile(a.slice().sort(cmp), 0.5, t.kind);
    };
  },
};

export const ntile: LibFunction = {
  name: 'a.ntile',
  sigs: [sig([['a', arrA], ['p', 'double']], refA)],
  make: (types) => {
    const t = elementType(types);
    const cmp = comparator(t);
    return (a: Arr, p: number) => {
      if (a.length === 0) pfaFail(15460, 'a.ntile', 'empty array');
      if (Number.isNaN(p)) pfaFail(15461, 'a.ntile', 'p not a number');
      return quantile(a.slice().sort(cmp), p, t.kind);
    };
  },
};

export const mode: LibFunction = {
  name: 'a.mode',
  sigs: [sig([['a', arrA]], refA)],
  make: (types) => {
    const t = elementType(types);
    const cmp = comparator(t);
    return (a: Arr) => {
      if (a.length === 0) pfaFail(15470, 'a.mode', 'empty array');
      // Group equal items (sorted runs), keep the most common ones, take their median.
      const sorted = a.slice().sort(cmp);
      const values: unknown[] = [];
      let best = 0;
      for (let i = 0; i < sorted.length;) {
        let j = i + 1;
        while (j < sorted.length && cmp(sorted[i], sorted[j]) === 0) j++;
        const c = j - i;
        if (c > best) {
          best = c;
          values.length = 0;
        }
        if (c === best) values.push(sorted[i]);
        i = j;
      }
      return quantile(values, 0.5, t.kind);
    };
  },
};

export const logsumexp: LibFunction = {
  name: 'a.logsumexp',
  sigs: [sig([['a', doubleArr]], 'double')],
  make: () => (a: number[]) => {
    if (a.length === 0) return NaN;
    let m = -Infinity;
    for (const x of a) {
      if (Number.isNaN(x)) return NaN;
      if (x > m) m = x;
    }
    if (m === -Infinity || m === Infinity) return m;
    let s = 0;
    for (const x of a) s += Math.exp(x - m);
    return m + Math.log(s);
  },
};

// ---------------------------------------------------------------------------------
// 17.7 Set or set-like functions (arrays treated as sets; original order preserved)

const setSig = (ret: unknown) => [sig([['a', arrA], ['b', arrRefA]], ret)];

function distinctItems(items: Arr, set: () => Membership): unknown[] {
  const seen = set();
  const out: unknown[] = [];
  for (const x of items) {
    if (seen.has(x)) continue;
    seen.add(x);
    out.push(x);
  }
  return out;
}

export const distinct: LibFunction = {
  name: 'a.distinct',
  sigs: [sig([['a', arrA]], arrRefA)],
  make: (types) => {
    const set = membership(elementType(types));
    return (a: Arr) => distinctItems(a, set);
  },
};

export const seteq: LibFunction = {
  name: 'a.seteq',
  sigs: setSig('boolean'),
  make: (types) => {
    const set = membership(elementType(types));
    return (a: Arr, b: Arr) => {
      const sa = membershipOf(set, a), sb = membershipOf(set, b);
      return a.every((x) => sb.has(x)) && b.every((x) => sa.has(x));
    };
  },
};

export const union: LibFunction = {
  name: 'a.union',
  sigs: setSig(arrRefA),
  make: (types) => {
    const set = membership(elementType(types));
    return (a: Arr, b: Arr) => distinctItems([...a, ...b], set);
  },
};

// The intersection, difference and symmetric difference are represented (as the reference
// engine does) by the qualifying items of a followed by those of b, in their original order;
// as sets these arrays ignore duplicates, so repeated items are left in place.

export const intersection: LibFunction = {
  name: 'a.intersection',
  sigs: setSig(arrRefA),
  make: (types) => {
    const set = membership(elementType(types));
    return (a: Arr, b: Arr) => {
      const sa = membershipOf(set, a), sb = membershipOf(set, b);
      return [...a.filter((x) => sb.has(x)), ...b.filter((x) => sa.has(x))];
    };
  },
};

export const diff: LibFunction = {
  name: 'a.diff',
  sigs: setSig(arrRefA),
  make: (types) => {
    const set = membership(elementType(types));
    return (a: Arr, b: Arr) => {
      const sb = membershipOf(set, b);
      return a.filter((x) => !sb.has(x));
    };
  },
};

export const symdiff: LibFunction = {
  name: 'a.symdiff',
  sigs: setSig(arrRefA),
  make: (types) => {
    const set = membership(elementType(types));
    return (a: Arr, b: Arr) => {
      const sa = membershipOf(set, a), sb = membershipOf(set, b);
      return [...a.filter((x) => !sb.has(x)), ...b.filter((x) => !sa.has(x))];
    };
  },
};

export const subset: LibFunction = {
  name: 'a.subset',
  sigs: [sig([['little', arrA], ['big', arrRefA]], 'boolean')],
  make: (types) => {
    const set = membership(elementType(types));
    return (little: Arr, big: Arr) => {
      const sb = membershipOf(set, big);
      return little.every((x) => sb.has(x));
    };
  },
};

export const disjoint: LibFunction = {
  name: 'a.disjoint',
  sigs: setSig('boolean'),
  make: (types) => {
    const set = membership(elementType(types));
    return (a: Arr, b: Arr) => {
      const sb = membershipOf(set, b);
      return !a.some((x) => sb.has(x));
    };
  },
};

// ---------------------------------------------------------------------------------
// 17.8 Functional programming (user functions arrive as JS functions)

const B = { any: 'B' } as const;
const arrRefB = { type: 'array', items: { ref: 'B' } } as const;

export const map: LibFunction = {
  name: 'a.map',
  sigs: [sig([['a', arrA], ['fcn', fnA(B, refA)]], arrRefB)],
  make: () => (a: Arr, fcn: Fn) => a.map((x) => fcn(x)),
};

export const mapWithIndex: LibFunction = {
  name: 'a.mapWithIndex',
  sigs: [sig([['a', arrA], ['fcn', fnA(B, 'int', refA)]], arrRefB)],
  make: () => (a: Arr, fcn: Fn) => a.map((x, i) => fcn(i, x)),
};

export const filter: LibFunction = {
  name: 'a.filter',
  sigs: [sig([['a', arrA], ['fcn', fnA('boolean', refA)]], arrRefA)],
  make: () => (a: Arr, fcn: Fn) => a.filter((x) => fcn(x) === true),
};

export const filterWithIndex: LibFunction = {
  name: 'a.filterWithIndex',
  sigs: [sig([['a', arrA], ['fcn', fnA('boolean', 'int', refA)]], arrRefA)],
  make: () => (a: Arr, fcn: Fn) => a.filter((x, i) => fcn(i, x) === true),
};

const orNullB = { type: 'union', of: [B, 'null'] };

export const filterMap: LibFunction = {
  name: 'a.filterMap',
  sigs: [sig([['a', arrA], ['fcn', fnA(orNullB, refA)]], arrRefB)],
  refine: (types) => ({ kind: 'array', items: nonNullReturn(types.params[1]) }),
  make: () => (a: Arr, fcn: Fn) => {
    const out: unknown[] = [];
    for (const x of a) {
      const y = fcn(x);
      if (y !== null) out.push(y);
    }
    return out;
  },
};

export const filterMapWithIndex: LibFunction = {
  name: 'a.filterMapWithIndex',
  sigs: [sig([['a', arrA], ['fcn', fnA(orNullB, 'int', refA)]], arrRefB)],
  refine: (types) => ({ kind: 'array', items: nonNullReturn(types.params[1]) }),
  make: () => (a: Arr, fcn: Fn) => {
    const out: unknown[] = [];
    for (let i = 0; i < a.length; i++) {
      const y = fcn(i, a[i]);
      if (y !== null) out.push(y);
    }
    return out;
  },
};

const arrB = { type: 'array', items: B };

export const flatMap: LibFunction = {
  name: 'a.flatMap',
  sigs: [sig([['a', arrA], ['fcn', fnA(arrB, refA)]], arrRefB)],
  make: () => (a: Arr, fcn: Fn) => {
    const out: unknown[] = [];
    for (const x of a) for (const y of fcn(x) as Arr) out.push(y);
    return out;
  },
};

export const flatMapWithIndex: LibFunction = {
  name: 'a.flatMapWithIndex',
  sigs: [sig([['a', arrA], ['fcn', fnA(arrB, 'int', refA)]], arrRefB)],
  make: () => (a: Arr, fcn: Fn) => {
    const out: unknown[] = [];
    for (let i = 0; i < a.length; i++) for (const y of fcn(i, a[i]) as Arr) out.push(y);
    return out;
  },
};

const Z = { any: 'Z' } as const;
const arrRefZ = { type: 'array', items: { ref: 'Z' } };
const zipNames = ['a', 'b', 'c', 'd'];
const zipVars = ['A', 'B', 'C', 'D'];

function zipSigs(withIndex: boolean): SignatureJson[] {
  const out: SignatureJson[] = [];
  for (let k = 2; k <= 4; k++) {
    const arrays: [string, unknown][] = zipNames.slice(0, k).map((n, i) => [n, { type: 'array', items: { any: zipVars[i] } }]);
    const fparams = zipVars.slice(0, k).map((v) => ({ ref: v }));
    const f = withIndex ? fnA(Z, 'int', ...fparams) : fnA(Z, ...fparams);
    out.push(sig([...arrays, ['fcn', f]], arrRefZ));
  }
  return out;
}

function zipImpl(name: string, code: number, withIndex: boolean): (...args: unknown[]) => unknown[] {
  return (...args: unknown[]) => {
    const fcn = args[args.length - 1] as Fn;
    const arrays = args.slice(0, -1) as Arr[];
    const n = arrays[0].length;
    if (arrays.some((x) => x.length !== n)) pfaFail(code, name, 'misaligned arrays');
    const out: unknown[] = new Array(n);
    for (let i = 0; i < n; i++) {
      const row = arrays.map((x) => x[i]);
      out[i] = withIndex ? fcn(i, ...row) : fcn(...row);
    }
    return out;
  };
}

export const zipmap: LibFunction = {
  name: 'a.zipmap',
  sigs: zipSigs(false),
  make: () => zipImpl('a.zipmap', 15650, false),
};

export const zipmapWithIndex: LibFunction = {
  name: 'a.zipmapWithIndex',
  sigs: zipSigs(true),
  make: () => zipImpl('a.zipmapWithIndex', 15660, true),
};

export const reduce: LibFunction = {
  name: 'a.reduce',
  sigs: [sig([['a', arrA], ['fcn', fnA(refA, refA, refA)]], refA)],
  make: () => (a: Arr, fcn: Fn) => {
    if (a.length === 0) pfaFail(15670, 'a.reduce', 'empty array');
    let tally = a[0];
    for (let i = 1; i < a.length; i++) tally = fcn(tally, a[i]);
    return tally;
  },
};

export const reduceRight: LibFunction = {
  name: 'a.reduceRight',
  sigs: [sig([['a', arrA], ['fcn', fnA(refA, refA, refA)]], refA)],
  make: () => (a: Arr, fcn: Fn) => {
    if (a.length === 0) pfaFail(15680, 'a.reduceRight', 'empty array');
    let tally = a[a.length - 1];
    for (let i = a.length - 2; i >= 0; i--) tally = fcn(a[i], tally);
    return tally;
  },
};

const refB = { ref: 'B' } as const;

export const fold: LibFunction = {
  name: 'a.fold',
  sigs: [sig([['a', arrA], ['zero', B], ['fcn', fnA(refB, refB, refA)]], refB)],
  make: () => (a: Arr, zero: unknown, fcn: Fn) => {
    let tally = zero;
    for (const x of a) tally = fcn(tally, x);
    return tally;
  },
};

export const foldRight: LibFunction = {
  name: 'a.foldRight',
  sigs: [sig([['a', arrA], ['zero', B], ['fcn', fnA(refB, refA, refB)]], refB)],
  make: () => (a: Arr, zero: unknown, fcn: Fn) => {
    let tally = zero;
    for (let i = a.length - 1; i >= 0; i--) tally = fcn(a[i], tally);
    return tally;
  },
};

export const takeWhile: LibFunction = {
  name: 'a.takeWhile',
  sigs: [sig([['a', arrA], ['fcn', fnA('boolean', refA)]], arrRefA)],
  make: () => (a: Arr, fcn: Fn) => {
    let i = 0;
    while (i < a.length && fcn(a[i]) === true) i++;
    return a.slice(0, i);
  },
};

export const dropWhile: LibFunction = {
  name: 'a.dropWhile',
  sigs: [sig([['a', arrA], ['fcn', fnA('boolean', refA)]], arrRefA)],
  make: () => (a: Arr, fcn: Fn) => {
    let i = 0;
    while (i < a.length && fcn(a[i]) === true) i++;
    return a.slice(i);
  },
};

export const any: LibFunction = {
  name: 'a.any',
  sigs: [sig([['a', arrA], ['fcn', fnA('boolean', refA)]], 'boolean')],
  make: () => (a: Arr, fcn: Fn) => a.some((x) => fcn(x) === true),
};

export const all: LibFunction = {
  name: 'a.all',
  sigs: [sig([['a', arrA], ['fcn', fnA('boolean', refA)]], 'boolean')],
  make: () => (a: Arr, fcn: Fn) => a.every((x) => fcn(x) === true),
};

const arrBvar = { type: 'array', items: B };

export const corresponds: LibFunction = {
  name: 'a.corresponds',
  sigs: [sig([['a', arrA], ['b', arrBvar], ['fcn', fnA('boolean', refA, refB)]], 'boolean')],
  make: () => (a: Arr, b: Arr, fcn: Fn) => a.length === b.length && a.every((x, i) => fcn(x, b[i]) === true),
};

export const correspondsWithIndex: LibFunction = {
  name: 'a.correspondsWithIndex',
  sigs: [sig([['a', arrA], ['b', arrBvar], ['fcn', fnA('boolean', 'int', refA, refB)]], 'boolean')],
  make: () => (a: Arr, b: Arr, fcn: Fn) => a.length === b.length && a.every((x, i) => fcn(i, x, b[i]) === true),
};

// ---------------------------------------------------------------------------------
// 17.10 Restructuring

const arrArrRefA = { type: 'array', items: arrRefA };

export const slidingWindow: LibFunction = {
  name: 'a.slidingWindow',
  sigs: [sig([['a', arrA], ['size', 'int'], ['step', 'int']], arrArrRefA)],
  make: () => (a: Arr, size: number, step: number) => {
    if (size < 1) pfaFail(15770, 'a.slidingWindow', 'size < 1');
    if (step < 1) pfaFail(15771, 'a.slidingWindow', 'step < 1');
    const out: unknown[][] = [];
    for (let i = 0; i + size <= a.length; i += step) out.push(a.slice(i, i + size));
    return out;
  },
};

export const combinations: LibFunction = {
  name: 'a.combinations',
  sigs: [sig([['a', arrA], ['size', 'int']], arrArrRefA)],
  make: () => (a: Arr, size: number) => {
    if (size < 1) pfaFail(15780, 'a.combinations', 'size < 1');
    const out: unknown[][] = [];
    const n = a.length;
    if (size > n) return out;
    // Index tuples in lexicographic order.
    const idx = Array.from({ length: size }, (_, i) => i);
    for (;;) {
      out.push(idx.map((i) => a[i]));
      let k = size - 1;
      while (k >= 0 && idx[k] === n - size + k) k--;
      if (k < 0) return out;
      idx[k]++;
      for (let j = k + 1; j < size; j++) idx[j] = idx[j - 1] + 1;
    }
  },
};

export const permutations: LibFunction = {
  name: 'a.permutations',
  sigs: [sig([['a', arrA]], arrArrRefA)],
  make: () => (a: Arr) => {
    // Index permutations in lexicographic order (the first item varies slowest).
    const out: unknown[][] = [];
    const n = a.length;
    const used = new Array<boolean>(n).fill(false);
    const current: unknown[] = [];
    const walk = (): void => {
      if (current.length === n) {
        out.push(current.slice());
        return;
      }
      for (let i = 0; i < n; i++) {
        if (used[i]) continue;
        used[i] = true;
        current.push(a[i]);
        walk();
        current.pop();
        used[i] = false;
      }
    };
    walk();
    return out;
  },
};

export const flatten: LibFunction = {
  name: 'a.flatten',
  sigs: [sig([['a', { type: 'array', items: { type: 'array', items: A } }]], arrRefA)],
  make: () => (a: readonly Arr[]) => {
    const out: unknown[] = [];
    for (const x of a) for (const y of x) out.push(y);
    return out;
  },
};

export const groupby: LibFunction = {
  name: 'a.groupby',
  sigs: [sig([['a', arrA], ['fcn', fnA('string', refA)]], { type: 'map', values: arrRefA })],
  make: () => (a: Arr, fcn: Fn) => {
    const out = newMap<unknown[]>();
    for (const x of a) {
      const k = fcn(x) as string;
      if (Object.hasOwn(out, k)) out[k].push(x);
      else out[k] = [x];
    }
    return out;
  },
};
