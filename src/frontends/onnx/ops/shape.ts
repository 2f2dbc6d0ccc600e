// Shape and layout ops: Shape, Size, Reshape, Flatten, Squeeze, Unsqueeze,
// Transpose, Concat, Split, Expand, Tile, Range, ConstantOfShape, EyeLike, Pad,
// DepthToSpace, SpaceToDepth. Their kernels only move elements, so they accept
// every element type the schema allows (strings and bools included).

import * as shapeRt from '../../../../runtime/tensor/shape.js';
import * as fillRt from '../../../../runtime/tensor/shape-fill.js';
import * as joinRt from '../../../../runtime/tensor/shape-join.js';
import * as layoutRt from '../../../../runtime/tensor/shape-layout.js';
import * as padRt from '../../../../runtime/tensor/shape-pad.js';
import { ALL_TYPES, EVERY_TYPE, NUMERIC_TYPES, toNumbers, type DType, type Tensor } from '../../../../runtime/tensor/tensor.js';
import { fail } from '../../../diagnostics/diagnostic.js';
import { tensorType, UNKNOWN, type Dim, type IrType } from '../../../ir/types.js';
import type { AttrReader } from '../attrs.js';
import { dtypeOf, typeName } from '../dtypes.js';
import { kernelsOf, op, type AnyOpDef, type AttrContext } from './types.js';

const kShape = kernelsOf('tensor/shape', shapeRt);
const kFill = kernelsOf('tensor/shape-fill', fillRt);
const kJoin = kernelsOf('tensor/shape-join', joinRt);
const kLayout = kernelsOf('tensor/shape-layout', layoutRt);
const kPad = kernelsOf('tensor/shape-pad', padRt);

// These ops only move elements, so every element type the runtime holds works.
const ALL = { T: EVERY_TYPE };
const RANGE_TYPES: readonly DType[] = ['float32', 'float64', 'float16', 'bfloat16', 'int16', 'int32', 'int64'];
const EYE_TYPES: readonly DType[] = [...NUMERIC_TYPES, 'bool'];
type Shapes = readonly (readonly Dim[] | null)[];

// ---- static shape helpers (best effort: null = unknown) ----

/** The integer values of input i when it is a compile-time constant. */
function constInts(ctx: AttrContext, i: number): number[] | null {
  const t: Tensor | undefined = ctx.constInputs[i];
  return t === undefined ? null : toNumbers(t);
}

/** A product of dims: a number when all are static, a symbol when exactly one is (times 1). */
function dimProduct(dims: readonly Dim[]): Dim {
  let n = 1;
  let sym: Dim = null;
  let syms = 0;
  let unknown = false;
  for (const d of dims) {
    if (typeof d === 'number') n *= d;
    else if (d === null) unknown = true;
    else { sym = d; syms++; }
  }
  if (n === 0) return 0;
  if (unknown) return null;
  if (syms === 0) return n;
  return syms === 1 && n === 1 ? sym : null;
}

/** Rank-k shape of unknown dims when input i is a 1-D tensor of static length k (a shape input). */
function unknownOfLength(shapes: Shapes, i: number): Dim[] | null {
  const s = shapes[i];
  return s && s.length === 1 && typeof s[0] === 'number' ? new Array<Dim>(s[0]).fill(null) : null;
}

function normAxisStatic(axis: number, r: number): number {
  const a = axis < 0 ? axis + r : axis;
  if (a < 0 || a >= r) throw new Error('axis out of range'); // best effort: leaves the shape unknown
  return a;
}

/**
 * Reshape's output dims. A -1 is solved when the input's dims cancel the known target
 * dims (['N', 3, 4] to [0, -1] gives ['N', 12]).
 */
