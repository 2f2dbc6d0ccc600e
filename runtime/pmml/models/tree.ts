// TreeModel: decision trees for classification and regression.
//
// At compile time the Node hierarchy is flattened breadth-first into parallel typed arrays
// (children of a node are contiguous indices), every node's result (score converted to the
// target's data type, probabilities, confidences, entity id) is built once, and scoring a row walks
// the arrays in a loop: no recursion, and no allocation unless a missing value strategy has to
// build a new result (penalised confidences, weightedConfidence, aggregateNodes). Node predicates
// that are True/False, isMissing/isNotMissing, numeric comparisons, category tests (SimpleSetPredicate
// on string/boolean fields, string equal/notEqual: category indices fixed at compile time, one
// lookup per row and field shared by the trees of an ensemble) and such a test or'ed with isMissing
// (and'ed with isNotMissing) on its field — the bulk of every tree — sit in a flat table too (see
// compileTests); the others are closures from ctx.predicate.
//
// Probabilities come from ScoreDistribution@probability when given (normalised to sum 1), else
// recordCount / sum; confidences from ScoreDistribution@confidence, else the probabilities. A node
// with a score but no ScoreDistribution is a certain vote for its score; one with a ScoreDistribution
// but no score predicts its most probable category. The entity id is the Node id, else its 1-based
// position in document order.
//
// Missing value strategies (a child predicate that is UNKNOWN):
//   none                the child counts as false; the next siblings are tried
//   lastPrediction      stop; the parent (the node being split) is the result
//   nullPrediction      stop; no prediction
//   defaultChild        follow the parent's defaultChild (its predicate is not evaluated); a split
//                       without defaultChild treats the child as false
//   weightedConfidence  score the UNKNOWN child and its later non-FALSE siblings (up to and including
//                       the first TRUE one: siblings after it cannot be reached), each weighted by its
//                       share of their records (recordCount), the confidences summed; applied again
//                       wherever a further UNKNOWN occurs. The class with the highest confidence wins.
//   aggregateNodes      follow every such child as well; the ScoreDistribution record counts of all
//                       leaves reached are added up into one virtual node (probability = share of the
//                       records, the highest count wins)
// Both multi-path strategies give results of no single node (entity id missing); for regression
// trees they give the record-weighted mean of the scores reached.
// missingValuePenalty multiplies the confidences (not the probabilities) once per missing value
// handled while choosing the path: each defaultChild taken, and each node predicate that is a
// surrogate CompoundPredicate decided by an alternative (its first predicate UNKNOWN).

import { arrayEntries, child, childPath, enumAttr, fail, numAttr, optNumAttr, unsupported } from '../el.js';
import { INVALID, categoryKey, isNumericType, parseNumeric, parseValue, toNumber, tryParseValue } from '../values.js';
import type { DataType, El, Env, Evaluator, ModelCompiler, ModelContext, ModelResult, Predicate, Truth, Value } from '../types.js';

const PREDICATES: ReadonlySet<string> = new Set(['SimplePredicate', 'CompoundPredicate', 'SimpleSetPredicate', 'True', 'False']);
const EMBEDDED: ReadonlySet<string> = new Set(['Regression', 'DecisionTree']);

const MISSING_STRATEGIES = ['none', 'lastPrediction', 'nullPrediction', 'defaultChild', 'weightedConfidence', 'aggregateNodes'] as const;
type MissingStrategy = (typeof MISSING_STRATEGIES)[number];

/** The result of a row that gets no prediction. */
export const NO_PREDICTION: ModelResult = Object.freeze({ value: null });

/**
 * The probabilities of a precomputed node result as a vector, for ensembles (mining.ts) that combine
 * hundreds of them per row: `keys` (category keys, interned: equal lists are the same array), the
 * categories, and the probability of each. Filled at compile time; scoring only reads it.
 */
export interface ProbabilityVector {
  readonly keys: readonly string[];
  /** The categories themselves, same order as keys. */
  readonly values: readonly Value[];
  readonly p: Float64Array;
}
/** The property of a node result's probability map that holds its vector (a symbol: invisible to map users). */
export const PROBABILITY_VECTOR: unique symbol = Symbol('pmml.probabilityVector');
export type VectorMap = ReadonlyMap<string, number> & { readonly [PROBABILITY_VECTOR]?: ProbabilityVector };
const KEY_LISTS = new Map<string, readonly string[]>();

function internKeys(keys: readonly string[]): readonly string[] {
  const id = JSON.stringify(keys);
  let list = KEY_LISTS.get(id);
  if (list === undefined) {
    list = Object.freeze(keys.slice());
    KEY_LISTS.set(id, list);
  }
  return list;
}

/** One Node, read from the document (compile time only). */
interface NodeInfo {
  readonly el: El;
  readonly path: string;
  readonly predicate: El;
  readonly children: El[];
  readonly id: string | undefined;
  readonly score: string | undefined;
  readonly recordCount: number | undefined;
  readonly defaultChild: string | undefined;
}

