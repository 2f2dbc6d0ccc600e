// What the buffer plan (src/passes/buffer-plan.ts) assumes of every kernel, checked
// statement by statement on real operands:
//  - a kernel whose output shares storage with an operand is flagged `aliasesInputs`
//    in the registry (else the planner could reuse the operand's bytes while the
//    output still reads them);
//  - a kernel flagged `outputsAreViews` (no arena bytes reserved) returns views only;
//  - a kernel writes every element of an output it allocates: run over an arena
//    full of garbage, it gives the same bytes as over a fresh zeroed buffer.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { invoke } from '../../runtime/tensor/invoke.js';
import { NodeCtx, elementBytes, type Tensor, type TensorData } from '../../runtime/tensor/tensor.js';
import { onnx } from '../../src/frontends/onnx/proto.js';
import { tensorFromProto } from '../../src/frontends/onnx/tensor-proto.js';
import type { Program } from '../../src/ir/program.js';
import { lookupPrimitive } from '../../src/primitives/registry.js';

function isTypedTensor(t: unknown): t is Tensor & { data: Exclude<TensorData, string[]> } {
  return typeof t === 'object' && t !== null && !Array.isArray(t) && 'data' in t && ArrayBuffer.isView((t as Tensor).data);
}

function sharesStorage(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.buffer !== b.buffer || a.byteLength === 0 || b.byteLength === 0) return false;
  return a.byteOffset < b.byteOffset + b.byteLength && b.byteOffset < a.byteOffset + a.byteLength;
}

function bytesOf(v: ArrayBufferView): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

function sameBytes(a: ArrayBufferView, b: ArrayBufferView): boolean {
  if (a.byteLength !== b.byteLength) return false;
  const x = bytesOf(a);
  const y = bytesOf(b);
  for (let i = 0; i < x.length; i++) if (x[i] !== y[i]) return false;
  return true;
}

export interface Findings { aliasing: Map<string, string>; notViews: Map<string, string>; partial: Map<string, string>; inArena: number }

export function feedsOf(p: Program, dir: string): Record<string, Tensor> | undefined {
  const feeds: Record<string, Tensor> = {};
  for (let k = 0; k < p.inputs.length; k++) {
    const file = join(dir, `input_${k}.pb`);
    if (!existsSync(file) || p.inputs[k].type.kind !== 'tensor') return undefined;
    feeds[p.inputs[k].name] = tensorFromProto(onnx.TensorProto.decode(readFileSync(file)));
  }
  return feeds;
}

/** Runs the program's top-level calls, checking each against the plan's assumptions. */
export function audit(caseName: string, p: Program, feeds: Record<string, Tensor>, f: Findings): void {
  const env = new Map<number, Tensor>();
  for (const i of p.inputs) env.set(i.value, feeds[i.name]);
  for (const s of p.body) {
    if (s.kind !== 'let') return;
    if (s.expr.kind === 'const') { env.set(s.results[0], p.constants[s.expr.id].value as Tensor); continue; }
    if (s.expr.kind === 'value') { env.set(s.results[0], env.get(s.expr.id) as Tensor); continue; }
    const e = s.expr;
    const prim = lookupPrimitive(e.prim);
    if (prim === undefined || prim.regions || (e.regions && e.regions.length > 0)) return;
    const args = e.args.map((a) => (a === null ? undefined : env.get(a)));
    if (e.args.some((a, k) => a !== null && args[k] === undefined)) return;
    let want: Tensor[];
    try {
      want = invoke(prim.kernel as never, new NodeCtx(e.prim), args, e.attrs as never);
    } catch {
      return; // error cases: the module throws the same way with or without a plan
    }
    const operands = args.filter(isTypedTensor);
    want.forEach((t, k) => {
      if (isTypedTensor(t) && operands.some((x) => sharesStorage(t.data, x.data)) && !prim.aliasesInputs) {
        f.aliasing.set(e.prim, `${caseName} output ${k}`);
      }
      if (prim.outputsAreViews && isTypedTensor(t) && t.data.byteLength > 0 && !operands.some((x) => sharesStorage(t.data, x.data))) {
        f.notViews.set(e.prim, `${caseName} output ${k}`);
      }
    });
    if (!prim.impure) {
      const ctx = new NodeCtx(e.prim);
      want.forEach((t, k) => {
        if (!isTypedTensor(t)) return;
        const size = elementBytes(t.type) as number;
        const arena = new ArrayBuffer(t.data.length * size + 128);
        new Uint8Array(arena).fill(0x7f); // float32 3.39e38, large integers: never what a kernel computes by chance
        ctx.plan(k, arena, 64, t.type, t.data.length);
      });
      const got = invoke(prim.kernel as never, ctx, args, e.attrs as never);
      want.forEach((t, k) => {
        const g = got[k];
        if (isTypedTensor(t) && !(isTypedTensor(g) && g.type === t.type && sameBytes(g.data, t.data))) {
          f.partial.set(e.prim, `${caseName} output ${k}`);
        }
        if (isTypedTensor(g) && g.data.byteOffset === 64) f.inArena++;
      });
    }
    s.results.forEach((r, k) => env.set(r, want[k]));
  }
}

export function newFindings(): Findings {
  return { aliasing: new Map(), notViews: new Map(), partial: new Map(), inArena: 0 };
}

/** The findings as one comparable object: both lists empty when every kernel keeps the contract. */
export function findingLists(f: Findings): { aliasingWithoutFlag: string; notViews: string; partialWrites: string } {
  const list = (m: Map<string, string>): string => [...m].map(([prim, where]) => `${prim} (${where})`).join(', ');
  return { aliasingWithoutFlag: list(f.aliasing), notViews: list(f.notViews), partialWrites: list(f.partial) };
}
