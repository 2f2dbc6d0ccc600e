// PFA library, family "model.tree" (specification §26.2, decision and regression trees):
// test functions that decide which branch to take at one node (simpleTest, missingTest,
// compoundTest, surrogateTest) and walk functions that apply a test repeatedly until a
// leaf (simpleWalk, missingWalk), plus simpleTree = simpleWalk + simpleTest.
// Signatures are copied from the function catalogue (functions.json).
//
// Records are null-prototype objects; a node's `field` is an enum whose symbol names a
// field of the datum record; `value` and the branches may be unions (untagged), so the
// union branch of a value is found from the call site's resolved types.

import { pfaFail, type LibFunction, type PfaType } from '../types.js';
import { comparator, equality, fitsType, unionBranch } from '../values.js';

type Rec = Record<string, unknown>;
type Test = (datum: Rec, node: Rec) => boolean;
type MissingTest = (datum: Rec, node: Rec) => boolean | null;

// ---------------------------------------------------------------------------------
// Type helpers

const NUMERIC = new Set(['int', 'long', 'float', 'double']);

function isNumeric(t: PfaType): boolean {
  return NUMERIC.has(t.kind);
}

function fieldType(record: PfaType, name: string): PfaType | undefined {
  return record.kind === 'record' ? record.fields.find((f) => f.name === name)?.type : undefined;
}

/** The type of the union branch (or the type itself) that a value belongs to. */
function branchOf(t: PfaType, v: unknown): PfaType | undefined {
  if (t.kind !== 'union') return t;
  const i = unionBranch(t.types, v);
  return i < 0 ? undefined : t.types[i];
}

/**
 * Whether a value of type `from` can be upcast to type `to` (PFA type acceptance):
 * the same type (named types by name), numeric promotion int → long → float → double,
 * arrays and maps by their contents, a union target accepting any of its branches.
 */
function castable(to: PfaType, from: PfaType): boolean {
  if (isNumeric(to) && isNumeric(from)) {
    const order = ['int', 'long', 'float', 'double'];
    return order.indexOf(from.kind) <= order.indexOf(to.kind);
  }
  if (from.kind === 'union') return from.types.every((b) => castable(to, b));
  if (to.kind === 'union') return to.types.some((b) => castable(b, from));
  if (to.kind !== from.kind) return false;
  switch (to.kind) {
    case 'array': return castable(to.items, (from as typeof to).items);
    case 'map': return castable(to.values, (from as typeof to).values);
    case 'record': case 'enum': case 'fixed': return to.name === (from as typeof to).name;
    default: return true;
  }
}

/** comparator()/equality() built once per type object. */
function cached<F>(make: (t: PfaType) => F): (t: PfaType) => F {
  const memo = new Map<PfaType, F>();
  return (t) => {
    let f = memo.get(t);
    if (f === undefined) {
      f = make(t);
      memo.set(t, f);
    }
    return f;
  };
}

// ---------------------------------------------------------------------------------
// The comparison shared by simpleTest, missingTest and simpleTree

const COMPARE_OPS = new Set(['==', '!=', '<', '<=', '>', '>=']);
const SET_OPS = new Set(['in', 'notIn']);
const CONST_OPS = new Set(['alwaysTrue', 'alwaysFalse']);
const MISSING_OPS = new Set(['isMissing', 'notMissing']);

interface Codes {
  readonly fcn: string;
  /** "invalid comparison operator" */
  readonly badOp: number;
  /** "bad value type" */
  readonly badType: number;
  /** Whether isMissing/notMissing are allowed (not in missingTest). */
  readonly missingOps: boolean;
}

/**
 * `datum.<field> <operator> value` for a node record of type `node` and a datum record of
 * type `datum`. Numbers compare numerically whatever their types; otherwise the field's
 * value (its union branch at run time) must be upcastable to the comparison value's type
 * (its union branch), and the two compare by PFA equality or PFA order of that type.
 * "in"/"notIn" need an array value whose items accept the field. Returns null only for
 * a null field when `nullIsMissing` (missingTest).
 */
