// Captum's Deconvolution: the gradient with every ReLU passing on the positive part of its gradient.
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { AttributionError } from '../../core/errors.js';
import { readOptions } from '../../core/options.js';
import { attemptAsync, type Result } from '../../core/validation.js';
import { type AttributionMethod, type Inputs, type MethodOptions, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { prepareCall } from '../../engine/prepare-call.js';
import { ruleGradients } from '../../engine/rule-gradients.js';

/**
 * Options of {@link deconvolution}: Captum's `Deconvolution.attribute(...)` keyword arguments.
 *
 * @example
 * const options: DeconvolutionOptions = { target: [0, 1] }; // one class per example
 */
export type DeconvolutionOptions = MethodOptions;

const KEYS = ['target', 'additionalForwardArgs'] as const;

async function run(model: Model, inputs: Inputs, options?: DeconvolutionOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const prepared = await prepareCall(model, inputs, fields.right.target, fields.right.additionalForwardArgs);
  return prepared._tag === 'Left' ? prepared : ruleGradients(prepared.right, 'deconvolution');
}

/**
 * Captum's `Deconvolution`: the gradient of the selected output with respect to each input, where
 * every ReLU passes back `relu(dy)`, ignoring whether it was active. ReLUs are found as for
 * {@link guidedBackprop}. Captum's adjacency quirk is kept: a ReLU whose output feeds another ReLU
 * directly sees that ReLU's ordinary gradient, `relu(dy' · [x' > 0])`. Inputs must be float32; the
 * result mirrors their form and belongs to the caller.
 *
 * @example
 * const w = tf.tensor2d([[1, -1], [-2, 1]]);
 * const model = (x: tf.Tensor) => tf.matMul(attributionOps.relu(tf.matMul(x, w)), tf.tensor2d([[1], [-1]]));
 * const r = await deconvolution(model, tf.tensor2d([[3, 1]]));
 * // Right(tensor [[1, -2]]): relu([1, -1]) = [1, 0] through the first layer
 */
export const deconvolution: AttributionMethod<DeconvolutionOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'deconvolution')),
  descriptorOf('Deconvolution'),
);
