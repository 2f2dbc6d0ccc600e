// Vision and geometry ops: GridSample, AffineGrid, NonMaxSuppression, RoiAlign,
// Col2Im, CenterCropPad, DeformConv. Kernels: runtime/tensor/vision*.ts.
//
// Versions that only added bfloat16 (GridSample-22, RoiAlign-22, DeformConv-22,
// AffineGrid-22...) share the entry of the version before them.

import * as vision from '../../../../runtime/tensor/vision.js';
import * as deform from '../../../../runtime/tensor/vision-deform.js';
import * as detect from '../../../../runtime/tensor/vision-detect.js';
import * as grid from '../../../../runtime/tensor/vision-grid.js';
import { ALL_TYPES, FLOAT_TYPES, NUMERIC_TYPES, toNumbers, type DType } from '../../../../runtime/tensor/tensor.js';
import { fail } from '../../../diagnostics/diagnostic.js';
import type { Dim } from '../../../ir/types.js';
import type { AttrReader } from '../attrs.js';
import { kernelsOf, type AnyOpDef, type AttrContext } from './types.js';

const kv = kernelsOf('tensor/vision', vision);
const kd = kernelsOf('tensor/vision-deform', deform);
const kt = kernelsOf('tensor/vision-detect', detect);
const kg = kernelsOf('tensor/vision-grid', grid);

const FLOATS = FLOAT_TYPES;
const INDEX_TYPES: readonly DType[] = ['int32', 'int64'];
type Shapes = readonly (readonly Dim[] | null)[];



function positiveInts(a: AttrReader, name: string): number[] {
  const v = a.ints(name, []);
  if (v.some((x) => x < 1)) fail('MLC2003', `attribute "${name}" must hold positive values, got [${v.join(',')}]`);
  return v;
}

function nonNegativeInts(a: AttrReader, name: string): number[] {
  const v = a.ints(name, []);
  if (v.some((x) => x < 0)) fail('MLC3005', `negative ${name} [${v.join(',')}] are not supported`);
  return v;
}

/** The values of a constant input, or null. */
function constInts(ctx: AttrContext, i: number): number[] | null {
  const t = ctx.constInputs[i];
  return t === undefined ? null : toNumbers(t);
}

// ------------------------------------------------------------------ GridSample

const GRID_PADDINGS: readonly grid.GridPadding[] = ['zeros', 'border', 'reflection'];

/** Opset 16 names the modes bilinear/bicubic; opset 20 renamed them linear/cubic. */
function gridSampleAttrs(a: AttrReader, ctx: AttrContext): grid.GridSampleAttrs {
  const legacy = ctx.opset < 20;
  const modes = legacy ? ['bilinear', 'nearest', 'bicubic'] : ['linear', 'nearest', 'cubic'];
  const mode = a.oneOf('mode', modes, modes[0]);
  const x = ctx.inputTypes[0];
  if (legacy && x?.kind === 'tensor' && x.shape !== null && x.shape.length !== 4) {
    fail('MLC2003', `GridSample-16 takes a 4-D input, got rank ${x.shape.length}`);
  }
  // Strings can only be copied, not interpolated.
  if (x?.kind === 'tensor' && x.dtype === 'string' && mode !== 'nearest') fail('MLC3005', `GridSample mode ${mode} cannot interpolate strings (only nearest can)`);
  return {
    mode: mode === 'bilinear' ? 'linear' : mode === 'bicubic' ? 'cubic' : (mode as grid.GridMode),
    padding: a.oneOf('padding_mode', GRID_PADDINGS, 'zeros'),
    alignCorners: a.flag('align_corners'),
  };
}

function gridSampleShape([x, g]: Shapes): Shapes {
  if (!x || !g || g.length !== x.length) return [null];
  return [[x[0], x[1], ...g.slice(1, -1)]];
}

// ------------------------------------------------------------------ AffineGrid

/** [N, (D,) H, W, r] from a constant size; else only N and r, known from theta [N, r, r + 1]. */
function affineGridShape([theta]: Shapes, _at: unknown, ctx: AttrContext): Shapes {
  const size = constInts(ctx, 1);
  if (size !== null && size.length >= 4) return [[size[0], ...size.slice(2), size.length - 2]];
  const r = theta?.[1];
  if (!theta || (r !== 2 && r !== 3)) return [null];
  return [[theta[0], ...new Array<Dim>(r).fill(null), r]];
}

// ------------------------------------------------------------------- RoiAlign

function roiAlignAttrs(a: AttrReader, ctx: AttrContext): detect.RoiAlignAttrs {
  const outputHeight = a.int('output_height', 1), outputWidth = a.int('output_width', 1);
  if (outputHeight < 1 || outputWidth < 1) fail('MLC2003', `RoiAlign output size must be positive, got ${outputHeight}x${outputWidth}`);
  const samplingRatio = a.int('sampling_ratio', 0);
  if (samplingRatio < 0) fail('MLC2003', `attribute "sampling_ratio" must be >= 0, got ${samplingRatio}`);
  // RoiAlign-10 has no coordinate_transformation_mode: it behaves as output_half_pixel.
  const ctm = ctx.opset >= 16
    ? a.oneOf('coordinate_transformation_mode', ['half_pixel', 'output_half_pixel'], 'half_pixel')
    : 'output_half_pixel';
  return {
    mode: a.oneOf('mode', ['avg', 'max'] as const, 'avg'),
    outputHeight, outputWidth, samplingRatio,
    spatialScale: a.float('spatial_scale', 1),
    halfPixel: ctm === 'half_pixel',
  };
}

