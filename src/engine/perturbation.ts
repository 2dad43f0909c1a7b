// The shared machinery of the perturbation methods: evaluating k perturbed copies of the batch in one
// forward pass (Captum's `perturbations_per_eval`, 'repeat' row order: row = p·N + i), the ablation
// loop of FeatureAblation / Occlusion / FeaturePermutation, baselines, and the common options.
// Perturbed inputs are built by selection (`tf.where`), never by arithmetic masking, so a NaN or an
// Infinity in a position that is not perturbed never reaches the model or the attributions.
import * as tf from '@tensorflow/tfjs-core';
import { describeValue, isTensor } from '../core/arguments.js';
import { tensorizeAgainst } from '../core/baselines.js';
import type { AttributionError } from '../core/errors.js';
import { integerOption } from '../core/options.js';
import { formatShape, type TensorRules } from '../core/tensors.js';
import { tidyResult } from '../core/tidy-result.js';
import { all, ok, type Result } from '../core/validation.js';
import { abortedResult, type CheckedLongRun, chunkRanges, reportProgress, yieldToEventLoop } from './chunks.js';
import { expandArgs, expandRows, expandTarget } from './expansion.js';
import { checkFeatureMask, disposeMasks, featureOrder, readFeatureMasks } from './feature-masks.js';
import { checkAllocation } from './memory-budget.js';
import { ModelFailure } from './model.js';
import type { PreparedCall } from './prepare-call.js';
import { forwardSelected, type ModelCall } from './run-forward.js';

/** The dtypes the perturbation methods accept as inputs (Captum perturbs integer inputs such as token ids too). */
export const PERTURBATION_INPUTS: TensorRules = { dtypes: ['float32', 'int32'] };

/** `perturbationsPerEval`: an integer >= 1, default 1. */
export const perturbationsPerEvalOption = (value: unknown): Result<number> => integerOption(value, 'options.perturbationsPerEval', 1, 1);

/** `seed`: a safe integer, default 0. */
export const seedOption = (value: unknown): Result<number> => integerOption(value, 'options.seed', 0, Number.MIN_SAFE_INTEGER);

/** Refuses a `k·N`-row batch that one tensor of the active backend cannot hold. */
export function checkPerturbedBatch(inputs: readonly tf.Tensor[], k: number, what: string): Result<void> {
  const n = inputs[0]?.shape[0] ?? 0;
  const rowElements = Math.max(...inputs.map((x) => x.size / Math.max(n, 1)));
  return checkAllocation(k * n * rowElements, 'float32', 'options.perturbationsPerEval', `${what}: ${k} perturbed copies of ${n} examples`, 'pass a smaller perturbationsPerEval');
}

/**
 * Baselines as full `[N, ...]` tensors in each input's dtype (Captum's broadcasting forms: a number,
 * a tensor of the input's shape or a one-example `[1, ...]` tensor, per input). The caller owns them.
 */
export function perturbationBaselines(inputs: readonly tf.Tensor[], baselines: unknown, path = 'options.baselines'): Result<tf.Tensor[]> {
  return tidyResult(() => {
    const full = tensorizeAgainst(inputs, baselines, path);
    return full._tag === 'Left' ? full : ok(full.right.map((b, i) => (b.dtype === inputs[i]!.dtype ? b : tf.cast(b, inputs[i]!.dtype))));
  });
}

/**
 * The model on `k·N` perturbed rows (targets and extra tensors repeated `k` times), the selected
 * output as it comes. The model gets clones (no copy of the data), so a model that disposes what
 * it is given cannot free the baselines or inputs the next evaluation needs. Run inside `tf.tidy`.
 */
export function evaluateRows(prepared: PreparedCall, inputs: readonly tf.Tensor[], k: number): tf.Tensor {
  const { call, resolved } = prepared;
  const expanded: ModelCall = { ...call, inputs: inputs.map((t) => tf.clone(t)), batchSize: k * call.batchSize, args: expandArgs(call.args, k, 'repeat') };
  return tf.cast(forwardSelected(expanded, expandTarget(resolved, k, 'repeat')), 'float32');
}

/** `[N, ...]` as `[N, D]`. Run inside `tf.tidy`. */
export const flatRows = (t: tf.Tensor): tf.Tensor => tf.reshape(t, [t.shape[0]!, t.size / Math.max(t.shape[0]!, 1)]);

/** A failure found while a chunk is being built (inside `tf.tidy`), carried out as an exception. */
export const failWith = (error: AttributionError): never => {
  throw new ModelFailure(error);
};