function comparison(datum: PfaType, node: PfaType, codes: Codes, nullIsMissing: boolean): (d: Rec, t: Rec) => boolean | null {
  const valueType = fieldType(node, 'value') ?? { kind: 'null' };
  const cmp = cached(comparator);
  const eq = cached(equality);
  const fieldTypes = new Map<string, PfaType>();
  if (datum.kind === 'record') for (const f of datum.fields) fieldTypes.set(f.name, f.type);
  const badType = (): never => pfaFail(codes.badType, codes.fcn, 'bad value type');

  return (d, t) => {
    const op = t.operator as string;
    const known = COMPARE_OPS.has(op) || SET_OPS.has(op) || CONST_OPS.has(op) || (codes.missingOps && MISSING_OPS.has(op));
    if (!known) pfaFail(codes.badOp, codes.fcn, 'invalid comparison operator');
    const name = t.field as string;
    const declared = fieldTypes.get(name);
    if (declared === undefined) return badType();
    const x = d[name];
    if (nullIsMissing && x === null) return null;
    switch (op) {
      case 'alwaysTrue': return true;
      case 'alwaysFalse': return false;
      case 'isMissing': return x === null;
      case 'notMissing': return x !== null;
    }
    const v = t.value;
    const xt = branchOf(declared, x), vt = branchOf(valueType, v);
    if (xt === undefined || vt === undefined) return badType();
    if (SET_OPS.has(op)) {
      if (vt.kind !== 'array') return badType();
      const items = vt.items;
      if (!(isNumeric(xt) && (isNumeric(items) || (items.kind === 'union' && items.types.some(isNumeric)))) && !castable(items, xt)) return badType();
      const same = eq(items);
      const found = (v as unknown[]).some((e) => (typeof x === 'number' && typeof e === 'number' ? x === e : same(x, e)));
      return op === 'in' ? found : !found;
    }
    if (isNumeric(xt) && isNumeric(vt)) {
      const a = x as number, b = v as number;
      switch (op) {
        case '==': return a === b;
        case '!=': return a !== b;
        case '<': return a < b;
        case '<=': return a <= b;
        case '>': return a > b;
        default: return a >= b;
      }
    }
    if (!castable(vt, xt)) return badType();
    if (op === '==') return eq(vt)(x, v);
    if (op === '!=') return !eq(vt)(x, v);
    if (vt.kind === 'map') return badType(); // maps have no order
    const c = cmp(vt)(x, v);
    switch (op) {
      case '<': return c < 0;
      case '<=': return c <= 0;
      case '>': return c > 0;
      default: return c >= 0;
    }
  };
}

// ---------------------------------------------------------------------------------
// Telling tree nodes from scores in a branch (a union of T and S, untagged)

