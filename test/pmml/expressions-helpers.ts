// Helpers of the expression and function tests: decode a snippet of PMML into an
// El, compile it against a small scope of record fields, evaluate it on records.

import { decodePmmlXml } from '../../src/frontends/pmml/xml.js';
import { compileExpression, type DefinedFunction, type ExpressionContext } from '../../runtime/pmml/expressions.js';
import type { DataType, El, Env, Evaluator, FieldInfo, OpType, Scope, Value } from '../../runtime/pmml/types.js';
import { fail } from '../../runtime/pmml/el.js';

/** One expression element (or any element) from an XML snippet. */
export function el(xml: string): El {
  const root = decodePmmlXml(new TextEncoder().encode(`<PMML version="4.4">${xml}</PMML>`)).root;
  if (root.c.length !== 1) throw new Error(`expected one element, got ${root.c.length}`);
  return root.c[0];
}

interface TestEnv extends Env {
  readonly record: Readonly<Record<string, Value>>;
}

/** Fields of the test scope: a data type, or a full FieldInfo (optype, categories). */
export type FieldSpec = DataType | { dataType: DataType; optype?: OpType; categories?: Value[] };

export function scope(fields: Readonly<Record<string, FieldSpec>>): Scope {
  const infos = new Map<string, FieldInfo>();
  for (const [name, f] of Object.entries(fields)) {
    const spec = typeof f === 'string' ? { dataType: f } : f;
    const optype: OpType = spec.optype ?? (spec.dataType === 'string' || spec.dataType === 'boolean' ? 'categorical' : 'continuous');
    infos.set(name, spec.categories ? { name, dataType: spec.dataType, optype, categories: spec.categories } : { name, dataType: spec.dataType, optype });
  }
  return {
    has: (name) => infos.has(name),
    resolve(name, path) {
      const info = infos.get(name);
      if (!info) return fail(path, `the field ${JSON.stringify(name)} is not defined`);
      const get: Evaluator = (env) => {
        const v = (env as TestEnv).record[name];
        return v === undefined ? null : v;
      };
      return { info, get };
    },
  };
}

export function envOf(record: Readonly<Record<string, Value>>): Env {
  const e: TestEnv = { __env: true, record };
  return e;
}

export interface Options {
  readonly fields?: Readonly<Record<string, FieldSpec>>;
  readonly functions?: readonly DefinedFunction[];
  readonly mathContext?: 'float' | 'double';
}

export function context(opts: Options = {}): ExpressionContext {
  const fns = new Map((opts.functions ?? []).map((f) => [f.name, f]));
  return { scope: scope(opts.fields ?? {}), func: (n) => fns.get(n), mathContext: opts.mathContext ?? 'double' };
}

/** Compiles an expression snippet; returns a function of a record. */
export function compiled(xml: string, opts: Options = {}): (record?: Readonly<Record<string, Value>>) => Value {
  const ev = compileExpression(el(xml), 'T', context(opts));
  return (record = {}) => ev(envOf(record));
}

/** Evaluates an expression snippet once. */
export function evaluate(xml: string, record: Readonly<Record<string, Value>> = {}, opts: Options = {}): Value {
  return compiled(xml, opts)(record);
}

/** A DefineFunction as the document compiler builds it. */
export function defineFunction(xml: string): DefinedFunction {
  const e = el(xml);
  const params: FieldInfo[] = e.c.filter((c) => c.n === 'ParameterField').map((p) => {
    const dataType = (p.a.dataType ?? 'double') as DataType;
    return { name: p.a.name, dataType, optype: (p.a.optype ?? 'continuous') as OpType };
  });
  const body = e.c.find((c) => c.n !== 'ParameterField');
  if (!body) throw new Error('no body');
  return {
    name: e.a.name,
    params,
    dataType: (e.a.dataType ?? 'double') as DataType,
    optype: (e.a.optype ?? 'continuous') as OpType,
    body,
    path: `PMML/TransformationDictionary/DefineFunction[name=${JSON.stringify(e.a.name)}]`,
  };
}

/** `<Apply function="f">` of constants: numbers as double Constants, strings as string Constants, null as missing. */
export function apply(fn: string, ...args: Value[]): string {
  const parts = args.map((a) => {
    if (a === null) return '<Constant missing="true"/>';
    if (typeof a === 'number') return `<Constant dataType="double">${Number.isNaN(a) ? 'NaN' : a === Infinity ? 'INF' : a === -Infinity ? '-INF' : String(a)}</Constant>`;
    if (typeof a === 'boolean') return `<Constant dataType="boolean">${a}</Constant>`;
    return `<Constant dataType="string">${a.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</Constant>`;
  });
  return `<Apply function="${fn.replace(/&/g, '&amp;').replace(/</g, '&lt;')}">${parts.join('')}</Apply>`;
}

/** Evaluates a built-in on constant arguments through Apply. */
export function call(fn: string, ...args: Value[]): Value {
  return evaluate(apply(fn, ...args));
}

/** Evaluates a built-in with its arguments read from fields (no constant folding of patterns). */
export function callDynamic(fn: string, args: readonly Value[], types: readonly DataType[]): Value {
  const fields: Record<string, DataType> = {};
  const record: Record<string, Value> = {};
  const refs = args.map((a, i) => {
    fields[`a${i}`] = types[i];
    record[`a${i}`] = a;
    return `<FieldRef field="a${i}"/>`;
  });
  return evaluate(`<Apply function="${fn}">${refs.join('')}</Apply>`, record, { fields });
}

export function near(actual: Value, expected: number, tol = 1e-12): boolean {
  return typeof actual === 'number' && Math.abs(actual - expected) <= tol * Math.max(1, Math.abs(expected));
}
