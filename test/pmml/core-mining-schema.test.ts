// fields.ts: DataDictionary valid/invalid/missing values and Intervals, MiningSchema
// treatments (missing, invalid, outliers), returnInvalid results with $error.
// The model is the identity regression y = x (fakeRegression), so the result is the prepared value.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PmmlCompileError, PmmlUnsupportedError } from '../../runtime/pmml/el.js';
import { compile, pmml, throwsAt } from './core-support.js';

const IDENTITY = '<RegressionTable intercept="0"><NumericPredictor name="x" coefficient="1"/></RegressionTable>';

function identity(xField: string, miningField: string, extra = ''): (x: unknown) => Record<string, unknown> {
  const doc = compile(pmml(`${xField}<DataField name="y" optype="continuous" dataType="double"/>`,
    `<RegressionModel functionName="regression"><MiningSchema>${miningField}<MiningField name="y" usageType="target"/></MiningSchema>${extra}${IDENTITY}</RegressionModel>`));
  return (x) => doc.score(x === undefined ? {} : { x });
}

const X = '<DataField name="x" optype="continuous" dataType="double"/>';
const X_RANGE = '<DataField name="x" optype="continuous" dataType="double"><Interval closure="closedOpen" leftMargin="0" rightMargin="10"/><Interval closure="closedClosed" leftMargin="20" rightMargin="30"/></DataField>';

test('values pass through a plain MiningField', () => {
  const f = identity(X, '<MiningField name="x"/>');
  assert.deepEqual(f(2.5), { y: 2.5 });
  assert.deepEqual(f('2.5'), { y: 2.5 });
  assert.deepEqual(f(undefined), { y: null });
  assert.deepEqual(f(null), { y: null });
});

test('missingValueReplacement replaces a missing value, whatever missingValueTreatment says', () => {
  for (const t of ['asIs', 'asMean', 'asMode', 'asMedian', 'asValue']) {
    const f = identity(X, `<MiningField name="x" missingValueReplacement="7" missingValueTreatment="${t}"/>`);
    assert.deepEqual(f(undefined), { y: 7 }, t);
    assert.deepEqual(f(3), { y: 3 }, t);
  }
});

test('missingValueTreatment asMean/asMedian/asMode without a replacement read ModelStats', () => {
  const stats = '<ModelStats><UnivariateStats field="x"><NumericInfo mean="4.5" median="4" mode="3"/></UnivariateStats></ModelStats>';
  assert.deepEqual(identity(X, '<MiningField name="x" missingValueTreatment="asMean"/>', stats)(undefined), { y: 4.5 });
  assert.deepEqual(identity(X, '<MiningField name="x" missingValueTreatment="asMedian"/>', stats)(undefined), { y: 4 });
  assert.deepEqual(identity(X, '<MiningField name="x" missingValueTreatment="asMode"/>', stats)(undefined), { y: 3 });
});

test('missingValueTreatment returnInvalid: a missing value makes the result invalid', () => {
  const f = identity(X, '<MiningField name="x" missingValueTreatment="returnInvalid"/>');
  const r = f(undefined);
  assert.equal(r.y, null);
  assert.match(String(r.$error), /"x" is missing/);
  assert.deepEqual(f(1), { y: 1 });
});

test('Value property="missing" maps values to missing (also texts that are not numbers)', () => {
  const dict = '<DataField name="x" optype="continuous" dataType="double"><Value value="-999" property="missing"/><Value value="NA" property="missing"/></DataField>';
  const f = identity(dict, '<MiningField name="x" missingValueReplacement="0"/>');
  assert.deepEqual(f(-999), { y: 0 });
  assert.deepEqual(f('-999.0'), { y: 0 });
  assert.deepEqual(f('NA'), { y: 0 });
  assert.deepEqual(f(5), { y: 5 });
});

test('Value property="invalid" marks values invalid', () => {
  const dict = '<DataField name="x" optype="continuous" dataType="double"><Value value="0" property="invalid"/></DataField>';
  const f = identity(dict, '<MiningField name="x" invalidValueTreatment="asValue" invalidValueReplacement="1"/>');
  assert.deepEqual(f(0), { y: 1 });
  assert.deepEqual(f(2), { y: 2 });
});

