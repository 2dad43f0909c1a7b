// Captum's `_select_targets` / `_verify_select_column`, re-expressed on the Target union.
import * as tf from '@tensorflow/tfjs-core';
import type { AttributionError } from '../core/errors.js';
import { describeValue, isTensor, settleThenable } from '../core/arguments.js';
import { checkTensor, formatShape } from '../core/tensors.js';
import { all, attempt, attemptAsync, errorText, fail, ok, type Result } from '../core/validation.js';
import { tidyResult } from '../core/tidy-result.js';
import { checkResolvedTarget, checkTargetSize, resolveTarget } from './resolve-target.js';
import type { ResolvedTarget, Target } from './target.js';

const product = (dims: readonly number[]): number => dims.reduce((a, b) => a * b, 1);

/** Python-style index `i` into a dimension of `size`; `null` when out of range. */
const normalizeIndex = (i: number, size: number): number | null => (i >= -size && i < size ? (i < 0 ? i + size : i) : null);

/** `output[:, ...indices]`: each index removes one dimension after the batch. */
function selectPath(output: tf.Tensor, indices: readonly number[], path: string): Result<tf.Tensor> {
  if (indices.length === 0) return ok(output);
  if (indices.length > output.rank - 1) {
    return fail({ _tag: 'TargetTooManyIndices', path, indices: indices.length, outputShape: output.shape });
  }
  const begin = [0];
  for (const [d, index] of indices.entries()) {
    const size = output.shape[d + 1] as number;
    const at = normalizeIndex(index, size);
    if (at === null) return fail({ _tag: 'TargetIndexOutOfRange', path, index, dim: d + 1, size });
    begin.push(at);
  }
  const rest = output.shape.slice(indices.length + 1);
  const sizes = [-1, ...indices.map(() => 1), ...rest];
  // [N, 1 x k, ...rest] -> [N, ...rest]
  return ok(tf.reshape(tf.slice(output, [...begin, ...rest.map(() => 0)], sizes), [output.shape[0] as number, ...rest]));
}

/**
 * Keeps, per example, one of `cells` positions of `[N, cells, ...block]` and drops the axis:
 * `out[k] = x[k, chosen[k]]`. A boolean mask and a sum: `where` keeps NaN or Inf in the other
 * positions out of the result and its gradient (a one-hot product would turn 0 * Inf into NaN),
 * and needs no gather gradient (which tfjs-backend-wasm does not implement itself).
 */
function pickPerExample(x: tf.Tensor, chosen: readonly number[]): tf.Tensor {
  const [n, cells] = x.shape as [number, number];
  const mask = new Uint8Array(n * cells);
  chosen.forEach((c, k) => {
    mask[k * cells + c] = 1;
  });
  // [N, cells, 1, ...]: broadcasts over the block
  const keep = tf.tensor(mask, [n, cells, ...x.shape.slice(2).map(() => 1)], 'bool');
  return tf.sum(tf.where(keep, x, tf.zerosLike(x)), 1);
}

/** `output[k, indices[k]]` for a 2-D output: one class per example (Captum's list of ints). */
function selectPerExample(output: tf.Tensor, indices: readonly number[], path: string): Result<tf.Tensor> {
  const n = output.shape[0] ?? 0;
  if (output.rank === 0 || indices.length !== n) {
    return fail({ _tag: 'TargetCountMismatch', path, samples: n, targets: indices.length });
  }
  if (output.rank !== 2) return fail({ _tag: 'TargetNeeds2DOutput', path, outputShape: output.shape });
  const classes = output.shape[1] as number;
  for (const [k, c] of indices.entries()) {
    // Captum gathers here, so negative indices are out of range (unlike a single int target).
    if (c < 0 || c >= classes) return fail({ _tag: 'TargetIndexOutOfRange', path: `${path}[${k}]`, index: c, dim: 1, size: classes });
  }
  return ok(pickPerExample(output, indices));
}

/** `stack(output[k, ...paths[k]])`: one multi-index per example (Captum's list of tuples). */
function selectPerExamplePath(output: tf.Tensor, paths: readonly (readonly number[])[], path: string): Result<tf.Tensor> {
  const n = output.rank === 0 ? 0 : (output.shape[0] as number);
  if (output.rank === 0 || paths.length !== n) return fail({ _tag: 'TargetCountMismatch', path, samples: n, targets: paths.length });
  const depth = paths[0]?.length ?? 0;
  if (depth > output.rank - 1) return fail({ _tag: 'TargetTooManyIndices', path, indices: depth, outputShape: output.shape });
  const indexed = output.shape.slice(1, depth + 1);
  const block = output.shape.slice(depth + 1);
  const chosen: number[] = [];
  for (const [k, p] of paths.entries()) {
    let linear = 0;
    for (const [d, index] of p.entries()) {
      const size = indexed[d] as number;
      const at = normalizeIndex(index, size);
      if (at === null) return fail({ _tag: 'TargetIndexOutOfRange', path: `${path}[${k}]`, index, dim: d + 1, size });
      linear = linear * size + at;
    }
    chosen.push(linear);
  }
  // [N, prod(indexed), ...block] -> [N, ...block]
  return ok(pickPerExample(tf.reshape(output, [n, product(indexed), ...block]), chosen));
}

