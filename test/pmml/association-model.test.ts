// AssociationModel: which rules each algorithm selects for a transaction
// (recommendation, exclusiveRecommendation, ruleAssociation), read through the
// Output ruleValue features; both data styles (transactional, field-based items).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePmmlXml } from '../../src/frontends/pmml/xml.js';
import { compileDocument } from '../../runtime/pmml/document.js';
import { PmmlCompileError } from '../../runtime/pmml/el.js';
import { MODEL_REGISTRY } from '../../runtime/pmml/models/registry.js';
import { associationModel } from '../../runtime/pmml/models/association.js';
import type { El, ModelContext, ModelResult, Value } from '../../runtime/pmml/types.js';

const compilers = MODEL_REGISTRY.map((m) => m.compiler);

function compile(xml: string) {
  return compileDocument(decodePmmlXml(new TextEncoder().encode(xml)).root, compilers);
}

const ITEMS = `
  <Item id="1" value="bread"/><Item id="2" value="milk"/><Item id="3" value="butter"/><Item id="4" value="beer"/>
  <Itemset id="s1"><ItemRef itemRef="1"/></Itemset>
  <Itemset id="s2"><ItemRef itemRef="2"/></Itemset>
  <Itemset id="s3"><ItemRef itemRef="1"/><ItemRef itemRef="2"/></Itemset>
  <Itemset id="s4"><ItemRef itemRef="3"/></Itemset>
  <Itemset id="s5"><ItemRef itemRef="4"/></Itemset>
  <Itemset id="s6"><ItemRef itemRef="2"/><ItemRef itemRef="3"/></Itemset>
  <AssociationRule id="a" antecedent="s1" consequent="s2" support="0.4" confidence="0.8" lift="1.2"/>
  <AssociationRule antecedent="s3" consequent="s4" support="0.2" confidence="0.5" lift="2"/>
  <AssociationRule id="c" antecedent="s5" consequent="s1" support="0.1" confidence="0.3" lift="0.9"/>
  <AssociationRule id="d" antecedent="s1" consequent="s6" support="0.15" confidence="0.35" lift="1.5" leverage="0.05" affinity="0.25"/>`;

const OUTPUT = `
  <OutputField name="rec1" feature="ruleValue" ruleFeature="ruleId" algorithm="recommendation" rank="1"/>
  <OutputField name="rec2" feature="ruleValue" ruleFeature="ruleId" algorithm="recommendation" rank="2"/>
  <OutputField name="rec3" feature="ruleValue" ruleFeature="ruleId" algorithm="recommendation" rank="3"/>
  <OutputField name="rec4" feature="ruleValue" ruleFeature="ruleId" algorithm="recommendation" rank="4"/>
  <OutputField name="recLift2" feature="ruleValue" ruleFeature="ruleId" algorithm="recommendation" rank="2" rankBasis="lift" rankOrder="ascending"/>
  <OutputField name="ex1" feature="ruleValue" ruleFeature="ruleId" algorithm="exclusiveRecommendation" rank="1"/>
  <OutputField name="ex1cons" feature="ruleValue" ruleFeature="consequent" algorithm="exclusiveRecommendation" rank="1"/>
  <OutputField name="ex2" feature="ruleValue" ruleFeature="ruleId" algorithm="exclusiveRecommendation" rank="2"/>
  <OutputField name="ex3" feature="ruleValue" ruleFeature="ruleId" algorithm="exclusiveRecommendation" rank="3"/>
  <OutputField name="assoc1" feature="ruleValue" ruleFeature="rule" algorithm="ruleAssociation" rank="1"/>
  <OutputField name="assoc2" feature="ruleValue" ruleFeature="ruleId" algorithm="ruleAssociation" rank="2"/>
  <OutputField name="recAff" feature="ruleValue" ruleFeature="affinity" algorithm="recommendation" rank="3" rankBasis="support"/>`;

function transactional(): string {
  return `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary>
    <DataField name="tid" optype="categorical" dataType="string"/>
    <DataField name="item" optype="categorical" dataType="string"/>
  </DataDictionary>
  <AssociationModel functionName="associationRules" numberOfTransactions="10" minimumSupport="0.1" minimumConfidence="0.3" numberOfItems="4" numberOfItemsets="6" numberOfRules="4">
    <MiningSchema><MiningField name="tid" usageType="group"/><MiningField name="item"/></MiningSchema>
    <Output>${OUTPUT}</Output>
    ${ITEMS}
  </AssociationModel>
</PMML>`;
}

test('transaction {bread, milk}: the three algorithms', () => {
  const d = compile(transactional());
  const r = d.score({ tid: 't1', item: ['bread', 'milk'] });
  // recommendation: a (0.8), 2 (0.5), d (0.35) by confidence; c (beer) does not apply.
  assert.deepEqual([r.rec1, r.rec2, r.rec3, r.rec4], ['a', '2', 'd', null]);
  // by lift ascending: a (1.2), d (1.5), 2 (2)
  assert.equal(r.recLift2, 'd');
  // exclusiveRecommendation: a's consequent {milk} is in the transaction; 2 → {butter}, d → {milk, butter} are not.
  assert.deepEqual([r.ex1, r.ex1cons, r.ex2, r.ex3], ['2', '{butter}', 'd', null]);
  // ruleAssociation: antecedent and consequent both present: only a.
  assert.deepEqual([r.assoc1, r.assoc2], ['{bread}->{milk}', null]);
  // by support: a (0.4), 2 (0.2), d (0.15); d's affinity is 0.25
  assert.equal(r.recAff, 0.25);
});

