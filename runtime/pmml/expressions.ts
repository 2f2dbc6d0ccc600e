// PMML expressions (Transformations.html, group EXPRESSION): Constant, FieldRef,
// NormContinuous, NormDiscrete, Discretize, MapValues, TextIndex, Apply — each
// compiled once into a closure. Evaluating one does no parsing and no lookups by
// name: fields are resolved to evaluators, tables to hash maps, patterns to
// RegExps, built-ins to direct calls, all while compiling.
//
// Apply (PMML 4.4):
//   * mapMissingTo: when an input the function needs is missing, the function is
//     not applied and mapMissingTo is the result;
//   * defaultValue: the result when the function gives a missing value;
//   * invalidValueTreatment: what an invalid result becomes — a NaN or infinite
//     number computed from finite inputs (1/0, ln(0), sqrt(-1), a pattern that
//     cannot be used): returnInvalid (the default) makes the row's result invalid
//     (InvalidResult, env.ts), asIs keeps the IEEE value, asMissing makes it
//     missing (then defaultValue applies). Invalid *input* values never get here:
//     the MiningSchema treats them before any expression sees them.
//   * user functions (DefineFunction) take precedence over built-ins of the same
//     name; their bodies are compiled once per function and see only their
//     ParameterFields, read from a small parameter frame made per call;
//   * mathContext float: numeric results are rounded to float32.
// Aggregate: over the values of one group of records, which the caller passes as one record whose
// field holds the group's values as an array (as for AssociationModel transactions; see compileAggregate).
// Lag (values of earlier records) is not supported: a compiled module scores each record on its own.

import { attr, boolAttr, child, childPath, children, enumAttr, fail, intAttr, numAttr, unsupported } from './el.js';
import { InvalidResult } from './env.js';
import { classify, Status, type Binding } from './fields.js';
import { builtinSpec, truthOf, type BuiltinSpec } from './functions.js';
import { RegexError, translateRegex } from './functions/regex.js';
import {
  countHits, countSubstrings, maxTokenFrequency, normalize, normalizationStep, termWeight, tokenize,
  type LocalTermWeights, type Normalization, type NormalizationStep,
} from './functions/text.js';
import type { DataType, El, Env, Evaluator, FieldInfo, OpType, Scope, Value } from './types.js';
import { castTemporal, castTo, categoryKey, INVALID, isNumericType, parseDataType, parseValue, temporalKind, toNumber, tryParseValue, valuesEqual } from './values.js';

export interface DefinedFunction {
  readonly name: string;
  readonly params: readonly FieldInfo[];
  readonly dataType: DataType;
  readonly optype: OpType;
  readonly body: El;
  readonly path: string;
}

export interface ExpressionContext {
  readonly scope: Scope;
  func(name: string): DefinedFunction | undefined;
  readonly mathContext: 'float' | 'double';
  /** The values of a field over the record's group (Aggregate); absent where no record is in scope (DefineFunction bodies). */
  readonly items?: (name: string, path: string) => (env: Env) => readonly Value[];
}

const EXPRESSIONS: ReadonlySet<string> = new Set(['Constant', 'FieldRef', 'NormContinuous', 'NormDiscrete', 'Discretize', 'MapValues', 'TextIndex', 'Apply', 'Aggregate', 'Lag']);

export function isExpressionElement(name: string): boolean {
  return EXPRESSIONS.has(name);
}

interface Compiled {
  readonly ev: Evaluator;
  readonly type: DataType | undefined;
  /** The value, when the expression is a constant. */
  readonly constant?: Value;
}

export function compileExpression(el: El, path: string, cx: ExpressionContext): Evaluator {
  return compile(el, path, cx).ev;
}

function compile(el: El, path: string, cx: ExpressionContext): Compiled {
  switch (el.n) {
    case 'Constant': return compileConstant(el, path);
    case 'FieldRef': return compileFieldRef(el, path, cx);
    case 'NormContinuous': return compileNormContinuous(el, path, cx);
    case 'NormDiscrete': return compileNormDiscrete(el, path, cx);
    case 'Discretize': return compileDiscretize(el, path, cx);
    case 'MapValues': return compileMapValues(el, path, cx);
    case 'TextIndex': return compileTextIndex(el, path, cx);
    case 'Apply': return compileApply(el, path, cx);
    case 'Aggregate': return compileAggregate(el, path, cx);
    case 'Lag': return unsupported(path, lagUnsupported(el));
    default: return fail(path, `<${el.n}> is not an expression (expected one of ${[...EXPRESSIONS].join(', ')})`);
  }
}

/** The expression children of an element (Extensions and other annotations are not among them). */
function expressionChildren(el: El): El[] {
  return el.c.filter((c) => EXPRESSIONS.has(c.n));
}

// ---------------------------------------------------------------------------
// Static types

