import type * as tf from '@tensorflow/tfjs-core';
import type { Kernels, RowData } from './kernels.js';
import { boundedRowSums } from './bounded-row-sums.js';
import { gpuRowSums, onGpu } from './gpu-row-sums.js';
import { inPlaceRowSums } from './wasm-inplace.js';

/**
 * Per-example sums of each tensor (reshaped to `[N, -1]`), in f64, by the kernels. Float32 tensors are
 * summed where they live when that is possible: on the wasm backend in place (no read-back), on
 * webgpu on the GPU (only the sums are read back). Everything else is read back first (async) and
 * summed by synchronous kernel calls; float32 data in bounded pieces (one copy, bounded kernel memory).
 */
export async function tensorRowSums(tensors: readonly tf.Tensor[], kernels: Kernels): Promise<Float64Array[]> {
  const sums: (Float64Array | undefined)[] = new Array(tensors.length).fill(undefined);
  const inPlace = await inPlaceRowSums(kernels.variant);
  if (inPlace !== undefined) tensors.forEach((t, i) => (sums[i] = inPlace(t)));
  const gpu = tensors.map((t, i) => (sums[i] === undefined && onGpu(t) ? i : -1)).filter((i) => i >= 0);
  if (gpu.length > 0) (await gpuRowSums(gpu.map((i) => tensors[i] as tf.Tensor))).forEach((s, j) => (sums[gpu[j] as number] = s));
  const data = await Promise.all(tensors.map((t, i) => (sums[i] === undefined ? t.data() : undefined)));
  return tensors.map((t, i) => {
    const done = sums[i];
    if (done !== undefined) return done;
    const values = data[i] as Float32Array | Int32Array | Uint8Array;
    const rows = t.shape[0] ?? 1;
    const cols = rows === 0 ? 0 : t.size / rows;
    if (values instanceof Float32Array) return boundedRowSums(kernels, values, rows, cols);
    const rowData: RowData = values instanceof Uint8Array ? Int32Array.from(values) : values;
    return kernels.rowSums(rowData, rows, cols);
  });
}
