// Pooling and resampling: MaxPool, AveragePool, LpPool, their Global forms, MaxRoiPool,
// MaxUnpool, Resize and Upsample. Kernels: runtime/tensor/pool.ts, runtime/tensor/resize.ts.

import * as pool from '../../../../runtime/tensor/pool.js';
import * as resize from '../../../../runtime/tensor/resize.js';
import { ALL_TYPES, FLOAT_TYPES, type DType, type Tensor } from '../../../../runtime/tensor/tensor.js';
import { fail } from '../../../diagnostics/diagnostic.js';
import type { Dim } from '../../../ir/types.js';
import type { AttrReader } from '../attrs.js';
import { kernelsOf, type AnyOpDef, type AttrContext } from './types.js';

const kp = kernelsOf('tensor/pool', pool);
const kr = kernelsOf('tensor/resize', resize);

const MAXPOOL_TYPES: readonly DType[] = [...FLOAT_TYPES, 'int8', 'uint8'];
const AUTO_PADS: readonly string[] = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'];

type Shapes = readonly (readonly Dim[] | null)[];



/** An ints attribute of the given length with every value >= min (default: `def` repeated). */
function intsOf(a: AttrReader, name: string, length: number, def: number, min: number): number[] {
  const v = a.ints(name, new Array<number>(length).fill(def));
  if (v.length !== length) fail('MLC2003', `attribute "${name}" must have ${length} values, got ${v.length}`);
  if (v.some((x) => x < min)) fail('MLC2003', `attribute "${name}" values must be >= ${min}, got [${v.join(',')}]`);
  return v;
}

/** Which window attributes an op version defines. */
interface PoolFeatures {
  readonly ceil: boolean;
  readonly dilations: boolean;
}

function poolAttrs(a: AttrReader, ctx: AttrContext, f: PoolFeatures): pool.PoolAttrs {
  const kernel = a.ints('kernel_shape');
  const n = kernel.length;
  if (n === 0 || kernel.some((x) => x < 1)) fail('MLC2003', `attribute "kernel_shape" must hold positive values, got [${kernel.join(',')}]`);
  const x = ctx.inputTypes[0];
  if (x?.kind === 'tensor' && x.shape !== null && x.shape.length !== n + 2) {
    fail('MLC2003', `kernel_shape has ${n} values but the input has rank ${x.shape.length} (expected ${n + 2})`);
  }
  if (n > 3) fail('MLC3005', `pooling over ${n} spatial axes is not supported (1 to 3)`);
  const autoPad = a.oneOf('auto_pad', AUTO_PADS, 'NOTSET') as pool.AutoPad;
  return {
    kernel,
    strides: intsOf(a, 'strides', n, 1, 1),
    dilations: f.dilations ? intsOf(a, 'dilations', n, 1, 1) : new Array<number>(n).fill(1),
    pads: intsOf(a, 'pads', 2 * n, 0, 0),
    autoPad,
    ceilMode: f.ceil ? a.flag('ceil_mode') : false,
  };
}

/** [N, C, ...output spatial] when the spatial input dims are known. */
function poolShape([x]: Shapes, at: pool.PoolAttrs): Shapes {
  if (!x || x.length !== at.kernel.length + 2) return [null, null];
  const spatial = x.slice(2);
  let out: Dim[];
  if (spatial.every((d): d is number => typeof d === 'number')) out = pool.poolGeometry(spatial, at).out;
  else out = spatial.map(() => null);
  const dims = [x[0], x[1], ...out];
  return [dims, dims];
}

function globalShape([x]: Shapes): Shapes {
  return [x && x.length >= 2 ? x.map((d, i) => (i < 2 ? d : 1)) : null];
}

// ---------------------------------------------------------------- MaxPool, AveragePool, LpPool

function maxPoolEntry(since: number, until: number | undefined, types: readonly DType[], f: PoolFeatures & { indices: boolean }): AnyOpDef {
  return {
    op: 'MaxPool', since, until, kernel: kp('maxPool'), constraints: { T: types }, inputs: ['T'],
    outputs: f.indices ? ['T', 'int64'] : ['T'],
    attrs: (a: AttrReader, ctx: AttrContext): pool.MaxPoolAttrs => {
      if (ctx.outputCount > (f.indices ? 2 : 1)) fail('MLC2003', `MaxPool-${since} has ${f.indices ? 2 : 1} output(s), the node declares ${ctx.outputCount}`);
      const storageOrder = f.indices ? a.int('storage_order', 0) : 0;
      if (storageOrder !== 0 && storageOrder !== 1) fail('MLC2003', `attribute "storage_order" must be 0 or 1, got ${storageOrder}`);
      return { ...poolAttrs(a, ctx, f), storageOrder, indices: ctx.outputCount > 1 };
    },
    shapes: poolShape,
  };
}

