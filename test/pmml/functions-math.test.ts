import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InvalidResult } from '../../runtime/pmml/env.js';
import { builtinNames, lookupBuiltin } from '../../runtime/pmml/functions.js';
import { erf, erfc, modulo, rint, stdNormalCdf, stdNormalIdf } from '../../runtime/pmml/functions/numeric.js';
import { apply, call, evaluate, near } from './expressions-helpers.js';

test('every PMML 4.4 built-in is registered, and only those', () => {
  const spec = [
    '+', '-', '*', '/', 'min', 'max', 'sum', 'avg', 'median', 'product',
    'log10', 'ln', 'sqrt', 'abs', 'exp', 'pow', 'threshold', 'floor', 'ceil', 'round', 'modulo',
    'isMissing', 'isNotMissing', 'isValid', 'isNotValid',
    'equal', 'notEqual', 'lessThan', 'lessOrEqual', 'greaterThan', 'greaterOrEqual',
    'and', 'or', 'not', 'isIn', 'isNotIn', 'if',
    'uppercase', 'lowercase', 'stringLength', 'substring', 'trimBlanks', 'concat', 'replace', 'matches',
    'formatNumber', 'formatDatetime', 'dateDaysSinceYear', 'dateSecondsSinceYear', 'dateSecondsSinceMidnight',
    'normalCDF', 'normalPDF', 'stdNormalCDF', 'stdNormalPDF', 'erf', 'normalIDF', 'stdNormalIDF',
    'expm1', 'hypot', 'ln1p', 'rint',
    'sin', 'asin', 'sinh', 'cos', 'acos', 'cosh', 'tan', 'atan', 'tanh',
  ];
  assert.deepEqual([...builtinNames()].sort(), [...spec].sort());
  for (const name of spec) assert.equal(lookupBuiltin(name)?.name, name);
  assert.equal(lookupBuiltin('nosuch'), undefined);
});

test('lookupBuiltin().call applies the missing-value rules and checks arity', () => {
  const plus = lookupBuiltin('+')!;
  assert.equal(plus.minArgs, 2);
  assert.equal(plus.maxArgs, 2);
  assert.equal(plus.call([2, 3]), 5);
  assert.equal(plus.call([2, null]), null);
  assert.throws(() => plus.call([1]), RangeError);
  assert.equal(lookupBuiltin('max')!.maxArgs, Infinity);
  assert.equal(lookupBuiltin('max')!.call([null, 3, 7, null]), 7);
  assert.equal(lookupBuiltin('isMissing')!.call([null]), true);
});

test('arithmetic: the spec example and missing inputs', () => {
  assert.equal(call('-', 2.5, 4), -1.5);
  assert.equal(call('+', 2.5, 4), 6.5);
  assert.equal(call('*', 2.5, 4), 10);
  assert.equal(call('/', 1, 4), 0.25);
  assert.equal(call('+', 1, null), null);
  assert.equal(call('*', null, 2), null);
  // numeric strings take part as numbers
  assert.equal(evaluate('<Apply function="+"><Constant>2</Constant><Constant dataType="string">3</Constant></Apply>'), 5);
});

test('division by zero is an invalid result: returnInvalid, asIs, asMissing', () => {
  assert.throws(() => call('/', 1, 0), InvalidResult);
  assert.throws(() => call('/', 0, 0), InvalidResult);
  const asIs = evaluate('<Apply function="/" invalidValueTreatment="asIs"><Constant>1</Constant><Constant>0</Constant></Apply>');
  assert.equal(asIs, Infinity);
  const asMissing = evaluate('<Apply function="/" invalidValueTreatment="asMissing"><Constant>1</Constant><Constant>0</Constant></Apply>');
  assert.equal(asMissing, null);
  const withDefault = evaluate('<Apply function="/" invalidValueTreatment="asMissing" defaultValue="-1"><Constant>1</Constant><Constant>0</Constant></Apply>');
  assert.equal(withDefault, -1);
  // other domain errors
  assert.throws(() => call('ln', 0), InvalidResult);
  assert.throws(() => call('sqrt', -1), InvalidResult);
  assert.throws(() => call('log10', -5), InvalidResult);
  // NaN and INF constants pass through arithmetic as IEEE values (the inputs are not finite)
  assert.ok(Number.isNaN(call('+', NaN, 1) as number));
  assert.equal(call('*', Infinity, 2), Infinity);
  assert.ok(Number.isNaN(call('-', Infinity, Infinity) as number));
});

test('aggregations ignore missing inputs; all missing gives missing', () => {
  assert.equal(call('min', 2.5, 4, 1.5), 1.5);
  assert.equal(call('max', 2.5, 4, 1.5), 4);
  assert.equal(call('sum', 2.5, 4, 1.5), 8);
  assert.equal(call('avg', 2.5, 4, 1.5), 8 / 3);
  assert.equal(call('product', 2.5, 4, 1.5), 15);
  assert.equal(call('median', 2.5, 4, 1.5), 2.5);
  assert.equal(call('median', 1, 4, 2, 3), 2.5);
  assert.equal(call('avg', 2, null, 4), 3);
  assert.equal(call('sum', null, 3), 3);
  assert.equal(call('min', null, null), null);
  assert.equal(call('median', 7), 7);
});

