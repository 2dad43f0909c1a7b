// Captum's FeatureAblation: replace each feature by its baseline and credit it with the output's drop.
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { Baselines } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { readOptions } from '../../core/options.js';
import { mirrorForm } from '../../core/tensors.js';
import { all, attemptAsync, ok, type Result } from '../../core/validation.js';
import { checkLongRun, type LongRunOptions } from '../../engine/chunks.js';
import type { FeatureMask } from '../../engine/feature-masks.js';
import { type AttributionMethod, type Inputs, type MethodOptions, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { ablateWithMasks, PERTURBATION_INPUTS, perturbationsPerEvalOption } from '../../engine/perturbation.js';
import { prepareCall } from '../../engine/prepare-call.js';

/**
 * Options of {@link featureAblation}: Captum's `FeatureAblation.attribute(...)` keyword arguments, in camelCase.
 *
 * @example
 * const options: FeatureAblationOptions = { target: 1, baselines: 0, featureMask: tf.tensor2d([[0, 0, 1]], [1, 3], 'int32'), perturbationsPerEval: 4 };
 */
export interface FeatureAblationOptions extends MethodOptions, LongRunOptions {
  /** What an ablated feature is replaced by, in any form {@link tensorizeBaselines} takes; zeros by default. */
  readonly baselines?: Baselines;
  /** Which elements move together; every scalar is its own feature by default (ids consecutive across inputs). */
  readonly featureMask?: FeatureMask;
  /** Features ablated per forward pass (each in its own copy of the batch); default 1. The result does not depend on it. */
  readonly perturbationsPerEval?: number;
}

const KEYS = ['target', 'additionalForwardArgs', 'baselines', 'featureMask', 'perturbationsPerEval', 'onProgress', 'signal'] as const;

async function run(model: Model, inputs: Inputs, options?: FeatureAblationOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const prepared = await prepareCall(model, inputs, o.target, o.additionalForwardArgs, PERTURBATION_INPUTS);
  const checked = all({ perEval: perturbationsPerEvalOption(o.perturbationsPerEval), longRun: checkLongRun(o.onProgress, o.signal) });
  if (prepared._tag === 'Left' || checked._tag === 'Left') return all({ prepared, checked });
  const { call } = prepared.right;
  const { perEval, longRun } = checked.right;
  const result = await ablateWithMasks(prepared.right, { baselines: o.baselines, featureMask: o.featureMask, perEval, longRun });
  return result._tag === 'Left' ? result : ok(mirrorForm(call.isTuple, result.right));
}

/**
 * Captum's `FeatureAblation`: for each feature (a group of elements sharing a `featureMask` id, in
 * every input holding that id), `F(x) − F(x with the feature set to its baseline)`, given to every
 * element of the feature. Features are evaluated `perturbationsPerEval` at a time, each in its own
 * copy of the batch (rows `p·N + i`, targets and extra tensors repeated to match). Inputs may be
 * float32 or int32; the attributions are float32, shaped like the inputs when the target selects one
 * value per example (`[1, ...]` for a model returning one value per batch, `[N·K, ...]` for `K`
 * values per example), and belong to the caller.
 *
 * @example
 * const model = (x: tf.Tensor) => tf.sum(tf.mul(x, tf.tensor1d([1, 2, 3])), 1); // F = x0 + 2 x1 + 3 x2
 * const r = await featureAblation(model, tf.tensor2d([[1, 1, 1], [2, 0, 1]]));
 * // Right(tensor [[1, 2, 3], [2, 0, 3]]): the drop when each column is set to 0
 */
export const featureAblation: AttributionMethod<FeatureAblationOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'featureAblation')),
  descriptorOf('FeatureAblation'),
);
