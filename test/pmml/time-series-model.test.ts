// TimeSeriesModel: ExponentialSmoothing and ARIMA forecasts on small documents,
// values worked out by hand from the forecast functions (see time-series.ts).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodePmmlXml } from '../../src/frontends/pmml/xml.js';
import { compileDocument } from '../../runtime/pmml/document.js';
import { PmmlCompileError, PmmlUnsupportedError } from '../../runtime/pmml/el.js';
import { MODEL_REGISTRY } from '../../runtime/pmml/models/registry.js';

const compilers = MODEL_REGISTRY.map((m) => m.compiler);

function compile(xml: string) {
  return compileDocument(decodePmmlXml(new TextEncoder().encode(xml)).root, compilers);
}

function near(actual: unknown, expected: number, tol = 1e-12): void {
  assert.equal(typeof actual, 'number', `expected a number, got ${String(actual)}`);
  assert.ok(Math.abs((actual as number) - expected) <= tol * Math.max(1, Math.abs(expected)), `${String(actual)} ≠ ${expected}`);
}

/** A TimeSeriesModel over target y with horizon field h (unless `horizon` is false). */
function doc(bestFit: string, body: string, opts: { horizon?: boolean; se?: boolean } = {}): string {
  const horizon = opts.horizon ?? true;
  return `<PMML xmlns="http://www.dmg.org/PMML-4_4" version="4.4">
  <DataDictionary>
    <DataField name="y" optype="continuous" dataType="double"/>
    ${horizon ? '<DataField name="h" optype="continuous" dataType="integer"/>' : ''}
  </DataDictionary>
  <TimeSeriesModel functionName="timeSeries" bestFit="${bestFit}">
    <MiningSchema>
      <MiningField name="y" usageType="target"/>
      ${horizon ? '<MiningField name="h"/>' : ''}
    </MiningSchema>
    <Output>
      <OutputField name="f" optype="continuous" dataType="double" feature="predictedValue"/>
      ${opts.se ? '<OutputField name="se" optype="continuous" dataType="double" feature="standardError"/>' : ''}
    </Output>
    ${body}
  </TimeSeriesModel>
</PMML>`;
}

function series(values: number[]): string {
  return `<TimeSeries usage="original">${values.map((v, i) => `<TimeValue index="${i + 1}" value="${v}"/>`).join('')}</TimeSeries>`;
}

test('exponential smoothing without trend or season: the level for every horizon', () => {
  const d = compile(doc('ExponentialSmoothing', '<ExponentialSmoothing><Level alpha="0.3" smoothedValue="42.5"/></ExponentialSmoothing>'));
  near(d.score({ h: 1 }).f, 42.5);
  near(d.score({ h: 7 }).f, 42.5);
});

test('exponential smoothing trends: additive, damped additive, multiplicative, damped multiplicative', () => {
  const add = compile(doc('ExponentialSmoothing', '<ExponentialSmoothing><Level smoothedValue="10"/><Trend_ExpoSmooth trend="additive" smoothedValue="2"/></ExponentialSmoothing>'));
  near(add.score({ h: 3 }).f, 16); // 10 + 3·2
  const damped = compile(doc('ExponentialSmoothing', '<ExponentialSmoothing><Level smoothedValue="10"/><Trend_ExpoSmooth trend="damped_additive" phi="0.5" smoothedValue="4"/></ExponentialSmoothing>'));
  near(damped.score({ h: 2 }).f, 10 + 4 * (0.5 + 0.25));
  const mult = compile(doc('ExponentialSmoothing', '<ExponentialSmoothing><Level smoothedValue="100"/><Trend_ExpoSmooth trend="multiplicative" smoothedValue="1.1"/></ExponentialSmoothing>'));
  near(mult.score({ h: 2 }).f, 121);
  const dmult = compile(doc('ExponentialSmoothing', '<ExponentialSmoothing><Level smoothedValue="100"/><Trend_ExpoSmooth trend="damped_multiplicative" phi="0.5" smoothedValue="2"/></ExponentialSmoothing>'));
  near(dmult.score({ h: 2 }).f, 100 * Math.pow(2, 0.75));
  // trend defaults to additive, phi to 1
  const dflt = compile(doc('ExponentialSmoothing', '<ExponentialSmoothing><Level smoothedValue="1"/><Trend_ExpoSmooth smoothedValue="0.5"/></ExponentialSmoothing>'));
  near(dflt.score({ h: 4 }).f, 3);
});

