// The buffer planner alone: values whose live ranges overlap never share bytes,
// aliasing (views) and regions extend live ranges, graph inputs/outputs and
// constants are never planned, symbolic dims are planned as 1 only when asked,
// and the plan is deterministic.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { DType } from '../../runtime/tensor/tensor.js';
import { loadProgramFromBytes } from '../../src/api.js';
import type { Program, ValueId } from '../../src/ir/program.js';
import { ARENA_ALIGN, planBuffers, type BufferPlan, type PlannedValue } from '../../src/passes/buffer-plan.js';
import { graph, modelBytes, valueInfo, type NodeSpec } from '../support/onnx-builder.js';
import { lcgFloats } from '../support/ir-eval.js';

function program(nodes: NodeSpec[], opts: { shape?: (number | string)[]; outputs?: string[]; inputType?: DType; initializers?: Parameters<typeof graph>[0]['initializers'] } = {}): Program {
  const g = graph({
    nodes,
    inputs: [valueInfo('X', opts.inputType ?? 'float32', opts.shape ?? [2, 8])],
    outputs: (opts.outputs ?? ['Y']).map((name) => ({ name })),
    initializers: opts.initializers,
  });
  return loadProgramFromBytes(modelBytes(g, { '': 17 }), 'model.onnx', { optimize: false });
}

const valueId = (p: Program, name: string): ValueId => {
  const v = p.values.find((x) => x.name === name);
  assert.ok(v, `no value ${name}`);
  return v.id;
};
const planned = (plan: BufferPlan, p: Program, name: string): PlannedValue | undefined => plan.byValue.get(valueId(p, name));
const plannedNames = (plan: BufferPlan, p: Program): string[] => plan.values.map((v) => p.values[v.value].name).sort();

/** The planner's contract: aligned, inside the arena, and no two values live at once share a byte. */
function assertSound(plan: BufferPlan): void {
  let sum = 0;
  for (const v of plan.values) {
    assert.equal(v.offset % ARENA_ALIGN, 0, `value %${v.value} at ${v.offset}`);
    assert.ok(v.offset + v.bytes <= plan.arenaBytes);
    assert.ok(v.start <= v.end);
    sum += v.bytes;
  }
  assert.equal(plan.plannedBytes, sum);
  for (const a of plan.values) {
    for (const b of plan.values) {
      if (a === b || a.end < b.start || b.end < a.start) continue;
      assert.ok(a.offset + a.bytes <= b.offset || b.offset + b.bytes <= a.offset, `%${a.value} and %${b.value} are live together and overlap`);
    }
  }
}

const relu = (i: string, o: string): NodeSpec => ({ op: 'Relu', inputs: [i], outputs: [o] });

test('a chain: neighbours never share bytes, dead values are reused, inputs and outputs are not planned', () => {
  const p = program([relu('X', 'a'), relu('a', 'b'), relu('b', 'c'), relu('c', 'd'), relu('d', 'Y')]);
  const plan = planBuffers(p);
  assertSound(plan);
  assert.deepEqual(plannedNames(plan, p), ['a', 'b', 'c', 'd']);
  const [a, b, c] = ['a', 'b', 'c'].map((n) => planned(plan, p, n) as PlannedValue);
  // Inclusive ranges: a is read by the statement that writes b.
  assert.equal(a.end, b.start);
  assert.notEqual(a.offset, b.offset);
  // a is dead once b is written: c takes its place; two 64-byte slots in all.
  assert.equal(c.offset, a.offset);
  assert.equal(plan.arenaBytes, 2 * 64);
  assert.equal(plan.plannedBytes, 4 * 16 * 4);
});

