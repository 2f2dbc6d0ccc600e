// The PFA runtime's shared vocabulary: Avro types as the compiler and the library
// see them, library function entries, and the runtime error.
//
// Values in memory (documented in README.md, PFA section):
//   null → null; boolean → boolean; int, float, double → number (float results are rounded
//   with Math.fround); long → bigint (exact 64-bit; the compiler knows every long expression
//   statically and converts where PFA promotes int → long or long → float/double, and at the
//   boundary of library functions written for numbers: LibFunction.bigLongs); string → string; bytes and fixed →
//   Uint8Array; enum → the symbol (string); array → Array; map → a null-prototype object
//   (newMap() in values.ts; read keys with Object.keys/Object.hasOwn only); record → a
//   null-prototype object with one property per field; union → the branch's value itself
//   (untagged); function arguments (fcn, fcnref) → JavaScript functions.
//   Values are immutable: library functions never modify their arguments; they return
//   new arrays/maps/records.

/** An Avro/PFA type after parsing; named types (record, enum, fixed) carry their full name. */
export type PfaType =
  | { readonly kind: 'null' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'int' }
  | { readonly kind: 'long' }
  | { readonly kind: 'float' }
  | { readonly kind: 'double' }
  | { readonly kind: 'string' }
  | { readonly kind: 'bytes' }
  | { readonly kind: 'fixed'; readonly name: string; readonly size: number }
  | { readonly kind: 'enum'; readonly name: string; readonly symbols: readonly string[] }
  | { readonly kind: 'array'; readonly items: PfaType }
  | { readonly kind: 'map'; readonly values: PfaType }
  | { readonly kind: 'record'; readonly name: string; readonly fields: readonly PfaField[] }
  | { readonly kind: 'union'; readonly types: readonly PfaType[] }
  /** Only as a library parameter or a user function's type. */
  | { readonly kind: 'function'; readonly params: readonly PfaType[]; readonly ret: PfaType };

export interface PfaField {
  readonly name: string;
  readonly type: PfaType;
  readonly default?: unknown;
}

/**
 * A library signature in the JSON form of the function catalogue (functions.json,
 * built from the specification's libfcns.xml): params [{name: type}] and ret, where a
 * type is an Avro primitive name, {type: array, items}, {type: map, values},
 * {type: union, of: [...]}, {type: function, params: [...], ret}, {type: record, label,
 * fields?}, {type: enum|fixed, label}, {any: "A", of?: [...]} (a type variable, with
 * allowed types) or {ref: "A"} (the same type as variable A).
 */
export interface SignatureJson {
  readonly params: readonly { readonly name: string; readonly type: unknown }[];
  readonly ret: unknown;
}

/** One resolved use of a library function: its parameter and return types at a call site. */
export interface CallTypes {
  readonly params: readonly PfaType[];
  readonly ret: PfaType;
  /** Index of the signature (in LibFunction.sigs) that matched. */
  readonly sig: number;
}

/** What a library function may use besides its arguments. */
export interface LibContext {
  /** Uniform [0, 1) from the engine's generator, seeded by the document's randseed. */
  random(): number;
  /** Writes a log line (the `log` form and library logging). */
  log(message: string): void;
}

/** A function implementation: arguments already evaluated (function arguments as JS functions). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type LibImpl = (...args: any[]) => unknown;

/** A library function: its catalogue signatures and a factory specialised per call site. */
export interface LibFunction {
  /** The PFA name, e.g. `a.len`, `m.special.erf`, `+`. */
  readonly name: string;
  readonly sigs: readonly SignatureJson[];
  /** Called once per call site when the engine is created; the result is called per evaluation. */
  make(types: CallTypes, ctx: LibContext): LibImpl;
  /**
   * Optional: a better return type than the signature gives, from the argument types
   * (e.g. a function whose result depends on a literal argument). Rarely needed.
   */
  refine?(types: CallTypes): PfaType;
  /**
   * True when the implementation takes and returns longs as BigInts (exact 64-bit). Otherwise
   * the compiler converts longs to numbers for it and its long results back (exact to 2^53).
   */
  readonly bigLongs?: boolean;
}

/** A PFA runtime error: a library function's error code or a user `error` form's code. */
export class PfaError extends Error {
  constructor(readonly code: number | undefined, message: string, readonly fcn?: string) {
    super(message);
    this.name = 'PfaError';
  }
}

/** Throws the error a library function documents (functions.json "errors"). */
export function pfaFail(code: number, fcn: string, message: string): never {
  throw new PfaError(code, message, fcn);
}
