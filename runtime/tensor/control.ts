// Control flow: If, Loop and Scan. Subgraph bodies arrive as region callbacks
// (compiled functions); these kernels decide how often and with what to call them.

import type { RegionFn } from './invoke.js';
import { allocData, fail, normAxis, sizeOf, type NodeCtx, type Tensor, type TensorData } from './tensor.js';

type Inputs = readonly (Tensor | undefined)[];

function truthy(t: Tensor | undefined, what: string): boolean {
  if (t === undefined) fail(`${what} is missing`);
  if (t.data.length !== 1) fail(`${what} must hold exactly one element, has ${t.data.length}`);
  return Boolean(Number(t.data[0]));
}

/** If: runs one branch; its yielded values are the node's outputs. */
export function ifElse(ctx: NodeCtx, inputs: Inputs, _attrs: unknown, regions?: readonly RegionFn[]): Tensor[] {
  const [thenBranch, elseBranch] = regions as readonly RegionFn[];
  const out = truthy(inputs[0], 'the condition') ? thenBranch([]) : elseBranch([]);
  out.forEach((t, k) => ctx.set(k, t));
  return ctx.done(out.length);
}

/** Copies `src` into `dst` starting at element `offset`. */
function copyInto(dst: TensorData, src: TensorData, offset: number): void {
  if (Array.isArray(dst)) {
    const s = src as string[];
    for (let i = 0; i < s.length; i++) dst[offset + i] = s[i];
  } else {
    (dst as Float64Array).set(src as Float64Array, offset);
  }
}

/** Stacks equally shaped tensors along a new leading axis. */
function stack(parts: readonly Tensor[], what: string): Tensor {
  const first = parts[0];
  const n = first.data.length;
  for (const p of parts) {
    if (p.type !== first.type || p.data.length !== n || p.dims.length !== first.dims.length) {
      fail(`${what}: iterations produced values of different types or shapes`);
    }
  }
  const data = allocData(first.type, n * parts.length);
  parts.forEach((p, i) => copyInto(data, p.data, i * n));
  return { type: first.type, dims: [parts.length, ...first.dims], data };
}

/**
 * Loop: `for (i = 0; i < M && cond; i++) { cond, carried..., scans... = body(i, cond, carried...) }`.
 * Inputs: M (optional int64), cond (optional bool), initial carried values.
 * Outputs: final carried values, then each scan output stacked over iterations.
 */
export function loop(ctx: NodeCtx, inputs: Inputs, _attrs: unknown, regions?: readonly RegionFn[]): Tensor[] {
  const body = (regions as readonly RegionFn[])[0];
  const maxTrip = inputs[0] === undefined ? Infinity : Number(inputs[0].data[0]);
  let cond = inputs[1] === undefined ? true : truthy(inputs[1], 'the loop condition');
  let carried: (Tensor | undefined)[] = inputs.slice(2) as (Tensor | undefined)[];
  const nCarried = carried.length;
  const scans: Tensor[][] = [];
  const iterTensor = (i: number): Tensor => ({ type: 'int64', dims: [], data: BigInt64Array.of(BigInt(i)) });
  const condTensor = (c: boolean): Tensor => ({ type: 'bool', dims: [], data: Uint8Array.of(c ? 1 : 0) });
  let i = 0;
  for (; i < maxTrip && cond; i++) {
    const out = body([iterTensor(i), condTensor(cond), ...carried]);
    cond = truthy(out[0], 'the loop body condition output');
    carried = out.slice(1, 1 + nCarried);
    const scanOut = out.slice(1 + nCarried);
    scanOut.forEach((t, k) => { (scans[k] ??= []).push(t); });
  }
  carried.forEach((t, k) => ctx.set(k, t as Tensor));
  const nScan = Math.max(scans.length, ctx.out.length - nCarried, 0);
  for (let k = 0; k < nScan; k++) {
    const parts = scans[k];
    ctx.set(nCarried + k, parts && parts.length > 0 ? stack(parts, `Loop scan output ${k}`) : { type: 'float32', dims: [0], data: new Float32Array(0) });
  }
  return ctx.done(nCarried + nScan);
}

export interface ScanAttrs {
  readonly numScanInputs: number;
  readonly inputAxes: readonly number[];
  readonly inputDirections: readonly number[];
  readonly outputAxes: readonly number[];
  readonly outputDirections: readonly number[];
  /** Opset 8: a leading optional sequence_lens input and a batch axis 0 on everything. */
  readonly legacyBatch: boolean;
}

