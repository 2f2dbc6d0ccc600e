// The PMML runtime's shared vocabulary. A PMML document travels into the
// generated module as a compact element tree (El), checked at compile time by
// running the very same compilers; at load time the module compiles that tree
// once into closures, so scoring a row does no parsing and no lookups by name.
//
// Layers (each its own file):
//   el.ts            element helpers, attribute parsing, PmmlCompileError with element paths
//   values.ts        data types: conversion, comparison, category keys
//   fields.ts        DataDictionary, MiningSchema (missing/invalid/outlier treatment), scopes and Env
//   expressions.ts   Constant, FieldRef, NormContinuous, NormDiscrete, Discretize, MapValues, TextIndex, Apply, Aggregate
//   functions.ts     the built-in functions of Apply (arithmetic, math, strings, dates, regexes...)
//   predicates.ts    Simple/Compound/SimpleSet predicates, True/False, three-valued logic
//   targets.ts       Targets (rescale, cast, min/max, priors)
//   output.ts        Output fields and every result feature
//   document.ts      the document: dictionaries, the top model, compileDocument()
//   models/<type>.ts one file per model element, registered in models/registry.ts

/** One XML element: name, attributes, child elements in order, and its text (if any). */
export interface El {
  readonly n: string;
  readonly a: { readonly [name: string]: string };
  readonly c: readonly El[];
  readonly t?: string;
}

/** A field value at run time. `null` is PMML's missing value. Dates and times are numbers (see values.ts). */
export type Value = number | string | boolean | null;

export type DataType =
  | 'string' | 'integer' | 'float' | 'double' | 'boolean'
  | 'date' | 'time' | 'dateTime'
  | 'dateDaysSince[0]' | 'dateDaysSince[1960]' | 'dateDaysSince[1970]' | 'dateDaysSince[1980]'
  | 'timeSeconds'
  | 'dateTimeSecondsSince[0]' | 'dateTimeSecondsSince[1960]' | 'dateTimeSecondsSince[1970]' | 'dateTimeSecondsSince[1980]';

export type OpType = 'categorical' | 'ordinal' | 'continuous';

/** What is known about a field at compile time. */
export interface FieldInfo {
  readonly name: string;
  readonly dataType: DataType;
  readonly optype: OpType;
  /** Valid values in document order (categorical/ordinal fields), already converted to dataType. */
  readonly categories?: readonly Value[];
}

/** The per-row evaluation environment. Only fields.ts knows how it stores values. */
export interface Env {
  /** Marker so that unrelated objects are not passed by mistake. */
  readonly __env: true;
}

/** Reads one value for the current row. */
export type Evaluator = (env: Env) => Value;

/** Three-valued predicate result: true, false, or null for UNKNOWN. */
export type Truth = boolean | null;
export type Predicate = (env: Env) => Truth;

/** Fields visible at one point of the document (model scope with its LocalTransformations, etc.). */
export interface Scope {
  /** Resolves a visible field; throws PmmlCompileError (naming `path`) when the name is not defined. */
  resolve(name: string, path: string): { readonly info: FieldInfo; readonly get: Evaluator };
  /** True when the name is defined in this scope (or an enclosing one). */
  has(name: string): boolean;
}

/** One fired association rule (AssociationModel), for the ruleValue/antecedent/consequent features. */
export interface RuleMatch {
  readonly id: string | null;
  readonly antecedent: readonly string[];
  readonly consequent: readonly string[];
  readonly support: number;
  readonly confidence: number;
  readonly lift: number | null;
  readonly leverage: number | null;
  readonly affinity: number | null;
}

