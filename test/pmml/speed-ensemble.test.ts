// Speed work that must not change results: segments skip re-preparing the MiningFields they share
// with their parent (runtime/pmml/document.ts), trees of an ensemble share the category indices of
// a field (runtime/pmml/models/tree.ts); and the SVM sums that any faster kernel loop must keep bit
// for bit. Expected values are worked out by hand, or computed here term by term in the order PMML's
// formulas give.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodePmmlXml } from '../../src/frontends/pmml/xml.js';
import { compileDocument } from '../../runtime/pmml/document.js';
import { MODEL_REGISTRY } from '../../runtime/pmml/models/registry.js';

const compilers = MODEL_REGISTRY.map((m) => m.compiler);
const compileXml = (xml: string) => compileDocument(decodePmmlXml(new TextEncoder().encode(xml)).root, compilers);

/** A segment: a one-node TreeModel scoring `score` (it reads no field) over `fields`. */
function constantTree(score: number, fields: string): string {
  return `<TreeModel functionName="regression"><MiningSchema>${fields}</MiningSchema><Node score="${score}"><True/></Node></TreeModel>`;
}

/** A segment: x ≤ 5 → 10, else 20. */
function splitTree(fields: string): string {
  return `<TreeModel functionName="regression"><MiningSchema>${fields}</MiningSchema>
    <Node score="0"><True/>
      <Node score="10"><SimplePredicate field="x" operator="lessOrEqual" value="5"/></Node>
      <Node score="20"><SimplePredicate field="x" operator="greaterThan" value="5"/></Node>
    </Node></TreeModel>`;
}

function sumDoc(parentFields: string, segments: readonly string[]): string {
  return `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary>
    <DataField name="x" optype="continuous" dataType="double"><Interval closure="closedClosed" leftMargin="0" rightMargin="10"/></DataField>
    <DataField name="y" optype="continuous" dataType="double"><Interval closure="closedClosed" leftMargin="0" rightMargin="10"/></DataField>
    <DataField name="t" optype="continuous" dataType="double"/>
  </DataDictionary>
  <MiningModel functionName="regression">
    <MiningSchema>${parentFields}<MiningField name="t" usageType="target"/></MiningSchema>
    <Segmentation multipleModelMethod="sum">
      ${segments.map((s, i) => `<Segment id="${i + 1}"><True/>${s}</Segment>`).join('\n')}
    </Segmentation>
  </MiningModel>
</PMML>`;
}

test('segments sharing the parent\'s prepared fields give the parent\'s values', () => {
  // The parent treats invalid x as missing; the segments list x plainly (they see the parent's value)
  // or with their own replacement for a missing value.
  const doc = compileXml(sumDoc('<MiningField name="x" invalidValueTreatment="asMissing"/>', [
    splitTree('<MiningField name="x"/>'),
    splitTree('<MiningField name="x" missingValueReplacement="7"/>'),
  ]));
  assert.deepEqual(doc.score({ x: 3 }), { t: 20 });
  assert.deepEqual(doc.score({ x: 6 }), { t: 40 });
  // 20 is outside [0, 10]: missing for the parent; segment 1 has no true child (no prediction, so the
  // sum has none: missingPredictionTreatment continue).
  assert.deepEqual(doc.score({ x: 20 }), { t: null });
  // Segment 2 alone: its replacement 7 → 20.
  const replaced = compileXml(sumDoc('<MiningField name="x" invalidValueTreatment="asMissing"/>', [
    splitTree('<MiningField name="x" missingValueReplacement="7"/>'),
  ]));
  assert.deepEqual(replaced.score({ x: 20 }), { t: 20 });
  assert.deepEqual(replaced.score({}), { t: 20 });
});

test('a segment whose MiningField differs from its parent\'s still prepares it for every row', () => {
  // The parent keeps invalid x as is; the segment's own MiningField (default returnInvalid) rejects it,
  // although its tree never reads x.
  const doc = compileXml(sumDoc('<MiningField name="x" invalidValueTreatment="asIs"/>', [
    constantTree(1, '<MiningField name="x"/>'),
    constantTree(2, '<MiningField name="x" invalidValueTreatment="asIs"/>'),
  ]));
  assert.deepEqual(doc.score({ x: 3 }), { t: 3 });
  const invalid = doc.score({ x: 20 });
  assert.equal(invalid.t, null);
  assert.match(String(invalid.$error), /"x" is invalid/);
});

test('a field the parent does not prepare eagerly (supplementary) is prepared by the segment that uses it', () => {
  const doc = compileXml(sumDoc('<MiningField name="x"/><MiningField name="y" usageType="supplementary"/>', [
    constantTree(1, '<MiningField name="x"/><MiningField name="y"/>'),
  ]));
  assert.deepEqual(doc.score({ x: 3, y: 4 }), { t: 1 });
  // y = 11 is invalid (returnInvalid by the parent's MiningField, which the segment's plain one shares).
  assert.match(String(doc.score({ x: 3, y: 11 }).$error), /"y" is invalid/);
});