/** One slice of `t` along `axis` at position `index` (a new tensor without that axis). */
function sliceAxis(t: Tensor, axis: number, index: number): Tensor {
  const dims = t.dims;
  const outer = sizeOf(dims.slice(0, axis));
  const len = dims[axis];
  const inner = sizeOf(dims.slice(axis + 1));
  const data = allocData(t.type, outer * inner);
  const src = t.data;
  for (let o = 0; o < outer; o++) {
    const base = (o * len + index) * inner;
    for (let j = 0; j < inner; j++) (data as Float64Array)[o * inner + j] = (src as Float64Array)[base + j];
  }
  return { type: t.type, dims: [...dims.slice(0, axis), ...dims.slice(axis + 1)], data };
}

/** Stacks per-iteration tensors along `axis` (0 ≤ axis ≤ rank). */
function stackAxis(parts: readonly Tensor[], axis: number): Tensor {
  const stacked = stack(parts, 'Scan output');
  if (axis === 0) return stacked;
  // Move the new leading axis to position `axis`.
  const inner = parts[0].dims;
  const outDims = [...inner.slice(0, axis), parts.length, ...inner.slice(axis)];
  const outer = sizeOf(inner.slice(0, axis));
  const rest = sizeOf(inner.slice(axis));
  const data = allocData(stacked.type, stacked.data.length);
  for (let s = 0; s < parts.length; s++) {
    for (let o = 0; o < outer; o++) {
      for (let r = 0; r < rest; r++) {
        (data as Float64Array)[(o * parts.length + s) * rest + r] = (stacked.data as Float64Array)[(s * outer + o) * rest + r];
      }
    }
  }
  return { type: stacked.type, dims: outDims, data };
}

function runScan(states: Tensor[], scanIns: Tensor[], a: ScanAttrs, body: RegionFn): { states: Tensor[]; scans: Tensor[] } {
  const axes = scanIns.map((t, k) => normAxis(a.inputAxes[k] ?? 0, t.dims.length));
  const steps = scanIns.length ? scanIns[0].dims[axes[0]] : 0;
  scanIns.forEach((t, k) => { if (t.dims[axes[k]] !== steps) fail('scan inputs disagree on the sequence length'); });
  const collected: Tensor[][] = [];
  let cur = states;
  for (let s = 0; s < steps; s++) {
    const slices = scanIns.map((t, k) => sliceAxis(t, axes[k], (a.inputDirections[k] ?? 0) === 1 ? steps - 1 - s : s));
    const out = body([...cur, ...slices]);
    cur = out.slice(0, states.length);
    out.slice(states.length).forEach((t, k) => { (collected[k] ??= []).push(t); });
  }
  const scans = collected.map((parts, k) => {
    const ordered = (a.outputDirections[k] ?? 0) === 1 ? parts.slice().reverse() : parts;
    const axis = a.outputAxes[k] ?? 0;
    return stackAxis(ordered, axis < 0 ? axis + parts[0].dims.length + 1 : axis);
  });
  return { states: cur, scans };
}

/** Scan (opset 9+): iterates the body over slices of the scan inputs, carrying state. */
export function scan(ctx: NodeCtx, inputs: Inputs, a: ScanAttrs, regions?: readonly RegionFn[]): Tensor[] {
  const body = (regions as readonly RegionFn[])[0];
  if (a.legacyBatch) return scanLegacy(ctx, inputs, a, body);
  const all = inputs as Tensor[];
  const nState = all.length - a.numScanInputs;
  const { states, scans } = runScan(all.slice(0, nState), all.slice(nState), a, body);
  [...states, ...scans].forEach((t, k) => ctx.set(k, t));
  return ctx.done(states.length + scans.length);
}

/** Scan opset 8: inputs are (sequence_lens?, states..., scans...) with a leading batch axis. */
function scanLegacy(ctx: NodeCtx, inputs: Inputs, a: ScanAttrs, body: RegionFn): Tensor[] {
  if (inputs[0] !== undefined) fail('Scan-8 with sequence_lens is not supported');
  const all = inputs.slice(1) as Tensor[];
  const nState = all.length - a.numScanInputs;
  const batch = all[0].dims[0];
  const perBatch: { states: Tensor[]; scans: Tensor[] }[] = [];
  for (let b = 0; b < batch; b++) {
    const pick = all.map((t) => sliceAxis(t, 0, b));
    const shifted = { ...a, inputAxes: a.inputAxes.map(() => 0), outputAxes: [] };
    perBatch.push(runScan(pick.slice(0, nState), pick.slice(nState), shifted, body));
  }
  const outs = [...perBatch[0].states.keys()].map((k) => stack(perBatch.map((r) => r.states[k]), 'Scan state'))
    .concat([...perBatch[0].scans.keys()].map((k) => stack(perBatch.map((r) => r.scans[k]), 'Scan output')));
  outs.forEach((t, k) => ctx.set(k, t));
  return ctx.done(outs.length);
}