test('a view keeps its source live: Reshape output read late extends its input', () => {
  const p = program([
    relu('X', 'a'),
    { op: 'Reshape', inputs: ['a', 'shape'], outputs: ['r'] },
    relu('X', 'b'),
    relu('b', 'c'),
    relu('c', 'e'),
    { op: 'Add', inputs: ['e', 'r'], outputs: ['Y'] },
  ], { initializers: { shape: { type: 'int64', dims: [1], data: BigInt64Array.of(16n) } } });
  const plan = planBuffers(p);
  assertSound(plan);
  const a = planned(plan, p, 'a') as PlannedValue;
  const addAt = p.body.findIndex((s) => s.kind === 'let' && s.results.includes(p.outputs[0].value));
  assert.equal(a.end, addAt, 'a must live as long as its view r');
  assert.equal(planned(plan, p, 'r'), undefined, 'a Reshape output is always a view: no arena bytes');
  for (const n of ['b', 'c', 'e']) {
    const v = planned(plan, p, n) as PlannedValue;
    assert.ok(v.offset + v.bytes <= a.offset || a.offset + a.bytes <= v.offset, `${n} overlaps a`);
  }
  // Without the flag the same program would let b reuse a's bytes: the flag is what protects it.
  assert.ok(plan.arenaBytes >= 3 * 64);
});

test('aliasing is transitive, and a view of a graph output keeps its source until run() returns', () => {
  const p = program([
    relu('X', 'a'),
    { op: 'Identity', inputs: ['a'], outputs: ['i1'] },
    { op: 'Identity', inputs: ['i1'], outputs: ['Y'] },
    relu('X', 'b'),
    relu('b', 'Z'),
  ], { outputs: ['Y', 'Z'] });
  const plan = planBuffers(p);
  assertSound(plan);
  const a = planned(plan, p, 'a') as PlannedValue;
  assert.equal(a.end, p.body.length, 'a is read when run() copies the output Y');
  assert.equal(planned(plan, p, 'Y'), undefined);
  assert.equal(planned(plan, p, 'Z'), undefined);
});

test('constants and values computed from constants only are not planned', () => {
  const p = program([
    relu('W', 'w2'),
    { op: 'Add', inputs: ['X', 'w2'], outputs: ['s'] },
    relu('s', 'Y'),
  ], { initializers: { W: { type: 'float32', dims: [2, 8], data: Float32Array.from(lcgFloats(16, 1)) } } });
  const plan = planBuffers(p);
  assert.deepEqual(plannedNames(plan, p), ['s']);
});

test('symbolic dims: planned as 1 by default, left out with symbolicAsOne: false; unknown dims never', () => {
  const p = program([relu('X', 'a'), relu('a', 'Y')], { shape: ['N', 8] });
  assert.deepEqual(planBuffers(p, { symbolicAsOne: false }).values, []);
  const guess = planBuffers(p);
  assert.equal((planned(guess, p, 'a') as PlannedValue).length, 8);
  const unknown = program([relu('X', 'a'), relu('a', 'Y')], { shape: [2, 8] });
  const types = unknown.values.map((v) => (v.name === 'a' ? { ...v, type: { kind: 'tensor' as const, dtype: 'float32' as const, shape: [2, null] } } : v));
  assert.deepEqual(planBuffers({ ...unknown, values: types }).values, []);
});

test('strings are never planned; other types use their internal element size', () => {
  const p = program([
    { op: 'Cast', inputs: ['X'], outputs: ['d'], attrs: { to: 11 } },
    { op: 'Cast', inputs: ['d'], outputs: ['b'], attrs: { to: 9 } },
    { op: 'Cast', inputs: ['b'], outputs: ['s'], attrs: { to: 8 } },
    { op: 'Cast', inputs: ['s'], outputs: ['Y'], attrs: { to: 1 } },
  ]);
  const plan = planBuffers(p);
  assertSound(plan);
  assert.equal(planned(plan, p, 'd')?.bytes, 16 * 8);
  assert.equal(planned(plan, p, 'b')?.bytes, 16);
  assert.equal(planned(plan, p, 's'), undefined);
});

