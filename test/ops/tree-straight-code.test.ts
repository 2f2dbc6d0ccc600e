// Straight code for small tree ensembles (generators/module/specialize-trees.ts) must
// give bit-identical results to the table walk it replaces: random forests with every
// split rule, NaN routing both ways and several weights per leaf, scored both ways.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { transformSync } from 'esbuild';
import { generateModule, loadProgramFromBytes } from '../../src/api.js';
import { specializeAttrs } from '../../generators/module/specializers.js';
import { treeEnsembleClassifier, treeEnsembleRegressor, type ClassifierAttrs, type RegressorAttrs } from '../../runtime/ml/tree-ensemble.js';
import { NodeCtx, type Tensor } from '../../runtime/tensor/tensor.js';
import { graph, modelBytes, valueInfo, type AttrInput } from '../support/onnx-builder.js';

const MODES = ['BRANCH_LEQ', 'BRANCH_LT', 'BRANCH_GTE', 'BRANCH_GT', 'BRANCH_EQ', 'BRANCH_NEQ'];

function rng(seed: number): () => number {
  let s = seed;
  return () => (s = (s * 16807) % 2147483647) / 2147483647;
}

/** A random forest's V3 attributes: `trees` trees of the given depth over `features` features. */
function randomForest(seed: number, trees: number, depth: number, features: number, classes: number, mixedModes: boolean): Record<string, AttrInput> {
  const r = rng(seed);
  const a = { tree: [] as number[], id: [] as number[], f: [] as number[], mode: [] as string[], v: [] as number[], yes: [] as number[], no: [] as number[], nan: [] as number[], wt: [] as number[], wn: [] as number[], wi: [] as number[], ww: [] as number[] };
  for (let t = 0; t < trees; t++) {
    const count = (1 << (depth + 1)) - 1;
    for (let i = 0; i < count; i++) {
      const leaf = i >= (1 << depth) - 1;
      a.tree.push(t); a.id.push(i);
      a.f.push(leaf ? 0 : Math.floor(r() * features));
      a.mode.push(leaf ? 'LEAF' : mixedModes ? MODES[Math.floor(r() * MODES.length)] : 'BRANCH_LEQ');
      a.v.push(leaf ? 0 : Math.round(r() * 8) / 8);
      a.yes.push(leaf ? 0 : 2 * i + 1); a.no.push(leaf ? 0 : 2 * i + 2);
      a.nan.push(r() < 0.3 ? 1 : 0);
      if (leaf) {
        for (let c = 0; c < classes; c++) {
          if (r() < 0.6) { a.wt.push(t); a.wn.push(i); a.wi.push(c); a.ww.push(r() - 0.3); }
        }
      }
    }
  }
  return {
    nodes_treeids: a.tree, nodes_nodeids: a.id, nodes_featureids: a.f, nodes_modes: a.mode, nodes_values: { floats: a.v },
    nodes_truenodeids: a.yes, nodes_falsenodeids: a.no, nodes_missing_value_tracks_true: a.nan,
    class_treeids: a.wt, class_nodeids: a.wn, class_ids: a.wi, class_weights: { floats: a.ww },
  };
}

function rows(seed: number, n: number, features: number): Tensor {
  const r = rng(seed);
  const data = new Float32Array(n * features);
  for (let i = 0; i < data.length; i++) data[i] = r() < 0.1 ? NaN : Math.round(r() * 8) / 8; // thresholds hit exactly, too
  return { type: 'float32', dims: [n, features], data };
}

/** The lowered call's attributes and those with the generated walker compiled in. */
function attrsBothWays(bytes: Uint8Array, prim: string): { table: unknown; straight: unknown } {
  const program = loadProgramFromBytes(bytes, 'forest.onnx', { optimize: false });
  const call = program.body.find((s) => s.kind === 'let' && s.expr.kind === 'call' && s.expr.prim === prim);
  assert.ok(call && call.kind === 'let' && call.expr.kind === 'call');
  const table = call.expr.attrs;
  const special = specializeAttrs(prim, table) as Record<string, unknown>;
  const code = special.walker as { kind: string; source: string } | undefined;
  assert.ok(code !== undefined, 'a small forest gets straight code');
  const js = transformSync(`return (${code.source});`, { loader: 'ts' }).code;
  const walker = new Function(js)() as unknown;
  return { table, straight: { ...table, walker } };
}

