// What a compiled PFA engine needs at run time besides the library: the seeded
// random generator, path access with the specification's error codes, copy-with-
// update for attr-to/cell-to/pool-to, and the engine object (begin/action/end with
// emit/fold handling, counters, and rollback of cells and pools on a failed action).

import { parseType, type NameTable } from './avro.js';
import { PfaError, type LibContext, type PfaType } from './types.js';
import { fitsType, newMap } from './values.js';
export { coerceTo, convertLongs, numbersAsLongs } from './values.js';
export { pack, unpack } from './pack.js';

/** xoshiro128** seeded through splitmix32: reproducible for a given randseed. */
export function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  const split = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split(), b = split(), c = split(), d = split();
  return () => {
    const r = Math.imul(rotl(Math.imul(b, 5), 7), 9) >>> 0;
    const t = b << 9;
    c ^= a; d ^= b; b ^= c; a ^= d; c ^= t; d = rotl(d, 11);
    return r / 4294967296;
  };
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export function makeContext(randseed: number | null, log: (message: string) => void): LibContext {
  const random = seededRandom(randseed ?? Math.floor(Math.random() * 4294967296));
  return { random, log };
}

/** Parses the engine's type table (Avro JSON, named types defined at first use). */
export function parseTypes(list: readonly unknown[]): PfaType[] {
  const names: NameTable = new Map();
  return list.map((j) => parseFunctionAware(j, names));
}

function parseFunctionAware(j: unknown, names: NameTable): PfaType {
  if (typeof j === 'object' && j !== null && !Array.isArray(j) && (j as { type?: unknown }).type === 'function') {
    const f = j as { params: unknown[]; ret: unknown };
    return { kind: 'function', params: f.params.map((p) => parseFunctionAware(p, names)), ret: parseFunctionAware(f.ret, names) };
  }
  return parseType(j, names);
}

export function fits(t: PfaType, v: unknown): boolean {
  return fitsType(t, v);
}

/** a[i] with error `code` (“array index not found”) when out of range. */
export function index(a: readonly unknown[], i: number, code: number): unknown {
  if (i < 0 || i >= a.length || !Number.isInteger(i)) throw new PfaError(code, 'array index not found');
  return a[i];
}

/** m[k] with error `code` (“map key not found”) when absent. */
export function key(m: Record<string, unknown>, k: string, code: number): unknown {
  if (!Object.hasOwn(m, k)) throw new PfaError(code, 'map key not found');
  return m[k];
}

/** One step of a path: a record field (by name), an array index or a map key. */
export type Step = { readonly f: string } | { readonly i: number } | { readonly k: string };

/**
 * A copy of `root` with the value at `path` replaced by `to(old)` (or `to` itself when
 * it is not a function). Only the containers along the path are copied.
 */
export function updated(root: unknown, path: readonly Step[], to: unknown, isFn: boolean, arrayCode: number, mapCode: number): unknown {
  const rec = (v: unknown, at: number): unknown => {
    if (at === path.length) return isFn ? (to as (x: unknown) => unknown)(v) : to;
    const s = path[at];
    if ('i' in s) {
      const a = v as unknown[];
      if (s.i < 0 || s.i >= a.length) throw new PfaError(arrayCode, 'array index not found');
      const c = a.slice();
      c[s.i] = rec(a[s.i], at + 1);
      return c;
    }
    const o = v as Record<string, unknown>;
    const name = 'f' in s ? s.f : s.k;
    if ('k' in s && !Object.hasOwn(o, name)) throw new PfaError(mapCode, 'map key not found');
    const c = newMap();
    for (const k of Object.keys(o)) c[k] = o[k];
    c[name] = rec(o[name], at + 1);
    return c;
  };
  return rec(root, 0);
}

