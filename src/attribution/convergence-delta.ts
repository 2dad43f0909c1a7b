// Captum's GradientAttribution.compute_convergence_delta: the completeness check of an attribution.
import * as tf from '@tensorflow/tfjs-core';
import { formatBaselines, tensorizeFormatted } from '../core/baselines.js';
import { formatAdditionalForwardArgs } from '../core/forward-args.js';
import { readFields } from '../core/arguments.js';
import { checkNonEmptyBatch, checkSameBatch, checkTensorOrTuple, elementPath, formatShape, type TensorOrTuple } from '../core/tensors.js';
import { tidyResult } from '../core/tidy-result.js';
import { all, allOf, attemptAsync, fail, ok, type Result } from '../core/validation.js';
import { checkModel, type Model, ModelFailure, modelErrorOf } from '../engine/model.js';
import { forwardSelected, type ModelCall } from '../engine/run-forward.js';
import { getKernels } from '../kernels/load-kernels.js';
import { tensorRowSums } from '../kernels/tensor-row-sums.js';
import { checkTarget, checkTargetCount, checkTargetSize, readTarget } from '../target/resolve-target.js';
import type { ResolvedTarget, Target } from '../target/target.js';
import type { Baselines } from '../core/baselines.js';

/**
 * The arguments of {@link convergenceDelta} besides the model (Captum's positional arguments, by name).
 *
 * @example
 * const options: ConvergenceDeltaOptions = { attributions: tf.ones([2, 3]), endPoint: tf.ones([2, 3]), startPoint: 0, target: undefined };
 * await convergenceDelta((x: tf.Tensor) => tf.sum(x, 1), options); // Right(tensor [0, 0])
 */
export interface ConvergenceDeltaOptions {
  /** The attributions: dimension 0 must be the batch; any other shape (a layer's, say) is summed. */
  readonly attributions: TensorOrTuple;
  /** The inputs the attributions explain (Captum's `end_point`). */
  readonly endPoint: TensorOrTuple;
  /** The baselines (Captum's `start_point`), in any form {@link tensorizeBaselines} takes; zeros if absent. */
  readonly startPoint?: Baselines;
  readonly target?: Target;
  readonly additionalForwardArgs?: unknown;
}

/** Every attribution tensor has the end point's batch size (Captum checks the zipped pairs). */
function checkAttributionBatches(attributions: readonly tf.Tensor[], isTuple: boolean, n: number): Result<readonly tf.Tensor[]> {
  return allOf(
    attributions.map((a, i) =>
      a.shape[0] === n
        ? ok(a)
        : fail({ _tag: 'AttributionBatchMismatch', path: elementPath('attributions', isTuple, i), attribution: a.shape[0] ?? 0, endPoint: n }),
    ),
  );
}

/** Runs the model on one point and selects the target: `[N, ...]`, one block per example. */
function forwardPoint(call: ModelCall, resolved: ResolvedTarget, which: string): tf.Tensor {
  const selected = tidyResult(() => ok(forwardSelected(call, resolved)));
  if (selected._tag === 'Left') throw new ModelFailure(selected.left[0]);
  const out = selected.right;
  if (out.rank === 0 || out.shape[0] !== call.batchSize) {
    out.dispose();
    throw new ModelFailure({
      _tag: 'ModelOutputInvalid',
      path: 'model',
      expected: `one value (or block) per example at the ${which}, shape [${call.batchSize}, ...]`,
      got: `shape ${formatShape(out.shape)}`,
    });
  }
  return out;
}

