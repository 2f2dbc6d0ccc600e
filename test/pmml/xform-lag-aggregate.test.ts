// Aggregate (over one group of records, passed as one record holding the group's values) and Lag
// (refused: a compiled module has no earlier records). Expected values by hand from the PMML 4.4
// Transformations specification ("Missing values are ignored").

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePmmlXml } from '../../src/frontends/pmml/xml.js';
import { compileDocument } from '../../runtime/pmml/document.js';
import { PmmlCompileError, PmmlUnsupportedError } from '../../runtime/pmml/el.js';
import { MODEL_REGISTRY } from '../../runtime/pmml/models/registry.js';
import { loadProgramFromBytes } from '../../src/api.js';
import { DiagnosticError } from '../../src/diagnostics/diagnostic.js';

const compilers = MODEL_REGISTRY.map((m) => m.compiler);

/** A regression model y = 0 + 1·agg whose Output echoes `agg` (an expression over the basket). */
function doc(expression: string, opts: { amountType?: string; mathContext?: string; extraDict?: string; functions?: string } = {}): string {
  return `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary>
    <DataField name="txn" optype="categorical" dataType="string"/>
    <DataField name="amount" optype="continuous" dataType="${opts.amountType ?? 'double'}"/>
    <DataField name="label" optype="categorical" dataType="string"/>
    <DataField name="y" optype="continuous" dataType="double"/>${opts.extraDict ?? ''}
  </DataDictionary>
  <TransformationDictionary>${opts.functions ?? ''}
    <DerivedField name="agg" optype="continuous">${expression}</DerivedField>
  </TransformationDictionary>
  <RegressionModel functionName="regression" ${opts.mathContext ? `mathContext="${opts.mathContext}"` : ''}>
    <MiningSchema>
      <MiningField name="txn" usageType="group"/><MiningField name="amount"/><MiningField name="label"/>
      <MiningField name="y" usageType="target"/>
    </MiningSchema>
    <Output><OutputField name="agg_out" feature="transformedValue"><FieldRef field="agg"/></OutputField></Output>
    <RegressionTable intercept="0"/>
  </RegressionModel>
</PMML>`;
}

function compileXml(xml: string) {
  return compileDocument(decodePmmlXml(new TextEncoder().encode(xml)).root, compilers);
}

function aggregate(fn: string, field = 'amount'): string {
  return `<Aggregate field="${field}" function="${fn}" groupField="txn"/>`;
}

function diagnosticOf(xml: string): DiagnosticError {
  try {
    loadProgramFromBytes(new TextEncoder().encode(xml), 'model.pmml');
  } catch (e) {
    if (e instanceof DiagnosticError) return e;
    throw e;
  }
  return assert.fail('the document was accepted');
}

test('Aggregate: count, sum, average, min, max over the group values; missing and invalid entries are ignored', () => {
  const basket = { txn: 't1', amount: [10, null, '20', 'oops', 30, undefined] };
  const expect: [string, number][] = [['count', 3], ['sum', 60], ['average', 20], ['min', 10], ['max', 30]];
  for (const [fn, want] of expect) assert.equal(compileXml(doc(aggregate(fn))).score(basket).agg_out, want, fn);
  // count works on any field type; a single value is a group of one.
  assert.equal(compileXml(doc(aggregate('count', 'label'))).score({ txn: 't', label: ['a', 'b'] }).agg_out, 2);
  assert.equal(compileXml(doc(aggregate('sum'))).score({ txn: 't', amount: 4.5 }).agg_out, 4.5);
});

test('Aggregate: an empty group counts 0 and has no sum, average, min or max', () => {
  for (const amount of [[], null, [null, null]]) {
    assert.equal(compileXml(doc(aggregate('count'))).score({ txn: 't', amount }).agg_out, 0);
    for (const fn of ['sum', 'average', 'min', 'max']) assert.equal(compileXml(doc(aggregate(fn))).score({ txn: 't', amount }).agg_out, null, fn);
  }
});

test('Aggregate: result types (count integer, sum of integers integer) and mathContext float rounding', () => {
  const ints = compileXml(doc(aggregate('sum'), { amountType: 'integer' }));
  assert.equal(ints.score({ txn: 't', amount: ['1', '2'] }).agg_out, 3);
  const f = compileXml(doc(aggregate('average'), { mathContext: 'float' }));
  assert.equal(f.score({ txn: 't', amount: [0.1, 0.2] }).agg_out, Math.fround(Math.fround(Math.fround(0.1) + 0.2) / 2));
});

test('Aggregate: no groupField, sqlWhere and multiset are MLC3101 naming the element; a non-numeric sum is invalid', () => {
  const path = 'PMML/TransformationDictionary/DerivedField[name="agg"]/Aggregate';
  const refused = (expr: string, detail: RegExp) => assert.throws(() => compileXml(doc(expr)),
    (e: unknown) => e instanceof PmmlUnsupportedError && e.path === path && detail.test(e.detail));
  refused('<Aggregate field="amount" function="sum"/>', /without groupField aggregates over every record/);
  refused('<Aggregate field="amount" function="sum" groupField="txn" sqlWhere="amount &gt; 3"/>', /sqlWhere="amount > 3" is an SQL condition/);
  refused(aggregate('multiset'), /multiset.*collection/);
  assert.throws(() => compileXml(doc(aggregate('sum', 'label'))), (e: unknown) => e instanceof PmmlCompileError && !(e instanceof PmmlUnsupportedError) && /needs a numeric field/.test(e.detail));
  assert.throws(() => compileXml(doc('<Aggregate field="amount" function="sum" groupField="nowhere"/>')), (e: unknown) => e instanceof PmmlCompileError && /nowhere/.test(e.message));
  const d = diagnosticOf(doc('<Aggregate field="amount" function="sum"/>'));
  assert.equal(d.code, 'MLC3101');
  assert.equal(d.path, path);
});

test('Aggregate inside a DefineFunction body has no group: MLC3101', () => {
  const fn = '<DefineFunction name="total" optype="continuous" dataType="double"><ParameterField name="p"/><Aggregate field="p" function="sum" groupField="p"/></DefineFunction>';
  assert.throws(() => compileXml(doc('<Apply function="total"><Constant>1</Constant></Apply>', { functions: fn })),
    (e: unknown) => e instanceof PmmlUnsupportedError && /inside a DefineFunction/.test(e.detail));
});

test('Lag is MLC3101 naming the element, the field, n and the block indicators', () => {
  const lag = '<Lag field="amount" n="2" aggregate="sum"><BlockIndicator field="txn"/></Lag>';
  assert.throws(() => compileXml(doc(lag)), (e: unknown) => e instanceof PmmlUnsupportedError
    && e.path === 'PMML/TransformationDictionary/DerivedField[name="agg"]/Lag'
    && /<Lag field="amount" n="2"> reads the value of an earlier record of the input within blocks of equal "txn"/.test(e.detail)
    && /no earlier record to read/.test(e.detail));
  const d = diagnosticOf(doc('<Lag field="amount"/>'));
  assert.equal(d.code, 'MLC3101');
  assert.match(d.message, /<Lag field="amount" n="1">/);
});
