// The flat predicate table of TreeModel (runtime/pmml/models/tree.ts) against the predicates of
// runtime/pmml/predicates.ts: category tests (SimpleSetPredicate, string equal/notEqual), and the
// `or(test, isMissing)` / `and(test, isNotMissing)` compounds folded into one test with a fixed
// truth for a missing value. Each predicate P is scored twice: as the node predicate (flat table)
// and wrapped as and(P, True) (the same truth in three-valued logic; the tree keeps the closure of
// predicates.ts for it). Three trees read P's truth: true → node "yes", false → node "no", UNKNOWN →
// "no" (missingValueStrategy none), no prediction (nullPrediction), the root (lastPrediction).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePmmlXml } from '../../src/frontends/pmml/xml.js';
import { compileDocument } from '../../runtime/pmml/document.js';
import { MODEL_REGISTRY } from '../../runtime/pmml/models/registry.js';

const compilers = MODEL_REGISTRY.map((m) => m.compiler);
const compileXml = (xml: string) => compileDocument(decodePmmlXml(new TextEncoder().encode(xml)).root, compilers);

const DICTIONARY = `<DataDictionary>
  <DataField name="x" optype="continuous" dataType="double"/>
  <DataField name="y" optype="continuous" dataType="double"/>
  <DataField name="n" optype="categorical" dataType="integer"/>
  <DataField name="c" optype="categorical" dataType="string"><Value value="A"/><Value value="B"/><Value value="C"/><Value value="a b"/></DataField>
  <DataField name="o" optype="ordinal" dataType="string"><Value value="lo"/><Value value="mid"/><Value value="hi"/></DataField>
  <DataField name="b" optype="categorical" dataType="boolean"/>
  <DataField name="t" optype="continuous" dataType="double"/>
</DataDictionary>`;

function treeDoc(strategy: string, predicate: string): string {
  return `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">${DICTIONARY}
  <TreeModel functionName="regression" missingValueStrategy="${strategy}">
    <MiningSchema>
      <MiningField name="x"/><MiningField name="y"/><MiningField name="n" invalidValueTreatment="asIs"/>
      <MiningField name="c" invalidValueTreatment="asIs"/><MiningField name="o" invalidValueTreatment="asIs"/>
      <MiningField name="b"/><MiningField name="t" usageType="target"/>
    </MiningSchema>
    <Output><OutputField name="node" optype="categorical" dataType="string" feature="entityId"/></Output>
    <Node id="root" score="0"><True/>
      <Node id="yes" score="1">${predicate}</Node>
      <Node id="no" score="2"><True/></Node>
    </Node>
  </TreeModel>
</PMML>`;
}

const PREDICATES: readonly string[] = [
  '<SimplePredicate field="x" operator="lessOrEqual" value="2"/>',
  '<SimplePredicate field="x" operator="isMissing"/>',
  '<SimplePredicate field="x" operator="isNotMissing"/>',
  '<CompoundPredicate booleanOperator="or"><SimplePredicate field="x" operator="lessOrEqual" value="2"/><SimplePredicate field="x" operator="isMissing"/></CompoundPredicate>',
  '<CompoundPredicate booleanOperator="or"><SimplePredicate field="x" operator="isMissing"/><SimplePredicate field="x" operator="greaterThan" value="2"/></CompoundPredicate>',
  '<CompoundPredicate booleanOperator="and"><SimplePredicate field="x" operator="greaterThan" value="2"/><SimplePredicate field="x" operator="isNotMissing"/></CompoundPredicate>',
  // Not foldable (other field, other presence test, three parts): closures, listed to compare all the same.
  '<CompoundPredicate booleanOperator="or"><SimplePredicate field="x" operator="lessOrEqual" value="2"/><SimplePredicate field="y" operator="isMissing"/></CompoundPredicate>',
  '<CompoundPredicate booleanOperator="or"><SimplePredicate field="x" operator="lessOrEqual" value="2"/><SimplePredicate field="x" operator="isNotMissing"/></CompoundPredicate>',
  '<CompoundPredicate booleanOperator="and"><SimplePredicate field="x" operator="lessOrEqual" value="2"/><SimplePredicate field="x" operator="isMissing"/></CompoundPredicate>',
  '<CompoundPredicate booleanOperator="or"><SimplePredicate field="x" operator="lessOrEqual" value="2"/><SimplePredicate field="x" operator="isMissing"/><False/></CompoundPredicate>',
  '<SimpleSetPredicate field="c" booleanOperator="isIn"><Array n="2" type="string">A B</Array></SimpleSetPredicate>',
  '<SimpleSetPredicate field="c" booleanOperator="isNotIn"><Array n="2" type="string">A B</Array></SimpleSetPredicate>',
  '<SimpleSetPredicate field="c" booleanOperator="isIn"><Array n="2" type="string">"a b" Z</Array></SimpleSetPredicate>',
  '<SimpleSetPredicate field="c" booleanOperator="isNotIn"><Array n="0" type="string"></Array></SimpleSetPredicate>',
  '<CompoundPredicate booleanOperator="or"><SimpleSetPredicate field="c" booleanOperator="isIn"><Array n="1" type="string">C</Array></SimpleSetPredicate><SimplePredicate field="c" operator="isMissing"/></CompoundPredicate>',
  '<CompoundPredicate booleanOperator="and"><SimplePredicate field="c" operator="isNotMissing"/><SimpleSetPredicate field="c" booleanOperator="isNotIn"><Array n="1" type="string">C</Array></SimpleSetPredicate></CompoundPredicate>',
  '<SimplePredicate field="c" operator="equal" value="A"/>',
  '<SimplePredicate field="c" operator="notEqual" value="A"/>',
  '<SimplePredicate field="c" operator="equal" value="a b"/>',
  '<CompoundPredicate booleanOperator="or"><SimplePredicate field="c" operator="equal" value="B"/><SimplePredicate field="c" operator="isMissing"/></CompoundPredicate>',
  '<SimplePredicate field="o" operator="equal" value="mid"/>',
  '<SimplePredicate field="o" operator="lessThan" value="hi"/>',
  '<SimpleSetPredicate field="o" booleanOperator="isIn"><Array n="2" type="string">lo hi</Array></SimpleSetPredicate>',
  '<SimpleSetPredicate field="b" booleanOperator="isIn"><Array n="1" type="string">true</Array></SimpleSetPredicate>',
  '<SimpleSetPredicate field="n" booleanOperator="isIn"><Array n="2" type="int">1 3</Array></SimpleSetPredicate>',
  '<SimplePredicate field="n" operator="equal" value="3"/>',
];

