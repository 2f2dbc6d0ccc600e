// One comparison rule for the CLI's `validate`, the conformance runners and tests:
// |actual - expected| <= atol + rtol * |expected|; NaN equals NaN; infinities must
// match exactly; element type and shape must be identical; strings exactly equal.

import { float16BitsToFloat } from '../../runtime/tensor/float16.js';
import { lowpBitsToFloat } from '../../runtime/tensor/lowp.js';
import { isLowpFloat, type DType } from '../../runtime/tensor/tensor.js';

export interface Tolerance {
  readonly rtol: number;
  readonly atol: number;
}

export const DEFAULT_TOLERANCE: Tolerance = { rtol: 1e-3, atol: 1e-7 };

export interface ComparableTensor {
  readonly type: string;
  readonly dims: readonly number[];
  readonly data: ArrayLike<unknown>;
}

export interface TensorComparison {
  readonly ok: boolean;
  /** Why the tensors disagree (type, shape, or the first mismatching element). */
  readonly message: string;
  readonly mismatches: number;
  readonly maxAbsError: number;
  readonly worstIndex: number;
}

/** Float16 data is compared as values, not bits; so are bfloat16, float8 and float4e2m1 bit patterns. */
function valueAt(t: ComparableTensor, i: number): unknown {
  const v = t.data[i];
  if (t.type === 'float16' && typeof v === 'number' && t.data instanceof Uint16Array) return float16BitsToFloat(v);
  const type = t.type as DType;
  if (typeof v === 'number' && (t.data instanceof Uint8Array || t.data instanceof Uint16Array) && isLowpFloat(type)) {
    return lowpBitsToFloat(type, v);
  }
  return v;
}

/** Compares two scalars under the rule; returns the absolute error (Infinity when they disagree in kind). */
export function scalarError(a: unknown, e: unknown, tol: Tolerance): { ok: boolean; abs: number } {
  if (typeof e === 'string' || typeof a === 'string') return { ok: a === e, abs: a === e ? 0 : Infinity };
  if (typeof e === 'bigint' || typeof a === 'bigint') {
    const ok = BigInt(a as bigint) === BigInt(e as bigint);
    return { ok, abs: ok ? 0 : Math.abs(Number(a) - Number(e)) };
  }
  if (typeof e === 'boolean' || typeof a === 'boolean') return { ok: Boolean(a) === Boolean(e), abs: Boolean(a) === Boolean(e) ? 0 : 1 };
  const x = Number(a);
  const y = Number(e);
  if (Number.isNaN(y)) return { ok: Number.isNaN(x), abs: Number.isNaN(x) ? 0 : Infinity };
  if (Number.isNaN(x)) return { ok: false, abs: Infinity };
  if (!Number.isFinite(y) || !Number.isFinite(x)) return { ok: x === y, abs: x === y ? 0 : Infinity };
  const abs = Math.abs(x - y);
  return { ok: abs <= tol.atol + tol.rtol * Math.abs(y), abs };
}

export function compareTensors(actual: ComparableTensor, expected: ComparableTensor, tol: Tolerance = DEFAULT_TOLERANCE): TensorComparison {
  const fail = (message: string): TensorComparison => ({ ok: false, message, mismatches: 1, maxAbsError: Infinity, worstIndex: -1 });
  if (actual.type !== expected.type) return fail(`element type ${actual.type}, expected ${expected.type}`);
  if (actual.dims.length !== expected.dims.length || actual.dims.some((d, i) => d !== expected.dims[i])) {
    return fail(`shape [${actual.dims.join(',')}], expected [${expected.dims.join(',')}]`);
  }
  if (actual.data.length !== expected.data.length) return fail(`${actual.data.length} elements, expected ${expected.data.length}`);
  let mismatches = 0;
  let maxAbsError = 0;
  let worstIndex = -1;
  let first = -1;
  for (let i = 0; i < expected.data.length; i++) {
    const r = scalarError(valueAt(actual, i), valueAt(expected, i), tol);
    if (!r.ok) {
      mismatches++;
      if (first < 0) first = i;
    }
    if (r.abs > maxAbsError || (!r.ok && worstIndex < 0)) { maxAbsError = Math.max(maxAbsError, r.abs); worstIndex = i; }
  }
  const message = mismatches === 0 ? 'ok'
    : `${mismatches} of ${expected.data.length} elements differ; first at index ${first}: got ${String(valueAt(actual, first))}, expected ${String(valueAt(expected, first))}`;
  return { ok: mismatches === 0, message, mismatches, maxAbsError, worstIndex };
}
