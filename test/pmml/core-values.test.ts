// values.ts: conversions of caller values and document literals, category keys,
// comparisons, and the date/time representations.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PmmlCompileError } from '../../runtime/pmml/el.js';
import {
  castTemporal, castTo, categoryKey, civilFromDays, compareValues, convertInput, daysFromCivil, INVALID, isNumericType,
  parseDataType, parseIsoDate, parseIsoDateTime, parseIsoTime, parseOpType, parseValue, toNumber, valuesEqual,
} from '../../runtime/pmml/values.js';

test('convertInput: missing values', () => {
  for (const dt of ['double', 'integer', 'string', 'boolean', 'date'] as const) {
    assert.equal(convertInput(null, dt), null);
    assert.equal(convertInput(undefined, dt), null);
    assert.equal(convertInput(NaN, dt), null);
  }
  assert.equal(convertInput('', 'double'), null);
  assert.equal(convertInput('', 'string'), '');
});

test('convertInput: numbers', () => {
  assert.equal(convertInput('3.5', 'double'), 3.5);
  assert.equal(convertInput(' 3.5 ', 'double'), 3.5);
  assert.equal(convertInput('1e3', 'double'), 1000);
  assert.equal(convertInput('abc', 'double'), INVALID);
  assert.equal(convertInput('INF', 'double'), Infinity);
  assert.equal(convertInput('2', 'integer'), 2);
  assert.equal(convertInput('2.0', 'integer'), 2);
  assert.equal(convertInput(2.5, 'integer'), INVALID);
  assert.equal(convertInput('2.5', 'integer'), INVALID);
  assert.equal(convertInput(true, 'double'), 1);
  assert.equal(convertInput(0.1, 'float'), Math.fround(0.1));
});

test('convertInput: booleans and strings', () => {
  assert.equal(convertInput('true', 'boolean'), true);
  assert.equal(convertInput('FALSE', 'boolean'), false);
  assert.equal(convertInput(1, 'boolean'), true);
  assert.equal(convertInput(0, 'boolean'), false);
  assert.equal(convertInput('0', 'boolean'), false);
  assert.equal(convertInput('yes', 'boolean'), INVALID);
  assert.equal(convertInput(2, 'boolean'), INVALID);
  assert.equal(convertInput(1, 'string'), '1');
  assert.equal(convertInput(1.5, 'string'), '1.5');
  assert.equal(convertInput(true, 'string'), 'true');
  assert.equal(convertInput({}, 'string'), INVALID);
});

test('parseValue: document literals and errors naming the path', () => {
  assert.equal(parseValue('1.0', 'double', 'P'), 1);
  assert.equal(parseValue(' a ', 'string', 'P'), ' a ');
  assert.throws(() => parseValue('x', 'double', 'PMML/DataDictionary/DataField[name="a"]/Value'), (e: unknown) =>
    e instanceof PmmlCompileError && e.path === 'PMML/DataDictionary/DataField[name="a"]/Value');
  assert.throws(() => parseValue('', 'integer', 'P'), PmmlCompileError);
});

test('parseDataType and parseOpType', () => {
  assert.equal(parseDataType('double', 'P'), 'double');
  assert.equal(parseDataType('dateDaysSince[1960]', 'P'), 'dateDaysSince[1960]');
  assert.throws(() => parseDataType('real', 'P'), PmmlCompileError);
  assert.throws(() => parseDataType(undefined, 'P'), PmmlCompileError);
  assert.equal(parseOpType(undefined, 'integer', 'P'), 'continuous');
  assert.equal(parseOpType(undefined, 'string', 'P'), 'categorical');
  assert.equal(parseOpType(undefined, 'boolean', 'P'), 'categorical');
  assert.equal(parseOpType('ordinal', 'double', 'P'), 'ordinal');
  assert.throws(() => parseOpType('nominal', 'double', 'P'), PmmlCompileError);
  assert.ok(isNumericType('date') && isNumericType('float') && !isNumericType('string'));
});

