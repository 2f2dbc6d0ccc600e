// predicates.ts: SimplePredicate operators, SimpleSetPredicate, CompoundPredicate
// with PMML's three-valued logic (UNKNOWN when a value is missing), True/False.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PmmlCompileError, PmmlUnsupportedError } from '../../runtime/pmml/el.js';
import { isPredicateElement, predicateChild } from '../../runtime/pmml/predicates.js';
import type { ModelCompiler } from '../../runtime/pmml/types.js';
import { compile, pmml, throwsAt } from './core-support.js';

/** A model that reports the truth of its predicate child: "true", "false" or "null" (UNKNOWN). */
const truthModel: ModelCompiler = {
  element: 'RuleSetModel',
  compile(el, ctx) {
    const pe = predicateChild(el)!;
    const p = ctx.predicate(pe, `${ctx.path}/${pe.n}`);
    return (env) => ({ value: String(p(env)) });
  },
};

const DICT = `
  <DataField name="x" optype="continuous" dataType="double"/>
  <DataField name="n" optype="continuous" dataType="integer"/>
  <DataField name="c" optype="categorical" dataType="string"><Value value="a"/><Value value="b"/><Value value="c d"/></DataField>
  <DataField name="o" optype="ordinal" dataType="string"><Value value="low"/><Value value="mid"/><Value value="high"/></DataField>
  <DataField name="b" optype="categorical" dataType="boolean"/>
  <DataField name="y" optype="categorical" dataType="string"/>`;

function truth(predicate: string): (record: Record<string, unknown>) => unknown {
  const doc = compile(pmml(DICT, `<RuleSetModel functionName="classification">
    <MiningSchema><MiningField name="x" invalidValueTreatment="asIs"/><MiningField name="n" invalidValueTreatment="asIs"/><MiningField name="c" invalidValueTreatment="asIs"/><MiningField name="o" invalidValueTreatment="asIs"/><MiningField name="b" invalidValueTreatment="asIs"/><MiningField name="y" usageType="target"/></MiningSchema>
    ${predicate}</RuleSetModel>`), [truthModel]);
  return (record) => doc.score(record).y;
}

test('isPredicateElement', () => {
  for (const n of ['SimplePredicate', 'CompoundPredicate', 'SimpleSetPredicate', 'True', 'False']) assert.ok(isPredicateElement(n));
  assert.ok(!isPredicateElement('Node'));
});

test('True and False', () => {
  assert.equal(truth('<True/>')({}), 'true');
  assert.equal(truth('<False/>')({}), 'false');
});

test('SimplePredicate: numeric operators and missing values', () => {
  const cases: [string, number, string][] = [
    ['equal', 2, 'true'], ['equal', 3, 'false'], ['notEqual', 2, 'false'], ['notEqual', 3, 'true'],
    ['lessThan', 1.5, 'true'], ['lessThan', 2, 'false'], ['lessOrEqual', 2, 'true'], ['lessOrEqual', 2.5, 'false'],
    ['greaterThan', 2.5, 'true'], ['greaterThan', 2, 'false'], ['greaterOrEqual', 2, 'true'], ['greaterOrEqual', 1.5, 'false'],
  ];
  for (const [op, x, want] of cases) {
    const t = truth(`<SimplePredicate field="x" operator="${op}" value="2"/>`);
    assert.equal(t({ x }), want, `${x} ${op} 2`);
    assert.equal(t({ x: String(x) }), want, `"${x}" ${op} 2`);
    assert.equal(t({}), 'null', `missing ${op} 2 is UNKNOWN`);
  }
  assert.equal(truth('<SimplePredicate field="x" operator="isMissing"/>')({}), 'true');
  assert.equal(truth('<SimplePredicate field="x" operator="isMissing"/>')({ x: 0 }), 'false');
  assert.equal(truth('<SimplePredicate field="x" operator="isNotMissing"/>')({ x: 0 }), 'true');
  assert.equal(truth('<SimplePredicate field="x" operator="isNotMissing"/>')({ x: null }), 'false');
  // the literal is converted to the field's type: 2.0 equals 2
  assert.equal(truth('<SimplePredicate field="x" operator="equal" value="2.0"/>')({ x: 2 }), 'true');
  // a non-integral threshold on an integer field still compares numerically
  assert.equal(truth('<SimplePredicate field="n" operator="lessThan" value="2.5"/>')({ n: 2 }), 'true');
  assert.equal(truth('<SimplePredicate field="n" operator="lessThan" value="2.5"/>')({ n: 3 }), 'false');
});

