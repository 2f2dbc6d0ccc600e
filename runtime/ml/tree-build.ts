// Compile-time half of the tree ensembles: turns the attribute lists of
// TreeEnsembleClassifier/Regressor (1, 3) and TreeEnsemble (5) into the compact
// tables that runtime/ml/tree-ensemble.ts walks. Called by the front end
// (src/frontends/onnx/ops/ml-models.ts) only; nothing here runs in a generated module.
//
// Both attribute layouts are first translated into one neutral form (RawForest:
// decision nodes, leaves with their weights, roots), then laid out:
// - decision nodes reachable from a root are renumbered in depth-first preorder
//   (a node's true child usually follows it in memory) and stored as records of
//   feature, threshold and children in one array (one cache line per node visited);
// - a child reference r >= 0 is a decision node, r < 0 is leaf ~r;
// - split rules are reduced to <=, <, == and set membership: x >= t is "not x < t"
//   and x > t is "not x <= t", so those nodes swap their children; x != t becomes
//   == with swapped children. Where NaN goes is kept per node apart from that
//   (the `nanc` table, only when some node does not send NaN to its false child).
// Errors (bad ids, cycles, length mismatches) go to `fail` naming the attribute.

import { RECORD_F32, RECORD_F64, SPLIT_EQ, SPLIT_LEQ, SPLIT_LT, SPLIT_MEMBER, type NodeRecord } from './tree-ensemble.js';

export type Fail = (attribute: string, message: string) => never;

/** Split rules as TreeEnsemble-5 numbers them in nodes_modes. */
export const MODE_LEQ = 0;
export const MODE_LT = 1;
export const MODE_GTE = 2;
export const MODE_GT = 3;
export const MODE_EQ = 4;
export const MODE_NEQ = 5;
export const MODE_MEMBER = 6;

const MODE_NAMES = ['BRANCH_LEQ', 'BRANCH_LT', 'BRANCH_GTE', 'BRANCH_GT', 'BRANCH_EQ', 'BRANCH_NEQ'];

/** A forest in neutral form. References: r >= 0 is decision node r, r < 0 is leaf ~r. */
export interface RawForest {
  /** Per decision node. */
  readonly feature: ArrayLike<number>;
  readonly mode: ArrayLike<number>;
  readonly threshold: ArrayLike<number>;
  /** 1 where NaN takes the true branch (nodes_missing_value_tracks_true); null: none does. */
  readonly missingTrue: ArrayLike<number> | null;
  readonly yes: Int32Array;
  readonly no: Int32Array;
  /** The value set of each BRANCH_MEMBER node. */
  readonly members: ReadonlyMap<number, readonly number[]>;
  /** Leaves: weights of leaf j are entries leafStart[j] .. leafStart[j+1]-1. */
  readonly leafStart: Int32Array;
  readonly weightTarget: ArrayLike<number>;
  readonly weightValue: ArrayLike<number>;
  /** One reference per tree. */
  readonly roots: Int32Array;
}

/** The laid-out forest: what the kernels index (wrapped as tensors by the front end). */
export interface ForestLayout {
  /** Decision nodes, one record each (RECORD_F32 / RECORD_F64 in tree-ensemble.ts). */
  readonly nodes: Int32Array;
  /** Thresholds are float64 (records of 6 words) rather than float32 (4 words). */
  readonly double: boolean;
  readonly nanc: Int32Array | null;
  readonly mode: Uint8Array | null;
  readonly uniform: number;
  readonly members: Float64Array | null;
  readonly roots: Int32Array;
  readonly leafStart: Int32Array | null;
  readonly leafTarget: Int32Array | null;
  readonly leafWeight: Float32Array | Float64Array;
  readonly maxFeature: number;
}

// ------------------------------------------------------------------ TreeEnsembleClassifier/Regressor

/** The nodes_* and class_* / target_* attributes of the older operators. */
export interface V3Attributes {
  readonly treeIds: readonly number[];
  readonly nodeIds: readonly number[];
  readonly featureIds: readonly number[];
  readonly modes: readonly string[];
  readonly values: ArrayLike<number>;
  readonly trueIds: readonly number[];
  readonly falseIds: readonly number[];
  readonly missingTrue: readonly number[];
  readonly weightTree: readonly number[];
  readonly weightNode: readonly number[];
  readonly weightId: readonly number[];
  readonly weightValue: ArrayLike<number>;
  /** 'class' or 'target': the prefix of the weight attributes, for messages. */
  readonly prefix: string;
  readonly targets: number;
}

