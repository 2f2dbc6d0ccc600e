// Compile and load time of a large tree ensemble (issue 5: "a 1,000-tree, depth-10
// ensemble compiles in under 10 s and its module loads in under 1 s").
//
//   node --import tsx bench/onnx-ml-large.ts [--trees N] [--depth D] [--features F] [--full] [--save-model FILE]
//
// Builds a TreeEnsembleRegressor (ai.onnx.ml 3) of N random trees of depth D over F
// float features, as an XGBoost or LightGBM export would be laid out (root listed
// first; BRANCH_LEQ splits; one weight per leaf). By default a branch stops early with
// probability 0.2 below depth 2 (like the random forests of test/ops/ml-models.test.ts,
// about 1/10 of the full size); --full grows every tree to 2^D leaves. Then:
// - compile in this process: loadProgram (parse, lower, optimise) + generateModule
//   (emit, bundle), median of 3;
// - the CLI end to end, `mlcompile model.onnx --out DIR` in a fresh process, once;
// - module load in a fresh node process: import() of model.mjs, then the first and
//   second run() of one row (median of 5).
// --save-model FILE also writes the model there (to profile the compiler on it).

import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { generateModule, loadProgram } from '../src/api.js';
import { timeModuleLoad } from './support/module-load.js';
import { graph, modelBytes, valueInfo } from '../test/support/onnx-builder.js';
import { mulberry32 } from '../runtime/prng.js';

const { values: args } = parseArgs({
  options: {
    trees: { type: 'string', default: '1000' },
    depth: { type: 'string', default: '10' },
    features: { type: 'string', default: '20' },
    full: { type: 'boolean', default: false },
    'save-model': { type: 'string' },
  },
});
const TREES = Number(args.trees), DEPTH = Number(args.depth), FEATURES = Number(args.features), FULL = args.full === true;
const BIN = join(import.meta.dirname, '..', 'bin', 'mlcompile.mjs');

/** Deterministic pseudo-random numbers. */
const rng = mulberry32;

/** The ONNX bytes of the ensemble, and its decision and leaf node counts. */
function buildModel(): { bytes: Uint8Array; decisions: number; leaves: number } {
  const r = rng(20261126);
  const treeIds: number[] = [], nodeIds: number[] = [], featureIds: number[] = [], values: number[] = [], modes: string[] = [];
  const trueIds: number[] = [], falseIds: number[] = [];
  const tTree: number[] = [], tNode: number[] = [], tId: number[] = [], tWeight: number[] = [];
  let decisions = 0, leaves = 0;
  for (let t = 0; t < TREES; t++) {
    let next = 0;
    const grow = (depth: number): number => {
      const id = next++;
      const at = treeIds.length;
      treeIds.push(t); nodeIds.push(id); featureIds.push(0); values.push(0); modes.push('LEAF'); trueIds.push(0); falseIds.push(0);
      if (depth >= DEPTH || (!FULL && depth > 1 && r() < 0.2)) {
        tTree.push(t); tNode.push(id); tId.push(0); tWeight.push(Math.fround(r() * 2 - 1));
        leaves++;
        return id;
      }
      decisions++;
      featureIds[at] = Math.floor(r() * FEATURES);
      values[at] = Math.fround(r() * 2 - 1);
      modes[at] = 'BRANCH_LEQ';
      trueIds[at] = grow(depth + 1);
      falseIds[at] = grow(depth + 1);
      return id;
    };
    grow(0);
  }
  const g = graph({
    nodes: [{
      op: 'TreeEnsembleRegressor', domain: 'ai.onnx.ml', inputs: ['X'], outputs: ['Y'],
      attrs: {
        n_targets: 1, aggregate_function: 'SUM', post_transform: 'NONE',
        nodes_treeids: treeIds, nodes_nodeids: nodeIds, nodes_featureids: featureIds,
        nodes_values: { floats: values }, nodes_modes: modes, nodes_truenodeids: trueIds, nodes_falsenodeids: falseIds,
        target_treeids: tTree, target_nodeids: tNode, target_ids: tId, target_weights: { floats: tWeight },
      },
    }],
    inputs: [valueInfo('X', 'float32', ['N', FEATURES])],
    outputs: [valueInfo('Y', 'float32', ['N', 1])],
  });
  return { bytes: modelBytes(g, { '': 17, 'ai.onnx.ml': 3 }), decisions, leaves };
}

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

const ms = (x: number): string => `${x.toFixed(x < 10 ? 2 : x < 100 ? 1 : 0)} ms`;

async function main(): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'mlcompile-bench-large-'));
  try {
    console.log(`node ${process.version}; ${cpus().length} × ${cpus()[0]?.model ?? '?'}; load average ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
    const t0 = performance.now();
    const { bytes, decisions, leaves } = buildModel();
    const modelPath = join(work, 'model.onnx');
    writeFileSync(modelPath, bytes);
    if (args['save-model'] !== undefined) writeFileSync(args['save-model'], bytes); // for profiling the compiler on it
    console.log(`${TREES} trees, depth ${DEPTH}${FULL ? ' (full)' : ''}, ${FEATURES} features: ${decisions} decision nodes, ${leaves} leaves; model.onnx ${(bytes.length / 1048576).toFixed(1)} MiB (built in ${ms(performance.now() - t0)})`);

    const front: number[] = [], back: number[] = [];
    let code = '';
    for (let i = 0; i < 3; i++) {
      const a = performance.now();
      const program = loadProgram(modelPath);
      const b = performance.now();
      code = (await generateModule(program)).files['model.mjs'];
      front.push(b - a);
      back.push(performance.now() - b);
    }
    console.log(`compile in-process (median of 3): ${ms(median(front) + median(back))} = load, lower and optimise ${ms(median(front))} + emit and bundle ${ms(median(back))}`);
    console.log(`generated model.mjs: ${(Buffer.byteLength(code) / 1048576).toFixed(2)} MiB`);

    const out = join(work, 'cli');
    const c0 = performance.now();
    const cli = spawnSync(process.execPath, [BIN, modelPath, '--out', out], { encoding: 'utf8', timeout: 120_000 });
    const cliMs = performance.now() - c0;
    if (cli.status !== 0) console.log(`CLI compile failed (status ${cli.status}): ${(cli.stderr || cli.stdout).split('\n')[0]}`);
    else console.log(`compile with the CLI, wall clock of \`mlcompile model.onnx --out DIR\`: ${ms(cliMs)} (model.mjs ${(statSync(join(out, 'model.mjs')).size / 1048576).toFixed(2)} MiB)`);

    const file = join(work, 'model.mjs');
    writeFileSync(file, code);
    const row = Array.from({ length: FEATURES }, (_, i) => ((i * 37) % 11) / 5 - 1);
    const t = timeModuleLoad(file, `const feed = { X: { type: 'float32', dims: [1, ${FEATURES}], data: new Float32Array(${JSON.stringify(row)}) } };`, 5);
    if ('error' in t) { console.log(`loading the module failed: ${t.error}`); return; }
    const { importMs: imp, firstRunMs: first, secondRunMs: second } = t;
    console.log(`module load in a fresh node process (median of 5): import() ${ms(median(imp))}, first run() ${ms(median(first))}, second run() ${ms(median(second))}`);
    console.log(`load average at the end: ${loadavg().map((x) => x.toFixed(2)).join(' ')}`);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

await main();