test('a value read inside a region stays live until the statement holding the region', () => {
  const branch = (name: string, out: string): { graph: ReturnType<typeof graph> } => ({
    graph: graph({ name, nodes: [relu('a', out)], inputs: [], outputs: [valueInfo(out, 'float32', [2, 8])] }),
  });
  const p = program([
    relu('X', 'a'),
    { op: 'ReduceSum', inputs: ['X'], outputs: ['sum'], attrs: { keepdims: 0 } },
    { op: 'Greater', inputs: ['sum', 'zero'], outputs: ['cond'] },
    relu('X', 'b'),
    relu('b', 'c'),
    { op: 'If', inputs: ['cond'], outputs: ['Y'], attrs: { then_branch: branch('then', 't'), else_branch: branch('else', 'e') } },
  ], { initializers: { zero: { type: 'float32', dims: [], data: Float32Array.of(0) } } });
  const plan = planBuffers(p);
  assertSound(plan);
  const a = planned(plan, p, 'a') as PlannedValue;
  // The If is the last statement and may hand a's storage on (conservatively): a lives until run() returns.
  assert.equal(a.end, p.body.length);
  for (const n of ['b', 'c']) {
    const v = planned(plan, p, n) as PlannedValue;
    assert.ok(v.offset + v.bytes <= a.offset || a.offset + a.bytes <= v.offset, `${n} overlaps a`);
  }
  assert.equal(planned(plan, p, 't'), undefined, 'values inside regions are never planned');
});

/** A straight-line program built directly as IR: random shapes, operands and primitives (the planner reads no kernel). */
function randomProgram(next: (n: number) => number): Program {
  const values: Program['values'][number][] = [];
  const newValue = (): ValueId => {
    const id = values.length;
    const shape = next(3) === 0 ? ['N', 1 + next(40)] : [1 + next(8), 1 + next(40)];
    values.push({ id, name: `v${id}`, type: { kind: 'tensor', dtype: next(4) === 0 ? 'int64' : 'float32', shape } });
    return id;
  };
  const input = newValue();
  const body: Program['body'][number][] = [];
  const live = [input];
  const count = 5 + next(25);
  for (let i = 0; i < count; i++) {
    const prim = ['tensor.add', 'tensor.relu', 'tensor.identity', 'tensor.concat'][next(4)];
    const args = [live[live.length - 1 - next(Math.min(live.length, 5))], live[next(live.length)]];
    const results = next(5) === 0 ? [newValue(), newValue()] : [newValue()];
    body.push({ kind: 'let', results, expr: { kind: 'call', prim, args, attrs: {} } });
    live.push(...results);
  }
  const outputs = [live[live.length - 1], live[next(live.length)]].map((value, k) => ({ name: `out${k}`, value, type: values[value].type }));
  return {
    name: 'random', format: 'onnx', source: { file: 'random.onnx', sha256: '' }, meta: {}, constants: [], state: [],
    inputs: [{ name: 'in', value: input, type: values[input].type }], outputs, values, body,
  };
}

test('random programs: the plan is sound, leaves out inputs and outputs, and is deterministic', () => {
  program([relu('X', 'Y')]); // loads the primitive registry
  const rand = lcgFloats(20000, 7).map((x) => (x + 1) / 2);
  let r = 0;
  const next = (n: number): number => Math.floor(rand[r++ % rand.length] * n);
  let shared = 0;
  for (let trial = 0; trial < 200; trial++) {
    const p = randomProgram(next);
    const plan = planBuffers(p);
    assertSound(plan);
    for (const io of [...p.inputs, ...p.outputs]) assert.equal(plan.byValue.get(io.value), undefined);
    assert.deepEqual(planBuffers(structuredClone(p)), plan);
    if (plan.arenaBytes < plan.plannedBytes) shared++;
  }
  assert.ok(shared > 50, `bytes were reused in only ${shared} of 200 programs`);
});
