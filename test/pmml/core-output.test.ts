// output.ts: every result feature, OutputField dataType casts, isFinalResult,
// references between output fields, and the default result keys without an Output.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PmmlCompileError, PmmlUnsupportedError } from '../../runtime/pmml/el.js';
import { close, compile, pmml, throwsAt } from './core-support.js';

const DICT = `<DataField name="x" optype="continuous" dataType="double"/>
  <DataField name="r" optype="categorical" dataType="string"><Value value="YES" displayValue="Yes!"/><Value value="NO"/></DataField>`;

/** x > 0 → node 2 (YES 3:1), else node 3 (NO 0:2); x missing → the root (YES 1:1) stays the prediction. */
const TREE_BODY = `<Node id="1" score="YES"><True/><ScoreDistribution value="YES" recordCount="1" confidence="0.4"/><ScoreDistribution value="NO" recordCount="1" confidence="0.4"/>
  <Node id="2" score="YES"><SimplePredicate field="x" operator="greaterThan" value="0"/><ScoreDistribution value="YES" recordCount="3" confidence="0.7"/><ScoreDistribution value="NO" recordCount="1" confidence="0.2"/></Node>
  <Node id="3" score="NO"><SimplePredicate field="x" operator="lessOrEqual" value="0"/><ScoreDistribution value="YES" recordCount="0" confidence="0.1"/><ScoreDistribution value="NO" recordCount="2" confidence="0.9"/></Node></Node>`;

function tree(output: string, mining = '<MiningField name="x"/><MiningField name="r" usageType="target"/>', extra = '') {
  return compile(pmml(DICT, `<TreeModel functionName="classification"><MiningSchema>${mining}</MiningSchema>${output}${extra}${TREE_BODY}</TreeModel>`));
}

test('no Output: target value and probability(<category>) for each DataField category', () => {
  const doc = tree('');
  assert.deepEqual(doc.score({ x: 1 }), { r: 'YES', 'probability(YES)': 0.75, 'probability(NO)': 0.25 });
  assert.deepEqual(doc.outputs.map((o) => [o.name, o.feature, o.dataType]), [['r', 'predictedValue', 'string'], ['probability(YES)', 'probability', 'double'], ['probability(NO)', 'probability', 'double']]);
  assert.deepEqual(doc.outputs[0].categories, ['YES', 'NO']);
});

test('predictedValue, predictedDisplayValue, probability, confidence, entityId', () => {
  const doc = tree(`<Output>
    <OutputField name="pv" feature="predictedValue" dataType="string"/>
    <OutputField name="disp" feature="predictedDisplayValue" dataType="string"/>
    <OutputField name="p" feature="probability" dataType="double"/>
    <OutputField name="pYes" feature="probability" value="YES" dataType="double"/>
    <OutputField name="pNo" feature="probability" value="NO" dataType="double"/>
    <OutputField name="conf" feature="confidence" dataType="double"/>
    <OutputField name="confNo" feature="confidence" value="NO" dataType="double"/>
    <OutputField name="node" feature="entityId" dataType="string"/>
  </Output>`);
  assert.deepEqual(doc.score({ x: 1 }), { pv: 'YES', disp: 'Yes!', p: 0.75, pYes: 0.75, pNo: 0.25, conf: 0.7, confNo: 0.2, node: '2' });
  assert.deepEqual(doc.score({ x: -1 }), { pv: 'NO', disp: 'NO', p: 1, pYes: 0, pNo: 1, conf: 0.9, confNo: 0.9, node: '3' });
  assert.deepEqual(doc.score({}), { pv: 'YES', disp: 'Yes!', p: 0.5, pYes: 0.5, pNo: 0.5, conf: 0.4, confNo: 0.4, node: '1' });
  assert.deepEqual(doc.outputs.map((o) => o.name), ['pv', 'disp', 'p', 'pYes', 'pNo', 'conf', 'confNo', 'node']);
});

