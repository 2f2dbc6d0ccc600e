// GeneralRegressionModel: the design (PPMatrix factors, covariate exponents,
// interactions, intercepts), every linkFunction of generalizedLinear with
// offsets and trials, binary GLM classification, multinomialLogistic with and
// without targetReferenceCategory, ordinalMultinomial with every cumulativeLink,
// CoxRegression with and without strata, missing values, mathContext="float" and
// compile-time errors. Expected values are worked out by hand from the PMML 4.4
// General Regression formulas (closed forms chosen so that they are exact).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePmmlXml } from '../../src/frontends/pmml/xml.js';
import { compileDocument } from '../../runtime/pmml/document.js';
import { PmmlCompileError, PmmlUnsupportedError } from '../../runtime/pmml/el.js';
import { MODEL_REGISTRY } from '../../runtime/pmml/models/registry.js';
import { inverseLink, inverseLinkDerivative } from '../../runtime/pmml/models/math-links.js';

const compilers = MODEL_REGISTRY.map((m) => m.compiler);

function compile(xml: string) {
  return compileDocument(decodePmmlXml(new TextEncoder().encode(xml)).root, compilers);
}

function close(actual: unknown, expected: number, tol = 1e-12, what = ''): void {
  assert.equal(typeof actual, 'number', `${what}: ${String(actual)} is not a number`);
  const a = actual as number;
  assert.ok(Math.abs(a - expected) <= tol * Math.max(1, Math.abs(expected)), `${what}: expected ${expected}, got ${a}`);
}

const PHI_1 = 0.84134474606854294859; // Φ(1), 30-digit reference

test('design: intercept, covariate exponents, factors and interactions', () => {
  const doc = compile(`<PMML version="4.4"><DataDictionary>
      <DataField name="x" optype="continuous" dataType="double"/>
      <DataField name="g" optype="categorical" dataType="string"><Value value="a"/><Value value="b"/><Value value="c"/></DataField>
      <DataField name="k" optype="categorical" dataType="integer"><Value value="1"/><Value value="2"/></DataField>
      <DataField name="y" optype="continuous" dataType="double"/>
    </DataDictionary>
    <GeneralRegressionModel modelType="generalLinear" functionName="regression">
      <MiningSchema><MiningField name="x"/><MiningField name="g"/><MiningField name="k"/><MiningField name="y" usageType="target"/></MiningSchema>
      <ParameterList>
        <Parameter name="p0" label="Intercept"/><Parameter name="p1" label="x"/><Parameter name="p2" label="x^2"/>
        <Parameter name="p3" label="g=b"/><Parameter name="p4" label="g=c"/><Parameter name="p5" label="x*(g=b)"/><Parameter name="p6" label="k=2"/>
      </ParameterList>
      <FactorList><Predictor name="g"/><Predictor name="k"/></FactorList>
      <CovariateList><Predictor name="x"/></CovariateList>
      <PPMatrix>
        <PPCell value="1" predictorName="x" parameterName="p1"/>
        <PPCell value="2" predictorName="x" parameterName="p2"/>
        <PPCell value="b" predictorName="g" parameterName="p3"/>
        <PPCell value="c" predictorName="g" parameterName="p4"/>
        <PPCell value="1" predictorName="x" parameterName="p5"/>
        <PPCell value="b" predictorName="g" parameterName="p5"/>
        <PPCell value="2" predictorName="k" parameterName="p6"/>
      </PPMatrix>
      <ParamMatrix>
        <PCell parameterName="p0" beta="1" df="1"/>
        <PCell parameterName="p1" beta="2" df="1"/>
        <PCell parameterName="p2" beta="0.5" df="1"/>
        <PCell parameterName="p3" beta="10" df="1"/>
        <PCell parameterName="p4" beta="20" df="1"/>
        <PCell parameterName="p5" beta="-3" df="1"/>
        <PCell parameterName="p6" beta="100" df="1"/>
      </ParamMatrix>
    </GeneralRegressionModel></PMML>`);
  // 1 + 2·2 + 0.5·4 = 7 (reference levels a and 1)
  assert.equal(doc.score({ x: 2, g: 'a', k: 1 })['y'], 7);
  // 1 + 2·2 + 0.5·4 + 10 − 3·2 + 100 = 111
  assert.equal(doc.score({ x: 2, g: 'b', k: '2' })['y'], 111);
  // 1 + 2·(−2) + 0.5·4 + 20 = 19
  assert.equal(doc.score({ x: -2, g: 'c', k: 1 })['y'], 19);
  // missing factor or covariate: no prediction
  assert.equal(doc.score({ x: 2, g: null, k: 1 })['y'], null);
  assert.equal(doc.score({ x: null, g: 'a', k: 1 })['y'], null);
});

