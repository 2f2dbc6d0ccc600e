// Normalisation ops. Versions that matter:
//  - BatchNormalization: 1-6 is_test/spatial, 7-8 spatial (training = more than
//    one output), 9-13 no spatial, 14+ training_mode with running statistics.
//  - GroupNormalization: scale/bias per group at 18, per channel from 21.
//  - MeanVarianceNormalization: across_channels/normalize_variance at 1, axes from 9.

import * as norm from '../../../../runtime/tensor/norm.js';
import { FLOAT_TYPES, type DType } from '../../../../runtime/tensor/tensor.js';
import { fail } from '../../../diagnostics/diagnostic.js';
import { tensorType, type Dim, type IrType } from '../../../ir/types.js';
import type { AttrReader } from '../attrs.js';
import { dtypeOf } from '../dtypes.js';
import { kernelsOf, type AnyOpDef, type AttrContext, type OpDef } from './types.js';

const k = kernelsOf('tensor/norm', norm);
const FLOATS = FLOAT_TYPES;

type Shapes = readonly (readonly Dim[] | null)[];
const sameShape = ([x]: Shapes): Shapes => [x];

/** stash_type: the element type statistics are computed and reported in. */
function stashType(a: AttrReader): DType {
  const code = a.int('stash_type', 1);
  const t = dtypeOf(code);
  if (t === undefined || !FLOATS.includes(t)) fail('MLC3005', `stash_type ${code} is not supported (float32, float64 or float16 are)`);
  return t;
}

// ---------------------------------------------------------------------------
// LayerNormalization (17) and RMSNormalization (23)

const layerNorm: OpDef<norm.LayerNormAttrs> = {
  op: 'LayerNormalization', since: 17, kernel: k('layerNormalization'),
  constraints: { T: FLOATS }, inputs: ['T', 'T', 'T'], minInputs: 2, outputs: ['T'],
  attrs: (a, ctx) => ({ axis: a.int('axis', -1), epsilon: a.float('epsilon', 1e-5), statsType: stashType(a), outputs: ctx.outputCount }),
  // Mean and InvStdDev have the stash type (U), not X's.
  outputTypes: (ctx: AttrContext, attrs): IrType[] => {
    const x = ctx.inputTypes[0];
    const t: IrType = x !== undefined && x.kind === 'tensor' ? tensorType(x.dtype, null) : { kind: 'unknown' };
    return [t, tensorType(attrs.statsType, null), tensorType(attrs.statsType, null)];
  },
  shapes: ([x], attrs) => {
    if (x === null) return [null, null, null];
    const axis = attrs.axis < 0 ? attrs.axis + x.length : attrs.axis;
    const stats = x.map((d, i) => (i < axis ? d : 1));
    return [x, stats, stats];
  },
};

/**
 * AddLayerNormalization (domain `mlcompile`, what src/passes/fuse-layernorm.ts builds):
 * LayerNormalization(A + B, Scale, B_bias), A and B of one shape; Y only (the fused
 * Add's sum is not an output). Attributes as LayerNormalization's.
 */
const addLayerNorm: OpDef<norm.LayerNormAttrs> = {
  op: 'AddLayerNormalization', domain: 'mlcompile', since: 1, kernel: k('addLayerNormalization'),
  constraints: { T: FLOATS }, inputs: ['T', 'T', 'T', 'T'], minInputs: 3, outputs: ['T'],
  attrs: (a) => ({ axis: a.int('axis', -1), epsilon: a.float('epsilon', 1e-5), statsType: stashType(a), outputs: 1 }),
  shapes: sameShape,
};

const rmsNorm: OpDef<norm.RmsNormAttrs> = {
  op: 'RMSNormalization', since: 23, kernel: k('rmsNormalization'),
  constraints: { T: FLOATS, V: FLOATS }, inputs: ['T', 'V'], outputs: ['V'],
  attrs: (a) => {
    stashType(a); // validated; statistics are computed in float64 regardless
    return { axis: a.int('axis', -1), epsilon: a.float('epsilon', 1e-5) };
  },
  shapes: sameShape,
};

// ---------------------------------------------------------------------------
// BatchNormalization

function bnAttrs(a: AttrReader, training: boolean, legacyOutputs: boolean, outputs: number, spatial: boolean): norm.BatchNormAttrs {
  if (training && !spatial) fail('MLC3005', 'BatchNormalization in training mode with spatial = 0 is not supported');
  return { epsilon: a.float('epsilon', 1e-5), momentum: a.float('momentum', 0.9), training, legacyOutputs, outputs };
}

const bnBase = { op: 'BatchNormalization', aliasesInputs: true, kernel: k('batchNormalization'), shapes: sameShape };
const legacyBn = { ...bnBase, constraints: { T: FLOATS }, inputs: ['T', 'T', 'T', 'T', 'T'], outputs: ['T'] };

