// DeepLiftShap's pairs, shared by deepLiftShap, layerDeepLiftShap and neuronDeepLiftShap: every
// example against every row of a baseline distribution (row i·B + j: example i with baseline j, as
// Captum's `_expand_inputs_baselines_targets`), one DeepLift pass per chunk of pairs, the pairs'
// attributions averaged per example (`_compute_mean_across_baselines`), and the per-pair deltas.
import * as tf from '@tensorflow/tfjs-core';
import { convergenceDelta } from '../attribution/convergence-delta.js';
import { describeValue, isTensor } from '../core/arguments.js';
import { elementPath, formatShape } from '../core/tensors.js';
import { tidyResult } from '../core/tidy-result.js';
import { booleanOption, optionalIntegerOption } from '../core/options.js';
import { all, allOf, errorText, fail, ok, type Result } from '../core/validation.js';
import { type ResolvedTarget, type Target, target } from '../target/target.js';
import { abortedResult, type CheckedLongRun, checkLongRun, chunkRanges, reportProgress, yieldToEventLoop } from './chunks.js';
import { checkCustomAttributionFunc, type DeepLiftSettings } from './deep-lift-pass.js';
import { expandRows, expandTarget } from './expansion.js';
import { checkAllocation, copiesThatFit } from './memory-budget.js';
import type { Inputs } from './method.js';
import type { Model } from './model.js';
import type { ModelCall } from './run-forward.js';

/**
 * A baseline distribution: a tensor `[B, ...]` with `B >= 2` rows for one input, or one such tensor
 * per input (all with the same `B`), or a function returning either. A function of no parameters
 * is called as `f()`, otherwise as `f(inputs)` (the inputs as passed), as in Captum.
 *
 * @example
 * const fromData: BaselineDistribution = tf.randomNormal([8, 3], 0, 0.1, 'float32', 7);
 * const perCall: BaselineDistribution = (x: tf.Tensor | tf.Tensor[]) => tf.zeros([4, ...(x as tf.Tensor).shape.slice(1)]);
 */
export type BaselineDistribution = tf.Tensor | readonly tf.Tensor[] | ((inputs?: tf.Tensor | tf.Tensor[]) => tf.Tensor | readonly tf.Tensor[]);

const PATH = 'options.baselines';

/** The required distribution option: present, else a Left naming it. */
export function requireDistribution(value: unknown): Result<unknown> {
  return value === undefined || value === null
    ? fail({ _tag: 'InvalidArgument', path: PATH, expected: 'a baseline distribution: a tensor [B, ...] with B >= 2 (one per input), or a function returning it', got: describeValue(value) })
    : ok(value);
}

/** Calls a baseline function (Captum's `_format_callable_baseline`); the tensors it made are marked as the call's own. */
function callBaselines(f: (...a: unknown[]) => unknown, inputs: Inputs): Result<{ value: unknown; firstNewId: number }> {
  const marker = tf.scalar(0);
  const firstNewId = marker.id + 1;
  marker.dispose();
  try {
    const value = tf.tidy(() => (f.length === 0 ? f() : f(Array.isArray(inputs) ? [...inputs] : inputs)) as tf.TensorContainer); // what it made and dropped is released
    return ok({ value, firstNewId });
  } catch (e) {
    return fail({ _tag: 'ModelThrew', path: PATH, message: `the baselines function threw: ${errorText(e)}` });
  }
}