test('residual: classification (1 − P(actual)), and with value (indicator − P(value))', () => {
  const doc = tree(`<Output><OutputField name="res" feature="residual" dataType="double"/><OutputField name="resNo" feature="residual" value="NO" dataType="double"/></Output>`);
  assert.deepEqual(doc.score({ x: 1, r: 'YES' }), { res: 0.25, resNo: -0.25 });
  assert.deepEqual(doc.score({ x: 1, r: 'NO' }), { res: 0.75, resNo: 0.75 });
  assert.deepEqual(doc.score({ x: 1 }), { res: null, resNo: null }, 'no actual value: no residual');
  assert.deepEqual(doc.inputs.map((i) => [i.name, i.usageType]), [['x', 'active'], ['r', 'target']], 'the target is an input when a residual needs it');
  assert.deepEqual(tree('').inputs.map((i) => i.name), ['x'], 'otherwise it is not');
});

test('transformedValue: refers to model fields and to other output fields in any order; isFinalResult=false hides a field', () => {
  const doc = tree(`<Output>
    <OutputField name="later" feature="transformedValue" dataType="string"><FieldRef field="pv"/></OutputField>
    <OutputField name="pv" feature="predictedValue" dataType="string" isFinalResult="false"/>
    <OutputField name="xx" feature="transformedValue" dataType="double"><FieldRef field="x"/></OutputField>
    <OutputField name="k" feature="transformedValue"><Constant dataType="integer">7</Constant></OutputField>
  </Output>`);
  assert.deepEqual(doc.score({ x: 2 }), { later: 'YES', xx: 2, k: 7 });
  assert.deepEqual(doc.outputs.map((o) => [o.name, o.dataType]), [['later', 'string'], ['xx', 'double'], ['k', 'integer']]);
});

test('OutputField dataType converts the feature value', () => {
  const doc = tree(`<Output><OutputField name="pInt" feature="probability" value="YES" dataType="integer"/><OutputField name="pStr" feature="probability" value="YES" dataType="string"/>
    <OutputField name="pFloat" feature="probability" value="NO" dataType="float"/></Output>`);
  assert.deepEqual(doc.score({ x: 1 }), { pInt: 1, pStr: '0.75', pFloat: Math.fround(0.25) });
});

test('decision: the value of the expression, one of the Decisions', () => {
  const doc = tree(`<Output><OutputField name="pv" feature="predictedValue" dataType="string"/>
    <OutputField name="d" feature="decision" dataType="string"><FieldRef field="pv"/><Decisions><Decision value="YES" description="approve"/><Decision value="NO"/></Decisions></OutputField></Output>`);
  assert.equal(doc.score({ x: 1 }).d, 'YES');
  assert.equal(doc.score({ x: -1 }).d, 'NO');
});

test('output errors name the OutputField', () => {
  throwsAt(() => tree('<Output><OutputField name="a" feature="transformedValue"/></Output>'), PmmlCompileError, 'OutputField[name="a"]', 'expression');
  throwsAt(() => tree('<Output><OutputField name="a" feature="transformedValue"><FieldRef field="ghost"/></OutputField></Output>'), PmmlCompileError, 'OutputField[name="a"]/FieldRef', '"ghost"');
  throwsAt(() => tree('<Output><OutputField name="a" feature="magic"/></Output>'), PmmlUnsupportedError, 'feature="magic"');
  throwsAt(() => tree('<Output><OutputField name="a"/><OutputField name="a"/></Output>'), PmmlCompileError, 'declared twice');
  throwsAt(() => tree('<Output><OutputField name="a" feature="transformedValue"><FieldRef field="b"/></OutputField><OutputField name="b" feature="transformedValue"><FieldRef field="a"/></OutputField></Output>'),
    PmmlCompileError, 'itself');
  throwsAt(() => tree('<Output><OutputField name="a" feature="residual"/></Output>', '<MiningField name="x"/>'), PmmlCompileError, 'target');
  throwsAt(() => tree('<Output><OutputField name="a" feature="probability" dataType="complex"/></Output>'), PmmlCompileError, 'dataType');
});

const REG_DICT = '<DataField name="x" optype="continuous" dataType="double"/><DataField name="y" optype="continuous" dataType="double"/>';

