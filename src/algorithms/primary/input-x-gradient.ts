// Captum's InputXGradient: each input times the gradient of the selected output with respect to it.
import * as tf from '@tensorflow/tfjs-core';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { AttributionError } from '../../core/errors.js';
import { readOptions } from '../../core/options.js';
import { mirrorForm } from '../../core/tensors.js';
import { tidyResult } from '../../core/tidy-result.js';
import { attemptAsync, ok, type Result } from '../../core/validation.js';
import { gradientsOf } from '../../engine/gradients.js';
import { type AttributionMethod, type Inputs, type MethodOptions, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { prepareCall } from '../../engine/prepare-call.js';

/**
 * Options of {@link inputXGradient}: Captum's `InputXGradient.attribute(...)` keyword arguments.
 *
 * @example
 * const options: InputXGradientOptions = { target: [0, 2, 1] }; // one class per example
 */
export type InputXGradientOptions = MethodOptions;

const KEYS = ['target', 'additionalForwardArgs'] as const;

async function run(model: Model, inputs: Inputs, options?: InputXGradientOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const prepared = await prepareCall(model, inputs, fields.right.target, fields.right.additionalForwardArgs);
  if (prepared._tag === 'Left') return prepared;
  const { call, resolved } = prepared.right;
  const attributions = tidyResult(() => ok(gradientsOf(call, resolved).map((g, i) => tf.mul(call.inputs[i]!, g))));
  return attributions._tag === 'Left' ? attributions : ok(mirrorForm(call.isTuple, attributions.right));
}

/**
 * Captum's `InputXGradient`: `x · ∂F/∂x` for every input, one gradient pass on the batch as it is.
 * Inputs must be float32; the result mirrors their form and belongs to the caller.
 *
 * @example
 * const model = (x: tf.Tensor) => tf.sum(tf.square(x), 1, true); // ∂F/∂x = 2x
 * const r = await inputXGradient(model, tf.tensor2d([[1, 2], [3, 4]]));
 * // Right(tensor [[2, 8], [18, 32]]): x · 2x
 */
export const inputXGradient: AttributionMethod<InputXGradientOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'inputXGradient')),
  descriptorOf('InputXGradient'),
);