function reshapeStatic(x: readonly Dim[] | null, target: readonly number[], allowzero: boolean): Dim[] {
  const out: Dim[] = target.map((t, i) => (t > 0 || (t === 0 && allowzero) ? t : t === 0 ? (x ? x[i] ?? null : null) : null));
  const inferAt = target.indexOf(-1);
  if (inferAt < 0 || x === null) return out;
  const syms: string[] = [];
  let n = 1;
  for (const d of x) {
    if (d === null) return out;
    if (typeof d === 'number') n *= d; else syms.push(d);
  }
  let known = 1;
  for (let i = 0; i < out.length; i++) {
    if (i === inferAt) continue;
    const d = out[i];
    if (d === null) return out;
    if (typeof d === 'number') known *= d;
    else {
      const k = syms.indexOf(d);
      if (k < 0) return out;
      syms.splice(k, 1);
    }
  }
  if (known === 0 || n % known !== 0) return out;
  const rest = n / known;
  if (syms.length === 0) out[inferAt] = rest;
  else if (syms.length === 1 && rest === 1) out[inferAt] = syms[0];
  return out;
}

/** Bidirectional broadcast of dims with a static target shape (Expand). */
function expandStatic(x: readonly Dim[], target: readonly number[]): Dim[] {
  const r = Math.max(x.length, target.length);
  const out = new Array<Dim>(r);
  for (let i = 0; i < r; i++) {
    const a = i - (r - x.length) >= 0 ? x[i - (r - x.length)] : 1;
    const b = i - (r - target.length) >= 0 ? target[i - (r - target.length)] : 1;
    out[i] = b === 1 ? a : b;
  }
  return out;
}

function padStatic(x: readonly Dim[], pads: readonly number[], axes: readonly number[] | null): Dim[] {
  const r = x.length;
  const ax = axes === null ? x.map((_, i) => i) : axes.map((a) => normAxisStatic(a, r));
  if (pads.length !== 2 * ax.length) throw new Error('pads length');
  const out = x.slice();
  ax.forEach((a, i) => {
    const delta = pads[i] + pads[i + ax.length];
    const d = out[a];
    out[a] = delta === 0 ? d : typeof d === 'number' ? d + delta : null;
  });
  return out;
}

const mulDim = (d: Dim, k: number): Dim => (k === 1 ? d : typeof d === 'number' ? d * k : null);
const divDim = (d: Dim, k: number): Dim => (k === 1 ? d : typeof d === 'number' ? d / k : null);

// ---- attribute readers ----

function splitAttrs(a: AttrReader, ctx: AttrContext): joinRt.SplitAttrs {
  const split = ctx.opset < 13 && a.has('split') ? a.ints('split') : null;
  const numOutputs = ctx.opset >= 18 && a.has('num_outputs') ? a.int('num_outputs') : null;
  if (numOutputs !== null && numOutputs < 1) fail('MLC2003', `attribute "num_outputs" must be at least 1, got ${numOutputs}`);
  if (ctx.outputCount < 1) fail('MLC2007', 'Split must have at least one output');
  if (split !== null && split.length > 0 && split.length !== ctx.outputCount) {
    fail('MLC2003', `attribute "split" has ${split.length} sizes but the node has ${ctx.outputCount} outputs`);
  }
  return { axis: a.int('axis', 0), split: split !== null && split.length > 0 ? split : null, numOutputs, outputs: ctx.outputCount };
}

function padAttrs(a: AttrReader, ctx: AttrContext): padRt.PadAttrs {
  const mode = a.string('mode', 'constant');
  if (mode !== 'constant' && mode !== 'reflect' && mode !== 'edge' && mode !== 'wrap') {
    fail('MLC2003', `attribute "mode" must be constant, reflect, edge or wrap, got ${JSON.stringify(mode)}`);
  }
  if (ctx.opset >= 11) return { mode, pads: null, value: null };
  // Pad-1 named the attribute "paddings"; Pad-2 renamed it "pads".
  const pads = ctx.opset < 2 ? a.ints('paddings') : a.ints('pads');
  return { mode, pads, value: a.float('value', 0) };
}

function permutation(perm: number[]): number[] {
  const sorted = perm.slice().sort((x, y) => x - y);
  if (sorted.some((p, i) => p !== i)) fail('MLC2003', `attribute "perm" must be a permutation of 0..${perm.length - 1}, got [${perm.join(',')}]`);
  return perm;
}