function roiAlignShape([x, rois, bi]: Shapes, at: detect.RoiAlignAttrs): Shapes {
  return [[rois?.[0] ?? bi?.[0] ?? null, x?.[1] ?? null, at.outputHeight, at.outputWidth]];
}

// --------------------------------------------------------------------- Col2Im

function col2ImAttrs(a: AttrReader): vision.Col2ImAttrs {
  return { dilations: positiveInts(a, 'dilations'), pads: nonNegativeInts(a, 'pads'), strides: positiveInts(a, 'strides') };
}

function col2ImShape([x]: Shapes, _at: unknown, ctx: AttrContext): Shapes {
  const image = constInts(ctx, 1), block = constInts(ctx, 2);
  if (image === null) return [null];
  const k = block === null ? 0 : block.reduce((p, v) => p * v, 1);
  const c = x && typeof x[1] === 'number' && k > 0 ? x[1] / k : null;
  return [[x?.[0] ?? null, c, ...image]];
}

// -------------------------------------------------------------- CenterCropPad

function centerCropPadShape([x]: Shapes, at: { axes: readonly number[] }, ctx: AttrContext): Shapes {
  const target = constInts(ctx, 1);
  if (!x || target === null) return [null];
  const axes = at.axes.length > 0 ? at.axes.map((v) => (v < 0 ? v + x.length : v)) : x.map((_, i) => i);
  if (axes.length !== target.length || axes.some((v) => v < 0 || v >= x.length)) return [null];
  const out = x.slice();
  axes.forEach((v, i) => { out[v] = target[i]; });
  return [out];
}

// ----------------------------------------------------------------- DeformConv

function deformConvAttrs(a: AttrReader): deform.DeformConvAttrs {
  const group = a.int('group', 1), offsetGroup = a.int('offset_group', 1);
  if (group < 1) fail('MLC2003', `attribute "group" must be >= 1, got ${group}`);
  if (offsetGroup < 1) fail('MLC2003', `attribute "offset_group" must be >= 1, got ${offsetGroup}`);
  return {
    dilations: positiveInts(a, 'dilations'), group, kernelShape: positiveInts(a, 'kernel_shape'),
    offsetGroup, pads: nonNegativeInts(a, 'pads'), strides: positiveInts(a, 'strides'),
  };
}

function deformConvShape([x, w, offset]: Shapes): Shapes {
  if (!x || !w || !offset) return [null];
  return [[x[0], w[0], ...offset.slice(2)]];
}

// ---------------------------------------------------------------------------

export const OPS: readonly AnyOpDef[] = [
  // GridSample-16: 4-D, bilinear/nearest/bicubic. GridSample-20: N-D, linear/nearest/cubic.
  { op: 'GridSample', since: 16, kernel: kg('gridSample'), constraints: { T1: ALL_TYPES, T2: FLOATS }, inputs: ['T1', 'T2'], outputs: ['T1'],
    attrs: gridSampleAttrs, shapes: gridSampleShape },
  { op: 'AffineGrid', since: 20, kernel: kg('affineGrid'), constraints: { T1: FLOATS }, inputs: ['T1', 'int64'], outputs: ['T1'],
    attrs: (a) => ({ alignCorners: a.flag('align_corners') }), shapes: affineGridShape },
  // NonMaxSuppression-11 only refined shape inference.
  { op: 'NonMaxSuppression', since: 10, kernel: kt('nonMaxSuppression'),
    inputs: ['float32', 'float32', 'int64', 'float32', 'float32'], outputs: ['int64'], minInputs: 2, maxInputs: 5,
    attrs: (a) => {
      const c = a.int('center_point_box', 0);
      if (c !== 0 && c !== 1) fail('MLC2003', `attribute "center_point_box" must be 0 or 1, got ${c}`);
      return { centerPointBox: c === 1 };
    },
    shapes: () => [[null, 3]] },
  // RoiAlign-16 added coordinate_transformation_mode (default half_pixel).
  { op: 'RoiAlign', since: 10, kernel: kt('roiAlign'), constraints: { T1: FLOATS }, inputs: ['T1', 'T1', 'int64'], outputs: ['T1'],
    attrs: roiAlignAttrs, shapes: roiAlignShape },
  { op: 'Col2Im', since: 18, kernel: kv('col2Im'), constraints: { T: NUMERIC_TYPES }, inputs: ['T', 'int64', 'int64'], outputs: ['T'],
    attrs: col2ImAttrs, shapes: col2ImShape },
  { op: 'CenterCropPad', since: 18, kernel: kv('centerCropPad'), constraints: { T: ALL_TYPES, Tind: INDEX_TYPES }, inputs: ['T', 'Tind'], outputs: ['T'],
    attrs: (a) => ({ axes: a.ints('axes', []) }), shapes: centerCropPadShape },
  { op: 'DeformConv', since: 19, kernel: kd('deformConv'), constraints: { T: FLOATS }, inputs: ['T', 'T', 'T', 'T', 'T'], outputs: ['T'],
    minInputs: 3, maxInputs: 5, attrs: deformConvAttrs, shapes: deformConvShape },
];