/** The distribution as one `[B, ...input]` tensor per input, all with the same `B >= 2`. */
function checkDistribution(value: unknown, inputs: readonly tf.Tensor[], isTuple: boolean): Result<tf.Tensor[]> {
  const list = Array.isArray(value) ? (value as unknown[]) : [value];
  if (list.length !== inputs.length) return fail({ _tag: 'BaselineCountMismatch', path: PATH, inputs: inputs.length, baselines: list.length });
  const tuple = isTuple || Array.isArray(value);
  const first = list[0];
  const b = isTensor(first) && first.rank > 0 ? (first.shape[0] as number) : undefined;
  return allOf(
    list.map((t, i): Result<tf.Tensor> => {
      const path = elementPath(PATH, tuple, i);
      if (!isTensor(t)) return fail({ _tag: 'BaselineTypeInvalid', path, got: `${describeValue(t)} (DeepLiftShap needs a tensor of baselines [B, ...] for every input)` });
      if (t.isDisposed) return fail({ _tag: 'TensorDisposed', path });
      const input = inputs[i]!;
      const rest = input.shape.slice(1);
      const sameRest = t.rank === input.rank && t.shape.slice(1).every((d, k) => d === rest[k]);
      const rowsOk = i === 0 ? b !== undefined && b > 1 : t.shape[0] === b;
      if (!sameRest || !rowsOk || t.dtype !== 'float32') {
        const want = i === 0 ? `a float32 distribution of at least 2 baselines, [B, ${rest.join(', ')}] with B >= 2` : `a float32 tensor [${b}, ${rest.join(', ')}] (as many baselines as the first input's)`;
        return fail({ _tag: 'InvalidArgument', path, expected: want, got: `a ${t.dtype} tensor of shape ${formatShape(t.shape)}` });
      }
      return ok(t);
    }),
  );
}

/** The options every DeepLiftShap form takes besides its target, layer or neuron (and delta). */
export const DEEP_LIFT_SHAP_KEYS = ['baselines', 'multiplyByInputs', 'customAttributionFunc', 'internalBatchSize', 'onProgress', 'signal'] as const;

/**
 * Checks DeepLiftShap's options: the distribution is present, `multiplyByInputs` (default true),
 * `customAttributionFunc`, `internalBatchSize`, `onProgress` and `signal`. `eps` is Captum's fixed 1e-10.
 */
export function checkShapOptions(o: Partial<Record<(typeof DEEP_LIFT_SHAP_KEYS)[number], unknown>>): Result<{ settings: DeepLiftSettings; internalBatchSize: number | undefined; longRun: CheckedLongRun }> {
  const r = all({
    multiply: booleanOption(o.multiplyByInputs, 'options.multiplyByInputs', true),
    custom: checkCustomAttributionFunc(o.customAttributionFunc),
    internalBatchSize: optionalIntegerOption(o.internalBatchSize, 'options.internalBatchSize', 1),
    longRun: checkLongRun(o.onProgress, o.signal),
    baselines: requireDistribution(o.baselines),
  });
  if (r._tag === 'Left') return r;
  const { multiply, custom, internalBatchSize, longRun } = r.right;
  return ok({ settings: { eps: 1e-10, multiply, custom }, internalBatchSize, longRun });
}

/** One chunk of pairs: its call (the pairs' inputs and extra tensors), its targets and its baselines. */
export type PairAttributions = (pairs: ModelCall, target: ResolvedTarget, baselines: tf.Tensor[]) => tf.Tensor[];

interface Pairs {
  readonly x: tf.Tensor[];
  readonly b: tf.Tensor[];
  readonly args: unknown[];
  readonly target: ResolvedTarget;
}

/** One chunk of pairs `[start, end)`: the pairs' attributions summed per example `[N, ...]`, and the pairs' own. */
function chunkAttributions(pairs: Pairs, call: ModelCall, attribute: PairAttributions, start: number, end: number, n: number, bCount: number): { sums: tf.Tensor[]; attributions: tf.Tensor[] } {
  const rows = end - start;
  const slice = (t: tf.Tensor): tf.Tensor => tf.slice(t, start, rows);
  const args = pairs.args.map((a) => (isTensor(a) && a.rank > 0 ? slice(a) : a));
  const attributions = attribute({ ...call, inputs: pairs.x.map(slice), batchSize: rows, args }, sliceTarget(pairs.target, start, end), pairs.b.map(slice));
  // Which example each pair belongs to: a [N, rows] 0/1 matrix, so one matMul sums a chunk's pairs per example.
  const owner = new Float32Array(n * rows);
  for (let r = 0; r < rows; r++) owner[Math.floor((start + r) / bCount) * rows + r] = 1;
  const perExample = tf.tensor2d(owner, [n, rows]); // [N, rows]
  const sums = attributions.map((a) => {
    const flat = tf.reshape(a, [rows, -1]); // [rows, features]
    return tf.reshape(tf.matMul(perExample, flat), [n, ...a.shape.slice(1)]); // [N, ...]
  });
  return { sums, attributions };
}

