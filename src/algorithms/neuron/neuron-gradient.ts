// Captum's NeuronGradient: the gradient of one neuron of a layer with respect to the inputs.
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { AttributionError } from '../../core/errors.js';
import { readOptions } from '../../core/options.js';
import { mirrorForm } from '../../core/tensors.js';
import { tidyResult } from '../../core/tidy-result.js';
import { attemptAsync, ok, type Result } from '../../core/validation.js';
import { neuronGradientsOf } from '../../engine/layer-gradients.js';
import { type NeuronMethodOptions, onlyLayer, prepareLayerCall } from '../../engine/layer-method.js';
import { type AttributionMethod, type Inputs, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { checkNeuronSelector } from '../../engine/neuron-selector.js';

/**
 * Options of {@link neuronGradient}: Captum's `NeuronGradient.attribute(...)` keyword arguments, in
 * camelCase. There is no target: the neuron is what is explained.
 *
 * @example
 * const options: NeuronGradientOptions = { layer: 'conv1', neuronSelector: [1, 2, 3] };
 */
export type NeuronGradientOptions = NeuronMethodOptions;

const KEYS = ['layer', 'neuronSelector', 'attributeToNeuronInput', 'additionalForwardArgs'] as const;

async function run(model: Model, inputs: Inputs, options?: NeuronGradientOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const c = await prepareLayerCall(checkNeuronSelector(o.neuronSelector), model, inputs, undefined, o.additionalForwardArgs, o.layer, o.attributeToNeuronInput, 'options.attributeToNeuronInput');
  if (c._tag === 'Left') return c;
  const { call } = c.right.prepared;
  const grads = tidyResult(() => ok(neuronGradientsOf(onlyLayer(c.right), call, c.right.checked)));
  return grads._tag === 'Left' ? grads : ok(mirrorForm(call.isTuple, grads.right));
}

/**
 * Captum's `NeuronGradient`: `∂a_n/∂x` for every input, `a_n` the neuron `neuronSelector` picks in
 * the layer's output (or input, `attributeToNeuronInput`), one per example. Shaped like the inputs;
 * the result belongs to the caller.
 *
 * @example
 * const model = namedStages([
 *   { name: 'fc1', fn: (x: tf.Tensor) => tf.matMul(x, tf.tensor2d([[1, -1], [2, 1]])) },
 *   { name: 'out', fn: (h: tf.Tensor) => tf.sum(h, 1, true) },
 * ]);
 * if (model._tag === 'Right') {
 *   await neuronGradient(model.right, tf.tensor2d([[1, 1]]), { layer: 'fc1', neuronSelector: 1 }); // Right(tensor [[-1, 1]])
 * }
 */
export const neuronGradient: AttributionMethod<NeuronGradientOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'neuronGradient')),
  descriptorOf('NeuronGradient'),
);
