// Drift monitoring against a compile-time baseline (issue 9, slice c): the baseline's
// statistics (src/baseline*.ts), the monitor's gauges (runtime/server/drift*.ts), and
// the gauges in /metrics moving when a served model is fed shifted data.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { buildApp } from '../../runtime/server/app.js';
import { binIndex, parseBaseline, type NumericFeature } from '../../runtime/server/baseline.js';
import { setupObservation } from '../../runtime/server/capture-setup.js';
import { DriftMonitor } from '../../runtime/server/drift.js';
import { loadProgram, loadProgramFromBytes } from '../../src/api.js';
import { categoricalStats, numericStats } from '../../src/baseline.js';
import { compileBaseline } from '../../src/baseline-compile.js';
import {
  DRIFT_PMML, compileVersion, drawRows, metricValue, oipBody, repositoryOf, rowsCsv, seededRandom,
} from './support/capture-drift-fixtures.js';
import { removeTempDirs, tempDir } from './support/server-process.js';

after(removeTempDirs);

const SILENT = { error: () => {}, warn: () => {}, info: () => {} };

test('numeric baseline: 10 quantile bins holding a tenth each, min/max, missing rate', () => {
  const r = seededRandom(7);
  const values: unknown[] = Array.from({ length: 1000 }, () => r() * 100);
  values.push(null, '', Number.NaN);
  const f = numericStats({ name: 'x', input: 'x', kind: 'numeric' }, values) as NumericFeature;
  assert.equal(f.edges.length, 9);
  assert.ok(f.proportions !== null);
  for (const p of f.proportions) assert.ok(Math.abs(p - 0.1) < 0.002, `bin share ${p}`);
  assert.equal(f.missingRate, 3 / 1003);
  assert.ok(f.min !== null && f.min >= 0 && f.max !== null && f.max < 100);
  // Ties merge bins: a 0/1 feature has two.
  const binary = numericStats({ name: 'b', input: 'b', kind: 'numeric' }, [0, 0, 0, 1, 1, 0, 1, 0]) as NumericFeature;
  assert.deepEqual(binary.edges, [0]);
  assert.deepEqual(binary.proportions, [5 / 8, 3 / 8]);
});

test('bin lookup: bin i is (e[i-1], e[i]]', () => {
  const edges = [1, 2, 3];
  assert.deepEqual([0.5, 1, 1.5, 2, 3, 3.5, -Infinity, Infinity].map((v) => binIndex(edges, v)), [0, 0, 1, 1, 2, 3, 0, 3]);
});

test('categorical baseline: shares by frequency, missing rate', () => {
  const f = categoricalStats({ name: 'c', input: 'c', kind: 'categorical' }, ['a', 'b', 'a', null, 'a', 'b', true]);
  assert.equal(f.kind, 'categorical');
  if (f.kind !== 'categorical') return;
  assert.deepEqual(f.categories, ['a', 'b', 'true']);
  assert.deepEqual(f.proportions, [3 / 6, 2 / 6, 1 / 6]);
  assert.equal(f.missingRate, 1 / 7);
});

