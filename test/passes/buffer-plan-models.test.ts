// Whole models with and without the buffer plan, on both backends: the tiny bench
// networks and the ONNX fixtures give identical bytes either way, calls in a row
// see no stale data (run twice, another input in between, predictBatch), batch
// sizes other than the planned one fall back to buffers of their own, and the
// fused kernels of the bench networks keep the contract the plan relies on.

import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Tensor } from '../../runtime/tensor/tensor.js';
import { setKernelBackend } from '../../runtime/wasm/kernels.js';
import { netInput } from '../../bench/support/nets/index.js';
import { emitModuleSource } from '../../generators/module/emit-program.js';
import { generateModule, loadProgramFromBytes } from '../../src/api.js';
import type { Program } from '../../src/ir/program.js';
import { audit, findingLists, newFindings } from '../support/kernel-audit.js';
import { buildTransformer } from '../../bench/support/nets/transformer.js';
import { TINY_NETS } from '../support/tiny-nets.js';

type Feeds = Record<string, unknown>;
type Results = Record<string, { type: string; dims: number[]; data: unknown }>;
interface Module { run(f: Feeds): Results; predictBatch(f: readonly Feeds[]): Results[] }

const dir = mkdtempSync(join(tmpdir(), 'mlcompile-buffer-plan-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let serial = 0;
async function compile(p: Program, bufferPlan: boolean, kernels: 'auto' | 'js'): Promise<{ mod: Module; source: string }> {
  const compiled = await generateModule(p, { bufferPlan, kernels });
  const file = join(dir, `m${serial++}.mjs`);
  writeFileSync(file, compiled.files['model.mjs']);
  return { mod: (await import(pathToFileURL(file).href)) as Module, source: compiled.files['model.ts'] };
}

/**
 * Planned and unplanned modules agree byte for byte on every feed; each module gives
 * the same results for a feed called again after the others, and from predictBatch.
 * Returns whether the planned module had an arena.
 */
async function checkModel(label: string, p: Program, feeds: readonly Feeds[]): Promise<boolean> {
  let arena = false;
  for (const kernels of ['auto', 'js'] as const) {
    const plain = await compile(p, false, kernels);
    const planned = await compile(p, true, kernels);
    assert.doesNotMatch(plain.source, /new ArrayBuffer|\.plan\(/, `${label}: unplanned module has an arena`);
    arena ||= /const arena = new ArrayBuffer\(\d+\);/.test(planned.source);
    const want = feeds.map((f) => plain.mod.run(f));
    const first = feeds.map((f) => planned.mod.run(f));
    assert.deepEqual(first, want, `${label} (${kernels}): planned results differ from unplanned`);
    // Again in reverse order: every value must be recomputed, whatever the arena holds now.
    const again = feeds.slice().reverse().map((f) => planned.mod.run(f)).reverse();
    assert.deepEqual(again, want, `${label} (${kernels}): second calls differ`);
    assert.deepEqual(planned.mod.predictBatch(feeds), want, `${label} (${kernels}): predictBatch differs`);
  }
  return arena;
}

const tiny = TINY_NETS;

test('tiny bench networks: identical results with and without the plan, both backends, calls in a row', async () => {
  const withArena: string[] = [];
  for (const [name, build] of tiny) {
    const net = build();
    const p = loadProgramFromBytes(net.bytes, `${name}.onnx`);
    const feed = (seed: number, dims = net.inputDims): Feeds => ({ [net.inputName]: { type: 'float32', dims, data: netInput(dims, seed) } });
    const feeds = [feed(1), feed(2), feed(3)];
    // A batch dim planned as 1: a batch of 2 must fall back to buffers of its own.
    const batched = net.inputDims.slice();
    const symbolicBatch = p.inputs[0].type.kind === 'tensor' && typeof p.inputs[0].type.shape?.[0] === 'string';
    if (symbolicBatch) { batched[0] = 2; feeds.push(feed(4, batched)); }
    if (await checkModel(name, p, feeds)) withArena.push(name);
  }
  assert.deepEqual(withArena, tiny.map(([name]) => name), 'every network has activations to plan');
});

test('tiny bench networks: their kernels (fused ones included) keep the plan\'s contract on both backends', () => {
  const findings = newFindings();
  for (const [name, build] of tiny) {
    const net = build();
    const p = loadProgramFromBytes(net.bytes, `${name}.onnx`);
    const x: Tensor = { type: 'float32', dims: net.inputDims.slice(), data: netInput(net.inputDims, 5) };
    for (const backend of ['wasm-simd', 'js'] as const) {
      const previous = setKernelBackend(backend);
      try {
        audit(name, p, { [net.inputName]: x }, findings);
      } finally {
        setKernelBackend(previous);
      }
    }
  }
  assert.deepEqual(findingLists(findings), { aliasingWithoutFlag: '', notViews: '', partialWrites: '' });
  assert.ok(findings.inArena > 20);
});

test('ONNX fixtures: identical results with and without the plan, both backends, calls in a row', async () => {
  const root = join(import.meta.dirname, '../../fixtures/onnx');
  for (const name of readdirSync(root).sort()) {
    const lines = readFileSync(join(root, name, 'inputs.jsonl'), 'utf8').split('\n').filter((l) => l.trim() !== '');
    const feeds = lines.slice(0, 3).map((l) => JSON.parse(l) as Feeds);
    const p = loadProgramFromBytes(readFileSync(join(root, name, 'model.onnx')), 'model.onnx');
    await checkModel(name, p, feeds);
  }
});

test('the planned module source is deterministic and names its arena once', () => {
  const bytes = buildTransformer({ layers: 1, d: 16, heads: 2, ff: 32, seq: 6 }).bytes;
  const a = emitModuleSource(loadProgramFromBytes(bytes, 'transformer.onnx'));
  const b = emitModuleSource(loadProgramFromBytes(bytes, 'transformer.onnx'));
  assert.equal(a, b);
  assert.equal(a.match(/new ArrayBuffer\(/g)?.length, 1);
  assert.match(a, /^\/\/ Buffer plan: \d+ activations share one arena of \d+ bytes by liveness \(\d+ bytes with a buffer each\)\.$/m);
});
