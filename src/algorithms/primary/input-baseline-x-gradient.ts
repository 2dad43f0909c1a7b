// Captum's InputBaselineXGradient (gradient_shap.py): the gradient at one random point between the
// baseline and the input, times (input - baseline). GradientShap is a noise tunnel around it.
import * as tf from '@tensorflow/tfjs-core';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import { convergenceDelta } from '../../attribution/convergence-delta.js';
import type { Baselines } from '../../core/baselines.js';
import { tensorizeAgainst } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { booleanOption, readOptions } from '../../core/options.js';
import { mirrorForm } from '../../core/tensors.js';
import { tidyResult } from '../../core/tidy-result.js';
import { all, attemptAsync, ok, type Result } from '../../core/validation.js';
import { gradientsOf } from '../../engine/gradients.js';
import { type DeltaAttributionMethod, type Inputs, type MethodOptions, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { prepareCall } from '../../engine/prepare-call.js';
import { checkSampling, drawAlphas, type Sampler, type SamplingMethod } from '../../engine/sampler.js';

/**
 * Options of {@link inputBaselineXGradient}: Captum's `InputBaselineXGradient(forward_func,
 * multiply_by_inputs)` and `attribute(...)` keyword arguments in camelCase, plus where the random
 * interpolation points come from (`seed` or `sampler`).
 *
 * @example
 * const options: InputBaselineXGradientOptions = { baselines: 0, target: 1, seed: 7, returnConvergenceDelta: true };
 */
export interface InputBaselineXGradientOptions extends MethodOptions {
  /** Where the segment starts, in any form {@link tensorizeBaselines} takes; zeros by default. */
  readonly baselines?: Baselines;
  /** Multiply the gradient by `inputs - baselines` (Captum's constructor flag); default true. */
  readonly multiplyByInputs?: boolean;
  /** Also return `sum(attributions) - (F(inputs) - F(baselines))` per example. */
  readonly returnConvergenceDelta?: boolean;
  /** Seed of the {@link seededSampler} that draws the points; 0 by default. */
  readonly seed?: number;
  /** Where the points come from instead of a seed: one `alphas` draw of N values (partition 0, one sample). */
  readonly sampler?: Sampler;
}

/** `α_i·x + (1 − α_i)·b` per example (Captum's `_scale_input`, its float32 order: α·x, 1 − α, (1 − α)·b, sum). Run inside `tf.tidy`. */
export function scaledPoints(xs: readonly tf.Tensor[], bs: readonly tf.Tensor[], alphas: Float32Array): tf.Tensor[] {
  return xs.map((x, i) => {
    const alpha = tf.tensor(alphas, [x.shape[0]!, ...x.shape.slice(1).map(() => 1)], 'float32'); // [N, 1, 1...]
    return tf.add(tf.mul(alpha, x), tf.mul(tf.sub(1, alpha), bs[i]!));
  });
}

const KEYS = ['target', 'additionalForwardArgs', 'baselines', 'multiplyByInputs', 'returnConvergenceDelta', 'seed', 'sampler'] as const;

async function run(model: Model, inputs: Inputs, options?: InputBaselineXGradientOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const checked = all({
    multiply: booleanOption(o.multiplyByInputs, 'options.multiplyByInputs', true),
    withDelta: booleanOption(o.returnConvergenceDelta, 'options.returnConvergenceDelta', false),
    sampler: checkSampling(o.seed, o.sampler),
  });
  const prepared = await prepareCall(model, inputs, o.target, o.additionalForwardArgs);
  if (checked._tag === 'Left' || prepared._tag === 'Left') return all({ checked, prepared });
  const { multiply, withDelta, sampler } = checked.right;
  const { call, resolved } = prepared.right;
  const n = call.batchSize;

  const baselines = tidyResult(() => tensorizeAgainst(call.inputs, o.baselines, 'options.baselines')); // full [N, ...] per input
  if (baselines._tag === 'Left') return baselines;
  try {
    // One uniform draw per example, shared by every input (Captum: np.random.uniform(0, 1, N), cast to float32).
    const alphas = drawAlphas(sampler, { partition: 0, firstSample: 0, samples: 1, examples: n });
    if (alphas._tag === 'Left') return alphas;
    const attributions = tidyResult(() => {
      const points = scaledPoints(call.inputs, baselines.right, alphas.right);
      const grads = gradientsOf({ ...call, inputs: points }, resolved);
      return ok(grads.map((g, i) => (multiply ? tf.mul(tf.sub(call.inputs[i]!, baselines.right[i]!), g) : g)));
    });
    if (attributions._tag === 'Left' || !withDelta) return attributions._tag === 'Left' ? attributions : ok(mirrorForm(call.isTuple, attributions.right));
    const delta = await convergenceDelta(model, {
      attributions: attributions.right,
      endPoint: call.inputs,
      startPoint: baselines.right,
      target: o.target as never,
      additionalForwardArgs: o.additionalForwardArgs,
    });
    if (delta._tag === 'Left') {
      attributions.right.forEach((t) => t.dispose());
      return delta;
    }
    return ok({ attributions: mirrorForm(call.isTuple, attributions.right), delta: delta.right });
  } finally {
    baselines.right.forEach((t) => t.dispose());
  }
}

/**
 * Captum's `InputBaselineXGradient` (the building block of {@link gradientShap}): for each example,
 * one point `z = α·x + (1 - α)·b` with `α` uniform in [0, 1) (one draw per example, shared by all
 * inputs), then `(x - b) · ∇F(z)` (`∇F(z)` alone with `multiplyByInputs: false`). The draws come from
 * `options.sampler`, or from {@link seededSampler} of `options.seed` (0 by default), so a call is
 * reproducible. With `returnConvergenceDelta` the result is `{ attributions, delta }`, `delta[i] =
 * Σ attributions[i] - (F(x)[i] - F(b)[i])`. Inputs must be float32; the attributions mirror their
 * form and belong to the caller. Stricter than Captum: baselines are checked like integratedGradients'.
 *
 * @example
 * const model = (x: tf.Tensor) => tf.sum(tf.square(x), 1, true); // ∇F(z) = 2z = 2αx from a zero baseline
 * const r = await inputBaselineXGradient(model, tf.tensor2d([[1, 2], [3, 4]]), { seed: 3, returnConvergenceDelta: true });
 * // Right({ attributions: 2α_i·x², delta: (2α_i - 1)·Σx² per example })
 */
export const inputBaselineXGradient: DeltaAttributionMethod<InputBaselineXGradientOptions> & SamplingMethod = Object.assign(
  withDescriptor<DeltaAttributionMethod<InputBaselineXGradientOptions>>(
    (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'inputBaselineXGradient')),
    descriptorOf('InputBaselineXGradient'),
  ),
  { drawsSamples: true as const },
);
