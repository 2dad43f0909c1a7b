// Captum's Occlusion: slide a window over each input, replace it by the baseline, and give every
// element the mean output drop of the windows that covered it.
import * as tf from '@tensorflow/tfjs-core';
import { descriptorOf } from '../../attribution/method-descriptors.js';
import type { Baselines } from '../../core/baselines.js';
import type { AttributionError } from '../../core/errors.js';
import { readOptions } from '../../core/options.js';
import { mirrorForm } from '../../core/tensors.js';
import { all, attemptAsync, ok, type Result } from '../../core/validation.js';
import { checkLongRun, type LongRunOptions } from '../../engine/chunks.js';
import { type AttributionMethod, type Inputs, type MethodOptions, withDescriptor } from '../../engine/method.js';
import { type Model, modelErrorOf } from '../../engine/model.js';
import { checkPerturbedBatch, flatRows, PERTURBATION_INPUTS, perturbationBaselines, perturbationsPerEvalOption, runAblation } from '../../engine/perturbation.js';
import { prepareCall } from '../../engine/prepare-call.js';
import { fillWindow, windowGrids } from '../../engine/windows.js';

/**
 * Options of {@link occlusion}: Captum's `Occlusion.attribute(...)` keyword arguments, in camelCase.
 * Windows and strides cover the non-batch dimensions in the input's own layout (`[h, w, c]` for NHWC images).
 *
 * @example
 * const forImages: OcclusionOptions = { slidingWindowShapes: [4, 4, 3], strides: [2, 2, 3], target: 7 };
 * const forTwoInputs: OcclusionOptions = { slidingWindowShapes: [[2], [1, 1]], strides: [1, [1, 1]] };
 */
export interface OcclusionOptions extends MethodOptions, LongRunOptions {
  /** The window per input, one size per non-batch dimension; a single input may give its window directly. Required. */
  readonly slidingWindowShapes: readonly number[] | readonly (readonly number[])[];
  /** Window steps: 1 by default; one integer for every dimension, or one stride (integer or array) per input. A stride may not exceed its window. */
  readonly strides?: number | readonly number[] | readonly (number | readonly number[])[];
  /** What an occluded window is replaced by, in any form {@link tensorizeBaselines} takes; zeros by default. */
  readonly baselines?: Baselines;
  /** Windows evaluated per forward pass (each in its own copy of the batch); default 1. The result does not depend on it. */
  readonly perturbationsPerEval?: number;
}

const KEYS = ['target', 'additionalForwardArgs', 'slidingWindowShapes', 'strides', 'baselines', 'perturbationsPerEval', 'onProgress', 'signal'] as const;

async function run(model: Model, inputs: Inputs, options?: OcclusionOptions): Promise<Result<unknown>> {
  const fields = readOptions(options, KEYS);
  if (fields._tag === 'Left') return fields;
  const o = fields.right;
  const prepared = await prepareCall(model, inputs, o.target, o.additionalForwardArgs, PERTURBATION_INPUTS);
  const checked = all({ perEval: perturbationsPerEvalOption(o.perturbationsPerEval), longRun: checkLongRun(o.onProgress, o.signal) });
  if (prepared._tag === 'Left' || checked._tag === 'Left') return all({ prepared, checked });
  const { call } = prepared.right;
  const { perEval, longRun } = checked.right;
  const grids = windowGrids(call.inputs, call.isTuple, o.slidingWindowShapes, o.strides);
  const baselines = perturbationBaselines(call.inputs, o.baselines);
  const both = all({ grids, baselines, budget: checkPerturbedBatch(call.inputs, perEval, 'an occlusion pass') });
  if (both._tag === 'Left') {
    if (baselines._tag === 'Right') baselines.right.forEach((b) => b.dispose());
    return both;
  }
  const g = both.right.grids;
  const base = both.right.baselines;
  try {
    // Windows are numbered input by input; window w of input i is feature firsts[i] + w.
    const firsts = g.map((_, i) => g.slice(0, i).reduce((a, grid) => a + grid.count, 0));
    const total = firsts[g.length - 1]! + g[g.length - 1]!.count;
    const owner = (f: number): number => {
      let i = firsts.length - 1;
      while (i > 0 && f < firsts[i]!) i--;
      return i;
    };
    const result = await runAblation(
      prepared.right,
      {
        features: Array.from({ length: total }, (_, f) => f),
        selection: (i, group) => {
          if (!group.some((f) => owner(f) === i)) return undefined;
          const grid = g[i]!;
          const size = grid.dims.reduce((a, b) => a * b, 1);
          const boxes = new Uint8Array(group.length * size);
          group.forEach((f, p) => owner(f) === i && fillWindow(grid, f - firsts[i]!, boxes, p * size));
          return tf.tensor(boxes, [group.length, 1, size], 'bool'); // [k, 1, D]
        },
        replacement: (i) => tf.expandDims(flatRows(base[i]!), 0), // [1, N, D]
      },
      perEval,
      longRun,
    );
    if (result._tag === 'Left') return result;
    const averaged = tf.tidy(() =>
      result.right.map((summed, i) => {
        const grid = g[i]!;
        const counts = new Float32Array(grid.dims.reduce((a, b) => a * b, 1));
        for (let w = 0; w < grid.count; w++) fillWindow(grid, w, counts);
        return tf.div(summed, tf.tensor(counts, [1, ...grid.dims])); // the mean over the windows covering each element
      }),
    );
    result.right.forEach((t) => t.dispose());
    return ok(mirrorForm(call.isTuple, averaged));
  } finally {
    base.forEach((b) => b.dispose());
  }
}

/**
 * Captum's `Occlusion`: every window position of `slidingWindowShapes` (stepped by `strides`, the last
 * position clipped at the edge so that every element is covered) is set to the baseline in its own
 * copy of the batch; each element gets the mean of `F(x) − F(x occluded)` over the windows that
 * covered it. Inputs may be float32 or int32; the attributions are float32, shaped like the inputs
 * when the target selects one value per example, and belong to the caller.
 *
 * @example
 * const model = (x: tf.Tensor) => tf.sum(x, 1); // F = Σ x
 * const r = await occlusion(model, tf.tensor2d([[1, 2, 3, 4]]), { slidingWindowShapes: [2], strides: [2] });
 * // Right(tensor [[3, 3, 7, 7]]): windows {0,1} and {2,3}, each element gets its window's drop
 */
export const occlusion: AttributionMethod<OcclusionOptions> = withDescriptor(
  (model, inputs, options) => attemptAsync(() => run(model, inputs, options), (e): AttributionError => modelErrorOf(e, 'occlusion')),
  descriptorOf('Occlusion'),
);