/** generalizedLinear regression: eta = x (+ offset); `extra` adds attributes to the model element. */
function glmDoc(extra: string, fields = ''): string {
  return `<PMML version="4.4"><DataDictionary>
      <DataField name="x" optype="continuous" dataType="double"/>
      <DataField name="off" optype="continuous" dataType="double"/>
      <DataField name="n" optype="continuous" dataType="double"/>
      <DataField name="y" optype="continuous" dataType="double"/>
    </DataDictionary>
    <GeneralRegressionModel modelType="generalizedLinear" functionName="regression" ${extra}>
      <MiningSchema><MiningField name="x"/>${fields}<MiningField name="y" usageType="target"/></MiningSchema>
      <ParameterList><Parameter name="p0"/><Parameter name="p1"/></ParameterList>
      <CovariateList><Predictor name="x"/></CovariateList>
      <PPMatrix><PPCell value="1" predictorName="x" parameterName="p1"/></PPMatrix>
      <ParamMatrix><PCell parameterName="p0" beta="0"/><PCell parameterName="p1" beta="1"/></ParamMatrix>
    </GeneralRegressionModel></PMML>`;
}

test('every linkFunction: mu = g^-1(eta)', () => {
  const e = Math.E;
  const cases: [string, [number, number][]][] = [
    ['linkFunction="identity"', [[1.5, 1.5], [-2, -2]]],
    ['linkFunction="log"', [[Math.log(2), 2], [0, 1]]],
    ['linkFunction="logc"', [[Math.log(0.25), 0.75], [0, 0]]],
    ['linkFunction="logit"', [[Math.log(3), 0.75], [0, 0.5]]],
    ['linkFunction="probit"', [[1, PHI_1], [0, 0.5]]],
    ['linkFunction="cloglog"', [[0, 1 - 1 / e], [Math.log(Math.log(2)), 0.5]]],
    ['linkFunction="loglog"', [[0, 1 / e], [-Math.log(Math.log(2)), 0.5]]],
    // negbin, c = 2: eta = ln(mu / (mu + 1/2)); mu = 0.25 gives eta = ln(1/3)
    ['linkFunction="negbin" distribution="negbin" distParameter="2"', [[Math.log(1 / 3), 0.25], [Math.log(0.5), 0.5]]],
    // power d = 0.5: mu = eta²; d = 0: mu = exp(eta); d = -1: mu = 1/eta
    ['linkFunction="power" linkParameter="0.5"', [[3, 9], [0.5, 0.25]]],
    ['linkFunction="power" linkParameter="0"', [[Math.log(5), 5]]],
    ['linkFunction="power" linkParameter="-1"', [[4, 0.25]]],
    // oddspower d = 2: odds = (1 + 2 eta)^(1/2); eta = 4 → odds 3 → mu 0.75; d = 0: logistic
    ['linkFunction="oddspower" linkParameter="2"', [[4, 0.75], [0, 0.5]]],
    ['linkFunction="oddspower" linkParameter="0"', [[Math.log(3), 0.75]]],
  ];
  for (const [attrs, rows] of cases) {
    const doc = compile(glmDoc(attrs));
    for (const [x, mu] of rows) close(doc.score({ x })['y'], mu, 1e-12, `${attrs} eta=${x}`);
  }
});

test('offsetVariable, offsetValue, trialsVariable and trialsValue', () => {
  // log link, eta = x + offset
  const withVar = compile(glmDoc('linkFunction="log" offsetVariable="off"', '<MiningField name="off"/>'));
  close(withVar.score({ x: 1, off: Math.log(2) - 1 })['y'], 2);
  assert.equal(withVar.score({ x: 1, off: null })['y'], null);
  const withValue = compile(glmDoc(`linkFunction="log" offsetValue="${Math.log(3)}"`));
  close(withValue.score({ x: 0 })['y'], 3);
  // logit link with trials: predicted = mu · trials
  const trialsVar = compile(glmDoc('linkFunction="logit" trialsVariable="n"', '<MiningField name="n"/>'));
  close(trialsVar.score({ x: Math.log(3), n: 20 })['y'], 15);
  assert.equal(trialsVar.score({ x: 0, n: null })['y'], null);
  const trialsValue = compile(glmDoc('linkFunction="logit" trialsValue="8"'));
  close(trialsValue.score({ x: 0 })['y'], 4);
});

