// Captum's NeuronIntegratedGradients: integrated gradients of one neuron of a layer.
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { ApproximationMethod } from '../../core/approximation-methods.js';
import type { Baselines } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { readOptions } from '../../core/options.js';
import { attemptAsync, type Result } from '../../core/validation.js';
import type { LongRunOptions } from '../../engine/chunks.js';
import { neuronGradientsOf } from '../../engine/layer-gradients.js';
import type { NeuronMethodOptions } from '../../engine/layer-method.js';
import { type AttributionMethod, type Inputs, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { neuronPathIntegral } from '../../engine/neuron-path.js';

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
  return neuronPathIntegral(model, inputs, fields.right, {
    defaultMethod: 'gausslegendre',
    target: undefined, // no target: the neuron is what is explained
    integrand: (layer, call, _resolved, selector) => neuronGradientsOf(layer, call, selector), // ∂a_n/∂x
  });
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