/** Captum's check that the output grows with the batch: `k` evaluations must give `k · perEval` values. */
export function checkGrowth(out: tf.Tensor, k: number, perEval: number): void {
  if (out.size !== k * perEval) {
    failWith({
      _tag: 'ModelOutputInvalid',
      path: 'model',
      expected:
        `${k * perEval} values for ${k} perturbed copies of the batch (the output must grow with the batch` +
        (k > 1 ? '; a model that returns one value per batch needs perturbationsPerEval: 1)' : ')'),
      got: `a selected output of shape ${formatShape(out.shape)}`,
    });
  }
}

/**
 * What the ablation loop perturbs. Features are visited in `features` order, `perturbationsPerEval`
 * at a time; both callbacks run inside `tf.tidy`, input by input, in input order.
 */
export interface AblationPlan {
  readonly features: readonly number[];
  /** bool `[k, 1 or N, D]` (inputs flattened to `[N, D]`): the elements of input `i` each feature of `group` moves; undefined when it moves none. */
  selection(input: number, group: readonly number[]): tf.Tensor | undefined;
  /** The values the selected elements take, `[1 or k, N, D]`; called only for inputs the group moves. */
  replacement(input: number, group: readonly number[]): tf.Tensor;
}

export type CheckedRun = CheckedLongRun;

const yieldsTo = (run: CheckedRun): boolean => run.onProgress !== undefined || run.signal !== undefined;

/**
 * Captum's FeatureAblation loop: `f0 = F(x)`; for each group of features, `F` of the batch with each
 * feature moved in its own copy; each moved element gets `f0 − F(x')` of its copy, summed over the
 * features that moved it. Returns `[n_outputs, ...x.shape[1:]]` float32 per input (`n_outputs` is
 * the number of selected output values of the unperturbed batch). The caller owns the result.
 */
export async function runAblation(prepared: PreparedCall, plan: AblationPlan, perEval: number, run: CheckedRun): Promise<Result<tf.Tensor[]>> {
  const { call } = prepared;
  const n = call.batchSize;
  const f0 = tf.tidy(() => tf.reshape(evaluateRows(prepared, call.inputs, 1), [-1])); // [n_outputs]
  const nOut = f0.size;
  const width = (x: tf.Tensor) => x.size / n;
  let total: tf.Tensor[] | undefined = tf.tidy(() => call.inputs.map((x) => tf.zeros([nOut, width(x)]))); // [n_outputs, D]
  try {
    const count = plan.features.length;
    for (const { start, end } of chunkRanges(count, perEval)) {
      const stopped = abortedResult(run);
      if (stopped !== undefined) return stopped;
      const group = plan.features.slice(start, end);
      const k = group.length;
      const previous: tf.Tensor[] = total;
      total = tf.tidy(() => {
        const selections = call.inputs.map((_, i) => plan.selection(i, group));
        const perturbed = call.inputs.map((x, i) => {
          const sel = selections[i];
          if (sel === undefined) return expandRows(x, k, 'repeat'); // [k·N, ...] untouched
          const shape = [k, n, width(x)];
          const flat = tf.reshape(x, [1, n, width(x)]);
          const moved = tf.where(tf.broadcastTo(sel, shape), tf.broadcastTo(plan.replacement(i, group), shape), tf.broadcastTo(flat, shape)); // [k, N, D]
          return tf.reshape(moved, [k * n, ...x.shape.slice(1)]); // [k·N, ...], row p·N + i
        });
        const out = evaluateRows(prepared, perturbed, k);
        checkGrowth(out, k, nOut);
        const diff = tf.sub(tf.reshape(f0, [1, nOut]), tf.reshape(out, [k, nOut])); // [k, n_outputs]
        return previous.map((t, i) => {
          const sel = selections[i];
          if (sel === undefined) return tf.clone(t);
          if (sel.shape[1] !== 1 && sel.shape[1] !== nOut) {
            failWith({ _tag: 'InvalidArgument', path: 'options.featureMask', expected: `a mask with dimension 0 of 1 when the model gives ${nOut} output values for ${n} examples`, got: `a per-example mask of ${sel.shape[1]} rows` });
          }
          const shape = [k, nOut, t.shape[1]!];
          const d = tf.broadcastTo(tf.reshape(diff, [k, nOut, 1]), shape);
          return tf.add(t, tf.sum(tf.where(tf.broadcastTo(sel, shape), d, tf.zerosLike(d)), 0)); // [n_outputs, D]
        });
      });
      previous.forEach((t) => t.dispose());
      reportProgress(run, end, count);
      if (end < count && yieldsTo(run)) await yieldToEventLoop();
    }
    const flat = total;
    total = undefined;
    const result = flat.map((t, i) => tf.reshape(t, [nOut, ...call.inputs[i]!.shape.slice(1)])); // [n_outputs, ...]
    flat.forEach((t) => t.dispose());
    return ok(result);
  } finally {
    f0.dispose();
    total?.forEach((t) => t.dispose());
  }
}

