// Float32 row sums through the copying kernels in bounded pieces: the kernel module's own memory is
// never grown past about CHUNK_ELEMENTS * 4 bytes, however long a row is, and the data is copied once
// (into a block small enough to stay in cache while it is summed). A row longer than a piece is summed
// piece by piece and the f64 partial sums are added in order.
import type { Kernels } from './kernels.js';

/** 256 Ki float32 values (1 MiB) per kernel call. */
export const CHUNK_ELEMENTS = 1 << 18;

export function boundedRowSums(kernels: Kernels, data: Float32Array, rows: number, cols: number): Float64Array {
  if (rows * cols <= CHUNK_ELEMENTS || kernels.variant === 'js') return kernels.rowSums(data, rows, cols);
  const sums = new Float64Array(rows);
  if (cols <= CHUNK_ELEMENTS) {
    const rowsPerChunk = Math.max(1, Math.floor(CHUNK_ELEMENTS / cols));
    for (let first = 0; first < rows; first += rowsPerChunk) {
      const count = Math.min(rowsPerChunk, rows - first);
      sums.set(kernels.rowSums(data.subarray(first * cols, (first + count) * cols), count, cols), first);
    }
    return sums;
  }
  for (let r = 0; r < rows; r++) {
    let total = 0;
    for (let c = 0; c < cols; c += CHUNK_ELEMENTS) {
      const end = Math.min(cols, c + CHUNK_ELEMENTS);
      total += kernels.rowSums(data.subarray(r * cols + c, r * cols + end), 1, end - c)[0] as number;
    }
    sums[r] = total;
  }
  return sums;
}