/**
 * (tree id, node id) → position in the nodes_* lists. Node ids are usually 0..n-1 per
 * tree, so each tree gets a dense table when its ids allow (a Map otherwise); the
 * last tree looked up is remembered, as lists come tree by tree.
 */
class NodeIndex {
  private readonly trees = new Map<number, { min: number; dense: Int32Array | null; sparse: Map<number, number> | null }>();
  private lastTree = NaN;
  private last: { min: number; dense: Int32Array | null; sparse: Map<number, number> | null } | undefined;

  constructor(treeIds: readonly number[], nodeIds: readonly number[], fail: Fail) {
    const range = new Map<number, { min: number; max: number; count: number }>();
    for (let i = 0; i < treeIds.length; i++) {
      const r = range.get(treeIds[i]), id = nodeIds[i];
      if (r === undefined) range.set(treeIds[i], { min: id, max: id, count: 1 });
      else { if (id < r.min) r.min = id; if (id > r.max) r.max = id; r.count++; }
    }
    for (const [tree, r] of range) {
      const dense = r.max - r.min < 2 * r.count + 64;
      this.trees.set(tree, { min: r.min, dense: dense ? new Int32Array(r.max - r.min + 1).fill(-1) : null, sparse: dense ? null : new Map() });
    }
    for (let i = 0; i < treeIds.length; i++) {
      if (this.get(treeIds[i], nodeIds[i]) !== undefined) fail('nodes_nodeids', `node id ${nodeIds[i]} appears twice in tree ${treeIds[i]}`);
      const t = this.last!, id = nodeIds[i];
      if (t.dense !== null) t.dense[id - t.min] = i;
      else (t.sparse as Map<number, number>).set(id, i);
    }
  }

  get(tree: number, node: number): number | undefined {
    if (tree !== this.lastTree) { this.last = this.trees.get(tree); this.lastTree = tree; }
    const t = this.last;
    if (t === undefined) return undefined;
    if (t.dense === null) return (t.sparse as Map<number, number>).get(node);
    const at = node - t.min;
    const i = at >= 0 && at < t.dense.length ? t.dense[at] : -1;
    return i >= 0 ? i : undefined;
  }
}

function checkLength(fail: Fail, name: string, got: number, want: number, optional = false): void {
  if (got !== want && !(optional && got === 0)) {
    fail(name, `has ${got} values; nodes_treeids has ${want}${optional ? ' (it may also be left empty)' : ''}`);
  }
}

function v3Mode(s: string, i: number, fail: Fail): number {
  if (s === 'LEAF') return -1;
  if (s === 'BRANCH_LEQ') return MODE_LEQ;
  const m = MODE_NAMES.indexOf(s);
  if (m < 0) fail('nodes_modes', `entry ${i} is ${JSON.stringify(s)}; expected BRANCH_LEQ, BRANCH_LT, BRANCH_GTE, BRANCH_GT, BRANCH_EQ, BRANCH_NEQ or LEAF`);
  return m;
}