function readNode(el: El, path: string): NodeInfo {
  let predicate: El | undefined;
  const children: El[] = [];
  for (const c of el.c) {
    if (PREDICATES.has(c.n)) {
      if (predicate === undefined) predicate = c;
      else fail(path, `<Node> has more than one predicate (<${predicate.n}> and <${c.n}>)`);
    } else if (c.n === 'Node') children.push(c);
    else if (EMBEDDED.has(c.n)) unsupported(childPath(path, el, c), `embedded models in tree nodes (<${c.n}>, deprecated since PMML 4.2) are not supported`);
  }
  if (predicate === undefined) fail(path, '<Node> needs a predicate (SimplePredicate, CompoundPredicate, SimpleSetPredicate, True or False)');
  const recordCount = optNumAttr(el, 'recordCount', path);
  if (recordCount !== undefined && !(recordCount >= 0)) fail(path, `recordCount="${el.a.recordCount}" is negative`);
  return { el, path, predicate, children, id: el.a.id, score: el.a.score, recordCount, defaultChild: el.a.defaultChild };
}

/** Categories of a classification tree: the target's, then ScoreDistribution/score values not among them. */
class Categories {
  readonly values: Value[] = [];
  readonly keys: string[] = [];
  private readonly index = new Map<string, number>();

  add(v: Value): number {
    const key = categoryKey(v);
    let at = this.index.get(key);
    if (at === undefined) {
      at = this.values.length;
      this.values.push(v);
      this.keys.push(key);
      this.index.set(key, at);
    }
    return at;
  }

  get size(): number {
    return this.values.length;
  }
}

/** The flattened tree. Node 0 is the root; children of node n are start[n] .. end[n]-1. */
interface Flat {
  readonly size: number;
  readonly info: NodeInfo[];
  readonly start: Int32Array;
  readonly end: Int32Array;
  /** Index of the defaultChild node, -1 when none. */
  readonly defaultChild: Int32Array;
}

function flatten(rootEl: El, rootPath: string): Flat {
  const info: NodeInfo[] = [readNode(rootEl, rootPath)];
  const start: number[] = [];
  const end: number[] = [];
  // Breadth first: the children of each node get consecutive indices.
  for (let n = 0; n < info.length; n++) {
    const node = info[n];
    start.push(info.length);
    for (const c of node.children) info.push(readNode(c, childPath(node.path, node.el, c)));
    end.push(info.length);
  }
  const size = info.length;
  const defaultChild = new Int32Array(size).fill(-1);
  for (let n = 0; n < size; n++) {
    const want = info[n].defaultChild;
    if (want === undefined) continue;
    let found = -1;
    for (let c = start[n]; c < end[n]; c++) {
      if (info[c].id === want) {
        found = c;
        break;
      }
    }
    if (found < 0) {
      if (start[n] === end[n]) continue; // a leaf: defaultChild is never used
      fail(info[n].path, `defaultChild="${want}" is not the id of a child Node`);
    }
    defaultChild[n] = found;
  }
  return { size, info, start: Int32Array.from(start), end: Int32Array.from(end), defaultChild };
}

/** 1-based depth-first (document order) position of every node: the entity id of nodes without an id. */
function preorderIndex(flat: Flat): Int32Array {
  const order = new Int32Array(flat.size);
  const stack: number[] = [0];
  let next = 1;
  while (stack.length > 0) {
    const n = stack.pop()!;
    order[n] = next++;
    for (let c = flat.end[n] - 1; c >= flat.start[n]; c--) stack.push(c);
  }
  return order;
}

export const treeModel: ModelCompiler = {
  element: 'TreeModel',
  compile(el: El, ctx: ModelContext): (env: Env) => ModelResult {
    const path = ctx.path;
    const fn = ctx.functionName;
    if (fn !== 'classification' && fn !== 'regression') unsupported(path, `TreeModel with functionName="${fn}" is not supported (classification or regression)`);
    const classification = fn === 'classification';
    const strategy: MissingStrategy = enumAttr(el, 'missingValueStrategy', MISSING_STRATEGIES, 'none', path);
    const penalty = numAttr(el, 'missingValuePenalty', path, 1);
    if (!(penalty >= 0 && penalty <= 1)) fail(path, `missingValuePenalty="${el.a.missingValuePenalty}" is not a probability (0 to 1)`);
    const noTrueChild = enumAttr(el, 'noTrueChildStrategy', ['returnNullPrediction', 'returnLastPrediction'] as const, 'returnNullPrediction', path);
    enumAttr(el, 'splitCharacteristic', ['binarySplit', 'multiSplit'] as const, 'multiSplit', path);

    const rootEl = child(el, 'Node');
    if (!rootEl) fail(path, '<TreeModel> needs a root <Node>');
    const flat = flatten(rootEl, childPath(path, el, rootEl));
    const { info } = flat;

    const countSurrogates = classification && penalty !== 1;
    const mode = strategy === 'none' ? MODE_NONE : strategy === 'lastPrediction' ? MODE_LAST : strategy === 'nullPrediction' ? MODE_NULL
      : strategy === 'defaultChild' ? MODE_DEFAULT : MODE_MULTI;
    const tree = new Tree(flat, mode, noTrueChild === 'returnLastPrediction');
    compileTests(tree, flat, ctx, countSurrogates);
    const order = preorderIndex(flat);
    const entityIds = info.map((node, n) => node.id ?? String(order[n]));

    const nodes = classification
      ? classificationNodes(flat, ctx, entityIds)
      : regressionNodes(flat, entityIds);
    const results = nodes.results;

    if (mode === MODE_MULTI) {
      const multi = makeMultiPath(tree, nodes, strategy === 'weightedConfidence');
      return (env) => {
        const n = walk(tree, env);
        if (n >= 0) return results[n];
        return n === -2 ? multi(env) : NO_PREDICTION;
      };
    }
    if (countSurrogates) {
      return (env) => {
        const n = walk(tree, env);
        if (n < 0) return NO_PREDICTION;
        const base = results[n];
        if (tree.missingCount === 0 || base.confidences === undefined) return base;
        return penalise(base, penalty ** tree.missingCount);
      };
    }
    return (env) => {
      const n = walk(tree, env);
      return n < 0 ? NO_PREDICTION : results[n];
    };
  },
};

