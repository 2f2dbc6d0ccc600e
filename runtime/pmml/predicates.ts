// Predicates (TreeModel nodes, RuleSet rules, Segments, Scorecard attributes):
// SimplePredicate, CompoundPredicate, SimpleSetPredicate, True, False — with
// PMML's three-valued logic (true, false, UNKNOWN = null when a value is missing).

import { attr, childPath, enumAttr, fail, arrayEntries } from './el.js';
import { ordinalComparator } from './fields.js';
import type { El, Evaluator, Predicate, Scope, Truth, Value } from './types.js';
import { categoryKey, compareValues, INVALID, isNumericType, parseNumeric, toNumber, tryParseValue, valuesEqual } from './values.js';

const PREDICATES: ReadonlySet<string> = new Set(['SimplePredicate', 'CompoundPredicate', 'SimpleSetPredicate', 'True', 'False']);

export function isPredicateElement(name: string): boolean {
  return PREDICATES.has(name);
}

const ALWAYS_TRUE: Predicate = () => true;
const ALWAYS_FALSE: Predicate = () => false;

/** The first predicate child of `el` (Node, SimpleRule, Segment, Attribute...), or undefined. */
export function predicateChild(el: El): El | undefined {
  for (const c of el.c) if (PREDICATES.has(c.n)) return c;
  return undefined;
}

export function compilePredicate(el: El, path: string, scope: Scope, expr: (el: El, path: string) => Evaluator): Predicate {
  switch (el.n) {
    case 'True':
      return ALWAYS_TRUE;
    case 'False':
      return ALWAYS_FALSE;
    case 'SimplePredicate':
      return simplePredicate(el, path, scope);
    case 'SimpleSetPredicate':
      return simpleSetPredicate(el, path, scope);
    case 'CompoundPredicate':
      return compoundPredicate(el, path, scope, expr);
    default:
      return fail(path, `<${el.n}> is not a predicate (expected SimplePredicate, CompoundPredicate, SimpleSetPredicate, True or False)`);
  }
}

const OPERATORS = ['equal', 'notEqual', 'lessThan', 'lessOrEqual', 'greaterThan', 'greaterOrEqual', 'isMissing', 'isNotMissing'] as const;

function simplePredicate(el: El, path: string, scope: Scope): Predicate {
  const field = attr(el, 'field', path);
  const op = enumAttr(el, 'operator', OPERATORS, undefined, path);
  const { info, get } = scope.resolve(field, path);
  if (op === 'isMissing') return (env) => get(env) === null;
  if (op === 'isNotMissing') return (env) => get(env) !== null;
  const text = attr(el, 'value', path);
  let c = tryParseValue(text, info.dataType);
  if (c === INVALID || c === null) {
    // A threshold that does not fit the field's type (e.g. 2.5 for an integer field) still compares numerically.
    const n = parseNumeric(text);
    if (isNumericType(info.dataType) && !Number.isNaN(n)) c = n;
    else return fail(path, `value=${JSON.stringify(text)} is not a valid ${info.dataType} value for the field ${JSON.stringify(field)}`);
  }
  const k: Value = c;
  if (typeof k === 'number' && info.optype !== 'ordinal') return numericPredicate(op, get, k);
  const cmp = info.optype === 'ordinal' ? ordinalComparator(info) : compareValues;
  switch (op) {
    case 'equal': return (env) => {
      const v = get(env);
      return v === null ? null : v === k || valuesEqual(v, k);
    };
    case 'notEqual': return (env) => {
      const v = get(env);
      return v === null ? null : !(v === k || valuesEqual(v, k));
    };
    case 'lessThan': return (env) => {
      const v = get(env);
      return v === null ? null : cmp(v, k) < 0;
    };
    case 'lessOrEqual': return (env) => {
      const v = get(env);
      return v === null ? null : cmp(v, k) <= 0;
    };
    case 'greaterThan': return (env) => {
      const v = get(env);
      return v === null ? null : cmp(v, k) > 0;
    };
    default: return (env) => {
      const v = get(env);
      return v === null ? null : cmp(v, k) >= 0;
    };
  }
}

function num(v: Value): number {
  return typeof v === 'number' ? v : toNumber(v);
}

