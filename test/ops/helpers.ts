// runOp: one ONNX node, compiled through the real pipeline, run on the given inputs.
import assert from 'node:assert/strict';
import type { DType, Tensor } from '../../runtime/tensor/tensor.js';
import { graph, modelBytes, valueInfo, type AttrInput } from '../support/onnx-builder.js';
import { compileBytes, type PublicTensor } from '../support/run-module.js';

export interface OpInput { readonly type: DType; readonly dims: readonly number[]; readonly data: ArrayLike<unknown> }

/**
 * Runs `opType` on `inputs` (named in0, in1...; null for an absent optional input).
 * `outputs` is the number of outputs the node declares (default 1). Returns outputs in order.
 */
export async function runOp(
  opType: string,
  inputs: readonly (OpInput | null)[],
  attrs: Record<string, AttrInput> = {},
  opts: { opset?: number; outputs?: number; domain?: string; constInputs?: readonly number[] } = {},
): Promise<PublicTensor[]> {
  const names = inputs.map((t, i) => (t === null ? '' : `in${i}`));
  const outCount = opts.outputs ?? 1;
  const outNames = Array.from({ length: outCount }, (_, i) => `out${i}`);
  const constSet = new Set(opts.constInputs ?? []);
  const initializers: Record<string, Tensor> = {};
  const graphInputs = inputs.flatMap((t, i) => {
    if (t === null) return [];
    if (constSet.has(i)) {
      initializers[`in${i}`] = { type: t.type, dims: t.dims.slice(), data: toInternal(t) };
      return [];
    }
    return [valueInfo(`in${i}`, t.type, t.dims)];
  });
  const g = graph({
    nodes: [{ op: opType, inputs: names, outputs: outNames, attrs, domain: opts.domain }],
    inputs: graphInputs,
    outputs: outNames.map((n) => ({ name: n })),
    initializers,
  });
  const opsets: Record<string, number> = { '': opts.opset ?? 21 };
  if (opts.domain) opsets[opts.domain] = opts.opset ?? 1;
  const { mod } = await compileBytes(modelBytes(g, opsets));
  const feeds: Record<string, unknown> = {};
  inputs.forEach((t, i) => {
    if (t !== null && !constSet.has(i)) feeds[`in${i}`] = { type: t.type, dims: t.dims, data: Array.from(t.data) };
  });
  const out = mod.run(feeds);
  return outNames.map((n) => out[n]);
}

function toInternal(t: OpInput): Tensor['data'] {
  const vals = Array.from(t.data);
  switch (t.type) {
    case 'float32': case 'float16': return Float32Array.from(vals as number[]);
    case 'float64': return Float64Array.from(vals as number[]);
    case 'int64': return BigInt64Array.from(vals.map((v) => BigInt(v as number)));
    case 'uint64': return BigUint64Array.from(vals.map((v) => BigInt(v as number)));
    case 'int32': return Int32Array.from(vals as number[]);
    case 'uint32': return Uint32Array.from(vals as number[]);
    case 'int16': return Int16Array.from(vals as number[]);
    case 'uint16': return Uint16Array.from(vals as number[]);
    case 'int8': return Int8Array.from(vals as number[]);
    case 'uint8': case 'bool': return Uint8Array.from(vals.map((v) => Number(v)));
    case 'string': return vals as string[];
    default: throw new Error(`runOp: constant inputs of type ${t.type} are not supported by this helper`);
  }
}

/**
 * Element-wise |got - want| <= atol + rtol·|want|; NaN must meet NaN and infinities
 * must match exactly. The message names the first element that disagrees.
 */
export function assertClose(got: ArrayLike<unknown>, want: readonly number[], rtol = 1e-5, atol = 1e-7): void {
  assert.equal(got.length, want.length, 'length');
  for (let i = 0; i < want.length; i++) {
    const g = Number(got[i]), w = want[i];
    if (Number.isNaN(w)) { assert.ok(Number.isNaN(g), `element ${i}: got ${g}, want NaN`); continue; }
    if (!Number.isFinite(w)) { assert.equal(g, w, `element ${i}`); continue; }
    assert.ok(Math.abs(g - w) <= atol + rtol * Math.abs(w), `element ${i}: got ${g}, want ${w}`);
  }
}
