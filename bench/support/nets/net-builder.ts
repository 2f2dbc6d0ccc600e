// A small helper for writing benchmark networks as ONNX graphs the way exporters
// (torch.onnx) emit them: one node per layer, BatchNormalization as its own node,
// Relu6 as Clip with constant min/max inputs. Weights come from a seeded generator,
// so the same network and seed always give the same bytes.

import { mulberry32 } from '../../../runtime/prng.js';
import type { Tensor } from '../../../runtime/tensor/tensor.js';
import { graph, modelBytes, valueInfo, type AttrInput, type NodeSpec } from '../../../test/support/onnx-builder.js';

/** The opset the networks are written for (LayerNormalization needs 17). */
export const NET_OPSET = 17;

/** Seeded uniforms in [0, 1) for weight init (the repository's one mulberry32). */
export const seededRandom = mulberry32;

export interface BuiltNet {
  /** The serialised ModelProto. */
  readonly bytes: Uint8Array;
  /** Bytes of all initializers (the weights the module must embed). */
  readonly weightBytes: number;
  readonly inputName: string;
  /** The input's dims with the batch at 1 (the feed the bench runs). */
  readonly inputDims: readonly number[];
  /** Whether the leading (batch) dim of the input is symbolic, so a batch of 64 is one call. */
  readonly symbolicBatch: boolean;
}

export class NetBuilder {
  private readonly nodes: NodeSpec[] = [];
  private readonly initializers: Record<string, Tensor> = {};
  private readonly random: () => number;
  private weightBytes = 0;
  private counter = 0;

  constructor(seed: number) {
    this.random = seededRandom(seed);
  }

  /** A fresh value name with a readable prefix. */
  fresh(prefix: string): string {
    return `${prefix}_${this.counter++}`;
  }

  /** An initializer of uniform values in [center - bound, center + bound). */
  uniform(name: string, dims: readonly number[], bound: number, center = 0): string {
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = center + (this.random() * 2 - 1) * bound;
    return this.constant(name, { type: 'float32', dims: dims.slice(), data });
  }

  /** Kaiming-uniform weights (PyTorch's default for Conv/Linear, gain for ReLU) over fan-in. */
  kaiming(name: string, dims: readonly number[], fanIn: number): string {
    return this.uniform(name, dims, Math.sqrt(6 / fanIn));
  }

  constant(name: string, t: Tensor): string {
    this.initializers[name] = t;
    this.weightBytes += (t.data as Float32Array | BigInt64Array).byteLength;
    return name;
  }

  int64s(name: string, values: readonly number[]): string {
    return this.constant(name, { type: 'int64', dims: [values.length], data: BigInt64Array.from(values.map(BigInt)) });
  }

  scalar(name: string, value: number): string {
    return this.constant(name, { type: 'float32', dims: [], data: Float32Array.of(value) });
  }

  /** Adds a node; returns its output names (one fresh name per output). */
  op(op: string, inputs: readonly string[], attrs: Record<string, AttrInput> = {}, outputs = 1): string[] {
    const outs = Array.from({ length: outputs }, () => this.fresh(op.toLowerCase()));
    this.nodes.push({ op, inputs, outputs: outs, attrs, name: outs[0] });
    return outs;
  }

  op1(op: string, inputs: readonly string[], attrs: Record<string, AttrInput> = {}): string {
    return this.op(op, inputs, attrs)[0];
  }

  /** Conv with kaiming weights [cout, cin/group, k, k]; bias only when asked (convs before BatchNorm have none). */
  conv(x: string, cin: number, cout: number, k: number, stride: number, pad: number, opts: { group?: number; bias?: boolean } = {}): string {
    const group = opts.group ?? 1;
    const fanIn = (cin / group) * k * k;
    const name = this.fresh('conv');
    const inputs = [x, this.kaiming(`${name}.weight`, [cout, cin / group, k, k], fanIn)];
    if (opts.bias) inputs.push(this.uniform(`${name}.bias`, [cout], 1 / Math.sqrt(fanIn)));
    return this.op1('Conv', inputs, { kernel_shape: [k, k], strides: [stride, stride], pads: [pad, pad, pad, pad], dilations: [1, 1], group });
  }

  /** Inference BatchNormalization with running statistics near (0, 1) and affine terms near (1, 0). */
  batchNorm(x: string, c: number): string {
    const name = this.fresh('bn');
    const vec = (suffix: string, lo: number, hi: number): string => {
      const data = new Float32Array(c);
      for (let i = 0; i < c; i++) data[i] = lo + this.random() * (hi - lo);
      return this.constant(`${name}.${suffix}`, { type: 'float32', dims: [c], data });
    };
    return this.op1('BatchNormalization', [x, vec('weight', 0.5, 1.5), vec('bias', -0.2, 0.2), vec('running_mean', -0.2, 0.2), vec('running_var', 0.5, 1.5)],
      { epsilon: { float: 1e-5 }, momentum: { float: 0.9 } });
  }

  relu(x: string): string {
    return this.op1('Relu', [x]);
  }

  /** Relu6 as torch.onnx exports it: Clip with constant min and max inputs. */
  relu6(x: string): string {
    if (!('relu6.min' in this.initializers)) { this.scalar('relu6.min', 0); this.scalar('relu6.max', 6); }
    return this.op1('Clip', [x, 'relu6.min', 'relu6.max']);
  }

  /** nn.Linear as exported: Gemm with transB = 1 over a [out, in] weight. */
  linear(x: string, inF: number, outF: number): string {
    const name = this.fresh('fc');
    const bound = 1 / Math.sqrt(inF);
    return this.op1('Gemm', [x, this.uniform(`${name}.weight`, [outF, inF], Math.sqrt(3) * bound), this.uniform(`${name}.bias`, [outF], bound)],
      { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 });
  }

  /** nn.Linear on a 3-D activation as exported: MatMul by the transposed weight [in, out], then Add of the bias. */
  matmulAdd(x: string, inF: number, outF: number): string {
    const name = this.fresh('proj');
    const bound = 1 / Math.sqrt(inF);
    const y = this.op1('MatMul', [x, this.uniform(`${name}.weight_t`, [inF, outF], Math.sqrt(3) * bound)]);
    return this.op1('Add', [y, this.uniform(`${name}.bias`, [outF], bound)]);
  }

  /** The model: one float32 input, one float32 output. `inputShape` may start with a symbolic batch. */
  build(name: string, input: string, inputShape: readonly (number | string)[], output: string): BuiltNet {
    const g = graph({
      name,
      nodes: this.nodes,
      inputs: [valueInfo(input, 'float32', inputShape)],
      outputs: [valueInfo(output, 'float32', null)],
      initializers: this.initializers,
    });
    return {
      bytes: modelBytes(g, { '': NET_OPSET }),
      weightBytes: this.weightBytes,
      inputName: input,
      inputDims: inputShape.map((d) => (typeof d === 'number' ? d : 1)),
      symbolicBatch: typeof inputShape[0] === 'string',
    };
  }
}
