// The first steps of every attribution method: check the model call (model, inputs, target form,
// extra arguments), read the target's values and check its count against the batch.
import type { TensorRules } from '../core/tensors.js';
import { checkNonEmptyBatch, elementPath } from '../core/tensors.js';
import type { Result } from '../core/validation.js';
import { ok } from '../core/validation.js';
import { checkTargetCount, readTarget } from '../target/resolve-target.js';
import type { ResolvedTarget } from '../target/target.js';
import { checkModelCall, type ModelCall } from './run-forward.js';

/** A checked model call and its target, ready to run. */
export interface PreparedCall {
  readonly call: ModelCall;
  readonly resolved: ResolvedTarget;
}

/**
 * Checks `model`, `inputs` (float32 unless `rules` says otherwise; one batch size, not empty),
 * `target` and `additionalForwardArgs`, reporting every problem; then resolves the target and checks
 * that a per-example target has one entry per example.
 */
export async function prepareCall(model: unknown, inputs: unknown, target: unknown, args: unknown, rules: TensorRules = { dtypes: ['float32'] }): Promise<Result<PreparedCall>> {
  const checked = checkModelCall(model, inputs, target, args, rules);
  if (checked._tag === 'Left') return checked;
  const { call } = checked.right;
  const nonEmpty = checkNonEmptyBatch(call.inputs[0]!, elementPath('inputs', call.isTuple, 0));
  if (nonEmpty._tag === 'Left') return nonEmpty;
  const resolved = checkTargetCount(call.batchSize, await readTarget(checked.right.target));
  return resolved._tag === 'Left' ? resolved : ok({ call, resolved: resolved.right });
}
