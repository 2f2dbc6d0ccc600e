// GaussianProcessModel (PMML 4.4): Gaussian process regression with a zero mean
// function. With training inputs x_1..x_n (TrainingInstances), targets y, kernel k and
// noise variance σ² (the kernel's noiseVariance), the prediction for x is
//   μ(x)  = kᵀ (K + σ²I)⁻¹ y
//   σ²(x) = k(x, x) − kᵀ (K + σ²I)⁻¹ k
// where k_i = k(x_i, x) and K_ij = k(x_i, x_j). μ is the predicted value and
// sqrt(σ²) the standardError.
//
// Kernels (γ = gamma, λ = lambda, one λ_i per input for the ARD kernels, d = degree):
//   RadialBasisKernel             γ·exp(−Σ_i (x_i − x'_i)² / (2λ²))
//   ARDSquaredExponentialKernel   γ·exp(−½ Σ_i (x_i − x'_i)² / λ_i²)
//   AbsoluteExponentialKernel     γ·exp(−Σ_i |x_i − x'_i| / λ_i)
//   GeneralizedExponentialKernel  γ·exp(−Σ_i |x_i − x'_i|^d / λ_i)
//
// Compile time: the Cholesky factor L of K + σ²I is computed once, with
// α = (K + σ²I)⁻¹ y. Per row: the kernel vector (one pass over the training data),
// μ = kᵀα, and v = L⁻¹k by forward substitution (σ² = k(x,x) − vᵀv), all in buffers
// allocated at compile time.

import { child, childPath, children, fail, numAttr, numberArray, parseNumber, unsupported } from '../el.js';
import type { El, Env, ModelCompiler, ModelContext, ModelResult } from '../types.js';
import { toNumber } from '../values.js';

type KernelKind = 'rbf' | 'ard' | 'abs' | 'gen';

const KERNELS: Readonly<Record<string, KernelKind>> = {
  RadialBasisKernel: 'rbf',
  ARDSquaredExponentialKernel: 'ard',
  AbsoluteExponentialKernel: 'abs',
  GeneralizedExponentialKernel: 'gen',
};

/** Training sets above this size are refused: K is n×n and its factorisation O(n³). */
export const MAX_TRAINING_INSTANCES = 5000;

interface Kernel {
  readonly kind: KernelKind;
  readonly gamma: number;
  readonly noise: number;
  readonly degree: number;
  /** Per-input scale: λ (rbf: the same for every input). */
  readonly lambda: Float64Array;
}

/** k(a, b) for rows of length m starting at offsets ao/bo. */
function kernelValue(k: Kernel, a: Float64Array, ao: number, b: Float64Array, bo: number, m: number): number {
  let s = 0;
  switch (k.kind) {
    case 'rbf':
    case 'ard':
      for (let i = 0; i < m; i++) {
        const d = (a[ao + i] - b[bo + i]) / k.lambda[i];
        s += d * d;
      }
      return k.gamma * Math.exp(-0.5 * s);
    case 'abs':
      for (let i = 0; i < m; i++) s += Math.abs(a[ao + i] - b[bo + i]) / k.lambda[i];
      return k.gamma * Math.exp(-s);
    case 'gen':
      for (let i = 0; i < m; i++) s += Math.pow(Math.abs(a[ao + i] - b[bo + i]), k.degree) / k.lambda[i];
      return k.gamma * Math.exp(-s);
  }
}

/** In-place Cholesky factorisation of a symmetric positive definite n×n matrix (row-major); lower triangle = L. */
export function cholesky(a: Float64Array, n: number, path: string): void {
  for (let j = 0; j < n; j++) {
    let d = a[j * n + j];
    for (let k = 0; k < j; k++) d -= a[j * n + k] * a[j * n + k];
    if (!(d > 0)) fail(path, 'the kernel matrix K + noiseVariance·I is not positive definite (duplicate training inputs with noiseVariance 0?)');
    const ljj = Math.sqrt(d);
    a[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let s = a[i * n + j];
      for (let k = 0; k < j; k++) s -= a[i * n + k] * a[j * n + k];
      a[i * n + j] = s / ljj;
    }
    for (let k = j + 1; k < n; k++) a[j * n + k] = 0;
  }
}

/** Solves L x = b (forward substitution) into x. */
function forwardSolve(l: Float64Array, n: number, b: Float64Array, x: Float64Array): void {
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i * n + k] * x[k];
    x[i] = s / l[i * n + i];
  }
}

/** Solves Lᵀ x = b (back substitution) into x. */
function backSolve(l: Float64Array, n: number, b: Float64Array, x: Float64Array): void {
  for (let i = n - 1; i >= 0; i--) {
    let s = b[i];
    for (let k = i + 1; k < n; k++) s -= l[k * n + i] * x[k];
    x[i] = s / l[i * n + i];
  }
}

