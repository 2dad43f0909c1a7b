import * as tf from '@tensorflow/tfjs-core';
import { ok, type Result } from './validation.js';

/**
 * Runs `f` inside `tf.tidy`. On `Right` its tensors survive (any that is one of `owned`, which belong
 * to the caller, is cloned first so the caller may dispose the result); on `Left`, or if `f` throws,
 * every tensor it made is released.
 */
export function tidyResult<T extends tf.Tensor | tf.Tensor[]>(f: () => Result<T>, owned: readonly tf.Tensor[] = []): Result<T> {
  let left: Result<never> | undefined;
  const kept = tf.tidy(() => {
    const r = f();
    if (r._tag === 'Left') {
      left = r;
      return undefined;
    }
    const keep = (t: tf.Tensor): tf.Tensor => (owned.includes(t) ? tf.clone(t) : t);
    return Array.isArray(r.right) ? r.right.map(keep) : keep(r.right);
  });
  return left ?? ok(kept as T);
}
