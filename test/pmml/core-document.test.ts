// document.ts: the model element, dictionaries and their scopes, nested models
// (Segments, modelChain, segmentId outputs), ModelVerification, compile errors
// with element paths, and hostile field names.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileDocument } from '../../runtime/pmml/document.js';
import { PmmlCompileError, PmmlUnsupportedError } from '../../runtime/pmml/el.js';
import { decodePmmlXml } from '../../src/frontends/pmml/xml.js';
import { close, compile, FAKES, pmml, throwsAt } from './core-support.js';

const XY = '<DataField name="x" optype="continuous" dataType="double"/><DataField name="y" optype="continuous" dataType="double"/>';
const MS = '<MiningSchema><MiningField name="x"/><MiningField name="y" usageType="target"/></MiningSchema>';

function reg(predictor: string, extra = '', ms = MS): string {
  return `<RegressionModel functionName="regression" modelName="m1">${ms}${extra}<RegressionTable intercept="0"><NumericPredictor name="${predictor}" coefficient="1"/></RegressionTable></RegressionModel>`;
}

test('document facts: version, model element, function, model name, inputs', () => {
  const doc = compile(pmml(`${XY}<DataField name="s" optype="categorical" dataType="string"><Value value="a"/></DataField><DataField name="g" optype="categorical" dataType="string"/>`,
    reg('x', '', '<MiningSchema><MiningField name="x"/><MiningField name="y" usageType="target"/><MiningField name="s" usageType="supplementary"/><MiningField name="g" usageType="group"/></MiningSchema>')));
  assert.equal(doc.version, '4.4');
  assert.equal(doc.modelElement, 'RegressionModel');
  assert.equal(doc.functionName, 'regression');
  assert.equal(doc.modelName, 'm1');
  assert.deepEqual(doc.inputs, [
    { name: 'x', dataType: 'double', optype: 'continuous', usageType: 'active' },
    { name: 's', dataType: 'string', optype: 'categorical', categories: ['a'], usageType: 'supplementary' },
    { name: 'g', dataType: 'string', optype: 'categorical', usageType: 'group' },
  ]);
  assert.equal(doc.verification, null);
});

test('TransformationDictionary: DerivedFields in any order, cached per row, DefineFunction, cast to the declared type', () => {
  const td = `<TransformationDictionary>
    <DerivedField name="b" optype="continuous" dataType="double"><Apply function="twice"><FieldRef field="a"/></Apply></DerivedField>
    <DerivedField name="a" optype="continuous" dataType="integer"><FieldRef field="x"/></DerivedField>
    <DefineFunction name="twice" optype="continuous" dataType="double"><ParameterField name="v" optype="continuous" dataType="double"/><Apply function="*"><FieldRef field="v"/><Constant>2</Constant></Apply></DefineFunction>
  </TransformationDictionary>`;
  const doc = compile(pmml(XY, reg('b'), td));
  assert.deepEqual(doc.score({ x: 3 }), { y: 6 });
  assert.deepEqual(doc.score({ x: 2.6 }), { y: 6 }, 'a is an integer: 2.6 → 3');
  assert.deepEqual(doc.score({}), { y: null });
});

test('DerivedField cycles, unknown fields and duplicates are compile errors naming the element', () => {
  const cyc = `<TransformationDictionary><DerivedField name="a" optype="continuous" dataType="double"><FieldRef field="b"/></DerivedField>
    <DerivedField name="b" optype="continuous" dataType="double"><FieldRef field="a"/></DerivedField></TransformationDictionary>`;
  throwsAt(() => compile(pmml(XY, reg('x'), cyc)), PmmlCompileError, 'TransformationDictionary/DerivedField', 'itself');
  const unknown = '<TransformationDictionary><DerivedField name="a" optype="continuous" dataType="double"><FieldRef field="ghost"/></DerivedField></TransformationDictionary>';
  throwsAt(() => compile(pmml(XY, reg('x'), unknown)), PmmlCompileError, 'PMML/TransformationDictionary/DerivedField[name="a"]/FieldRef', '"ghost"');
  const dup = '<TransformationDictionary><DerivedField name="x" optype="continuous" dataType="double"><Constant>1</Constant></DerivedField></TransformationDictionary>';
  throwsAt(() => compile(pmml(XY, reg('x'), dup)), PmmlCompileError, 'DataField');
  const noExpr = '<TransformationDictionary><DerivedField name="a" optype="continuous" dataType="double"/></TransformationDictionary>';
  throwsAt(() => compile(pmml(XY, reg('x'), noExpr)), PmmlCompileError, 'DerivedField[name="a"]', 'no expression');
});

