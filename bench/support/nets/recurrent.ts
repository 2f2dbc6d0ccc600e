// Stacked LSTM and GRU as torch.onnx exports nn.LSTM / nn.GRU (num_layers = 2,
// batch_first = False): one ONNX LSTM/GRU node per layer with W [1, G·H, I],
// R [1, G·H, H], B [1, 2·G·H] (G = 4 gates for LSTM, 3 for GRU, GRU with
// linear_before_reset = 1 as PyTorch computes it), and a Squeeze of the
// num_directions axis between layers. Input [seq, 1, input].

import { NetBuilder, type BuiltNet } from './net-builder.js';

export interface RecurrentOptions {
  readonly cell: 'LSTM' | 'GRU';
  readonly layers?: number;
  readonly hidden?: number;
  readonly inputSize?: number;
  readonly seq?: number;
  readonly seed?: number;
}

export function buildRecurrent(opts: RecurrentOptions): BuiltNet {
  const layers = opts.layers ?? 2, hidden = opts.hidden ?? 128, inputSize = opts.inputSize ?? 64, seq = opts.seq ?? 32;
  const gates = opts.cell === 'LSTM' ? 4 : 3;
  const b = new NetBuilder(opts.seed ?? (opts.cell === 'LSTM' ? 3 : 4));
  // PyTorch initialises every recurrent weight and bias uniformly in ±1/sqrt(hidden).
  const bound = 1 / Math.sqrt(hidden);
  const axes = b.int64s('squeeze_axes', [1]);
  let x = 'input';
  for (let l = 0; l < layers; l++) {
    const inF = l === 0 ? inputSize : hidden;
    const W = b.uniform(`l${l}.W`, [1, gates * hidden, inF], bound);
    const R = b.uniform(`l${l}.R`, [1, gates * hidden, hidden], bound);
    const B = b.uniform(`l${l}.B`, [1, 2 * gates * hidden], bound);
    const attrs: Record<string, number> = opts.cell === 'GRU' ? { hidden_size: hidden, linear_before_reset: 1 } : { hidden_size: hidden };
    const [y] = b.op(opts.cell, [x, W, R, B], attrs, opts.cell === 'LSTM' ? 3 : 2);
    x = b.op1('Squeeze', [y, axes]);
  }
  return b.build(opts.cell.toLowerCase(), 'input', [seq, 1, inputSize], x);
}
