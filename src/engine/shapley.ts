// The Shapley loop shared by ShapleyValues (every permutation) and ShapleyValueSampling (sampled
// ones), Captum's `ShapleyValueSampling.attribute`: for each permutation of the features, start from
// the baselines, switch the features on one by one (in every input holding the id, cumulatively) and
// credit each output change to the feature just added; then average over the permutations.
// The cumulative states of one permutation are built by selection: with rank[e] the position of
// element e's feature in the permutation, state j is `where(rank <= j, x, baseline)`.
import * as tf from '@tensorflow/tfjs-core';
import { formatShape } from '../core/tensors.js';
import { all, ok, type Result } from '../core/validation.js';
import { abortedResult, checkLongRun, chunkRanges, reportProgress, yieldToEventLoop } from './chunks.js';
import { checkFeatureMask, disposeMasks, featureCount, type ReadMask, readFeatureMasks } from './feature-masks.js';
import { type CheckedRun, checkGrowth, checkPerturbedBatch, evaluateRows, failWith, flatRows, PERTURBATION_INPUTS, perturbationBaselines, perturbationsPerEvalOption } from './perturbation.js';
import { type PreparedCall, prepareCall } from './prepare-call.js';

export interface ShapleyPlan {
  /** Full `[N, ...]` baselines, in the inputs' dtypes. */
  readonly baselines: readonly tf.Tensor[];
  readonly masks: readonly ReadMask[];
  /** How many permutations, and permutation `t` of `0 … T−1` (checked by the caller, or thrown as a ModelFailure). */
  readonly permutations: number;
  permutation(t: number): readonly number[];
}

/**
 * Runs the loop; returns float32 `[...f_base.shape, ...x.shape[1:]]` per input, where `f_base` is the
 * selected output on the baselines (`[N]` for one value per example; a 0-d output counts as `[1]`).
 */
export async function runShapley(prepared: PreparedCall, plan: ShapleyPlan, perEval: number, run: CheckedRun): Promise<Result<tf.Tensor[]>> {
  const { call } = prepared;
  const n = call.batchSize;
  const features = featureCount(plan.masks);
  const fBase = tf.tidy(() => {
    const out = evaluateRows(prepared, plan.baselines, 1);
    return out.rank === 0 ? tf.reshape(out, [1]) : out;
  });
  const fShape = fBase.shape;
  const aggregate = fBase.size === 1 && n > 1;
  let total: tf.Tensor[] | undefined;
  let prev: tf.Tensor | undefined;
  try {
    if (aggregate && perEval > 1) {
      return failWith({ _tag: 'InvalidArgument', path: 'options.perturbationsPerEval', expected: '1 for a model that returns one value per batch', got: `${perEval}` });
    }
    plan.masks.forEach((m, i) => {
      if (m.shape[0] !== 1 && m.shape[0] !== fShape[0]) {
        failWith({ _tag: 'InvalidArgument', path: call.isTuple ? `options.featureMask[${i}]` : 'options.featureMask', expected: `a mask with dimension 0 of 1 for a model output of shape ${formatShape(fShape)}`, got: `a per-example mask of shape ${formatShape(m.shape)}` });
      }
    });
    total = tf.tidy(() => call.inputs.map((x) => tf.zeros([...fShape, x.size / n]))); // [...fShape, D]
    const units = plan.permutations * features;
    for (let t = 0; t < plan.permutations; t++) {
      const perm = plan.permutation(t);
      const position = new Int32Array(features);
      perm.forEach((g, j) => (position[g] = j));
      const ranks = plan.masks.map((m) => tf.tensor(m.ids.map((id) => position[id]!), [...m.shape], 'int32'));
      try {
        prev?.dispose();
        prev = tf.clone(fBase);
        for (const { start, end } of chunkRanges(features, perEval)) {
          const stopped = abortedResult(run);
          if (stopped !== undefined) return stopped;
          const k = end - start;
          const before: tf.Tensor[] = total;
          const last: tf.Tensor = prev!;
          const [next, out] = tf.tidy(() => {
            const steps = (extra: number) => tf.tensor(Array.from({ length: k }, (_, p) => start + p), [k, ...Array.from({ length: extra }, () => 1)], 'int32');
            const states = call.inputs.map((x, i) => {
              const rank = ranks[i]!;
              const shape = [k, n, x.size / n];
              const on = tf.lessEqual(tf.expandDims(rank, 0), steps(rank.rank)); // [k, 1 or N, D]
              const state = tf.where(tf.broadcastTo(on, shape), tf.broadcastTo(tf.expandDims(flatRows(x), 0), shape), tf.broadcastTo(tf.expandDims(flatRows(plan.baselines[i]!), 0), shape));
              return tf.reshape(state, [k * n, ...x.shape.slice(1)]); // [k·N, ...], row p·N + i
            });
            const raw = evaluateRows(prepared, states, k);
            checkGrowth(raw, k, fBase.size);
            const outs = tf.reshape(raw, [k, ...fShape]);
            const previous = k === 1 ? tf.expandDims(last, 0) : tf.concat([tf.expandDims(last, 0), tf.slice(outs, 0, k - 1)], 0);
            const diff = tf.sub(outs, previous); // [k, ...fShape]
            const sums = before.map((acc, i) => {
              const rank = ranks[i]!;
              const rest = acc.shape.slice(fShape.length);
              const shape = [k, ...fShape, ...rest];
              // the mask's rank tensor [rows, ...] aligned to [k, rows, 1 (other output dims), ...]
              const aligned = tf.reshape(rank, [rank.shape[0]!, ...fShape.slice(1).map(() => 1), ...rank.shape.slice(1)]);
              const added = tf.equal(tf.expandDims(aligned, 0), steps(aligned.rank));
              const d = tf.broadcastTo(tf.reshape(diff, [k, ...fShape, ...rest.map(() => 1)]), shape);
              return tf.add(acc, tf.sum(tf.where(tf.broadcastTo(added, shape), d, tf.zerosLike(d)), 0));
            });
            return [sums, tf.squeeze(tf.slice(outs, k - 1, 1), [0])] as const;
          });
          before.forEach((b) => b.dispose());
          last.dispose();
          total = next;
          prev = out;
          reportProgress(run, t * features + end, units);
          if (run.onProgress !== undefined || run.signal !== undefined) await yieldToEventLoop();
        }
      } finally {
        ranks.forEach((r) => r.dispose());
      }
    }
    const summed: tf.Tensor[] = total;
    total = undefined;
    const averaged = tf.tidy(() => summed.map((s, i) => tf.reshape(tf.div(s, plan.permutations), [...fShape, ...call.inputs[i]!.shape.slice(1)])));
    summed.forEach((s) => s.dispose());
    return ok(averaged);
  } finally {
    fBase.dispose();
    prev?.dispose();
    total?.forEach((s) => s.dispose());
  }
}

