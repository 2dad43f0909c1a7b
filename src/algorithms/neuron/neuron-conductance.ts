// Captum's NeuronConductance: how much of the output's change flows through one neuron of a layer,
// attributed to the inputs.
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
import { layerGradientsAndValues, neuronGradientsOf } from '../../engine/layer-gradients.js';
import { type NeuronMethodOptions, onlyLayer, prepareLayerCall } from '../../engine/layer-method.js';
import { type AttributionMethod, type Inputs, type MethodOptions, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { checkNeuronSelector, selectNeuron } from '../../engine/neuron-selector.js';
import { approximationOption, expandedCall, pathPoints, stepsPerPass, sumOverChunks, weightedStepSum } from '../../engine/path-steps.js';

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
  const o = fields.right;
  const checked = all({
    selector: checkNeuronSelector(o.neuronSelector),
    nSteps: integerOption(o.nSteps, 'options.nSteps', 50, 0),
    method: approximationOption(o.method, 'options.method', 'riemann_trapezoid'),
    internalBatchSize: optionalIntegerOption(o.internalBatchSize, 'options.internalBatchSize', 0),
    multiply: booleanOption(o.multiplyByInputs, 'options.multiplyByInputs', true),
    longRun: checkLongRun(o.onProgress, o.signal),
  });
  const c = await prepareLayerCall(checked, model, inputs, o.target, o.additionalForwardArgs, o.layer, o.attributeToNeuronInput, 'options.attributeToNeuronInput');
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
      // ∂F/∂a at each point, reduced by the selector: one value per row (slices summed, as Captum).
      const { grads } = layerGradientsAndValues(layer, expanded.call, expanded.resolved);
      const m = selectNeuron(grads, selector); // [k·N]
      const neuron = neuronGradientsOf(layer, expanded.call, selector); // ∂a_n/∂x, [k·N, ...] per input
      return neuron.map((g, i) => {
        const scaled = tf.mul(g, tf.reshape(m, [m.shape[0] as number, ...g.shape.slice(1).map(() => 1)]));
        const integrated = weightedStepSum(scaled, params.right.stepSizes.slice(start, end)); // [N, ...]
        return multiply ? tf.mul(integrated, tf.sub(call.inputs[i]!, baselines.right[i]!)) : integrated;
      });
    });
    return summed._tag === 'Left' ? summed : ok(mirrorForm(call.isTuple, summed.right));
  } finally {
    baselines.right.forEach((t) => t.dispose());
  }
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
