// Captum's NeuronGradientShap: GradientShap whose gradient is that of one neuron of a layer.
import * as tf from '@tensorflow/tfjs-core';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { BaselineValue, Baselines } from '../../core/baselines.js';
import { tensorizeAgainst } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { booleanOption, readOptions } from '../../core/options.js';
import { mirrorForm } from '../../core/tensors.js';
import { tidyResult } from '../../core/tidy-result.js';
import { all, attemptAsync, ok, type Result } from '../../core/validation.js';
import type { LongRunOptions } from '../../engine/chunks.js';
import { neuronGradientsOf } from '../../engine/layer-gradients.js';
import { type NeuronMethodOptions, onlyLayer, prepareLayerCall } from '../../engine/layer-method.js';
import { type AttributionMethod, type Inputs, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { checkNeuronSelector } from '../../engine/neuron-selector.js';
import { checkSampling, drawAlphas, type Sampler, type SamplingMethod } from '../../engine/sampler.js';
import { gradientShapRun } from '../primary/gradient-shap.js';
import { scaledPoints } from '../primary/input-baseline-x-gradient.js';

interface InnerOptions extends NeuronMethodOptions {
  readonly baselines?: Baselines;
  readonly multiplyByInputs?: boolean;
  readonly seed?: number;
  readonly sampler?: Sampler;
}

const INNER_KEYS = ['layer', 'neuronSelector', 'attributeToNeuronInput', 'additionalForwardArgs', 'baselines', 'multiplyByInputs', 'seed', 'sampler'] as const;

/** InputBaselineXGradient with the neuron's gradient: `(x − b) ⊙ ∂a_n/∂x` at `α·x + (1 − α)·b`, one draw per example. */
async function runInner(model: Model, inputs: Inputs, options?: InnerOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, INNER_KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const checked = all({
    selector: checkNeuronSelector(o.neuronSelector),
    multiply: booleanOption(o.multiplyByInputs, 'options.multiplyByInputs', true),
    sampler: checkSampling(o.seed, o.sampler),
  });
  const c = await prepareLayerCall(checked, model, inputs, undefined, o.additionalForwardArgs, o.layer, o.attributeToNeuronInput, 'options.attributeToNeuronInput');
  if (c._tag === 'Left') return c;
  const { selector, multiply, sampler } = c.right.checked;
  const { call } = c.right.prepared;
  const baselines = tidyResult(() => tensorizeAgainst(call.inputs, o.baselines, 'options.baselines'));
  if (baselines._tag === 'Left') return baselines;
  try {
    const alphas = drawAlphas(sampler, { partition: 0, firstSample: 0, samples: 1, examples: call.batchSize });
    if (alphas._tag === 'Left') return alphas;
    const attributions = tidyResult(() => {
      const grads = neuronGradientsOf(onlyLayer(c.right), { ...call, inputs: scaledPoints(call.inputs, baselines.right, alphas.right) }, selector);
      return ok(grads.map((g, i) => (multiply ? tf.mul(tf.sub(call.inputs[i]!, baselines.right[i]!), g) : g)));
    });
    return attributions._tag === 'Left' ? attributions : ok(mirrorForm(call.isTuple, attributions.right));
  } finally {
    tf.dispose(baselines.right);
  }
}

const neuronInputBaselineXGradient = Object.assign(
  withDescriptor<AttributionMethod<InnerOptions>>(
    (model, inputs, options) => attemptAsync(() => runInner(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'neuronGradientShap')),
    descriptorOf('NeuronGradientShap'),
  ),
  { drawsSamples: true as const },
);

/**
 * Options of {@link neuronGradientShap}: Captum's `NeuronGradientShap(forward_func, layer,
 * multiply_by_inputs)` and `attribute(...)` keyword arguments in camelCase, plus where the draws
 * come from. There is no target: the neuron is what is explained.
 *
 * @example
 * const options: NeuronGradientShapOptions = { layer: 'fc1', neuronSelector: 2, baselines: tf.zeros([10, 3]), nSamples: 20, seed: 5 };
 */
export interface NeuronGradientShapOptions extends NeuronMethodOptions, LongRunOptions {
  /** The baseline distribution (required): per input a tensor `[B, ...]`; the first must be a tensor, later ones may be numbers. */
  readonly baselines: tf.Tensor | readonly BaselineValue[];
  /** Random (noisy input, baseline row, point) triples per example (Captum's `n_samples`); default 5. */
  readonly nSamples?: number;
  /** Standard deviation of the Gaussian noise on the inputs, one for all or one per input; default 0. */
  readonly stdevs?: number | readonly number[];
  /** Samples per gradient pass (not in Captum); as in gradientShap, full partitions share one draw of baseline rows. Default: one pass. */
  readonly nSamplesBatchSize?: number;
  /** Multiply the gradients by `x̃ − b` (Captum's constructor flag); default true. */
  readonly multiplyByInputs?: boolean;
  /** Seed of the {@link seededSampler}; 0 by default. */
  readonly seed?: number;
  /** Where the draws come from instead of a seed (baseline rows, noise, then one alpha per row, in Captum's order). */
  readonly sampler?: Sampler;
}

const KEYS = [
  'layer',
  'neuronSelector',
  'attributeToNeuronInput',
  'additionalForwardArgs',
  'baselines',
  'nSamples',
  'stdevs',
  'nSamplesBatchSize',
  'multiplyByInputs',
  'seed',
  'sampler',
  'onProgress',
  'signal',
] as const;

const run = gradientShapRun(neuronInputBaselineXGradient, KEYS);


/**
 * Captum's `NeuronGradientShap`: {@link gradientShap} of the neuron `neuronSelector` picks in the
 * layer's output (or input, `attributeToNeuronInput`): the mean over `nSamples` random triples
 * (noisy input `x̃`, baseline row `b`, point `α`) of `(x̃ − b) ⊙ ∂a_n/∂x` at `α·x̃ + (1 − α)·b`. Draws
 * in Captum's order (baseline rows, noise, alphas). A neuron that is output unit `k` gives
 * gradientShap with target `k` for the same draws; with one baseline row, no noise and alphas at a
 * Riemann rule's points it is {@link neuronIntegratedGradients} with that rule. Shaped like the
 * inputs; the result belongs to the caller.
 *
 * @example
 * const model = namedStages([
 *   { name: 'sq', fn: (x: tf.Tensor) => tf.square(x) },
 *   { name: 'out', fn: (h: tf.Tensor) => tf.sum(h, 1, true) },
 * ]);
 * if (model._tag === 'Right') {
 *   await neuronGradientShap(model.right, tf.tensor2d([[1, 2]]), { layer: 'sq', neuronSelector: 1, baselines: tf.zeros([3, 2]), nSamples: 16 });
 *   // Right(tensor [1, 2]): [0, ≈4] (x₁ · 2αx₁ averaged over α)
 * }
 */
export const neuronGradientShap: AttributionMethod<NeuronGradientShapOptions> & SamplingMethod = Object.assign(
  withDescriptor<AttributionMethod<NeuronGradientShapOptions>>(
    (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'neuronGradientShap')),
    descriptorOf('NeuronGradientShap'),
  ),
  { drawsSamples: true as const },
);
