// Linear algebra and attention: MatMul, Gemm, MatMulInteger, Einsum, Det,
// Attention, RotaryEmbedding. Kernels live in runtime/tensor/{gemm,einsum,attention}.ts.

import * as attention from '../../../../runtime/tensor/attention.js';
import * as einsum from '../../../../runtime/tensor/einsum.js';
import * as fusedMatmul from '../../../../runtime/tensor/fused-matmul.js';
import * as gemm from '../../../../runtime/tensor/gemm.js';
import { FLOAT_TYPES, NUMERIC_TYPES, type DType } from '../../../../runtime/tensor/tensor.js';
import { fail } from '../../../diagnostics/diagnostic.js';
import type { Dim } from '../../../ir/types.js';
import type { AttrReader } from '../attrs.js';
import { fusedActivationAttrs } from './conv.js';
import { kernelsOf, type AnyOpDef, type AttrContext } from './types.js';

const kg = kernelsOf('tensor/gemm', gemm);
const ke = kernelsOf('tensor/einsum', einsum);
const ka = kernelsOf('tensor/attention', attention);
const kf = kernelsOf('tensor/fused-matmul', fusedMatmul);

const FLOATS = FLOAT_TYPES;
/** MatMul-9 / Gemm-9 and later: floats plus 32/64-bit integers. */
const FLOATS_AND_WIDE_INTS: readonly DType[] = [...FLOAT_TYPES, 'int32', 'int64', 'uint32', 'uint64'];
const INT8S: readonly DType[] = ['int8', 'uint8'];

/** numpy matmul shape rule on static shapes (unknown when any needed dim is unknown). */
function matmulShape(a: readonly Dim[] | null, b: readonly Dim[] | null): readonly Dim[] | null {
  if (a === null || b === null || a.length === 0 || b.length === 0) return null;
  const aa = a.length === 1 ? [1, a[0]] : a;
  const bb = b.length === 1 ? [b[0], 1] : b;
  const aBatch = aa.slice(0, -2), bBatch = bb.slice(0, -2);
  const r = Math.max(aBatch.length, bBatch.length);
  const batch: Dim[] = [];
  for (let i = 0; i < r; i++) {
    const x = aBatch[i - (r - aBatch.length)] ?? 1, y = bBatch[i - (r - bBatch.length)] ?? 1;
    batch.push(x === 1 ? y : y === 1 ? x : x === y ? x : null);
  }
  const out = [...batch];
  if (a.length > 1) out.push(aa[aa.length - 2]);
  if (b.length > 1) out.push(bb[bb.length - 1]);
  return out;
}

function gemmAttrs(a: AttrReader, ctx: AttrContext): gemm.GemmAttrs {
  const broadcast = ctx.opset < 7 ? a.int('broadcast', 0) : 1;
  return {
    alpha: a.float('alpha', 1),
    beta: a.float('beta', 1),
    transA: a.int('transA', 0) !== 0,
    transB: a.int('transB', 0) !== 0,
    strictC: broadcast === 0,
  };
}

function gemmShape([a, b]: readonly (readonly Dim[] | null)[], at: gemm.GemmAttrs): readonly (readonly Dim[] | null)[] {
  if (!a || !b || a.length !== 2 || b.length !== 2) return [null];
  return [[at.transA ? a[1] : a[0], at.transB ? b[0] : b[1]]];
}

/**
 * FusedGemm (domain `mlcompile`, what src/passes/fuse-gemm.ts builds): Gemm's
 * attributes plus `activation` and `activation_params` as FusedConv's.
 */
function fusedGemmAttrs(a: AttrReader, ctx: AttrContext): gemm.FusedGemmAttrs {
  const act = fusedActivationAttrs(a);
  return { ...gemmAttrs(a, ctx), activation: act.activation, activationParams: act.activationParams };
}

/**
 * FusedMatMul (domain `mlcompile`, what src/passes/fuse-matmul.ts builds):
 * Y = transpose(act(alpha · (transpose(A, perm_a) @ transpose(B, perm_b)) + bias), perm_y),
 * bias optional and broadcast along the last axis; `alpha` (default 1), the perms
 * optional (perm_y keeps the last axis last), `activation` and `activation_params` as FusedConv's.
 */
function fusedMatMulAttrs(a: AttrReader): fusedMatmul.FusedMatMulAttrs {
  const perm = (name: string): number[] | null => (a.has(name) ? a.ints(name) : null);
  return { alpha: a.float('alpha', 1), ...fusedActivationAttrs(a), permA: perm('perm_a'), permB: perm('perm_b'), permY: perm('perm_y') };
}

function fusedMatMulShape([a, b]: readonly (readonly Dim[] | null)[], at: fusedMatmul.FusedMatMulAttrs): readonly (readonly Dim[] | null)[] {
  const permute = (d: readonly Dim[] | null, perm: readonly number[] | null | undefined): readonly Dim[] | null =>
    d === null || perm === null || perm === undefined ? d : perm.length === d.length ? perm.map((k) => d[k] ?? null) : null;
  return [permute(matmulShape(permute(a, at.permA), permute(b, at.permB)), at.permY)];
}

const gemmEntry = (since: number, until: number | undefined, types: readonly DType[], optionalC: boolean): AnyOpDef => ({
  op: 'Gemm', since, until, kernel: kg('gemmOp'), constraints: { T: types }, inputs: ['T', 'T', 'T'], outputs: ['T'],
  minInputs: optionalC ? 2 : 3, attrs: gemmAttrs, shapes: gemmShape,
});

