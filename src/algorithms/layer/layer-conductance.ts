// Captum's LayerConductance: how much of the output's change along the path from the baseline to
// the input flows through each unit of a layer.
import * as tf from '@tensorflow/tfjs-core';
import { convergenceDelta } from '../../attribution/convergence-delta.js';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import { type ApproximationMethod, approximationParameters } from '../../core/approximation-methods.js';
import type { Baselines } from '../../core/baselines.js';
import { tensorizeAgainst } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { booleanOption, integerOption, optionalIntegerOption, readOptions } from '../../core/options.js';
import { tidyResult } from '../../core/tidy-result.js';
import { all, attemptAsync, ok, type Result } from '../../core/validation.js';
import { checkLongRun, type LongRunOptions } from '../../engine/chunks.js';
import { layerGradientsAndValues } from '../../engine/layer-gradients.js';
import { type LayerDeltaAttributionMethod, layerForm, type LayerMethodOptions, onlyLayer, prepareLayerCall } from '../../engine/layer-method.js';
import { type Inputs, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { approximationOption, expandedCall, pathPoints, stepsPerPass, sumOverChunks } from '../../engine/path-steps.js';

/**
 * Options of {@link layerConductance}: Captum's `LayerConductance.attribute(...)` keyword arguments,
 * in camelCase.
 *
 * @example
 * const options: LayerConductanceOptions = { layer: 'fc1', target: 2, nSteps: 20, returnConvergenceDelta: true };
 */
export interface LayerConductanceOptions extends LayerMethodOptions, LongRunOptions {
  /** Where the path starts, in any form {@link tensorizeBaselines} takes; zeros by default. */
  readonly baselines?: Baselines;
  /** Differences along the path (Captum's `n_steps`): the path has `nSteps + 1` points; default 50. */
  readonly nSteps?: number;
  /** Where the `nSteps + 1` points lie (the method's nodes; its weights are not used); default `'gausslegendre'`. */
  readonly method?: ApproximationMethod;
  /**
   * Rows per gradient pass: `max(2, floor(internalBatchSize / N))` consecutive points, chunks
   * overlapping by one point (Captum's `include_endpoint`). The result does not depend on it.
   */
  readonly internalBatchSize?: number;
  /** Also return the input-level `sum(attributions) - (F(inputs) - F(baselines))` per example. */
  readonly returnConvergenceDelta?: boolean;
}

const KEYS = ['layer', 'target', 'additionalForwardArgs', 'attributeToLayerInput', 'baselines', 'nSteps', 'method', 'internalBatchSize', 'returnConvergenceDelta', 'onProgress', 'signal'] as const;

async function run(model: Model, inputs: Inputs, options?: LayerConductanceOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const checked = all({
    nSteps: integerOption(o.nSteps, 'options.nSteps', 50, 1),
    method: approximationOption(o.method, 'options.method', 'gausslegendre'),
    internalBatchSize: optionalIntegerOption(o.internalBatchSize, 'options.internalBatchSize', 0),
    withDelta: booleanOption(o.returnConvergenceDelta, 'options.returnConvergenceDelta', false),
    longRun: checkLongRun(o.onProgress, o.signal),
  });
  const c = await prepareLayerCall(checked, model, inputs, o.target, o.additionalForwardArgs, o.layer, o.attributeToLayerInput, 'options.attributeToLayerInput');
  if (c._tag === 'Left') return c;
  const { nSteps, method, internalBatchSize, withDelta, longRun } = c.right.checked;
  const params = approximationParameters(method, nSteps + 1, 'options.nSteps'); // n + 1 points, their weights unused
  if (params._tag === 'Left') return params;
  const points = stepsPerPass(internalBatchSize, c.right.prepared, nSteps + 1, 2); // consecutive points per pass, at least 2
  if (points._tag === 'Left') return points;
  const layer = onlyLayer(c.right);
  const { call } = c.right.prepared;
  const baselines = tidyResult(() => tensorizeAgainst(call.inputs, o.baselines, 'options.baselines'));
  if (baselines._tag === 'Left') return baselines;
  try {
    // Chunks of differences [start, end) use the points start..end: consecutive chunks share a point.
    const summed = await sumOverChunks(nSteps, points.right - 1, longRun, (start, end) => {
      const alphas = params.right.alphas.slice(start, end + 1);
      const k = alphas.length;
      const expanded = expandedCall(c.right.prepared, pathPoints(call.inputs, baselines.right, alphas), k);
      const { grads, values } = layerGradientsAndValues(layer, expanded.call, expanded.resolved);
      return values.map((a, i) => {
        const rest = a.shape.slice(1);
        const n = call.batchSize;
        const steps = tf.reshape(a, [k, n, ...rest]); // [k, N, ...]
        const g = tf.reshape(grads[i]!, [k, n, ...rest]);
        const diff = tf.sub(tf.slice(steps, 1, k - 1), tf.slice(steps, 0, k - 1)); // A_{j+1} - A_j
        return tf.sum(tf.mul(diff, tf.slice(g, 0, k - 1)), 0); // Σ_j (A_{j+1} - A_j) ⊙ G_j: [N, ...]
      });
    });
    if (summed._tag === 'Left') return summed;
    const attributions = layerForm(summed.right);
    if (!withDelta) return ok(attributions);
    const delta = await convergenceDelta(model, { attributions, endPoint: call.inputs, startPoint: baselines.right, target: o.target as never, additionalForwardArgs: o.additionalForwardArgs });
    if (delta._tag === 'Left') {
      tf.dispose(summed.right);
      return delta;
    }
    return ok({ attributions, delta: delta.right });
  } finally {
    tf.dispose(baselines.right);
  }
}

/**
 * Captum's `LayerConductance`: for each unit of the layer's tensors `a` (output, or input with
 * `attributeToLayerInput`), `Σ_j (a(p_{j+1}) - a(p_j)) · ∂F/∂a(p_j)` over `nSteps + 1` points
 * `p_j = b + α_j (x - b)` on the straight path (the method's nodes for `nSteps + 1` points, as
 * Captum takes them). Layer-shaped. With `returnConvergenceDelta` also the input-level completeness
 * `Σ attributions - (F(x) - F(b))` per example. The result belongs to the caller.
 *
 * @example
 * const model = namedStages([
 *   { name: 'fc1', fn: (x: tf.Tensor) => tf.matMul(x, tf.tensor2d([[1, -1], [2, 1]])) },
 *   { name: 'out', fn: (h: tf.Tensor) => tf.sum(tf.square(h), 1, true) },
 * ]);
 * if (model._tag === 'Right') {
 *   const r = await layerConductance(model.right, tf.tensor2d([[1, 1]]), { layer: 'fc1', nSteps: 20, method: 'riemann_trapezoid', returnConvergenceDelta: true });
 *   // Right({ attributions: tensor [[9, 0]], delta: tensor [~0] }): h², conducted unit by unit
 * }
 */
export const layerConductance: LayerDeltaAttributionMethod<LayerConductanceOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'layerConductance')),
  descriptorOf('LayerConductance'),
);