test('regression: residual, standardError, warning, reasonCode ranks', () => {
  const doc = compile(pmml(REG_DICT, `<Scorecard functionName="regression" codes="RC1 RC2" warn="careful"><MiningSchema><MiningField name="x"/><MiningField name="y" usageType="target"/></MiningSchema>
    <Output><OutputField name="res" feature="residual" dataType="double"/><OutputField name="se" feature="standardError" dataType="double"/>
    <OutputField name="w" feature="warning" dataType="string"/><OutputField name="rc1" feature="reasonCode" dataType="string"/>
    <OutputField name="rc2" feature="reasonCode" rank="2" dataType="string"/><OutputField name="rc3" feature="reasonCode" rank="3" dataType="string"/></Output></Scorecard>`));
  assert.deepEqual(doc.score({ x: 2, y: 5 }), { res: 3, se: 0.5, w: 'careful', rc1: 'RC1', rc2: 'RC2', rc3: null });
  assert.equal(doc.score({ x: 2 }).res, null);
});

test('regression without Output: the target name only', () => {
  const doc = compile(pmml(REG_DICT, `<RegressionModel functionName="regression"><MiningSchema><MiningField name="x"/><MiningField name="y" usageType="target"/></MiningSchema>
    <RegressionTable intercept="1"><NumericPredictor name="x" coefficient="2"/></RegressionTable></RegressionModel>`));
  assert.deepEqual(doc.score({ x: 2 }), { y: 5 });
  assert.deepEqual(doc.outputs, [{ name: 'y', dataType: 'double', optype: 'continuous', feature: 'predictedValue' }]);
});

const CLUSTERS = `<Cluster id="c1" name="low" center="0"/><Cluster id="c2" name="mid" center="5"/><Cluster id="c3" name="high" center="10"/>`;

test('clustering: predictedValue, predictedDisplayValue, clusterId, entityId/affinity by rank and by value', () => {
  const doc = compile(pmml('<DataField name="x" optype="continuous" dataType="double"/>', `<ClusteringModel functionName="clustering"><MiningSchema><MiningField name="x"/></MiningSchema>
    <Output><OutputField name="cl" feature="predictedValue" dataType="string"/><OutputField name="name" feature="predictedDisplayValue" dataType="string"/>
    <OutputField name="cid" feature="clusterId" dataType="string"/><OutputField name="aff" feature="clusterAffinity" dataType="double"/>
    <OutputField name="aff3" feature="clusterAffinity" value="c3" dataType="double"/><OutputField name="second" feature="entityId" rank="2" dataType="string"/>
    <OutputField name="aff2" feature="entityAffinity" rank="2" dataType="double"/><OutputField name="affNone" feature="affinity" value="zz" dataType="double"/></Output>
    ${CLUSTERS}</ClusteringModel>`));
  assert.deepEqual(doc.score({ x: 4 }), { cl: 'c2', name: 'mid', cid: 'c2', aff: 1, aff3: 6, second: 'c1', aff2: 4, affNone: null });
});

test('clustering without Output and without a target: the predictedValue key', () => {
  const doc = compile(pmml('<DataField name="x" optype="continuous" dataType="double"/>', `<ClusteringModel functionName="clustering"><MiningSchema><MiningField name="x"/></MiningSchema>${CLUSTERS}</ClusteringModel>`));
  assert.deepEqual(doc.score({ x: 9 }), { predictedValue: 'c3' });
  assert.deepEqual(doc.score({}), { predictedValue: null });
});

