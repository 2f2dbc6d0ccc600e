// Fields: the DataDictionary, scopes (layers of field definitions resolved at
// compile time into evaluators), and the MiningSchema — the gate keeper that
// prepares every value entering a model (missing, invalid and outlier treatment).

import { attr, children, childPath, enumAttr, fail, optNumAttr, child } from './el.js';
import { cached, InvalidResult, recordReader, type Layout } from './env.js';
import type { DataType, El, Env, Evaluator, FieldInfo, OpType, Scope, Value } from './types.js';
import { categoryKey, compareValues, convertInput, INVALID, isNumericType, parseDataType, parseOpType, parseValue, toNumber, tryParseValue } from './values.js';

// ---------------------------------------------------------------------------
// Valid, invalid and missing values of a field (DataField or DerivedField Value/Interval children).

export interface Interval {
  readonly closure: 'openClosed' | 'openOpen' | 'closedOpen' | 'closedClosed';
  readonly left: number;
  readonly right: number;
}

export interface Validity {
  /** Keys (categoryKey) of the Values with property="valid"; empty when none are listed. */
  readonly valid: ReadonlySet<string>;
  /** Keys of property="invalid" Values. */
  readonly invalid: ReadonlySet<string>;
  /** Keys of property="missing" Values, and their literal texts (matched against the caller's strings before conversion). */
  readonly missing: ReadonlySet<string>;
  readonly missingTexts: ReadonlySet<string>;
  readonly invalidTexts: ReadonlySet<string>;
  readonly intervals: readonly Interval[];
  /** displayValue of Values by key. */
  readonly displayValues: ReadonlyMap<string, string>;
}

/** A field definition from a dictionary: DataField or DerivedField. */
export interface FieldDef {
  readonly info: FieldInfo;
  readonly validity: Validity | null;
  readonly path: string;
  /** The valid Values in document order (also for continuous fields, whose FieldInfo carries no categories). */
  readonly values?: readonly Value[];
}

/** A field resolved in a scope: its info and evaluator, plus what the MiningSchema needs to prepare it. */
export interface Binding {
  readonly info: FieldInfo;
  readonly get: Evaluator;
  /** The definition (for validity checks); absent for fields without one (output fields, chained values). */
  readonly def?: FieldDef;
  /** Data fields at document level: the caller's value for the field, before any conversion. */
  readonly input?: (env: Env) => unknown;
  /** Set on prepared MiningFields: validOnly when every value the field yields is valid or missing. */
  readonly prepared?: { readonly validOnly: boolean };
}

export function inInterval(x: number, iv: Interval): boolean {
  switch (iv.closure) {
    case 'closedClosed': return x >= iv.left && x <= iv.right;
    case 'closedOpen': return x >= iv.left && x < iv.right;
    case 'openClosed': return x > iv.left && x <= iv.right;
    default: return x > iv.left && x < iv.right;
  }
}

