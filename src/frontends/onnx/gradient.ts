// ai.onnx.preview.training.Gradient, expanded at lowering time into ordinary ONNX
// nodes (reverse-mode differentiation over the nodes between `xs` and `y`).
// The op needs the graph that produces `y`, so it cannot be a kernel.
//
// Supported node kinds on the differentiated path: Add, Sub, Mul, Div, Neg,
// Identity, with operands of identical static shape (no broadcasting); anything
// else is reported as unsupported rather than differentiated wrongly.

import type { DType } from '../../../runtime/tensor/tensor.js';
import { fail } from '../../diagnostics/diagnostic.js';
import type { Dim } from '../../ir/types.js';
import { DTYPE_CODES } from './dtypes.js';
import { onnx, type OnnxNs } from './proto.js';

export interface GradientContext {
  /** The node (in the same graph, earlier) that produces a value, if any. */
  producerOf(name: string): OnnxNs.INodeProto | undefined;
  typeOf(name: string): { dtype: DType; shape: readonly Dim[] | null } | undefined;
}

const T = onnx.AttributeProto.AttributeType;

export function expandGradient(node: OnnxNs.INodeProto, ctx: GradientContext): OnnxNs.INodeProto[] {
  const attrs = new Map((node.attribute ?? []).map((a) => [a.name ?? '', a]));
  const decoder = new TextDecoder();
  const xs = (attrs.get('xs')?.strings ?? []).map((s) => decoder.decode(s));
  const yAttr = attrs.get('y')?.s;
  if (xs.length === 0 || !yAttr) fail('MLC2003', 'Gradient needs the "xs" and "y" attributes');
  const y = decoder.decode(yAttr);
  if ((node.output ?? []).length !== xs.length) fail('MLC2007', `Gradient has ${xs.length} xs but ${(node.output ?? []).length} outputs`);
  const out: OnnxNs.INodeProto[] = [];
  let counter = 0;
  const base = `__grad_${(node.output ?? [])[0] ?? 'g'}`;
  const fresh = (what: string): string => `${base}_${what}_${counter++}`;
  const emit = (opType: string, inputs: string[], attribute: OnnxNs.IAttributeProto[] = []): string => {
    const name = fresh(opType.toLowerCase());
    out.push({ opType, input: inputs, output: [name], name, domain: '', attribute });
    return name;
  };
  const yType = ctx.typeOf(y);
  if (yType === undefined) fail('MLC2002', `Gradient: y ${JSON.stringify(y)} has no known type`);

  // Nodes on a path from some x to y, in reverse topological order.
  const onPath: OnnxNs.INodeProto[] = [];
  const dependsOnX = new Map<string, boolean>();
  const depends = (v: string): boolean => {
    const known = dependsOnX.get(v);
    if (known !== undefined) return known;
    dependsOnX.set(v, false); // cycle guard
    const p = ctx.producerOf(v);
    const r = xs.includes(v) || (p !== undefined && (p.input ?? []).some((i) => i !== '' && depends(i)));
    dependsOnX.set(v, r);
    return r;
  };
  const seen = new Set<OnnxNs.INodeProto>();
  const visit = (v: string): void => {
    if (xs.includes(v)) return;
    const p = ctx.producerOf(v);
    if (p === undefined || seen.has(p) || !depends(v)) return;
    seen.add(p);
    for (const i of p.input ?? []) if (i !== '') visit(i);
    onPath.push(p); // post-order: producers first
  };
  visit(y);
  onPath.reverse();

  // dy/dy = 1, shaped like y.
  const one = constantOfShapeValue(yType.dtype, 1);
  const grads = new Map<string, string>([[y, emit('ConstantOfShape', [emit('Shape', [y])], [one])]]);
  const accumulate = (v: string, g: string): void => {
    const prev = grads.get(v);
    grads.set(v, prev === undefined ? g : emit('Add', [prev, g]));
  };
  for (const n of onPath) {
    const outName = (n.output ?? [])[0];
    const dy = grads.get(outName);
    if (dy === undefined) continue;
    const [a, b] = n.input ?? [];
    const op = n.domain ? `${n.domain}.${n.opType}` : n.opType;
    if (b !== undefined) sameShape(ctx, a, b, op ?? '?');
    switch (op) {
      case 'Add': accumulate(a, dy); accumulate(b, dy); break;
      case 'Sub': accumulate(a, dy); accumulate(b, emit('Neg', [dy])); break;
      case 'Mul': accumulate(a, emit('Mul', [dy, b])); accumulate(b, emit('Mul', [dy, a])); break;
      case 'Div': // d(a/b)/da = 1/b; d(a/b)/db = -(a/b)/b
        accumulate(a, emit('Div', [dy, b]));
        accumulate(b, emit('Neg', [emit('Div', [emit('Mul', [dy, outName]), b])]));
        break;
      case 'Neg': accumulate(a, emit('Neg', [dy])); break;
      case 'Identity': accumulate(a, dy); break;
      default:
        fail('MLC3005', `Gradient through ${op} is not supported (supported: Add, Sub, Mul, Div, Neg, Identity)`);
    }
  }
  // Each output: the accumulated gradient, or zeros when y does not depend on that x.
  xs.forEach((x, k) => {
    const target = (node.output ?? [])[k];
    if (!target) return;
    const g = grads.get(x);
    const xType = ctx.typeOf(x);
    const source = g ?? emit('ConstantOfShape', [emit('Shape', [x])], [constantOfShapeValue(xType?.dtype ?? 'float32', 0)]);
    out.push({ opType: 'Identity', input: [source], output: [target], name: fresh('out'), domain: '' });
  });
  return out;
}

function sameShape(ctx: GradientContext, a: string, b: string, op: string): void {
  const ta = ctx.typeOf(a)?.shape;
  const tb = ctx.typeOf(b)?.shape;
  const same = ta && tb && ta.length === tb.length && ta.every((d, i) => typeof d === 'number' && d === tb[i]);
  if (!same) fail('MLC3005', `Gradient through ${op} with operands of different or unknown shapes (broadcasting) is not supported`);
}

function constantOfShapeValue(dtype: DType, v: number): OnnxNs.IAttributeProto {
  const code = DTYPE_CODES[dtype as keyof typeof DTYPE_CODES];
  if (code === undefined || (dtype !== 'float32' && dtype !== 'float64')) fail('MLC3005', `Gradient of ${dtype} values is not supported (float32, float64)`);
  const t: OnnxNs.ITensorProto = dtype === 'float32'
    ? { dataType: code, dims: [1], floatData: [v] }
    : { dataType: code, dims: [1], doubleData: [v] };
  return { name: 'value', type: T.TENSOR, t };
}
