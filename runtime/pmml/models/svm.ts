// SupportVectorMachineModel: one or more SVMs over a shared VectorDictionary.
//
// Each SupportVectorMachine computes f(x) = Σ αᵢ·K(x, xᵢ) + b over its support
// vectors (svmRepresentation="SupportVectors"), or f(x) = Σ wⱼ·xⱼ + b with one
// coefficient per vector field (svmRepresentation="Coefficients", linear kernel).
// Regression: f(x) is the prediction. Classification:
//   - OneAgainstOne (and a binary model with one SVM): each SVM votes for its
//     targetCategory when f(x) < threshold (maxWins="false"; f(x) > threshold when
//     maxWins="true"), else for its alternateTargetCategory; most votes wins, ties go
//     to the category that appears first in the SVMs. Probabilities are the vote
//     shares (votes / number of SVMs).
//   - OneAgainstAll: one SVM per targetCategory; the smallest f(x) wins (the largest
//     with maxWins="true"). No probabilities.
//
// Compile time: vectors are one flat Float64Array; per row the kernel is computed
// once per support vector that any SVM uses, then each SVM is a dot product over
// those kernel values.

import { attr, boolAttr, child, childPath, enumAttr, fail, numAttr, numberArray, optNumAttr, unsupported } from '../el.js';
import type { El, Env, Evaluator, ModelCompiler, ModelContext, ModelResult, Value } from '../types.js';
import { categoryKey, parseValue, toNumber } from '../values.js';

const LINEAR = 0;
const POLYNOMIAL = 1;
const RBF = 2;
const SIGMOID = 3;

interface Kernel {
  readonly type: number;
  readonly gamma: number;
  readonly coef0: number;
  readonly degree: number;
}

function parseKernel(el: El, path: string): Kernel {
  const k = el.c.find((c) => c.n.endsWith('KernelType')) ?? fail(path, '<SupportVectorMachineModel> needs a kernel (LinearKernelType, PolynomialKernelType, RadialBasisKernelType or SigmoidKernelType)');
  const kp = `${path}/${k.n}`;
  switch (k.n) {
    case 'LinearKernelType': return { type: LINEAR, gamma: 1, coef0: 0, degree: 1 };
    case 'PolynomialKernelType':
      return { type: POLYNOMIAL, gamma: numAttr(k, 'gamma', kp, 1), coef0: numAttr(k, 'coef0', kp, 1), degree: numAttr(k, 'degree', kp, 1) };
    case 'RadialBasisKernelType': return { type: RBF, gamma: numAttr(k, 'gamma', kp, 1), coef0: 0, degree: 1 };
    case 'SigmoidKernelType': return { type: SIGMOID, gamma: numAttr(k, 'gamma', kp, 1), coef0: numAttr(k, 'coef0', kp, 1), degree: 1 };
    default: return unsupported(kp, `<${k.n}> is not a supported kernel`);
  }
}

/** K(x, v) with v = vectors[offset .. offset+n). */
function kernelValue(kernel: Kernel, x: Float64Array, vectors: Float64Array, offset: number, n: number): number {
  if (kernel.type === RBF) {
    let s = 0;
    for (let j = 0; j < n; j++) {
      const d = x[j] - vectors[offset + j];
      s += d * d;
    }
    return Math.exp(-kernel.gamma * s);
  }
  let dot = 0;
  for (let j = 0; j < n; j++) dot += x[j] * vectors[offset + j];
  switch (kernel.type) {
    case LINEAR: return dot;
    case POLYNOMIAL: return Math.pow(kernel.gamma * dot + kernel.coef0, kernel.degree);
    default: return Math.tanh(kernel.gamma * dot + kernel.coef0);
  }
}

interface Machine {
  /** SupportVectors: indices of the vectors (into the dictionary); Coefficients: null. */
  readonly vectors: Int32Array | null;
  /** αᵢ per support vector, or wⱼ per vector field. */
  readonly alphas: Float64Array;
  readonly b: number;
  readonly threshold: number;
  readonly target: string | undefined;
  readonly alternate: string | undefined;
}


