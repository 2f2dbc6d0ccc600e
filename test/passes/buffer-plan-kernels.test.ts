// The kernel contract the buffer plan relies on (test/support/kernel-audit.ts),
// checked on the ONNX conformance cases: every top-level call with its data set 0
// operands, on both backends; the multi-node suites also after the passes (fused
// primitives). Cases that need other data (sequence inputs) or fail to load are skipped.

import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Tensor } from '../../runtime/tensor/tensor.js';
import { setKernelBackend } from '../../runtime/wasm/kernels.js';
import { loadProgram } from '../../src/api.js';
import type { Program } from '../../src/ir/program.js';
import { CONFORMANCE_ROOT } from '../conformance/onnx-case.js';
import { audit, feedsOf, findingLists, newFindings } from '../support/kernel-audit.js';

interface ManifestTest { name: string; suite: string; folder: string; value_kinds?: string[] }

const manifestPath = join(CONFORMANCE_ROOT, 'manifest.json');
const SUITES = new Set(['node', 'simple', 'pytorch-converted', 'pytorch-operator']);

interface Case { readonly name: string; readonly program: Program; readonly feeds: Record<string, Tensor> }

/** The cases' programs and operands, loaded once for both backends' tests. */
let loaded: Case[] | undefined;
function cases(): Case[] {
  if (loaded !== undefined) return loaded;
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { tests: ManifestTest[] };
  loaded = [];
  for (const spec of manifest.tests) {
    if (!SUITES.has(spec.suite) || (spec.value_kinds ?? ['tensor']).some((k) => k !== 'tensor')) continue;
    const base = join(CONFORMANCE_ROOT, spec.folder);
    const dataDir = readdirSync(base).filter((d) => d.startsWith('test_data_set')).sort()[0];
    if (dataDir === undefined) continue;
    // Multi-node suites also after the passes, which bring in the fused primitives.
    for (const optimize of spec.suite === 'node' ? [false] : [false, true]) {
      let program: Program;
      try {
        program = loadProgram(join(base, 'model.onnx'), { optimize });
      } catch {
        continue; // unsupported models are the runner's business
      }
      const feeds = feedsOf(program, join(base, dataDir));
      if (feeds !== undefined) loaded.push({ name: spec.name, program, feeds });
    }
  }
  return loaded;
}

for (const backend of ['wasm-simd', 'js'] as const) {
  test(`kernels flag aliasing and write all of their outputs (ONNX conformance operands, ${backend} kernels)`, {
    skip: !existsSync(manifestPath) && 'the ONNX conformance suites are not present',
  }, () => {
    const all = cases();
    assert.ok(all.length > 1000, `only ${all.length} cases loaded`);
    const findings = newFindings();
    const previous = setKernelBackend(backend);
    try {
      for (const c of all) audit(c.name, c.program, c.feeds, findings);
    } finally {
      setKernelBackend(previous);
    }
    assert.ok(findings.inArena > 1000, `only ${findings.inArena} outputs landed in the arena: the check would be vacuous`);
    assert.deepEqual(findingLists(findings), { aliasingWithoutFlag: '', notViews: '', partialWrites: '' },
      'kernels returning operand storage without aliasesInputs / outputsAreViews kernels allocating / planned output bytes left unwritten');
  });
}
