// PFA document → checked, typed JavaScript. One pass over the document: every
// expression is type-checked (PFA's inference is local: subexpressions and symbols
// defined before) and translated into JavaScript statements plus a value. The
// output is the body of `createEngine(rt, F, TYPES)`, where rt is runtime/pfa/engine.ts,
// F the library functions the document calls and TYPES the engine's type table;
// generators/module/emit-pfa.ts wraps it into a module, the conformance runner
// evaluates it directly.
//
// Names and strings from the document are data: symbols become generated
// identifiers (x_3), strings and field names are written with JSON.stringify, and
// doc/metadata text never reaches code.

import { parseType, typeToJson, type NameTable } from '../../../runtime/pfa/avro.js';
import { libraryFunction } from '../../../runtime/pfa/lib/registry.js';
import { holdsLong } from '../../../runtime/pfa/values.js';
import type { PfaField, PfaType } from '../../../runtime/pfa/types.js';
import { FloatLiteral, plainJson, type PfaJson } from './decode.js';
import { parseFormat, type Format } from '../../../runtime/pfa/pack.js';
import { accepts, bindFree, matchCall, sameType, widen } from './signatures.js';

export class PfaCompileError extends Error {
  constructor(readonly path: string, readonly detail: string, readonly unsupported = false) {
    super(`${path}: ${detail}`);
    this.name = 'PfaCompileError';
  }
}

function bad(path: string, detail: string): never {
  throw new PfaCompileError(path, detail);
}

const T = {
  null: { kind: 'null' } as PfaType,
  boolean: { kind: 'boolean' } as PfaType,
  int: { kind: 'int' } as PfaType,
  long: { kind: 'long' } as PfaType,
  float: { kind: 'float' } as PfaType,
  double: { kind: 'double' } as PfaType,
  string: { kind: 'string' } as PfaType,
  bytes: { kind: 'bytes' } as PfaType,
};

const SYMBOL = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** The type of an expression that never returns (an `error` form): ignored when branches are combined. */
const NEVER: PfaType = { kind: 'null' };

interface Binding {
  readonly js: string;
  type: PfaType;
  readonly readOnly: boolean;
  /** Function parameters and outer-scope symbols cannot be `set` from inside a closure (fcn). */
  readonly depth: number;
}

class Scope {
  private readonly vars = new Map<string, Binding>();
  constructor(readonly parent: Scope | null, readonly fnDepth: number) {}
  get(name: string): Binding | undefined {
    return this.vars.get(name) ?? this.parent?.get(name);
  }
  define(name: string, b: Binding): void {
    this.vars.set(name, b);
  }
  child(): Scope {
    return new Scope(this, this.fnDepth);
  }
}

interface Value {
  /** Statements to run first (in order). */
  readonly pre: string[];
  /** A JavaScript expression for the value, valid after `pre` ran; side-effect free. */
  readonly js: string;
  readonly type: PfaType;
}

export interface CompiledPfa {
  readonly name: string;
  readonly method: 'map' | 'emit' | 'fold';
  readonly input: PfaType;
  readonly output: PfaType;
  /** The type table: Avro JSON of every type the engine needs at run time, in order. */
  readonly types: readonly unknown[];
  /** Index of the input and output types in the table. */
  readonly inputType: number;
  readonly outputType: number;
  /** Library functions used: key in F → { module, exportName, name }. */
  readonly functions: ReadonlyMap<string, { readonly module: string; readonly exportName: string; readonly name: string }>;
  /** The body of createEngine(rt, F, TYPES) (plain JavaScript). */
  readonly body: string;
  readonly cells: readonly string[];
  readonly pools: readonly string[];
  readonly doc: string | null;
}

const TOP_LEVEL = new Set(['name', 'method', 'input', 'output', 'begin', 'action', 'end', 'fcns', 'zero', 'merge', 'cells', 'pools', 'randseed', 'doc', 'version', 'metadata', 'options']);

/** Error codes of the path special forms (specification §7.8–7.9). */
const CODES = {
  attr: [2000, 2001], attrTo: [2002, 2003], cell: [2004, 2005], cellTo: [2006, 2007], pool: [2008, 2009], poolTo: [2010, 2011], poolDel: [2012, 2013],
};

export function compilePfa(doc: PfaJson, fallbackName: string): CompiledPfa {
  return new Compiler(doc, fallbackName).compile();
}

class Compiler {
  private readonly names: NameTable = new Map();
  private readonly typeTable: unknown[] = [];
  private readonly typeIndex = new Map<PfaType, number>();
  private readonly functions = new Map<string, { module: string; exportName: string; name: string }>();
  private readonly decls: string[] = [];
  private readonly userFns = new Map<string, { js: string; type: PfaType & { kind: 'function' }; path: string }>();
  private readonly cellTypes = new Map<string, PfaType>();
  private readonly poolTypes = new Map<string, PfaType>();
  private counter = 0;
  private method: 'map' | 'emit' | 'fold' = 'map';
  private output: PfaType = T.null;
  private input: PfaType = T.null;

  /**
   * Statements that check the routine's deadline (the `timeout` options), put at the top of
   * every loop body and function body: a begin/action/end that runs too long is always in
   * a loop or a (recursive) call. Empty when the document sets no timeout, so engines
   * without one pay nothing.
   */
  private tick: string[] = [];

  constructor(private readonly doc: PfaJson, private readonly fallbackName: string) {}

  private fresh(base: string): string {
    return `${base.replace(/[^A-Za-z0-9_]/g, '_').slice(0, 24)}_${++this.counter}`;
  }

  /** The index of a type in the run-time type table. */
  private typeRef(t: PfaType): number {
    let i = this.typeIndex.get(t);
    if (i === undefined) {
      i = this.typeTable.length;
      // Named types are written in full where first used (parseTypes reads the table in order).
      this.typeTable.push(typeToJson(t, this.written));
      this.typeIndex.set(t, i);
    }
    return i;
  }

  private readonly written = new Set<string>();

  private parseAvro(json: PfaJson, path: string): PfaType {
    try {
      return parseType(plainJson(json), this.names, path);
    } catch (e) {
      return bad(path, (e as Error).message.replace(/^[^:]*: /, ''));
    }
  }

  compile(): CompiledPfa {
    const d = this.doc;
    if (typeof d !== 'object' || d === null || Array.isArray(d) || d instanceof FloatLiteral) bad('PFA', 'the document must be a JSON object');
    for (const k of Object.keys(d)) if (!TOP_LEVEL.has(k)) bad(k, `unknown top-level field "${k}"`);
    const name = typeof d.name === 'string' ? d.name : this.fallbackName;
    const method = d.method ?? 'map';
    if (method !== 'map' && method !== 'emit' && method !== 'fold') bad('method', 'must be "map", "emit" or "fold"');
    this.method = method;
    if (!('input' in d)) bad('input', 'the document needs an input type');
    if (!('output' in d)) bad('output', 'the document needs an output type');
    if (!('action' in d)) bad('action', 'the document needs an action');
    const timeouts = executionTimeouts(d.options);
    if (timeouts !== null) this.tick = ['watch.tick();'];
    this.declareNamedTypes(d);
    this.input = this.parseAvro(d.input, 'input');
    this.output = this.parseAvro(d.output, 'output');
    const inputType = this.typeRef(this.input);
    const outputType = this.typeRef(this.output);

    const lines: string[] = [];
    const randseed = typeof d.randseed === 'number' ? d.randseed : null;
    // LOG: the host's log function (createEngine({ log })), else the console; `typeof` keeps hosts that pass none working.
    lines.push(`const ctx = rt.makeContext(${randseed === null ? 'null' : JSON.stringify(randseed)}, typeof LOG === "function" ? LOG : (m) => { if (typeof console !== "undefined") console.log(m); });`);
    lines.push('const counters = { started: 0, finished: 0 };');
    lines.push('const emitted = [];');
    lines.push('const fold = { tally: null };');
    lines.push(`const NAME = ${JSON.stringify(name)};`);
    const metadata = d.metadata ?? {};
    lines.push(`const METADATA = Object.assign(Object.create(null), ${JSON.stringify(plainJson(metadata))});`);
    lines.push(`const VERSION = ${typeof d.version === 'number' ? JSON.stringify(d.version) : 'null'};`);

    // Cells and pools: types and initial values.
    const cellNames: string[] = [], poolNames: string[] = [], rbCells: string[] = [], rbPools: string[] = [];
    const cellInit: string[] = [], poolInit: string[] = [];
    for (const [section, isPool] of [['cells', false], ['pools', true]] as const) {
      const spec = d[section];
      if (spec === undefined) continue;
      if (typeof spec !== 'object' || spec === null || Array.isArray(spec)) bad(section, 'must be an object');
      for (const [n, raw] of Object.entries(spec as Record<string, PfaJson>)) {
        const p = `${section}.${n}`;
        if (!SYMBOL.test(n)) bad(p, 'invalid name');
        if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) bad(p, 'must be an object with type and init');
        const c = raw as Record<string, PfaJson>;
        const t = this.parseAvro(c.type, `${p}.type`);
        if (!('init' in c)) bad(p, 'needs "init"');
        const ti = this.typeRef(isPool ? { kind: 'map', values: t } : t);
        const init = `rt.fromJson(${JSON.stringify(plainJson(c.init))}, TYPES[${ti}], ${JSON.stringify(p)}, true)`;
        if (isPool) {
          this.poolTypes.set(n, t);
          poolNames.push(n);
          poolInit.push(`P[${JSON.stringify(n)}] = ${init};`);
          if (c.rollback === true) rbPools.push(n);
        } else {
          this.cellTypes.set(n, t);
          cellNames.push(n);
          cellInit.push(`C[${JSON.stringify(n)}] = ${init};`);
          if (c.rollback === true) rbCells.push(n);
        }
      }
    }
    lines.push('const C = Object.create(null);');
    lines.push('const P = Object.create(null);');
    lines.push(...cellInit, ...poolInit);