export const gaussianProcessModel: ModelCompiler = {
  element: 'GaussianProcessModel',
  compile(el, ctx) {
    const path = ctx.path;
    if (ctx.functionName !== 'regression') unsupported(path, `functionName="${ctx.functionName}": only Gaussian process regression is supported`);
    const target = ctx.target ?? fail(path, 'a GaussianProcessModel needs a target field in its MiningSchema');
    const kernelEl = el.c.find((c) => KERNELS[c.n] !== undefined) ?? fail(path, '<GaussianProcessModel> needs a kernel element');
    const ti = child(el, 'TrainingInstances') ?? fail(path, '<GaussianProcessModel> needs <TrainingInstances>');
    const tiPath = childPath(path, el, ti);
    const { inputs, x, y, n } = readTraining(ti, tiPath, target.name, ctx);
    const m = inputs.length;
    const kernel = readKernel(kernelEl, childPath(path, el, kernelEl), m);

    // K + σ²I, factorised in place.
    const l = new Float64Array(n * n);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j <= i; j++) {
        const v = kernelValue(kernel, x, i * m, x, j * m, m);
        l[i * n + j] = v;
        l[j * n + i] = v;
      }
      l[i * n + i] += kernel.noise;
    }
    cholesky(l, n, path);
    const tmp = new Float64Array(n);
    const alpha = new Float64Array(n);
    forwardSolve(l, n, y, tmp);
    backSolve(l, n, tmp, alpha);

    const getters = inputs.map((name) => ctx.scope.resolve(name, path).get);
    const point = new Float64Array(m);
    const kv = new Float64Array(n);
    const v = new Float64Array(n);
    const selfK = kernel.gamma; // k(x, x) for every kernel here

    return (env: Env): ModelResult => {
      for (let i = 0; i < m; i++) {
        const raw = getters[i](env);
        const num = raw === null ? NaN : toNumber(raw);
        if (Number.isNaN(num)) return { value: null };
        point[i] = num;
      }
      let mean = 0;
      for (let j = 0; j < n; j++) {
        const kj = kernelValue(kernel, x, j * m, point, 0, m);
        kv[j] = kj;
        mean += kj * alpha[j];
      }
      forwardSolve(l, n, kv, v);
      let q = 0;
      for (let j = 0; j < n; j++) q += v[j] * v[j];
      const variance = selfK - q;
      return { value: mean, standardError: Math.sqrt(variance > 0 ? variance : 0) };
    };
  },
};

function readKernel(el: El, path: string, m: number): Kernel {
  const kind = KERNELS[el.n];
  const gamma = numAttr(el, 'gamma', path, 1);
  const noise = numAttr(el, 'noiseVariance', path, 1);
  const degree = numAttr(el, 'degree', path, 1);
  if (!(noise >= 0)) fail(path, `noiseVariance="${el.a.noiseVariance}" must not be negative`);
  let lambda: Float64Array;
  if (kind === 'rbf') {
    const lam = numAttr(el, 'lambda', path, 1);
    if (!(lam > 0)) fail(path, `lambda="${el.a.lambda}" must be positive`);
    lambda = new Float64Array(m).fill(lam);
  } else {
    const values: number[] = [];
    for (const lam of children(el, 'Lambda')) {
      const lp = childPath(path, el, lam);
      const arr = lam.c.find((c) => c.n === 'Array' || c.n === 'REAL-SparseArray') ?? fail(lp, '<Lambda> needs an <Array>');
      values.push(...numberArray(arr, lp));
    }
    if (values.length === 0) values.push(...new Array<number>(m).fill(1));
    else if (values.length === 1 && m > 1) values.push(...new Array<number>(m - 1).fill(values[0]));
    if (values.length !== m) fail(path, `<${el.n}> has ${values.length} Lambda values for ${m} inputs`);
    if (values.some((v) => !(v > 0))) fail(path, 'Lambda values must be positive');
    lambda = Float64Array.from(values);
  }
  return { kind, gamma, noise, degree, lambda };
}

/** Training inputs (in InstanceFields order, without the target) and targets from an InlineTable. */
function readTraining(ti: El, path: string, targetName: string, ctx: ModelContext): { inputs: string[]; x: Float64Array; y: Float64Array; n: number } {
  const ifs = child(ti, 'InstanceFields') ?? fail(path, '<TrainingInstances> needs <InstanceFields>');
  const table = child(ti, 'InlineTable');
  if (!table) {
    if (child(ti, 'TableLocator')) unsupported(path, 'TrainingInstances with a TableLocator (an external table) are not supported; an InlineTable is');
    fail(path, '<TrainingInstances> needs an <InlineTable>');
  }
  const fields = children(ifs, 'InstanceField').map((f) => ({ field: f.a.field ?? fail(path, '<InstanceField> needs a field'), column: f.a.column ?? f.a.field }));
  const targetCol = fields.find((f) => f.field === targetName) ?? fail(path, `the InstanceFields do not include the target "${targetName}"`);
  const inputs = fields.filter((f) => f !== targetCol);
  for (const f of inputs) ctx.scope.resolve(f.field, path);
  if (inputs.length === 0) fail(path, 'the InstanceFields have no input besides the target');
  const rows = children(table, 'row');
  const n = rows.length;
  if (n === 0) fail(path, 'the InlineTable has no rows');
  if (n > MAX_TRAINING_INSTANCES) unsupported(path, `${n} training instances; the limit is ${MAX_TRAINING_INSTANCES}`);
  const m = inputs.length;
  const x = new Float64Array(n * m);
  const y = new Float64Array(n);
  const tablePath = childPath(path, ti, table);
  rows.forEach((row, r) => {
    const rp = `${tablePath}/row[${r + 1}]`;
    const cell = (column: string): number => {
      const c = row.c.find((e) => e.n === column) ?? fail(rp, `the row has no <${column}> cell`);
      return parseNumber(c.t ?? '', rp, `value of ${column}`);
    };
    inputs.forEach((f, i) => {
      x[r * m + i] = cell(f.column);
    });
    y[r] = cell(targetCol.column);
  });
  return { inputs: inputs.map((f) => f.field), x, y, n };
}
