// Captum's LayerGradientShap: GradientShap with the gradients taken at a layer. A smoothgrad noise
// tunnel around LayerInputBaselineXGradient (the layer gradient at one random point between a
// baseline row and the noisy input, times the layer's a(x̃) − a(b)), baselines drawn from a distribution.
import * as tf from '@tensorflow/tfjs-core';
import { convergenceDelta } from '../../attribution/convergence-delta.js';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { BaselineValue, Baselines } from '../../core/baselines.js';
import { tensorizeAgainst } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { booleanOption, readOptions } from '../../core/options.js';
import { tidyResult } from '../../core/tidy-result.js';
import { all, attemptAsync, ok, type Result } from '../../core/validation.js';
import type { LongRunOptions } from '../../engine/chunks.js';
import { layerGradientsAndValues } from '../../engine/layer-gradients.js';
import { type LayerDeltaAttributionMethod, layerForm, type LayerMethodOptions, onlyLayer, prepareLayerCall } from '../../engine/layer-method.js';
import { type Inputs, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { checkSampling, drawAlphas, type Sampler, type SamplingMethod } from '../../engine/sampler.js';
import { gradientShapRun } from '../primary/gradient-shap.js';
import { scaledPoints } from '../primary/input-baseline-x-gradient.js';

interface InnerOptions extends LayerMethodOptions {
  readonly baselines?: Baselines;
  readonly multiplyByInputs?: boolean;
  readonly returnConvergenceDelta?: boolean;
  readonly seed?: number;
  readonly sampler?: Sampler;
}

const INNER_KEYS = ['layer', 'target', 'additionalForwardArgs', 'attributeToLayerInput', 'baselines', 'multiplyByInputs', 'returnConvergenceDelta', 'seed', 'sampler'] as const;

/** Captum's LayerInputBaselineXGradient: one draw per example, `(a(x) − a(b)) ⊙ ∂F/∂a` at `a(α·x + (1 − α)·b)`. */
async function runInner(model: Model, inputs: Inputs, options?: InnerOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, INNER_KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const checked = all({
    multiply: booleanOption(o.multiplyByInputs, 'options.multiplyByInputs', true),
    withDelta: booleanOption(o.returnConvergenceDelta, 'options.returnConvergenceDelta', false),
    sampler: checkSampling(o.seed, o.sampler),
  });
  const c = await prepareLayerCall(checked, model, inputs, o.target, o.additionalForwardArgs, o.layer, o.attributeToLayerInput, 'options.attributeToLayerInput');
  if (c._tag === 'Left') return c;
  const { multiply, withDelta, sampler } = c.right.checked;
  const { call, resolved } = c.right.prepared;
  const layer = onlyLayer(c.right);
  const baselines = tidyResult(() => tensorizeAgainst(call.inputs, o.baselines, 'options.baselines'));
  if (baselines._tag === 'Left') return baselines;
  try {
    const alphas = drawAlphas(sampler, { partition: 0, firstSample: 0, samples: 1, examples: call.batchSize });
    if (alphas._tag === 'Left') return alphas;
    const attributions = tidyResult(() => {
      const { grads } = layerGradientsAndValues(layer, { ...call, inputs: scaledPoints(call.inputs, baselines.right, alphas.right) }, resolved);
      if (!multiply) return ok(grads);
      const ax = layer.valueOf(call);
      const ab = layer.valueOf({ ...call, inputs: baselines.right });
      return ok(grads.map((g, i) => tf.mul(tf.sub(ax[i]!, ab[i]!), g)));
    });
    if (attributions._tag === 'Left' || !withDelta) return attributions._tag === 'Left' ? attributions : ok(layerForm(attributions.right));
    const delta = await convergenceDelta(model, { attributions: attributions.right, endPoint: call.inputs, startPoint: baselines.right, target: o.target as never, additionalForwardArgs: o.additionalForwardArgs });
    if (delta._tag === 'Left') {
      tf.dispose(attributions.right);
      return delta;
    }
    return ok({ attributions: layerForm(attributions.right), delta: delta.right });
  } finally {
    tf.dispose(baselines.right);
  }
}

const layerInputBaselineXGradient = Object.assign(
  withDescriptor<LayerDeltaAttributionMethod<InnerOptions>>(
    (model, inputs, options) => attemptAsync(() => runInner(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'layerGradientShap')),
    descriptorOf('LayerInputBaselineXGradient'),
  ),
  { drawsSamples: true as const },
);

/**
 * Options of {@link layerGradientShap}: Captum's `LayerGradientShap(forward_func, layer,
 * multiply_by_inputs)` and `attribute(...)` keyword arguments in camelCase, plus where the draws come from.
 *
 * @example
 * const options: LayerGradientShapOptions = { layer: 'fc1', baselines: tf.zeros([10, 3]), nSamples: 20, stdevs: 0.1, target: 0, seed: 5 };
 */
export interface LayerGradientShapOptions extends LayerMethodOptions, LongRunOptions {
  /** The baseline distribution (required): per input a tensor `[B, ...]`; the first must be a tensor, later ones may be numbers. */
  readonly baselines: tf.Tensor | readonly BaselineValue[];
  /** Random (noisy input, baseline row, point) triples per example (Captum's `n_samples`); default 5. */
  readonly nSamples?: number;
  /** Standard deviation of the Gaussian noise on the inputs, one for all or one per input; default 0. */
  readonly stdevs?: number | readonly number[];
  /** Samples per gradient pass (not in Captum); as in gradientShap, full partitions share one draw of baseline rows. Default: one pass. */
  readonly nSamplesBatchSize?: number;
  /** Multiply the layer gradients by `a(x̃) − a(b)` (Captum's constructor flag); default true. */
  readonly multiplyByInputs?: boolean;
  /** Also return the input-level delta of every sample, `Σ attributions − (F(x̃) − F(b))`: `[N · nSamples]`, row `i·nSamples + s`. */
  readonly returnConvergenceDelta?: boolean;
  /** Seed of the {@link seededSampler}; 0 by default. */
  readonly seed?: number;
  /** Where the draws come from instead of a seed (baseline rows, noise, then one alpha per row, in Captum's order). */
  readonly sampler?: Sampler;
}

const KEYS = [
  'layer',
  'target',
  'additionalForwardArgs',
  'attributeToLayerInput',
  'baselines',
  'nSamples',
  'stdevs',
  'nSamplesBatchSize',
  'multiplyByInputs',
  'returnConvergenceDelta',
  'seed',
  'sampler',
  'onProgress',
  'signal',
] as const;

const run = gradientShapRun(layerInputBaselineXGradient, KEYS);


/**
 * Captum's `LayerGradientShap`: {@link gradientShap} with the gradients taken at a layer. For each
 * example it draws `nSamples` triples (the input plus Gaussian noise `stdevs`, a random row `b` of
 * the baseline distribution per input, a point `α` uniform in [0, 1)) and averages
 * `(a(x̃) − a(b)) ⊙ ∂F/∂a` taken at `a(α·x̃ + (1 − α)·b)`, `a` the layer's output (or input,
 * `attributeToLayerInput`). It is a smoothgrad noise tunnel around Captum's
 * LayerInputBaselineXGradient and draws in Captum's order, so recorded draws replay through
 * {@link replaySampler}. With one baseline row, no noise and alphas at a Riemann rule's points it is
 * {@link internalInfluence} times `a(x) − a(b)` (and {@link layerIntegratedGradients} for a layer
 * affine in the inputs). Layer-shaped; with `returnConvergenceDelta`, `{ attributions, delta }`,
 * one input-level delta per sample. The result belongs to the caller.
 *
 * @example
 * const model = namedStages([
 *   { name: 'fc1', fn: (x: tf.Tensor) => tf.matMul(x, tf.tensor2d([[1, -1], [2, 1]])) },
 *   { name: 'out', fn: (h: tf.Tensor) => tf.sum(tf.square(h), 1, true) },
 * ]);
 * if (model._tag === 'Right') {
 *   const r = await layerGradientShap(model.right, tf.tensor2d([[1, 1]]), { layer: 'fc1', baselines: tf.zeros([4, 2]), nSamples: 8, seed: 1 });
 *   // Right(tensor [1, 2]): ≈ [9, 0] on average over α (fc1 = [3, 0], ∂F/∂h = 2αh)
 * }
 */
export const layerGradientShap: LayerDeltaAttributionMethod<LayerGradientShapOptions> & SamplingMethod = Object.assign(
  withDescriptor<LayerDeltaAttributionMethod<LayerGradientShapOptions>>(
    (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'layerGradientShap')),
    descriptorOf('LayerGradientShap'),
  ),
  { drawsSamples: true as const },
);