function blocksize(a: AttrReader): number {
  const b = a.int('blocksize');
  if (b < 1) fail('MLC2003', `attribute "blocksize" must be positive, got ${b}`);
  return b;
}

function constantOfShapeValue(a: AttrReader): fillRt.ConstantOfShapeAttrs {
  const v = a.tensor('value', true);
  if (v === undefined) return { value: { type: 'float32', dims: [1], data: new Float32Array(1) } };
  if (v.data.length !== 1) fail('MLC2003', `attribute "value" must hold exactly one element, has ${v.data.length}`);
  return { value: { type: v.type, dims: [1], data: v.data } };
}

function eyeLikeAttrs(a: AttrReader): fillRt.EyeLikeAttrs {
  let dtype: DType | null = null;
  if (a.has('dtype')) {
    const code = a.int('dtype');
    const t = dtypeOf(code);
    if (t === undefined) fail('MLC3005', `EyeLike output type ${typeName(code)} is not supported`);
    if (!EYE_TYPES.includes(t)) fail('MLC2003', `attribute "dtype" must be a numeric or bool type, got ${t}`);
    dtype = t;
  }
  return { dtype, k: a.int('k', 0) };
}

function eyeLikeTypes(ctx: AttrContext, attrs: fillRt.EyeLikeAttrs): IrType[] {
  const input = ctx.inputTypes[0];
  const dtype = attrs.dtype ?? (input && input.kind === 'tensor' ? input.dtype : null);
  return [dtype === null ? UNKNOWN : tensorType(dtype, null)];
}

// ---- the entries ----

const shapeOps: AnyOpDef[] = [
  op<shapeRt.ShapeAttrs>({
    op: 'Shape', since: 1, kernel: kShape('shape'), constraints: ALL, inputs: ['T'], outputs: ['int64'],
    attrs: (a, ctx) => (ctx.opset >= 15 ? { start: a.int('start', 0), end: a.has('end') ? a.int('end') : null } : { start: 0, end: null }),
    shapes: ([x], at) => {
      if (x === null) return [null];
      const [s, e] = shapeRt.shapeRange(x.length, at.start, at.end);
      return [[e - s]];
    },
  }),
  { op: 'Size', since: 1, kernel: kShape('size'), constraints: ALL, inputs: ['T'], outputs: ['int64'], shapes: () => [[]] },
  op<shapeRt.ReshapeAttrs>({
    op: 'Reshape', since: 5, aliasesInputs: true, outputsAreViews: true, kernel: kShape('reshape'), constraints: ALL, inputs: ['T', 'int64'], outputs: ['T'],
    attrs: (a, ctx) => ({ allowzero: ctx.opset >= 14 ? a.int('allowzero', 0) : 0, shape: null }),
    shapes: ([x, s], at, ctx) => {
      const target = constInts(ctx, 1);
      return [target ? reshapeStatic(x, target, at.allowzero !== 0) : unknownOfLength([s], 0)];
    },
  }),
  op<shapeRt.ReshapeAttrs>({
    op: 'Reshape', since: 1, until: 4, aliasesInputs: true, outputsAreViews: true, kernel: kShape('reshape'), constraints: ALL, inputs: ['T'], outputs: ['T'],
    attrs: (a) => ({ allowzero: 0, shape: a.ints('shape') }),
    shapes: ([x], at) => [reshapeStatic(x, at.shape ?? [], false)],
  }),
  op<shapeRt.FlattenAttrs>({
    op: 'Flatten', since: 1, aliasesInputs: true, outputsAreViews: true, kernel: kShape('flatten'), constraints: ALL, inputs: ['T'], outputs: ['T'],
    attrs: (a) => ({ axis: a.int('axis', 1) }),
    shapes: ([x], at) => {
      if (x === null) return [null];
      const axis = at.axis < 0 ? at.axis + x.length : at.axis;
      if (axis < 0 || axis > x.length) return [null];
      return [[dimProduct(x.slice(0, axis)), dimProduct(x.slice(axis))]];
    },
  }),
  op<shapeRt.AxesAttrs>({
    op: 'Squeeze', since: 1, until: 12, aliasesInputs: true, outputsAreViews: true, kernel: kShape('squeeze'), constraints: ALL, inputs: ['T'], outputs: ['T'],
    attrs: (a) => ({ axes: a.has('axes') ? a.ints('axes') : null }),
    shapes: ([x], at) => [x === null ? null : squeezeStatic(x, at.axes)],
  }),
  op<shapeRt.AxesAttrs>({
    op: 'Squeeze', since: 13, aliasesInputs: true, outputsAreViews: true, kernel: kShape('squeeze'), constraints: ALL, inputs: ['T', 'int64'], outputs: ['T'],
    minInputs: 1, maxInputs: 2,
    attrs: () => ({ axes: null }),
    shapes: ([x], _at, ctx) => {
      const axes = ctx.inputTypes.length > 1 ? constInts(ctx, 1) : null;
      return [x === null || (ctx.inputTypes.length > 1 && axes === null) ? null : squeezeStatic(x, axes)];
    },
  }),
  op<shapeRt.AxesAttrs>({
    op: 'Unsqueeze', since: 1, until: 12, aliasesInputs: true, outputsAreViews: true, kernel: kShape('unsqueeze'), constraints: ALL, inputs: ['T'], outputs: ['T'],
    attrs: (a) => ({ axes: a.ints('axes') }),
    shapes: ([x], at) => [x === null || at.axes === null ? null : unsqueezeStatic(x, at.axes)],
  }),
  op<shapeRt.AxesAttrs>({
    op: 'Unsqueeze', since: 13, aliasesInputs: true, outputsAreViews: true, kernel: kShape('unsqueeze'), constraints: ALL, inputs: ['T', 'int64'], outputs: ['T'],
    attrs: () => ({ axes: null }),
    shapes: ([x], _at, ctx) => {
      const axes = constInts(ctx, 1);
      return [x === null || axes === null ? null : unsqueezeStatic(x, axes)];
    },
  }),
];

