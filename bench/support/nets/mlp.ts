// A multilayer perceptron as torch.onnx exports nn.Sequential(Linear, ReLU, ...):
// Gemm (transB = 1) + Relu per hidden layer, batch dim symbolic.

import { NetBuilder, type BuiltNet } from './net-builder.js';

export interface MlpOptions {
  /** Layer widths, input first, output last (default 784 → 512 → 256 → 10). */
  readonly widths?: readonly number[];
  readonly seed?: number;
}

export function buildMlp(opts: MlpOptions = {}): BuiltNet {
  const widths = opts.widths ?? [784, 512, 256, 10];
  const b = new NetBuilder(opts.seed ?? 1);
  let x = 'input';
  for (let i = 1; i < widths.length; i++) {
    x = b.linear(x, widths[i - 1], widths[i]);
    if (i < widths.length - 1) x = b.relu(x);
  }
  return b.build('mlp', 'input', ['N', widths[0]], x);
}