test('SimplePredicate: strings, ordinal order, booleans', () => {
  assert.equal(truth('<SimplePredicate field="c" operator="equal" value="a"/>')({ c: 'a' }), 'true');
  assert.equal(truth('<SimplePredicate field="c" operator="equal" value="a"/>')({ c: 'b' }), 'false');
  assert.equal(truth('<SimplePredicate field="c" operator="notEqual" value="a"/>')({ c: 'b' }), 'true');
  // ordinal fields compare by the order of their Values, not alphabetically
  assert.equal(truth('<SimplePredicate field="o" operator="lessThan" value="high"/>')({ o: 'mid' }), 'true');
  assert.equal(truth('<SimplePredicate field="o" operator="greaterThan" value="low"/>')({ o: 'high' }), 'true');
  assert.equal(truth('<SimplePredicate field="o" operator="lessOrEqual" value="low"/>')({ o: 'mid' }), 'false');
  assert.equal(truth('<SimplePredicate field="b" operator="equal" value="true"/>')({ b: true }), 'true');
  assert.equal(truth('<SimplePredicate field="b" operator="equal" value="true"/>')({ b: 'false' }), 'false');
});

test('SimpleSetPredicate: isIn / isNotIn with quoted entries', () => {
  const isIn = truth('<SimpleSetPredicate field="c" booleanOperator="isIn"><Array type="string" n="2">a "c d"</Array></SimpleSetPredicate>');
  assert.equal(isIn({ c: 'a' }), 'true');
  assert.equal(isIn({ c: 'c d' }), 'true');
  assert.equal(isIn({ c: 'b' }), 'false');
  assert.equal(isIn({}), 'null');
  const notIn = truth('<SimpleSetPredicate field="c" booleanOperator="isNotIn"><Array type="string">a b</Array></SimpleSetPredicate>');
  assert.equal(notIn({ c: 'a' }), 'false');
  assert.equal(notIn({ c: 'c d' }), 'true');
  assert.equal(notIn({}), 'null');
  const nums = truth('<SimpleSetPredicate field="x" booleanOperator="isIn"><Array type="real">1 2.5 3</Array></SimpleSetPredicate>');
  assert.equal(nums({ x: 1 }), 'true');
  assert.equal(nums({ x: '2.50' }), 'true');
  assert.equal(nums({ x: 2 }), 'false');
});

// x < 0 is true for -1, false for 1, UNKNOWN when x is missing; the same for n.
const T = '<SimplePredicate field="x" operator="lessThan" value="0"/>';
function compound(op: string, ...parts: string[]): string {
  return `<CompoundPredicate booleanOperator="${op}">${parts.join('')}</CompoundPredicate>`;
}
const VALUES: [string, Record<string, unknown>][] = [['true', { x: -1 }], ['false', { x: 1 }], ['null', {}]];
const N = '<SimplePredicate field="n" operator="lessThan" value="0"/>';
const NVALUES: [string, Record<string, unknown>][] = [['true', { n: -1 }], ['false', { n: 1 }], ['null', {}]];

function table(op: string, expect: (a: string, b: string) => string): void {
  const t = truth(compound(op, T, N));
  for (const [a, ra] of VALUES) for (const [b, rb] of NVALUES) assert.equal(t({ ...ra, ...rb }), expect(a, b), `${a} ${op} ${b}`);
}

test('CompoundPredicate and: three-valued truth table', () => {
  table('and', (a, b) => (a === 'false' || b === 'false' ? 'false' : a === 'null' || b === 'null' ? 'null' : 'true'));
});

test('CompoundPredicate or: three-valued truth table', () => {
  table('or', (a, b) => (a === 'true' || b === 'true' ? 'true' : a === 'null' || b === 'null' ? 'null' : 'false'));
});

