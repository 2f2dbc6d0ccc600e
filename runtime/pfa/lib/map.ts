// PFA library, map family (map.*): PFA 0.8.1 specification chapter 18 and the function
// catalogue (signatures copied from functions.json). Maps are immutable null-prototype
// objects (values.ts newMap); every function returns a new map or an argument unchanged.
// A PFA "set" is a map from the Base64-encoded Avro serialisation of each item to the item.

import { pfaFail, type CallTypes, type LibFunction, type SignatureJson } from '../types.js';
import { compareStrings, comparator, equality, newMap } from '../values.js';
import {
  compareByLessThan, extremeIndex, extremeIndexes, itemsOf, nonNullReturn, setKeyer, valuesOf,
  type Compare, type LessThan,
} from './collections-common.js';

type Obj = Record<string, unknown>;
type Fn = (...args: unknown[]) => unknown;

// ---------------------------------------------------------------------------------
// Signature building blocks (JSON form of the catalogue).

const A = { any: 'A' } as const;
const refA = { ref: 'A' } as const;
const mapA = { type: 'map', values: A } as const;
const mapRefA = { type: 'map', values: refA } as const;
const fnT = (ret: unknown, ...params: unknown[]) => ({ type: 'function', params, ret });
const ltA = fnT('boolean', refA, refA);

function sig(params: [string, unknown][], ret: unknown): SignatureJson {
  return { params: params.map(([name, type]) => ({ name, type })), ret };
}

const keysOf = (m: Obj): string[] => Object.keys(m);

function copy(m: Obj): Obj {
  const out = newMap();
  for (const k of keysOf(m)) out[k] = m[k];
  return out;
}

// ---------------------------------------------------------------------------------
// 18.1 Basic access

export const len: LibFunction = {
  name: 'map.len',
  sigs: [sig([['m', mapA]], 'int')],
  make: () => (m: Obj) => keysOf(m).length,
};

export const keys: LibFunction = {
  name: 'map.keys',
  sigs: [sig([['m', mapA]], { type: 'array', items: 'string' })],
  make: () => (m: Obj) => keysOf(m),
};

export const values: LibFunction = {
  name: 'map.values',
  sigs: [sig([['m', mapA]], { type: 'array', items: refA })],
  make: () => (m: Obj) => keysOf(m).map((k) => m[k]),
};

// ---------------------------------------------------------------------------------
// 18.2 Search

export const containsKey: LibFunction = {
  name: 'map.containsKey',
  sigs: [
    sig([['m', mapA], ['key', 'string']], 'boolean'),
    sig([['m', mapA], ['fcn', fnT('boolean', 'string')]], 'boolean'),
  ],
  make: (types) => {
    if (types.sig === 0) return (m: Obj, key: string) => Object.hasOwn(m, key);
    return (m: Obj, fcn: Fn) => keysOf(m).some((k) => fcn(k) === true);
  },
};

export const containsValue: LibFunction = {
  name: 'map.containsValue',
  sigs: [
    sig([['m', mapA], ['value', refA]], 'boolean'),
    sig([['m', mapA], ['fcn', fnT('boolean', refA)]], 'boolean'),
  ],
  make: (types) => {
    if (types.sig === 0) {
      const eq = equality(valuesOf(types.params[0]));
      return (m: Obj, value: unknown) => keysOf(m).some((k) => eq(m[k], value));
    }
    return (m: Obj, fcn: Fn) => keysOf(m).some((k) => fcn(m[k]) === true);
  },
};

// ---------------------------------------------------------------------------------
// 18.3 Manipulation

export const add: LibFunction = {
  name: 'map.add',
  sigs: [
    sig([['m', mapA], ['key', 'string'], ['value', refA]], mapRefA),
    sig([['m', mapA], ['item', refA]], mapRefA),
  ],
  make: (types) => {
    if (types.sig === 0) {
      return (m: Obj, key: string, value: unknown) => {
        const out = copy(m);
        out[key] = value;
        return out;
      };
    }
    const keyOf = setKeyer(valuesOf(types.params[0]));
    return (m: Obj, item: unknown) => {
      const out = copy(m);
      out[keyOf(item)] = item;
      return out;
    };
  },
};

export const remove: LibFunction = {
  name: 'map.remove',
  sigs: [sig([['m', mapA], ['key', 'string']], mapRefA)],
  make: () => (m: Obj, key: string) => {
    if (!Object.hasOwn(m, key)) return m;
    const out = newMap();
    for (const k of keysOf(m)) if (k !== key) out[k] = m[k];
    return out;
  },
};

const keyList = { type: 'array', items: 'string' };

