// Convolutions: Conv, ConvTranspose, ConvInteger, and mlcompile's own FusedConv
// (what src/passes/fuse-conv.ts turns Conv + bias + residual Add + activation into).
// Kernels: runtime/tensor/conv.ts.

import * as conv from '../../../../runtime/tensor/conv.js';
import { FUSED_ACTIVATIONS, type FusedActivation } from '../../../../runtime/wasm/epilogue.js';
import { FLOAT_TYPES, type DType } from '../../../../runtime/tensor/tensor.js';
import { fail } from '../../../diagnostics/diagnostic.js';
import type { Dim } from '../../../ir/types.js';
import type { AttrReader } from '../attrs.js';
import { kernelsOf, type AnyOpDef } from './types.js';

const k = kernelsOf('tensor/conv', conv);
const INT8S: readonly DType[] = ['int8', 'uint8'];
const AUTO_PADS = ['NOTSET', 'SAME_UPPER', 'SAME_LOWER', 'VALID'] as const;

function positive(name: string, v: number[]): number[] {
  if (v.some((x) => x < 1)) fail('MLC2003', `attribute "${name}" must hold positive values, got [${v.join(',')}]`);
  return v;
}

function convAttrs(a: AttrReader): conv.ConvAttrs {
  const autoPad = a.string('auto_pad', 'NOTSET');
  if (!(AUTO_PADS as readonly string[]).includes(autoPad)) fail('MLC2003', `attribute "auto_pad" must be one of ${AUTO_PADS.join(', ')}, got ${JSON.stringify(autoPad)}`);
  const pads = a.ints('pads', []);
  if (pads.some((p) => p < 0)) fail('MLC3005', `negative pads [${pads.join(',')}] are not supported`);
  const group = a.int('group', 1);
  if (group < 1) fail('MLC2003', `attribute "group" must be >= 1, got ${group}`);
  return {
    autoPad: autoPad as conv.ConvAttrs['autoPad'],
    dilations: positive('dilations', a.ints('dilations', [])),
    group,
    kernelShape: positive('kernel_shape', a.ints('kernel_shape', [])),
    pads,
    strides: positive('strides', a.ints('strides', [])),
  };
}

function convTransposeAttrs(a: AttrReader): conv.ConvTransposeAttrs {
  return { ...convAttrs(a), outputPadding: a.ints('output_padding', []), outputShape: a.ints('output_shape', []) };
}

/** How many activation_params each fused activation takes. */
const ACTIVATION_PARAMS: Readonly<Record<FusedActivation, number>> = {
  none: 0, relu: 0, leakyRelu: 1, clip: 2, sigmoid: 0, hardSigmoid: 2, hardSwish: 0,
};

/**
 * FusedConv (domain `mlcompile`): Conv's attributes plus `activation` (one of
 * FUSED_ACTIVATIONS, default none) and `activation_params` (leakyRelu: alpha; clip:
 * min, max; hardSigmoid: alpha, beta), as onnxruntime's com.microsoft FusedConv.
 */
function fusedConvAttrs(a: AttrReader): conv.FusedConvAttrs {
  // Nodes from a model file make no promise that W stays the same between calls.
  return { ...convAttrs(a), ...fusedActivationAttrs(a), constantWeights: false };
}

/** `activation` and `activation_params` of FusedConv and FusedGemm, checked. */
export function fusedActivationAttrs(a: AttrReader): { activation: FusedActivation; activationParams: number[] } {
  const activation = a.string('activation', 'none');
  if (!(FUSED_ACTIVATIONS as readonly string[]).includes(activation)) {
    fail('MLC2003', `attribute "activation" must be one of ${FUSED_ACTIVATIONS.join(', ')}, got ${JSON.stringify(activation)}`);
  }
  const act = activation as FusedActivation;
  const activationParams = a.floats('activation_params', []);
  if (activationParams.length !== ACTIVATION_PARAMS[act]) {
    fail('MLC2003', `attribute "activation_params" must hold ${ACTIVATION_PARAMS[act]} values for activation ${act}, got ${activationParams.length}`);
  }
  return { activation: act, activationParams };
}

/** Static output shape of Conv when every needed dim is known. */
function convShape([x, w]: readonly (readonly Dim[] | null)[], at: conv.ConvAttrs): readonly (readonly Dim[] | null)[] {
  if (!x || !w || x.length < 3 || w.length !== x.length) return [null];
  const nd = x.length - 2;
  const out: Dim[] = [x[0], w[0]];
  for (let i = 0; i < nd; i++) {
    const inD = x[i + 2], kD = at.kernelShape[i] ?? w[i + 2];
    const s = at.strides[i] ?? 1, d = at.dilations[i] ?? 1;
    if (typeof inD !== 'number' || typeof kD !== 'number') { out.push(null); continue; }
    if (at.autoPad === 'SAME_UPPER' || at.autoPad === 'SAME_LOWER') out.push(Math.ceil(inD / s));
    else {
      const pb = at.autoPad === 'VALID' ? 0 : at.pads[i] ?? 0, pe = at.autoPad === 'VALID' ? 0 : at.pads[i + nd] ?? 0;
      out.push(Math.floor((inD + pb + pe - ((kD - 1) * d + 1)) / s) + 1);
    }
  }
  return [out];
}

export const OPS: readonly AnyOpDef[] = [
  { op: 'Conv', since: 1, kernel: k('conv'), constraints: { T: FLOAT_TYPES }, inputs: ['T', 'T', 'T'], outputs: ['T'], minInputs: 2,
    attrs: convAttrs, shapes: convShape },
  { op: 'FusedConv', domain: 'mlcompile', since: 1, kernel: k('fusedConv'), constraints: { T: FLOAT_TYPES }, inputs: ['T', 'T', 'T', 'T'],
    outputs: ['T'], minInputs: 2, attrs: fusedConvAttrs, shapes: convShape },
  { op: 'ConvTranspose', since: 1, kernel: k('convTranspose'), constraints: { T: FLOAT_TYPES }, inputs: ['T', 'T', 'T'], outputs: ['T'],
    minInputs: 2, attrs: convTransposeAttrs },
  { op: 'ConvInteger', since: 10, kernel: k('convInteger'), constraints: { T1: INT8S, T2: INT8S }, inputs: ['T1', 'T2', 'T1', 'T2'],
    outputs: ['int32'], minInputs: 2, attrs: convAttrs, shapes: convShape },
];
