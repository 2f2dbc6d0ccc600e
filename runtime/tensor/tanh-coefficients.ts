// The rational minimax approximation of tanh that onnxruntime (MLAS) and Eigen use
// for float tanh, p(x)/q(x) with odd p of degree 13 and even q of degree 6, valid on
// |x| < TANH_RANGE. One set of numbers for the JavaScript kernel (tanhF32 in
// recurrent.ts) and the WebAssembly one (recurrent.wat, given them by
// runtime/wasm/recurrent-steps.ts), so the two cannot drift apart.

export const TANH_RANGE = 7.90531110763549805;
/** p's coefficients of x, x³, …, x¹³. */
export const TANH_P = [4.89352455891786e-3, 6.37261928875436e-4, 1.48572235717979e-5, 5.12229709037114e-8, -8.60467152213735e-11, 2.00018790482477e-13, -2.76076847742355e-16] as const;
/** q's coefficients of 1, x², x⁴, x⁶. */
export const TANH_Q = [4.89352518554385e-3, 2.268434632439e-3, 1.18534705686654e-4, 1.19825839466702e-6] as const;
