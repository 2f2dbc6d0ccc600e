// PFA library family "prob.dist" (specification §24): every conformance trial run
// directly (official 1 % rule), the catalogue signatures, and accuracy checks against
// textbook values and identities (CDF ∘ QF = id, PDF = dCDF/dx, sums of discrete PDFs).

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pd from '../../runtime/pfa/lib/prob-dist.js';
import { PfaError, type CallTypes, type LibFunction } from '../../runtime/pfa/types.js';
import { PFA_DATA, runDirect } from './support/direct.js';

const FUNCTIONS = Object.values(pd) as LibFunction[];

function countById(failures: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const f of failures) {
    const id = f.slice(0, f.indexOf(' ')).replace(/:$/, '');
    out[id] = (out[id] ?? 0) + 1;
  }
  return out;
}

/** Runs fn's direct trials: the failures per test id must be exactly `known`. */
function conforms(fn: LibFunction, known: Record<string, number> = {}): void {
  const r = runDirect('prob.dist', fn, { official: true });
  assert.ok(r.trials > 0, `no direct trials for ${fn.name}`);
  assert.deepEqual(countById(r.failures), known, r.failures.slice(0, 8).join('\n'));
}

const TYPES: CallTypes = { params: [], ret: { kind: 'double' }, sig: 0 };
const CTX = { random: Math.random, log: () => undefined };

/** The implementation of a function whose arguments and result are numbers. */
function numeric(fn: LibFunction): (...args: number[]) => number {
  return fn.make(TYPES, CTX) as (...args: number[]) => number;
}

function near(actual: number, expected: number, rel = 1e-12, abs = 1e-300): void {
  assert.ok(Math.abs(actual - expected) <= abs + rel * Math.abs(expected), `${actual} ≠ ${expected}`);
}

function throwsCode(f: () => unknown, code: number): void {
  assert.throws(f, (e: unknown) => e instanceof PfaError && e.code === code, `expected PFA error ${code}`);
}

test('prob.dist: 48 functions with the catalogue signatures', () => {
  const catalogue = JSON.parse(readFileSync(join(PFA_DATA, 'functions.json'), 'utf8')) as { functions: { name: string; signatures: unknown }[] };
  const expected = catalogue.functions.filter((f) => f.name.startsWith('prob.dist.'));
  assert.equal(expected.length, 48);
  assert.deepEqual(FUNCTIONS.map((f) => f.name).sort(), expected.map((f) => f.name).sort());
  for (const f of expected) assert.deepEqual(FUNCTIONS.find((x) => x.name === f.name)?.sigs, f.signatures, f.name);
});

// ---------------------------------------------------------------------------
// Conformance. Where a count is expected, Titus2 (the reference that filled the suite)
// contradicts the specification; the reason is given for each.

const CLEAN = [
  pd.gaussianLL, pd.gaussianCDF, pd.gaussianQF, pd.exponentialPDF, pd.exponentialCDF, pd.exponentialQF, pd.chi2QF,
  pd.poissonPDF, pd.poissonCDF, pd.poissonQF, pd.gammaPDF, pd.gammaQF, pd.betaCDF, pd.betaQF, pd.cauchyPDF, pd.cauchyCDF, pd.cauchyQF,
  pd.fCDF, pd.fQF, pd.lognormalPDF, pd.lognormalCDF, pd.lognormalQF, pd.tPDF, pd.tCDF, pd.tQF, pd.uniformPDF, pd.uniformCDF, pd.uniformQF,
  pd.geometricPDF, pd.geometricCDF, pd.geometricQF, pd.weibullCDF, pd.weibullQF,
];
for (const fn of CLEAN) test(`${fn.name} conformance`, () => conforms(fn));