test('seasonality: the index cycles with the period; phase moves the position of the last observation', () => {
  const body = (phase: string) => `<ExponentialSmoothing><Level smoothedValue="10"/>
    <Seasonality_ExpoSmooth type="additive" period="3"${phase}><Array n="3" type="real">1 2 3</Array></Seasonality_ExpoSmooth></ExponentialSmoothing>`;
  const d = compile(doc('ExponentialSmoothing', body('')));
  assert.deepEqual([1, 2, 3, 4, 5].map((h) => d.score({ h }).f), [11, 12, 13, 11, 12]);
  const p = compile(doc('ExponentialSmoothing', body(' phase="1"')));
  assert.deepEqual([1, 2, 3, 4].map((h) => p.score({ h }).f), [12, 13, 11, 12]);
  const m = compile(doc('ExponentialSmoothing', `<ExponentialSmoothing><Level smoothedValue="10"/><Trend_ExpoSmooth smoothedValue="1"/>
    <Seasonality_ExpoSmooth type="multiplicative" period="2"><Array n="2" type="real">0.5 2</Array></Seasonality_ExpoSmooth></ExponentialSmoothing>`));
  near(m.score({ h: 1 }).f, 5.5); // (10 + 1)·0.5
  near(m.score({ h: 2 }).f, 24); // (10 + 2)·2
});

test('logarithmic and square-root transformations are undone on the forecast', () => {
  const log = compile(doc('ExponentialSmoothing', '<ExponentialSmoothing transformation="logarithmic"><Level smoothedValue="2"/><Trend_ExpoSmooth smoothedValue="0.1"/></ExponentialSmoothing>'));
  near(log.score({ h: 2 }).f, Math.exp(2.2));
  const sqrt = compile(doc('ExponentialSmoothing', '<ExponentialSmoothing transformation="squareroot"><Level smoothedValue="3"/></ExponentialSmoothing>'));
  near(sqrt.score({ h: 5 }).f, 9);
});

test('the horizon: missing or below 1 gives no forecast; without a horizon field h = 1', () => {
  const d = compile(doc('ExponentialSmoothing', '<ExponentialSmoothing><Level smoothedValue="10"/><Trend_ExpoSmooth smoothedValue="1"/></ExponentialSmoothing>'));
  assert.equal(d.score({ h: null }).f, null);
  assert.equal(d.score({ h: 0 }).f, null);
  assert.equal(d.score({ h: -2 }).f, null);
  const one = compile(doc('ExponentialSmoothing', '<ExponentialSmoothing><Level smoothedValue="10"/><Trend_ExpoSmooth smoothedValue="1"/></ExponentialSmoothing>', { horizon: false }));
  near(one.score({}).f, 11);
});

test('ARIMA(1,0,0) with a mean: forecasts decay to the mean, standard errors from the psi weights', () => {
  const d = compile(doc('ARIMA', `${series([9, 12, 14])}
    <ARIMA RMSE="2" constantTerm="10"><NonseasonalComponent p="1"><AR><Array type="real" n="1">0.5</Array></AR></NonseasonalComponent></ARIMA>`, { se: true }));
  const r1 = d.score({ h: 1 });
  near(r1.f, 12); // 10 + 0.5·(14 − 10)
  near(r1.se, 2);
  near(d.score({ h: 2 }).f, 11);
  const r3 = d.score({ h: 3 });
  near(r3.f, 10.5);
  near(r3.se, 2 * Math.sqrt(1 + 0.25 + 0.0625));
});

test('ARIMA(0,0,1): the last residual enters the first forecast only', () => {
  const d = compile(doc('ARIMA', `${series([1, -1, 2])}
    <ARIMA><NonseasonalComponent q="1"><MA><MACoefficients><Array type="real" n="1">0.4</Array></MACoefficients>
      <Residuals><Array type="real" n="2">7 2.5</Array></Residuals></MA></NonseasonalComponent></ARIMA>`));
  near(d.score({ h: 1 }).f, 1); // 0.4·2.5
  near(d.score({ h: 2 }).f, 0);
});

test('ARIMA(0,1,0): random walk, with drift, and with a log transformation', () => {
  const rw = compile(doc('ARIMA', `${series([3, 5, 20])}<ARIMA RMSE="1.5"><NonseasonalComponent d="1"/></ARIMA>`, { se: true }));
  near(rw.score({ h: 4 }).f, 20);
  near(rw.score({ h: 4 }).se, 1.5 * 2); // sqrt(4) steps of a random walk
  const drift = compile(doc('ARIMA', `${series([3, 5, 20])}<ARIMA constantTerm="0.5"><NonseasonalComponent d="1"/></ARIMA>`));
  near(drift.score({ h: 4 }).f, 22);
  const log = compile(doc('ARIMA', `${series([3, 5, 20])}<ARIMA transformation="logarithmic" constantTerm="0.1"><NonseasonalComponent d="1"/></ARIMA>`, { se: true }));
  near(log.score({ h: 2 }).f, 20 * Math.exp(0.2));
  assert.equal(log.score({ h: 2 }).se, null); // no standard error on the transformed scale
});

