// Captum's GuidedBackprop: the gradient with every ReLU passing on only positive gradients.
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { AttributionError } from '../../core/errors.js';
import { readOptions } from '../../core/options.js';
import { attemptAsync, type Result } from '../../core/validation.js';
import { type AttributionMethod, type Inputs, type MethodOptions, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { prepareCall } from '../../engine/prepare-call.js';
import { ruleGradients } from '../../engine/rule-gradients.js';

/**
 * Options of {@link guidedBackprop}: Captum's `GuidedBackprop.attribute(...)` keyword arguments.
 *
 * @example
 * const options: GuidedBackpropOptions = { target: 2 };
 */
export type GuidedBackpropOptions = MethodOptions;

const KEYS = ['target', 'additionalForwardArgs'] as const;

async function run(model: Model, inputs: Inputs, options?: GuidedBackpropOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const prepared = await prepareCall(model, inputs, fields.right.target, fields.right.additionalForwardArgs);
  return prepared._tag === 'Left' ? prepared : ruleGradients(prepared.right, 'guidedBackprop');
}

/**
 * Captum's `GuidedBackprop`: the gradient of the selected output with respect to each input, where
 * every ReLU passes back `relu(dy · [x > 0])` (only positive gradients, only where it was active).
 * The ReLUs of a `tf.LayersModel` are found in the model (Activation and ReLU layers, and `relu`
 * fused into dense and convolution layers); a forward function marks them with
 * `attributionOps.relu`. Other activations, and plain `tf.relu`, keep their ordinary gradients.
 * Inputs must be float32; the result mirrors their form and belongs to the caller.
 *
 * @example
 * const w = tf.tensor2d([[1, -1], [-2, 1]]);
 * const model = (x: tf.Tensor) => tf.matMul(attributionOps.relu(tf.matMul(x, w)), tf.tensor2d([[1], [-1]]));
 * const r = await guidedBackprop(model, tf.tensor2d([[3, 1]]));
 * // Right(tensor [[1, -2]]): only the first hidden unit is active and its gradient (1) is positive
 */
export const guidedBackprop: AttributionMethod<GuidedBackpropOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'guidedBackprop')),
  descriptorOf('GuidedBackprop'),
);
