// Captum's DeepLiftShap: DeepLift against every baseline of a distribution, averaged.
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { AttributionError } from '../../core/errors.js';
import { booleanOption, readOptions } from '../../core/options.js';
import { mirrorForm } from '../../core/tensors.js';
import { all, attemptAsync, ok, type Result } from '../../core/validation.js';
import type { LongRunOptions } from '../../engine/chunks.js';
import { type CustomAttributionFunc, deepLiftAttributions } from '../../engine/deep-lift-pass.js';
import { type BaselineDistribution, checkShapOptions, DEEP_LIFT_SHAP_KEYS, deepLiftShapPairs } from '../../engine/deep-lift-shap-pass.js';
import { ruleModel } from '../../engine/layers-walk.js';
import { type DeltaAttributionMethod, type Inputs, type MethodOptions, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { prepareCall } from '../../engine/prepare-call.js';

export type { BaselineDistribution } from '../../engine/deep-lift-shap-pass.js';

/**
 * Options of {@link deepLiftShap}: Captum's `DeepLiftShap(model, multiply_by_inputs)` and
 * `attribute(...)` keyword arguments, in camelCase, plus a batch size and progress.
 *
 * @example
 * const options: DeepLiftShapOptions = { baselines: tf.zeros([4, 3]), target: 0, internalBatchSize: 64, returnConvergenceDelta: true };
 */
export interface DeepLiftShapOptions extends MethodOptions, LongRunOptions {
  /** Required: the baseline distribution (see {@link BaselineDistribution}). */
  readonly baselines: BaselineDistribution;
  /** Multiply the multipliers by `inputs - baselines` (Captum's constructor flag); default true. */
  readonly multiplyByInputs?: boolean;
  /** Also return the convergence delta of every (example, baseline) pair, `[N·B]` in row order `i·B + j`. */
  readonly returnConvergenceDelta?: boolean;
  /** Replaces the final step of each pair (see {@link CustomAttributionFunc}); the pairs are then averaged. */
  readonly customAttributionFunc?: CustomAttributionFunc;
  /**
   * (Example, baseline) pairs per gradient pass. The `N·B` pairs (row `i·B + j`: example `i` with
   * baseline `j`) run in consecutive chunks of this many; each pass holds twice as many rows (the
   * pairs' inputs, then their baselines). Without it the pairs are split only where one pass would
   * not fit the backend. Same result either way, up to float32 summation order, except where rules
   * couple rows: the softmax rule's mean and the maxpool fallback's row 0 then span one chunk, as if
   * Captum were called on that chunk.
   */
  readonly internalBatchSize?: number;
}

const KEYS = ['target', 'additionalForwardArgs', 'returnConvergenceDelta', ...DEEP_LIFT_SHAP_KEYS] as const;

async function run(model: Model, inputs: Inputs, options?: DeepLiftShapOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const checked = all({ shap: checkShapOptions(o), withDelta: booleanOption(o.returnConvergenceDelta, 'options.returnConvergenceDelta', false) });
  const prepared = await prepareCall(model, inputs, o.target, o.additionalForwardArgs);
  if (checked._tag === 'Left' || prepared._tag === 'Left') return all({ checked, prepared });
  const { shap, withDelta } = checked.right;
  const { call, resolved } = prepared.right;
  const ruled = ruleModel(call.model, 'deepLift', call.args);
  if (ruled._tag === 'Left') return ruled;
  const r = await deepLiftShapPairs(model, inputs, o.baselines, call, resolved, { ...shap, withDelta }, (pairs, t, b) =>
    deepLiftAttributions({ ...pairs, model: ruled.right }, t, b, shap.settings),
  );
  if (r._tag === 'Left') return r;
  const attributions = mirrorForm(call.isTuple, r.right.attributions);
  return r.right.delta === undefined ? ok(attributions) : ok({ attributions, delta: r.right.delta });
}

/**
 * Captum's `DeepLiftShap`: DeepLift (see {@link deepLift}) of every example against every baseline
 * of a distribution `[B, ...]`, averaged over the baselines, an approximation of SHAP values. The
 * `N·B` (example, baseline) pairs run as one DeepLift batch (row `i·B + j`; per-example targets and
 * extra tensors repeated to match), in chunks of `internalBatchSize` pairs. Non-linearities are found
 * as for `deepLift` (tfjs-layers models) or marked with {@link attributionOps} (forward functions).
 * With `returnConvergenceDelta` the result is `{ attributions, delta }`, with one delta per pair,
 * `[N·B]` in row order `i·B + j` (not averaged), as Captum. Inputs and baselines must be float32;
 * the attributions mirror the inputs' form and belong to the caller.
 *
 * @example
 * const { relu } = attributionOps;
 * const model = (x: tf.Tensor) => tf.sum(relu(x), 1, true);
 * const x = tf.tensor2d([[1, -2]]);
 * const r = await deepLiftShap(model, x, { baselines: tf.tensor2d([[0, 0], [-1, 1]]), returnConvergenceDelta: true });
 * // Right({ attributions: tensor [[1, -0.5]], delta: tensor [0, 0] }): the mean of [1, 0] and [1, -1]
 */
export const deepLiftShap: DeltaAttributionMethod<DeepLiftShapOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'deepLiftShap')),
  descriptorOf('DeepLiftShap'),
);
