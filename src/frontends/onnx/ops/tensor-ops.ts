// Indexing ops: Slice, Gather, GatherElements, GatherND, ScatterElements, Scatter,
// ScatterND, Trilu, OneHot, Compress, NonZero, ReverseSequence, Unique.

import * as gatherK from '../../../../runtime/tensor/indexing-gather.js';
import * as scatterK from '../../../../runtime/tensor/indexing-scatter.js';
import * as selectK from '../../../../runtime/tensor/indexing-select.js';
import type { Reduction } from '../../../../runtime/tensor/indexing-scatter.js';
import * as sliceK from '../../../../runtime/tensor/indexing-slice.js';
import * as uniqueK from '../../../../runtime/tensor/indexing-unique.js';
import { ALL_TYPES, EVERY_TYPE, NUMERIC_TYPES, toNumbers, type DType, type Tensor } from '../../../../runtime/tensor/tensor.js';
import { fail } from '../../../diagnostics/diagnostic.js';
import type { Dim } from '../../../ir/types.js';
import type { AttrReader } from '../attrs.js';
import { kernelsOf, op, type AnyOpDef, type AttrContext } from './types.js';

const kGather = kernelsOf('tensor/indexing-gather', gatherK);
const kScatter = kernelsOf('tensor/indexing-scatter', scatterK);
const kSelect = kernelsOf('tensor/indexing-select', selectK);
const kSlice = kernelsOf('tensor/indexing-slice', sliceK);
const kUnique = kernelsOf('tensor/indexing-unique', uniqueK);

const IND: readonly DType[] = ['int32', 'int64'];
type Shapes = readonly (readonly Dim[] | null)[];

/** An axis attribute normalised against a static rank, or null when out of range. */
function axisIn(axis: number, rank: number): number | null {
  const a = axis < 0 ? axis + rank : axis;
  return a >= 0 && a < rank ? a : null;
}

/** Checks an axis attribute against the input's static rank when it is known (MLC2003 otherwise). */
function checkAxis(axis: number, ctx: AttrContext, input: number, extra = 0): void {
  const t = ctx.inputTypes[input];
  if (t === undefined || t.kind !== 'tensor' || t.shape === null) return;
  const r = t.shape.length + extra;
  if (axis < -r || axis >= r) fail('MLC2003', `attribute "axis" ${axis} is out of range for rank ${r}`);
}

/** The reduction attribute, with the values each opset allows (16: add/mul; 18: max/min). */
function reductionOf(a: AttrReader, ctx: AttrContext): Reduction {
  if (ctx.opset < 16) return 'none';
  const r = a.string('reduction', 'none');
  const allowed = ctx.opset >= 18 ? ['none', 'add', 'mul', 'max', 'min'] : ['none', 'add', 'mul'];
  if (!allowed.includes(r)) fail('MLC2003', `attribute "reduction" must be one of ${allowed.join(', ')} at opset ${ctx.opset}, got "${r}"`);
  return r as Reduction;
}

function sameAsInput(s: Shapes): (readonly Dim[] | null)[] {
  return [s[0]];
}

/** Slice output shape when starts/ends/axes/steps are known and the sliced dims are static. */
function sliceShape(
  dims: readonly Dim[] | null, starts: number[], ends: number[], axes: number[] | undefined, steps: number[] | undefined,
): readonly Dim[] | null {
  if (dims === null) return null;
  const out = dims.slice();
  for (let i = 0; i < starts.length; i++) {
    const a = axisIn(axes === undefined ? i : axes[i], dims.length);
    if (a === null) return null;
    const d = dims[a];
    out[a] = typeof d === 'number' ? sliceK.sliceAxis(d, starts[i], ends[i], steps === undefined ? 1 : steps[i]).count : null;
  }
  return out;
}

function constNumbers(t: Tensor | undefined): number[] | undefined {
  return t === undefined ? undefined : toNumbers(t);
}

