// Captum's NeuronIntegratedGradients: integrated gradients of one neuron of a layer.
import * as tf from '@tensorflow/tfjs-core';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import { type ApproximationMethod, approximationParameters } from '../../core/approximation-methods.js';
import type { Baselines } from '../../core/baselines.js';
import { tensorizeAgainst } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { booleanOption, integerOption, optionalIntegerOption, readOptions } from '../../core/options.js';
import { mirrorForm } from '../../core/tensors.js';
import { tidyResult } from '../../core/tidy-result.js';
import { all, attemptAsync, ok, type Result } from '../../core/validation.js';
import { checkLongRun, type LongRunOptions } from '../../engine/chunks.js';
import { neuronGradientsOf } from '../../engine/layer-gradients.js';
import { type NeuronMethodOptions, onlyLayer, prepareLayerCall } from '../../engine/layer-method.js';
import { type AttributionMethod, type Inputs, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { checkNeuronSelector } from '../../engine/neuron-selector.js';
import { approximationOption, expandedCall, pathPoints, stepsPerPass, sumOverChunks, weightedStepSum } from '../../engine/path-steps.js';

/**
 * Options of {@link neuronIntegratedGradients}: Captum's constructor (`layer`, `multiply_by_inputs`)
 * and `attribute(...)` keyword arguments, in camelCase.
 *
 * @example
 * const options: NeuronIntegratedGradientsOptions = { layer: 'relu1', neuronSelector: 1, nSteps: 20 };
 */
export interface NeuronIntegratedGradientsOptions extends NeuronMethodOptions, LongRunOptions {
  /** Where the path starts, in any form {@link tensorizeBaselines} takes; zeros by default. */
  readonly baselines?: Baselines;
  /** Points on the path (Captum's `n_steps`); default 50. */
  readonly nSteps?: number;
  /** How the integral is approximated; default `'gausslegendre'`. */
  readonly method?: ApproximationMethod;
  /** Rows per gradient pass (`max(1, floor(internalBatchSize / N))` steps); the result does not depend on it. */
  readonly internalBatchSize?: number;
  /** Multiply by `inputs - baselines` (Captum's constructor flag); default true. */
  readonly multiplyByInputs?: boolean;
}

const KEYS = ['layer', 'neuronSelector', 'attributeToNeuronInput', 'additionalForwardArgs', 'baselines', 'nSteps', 'method', 'internalBatchSize', 'multiplyByInputs', 'onProgress', 'signal'] as const;

async function run(model: Model, inputs: Inputs, options?: NeuronIntegratedGradientsOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const checked = all({
    selector: checkNeuronSelector(o.neuronSelector),
    nSteps: integerOption(o.nSteps, 'options.nSteps', 50, 0),
    method: approximationOption(o.method, 'options.method', 'gausslegendre'),
    internalBatchSize: optionalIntegerOption(o.internalBatchSize, 'options.internalBatchSize', 0),
    multiply: booleanOption(o.multiplyByInputs, 'options.multiplyByInputs', true),
    longRun: checkLongRun(o.onProgress, o.signal),
  });
  const c = await prepareLayerCall(checked, model, inputs, undefined, o.additionalForwardArgs, o.layer, o.attributeToNeuronInput, 'options.attributeToNeuronInput');
  if (c._tag === 'Left') return c;
  const { selector, nSteps, method, internalBatchSize, multiply, longRun } = c.right.checked;
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
      const grads = neuronGradientsOf(layer, expanded.call, selector);
      return grads.map((g, i) => {
        const integrated = weightedStepSum(g, params.right.stepSizes.slice(start, end)); // [N, ...]
        return multiply ? tf.mul(integrated, tf.sub(call.inputs[i]!, baselines.right[i]!)) : integrated;
      });
    });
    return summed._tag === 'Left' ? summed : ok(mirrorForm(call.isTuple, summed.right));
  } finally {
    baselines.right.forEach((t) => t.dispose());
  }
}

/**
 * Captum's `NeuronIntegratedGradients`: integrated gradients (see {@link integratedGradients}) of
 * the neuron `neuronSelector` picks in the layer, `(x - b) · ∫₀¹ ∂a_n/∂x (b + α(x - b)) dα`, with the
 * same step-major path, chunking and `multiplyByInputs` as integrated gradients. No target: the
 * neuron is what is explained. Shaped like the inputs; the result belongs to the caller.
 *
 * @example
 * const model = namedStages([
 *   { name: 'sq', fn: (x: tf.Tensor) => tf.square(x) },
 *   { name: 'out', fn: (h: tf.Tensor) => tf.sum(h, 1, true) },
 * ]);
 * if (model._tag === 'Right') {
 *   await neuronIntegratedGradients(model.right, tf.tensor2d([[1, 2]]), { layer: 'sq', neuronSelector: 1 }); // Right(tensor [[0, 4]])
 * }
 */
export const neuronIntegratedGradients: AttributionMethod<NeuronIntegratedGradientsOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'neuronIntegratedGradients')),
  descriptorOf('NeuronIntegratedGradients'),
);