function isObject(v: unknown): v is Rec {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

function hasExactly(v: Rec, names: readonly string[]): boolean {
  const keys = Object.keys(v);
  return keys.length === names.length && names.every((n) => Object.hasOwn(v, n));
}

/**
 * A predicate "this branch value is a node of record type T" for a branch whose declared
 * type is `branch` (normally the union of T and the score type S). When no score branch
 * is an object type, any object is a node; otherwise the field names decide, and a full
 * structural check settles a score record with the same field names.
 */
function nodeTest(branch: PfaType | undefined, node: PfaType): (v: unknown) => boolean {
  if (node.kind !== 'record' || branch === undefined) return () => false;
  const isT = (t: PfaType): boolean => t.kind === 'record' && t.name === node.name;
  const types = branch.kind === 'union' ? branch.types : [branch];
  if (!types.some(isT)) return () => false;
  const others = types.filter((t) => !isT(t));
  if (!others.some((t) => t.kind === 'record' || t.kind === 'map')) return isObject;
  const names = node.fields.map((f) => f.name);
  const lookalikes = others.filter((t) => t.kind === 'map' || (t.kind === 'record' && hasExactly(Object.fromEntries(t.fields.map((f) => [f.name, true])), names)));
  if (lookalikes.length === 0) return (v) => isObject(v) && hasExactly(v, names);
  return (v) => isObject(v) && hasExactly(v, names) && fitsType(node, v);
}

// ---------------------------------------------------------------------------------
// Test functions

export const simpleTest: LibFunction = {
  name: 'model.tree.simpleTest',
  sigs: [
    {"params": [{"name": "datum", "type": {"type": "record", "label": "D", "fields": []}}, {"name": "comparison", "type": {"type": "record", "label": "T", "fields": [{"name": "field", "type": {"type": "enum", "label": "F", "ofRecord": "D"}}, {"name": "operator", "type": "string"}, {"name": "value", "type": {"any": "V"}}]}}], "ret": "boolean"},
  ],
  make(types) {
    const test = comparison(types.params[0], types.params[1], { fcn: 'model.tree.simpleTest', badOp: 32000, badType: 32001, missingOps: true }, false);
    return test as Test;
  },
};

export const missingTest: LibFunction = {
  name: 'model.tree.missingTest',
  sigs: [
    {"params": [{"name": "datum", "type": {"type": "record", "label": "D", "fields": []}}, {"name": "comparison", "type": {"type": "record", "label": "T", "fields": [{"name": "field", "type": {"type": "enum", "label": "F", "ofRecord": "D"}}, {"name": "operator", "type": "string"}, {"name": "value", "type": {"any": "V"}}]}}], "ret": {"type": "union", "of": ["null", "boolean"]}},
  ],
  make(types) {
    return comparison(types.params[0], types.params[1], { fcn: 'model.tree.missingTest', badOp: 32010, badType: 32011, missingOps: false }, true);
  },
};

export const compoundTest: LibFunction = {
  name: 'model.tree.compoundTest',
  sigs: [
    {"params": [{"name": "datum", "type": {"type": "record", "label": "D", "fields": []}}, {"name": "operator", "type": "string"}, {"name": "comparisons", "type": {"type": "array", "items": {"type": "record", "label": "T", "fields": []}}}, {"name": "test", "type": {"type": "function", "params": [{"ref": "D"}, {"ref": "T"}], "ret": "boolean"}}], "ret": "boolean"},
  ],
  make() {
    const fcn = 'model.tree.compoundTest';
    return (datum: Rec, operator: string, comparisons: readonly Rec[], test: Test) => {
      switch (operator) {
        case 'and':
          for (const c of comparisons) if (!test(datum, c)) return false;
          return true;
        case 'or':
          for (const c of comparisons) if (test(datum, c)) return true;
          return false;
        case 'xor': {
          let odd = false;
          for (const c of comparisons) if (test(datum, c)) odd = !odd;
          return odd;
        }
        default: return pfaFail(32020, fcn, 'unrecognized logical operator');
      }
    };
  },
};

export const surrogateTest: LibFunction = {
  name: 'model.tree.surrogateTest',
  sigs: [
    {"params": [{"name": "datum", "type": {"type": "record", "label": "D", "fields": []}}, {"name": "comparisons", "type": {"type": "array", "items": {"type": "record", "label": "T", "fields": []}}}, {"name": "missingTest", "type": {"type": "function", "params": [{"ref": "D"}, {"ref": "T"}], "ret": {"type": "union", "of": ["null", "boolean"]}}}], "ret": "boolean"},
  ],
  make() {
    const fcn = 'model.tree.surrogateTest';
    return (datum: Rec, comparisons: readonly Rec[], test: MissingTest) => {
      for (const c of comparisons) {
        const r = test(datum, c);
        if (r !== null) return r;
      }
      return pfaFail(32030, fcn, 'no successful surrogate');
    };
  },
};

// ---------------------------------------------------------------------------------
// Walk functions

export const simpleWalk: LibFunction = {
  name: 'model.tree.simpleWalk',
  sigs: [
    {"params": [{"name": "datum", "type": {"type": "record", "label": "D", "fields": []}}, {"name": "treeNode", "type": {"type": "record", "label": "T", "fields": [{"name": "pass", "type": {"type": "union", "of": [{"ref": "T"}, {"any": "S"}]}}, {"name": "fail", "type": {"type": "union", "of": [{"ref": "T"}, {"ref": "S"}]}}]}}, {"name": "test", "type": {"type": "function", "params": [{"ref": "D"}, {"ref": "T"}], "ret": "boolean"}}], "ret": {"ref": "S"}},
  ],
  make(types) {
    const node = types.params[1];
    const passIsNode = nodeTest(fieldType(node, 'pass'), node), failIsNode = nodeTest(fieldType(node, 'fail'), node);
    return (datum: Rec, treeNode: Rec, test: Test) => {
      let t = treeNode;
      for (;;) {
        const pass = test(datum, t);
        const next = pass ? t.pass : t.fail;
        if (!(pass ? passIsNode : failIsNode)(next)) return next;
        t = next as Rec;
      }
    };
  },
};

export const missingWalk: LibFunction = {
  name: 'model.tree.missingWalk',
  sigs: [
    {"params": [{"name": "datum", "type": {"type": "record", "label": "D", "fields": []}}, {"name": "treeNode", "type": {"type": "record", "label": "T", "fields": [{"name": "pass", "type": {"type": "union", "of": [{"ref": "T"}, {"any": "S"}]}}, {"name": "fail", "type": {"type": "union", "of": [{"ref": "T"}, {"ref": "S"}]}}, {"name": "missing", "type": {"type": "union", "of": [{"ref": "T"}, {"ref": "S"}]}}]}}, {"name": "test", "type": {"type": "function", "params": [{"ref": "D"}, {"ref": "T"}], "ret": {"type": "union", "of": ["null", "boolean"]}}}], "ret": {"ref": "S"}},
  ],
  make(types) {
    const node = types.params[1];
    const isNode = {
      pass: nodeTest(fieldType(node, 'pass'), node),
      fail: nodeTest(fieldType(node, 'fail'), node),
      missing: nodeTest(fieldType(node, 'missing'), node),
    };
    return (datum: Rec, treeNode: Rec, test: MissingTest) => {
      let t = treeNode;
      for (;;) {
        const r = test(datum, t);
        const which = r === null ? 'missing' : r ? 'pass' : 'fail';
        const next = t[which];
        if (!isNode[which](next)) return next;
        t = next as Rec;
      }
    };
  },
};

export const simpleTree: LibFunction = {
  name: 'model.tree.simpleTree',
  sigs: [
    {"params": [{"name": "datum", "type": {"type": "record", "label": "D", "fields": []}}, {"name": "treeNode", "type": {"type": "record", "label": "T", "fields": [{"name": "field", "type": {"type": "enum", "label": "F", "ofRecord": "D"}}, {"name": "operator", "type": "string"}, {"name": "value", "type": {"any": "V"}}, {"name": "pass", "type": {"type": "union", "of": [{"ref": "T"}, {"any": "S"}]}}, {"name": "fail", "type": {"type": "union", "of": [{"ref": "T"}, {"ref": "S"}]}}]}}], "ret": {"ref": "S"}},
  ],
  make(types) {
    const node = types.params[1];
    const test = comparison(types.params[0], node, { fcn: 'model.tree.simpleTree', badOp: 32060, badType: 32061, missingOps: true }, false) as Test;
    const passIsNode = nodeTest(fieldType(node, 'pass'), node), failIsNode = nodeTest(fieldType(node, 'fail'), node);
    return (datum: Rec, treeNode: Rec) => {
      let t = treeNode;
      for (;;) {
        const pass = test(datum, t);
        const next = pass ? t.pass : t.fail;
        if (!(pass ? passIsNode : failIsNode)(next)) return next;
        t = next as Rec;
      }
    };
  },
};
