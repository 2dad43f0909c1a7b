// Captum's DeepLift: multipliers from the rescale rules of the model's non-linearities, times (x - b).
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { Baselines } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { booleanOption, readOptions } from '../../core/options.js';
import { mirrorForm } from '../../core/tensors.js';
import { all, attemptAsync, ok, type Result } from '../../core/validation.js';
import { checkDeepLiftOptions, type CustomAttributionFunc, DEEP_LIFT_KEYS, deepLiftAttributions, withFullBaselines } from '../../engine/deep-lift-pass.js';
import { ruleModel } from '../../engine/layers-walk.js';
import { type DeltaAttributionMethod, type Inputs, type MethodOptions, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { prepareCall } from '../../engine/prepare-call.js';

/**
 * Options of {@link deepLift}: Captum's `DeepLift(model, multiply_by_inputs, eps)` and
 * `attribute(...)` keyword arguments, in camelCase.
 *
 * @example
 * const options: DeepLiftOptions = { target: 1, baselines: 0, multiplyByInputs: true, returnConvergenceDelta: true };
 */
export interface DeepLiftOptions extends MethodOptions {
  /** Reference inputs, in any form {@link tensorizeBaselines} takes; zeros by default. */
  readonly baselines?: Baselines;
  /** Multiply the multipliers by `inputs - baselines` (Captum's constructor flag); default true. */
  readonly multiplyByInputs?: boolean;
  /** Where `|x - x_ref|` at a non-linearity's input is below this, its plain gradient is used; default 1e-10. */
  readonly eps?: number;
  /** Also return `sum(attributions) - (F(inputs) - F(baselines))` per example. */
  readonly returnConvergenceDelta?: boolean;
  /** Replaces the final step (see {@link CustomAttributionFunc}); `multiplyByInputs` is then ignored, as in Captum. */
  readonly customAttributionFunc?: CustomAttributionFunc;
}

const KEYS = ['target', 'additionalForwardArgs', 'returnConvergenceDelta', ...DEEP_LIFT_KEYS] as const;

async function run(model: Model, inputs: Inputs, options?: DeepLiftOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const checked = all({ settings: checkDeepLiftOptions(o), withDelta: booleanOption(o.returnConvergenceDelta, 'options.returnConvergenceDelta', false) });
  const prepared = await prepareCall(model, inputs, o.target, o.additionalForwardArgs);
  if (checked._tag === 'Left' || prepared._tag === 'Left') return all({ checked, prepared });
  const { settings, withDelta } = checked.right;
  const { call, resolved } = prepared.right;
  const ruled = ruleModel(call.model, 'deepLift', call.args);
  if (ruled._tag === 'Left') return ruled;
  const r = await withFullBaselines(model, call, o.baselines, { withDelta, target: o.target, args: o.additionalForwardArgs }, (bs) =>
    deepLiftAttributions({ ...call, model: ruled.right }, resolved, bs, settings),
  );
  if (r._tag === 'Left') return r;
  const attributions = mirrorForm(call.isTuple, r.right.attributions);
  return r.right.delta === undefined ? ok(attributions) : ok({ attributions, delta: r.right.delta });
}

/**
 * Captum's `DeepLift` (rescale rule): for each input `x` with baseline `b`, `(x - b) · m`, where the
 * multipliers `m` come from one gradient pass in which every non-linearity passes on
 * `Δoutput / Δinput` (its output's change between input and baseline over its input's change)
 * instead of its derivative; softmax subtracts the mean, max pooling routes the change through the
 * input's or the baseline's maximum (Captum's rules, quirks included: gradient-methods-spec §5).
 * - A `tf.LayersModel` needs nothing more: its activation, ReLU, LeakyReLU, ELU, Softmax and
 *   max-pooling layers, and activations fused into dense and convolution layers, are found in the
 *   model and get the rules; the model is neither changed nor copied. A layer with a rule used at
 *   two places is refused, as Captum does.
 * - A forward function marks its non-linearities with {@link attributionOps}; it is then called
 *   once on `2N` rows, the `N` inputs followed by their `N` baselines. Written with plain tf ops it
 *   gets Captum's functional result `(x - b) · ∇F(x)`.
 *
 * With `returnConvergenceDelta` the result is `{ attributions, delta }`:
 * `delta[i] = Σ attributions[i] - (F(x)[i] - F(b)[i])`, about 0 for ReLU, sigmoid and tanh models.
 * Inputs must be float32; the attributions mirror their form and belong to the caller.
 *
 * @example
 * const { relu } = attributionOps;
 * const w = tf.tensor2d([[1, -2], [3, 1]]);
 * const model = (x: tf.Tensor) => tf.sum(relu(tf.matMul(x, w)), 1, true);
 * const x = tf.tensor2d([[1, 1], [2, 1]]);
 * const r = await deepLift(model, x, { baselines: 0, returnConvergenceDelta: true });
 * // Right({ attributions: tensor [[1, 3], [2, 3]], delta: tensor [0, 0] }): Σ attributions = F(x) - F(0) = [4, 5]
 */
export const deepLift: DeltaAttributionMethod<DeepLiftOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'deepLift')),
  descriptorOf('DeepLift'),
);