function attentionAttrs(a: AttrReader, ctx: AttrContext): attention.AttentionAttrs {
  const mode = a.int('qk_matmul_output_mode', 0);
  if (mode < 0 || mode > 3) fail('MLC2003', `attribute "qk_matmul_output_mode" must be 0, 1, 2 or 3, got ${mode}`);
  const q = ctx.inputTypes[0];
  const rank3 = q?.kind === 'tensor' && q.shape?.length === 3;
  const qHeads = a.int('q_num_heads', 0), kvHeads = a.int('kv_num_heads', 0);
  if (rank3 && (qHeads <= 0 || kvHeads <= 0)) fail('MLC2003', 'attributes "q_num_heads" and "kv_num_heads" are required for 3-D inputs');
  if (a.has('softmax_precision')) {
    const p = a.int('softmax_precision');
    // TensorProto codes: FLOAT=1, FLOAT16=10, DOUBLE=11, BFLOAT16=16. Softmax is computed in
    // at least float32 anyway, which covers every allowed precision but double.
    if (![1, 10, 11, 16].includes(p)) fail('MLC2003', `attribute "softmax_precision" must be a floating-point type, got ${p}`);
  }
  return {
    isCausal: a.int('is_causal', 0) !== 0,
    qNumHeads: qHeads,
    kvNumHeads: kvHeads,
    qkMatmulOutputMode: mode,
    scale: a.has('scale') ? a.float('scale') : null,
    softcap: a.float('softcap', 0),
    qkOutput: ctx.outputCount >= 4,
  };
}

const attentionEntry = (since: number, until: number | undefined, maxInputs: number): AnyOpDef => ({
  op: 'Attention', since, until, kernel: ka('attention'),
  constraints: { T1: FLOATS, T2: FLOATS, U: [...NUMERIC_TYPES, 'bool'] },
  inputs: ['T1', 'T1', 'T2', 'U', 'T1', 'T2', 'int64'], outputs: ['T1', 'T1', 'T2', 'T1'],
  minInputs: 3, maxInputs, attrs: attentionAttrs,
});

function einsumAttrs(a: AttrReader, ctx: AttrContext): { equation: einsum.EinsumEquation } {
  const text = a.string('equation');
  try {
    return { equation: einsum.parseEinsum(text, ctx.inputTypes.length) };
  } catch (e) {
    return fail('MLC2003', `attribute "equation": ${(e as Error).message}`);
  }
}

export const OPS: readonly AnyOpDef[] = [
  { op: 'MatMul', since: 1, until: 8, kernel: kg('matmul'), constraints: { T: FLOATS }, inputs: ['T', 'T'], outputs: ['T'],
    shapes: ([a, b]) => [matmulShape(a, b)] },
  { op: 'MatMul', since: 9, kernel: kg('matmul'), constraints: { T: FLOATS_AND_WIDE_INTS }, inputs: ['T', 'T'], outputs: ['T'],
    shapes: ([a, b]) => [matmulShape(a, b)] },
  gemmEntry(1, 8, FLOATS, false),
  gemmEntry(9, 10, FLOATS_AND_WIDE_INTS, false),
  gemmEntry(11, undefined, FLOATS_AND_WIDE_INTS, true),
  { op: 'FusedGemm', domain: 'mlcompile', since: 1, kernel: kg('fusedGemm'), constraints: { T: FLOATS }, inputs: ['T', 'T', 'T'], outputs: ['T'],
    minInputs: 2, attrs: fusedGemmAttrs, shapes: gemmShape },
  { op: 'FusedMatMul', domain: 'mlcompile', since: 1, kernel: kf('fusedMatMul'), constraints: { T: FLOATS }, inputs: ['T', 'T', 'T'], outputs: ['T'],
    minInputs: 2, attrs: fusedMatMulAttrs, shapes: fusedMatMulShape },
  { op: 'MatMulInteger', since: 10, kernel: kg('matmulInteger'), constraints: { T1: INT8S, T2: INT8S }, inputs: ['T1', 'T2', 'T1', 'T2'],
    outputs: ['int32'], minInputs: 2, shapes: ([a, b]) => [matmulShape(a, b)] },
  { op: 'Det', since: 11, kernel: kg('det'), constraints: { T: FLOATS }, inputs: ['T'], outputs: ['T'],
    shapes: ([x]) => [x && x.length >= 2 ? x.slice(0, -2) : null] },
  { op: 'Einsum', since: 12, kernel: ke('einsum'), constraints: { T: NUMERIC_TYPES }, inputs: ['T'], outputs: ['T'], minInputs: 1, maxInputs: Infinity,
    attrs: einsumAttrs },
  attentionEntry(23, 23, 6),
  attentionEntry(24, undefined, 7),
  { op: 'RotaryEmbedding', since: 23, kernel: ka('rotaryEmbedding'), constraints: { T: FLOATS, M: ['int64'] },
    inputs: ['T', 'T', 'T', 'M'], outputs: ['T'], minInputs: 3,
    attrs: (a) => ({
      interleaved: a.int('interleaved', 0) !== 0,
      rotaryEmbeddingDim: a.int('rotary_embedding_dim', 0),
      numHeads: a.int('num_heads', 0),
    }),
    shapes: ([x]) => [x] },
];
