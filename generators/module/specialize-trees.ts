// Straight code for small tree ensembles: the laid-out forest tables become one
// function of nested conditions (per block of trees), with features, thresholds and
// leaf weights as literals. The kernel calls it per row instead of walking tables
// (runtime/ml/tree-ensemble.ts, ForestAttrs.walker). Results are bit-identical to the
// table walk: the same comparisons on the same float values, weights added in the
// same order (tree by tree) in float64.
//
// Only small forests qualify (MAX_STRAIGHT_NODES), in functions of at most
// NODES_PER_FUNCTION decision nodes: until V8 has optimised a function it runs
// interpreted, and its optimising compiler took 1.5 s (on a loaded machine) for one
// function of 336 nested conditions, during which the straight code is slower than
// the tables. V8 also stops optimising functions whose bytecode passes about 60 KB
// (shared/LESSONS.md). Large forests keep the tables, whose small loop is optimised
// at once whatever the forest's size. The kernel runs a new walker once down every
// path before its first use (prime() in tree-ensemble.ts) so that the optimised code
// never meets a leaf it has no type feedback for.

import { RECORD_F32, RECORD_F64, SPLIT_EQ, SPLIT_LEQ, SPLIT_LT, type ForestAttrs } from '../../runtime/ml/tree-ensemble.js';

/** Forests with more decision nodes than this keep the table walk. */
export const MAX_STRAIGHT_NODES = 512;
const NODES_PER_FUNCTION = 128;

/** A number literal that reads back as exactly the same double. */
function num(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return 'Infinity';
  if (v === -Infinity) return '-Infinity';
  return String(v);
}

interface Tables {
  readonly nodes: Int32Array;
  readonly thr: Float32Array | Float64Array;
  readonly words: number;
  readonly child: number;
  readonly thrScale: number;
  readonly thrOffset: number;
  readonly nanc: Int32Array | null;
  readonly mode: Uint8Array | null;
  readonly uniform: number;
  readonly leafStart: Int32Array | null;
  readonly leafTarget: Int32Array | null;
  readonly leafWeight: Float32Array | Float64Array;
}

function tables(a: ForestAttrs): Tables {
  const nodes = a.nodes.data as Int32Array, rec = a.double ? RECORD_F64 : RECORD_F32;
  return {
    nodes,
    thr: a.double ? new Float64Array(nodes.buffer, nodes.byteOffset, nodes.length >> 1) : new Float32Array(nodes.buffer, nodes.byteOffset, nodes.length),
    words: rec.words, child: rec.child, thrScale: rec.thrScale, thrOffset: rec.thrOffset,
    nanc: a.nanc === null ? null : (a.nanc.data as Int32Array),
    mode: a.mode === null ? null : (a.mode.data as Uint8Array),
    uniform: a.uniform,
    leafStart: a.leafStart === null ? null : (a.leafStart.data as Int32Array),
    leafTarget: a.leafTarget === null ? null : (a.leafTarget.data as Int32Array),
    leafWeight: a.leafWeight.data as Float32Array | Float64Array,
  };
}

/** Decision nodes reachable from `ref` (the tree's size). */
function countNodes(t: Tables, ref: number): number {
  let n = 0;
  const stack = [ref];
  while (stack.length > 0) {
    const r = stack.pop() as number;
    if (r < 0) continue;
    n++;
    const b = r * t.words;
    stack.push(t.nodes[b + t.child], t.nodes[b + t.child + 1]);
  }
  return n;
}

/**
 * The source of `(x, o, s, h, b) => void`, which adds the weights of the leaves row
 * x[o..] reaches to s[b + target] (and sets h[b + target] unless `simple`), or
 * undefined when the forest does not qualify.
 */
export function treeWalkerSource(a: ForestAttrs, simple: boolean): string | undefined {
  if (a.members !== null) return undefined;
  const t = tables(a);
  const roots = a.roots.data as Int32Array;
  const sizes = Array.from(roots, (r) => countNodes(t, r));
  const total = sizes.reduce((x, y) => x + y, 0);
  if (total > MAX_STRAIGHT_NODES) return undefined;
  // Trees packed into functions of at most NODES_PER_FUNCTION decision nodes each.
  const groups: number[][] = [];
  let current: number[] = [], size = 0;
  roots.forEach((_, i) => {
    if (current.length > 0 && size + sizes[i] > NODES_PER_FUNCTION) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(i);
    size += sizes[i];
  });
  if (current.length > 0) groups.push(current);
  const fns = groups.map((trees) => functionSource(t, roots, trees, simple));
  if (fns.length === 1) return fns[0];
  const lines = ['((parts) => (x: ArrayLike<number>, o: number, s: Float64Array, h: Uint8Array, b: number): void => {'];
  for (let i = 0; i < fns.length; i++) lines.push(`  parts[${i}](x, o, s, h, b);`);
  lines.push(`})([\n${fns.join(',\n')},\n])`);
  return lines.join('\n');
}

function functionSource(t: Tables, roots: Int32Array, trees: readonly number[], simple: boolean): string {
  const out: string[] = ['(x: ArrayLike<number>, o: number, s: Float64Array, h: Uint8Array, b: number): void => {'];
  for (const i of trees) {
    out.push(`  // tree ${i}`);
    emitRef(t, roots[i], '  ', out, simple);
  }
  out.push('}');
  return out.join('\n');
}

function condition(t: Tables, n: number): string {
  const b = n * t.words, v = `x[o + ${t.nodes[b]}]`, thr = num(t.thr[n * t.thrScale + t.thrOffset]);
  const rule = t.uniform >= 0 ? t.uniform : (t.mode as Uint8Array)[n];
  const op = rule === SPLIT_LEQ ? '<=' : rule === SPLIT_LT ? '<' : rule === SPLIT_EQ ? '===' : undefined;
  if (op === undefined) throw new Error(`split rule ${rule} has no straight-code form`);
  const test = `${v} ${op} ${thr}`;
  // NaN fails every comparison (false child) unless the model routes it to the true child.
  if (t.nanc !== null && t.nanc[n] === t.nodes[b + t.child + 1] && t.nanc[n] !== t.nodes[b + t.child]) return `${test} || ${v} !== ${v}`;
  return test;
}

function emitRef(t: Tables, ref: number, indent: string, out: string[], simple: boolean): void {
  if (ref < 0) {
    emitLeaf(t, ~ref, indent, out, simple);
    return;
  }
  const b = ref * t.words;
  out.push(`${indent}if (${condition(t, ref)}) {`);
  emitRef(t, t.nodes[b + t.child + 1], indent + '  ', out, simple);
  out.push(`${indent}} else {`);
  emitRef(t, t.nodes[b + t.child], indent + '  ', out, simple);
  out.push(`${indent}}`);
}

function emitLeaf(t: Tables, leaf: number, indent: string, out: string[], simple: boolean): void {
  const from = t.leafStart === null ? leaf : t.leafStart[leaf];
  const to = t.leafStart === null ? leaf + 1 : t.leafStart[leaf + 1];
  for (let j = from; j < to; j++) {
    const at = t.leafTarget === null ? 'b' : `b + ${t.leafTarget[j]}`;
    out.push(`${indent}s[${at}] += ${num(t.leafWeight[j])};${simple ? '' : ` h[${at}] = 1;`}`);
  }
}