// Densities at a boundary where they diverge: the specification's formula gives +∞
// (x^(a−1) at x = 0 with a < 1; (1−x)^(b−1) at x = 1 with b < 1), as SciPy does; Titus2 0.
test('prob.dist.betaPDF conformance (+∞ where the density diverges)', () => conforms(pd.betaPDF, { 'pfa-test-6660': 87 }));
// chi2 with 1 degree of freedom at x = 0: x^(−1/2) diverges (+∞); Titus2 0.
test('prob.dist.chi2PDF conformance (+∞ at x = 0 for dof = 1)', () => conforms(pd.chi2PDF, { 'pfa-test-6651': 1 }));
// F with d1 = 1 at x = 0: x^(d1/2−1) diverges (+∞); Titus2 0 (5 trials).
test('prob.dist.fPDF conformance (+∞ at x = 0 for d1 = 1)', () => conforms(pd.fPDF, { 'pfa-test-6666': 5 }));
// Weibull with shape < 1 at x = 0: (x/b)^(a−1) diverges (+∞); Titus2 NaN (45 trials).
test('prob.dist.weibullPDF conformance (+∞ at x = 0 for shape < 1)', () => conforms(pd.weibullPDF, { 'pfa-test-6687': 45 }));
// dof = 0 is allowed ("dof < 0" is invalid): the point mass at 0, so P(X ≤ 0) = 1; Titus2 0.
test('prob.dist.chi2CDF conformance (dof = 0 is a point mass at 0)', () => conforms(pd.chi2CDF, { 'pfa-test-6652': 1 }));
// shape = 0 or scale = 0 is allowed ("< 0" is invalid): the point mass at 0, whose CDF is
// 0 below 0 and 1 from 0 on; Titus2 gives 1 below 0 (162 trials) and 0 at 0 (18 trials).
test('prob.dist.gammaCDF conformance (zero shape or scale is a point mass at 0)', () => conforms(pd.gammaCDF, { 'pfa-test-6658': 180 }));
// size = 0 is a valid binomial ("size < 0" is invalid; the point mass at 0): Titus2 raises
// 13300/13310/13320 (77 + 154 + 154 trials). binomialPDF(n; n, 1) = 1 (Titus2: 0, 5 trials).
test('prob.dist.binomialPDF conformance (size = 0 valid; P(X = n | p = 1) = 1)', () => conforms(pd.binomialPDF, { 'pfa-test-6675': 82 }));
test('prob.dist.binomialCDF conformance (size = 0 valid)', () => conforms(pd.binomialCDF, { 'pfa-test-6676': 154 }));
test('prob.dist.binomialQF conformance (size = 0 valid)', () => conforms(pd.binomialQF, { 'pfa-test-6677': 154 }));
// n = 0 black balls is valid ("n < 0" and "m + n = 0" are invalid): Titus2 raises 13390/
// 13400/13410 (121 + 121 + 176 trials). Above the support (x ≥ min(m, k)) the CDF is 1;
// Titus2 returns 0 there (140 trials; its "low confidence" function).
test('prob.dist.hypergeometricPDF conformance (n = 0 valid)', () => conforms(pd.hypergeometricPDF, { 'pfa-test-6684': 121 }));
test('prob.dist.hypergeometricCDF conformance (n = 0 valid; CDF = 1 above the support)', () => conforms(pd.hypergeometricCDF, { 'pfa-test-6685': 261 }));
test('prob.dist.hypergeometricQF conformance (n = 0 valid)', () => conforms(pd.hypergeometricQF, { 'pfa-test-6686': 176 }));
// prob = 0 is valid for the negative binomial ("prob < 0" is invalid; no success ever, so
// the PDF and CDF are 0): Titus2 raises (66 PDF, 132 CDF, 110 QF trials). size = 0 is the
// point mass at 0 for the CDF (1 from 0 on; Titus2 0, 54 trials) and is invalid for the QF
// ("size ≤ 0"; Titus2 computes a value or checks p first, 132 trials).
test('prob.dist.negativeBinomialPDF conformance (prob = 0 valid)', () => conforms(pd.negativeBinomialPDF, { 'pfa-test-6690': 66 }));
test('prob.dist.negativeBinomialCDF conformance (prob = 0 valid; size = 0 point mass)', () => conforms(pd.negativeBinomialCDF, { 'pfa-test-6691': 186 }));
test('prob.dist.negativeBinomialQF conformance (prob = 0 valid; size = 0 invalid)', () => conforms(pd.negativeBinomialQF, { 'pfa-test-6692': 242 }));

