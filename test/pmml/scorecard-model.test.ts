// Scorecard: partial scores, ComplexPartialScore, reason codes (pointsBelow and
// pointsAbove, shared codes summed, ties, negative points left out), invalid
// results; values worked out by hand from the PMML 4.4 Scorecard text.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePmmlXml } from '../../src/frontends/pmml/xml.js';
import { compileDocument } from '../../runtime/pmml/document.js';
import { PmmlCompileError } from '../../runtime/pmml/el.js';
import { MODEL_REGISTRY } from '../../runtime/pmml/models/registry.js';

const compilers = MODEL_REGISTRY.map((m) => m.compiler);

function compile(xml: string) {
  return compileDocument(decodePmmlXml(new TextEncoder().encode(xml)).root, compilers);
}

function doc(attrs: string, characteristics?: string): string {
  return `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary>
    <DataField name="age" optype="continuous" dataType="integer"/>
    <DataField name="income" optype="continuous" dataType="double"/>
    <DataField name="dept" optype="categorical" dataType="string"/>
    <DataField name="bonus" optype="continuous" dataType="double"/>
    <DataField name="score" optype="continuous" dataType="double"/>
  </DataDictionary>
  <Scorecard functionName="regression" initialScore="10" baselineScore="5" ${attrs}>
    <MiningSchema>
      <MiningField name="age"/><MiningField name="income"/><MiningField name="dept"/><MiningField name="bonus"/>
      <MiningField name="score" usageType="predicted"/>
    </MiningSchema>
    <Output>
      <OutputField name="Final" feature="predictedValue"/>
      <OutputField name="RC1" feature="reasonCode" rank="1"/>
      <OutputField name="RC2" feature="reasonCode" rank="2"/>
      <OutputField name="RC3" feature="reasonCode" rank="3"/>
    </Output>
    <Characteristics>${characteristics ?? `
      <Characteristic name="ageScore" reasonCode="RC_AGE" baselineScore="20">
        <Attribute partialScore="0" reasonCode="RC_MISSING"><SimplePredicate field="age" operator="isMissing"/></Attribute>
        <Attribute partialScore="10"><SimplePredicate field="age" operator="lessOrEqual" value="30"/></Attribute>
        <Attribute partialScore="25"><SimplePredicate field="age" operator="greaterThan" value="30"/></Attribute>
      </Characteristic>
      <Characteristic name="incomeScore" reasonCode="RC_INC">
        <Attribute>
          <SimplePredicate field="income" operator="lessOrEqual" value="1000"/>
          <ComplexPartialScore><Apply function="*"><FieldRef field="income"/><Constant>0.01</Constant></Apply></ComplexPartialScore>
        </Attribute>
        <Attribute partialScore="15"><SimplePredicate field="income" operator="greaterThan" value="1000"/></Attribute>
      </Characteristic>
      <Characteristic name="deptScore" reasonCode="RC_AGE" baselineScore="8">
        <Attribute partialScore="2"><SimplePredicate field="dept" operator="equal" value="sales"/></Attribute>
        <Attribute partialScore="8"><True/></Attribute>
      </Characteristic>`}
    </Characteristics>
  </Scorecard>
</PMML>`;
}

test('pointsBelow: baseline − partial, summed per reason code, ranked, negative points left out', () => {
  const d = compile(doc('reasonCodeAlgorithm="pointsBelow"'));
  // age 25 → 10 (RC_AGE: 20 − 10 = 10); income 500 → 500·0.01 = 5 (RC_INC: 5 − 5 = 0);
  // dept sales → 2 (RC_AGE: 8 − 2 = 6, total 16). Score 10 + 10 + 5 + 2 = 27.
  assert.deepEqual(d.score({ age: 25, income: 500, dept: 'sales' }), { Final: 27, RC1: 'RC_AGE', RC2: 'RC_INC', RC3: null });
  // age missing → 0 (RC_MISSING: 20); income 2000 → 15 (RC_INC: −10, left out); dept hr → 8 (RC_AGE: 0).
  assert.deepEqual(d.score({ age: null, income: 2000, dept: 'hr' }), { Final: 33, RC1: 'RC_MISSING', RC2: 'RC_AGE', RC3: null });
});