const SLICE_OPS: readonly AnyOpDef[] = [
  op<{ starts: number[]; ends: number[]; axes?: number[] }>({
    op: 'Slice', since: 1, until: 9, aliasesInputs: true, kernel: kSlice('sliceV1'), constraints: { T: EVERY_TYPE }, inputs: ['T'], outputs: ['T'],
    attrs: (a) => {
      const starts = a.ints('starts'), ends = a.ints('ends');
      if (starts.length !== ends.length) fail('MLC2003', `attributes "starts" and "ends" differ in length (${starts.length} and ${ends.length})`);
      if (!a.has('axes')) return { starts, ends };
      const axes = a.ints('axes');
      if (axes.length !== starts.length) fail('MLC2003', `attribute "axes" has ${axes.length} entries, "starts" has ${starts.length}`);
      return { starts, ends, axes };
    },
    shapes: ([x], at) => [sliceShape(x, at.starts, at.ends, at.axes, undefined)],
  }),
  op<Record<string, never>>({
    op: 'Slice', since: 10, aliasesInputs: true, kernel: kSlice('slice'), constraints: { T: EVERY_TYPE, Tind: IND },
    inputs: ['T', 'Tind', 'Tind', 'Tind', 'Tind'], outputs: ['T'], minInputs: 3, maxInputs: 5,
    shapes: ([x], _at, ctx) => {
      const [, s, e, ax, st] = ctx.constInputs;
      if (s === undefined || e === undefined || (ctx.inputTypes[3] !== undefined && ax === undefined) ||
        (ctx.inputTypes[4] !== undefined && st === undefined)) return [null];
      return [sliceShape(x, toNumbers(s), toNumbers(e), constNumbers(ax), constNumbers(st))];
    },
  }),
];

const GATHER_OPS: readonly AnyOpDef[] = [
  op<{ axis: number }>({
    op: 'Gather', since: 1, kernel: kGather('gather'), constraints: { T: EVERY_TYPE, Tind: IND }, inputs: ['T', 'Tind'], outputs: ['T'],
    attrs: (a, ctx) => {
      const axis = a.int('axis', 0);
      checkAxis(axis, ctx, 0);
      return { axis };
    },
    shapes: ([x, i], at) => {
      if (x === null || i === null) return [null];
      const a = axisIn(at.axis, x.length);
      return [a === null ? null : [...x.slice(0, a), ...i, ...x.slice(a + 1)]];
    },
  }),
  op<{ axis: number }>({
    op: 'GatherElements', since: 11, kernel: kGather('gatherElements'), constraints: { T: ALL_TYPES, Tind: IND },
    inputs: ['T', 'Tind'], outputs: ['T'],
    attrs: (a, ctx) => {
      const axis = a.int('axis', 0);
      checkAxis(axis, ctx, 0);
      return { axis };
    },
    shapes: ([, i]) => [i],
  }),
  op<{ batchDims: number }>({
    // batch_dims arrived in opset 12; opset 11 models never set it, so one entry serves both.
    op: 'GatherND', since: 11, kernel: kGather('gatherND'), constraints: { T: ALL_TYPES }, inputs: ['T', 'int64'], outputs: ['T'],
    attrs: (a) => {
      const batchDims = a.int('batch_dims', 0);
      if (batchDims < 0) fail('MLC2003', `attribute "batch_dims" must be >= 0, got ${batchDims}`);
      return { batchDims };
    },
    shapes: ([x, i], at) => {
      if (x === null || i === null || i.length === 0) return [null];
      const kk = i[i.length - 1];
      return [typeof kk === 'number' ? [...i.slice(0, -1), ...x.slice(at.batchDims + kk)] : null];
    },
  }),
];

const SCATTER_OPS: readonly AnyOpDef[] = [
  op<{ axis: number; reduction: Reduction }>({
    op: 'ScatterElements', since: 11, kernel: kScatter('scatterElements'), constraints: { T: ALL_TYPES, Tind: IND },
    inputs: ['T', 'Tind', 'T'], outputs: ['T'],
    attrs: (a, ctx) => {
      const axis = a.int('axis', 0);
      checkAxis(axis, ctx, 0);
      return { axis, reduction: reductionOf(a, ctx) };
    },
    shapes: sameAsInput,
  }),
  op<{ axis: number; reduction: Reduction }>({
    // Deprecated in opset 11 in favour of ScatterElements, whose semantics it has.
    op: 'Scatter', since: 9, until: 10, kernel: kScatter('scatterElements'), constraints: { T: ALL_TYPES, Tind: IND },
    inputs: ['T', 'Tind', 'T'], outputs: ['T'],
    attrs: (a, ctx) => {
      const axis = a.int('axis', 0);
      checkAxis(axis, ctx, 0);
      return { axis, reduction: 'none' };
    },
    shapes: sameAsInput,
  }),
  op<{ reduction: Reduction }>({
    op: 'ScatterND', since: 11, kernel: kScatter('scatterND'), constraints: { T: ALL_TYPES }, inputs: ['T', 'int64', 'T'], outputs: ['T'],
    attrs: (a, ctx) => ({ reduction: reductionOf(a, ctx) }),
    shapes: sameAsInput,
  }),
];

