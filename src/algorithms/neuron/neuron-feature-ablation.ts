// Captum's NeuronFeatureAblation: FeatureAblation whose output is one neuron of a layer.
import type * as tf from '@tensorflow/tfjs-core';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { Baselines } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { readOptions } from '../../core/options.js';
import { mirrorForm } from '../../core/tensors.js';
import { all, attemptAsync, ok, type Result } from '../../core/validation.js';
import { checkLongRun, type LongRunOptions } from '../../engine/chunks.js';
import type { FeatureMask } from '../../engine/feature-masks.js';
import { type NeuronMethodOptions, onlyLayer, prepareLayerCall } from '../../engine/layer-method.js';
import { type AttributionMethod, type Inputs, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { checkNeuronSelector, selectNeuron } from '../../engine/neuron-selector.js';
import { ablateWithMasks, PERTURBATION_INPUTS, perturbationsPerEvalOption } from '../../engine/perturbation.js';

/**
 * Options of {@link neuronFeatureAblation}: Captum's `NeuronFeatureAblation(forward_func, layer)` and
 * `attribute(...)` keyword arguments, in camelCase. There is no target: the neuron is what is explained.
 *
 * @example
 * const options: NeuronFeatureAblationOptions = { layer: 'fc1', neuronSelector: 3, baselines: 0, perturbationsPerEval: 4 };
 */
export interface NeuronFeatureAblationOptions extends NeuronMethodOptions, LongRunOptions {
  /** What an ablated input feature is set to, in any form {@link tensorizeBaselines} takes; zeros by default. */
  readonly baselines?: Baselines;
  /** Which input elements move together; every scalar is its own feature by default (ids consecutive across inputs). */
  readonly featureMask?: FeatureMask;
  /** Features ablated per forward pass (each in its own copy of the batch); default 1. The result does not depend on it. */
  readonly perturbationsPerEval?: number;
}

const KEYS = ['layer', 'neuronSelector', 'attributeToNeuronInput', 'additionalForwardArgs', 'baselines', 'featureMask', 'perturbationsPerEval', 'onProgress', 'signal'] as const;

async function run(model: Model, inputs: Inputs, options?: NeuronFeatureAblationOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const checked = all({ selector: checkNeuronSelector(o.neuronSelector), perEval: perturbationsPerEvalOption(o.perturbationsPerEval), longRun: checkLongRun(o.onProgress, o.signal) });
  const c = await prepareLayerCall(checked, model, inputs, undefined, o.additionalForwardArgs, o.layer, o.attributeToNeuronInput, 'options.attributeToNeuronInput', false, PERTURBATION_INPUTS);
  if (c._tag === 'Left') return c;
  const { selector, perEval, longRun } = c.right.checked;
  const { call, resolved } = c.right.prepared;
  const layer = onlyLayer(c.right);
  const inputCount = call.inputs.length;
  // The model as a function whose output is the neuron, one value per example.
  const neuron = (...all: unknown[]): tf.Tensor => {
    const xs = all.slice(0, inputCount) as tf.Tensor[];
    return selectNeuron(layer.valueOf({ ...call, inputs: xs, batchSize: xs[0]!.shape[0]!, args: all.slice(inputCount) }), selector);
  };
  const result = await ablateWithMasks({ call: { ...call, model: neuron }, resolved }, { baselines: o.baselines, featureMask: o.featureMask, perEval, longRun });
  return result._tag === 'Left' ? result : ok(mirrorForm(call.isTuple, result.right));
}

/**
 * Captum's `NeuronFeatureAblation`: feature ablation (see {@link featureAblation}) with the neuron
 * `neuronSelector` picks in the layer's output (or input, `attributeToNeuronInput`) as the output:
 * each input feature (a `featureMask` group, or each scalar) gets `a_n(x) − a_n(x with the feature at
 * its baseline)`. Features are evaluated `perturbationsPerEval` at a time. Inputs may be float32 or
 * int32; the attributions are float32, shaped like the inputs, and belong to the caller.
 *
 * @example
 * const model = namedStages([
 *   { name: 'fc1', fn: (x: tf.Tensor) => tf.matMul(x, tf.tensor2d([[1, -1], [2, 1]])) },
 *   { name: 'out', fn: (h: tf.Tensor) => tf.sum(h, 1, true) },
 * ]);
 * if (model._tag === 'Right') {
 *   await neuronFeatureAblation(model.right, tf.tensor2d([[1, 1]]), { layer: 'fc1', neuronSelector: 0 }); // Right(tensor [[1, 2]])
 * }
 */
export const neuronFeatureAblation: AttributionMethod<NeuronFeatureAblationOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'neuronFeatureAblation')),
  descriptorOf('NeuronFeatureAblation'),
);