/** Squeezed dims; axes null or empty = squeeze every 1 (unknown unless every dim is static). */
function squeezeStatic(x: readonly Dim[], axes: readonly number[] | null): Dim[] | null {
  if (axes === null || axes.length === 0) return x.some((d) => typeof d !== 'number') ? null : x.filter((d) => d !== 1);
  const drop = axes.map((a) => normAxisStatic(a, x.length));
  return x.filter((_, i) => !drop.includes(i));
}

function unsqueezeStatic(x: readonly Dim[], axes: readonly number[]): Dim[] {
  const r = x.length + axes.length;
  const ones = axes.map((a) => normAxisStatic(a, r));
  const out: Dim[] = [];
  let k = 0;
  for (let i = 0; i < r; i++) out.push(ones.includes(i) ? 1 : x[k++]);
  return out;
}

const layoutOps: AnyOpDef[] = [
  op<layoutRt.TransposeAttrs>({
    op: 'Transpose', since: 1, aliasesInputs: true, kernel: kLayout('transpose'), constraints: ALL, inputs: ['T'], outputs: ['T'],
    attrs: (a) => ({ perm: a.has('perm') ? permutation(a.ints('perm')) : null }),
    shapes: ([x], at) => {
      if (x === null) return [null];
      const perm = at.perm ?? x.map((_, i) => x.length - 1 - i);
      return [perm.length === x.length ? perm.map((p) => x[p] ?? null) : null];
    },
  }),
  op<layoutRt.DepthToSpaceAttrs>({
    op: 'DepthToSpace', since: 1, kernel: kLayout('depthToSpace'), constraints: ALL, inputs: ['T'], outputs: ['T'],
    attrs: (a) => {
      const mode = a.string('mode', 'DCR');
      if (mode !== 'DCR' && mode !== 'CRD') fail('MLC2003', `attribute "mode" must be DCR or CRD, got ${JSON.stringify(mode)}`);
      return { blocksize: blocksize(a), mode };
    },
    shapes: ([x], at) => {
      if (x === null || x.length !== 4) return [null];
      const b = at.blocksize;
      return [[x[0], divDim(x[1], b * b), mulDim(x[2], b), mulDim(x[3], b)]];
    },
  }),
  op<layoutRt.SpaceToDepthAttrs>({
    op: 'SpaceToDepth', since: 1, kernel: kLayout('spaceToDepth'), constraints: ALL, inputs: ['T'], outputs: ['T'],
    attrs: (a) => ({ blocksize: blocksize(a) }),
    shapes: ([x], at) => {
      if (x === null || x.length !== 4) return [null];
      const b = at.blocksize;
      return [[x[0], mulDim(x[1], b * b), divDim(x[2], b), divDim(x[3], b)]];
    },
  }),
];