test('trees of an ensemble share the category indices of a field; each knows only its own categories', () => {
  // Segment 1: c not in {A} → 1 else 2; segment 2: c in {B, Z} → 10 else 20; segment 3: c not in {Z, Q} → 100 else 200.
  // Later segments add categories the earlier ones must read as "any other value".
  const setTree = (op: string, values: string, yes: number, no: number): string => `<TreeModel functionName="regression">
    <MiningSchema><MiningField name="c"/></MiningSchema>
    <Node score="0"><True/>
      <Node score="${yes}"><SimpleSetPredicate field="c" booleanOperator="${op}"><Array type="string">${values}</Array></SimpleSetPredicate></Node>
      <Node score="${no}"><True/></Node>
    </Node></TreeModel>`;
  const doc = compileXml(`<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary>
    <DataField name="c" optype="categorical" dataType="string"/>
    <DataField name="t" optype="continuous" dataType="double"/>
  </DataDictionary>
  <MiningModel functionName="regression">
    <MiningSchema><MiningField name="c"/><MiningField name="t" usageType="target"/></MiningSchema>
    <Segmentation multipleModelMethod="sum">
      <Segment id="1"><True/>${setTree('isNotIn', 'A', 1, 2)}</Segment>
      <Segment id="2"><True/>${setTree('isIn', 'B Z', 10, 20)}</Segment>
      <Segment id="3"><True/>${setTree('isNotIn', 'Z Q', 100, 200)}</Segment>
    </Segmentation>
  </MiningModel>
</PMML>`);
  assert.deepEqual(doc.score({ c: 'A' }), { t: 2 + 20 + 100 });
  assert.deepEqual(doc.score({ c: 'B' }), { t: 1 + 10 + 100 });
  assert.deepEqual(doc.score({ c: 'Z' }), { t: 1 + 10 + 200 });
  assert.deepEqual(doc.score({ c: 'Q' }), { t: 1 + 20 + 200 });
  assert.deepEqual(doc.score({ c: 'other' }), { t: 1 + 20 + 100 });
  // The same value again (the lookup is remembered) and after another one.
  assert.deepEqual(doc.score({ c: 'Z' }), { t: 1 + 10 + 200 });
  assert.deepEqual(doc.score({ c: 'A' }), { t: 2 + 20 + 100 });
  // Missing: every SimpleSetPredicate is UNKNOWN, so each tree falls to its True node.
  assert.deepEqual(doc.score({}), { t: 2 + 20 + 200 });
});

// ---------------------------------------------------------------------------
// SVM kernels: f(x) = b + Σ αᵢ·K(x, vᵢ), every sum in document order (the reference for any faster loop).

const VECTORS: readonly (readonly number[])[] = [
  [0.1, 2, -3], [1.5, 0, 0], [0, 0, 1], [2.25, -1, 0.5], [3, 3, 3], [-0.7, 0.2, 0.9], [1e-3, 5, -2], [0, 1, 0], [4, -4, 0.125],
];
const ALPHAS: readonly number[] = [0.5, -1.25, 2, 0.75, -0.3, 1.1, -2.2, 0.9, 0.05];
const B = 0.37;

function svmDoc(kernel: string): string {
  const instances = VECTORS.map((v, i) => `<VectorInstance id="v${i}"><Array n="3" type="real">${v.join(' ')}</Array></VectorInstance>`).join('');
  const support = VECTORS.map((_, i) => `<SupportVector vectorId="v${i}"/>`).join('');
  const coefficients = ALPHAS.map((a) => `<Coefficient value="${a}"/>`).join('');
  return `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary>
    <DataField name="a" optype="continuous" dataType="double"/><DataField name="b" optype="continuous" dataType="double"/>
    <DataField name="c" optype="continuous" dataType="double"/><DataField name="y" optype="continuous" dataType="double"/>
  </DataDictionary>
  <SupportVectorMachineModel functionName="regression">
    <MiningSchema><MiningField name="a"/><MiningField name="b"/><MiningField name="c"/><MiningField name="y" usageType="target"/></MiningSchema>
    ${kernel}
    <VectorDictionary numberOfVectors="${VECTORS.length}">
      <VectorFields numberOfFields="3"><FieldRef field="a"/><FieldRef field="b"/><FieldRef field="c"/></VectorFields>
      ${instances}
    </VectorDictionary>
    <SupportVectorMachine>
      <SupportVectors>${support}</SupportVectors>
      <Coefficients absoluteValue="${B}">${coefficients}</Coefficients>
    </SupportVectorMachine>
  </SupportVectorMachineModel>
</PMML>`;
}

/** f(x) = b + Σ αᵢ·K(x, vᵢ), each sum in document order. */
function expected(x: readonly number[], kernel: (x: readonly number[], v: readonly number[]) => number): number {
  let f = B;
  for (let i = 0; i < VECTORS.length; i++) f += ALPHAS[i] * kernel(x, VECTORS[i]);
  return f;
}

function dot(x: readonly number[], v: readonly number[]): number {
  let s = 0;
  for (let j = 0; j < x.length; j++) s += x[j] * v[j];
  return s;
}

function squaredDistance(x: readonly number[], v: readonly number[]): number {
  let s = 0;
  for (let j = 0; j < x.length; j++) {
    const d = x[j] - v[j];
    s += d * d;
  }
  return s;
}

test('SVM kernels over nine support vectors are the sums in document order, bit for bit', () => {
  const kernels: [string, (x: readonly number[], v: readonly number[]) => number][] = [
    ['<RadialBasisKernelType gamma="0.3"/>', (x, v) => Math.exp(-0.3 * squaredDistance(x, v))],
    ['<LinearKernelType/>', dot],
    ['<PolynomialKernelType gamma="0.5" coef0="1.5" degree="3"/>', (x, v) => Math.pow(0.5 * dot(x, v) + 1.5, 3)],
    ['<SigmoidKernelType gamma="0.2" coef0="-0.4"/>', (x, v) => Math.tanh(0.2 * dot(x, v) - 0.4)],
  ];
  const rows: readonly number[][] = [[0, 0, 0], [1.1, -2.7, 0.3], [3.3, 1e-4, -8], [0.1, 0.2, 0.3]];
  for (const [kernelXml, kernel] of kernels) {
    const doc = compileXml(svmDoc(kernelXml));
    for (const x of rows) assert.equal(doc.score({ a: x[0], b: x[1], c: x[2] }).y, expected(x, kernel), `${kernelXml} at ${x.join(', ')}`);
  }
});