/** Best-effort static result type of an expression (undefined when it cannot be told). */
export function expressionDataType(el: El, path: string, cx: ExpressionContext): DataType | undefined {
  switch (el.n) {
    case 'Constant':
      if (el.a.dataType !== undefined) return parseDataType(el.a.dataType, path);
      if (el.a.missing === 'true') return undefined;
      return inferConstantType(el.t ?? '');
    case 'FieldRef': {
      const name = el.a.field;
      if (name === undefined || !cx.scope.has(name)) return undefined;
      try {
        return cx.scope.resolve(name, path).info.dataType;
      } catch {
        return undefined;
      }
    }
    case 'NormContinuous':
    case 'NormDiscrete':
    case 'TextIndex':
      return 'double';
    case 'Aggregate':
      return aggregateDataType(el, path, cx);
    case 'Discretize':
    case 'MapValues':
      return el.a.dataType !== undefined ? parseDataType(el.a.dataType, path) : 'string';
    case 'Apply': {
      const name = el.a.function;
      if (name === undefined) return undefined;
      const user = cx.func(name);
      if (user) return user.dataType;
      const spec = builtinSpec(name);
      if (!spec) return undefined;
      const args = expressionChildren(el);
      return spec.resultType(args.map((a) => expressionDataType(a, childPath(path, el, a), cx)));
    }
    default:
      return undefined;
  }
}

// ---------------------------------------------------------------------------
// Literals of attributes

const INTEGER_RE = /^[+-]?\d+$/;
const REAL_RE = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function inferConstantType(text: string): DataType {
  const s = text.trim();
  if (INTEGER_RE.test(s)) return 'integer';
  if (REAL_RE.test(s) || s === 'INF' || s === '-INF' || s === 'NaN') return 'double';
  return 'string';
}

/**
 * A literal for a value of type `dt` (unknown: read as a Constant without dataType would be).
 * `declared` types must fit (a compile error otherwise); a type only inferred for the
 * expression falls back to reading the literal on its own.
 */
function literal(text: string, dt: DataType | undefined, path: string, what: string, declared = true): Value {
  const t = dt ?? inferConstantType(text);
  if ((t === 'double' || t === 'float') && text.trim() === 'NaN') return NaN;
  const v = tryParseValue(text, t);
  if (v !== INVALID) return v;
  if (dt === undefined) return text;
  if (!declared) return literal(text, undefined, path, what);
  return fail(path, `${what} ${JSON.stringify(text)} is not a valid ${dt} value`);
}

/** An attribute literal for an expression's result, whose type is inferred (not declared). */
function optLiteral(el: El, name: string, dt: DataType | undefined, path: string): Value | undefined {
  const text = el.a[name];
  return text === undefined ? undefined : literal(text, dt, path, name, false);
}

// ---------------------------------------------------------------------------
// Constant, FieldRef

function compileConstant(el: El, path: string): Compiled {
  const dt = el.a.dataType !== undefined ? parseDataType(el.a.dataType, path) : undefined;
  if (boolAttr(el, 'missing', path, false)) return { ev: () => null, type: dt, constant: null };
  const text = el.t ?? '';
  const type = dt ?? inferConstantType(text);
  let v: Value;
  if ((type === 'double' || type === 'float') && text.trim() === 'NaN') v = NaN;
  else v = parseValue(text, type, path);
  return { ev: () => v, type, constant: v };
}

function compileFieldRef(el: El, path: string, cx: ExpressionContext): Compiled {
  const name = attr(el, 'field', path);
  const { info, get } = cx.scope.resolve(name, path);
  const mm = optLiteral(el, 'mapMissingTo', info.dataType, path);
  if (mm === undefined || mm === null) return { ev: get, type: info.dataType };
  return {
    ev: (env) => {
      const v = get(env);
      return v === null ? mm : v;
    },
    type: info.dataType,
  };
}

// ---------------------------------------------------------------------------
// NormContinuous

function compileNormContinuous(el: El, path: string, cx: ExpressionContext): Compiled {
  const field = attr(el, 'field', path);
  const { get } = cx.scope.resolve(field, path);
  const mm = el.a.mapMissingTo === undefined ? null : numAttr(el, 'mapMissingTo', path);
  const outliers = enumAttr(el, 'outliers', ['asIs', 'asMissingValues', 'asExtremeValues'] as const, 'asIs', path);
  const norms = children(el, 'LinearNorm');
  if (norms.length < 2) fail(path, `<NormContinuous> needs at least two <LinearNorm> elements (it has ${norms.length})`);
  const orig = new Float64Array(norms.length);
  const norm = new Float64Array(norms.length);
  norms.forEach((ln, i) => {
    const lp = childPath(path, el, ln);
    orig[i] = numAttr(ln, 'orig', lp);
    norm[i] = numAttr(ln, 'norm', lp);
    if (!Number.isFinite(orig[i]) || !Number.isFinite(norm[i])) fail(lp, 'orig and norm must be finite numbers');
    if (i > 0 && !(orig[i] > orig[i - 1])) fail(lp, `the orig values of LinearNorm must be strictly ascending (${orig[i]} follows ${orig[i - 1]})`);
  });
  const k = norms.length;
  const lo = orig[0];
  const hi = orig[k - 1];
  const slope = (i: number): number => (norm[i + 1] - norm[i]) / (orig[i + 1] - orig[i]);
  const slopes = new Float64Array(k - 1);
  for (let i = 0; i < k - 1; i++) slopes[i] = slope(i);
  const round = cx.mathContext === 'float' ? Math.fround : (x: number) => x;

  const interpolate = (x: number): number => {
    // segment i with orig[i] <= x <= orig[i+1]; beyond the ends, the end segments (extrapolation)
    let i = 0;
    if (x >= hi) i = k - 2;
    else if (k > 2) {
      let a = 0;
      let b = k - 1;
      while (b - a > 1) {
        const m = (a + b) >> 1;
        if (orig[m] <= x) a = m;
        else b = m;
      }
      i = a;
    }
    return norm[i] + (x - orig[i]) * slopes[i];
  };

  const ev: Evaluator = (env) => {
    const v = get(env);
    if (v === null) return mm;
    const x = typeof v === 'number' ? v : toNumber(v);
    if (Number.isNaN(x)) return null;
    if (x < lo || x > hi) {
      if (outliers === 'asMissingValues') return null;
      if (outliers === 'asExtremeValues') return round(x < lo ? norm[0] : norm[k - 1]);
    }
    return round(interpolate(x));
  };
  return { ev, type: 'double' };
}

