// Captum's LayerLRP: the relevance that reaches a layer.
import * as tf from '@tensorflow/tfjs-core';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { AttributionError } from '../../core/errors.js';
import { booleanOption, readOptions } from '../../core/options.js';
import { tidyResult } from '../../core/tidy-result.js';
import { all, attemptAsync, ok, type Result } from '../../core/validation.js';
import { relevanceDelta } from '../primary/lrp.js';
import { type LayerDeltaAttributionMethod, layerForm, type LayerMethodOptions, onlyLayer, prepareLayerCall } from '../../engine/layer-method.js';
import { checkLrpRules, checkSelectedRows, type LrpRule, lrpPlan } from '../../engine/lrp-propagation.js';
import { type Inputs, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';

/**
 * Options of {@link layerLrp}: Captum's `LayerLRP(model, layer)` and `attribute(...)` keyword
 * arguments, in camelCase, and rules per layer as {@link lrp} takes them.
 *
 * @example
 * const options: LayerLrpOptions = { layer: 'conv1', target: 1, returnConvergenceDelta: true };
 */
export interface LayerLrpOptions extends LayerMethodOptions {
  readonly rules?: Readonly<Record<string, LrpRule>>;
  /** Also return `F(x) - Σ relevance at the layer` per example. */
  readonly returnConvergenceDelta?: boolean;
}

const KEYS = ['layer', 'target', 'additionalForwardArgs', 'attributeToLayerInput', 'rules', 'returnConvergenceDelta'] as const;

async function run(model: Model, inputs: Inputs, options?: LayerLrpOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const rules = checkLrpRules(o.rules);
  const checked = all({ rules, withDelta: booleanOption(o.returnConvergenceDelta, 'options.returnConvergenceDelta', false) });
  const c = await prepareLayerCall(checked, model, inputs, o.target, o.additionalForwardArgs, o.layer, o.attributeToLayerInput, 'options.attributeToLayerInput');
  if (c._tag === 'Left') return c;
  const plan = lrpPlan(model, c.right.checked.rules);
  if (plan._tag === 'Left') return plan;
  const layer = onlyLayer(c.right);
  const { call, resolved } = c.right.prepared;
  const out = tidyResult(() => {
    const rel = plan.right.propagate(call, resolved, layer.name);
    checkSelectedRows(rel.out, call.batchSize);
    const at = layer.side === 'input' ? rel.layerInput : rel.layerOutput;
    if (at === undefined) throw new Error(`layer '${layer.name}' received no relevance`);
    const attributions = at.map((t) => tf.mul(t, tf.reshape(rel.out, [t.shape[0] as number, ...t.shape.slice(1).map(() => 1)])));
    return ok(c.right.checked.withDelta ? [...attributions, relevanceDelta(rel.out, attributions)] : attributions);
  });
  if (out._tag === 'Left') return out;
  if (!c.right.checked.withDelta) return ok(layerForm(out.right));
  return ok({ attributions: layerForm(out.right.slice(0, -1)), delta: out.right[out.right.length - 1]! });
}

/**
 * Captum's `LayerLRP`: the relevance (see {@link lrp}) that reaches the layer's output (or, with
 * `attributeToLayerInput`, its input), times the target-selected output. Layer-shaped; with
 * `returnConvergenceDelta`, `delta = F(x) - Σ relevance at the layer` per example. The result
 * belongs to the caller.
 *
 * @example
 * const model = namedStages([
 *   { name: 'fc1', fn: (x: tf.Tensor) => tf.matMul(x, tf.tensor2d([[1, -1], [2, 1]])) },
 *   { name: 'relu1', fn: (h: tf.Tensor) => tf.relu(h) },
 *   { name: 'fc2', fn: (h: tf.Tensor) => tf.matMul(h, tf.tensor2d([[1], [1]])) },
 * ]);
 * if (model._tag === 'Right') {
 *   const rules = { fc1: { rule: 'epsilon' }, relu1: { rule: 'passThrough' }, fc2: { rule: 'epsilon' } } as const;
 *   await layerLrp(model.right, tf.tensor2d([[1, 1]]), { layer: 'fc1', rules }); // Right(tensor [[3, 0]]): relevance 1 at unit 0, times F = 3
 * }
 */
export const layerLrp: LayerDeltaAttributionMethod<LayerLrpOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'layerLrp')),
  descriptorOf('LayerLRP'),
);