/** An `InvalidArgument` for a sampler's answer. */
export const samplerError = (path: string, expected: string, got: unknown): AttributionError => ({ _tag: 'InvalidArgument', path, expected, got: typeof got === 'string' ? got : describeValue(got) });

/** Reads a caller's sampler answer as integers; `undefined` if it is not an array-like of numbers. */
export function readNumbers(value: unknown): number[] | undefined {
  try {
    if (!(Array.isArray(value) || ArrayBuffer.isView(value))) return undefined;
    const list = Array.from(value as ArrayLike<unknown>);
    return list.every((v) => typeof v === 'number') ? (list as number[]) : undefined;
  } catch {
    return undefined;
  }
}

/** `p` is a permutation of `0 … n−1`. */
export function isPermutation(p: readonly number[], n: number): boolean {
  if (p.length !== n) return false;
  const seen = new Uint8Array(n);
  for (const v of p) {
    if (!Number.isInteger(v) || v < 0 || v >= n || seen[v]) return false;
    seen[v] = 1;
  }
  return true;
}

/** Where the options of a mask ablation came from, for error paths. */
export interface MaskAblationOptions {
  readonly baselines: unknown;
  readonly featureMask: unknown;
  readonly perEval: number;
  readonly longRun: CheckedRun;
  /** Default `options.baselines`. */
  readonly baselinesPath?: string;
  /** Default `options.featureMask`. */
  readonly maskPath?: string;
}

/**
 * Captum's FeatureAblation on a prepared call: the call's inputs are what is perturbed (each feature
 * of `featureMask`, or each scalar, set to its baseline), the call's model what is evaluated. Shared
 * by featureAblation (the model's inputs), layerFeatureAblation (a layer's value, the rest of the
 * model run from it) and neuronFeatureAblation (one neuron as the output). Returns one float32
 * tensor per perturbed tensor, `[n_outputs, ...]`; the caller owns them.
 */
export async function ablateWithMasks(prepared: PreparedCall, o: MaskAblationOptions): Promise<Result<tf.Tensor[]>> {
  const { call } = prepared;
  const maskPath = o.maskPath ?? 'options.featureMask';
  const maskForm = checkFeatureMask(o.featureMask, call.inputs, maskPath);
  const baselines = perturbationBaselines(call.inputs, o.baselines, o.baselinesPath ?? 'options.baselines');
  // Everything that is repeated per perturbed copy: the perturbed tensors and the extra tensors.
  const repeated = [...call.inputs, ...call.args.filter((a): a is tf.Tensor => isTensor(a) && a.rank > 0 && a.shape[0] === call.batchSize)];
  const both = all({ maskForm, baselines, budget: checkPerturbedBatch(repeated, o.perEval, 'a feature-ablation pass') });
  if (both._tag === 'Left') {
    if (baselines._tag === 'Right') baselines.right.forEach((b) => b.dispose());
    return both;
  }
  const masks = await readFeatureMasks(both.right.maskForm, call.inputs, Array.isArray(o.featureMask), maskPath);
  if (masks._tag === 'Left') {
    both.right.baselines.forEach((b) => b.dispose());
    return masks;
  }
  try {
    const read = masks.right;
    const base = both.right.baselines;
    const holds = read.map((m) => new Set(m.unique));
    return await runAblation(
      prepared,
      {
        features: featureOrder(read),
        selection: (i, group) => {
          const m = read[i]!;
          if (!group.some((g) => holds[i]!.has(g))) return undefined;
          const ids = tf.tensor(group, [group.length, ...m.shape.map(() => 1)], 'int32'); // [k, 1, 1...]
          return tf.equal(tf.expandDims(m.tensor, 0), ids); // [k, 1 or N, D]
        },
        replacement: (i) => tf.expandDims(flatRows(base[i]!), 0), // [1, N, D]
      },
      o.perEval,
      o.longRun,
    );
  } finally {
    disposeMasks(masks.right);
    both.right.baselines.forEach((b) => b.dispose());
  }
}