/** A copy of `base` with every confidence multiplied by `factor`. */
function penalise(base: ModelResult, factor: number): ModelResult {
  const confidences = new Map<string, number>();
  for (const [k, c] of base.confidences!) confidences.set(k, c * factor);
  return { ...base, confidences };
}

const MODE_NONE = 0;
const MODE_LAST = 1;
const MODE_NULL = 2;
const MODE_DEFAULT = 3;
const MODE_MULTI = 4;

/**
 * Everything a row's walk needs, in one object of fixed shape: the node structure, the predicate
 * table and the per-row scratch (scoring is synchronous, one row at a time per compiled tree). The
 * walk and the predicate test are module functions taking this object, so that one compiled copy of
 * them serves every tree (a closure per tree would make the calls between them megamorphic).
 */
class Tree {
  readonly start: Int32Array;
  readonly end: Int32Array;
  readonly defaultChild: Int32Array;
  readonly kind: Uint8Array;
  readonly field: Int32Array;
  readonly threshold: Float64Array;
  /** The truth of node c's predicate when its field is missing (TRUTH_*): UNKNOWN, or fixed by an isMissing part. */
  readonly whenMissing: Uint8Array;
  /** Categorical tests (K_IN, K_IN_STRING): where node c's row of `member` starts. */
  readonly memberBase: Int32Array;
  /** member[memberBase[c] + category index of the row's value] === 1 when node c's predicate is true. */
  member = new Uint8Array(0);
  closures: (Predicate | null)[] = [];
  getters: Evaluator[] = [];
  /** Categorical fields: their category indices (shared with the other trees reading the field); null for the others. */
  categories: (FieldCategories | null)[] = [];
  /** Categorical fields: the categories this tree knows (indices from this on, and unknown values, are "any other value"). */
  categoryCount = new Int32Array(0);
  /** Field values of the current row: read on first use, valid while stamp[f] === row. */
  stamp = new Int32Array(0);
  value = new Float64Array(0);
  missing = new Uint8Array(0);
  /** Categorical fields: the category index of the row's value, and whether the value is a string. */
  category = new Int32Array(0);
  isString = new Uint8Array(0);
  row = 0;
  /** Missing values handled on the current path (defaultChild taken, surrogate alternative used). */
  missingCount = 0;
  /** For the multi-path strategies: the node being split and its first UNKNOWN child. */
  split = -1;
  from = -1;

  constructor(flat: Flat, readonly mode: number, readonly returnLast: boolean) {
    this.start = flat.start;
    this.end = flat.end;
    this.defaultChild = flat.defaultChild;
    this.kind = new Uint8Array(flat.size);
    this.field = new Int32Array(flat.size);
    this.threshold = new Float64Array(flat.size);
    this.whenMissing = new Uint8Array(flat.size);
    this.memberBase = new Int32Array(flat.size);
  }

  setFields(getters: Evaluator[], categories: (FieldCategories | null)[], categoryCount: Int32Array<ArrayBuffer>): void {
    const n = getters.length;
    this.getters = getters;
    this.categories = categories;
    this.categoryCount = categoryCount;
    this.stamp = new Int32Array(n);
    this.value = new Float64Array(n);
    this.missing = new Uint8Array(n);
    this.category = new Int32Array(n);
    this.isString = new Uint8Array(n);
  }
}

/** Reads field f for the current row into the tree's row cache. */
function load(t: Tree, f: number, env: Env): void {
  const v = t.getters[f](env);
  t.stamp[f] = t.row;
  if (v === null) {
    t.missing[f] = 1;
    return;
  }
  t.missing[f] = 0;
  const cats = t.categories[f];
  if (cats === null) {
    t.value[f] = typeof v === 'number' ? v : toNumber(v);
    return;
  }
  const text = typeof v === 'string';
  let at = cats.lastAt;
  if (v !== cats.lastValue) {
    // The key predicates.ts compares for SimpleSetPredicate: the string itself, else its categoryKey.
    const found = cats.index.get(text ? v : categoryKey(v));
    at = found === undefined ? -1 : found;
    cats.lastValue = v;
    cats.lastAt = at;
  }
  const count = t.categoryCount[f];
  t.category[f] = at < 0 || at >= count ? count : at;
  t.isString[f] = text ? 1 : 0;
}

/**
 * The category indices of a field, shared by every tree that reads it through the same evaluator
 * (the trees of an ensemble whose segments list the field plainly): the row's value is then looked
 * up once, not once per tree. Each tree knows the categories registered up to its own compilation;
 * a later tree's indices are "any other value" to it, which they are (none of its keys).
 */
