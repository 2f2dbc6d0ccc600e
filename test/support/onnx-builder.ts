// Builds small ONNX models in memory with onnx-proto, for unit tests and fixtures.

import { DTYPE_CODES } from '../../src/frontends/onnx/dtypes.js';
import { onnx, type OnnxNs } from '../../src/frontends/onnx/proto.js';
import { isLowpFloat, isLowpInt, type DType, type Tensor } from '../../runtime/tensor/tensor.js';
import { float32ToFloat16Bits } from '../../runtime/tensor/float16.js';
import { lowpToStorage } from '../../runtime/tensor/lowp.js';

export type AttrInput = number | string | number[] | string[] | Tensor | { graph: OnnxNs.IGraphProto } | { float: number } | { floats: number[] };

export function tensorProto(name: string, t: Tensor): OnnxNs.ITensorProto {
  const p: OnnxNs.ITensorProto = { name, dims: t.dims, dataType: DTYPE_CODES[t.type] };
  if (t.type === 'string') p.stringData = (t.data as string[]).map((s) => new TextEncoder().encode(s));
  else if (t.type === 'float16') {
    const src = t.data as Float32Array;
    const bits = new Uint16Array(src.length);
    for (let i = 0; i < src.length; i++) bits[i] = float32ToFloat16Bits(src[i]);
    p.rawData = new Uint8Array(bits.buffer);
  } else if (isLowpFloat(t.type) || isLowpInt(t.type)) {
    // Internal values → ONNX raw data: bfloat16/float8 bit patterns, 4-bit and 2-bit types packed.
    p.rawData = lowpToStorage(t.type, t.data as Float32Array | Int8Array | Uint8Array);
  } else {
    const d = t.data as Exclude<Tensor['data'], string[]>;
    p.rawData = new Uint8Array(d.buffer.slice(d.byteOffset, d.byteOffset + d.byteLength));
  }
  return p;
}

export function attribute(name: string, v: AttrInput): OnnxNs.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof v === 'number') return Number.isInteger(v) ? { name, type: T.INT, i: v } : { name, type: T.FLOAT, f: v };
  if (typeof v === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) {
    if (v.length > 0 && typeof v[0] === 'string') return { name, type: T.STRINGS, strings: (v as string[]).map((s) => new TextEncoder().encode(s)) };
    const nums = v as number[];
    return nums.every((x) => Number.isInteger(x)) ? { name, type: T.INTS, ints: nums } : { name, type: T.FLOATS, floats: nums };
  }
  if ('graph' in v) return { name, type: T.GRAPH, g: v.graph };
  if ('float' in v) return { name, type: T.FLOAT, f: v.float };
  if ('floats' in v) return { name, type: T.FLOATS, floats: v.floats };
  return { name, type: T.TENSOR, t: tensorProto('', v) };
}

export function valueInfo(name: string, type: DType, shape: readonly (number | string)[] | null): OnnxNs.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: DTYPE_CODES[type],
        shape: shape === null ? undefined : { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

export interface NodeSpec {
  readonly op: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs?: Record<string, AttrInput>;
  readonly name?: string;
  readonly domain?: string;
}

export function node(spec: NodeSpec): OnnxNs.INodeProto {
  return {
    opType: spec.op,
    input: spec.inputs.slice(),
    output: spec.outputs.slice(),
    name: spec.name ?? spec.outputs[0],
    domain: spec.domain ?? '',
    attribute: Object.entries(spec.attrs ?? {}).map(([k, v]) => attribute(k, v)),
  };
}

export interface GraphSpec {
  readonly name?: string;
  readonly nodes: readonly NodeSpec[];
  readonly inputs: readonly OnnxNs.IValueInfoProto[];
  readonly outputs: readonly OnnxNs.IValueInfoProto[];
  readonly initializers?: Readonly<Record<string, Tensor>>;
}

export function graph(spec: GraphSpec): OnnxNs.IGraphProto {
  return {
    name: spec.name ?? 'g',
    node: spec.nodes.map(node),
    input: spec.inputs.slice(),
    output: spec.outputs.slice(),
    initializer: Object.entries(spec.initializers ?? {}).map(([n, t]) => tensorProto(n, t)),
  };
}

export function modelBytes(g: OnnxNs.IGraphProto, opsets: Readonly<Record<string, number>> = { '': 21 }): Uint8Array {
  const model: OnnxNs.IModelProto = {
    irVersion: 9,
    producerName: 'mlcompile-tests',
    graph: g,
    opsetImport: Object.entries(opsets).map(([domain, version]) => ({ domain, version })),
  };
  return onnx.ModelProto.encode(onnx.ModelProto.create(model)).finish();
}
