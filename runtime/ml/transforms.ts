// ai.onnx.ml numeric preprocessing kernels: Scaler, Normalizer, Binarizer, Imputer,
// FeatureVectorizer and ArrayFeatureExtractor. Registry: src/frontends/onnx/ops/ml-transforms.ts.
//
// Features are the last axis ([N, F] in the ONNX documents; [F] is one row).
// Scaler and Normalizer produce float32 and follow onnxruntime's arithmetic, float32
// throughout (but Scaler on float64 input, computed in float64): every intermediate is
// rounded with Math.fround, so results are bit-identical to it (float32 +, -, *, / and
// sqrt done in float64 then rounded once are correctly rounded).

import { fail, isBigType, sizeOf, type NodeCtx, type NumericArray, type Tensor } from '../tensor/tensor.js';

type Inputs = readonly (Tensor | undefined)[];

const fround = Math.fround;

/** The elements as JS numbers (int64 converted). */
function numbersOf(t: Tensor): NumericArray | number[] {
  if (!isBigType(t.type)) return t.data as NumericArray;
  const src = t.data as BigInt64Array;
  const out = new Array<number>(src.length);
  for (let i = 0; i < src.length; i++) out[i] = Number(src[i]);
  return out;
}

/** [rows, features] of a tensor whose last axis holds the features (a scalar is one feature). */
function rowsAndFeatures(dims: readonly number[]): [number, number] {
  if (dims.length === 0) return [1, 1];
  const f = dims[dims.length - 1];
  return [f === 0 ? 0 : sizeOf(dims) / f, f];
}

/** A per-feature attribute of length 1 or F, expanded to F values. */
function perFeature(values: readonly number[], f: number, what: string): ArrayLike<number> {
  if (values.length === f) return values;
  if (values.length === 1) return new Array<number>(f).fill(values[0]);
  return fail(`${what} has ${values.length} values; it must have 1 or one per feature (${f})`);
}

// ------------------------------------------------------------------- Scaler

export interface ScalerAttrs {
  readonly offset: readonly number[];
  readonly scale: readonly number[];
}

/**
 * Scaler: y = (x - offset) * scale, as float32. float32 and integer inputs are
 * computed in float32 (integers converted to float32 first), float64 in float64.
 */
export function scaler(ctx: NodeCtx, inputs: Inputs, attrs: ScalerAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const [rows, f] = rowsAndFeatures(x.dims);
  const off = perFeature(attrs.offset, f, 'Scaler offset');
  const sc = perFeature(attrs.scale, f, 'Scaler scale');
  const y = ctx.alloc(0, 'float32', x.dims).data as Float32Array;
  if (x.type === 'float64') {
    const xd = x.data as Float64Array;
    for (let r = 0, i = 0; r < rows; r++) {
      for (let j = 0; j < f; j++, i++) y[i] = (xd[i] - off[j]) * sc[j];
    }
  } else if (x.type === 'float32') {
    const xd = x.data as Float32Array;
    for (let r = 0, i = 0; r < rows; r++) {
      for (let j = 0; j < f; j++, i++) y[i] = fround(xd[i] - off[j]) * sc[j];
    }
  } else {
    const xd = numbersOf(x);
    for (let r = 0, i = 0; r < rows; r++) {
      for (let j = 0; j < f; j++, i++) y[i] = fround(fround(xd[i]) - off[j]) * sc[j];
    }
  }
  return ctx.done(1);
}

// --------------------------------------------------------------- Normalizer

export interface NormalizerAttrs {
  readonly norm: 'MAX' | 'L1' | 'L2';
}

/**
 * Normalizer, per row of the last axis, in float32 as onnxruntime computes it:
 * MAX divides by the row's largest value, L1 by the sum of absolute values, L2 by
 * the Euclidean norm. A zero divisor leaves the row unchanged.
 */
