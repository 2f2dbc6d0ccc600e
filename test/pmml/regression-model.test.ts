// RegressionModel: every normalizationMethod for regression and classification
// (with the binary "1 - p" rule), NumericPredictor exponents, CategoricalPredictor
// value conversion, PredictorTerm, missing inputs, mathContext="float", and
// compile-time errors with element paths. Expected values are worked out by hand
// from the PMML 4.4 formulas (closed forms, or normal CDF values from tables).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePmmlXml } from '../../src/frontends/pmml/xml.js';
import { compileDocument } from '../../runtime/pmml/document.js';
import { PmmlCompileError, PmmlUnsupportedError } from '../../runtime/pmml/el.js';
import { MODEL_REGISTRY } from '../../runtime/pmml/models/registry.js';
import { normalCdf } from '../../runtime/pmml/models/math-links.js';

const compilers = MODEL_REGISTRY.map((m) => m.compiler);

function compile(xml: string) {
  return compileDocument(decodePmmlXml(new TextEncoder().encode(xml)).root, compilers);
}

function close(actual: unknown, expected: number, tol = 1e-12, what = ''): void {
  assert.equal(typeof actual, 'number', `${what}: ${String(actual)} is not a number`);
  const a = actual as number;
  assert.ok(Math.abs(a - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: expected ${expected}, got ${a}`);
}

// Φ at a few points, from a 30-digit reference (mpmath.ncdf).
const PHI_1 = 0.84134474606854294859;
const PHI_M2 = 0.0227501319481792072;

/** y = x: intercept 0, coefficient 1. */
function regressionDoc(method: string): string {
  return `<PMML version="4.4"><DataDictionary>
      <DataField name="x" optype="continuous" dataType="double"/>
      <DataField name="y" optype="continuous" dataType="double"/>
    </DataDictionary>
    <RegressionModel functionName="regression" normalizationMethod="${method}">
      <MiningSchema><MiningField name="x"/><MiningField name="y" usageType="target"/></MiningSchema>
      <RegressionTable intercept="0"><NumericPredictor name="x" coefficient="1"/></RegressionTable>
    </RegressionModel></PMML>`;
}

test('regression normalizations follow the spec table', () => {
  const e = Math.E;
  const cases: Record<string, [number, number][]> = {
    none: [[0, 0], [1, 1], [-2, -2]],
    softmax: [[0, 0.5], [1, 1 / (1 + 1 / e)], [Math.log(3), 0.75]],
    logit: [[0, 0.5], [Math.log(3), 0.75], [-Math.log(3), 0.25]],
    exp: [[0, 1], [Math.log(3), 3], [-1, 1 / e]],
    probit: [[0, 0.5], [1, PHI_1], [-2, PHI_M2]],
    cloglog: [[0, 1 - 1 / e], [1, 1 - Math.exp(-e)], [Math.log(Math.log(2)), 0.5]],
    loglog: [[0, 1 / e], [-1, Math.exp(-e)], [-Math.log(Math.log(2)), 0.5]],
    cauchit: [[0, 0.5], [1, 0.75], [-1, 0.25]],
  };
  for (const [method, rows] of Object.entries(cases)) {
    const doc = compile(regressionDoc(method));
    for (const [x, expected] of rows) close(doc.score({ x })['y'], expected, 1e-12, `${method}(${x})`);
  }
});

test('normal CDF matches reference values over the whole range', () => {
  // 30-digit reference values (mpmath.ncdf); relative error must stay near machine precision.
  const ref: [number, number][] = [
    [0, 0.5], [1, PHI_1], [-2, PHI_M2], [-1.96, 0.024997895148220436213], [3, 0.99865010196836990547],
    [-5, 2.8665157187919391167e-7], [-10, 7.619853024160526066e-24], [-20, 2.7536241186062336951e-89],
    [0.5, 0.69146246127401310364], [2.5, 0.99379033467422386483], [-2.5, 0.006209665325776135167],
    [6, 0.99999999901341235496],
  ];
  for (const [x, p] of ref) {
    const got = normalCdf(x);
    assert.ok(Math.abs(got - p) <= 5e-14 * p, `Phi(${x}) = ${got}, expected ${p}`);
  }
  assert.equal(normalCdf(-Infinity), 0);
  assert.equal(normalCdf(Infinity), 1);
  assert.equal(normalCdf(-40), 0);
  assert.ok(Number.isNaN(normalCdf(NaN)));
});

test('numeric exponents, categorical predictors and predictor terms', () => {
  const doc = compile(`<PMML version="4.4"><DataDictionary>
      <DataField name="x" optype="continuous" dataType="double"/>
      <DataField name="z" optype="continuous" dataType="double"/>
      <DataField name="c" optype="categorical" dataType="string"><Value value="a"/><Value value="b"/><Value value="c"/></DataField>
      <DataField name="k" optype="categorical" dataType="integer"><Value value="1"/><Value value="2"/></DataField>
      <DataField name="y" optype="continuous" dataType="double"/>
    </DataDictionary>
    <RegressionModel functionName="regression">
      <MiningSchema><MiningField name="x"/><MiningField name="z"/><MiningField name="c"/><MiningField name="k"/><MiningField name="y" usageType="target"/></MiningSchema>
      <RegressionTable intercept="1">
        <NumericPredictor name="x" exponent="2" coefficient="2"/>
        <CategoricalPredictor name="c" value="b" coefficient="3"/>
        <CategoricalPredictor name="c" value="c" coefficient="-1"/>
        <CategoricalPredictor name="k" value="2" coefficient="10"/>
        <PredictorTerm coefficient="0.5"><FieldRef field="x"/><FieldRef field="z"/></PredictorTerm>
      </RegressionTable>
    </RegressionModel></PMML>`);
  // 1 + 2·3² + 3 + 0 + 0.5·3·4 = 28
  assert.equal(doc.score({ x: 3, z: 4, c: 'b', k: 1 })['y'], 28);
  // 1 + 2·(−1)² − 1 + 10 + 0.5·(−1)·2 = 11; the integer category "2" matches input 2 and "2"
  assert.equal(doc.score({ x: -1, z: 2, c: 'c', k: 2 })['y'], 11);
  assert.equal(doc.score({ x: -1, z: 2, c: 'c', k: '2' })['y'], 11);
  // category without a predictor contributes 0
  assert.equal(doc.score({ x: 0, z: 0, c: 'a', k: 1 })['y'], 1);
  // a missing input: no prediction, whichever predictor reads it
  assert.equal(doc.score({ x: null, z: 2, c: 'a', k: 1 })['y'], null);
  assert.equal(doc.score({ x: 1, z: 2, c: null, k: 1 })['y'], null);
  assert.equal(doc.score({ x: 1, z: null, c: 'a', k: 1 })['y'], null);
});

test('PredictorTerm FieldRef mapMissingTo stands in for a missing value', () => {
  const doc = compile(`<PMML version="4.4"><DataDictionary>
      <DataField name="x" optype="continuous" dataType="double"/>
      <DataField name="z" optype="continuous" dataType="double"/>
      <DataField name="y" optype="continuous" dataType="double"/>
    </DataDictionary>
    <RegressionModel functionName="regression">
      <MiningSchema><MiningField name="x"/><MiningField name="z"/><MiningField name="y" usageType="target"/></MiningSchema>
      <RegressionTable intercept="0">
        <PredictorTerm coefficient="2"><FieldRef field="x"/><FieldRef field="z" mapMissingTo="5"/></PredictorTerm>
      </RegressionTable>
    </RegressionModel></PMML>`);
  assert.equal(doc.score({ x: 3, z: 4 })['y'], 24);
  assert.equal(doc.score({ x: 3, z: null })['y'], 30);
});

/** Binary classification: table "yes" y = x, table "no" intercept 0 (the spec's binary layout). */
function binaryDoc(method: string): string {
  return `<PMML version="4.4"><DataDictionary>
      <DataField name="x" optype="continuous" dataType="double"/>
      <DataField name="t" optype="categorical" dataType="string"><Value value="no"/><Value value="yes"/></DataField>
    </DataDictionary>
    <RegressionModel functionName="classification" normalizationMethod="${method}">
      <MiningSchema><MiningField name="x"/><MiningField name="t" usageType="target"/></MiningSchema>
      <RegressionTable intercept="0" targetCategory="yes"><NumericPredictor name="x" coefficient="1"/></RegressionTable>
      <RegressionTable intercept="0" targetCategory="no"/>
    </RegressionModel></PMML>`;
}

test('binary classification: p1 = f(y1), p2 = 1 - p1', () => {
  const e = Math.E;
  const cases: Record<string, [number, number][]> = {
    none: [[0.3, 0.3], [0.8, 0.8]],
    logit: [[Math.log(3), 0.75], [-Math.log(3), 0.25]],
    probit: [[1, PHI_1], [-2, PHI_M2]],
    cloglog: [[0, 1 - 1 / e], [Math.log(Math.log(2)), 0.5]],
    loglog: [[0, 1 / e], [1, Math.exp(-1 / e)]],
    cauchit: [[1, 0.75], [-1, 0.25]],
    // softmax over (y, 0) is the logistic function of y
    softmax: [[Math.log(3), 0.75], [0, 0.5]],
  };
  for (const [method, rows] of Object.entries(cases)) {
    const doc = compile(binaryDoc(method));
    for (const [x, pYes] of rows) {
      const r = doc.score({ x });
      close(r['probability(yes)'], pYes, 1e-12, `${method}(${x}) yes`);
      close(r['probability(no)'], 1 - pYes, 1e-12, `${method}(${x}) no`);
      assert.equal(r['t'], pYes >= 0.5 ? 'yes' : 'no', `${method}(${x}) label`); // ties: the first table
    }
  }
});

/** Three tables with y = a, b, c (one input field per table). */
function multiDoc(method: string): string {
  return `<PMML version="4.4"><DataDictionary>
      <DataField name="a" optype="continuous" dataType="double"/>
      <DataField name="b" optype="continuous" dataType="double"/>
      <DataField name="c" optype="continuous" dataType="double"/>
      <DataField name="t" optype="categorical" dataType="string"><Value value="A"/><Value value="B"/><Value value="C"/><Value value="D"/></DataField>
    </DataDictionary>
    <RegressionModel functionName="classification" normalizationMethod="${method}">
      <MiningSchema><MiningField name="a"/><MiningField name="b"/><MiningField name="c"/><MiningField name="t" usageType="target"/></MiningSchema>
      <Output>
        <OutputField name="label" feature="predictedValue" dataType="string" optype="categorical"/>
        <OutputField name="pA" feature="probability" value="A" dataType="double" optype="continuous"/>
        <OutputField name="pB" feature="probability" value="B" dataType="double" optype="continuous"/>
        <OutputField name="pC" feature="probability" value="C" dataType="double" optype="continuous"/>
        <OutputField name="pD" feature="probability" value="D" dataType="double" optype="continuous"/>
      </Output>
      <RegressionTable intercept="0" targetCategory="A"><NumericPredictor name="a" coefficient="1"/></RegressionTable>
      <RegressionTable intercept="0" targetCategory="B"><NumericPredictor name="b" coefficient="1"/></RegressionTable>
      <RegressionTable intercept="0" targetCategory="C"><NumericPredictor name="c" coefficient="1"/></RegressionTable>
    </RegressionModel></PMML>`;
}

test('softmax over several tables', () => {
  const r = compile(multiDoc('softmax')).score({ a: 1, b: 2, c: 3 });
  const s = Math.exp(1) + Math.exp(2) + Math.exp(3);
  close(r['pA'], Math.exp(1) / s);
  close(r['pB'], Math.exp(2) / s);
  close(r['pC'], Math.exp(3) / s);
  assert.equal(r['pD'], 0); // a target category without a table
  assert.equal(r['label'], 'C');
  // large scores do not overflow
  const big = compile(multiDoc('softmax')).score({ a: 1000, b: 1000, c: 0 });
  close(big['pA'], 0.5);
  close(big['pB'], 0.5);
  assert.equal(big['label'], 'A'); // ties: the first table
});

test('simplemax divides by the sum', () => {
  const r = compile(multiDoc('simplemax')).score({ a: 1, b: 2, c: 5 });
  close(r['pA'], 0.125);
  close(r['pB'], 0.25);
  close(r['pC'], 0.625);
  assert.equal(r['label'], 'C');
});

test('none and the other single-value methods: the last table is the residual', () => {
  const none = compile(multiDoc('none')).score({ a: 0.2, b: 0.3, c: 123 });
  close(none['pA'], 0.2);
  close(none['pB'], 0.3);
  close(none['pC'], 0.5);
  const logit = compile(multiDoc('logit')).score({ a: Math.log(1 / 4), b: -Math.log(4), c: 0 });
  close(logit['pA'], 0.2);
  close(logit['pB'], 0.2);
  close(logit['pC'], 0.6);
  assert.equal(logit['label'], 'C');
});

test('missing input: no prediction and no probabilities', () => {
  const r = compile(multiDoc('softmax')).score({ a: 1, b: null, c: 3 });
  assert.equal(r['label'], null);
  assert.equal(r['pA'], null);
  const b = compile(binaryDoc('logit')).score({ x: null });
  assert.equal(b['t'], null);
  assert.equal(b['probability(yes)'], null);
});

test('numeric target categories are converted to the target data type', () => {
  const doc = compile(`<PMML version="4.4"><DataDictionary>
      <DataField name="x" optype="continuous" dataType="double"/>
      <DataField name="t" optype="categorical" dataType="integer"><Value value="0"/><Value value="1"/></DataField>
    </DataDictionary>
    <RegressionModel functionName="classification" normalizationMethod="logit">
      <MiningSchema><MiningField name="x"/><MiningField name="t" usageType="target"/></MiningSchema>
      <RegressionTable intercept="0" targetCategory="1.0"><NumericPredictor name="x" coefficient="1"/></RegressionTable>
      <RegressionTable intercept="0" targetCategory="0"/>
    </RegressionModel></PMML>`);
  const r = doc.score({ x: Math.log(3) });
  assert.equal(r['t'], 1);
  close(r['probability(1)'], 0.75);
  close(r['probability(0)'], 0.25);
});

test('mathContext="float" rounds parameters and intermediate results to float32', () => {
  const xml = (ctx: string) => `<PMML version="4.4"><DataDictionary>
      <DataField name="x" optype="continuous" dataType="double"/>
      <DataField name="y" optype="continuous" dataType="double"/>
    </DataDictionary>
    <RegressionModel functionName="regression" normalizationMethod="exp"${ctx}>
      <MiningSchema><MiningField name="x"/><MiningField name="y" usageType="target"/></MiningSchema>
      <RegressionTable intercept="0.1"><NumericPredictor name="x" coefficient="0.2" exponent="2"/></RegressionTable>
    </RegressionModel></PMML>`;
  const f = Math.fround;
  const x = 0.3;
  const expected = f(Math.exp(f(f(0.1) + f(f(0.2) * f(Math.pow(x, 2))))));
  assert.equal(compile(xml(' mathContext="float"')).score({ x })['y'], expected);
  close(compile(xml('')).score({ x })['y'], Math.exp(0.1 + 0.2 * 0.09), 1e-15);
});

test('compile errors name the element', () => {
  const base = (body: string, fn = 'classification', method = 'softmax') => `<PMML version="4.4"><DataDictionary>
      <DataField name="x" optype="continuous" dataType="double"/>
      <DataField name="t" optype="categorical" dataType="string"><Value value="a"/><Value value="b"/></DataField>
    </DataDictionary>
    <RegressionModel functionName="${fn}" normalizationMethod="${method}">
      <MiningSchema><MiningField name="x"/><MiningField name="t" usageType="target"/></MiningSchema>
      ${body}
    </RegressionModel></PMML>`;
  assert.throws(() => compile(base('<RegressionTable intercept="0"/><RegressionTable intercept="1" targetCategory="b"/>')),
    (e: unknown) => e instanceof PmmlCompileError && /RegressionTable\[1\]/.test(e.message) && /targetCategory/.test(e.message));
  assert.throws(() => compile(base('<RegressionTable intercept="0" targetCategory="a"/><RegressionTable intercept="0" targetCategory="b"/>', 'classification', 'exp')),
    (e: unknown) => e instanceof PmmlUnsupportedError);
  assert.throws(() => compile(base('<RegressionTable intercept="0" targetCategory="a"><NumericPredictor name="nope" coefficient="1"/></RegressionTable>')),
    (e: unknown) => e instanceof PmmlCompileError && /NumericPredictor\[name="nope"\]/.test(e.message));
  assert.throws(() => compile(base('<RegressionTable intercept="abc" targetCategory="a"/>')),
    (e: unknown) => e instanceof PmmlCompileError && /RegressionTable/.test(e.message));
  assert.throws(() => compile(base('', 'classification')), (e: unknown) => e instanceof PmmlCompileError && /RegressionTable/.test(e.message));
  assert.throws(() => compile(base('<RegressionTable intercept="0" targetCategory="a"/><RegressionTable intercept="0" targetCategory="a"/>')),
    (e: unknown) => e instanceof PmmlCompileError && /two RegressionTables/.test(e.message));
  assert.throws(() => compile(base('<RegressionTable intercept="0"/>', 'regression', 'fancy')), (e: unknown) => e instanceof PmmlUnsupportedError);
  assert.throws(() => compile(base('<RegressionTable intercept="0"/>', 'regression', 'simplemax')), (e: unknown) => e instanceof PmmlUnsupportedError);
  assert.throws(() => compile(base('<RegressionTable intercept="0"/><RegressionTable intercept="0"/>', 'regression', 'none')),
    (e: unknown) => e instanceof PmmlCompileError && /exactly one/.test(e.message));
});