const RECORDS: readonly Record<string, unknown>[] = [
  {},
  { x: 1, c: 'A', o: 'lo', b: true, n: 1 },
  { x: 2, c: 'B', o: 'mid', b: false, n: 3 },
  { x: 3, c: 'C', o: 'hi', b: 'true', n: '3' },
  { x: '2', c: 'a b', o: 'x', b: 'false', n: 2 },
  { x: null, c: 'Z', o: null, b: null, n: null },
  { x: 2.5, c: '', o: 'mid', n: 7 },
  { x: 9, c: 'a', o: 'MID', b: 1 },
];

function outcomes(predicate: string): string[] {
  const out: string[] = [];
  for (const strategy of ['none', 'nullPrediction', 'lastPrediction']) {
    const doc = compileXml(treeDoc(strategy, predicate));
    for (const r of RECORDS) out.push(`${strategy} ${JSON.stringify(r)} → ${JSON.stringify(doc.score(r))}`);
  }
  return out;
}

test('flat predicate table: every predicate form gives the truth predicates.ts gives it', () => {
  for (const p of PREDICATES) {
    const wrapped = `<CompoundPredicate booleanOperator="and">${p}<True/></CompoundPredicate>`;
    assert.deepEqual(outcomes(p), outcomes(wrapped), p);
  }
});

/** P's truth per record: "T", "F" or "U" (UNKNOWN), read from the none/nullPrediction trees. */
function truths(predicate: string): string {
  const none = compileXml(treeDoc('none', predicate));
  const nul = compileXml(treeDoc('nullPrediction', predicate));
  return RECORDS.map((r) => (none.score(r).node === 'yes' ? 'T' : nul.score(r).node === null ? 'U' : 'F')).join('');
}

test('flat predicate table: hand-checked truths (records: {}, 1/A, 2/B, 3/C, "2"/"a b", null/Z, 2.5/"", 9/a)', () => {
  // x <= 2 or x is missing: missing records are true.
  assert.equal(truths(PREDICATES[3]), 'TTTFTTFF');
  // x > 2 and x is not missing: missing records are false.
  assert.equal(truths(PREDICATES[5]), 'FFFTFFTT');
  // Plain x <= 2: missing is UNKNOWN.
  assert.equal(truths(PREDICATES[0]), 'UTTFTUFF');
  // c in {A, B}; c not in {A, B} (for a string field an empty string is a value; Z, "" and a are outside the list).
  assert.equal(truths(PREDICATES[10]), 'UTTFFFFF');
  assert.equal(truths(PREDICATES[11]), 'UFFTTTTT');
  // c in {"a b", Z}: quoted entries keep their space.
  assert.equal(truths(PREDICATES[12]), 'UFFFTTFF');
  // c = "A"; c ≠ "A".
  assert.equal(truths(PREDICATES[16]), 'UTFFFFFF');
  assert.equal(truths(PREDICATES[17]), 'UFTTTTTT');
  // b in {true}: the strings "true"/"false" and the number 1 are converted to booleans.
  assert.equal(truths(PREDICATES[23]), 'UTFTFUUT');
});

test('flat predicate table: a field with more categories than a bitset row allows keeps exact results', () => {
  const many = Array.from({ length: 1500 }, (_, i) => `v${i}`);
  const p = `<SimpleSetPredicate field="c" booleanOperator="isIn"><Array n="${many.length + 1}" type="string">A ${many.join(' ')}</Array></SimpleSetPredicate>`;
  assert.deepEqual(outcomes(p), outcomes(`<CompoundPredicate booleanOperator="and">${p}<True/></CompoundPredicate>`));
  assert.equal(truths(p), 'UTFFFFFF');
});
