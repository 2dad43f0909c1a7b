// The gradient pass of a method with ReLU rules (GuidedBackprop, Deconvolution): the model made
// rule-aware, then one gradient pass on the batch as it is, under the method's rule scope.
import type * as tf from '@tensorflow/tfjs-core';
import { mirrorForm } from '../core/tensors.js';
import { tidyResult } from '../core/tidy-result.js';
import { ok, type Result } from '../core/validation.js';
import { type RuleMethod, withRules } from './attribution-rules.js';
import { gradientsOf } from './gradients.js';
import { ruleModel } from './layers-walk.js';
import type { PreparedCall } from './prepare-call.js';
import type { ModelCall } from './run-forward.js';

/** The modified gradients of `method` for a prepared call, one per input; the caller owns them. */
export function ruleGradientList(prepared: PreparedCall, method: Exclude<RuleMethod, 'deepLift'>): Result<tf.Tensor[]> {
  const { call, resolved } = prepared;
  const ruled = ruleModel(call.model, method, call.args);
  if (ruled._tag === 'Left') return ruled;
  return underReluRules(call, method, () => gradientsOf({ ...call, model: ruled.right }, resolved));
}

/** The modified gradients of `method` for a prepared call, in the inputs' form; the caller owns them. */
export function ruleGradients(prepared: PreparedCall, method: Exclude<RuleMethod, 'deepLift'>): Result<tf.Tensor | tf.Tensor[]> {
  const grads = ruleGradientList(prepared, method);
  return grads._tag === 'Left' ? grads : ok(mirrorForm(prepared.call.isTuple, grads.right));
}

/** `f` (a gradient pass on the batch as it is) inside `tf.tidy` under `method`'s ReLU rules. */
export function underReluRules(call: ModelCall, method: Exclude<RuleMethod, 'deepLift'>, f: () => tf.Tensor[]): Result<tf.Tensor[]> {
  return tidyResult(() => ok(withRules({ method, eps: 0, rows: call.batchSize }, f)));
}
