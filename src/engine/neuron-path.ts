// The input-level path integral of a neuron, shared by NeuronIntegratedGradients and
// NeuronConductance: the same options, baselines, step-major path points and chunking; only what is
// integrated at each point differs.
import * as tf from '@tensorflow/tfjs-core';
import { type ApproximationMethod, approximationParameters } from '../core/approximation-methods.js';
import { tensorizeAgainst } from '../core/baselines.js';
import { booleanOption, integerOption, optionalIntegerOption } from '../core/options.js';
import { mirrorForm } from '../core/tensors.js';
import { tidyResult } from '../core/tidy-result.js';
import { all, ok, type Result } from '../core/validation.js';
import { checkLongRun } from './chunks.js';
import type { ReachedLayer } from './layer-reach.js';
import { onlyLayer, prepareLayerCall } from './layer-method.js';
import type { Model } from './model.js';
import { type CheckedSelector, checkNeuronSelector } from './neuron-selector.js';
import { approximationOption, expandedCall, pathPoints, stepsPerPass, sumOverChunks, weightedStepSum } from './path-steps.js';
import type { ModelCall } from './run-forward.js';
import type { ResolvedTarget } from '../target/target.js';

/** What differs between the neuron path methods. */
export interface NeuronPathSpec {
  /** Captum's default approximation method for the method. */
  readonly defaultMethod: ApproximationMethod;
  /** The target (NeuronConductance has one; NeuronIntegratedGradients explains the neuron itself). */
  readonly target: unknown;
  /** The per-row quantity to integrate at the path points of `call` (`[k·N, ...]` per input). Synchronous. */
  readonly integrand: (layer: ReachedLayer, call: ModelCall, resolved: ResolvedTarget, selector: CheckedSelector) => tf.Tensor[];
}

/**
 * `(x - b) · Σ_j w_j · integrand(b + α_j (x - b))` over the method's path points, in passes of
 * `internalBatchSize` rows, for the options `o` a neuron path method has already read.
 */
export async function neuronPathIntegral(model: Model, inputs: unknown, o: Partial<Record<string, unknown>>, spec: NeuronPathSpec): Promise<Result<unknown>> {
  const checked = all({
    selector: checkNeuronSelector(o['neuronSelector']),
    nSteps: integerOption(o['nSteps'], 'options.nSteps', 50, 0),
    method: approximationOption(o['method'], 'options.method', spec.defaultMethod),
    internalBatchSize: optionalIntegerOption(o['internalBatchSize'], 'options.internalBatchSize', 0),
    multiply: booleanOption(o['multiplyByInputs'], 'options.multiplyByInputs', true),
    longRun: checkLongRun(o['onProgress'], o['signal']),
  });
  const c = await prepareLayerCall(checked, model, inputs, spec.target, o['additionalForwardArgs'], o['layer'], o['attributeToNeuronInput'], 'options.attributeToNeuronInput');
  if (c._tag === 'Left') return c;
  const { selector, nSteps, method, internalBatchSize, multiply, longRun } = c.right.checked;
  const params = approximationParameters(method, nSteps, 'options.nSteps');
  if (params._tag === 'Left') return params;
  const perPass = stepsPerPass(internalBatchSize, c.right.prepared, nSteps);
  if (perPass._tag === 'Left') return perPass;
  const layer = onlyLayer(c.right);
  const { call } = c.right.prepared;
  const baselines = tidyResult(() => tensorizeAgainst(call.inputs, o['baselines'], 'options.baselines'));
  if (baselines._tag === 'Left') return baselines;
  try {
    const summed = await sumOverChunks(nSteps, perPass.right, longRun, (start, end) => {
      const alphas = params.right.alphas.slice(start, end);
      const expanded = expandedCall(c.right.prepared, pathPoints(call.inputs, baselines.right, alphas), alphas.length);
      return spec.integrand(layer, expanded.call, expanded.resolved, selector).map((g, i) => {
        const integrated = weightedStepSum(g, params.right.stepSizes.slice(start, end)); // [N, ...]
        return multiply ? tf.mul(integrated, tf.sub(call.inputs[i]!, baselines.right[i]!)) : integrated;
      });
    });
    return summed._tag === 'Left' ? summed : ok(mirrorForm(call.isTuple, summed.right));
  } finally {
    baselines.right.forEach((t) => t.dispose());
  }
}
