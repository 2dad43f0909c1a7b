// Captum's LRP: layer-wise relevance propagation with Captum's rules, per layer type or per layer.
import * as tf from '@tensorflow/tfjs-core';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { AttributionError } from '../../core/errors.js';
import { booleanOption, readOptions } from '../../core/options.js';
import { mirrorForm } from '../../core/tensors.js';
import { tidyResult } from '../../core/tidy-result.js';
import { all, attemptAsync, ok, type Result } from '../../core/validation.js';
import { checkLrpRules, checkSelectedRows, type LrpRule, lrpPlan } from '../../engine/lrp-propagation.js';
import { type DeltaAttributionMethod, type Inputs, type MethodOptions, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { prepareCall } from '../../engine/prepare-call.js';

/**
 * Options of {@link lrp}: Captum's `LRP.attribute(...)` keyword arguments, in camelCase, and rules
 * per layer (Captum sets `layer.rule`).
 *
 * @example
 * const options: LrpOptions = { target: 3, returnConvergenceDelta: true, rules: { fc1: { rule: 'gamma' } } };
 */
export interface LrpOptions extends MethodOptions {
  /** Rules by layer (or stage) name; the other layers get Captum's rule for their type. */
  readonly rules?: Readonly<Record<string, LrpRule>>;
  /** Also return `F(x) - Σ relevance` per example (Captum's sign: the reverse of the convergence delta). */
  readonly returnConvergenceDelta?: boolean;
}

const KEYS = ['target', 'additionalForwardArgs', 'rules', 'returnConvergenceDelta'] as const;

/** `out` as `[N]`, reshaped to broadcast over `t`'s rows. */
const perRow = (out: tf.Tensor, t: tf.Tensor): tf.Tensor => tf.reshape(out, [t.shape[0] as number, ...t.shape.slice(1).map(() => 1)]);

/** `out - Σ_tensors sum_rows(t)`: `[N]`. */
export const relevanceDelta = (out: tf.Tensor, tensors: readonly tf.Tensor[]): tf.Tensor =>
  tf.sub(tf.reshape(out, [-1]), tensors.map((t) => tf.sum(tf.reshape(t, [t.shape[0] as number, -1]), 1)).reduce((a, b) => tf.add(a, b)));

async function run(model: Model, inputs: Inputs, options?: LrpOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const rules = checkLrpRules(o.rules);
  const checked = all({ rules, withDelta: booleanOption(o.returnConvergenceDelta, 'options.returnConvergenceDelta', false) });
  const prepared = await prepareCall(model, inputs, o.target, o.additionalForwardArgs);
  const plan = rules._tag === 'Right' && prepared._tag === 'Right' ? lrpPlan(model, rules.right) : ok(undefined);
  const r = all({ checked, prepared, plan });
  if (r._tag === 'Left') return r;
  const { call, resolved } = r.right.prepared;
  const out = tidyResult(() => {
    const rel = r.right.plan!.propagate(call, resolved);
    checkSelectedRows(rel.out, call.batchSize);
    const attributions = rel.inputs.slice(0, call.inputs.length).map((x) => tf.mul(x, perRow(rel.out, x))); // relevance times the selected output
    return ok(r.right.checked.withDelta ? [...attributions, relevanceDelta(rel.out, attributions)] : attributions);
  });
  if (out._tag === 'Left') return out;
  if (!r.right.checked.withDelta) return ok(mirrorForm(call.isTuple, out.right));
  const delta = out.right[out.right.length - 1]!;
  return ok({ attributions: mirrorForm(call.isTuple, out.right.slice(0, -1)), delta });
}

/**
 * Captum's `LRP`: the target-selected output's relevance propagated back to the inputs, layer by
 * layer, by each layer's rule (see {@link LrpRule}), then multiplied by the selected output.
 * Captum's rules by type: epsilon (1e-9) for Dense, Conv2D, pooling and batch-norm layers,
 * relevance passed unchanged through ReLU, tanh and dropout; any other layer (sigmoid, softmax, ...)
 * is a `Left` unless `rules` gives it one. Flatten, reshape and concatenation pass relevance as the
 * gradient does (Captum rejects a Flatten module; its functional flatten behaves so). The model is a
 * `tf.LayersModel` (fused activations are split from their layer) or a {@link namedStages} model,
 * whose stages take the ordinary gradient unless `rules` names them. With `returnConvergenceDelta`,
 * `delta = F(x) - Σ relevance` per example (Captum's sign). The result belongs to the caller.
 *
 * @example
 * const model = namedStages([
 *   { name: 'fc1', fn: (x: tf.Tensor) => tf.matMul(x, tf.tensor2d([[1, -1], [2, 1]])) },
 *   { name: 'relu1', fn: (h: tf.Tensor) => tf.relu(h) },
 *   { name: 'fc2', fn: (h: tf.Tensor) => tf.matMul(h, tf.tensor2d([[1], [1]])) },
 * ]);
 * if (model._tag === 'Right') {
 *   const rules = { fc1: { rule: 'epsilon' }, relu1: { rule: 'passThrough' }, fc2: { rule: 'epsilon' } } as const;
 *   await lrp(model.right, tf.tensor2d([[1, 1]]), { rules, returnConvergenceDelta: true }); // Right({ attributions: tensor [[1, 2]], delta: tensor [0] })
 * }
 */
export const lrp: DeltaAttributionMethod<LrpOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'lrp')),
  descriptorOf('LRP'),
);