export interface EngineParts {
  readonly method: 'map' | 'emit' | 'fold';
  readonly cells: Record<string, unknown>;
  readonly pools: Record<string, Record<string, unknown>>;
  /** Names of cells and pools declared with rollback: true. */
  readonly rollbackCells: readonly string[];
  readonly rollbackPools: readonly string[];
  readonly begin: () => void;
  readonly action: (input: unknown) => unknown;
  readonly end: () => void;
  readonly merge: ((a: unknown, b: unknown) => unknown) | null;
  /** Engine counters shared with the generated code. */
  readonly counters: { started: number; finished: number };
  /** For emit engines: the buffer the generated `emit` appends to. */
  readonly emitted: unknown[];
  /** For fold engines: the running tally (the generated code reads and writes it). */
  readonly fold: { tally: unknown };
}

export interface PfaEngine {
  readonly cells: Record<string, unknown>;
  readonly pools: Record<string, Record<string, unknown>>;
  begin(): void;
  /** map: the result; emit: the values emitted for this input; fold: the running tally. */
  action(input: unknown): unknown;
  end(): void;
  /** fold engines: combines two tallies (the document's merge). */
  merge?(a: unknown, b: unknown): unknown;
  readonly actionsStarted: number;
  readonly actionsFinished: number;
}

export function engine(p: EngineParts): PfaEngine {
  const e: PfaEngine = {
    cells: p.cells,
    pools: p.pools,
    begin: p.begin,
    end: p.end,
    action(input: unknown): unknown {
      p.counters.started++;
      const cellSnap = p.rollbackCells.map((n) => p.cells[n]);
      const poolSnap = p.rollbackPools.map((n) => Object.assign(newMap(), p.pools[n]));
      const tally = p.fold.tally;
      p.emitted.length = 0;
      try {
        const result = p.action(input);
        p.counters.finished++;
        if (p.method === 'emit') return p.emitted.splice(0, p.emitted.length);
        if (p.method === 'fold') {
          p.fold.tally = result;
          return result;
        }
        return result;
      } catch (err) {
        p.rollbackCells.forEach((n, i) => { p.cells[n] = cellSnap[i]; });
        p.rollbackPools.forEach((n, i) => { p.pools[n] = poolSnap[i]; });
        p.fold.tally = tally;
        p.emitted.length = 0;
        throw err;
      }
    },
    get actionsStarted() { return p.counters.started; },
    get actionsFinished() { return p.counters.finished; },
  };
  if (p.merge !== null) (e as { merge?: (a: unknown, b: unknown) => unknown }).merge = p.merge;
  return e;
}

/** The clock the timeouts read: monotonic where the platform has one (Node, browsers). */
const now: () => number = typeof performance !== 'undefined' && typeof performance.now === 'function' ? () => performance.now() : () => Date.now();

/**
 * The `timeout` options (specification §3.7–3.8): `guard(ms, routine)` runs the routine
 * with a deadline; the compiled code calls `tick()` at the top of every loop body and
 * function body, which raises “exceeded timeout of N milliseconds” once the deadline has
 * passed. JavaScript cannot interrupt running code, so this checks cooperatively (every
 * 64 ticks, to keep the clock off the hot path); a single long library call is not cut
 * short, but no loop or recursion runs on past the deadline. A routine started while another
 * runs (none in PFA) would restart the deadline; the outer deadline is restored after it.
 */
export function stopwatch(): { guard<A extends unknown[], R>(ms: number, f: (...args: A) => R): (...args: A) => R; tick(): void } {
  let deadline = Infinity;
  let limit = -1;
  let count = 0;
  return {
    guard<A extends unknown[], R>(ms: number, f: (...args: A) => R): (...args: A) => R {
      if (ms < 0) return f;
      return (...args: A): R => {
        const outer = deadline, outerLimit = limit;
        deadline = now() + ms;
        limit = ms;
        count = 0;
        try {
          return f(...args);
        } finally {
          deadline = outer;
          limit = outerLimit;
        }
      };
    },
    tick(): void {
      if ((++count & 63) !== 0 && limit !== 0) return;
      if (now() >= deadline) throw new PfaError(undefined, `exceeded timeout of ${limit} milliseconds`);
    },
  };
}

/** A user `error` form. */
export function userError(message: string, code: number | undefined): never {
  throw new PfaError(code, message);
}