for (const [name, mixed, classes] of [['every split rule, several classes', true, 3], ['<= splits, one class', false, 1]] as const) {
  test(`straight code and table walk agree bit for bit (classifier: ${name})`, async () => {
    const features = 5;
    const attrs = { ...randomForest(7, 12, 5, features, classes, mixed), classlabels_int64s: Array.from({ length: Math.max(classes, 2) }, (_, i) => i) };
    const g = graph({
      nodes: [{ op: 'TreeEnsembleClassifier', domain: 'ai.onnx.ml', inputs: ['X'], outputs: ['label', 'scores'], attrs }],
      inputs: [valueInfo('X', 'float32', ['N', features])],
      outputs: [valueInfo('label', 'int64', ['N']), valueInfo('scores', 'float32', ['N', Math.max(classes, 2)])],
    });
    const bytes = modelBytes(g, { '': 17, 'ai.onnx.ml': 3 });
    const { table, straight } = attrsBothWays(bytes, 'ml.treeEnsembleClassifier');
    for (const n of [1, 3, 4, 37, 200]) {
      const x = rows(n, n, features);
      const a = treeEnsembleClassifier(new NodeCtx('a'), [x], table as ClassifierAttrs);
      const b = treeEnsembleClassifier(new NodeCtx('b'), [x], straight as ClassifierAttrs);
      assert.deepEqual(Array.from(b[0].data as BigInt64Array), Array.from(a[0].data as BigInt64Array), `labels, ${n} rows`);
      assert.deepEqual(Array.from(b[1].data as Float32Array), Array.from(a[1].data as Float32Array), `scores, ${n} rows`);
    }
    // And the generated module itself carries the straight code.
    const compiled = await generateModule(loadProgramFromBytes(bytes, 'forest.onnx'));
    assert.match(compiled.files['model.ts'], /"walker": \(/);
  });
}

test('straight code and table walk agree bit for bit (regressor, average of several targets)', () => {
  const features = 4;
  const f = randomForest(11, 9, 4, features, 2, true);
  const attrs: Record<string, AttrInput> = {
    nodes_treeids: f.nodes_treeids, nodes_nodeids: f.nodes_nodeids, nodes_featureids: f.nodes_featureids, nodes_modes: f.nodes_modes,
    nodes_values: f.nodes_values, nodes_truenodeids: f.nodes_truenodeids, nodes_falsenodeids: f.nodes_falsenodeids,
    nodes_missing_value_tracks_true: f.nodes_missing_value_tracks_true,
    target_treeids: f.class_treeids, target_nodeids: f.class_nodeids, target_ids: f.class_ids, target_weights: f.class_weights,
    n_targets: 2, aggregate_function: 'AVERAGE',
  };
  const g = graph({
    nodes: [{ op: 'TreeEnsembleRegressor', domain: 'ai.onnx.ml', inputs: ['X'], outputs: ['Y'], attrs }],
    inputs: [valueInfo('X', 'float32', ['N', features])],
    outputs: [valueInfo('Y', 'float32', ['N', 2])],
  });
  const { table, straight } = attrsBothWays(modelBytes(g, { '': 17, 'ai.onnx.ml': 3 }), 'ml.treeEnsembleRegressor');
  for (const n of [1, 5, 130]) {
    const x = rows(100 + n, n, features);
    const a = treeEnsembleRegressor(new NodeCtx('a'), [x], table as RegressorAttrs);
    const b = treeEnsembleRegressor(new NodeCtx('b'), [x], straight as RegressorAttrs);
    assert.deepEqual(Array.from(b[0].data as Float32Array), Array.from(a[0].data as Float32Array), `${n} rows`);
  }
});
