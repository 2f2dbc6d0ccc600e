// Tiny versions of the bench networks (bench/support/nets): the same graph shapes at
// sizes a test can compile and run in well under a second each.

import { buildLeNet } from '../../bench/support/nets/lenet.js';
import { buildMlp } from '../../bench/support/nets/mlp.js';
import { buildMobileNetV2 } from '../../bench/support/nets/mobilenet-v2.js';
import type { BuiltNet } from '../../bench/support/nets/net-builder.js';
import { buildRecurrent } from '../../bench/support/nets/recurrent.js';
import { buildResNet18 } from '../../bench/support/nets/resnet18.js';
import { buildTransformer } from '../../bench/support/nets/transformer.js';

export const TINY_NETS: readonly (readonly [string, () => BuiltNet])[] = [
  ['mlp', () => buildMlp({ widths: [12, 8, 4] })],
  ['lenet5', () => buildLeNet()],
  ['lstm', () => buildRecurrent({ cell: 'LSTM', hidden: 8, inputSize: 5, seq: 4 })],
  ['gru', () => buildRecurrent({ cell: 'GRU', hidden: 8, inputSize: 5, seq: 4 })],
  ['transformer', () => buildTransformer({ layers: 1, d: 16, heads: 2, ff: 32, seq: 6 })],
  ['mobilenetv2', () => buildMobileNetV2({ size: 32, width: 0.25, classes: 10 })],
  ['resnet18', () => buildResNet18({ size: 32, widths: [8, 8, 16, 16], classes: 10 })],
];