class FieldCategories {
  readonly index = new Map<string, number>();
  /** The last value looked up and its index (-1: none): every tree of a row gets the very same value. */
  lastValue: Value = null;
  lastAt = -1;
}

const SHARED_CATEGORIES = new WeakMap<Evaluator, FieldCategories>();

function sharedCategories(get: Evaluator): FieldCategories {
  let cats = SHARED_CATEGORIES.get(get);
  if (cats === undefined) {
    cats = new FieldCategories();
    SHARED_CATEGORIES.set(get, cats);
  }
  return cats;
}

/** The predicate of node c: true, false or null (UNKNOWN). */
function test(t: Tree, c: number, env: Env): Truth {
  const k = t.kind[c];
  if (k === K_CLOSURE) return t.closures[c]!(env);
  if (k === K_TRUE) return true;
  if (k === K_FALSE) return false;
  const f = t.field[c];
  if (t.stamp[f] !== t.row) load(t, f, env);
  if (t.missing[f] === 1) {
    const m = t.whenMissing[c];
    return m === TRUTH_UNKNOWN ? null : m === TRUTH_TRUE;
  }
  if (k === K_MISSING) return false;
  if (k === K_NOT_MISSING) return true;
  if (k === K_IN) return t.member[t.memberBase[c] + t.category[f]] === 1;
  // equal/notEqual on a string field: a value of another type compares as predicates.ts says (valuesEqual).
  if (k === K_IN_STRING) return t.isString[f] === 1 ? t.member[t.memberBase[c] + t.category[f]] === 1 : t.closures[c]!(env);
  const x = t.value[f];
  const y = t.threshold[c];
  switch (k) {
    case K_LT: return x < y;
    case K_LE: return x <= y;
    case K_GT: return x > y;
    case K_GE: return x >= y;
    case K_EQ: return x === y;
    default: return x !== y;
  }
}

/**
 * The single-path walk. Returns the index of the node whose result is the prediction, -1 for no
 * prediction, or -2 when a multi-path strategy takes over (t.split / t.from say where).
 */
function walk(t: Tree, env: Env): number {
  t.missingCount = 0;
  if (++t.row === 0x3fffffff) {
    t.stamp.fill(0);
    t.row = 1;
  }
  if (test(t, 0, env) !== true) return -1;
  const { start, end, mode } = t;
  let n = 0;
  for (;;) {
    const s = start[n];
    const e = end[n];
    if (s === e) return n;
    let next = -1;
    for (let c = s; c < e; c++) {
      const r = test(t, c, env);
      if (r === true) {
        next = c;
        break;
      }
      if (r === null && mode !== MODE_NONE) {
        if (mode === MODE_LAST) return n;
        if (mode === MODE_NULL) return -1;
        if (mode === MODE_DEFAULT) {
          // A split without defaultChild: the UNKNOWN child counts as false (as with "none").
          const d = t.defaultChild[n];
          if (d < 0) continue;
          next = d;
          t.missingCount++;
          break;
        }
        t.split = n;
        t.from = c;
        return -2;
      }
    }
    if (next < 0) return t.returnLast ? n : -1;
    n = next;
  }
}

// Predicate kinds of the flat table. Numeric comparisons, category tests, True/False and
// isMissing/isNotMissing are evaluated from typed arrays (trees of big ensembles hold hundreds of
// thousands of them: one closure each would scatter them over the heap, and KNIME's `x <= t or x is
// missing` would cost three calls); everything else calls the predicate compiled by ctx.predicate.
const K_CLOSURE = 0;
const K_TRUE = 1;
const K_FALSE = 2;
const K_LT = 3;
const K_LE = 4;
const K_GT = 5;
const K_GE = 6;
const K_EQ = 7;
const K_NE = 8;
const K_MISSING = 9;
const K_NOT_MISSING = 10;
/** SimpleSetPredicate on a field of a non-numeric type: membership of the value's category. */
const K_IN = 11;
/** equal/notEqual on a string field: membership when the value is a string, else the closure. */
const K_IN_STRING = 12;

/** Tree.whenMissing: the truth of a node's predicate when its field is missing. */
const TRUTH_UNKNOWN = 0;
const TRUTH_TRUE = 1;
const TRUTH_FALSE = 2;
/** A categorical field whose predicates name more categories than this keeps its closures (a bitset per node would grow too big). */
const MAX_CATEGORIES = 1024;
const NUMERIC_OPS: { readonly [op: string]: number } = {
  lessThan: K_LT, lessOrEqual: K_LE, greaterThan: K_GT, greaterOrEqual: K_GE, equal: K_EQ, notEqual: K_NE,
};

/**
 * Fills the flat predicate table of a tree. A SimplePredicate on a field of a numeric data type (not
 * ordinal) with a numeric value compares like the core's predicates.ts: missing → UNKNOWN, else
 * the value (as a number) against the constant read as the field's data type (a constant that does
 * not fit, e.g. 2.5 for an integer field, compares as the number it spells). A SimpleSetPredicate on
 * a field of a non-numeric type, and equal/notEqual on a string field, become category tests: the
 * categories their values name get indices at compile time, the row's value is looked up once per
 * row and tree, and each node holds a row of `member` saying which indices make it true. A
 * CompoundPredicate `or` of such a test and isMissing on the same field (KNIME writes every split
 * so), or `and` with isNotMissing, is the test with a fixed truth for a missing value: that is what
 * the three-valued or/and of the two parts give. Each field is read at most once per row through its
 * scope binding. With `countSurrogates` (penalised classification trees), a surrogate
 * CompoundPredicate directly under a Node is evaluated here so that the use of an alternative can be
 * counted. Everything else calls the predicate compiled by ctx.predicate.
 */
