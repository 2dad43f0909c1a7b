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

/** The modified gradients of `method` for a prepared call, in the inputs' form; the caller owns them. */
export function ruleGradients(prepared: PreparedCall, method: Exclude<RuleMethod, 'deepLift'>): Result<tf.Tensor | tf.Tensor[]> {
  const { call, resolved } = prepared;
  const ruled = ruleModel(call.model, method, call.args);
  if (ruled._tag === 'Left') return ruled;
  const grads = tidyResult(() => ok(withRules({ method, eps: 0, rows: call.batchSize }, () => gradientsOf({ ...call, model: ruled.right }, resolved))));
  return grads._tag === 'Left' ? grads : ok(mirrorForm(call.isTuple, grads.right));
}
