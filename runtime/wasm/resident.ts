// Constant operands kept in the WebAssembly kernels' memory for the module's
// lifetime, each packed once into the layout a kernel reads (see kernels.ts
// `reserve`). A kernel fed such an operand copies nothing per call.
//
// Keys: the operand's storage array (a constant's, runtime/tensor/constant-data.ts:
// its contents never change), the layout, and the operand's description within the
// array (offset, strides, extent), since one array can feed several products (e.g.
// the gate blocks of a recurrent weight).

import type { WasmKernels } from './kernels.js';

/** An operand's description: element (p, j) is at off + p·rs + j·cs, p < rows, j < cols. */
export interface OperandView {
  readonly off: number; readonly rs: number; readonly cs: number;
  readonly rows: number; readonly cols: number;
}

interface ResidentEntry extends OperandView {
  readonly layout: string;
  /** Float offset relative to the kernels' residentBase(). */
  readonly rel: number;
}

const residents = new WeakMap<object, ResidentEntry[]>();

/** Writes the operand, in some kernel's layout, as `floats` floats at float `dst` of `mem`. */
export type Packer = (mem: Float32Array, dst: number, src: ArrayLike<number>, v: OperandView) => void;

/**
 * The resident block holding the operand of `src` at (off, rs, cs, rows, cols) packed
 * by `pack` (`floats` floats, named `layout`), packed on first use; its float offset
 * relative to residentBase(), or null when the kernels' memory cannot grow. Scalars
 * rather than an OperandView: this runs per call and must not allocate.
 */
export function residentOperand(
  k: WasmKernels, src: Float32Array, off: number, rs: number, cs: number, rows: number, cols: number,
  layout: string, floats: number, pack: Packer,
): number | null {
  let list = residents.get(src);
  if (list !== undefined) {
    for (const e of list) {
      if (e.layout === layout && e.off === off && e.rs === rs && e.cs === cs && e.rows === rows && e.cols === cols) return e.rel;
    }
  } else {
    list = [];
    residents.set(src, list);
  }
  const rel = k.reserve(floats);
  if (rel === null) return null;
  const mem = k.scratch(0);
  if (mem === null) return null;
  const entry: ResidentEntry = { off, rs, cs, rows, cols, layout, rel };
  pack(mem, k.residentBase() + rel, src, entry);
  list.push(entry);
  return rel;
}