function averagePoolEntry(since: number, until: number | undefined, f: PoolFeatures & { countIncludePad: boolean }): AnyOpDef {
  return {
    op: 'AveragePool', since, until, kernel: kp('averagePool'), constraints: { T: FLOAT_TYPES }, inputs: ['T'], outputs: ['T'],
    attrs: (a: AttrReader, ctx: AttrContext): pool.AveragePoolAttrs => ({
      ...poolAttrs(a, ctx, f),
      countIncludePad: f.countIncludePad ? a.flag('count_include_pad') : false,
    }),
    shapes: poolShape,
  };
}

/** LpPool-1 and GlobalLpPool-1 have a float `p`; later versions an int. */
function pOf(a: AttrReader, floatP: boolean): number {
  const p = floatP ? a.float('p', 2) : a.int('p', 2);
  if (!(p > 0)) fail('MLC2003', `attribute "p" must be positive, got ${p}`);
  return p;
}

function lpPoolEntry(since: number, until: number | undefined, f: PoolFeatures): AnyOpDef {
  return {
    op: 'LpPool', since, until, kernel: kp('lpPool'), constraints: { T: FLOAT_TYPES }, inputs: ['T'], outputs: ['T'],
    attrs: (a: AttrReader, ctx: AttrContext): pool.LpPoolAttrs => ({ ...poolAttrs(a, ctx, f), p: pOf(a, since === 1) }),
    shapes: poolShape,
  };
}

const PLAIN = { ceil: false, dilations: false };
const CEIL = { ceil: true, dilations: false };
const FULL = { ceil: true, dilations: true };

// ---------------------------------------------------------------- MaxRoiPool, MaxUnpool

function maxRoiPoolAttrs(a: AttrReader): pool.MaxRoiPoolAttrs {
  const pooledShape = a.ints('pooled_shape');
  if (pooledShape.length !== 2 || pooledShape.some((v) => v < 1)) {
    fail('MLC2003', `attribute "pooled_shape" must be 2 positive values, got [${pooledShape.join(',')}]`);
  }
  return { pooledShape, spatialScale: a.float('spatial_scale', 1) };
}

function maxUnpoolAttrs(a: AttrReader): pool.MaxUnpoolAttrs {
  const kernel = a.ints('kernel_shape');
  if (kernel.length === 0 || kernel.some((x) => x < 1)) fail('MLC2003', `attribute "kernel_shape" must hold positive values, got [${kernel.join(',')}]`);
  const n = kernel.length;
  return { kernel, strides: intsOf(a, 'strides', n, 1, 1), pads: intsOf(a, 'pads', 2 * n, 0, 0) };
}

function maxUnpoolShape([x]: Shapes, at: pool.MaxUnpoolAttrs, ctx: AttrContext): Shapes {
  const shapeT = ctx.constInputs[2];
  if (shapeT !== undefined) return [Array.from(shapeT.data as BigInt64Array, Number)];
  if (!x || x.length !== at.kernel.length + 2 || !x.slice(2).every((d) => typeof d === 'number')) return [null];
  const out = pool.maxUnpoolDims(x.map((d) => (typeof d === 'number' ? d : 1)), at);
  return [[x[0], x[1], ...out.slice(2)]];
}

// ---------------------------------------------------------------- Resize, Upsample

const COORD_MODES_11: readonly resize.CoordMode[] = [
  'half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_half_pixel_for_nn', 'tf_crop_and_resize',
];
const COORD_MODES_13: readonly resize.CoordMode[] = ['half_pixel', 'pytorch_half_pixel', 'align_corners', 'asymmetric', 'tf_crop_and_resize'];
const COORD_MODES_19: readonly resize.CoordMode[] = [...COORD_MODES_13, 'half_pixel_symmetric'];
const NEAREST_MODES: readonly resize.NearestMode[] = ['round_prefer_floor', 'round_prefer_ceil', 'floor', 'ceil'];

/** Interpolating modes need numbers: strings and booleans can only be resized by nearest. */
function checkModeType(mode: resize.ResizeMode, ctx: AttrContext): void {
  const x = ctx.inputTypes[0];
  if (mode !== 'nearest' && x?.kind === 'tensor' && (x.dtype === 'string' || x.dtype === 'bool')) {
    fail('MLC3005', `mode "${mode}" cannot interpolate ${x.dtype} tensors (only "nearest" can)`);
  }
}