// ---------------------------------------------------------------------------
// Accuracy and behaviour.

const normCdf = numeric(pd.gaussianCDF), normQf = numeric(pd.gaussianQF), normLL = numeric(pd.gaussianLL);

test('gaussian: textbook values, tails, QF ∘ CDF, record parameters', () => {
  near(normCdf(1.96, 0, 1), 0.9750021048517795, 1e-14);
  near(normCdf(-1, 0, 1), 0.15865525393145707, 1e-14);
  near(normCdf(-10, 0, 1), 7.619853024160527e-24, 1e-11);
  near(normCdf(-38, 0, 1), 2.885428360068784e-316, 1e-6);
  near(normQf(0.975, 0, 1), 1.959963984540054, 1e-14);
  near(normQf(1e-10, 0, 1), -6.361340902404056, 1e-13);
  // 1 − 1e-10 is not exact in binary: the quantile moves by about 4e-10 relative.
  near(normQf(1 - 1e-10, 3, 2), 3 + 2 * 6.361340902404056, 1e-8);
  for (const p of [1e-300, 1e-20, 0.001, 0.2, 0.5, 0.7, 0.999999]) near(normCdf(normQf(p, 0, 1), 0, 1), p, 1e-13);
  near(normLL(1, 0, 2), -0.125 - Math.log(2 * Math.sqrt(2 * Math.PI)), 1e-15);
  assert.equal(normQf(0, 0, 1), -Infinity);
  assert.equal(normQf(1, 0, 1), Infinity);
  // sigma = 0: the point mass at mu.
  assert.equal(normCdf(1, 1, 0), 1);
  assert.equal(normCdf(0.999, 1, 0), 0);
  assert.equal(normLL(1, 1, 0), Infinity);
  assert.equal(normQf(0.3, 1, 0), 1);
  // The record signature: {mean, variance}.
  const viaRecord = pd.gaussianCDF.make({ ...TYPES, sig: 1 }, CTX) as (x: number, r: { mean: number; variance: number }) => number;
  near(viaRecord(3, { mean: 1, variance: 4 }), normCdf(3, 1, 2), 1e-15);
  throwsCode(() => viaRecord(3, { mean: 1, variance: -1 }), 13010);
});

test('parameters are checked before the input; QF inputs outside [0, 1] (NaN too) are invalid', () => {
  throwsCode(() => normCdf(Infinity, 0, -1), 13010);
  throwsCode(() => normCdf(Infinity, 0, 1), 13011);
  throwsCode(() => normCdf(0, NaN, 1), 13010);
  throwsCode(() => normQf(NaN, 0, 1), 13021);
  throwsCode(() => normQf(1.5, 0, 1), 13021);
  throwsCode(() => numeric(pd.gammaQF)(0.5, 0, 1), 13140);
  throwsCode(() => numeric(pd.betaPDF)(0.5, 0, 1), 13150);
  throwsCode(() => numeric(pd.uniformCDF)(0.5, 1, 1), 13340);
  throwsCode(() => numeric(pd.hypergeometricPDF)(1, 0, 0, 0), 13390);
  throwsCode(() => numeric(pd.hypergeometricPDF)(1, 2, 2, 5), 13390);
  throwsCode(() => numeric(pd.negativeBinomialQF)(0.5, 0, 0.5), 13470);
  throwsCode(() => numeric(pd.geometricPDF)(1, 0), 13360);
});

