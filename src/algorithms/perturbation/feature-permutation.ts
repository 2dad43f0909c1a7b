// Captum's FeaturePermutation: shuffle each feature across the batch and credit it with the output's drop.
import * as tf from '@tensorflow/tfjs-core';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { AttributionError } from '../../core/errors.js';
import { functionOption, readOptions } from '../../core/options.js';
import { type Random, randomPermutation, seededRandom } from '../../core/random.js';
import { mirrorForm } from '../../core/tensors.js';
import { all, attemptAsync, fail, ok, type Result } from '../../core/validation.js';
import { checkLongRun, type LongRunOptions } from '../../engine/chunks.js';
import { checkFeatureMask, disposeMasks, type FeatureMask, featureOrder, readFeatureMasks } from '../../engine/feature-masks.js';
import { type AttributionMethod, type Inputs, type MethodOptions, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { checkPerturbedBatch, failWith, flatRows, isPermutation, PERTURBATION_INPUTS, perturbationsPerEvalOption, readNumbers, runAblation, samplerError, seedOption } from '../../engine/perturbation.js';
import { prepareCall } from '../../engine/prepare-call.js';

/**
 * What a row-permutation sampler of {@link featurePermutation} is told: the draw's index (0-based, in
 * Captum's order), the batch size, and the call's seeded uniform stream.
 *
 * @example
 * const rotate = (info: RowPermutationInfo) => Array.from({ length: info.batchSize }, (_, i) => (i + 1) % info.batchSize);
 */
export interface RowPermutationInfo {
  readonly draw: number;
  readonly batchSize: number;
  /** The call's seeded stream of uniforms in `[0, 1)`, for samplers that want to draw part of their values. */
  readonly random: () => number;
}

/**
 * Options of {@link featurePermutation}: Captum's `FeaturePermutation.attribute(...)` keyword arguments
 * in camelCase, plus the seed and an optional sampler of row permutations (Captum's `torch.randperm`).
 *
 * @example
 * const options: FeaturePermutationOptions = { target: 0, featureMask: tf.tensor2d([[0, 0, 1]], [1, 3], 'int32'), seed: 3 };
 */
export interface FeaturePermutationOptions extends MethodOptions, LongRunOptions {
  /** Which elements move together; every scalar is its own feature by default (ids consecutive across inputs). */
  readonly featureMask?: FeatureMask;
  /** Features permuted per forward pass (each in its own copy of the batch); default 1. With the default sampler the draws, and so the result, depend on it as in Captum. */
  readonly perturbationsPerEval?: number;
  /** Seeds the permutations (the same result on every backend); default 0. */
  readonly seed?: number;
  /**
   * Returns permutation `draw` of the batch rows `0 … batchSize−1`, used as given; by default a
   * uniform permutation of the seeded stream, drawn again while it is the identity (as Captum).
   * Draws come per group of features, per input the group touches (in input order), one per feature.
   */
  readonly sampler?: (info: RowPermutationInfo) => ArrayLike<number>;
}

const KEYS = ['target', 'additionalForwardArgs', 'featureMask', 'perturbationsPerEval', 'seed', 'sampler', 'onProgress', 'signal'] as const;

function rowPermutations(n: number, random: Random, sampler: FeaturePermutationOptions['sampler']): () => number[] {
  let draw = 0;
  return () => {
    const t = draw++;
    if (sampler === undefined) {
      for (;;) {
        const p = randomPermutation(random, n);
        if (p.some((v, i) => v !== i)) return p;
      }
    }
    let value: unknown;
    try {
      value = sampler({ draw: t, batchSize: n, random });
    } catch (e) {
      return failWith({ _tag: 'InvalidArgument', path: 'options.sampler', expected: 'a sampler that returns a permutation', got: `a sampler that threw (${e instanceof Error ? e.message : String(e)})` });
    }
    const p = readNumbers(value);
    if (p === undefined || !isPermutation(p, n)) return failWith(samplerError('options.sampler', `a permutation of the rows 0…${n - 1} for draw ${t}`, p === undefined ? value : `[${p.join(',')}]`));
    return p;
  };
}

async function run(model: Model, inputs: Inputs, options?: FeaturePermutationOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const prepared = await prepareCall(model, inputs, o.target, o.additionalForwardArgs, PERTURBATION_INPUTS);
  const checked = all({
    perEval: perturbationsPerEvalOption(o.perturbationsPerEval),
    seed: seedOption(o.seed),
    sampler: functionOption<FeaturePermutationOptions['sampler']>(o.sampler, 'options.sampler'),
    longRun: checkLongRun(o.onProgress, o.signal),
  });
  if (prepared._tag === 'Left' || checked._tag === 'Left') return all({ prepared, checked });
  const { call } = prepared.right;
  const { perEval, seed, sampler, longRun } = checked.right;
  if (call.batchSize < 2) return fail({ _tag: 'InvalidArgument', path: 'inputs', expected: 'a batch of at least 2 examples (features are permuted across the batch)', got: `a batch of ${call.batchSize}` });
  const maskForm = checkFeatureMask(o.featureMask, call.inputs);
  const both = all({ maskForm, budget: checkPerturbedBatch(call.inputs, perEval, 'a feature-permutation pass') });
  if (both._tag === 'Left') return both;
  const masks = await readFeatureMasks(both.right.maskForm, call.inputs, Array.isArray(o.featureMask));
  if (masks._tag === 'Left') return masks;
  try {
    const read = masks.right;
    const holds = read.map((m) => new Set(m.unique));
    const next = rowPermutations(call.batchSize, seededRandom(seed), sampler);
    const result = await runAblation(
      prepared.right,
      {
        features: featureOrder(read),
        selection: (i, group) => {
          if (!group.some((g) => holds[i]!.has(g))) return undefined;
          const m = read[i]!;
          return tf.equal(tf.expandDims(m.tensor, 0), tf.tensor(group, [group.length, ...m.shape.map(() => 1)], 'int32')); // [k, 1 or N, D]
        },
        replacement: (i, group) => {
          const x = flatRows(call.inputs[i]!);
          return tf.stack(group.map(() => tf.gather(x, tf.tensor1d(next(), 'int32')))); // [k, N, D]: x[perm_j] in block j
        },
      },
      perEval,
      longRun,
    );
    return result._tag === 'Left' ? result : ok(mirrorForm(call.isTuple, result.right));
  } finally {
    disposeMasks(masks.right);
  }
}

/**
 * Captum's `FeaturePermutation`: each feature (a group of elements sharing a `featureMask` id, across
 * inputs) is shuffled across the batch (`x'[i] = x[perm[i]]` on its elements), and every element of
 * it gets `F(x) − F(x')`: the permutation importance of the feature for each example. Needs at least
 * two examples. Seeded in JS (the same on every backend); a `sampler` may supply the permutations.
 * Inputs may be float32 or int32; the float32 attributions have the inputs' shapes for one value per
 * example and belong to the caller.
 *
 * @example
 * const model = (x: tf.Tensor) => tf.sum(tf.mul(x, tf.tensor1d([1, 0])), 1); // only column 0 matters
 * const r = await featurePermutation(model, tf.tensor2d([[1, 5], [3, 7]]), { seed: 1 });
 * // Right(tensor [[-2, 0], [2, 0]]): rows swap, column 0 moves the output by ∓2, column 1 never
 */
export const featurePermutation: AttributionMethod<FeaturePermutationOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'featurePermutation')),
  descriptorOf('FeaturePermutation'),
);
