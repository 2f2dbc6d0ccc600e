// SupportVectorMachineModel compiler: kernels, representations, OneAgainstOne voting
// (ties, maxWins, thresholds), OneAgainstAll, binary models, CategoricalPredictor, errors.
// Expected values are worked out by hand in the comments.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePmmlXml } from '../../src/frontends/pmml/xml.js';
import { compileDocument } from '../../runtime/pmml/document.js';
import { PmmlCompileError } from '../../runtime/pmml/el.js';
import { MODEL_REGISTRY } from '../../runtime/pmml/models/registry.js';

const compile = (xml: string) =>
  compileDocument(decodePmmlXml(new TextEncoder().encode(xml)).root, MODEL_REGISTRY.map((m) => m.compiler));
const close = (actual: unknown, expected: number, eps = 1e-12): void => {
  assert.equal(typeof actual, 'number', `expected a number, got ${String(actual)}`);
  assert.ok(Math.abs((actual as number) - expected) <= eps * Math.max(1, Math.abs(expected)), `${String(actual)} ≠ ${expected}`);
};

const DICT_AB = `<DataField name="a" optype="continuous" dataType="double"/><DataField name="b" optype="continuous" dataType="double"/>`;
// v1 = (1, 0), v2 = (0, 1) (sparse), v3 = (1, 1)
const VECTORS = `<VectorDictionary numberOfVectors="3">
  <VectorFields numberOfFields="2"><FieldRef field="a"/><FieldRef field="b"/></VectorFields>
  <VectorInstance id="v1"><Array n="2" type="real">1 0</Array></VectorInstance>
  <VectorInstance id="v2"><REAL-SparseArray n="2"><Indices>2</Indices><REAL-Entries>1</REAL-Entries></REAL-SparseArray></VectorInstance>
  <VectorInstance id="v3"><Array n="2" type="real">1 1</Array></VectorInstance>
</VectorDictionary>`;

/** f(x) = 2·K(x, v1) − K(x, v2) + 0.5 */
function regression(kernel: string): string {
  return `<PMML version="4.4"><Header/>
  <DataDictionary>${DICT_AB}<DataField name="y" optype="continuous" dataType="double"/></DataDictionary>
  <SupportVectorMachineModel functionName="regression">
    <MiningSchema><MiningField name="a"/><MiningField name="b"/><MiningField name="y" usageType="target"/></MiningSchema>
    ${kernel}
    ${VECTORS}
    <SupportVectorMachine>
      <SupportVectors><SupportVector vectorId="v1"/><SupportVector vectorId="v2"/></SupportVectors>
      <Coefficients absoluteValue="0.5"><Coefficient value="2"/><Coefficient value="-1"/></Coefficients>
    </SupportVectorMachine>
  </SupportVectorMachineModel></PMML>`;
}

test('kernels', () => {
  // Linear: x = (3, 4): 2·3 − 4 + 0.5
  close(compile(regression('<LinearKernelType/>')).score({ a: 3, b: 4 }).y, 2.5);
  // Polynomial (0.5·<x,v> + 1)²: x = (2, 4): K1 = (1 + 1)² = 4, K2 = (2 + 1)² = 9 → 8 − 9 + 0.5
  close(compile(regression('<PolynomialKernelType gamma="0.5" coef0="1" degree="2"/>')).score({ a: 2, b: 4 }).y, -0.5);
  // Polynomial defaults gamma = 1, coef0 = 1, degree = 1: x = (2, 4): K1 = 3, K2 = 5 → 6 − 5 + 0.5
  close(compile(regression('<PolynomialKernelType/>')).score({ a: 2, b: 4 }).y, 1.5);
  // RBF exp(−0.5·|x−v|²): x = (1, 1): both distances² = 1 → 2e^-0.5 − e^-0.5 + 0.5
  close(compile(regression('<RadialBasisKernelType gamma="0.5"/>')).score({ a: 1, b: 1 }).y, 0.6065306597126334 + 0.5);
  // Sigmoid tanh(1·<x,v> + 0): x = (1, 0): K1 = tanh 1, K2 = tanh 0 = 0 → 2·tanh 1 + 0.5
  close(compile(regression('<SigmoidKernelType gamma="1" coef0="0"/>')).score({ a: 1, b: 0 }).y, 2 * 0.7615941559557649 + 0.5);
  // Missing input: no prediction.
  assert.equal(compile(regression('<LinearKernelType/>')).score({ a: 1, b: null }).y, null);
});