function selectReduced(output: tf.Tensor, fn: (o: tf.Tensor) => tf.Tensor, path: string): Result<tf.Tensor> {
  let reduced: unknown;
  try {
    reduced = fn(output);
  } catch (e) {
    return fail({ _tag: 'ModelThrew', path: `${path}.fn`, message: errorText(e) });
  }
  const expected = `a tensor whose dimension 0 is the batch (${output.shape[0] ?? '-'})`;
  if (settleThenable(reduced)) return fail({ _tag: 'ModelOutputInvalid', path: `${path}.fn`, expected: `${expected}, returned synchronously`, got: 'a Promise' });
  if (!isTensor(reduced) || reduced.isDisposed) {
    return fail({ _tag: 'ModelOutputInvalid', path: `${path}.fn`, expected, got: describeValue(reduced) });
  }
  if (output.rank > 0 && (reduced.rank === 0 || reduced.shape[0] !== output.shape[0])) {
    return fail({ _tag: 'ModelOutputInvalid', path: `${path}.fn`, expected, got: `shape ${formatShape(reduced.shape)}` });
  }
  return ok(reduced);
}

/**
 * Applies a checked, resolved target to a model output `[N, ...]`, synchronously, creating tensors:
 * the library calls it inside `tf.tidy` (and inside `tf.grads`). A target of `none` (or an empty
 * path) returns `output` itself.
 */
export function selectResolved(output: tf.Tensor, resolved: ResolvedTarget, path = 'target'): Result<tf.Tensor> {
  switch (resolved.kind) {
    case 'none':
      return ok(output);
    case 'path':
      return selectPath(output, resolved.indices, path);
    case 'perExample':
      return selectPerExample(output, resolved.indices, path);
    case 'perExamplePath':
      return selectPerExamplePath(output, resolved.paths, path);
    case 'reduce':
      return selectReduced(output, resolved.fn, path);
    case 'tensorValues': {
      const [only] = resolved.values;
      if (resolved.values.length === 1 && only !== undefined) return selectPath(output, [only], path);
      if (resolved.shape.length === 1 && output.rank > 0 && resolved.values.length === output.shape[0]) {
        return output.rank === 2
          ? selectPerExample(output, resolved.values, path)
          : fail({ _tag: 'TargetNeeds2DOutput', path, outputShape: output.shape });
      }
      return fail({ _tag: 'TargetTensorShapeInvalid', path, targetShape: resolved.shape, outputShape: output.shape });
    }
  }
}

const unexpected =
  (where: string) =>
  (e: unknown): AttributionError => ({ _tag: 'Unexpected', path: where, message: errorText(e) });

/**
 * Applies a resolved target (from {@link resolveTarget}) to a model output `[N, ...]`,
 * synchronously: resolve once, then apply as often as needed, e.g. inside `tf.grads`. The result
 * is a new tensor the caller owns; nothing else is kept.
 *
 * @example
 * const out = tf.tensor2d([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
 * const r = await resolveTarget([1, 2, 0]);
 * if (r._tag === 'Right') applyTarget(out, r.right); // Right(tensor [2, 6, 7])
 */
export function applyTarget(output: tf.Tensor, resolved: ResolvedTarget): Result<tf.Tensor> {
  return attempt(() => {
    const checked = all({ output: checkTensor(output, 'output', { batched: false }), resolved: checkResolvedTarget(resolved, 'resolved') });
    if (checked._tag === 'Left') return checked;
    return tidyResult(() => selectResolved(checked.right.output, checked.right.resolved, 'resolved'));
  }, unexpected('applyTarget'));
}

/**
 * Selects the target from a model output, as Captum's `_select_targets` does. The result is a new
 * tensor the caller owns; `output` is left as it was.
 *
 * @example
 * const out = tf.tensor2d([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
 * await selectTarget(out, -1);                  // Right(tensor [3, 6, 9])
 * await selectTarget(out, [1, 2, 0]);           // Right(tensor [2, 6, 7])
 * await selectTarget(out, target.path(1, 2));   // Left: too many indices for a 2-D output
 */
export function selectTarget(output: tf.Tensor, t: Target): Promise<Result<tf.Tensor>> {
  return attemptAsync(async () => {
    const checkedOutput = checkTensor(output, 'output', { batched: false });
    if (checkedOutput._tag === 'Left') return checkedOutput;
    const o = checkedOutput.right;
    if (o.rank > 0) {
      const size = checkTargetSize(t, o.shape[0] as number);
      if (size._tag === 'Left') return size;
    }
    const resolved = await resolveTarget(t);
    if (resolved._tag === 'Left') return resolved;
    return tidyResult(() => selectResolved(checkedOutput.right, resolved.right));
  }, unexpected('selectTarget'));
}
