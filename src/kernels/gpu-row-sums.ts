// Row sums of float32 tensors on the webgpu backend, on the GPU: a pairwise reduction written with
// tf ops (an element passes through about log2(cols) float32 additions, so the error grows like
// log2(cols) rather than cols), and one read-back of the per-example sums of every tensor together.
import * as tf from '@tensorflow/tfjs-core';

/**
 * Values added per level on webgpu. tfjs-backend-webgpu reduces a row of at most 64 values with one
 * workgroup of 64 threads as a tree (one value per thread, then halving: depth ceil(log2(n))), so
 * each level is itself pairwise. 64 at a time takes log64(cols) dispatches where pairs took
 * log2(cols): for a 784-wide row one pad and two sums, where pairs took ten sums and four pads
 * (each dispatch, and each pad, costs a GPU pass).
 */
export const GPU_BLOCK = 64;

/**
 * `[rows, cols]` -> `[rows]`, summed level by level in blocks of `block` values (a short last block
 * gets zero columns). With `block` 2 every level adds neighbouring pairs on any backend; a larger
 * block is pairwise only where the backend reduces a block as a tree (webgpu, {@link GPU_BLOCK}).
 */
export function pairwiseRowSums(x: tf.Tensor2D, block = 2): tf.Tensor1D {
  return tf.tidy(() => {
    const [rows, c0] = x.shape;
    if (c0 === 0) return tf.zeros([rows]) as tf.Tensor1D;
    let level: tf.Tensor2D = x;
    let cols = c0;
    while (cols > 1) {
      if (cols <= block) {
        level = tf.sum(level, 1, true) as tf.Tensor2D; // [rows, 1]
        break;
      }
      const padded = Math.ceil(cols / block) * block;
      if (padded > cols) level = tf.pad(level, [[0, 0], [0, padded - cols]]);
      cols = padded / block;
      level = tf.sum(tf.reshape(level, [rows, cols, block]), 2) as tf.Tensor2D; // [rows, cols / block, block] -> [rows, cols / block]
    }
    return tf.reshape(level, [rows]) as tf.Tensor1D;
  });
}

/** The largest buffer a WebGPU shader may bind (tensors past it cannot be read by a shader). */
function bindingLimit(): number {
  const limits = (tf.backend() as unknown as { device?: { limits?: { maxStorageBufferBindingSize?: number } } }).device?.limits;
  return limits?.maxStorageBufferBindingSize ?? 2 ** 27;
}

/**
 * Whether the row sums of this tensor are taken on the GPU: float32 on webgpu, small enough for a
 * shader to bind (a larger one is read back and summed by the kernels, as before).
 */
export const onGpu = (t: tf.Tensor): boolean => t.dtype === 'float32' && tf.getBackend() === 'webgpu' && t.size * 4 <= bindingLimit();

/** Per-example sums of each tensor (reshaped to `[N, -1]`) in f64 from one read-back. */
export async function gpuRowSums(tensors: readonly tf.Tensor[]): Promise<Float64Array[]> {
  if (tensors.length === 0) return [];
  const stacked = tf.tidy(() =>
    tf.concat(
      tensors.map((t) => {
        const rows = t.shape[0] ?? 1;
        return pairwiseRowSums(tf.reshape(t, [rows, rows === 0 ? 0 : t.size / rows]), GPU_BLOCK);
      }),
    ),
  );
  try {
    const values = await stacked.data();
    let at = 0;
    return tensors.map((t) => {
      const rows = t.shape[0] ?? 1;
      const sums = Float64Array.from(values.subarray(at, at + rows));
      at += rows;
      return sums;
    });
  } finally {
    stacked.dispose();
  }
}
