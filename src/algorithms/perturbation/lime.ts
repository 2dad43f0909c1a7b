// Captum's Lime: a weighted linear surrogate fitted on binary perturbations of the features.
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { Baselines } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { readOptions } from '../../core/options.js';
import { attemptAsync, type Result } from '../../core/validation.js';
import type { LongRunOptions } from '../../engine/chunks.js';
import type { FeatureMask } from '../../engine/feature-masks.js';
import { type Inputs, type MethodOptions, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { attributeWithSurrogates, type InterpretableModel, type InterpretableSampleInfo, type SurrogateMethod } from '../../engine/surrogate.js';

/**
 * Options of {@link lime}: Captum's `Lime(...)` constructor and `attribute(...)` keyword arguments in
 * camelCase, plus the seed. `sampler` plays Captum's `perturb_func` in the interpretable space.
 *
 * @example
 * const options: LimeOptions = { target: 2, nSamples: 200, interpretableModel: { kind: 'lasso', alpha: 0 }, seed: 11 };
 */
export interface LimeOptions extends MethodOptions, LongRunOptions {
  /** What an absent feature takes, in any form {@link tensorizeBaselines} takes; zeros by default. */
  readonly baselines?: Baselines;
  /** The interpretable features: ids `0 … M−1` (a mask whose smallest id is not 0 is shifted, as Captum). Every scalar is its own feature by default. */
  readonly featureMask?: FeatureMask;
  /** Samples per surrogate (Captum's `n_samples`); default 25. */
  readonly nSamples?: number;
  /** Samples evaluated per forward pass; default 1. The result does not depend on it. */
  readonly perturbationsPerEval?: number;
  /** Attributions in the inputs' shapes (default), or with `false` the `[N, M]` coefficients. */
  readonly returnInputShape?: boolean;
  /** The surrogate; default `{ kind: 'lasso', alpha: 0.01 }` (Captum's `SkLearnLasso(alpha=0.01)`). */
  readonly interpretableModel?: InterpretableModel;
  /**
   * The weight of a sample from the example (all inputs flattened and concatenated), the perturbed
   * example and the sample's bits; default Captum's `exp(−(1 − cos)² / 2)` with the cosine similarity.
   */
  readonly similarityFunc?: (original: Float32Array, perturbed: Float32Array, sample: readonly number[]) => number;
  /** Sample `sample` of surrogate `example`: `M` bits; default each bit 1 with probability 0.5 on the seeded stream. */
  readonly sampler?: (info: InterpretableSampleInfo) => ArrayLike<number>;
  /** Seeds the samples (the same result on every backend); default 0. */
  readonly seed?: number;
}

const KEYS = [
  'target',
  'additionalForwardArgs',
  'baselines',
  'featureMask',
  'nSamples',
  'perturbationsPerEval',
  'returnInputShape',
  'interpretableModel',
  'similarityFunc',
  'sampler',
  'seed',
  'onProgress',
  'signal',
] as const;

async function run(model: Model, inputs: Inputs, options?: LimeOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  return attributeWithSurrogates(model, inputs, fields.right, {
    model: { kind: 'lasso', alpha: 0.01 },
    similarity: { kind: 'cosine' },
    sample: ({ featureCount, random }) => Array.from({ length: featureCount }, () => (random() < 0.5 ? 1 : 0)),
  });
}

/**
 * Captum's `Lime`: for each example (one surrogate per example when the model gives one value per
 * example; one for the batch when it gives one value per batch), `nSamples` binary samples `z` over
 * the `M` features map to inputs `where(z[feature], x, baseline)`; a linear model fitted from `z` to
 * the outputs, each sample weighted by its similarity to `x`, gives one coefficient per feature, and
 * every element gets its feature's coefficient. The default Lasso (alpha 0.01, as Captum) shrinks
 * every coefficient to 0 when the outputs vary by less than about alpha (probabilities): pass
 * `interpretableModel: { kind: 'lasso', alpha: 0 }` or `{ kind: 'linearRegression' }` then. Seeded
 * in JS; the regressions run in float64. Inputs may be float32 or int32; the float32 attributions
 * belong to the caller.
 *
 * @example
 * const model = (x: tf.Tensor) => tf.sum(tf.mul(x, tf.tensor1d([1, -2, 3])), 1); // linear: recovered exactly
 * const r = await lime(model, tf.tensor2d([[1, 1, 1]]), { nSamples: 40, interpretableModel: { kind: 'linearRegression' } });
 * // Right(tensor [[1, -2, 3]])
 */
export const lime: SurrogateMethod<LimeOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'lime')),
  descriptorOf('Lime'),
);