function compileTests(tree: Tree, flat: Flat, ctx: ModelContext, countSurrogates: boolean): void {
  const { size, info } = flat;
  const { kind, field, threshold, whenMissing } = tree;
  const closures: (Predicate | null)[] = new Array<Predicate | null>(size).fill(null);
  const getters: Evaluator[] = [];
  const fieldIndex = new Map<string, number>();
  /** Per field: null (numeric or isMissing only) or its category keys in order of first use. */
  const categories: (FieldCategories | null)[] = [];
  /** Category tests: node, and the keys that make it true when `isIn` (false when not). */
  const sets: { node: number; keys: readonly string[]; isIn: boolean }[] = [];

  const fieldOf = (test: FlatTest): number => {
    let f = fieldIndex.get(test.name);
    if (f === undefined) {
      f = getters.length;
      getters.push(test.get);
      categories.push(null);
      fieldIndex.set(test.name, f);
    }
    return f;
  };

  for (let n = 0; n < size; n++) {
    const node = info[n];
    const p = node.predicate;
    const predPath = childPath(node.path, node.el, p);
    if (p.n === 'True' || p.n === 'False') {
      kind[n] = p.n === 'True' ? K_TRUE : K_FALSE;
      continue;
    }
    const fast = flatTest(p, predPath, ctx);
    if (fast) {
      const f = fieldOf(fast);
      kind[n] = fast.kind;
      field[n] = f;
      threshold[n] = fast.threshold;
      whenMissing[n] = fast.whenMissing;
      if (fast.keys !== null) {
        const cats = (categories[f] ??= sharedCategories(fast.get));
        for (const key of fast.keys) if (!cats.index.has(key)) cats.index.set(key, cats.index.size);
        cats.lastValue = null; // a value looked up before may have got an index now
        cats.lastAt = -1;
        sets.push({ node: n, keys: fast.keys, isIn: fast.isIn });
        // Values of another type than string compare as predicates.ts says: keep its closure for them.
        if (fast.kind === K_IN_STRING) closures[n] = ctx.predicate(p, predPath);
      }
      continue;
    }
    kind[n] = K_CLOSURE;
    closures[n] = countSurrogates && p.n === 'CompoundPredicate' && p.a.booleanOperator === 'surrogate'
      ? surrogate(p, predPath, ctx, tree)
      : ctx.predicate(p, predPath);
  }

  // Fields with too many categories keep the closures of their category tests.
  for (let f = 0; f < categories.length; f++) {
    const cats = categories[f];
    if (cats === null || cats.index.size <= MAX_CATEGORIES) continue;
    for (const s of sets) {
      if (field[s.node] !== f || kind[s.node] === K_CLOSURE) continue;
      const node = info[s.node];
      kind[s.node] = K_CLOSURE;
      closures[s.node] = ctx.predicate(node.predicate, childPath(node.path, node.el, node.predicate));
    }
    categories[f] = null;
  }
  // One row of `member` per category test: its width is the field's categories plus one for any other value.
  let total = 0;
  for (const s of sets) {
    if (kind[s.node] === K_CLOSURE) continue;
    tree.memberBase[s.node] = total;
    total += (categories[field[s.node]] as FieldCategories).index.size + 1;
  }
  const member = new Uint8Array(total);
  for (const s of sets) {
    if (kind[s.node] === K_CLOSURE) continue;
    const index = (categories[field[s.node]] as FieldCategories).index;
    const base = tree.memberBase[s.node];
    if (!s.isIn) member.fill(1, base, base + index.size + 1);
    for (const key of s.keys) member[base + (index.get(key) as number)] = s.isIn ? 1 : 0;
  }
  tree.member = member;
  tree.closures = closures;
  tree.setFields(getters, categories, Int32Array.from(categories, (c) => (c === null ? 0 : c.index.size)));
}

/** A node predicate the flat table can evaluate. */
interface FlatTest {
  readonly name: string;
  readonly get: Evaluator;
  readonly kind: number;
  /** Numeric comparisons: the constant. */
  readonly threshold: number;
  /** TRUTH_* of the predicate when the field is missing. */
  readonly whenMissing: number;
  /** Category tests: the keys of the values that make `isIn` true; null for the other kinds. */
  readonly keys: readonly string[] | null;
  readonly isIn: boolean;
}

/** The flat form of a node predicate, or null (then ctx.predicate compiles it). */
function flatTest(p: El, path: string, ctx: ModelContext): FlatTest | null {
  switch (p.n) {
    case 'SimplePredicate': return simpleTest(p, path, ctx);
    case 'SimpleSetPredicate': return setTest(p, path, ctx);
    case 'CompoundPredicate': return missingCompoundTest(p, path, ctx);
    default: return null;
  }
}