test('invalidValueTreatment returnInvalid (the default): all outputs null plus $error naming field and value', () => {
  const f = identity(X_RANGE, '<MiningField name="x"/>');
  assert.deepEqual(f(5), { y: 5 });
  assert.deepEqual(f(0), { y: 0 }, 'closed left end');
  assert.deepEqual(f(30), { y: 30 }, 'closed right end of the second interval');
  const r = f(10);
  assert.equal(r.y, null, 'open right end: invalid');
  assert.equal(Object.keys(r).join(','), 'y,$error');
  assert.match(String(r.$error), /10/);
  assert.match(String(r.$error), /"x"/);
  assert.match(String(identity(X, '<MiningField name="x"/>')('abc').$error), /"abc".*"x"/);
});

test('invalidValueTreatment asIs keeps the value; asMissing makes it missing (then missing treatment applies); asValue replaces it', () => {
  assert.deepEqual(identity(X_RANGE, '<MiningField name="x" invalidValueTreatment="asIs"/>')(15), { y: 15 });
  assert.deepEqual(identity(X, '<MiningField name="x" invalidValueTreatment="asIs"/>')('abc'), { y: null }, 'an unconvertible value stays unusable: missing');
  assert.deepEqual(identity(X_RANGE, '<MiningField name="x" invalidValueTreatment="asMissing"/>')(15), { y: null });
  assert.deepEqual(identity(X_RANGE, '<MiningField name="x" invalidValueTreatment="asMissing" missingValueReplacement="25"/>')(15), { y: 25 });
  assert.deepEqual(identity(X_RANGE, '<MiningField name="x" invalidValueTreatment="asValue" invalidValueReplacement="9"/>')(-1), { y: 9 });
  assert.deepEqual(identity(X_RANGE, '<MiningField name="x" invalidValueTreatment="asValue" invalidValueReplacement="9"/>')(undefined), { y: null }, 'missing is not invalid');
});

test('categorical fields: values outside the valid Values are invalid', () => {
  const dict = '<DataField name="c" optype="categorical" dataType="string"><Value value="a"/><Value value="b"/></DataField><DataField name="y" optype="categorical" dataType="string"/>';
  const tree = (mf: string) => compile(pmml(dict, `<TreeModel functionName="classification"><MiningSchema>${mf}<MiningField name="y" usageType="target"/></MiningSchema>
    <Node score="root"><True/><Node score="A"><SimplePredicate field="c" operator="equal" value="a"/></Node><Node score="other"><SimplePredicate field="c" operator="isNotMissing"/></Node></Node></TreeModel>`));
  const strict = tree('<MiningField name="c"/>');
  assert.equal(strict.score({ c: 'a' }).y, 'A');
  assert.equal(strict.score({ c: 'b' }).y, 'other');
  assert.match(String(strict.score({ c: 'z' }).$error), /"z"/);
  assert.equal(tree('<MiningField name="c" invalidValueTreatment="asMissing"/>').score({ c: 'z' }).y, 'root');
  assert.equal(tree('<MiningField name="c" invalidValueTreatment="asIs"/>').score({ c: 'z' }).y, 'other');
  assert.equal(tree('<MiningField name="c" invalidValueTreatment="asValue" invalidValueReplacement="a"/>').score({ c: 'z' }).y, 'A');
});

test('integer fields: non-integral values are invalid', () => {
  const f = identity('<DataField name="x" optype="continuous" dataType="integer"/>', '<MiningField name="x" invalidValueTreatment="asMissing" missingValueReplacement="-1"/>');
  assert.deepEqual(f(3), { y: 3 });
  assert.deepEqual(f('3'), { y: 3 });
  assert.deepEqual(f(3.5), { y: -1 });
});

