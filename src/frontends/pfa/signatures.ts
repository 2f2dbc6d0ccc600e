// Matching a library call's argument types against the function's catalogue
// signatures (runtime/pfa/types.ts SignatureJson): type variables ({any: "A", of}),
// references ({ref: "A"}), record/enum/fixed patterns, function parameters, and
// PFA's numeric promotion (int → long → float → double).

import type { CallTypes, LibFunction, PfaType, SignatureJson } from '../../../runtime/pfa/types.js';

type Bindings = Map<string, PfaType>;

const NUMERIC = ['int', 'long', 'float', 'double'];

function rank(t: PfaType): number {
  return NUMERIC.indexOf(t.kind);
}

/** Structural type equality (named types by name). */
export function sameType(a: PfaType, b: PfaType): boolean {
  if (a === b) return true;
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'array': return sameType(a.items, (b as typeof a).items);
    case 'map': return sameType(a.values, (b as typeof a).values);
    case 'union': {
      const bt = (b as typeof a).types;
      return a.types.length === bt.length && a.types.every((x) => bt.some((y) => sameType(x, y)));
    }
    case 'record': case 'enum': case 'fixed': return a.name === (b as typeof a).name;
    case 'function': {
      const f = b as typeof a;
      return a.params.length === f.params.length && a.params.every((p, i) => sameType(p, f.params[i])) && sameType(a.ret, f.ret);
    }
    default: return true;
  }
}

/**
 * Whether a value of type `actual` may be used where `expected` is required:
 * numeric promotion, a union accepting each of its branches, a union accepted by a
 * union holding all its branches. Arrays and maps are accepted when their contents are.
 */
export function accepts(expected: PfaType, actual: PfaType): boolean {
  if (sameType(expected, actual)) return true;
  const re = rank(expected), ra = rank(actual);
  if (re >= 0 && ra >= 0) return ra <= re;
  if (expected.kind === 'union') {
    if (actual.kind === 'union') return actual.types.every((a) => expected.types.some((e) => accepts(e, a)));
    return expected.types.some((e) => accepts(e, actual));
  }
  if (expected.kind === 'array' && actual.kind === 'array') return accepts(expected.items, actual.items);
  if (expected.kind === 'map' && actual.kind === 'map') return accepts(expected.values, actual.values);
  if (expected.kind === 'function' && actual.kind === 'function') {
    return expected.params.length === actual.params.length &&
      expected.params.every((p, i) => accepts(actual.params[i], p)) && accepts(expected.ret, actual.ret);
  }
  return false;
}

/** The narrowest type accepting both (numeric promotion, or a union of the two). */
export function widen(a: PfaType, b: PfaType): PfaType {
  if (accepts(a, b)) return a;
  if (accepts(b, a)) return b;
  const ra = rank(a), rb = rank(b);
  if (ra >= 0 && rb >= 0) return ra > rb ? a : b;
  const parts = [...(a.kind === 'union' ? a.types : [a]), ...(b.kind === 'union' ? b.types : [b])];
  const types: PfaType[] = [];
  for (const p of parts) if (!types.some((x) => sameType(x, p))) types.push(p);
  return { kind: 'union', types };
}

function isVariable(p: unknown): boolean {
  return typeof p === 'object' && p !== null && (typeof (p as { any?: unknown }).any === 'string' || typeof (p as { ref?: unknown }).ref === 'string');
}

const PRIMS = new Set(['null', 'boolean', 'int', 'long', 'float', 'double', 'string', 'bytes']);

class Matcher {
  readonly bindings: Bindings = new Map();
  /** The allowed types of constrained variables ({any: A, of: [...]}). */
  readonly constraints = new Map<string, PfaType[]>();