/** A SimplePredicate the flat table can evaluate, or null. */
function simpleTest(p: El, path: string, ctx: ModelContext): FlatTest | null {
  const name = p.a.field;
  const op = p.a.operator;
  if (name === undefined || op === undefined || !ctx.scope.has(name)) return null;
  if (op === 'isMissing' || op === 'isNotMissing') {
    const { get } = ctx.scope.resolve(name, path);
    const missing = op === 'isMissing';
    return { name, get, kind: missing ? K_MISSING : K_NOT_MISSING, threshold: 0, whenMissing: missing ? TRUTH_TRUE : TRUTH_FALSE, keys: null, isIn: false };
  }
  const kind = NUMERIC_OPS[op];
  const text = p.a.value;
  if (kind === undefined || text === undefined) return null;
  const { info, get } = ctx.scope.resolve(name, path);
  if (info.dataType === 'string' && (kind === K_EQ || kind === K_NE)) {
    // predicates.ts: the value read as the field's type; a string value v is equal when v === k.
    const k = tryParseValue(text, 'string');
    if (typeof k !== 'string') return null;
    return { name, get, kind: K_IN_STRING, threshold: 0, whenMissing: TRUTH_UNKNOWN, keys: [k], isIn: kind === K_EQ };
  }
  if (!isNumericType(info.dataType) || info.optype === 'ordinal') return null;
  let c = tryParseValue(text, info.dataType);
  if (c === INVALID || c === null) c = parseNumeric(text);
  if (typeof c !== 'number' || Number.isNaN(c)) return null;
  return { name, get, kind, threshold: c, whenMissing: TRUTH_UNKNOWN, keys: null, isIn: false };
}

/** A SimpleSetPredicate on a field of a non-numeric type (predicates.ts: membership of the value's categoryKey), or null. */
function setTest(p: El, path: string, ctx: ModelContext): FlatTest | null {
  const name = p.a.field;
  const op = p.a.booleanOperator;
  if (name === undefined || (op !== 'isIn' && op !== 'isNotIn') || !ctx.scope.has(name)) return null;
  const arr = p.c.find((c) => c.n === 'Array');
  if (!arr) return null;
  const { info, get } = ctx.scope.resolve(name, path);
  if (isNumericType(info.dataType)) return null;
  const keys: string[] = [];
  for (const text of arrayEntries(arr, childPath(path, p, arr))) {
    const v = tryParseValue(text, info.dataType);
    if (v !== INVALID && v !== null) keys.push(categoryKey(v));
  }
  return { name, get, kind: K_IN, threshold: 0, whenMissing: TRUTH_UNKNOWN, keys, isIn: op === 'isIn' };
}

/**
 * `or(test, isMissing)` or `and(test, isNotMissing)` (either order) over one field, `test` a flat
 * SimplePredicate or SimpleSetPredicate: the test itself while the field has a value (isMissing is
 * false there, isNotMissing true), true (or) or false (and) when it is missing. Else null.
 */
function missingCompoundTest(p: El, path: string, ctx: ModelContext): FlatTest | null {
  const op = p.a.booleanOperator;
  if (op !== 'or' && op !== 'and') return null;
  const parts = p.c.filter((c) => PREDICATES.has(c.n));
  if (parts.length !== 2) return null;
  const wanted = op === 'or' ? 'isMissing' : 'isNotMissing';
  const at = parts.findIndex((c) => c.n === 'SimplePredicate' && c.a.operator === wanted);
  if (at < 0) return null;
  const other = parts[1 - at];
  if (other.n !== 'SimplePredicate' && other.n !== 'SimpleSetPredicate') return null;
  const test = flatTest(other, childPath(path, p, other), ctx);
  const presence = simpleTest(parts[at], childPath(path, p, parts[at]), ctx);
  if (test === null || presence === null || test.name !== presence.name || test.kind === K_MISSING || test.kind === K_NOT_MISSING) return null;
  return { ...test, whenMissing: op === 'or' ? TRUTH_TRUE : TRUTH_FALSE };
}

/** A surrogate CompoundPredicate that counts the use of an alternative in tree.missingCount. */
function surrogate(p: El, predPath: string, ctx: ModelContext, tree: Tree): Predicate {
  const parts = p.c.filter((c) => PREDICATES.has(c.n));
  if (parts.length < 2) fail(predPath, 'a surrogate <CompoundPredicate> needs at least two predicates');
  const alternatives = parts.map((c) => ctx.predicate(c, childPath(predPath, p, c)));
  const count = alternatives.length;
  return (env: Env): Truth => {
    for (let i = 0; i < count; i++) {
      const t = alternatives[i](env);
      if (t !== null) {
        if (i > 0) tree.missingCount++;
        return t;
      }
    }
    return null;
  };
}

/** Per-node data the strategies need. */
interface NodeData {
  readonly results: ModelResult[];
  /** Records in each node: recordCount, else the sum of its ScoreDistribution record counts, else 0. */
  readonly counts: Float64Array;
  /** Classification: categories and per node (row-major, size × K) probabilities, confidences, record counts. */
  readonly categories: Categories | null;
  readonly probs: Float64Array;
  readonly confs: Float64Array;
  readonly sdCounts: Float64Array;
  /** Whether the node has a ScoreDistribution (classification) or a score (regression). */
  readonly has: Uint8Array;
  /** Regression: the numeric score of each node (NaN when none). */
  readonly scores: Float64Array;
}

function targetType(ctx: ModelContext): DataType {
  return ctx.target?.info.dataType ?? 'string';
}