/** Parses the Value and Interval children of a DataField/DerivedField. */
export function parseValidity(el: El, dataType: DataType, path: string): { validity: Validity | null; categories: Value[] } {
  const values = children(el, 'Value');
  const intervalEls = children(el, 'Interval');
  if (values.length === 0 && intervalEls.length === 0) return { validity: null, categories: [] };
  const valid = new Set<string>();
  const invalid = new Set<string>();
  const missing = new Set<string>();
  const missingTexts = new Set<string>();
  const invalidTexts = new Set<string>();
  const displayValues = new Map<string, string>();
  const categories: Value[] = [];
  for (const v of values) {
    const vp = childPath(path, el, v);
    const text = attr(v, 'value', vp);
    const property = enumAttr(v, 'property', ['valid', 'invalid', 'missing'] as const, 'valid', vp);
    if (property === 'missing') {
      missingTexts.add(text);
      const t = tryParseValue(text, dataType);
      if (t !== INVALID && t !== null) missing.add(categoryKey(t));
      continue;
    }
    if (property === 'invalid') {
      invalidTexts.add(text);
      const t = tryParseValue(text, dataType);
      if (t !== INVALID && t !== null) invalid.add(categoryKey(t));
      continue;
    }
    const typed = parseValue(text, dataType, vp);
    const key = categoryKey(typed);
    if (!valid.has(key)) {
      valid.add(key);
      categories.push(typed);
    }
    if (v.a.displayValue !== undefined) displayValues.set(key, v.a.displayValue);
  }
  const intervals: Interval[] = intervalEls.map((iv) => {
    const ip = childPath(path, el, iv);
    const closure = enumAttr(iv, 'closure', ['openClosed', 'openOpen', 'closedOpen', 'closedClosed'] as const, undefined, ip);
    const left = optNumAttr(iv, 'leftMargin', ip) ?? -Infinity;
    const right = optNumAttr(iv, 'rightMargin', ip) ?? Infinity;
    if (left > right) fail(ip, `leftMargin ${left} is greater than rightMargin ${right}`);
    return { closure, left, right };
  });
  return { validity: { valid, invalid, missing, missingTexts, invalidTexts, intervals, displayValues }, categories };
}

/** Status of a typed value against a field's Values/Intervals. */
export const Status = { Valid: 0, Invalid: 1, Missing: 2 } as const;
export type Status = (typeof Status)[keyof typeof Status];

export function classify(v: Value, validity: Validity | null, optype: OpType): Status {
  if (v === null) return Status.Missing;
  if (validity === null) return Status.Valid;
  // The key (a number's text) only when some Value lists can hold it: continuous fields with just
  // Intervals have none, and building it per row would be most of the check.
  const key = validity.missing.size > 0 || validity.invalid.size > 0 || validity.valid.size > 0 ? categoryKey(v) : '';
  if (validity.missing.size > 0 && validity.missing.has(key)) return Status.Missing;
  if (validity.invalid.size > 0 && validity.invalid.has(key)) return Status.Invalid;
  if (optype === 'continuous') {
    // Continuous fields: Intervals bound the valid values (listed valid Values are valid too);
    // without Intervals every value is valid.
    if (validity.intervals.length === 0 || validity.valid.has(key)) return Status.Valid;
    const x = toNumber(v);
    if (Number.isNaN(x)) return Status.Invalid;
    for (const iv of validity.intervals) if (inInterval(x, iv)) return Status.Valid;
    return Status.Invalid;
  }
  if (validity.valid.size === 0) return Status.Valid;
  return validity.valid.has(key) ? Status.Valid : Status.Invalid;
}

// ---------------------------------------------------------------------------
// DataDictionary.

