// Captum's NeuronDeepLift, NeuronGuidedBackprop and NeuronDeconvolution: the rule methods with one
// neuron of a layer as the output.
import * as tf from '@tensorflow/tfjs-core';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { Baselines } from '../../core/baselines.js';
import { tensorizeAgainst } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { booleanOption, numberOption, readOptions } from '../../core/options.js';
import { mirrorForm } from '../../core/tensors.js';
import { tidyResult } from '../../core/tidy-result.js';
import { all, attemptAsync, ok, type Result } from '../../core/validation.js';
import { type RuleMethod, withRules } from '../../engine/attribution-rules.js';
import { checkCustomAttributionFunc, type CustomAttributionFunc, customAttributions } from '../../engine/deep-lift-pass.js';
import { expandArgs } from '../../engine/expansion.js';
import { neuronGradientsOf } from '../../engine/layer-gradients.js';
import { type NeuronMethodOptions, onlyLayer, prepareLayerCall } from '../../engine/layer-method.js';
import { ruleModel } from '../../engine/layers-walk.js';
import { checkAllocation } from '../../engine/memory-budget.js';
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

const DL_KEYS = ['layer', 'neuronSelector', 'attributeToNeuronInput', 'additionalForwardArgs', 'baselines', 'multiplyByInputs', 'eps', 'customAttributionFunc'] as const;

async function runDeepLift(model: Model, inputs: Inputs, options?: NeuronDeepLiftOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, DL_KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const checked = all({
    selector: checkNeuronSelector(o.neuronSelector),
    multiply: booleanOption(o.multiplyByInputs, 'options.multiplyByInputs', true),
    eps: numberOption(o.eps, 'options.eps', 1e-10, 0),
    custom: checkCustomAttributionFunc(o.customAttributionFunc),
  });
  const c = await prepareLayerCall(checked, model, inputs, undefined, o.additionalForwardArgs, o.layer, o.attributeToNeuronInput, 'options.attributeToNeuronInput');
  if (c._tag === 'Left') return c;
  const { selector, multiply, eps, custom } = c.right.checked;
  const { call } = c.right.prepared;
  const ruled = ruleModel(call.model, 'deepLift', call.args);
  if (ruled._tag === 'Left') return ruled;
  const layer = onlyLayer(c.right).ruled('deepLift');
  const n = call.batchSize;
  const rowElements = Math.max(...call.inputs.map((x) => x.size / n));
  const budget = checkAllocation(2 * n * rowElements, 'float32', 'inputs', `DeepLift's pass over ${2 * n} rows (${n} inputs, then their baselines)`, 'attribute fewer examples per call');
  if (budget._tag === 'Left') return budget;
  const baselines = tidyResult(() => tensorizeAgainst(call.inputs, o.baselines, 'options.baselines'));
  if (baselines._tag === 'Left') return baselines;
  try {
    const attributions = tidyResult(() => {
      // Captum: DeepLift with its gradient function replaced by the neuron's, on concat[x; b].
      const doubled = { ...call, inputs: call.inputs.map((x, i) => tf.concat([x, baselines.right[i]!], 0)), batchSize: 2 * n, args: expandArgs(call.args, 2, 'repeat') };
      const grads = withRules({ method: 'deepLift', eps, rows: 2 * n }, () => neuronGradientsOf(layer, doubled, selector));
      const m = grads.map((g) => tf.slice(g, 0, n));
      if (custom !== undefined) return ok(customAttributions(custom, m, call.inputs, baselines.right));
      return ok(multiply ? m.map((g, i) => tf.mul(tf.sub(call.inputs[i]!, baselines.right[i]!), g)) : m);
    });
    return attributions._tag === 'Left' ? attributions : ok(mirrorForm(call.isTuple, attributions.right));
  } finally {
    tf.dispose(baselines.right);
  }
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
    const ruled = ruleModel(call.model, method, call.args);
    if (ruled._tag === 'Left') return ruled;
    const layer = onlyLayer(c.right).ruled(method);
    const grads = tidyResult(() => ok(withRules({ method, eps: 0, rows: call.batchSize }, () => neuronGradientsOf(layer, call, c.right.checked))));
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
