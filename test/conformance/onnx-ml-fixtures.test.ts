// The classical-ML fixtures (fixtures/onnx-ml/<name>/): each model is compiled through
// the real pipeline, every line of inputs.jsonl is run, and the outputs are compared
// with expected.jsonl (onnxruntime-node's outputs) by the rule of src/validate/compare.ts:
// labels (strings, integers) exactly, scores within rtol 1e-5 / atol 1e-6 (float32
// models computed in another order than onnxruntime's: a few ulps), or the fixture's own
// tolerance in meta.json where it says why (onnxruntime's approximate PROBIT). Sequences
// of maps (ZipMap) are compared map by map, key by key.
//
// One test per fixture. A model using an op that is not registered yet (MLC3001/MLC3002)
// is reported as skipped with the op named, unless MLCOMPILE_STRICT_FIXTURES=1: the
// ai.onnx.ml model ops are being added separately. Any other failure fails the test.

import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { compareTensors, scalarError, type Tolerance } from '../../src/validate/compare.js';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import { compileBytes, type LoadedModule } from '../support/run-module.js';

const ROOT = join(import.meta.dirname, '..', '..', 'fixtures', 'onnx-ml');
const DEFAULT: Tolerance = { rtol: 1e-5, atol: 1e-6 };
const STRICT = process.env.MLCOMPILE_STRICT_FIXTURES === '1';

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
interface TensorJson { type: string; dims: number[]; data: Json[] }
interface Meta { tolerance?: Tolerance }

function readJsonl(file: string): Record<string, Json>[] {
  return readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as Record<string, Json>);
}

function isTensorJson(v: Json): v is TensorJson & { [k: string]: Json } {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && 'dims' in v && 'data' in v && 'type' in v;
}

function number(v: Json): number {
  if (typeof v === 'number') return v;
  if (v === null || v === 'NaN') return NaN;
  if (v === 'Infinity') return Infinity;
  if (v === '-Infinity') return -Infinity;
  return Number(v);
}

/** A JSON feed as the module takes it: tensors with plain arrays (NaN restored), maps as Maps. */
function feedOf(line: Record<string, Json>): Record<string, unknown> {
  const feeds: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(line)) {
    if (isTensorJson(v)) {
      const float = v.type === 'float32' || v.type === 'float64';
      feeds[name] = { type: v.type, dims: v.dims, data: float ? v.data.map(number) : v.data };
    } else if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      feeds[name] = new Map(Object.entries(v).map(([k, x]) => [k, typeof x === 'string' ? x : number(x)]));
    } else {
      feeds[name] = v;
    }
  }
  return feeds;
}

/** Expected tensor data in the module's representation (bigint for 64-bit integers). */
function expectedData(t: TensorJson): unknown[] {
  switch (t.type) {
    case 'int64': case 'uint64': return t.data.map((v) => BigInt(v as number | string));
    case 'string': return t.data;
    case 'bool': return t.data.map((v) => (v === true || v === 1 ? 1 : 0));
    default: return t.data.map(number);
  }
}

