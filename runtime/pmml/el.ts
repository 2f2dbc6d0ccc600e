// Element-tree helpers shared by every PMML compiler: finding children,
// reading typed attributes, parsing <Array> contents, and errors that name the
// element path (`PMML/MiningModel/Segmentation/Segment[3]/TreeModel/Node[id=7]`).

import type { El } from './types.js';

/** A problem in the document, found while compiling it; `path` names the element. */
export class PmmlCompileError extends Error {
  constructor(readonly path: string, readonly detail: string) {
    super(`${path}: ${detail}`);
    this.name = 'PmmlCompileError';
  }
}

/** A model that is valid PMML but uses something this compiler does not implement. */
export class PmmlUnsupportedError extends PmmlCompileError {
  constructor(path: string, detail: string) {
    super(path, detail);
    this.name = 'PmmlUnsupportedError';
  }
}

export function fail(path: string, detail: string): never {
  throw new PmmlCompileError(path, detail);
}

export function unsupported(path: string, detail: string): never {
  throw new PmmlUnsupportedError(path, detail);
}

/** The first child element named `name`, or undefined. */
export function child(el: El, name: string): El | undefined {
  for (const c of el.c) if (c.n === name) return c;
  return undefined;
}

/** Every child element named `name` (or any of `names`), in document order. */
export function children(el: El, ...names: string[]): El[] {
  return el.c.filter((c) => names.includes(c.n));
}

/** The first child named `name`; a compile error naming the path when it is absent. */
export function requireChild(el: El, name: string, path: string): El {
  return child(el, name) ?? fail(path, `<${el.n}> needs a <${name}> element`);
}

/**
 * The path of `c`, a child of the element at `parentPath`. Elements with an id
 * are named by it (`Node[id=7]`), repeated siblings by 1-based position (`Segment[3]`).
 */
export function childPath(parentPath: string, parent: El, c: El): string {
  const id = c.a.id;
  if (id !== undefined) return `${parentPath}/${c.n}[id=${id}]`;
  let index = 0;
  let count = 0;
  for (const s of parent.c) {
    if (s.n !== c.n) continue;
    count++;
    if (s === c) index = count;
  }
  return count > 1 ? `${parentPath}/${c.n}[${index}]` : `${parentPath}/${c.n}`;
}

/** A required string attribute. */
export function attr(el: El, name: string, path: string): string {
  const v = el.a[name];
  if (v === undefined) fail(path, `<${el.n}> needs the attribute ${name}`);
  return v;
}

export function optAttr(el: El, name: string): string | undefined {
  return el.a[name];
}

/** Parses a PMML number (REAL-NUMBER/NUMBER/INT-NUMBER; also INF, -INF, NaN). */
export function parseNumber(text: string, path: string, what = 'number'): number {
  const s = text.trim();
  if (s === 'INF' || s === 'Infinity' || s === 'inf') return Infinity;
  if (s === '-INF' || s === '-Infinity' || s === '-inf') return -Infinity;
  if (s === 'NaN' || s === 'nan') return NaN;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) fail(path, `${JSON.stringify(text)} is not a valid ${what}`);
  return Number(s);
}

/** A numeric attribute; `fallback` when absent (a compile error when absent and no fallback). */
export function numAttr(el: El, name: string, path: string, fallback?: number): number {
  const v = el.a[name];
  if (v === undefined) {
    if (fallback === undefined) fail(path, `<${el.n}> needs the attribute ${name}`);
    return fallback;
  }
  return parseNumber(v, path, `number for ${name}`);
}

export function optNumAttr(el: El, name: string, path: string): number | undefined {
  const v = el.a[name];
  return v === undefined ? undefined : parseNumber(v, path, `number for ${name}`);
}

/** An integer attribute. */
export function intAttr(el: El, name: string, path: string, fallback?: number): number {
  const n = numAttr(el, name, path, fallback);
  if (!Number.isInteger(n)) fail(path, `${name}="${el.a[name]}" is not an integer`);
  return n;
}

/** A boolean attribute (`true`/`false`, also `1`/`0` as XML Schema allows). */
export function boolAttr(el: El, name: string, path: string, fallback: boolean): boolean {
  const v = el.a[name];
  if (v === undefined) return fallback;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  return fail(path, `${name}="${v}" is not a boolean`);
}

/** An enumerated attribute: one of `allowed`, else `fallback` when absent. */
export function enumAttr<T extends string>(el: El, name: string, allowed: readonly T[], fallback: T | undefined, path: string): T {
  const v = el.a[name];
  if (v === undefined) {
    if (fallback === undefined) fail(path, `<${el.n}> needs the attribute ${name} (one of ${allowed.join(', ')})`);
    return fallback;
  }
  if (!(allowed as readonly string[]).includes(v)) unsupported(path, `${name}="${v}" is not one of ${allowed.join(', ')}`);
  return v as T;
}

/**
 * The entries of an <Array> (or a REAL-SparseArray/INT-SparseArray) as strings.
 * Array text is whitespace separated; string entries may be double-quoted with \" escapes.
 */
export function arrayEntries(el: El, path: string): string[] {
  if (el.n === 'REAL-SparseArray' || el.n === 'INT-SparseArray') {
    const n = intAttr(el, 'n', path, 0);
    const idx = child(el, 'Indices');
    const ent = child(el, el.n === 'REAL-SparseArray' ? 'REAL-Entries' : 'INT-Entries');
    const indices = idx ? splitArrayText(idx.t ?? '') : [];
    const values = ent ? splitArrayText(ent.t ?? '') : [];
    if (indices.length !== values.length) fail(path, `<${el.n}> has ${indices.length} indices but ${values.length} entries`);
    const size = Math.max(n, ...indices.map((i) => Number(i)));
    const out = new Array<string>(size).fill(el.a.defaultValue ?? '0');
    indices.forEach((i, k) => {
      const at = Number(i);
      if (!Number.isInteger(at) || at < 1) fail(path, `sparse array index ${i} is not a positive integer`);
      out[at - 1] = values[k];
    });
    return out;
  }
  const entries = splitArrayText(el.t ?? '');
  const n = el.a.n;
  if (n !== undefined && Number(n) !== entries.length) fail(path, `<Array n="${n}"> holds ${entries.length} entries`);
  return entries;
}

/** Numeric array entries (Array type="real"/"int", or sparse arrays). */
export function numberArray(el: El, path: string): number[] {
  return arrayEntries(el, path).map((s) => parseNumber(s, path, 'array entry'));
}

function splitArrayText(text: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r') {
      i++;
      continue;
    }
    if (ch === '"') {
      let s = '';
      i++;
      while (i < text.length && text[i] !== '"') {
        if (text[i] === '\\' && i + 1 < text.length) {
          s += text[i + 1];
          i += 2;
        } else s += text[i++];
      }
      i++;
      out.push(s);
      continue;
    }
    let j = i;
    while (j < text.length && !/\s/.test(text[j])) j++;
    out.push(text.slice(i, j));
    i = j;
  }
  return out;
}

/** Elements that carry no meaning for scoring and are dropped from the embedded tree. */
export function isAnnotation(name: string): boolean {
  return name === 'Extension' || name === 'Annotation';
}