/** Translates the id-based node lists of TreeEnsembleClassifier/Regressor. */
export function forestFromV3(a: V3Attributes, fail: Fail): RawForest {
  const m = a.treeIds.length;
  checkLength(fail, 'nodes_nodeids', a.nodeIds.length, m);
  checkLength(fail, 'nodes_featureids', a.featureIds.length, m);
  checkLength(fail, 'nodes_modes', a.modes.length, m);
  checkLength(fail, 'nodes_values', a.values.length, m);
  checkLength(fail, 'nodes_truenodeids', a.trueIds.length, m);
  checkLength(fail, 'nodes_falsenodeids', a.falseIds.length, m);
  checkLength(fail, 'nodes_missing_value_tracks_true', a.missingTrue.length, m, true);

  // Position of each entry among the decision nodes, or ~position among the leaves.
  const ref = new Int32Array(m);
  const index = new NodeIndex(a.treeIds, a.nodeIds, fail);
  let decisions = 0, leaves = 0;
  const modeOf = new Int8Array(m);
  for (let i = 0; i < m; i++) {
    modeOf[i] = v3Mode(a.modes[i], i, fail);
    ref[i] = modeOf[i] < 0 ? ~leaves++ : decisions++;
  }

  const feature = new Int32Array(decisions), mode = new Uint8Array(decisions), threshold = new Float64Array(decisions);
  const yes = new Int32Array(decisions), no = new Int32Array(decisions);
  const missingTrue = a.missingTrue.some((v) => v !== 0) ? new Uint8Array(decisions) : null;
  const referenced = new Uint8Array(m);
  const child = (i: number, id: number, name: string): number => {
    const j = index.get(a.treeIds[i], id);
    if (j === undefined) fail(name, `node ${a.nodeIds[i]} of tree ${a.treeIds[i]} points to node ${id}, which the tree does not have`);
    referenced[j] = 1;
    return ref[j];
  };
  for (let i = 0; i < m; i++) {
    const d = ref[i];
    if (d < 0) continue;
    if (a.featureIds[i] < 0) fail('nodes_featureids', `entry ${i} is negative (${a.featureIds[i]})`);
    feature[d] = a.featureIds[i];
    mode[d] = modeOf[i];
    threshold[d] = a.values[i];
    yes[d] = child(i, a.trueIds[i], 'nodes_truenodeids');
    no[d] = child(i, a.falseIds[i], 'nodes_falsenodeids');
    if (missingTrue !== null) missingTrue[d] = a.missingTrue[i] !== 0 ? 1 : 0;
  }
  return {
    feature, mode, threshold, missingTrue, yes, no, members: new Map(),
    ...v3Leaves(a, index, ref, leaves, fail),
    roots: v3Roots(a, ref, referenced, fail),
  };
}

/** Each tree's root: its one node that no decision node of the tree points to. */
function v3Roots(a: V3Attributes, ref: Int32Array, referenced: Uint8Array, fail: Fail): Int32Array {
  const rootOf = new Map<number, number[]>();
  for (let i = 0; i < a.treeIds.length; i++) {
    const t = a.treeIds[i];
    let list = rootOf.get(t);
    if (list === undefined) { list = []; rootOf.set(t, list); }
    if (!referenced[i]) list.push(i);
  }
  const roots = new Int32Array(rootOf.size);
  let k = 0;
  for (const [tree, list] of rootOf) {
    if (list.length !== 1) {
      fail('nodes_truenodeids', list.length === 0
        ? `tree ${tree} has no root: every node is the child of another (a cycle)`
        : `tree ${tree} has ${list.length} nodes that no other node points to (node ids ${list.slice(0, 5).map((i) => a.nodeIds[i]).join(', ')}); a tree has one root`);
    }
    roots[k++] = ref[list[0]];
  }
  return roots;
}

/** The weights of each leaf (in attribute order), as CSR lists. Weights on decision nodes are ignored, as onnxruntime does. */
function v3Leaves(a: V3Attributes, index: NodeIndex, ref: Int32Array, leaves: number, fail: Fail):
    Pick<RawForest, 'leafStart' | 'weightTarget' | 'weightValue'> {
  const w = a.weightId.length, p = a.prefix;
  if (a.weightTree.length !== w) fail(`${p}_treeids`, `has ${a.weightTree.length} values; ${p}_ids has ${w}`);
  if (a.weightNode.length !== w) fail(`${p}_nodeids`, `has ${a.weightNode.length} values; ${p}_ids has ${w}`);
  if (a.weightValue.length !== w) fail(`${p}_weights`, `has ${a.weightValue.length} values; ${p}_ids has ${w}`);
  const leafOf = new Int32Array(w);
  const count = new Int32Array(leaves + 1);
  for (let i = 0; i < w; i++) {
    const j = index.get(a.weightTree[i], a.weightNode[i]);
    if (j === undefined) fail(`${p}_nodeids`, `entry ${i} names node ${a.weightNode[i]} of tree ${a.weightTree[i]}, which does not exist`);
    const id = a.weightId[i];
    if (!(id >= 0 && id < a.targets)) fail(`${p}_ids`, `entry ${i} is ${id}; it must be in [0, ${a.targets})`);
    leafOf[i] = ref[j] < 0 ? ~ref[j] : -1;
    if (leafOf[i] >= 0) count[leafOf[i] + 1]++;
  }
  const leafStart = new Int32Array(leaves + 1);
  for (let j = 0; j < leaves; j++) leafStart[j + 1] = leafStart[j] + count[j + 1];
  const total = leafStart[leaves];
  const weightTarget = new Int32Array(total), weightValue = new Float64Array(total);
  const fill = leafStart.slice(0, leaves);
  for (let i = 0; i < w; i++) {
    const j = leafOf[i];
    if (j < 0) continue;
    weightTarget[fill[j]] = a.weightId[i];
    weightValue[fill[j]++] = a.weightValue[i];
  }
  return { leafStart, weightTarget, weightValue };
}

