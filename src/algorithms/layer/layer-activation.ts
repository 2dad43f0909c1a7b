// Captum's LayerActivation: the tensors a layer returns (or receives) when the model runs.
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { AttributionError } from '../../core/errors.js';
import { readOptions } from '../../core/options.js';
import { attemptAsync, ok, type Result } from '../../core/validation.js';
import type { LayerRef } from '../../engine/layer-reach.js';
import { type MultiLayerAttributionMethod, perLayer, prepareLayerCall } from '../../engine/layer-method.js';
import { withDescriptor, type Inputs } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';

/**
 * Options of {@link layerActivation}: Captum's `LayerActivation(forward_func, layer)` and
 * `attribute(...)` keyword arguments, in camelCase. There is no target.
 *
 * @example
 * const options: LayerActivationOptions = { layer: ['conv1', 'fc1'], attributeToLayerInput: false };
 */
export interface LayerActivationOptions {
  /** The layer, or a list of layers (the result is then a list). */
  readonly layer: LayerRef | readonly LayerRef[];
  readonly attributeToLayerInput?: boolean;
  readonly additionalForwardArgs?: unknown;
}

const KEYS = ['layer', 'attributeToLayerInput', 'additionalForwardArgs'] as const;

async function run(model: Model, inputs: Inputs, options?: LayerActivationOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const c = await prepareLayerCall(ok(undefined), model, inputs, undefined, o.additionalForwardArgs, o.layer, o.attributeToLayerInput, 'options.attributeToLayerInput', true);
  if (c._tag === 'Left') return c;
  const { call } = c.right.prepared;
  return perLayer(c.right, (layer) => layer.valueOf(call));
}

/**
 * Captum's `LayerActivation`: the layer's tensors (what it returns, or with `attributeToLayerInput`
 * what it receives) for the inputs, from one forward pass. Rank-4 layers come back `[N, H, W, C]`.
 * With a list of layers the result is a list, one entry per layer. The model is a `tf.LayersModel`
 * (sequential or functional) or a {@link namedStages} model; the tensors returned belong to the caller.
 *
 * @example
 * const model = namedStages([
 *   { name: 'fc1', fn: (x: tf.Tensor) => tf.matMul(x, tf.tensor2d([[1, -1], [2, 1]])) },
 *   { name: 'relu1', fn: (h: tf.Tensor) => tf.relu(h) },
 * ]);
 * if (model._tag === 'Right') {
 *   await layerActivation(model.right, tf.tensor2d([[1, 1]]), { layer: 'fc1' });                      // Right(tensor [[3, 0]])
 *   await layerActivation(model.right, tf.tensor2d([[1, 1]]), { layer: 'relu1', attributeToLayerInput: true }); // the same
 *   await layerActivation(model.right, tf.tensor2d([[1, 1]]), { layer: ['fc1', 'relu1'] });          // Right([fc1, relu1])
 * }
 */
export const layerActivation: MultiLayerAttributionMethod<Omit<LayerActivationOptions, 'layer'>> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'layerActivation')),
  descriptorOf('LayerActivation'),
);