// ---------------------------------------------------------------------------
// NormDiscrete

function compileNormDiscrete(el: El, path: string, cx: ExpressionContext): Compiled {
  const field = attr(el, 'field', path);
  const { info, get } = cx.scope.resolve(field, path);
  const text = attr(el, 'value', path);
  const typed = tryParseValue(text, info.dataType);
  const target: Value = typed === INVALID || typed === null ? text : typed;
  const mm = el.a.mapMissingTo === undefined ? null : numAttr(el, 'mapMissingTo', path);
  const ev: Evaluator = (env) => {
    const v = get(env);
    if (v === null) return mm;
    return v === target || valuesEqual(v, target) ? 1 : 0;
  };
  return { ev, type: 'double' };
}

// ---------------------------------------------------------------------------
// Discretize

type Closure = 'openClosed' | 'openOpen' | 'closedOpen' | 'closedClosed';

function compileDiscretize(el: El, path: string, cx: ExpressionContext): Compiled {
  const field = attr(el, 'field', path);
  const { get } = cx.scope.resolve(field, path);
  const dt = el.a.dataType !== undefined ? parseDataType(el.a.dataType, path) : undefined;
  const asValue = (text: string, p: string, what: string): Value => (dt === undefined ? text : literal(text, dt, p, what));
  const mm = el.a.mapMissingTo === undefined ? null : asValue(el.a.mapMissingTo, path, 'mapMissingTo');
  const dflt = el.a.defaultValue === undefined ? null : asValue(el.a.defaultValue, path, 'defaultValue');
  const bins = children(el, 'DiscretizeBin');
  const n = bins.length;
  const left = new Float64Array(n);
  const right = new Float64Array(n);
  const leftClosed = new Uint8Array(n);
  const rightClosed = new Uint8Array(n);
  const values: Value[] = [];
  bins.forEach((bin, i) => {
    const bp = childPath(path, el, bin);
    values.push(asValue(attr(bin, 'binValue', bp), bp, 'binValue'));
    const iv = child(bin, 'Interval');
    if (!iv) fail(bp, '<DiscretizeBin> needs an <Interval>');
    const ip = childPath(bp, bin, iv);
    const closure: Closure = enumAttr(iv, 'closure', ['openClosed', 'openOpen', 'closedOpen', 'closedClosed'] as const, undefined, ip);
    left[i] = iv.a.leftMargin === undefined ? -Infinity : numAttr(iv, 'leftMargin', ip);
    right[i] = iv.a.rightMargin === undefined ? Infinity : numAttr(iv, 'rightMargin', ip);
    if (left[i] > right[i]) fail(ip, `leftMargin ${left[i]} is greater than rightMargin ${right[i]}`);
    leftClosed[i] = closure === 'closedOpen' || closure === 'closedClosed' ? 1 : 0;
    rightClosed[i] = closure === 'openClosed' || closure === 'closedClosed' ? 1 : 0;
  });
  const ev: Evaluator = (env) => {
    const v = get(env);
    if (v === null) return mm;
    const x = typeof v === 'number' ? v : toNumber(v);
    for (let i = 0; i < n; i++) {
      const l = left[i];
      const r = right[i];
      if ((x > l || (x === l && leftClosed[i] === 1)) && (x < r || (x === r && rightClosed[i] === 1))) return values[i];
    }
    return dflt;
  };
  return { ev, type: dt ?? 'string' };
}

// ---------------------------------------------------------------------------
// MapValues

/** The cells of an InlineTable row by column name (child elements; the element's text is the cell). */
function rowCells(row: El): Map<string, string> {
  const cells = new Map<string, string>();
  for (const c of row.c) if (!cells.has(c.n)) cells.set(c.n, c.t ?? '');
  return cells;
}

function inlineTable(el: El, path: string, what: string): { table: El; tablePath: string } {
  if (child(el, 'TableLocator')) unsupported(childPath(path, el, child(el, 'TableLocator')!), `<TableLocator> refers to a table outside the document; only <InlineTable> is supported (${what})`);
  const table = child(el, 'InlineTable');
  if (!table) return fail(path, `<${el.n}> needs an <InlineTable>`);
  return { table, tablePath: childPath(path, el, table) };
}

const KEY_SEPARATOR = '\u0000';

