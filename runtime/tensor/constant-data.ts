// Which typed arrays hold a model's constants (initializers and values folded at
// compile time, decoded once at module load by constTensor). Kernels may keep a
// derived form of such an array for the module's lifetime — e.g. a weight matrix
// packed into the WebAssembly kernels' memory — because its contents never change.
// Activations are different: a node's output buffer is reused with new contents on
// every call, so nothing derived from it may be cached by identity.
//
// Weak references: a module's constants live as long as the module does.

const constants = new WeakSet<object>();

/** Records that `data` is a constant's storage (never written after this call). */
export function markConstant(data: object): void {
  constants.add(data);
}

/** Whether `data` is a constant's storage, so anything derived from it may be cached. */
export function isConstantData(data: object): boolean {
  return constants.has(data);
}