/** Binary GLM classification on target t (categories no, yes): eta = x. */
function binaryGlm(pcellCategory: string, extra = ''): string {
  const tc = pcellCategory === '' ? '' : ` targetCategory="${pcellCategory}"`;
  return `<PMML version="4.4"><DataDictionary>
      <DataField name="x" optype="continuous" dataType="double"/>
      <DataField name="t" optype="categorical" dataType="string"><Value value="no"/><Value value="yes"/></DataField>
    </DataDictionary>
    <GeneralRegressionModel modelType="generalizedLinear" functionName="classification" distribution="binomial" linkFunction="logit" ${extra}>
      <MiningSchema><MiningField name="x"/><MiningField name="t" usageType="target"/></MiningSchema>
      <ParameterList><Parameter name="p0"/><Parameter name="p1"/></ParameterList>
      <CovariateList><Predictor name="x"/></CovariateList>
      <PPMatrix><PPCell value="1" predictorName="x" parameterName="p1"/></PPMatrix>
      <ParamMatrix><PCell${tc} parameterName="p0" beta="0"/><PCell${tc} parameterName="p1" beta="1"/></ParamMatrix>
    </GeneralRegressionModel></PMML>`;
}

test('binary generalizedLinear classification: the event category gets mu', () => {
  const x = Math.log(3); // mu = 0.75
  const byCell = compile(binaryGlm('yes')).score({ x });
  close(byCell['probability(yes)'], 0.75);
  close(byCell['probability(no)'], 0.25);
  assert.equal(byCell['t'], 'yes');
  const byCellNo = compile(binaryGlm('no')).score({ x });
  close(byCellNo['probability(no)'], 0.75);
  assert.equal(byCellNo['t'], 'no');
  // without targetCategory: the category that is not the reference
  const byRef = compile(binaryGlm('', 'targetReferenceCategory="yes"')).score({ x });
  close(byRef['probability(no)'], 0.75);
  // default reference: the last category
  const byDefault = compile(binaryGlm('')).score({ x });
  close(byDefault['probability(no)'], 0.75);
  close(byDefault['probability(yes)'], 0.25);
  assert.equal(compile(binaryGlm('yes')).score({ x: null })['t'], null);
});

/** multinomialLogistic over A, B, C (and an unused category D): eta_A = a, eta_B = b. */
function multinomialDoc(ref: string, withC = false, withD = true): string {
  return `<PMML version="4.4"><DataDictionary>
      <DataField name="a" optype="continuous" dataType="double"/>
      <DataField name="b" optype="continuous" dataType="double"/>
      <DataField name="t" optype="categorical" dataType="string"><Value value="A"/><Value value="B"/><Value value="C"/>${withD ? '<Value value="D"/>' : ''}</DataField>
    </DataDictionary>
    <GeneralRegressionModel modelType="multinomialLogistic" functionName="classification" ${ref}>
      <MiningSchema><MiningField name="a"/><MiningField name="b"/><MiningField name="t" usageType="target"/></MiningSchema>
      <ParameterList><Parameter name="p0"/><Parameter name="pa"/><Parameter name="pb"/></ParameterList>
      <CovariateList><Predictor name="a"/><Predictor name="b"/></CovariateList>
      <PPMatrix><PPCell value="1" predictorName="a" parameterName="pa"/><PPCell value="1" predictorName="b" parameterName="pb"/></PPMatrix>
      <ParamMatrix>
        <PCell targetCategory="A" parameterName="pa" beta="1"/>
        <PCell targetCategory="B" parameterName="p0" beta="0"/>
        <PCell targetCategory="B" parameterName="pb" beta="1"/>
        ${withC ? '<PCell targetCategory="C" parameterName="p0" beta="5"/>' : ''}
      </ParamMatrix>
    </GeneralRegressionModel></PMML>`;
}