test('other transactions: {beer}, {}, unknown items, duplicates', () => {
  const d = compile(transactional());
  const beer = d.score({ tid: 't2', item: ['beer'] });
  assert.deepEqual([beer.rec1, beer.rec2, beer.ex1, beer.ex1cons, beer.assoc1], ['c', null, 'c', '{bread}', null]);
  const empty = d.score({ tid: 't3', item: [] });
  assert.deepEqual([empty.rec1, empty.ex1, empty.assoc1], [null, null, null]);
  const unknown = d.score({ tid: 't4', item: ['cheese', 'milk'] });
  assert.deepEqual([unknown.rec1, unknown.ex1], [null, null]);
  const all = d.score({ tid: 't5', item: ['milk', 'butter', 'bread', 'bread', 'beer'] });
  // every antecedent present; consequents all present: nothing is exclusive, everything associates
  assert.deepEqual([all.rec1, all.ex1, all.assoc2], ['a', null, '2']);
  // a single value counts as a one-item transaction
  assert.equal(d.score({ tid: 't6', item: 'beer' }).rec1, 'c');
});

test('field-based items: boolean fields by name and "field=category"', () => {
  const d = compile(`<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary>
    <DataField name="bread" optype="categorical" dataType="string"/>
    <DataField name="milk" optype="categorical" dataType="boolean"/>
    <DataField name="color" optype="categorical" dataType="string"/>
  </DataDictionary>
  <AssociationModel functionName="associationRules" numberOfTransactions="10" minimumSupport="0.1" minimumConfidence="0.3" numberOfItems="3" numberOfItemsets="3" numberOfRules="2">
    <MiningSchema><MiningField name="bread"/><MiningField name="milk"/><MiningField name="color"/></MiningSchema>
    <Output>
      <OutputField name="rec1" feature="ruleValue" ruleFeature="ruleId" algorithm="recommendation" rank="1"/>
      <OutputField name="rec2" feature="ruleValue" ruleFeature="ruleId" algorithm="recommendation" rank="2"/>
      <OutputField name="ex1" feature="ruleValue" ruleFeature="consequent" algorithm="exclusiveRecommendation" rank="1"/>
    </Output>
    <Item id="1" value="bread"/><Item id="2" value="milk"/><Item id="3" value="color=red"/>
    <Itemset id="1"><ItemRef itemRef="1"/></Itemset>
    <Itemset id="2"><ItemRef itemRef="2"/></Itemset>
    <Itemset id="3"><ItemRef itemRef="3"/></Itemset>
    <AssociationRule id="r1" antecedent="1" consequent="2" support="0.3" confidence="0.9"/>
    <AssociationRule id="r2" antecedent="3" consequent="1" support="0.2" confidence="0.6"/>
  </AssociationModel>
</PMML>`);
  const r = d.score({ bread: 'true', milk: 'false', color: 'red' });
  assert.deepEqual([r.rec1, r.rec2, r.ex1], ['r1', 'r2', '{milk}']);
  const s = d.score({ bread: 'false', milk: true, color: 'blue' });
  assert.deepEqual([s.rec1, s.ex1], [null, null]);
});

test('compile errors: unknown item or itemset references, duplicate ids', () => {
  const bad = (items: string) => transactional().replace(ITEMS, items);
  assert.throws(() => compile(bad('<Item id="1" value="a"/><Itemset id="s"><ItemRef itemRef="9"/></Itemset>')), /itemRef="9"/);
  assert.throws(() => compile(bad(`<Item id="1" value="a"/><Itemset id="s"><ItemRef itemRef="1"/></Itemset>
    <AssociationRule antecedent="s" consequent="t" support="0.1" confidence="0.5"/>`)),
  (e: unknown) => e instanceof PmmlCompileError && /AssociationRule/.test(e.path) && /consequent="t"/.test(e.detail));
  assert.throws(() => compile(bad('<Item id="1" value="a"/><Item id="1" value="b"/>')), /used by an earlier Item/);
});

test('RuleMatch lists carry the rule fields (direct compile with a minimal context)', () => {
  const el: El = decodePmmlXml(new TextEncoder().encode(transactional())).root.c.find((c) => c.n === 'AssociationModel')!;
  let items: readonly Value[] = [];
  const ctx = {
    path: 'PMML/AssociationModel',
    functionName: 'associationRules',
    activeFields: [{ name: 'item', dataType: 'string', optype: 'categorical' }],
    scope: {
      resolve: (name: string) => ({ info: { name, dataType: 'string', optype: 'categorical' }, get: () => null }),
      has: (name: string) => name === 'item',
    },
    items: () => () => items,
  } as unknown as ModelContext;
  const run = associationModel.compile(el, ctx);
  items = ['bread', 'milk'];
  const r: ModelResult = run({ __env: true });
  assert.equal(r.value, null);
  assert.deepEqual(r.rules?.recommendation.map((m) => m.id), ['a', '2', 'd']);
  assert.deepEqual(r.rules?.exclusiveRecommendation.map((m) => m.id), ['2', 'd']);
  assert.deepEqual(r.rules?.ruleAssociation.map((m) => m.id), ['a']);
  const d = r.rules!.recommendation[2];
  assert.deepEqual(d, { id: 'd', antecedent: ['bread'], consequent: ['milk', 'butter'], support: 0.15, confidence: 0.35, lift: 1.5, leverage: 0.05, affinity: 0.25 });
  assert.equal(r.rules!.recommendation[1].leverage, null);
});