test('PSI: near 0 for data like the baseline, above 0.25 for shifted data; rates of out-of-range, unseen and missing', async () => {
  const dir = tempDir('mlc-drift-unit-');
  const data = join(dir, 'train.csv');
  writeFileSync(data, rowsCsv(drawRows(5000, 1)));
  const baseline = await compileBaseline(loadProgramFromBytes(new TextEncoder().encode(DRIFT_PMML), 'drifty.pmml'), data);
  assert.ok(baseline !== undefined);
  const feed = (rows: ReturnType<typeof drawRows>): DriftMonitor => {
    const m = new DriftMonitor('drifty', '1', baseline, 100_000);
    for (const row of rows) {
      for (const f of m.features) f.observe(row[f.input as 'x1' | 'x2' | 'color']);
    }
    m.endInstances(rows.length);
    return m;
  };
  const same = feed(drawRows(5000, 2));
  for (const f of same.features) {
    const psi = f.psi();
    assert.ok(psi !== null && psi < 0.02, `${f.name}: PSI ${psi} for baseline-like data`);
    assert.equal(f.rate('unseen'), 0);
    assert.equal(f.rate('missing'), 0);
  }
  const shifted = feed(drawRows(5000, 3, { shiftX1: 1, scaleX2: 1.5, unseen: 0.3, missing: 0.2 }));
  const [x1, x2, color] = shifted.features;
  assert.ok((x1.psi() ?? 0) > 0.25, `x1 PSI ${x1.psi()}`);
  assert.ok((x2.psi() ?? 0) > 0.25, `x2 PSI ${x2.psi()}`);
  assert.ok((color.psi() ?? 0) > 0.25, `color PSI ${color.psi()}`);
  // x2 drawn from [0, 15): a third of it beyond the baseline's max (10).
  assert.ok(Math.abs((x2.rate('outOfRange') ?? 0) - 1 / 3) < 0.03, `x2 out of range ${x2.rate('outOfRange')}`);
  assert.ok(Math.abs((color.rate('unseen') ?? 0) - 0.3) < 0.03, `color unseen ${color.rate('unseen')}`);
  assert.ok(Math.abs((x1.rate('missing') ?? 0) - 0.2) < 0.03, `x1 missing ${x1.rate('missing')}`);
});

test('the window: gauges follow the recent instances (between W and 2W of them)', async () => {
  const dir = tempDir('mlc-drift-window-');
  const data = join(dir, 'train.csv');
  writeFileSync(data, rowsCsv(drawRows(3000, 11)));
  const baseline = await compileBaseline(loadProgramFromBytes(new TextEncoder().encode(DRIFT_PMML), 'drifty.pmml'), data);
  assert.ok(baseline !== undefined);
  const m = new DriftMonitor('drifty', '1', baseline, 500);
  const observe = (rows: ReturnType<typeof drawRows>): void => {
    for (const row of rows) {
      for (const f of m.features) f.observe(row[f.input as 'x1' | 'x2' | 'color']);
      m.endInstances(1);
    }
  };
  observe(drawRows(1000, 12, { shiftX1: 2 }));
  assert.ok((m.features[0].psi() ?? 0) > 0.25);
  observe(drawRows(1000, 13));
  assert.ok((m.features[0].psi() ?? 1) < 0.1, `after the shift passed: PSI ${m.features[0].psi()}`);
  assert.equal(m.features[0].totalObserved, 2000);
});

