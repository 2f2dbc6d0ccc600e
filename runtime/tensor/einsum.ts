// Einsum: a general sum of products over labelled axes.
//
// Every distinct label (and every axis covered by "...") becomes one loop axis.
// An operand's stride for a label is the sum of the strides of the positions
// carrying it, so a label repeated within a term walks the diagonal for free,
// and a size-1 axis broadcast against a larger one gets stride 0. The output
// labels are the outer loops, every other label is summed in the inner loops.

import { gemm } from './gemm.js';
import { fail, isBigType, type BigArray, type NodeCtx, type NumericArray, type Tensor } from './tensor.js';

/** A parsed equation: one term per input; a term is labels, '.' standing for the ellipsis. */
export interface EinsumEquation {
  inputs: string[];
  /** null: implicit output (numpy rule). */
  output: string | null;
}

/**
 * Parses `ij,jk->ik` into terms with the ellipsis written as a single '.'.
 * Throws (runtime error) on malformed equations.
 */
export function parseEinsum(equation: string, inputCount: number): EinsumEquation {
  const eq = equation.replace(/\s+/g, '');
  const arrow = eq.indexOf('->');
  const lhs = arrow < 0 ? eq : eq.slice(0, arrow);
  const rhs = arrow < 0 ? null : eq.slice(arrow + 2);
  const terms = lhs.split(',').map((t) => normTerm(t, equation));
  if (terms.length !== inputCount) fail(`Einsum equation ${JSON.stringify(equation)} has ${terms.length} input terms for ${inputCount} inputs`);
  let output: string | null = null;
  if (rhs !== null) {
    output = normTerm(rhs, equation);
    const seen = new Set<string>();
    for (const c of output) {
      if (seen.has(c)) fail(`Einsum output label ${c} appears twice in ${JSON.stringify(equation)}`);
      seen.add(c);
      if (c === '.' ? !terms.some((t) => t.includes('.')) : !terms.some((t) => t.includes(c))) {
        fail(`Einsum output label ${c === '.' ? '...' : c} does not appear in any input of ${JSON.stringify(equation)}`);
      }
    }
  }
  return { inputs: terms, output };
}

function normTerm(t: string, equation: string): string {
  const parts = t.split('...');
  if (parts.length > 2) fail(`Einsum term ${JSON.stringify(t)} has more than one ellipsis`);
  const term = parts.join('.');
  for (const c of term) {
    if (c !== '.' && !/[a-zA-Z]/.test(c)) fail(`Einsum equation ${JSON.stringify(equation)} has an invalid character ${JSON.stringify(c)}`);
  }
  return term;
}

interface EinsumPlan {
  outDims: number[];
  /** Sizes of the output loop axes, then of the summed axes. */
  outSizes: number[];
  sumSizes: number[];
  /** strides[k][axis] for operand k over out axes then summed axes. */
  outStrides: number[][];
  sumStrides: number[][];
  /** Labels per operand (ellipsis expanded), the output's labels, and every label's size. */
  labels: string[][];
  outLabels: string[];
  size: Map<string, number>;
  /** Dims and row-major strides of each operand. */
  dims: number[][];
  strides: number[][];
}

