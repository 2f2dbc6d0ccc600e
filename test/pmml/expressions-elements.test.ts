import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PmmlCompileError, PmmlUnsupportedError } from '../../runtime/pmml/el.js';
import { compileExpression, expressionDataType, isExpressionElement } from '../../runtime/pmml/expressions.js';
import { compiled, context, el, evaluate } from './expressions-helpers.js';

const pathIs = (path: string, unsupported = false) => (e: unknown): boolean =>
  e instanceof PmmlCompileError && e.path === path && (e instanceof PmmlUnsupportedError) === unsupported;

test('isExpressionElement names the EXPRESSION group', () => {
  for (const n of ['Constant', 'FieldRef', 'NormContinuous', 'NormDiscrete', 'Discretize', 'MapValues', 'TextIndex', 'Apply', 'Aggregate', 'Lag']) assert.ok(isExpressionElement(n), n);
  for (const n of ['DerivedField', 'SimplePredicate', 'Extension', 'LinearNorm']) assert.ok(!isExpressionElement(n), n);
});

test('Constant: dataType, inferred types, missing, INF/-INF/NaN', () => {
  assert.equal(evaluate('<Constant dataType="double">1.5</Constant>'), 1.5);
  assert.equal(evaluate('<Constant dataType="integer">7</Constant>'), 7);
  assert.equal(evaluate('<Constant dataType="string">007</Constant>'), '007');
  assert.equal(evaluate('<Constant dataType="boolean">true</Constant>'), true);
  assert.equal(evaluate('<Constant dataType="date">1970-01-02</Constant>'), 1);
  assert.equal(evaluate('<Constant dataType="float">0.1</Constant>'), Math.fround(0.1));
  assert.equal(evaluate('<Constant>12</Constant>'), 12);
  assert.equal(evaluate('<Constant>abc</Constant>'), 'abc');
  assert.equal(evaluate('<Constant missing="true"/>'), null);
  assert.equal(evaluate('<Constant dataType="double" missing="true">3</Constant>'), null);
  assert.equal(evaluate('<Constant dataType="double">INF</Constant>'), Infinity);
  assert.equal(evaluate('<Constant dataType="double">-INF</Constant>'), -Infinity);
  assert.ok(Number.isNaN(evaluate('<Constant dataType="double">NaN</Constant>')));
  assert.throws(() => evaluate('<Constant dataType="integer">1.5</Constant>'), pathIs('T'));
  assert.throws(() => evaluate('<Constant dataType="number">1</Constant>'), pathIs('T'));
});

test('FieldRef reads the field; mapMissingTo replaces a missing value', () => {
  const f = compiled('<FieldRef field="x"/>', { fields: { x: 'double' } });
  assert.equal(f({ x: 2 }), 2);
  assert.equal(f({ x: null }), null);
  const g = compiled('<FieldRef field="x" mapMissingTo="-1"/>', { fields: { x: 'double' } });
  assert.equal(g({ x: null }), -1);
  assert.equal(g({ x: 3 }), 3);
  assert.throws(() => evaluate('<FieldRef field="nosuch"/>'), pathIs('T'));
});

test('NormContinuous: piecewise linear, extrapolation, outliers, mapMissingTo', () => {
  const xml = (extra: string) => `<NormContinuous field="x"${extra}><LinearNorm orig="0" norm="0"/><LinearNorm orig="10" norm="0.5"/><LinearNorm orig="20" norm="2"/></NormContinuous>`;
  const fields = { x: 'double' as const };
  const asIs = compiled(xml(''), { fields });
  assert.equal(asIs({ x: 5 }), 0.25);
  assert.equal(asIs({ x: 10 }), 0.5);
  assert.equal(asIs({ x: 15 }), 1.25);
  assert.equal(asIs({ x: 20 }), 2);
  assert.equal(asIs({ x: -10 }), -0.5); // first segment extended
  assert.equal(asIs({ x: 30 }), 3.5); // last segment extended
  assert.equal(asIs({ x: null }), null);
  const missing = compiled(xml(' outliers="asMissingValues" mapMissingTo="7"'), { fields });
  assert.equal(missing({ x: 30 }), null);
  assert.equal(missing({ x: -1 }), null);
  assert.equal(missing({ x: null }), 7);
  const extreme = compiled(xml(' outliers="asExtremeValues"'), { fields });
  assert.equal(extreme({ x: 30 }), 2);
  assert.equal(extreme({ x: -1 }), 0);
  assert.ok(Math.abs((extreme({ x: 12 }) as number) - 0.8) < 1e-12);
  // the iris normalisation of the conformance data: [4.3, 7.9] → [-1, 1]
  const iris = compiled('<NormContinuous field="x"><LinearNorm norm="-1" orig="4.300"/><LinearNorm norm="1" orig="7.900"/></NormContinuous>', { fields });
  assert.ok(Math.abs((iris({ x: 6.1 }) as number) - 0) < 1e-12);
  const float = compiled(xml(''), { fields, mathContext: 'float' });
  assert.equal(float({ x: 1 / 3 }), Math.fround((1 / 3) * 0.05));
  assert.throws(() => evaluate('<NormContinuous field="x"><LinearNorm orig="0" norm="0"/></NormContinuous>', {}, { fields }), pathIs('T'));
  assert.throws(
    () => evaluate('<NormContinuous field="x"><LinearNorm orig="1" norm="0"/><LinearNorm orig="0" norm="1"/></NormContinuous>', {}, { fields }),
    pathIs('T/LinearNorm[2]'),
  );
});