/** Three classes, Coefficients representation: SVM1 A/B f = a − 1, SVM2 A/C f = b − 1, SVM3 B/C f = a − b. */
function ovo(extra = '', svm3 = ''): string {
  return `<PMML version="4.4"><Header/>
  <DataDictionary>${DICT_AB}<DataField name="c" optype="categorical" dataType="string"><Value value="A"/><Value value="B"/><Value value="C"/></DataField></DataDictionary>
  <SupportVectorMachineModel functionName="classification" classificationMethod="OneAgainstOne" svmRepresentation="Coefficients" ${extra}>
    <MiningSchema><MiningField name="a"/><MiningField name="b"/><MiningField name="c" usageType="target"/></MiningSchema>
    <LinearKernelType/>
    <VectorDictionary><VectorFields><FieldRef field="a"/><FieldRef field="b"/></VectorFields></VectorDictionary>
    <SupportVectorMachine targetCategory="A" alternateTargetCategory="B"><Coefficients absoluteValue="-1"><Coefficient value="1"/><Coefficient value="0"/></Coefficients></SupportVectorMachine>
    <SupportVectorMachine targetCategory="A" alternateTargetCategory="C"><Coefficients absoluteValue="-1"><Coefficient value="0"/><Coefficient value="1"/></Coefficients></SupportVectorMachine>
    <SupportVectorMachine targetCategory="B" alternateTargetCategory="C" ${svm3}><Coefficients absoluteValue="0"><Coefficient value="1"/><Coefficient value="-1"/></Coefficients></SupportVectorMachine>
  </SupportVectorMachineModel></PMML>`;
}

test('OneAgainstOne: votes, vote shares, ties', () => {
  const m = compile(ovo());
  // (0,0): f = −1, −1, 0 → A, A, C (0 is not < 0) → A with 2/3
  let r = m.score({ a: 0, b: 0 });
  assert.equal(r.c, 'A');
  close(r['probability(A)'], 2 / 3);
  close(r['probability(B)'], 0);
  close(r['probability(C)'], 1 / 3);
  // (2,0): f = 1, −1, 2 → B, A, C: a three-way tie → the first category (A)
  r = m.score({ a: 2, b: 0 });
  assert.equal(r.c, 'A');
  close(r['probability(B)'], 1 / 3);
  // (2,3): f = 1, 2, −1 → B, C, B → B
  r = m.score({ a: 2, b: 3 });
  assert.equal(r.c, 'B');
  close(r['probability(B)'], 2 / 3);
});

test('OneAgainstOne: maxWins and per-SVM threshold', () => {
  // maxWins: targetCategory when f > threshold. (0,0): f = −1, −1, 0 → B, C, C → C
  const r = compile(ovo('maxWins="true"')).score({ a: 0, b: 0 });
  assert.equal(r.c, 'C');
  close(r['probability(C)'], 2 / 3);
  // SVM3 threshold 0.5: (0,0): f3 = 0 < 0.5 → B; votes A 2, B 1
  const t = compile(ovo('', 'threshold="0.5"')).score({ a: 0, b: 0 });
  assert.equal(t.c, 'A');
  close(t['probability(B)'], 1 / 3);
  // Model threshold 0.5 (applies to all three): (1,1): f = 0, 0, 0 → A, A, B → A
  assert.equal(compile(ovo('threshold="0.5"')).score({ a: 1, b: 1 }).c, 'A');
});

function ova(extra = ''): string {
  return `<PMML version="4.4"><Header/>
  <DataDictionary>${DICT_AB}<DataField name="c" optype="categorical" dataType="string"><Value value="A"/><Value value="B"/><Value value="C"/></DataField></DataDictionary>
  <SupportVectorMachineModel functionName="classification" ${extra}>
    <MiningSchema><MiningField name="a"/><MiningField name="b"/><MiningField name="c" usageType="target"/></MiningSchema>
    <LinearKernelType/>
    ${VECTORS}
    <SupportVectorMachine targetCategory="A"><SupportVectors><SupportVector vectorId="v1"/></SupportVectors><Coefficients><Coefficient value="1"/></Coefficients></SupportVectorMachine>
    <SupportVectorMachine targetCategory="B"><SupportVectors><SupportVector vectorId="v2"/></SupportVectors><Coefficients><Coefficient value="1"/></Coefficients></SupportVectorMachine>
    <SupportVectorMachine targetCategory="C"><SupportVectors><SupportVector vectorId="v3"/></SupportVectors><Coefficients absoluteValue="-2"><Coefficient value="1"/></Coefficients></SupportVectorMachine>
  </SupportVectorMachineModel></PMML>`;
}