test('seasonal differencing repeats the last season', () => {
  const d = compile(doc('ARIMA', `${series([1, 2, 3, 4, 5, 6, 7, 8])}<ARIMA><SeasonalComponent D="1" period="4"/></ARIMA>`));
  assert.deepEqual([1, 2, 3, 4, 5].map((h) => d.score({ h }).f), [5, 6, 7, 8, 5]);
});

test('unsupported algorithms and parts are refused with PmmlUnsupportedError', () => {
  for (const bf of ['GARCH', 'SpectralAnalysis', 'SeasonalTrendDecomposition']) {
    assert.throws(() => compile(doc(bf, '')), (e: unknown) => e instanceof PmmlUnsupportedError && e.message.includes(bf));
  }
  // GARCH: the reason (no stored conditional variances) and the element's path
  const garch = '<GARCH><ARMAPart p="0" q="0"><AR><Array type="real" n="0"></Array></AR><MA/></ARMAPart>' +
    '<GARCHPart gp="1" gq="1"><ResidualSquareCoefficients/><VarianceCoefficients/></GARCHPart></GARCH>';
  assert.throws(() => compile(doc('GARCH', garch)),
    (e: unknown) => e instanceof PmmlUnsupportedError && e.path.endsWith('TimeSeriesModel/GARCH') && /past conditional variances/.test(e.message));
  assert.throws(() => compile(doc('ExponentialSmoothing', '<ExponentialSmoothing><Level smoothedValue="1"/><Trend_ExpoSmooth trend="polynomial_exponential" smoothedValue="1"><Array type="real" n="2">1 2</Array></Trend_ExpoSmooth></ExponentialSmoothing>')),
    (e: unknown) => e instanceof PmmlUnsupportedError && /polynomial_exponential/.test(e.message) && /no forecast function/.test(e.message) &&
      e.path.endsWith('ExponentialSmoothing/Trend_ExpoSmooth'));
  assert.throws(() => compile(doc('ARIMA', `${series([1, 2])}<ARIMA><NonseasonalComponent d="1"/><DynamicRegressor field="x"/></ARIMA>`)),
    (e: unknown) => e instanceof PmmlUnsupportedError && e.path.endsWith('ARIMA/DynamicRegressor'));
  assert.throws(() => compile(doc('ARIMA', `${series([1, 2])}<ARIMA><NonseasonalComponent d="1"/><OutlierEffect type="additive" startTime="1" magnitude="2"/></ARIMA>`)),
    (e: unknown) => e instanceof PmmlUnsupportedError && e.path.endsWith('ARIMA/OutlierEffect'));
  assert.throws(() => compile(doc('ARIMA', `${series([1, 2])}<ARIMA predictionMethod="exactLeastSquares"><NonseasonalComponent d="1"/></ARIMA>`)),
    (e: unknown) => e instanceof PmmlUnsupportedError && /exactLeastSquares/.test(e.message));
});

test('invalid documents: coefficient counts, history length, missing elements', () => {
  assert.throws(() => compile(doc('ARIMA', `${series([1, 2, 3])}<ARIMA><NonseasonalComponent p="2"><AR><Array type="real" n="1">0.5</Array></AR></NonseasonalComponent></ARIMA>`)),
    (e: unknown) => e instanceof PmmlCompileError && /AR Array has 1/.test(e.message) && /NonseasonalComponent/.test(e.message));
  assert.throws(() => compile(doc('ARIMA', `${series([1, 2])}<ARIMA><NonseasonalComponent p="1" d="2"><AR><Array type="real" n="1">0.5</Array></AR></NonseasonalComponent></ARIMA>`)),
    (e: unknown) => e instanceof PmmlCompileError && /at least 3 observed values/.test(e.message));
  assert.throws(() => compile(doc('ARIMA', '<ARIMA><NonseasonalComponent d="1"/></ARIMA>')),
    (e: unknown) => e instanceof PmmlCompileError && /TimeSeries/.test(e.message));
  assert.throws(() => compile(doc('ExponentialSmoothing', '')), (e: unknown) => e instanceof PmmlCompileError && /ExponentialSmoothing/.test(e.message));
  assert.throws(() => compile(doc('ExponentialSmoothing', '<ExponentialSmoothing><Level smoothedValue="1"/><Seasonality_ExpoSmooth type="additive" period="3"><Array n="2" type="real">1 2</Array></Seasonality_ExpoSmooth></ExponentialSmoothing>')),
    (e: unknown) => e instanceof PmmlCompileError && /period="3" needs 3/.test(e.message) && e.path.endsWith('Seasonality_ExpoSmooth'));
});