test('NormDiscrete: 1 for the value, 0 otherwise, mapMissingTo', () => {
  const f = compiled('<NormDiscrete field="c" value="red" mapMissingTo="0.5"/>', { fields: { c: 'string' } });
  assert.equal(f({ c: 'red' }), 1);
  assert.equal(f({ c: 'blue' }), 0);
  assert.equal(f({ c: null }), 0.5);
  const n = compiled('<NormDiscrete field="k" value="1"/>', { fields: { k: 'integer' } });
  assert.equal(n({ k: 1 }), 1);
  assert.equal(n({ k: 2 }), 0);
  assert.equal(n({ k: null }), null);
});

test('Discretize: intervals with closures, defaultValue, mapMissingTo, dataType', () => {
  const xml = `<Discretize field="x" defaultValue="other" mapMissingTo="none">
    <DiscretizeBin binValue="low"><Interval closure="openOpen" rightMargin="0"/></DiscretizeBin>
    <DiscretizeBin binValue="mid"><Interval closure="closedOpen" leftMargin="0" rightMargin="10"/></DiscretizeBin>
    <DiscretizeBin binValue="high"><Interval closure="openClosed" leftMargin="10" rightMargin="20"/></DiscretizeBin>
  </Discretize>`;
  const f = compiled(xml, { fields: { x: 'double' } });
  assert.equal(f({ x: -5 }), 'low');
  assert.equal(f({ x: 0 }), 'mid');
  assert.equal(f({ x: 9.99 }), 'mid');
  assert.equal(f({ x: 10 }), 'other'); // closedOpen excludes 10, openClosed excludes 10
  assert.equal(f({ x: 20 }), 'high');
  assert.equal(f({ x: 25 }), 'other');
  assert.equal(f({ x: null }), 'none');
  const typed = compiled('<Discretize field="x" dataType="integer"><DiscretizeBin binValue="1"><Interval closure="closedClosed" leftMargin="0" rightMargin="1"/></DiscretizeBin></Discretize>', { fields: { x: 'double' } });
  assert.equal(typed({ x: 0.5 }), 1);
  assert.equal(typed({ x: 5 }), null);
  assert.equal(expressionDataType(el('<Discretize field="x" dataType="integer"/>'), 'T', context({ fields: { x: 'double' } })), 'integer');
  assert.throws(
    () => evaluate('<Discretize field="x" dataType="integer"><DiscretizeBin binValue="a"><Interval closure="closedClosed" leftMargin="0" rightMargin="1"/></DiscretizeBin></Discretize>', {}, { fields: { x: 'double' } }),
    pathIs('T/DiscretizeBin'),
  );
  assert.throws(
    () => evaluate('<Discretize field="x"><DiscretizeBin binValue="a"><Interval closure="closedClosed" leftMargin="2" rightMargin="1"/></DiscretizeBin></Discretize>', {}, { fields: { x: 'double' } }),
    pathIs('T/DiscretizeBin/Interval'),
  );
});

