import assert from 'node:assert/strict';
import { test } from 'node:test';
import { call, compiled, evaluate } from './expressions-helpers.js';

test('isMissing and isNotMissing see missing inputs', () => {
  assert.equal(call('isMissing', null), true);
  assert.equal(call('isMissing', 1), false);
  assert.equal(call('isNotMissing', null), false);
  assert.equal(call('isNotMissing', 'x'), true);
  const f = compiled('<Apply function="isMissing"><FieldRef field="x"/></Apply>', { fields: { x: 'double' } });
  assert.equal(f({ x: null }), true);
  assert.equal(f({ x: 3 }), false);
});

test('isValid and isNotValid check a field against its valid values', () => {
  const fields = { c: { dataType: 'string' as const, optype: 'categorical' as const } };
  const valid = compiled('<Apply function="isValid"><FieldRef field="c"/></Apply>', { fields });
  const notValid = compiled('<Apply function="isNotValid"><FieldRef field="c"/></Apply>', { fields });
  // without a definition (Values/Intervals) every present value is valid
  assert.equal(valid({ c: 'a' }), true);
  assert.equal(valid({ c: null }), false);
  assert.equal(notValid({ c: 'a' }), false);
  assert.equal(notValid({ c: null }), false);
  assert.equal(call('isValid', 3), true);
  assert.equal(call('isValid', null), false);
  assert.equal(call('isValid', NaN), false);
  assert.equal(call('isNotValid', NaN), true);
  assert.equal(call('isNotValid', null), false);
});

test('comparisons: numbers numerically, strings by code unit, missing gives missing', () => {
  assert.equal(call('equal', 2, 2), true);
  assert.equal(call('equal', 'a', 'a'), true);
  assert.equal(call('equal', 'a', 'b'), false);
  assert.equal(evaluate('<Apply function="equal"><Constant dataType="string">1</Constant><Constant dataType="double">1.0</Constant></Apply>'), true);
  assert.equal(call('notEqual', 2, 3), true);
  assert.equal(call('lessThan', 2, 3), true);
  assert.equal(call('lessThan', 3, 3), false);
  assert.equal(call('lessOrEqual', 3, 3), true);
  assert.equal(call('greaterThan', 'b', 'a'), true);
  assert.equal(call('greaterOrEqual', 2, 3), false);
  assert.equal(call('equal', null, 1), null);
  assert.equal(call('lessThan', 1, null), null);
});

test('and/or use three-valued logic; not of missing is missing', () => {
  assert.equal(call('and', true, true, true), true);
  assert.equal(call('and', true, false), false);
  assert.equal(call('and', true, null), null);
  assert.equal(call('and', false, null), false);
  assert.equal(call('or', false, false), false);
  assert.equal(call('or', false, true), true);
  assert.equal(call('or', true, null), true);
  assert.equal(call('or', false, null), null);
  assert.equal(call('not', true), false);
  assert.equal(call('not', false), true);
  assert.equal(call('not', null), null);
});

test('and/or stop at the first decisive argument', () => {
  // the second argument would be an invalid result (1/0) if it were evaluated
  const xml = (fn: string, first: boolean) => `<Apply function="${fn}"><Constant dataType="boolean">${first}</Constant><Apply function="equal"><Apply function="/"><Constant>1</Constant><Constant>0</Constant></Apply><Constant>1</Constant></Apply></Apply>`;
  assert.equal(evaluate(xml('and', false)), false);
  assert.equal(evaluate(xml('or', true)), true);
  assert.throws(() => evaluate(xml('and', true)));
});

test('isIn and isNotIn', () => {
  assert.equal(call('isIn', 2, 1, 2, 3), true);
  assert.equal(call('isIn', 'b', 'a', 'c'), false);
  assert.equal(call('isNotIn', 'b', 'a', 'c'), true);
  assert.equal(call('isIn', null, 'a'), null);
});

test('if evaluates only the branch it takes', () => {
  assert.equal(call('if', true, 'yes', 'no'), 'yes');
  assert.equal(call('if', false, 'yes', 'no'), 'no');
  assert.equal(call('if', false, 'yes'), null);
  assert.equal(call('if', null, 'yes', 'no'), null);
  // the branch not taken would divide by zero
  const xml = `<Apply function="if"><FieldRef field="c"/><Constant>1</Constant><Apply function="/"><Constant>1</Constant><Constant>0</Constant></Apply></Apply>`;
  const f = compiled(xml, { fields: { c: 'boolean' } });
  assert.equal(f({ c: true }), 1);
  assert.throws(() => f({ c: false }));
  // a missing branch value stays missing
  assert.equal(call('if', true, null, 2), null);
});

test('mapMissingTo and defaultValue around functions with their own missing rules', () => {
  // mapMissingTo: any missing input → the function is not applied
  assert.equal(evaluate('<Apply function="isMissing" mapMissingTo="-1"><Constant missing="true"/></Apply>'), -1);
  // defaultValue: the function gave missing
  assert.equal(evaluate('<Apply function="if" defaultValue="none"><Constant dataType="boolean">false</Constant><Constant>1</Constant></Apply>'), 'none');
  // and(false, missing) would be false; with mapMissingTo every input is looked at first
  assert.equal(evaluate('<Apply function="and" mapMissingTo="true"><Constant dataType="boolean">false</Constant><Constant missing="true"/></Apply>'), true);
});