function planEinsum(eq: EinsumEquation, shapes: readonly (readonly number[])[]): EinsumPlan {
  // Ellipsis width: the broadcast of every operand's "..." part.
  let ell = 0;
  const ellDims: number[][] = [];
  eq.inputs.forEach((term, k) => {
    const named = term.replace('.', '').length;
    const has = term.includes('.');
    const r = shapes[k].length;
    if (has ? r < named : r !== named) fail(`Einsum term ${JSON.stringify(term.replace('.', '...'))} does not match input ${k} of rank ${r}`);
    const w = has ? r - named : 0;
    ellDims.push(has ? shapes[k].slice(term.indexOf('.'), term.indexOf('.') + w) : []);
    ell = Math.max(ell, w);
  });
  // Labels: letters by first appearance, then the ellipsis axes as '0', '1', ...
  const size = new Map<string, number>();
  const count = new Map<string, number>();
  const expanded = eq.inputs.map((term, k) => {
    const labels: string[] = [];
    for (const c of term) {
      if (c === '.') {
        const w = ellDims[k].length;
        for (let e = 0; e < w; e++) labels.push(String(ell - w + e));
      } else labels.push(c);
    }
    labels.forEach((l, pos) => {
      const d = shapes[k][pos];
      const prev = size.get(l);
      if (prev === undefined || prev === 1) size.set(l, d);
      else if (d !== prev && d !== 1) fail(`Einsum label ${/\d/.test(l) ? '...' : l} has sizes ${prev} and ${d}`);
      count.set(l, (count.get(l) ?? 0) + (labels.indexOf(l) === pos ? 1 : 2));
    });
    return labels;
  });
  const ellLabels = Array.from({ length: ell }, (_, e) => String(e));
  let outLabels: string[];
  if (eq.output === null) {
    const singles = [...count.keys()].filter((l) => !/\d/.test(l) && count.get(l) === 1).sort();
    outLabels = [...ellLabels, ...singles];
  } else {
    outLabels = [];
    for (const c of eq.output) {
      if (c === '.') outLabels.push(...ellLabels);
      else outLabels.push(c);
    }
  }
  const outSet = new Set(outLabels);
  const sumLabels = [...size.keys()].filter((l) => !outSet.has(l));
  for (const l of ellLabels) if (!size.has(l)) size.set(l, 1);
  const strideFor = (labels: readonly string[], dims: readonly number[], axisLabels: readonly string[]): number[] => {
    const st = new Array<number>(axisLabels.length).fill(0);
    let acc = 1;
    for (let pos = labels.length - 1; pos >= 0; pos--) {
      const ax = axisLabels.indexOf(labels[pos]);
      if (ax >= 0 && dims[pos] !== 1) st[ax] += acc;
      acc *= dims[pos];
    }
    return st;
  };
  const outSizes = outLabels.map((l) => size.get(l) as number);
  const sumSizes = sumLabels.map((l) => size.get(l) as number);
  return {
    outDims: outSizes.slice(),
    outSizes,
    sumSizes,
    outStrides: expanded.map((labels, k) => strideFor(labels, shapes[k], outLabels)),
    sumStrides: expanded.map((labels, k) => strideFor(labels, shapes[k], sumLabels)),
    labels: expanded,
    outLabels,
    size,
    dims: shapes.map((d) => d.slice()),
    strides: shapes.map(rowMajor),
  };
}

function rowMajor(dims: readonly number[]): number[] {
  const st = new Array<number>(dims.length);
  for (let i = dims.length - 1, acc = 1; i >= 0; i--) { st[i] = acc; acc *= dims[i]; }
  return st;
}

export function einsum(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: { equation: EinsumEquation }): Tensor[] {
  const xs = inputs as Tensor[];
  const plan = planEinsum(attrs.equation, xs.map((x) => x.dims));
  const y = ctx.alloc(0, xs[0].type, plan.outDims);
  if (xs.length === 2 && !isBigType(xs[0].type) && contractWithGemm(plan, xs[0].data as NumericArray, xs[1].data as NumericArray, y.data as NumericArray)) {
    return ctx.done(1);
  }
  if (isBigType(xs[0].type)) runBig(plan, xs.map((x) => x.data as BigArray), y.data as BigArray);
  else runNumber(plan, xs.map((x) => x.data as NumericArray), y.data as NumericArray);
  return ctx.done(1);
}

/**
 * Two-operand contractions without diagonals, broadcasting or one-sided sums (the
 * common `bij,bjk->bik`, `bhqd,bhkd->bhqk`...) as a batched GEMM: labels split into
 * batch (A, B, out), m (A, out), n (B, out) and k (A, B); both operands are gathered
 * into [batch, m, k] / [batch, k, n] order, multiplied, and scattered into the output
 * order. Returns false when the equation does not have that form.
 */
function contractWithGemm(plan: EinsumPlan, A: NumericArray, B: NumericArray, Y: NumericArray): boolean {
  const [la, lb] = plan.labels;
  const out = new Set(plan.outLabels);
  if (new Set(la).size !== la.length || new Set(lb).size !== lb.length) return false;
  const inA = new Set(la), inB = new Set(lb);
  for (const l of la) if (!out.has(l) && !inB.has(l)) return false;
  for (const l of lb) if (!out.has(l) && !inA.has(l)) return false;
  // A shared label of size 1 on one side and larger on the other is a broadcast: general path.
  for (const l of la) if (inB.has(l) && plan.dims[0][la.indexOf(l)] !== plan.dims[1][lb.indexOf(l)]) return false;
  const batch = plan.outLabels.filter((l) => inA.has(l) && inB.has(l));
  const ms = plan.outLabels.filter((l) => inA.has(l) && !inB.has(l));
  const ns = plan.outLabels.filter((l) => inB.has(l) && !inA.has(l));
  const ks = la.filter((l) => inB.has(l) && !out.has(l));
  const sz = (ls: readonly string[]): number => ls.reduce((acc, l) => acc * (plan.size.get(l) as number), 1);
  const nb = sz(batch), M = sz(ms), N = sz(ns), K = sz(ks);
  const a = gather(A, plan, 0, [...batch, ...ms, ...ks]);
  const b = gather(B, plan, 1, [...batch, ...ks, ...ns]);
  const c = new Float64Array(nb * M * N);
  for (let t = 0; t < nb; t++) gemm(M, N, K, a, t * M * K, K, 1, b, t * K * N, N, 1, c, t * M * N, N);
  // c is in [batch, m, n] label order; write it out in the equation's output order.
  const order = [...batch, ...ms, ...ns];
  const cStrides = rowMajor(order.map((l) => plan.size.get(l) as number));
  const outSizes = plan.outLabels.map((l) => plan.size.get(l) as number);
  const srcStrides = plan.outLabels.map((l) => cStrides[order.indexOf(l)]);
  permuteCopy(c, srcStrides, outSizes, Y);
  return true;
}