test('MapValues: one and two keys, typed matching, defaults, first row wins', () => {
  const one = `<MapValues outputColumn="long" defaultValue="?" mapMissingTo="missing">
    <FieldColumnPair field="s" column="short"/>
    <InlineTable>
      <row><short>M</short><long>male</long></row>
      <row><short>F</short><long>female</long></row>
      <row><short>F</short><long>duplicate</long></row>
    </InlineTable></MapValues>`;
  const f = compiled(one, { fields: { s: 'string' } });
  assert.equal(f({ s: 'M' }), 'male');
  assert.equal(f({ s: 'F' }), 'female');
  assert.equal(f({ s: 'X' }), '?');
  assert.equal(f({ s: null }), 'missing');
  const two = `<MapValues outputColumn="out" dataType="double">
    <FieldColumnPair field="a" column="c1"/><FieldColumnPair field="b" column="c2"/>
    <InlineTable>
      <row><c1>1</c1><c2>x</c2><out>0.5</out></row>
      <row><c1>2.0</c1><c2>x</c2><out>1.5</out></row>
      <row><c1>oops</c1><c2>x</c2><out>9</out></row>
    </InlineTable></MapValues>`;
  const g = compiled(two, { fields: { a: 'integer', b: 'string' } });
  assert.equal(g({ a: 1, b: 'x' }), 0.5);
  assert.equal(g({ a: 2, b: 'x' }), 1.5); // "2.0" is the integer 2
  assert.equal(g({ a: 1, b: 'y' }), null);
  assert.equal(g({ a: null, b: 'x' }), null);
  assert.throws(() => evaluate('<MapValues outputColumn="o"><FieldColumnPair field="s" column="c"/><TableLocator/></MapValues>', {}, { fields: { s: 'string' } }), pathIs('T/TableLocator', true));
  assert.throws(() => evaluate('<MapValues outputColumn="o"><FieldColumnPair field="s" column="c"/></MapValues>', {}, { fields: { s: 'string' } }), pathIs('T'));
  assert.throws(
    () => evaluate('<MapValues outputColumn="o" dataType="integer"><FieldColumnPair field="s" column="c"/><InlineTable><row><c>a</c><o>x</o></row></InlineTable></MapValues>', {}, { fields: { s: 'string' } }),
    pathIs('T/InlineTable/row'),
  );
});

test('Aggregate and Lag are unsupported; other elements are not expressions', () => {
  assert.throws(() => evaluate('<Aggregate field="x" function="sum"/>'), pathIs('T', true));
  assert.throws(() => evaluate('<Lag field="x"/>'), pathIs('T', true));
  assert.throws(() => compileExpression(el('<SimplePredicate field="x" operator="equal" value="1"/>'), 'P/Q', context()), pathIs('P/Q'));
});

test('expressionDataType: best-effort static types', () => {
  const cx = context({ fields: { x: 'integer', s: 'string', d: 'date' } });
  const dt = (xml: string) => expressionDataType(el(xml), 'T', cx);
  assert.equal(dt('<Constant dataType="float">1</Constant>'), 'float');
  assert.equal(dt('<Constant>1</Constant>'), 'integer');
  assert.equal(dt('<Constant>1.5</Constant>'), 'double');
  assert.equal(dt('<Constant>a</Constant>'), 'string');
  assert.equal(dt('<FieldRef field="s"/>'), 'string');
  assert.equal(dt('<FieldRef field="nosuch"/>'), undefined);
  assert.equal(dt('<NormContinuous field="x"/>'), 'double');
  assert.equal(dt('<NormDiscrete field="s" value="a"/>'), 'double');
  assert.equal(dt('<MapValues outputColumn="o"/>'), 'string');
  assert.equal(dt('<TextIndex textField="s"><Constant>a</Constant></TextIndex>'), 'double');
  assert.equal(dt('<Apply function="+"><FieldRef field="x"/><Constant>1</Constant></Apply>'), 'integer');
  assert.equal(dt('<Apply function="+"><FieldRef field="x"/><Constant>1.5</Constant></Apply>'), 'double');
  assert.equal(dt('<Apply function="/"><FieldRef field="x"/><Constant>2</Constant></Apply>'), 'double');
  assert.equal(dt('<Apply function="round"><Constant>1.5</Constant></Apply>'), 'integer');
  assert.equal(dt('<Apply function="equal"><FieldRef field="x"/><Constant>1</Constant></Apply>'), 'boolean');
  assert.equal(dt('<Apply function="concat"><FieldRef field="x"/><Constant>1</Constant></Apply>'), 'string');
  assert.equal(dt('<Apply function="dateDaysSinceYear"><FieldRef field="d"/><Constant>1960</Constant></Apply>'), 'integer');
  assert.equal(dt('<Apply function="if"><Constant>1</Constant><FieldRef field="s"/><Constant>b</Constant></Apply>'), 'string');
  assert.equal(dt('<Apply function="nosuch"/>'), undefined);
  assert.equal(dt('<Aggregate field="x" function="sum"/>'), 'integer'); // sum keeps the field's type (xform-lag-aggregate.test.ts)
});
