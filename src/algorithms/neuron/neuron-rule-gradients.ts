// Captum's NeuronDeepLift, NeuronDeepLiftShap, NeuronGuidedBackprop and NeuronDeconvolution: the
// rule methods with one neuron of a layer as the output.
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { Baselines } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { readOptions } from '../../core/options.js';
import { mirrorForm } from '../../core/tensors.js';
import { all, attemptAsync, ok, type Result } from '../../core/validation.js';
import type { RuleMethod } from '../../engine/attribution-rules.js';
import { underReluRules } from '../../engine/rule-gradients.js';
import { checkDeepLiftOptions, type CustomAttributionFunc, DEEP_LIFT_KEYS, neuronDeepLiftAttributions, withFullBaselines } from '../../engine/deep-lift-pass.js';
import { type BaselineDistribution, checkShapOptions, DEEP_LIFT_SHAP_KEYS, deepLiftShapPairs } from '../../engine/deep-lift-shap-pass.js';
import type { LongRunOptions } from '../../engine/chunks.js';
import { neuronGradientsOf } from '../../engine/layer-gradients.js';
import { type NeuronMethodOptions, prepareLayerCall, ruledLayer } from '../../engine/layer-method.js';
import { type AttributionMethod, type Inputs, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { checkNeuronSelector } from '../../engine/neuron-selector.js';

/**
 * Options of {@link neuronDeepLift}: Captum's `NeuronDeepLift(model, layer, multiply_by_inputs)` and
 * `attribute(...)` keyword arguments, in camelCase. There is no target: the neuron is what is explained.
 *
 * @example
 * const options: NeuronDeepLiftOptions = { layer: 'relu1', neuronSelector: 1, baselines: 0.2 };
 */
export interface NeuronDeepLiftOptions extends NeuronMethodOptions {
  /** Reference inputs, in any form {@link tensorizeBaselines} takes; zeros by default. */
  readonly baselines?: Baselines;
  /** Multiply the multipliers by `inputs − baselines` (Captum's constructor flag); default true. */
  readonly multiplyByInputs?: boolean;
  /** Where `|x − x_ref|` at a non-linearity's input is below this, its plain gradient is used; default 1e-10. */
  readonly eps?: number;
  /** Replaces the final step (see {@link CustomAttributionFunc}); `multiplyByInputs` is then ignored, as in Captum. */
  readonly customAttributionFunc?: CustomAttributionFunc;
}

const DL_KEYS = ['layer', 'neuronSelector', 'attributeToNeuronInput', 'additionalForwardArgs', ...DEEP_LIFT_KEYS] as const;

async function runDeepLift(model: Model, inputs: Inputs, options?: NeuronDeepLiftOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, DL_KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const checked = all({ selector: checkNeuronSelector(o.neuronSelector), settings: checkDeepLiftOptions(o) });
  const c = await prepareLayerCall(checked, model, inputs, undefined, o.additionalForwardArgs, o.layer, o.attributeToNeuronInput, 'options.attributeToNeuronInput');
  if (c._tag === 'Left') return c;
  const { selector, settings } = c.right.checked;
  const { call } = c.right.prepared;
  const layer = ruledLayer(c.right, 'deepLift');
  if (layer._tag === 'Left') return layer;
  // Captum: DeepLift with its gradient function replaced by the neuron's, on concat[x; b].
  const r = await withFullBaselines(model, call, o.baselines, { withDelta: false }, (bs) => neuronDeepLiftAttributions(layer.right, call, selector, bs, settings));
  return r._tag === 'Left' ? r : ok(mirrorForm(call.isTuple, r.right.attributions));
}

/**
 * Captum's `NeuronDeepLift`: DeepLift (see {@link deepLift}) of the neuron `neuronSelector` picks in
 * the layer's output (or input, `attributeToNeuronInput`): one pass on the inputs followed by their
 * baselines under DeepLift's rules, the neuron's multipliers with respect to the inputs at the input
 * rows, times `inputs − baselines`. Shaped like the inputs; the result belongs to the caller.
 *
 * @example
 * const { relu } = attributionOps;
 * const model = namedStages([
 *   { name: 'h', fn: (x: tf.Tensor) => relu(tf.matMul(x, tf.tensor2d([[1, -2], [3, 1]]))) },
 *   { name: 'out', fn: (h: tf.Tensor) => tf.sum(h, 1, true) },
 * ]);
 * if (model._tag === 'Right') {
 *   await neuronDeepLift(model.right, tf.tensor2d([[1, 1]]), { layer: 'h', neuronSelector: 0 }); // Right(tensor [[1, 3]])
 * }
 */
export const neuronDeepLift: AttributionMethod<NeuronDeepLiftOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => runDeepLift(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'neuronDeepLift')),
  descriptorOf('NeuronDeepLift'),
);

