// The reductions behind sumRows and convergenceDelta, in three interchangeable variants:
// AssemblyScript with SIMD, AssemblyScript scalar, and the plain-JS reference.
import { addIntoReference, convergenceDeltaReference, rowSumsReference } from './reference.js';

/**
 * Which build of the reduction kernels runs: AssemblyScript with SIMD, AssemblyScript scalar, or the plain-JS reference.
 *
 * @example
 * const variant: KernelVariant = (await kernelStatus()).variant; // 'simd' where the runtime validates WebAssembly SIMD
 */
export type KernelVariant = 'simd' | 'scalar' | 'js';

/** Row data as read back from a tensor: float32 or int32 (bool data is widened to int32 first). */
export type RowData = Float32Array | Int32Array;

export interface Kernels {
  readonly variant: KernelVariant;
  /** Per-row sums of row-major `[rows, cols]` data, in f64. */
  rowSums(data: RowData, rows: number, cols: number): Float64Array;
  /** `dst[i] += src[i]`. */
  addInto(dst: Float64Array, src: Float64Array): void;
  /** `attributionTotal[i] - (endSums[i] - startSums[i])`. */
  convergenceDelta(attributionTotal: Float64Array, endSums: Float64Array, startSums: Float64Array): Float64Array;
}

export const referenceKernels: Kernels = {
  variant: 'js',
  rowSums: rowSumsReference,
  addInto: addIntoReference,
  convergenceDelta: convergenceDeltaReference,
};

interface KernelExports {
  readonly memory: WebAssembly.Memory;
  heapBase(): number;
  rowSumsF32(src: number, rows: number, cols: number, dst: number): void;
  rowSumsI32(src: number, rows: number, cols: number, dst: number): void;
  addInto(dst: number, src: number, n: number): void;
  convergenceDelta(attributionTotal: number, endSums: number, startSums: number, n: number, dst: number): void;
}

const PAGE = 65536;
/** Rows are summed in chunks of at most this many input bytes, so memory stays bounded. */
const CHUNK_BYTES = 32 * 1024 * 1024;
const align16 = (n: number): number => Math.ceil(n / 16) * 16;

/**
 * Kernels over one instance of the AssemblyScript module. JavaScript owns its memory: each call
 * copies its inputs in from `heapBase()`, runs, and copies the f64 results out before returning.
 * Every call is synchronous, so concurrent async callers can never interleave inside one.
 */
export function wasmKernels(instance: WebAssembly.Instance, variant: 'simd' | 'scalar'): Kernels {
  const k = instance.exports as unknown as KernelExports;
  const base = k.heapBase();
  const reserve = (bytes: number): void => {
    const missing = base + bytes - k.memory.buffer.byteLength;
    if (missing > 0) k.memory.grow(Math.ceil(missing / PAGE));
  };
  const f64In = (at: number, values: Float64Array): void => new Float64Array(k.memory.buffer, at, values.length).set(values);
  const f64Out = (at: number, n: number): Float64Array => new Float64Array(k.memory.buffer, at, n).slice();

  return {
    variant,
    rowSums(data, rows, cols) {
      const sums = new Float64Array(rows);
      if (rows === 0) return sums;
      const kernel = data instanceof Int32Array ? k.rowSumsI32 : k.rowSumsF32;
      const chunkRows = Math.max(1, Math.floor(CHUNK_BYTES / Math.max(1, cols * 4)));
      for (let first = 0; first < rows; first += chunkRows) {
        const count = Math.min(chunkRows, rows - first);
        const inputBytes = align16(count * cols * 4);
        reserve(inputBytes + count * 8);
        const view = data instanceof Int32Array ? new Int32Array(k.memory.buffer, base, count * cols) : new Float32Array(k.memory.buffer, base, count * cols);
        view.set(data.subarray(first * cols, (first + count) * cols));
        kernel(base, count, cols, base + inputBytes);
        sums.set(new Float64Array(k.memory.buffer, base + inputBytes, count), first);
      }
      return sums;
    },
    addInto(dst, src) {
      const bytes = align16(dst.length * 8);
      reserve(2 * bytes);
      f64In(base, dst);
      f64In(base + bytes, src);
      k.addInto(base, base + bytes, dst.length);
      dst.set(new Float64Array(k.memory.buffer, base, dst.length));
    },
    convergenceDelta(attributionTotal, endSums, startSums) {
      const n = attributionTotal.length;
      const bytes = align16(n * 8);
      reserve(4 * bytes);
      f64In(base, attributionTotal);
      f64In(base + bytes, endSums);
      f64In(base + 2 * bytes, startSums);
      k.convergenceDelta(base, base + bytes, base + 2 * bytes, n, base + 3 * bytes);
      return f64Out(base + 3 * bytes, n);
    },
  };
}