const SELECT_OPS: readonly AnyOpDef[] = [
  op<{ upper: boolean }>({
    op: 'Trilu', since: 14, kernel: kSelect('trilu'), constraints: { T: ALL_TYPES }, inputs: ['T', 'int64'], outputs: ['T'],
    minInputs: 1, maxInputs: 2,
    attrs: (a) => ({ upper: a.int('upper', 1) !== 0 }),
    shapes: sameAsInput,
  }),
  op<{ axis: number }>({
    op: 'OneHot', since: 9, kernel: kSelect('oneHot'), constraints: { T1: NUMERIC_TYPES, T2: NUMERIC_TYPES, T3: ALL_TYPES },
    inputs: ['T1', 'T2', 'T3'], outputs: ['T3'],
    attrs: (a, ctx) => {
      const axis = a.int('axis', -1);
      checkAxis(axis, ctx, 0, 1);
      return { axis };
    },
    shapes: ([i], at, ctx) => {
      if (i === null) return [null];
      const a = axisIn(at.axis, i.length + 1);
      const d = ctx.constInputs[1];
      const depth = d !== undefined && d.data.length === 1 ? Math.trunc(Number(d.data[0])) : null;
      return [a === null ? null : [...i.slice(0, a), depth, ...i.slice(a)]];
    },
  }),
  op<{ axis?: number }>({
    op: 'Compress', since: 9, kernel: kSelect('compress'), constraints: { T: ALL_TYPES, T1: ['bool'] }, inputs: ['T', 'T1'], outputs: ['T'],
    attrs: (a, ctx) => {
      if (!a.has('axis')) return {};
      const axis = a.int('axis');
      checkAxis(axis, ctx, 0);
      return { axis };
    },
    shapes: ([x], at) => {
      if (at.axis === undefined) return [[null]];
      if (x === null) return [null];
      const a = axisIn(at.axis, x.length);
      return [a === null ? null : x.map((d, i) => (i === a ? null : d))];
    },
  }),
  op<Record<string, never>>({
    op: 'NonZero', since: 9, kernel: kSelect('nonZero'), constraints: { T: ALL_TYPES }, inputs: ['T'], outputs: ['int64'],
    shapes: ([x]) => [x === null ? null : [Math.max(x.length, 1), null]],
  }),
  op<{ timeAxis: number; batchAxis: number }>({
    op: 'ReverseSequence', since: 10, kernel: kSelect('reverseSequence'), constraints: { T: ALL_TYPES }, inputs: ['T', 'int64'], outputs: ['T'],
    attrs: (a) => {
      const timeAxis = a.int('time_axis', 0), batchAxis = a.int('batch_axis', 1);
      if ((timeAxis !== 0 && timeAxis !== 1) || batchAxis !== 1 - timeAxis) {
        fail('MLC2003', `attributes "time_axis" and "batch_axis" must be 0 and 1 in some order, got ${timeAxis} and ${batchAxis}`);
      }
      return { timeAxis, batchAxis };
    },
    shapes: sameAsInput,
  }),
  op<{ axis?: number; sorted: boolean; outputs: number }>({
    op: 'Unique', since: 11, kernel: kUnique('unique'), constraints: { T: ALL_TYPES }, inputs: ['T'], outputs: ['T', 'int64', 'int64', 'int64'],
    attrs: (a, ctx) => {
      if (ctx.outputCount < 1 || ctx.outputCount > 4) fail('MLC2007', `Unique has 1 to 4 outputs, got ${ctx.outputCount}`);
      const sorted = a.int('sorted', 1) !== 0;
      if (!a.has('axis')) return { sorted, outputs: ctx.outputCount };
      const axis = a.int('axis');
      checkAxis(axis, ctx, 0);
      return { axis, sorted, outputs: ctx.outputCount };
    },
    shapes: ([x], at) => {
      if (at.axis === undefined) return [[null], [null], [null], [null]];
      const a = x === null ? null : axisIn(at.axis, x.length);
      if (x === null || a === null) return [null, [null], [null], [null]];
      return [x.map((d, i) => (i === a ? null : d)), [null], [x[a]], [null]];
    },
  }),
];

export const OPS: readonly AnyOpDef[] = [...SLICE_OPS, ...GATHER_OPS, ...SCATTER_OPS, ...SELECT_OPS];