/**
 * Options of {@link neuronDeepLiftShap}: Captum's `NeuronDeepLiftShap(model, layer, multiply_by_inputs)`
 * and `attribute(...)` keyword arguments, in camelCase, plus a batch size and progress (as
 * {@link deepLiftShap}'s). There is no target and no delta, as in Captum.
 *
 * @example
 * const options: NeuronDeepLiftShapOptions = { layer: 'relu1', neuronSelector: [0, 1, 2], baselines: tf.zeros([4, 6, 6, 2]) };
 */
export interface NeuronDeepLiftShapOptions extends NeuronMethodOptions, LongRunOptions {
  /** Required: the baseline distribution (see {@link BaselineDistribution}). */
  readonly baselines: BaselineDistribution;
  /** Multiply the multipliers by `inputs − baselines` (Captum's constructor flag); default true. */
  readonly multiplyByInputs?: boolean;
  /** Replaces the final step of each pair (see {@link CustomAttributionFunc}); the pairs are then averaged. */
  readonly customAttributionFunc?: CustomAttributionFunc;
  /** (Example, baseline) pairs per pass, as {@link DeepLiftShapOptions.internalBatchSize}; by default as many as fit. */
  readonly internalBatchSize?: number;
}

const SHAP_KEYS = ['layer', 'neuronSelector', 'attributeToNeuronInput', 'additionalForwardArgs', ...DEEP_LIFT_SHAP_KEYS] as const;

async function runDeepLiftShap(model: Model, inputs: Inputs, options?: NeuronDeepLiftShapOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, SHAP_KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const checked = all({ selector: checkNeuronSelector(o.neuronSelector), shap: checkShapOptions(o) });
  const c = await prepareLayerCall(checked, model, inputs, undefined, o.additionalForwardArgs, o.layer, o.attributeToNeuronInput, 'options.attributeToNeuronInput');
  if (c._tag === 'Left') return c;
  const { selector, shap } = c.right.checked;
  const { call, resolved } = c.right.prepared;
  const layer = ruledLayer(c.right, 'deepLift');
  if (layer._tag === 'Left') return layer;
  const r = await deepLiftShapPairs(model, inputs, o.baselines, call, resolved, { ...shap, withDelta: false }, (pairs, _t, b) =>
    neuronDeepLiftAttributions(layer.right, pairs, selector, b, shap.settings),
  );
  return r._tag === 'Left' ? r : ok(mirrorForm(call.isTuple, r.right.attributions));
}

/**
 * Captum's `NeuronDeepLiftShap`: {@link neuronDeepLift} of every example against every row of a
 * baseline distribution `[B, ...]`, averaged over the baselines. The `N·B` (example, baseline) pairs
 * run as in {@link deepLiftShap} (row `i·B + j`, extra tensors repeated to match, chunks of
 * `internalBatchSize` pairs, each pass on `2·pairs` rows under DeepLift's rules). Shaped like the
 * inputs; the result belongs to the caller.
 *
 * @example
 * const { relu } = attributionOps;
 * const model = namedStages([
 *   { name: 'h', fn: (x: tf.Tensor) => relu(tf.matMul(x, tf.tensor2d([[1, -2], [3, 1]]))) },
 *   { name: 'out', fn: (h: tf.Tensor) => tf.sum(h, 1, true) },
 * ]);
 * if (model._tag === 'Right') {
 *   await neuronDeepLiftShap(model.right, tf.tensor2d([[1, 1]]), { layer: 'h', neuronSelector: 0, baselines: tf.tensor2d([[0, 0], [1, 0]]) });
 *   // Right(tensor [[0.5, 3]]): the mean of [1, 3] (against 0) and [0, 3] (against [1, 0])
 * }
 */