export function normalizer(ctx: NodeCtx, inputs: Inputs, attrs: NormalizerAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const [rows, f] = rowsAndFeatures(x.dims);
  const xd = numbersOf(x);
  const y = ctx.alloc(0, 'float32', x.dims).data as Float32Array;
  const wide = x.type !== 'float32';
  for (let r = 0, base = 0; r < rows; r++, base += f) {
    const end = base + f;
    if (attrs.norm === 'MAX') {
      let max = -3.4028234663852886e38; // lowest float32; NaN elements are skipped, as std::max does
      for (let i = base; i < end; i++) {
        const v = wide ? fround(xd[i]) : xd[i];
        if (max < v) max = v;
      }
      for (let i = base; i < end; i++) {
        const v = wide ? fround(xd[i]) : xd[i];
        y[i] = max !== 0 ? v / max : v;
      }
    } else if (attrs.norm === 'L1') {
      let sum = 0;
      for (let i = base; i < end; i++) sum = fround(sum + fround(Math.abs(xd[i])));
      for (let i = base; i < end; i++) {
        const v = wide ? fround(xd[i]) : xd[i];
        y[i] = sum !== 0 ? v / sum : v;
      }
    } else {
      let sum = 0;
      for (let i = base; i < end; i++) {
        const v = xd[i];
        const sq = fround(v * v);
        y[i] = sq;
        sum = fround(sum + sq);
      }
      for (let i = base; i < end; i++) {
        const v = xd[i];
        if (sum !== 0) {
          const s = Math.sqrt(fround(y[i] / sum));
          y[i] = v < 0 ? -s : s;
        } else {
          y[i] = v;
        }
      }
    }
  }
  return ctx.done(1);
}

// ---------------------------------------------------------------- Binarizer

/** Binarizer: 1 where x > threshold, else 0 (NaN gives 0); same type as the input. */
export function binarizer(ctx: NodeCtx, inputs: Inputs, attrs: { threshold: number }): Tensor[] {
  const x = inputs[0] as Tensor;
  const out = ctx.alloc(0, x.type, x.dims);
  const t = attrs.threshold;
  if (isBigType(x.type)) {
    const xd = x.data as BigInt64Array, y = out.data as BigInt64Array;
    for (let i = 0; i < xd.length; i++) y[i] = Number(xd[i]) > t ? 1n : 0n;
  } else {
    const xd = x.data as NumericArray, y = out.data as NumericArray;
    for (let i = 0; i < xd.length; i++) y[i] = xd[i] > t ? 1 : 0;
  }
  return ctx.done(1);
}

// ------------------------------------------------------------------ Imputer

export interface ImputerAttrs {
  /** imputed_value_floats (may be empty). */
  readonly floats: readonly number[];
  /** imputed_value_int64s (may be empty). */
  readonly ints: readonly number[];
  readonly replacedFloat: number;
  readonly replacedInt: number;
}

/**
 * Imputer: elements equal to the replaced value (NaN matches NaN) become the imputed
 * value of their feature (one value per feature, or one for all). Float tensors use
 * imputed_value_floats and replaced_value_float, integer tensors the int64 pair;
 * when only the other list is given, it is used with its own replaced value.
 */
/** The int64 replaced value and imputed values of a model, converted once (BigInts are slow to make per call). */
interface BigImputation { readonly f: number; readonly rep: bigint | null; readonly impBig: readonly bigint[] }
const bigImputations = new WeakMap<ImputerAttrs, BigImputation>();

function bigImputation(attrs: ImputerAttrs, imp: ArrayLike<number>, replaced: number): BigImputation {
  let b = bigImputations.get(attrs);
  if (b === undefined || b.f !== imp.length) {
    b = {
      f: imp.length,
      // Integer tensors cannot hold NaN, and only an integral replaced value can match.
      rep: Number.isInteger(replaced) ? BigInt(replaced) : null,
      impBig: Array.from(imp, (v) => BigInt.asIntN(64, BigInt(Math.trunc(v)))),
    };
    bigImputations.set(attrs, b);
  }
  return b;
}

export function imputer(ctx: NodeCtx, inputs: Inputs, attrs: ImputerAttrs): Tensor[] {
  const x = inputs[0] as Tensor;
  const floatInput = x.type === 'float32' || x.type === 'float64';
  const useFloats = floatInput ? attrs.floats.length > 0 || attrs.ints.length === 0 : attrs.ints.length === 0;
  const values = useFloats ? attrs.floats : attrs.ints;
  const replaced = useFloats ? attrs.replacedFloat : attrs.replacedInt;
  if (values.length === 0) fail('Imputer has no imputed values');
  const [rows, f] = rowsAndFeatures(x.dims);
  const imp = perFeature(values, f, 'Imputer imputed values');
  const out = ctx.alloc(0, x.type, x.dims);
  if (isBigType(x.type)) {
    const xd = x.data as BigInt64Array, y = out.data as BigInt64Array;
    const { rep, impBig } = bigImputation(attrs, imp, replaced);
    for (let r = 0, i = 0; r < rows; r++) {
      for (let j = 0; j < f; j++, i++) { const v = xd[i]; y[i] = v === rep ? impBig[j] : v; }
    }
  } else {
    const xd = x.data as NumericArray, y = out.data as NumericArray;
    // float32 data holds float32 values: compare with the replaced value as float32.
    const rep = x.type === 'float32' ? fround(replaced) : replaced;
    const nan = rep !== rep;
    for (let r = 0, i = 0; r < rows; r++) {
      for (let j = 0; j < f; j++, i++) {
        const v = xd[i];
        y[i] = v === rep || (nan && v !== v) ? imp[j] : v;
      }
    }
  }
  return ctx.done(1);
}

