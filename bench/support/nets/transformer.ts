// A transformer encoder as torch.onnx exports nn.TransformerEncoder (post-norm,
// ReLU feed-forward): per layer, Q/K/V projections as MatMul + Add, heads split with
// Reshape/Transpose, scaled MatMul → Softmax → MatMul attention, the output
// projection, residual Add + LayerNormalization, then the feed-forward block with its
// own residual and LayerNormalization. Input [1, seq, d].

import { NetBuilder, type BuiltNet } from './net-builder.js';

export interface TransformerOptions {
  readonly layers?: number;
  readonly d?: number;
  readonly heads?: number;
  readonly ff?: number;
  readonly seq?: number;
  readonly seed?: number;
}

export function buildTransformer(opts: TransformerOptions = {}): BuiltNet {
  const layers = opts.layers ?? 2, d = opts.d ?? 128, heads = opts.heads ?? 4, ff = opts.ff ?? 4 * d, seq = opts.seq ?? 64;
  if (d % heads !== 0) throw new Error(`d = ${d} is not a multiple of heads = ${heads}`);
  const dh = d / heads;
  const b = new NetBuilder(opts.seed ?? 5);
  const splitShape = b.int64s('split_heads_shape', [1, seq, heads, dh]);
  const mergeShape = b.int64s('merge_heads_shape', [1, seq, d]);
  const scale = b.scalar('attention_scale', 1 / Math.sqrt(dh));
  const layerNorm = (x: string, name: string): string => {
    const gamma = b.uniform(`${name}.weight`, [d], 0.1, 1);
    const beta = b.uniform(`${name}.bias`, [d], 0.1);
    return b.op1('LayerNormalization', [x, gamma, beta], { axis: -1, epsilon: { float: 1e-5 } });
  };
  let x = 'input';
  for (let l = 0; l < layers; l++) {
    const heads4 = (t: string, perm: number[]): string => b.op1('Transpose', [b.op1('Reshape', [t, splitShape])], { perm });
    const q = heads4(b.matmulAdd(x, d, d), [0, 2, 1, 3]);
    const k = heads4(b.matmulAdd(x, d, d), [0, 2, 3, 1]);
    const v = heads4(b.matmulAdd(x, d, d), [0, 2, 1, 3]);
    const scores = b.op1('Mul', [b.op1('MatMul', [q, k]), scale]);
    const attn = b.op1('MatMul', [b.op1('Softmax', [scores], { axis: -1 }), v]);
    const merged = b.op1('Reshape', [b.op1('Transpose', [attn], { perm: [0, 2, 1, 3] }), mergeShape]);
    x = layerNorm(b.op1('Add', [x, b.matmulAdd(merged, d, d)]), `l${l}.norm1`);
    const hiddenAct = b.relu(b.matmulAdd(x, d, ff));
    x = layerNorm(b.op1('Add', [x, b.matmulAdd(hiddenAct, ff, d)]), `l${l}.norm2`);
  }
  return b.build('transformer_encoder', 'input', [1, seq, d], x);
}