/** Resize-10 and Upsample: asymmetric coordinates, the legacy "simple" nearest rounding. */
function legacyResizeAttrs(mode: resize.ResizeMode, ctx: AttrContext, io: { scalesInput: number; scales: number[] }): resize.ResizeAttrs {
  checkModeType(mode, ctx);
  return {
    mode, coord: 'asymmetric', nearest: 'simple', cubicA: -0.75, excludeOutside: false, extrapolation: 0, antialias: false,
    axes: [], keepAspect: 'stretch', roiInput: -1, sizesInput: -1, ...io,
  };
}

function resizeAttrs(a: AttrReader, ctx: AttrContext): resize.ResizeAttrs {
  const opset = ctx.opset;
  const mode = a.oneOf('mode', ['nearest', 'linear', 'cubic'] as const, 'nearest');
  checkModeType(mode, ctx);
  const coordModes = opset >= 19 ? COORD_MODES_19 : opset >= 13 ? COORD_MODES_13 : COORD_MODES_11;
  const axes = opset >= 18 ? a.ints('axes', []) : [];
  const x = ctx.inputTypes[0];
  if (axes.length > 0 && x?.kind === 'tensor' && x.shape !== null) resize.resizeAxes(axes, x.shape.length);
  return {
    mode,
    coord: a.oneOf('coordinate_transformation_mode', coordModes, 'half_pixel'),
    nearest: a.oneOf('nearest_mode', NEAREST_MODES, 'round_prefer_floor'),
    cubicA: a.float('cubic_coeff_a', -0.75),
    excludeOutside: a.flag('exclude_outside'),
    extrapolation: a.float('extrapolation_value', 0),
    // Antialiasing only changes the linear and cubic filters.
    antialias: opset >= 18 && a.flag('antialias') && mode !== 'nearest',
    axes,
    keepAspect: opset >= 18
      ? a.oneOf('keep_aspect_ratio_policy', ['stretch', 'not_larger', 'not_smaller'] as const, 'stretch')
      : 'stretch',
    roiInput: 1, scalesInput: 2, sizesInput: 3, scales: [],
  };
}

/** A constant input's values as numbers, null when absent, empty or not constant. */
function constValues(t: Tensor | undefined): number[] | null {
  return t === undefined || t.data.length === 0 ? null : Array.from(t.data as ArrayLike<number | bigint>, Number);
}

function resizeShape([x]: Shapes, at: resize.ResizeAttrs, ctx: AttrContext): Shapes {
  if (!x || !x.every((d): d is number => typeof d === 'number')) return [null];
  const scales = at.scales.length > 0 ? at.scales : at.scalesInput >= 0 ? constValues(ctx.constInputs[at.scalesInput]) : null;
  const sizes = at.scales.length > 0 || at.sizesInput < 0 ? null : constValues(ctx.constInputs[at.sizesInput]);
  if (scales === null && sizes === null) return [null];
  return [resize.resizePlan(x, scales, sizes, null, at).outDims];
}

function upsampleScalesAttr(a: AttrReader, ctx: AttrContext): number[] {
  const scales = a.floats('scales');
  const x = ctx.inputTypes[0];
  if (x?.kind === 'tensor' && x.shape !== null && x.shape.length !== scales.length) {
    fail('MLC2003', `attribute "scales" has ${scales.length} values but the input has rank ${x.shape.length}`);
  }
  if (scales.some((s) => !(s >= 1))) fail('MLC2003', `attribute "scales" values must be >= 1, got [${scales.join(',')}]`);
  return scales;
}

/** Upsample-1: 4-D NCHW with height_scale and width_scale; "bilinear" is the linear mode. */
function upsample1Attrs(a: AttrReader, ctx: AttrContext): resize.ResizeAttrs {
  const mode = a.oneOf('mode', ['nearest', 'bilinear'] as const, 'nearest');
  const x = ctx.inputTypes[0];
  if (x?.kind === 'tensor' && x.shape !== null && x.shape.length !== 4) fail('MLC2003', `Upsample-1 expects a 4-D input, got rank ${x.shape.length}`);
  const scales = [1, 1, a.float('height_scale'), a.float('width_scale')];
  return legacyResizeAttrs(mode === 'bilinear' ? 'linear' : 'nearest', ctx, { scalesInput: -1, scales });
}

const RESIZE_MODES_10 = ['nearest', 'linear'] as const;

