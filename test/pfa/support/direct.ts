// Runs the PFA function conformance tests of one library function directly through
// its LibFunction (no engine): only tests whose action is `{fn: ["input.a", ...]}`
// with plain input references qualify (tests passing inline functions need the
// compiler: test/conformance/pfa-runner.ts). Comparison: the suite README's strict
// rule by default (|a - e| <= 1e-8 + 1e-6·|e|), exact for strings, ints and so on.

import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fromJson, parseJsonExact, parseType, stringifyJsonExact, toJson } from '../../../runtime/pfa/avro.js';
import { coerceTo, convertLongs } from '../../../runtime/pfa/values.js';
import { PfaError, type LibFunction, type PfaType } from '../../../runtime/pfa/types.js';
import { matchCall } from '../../../src/frontends/pfa/signatures.js';
import { mentionsLong } from '../../../src/frontends/pfa/compile.js';

export const PFA_DATA = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'conformance', 'pfa');

export interface FunctionTest {
  readonly id: string;
  readonly function: string;
  readonly engine: { readonly input: unknown; readonly output: unknown; readonly action: unknown };
  readonly trials: readonly { readonly sample: Record<string, unknown>; readonly result?: unknown; readonly error?: number; readonly nondeterministic?: string; readonly titus_status?: string; readonly disputed?: { scipy: unknown } }[];
}

const cache = new Map<string, FunctionTest[]>();

/** The tests of a family file (`a`, `core`, `m.special`...), parsed once. */
export function familyTests(family: string): FunctionTest[] {
  let tests = cache.get(family);
  if (tests === undefined) {
    const text = gunzipSync(readFileSync(join(PFA_DATA, 'functions', `${family}.jsonl.gz`))).toString('utf8');
    tests = text.split('\n').filter((l) => l.trim() !== '').map((l) => parseJsonExact(l) as FunctionTest);
    cache.set(family, tests);
  }
  return tests;
}

/** Deep comparison per the suite's rules (strict, or the official 1% rule). */
export function sameJson(expected: unknown, actual: unknown, official = false): boolean {
  if (typeof expected === 'bigint' || typeof actual === 'bigint') return expected === actual;
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (Number.isInteger(expected) && Number.isInteger(actual) && !official) return expected === actual || Math.abs(actual - expected) <= 1e-8 + 1e-6 * Math.abs(expected);
    if (official) {
      const ze = Math.abs(expected) < 1e-8, za = Math.abs(actual) < 1e-8;
      if (ze && za) return true;
      if (ze !== za) return false;
      return Math.abs(expected - actual) / Math.abs(expected) <= 0.01;
    }
    return Math.abs(actual - expected) <= 1e-8 + 1e-6 * Math.abs(expected);
  }
  if (expected === 'inf' && typeof actual === 'number') return actual > 1e80;
  if (expected === '-inf' && typeof actual === 'number') return actual < -1e80;
  if (Array.isArray(expected)) {
    return Array.isArray(actual) && actual.length === expected.length && expected.every((e, i) => sameJson(e, actual[i], official));
  }
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return false;
    const ke = Object.keys(expected), ka = Object.keys(actual);
    return ke.length === ka.length && ke.every((k) => Object.hasOwn(actual, k) && sameJson((expected as Record<string, unknown>)[k], (actual as Record<string, unknown>)[k], official));
  }
  return expected === actual;
}

export interface DirectOutcome { readonly tests: number; readonly trials: number; readonly passed: number; readonly failures: string[] }

/**
 * Runs every qualifying test of `fn` from `family`. Nondeterministic trials only need
 * to succeed (or fail with the expected code); unordered results are compared sorted.
 */
export function runDirect(family: string, fn: LibFunction, opts: { official?: boolean; random?: () => number } = {}): DirectOutcome {
  const failures: string[] = [];
  let tests = 0, trials = 0, passed = 0;
  for (const t of familyTests(family)) {
    if (t.function !== fn.name) continue;
    const action = t.engine.action as Record<string, unknown>;
    const args = action[fn.name];
    const list = Array.isArray(args) ? args : [args];
    if (!list.every((x) => typeof x === 'string' && x.startsWith('input.'))) continue;
    const names = new Map<string, PfaType>();
    const input = parseType(t.engine.input, names);
    const output = parseType(t.engine.output, names);
    if (input.kind !== 'record') continue;
    const argTypes = list.map((x) => (input.fields.find((f) => f.name === (x as string).slice(6)) as { type: PfaType }).type);
    const types = matchCall(fn, argTypes);
    tests++;
    if (types === undefined) {
      failures.push(`${t.id}: no signature matches (${argTypes.map((a) => a.kind).join(', ')})`);
      continue;
    }
    const impl = fn.make(types, { random: opts.random ?? Math.random, log: () => undefined });
    for (const trial of t.trials) {
      if (trial.titus_status !== undefined) continue;
      trials++;
      const sample = fromJson(trial.sample, input) as Record<string, unknown>;
      let result: unknown, error: unknown;
      try {
        // As compiled code calls it: arguments promoted to the parameter types, and longs as
        // numbers for functions not written for BigInt longs (compile.ts).
        const numbersOnly = fn.bigLongs !== true && mentionsLong(fn.sigs[types.sig]);
        const args = list.map((x, i) => {
          const v = coerceTo(sample[(x as string).slice(6)], types.params[i]);
          return numbersOnly ? convertLongs(v, types.params[i], false) : v;
        });
        result = impl(...args);
        if (numbersOnly) result = convertLongs(result, types.ret, true);
      } catch (e) {
        error = e;
      }
      const label = `${t.id} ${stringifyJsonExact(trial.sample).slice(0, 120)}`;
      if (trial.error !== undefined) {
        if (error instanceof PfaError && error.code === trial.error) passed++;
        else failures.push(`${label}: expected error ${trial.error}, got ${error instanceof Error ? `${error.name} ${(error as PfaError).code ?? ''} ${error.message}` : stringifyJsonExact(toJson(result, output))}`);
        continue;
      }
      if (error !== undefined) {
        failures.push(`${label}: threw ${(error as Error).message ?? String(error)}`);
        continue;
      }
      if (trial.nondeterministic === 'pseudorandom' || trial.nondeterministic === 'unstable') {
        passed++;
        continue;
      }
      const actual = toJson(result, output);
      let ok = sameJson(trial.result, actual, opts.official);
      if (!ok && trial.nondeterministic === 'unordered' && Array.isArray(trial.result) && Array.isArray(actual)) {
        const key = (v: unknown): string => stringifyJsonExact(v);
        ok = sameJson([...trial.result].sort((x, y) => (key(x) < key(y) ? -1 : 1)), [...actual].sort((x, y) => (key(x) < key(y) ? -1 : 1)), opts.official);
      }
      if (!ok && trial.disputed !== undefined) ok = sameJson(trial.disputed.scipy, actual, opts.official);
      if (ok) passed++;
      else failures.push(`${label}: expected ${stringifyJsonExact(trial.result)}, got ${stringifyJsonExact(actual)}`);
    }
  }
  return { tests, trials, passed, failures };
}