export const neuronDeepLiftShap: AttributionMethod<NeuronDeepLiftShapOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => runDeepLiftShap(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'neuronDeepLiftShap')),
  descriptorOf('NeuronDeepLiftShap'),
);

/**
 * Options of {@link neuronGuidedBackprop} and {@link neuronDeconvolution}: Captum's `attribute(...)`
 * keyword arguments, in camelCase. There is no target: the neuron is what is explained.
 *
 * @example
 * const options: NeuronGuidedBackpropOptions = { layer: 'conv1', neuronSelector: [1, 2, 2] };
 */
export type NeuronGuidedBackpropOptions = NeuronMethodOptions;

const RULE_KEYS = ['layer', 'neuronSelector', 'attributeToNeuronInput', 'additionalForwardArgs'] as const;

function runRule(method: Exclude<RuleMethod, 'deepLift'>) {
  return async (model: Model, inputs: Inputs, options?: NeuronGuidedBackpropOptions): Promise<Result<unknown>> => {
    const fields = readOptions(options, RULE_KEYS);
    if (fields._tag === 'Left') return fields;
    const o = fields.right;
    const c = await prepareLayerCall(checkNeuronSelector(o.neuronSelector), model, inputs, undefined, o.additionalForwardArgs, o.layer, o.attributeToNeuronInput, 'options.attributeToNeuronInput');
    if (c._tag === 'Left') return c;
    const { call } = c.right.prepared;
    const layer = ruledLayer(c.right, method);
    if (layer._tag === 'Left') return layer;
    const grads = underReluRules(call, method, () => neuronGradientsOf(layer.right, call, c.right.checked));
    return grads._tag === 'Left' ? grads : ok(mirrorForm(call.isTuple, grads.right));
  };
}

/**
 * Captum's `NeuronGuidedBackprop`: the gradient of the neuron `neuronSelector` picks in the layer
 * with respect to the inputs, each ReLU on the way passing back only positive gradient (see
 * {@link guidedBackprop}). Shaped like the inputs; the result belongs to the caller.
 *
 * @example
 * const { relu } = attributionOps;
 * const model = namedStages([
 *   { name: 'h', fn: (x: tf.Tensor) => relu(tf.matMul(x, tf.tensor2d([[1, -2], [3, 1]]))) },
 *   { name: 'out', fn: (h: tf.Tensor) => tf.matMul(h, tf.tensor2d([[1], [-1]])) },
 * ]);
 * if (model._tag === 'Right') {
 *   await neuronGuidedBackprop(model.right, tf.tensor2d([[1, 1]]), { layer: 'out', neuronSelector: 0 }); // Right(tensor [[1, 3]])
 * }
 */
export const neuronGuidedBackprop: AttributionMethod<NeuronGuidedBackpropOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => runRule('guidedBackprop')(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'neuronGuidedBackprop')),
  descriptorOf('NeuronGuidedBackprop'),
);

/**
 * Captum's `NeuronDeconvolution`: the gradient of the neuron `neuronSelector` picks in the layer with
 * respect to the inputs, each ReLU on the way passing back `relu` of the gradient it receives,
 * whatever its input (see {@link deconvolution}). Shaped like the inputs; the result belongs to the caller.
 *
 * @example
 * const { relu } = attributionOps;
 * const model = namedStages([
 *   { name: 'h', fn: (x: tf.Tensor) => relu(tf.matMul(x, tf.tensor2d([[1, -2], [3, 1]]))) },
 *   { name: 'out', fn: (h: tf.Tensor) => tf.matMul(h, tf.tensor2d([[1], [-1]])) },
 * ]);
 * if (model._tag === 'Right') {
 *   await neuronDeconvolution(model.right, tf.tensor2d([[1, 1]]), { layer: 'out', neuronSelector: 0 }); // Right(tensor [[1, 3]])
 * }
 */
export const neuronDeconvolution: AttributionMethod<NeuronGuidedBackpropOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => runRule('deconvolution')(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'neuronDeconvolution')),
  descriptorOf('NeuronDeconvolution'),
);
