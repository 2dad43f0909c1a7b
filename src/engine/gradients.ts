// Captum's `compute_gradients`: d(selected output)/d(inputs), one scalar per example.
import * as tf from '@tensorflow/tfjs-core';
import type { AttributionError } from '../core/errors.js';
import { type Mirrored, mirrorForm, type TensorOrTuple } from '../core/tensors.js';
import { attemptAsync, errorText, ok, type Result } from '../core/validation.js';
import { readTarget } from '../target/resolve-target.js';
import type { ResolvedTarget, Target } from '../target/target.js';
import './register-gradients.js';
import { isModelFailure, type Model, ModelFailure, modelErrorOf } from './model.js';
import { checkModelCall, forwardSelected, type ModelCall } from './run-forward.js';
import { tidyResult } from '../core/tidy-result.js';

/** Throws unless every example selects exactly one value (Captum asserts `outputs[0].numel() == 1`). */
export function requireScalarPerExample(selected: tf.Tensor): void {
  if (selected.rank === 0) {
    throw new ModelFailure({
      _tag: 'ModelOutputInvalid',
      path: 'model',
      expected: 'one value per example (shape [N] or [N,1])',
      got: 'a 0-d tensor (one value for the whole batch; return shape [1] for an aggregate)',
    });
  }
  if (tf.util.sizeFromShape(selected.shape.slice(1)) !== 1) {
    throw new ModelFailure({ _tag: 'TargetRequiredForMultiOutput', path: 'target', outputShape: selected.shape });
  }
}

interface EngineState {
  gradientDepth?: number;
  activeTape?: { saved?: tf.Tensor[] }[] | null;
}

/**
 * tfjs keeps the tensors each taped op saved for backprop until the backward pass frees them; when
 * the forward throws, or no path leads from an input to the output, that never happens and they
 * leak. Free them, but only for an outermost tape (a caller's own enclosing tape is left alone).
 */
export function releaseAbandonedTape(): void {
  const state = (tf.engine() as unknown as { state?: EngineState }).state;
  if (state === undefined || state.gradientDepth !== 0 || !Array.isArray(state.activeTape)) return;
  for (const node of state.activeTape) for (const t of node.saved ?? []) t.dispose();
  state.activeTape = null;
}

/**
 * The gradient of the summed, target-selected output with respect to each input, synchronously
 * (call inside `tf.tidy`). Exact per example when row k of the output depends only on row k of the
 * inputs, as in Captum. Throws {@link ModelFailure} for model and target problems.
 */
export function gradientsOf(call: ModelCall, resolved: ResolvedTarget): tf.Tensor[] {
  const f = (...xs: tf.Tensor[]): tf.Tensor => {
    const selected = forwardSelected({ ...call, inputs: xs }, resolved);
    requireScalarPerExample(selected);
    return selected;
  };
  try {
    return tf.grads(f)([...call.inputs]);
  } catch (e) {
    releaseAbandonedTape();
    if (isModelFailure(e)) throw e;
    throw new ModelFailure({ _tag: 'GradientUnavailable', path: 'inputs', message: errorText(e) });
  }
}

const toError = (e: unknown): AttributionError => modelErrorOf(e, 'computeGradients');

/**
 * Captum's `compute_gradients`: the gradient of the target-selected model output (one scalar per
 * example; an `[N, 1]` output needs no target) with respect to every input. Inputs must be float32.
 * The result mirrors the input form (one tensor, or an array); the caller owns it.
 *
 * @example
 * const model = (x: tf.Tensor) => tf.sum(tf.square(x), 1); // f(x) = sum_j x_j^2
 * const g = await computeGradients(model, tf.tensor2d([[1, 2], [3, 4]]));
 * // Right(tensor [[2, 4], [6, 8]])
 */
export function computeGradients<I extends TensorOrTuple>(model: Model, inputs: I, t?: Target, additionalForwardArgs?: unknown): Promise<Result<Mirrored<I>>> {
  return attemptAsync(async () => {
    const checked = checkModelCall(model, inputs, t, additionalForwardArgs, { dtypes: ['float32'] });
    if (checked._tag === 'Left') return checked;
    const { call, target: pending } = checked.right;
    const resolved = await readTarget(pending);
    const grads = tidyResult(() => ok(gradientsOf(call, resolved)));
    return grads._tag === 'Left' ? grads : ok(mirrorForm(call.isTuple, grads.right) as Mirrored<I>);
  }, toError);
}