/** Operand k as a contiguous Float64Array with its axes in `order` (every label of the operand). */
function gather(X: NumericArray, plan: EinsumPlan, k: number, order: readonly string[]): Float64Array {
  const labels = plan.labels[k];
  const sizes = order.map((l) => plan.size.get(l) as number);
  const st = order.map((l) => plan.strides[k][labels.indexOf(l)]);
  const out = new Float64Array(sizes.reduce((a, b) => a * b, 1));
  permuteCopy(X, st, sizes, out);
  return out;
}

/** dst (row-major over `sizes`) ← src walked with per-axis `srcStrides`. */
function permuteCopy(src: ArrayLike<number>, srcStrides: readonly number[], sizes: readonly number[], dst: NumericArray): void {
  const n = sizes.reduce((a, b) => a * b, 1);
  if (n === 0) return;
  const idx = new Int32Array(sizes.length);
  const offs = new Int32Array(1);
  const strides = [srcStrides as number[]];
  for (let i = 0; i < n; i++) {
    dst[i] = src[offs[0]];
    step(idx, sizes, strides, offs);
  }
}

/** Odometer step over `sizes`, moving every operand's offset; returns false when wrapped around. */
function step(idx: Int32Array, sizes: readonly number[], strides: readonly number[][], offs: Int32Array): boolean {
  for (let ax = sizes.length - 1; ax >= 0; ax--) {
    idx[ax]++;
    for (let k = 0; k < offs.length; k++) offs[k] += strides[k][ax];
    if (idx[ax] < sizes[ax]) return true;
    for (let k = 0; k < offs.length; k++) offs[k] -= strides[k][ax] * sizes[ax];
    idx[ax] = 0;
  }
  return false;
}

function runNumber(plan: EinsumPlan, X: NumericArray[], Y: NumericArray): void {
  const n = X.length;
  const outCount = plan.outSizes.reduce((a, b) => a * b, 1);
  const sumCount = plan.sumSizes.reduce((a, b) => a * b, 1);
  const oIdx = new Int32Array(plan.outSizes.length), sIdx = new Int32Array(plan.sumSizes.length);
  const base = new Int32Array(n), offs = new Int32Array(n);
  for (let o = 0; o < outCount; o++) {
    offs.set(base);
    let s = 0;
    for (let r = 0; r < sumCount; r++) {
      let p = X[0][offs[0]];
      for (let k = 1; k < n; k++) p *= X[k][offs[k]];
      s += p;
      step(sIdx, plan.sumSizes, plan.sumStrides, offs);
    }
    Y[o] = s;
    step(oIdx, plan.outSizes, plan.outStrides, base);
  }
}

function runBig(plan: EinsumPlan, X: BigArray[], Y: BigArray): void {
  const n = X.length;
  const outCount = plan.outSizes.reduce((a, b) => a * b, 1);
  const sumCount = plan.sumSizes.reduce((a, b) => a * b, 1);
  const oIdx = new Int32Array(plan.outSizes.length), sIdx = new Int32Array(plan.sumSizes.length);
  const base = new Int32Array(n), offs = new Int32Array(n);
  for (let o = 0; o < outCount; o++) {
    offs.set(base);
    let s = 0n;
    for (let r = 0; r < sumCount; r++) {
      let p = X[0][offs[0]];
      for (let k = 1; k < n; k++) p *= X[k][offs[k]];
      s += p;
      step(sIdx, plan.sumSizes, plan.sumStrides, offs);
    }
    Y[o] = s;
    step(oIdx, plan.outSizes, plan.outStrides, base);
  }
}