/** Lexicographic permutations of `0 … n−1` (as Python's itertools.permutations), the `t`-th on demand in order. */
export function lexicographicPermutations(n: number): (t: number) => number[] {
  let current = Array.from({ length: n }, (_, i) => i);
  let at = 0;
  return (t: number) => {
    if (t < at) {
      current = Array.from({ length: n }, (_, i) => i);
      at = 0;
    }
    while (at < t) {
      let i = n - 2;
      while (i >= 0 && current[i]! > current[i + 1]!) i--;
      if (i < 0) break;
      let j = n - 1;
      while (current[j]! < current[i]!) j--;
      [current[i], current[j]] = [current[j]!, current[i]!];
      current = [...current.slice(0, i + 1), ...current.slice(i + 1).reverse()];
      at++;
    }
    return [...current];
  };
}

/** What both Shapley methods check before the loop: the call, batching, long-run options, baselines and masks. */
export interface ShapleySetup {
  readonly prepared: PreparedCall;
  readonly perEval: number;
  readonly run: CheckedRun;
  readonly baselines: tf.Tensor[];
  readonly masks: ReadMask[];
}

/** Checks and reads the options every Shapley method shares; the caller disposes `baselines` and `masks` (see {@link disposeSetup}). */
export async function prepareShapley(model: unknown, inputs: unknown, o: Partial<Record<'target' | 'additionalForwardArgs' | 'baselines' | 'featureMask' | 'perturbationsPerEval' | 'onProgress' | 'signal', unknown>>, extra: Result<unknown>): Promise<Result<ShapleySetup>> {
  const prepared = await prepareCall(model, inputs, o.target, o.additionalForwardArgs, PERTURBATION_INPUTS);
  const checked = all({ perEval: perturbationsPerEvalOption(o.perturbationsPerEval), run: checkLongRun(o.onProgress, o.signal), extra });
  if (prepared._tag === 'Left' || checked._tag === 'Left') return all({ prepared, checked }) as Result<never>;
  const { call } = prepared.right;
  const maskForm = checkFeatureMask(o.featureMask, call.inputs);
  const baselines = perturbationBaselines(call.inputs, o.baselines);
  const both = all({ maskForm, baselines, budget: checkPerturbedBatch(call.inputs, checked.right.perEval, 'a Shapley pass') });
  if (both._tag === 'Left') {
    if (baselines._tag === 'Right') baselines.right.forEach((b) => b.dispose());
    return both;
  }
  const masks = await readFeatureMasks(both.right.maskForm, call.inputs, Array.isArray(o.featureMask));
  if (masks._tag === 'Left') {
    both.right.baselines.forEach((b) => b.dispose());
    return masks;
  }
  return ok({ prepared: prepared.right, perEval: checked.right.perEval, run: checked.right.run, baselines: both.right.baselines, masks: masks.right });
}

export function disposeSetup(setup: ShapleySetup): void {
  setup.baselines.forEach((b) => b.dispose());
  disposeMasks(setup.masks);
}
