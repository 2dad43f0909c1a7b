// Captum's IntegratedGradients: the path integral of gradients from the baseline to the input.
import * as tf from '@tensorflow/tfjs-core';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import { convergenceDelta } from '../../attribution/convergence-delta.js';
import { type ApproximationMethod, approximationMethods, approximationParameters } from '../../core/approximation-methods.js';
import type { Baselines } from '../../core/baselines.js';
import { tensorizeAgainst } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { booleanOption, integerOption, optionalIntegerOption, readOptions } from '../../core/options.js';
import { mirrorForm } from '../../core/tensors.js';
import { all, attemptAsync, fail, ok, type Result } from '../../core/validation.js';
import { describeValue } from '../../core/arguments.js';
import { abortedResult, checkLongRun, chunkRanges, type LongRunOptions, reportProgress, yieldToEventLoop } from '../../engine/chunks.js';
import { expandArgs, expandTarget } from '../../engine/expansion.js';
import { gradientsOf } from '../../engine/gradients.js';
import { checkAllocation, copiesThatFit } from '../../engine/memory-budget.js';
import { type DeltaAttributionMethod, type Inputs, type MethodOptions, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { type PreparedCall, prepareCall } from '../../engine/prepare-call.js';
import { tidyResult } from '../../core/tidy-result.js';

/**
 * Options of {@link integratedGradients}: Captum's `IntegratedGradients(forward_func, multiply_by_inputs)`
 * and `attribute(...)` keyword arguments, in camelCase.
 *
 * @example
 * const options: IntegratedGradientsOptions = { target: 3, baselines: 0, nSteps: 64, method: 'gausslegendre', internalBatchSize: 256 };
 */
export interface IntegratedGradientsOptions extends MethodOptions, LongRunOptions {
  /** Where the path starts, in any form {@link tensorizeBaselines} takes; zeros by default. */
  readonly baselines?: Baselines;
  /** Points on the path (Captum's `n_steps`); default 50. */
  readonly nSteps?: number;
  /** How the integral is approximated; default `'gausslegendre'`. */
  readonly method?: ApproximationMethod;
  /**
   * Rows per gradient pass: the `nSteps · N` path points run `max(1, floor(internalBatchSize / N))`
   * steps at a time. Without it the steps are split only where one pass would not fit the backend.
   * The result is the same either way, up to float32 summation order.
   */
  readonly internalBatchSize?: number;
  /** Multiply the integrated gradients by `inputs - baselines` (Captum's constructor flag); default true. */
  readonly multiplyByInputs?: boolean;
  /** Also return `sum(attributions) - (F(inputs) - F(baselines))` per example. */
  readonly returnConvergenceDelta?: boolean;
}

const KEYS = [
  'target',
  'additionalForwardArgs',
  'baselines',
  'nSteps',
  'method',
  'internalBatchSize',
  'multiplyByInputs',
  'returnConvergenceDelta',
  'onProgress',
  'signal',
] as const;

function checkMethod(value: unknown): Result<ApproximationMethod> {
  if (value === undefined) return ok('gausslegendre');
  if (typeof value === 'string' && (approximationMethods as readonly string[]).includes(value)) return ok(value as ApproximationMethod);
  return fail({ _tag: 'MethodInvalid', path: 'options.method', method: typeof value === 'string' ? value : describeValue(value), valid: approximationMethods });
}

/**
 * One chunk of path points, `alphas` with weights `stepSizes`, for every input at once:
 * `Σ_j stepSizes[j] · ∇F(b + alphas[j] · (x - b))`, times `(x - b)` when `multiply`. Synchronous;
 * run inside `tf.tidy`.
 */
function integrateChunk(
  prepared: PreparedCall,
  baselines: readonly tf.Tensor[],
  alphas: readonly number[],
  stepSizes: readonly number[],
  multiply: boolean,
): tf.Tensor[] {
  const { call, resolved } = prepared;
  const k = alphas.length;
  const n = call.batchSize;
  const points = call.inputs.map((x, i) => {
    const b = baselines[i]!;
    const ones = x.shape.slice(1).map(() => 1);
    const alpha = tf.tensor(alphas, [k, 1, ...ones], 'float32'); // [k, 1, 1...]: one scalar per step, rounded to float32 as in torch
    const path = tf.add(b, tf.mul(alpha, tf.sub(x, b))); // [k, N, ...] in torch's order: x - b, α·(...), b + ...
    return tf.reshape(path, [k * n, ...x.shape.slice(1)]); // [k·N, ...], step-major (row = j·N + i)
  });
  const expanded = { ...call, inputs: points, batchSize: k * n, args: expandArgs(call.args, k, 'repeat') };
  const grads = gradientsOf(expanded, expandTarget(resolved, k, 'repeat'));
  return grads.map((g, i) => {
    const x = call.inputs[i]!;
    const ones = x.shape.slice(1).map(() => 1);
    const weights = tf.tensor(stepSizes, [k, 1, ...ones], 'float32'); // float32 step sizes, as Captum
    const perStep = tf.reshape(g, [k, n, ...x.shape.slice(1)]); // [k, N, ...]
    const integrated = tf.sum(tf.mul(perStep, weights), 0); // [N, ...]
    return multiply ? tf.mul(integrated, tf.sub(x, baselines[i]!)) : integrated;
  });
}

async function run(model: Model, inputs: Inputs, options?: IntegratedGradientsOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const checked = all({
    nSteps: integerOption(o.nSteps, 'options.nSteps', 50, 0),
    method: checkMethod(o.method),
    internalBatchSize: optionalIntegerOption(o.internalBatchSize, 'options.internalBatchSize', 0),
    multiply: booleanOption(o.multiplyByInputs, 'options.multiplyByInputs', true),
    withDelta: booleanOption(o.returnConvergenceDelta, 'options.returnConvergenceDelta', false),
    longRun: checkLongRun(o.onProgress, o.signal),
  });
  const prepared = await prepareCall(model, inputs, o.target, o.additionalForwardArgs);
  if (checked._tag === 'Left' || prepared._tag === 'Left') return all({ checked, prepared });
  const { nSteps, method, internalBatchSize, multiply, withDelta, longRun } = checked.right;
  const params = approximationParameters(method, nSteps, 'options.nSteps');
  if (params._tag === 'Left') return params;
  const { call } = prepared.right;
  const n = call.batchSize;

  // Steps per gradient pass: Captum's max(1, internalBatchSize // N), or as many as fit.
  const rowElements = Math.max(...call.inputs.map((x) => x.size / n));
  const stepsPerPass = internalBatchSize !== undefined ? Math.max(1, Math.floor(internalBatchSize / n)) : copiesThatFit(n * rowElements, 'float32', nSteps);
  const budget = checkAllocation(
    Math.min(stepsPerPass, nSteps) * n * rowElements,
    'float32',
    'options.internalBatchSize',
    `a gradient pass over ${Math.min(stepsPerPass, nSteps)} path steps of ${n} examples`,
    'pass a smaller internalBatchSize',
  );
  if (budget._tag === 'Left') return budget;

  const baselines = tidyResult(() => tensorizeAgainst(call.inputs, o.baselines, 'options.baselines')); // full [N, ...] per input
  if (baselines._tag === 'Left') return baselines;
  let total: tf.Tensor[] | undefined;
  try {
    for (const { start, end } of chunkRanges(nSteps, stepsPerPass)) {
      const stopped = abortedResult(longRun);
      if (stopped !== undefined) return stopped;
      const previous = total;
      total = tf.tidy(() => {
        const part = integrateChunk(prepared.right, baselines.right, params.right.alphas.slice(start, end), params.right.stepSizes.slice(start, end), multiply);
        return previous === undefined ? part : part.map((p, i) => tf.add(previous[i]!, p)); // chunks summed in order, as Captum
      });
      previous?.forEach((t) => t.dispose());
      reportProgress(longRun, end, nSteps);
      if (end < nSteps) await yieldToEventLoop();
    }
    const attributions = total!;
    if (!withDelta) {
      total = undefined;
      return ok(mirrorForm(call.isTuple, attributions));
    }
    const delta = await convergenceDelta(model, {
      attributions,
      endPoint: call.inputs,
      startPoint: baselines.right,
      target: o.target as never,
      additionalForwardArgs: o.additionalForwardArgs,
    });
    if (delta._tag === 'Left') return delta;
    total = undefined;
    return ok({ attributions: mirrorForm(call.isTuple, attributions), delta: delta.right });
  } finally {
    total?.forEach((t) => t.dispose());
    baselines.right.forEach((t) => t.dispose());
  }
}

/**
 * Captum's `IntegratedGradients`: for each input `x` with baseline `b`,
 * `(x - b) · ∫₀¹ ∇F(b + α(x - b)) dα`, the integral approximated with `nSteps` points by `method`
 * (Captum's quirks included: trapezoid weights `1/n`, Gauss-Legendre nodes). The `nSteps · N` path
 * points run step-major (row `j·N + i`, targets and extra tensors repeated to match) in passes of
 * `internalBatchSize` rows. With `returnConvergenceDelta` the result is `{ attributions, delta }`:
 * `delta[i] = Σ attributions[i] - (F(x)[i] - F(b)[i])`, which shrinks as `nSteps` grows. Inputs must
 * be float32; the attributions mirror their form and belong to the caller.
 *
 * @example
 * const model = (x: tf.Tensor) => tf.sum(tf.square(x), 1, true); // F(x) = Σ x², so IG from 0 gives x²
 * const r = await integratedGradients(model, tf.tensor2d([[1, 2], [3, 4]]), { returnConvergenceDelta: true });
 * // Right({ attributions: tensor [[1, 4], [9, 16]], delta: tensor [~0, ~0] })
 */
export const integratedGradients: DeltaAttributionMethod<IntegratedGradientsOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'integratedGradients')),
  descriptorOf('IntegratedGradients'),
);