function compileMapValues(el: El, path: string, cx: ExpressionContext): Compiled {
  const outputColumn = attr(el, 'outputColumn', path);
  const dt = el.a.dataType !== undefined ? parseDataType(el.a.dataType, path) : undefined;
  const asValue = (text: string, p: string, what: string): Value => (dt === undefined ? text : literal(text, dt, p, what));
  const mm = el.a.mapMissingTo === undefined ? null : asValue(el.a.mapMissingTo, path, 'mapMissingTo');
  const dflt = el.a.defaultValue === undefined ? null : asValue(el.a.defaultValue, path, 'defaultValue');
  const pairs = children(el, 'FieldColumnPair').map((p) => {
    const pp = childPath(path, el, p);
    const column = attr(p, 'column', pp);
    const { info, get } = cx.scope.resolve(attr(p, 'field', pp), pp);
    return { column, info, get };
  });
  const { table, tablePath } = inlineTable(el, path, 'MapValues');
  const map = new Map<string, Value>();
  const rows = children(table, 'row');
  rows.forEach((row) => {
    const rp = childPath(tablePath, table, row);
    const cells = rowCells(row);
    const parts: string[] = [];
    for (const p of pairs) {
      const text = cells.get(p.column);
      if (text === undefined) return; // the row says nothing for this column: it cannot match
      const typed = tryParseValue(text, p.info.dataType);
      if (typed === INVALID || typed === null) return; // never equal to a value of the field
      parts.push(categoryKey(typed));
    }
    const key = parts.join(KEY_SEPARATOR);
    if (map.has(key)) return; // the first matching row wins
    const out = cells.get(outputColumn);
    map.set(key, out === undefined ? null : asValue(out, rp, `the ${outputColumn} cell`));
  });
  const type = dt ?? 'string';
  const lookup = (key: string): Value => {
    const r = map.get(key);
    return r === undefined ? dflt : r;
  };
  if (pairs.length === 0) {
    const r = lookup('');
    return { ev: () => r, type };
  }
  if (pairs.length === 1) {
    const get = pairs[0].get;
    return {
      ev: (env) => {
        const v = get(env);
        return v === null ? mm : lookup(typeof v === 'string' ? v : categoryKey(v));
      },
      type,
    };
  }
  const gets = pairs.map((p) => p.get);
  return {
    ev: (env) => {
      let key = '';
      for (let i = 0; i < gets.length; i++) {
        const v = gets[i](env);
        if (v === null) return mm;
        key = i === 0 ? categoryKey(v) : key + KEY_SEPARATOR + categoryKey(v);
      }
      return lookup(key);
    },
    type,
  };
}

// ---------------------------------------------------------------------------
// TextIndex

interface TextPrep {
  lastText: string | null;
  tokens: string[];
  /** The normalized (not tokenized) text, case-folded when matching ignores case. */
  flat: string;
  maxFreq: number;
}

/** Prepared texts shared by TextIndex elements with the same settings (one normalization per row for many terms). */
const textPreps = new Map<string, TextPrep>();

function compileTextIndex(el: El, path: string, cx: ExpressionContext): Compiled {
  const textField = attr(el, 'textField', path);
  const { get: getText } = cx.scope.resolve(textField, path);
  const weights: LocalTermWeights = enumAttr(el, 'localTermWeights', ['termFrequency', 'binary', 'logarithmic', 'augmentedNormalizedTermFrequency'] as const, 'termFrequency', path);
  const caseSensitive = boolAttr(el, 'isCaseSensitive', path, false);
  const maxDistance = intAttr(el, 'maxLevenshteinDistance', path, 0);
  if (maxDistance < 0) fail(path, 'maxLevenshteinDistance must not be negative');
  const bestHits = enumAttr(el, 'countHits', ['allHits', 'bestHits'] as const, 'allHits', path) === 'bestHits';
  const separatorText = el.a.wordSeparatorCharacterRE ?? '\\s+';
  const doTokenize = boolAttr(el, 'tokenize', path, true);
  if (!doTokenize && maxDistance > 0) unsupported(path, 'maxLevenshteinDistance needs tokenize="true" (distances are measured between tokens)');
  const separator = regexOrFail(separatorText, path, 'wordSeparatorCharacterRE');

  const norms: Normalization[] = children(el, 'TextIndexNormalization').map((n) => {
    const np = childPath(path, el, n);
    const inField = n.a.inField ?? 'string';
    const outField = n.a.outField ?? 'stem';
    const regexField = n.a.regexField ?? 'regex';
    const nCase = boolAttr(n, 'isCaseSensitive', np, caseSensitive);
    const nDistance = n.a.maxLevenshteinDistance === undefined ? maxDistance : intAttr(n, 'maxLevenshteinDistance', np);
    if (nDistance < 0) fail(np, 'maxLevenshteinDistance must not be negative');
    const nTokenize = boolAttr(n, 'tokenize', np, doTokenize);
    const nSeparator = n.a.wordSeparatorCharacterRE ?? separatorText;
    const { table, tablePath } = inlineTable(n, np, 'TextIndexNormalization');
    const steps: NormalizationStep[] = [];
    for (const row of children(table, 'row')) {
      const rp = childPath(tablePath, table, row);
      const cells = rowCells(row);
      const inValue = cells.get(inField);
      const outValue = cells.get(outField);
      if (inValue === undefined || outValue === undefined) fail(rp, `the row needs the columns ${inField} and ${outField}`);
      const isRegex = (cells.get(regexField) ?? 'false').trim() === 'true';
      try {
        steps.push(normalizationStep(inValue, outValue, isRegex, nCase, nTokenize ? nSeparator : null, nDistance));
      } catch (e) {
        regexFailure(e, rp);
      }
    }
    return { steps, recursive: boolAttr(n, 'recursive', np, false) };
  });

  const termEls = expressionChildren(el);
  if (termEls.length !== 1) fail(path, `<TextIndex> needs exactly one expression for the term (it has ${termEls.length})`);
  const term = compile(termEls[0], childPath(path, el, termEls[0]), cx);
  const fold = !caseSensitive;

  // Normalization tables inherit isCaseSensitive, maxLevenshteinDistance, tokenize and the separator from the TextIndex.
  const key = JSON.stringify([separatorText, doTokenize, fold, norms.length === 0 ? [] : [maxDistance, children(el, 'TextIndexNormalization')]]);
  let prep = textPreps.get(key);
  if (!prep) {
    if (textPreps.size > 1024) textPreps.clear();
    prep = { lastText: null, tokens: [], flat: '', maxFreq: -1 };
    textPreps.set(key, prep);
  }
  const p = prep;
  const prepare = (text: string): void => {
    if (p.lastText === text) return;
    const normalized = norms.length === 0 ? text : normalize(text, norms);
    if (doTokenize) p.tokens = tokenize(normalized, separator, fold);
    else p.flat = fold ? normalized.toLowerCase() : normalized;
    p.maxFreq = -1;
    p.lastText = text;
  };
  const maxFreq = (): number => {
    if (p.maxFreq < 0) p.maxFreq = doTokenize ? maxTokenFrequency(p.tokens) : 1;
    return p.maxFreq;
  };
  const termText = (v: Value): string => (typeof v === 'string' ? v : categoryKey(v));
  const constTerm = term.constant;
  const constTokens = constTerm === undefined || constTerm === null ? undefined : doTokenize ? tokenize(termText(constTerm), separator, fold) : undefined;
  const constFlat = constTerm === undefined || constTerm === null ? undefined : fold ? termText(constTerm).toLowerCase() : termText(constTerm);
  const termGet = term.ev;

  const ev: Evaluator = (env) => {
    const t = getText(env);
    if (t === null) return null;
    let count: number;
    if (doTokenize) {
      let tokens = constTokens;
      if (tokens === undefined) {
        const tv = termGet(env);
        if (tv === null) return null;
        tokens = tokenize(termText(tv), separator, fold);
      }
      prepare(termText(t));
      count = countHits(p.tokens, tokens, maxDistance, bestHits);
    } else {
      let flat = constFlat;
      if (flat === undefined) {
        const tv = termGet(env);
        if (tv === null) return null;
        flat = fold ? termText(tv).toLowerCase() : termText(tv);
      }
      prepare(termText(t));
      count = countSubstrings(p.flat, flat);
    }
    return termWeight(weights, count, maxFreq);
  };
  return { ev, type: 'double' };
}