  /** First pass: does `actual` fit pattern `p`? Binds type variables (widening on repeated use). */
  fit(p: unknown, actual: PfaType): boolean {
    if (typeof p === 'string') {
      if (!PRIMS.has(p)) return false;
      return accepts({ kind: p } as PfaType, actual);
    }
    const o = p as Record<string, unknown>;
    if (typeof o.any === 'string') {
      const of = Array.isArray(o.of) ? (o.of as unknown[]).map((x) => this.concrete(x)) : null;
      if (of !== null) this.constraints.set(o.any, of.filter((x): x is PfaType => x !== null));
      const prev = this.bindings.get(o.any);
      let t = prev === undefined ? actual : widen(prev, actual);
      if (of !== null) {
        const ok = of.filter((x): x is PfaType => x !== null && accepts(x, t));
        if (ok.length === 0) return false;
        // The narrowest allowed type that accepts the argument (int stays int, not double).
        ok.sort((x, y) => (rank(x) >= 0 && rank(y) >= 0 ? rank(x) - rank(y) : 0));
        if (!ok.some((x) => sameType(x, t))) t = ok[0];
      }
      this.bindings.set(o.any, t);
      return true;
    }
    if (typeof o.ref === 'string') {
      const b = this.bindings.get(o.ref);
      if (b === undefined) {
        this.bindings.set(o.ref, actual);
        return true;
      }
      if (accepts(b, actual)) return true;
      // A later argument may widen a numeric variable (e.g. + on int and double), or a
      // union argument widen the variable to the narrowest supertype (specification §4.6:
      // repeated labels are promoted to the narrowest supertype of their matches).
      if ((rank(b) >= 0 && rank(actual) >= 0) || actual.kind === 'union') {
        const w = widen(b, actual);
        const allowed = this.constraints.get(o.ref);
        if (allowed !== undefined && !allowed.some((x) => accepts(x, w))) return false;
        this.bindings.set(o.ref, w);
        return true;
      }
      return false;
    }
    switch (o.type) {
      case 'array': return actual.kind === 'array' && this.fitInner(o.items, actual.items);
      case 'map': return actual.kind === 'map' && this.fitInner(o.values, actual.values);
      case 'union': {
        // Concrete branches first, so that a type variable does not swallow e.g. the null branch.
        const of = [...((o.of as unknown[]) ?? [])].sort((x, y) => Number(isVariable(x)) - Number(isVariable(y)));
        if (actual.kind === 'union') return actual.types.every((a) => of.some((x) => this.trial(x, a)));
        return of.some((x) => this.trial(x, actual));
      }
      case 'enum': case 'fixed': {
        if (actual.kind !== o.type) return false;
        return this.bindLabel(o.label, actual);
      }
      case 'record': {
        if (actual.kind !== 'record') return false;
        // The label first: fields may refer to the record itself (recursive trees).
        if (!this.bindLabel(o.label, actual)) return false;
        const fields = Array.isArray(o.fields) ? (o.fields as { name: string; type: unknown }[]) : [];
        for (const f of fields) {
          const af = actual.fields.find((x) => x.name === f.name);
          if (af === undefined || !this.fitInner(f.type, af.type)) return false;
        }
        return true;
      }
      case 'function': {
        if (actual.kind !== 'function') return false;
        const params = (o.params as unknown[]) ?? [];
        if (params.length !== actual.params.length) return false;
        for (let i = 0; i < params.length; i++) {
          const want = this.resolve(params[i]);
          // The function must accept what the library will pass it.
          if (want === null) {
            if (!this.fit(params[i], actual.params[i])) return false;
          } else if (!accepts(actual.params[i], want)) return false;
        }
        return this.fit(o.ret, actual.ret);
      }
      default: return false;
    }
  }

  /** Inside arrays, maps and records: covariant (an array of double accepts an array of int). */
  private fitInner(p: unknown, actual: PfaType): boolean {
    return this.fit(p, actual);
  }

  private bindLabel(label: unknown, actual: PfaType): boolean {
    if (typeof label !== 'string') return true;
    const prev = this.bindings.get(label);
    if (prev === undefined) {
      this.bindings.set(label, actual);
      return true;
    }
    return sameType(prev, actual);
  }

