// Captum's LayerGradientXActivation: a layer's gradient times its activation.
import * as tf from '@tensorflow/tfjs-core';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { AttributionError } from '../../core/errors.js';
import { booleanOption, readOptions } from '../../core/options.js';
import { attemptAsync, type Result } from '../../core/validation.js';
import { layerGradientsAndValues } from '../../engine/layer-gradients.js';
import type { LayerRef } from '../../engine/layer-reach.js';
import { type MultiLayerAttributionMethod, perLayer, prepareLayerCall } from '../../engine/layer-method.js';
import { type Inputs, type MethodOptions, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';

/**
 * Options of {@link layerGradientXActivation}: Captum's constructor (`layer`, `multiply_by_inputs`)
 * and `attribute(...)` keyword arguments, in camelCase.
 *
 * @example
 * const options: LayerGradientXActivationOptions = { layer: 'fc1', target: 4, multiplyByInputs: true };
 */
export interface LayerGradientXActivationOptions extends MethodOptions {
  /** The layer, or a list of layers (the result is then a list). */
  readonly layer: LayerRef | readonly LayerRef[];
  readonly attributeToLayerInput?: boolean;
  /** Multiply the gradient by the activation (Captum's constructor flag); default true. */
  readonly multiplyByInputs?: boolean;
}

const KEYS = ['layer', 'target', 'additionalForwardArgs', 'attributeToLayerInput', 'multiplyByInputs'] as const;

async function run(model: Model, inputs: Inputs, options?: LayerGradientXActivationOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const multiply = booleanOption(o.multiplyByInputs, 'options.multiplyByInputs', true);
  const c = await prepareLayerCall(multiply, model, inputs, o.target, o.additionalForwardArgs, o.layer, o.attributeToLayerInput, 'options.attributeToLayerInput', true);
  if (c._tag === 'Left') return c;
  const { call, resolved } = c.right.prepared;
  return perLayer(c.right, (layer) => {
    const { grads, values } = layerGradientsAndValues(layer, call, resolved);
    return grads.map((g, i) => (c.right.checked ? tf.mul(g, values[i]!) : g));
  });
}

/**
 * Captum's `LayerGradientXActivation`: `∂F/∂a ⊙ a` for the layer's tensors `a` (its output, or its
 * input with `attributeToLayerInput`), F the target-selected output; the gradient alone with
 * `multiplyByInputs: false`. One forward and one backward pass. A list of layers gives a list. The
 * model is a `tf.LayersModel` or a {@link namedStages} model; the result belongs to the caller.
 *
 * @example
 * const model = namedStages([
 *   { name: 'fc1', fn: (x: tf.Tensor) => tf.matMul(x, tf.tensor2d([[1, -1], [2, 1]])) },
 *   { name: 'out', fn: (h: tf.Tensor) => tf.matMul(h, tf.tensor2d([[3], [5]])) },
 * ]);
 * if (model._tag === 'Right') {
 *   await layerGradientXActivation(model.right, tf.tensor2d([[1, 1]]), { layer: 'fc1' }); // Right(tensor [[9, 0]]): [3, 5] ⊙ [3, 0]
 * }
 */
export const layerGradientXActivation: MultiLayerAttributionMethod<Omit<LayerGradientXActivationOptions, 'layer'>> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'layerGradientXActivation')),
  descriptorOf('LayerGradientXActivation'),
);
