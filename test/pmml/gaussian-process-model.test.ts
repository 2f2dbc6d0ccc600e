// GaussianProcessModel: predictive mean and standard error on tiny training sets,
// values by hand from μ = kᵀ(K + σ²I)⁻¹y and σ² = k(x,x) − kᵀ(K + σ²I)⁻¹k.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePmmlXml } from '../../src/frontends/pmml/xml.js';
import { compileDocument } from '../../runtime/pmml/document.js';
import { PmmlCompileError, PmmlUnsupportedError } from '../../runtime/pmml/el.js';
import { cholesky } from '../../runtime/pmml/models/gaussian-process.js';
import { MODEL_REGISTRY } from '../../runtime/pmml/models/registry.js';

const compilers = MODEL_REGISTRY.map((m) => m.compiler);

function compile(xml: string) {
  return compileDocument(decodePmmlXml(new TextEncoder().encode(xml)).root, compilers);
}

function near(actual: unknown, expected: number, tol = 1e-12): void {
  assert.equal(typeof actual, 'number', `expected a number, got ${String(actual)}`);
  assert.ok(Math.abs((actual as number) - expected) <= tol * Math.max(1, Math.abs(expected)), `${String(actual)} ≠ ${expected}`);
}

/** One input x, target y, training rows [x, y]. */
function doc(kernel: string, rows: [number, number][], functionName = 'regression'): string {
  return `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary>
    <DataField name="x" optype="continuous" dataType="double"/>
    <DataField name="y" optype="continuous" dataType="double"/>
  </DataDictionary>
  <GaussianProcessModel functionName="${functionName}">
    <MiningSchema><MiningField name="x"/><MiningField name="y" usageType="predicted"/></MiningSchema>
    <Output>
      <OutputField name="mean" optype="continuous" dataType="double" feature="predictedValue"/>
      <OutputField name="se" optype="continuous" dataType="double" feature="standardError"/>
    </Output>
    ${kernel}
    <TrainingInstances>
      <InstanceFields><InstanceField field="x" column="in"/><InstanceField field="y" column="out"/></InstanceFields>
      <InlineTable>${rows.map(([a, b]) => `<row><in>${a}</in><out>${b}</out></row>`).join('')}</InlineTable>
    </TrainingInstances>
  </GaussianProcessModel>
</PMML>`;
}

test('one training point, radial basis kernel', () => {
  const d = compile(doc('<RadialBasisKernel gamma="1" noiseVariance="0.5" lambda="1"/>', [[0, 3]]));
  // K + σ² = 1.5
  const at0 = d.score({ x: 0 });
  near(at0.mean, 2);
  near(at0.se, Math.sqrt(1 - 1 / 1.5));
  const k = Math.exp(-0.5);
  const at1 = d.score({ x: 1 });
  near(at1.mean, (k * 3) / 1.5);
  near(at1.se, Math.sqrt(1 - (k * k) / 1.5));
  assert.equal(d.score({ x: null }).mean, null);
});

test('two points, absolute exponential kernel with default gamma and noise', () => {
  const d = compile(doc('<AbsoluteExponentialKernel><Lambda><Array n="1" type="real">2</Array></Lambda></AbsoluteExponentialKernel>', [[0, 1], [2, -1]]));
  // K + I = [[2, e^-1], [e^-1, 2]]
  const e = Math.exp(-1);
  const det = 4 - e * e;
  const inv = [[2 / det, -e / det], [-e / det, 2 / det]];
  const kx = [Math.exp(-0.5), Math.exp(-0.5)]; // x = 1: |1-0|/2, |1-2|/2
  const alpha = [inv[0][0] * 1 + inv[0][1] * -1, inv[1][0] * 1 + inv[1][1] * -1];
  const r = d.score({ x: 1 });
  near(r.mean, kx[0] * alpha[0] + kx[1] * alpha[1], 1e-12); // 0 by symmetry
  const q = kx[0] * (inv[0][0] * kx[0] + inv[0][1] * kx[1]) + kx[1] * (inv[1][0] * kx[0] + inv[1][1] * kx[1]);
  near(r.se, Math.sqrt(1 - q));
});

test('generalized exponential kernel: degree applies to |x − x\'|', () => {
  const d = compile(doc('<GeneralizedExponentialKernel gamma="2" noiseVariance="0" degree="2"><Lambda><Array n="1" type="real">4</Array></Lambda></GeneralizedExponentialKernel>', [[0, 5]]));
  // K = 2, α = 2.5; at x = 2: k = 2·exp(−4/4)
  near(d.score({ x: 2 }).mean, 2 * Math.exp(-1) * 2.5);
});

test('ARD squared exponential: one lambda per input', () => {
  const xml = `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary>
    <DataField name="a" optype="continuous" dataType="double"/><DataField name="b" optype="continuous" dataType="double"/>
    <DataField name="y" optype="continuous" dataType="double"/>
  </DataDictionary>
  <GaussianProcessModel functionName="regression">
    <MiningSchema><MiningField name="a"/><MiningField name="b"/><MiningField name="y" usageType="target"/></MiningSchema>
    <ARDSquaredExponentialKernel gamma="3" noiseVariance="1"><Lambda><Array n="2" type="real">1 2</Array></Lambda></ARDSquaredExponentialKernel>
    <TrainingInstances>
      <InstanceFields><InstanceField field="y"/><InstanceField field="a"/><InstanceField field="b"/></InstanceFields>
      <InlineTable><row><a>0</a><b>0</b><y>8</y></row></InlineTable>
    </TrainingInstances>
  </GaussianProcessModel>
</PMML>`;
  const d = compile(xml);
  // k = 3·exp(−½(1/1 + 4/4)) = 3e^-1; α = 8 / (3 + 1)
  near(d.score({ a: 1, b: 2 }).y, 3 * Math.exp(-1) * 2);
});

test('Cholesky factorisation', () => {
  const a = new Float64Array([4, 2, 2, 3]);
  cholesky(a, 2, 'test');
  near(a[0], 2);
  near(a[2], 1);
  near(a[3], Math.sqrt(2));
  assert.equal(a[1], 0);
});

test('invalid or unsupported documents', () => {
  assert.throws(() => compile(doc('<RadialBasisKernel noiseVariance="0"/>', [[1, 1], [1, 2]])), (e: unknown) => e instanceof PmmlCompileError && /positive definite/.test(e.message));
  assert.throws(() => compile(doc('<RadialBasisKernel/>', [[1, 1]], 'classification')), (e: unknown) => e instanceof PmmlUnsupportedError);
  assert.throws(() => compile(doc('<ARDSquaredExponentialKernel><Lambda><Array n="2" type="real">1 2</Array></Lambda></ARDSquaredExponentialKernel>', [[1, 1]])),
    (e: unknown) => e instanceof PmmlCompileError && /2 Lambda values for 1 inputs/.test(e.message) && e.path.endsWith('ARDSquaredExponentialKernel'));
  assert.throws(() => compile(doc('<RadialBasisKernel/>', [])), (e: unknown) => e instanceof PmmlCompileError && /no rows/.test(e.message));
});
