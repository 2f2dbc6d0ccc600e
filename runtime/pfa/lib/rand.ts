// PFA library, family "rand" (specification §21): random numbers, choices, samples,
// strings, bytes and UUIDs. Every draw comes from the engine's generator (ctx.random,
// uniform on [0, 1), seeded by the document's randseed), so that results are
// reproducible for a given seed.

import { pfaFail, type LibContext, type LibFunction, type LibImpl } from '../types.js';

const TWO32 = 4294967296;
const TWO31 = 2147483648;
const TWO63 = 9223372036854775808;
/** The largest double below 2^63 (the long range's top as a double). */
const LONG_TOP = 9223372036854774784;

/** A uniform integer in [0, n) for n ≥ 1 (n up to 2^53, two draws above 2^32). */
function below(ctx: LibContext, n: number): number {
  if (n <= TWO32) return Math.min(n - 1, Math.floor(ctx.random() * n));
  const hi = Math.floor(ctx.random() * TWO32), lo = Math.floor(ctx.random() * TWO32);
  return Math.min(n - 1, Math.floor(((hi * TWO32 + lo) / (TWO32 * TWO32)) * n));
}

export const randInt: LibFunction = {
  name: 'rand.int',
  sigs: [{ params: [], ret: 'int' }, { params: [{ name: 'low', type: 'int' }, { name: 'high', type: 'int' }], ret: 'int' }],
  make(types, ctx): LibImpl {
    if (types.sig === 0) return () => Math.floor(ctx.random() * TWO32) - TWO31;
    return (low: number, high: number) => {
      if (high <= low) pfaFail(34000, 'rand.int', 'high must be greater than low');
      return low + below(ctx, high - low);
    };
  },
};

export const randLong: LibFunction = {
  name: 'rand.long',
  sigs: [{ params: [], ret: 'long' }, { params: [{ name: 'low', type: 'long' }, { name: 'high', type: 'long' }], ret: 'long' }],
  make(types, ctx): LibImpl {
    if (types.sig === 0) {
      return () => {
        // 64 random bits; longs are doubles here, so the value is rounded to 53 bits.
        const hi = Math.floor(ctx.random() * TWO32), lo = Math.floor(ctx.random() * TWO32);
        return Math.min(hi * TWO32 + lo - TWO63, LONG_TOP);
      };
    }
    return (low: number, high: number) => {
      if (high <= low) pfaFail(34010, 'rand.long', 'high must be greater than low');
      const span = high - low;
      if (span <= 2 ** 53) return low + below(ctx, span);
      // Wider than doubles resolve: a uniform double in [low, high), kept below high.
      const v = Math.floor(low + ctx.random() * span);
      return v >= high ? high - 1 : v;
    };
  },
};

/** A uniform double in [low, high) (kept below high despite rounding). */
function uniform(ctx: LibContext, low: number, high: number): number {
  const v = low + ctx.random() * (high - low);
  return v < high ? v : low;
}

export const randFloat: LibFunction = {
  name: 'rand.float',
  sigs: [{ params: [{ name: 'low', type: 'float' }, { name: 'high', type: 'float' }], ret: 'float' }],
  make: (_types, ctx) => (low: number, high: number) => {
    if (high <= low) pfaFail(34020, 'rand.float', 'high must be greater than low');
    const v = Math.fround(uniform(ctx, low, high));
    return v < high ? v : Math.fround(low);
  },
};

export const randDouble: LibFunction = {
  name: 'rand.double',
  sigs: [{ params: [{ name: 'low', type: 'double' }, { name: 'high', type: 'double' }], ret: 'double' }],
  make: (_types, ctx) => (low: number, high: number) => {
    if (high <= low) pfaFail(34030, 'rand.double', 'high must be greater than low');
    return uniform(ctx, low, high);
  },
};

const POPULATION = { type: 'array', items: { any: 'A' } };