    // User functions: signatures first (mutual recursion), then bodies.
    const fcns = d.fcns;
    const fnBodies: string[] = [];
    if (fcns !== undefined) {
      if (typeof fcns !== 'object' || fcns === null || Array.isArray(fcns)) bad('fcns', 'must be an object');
      const entries = Object.entries(fcns as Record<string, PfaJson>);
      for (const [n, f] of entries) {
        const p = `fcns.${n}`;
        if (!SYMBOL.test(n)) bad(p, 'invalid function name');
        const sig = this.fnSignature(f, p);
        this.userFns.set(`u.${n}`, { js: this.fresh(`u_${n}`), type: sig.type, path: p });
      }
      for (const [n, f] of entries) {
        const u = this.userFns.get(`u.${n}`) as { js: string; type: PfaType & { kind: 'function' }; path: string };
        fnBodies.push(this.fnDefinition(f as Record<string, PfaJson>, u.js, u.path, this.globalScope('fcn')));
      }
    }

    // begin, action, end, merge.
    const begin = this.routine(d.begin, 'begin', 'begin');
    const action = this.routine(d.action, 'action', 'action');
    const end = this.routine(d.end, 'end', 'end');
    let merge = 'null';
    if (method === 'fold') {
      if (!('zero' in d)) bad('zero', 'a fold engine needs "zero"');
      lines.push(`fold.tally = rt.fromJson(${JSON.stringify(plainJson(d.zero))}, TYPES[${outputType}], "zero", true);`);
      if (d.merge !== undefined) merge = this.routine(d.merge, 'merge', 'merge');
    }

