// MobileNetV2 (width 1.0) exactly as torchvision.models.mobilenet_v2 defines it
// (Sandler et al. 2018, table 2): a 3×3 stride-2 stem (32), seventeen inverted
// residual blocks (1×1 expand → 3×3 depthwise → 1×1 linear projection, a residual
// Add when stride is 1 and the channels match), a 1×1 conv to 1280, global average
// pooling and a 1000-way classifier. Every conv is bias-free and followed by its own
// BatchNormalization node, Relu6 is Clip(0, 6): the unfused graph an exporter emits
// without constant folding. Input [1, 3, size, size] (224 in the bench).

import { NetBuilder, type BuiltNet } from './net-builder.js';

/** (expand ratio t, output channels c, repeats n, first stride s), torchvision's table. */
const INVERTED_RESIDUAL_SETTING: readonly (readonly [number, number, number, number])[] = [
  [1, 16, 1, 1], [6, 24, 2, 2], [6, 32, 3, 2], [6, 64, 4, 2], [6, 96, 3, 1], [6, 160, 3, 2], [6, 320, 1, 1],
];

/** torchvision's _make_divisible: the nearest multiple of 8, never more than 10% below v. */
function makeDivisible(v: number, divisor = 8): number {
  const rounded = Math.max(divisor, Math.floor((v + divisor / 2) / divisor) * divisor);
  return rounded < 0.9 * v ? rounded + divisor : rounded;
}

export interface MobileNetV2Options {
  readonly size?: number;
  /** torchvision's width_mult (default 1.0); tests shrink it. */
  readonly width?: number;
  readonly classes?: number;
  readonly seed?: number;
}

export function buildMobileNetV2(opts: MobileNetV2Options = {}): BuiltNet {
  const size = opts.size ?? 224, classes = opts.classes ?? 1000, width = opts.width ?? 1;
  const b = new NetBuilder(opts.seed ?? 6);
  const convBn = (x: string, cin: number, cout: number, k: number, stride: number, group = 1): string =>
    b.batchNorm(b.conv(x, cin, cout, k, stride, (k - 1) / 2, { group }), cout);
  let cin = makeDivisible(32 * width);
  const last = makeDivisible(1280 * Math.max(1, width));
  let x = b.relu6(convBn('input', 3, cin, 3, 2));
  for (const [t, channels, n, s] of INVERTED_RESIDUAL_SETTING) {
    const c = makeDivisible(channels * width);
    for (let i = 0; i < n; i++) {
      const stride = i === 0 ? s : 1;
      const hidden = cin * t;
      let y = x;
      if (t !== 1) y = b.relu6(convBn(y, cin, hidden, 1, 1));
      y = b.relu6(convBn(y, hidden, hidden, 3, stride, hidden));
      y = convBn(y, hidden, c, 1, 1);
      x = stride === 1 && cin === c ? b.op1('Add', [x, y]) : y;
      cin = c;
    }
  }
  x = b.relu6(convBn(x, cin, last, 1, 1));
  x = b.op1('Flatten', [b.op1('GlobalAveragePool', [x])], { axis: 1 });
  x = b.linear(x, last, classes);
  return b.build('mobilenet_v2', 'input', [1, 3, size, size], x);
}