test('multinomialLogistic: softmax with the reference category at 0', () => {
  const a = Math.log(2);
  const b = Math.log(5);
  // exp: A 2, B 5, C (reference) 1 → /8
  // the reference: targetReferenceCategory, else the (last) category without PCells
  for (const [ref, withD] of [['targetReferenceCategory="C"', true], ['', false]] as const) {
    const r = compile(multinomialDoc(ref, false, withD)).score({ a, b });
    close(r['probability(A)'], 0.25);
    close(r['probability(B)'], 0.625);
    close(r['probability(C)'], 0.125);
    if (withD) assert.equal(r['probability(D)'], 0); // a category outside the model
    assert.equal(r['t'], 'B');
  }
  // two categories without PCells and no targetReferenceCategory: the last one is the reference
  const last = compile(multinomialDoc('')).score({ a, b });
  close(last['probability(D)'], 0.125);
  assert.equal(last['probability(C)'], 0);
  // reference D while C has its own equation: exp A 2, B 5, C e^5, D 1
  const r = compile(multinomialDoc('targetReferenceCategory="D"', true)).score({ a, b });
  const s = 2 + 5 + Math.exp(5) + 1;
  close(r['probability(A)'], 2 / s);
  close(r['probability(C)'], Math.exp(5) / s);
  close(r['probability(D)'], 1 / s);
  assert.equal(r['t'], 'C');
  assert.equal(compile(multinomialDoc('')).score({ a: null, b })['t'], null);
});

/** ordinalMultinomial over low < mid < high: thresholds -1 and 1 (PCells by category), slope 0.5 shared. */
function ordinalDoc(link: string): string {
  return `<PMML version="4.4"><DataDictionary>
      <DataField name="x" optype="continuous" dataType="double"/>
      <DataField name="t" optype="ordinal" dataType="string"><Value value="low"/><Value value="mid"/><Value value="high"/></DataField>
    </DataDictionary>
    <GeneralRegressionModel modelType="ordinalMultinomial" functionName="classification" cumulativeLink="${link}">
      <MiningSchema><MiningField name="x"/><MiningField name="t" usageType="target"/></MiningSchema>
      <ParameterList><Parameter name="p0"/><Parameter name="p1"/></ParameterList>
      <CovariateList><Predictor name="x"/></CovariateList>
      <PPMatrix><PPCell value="1" predictorName="x" parameterName="p1"/></PPMatrix>
      <ParamMatrix>
        <PCell targetCategory="low" parameterName="p0" beta="-1"/>
        <PCell targetCategory="mid" parameterName="p0" beta="1"/>
        <PCell parameterName="p1" beta="0.5"/>
      </ParamMatrix>
    </GeneralRegressionModel></PMML>`;
}

test('ordinalMultinomial: differences of cumulative probabilities for every cumulativeLink', () => {
  const e = Math.E;
  const F: Record<string, (v: number) => number> = {
    logit: (v) => 1 / (1 + Math.exp(-v)),
    cloglog: (v) => 1 - Math.exp(-Math.exp(v)),
    loglog: (v) => Math.exp(-Math.exp(-v)),
    cauchit: (v) => 0.5 + Math.atan(v) / Math.PI,
  };
  // x = 0: eta_low = −1, eta_mid = 1
  const expected: Record<string, [number, number]> = {
    logit: [1 / (1 + e), 1 / (1 + 1 / e)],
    probit: [1 - PHI_1, PHI_1],
    cloglog: [1 - Math.exp(-1 / e), 1 - Math.exp(-e)],
    loglog: [Math.exp(-e), Math.exp(-1 / e)],
    cauchit: [0.25, 0.75],
  };
  for (const [link, [g1, g2]] of Object.entries(expected)) {
    const r = compile(ordinalDoc(link)).score({ x: 0 });
    close(r['probability(low)'], g1, 1e-12, `${link} low`);
    close(r['probability(mid)'], g2 - g1, 1e-12, `${link} mid`);
    close(r['probability(high)'], 1 - g2, 1e-12, `${link} high`);
  }
  // x = 4: eta = θ + 0.5·4 → 1 and 3
  for (const [link, f] of Object.entries(F)) {
    const r = compile(ordinalDoc(link)).score({ x: 4 });
    close(r['probability(low)'], f(1), 1e-12, `${link} low x=4`);
    close(r['probability(mid)'], f(3) - f(1), 1e-12, `${link} mid x=4`);
    close(r['probability(high)'], 1 - f(3), 1e-12, `${link} high x=4`);
    assert.equal(r['t'], f(1) > f(3) - f(1) && f(1) > 1 - f(3) ? 'low' : f(3) - f(1) >= 1 - f(3) ? 'mid' : 'high');
  }
});