  /** Tries a pattern without keeping bindings on failure. */
  private trial(p: unknown, actual: PfaType): boolean {
    const saved = new Map(this.bindings);
    if (this.fit(p, actual)) return true;
    this.bindings.clear();
    for (const [k, v] of saved) this.bindings.set(k, v);
    return false;
  }

  /** A concrete type for a pattern without unbound variables (null if it has some). */
  private concrete(p: unknown): PfaType | null {
    return this.resolve(p);
  }

  /** The pattern with bound variables substituted; null when something is unbound. */
  resolve(p: unknown): PfaType | null {
    if (typeof p === 'string') return PRIMS.has(p) ? ({ kind: p } as PfaType) : null;
    const o = p as Record<string, unknown>;
    if (typeof o.any === 'string') return this.bindings.get(o.any) ?? null;
    if (typeof o.ref === 'string') return this.bindings.get(o.ref) ?? null;
    switch (o.type) {
      case 'array': {
        const items = this.resolve(o.items);
        return items === null ? null : { kind: 'array', items };
      }
      case 'map': {
        const values = this.resolve(o.values);
        return values === null ? null : { kind: 'map', values };
      }
      case 'union': {
        const types = ((o.of as unknown[]) ?? []).map((x) => this.resolve(x));
        if (types.some((x) => x === null)) return null;
        return (types as PfaType[]).reduce((a, b) => widen(a, b));
      }
      case 'enum': case 'fixed': case 'record':
        return typeof o.label === 'string' ? this.bindings.get(o.label) ?? null : null;
      case 'function': {
        const params = ((o.params as unknown[]) ?? []).map((x) => this.resolve(x));
        const ret = this.resolve(o.ret);
        if (ret === null || params.some((x) => x === null)) return null;
        return { kind: 'function', params: params as PfaType[], ret };
      }
      default: return null;
    }
  }
}

/** Matches argument types against one signature; the parameter and return types, or null. */
export function matchSignature(sig: SignatureJson, args: readonly PfaType[]): { params: PfaType[]; ret: PfaType } | null {
  if (sig.params.length !== args.length) return null;
  const m = new Matcher();
  // Two passes: the first binds variables from non-function arguments, so that function
  // arguments (whose parameters depend on them) are checked against final bindings.
  for (let i = 0; i < args.length; i++) {
    if (args[i].kind === 'function') continue;
    if (!m.fit(sig.params[i].type, args[i])) return null;
  }
  for (let i = 0; i < args.length; i++) {
    if (args[i].kind !== 'function') continue;
    if (!m.fit(sig.params[i].type, args[i])) return null;
  }
  const params: PfaType[] = [];
  for (let i = 0; i < args.length; i++) params.push(m.resolve(sig.params[i].type) ?? args[i]);
  const ret = m.resolve(sig.ret);
  if (ret === null) return null;
  return { params, ret };
}

/** The first signature of `fn` the arguments match. */
export function matchCall(fn: LibFunction, args: readonly PfaType[]): CallTypes | undefined {
  for (let i = 0; i < fn.sigs.length; i++) {
    const m = matchSignature(fn.sigs[i], args);
    if (m !== null) {
      const types: CallTypes = { params: m.params, ret: m.ret, sig: i };
      return fn.refine ? { ...types, ret: fn.refine(types) } : types;
    }
  }
  return undefined;
}

/**
 * For partial application: binds the type variables of a signature from the filled
 * arguments, then resolves each free parameter's type; null when one stays generic.
 */
export function bindFree(sig: SignatureJson, filled: ReadonlyMap<string, { readonly type: PfaType }>, free: readonly string[]): Map<string, PfaType> | null {
  const m = new Matcher();
  for (const p of sig.params) {
    const v = filled.get(p.name);
    if (v !== undefined && !m.fit(p.type, v.type)) return null;
  }
  const out = new Map<string, PfaType>();
  for (const name of free) {
    const p = sig.params.find((x) => x.name === name);
    const t = p === undefined ? null : m.resolve(p.type);
    if (t === null) return null;
    out.set(name, t);
  }
  return out;
}