test('outliers asMissingValues and asExtremeValues', () => {
  const miss = identity(X, '<MiningField name="x" outliers="asMissingValues" lowValue="1" highValue="5" missingValueReplacement="3"/>');
  assert.deepEqual(miss(0.5), { y: 3 });
  assert.deepEqual(miss(1), { y: 1 });
  assert.deepEqual(miss(5), { y: 5 });
  assert.deepEqual(miss(6), { y: 3 });
  const ext = identity(X, '<MiningField name="x" outliers="asExtremeValues" lowValue="1" highValue="5"/>');
  assert.deepEqual(ext(-10), { y: 1 });
  assert.deepEqual(ext(2), { y: 2 });
  assert.deepEqual(ext(50), { y: 5 });
  assert.deepEqual(ext(undefined), { y: null });
  const asIs = identity(X, '<MiningField name="x" outliers="asIs" lowValue="1" highValue="5"/>');
  assert.deepEqual(asIs(50), { y: 50 });
});

test('outliers apply after validity: an invalid value is not clamped', () => {
  const f = identity(X_RANGE, '<MiningField name="x" outliers="asExtremeValues" lowValue="2" highValue="8" invalidValueTreatment="asMissing"/>');
  assert.deepEqual(f(9), { y: 8 });
  assert.deepEqual(f(15), { y: null });
});

test('MiningField optype overrides the DataField optype (continuous → no category check)', () => {
  const dict = '<DataField name="x" optype="categorical" dataType="double"><Value value="1"/><Value value="2"/></DataField>';
  assert.match(String(identity(dict, '<MiningField name="x"/>')(3).$error), /invalid/);
  assert.deepEqual(identity(dict, '<MiningField name="x" optype="continuous"/>')(3), { y: 3 });
});

test('the target value in the record never makes a result invalid', () => {
  const f = compile(pmml(`${X}<DataField name="y" optype="continuous" dataType="double"><Interval closure="closedClosed" leftMargin="0" rightMargin="1"/></DataField>`,
    `<RegressionModel functionName="regression"><MiningSchema><MiningField name="x"/><MiningField name="y" usageType="target"/></MiningSchema>${IDENTITY}</RegressionModel>`));
  assert.deepEqual(f.score({ x: 2, y: 'garbage' }), { y: 2 });
});

test('MiningSchema errors', () => {
  throwsAt(() => identity(X, '<MiningField name="nope"/>'), PmmlCompileError, 'MiningField[name="nope"]', 'not defined');
  throwsAt(() => identity(X, '<MiningField name="x"/><MiningField name="x"/>'), PmmlCompileError, 'listed twice');
  throwsAt(() => identity(X, '<MiningField name="x" outliers="asExtremeValues"/>'), PmmlCompileError, 'lowValue');
  throwsAt(() => identity(X, '<MiningField name="x" invalidValueTreatment="asValue"/>'), PmmlCompileError, 'invalidValueReplacement');
  throwsAt(() => identity(X, '<MiningField name="x" missingValueReplacement="abc"/>'), PmmlCompileError, 'MiningField[name="x"]', '"abc"');
  throwsAt(() => identity(X, '<MiningField name="x" usageType="weird"/>'), PmmlUnsupportedError, 'usageType');
  throwsAt(() => identity(X, '<MiningField name="x" missingValueTreatment="asAverage"/>'), PmmlUnsupportedError, 'missingValueTreatment');
});

test('DataDictionary errors', () => {
  throwsAt(() => identity('<DataField name="x" optype="continuous" dataType="real"/>', '<MiningField name="x"/>'), PmmlCompileError, 'DataField[name="x"]', 'dataType');
  throwsAt(() => identity(`${X}${X}`, '<MiningField name="x"/>'), PmmlCompileError, 'declared twice');
  throwsAt(() => identity('<DataField name="x" optype="continuous" dataType="double"><Interval closure="closedClosed" leftMargin="5" rightMargin="1"/></DataField>', '<MiningField name="x"/>'), PmmlCompileError, 'Interval');
  throwsAt(() => identity('<DataField name="x" optype="categorical" dataType="integer"><Value value="1.5"/></DataField>', '<MiningField name="x"/>'), PmmlCompileError, 'Value', '"1.5"');
});