/** Continuous distributions: the QF inverts the CDF, and the PDF is the CDF's derivative. */
const CONTINUOUS: [string, LibFunction, LibFunction, LibFunction, number[], number[]][] = [
  ['exponential', pd.exponentialPDF, pd.exponentialCDF, pd.exponentialQF, [2.5], [0.01, 0.3, 2]],
  ['chi2', pd.chi2PDF, pd.chi2CDF, pd.chi2QF, [3], [0.1, 2, 11]],
  ['chi2 (100 dof)', pd.chi2PDF, pd.chi2CDF, pd.chi2QF, [100], [70, 100, 140]],
  ['gamma', pd.gammaPDF, pd.gammaCDF, pd.gammaQF, [0.4, 3], [0.05, 1, 7]],
  ['gamma (large shape)', pd.gammaPDF, pd.gammaCDF, pd.gammaQF, [250, 0.5], [110, 125, 140]],
  ['beta', pd.betaPDF, pd.betaCDF, pd.betaQF, [2.5, 0.7], [0.05, 0.5, 0.97]],
  ['beta (small shapes)', pd.betaPDF, pd.betaCDF, pd.betaQF, [0.2, 0.3], [0.01, 0.5, 0.99]],
  ['cauchy', pd.cauchyPDF, pd.cauchyCDF, pd.cauchyQF, [1, 3], [-50, 0.5, 9]],
  ['f', pd.fPDF, pd.fCDF, pd.fQF, [5, 7], [0.2, 1, 4]],
  ['lognormal', pd.lognormalPDF, pd.lognormalCDF, pd.lognormalQF, [0.3, 0.8], [0.2, 1.5, 6]],
  ['t', pd.tPDF, pd.tCDF, pd.tQF, [4], [-6, -0.3, 0.1, 2.5]],
  ['t (1 dof)', pd.tPDF, pd.tCDF, pd.tQF, [1], [-30, 0.7]],
  ['uniform', pd.uniformPDF, pd.uniformCDF, pd.uniformQF, [-2, 3], [-1.5, 0, 2.9]],
  ['weibull', pd.weibullPDF, pd.weibullCDF, pd.weibullQF, [1.7, 2.2], [0.1, 2, 5]],
];

for (const [label, pdfFn, cdfFn, qfFn, params, xs] of CONTINUOUS) {
  test(`${label}: QF(CDF(x)) = x and PDF = dCDF/dx`, () => {
    const pdf = numeric(pdfFn), cdf = numeric(cdfFn), qf = numeric(qfFn);
    for (const x of xs) {
      const p = cdf(x, ...params);
      near(qf(p, ...params), x, 1e-9, 1e-12);
      const h = 1e-5 * Math.max(1, Math.abs(x));
      near((cdf(x + h, ...params) - cdf(x - h, ...params)) / (2 * h), pdf(x, ...params), 1e-6, 1e-12);
    }
    for (const p of [1e-12, 0.25, 0.5, 0.75, 1 - 1e-12]) near(cdf(qf(p, ...params), ...params), p, 1e-9, 1e-16);
  });
}

test('continuous distributions: textbook quantiles', () => {
  near(numeric(pd.chi2QF)(0.95, 1), 3.841458820694124, 1e-12);
  near(numeric(pd.chi2QF)(0.95, 10), 18.307038053275146, 1e-12);
  near(numeric(pd.tQF)(0.975, 10), 2.2281388519862747, 1e-12);
  near(numeric(pd.fQF)(0.95, 3, 12), 3.490294819497605, 1e-11);
  near(numeric(pd.chi2CDF)(3.841458820694124, 1), 0.95, 1e-13);
  near(numeric(pd.tCDF)(-1e-8, 3), 0.5 - 1e-8 * 0.3675525969478614, 1e-15);
  near(numeric(pd.gammaCDF)(1, 1, 1), 1 - Math.exp(-1), 1e-14);
  near(numeric(pd.betaCDF)(0.3, 1, 1), 0.3, 1e-13);
  near(numeric(pd.betaCDF)(0.25, 2, 3), 0.26171875, 1e-13);
  // Far tails keep their relative precision.
  near(numeric(pd.chi2CDF)(1, 100), 1.7887765104351363e-80, 1e-12);
  near(numeric(pd.exponentialCDF)(1e-20, 1), 1e-20, 1e-14);
});

