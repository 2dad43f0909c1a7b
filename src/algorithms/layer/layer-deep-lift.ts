// Captum's LayerDeepLift and LayerDeepLiftShap: DeepLift's multipliers taken at a layer, times the
// layer's a(x) − a(b); averaged over a baseline distribution for the Shap form.
import * as tf from '@tensorflow/tfjs-core';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { Baselines } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { booleanOption, readOptions } from '../../core/options.js';
import type { LongRunOptions } from '../../engine/chunks.js';
import { all, attemptAsync, ok, type Result } from '../../core/validation.js';
import { checkDeepLiftOptions, type CustomAttributionFunc, DEEP_LIFT_KEYS, layerDeepLiftAttributions, withFullBaselines } from '../../engine/deep-lift-pass.js';
import { type BaselineDistribution, checkShapOptions, DEEP_LIFT_SHAP_KEYS, deepLiftShapPairs } from '../../engine/deep-lift-shap-pass.js';
import { type LayerDeltaAttributionMethod, layerForm, type LayerMethodOptions, prepareLayerCall, ruledLayer } from '../../engine/layer-method.js';
import { type Inputs, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';

/**
 * Options of {@link layerDeepLift}: Captum's `LayerDeepLift(model, layer, multiply_by_inputs)` and
 * `attribute(...)` keyword arguments, in camelCase.
 *
 * @example
 * const options: LayerDeepLiftOptions = { layer: 'fc1', target: 1, baselines: 0, returnConvergenceDelta: true };
 */
export interface LayerDeepLiftOptions extends LayerMethodOptions {
  /** Reference inputs, in any form {@link tensorizeBaselines} takes; zeros by default. */
  readonly baselines?: Baselines;
  /** Multiply the multipliers by the layer's `a(x) − a(b)` (Captum's constructor flag); default true. */
  readonly multiplyByInputs?: boolean;
  /** Where `|x − x_ref|` at a non-linearity's input is below this, its plain gradient is used; default 1e-10. */
  readonly eps?: number;
  /** Also return the input-level `Σ attributions − (F(inputs) − F(baselines))` per example. */
  readonly returnConvergenceDelta?: boolean;
  /** Replaces the final step, called with the layer's multipliers, `a(x)` and `a(b)` (see {@link CustomAttributionFunc}). */
  readonly customAttributionFunc?: CustomAttributionFunc;
}

const KEYS = ['layer', 'target', 'additionalForwardArgs', 'attributeToLayerInput', 'returnConvergenceDelta', ...DEEP_LIFT_KEYS] as const;

async function run(model: Model, inputs: Inputs, options?: LayerDeepLiftOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const checked = all({ settings: checkDeepLiftOptions(o), withDelta: booleanOption(o.returnConvergenceDelta, 'options.returnConvergenceDelta', false) });
  const c = await prepareLayerCall(checked, model, inputs, o.target, o.additionalForwardArgs, o.layer, o.attributeToLayerInput, 'options.attributeToLayerInput');
  if (c._tag === 'Left') return c;
  const { settings, withDelta } = c.right.checked;
  const { call, resolved } = c.right.prepared;
  const layer = ruledLayer(c.right, 'deepLift');
  if (layer._tag === 'Left') return layer;
  const r = await withFullBaselines(model, call, o.baselines, { withDelta, target: o.target, args: o.additionalForwardArgs }, (bs) =>
    layerDeepLiftAttributions(layer.right, call, resolved, bs, settings),
  );
  return r._tag === 'Left' ? r : ok(withLayerDelta(r.right));
}

/** A layer method's result in Captum's form: the layer's tensors, with the delta beside them when asked. */
const withLayerDelta = (r: { attributions: tf.Tensor[]; delta?: tf.Tensor1D }): unknown =>
  r.delta === undefined ? layerForm(r.attributions) : { attributions: layerForm(r.attributions), delta: r.delta };

/**
 * Captum's `LayerDeepLift`: DeepLift (see {@link deepLift}) with the multipliers taken at a layer.
 * The model runs once on the inputs followed by their baselines (`2N` rows) under DeepLift's rules
 * (a tf.LayersModel's non-linear layers, or a forward function's {@link attributionOps}); the
 * multipliers `m` of the target-selected output with respect to the layer's tensors `a` (its
 * output, or its input with `attributeToLayerInput`) at the input rows give `(a(x) − a(b)) ⊙ m`
 * (`m` alone with `multiplyByInputs: false`). Layer-shaped; with `returnConvergenceDelta`, the
 * input-level `Σ attributions − (F(x) − F(b))`. The result belongs to the caller.
 *
 * @example
 * const { relu } = attributionOps;
 * const model = namedStages([
 *   { name: 'fc1', fn: (x: tf.Tensor) => tf.matMul(x, tf.tensor2d([[1, -2], [3, 1]])) },
 *   { name: 'out', fn: (h: tf.Tensor) => tf.sum(relu(h), 1, true) },
 * ]);
 * if (model._tag === 'Right') {
 *   await layerDeepLift(model.right, tf.tensor2d([[1, 1]]), { layer: 'fc1', returnConvergenceDelta: true });
 *   // Right({ attributions: tensor [[4, 0]], delta: tensor [0] }): fc1 = [4, -1], relu passes only the first
 * }
 */
export const layerDeepLift: LayerDeltaAttributionMethod<LayerDeepLiftOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'layerDeepLift')),
  descriptorOf('LayerDeepLift'),
);