function classificationNodes(flat: Flat, ctx: ModelContext, entityIds: readonly string[]): NodeData {
  const { size, info } = flat;
  const dataType = targetType(ctx);
  const cats = new Categories();
  for (const v of ctx.target?.categories ?? []) cats.add(v);

  // First pass: parse scores and ScoreDistributions, collecting categories.
  interface Sd { readonly at: number; readonly count: number; readonly probability: number | undefined; readonly confidence: number | undefined }
  const scoreAt: number[] = new Array<number>(size).fill(-1);
  const scoreValue: Value[] = new Array<Value>(size).fill(null);
  const sds: Sd[][] = [];
  for (let n = 0; n < size; n++) {
    const node = info[n];
    if (node.score !== undefined) {
      scoreValue[n] = parseValue(node.score, dataType, node.path);
      scoreAt[n] = cats.add(scoreValue[n]);
    }
    const list: Sd[] = [];
    for (const c of node.el.c) {
      if (c.n !== 'ScoreDistribution') continue;
      const sdPath = childPath(node.path, node.el, c);
      const raw = c.a.value;
      if (raw === undefined) fail(sdPath, '<ScoreDistribution> needs the attribute value');
      const probability = optNumAttr(c, 'probability', sdPath);
      const confidence = optNumAttr(c, 'confidence', sdPath);
      const count = optNumAttr(c, 'recordCount', sdPath);
      if (count === undefined && probability === undefined) fail(sdPath, '<ScoreDistribution> needs the attribute recordCount');
      if (count !== undefined && !(count >= 0)) fail(sdPath, `recordCount="${c.a.recordCount}" is negative`);
      for (const [name, p] of [['probability', probability], ['confidence', confidence]] as const) {
        if (p !== undefined && !(p >= 0 && p <= 1)) fail(sdPath, `${name}="${c.a[name]}" is not a probability (0 to 1)`);
      }
      list.push({ at: cats.add(parseValue(raw, dataType, sdPath)), count: count ?? 0, probability, confidence });
    }
    sds.push(list);
  }

  const K = cats.size;
  const keys = internKeys(cats.keys);
  const values = Object.freeze(cats.values.slice());
  const probs = new Float64Array(size * K);
  const confs = new Float64Array(size * K);
  const sdCounts = new Float64Array(size * K);
  const counts = new Float64Array(size);
  const has = new Uint8Array(size);
  const results: ModelResult[] = [];
  for (let n = 0; n < size; n++) {
    const node = info[n];
    const list = sds[n];
    const base = n * K;
    let value: Value = scoreValue[n];
    let probabilities: Map<string, number> | undefined;
    let confidences: Map<string, number> | undefined;
    if (list.length > 0) {
      has[n] = 1;
      let total = 0;
      for (const sd of list) {
        sdCounts[base + sd.at] += sd.count;
        total += sd.count;
      }
      counts[n] = node.recordCount ?? total;
      const withProbability = list.filter((sd) => sd.probability !== undefined).length;
      if (withProbability > 0 && withProbability < list.length) {
        fail(node.path, 'either every ScoreDistribution of a Node has a probability or none has');
      }
      if (withProbability > 0) {
        let sum = 0;
        for (const sd of list) {
          probs[base + sd.at] += sd.probability!;
          sum += sd.probability!;
        }
        if (sum > 0 && sum !== 1) for (let k = 0; k < K; k++) probs[base + k] /= sum;
      } else if (total > 0) {
        for (let k = 0; k < K; k++) probs[base + k] = sdCounts[base + k] / total;
      }
      const withConfidence = list.some((sd) => sd.confidence !== undefined);
      for (let k = 0; k < K; k++) confs[base + k] = withConfidence ? 0 : probs[base + k];
      if (withConfidence) for (const sd of list) confs[base + sd.at] += sd.confidence ?? 0;
      const defined = withProbability > 0 || total > 0;
      if (defined) {
        probabilities = new Map();
        confidences = new Map();
        for (let k = 0; k < K; k++) {
          probabilities.set(cats.keys[k], probs[base + k]);
          confidences.set(cats.keys[k], confs[base + k]);
        }
        if (scoreAt[n] < 0) {
          // No score: the most probable category (the first one on ties).
          let best = 0;
          for (let k = 1; k < K; k++) if (probs[base + k] > probs[base + best]) best = k;
          value = cats.values[best];
        }
      }
    } else {
      counts[n] = node.recordCount ?? 0;
      if (scoreAt[n] >= 0) {
        // A node without ScoreDistribution votes for its score (with all its records, for aggregateNodes).
        has[n] = 1;
        probs[base + scoreAt[n]] = 1;
        confs[base + scoreAt[n]] = 1;
        sdCounts[base + scoreAt[n]] = counts[n];
        probabilities = new Map();
        for (let k = 0; k < K; k++) probabilities.set(cats.keys[k], probs[base + k]);
      }
    }
    if (value === null) {
      results.push(NO_PREDICTION);
      continue;
    }
    const r: { value: Value; entityId: string; probabilities?: Map<string, number>; confidences?: Map<string, number> } = { value, entityId: entityIds[n] };
    if (probabilities) {
      r.probabilities = probabilities;
      (probabilities as Map<string, number> & { [PROBABILITY_VECTOR]?: ProbabilityVector })[PROBABILITY_VECTOR] = { keys, values, p: probs.slice(base, base + K) };
    }
    if (confidences) r.confidences = confidences;
    results.push(Object.freeze(r));
  }
  return { results, counts, categories: cats, probs, confs, sdCounts, has, scores: new Float64Array(0) };
}

