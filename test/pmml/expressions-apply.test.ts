import assert from 'node:assert/strict';
import { test } from 'node:test';
import { PmmlCompileError, PmmlUnsupportedError } from '../../runtime/pmml/el.js';
import { InvalidResult } from '../../runtime/pmml/env.js';
import { expressionDataType } from '../../runtime/pmml/expressions.js';
import { compiled, context, defineFunction, el, evaluate } from './expressions-helpers.js';

const pathIs = (path: string, unsupported = false) => (e: unknown): boolean =>
  e instanceof PmmlCompileError && e.path === path && (e instanceof PmmlUnsupportedError) === unsupported;

test('Apply nests and reads fields (the spec examples)', () => {
  const f = compiled('<Apply function="-"><FieldRef field="A"/><FieldRef field="B"/></Apply>', { fields: { A: 'double', B: 'double' } });
  assert.equal(f({ A: 2.5, B: 4 }), -1.5);
  const g = compiled('<Apply function="min"><FieldRef field="A"/><FieldRef field="B"/><FieldRef field="C"/></Apply>', { fields: { A: 'double', B: 'double', C: 'double' } });
  assert.equal(g({ A: 2.5, B: 4, C: 1.5 }), 1.5);
  const nested = compiled('<Apply function="*"><Apply function="+"><FieldRef field="A"/><Constant>1</Constant></Apply><Constant>2</Constant></Apply>', { fields: { A: 'double' } });
  assert.equal(nested({ A: 3 }), 8);
});

test('mapMissingTo: a missing input → the function is not applied', () => {
  const f = compiled('<Apply function="+" mapMissingTo="-999"><FieldRef field="A"/><Constant>1</Constant></Apply>', { fields: { A: 'double' } });
  assert.equal(f({ A: null }), -999);
  assert.equal(f({ A: 1 }), 2);
  // aggregations too: any missing input
  const g = compiled('<Apply function="sum" mapMissingTo="0"><FieldRef field="A"/><Constant>1</Constant></Apply>', { fields: { A: 'double' } });
  assert.equal(g({ A: null }), 0);
});

test('defaultValue: the function gave a missing value', () => {
  const f = compiled('<Apply function="+" defaultValue="-1"><FieldRef field="A"/><Constant>1</Constant></Apply>', { fields: { A: 'double' } });
  assert.equal(f({ A: null }), -1);
  const both = compiled('<Apply function="+" mapMissingTo="-2" defaultValue="-1"><FieldRef field="A"/><Constant>1</Constant></Apply>', { fields: { A: 'double' } });
  assert.equal(both({ A: null }), -2);
  assert.equal(evaluate('<Apply function="if" defaultValue="x"><Constant dataType="boolean">false</Constant><Constant>1</Constant></Apply>'), 'x');
});

test('invalidValueTreatment applies to invalid results only', () => {
  const xml = (t: string) => `<Apply function="ln"${t}><FieldRef field="x"/></Apply>`;
  const fields = { x: 'double' as const };
  assert.throws(() => compiled(xml(''), { fields })({ x: -1 }), (e: unknown) => e instanceof InvalidResult && /T: ln/.test(e.message));
  assert.ok(Number.isNaN(compiled(xml(' invalidValueTreatment="asIs"'), { fields })({ x: -1 })));
  assert.equal(compiled(xml(' invalidValueTreatment="asMissing"'), { fields })({ x: -1 }), null);
  assert.equal(compiled(xml(' invalidValueTreatment="asMissing"'), { fields })({ x: Math.E }), 1);
  assert.throws(() => compiled(xml(' invalidValueTreatment="asValue"'), { fields }), pathIs('T', true));
});

test('compile errors: unknown functions, arity, non-expression arguments', () => {
  assert.throws(() => evaluate('<Apply function="nosuch"><Constant>1</Constant></Apply>'), pathIs('T'));
  assert.throws(() => evaluate('<Apply function="x-vendor"><Constant>1</Constant></Apply>'), pathIs('T', true));
  assert.throws(() => evaluate('<Apply function="+"><Constant>1</Constant></Apply>'), (e: unknown) => pathIs('T')(e) && /takes 2 arguments/.test((e as Error).message));
  assert.throws(() => evaluate('<Apply function="if"><Constant>1</Constant></Apply>'), (e: unknown) => pathIs('T')(e) && /2 to 3/.test((e as Error).message));
  assert.throws(() => evaluate('<Apply function="+"><Constant>1</Constant><Value value="1"/></Apply>'), pathIs('T/Value'));
  // errors deep inside name the nested element
  assert.throws(
    () => evaluate('<Apply function="+"><Constant>1</Constant><Apply function="*"><Constant>1</Constant><FieldRef field="nosuch"/></Apply></Apply>'),
    pathIs('T/Apply/FieldRef'),
  );
  assert.throws(
    () => evaluate('<Apply function="+"><Apply function="sqrt"><Constant>1</Constant></Apply><Apply function="nosuch"/></Apply>'),
    pathIs('T/Apply[2]'),
  );
});

const AREA = defineFunction(`<DefineFunction name="AREA" optype="continuous" dataType="double">
  <ParameterField name="FOOT" optype="continuous" dataType="double"/>
  <ParameterField name="WIDTH" optype="continuous" dataType="double"/>
  <Apply function="*"><FieldRef field="FOOT"/><FieldRef field="WIDTH"/></Apply>
</DefineFunction>`);