function coxDoc(strata: boolean): string {
  const tables = strata
    ? `<BaseCumHazardTables>
        <BaselineStratum value="1" maxTime="10"><BaselineCell time="2" cumHazard="0.1"/><BaselineCell time="5" cumHazard="0.4"/></BaselineStratum>
        <BaselineStratum value="2" maxTime="6"><BaselineCell time="1" cumHazard="0.2"/></BaselineStratum>
      </BaseCumHazardTables>`
    : `<BaseCumHazardTables maxTime="8"><BaselineCell time="5" cumHazard="0.4"/><BaselineCell time="2" cumHazard="0.1"/></BaseCumHazardTables>`;
  return `<PMML version="4.4"><DataDictionary>
      <DataField name="age" optype="continuous" dataType="double"/>
      <DataField name="sex" optype="categorical" dataType="string"><Value value="f"/><Value value="m"/></DataField>
      <DataField name="time" optype="continuous" dataType="double"/>
      <DataField name="status" optype="continuous" dataType="double"/>
      <DataField name="grp" optype="categorical" dataType="integer"/>
      <DataField name="risk" optype="continuous" dataType="double"/>
    </DataDictionary>
    <GeneralRegressionModel modelType="CoxRegression" functionName="regression" endTimeVariable="time" statusVariable="status"${strata ? ' baselineStrataVariable="grp"' : ''}>
      <MiningSchema><MiningField name="age"/><MiningField name="sex"/><MiningField name="time"/><MiningField name="status"/>${strata ? '<MiningField name="grp"/>' : ''}<MiningField name="risk" usageType="target"/></MiningSchema>
      <ParameterList><Parameter name="p0" referencePoint="50"/><Parameter name="p1" referencePoint="0.5"/></ParameterList>
      <FactorList><Predictor name="sex"/></FactorList>
      <CovariateList><Predictor name="age"/></CovariateList>
      <PPMatrix><PPCell value="1" predictorName="age" parameterName="p0"/><PPCell value="m" predictorName="sex" parameterName="p1"/></PPMatrix>
      <ParamMatrix><PCell parameterName="p0" beta="0.1"/><PCell parameterName="p1" beta="${2 * Math.log(2)}"/></ParamMatrix>
      ${tables}
    </GeneralRegressionModel></PMML>`;
}

test('CoxRegression: baseline cumulative hazard times exp of the centred linear predictor', () => {
  const doc = compile(coxDoc(true));
  // age 50, sex m: eta = 0.1·0 + 2 ln 2 · (1 − 0.5) = ln 2 → r = 2
  close(doc.score({ age: 50, sex: 'm', time: 3, status: 1, grp: 1 })['risk'], 0.2);
  close(doc.score({ age: 50, sex: 'm', time: 5, status: 1, grp: 1 })['risk'], 0.8);
  close(doc.score({ age: 50, sex: 'm', time: 10, status: 1, grp: 1 })['risk'], 0.8);
  // before the first cell: 0; after maxTime: no prediction
  assert.equal(doc.score({ age: 50, sex: 'm', time: 1, status: 1, grp: 1 })['risk'], 0);
  assert.equal(doc.score({ age: 50, sex: 'm', time: 10.5, status: 1, grp: 1 })['risk'], null);
  // age 60, sex f: eta = 0.1·10 + 2 ln 2 · (0 − 0.5) = 1 − ln 2 → r = e/2; stratum 2
  close(doc.score({ age: 60, sex: 'f', time: 6, status: 0, grp: '2' })['risk'], 0.2 * Math.E / 2);
  assert.equal(doc.score({ age: 60, sex: 'f', time: 7, status: 0, grp: 2 })['risk'], null);
  // unknown stratum, missing stratum, missing time, missing covariate: no prediction
  assert.equal(doc.score({ age: 50, sex: 'm', time: 3, status: 1, grp: 3 })['risk'], null);
  assert.equal(doc.score({ age: 50, sex: 'm', time: 3, status: 1, grp: null })['risk'], null);
  assert.equal(doc.score({ age: 50, sex: 'm', time: null, status: 1, grp: 1 })['risk'], null);
  assert.equal(doc.score({ age: null, sex: 'm', time: 3, status: 1, grp: 1 })['risk'], null);

  const flat = compile(coxDoc(false));
  close(flat.score({ age: 50, sex: 'm', time: 2, status: 1 })['risk'], 0.2);
  close(flat.score({ age: 50, sex: 'm', time: 8, status: 1 })['risk'], 0.8);
  assert.equal(flat.score({ age: 50, sex: 'm', time: 9, status: 1 })['risk'], null);
});