// -------------------------------------------------------- FeatureVectorizer

/**
 * FeatureVectorizer: concatenates inputs along the feature axis into float32
 * [N, sum(inputdimensions)]. A rank-1 input is one row; an input of rank > 2 has
 * its trailing axes flattened. Each input contributes exactly its declared number of
 * columns: extra values are dropped, missing ones are zeros.
 */
export function featureVectorizer(ctx: NodeCtx, inputs: Inputs, attrs: { inputdimensions: readonly number[] }): Tensor[] {
  const sizes = attrs.inputdimensions;
  if (inputs.length !== sizes.length) fail(`FeatureVectorizer has ${inputs.length} inputs but ${sizes.length} inputdimensions`);
  const first = inputs[0] as Tensor;
  const n = first.dims.length <= 1 ? 1 : first.dims[0];
  let total = 0;
  for (const s of sizes) total += s;
  const y = ctx.alloc(0, 'float32', [n, total]).data as Float32Array;
  let offset = 0;
  for (let k = 0; k < inputs.length; k++) {
    const t = inputs[k] as Tensor;
    const rows = t.dims.length <= 1 ? 1 : t.dims[0];
    if (rows !== n) fail(`FeatureVectorizer input ${k} has ${rows} rows, input 0 has ${n}`);
    const width = t.dims.length === 0 ? 1 : t.dims.length === 1 ? t.dims[0] : sizeOf(t.dims.slice(1));
    const want = sizes[k];
    const copy = Math.min(width, want);
    const xd = numbersOf(t);
    for (let r = 0; r < n; r++) {
      const src = r * width, dst = r * total + offset;
      for (let j = 0; j < copy; j++) y[dst + j] = xd[src + j];
      for (let j = copy; j < want; j++) y[dst + j] = 0;
    }
    offset += want;
  }
  return ctx.done(1);
}

// ---------------------------------------------------- ArrayFeatureExtractor

/**
 * ArrayFeatureExtractor: picks the given indices (any shape, flattened) along the last
 * axis. A rank-1 input gives [1, k], as onnxruntime does; otherwise the last axis
 * becomes k.
 */
export function arrayFeatureExtractor(ctx: NodeCtx, inputs: Inputs): Tensor[] {
  const x = inputs[0] as Tensor, idx = inputs[1] as Tensor;
  if (x.dims.length === 0) fail('ArrayFeatureExtractor input X must have at least one dimension');
  const stride = x.dims[x.dims.length - 1];
  const k = idx.data.length;
  // Per-call work kept small: the indices go to a kept scratch buffer, the dims are built without spreads.
  const pick = ctx.scratch('ml.pick', 'int32', k) as Int32Array;
  for (let j = 0; j < k; j++) {
    const v = Number(idx.data[j]);
    if (!(v >= 0 && v < stride)) fail(`index ${v} is out of range for a last dimension of ${stride}`);
    pick[j] = v;
  }
  const r = x.dims.length;
  const outDims = r === 1 ? [1, k] : x.dims.slice(0, r);
  outDims[outDims.length - 1] = k;
  const out = ctx.alloc(0, x.type, outDims);
  const rows = stride === 0 ? sizeOf(x.dims.slice(0, -1)) : x.data.length / stride;
  const xd = x.data as ArrayLike<unknown>, yd = out.data as unknown as unknown[];
  for (let r = 0, o = 0, base = 0; r < rows; r++, base += stride) {
    for (let j = 0; j < k; j++) yd[o++] = xd[base + pick[j]];
  }
  return ctx.done(1);
}
