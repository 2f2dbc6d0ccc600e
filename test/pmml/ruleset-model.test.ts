// RuleSetModel: the three rule selection methods on one rule set, values worked out
// by hand from the PMML 4.4 RuleSet text (firstHit, weightedSum, weightedMax).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePmmlXml } from '../../src/frontends/pmml/xml.js';
import { compileDocument } from '../../runtime/pmml/document.js';
import { PmmlCompileError, PmmlUnsupportedError } from '../../runtime/pmml/el.js';
import { MODEL_REGISTRY } from '../../runtime/pmml/models/registry.js';

const compilers = MODEL_REGISTRY.map((m) => m.compiler);

function compile(xml: string) {
  return compileDocument(decodePmmlXml(new TextEncoder().encode(xml)).root, compilers);
}

function near(actual: unknown, expected: number): void {
  assert.equal(typeof actual, 'number', `expected a number, got ${String(actual)}`);
  assert.ok(Math.abs((actual as number) - expected) <= 1e-12, `${String(actual)} ≠ ${expected}`);
}

function doc(methods: string, rules: string, ruleSetAttrs = 'defaultScore="c" defaultConfidence="0.3"'): string {
  return `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary>
    <DataField name="x" optype="continuous" dataType="double"/>
    <DataField name="class" optype="categorical" dataType="string"><Value value="a"/><Value value="b"/><Value value="c"/></DataField>
  </DataDictionary>
  <RuleSetModel functionName="classification">
    <MiningSchema><MiningField name="x"/><MiningField name="class" usageType="target"/></MiningSchema>
    <Output>
      <OutputField name="pred" feature="predictedValue"/>
      <OutputField name="rule" feature="entityId"/>
      <OutputField name="conf" feature="confidence"/>
      <OutputField name="confA" feature="confidence" value="a"/>
      <OutputField name="confB" feature="confidence" value="b"/>
      <OutputField name="probA" feature="probability" value="a"/>
    </Output>
    <RuleSet ${ruleSetAttrs}>
      ${methods}
      ${rules}
    </RuleSet>
  </RuleSetModel>
</PMML>`;
}

// r1: x > 0 → a (confidence 0.6, weight 0.5)
// rule 2 (no id): x > 5 → b (0.9, 0.8)
// CompoundRule x > 8: r3a True → a (0.7, 0.4); rule 4 (no id): x > 9 → b (0.75, 0.9)
const RULES = `
  <SimpleRule id="r1" score="a" confidence="0.6" weight="0.5"><SimplePredicate field="x" operator="greaterThan" value="0"/></SimpleRule>
  <SimpleRule score="b" confidence="0.9" weight="0.8"><SimplePredicate field="x" operator="greaterThan" value="5"/></SimpleRule>
  <CompoundRule>
    <SimplePredicate field="x" operator="greaterThan" value="8"/>
    <SimpleRule id="r3a" score="a" confidence="0.7" weight="0.4"><True/></SimpleRule>
    <SimpleRule score="b" confidence="0.75" weight="0.9"><SimplePredicate field="x" operator="greaterThan" value="9"/></SimpleRule>
  </CompoundRule>`;

test('firstHit: the first firing rule; confidences of the first rule of each class', () => {
  const d = compile(doc('<RuleSelectionMethod criterion="firstHit"/>', RULES));
  let r = d.score({ x: 3 });
  assert.deepEqual([r.pred, r.rule], ['a', 'r1']);
  near(r.conf, 0.6);
  r = d.score({ x: 6 });
  assert.deepEqual([r.pred, r.rule], ['a', 'r1']);
  near(r.confA, 0.6);
  near(r.confB, 0.9);
  r = d.score({ x: 9.5 });
  assert.deepEqual([r.pred, r.rule], ['a', 'r1']);
  near(r.confA, 0.6);
  near(r.confB, 0.9);
});

test('weightedMax: the firing rule with the highest weight, with its confidence', () => {
  const d = compile(doc('<RuleSelectionMethod criterion="weightedMax"/>', RULES));
  let r = d.score({ x: 6 });
  assert.deepEqual([r.pred, r.rule], ['b', '2']);
  near(r.conf, 0.9);
  r = d.score({ x: 9.5 });
  // weights 0.5 (a), 0.8 (b), 0.4 (a), 0.9 (b) → rule 4
  assert.deepEqual([r.pred, r.rule], ['b', '4']);
  near(r.conf, 0.75);
  near(r.confA, 0.6); // the highest-weight rule for a is r1
  // x = 8.5: r1 (a 0.5), rule 2 (b 0.8), r3a (a 0.4) → rule 2
  r = d.score({ x: 8.5 });
  assert.deepEqual([r.pred, r.rule], ['b', '2']);
});