export const OPS: readonly AnyOpDef[] = [
  maxPoolEntry(1, 7, FLOAT_TYPES, { ...PLAIN, indices: false }),
  maxPoolEntry(8, 9, FLOAT_TYPES, { ...PLAIN, indices: true }),
  maxPoolEntry(10, 11, FLOAT_TYPES, { ...FULL, indices: true }),
  maxPoolEntry(12, undefined, MAXPOOL_TYPES, { ...FULL, indices: true }),

  averagePoolEntry(1, 6, { ...PLAIN, countIncludePad: false }),
  averagePoolEntry(7, 9, { ...PLAIN, countIncludePad: true }),
  averagePoolEntry(10, 18, { ...CEIL, countIncludePad: true }),
  averagePoolEntry(19, undefined, { ...FULL, countIncludePad: true }),

  lpPoolEntry(1, 1, PLAIN),
  lpPoolEntry(2, 17, PLAIN),
  lpPoolEntry(18, undefined, FULL),

  { op: 'GlobalAveragePool', since: 1, kernel: kp('globalAveragePool'), constraints: { T: FLOAT_TYPES }, inputs: ['T'], outputs: ['T'],
    shapes: globalShape },
  { op: 'GlobalMaxPool', since: 1, kernel: kp('globalMaxPool'), constraints: { T: FLOAT_TYPES }, inputs: ['T'], outputs: ['T'],
    shapes: globalShape },
  { op: 'GlobalLpPool', since: 1, until: 1, kernel: kp('globalLpPool'), constraints: { T: FLOAT_TYPES }, inputs: ['T'], outputs: ['T'],
    attrs: (a: AttrReader) => ({ p: pOf(a, true) }), shapes: globalShape },
  { op: 'GlobalLpPool', since: 2, kernel: kp('globalLpPool'), constraints: { T: FLOAT_TYPES }, inputs: ['T'], outputs: ['T'],
    attrs: (a: AttrReader) => ({ p: pOf(a, false) }), shapes: globalShape },

  { op: 'MaxRoiPool', since: 1, kernel: kp('maxRoiPool'), constraints: { T: FLOAT_TYPES }, inputs: ['T', 'T'], outputs: ['T'],
    attrs: maxRoiPoolAttrs,
    shapes: ([x, r]: Shapes, at: pool.MaxRoiPoolAttrs) => [x && r ? [r[0], x[1], at.pooledShape[0], at.pooledShape[1]] : null] },
  { op: 'MaxUnpool', since: 9, until: 10, kernel: kp('maxUnpool'), constraints: { T1: FLOAT_TYPES }, inputs: ['T1', 'int64'],
    outputs: ['T1'], attrs: maxUnpoolAttrs, shapes: maxUnpoolShape },
  { op: 'MaxUnpool', since: 11, kernel: kp('maxUnpool'), constraints: { T1: FLOAT_TYPES }, inputs: ['T1', 'int64', 'int64'],
    outputs: ['T1'], minInputs: 2, attrs: maxUnpoolAttrs, shapes: maxUnpoolShape },

  { op: 'Resize', since: 10, until: 10, kernel: kr('resize'), constraints: { T: ALL_TYPES }, inputs: ['T', 'float32'], outputs: ['T'],
    attrs: (a: AttrReader, ctx: AttrContext) =>
      legacyResizeAttrs(a.oneOf('mode', RESIZE_MODES_10, 'nearest'), ctx, { scalesInput: 1, scales: [] }),
    shapes: resizeShape },
  { op: 'Resize', since: 11, until: 12, kernel: kr('resize'), constraints: { T1: ALL_TYPES, T2: FLOAT_TYPES },
    inputs: ['T1', 'T2', 'float32', 'int64'], outputs: ['T1'], minInputs: 3, attrs: resizeAttrs, shapes: resizeShape },
  { op: 'Resize', since: 13, kernel: kr('resize'), constraints: { T1: ALL_TYPES, T2: FLOAT_TYPES },
    inputs: ['T1', 'T2', 'float32', 'int64'], outputs: ['T1'], minInputs: 1, attrs: resizeAttrs, shapes: resizeShape },

  { op: 'Upsample', since: 1, until: 6, kernel: kr('resize'), constraints: { T: FLOAT_TYPES }, inputs: ['T'], outputs: ['T'],
    attrs: upsample1Attrs, shapes: resizeShape },
  { op: 'Upsample', since: 7, until: 8, kernel: kr('resize'), constraints: { T: ALL_TYPES }, inputs: ['T'], outputs: ['T'],
    attrs: (a: AttrReader, ctx: AttrContext) => legacyResizeAttrs(a.oneOf('mode', RESIZE_MODES_10, 'nearest'), ctx,
      { scalesInput: -1, scales: upsampleScalesAttr(a, ctx) }),
    shapes: resizeShape },
  { op: 'Upsample', since: 9, until: 9, kernel: kr('resize'), constraints: { T: ALL_TYPES }, inputs: ['T', 'float32'], outputs: ['T'],
    attrs: (a: AttrReader, ctx: AttrContext) =>
      legacyResizeAttrs(a.oneOf('mode', RESIZE_MODES_10, 'nearest'), ctx, { scalesInput: 1, scales: [] }),
    shapes: resizeShape },
];
