// One PFA conformance case, compiled through the real front end (decode → check →
// JavaScript) and evaluated in process: the engine body the module generator wraps
// is run here directly with the runtime and library (no bundling per case).

import * as rt from '../../runtime/pfa/engine.js';
import { fromJson, toJson } from '../../runtime/pfa/avro.js';
import { libraryFunction } from '../../runtime/pfa/lib/registry.js';
import { PfaError, type PfaType } from '../../runtime/pfa/types.js';
import { compilePfa, type CompiledPfa } from '../../src/frontends/pfa/compile.js';
import { parseJson, type PfaJson } from '../../src/frontends/pfa/decode.js';

const runtime = { ...rt, fromJson, toJson };

export interface LoadedEngine {
  readonly compiled: CompiledPfa;
  readonly create: () => rt.PfaEngine;
  readonly input: PfaType;
  readonly output: PfaType;
}

/** Compiles a document (JSON text or parsed tree) into an engine factory. */
export function loadEngine(doc: string | PfaJson, name = 'engine'): LoadedEngine {
  const tree = typeof doc === 'string' ? parseJson(doc) : doc;
  const compiled = compilePfa(tree, name);
  const F: Record<string, unknown> = {};
  for (const n of compiled.functions.keys()) F[n] = libraryFunction(n)?.fn;
  const types = rt.parseTypes(compiled.types);
  const factory = new Function('rt', 'F', 'TYPES', 'LOG', compiled.body) as (r: unknown, f: unknown, t: unknown, log: (m: string) => void) => rt.PfaEngine;
  return {
    compiled,
    // The documents' `log` messages are not part of the expected results: not printed.
    create: () => factory(runtime, F, types, () => undefined),
    input: types[compiled.inputType],
    output: types[compiled.outputType],
  };
}

export type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly code: number | undefined; readonly message: string };

/** Runs one action on a JSON-encoded input; the JSON-encoded result or the error. */
export function runAction(e: LoadedEngine, engine: rt.PfaEngine, inputJson: unknown): Outcome {
  let input: unknown;
  try {
    input = fromJson(inputJson, e.input);
  } catch (err) {
    return { ok: false, code: undefined, message: `bad input: ${(err as Error).message}` };
  }
  try {
    const out = engine.action(input);
    if (e.compiled.method === 'emit') return { ok: true, value: (out as unknown[]).map((v) => toJson(v, e.output)) };
    return { ok: true, value: toJson(out, e.output) };
  } catch (err) {
    if (err instanceof PfaError) return { ok: false, code: err.code, message: err.message };
    return { ok: false, code: undefined, message: `${(err as Error).name}: ${(err as Error).message}` };
  }
}

/** Deep comparison per the suite README: `official` (1 % relative) or strict. */
export function sameJson(expected: unknown, actual: unknown, official: boolean): boolean {
  // Longs beyond 2^53 (parseJsonExact, toJson): exact.
  if (typeof expected === 'bigint' || typeof actual === 'bigint') return expected === actual;
  if (typeof expected === 'number' && typeof actual === 'number') {
    if (official) {
      const ze = Math.abs(expected) < 1e-8, za = Math.abs(actual) < 1e-8;
      if (ze && za) return true;
      if (ze !== za) return false;
      return Math.abs(expected - actual) / Math.abs(expected) <= 0.01;
    }
    return expected === actual || Math.abs(actual - expected) <= 1e-8 + 1e-6 * Math.abs(expected);
  }
  if (expected === 'inf' && typeof actual === 'number') return actual > 1e80;
  if (expected === '-inf' && typeof actual === 'number') return actual < -1e80;
  // The README's special-value rule both ways (runTest.py compare is symmetric).
  if (actual === 'inf' && typeof expected === 'number') return expected > 1e80;
  if (actual === '-inf' && typeof expected === 'number') return expected < -1e80;
  if (Array.isArray(expected)) return Array.isArray(actual) && actual.length === expected.length && expected.every((x, i) => sameJson(x, actual[i], official));
  if (typeof expected === 'object' && expected !== null) {
    if (typeof actual !== 'object' || actual === null || Array.isArray(actual)) return false;
    const ke = Object.keys(expected), ka = Object.keys(actual);
    return ke.length === ka.length && ke.every((k) => Object.hasOwn(actual, k) && sameJson((expected as Record<string, unknown>)[k], (actual as Record<string, unknown>)[k], official));
  }
  return expected === actual;
}