function sliceTarget(t: ResolvedTarget, start: number, end: number): ResolvedTarget {
  switch (t.kind) {
    case 'perExample':
      return { kind: 'perExample', indices: t.indices.slice(start, end) };
    case 'perExamplePath':
      return { kind: 'perExamplePath', paths: t.paths.slice(start, end) };
    case 'tensorValues':
      return t.values.length <= 1 ? t : { kind: 'tensorValues', values: t.values.slice(start, end), shape: [end - start] };
    default:
      return t;
  }
}

/** How DeepLiftShap runs its pairs: the batch size in pairs, progress and cancellation, and whether deltas are wanted. */
export interface PairSettings {
  readonly internalBatchSize: number | undefined;
  readonly longRun: CheckedLongRun;
  readonly withDelta: boolean;
}

/**
 * DeepLiftShap over a distribution (`given`, the option as passed; `inputs`, the inputs as passed,
 * for a baseline function): the `N·B` pairs in chunks of `internalBatchSize` (or as many as fit),
 * `attribute` giving each chunk's per-pair attributions (any shape with the pairs on axis 0), the mean
 * over the `B` baselines per example, and with `withDelta` the per-pair deltas `[N·B]` of `model`
 * (row `i·B + j`). Everything else it makes is released; the result belongs to the caller.
 */
export async function deepLiftShapPairs(
  model: Model,
  inputs: Inputs,
  given: unknown,
  call: ModelCall,
  resolved: ResolvedTarget,
  settings: PairSettings,
  attribute: PairAttributions,
): Promise<Result<{ attributions: tf.Tensor[]; delta?: tf.Tensor1D }>> {
  const { internalBatchSize, longRun, withDelta } = settings;
  const value = typeof given === 'function' ? callBaselines(given as (...a: unknown[]) => unknown, inputs) : ok({ value: given, firstNewId: Infinity });
  if (value._tag === 'Left') return value;
  const made = (Array.isArray(value.right.value) ? value.right.value : [value.right.value]).filter((t): t is tf.Tensor => isTensor(t) && t.id >= value.right.firstNewId);
  const owned: tf.Tensor[] = [];
  try {
    const distribution = checkDistribution(value.right.value, call.inputs, call.isTuple);
    if (distribution._tag === 'Left') return distribution;
    const n = call.batchSize;
    const bCount = distribution.right[0]!.shape[0] as number;
    const total = n * bCount;
    const rowElements = Math.max(...call.inputs.map((x) => x.size / n));
    const pairsPerPass = internalBatchSize ?? Math.max(1, Math.floor(copiesThatFit(2 * rowElements, 'float32', total)));
    const budget = checkAllocation(
      Math.max(total, 2 * Math.min(pairsPerPass, total)) * rowElements, // the largest single tensor: the pair batch, or one pass's doubled rows
      'float32',
      'options.internalBatchSize',
      `DeepLiftShap's ${total} pairs and a pass over ${2 * Math.min(pairsPerPass, total)} rows`,
      'pass a smaller internalBatchSize, or fewer examples or baselines',
    );
    if (budget._tag === 'Left') return budget;

    // The pair batch: row i·B + j is example i with baseline j (inputs repeat_interleave(B), baselines tiled N times).
    const expand = (t: tf.Tensor, k: number, order: 'repeat' | 'interleave'): tf.Tensor => {
      const e = tf.tidy(() => tf.clone(expandRows(t, k, order))); // a new tensor even for k = 1
      owned.push(e);
      return e;
    };
    const pairs: Pairs = {
      x: call.inputs.map((x) => expand(x, bCount, 'interleave')), // [N·B, ...]
      b: distribution.right.map((b) => expand(b, n, 'repeat')), // [N·B, ...]
      args: call.args.map((a) => (isTensor(a) && a.rank > 0 ? expand(a, bCount, 'interleave') : a)),
      target: expandTarget(resolved, bCount, 'interleave'),
    };

    let sums: tf.Tensor[] | undefined;
    let count = 0;
    const pairAttributions: tf.Tensor[][] = [];
    for (const { start, end } of chunkRanges(total, pairsPerPass)) {
      const stopped = abortedResult(longRun);
      if (stopped !== undefined) return stopped;
      const previous = sums;
      const part = tidyResult(() => {
        const chunk = chunkAttributions(pairs, call, attribute, start, end, n, bCount);
        const next = previous === undefined ? chunk.sums : chunk.sums.map((s, i) => tf.add(previous[i]!, s)); // chunks summed in order
        return ok(withDelta ? [...next, ...chunk.attributions] : next);
      });
      if (part._tag === 'Left') return part;
      previous?.forEach((t) => t.dispose());
      count = withDelta ? part.right.length / 2 : part.right.length;
      sums = part.right.slice(0, count);
      owned.push(...sums);
      if (withDelta) {
        const chunkAttr = part.right.slice(count);
        owned.push(...chunkAttr);
        pairAttributions.push(chunkAttr);
      }
      reportProgress(longRun, end, total);
      if (end < total) await yieldToEventLoop();
    }
    const attributions = tf.tidy(() => sums!.map((s) => tf.div(s, bCount))); // the mean over the B baselines
    if (!withDelta) return ok({ attributions });
    const delta = await pairDeltas(model, pairs, pairAttributions, chunkRanges(total, pairsPerPass));
    if (delta._tag === 'Left') {
      attributions.forEach((t) => t.dispose());
      return delta;
    }
    return ok({ attributions, delta: delta.right });
  } finally {
    for (const t of owned) t.dispose();
    for (const t of made) if (!t.isDisposed) t.dispose();
  }
}

