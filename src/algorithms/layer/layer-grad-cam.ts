// Captum's LayerGradCam: a layer's activations weighted by its spatially averaged gradients.
import * as tf from '@tensorflow/tfjs-core';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { AttributionError } from '../../core/errors.js';
import { booleanOption, choiceOption, readOptions } from '../../core/options.js';
import { formatShape } from '../../core/tensors.js';
import { all, attemptAsync, type Result } from '../../core/validation.js';
import { layerGradientsAndValues } from '../../engine/layer-gradients.js';
import { type LayerAttributionMethod, type LayerMethodOptions, perLayer, prepareLayerCall } from '../../engine/layer-method.js';
import { type Inputs, withDescriptor } from '../../engine/method.js';
import { type Model, ModelFailure, modelErrorOf } from '../../engine/model.js';

/**
 * Options of {@link layerGradCam}: Captum's `LayerGradCam.attribute(...)` keyword arguments, in
 * camelCase, and the layout of the layer's tensors.
 *
 * @example
 * const options: LayerGradCamOptions = { layer: 'conv2', target: 7, reluAttributions: true };
 */
export interface LayerGradCamOptions extends LayerMethodOptions {
  /** Keep only the positive part of the map (Captum's `relu_attributions`); default false. */
  readonly reluAttributions?: boolean;
  /** Sum over the channels (Captum's `attr_dim_summation`); default true. */
  readonly attrDimSummation?: boolean;
  /**
   * Where the channels of a layer of rank 3 or more are: last (TF.js, `[N, H, W, C]`, the default)
   * or first (torch, `[N, C, H, W]`). The gradient is averaged over the other non-batch axes.
   */
  readonly layout?: 'channelsLast' | 'channelsFirst';
}

const KEYS = ['layer', 'target', 'additionalForwardArgs', 'attributeToLayerInput', 'reluAttributions', 'attrDimSummation', 'layout'] as const;

/** The Grad-CAM map of one layer tensor `a` with gradient `g` (shared with guidedGradCam). */
export function camOf(g: tf.Tensor, a: tf.Tensor, relu: boolean, summed: boolean, channelsLast: boolean): tf.Tensor {
  if (a.rank < 2) {
    throw new ModelFailure({ _tag: 'InvalidArgument', path: 'options.layer', expected: 'a layer whose tensors have a dimension beyond the batch', got: `a tensor of shape ${formatShape(a.shape)}` });
  }
  let weights = g; // rank 2: Captum does not average
  let channel = 1;
  if (a.rank > 2) {
    channel = channelsLast ? a.rank - 1 : 1;
    const spatial = Array.from({ length: a.rank - 2 }, (_, i) => (channelsLast ? i + 1 : i + 2));
    weights = tf.mean(g, spatial, true); // [N, 1, ..., C] (or [N, C, 1, ...])
  }
  const weighted = tf.mul(weights, a);
  const cam = summed ? tf.sum(weighted, channel, true) : weighted; // [N, H, W, 1], or a's shape
  return relu ? tf.relu(cam) : cam;
}

async function run(model: Model, inputs: Inputs, options?: LayerGradCamOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const checked = all({
    relu: booleanOption(o.reluAttributions, 'options.reluAttributions', false),
    summed: booleanOption(o.attrDimSummation, 'options.attrDimSummation', true),
    layout: choiceOption(o.layout, 'options.layout', 'channelsLast', ['channelsLast', 'channelsFirst'] as const),
  });
  const c = await prepareLayerCall(checked, model, inputs, o.target, o.additionalForwardArgs, o.layer, o.attributeToLayerInput, 'options.attributeToLayerInput');
  if (c._tag === 'Left') return c;
  const { call, resolved } = c.right.prepared;
  const { relu, summed, layout } = c.right.checked;
  return perLayer(c.right, (layer) => {
    const { grads, values } = layerGradientsAndValues(layer, call, resolved);
    return grads.map((g, i) => camOf(g, values[i]!, relu, summed, layout === 'channelsLast'));
  });
}

/**
 * Captum's `LayerGradCam`: for a layer tensor `a` with gradient `g = ∂F/∂a`, the gradient averaged
 * over the spatial axes (`[N, 1, 1, C]` for a `[N, H, W, C]` layer; a rank-2 `[N, F]` gradient is
 * used as it is, as in Captum), times `a`, summed over the channels: `[N, H, W, 1]` (`[N, 1]` for a
 * rank-2 layer). `attrDimSummation: false` keeps the channels; `reluAttributions: true` keeps the
 * positive part. Channels are last by default (TF.js layout); `layout: 'channelsFirst'` reads torch's.
 * Bring the map to the input's size with {@link interpolate}. The result belongs to the caller.
 *
 * @example
 * const conv = tf.randomNormal([3, 3, 1, 4], 0, 1, 'float32', 1) as tf.Tensor4D;
 * const model = namedStages([
 *   { name: 'conv1', fn: (x: tf.Tensor) => tf.relu(tf.conv2d(x as tf.Tensor4D, conv, 1, 'same')) },
 *   { name: 'head', fn: (h: tf.Tensor) => tf.sum(h, [1, 2]) }, // [N, 4] "classes"
 * ]);
 * if (model._tag === 'Right') {
 *   const cam = await layerGradCam(model.right, tf.ones([1, 8, 8, 1]), { layer: 'conv1', target: 2, reluAttributions: true });
 *   if (cam._tag === 'Right' && !Array.isArray(cam.right)) {
 *     const map = interpolate(cam.right, [32, 32], 'bilinear'); // Right(tensor [1, 32, 32, 1])
 *   }
 * }
 */
export const layerGradCam: LayerAttributionMethod<LayerGradCamOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'layerGradCam')),
  descriptorOf('LayerGradCam'),
);