test('LocalTransformations are visible inside their model only, and see the prepared MiningFields', () => {
  const lt = '<LocalTransformations><DerivedField name="x2" optype="continuous" dataType="double"><Apply function="*"><FieldRef field="x"/><FieldRef field="x"/></Apply></DerivedField></LocalTransformations>';
  const doc = compile(pmml(XY, reg('x2', lt, '<MiningSchema><MiningField name="x" missingValueReplacement="3"/><MiningField name="y" usageType="target"/></MiningSchema>')));
  assert.deepEqual(doc.score({ x: 2 }), { y: 4 });
  assert.deepEqual(doc.score({}), { y: 9 }, 'the replacement is what the derived field sees');
});

test('model errors: unknown model elements, no model, unscorable models, missing MiningSchema', () => {
  throwsAt(() => compile(pmml(XY, `<SequenceModel functionName="sequences">${MS}</SequenceModel>`)), PmmlUnsupportedError, 'PMML/SequenceModel', 'SequenceModel');
  throwsAt(() => compile(pmml(XY, reg('x')), []), PmmlUnsupportedError, 'PMML/RegressionModel');
  throwsAt(() => compile(pmml(XY, '')), PmmlCompileError, 'no model');
  throwsAt(() => compile(pmml(XY, reg('x').replace('<RegressionModel', '<RegressionModel isScorable="false"'))), PmmlCompileError, 'isScorable');
  throwsAt(() => compile(pmml(XY, '<RegressionModel functionName="regression"><RegressionTable intercept="0"/></RegressionModel>')), PmmlCompileError, 'PMML/RegressionModel', 'MiningSchema');
  throwsAt(() => compile(pmml(XY, reg('ghost'))), PmmlCompileError, 'PMML/RegressionModel', '"ghost"');
  throwsAt(() => compile('<PMML version="4.4"><Header/></PMML>'), PmmlCompileError, 'DataDictionary');
});

test('the first scorable model is used', () => {
  const two = reg('x').replace('<RegressionModel', '<RegressionModel isScorable="false"') + reg('x').replace('intercept="0"', 'intercept="100"').replace('modelName="m1"', 'modelName="m2"');
  const doc = compile(pmml(XY, two));
  assert.equal(doc.modelName, 'm2');
  assert.deepEqual(doc.score({ x: 1 }), { y: 101 });
});

test('older PMML versions and namespaces are accepted', () => {
  const xml = `<PMML version="3.2" xmlns="http://www.dmg.org/PMML-3_2"><Header/><DataDictionary>${XY}</DataDictionary>${reg('x')}</PMML>`;
  assert.deepEqual(compileDocument(decodePmmlXml(new TextEncoder().encode(xml)).root, FAKES).score({ x: 1 }), { y: 1 });
});

const SEG_MS = '<MiningSchema><MiningField name="x"/></MiningSchema>';

test('nested models: own MiningSchema treatments over the parent fields, Targets and Output per segment', () => {
  const doc = compile(pmml(XY, `<MiningModel functionName="regression">${MS}
    <Output><OutputField name="total" feature="predictedValue" dataType="double"/><OutputField name="first" feature="predictedValue" segmentId="s1" dataType="double"/>
      <OutputField name="second" feature="predictedValue" segmentId="s2" dataType="double"/></Output>
    <Segmentation multipleModelMethod="sum">
      <Segment id="s1"><True/>${reg('x', '<Targets><Target rescaleFactor="10"/></Targets>', '<MiningSchema><MiningField name="x" missingValueReplacement="1"/></MiningSchema>')}</Segment>
      <Segment id="s2"><SimplePredicate field="x" operator="greaterThan" value="0"/>${reg('x', '', SEG_MS)}</Segment>
    </Segmentation></MiningModel>`));
  assert.deepEqual(doc.score({ x: 2 }), { total: 22, first: 20, second: 2 });
  assert.deepEqual(doc.score({ x: -2 }), { total: -20, first: -20, second: null }, 'segment 2 did not run');
  assert.deepEqual(doc.score({}), { total: 10, first: 10, second: null }, 'the replacement is segment 1\'s own');
});

