// The Target union: which part of the model output an attribution explains.
// A plain number and a plain number[] keep Captum's meaning; the other forms are explicit.
import type * as tf from '@tensorflow/tfjs-core';

/**
 * A multi-index into the non-batch dimensions, the same for every example (Captum's tuple target).
 *
 * @example
 * const t: PathTarget = target.path(1, 0); // output[:, 1, 0]
 * await selectTarget(tf.ones([2, 3, 4]), t); // Right(tensor of shape [2])
 */
export interface PathTarget {
  readonly kind: 'path';
  readonly indices: readonly number[];
}

/**
 * One multi-index per example (Captum's list of tuples).
 *
 * @example
 * const t: PerExamplePathTarget = target.perExamplePath([[0, 1], [2, 3]]); // output[0, 0, 1], output[1, 2, 3]
 * await selectTarget(tf.ones([2, 3, 4]), t); // Right(tensor of shape [2])
 */
export interface PerExamplePathTarget {
  readonly kind: 'perExamplePath';
  readonly paths: readonly (readonly number[])[];
}

/**
 * A custom reduction of the model output to one value (or one block) per example, e.g. a mask sum.
 *
 * @example
 * const mask = tf.tensor2d([[1, 0, 1]]);
 * const t: ReduceTarget = target.reduce((out) => tf.sum(tf.mul(out, mask), 1));
 * await selectTarget(tf.tensor2d([[1, 2, 3], [4, 5, 6]]), t); // Right(tensor [4, 10])
 */
export interface ReduceTarget {
  readonly kind: 'reduce';
  /** Maps the model output `[N, ...]` to one value per example, keeping dimension 0. */
  readonly fn: (output: tf.Tensor) => tf.Tensor;
}

/**
 * What to explain in the model output `[N, ...]`:
 * - `undefined` / `null`: the whole output (it must hold one value per example for gradients);
 * - a number `i`: `output[:, i]` for every example; negative counts from the end (Captum's int);
 * - a number array `[c0, c1, ...]`: class `c_k` for example `k`; needs a 2-D output (Captum's list of ints);
 * - an int32 tensor: one element acts as a number, a 1-D tensor of N elements as a number array;
 * - {@link target}`.path(i, j)`: `output[:, i, j]` (Captum's tuple);
 * - {@link target}`.perExamplePath([[i0, j0], [i1, j1], ...])`: `output[k, i_k, j_k]` (Captum's list of tuples);
 * - {@link target}`.reduce(fn)`: `fn(output)`, which must keep dimension 0.
 *
 * @example
 * const forms: Target[] = [undefined, 2, -1, [0, 3], tf.tensor1d([0, 3], 'int32'), target.path(1), target.reduce((o) => tf.sum(o, 1))];
 * for (const t of forms) await selectTarget(tf.ones([2, 4]), t); // each Right
 */
export type Target = undefined | null | number | readonly number[] | tf.Tensor | PathTarget | PerExamplePathTarget | ReduceTarget;

/**
 * Constructors for every target form.
 *
 * @example
 * target.index(2);                         // output[:, 2]
 * target.perExample([0, 3, 1]);            // output[k, [0, 3, 1][k]]
 * target.path(1, 0);                       // output[:, 1, 0]
 * target.perExamplePath([[0, 1], [2, 3]]); // output[0, 0, 1] and output[1, 2, 3]
 * target.reduce((out) => tf.sum(tf.mul(out, mask), [1, 2])); // a mask sum per example
 */
export const target = {
  /** No target: the model output must already be one value per example. */
  none: undefined as Target,
  /** `output[:, i]` for every example (a plain number means the same). */
  index: (i: number): Target => i,
  /** `output[n, indices[n]]`: one class per example (a plain `number[]` means the same). */
  perExample: (indices: readonly number[]): Target => indices,
  /** An int32 tensor: one element acts as an index or path, N elements as one index per example. */
  tensor: (t: tf.Tensor): Target => t,
  /** `output[:, i, j, ...]`: a multi-index into an N-D output, the same for every example. */
  path: (...indices: number[]): PathTarget => ({ kind: 'path', indices }),
  /** `output[n, ...paths[n]]`: one multi-index per example. */
  perExamplePath: (paths: readonly (readonly number[])[]): PerExamplePathTarget => ({ kind: 'perExamplePath', paths }),
  /** `fn(output)`, which must keep dimension 0 (e.g. a mask sum for segmentation). */
  reduce: (fn: (output: tf.Tensor) => tf.Tensor): ReduceTarget => ({ kind: 'reduce', fn }),
} as const;

/**
 * A target with tensor values read out and every index checked to be an integer: plain data that
 * {@link applyTarget} can apply synchronously (inside a gradient tape).
 *
 * @example
 * const r = await resolveTarget(target.path(2));
 * if (r._tag === 'Right') {
 *   const resolved: ResolvedTarget = r.right; // { kind: 'path', indices: [2] }
 *   tf.tidy(() => applyTarget(tf.ones([2, 3]), resolved));
 * }
 */
export type ResolvedTarget =
  | { readonly kind: 'none' }
  | { readonly kind: 'path'; readonly indices: readonly number[] }
  | { readonly kind: 'perExample'; readonly indices: readonly number[] }
  | { readonly kind: 'perExamplePath'; readonly paths: readonly (readonly number[])[] }
  /** An int32 tensor target's values: one element acts as a path, N elements as per-example indices. */
  | { readonly kind: 'tensorValues'; readonly values: readonly number[]; readonly shape: readonly number[] }
  | {
      readonly kind: 'reduce';
      /** The custom reducer, applied to the model output. */
      readonly fn: (output: tf.Tensor) => tf.Tensor;
    };