/** Compares one output; returns undefined when it agrees, else why not. */
function check(actual: unknown, expected: Json, tol: Tolerance): string | undefined {
  if (isTensorJson(expected)) {
    const a = actual as { type: string; dims: number[]; data: ArrayLike<unknown> } | undefined;
    if (a === undefined || a === null || !('data' in a)) return `got ${describe(actual)}, expected a ${expected.type} tensor`;
    const c = compareTensors(a, { type: expected.type, dims: expected.dims, data: expectedData(expected) }, tol);
    return c.ok ? undefined : c.message;
  }
  if (Array.isArray(expected)) {
    // A sequence of maps (ZipMap): key by key.
    if (!Array.isArray(actual)) return `got ${describe(actual)}, expected a sequence of ${expected.length}`;
    if (actual.length !== expected.length) return `got a sequence of ${actual.length}, expected ${expected.length}`;
    for (let i = 0; i < expected.length; i++) {
      const m = actual[i] as unknown, e = expected[i] as Record<string, Json>;
      if (!(m instanceof Map)) return `[${i}]: got ${describe(m)}, expected a map`;
      const keys = Object.keys(e);
      if (m.size !== keys.length) return `[${i}]: got a map of ${m.size} entries, expected ${keys.length}`;
      const byKey = new Map([...m].map(([k, v]) => [String(k), v]));
      for (const k of keys) {
        if (!byKey.has(k)) return `[${i}]: no key ${JSON.stringify(k)} (keys: ${[...byKey.keys()].join(', ')})`;
        const s = scalarError(byKey.get(k), typeof e[k] === 'string' && e[k] !== 'NaN' ? e[k] : number(e[k]), tol);
        if (!s.ok) return `[${i}][${JSON.stringify(k)}]: got ${String(byKey.get(k))}, expected ${JSON.stringify(e[k])}`;
      }
    }
    return undefined;
  }
  return `unexpected expected value ${JSON.stringify(expected)?.slice(0, 60)}`;
}

function describe(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return `a sequence of ${v.length}`;
  if (v instanceof Map) return `a map of ${v.size}`;
  if (typeof v === 'object' && 'type' in v) return `a ${(v as { type: string }).type} tensor`;
  return typeof v;
}

const fixtures = existsSync(ROOT)
  ? readdirSync(ROOT, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(ROOT, d.name, 'model.onnx')) && existsSync(join(ROOT, d.name, 'expected.jsonl')))
    .map((d) => d.name)
    .sort()
  : [];

const summary: string[] = [];

test('the onnx-ml fixtures are there (run fixtures/onnx-ml/make_fixtures.py and make-references.ts)', () => {
  assert.ok(fixtures.length >= 40, `found ${fixtures.length} fixtures with expected.jsonl in ${ROOT}`);
});

for (const name of fixtures) {
  test(`onnx-ml fixture ${name}`, async (t) => {
    const dir = join(ROOT, name);
    const meta = JSON.parse(readFileSync(join(dir, 'meta.json'), 'utf8')) as Meta;
    const tol: Tolerance = meta.tolerance ? { rtol: meta.tolerance.rtol, atol: meta.tolerance.atol } : DEFAULT;
    let mod: LoadedModule;
    try {
      mod = (await compileBytes(readFileSync(join(dir, 'model.onnx')), `${name}/model.onnx`)).mod;
    } catch (e) {
      const unsupported = e instanceof DiagnosticError && (e.code === 'MLC3001' || e.code === 'MLC3002');
      if (unsupported && !STRICT) {
        summary.push(`${name}: skipped (${e.message})`);
        t.skip(e.message);
        return;
      }
      summary.push(`${name}: FAILED to compile (${(e as Error).message})`);
      throw e;
    }
    const inputs = readJsonl(join(dir, 'inputs.jsonl'));
    const expected = readJsonl(join(dir, 'expected.jsonl'));
    assert.equal(inputs.length, expected.length, 'inputs.jsonl and expected.jsonl have as many lines');
    const problems: string[] = [];
    for (let i = 0; i < inputs.length; i++) {
      let out: Record<string, unknown>;
      try {
        out = mod.run(feedOf(inputs[i]));
      } catch (e) {
        problems.push(`line ${i + 1}: the model failed: ${(e as Error).message}`);
        continue;
      }
      for (const [output, want] of Object.entries(expected[i])) {
        const why = check(out[output], want, tol);
        if (why !== undefined) problems.push(`line ${i + 1} ${output}: ${why}`);
      }
    }
    summary.push(problems.length === 0 ? `${name}: ok (${inputs.length} lines)` : `${name}: ${problems.length} mismatches; ${problems[0]}`);
    assert.deepEqual(problems, [], `${name} disagrees with onnxruntime`);
  });
}

after(() => {
  if (summary.length > 0) console.log(`onnx-ml fixtures:\n  ${summary.join('\n  ')}`);
});