test('PPCells with a targetCategory apply to that category only', () => {
  const doc = compile(`<PMML version="4.4"><DataDictionary>
      <DataField name="x" optype="continuous" dataType="double"/>
      <DataField name="t" optype="categorical" dataType="string"><Value value="A"/><Value value="B"/><Value value="C"/></DataField>
    </DataDictionary>
    <GeneralRegressionModel modelType="multinomialLogistic" functionName="classification" targetReferenceCategory="C">
      <MiningSchema><MiningField name="x"/><MiningField name="t" usageType="target"/></MiningSchema>
      <ParameterList><Parameter name="p1"/></ParameterList>
      <CovariateList><Predictor name="x"/></CovariateList>
      <PPMatrix><PPCell value="1" predictorName="x" parameterName="p1" targetCategory="A"/><PPCell value="2" predictorName="x" parameterName="p1" targetCategory="B"/></PPMatrix>
      <ParamMatrix><PCell targetCategory="A" parameterName="p1" beta="1"/><PCell targetCategory="B" parameterName="p1" beta="1"/></ParamMatrix>
    </GeneralRegressionModel></PMML>`);
  // x = ln 2: eta_A = ln 2 → 2, eta_B = (ln 2)² → e^{(ln 2)^2}
  const x = Math.log(2);
  const eb = Math.exp(x * x);
  const r = doc.score({ x });
  close(r['probability(A)'], 2 / (3 + eb));
  close(r['probability(B)'], eb / (3 + eb));
  close(r['probability(C)'], 1 / (3 + eb));
});

test('mathContext="float" rounds parameters and intermediate results to float32', () => {
  const xml = (ctx: string) => glmDoc(`linkFunction="log"${ctx}`).replace('beta="0"', 'beta="0.1"').replace('parameterName="p1" beta="1"', 'parameterName="p1" beta="0.3"');
  const f = Math.fround;
  const x = 0.7;
  const expected = f(Math.exp(f(f(0 + f(f(0.1) * 1)) + f(f(0.3) * x)) + 0));
  assert.equal(compile(xml(' mathContext="float"')).score({ x })['y'], expected);
  close(compile(xml('')).score({ x })['y'], Math.exp(0.1 + 0.3 * 0.7), 1e-15);
});

test('compile errors name the element', () => {
  const doc = (model: string, body: string) => `<PMML version="4.4"><DataDictionary>
      <DataField name="x" optype="continuous" dataType="double"/>
      <DataField name="t" optype="categorical" dataType="string"><Value value="a"/><Value value="b"/><Value value="c"/></DataField>
    </DataDictionary>
    <GeneralRegressionModel ${model}>
      <MiningSchema><MiningField name="x"/><MiningField name="t" usageType="target"/></MiningSchema>
      ${body}
    </GeneralRegressionModel></PMML>`;
  const ok = `<ParameterList><Parameter name="p0"/></ParameterList><PPMatrix/><ParamMatrix><PCell parameterName="p0" beta="1"/></ParamMatrix>`;
  assert.throws(() => compile(doc('modelType="regression" functionName="regression"', ok.replace('PCell parameterName="p0"', 'PCell parameterName="p9"'))),
    (e: unknown) => e instanceof PmmlCompileError && /ParamMatrix\/PCell/.test(e.message) && /p9/.test(e.message));
  assert.throws(() => compile(doc('modelType="regression" functionName="regression"', ok.replace('<PPMatrix/>', '<PPMatrix><PPCell value="1" predictorName="nope" parameterName="p0"/></PPMatrix>'))),
    (e: unknown) => e instanceof PmmlCompileError && /PPMatrix\/PPCell/.test(e.message));
  assert.throws(() => compile(doc('modelType="generalizedLinear" functionName="regression" linkFunction="power"', ok)),
    (e: unknown) => e instanceof PmmlCompileError && /linkParameter/.test(e.message));
  assert.throws(() => compile(doc('modelType="generalizedLinear" functionName="regression" linkFunction="negbin"', ok)),
    (e: unknown) => e instanceof PmmlCompileError && /distParameter/.test(e.message));
  assert.throws(() => compile(doc('modelType="generalizedLinear" functionName="regression"', ok)),
    (e: unknown) => e instanceof PmmlCompileError && /linkFunction/.test(e.message));
  assert.throws(() => compile(doc('modelType="ordinalMultinomial" functionName="classification"', ok)),
    (e: unknown) => e instanceof PmmlCompileError && /cumulativeLink/.test(e.message));
  assert.throws(() => compile(doc('modelType="generalizedLinear" functionName="classification" linkFunction="logit"', ok)),
    (e: unknown) => e instanceof PmmlUnsupportedError && /binary/.test(e.message));
  assert.throws(() => compile(doc('modelType="multinomialLogistic" functionName="classification"', ok.replace('PCell parameterName', 'PCell targetCategory="zz" parameterName'))),
    (e: unknown) => e instanceof PmmlCompileError && /zz/.test(e.message));
  assert.throws(() => compile(doc('modelType="CoxRegression" functionName="regression" endTimeVariable="x"', ok)),
    (e: unknown) => e instanceof PmmlCompileError && /BaseCumHazardTables/.test(e.message));
  assert.throws(() => compile(doc('modelType="regression" functionName="regression"', ok.replace('<PPMatrix/>', '<FactorList><Predictor name="t" contrastMatrixType="helmert"/></FactorList><PPMatrix/>'))),
    (e: unknown) => e instanceof PmmlUnsupportedError && /contrast/.test(e.message));
  assert.throws(() => compile(doc('modelType="fancy" functionName="regression"', ok)), (e: unknown) => e instanceof PmmlUnsupportedError);
  assert.throws(() => compile(doc('modelType="regression" functionName="regression"', '<PPMatrix/><ParamMatrix/>')),
    (e: unknown) => e instanceof PmmlCompileError && /ParameterList/.test(e.message));
});

