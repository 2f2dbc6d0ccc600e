// Score post-transforms of the ai.onnx.ml model operators (post_transform):
// NONE, SOFTMAX, LOGISTIC, SOFTMAX_ZERO and PROBIT, applied in place to one row of
// scores held in a Float64Array. Codes are TreeEnsemble-5's integer encoding; the
// older operators' strings are mapped to them at compile time.
//
// Computed in float64 (onnxruntime uses float32; results agree to float32 rounding).
// PROBIT is defined by the ONNX reference implementation and onnxruntime alike with
// Winitzki's closed-form approximation of erf⁻¹ (a = 0.147), not the exact inverse
// normal CDF; the same formula is used here so that models score as there.

export const POST_NONE = 0;
export const POST_SOFTMAX = 1;
export const POST_LOGISTIC = 2;
export const POST_SOFTMAX_ZERO = 3;
export const POST_PROBIT = 4;

/** Logistic function without overflow for large |x|. */
export function logistic(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

/** erf⁻¹ by Winitzki's approximation, as the ONNX reference and onnxruntime define it. */
function erfInv(x: number): number {
  const sgn = x < 0 ? -1 : 1;
  const w = (1 - x) * (1 + x);
  const log = Math.log(w);
  const v = 2 / (Math.PI * 0.147) + 0.5 * log;
  const v2 = (1 / 0.147) * log;
  return sgn * Math.sqrt(-v + Math.sqrt(v * v - v2));
}

export function probit(p: number): number {
  return Math.SQRT2 * erfInv(2 * p - 1);
}

function softmax(s: Float64Array, off: number, k: number): void {
  let max = -Infinity;
  for (let i = off; i < off + k; i++) if (s[i] > max) max = s[i];
  let sum = 0;
  for (let i = off; i < off + k; i++) { const e = Math.exp(s[i] - max); s[i] = e; sum += e; }
  for (let i = off; i < off + k; i++) s[i] /= sum;
}

/**
 * Softmax that leaves (near-)zero scores out: they count as absent classes. As in
 * onnxruntime, a score within 1e-7 of zero becomes score·e^-max and is not summed.
 */
function softmaxZero(s: Float64Array, off: number, k: number): void {
  let max = -Infinity;
  for (let i = off; i < off + k; i++) if (s[i] > max) max = s[i];
  const expNegMax = Math.exp(-max);
  let sum = 0;
  for (let i = off; i < off + k; i++) {
    const v = s[i];
    if (v > 1e-7 || v < -1e-7) { const e = Math.exp(v - max); s[i] = e; sum += e; } else s[i] = v * expNegMax;
  }
  for (let i = off; i < off + k; i++) s[i] /= sum;
}

/** Applies post-transform `code` to s[off .. off+k). */
export function postTransform(code: number, s: Float64Array, off: number, k: number): void {
  switch (code) {
    case POST_SOFTMAX: softmax(s, off, k); return;
    case POST_LOGISTIC: for (let i = off; i < off + k; i++) s[i] = logistic(s[i]); return;
    case POST_SOFTMAX_ZERO: softmaxZero(s, off, k); return;
    case POST_PROBIT: for (let i = off; i < off + k; i++) s[i] = probit(s[i]); return;
    default: return;
  }
}

/** The integer code of a post_transform string (TreeEnsembleClassifier, LinearRegressor...); -1 if unknown. */
export function postTransformCode(name: string): number {
  return ['NONE', 'SOFTMAX', 'LOGISTIC', 'SOFTMAX_ZERO', 'PROBIT'].indexOf(name);
}
