// Captum's KernelShap: Lime with the Shapley kernel's sampling and weighted least squares.
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { Baselines } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { readOptions } from '../../core/options.js';
import { type Random, randomInt } from '../../core/random.js';
import { attemptAsync, type Result } from '../../core/validation.js';
import type { LongRunOptions } from '../../engine/chunks.js';
import type { FeatureMask } from '../../engine/feature-masks.js';
import { type Inputs, type MethodOptions, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { attributeWithSurrogates, type InterpretableSampleInfo, type SurrogateMethod } from '../../engine/surrogate.js';

/**
 * Options of {@link kernelShap}: Captum's `KernelShap.attribute(...)` keyword arguments in camelCase,
 * plus the seed and an optional sampler of interpretable samples.
 *
 * @example
 * const options: KernelShapOptions = { target: 0, nSamples: 100, featureMask: tf.tensor2d([[0, 0, 1, 2]], [1, 4], 'int32'), seed: 5 };
 */
export interface KernelShapOptions extends MethodOptions, LongRunOptions {
  /** What an absent feature takes, in any form {@link tensorizeBaselines} takes; zeros by default. */
  readonly baselines?: Baselines;
  /** The features: ids `0 … M−1` (a mask whose smallest id is not 0 is shifted, as Captum). Every scalar is its own feature by default. */
  readonly featureMask?: FeatureMask;
  /** Samples per surrogate, the all-ones and all-zeros samples included (Captum's `n_samples`); default 25. */
  readonly nSamples?: number;
  /** Samples evaluated per forward pass; default 1. The result does not depend on it. */
  readonly perturbationsPerEval?: number;
  /** Attributions in the inputs' shapes (default), or with `false` the `[N, M]` coefficients. */
  readonly returnInputShape?: boolean;
  /**
   * Sample `sample` of surrogate `example`: `M` bits. By default sample 0 is all ones, sample 1 all
   * zeros, and each later one has `k` ones (`k ∈ [1, M−1]` drawn with probability ∝ `(M−1)/(k(M−k))`)
   * at uniformly chosen features, on the seeded stream, as Captum's generator.
   */
  readonly sampler?: (info: InterpretableSampleInfo) => ArrayLike<number>;
  /** Seeds the samples (the same result on every backend); default 0. */
  readonly seed?: number;
}

const KEYS = ['target', 'additionalForwardArgs', 'baselines', 'featureMask', 'nSamples', 'perturbationsPerEval', 'returnInputShape', 'sampler', 'seed', 'onProgress', 'signal'] as const;

/** Captum's `kernel_shap_perturb_generator`, on a JS stream. */
function kernelShapSample(sample: number, m: number, random: Random): number[] {
  if (sample === 0) return Array.from({ length: m }, () => 1);
  if (sample === 1 || m < 2) return Array.from({ length: m }, () => (sample === 1 ? 0 : randomInt(random, 2)));
  const p = Array.from({ length: m - 1 }, (_, j) => (m - 1) / ((j + 1) * (m - j - 1))); // k = j + 1
  let u = random() * p.reduce((a, b) => a + b, 0);
  let k = 1;
  for (; k < m - 1 && u >= p[k - 1]!; k++) u -= p[k - 1]!;
  const order = Array.from({ length: m }, (_, i) => i);
  for (let i = 0; i < k; i++) {
    const j = i + randomInt(random, m - i);
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const z = Array.from({ length: m }, () => 0);
  for (let i = 0; i < k; i++) z[order[i]!] = 1;
  return z;
}

async function run(model: Model, inputs: Inputs, options?: KernelShapOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  return attributeWithSurrogates(model, inputs, fields.right, {
    model: { kind: 'linearRegression' },
    similarity: { kind: 'kernelShap' },
    sample: ({ sample, featureCount, random }) => kernelShapSample(sample, featureCount, random),
  });
}

/**
 * Captum's `KernelShap`: {@link lime} with the Shapley kernel. Samples with `k` of the `M` features
 * present are drawn with probability ∝ `(M−1)/(k(M−k))` (the all-ones and all-zeros samples first,
 * weighted 1e6 so that the coefficients sum to `F(x) − F(baseline)`), and the surrogate is weighted
 * least squares with an intercept, solved in float64. The coefficients approximate the Shapley values
 * and approach them as `nSamples` grows. Seeded in JS (the same on every backend). Inputs may be
 * float32 or int32; the float32 attributions belong to the caller.
 *
 * @example
 * const model = (x: tf.Tensor) => tf.sum(tf.mul(x, tf.tensor1d([1, 2, 3])), 1); // additive: exact Shapley values
 * const r = await kernelShap(model, tf.tensor2d([[1, 1, 1]]), { nSamples: 30, seed: 2 });
 * // Right(tensor [[1, 2, 3]])
 */
export const kernelShap: SurrogateMethod<KernelShapOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'kernelShap')),
  descriptorOf('KernelShap'),
);