test('DefineFunction: parameters by position, body compiled once', () => {
  const f = compiled('<Apply function="AREA"><FieldRef field="a"/><Constant>3</Constant></Apply>', { fields: { a: 'double' }, functions: [AREA] });
  assert.equal(f({ a: 2 }), 6);
  assert.equal(f({ a: 2.5 }), 7.5);
  assert.equal(f({ a: null }), null);
  // nested calls of the same function
  const g = compiled('<Apply function="AREA"><Apply function="AREA"><FieldRef field="a"/><Constant>2</Constant></Apply><Constant>10</Constant></Apply>', { fields: { a: 'double' }, functions: [AREA] });
  assert.equal(g({ a: 3 }), 60);
  assert.equal(expressionDataType(el('<Apply function="AREA"/>'), 'T', context({ functions: [AREA] })), 'double');
});

test('DefineFunction: argument and result conversions, missing handling, functions calling functions', () => {
  const half = defineFunction(`<DefineFunction name="half" optype="continuous" dataType="integer">
    <ParameterField name="n" dataType="integer"/>
    <Apply function="/"><FieldRef field="n"/><Constant>2</Constant></Apply>
  </DefineFunction>`);
  const quarter = defineFunction(`<DefineFunction name="quarter" optype="continuous" dataType="double">
    <ParameterField name="n" dataType="double"/>
    <Apply function="half"><Apply function="half"><FieldRef field="n"/></Apply></Apply>
  </DefineFunction>`);
  const functions = [half, quarter];
  // "7" → integer 7 → 3.5 → the integer result rounds half away from zero: 4
  assert.equal(evaluate('<Apply function="half"><Constant dataType="string">7</Constant></Apply>', {}, { functions }), 4);
  assert.equal(evaluate('<Apply function="quarter"><Constant>16</Constant></Apply>', {}, { functions }), 4);
  assert.equal(evaluate('<Apply function="half" mapMissingTo="0"><Constant missing="true"/></Apply>', {}, { functions }), 0);
  assert.equal(evaluate('<Apply function="half" defaultValue="-1"><Constant missing="true"/></Apply>', {}, { functions }), -1);
  assert.throws(() => evaluate('<Apply function="half"><Constant dataType="string">abc</Constant></Apply>', {}, { functions }), InvalidResult);
  assert.equal(evaluate('<Apply function="half" invalidValueTreatment="asMissing"><Constant dataType="string">abc</Constant></Apply>', {}, { functions }), null);
});

test('DefineFunction: user functions take precedence over built-ins', () => {
  const plus = defineFunction(`<DefineFunction name="+" optype="continuous" dataType="double">
    <ParameterField name="a"/><ParameterField name="b"/>
    <Apply function="-"><FieldRef field="a"/><FieldRef field="b"/></Apply>
  </DefineFunction>`);
  assert.equal(evaluate('<Apply function="+"><Constant>5</Constant><Constant>3</Constant></Apply>', {}, { functions: [plus] }), 2);
});

test('DefineFunction errors: arity, fields outside the parameters, recursion', () => {
  assert.throws(() => evaluate('<Apply function="AREA"><Constant>1</Constant></Apply>', {}, { functions: [AREA] }), (e: unknown) => pathIs('T')(e) && /takes 2 arguments/.test((e as Error).message));
  const leaky = defineFunction(`<DefineFunction name="leaky" optype="continuous" dataType="double">
    <ParameterField name="a"/>
    <Apply function="+"><FieldRef field="a"/><FieldRef field="outside"/></Apply>
  </DefineFunction>`);
  assert.throws(
    () => evaluate('<Apply function="leaky"><Constant>1</Constant></Apply>', {}, { fields: { outside: 'double' }, functions: [leaky] }),
    (e: unknown) => pathIs('PMML/TransformationDictionary/DefineFunction[name="leaky"]/Apply/FieldRef[2]')(e) && /ParameterFields/.test((e as Error).message),
  );
  const ping = defineFunction(`<DefineFunction name="ping" optype="continuous"><ParameterField name="a"/><Apply function="pong"><FieldRef field="a"/></Apply></DefineFunction>`);
  const pong = defineFunction(`<DefineFunction name="pong" optype="continuous"><ParameterField name="a"/><Apply function="ping"><FieldRef field="a"/></Apply></DefineFunction>`);
  assert.throws(() => evaluate('<Apply function="ping"><Constant>1</Constant></Apply>', {}, { functions: [ping, pong] }), (e: unknown) => e instanceof PmmlCompileError && /recursive/.test(e.message));
});

test('DefineFunction with a TextIndex body over its parameters', () => {
  const tfidf = defineFunction(`<DefineFunction name="tfidf" optype="continuous" dataType="double">
    <ParameterField name="document" dataType="string"/>
    <ParameterField name="term" dataType="string"/>
    <ParameterField name="weight" dataType="double"/>
    <Apply function="*"><TextIndex textField="document"><FieldRef field="term"/></TextIndex><FieldRef field="weight"/></Apply>
  </DefineFunction>`);
  const f = compiled('<Apply function="tfidf"><FieldRef field="tweet"/><Constant dataType="string">2017</Constant><Constant dataType="double">5.5</Constant></Apply>', { fields: { tweet: 'string' }, functions: [tfidf] });
  assert.equal(f({ tweet: 'Happy 2017! 2017 will be great' }), 11);
});
