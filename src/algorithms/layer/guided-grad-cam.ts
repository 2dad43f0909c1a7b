// Captum's GuidedGradCam: GuidedBackprop's attributions times the layer's Grad-CAM map upsampled to
// each input.
import * as tf from '@tensorflow/tfjs-core';
import { interpolate, type InterpolateMode } from '../../attribution/interpolate.js';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { AttributionError } from '../../core/errors.js';
import { choiceOption, readOptions } from '../../core/options.js';
import { mirrorForm } from '../../core/tensors.js';
import { tidyResult } from '../../core/tidy-result.js';
import { attemptAsync, ok, type Result } from '../../core/validation.js';
import { layerGradientsAndValues } from '../../engine/layer-gradients.js';
import { type LayerMethodOptions, onlyLayer, prepareLayerCall } from '../../engine/layer-method.js';
import { type AttributionMethod, type Inputs, withDescriptor } from '../../engine/method.js';
import { type Model, ModelFailure, modelErrorOf } from '../../engine/model.js';
import { ruleGradientList } from '../../engine/rule-gradients.js';
import { camOf } from './layer-grad-cam.js';

/**
 * Options of {@link guidedGradCam}: Captum's `GuidedGradCam(model, layer)` and `attribute(...)`
 * keyword arguments, in camelCase.
 *
 * @example
 * const options: GuidedGradCamOptions = { layer: 'conv2', target: 7, interpolateMode: 'bilinear' };
 */
export interface GuidedGradCamOptions extends LayerMethodOptions {
  /** How the Grad-CAM map is resized to each input (see {@link interpolate}); default `'nearest'`, as Captum. */
  readonly interpolateMode?: InterpolateMode;
}

const KEYS = ['layer', 'target', 'additionalForwardArgs', 'attributeToLayerInput', 'interpolateMode'] as const;
const MODES: readonly InterpolateMode[] = ['nearest', 'nearest-exact', 'linear', 'bilinear', 'bicubic', 'trilinear', 'area'];

/**
 * `gbp ⊙ cam` resized to the input's spatial size (`[N, H, W, C]` input, `[N, h, w, 1]` map). Where
 * the map cannot be resized to the input (its spatial dims are not the input's in number, as for a
 * `[N, F]` input, or the mode does not suit its rank), Captum catches the failure and gives an empty
 * tensor of shape `[0]` for that input; so does this.
 */
function guided(gbp: tf.Tensor, cam: tf.Tensor, mode: InterpolateMode): tf.Tensor {
  const spatial = gbp.shape.slice(1, -1);
  const resized = spatial.length === 0 ? undefined : interpolate(cam, spatial, mode);
  if (resized === undefined || resized._tag === 'Left') return tf.zeros([0]);
  return tf.mul(gbp, resized.right);
}

async function run(model: Model, inputs: Inputs, options?: GuidedGradCamOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const mode = choiceOption(o.interpolateMode, 'options.interpolateMode', 'nearest', MODES);
  const c = await prepareLayerCall(mode, model, inputs, o.target, o.additionalForwardArgs, o.layer, o.attributeToLayerInput, 'options.attributeToLayerInput');
  if (c._tag === 'Left') return c;
  const { call, resolved } = c.right.prepared;
  const layer = onlyLayer(c.right);
  // Captum's LayerGradCam with relu_attributions=True, summed over the channels.
  const cam = tidyResult(() => {
    const { grads, values } = layerGradientsAndValues(layer, call, resolved);
    if (grads.length !== 1) {
      throw new ModelFailure({ _tag: 'InvalidArgument', path: 'options.layer', expected: 'a layer with one tensor (GuidedGradCam takes no layer that returns or receives several)', got: `layer '${layer.name}' with ${grads.length} tensors` });
    }
    return ok(camOf(grads[0]!, values[0]!, true, true, true));
  });
  if (cam._tag === 'Left') return cam;
  try {
    const gbp = ruleGradientList(c.right.prepared, 'guidedBackprop');
    if (gbp._tag === 'Left') return gbp;
    try {
      const out = tidyResult(() => ok(gbp.right.map((g) => guided(g, cam.right, c.right.checked))));
      return out._tag === 'Left' ? out : ok(mirrorForm(call.isTuple, out.right));
    } finally {
      tf.dispose(gbp.right);
    }
  } finally {
    cam.right.dispose();
  }
}

/**
 * Captum's `GuidedGradCam`: {@link guidedBackprop}'s attributions times the layer's Grad-CAM map
 * ({@link layerGradCam} with `reluAttributions: true`, summed over the channels) resized to each
 * input with {@link interpolate} (`interpolateMode`, nearest by default). Channels are last: a
 * `[N, h, w, 1]` map is resized to the `[H, W]` of an `[N, H, W, C]` input and broadcast over its
 * channels. As in Captum, an input the map cannot be resized to (a `[N, F]` input, whose shape has
 * no spatial dims, or a map and input whose spatial ranks differ) gets an empty tensor of shape `[0]`
 * instead of attributions, where Captum warns; the other inputs are unaffected. The layer must have
 * one tensor. Shaped like the inputs; the result belongs to the caller.
 *
 * @example
 * const kernel = tf.tensor4d([1, -1, 0.5, 2], [2, 2, 1, 1]);
 * const model = namedStages([
 *   { name: 'conv', fn: (x: tf.Tensor) => attributionOps.relu(tf.conv2d(x as tf.Tensor4D, kernel, 2, 'valid')) }, // [N, 2, 2, 1]
 *   { name: 'head', fn: (h: tf.Tensor) => tf.reshape(h, [-1, 4]) },
 * ]);
 * if (model._tag === 'Right') {
 *   const x = tf.tensor4d([1, 2, 0, 1, 3, 1, 1, 0, 0, 1, 2, 2, 1, 1, 0, 3], [1, 4, 4, 1]);
 *   await guidedGradCam(model.right, x, { layer: 'conv', target: 0 });
 *   // Right(tensor [1, 4, 4, 1]): 0.625 × [[1, -1], [0.5, 2]] in the top-left 2×2 block (the map there: conv[0] / 4), 0 elsewhere
 *   await guidedGradCam(model.right, tf.ones([1, 4, 4, 1]), { layer: 'conv', target: 0, interpolateMode: 'bilinear' }); // Right(tensor [1, 4, 4, 1])
 * }
 */
export const guidedGradCam: AttributionMethod<GuidedGradCamOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'guidedGradCam')),
  descriptorOf('GuidedGradCam'),
);