// ------------------------------------------------------------------ TreeEnsemble-5

/** TreeEnsemble-5's attributes: interior nodes and leaves are separate lists. */
export interface V5Attributes {
  readonly featureIds: readonly number[];
  readonly modes: ArrayLike<number>;
  readonly splits: ArrayLike<number>;
  readonly trueIds: readonly number[];
  readonly falseIds: readonly number[];
  readonly trueLeafs: readonly number[];
  readonly falseLeafs: readonly number[];
  readonly missingTrue: readonly number[];
  readonly membership: ArrayLike<number> | null;
  readonly treeRoots: readonly number[];
  readonly leafTargets: readonly number[];
  readonly leafWeights: ArrayLike<number>;
  readonly targets: number;
}

/** Translates TreeEnsemble-5's index-based lists. */
export function forestFromV5(a: V5Attributes, fail: Fail): RawForest {
  const n = a.featureIds.length;
  const nodeLists: [string, number][] = [
    ['nodes_modes', a.modes.length], ['nodes_splits', a.splits.length], ['nodes_truenodeids', a.trueIds.length],
    ['nodes_falsenodeids', a.falseIds.length], ['nodes_trueleafs', a.trueLeafs.length], ['nodes_falseleafs', a.falseLeafs.length],
  ];
  for (const [name, len] of nodeLists) if (len !== n) fail(name, `has ${len} values; nodes_featureids has ${n}`);
  if (a.missingTrue.length !== 0 && a.missingTrue.length !== n) {
    fail('nodes_missing_value_tracks_true', `has ${a.missingTrue.length} values; nodes_featureids has ${n}`);
  }
  const leaves = a.leafTargets.length;
  if (a.leafWeights.length !== leaves) fail('leaf_weights', `has ${a.leafWeights.length} values; leaf_targetids has ${leaves}`);
  for (let j = 0; j < leaves; j++) {
    if (!(a.leafTargets[j] >= 0 && a.leafTargets[j] < a.targets)) fail('leaf_targetids', `entry ${j} is ${a.leafTargets[j]}; it must be in [0, ${a.targets})`);
  }

  const ref = (i: number, id: number, isLeaf: number, name: string): number => {
    const limit = isLeaf ? leaves : n;
    if (!(id >= 0 && id < limit)) fail(name, `node ${i} points to ${isLeaf ? 'leaf' : 'node'} ${id}, out of range [0, ${limit})`);
    return isLeaf ? ~id : id;
  };
  const yes = new Int32Array(n), no = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    if (!(a.modes[i] >= MODE_LEQ && a.modes[i] <= MODE_MEMBER)) fail('nodes_modes', `entry ${i} is ${a.modes[i]}; expected 0 (BRANCH_LEQ) to 6 (BRANCH_MEMBER)`);
    if (a.featureIds[i] < 0) fail('nodes_featureids', `entry ${i} is negative (${a.featureIds[i]})`);
    yes[i] = ref(i, a.trueIds[i], a.trueLeafs[i], 'nodes_truenodeids');
    no[i] = ref(i, a.falseIds[i], a.falseLeafs[i], 'nodes_falsenodeids');
  }
  const roots = Int32Array.from(a.treeRoots, (r) => {
    if (!(r >= 0 && r < n)) fail('tree_roots', `root ${r} is out of range [0, ${n})`);
    return r;
  });
  const leafStart = new Int32Array(leaves + 1);
  for (let j = 0; j <= leaves; j++) leafStart[j] = j;
  return {
    feature: a.featureIds, mode: a.modes, threshold: a.splits,
    missingTrue: a.missingTrue.some((v) => v !== 0) ? a.missingTrue : null,
    yes, no, members: membershipSets(a, fail),
    leafStart, weightTarget: a.leafTargets, weightValue: a.leafWeights, roots,
  };
}