/** A document regex as a global RegExp (for splitting), or a compile error naming the path. */
function regexOrFail(pattern: string, path: string, what: string): RegExp {
  try {
    const t = translateRegex(pattern);
    return new RegExp(t.source, `${t.flags}g`);
  } catch (e) {
    return regexFailure(e, path, what);
  }
}

function regexFailure(e: unknown, path: string, what?: string): never {
  if (e instanceof RegexError) {
    const msg = what === undefined ? e.message : `${what}: ${e.message}`;
    if (e.unsupported) unsupported(path, msg);
    fail(path, msg);
  }
  throw e;
}

// ---------------------------------------------------------------------------
// Apply

type Treatment = 'returnInvalid' | 'asIs' | 'asMissing';

interface ApplyResult {
  /** The value when an input is missing and the function is not applied (mapMissingTo), else undefined. */
  readonly mm: Value | undefined;
  /** The value when the function gives a missing value. */
  readonly dv: Value;
  /** What a strict function's missing input gives (mapMissingTo, else defaultValue, else missing). */
  readonly missingIn: Value;
  /** Finishes a result that is not a NaN or infinite number computed here: float rounding, defaultValue. */
  readonly post: (r: Value) => Value;
  /** Finishes a NaN or infinite result: invalid when the inputs were finite (invalidValueTreatment). */
  readonly bad: (r: number, inputsFinite: boolean) => Value;
}

function nonFiniteNumber(v: Value): boolean {
  return typeof v === 'number' && !Number.isFinite(v);
}

/** True for NaN and ±Infinity. */
function isBad(r: Value): r is number {
  return typeof r === 'number' && r - r !== 0;
}

function applyResult(el: El, path: string, fname: string, type: DataType | undefined, cx: ExpressionContext, allowInfinite: boolean): ApplyResult {
  const mm = optLiteral(el, 'mapMissingTo', type, path);
  const dvLit = optLiteral(el, 'defaultValue', type, path);
  const dv = dvLit === undefined ? null : dvLit;
  const treatment: Treatment = enumAttr(el, 'invalidValueTreatment', ['returnInvalid', 'asIs', 'asMissing'] as const, 'returnInvalid', path);
  const float = cx.mathContext === 'float';
  const post = float
    ? (r: Value): Value => (typeof r === 'number' ? Math.fround(r) : r === null ? dv : r)
    : (r: Value): Value => (r === null ? dv : r);
  const bad = (r: number, inputsFinite: boolean): Value => {
    if (!inputsFinite || (allowInfinite && !Number.isNaN(r))) return r;
    switch (treatment) {
      case 'returnInvalid':
        throw new InvalidResult(`${path}: ${fname} gave an invalid result (${r})`);
      case 'asMissing':
        return dv;
      default:
        return r;
    }
  };
  return { mm, dv, missingIn: mm !== undefined ? mm : dv, post, bad };
}

/** Functions whose infinite results are legitimate values (the quantile at 0 and 1). */
const INFINITE_OK: ReadonlySet<string> = new Set(['stdNormalIDF', 'normalIDF']);

