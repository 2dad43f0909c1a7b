// Captum's IntegratedGradients: the path integral of gradients from the baseline to the input.
import * as tf from '@tensorflow/tfjs-core';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import { convergenceDelta } from '../../attribution/convergence-delta.js';
import { type ApproximationMethod, approximationParameters } from '../../core/approximation-methods.js';
import type { Baselines } from '../../core/baselines.js';
import { tensorizeAgainst } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { booleanOption, integerOption, optionalIntegerOption, readOptions } from '../../core/options.js';
import { mirrorForm } from '../../core/tensors.js';
import { all, attemptAsync, ok, type Result } from '../../core/validation.js';
import { checkLongRun, type LongRunOptions } from '../../engine/chunks.js';
import { gradientsOf } from '../../engine/gradients.js';
import { approximationOption, expandedCall, pathPoints, stepsPerPass, sumOverChunks, weightedStepSum } from '../../engine/path-steps.js';
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

/**
 * One chunk of path points, `alphas` with weights `stepSizes`, for every input at once:
 * `Σ_j stepSizes[j] · ∇F(b + alphas[j] · (x - b))`, times `(x - b)` when `multiply`. Synchronous;
 * run inside `tf.tidy`.
 */
function integrateChunk(prepared: PreparedCall, baselines: readonly tf.Tensor[], alphas: readonly number[], stepSizes: readonly number[], multiply: boolean): tf.Tensor[] {
  const inputs = prepared.call.inputs;
  const points = pathPoints(inputs, baselines, alphas); // [k·N, ...] per input, step-major
  const { call, resolved } = expandedCall(prepared, points, alphas.length);
  return gradientsOf(call, resolved).map((g, i) => {
    const integrated = weightedStepSum(g, stepSizes); // [N, ...]
    return multiply ? tf.mul(integrated, tf.sub(inputs[i]!, baselines[i]!)) : integrated;
  });
}

async function run(model: Model, inputs: Inputs, options?: IntegratedGradientsOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const checked = all({
    nSteps: integerOption(o.nSteps, 'options.nSteps', 50, 0),
    method: approximationOption(o.method, 'options.method', 'gausslegendre'),
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
  // Steps per gradient pass: Captum's max(1, internalBatchSize // N), or as many as fit.
  const perPass = stepsPerPass(internalBatchSize, prepared.right, nSteps);
  if (perPass._tag === 'Left') return perPass;
  const { call } = prepared.right;

  const baselines = tidyResult(() => tensorizeAgainst(call.inputs, o.baselines, 'options.baselines')); // full [N, ...] per input
  if (baselines._tag === 'Left') return baselines;
  try {
    // Chunks summed in order, as Captum.
    const summed = await sumOverChunks(nSteps, perPass.right, longRun, (start, end) =>
      integrateChunk(prepared.right, baselines.right, params.right.alphas.slice(start, end), params.right.stepSizes.slice(start, end), multiply),
    );
    if (summed._tag === 'Left') return summed;
    if (!withDelta) return ok(mirrorForm(call.isTuple, summed.right));
    const attributions = summed.right;
    const delta = await convergenceDelta(model, {
      attributions,
      endPoint: call.inputs,
      startPoint: baselines.right,
      target: o.target as never,
      additionalForwardArgs: o.additionalForwardArgs,
    });
    if (delta._tag === 'Left') {
      tf.dispose(attributions);
      return delta;
    }
    return ok({ attributions: mirrorForm(call.isTuple, attributions), delta: delta.right });
  } finally {
    tf.dispose(baselines.right);
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
