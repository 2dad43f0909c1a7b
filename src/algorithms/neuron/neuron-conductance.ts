// Captum's NeuronConductance: how much of the output's change flows through one neuron of a layer,
// attributed to the inputs.
import * as tf from '@tensorflow/tfjs-core';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { ApproximationMethod } from '../../core/approximation-methods.js';
import type { Baselines } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { readOptions } from '../../core/options.js';
import { attemptAsync, type Result } from '../../core/validation.js';
import type { LongRunOptions } from '../../engine/chunks.js';
import { layerGradientsAndValues, neuronGradientsOf } from '../../engine/layer-gradients.js';
import type { NeuronMethodOptions } from '../../engine/layer-method.js';
import { type AttributionMethod, type Inputs, type MethodOptions, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { neuronPathIntegral } from '../../engine/neuron-path.js';
import { selectNeuron } from '../../engine/neuron-selector.js';

/**
 * Options of {@link neuronConductance}: Captum's constructor (`layer`, `multiply_by_inputs`) and
 * `attribute(...)` keyword arguments, in camelCase. The default method is `'riemann_trapezoid'`.
 *
 * @example
 * const options: NeuronConductanceOptions = { layer: 'fc1', neuronSelector: 4, target: [1, 0, 1], nSteps: 12 };
 */
export interface NeuronConductanceOptions extends NeuronMethodOptions, MethodOptions, LongRunOptions {
  /** Where the path starts, in any form {@link tensorizeBaselines} takes; zeros by default. */
  readonly baselines?: Baselines;
  /** Points on the path (Captum's `n_steps`); default 50. */
  readonly nSteps?: number;
  /** How the integral is approximated; default `'riemann_trapezoid'` (Captum's default for this method). */
  readonly method?: ApproximationMethod;
  /** Rows per gradient pass (`max(1, floor(internalBatchSize / N))` steps); the result does not depend on it. */
  readonly internalBatchSize?: number;
  /** Multiply by `inputs - baselines` (Captum's constructor flag); default true. */
  readonly multiplyByInputs?: boolean;
}

const KEYS = [
  'layer',
  'neuronSelector',
  'attributeToNeuronInput',
  'target',
  'additionalForwardArgs',
  'baselines',
  'nSteps',
  'method',
  'internalBatchSize',
  'multiplyByInputs',
  'onProgress',
  'signal',
] as const;

async function run(model: Model, inputs: Inputs, options?: NeuronConductanceOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  return neuronPathIntegral(model, inputs, fields.right, {
    defaultMethod: 'riemann_trapezoid', // Captum's default for NeuronConductance
    target: fields.right.target,
    integrand: (layer, call, resolved, selector) => {
      // ∂F/∂a at each point, reduced by the selector: one value per row (slices summed, as Captum).
      const m = selectNeuron(layerGradientsAndValues(layer, call, resolved).grads, selector); // [k·N]
      return neuronGradientsOf(layer, call, selector).map((g) => tf.mul(g, tf.reshape(m, [m.shape[0] as number, ...g.shape.slice(1).map(() => 1)]))); // ∂a_n/∂x · ∂F/∂a_n
    },
  });
}

/**
 * Captum's `NeuronConductance`: the conductance of the neuron `neuronSelector` picks, attributed to
 * the inputs: `(x - b) · Σ_j w_j (∂F/∂a_n)(p_j) · (∂a_n/∂x)(p_j)` over the path points
 * `p_j = b + α_j (x - b)`, F the target-selected output. With a range selector, as in Captum, the
 * two factors are each summed over the range before they are multiplied. The default method is
 * `'riemann_trapezoid'`. Shaped like the inputs; the result belongs to the caller.
 *
 * @example
 * const model = namedStages([
 *   { name: 'sq', fn: (x: tf.Tensor) => tf.square(x) },
 *   { name: 'out', fn: (h: tf.Tensor) => tf.sum(tf.mul(h, tf.tensor1d([1, 3])), 1, true) },
 * ]);
 * if (model._tag === 'Right') {
 *   await neuronConductance(model.right, tf.tensor2d([[1, 2]]), { layer: 'sq', neuronSelector: 1, nSteps: 100 }); // Right(tensor [[0, ~12]])
 * }
 */
export const neuronConductance: AttributionMethod<NeuronConductanceOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'neuronConductance')),
  descriptorOf('NeuronConductance'),
);