/** membership_values holds one NaN-terminated list per BRANCH_MEMBER node, in node order. */
function membershipSets(a: V5Attributes, fail: Fail): Map<number, number[]> {
  const sets = new Map<number, number[]>();
  const values = a.membership;
  let at = 0;
  for (let i = 0; i < a.modes.length; i++) {
    if (a.modes[i] !== MODE_MEMBER) continue;
    if (values === null || at >= values.length) fail('membership_values', `has no value list for BRANCH_MEMBER node ${i}`);
    const set: number[] = [];
    while (at < values.length && !Number.isNaN(values[at])) set.push(values[at++]);
    at++; // the NaN separator (or the end)
    sets.set(i, set);
  }
  return sets;
}

// ------------------------------------------------------------------ layout

/** How a split rule is evaluated after normalisation (SPLIT_*), plus SWAP when it swaps the children. */
const SWAP = 8;
function normalised(mode: number): number {
  switch (mode) {
    case MODE_LEQ: return SPLIT_LEQ;
    case MODE_LT: return SPLIT_LT;
    case MODE_GTE: return SPLIT_LT | SWAP;
    case MODE_GT: return SPLIT_LEQ | SWAP;
    case MODE_EQ: return SPLIT_EQ;
    case MODE_NEQ: return SPLIT_EQ | SWAP;
    default: return SPLIT_MEMBER;
  }
}

/**
 * Depth-first preorder over the nodes reachable from the roots. Returns the new index
 * of every decision node (-1: unreachable) and of every leaf, and fails on a cycle.
 * Iterative: trees may be thousands of levels deep.
 */
function preorder(raw: RawForest, leafCount: number, fail: Fail): { nodeAt: Int32Array; leafAt: Int32Array; nodes: number; leaves: number } {
  const n = raw.yes.length;
  const nodeAt = new Int32Array(n).fill(-1), leafAt = new Int32Array(leafCount).fill(-1);
  const state = new Uint8Array(n); // 0 unseen, 1 on the current path, 2 finished
  let nodes = 0, leaves = 0;
  const stack: number[] = [];
  const visitLeaf = (r: number): void => { if (leafAt[~r] < 0) leafAt[~r] = leaves++; };
  const visitChild = (c: number): void => {
    if (c < 0) visitLeaf(c);
    else if (state[c] === 1) fail('nodes_truenodeids', `node ${c} is its own ancestor: the trees contain a cycle`);
    else if (state[c] === 0) stack.push(c);
  };
  for (let t = 0; t < raw.roots.length; t++) {
    const root = raw.roots[t];
    if (root < 0) { visitLeaf(root); continue; }
    stack.push(root);
    while (stack.length > 0) {
      const e = stack.pop() as number;
      if (e < 0) { state[~e] = 2; continue; } // exit marker of node ~e
      if (state[e] === 2) continue;           // shared subtree, already laid out
      state[e] = 1;
      nodeAt[e] = nodes++;
      stack.push(~e);
      visitChild(raw.no[e]); // pushed first, so the true child is laid out next
      visitChild(raw.yes[e]);
    }
  }
  return { nodeAt, leafAt, nodes, leaves };
}

/** Whether every value is exactly representable as float32 (NaN counts as exact). */
function float32Exact(values: ArrayLike<number>): boolean {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (Math.fround(v) !== v && v === v) return false;
  }
  return true;
}

/** Node records: one Int32Array with float32 or float64 views on the thresholds. */
function nodeRecords(count: number, double: boolean): { nodes: Int32Array; thr: Float32Array | Float64Array; rec: NodeRecord } {
  const rec = double ? RECORD_F64 : RECORD_F32;
  const nodes = new Int32Array(count * rec.words);
  const thr = double ? new Float64Array(nodes.buffer) : new Float32Array(nodes.buffer);
  return { nodes, thr, rec };
}

