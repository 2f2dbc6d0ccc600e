// ResNet-18 exactly as torchvision.models.resnet18 defines it (He et al. 2016):
// 7×7 stride-2 stem (64) + BatchNorm + Relu + 3×3 stride-2 MaxPool, four stages of two
// BasicBlocks (64, 128, 256, 512 channels; the first block of stages 2-4 has stride
// 2 and a 1×1 stride-2 conv + BatchNorm on the shortcut), each block conv3×3-BN-Relu-
// conv3×3-BN, Add, Relu; then global average pooling and a 1000-way classifier. Convs
// are bias-free with separate BatchNormalization nodes (unfused, as exported without
// constant folding). Input [1, 3, size, size] (224 in the bench).

import { NetBuilder, type BuiltNet } from './net-builder.js';

export interface ResNet18Options {
  readonly size?: number;
  readonly classes?: number;
  /** Stage widths (default 64, 128, 256, 512); tests shrink them. */
  readonly widths?: readonly number[];
  readonly seed?: number;
}

export function buildResNet18(opts: ResNet18Options = {}): BuiltNet {
  const size = opts.size ?? 224, classes = opts.classes ?? 1000, widths = opts.widths ?? [64, 128, 256, 512];
  const b = new NetBuilder(opts.seed ?? 7);
  const convBn = (x: string, cin: number, cout: number, k: number, stride: number): string =>
    b.batchNorm(b.conv(x, cin, cout, k, stride, (k - 1) / 2), cout);
  let x = b.relu(convBn('input', 3, widths[0], 7, 2));
  x = b.op1('MaxPool', [x], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], ceil_mode: 0 });
  let cin = widths[0];
  widths.forEach((c, stage) => {
    for (let block = 0; block < 2; block++) {
      const stride = stage > 0 && block === 0 ? 2 : 1;
      const y = convBn(b.relu(convBn(x, cin, c, 3, stride)), c, c, 3, 1);
      const shortcut = stride !== 1 || cin !== c ? convBn(x, cin, c, 1, stride) : x;
      x = b.relu(b.op1('Add', [y, shortcut]));
      cin = c;
    }
  });
  x = b.op1('Flatten', [b.op1('GlobalAveragePool', [x])], { axis: 1 });
  x = b.linear(x, cin, classes);
  return b.build('resnet18', 'input', [1, 3, size, size], x);
}