export const only: LibFunction = {
  name: 'map.only',
  sigs: [sig([['m', mapA], ['keys', keyList]], mapRefA)],
  make: () => (m: Obj, ks: readonly string[]) => {
    const wanted = new Set(ks);
    const out = newMap();
    for (const k of keysOf(m)) if (wanted.has(k)) out[k] = m[k];
    return out;
  },
};

export const except: LibFunction = {
  name: 'map.except',
  sigs: [sig([['m', mapA], ['keys', keyList]], mapRefA)],
  make: () => (m: Obj, ks: readonly string[]) => {
    const unwanted = new Set(ks);
    const out = newMap();
    for (const k of keysOf(m)) if (!unwanted.has(k)) out[k] = m[k];
    return out;
  },
};

function overlay(base: Obj, top: Obj): Obj {
  const out = copy(base);
  for (const k of keysOf(top)) out[k] = top[k];
  return out;
}

export const update: LibFunction = {
  name: 'map.update',
  sigs: [sig([['base', mapA], ['overlay', mapRefA]], mapRefA)],
  make: () => (base: Obj, top: Obj) => overlay(base, top),
};

export const split: LibFunction = {
  name: 'map.split',
  sigs: [sig([['m', mapA]], { type: 'array', items: mapRefA })],
  make: () => (m: Obj) => keysOf(m).map((k) => {
    const one = newMap();
    one[k] = m[k];
    return one;
  }),
};

export const join: LibFunction = {
  name: 'map.join',
  sigs: [sig([['a', { type: 'array', items: mapA }]], mapRefA)],
  make: () => (a: readonly Obj[]) => {
    const out = newMap();
    for (const m of a) for (const k of keysOf(m)) out[k] = m[k];
    return out;
  },
};

// ---------------------------------------------------------------------------------
// 18.4 Extreme values by key. Keys are visited in lexicographic (code point) order, so
// ties among equal values resolve to the lexicographically first keys.

function sortedKeys(m: Obj): string[] {
  return keysOf(m).sort(compareStrings);
}

function naturalCompare(types: CallTypes): Compare {
  return comparator(valuesOf(types.params[0]));
}

function argOne(name: string, code: number, highest: boolean, withLT: boolean): LibFunction {
  return {
    name,
    sigs: [withLT ? sig([['m', mapA], ['lessThan', ltA]], 'string') : sig([['m', mapA]], 'string')],
    make: (types) => {
      const natural = withLT ? null : naturalCompare(types);
      return (m: Obj, lessThan?: LessThan) => {
        const ks = sortedKeys(m);
        if (ks.length === 0) pfaFail(code, name, 'empty map');
        const cmp = natural ?? compareByLessThan(lessThan as LessThan);
        return ks[extremeIndex(ks.map((k) => m[k]), cmp, highest)];
      };
    },
  };
}

function argN(name: string, code: number, highest: boolean, withLT: boolean): LibFunction {
  const ret = { type: 'array', items: 'string' };
  return {
    name,
    sigs: [withLT ? sig([['m', mapA], ['n', 'int'], ['lessThan', ltA]], ret) : sig([['m', mapA], ['n', 'int']], ret)],
    make: (types) => {
      const natural = withLT ? null : naturalCompare(types);
      return (m: Obj, n: number, lessThan?: LessThan) => {
        const ks = sortedKeys(m);
        if (ks.length === 0) pfaFail(code, name, 'empty map');
        if (n < 0) pfaFail(code + 1, name, 'n < 0');
        const cmp = natural ?? compareByLessThan(lessThan as LessThan);
        return extremeIndexes(ks.map((k) => m[k]), n, cmp, highest).map((i) => ks[i]);
      };
    },
  };
}

export const argmax = argOne('map.argmax', 26120, true, false);
export const argmin = argOne('map.argmin', 26130, false, false);
export const argmaxLT = argOne('map.argmaxLT', 26140, true, true);
export const argminLT = argOne('map.argminLT', 26150, false, true);
export const argmaxN = argN('map.argmaxN', 26160, true, false);
export const argminN = argN('map.argminN', 26170, false, false);
export const argmaxNLT = argN('map.argmaxNLT', 26180, true, true);
export const argminNLT = argN('map.argminNLT', 26190, false, true);

// ---------------------------------------------------------------------------------
// 18.5 Set or set-like functions. Sets are compared by keys only (the serialised items).

export const toset: LibFunction = {
  name: 'map.toset',
  sigs: [sig([['a', { type: 'array', items: A }]], mapRefA)],
  make: (types) => {
    const keyOf = setKeyer(itemsOf(types.params[0]));
    return (a: readonly unknown[]) => {
      const out = newMap();
      for (const x of a) out[keyOf(x)] = x;
      return out;
    };
  },
};