/** What a model computes for one row; Output (output.ts) turns it into result features. */
export interface ModelResult {
  /** The predicted value of the target (class label, number, cluster id); null = no prediction. */
  readonly value: Value;
  /** Classification: probability per category, keyed by categoryKey(category) (values.ts). */
  readonly probabilities?: ReadonlyMap<string, number>;
  /** Classification: confidence per category (ScoreDistribution@confidence), same keys. */
  readonly confidences?: ReadonlyMap<string, number>;
  /** Display value (predictedDisplayValue), when the model defines one. */
  readonly displayValue?: string | null;
  /** Identifier of the winning entity (tree node id, cluster id, rule id, neighbour id). */
  readonly entityId?: string | null;
  /**
   * Ranked entities for entityId/affinity/clusterAffinity with `rank`: best first.
   * Clustering: every cluster with its affinity (distance or similarity as the model measures it).
   */
  readonly entities?: readonly { readonly id: string; readonly affinity: number }[];
  /** Standard error of a regression prediction, when the model has one. */
  readonly standardError?: number | null;
  /** Reason codes in order (Scorecard). */
  readonly reasonCodes?: readonly string[];
  /** Association rules by algorithm (recommendation, exclusiveRecommendation, ruleAssociation). */
  readonly rules?: {
    readonly recommendation: readonly RuleMatch[];
    readonly exclusiveRecommendation: readonly RuleMatch[];
    readonly ruleAssociation: readonly RuleMatch[];
  };
  /** Non-fatal notes (feature="warning"). */
  readonly warnings?: readonly string[];
  /** The model's own reported value where it differs from `value` before Targets (e.g. raw regression). */
  readonly raw?: number;
  /**
   * MiningModel multipleModelMethod="selectAll": every selected Segment's result record, in document
   * order (the document's result carries them as `$segments`).
   */
  readonly segments?: readonly SegmentRecord[];
}

/** One selected Segment's result (selectAll): its id and its result record, keyed as a top model's would be. */
export interface SegmentRecord {
  readonly segmentId: string;
  readonly result: Readonly<Record<string, unknown>>;
}

/** A nested model (Segment of a MiningModel) with its own MiningSchema, transformations, Targets and Output. */
export interface NestedModel {
  readonly element: string;
  readonly functionName: string;
  /** Output fields the nested model defines (visible to later segments of a modelChain). */
  readonly outputFields: readonly FieldInfo[];
  /** The nested model's target field (null when it has none). */
  readonly target: TargetInfo | null;
  /** Scores the row: the model's result after Targets, and its Output field values by name. */
  evaluate(env: Env): { readonly result: ModelResult; readonly outputs: ReadonlyMap<string, Value> };
  /**
   * The result record of an evaluation, keyed as if the nested model were the document's top model
   * (final Output fields; else target and probability(<category>); else predictedValue).
   */
  record(result: ModelResult, outputs: ReadonlyMap<string, Value>): Record<string, unknown>;
}

export interface TargetInfo {
  readonly name: string;
  readonly info: FieldInfo;
  /** Classification categories: DataDictionary valid values, else Targets TargetValues, in order. */
  readonly categories: readonly Value[];
}

/** What a model compiler gets: its element's scope and the document's compilers. */
export interface ModelContext {
  /** Element path of the model, e.g. `PMML/MiningModel/Segmentation/Segment[3]/TreeModel`. */
  readonly path: string;
  /** Fields visible to the model: its MiningSchema fields (prepared), LocalTransformations, dictionaries. */
  readonly scope: Scope;
  /** The model's functionName attribute. */
  readonly functionName: string;
  /** The MiningSchema's target (usageType target/predicted), or null. */
  readonly target: TargetInfo | null;
  /** Active MiningSchema fields in document order. */
  readonly activeFields: readonly FieldInfo[];
  /** `float` when the model's mathContext says so: arithmetic rounds to float32 (Math.fround). */
  readonly mathContext: 'float' | 'double';
  /** Compiles an expression element (Constant, FieldRef, Apply, ...) in the model's scope. */
  expression(el: El, path: string): Evaluator;
  /** Compiles a predicate element (SimplePredicate, CompoundPredicate, True, ...). */
  predicate(el: El, path: string): Predicate;
  /**
   * Compiles a nested model element. `chained` are fields computed by earlier segments
   * (modelChain): the nested model may reference them; they are read from `extend`ed envs.
   */
  nested(el: El, path: string, chained?: readonly FieldInfo[]): NestedModel;
  /**
   * The items of a collection field (AssociationModel transactions, Aggregate): the caller passes an
   * array for such a field (`{ item: ["bread", "milk"] }`); a single value counts as one item.
   */
  items(name: string, path: string): (env: Env) => readonly Value[];
  /** An env in which `values` (modelChain outputs so far) are visible as fields. */
  extend(env: Env, values: ReadonlyMap<string, Value>): Env;
}

/** A model compiler: one per model element, registered in models/registry.ts. */
export interface ModelCompiler {
  /** The PMML element name, e.g. `TreeModel`. */
  readonly element: string;
  compile(el: El, ctx: ModelContext): (env: Env) => ModelResult;
}
