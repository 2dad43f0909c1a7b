import type * as tf from '@tensorflow/tfjs-core';
import type { Kernels, RowData } from './kernels.js';

/**
 * Per-example sums of each tensor (reshaped to `[N, -1]`), in f64, by the kernels. All data is read
 * back first (async, so it works on WebGPU); the kernel calls that follow are synchronous.
 */
export async function tensorRowSums(tensors: readonly tf.Tensor[], kernels: Kernels): Promise<Float64Array[]> {
  const data = await Promise.all(tensors.map((t) => t.data()));
  return tensors.map((t, i) => {
    const values = data[i] as Float32Array | Int32Array | Uint8Array;
    const rows = t.shape[0] ?? 1;
    const cols = rows === 0 ? 0 : t.size / rows;
    const rowData: RowData = values instanceof Uint8Array ? Int32Array.from(values) : values;
    return kernels.rowSums(rowData, rows, cols);
  });
}