export const randChoice: LibFunction = {
  name: 'rand.choice',
  sigs: [{ params: [{ name: 'population', type: POPULATION }], ret: { ref: 'A' } }],
  make: (_types, ctx) => (population: unknown[]) => {
    if (population.length === 0) pfaFail(34040, 'rand.choice', 'population must not be empty');
    return population[below(ctx, population.length)];
  },
};

export const randChoices: LibFunction = {
  name: 'rand.choices',
  sigs: [{ params: [{ name: 'size', type: 'int' }, { name: 'population', type: POPULATION }], ret: { type: 'array', items: { ref: 'A' } } }],
  make: (_types, ctx) => (size: number, population: unknown[]) => {
    if (population.length === 0) pfaFail(34050, 'rand.choices', 'population must not be empty');
    const out: unknown[] = [];
    for (let i = 0; i < size; i++) out.push(population[below(ctx, population.length)]);
    return out;
  },
};

export const randSample: LibFunction = {
  name: 'rand.sample',
  sigs: [{ params: [{ name: 'size', type: 'int' }, { name: 'population', type: POPULATION }], ret: { type: 'array', items: { ref: 'A' } } }],
  make: (_types, ctx) => (size: number, population: unknown[]) => {
    if (population.length === 0) pfaFail(34060, 'rand.sample', 'population must not be empty');
    if (population.length < size) pfaFail(34061, 'rand.sample', 'population smaller than requested subsample');
    // Partial Fisher-Yates shuffle of a copy: the first `size` items are the sample.
    const pool = population.slice();
    const n = Math.max(0, size);
    for (let i = 0; i < n; i++) {
      const j = i + below(ctx, pool.length - i);
      [pool[i], pool[j]] = [pool[j], pool[i]];
    }
    return pool.slice(0, n);
  },
};

export const randHistogram: LibFunction = {
  name: 'rand.histogram',
  sigs: [
    { params: [{ name: 'distribution', type: { type: 'array', items: 'double' } }], ret: 'int' },
    { params: [{ name: 'distribution', type: { type: 'array', items: { type: 'record', label: 'A', fields: [{ name: 'prob', type: 'double' }] } } }], ret: { ref: 'A' } },
  ],
  make(types, ctx): LibImpl {
    const name = 'rand.histogram';
    /** The index drawn with probability proportional to the weights (normalized first). */
    const draw = (weights: number[]): number => {
      let total = 0;
      for (const w of weights) {
        if (!Number.isFinite(w)) pfaFail(34071, name, 'distribution must be finite');
        if (w < 0) pfaFail(34072, name, 'distribution must be non-negative');
        total += w;
      }
      if (!(total > 0)) pfaFail(34070, name, 'distribution must be non-empty');
      const target = ctx.random() * total;
      let cumulative = 0, last = 0;
      for (let i = 0; i < weights.length; i++) {
        if (weights[i] === 0) continue;
        cumulative += weights[i];
        last = i;
        if (target < cumulative) return i;
      }
      return last;
    };
    if (types.sig === 0) return (distribution: number[]) => draw(distribution);
    return (distribution: { prob: number }[]) => distribution[draw(distribution.map((r) => r.prob))];
  },
};

/** The code points of a string (surrogate pairs kept together). */
function codePoints(s: string): string[] {
  return Array.from(s);
}

