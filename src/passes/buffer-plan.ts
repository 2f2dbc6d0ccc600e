// Buffer planning: one arena for the activations of a program with static shapes.
//
// Each top-level value whose type and shape are known at compile time gets a byte
// offset in ONE arena, and two values share bytes only when their live ranges do
// not overlap. Without a plan every value keeps its own buffer for the module's
// lifetime (NodeCtx reuses it between calls), so a ResNet-18 holds every
// activation at once although two or three are live at any time.
//
// Live range of a value: from the statement that produces it to its last consumer,
// both INCLUSIVE, so an output never shares bytes with its own inputs (kernels
// read their inputs while writing their outputs). Kernels of aliasing primitives
// (Reshape, Identity, Cast to the same type... `aliasesInputs` in the registry)
// may return views of their inputs: an input of such a statement stays live as
// long as its outputs do, transitively. Region primitives (If/Loop/Scan), unknown
// primitives and `let y = x` count as aliasing, and every value a region reads
// counts as an input of the statement that holds the region.
//
// Never planned: graph inputs (the caller's data), graph outputs (handed back to
// the caller), outputs of primitives that always return views (`outputsAreViews`:
// Reshape, Flatten...; they still extend their inputs' ranges), constants and
// values computed from constants only (the generator evaluates those once at
// load), values inside regions (their contexts are fresh on every iteration),
// results of region statements, strings, empty tensors, and anything of unknown
// rank or with an unknown (null) dimension.
// Correctness beats reuse: when in doubt, a value is left out and keeps its own buffer.
//
// Symbolic dimensions (a batch dim "N") are planned as 1 unless `symbolicAsOne`
// is false. That is a guess, never a risk: a kernel gets the arena slice only when
// its output has exactly the planned type and element count (NodeCtx.alloc), and
// liveness does not depend on shapes, so values that overlap in time still never
// share bytes; a call with another batch size gives those values buffers of their own.
//
// Placement is greedy by size (largest first, best-fitting gap among the values
// whose ranges overlap), as in TensorFlow Lite's GreedyBySize planner. Every
// offset is a multiple of ARENA_ALIGN. The plan depends only on the program:
// the same program gives the same plan.

import { elementBytes, type DType } from '../../runtime/tensor/tensor.js';
import type { Program, Region, Stmt, ValueId } from '../ir/program.js';
import { lookupPrimitive } from '../primitives/registry.js';

/** Byte alignment of every planned value (a cache line; also covers 8-byte BigInt64Array views). */
export const ARENA_ALIGN = 64;

export interface PlannedValue {
  readonly value: ValueId;
  /** Index of the producing top-level statement, and of the value among its results. */
  readonly stmt: number;
  readonly result: number;
  readonly dtype: DType;
  /** Elements, and bytes in the runtime's internal representation. */
  readonly length: number;
  readonly bytes: number;
  /** First and last statement index of the live range, inclusive (body.length: live until run() returns). */
  readonly start: number;
  readonly end: number;
  readonly offset: number;
}

export interface BufferPlan {
  /** Bytes of the one arena (a multiple of ARENA_ALIGN; 0 when nothing is planned). */
  readonly arenaBytes: number;
  /** Sum of the planned values' bytes: what they would take with one buffer each. */
  readonly plannedBytes: number;
  /** Planned values by producing statement, then result index. */
  readonly values: readonly PlannedValue[];
  readonly byValue: ReadonlyMap<ValueId, PlannedValue>;
}

type LetStmt = Extract<Stmt, { kind: 'let' }>;

const EMPTY: BufferPlan = { arenaBytes: 0, plannedBytes: 0, values: [], byValue: new Map() };

export interface PlanOptions {
  /** Plan values with symbolic dims as if each were 1 (default true); false leaves them out. */
  readonly symbolicAsOne?: boolean;
}

export function planBuffers(p: Program, opts: PlanOptions = {}): BufferPlan {
  // Only straight-line `let` programs (ONNX) are planned.
  if (p.format !== 'onnx' || !p.body.every((s) => s.kind === 'let')) return EMPTY;
  const body = p.body as readonly LetStmt[];
  const ends = liveEnds(p, body);
  const candidates = plannableValues(p, body, ends, opts.symbolicAsOne !== false);
  const placed = placeGreedyBySize(candidates);
  placed.sort((a, b) => a.stmt - b.stmt || a.result - b.result);
  let arenaBytes = 0;
  let plannedBytes = 0;
  for (const v of placed) {
    arenaBytes = Math.max(arenaBytes, v.offset + alignUp(v.bytes));
    plannedBytes += v.bytes;
  }
  return { arenaBytes, plannedBytes, values: placed, byValue: new Map(placed.map((v) => [v.value, v])) };
}

/** Whether a statement's results may share storage with the values it reads. */
function mayAlias(s: LetStmt): boolean {
  if (s.expr.kind === 'value') return true;
  if (s.expr.kind !== 'call') return false;
  if (s.expr.regions !== undefined && s.expr.regions.length > 0) return true;
  const prim = lookupPrimitive(s.expr.prim);
  return prim === undefined || prim.regions === true || prim.aliasesInputs === true || prim.outputsAreViews === true;
}