export const fromset: LibFunction = {
  name: 'map.fromset',
  sigs: [sig([['s', mapA]], { type: 'array', items: refA })],
  make: () => (s: Obj) => keysOf(s).map((k) => s[k]),
};

export const inSet: LibFunction = {
  name: 'map.in',
  sigs: [sig([['s', mapA], ['x', refA]], 'boolean')],
  make: (types) => {
    const keyOf = setKeyer(valuesOf(types.params[0]));
    return (s: Obj, x: unknown) => Object.hasOwn(s, keyOf(x));
  },
};

const setPair = (ret: unknown) => [sig([['a', mapA], ['b', mapRefA]], ret)];

export const union: LibFunction = {
  name: 'map.union',
  sigs: setPair(mapRefA),
  make: () => (a: Obj, b: Obj) => overlay(a, b),
};

export const intersection: LibFunction = {
  name: 'map.intersection',
  sigs: setPair(mapRefA),
  make: () => (a: Obj, b: Obj) => {
    const out = newMap();
    for (const k of keysOf(a)) if (Object.hasOwn(b, k)) out[k] = a[k];
    return out;
  },
};

export const diff: LibFunction = {
  name: 'map.diff',
  sigs: setPair(mapRefA),
  make: () => (a: Obj, b: Obj) => {
    const out = newMap();
    for (const k of keysOf(a)) if (!Object.hasOwn(b, k)) out[k] = a[k];
    return out;
  },
};

export const symdiff: LibFunction = {
  name: 'map.symdiff',
  sigs: setPair(mapRefA),
  make: () => (a: Obj, b: Obj) => {
    const out = newMap();
    for (const k of keysOf(a)) if (!Object.hasOwn(b, k)) out[k] = a[k];
    for (const k of keysOf(b)) if (!Object.hasOwn(a, k)) out[k] = b[k];
    return out;
  },
};

export const subset: LibFunction = {
  name: 'map.subset',
  sigs: [sig([['little', mapA], ['big', mapRefA]], 'boolean')],
  make: () => (little: Obj, big: Obj) => keysOf(little).every((k) => Object.hasOwn(big, k)),
};

export const disjoint: LibFunction = {
  name: 'map.disjoint',
  sigs: setPair('boolean'),
  make: () => (a: Obj, b: Obj) => !keysOf(a).some((k) => Object.hasOwn(b, k)),
};

// ---------------------------------------------------------------------------------
// 18.6 Functional programming (user functions arrive as JS functions)

const B = { any: 'B' } as const;
const mapRefB = { type: 'map', values: { ref: 'B' } } as const;
const orNullB = { type: 'union', of: [B, 'null'] };
const mapB = { type: 'map', values: B };

export const mapValues: LibFunction = {
  name: 'map.map',
  sigs: [sig([['m', mapA], ['fcn', fnT(B, refA)]], mapRefB)],
  make: () => (m: Obj, fcn: Fn) => {
    const out = newMap();
    for (const k of keysOf(m)) out[k] = fcn(m[k]);
    return out;
  },
};

export const mapWithKey: LibFunction = {
  name: 'map.mapWithKey',
  sigs: [sig([['m', mapA], ['fcn', fnT(B, 'string', refA)]], mapRefB)],
  make: () => (m: Obj, fcn: Fn) => {
    const out = newMap();
    for (const k of keysOf(m)) out[k] = fcn(k, m[k]);
    return out;
  },
};

export const filter: LibFunction = {
  name: 'map.filter',
  sigs: [sig([['m', mapA], ['fcn', fnT('boolean', refA)]], mapRefA)],
  make: () => (m: Obj, fcn: Fn) => {
    const out = newMap();
    for (const k of keysOf(m)) if (fcn(m[k]) === true) out[k] = m[k];
    return out;
  },
};

export const filterWithKey: LibFunction = {
  name: 'map.filterWithKey',
  sigs: [sig([['m', mapA], ['fcn', fnT('boolean', 'string', refA)]], mapRefA)],
  make: () => (m: Obj, fcn: Fn) => {
    const out = newMap();
    for (const k of keysOf(m)) if (fcn(k, m[k]) === true) out[k] = m[k];
    return out;
  },
};

export const filterMap: LibFunction = {
  name: 'map.filterMap',
  sigs: [sig([['m', mapA], ['fcn', fnT(orNullB, refA)]], mapRefB)],
  refine: (types) => ({ kind: 'map', values: nonNullReturn(types.params[1]) }),
  make: () => (m: Obj, fcn: Fn) => {
    const out = newMap();
    for (const k of keysOf(m)) {
      const y = fcn(m[k]);
      if (y !== null) out[k] = y;
    }
    return out;
  },
};