/**
 * Captum's `compute_convergence_delta`, per example `i`:
 * `delta[i] = sum(attributions[i]) - (F(endPoint)[i] - F(startPoint)[i])`, where `F` is the
 * target-selected model output summed per example. Runs exactly two forward passes (start, then
 * end), outside any gradient tape; sums in f64 in the AssemblyScript kernels. Returns `[N]` float32,
 * owned by the caller.
 *
 * @example
 * const s = (x: tf.Tensor) => tf.sum(tf.square(x), 1, true);
 * const model = (x: tf.Tensor) => tf.concat([s(x), tf.mul(s(x), 2)], 1); // [s, 2s]
 * const delta = await convergenceDelta(model, {
 *   attributions: tf.tensor2d([[1, 1], [2, 2]]),
 *   endPoint: tf.tensor2d([[1, 2], [3, 4]]),
 *   target: 0,
 * }); // Right(tensor [-3, -21])
 */
export function convergenceDelta(model: Model, options: ConvergenceDeltaOptions): Promise<Result<tf.Tensor1D>> {
  return attemptAsync(() => delta(model, options), (e) => modelErrorOf(e, 'convergenceDelta'));
}

async function delta(model: Model, options: ConvergenceDeltaOptions): Promise<Result<tf.Tensor1D>> {
  const owned: tf.Tensor[] = [];
  try {
    const fields = readFields(options, 'options', ['attributions', 'endPoint', 'startPoint', 'target', 'additionalForwardArgs']);
    if (fields._tag === 'Left') return fields;
    const opts = fields.right;
    const end = checkTensorOrTuple(opts.endPoint, 'endPoint');
    // A per-example target's count is checked before its entries are.
    const n0 = end._tag === 'Right' ? end.right.tensors[0]?.shape[0] : undefined;
    const size = n0 === undefined ? ok(undefined) : checkTargetSize(opts.target, n0);
    const checked = all({
      model: checkModel(model),
      endPoint: end,
      attributions: checkTensorOrTuple(opts.attributions, 'attributions'),
      target: size._tag === 'Left' ? size : checkTarget(opts.target),
      args: formatAdditionalForwardArgs(opts.additionalForwardArgs),
    });
    if (checked._tag === 'Left') return checked;
    const { endPoint, attributions, args } = checked.right;
    const batch = checkSameBatch(endPoint.tensors, 'endPoint', endPoint.isTuple);
    if (batch._tag === 'Left') return batch;
    const nonEmpty = checkNonEmptyBatch(endPoint.tensors[0] as tf.Tensor, elementPath('endPoint', endPoint.isTuple, 0));
    if (nonEmpty._tag === 'Left') return nonEmpty;
    const n = batch.right;
    // Formatted (and so held) before the first await.
    const startFormatted = formatBaselines(opts.startPoint, endPoint.tensors.length, 'startPoint');

    if (startFormatted._tag === 'Left') return startFormatted;
    const resolved = checkTargetCount(n, await readTarget(checked.right.target));
    const start = tidyResult(() => tensorizeFormatted(endPoint.tensors, startFormatted.right, Array.isArray(opts.startPoint), 'startPoint'));
    if (start._tag === 'Right') owned.push(...start.right);
    const points = all({
      attributions: checkAttributionBatches(attributions.tensors, attributions.isTuple, n),
      start,
      target: resolved,
    });
    if (points._tag === 'Left') return points;

    const call = (inputs: readonly tf.Tensor[]): ModelCall => ({ model: checked.right.model, inputs, isTuple: endPoint.isTuple, batchSize: n, args });
    const startOut = forwardPoint(call(points.right.start), points.right.target, 'start point');
    owned.push(startOut);
    const endOut = forwardPoint(call(endPoint.tensors), points.right.target, 'end point');
    owned.push(endOut);

    const kernels = await getKernels();
    const [startSums, endSums, ...attributionSums] = await tensorRowSums([startOut, endOut, ...attributions.tensors], kernels);
    const attributionTotal = new Float64Array(n);
    for (const s of attributionSums) kernels.addInto(attributionTotal, s);
    const d = kernels.convergenceDelta(attributionTotal, endSums as Float64Array, startSums as Float64Array);
    return ok(tf.tensor1d(Float32Array.from(d), 'float32'));
  } finally {
    for (const t of owned) t.dispose();
  }
}