test('PMML without --baseline: DataDictionary ranges and categories, ModelStats shares and missing rate', async () => {
  const pmml = `<?xml version="1.0"?>
<PMML version="4.4" xmlns="http://www.dmg.org/PMML-4_4">
  <Header/>
  <DataDictionary>
    <DataField name="age" optype="continuous" dataType="double"><Interval closure="closedClosed" leftMargin="18" rightMargin="99"/></DataField>
    <DataField name="income" optype="continuous" dataType="double"/>
    <DataField name="plan" optype="categorical" dataType="string"><Value value="basic"/><Value value="pro"/><Value value="n/a" property="missing"/></DataField>
    <DataField name="y" optype="continuous" dataType="double"/>
  </DataDictionary>
  <RegressionModel functionName="regression">
    <MiningSchema><MiningField name="age"/><MiningField name="income"/><MiningField name="plan"/><MiningField name="y" usageType="target"/></MiningSchema>
    <ModelStats>
      <UnivariateStats field="income">
        <Counts totalFreq="100" missingFreq="5"/>
        <NumericInfo minimum="0" maximum="300"/>
        <ContStats>
          <Interval closure="closedOpen" leftMargin="0" rightMargin="50"/>
          <Interval closure="closedOpen" leftMargin="50" rightMargin="100"/>
          <Interval closure="closedClosed" leftMargin="100" rightMargin="300"/>
          <Array type="int" n="3">20 50 25</Array>
        </ContStats>
      </UnivariateStats>
      <UnivariateStats field="plan">
        <Counts totalFreq="100" missingFreq="0"/>
        <DiscrStats><Array type="string" n="2">"basic" "pro"</Array><Array type="int" n="2">75 25</Array></DiscrStats>
      </UnivariateStats>
    </ModelStats>
    <RegressionTable intercept="1"><NumericPredictor name="age" coefficient="1"/><NumericPredictor name="income" coefficient="0.1"/>
      <CategoricalPredictor name="plan" value="basic" coefficient="0"/><CategoricalPredictor name="plan" value="pro" coefficient="3"/></RegressionTable>
  </RegressionModel>
</PMML>`;
  const dir = tempDir('mlc-drift-pmml-');
  const file = join(dir, 'declared.pmml');
  writeFileSync(file, pmml);
  const b = await compileBaseline(loadProgram(file), undefined);
  assert.ok(b !== undefined);
  assert.equal(b.source, 'pmml:DataDictionary+ModelStats');
  const byName = new Map(b.features.map((f) => [f.name, f]));
  const age = byName.get('age');
  assert.ok(age?.kind === 'numeric');
  assert.deepEqual(age.valid, [{ low: 18, high: 99, lowClosed: true, highClosed: true }]);
  assert.equal(age.proportions, null);
  const income = byName.get('income');
  assert.ok(income?.kind === 'numeric');
  assert.deepEqual(income.edges, [50, 100]);
  assert.deepEqual(income.proportions, [20 / 95, 50 / 95, 25 / 95]);
  assert.equal(income.missingRate, 0.05);
  assert.deepEqual(income.valid, [{ low: 0, high: 300, lowClosed: true, highClosed: true }]);
  const plan = byName.get('plan');
  assert.ok(plan?.kind === 'categorical');
  assert.deepEqual(plan.categories, ['basic', 'pro']);
  assert.deepEqual(plan.proportions, [0.75, 0.25]);
  // Round trip through the file format's checks.
  assert.deepEqual(parseBaseline(JSON.parse(JSON.stringify(b)), 'baseline.json'), b);

  // Served: out-of-range age, unseen plan, PSI of income, all from the declarations.
  const modelsDir = join(dir, 'models');
  const v = await compileVersion(modelsDir, 'declared', '1', readFileSync(file), 'declared.pmml');
  const observation = setupObservation({ env: {}, sections: {}, defaultCaptureDir: join(dir, 'capture'), modelsDir, log: SILENT });
  assert.ok(observation?.drift !== undefined && observation.capture === undefined);
  const { app } = buildApp({ repository: repositoryOf(v), observation });
  try {
    await app.ready();
    const rows = Array.from({ length: 200 }, (_, i) => ({ age: i % 4 === 0 ? 10 : 40, income: 150 + (i % 100), plan: i % 2 === 0 ? 'enterprise' : 'basic' }));
    const r = await app.inject({ method: 'POST', url: '/invocations', payload: { instances: rows } });
    assert.equal(r.statusCode, 200);
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const l = (feature: string) => ({ model: 'declared', version: '1', feature });
    assert.equal(metricValue(text, 'mlcompile_feature_out_of_range_ratio', l('age')), 0.25);
    assert.equal(metricValue(text, 'mlcompile_feature_unseen_category_ratio', l('plan')), 0.5);
    assert.ok((metricValue(text, 'mlcompile_feature_psi', l('income')) ?? 0) > 0.25);
    assert.equal(metricValue(text, 'mlcompile_feature_psi', l('age')), undefined, 'no PSI without baseline shares');
    // Records with an out-of-range age or an unseen plan are invalid (returnInvalid): no prediction for those 100.
    assert.equal(metricValue(text, 'mlcompile_prediction_value_count', { model: 'declared', version: '1', output: 'y' }), 100);
  } finally {
    await app.close();
  }
});