test('discrete distributions: the PDF sums to 1 and accumulates to the CDF', () => {
  const cases: [LibFunction, LibFunction, number[], number][] = [
    [pd.poissonPDF, pd.poissonCDF, [3.7], 60],
    [pd.binomialPDF, pd.binomialCDF, [17, 0.3], 17],
    [pd.geometricPDF, pd.geometricCDF, [0.2], 400],
    [pd.negativeBinomialPDF, pd.negativeBinomialCDF, [5, 0.4], 300],
    [pd.hypergeometricPDF, pd.hypergeometricCDF, [7, 12, 9], 9],
  ];
  for (const [pdfFn, cdfFn, params, top] of cases) {
    const pdf = numeric(pdfFn), cdf = numeric(cdfFn);
    let s = 0;
    for (let k = 0; k <= top; k++) {
      s += pdf(k, ...params);
      near(cdf(k, ...params), s, 1e-12, 1e-15);
    }
    near(s, 1, 1e-12);
    assert.equal(pdf(-1, ...params), 0);
    assert.equal(cdf(-0.5, ...params), 0);
  }
  near(numeric(pd.binomialPDF)(3, 10, 0.25), 120 * 0.25 ** 3 * 0.75 ** 7, 1e-14);
  near(numeric(pd.hypergeometricPDF)(2, 5, 10, 4), (10 * 45) / 1365, 1e-14);
  near(numeric(pd.poissonPDF)(0, 1000), Math.exp(-1000), 1e-12, 0);
});

test('discrete quantiles: the smallest x with CDF(x) ≥ p, exact at ties', () => {
  const binQf = numeric(pd.binomialQF), binCdf = numeric(pd.binomialCDF);
  // CDF(2; 5, ½) = ½ exactly: the quantile of ½ is 2.
  assert.equal(binCdf(2, 5, 0.5), 0.5);
  assert.equal(binQf(0.5, 5, 0.5), 2);
  assert.equal(binQf(0.5, 1, 0.5), 0);
  for (const p of [0.01, 0.3, 0.77, 0.999]) {
    const q = binQf(p, 40, 0.35);
    assert.ok(binCdf(q, 40, 0.35) >= p && binCdf(q - 1, 40, 0.35) < p, `binomialQF(${p})`);
  }
  const poisQf = numeric(pd.poissonQF), poisCdf = numeric(pd.poissonCDF);
  for (const lambda of [0.3, 12, 900]) {
    for (const p of [0.05, 0.5, 0.95]) {
      const q = poisQf(p, lambda);
      assert.ok(poisCdf(q, lambda) >= p && (q === 0 || poisCdf(q - 1, lambda) < p), `poissonQF(${p}, ${lambda})`);
    }
  }
  assert.equal(numeric(pd.geometricQF)(0.75, 0.5), 1);
  assert.equal(numeric(pd.negativeBinomialQF)(0, 3, 0.5), 0);
  assert.equal(numeric(pd.hypergeometricQF)(0, 5, 3, 6), 3);
  // p = 1: the upper end of the family's nominal support (the reference engines' choice).
  assert.equal(binQf(1, 4, 0), 4);
  assert.equal(numeric(pd.hypergeometricQF)(1, 1, 5, 3), 3);
  assert.equal(numeric(pd.geometricQF)(1, 1), Infinity);
  assert.equal(poisQf(1, 2), Infinity);
  assert.equal(poisQf(1, 0), 0);
  assert.equal(numeric(pd.chi2QF)(1, 0), Infinity);
});

test('degenerate parameterizations are point masses', () => {
  assert.equal(numeric(pd.chi2CDF)(0, 0), 1);
  assert.equal(numeric(pd.chi2CDF)(-1e-9, 0), 0);
  assert.equal(numeric(pd.gammaCDF)(0, 0, 2), 1);
  assert.equal(numeric(pd.gammaPDF)(0, 2, 0), Infinity);
  assert.equal(numeric(pd.binomialPDF)(0, 0, 0.4), 1);
  assert.equal(numeric(pd.binomialPDF)(4, 4, 1), 1);
  assert.equal(numeric(pd.negativeBinomialCDF)(0, 0, 0.4), 1);
  assert.equal(numeric(pd.negativeBinomialPDF)(3, 2, 0), 0);
  assert.equal(numeric(pd.poissonPDF)(0, 0), 1);
  assert.equal(numeric(pd.exponentialPDF)(3, 0), 0);
  assert.equal(numeric(pd.hypergeometricCDF)(5, 2, 0, 2), 1);
});