test('OneAgainstAll: smallest value wins, largest with maxWins', () => {
  // (0.5, 2): f_A = 0.5, f_B = 2, f_C = 2.5 − 2 = 0.5 → min 0.5: A first
  assert.equal(compile(ova()).score({ a: 0.5, b: 2 }).c, 'A');
  // (3, 0.5): f = 3, 0.5, 1.5 → B
  assert.equal(compile(ova()).score({ a: 3, b: 0.5 }).c, 'B');
  assert.equal(compile(ova('maxWins="true"')).score({ a: 3, b: 0.5 }).c, 'A');
  // (3, 3): f = 3, 3, 4 → maxWins: C
  assert.equal(compile(ova('maxWins="true"')).score({ a: 3, b: 3 }).c, 'C');
});

test('binary model with one SVM', () => {
  const xml = `<PMML version="4.4"><Header/>
  <DataDictionary>${DICT_AB}<DataField name="c" optype="categorical" dataType="string"><Value value="no"/><Value value="yes"/></DataField></DataDictionary>
  <SupportVectorMachineModel functionName="classification" svmRepresentation="Coefficients">
    <MiningSchema><MiningField name="a"/><MiningField name="b"/><MiningField name="c" usageType="target"/></MiningSchema>
    <LinearKernelType/>
    <VectorDictionary><VectorFields><FieldRef field="a"/><FieldRef field="b"/></VectorFields></VectorDictionary>
    <SupportVectorMachine targetCategory="yes" alternateTargetCategory="no"><Coefficients absoluteValue="-1"><Coefficient value="1"/><Coefficient value="0"/></Coefficients></SupportVectorMachine>
  </SupportVectorMachineModel></PMML>`;
  const m = compile(xml);
  const yes = m.score({ a: 0, b: 5 }); // f = −1 < 0
  assert.equal(yes.c, 'yes');
  close(yes['probability(yes)'], 1);
  close(yes['probability(no)'], 0);
  assert.equal(m.score({ a: 2, b: 5 }).c, 'no');
});

test('CategoricalPredictor in VectorFields', () => {
  const xml = `<PMML version="4.4"><Header/>
  <DataDictionary><DataField name="a" optype="continuous" dataType="double"/>
    <DataField name="color" optype="categorical" dataType="string"><Value value="red"/><Value value="blue"/></DataField>
    <DataField name="y" optype="continuous" dataType="double"/></DataDictionary>
  <SupportVectorMachineModel functionName="regression" svmRepresentation="Coefficients">
    <MiningSchema><MiningField name="a"/><MiningField name="color"/><MiningField name="y" usageType="target"/></MiningSchema>
    <LinearKernelType/>
    <VectorDictionary><VectorFields><FieldRef field="a"/><CategoricalPredictor name="color" value="red" coefficient="1"/></VectorFields></VectorDictionary>
    <SupportVectorMachine><Coefficients><Coefficient value="1"/><Coefficient value="10"/></Coefficients></SupportVectorMachine>
  </SupportVectorMachineModel></PMML>`;
  const m = compile(xml);
  close(m.score({ a: 2, color: 'red' }).y, 12); // 2 + 10·1
  close(m.score({ a: 2, color: 'blue' }).y, 2); // 2 + 10·0
});

test('compile errors name the element', () => {
  const unknownVector = regression('<LinearKernelType/>').replace('vectorId="v2"', 'vectorId="v9"');
  assert.throws(() => compile(unknownVector), (e: unknown) => e instanceof PmmlCompileError && /SupportVectors/.test(e.path));
  const countMismatch = regression('<LinearKernelType/>').replace('<Coefficient value="-1"/>', '');
  assert.throws(() => compile(countMismatch), (e: unknown) => e instanceof PmmlCompileError && /Coefficients/.test(e.path));
  const shortVector = regression('<LinearKernelType/>').replace('<Array n="2" type="real">1 0</Array>', '<Array type="real">1</Array>');
  assert.throws(() => compile(shortVector), (e: unknown) => e instanceof PmmlCompileError && /VectorInstance\[id=v1\]/.test(e.path));
  const coefficientsRbf = ovo().replace('<LinearKernelType/>', '<RadialBasisKernelType/>');
  assert.throws(() => compile(coefficientsRbf), PmmlCompileError);
});

test('mathContext="float" rounds to float32', () => {
  const m = compile(regression('<RadialBasisKernelType gamma="0.5"/>').replace('functionName="regression"', 'functionName="regression" mathContext="float"'));
  const y = m.score({ a: 1, b: 1 }).y as number;
  assert.equal(Math.fround(y), y);
  close(y, 0.6065306597126334 + 0.5, 1e-6);
});