    // With timeouts, each routine runs under a stopwatch (runtime/pfa/engine.ts stopwatch).
    const timed = (kind: 'begin' | 'action' | 'end', f: string): string => (timeouts === null ? f : `watch.guard(${timeouts[kind]}, ${f})`);
    const body = [
      ...lines,
      ...(timeouts !== null ? ['const watch = rt.stopwatch();'] : []),
      ...this.decls,
      ...fnBodies,
      `const begin = ${timed('begin', begin)};`,
      `const action = ${timed('action', action)};`,
      `const end = ${timed('end', end)};`,
      `return rt.engine({ method: ${JSON.stringify(method)}, cells: C, pools: P, rollbackCells: ${JSON.stringify(rbCells)}, rollbackPools: ${JSON.stringify(rbPools)}, begin, action, end, merge: ${merge}, counters, emitted, fold });`,
    ].join('\n');
    return {
      name, method, input: this.input, output: this.output, types: this.typeTable, inputType, outputType,
      functions: this.functions, body, cells: cellNames, pools: poolNames,
      doc: typeof d.doc === 'string' ? d.doc : null,
    };
  }

  /**
   * Named types may be used anywhere in the document once defined anywhere (in a cell,
   * a function signature, a literal...): every definition is registered first, in
   * rounds, so that definitions depending on others resolve whatever their order.
   */
  private declareNamedTypes(d: PfaJson): void {
    const defs: PfaJson[] = [];
    const walk = (v: PfaJson, depth: number): void => {
      if (depth > 200 || v === null || typeof v !== 'object' || v instanceof FloatLiteral) return;
      if (Array.isArray(v)) {
        for (const x of v) walk(x, depth + 1);
        return;
      }
      if ((v.type === 'record' || v.type === 'enum' || v.type === 'fixed' || v.type === 'error') && typeof v.name === 'string') defs.push(v);
      for (const x of Object.values(v)) walk(x, depth + 1);
    };
    walk(d, 0);
    let pending = defs;
    while (pending.length > 0) {
      const next: PfaJson[] = [];
      for (const def of pending) {
        const trial = new Map(this.names);
        try {
          parseType(plainJson(def), trial, 'type');
          for (const [k, t] of trial) if (!this.names.has(k)) this.names.set(k, t);
        } catch {
          next.push(def);
        }
      }
      // No progress: leave the rest to be reported where they are used.
      if (next.length === pending.length) break;
      pending = next;
    }
  }

  private globalScope(kind: 'begin' | 'action' | 'end' | 'merge' | 'fcn'): Scope {
    const s = new Scope(null, 0);
    if (kind === 'fcn') return s;
    s.define('name', { js: 'NAME', type: T.string, readOnly: true, depth: 0 });
    s.define('instance', { js: '0', type: T.int, readOnly: true, depth: 0 });
    s.define('metadata', { js: 'METADATA', type: { kind: 'map', values: T.string }, readOnly: true, depth: 0 });
    if (typeof (this.doc as Record<string, PfaJson>).version === 'number') s.define('version', { js: 'VERSION', type: T.int, readOnly: true, depth: 0 });
    if (kind === 'action' || kind === 'end') {
      s.define('actionsStarted', { js: 'counters.started', type: T.long, readOnly: true, depth: 0 });
      s.define('actionsFinished', { js: 'counters.finished', type: T.long, readOnly: true, depth: 0 });
    }
    if (kind === 'action') s.define('input', { js: 'input', type: this.input, readOnly: true, depth: 0 });
    if (this.method === 'fold' && (kind === 'action' || kind === 'end')) s.define('tally', { js: 'fold.tally', type: this.output, readOnly: true, depth: 0 });
    if (kind === 'merge') {
      s.define('tallyOne', { js: 'tallyOne', type: this.output, readOnly: true, depth: 0 });
      s.define('tallyTwo', { js: 'tallyTwo', type: this.output, readOnly: true, depth: 0 });
    }
    return s;
  }

  /** begin/action/end/merge → a JavaScript function expression. */
  private routine(exprs: PfaJson | undefined, kind: 'begin' | 'action' | 'end' | 'merge', path: string): string {
    const params = kind === 'action' ? 'input' : kind === 'merge' ? 'tallyOne, tallyTwo' : '';
    if (exprs === undefined) return `(${params}) => null`;
    const list = Array.isArray(exprs) ? exprs : [exprs];
    if (list.length === 0 && (kind === 'action' || kind === 'merge')) bad(path, 'needs at least one expression');
    const scope = this.globalScope(kind);
    const v = this.block(list, scope, path);
    if (kind === 'action' || kind === 'merge') {
      const want = this.method === 'emit' ? null : this.output;
      if (want !== null && v.type !== NEVER && !accepts(want, v.type)) bad(path, `returns ${show(v.type)}, but the output type is ${show(want)}`);
      if (want !== null) {
        const c = this.coerce(v, want);
        return `(${params}) => {\n${indent(c.pre)}\n  return ${c.js};\n}`;
      }
    }
    return `(${params}) => {\n${indent(v.pre)}\n  return ${kind === 'action' || kind === 'merge' ? v.js : 'null'};\n}`;
  }

  private fnSignature(f: PfaJson, path: string): { type: PfaType & { kind: 'function' }; params: { name: string; type: PfaType }[] } {
    if (typeof f !== 'object' || f === null || Array.isArray(f)) bad(path, 'a function needs params, ret and do');
    const o = f as Record<string, PfaJson>;
    if (!Array.isArray(o.params)) bad(`${path}.params`, 'must be an array of {name: type}');
    const params = o.params.map((p, i) => {
      if (typeof p !== 'object' || p === null || Array.isArray(p) || Object.keys(p).length !== 1) bad(`${path}.params[${i}]`, 'each parameter is {"name": type}');
      const [n, t] = Object.entries(p as Record<string, PfaJson>)[0];
      if (!SYMBOL.test(n)) bad(`${path}.params[${i}]`, `invalid parameter name ${JSON.stringify(n)}`);
      return { name: n, type: this.parseAvro(t, `${path}.params[${i}].${n}`) };
    });
    if (!('ret' in o)) bad(path, 'a function needs "ret"');
    const ret = this.parseAvro(o.ret, `${path}.ret`);
    return { type: { kind: 'function', params: params.map((p) => p.type), ret }, params };
  }

  /** A user function's JavaScript definition. */
  private fnDefinition(f: Record<string, PfaJson>, js: string, path: string, outer: Scope): string {
    const { type, params } = this.fnSignature(f, path);
    const scope = new Scope(outer, outer.fnDepth + 1);
    const names = params.map((p) => {
      const id = this.fresh(p.name);
      scope.define(p.name, { js: id, type: p.type, readOnly: false, depth: scope.fnDepth });
      return id;
    });
    if (!('do' in f)) bad(path, 'a function needs "do"');
    const body = Array.isArray(f.do) ? f.do : [f.do];
    if (body.length === 0) bad(`${path}.do`, 'needs at least one expression');
    const b = this.block(body, scope, `${path}.do`);
    if (b.type !== NEVER && !accepts(type.ret, b.type)) bad(path, `returns ${show(b.type)}, but declares ${show(type.ret)}`);
    const v = this.coerce(b, type.ret);
    return `function ${js}(${names.join(', ')}) {\n${indent([...this.tick, ...v.pre])}\n  return ${v.js};\n}`;
  }

  /** A sequence of expressions in a new scope; its value is the last one's. */
  private block(exprs: readonly PfaJson[], outer: Scope, path: string): Value {
    return this.blockIn(exprs, outer.child(), path);
  }

  /** A sequence of expressions in the given scope. */
  private blockIn(exprs: readonly PfaJson[], scope: Scope, path: string): Value {
    const pre: string[] = [];
    let last: Value = { pre: [], js: 'null', type: T.null };
    let never = false;
    exprs.forEach((e, i) => {
      last = this.expr(e, scope, `${path}[${i}]`);
      if (last.type === NEVER) never = true;
      pre.push(...last.pre);
      if (i < exprs.length - 1 && isExpressionStatement(last.js)) pre.push(`${last.js};`);
    });
    return { pre, js: last.js, type: never && last.type.kind === 'null' ? NEVER : last.type };
  }

  /** Binds a value to a temporary so later statements cannot change what it reads. */
  private hold(v: Value, base = 't'): Value {
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(v.js) || /^-?[0-9.e+-]+$/.test(v.js) || v.js === 'null' || v.js.startsWith('"')) return v;
    const t = this.fresh(base);
    return { pre: [...v.pre, `const ${t} = ${v.js};`], js: t, type: v.type };
  }

  // ------------------------------------------------------------------ expressions

  expr(e: PfaJson, scope: Scope, path: string): Value {
    if (e === null) return { pre: [], js: 'null', type: T.null };
    if (typeof e === 'boolean') return { pre: [], js: String(e), type: T.boolean };
    if (typeof e === 'number') {
      if (!Number.isInteger(e)) return { pre: [], js: numberJs(e), type: T.double };
      if (e >= -2147483648 && e <= 2147483647) return { pre: [], js: numberJs(e), type: T.int };
      return { pre: [], js: longJs(e), type: T.long };
    }
    if (e instanceof FloatLiteral) return { pre: [], js: numberJs(e.value), type: T.double };
    if (typeof e === 'string') return this.symbol(e, scope, path);
    if (Array.isArray(e)) {
      if (e.length === 1 && typeof e[0] === 'string') return { pre: [], js: JSON.stringify(e[0]), type: T.string };
      return bad(path, 'an array here must be ["string literal"]');
    }
    const keys = Object.keys(e);
    const has = (k: string): boolean => Object.hasOwn(e, k);
    // Literals.
    if (keys.length === 1) {
      const k = keys[0], v = e[k];
      switch (k) {
        case 'int': {
          if (typeof v !== 'number' || !Number.isInteger(v) || v < -2147483648 || v > 2147483647) bad(path, 'an int literal must be a 32-bit integer');
          return { pre: [], js: numberJs(v), type: T.int };
        }
        case 'long': {
          if (typeof v !== 'number' || !Number.isInteger(v)) bad(path, 'a long literal must be an integer');
          return { pre: [], js: longJs(v), type: T.long };
        }
        case 'float': {
          const n = v instanceof FloatLiteral ? v.value : v;
          if (typeof n !== 'number') bad(path, 'a float literal must be a number');
          return { pre: [], js: numberJs(Math.fround(n)), type: T.float };
        }
        case 'double': {
          const n = v instanceof FloatLiteral ? v.value : v;
          if (typeof n !== 'number') bad(path, 'a double literal must be a number');
          return { pre: [], js: numberJs(n), type: T.double };
        }
        case 'string': {
          if (typeof v !== 'string') bad(path, 'a string literal must be a string');
          return { pre: [], js: JSON.stringify(v), type: T.string };
        }
        case 'base64': {
          if (typeof v !== 'string') bad(path, 'a base64 literal must be a string');
          const id = this.fresh('k');
          this.decls.push(`const ${id} = rt.fromJson(${JSON.stringify(v)}, TYPES[${this.typeRef(T.bytes)}], ${JSON.stringify(path)});`);
          return { pre: [], js: id, type: T.bytes };
        }
        case 'do': return this.block(Array.isArray(v) ? v : [v], scope, `${path}.do`);
        case 'let': return this.letSet(v, scope, `${path}.let`, false);
        case 'set': return this.letSet(v, scope, `${path}.set`, true);
        case 'fcn': return this.fcnRef(e, scope, path);
        case 'doc': return { pre: [], js: 'null', type: T.null };
        case 'error': return this.errorForm(e, scope, path);
        case 'cell': return this.cellGet(e, scope, path);
        case 'pool': return bad(path, 'a pool reference needs a path');
        case 'pack': return this.pack(e, scope, path);
        case 'try': return this.tryForm(e, scope, path);
        case 'log': return this.logForm(e, scope, path);
        default: break;
      }
    }
    if (has('type') && has('value') && keys.length === 2) {
      const t = this.parseAvro(e.type, `${path}.type`);
      return this.constant(plainJson(e.value), t, path);
    }
    if (has('new')) return this.newForm(e, scope, path);
    if (has('fcn')) return this.fcnRef(e, scope, path);
    if (has('call') && has('args')) return this.callForm(e, scope, path);
    if (has('if')) return this.ifForm(e, scope, path);
    if (has('cond')) return this.condForm(e, scope, path);
    if (has('for')) return this.forForm(e, scope, path);
    if (has('while')) return this.whileForm(e, scope, path);
    if (has('until')) return this.untilForm(e, scope, path);
    if (has('foreach')) return this.foreachForm(e, scope, path);
    if (has('forkey')) return this.forkeyForm(e, scope, path);
    if (has('cast')) return this.castForm(e, scope, path);
    if (has('upcast')) return this.upcastForm(e, scope, path);
    if (has('ifnotnull')) return this.ifnotnullForm(e, scope, path);
    if (has('attr')) return this.attrForm(e, scope, path);
    if (has('cell')) return this.cellForm(e, scope, path);
    if (has('pool')) return this.poolForm(e, scope, path);
    if (has('unpack')) return this.unpackForm(e, scope, path);
    if (has('params') && has('ret') && has('do')) return this.inlineFcn(e, scope, path);
    if (has('error')) return this.errorForm(e, scope, path);
    if (has('log')) return this.logForm(e, scope, path);
    if (has('try')) return this.tryForm(e, scope, path);
    if (keys.length === 1) return this.call(keys[0], e[keys[0]], scope, path);
    return bad(path, `not an expression (keys ${keys.join(', ')})`);
  }

  private symbol(s: string, scope: Scope, path: string): Value {
    if (s.includes('.')) {
      // "x.a.b": a shortcut for {"attr": "x", "path": [["a"], ["b"]]}.
      const [head, ...rest] = s.split('.');
      return this.attrForm({ attr: head, path: rest.map((r) => (/^\d+$/.test(r) ? Number(r) : [r])) } as PfaJson as Record<string, PfaJson>, scope, path);
    }
    const b = scope.get(s);
    if (b === undefined) return bad(path, `unknown symbol ${JSON.stringify(s)}`);
    return { pre: [], js: b.js, type: b.type };
  }

  /** A constant value of type t from its JSON form, decoded once when the engine is created. */
  private constant(json: unknown, t: PfaType, path: string): Value {
    if (t.kind === 'int' || t.kind === 'long' || t.kind === 'double' || t.kind === 'float') {
      if (typeof json === 'number' && t.kind === 'long' && Number.isInteger(json)) return { pre: [], js: longJs(json), type: t };
      if (typeof json === 'number' && t.kind !== 'long') return { pre: [], js: numberJs(t.kind === 'float' ? Math.fround(json) : json), type: t };
    }
    if (t.kind === 'string' && typeof json === 'string') return { pre: [], js: JSON.stringify(json), type: t };
    if (t.kind === 'boolean' && typeof json === 'boolean') return { pre: [], js: String(json), type: t };
    if (t.kind === 'null' && json === null) return { pre: [], js: 'null', type: t };
    const id = this.fresh('k');
    const ti = this.typeRef(t);
    this.decls.push(`const ${id} = rt.fromJson(${JSON.stringify(json)}, TYPES[${ti}], ${JSON.stringify(path)}, true);`);
    return { pre: [], js: id, type: t };
  }

  private letSet(v: PfaJson, scope: Scope, path: string, isSet: boolean): Value {
    if (typeof v !== 'object' || v === null || Array.isArray(v) || v instanceof FloatLiteral) bad(path, 'must be an object of {name: expression}');
    const entries = Object.entries(v);
    if (entries.length === 0) bad(path, 'must name at least one symbol');
    const pre: string[] = [];
    // All right-hand sides are evaluated before any binding (they cannot see each other).
    const values = entries.map(([n, x]) => {
      const val = this.hold(this.expr(x, scope, `${path}.${n}`), n);
      pre.push(...val.pre);
      return val;
    });
    entries.forEach(([n], i) => {
      const val = values[i];
      if (isSet) {
        const b = scope.get(n);
        if (b === undefined) bad(`${path}.${n}`, `cannot set ${JSON.stringify(n)}: it is not defined`);
        if (b.readOnly) bad(`${path}.${n}`, `${JSON.stringify(n)} is read-only`);
        if (b.depth < scope.fnDepth) bad(`${path}.${n}`, `cannot set ${JSON.stringify(n)} from inside a function`);
        if (!accepts(b.type, val.type)) bad(`${path}.${n}`, `${JSON.stringify(n)} has type ${show(b.type)}, which does not accept ${show(val.type)}`);
        pre.push(`${b.js} = ${this.coerce(val, b.type).js};`);
      } else {
        if (!SYMBOL.test(n)) bad(`${path}.${n}`, `invalid symbol name ${JSON.stringify(n)}`);
        if (scope.get(n) !== undefined) bad(`${path}.${n}`, `${JSON.stringify(n)} is already defined (PFA has no shadowing)`);
        if (val.type.kind === 'null' && false) bad(path, 'unreachable');
        const id = this.fresh(n);
        scope.define(n, { js: id, type: val.type, readOnly: false, depth: scope.fnDepth });
        pre.push(`let ${id} = ${val.js};`);
      }
    });
    return { pre, js: 'null', type: T.null };
  }

  private errorForm(e: Record<string, PfaJson>, _scope: Scope, path: string): Value {
    if (typeof e.error !== 'string') bad(`${path}.error`, 'the message must be a string');
    const code = e.code;
    if (code !== undefined && (typeof code !== 'number' || !Number.isInteger(code))) bad(`${path}.code`, 'must be an integer');
    return { pre: [`rt.userError(${JSON.stringify(e.error)}, ${code === undefined ? 'undefined' : String(code)});`], js: 'null', type: NEVER };
  }

  private logForm(e: Record<string, PfaJson>, scope: Scope, path: string): Value {
    const items = Array.isArray(e.log) ? e.log : [e.log];
    const pre: string[] = [];
    const parts = items.map((x, i) => {
      const v = this.hold(this.expr(x, scope, `${path}.log[${i}]`));
      pre.push(...v.pre);
      return `JSON.stringify(rt.toJson(${v.js}, TYPES[${this.typeRef(v.type)}]))`;
    });
    const ns = typeof e.namespace === 'string' ? `${JSON.stringify(e.namespace)} + ": " + ` : '';
    pre.push(`ctx.log(${ns}[${parts.join(', ')}].join(" "));`);
    return { pre, js: 'null', type: T.null };
  }

  private tryForm(e: Record<string, PfaJson>, scope: Scope, path: string): Value {
    const body = Array.isArray(e.try) ? e.try : [e.try];
    const v = this.block(body, scope, `${path}.try`);
    const t = this.fresh('try');
    const filter = Array.isArray(e.filter) ? e.filter : null;
    const type = v.type.kind === 'null' ? T.null : widen(v.type, T.null);
    const test = filter === null ? 'true' : `(err instanceof Error && ${JSON.stringify(filter.map((x) => plainJson(x)))}.some((f) => f === err.message || f === err.code))`;
    return {
      pre: [`let ${t} = null;`, 'try {', indent(v.pre), `  ${t} = ${v.js};`, `} catch (err) { if (!${test}) throw err; ${t} = null; }`],
      js: t, type,
    };
  }

  private newForm(e: Record<string, PfaJson>, scope: Scope, path: string): Value {
    if (!('type' in e)) bad(path, '"new" needs a "type"');
    const t = this.parseAvro(e.type, `${path}.type`);
    const pre: string[] = [];
    const item = (x: PfaJson, want: PfaType, p: string): string => {
      const v = this.hold(this.expr(x, scope, p));
      if (!accepts(want, v.type)) bad(p, `expected ${show(want)}, found ${show(v.type)}`);
      pre.push(...v.pre);
      return this.coerce(v, want).js;
    };
    if (t.kind === 'array') {
      if (!Array.isArray(e.new)) bad(`${path}.new`, 'an array needs a JSON array of expressions');
      const parts = e.new.map((x, i) => item(x, t.items, `${path}.new[${i}]`));
      return { pre, js: `[${parts.join(', ')}]`, type: t };
    }
    if (t.kind === 'map' || t.kind === 'record') {
      const o = e.new;
      if (typeof o !== 'object' || o === null || Array.isArray(o) || o instanceof FloatLiteral) bad(`${path}.new`, 'needs an object of expressions');
      if (t.kind === 'record') {
        for (const k of Object.keys(o)) if (!t.fields.some((f) => f.name === k)) bad(`${path}.new.${k}`, `${t.name} has no field ${k}`);
        for (const f of t.fields) if (!Object.hasOwn(o, f.name)) bad(`${path}.new`, `the ${t.name} record needs the field ${f.name}`);
      }
      const id = this.fresh('o');
      const parts = Object.entries(o).map(([k, x]) => {
        const want = t.kind === 'map' ? t.values : (t.fields.find((f) => f.name === k) as PfaField).type;
        return `${id}[${JSON.stringify(k)}] = ${item(x, want, `${path}.new.${k}`)};`;
      });
      return { pre: [...pre, `const ${id} = Object.create(null);`, ...parts], js: id, type: t };
    }
    return bad(path, `"new" makes arrays, maps and records, not ${show(t)}`);
  }

  private condition(x: PfaJson, scope: Scope, path: string): Value {
    const c = this.expr(x, scope, path);
    if (c.type.kind !== 'boolean') bad(path, `the condition must be boolean, not ${show(c.type)}`);
    return c;
  }

  private ifForm(e: Record<string, PfaJson>, scope: Scope, path: string): Value {
    const c = this.condition(e.if, scope.child(), `${path}.if`);
    if (!('then' in e)) bad(path, '"if" needs "then"');
    const thenV = this.block(asList(e.then), scope, `${path}.then`);
    if (!('else' in e)) {
      return { pre: [...c.pre, `if (${c.js}) {`, indent(thenV.pre), '}'], js: 'null', type: T.null };
    }
    const elseV = this.block(asList(e.else), scope, `${path}.else`);
    const type = this.supertype([thenV.type, elseV.type], path);
    const r = this.fresh('r');
    return {
      pre: [...c.pre, `let ${r};`, `if (${c.js}) {`, indent(thenV.pre), `  ${r} = ${thenV.js};`, '} else {', indent(elseV.pre), `  ${r} = ${elseV.js};`, '}'],
      js: this.merged(r, [thenV.type, elseV.type], type), type,
    };
  }

  /**
   * v as a value of `to` (a type that accepts v's). PFA promotes int → long → float → double;
   * longs are BigInts and the others numbers (runtime/pfa/types.ts), so a promotion across the
   * long boundary converts: inline for plain numbers, rt.coerceTo (values.ts) through unions
   * and containers. Everything else, the double and int hot paths included, is untouched.
   */
  private coerce(v: Value, to: PfaType): Value {
    if (v.type === NEVER || !crossesLong(v.type, to)) return v;
    if (v.type.kind === 'int' && to.kind === 'long') return { pre: v.pre, js: `BigInt(${v.js})`, type: to };
    if (v.type.kind === 'long' && to.kind === 'double') return { pre: v.pre, js: `Number(${v.js})`, type: to };
    return { pre: v.pre, js: `rt.coerceTo(${v.js}, TYPES[${this.typeRef(to)}])`, type: to };
  }

  /** The result variable of a branching form, in the representation of the merged type. */
  private merged(r: string, branches: readonly PfaType[], type: PfaType): string {
    if (!branches.some((b) => b !== NEVER && crossesLong(b, type))) return r;
    return `rt.coerceTo(${r}, TYPES[${this.typeRef(type)}])`;
  }

  private supertype(all: readonly PfaType[], path: string): PfaType {
    const types = all.filter((x) => x !== NEVER);
    if (types.length === 0) return NEVER;
    let t = types[0];
    for (const x of types.slice(1)) {
      if ((t.kind === 'enum' || t.kind === 'fixed' || x.kind === 'enum' || x.kind === 'fixed') && !sameType(t, x) && !accepts(t, x) && !accepts(x, t)) {
        bad(path, `no common type for ${show(t)} and ${show(x)}`);
      }
      t = widen(t, x);
    }
    return t;
  }

  private condForm(e: Record<string, PfaJson>, scope: Scope, path: string): Value {
    if (!Array.isArray(e.cond) || e.cond.length === 0) bad(`${path}.cond`, 'must be a non-empty array of {if, then}');
    const hasElse = 'else' in e;
    const r = this.fresh('r');
    const pre: string[] = [`let ${r} = null;`];
    const types: PfaType[] = [];
    let closes = 0;
    e.cond.forEach((clause, i) => {
      const p = `${path}.cond[${i}]`;
      if (typeof clause !== 'object' || clause === null || Array.isArray(clause)) bad(p, 'must be {if, then}');
      const cl = clause as Record<string, PfaJson>;
      const c = this.condition(cl.if, scope.child(), `${p}.if`);
      const v = this.block(asList(cl.then), scope, `${p}.then`);
      types.push(v.type);
      pre.push(...c.pre.map((l) => '  '.repeat(closes) + l), `${'  '.repeat(closes)}if (${c.js}) {`, indent(v.pre, closes + 1), `${'  '.repeat(closes + 1)}${r} = ${v.js};`, `${'  '.repeat(closes)}} else {`);
      closes++;
    });
    if (hasElse) {
      const v = this.block(asList(e.else), scope, `${path}.else`);
      types.push(v.type);
      pre.push(indent(v.pre, closes), `${'  '.repeat(closes)}${r} = ${v.js};`);
    }
    for (let k = closes - 1; k >= 0; k--) pre.push(`${'  '.repeat(k)}}`);
    const type = hasElse ? this.supertype(types, path) : T.null;
    return { pre, js: hasElse ? this.merged(r, types, type) : 'null', type };
  }

  private whileForm(e: Record<string, PfaJson>, scope: Scope, path: string): Value {
    const c = this.condition(e.while, scope.child(), `${path}.while`);
    const body = this.block(asList(e.do ?? []), scope, `${path}.do`);
    return { pre: ['for (;;) {', indent([...this.tick, ...c.pre]), `  if (!(${c.js})) break;`, indent(body.pre), '}'], js: 'null', type: T.null };
  }

  private untilForm(e: Record<string, PfaJson>, scope: Scope, path: string): Value {
    // The condition is evaluated after the body, in the body's scope.
    const inner = scope.child();
    const body = this.blockIn(asList(e.do ?? []), inner, `${path}.do`);
    const c = this.condition(e.until, inner, `${path}.until`);
    return { pre: ['for (;;) {', indent([...this.tick, ...body.pre]), indent(c.pre), `  if (${c.js}) break;`, '}'], js: 'null', type: T.null };
  }

  private forForm(e: Record<string, PfaJson>, scope: Scope, path: string): Value {
    const inner = scope.child();
    const init = this.letSet(e.for, inner, `${path}.for`, false);
    const c = this.condition(e.while, inner.child(), `${path}.while`);
    const step = this.letSet(e.step, inner, `${path}.step`, true);
    const body = this.block(asList(e.do ?? []), inner, `${path}.do`);
    return { pre: ['{', indent(init.pre), '  for (;;) {', indent([...this.tick, ...c.pre], 2), `    if (!(${c.js})) break;`, indent(body.pre, 2), indent(step.pre, 2), '  }', '}'], js: 'null', type: T.null };
  }

  private foreachForm(e: Record<string, PfaJson>, scope: Scope, path: string): Value {
    if (typeof e.foreach !== 'string' || !SYMBOL.test(e.foreach)) bad(`${path}.foreach`, 'must be a symbol name');
    const arrV = this.expr(e.in, scope.child(), `${path}.in`);
    // Iterate over the array as it was: the loop body may rebind the symbol.
    const arrId = this.fresh('arr');
    const arr: Value = { pre: [...arrV.pre, `const ${arrId} = ${arrV.js};`], js: arrId, type: arrV.type };
    if (arr.type.kind !== 'array') bad(`${path}.in`, `must be an array, not ${show(arr.type)}`);
    const inner = scope.child();
    if (scope.get(e.foreach) !== undefined) bad(`${path}.foreach`, `${JSON.stringify(e.foreach)} is already defined`);
    const id = this.fresh(e.foreach);
    inner.define(e.foreach, { js: id, type: arr.type.items, readOnly: false, depth: inner.fnDepth });
    const body = this.block(asList(e.do ?? []), inner, `${path}.do`);
    const i = this.fresh('i');
    return { pre: [...arr.pre, `for (let ${i} = 0; ${i} < ${arr.js}.length; ${i}++) {`, `  let ${id} = ${arr.js}[${i}];`, indent([...this.tick, ...body.pre]), '}'], js: 'null', type: T.null };
  }

  private forkeyForm(e: Record<string, PfaJson>, scope: Scope, path: string): Value {
    if (typeof e.forkey !== 'string' || typeof e.forval !== 'string') bad(path, 'forkey and forval must be symbol names');
    const m = this.hold(this.expr(e.in, scope.child(), `${path}.in`));
    if (m.type.kind !== 'map') bad(`${path}.in`, `must be a map, not ${show(m.type)}`);
    const inner = scope.child();
    const k = this.fresh(e.forkey), v = this.fresh(e.forval);
    inner.define(e.forkey, { js: k, type: T.string, readOnly: false, depth: inner.fnDepth });
    inner.define(e.forval, { js: v, type: m.type.values, readOnly: false, depth: inner.fnDepth });
    const body = this.block(asList(e.do ?? []), inner, `${path}.do`);
    return { pre: [...m.pre, `for (let ${k} of Object.keys(${m.js})) {`, `  let ${v} = ${m.js}[${k}];`, indent([...this.tick, ...body.pre]), '}'], js: 'null', type: T.null };
  }

  private castForm(e: Record<string, PfaJson>, scope: Scope, path: string): Value {
    const x = this.hold(this.expr(e.cast, scope.child(), `${path}.cast`));
    if (!Array.isArray(e.cases)) bad(`${path}.cases`, 'must be an array of {as, named, do}');
    const partial = e.partial === true;
    const r = this.fresh('r');
    const pre: string[] = [...x.pre, `let ${r} = null;`];
    const types: PfaType[] = [];
    const branches: string[] = [];
    const covered: PfaType[] = [];
    e.cases.forEach((c, i) => {
      const p = `${path}.cases[${i}]`;
      const cl = c as Record<string, PfaJson>;
      const t = this.parseAvro(cl.as, `${p}.as`);
      if (!accepts(x.type, t) && !accepts(t, x.type)) bad(`${p}.as`, `${show(t)} is not a possible type of ${show(x.type)}`);
      covered.push(t);
      if (typeof cl.named !== 'string' || !SYMBOL.test(cl.named)) bad(`${p}.named`, 'must be a symbol name');
      const inner = scope.child();
      const id = this.fresh(cl.named);
      inner.define(cl.named, { js: id, type: t, readOnly: false, depth: inner.fnDepth });
      const body = this.block(asList(cl.do), inner, `${p}.do`);
      types.push(body.type);
      branches.push(`${i === 0 ? '' : 'else '}if (rt.fits(TYPES[${this.typeRef(t)}], ${x.js})) {\n  let ${id} = ${x.js};\n${indent(body.pre)}\n  ${r} = ${body.js};\n}`);
    });
    if (!partial) {
      const members = x.type.kind === 'union' ? x.type.types : [x.type];
      for (const m of members) if (!covered.some((c) => accepts(c, m))) bad(path, `the cases do not cover ${show(m)} (use "partial": true)`);
    }
    pre.push(...branches);
    const type = partial ? T.null : this.supertype(types, path);
    return { pre, js: partial ? 'null' : this.merged(r, types, type), type };
  }

  private upcastForm(e: Record<string, PfaJson>, scope: Scope, path: string): Value {
    const x = this.expr(e.upcast, scope, `${path}.upcast`);
    const t = this.parseAvro(e.as, `${path}.as`);
    if (!accepts(t, x.type)) bad(path, `${show(t)} does not accept ${show(x.type)}`);
    const c = this.coerce(x, t);
    return { pre: c.pre, js: c.js, type: t };
  }

  private ifnotnullForm(e: Record<string, PfaJson>, scope: Scope, path: string): Value {
    const spec = e.ifnotnull;
    if (typeof spec !== 'object' || spec === null || Array.isArray(spec) || spec instanceof FloatLiteral) bad(`${path}.ifnotnull`, 'must be {name: expression}');
    const inner = scope.child();
    const pre: string[] = [];
    const tests: string[] = [];
    const binds: string[] = [];
    for (const [n, x] of Object.entries(spec)) {
      const v = this.hold(this.expr(x, scope.child(), `${path}.ifnotnull.${n}`));
      pre.push(...v.pre);
      if (v.type.kind !== 'union' || !v.type.types.some((t) => t.kind === 'null')) bad(`${path}.ifnotnull.${n}`, `must be a union with null, not ${show(v.type)}`);
      const rest = v.type.types.filter((t) => t.kind !== 'null');
      const t = rest.length === 1 ? rest[0] : { kind: 'union', types: rest } as PfaType;
      const id = this.fresh(n);
      inner.define(n, { js: id, type: t, readOnly: false, depth: inner.fnDepth });
      tests.push(`${v.js} !== null`);
      binds.push(`  let ${id} = ${v.js};`);
    }
    const thenV = this.block(asList(e.then), inner, `${path}.then`);
    if (!('else' in e)) return { pre: [...pre, `if (${tests.join(' && ')}) {`, ...binds, indent(thenV.pre), '}'], js: 'null', type: T.null };
    const elseV = this.block(asList(e.else), scope, `${path}.else`);
    const r = this.fresh('r');
    return {
      pre: [...pre, `let ${r};`, `if (${tests.join(' && ')}) {`, ...binds, indent(thenV.pre), `  ${r} = ${thenV.js};`, '} else {', indent(elseV.pre), `  ${r} = ${elseV.js};`, '}'],
      js: this.merged(r, [thenV.type, elseV.type], this.supertype([thenV.type, elseV.type], path)), type: this.supertype([thenV.type, elseV.type], path),
    };
  }

  // ------------------------------------------------------------------ paths: attr, cell, pool

  /** Walks a path over a value's type: JavaScript access code, steps for updates, the final type. */
  private walkPath(base: Value, pathItems: readonly PfaJson[], scope: Scope, path: string, codes: readonly number[]): { pre: string[]; js: string; steps: string[]; type: PfaType } {
    let t = base.type;
    let js = base.js;
    const pre: string[] = [...base.pre];
    const steps: string[] = [];
    pathItems.forEach((item, i) => {
      const p = `${path}.path[${i}]`;
      if (t.kind === 'record') {
        const fieldName = Array.isArray(item) && item.length === 1 && typeof item[0] === 'string' ? item[0]
          : typeof item === 'object' && item !== null && !Array.isArray(item) && typeof (item as Record<string, PfaJson>).string === 'string' ? (item as Record<string, string>).string : null;
        if (fieldName === null) bad(p, 'a record field must be a string literal');
        const f = t.fields.find((x) => x.name === fieldName);
        if (f === undefined) bad(p, `${t.name} has no field ${JSON.stringify(fieldName)}`);
        js = `${js}[${JSON.stringify(fieldName)}]`;
        steps.push(`{ f: ${JSON.stringify(fieldName)} }`);
        t = f.type;
        return;
      }
      const v = this.hold(this.expr(item, scope.child(), p));
      pre.push(...v.pre);
      if (t.kind === 'array') {
        if (v.type.kind !== 'int' && v.type.kind !== 'long') bad(p, `an array index must be an int, not ${show(v.type)}`);
        const i = v.type.kind === 'long' ? `Number(${v.js})` : v.js;
        js = `rt.index(${js}, ${i}, ${codes[0]})`;
        steps.push(`{ i: ${i} }`);
        t = t.items;
        return;
      }
      if (t.kind === 'map') {
        if (v.type.kind !== 'string') bad(p, `a map key must be a string, not ${show(v.type)}`);
        js = `rt.key(${js}, ${v.js}, ${codes[1]})`;
        steps.push(`{ k: ${v.js} }`);
        t = t.values;
        return;
      }
      bad(p, `cannot index into ${show(t)}`);
    });
    return { pre, js, steps, type: t };
  }

  private attrForm(e: Record<string, PfaJson>, scope: Scope, path: string): Value {
    const base = this.hold(this.expr(e.attr, scope, `${path}.attr`));
    const items = Array.isArray(e.path) ? e.path : bad(`${path}.path`, 'must be an array');
    if (items.length === 0) bad(`${path}.path`, 'must not be empty');
    if ('to' in e) {
      const w = this.walkPath(base, items, scope, path, CODES.attrTo);
      const to = this.updater(e.to, w.type, scope, `${path}.to`);
      const r = this.fresh('r');
      return { pre: [...w.pre, ...to.pre, `const ${r} = rt.updated(${base.js}, [${w.steps.join(', ')}], ${to.js}, ${to.isFn}, ${CODES.attrTo[0]}, ${CODES.attrTo[1]});`], js: r, type: base.type };
    }
    const w = this.walkPath(base, items, scope, path, CODES.attr);
    return { pre: w.pre, js: w.js, type: w.type };
  }

  /** A `to` argument: a value of type t, or a function t → t. */
  private updater(x: PfaJson, t: PfaType, scope: Scope, path: string): { pre: string[]; js: string; isFn: boolean } {
    if (typeof x === 'object' && x !== null && !Array.isArray(x) && !(x instanceof FloatLiteral) &&
      (('params' in x && 'do' in x) || (Object.keys(x).length <= 2 && typeof x.fcn === 'string'))) {
      const f = this.expr(x, scope, path);
      if (f.type.kind !== 'function' || f.type.params.length !== 1 || !accepts(f.type.params[0], t) || !accepts(t, f.type.ret)) {
        bad(path, `the update function must take and return ${show(t)}`);
      }
      return { pre: f.pre, js: f.js, isFn: true };
    }
    const v = this.hold(this.expr(x, scope, path));
    if (!accepts(t, v.type)) bad(path, `expected ${show(t)}, found ${show(v.type)}`);
    return { pre: v.pre, js: this.coerce(v, t).js, isFn: false };
  }

  private cellGet(e: Record<string, PfaJson>, _scope: Scope, path: string): Value {
    const n = e.cell;
    if (typeof n !== 'string' || !this.cellTypes.has(n)) bad(`${path}.cell`, `unknown cell ${JSON.stringify(n)}`);
    return { pre: [], js: `C[${JSON.stringify(n)}]`, type: this.cellTypes.get(n) as PfaType };
  }

  private cellForm(e: Record<string, PfaJson>, scope: Scope, path: string): Value {
    const n = e.cell;
    if (typeof n !== 'string' || !this.cellTypes.has(n)) bad(`${path}.cell`, `unknown cell ${JSON.stringify(n)}`);
    const t = this.cellTypes.get(n) as PfaType;
    const ref = `C[${JSON.stringify(n)}]`;
    const items = e.path === undefined ? [] : Array.isArray(e.path) ? e.path : bad(`${path}.path`, 'must be an array');
    if ('to' in e) {
      const base: Value = { pre: [], js: ref, type: t };
      const w = this.walkPath(base, items, scope, path, CODES.cellTo);
      const to = this.updater(e.to, w.type, scope, `${path}.to`);
      if (items.length === 0) {
        const r = this.fresh('r');
        return { pre: [...to.pre, `const ${r} = ${to.isFn ? `${to.js}(${ref})` : to.js};`, `${ref} = ${r};`], js: r, type: t };
      }
      return { pre: [...w.pre, ...to.pre, `${ref} = rt.updated(${ref}, [${w.steps.join(', ')}], ${to.js}, ${to.isFn}, ${CODES.cellTo[0]}, ${CODES.cellTo[1]});`], js: ref, type: t };
    }
    const w = this.walkPath({ pre: [], js: ref, type: t }, items, scope, path, CODES.cell);
    return { pre: w.pre, js: w.js, type: w.type };
  }

  private poolForm(e: Record<string, PfaJson>, scope: Scope, path: string): Value {
    const n = e.pool;
    if (typeof n !== 'string' || !this.poolTypes.has(n)) bad(`${path}.pool`, `unknown pool ${JSON.stringify(n)}`);
    const t = this.poolTypes.get(n) as PfaType;
    const pool = `P[${JSON.stringify(n)}]`;
    if ('del' in e) {
      const k = this.hold(this.expr(e.del, scope.child(), `${path}.del`));
      if (k.type.kind !== 'string') bad(`${path}.del`, 'a pool key must be a string');
      return { pre: [...k.pre, `delete ${pool}[${k.js}];`], js: 'null', type: T.null };
    }
    const items = Array.isArray(e.path) ? e.path : bad(`${path}.path`, 'a pool reference needs a path (its first item is the key)');
    if (items.length === 0) bad(`${path}.path`, 'needs at least the key');
    const keyV = this.hold(this.expr(items[0], scope.child(), `${path}.path[0]`));
    if (keyV.type.kind !== 'string') bad(`${path}.path[0]`, 'a pool key must be a string');
    if ('del' in e) {
      return { pre: [...keyV.pre, `delete ${pool}[${keyV.js}];`], js: 'null', type: T.null };
    }
    if ('to' in e) {
      const rest = items.slice(1);
      const itemRef = `${pool}[${keyV.js}]`;
      const w = this.walkPath({ pre: [], js: itemRef, type: t }, rest, scope, path, CODES.poolTo);
      const to = this.updater(e.to, w.type, scope, `${path}.to`);
      const pre = [...keyV.pre, ...w.pre, ...to.pre];
      if ('init' in e) {
        const init = this.hold(this.expr(e.init, scope.child(), `${path}.init`));
        if (!accepts(t, init.type)) bad(`${path}.init`, `expected ${show(t)}, found ${show(init.type)}`);
        pre.push(...init.pre, `if (!Object.hasOwn(${pool}, ${keyV.js})) ${pool}[${keyV.js}] = ${this.coerce(init, t).js};`);
      } else if (rest.length > 0 || to.isFn) {
        pre.push(`if (!Object.hasOwn(${pool}, ${keyV.js})) rt.key(${pool}, ${keyV.js}, ${CODES.poolTo[1]});`);
      }
      if (rest.length === 0) {
        pre.push(`${itemRef} = ${to.isFn ? `${to.js}(${itemRef})` : to.js};`);
      } else {
        pre.push(`${itemRef} = rt.updated(${itemRef}, [${w.steps.join(', ')}], ${to.js}, ${to.isFn}, ${CODES.poolTo[0]}, ${CODES.poolTo[1]});`);
      }
      const r = this.fresh('r');
      pre.push(`const ${r} = ${itemRef};`);
      return { pre, js: r, type: t };
    }
    const base: Value = { pre: keyV.pre, js: `rt.key(${pool}, ${keyV.js}, ${CODES.pool[1]})`, type: t };
    const w = this.walkPath(base, items.slice(1), scope, path, CODES.pool);
    return { pre: w.pre, js: w.js, type: w.type };
  }

  // ------------------------------------------------------------------ functions

  private fcnRef(e: Record<string, PfaJson>, scope: Scope, path: string): Value {
    const n = e.fcn;
    if (typeof n !== 'string') bad(`${path}.fcn`, 'must name a function');
    if ('fill' in e) return this.partial(n, e.fill, scope, path);
    const u = this.userFns.get(n);
    if (u !== undefined) return { pre: [], js: u.js, type: u.type };
    // A library function used as a value: only non-generic signatures qualify.
    const lib = libraryFunction(n);
    if (lib === undefined) bad(`${path}.fcn`, `unknown function ${JSON.stringify(n)}`);
    const sig = lib.fn.sigs[0];
    const params = sig.params.map((p) => this.concreteSig(p.type, `${path}.fcn`, n));
    const ret = this.concreteSig(sig.ret, `${path}.fcn`, n);
    const types = { params, ret, sig: 0 };
    const id = this.libInstance(n, types);
    return { pre: [], js: id, type: { kind: 'function', params, ret } };
  }

  private concreteSig(p: unknown, path: string, n: string): PfaType {
    try {
      return parseType(p, new Map(this.names), path);
    } catch {
      return bad(path, `${n} is generic; it can only be passed where its types are fixed by the call`);
    }
  }

  /** {"fcn": "u.f", "fill": {param: expr}}: partial application. */
  private partial(n: string, fill: PfaJson, scope: Scope, path: string): Value {
    const u = this.userFns.get(n);
    if (u === undefined) return this.partialLibrary(n, fill, scope, path);
    if (typeof fill !== 'object' || fill === null || Array.isArray(fill) || fill instanceof FloatLiteral) bad(`${path}.fill`, 'must be {param: expression}');
    const def = ((this.doc as Record<string, PfaJson>).fcns as Record<string, Record<string, PfaJson>>)[n.slice(2)];
    const sig = this.fnSignature(def, u.path);
    const pre: string[] = [];
    const args: string[] = [];
    const free: { name: string; type: PfaType; id: string }[] = [];
    for (const p of sig.params) {
      if (Object.hasOwn(fill, p.name)) {
        const v = this.hold(this.expr(fill[p.name], scope, `${path}.fill.${p.name}`));
        if (!accepts(p.type, v.type)) bad(`${path}.fill.${p.name}`, `expected ${show(p.type)}, found ${show(v.type)}`);
        pre.push(...v.pre);
        args.push(this.coerce(v, p.type).js);
      } else {
        const id = this.fresh(p.name);
        free.push({ name: p.name, type: p.type, id });
        args.push(id);
      }
    }
    return { pre, js: `((${free.map((f) => f.id).join(', ')}) => ${u.js}(${args.join(', ')}))`, type: { kind: 'function', params: free.map((f) => f.type), ret: sig.type.ret } };
  }

  /** {"fcn": "lib.f", "fill": {...}}: a library function with some parameters fixed. */
  private partialLibrary(n: string, fill: PfaJson, scope: Scope, path: string): Value {
    const lib = libraryFunction(n);
    if (lib === undefined) bad(`${path}.fcn`, `unknown function ${JSON.stringify(n)}`);
    if (typeof fill !== 'object' || fill === null || Array.isArray(fill) || fill instanceof FloatLiteral) bad(`${path}.fill`, 'must be {param: expression}');
    const pre: string[] = [];
    const filled = new Map<string, Value>();
    for (const [k, x] of Object.entries(fill)) {
      const v = this.hold(this.expr(x, scope, `${path}.fill.${k}`));
      pre.push(...v.pre);
      filled.set(k, v);
    }
    for (let i = 0; i < lib.fn.sigs.length; i++) {
      const sig = lib.fn.sigs[i];
      if (![...filled.keys()].every((k) => sig.params.some((p) => p.name === k))) continue;
      const free = sig.params.filter((p) => !filled.has(p.name));
      const resolved = bindFree(sig, filled, free.map((p) => p.name));
      if (resolved === null) continue;
      const types = matchCall({ ...lib.fn, sigs: [sig] }, sig.params.map((p) => (filled.get(p.name) as Value | undefined)?.type ?? (resolved.get(p.name) as PfaType)));
      if (types === undefined) continue;
      const id = this.libInstance(n, { ...types, sig: i });
      const ids = free.map((p) => this.fresh(p.name));
      const args = sig.params.map((p) => (filled.has(p.name) ? (filled.get(p.name) as Value).js : ids[free.indexOf(p)]));
      return { pre, js: `((${ids.join(', ')}) => ${id}(${args.join(', ')}))`, type: { kind: 'function', params: free.map((p) => types.params[sig.params.indexOf(p)]), ret: types.ret } };
    }
    return bad(`${path}.fill`, `no signature of ${n} can be filled with ${[...filled.keys()].join(', ')} and leave concrete parameter types`);
  }

  /** An inline function {"params", "ret", "do"}: a closure over the current scope (read-only). */
  private inlineFcn(e: Record<string, PfaJson>, scope: Scope, path: string): Value {
    const { type, params } = this.fnSignature(e, path);
    const inner = new Scope(scope, scope.fnDepth + 1);
    const names = params.map((p) => {
      const id = this.fresh(p.name);
      inner.define(p.name, { js: id, type: p.type, readOnly: false, depth: inner.fnDepth });
      return id;
    });
    const b = this.block(asList(e.do), inner, `${path}.do`);
    if (b.type !== NEVER && !accepts(type.ret, b.type)) bad(path, `returns ${show(b.type)}, but declares ${show(type.ret)}`);
    const v = this.coerce(b, type.ret);
    return { pre: [], js: `((${names.join(', ')}) => {\n${indent([...this.tick, ...v.pre])}\n  return ${v.js};\n})`, type };
  }

  /** The per-call-site instance of a library function, made when the engine is created. */
  private libInstance(name: string, types: { params: readonly PfaType[]; ret: PfaType; sig: number }): string {
    const lib = libraryFunction(name);
    if (lib === undefined) throw new Error(`no library function ${name}`);
    this.functions.set(name, { module: lib.module, exportName: lib.exportName, name });
    const id = this.fresh(`f_${name}`);
    const params = types.params.map((t) => this.typeRef(t));
    this.decls.push(`const ${id} = F[${JSON.stringify(name)}].make({ params: [${params.map((i) => `TYPES[${i}]`).join(', ')}], ret: TYPES[${this.typeRef(types.ret)}], sig: ${types.sig} }, ctx);`);
    return id;
  }

  private call(name: string, rawArgs: PfaJson, scope: Scope, path: string): Value {
    const argList = Array.isArray(rawArgs) ? rawArgs : [rawArgs];
    const p = `${path}.${name}`;
    if (name === 'emit') {
      if (this.method !== 'emit') bad(p, '"emit" is only available in emit engines');
      if (argList.length !== 1) bad(p, 'emit takes one argument');
      const v = this.hold(this.expr(argList[0], scope, `${p}[0]`));
      if (!accepts(this.output, v.type)) bad(p, `emits ${show(v.type)}, but the output type is ${show(this.output)}`);
      return { pre: [...v.pre, `emitted.push(${this.coerce(v, this.output).js});`], js: 'null', type: T.null };
    }
    // Short-circuit logic: the right side is evaluated only when needed.
    if ((name === '&&' || name === '||') && argList.length === 2) {
      const a = this.condition(argList[0], scope, `${p}[0]`);
      const b = this.condition(argList[1], scope.child(), `${p}[1]`);
      if (b.pre.length === 0) return { pre: a.pre, js: `(${a.js} ${name} ${b.js})`, type: T.boolean };
      const r = this.fresh('r');
      return { pre: [...a.pre, `let ${r} = ${a.js};`, `if (${name === '&&' ? '' : '!'}${r}) {`, indent(b.pre), `  ${r} = ${b.js};`, '}'], js: r, type: T.boolean };
    }
    if ((name === '&&&' || name === '|||') && argList.length === 2) {
      // Kleene logic: y is not evaluated when x decides (false for &&&, true for |||).
      const lib3 = libraryFunction(name);
      const a = this.hold(this.expr(argList[0], scope, `${p}[0]`));
      const b = this.expr(argList[1], scope.child(), `${p}[1]`);
      const types3 = lib3 === undefined ? undefined : matchCall(lib3.fn, [a.type, b.type]);
      if (types3 === undefined) bad(p, `no signature of ${name} accepts (${show(a.type)}, ${show(b.type)})`);
      const id = this.libInstance(name, types3);
      const r = this.fresh('r');
      const decided = name === '&&&' ? `${a.js} === false` : `${a.js} === true`;
      return { pre: [...a.pre, `let ${r} = ${a.js};`, `if (!(${decided})) {`, indent(b.pre), `  ${r} = ${id}(${a.js}, ${b.js});`, '}'], js: r, type: types3.ret };
    }
    const pre: string[] = [];
    const args: Value[] = [];
    for (let i = 0; i < argList.length; i++) {
      const v = this.expr(argList[i], scope.child(), `${p}[${i}]`);
      // Earlier arguments are held in temporaries if a later one runs statements.
      if (v.pre.length > 0) {
        for (let k = 0; k < args.length; k++) {
          const held = this.hold(args[k]);
          pre.push(...held.pre.slice(args[k].pre.length));
          args[k] = { pre: [], js: held.js, type: held.type };
        }
      }
      pre.push(...v.pre);
      args.push({ pre: [], js: v.js, type: v.type });
    }
    const u = this.userFns.get(name);
    if (u !== undefined) {
      if (u.type.params.length !== args.length) bad(p, `${name} takes ${u.type.params.length} arguments, not ${args.length}`);
      args.forEach((a, i) => {
        if (!accepts(u.type.params[i], a.type)) bad(`${p}[${i}]`, `${name} expects ${show(u.type.params[i])}, found ${show(a.type)}`);
      });
      return { pre, js: `${u.js}(${args.map((a, i) => this.coerce(a, u.type.params[i]).js).join(', ')})`, type: u.type.ret };
    }
    const lib = libraryFunction(name);
    if (lib === undefined) return bad(p, `unknown function or special form ${JSON.stringify(name)}`);
    const types = matchCall(lib.fn, args.map((a) => a.type));
    if (types === undefined) {
      return bad(p, `no signature of ${name} accepts (${args.map((a) => show(a.type)).join(', ')})`);
    }
    const id = this.libInstance(name, types);
    // Longs are BigInts. A library function that computes with longs (its signature names
    // long) but is not written for BigInt (no `bigLongs`) takes and gives them as numbers,
    // exact to 2^53: convert at the boundary, only where a long occurs. Functions generic in
    // their values (a type variable without "of": a.sort, map.*, ...) only move and compare
    // them (values.ts comparator/equality handle BigInt) and get them as they are.
    const numbersOnly = lib.fn.bigLongs !== true && mentionsLong(lib.fn.sigs[types.sig]);
    const argJs = args.map((a, i) => {
      const t = types.params[i];
      const v = t === undefined ? a : this.coerce(a, t);
      return t !== undefined && numbersOnly && holdsLong(t) ? `rt.convertLongs(${v.js}, TYPES[${this.typeRef(t)}], false)` : v.js;
    });
    const call = `${id}(${argJs.join(', ')})`;
    const js = numbersOnly && holdsLong(types.ret) ? `rt.convertLongs(${call}, TYPES[${this.typeRef(types.ret)}], true)` : call;
    return { pre, js, type: types.ret };
  }

  /** {"call": enumExpr, "args": [...]}: calls the user function the enum value names. */
  private callForm(e: Record<string, PfaJson>, scope: Scope, path: string): Value {
    const sel = this.hold(this.expr(e.call, scope.child(), `${path}.call`));
    if (sel.type.kind !== 'enum') bad(`${path}.call`, `must be an enum naming user functions, not ${show(sel.type)}`);
    const argList = Array.isArray(e.args) ? e.args : bad(`${path}.args`, 'must be an array');
    const pre: string[] = [...sel.pre];
    const args = argList.map((a, i) => {
      const v = this.hold(this.expr(a, scope.child(), `${path}.args[${i}]`));
      pre.push(...v.pre);
      return v;
    });
    const r = this.fresh('r');
    const rets: PfaType[] = [];
    const cases = sel.type.symbols.map((sym) => {
      const u = this.userFns.get(`u.${sym}`);
      if (u === undefined) bad(`${path}.call`, `the enum symbol ${JSON.stringify(sym)} names no user function`);
      if (u.type.params.length !== args.length || !args.every((a, i) => accepts(u.type.params[i], a.type))) bad(`${path}.args`, `u.${sym} does not accept these arguments`);
      rets.push(u.type.ret);
      return `  case ${JSON.stringify(sym)}: ${r} = ${u.js}(${args.map((a, i) => this.coerce(a, u.type.params[i]).js).join(', ')}); break;`;
    });
    pre.push(`let ${r} = null;`, `switch (${sel.js}) {`, ...cases, '}');
    const type = this.supertype(rets, path);
    return { pre, js: this.merged(r, rets, type), type };
  }

  // ------------------------------------------------------------------ pack/unpack

  private formats(list: PfaJson, path: string, forPack: boolean): { formats: Format[]; items: [string, PfaJson][] } {
    if (!Array.isArray(list) || list.length === 0) bad(path, 'must be a non-empty array of {name: format} objects');
    const formats: Format[] = [];
    const items: [string, PfaJson][] = [];
    list.forEach((item, i) => {
      if (typeof item !== 'object' || item === null || Array.isArray(item) || item instanceof FloatLiteral || Object.keys(item).length !== 1) bad(`${path}[${i}]`, 'each item is one {key: value} pair');
      const [k, v] = Object.entries(item)[0];
      const spec = forPack ? k : v;
      if (typeof spec !== 'string') bad(`${path}[${i}]`, 'a format specifier must be a string');
      const f = parseFormat(spec, forPack);
      if (f === null) bad(`${path}[${i}]`, `${JSON.stringify(spec)} is not a format specifier`);
      formats.push(f);
      items.push([k, v]);
    });
    return { formats, items };
  }

  /** {"pack": [{FORMAT: expr}, ...]} → bytes. */
  private pack(e: Record<string, PfaJson>, scope: Scope, path: string): Value {
    const { formats, items } = this.formats(e.pack, `${path}.pack`, true);
    const pre: string[] = [];
    const values = items.map(([, x], i) => {
      const f = formats[i];
      const v = this.hold(this.expr(x, scope.child(), `${path}.pack[${i}]`));
      const want: PfaType = { kind: f.type } as PfaType;
      if (f.type !== 'null' && !accepts(want, v.type)) bad(`${path}.pack[${i}]`, `the format needs ${f.type}, found ${show(v.type)}`);
      pre.push(...v.pre);
      return f.type === 'null' ? v.js : this.coerce(v, want).js;
    });
    const id = this.fresh('fmt');
    this.decls.push(`const ${id} = ${JSON.stringify(formats)};`);
    return { pre, js: `rt.pack([${values.join(', ')}], ${id})`, type: T.bytes };
  }

  /** {"unpack": bytes, "format": [{sym: FORMAT}], "then": ..., "else"?: ...}. */
  private unpackForm(e: Record<string, PfaJson>, scope: Scope, path: string): Value {
    const b = this.hold(this.expr(e.unpack, scope.child(), `${path}.unpack`));
    if (b.type.kind !== 'bytes') bad(`${path}.unpack`, `must be bytes, not ${show(b.type)}`);
    const { formats, items } = this.formats(e.format, `${path}.format`, false);
    const id = this.fresh('fmt');
    this.decls.push(`const ${id} = ${JSON.stringify(formats)};`);
    const inner = scope.child();
    const vals = this.fresh('unpacked');
    const binds = items.map(([name], i) => {
      if (!SYMBOL.test(name)) bad(`${path}.format[${i}]`, `invalid symbol name ${JSON.stringify(name)}`);
      const v = this.fresh(name);
      inner.define(name, { js: v, type: { kind: formats[i].type } as PfaType, readOnly: false, depth: inner.fnDepth });
      // Longs unpacked from 32-bit unsigned fields come as numbers: BigInt, as longs are.
      return formats[i].type === 'long' ? `  let ${v} = BigInt(${vals}[${i}]);` : `  let ${v} = ${vals}[${i}];`;
    });
    const thenV = this.block(asList(e.then), inner, `${path}.then`);
    const pre = [...b.pre, `const ${vals} = rt.unpack(${b.js}, ${id});`];
    if (!('else' in e)) return { pre: [...pre, `if (${vals} !== null) {`, ...binds, indent(thenV.pre), '}'], js: 'null', type: T.null };
    const elseV = this.block(asList(e.else), scope, `${path}.else`);
    const r = this.fresh('r');
    return {
      pre: [...pre, `let ${r};`, `if (${vals} !== null) {`, ...binds, indent(thenV.pre), `  ${r} = ${thenV.js};`, '} else {', indent(elseV.pre), `  ${r} = ${elseV.js};`, '}'],
      js: this.merged(r, [thenV.type, elseV.type], this.supertype([thenV.type, elseV.type], path)), type: this.supertype([thenV.type, elseV.type], path),
    };
  }
}

