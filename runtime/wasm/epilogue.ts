// The epilogue of a fused convolution or matrix product (the `FusedConv` node that
// src/passes/fuse-conv.ts builds): bias, an optional residual sum and an activation,
// applied to each output row in the loop that writes it (the copy out of the
// WebAssembly kernels' memory, or one in-place pass after the JavaScript kernels),
// instead of a separate pass over the whole tensor for each op.
//
// Order, as in the unfused graph: Y = act(conv(X, W) + bias + residual). Each
// activation uses the same formula as its standalone kernel in
// runtime/tensor/activation.ts, NaN handling included.

/** Activations that can run in a fused epilogue (names as in ONNX, camelCase). */
export const FUSED_ACTIVATIONS = ['none', 'relu', 'leakyRelu', 'clip', 'sigmoid', 'hardSigmoid', 'hardSwish'] as const;
export type FusedActivation = (typeof FUSED_ACTIVATIONS)[number];

export interface Epilogue {
  /** One value per output channel (row), or null. */
  readonly bias: ArrayLike<number> | null;
  /** Added elementwise before the activation; laid out exactly like the output (same index). */
  readonly residual: ArrayLike<number> | null;
  readonly activation: FusedActivation;
  /** leakyRelu: alpha; clip: min; hardSigmoid: alpha. */
  readonly alpha: number;
  /** clip: max; hardSigmoid: beta. */
  readonly beta: number;
}

/** Per node (its attrs object, a module constant): the activation as an epilogue, built once. */
const activationEpilogues = new WeakMap<object, Epilogue>();

/** The epilogue applying a fused node's activation (no bias, no residual), cached per attrs object. */
export function activationEpilogue(attrs: { readonly activation: FusedActivation; readonly activationParams: readonly number[] }): Epilogue {
  let ep = activationEpilogues.get(attrs);
  if (ep === undefined) {
    const p = attrs.activationParams;
    ep = { bias: null, residual: null, activation: attrs.activation, alpha: p.length > 0 ? p[0] : 0, beta: p.length > 1 ? p[1] : 0 };
    activationEpilogues.set(attrs, ep);
  }
  return ep;
}

/** An epilogue that does nothing: plain copies. */
export const NO_EPILOGUE: Epilogue = { bias: null, residual: null, activation: 'none', alpha: 0, beta: 0 };

export function isTrivialEpilogue(ep: Epilogue): boolean {
  return ep.bias === null && ep.residual === null && ep.activation === 'none';
}

/** True when the SIMD `epilogue` kernel (kernels.wat) implements this epilogue's activation. */
/**
 * True when the SGEMM kernel can apply this activation after a per-column bias
 * (sgemmFinish's `columnBias`): the clamp family, without row bias or residual.
 */
export function columnEpilogueOnWasm(ep: Epilogue): boolean {
  return ep.bias === null && ep.residual === null && (ep.activation === 'none' || ep.activation === 'relu' || ep.activation === 'clip');
}

export function epilogueOnWasm(ep: Epilogue): boolean {
  return ep.activation === 'none' || ep.activation === 'relu' || ep.activation === 'clip' || ep.activation === 'leakyRelu';
}

/** The SIMD kernel's mode: 0 clamps to [p0, p1], 1 is leaky relu with slope p0. */
export function epilogueMode(ep: Epilogue): number {
  return ep.activation === 'leakyRelu' ? 1 : 0;
}

export function epilogueP0(ep: Epilogue): number {
  return ep.activation === 'relu' ? 0 : ep.activation === 'clip' || ep.activation === 'leakyRelu' ? ep.alpha : -Infinity;
}

export function epilogueP1(ep: Epilogue): number {
  return ep.activation === 'clip' ? ep.beta : Infinity;
}

/**
 * dst[d + j] = act(src[s + j] + bias[row] + residual[d + j]) for j < n. `src` and
 * `dst` may be the same array at the same offset (in place). One loop per activation
 * keeps each loop monomorphic and free of per-element branching on the kind.
 */
export function finishRow(
  ep: Epilogue, row: number,
  src: ArrayLike<number>, s: number,
  dst: Float32Array | Float64Array, d: number, n: number,
): void {
  const b = ep.bias === null ? 0 : ep.bias[row];
  const r = ep.residual;
  const off = s - d;
  const end = d + n;
  switch (ep.activation) {
    case 'none':
      if (r === null) for (let i = d; i < end; i++) dst[i] = src[i + off] + b;
      else for (let i = d; i < end; i++) dst[i] = src[i + off] + b + r[i];
      return;
    case 'relu':
      if (r === null) for (let i = d; i < end; i++) { const v = src[i + off] + b; dst[i] = v < 0 ? 0 : v; }
      else for (let i = d; i < end; i++) { const v = src[i + off] + b + r[i]; dst[i] = v < 0 ? 0 : v; }
      return;
    case 'leakyRelu': {
      const a = ep.alpha;
      for (let i = d; i < end; i++) { const v = src[i + off] + b + (r === null ? 0 : r[i]); dst[i] = v < 0 ? a * v : v; }
      return;
    }
    case 'clip': {
      const lo = ep.alpha, hi = ep.beta;
      if (r === null) for (let i = d; i < end; i++) dst[i] = Math.min(Math.max(src[i + off] + b, lo), hi);
      else for (let i = d; i < end; i++) dst[i] = Math.min(Math.max(src[i + off] + b + r[i], lo), hi);
      return;
    }
    case 'sigmoid':
      for (let i = d; i < end; i++) dst[i] = sigmoidOf(src[i + off] + b + (r === null ? 0 : r[i]));
      return;
    case 'hardSigmoid': {
      const a = ep.alpha, c = ep.beta;
      for (let i = d; i < end; i++) dst[i] = Math.max(0, Math.min(1, a * (src[i + off] + b + (r === null ? 0 : r[i])) + c));
      return;
    }
    case 'hardSwish':
      for (let i = d; i < end; i++) { const v = src[i + off] + b + (r === null ? 0 : r[i]); dst[i] = v * Math.max(0, Math.min(1, v / 6 + 0.5)); }
      return;
  }
}

/** The logistic function without overflow (as runtime/tensor/activation.ts). */
function sigmoidOf(v: number): number {
  if (v >= 0) return 1 / (1 + Math.exp(-v));
  const e = Math.exp(v);
  return e / (1 + e);
}