function compileApply(el: El, path: string, cx: ExpressionContext): Compiled {
  const fname = attr(el, 'function', path);
  const argEls = el.c.filter((c) => c.n !== 'Extension');
  for (const a of argEls) if (!EXPRESSIONS.has(a.n)) fail(childPath(path, el, a), `<${a.n}> is not an expression (an argument of ${fname})`);
  const user = cx.func(fname);
  if (user) return compileUserCall(user, el, argEls, path, cx);
  const spec = builtinSpec(fname);
  if (!spec) {
    if (fname.startsWith('x-')) unsupported(path, `the function ${JSON.stringify(fname)} is a vendor extension, not a PMML built-in`);
    fail(path, `the function ${JSON.stringify(fname)} is neither a PMML built-in nor defined by a DefineFunction`);
  }
  const n = argEls.length;
  if (n < spec.minArgs || n > spec.maxArgs) {
    const want = spec.minArgs === spec.maxArgs ? `${spec.minArgs}` : spec.maxArgs === Infinity ? `at least ${spec.minArgs}` : `${spec.minArgs} to ${spec.maxArgs}`;
    fail(path, `${fname} takes ${want} argument${want === '1' ? '' : 's'}; this Apply has ${n}`);
  }
  const args = argEls.map((a) => compile(a, childPath(path, el, a), cx));
  const evs = args.map((a, i) => temporalArg(a, spec.temporal?.[i]));
  const type = spec.resultType(args.map((a) => a.type));
  const res = applyResult(el, path, fname, type, cx, INFINITE_OK.has(fname));

  // Special forms: validity of fields, lazy branches, short-circuit logic.
  if ((fname === 'isValid' || fname === 'isNotValid') && argEls[0].n === 'FieldRef') {
    return { ev: validityCheck(argEls[0], childPath(path, el, argEls[0]), cx, fname === 'isValid', res), type };
  }
  if (fname === 'if') return { ev: compileIf(evs, res), type };
  if ((fname === 'and' || fname === 'or') && res.mm === undefined) return { ev: compileAndOr(evs, fname === 'and', res), type };

  let impl = spec.impl;
  if (spec.prepare) {
    const consts = args.map((a) => a.constant);
    try {
      impl = spec.prepare(consts) ?? impl;
    } catch (e) {
      if (e instanceof RegexError) regexFailure(e, path, fname);
      if (e instanceof Error) fail(path, `${fname}: ${e.message}`);
      throw e;
    }
  }
  const prepared = impl !== spec.impl;
  return { ev: spec.missing === 'strict' ? strictCall(spec, impl, prepared, evs, res) : ownCall(impl, evs, res), type };
}

/** Converts an argument of a temporal type to the canonical form the function takes. */
function temporalArg(a: Compiled, want: 'date' | 'dateTime' | undefined): Evaluator {
  const from = a.type;
  if (want === undefined || from === undefined || from === want) return a.ev;
  const kind = temporalKind(from);
  if (!kind) return a.ev;
  if (kind.epochDays === null) return a.ev; // a time of day: seconds since midnight serve as they are
  if (want === 'dateTime' && kind.unit === 'seconds' && kind.epochDays === 0) return a.ev;
  if (want === 'date' && kind.unit === 'days' && kind.epochDays === 0) return a.ev;
  const get = a.ev;
  return (env) => {
    const v = get(env);
    if (typeof v !== 'number') return v;
    const r = castTemporal(v, from, want);
    return r === INVALID ? NaN : r;
  };
}

function strictCall(spec: BuiltinSpec, impl: (args: readonly Value[]) => Value, prepared: boolean, evs: readonly Evaluator[], res: ApplyResult): Evaluator {
  const { missingIn, post, bad } = res;
  const n = evs.length;
  if (n === 1 && spec.impl1 && !prepared) {
    const f = spec.impl1;
    const e0 = evs[0];
    return (env) => {
      const a = e0(env);
      if (a === null) return missingIn;
      const r = f(a);
      return isBad(r) ? bad(r, !nonFiniteNumber(a)) : post(r);
    };
  }
  if (n === 2 && spec.impl2 && !prepared) {
    const f = spec.impl2;
    const e0 = evs[0];
    const e1 = evs[1];
    return (env) => {
      const a = e0(env);
      if (a === null) return missingIn;
      const b = e1(env);
      if (b === null) return missingIn;
      const r = f(a, b);
      return isBad(r) ? bad(r, !nonFiniteNumber(a) && !nonFiniteNumber(b)) : post(r);
    };
  }
  const buf = new Array<Value>(n).fill(null);
  return (env) => {
    for (let i = 0; i < n; i++) {
      const v = evs[i](env);
      if (v === null) return missingIn;
      buf[i] = v;
    }
    const r = impl(buf);
    return isBad(r) ? bad(r, allFinite(buf)) : post(r);
  };
}

function allFinite(buf: readonly Value[]): boolean {
  for (let i = 0; i < buf.length; i++) if (nonFiniteNumber(buf[i])) return false;
  return true;
}

function ownCall(impl: (args: readonly Value[]) => Value, evs: readonly Evaluator[], res: ApplyResult): Evaluator {
  const { mm, post, bad } = res;
  const n = evs.length;
  const buf = new Array<Value>(n).fill(null);
  return (env) => {
    let missing = false;
    for (let i = 0; i < n; i++) {
      const v = evs[i](env);
      if (v === null) missing = true;
      buf[i] = v;
    }
    if (missing && mm !== undefined) return mm;
    const r = impl(buf);
    return isBad(r) ? bad(r, allFinite(buf)) : post(r);
  };
}

