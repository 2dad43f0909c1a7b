// Captum's LayerFeatureAblation: FeatureAblation over a layer's units. Each unit (or group of units
// sharing a `layerMask` id) is set to its baseline in the layer's value, the rest of the model runs
// from the changed value, and the unit is credited with the drop of the target-selected output.
import * as tf from '@tensorflow/tfjs-core';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { Baselines } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { readOptions } from '../../core/options.js';
import { tidyResult } from '../../core/tidy-result.js';
import { all, attemptAsync, ok, type Result } from '../../core/validation.js';
import { checkLongRun, type LongRunOptions } from '../../engine/chunks.js';
import type { FeatureMask } from '../../engine/feature-masks.js';
import { type LayerAttributionMethod, layerForm, type LayerMethodOptions, onlyLayer, prepareLayerCall } from '../../engine/layer-method.js';
import { type Inputs, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { ablateWithMasks, PERTURBATION_INPUTS, perturbationsPerEvalOption } from '../../engine/perturbation.js';
import type { PreparedCall } from '../../engine/prepare-call.js';

/**
 * Options of {@link layerFeatureAblation}: Captum's `LayerFeatureAblation(forward_func, layer)` and
 * `attribute(...)` keyword arguments, in camelCase.
 *
 * @example
 * const options: LayerFeatureAblationOptions = { layer: 'conv1', target: 3, layerBaselines: 0, perturbationsPerEval: 8 };
 */
export interface LayerFeatureAblationOptions extends LayerMethodOptions, LongRunOptions {
  /** What an ablated layer unit is set to, in any form {@link tensorizeBaselines} takes against the layer's tensors; zeros by default. */
  readonly layerBaselines?: Baselines;
  /** Which layer units move together (a {@link FeatureMask} against the layer's tensors, `[1 or N, ...layer dims]`); every unit on its own by default. */
  readonly layerMask?: FeatureMask;
  /** Units ablated per forward pass (each in its own copy of the batch); default 1. The result does not depend on it. */
  readonly perturbationsPerEval?: number;
}

const KEYS = ['layer', 'target', 'additionalForwardArgs', 'attributeToLayerInput', 'layerBaselines', 'layerMask', 'perturbationsPerEval', 'onProgress', 'signal'] as const;

async function run(model: Model, inputs: Inputs, options?: LayerFeatureAblationOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const checked = all({ perEval: perturbationsPerEvalOption(o.perturbationsPerEval), longRun: checkLongRun(o.onProgress, o.signal) });
  const c = await prepareLayerCall(checked, model, inputs, o.target, o.additionalForwardArgs, o.layer, o.attributeToLayerInput, 'options.attributeToLayerInput', false, PERTURBATION_INPUTS);
  if (c._tag === 'Left') return c;
  const { perEval, longRun } = c.right.checked;
  const { call, resolved } = c.right.prepared;
  const layer = onlyLayer(c.right);
  const values = tidyResult(() => ok(layer.valueOf(call))); // the layer's tensors: what is ablated
  if (values._tag === 'Left') return values;
  const count = values.right.length;
  const inputCount = call.inputs.length;
  // A forward function of (layer tensors, model inputs, extra arguments): the model run from the layer.
  // The model inputs ride along as extra arguments, so each perturbed copy of the layer value gets
  // its own copy of them (a branch around the layer sees the real inputs), and per-example targets
  // are repeated with the copies (Captum's LayerFeatureAblation forgets to; see the README).
  const fromLayer = (...all: unknown[]): tf.Tensor => {
    const layerValue = all.slice(0, count) as tf.Tensor[];
    const modelInputs = all.slice(count, count + inputCount) as tf.Tensor[];
    return layer.runFrom({ ...call, inputs: modelInputs, batchSize: modelInputs[0]!.shape[0]!, args: all.slice(count + inputCount) }, layerValue);
  };
  const prepared: PreparedCall = {
    call: { model: fromLayer, inputs: values.right, isTuple: count > 1, batchSize: call.batchSize, args: [...call.inputs, ...call.args] },
    resolved,
  };
  try {
    const result = await ablateWithMasks(prepared, {
      baselines: o.layerBaselines,
      featureMask: o.layerMask,
      perEval,
      longRun,
      baselinesPath: 'options.layerBaselines',
      maskPath: 'options.layerMask',
    });
    return result._tag === 'Left' ? result : ok(layerForm(result.right));
  } finally {
    tf.dispose(values.right);
  }
}

/**
 * Captum's `LayerFeatureAblation`: feature ablation (see {@link featureAblation}) over the units of a
 * layer's output (or input, `attributeToLayerInput`). With `a` the layer's tensors for the inputs,
 * each unit (or group of units sharing a `layerMask` id) is set to `layerBaselines` (0 by default),
 * the rest of the model runs from the changed `a` (branches that bypass the layer see the real
 * inputs), and the unit gets `F(x) − F(x with the unit ablated)`. Units are evaluated
 * `perturbationsPerEval` at a time, each in its own copy of the batch; per-example targets are
 * repeated with the copies. Layer-shaped (`[N, H, W, C]` for conv layers); the result belongs to the caller.
 *
 * @example
 * const model = namedStages([
 *   { name: 'fc1', fn: (x: tf.Tensor) => tf.matMul(x, tf.tensor2d([[1, -1], [2, 1]])) },
 *   { name: 'out', fn: (h: tf.Tensor) => tf.sum(tf.relu(h), 1, true) },
 * ]);
 * if (model._tag === 'Right') {
 *   await layerFeatureAblation(model.right, tf.tensor2d([[1, 1]]), { layer: 'fc1', target: 0 }); // Right(tensor [[3, 0]]): fc1 = [3, 0]
 * }
 */
export const layerFeatureAblation: LayerAttributionMethod<LayerFeatureAblationOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'layerFeatureAblation')),
  descriptorOf('LayerFeatureAblation'),
);