export const filterMapWithKey: LibFunction = {
  name: 'map.filterMapWithKey',
  sigs: [sig([['m', mapA], ['fcn', fnT(orNullB, 'string', refA)]], mapRefB)],
  refine: (types) => ({ kind: 'map', values: nonNullReturn(types.params[1]) }),
  make: () => (m: Obj, fcn: Fn) => {
    const out = newMap();
    for (const k of keysOf(m)) {
      const y = fcn(k, m[k]);
      if (y !== null) out[k] = y;
    }
    return out;
  },
};

export const flatMap: LibFunction = {
  name: 'map.flatMap',
  sigs: [sig([['m', mapA], ['fcn', fnT(mapB, refA)]], mapRefB)],
  make: () => (m: Obj, fcn: Fn) => {
    const out = newMap();
    for (const k of keysOf(m)) {
      const r = fcn(m[k]) as Obj;
      for (const j of keysOf(r)) out[j] = r[j];
    }
    return out;
  },
};

export const flatMapWithKey: LibFunction = {
  name: 'map.flatMapWithKey',
  sigs: [sig([['m', mapA], ['fcn', fnT(mapB, 'string', refA)]], mapRefB)],
  make: () => (m: Obj, fcn: Fn) => {
    const out = newMap();
    for (const k of keysOf(m)) {
      const r = fcn(k, m[k]) as Obj;
      for (const j of keysOf(r)) out[j] = r[j];
    }
    return out;
  },
};

const Z = { any: 'Z' } as const;
const mapRefZ = { type: 'map', values: { ref: 'Z' } };
const zipNames = ['a', 'b', 'c', 'd'];
const zipVars = ['A', 'B', 'C', 'D'];

function zipSigs(withKey: boolean): SignatureJson[] {
  const out: SignatureJson[] = [];
  for (let k = 2; k <= 4; k++) {
    const maps: [string, unknown][] = zipNames.slice(0, k).map((n, i) => [n, { type: 'map', values: { any: zipVars[i] } }]);
    const fparams = zipVars.slice(0, k).map((v) => ({ ref: v }));
    const f = withKey ? fnT(Z, 'string', ...fparams) : fnT(Z, ...fparams);
    out.push(sig([...maps, ['fcn', f]], mapRefZ));
  }
  return out;
}

/** Whether all maps have exactly the key set of the first. */
function sameKeys(maps: readonly Obj[]): boolean {
  const ks = keysOf(maps[0]);
  return maps.every((m, i) => i === 0 || (keysOf(m).length === ks.length && ks.every((k) => Object.hasOwn(m, k))));
}

function zipImpl(name: string, code: number, withKey: boolean): (...args: unknown[]) => Obj {
  return (...args: unknown[]) => {
    const fcn = args[args.length - 1] as Fn;
    const maps = args.slice(0, -1) as Obj[];
    if (!sameKeys(maps)) pfaFail(code, name, 'misaligned maps');
    const out = newMap();
    for (const k of keysOf(maps[0])) {
      const row = maps.map((m) => m[k]);
      out[k] = withKey ? fcn(k, ...row) : fcn(...row);
    }
    return out;
  };
}

export const zipmap: LibFunction = {
  name: 'map.zipmap',
  sigs: zipSigs(false),
  make: () => zipImpl('map.zipmap', 26370, false),
};

export const zipmapWithKey: LibFunction = {
  name: 'map.zipmapWithKey',
  sigs: zipSigs(true),
  make: () => zipImpl('map.zipmapWithKey', 26380, true),
};

// ---------------------------------------------------------------------------------
// 18.7 Functional tests

const mapBvar = { type: 'map', values: B };
const refB = { ref: 'B' } as const;

export const corresponds: LibFunction = {
  name: 'map.corresponds',
  sigs: [sig([['a', mapA], ['b', mapBvar], ['fcn', fnT('boolean', refA, refB)]], 'boolean')],
  make: () => (a: Obj, b: Obj, fcn: Fn) => sameKeys([a, b]) && keysOf(a).every((k) => fcn(a[k], b[k]) === true),
};

export const correspondsWithKey: LibFunction = {
  name: 'map.correspondsWithKey',
  sigs: [sig([['a', mapA], ['b', mapBvar], ['fcn', fnT('boolean', 'string', refA, refB)]], 'boolean')],
  make: () => (a: Obj, b: Obj, fcn: Fn) => sameKeys([a, b]) && keysOf(a).every((k) => fcn(k, a[k], b[k]) === true),
};