function concatStatic(xs: Shapes, axis: number): Dim[] | null {
  const first = xs.find((s) => s !== null);
  if (!first) return null;
  const r = first.length;
  const ax = normAxisStatic(axis, r);
  const out: Dim[] = first.slice();
  let sum: number | null = 0;
  for (const s of xs) {
    if (s === null) { sum = null; continue; }
    const d = s[ax];
    sum = sum !== null && typeof d === 'number' ? sum + d : null;
    // Off the axis all inputs agree: take whichever is static.
    for (let a = 0; a < r; a++) if (a !== ax && typeof out[a] !== 'number' && s[a] !== null) out[a] = s[a];
  }
  out[ax] = sum;
  return out;
}

function splitStatic(x: readonly Dim[] | null, at: joinRt.SplitAttrs, ctx: AttrContext): (Dim[] | null)[] {
  if (x === null) return new Array<null>(at.outputs).fill(null);
  const ax = normAxisStatic(at.axis, x.length);
  const withAxis = (s: Dim): Dim[] => {
    const o = x.slice();
    o[ax] = s;
    return o;
  };
  // A split input that is not a compile-time constant leaves the sizes unknown.
  const splitInput = ctx.inputTypes.length > 1;
  const splitConst = splitInput ? ctx.constInputs[1] : undefined;
  const given = splitConst !== undefined && splitConst.data.length > 0 ? toNumbers(splitConst) : at.split;
  const d = x[ax];
  if (given !== null) return given.map(withAxis);
  if (typeof d === 'number' && !(splitInput && splitConst === undefined)) return joinRt.splitSizes(d, null, at.numOutputs, at.outputs).map(withAxis);
  return new Array<Dim>(at.outputs).fill(null).map(withAxis);
}

const joinOps: AnyOpDef[] = [
  op<joinRt.ConcatAttrs>({
    op: 'Concat', since: 1, aliasesInputs: true, kernel: kJoin('concat'), constraints: ALL, inputs: ['T'], outputs: ['T'],
    minInputs: 1, maxInputs: Infinity,
    // Concat-1..3 default the axis to 1; from Concat-4 it is required.
    attrs: (a, ctx) => ({ axis: ctx.opset < 4 ? a.int('axis', 1) : a.int('axis') }),
    shapes: (xs, at) => [concatStatic(xs, at.axis)],
  }),
  op<joinRt.SplitAttrs>({
    op: 'Split', since: 13, kernel: kJoin('split'), constraints: ALL, inputs: ['T', 'int64'], outputs: ['T'],
    minInputs: 1, maxInputs: 2,
    attrs: splitAttrs,
    shapes: ([x], at, ctx) => splitStatic(x, at, ctx),
  }),
  op<joinRt.SplitAttrs>({
    op: 'Split', since: 2, until: 12, kernel: kJoin('split'), constraints: ALL, inputs: ['T'], outputs: ['T'],
    attrs: splitAttrs,
    shapes: ([x], at, ctx) => splitStatic(x, at, ctx),
  }),
  op<joinRt.SplitAttrs>({
    // Split-1: the sizes come from the attribute or from an optional second input.
    op: 'Split', since: 1, until: 1, kernel: kJoin('split'), constraints: ALL, inputs: ['T', '*'], outputs: ['T'],
    minInputs: 1, maxInputs: 2,
    attrs: splitAttrs,
    shapes: ([x], at, ctx) => splitStatic(x, at, ctx),
  }),
  {
    op: 'Expand', since: 8, aliasesInputs: true, kernel: kJoin('expand'), constraints: ALL, inputs: ['T', 'int64'], outputs: ['T'],
    shapes: ([x], _at: unknown, ctx: AttrContext) => {
      const target = constInts(ctx, 1);
      return [x === null || target === null ? null : expandStatic(x, target)];
    },
  },
  {
    op: 'Tile', since: 6, kernel: kJoin('tile'), constraints: ALL, inputs: ['T', 'int64'], outputs: ['T'],
    shapes: ([x], _at: unknown, ctx: AttrContext) => {
      const reps = constInts(ctx, 1);
      if (reps === null) return [x];
      return [x === null || reps.length !== x.length ? null : x.map((d, i) => mulDim(d, reps[i]))];
    },
  },
];