test('served: drift gauges in /metrics stay near 0 for baseline-like traffic and move on shifted traffic (OIP and /invocations)', async (t) => {
  const dir = tempDir('mlc-drift-app-');
  const data = join(dir, 'train.csv');
  writeFileSync(data, rowsCsv(drawRows(5000, 21)));
  const modelsDir = join(dir, 'models');
  const v = await compileVersion(modelsDir, 'drifty', '1', new TextEncoder().encode(DRIFT_PMML), 'drifty.pmml', data);
  const observation = setupObservation({ env: { MLCOMPILE_DRIFT_WINDOW: '2000' }, sections: {}, defaultCaptureDir: join(dir, 'capture'), modelsDir, log: SILENT });
  const { app } = buildApp({ repository: repositoryOf(v), observation });
  try {
    await app.ready();
    const l = (feature: string) => ({ model: 'drifty', version: '1', feature });
    const scrape = async () => (await app.inject({ method: 'GET', url: '/metrics' })).body;
    // 2000 baseline-like rows, 100 per OIP request.
    const like = drawRows(2000, 22);
    for (let i = 0; i < like.length; i += 100) {
      const r = await app.inject({ method: 'POST', url: '/v2/models/drifty/infer', payload: oipBody(like.slice(i, i + 100)) as object });
      assert.equal(r.statusCode, 200);
    }
    let text = await scrape();
    t.diagnostic(`PSI on baseline-like traffic: ${['x1', 'x2', 'color'].map((f) => `${f} ${metricValue(text, 'mlcompile_feature_psi', l(f))?.toFixed(4)}`).join(', ')}`);
    for (const f of ['x1', 'x2', 'color']) {
      const psi = metricValue(text, 'mlcompile_feature_psi', l(f));
      assert.ok(psi !== undefined && psi < 0.05, `${f}: PSI ${psi} on baseline-like traffic`);
    }
    // A normal sample's tails go a little beyond the baseline sample's min and max.
    assert.ok((metricValue(text, 'mlcompile_feature_out_of_range_ratio', l('x1')) ?? 1) < 0.01);
    assert.ok((metricValue(text, 'mlcompile_feature_out_of_range_ratio', l('x2')) ?? 1) < 0.01);
    assert.equal(metricValue(text, 'mlcompile_feature_unseen_category_ratio', l('color')), 0);
    assert.ok((metricValue(text, 'mlcompile_prediction_label_total', { model: 'drifty', version: '1', output: 'label', label: 'yes' }) ?? 0) > 0);
    // The prediction distribution against the model's own predictions on the baseline data.
    const p = { model: 'drifty', version: '1', output: 'probability(yes)' };
    const predictionPsiBefore = metricValue(text, 'mlcompile_prediction_psi', p);
    assert.ok(predictionPsiBefore !== undefined && predictionPsiBefore < 0.05, `prediction PSI ${predictionPsiBefore}`);
    assert.equal(text.split('\n').filter((line) => line.startsWith('mlcompile_prediction_value_bucket{') && line.includes('output="probability(yes)"')).length, 10, 'the baseline\'s 10 bins as buckets');
    assert.equal(metricValue(text, 'mlcompile_prediction_value_count', p), 2000);

    // 4000 shifted rows through /invocations (two windows: the gauges then describe only them).
    const shifted = drawRows(4000, 23, { shiftX1: 1.5, scaleX2: 2, unseen: 0.25, missing: 0.1 });
    for (let i = 0; i < shifted.length; i += 200) {
      const r = await app.inject({ method: 'POST', url: '/invocations', payload: { instances: shifted.slice(i, i + 200) } });
      assert.equal(r.statusCode, 200);
    }
    text = await scrape();
    t.diagnostic(`PSI on shifted traffic: ${['x1', 'x2', 'color'].map((f) => `${f} ${metricValue(text, 'mlcompile_feature_psi', l(f))?.toFixed(3)}`).join(', ')}; out of range x2 ${metricValue(text, 'mlcompile_feature_out_of_range_ratio', l('x2'))}, unseen color ${metricValue(text, 'mlcompile_feature_unseen_category_ratio', l('color'))}, missing x1 ${metricValue(text, 'mlcompile_feature_missing_ratio', l('x1'))}`);
    for (const f of ['x1', 'x2', 'color']) {
      const psi = metricValue(text, 'mlcompile_feature_psi', l(f));
      assert.ok(psi !== undefined && psi > 0.25, `${f}: PSI ${psi} on shifted traffic`);
    }
    const predictionPsi = metricValue(text, 'mlcompile_prediction_psi', { model: 'drifty', version: '1', output: 'probability(yes)' }) ?? 0;
    assert.ok(predictionPsi > 0.25, `prediction PSI ${predictionPsi} after shifted traffic`);
    t.diagnostic(`prediction PSI of probability(yes): ${predictionPsiBefore?.toFixed(4)} before, ${predictionPsi.toFixed(3)} after the shifted traffic (since start)`);
    const oor = metricValue(text, 'mlcompile_feature_out_of_range_ratio', l('x2')) ?? 0;
    assert.ok(Math.abs(oor - 0.5) < 0.05, `x2 out of range ${oor}`);
    const unseen = metricValue(text, 'mlcompile_feature_unseen_category_ratio', l('color')) ?? 0;
    assert.ok(Math.abs(unseen - 0.25) < 0.04, `color unseen ${unseen}`);
    const missing = metricValue(text, 'mlcompile_feature_missing_ratio', l('x1')) ?? 0;
    assert.ok(Math.abs(missing - 0.1) < 0.03, `x1 missing ${missing}`);
    assert.equal(metricValue(text, 'mlcompile_feature_values_total', l('x1')), 6000);

    // Errors by kind are in /metrics too (metrics.ts), and a refused request is not observed.
    const bad = await app.inject({ method: 'POST', url: '/v2/models/drifty/infer', payload: { inputs: [{ name: 'nope', shape: [1], datatype: 'FP64', data: [1] }] } });
    assert.equal(bad.statusCode, 400);
    text = await scrape();
    assert.equal(metricValue(text, 'mlcompile_errors_total', { kind: 'MLS_ERR_BAD_INPUT_NAME', model: 'drifty' }), 1);
    assert.equal(metricValue(text, 'mlcompile_feature_values_total', l('x1')), 6000);
  } finally {
    await app.close();
  }
});