export function parseDataDictionary(el: El | undefined, path: string): Map<string, FieldDef> {
  const out = new Map<string, FieldDef>();
  if (!el) return out;
  for (const df of children(el, 'DataField')) {
    const p = childPath(path, el, df);
    const name = attr(df, 'name', p);
    const fp = `${path}/DataField[name=${JSON.stringify(name)}]`;
    if (out.has(name)) fail(fp, `the DataField ${JSON.stringify(name)} is declared twice`);
    const dataType = parseDataType(df.a.dataType, fp);
    const optype = parseOpType(df.a.optype, dataType, fp);
    const { validity, categories } = parseValidity(df, dataType, fp);
    const info: FieldInfo = optype === 'continuous' || categories.length === 0
      ? { name, dataType, optype }
      : { name, dataType, optype, categories };
    out.set(name, { info, validity, path: fp, values: categories });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Scopes.

/** Builds a binding at compile time (may compile expressions, which may resolve other fields). */
export type BindingDef = () => Binding;

/**
 * One layer of field definitions over a parent scope. Definitions are built on first
 * resolution (so declaration order does not matter); a definition that needs itself
 * while being built is a cycle and a compile error.
 */
export class LayerScope implements Scope {
  private readonly defs = new Map<string, BindingDef>();
  private readonly built = new Map<string, Binding>();
  private readonly building = new Set<string>();

  constructor(readonly parent: LayerScope | null, readonly label: string) {}

  define(name: string, def: BindingDef): void {
    this.defs.set(name, def);
    this.built.delete(name);
  }

  bind(name: string, binding: Binding): void {
    this.defs.delete(name);
    this.built.set(name, binding);
  }

  /** True when this layer itself (not a parent) defines the name. */
  owns(name: string): boolean {
    return this.built.has(name) || this.defs.has(name);
  }

  has(name: string): boolean {
    return this.owns(name) || (this.parent?.has(name) ?? false);
  }

  resolve(name: string, path: string): Binding {
    const b = this.built.get(name);
    if (b) return b;
    const def = this.defs.get(name);
    if (def) {
      if (this.building.has(name)) fail(path, `the field ${JSON.stringify(name)} is defined in terms of itself (a cycle of derived fields through ${[...this.building].map((n) => JSON.stringify(n)).join(' → ')})`);
      this.building.add(name);
      let made: Binding;
      try {
        made = def();
      } finally {
        this.building.delete(name);
      }
      this.built.set(name, made);
      return made;
    }
    if (this.parent) return this.parent.resolve(name, path);
    return fail(path, `the field ${JSON.stringify(name)} is not defined (not in the DataDictionary, TransformationDictionary, LocalTransformations or MiningSchema in scope)`);
  }

  /** Every name defined in this layer (not parents). */
  names(): string[] {
    return [...new Set([...this.defs.keys(), ...this.built.keys()])];
  }
}

// ---------------------------------------------------------------------------
// MiningSchema.

export type UsageType = 'active' | 'target' | 'supplementary' | 'group' | 'order' | 'frequencyWeight' | 'analysisWeight';

export interface MiningFieldSpec {
  readonly name: string;
  readonly path: string;
  readonly usageType: UsageType;
  readonly optype?: OpType;
  readonly outliers: 'asIs' | 'asMissingValues' | 'asExtremeValues';
  readonly lowValue?: number;
  readonly highValue?: number;
  readonly missingValueReplacement?: string;
  readonly missingValueTreatment: 'asIs' | 'asMean' | 'asMode' | 'asMedian' | 'asValue' | 'returnInvalid';
  readonly invalidValueTreatment: 'returnInvalid' | 'asIs' | 'asMissing' | 'asValue';
  readonly invalidValueReplacement?: string;
}

const USAGE_TYPES = ['active', 'predicted', 'target', 'supplementary', 'group', 'order', 'frequencyWeight', 'analysisWeight'] as const;

export function parseMiningSchema(el: El, path: string): MiningFieldSpec[] {
  const out: MiningFieldSpec[] = [];
  const seen = new Set<string>();
  for (const mf of children(el, 'MiningField')) {
    const p0 = childPath(path, el, mf);
    const name = attr(mf, 'name', p0);
    const p = `${path}/MiningField[name=${JSON.stringify(name)}]`;
    if (seen.has(name)) fail(p, `the MiningField ${JSON.stringify(name)} is listed twice`);
    seen.add(name);
    const usage = enumAttr(mf, 'usageType', USAGE_TYPES, 'active', p);
    const optype = mf.a.optype === undefined ? undefined : parseOpType(mf.a.optype, 'string', p);
    const outliers = enumAttr(mf, 'outliers', ['asIs', 'asMissingValues', 'asExtremeValues'] as const, 'asIs', p);
    const lowValue = optNumAttr(mf, 'lowValue', p);
    const highValue = optNumAttr(mf, 'highValue', p);
    if (outliers !== 'asIs' && lowValue === undefined && highValue === undefined) {
      fail(p, `outliers="${outliers}" needs lowValue and/or highValue`);
    }
    const invalidValueTreatment = enumAttr(mf, 'invalidValueTreatment', ['returnInvalid', 'asIs', 'asMissing', 'asValue'] as const, 'returnInvalid', p);
    if (invalidValueTreatment === 'asValue' && mf.a.invalidValueReplacement === undefined) {
      fail(p, 'invalidValueTreatment="asValue" needs the attribute invalidValueReplacement');
    }
    out.push({
      name,
      path: p,
      usageType: usage === 'predicted' ? 'target' : usage,
      optype,
      outliers,
      lowValue,
      highValue,
      missingValueReplacement: mf.a.missingValueReplacement,
      missingValueTreatment: enumAttr(mf, 'missingValueTreatment', ['asIs', 'asMean', 'asMode', 'asMedian', 'asValue', 'returnInvalid'] as const, 'asIs', p),
      invalidValueTreatment,
      invalidValueReplacement: mf.a.invalidValueReplacement,
    });
  }
  return out;
}

/** Statistics of the model's ModelStats used by missingValueTreatment asMean/asMode/asMedian without a replacement value. */
export function statReplacement(modelEl: El, field: string, treatment: string): string | undefined {
  const stats = child(modelEl, 'ModelStats');
  if (!stats) return undefined;
  for (const u of children(stats, 'UnivariateStats')) {
    if (u.a.field !== field) continue;
    const num = child(u, 'NumericInfo');
    if (treatment === 'asMean' && num?.a.mean !== undefined) return num.a.mean;
    if (treatment === 'asMedian' && num?.a.median !== undefined) return num.a.median;
    if (treatment === 'asMode') {
      if (num?.a.mode !== undefined) return num.a.mode;
      const discr = child(u, 'DiscrStats');
      if (discr?.a.modalValue !== undefined) return discr.a.modalValue;
    }
  }
  return undefined;
}

function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/**
 * A MiningField's prepared value: the source value converted to the field's data type, checked
 * against the field's valid values, then the outlier, invalid and missing value treatments.
 * Cached per row. `modelEl` is the model element (for ModelStats).
 */
export function prepareMiningField(spec: MiningFieldSpec, source: Binding, layout: Layout, modelEl: El): Binding {
  const def = source.def;
  const dataType = source.info.dataType;
  const optype: OpType = spec.optype ?? source.info.optype;
  const validity = def?.validity ?? null;
  const name = spec.name;
  const isTarget = spec.usageType === 'target';

  let replacementText = spec.missingValueReplacement;
  if (replacementText === undefined && (spec.missingValueTreatment === 'asMean' || spec.missingValueTreatment === 'asMode' || spec.missingValueTreatment === 'asMedian')) {
    replacementText = statReplacement(modelEl, name, spec.missingValueTreatment);
  }
  const missingReplacement: Value = replacementText === undefined ? null : parseValue(replacementText, dataType, spec.path);
  const invalidReplacement: Value = spec.invalidValueReplacement === undefined ? null : parseValue(spec.invalidValueReplacement, dataType, spec.path);
  const missingReturnsInvalid = spec.missingValueTreatment === 'returnInvalid' && !isTarget;
  const invalidTreatment = isTarget ? 'asMissing' : spec.invalidValueTreatment;
  const numeric = isNumericType(dataType);
  const outliers = numeric && optype === 'continuous' ? spec.outliers : 'asIs';
  const low = spec.lowValue ?? -Infinity;
  const high = spec.highValue ?? Infinity;
  const hasMissingTexts = (validity?.missingTexts.size ?? 0) > 0;
  const hasInvalidTexts = (validity?.invalidTexts.size ?? 0) > 0;

  const onMissing = (): Value => {
    if (missingReturnsInvalid) throw new InvalidResult(`the field ${JSON.stringify(name)} is missing and its missingValueTreatment is returnInvalid`);
    return missingReplacement;
  };

  // A plain MiningField over a field its parent model already prepared yields the parent's values:
  // no replacement, no outliers, the same optype, and nothing invalid can come through (or asIs).
  const plain = replacementText === undefined && spec.invalidValueReplacement === undefined && !missingReturnsInvalid
    && outliers === 'asIs' && optype === source.info.optype;
  if (plain && source.prepared && (source.prepared.validOnly || invalidTreatment === 'asIs')) return source;

  const input = source.input;
  const read: (env: Env) => unknown = input ?? source.get;
  // Values that come from no dictionary definition (output fields of earlier segments, chained values)
  // are taken as they are when they do not convert to the declared type.
  const lenient = !input && !def;

  const compute: Evaluator = (env) => {
    let raw = read(env);
    if (Array.isArray(raw)) raw = raw.length === 0 ? null : raw[0];
    if (typeof raw === 'string') {
      if (hasMissingTexts && validity!.missingTexts.has(raw)) return onMissing();
      if (hasInvalidTexts && validity!.invalidTexts.has(raw)) return onInvalid(raw, INVALID);
    }
    let v = input ? convertInput(raw, dataType) : raw === null || raw === undefined ? null : convertInput(raw, dataType);
    if (v === null) return onMissing();
    if (v === INVALID) {
      if (!lenient) return onInvalid(raw, INVALID);
      v = raw as Value;
    }
    const status = classify(v, validity, optype);
    if (status === Status.Missing) return onMissing();
    if (status === Status.Invalid) return onInvalid(raw, v);
    if (outliers !== 'asIs' && typeof v === 'number') {
      const x = v;
      if (x < low) return outliers === 'asMissingValues' ? onMissing() : low;
      if (x > high) return outliers === 'asMissingValues' ? onMissing() : high;
    }
    return v;
  };

  function onInvalid(raw: unknown, typed: Value | typeof INVALID): Value {
    switch (invalidTreatment) {
      case 'returnInvalid':
        throw new InvalidResult(`the value ${describe(raw)} of the field ${JSON.stringify(name)} is invalid`);
      case 'asIs':
        return typed === INVALID ? null : typed;
      case 'asValue':
        return invalidReplacement;
      default:
        return onMissing();
    }
  }

  const info: FieldInfo = optype === source.info.optype ? source.info : withOptype(source.info, optype);
  return { info, get: cached(layout.slot(), compute), def, prepared: { validOnly: invalidTreatment !== 'asIs' } };
}

function withOptype(info: FieldInfo, optype: OpType): FieldInfo {
  if (optype === 'continuous') return { name: info.name, dataType: info.dataType, optype };
  return info.categories ? { name: info.name, dataType: info.dataType, optype, categories: info.categories } : { name: info.name, dataType: info.dataType, optype };
}

/**
 * A data field read straight from the record (document level). Used when a model refers to a
 * data field its MiningSchema does not list: the value is converted and checked against the
 * DataDictionary; invalid values are treated as missing here (no MiningField asks otherwise).
 */
export function dataFieldBinding(def: FieldDef, layout: Layout): Binding {
  const name = def.info.name;
  const dataType = def.info.dataType;
  const validity = def.validity;
  const optype = def.info.optype;
  const input = recordReader(name);
  const get = cached(layout.slot(), (env) => {
    let raw = input(env);
    if (Array.isArray(raw)) raw = raw.length === 0 ? null : raw[0];
    if (typeof raw === 'string' && validity && validity.missingTexts.has(raw)) return null;
    const v = convertInput(raw, dataType);
    if (v === INVALID || v === null) return null;
    return classify(v, validity, optype) === Status.Valid ? v : null;
  });
  return { info: def.info, get, def, input };
}

/** Compares two values of a field as the field's ordering says (ordinal: category order; else compareValues). */
export function ordinalComparator(info: FieldInfo): (a: Value, b: Value) => number {
  if (info.optype !== 'ordinal' || !info.categories || info.categories.length === 0) return compareValues;
  const rank = new Map<string, number>();
  info.categories.forEach((c, i) => rank.set(categoryKey(c), i));
  return (a, b) => {
    const x = a === null ? undefined : rank.get(categoryKey(a));
    const y = b === null ? undefined : rank.get(categoryKey(b));
    if (x !== undefined && y !== undefined) return x - y;
    return compareValues(a, b);
  };
}
