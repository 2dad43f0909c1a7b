// Captum's `_run_forward`: the model on the inputs and extra arguments, then the target selection.
import type * as tf from '@tensorflow/tfjs-core';
import type { AttributionError } from '../core/errors.js';
import { formatAdditionalForwardArgs } from '../core/forward-args.js';
import { checkSameBatch, checkTensorOrTuple, type TensorRules } from '../core/tensors.js';
import { all, attemptAsync, ok, type Result } from '../core/validation.js';
import { type CheckedTarget, checkTarget, checkTargetSize, readTarget } from '../target/resolve-target.js';
import { selectResolved } from '../target/select-target.js';
import type { ResolvedTarget, Target } from '../target/target.js';
import { callModel, checkModel, type Model, ModelFailure, modelErrorOf } from './model.js';
import { tidyResult } from '../core/tidy-result.js';

/** The checked arguments every model-running function starts from. */
export interface ModelCall {
  readonly model: Model;
  readonly inputs: readonly tf.Tensor[];
  readonly isTuple: boolean;
  readonly batchSize: number;
  readonly args: readonly unknown[];
}

/** Checks model, inputs (one batch size), target form and extra arguments, reporting every problem. */
export function checkModelCall(
  model: unknown,
  inputs: unknown,
  t: unknown,
  args: unknown,
  inputRules: TensorRules = {},
): Result<{ readonly call: ModelCall; readonly target: CheckedTarget }> {
  const inputsChecked = checkTensorOrTuple(inputs, 'inputs', inputRules);
  // A per-example target's count is checked before its entries are (Captum's `_validate_target`).
  const n = inputsChecked._tag === 'Right' ? inputsChecked.right.tensors[0]?.shape[0] : undefined;
  const size = n === undefined ? ok(undefined) : checkTargetSize(t, n);
  const checked = all({
    model: checkModel(model),
    inputs: inputsChecked,
    target: size._tag === 'Left' ? size : checkTarget(t),
    args: formatAdditionalForwardArgs(args),
  });
  if (checked._tag === 'Left') return checked;
  const { model: m, inputs: formatted, target: checkedTarget, args: list } = checked.right;
  const batch = checkSameBatch(formatted.tensors, 'inputs', formatted.isTuple);
  if (batch._tag === 'Left') return batch;
  const call: ModelCall = { model: m, inputs: formatted.tensors, isTuple: formatted.isTuple, batchSize: batch.right, args: list };
  return ok({ call, target: checkedTarget });
}

/** Runs the model and selects the target, synchronously; throws {@link ModelFailure} on any failure. */
export function forwardSelected(call: ModelCall, resolved: ResolvedTarget): tf.Tensor {
  const selected = selectResolved(callModel(call.model, call.inputs, call.args), resolved);
  if (selected._tag === 'Left') throw new ModelFailure(selected.left[0]);
  return selected.right;
}

const toError = (e: unknown): AttributionError => modelErrorOf(e, 'runForward');

/**
 * Runs `model(...inputs, ...additionalForwardArgs)` and selects `target` from its output, as
 * Captum's `_run_forward`. No gradient tape is involved. The returned tensor belongs to the caller.
 *
 * @example
 * const model = (x: tf.Tensor) => tf.matMul(x, tf.tensor2d([[1, 0], [0, 2]]));
 * const out = await runForward(model, tf.tensor2d([[1, 2], [3, 4]]), 1);
 * // Right(tensor [4, 8])
 */
export function runForward(model: Model, inputs: tf.Tensor | readonly tf.Tensor[], t?: Target, additionalForwardArgs?: unknown): Promise<Result<tf.Tensor>> {
  return attemptAsync(async () => {
    const checked = checkModelCall(model, inputs, t, additionalForwardArgs);
    if (checked._tag === 'Left') return checked;
    const { call, target: pending } = checked.right;
    const resolved = await readTarget(pending);
    return tidyResult(() => ok(forwardSelected(call, resolved)));
  }, toError);
}
