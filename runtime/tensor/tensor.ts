// The runtime's tensor value and the per-node buffer context.
// Everything under runtime/ is dependency-free: generated modules bundle it,
// and the compiler's constant folder calls the very same kernels.

/** Element types the runtime computes with (ONNX names in lower case). */
export type DType =
  | 'float32' | 'float64' | 'float16'
  | 'int8' | 'uint8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'uint64'
  | 'bool' | 'string'
  | LowpFloatType | LowpIntType;

/**
 * Low-precision floats (runtime/tensor/lowp.ts): held as a Float32Array of values
 * already rounded to the type, like float16; `invoke` rounds every kernel output.
 */
export type LowpFloatType =
  | 'bfloat16' | 'float8e4m3fn' | 'float8e4m3fnuz' | 'float8e5m2' | 'float8e5m2fnuz' | 'float8e8m0' | 'float4e2m1';
/** Sub-byte integers: int4/int2 held as Int8Array, uint4/uint2 as Uint8Array of element values. */
export type LowpIntType = 'int4' | 'uint4' | 'int2' | 'uint2';

export type NumericArray =
  | Float32Array | Float64Array
  | Int8Array | Uint8Array | Int16Array | Uint16Array | Int32Array | Uint32Array;
export type BigArray = BigInt64Array | BigUint64Array;
export type TensorData = NumericArray | BigArray | string[];

/**
 * A tensor inside generated code. `data` is row-major.
 * Internal representation (boundaries convert, see runtime/io/feeds.ts):
 * float16 is held as a Float32Array of values already rounded to float16, and so
 * are bfloat16, the float8 types and float4e2m1 (rounded to their own type);
 * int4/int2 as Int8Array and uint4/uint2 as Uint8Array of element values (one per entry);
 * int64/uint64 as BigInt64Array/BigUint64Array; bool as Uint8Array of 0/1.
 */
export interface Tensor {
  type: DType;
  dims: number[];
  data: TensorData;
}

