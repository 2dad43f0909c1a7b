// Captum's Saliency: the gradient of the selected output with respect to the inputs.
import * as tf from '@tensorflow/tfjs-core';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { AttributionError } from '../../core/errors.js';
import { booleanOption, readOptions } from '../../core/options.js';
import { mirrorForm } from '../../core/tensors.js';
import { tidyResult } from '../../core/tidy-result.js';
import { all, attemptAsync, ok, type Result } from '../../core/validation.js';
import { gradientsOf } from '../../engine/gradients.js';
import { type AttributionMethod, type Inputs, type MethodOptions, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { prepareCall } from '../../engine/prepare-call.js';

/**
 * Options of {@link saliency}: Captum's `Saliency.attribute(...)` keyword arguments, in camelCase.
 *
 * @example
 * const options: SaliencyOptions = { target: 3, abs: false };
 */
export interface SaliencyOptions extends MethodOptions {
  /** Return `|gradient|` (Captum's default, true) or the signed gradient. */
  readonly abs?: boolean;
}

const KEYS = ['target', 'additionalForwardArgs', 'abs'] as const;

async function run(model: Model, inputs: Inputs, options?: SaliencyOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const abs = booleanOption(fields.right.abs, 'options.abs', true);
  const prepared = await prepareCall(model, inputs, fields.right.target, fields.right.additionalForwardArgs);
  const checked = all({ abs, prepared });
  if (checked._tag === 'Left') return checked;
  const { call, resolved } = checked.right.prepared;
  const grads = tidyResult(() => ok(gradientsOf(call, resolved).map((g) => (checked.right.abs ? tf.abs(g) : g))));
  return grads._tag === 'Left' ? grads : ok(mirrorForm(call.isTuple, grads.right));
}

/**
 * Captum's `Saliency`: `|∂F/∂x|` for every input (the signed gradient with `abs: false`), one
 * gradient pass on the batch as it is. Inputs must be float32; the result mirrors their form and
 * belongs to the caller.
 *
 * @example
 * const model = (x: tf.Tensor) => tf.matMul(x, tf.tensor2d([[1, -1], [2, -3]])); // two outputs
 * const r = await saliency(model, tf.tensor2d([[1, 2]]), { target: 1 });
 * // Right(tensor [[1, 3]]): |d out[:, 1] / dx| = |[-1, -3]|
 */
export const saliency: AttributionMethod<SaliencyOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'saliency')),
  descriptorOf('Saliency'),
);
