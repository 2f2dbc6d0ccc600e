// LeNet-5 on 1×28×28 as in the PyTorch tutorials (LeCun et al. 1998 with ReLU and
// max pooling): conv 5×5 (6, padded to keep 28×28) → pool → conv 5×5 (16) → pool →
// 400 → 120 → 84 → 10. Batch dim symbolic.

import { NetBuilder, type BuiltNet } from './net-builder.js';

export function buildLeNet(opts: { readonly seed?: number } = {}): BuiltNet {
  const b = new NetBuilder(opts.seed ?? 2);
  const pool = (x: string): string => b.op1('MaxPool', [x], { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], ceil_mode: 0 });
  let x = pool(b.relu(b.conv('input', 1, 6, 5, 1, 2, { bias: true })));
  x = pool(b.relu(b.conv(x, 6, 16, 5, 1, 0, { bias: true })));
  x = b.op1('Flatten', [x], { axis: 1 });
  x = b.relu(b.linear(x, 16 * 5 * 5, 120));
  x = b.relu(b.linear(x, 120, 84));
  x = b.linear(x, 84, 10);
  return b.build('lenet5', 'input', ['N', 1, 28, 28], x);
}