/** A resolved target back in the public form convergenceDelta takes. */
function targetOf(t: ResolvedTarget): Target {
  switch (t.kind) {
    case 'none':
      return undefined;
    case 'path':
      return target.path(...t.indices);
    case 'perExample':
      return t.indices;
    case 'perExamplePath':
      return target.perExamplePath(t.paths);
    case 'tensorValues':
      return t.values.length === 1 ? t.values[0] : t.values; // one element acts as an int, N as a list (Captum)
    case 'reduce':
      return target.reduce(t.fn);
  }
}

/** Per-pair deltas, as Captum: each chunk's pair attributions against its pairs, concatenated in row order i·B + j. */
async function pairDeltas(
  model: Model,
  pairs: Pairs,
  pairAttributions: readonly tf.Tensor[][],
  chunks: readonly { readonly start: number; readonly end: number }[],
): Promise<Result<tf.Tensor1D>> {
  const deltas: tf.Tensor[] = [];
  try {
    for (const [k, { start, end }] of chunks.entries()) {
      const made: tf.Tensor[] = [];
      const slice = (t: tf.Tensor): tf.Tensor => {
        const s = tf.slice(t, start, end - start);
        made.push(s);
        return s;
      };
      try {
        const delta = await convergenceDelta(model, {
          attributions: pairAttributions[k]!,
          endPoint: pairs.x.map(slice),
          startPoint: pairs.b.map(slice),
          target: targetOf(sliceTarget(pairs.target, start, end)),
          additionalForwardArgs: pairs.args.map((a) => (isTensor(a) && a.rank > 0 ? slice(a) : a)),
        });
        if (delta._tag === 'Left') return delta;
        deltas.push(delta.right);
      } finally {
        made.forEach((t) => t.dispose());
      }
    }
    return ok(tf.concat(deltas, 0) as tf.Tensor1D); // [N·B], row i·B + j
  } finally {
    deltas.forEach((t) => t.dispose());
  }
}