/**
 * Regression on x with a PCovMatrix: eta = b0 + b1 x (+ offset); `model` adds attributes to the
 * model element, `cov` is the PCovMatrix content. Output: the prediction and its standard error.
 */
function stderrDoc(model: string, cov: string, betas = '<PCell parameterName="p0" beta="0"/><PCell parameterName="p1" beta="1"/>'): string {
  return `<PMML version="4.4"><DataDictionary>
      <DataField name="x" optype="continuous" dataType="double"/>
      <DataField name="n" optype="continuous" dataType="double"/>
      <DataField name="y" optype="continuous" dataType="double"/>
    </DataDictionary>
    <GeneralRegressionModel functionName="regression" ${model}>
      <MiningSchema><MiningField name="x"/><MiningField name="n"/><MiningField name="y" usageType="target"/></MiningSchema>
      <Output>
        <OutputField name="pred" optype="continuous" dataType="double" feature="predictedValue"/>
        <OutputField name="se" optype="continuous" dataType="double" feature="standardError"/>
      </Output>
      <ParameterList><Parameter name="p0"/><Parameter name="p1"/></ParameterList>
      <CovariateList><Predictor name="x"/></CovariateList>
      <PPMatrix><PPCell value="1" predictorName="x" parameterName="p1"/></PPMatrix>
      ${cov === '' ? '' : `<PCovMatrix>${cov}</PCovMatrix>`}
      <ParamMatrix>${betas}</ParamMatrix>
    </GeneralRegressionModel></PMML>`;
}

// Var(b0) = 4, Var(b1) = 1, Cov(b0, b1) = -1: Var(b0 + b1 x) = 4 - 2x + x² (x = 1: 3, x = 2: 4, x = -1: 7)
const HALF_COV = '<PCovCell pRow="p0" pCol="p0" value="4"/><PCovCell pRow="p1" pCol="p0" value="-1"/><PCovCell pRow="p1" pCol="p1" value="1"/>';

test('standardError: sqrt(x\' C x) from a half-exported PCovMatrix (regression, generalLinear)', () => {
  for (const modelType of ['regression', 'generalLinear']) {
    const doc = compile(stderrDoc(`modelType="${modelType}"`, HALF_COV, '<PCell parameterName="p0" beta="1"/><PCell parameterName="p1" beta="2"/>'));
    const r2 = doc.score({ x: 2 });
    assert.equal(r2['pred'], 5);
    assert.equal(r2['se'], 2);
    close(doc.score({ x: 1 })['se'], Math.sqrt(3), 1e-15, `${modelType} x=1`);
    close(doc.score({ x: -1 })['se'], Math.sqrt(7), 1e-15, `${modelType} x=-1`);
    assert.equal(doc.score({ x: null })['se'], null);
  }
  // Both halves given (equal values) is the same matrix; absent pairs are 0.
  const full = compile(stderrDoc('modelType="regression"', `${HALF_COV}<PCovCell pRow="p0" pCol="p1" value="-1"/>`));
  assert.equal(full.score({ x: 2 })['se'], 2);
  const diagonal = compile(stderrDoc('modelType="regression"', '<PCovCell pRow="p0" pCol="p0" value="4"/><PCovCell pRow="p1" pCol="p1" value="1"/>'));
  close(diagonal.score({ x: 3 })['se'], Math.sqrt(13), 1e-15);
  // Without a PCovMatrix there is no standard error.
  assert.equal(compile(stderrDoc('modelType="regression"', '')).score({ x: 2 })['se'], null);
});

