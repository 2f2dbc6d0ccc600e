// Signal processing ops: DFT, STFT, HannWindow, HammingWindow, BlackmanWindow and
// MelWeightMatrix (all introduced in opset 17). Kernels: runtime/tensor/signal.ts.
//
// DFT-20 moved `axis` from an attribute (default 1) to an optional input
// (default -2); the later versions of the others only add bfloat16.

import * as signal from '../../../../runtime/tensor/signal.js';
import type { DftAttrs, WindowAttrs } from '../../../../runtime/tensor/signal.js';
import { FLOAT_TYPES, type DType, type Tensor } from '../../../../runtime/tensor/tensor.js';
import { fail } from '../../../diagnostics/diagnostic.js';
import { tensorType, type Dim } from '../../../ir/types.js';
import type { AttrReader } from '../attrs.js';
import { dtypeOf, ONNX_TYPE_NAMES, typeName } from '../dtypes.js';
import { kernelsOf, type AnyOpDef, type AttrContext } from './types.js';

const k = kernelsOf('tensor/signal', signal);

const INDEX: readonly DType[] = ['int32', 'int64'];

type Shapes = readonly (readonly Dim[] | null)[];

export const OPS: readonly AnyOpDef[] = [
  {
    op: 'DFT', since: 17, until: 19, kernel: k('dft'), constraints: { T1: FLOAT_TYPES, T2: INDEX }, inputs: ['T1', 'T2'], outputs: ['T1'],
    minInputs: 1, maxInputs: 2,
    attrs: (a): DftAttrs => ({ axis: a.int('axis', 1), axisInput: false, ...dftFlags(a) }),
    shapes: dftShapes,
  },
  {
    op: 'DFT', since: 20, kernel: k('dft'), constraints: { T1: FLOAT_TYPES, T2: INDEX }, inputs: ['T1', 'T2', 'int64'], outputs: ['T1'],
    minInputs: 1, maxInputs: 3,
    attrs: (a): DftAttrs => ({ axis: -2, axisInput: true, ...dftFlags(a) }),
    shapes: dftShapes,
  },
  {
    op: 'STFT', since: 17, kernel: k('stft'), constraints: { T1: FLOAT_TYPES, T2: INDEX }, inputs: ['T1', 'T2', 'T1', 'T2'], outputs: ['T1'],
    minInputs: 2, maxInputs: 4,
    attrs: (a) => ({ onesided: a.flag('onesided', 1) }),
    shapes: stftShapes,
  },
  windowEntry('HannWindow', 'hannWindow'),
  windowEntry('HammingWindow', 'hammingWindow'),
  windowEntry('BlackmanWindow', 'blackmanWindow'),
  {
    op: 'MelWeightMatrix', since: 17, kernel: k('melWeightMatrix'), constraints: { T1: INDEX, T2: FLOAT_TYPES },
    inputs: ['T1', 'T1', 'T1', 'T2', 'T2'], outputs: ['*'],
    attrs: (a) => ({ type: outputDatatype(a) }),
    outputTypes: (_ctx, attrs: { type: DType }) => [tensorType(attrs.type, null)],
    shapes: (_s, _attrs, ctx) => {
      const mels = constScalar(ctx, 0), len = constScalar(ctx, 1);
      return [[len === null ? null : Math.floor(len / 2) + 1, mels]];
    },
  },
];

function windowEntry(op: string, kernel: string): AnyOpDef {
  return {
    op, since: 17, kernel: k(kernel), constraints: { T1: INDEX }, inputs: ['T1'], outputs: ['*'],
    attrs: (a): WindowAttrs => ({ periodic: a.flag('periodic', 1), type: outputDatatype(a) }),
    outputTypes: (_ctx, attrs: WindowAttrs) => [tensorType(attrs.type, null)],
    shapes: (_s, _attrs, ctx) => [[constScalar(ctx, 0)]],
  };
}

function dftFlags(a: AttrReader): { inverse: boolean; onesided: boolean } {
  return { inverse: a.flag('inverse', 0), onesided: a.flag('onesided', 0) };
}


/** output_datatype (default float32): any numeric element type the runtime holds. */
function outputDatatype(a: AttrReader): DType {
  const code = a.int('output_datatype', 1);
  if (ONNX_TYPE_NAMES[code] === undefined) fail('MLC2003', `attribute "output_datatype" is not a known data type code: ${code}`);
  const t = dtypeOf(code);
  if (t === 'bool' || t === 'string') fail('MLC2003', `attribute "output_datatype" must be a numeric type, got ${typeName(code)}`);
  if (t === undefined) return fail('MLC3005', `output_datatype ${typeName(code)} is not supported`);
  return t;
}

/** The value of a compile-time constant scalar input, or null. */
function constScalar(ctx: AttrContext, i: number): number | null {
  const t: Tensor | undefined = ctx.constInputs[i];
  return t !== undefined && t.data.length === 1 ? Number(t.data[0]) : null;
}

function dftShapes([x]: Shapes, attrs: DftAttrs, ctx: AttrContext): Shapes {
  if (x === null || x.length < 2) return [null];
  const rank = x.length;
  const axisIn = attrs.axisInput && ctx.inputTypes[2] !== undefined ? constScalar(ctx, 2) : attrs.axis;
  const irfft = attrs.inverse && attrs.onesided;
  const out: Dim[] = x.slice();
  out[rank - 1] = irfft ? 1 : 2;
  if (axisIn === null) return [out.map((d, i) => (i === rank - 1 ? d : null))];
  const axis = axisIn < 0 ? axisIn + rank : axisIn;
  if (axis < 0 || axis > rank - 2) return [null];
  const nIn = x[axis];
  const given = ctx.inputTypes[1] !== undefined ? constScalar(ctx, 1) : undefined;
  let n: Dim;
  if (given === undefined) n = typeof nIn === 'number' ? (irfft ? 2 * (nIn - 1) : nIn) : null;
  else n = given;
  out[axis] = typeof n === 'number' && attrs.onesided && !attrs.inverse ? Math.floor(n / 2) + 1 : n;
  return [out];
}

function stftShapes([x, , w]: Shapes, attrs: { onesided: boolean }, ctx: AttrContext): Shapes {
  if (x === null || x.length !== 3) return [null];
  // The DFT length: frame_length, else the window's length, else the whole signal.
  let n: Dim;
  if (ctx.inputTypes[3] !== undefined) n = constScalar(ctx, 3);
  else if (ctx.inputTypes[2] !== undefined) n = w?.[0] ?? null;
  else n = x[1];
  const step = constScalar(ctx, 1);
  const len = x[1];
  const frames = typeof n === 'number' && typeof len === 'number' && step !== null && step > 0
    ? (len >= n ? 1 + Math.floor((len - n) / step) : 0) : null;
  const bins = typeof n === 'number' ? (attrs.onesided ? Math.floor(n / 2) + 1 : n) : null;
  return [[x[0], frames, bins, 2]];
}
