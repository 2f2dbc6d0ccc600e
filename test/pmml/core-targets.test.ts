// targets.ts: regression post-processing (min/max, rescaleFactor, rescaleConstant,
// castInteger, in that order; defaultValue) and classification priors/display values.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PmmlCompileError, PmmlUnsupportedError } from '../../runtime/pmml/el.js';
import { compile, pmml, throwsAt } from './core-support.js';

const DICT = '<DataField name="x" optype="continuous" dataType="double"/><DataField name="y" optype="continuous" dataType="double"/>';

function regression(target: string): (x: unknown) => unknown {
  const doc = compile(pmml(DICT, `<RegressionModel functionName="regression"><MiningSchema><MiningField name="x"/><MiningField name="y" usageType="target"/></MiningSchema>
    <Targets>${target}</Targets><RegressionTable intercept="0"><NumericPredictor name="x" coefficient="1"/></RegressionTable></RegressionModel>`));
  return (x) => doc.score({ x }).y;
}

test('rescaleFactor then rescaleConstant', () => {
  const f = regression('<Target field="y" rescaleFactor="2" rescaleConstant="1"/>');
  assert.equal(f(3), 7);
  assert.equal(f(-0.5), 0);
});

test('min and max clamp before rescaling', () => {
  const f = regression('<Target field="y" min="0" max="10" rescaleFactor="10" rescaleConstant="5"/>');
  assert.equal(f(-3), 5); // clamp to 0, ×10, +5
  assert.equal(f(4), 45);
  assert.equal(f(12), 105); // clamp to 10
});

test('castInteger after rescaling: round, ceiling, floor', () => {
  assert.equal(regression('<Target field="y" castInteger="round"/>')(2.5), 3);
  assert.equal(regression('<Target field="y" castInteger="round"/>')(-2.89), -3);
  assert.equal(regression('<Target field="y" castInteger="ceiling"/>')(2.718), 3);
  assert.equal(regression('<Target field="y" castInteger="ceiling"/>')(-1.2), -1);
  assert.equal(regression('<Target field="y" castInteger="floor"/>')(2.718), 2);
  assert.equal(regression('<Target field="y" castInteger="floor"/>')(-1.2), -2);
  assert.equal(regression('<Target field="y" rescaleFactor="0.5" castInteger="floor"/>')(5), 2);
});

test('TargetValue defaultValue when the model gives no prediction', () => {
  const f = regression('<Target field="y" rescaleFactor="2"><TargetValue defaultValue="432.21"/></Target>');
  assert.equal(f(null), 432.21);
  assert.equal(f(1), 2);
});

test('a Target without field applies to the model target; other fields are ignored', () => {
  assert.equal(regression('<Target rescaleConstant="1"/>')(1), 2);
  assert.equal(regression('<Target field="other" rescaleConstant="1"/>')(1), 1);
});

const CLASS_DICT = '<DataField name="x" optype="continuous" dataType="double"/><DataField name="r" optype="categorical" dataType="string"/>';

function classifier(targets: string, output = ''): (x: unknown) => Record<string, unknown> {
  const doc = compile(pmml(CLASS_DICT, `<TreeModel functionName="classification"><MiningSchema><MiningField name="x"/><MiningField name="r" usageType="target"/></MiningSchema>
    ${output}<Targets>${targets}</Targets>
    <Node><SimplePredicate field="x" operator="isNotMissing"/><Node score="YES"><SimplePredicate field="x" operator="greaterThan" value="0"/>
    <ScoreDistribution value="YES" recordCount="3"/><ScoreDistribution value="NO" recordCount="1"/></Node>
    <Node score="NO"><True/><ScoreDistribution value="YES" recordCount="0"/><ScoreDistribution value="NO" recordCount="2"/></Node></Node></TreeModel>`));
  return (x) => doc.score({ x });
}

const PRIORS = '<Target field="r" optype="categorical"><TargetValue value="YES" displayValue="Yes" priorProbability="0.02"/><TargetValue value="NO" displayValue="No" priorProbability="0.98"/></Target>';

test('categories come from TargetValues when the DataField lists none (default result keys)', () => {
  const f = classifier(PRIORS);
  assert.deepEqual(f(1), { r: 'YES', 'probability(YES)': 0.75, 'probability(NO)': 0.25 });
  assert.deepEqual(f(-1), { r: 'NO', 'probability(YES)': 0, 'probability(NO)': 1 });
});

test('priorProbability stands in when the model yields no prediction', () => {
  const f = classifier(PRIORS);
  assert.deepEqual(f(null), { r: 'NO', 'probability(YES)': 0.02, 'probability(NO)': 0.98 });
});

test('displayValue of TargetValues gives predictedDisplayValue', () => {
  const out = '<Output><OutputField name="label" feature="predictedDisplayValue" dataType="string"/><OutputField name="p" feature="probability" value="YES" dataType="double"/></Output>';
  const f = classifier(PRIORS, out);
  assert.deepEqual(f(1), { label: 'Yes', p: 0.75 });
  assert.deepEqual(f(-1), { label: 'No', p: 0 });
  assert.deepEqual(f(null), { label: 'No', p: 0.02 });
});

test('Targets errors name the Target element', () => {
  throwsAt(() => regression('<Target field="y" castInteger="truncate"/>'), PmmlUnsupportedError, 'PMML/RegressionModel/Targets/Target', 'castInteger');
  throwsAt(() => regression('<Target field="y" min="5" max="1"/>'), PmmlCompileError, 'Targets/Target', 'min');
  throwsAt(() => regression('<Target field="y" rescaleFactor="x"/>'), PmmlCompileError, 'rescaleFactor');
  throwsAt(() => classifier('<Target field="r"><TargetValue value="YES" priorProbability="1.5"/></Target>'), PmmlCompileError, 'TargetValue', 'priorProbability');
});