test('modelChain: later segments and their predicates see earlier output fields', () => {
  const seg1 = reg('x', '<Output><OutputField name="a" feature="predictedValue" dataType="double"/><OutputField name="hidden" feature="transformedValue" isFinalResult="false" dataType="double"><FieldRef field="a"/></OutputField></Output>', SEG_MS);
  const seg2 = reg('a', '<Output><OutputField name="b" feature="predictedValue" dataType="double"/></Output>', '<MiningSchema><MiningField name="a"/></MiningSchema>')
    .replace('intercept="0"', 'intercept="1"');
  const doc = compile(pmml(XY, `<MiningModel functionName="regression">${MS}
    <Segmentation multipleModelMethod="modelChain">
      <Segment id="1"><True/>${seg1}</Segment>
      <Segment id="2"><SimplePredicate field="hidden" operator="greaterThan" value="0"/>${seg2}</Segment>
    </Segmentation></MiningModel>`));
  assert.deepEqual(doc.score({ x: 5 }), { y: 6 });
  assert.deepEqual(doc.score({ x: -5 }), { y: -5 }, 'segment 2 skipped: the last result is segment 1\'s');
});

test('errors inside segments name the full path', () => {
  throwsAt(() => compile(pmml(XY, `<MiningModel functionName="regression">${MS}<Segmentation multipleModelMethod="sum">
      <Segment><True/>${reg('x', '', SEG_MS)}</Segment><Segment><True/>${reg('ghost', '', SEG_MS)}</Segment></Segmentation></MiningModel>`)),
  PmmlCompileError, 'PMML/MiningModel/Segmentation/Segment[2]/RegressionModel', '"ghost"');
  throwsAt(() => compile(pmml(XY, `<MiningModel functionName="regression">${MS}<Segmentation multipleModelMethod="sum">
      <Segment id="7"><True/>${reg('x', '', '<MiningSchema><MiningField name="nope"/></MiningSchema>')}</Segment></Segmentation></MiningModel>`)),
  PmmlCompileError, 'PMML/MiningModel/Segmentation/Segment[id=7]/RegressionModel/MiningSchema/MiningField[name="nope"]');
  throwsAt(() => compile(pmml(XY, `<MiningModel functionName="regression">${MS}<Output><OutputField name="o" segmentId="9"/></Output>
      <Segmentation multipleModelMethod="sum"><Segment id="1"><True/>${reg('x', '', SEG_MS)}</Segment></Segmentation></MiningModel>`)),
  PmmlCompileError, 'segmentId');
});

test('returnInvalid inside a segment makes the whole result invalid', () => {
  const doc = compile(pmml('<DataField name="x" optype="continuous" dataType="double"><Interval closure="closedClosed" leftMargin="0" rightMargin="1"/></DataField><DataField name="y" optype="continuous" dataType="double"/>',
    `<MiningModel functionName="regression"><MiningSchema><MiningField name="x" invalidValueTreatment="asIs"/><MiningField name="y" usageType="target"/></MiningSchema>
    <Segmentation multipleModelMethod="sum"><Segment><True/>${reg('x', '', SEG_MS)}</Segment></Segmentation></MiningModel>`));
  assert.deepEqual(doc.score({ x: 0.5 }), { y: 0.5 });
  const bad = doc.score({ x: 2 });
  assert.equal(bad.y, null);
  assert.match(String(bad.$error), /"x"/);
});

