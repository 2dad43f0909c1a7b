import * as tf from '@tensorflow/tfjs-core';
import { ok, type Result } from './validation.js';

/**
 * Runs `f` inside `tf.tidy`. On `Right` its tensors survive as fresh clones, so the caller owns them
 * outright: a result that is a caller's tensor, or a tensor a model keeps (a constant it returns),
 * is never handed over itself. On `Left`, or if `f` throws, every tensor it made is released.
 */
export function tidyResult<T extends tf.Tensor | tf.Tensor[]>(f: () => Result<T>): Result<T> {
  let left: Result<never> | undefined;
  const kept = tf.tidy(() => {
    const r = f();
    if (r._tag === 'Left') {
      left = r;
      return undefined;
    }
    return Array.isArray(r.right) ? r.right.map((t) => tf.clone(t)) : tf.clone(r.right);
  });
  return left ?? ok(kept as T);
}