export const randString: LibFunction = {
  name: 'rand.string',
  sigs: [
    { params: [{ name: 'size', type: 'int' }], ret: 'string' },
    { params: [{ name: 'size', type: 'int' }, { name: 'population', type: 'string' }], ret: 'string' },
    { params: [{ name: 'size', type: 'int' }, { name: 'low', type: 'int' }, { name: 'high', type: 'int' }], ret: 'string' },
  ],
  make(types, ctx): LibImpl {
    const name = 'rand.string';
    const checkSize = (size: number): void => {
      if (size <= 0) pfaFail(34080, name, 'size must be positive');
    };
    const fromRange = (size: number, low: number, high: number): string => {
      let s = '';
      for (let i = 0; i < size; i++) s += String.fromCodePoint(low + below(ctx, high - low));
      return s;
    };
    switch (types.sig) {
      // Without a range: code points 1 up to (not including) the surrogates at 0xD800.
      case 0: return (size: number) => {
        checkSize(size);
        return fromRange(size, 1, 0xd800);
      };
      case 1: return (size: number, population: string) => {
        checkSize(size);
        const chars = codePoints(population);
        if (chars.length === 0) pfaFail(34083, name, 'population must be non-empty');
        let s = '';
        for (let i = 0; i < size; i++) s += chars[below(ctx, chars.length)];
        return s;
      };
      default: return (size: number, low: number, high: number) => {
        checkSize(size);
        if (high <= low) pfaFail(34081, name, 'high must be greater than low');
        if (low < 1 || low > 0xd800 || high < 1 || high > 0xd800) pfaFail(34082, name, 'invalid char');
        return fromRange(size, low, high);
      };
    }
  },
};

export const randBytes: LibFunction = {
  name: 'rand.bytes',
  sigs: [
    { params: [{ name: 'size', type: 'int' }], ret: 'bytes' },
    { params: [{ name: 'size', type: 'int' }, { name: 'population', type: 'bytes' }], ret: 'bytes' },
    { params: [{ name: 'size', type: 'int' }, { name: 'low', type: 'int' }, { name: 'high', type: 'int' }], ret: 'bytes' },
  ],
  make(types, ctx): LibImpl {
    const name = 'rand.bytes';
    const checkSize = (size: number): void => {
      if (size <= 0) pfaFail(34090, name, 'size must be positive');
    };
    const fromRange = (size: number, low: number, high: number): Uint8Array => {
      const out = new Uint8Array(size);
      for (let i = 0; i < size; i++) out[i] = low + below(ctx, high - low);
      return out;
    };
    switch (types.sig) {
      case 0: return (size: number) => {
        checkSize(size);
        return fromRange(size, 0, 256);
      };
      case 1: return (size: number, population: Uint8Array) => {
        checkSize(size);
        if (population.length === 0) pfaFail(34093, name, 'population must be non-empty');
        const out = new Uint8Array(size);
        for (let i = 0; i < size; i++) out[i] = population[below(ctx, population.length)];
        return out;
      };
      default: return (size: number, low: number, high: number) => {
        checkSize(size);
        if (high <= low) pfaFail(34091, name, 'high must be greater than low');
        if (low < 0 || low > 255 || high < 0 || high > 256) pfaFail(34092, name, 'invalid byte');
        return fromRange(size, low, high);
      };
    }
  },
};

/** xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx with random lowercase hexadecimal digits. */
function uuid4(ctx: LibContext): string {
  const hex = (n: number): string => {
    let s = '';
    for (let i = 0; i < n; i++) s += below(ctx, 16).toString(16);
    return s;
  };
  return `${hex(8)}-${hex(4)}-4${hex(3)}-8${hex(3)}-${hex(12)}`;
}

export const randUuid4: LibFunction = {
  name: 'rand.uuid4',
  sigs: [{ params: [], ret: 'string' }],
  make: (_types, ctx) => () => uuid4(ctx),
};

/** Deprecated since PFA 0.7.2 (removed in 0.9.0): the same as rand.uuid4. */
const UUID_SIGS = [{ params: [], ret: 'string', deprecation: '0.7.2', death: '0.9.0', contingency: 'use rand.uuid4 instead' }];

export const randUuid: LibFunction = {
  name: 'rand.uuid',
  sigs: UUID_SIGS,
  make: (_types, ctx) => () => uuid4(ctx),
};

export const randGaussian: LibFunction = {
  name: 'rand.gaussian',
  sigs: [{ params: [{ name: 'mu', type: 'double' }, { name: 'sigma', type: 'double' }], ret: 'double' }],
  make: (_types, ctx) => (mu: number, sigma: number) => {
    // Box-Muller: two uniform draws give one standard normal deviate (1 − u keeps the log finite).
    const u = 1 - ctx.random(), v = ctx.random();
    return mu + sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  },
};