/** if(condition, then[, else]) evaluating only the branch taken. */
function compileIf(evs: readonly Evaluator[], res: ApplyResult): Evaluator {
  const { mm, post } = res;
  const [cond, thenEv] = evs;
  const elseEv = evs.length > 2 ? evs[2] : undefined;
  // The branch's value passes through: it is not a computed result that could be invalid.
  return (env) => {
    const c = cond(env);
    if (c === null && mm !== undefined) return mm;
    const t = truthOf(c);
    if (t === null) return post(null);
    const branch = t ? thenEv : elseEv;
    if (branch === undefined) return post(null);
    const v = branch(env);
    if (v === null && mm !== undefined) return mm;
    return post(v);
  };
}

/** and/or with three-valued logic, stopping at the first decisive argument. */
function compileAndOr(evs: readonly Evaluator[], isAnd: boolean, res: ApplyResult): Evaluator {
  const { post } = res;
  const n = evs.length;
  const decisive = !isAnd; // and stops at false, or at true
  return (env) => {
    let unknown = false;
    for (let i = 0; i < n; i++) {
      const t = truthOf(evs[i](env));
      if (t === decisive) return decisive;
      if (t === null) unknown = true;
    }
    return post(unknown ? null : !decisive);
  };
}

/** isValid/isNotValid of a field: present and valid by the field's Values and Intervals. */
function validityCheck(ref: El, refPath: string, cx: ExpressionContext, wantValid: boolean, res: ApplyResult): Evaluator {
  const name = attr(ref, 'field', refPath);
  const binding = cx.scope.resolve(name, refPath) as Binding;
  const validity = binding.def?.validity ?? null;
  const optype = binding.info.optype;
  const get = binding.get;
  const mmRef = optLiteral(ref, 'mapMissingTo', binding.info.dataType, refPath);
  const { mm } = res;
  return (env) => {
    let v = get(env);
    if (v === null && mmRef !== undefined) v = mmRef;
    if (v === null) return mm !== undefined ? mm : false;
    const ok = !(typeof v === 'number' && Number.isNaN(v)) && classify(v, validity, optype) === Status.Valid;
    return wantValid ? ok : !ok;
  };
}

// ---------------------------------------------------------------------------
// User-defined functions (DefineFunction)

/** The environment of a function body: the argument values by parameter position (an array, cast to Env). */
type ParamFrame = Value[];

/** Bodies compiled per function and math context. */
const bodies = new WeakMap<DefinedFunction, { float?: Evaluator; double?: Evaluator }>();
/** Functions whose bodies are being compiled (a call back into one of them is recursion). */
const compiling = new Set<DefinedFunction>();

class ParamScope implements Scope {
  private readonly index = new Map<string, number>();
  constructor(private readonly fn: DefinedFunction) {
    fn.params.forEach((p, i) => {
      if (this.index.has(p.name)) fail(fn.path, `the ParameterField ${JSON.stringify(p.name)} is declared twice`);
      this.index.set(p.name, i);
    });
  }
  has(name: string): boolean {
    return this.index.has(name);
  }
  resolve(name: string, path: string): { readonly info: FieldInfo; readonly get: Evaluator } {
    const i = this.index.get(name);
    if (i === undefined) {
      return fail(path, `the body of the function ${JSON.stringify(this.fn.name)} refers to ${JSON.stringify(name)}, which is not one of its ParameterFields (${this.fn.params.map((p) => JSON.stringify(p.name)).join(', ')}); a function body sees only its parameters`);
    }
    return { info: this.fn.params[i], get: (env) => (env as unknown as ParamFrame)[i] };
  }
}

function functionBody(fn: DefinedFunction, cx: ExpressionContext, callPath: string): Evaluator {
  const ctx = cx.mathContext;
  let entry = bodies.get(fn);
  const cachedBody = entry?.[ctx];
  if (cachedBody) return cachedBody;
  if (compiling.has(fn)) fail(callPath, `the function ${JSON.stringify(fn.name)} calls itself (through ${[...compiling].map((f) => JSON.stringify(f.name)).join(' → ')}); recursive functions are not supported`);
  compiling.add(fn);
  let ev: Evaluator;
  try {
    const bodyCx: ExpressionContext = { scope: new ParamScope(fn), func: (name) => cx.func(name), mathContext: ctx };
    ev = compile(fn.body, `${fn.path}/${fn.body.n}`, bodyCx).ev;
  } finally {
    compiling.delete(fn);
  }
  if (!entry) {
    entry = {};
    bodies.set(fn, entry);
  }
  entry[ctx] = ev;
  return ev;
}

