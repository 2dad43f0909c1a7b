// The path machinery that the layer and neuron path methods share with integrated gradients: the
// step-major expanded batch (row j·N + i is b + α_j (x - b)), the weighted sum over steps, and the
// loop over chunks of steps (bounded memory, progress, AbortSignal) that adds the chunks up in order.
import * as tf from '@tensorflow/tfjs-core';
import { type ApproximationMethod, approximationMethods } from '../core/approximation-methods.js';
import { describeValue } from '../core/arguments.js';
import { fail, ok, type Result } from '../core/validation.js';
import { checkAllocation, copiesThatFit } from './memory-budget.js';
import { abortedResult, type CheckedLongRun, chunkRanges, reportProgress, yieldToEventLoop } from './chunks.js';
import { expandArgs, expandTarget } from './expansion.js';
import type { PreparedCall } from './prepare-call.js';
import type { ModelCall } from './run-forward.js';
import type { ResolvedTarget } from '../target/target.js';

/** `b + α_j (x - b)` for every `α_j`, step-major: `[k·N, ...]` per tensor (torch's order of operations). */
export function pathPoints(xs: readonly tf.Tensor[], bs: readonly tf.Tensor[], alphas: readonly number[]): tf.Tensor[] {
  const k = alphas.length;
  return xs.map((x, i) => {
    const b = bs[i]!;
    const ones = x.shape.slice(1).map(() => 1);
    const alpha = tf.tensor(alphas, [k, 1, ...ones], 'float32'); // [k, 1, 1...], float32 as in torch
    const path = tf.add(b, tf.mul(alpha, tf.sub(x, b))); // [k, N, ...]
    return tf.reshape(path, [k * (x.shape[0] as number), ...x.shape.slice(1)]); // [k·N, ...], row = j·N + i
  });
}

/** `Σ_j w_j g_j` over the steps of a step-major `[k·N, ...]` tensor: `[N, ...]`. */
export function weightedStepSum(g: tf.Tensor, stepSizes: readonly number[]): tf.Tensor {
  const k = stepSizes.length;
  const n = (g.shape[0] as number) / k;
  const rest = g.shape.slice(1);
  const weights = tf.tensor(stepSizes, [k, 1, ...rest.map(() => 1)], 'float32'); // float32 step sizes, as Captum
  return tf.sum(tf.mul(tf.reshape(g, [k, n, ...rest]), weights), 0); // [N, ...]
}

/** The call and target for `k` copies of the batch (row j·N + i), on `inputs` already expanded. */
export function expandedCall(prepared: PreparedCall, inputs: readonly tf.Tensor[], k: number): { call: ModelCall; resolved: ResolvedTarget } {
  const { call, resolved } = prepared;
  return {
    call: { ...call, inputs, batchSize: k * call.batchSize, args: expandArgs(call.args, k, 'repeat') },
    resolved: expandTarget(resolved, k, 'repeat'),
  };
}

/**
 * Runs `chunk(start, end)` over `[0, total)` in pieces of `size` and adds the results up in order
 * (each chunk's tensors summed with the running total, element by element). Between chunks it
 * reports progress, yields, and stops with `Aborted` when the signal fires; nothing is kept on
 * failure or abort. `chunk` runs inside `tf.tidy`.
 */
export async function sumOverChunks(total: number, size: number, longRun: CheckedLongRun, chunk: (start: number, end: number) => tf.Tensor[]): Promise<Result<tf.Tensor[]>> {
  let sum: tf.Tensor[] | undefined;
  try {
    for (const { start, end } of chunkRanges(total, size)) {
      const stopped = abortedResult(longRun);
      if (stopped !== undefined) return stopped;
      const previous = sum;
      sum = tf.tidy(() => {
        const part = chunk(start, end);
        return previous === undefined ? part : part.map((p, i) => tf.add(previous[i]!, p));
      });
      previous?.forEach((t) => t.dispose());
      reportProgress(longRun, end, total);
      if (end < total) await yieldToEventLoop();
    }
    const done = sum ?? [];
    sum = undefined;
    return ok(done);
  } finally {
    sum?.forEach((t) => t.dispose());
  }
}

/** An approximation method name, or `fallback` when absent; anything else is Captum's `invalid-method`. */
export function approximationOption(value: unknown, path: string, fallback: ApproximationMethod): Result<ApproximationMethod> {
  if (value === undefined) return ok(fallback);
  if (typeof value === 'string' && (approximationMethods as readonly string[]).includes(value)) return ok(value as ApproximationMethod);
  return fail({ _tag: 'MethodInvalid', path, method: typeof value === 'string' ? value : describeValue(value), valid: approximationMethods });
}

/**
 * Path steps per gradient pass: Captum's `max(1, internalBatchSize // N)` when given, else as many
 * as fit the backend in one tensor (at least `least`); refused when even that does not fit.
 */
export function stepsPerPass(internalBatchSize: number | undefined, prepared: PreparedCall, total: number, least = 1): Result<number> {
  const { call } = prepared;
  const n = call.batchSize;
  const rowElements = Math.max(...call.inputs.map((x) => x.size / n));
  const wanted = internalBatchSize !== undefined ? Math.max(least, Math.floor(internalBatchSize / n), 1) : Math.max(least, copiesThatFit(n * rowElements, 'float32', total));
  const steps = Math.min(wanted, Math.max(total, least));
  const budget = checkAllocation(steps * n * rowElements, 'float32', 'options.internalBatchSize', `a gradient pass over ${steps} path steps of ${n} examples`, 'pass a smaller internalBatchSize');
  return budget._tag === 'Left' ? budget : ok(steps);
}