function asList(x: PfaJson | undefined): PfaJson[] {
  if (x === undefined) return [];
  return Array.isArray(x) && !(x.length === 1 && typeof x[0] === 'string' && false) ? x : [x];
}

/** A long literal: a BigInt (longs are BigInts in memory, runtime/pfa/types.ts). */
function longJs(n: number): string {
  const b = BigInt(n);
  return b < 0n ? `(${b}n)` : `${b}n`;
}

function numberJs(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Infinity) return 'Infinity';
  if (n === -Infinity) return '(-Infinity)';
  if (Object.is(n, -0)) return '(-0)';
  return n < 0 ? `(${String(n)})` : String(n);
}

function indent(lines: readonly string[] | string, depth = 1): string {
  const text = typeof lines === 'string' ? lines : lines.join('\n');
  if (text === '') return '';
  const pad = '  '.repeat(depth);
  return text.split('\n').map((l) => pad + l).join('\n');
}

/** Whether a value expression may have side effects (a call) and must run as a statement. */
function isExpressionStatement(js: string): boolean {
  return js.includes('(');
}

export function show(t: PfaType): string {
  switch (t.kind) {
    case 'array': return `array of ${show(t.items)}`;
    case 'map': return `map of ${show(t.values)}`;
    case 'union': return `union of {${t.types.map(show).join(', ')}}`;
    case 'record': case 'enum': case 'fixed': return `${t.kind} ${t.name}`;
    case 'function': return `function(${t.params.map(show).join(', ')}) → ${show(t.ret)}`;
    default: return t.kind;
  }
}