/**
 * Lays out a forest. `doubleThresholds`: keep split values as float64 (they came as
 * double); otherwise they are float32 values and are stored as such, so the input is
 * compared with the exact float32 threshold.
 */
export function layoutForest(raw: RawForest, targets: number, doubleThresholds: boolean, fail: Fail): ForestLayout {
  const leafCount = raw.leafStart.length - 1;
  const { nodeAt, leafAt, nodes: count, leaves } = preorder(raw, leafCount, fail);
  const mapRef = (r: number): number => (r >= 0 ? nodeAt[r] : ~leafAt[~r]);

  const { nodes, thr, rec } = nodeRecords(count, doubleThresholds);
  const nanc = new Int32Array(count), mode = new Uint8Array(count);
  const members: number[] = [];
  let maxFeature = -1, nanDiffers = false;
  for (let old = 0; old < raw.yes.length; old++) {
    const i = nodeAt[old];
    if (i < 0) continue;
    const how = normalised(raw.mode[old]), rule = how & ~SWAP, swap = (how & SWAP) !== 0;
    const yes = mapRef(raw.yes[old]), no = mapRef(raw.no[old]);
    const b = i * rec.words;
    nodes[b] = raw.feature[old];
    if (nodes[b] > maxFeature) maxFeature = nodes[b];
    nodes[b + rec.child] = swap ? yes : no;
    nodes[b + rec.child + 1] = swap ? no : yes;
    mode[i] = rule;
    // NaN fails every comparison, so it takes the original false branch, except with
    // != (true for NaN) or when the node says missing values track the true branch.
    const nanTrue = raw.mode[old] === MODE_NEQ || (raw.missingTrue !== null && raw.missingTrue[old] !== 0);
    nanc[i] = nanTrue ? yes : no;
    if (nanc[i] !== nodes[b + rec.child]) nanDiffers = true;
    if (rule === SPLIT_MEMBER) {
      thr[i * rec.thrScale + rec.thrOffset] = members.length;
      const set = [...new Set(raw.members.get(old) ?? [])].sort((x, y) => x - y);
      members.push(set.length, ...set);
    } else {
      thr[i * rec.thrScale + rec.thrOffset] = raw.threshold[old];
    }
  }
  if (members.length >= 1 << 24) fail('membership_values', 'holds more than 2^24 values');
  let uniform = count > 0 ? mode[0] : SPLIT_LEQ;
  for (let i = 1; i < count && uniform >= 0; i++) if (mode[i] !== uniform) uniform = -1;

  const roots = Int32Array.from(raw.roots, mapRef);
  return {
    nodes, double: doubleThresholds, nanc: nanDiffers ? nanc : null, mode: uniform < 0 ? mode : null, uniform,
    members: members.length > 0 ? Float64Array.from(members) : null,
    roots, maxFeature, ...layoutLeaves(raw, leafAt, leaves, targets),
  };
}

/** Leaf weights in the new leaf order; the CSR offsets and target ids are dropped when implied. */
function layoutLeaves(raw: RawForest, leafAt: Int32Array, leaves: number, targets: number):
    Pick<ForestLayout, 'leafStart' | 'leafTarget' | 'leafWeight'> {
  const start = new Int32Array(leaves + 1);
  for (let old = 0; old < leafAt.length; old++) {
    if (leafAt[old] >= 0) start[leafAt[old] + 1] = raw.leafStart[old + 1] - raw.leafStart[old];
  }
  let single = true;
  for (let j = 0; j < leaves; j++) { if (start[j + 1] !== 1) single = false; start[j + 1] += start[j]; }
  const total = start[leaves];
  const target = new Int32Array(total), weight = new Float64Array(total);
  for (let old = 0; old < leafAt.length; old++) {
    const j = leafAt[old];
    if (j < 0) continue;
    for (let s = raw.leafStart[old], d = start[j]; s < raw.leafStart[old + 1]; s++, d++) {
      target[d] = raw.weightTarget[s];
      weight[d] = raw.weightValue[s];
    }
  }
  return {
    leafStart: single ? null : start,
    leafTarget: targets === 1 ? null : target,
    leafWeight: float32Exact(weight) ? Float32Array.from(weight) : weight,
  };
}