function compileUserCall(fn: DefinedFunction, el: El, argEls: readonly El[], path: string, cx: ExpressionContext): Compiled {
  const n = fn.params.length;
  if (argEls.length !== n) fail(path, `the function ${JSON.stringify(fn.name)} takes ${n} argument${n === 1 ? '' : 's'} (${fn.params.map((p) => p.name).join(', ')}); this Apply has ${argEls.length}`);
  const body = functionBody(fn, cx, path);
  const args = argEls.map((a) => compile(a, childPath(path, el, a), cx));
  const res = applyResult(el, path, fn.name, fn.dataType, cx, false);
  const { mm, post } = res;
  const treatment: Treatment = enumAttr(el, 'invalidValueTreatment', ['returnInvalid', 'asIs', 'asMissing'] as const, 'returnInvalid', path);
  const convert = (v: Value, dt: DataType, what: string): Value => {
    const r = castTo(v, dt);
    if (r !== INVALID) return r;
    if (treatment === 'returnInvalid') throw new InvalidResult(`${path}: ${what} cannot be converted to ${dt}`);
    return treatment === 'asIs' ? v : null;
  };
  // Arguments whose static type is the parameter's need no conversion.
  const casts = fn.params.map((p, i) => args[i].type !== p.dataType);
  const evs = args.map((a) => a.ev);
  const resultType = fn.dataType;
  const ev: Evaluator = (env) => {
    const frame: ParamFrame = new Array<Value>(n);
    for (let i = 0; i < n; i++) {
      const v = evs[i](env);
      if (v === null) {
        if (mm !== undefined) return mm;
        frame[i] = null;
      } else frame[i] = casts[i] ? convert(v, fn.params[i].dataType, `the argument ${JSON.stringify(fn.params[i].name)}`) : v;
    }
    const r = body(frame as unknown as Env);
    // The body's own Apply elements judge invalid results; its value passes through.
    if (r === null) return post(null);
    return post(convert(r, resultType, 'the result'));
  };
  return { ev, type: resultType };
}

// ---------------------------------------------------------------------------
// Aggregate and Lag (Transformations.html: "Aggregations", "Lag")

const AGGREGATE_FUNCTIONS = ['count', 'sum', 'average', 'min', 'max', 'multiset'] as const;

/**
 * Aggregate: count, sum, average, min or max of `field` over a group of records. A compiled module sees
 * one record at a time, so a group is passed as one record: `field` holds the group's values as an array
 * (a single value counts as a group of one), and groupField names the field whose value identifies the
 * group (usageType="group" in the MiningSchema, as transactions are given to an AssociationModel).
 * "Missing values are ignored": missing and invalid entries are left out. count is the number of values
 * left; sum, average, min and max of no values are missing. Refused (MLC3101): no groupField (the
 * aggregate would run over every record of the input, which a module scoring records one by one never
 * sees), sqlWhere (an SQL condition there is no SQL engine to evaluate), and multiset (a collection
 * value, which no PMML field value here can hold).
 */
function compileAggregate(el: El, path: string, cx: ExpressionContext): Compiled {
  const field = attr(el, 'field', path);
  const fn = enumAttr(el, 'function', AGGREGATE_FUNCTIONS, undefined, path);
  const groupField = el.a.groupField;
  if (groupField === undefined) {
    return unsupported(path, `<Aggregate> of ${JSON.stringify(field)} without groupField aggregates over every record of the input; a compiled module scores one record (one group) at a time, so it is not supported`);
  }
  if (el.a.sqlWhere !== undefined) return unsupported(path, `<Aggregate> sqlWhere=${JSON.stringify(el.a.sqlWhere)} is an SQL condition; evaluating SQL is not supported`);
  if (fn === 'multiset') return unsupported(path, '<Aggregate function="multiset"> yields a collection of values, not a single field value; it is not supported');
  const { info } = cx.scope.resolve(field, path);
  cx.scope.resolve(groupField, path);
  if (fn !== 'count' && !isNumericType(info.dataType)) fail(path, `<Aggregate function="${fn}"> needs a numeric field; ${JSON.stringify(field)} is ${info.dataType}`);
  if (!cx.items) return unsupported(path, '<Aggregate> inside a DefineFunction has no group of records to aggregate; it is not supported');
  const values = cx.items(field, path);
  const round = cx.mathContext === 'float' ? Math.fround : (x: number) => x;
  const type = aggregateDataType(el, path, cx);
  if (fn === 'count') return { ev: (env) => values(env).length, type };
  return {
    ev: (env) => {
      const vs = values(env);
      const n = vs.length;
      if (n === 0) return null;
      let acc = fn === 'min' ? Infinity : fn === 'max' ? -Infinity : 0;
      for (let i = 0; i < n; i++) {
        const x = toNumber(vs[i]);
        if (fn === 'min') acc = x < acc ? x : acc;
        else if (fn === 'max') acc = x > acc ? x : acc;
        else acc = round(acc + x);
      }
      return round(fn === 'average' ? acc / n : acc);
    },
    type,
  };
}

/** count is an integer; average a double (float under mathContext float); sum, min and max have the field's type. */
function aggregateDataType(el: El, path: string, cx: ExpressionContext): DataType | undefined {
  const fn = el.a.function;
  if (fn === 'count') return 'integer';
  if (fn === 'average') return cx.mathContext === 'float' ? 'float' : 'double';
  const field = el.a.field;
  if (field === undefined || !cx.scope.has(field)) return undefined;
  return cx.scope.resolve(field, path).info.dataType;
}

/** Why Lag is refused, naming the field, n and the block indicators. */
function lagUnsupported(el: El): string {
  const blocks = el.c.filter((c) => c.n === 'BlockIndicator').map((b) => JSON.stringify(b.a.field ?? ''));
  const within = blocks.length > 0 ? ` within blocks of equal ${blocks.join(', ')}` : '';
  return `<Lag field=${JSON.stringify(el.a.field ?? '')} n="${el.a.n ?? '1'}"> reads the value of an earlier record of the input${within}; `
    + 'a compiled module scores each record on its own (predict, predictBatch and the server keep no record order or history), '
    + 'so there is no earlier record to read: Lag is not supported';
}