/**
 * Options of {@link layerDeepLiftShap}: Captum's `LayerDeepLiftShap(model, layer, multiply_by_inputs)`
 * and `attribute(...)` keyword arguments, in camelCase, plus a batch size and progress (as
 * {@link deepLiftShap}'s).
 *
 * @example
 * const options: LayerDeepLiftShapOptions = { layer: 'fc1', target: 0, baselines: tf.zeros([4, 3]), returnConvergenceDelta: true };
 */
export interface LayerDeepLiftShapOptions extends LayerMethodOptions, LongRunOptions {
  /** Required: the baseline distribution, in the inputs' space (see {@link BaselineDistribution}). */
  readonly baselines: BaselineDistribution;
  /** Multiply the layer's multipliers by `a(x) − a(b)` (Captum's constructor flag); default true. */
  readonly multiplyByInputs?: boolean;
  /** Also return the input-level convergence delta of every (example, baseline) pair, `[N·B]` in row order `i·B + j`. */
  readonly returnConvergenceDelta?: boolean;
  /** Replaces the final step of each pair, called with the layer's multipliers, `a(x)` and `a(b)` (see {@link CustomAttributionFunc}). */
  readonly customAttributionFunc?: CustomAttributionFunc;
  /** (Example, baseline) pairs per pass, as {@link DeepLiftShapOptions.internalBatchSize}; by default as many as fit. */
  readonly internalBatchSize?: number;
}

const SHAP_KEYS = ['layer', 'target', 'additionalForwardArgs', 'attributeToLayerInput', 'returnConvergenceDelta', ...DEEP_LIFT_SHAP_KEYS] as const;

async function runShap(model: Model, inputs: Inputs, options?: LayerDeepLiftShapOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, SHAP_KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const checked = all({ shap: checkShapOptions(o), withDelta: booleanOption(o.returnConvergenceDelta, 'options.returnConvergenceDelta', false) });
  const c = await prepareLayerCall(checked, model, inputs, o.target, o.additionalForwardArgs, o.layer, o.attributeToLayerInput, 'options.attributeToLayerInput');
  if (c._tag === 'Left') return c;
  const { shap, withDelta } = c.right.checked;
  const { call, resolved } = c.right.prepared;
  const layer = ruledLayer(c.right, 'deepLift');
  if (layer._tag === 'Left') return layer;
  const r = await deepLiftShapPairs(model, inputs, o.baselines, call, resolved, { ...shap, withDelta }, (pairs, t, b) =>
    layerDeepLiftAttributions(layer.right, pairs, t, b, shap.settings),
  );
  return r._tag === 'Left' ? r : ok(withLayerDelta(r.right));
}

/**
 * Captum's `LayerDeepLiftShap`: {@link layerDeepLift} of every example against every row of a
 * baseline distribution `[B, ...]` (in the inputs' space), averaged over the baselines. The `N·B`
 * (example, baseline) pairs run as in {@link deepLiftShap} (row `i·B + j`, per-example targets and
 * extra tensors repeated to match, chunks of `internalBatchSize` pairs, each pass on `2·pairs` rows
 * under DeepLift's rules); each pair gets `(a(x) − a(b_j)) ⊙ m` at the layer. Layer-shaped; with
 * `returnConvergenceDelta`, one input-level delta per pair, `[N·B]` in row order `i·B + j` (not
 * averaged), as Captum. The result belongs to the caller.
 *
 * @example
 * const { relu } = attributionOps;
 * const model = namedStages([
 *   { name: 'fc1', fn: (x: tf.Tensor) => tf.matMul(x, tf.tensor2d([[1, -2], [3, 1]])) },
 *   { name: 'out', fn: (h: tf.Tensor) => tf.sum(relu(h), 1, true) },
 * ]);
 * if (model._tag === 'Right') {
 *   await layerDeepLiftShap(model.right, tf.tensor2d([[1, 1]]), { layer: 'fc1', baselines: tf.tensor2d([[0, 0], [1, 0]]) });
 *   // Right(tensor [[3.5, 0]]): the mean of [4, 0] (against 0) and [3, 0] (against [1, 0], where fc1 = [1, -2])
 * }
 */
export const layerDeepLiftShap: LayerDeltaAttributionMethod<LayerDeepLiftShapOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => runShap(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'layerDeepLiftShap')),
  descriptorOf('LayerDeepLiftShap'),
);