/** A StateSpaceModel element: state s, transition rows F, measurement row H, extra attributes/children. */
function stateSpace(s: number[], F: number[][], H: number[], attrs = '', extra = ''): string {
  const arr = (v: number[]) => `<Array type="real" n="${v.length}">${v.join(' ')}</Array>`;
  return `<StateSpaceModel ${attrs}><StateVector>${arr(s)}</StateVector>
    <TransitionMatrix><Matrix nbRows="${F.length}" nbCols="${s.length}">${F.map(arr).join('')}</Matrix></TransitionMatrix>
    <MeasurementMatrix><Matrix>${arr(H)}</Matrix></MeasurementMatrix>${extra}</StateSpaceModel>`;
}

test('StateSpaceModel: y(h) = intercept + H F^(h-1) s', () => {
  // Local linear trend: level 10, slope 2; y(h) = 10 + 2(h - 1) (+ intercept)
  const trend = compile(doc('StateSpaceModel', stateSpace([10, 2], [[1, 1], [0, 1]], [1, 0])));
  assert.deepEqual([1, 2, 3, 5].map((h) => trend.score({ h }).f), [10, 12, 14, 18]);
  // asked out of order: the same values (the state is restarted, not reused)
  assert.deepEqual([7, 2, 1].map((h) => trend.score({ h }).f), [22, 12, 10]);
  const withIntercept = compile(doc('StateSpaceModel', stateSpace([10, 2], [[1, 1], [0, 1]], [1, 0], 'intercept="-4"')));
  assert.equal(withIntercept.score({ h: 3 }).f, 10);
  // AR(2) in companion form: s = (y_T+1 forecast state), F = [[0.5, 0.25], [1, 0]]
  const ar2 = compile(doc('StateSpaceModel', stateSpace([4, 8], [[0.5, 0.25], [1, 0]], [1, 0])));
  // h=1: 4; h=2: 0.5·4 + 0.25·8 = 4; h=3: 0.5·4 + 0.25·4 = 3
  assert.deepEqual([1, 2, 3].map((h) => ar2.score({ h }).f), [4, 4, 3]);
  // MeasurementMatrix mixes the state; the InterceptVector (PMML 4.4.1 producers) is the intercept
  const mixed = compile(doc('StateSpaceModel', stateSpace([1, 3], [[2, 0], [0, 0.5]], [1, 2], '',
    '<InterceptVector type="observation"><Array type="real" n="1">0.5</Array></InterceptVector>')));
  // h=2: s = (2, 1.5), y = 0.5 + 2 + 3 = 5.5
  assert.equal(mixed.score({ h: 2 }).f, 5.5);
  assert.equal(mixed.score({ h: 0 }).f, null);
  assert.equal(mixed.score({ h: null }).f, null);
  // a symmetric Matrix (lower triangle) is read as such
  const sym = compile(doc('StateSpaceModel', `<StateSpaceModel><StateVector><Array type="real" n="2">1 1</Array></StateVector>
    <TransitionMatrix><Matrix kind="symmetric"><Array type="real" n="1">1</Array><Array type="real" n="2">2 3</Array></Matrix></TransitionMatrix>
    <MeasurementMatrix><Matrix><Array type="real" n="2">1 1</Array></Matrix></MeasurementMatrix></StateSpaceModel>`));
  // F = [[1,2],[2,3]]: F (1,1) = (3, 5); y(2) = 8
  assert.equal(sym.score({ h: 2 }).f, 8);
});

test('StateSpaceModel errors name the element', () => {
  const bad = (body: string, ctor: typeof PmmlCompileError, pattern: RegExp, pathEnd: string): void => {
    assert.throws(() => compile(doc('StateSpaceModel', body)),
      (e: unknown) => e instanceof ctor && pattern.test(e.message) && e.path.endsWith(pathEnd), pattern.source);
  };
  bad(stateSpace([1, 2], [[1, 0]], [1, 0]), PmmlCompileError, /TransitionMatrix> must be 2×2/, 'TransitionMatrix/Matrix');
  bad(stateSpace([1, 2], [[1, 0], [0, 1]], [1]), PmmlCompileError, /MeasurementMatrix> must be 1×2/, 'MeasurementMatrix/Matrix');
  bad('<StateSpaceModel/>', PmmlCompileError, /StateVector/, 'StateSpaceModel');
  bad(stateSpace([1], [[1]], [1], '', '<DynamicRegressor field="x"/>'), PmmlUnsupportedError, /DynamicRegressor/, 'StateSpaceModel/DynamicRegressor');
  bad(stateSpace([1], [[1]], [1], 'intercept="1"', '<InterceptVector type="observation"><Array type="real" n="1">2</Array></InterceptVector>'),
    PmmlCompileError, /disagree/, 'InterceptVector');
  bad(stateSpace([1], [[1]], [1], '', '<InterceptVector type="state"><Array type="real" n="1">2</Array></InterceptVector>'),
    PmmlUnsupportedError, /type="state"/, 'InterceptVector');
});