function compileSvm(el: El, ctx: ModelContext): (env: Env) => ModelResult {
  const path = ctx.path;
  const fn = ctx.functionName;
  if (fn !== 'classification' && fn !== 'regression') unsupported(path, `SupportVectorMachineModel with functionName="${fn}" is not supported (classification or regression)`);
  const float = ctx.mathContext === 'float';
  const modelThreshold = numAttr(el, 'threshold', path, 0);
  const representation = enumAttr(el, 'svmRepresentation', ['SupportVectors', 'Coefficients'] as const, 'SupportVectors', path);
  const methodAttr = el.a.classificationMethod === undefined ? undefined
    : enumAttr(el, 'classificationMethod', ['OneAgainstAll', 'OneAgainstOne'] as const, 'OneAgainstAll', path);
  const maxWins = boolAttr(el, 'maxWins', path, false);
  const kernel = parseKernel(el, path);
  if (representation === 'Coefficients' && kernel.type !== LINEAR) {
    fail(path, 'svmRepresentation="Coefficients" needs a LinearKernelType');
  }

  // VectorDictionary.
  const dictEl = child(el, 'VectorDictionary') ?? fail(path, '<SupportVectorMachineModel> needs a <VectorDictionary>');
  const dictPath = `${path}/VectorDictionary`;
  const fieldsEl = child(dictEl, 'VectorFields') ?? fail(dictPath, '<VectorDictionary> needs <VectorFields>');
  const fieldsPath = `${dictPath}/VectorFields`;
  const inputs: Evaluator[] = [];
  for (const f of fieldsEl.c) {
    const fp = childPath(fieldsPath, fieldsEl, f);
    if (f.n === 'FieldRef') {
      inputs.push(ctx.expression(f, fp));
    } else if (f.n === 'CategoricalPredictor') {
      const name = attr(f, 'name', fp);
      const resolved = ctx.scope.resolve(name, fp);
      const key = categoryKey(parseValue(attr(f, 'value', fp), resolved.info.dataType, fp));
      const coefficient = numAttr(f, 'coefficient', fp, 1);
      const get = resolved.get;
      inputs.push((env) => {
        const v = get(env);
        if (v === null) return null;
        return categoryKey(v) === key ? coefficient : 0;
      });
    } else if (f.n !== 'Extension') {
      unsupported(fp, `<${f.n}> in <VectorFields> is not supported (FieldRef or CategoricalPredictor)`);
    }
  }
  const nFields = inputs.length;
  if (nFields === 0) fail(fieldsPath, '<VectorFields> lists no field');
  const declaredFields = optNumAttr(fieldsEl, 'numberOfFields', fieldsPath);
  if (declaredFields !== undefined && declaredFields !== nFields) fail(fieldsPath, `numberOfFields="${declaredFields}" but ${nFields} fields are listed`);

  const instanceEls = dictEl.c.filter((c) => c.n === 'VectorInstance');
  const vectorIndex = new Map<string, number>();
  const vectors = new Float64Array(instanceEls.length * nFields);
  instanceEls.forEach((vi, i) => {
    const vp = childPath(dictPath, dictEl, vi);
    const id = attr(vi, 'id', vp);
    if (vectorIndex.has(id)) fail(vp, `vector id "${id}" is defined twice`);
    const arr = vi.c.find((c) => c.n === 'Array' || c.n === 'REAL-SparseArray' || c.n === 'INT-SparseArray')
      ?? fail(vp, '<VectorInstance> needs an <Array> or <REAL-SparseArray>');
    const ap = `${vp}/${arr.n}`;
    const values = numberArray(arr, ap);
    if (arr.n !== 'Array' && values.length < nFields) {
      // A sparse array may leave trailing zeros out when its n is absent.
      while (values.length < nFields) values.push(0);
    }
    if (values.length !== nFields) fail(ap, `the vector has ${values.length} entries but there are ${nFields} vector fields`);
    vectors.set(values, i * nFields);
    vectorIndex.set(id, i);
  });

  // The SVMs.
  const svmEls = el.c.filter((c) => c.n === 'SupportVectorMachine');
  if (svmEls.length === 0) fail(path, '<SupportVectorMachineModel> needs at least one <SupportVectorMachine>');
  const used = new Uint8Array(instanceEls.length);
  const machines: Machine[] = svmEls.map((svmEl) => {
    const sp = childPath(path, el, svmEl);
    const coefEl = child(svmEl, 'Coefficients') ?? fail(sp, '<SupportVectorMachine> needs <Coefficients>');
    const cp = `${sp}/Coefficients`;
    const coefs = coefEl.c.filter((c) => c.n === 'Coefficient').map((c, i) => numAttr(c, 'value', `${cp}/Coefficient[${i + 1}]`, 0));
    const declared = optNumAttr(coefEl, 'numberOfCoefficients', cp);
    if (declared !== undefined && declared !== coefs.length) fail(cp, `numberOfCoefficients="${declared}" but ${coefs.length} coefficients are listed`);
    const b = numAttr(coefEl, 'absoluteValue', cp, 0);
    let vectorsOf: Int32Array | null = null;
    if (representation === 'SupportVectors') {
      const svsEl = child(svmEl, 'SupportVectors') ?? fail(sp, 'svmRepresentation="SupportVectors" needs <SupportVectors>');
      const svp = `${sp}/SupportVectors`;
      const ids = svsEl.c.filter((c) => c.n === 'SupportVector').map((c) => attr(c, 'vectorId', svp));
      vectorsOf = Int32Array.from(ids, (id) => {
        const at = vectorIndex.get(id);
        if (at === undefined) fail(svp, `vectorId="${id}" is not in the VectorDictionary`);
        used[at] = 1;
        return at;
      });
      if (coefs.length !== ids.length) fail(cp, `${coefs.length} coefficients for ${ids.length} support vectors`);
    } else if (coefs.length !== nFields) {
      fail(cp, `svmRepresentation="Coefficients" needs one coefficient per vector field (${nFields}), not ${coefs.length}`);
    }
    return {
      vectors: vectorsOf,
      alphas: Float64Array.from(coefs),
      b,
      threshold: optNumAttr(svmEl, 'threshold', sp) ?? modelThreshold,
      target: svmEl.a.targetCategory,
      alternate: svmEl.a.alternateTargetCategory,
    };
  });

  const usedVectors = Int32Array.from(Array.from(used.keys()).filter((i) => used[i] === 1));
  const x = new Float64Array(nFields);
  const kvals = new Float64Array(instanceEls.length);
  const nMachines = machines.length;
  const scores = new Float64Array(nMachines);

  /** Reads the row and computes every SVM's f(x) into `scores`; false when an input is missing. */
  const decide = (env: Env): boolean => {
    for (let j = 0; j < nFields; j++) {
      const v = toNumber(inputs[j](env));
      if (v !== v) return false;
      x[j] = float ? Math.fround(v) : v;
    }
    if (representation === 'SupportVectors') {
      for (let u = 0; u < usedVectors.length; u++) {
        const i = usedVectors[u];
        const k = kernelValue(kernel, x, vectors, i * nFields, nFields);
        kvals[i] = float ? Math.fround(k) : k;
      }
      for (let m = 0; m < nMachines; m++) {
        const { vectors: idx, alphas, b } = machines[m];
        const ix = idx as Int32Array;
        let f = b;
        for (let s = 0; s < ix.length; s++) f += alphas[s] * kvals[ix[s]];
        scores[m] = float ? Math.fround(f) : f;
      }
    } else {
      for (let m = 0; m < nMachines; m++) {
        const { alphas, b } = machines[m];
        let f = b;
        for (let j = 0; j < nFields; j++) f += alphas[j] * x[j];
        scores[m] = float ? Math.fround(f) : f;
      }
    }
    return true;
  };

  if (fn === 'regression') {
    if (nMachines !== 1) fail(path, `a regression model needs one <SupportVectorMachine>, not ${nMachines}`);
    return (env) => (decide(env) ? { value: scores[0] } : { value: null });
  }

  const target = ctx.target ?? fail(path, 'a classification SupportVectorMachineModel needs a target field');
  const dataType = target.info.dataType;
  // Categories in order of first appearance in the SVMs (the tie order).
  const categories: Value[] = [];
  const keys: string[] = [];
  const indexOf = (text: string, p: string): number => {
    const value = parseValue(text, dataType, p);
    const key = categoryKey(value);
    let at = keys.indexOf(key);
    if (at < 0) {
      at = keys.length;
      keys.push(key);
      categories.push(value);
    }
    return at;
  };
  const allAlternates = machines.every((m) => m.alternate !== undefined);
  const voting = (nMachines === 1 && allAlternates) || methodAttr === 'OneAgainstOne' || (methodAttr === undefined && allAlternates && nMachines > 1);
  const targetIdx = new Int32Array(nMachines);
  const alternateIdx = new Int32Array(nMachines);
  machines.forEach((m, i) => {
    const sp = childPath(path, el, svmEls[i]);
    if (m.target === undefined) fail(sp, 'a classification <SupportVectorMachine> needs a targetCategory');
    targetIdx[i] = indexOf(m.target, sp);
    if (voting) {
      if (m.alternate === undefined) fail(sp, 'a OneAgainstOne or binary <SupportVectorMachine> needs an alternateTargetCategory');
      alternateIdx[i] = indexOf(m.alternate, sp);
    }
  });
  const nCats = categories.length;

  if (voting) {
    const votes = new Float64Array(nCats);
    const thresholds = Float64Array.from(machines, (m) => m.threshold);
    return (env) => {
      if (!decide(env)) return { value: null };
      votes.fill(0);
      for (let m = 0; m < nMachines; m++) {
        const f = scores[m];
        const forTarget = maxWins ? f > thresholds[m] : f < thresholds[m];
        votes[forTarget ? targetIdx[m] : alternateIdx[m]]++;
      }
      let best = 0;
      for (let c = 1; c < nCats; c++) if (votes[c] > votes[best]) best = c;
      const probabilities = new Map<string, number>();
      for (let c = 0; c < nCats; c++) probabilities.set(keys[c], votes[c] / nMachines);
      return { value: categories[best], probabilities };
    };
  }

  return (env) => {
    if (!decide(env)) return { value: null };
    let best = 0;
    for (let m = 1; m < nMachines; m++) {
      if (maxWins ? scores[m] > scores[best] : scores[m] < scores[best]) best = m;
    }
    return { value: categories[targetIdx[best]] };
  };
}

export const supportVectorMachineModel: ModelCompiler = {
  element: 'SupportVectorMachineModel',
  compile: compileSvm,
};