/** The specification's execution options (§3.8) this compiler implements: the timeouts. */
const TIMEOUT_OPTIONS = ['timeout', 'timeout.begin', 'timeout.action', 'timeout.end'] as const;

/**
 * The `options` field → milliseconds per routine (negative: none), or null when no routine
 * has a timeout. An option of the wrong JSON type is a semantic error (§3.8); options the
 * specification does not define are ignored, as it says ("Unrecognized options are ignored").
 */
function executionTimeouts(options: PfaJson | undefined): { begin: number; action: number; end: number } | null {
  if (options === undefined) return null;
  if (typeof options !== 'object' || options === null || Array.isArray(options) || options instanceof FloatLiteral) bad('options', 'must be a JSON object of option names to values');
  const o = options as Record<string, PfaJson>;
  const ms = new Map<string, number>();
  for (const name of TIMEOUT_OPTIONS) {
    if (!Object.hasOwn(o, name)) continue;
    const v = plainJson(o[name]);
    if (typeof v !== 'number' || !Number.isSafeInteger(v)) bad(`options.${name}`, `must be an integer number of milliseconds (negative: no timeout), not ${JSON.stringify(v)}`);
    ms.set(name, v);
  }
  const general = ms.get('timeout') ?? -1;
  const t = { begin: ms.get('timeout.begin') ?? general, action: ms.get('timeout.action') ?? general, end: ms.get('timeout.end') ?? general };
  return t.begin < 0 && t.action < 0 && t.end < 0 ? null : t;
}

