// Captum's ShapleyValueSampling: Shapley values estimated over sampled permutations of the features.
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { Baselines } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { functionOption, integerOption, readOptions } from '../../core/options.js';
import { type Random, randomPermutation, seededRandom } from '../../core/random.js';
import { mirrorForm } from '../../core/tensors.js';
import { all, attemptAsync, ok, type Result } from '../../core/validation.js';
import type { LongRunOptions } from '../../engine/chunks.js';
import { type FeatureMask, featureCount } from '../../engine/feature-masks.js';
import { type AttributionMethod, type Inputs, type MethodOptions, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { failWith, isPermutation, readNumbers, samplerError, seedOption } from '../../engine/perturbation.js';
import { disposeSetup, prepareShapley, runShapley } from '../../engine/shapley.js';

/**
 * What a permutation sampler of {@link shapleyValueSampling} is told: which sample (0-based), how many
 * features, and the call's seeded uniform stream (so a custom sampler stays reproducible).
 *
 * @example
 * const reversed = (info: PermutationSampleInfo) => Array.from({ length: info.featureCount }, (_, i) => info.featureCount - 1 - i);
 */
export interface PermutationSampleInfo {
  readonly sample: number;
  readonly featureCount: number;
  /** The call's seeded stream of uniforms in `[0, 1)`, for samplers that want to draw part of their values. */
  readonly random: () => number;
}

/**
 * Options of {@link shapleyValueSampling}: Captum's `ShapleyValueSampling.attribute(...)` keyword
 * arguments in camelCase, plus the seed and an optional sampler (Captum draws `torch.randperm`).
 *
 * @example
 * const options: ShapleyValueSamplingOptions = { target: 1, nSamples: 50, seed: 7, perturbationsPerEval: 8 };
 * const replay: ShapleyValueSamplingOptions = { nSamples: 2, sampler: ({ sample }) => [[0, 1, 2], [2, 0, 1]][sample]! };
 */
export interface ShapleyValueSamplingOptions extends MethodOptions, LongRunOptions {
  /** The values of an absent feature, in any form {@link tensorizeBaselines} takes; zeros by default. */
  readonly baselines?: Baselines;
  /** Which elements move together; ids `0 … T−1`. Every scalar is its own feature by default. */
  readonly featureMask?: FeatureMask;
  /** Permutations sampled (Captum's `n_samples`); default 25. */
  readonly nSamples?: number;
  /** Steps of one permutation evaluated per forward pass; default 1. The result does not depend on it. */
  readonly perturbationsPerEval?: number;
  /** Seeds the permutations (the same result on every backend); default 0. */
  readonly seed?: number;
  /** Returns permutation `sample` of `0 … featureCount−1`; uniform (Fisher-Yates on the seeded stream) by default. */
  readonly sampler?: (info: PermutationSampleInfo) => ArrayLike<number>;
}

const KEYS = ['target', 'additionalForwardArgs', 'baselines', 'featureMask', 'nSamples', 'perturbationsPerEval', 'seed', 'sampler', 'onProgress', 'signal'] as const;

/** Draws permutation `t` with `sampler` (or uniformly), checking what a caller's sampler returns. */
export function permutationSource(features: number, random: Random, sampler: ShapleyValueSamplingOptions['sampler']): (t: number) => number[] {
  return (t) => {
    if (sampler === undefined) return randomPermutation(random, features);
    let value: unknown;
    try {
      value = sampler({ sample: t, featureCount: features, random });
    } catch (e) {
      return failWith({ _tag: 'InvalidArgument', path: 'options.sampler', expected: 'a sampler that returns a permutation', got: `a sampler that threw (${e instanceof Error ? e.message : String(e)})` });
    }
    const p = readNumbers(value);
    if (p === undefined || !isPermutation(p, features)) return failWith(samplerError('options.sampler', `a permutation of 0…${features - 1} for sample ${t}`, p === undefined ? value : `[${p.slice(0, 12).join(',')}${p.length > 12 ? ',…' : ''}]`));
    return p;
  };
}

async function run(model: Model, inputs: Inputs, options?: ShapleyValueSamplingOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const own = all({ nSamples: integerOption(o.nSamples, 'options.nSamples', 25, 1), seed: seedOption(o.seed), sampler: functionOption<ShapleyValueSamplingOptions['sampler']>(o.sampler, 'options.sampler') });
  const setup = await prepareShapley(model, inputs, o, own);
  if (setup._tag === 'Left' || own._tag === 'Left') return setup;
  try {
    const { nSamples, seed, sampler } = own.right;
    const permutation = permutationSource(featureCount(setup.right.masks), seededRandom(seed), sampler);
    const result = await runShapley(setup.right.prepared, { baselines: setup.right.baselines, masks: setup.right.masks, permutations: nSamples, permutation }, setup.right.perEval, setup.right.run);
    return result._tag === 'Left' ? result : ok(mirrorForm(setup.right.prepared.call.isTuple, result.right));
  } finally {
    disposeSetup(setup.right);
  }
}

/**
 * Captum's `ShapleyValueSampling`: the Shapley values of the features (groups of elements sharing a
 * `featureMask` id, across inputs) estimated over `nSamples` random orders: along each order the
 * features are switched from their baselines to the inputs one by one, and each gets the output
 * change its switch caused; the estimates are the means over the orders. Each order's changes sum to
 * `F(x) − F(baselines)`, so the estimates do too. Seeded in JS (the same on every backend); a
 * `sampler` may supply the orders. Inputs may be float32 or int32; the float32 attributions have the
 * inputs' shapes for one value per example and belong to the caller.
 *
 * @example
 * const model = (x: tf.Tensor) => tf.sum(tf.mul(x, tf.tensor1d([1, 2, 3])), 1); // additive: exact for any order
 * const r = await shapleyValueSampling(model, tf.tensor2d([[1, 1, 1]]), { nSamples: 4, seed: 1 });
 * // Right(tensor [[1, 2, 3]])
 */
export const shapleyValueSampling: AttributionMethod<ShapleyValueSamplingOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'shapleyValueSampling')),
  descriptorOf('ShapleyValueSampling'),
);