test('pointsAbove: partial − baseline; equal points keep the order of first use', () => {
  const d = compile(doc('reasonCodeAlgorithm="pointsAbove"'));
  // RC_AGE (10 − 20) + (2 − 8) = −16 left out; RC_INC 5 − 5 = 0.
  assert.deepEqual(d.score({ age: 25, income: 500, dept: 'sales' }), { Final: 27, RC1: 'RC_INC', RC2: null, RC3: null });
  // RC_MISSING −20 left out; RC_INC 15 − 5 = 10; RC_AGE 8 − 8 = 0.
  assert.deepEqual(d.score({ age: null, income: 2000, dept: 'hr' }), { Final: 33, RC1: 'RC_INC', RC2: 'RC_AGE', RC3: null });
  // age 40 → 25 (RC_AGE 5); income 1000 → 10 (RC_INC 5); dept hr → 8 (RC_AGE 0, total 5): a tie, RC_AGE was used first.
  assert.deepEqual(d.score({ age: 40, income: 1000, dept: 'hr' }), { Final: 53, RC1: 'RC_AGE', RC2: 'RC_INC', RC3: null });
});

test('reasonCodeAlgorithm defaults to pointsBelow; useReasonCodes="false" gives no reason codes and needs no baselines', () => {
  const d = compile(doc(''));
  assert.deepEqual(d.score({ age: 25, income: 500, dept: 'sales' }), { Final: 27, RC1: 'RC_AGE', RC2: 'RC_INC', RC3: null });
  const off = compile(doc('useReasonCodes="false"', `
      <Characteristic name="a">
        <Attribute partialScore="1.5"><SimplePredicate field="age" operator="lessThan" value="30"/></Attribute>
        <Attribute partialScore="-2"><True/></Attribute>
      </Characteristic>`));
  assert.deepEqual(off.score({ age: 20 }), { Final: 11.5, RC1: null, RC2: null, RC3: null });
  assert.deepEqual(off.score({ age: 50 }), { Final: 8, RC1: null, RC2: null, RC3: null });
});

test('no matching Attribute: the scorecard returns an invalid result', () => {
  const d = compile(doc('reasonCodeAlgorithm="pointsBelow"'));
  // income missing: neither income Attribute is true.
  const r = d.score({ age: 25, income: null, dept: 'sales' });
  assert.equal(r.Final, null);
  assert.equal(r.RC1, null);
  assert.match(String(r.$error), /incomeScore/);
});

test('a ComplexPartialScore that evaluates to missing gives no score', () => {
  const d = compile(doc('useReasonCodes="false"', `
      <Characteristic name="b">
        <Attribute><True/><ComplexPartialScore><Apply function="+"><FieldRef field="bonus"/><Constant>1</Constant></Apply></ComplexPartialScore></Attribute>
      </Characteristic>`));
  assert.equal(d.score({ bonus: 2 }).Final, 13);
  assert.equal(d.score({ bonus: null }).Final, null);
});

test('compile errors: missing baseline or reason code with useReasonCodes, Attribute without score', () => {
  const noBaseline = doc('', `
      <Characteristic name="a" reasonCode="R">
        <Attribute partialScore="1"><True/></Attribute>
      </Characteristic>`).replace('baselineScore="5" ', '');
  assert.throws(() => compile(noBaseline), (e: unknown) => e instanceof PmmlCompileError && /Characteristic/.test(e.path) && /baselineScore/.test(e.detail));
  assert.throws(() => compile(doc('', `
      <Characteristic name="a"><Attribute partialScore="1"><True/></Attribute></Characteristic>`)), /reasonCode/);
  assert.throws(() => compile(doc('useReasonCodes="false"', `
      <Characteristic name="a"><Attribute><True/></Attribute></Characteristic>`)), /partialScore/);
});