test('mathematical functions', () => {
  assert.equal(call('log10', 1000), 3);
  assert.ok(near(call('ln', Math.E), 1));
  assert.equal(call('sqrt', 16), 4);
  assert.equal(call('abs', -2.5), 2.5);
  assert.ok(near(call('exp', 1), Math.E));
  assert.equal(call('pow', 2, 10), 1024);
  assert.equal(call('threshold', 5, 3), 1);
  assert.equal(call('threshold', 3, 3), 0);
  assert.equal(call('floor', -2.5), -3);
  assert.equal(call('ceil', -2.5), -2);
  assert.equal(call('round', 2.5), 3);
  assert.equal(call('round', -2.5), -2);
  assert.equal(call('round', 2.4), 2);
  assert.equal(call('rint', 2.5), 2);
  assert.equal(call('rint', 3.5), 4);
  assert.equal(call('rint', -2.5), -2);
  assert.equal(call('modulo', 11, 3), 2);
  assert.equal(call('modulo', -7, 3), 2);
  assert.equal(call('modulo', 7, -3), -2);
  assert.throws(() => call('modulo', 7, 0), InvalidResult);
  assert.ok(near(call('expm1', 1e-10), 1.00000000005e-10, 1e-15));
  assert.ok(near(call('ln1p', 1e-10), 9.9999999995e-11, 1e-15));
  assert.equal(call('hypot', 3, 4), 5);
  assert.ok(near(call('sin', Math.PI / 2), 1));
  assert.ok(near(call('cos', 0), 1));
  assert.ok(near(call('tan', Math.PI / 4), 1));
  assert.ok(near(call('asin', 1), Math.PI / 2));
  assert.ok(near(call('acos', 1), 0));
  assert.ok(near(call('atan', 1), Math.PI / 4));
  assert.ok(near(call('sinh', 1), 1.1752011936438014));
  assert.ok(near(call('cosh', 1), 1.5430806348152437));
  assert.ok(near(call('tanh', 1), 0.7615941559557649));
  assert.throws(() => call('asin', 2), InvalidResult);
  assert.equal(call('sqrt', null), null);
});

test('erf, erfc and the normal distribution match reference values', () => {
  const erfRef: [number, number][] = [[0.1, 0.1124629160182849], [0.5, 0.5204998778130465], [1, 0.8427007929497149], [1.5, 0.9661051464753108], [2, 0.9953222650189527], [3, 0.9999779095030014], [-1, -0.8427007929497149]];
  for (const [x, e] of erfRef) assert.ok(near(erf(x), e, 1e-15), `erf(${x}) = ${erf(x)}, expected ${e}`);
  const erfcRef: [number, number][] = [[2, 0.004677734981047266], [3, 2.209049699858544e-5], [5, 1.5374597944280349e-12], [10, 2.088487583762545e-45]];
  for (const [x, e] of erfcRef) assert.ok(Math.abs(erfc(x) - e) <= 1e-14 * e, `erfc(${x}) = ${erfc(x)}, expected ${e}`);
  assert.ok(near(stdNormalCdf(1.96), 0.9750021048517795, 1e-15));
  assert.ok(Math.abs(stdNormalCdf(-10) - 7.619853024160527e-24) <= 1e-13 * 7.6e-24);
  assert.ok(near(call('stdNormalCDF', 0), 0.5));
  assert.ok(near(call('stdNormalPDF', 0), 0.3989422804014327));
  assert.ok(near(call('normalCDF', 12, 10, 2), 0.8413447460685429, 1e-14));
  assert.ok(near(call('normalPDF', 12, 10, 2), 0.12098536225957168, 1e-14));
  assert.ok(near(call('erf', 1), 0.8427007929497149));
});

test('the normal quantile inverts the CDF to full precision', () => {
  assert.ok(near(stdNormalIdf(0.975), 1.959963984540054, 1e-14));
  assert.ok(near(stdNormalIdf(0.025), -1.959963984540054, 1e-14));
  assert.ok(near(stdNormalIdf(0.9), 1.2815515655446004, 1e-14));
  assert.equal(stdNormalIdf(0.5), 0);
  for (const p of [1e-300, 1e-20, 1e-5, 0.01, 0.3, 0.7, 0.99, 0.999999]) {
    const x = stdNormalIdf(p);
    assert.ok(Math.abs(stdNormalCdf(x) - p) <= 1e-13 * Math.min(p, 1 - p) + 1e-16, `p=${p}`);
  }
  assert.ok(near(call('normalIDF', 0.975, 10, 2), 10 + 2 * 1.959963984540054, 1e-14));
  // the quantile at 0 and 1 is -INF/INF, a value, not an invalid result
  assert.equal(call('stdNormalIDF', 0), -Infinity);
  assert.equal(call('stdNormalIDF', 1), Infinity);
  assert.throws(() => call('stdNormalIDF', 1.5), InvalidResult);
  assert.throws(() => call('normalCDF', 1, 0, 0), InvalidResult);
});

test('numeric kernels: rint ties to even, modulo takes the sign of the divisor', () => {
  assert.deepEqual([0.5, 1.5, 2.5, -0.5, -1.5, 2.4999].map(rint), [0, 2, 2, 0, -2, 2]);
  assert.equal(modulo(7.5, 2), 1.5);
  assert.equal(modulo(-1, 5), 4);
});

test('mathContext float rounds numeric results to float32', () => {
  const xml = apply('/', 1, 3);
  const d = evaluate(xml);
  const f = evaluate(xml, {}, { mathContext: 'float' });
  assert.equal(d, 1 / 3);
  assert.equal(f, Math.fround(1 / 3));
  assert.notEqual(d, f);
});
