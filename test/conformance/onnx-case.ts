// One ONNX conformance case: compile the model to a module, run it on every
// test_data_set, compare with the expected outputs by the upstream rule.
// Used by the worker threads of onnx-runner.ts.

import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeResult, writeValue, type Value } from '../../runtime/io/feeds.js';
import { decodeContainer } from '../../src/frontends/onnx/container-proto.js';
import { generateModule, loadProgram, type Program } from '../../src/api.js';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';
import { onnx } from '../../src/frontends/onnx/proto.js';
import { tensorFromProto } from '../../src/frontends/onnx/tensor-proto.js';
import { compareTensors, type Tolerance } from '../../src/validate/compare.js';

export const CONFORMANCE_ROOT = join(import.meta.dirname, '../../../shared/conformance/onnx');

export interface CaseSpec {
  readonly name: string;
  readonly suite: string;
  readonly folder: string;
  readonly tolerance: Tolerance;
  readonly inputs: readonly { readonly name: string; readonly elem_type: string; readonly shape: readonly (number | string | null)[] }[];
}

export interface CaseResult {
  readonly name: string;
  readonly status: 'pass' | 'fail' | 'unsupported';
  readonly reason?: string;
  readonly ms: number;
}

type PublicTensor = ReturnType<typeof writeResult>;
interface GeneratedModule { run(feeds: Record<string, unknown>): Record<string, PublicTensor> }

const scratch = join(tmpdir(), `mlcompile-conformance-${process.pid}`);

type IrKind = 'tensor' | 'sequence' | 'optional' | 'other';

/** Reads a TensorProto, SequenceProto or OptionalProto file in the public representation. */
function readPb(path: string, kind: IrKind): unknown {
  const bytes = readFileSync(path);
  if (kind === 'sequence' || kind === 'optional') return writeValue(decodeContainer(bytes, kind) as Value);
  return writeResult(tensorFromProto(onnx.TensorProto.decode(bytes)));
}

function readTensorPb(path: string): PublicTensor {
  return readPb(path, 'tensor') as PublicTensor;
}

/** Compares public values: tensors by the rule, sequences element by element, null with null. */
function compareValues(actual: unknown, expected: unknown, tol: Tolerance): string | undefined {
  if (expected === null || actual === null) return expected === actual ? undefined : `got ${actual === null ? 'an empty optional' : 'a value'}, expected ${expected === null ? 'an empty optional' : 'a value'}`;
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return 'expected a sequence';
    if (actual.length !== expected.length) return `sequence of length ${actual.length}, expected ${expected.length}`;
    for (let i = 0; i < expected.length; i++) {
      const m = compareValues(actual[i], expected[i], tol);
      if (m !== undefined) return `[${i}]: ${m}`;
    }
    return undefined;
  }
  if (Array.isArray(actual)) return 'got a sequence, expected a tensor';
  const c = compareTensors(actual as PublicTensor, expected as PublicTensor, tol);
  return c.ok ? undefined : c.message;
}

/** Compiles the model once; the program gives the input and output names and kinds. */
async function compile(modelPath: string, name: string, optimize: boolean): Promise<{ mod: GeneratedModule; program: Program }> {
  const program = loadProgram(modelPath, { optimize });
  const compiled = await generateModule(program);
  mkdirSync(scratch, { recursive: true });
  const file = join(scratch, `${name}-${optimize ? 'o' : 'n'}.mjs`);
  writeFileSync(file, compiled.files['model.mjs']);
  return { mod: (await import(pathToFileURL(file).href)) as GeneratedModule, program };
}

/** The light suite's inputs: arange(n).reshape(shape) / n in float32; unknown dims are 1. */
function lightInputs(spec: CaseSpec): Record<string, unknown> {
  const feeds: Record<string, unknown> = {};
  for (const i of spec.inputs) {
    const dims = i.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    const n = dims.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let k = 0; k < n; k++) data[k] = k / n;
    feeds[i.name] = { type: 'float32', dims, data };
  }
  return feeds;
}

function kindOf(k: string): IrKind {
  return k === 'tensor' || k === 'sequence' || k === 'optional' ? k : 'other';
}

export async function runCase(spec: CaseSpec, optimize = true): Promise<CaseResult> {
  const t0 = performance.now();
  const done = (status: CaseResult['status'], reason?: string): CaseResult => ({ name: spec.name, status, reason, ms: Math.round(performance.now() - t0) });
  const base = join(CONFORMANCE_ROOT, spec.folder);
  let mod: GeneratedModule;
  let program: Program;
  const modelPath = spec.suite === 'light' ? join(CONFORMANCE_ROOT, 'light', `light_${spec.name}.onnx`) : join(base, 'model.onnx');
  try {
    ({ mod, program } = await compile(modelPath, spec.name, optimize));
  } catch (e) {
    if (e instanceof DiagnosticError) return done('unsupported', `${e.code} ${e.path}: ${e.detail}`);
    return done('fail', `compile crashed: ${(e as Error).stack?.split('\n').slice(0, 3).join(' | ')}`);
  }
  const sets: { feeds: Record<string, unknown>; expected: unknown[] }[] = [];
  if (spec.suite === 'light') {
    sets.push({ feeds: lightInputs(spec), expected: [readTensorPb(join(CONFORMANCE_ROOT, 'light', `light_${spec.name}_output_0.pb`))] });
  } else {
    for (const dir of readdirSync(base).filter((d) => d.startsWith('test_data_set')).sort()) {
      const feeds: Record<string, unknown> = {};
      const modelInputs = program.inputs;
      for (let k = 0; existsSync(join(base, dir, `input_${k}.pb`)); k++) {
        if (k < modelInputs.length) feeds[modelInputs[k].name] = readPb(join(base, dir, `input_${k}.pb`), kindOf(modelInputs[k].type.kind));
      }
      const expected: unknown[] = [];
      for (let k = 0; existsSync(join(base, dir, `output_${k}.pb`)); k++) {
        expected.push(readPb(join(base, dir, `output_${k}.pb`), kindOf(program.outputs[k]?.type.kind ?? 'tensor')));
      }
      sets.push({ feeds, expected });
    }
  }
  for (const [s, set] of sets.entries()) {
    let out: Record<string, PublicTensor>;
    try {
      out = mod.run(set.feeds);
    } catch (e) {
      return done('fail', `data set ${s}: run threw: ${(e as Error).message}`);
    }
    for (const [k, exp] of set.expected.entries()) {
      const outName = program.outputs[k]?.name;
      if (outName === undefined || !(outName in out)) return done('fail', `data set ${s}: output ${k} missing`);
      const m = compareValues(out[outName], exp, spec.tolerance);
      if (m !== undefined) return done('fail', `data set ${s}: output ${JSON.stringify(outName)}: ${m}`);
    }
  }
  return done('pass');
}