export const FLOAT_TYPES: readonly DType[] = ['float32', 'float64', 'float16'];
export const INT_TYPES: readonly DType[] = ['int8', 'uint8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'uint64'];
export const NUMERIC_TYPES: readonly DType[] = [...FLOAT_TYPES, ...INT_TYPES];
export const ALL_TYPES: readonly DType[] = [...NUMERIC_TYPES, 'bool', 'string'];
// The low-precision types are listed apart: FLOAT_TYPES, NUMERIC_TYPES and ALL_TYPES
// stay as they were, so an op claims them only when its entry names these lists.
export const LOWP_FLOAT_TYPES: readonly LowpFloatType[] = [
  'bfloat16', 'float8e4m3fn', 'float8e4m3fnuz', 'float8e5m2', 'float8e5m2fnuz', 'float8e8m0', 'float4e2m1',
];
export const LOWP_INT_TYPES: readonly LowpIntType[] = ['int4', 'uint4', 'int2', 'uint2'];
export const LOWP_TYPES: readonly DType[] = [...LOWP_FLOAT_TYPES, ...LOWP_INT_TYPES];
/** Every element type, the low-precision ones included (Cast, CastLike, type-agnostic ops). */
export const EVERY_TYPE: readonly DType[] = [...ALL_TYPES, ...LOWP_TYPES];

export function isBigType(t: DType): boolean {
  return t === 'int64' || t === 'uint64';
}
/** Floating-point element types: held as Float32Array/Float64Array of values (low-precision floats included). */
export function isFloatType(t: DType): boolean {
  return t === 'float32' || t === 'float64' || t === 'float16' || isLowpFloat(t);
}
export function isLowpFloat(t: DType): t is LowpFloatType {
  return t === 'bfloat16' || t === 'float8e4m3fn' || t === 'float8e4m3fnuz' || t === 'float8e5m2' || t === 'float8e5m2fnuz'
    || t === 'float8e8m0' || t === 'float4e2m1';
}
export function isLowpInt(t: DType): t is LowpIntType {
  return t === 'int4' || t === 'uint4' || t === 'int2' || t === 'uint2';
}

export function sizeOf(dims: readonly number[]): number {
  let n = 1;
  for (let i = 0; i < dims.length; i++) n *= dims[i];
  return n;
}

function sameDims(a: readonly number[], b: readonly number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Allocates zeroed storage for `n` elements of `type` in the internal representation. */
export function allocData(type: DType, n: number): TensorData {
  switch (type) {
    case 'float32': case 'float16': return new Float32Array(n);
    case 'bfloat16': case 'float8e4m3fn': case 'float8e4m3fnuz': case 'float8e5m2': case 'float8e5m2fnuz':
    case 'float8e8m0': case 'float4e2m1': return new Float32Array(n);
    case 'float64': return new Float64Array(n);
    case 'int8': case 'int4': case 'int2': return new Int8Array(n);
    case 'uint8': case 'bool': case 'uint4': case 'uint2': return new Uint8Array(n);
    case 'int16': return new Int16Array(n);
    case 'uint16': return new Uint16Array(n);
    case 'int32': return new Int32Array(n);
    case 'uint32': return new Uint32Array(n);
    case 'int64': return new BigInt64Array(n);
    case 'uint64': return new BigUint64Array(n);
    case 'string': return new Array<string>(n).fill('');
  }
}

/** Bytes per element of `type` in the internal representation (allocData); undefined for strings. */
export function elementBytes(type: DType): number | undefined {
  switch (type) {
    case 'float64': case 'int64': case 'uint64': return 8;
    case 'int8': case 'int4': case 'int2': case 'uint8': case 'bool': case 'uint4': case 'uint2': return 1;
    case 'int16': case 'uint16': return 2;
    case 'string': return undefined;
    default: return 4; // float32, int32, uint32, and float16/bfloat16/float8/float4 held as float32
  }
}

/** Storage for `n` elements of `type` over `buffer` at `byteOffset` (the internal representation, as allocData). */
export function dataOn(type: DType, buffer: ArrayBuffer, byteOffset: number, n: number): TensorData {
  switch (type) {
    case 'float64': return new Float64Array(buffer, byteOffset, n);
    case 'int8': case 'int4': case 'int2': return new Int8Array(buffer, byteOffset, n);
    case 'uint8': case 'bool': case 'uint4': case 'uint2': return new Uint8Array(buffer, byteOffset, n);
    case 'int16': return new Int16Array(buffer, byteOffset, n);
    case 'uint16': return new Uint16Array(buffer, byteOffset, n);
    case 'int32': return new Int32Array(buffer, byteOffset, n);
    case 'uint32': return new Uint32Array(buffer, byteOffset, n);
    case 'int64': return new BigInt64Array(buffer, byteOffset, n);
    case 'uint64': return new BigUint64Array(buffer, byteOffset, n);
    case 'string': throw new RuntimeError('MLR_ERR_KERNEL', 'string tensors cannot live in an arena');
    default: return new Float32Array(buffer, byteOffset, n);
  }
}

export function makeTensor(type: DType, dims: readonly number[], data?: TensorData): Tensor {
  return { type, dims: dims.slice(), data: data ?? allocData(type, sizeOf(dims)) };
}

export function cloneTensor(t: Tensor): Tensor {
  const data = Array.isArray(t.data) ? t.data.slice() : (t.data as NumericArray).slice();
  return { type: t.type, dims: t.dims.slice(), data };
}

/** Reads element i as a JS number (bigints converted; fine for indices and shapes). */
export function num(data: TensorData, i: number): number {
  return Number(data[i]);
}

/** The values of a (small) integer tensor as numbers: shapes, axes, indices. */
export function toNumbers(t: Tensor): number[] {
  const out = new Array<number>(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = Number(t.data[i]);
  return out;
}

/** Writes a JS number into a tensor of any numeric type, converting to bigint where needed. */
export function fromNumber(type: DType, v: number): number | bigint {
  if (type === 'int64') return BigInt.asIntN(64, BigInt(Math.trunc(v)));
  if (type === 'uint64') return BigInt.asUintN(64, BigInt(Math.trunc(v)));
  return v;
}

export class RuntimeError extends Error {
  readonly code: string;
  constructor(code: string, message: string) {
    super(message);
    this.code = code;
    this.name = 'RuntimeError';
  }
}

export function fail(message: string): never {
  throw new RuntimeError('MLR_ERR_KERNEL', message);
}

/**
 * Per-node buffer context. A node's outputs are reused from one call to the next
 * when their type and size are unchanged, so a model with static shapes allocates
 * nothing per call. Subgraph bodies (Loop/Scan/If) use `fresh` contexts, because a
 * value carried between iterations may be read by the node that produced it.
 */
export class NodeCtx {
  readonly out: Tensor[] = [];
  /** Whether out[k] holds a buffer alloc() created (views and set tensors belong to someone else). */
  private readonly owned: boolean[] = [];
  private readonly scratchBufs = new Map<string, TensorData>();
  /**
   * A kernel's plan from its previous call (e.g. a broadcast walk), which the kernel
   * reuses while whatever the plan depends on (input dims) is unchanged: static
   * shapes then cost no per-call planning. Only the node's own kernel reads it.
   */
  memo: unknown = undefined;
  /** Output storage assigned by the compile-time buffer plan (src/passes/buffer-plan.ts), by output index. */
  private readonly planned: (Tensor | undefined)[] = [];
  constructor(readonly name: string, readonly fresh = false) {}

  /**
   * Assigns output k the `length` elements of `type` at `byteOffset` in a shared arena.
   * Called once at module load by generated code; other values use the same bytes at
   * other times, so contents never survive from one call to the next.
   */
  plan(k: number, arena: ArrayBuffer, byteOffset: number, type: DType, length: number): void {
    if (this.fresh) throw new RuntimeError('MLR_ERR_KERNEL', `node ${JSON.stringify(this.name)}: region nodes cannot use the arena`);
    this.planned[k] = { type, dims: [length], data: dataOn(type, arena, byteOffset, length) };
  }

  /**
   * Output k with the given type and dims. Contents are unspecified: kernels write
   * every element (planned outputs hold whatever another value left in the arena).
   */
  alloc(k: number, type: DType, dims: readonly number[]): Tensor {
    const n = sizeOf(dims);
    const prev = this.out[k];
    if (!this.fresh && this.owned[k] && prev !== undefined && prev.type === type && prev.data.length === n) {
      // Dims arrays are replaced, never mutated in place: equal ones can stay (no allocation per call).
      if (!sameDims(prev.dims, dims)) prev.dims = dims.slice();
      return prev;
    }
    const p = this.planned[k];
    if (p !== undefined && p.type === type && p.data.length === n) {
      // Type and size as planned: the arena slice. Otherwise (shapes the plan did not foresee) a buffer of its own.
      if (!sameDims(p.dims, dims)) p.dims = dims.slice();
      this.out[k] = p;
      this.owned[k] = true;
      return p;
    }
    const t: Tensor = { type, dims: dims.slice(), data: allocData(type, n) };
    this.out[k] = t;
    this.owned[k] = true;
    return t;
  }

  /** Output k as a view on existing data (Reshape, Squeeze, Identity...). */
  view(k: number, type: DType, dims: readonly number[], data: TensorData): Tensor {
    const prev = this.out[k];
    if (!this.fresh && prev !== undefined && !this.owned[k]) {
      prev.type = type; prev.dims = dims.slice(); prev.data = data;
      return prev;
    }
    // Never repoint an owned tensor object at foreign data: its buffer would be lost
    // and a later alloc() would write into the view's source.
    const t: Tensor = { type, dims: dims.slice(), data };
    this.out[k] = t;
    this.owned[k] = false;
    return t;
  }

  /** Sets output k to an already-built tensor (kernels with data-dependent output). */
  set(k: number, t: Tensor): Tensor {
    this.out[k] = t;
    this.owned[k] = false;
    return t;
  }

  /** A kernel-private scratch buffer of at least n elements, kept between calls. */
  scratch(key: string, type: DType, n: number): TensorData {
    const prev = this.scratchBufs.get(key);
    if (!this.fresh && prev !== undefined && prev.length >= n) return prev;
    const d = allocData(type, n);
    this.scratchBufs.set(key, d);
    return d;
  }

  /** Declares how many outputs this call produced; returns the output list. */
  done(count: number): Tensor[] {
    // Setting `length` is a runtime call in V8 even when it changes nothing: only truncate.
    if (this.out.length !== count) this.out.length = count;
    if (this.owned.length !== count) this.owned.length = count;
    return this.out;
  }
}

/** A kernel: computes a node's outputs from its inputs (absent optional inputs are undefined). */
export type Kernel<A = unknown> = (ctx: NodeCtx, inputs: readonly (Tensor | undefined)[], attrs: A) => Tensor[];

export function strides(dims: readonly number[]): number[] {
  const s = new Array<number>(dims.length);
  let acc = 1;
  for (let i = dims.length - 1; i >= 0; i--) { s[i] = acc; acc *= dims[i]; }
  return s;
}

/** Normalises a possibly negative axis against rank r (throws when out of range). */
export function normAxis(axis: number, r: number): number {
  const a = axis < 0 ? axis + r : axis;
  if (a < 0 || a >= r) fail(`axis ${axis} is out of range for rank ${r}`);
  return a;
}
