// The per-row environment. Every field whose value is worth remembering for the
// row (prepared MiningFields, DerivedFields, OutputFields) owns a slot, numbered
// at compile time; a slot is valid for the current row when its stamp equals the
// row's generation, so starting a row costs one increment and nothing is cleared.

import type { Env, Evaluator, ModelResult, Value } from './types.js';

/** Slot numbering for one document, filled while compiling. */
export class Layout {
  private next = 0;
  private frames = 0;
  /** A new cache slot. */
  slot(): number {
    return this.next++;
  }
  /** A new result frame (one per model element: top model and nested models). */
  frame(): number {
    return this.frames++;
  }
  get slots(): number {
    return this.next;
  }
  get frameCount(): number {
    return this.frames;
  }
}

/** Mutable state of the row being scored, shared by every Env of the row. */
export class RowState {
  record: Readonly<Record<string, unknown>> = {};
  gen = 1;
  readonly stamps: Int32Array;
  readonly vals: Value[];
  /** Model results by frame, with the generation that produced them. */
  readonly results: (ModelResult | null)[];
  readonly resultGen: Int32Array;
  /** The latest modelChain values of the row (ModelContext.extend), for fields read outside the chained env. */
  chain: ReadonlyMap<string, Value> | null = null;

  constructor(layout: Layout) {
    this.stamps = new Int32Array(layout.slots);
    this.vals = new Array<Value>(layout.slots).fill(null);
    this.results = new Array<ModelResult | null>(layout.frameCount).fill(null);
    this.resultGen = new Int32Array(layout.frameCount);
  }

  /** Starts a new row. */
  begin(record: Readonly<Record<string, unknown>>): void {
    this.record = record;
    this.chain = null;
    this.gen++;
    if (this.gen >= 0x3fffffff) {
      this.stamps.fill(0);
      this.resultGen.fill(0);
      this.gen = 1;
    }
  }
}

/** The only Env implementation: the row state plus the modelChain values visible at this point. */
export class RowEnv implements Env {
  readonly __env = true as const;
  constructor(readonly st: RowState, readonly chain: ReadonlyMap<string, Value> | null) {}
}

/** Reads a field of the caller's record; names that exist on Object.prototype (`constructor`, `__proto__`...) are read as own properties only. */
export function recordReader(name: string): (env: Env) => unknown {
  if (name in Object.prototype) {
    return (env) => {
      const rec = (env as RowEnv).st.record;
      return Object.prototype.hasOwnProperty.call(rec, name) ? rec[name] : undefined;
    };
  }
  return (env) => (env as RowEnv).st.record[name];
}

export function stateOf(env: Env): RowState {
  return (env as RowEnv).st;
}

/** An evaluator whose value is computed once per row and kept in `slot`. */
export function cached(slot: number, compute: Evaluator): Evaluator {
  return (env) => {
    const st = (env as RowEnv).st;
    if (st.stamps[slot] === st.gen) return st.vals[slot];
    const v = compute(env);
    st.vals[slot] = v;
    st.stamps[slot] = st.gen;
    return v;
  };
}

/**
 * Thrown while scoring when a value meets invalidValueTreatment (or missingValueTreatment)
 * `returnInvalid`: the document's score() catches it and returns an invalid result.
 * Model code must let it propagate (never catch every exception).
 */
export class InvalidResult extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidResult';
  }
}