test('CompoundPredicate xor: UNKNOWN when any part is UNKNOWN', () => {
  table('xor', (a, b) => (a === 'null' || b === 'null' ? 'null' : String(a !== b)));
  // three parts: odd number of true
  const t = truth(compound('xor', '<True/>', '<True/>', '<True/>'));
  assert.equal(t({}), 'true');
});

test('CompoundPredicate surrogate: the first part that is not UNKNOWN decides', () => {
  table('surrogate', (a, b) => (a !== 'null' ? a : b));
  const t = truth(compound('surrogate', T, N, '<False/>'));
  assert.equal(t({}), 'false', 'falls through to the last surrogate');
  assert.equal(t({ n: -5 }), 'true');
});

test('nested compound predicates', () => {
  const t = truth(compound('or', compound('and', T, N), '<SimplePredicate field="c" operator="equal" value="a"/>'));
  assert.equal(t({ x: -1, n: -1 }), 'true');
  assert.equal(t({ x: -1, c: 'b' }), 'null');
  assert.equal(t({ x: 1, c: 'b' }), 'false');
  assert.equal(t({ c: 'a' }), 'true');
});

test('predicate errors name the element path and the field', () => {
  throwsAt(() => truth('<SimplePredicate field="nope" operator="equal" value="1"/>'), PmmlCompileError, 'PMML/RuleSetModel/SimplePredicate', '"nope"');
  throwsAt(() => truth('<SimplePredicate field="x" operator="equal" value="abc"/>'), PmmlCompileError, 'PMML/RuleSetModel/SimplePredicate', '"abc"');
  throwsAt(() => truth('<SimplePredicate field="x" operator="equal"/>'), PmmlCompileError, 'value');
  throwsAt(() => truth('<SimplePredicate field="x" operator="like" value="1"/>'), PmmlUnsupportedError, 'operator="like"');
  throwsAt(() => truth('<CompoundPredicate booleanOperator="nand"><True/><True/></CompoundPredicate>'), PmmlUnsupportedError, 'booleanOperator');
  throwsAt(() => truth(compound('and', '<True/>', '<SimplePredicate field="zz" operator="isMissing"/>')), PmmlCompileError, 'CompoundPredicate/SimplePredicate', '"zz"');
  throwsAt(() => truth('<SimpleSetPredicate field="c" booleanOperator="isIn"/>'), PmmlCompileError, 'Array');
});

test('date and time fields: ISO literals in predicates and ISO or numeric inputs', () => {
  const doc = (dt: string, op: string, value: string) => compile(pmml(`<DataField name="d" optype="continuous" dataType="${dt}"/><DataField name="y" optype="categorical" dataType="string"/>`,
    `<RuleSetModel functionName="classification"><MiningSchema><MiningField name="d"/><MiningField name="y" usageType="target"/></MiningSchema>
    <SimplePredicate field="d" operator="${op}" value="${value}"/></RuleSetModel>`), [truthModel]);
  const date = doc('date', 'lessThan', '2020-02-01');
  assert.equal(date.score({ d: '2020-01-31' }).y, 'true');
  assert.equal(date.score({ d: '2020-02-01' }).y, 'false');
  assert.equal(date.score({ d: 18292 }).y, 'true', '2020-01-31 is day 18292 since 1970');
  assert.match(String(date.score({ d: '31/01/2020' }).$error), /31\/01\/2020/);
  const since = doc('dateDaysSince[1960]', 'equal', '1960-01-03');
  assert.equal(since.score({ d: 2 }).y, 'true');
  assert.equal(since.score({ d: '1960-01-03' }).y, 'true');
  const dtm = doc('dateTime', 'greaterOrEqual', '2020-01-31T12:00:00');
  assert.equal(dtm.score({ d: '2020-01-31T12:00:00' }).y, 'true');
  assert.equal(dtm.score({ d: '2020-01-31T11:59:59' }).y, 'false');
  assert.equal(dtm.score({ d: '2020-02-01' }).y, 'true', 'a bare date is midnight');
  const time = doc('time', 'lessThan', '12:30:00');
  assert.equal(time.score({ d: '08:00:00' }).y, 'true');
  assert.equal(time.score({ d: 44999 }).y, 'true', '12:30 is 45000 s');
  assert.equal(time.score({ d: 45000 }).y, 'false');
});
