// PFA library, family "fixed" (specification §20.1): conversions between fixed (named,
// fixed-size) and bytes. Both are Uint8Array in memory; results are new arrays.

import type { LibFunction, LibImpl } from '../types.js';

export const toBytes: LibFunction = {
  name: 'fixed.toBytes',
  sigs: [{ params: [{ name: 'x', type: { type: 'fixed', label: 'A' } }], ret: 'bytes' }],
  make: () => (x: Uint8Array) => x.slice(),
};

export const fromBytes: LibFunction = {
  name: 'fixed.fromBytes',
  sigs: [{ params: [{ name: 'original', type: { type: 'fixed', label: 'A' } }, { name: 'replacement', type: 'bytes' }], ret: { ref: 'A' } }],
  make(): LibImpl {
    // Overlay: bytes beyond the replacement come from the original; excess bytes are dropped.
    return (original: Uint8Array, replacement: Uint8Array) => {
      const out = original.slice();
      out.set(replacement.length > out.length ? replacement.subarray(0, out.length) : replacement);
      return out;
    };
  },
};