/** Every value a top-level statement reads: its operands and anything its regions reference. */
function readsOf(s: LetStmt): ValueId[] {
  if (s.expr.kind === 'value') return [s.expr.id];
  if (s.expr.kind !== 'call') return [];
  const out: ValueId[] = [];
  for (const a of s.expr.args) if (a !== null) out.push(a);
  // Iterative walk: regions may nest deeply.
  const stack: Region[] = [...(s.expr.regions ?? [])];
  while (stack.length > 0) {
    const r = stack.pop() as Region;
    out.push(...r.yields);
    for (const inner of r.body) {
      if (inner.kind !== 'let') continue;
      if (inner.expr.kind === 'value') out.push(inner.expr.id);
      if (inner.expr.kind !== 'call') continue;
      for (const a of inner.expr.args) if (a !== null) out.push(a);
      stack.push(...(inner.expr.regions ?? []));
    }
  }
  return out;
}

/**
 * The last statement index (inclusive) at which each value's storage may be read.
 * Walked backwards, so an aliasing statement's results already have their final
 * end when its operands inherit it.
 */
function liveEnds(p: Program, body: readonly LetStmt[]): Map<ValueId, number> {
  const ends = new Map<ValueId, number>();
  const extend = (v: ValueId, at: number): void => { ends.set(v, Math.max(ends.get(v) ?? -1, at)); };
  // Outputs are read after the last statement (copied or handed to the caller).
  for (const o of p.outputs) extend(o.value, body.length);
  for (let i = body.length - 1; i >= 0; i--) {
    const s = body[i];
    let until = i;
    if (mayAlias(s)) for (const r of s.results) until = Math.max(until, ends.get(r) ?? i);
    for (const v of readsOf(s)) extend(v, until);
  }
  return ends;
}

interface Candidate {
  readonly value: ValueId; readonly stmt: number; readonly result: number; readonly dtype: DType;
  readonly length: number; readonly bytes: number; readonly start: number; readonly end: number;
}

function plannableValues(p: Program, body: readonly LetStmt[], ends: ReadonlyMap<ValueId, number>, symbolicAsOne: boolean): Candidate[] {
  const excluded = new Set<ValueId>([...p.inputs.map((i) => i.value), ...p.outputs.map((o) => o.value)]);
  // Values the generator computes once at load (constants, calls on constants only):
  // the same rule as emit-program's load-time evaluation, or wider, never narrower.
  const constant = new Set<ValueId>();
  const out: Candidate[] = [];
  body.forEach((s, i) => {
    const e = s.expr;
    if (e.kind === 'const') { constant.add(s.results[0]); return; }
    if (e.kind === 'value') { if (constant.has(e.id)) constant.add(s.results[0]); return; }
    const prim = lookupPrimitive(e.prim);
    const hasRegions = (e.regions !== undefined && e.regions.length > 0) || prim?.regions === true;
    // Region results are set by the region; views never allocate: nothing to reserve for either.
    if (prim === undefined || hasRegions || prim.outputsAreViews === true) return;
    if (!prim.impure && e.args.every((a) => a === null || constant.has(a))) {
      for (const r of s.results) constant.add(r);
      return;
    }
    s.results.forEach((r, k) => {
      if (excluded.has(r)) return;
      const t = p.values[r]?.type;
      if (t === undefined || t.kind !== 'tensor' || t.shape === null) return;
      let length = 1;
      for (const d of t.shape) {
        if (typeof d === 'string' && symbolicAsOne) continue;
        if (typeof d !== 'number' || !Number.isInteger(d) || d < 0) return;
        length *= d;
      }
      const size = elementBytes(t.dtype);
      if (size === undefined || length === 0) return;
      out.push({ value: r, stmt: i, result: k, dtype: t.dtype, length, bytes: length * size, start: i, end: Math.max(i, ends.get(r) ?? i) });
    });
  });
  return out;
}

function alignUp(n: number): number {
  return Math.ceil(n / ARENA_ALIGN) * ARENA_ALIGN;
}

/**
 * Largest first; each value goes into the smallest gap, among the values already
 * placed whose live ranges overlap its own, that holds it, else above them all.
 */
function placeGreedyBySize(candidates: readonly Candidate[]): PlannedValue[] {
  const order = candidates.slice().sort((a, b) => b.bytes - a.bytes || a.start - b.start || a.value - b.value);
  const placed: PlannedValue[] = [];
  for (const c of order) {
    const size = alignUp(c.bytes);
    const busy = placed
      .filter((q) => q.start <= c.end && c.start <= q.end)
      .sort((a, b) => a.offset - b.offset || a.value - b.value);
    let best = -1;
    let bestGap = Infinity;
    let top = 0;
    for (const q of busy) {
      const gap = q.offset - top;
      if (gap >= size && gap < bestGap) { best = top; bestGap = gap; }
      top = Math.max(top, q.offset + alignUp(q.bytes));
    }
    placed.push({ ...c, offset: best >= 0 ? best : top });
  }
  return placed;
}