test('association rules: ruleValue features, ranking by rankBasis/rankOrder, algorithms; transactions as arrays', () => {
  const doc = compile(pmml('<DataField name="t" optype="categorical" dataType="string"/><DataField name="item" optype="categorical" dataType="string"/>',
    `<AssociationModel functionName="associationRules"><MiningSchema><MiningField name="t" usageType="group"/><MiningField name="item"/></MiningSchema>
    <Output>
      <OutputField name="cons" feature="ruleValue" ruleFeature="consequent" dataType="string"/>
      <OutputField name="id1" feature="ruleValue" ruleFeature="ruleId" rankBasis="support" dataType="string"/>
      <OutputField name="id2" feature="ruleValue" ruleFeature="ruleId" rank="2" rankBasis="support" dataType="string"/>
      <OutputField name="idAsc" feature="ruleValue" ruleFeature="ruleId" rankBasis="lift" rankOrder="ascending" dataType="string"/>
      <OutputField name="conf" feature="ruleValue" ruleFeature="confidence" algorithm="ruleAssociation" dataType="double"/>
      <OutputField name="rule" feature="ruleValue" ruleFeature="rule" algorithm="ruleAssociation" dataType="string"/>
      <OutputField name="ant" feature="ruleValue" ruleFeature="antecedent" algorithm="ruleAssociation" dataType="string"/>
      <OutputField name="all" feature="ruleValue" ruleFeature="ruleId" algorithm="ruleAssociation" rank="5" isMultiValued="1" dataType="string"/>
    </Output>
    <AssociationRule id="r1" antecedent="bread" consequent="milk" support="0.3" confidence="0.6" lift="1.2"/>
    <AssociationRule id="r2" antecedent="bread" consequent="butter" support="0.2" confidence="0.8" lift="2"/>
    <AssociationRule id="r3" antecedent="milk" consequent="bread" support="0.3" confidence="0.5" lift="1.1"/>
    </AssociationModel>`));
  assert.deepEqual(doc.inputs.map((i) => [i.name, i.usageType]), [['t', 'group'], ['item', 'active']]);
  // bread only: r1 and r2 fire (both exclusive); by confidence r2 first, by support r1 first
  assert.deepEqual(doc.score({ t: '1', item: ['bread'] }), { cons: '{butter}', id1: 'r1', id2: 'r2', idAsc: 'r1', conf: 0.8, rule: '{bread}->{butter}', ant: '{bread}', all: 'r2;r1' });
  // bread and milk: r1 is not exclusive (milk already there); r3 fires too
  const both = doc.score({ t: '2', item: ['bread', 'milk'] });
  assert.equal(both.cons, '{butter}');
  assert.equal(both.id2, null);
  assert.equal(both.all, 'r2;r1;r3');
  assert.deepEqual(doc.score({ t: '3', item: 'cheese' }), { cons: null, id1: null, id2: null, idAsc: null, conf: null, rule: null, ant: null, all: null });
});

test('numeric target categories: probability keys and value attributes agree after conversion (1 and 1.0)', () => {
  const doc = compile(pmml(`<DataField name="x" optype="continuous" dataType="double"/><DataField name="k" optype="categorical" dataType="double"><Value value="0"/><Value value="1.0"/></DataField>`,
    `<TreeModel functionName="classification"><MiningSchema><MiningField name="x"/><MiningField name="k" usageType="target"/></MiningSchema>
    <Node score="1"><True/><ScoreDistribution value="0.0" recordCount="1"/><ScoreDistribution value="1" recordCount="3"/></Node></TreeModel>`));
  assert.deepEqual(doc.score({ x: 0 }), { k: 1, 'probability(0)': 0.25, 'probability(1)': 0.75 });
  const withOut = compile(pmml(`<DataField name="x" optype="continuous" dataType="double"/><DataField name="k" optype="categorical" dataType="integer"/>`,
    `<TreeModel functionName="classification"><MiningSchema><MiningField name="x"/><MiningField name="k" usageType="target"/></MiningSchema>
    <Output><OutputField name="p1" feature="probability" value="1.0" dataType="double"/></Output>
    <Node score="1"><True/><ScoreDistribution value="0" recordCount="1"/><ScoreDistribution value="1" recordCount="3"/></Node></TreeModel>`));
  close(withOut.score({ x: 0 }).p1, 0.75);
});

test('a classifier whose target DataField says continuous still takes its Values as categories', () => {
  const doc = compile(pmml(`<DataField name="x" optype="continuous" dataType="double"/><DataField name="k" optype="continuous" dataType="integer"><Value value="0"/><Value value="1"/></DataField>`,
    `<TreeModel functionName="classification"><MiningSchema><MiningField name="x"/><MiningField name="k" usageType="target"/></MiningSchema>
    <Node score="0"><True/><ScoreDistribution value="0" recordCount="3"/><ScoreDistribution value="1" recordCount="1"/></Node></TreeModel>`));
  assert.deepEqual(doc.score({ x: 0 }), { k: 0, 'probability(0)': 0.75, 'probability(1)': 0.25 });
  assert.equal(doc.outputs[0].optype, 'categorical');
});