const batchNorm: OpDef<norm.BatchNormAttrs>[] = [
  {
    ...legacyBn, since: 1, until: 6,
    attrs: (a, ctx) => bnAttrs(a, a.int('is_test', 0) === 0, true, ctx.outputCount, a.int('spatial', 1) !== 0),
  },
  {
    ...legacyBn, since: 7, until: 8,
    attrs: (a, ctx) => bnAttrs(a, ctx.outputCount > 1, true, ctx.outputCount, a.int('spatial', 1) !== 0),
  },
  { ...legacyBn, since: 9, until: 13, attrs: (a, ctx) => bnAttrs(a, ctx.outputCount > 1, true, ctx.outputCount, true) },
  {
    ...bnBase, since: 14,
    // Opset 15 lets scale/bias (T1) and the statistics (T2) differ from X (T).
    constraints: { T: FLOATS, T1: FLOATS, T2: FLOATS }, inputs: ['T', 'T1', 'T1', 'T2', 'T2'], outputs: ['T', 'T2', 'T2'],
    attrs: (a, ctx) => bnAttrs(a, a.int('training_mode', 0) !== 0, false, ctx.outputCount, true),
  },
];

// ---------------------------------------------------------------------------
// InstanceNormalization, GroupNormalization

const instanceNorm: OpDef<norm.InstanceNormAttrs> = {
  op: 'InstanceNormalization', since: 1, kernel: k('instanceNormalization'),
  constraints: { T: FLOATS }, inputs: ['T', 'T', 'T'], outputs: ['T'],
  attrs: (a) => ({ epsilon: a.float('epsilon', 1e-5) }),
  shapes: sameShape,
};

function groupNormAttrs(a: AttrReader, perChannel: boolean): norm.GroupNormAttrs {
  const numGroups = a.int('num_groups');
  if (numGroups <= 0) fail('MLC2003', `attribute "num_groups" must be positive, got ${numGroups}`);
  if (perChannel) stashType(a);
  return { numGroups, epsilon: a.float('epsilon', 1e-5), perChannel };
}

const groupNormBase = {
  op: 'GroupNormalization', kernel: k('groupNormalization'),
  constraints: { T: FLOATS }, inputs: ['T', 'T', 'T'], outputs: ['T'], shapes: sameShape,
};

const groupNorm: OpDef<norm.GroupNormAttrs>[] = [
  { ...groupNormBase, since: 18, until: 20, attrs: (a) => groupNormAttrs(a, false) },
  { ...groupNormBase, since: 21, attrs: (a) => groupNormAttrs(a, true) },
];

// ---------------------------------------------------------------------------
// LpNormalization, MeanVarianceNormalization, LRN

const lpNorm: OpDef<norm.LpNormAttrs> = {
  op: 'LpNormalization', since: 1, kernel: k('lpNormalization'),
  constraints: { T: FLOATS }, inputs: ['T'], outputs: ['T'],
  attrs: (a) => {
    const p = a.int('p', 2);
    if (p !== 1 && p !== 2) fail('MLC2003', `attribute "p" must be 1 or 2, got ${p}`);
    return { axis: a.int('axis', -1), p };
  },
  shapes: sameShape,
};

const mvnBase = { op: 'MeanVarianceNormalization', kernel: k('meanVarianceNormalization'), constraints: { T: FLOATS }, inputs: ['T'], outputs: ['T'], shapes: sameShape };

const mvn: OpDef<norm.MvnAttrs>[] = [
  {
    ...mvnBase, since: 1, until: 8,
    attrs: (a) => ({
      axes: [],
      fromAxis: a.int('across_channels', 0) !== 0 ? 1 : 2,
      normalizeVariance: a.int('normalize_variance', 1) !== 0,
    }),
  },
  { ...mvnBase, since: 9, attrs: (a) => ({ axes: a.ints('axes', [0, 2, 3]), fromAxis: null, normalizeVariance: true }) },
];

const lrn: OpDef<norm.LrnAttrs> = {
  op: 'LRN', since: 1, kernel: k('lrn'),
  constraints: { T: FLOATS }, inputs: ['T'], outputs: ['T'],
  attrs: (a) => {
    const size = a.int('size');
    if (size <= 0) fail('MLC2003', `attribute "size" must be positive, got ${size}`);
    return { alpha: a.float('alpha', 1e-4), beta: a.float('beta', 0.75), bias: a.float('bias', 1), size };
  },
  shapes: sameShape,
};

export const OPS: readonly AnyOpDef[] = [
  layerNorm, addLayerNorm, rmsNorm, ...batchNorm, instanceNorm, ...groupNorm, lpNorm, ...mvn, lrn,
];