test('ONNX: a feature per column of an [N, F] input, from a JSON Lines baseline of feeds', async () => {
  const root = join(import.meta.dirname, '..', '..', 'fixtures', 'onnx', 'mlp');
  const dir = tempDir('mlc-drift-onnx-');
  const modelsDir = join(dir, 'models');
  const v = await compileVersion(modelsDir, 'mlp', '1', readFileSync(join(root, 'model.onnx')), 'model.onnx', join(root, 'inputs.jsonl'));
  const baseline = parseBaseline(JSON.parse(readFileSync(join(modelsDir, 'mlp', '1', 'baseline.json'), 'utf8')), 'baseline.json');
  const input = v.inputs[0].name;
  assert.deepEqual(baseline.features.map((f) => [f.name, f.input, f.column]), [0, 1, 2, 3].map((j) => [`${input}[${j}]`, input, j]));
  // The model was run on the baseline data: one set of bins per column of its float outputs.
  assert.ok((baseline.outputs ?? []).length > 0, 'output bins');
  const outputNames = new Set(v.outputs.map((p) => p.name));
  for (const o of baseline.outputs ?? []) assert.ok(outputNames.has(o.name.replace(/\[\d+\]$/, '')), `${o.name} is an output or a column of one`);
  const observation = setupObservation({ env: {}, sections: {}, defaultCaptureDir: join(dir, 'capture'), modelsDir, log: SILENT });
  const { app } = buildApp({ repository: repositoryOf(v), observation });
  try {
    await app.ready();
    // Far outside the baseline's range in column 2 only.
    const data = Array.from({ length: 50 }, (_, i) => [0.1 * (i % 5), -0.2, 1000 + i, 0.3]);
    const r = await app.inject({ method: 'POST', url: '/v2/models/mlp/infer', payload: { inputs: [{ name: input, shape: [50, 4], datatype: 'FP32', data }] } });
    assert.equal(r.statusCode, 200, r.body);
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    const l = (j: number) => ({ model: 'mlp', version: '1', feature: `${input}[${j}]` });
    assert.equal(metricValue(text, 'mlcompile_feature_out_of_range_ratio', l(2)), 1);
    assert.equal(metricValue(text, 'mlcompile_feature_values_total', l(0)), 50);
    assert.ok((metricValue(text, 'mlcompile_feature_psi', l(2)) ?? 0) > 0.25);
  } finally {
    await app.close();
  }
});
