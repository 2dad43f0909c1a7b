// Captum's InternalInfluence: a layer's gradients integrated along the input path.
import type * as tf from '@tensorflow/tfjs-core';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import { type ApproximationMethod, approximationParameters } from '../../core/approximation-methods.js';
import type { Baselines } from '../../core/baselines.js';
import { tensorizeAgainst } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { integerOption, optionalIntegerOption, readOptions } from '../../core/options.js';
import { tidyResult } from '../../core/tidy-result.js';
import { all, attemptAsync, ok, type Result } from '../../core/validation.js';
import { checkLongRun, type LongRunOptions } from '../../engine/chunks.js';
import { layerGradientsAndValues } from '../../engine/layer-gradients.js';
import { type LayerAttributionMethod, layerForm, type LayerMethodOptions, onlyLayer, prepareLayerCall } from '../../engine/layer-method.js';
import { type Inputs, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { approximationOption, expandedCall, pathPoints, stepsPerPass, sumOverChunks, weightedStepSum } from '../../engine/path-steps.js';

/**
 * Options of {@link internalInfluence}: Captum's `InternalInfluence.attribute(...)` keyword
 * arguments, in camelCase.
 *
 * @example
 * const options: InternalInfluenceOptions = { layer: 'fc1', target: 3, nSteps: 20, method: 'riemann_middle' };
 */
export interface InternalInfluenceOptions extends LayerMethodOptions, LongRunOptions {
  /** Where the input path starts, in any form {@link tensorizeBaselines} takes; zeros by default. */
  readonly baselines?: Baselines;
  /** Points on the path (Captum's `n_steps`); default 50. */
  readonly nSteps?: number;
  /** How the integral is approximated; default `'gausslegendre'`. */
  readonly method?: ApproximationMethod;
  /** Rows per gradient pass (`max(1, floor(internalBatchSize / N))` steps); the result does not depend on it. */
  readonly internalBatchSize?: number;
}

const KEYS = ['layer', 'target', 'additionalForwardArgs', 'attributeToLayerInput', 'baselines', 'nSteps', 'method', 'internalBatchSize', 'onProgress', 'signal'] as const;

async function run(model: Model, inputs: Inputs, options?: InternalInfluenceOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const checked = all({
    nSteps: integerOption(o.nSteps, 'options.nSteps', 50, 0),
    method: approximationOption(o.method, 'options.method', 'gausslegendre'),
    internalBatchSize: optionalIntegerOption(o.internalBatchSize, 'options.internalBatchSize', 0),
    longRun: checkLongRun(o.onProgress, o.signal),
  });
  const c = await prepareLayerCall(checked, model, inputs, o.target, o.additionalForwardArgs, o.layer, o.attributeToLayerInput, 'options.attributeToLayerInput');
  if (c._tag === 'Left') return c;
  const { nSteps, method, internalBatchSize, longRun } = c.right.checked;
  const params = approximationParameters(method, nSteps, 'options.nSteps');
  if (params._tag === 'Left') return params;
  const perPass = stepsPerPass(internalBatchSize, c.right.prepared, nSteps);
  if (perPass._tag === 'Left') return perPass;
  const layer = onlyLayer(c.right);
  const { call } = c.right.prepared;
  const baselines = tidyResult(() => tensorizeAgainst(call.inputs, o.baselines, 'options.baselines'));
  if (baselines._tag === 'Left') return baselines;
  try {
    const summed = await sumOverChunks(nSteps, perPass.right, longRun, (start, end) => {
      const alphas = params.right.alphas.slice(start, end);
      const expanded = expandedCall(c.right.prepared, pathPoints(call.inputs, baselines.right, alphas), alphas.length);
      const { grads } = layerGradientsAndValues(layer, expanded.call, expanded.resolved);
      return grads.map((g: tf.Tensor) => weightedStepSum(g, params.right.stepSizes.slice(start, end)));
    });
    return summed._tag === 'Left' ? summed : ok(layerForm(summed.right));
  } finally {
    baselines.right.forEach((t) => t.dispose());
  }
}

/**
 * Captum's `InternalInfluence`: the gradient of the target-selected output with respect to the
 * layer's tensors, integrated along the straight input path from the baselines to the inputs
 * (`Σ_j w_j ∂F/∂a(b + α_j (x - b))`, the method's points and weights), not multiplied by anything.
 * Layer-shaped; the result belongs to the caller.
 *
 * @example
 * const model = namedStages([
 *   { name: 'fc1', fn: (x: tf.Tensor) => tf.matMul(x, tf.tensor2d([[1, -1], [2, 1]])) },
 *   { name: 'out', fn: (h: tf.Tensor) => tf.sum(tf.square(h), 1, true) },
 * ]);
 * if (model._tag === 'Right') {
 *   await internalInfluence(model.right, tf.tensor2d([[1, 1]]), { layer: 'fc1' }); // Right(tensor [[3, 0]]): ∫ 2h(αx) dα = h(x)
 * }
 */
export const internalInfluence: LayerAttributionMethod<InternalInfluenceOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'internalInfluence')),
  descriptorOf('InternalInfluence'),
);