function regressionNodes(flat: Flat, entityIds: readonly string[]): NodeData {
  const { size, info } = flat;
  const results: ModelResult[] = [];
  const counts = new Float64Array(size);
  const scores = new Float64Array(size).fill(NaN);
  const has = new Uint8Array(size);
  for (let n = 0; n < size; n++) {
    const node = info[n];
    let total = 0;
    for (const c of node.el.c) if (c.n === 'ScoreDistribution') total += Number(c.a.recordCount ?? 0) || 0;
    counts[n] = node.recordCount ?? total;
    if (node.score === undefined) {
      results.push(NO_PREDICTION);
      continue;
    }
    const v = parseValue(node.score, 'double', node.path) as number;
    scores[n] = v;
    has[n] = 1;
    results.push(Object.freeze({ value: v, entityId: entityIds[n] }));
  }
  return { results, counts, categories: null, probs: new Float64Array(0), confs: new Float64Array(0), sdCounts: new Float64Array(0), has, scores };
}

/**
 * weightedConfidence / aggregateNodes: every path a record with missing values may take from
 * tree.split, walked with an explicit stack. Terminal nodes (leaves, or splits without a true
 * child under returnLastPrediction) contribute their distribution: weighted by their share of the
 * records (weightedConfidence) or by their record counts (aggregateNodes). Regression trees get the
 * weighted (record-count weighted) mean of the terminal scores.
 */
function makeMultiPath(tree: Tree, data: NodeData, weighted: boolean): (env: Env) => ModelResult {
  const { start, end, returnLast } = tree;
  const size = start.length;
  const cats = data.categories;
  const K = cats ? cats.size : 0;
  const stackNode = new Int32Array(size);
  const stackWeight = new Float64Array(size);
  const pending = new Int32Array(size);
  const accProb = new Float64Array(K);
  const accConf = new Float64Array(K);
  const { counts, probs, confs, sdCounts, has, scores } = data;
  let top = 0;
  let totalWeight = 0;
  let regSum = 0;

  /** Pushes the children of `n` a record may reach from `first` (an UNKNOWN child), sharing weight `w`. */
  function pushCandidates(env: Env, n: number, first: number, w: number): void {
    let m = 0;
    pending[m++] = first;
    for (let c = first + 1; c < end[n]; c++) {
      const t = test(tree, c, env);
      if (t === false) continue;
      pending[m++] = c;
      if (t === true) break; // later siblings are never reached
    }
    let sum = 0;
    for (let i = 0; i < m; i++) sum += counts[pending[i]];
    for (let i = 0; i < m; i++) {
      stackNode[top] = pending[i];
      stackWeight[top++] = weighted ? w * (sum > 0 ? counts[pending[i]] / sum : 1 / m) : 1;
    }
  }

  function contribute(n: number, w: number): void {
    if (!has[n]) return;
    if (cats) {
      const base = n * K;
      if (weighted) {
        for (let k = 0; k < K; k++) {
          accProb[k] += w * probs[base + k];
          accConf[k] += w * confs[base + k];
        }
      } else {
        for (let k = 0; k < K; k++) accProb[k] += sdCounts[base + k];
      }
    } else {
      const cw = weighted ? w : counts[n];
      regSum += cw * scores[n];
      totalWeight += cw;
    }
  }

  return (env) => {
    top = 0;
    totalWeight = 0;
    regSum = 0;
    accProb.fill(0);
    accConf.fill(0);
    pushCandidates(env, tree.split, tree.from, 1);
    while (top > 0) {
      top--;
      const n = stackNode[top];
      const w = stackWeight[top];
      const s = start[n];
      const e = end[n];
      if (s === e) {
        contribute(n, w);
        continue;
      }
      let next = -1;
      let unknown = -1;
      for (let c = s; c < e; c++) {
        const t = test(tree, c, env);
        if (t === true) {
          next = c;
          break;
        }
        if (t === null) {
          unknown = c;
          break;
        }
      }
      if (next >= 0) {
        stackNode[top] = next;
        stackWeight[top++] = w;
      } else if (unknown >= 0) {
        pushCandidates(env, n, unknown, w);
      } else if (returnLast) {
        contribute(n, w);
      }
    }

    if (!cats) return totalWeight > 0 ? { value: regSum / totalWeight } : NO_PREDICTION;
    let total = 0;
    for (let k = 0; k < K; k++) total += accProb[k];
    if (!(total > 0)) return NO_PREDICTION;
    const probabilities = new Map<string, number>();
    const confidences = new Map<string, number>();
    // weightedConfidence: the class with the highest summed confidence; aggregateNodes: the highest record count.
    const decide = weighted ? accConf : accProb;
    let best = 0;
    for (let k = 0; k < K; k++) {
      probabilities.set(cats.keys[k], accProb[k] / total);
      confidences.set(cats.keys[k], weighted ? accConf[k] : accProb[k] / total);
      if (decide[k] > decide[best]) best = k;
    }
    return { value: cats.values[best], probabilities, confidences };
  };
}