test('hostile field names travel unharmed', () => {
  const names = ['a"b', 'back\\slash', '</script><script>alert(1)</script>', '${process.exit()}', '__proto__', 'constructor', "it's", 'ünï'];
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/\n/g, '&#10;');
  for (const name of names) {
    const doc = compile(pmml(`<DataField name="${esc(name)}" optype="continuous" dataType="double"/><DataField name="${esc(name)}!" optype="continuous" dataType="double"/>`,
      `<RegressionModel functionName="regression"><MiningSchema><MiningField name="${esc(name)}"/><MiningField name="${esc(name)}!" usageType="target"/></MiningSchema>
      <Output><OutputField name="${esc(name)}" feature="predictedValue" dataType="double"/></Output>
      <RegressionTable intercept="1"><NumericPredictor name="${esc(name)}" coefficient="1"/></RegressionTable></RegressionModel>`));
    assert.equal(doc.inputs[0].name, name);
    const record: Record<string, unknown> = {};
    Object.defineProperty(record, name, { value: 2, enumerable: true });
    const out = doc.score(record);
    assert.deepEqual(Object.keys(out), [name], name);
    assert.equal(out[name], 3, name);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal(doc.score({})[name], null, `${name} missing`);
    throwsAt(() => compile(pmml(XY, reg(esc(name)))), PmmlCompileError, JSON.stringify(name));
  }
});

test('ModelVerification: fields with columns, precision and the InlineTable rows', () => {
  const doc = compile(pmml(XY, reg('x', `<ModelVerification recordCount="2" fieldCount="2"><VerificationFields>
      <VerificationField field="x" column="data:x"/><VerificationField field="y" column="out" precision="0.01" zeroThreshold="0.001"/></VerificationFields>
      <InlineTable><row><data:x xmlns:data="http://x">1</data:x><out>1</out></row><row><out>2.5</out></row></InlineTable></ModelVerification>`)));
  assert.deepEqual(doc.verification?.fields, [
    { field: 'x', column: 'data:x', precision: 1e-6, zeroThreshold: 1e-16 },
    { field: 'y', column: 'out', precision: 0.01, zeroThreshold: 0.001 },
  ]);
  assert.deepEqual(doc.verification?.rows, [{ 'data:x': '1', out: '1' }, { 'data:x': null, out: '2.5' }]);
});

test('scoring many rows reuses compiled closures (values from one row never leak into the next)', () => {
  const td = '<TransformationDictionary><DerivedField name="d" optype="continuous" dataType="double"><Apply function="+"><FieldRef field="x"/><Constant>1</Constant></Apply></DerivedField></TransformationDictionary>';
  const doc = compile(pmml(XY, reg('d'), td));
  for (let i = 0; i < 1000; i++) {
    const y = doc.score(i % 3 === 0 ? {} : { x: i }).y;
    if (i % 3 === 0) assert.equal(y, null);
    else close(y, i + 1);
  }
});

test('modelChain: a categorical output of one segment feeds the next one\'s MiningSchema and predicates', () => {
  const dict = `${XY}<DataField name="c" optype="categorical" dataType="string"><Value value="lo"/><Value value="hi"/></DataField>`;
  const seg1 = `<TreeModel functionName="classification"><MiningSchema><MiningField name="x"/></MiningSchema>
    <Output><OutputField name="band" feature="predictedValue"/></Output>
    <Node score="lo"><True/><Node score="hi"><SimplePredicate field="x" operator="greaterThan" value="10"/></Node></Node></TreeModel>`;
  const seg2 = `<TreeModel functionName="regression"><MiningSchema><MiningField name="band"/></MiningSchema>
    <Node score="1"><True/><Node score="100"><SimplePredicate field="band" operator="equal" value="hi"/></Node></Node></TreeModel>`;
  const doc = compile(pmml(dict, `<MiningModel functionName="regression">${MS}<Segmentation multipleModelMethod="modelChain">
    <Segment id="1"><True/>${seg1}</Segment><Segment id="2"><SimplePredicate field="band" operator="isNotMissing"/>${seg2}</Segment></Segmentation></MiningModel>`));
  assert.deepEqual(doc.score({ x: 50 }), { y: 100 });
  assert.deepEqual(doc.score({ x: 5 }), { y: 1 });
});