test('categoryKey, valuesEqual, compareValues, toNumber', () => {
  assert.equal(categoryKey(1), '1');
  assert.equal(categoryKey(1.0), categoryKey(parseValue('1.0', 'double', 'P')));
  assert.equal(categoryKey(-0), '0');
  assert.equal(categoryKey(true), 'true');
  assert.equal(categoryKey('x'), 'x');
  assert.ok(valuesEqual(1, 1.0));
  assert.ok(valuesEqual(1, '1.0'));
  assert.ok(valuesEqual(true, 1));
  assert.ok(!valuesEqual('a', 'b'));
  assert.ok(!valuesEqual(null, 0));
  assert.ok(compareValues(2, 10) < 0);
  assert.ok(compareValues('10', '2') < 0, 'strings are not compared numerically');
  assert.ok(compareValues('b', 'a') > 0);
  assert.ok(compareValues('B', 'a') < 0, 'strings compare by code unit');
  assert.equal(toNumber('2.5'), 2.5);
  assert.equal(toNumber(false), 0);
  assert.ok(Number.isNaN(toNumber('x')));
  assert.ok(Number.isNaN(toNumber(null)));
});

test('castTo: between data types', () => {
  assert.equal(castTo(2.5, 'integer'), 3);
  assert.equal(castTo(-2.5, 'integer'), -3);
  assert.equal(castTo(2.4, 'integer'), 2);
  assert.equal(castTo('7', 'integer'), 7);
  assert.equal(castTo(3, 'string'), '3');
  assert.equal(castTo(true, 'double'), 1);
  assert.equal(castTo('1', 'boolean'), true);
  assert.equal(castTo('x', 'double'), INVALID);
  assert.equal(castTo(null, 'double'), null);
  assert.equal(castTo(0.1, 'float'), Math.fround(0.1));
});

test('calendar helpers', () => {
  assert.equal(daysFromCivil(1970, 1, 1), 0);
  assert.equal(daysFromCivil(2000, 3, 1), 11017);
  assert.equal(daysFromCivil(1960, 1, 1), -3653);
  assert.deepEqual(civilFromDays(0), { year: 1970, month: 1, day: 1 });
  assert.deepEqual(civilFromDays(11016), { year: 2000, month: 2, day: 29 });
  for (const d of [-800000, -3653, -1, 0, 1, 59, 365, 10957, 20000, 800000]) {
    const { year, month, day } = civilFromDays(d);
    assert.equal(daysFromCivil(year, month, day), d);
  }
  assert.equal(parseIsoDate('2020-01-31'), daysFromCivil(2020, 1, 31));
  assert.equal(parseIsoDate('2019-02-29'), undefined);
  assert.equal(parseIsoTime('10:00:30'), 36030);
  assert.equal(parseIsoTime('25:00:00'), undefined);
  assert.equal(parseIsoDateTime('1970-01-02T00:00:01'), 86401);
});

test('date/time data types: ISO strings and numbers', () => {
  // PMML DataDictionary example: 2003-04-01 as dateDaysSince[1960] is 15796.
  assert.equal(convertInput('2003-04-01', 'dateDaysSince[1960]'), 15796);
  assert.equal(convertInput('1960-01-03', 'dateDaysSince[1960]'), 2);
  assert.equal(convertInput('1970-01-01', 'date'), 0);
  assert.equal(convertInput(15796, 'dateDaysSince[1960]'), 15796);
  assert.equal(convertInput('1960-01-01T00:01:00', 'dateTimeSecondsSince[1960]'), 60);
  assert.equal(convertInput('2020-01-31T10:00:00', 'dateTime'), daysFromCivil(2020, 1, 31) * 86400 + 36000);
  assert.equal(convertInput('10:00:00', 'time'), 36000);
  assert.equal(convertInput('19:30:00', 'timeSeconds'), 70200);
  assert.equal(convertInput('not a date', 'date'), INVALID);
  assert.equal(convertInput('0000-01-01', 'dateDaysSince[0]'), 0);
  assert.equal(castTemporal(0, 'date', 'dateDaysSince[1960]'), 3653);
  assert.equal(castTemporal(1, 'date', 'dateTime'), 86400);
});