function numericPredicate(op: Exclude<(typeof OPERATORS)[number], 'isMissing' | 'isNotMissing'>, get: Evaluator, c: number): Predicate {
  switch (op) {
    case 'equal': return (env) => {
      const v = get(env);
      return v === null ? null : num(v) === c;
    };
    case 'notEqual': return (env) => {
      const v = get(env);
      return v === null ? null : num(v) !== c;
    };
    case 'lessThan': return (env) => {
      const v = get(env);
      return v === null ? null : num(v) < c;
    };
    case 'lessOrEqual': return (env) => {
      const v = get(env);
      return v === null ? null : num(v) <= c;
    };
    case 'greaterThan': return (env) => {
      const v = get(env);
      return v === null ? null : num(v) > c;
    };
    default: return (env) => {
      const v = get(env);
      return v === null ? null : num(v) >= c;
    };
  }
}

function simpleSetPredicate(el: El, path: string, scope: Scope): Predicate {
  const field = attr(el, 'field', path);
  const op = enumAttr(el, 'booleanOperator', ['isIn', 'isNotIn'] as const, undefined, path);
  const arr = el.c.find((c) => c.n === 'Array');
  if (!arr) return fail(path, '<SimpleSetPredicate> needs an <Array> of values');
  const { info, get } = scope.resolve(field, path);
  const numeric = isNumericType(info.dataType);
  const isIn = op === 'isIn';
  const entries = arrayEntries(arr, childPath(path, el, arr));
  if (numeric) {
    // numbers compare numerically: a Set of numbers, no per-row string keys
    const nums = new Set<number>();
    for (const text of entries) {
      const v = tryParseValue(text, info.dataType);
      const n = v !== INVALID && v !== null ? toNumber(v) : parseNumeric(text);
      if (!Number.isNaN(n)) nums.add(n);
      // an entry that cannot be a value of the field can never match: leave it out
    }
    return (env) => {
      const v = get(env);
      if (v === null) return null;
      return nums.has(typeof v === 'number' ? v : toNumber(v)) === isIn;
    };
  }
  const keys = new Set<string>();
  for (const text of entries) {
    const v = tryParseValue(text, info.dataType);
    if (v !== INVALID && v !== null) keys.add(categoryKey(v));
  }
  return (env) => {
    const v = get(env);
    if (v === null) return null;
    return keys.has(typeof v === 'string' ? v : categoryKey(v)) === isIn;
  };
}

function compoundPredicate(el: El, path: string, scope: Scope, expr: (el: El, path: string) => Evaluator): Predicate {
  const op = enumAttr(el, 'booleanOperator', ['and', 'or', 'xor', 'surrogate'] as const, undefined, path);
  const parts: Predicate[] = [];
  for (const c of el.c) {
    if (!PREDICATES.has(c.n)) continue;
    parts.push(compilePredicate(c, childPath(path, el, c), scope, expr));
  }
  if (parts.length === 0) return fail(path, '<CompoundPredicate> needs at least one predicate');
  const n = parts.length;
  switch (op) {
    case 'and':
      // false when any is false; else UNKNOWN when any is UNKNOWN; else true
      return (env) => {
        let unknown = false;
        for (let i = 0; i < n; i++) {
          const r = parts[i](env);
          if (r === false) return false;
          if (r === null) unknown = true;
        }
        return unknown ? null : true;
      };
    case 'or':
      // true when any is true; else UNKNOWN when any is UNKNOWN; else false
      return (env) => {
        let unknown = false;
        for (let i = 0; i < n; i++) {
          const r = parts[i](env);
          if (r === true) return true;
          if (r === null) unknown = true;
        }
        return unknown ? null : false;
      };
    case 'xor':
      // UNKNOWN when any is UNKNOWN; else true when an odd number are true
      return (env) => {
        let acc = false;
        for (let i = 0; i < n; i++) {
          const r = parts[i](env);
          if (r === null) return null;
          if (r) acc = !acc;
        }
        return acc;
      };
    default:
      // surrogate: the first predicate that is not UNKNOWN decides
      return (env) => {
        let r: Truth = null;
        for (let i = 0; i < n; i++) {
          r = parts[i](env);
          if (r !== null) return r;
        }
        return r;
      };
  }
}
