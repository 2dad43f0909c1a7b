// Captum's LayerDeepLift: DeepLift's multipliers taken at a layer, times the layer's a(x) − a(b).
import * as tf from '@tensorflow/tfjs-core';
import { convergenceDelta } from '../../attribution/convergence-delta.js';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { Baselines } from '../../core/baselines.js';
import { tensorizeAgainst } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { booleanOption, numberOption, readOptions } from '../../core/options.js';
import { tidyResult } from '../../core/tidy-result.js';
import { all, attemptAsync, ok, type Result } from '../../core/validation.js';
import { withRules } from '../../engine/attribution-rules.js';
import { checkCustomAttributionFunc, type CustomAttributionFunc, customAttributions } from '../../engine/deep-lift-pass.js';
import { expandArgs, expandTarget } from '../../engine/expansion.js';
import { layerGradientsAt } from '../../engine/layer-gradients.js';
import { type LayerDeltaAttributionMethod, layerForm, type LayerMethodOptions, onlyLayer, prepareLayerCall } from '../../engine/layer-method.js';
import { ruleModel } from '../../engine/layers-walk.js';
import { checkAllocation } from '../../engine/memory-budget.js';
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

const KEYS = ['layer', 'target', 'additionalForwardArgs', 'attributeToLayerInput', 'baselines', 'multiplyByInputs', 'eps', 'returnConvergenceDelta', 'customAttributionFunc'] as const;

async function run(model: Model, inputs: Inputs, options?: LayerDeepLiftOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const checked = all({
    multiply: booleanOption(o.multiplyByInputs, 'options.multiplyByInputs', true),
    eps: numberOption(o.eps, 'options.eps', 1e-10, 0),
    withDelta: booleanOption(o.returnConvergenceDelta, 'options.returnConvergenceDelta', false),
    custom: checkCustomAttributionFunc(o.customAttributionFunc),
  });
  const c = await prepareLayerCall(checked, model, inputs, o.target, o.additionalForwardArgs, o.layer, o.attributeToLayerInput, 'options.attributeToLayerInput');
  if (c._tag === 'Left') return c;
  const { multiply, eps, withDelta, custom } = c.right.checked;
  const { call, resolved } = c.right.prepared;
  const ruled = ruleModel(call.model, 'deepLift', call.args); // Captum's refusals (a reused non-linear layer)
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
      // One pass on concat[x; b] (2N rows), as Captum runs it; targets and extra tensors repeated ×2.
      const doubled = { ...call, inputs: call.inputs.map((x, i) => tf.concat([x, baselines.right[i]!], 0)), batchSize: 2 * n, args: expandArgs(call.args, 2, 'repeat') };
      const settings = { method: 'deepLift' as const, eps, rows: 2 * n };
      const values = withRules(settings, () => layer.valueOf(doubled));
      const grads = withRules(settings, () => layerGradientsAt(layer, doubled, expandTarget(resolved, 2, 'repeat'), values));
      const ax = values.map((v) => tf.slice(v, 0, n));
      const ab = values.map((v) => tf.slice(v, n, n));
      const m = grads.map((g) => tf.slice(g, 0, n)); // the input rows' multipliers
      if (custom !== undefined) return ok(customAttributions(custom, m, ax, ab));
      return ok(multiply ? m.map((g, i) => tf.mul(tf.sub(ax[i]!, ab[i]!), g)) : m);
    });
    if (attributions._tag === 'Left' || !withDelta) return attributions._tag === 'Left' ? attributions : ok(layerForm(attributions.right));
    const delta = await convergenceDelta(model, { attributions: attributions.right, endPoint: call.inputs, startPoint: baselines.right, target: o.target as never, additionalForwardArgs: o.additionalForwardArgs });
    if (delta._tag === 'Left') {
      tf.dispose(attributions.right);
      return delta;
    }
    return ok({ attributions: layerForm(attributions.right), delta: delta.right });
  } finally {
    tf.dispose(baselines.right);
  }
}

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
