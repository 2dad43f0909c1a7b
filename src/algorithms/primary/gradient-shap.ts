// Captum's GradientShap: a smoothgrad noise tunnel around InputBaselineXGradient whose baselines are a
// distribution, each noisy row paired with a random baseline row.
import type * as tf from '@tensorflow/tfjs-core';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import { describeValue, isTensor } from '../../core/arguments.js';
import type { BaselineValue } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { readOptions } from '../../core/options.js';
import { attemptAsync, fail, type Result } from '../../core/validation.js';
import type { LongRunOptions } from '../../engine/chunks.js';
import { type DeltaAttributionMethod, type Inputs, type MethodOptions, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import type { Sampler, SamplingMethod } from '../../engine/sampler.js';
import { noiseTunnel } from '../wrappers/noise-tunnel.js';
import { inputBaselineXGradient } from './input-baseline-x-gradient.js';

/**
 * Options of {@link gradientShap}: Captum's `GradientShap(forward_func, multiply_by_inputs)` and
 * `attribute(...)` keyword arguments in camelCase, plus where the draws come from.
 *
 * @example
 * const options: GradientShapOptions = { baselines: tf.zeros([10, 3]), nSamples: 20, stdevs: 0.1, target: 0, seed: 5 };
 */
export interface GradientShapOptions extends MethodOptions, LongRunOptions {
  /**
   * The baseline distribution (required): per input a tensor `[B, ...]` of `B` reference examples
   * with the input's example shape; the first must be a tensor, later ones may be numbers.
   */
  readonly baselines: tf.Tensor | readonly BaselineValue[];
  /** Random (noisy input, baseline row, point) triples per example (Captum's `n_samples`); default 5. */
  readonly nSamples?: number;
  /** Standard deviation of the Gaussian noise on the inputs, one for all or one per input; default 0. */
  readonly stdevs?: number | readonly number[];
  /**
   * Samples per gradient pass (not in Captum, which runs all `N · nSamples` rows at once); with it,
   * as in Captum's noise tunnel, full partitions share one draw of baseline rows. Default: one pass.
   */
  readonly nSamplesBatchSize?: number;
  /** Multiply the gradients by `input - baseline` (Captum's constructor flag); default true. */
  readonly multiplyByInputs?: boolean;
  /** Also return the convergence delta of every sample: `[N · nSamples]`, row `i·nSamples + s`. */
  readonly returnConvergenceDelta?: boolean;
  /** Seed of the {@link seededSampler}; 0 by default. */
  readonly seed?: number;
  /** Where the draws come from instead of a seed (e.g. {@link replaySampler} with Captum's). */
  readonly sampler?: Sampler;
}

const KEYS = [
  'target',
  'additionalForwardArgs',
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

/**
 * Captum's check that GradientShap's baselines are a distribution: "Baselines distribution has to be
 * provided in a form of a torch.Tensor" (the first one; later ones may be numbers). A Left, or
 * undefined when they are.
 */
export function requireDistribution(baselines: unknown): Result<never> | undefined {
  const first = Array.isArray(baselines) ? (baselines as unknown[])[0] : baselines;
  if (isTensor(first) && first.rank > 0) return undefined;
  const path = Array.isArray(baselines) ? 'options.baselines[0]' : 'options.baselines';
  const got = isTensor(first) ? 'a 0-d tensor' : describeValue(first);
  const error: AttributionError =
    first === undefined && !Array.isArray(baselines)
      ? { _tag: 'InvalidArgument', path, expected: 'a baseline distribution: a tensor [B, ...] (GradientShap needs one)', got }
      : { _tag: 'BaselineTypeInvalid', path, got: `${got} (the first baseline must be a distribution tensor [B, ...])` };
  return fail(error);
}

type Run = (model: Model, inputs: Inputs, options?: unknown) => Promise<Result<unknown>>;

/**
 * GradientShap over one of the InputBaselineXGradient forms (of the inputs, a layer or a neuron):
 * the options named in `keys` read, Captum's distribution check, then a smoothgrad noise tunnel
 * around `inner` that draws the baselines from the distribution. The layer and neuron forms share it.
 */
export function gradientShapRun(inner: unknown, keys: readonly string[]): Run {
  const tunnel = noiseTunnel(inner as never) as unknown as Run;
  return async (model, inputs, options) => {
    const fields = readOptions(options, keys);
    if (fields._tag === 'Left') return fields;
    const o = fields.right;
    const distribution = requireDistribution(o['baselines']);
    if (distribution !== undefined) return distribution;
    const passed = Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
    return tunnel(model, inputs, { ...passed, stdevs: o['stdevs'] ?? 0, ntType: 'smoothgrad', drawBaselineFromDistrib: true });
  };
}

const run = gradientShapRun(inputBaselineXGradient, KEYS);

/**
 * Captum's `GradientShap`: an expected-gradients estimate of SHAP values. For each example it draws
 * `nSamples` triples: the input plus Gaussian noise (`stdevs`), a random row `b` of the baseline
 * distribution (per input, independently) and a point `α` uniform in [0, 1); it takes
 * `(x̃ - b) · ∇F(α·x̃ + (1 - α)·b)` and averages over the samples. It is exactly
 * `noiseTunnel(inputBaselineXGradient)` with `ntType: 'smoothgrad'` and `drawBaselineFromDistrib:
 * true`, and draws in Captum's order (baseline rows, noise, alphas), so Captum's recorded draws
 * replay through {@link replaySampler}. With `returnConvergenceDelta` the result is
 * `{ attributions, delta }`, one delta per sample (`[N · nSamples]`). Inputs must be float32; the
 * attributions mirror their form and belong to the caller.
 *
 * @example
 * const model = (x: tf.Tensor) => tf.sum(tf.square(x), 1, true);
 * const baselines = tf.randomUniform([8, 3], -1, 1, 'float32', 1); // a distribution of 8 reference rows
 * const r = await gradientShap(model, tf.ones([2, 3]), { baselines, nSamples: 10, seed: 1, returnConvergenceDelta: true });
 * // Right({ attributions: tensor [2, 3], delta: tensor [20], one per (example, sample) row })
 */
export const gradientShap: DeltaAttributionMethod<GradientShapOptions> & SamplingMethod = Object.assign(
  withDescriptor<DeltaAttributionMethod<GradientShapOptions>>(
    (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'gradientShap')),
    descriptorOf('GradientShap'),
  ),
  { drawsSamples: true as const },
);