const fillOps: AnyOpDef[] = [
  {
    op: 'Range', since: 11, kernel: kFill('range'), constraints: { T: RANGE_TYPES }, inputs: ['T', 'T', 'T'], outputs: ['T'],
    shapes: (_x: Shapes, _at: unknown, ctx: AttrContext) => {
      const [s, l, d] = ctx.constInputs;
      if (!s || !l || !d || s.data.length !== 1 || l.data.length !== 1 || d.data.length !== 1) return [[null]];
      return [[fillRt.rangeCount(s.data[0] as number | bigint, l.data[0] as number | bigint, d.data[0] as number | bigint)]];
    },
  },
  op<fillRt.ConstantOfShapeAttrs>({
    op: 'ConstantOfShape', since: 9, kernel: kFill('constantOfShape'), inputs: ['int64'],
    attrs: constantOfShapeValue,
    outputTypes: (_ctx, at) => [tensorType(at.value.type, null)],
    shapes: (xs, _at, ctx) => [constInts(ctx, 0) ?? unknownOfLength(xs, 0)],
  }),
  op<fillRt.EyeLikeAttrs>({
    op: 'EyeLike', since: 9, kernel: kFill('eyeLike'), constraints: { T1: EYE_TYPES }, inputs: ['T1'],
    attrs: eyeLikeAttrs,
    outputTypes: eyeLikeTypes,
    shapes: ([x]) => [x],
  }),
];

const padOps: AnyOpDef[] = [
  op<padRt.PadAttrs>({
    op: 'Pad', since: 11, kernel: kPad('pad'), constraints: { T: ALL_TYPES, Tind: ['int32', 'int64'] },
    inputs: ['T', 'int64', 'T', 'Tind'], outputs: ['T'], minInputs: 2, maxInputs: 4,
    attrs: (a, ctx) => {
      if (ctx.opset < 18 && ctx.inputTypes.length > 3) fail('MLC2007', 'Pad takes the axes input from opset 18');
      return padAttrs(a, ctx);
    },
    shapes: ([x], _at, ctx) => {
      const pads = constInts(ctx, 1);
      const axes = ctx.inputTypes[3] === undefined ? null : constInts(ctx, 3);
      if (x === null || pads === null || (ctx.inputTypes[3] !== undefined && axes === null)) return [null];
      return [padStatic(x, pads, axes)];
    },
  }),
  op<padRt.PadAttrs>({
    op: 'Pad', since: 1, until: 10, kernel: kPad('pad'), constraints: ALL, inputs: ['T'], outputs: ['T'],
    attrs: padAttrs,
    shapes: ([x], at) => [x === null || at.pads === null ? null : padStatic(x, at.pads, null)],
  }),
];

export const OPS: readonly AnyOpDef[] = [...shapeOps, ...layoutOps, ...joinOps, ...fillOps, ...padOps];
