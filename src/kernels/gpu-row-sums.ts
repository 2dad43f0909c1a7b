// Row sums of float32 tensors on the webgpu backend, on the GPU: a pairwise reduction written with
// tf ops (each level adds neighbouring pairs, so an element passes through about log2(cols) float32
// additions, and the error grows like log2(cols) rather than cols), and one read-back of the
// per-example sums of every tensor together.
import * as tf from '@tensorflow/tfjs-core';

/** `[rows, cols]` -> `[rows]`, summed pairwise (an odd level gets one zero column). */
export function pairwiseRowSums(x: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => {
    const [rows, c0] = x.shape;
    if (c0 === 0) return tf.zeros([rows]) as tf.Tensor1D;
    let level: tf.Tensor2D = x;
    let cols = c0;
    while (cols > 1) {
      if (cols % 2 === 1) {
        level = tf.pad(level, [[0, 0], [0, 1]]);
        cols += 1;
      }
      level = tf.sum(tf.reshape(level, [rows, cols / 2, 2]), 2) as tf.Tensor2D;
      cols /= 2;
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
        return pairwiseRowSums(tf.reshape(t, [rows, rows === 0 ? 0 : t.size / rows]));
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
