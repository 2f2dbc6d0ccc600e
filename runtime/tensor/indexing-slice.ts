// Slice: opset 1-9 (starts/ends/axes attributes) and 10+ (inputs, with steps).

import { copyRun, shapeText } from './indexing.js';
import { fail, normAxis, strides, toNumbers, type NodeCtx, type Tensor } from './tensor.js';

/** One axis of a slice: the first source index, the step and the element count. */
export interface AxisSlice { start: number; step: number; count: number }

/**
 * ONNX's clamping rules for one axis of length `dim`: negative start/end count from
 * the end; then with a positive step start and end are clamped to [0, dim], with a
 * negative step start to [0, dim-1] and end to [-1, dim-1] (so a reversed slice can
 * include element 0). Huge values (INT64_MAX/MIN used as "to the end") clamp too.
 */
export function sliceAxis(dim: number, start: number, end: number, step: number): AxisSlice {
  if (step === 0) fail('Slice step cannot be 0');
  if (dim === 0) return { start: 0, step, count: 0 };
  let s = start < 0 ? start + dim : start;
  let e = end < 0 ? end + dim : end;
  let count: number;
  if (step > 0) {
    s = Math.min(Math.max(s, 0), dim);
    e = Math.min(Math.max(e, 0), dim);
    count = Math.max(0, Math.ceil((e - s) / step));
  } else {
    s = Math.min(Math.max(s, 0), dim - 1);
    e = Math.min(Math.max(e, -1), dim - 1);
    count = Math.max(0, Math.ceil((s - e) / -step));
  }
  return { start: s, step, count };
}

/** The per-axis plan for every axis of `dims` (unsliced axes: whole range, step 1). */
export function planSlice(
  dims: readonly number[], starts: readonly number[], ends: readonly number[],
  axes: readonly number[] | undefined, steps: readonly number[] | undefined,
): AxisSlice[] {
  const r = dims.length;
  const n = starts.length;
  if (ends.length !== n) fail(`Slice's starts and ends have different lengths (${n} and ${ends.length})`);
  if (axes !== undefined && axes.length !== n) fail(`Slice's axes has ${axes.length} entries, starts has ${n}`);
  if (steps !== undefined && steps.length !== n) fail(`Slice's steps has ${steps.length} entries, starts has ${n}`);
  if (axes === undefined && n > r) fail(`Slice has ${n} starts for an input of rank ${r}`);
  const plan: AxisSlice[] = dims.map((d) => ({ start: 0, step: 1, count: d }));
  const seen = new Array<boolean>(r).fill(false);
  for (let i = 0; i < n; i++) {
    const a = axes === undefined ? i : normAxis(axes[i], r);
    if (seen[a]) fail(`Slice's axes repeat axis ${a}`);
    seen[a] = true;
    plan[a] = sliceAxis(dims[a], starts[i], ends[i], steps === undefined ? 1 : steps[i]);
  }
  return plan;
}

/** Slice-10+: data, starts, ends, optional axes, optional steps (int32 or int64). */
export function slice(ctx: NodeCtx, inputs: readonly (Tensor | undefined)[]): Tensor[] {
  const x = inputs[0] as Tensor;
  const axesT = inputs[3], stepsT = inputs[4];
  for (const t of inputs.slice(1)) {
    if (t !== undefined && t.dims.length !== 1) fail(`Slice's starts/ends/axes/steps must be 1-D, got ${shapeText(t.dims)}`);
  }
  const plan = planSlice(
    x.dims, toNumbers(inputs[1] as Tensor), toNumbers(inputs[2] as Tensor),
    axesT === undefined ? undefined : toNumbers(axesT), stepsT === undefined ? undefined : toNumbers(stepsT),
  );
  return runSlice(ctx, x, plan);
}

/** Slice-1: the same with starts/ends/axes as attributes and unit steps. */
export function sliceV1(
  ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: { starts: number[]; ends: number[]; axes?: number[] },
): Tensor[] {
  const x = inputs[0] as Tensor;
  return runSlice(ctx, x, planSlice(x.dims, attrs.starts, attrs.ends, attrs.axes, undefined));
}

/**
 * Copies the planned region. Trailing whole axes merge into one contiguous block;
 * the innermost sliced axis is walked in a tight loop (one run copy when its step
 * is 1) and the axes before it by an odometer. A slice of everything is a view.
 */
function runSlice(ctx: NodeCtx, x: Tensor, plan: readonly AxisSlice[]): Tensor[] {
  const dims = x.dims;
  const r = dims.length;
  const outDims = plan.map((p) => p.count);
  // t: the innermost axis that is not taken whole.
  let t = r - 1;
  while (t >= 0 && plan[t].start === 0 && plan[t].step === 1 && plan[t].count === dims[t]) t--;
  // NodeCtx.alloc would reuse a slot last filled by view(), i.e. write into some
  // input's buffer; a flag remembers the view so the next copy starts afresh.
  const viewed = ctx.scratch('viewed', 'uint8', 1) as Uint8Array;
  if (t < 0) {
    ctx.view(0, x.type, dims, x.data);
    viewed[0] = 1;
    return ctx.done(1);
  }
  if (viewed[0] === 1) {
    ctx.done(0); // drops the view from the output slot
    viewed[0] = 0;
  }
  const out = ctx.alloc(0, x.type, outDims);
  if (out.data.length === 0) return ctx.done(1);
  const st = strides(dims);
  const block = st[t]; // elements below axis t: contiguous in source and output
  const src = x.data, dst = out.data;
  const { start: tStart, step: tStep, count: tCount } = plan[t];
  const tStride = tStep * block;
  // Odometer over axes 0..t-1, tracking the source offset of the row's first element.
  const idx = new Array<number>(t).fill(0);
  let base = 0;
  for (let a = 0; a < t; a++) base += plan[a].start * st[a];
  base += tStart * block;
  let d = 0;
  const rowLen = tCount * block;
  for (;;) {
    if (tStep === 1) copyRun(src, base, dst, d, rowLen);
    else if (block === 1) for (let i = 0, s = base; i < tCount; i++, s += tStride) dst[d + i] = src[s];
    else for (let i = 0, s = base; i < tCount; i++, s += tStride) copyRun(src, s, dst, d + i * block, block);
    d += rowLen;
    let a = t - 1;
    for (; a >= 0; a--) {
      const p = plan[a];
      base += p.step * st[a];
      if (++idx[a] < p.count) break;
      base -= p.count * p.step * st[a];
      idx[a] = 0;
    }
    if (a < 0) break;
  }
  return ctx.done(1);
}
