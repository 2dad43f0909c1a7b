// Captum's ShapleyValues: exact Shapley values of the features, over every permutation.
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { Baselines } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { readOptions } from '../../core/options.js';
import { mirrorForm } from '../../core/tensors.js';
import { attemptAsync, fail, ok, type Result } from '../../core/validation.js';
import type { LongRunOptions } from '../../engine/chunks.js';
import { type FeatureMask, featureCount } from '../../engine/feature-masks.js';
import { type AttributionMethod, type Inputs, type MethodOptions, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { disposeSetup, lexicographicPermutations, prepareShapley, runShapley } from '../../engine/shapley.js';

/**
 * Options of {@link shapleyValues}: Captum's `ShapleyValues.attribute(...)` keyword arguments, in camelCase.
 *
 * @example
 * const options: ShapleyValuesOptions = { target: 0, baselines: 0, featureMask: tf.tensor2d([[0, 0, 1, 2]], [1, 4], 'int32'), perturbationsPerEval: 3 };
 */
export interface ShapleyValuesOptions extends MethodOptions, LongRunOptions {
  /** The values of an absent feature, in any form {@link tensorizeBaselines} takes; zeros by default. */
  readonly baselines?: Baselines;
  /** Which elements move together; ids `0 … T−1` (an id no element uses still counts). Every scalar is its own feature by default. */
  readonly featureMask?: FeatureMask;
  /** Steps of one permutation evaluated per forward pass; default 1. The result does not depend on it. */
  readonly perturbationsPerEval?: number;
}

/** The most features exact Shapley values are computed for: `T!·T` forward passes grow too fast beyond it. */
export const MAX_EXACT_FEATURES = 10;

const KEYS = ['target', 'additionalForwardArgs', 'baselines', 'featureMask', 'perturbationsPerEval', 'onProgress', 'signal'] as const;

async function run(model: Model, inputs: Inputs, options?: ShapleyValuesOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const setup = await prepareShapley(model, inputs, fields.right, ok(undefined));
  if (setup._tag === 'Left') return setup;
  try {
    const features = featureCount(setup.right.masks);
    if (features > MAX_EXACT_FEATURES) {
      return fail({
        _tag: 'InvalidArgument',
        path: 'options.featureMask',
        expected: `at most ${MAX_EXACT_FEATURES} features for exact Shapley values (${features}! permutations otherwise); group them with a featureMask or use shapleyValueSampling`,
        got: `${features} features`,
      });
    }
    let count = 1;
    for (let i = 2; i <= features; i++) count *= i;
    const result = await runShapley(setup.right.prepared, { baselines: setup.right.baselines, masks: setup.right.masks, permutations: count, permutation: lexicographicPermutations(features) }, setup.right.perEval, setup.right.run);
    return result._tag === 'Left' ? result : ok(mirrorForm(setup.right.prepared.call.isTuple, result.right));
  } finally {
    disposeSetup(setup.right);
  }
}

/**
 * Captum's `ShapleyValues`: the exact Shapley value of each feature (a group of elements sharing a
 * `featureMask` id, across inputs), averaging its marginal contribution `F(S ∪ {g}) − F(S)` over all
 * `T!` orders in which the features can be switched from their baselines to the inputs. The values
 * of one example sum to `F(x) − F(baselines)` (efficiency). At most 10
 * features (Captum only warns); use {@link shapleyValueSampling} beyond. Inputs may be float32 or
 * int32; the float32 attributions have the shape of the selected output followed by each input's
 * non-batch dimensions (the inputs' shapes for one value per example) and belong to the caller.
 *
 * @example
 * const model = (x: tf.Tensor) => tf.prod(x, 1); // F = x0 · x1: each feature gets half the product
 * const r = await shapleyValues(model, tf.tensor2d([[2, 3]]));
 * // Right(tensor [[3, 3]])
 */
export const shapleyValues: AttributionMethod<ShapleyValuesOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'shapleyValues')),
  descriptorOf('ShapleyValues'),
);