/** Whether values of type t can hold a number of one of `kinds` (functions excluded: not coerced). */
function holdsKind(t: PfaType, kinds: ReadonlySet<string>, seen: Set<PfaType> = new Set()): boolean {
  if (seen.has(t)) return false;
  seen.add(t);
  switch (t.kind) {
    case 'array': return holdsKind(t.items, kinds, seen);
    case 'map': return holdsKind(t.values, kinds, seen);
    case 'record': return t.fields.some((f) => holdsKind(f.type, kinds, seen));
    case 'union': return t.types.some((x) => holdsKind(x, kinds, seen));
    default: return kinds.has(t.kind);
  }
}

const INT = new Set(['int']), LONG = new Set(['long']), FLOATING = new Set(['float', 'double']);

/** Whether a value of `from` used as a `to` may change representation (int → long, long → float/double). */
function crossesLong(from: PfaType, to: PfaType): boolean {
  return (holdsKind(from, INT) && holdsKind(to, LONG)) || (holdsKind(from, LONG) && holdsKind(to, FLOATING));
}

/** Whether a catalogue signature names the long type anywhere (explicitly or in an "of" list). */
export function mentionsLong(sig: unknown): boolean {
  if (sig === 'long') return true;
  if (Array.isArray(sig)) return sig.some(mentionsLong);
  if (typeof sig === 'object' && sig !== null) return Object.values(sig).some(mentionsLong);
  return false;
}