test('standardError of generalizedLinear: delta method |d mu/d eta| se(eta), times trials', () => {
  // eta = x, se(eta) = sqrt(4 - 2x + x²); at x = ln 3: logit mu = 3/4, d mu/d eta = 3/16.
  const x = Math.log(3);
  const seEta = Math.sqrt(4 - 2 * x + x * x);
  const logit = compile(stderrDoc('modelType="generalizedLinear" linkFunction="logit" trialsVariable="n"', HALF_COV));
  const r = logit.score({ x, n: 20 });
  close(r['pred'], 15, 1e-14);
  close(r['se'], 20 * (3 / 16) * seEta, 1e-14, 'logit with trials');
  assert.equal(logit.score({ x, n: null })['se'], null);
  // log link with an offset: mu = exp(eta + offset), se = mu se(eta) (the offset has no variance)
  const log = compile(stderrDoc(`modelType="generalizedLinear" linkFunction="log" offsetValue="${Math.log(2)}"`, HALF_COV));
  close(log.score({ x: 1 })['se'], 2 * Math.E * Math.sqrt(3), 1e-14, 'log with offset');
  // logc: d mu/d eta = -exp(eta); the standard error is its absolute value times se(eta)
  const logc = compile(stderrDoc('modelType="generalizedLinear" linkFunction="logc"', HALF_COV));
  close(logc.score({ x: -1 })['se'], Math.exp(-1) * Math.sqrt(7), 1e-14, 'logc');
});

test('inverseLinkDerivative agrees with a central difference of inverseLink for every link', () => {
  const links: [string, number, number][] = [
    ['identity', 0, 0], ['log', 0, 0], ['logc', 0, 0], ['logit', 0, 0], ['probit', 0, 0], ['cloglog', 0, 0],
    ['loglog', 0, 0], ['negbin', 0, 2], ['power', 0.5, 0], ['power', 0, 0], ['power', -1, 0], ['power', 1, 0],
    ['oddspower', 2, 0], ['oddspower', 0, 0],
  ];
  for (const [name, d, c] of links) {
    const f = inverseLink(name, d, c)!;
    const df = inverseLinkDerivative(name, d, c)!;
    // negbin needs eta < 0 (mu > 0); the others are checked on a positive range for power
    for (const eta of name === 'negbin' ? [-0.3, -1, -2.5] : [0.3, 1.1, 2.5]) {
      const h = 1e-5;
      const numeric = (f(eta + h) - f(eta - h)) / (2 * h);
      close(df(eta), numeric, 1e-8, `${name}(${d},${c}) at ${eta}`);
    }
  }
  assert.equal(inverseLinkDerivative('nonsense', 0, 0), undefined);
});

test('PCovMatrix errors name the cell', () => {
  const err = (cov: string, pattern: RegExp): void => {
    assert.throws(() => compile(stderrDoc('modelType="regression"', cov)), (e: unknown) => e instanceof PmmlCompileError && pattern.test(e.message), pattern.source);
  };
  err('<PCovCell pRow="p0" pCol="p1" value="1"/><PCovCell pRow="p1" pCol="p0" value="2"/>', /PCovMatrix\/PCovCell\[2\].*given twice with different values/);
  err('<PCovCell pRow="p0" pCol="zz" value="1"/>', /PCovCell.*"zz" is not declared in the ParameterList/);
  err('<PCovCell pRow="p0" pCol="p0" tRow="a" tCol="a" value="1"/>', /PCovCell.*a regression model has one equation/);
  err('<PCovCell pRow="p0" pCol="p0" value="abc"/>', /PCovCell/);
  assert.throws(() => compile(stderrDoc('modelType="regression"', '').replace('<PCovMatrix>', '')
    .replace('<ParamMatrix>', '<PCovMatrix type="bogus"><PCovCell pRow="p0" pCol="p0" value="1"/></PCovMatrix><ParamMatrix>')), /PCovMatrix.*type/);
});
