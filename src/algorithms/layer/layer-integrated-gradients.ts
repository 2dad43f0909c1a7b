// Captum's LayerIntegratedGradients: integrated gradients over a layer's values, from the layer's
// value at the baseline to its value at the input, with the rest of the model run from each point.
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
import { expandRows } from '../../engine/expansion.js';
import { jointGradientsAt } from '../../engine/layer-gradients.js';
import { reachJointly, type LayerRef } from '../../engine/layer-reach.js';
import { layerForm, type LayerMethodOptions, type MultiLayerDeltaAttributionMethod, prepareLayerCall } from '../../engine/layer-method.js';
import { type Inputs, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { approximationOption, expandedCall, pathPoints, stepsPerPass, sumOverChunks, weightedStepSum } from '../../engine/path-steps.js';

/**
 * Options of {@link layerIntegratedGradients}: Captum's constructor (`layer`, `multiply_by_inputs`)
 * and `attribute(...)` keyword arguments, in camelCase.
 *
 * @example
 * const options: LayerIntegratedGradientsOptions = { layer: 'embedding', target: 1, nSteps: 32, internalBatchSize: 64 };
 */
export interface LayerIntegratedGradientsOptions extends Omit<LayerMethodOptions, 'layer'>, LongRunOptions {
  /**
   * The layer, or a list of layers (Captum's multi-layer form: every listed layer is replaced by its
   * own path point in the same forward pass, and the result is a list, one entry per layer). As in
   * Captum, a listed layer should not depend only on another listed layer: its gradient would be 0.
   */
  readonly layer: LayerRef | readonly LayerRef[];
  /** The model inputs whose layer value starts the path, in any form {@link tensorizeBaselines} takes; zeros by default. */
  readonly baselines?: Baselines;
  /** Points on the path (Captum's `n_steps`); default 50. */
  readonly nSteps?: number;
  /** How the integral is approximated; default `'gausslegendre'`. */
  readonly method?: ApproximationMethod;
  /** Rows per gradient pass (`max(1, floor(internalBatchSize / N))` steps); the result does not depend on it. */
  readonly internalBatchSize?: number;
  /** Multiply by the layer's `a(x) - a(baselines)` (Captum's constructor flag); default true. */
  readonly multiplyByInputs?: boolean;
  /** Also return the input-level `sum(attributions) - (F(inputs) - F(baselines))` per example. */
  readonly returnConvergenceDelta?: boolean;
}

const KEYS = [
  'layer',
  'target',
  'additionalForwardArgs',
  'attributeToLayerInput',
  'baselines',
  'nSteps',
  'method',
  'internalBatchSize',
  'multiplyByInputs',
  'returnConvergenceDelta',
  'onProgress',
  'signal',
] as const;

async function run(model: Model, inputs: Inputs, options?: LayerIntegratedGradientsOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const checked = all({
    nSteps: integerOption(o.nSteps, 'options.nSteps', 50, 0),
    method: approximationOption(o.method, 'options.method', 'gausslegendre'),
    internalBatchSize: optionalIntegerOption(o.internalBatchSize, 'options.internalBatchSize', 0),
    multiply: booleanOption(o.multiplyByInputs, 'options.multiplyByInputs', true),
    withDelta: booleanOption(o.returnConvergenceDelta, 'options.returnConvergenceDelta', false),
    longRun: checkLongRun(o.onProgress, o.signal),
  });
  const c = await prepareLayerCall(checked, model, inputs, o.target, o.additionalForwardArgs, o.layer, o.attributeToLayerInput, 'options.attributeToLayerInput', true);
  if (c._tag === 'Left') return c;
  const joint = reachJointly(c.right.layers);
  if (joint._tag === 'Left') return joint;
  const { nSteps, method, internalBatchSize, multiply, withDelta, longRun } = c.right.checked;
  const params = approximationParameters(method, nSteps, 'options.nSteps');
  if (params._tag === 'Left') return params;
  const perPass = stepsPerPass(internalBatchSize, c.right.prepared, nSteps);
  if (perPass._tag === 'Left') return perPass;
  const layers = joint.right;
  const { call } = c.right.prepared;
  const baselines = tidyResult(() => tensorizeAgainst(call.inputs, o.baselines, 'options.baselines'));
  if (baselines._tag === 'Left') return baselines;
  // The layers' values at the inputs and at the baselines: ordinary forward passes. With several
  // layers, their tensors are handled as one flat list (Captum flattens them too) and regrouped at the end.
  let counts: number[] = [];
  let ends: Result<tf.Tensor[]>;
  try {
    ends = tidyResult(() => {
      const atInputs = layers.valueOf(call);
      const atBaselines = layers.valueOf({ ...call, inputs: baselines.right });
      counts = atInputs.map((g) => g.length);
      return ok([...atInputs.flat(), ...atBaselines.flat()]);
    });
  } catch (e) {
    tf.dispose(baselines.right); // the model failed on the inputs or the baselines
    throw e;
  }
  if (ends._tag === 'Left') {
    tf.dispose(baselines.right);
    return ends;
  }
  const count = ends.right.length / 2;
  const ax = ends.right.slice(0, count);
  const ab = ends.right.slice(count);
  const regroup = <T>(flat: readonly T[]): T[][] => {
    let at = 0;
    return counts.map((k) => flat.slice(at, (at += k)));
  };
  try {
    const summed = await sumOverChunks(nSteps, perPass.right, longRun, (start, end) => {
      const alphas = params.right.alphas.slice(start, end);
      const stepSizes = params.right.stepSizes.slice(start, end);
      const k = alphas.length;
      // The model inputs (and extra arguments) repeated k times: branches that bypass the layer see them.
      const expanded = expandedCall(c.right.prepared, call.inputs.map((x) => expandRows(x, k, 'repeat')), k);
      const grads = jointGradientsAt(layers, expanded.call, expanded.resolved, regroup(pathPoints(ax, ab, alphas))).flat();
      return grads.map((g, i) => {
        const integrated = weightedStepSum(g, stepSizes); // [N, ...]
        return multiply ? tf.mul(integrated, tf.sub(ax[i]!, ab[i]!)) : integrated;
      });
    });
    if (summed._tag === 'Left') return summed;
    const groups = regroup(summed.right).map(layerForm);
    const attributions = c.right.isList ? groups : groups[0]!;
    if (!withDelta) return ok(attributions);
    // Input-level completeness over every layer's attributions (Captum sums the flattened list).
    const delta = await convergenceDelta(model, { attributions: summed.right, endPoint: call.inputs, startPoint: baselines.right, target: o.target as never, additionalForwardArgs: o.additionalForwardArgs });
    if (delta._tag === 'Left') {
      tf.dispose(summed.right);
      return delta;
    }
    return ok({ attributions, delta: delta.right });
  } finally {
    tf.dispose([...baselines.right, ...ends.right]);
  }
}

/**
 * Captum's `LayerIntegratedGradients`: integrated gradients taken over the layer's tensors instead
 * of the inputs. With `a(·)` the layer's output (or its input, `attributeToLayerInput`), the path
 * runs from `a(baselines)` to `a(inputs)`; at each point the rest of the model runs from the layer
 * (the layer's value replaced, as Captum's hook replaces it), and the gradients of the target-selected
 * output are summed with the method's weights, then multiplied by `a(inputs) - a(baselines)` (unless
 * `multiplyByInputs: false`). Layer-shaped. The convergence delta is input-level:
 * `Σ attributions - (F(inputs) - F(baselines))`. The result belongs to the caller.
 *
 * @example
 * const model = namedStages([
 *   { name: 'fc1', fn: (x: tf.Tensor) => tf.matMul(x, tf.tensor2d([[1, -1], [2, 1]])) },
 *   { name: 'out', fn: (h: tf.Tensor) => tf.sum(tf.square(h), 1, true) },
 * ]);
 * if (model._tag === 'Right') {
 *   const r = await layerIntegratedGradients(model.right, tf.tensor2d([[1, 1]]), { layer: 'fc1', returnConvergenceDelta: true });
 *   // Right({ attributions: tensor [[9, 0]], delta: tensor [~0] })
 * }
 */
export const layerIntegratedGradients: MultiLayerDeltaAttributionMethod<Omit<LayerIntegratedGradientsOptions, 'layer'>> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'layerIntegratedGradients')),
  descriptorOf('LayerIntegratedGradients'),
);