test('weightedSum: total weight per class over the number of firing rules', () => {
  const d = compile(doc('<RuleSelectionMethod criterion="weightedSum"/>', RULES));
  let r = d.score({ x: 3 });
  assert.equal(r.pred, 'a');
  near(r.conf, 0.5);
  r = d.score({ x: 6 });
  // a: 0.5/2, b: 0.8/2
  assert.deepEqual([r.pred, r.rule], ['b', '2']);
  near(r.confA, 0.25);
  near(r.confB, 0.4);
  r = d.score({ x: 9.5 });
  // a: (0.5 + 0.4)/4 = 0.225, b: (0.8 + 0.9)/4 = 0.425; the entity is b's highest-weight rule
  assert.deepEqual([r.pred, r.rule], ['b', '4']);
  near(r.confA, 0.225);
  near(r.confB, 0.425);
});

test('weightedSum ties go to the class listed first in the data dictionary', () => {
  const d = compile(doc('<RuleSelectionMethod criterion="weightedSum"/>', `
    <SimpleRule id="p" score="b" weight="2"><True/></SimpleRule>
    <SimpleRule id="q" score="a" weight="1"><True/></SimpleRule>
    <SimpleRule id="s" score="a" weight="1"><True/></SimpleRule>`));
  const r = d.score({ x: 1 });
  assert.equal(r.pred, 'a');
  near(r.confA, 2 / 3);
  near(r.confB, 2 / 3);
});

test('no rule fires (or the predicates are UNKNOWN): defaultScore and defaultConfidence', () => {
  for (const criterion of ['firstHit', 'weightedSum', 'weightedMax']) {
    const d = compile(doc(`<RuleSelectionMethod criterion="${criterion}"/>`, RULES));
    for (const x of [-1, null]) {
      const r = d.score({ x });
      assert.deepEqual([r.pred, r.rule], ['c', null], criterion);
      near(r.conf, 0.3);
    }
  }
  const none = compile(doc('<RuleSelectionMethod criterion="firstHit"/>', RULES, ''));
  assert.equal(none.score({ x: -1 }).pred, null);
});

test('the first RuleSelectionMethod is the one used', () => {
  const d = compile(doc('<RuleSelectionMethod criterion="weightedMax"/><RuleSelectionMethod criterion="firstHit"/>', RULES));
  assert.equal(d.score({ x: 6 }).pred, 'b');
});

test('ScoreDistribution gives the probabilities of the selected rule', () => {
  const d = compile(doc('<RuleSelectionMethod criterion="firstHit"/>', `
    <SimpleRule id="r" score="a" confidence="0.75">
      <SimplePredicate field="x" operator="greaterThan" value="0"/>
      <ScoreDistribution value="a" recordCount="30"/>
      <ScoreDistribution value="b" recordCount="10"/>
    </SimpleRule>
    <SimpleRule id="s" score="b">
      <True/>
      <ScoreDistribution value="b" recordCount="5" probability="0.9"/>
      <ScoreDistribution value="a" recordCount="5" probability="0.1"/>
    </SimpleRule>`));
  near(d.score({ x: 1 }).probA, 0.75);
  const r = d.score({ x: -1 });
  assert.equal(r.pred, 'b');
  near(r.probA, 0.1);
  near(r.conf, 1); // confidence defaults to 1
});

test('errors: unknown criterion, rule without score, missing RuleSelectionMethod', () => {
  assert.throws(() => compile(doc('<RuleSelectionMethod criterion="vote"/>', RULES)), PmmlUnsupportedError);
  assert.throws(() => compile(doc('<RuleSelectionMethod criterion="firstHit"/>', '<SimpleRule id="z"><True/></SimpleRule>')),
    (e: unknown) => e instanceof PmmlCompileError && /SimpleRule\[id=z\]/.test(e.path));
  assert.throws(() => compile(doc('', RULES)), /RuleSelectionMethod/);
});
